package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/depinsim/depinsim/reports"
)

// errLocked is lockFolder's error when another process holds the lock.
var errLocked = errors.New("locked")

// outFolder is the output folder of a run or comparison, held from
// before the simulation starts until its files are written: created as
// needed, locked against a second depinsim writing it, checked writable,
// and (with --force) cleared of a previous output.
type outFolder struct {
	dir     string
	lock    *os.File
	made    []string // folders created for the run, innermost first
	cleared int      // files and folders --force removed
	subdirs []string // a comparison's run folders
	ready   bool     // openOutFolder succeeded: what the folder holds of depinsim's output is the run's
}

// openOutFolder prepares the output folder dir before anything is
// simulated, so that a destination that cannot be used is refused at
// once. It creates dir (and missing parents), locks it, refuses it when
// it is not empty unless force is set, and then removes with
// reports.ClearOutput what a previous run or comparison wrote there
// (subdirs are the run folders of a new comparison); last it checks that
// a file can be created in it. Every failure is bad input (exit code 2)
// naming the folder. The caller must call release.
func openOutFolder(dir string, force bool, subdirs []string) (_ *outFolder, err error) {
	o := &outFolder{dir: dir, subdirs: subdirs}
	defer func() {
		if err != nil {
			o.release(false)
		}
	}()
	for attempt := 0; ; attempt++ {
		if err := o.mkdir(); err != nil {
			return nil, badInput("--out %s: cannot create the folder: %v", dir, err)
		}
		f, err := lockFolder(dir)
		if errors.Is(err, errLocked) {
			return nil, badInput("--out %s: another depinsim run or compare is writing this folder (it is locked); wait for it to end or choose another --out", dir)
		}
		if err != nil {
			if errors.Is(err, os.ErrNotExist) && attempt < 3 {
				continue // removed by the run that held it: create it again
			}
			return nil, badInput("--out %s: cannot open the folder: %v", dir, err)
		}
		// the run that held the lock may have removed the folder and
		// another created it again: the lock must be on the folder at dir
		held, err1 := f.Stat()
		now, err2 := os.Stat(dir)
		if err1 == nil && err2 == nil && os.SameFile(held, now) {
			o.lock = f
			break
		}
		f.Close()
		if attempt >= 3 {
			return nil, badInput("--out %s: the folder keeps being removed and created again by another process", dir)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, badInput("--out %s: cannot read the folder: %v", dir, err)
	}
	if len(entries) > 0 && !force {
		if reports.Unfinished(dir) {
			return nil, badInput("--out %s: folder holds the unfinished output of a run that was killed or failed (no %s); use --force to clear it or choose another --out", dir, reports.ManifestFile)
		}
		return nil, badInput("--out %s: folder is not empty; use --force to overwrite or choose another --out", dir)
	}
	if force {
		removed, err := reports.ClearOutput(dir, subdirs)
		o.cleared = len(removed)
		if err != nil {
			return nil, badInput("--out %s: --force cannot clear the previous output: %v", dir, err)
		}
	}
	probe, err := os.CreateTemp(dir, "."+reports.ManifestFile+".tmp-*") // a name --force clears
	if err != nil {
		return nil, badInput("--out %s: cannot write in the folder: %v", dir, err)
	}
	probe.Close()
	if err := os.Remove(probe.Name()); err != nil {
		return nil, badInput("--out %s: cannot remove a file from the folder: %v", dir, err)
	}
	o.ready = true
	return o, nil
}

// mkdir creates dir and its missing parents, noting those it created.
func (o *outFolder) mkdir() error {
	var missing []string
	for d := o.dir; ; {
		if _, err := os.Lstat(d); err == nil || !errors.Is(err, os.ErrNotExist) {
			break
		}
		missing = append(missing, d)
		parent := filepath.Dir(d)
		if parent == d {
			break
		}
		d = parent
	}
	if err := os.MkdirAll(o.dir, 0o755); err != nil {
		return err
	}
	o.made = append(o.made, missing...)
	return nil
}

// release ends the use of the folder. After a failure (done false) it
// first removes what the run or comparison wrote (reports.ClearOutput:
// a failed run has already removed its own files; this removes a
// comparison's finished run folders) and the folders it created, when
// empty; a folder openOutFolder refused is left as it was. It returns
// what the folder holds now, for a message.
func (o *outFolder) release(done bool) string {
	if o.lock == nil {
		return o.dir + " left as it was"
	}
	if !done && o.ready {
		if _, err := reports.ClearOutput(o.dir, o.subdirs); err != nil {
			o.unlock()
			return fmt.Sprintf("%s could not be cleared: %v", o.dir, err)
		}
	}
	if !done {
		for _, d := range o.made {
			os.Remove(d) // only when empty
		}
	}
	o.unlock()
	switch _, err := os.Lstat(o.dir); {
	case done:
		return "kept " + o.dir + "/ (complete)"
	case errors.Is(err, os.ErrNotExist):
		return "nothing kept (" + o.dir + " removed)"
	case o.cleared > 0:
		return "nothing kept; " + o.dir + " has none of its previous output either (--force cleared it before the run)"
	default:
		return "nothing kept; " + o.dir + " holds only what it held before"
	}
}

// unlock releases the folder's lock.
func (o *outFolder) unlock() {
	if o.lock != nil {
		o.lock.Close()
		o.lock = nil
	}
}

// openResumeFolder locks the folder dir of a sweep to resume (--resume):
// it must exist and no other process may hold it. Nothing in it is
// removed; the caller checks what it holds and must call keep.
func openResumeFolder(dir string) (*outFolder, error) {
	st, err := os.Stat(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, badInput("--out %s: no such folder: nothing to resume (run the sweep without --resume)", dir)
	}
	if err != nil {
		return nil, badInput("--out %s: %v", dir, err)
	}
	if !st.IsDir() {
		return nil, badInput("--out %s: not a folder", dir)
	}
	f, err := lockFolder(dir)
	if errors.Is(err, errLocked) {
		return nil, badInput("--out %s: another depinsim process is writing this folder (it is locked); wait for it to end", dir)
	}
	if err != nil {
		return nil, badInput("--out %s: cannot open the folder: %v", dir, err)
	}
	return &outFolder{dir: dir, lock: f}, nil
}

// keep ends the use of the folder leaving what it holds (an interrupted
// sweep's partial output, or a resumed folder after an error).
func (o *outFolder) keep() { o.unlock() }
