package reports

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// tableCols are the columns of a sweep's runs table, in an order that is
// not sorted by name.
var tableCols = []Column{
	{"point", ColInt64},
	{"supply", ColFloat64},
	{"mechanism", ColString},
	{"rep", ColInt64},
	{"seed", ColUint64},
	{"status", ColString},
	{"error", ColString},
	{"utilization", ColFloat64},
	{"apr", ColFloat64},
}

var tableMeta = map[string]string{
	"tool_version":    "v0.0.0-test",
	"format_version":  "1",
	"master_seed":     "42",
	"design":          "grid",
	"scenario_sha256": "ab" + strings.Repeat("0", 62),
}

// tableRows returns n rows of tableCols: every third a failed run with
// NaN metrics and an error holding a comma, a quote and a newline.
func tableRows(n int) [][]Value {
	rows := make([][]Value, n)
	for i := range rows {
		status, errText := "ok", ""
		util, apr := float64(i)/7, -1e-300*float64(i)
		if i%3 == 2 {
			status, errText = "failed", "invariant \"escrow\", 1\nbroke"
			util, apr = math.NaN(), math.NaN()
		}
		rows[i] = []Value{
			Int64Value(int64(i / 4)),
			Float64Value(1e6 * float64(i%4+1)),
			StringValue([]string{"auction", "posted"}[i%2]),
			Int64Value(int64(i % 4)),
			Uint64Value(math.MaxUint64 - uint64(i)),
			StringValue(status),
			StringValue(errText),
			Float64Value(util),
			Float64Value(apr),
		}
	}
	return rows
}

