/*
 * inputs.h - the FILE... operands of build, check and fmt: files as given,
 * directories walked for policy files, all in byte order of their paths, each
 * file once.  Several files form one set of policies (SPEC section 4).
 */
#ifndef CORSC_INPUTS_H
#define CORSC_INPUTS_H

#include <stdbool.h>
#include <stddef.h>

struct input {
	char *path;          /* as given, or DIR/NAME for a file found under a directory */
	bool found;          /* found by walking a directory (chosen by its extension) */
};

struct input_list {
	struct input *v;
	size_t n, cap;
};

/* Which files a directory walk picks. */
enum input_pick {
	PICK_POLICIES,       /* *.cors, *.yaml, *.yml, in any case */
	PICK_DSL,            /* *.cors only (fmt) */
};

/*
 * Expand args into l (sorted, each file once; "-" is standard input and may
 * appear once).  A directory is walked recursively; entries whose name
 * starts with '.' are skipped, and symbolic links to directories are not
 * followed.  On failure (a missing operand, an unreadable or empty
 * directory) returns false with a message in err (without "corsc: ").
 * The caller releases l with inputs_release().
 */
bool inputs_collect(char *const *args, size_t nargs, enum input_pick pick,
		    struct input_list *l, char *err, size_t errlen);
void inputs_release(struct input_list *l);

/*
 * The inputs as one display string for generated files' headers: the paths
 * in their (sorted) order, joined by ", ", standard input as "<stdin>".
 * The caller frees it.
 */
char *inputs_display(const struct input_list *l);

#endif
