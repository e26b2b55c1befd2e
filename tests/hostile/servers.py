#!/usr/bin/env python3
# The accepted hostile inputs on real servers: for each file, corsc's output
# must pass `nginx -t`, `apache2 -t` and `caddy validate` in a minimal
# configuration (tests/e2e/harness.py), and a sample of requests per policy
# must be answered as `corsc eval` says (tests/e2e/diff.py compares).
import argparse
import concurrent.futures
import os
import shutil
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))
import diff  # noqa: E402
import harness  # noqa: E402
from harness import Fatal, log  # noqa: E402

PER_POLICY = 14     # sampled from diff.policy_requests, plus the targeted ones below


def sample_requests(pol):
    """A handful of requests for one policy: an even sample of the e2e matrix,
    plus a preflight and an actual request that carry every listed method and
    header name (the hostile text itself) from an origin that matches."""
    reqs = diff.policy_requests(pol)
    step = max(1, len(reqs) // PER_POLICY)
    out = reqs[::step][:PER_POLICY]
    match = diff.origin_candidates(pol["origins"][0])[0][0]
    headers = [h for h in (pol["allow-headers"] or []) if h != "*"]
    methods = [m for m in (pol["methods"] or []) if m != "*"] or ["PUT"]
    for i, m in enumerate(methods[:12]):
        out.append(diff.Req("preflight", match, "OPTIONS", m, headers[i:i + 3], "true" if i % 2 else None))
    # the allowed header names sent as request headers of an actual request
    for i, h in enumerate(headers[:12]):
        out.append(diff.Req("preflight", match, "OPTIONS", methods[i % len(methods)], [h]))
    out.append(diff.Req("actual", match, "GET", headers=headers[:8]))
    out.append(diff.Req("actual", "https://evil.example", "POST", headers=headers[:2], status=500))
    # Apache answers 400 to a request header line over 8190 bytes (LimitRequestFieldSize)
    return [r for r in out if all(len(n) + len(v) < 8000 for n, v in r.wire("/")[2])]


def run_one(server, f, outdir, pols, reqs, tmp, procs, upstream, oracle):
    t0 = time.time()
    job = diff.Job(server, os.path.basename(f), f, outdir, pols, reqs, tmp)
    diff.run_job(job, procs, upstream, oracle, ["inner"])
    return job, time.time() - t0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--corsc", default=os.environ.get("CORSC"))
    ap.add_argument("--servers", default=",".join(harness.SERVERS))
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("files", nargs="+")
    args = ap.parse_args()
    wanted = [s for s in args.servers.split(",") if s]
    missing = [s for s in harness.missing_servers() if s in wanted]
    servers = [s for s in wanted if s not in missing]
    tmp = harness.make_tmp(None, prefix="corsc-hostile.")[0]
    procs = harness.Processes()
    t0 = time.time()
    failed = 0
    try:
        upstream = harness.Upstream(procs, tmp)
        oracle = diff.Oracle(args.corsc)
        work, evals = [], []
        for i, f in enumerate(args.files):
            outdir = os.path.join(tmp, "build", "%03d" % i)
            pols = {p["name"]: p for p in harness.corsc_build(args.corsc, f, outdir)}
            if os.environ.get("E2E_BREAK"):     # damage the output: the test must fail
                harness.apply_break(os.environ["E2E_BREAK"], outdir)
            reqs = {n: sample_requests(p) for n, p in pols.items()}
            evals += [(f, p, reqs[n]) for n, p in pols.items()]
            for s in servers:
                # HAProxy's parser answers 400 itself to a header name of 256 bytes or more
                # (README; tests/e2e/haproxy.py shows it): those requests are not sent to it
                sr = reqs if s != "haproxy" else {n: [r for r in v if all(
                    len(h) <= harness.HAPROXY_MAX_HEADER_NAME for h, _ in r.wire("/")[2])]
                    for n, v in reqs.items()}
                work.append((s, f, outdir, pols, sr, os.path.join(tmp, "srv", s, "%03d" % i)))
        oracle.fill(evals, workers=4)
        log("%d accepted files, %d corsc eval answers (%.1fs)" % (len(args.files), oracle.calls, time.time() - t0))

        done = []
        with concurrent.futures.ThreadPoolExecutor(args.jobs) as ex:
            futs = {ex.submit(run_one, *w, procs, upstream, oracle): w for w in work}
            for fut in concurrent.futures.as_completed(futs):
                s, f = futs[fut][0], os.path.basename(futs[fut][1])
                try:
                    job, secs = fut.result()
                except Fatal as e:
                    failed += 1
                    log("FAIL %s %s: %s" % (s, f, e))
                    continue
                done.append(job)
                for m in job.mismatches:
                    log(m)
                n = sum(job.counts.values())
                if job.nmismatch or n == 0:
                    failed += 1
                log("%s %-6s %-32s %d requests, %d mismatches (%.1fs)"
                    % ("FAIL" if job.nmismatch or n == 0 else "ok  ", s, f, n, job.nmismatch, secs))
        seen = upstream.seen_ids()     # preflights must never reach the application
        for job in done:
            for rid, site, r, exp in job.preflight_ids:
                if rid in seen:
                    failed += 1
                    log("FAIL %s %s: preflight %s reached the application" % (job.server, job.name, rid))
        log("hostile on servers: %d files x %s, %d failed, %.1fs"
            % (len(args.files), ",".join(servers) or "no server", failed, time.time() - t0))
    except Fatal as e:
        log("ERROR: %s" % e)
        return 1
    finally:
        procs.stop_all()
        shutil.rmtree(tmp, ignore_errors=True)
    return harness.exit_status(failed, missing, bool(servers))


if __name__ == "__main__":
    sys.exit(main())
