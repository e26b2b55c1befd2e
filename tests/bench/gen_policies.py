#!/usr/bin/env python3
"""gen_policies.py - generate large policy files for the benchmarks.

usage: gen_policies.py N_ORIGINS N_POLICIES dsl|yaml OUT [--patterns K]

Origins are spread evenly over the policies; one in ten is a pattern
(one-label, multi-label or port wildcard) unless --patterns fixes the count
per policy.  The same arguments give the same file, in either language.
"""
import sys


def origins_for(policy, count, patterns):
    out = []
    for i in range(count):
        if patterns is None:
            is_pattern = i % 10 == 9
        else:
            is_pattern = i >= count - patterns
        if is_pattern:
            kind = i % 3
            if kind == 0:
                out.append("https://*.t%d-p%d.example.com" % (i, policy))
            elif kind == 1:
                out.append("https://**.r%d-p%d.example.net" % (i, policy))
            else:
                out.append("https://dev%d-p%d.example.org:*" % (i, policy))
        else:
            out.append("https://app%d.p%d.example.com" % (i, policy))
    return out


def main():
    args = sys.argv[1:]
    patterns = None
    if "--patterns" in args:
        k = args.index("--patterns")
        patterns = int(args[k + 1])
        del args[k:k + 2]
    n, npol, lang, path = int(args[0]), int(args[1]), args[2], args[3]
    per = [n // npol + (1 if i < n % npol else 0) for i in range(npol)]
    with open(path, "w") as f:
        if lang == "yaml":
            f.write("policies:\n")
        for p in range(npol):
            origs = origins_for(p, per[p], patterns)
            if lang == "dsl":
                f.write("policy p%d {\n    origins " % p)
                f.write(",\n        ".join('"%s"' % o for o in origs))
                f.write(";\n    methods GET, POST, PUT;\n    allow-headers Content-Type;\n"
                        "    credentials true;\n    max-age 10m;\n}\n")
            else:
                f.write("  p%d:\n    origins:\n" % p)
                f.write("".join('      - "%s"\n' % o for o in origs))
                f.write("    methods: [GET, POST, PUT]\n    allow-headers: Content-Type\n"
                        "    credentials: true\n    max-age: 10m\n")


if __name__ == "__main__":
    main()
