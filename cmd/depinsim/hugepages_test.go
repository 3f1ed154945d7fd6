package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestHugeHeapBytes checks DEPINSIM_HUGEPAGES: unset gives the default,
// off and none give no advice, a size gives that size, anything else is
// an error naming the variable and the value.
func TestHugeHeapBytes(t *testing.T) {
	env := func(v string) func(string) string {
		return func(k string) string {
			if k == envHugePages {
				return v
			}
			return ""
		}
	}
	const memory = 4 << 30
	for v, want := range map[string]int64{
		"": defaultHugeHeap, " ": defaultHugeHeap, "off": 0, "OFF": 0, "none": 0,
		"512MiB": 512 << 20, "1GiB": 1 << 30, "300MB": 300e6, "4GiB": memory,
	} {
		n, err := hugeHeapBytes(env(v), memory)
		require.NoError(t, err, "%q", v)
		require.Equal(t, want, n, "%q", v)
	}
	// the default takes at most half a small machine's memory; a size
	// above the memory, which the kernel would refuse to map, is refused
	n, err := hugeHeapBytes(env(""), 256<<20)
	require.NoError(t, err)
	require.Equal(t, int64(128<<20), n)
	_, err = hugeHeapBytes(env("5GiB"), memory)
	require.ErrorContains(t, err, envHugePages)
	require.ErrorContains(t, err, "4.0 GiB")
	n, err = hugeHeapBytes(env("5GiB"), 0)
	require.NoError(t, err, "memory unknown")
	require.Equal(t, int64(5<<30), n)
	for _, v := range []string{"on", "-1", "2 parsecs", "0"} {
		_, err := hugeHeapBytes(env(v), memory)
		require.Error(t, err, "%q", v)
		require.ErrorContains(t, err, envHugePages)
		require.ErrorContains(t, err, "\""+v+"\"")
		_, err = heapToAdvise([]string{"version"}, env(v), memory)
		require.ErrorContains(t, err, envHugePages, "a bad value is an error for every command")
	}
}

// TestAdvisesHugePages checks which commands get the huge-page heap: the
// ones that simulate or draw a run folder's charts, and only commands
// that exist.
func TestAdvisesHugePages(t *testing.T) {
	var got []string
	for name := range commands {
		if advisesHugePages(name) {
			got = append(got, name)
		}
	}
	require.ElementsMatch(t, []string{"run", "compare", "sweep", "merge", "sensitivity", "calibrate", "report", "check"}, got)
	for _, name := range []string{"", "help", "validate", "presets", "show", "version"} {
		require.False(t, advisesHugePages(name), name)
	}
}

// TestHeapToAdvise checks which command lines get the heap advised: the
// commands that simulate, unless an allocation profile is asked for
// (whose figures the page size does not change, and which would count
// the heap mapped for the advice).
func TestHeapToAdvise(t *testing.T) {
	env := map[string]string{}
	getenv := func(k string) string { return env[k] }
	const memory = 4 << 30
	for args, want := range map[string]int64{
		"run akash-2024": defaultHugeHeap, "sweep s.toml": defaultHugeHeap,
		"validate akash-2024": 0, "version": 0, "": 0,
	} {
		n, err := heapToAdvise(strings.Fields(args), getenv, memory)
		require.NoError(t, err)
		require.Equal(t, want, n, "%q", args)
	}
	env[envMemProfile] = "/tmp/x.mem"
	n, err := heapToAdvise([]string{"run"}, getenv, memory)
	require.NoError(t, err)
	require.Zero(t, n, "with an allocation profile")
	env[envHugePages] = "1GiB"
	delete(env, envMemProfile)
	n, err = heapToAdvise([]string{"run"}, getenv, memory)
	require.NoError(t, err)
	require.Equal(t, int64(1<<30), n)
}
