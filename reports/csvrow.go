package reports

import (
	"bytes"
	"encoding/csv"
	"io"
	"math"
	"strconv"
	"unicode"
	"unicode/utf8"
)

// rowWriter writes CSV rows as encoding/csv's Writer does (comma
// separated, quoted only where needed, "\n" line ends), byte for byte,
// but formats numbers straight into its buffer: the data files of a run
// have millions of numeric fields, and a string per field cost more
// than the simulation's sampling.
type rowWriter struct {
	w     io.Writer
	buf   []byte
	start bool  // no field yet on the current line
	err   error // the first write error
	// quoted caches the written form of string fields that need quotes.
	quoted map[string]string
	// floats remembers the text of recently written non-integer values
	// (nil until the first): a run's columns repeat values from one
	// sample to the next (a third to a half of them in an hourly run),
	// and copying their text costs a fraction of formatting them again.
	floats *floatMemo
}

// floatMemo is a direct-mapped cache of the text appendFloat gives
// values, by their bits.
type floatMemo [floatMemoSize]floatText

// floatMemoBits sets the number of floatMemo entries, floatMemoSize.
const (
	floatMemoBits = 10
	floatMemoSize = 1 << floatMemoBits
)

// floatText is a value's bits and its text (n bytes of text; n == 0: an
// empty entry, as no value's text is empty).
type floatText struct {
	bits uint64
	n    uint8
	text [24]byte // the longest 'g' form, "-2.2250738585072014e-308", has 24
}

// rowFlushAt is the size at which a rowWriter hands its buffer to w.
const rowFlushAt = 32 << 10

// newRowWriter returns a rowWriter writing to w.
func newRowWriter(w io.Writer) *rowWriter {
	return &rowWriter{w: w, buf: make([]byte, 0, rowFlushAt+1024), start: true}
}

// sep starts a field: a comma unless it is the line's first.
func (r *rowWriter) sep() {
	if !r.start {
		r.buf = append(r.buf, ',')
	}
	r.start = false
}

// float writes v as formatFloat does (NaN: an empty field).
func (r *rowWriter) float(v float64) {
	r.sep()
	if math.IsNaN(v) || v > -1e6 && v < 1e6 && v == math.Trunc(v) {
		r.buf = appendFloat(r.buf, v) // nothing, or appendFloat's fast paths
		return
	}
	if r.floats == nil {
		r.floats = new(floatMemo)
	}
	bits := math.Float64bits(v)
	e := &r.floats[(bits*0x9E3779B97F4A7C15)>>(64-floatMemoBits)]
	if e.n != 0 && e.bits == bits {
		r.buf = append(r.buf, e.text[:e.n]...)
		return
	}
	start := len(r.buf)
	r.buf = appendFloat(r.buf, v)
	if n := len(r.buf) - start; n <= len(e.text) {
		e.bits, e.n = bits, uint8(n)
		copy(e.text[:], r.buf[start:])
	}
}

// int writes v in decimal.
func (r *rowWriter) int(v int) {
	r.sep()
	r.buf = strconv.AppendInt(r.buf, int64(v), 10)
}

// str writes s, quoted as encoding/csv quotes it when it needs quotes.
func (r *rowWriter) str(s string) {
	r.sep()
	if !fieldNeedsQuotes(s) {
		r.buf = append(r.buf, s...)
		return
	}
	q, ok := r.quoted[s]
	if !ok {
		var b bytes.Buffer
		cw := csv.NewWriter(&b)
		_ = cw.Write([]string{s}) // a bytes.Buffer does not fail
		cw.Flush()
		q = string(bytes.TrimSuffix(b.Bytes(), []byte("\n")))
		if r.quoted == nil {
			r.quoted = map[string]string{}
		}
		r.quoted[s] = q
	}
	r.buf = append(r.buf, q...)
}

// strs writes each of fields as str does.
func (r *rowWriter) strs(fields []string) {
	for _, f := range fields {
		r.str(f)
	}
}

// end ends the line, handing the buffer to w once it is large.
func (r *rowWriter) end() {
	r.buf = append(r.buf, '\n')
	r.start = true
	if len(r.buf) >= rowFlushAt {
		r.Flush()
	}
}

// Flush writes the buffered lines to w.
func (r *rowWriter) Flush() {
	if len(r.buf) > 0 && r.err == nil {
		_, r.err = r.w.Write(r.buf)
	}
	r.buf = r.buf[:0]
}

// Error returns the first error writing to w.
func (r *rowWriter) Error() error { return r.err }

// fieldNeedsQuotes reports whether encoding/csv's Writer (comma ',')
// quotes field.
func fieldNeedsQuotes(field string) bool {
	if field == "" {
		return false
	}
	if field == `\.` {
		return true
	}
	for i := 0; i < len(field); i++ {
		c := field[i]
		if c == '\n' || c == '\r' || c == '"' || c == ',' {
			return true
		}
	}
	r1, _ := utf8.DecodeRuneInString(field)
	return unicode.IsSpace(r1)
}

// appendFloat appends v to b as formatFloat formats it: the shortest form
// that reads back exactly ('g'), NaN as nothing. Whole numbers below 1e6
// in magnitude, whose shortest 'g' form is their decimal integer, take
// the integer path.
func appendFloat(b []byte, v float64) []byte {
	if math.IsNaN(v) {
		return b
	}
	if v > -1e6 && v < 1e6 && v == math.Trunc(v) && (v != 0 || !math.Signbit(v)) {
		return strconv.AppendInt(b, int64(v), 10)
	}
	return strconv.AppendFloat(b, v, 'g', -1, 64)
}
