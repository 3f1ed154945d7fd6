"""Oracle for TestOpenTURNSOracle (analysis/openturns_test.go).

Reads a precomputed Sobol design and its outputs, computes Sobol indices
with OpenTURNS and prints them as JSON on stdout.

Usage: python3 openturns_oracle.py DESIGN.csv

DESIGN.csv: a first line "N,d" (rows of each base sample, number of
factors), then N (d + 2) lines "x_1,...,x_d,y" in the layout OpenTURNS's
SobolIndicesAlgorithm classes expect for a precomputed design (the layout
SobolIndicesExperiment.generate writes): the N rows of A, the N rows of B,
then for i = 1, ..., d the N rows of E_i, which is A with column i taken
from B.

Printed: {"version": OpenTURNS version,
          "S1_MauntzKucherenko": first-order indices of
              MauntzKucherenkoSensitivityAlgorithm,
          "ST_Jansen": total-order indices of JansenSensitivityAlgorithm,
          "S1_Saltelli", "ST_Saltelli": those of
              SaltelliSensitivityAlgorithm (a different estimator, for the
              log only)}.
"""

import json
import sys

import openturns as ot


def main():
    with open(sys.argv[1]) as f:
        n, d = (int(v) for v in f.readline().split(","))
        xs, ys = [], []
        for line in f:
            row = [float(v) for v in line.split(",")]
            if len(row) != d + 1:
                sys.exit("openturns_oracle: a line has %d fields; want %d" % (len(row), d + 1))
            xs.append(row[:d])
            ys.append(row[d:])
    if len(xs) != n * (d + 2):
        sys.exit("openturns_oracle: %d points; want N (d + 2) = %d" % (len(xs), n * (d + 2)))
    x, y = ot.Sample(xs), ot.Sample(ys)
    mk = ot.MauntzKucherenkoSensitivityAlgorithm(x, y, n)
    jansen = ot.JansenSensitivityAlgorithm(x, y, n)
    saltelli = ot.SaltelliSensitivityAlgorithm(x, y, n)
    json.dump(
        {
            "version": ot.__version__,
            "S1_MauntzKucherenko": list(mk.getFirstOrderIndices()),
            "ST_Jansen": list(jansen.getTotalOrderIndices()),
            "S1_Saltelli": list(saltelli.getFirstOrderIndices()),
            "ST_Saltelli": list(saltelli.getTotalOrderIndices()),
        },
        sys.stdout,
    )
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
