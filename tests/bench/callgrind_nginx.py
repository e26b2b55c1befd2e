#!/usr/bin/env python3
"""callgrind_nginx.py - nginx's user-space instructions per request (issue 20).

The same variants as bench_runtime.py's nginx (baseline, floor, corsc 10 /
1,000 / 10,000 origins; its configuration builder is reused), each run as one
nginx process (master_process off) under valgrind --tool=callgrind.  After a
warm-up, callgrind_control -z, N keep-alive requests of one kind (allowed,
disallowed, preflight: the bench's Origins), callgrind_control -d; the
dump's total over N is the figure.  Deterministic to about 1%, unlike the
wall-clock bench on a shared machine; kernel time (TCP) is not counted, so
the ratios are of nginx's own work, not of the whole request.

usage: callgrind_nginx.py CORSC [N] [variant...]   (variants: baseline floor
       corsc10 corsc1000 corsc10000, or a corsc output folder with
       nginx/cors-http.conf and nginx/cors-p0.conf for gen_policies.py's
       policy of CG_ORIGINS (10000) origins; default all; N default 2000)
A measuring tool, not a test.
"""
import glob
import http.client
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import bench_runtime as br  # noqa: E402

KINDS = ("allowed", "disallowed", "preflight")


def requests(port, n, kind, origin_n):
    allowed = "https://app%d.p0.example.com" % (origin_n // 2)
    h = {"Origin": allowed}
    method = "GET"
    if kind == "disallowed":
        h["Origin"] = "https://app%d.p0.example.net" % (origin_n // 2)
    elif kind == "preflight":
        method = "OPTIONS"
        h["Access-Control-Request-Method"] = "PUT"
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    for _ in range(n):
        c.request(method, "/ok.txt", headers=h)
        r = c.getresponse()
        r.read()
        if r.status not in (200, 204):
            sys.exit("status %d" % r.status)
    c.close()


def total(path):
    with open(path) as f:
        for line in f:
            if line.startswith("totals:") or line.startswith("summary:"):
                return int(line.split()[1])
    sys.exit("no totals in " + path)


def measure(tmp, name, variant, origin_n, n):
    d = os.path.join(tmp, name.strip("/").replace("/", "_"))
    os.makedirs(d)
    port = br.free_port()
    argv, _, _ = br.nginx_conf(d, port, variant)
    conf = argv[-1]
    with open(conf) as f:
        text = f.read()
    with open(conf, "w") as f:
        f.write("master_process off;\n" + text)
    out = os.path.join(d, "cg.out")
    p = subprocess.Popen(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out + ".%p"] + argv,
                         stdout=subprocess.DEVNULL, stderr=open(os.path.join(d, "vg.log"), "w"))
    try:
        deadline = time.time() + 300
        while True:
            try:
                requests(port, 1, "allowed", origin_n)
                break
            except OSError:
                if time.time() > deadline or p.poll() is not None:
                    sys.exit("%s: nginx did not start (%s)" % (name, d))
                time.sleep(0.5)
        res = {}
        for k in KINDS:
            requests(port, 200, k, origin_n)
            subprocess.run(["callgrind_control", "-z", str(p.pid)], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            requests(port, n, k, origin_n)
            before = set(glob.glob(out + ".*"))
            subprocess.run(["callgrind_control", "-d", str(p.pid)], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            new = sorted(set(glob.glob(out + ".*")) - before)
            res[k] = total(new[-1]) / n
            if os.environ.get("KEEP_DUMPS"):
                shutil.copy(new[-1], "/tmp/cg-%s-%s.out" % (name, k))
        return res
    finally:
        p.terminate()
        p.wait()


def main():
    corsc = os.path.abspath(sys.argv[1])
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
    want = sys.argv[3:] or ["baseline", "floor"] + ["corsc%d" % s for s in br.SIZES]
    tmp = tempfile.mkdtemp(prefix="corsc-cg.")
    os.chmod(tmp, 0o755)
    try:
        variants = {"baseline": (("base",), br.SIZES[-1]), "floor": (("floor",), br.SIZES[-1])}
        for s in br.SIZES:
            if "corsc%d" % s not in want:
                continue
            path = os.path.join(tmp, "p%d.cors" % s)
            subprocess.run([sys.executable, os.path.join(HERE, "gen_policies.py"), str(s + br.PATTERNS),
                            "1", "dsl", path, "--patterns", str(br.PATTERNS)], check=True)
            out = os.path.join(tmp, "out%d" % s)
            subprocess.run([corsc, "build", "-t", "nginx", "-o", out, path], check=True)
            variants["corsc%d" % s] = (("corsc", out), s)
        for name in want:     # an output folder of one's own (A/B of hand-edited files)
            if os.path.isdir(name):
                variants[name] = (("corsc", os.path.abspath(name)),
                                  int(os.environ.get("CG_ORIGINS", str(br.SIZES[-1]))))
        rows = []
        for name in want:
            v, s = variants[name]
            rows.append((name, measure(tmp, name, v, s, n)))
            print("%-12s" % name[-12:] + "".join(" %10.0f" % rows[-1][1][k] for k in KINDS), file=sys.stderr)
        print("instructions per request (callgrind, %d requests, keep-alive)" % n)
        print("%-12s" % "variant" + "".join(" %10s" % k for k in KINDS)
              + "".join(" %10s" % ("base/" + k[:5]) for k in KINDS))
        base = dict(rows).get("baseline")
        for name, r in rows:
            line = "%-12s" % name[-12:] + "".join(" %10.0f" % r[k] for k in KINDS)
            if base:
                line += "".join(" %10.3f" % (base[k] / r[k]) for k in KINDS)
            print(line)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
