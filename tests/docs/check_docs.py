#!/usr/bin/env python3
"""Run what README.md and the manual pages show, exactly as they show it.

Every fenced block of the README is taken by its kind, straight from the
file, so an example is tested the day it is written (a block marked
`<!-- recipe: NAME -->` is run by tests/recipes/run.py or t-editors.sh):
  - a policy (a plain block with `policy NAME {`, or a yaml block with
    `policies:`) must pass `corsc check --werror`; one named in the text just
    before it (`api.cors`) is saved under that name for the blocks after it;
  - a transcript (lines starting with `$ `) is run, and the output it shows
    must be what the command prints (standard output and error together);
    a command shown without output must exit 0;
  - an `sh` block is run line by line, each line must exit 0;
  - `nginx`, `apache` and `caddy` blocks must pass `nginx -t`, `apache2 -t`
    (with the modules named on its `a2enmod` line, and nothing else) and
    `caddy validate` with the snippets built from the policies above;
  - `haproxy` blocks: files marked `# /etc/haproxy/NAME` are written (one
    marked as a copy of corsc's cors.cfg gets it), a section that holds a
    `# ---- the lines of FRAGMENT ----` line gets that fragment there; then
    `haproxy -c` on them (after /etc/haproxy/10-base.cfg of an earlier block);
  - the `make` block (the pipeline rule) is run for real with a real
    `nginx -t`: once accepted (deployed, reloaded), once refused (the live
    folder unchanged, no reload).
/etc/corsc becomes a temporary folder; `make demo` runs in the repository;
`make check` (this test runs inside it) and `make install`/`uninstall` (tests/t-install.sh)
are the only lines not run here, and they are named in the output.
The manual pages' .nf blocks are taken the same way: corsc(1)'s EXAMPLES are
run, corsc.cors(5)'s policies must check clean.
"""
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile

top, corsc = sys.argv[1], sys.argv[2]
work = tempfile.mkdtemp(prefix="corsc-docs-")
etc = os.path.join(work, "etc-corsc")
fails = []
ran = 0
not_run = []


def fail(where, what):
    fails.append("%s: %s" % (where, what))


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def subst(text):
    return text.replace("/etc/corsc", etc).replace("/etc/haproxy", os.path.join(work, "etc-haproxy"))


def run(cmd, where, merge=True):
    global ran
    ran += 1
    env = dict(os.environ, HOME=work, XDG_DATA_HOME=work, XDG_CONFIG_HOME=work, LC_ALL="C.UTF-8")
    r = subprocess.run(["sh", "-c", cmd], cwd=work, env=env, stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT if merge else subprocess.PIPE,
                       timeout=120)
    return r.returncode, r.stdout.decode("utf-8", "replace")


def check_policy(text, name, where):
    path = os.path.join(work, name)
    with open(path, "w") as f:
        f.write(text)
    rc, out = run("build/corsc check --werror %s" % name, where)
    if rc != 0:
        fail(where, "policy %s does not check clean:\n%s" % (name, out))


def fenced_blocks(text):
    """(info, body, first line number, the prose before it) of each ``` block."""
    out, prose, lines, i = [], [], text.split("\n"), 0
    while i < len(lines):
        m = re.match(r"^```(\w*)\s*$", lines[i])
        if not m:
            prose.append(lines[i])
            i += 1
            continue
        start, body = i + 1, []
        i += 1
        while i < len(lines) and not lines[i].startswith("```"):
            body.append(lines[i])
            i += 1
        out.append((m.group(1), "\n".join(body) + "\n", start + 1, "\n".join(prose[-6:])))
        prose = []
        i += 1
    return out


LOOPBACK = ("127.0.0.1", "localhost", "[::1]")


def live_endpoint(cmd):
    """The host a `corsc verify` command would probe, if it is not this machine.

    Such a command is never run here (no traffic leaves loopback):
    tests/t-verify.sh runs verify against real servers on 127.0.0.1."""
    if not re.search(r"\bcorsc verify\b", cmd):
        return None
    for host in re.findall(r"https?://(\[[^\]]*\]|[^/:\s'\"]+)", cmd):
        if host not in LOOPBACK:
            return host
    return None


def not_live(cmd, where):
    host = live_endpoint(cmd)
    if host:
        not_run.append("%s `%s`: probes %s, a live endpoint (tests/t-verify.sh runs "
                       "verify against real servers on loopback)" % (where, cmd.strip(), host))
    return host is None


