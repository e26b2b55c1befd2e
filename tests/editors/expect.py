#!/usr/bin/env python3
"""The scopes an editor must give a .cors file, from an independent reading of
SPEC section 1, checked against the tokens of a highlighter.

    expect.py textmate TOKENS.json      tokens from tokenize.js (vscode-textmate)
    expect.py vim FILE RESULT...        RESULT: one line per character, "line col names..."

For every file: each comment character is a comment; `policy` and every
statement keyword are keywords; a policy name is a name; strings in `origins`
are origins, other strings strings; true/false are booleans.  Prints what it
checked and exits 1 on any difference (and if a kind was never seen).
"""
import json
import re
import sys

STATEMENTS = {"origins", "methods", "allow-headers", "expose-headers", "credentials",
              "max-age", "private-network"}
TCHAR = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]")


def expected(text):
    """(line, start, end, kind) for each token that has a required scope; 0-based."""
    out = []
    after_policy = False
    stmt = None
    at_stmt_start = False
    for ln, line in enumerate(text.split("\n")):
        i = 0
        while i < len(line):
            c = line[i]
            if c == "#":
                out.append((ln, i, len(line), "comment"))
                break
            if c == '"':
                j = i + 1
                while j < len(line) and line[j] != '"':
                    j += 2 if line[j] == "\\" else 1
                j = min(j + 1, len(line))
                out.append((ln, i, j, "origin" if stmt == "origins" else "string"))
                i = j
                continue
            if TCHAR.match(c) and c != "#":
                j = i
                while j < len(line) and TCHAR.match(line[j]) and line[j] != "#":
                    j += 1
                w = line[i:j]
                if after_policy:
                    out.append((ln, i, j, "name"))
                    after_policy = False
                elif w == "policy" and stmt is None and not at_stmt_start:
                    out.append((ln, i, j, "policy"))
                    after_policy = True
                elif at_stmt_start and w in STATEMENTS:
                    out.append((ln, i, j, "keyword"))
                    stmt = w
                    at_stmt_start = False
                elif w in ("true", "false") and stmt in ("credentials", "private-network"):
                    out.append((ln, i, j, "boolean"))
                i = j
                continue
            if c == "{":
                at_stmt_start = True
            elif c == ";":
                stmt = None
                at_stmt_start = True
            elif c == "}":
                stmt = None
                at_stmt_start = False
            i += 1
    return out


TEXTMATE = {
    "comment": "comment.line.number-sign.cors",
    "policy": "keyword.other.policy.cors",
    "name": "entity.name.type.policy.cors",
    "keyword": "keyword.other.statement.cors",
    "origin": "string.quoted.double.origin.cors",
    "string": "string.quoted.double.cors",
    "boolean": "constant.language.boolean.cors",
}
VIM = {
    "comment": "corsComment",
    "policy": "corsPolicy",
    "name": "corsPolicyName",
    "keyword": "corsStatement",
    "origin": "corsOrigin",
    "string": "corsString",
    "boolean": "corsBoolean",
}


def check(files_scopes):
    """files_scopes: [(file, text, scopes_at(line, col) -> list of names, table)]."""
    bad = 0
    seen = {}
    for name, text, scopes_at, table in files_scopes:
        for ln, a, b, kind in expected(text):
            seen[kind] = seen.get(kind, 0) + 1
            for col in range(a, b):
                got = scopes_at(ln, col)
                if table[kind] not in got:
                    print("FAIL %s:%d:%d %r: want %s, got %s" % (name, ln + 1, col + 1,
                          text.split("\n")[ln][a:b], table[kind], got))
                    bad += 1
                    break
            # an origin is never also a plain string, and the reverse
            other = {"origin": "string", "string": "origin"}.get(kind)
            if other and table[other] in scopes_at(ln, a + 1 if b - a > 1 else a):
                print("FAIL %s:%d:%d: %s also has %s" % (name, ln + 1, a + 1, kind, table[other]))
                bad += 1
    print("checked: " + ", ".join("%s %d" % kv for kv in sorted(seen.items())))
    missing = set(TEXTMATE) - set(seen)
    if missing:
        print("FAIL: no %s in the files checked" % sorted(missing))
        bad += 1
    return bad


def main():
    mode = sys.argv[1]
    if mode == "textmate":
        data = json.load(open(sys.argv[2]))
        items = []
        for f in data:
            text = open(f["file"], encoding="utf-8").read()
            lines = f["lines"]

            def scopes_at(ln, col, lines=lines):
                for t in lines[ln]:
                    if t["start"] <= col < t["end"]:
                        return t["scopes"]
                return []
            items.append((f["file"], text, scopes_at, TEXTMATE))
    else:
        items = []
        args = sys.argv[2:]
        for name, result in zip(args[::2], args[1::2]):
            text = open(name, encoding="utf-8").read()
            groups = {}
            for l in open(result, encoding="utf-8"):
                ln, col, *stack = l.split()
                groups[(int(ln) - 1, int(col) - 1)] = stack
            items.append((name, text, lambda ln, col, g=groups: g.get((ln, col), []), VIM))
    sys.exit(1 if check(items) else 0)


main()
