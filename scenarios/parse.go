package scenarios

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/depinsim/depinsim/tokenomics"
)

// Parse decodes, overrides, completes with defaults and validates a
// scenario. The steps:
//
//  1. strict decode of the text as written, so unknown keys and wrong
//     types are reported with their line;
//  2. decode into a generic tree and apply each override;
//  3. add defaults for every key not given (a table given replaces the
//     default table whole: take_rate = { akt = 0.04 } sets usdc to 0;
//     the parameter sub-tables of [tokenomics] are completed key by key);
//  4. strict decode of the completed tree, then Validate;
//  5. with the price model "csv", read the price path
//     tokenomics.price.csv: a relative path from the scenario file's
//     folder (for a preset, which has no folder, from the current
//     folder). The scenario keeps the file's absolute path, so its
//     resolved TOML reads the same file from wherever it is run.
//
// tokenomics.price.initial_usd is not used (the price process starts at
// tokenomics.token_price_usd): the scenario's value is set to
// token_price_usd, and a file that writes a different value, or a --set
// of it, is an error.
func Parse(src Source, sets []string) (*Scenario, error) {
	return ParseWith(src, sets, Options{})
}

// ParseWith is Parse with options. A scenario file that does not write
// name takes its file name without the extension (my.toml: "my"); a file
// that is not UTF-8 text (binary, UTF-16) is refused before decoding.
func ParseWith(src Source, sets []string, opts Options) (*Scenario, error) {
	return Prepare(src).Parse(sets, opts)
}

// Prepared is a scenario source decoded once (steps 1 and 2 of Parse
// without the overrides), from which Parse loads the scenario under any
// overrides: a sweep loads each of its points from one, instead of
// decoding the same text for every point twice. A Prepared is read only
// and may be used by several goroutines at once.
type Prepared struct {
	src Source
	// srcErr is the source's error found before the overrides are looked
	// at (text, strict decode, unknown keys); fileErr one found after
	// them (initial_usd as the file writes it, the generic decode)
	srcErr, fileErr error
	tree            map[string]any // the generic decode, copied by each Parse
}

// Prepare decodes src for Parse. Its errors are returned by every Parse,
// in the order ParseWith finds them.
func Prepare(src Source) *Prepared {
	p := &Prepared{src: src}
	label := src.Label()
	if err := checkText(label, src.Data); err != nil {
		p.srcErr = err
		return p
	}
	var direct Scenario
	md, err := toml.NewDecoder(bytes.NewReader(src.Data)).Decode(&direct)
	if err != nil {
		e := decodeError(label, src.Data, err)
		var tree map[string]any
		if _, terr := toml.Decode(string(src.Data), &tree); terr == nil {
			if key, ok := typeErrorElement(tree, e.Key); ok {
				e.Key, e.Line = key, findLine(src.Data, key)
			}
		}
		p.srcErr = e
		return p
	}
	if und := undecoded(md); len(und) > 0 {
		p.srcErr = unknownKeyError(label, src.Data, und[0])
		return p
	}
	if err := checkInitialUSD(label, src.Data, md, &direct); err != nil {
		p.fileErr = err
		return p
	}
	if _, err := toml.Decode(string(src.Data), &p.tree); err != nil {
		p.fileErr = decodeError(label, src.Data, err)
	}
	return p
}

