#!/usr/bin/env python3
"""Times two commands alternately (so drift on a shared machine hits both alike) and prints
their median wall times, minimums, the ratio of the medians and the median of paired ratios.

    python3 benches/alternate.py "CMD A" "CMD B" [RUNS]

Used for `medcom validate` against `medcom validate --jobs 2` (BENCHMARKS.md).
"""
import statistics
import subprocess
import sys
import time

commands = [sys.argv[1].split(), sys.argv[2].split()]
runs = int(sys.argv[3]) if len(sys.argv) > 3 else 30
times = [[], []]
for _ in range(runs):
    for k in (0, 1):
        start = time.perf_counter()
        subprocess.run(commands[k], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times[k].append(time.perf_counter() - start)
medians = [statistics.median(t) for t in times]
print("median ms", [round(m * 1000, 1) for m in medians], "min ms", [round(min(t) * 1000, 1) for t in times])
print("ratio of medians %.2f" % (medians[0] / medians[1]))
print("median of paired ratios %.2f" % statistics.median(a / b for a, b in zip(times[0], times[1])))
