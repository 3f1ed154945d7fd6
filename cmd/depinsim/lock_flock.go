//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package main

import (
	"errors"
	"os"
	"syscall"
)

// folderLocking says how lockFolder works here, for the documentation of
// --out.
const folderLocking = "flock"

// lockFolder opens the folder dir and takes an exclusive advisory lock on
// it (flock(2)) without waiting. The lock lives as long as the returned
// file is open and needs no file of its own: closing the file, or the
// process ending however it ends, releases it. When another process (or
// another open file of this one) holds the lock it returns errLocked.
func lockFolder(dir string) (*os.File, error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	for {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if !errors.Is(err, syscall.EINTR) {
			break
		}
	}
	if err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, errLocked
		}
		return nil, err
	}
	return f, nil
}
