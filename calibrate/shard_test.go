package calibrate

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// readTree returns every file under dir by its relative path.
func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		out[rel] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func sameTree(t *testing.T, a, b string) {
	t.Helper()
	ta, tb := readTree(t, a), readTree(t, b)
	for name, x := range ta {
		y, ok := tb[name]
		if !ok {
			t.Errorf("%s: missing from %s", name, b)
		} else if !bytes.Equal(x, y) {
			t.Errorf("%s differs between %s and %s", name, a, b)
		}
	}
	for name := range tb {
		if _, ok := ta[name]; !ok {
			t.Errorf("%s: only in %s", name, b)
		}
	}
}

// runShards runs c in n shards into dirs under root and returns them.
func runShards(t *testing.T, c *Calibration, root string, n int) []string {
	t.Helper()
	var dirs []string
	for i := 1; i <= n; i++ {
		d := filepath.Join(root, "shard"+string(rune('0'+i)))
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		res, err := Run(context.Background(), c, Options{Workers: 2, Journal: filepath.Join(d, JournalFile), Shard: i, Shards: n})
		if err != nil {
			t.Fatal(err)
		}
		if err := WriteShard(d, res, i, n); err != nil {
			t.Fatal(err)
		}
		dirs = append(dirs, d)
	}
	return dirs
}

func TestShardMergeEqualsUnsharded(t *testing.T) {
	calls := 0
	withHook(t, func(x []float64, s uint64) ([]float64, error) { calls++; return analytic(x, s) })
	c, err := Parse("cal.toml", ".", "cal", []byte(calText(2, 1.5, 4, 4, 3, "starts = 3\nprofile = 2")), nil)
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	whole := filepath.Join(root, "whole")
	os.Mkdir(whole, 0o755)
	ref, err := Run(context.Background(), c, Options{Workers: 2, Journal: filepath.Join(whole, JournalFile)})
	if err != nil {
		t.Fatal(err)
	}
	if err := Write(whole, ref, false, nil); err != nil {
		t.Fatal(err)
	}
	dirs := runShards(t, c, root, 2)
	// given in reverse order: the merge sorts them
	journals, err := ShardJournals(c, []string{dirs[1], dirs[0]})
	if err != nil {
		t.Fatal(err)
	}
	merged := filepath.Join(root, "merged")
	os.Mkdir(merged, 0o755)
	calls = 0
	res, err := Run(context.Background(), c, Options{Workers: 3, Journal: filepath.Join(merged, JournalFile), ShardJournals: journals})
	if err != nil {
		t.Fatal(err)
	}
	// only the check (8 replications) and the profile run again
	nprof := 0
	for _, e := range res.Evals {
		if e.Phase == PhaseProfile {
			nprof++
		}
	}
	if want := c.CheckReplications + nprof*c.Replications; calls > want {
		t.Errorf("the merge ran %d replications, want at most %d (the check and the profile)", calls, want)
	}
	if err := Write(merged, res, false, nil); err != nil {
		t.Fatal(err)
	}
	sameTree(t, whole, merged)

	// a missing shard, a shard twice, a shard of another seed
	var me *MergeError
	if _, err := ShardJournals(c, dirs[:1]); !errors.As(err, &me) || !strings.Contains(err.Error(), "missing shard(s) 2 of 2") {
		t.Errorf("one shard of two: %v", err)
	}
	if _, err := ShardJournals(c, []string{dirs[0], dirs[0], dirs[1]}); !errors.As(err, &me) || !strings.Contains(err.Error(), "given twice") {
		t.Errorf("a shard twice: %v", err)
	}
	c2, err := Parse("cal.toml", ".", "cal", []byte(calText(2, 1.5, 4, 4, 4, "starts = 3\nprofile = 2")), nil)
	if err != nil {
		t.Fatal(err)
	}
	other := runShards(t, c2, filepath.Join(root, "other"), 2)
	if _, err := ShardJournals(c, []string{dirs[0], other[1]}); !errors.As(err, &me) || !strings.Contains(err.Error(), "master_seed 4 (not 3)") || !strings.Contains(err.Error(), other[1]) {
		t.Errorf("a shard of another seed: %v", err)
	}
	if _, err := ShardJournals(c, []string{root}); !errors.As(err, &me) || !strings.Contains(err.Error(), "not a calibration shard folder") {
		t.Errorf("not a shard: %v", err)
	}
	// a shard whose journal lacks evaluations is refused in the replay
	os.WriteFile(filepath.Join(dirs[1], JournalFile), nil, 0o644)
	journals, _ = ShardJournals(c, dirs)
	if _, err := Run(context.Background(), c, Options{Workers: 2, ShardJournals: journals}); err == nil || !strings.Contains(err.Error(), "in no shard's journal") {
		t.Errorf("an emptied shard journal: %v", err)
	}
}
