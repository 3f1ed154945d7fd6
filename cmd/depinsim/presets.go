package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/depinsim/depinsim/scenarios"
)

const presetsUsage = `Usage: depinsim presets

Lists the built-in presets (run one with 'depinsim run NAME').
`

func cmdPresets(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("presets", presetsUsage, stderr, stdout)
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	for _, name := range scenarios.Presets() {
		sc, err := scenarios.Load(name, nil)
		desc := ""
		if err == nil {
			desc = sc.Description
		} else {
			desc = "INVALID: " + err.Error()
		}
		mark := ""
		if name == scenarios.DefaultPreset {
			mark = " (default)"
		}
		fmt.Fprintf(tw, "%s%s\t%s\n", name, mark, desc)
	}
	return tw.Flush()
}
