/*
 * validate.h - every rule of SPEC section 7 over the raw IR, in one pass
 * that reports all problems; fills f->resolved with the normalized policies.
 */
#ifndef CORSC_VALIDATE_H
#define CORSC_VALIDATE_H

#include "diag.h"
#include "ir.h"

void validate(struct ir_file *f, struct diag_queue *dq);
/* E001 for a file without a single policy (empty, only comments, policies: {}):
   it can only be a mistake.  validate calls it; so does fmt, which validates nothing else. */
void validate_some_policy(const struct ir_file *f, struct diag_queue *dq);

/*
 * Several files as one set of policies: E004 for a name already used in an
 * earlier file (files in the order they are read), located at both.
 */
void validate_across(struct ir_file *const *files, size_t nfiles, struct diag_queue *dq);

#endif
