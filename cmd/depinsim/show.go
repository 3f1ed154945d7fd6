package main

import (
	"context"
	"io"

	"github.com/depinsim/depinsim/scenarios"
)

const showUsage = `Usage: depinsim show PRESET

Prints a preset's TOML, comments included, to start a new scenario from:
  depinsim show akash-2024 > my.toml
`

func cmdShow(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("show", showUsage, stderr, stdout)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return badInput("want one preset name (presets: %v)", scenarios.Presets())
	}
	data, ok := scenarios.PresetData(fs.Arg(0))
	if !ok {
		return badInput("no preset %q (presets: %v)", fs.Arg(0), scenarios.Presets())
	}
	_, err := stdout.Write(data)
	return err
}
