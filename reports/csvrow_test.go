package reports

import (
	"bytes"
	"encoding/csv"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestAppendFloatMatchesFormatFloat: appendFloat writes what
// strconv.FormatFloat(v, 'g', -1, 64) writes (NaN: nothing), including
// around its integer path's edges and for random values of every scale.
func TestAppendFloatMatchesFormatFloat(t *testing.T) {
	vals := []float64{0, math.Copysign(0, -1), 1, -1, 0.5, 99999, 100000, 999999, 1e6, -1e6, -999999, 1e6 - 0.5,
		123456, 1234567, 1e21, 1e-5, 1e-4, 5e-324, math.MaxFloat64, math.Inf(1), math.Inf(-1), 2.5e6, 1<<53 + 0.0}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		e := rng.IntN(40) - 20
		v := (rng.Float64()*2 - 1) * math.Pow(10, float64(e))
		vals = append(vals, v, math.Round(v), math.Trunc(v*100)/100)
	}
	for _, v := range vals {
		assert.Equal(t, strconv.FormatFloat(v, 'g', -1, 64), string(appendFloat(nil, v)), "%v", v)
	}
	assert.Empty(t, appendFloat(nil, math.NaN()))
	assert.Equal(t, "", formatFloat(math.NaN()))
}

// TestRowWriterMatchesEncodingCSV: rows written field by field are those
// encoding/csv writes for the same fields formatted as strings, quoting
// included.
func TestRowWriterMatchesEncodingCSV(t *testing.T) {
	strs := []string{"", "a", "gpu:a100", "a,b", `say "hi"`, "line\nbreak", "cr\rx", " lead", "\tlead", `\.`, "ünï", "trail "}
	var want, got bytes.Buffer
	cw := csv.NewWriter(&want)
	rw := newRowWriter(&got)
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range 5000 { // past rowFlushAt, so the buffer is flushed on the way
		s := strs[i%len(strs)]
		v := rng.NormFloat64() * 1000
		if i%7 == 0 {
			v = math.NaN()
		}
		require.NoError(t, cw.Write([]string{strconv.Itoa(i), s, formatFloat(v), s}))
		rw.int(i)
		rw.str(s)
		rw.float(v)
		rw.str(s)
		rw.end()
	}
	cw.Flush()
	rw.Flush()
	require.NoError(t, rw.Error())
	assert.Equal(t, want.String(), got.String())
}

// TestRowWriterFloatMemo: values written again (the memo's hits), values
// whose memo entries collide, and values of every text length are
// written as formatFloat formats them.
func TestRowWriterFloatMemo(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	var vals []float64
	for range 3000 {
		e := rng.IntN(60) - 30
		vals = append(vals, (rng.Float64()*2-1)*math.Pow(10, float64(e)))
	}
	vals = append(vals, -2.2250738585072014e-308, 5e-324, math.MaxFloat64, -math.MaxFloat64, math.Inf(1), math.Inf(-1),
		math.Copysign(0, -1), 0.1, 1e6, -1e6, 0.5, math.NaN())
	var want, got bytes.Buffer
	rw := newRowWriter(&got)
	for i := range 40000 { // several times each value, in a shuffled order
		v := vals[rng.IntN(len(vals))]
		if i%3 == 0 {
			v = vals[i%len(vals)]
		}
		want.WriteString(formatFloat(v) + "\n")
		rw.float(v)
		rw.end()
	}
	rw.Flush()
	require.NoError(t, rw.Error())
	assert.Equal(t, want.String(), got.String())
}
