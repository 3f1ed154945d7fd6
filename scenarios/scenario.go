package scenarios

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/depinsim/depinsim/agents"
	"github.com/depinsim/depinsim/market"
	"github.com/depinsim/depinsim/sim"
	"github.com/depinsim/depinsim/simtime"
	"github.com/depinsim/depinsim/tokenomics"
)

// Scenario is a scenario file: every table and key it may hold.
type Scenario struct {
	// Name names the scenario (plots, output folder).
	Name string `toml:"name"`
	// Description says what the scenario models.
	Description string `toml:"description"`
	// Sim is the [sim] table: dates, horizon, seed, sampling, replications.
	Sim sim.Params `toml:"sim"`
	// Resources is the [resources] table: GPU models and reference prices.
	Resources agents.ResourcesParams `toml:"resources"`
	// Market is the [market] table: "mechanism" names the mechanism (see
	// market.Names); the other keys are that mechanism's parameters.
	Market map[string]any `toml:"market"`
	// Tokenomics is the [tokenomics] table.
	Tokenomics tokenomics.Params `toml:"tokenomics"`
	// Providers are the [[providers]] cohorts.
	Providers []agents.ProviderCohort `toml:"providers"`
	// Tenants are the [[tenants]] cohorts.
	Tenants []agents.TenantCohort `toml:"tenants"`

	// pricePath is the parsed tokenomics.price.csv when the price model is
	// "csv" (read by Parse; nil otherwise).
	pricePath *tokenomics.PricePath
}

// Error is a bad-input error: the file, the line when known, the key path
// and what is wrong with the value.
type Error struct {
	// File is the scenario file (or "preset NAME", or "--set").
	File string
	// Line is the 1-based line, 0 when unknown.
	Line int
	// Key is the key path, e.g. "providers[2].gpus".
	Key string
	// Msg says what is wrong and what is allowed.
	Msg string
}

// Error formats "file:line: key: msg".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	b.WriteString(": ")
	if e.Key != "" {
		b.WriteString(e.Key)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Source is a scenario's text and where it came from.
type Source struct {
	// Name is the file path, or the preset name.
	Name string
	// Preset tells whether the source is an embedded preset.
	Preset bool
	// Data is the TOML text.
	Data []byte
}

// Label is how errors name the source.
func (s Source) Label() string {
	if s.Preset {
		return "preset " + s.Name
	}
	return s.Name
}

// Open reads a scenario file, or the embedded preset of that name when no
// such file exists.
func Open(arg string) (Source, error) {
	if data, err := os.ReadFile(arg); err == nil {
		return Source{Name: arg, Data: data}, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return Source{}, fmt.Errorf("%s: %v", arg, err)
	}
	if data, ok := PresetData(arg); ok {
		return Source{Name: arg, Preset: true, Data: data}, nil
	}
	return Source{}, fmt.Errorf("%s: no such file, and no preset of that name (presets: %s)", arg, strings.Join(Presets(), ", "))
}

// Load reads a scenario from arg (file or preset), applies the overrides
// ("path=value") and defaults, and validates it.
func Load(arg string, sets []string) (*Scenario, error) {
	src, err := Open(arg)
	if err != nil {
		return nil, err
	}
	return Parse(src, sets)
}

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
	label := src.Label()
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
		return nil, e
	}
	if und := undecoded(md); len(und) > 0 {
		return nil, unknownKeyError(label, src.Data, und[0])
	}
	if err := checkInitialUSD(label, src.Data, md, &direct, sets); err != nil {
		return nil, err
	}
	var tree map[string]any
	if _, err := toml.Decode(string(src.Data), &tree); err != nil {
		return nil, decodeError(label, src.Data, err)
	}
	for _, s := range sets {
		if err := ApplySet(tree, s); err != nil {
			return nil, &Error{File: "--set", Msg: err.Error()}
		}
	}
	defaults, err := defaultTree()
	if err != nil {
		panic("scenarios: defaults do not encode: " + err.Error())
	}
	mergeDefaults(tree, defaults)
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
	err = sc.Validate()
	if err == nil && sc.Tokenomics.Price.Model == tokenomics.PriceCSV {
		dir := "" // a preset: the current folder
		if !src.Preset {
			dir = filepath.Dir(src.Name)
		}
		sc.pricePath, sc.Tokenomics.Price.CSV, err = readPricePath(sc.Tokenomics.Price.CSV, dir, src.Preset)
	}
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

