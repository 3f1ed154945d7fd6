package reports

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"slices"
	"strconv"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress"
	"github.com/parquet-go/parquet-go/compress/snappy"
	"github.com/parquet-go/parquet-go/encoding"
)

// ColumnKind is the type of a table column's values.
type ColumnKind uint8

// The kinds of table columns.
const (
	// ColString columns hold UTF-8 text: a required Parquet BYTE_ARRAY
	// column with the STRING logical type.
	ColString ColumnKind = iota + 1
	// ColInt64 columns hold signed integers: a required Parquet INT64.
	ColInt64
	// ColUint64 columns hold unsigned integers (seeds): a required Parquet
	// INT64 with the logical type INT(64, unsigned), which pandas,
	// polars and DuckDB read as uint64.
	ColUint64
	// ColFloat64 columns hold floating-point numbers: an optional Parquet
	// DOUBLE in which NaN is written as null (see Table).
	ColFloat64
)

// String returns the kind's name: "string", "int64", "uint64" or
// "float64".
func (k ColumnKind) String() string {
	switch k {
	case ColString:
		return "string"
	case ColInt64:
		return "int64"
	case ColUint64:
		return "uint64"
	case ColFloat64:
		return "float64"
	}
	return "ColumnKind(" + strconv.Itoa(int(k)) + ")"
}

// Column names a table column and the kind of its values.
type Column struct {
	Name string
	Kind ColumnKind
}

// Value is one cell of a table row. Build it with StringValue,
// Int64Value, Uint64Value or Float64Value; the zero Value has no kind and
// is refused by every column. A Value holds no pointer but a string's, so
// a row of Values costs no allocation.
type Value struct {
	kind ColumnKind
	bits uint64 // the int64, uint64 or float64 bits
	s    string
}

// StringValue returns a ColString cell holding s.
func StringValue(s string) Value { return Value{kind: ColString, s: s} }

// Int64Value returns a ColInt64 cell holding v.
func Int64Value(v int64) Value { return Value{kind: ColInt64, bits: uint64(v)} }

// Uint64Value returns a ColUint64 cell holding v.
func Uint64Value(v uint64) Value { return Value{kind: ColUint64, bits: v} }

// Float64Value returns a ColFloat64 cell holding v (NaN allowed).
func Float64Value(v float64) Value { return Value{kind: ColFloat64, bits: math.Float64bits(v)} }

// Kind returns the kind of the cell.
func (v Value) Kind() ColumnKind { return v.kind }

// Str returns a ColString cell's text.
func (v Value) Str() string { return v.s }

// Int64 returns a ColInt64 cell's value.
func (v Value) Int64() int64 { return int64(v.bits) }

// Uint64 returns a ColUint64 cell's value.
func (v Value) Uint64() uint64 { return v.bits }

// Float64 returns a ColFloat64 cell's value.
func (v Value) Float64() float64 { return math.Float64frombits(v.bits) }

// TableWriter writes the rows of a table as they come. Write checks the
// row against the columns (their number and kinds) and returns an error
// naming the column at fault without writing anything; Close finishes
// the table (for Parquet, the last row group and the footer). Neither
// writer closes the io.Writer it was given.
type TableWriter interface {
	Write(row []Value) error
	Close() error
}

// TableOptions are the settings common to both table formats.
type TableOptions struct {
	// Meta is the provenance written with the table: Parquet key-value
	// metadata, the CSV sidecar's JSON object. Keys are written in
	// sorted order. Nothing that differs between runs that must give
	// identical files (wall time, paths, worker counts) belongs here.
	Meta map[string]string
	// CreatedBy is the Parquet footer's created_by, e.g. "depinsim
	// version v1.2.0"; empty gives "depinsim". It is fixed by the caller
	// so that the bytes do not depend on the parquet library's build.
	CreatedBy string
	// RowGroupRows is the number of rows in each Parquet row group (the
	// unit that is buffered in memory before it is written); zero means
	// DefaultRowGroupRows.
	RowGroupRows int
}

// DefaultRowGroupRows is the default number of rows per Parquet row group.
const DefaultRowGroupRows = 64 << 10

// checkColumns returns an error if cols is empty, holds an empty or
// repeated name or an unknown kind.
func checkColumns(cols []Column) error {
	if len(cols) == 0 {
		return errors.New("table: no columns")
	}
	seen := make(map[string]bool, len(cols))
	for i, c := range cols {
		if c.Name == "" {
			return fmt.Errorf("table: column %d has no name", i)
		}
		if seen[c.Name] {
			return fmt.Errorf("table: column %q appears twice", c.Name)
		}
		seen[c.Name] = true
		if c.Kind < ColString || c.Kind > ColFloat64 {
			return fmt.Errorf("table: column %q has unknown kind %d", c.Name, c.Kind)
		}
	}
	return nil
}