def transcript(body, where):
    """$ lines and the output shown under each."""
    groups = []
    for line in body.split("\n")[:-1]:
        if line.startswith("$ "):
            groups.append([line[2:], []])
        elif groups:
            groups[-1][1].append(line)
        else:
            fail(where, "a transcript must start with '$ '")
    for cmd, shown in groups:
        if not not_live(cmd, where):
            continue
        rc, out = run(subst(cmd), where)
        if shown:
            want = "\n".join(shown) + "\n"
            if out != want:
                fail(where, "`%s` prints\n%s\ninstead of what the docs show:\n%s" % (cmd, out, want))
        elif rc != 0:
            fail(where, "`%s` exits %d:\n%s" % (cmd, rc, out))


SKIP_LINES = {
    "make check": "this test runs inside it",
    "make install": "tests/t-install.sh installs into a DESTDIR",
    "make uninstall": "tests/t-install.sh",
}


def sh_block(body, where):
    """Each command line (continuations joined) exits 0; `corsc` is build/corsc."""
    for line in body.replace("\\\n", " ").split("\n"):
        cmd = line.split("#", 1)[0].strip() if not line.lstrip().startswith("#") else ""
        if not cmd:
            continue
        key = " ".join(cmd.split()[:2])
        if key in SKIP_LINES:
            not_run.append("%s `%s`: %s" % (where, cmd, SKIP_LINES[key]))
            continue
        if not not_live(line, where):
            continue
        if cmd.split()[0] == "corsc":   # the installed corsc, as the README assumes
            line = "build/" + line.lstrip()
        if key == "make demo":   # run where the README runs it, in the repository
            line = "make -s -C %s demo > /dev/null && test -s %s/demo/spa-api.cors/nginx/cors-http.conf" % (top, top)
        rc, out = run(subst(line), where)
        if rc != 0:
            fail(where, "`%s` exits %d:\n%s" % (line.strip(), rc, out))


def nginx_block(body, where):
    conf = os.path.join(work, "nginx.conf")
    text = subst(body)
    text = re.sub(r"\blisten\s+80\s*;", "listen 127.0.0.1:%d;" % free_port(), text)
    with open(conf, "w") as f:
        f.write("pid %s/nginx.pid;\nerror_log %s/nginx-error.log;\nevents {}\n%s" % (work, work, text))
    rc, out = run("nginx -t -q -p %s -e %s/nginx-error.log -c %s" % (work, work, conf), where)
    if rc != 0:
        fail(where, "nginx -t refuses the README's nginx example:\n%s" % out)


def apache_block(body, where):
    m = re.search(r"^#\s*a2enmod\s+(.+)$", body, re.M)
    mods = m.group(1).split() if m else []
    # a2enmod enables what a module depends on
    deps = {"proxy_http": ["proxy"], "proxy_fcgi": ["proxy"]}
    want = []
    for mod in mods:
        for d in deps.get(mod, []) + [mod]:
            if d not in want:
                want.append(d)
    port = free_port()
    text = subst(body).replace("*:80", "*:%d" % port)
    moddir = os.environ.get("APACHE_MODULES", "/usr/lib/apache2/modules")
    conf = os.path.join(work, "httpd.conf")
    os.makedirs(os.path.join(work, "logs"), exist_ok=True)
    lines = ['ServerRoot "%s"' % work, 'PidFile "%s/httpd.pid"' % work,
             'ErrorLog "%s/logs/error.log"' % work, 'Mutex "file:%s/logs" default' % work,
             "Listen 127.0.0.1:%d" % port, "ServerName 127.0.0.1"]
    for mod in ["mpm_event", "authz_core"] + want:
        lines.append("LoadModule %s_module %s/mod_%s.so" % (mod, moddir, mod))
    with open(conf, "w") as f:
        f.write("\n".join(lines) + "\n" + text)
    rc, out = run("/usr/sbin/apache2 -t -f %s" % conf, where)
    if rc != 0:
        fail(where, "apache2 -t refuses the README's Apache example "
             "(modules from its a2enmod line: %s):\n%s" % (" ".join(want) or "none", out))


def caddy_block(body, where):
    conf = os.path.join(work, "Caddyfile")
    with open(conf, "w") as f:
        f.write(subst(body))
    rc, out = run("caddy validate --adapter caddyfile --config %s" % conf, where)
    if rc != 0:
        fail(where, "caddy validate refuses the README's Caddy example:\n%s" % out)


