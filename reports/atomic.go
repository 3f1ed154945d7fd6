package reports

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// WriteFileAtomic writes the file at path with the bytes write produces.
// It writes to a temporary file in the same directory, flushes and fsyncs
// it, then renames it over path, so path holds either its previous
// content or the complete new content. If write or any step fails, the
// temporary file is removed, path is left untouched and the error is
// returned. The file is created with mode 0644.
func WriteFileAtomic(path string, write func(w io.Writer) error) (err error) {
	f, err := createTemp(path)
	if err != nil {
		return err
	}
	done := false
	defer func() {
		// Runs on errors and on panics in write.
		if !done {
			f.abort()
		}
	}()
	if err := write(f.w); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	done = true
	return f.commit()
}

// tempFile is a file being written under a temporary name next to its
// final path: commit puts it in place, abort removes it.
type tempFile struct {
	path string // the final path
	tmp  string // the temporary file's path
	f    *os.File
	w    *bufio.Writer
}

// createTemp creates the temporary file of path, in path's directory.
func createTemp(path string) (*tempFile, error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, tempPrefix(base)+"*")
	if err != nil {
		return nil, fmt.Errorf("write %s: %w", path, err)
	}
	return &tempFile{path: path, tmp: f.Name(), f: f, w: bufio.NewWriterSize(f, 64<<10)}, nil
}

// tempPrefix returns how the names of base's temporary files start:
// ".BASE.tmp-", followed by the decimal digits os.CreateTemp draws.
func tempPrefix(base string) string { return "." + base + ".tmp-" }

// TempBase returns the name of the file a temporary file named name
// stands for (".BASE.tmp-N" gives BASE) and true; for any other name it
// returns "" and false. A temporary file is left behind only when the
// process writing it was killed.
func TempBase(name string) (string, bool) {
	if !strings.HasPrefix(name, ".") {
		return "", false
	}
	i := strings.LastIndex(name, ".tmp-")
	if i < 2 {
		return "", false
	}
	digits := name[i+len(".tmp-"):]
	if digits == "" || strings.Trim(digits, "0123456789") != "" {
		return "", false
	}
	return name[1:i], true
}

// commit flushes and fsyncs the file, gives it mode 0644 and renames it
// to its final path. On failure the temporary file is removed.
func (t *tempFile) commit() error {
	if err := t.finish(); err != nil {
		return err
	}
	if err := os.Rename(t.tmp, t.path); err != nil {
		t.abort()
		return fmt.Errorf("write %s: %w", t.path, err)
	}
	syncDir(filepath.Dir(t.path))
	return nil
}

// finish flushes and fsyncs the file, gives it mode 0644 and closes it,
// under its temporary name. On failure the temporary file is removed.
func (t *tempFile) finish() error {
	fail := func(err error) error {
		t.abort()
		return fmt.Errorf("write %s: %w", t.path, err)
	}
	if err := t.w.Flush(); err != nil {
		return fail(err)
	}
	if err := t.f.Chmod(0o644); err != nil {
		return fail(err)
	}
	if err := t.f.Sync(); err != nil {
		return fail(err)
	}
	if err := t.f.Close(); err != nil {
		return fail(err)
	}
	return nil
}

// abort closes and removes the temporary file.
func (t *tempFile) abort() {
	t.f.Close()
	os.Remove(t.tmp)
}

// syncDir makes a rename in dir durable where the platform supports it,
// unless dir's syncs are deferred (deferDirSyncs): the sync that ends the
// deferral then covers the rename. Failure is ignored: the file itself is
// already complete.
func syncDir(dir string) {
	if dirSyncDeferred(dir) {
		return
	}
	fsyncDir(dir)
}

// deferredDirs counts, per cleaned folder path, the deferDirSyncs calls
// not yet ended.
var deferredDirs struct {
	sync.Mutex
	n map[string]int
}

// dirSyncDeferred reports whether dir's syncs are deferred.
func dirSyncDeferred(dir string) bool {
	deferredDirs.Lock()
	defer deferredDirs.Unlock()
	return deferredDirs.n[filepath.Clean(dir)] > 0
}

// deferDirSyncs defers the folder syncs of the files committed in dirs
// until the returned function is called, which syncs each of dirs once:
// a folder of many files written one after the other is then synced once
// instead of after every file. Every file is still synced itself before
// its rename; only the durability of the renames waits for the returned
// function, which is to be called before anything that must only be seen
// after them (a run folder's manifest.json).
func deferDirSyncs(dirs ...string) (end func()) {
	deferredDirs.Lock()
	if deferredDirs.n == nil {
		deferredDirs.n = make(map[string]int)
	}
	for _, d := range dirs {
		deferredDirs.n[filepath.Clean(d)]++
	}
	deferredDirs.Unlock()
	done := false
	return func() {
		if done {
			return
		}
		done = true
		deferredDirs.Lock()
		for _, d := range dirs {
			d = filepath.Clean(d)
			if deferredDirs.n[d]--; deferredDirs.n[d] <= 0 {
				delete(deferredDirs.n, d)
			}
		}
		deferredDirs.Unlock()
		for _, d := range dirs {
			fsyncDir(d)
		}
	}
}

// fsyncDir syncs the folder dir; failure is ignored.
func fsyncDir(dir string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	_ = d.Sync()
	d.Close()
}