// checkRow returns an error if row does not fit cols.
func checkRow(cols []Column, row []Value) error {
	if len(row) != len(cols) {
		return fmt.Errorf("table: row has %d values, want %d (one per column)", len(row), len(cols))
	}
	for i, v := range row {
		if v.kind != cols[i].Kind {
			return fmt.Errorf("table: column %q is %s, got a %s value", cols[i].Name, cols[i].Kind, v.kind)
		}
	}
	return nil
}

// csvTable is the CSV TableWriter.
type csvTable struct {
	cols   []Column
	cw     *csv.Writer
	fields []string
	buf    []byte
	ends   []int
	closed bool
}

// NewCSVTable returns a TableWriter writing CSV to w: a header line of the
// column names, then one line per row. Floats are formatted with
// strconv.FormatFloat(v, 'g', -1, 64) (they read back exactly) and NaN as
// an empty field, as in the package's other CSV files; pandas reads an
// empty field as NaN, polars and DuckDB as null, as they read the
// Parquet table's nulls. The provenance goes to a sidecar
// (WriteTableMeta), not into the CSV.
func NewCSVTable(w io.Writer, cols []Column) (TableWriter, error) {
	if err := checkColumns(cols); err != nil {
		return nil, err
	}
	t := &csvTable{cols: slices.Clone(cols), cw: csv.NewWriter(w), fields: make([]string, len(cols))}
	for i, c := range cols {
		t.fields[i] = c.Name
	}
	if err := t.cw.Write(t.fields); err != nil {
		return nil, err
	}
	return t, nil
}

// Write writes one row.
func (t *csvTable) Write(row []Value) error {
	if t.closed {
		return errors.New("table: write after close")
	}
	if err := checkRow(t.cols, row); err != nil {
		return err
	}
	// Numbers are formatted into one buffer, then sliced into fields, so
	// that a row allocates one string, not one per cell.
	t.buf = t.buf[:0]
	ends := t.ends[:0]
	for _, v := range row {
		switch v.kind {
		case ColInt64:
			t.buf = strconv.AppendInt(t.buf, v.Int64(), 10)
		case ColUint64:
			t.buf = strconv.AppendUint(t.buf, v.bits, 10)
		case ColFloat64:
			if f := v.Float64(); !math.IsNaN(f) {
				t.buf = strconv.AppendFloat(t.buf, f, 'g', -1, 64)
			}
		}
		ends = append(ends, len(t.buf))
	}
	t.ends = ends
	s := string(t.buf)
	start := 0
	for i, v := range row {
		if v.kind == ColString {
			t.fields[i] = v.s
		} else {
			t.fields[i] = s[start:ends[i]]
		}
		start = ends[i]
	}
	return t.cw.Write(t.fields)
}

// Close flushes the CSV writer.
func (t *csvTable) Close() error {
	if t.closed {
		return nil
	}
	t.closed = true
	t.cw.Flush()
	return t.cw.Error()
}

// parquetTable is the Parquet TableWriter.
type parquetTable struct {
	cols   []Column
	w      *parquet.GenericWriter[any]
	rows   []parquet.Row // a batch of rows sharing vals
	vals   []parquet.Value
	n      int // rows in the batch
	closed bool
}

// parquetBatch is the number of rows handed to the parquet writer at once.
const parquetBatch = 256

// NewParquetTable returns a TableWriter writing a Parquet file to w, its
// columns in the order of cols (the schema is built in that order, not
// sorted by name), Snappy-compressed, with opts.Meta as the file's
// key-value metadata and opts.CreatedBy as its created_by. Rows are
// buffered up to opts.RowGroupRows, then written out as a row group, so
// memory stays flat however many rows are written.
//
// ColFloat64 columns are optional and a NaN is written as null, so that
// pandas reads it as NaN and polars and DuckDB as null (missing), the
// same as they read the CSV table's empty fields; a reader that wants
// NaN back (ReadParquetTable) maps null to NaN. Strings, ColInt64 and
// ColUint64 columns are required.
//
// The output is deterministic: the same columns, rows and options give
// the same bytes.
func NewParquetTable(w io.Writer, cols []Column, opts TableOptions) (TableWriter, error) {
	if err := checkColumns(cols); err != nil {
		return nil, err
	}
	rg := opts.RowGroupRows
	if rg <= 0 {
		rg = DefaultRowGroupRows
	}
	createdBy := opts.CreatedBy
	if createdBy == "" {
		createdBy = "depinsim"
	}
	options := []parquet.WriterOption{
		parquet.NewSchema("table", orderedGroup(cols)),
		parquet.Compression(&snappy.Codec{}),
		parquet.MaxRowsPerRowGroup(int64(rg)),
		&parquet.WriterConfig{CreatedBy: createdBy},
	}
	for _, k := range sortedKeys(opts.Meta) {
		options = append(options, parquet.KeyValueMetadata(k, opts.Meta[k]))
	}
	t := &parquetTable{
		cols: slices.Clone(cols),
		w:    parquet.NewGenericWriter[any](w, options...),
		rows: make([]parquet.Row, parquetBatch),
		vals: make([]parquet.Value, parquetBatch*len(cols)),
	}
	for i := range t.rows {
		t.rows[i] = t.vals[i*len(cols) : (i+1)*len(cols) : (i+1)*len(cols)]
	}
	return t, nil
}

