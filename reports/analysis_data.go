package reports

// The data behind the charts and HTML reports of a sensitivity analysis
// ('depinsim sensitivity') and of a calibration ('depinsim calibrate').
// The commands fill these values from their folders' files; the
// functions that draw and write them (WriteSensitivityCharts,
// WriteSensitivityReport, WriteCalibrationCharts, WriteCalibrationReport)
// read nothing else, so a rebuild from the saved folder writes the same
// bytes.

// AnalysisProvenance is what every analysis report states about where its
// figures come from. Like a sweep's report it holds nothing of how the
// work was executed (command line, workers, resumes, shards), so that the
// page is the same whatever the workers and however the work was resumed
// or merged.
type AnalysisProvenance struct {
	// File is the analysis file's name without its folder (which may
	// differ between a run and the merge of its shards); SHA256 is the
	// hex SHA-256 of its text.
	File, SHA256 string
	// Base is the base scenario as the file names it (a path or a preset
	// name) and BaseSHA256 the SHA-256 of its text.
	Base, BaseSHA256 string
	// ToolVersion is depinsim's version.
	ToolVersion string
	// Set lists the overrides applied to every run.
	Set []string
	// MasterSeed is the master seed; SeedDerivation says how each run's
	// seed derives from it.
	MasterSeed     int64
	SeedDerivation string
	// Replications is the number of replications per design point (per
	// evaluation of a calibration).
	Replications int
}

// SensitivityFactor is one factor of a sensitivity analysis.
type SensitivityFactor struct {
	// Key is the factor's scenario key path, as --set writes it.
	Key string
	// Dist describes its distribution ("uniform(0.1, 0.9)",
	// "log-uniform(1, 100)", "normal(5, 1)", "discrete(2, 4, 8)").
	Dist string
}

// SensitivityIndex is one factor's indices for one output. A Sobol
// analysis fills S1 and ST, a Morris analysis Mu, MuStar and Sigma; each
// with the bounds of its bootstrap confidence interval (Lo, Hi) at the
// analysis's confidence level. Fields of the other method are NaN.
type SensitivityIndex struct {
	// Factor is the factor's key path.
	Factor string
	// First-order and total-effect Sobol indices.
	S1, S1Lo, S1Hi float64
	ST, STLo, STHi float64
	// Morris: the mean elementary effect, the mean absolute elementary
	// effect and the standard deviation of the elementary effects, in
	// the output's unit per unit of the factor's unit interval.
	Mu, MuLo, MuHi             float64
	MuStar, MuStarLo, MuStarHi float64
	Sigma, SigmaLo, SigmaHi    float64
}

// SensitivityConvergence is one row of an output's convergence table: the
// indices estimated on the first N base rows (Sobol) or trajectories
// (Morris).
type SensitivityConvergence struct {
	// N is the number of base rows or trajectories used.
	N int
	// Indices holds, per factor in the analysis's factor order, the
	// estimates on those rows (intervals NaN when not computed).
	Indices []SensitivityIndex
}

// SensitivityOutput is one output of a sensitivity analysis: a statistic
// of a metric over a window, averaged over each design point's
// replications.
type SensitivityOutput struct {
	// Name is the output's name (the file's [[output]] name); Label says
	// what it is ("mean of gpu_utilization over 180d..365d") and Unit
	// its unit.
	Name, Label, Unit string
	// Mean and Variance are the output's mean and variance over the
	// design points (of the points' replication means).
	Mean, Variance float64
	// NoiseShare is the share of the variance of single runs' values
	// that is seed noise (within-point variance over total variance, from
	// the replications at each point); NaN with one replication.
	NoiseShare float64
	// Dropped is the number of Sobol rows or Morris trajectories dropped
	// for missing values (the drop policy); Rerun the number of runs
	// rerun with other seeds (the rerun policy).
	Dropped, Rerun int
	// Indices holds one entry per factor, in the analysis's factor order.
	Indices []SensitivityIndex
	// Convergence holds the convergence table, smallest N first.
	Convergence []SensitivityConvergence
}

