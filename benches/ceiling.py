#!/usr/bin/env python3
"""The host's own ceiling for two-way work: one command alone against two copies of it started
together, alternately. 2 x (one alone) / (two together) is the most any two-thread run of the
same work can gain on this machine at this hour.

    python3 benches/ceiling.py RUNS "CMD"

Used beside `benches/alternate.py` for `medcom validate --jobs 2` (BENCHMARKS.md).
"""
import statistics, subprocess, sys, time
cmd=sys.argv[2].split(); runs=int(sys.argv[1]); one=[]; two=[]
for _ in range(runs):
    s=time.perf_counter(); subprocess.run(cmd,stdout=subprocess.DEVNULL,stderr=subprocess.DEVNULL); one.append(time.perf_counter()-s)
    s=time.perf_counter(); ps=[subprocess.Popen(cmd,stdout=subprocess.DEVNULL,stderr=subprocess.DEVNULL) for _ in range(2)]
    [p.wait() for p in ps]; two.append(time.perf_counter()-s)
print("one alone %.1f ms, two side by side %.1f ms: two-way work runs at most %.2fx" % (statistics.median(one)*1000, statistics.median(two)*1000, 2*statistics.median(one)/statistics.median(two)))
print("paired %.2f" % statistics.median(2*a/b for a,b in zip(one,two)))
