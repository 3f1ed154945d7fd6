package runner

import "runtime/debug"

// Version is the version of the simulator, written to every run's
// manifest.
const Version = "0.1.0"

// BuildVersion returns Version plus the VCS revision of the build when it
// has one ("0.1.0+0123456789ab").
func BuildVersion() string {
	v := Version
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				v += "+" + s.Value[:12]
			}
		}
	}
	return v
}
