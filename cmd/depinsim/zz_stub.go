package main

// TEMPORARY: replaced by the output writers of 'depinsim check'; removed at merge.

import (
	"io"

	"github.com/depinsim/depinsim/assertion"
)

func writeCheckTable(w io.Writer, scs []checkedScenario)                  {}
func writeGitHub(w io.Writer, summary io.Writer, scs []checkedScenario)   {}
func writeJUnit(w io.Writer, scs []checkedScenario, version string) error { return nil }
func reproduceCommand(sc checkedScenario, r assertion.Result) string      { return "" }
