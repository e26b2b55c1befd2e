/*
 * output.h - all-or-nothing writing of a set of generated files into a
 * folder: every file goes to a temporary file beside its target first, and
 * only when all are written are they renamed into place.
 */
#ifndef CORSC_OUTPUT_H
#define CORSC_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>

#include "backend.h"

/*
 * Write every file of set under dir (which must exist).  On failure nothing
 * under dir is created or changed, no temporary file is left, and a message
 * is written into err.  Returns true on success.
 */
bool output_write(const char *dir, const struct out_set *set, char *err, size_t errlen);
/* write(2) all n bytes of p to fd, again after EINTR; false on an error (errno set). */
bool write_all(int fd, const char *p, size_t n);

#endif
