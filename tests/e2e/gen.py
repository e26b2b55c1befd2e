#!/usr/bin/env python3
# The seeded policy generator of the soak (tests/e2e/soak.py): valid policies
# that cover every feature of SPEC sections 1-3 - exact origins with DNS,
# IPv4 and bracketed IPv6 hosts and ports, `*.`, `**.`, `:*`, "null", `*`,
# every method and odd-but-legal token characters in methods and header
# names (RFC 9110 tchar: ! # $ % & ' * + - . ^ _ ` | ~), credentials,
# private-network, max-age edge values, several policies per file - written
# in the policy language or in YAML.  The same seed gives the same files.
#
#   gen.py SEED N DIR     writes DIR/gen-SEED-I.cors|yaml for I < N
import random
import sys

# tchars other than letters and digits; '#' ends a word in the policy
# language, so a name holding it is written as a string there.
ODD = "!#$%&'*+-.^_`|~"
STD_METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]
STD_HEADERS = ["Content-Type", "Authorization", "X-Requested-With", "X-CSRF-Token", "Accept",
               "X-Request-ID", "X-RateLimit-Remaining", "ETag", "Link", "Content-Range",
               "If-Match", "X-Api-Key", "Range", "Accept-Language"]
# max-age edge values (the largest accepted is 2^31-1 seconds)
MAX_AGES = ["0", "1", "5s", "59", "60", "1m", "599", "600", "10m", "7199", "7200", "2h", "7201",
            "86399", "86400", "1d", "86401", "2147483647", "24855d", "596523h"]
TLDS = ["example.com", "example.org", "example.net", "tenants.example.com", "a-b.example.io",
        "x1.y2.example.dev", "example.co.uk", "preview.example.app"]


def _label(rng, n_max=12):
    alpha = "abcdefghijklmnopqrstuvwxyz0123456789"
    n = rng.randint(1, n_max)
    s = "".join(rng.choice(alpha) for _ in range(n))
    if n > 2 and rng.random() < 0.3:
        i = rng.randint(1, n - 2)
        s = s[:i] + "-" + s[i + 1:]
    if rng.random() < 0.03:
        s = "x" * 63                      # the longest label
    return s


def _domain(rng):
    return ".".join([_label(rng) for _ in range(rng.randint(0, 2))] + [rng.choice(TLDS)])


def _port(rng, scheme):
    r = rng.random()
    if r < 0.45:
        return ""
    if r < 0.55:
        return ":" + {"http": "80", "https": "443"}[scheme] if rng.random() < 0.3 else ":1"
    return ":" + str(rng.choice([8080, 8443, 3000, 65535, 1024, 5173, rng.randint(1, 65535)]))


def _origin(rng, credentials):
    scheme = "https" if rng.random() < 0.65 or credentials else "http"
    r = rng.random()
    if r < 0.08:
        return "null"
    if r < 0.18:
        host = "%d.%d.%d.%d" % tuple(rng.randint(0, 255) for _ in range(4))
        if credentials:
            host = "127.0.0.1"
    elif r < 0.25:
        host = rng.choice(["[::1]", "[2001:db8::1]", "[fe80::1]", "[::ffff:a00:1]", "[2001:db8::1:0:0:1]"])
        if credentials:
            host = "[::1]"
    elif r < 0.3:
        host = "localhost"
    elif r < 0.5:
        host = "*." + _domain(rng)
    elif r < 0.62:
        host = "**." + _domain(rng)
    else:
        host = _domain(rng)
    port = ":*" if rng.random() < 0.15 else _port(rng, scheme)
    return "%s://%s%s" % (scheme, host, port)


def _token(rng, base, odd_ok=ODD):
    """A token: a standard name, or one with odd-but-legal characters."""
    if rng.random() < 0.6:
        return base
    n = rng.randint(1, 3)
    odd = "".join(rng.choice(odd_ok) for _ in range(n))
    at = rng.randint(0, 2)
    return [odd + base, base + odd, base[:2] + odd + base[2:]][at]


def _header(rng):
    h = _token(rng, rng.choice(STD_HEADERS + ["X-" + _label(rng, 8)]))
    if h.lower().startswith("access-control-") or h.lower() == "origin" or h == "*":
        h = "X-" + h
    return h


def _unique(xs):
    out, seen = [], set()
    for x in xs:
        if x.lower() not in seen:
            seen.add(x.lower())
            out.append(x)
    return out


def _name(rng, taken, prefix):
    while True:
        n = rng.choice("abcdefghijklmnopqrstuvwxyz") + "".join(
            rng.choice("abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123456789-_") for _ in range(rng.randint(0, 10)))
        n = prefix + n if prefix else n
        key = n.lower().replace("-", "_")
        if key not in taken:
            taken.add(key)
            return n


