// Command scaleplot draws docs/performance_scaling.png from the CSV that
// `pair scale` writes (make bench-scale): the whole-process time per R1
// event of depinsim and of r1limit against the number of providers (log2
// axis), and their ratio below.
//
// Usage:
//
//	scaleplot [-metric cpu|wall] docs/performance_scaling.csv docs/performance_scaling.png
package main
