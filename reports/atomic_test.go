package reports

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	require.NoError(t, err)
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

func TestWriteFileAtomicWrites(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.txt")
	require.NoError(t, WriteFileAtomic(path, func(w io.Writer) error {
		_, err := io.WriteString(w, "hello\n")
		return err
	}))
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "hello\n", string(b))
	assert.Equal(t, []string{"out.txt"}, dirNames(t, dir), "no temp file left")
	fi, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o644), fi.Mode().Perm())

	// Replacing keeps one file with the new content.
	require.NoError(t, WriteFileAtomic(path, func(w io.Writer) error {
		_, err := io.WriteString(w, "bye\n")
		return err
	}))
	b, err = os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "bye\n", string(b))
	assert.Equal(t, []string{"out.txt"}, dirNames(t, dir))
}

func TestWriteFileAtomicFailureLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.txt")
	boom := errors.New("boom")
	err := WriteFileAtomic(path, func(w io.Writer) error {
		_, _ = io.WriteString(w, "partial")
		return boom
	})
	require.ErrorIs(t, err, boom)
	assert.Contains(t, err.Error(), path)
	assert.NoFileExists(t, path)
	assert.Empty(t, dirNames(t, dir), "no temp file left")
}

func TestWriteFileAtomicFailureKeepsOldFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.txt")
	require.NoError(t, os.WriteFile(path, []byte("old"), 0o644))
	err := WriteFileAtomic(path, func(w io.Writer) error {
		_, _ = io.WriteString(w, "new but broken")
		return errors.New("boom")
	})
	require.Error(t, err)
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "old", string(b))
	assert.Equal(t, []string{"out.txt"}, dirNames(t, dir))
}

func TestWriteFileAtomicPanicLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.txt")
	assert.Panics(t, func() {
		_ = WriteFileAtomic(path, func(w io.Writer) error { panic("bug") })
	})
	assert.Empty(t, dirNames(t, dir))
}

func TestWriteFileAtomicMissingDir(t *testing.T) {
	err := WriteFileAtomic(filepath.Join(t.TempDir(), "nope", "out.txt"), func(w io.Writer) error { return nil })
	require.Error(t, err)
}

func TestDeferDirSyncsNestsAndEnds(t *testing.T) {
	dir := t.TempDir()
	sub := filepath.Join(dir, "plots")
	if dirSyncDeferred(dir) {
		t.Fatalf("%s deferred before any deferral", dir)
	}
	endA := deferDirSyncs(dir, sub)
	endB := deferDirSyncs(dir + "/")
	if !dirSyncDeferred(dir) || !dirSyncDeferred(sub+"/.") {
		t.Fatalf("deferral of %s and %s not seen", dir, sub)
	}
	endA()
	endA() // a second call does nothing
	if !dirSyncDeferred(dir) {
		t.Fatalf("%s no longer deferred while a second deferral is open", dir)
	}
	if dirSyncDeferred(sub) {
		t.Fatalf("%s still deferred after its only deferral ended", sub)
	}
	endB()
	if dirSyncDeferred(dir) {
		t.Fatalf("%s still deferred after both deferrals ended", dir)
	}
	// files are still written whole and in place during a deferral
	end := deferDirSyncs(dir)
	defer end()
	p := filepath.Join(dir, "a.txt")
	if err := WriteFileAtomic(p, func(w io.Writer) error { _, err := io.WriteString(w, "x"); return err }); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(p); err != nil || string(b) != "x" {
		t.Fatalf("%s = %q, %v; want \"x\"", p, b, err)
	}
}
