package scenarios

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const assertBase = `name = "a"
[resources]
reference_usd_hour = { cpu = 0.04, memory_gb = 0.005, h100 = 2.49 }
[[providers]]
name = "big"
[[tenants]]
name = "t"
`

// TestAssertEntries: [[assert]] entries are parsed and compiled against
// the scenario's resources and cohorts; a bad entry is an *Error naming
// the entry's key and the file's line; --set changes an entry by name;
// the resolved TOML parses back to the same entries.
func TestAssertEntries(t *testing.T) {
	good := assertBase + `
[[assert]]
name = "h100"
metric = "resource_utilization"
resource = "gpu:h100"
stat = "p95"
from = "2024-04-01"
max = 1

[[assert]]
name = "big-cohort"
metric = "cohort_gpus"
cohort = "big"
stat = "final"
min = 0
`
	sc, err := Parse(Source{Name: "a.toml", Data: []byte(good)}, nil)
	require.NoError(t, err)
	as, err := sc.Assertions()
	require.NoError(t, err)
	require.Len(t, as, 2)
	assert.Equal(t, "resource_utilization[gpu:h100]", as[0].MetricLabel())
	ctx, err := sc.AssertionContext()
	require.NoError(t, err)
	assert.Equal(t, []string{"cpu", "memory_gb", "gpu:h100"}, ctx.Resources)
	assert.Equal(t, []string{"big"}, ctx.Cohorts)

	again, err := Parse(Source{Name: "resolved.toml", Data: sc.TOML()}, nil)
	require.NoError(t, err)
	assert.Equal(t, sc.Assert, again.Assert, "the resolved TOML keeps the entries")

	set, err := Parse(Source{Name: "a.toml", Data: []byte(good)}, []string{"assert.h100.max=0.5", "assert.big-cohort.across=ci"})
	require.NoError(t, err)
	assert.Equal(t, 0.5, *set.Assert[0].Max)
	assert.Equal(t, "ci", set.Assert[1].Across)

	for _, c := range []struct {
		name, text string
		sets       []string
		key, want  string
		line       bool // the error names the file's line
	}{
		{"unknown model", strings.Replace(good, `"gpu:h100"`, `"gpu:a100"`, 1), nil, "assert[0].resource", "gpu:h100", true},
		{"unknown cohort", strings.Replace(good, `cohort = "big"`, `cohort = "small"`, 1), nil, "assert[1].cohort", "big", true},
		{"date before the start", strings.Replace(good, "2024-04-01", "2020-01-01", 1), nil, "assert[0].from", "2020-01-01", true},
		{"unknown key", good + "colour = 1\n", nil, "assert[1].colour", "allowed", true},
		{"bad --set", good, []string{"assert.h100.stat=average"}, "assert[0].stat", "average", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse(Source{Name: "a.toml", Data: []byte(c.text)}, c.sets)
			require.Error(t, err)
			var e *Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, c.key, e.Key, err.Error())
			assert.Contains(t, err.Error(), c.want)
			if c.line {
				assert.Positive(t, e.Line, err.Error())
			}
		})
	}
}

// TestPresetsAssert: every preset ships at least three assertions, each
// with a message, and they compile.
func TestPresetsAssert(t *testing.T) {
	for _, p := range Presets() {
		sc, err := Load(p, nil)
		require.NoError(t, err, p)
		assert.GreaterOrEqual(t, len(sc.Assert), 3, p)
		for _, a := range sc.Assert {
			assert.NotEmpty(t, a.Message, "%s: %s", p, a.Name)
		}
	}
}
