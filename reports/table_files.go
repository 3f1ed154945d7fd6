package reports

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strings"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"
)

// TableFiles writes one table to a CSV file, its sidecar and a Parquet
// file at once, all three under temporary names (".NAME.tmp-N", as
// WriteFileAtomic) until Close renames them into place; Abort removes
// them. A reader thus sees no table file or a complete one.
type TableFiles struct {
	csvPath, parquetPath string
	meta                 map[string]string
	csvTmp, pqTmp        *tempFile
	csv, pq              TableWriter
	done                 bool
}

// CreateTables starts the table files csvPath (with its sidecar
// csvPath+".meta.json") and parquetPath, with the given columns and
// options (opts.Meta goes to the sidecar and to the Parquet metadata).
func CreateTables(csvPath, parquetPath string, cols []Column, opts TableOptions) (*TableFiles, error) {
	if err := checkColumns(cols); err != nil {
		return nil, err
	}
	t := &TableFiles{csvPath: csvPath, parquetPath: parquetPath, meta: opts.Meta}
	var err error
	if t.csvTmp, err = createTemp(csvPath); err != nil {
		return nil, err
	}
	if t.pqTmp, err = createTemp(parquetPath); err != nil {
		t.csvTmp.abort()
		return nil, err
	}
	if t.csv, err = NewCSVTable(t.csvTmp.w, cols); err != nil {
		t.Abort()
		return nil, err
	}
	if t.pq, err = NewParquetTable(t.pqTmp.w, cols, opts); err != nil {
		t.Abort()
		return nil, err
	}
	return t, nil
}

// Write writes row to both tables. A row that does not fit the columns
// is refused (an error naming the column) and written to neither.
func (t *TableFiles) Write(row []Value) error {
	if t.done {
		return errors.New("table: write after close")
	}
	if err := t.csv.Write(row); err != nil {
		return fmt.Errorf("write %s: %w", t.csvPath, err)
	}
	if err := t.pq.Write(row); err != nil {
		return fmt.Errorf("write %s: %w", t.parquetPath, err)
	}
	return nil
}

// FlushCSV hands the CSV rows written so far to the operating system
// (no fsync): a process killed later leaves them, as whole lines, in the
// CSV's temporary file, from which a resumed sweep recovers them. The
// Parquet file is written in row groups and is not flushed.
func (t *TableFiles) FlushCSV() error {
	if t.done {
		return nil
	}
	if c, ok := t.csv.(*csvTable); ok {
		c.cw.Flush()
		if err := c.cw.Error(); err != nil {
			return fmt.Errorf("write %s: %w", t.csvPath, err)
		}
	}
	if err := t.csvTmp.w.Flush(); err != nil {
		return fmt.Errorf("write %s: %w", t.csvPath, err)
	}
	return nil
}

// Close finishes both tables and renames them into place, the Parquet
// file first, then the CSV file, then writes the sidecar (atomically).
// On error every temporary file is removed; a file already renamed stays.
func (t *TableFiles) Close() error {
	if t.done {
		return nil
	}
	t.done = true
	if err := t.csv.Close(); err != nil {
		t.abort()
		return fmt.Errorf("write %s: %w", t.csvPath, err)
	}
	if err := t.pq.Close(); err != nil {
		t.abort()
		return fmt.Errorf("write %s: %w", t.parquetPath, err)
	}
	if err := t.pqTmp.commit(); err != nil {
		t.csvTmp.abort()
		return err
	}
	if err := t.csvTmp.commit(); err != nil {
		return err
	}
	return WriteFileAtomic(t.csvPath+".meta.json", func(w io.Writer) error { return WriteTableMeta(w, t.meta) })
}

// Abort removes the temporary files; nothing is renamed into place. It
// does nothing after Close or a previous Abort.
func (t *TableFiles) Abort() {
	if t.done {
		return
	}
	t.done = true
	t.abort()
}

func (t *TableFiles) abort() {
	t.csvTmp.abort()
	t.pqTmp.abort()
}

// ReadParquetTable reads a whole Parquet table written by NewParquetTable
// back into memory: its columns in file order, its rows (a null ColFloat64
// cell comes back as NaN) and its key-value metadata. It is meant for
// tests and small tables (merging sweep shards, checking outputs).
func ReadParquetTable(path string) (cols []Column, rows [][]Value, meta map[string]string, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, nil, nil, err
	}
	pf, err := parquet.OpenFile(f, st.Size())
	if err != nil {
		return nil, nil, nil, fmt.Errorf("read %s: %w", path, err)
	}
	meta = map[string]string{}
	for _, kv := range pf.Metadata().KeyValueMetadata {
		meta[kv.Key] = kv.Value
	}
	for _, fl := range pf.Schema().Fields() {
		k, err := kindOfNode(fl)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("read %s: column %q: %w", path, fl.Name(), err)
		}
		cols = append(cols, Column{Name: fl.Name(), Kind: k})
	}
	r := parquet.NewReader(f, pf.Schema())
	defer r.Close()
	buf := make([]parquet.Row, 128)
	for {
		n, err := r.ReadRows(buf)
		for _, pr := range buf[:n] {
			row := make([]Value, len(cols))
			for _, v := range pr {
				c := v.Column()
				switch cols[c].Kind {
				case ColString:
					row[c] = StringValue(string(v.ByteArray()))
				case ColInt64:
					row[c] = Int64Value(v.Int64())
				case ColUint64:
					row[c] = Uint64Value(uint64(v.Int64()))
				case ColFloat64:
					if v.IsNull() {
						row[c] = Float64Value(math.NaN())
					} else {
						row[c] = Float64Value(v.Double())
					}
				}
			}
			rows = append(rows, row)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, nil, fmt.Errorf("read %s: %w", path, err)
		}
	}
	return cols, rows, meta, nil
}

// kindOfNode returns the ColumnKind of a Parquet column written by
// NewParquetTable.
func kindOfNode(n parquet.Node) (ColumnKind, error) {
	if !n.Leaf() || n.Repeated() {
		return 0, errors.New("not a flat column")
	}
	t := n.Type()
	switch t.Kind() {
	case parquet.ByteArray:
		return ColString, nil
	case parquet.Double:
		return ColFloat64, nil
	case parquet.Int64:
		if lt := t.LogicalType(); lt != nil {
			if it, ok := lt.Value.(*format.IntType); ok && !it.IsSigned {
				return ColUint64, nil
			}
		}
		return ColInt64, nil
	}
	return 0, fmt.Errorf("unsupported type %s", strings.ToLower(t.String()))
}
