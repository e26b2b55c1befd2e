#!/usr/bin/env python3
"""bench_compile.py - compile-time scaling of corsc (issue 7).

For 1,000, 10,000 and 100,000 origins, spread over 10 and 100 policies, in
both languages, compile to every target (-t all -t json) and report wall time
and peak memory (GNU time -v).  Each figure is the best of a few runs; the
ratios (100k/10k time, DSL vs YAML) come from the same run.

usage: bench_compile.py CORSC
"""
import os
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPEAT = 3


def measure(corsc, path, outdir):
    best_wall, peak = None, 0
    for _ in range(REPEAT):
        t0 = time.perf_counter()
        p = subprocess.run(["/usr/bin/time", "-v", corsc, "build", "-t", "all", "-t", "json",
                            "-o", outdir, path], capture_output=True, text=True)
        wall = time.perf_counter() - t0
        if p.returncode != 0:
            sys.exit("corsc failed on %s:\n%s" % (path, p.stderr[-2000:]))
        m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr)
        rss = int(m.group(1)) if m else 0
        best_wall = wall if best_wall is None else min(best_wall, wall)
        peak = max(peak, rss)
    return best_wall, peak


def main():
    corsc = os.path.abspath(sys.argv[1])
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for lang in ("dsl", "yaml"):
            for npol in (10, 100):
                for n in (1000, 10000, 100000):
                    ext = "cors" if lang == "dsl" else "yaml"
                    path = os.path.join(tmp, "b%d-%d.%s" % (n, npol, ext))
                    subprocess.run([sys.executable, os.path.join(HERE, "gen_policies.py"),
                                    str(n), str(npol), lang, path], check=True)
                    out = os.path.join(tmp, "out")
                    os.makedirs(out, exist_ok=True)
                    wall, rss = measure(corsc, path, out)
                    rows.append((lang, npol, n, os.path.getsize(path), wall, rss))
    print("Compile time: every target (nginx, apache, caddy, json), best of %d runs" % REPEAT)
    print("%-5s %9s %8s %10s %9s %10s %12s" % ("lang", "policies", "origins", "input KiB",
                                               "wall s", "peak MiB", "100k/10k"))
    ok = True
    for lang, npol, n, size, wall, rss in rows:
        ratio = ""
        if n == 100000:
            ten = [r for r in rows if r[0] == lang and r[1] == npol and r[2] == 10000][0]
            ratio = "%.1f" % (wall / ten[4])
            if wall > 0.5 or rss > 100 * 1024 or wall / ten[4] > 12:
                ok = False
        print("%-5s %9d %8d %10.0f %9.3f %10.1f %12s" % (lang, npol, n, size / 1024, wall,
                                                        rss / 1024, ratio))
    print("targets (100k origins: <= 0.5 s, <= 100 MiB, 100k/10k <= 12): %s"
          % ("met" if ok else "NOT met"))


if __name__ == "__main__":
    main()
