/*
 * output.c - write generated files all or nothing: temporary files beside
 * their targets, fsync, every target checked, then rename (the files
 * replaced are put back if a rename fails).  Sub-folders created for this run are
 * removed again if anything fails.  Termination signals wait until the set
 * is written or cleaned up, so an interrupted build leaves no temporary file.
 */
#define _GNU_SOURCE      /* sync_file_range, where glibc has it */
#include "output.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct pending {
	char *tmp;     /* temporary file, NULL once renamed or removed */
	char *final;
	char *old;     /* a hard link to the file final replaces, until all are in place */
	int fd;        /* tmp, still open for the fsync of the commit; -1 once closed */
};

void hold_termination(sigset_t *saved)
{
	sigset_t hold;
	sigemptyset(&hold);
	sigaddset(&hold, SIGINT);
	sigaddset(&hold, SIGTERM);
	sigaddset(&hold, SIGHUP);
	sigaddset(&hold, SIGQUIT);
	sigaddset(&hold, SIGPIPE);
	sigaddset(&hold, SIGXFSZ);
	sigprocmask(SIG_BLOCK, &hold, saved);
}

bool write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return false;
		}
		p += w;
		n -= (size_t)w;
	}
	return true;
}

static char *path_join(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	char *p = xmalloc(la + lb + 2);
	memcpy(p, a, la);
	p[la] = '/';
	memcpy(p + la + 1, b, lb + 1);
	return p;
}

/* n random letters and digits, then a NUL: the tail of a hidden temporary name */
static void random_name(char *out, size_t n)
{
	static const char chars[] =
		"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	static uint64_t state;
	if (state == 0) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		state = ((uint64_t)getpid() << 32) ^ (uint64_t)ts.tv_nsec ^
			((uint64_t)ts.tv_sec << 20) ^ (uint64_t)(uintptr_t)out;
		state |= 1;
	}
	for (size_t i = 0; i < n; i++) {
		state = state * 6364136223846793005ull + 1442695040888963407ull;
		out[i] = chars[(state >> 33) % (sizeof(chars) - 1)];
	}
	out[n] = '\0';
}

/*
 * Before any rename: may p->final be replaced by a file?  If a file is there,
 * keep it under a second name (a hard link, p->old) to put back if a later
 * rename fails.
 */
static bool keep_old(struct pending *p, char *err, size_t errlen)
{
	struct stat st;
	if (lstat(p->final, &st) != 0) {
		if (errno == ENOENT)
			return true;
		snprintf(err, errlen, "cannot replace '%s': %s", p->final, strerror(errno));
		return false;
	}
	if (S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "cannot replace '%s': it is a directory", p->final);
		return false;
	}
	size_t len = strlen(p->final) + 16;
	char *old = xmalloc(len);
	char *base = strrchr(p->final, '/');
	int n = snprintf(old, len, "%.*s/.%s.", (int)(base - p->final), p->final, base + 1);
	/*
	 * A free name, taken by link() itself (EEXIST: another name).  No
	 * mkstemp() first: creating and removing an inode just for its name
	 * cost as much as writing a small file.
	 */
	for (int tries = 0; tries < 100; tries++) {
		random_name(old + n, 6);
		if (link(p->final, old) == 0) {
			p->old = old;
			return true;
		}
		if (errno != EEXIST)
			break;
	}
	snprintf(err, errlen, "cannot keep '%s' until the new files are in place: %s",
		 p->final, strerror(errno));
	free(old);
	return false;
}

struct output_stage {
	char *dir;
	mode_t mask;
	sigset_t saved;        /* the signal mask before output_stage_begin */
	struct pending *pend;
	size_t n, cap;
	char **made;           /* folders this set created */
	size_t nmade, madecap;
	char *folder;          /* the sub-folder made or checked last (most files share one) */
	size_t nopen, maxopen; /* temporaries kept open for their fsync, and how many may be */
};