def haproxy_block(body, where):
    d = os.path.join(work, "etc-haproxy")
    os.makedirs(d, exist_ok=True)
    files, cur, rest = {}, None, []
    for line in subst(body).split("\n"):
        m = re.match(r"#\s*(\S*/etc-haproxy/(\S+?)):?(\s|$)", line)
        if m:
            cur = m.group(2)
            files[cur] = []
            if "copy of" in line:      # corsc's file, as built above
                shutil.copy(os.path.join(etc, "haproxy", "cors.cfg"), os.path.join(d, cur))
                cur = None
            continue
        m = re.match(r"(\s*)# ---- the lines of (\S+) ----", line)
        if m:
            line = "".join(m.group(1) + l for l in open(m.group(2)) if not l.startswith("#"))
        (files[cur] if cur else rest).append(line)
    for name, lines in files.items():
        if lines:
            with open(os.path.join(d, name), "w") as f:
                f.write("\n".join(lines) + "\n")
    if files:
        argv = ["-f %s" % d]
    else:                              # a section alone: after the base of the block above
        conf = os.path.join(work, "haproxy-section.cfg")
        with open(conf, "w") as f:
            f.write("\n".join(rest) + "\n")
        argv = ["-f %s/10-base.cfg" % d, "-f %s" % conf]
    rc, out = run("haproxy -c %s" % " ".join(argv), where)
    if rc == 2 and "has no error but will not start (no listener)" in out:
        rc = 0                         # a backend alone: valid, nothing to listen on
    if rc != 0:
        fail(where, "haproxy -c refuses the README's HAProxy example:\n%s" % out)


def make_block(body, where):
    """The pipeline rule, run for real: once accepted by nginx -t, once refused."""
    mk = os.path.join(work, "pipeline.mk")
    with open(mk, "w") as f:
        f.write(body)
    shims = os.path.join(work, "shims")
    os.makedirs(shims, exist_ok=True)
    os.makedirs(os.path.join(work, "policies"), exist_ok=True)
    shutil.copy(os.path.join(work, "api.cors"), os.path.join(work, "policies", "api.cors"))
    if not os.path.lexists(os.path.join(shims, "corsc")):
        os.symlink(corsc, os.path.join(shims, "corsc"))
    live = os.path.join(work, "live")
    port = free_port()
    # the server configuration that includes the snippets through the symlink
    with open(os.path.join(work, "live-nginx.conf"), "w") as f:
        f.write("pid %s/live.pid;\nerror_log %s/live-error.log;\nevents {}\nhttp {\n"
                "    include %s/current/nginx/cors-http.conf;\n"
                "    server { listen 127.0.0.1:%d; location / { include %s/current/nginx/cors-api.conf; } }\n"
                "}\n" % (work, work, live, port, live))
    # nginx -t checks that configuration for real; NGINX_REFUSE plays a server
    # check that fails; -s reload only leaves a mark
    with open(os.path.join(shims, "nginx"), "w") as f:
        f.write("#!/bin/sh\nif [ \"$1\" = -t ]; then\n"
                "  [ -z \"${NGINX_REFUSE:-}\" ] || { echo 'nginx: test failed (simulated)'; exit 1; }\n"
                "  exec %s -t -q -p %s -e %s/live-error.log -c %s/live-nginx.conf\n"
                "fi\necho \"$*\" >> %s/reloads\n" % (shutil.which("nginx"), work, work, work, work))
    os.chmod(os.path.join(shims, "nginx"), 0o755)
    base = "PATH=%s:$PATH make -s -f %s CORS=%s POLICIES=policies/api.cors" % (shims, mk, live)
    rc, out = run(base, where)
    reloads = os.path.join(work, "reloads")
    if rc != 0 or os.path.realpath(os.path.join(live, "current")) != os.path.join(live, "a") \
            or not os.path.exists(reloads):
        fail(where, "the pipeline rule does not deploy an accepted build (exit %d):\n%s" % (rc, out))
        return
    first = open(os.path.join(live, "a", "nginx", "cors-api.conf")).read()
    # a changed policy that the server check refuses: nothing changes
    with open(os.path.join(work, "policies", "api.cors"), "a") as f:
        f.write("policy other { origins \"https://other.example.com\"; }\n")
    os.utime(os.path.join(work, "policies", "api.cors"), (2e9, 2e9))
    rc, out = run("NGINX_REFUSE=1 " + base, where)
    if rc == 0:
        fail(where, "the pipeline rule succeeds although nginx -t fails")
    if os.path.realpath(os.path.join(live, "current")) != os.path.join(live, "a") or \
            open(os.path.join(live, "current", "nginx", "cors-api.conf")).read() != first or \
            os.path.exists(os.path.join(live, "b")) or len(open(reloads).read().split("\n")) != 2:
        fail(where, "after a refused build the live folder changed or nginx was reloaded:\n" + out)


