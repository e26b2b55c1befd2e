/*
 * inputs.c - collect the input files of one run: operands as given, policy
 * files found under directories, sorted by the bytes of their paths so that
 * the order on the command line never changes the output.
 */
#include "inputs.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* At most this many files in one run, and this deep under a directory. */
#define INPUTS_MAX 100000
#define WALK_MAX_DEPTH 64

struct entry {
	struct input in;
	dev_t dev;
	ino_t ino;
	bool has_id;
};

struct collector {
	struct entry *v;
	size_t n, cap;
	enum input_pick pick;
	char *err;
	size_t errlen;
};

static bool has_suffix_ci(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	return n > k && ascii_strcasecmp(s + n - k, suffix) == 0;
}

static bool picked(const struct collector *c, const char *name)
{
	if (has_suffix_ci(name, ".cors"))
		return true;
	return c->pick == PICK_POLICIES &&
	       (has_suffix_ci(name, ".yaml") || has_suffix_ci(name, ".yml"));
}

static bool add(struct collector *c, char *path, bool found, const struct stat *st)
{
	if (c->n >= INPUTS_MAX) {
		snprintf(c->err, c->errlen, "more than %d input files", INPUTS_MAX);
		free(path);
		return false;
	}
	xgrow(&c->v, &c->cap, c->n + 1, sizeof(*c->v));
	struct entry *e = &c->v[c->n++];
	e->in.path = path;
	e->in.found = found;
	e->has_id = st != NULL;
	e->dev = st ? st->st_dev : 0;
	e->ino = st ? st->st_ino : 0;
	return true;
}

static char *join(const char *dir, const char *name)
{
	size_t ld = strlen(dir), ln = strlen(name);
	bool slash = ld > 0 && dir[ld - 1] == '/';
	char *p = xmalloc(ld + ln + 2);
	memcpy(p, dir, ld);
	if (!slash)
		p[ld++] = '/';
	memcpy(p + ld, name, ln + 1);
	return p;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool walk(struct collector *c, const char *dir, int depth)
{
	if (depth > WALK_MAX_DEPTH) {
		snprintf(c->err, c->errlen, "'%s': directories nested deeper than %d",
			 dir, WALK_MAX_DEPTH);
		return false;
	}
	DIR *d = opendir(dir);
	if (!d) {
		snprintf(c->err, c->errlen, "cannot read directory '%s': %s", dir, strerror(errno));
		return false;
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	errno = 0;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;      /* ".", "..", and hidden files and folders */
		xgrow(&names, &cap, n + 1, sizeof(*names));
		names[n++] = xstrdup(de->d_name);
	}
	int rd_errno = errno;
	closedir(d);
	bool ok = true;
	if (rd_errno) {
		snprintf(c->err, c->errlen, "cannot read directory '%s': %s", dir, strerror(rd_errno));
		ok = false;
	}
	if (n > 1)
		qsort(names, n, sizeof(*names), cmp_name);
	for (size_t i = 0; i < n; i++) {
		if (!ok) {
			free(names[i]);
			continue;
		}
		char *path = join(dir, names[i]);
		free(names[i]);
		struct stat lst, st;
		if (lstat(path, &lst) != 0) {
			snprintf(c->err, c->errlen, "cannot read '%s': %s", path, strerror(errno));
			free(path);
			ok = false;
			continue;
		}
		if (S_ISDIR(lst.st_mode)) {
			ok = walk(c, path, depth + 1);
			free(path);
			continue;
		}
		/* a symbolic link counts as what it points to, but a folder is not entered */
		if (!picked(c, path) || stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
			free(path);
			continue;
		}
		ok = add(c, path, true, &st);
	}
	free(names);
	return ok;
}

static int cmp_entry(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	int c = strcmp(x->in.path, y->in.path);
	if (c != 0)
		return c;
	/* the same path given and found: keep the one given (its --format applies) */
	return (int)x->in.found - (int)y->in.found;
}

bool inputs_collect(char *const *args, size_t nargs, enum input_pick pick,
		    struct input_list *l, char *err, size_t errlen)
{
	memset(l, 0, sizeof(*l));
	struct collector c = { .pick = pick, .err = err, .errlen = errlen };
	bool ok = true;
	for (size_t i = 0; i < nargs && ok; i++) {
		const char *a = args[i];
		struct stat st;
		if (strcmp(a, "-") == 0) {
			ok = add(&c, xstrdup(a), false, NULL);
			continue;
		}
		if (stat(a, &st) != 0) {
			snprintf(err, errlen, "cannot open '%s': %s", a, strerror(errno));
			ok = false;
			break;
		}
		if (!S_ISDIR(st.st_mode)) {
			ok = add(&c, xstrdup(a), false, &st);
			continue;
		}
		size_t before = c.n;
		ok = walk(&c, a, 0);
		if (ok && c.n == before) {
			snprintf(err, errlen, "no %s file under '%s'",
				 pick == PICK_DSL ? ".cors" : ".cors, .yaml or .yml", a);
			ok = false;
		}
	}

	/* byte order of paths; then each file once (the same path, or the same inode) */
	if (ok && c.n > 1)
		qsort(c.v, c.n, sizeof(*c.v), cmp_entry);
	size_t kept = 0;
	bool have_stdin = false;
	for (size_t i = 0; i < c.n; i++) {
		struct entry *e = &c.v[i];
		bool dup = false;
		if (ok && strcmp(e->in.path, "-") == 0) {
			if (have_stdin) {
				snprintf(err, errlen, "standard input ('-') given twice");
				ok = false;
			}
			have_stdin = true;
		}
		for (size_t j = 0; j < kept && !dup && e->has_id; j++)
			dup = c.v[j].has_id && c.v[j].dev == e->dev && c.v[j].ino == e->ino;
		if (dup || !ok) {
			free(e->in.path);
			continue;
		}
		c.v[kept++] = *e;
	}
	if (!ok) {
		for (size_t i = 0; i < kept; i++)
			free(c.v[i].in.path);
		free(c.v);
		return false;
	}
	l->v = xcalloc(kept ? kept : 1, sizeof(*l->v));
	for (size_t i = 0; i < kept; i++)
		l->v[i] = c.v[i].in;
	l->n = l->cap = kept;
	free(c.v);
	return true;
}

void inputs_release(struct input_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].path);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

char *inputs_display(const struct input_list *l)
{
	size_t len = 1;
	for (size_t i = 0; i < l->n; i++)
		len += strlen(l->v[i].path) + 8;
	char *s = xmalloc(len);
	char *p = s;
	for (size_t i = 0; i < l->n; i++) {
		if (i) {
			memcpy(p, ", ", 2);
			p += 2;
		}
		/* standard input is named as source_read names it */
		const char *name = strcmp(l->v[i].path, "-") == 0 ? "<stdin>" : l->v[i].path;
		size_t k = strlen(name);
		memcpy(p, name, k);
		p += k;
	}
	*p = '\0';
	return s;
}
