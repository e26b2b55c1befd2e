#!/usr/bin/env python3
# `corsc verify` against hand-made HTTP answers on loopback (tests/t-verify-wire.sh):
# byte-level shapes no real server configuration gives on purpose, each with
# what SPEC section 8 says verify must report.  The endpoint is a socket server
# in this process (a thread), on 127.0.0.1 and a free port; nothing else runs.
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
POLICY = os.path.join(HERE, "broken.cors")        # api: app.example.com, *.tenants, credentials


def allowed(o):
    return o == "https://app.example.com" or bool(
        re.fullmatch(r"https://[a-z0-9_-]{1,63}\.tenants\.example\.com", o or ""))


def correct_headers(method, h):
    """What corsc's output sends for the request: the policy's headers, Vary, X-Request-ID."""
    o = h.get("origin")
    pf = method == "OPTIONS" and "access-control-request-method" in h
    out = []
    if allowed(o):
        out = [("Access-Control-Allow-Origin", o), ("Access-Control-Allow-Credentials", "true")]
        if pf:
            out += [("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE"),
                    ("Access-Control-Allow-Headers", "Content-Type, Authorization"),
                    ("Access-Control-Max-Age", "600")]
        else:
            out += [("Access-Control-Expose-Headers", "X-Request-ID")]
    return pf, out + [("Vary", "Origin"), ("X-Request-ID", "1")]


def head(status, hs):
    return ("HTTP/1.1 %s\r\n" % status + "".join("%s: %s\r\n" % x for x in hs)).encode()


def answer(mode, method, h):
    """The bytes sent back for one request."""
    pf, good = correct_headers(method, h)
    st = "204 No Content" if pf else "200 OK"
    body = b"" if pf or method == "HEAD" else b"ok\n"
    plain = head(st, good) + b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body) + body
    o = h.get("origin")
    if mode == "good":
        return plain
    if mode == "trailer":
        # chunked, the right headers, then a trailer that reflects another origin:
        # browsers never read CORS headers from trailers
        if pf or method == "HEAD":
            return plain
        return (head(st, good) + b"Transfer-Encoding: chunked\r\nTrailer: Access-Control-Allow-Origin\r\n"
                b"Connection: close\r\n\r\n3\r\nok\n\r\n0\r\n"
                b"Access-Control-Allow-Origin: https://evil.example\r\n\r\n")
    if mode == "early-hints":
        # a 103 with a wildcard first: the final answer's headers count
        return b"HTTP/1.1 103 Early Hints\r\nAccess-Control-Allow-Origin: *\r\n\r\n" + plain
    if mode == "dup-case":
        # the application's header next to the policy's, in another case
        extra = b"access-control-allow-origin: %s\r\n" % o.encode() if allowed(o) else b""
        return plain.replace(b"\r\n\r\n", b"\r\n" + extra + b"\r\n", 1) if extra else plain
    if mode == "star-creds":
        return head(st, [("Access-Control-Allow-Origin", "*"), ("Access-Control-Allow-Credentials", "true"),
                         ("Vary", "Origin")]) + b"Content-Length: 0\r\nConnection: close\r\n\r\n"
    if mode == "redirect":
        return head("301 Moved Permanently", [("Location", "http://127.0.0.1:9/elsewhere")]) + \
            b"Content-Length: 0\r\nConnection: close\r\n\r\n"
    if mode == "big-body":
        # more than verify reads (1 MiB): it stops reading, the headers count
        if pf or method == "HEAD":
            return plain
        return head(st, good) + b"Content-Length: 50000000\r\nConnection: close\r\n\r\n" + b"x" * (4 << 20)
    if mode == "odd-bytes":
        # an answer for every origin whose values hold bytes no report may pass on raw
        return (b"HTTP/1.1 200 OK\r\nAccess-Control-Allow-Origin: \xff\xfe]]></x>\x01\x1b[31m\"<&\r\n"
                b"X-Odd-\xc3\xa9: \x7f\x80 \xe2\x82\r\nVary: Origin\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
    if mode == "garbage":
        return b"\x00\x01 garbage, not HTTP\r\n\r\n"
    if mode == "slow":
        return None
    raise ValueError(mode)


CONNECTIONS = [0]


def serve(conn):
    CONNECTIONS[0] += 1
    try:
        conn.settimeout(30)
        data = b""
        while b"\r\n\r\n" not in data:
            d = conn.recv(65536)
            if not d:
                return
            data += d
        lines = data.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
        method, path, _ = lines[0].split(" ", 2)
        h = {}
        for l in lines[1:]:
            n, v = l.split(":", 1)
            h[n.strip().lower()] = v.strip()
        mode = path.strip("/").split("/")[0]
        out = answer(mode, method, h)
        if out is None:           # slow: a header line every half second, never done
            conn.sendall(b"HTTP/1.1 200 OK\r\n")
            for _ in range(60):
                conn.sendall(b"X-Slow: a\r\n")
                time.sleep(0.5)
            return
        conn.sendall(out)
    except OSError:
        pass
    finally:
        conn.close()


def server():
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0))
    s.listen(64)

    def loop():
        while True:
            try:
                c, _ = s.accept()
            except OSError:
                return
            threading.Thread(target=serve, args=(c,), daemon=True).start()
    threading.Thread(target=loop, daemon=True).start()
    return s


