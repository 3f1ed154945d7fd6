// Command pair times whole processes for docs/performance.md: it runs two
// commands in turn, A B A B ..., N pairs after one warm-up run of each,
// and prints the medians of each side's wall time, CPU time (user + sys,
// the process and its children, from the kernel's rusage) and peak RSS,
// and the median of the per-pair ratios A/B. On a shared machine the
// per-pair ratio is the robust figure: both sides of a pair see about
// the same load.
//
// Usage:
//
//	pair [-n 5] 'COMMAND A' 'COMMAND B'   two commands (split on blanks, no shell)
//	pair r1 [-n 5]                        make bench-r1: depinsim on R1 vs r1limit
//	pair scale [-n 3] [-ks 1,4,16,64] [-csv FILE]
//	                                      make bench-scale: R1 scaled by k, both programs
//	pair presets [-n 3]                   make bench-presets: the presets' medians, unpaired
//
// r1, scale and presets run bin/depinsim and bin/r1limit (-depinsim,
// -r1limit to change), write depinsim's outputs into a temporary folder
// removed at the end, and end with a Markdown table of the figures (the
// rows of docs/performance.md's results). The R1 event count, the
// denominator of events per second and ns per event, is r1limit's
// (docs/bench/r1.md §3: it belongs to the model; depinsim draws its own
// random numbers, so its count differs by a fraction of a percent).
//
// The hyperfine command that reproduces `pair r1` is in docs/performance.md.
package main
