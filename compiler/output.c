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
#include <sys/stat.h>
#include <unistd.h>

struct pending {
	char *tmp;     /* temporary file, NULL once renamed or removed */
	char *final;
	char *old;     /* a hard link to the file final replaces, until all are in place */
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
	snprintf(old, len, "%.*s/.%s.XXXXXX", (int)(base - p->final), p->final, base + 1);
	int fd = mkstemp(old);       /* a free name, taken by the link below */
	if (fd < 0 || close(fd) != 0 || unlink(old) != 0 || link(p->final, old) != 0) {
		snprintf(err, errlen, "cannot keep '%s' until the new files are in place: %s",
			 p->final, strerror(errno));
		free(old);
		return false;
	}
	p->old = old;
	return true;
}

bool output_write(const char *dir, const struct out_set *set, char *err, size_t errlen)
{
	struct stat st;
	if (stat(dir, &st) != 0) {
		snprintf(err, errlen, "output folder '%s': %s", dir, strerror(errno));
		return false;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "output folder '%s' is not a directory", dir);
		return false;
	}

	mode_t mask = umask(0);
	umask(mask);

	/* held back until the temporaries are renamed or removed */
	sigset_t saved;
	hold_termination(&saved);

	struct pending *pend = xcalloc(set->n ? set->n : 1, sizeof(*pend));
	char **made = xcalloc(set->n ? set->n : 1, sizeof(*made));  /* folders we created */
	size_t nmade = 0;
	bool ok = true;

	for (size_t i = 0; i < set->n && ok; i++) {
		const struct out_file *f = &set->v[i];
		char *final = path_join(dir, f->path);
		pend[i].final = final;

		/* the one folder level a backend uses ("nginx/") */
		char *slash = strrchr(final, '/');
		if (slash && slash > final + strlen(dir)) {
			*slash = '\0';
			if (mkdir(final, 0777) == 0) {
				made[nmade++] = xstrdup(final);
			} else if (errno != EEXIST) {
				snprintf(err, errlen, "cannot create folder '%s': %s", final, strerror(errno));
				ok = false;
			} else if (stat(final, &st) != 0 || !S_ISDIR(st.st_mode)) {
				snprintf(err, errlen, "'%s' exists and is not a directory", final);
				ok = false;
			}
			*slash = '/';
			if (!ok)
				break;
		}

		size_t tl = strlen(final) + 16;
		char *tmp = xmalloc(tl);
		char *base = strrchr(final, '/');
		snprintf(tmp, tl, "%.*s/.%s.XXXXXX", (int)(base - final), final, base + 1);
		int fd = mkstemp(tmp);
		if (fd < 0) {
			snprintf(err, errlen, "cannot create a file in '%.*s': %s",
				 (int)(base - final), final, strerror(errno));
			free(tmp);
			ok = false;
			break;
		}
		pend[i].tmp = tmp;
		if (!write_all(fd, f->data, f->len) || fchmod(fd, 0666 & ~mask) != 0) {
			snprintf(err, errlen, "cannot write '%s': %s", final, strerror(errno));
			close(fd);
			ok = false;
			break;
		}
#ifdef SYNC_FILE_RANGE_WRITE
		/* start writing it out now; the fsync below waits for all at once */
		(void)sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
#endif
		if (close(fd) != 0) {
			snprintf(err, errlen, "cannot write '%s': %s", final, strerror(errno));
			ok = false;
			break;
		}
	}

	/*
	 * Every file on disk before any is renamed.  One fsync a file, once all
	 * are written: the first commits the journal for the lot, and the
	 * others find their data written already (with 200 files, per-file
	 * write-then-fsync spent most of the run waiting).
	 */
	for (size_t i = 0; i < set->n && ok; i++) {
		int fd = open(pend[i].tmp, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || fsync(fd) != 0) {
			snprintf(err, errlen, "cannot write '%s': %s", pend[i].final, strerror(errno));
			ok = false;
		}
		if (fd >= 0)
			close(fd);
	}

	/*
	 * Every target checked, and every file about to be replaced kept under
	 * a second name, before the first rename: a target that cannot be
	 * replaced fails the set here, and a rename that fails anyway puts the
	 * files renamed before it back.
	 */
	for (size_t i = 0; i < set->n && ok; i++)
		ok = keep_old(&pend[i], err, errlen);
	size_t renamed = 0;
	for (; renamed < set->n && ok; renamed++) {
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

	for (size_t i = 0; i < set->n; i++) {
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
	for (size_t i = nmade; i-- > 0;) {
		if (!ok)
			rmdir(made[i]);
		free(made[i]);
	}
	free(made);
	free(pend);
	sigprocmask(SIG_SETMASK, &saved, NULL);
	return ok;
}
