package main

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCheckGitHubAction is a line-based sanity check of the composite
// action at the repository root (action.yml): no tabs (YAML forbids them
// in indentation), every input the steps use is declared and every
// declared input is used, and the steps install depinsim, run 'check'
// with --format github and --junit, and upload the report even when the
// check failed.
func TestCheckGitHubAction(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "action.yml"))
	require.NoError(t, err)
	text := string(data)
	require.NotContains(t, text, "\t", "action.yml: YAML indentation cannot hold tabs")

	declared := map[string]bool{}
	in := false
	for _, l := range strings.Split(text, "\n") {
		switch {
		case l == "inputs:":
			in = true
		case in && l != "" && !strings.HasPrefix(l, " ") && !strings.HasPrefix(l, "#"):
			in = false
		case in && len(l) > 3 && l[:2] == "  " && l[2] != ' ' && strings.HasSuffix(l, ":"):
			declared[strings.TrimSuffix(l[2:], ":")] = true
		}
	}
	used := map[string]bool{}
	for _, m := range regexp.MustCompile(`\$\{\{\s*inputs\.([A-Za-z0-9_-]+)\s*\}\}`).FindAllStringSubmatch(text, -1) {
		used[m[1]] = true
	}
	assert.Equal(t, actionKeys(declared), actionKeys(used), "inputs declared vs inputs used in action.yml")
	for _, want := range []string{"version", "scenarios", "reps", "baseline", "junit", "args"} {
		assert.True(t, declared[want], "action.yml declares the input %s", want)
	}
	assert.Regexp(t, `(?m)^  using: composite$`, text)
	assert.Contains(t, text, "uses: actions/setup-go@")
	assert.Contains(t, text, `go install "github.com/depinsim/depinsim/cmd/depinsim@${DEPINSIM_VERSION}"`)
	assert.Contains(t, text, "DEPINSIM_VERSION: ${{ inputs.version }}")
	assert.Contains(t, text, "--format github --junit")
	assert.Contains(t, text, "uses: actions/upload-artifact@")
	assert.Regexp(t, `(?m)^    - name: Upload the JUnit report\n      if: always\(\)$`, text)
	// Every run step says its shell (a composite action requires it).
	assert.Equal(t, strings.Count(text, "\n      run: "), strings.Count(text, "\n      shell: bash"))
}

func actionKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