struct output_stage *output_stage_begin(const char *dir, char *err, size_t errlen)
{
	struct stat st;
	if (stat(dir, &st) != 0) {
		snprintf(err, errlen, "output folder '%s': %s", dir, strerror(errno));
		return NULL;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "output folder '%s' is not a directory", dir);
		return NULL;
	}
	struct output_stage *s = xcalloc(1, sizeof(*s));
	s->dir = xstrdup(dir);
	s->mask = umask(0);
	umask(s->mask);
	/*
	 * Each temporary stays open until its fsync (no second open and close
	 * a file), as long as that leaves half the descriptors free.
	 */
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		s->maxopen = rl.rlim_cur > 128 ? (size_t)(rl.rlim_cur / 2) : 0;
	else
		s->maxopen = 512;
	/* held back until the temporaries are renamed or removed */
	hold_termination(&s->saved);
	return s;
}

bool output_stage_add(struct output_stage *s, const char *path, const char *data, size_t len,
		      char *err, size_t errlen)
{
	struct stat st;
	char *final = path_join(s->dir, path);
	xgrow(&s->pend, &s->cap, s->n + 1, sizeof(*s->pend));
	struct pending *p = &s->pend[s->n++];
	memset(p, 0, sizeof(*p));
	p->fd = -1;
	p->final = final;

	/* the one folder level a backend uses ("nginx/") */
	char *slash = strrchr(final, '/');
	if (slash && slash > final + strlen(s->dir)) {
		bool ok = true;
		*slash = '\0';
		if (s->folder && strcmp(s->folder, final) == 0) {
			/* made or checked for the file before */
		} else if (mkdir(final, 0777) == 0) {
			xgrow(&s->made, &s->madecap, s->nmade + 1, sizeof(*s->made));
			s->made[s->nmade++] = xstrdup(final);
		} else if (errno != EEXIST) {
			snprintf(err, errlen, "cannot create folder '%s': %s", final, strerror(errno));
			ok = false;
		} else if (stat(final, &st) != 0 || !S_ISDIR(st.st_mode)) {
			snprintf(err, errlen, "'%s' exists and is not a directory", final);
			ok = false;
		}
		if (ok && !(s->folder && strcmp(s->folder, final) == 0)) {
			free(s->folder);
			s->folder = xstrdup(final);
		}
		*slash = '/';
		if (!ok)
			return false;
	}

	size_t tl = strlen(final) + 16;
	char *tmp = xmalloc(tl);
	char *base = strrchr(final, '/');
	snprintf(tmp, tl, "%.*s/.%s.XXXXXX", (int)(base - final), final, base + 1);
	int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "cannot create a file in '%.*s': %s",
			 (int)(base - final), final, strerror(errno));
		free(tmp);
		return false;
	}
	p->tmp = tmp;
	if (!write_all(fd, data, len) || fchmod(fd, 0666 & ~s->mask) != 0) {
		snprintf(err, errlen, "cannot write '%s': %s", final, strerror(errno));
		close(fd);
		return false;
	}
#ifdef SYNC_FILE_RANGE_WRITE
	/* start writing it out now; the fsync in output_stage_commit waits for all at once */
	(void)sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
#endif
	if (s->nopen < s->maxopen) {
		p->fd = fd;
		s->nopen++;
	} else if (close(fd) != 0) {
		snprintf(err, errlen, "cannot write '%s': %s", final, strerror(errno));
		return false;
	}
	return true;
}

