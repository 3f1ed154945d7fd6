package scenarios

import (
	"bytes"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxNameBytes caps a scenario's name, which names its output folder.
const MaxNameBytes = 100

// nameRule says which names are allowed, for error messages.
const nameRule = `allowed: 1 to 100 bytes of printable UTF-8 text, no / \ : * ? " < > |, not . or .., no space at either end or dot at the end, not a Windows device name such as CON, NUL, COM1 or LPT1`

// windowsDevice matches the names Windows reserves for devices, with or
// without an extension.
var windowsDevice = regexp.MustCompile(`(?i)^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$`)

// checkName reports why name cannot name a folder on Linux, macOS and
// Windows, or "" when it can.
func checkName(name string) string {
	switch {
	case name == "" || strings.TrimSpace(name) == "":
		return "it is empty"
	case len(name) > MaxNameBytes:
		return fmt.Sprintf("it is %d bytes long", len(name))
	case !utf8.ValidString(name):
		return "it is not valid UTF-8"
	case name == "." || name == "..":
		return "it is " + name
	case strings.ContainsAny(name, `/\:*?"<>|`):
		return "it holds one of / \\ : * ? \" < > |"
	case strings.TrimSpace(name) != name:
		return "it starts or ends with a space"
	case strings.HasSuffix(name, "."):
		return "it ends with a dot"
	case windowsDevice.MatchString(name):
		return "it is a device name on Windows"
	}
	for _, r := range name {
		if !unicode.IsPrint(r) && r != ' ' {
			return "it holds a control or non-printing character"
		}
	}
	if !filepath.IsLocal(name) {
		return "it is not a plain file name"
	}
	return ""
}

// validateName checks the scenario's name; from says where an unwritten
// name came from ("" when the file writes it).
func validateName(name, from string) error {
	why := checkName(name)
	if why == "" {
		return nil
	}
	msg := fmt.Sprintf("must be usable as a folder name, but %s; got %s (%s)", why, quoteValue(name), nameRule)
	if from != "" {
		msg += "; the name was taken from " + from + ": write name = \"...\" to choose one"
	}
	return &Error{Key: "name", Msg: msg}
}

// fileStem is a scenario file's name without folder and extension: the
// default name of a scenario file that does not write one.
func fileStem(path string) string {
	base := filepath.Base(path)
	if ext := filepath.Ext(base); ext != "" && ext != base {
		base = strings.TrimSuffix(base, ext)
	}
	return base
}

// checkText refuses a scenario that is not UTF-8 text: empty, UTF-16 (a
// byte-order mark or NUL bytes between ASCII), binary (NUL bytes or
// invalid UTF-8). The error names the file and where the first bad byte
// is, never the bytes themselves.
func checkText(label string, data []byte) error {
	bad := func(line int, format string, a ...any) error {
		return &Error{File: label, Line: line, Msg: fmt.Sprintf(format, a...)}
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return bad(0, "empty file: want a scenario (start from a preset: depinsim show akash-2024 > my.toml)")
	}
	if bytes.HasPrefix(data, []byte{0xFF, 0xFE}) || bytes.HasPrefix(data, []byte{0xFE, 0xFF}) {
		return bad(0, "UTF-16 text (it starts with a UTF-16 byte-order mark): save the file as UTF-8")
	}
	if i := bytes.IndexByte(data, 0); i >= 0 {
		line := 1 + bytes.Count(data[:i], []byte{'\n'})
		if looksUTF16(data) {
			return bad(line, "UTF-16 text (NUL bytes between the characters): save the file as UTF-8")
		}
		return bad(line, "binary data (a NUL byte at byte %d): want a TOML text file", i+1)
	}
	if !utf8.Valid(data) {
		i := 0
		for i < len(data) {
			r, size := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && size == 1 {
				break
			}
			i += size
		}
		return bad(1+bytes.Count(data[:i], []byte{'\n'}), "not UTF-8 text (an invalid byte at byte %d): want a TOML text file in UTF-8", i+1)
	}
	return nil
}

// looksUTF16 reports whether data starts like ASCII text in UTF-16: in
// its first bytes, every other byte is NUL and the others are not.
func looksUTF16(data []byte) bool {
	n := min(len(data), 64) &^ 1
	if n < 4 {
		return false
	}
	var zero [2]int
	for i := range n {
		if data[i] == 0 {
			zero[i%2]++
		}
	}
	pairs := n / 2
	return zero[0] == pairs && zero[1] == 0 || zero[1] == pairs && zero[0] == 0
}
