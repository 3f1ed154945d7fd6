//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package main

import "os"

// folderLocking says how lockFolder works here, for the documentation of
// --out.
const folderLocking = "none"

// lockFolder opens the folder dir. On this system (Windows among others)
// it takes no lock: the standard library has no advisory lock on a
// folder, and depinsim adds no dependency for one. Two runs into one
// folder at once are then not detected; docs/outputs.md says so.
func lockFolder(dir string) (*os.File, error) {
	return os.Open(dir)
}
