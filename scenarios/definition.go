package scenarios

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/BurntSushi/toml"
)

// MaxDefinitionBytes is the largest sweep, sensitivity or calibration file
// ReadDefinition reads.
const MaxDefinitionBytes = 1 << 20

// ReadDefinition reads the file at path that defines a sweep, a
// sensitivity analysis or a calibration (what names it in errors: "sweep
// file"), and returns its text and its name (the file's name without its
// extension). Every error is an *Error naming the file: it does not
// exist, is not a regular file, or is larger than MaxDefinitionBytes.
func ReadDefinition(path, what string) (data []byte, name string, err error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, "", &Error{File: path, Msg: fmt.Sprintf("cannot read the %s: %v", what, unwrapPathError(err))}
	}
	if !fi.Mode().IsRegular() {
		return nil, "", &Error{File: path, Msg: fmt.Sprintf("the %s must be a regular file", what)}
	}
	if fi.Size() > MaxDefinitionBytes {
		return nil, "", &Error{File: path, Msg: fmt.Sprintf("the %s is %d bytes; at most 1 MiB", what, fi.Size())}
	}
	data, err = os.ReadFile(path)
	if err != nil {
		return nil, "", &Error{File: path, Msg: fmt.Sprintf("cannot read the %s: %v", what, unwrapPathError(err))}
	}
	return data, strings.TrimSuffix(filepath.Base(path), filepath.Ext(path)), nil
}

// unwrapPathError drops the path an *os.PathError repeats.
func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// OpenBase reads the base scenario a sweep, sensitivity or calibration
// file names: the file at base (relative to dir, the definition file's
// folder) when it exists, otherwise the preset of that name. The error
// names both and lists the presets.
func OpenBase(dir, base string) (Source, error) {
	path := base
	if !filepath.IsAbs(path) {
		path = filepath.Join(dir, base)
	}
	if _, err := os.Stat(path); err == nil {
		return Open(path)
	}
	if data, ok := PresetData(base); ok {
		return Source{Name: base, Preset: true, Data: data}, nil
	}
	return Source{}, fmt.Errorf("%q: no file %s and no preset of that name (presets: %s)", base, path, strings.Join(Presets(), ", "))
}

// DecodeDefinition decodes the TOML text data of a sweep, sensitivity or
// calibration file (label names it in errors) into v, strictly: a syntax
// error is an *Error with its line, and a key v has no field for an
// *Error naming the key and listing allowed, unless free reports that the
// key lies inside a value where any TOML is allowed (nil: nowhere).
func DecodeDefinition(label string, data []byte, v any, allowed string, free func(toml.Key) bool) error {
	md, err := toml.NewDecoder(bytes.NewReader(data)).Decode(v)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return &Error{File: label, Line: pe.Position.Line, Msg: pe.Message}
		}
		return &Error{File: label, Msg: err.Error()}
	}
	for _, k := range md.Undecoded() {
		if free != nil && free(k) {
			continue
		}
		return &Error{File: label, Key: k.String(), Msg: "unknown key (allowed: " + allowed + ")"}
	}
	return nil
}