// Parse loads the prepared scenario under the overrides sets, as
// ParseWith(src, sets, opts) does.
func (p *Prepared) Parse(sets []string, opts Options) (*Scenario, error) {
	src := p.src
	label := src.Label()
	tree, notes, nameFrom, err := p.completed(sets)
	if err != nil {
		return nil, err
	}
	file := label
	if len(sets) > 0 {
		file = label + " with --set " + strings.Join(sets, " --set ")
	}
	if err := checkTables(tree, reflect.TypeFor[Scenario](), ""); err != nil {
		e := err.(*Error)
		e.File = file
		if len(sets) == 0 {
			e.Line = findLine(src.Data, e.Key)
		}
		return nil, e
	}
	sc, err := decodeTree(tree)
	if err != nil {
		if e, ok := err.(*Error); ok {
			e.File = file
			return nil, e
		}
		return nil, &Error{File: file, Msg: err.Error()}
	}
	sc.Tokenomics.Price.InitialUSD = sc.Tokenomics.TokenPriceUSD
	sc.nameFrom = nameFrom
	err = sc.Validate()
	if err == nil && sc.Tokenomics.Price.Model == tokenomics.PriceCSV {
		dir := "" // a preset: the current folder
		if !src.Preset {
			dir = filepath.Dir(src.Name)
		}
		sc.pricePath, sc.Tokenomics.Price.CSV, err = readPricePath(sc.Tokenomics.Price.CSV, dir, src.Preset, opts.AllowOutsidePaths)
	}
	sc.notes = notes
	if err != nil {
		var e *Error
		if errors.As(err, &e) {
			e.File = file
			if e.Line == 0 && len(sets) == 0 {
				e.Line = findLine(src.Data, e.Key)
			}
			return nil, e
		}
		return nil, &Error{File: file, Msg: err.Error()}
	}
	return sc, nil
}

// completed returns the prepared tree under the overrides sets, named
// and completed with the defaults (steps 2 and 3 of Parse), with the
// notes of the overrides and where the name came from ("" when the
// scenario writes it).
func (p *Prepared) completed(sets []string) (tree map[string]any, notes []string, nameFrom string, err error) {
	if p.srcErr != nil {
		return nil, nil, "", ownError(p.srcErr)
	}
	if err := checkSetInitialUSD(sets); err != nil {
		return nil, nil, "", err
	}
	if p.fileErr != nil {
		return nil, nil, "", ownError(p.fileErr)
	}
	tree = copyTree(p.tree)
	for _, s := range sets {
		dropped, err := applySet(tree, s)
		if err != nil {
			return nil, nil, "", &Error{File: "--set", Msg: err.Error()}
		}
		if dropped != "" {
			notes = append(notes, dropped)
		}
	}
	if _, ok := tree["name"]; !ok && !p.src.Preset {
		tree["name"] = fileStem(p.src.Name)
		nameFrom = "the file name " + quoteValue(filepath.Base(p.src.Name))
	}
	mergeDefaults(tree, defaultTree())
	return tree, notes, nameFrom, nil
}

// ownError returns a copy of a prepared source's error for one caller,
// which may fill in its fields (an *Error) without touching another's.
func ownError(err error) error {
	if e, ok := err.(*Error); ok {
		c := *e
		return &c
	}
	return err
}

// checkSetInitialUSD refuses a --set of tokenomics.price.initial_usd:
// the price process starts at token_price_usd, so initial_usd is not
// used.
func checkSetInitialUSD(sets []string) error {
	const key = "tokenomics.price.initial_usd"
	for _, s := range sets {
		if path, _, ok := strings.Cut(s, "="); ok && strings.TrimSpace(path) == key {
			return &Error{File: "--set", Key: key, Msg: "not used: the price process starts at tokenomics.token_price_usd; set that instead"}
		}
	}
	return nil
}

// checkInitialUSD refuses a tokenomics.price.initial_usd that the file
// writes with a value other than the file's token_price_usd (or its
// default): the price process starts at token_price_usd, so initial_usd
// is not used (checkSetInitialUSD refuses a --set of it).
func checkInitialUSD(label string, data []byte, md toml.MetaData, direct *Scenario) error {
	const key = "tokenomics.price.initial_usd"
	if !md.IsDefined("tokenomics", "price", "initial_usd") {
		return nil
	}
	want := tokenomics.DefaultParams().TokenPriceUSD
	if md.IsDefined("tokenomics", "token_price_usd") {
		want = direct.Tokenomics.TokenPriceUSD
	}
	if got := direct.Tokenomics.Price.InitialUSD; got != want {
		return &Error{File: label, Line: findLine(data, key), Key: key,
			Msg: fmt.Sprintf("not used: the price process starts at tokenomics.token_price_usd (%v); leave initial_usd out (or equal to it), got %v", want, got)}
	}
	return nil
}

