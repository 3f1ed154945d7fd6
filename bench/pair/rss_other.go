//go:build !linux

package main

import "os"

// maxRSSMiB is unknown outside Linux (the tables print 0).
func maxRSSMiB(*os.ProcessState) float64 { return 0 }
