#!/usr/bin/env python3
# The application behind the servers under test: answers 200, 404 or 500 by
# path, sets its own Access-Control-* headers (which the servers must replace),
# and logs the X-E2E-ID of every request it sees, so preflights can be proven absent.
import argparse
import http.server
import os
import signal
import sys
import threading

# Headers the application sets itself on every answer.  The servers must drop
# every Access-Control-* one (SPEC section 6) and keep the Vary.
APP_HEADERS = [
    ("Access-Control-Allow-Origin", "*"),
    ("Access-Control-Allow-Credentials", "true"),
    ("Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE, OPTIONS, UPSTREAM"),
    ("Access-Control-Allow-Headers", "X-Upstream-Header"),
    ("Access-Control-Expose-Headers", "X-Upstream-Secret"),
    ("Access-Control-Max-Age", "99"),
    ("Access-Control-Allow-Private-Network", "true"),
    ("Vary", "Accept-Encoding"),
    ("X-Upstream", "hit"),
    ("X-Upstream-Secret", "s3cret"),
    ("X-Other", "other"),
    ("Set-Cookie", "e2e_session=abc123; Path=/; SameSite=None"),
]


def status_for(path):
    """The status the application answers for a path: its last segment s404, s500
    or s301 (a redirect to /followed-redirect)."""
    last = path.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    return {"s404": 404, "s500": 500, "s301": 301}.get(last, 200)


# tests/verify: UPSTREAM_OPTIONS_STATUS=405 answers OPTIONS with that status (an
# application that knows nothing of preflights); UPSTREAM_LOG_HEADERS=1 adds to
# each log line what a safe probe must not send: body length, cookie, transfer coding.
OPTIONS_STATUS = int(os.environ.get("UPSTREAM_OPTIONS_STATUS") or 0)
LOG_HEADERS = os.environ.get("UPSTREAM_LOG_HEADERS") == "1"


def request_id_for(path, e2e_id):
    """X-Request-ID: rid-<scenario> from a ?s= query parameter, else rid-<X-E2E-ID>."""
    if "?" in path:
        for part in path.split("?", 1)[1].split("&"):
            if part.startswith("s="):
                return "rid-" + part[2:]
    return "rid-" + (e2e_id or "none")


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server_version = "e2e-upstream"
    sys_version = ""

    def log_message(self, fmt, *args):   # quiet
        pass

    def answer(self):
        n = int(self.headers.get("Content-Length") or 0)
        if n:
            self.rfile.read(n)
        e2e_id = self.headers.get("X-E2E-ID")
        extra = ""
        if LOG_HEADERS:
            extra = " body=%d cookie=%s te=%s" % (n, "yes" if "Cookie" in self.headers else "no",
                                                 self.headers.get("Transfer-Encoding") or "-")
        self.server.record(e2e_id or "-", self.command, self.path + extra)
        status = status_for(self.path)
        if OPTIONS_STATUS and self.command == "OPTIONS":
            status = OPTIONS_STATUS
        body = ("status %d\n" % status).encode()
        self.send_response(status)
        for name, value in APP_HEADERS:
            self.send_header(name, value)
        if status == 301:
            self.send_header("Location", "/followed-redirect")
        self.send_header("X-Request-ID", request_id_for(self.path, e2e_id))
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        # headers and body in one write: no Nagle / delayed-ACK stalls
        self._headers_buffer.append(b"\r\n")
        if self.command != "HEAD":
            self._headers_buffer.append(body)
        self.wfile.write(b"".join(self._headers_buffer))
        self._headers_buffer = []

    def __getattr__(self, name):
        # do_GET, do_POST, do_OPTIONS, do_PURGE ... : every method gets an answer
        if name.startswith("do_"):
            return self.answer
        raise AttributeError(name)


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def __init__(self, addr, log_path):
        super().__init__(addr, Handler)
        self.lock = threading.Lock()
        self.log = open(log_path, "a", buffering=1) if log_path else None

    def record(self, e2e_id, method, path):
        if self.log:
            with self.lock:
                self.log.write("%s %s %s\n" % (e2e_id, method, path))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--log", help="append one line per request: X-E2E-ID METHOD PATH")
    ap.add_argument("--port-file", required=True, help="write the chosen port here")
    args = ap.parse_args()
    srv = Server(("127.0.0.1", 0), args.log)
    signal.signal(signal.SIGTERM, lambda *a: os._exit(0))
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(tmp, args.port_file)
    try:
        srv.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
