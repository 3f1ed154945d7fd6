package scenarios

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Caps on the files a scenario reads. A larger file is refused with an
// error naming the file, the cap and its size, before it is decoded.
const (
	// MaxScenarioBytes caps a scenario file: the presets are about
	// 15 KB, so 4 MiB leaves room for scenarios with thousands of cohorts.
	MaxScenarioBytes = 4 << 20
	// MaxPriceFileBytes caps the price file of the csv price model:
	// hourly closes over 100 years are about 25 MB.
	MaxPriceFileBytes = 64 << 20
)

// Options are how a scenario is loaded beyond its text and overrides.
type Options struct {
	// AllowOutsidePaths lets the files a scenario names (the price file)
	// leave the scenario file's folder (or, for a preset, the current
	// folder): absolute paths, "..", symbolic links pointing out. Without
	// it such a path is an error naming the key and the path, so that a
	// scenario from elsewhere cannot read (and print bits of) any file.
	AllowOutsidePaths bool
}

// SizeError is a file above its size cap.
type SizeError struct {
	// File is the file's name as given.
	File string
	// Cap is the cap in bytes.
	Cap int64
	// Size is the file's size, or the bytes read when AtLeast.
	Size int64
	// AtLeast says the file holds more than Size bytes (a file whose
	// size the system does not report is read up to Cap+1 bytes only).
	AtLeast bool
	// What says what the file is ("scenario file", "price file").
	What string
}

// Error says which file, its size and the cap.
func (e *SizeError) Error() string {
	size := byteWords(e.Size)
	if e.AtLeast {
		size = "more than " + byteWords(e.Cap)
	}
	return fmt.Sprintf("%s: %s too large: %s, the cap is %s", e.File, e.What, size, byteWords(e.Cap))
}

// byteWords formats a byte count: "4 MiB (4194304 bytes)".
func byteWords(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB (%d bytes)", n>>20, n)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB (%d bytes)", n>>10, n)
	}
	return fmt.Sprintf("%d bytes", n)
}

// fileKind names a file mode that is not a regular file.
func fileKind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	}
	return "not a regular file"
}

// notRegular is the error for a path that is not a regular file.
func notRegular(name, what string, m fs.FileMode) error {
	return fmt.Errorf("%s: %s must be a regular file, got %s", name, what, fileKind(m))
}

// readCapped reads an open file up to limit bytes: a file that is not
// regular, or that holds more than limit bytes (whatever its size says:
// files under /proc report 0), is an error naming it.
func readCapped(f fs.File, name, what string, limit int64) ([]byte, error) {
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	if !st.Mode().IsRegular() {
		return nil, notRegular(name, what, st.Mode())
	}
	if st.Size() > limit {
		return nil, &SizeError{File: name, Cap: limit, Size: st.Size(), What: what}
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	if int64(len(data)) > limit {
		return nil, &SizeError{File: name, Cap: limit, Size: int64(len(data)), What: what, AtLeast: true}
	}
	return data, nil
}

// statRegular refuses a path that exists but is not a regular file,
// before it is opened (opening a FIFO blocks until a writer comes).
func statRegular(name, what string) error {
	st, err := os.Stat(name)
	if err != nil {
		return nil // Open reports it
	}
	if !st.Mode().IsRegular() {
		return notRegular(name, what, st.Mode())
	}
	return nil
}

// readScenarioFile reads a scenario file: a regular file of at most
// MaxScenarioBytes. ok is false when no such file exists.
func readScenarioFile(name string) (data []byte, ok bool, err error) {
	const what = "scenario file"
	if _, err := os.Stat(name); errors.Is(err, os.ErrNotExist) {
		return nil, false, nil
	}
	if err := statRegular(name, what); err != nil {
		return nil, true, err
	}
	f, err := os.Open(name)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, true, fmt.Errorf("%s: %v", name, err)
	}
	defer f.Close()
	data, err = readCapped(f, name, what, MaxScenarioBytes)
	return data, true, err
}

// openInside opens the file at path (relative to dir unless absolute) for
// a scenario key. Unless allowOutside, the file must lie inside dir: an
// absolute path, a path through "..", or a symbolic link that leads out
// is an error saying so (checked before anything about the file is
// looked at). from says what dir is, for the messages. A path that is
// not a regular file is an error too (opening a FIFO would block).
func openInside(path, dir, from, what string, allowOutside bool) (*os.File, string, error) {
	name := path
	if !filepath.IsAbs(name) {
		name = filepath.Join(dir, name)
	}
	if allowOutside {
		if err := statRegular(name, what); err != nil {
			return nil, name, err
		}
		f, err := os.Open(name)
		return f, name, err
	}
	refuse := func(why string) error {
		return fmt.Errorf("path %s %s, which leaves %s; a scenario reads files inside that folder only, unless run with --allow-outside-paths", quoteValue(path), why, from)
	}
	if filepath.IsAbs(path) || filepath.VolumeName(path) != "" {
		return nil, name, refuse("is absolute")
	}
	if !filepath.IsLocal(path) {
		return nil, name, refuse("goes up with ..")
	}
	root, err := os.OpenRoot(dirOrDot(dir))
	if err != nil {
		return nil, name, err
	}
	defer root.Close()
	escapes := func(err error) bool { return err != nil && strings.Contains(err.Error(), "escapes") }
	st, err := root.Stat(path)
	if escapes(err) {
		return nil, name, refuse("leads through a symbolic link")
	}
	if err == nil && !st.Mode().IsRegular() {
		return nil, name, notRegular(name, what, st.Mode())
	}
	f, err := root.Open(path)
	if escapes(err) {
		return nil, name, refuse("leads through a symbolic link")
	}
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, name, fmt.Errorf("open %s: %v", name, err)
	}
	return f, name, nil
}

func dirOrDot(dir string) string {
	if dir == "" {
		return "."
	}
	return dir
}

// maxValueShown caps the characters of a value quoted in an error.
const maxValueShown = 80

// quoteValue quotes a value from a scenario for an error message: Go
// quoting (control characters and invalid UTF-8 escaped), cut to
// maxValueShown characters.
func quoteValue(s string) string {
	if utf8.RuneCountInString(s) > maxValueShown {
		r := []rune(s)
		return fmt.Sprintf("%q... (%d characters)", string(r[:maxValueShown]), len(r))
	}
	return fmt.Sprintf("%q", s)
}

// sanitize makes text from an input safe to print inside an error: it
// escapes control characters and invalid UTF-8 and cuts it to limit
// characters.
func sanitize(s string, limit int) string {
	var b strings.Builder
	for n, i := 0, 0; i < len(s); n++ {
		if n >= limit {
			fmt.Fprintf(&b, "... (%d bytes)", len(s))
			break
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case !unicode.IsPrint(r) && r != ' ':
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteRune(r)
		}
		i += size
	}
	return b.String()
}