def verify(corsc, port, mode, *extra):
    argv = [corsc, "verify", POLICY, "--policy", "api", "http://127.0.0.1:%d/%s/" % (port, mode),
            "--report", "json", "--timeout", "10"] + list(extra)
    t0 = time.time()
    r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=300)
    doc = json.loads(r.stdout) if r.stdout.startswith("{") else None
    return r.returncode, doc, r.stderr, time.time() - t0


def kinds(doc, sev=None):
    return sorted({f["kind"] for f in (doc or {}).get("findings", []) if sev is None or f["severity"] == sev})


def main():
    corsc = os.environ.get("CORSC") or sys.argv[1]
    s = server()
    port = s.getsockname()[1]
    failed = []

    def check(name, cond, detail):
        print(("ok   " if cond else "FAIL ") + name + ("" if cond else "\n    " + detail))
        if not cond:
            failed.append(name)

    # (mode, exit status, error kinds that must be there (exactly, when exact), extra args)
    cases = [
        ("good", 0, [], True, ()),
        ("trailer", 0, [], True, ()),
        ("early-hints", 0, [], True, ()),
        ("big-body", 0, [], True, ()),
        ("dup-case", 1, ["duplicate-header"], True, ()),
        ("star-creds", 1, ["refused-origin-allowed", "allow-origin-differs"], False, ()),
        ("redirect", 1, ["preflight-not-ok", "allowed-origin-refused"], False, ()),
    ]
    for mode, rc_want, want, exact, extra in cases:
        rc, doc, err, took = verify(corsc, port, mode, *extra)
        got = kinds(doc, "error")
        good = rc == rc_want and doc is not None and doc["sent"] == doc["planned"] and (
            got == sorted(want) if exact else all(k in got for k in want))
        check("%s: exit %d, errors %s" % (mode, rc_want, want or "none"), good,
              "exit %d, errors %s, sent %s\n%s" % (rc, got, doc and doc["sent"], err[-600:]))
    # no answer: named as such, exit 2, at the first request
    rc, doc, err, took = verify(corsc, port, "garbage")
    check("garbage: exit 2, 'not an HTTP answer'", rc == 2 and "not an HTTP answer" in err and
          doc is not None and doc["sent"] == 1, "exit %d\n%s" % (rc, err[-600:]))
    rc, doc, err, took = verify(corsc, port, "slow", "--timeout", "2")
    check("slow headers: exit 2, 'timeout' after --timeout 2", rc == 2 and "timeout" in err and took < 20,
          "exit %d after %.1fs\n%s" % (rc, took, err[-600:]))
    # odd bytes in the answer's values: every report stays well formed, no raw control byte in text
    import xml.etree.ElementTree as ET
    outs = {}
    for rep in ("json", "junit", "text"):
        r = subprocess.run([corsc, "verify", POLICY, "--policy", "api", "http://127.0.0.1:%d/odd-bytes/" % port,
                            "--report", rep, "--max-requests", "5"], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=120)
        outs[rep] = (r.returncode, r.stdout)
    problems = ["%s: exit %d" % (k, v[0]) for k, v in outs.items() if v[0] != 1]
    try:
        json.loads(outs["json"][1].decode("utf-8"))
        ET.fromstring(outs["junit"][1])
        text = outs["text"][1].decode("utf-8")
        if re.search(r"[\x00-\x08\x0b-\x1f\x7f]", text):
            problems.append("a raw control byte in the text report")
    except (ValueError, ET.ParseError) as e:
        problems.append("malformed report: %s" % e)
    check("odd bytes in header values: json, junit and text well formed", not problems, "; ".join(problems))
    # user info in the URL: libcurl would send it as Basic credentials (SPEC: none
    # unless given with --header) and the report would repeat it: a usage error
    n0 = CONNECTIONS[0]
    argv = [corsc, "verify", POLICY, "--policy", "api", "http://bob:hunter2@127.0.0.1:%d/good/" % port]
    r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=60)
    time.sleep(0.2)
    check("user:password@ in the URL: exit 2, nothing sent", r.returncode == 2 and "user info" in r.stderr and
          "hunter2" not in r.stdout + r.stderr and CONNECTIONS[0] == n0,
          "exit %d, %d connections\n%s%s" % (r.returncode, CONNECTIONS[0] - n0, r.stdout[-300:], r.stderr[-300:]))
    s.close()
    print("verify-wire: %d cases, %d failed" % (len(cases) + 4, len(failed)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
