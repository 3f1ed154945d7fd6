package main

import (
	"bytes"
	"context"
	"io"
	"regexp"

	"github.com/depinsim/depinsim/scenarios"
)

const showUsage = `Usage: depinsim show PRESET

Prints a preset's TOML, comments included, to start a new scenario from:
  depinsim show akash-2024 > my.toml
The preset's name is printed commented out: a scenario file without a
name is named after its file ("my"), and its runs go to out/my.
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
	_, err := stdout.Write(commentName(data))
	return err
}

// topName matches the top-level name line of a preset.
var topName = regexp.MustCompile(`(?m)^name = .*$`)

// commentName comments out the preset's top-level name: a copy saved as
// my.toml is then named "my" (a scenario file without a name is named
// after its file), not after the preset, and writes to out/my.
func commentName(data []byte) []byte {
	loc := topName.FindIndex(data)
	if loc == nil || bytes.Contains(data[:loc[0]], []byte("\n[")) {
		return data
	}
	line := data[loc[0]:loc[1]]
	var b bytes.Buffer
	b.Write(data[:loc[0]])
	b.WriteString("# name: without one, the scenario is named after its file (my.toml: \"my\"),\n# which names its output folder (out/my). The preset's own:\n# ")
	b.Write(line)
	b.Write(data[loc[1]:])
	return b.Bytes()
}
