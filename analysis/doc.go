// Package analysis holds the numerical core of global sensitivity analysis:
// experimental designs over a set of factors and the estimators that turn
// the outputs of those designs into indices. It performs no I/O and knows
// nothing of files, scenarios or the simulator: a caller maps each design
// point to a value of the model's output and hands the outputs back. A later
// step drives it through runner (each design point a scenario with its
// factors set, run with replications) and writes the results.
//
// Factors (Factor) pair a name with a distribution (Uniform, LogUniform,
// Normal, Discrete); every design is built on the unit hypercube and mapped
// to factor space by each distribution's inverse cumulative distribution
// function.
//
// Sobol indices (NewSobolDesign, SobolDesign.Estimate, EstimateSobol) use
// the Saltelli construction: two independent base samples A and B of N rows
// each (Latin hypercube or Owen-scrambled Halton points from gonum's
// stat/samplemv, seeded from a math/rand/v2 PCG) and, for each factor i, the
// matrix AB_i, which is A with column i taken from B. First-order indices use
// the estimator of
//
//	A. Saltelli, P. Annoni, I. Azzini, F. Campolongo, M. Ratto, S. Tarantola,
//	Variance based sensitivity analysis of model output. Design and estimator
//	for the total sensitivity index, Computer Physics Communications 181
//	(2010) 259-270 (Table 2, formula (b)),
//
// and total-effect indices the estimator of
//
//	M. J. W. Jansen, Analysis of variance designs for model output, Computer
//	Physics Communications 117 (1999) 35-43
//
// (also Table 2, formula (f) of Saltelli et al. 2010). Confidence intervals
// are percentile intervals of a seeded bootstrap over rows; a convergence
// table repeats the estimates on the first N/4, N/2 and N rows. Outputs that
// are NaN or infinite are refused by default, with an error naming the
// failing points; the explicit policy DropBlocks drops each affected row
// (its A, B and every AB_i point) and reports how many.
//
// Morris elementary effects (NewMorrisTrajectories, NewMorrisRadial,
// MorrisAnalyze) screen many factors cheaply: r trajectories of k + 1 points
// on a p-level grid (Morris 1991) or radial one-at-a-time steps from
// scrambled Halton pairs (Campolongo, Saltelli and Cariboni 2011), each
// factor's mu, mu* (the mean absolute effect, Campolongo, Cariboni and
// Saltelli 2007) and sigma with bootstrap intervals over trajectories;
// DropBlocks drops whole trajectories. SeedNoise splits an output's variance
// over design points run with R replications each (common random numbers)
// into seed noise and the part the factors explain, so that an index is not
// read off noise. The sources are cited in morris.go.
//
// Approximate Bayesian computation by rejection (Pritchard, Seielstad,
// Perez-Lezaun and Feldman, Population growth of human Y chromosomes,
// Molecular Biology and Evolution 16 (1999) 1791-1798) is built from
// UnitSample (n points of the unit hypercube, Latin hypercube or scrambled
// Halton), TruncatedNormal (a prior truncated to a parameter's bounds, by
// inverse CDF), ABCAccept (the draws within epsilon, or the given number of
// closest ones) and Quantile (the posterior's summaries).
//
// The tests check the estimators against the analytic indices of the
// Ishigami function (T. Ishigami, T. Homma, An importance quantification
// technique in uncertainty analysis for computer models, Proceedings of
// ISUMA '90, 1990, 398-403) and of Sobol's G function (I. M. Sobol',
// Sensitivity estimates for nonlinear mathematical models, Mathematical
// Modelling and Computational Experiments 1 (1993) 407-414; A. Saltelli,
// I. M. Sobol', About the use of rank transformation in sensitivity analysis
// of model output, Reliability Engineering and System Safety 50 (1995)
// 225-239).
package analysis
