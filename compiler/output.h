/*
 * output.h - all-or-nothing writing of a set of generated files into a
 * folder: every file goes to a temporary file beside its target first, and
 * only when all are written are they renamed into place.
 */
#ifndef CORSC_OUTPUT_H
#define CORSC_OUTPUT_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "backend.h"

/*
 * Write every file of set under dir (which must exist).  On failure nothing
 * under dir is created or changed, no temporary file is left, and a message
 * is written into err.  Returns true on success.
 */
bool output_write(const char *dir, const struct out_set *set, char *err, size_t errlen);
/*
 * Block the signals that would end corsc (INT, TERM, HUP, QUIT, PIPE, XFSZ)
 * until the caller restores *saved: a temporary file is always renamed or
 * removed before corsc stops.
 */
void hold_termination(sigset_t *saved);
/* write(2) all n bytes of p to fd, again after EINTR; false on an error (errno set). */
bool write_all(int fd, const char *p, size_t n);

#endif