/* Rename the set into place (ok) or take it away (!ok); free s. */
static bool finish(struct output_stage *s, bool ok, char *err, size_t errlen)
{
	/*
	 * Every file on disk before any is renamed.  One fsync a file, once all
	 * are written: the first commits the journal for the lot, and the
	 * others find their data written already (with 200 files, per-file
	 * write-then-fsync spent most of the run waiting).
	 */
	struct pending *pend = s->pend;
	for (size_t i = 0; i < s->n && ok; i++) {
		int fd = pend[i].fd >= 0 ? pend[i].fd : open(pend[i].tmp, O_RDONLY | O_CLOEXEC);
		pend[i].fd = -1;
		if (fd < 0 || fsync(fd) != 0) {
			snprintf(err, errlen, "cannot write '%s': %s", pend[i].final, strerror(errno));
			ok = false;
		}
		if (fd >= 0 && close(fd) != 0 && ok) {
			snprintf(err, errlen, "cannot write '%s': %s", pend[i].final, strerror(errno));
			ok = false;
		}
	}
	for (size_t i = 0; i < s->n; i++) {
		if (pend[i].fd >= 0)
			close(pend[i].fd);     /* after a failure: not synced, removed below */
		pend[i].fd = -1;
	}

	/*
	 * Every target checked, and every file about to be replaced kept under
	 * a second name, before the first rename: a target that cannot be
	 * replaced fails the set here, and a rename that fails anyway puts the
	 * files renamed before it back.
	 */
	for (size_t i = 0; i < s->n && ok; i++)
		ok = keep_old(&pend[i], err, errlen);
	size_t renamed = 0;
	for (; renamed < s->n && ok; renamed++) {
		if (rename(pend[renamed].tmp, pend[renamed].final) != 0) {
			snprintf(err, errlen, "cannot rename into '%s': %s", pend[renamed].final,
				 strerror(errno));
			ok = false;
			break;
		}
		free(pend[renamed].tmp);
		pend[renamed].tmp = NULL;
	}
	for (size_t i = renamed; !ok && i-- > 0;) {
		if (pend[i].old ? rename(pend[i].old, pend[i].final) == 0 : unlink(pend[i].final) == 0) {
			free(pend[i].old);
			pend[i].old = NULL;
		}
	}

	for (size_t i = 0; i < s->n; i++) {
		if (pend[i].tmp) {
			unlink(pend[i].tmp);
			free(pend[i].tmp);
		}
		if (pend[i].old) {
			unlink(pend[i].old);
			free(pend[i].old);
		}
		free(pend[i].final);
	}
	for (size_t i = s->nmade; i-- > 0;) {
		if (!ok)
			rmdir(s->made[i]);
		free(s->made[i]);
	}
	sigset_t saved = s->saved;
	free(s->made);
	free(s->pend);
	free(s->folder);
	free(s->dir);
	free(s);
	sigprocmask(SIG_SETMASK, &saved, NULL);
	return ok;
}

bool output_stage_commit(struct output_stage *s, char *err, size_t errlen)
{
	return finish(s, true, err, errlen);
}

void output_stage_abort(struct output_stage *s)
{
	char err[8];
	(void)finish(s, false, err, sizeof(err));
}

static bool sink_start(struct output_sink *k)
{
	if (k->st)
		return true;
	if (k->failed)
		return false;
	if (!outdir_create(k->dir, &k->made, k->msg, sizeof(k->msg))) {
		k->failed = true;
		return false;
	}
	k->st = output_stage_begin(k->dir, k->msg, sizeof(k->msg));
	if (!k->st) {
		outdir_undo(&k->made);
		k->failed = true;
		return false;
	}
	return true;
}

void output_sink_file(void *ctx, const char *path, const char *data, size_t len)
{
	struct output_sink *k = ctx;
	if (!sink_start(k))
		return;
	if (!output_stage_add(k->st, path, data, len, k->msg, sizeof(k->msg))) {
		output_stage_abort(k->st);
		k->st = NULL;
		outdir_undo(&k->made);
		k->failed = true;
	}
}

bool output_sink_finish(struct output_sink *k, bool keep)
{
	if (!keep) {
		if (k->st) {
			output_stage_abort(k->st);
			k->st = NULL;
			outdir_undo(&k->made);
		}
		return true;
	}
	if (!sink_start(k))
		return false;
	bool ok = output_stage_commit(k->st, k->msg, sizeof(k->msg));
	k->st = NULL;
	if (ok)
		outdir_keep(&k->made);
	else
		outdir_undo(&k->made);
	return ok;
}
