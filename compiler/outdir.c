/*
 * outdir.c - create the output folder and its missing parents for one
 * build, and take them away again when the build fails; replace a single
 * file atomically.
 */
#include "outdir.h"
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

void outdir_undo(struct outdir_made *made)
{
	for (size_t i = made->n; i-- > 0;) {
		rmdir(made->v[i]);
		free(made->v[i]);
	}
	free(made->v);
	made->v = NULL;
	made->n = 0;
}

void outdir_keep(struct outdir_made *made)
{
	for (size_t i = 0; i < made->n; i++)
		free(made->v[i]);
	free(made->v);
	made->v = NULL;
	made->n = 0;
}

bool outdir_create(const char *dir, struct outdir_made *made, char *err, size_t errlen)
{
	made->v = NULL;
	made->n = 0;
	size_t cap = 0;
	size_t len = strlen(dir);
	if (len == 0) {
		snprintf(err, errlen, "output folder '': no such directory");
		return false;
	}
	char *path = xstrdup(dir);
	/* each prefix ending before a '/', then the whole path */
	for (size_t i = 1; i <= len; i++) {
		if (i < len && path[i] != '/')
			continue;
		if (i < len && path[i - 1] == '/')
			continue;          /* "a//b" */
		char saved = path[i];
		path[i] = '\0';
		struct stat st;
		bool ok = true;
		if (stat(path, &st) == 0) {
			if (!S_ISDIR(st.st_mode)) {
				snprintf(err, errlen, "output folder '%s': '%s' is not a directory",
					 dir, path);
				ok = false;
			}
		} else if (errno != ENOENT) {
			snprintf(err, errlen, "output folder '%s': '%s': %s", dir, path,
				 strerror(errno));
			ok = false;
		} else if (mkdir(path, 0777) == 0) {
			xgrow(&made->v, &cap, made->n + 1, sizeof(*made->v));
			made->v[made->n++] = xstrdup(path);
		} else if (errno != EEXIST) {
			snprintf(err, errlen, "cannot create folder '%s': %s", path, strerror(errno));
			ok = false;
		}
		path[i] = saved;
		if (!ok) {
			free(path);
			outdir_undo(made);
			return false;
		}
	}
	free(path);
	return true;
}

bool file_replace(const char *path, const char *data, size_t len, int mode,
		  char *err, size_t errlen)
{
	/* A symbolic link is written through (fmt -w, fix, --diagnostics-file):
	   the file it points to is replaced, the link stays a link. */
	char *real = NULL;
	struct stat lst;
	if (lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode) && (real = realpath(path, NULL)))
		path = real;

	mode_t mask = umask(0);
	umask(mask);
	mode_t perm = 0666 & ~mask;
	struct stat st;
	if (stat(path, &st) == 0) {
		if (S_ISDIR(st.st_mode)) {
			snprintf(err, errlen, "cannot write '%s': it is a directory", path);
			free(real);
			return false;
		}
		if (mode < 0)
			perm = st.st_mode & 07777;
	}
	if (mode >= 0)
		perm = (mode_t)mode & ~mask;

	/* the temporary file goes beside the target, so that rename is atomic */
	const char *slash = strrchr(path, '/');
	size_t dl = slash ? (size_t)(slash - path) + 1 : 0;
	size_t tl = strlen(path) + 16;
	char *tmp = xmalloc(tl);
	snprintf(tmp, tl, "%.*s.%s.XXXXXX", (int)dl, path, path + dl);

	/* termination signals wait until the temporary file is renamed or removed */
	sigset_t saved;
	hold_termination(&saved);

	bool ok = true;
	int fd = mkstemp(tmp);
	if (fd < 0) {
		snprintf(err, errlen, "cannot write '%s': %s", path, strerror(errno));
		ok = false;
	} else {
		if (!write_all(fd, data, len) || fchmod(fd, perm) != 0 || fsync(fd) != 0) {
			snprintf(err, errlen, "cannot write '%s': %s", path, strerror(errno));
			ok = false;
		}
		if (close(fd) != 0 && ok) {
			snprintf(err, errlen, "cannot write '%s': %s", path, strerror(errno));
			ok = false;
		}
		if (ok && rename(tmp, path) != 0) {
			snprintf(err, errlen, "cannot rename into '%s': %s", path, strerror(errno));
			ok = false;
		}
		if (!ok)
			unlink(tmp);
	}
	free(tmp);
	free(real);
	sigprocmask(SIG_SETMASK, &saved, NULL);
	return ok;
}