// Write adds one row to the current batch, handing the batch to the
// parquet writer when it is full.
func (t *parquetTable) Write(row []Value) error {
	if t.closed {
		return errors.New("table: write after close")
	}
	if err := checkRow(t.cols, row); err != nil {
		return err
	}
	out := t.rows[t.n]
	for i, v := range row {
		var pv parquet.Value
		switch v.kind {
		case ColString:
			pv = parquet.ByteArrayValue([]byte(v.s))
		case ColInt64, ColUint64:
			pv = parquet.Int64Value(int64(v.bits))
		case ColFloat64:
			// definition level 1: present; 0: null
			if f := v.Float64(); math.IsNaN(f) {
				pv = parquet.NullValue().Level(0, 0, i)
			} else {
				pv = parquet.DoubleValue(f).Level(0, 1, i)
			}
			out[i] = pv
			continue
		}
		out[i] = pv.Level(0, 0, i)
	}
	t.n++
	if t.n == len(t.rows) {
		return t.flush()
	}
	return nil
}

// flush hands the batch to the parquet writer.
func (t *parquetTable) flush() error {
	if t.n == 0 {
		return nil
	}
	_, err := t.w.WriteRows(t.rows[:t.n])
	t.n = 0
	return err
}

// Close writes the rows still buffered, the last row group and the footer.
func (t *parquetTable) Close() error {
	if t.closed {
		return nil
	}
	t.closed = true
	if err := t.flush(); err != nil {
		return err
	}
	return t.w.Close()
}

// sortedKeys returns m's keys in increasing order.
func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// WriteTableMeta writes meta as the CSV table's sidecar (NAME.csv.meta.json):
// a JSON object with the keys in sorted order, two-space indented,
// ending with a newline. The same meta gives the same bytes.
func WriteTableMeta(w io.Writer, meta map[string]string) error {
	var b bytes.Buffer
	b.WriteString("{")
	for i, k := range sortedKeys(meta) {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString("\n  ")
		kb, err := json.Marshal(k)
		if err != nil {
			return err
		}
		vb, err := json.Marshal(meta[k])
		if err != nil {
			return err
		}
		b.Write(kb)
		b.WriteString(": ")
		b.Write(vb)
	}
	if len(meta) > 0 {
		b.WriteString("\n")
	}
	b.WriteString("}\n")
	_, err := w.Write(b.Bytes())
	return err
}

// orderedGroup is a parquet group node whose fields keep the order of the
// columns (parquet.Group, a map, sorts them by name).
type orderedGroup []Column

// columnNode returns the parquet node of a column of kind k.
func columnNode(k ColumnKind) parquet.Node {
	switch k {
	case ColString:
		return parquet.String()
	case ColInt64:
		return parquet.Int(64)
	case ColUint64:
		return parquet.Uint(64)
	default:
		return parquet.Optional(parquet.Leaf(parquet.DoubleType))
	}
}

// orderedField is one field of an orderedGroup.
type orderedField struct {
	parquet.Node
	name string
}

// Name returns the field's column name.
func (f orderedField) Name() string { return f.name }

// Value returns the field of a struct of the group's GoType (the table
// writers never call it: they write parquet rows).
func (f orderedField) Value(base reflect.Value) reflect.Value {
	for base.Kind() == reflect.Pointer || base.Kind() == reflect.Interface {
		base = base.Elem()
	}
	t := base.Type()
	for i := range t.NumField() {
		if t.Field(i).Tag.Get("parquet") == f.name {
			return base.Field(i)
		}
	}
	return reflect.Value{}
}

func (g orderedGroup) ID() int                     { return 0 }
func (g orderedGroup) String() string              { return fmt.Sprintf("table%v", []Column(g)) }
func (g orderedGroup) Type() parquet.Type          { return parquet.Group{}.Type() }
func (g orderedGroup) Optional() bool              { return false }
func (g orderedGroup) Repeated() bool              { return false }
func (g orderedGroup) Required() bool              { return true }
func (g orderedGroup) Leaf() bool                  { return false }
func (g orderedGroup) Encoding() encoding.Encoding { return nil }
func (g orderedGroup) Compression() compress.Codec { return nil }
func (g orderedGroup) Fields() []parquet.Field {
	fields := make([]parquet.Field, len(g))
	for i, c := range g {
		fields[i] = orderedField{Node: columnNode(c.Kind), name: c.Name}
	}
	return fields
}

// GoType returns a struct type with one field per column, in order,
// tagged with the column's name.
func (g orderedGroup) GoType() reflect.Type {
	fields := make([]reflect.StructField, len(g))
	for i, c := range g {
		fields[i] = reflect.StructField{
			Name: "F" + strconv.Itoa(i),
			Type: columnNode(c.Kind).GoType(),
			Tag:  reflect.StructTag(`parquet:` + strconv.Quote(c.Name)),
		}
	}
	return reflect.StructOf(fields)
}
