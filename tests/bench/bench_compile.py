#!/usr/bin/env python3
"""bench_compile.py - compile-time scaling of corsc (issues 7 and 20).

For 1,000, 10,000 and 100,000 origins (exact and patterns mixed), spread over
10 and 100 policies, in both languages, compile to every target (-t all -t
json) and report wall time, CPU time (user + system) and peak memory (GNU
time -v).  The inputs are compiled interleaved, in a rotating order, for a
few rounds; figures are medians, and the 100k/10k ratio is taken within each
round, then the median.  A benchmark: it prints, it does not fail.

usage: bench_compile.py CORSC        env: BENCH_COMPILE_ROUNDS (5),
       BENCH_COMPILE_DIR (the folder for the inputs and output folders; default
       the system's temporary folder.  On an ext4 without a journal, creating a
       file scans past every inode of its block group freed in the last 1-6
       minutes, by any process (a busy /tmp: every test's temporary files),
       so the output folder's file system can weigh more than corsc: try
       /dev/shm to see corsc alone)

Each round rebuilds into the output folders of the round before, as make
does: every file is written anew (temporary file, fsync, rename), and the
replaced files are freed.  The header says which file system that was.
"""
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROUNDS = int(os.environ.get("BENCH_COMPILE_ROUNDS", "5"))
SIZES = (1000, 10000, 100000)


def measure(corsc, path, outdir):
    t0 = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-v", corsc, "build", "-t", "all", "-t", "json",
                        "-o", outdir, path], capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        sys.exit("corsc failed on %s:\n%s" % (path, p.stderr[-2000:]))

    def field(name):
        m = re.search(name + r": ([0-9.]+)", p.stderr)
        return float(m.group(1)) if m else 0.0
    cpu = field(r"User time \(seconds\)") + field(r"System time \(seconds\)")
    return wall, cpu, int(field(r"Maximum resident set size \(kbytes\)"))


def fs_type(path):
    """The type of the file system holding path (the longest mount point above it)."""
    best, kind = "", "?"
    path = os.path.realpath(path)
    try:
        with open("/proc/mounts") as f:
            for line in f:
                fields = line.split()
                mnt = fields[1].replace("\\040", " ")
                if (path == mnt or path.startswith(mnt.rstrip("/") + "/")) and len(mnt) >= len(best):
                    best, kind = mnt, fields[2]
    except OSError:
        pass
    return kind


def main():
    corsc = os.path.abspath(sys.argv[1])
    cases = [(lang, npol, n) for lang in ("dsl", "yaml") for npol in (10, 100) for n in SIZES]
    res = {c: [] for c in cases}
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_COMPILE_DIR") or None) as tmp:
        paths, outs = {}, {}
        for lang, npol, n in cases:
            ext = "cors" if lang == "dsl" else "yaml"
            path = os.path.join(tmp, "b%d-%d.%s" % (n, npol, ext))
            subprocess.run([sys.executable, os.path.join(HERE, "gen_policies.py"),
                            str(n), str(npol), lang, path], check=True)
            paths[(lang, npol, n)] = path
            outs[(lang, npol, n)] = os.path.join(tmp, "out-%s-%d-%d" % (lang, npol, n))
            os.makedirs(outs[(lang, npol, n)])
        for r in range(ROUNDS):
            k = r % len(cases)
            for c in cases[k:] + cases[:k]:
                res[c].append(measure(corsc, paths[c], outs[c]))
        sizes = {c: os.path.getsize(paths[c]) for c in cases}
        fs = fs_type(tmp)
        where = os.path.dirname(tmp)
    print("Compile time: every target (nginx, apache, caddy, json), median of %d interleaved rounds"
          % ROUNDS)
    print("(each round rebuilds over the outputs of the round before, as make does; outputs in %s, "
          "file system %s)" % (where, fs))
    print("%-5s %9s %8s %10s %9s %9s %10s %9s %9s" % ("lang", "policies", "origins", "input KiB",
                                                    "wall s", "cpu s", "peak MiB", "100k/10k",
                                                    "(cpu)"))
    ok = True
    for c in cases:
        lang, npol, n = c
        wall = statistics.median(x[0] for x in res[c])
        cpu = statistics.median(x[1] for x in res[c])
        rss = max(x[2] for x in res[c])
        ratio = rcpu = ""
        if n == SIZES[-1]:
            ten = res[(lang, npol, SIZES[-2])]
            q = statistics.median(a[0] / b[0] for a, b in zip(res[c], ten))
            qc = statistics.median(a[1] / max(b[1], 0.005) for a, b in zip(res[c], ten))
            ratio, rcpu = "%.1f" % q, "%.1f" % qc
            if cpu > 0.25 or rss > 64 * 1024 or qc > 12:
                ok = False
        print("%-5s %9d %8d %10.0f %9.3f %9.3f %10.1f %9s %9s" % (lang, npol, n, sizes[c] / 1024,
                                                                wall, cpu, rss / 1024, ratio, rcpu))
    print("targets (issue 20; 100k origins: cpu <= 0.25 s, peak <= 64 MiB, 100k/10k cpu <= 12): %s"
          % ("met" if ok else "NOT met"))
    print("(cpu s is user + system time; wall time includes waiting for the CPU on a loaded machine)")


if __name__ == "__main__":
    main()