// readPricePath reads and parses the CSV price path at csv, a path
// relative to dir unless absolute; it returns the path and the file's
// absolute name. preset says the scenario is a preset (dir is then the
// current folder). Unless allowOutside, the file must be inside dir (see
// openInside). The file must be regular and at most MaxPriceFileBytes.
// Errors are *Error on tokenomics.price.csv; a bad row is named by the
// CSV file and its own line, never by its content.
func readPricePath(csv, dir string, preset, allowOutside bool) (*tokenomics.PricePath, string, error) {
	const key = "tokenomics.price.csv"
	from := "the scenario file's folder"
	if preset {
		from = "the current folder, for a preset"
	}
	if dir != "" {
		from += " (" + dir + ")"
	}
	f, name, err := openInside(csv, dir, from, "price file", allowOutside)
	if err != nil {
		msg := err.Error()
		if !strings.Contains(msg, "--allow-outside-paths") {
			msg = fmt.Sprintf("cannot read the price file: %s (a relative path is read from %s)", msg, from)
		}
		return nil, "", &Error{Key: key, Msg: msg}
	}
	defer f.Close()
	data, err := readCapped(f, name, "price file", MaxPriceFileBytes)
	if err != nil {
		return nil, "", &Error{Key: key, Msg: err.Error()}
	}
	path, err := tokenomics.ParsePricePath(bytes.NewReader(data), name)
	if err != nil {
		return nil, "", &Error{Key: key, Msg: err.Error()}
	}
	abs, err := filepath.Abs(name)
	if err != nil {
		return nil, "", &Error{Key: key, Msg: err.Error()}
	}
	return path, abs, nil
}

// decodeTree strictly decodes a completed tree into a Scenario.
func decodeTree(tree map[string]any) (*Scenario, error) {
	var direct Scenario
	if decodeDirect(tree, &direct) {
		return &direct, nil
	}
	return decodeViaText(tree)
}

// decodeViaText is decodeTree through the TOML text: the tree encoded, then
// decoded strictly.
func decodeViaText(tree map[string]any) (*Scenario, error) {
	var buf bytes.Buffer
	if err := toml.NewEncoder(&buf).Encode(tree); err != nil {
		return nil, &Error{Msg: err.Error()}
	}
	var sc Scenario
	md, err := toml.NewDecoder(&buf).Decode(&sc)
	if err != nil {
		// the line is the encoded tree's, which no one sees: drop it
		e := decodeError("", nil, err)
		e.Line = 0
		if key, ok := typeErrorElement(tree, e.Key); ok {
			e.Key = key
		}
		return nil, e
	}
	if und := undecoded(md); len(und) > 0 {
		return nil, &Error{Key: und[0].String(), Msg: "unknown key" + knownKeys(und[0])}
	}
	return &sc, nil
}

// undecoded returns the keys the decoder did not use, except those inside
// [market]: the mechanism's factory reads them strictly (nested tables of
// a mechanism's parameters stay undecoded in a map of any).
func undecoded(md toml.MetaData) []toml.Key {
	var out []toml.Key
	for _, k := range md.Undecoded() {
		if len(k) > 1 && k[0] == "market" {
			continue
		}
		out = append(out, k)
	}
	return out
}

// typeErrorElement adds element indices to the key path of a type error
// that passes through arrays of tables. The decoder names such a key
// without indices ("providers.count") and with the line of the key's
// last element, whichever element holds the bad value; this finds the
// first element that does not decode into its type and returns the key
// with its index ("providers[0].count"). ok is false when the key passes
// through no array of tables, or no element fails.
func typeErrorElement(tree map[string]any, key string) (string, bool) {
	if key == "" {
		return "", false
	}
	key = elementIndex.ReplaceAllString(key, "") // the index elementKey took from the decoder's line
	var cur any = tree
	typ := reflect.TypeFor[Scenario]()
	parts := strings.Split(key, ".")
	found := false
	for i, name := range parts {
		m, ok := cur.(map[string]any)
		if !ok {
			return "", false
		}
		f, ok := tomlField(typ, name)
		if !ok {
			return "", false
		}
		cur, typ = m[name], f.Type
		arr, isArr := cur.([]map[string]any)
		if !isArr || elemType(typ).Kind() != reflect.Struct {
			continue
		}
		typ = elemType(typ)
		bad := -1
		for j, el := range arr {
			var buf bytes.Buffer
			if err := toml.NewEncoder(&buf).Encode(el); err != nil {
				return "", false
			}
			if _, err := toml.NewDecoder(&buf).Decode(reflect.New(typ).Interface()); err != nil {
				bad = j
				break
			}
		}
		if bad < 0 {
			return "", false
		}
		parts[i] = fmt.Sprintf("%s[%d]", name, bad)
		cur, found = arr[bad], true
	}
	return strings.Join(parts, "."), found
}