def policy(rng, taken, prefix=""):
    """One valid policy as a dict of raw values (lists, '*', booleans, max-age text)."""
    p = {"name": _name(rng, taken, prefix)}
    any_origin = rng.random() < 0.12
    credentials = (not any_origin) and rng.random() < 0.4
    if any_origin:
        p["origins"] = "*"
    else:
        os_ = []
        for _ in range(rng.choice([1, 1, 2, 3, 4, 6])):
            o = _origin(rng, credentials)
            # a wildcard of a pattern over a public suffix is an error (E012): not generated
            if o not in os_:
                os_.append(o)
        p["origins"] = os_
    r = rng.random()
    if r < 0.25:
        pass
    elif r < 0.33 and not credentials:
        p["methods"] = "*"
    else:
        ms = rng.sample(STD_METHODS, rng.randint(1, 5))
        ms += [_token(rng, rng.choice(["PURGE", "REPORT", "X-M", "Mkcol"]), ODD.replace("#", ""))
               for _ in range(rng.randint(0, 2))]
        p["methods"] = _unique(ms)
    r = rng.random()
    if r < 0.3:
        pass
    elif r < 0.38 and not credentials:
        p["allow-headers"] = ["*"] if rng.random() < 0.5 else ["*", "Authorization"]
    else:
        p["allow-headers"] = _unique([_header(rng) for _ in range(rng.randint(1, 6))])
    r = rng.random()
    if r < 0.35:
        pass
    elif r < 0.43 and not credentials:
        p["expose-headers"] = "*"
    else:
        p["expose-headers"] = _unique([_header(rng) for _ in range(rng.randint(1, 4))])
    if credentials or rng.random() < 0.2:
        p["credentials"] = credentials
    if rng.random() < 0.6:
        p["max-age"] = rng.choice(MAX_AGES)
    if not any_origin and rng.random() < 0.35:
        p["private-network"] = True
    elif rng.random() < 0.1:
        p["private-network"] = False
    return p


def policies(rng, prefix=""):
    taken = set()
    return [policy(rng, taken, prefix) for _ in range(rng.choice([1, 1, 2, 2, 3, 4]))]


# ---------------------------------------------------------------- writers

def _word_or_string(s):
    if "#" in s or not s:
        return '"%s"' % s.replace("\\", "\\\\").replace('"', '\\"')
    return s


def to_dsl(pols):
    out = []
    for p in pols:
        out.append("policy %s {" % p["name"])
        if p["origins"] == "*":
            out.append("    origins *;")
        else:
            out.append("    origins %s;" % ", ".join('"%s"' % o for o in p["origins"]))
        for key in ("methods", "allow-headers", "expose-headers"):
            if key in p:
                v = p[key]
                if v == "*":
                    out.append("    %s *;" % key)
                else:
                    out.append("    %s %s;" % (key, ", ".join(x if x == "*" else _word_or_string(x) for x in v)))
        for key in ("credentials", "private-network"):
            if key in p:
                out.append("    %s %s;" % (key, "true" if p[key] else "false"))
        if "max-age" in p:
            out.append("    max-age %s;" % p["max-age"])
        out.append("}")
    return "\n".join(out) + "\n"


def _yq(s):
    return '"%s"' % s.replace("\\", "\\\\").replace('"', '\\"')


def to_yaml(pols):
    out = ["policies:"]
    for p in pols:
        out.append("  %s:" % p["name"])
        o = p["origins"]
        out.append("    origins: %s" % (_yq("*") if o == "*" else "[%s]" % ", ".join(_yq(x) for x in o)))
        for key in ("methods", "allow-headers", "expose-headers"):
            if key in p:
                v = p[key]
                out.append("    %s: %s" % (key, _yq("*") if v == "*" else "[%s]" % ", ".join(_yq(x) for x in v)))
        for key in ("credentials", "private-network"):
            if key in p:
                out.append("    %s: %s" % (key, "true" if p[key] else "false"))
        if "max-age" in p:
            out.append("    max-age: %s" % p["max-age"])
    return "\n".join(out) + "\n"


def from_normalized(p):
    """A policies.json entry back to the generator's form (for minimizing)."""
    q = {"name": p["name"], "origins": "*" if p["origins"] == ["*"] else list(p["origins"])}
    for key in ("methods", "allow-headers", "expose-headers"):
        v = p.get(key)
        if v is not None:
            q[key] = "*" if v == ["*"] and key != "allow-headers" else list(v)
    if p.get("credentials"):
        q["credentials"] = True
    if p.get("max-age") is not None:
        q["max-age"] = str(p["max-age"])
    if p.get("private-network"):
        q["private-network"] = True
    return q


def write_file(rng, path_base, prefix=""):
    """Write one generated file, language chosen by rng; returns (path, policies)."""
    pols = policies(rng, prefix)
    if rng.random() < 0.5:
        path, text = path_base + ".cors", to_dsl(pols)
    else:
        path, text = path_base + ".yaml", to_yaml(pols)
    with open(path, "w") as f:
        f.write(text)
    return path, pols


def main():
    seed, n, d = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    rng = random.Random(seed)
    for i in range(n):
        print(write_file(rng, "%s/gen-%d-%d" % (d, seed, i))[0])


if __name__ == "__main__":
    main()
