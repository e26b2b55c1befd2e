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
#include "outdir.h"

/*
 * A set of files written under dir (which must exist) in steps, so that no
 * file need be held in memory until the last is made.  output_stage_begin
 * checks dir and holds termination signals; output_stage_add writes one
 * file to its temporary file (false, with err, on failure: then call
 * output_stage_abort); output_stage_commit renames the lot into place, or
 * on failure leaves nothing under dir created or changed and no temporary
 * file, with a message in err.  Both commit and abort free the stage and
 * restore the signal mask.
 */
struct output_stage;
struct output_stage *output_stage_begin(const char *dir, char *err, size_t errlen);
bool output_stage_add(struct output_stage *s, const char *path, const char *data, size_t len,
		      char *err, size_t errlen);
bool output_stage_commit(struct output_stage *s, char *err, size_t errlen);
void output_stage_abort(struct output_stage *s);
/*
 * The output folder of `build -o DIR` as a sink for an out_set: the folder
 * (with its missing parents, outdir.h) and the stage are made at the first
 * file, each file is written to its temporary file as it comes, and the
 * first failure is kept in msg (later files are dropped).  Start with
 * { .dir = DIR }.
 */
struct output_sink {
	const char *dir;
	struct outdir_made made;
	struct output_stage *st;
	bool failed;
	char msg[1024];
};
/* The out_set sink function (ctx: a struct output_sink). */
void output_sink_file(void *ctx, const char *path, const char *data, size_t len);
/*
 * keep: rename every file into place (the folder is made even for no file);
 * false with msg if anything failed, and then nothing is changed.  !keep
 * (a backend failed): take everything away; returns true.
 */
bool output_sink_finish(struct output_sink *k, bool keep);
/*
 * Block the signals that would end corsc (INT, TERM, HUP, QUIT, PIPE, XFSZ)
 * until the caller restores *saved: a temporary file is always renamed or
 * removed before corsc stops.
 */
void hold_termination(sigset_t *saved);
/* write(2) all n bytes of p to fd, again after EINTR; false on an error (errno set). */
bool write_all(int fd, const char *p, size_t n);

#endif