var elementIndex = regexp.MustCompile(`\[\d+\]`)

// definedKey finds the key of the decoder's "Key 'k' has already been
// defined".
var definedKey = regexp.MustCompile(`^Key '([^']+)' has already been defined`)

func decodeError(file string, data []byte, err error) *Error {
	var pe toml.ParseError
	if errors.As(err, &pe) {
		msg := pe.Message
		if pe.Usage != "" {
			msg += " (" + strings.TrimSpace(pe.Usage) + ")"
		}
		key := pe.LastKey
		if m := definedKey.FindStringSubmatch(msg); m != nil && key == "" {
			key = m[1] // a table defined twice: the decoder names it only in the message
		}
		return &Error{File: file, Line: pe.Position.Line, Key: elementKey(data, pe.Position.Line, key), Msg: msg}
	}
	// type errors: "toml: line N (last key "k"): incompatible types: ..."
	msg := strings.TrimPrefix(err.Error(), "toml: ")
	e := &Error{File: file, Msg: msg}
	if strings.HasPrefix(msg, "line ") {
		rest := strings.TrimPrefix(msg, "line ")
		if i := strings.IndexByte(rest, ' '); i > 0 {
			if n, err := strconv.Atoi(rest[:i]); err == nil {
				e.Line = n
				msg = rest[i+1:]
			}
		}
	}
	if strings.HasPrefix(msg, "(last key ") {
		if i := strings.Index(msg, "): "); i > 0 {
			e.Key = strings.Trim(msg[len("(last key "):i], `"`)
			msg = msg[i+3:]
		}
	}
	e.Msg = msg
	e.Key = elementKey(data, e.Line, e.Key)
	return e
}

func unknownKeyError(file string, data []byte, k toml.Key) error {
	line := findLine(data, k.String())
	return &Error{File: file, Line: line, Key: elementKey(data, line, k.String()), Msg: "unknown key" + knownKeys(k)}
}

// knownKeys lists the keys allowed next to an unknown key.
func knownKeys(k toml.Key) string {
	if len(k) == 0 {
		return ""
	}
	names := allowedKeys(k[:len(k)-1])
	if len(names) == 0 {
		return ""
	}
	return " (allowed here: " + strings.Join(names, ", ") + ")"
}

// checkTables reports a key whose field is a Go map (gpus,
// price_list_usd_hour, take_rate, [market], ...) but whose value is not a
// table: the TOML decoder leaves such a map empty without an error. v is
// the decoded tree at path, t the type it decodes into.
func checkTables(v any, t reflect.Type, path string) error {
	join := func(k string) string {
		if path == "" {
			return k
		}
		return path + "." + k
	}
	switch t.Kind() {
	case reflect.Map:
		if _, ok := v.(map[string]any); !ok {
			return &Error{Key: path, Msg: fmt.Sprintf("must be a table such as { key = value, ... }, got %s", describe(v))}
		}
	case reflect.Struct:
		m, ok := v.(map[string]any)
		if !ok {
			return nil // a date, or a type error the decoder reports
		}
		for _, k := range slices.Sorted(maps.Keys(m)) {
			if f, ok := tomlField(t, k); ok {
				if err := checkTables(m[k], f.Type, join(k)); err != nil {
					return err
				}
			}
		}
	case reflect.Slice:
		if arr, ok := v.([]map[string]any); ok {
			for i, el := range arr {
				if err := checkTables(el, t.Elem(), fmt.Sprintf("%s[%d]", path, i)); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// describe formats a decoded TOML value for an error message.
func describe(v any) string {
	if s, ok := v.(string); ok {
		return strconv.Quote(s)
	}
	return fmt.Sprintf("%v", v)
}