// writeTables writes rows to dir/runs.csv and dir/runs.parquet.
func writeTables(t *testing.T, dir string, rows [][]Value, opts TableOptions) {
	t.Helper()
	tf, err := CreateTables(filepath.Join(dir, "runs.csv"), filepath.Join(dir, "runs.parquet"), tableCols, opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if err := tf.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := tf.Close(); err != nil {
		t.Fatal(err)
	}
}

// sameValue reports whether a and b hold the same kind and value (NaN
// equal to NaN).
func sameValue(a, b Value) bool {
	if a.Kind() != b.Kind() {
		return false
	}
	if a.Kind() == ColFloat64 && math.IsNaN(a.Float64()) {
		return math.IsNaN(b.Float64())
	}
	return a == b
}

func TestTablesReadBack(t *testing.T) {
	dir := t.TempDir()
	// 1000 rows in row groups of 64: several row groups and a partial last one
	rows := tableRows(1000)
	writeTables(t, dir, rows, TableOptions{Meta: tableMeta, CreatedBy: "depinsim version test", RowGroupRows: 64})

	// Parquet: columns in the given order, values, metadata
	cols, got, meta, err := ReadParquetTable(filepath.Join(dir, "runs.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	if len(cols) != len(tableCols) {
		t.Fatalf("parquet columns %v, want %v", cols, tableCols)
	}
	for i := range cols {
		if cols[i] != tableCols[i] {
			t.Errorf("parquet column %d = %v, want %v", i, cols[i], tableCols[i])
		}
	}
	if len(got) != len(rows) {
		t.Fatalf("parquet has %d rows, want %d", len(got), len(rows))
	}
	for i := range rows {
		for j := range rows[i] {
			if !sameValue(got[i][j], rows[i][j]) {
				t.Fatalf("parquet row %d column %s = %+v, want %+v", i, tableCols[j].Name, got[i][j], rows[i][j])
			}
		}
	}
	if len(meta) != len(tableMeta) {
		t.Errorf("parquet metadata %v, want %v", meta, tableMeta)
	}
	for k, v := range tableMeta {
		if meta[k] != v {
			t.Errorf("parquet metadata %q = %q, want %q", k, meta[k], v)
		}
	}
	pq, err := os.ReadFile(filepath.Join(dir, "runs.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(pq, []byte("depinsim version test")) {
		t.Error("parquet footer lacks the created_by given")
	}
	if n := bytes.Count(pq, []byte("parquet-go")); n != 0 {
		t.Errorf("parquet file names the parquet library %d times (created_by not replaced)", n)
	}

	// CSV: header, values as text, NaN as empty
	f, err := os.Open(filepath.Join(dir, "runs.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != len(rows)+1 {
		t.Fatalf("csv has %d records, want %d", len(recs), len(rows)+1)
	}
	for j, c := range tableCols {
		if recs[0][j] != c.Name {
			t.Errorf("csv header %d = %q, want %q", j, recs[0][j], c.Name)
		}
	}
	for i, r := range rows {
		for j, v := range r {
			s := recs[i+1][j]
			var ok bool
			switch v.Kind() {
			case ColString:
				ok = s == v.Str()
			case ColInt64:
				n, err := strconv.ParseInt(s, 10, 64)
				ok = err == nil && n == v.Int64()
			case ColUint64:
				n, err := strconv.ParseUint(s, 10, 64)
				ok = err == nil && n == v.Uint64()
			case ColFloat64:
				if math.IsNaN(v.Float64()) {
					ok = s == ""
				} else {
					x, err := strconv.ParseFloat(s, 64)
					ok = err == nil && x == v.Float64()
				}
			}
			if !ok {
				t.Fatalf("csv row %d column %s = %q, want %+v", i, tableCols[j].Name, s, v)
			}
		}
	}

	// sidecar: the same key-values, sorted
	side, err := os.ReadFile(filepath.Join(dir, "runs.csv.meta.json"))
	if err != nil {
		t.Fatal(err)
	}
	want := "{\n  \"design\": \"grid\",\n  \"format_version\": \"1\",\n  \"master_seed\": \"42\",\n" +
		"  \"scenario_sha256\": \"ab" + strings.Repeat("0", 62) + "\",\n  \"tool_version\": \"v0.0.0-test\"\n}\n"
	if string(side) != want {
		t.Errorf("sidecar:\n%s\nwant:\n%s", side, want)
	}

	// nothing else in the folder: no temporary left behind
	ents, _ := os.ReadDir(dir)
	if len(ents) != 3 {
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		t.Errorf("folder holds %v, want runs.csv, runs.csv.meta.json, runs.parquet", names)
	}
}

func TestTablesDeterministic(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	rows := tableRows(3000)
	opts := TableOptions{Meta: tableMeta, CreatedBy: "depinsim version test", RowGroupRows: 1000}
	writeTables(t, a, rows, opts)
	writeTables(t, b, rows, opts)
	for _, name := range []string{"runs.csv", "runs.parquet", "runs.csv.meta.json"} {
		x, err := os.ReadFile(filepath.Join(a, name))
		if err != nil {
			t.Fatal(err)
		}
		y, err := os.ReadFile(filepath.Join(b, name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(x, y) {
			t.Errorf("%s differs between two writes of the same rows", name)
		}
	}
	// and a different value gives different bytes (the test can fail)
	rows[5][7] = Float64Value(0.5)
	c := t.TempDir()
	writeTables(t, c, rows, opts)
	x, _ := os.ReadFile(filepath.Join(a, "runs.parquet"))
	y, _ := os.ReadFile(filepath.Join(c, "runs.parquet"))
	if bytes.Equal(x, y) {
		t.Error("a changed value left runs.parquet unchanged")
	}
}

func TestTablesAbortAndBadRows(t *testing.T) {
	dir := t.TempDir()
	tf, err := CreateTables(filepath.Join(dir, "runs.csv"), filepath.Join(dir, "runs.parquet"), tableCols, TableOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rows := tableRows(3)
	if err := tf.Write(rows[0]); err != nil {
		t.Fatal(err)
	}
	bad := append([]Value(nil), rows[1]...)
	bad[4] = Int64Value(7) // seed is ColUint64
	if err := tf.Write(bad); err == nil || !strings.Contains(err.Error(), `"seed"`) || !strings.Contains(err.Error(), "uint64") {
		t.Errorf("wrong kind: err = %v, want one naming column \"seed\" and uint64", err)
	}
	if err := tf.Write(rows[1][:3]); err == nil || !strings.Contains(err.Error(), "3 values, want 9") {
		t.Errorf("short row: err = %v", err)
	}
	tf.Abort()
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("after Abort the folder holds %d files, want none", len(ents))
	}
	if err := tf.Write(rows[2]); err == nil {
		t.Error("Write after Abort succeeded")
	}

	for _, cols := range [][]Column{nil, {{"a", ColInt64}, {"a", ColString}}, {{"", ColInt64}}, {{"a", 0}}} {
		if _, err := CreateTables(filepath.Join(dir, "x.csv"), filepath.Join(dir, "x.parquet"), cols, TableOptions{}); err == nil {
			t.Errorf("columns %v accepted", cols)
		}
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("refused columns left %d files", len(ents))
	}
}

func TestTableEmpty(t *testing.T) {
	dir := t.TempDir()
	writeTables(t, dir, nil, TableOptions{})
	cols, rows, meta, err := ReadParquetTable(filepath.Join(dir, "runs.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	if len(cols) != len(tableCols) || len(rows) != 0 || len(meta) != 0 {
		t.Errorf("empty table read back as %d columns, %d rows, meta %v", len(cols), len(rows), meta)
	}
	side, _ := os.ReadFile(filepath.Join(dir, "runs.csv.meta.json"))
	if string(side) != "{}\n" {
		t.Errorf("empty sidecar = %q", side)
	}
}

// BenchmarkParquetTable writes 1 M rows of 20 float64 columns (plus
// point and rep) to a Parquet file on disk.
func BenchmarkParquetTable(b *testing.B) {
	const nrows, nfloat = 1_000_000, 20
	cols := []Column{{"point", ColInt64}, {"rep", ColInt64}}
	for j := range nfloat {
		cols = append(cols, Column{"m" + strconv.Itoa(j), ColFloat64})
	}
	row := make([]Value, len(cols))
	b.ReportAllocs()
	for b.Loop() {
		f, err := os.Create(filepath.Join(b.TempDir(), "runs.parquet"))
		if err != nil {
			b.Fatal(err)
		}
		w, err := NewParquetTable(f, cols, TableOptions{Meta: tableMeta})
		if err != nil {
			b.Fatal(err)
		}
		for i := range nrows {
			row[0], row[1] = Int64Value(int64(i/10)), Int64Value(int64(i%10))
			for j := range nfloat {
				row[2+j] = Float64Value(float64(i)*1.000001 + float64(j))
			}
			if err := w.Write(row); err != nil {
				b.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
		if st, err := f.Stat(); err == nil {
			b.ReportMetric(float64(st.Size())/1e6, "MB")
		}
		f.Close()
	}
}

// TestTablesGolden pins the bytes of a small table, so that output that
// changes from one process, machine or parquet-go version to the next
// (shards and resumed sweeps must give identical files) is noticed. If a
// dependency upgrade changes them on purpose, say so and update the sums.
func TestTablesGolden(t *testing.T) {
	dir := t.TempDir()
	writeTables(t, dir, tableRows(5000), TableOptions{Meta: tableMeta, CreatedBy: "depinsim version test", RowGroupRows: 1000})
	want := map[string]string{
		"runs.csv":           "8ab3212f75ac2b306eaccddaf05000fe5c68c4fe978723f9894dea19ac964e43",
		"runs.parquet":       "a9f7a40947d25b3e833f961a10cc1df1e4ef84c8448c84f173da955fc6b46668",
		"runs.csv.meta.json": "ceeaad20e539e6e246b48eadc48b3c2d335b04cb09a44ac3502f0ea03a3174a8",
	}
	for _, name := range []string{"runs.csv", "runs.parquet", "runs.csv.meta.json"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprintf("%x", sha256.Sum256(b)); got != want[name] {
			t.Errorf("%s: SHA-256 %s, want %s", name, got, want[name])
		}
	}
}
