/*
 * outdir.h - the output folder of `build -o DIR` created with its parents
 * when missing, and removed again if the build fails (SPEC section 4: a
 * failed build leaves no trace); and one file replaced all or nothing
 * (--diagnostics-file, fmt -w).
 */
#ifndef CORSC_OUTDIR_H
#define CORSC_OUTDIR_H

#include <stdbool.h>
#include <stddef.h>

/* The folders one run created, outermost first. */
struct outdir_made {
	char **v;
	size_t n;
};

/*
 * Make dir and every missing parent (mode 0777 less the umask), recording
 * the ones created in made.  On failure removes what it created and writes
 * a message into err.  An existing dir is left alone.
 */
bool outdir_create(const char *dir, struct outdir_made *made, char *err, size_t errlen);
/* Remove the folders of made, innermost first (only if empty), and forget them. */
void outdir_undo(struct outdir_made *made);
/* Forget made without removing anything (the build succeeded). */
void outdir_keep(struct outdir_made *made);

/*
 * Replace path with data: a temporary file beside it, fsync, rename.  mode
 * is the new file's permission bits (the umask is applied), or -1 to keep
 * those of an existing file (0666 less the umask for a new one).  On
 * failure path is unchanged, no temporary file is left, and err says why.
 */
bool file_replace(const char *path, const char *data, size_t len, int mode,
		  char *err, size_t errlen);

#endif
