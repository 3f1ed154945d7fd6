package scenarios

// DecodeBothWays completes src's tree under sets as Parse does and
// decodes it directly (decodeDirect, which reports whether it could) and
// through the TOML text (decodeViaText), for tests outside the package.
func DecodeBothWays(src Source, sets []string) (direct, text *Scenario, directOK bool, err error) {
	tree, _, _, err := Prepare(src).completed(sets)
	if err != nil {
		return nil, nil, false, err
	}
	direct = &Scenario{}
	directOK = decodeDirect(tree, direct)
	text, err = decodeViaText(tree)
	return direct, text, directOK, err
}