// SensitivityReport is what a sensitivity analysis's charts and
// report.html are built from.
type SensitivityReport struct {
	// Name is the analysis's name (the file's name without extension).
	Name string
	// Method is "sobol" or "morris"; Design says how its points were
	// built ("Saltelli A/B/AB_i on scrambled Halton, N = 256",
	// "Morris trajectories, r = 20, 4 levels", "Morris radial, r = 20").
	Method, Design string
	// Confidence is the level of the bootstrap intervals (0.95).
	Confidence float64
	// Points and Runs count the design; Failed lists the failed runs
	// ("point P rep R: error") left after the missing-value policy.
	Points, Runs int
	Failed       []string
	// Missing is the missing-value policy: "refuse", "drop" or "rerun".
	Missing string
	// Factors lists the factors, Outputs the outputs.
	Factors []SensitivityFactor
	Outputs []SensitivityOutput
	// Provenance says where the figures come from.
	Provenance AnalysisProvenance
}

// CalibrationParam is one free parameter of a calibration.
type CalibrationParam struct {
	// Key is the parameter's scenario key path; Min and Max its bounds;
	// Log tells that it is searched on a log scale.
	Key      string
	Min, Max float64
	Log      bool
	// Start is the starting value, Fitted the value found.
	Start, Fitted float64
	// Lo and Hi bound the fitted value's uncertainty interval (the
	// profile: the values for which the objective rises by at most the
	// report's threshold with the other parameters fixed); NaN when not
	// computed.
	Lo, Hi float64
	// LoOpen and HiOpen tell that the objective did not rise by the
	// threshold on that side before the last profile point: the interval
	// may reach further (draw that end open).
	LoOpen, HiOpen bool
	// Fixed tells that the parameter was fixed at Start (by screening)
	// rather than searched.
	Fixed bool
	// MuStar is the screening's mu* of the objective for the parameter
	// (objective units per unit of its search interval); NaN without a
	// screening.
	MuStar float64
	// PostMedian, PostLo and PostHi are the median and the 2.5% and
	// 97.5% quantiles of the parameter's approximate posterior (the
	// accepted draws of the approximate Bayesian computation); NaN
	// without one.
	PostMedian, PostLo, PostHi float64
}

// CalibrationTarget is one target of a calibration and how the fit meets
// it.
type CalibrationTarget struct {
	// Name is the target's name; Label says which statistic of which
	// metric over which window it is; Unit its unit.
	Name, Label, Unit string
	// Observed is the observed value; Sigma its standard error or
	// tolerance (the scale of its term in the objective); Tolerance the
	// half-width within which the target is met.
	Observed, Sigma, Tolerance float64
	// Simulated is the mean over the check replications (fresh seeds) at
	// the fitted parameters and SimLo, SimHi its 95% confidence interval;
	// Start the mean at the starting parameters.
	Simulated, SimLo, SimHi, Start float64
	// Met tells whether |Simulated - Observed| <= Tolerance.
	Met bool
}

// CalibrationStep is one entry of a calibration's objective history.
type CalibrationStep struct {
	// Evaluation is the number of objective evaluations so far (the
	// profile's left out); Phase is "start", "screen", "cma-es",
	// "nelder-mead" or "check". Best is the best objective so far among
	// the candidates for the fit (start, cma-es, nelder-mead).
	Evaluation int
	Phase      string
	// Objective is the evaluation's objective and Best the best so far.
	Objective, Best float64
}

// CalibrationReport is what a calibration's charts and report.html are
// built from.
type CalibrationReport struct {
	// Name is the calibration's name (the file's name without extension).
	Name string
	// Search says how the parameters were searched ("CMA-ES, population
	// 8, 40 generations, then Nelder-Mead, 60 evaluations").
	Search string
	// Evaluations is the number of objective evaluations; Objective the
	// fitted objective (on the search replications) and CheckObjective
	// the objective on the check replications (fresh seeds).
	Evaluations               int
	Objective, CheckObjective float64
	// StartObjective is the objective at the start (search
	// replications).
	StartObjective float64
	// Params lists the free parameters, Targets the targets, History the
	// objective's history in evaluation order.
	Params  []CalibrationParam
	Targets []CalibrationTarget
	History []CalibrationStep
	// ABCSamples is the number of draws of the approximate Bayesian
	// computation (0: none), ABCAccepted the number accepted and
	// ABCEpsilon the threshold on the distance (the sum of squared
	// standardized errors) below which a draw is accepted.
	ABCSamples, ABCAccepted int
	ABCEpsilon              float64
	// Provenance says where the figures come from.
	Provenance AnalysisProvenance
}
