#!/usr/bin/env python3
# diag-check.py ERRFILE CODE LINE:COL: ERRFILE (corsc --diagnostics json on
# standard error) must be JSON lines only, each one diagnostic object with
# code, severity, line and column, and hold an error CODE at LINE:COL.
# Grepping the text let invalid JSON pass; this parses it.
import json
import sys


def main():
    path, code, at = sys.argv[1], sys.argv[2], sys.argv[3]
    line, col = (int(x) for x in at.split(":"))
    found = False
    n = 0
    with open(path, encoding="utf-8") as f:
        for i, raw in enumerate(f, 1):
            if not raw.strip():
                continue
            try:
                d = json.loads(raw)
            except ValueError as e:
                print("line %d of the diagnostics is not JSON (%s): %r" % (i, e, raw[:200]))
                return 1
            if isinstance(d, dict) and d.get("code", 0) is None and d.get("severity") == "note" and "dropped" in d:
                continue   # the one last line when the list is cut at 50 errors (README)
            if not isinstance(d, dict) or not all(k in d for k in ("code", "severity", "line", "column", "message")):
                print("line %d is not a diagnostic object: %r" % (i, raw[:200]))
                return 1
            n += 1
            if d["code"] == code and d["severity"] == "error" and d["line"] == line and d["column"] == col:
                found = True
    if not found:
        print("no error %s at %s among %d diagnostics" % (code, at, n))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