def readme():
    text = open(os.path.join(top, "README.md")).read()
    for info, body, line, prose in fenced_blocks(text):
        where = "README.md:%d" % line
        recipe = re.search(r"<!-- recipe: ([\w-]+) -->\s*$", prose)
        if recipe:
            # CI recipes, hooks and editor set-up, run where they can be
            not_run.append("%s (recipe %s): tests/t-recipes.sh or tests/t-editors.sh" % (where, recipe.group(1)))
            continue
        if info == "" and body.startswith("$ "):
            transcript(body, where)
        elif info in ("", "cors") and re.search(r"^policy [A-Za-z][\w-]* \{", body, re.M):
            named = re.findall(r"`([\w.-]+\.cors)`", prose)
            check_policy(body, named[-1] if named else "readme-%d.cors" % line, where)
            if named and named[-1] == "api.cors":
                # the pipeline examples keep it under policies/
                os.makedirs(os.path.join(work, "policies"), exist_ok=True)
                shutil.copy(os.path.join(work, "api.cors"), os.path.join(work, "policies", "api.cors"))
                # "Had the first origin been written with a trailing slash": bad.cors
                bad = re.sub(r'"(https?://[^"/]+)"', r'"\1/"', body, count=1)
                with open(os.path.join(work, "bad.cors"), "w") as f:
                    f.write(bad)
        elif info == "yaml" and body.startswith("policies:"):
            check_policy(body, "readme-%d.yaml" % line, where)
        elif info == "sh":
            sh_block(body, where)
        elif info == "nginx":
            nginx_block(body, where)
        elif info == "apache":
            apache_block(body, where)
        elif info == "caddy":
            caddy_block(body, where)
        elif info == "haproxy":
            haproxy_block(body, where)
        elif info == "make":
            make_block(body, where)
        else:
            fail(where, "a ```%s block this test does not know how to run: teach "
                 "tests/docs/check_docs.py, so that it cannot rot" % info)


def man_blocks(path):
    text = open(path).read()
    for m in re.finditer(r"^\.nf\n(.*?)^\.fi$", text, re.M | re.S):
        body = m.group(1).replace("\\-", "-").replace("\\e", "\\")
        yield body, text[:m.start()].count("\n") + 2


def manuals():
    for body, line in man_blocks(os.path.join(top, "doc/corsc.cors.5")):
        where = "doc/corsc.cors.5:%d" % line
        if body.startswith("policies:"):
            check_policy(body, "man5-%d.yaml" % line, where)
        elif "policy NAME {" in body:
            check_policy(body.replace("policy NAME {", "policy api {"), "man5-%d.cors" % line, where)
        else:
            fail(where, "a .nf block this test does not know how to check")
    for body, line in man_blocks(os.path.join(top, "doc/corsc.1")):
        where = "doc/corsc.1:%d" % line
        cmds = body.replace("\\\n", " ").split("\n")
        for cmd in cmds:
            if not cmd.strip():
                continue
            if not cmd.startswith("corsc "):
                fail(where, "an example that is not a corsc command: %s" % cmd)
                continue
            if not not_live(cmd, where):
                continue
            cmd = "build/" + cmd.replace("| less", "| cat")
            rc, out = run(subst(cmd), where)
            if rc != 0:
                fail(where, "`%s` exits %d:\n%s" % (cmd, rc, out))


def main():
    os.makedirs(os.path.join(work, "build"))
    os.makedirs(etc)
    os.symlink(corsc, os.path.join(work, "build", "corsc"))
    try:
        readme()
        manuals()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for n in not_run:
        print("not run here:", n)
    for f in fails:
        print("FAIL", f)
    print("docs: %d commands and checks run, %d failed" % (ran, len(fails)))
    return 1 if fails or ran < 10 else 0


sys.exit(main())
