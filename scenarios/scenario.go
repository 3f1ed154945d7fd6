package scenarios

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/depinsim/depinsim/agents"
	"github.com/depinsim/depinsim/market"
	"github.com/depinsim/depinsim/sim"
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
//     default table whole: take_rate = { akt = 0.04 } sets usdc to 0);
//  4. strict decode of the completed tree, then Validate.
func Parse(src Source, sets []string) (*Scenario, error) {
	label := src.Label()
	var direct Scenario
	md, err := toml.NewDecoder(bytes.NewReader(src.Data)).Decode(&direct)
	if err != nil {
		return nil, decodeError(label, src.Data, err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		return nil, unknownKeyError(label, src.Data, und[0])
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
	if err := sc.Validate(); err != nil {
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
		e := decodeError("", nil, err).(*Error)
		e.Line = 0
		return nil, e
	}
	if und := md.Undecoded(); len(und) > 0 {
		return nil, &Error{Key: und[0].String(), Msg: "unknown key" + knownKeys(und[0])}
	}
	return &sc, nil
}

func decodeError(file string, data []byte, err error) error {
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
		for _, k := range sortedKeys(m) {
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
// key path it defines (elements of top-level arrays of tables carry their
// index), until f returns false. It reads line by line: keys inside
// multi-line values are not seen.
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
			name := table[0].name
			if array && len(table) == 1 {
				counts[name]++
			}
			if n, ok := counts[name]; ok {
				table[0].idx = n - 1
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
	if err := sc.Tokenomics.Validate(); err != nil {
		return bad("", err)
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
	return market.New(name, params)
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
	return &sim.Config{
		Sim:        sc.Sim,
		Catalog:    cat,
		Providers:  sc.Providers,
		Tenants:    sc.Tenants,
		Mechanism:  mech,
		Tokenomics: sc.Tokenomics,
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