// checkInitialUSD refuses a tokenomics.price.initial_usd that the file
// writes with a value other than the file's token_price_usd (or its
// default), and any --set of it: the price process starts at
// token_price_usd, so initial_usd is not used.
func checkInitialUSD(label string, data []byte, md toml.MetaData, direct *Scenario, sets []string) error {
	const key = "tokenomics.price.initial_usd"
	for _, s := range sets {
		if path, _, ok := strings.Cut(s, "="); ok && strings.TrimSpace(path) == key {
			return &Error{File: "--set", Key: key, Msg: "not used: the price process starts at tokenomics.token_price_usd; set that instead"}
		}
	}
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
// current folder). Errors are *Error on tokenomics.price.csv; a bad row is
// named by the CSV file and its own line.
func readPricePath(csv, dir string, preset bool) (*tokenomics.PricePath, string, error) {
	const key = "tokenomics.price.csv"
	name := csv
	if !filepath.IsAbs(name) {
		name = filepath.Join(dir, name)
	}
	f, err := os.Open(name)
	if err != nil {
		from := "the scenario file's folder"
		if preset {
			from = "the current folder, for a preset"
		}
		return nil, "", &Error{Key: key, Msg: fmt.Sprintf("cannot read the price file: %v (a relative path is read from %s)", err, from)}
	}
	defer f.Close()
	path, err := tokenomics.ParsePricePath(f, name)
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

func decodeError(file string, data []byte, err error) *Error {
	var pe toml.ParseError
	if errors.As(err, &pe) {
		msg := pe.Message
		if pe.Usage != "" {
			msg += " (" + strings.TrimSpace(pe.Usage) + ")"
		}
		return &Error{File: file, Line: pe.Position.Line, Key: elementKey(data, pe.Position.Line, pe.LastKey), Msg: msg}
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

// allowedKeys returns the keys the table at path accepts: the toml tags
// of the struct the table decodes into (nil for a map, whose keys are free).
func allowedKeys(path toml.Key) []string {
	t := reflect.TypeFor[Scenario]()
	for _, p := range path {
		f, ok := tomlField(t, p)
		if !ok {
			return nil
		}
		t = f.Type
	}
	t = elemType(t)
	if t.Kind() != reflect.Struct {
		return nil
	}
	var keys []string
	for i := range t.NumField() {
		if name := tomlName(t.Field(i)); name != "" {
			keys = append(keys, name)
		}
	}
	sort.Strings(keys)
	return keys
}

// elemType strips slices and pointers: the type of one element.
func elemType(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Slice || t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

// tomlField returns the field of struct type t (or of its elements)
// whose toml key is key.
func tomlField(t reflect.Type, key string) (reflect.StructField, bool) {
	t = elemType(t)
	if t.Kind() != reflect.Struct {
		return reflect.StructField{}, false
	}
	for i := range t.NumField() {
		if f := t.Field(i); tomlName(f) == key {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

// tomlName returns a field's toml key ("" for an unexported or skipped field).
func tomlName(f reflect.StructField) string {
	if !f.IsExported() {
		return ""
	}
	name, _, _ := strings.Cut(f.Tag.Get("toml"), ",")
	switch name {
	case "-":
		return ""
	case "":
		return f.Name
	}
	return name
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

// findLine returns the line where key path (e.g. "providers[2].gpus" or
// "sim.horizon") is set in TOML text — the key itself, an inline table
// that holds it, or its table header — or, when the key is not written
// (a default), the header of the table or array element that holds it; 0
// when neither is found. It follows [table] and [[array]] headers,
// counting array elements.
func findLine(data []byte, path string) int {
	if path == "" {
		return 0
	}
	want := parsePath(path)
	found, fallback, depth := 0, 0, 0
	walkLines(data, func(line int, have []seg, header bool) bool {
		switch {
		case !matchPrefix(want, have):
		case !header || len(have) == len(want):
			found = line
			return false
		case len(have) > depth:
			fallback, depth = line, len(have)
		}
		return true
	})
	if found > 0 {
		return found
	}
	return fallback
}

// parsePath splits a key path such as "providers[2].gpus.h100" into its
// segments.
func parsePath(path string) []seg {
	var segs []seg
	for _, p := range strings.Split(path, ".") {
		s := seg{name: p, idx: -1}
		if i := strings.IndexByte(p, '['); i > 0 && strings.HasSuffix(p, "]") {
			s.name = p[:i]
			s.idx, _ = strconv.Atoi(p[i+1 : len(p)-1])
		}
		segs = append(segs, s)
	}
	return segs
}

// walkLines calls f for each [table] or [[array]] header and each
// "key = value" line of TOML text, with its 1-based line number and the
// key path it defines (elements of arrays of tables, such as providers[1]
// or tokenomics.incentives[0], carry their index), until f returns false.
// It reads line by line: keys inside multi-line values are not seen.
func walkLines(data []byte, f func(line int, path []seg, header bool) bool) {
	counts := map[string]int{}
	var table []seg
	for ln, line := range strings.Split(string(data), "\n") {
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, "#") || t == "" {
			continue
		}
		if strings.HasPrefix(t, "[") {
			array := strings.HasPrefix(t, "[[")
			opening, closing := "[", "]"
			if array {
				opening, closing = "[[", "]]"
			}
			end := strings.Index(t, closing)
			if end < 0 {
				continue
			}
			inner, rest := t[len(opening):end], strings.TrimSpace(t[end+len(closing):])
			if !isTableName(inner) || (rest != "" && !strings.HasPrefix(rest, "#")) {
				continue // not a header (e.g. a line of a multi-line array)
			}
			table = keySegs(inner)
			full := segNames(table)
			if array {
				// a new element: the arrays inside the previous one restart
				for k := range counts {
					if strings.HasPrefix(k, full+".") {
						delete(counts, k)
					}
				}
				counts[full]++
			}
			for i := range table {
				if n, ok := counts[segNames(table[:i+1])]; ok {
					table[i].idx = n - 1
				}
			}
			if !f(ln+1, table, true) {
				return
			}
			continue
		}
		eq := strings.IndexByte(t, '=')
		if eq <= 0 {
			continue
		}
		full := append(append([]seg{}, table...), keySegs(t[:eq])...)
		if !f(ln+1, full, false) {
			return
		}
	}
}

// isTableName reports whether s can be a table header's name.
func isTableName(s string) bool {
	if strings.TrimSpace(s) == "" {
		return false
	}
	for _, r := range s {
		ok := r == '_' || r == '-' || r == '.' || r == ' ' || r == '"' || r == '\'' ||
			(r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9')
		if !ok {
			return false
		}
	}
	return true
}

// segNames joins the names of segs with dots, without indices.
func segNames(segs []seg) string {
	names := make([]string, len(segs))
	for i, s := range segs {
		names[i] = s.name
	}
	return strings.Join(names, ".")
}

// keySegs splits a written (possibly dotted, possibly quoted) key.
func keySegs(key string) []seg {
	var segs []seg
	for _, p := range strings.Split(key, ".") {
		segs = append(segs, seg{name: strings.Trim(strings.TrimSpace(p), `"'`), idx: -1})
	}
	return segs
}

// elementKey adds array element indices to a key path that the TOML
// decoder reports without them ("providers.count" set on line 14 becomes
// "providers[1].count"), from the headers above that line.
func elementKey(data []byte, line int, key string) string {
	if line <= 0 || key == "" {
		return key
	}
	var at []seg
	walkLines(data, func(l int, path []seg, _ bool) bool {
		if l > line {
			return false
		}
		at = path
		return l < line
	})
	parts := strings.Split(key, ".")
	for i, s := range at {
		if i >= len(parts) || parts[i] != s.name {
			break
		}
		if s.idx >= 0 {
			parts[i] = fmt.Sprintf("%s[%d]", s.name, s.idx)
		}
	}
	return strings.Join(parts, ".")
}

type seg struct {
	name string
	idx  int // array element index, -1 when not an element
}

// matchPrefix reports whether have is a prefix of want.
func matchPrefix(want, have []seg) bool {
	if len(have) > len(want) {
		return false
	}
	for i := range have {
		if want[i].name != have[i].name {
			return false
		}
		if want[i].idx >= 0 && have[i].idx >= 0 && want[i].idx != have[i].idx {
			return false
		}
	}
	return true
}

// Validate checks every value's range; the error is an *Error naming the
// key path.
func (sc *Scenario) Validate() error {
	bad := func(key string, err error) error {
		msg := err.Error()
		// package validators prefix their own key ("sim.horizon: ...")
		if i := strings.Index(msg, ": "); i > 0 && !strings.Contains(msg[:i], " ") {
			sub := msg[:i]
			if key != "" && !strings.HasPrefix(sub, key) {
				sub = key + "." + sub
			}
			return &Error{Key: sub, Msg: msg[i+2:]}
		}
		return &Error{Key: key, Msg: msg}
	}
	if strings.TrimSpace(sc.Name) == "" || !filepath.IsLocal(sc.Name) || strings.ContainsAny(sc.Name, `/\`) {
		return &Error{Key: "name", Msg: fmt.Sprintf("must be a non-empty name usable as a folder name (no / or \\, not . or ..), got %q", sc.Name)}
	}
	if err := sc.Sim.Validate(); err != nil {
		return bad("", err)
	}
	cat, err := agents.NewCatalog(sc.Resources)
	if err != nil {
		return bad("", err)
	}
	if err := sc.validateTokenomics(); err != nil {
		return bad("", err)
	}
	for _, k := range slices.Sorted(maps.Keys(sc.Tokenomics.Emission.Weights)) {
		if _, ok := cat.Index(k); !ok {
			known := make([]string, cat.NumResources())
			for r := range known {
				known[r] = cat.Key(r)
			}
			return &Error{Key: "tokenomics.emission.weights." + k, Msg: fmt.Sprintf("unknown resource (known: %s)", strings.Join(known, ", "))}
		}
	}
	if _, err := sc.NewMechanism(); err != nil {
		return bad("market", err)
	}
	names := map[string]bool{}
	for i := range sc.Providers {
		key := fmt.Sprintf("providers[%d]", i)
		if err := sc.Providers[i].Validate(cat); err != nil {
			return bad(key, err)
		}
		if names[sc.Providers[i].Name] {
			return &Error{Key: key + ".name", Msg: fmt.Sprintf("duplicate cohort name %q", sc.Providers[i].Name)}
		}
		names[sc.Providers[i].Name] = true
	}
	names = map[string]bool{}
	for i := range sc.Tenants {
		key := fmt.Sprintf("tenants[%d]", i)
		if err := sc.Tenants[i].Validate(cat); err != nil {
			return bad(key, err)
		}
		if names[sc.Tenants[i].Name] {
			return &Error{Key: key + ".name", Msg: fmt.Sprintf("duplicate cohort name %q", sc.Tenants[i].Name)}
		}
		names[sc.Tenants[i].Name] = true
	}
	if len(sc.Providers) == 0 {
		return &Error{Key: "providers", Msg: "at least one [[providers]] cohort is required"}
	}
	if len(sc.Tenants) == 0 {
		return &Error{Key: "tenants", Msg: "at least one [[tenants]] cohort is required"}
	}
	return sc.validateIncentiveCohorts()
}

// validateTokenomics checks [tokenomics] (tokenomics.Params.Validate) and
// what only the scenario checks: the start price's range, unique program
// and season names, and the governance values.
func (sc *Scenario) validateTokenomics() error {
	tp := &sc.Tokenomics
	if tp.Price.Model != tokenomics.PriceCSV && !(tp.TokenPriceUSD >= tokenomics.MinPriceUSD && tp.TokenPriceUSD <= tokenomics.MaxPriceUSD) {
		return fmt.Errorf("tokenomics.token_price_usd: must be a price in [%g, %g] USD, got %v", tokenomics.MinPriceUSD, tokenomics.MaxPriceUSD, tp.TokenPriceUSD)
	}
	if err := tp.Validate(); err != nil {
		return err
	}
	if err := tokenomics.ValidateIncentives(tp.Incentives); err != nil {
		return err
	}
	if err := tokenomics.ValidateSeasons(tp.Seasons); err != nil {
		return err
	}
	return validateGovernance(tp)
}

// validateIncentiveCohorts checks that every incentive program names
// existing provider cohorts.
func (sc *Scenario) validateIncentiveCohorts() error {
	known := make([]string, len(sc.Providers))
	for i := range sc.Providers {
		known[i] = sc.Providers[i].Name
	}
	for i, p := range sc.Tokenomics.Incentives {
		for j, c := range p.Cohorts {
			if !slices.Contains(known, c) {
				return &Error{Key: fmt.Sprintf("tokenomics.incentives[%d].cohorts[%d]", i, j),
					Msg: fmt.Sprintf("unknown provider cohort %q (known: %s)", c, strings.Join(known, ", "))}
			}
		}
	}
	return nil
}

// numRange is an interval of allowed numbers.
type numRange struct {
	lo, hi         float64
	loOpen, hiOpen bool
}

func (r numRange) has(v float64) bool {
	return (v > r.lo || !r.loOpen && v == r.lo) && (v < r.hi || !r.hiOpen && v == r.hi)
}

func (r numRange) String() string {
	l, h := "[", "]"
	if r.loOpen {
		l = "("
	}
	if r.hiOpen {
		h = ")"
	}
	return fmt.Sprintf("%s%v, %v%s", l, r.lo, r.hi, h)
}

// governanceRanges are the values the numeric governance keys accept:
// the range of the same key in its table (and, for the staking keys,
// what tokenomics.Staking.Set accepts too). Every key of
// tokenomics.GovernanceKeys but tokenomics.settlement is here.
var governanceRanges = map[string]numRange{
	"tokenomics.inflation.commission":    {lo: 0, hi: 1},
	"tokenomics.inflation.community_tax": {lo: 0, hi: 1},
	"tokenomics.inflation.goal_bonded":   {lo: 0, hi: 1, loOpen: true},
	"tokenomics.inflation.max":           {lo: 0, hi: 1},
	"tokenomics.inflation.min":           {lo: 0, hi: 1},
	"tokenomics.inflation.rate_change":   {lo: 0, hi: 100},
	"tokenomics.staking.outside_yield":   {lo: -1, hi: 10, loOpen: true},
	"tokenomics.staking.speed":           {lo: 0, hi: 100},
	"tokenomics.take_rate.act":           {lo: 0, hi: 1},
	"tokenomics.take_rate.akt":           {lo: 0, hi: 1},
	"tokenomics.take_rate.usdc":          {lo: 0, hi: 1},
}

// validateGovernance checks each governance change's value for its key
// (tokenomics.ValidateSchedule, run by Params.Validate, has checked the
// times and keys): tokenomics.settlement takes "take" or "bme", every
// other key a number in its range. The inflation band must stay
// non-empty: after the changes of each time, min <= max.
func validateGovernance(tp *tokenomics.Params) error {
	lo, hi := tp.Inflation.InflationMin, tp.Inflation.InflationMax
	band := -1 // the last change of the current time that moved the band
	for i, c := range tp.Governance {
		key := fmt.Sprintf("tokenomics.governance[%d].value", i)
		if c.Key == "tokenomics.settlement" {
			if s, ok := c.Value.(string); !ok || s != tokenomics.SettlementTake && s != tokenomics.SettlementBME {
				return fmt.Errorf("%s: %s must be %q or %q, got %s", key, c.Key, tokenomics.SettlementTake, tokenomics.SettlementBME, describe(c.Value))
			}
		} else {
			r, ok := governanceRanges[c.Key]
			if !ok {
				panic("scenarios: no range for governance key " + c.Key)
			}
			var v float64
			switch x := c.Value.(type) {
			case int64:
				v = float64(x)
			case float64:
				v = x
			default:
				return fmt.Errorf("%s: %s must be a number in %v, got %s", key, c.Key, r, describe(c.Value))
			}
			if !r.has(v) {
				return fmt.Errorf("%s: %s must be in %v, got %v", key, c.Key, r, v)
			}
			switch c.Key {
			case "tokenomics.inflation.min":
				lo, band = v, i
			case "tokenomics.inflation.max":
				hi, band = v, i
			}
		}
		if last := i == len(tp.Governance)-1; last || tp.Governance[i+1].At != c.At {
			if band >= 0 && lo > hi {
				return fmt.Errorf("tokenomics.governance[%d].value: leaves tokenomics.inflation.min (%v) above tokenomics.inflation.max (%v) from %s on",
					band, lo, hi, simtime.Time(c.At))
			}
			band = -1
		}
	}
	return nil
}

// NewMechanism builds the scenario's market mechanism.
func (sc *Scenario) NewMechanism() (market.Mechanism, error) {
	params := market.Params{}
	name := ""
	keys := make([]string, 0, len(sc.Market))
	for k := range sc.Market {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if k == "mechanism" {
			s, ok := sc.Market[k].(string)
			if !ok {
				return nil, fmt.Errorf("market.mechanism: must be a string, got %v", sc.Market[k])
			}
			name = s
			continue
		}
		params[k] = sc.Market[k]
	}
	if name == "" {
		return nil, fmt.Errorf("market.mechanism: missing (known: %s)", strings.Join(market.Names(), ", "))
	}
	if !slices.Contains(market.Names(), name) {
		return nil, fmt.Errorf("market.mechanism: unknown mechanism %q (known: %s)", name, strings.Join(market.Names(), ", "))
	}
	m, err := market.New(name, params)
	if err != nil {
		return nil, err
	}
	if b, ok := m.(market.ResourceBinder); ok {
		cat, err := agents.NewCatalog(sc.Resources)
		if err != nil {
			return nil, err
		}
		keys := make([]string, cat.NumResources())
		for r := range keys {
			keys[r] = cat.Key(r)
		}
		return b.Bind(keys)
	}
	return m, nil
}

// Config builds the simulation config of a validated scenario.
func (sc *Scenario) Config() (*sim.Config, error) {
	cat, err := agents.NewCatalog(sc.Resources)
	if err != nil {
		return nil, err
	}
	mech, err := sc.NewMechanism()
	if err != nil {
		return nil, err
	}
	path := sc.pricePath
	if sc.Tokenomics.Price.Model == tokenomics.PriceCSV && path == nil {
		// a scenario not made by Parse: a relative path is the current folder's
		if path, _, err = readPricePath(sc.Tokenomics.Price.CSV, "", false); err != nil {
			return nil, err
		}
	}
	return &sim.Config{
		Sim:        sc.Sim,
		Catalog:    cat,
		Providers:  sc.Providers,
		Tenants:    sc.Tenants,
		Mechanism:  mech,
		Tokenomics: sc.Tokenomics,
		PricePath:  path,
	}, nil
}

// TOML returns the fully resolved scenario (defaults and overrides
// included) as TOML; parsing it again gives the same scenario.
func (sc *Scenario) TOML() []byte {
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "# Resolved scenario %q: every key with its value, defaults and overrides included.\n# Running this file again reproduces the run.\n\n", sc.Name)
	if err := toml.NewEncoder(&buf).Encode(sc); err != nil {
		panic("scenarios: encoding a scenario: " + err.Error())
	}
	return buf.Bytes()
}
