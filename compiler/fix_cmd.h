/*
 * fix_cmd.h - corsc fix [--check] FILE...: apply every certain fix-it
 * (fixit.h) in place.
 */
#ifndef CORSC_FIX_CMD_H
#define CORSC_FIX_CMD_H

#include <stdbool.h>
#include <stddef.h>

#include "compile.h"

/*
 * Fix each file on its own: compile, apply the fix-its that do not overlap,
 * again until none is left (at most FIX_MAX_ROUNDS), then write the file
 * atomically if it changed.  Prints "FILE:LINE:COL: fixed[CODE]: message"
 * on standard output for each fix (positions in the text the fix was made
 * on); check: print "would fix", write nothing.  Returns the exit status:
 * 0, 1 (check, and something would change), 2 (usage or I/O error).
 */
#define FIX_MAX_ROUNDS 10
int fix_files(char *const *files, size_t nfiles, enum input_format format, bool check);

#endif
