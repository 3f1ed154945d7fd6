package reports

import (
	"encoding/json"
	"io"

	"github.com/depinsim/depinsim/sim"
)

// Manifest describes how a run directory was produced; it is written to
// manifest.json. WallSeconds is the only field that differs between two
// runs of the same scenario and seed.
type Manifest struct {
	// Tool is the program name ("depinsim").
	Tool string `json:"tool"`
	// Version is the program version.
	Version string `json:"version"`
	// Scenario is the scenario's name.
	Scenario string `json:"scenario"`
	// ScenarioFile is the path or preset the scenario was read from.
	ScenarioFile string `json:"scenario_file"`
	// ScenarioSHA256 is the hex SHA-256 of scenario.toml; WriteAll fills
	// it when empty.
	ScenarioSHA256 string `json:"scenario_sha256"`
	// MasterSeed is the seed every replication seed derives from.
	MasterSeed uint64 `json:"master_seed"`
	// SeedDerivation says how each replication's seed derives from the
	// master seed and the replication's index (sim.SeedDerivation):
	// never from the order in which replications ran.
	SeedDerivation string `json:"seed_derivation"`
	// Only lists the replications of the run that were re-run alone
	// ('depinsim run --rep K'); absent when every replication ran. Their
	// rows are those of the full run, byte for byte.
	Only []int `json:"only_replications,omitempty"`
	// Replications describes each replication run, in Rep order, with
	// its seed.
	Replications []RepInfo `json:"replications"`
	// EventsTotal is the number of events processed over all replications.
	EventsTotal uint64 `json:"events_total"`
	// WallSeconds is the elapsed wall-clock time of the run, in seconds.
	WallSeconds float64 `json:"wall_seconds"`
	// Start is the calendar date simulated time 0 stands for (YYYY-MM-DD).
	Start string `json:"start"`
	// Horizon is the simulated duration ("365d").
	Horizon string `json:"horizon"`
	// SampleEvery is the sampling interval ("1h").
	SampleEvery string `json:"sample_every"`
	// GoVersion is runtime.Version() of the binary.
	GoVersion string `json:"go_version"`
	// Command is the command line (os.Args).
	Command []string `json:"command"`
	// Files lists the folder's files other than manifest.json, relative
	// to it with '/' separators (RunFiles); WriteAll and RunWriter.Close
	// fill it. A folder is complete when its manifest.json is there, and
	// then every file it lists is whole.
	Files []string `json:"files"`
	// Precision, for a run that added replications until a precision
	// target ('depinsim run --precision'), records the targets and what
	// was reached; absent otherwise. RunWriter.Close copies it into
	// summary.json.
	Precision *Precision `json:"precision,omitempty"`
	// Checks records the checks the run evaluated: when the invariants
	// were checked and each invariant's and [[assert]] entry's result.
	Checks *Checks `json:"checks"`
}

// Checks records, in a Manifest, the checks a run evaluated.
type Checks struct {
	// Invariants says when the invariants were checked: "off", "samples"
	// (at every sample) or "events" (after every event).
	Invariants string `json:"invariants"`
	// Passed, Failed and Skipped count the results by verdict.
	Passed  int `json:"passed"`
	Failed  int `json:"failed"`
	Skipped int `json:"skipped"`
	// Results holds one result per invariant, then one per assertion,
	// as package assertion writes them (kind, name, metric, stat, mode,
	// value, bounds, verdict, reason, ...).
	Results json.RawMessage `json:"results"`
}

// RepInfo describes one replication in a Manifest.
type RepInfo struct {
	// Rep is the replication index (0-based).
	Rep int `json:"rep"`
	// Seed is the replication's seed.
	Seed uint64 `json:"seed"`
	// Events is the number of events processed.
	Events uint64 `json:"events"`
	// Samples is the number of samples recorded.
	Samples int `json:"samples"`
	// Learners summarises, per provider cohort whose bid strategy learns
	// (no-regret, adaptive-markup), the strategies' state at the end of
	// the replication (NewLearnerInfo); absent when no cohort learns.
	Learners []LearnerInfo `json:"learners,omitempty"`
}

// LearnerInfo is one provider cohort's learners at the end of a
// replication (sim.LearnerSummary), over the cohort's providers in the
// market then. The no-regret fields and the adaptive-markup fields are
// present only for their strategy, and the averages only when the cohort
// has providers.
type LearnerInfo struct {
	// Cohort is the provider cohort; Strategy its strategy.
	Cohort   string `json:"cohort"`
	Strategy string `json:"strategy"`
	// Providers is the number of providers summarised (count).
	Providers int `json:"providers"`
	// ArmMarkups (no-regret) are the arms, markups over cost (fraction).
	ArmMarkups []float64 `json:"arm_markups,omitempty"`
	// ArmProbabilities (no-regret) are the mean probability of each arm
	// over the providers (fraction).
	ArmProbabilities []float64 `json:"arm_mean_probabilities,omitempty"`
	// ArmLeaderShares (no-regret) are the share of the providers whose
	// most likely arm each arm is (fraction).
	ArmLeaderShares []float64 `json:"arm_leader_shares,omitempty"`
	// Outcomes (no-regret) is the number of bid outcomes learnt from,
	// over the providers (count).
	Outcomes *int64 `json:"outcomes,omitempty"`
	// MarkupMean, MarkupMin and MarkupMax (adaptive-markup) are the
	// providers' current markups, multiples of their asks.
	MarkupMean *float64 `json:"markup_mean,omitempty"`
	MarkupMin  *float64 `json:"markup_min,omitempty"`
	MarkupMax  *float64 `json:"markup_max,omitempty"`
}

// NewLearnerInfo returns the manifest's form of the learners' summaries
// ls (nil when ls is empty).
func NewLearnerInfo(ls []sim.LearnerSummary) []LearnerInfo {
	var out []LearnerInfo
	for _, l := range ls {
		li := LearnerInfo{Cohort: l.Cohort, Strategy: l.Strategy, Providers: l.Providers,
			ArmMarkups: l.ArmMarkups, ArmProbabilities: l.ArmProbabilities, ArmLeaderShares: l.ArmLeaderShares}
		switch {
		case l.ArmMarkups != nil:
			li.Outcomes = &l.Outcomes
		case l.Providers > 0:
			li.MarkupMean, li.MarkupMin, li.MarkupMax = &l.MarkupMean, &l.MarkupMin, &l.MarkupMax
		}
		out = append(out, li)
	}
	return out
}

// NewRepInfo returns the RepInfo of a replication's result.
func NewRepInfo(r sim.Result) RepInfo {
	return RepInfo{Rep: r.Rep, Seed: r.Seed, Events: r.Events, Samples: r.Samples}
}

// WriteJSON writes m as indented JSON followed by a newline.
func (m *Manifest) WriteJSON(w io.Writer) error {
	return writeJSON(w, m)
}

// writeJSON writes v as indented JSON followed by a newline.
func writeJSON(w io.Writer, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	b = append(b, '\n')
	_, err = w.Write(b)
	return err
}
