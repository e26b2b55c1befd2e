/*
 * backend.h - the one interface of every backend: a pure function from the
 * resolved policies to a set of files in memory.  Only the driver
 * (compiler/output.c) touches the file system.
 */
#ifndef CORSC_BACKEND_H
#define CORSC_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ir.h"
#include "strbuf.h"

struct out_file {
	char *path;        /* relative to the output folder: "nginx/cors-api.conf" */
	char *data;
	size_t len;
};

struct out_set {
	struct out_file *v;
	size_t n, cap;
	/*
	 * Optional: each file added goes to sink at once (which writes it out)
	 * instead of into v, so the files are not all held in memory.
	 */
	void (*sink)(void *ctx, const char *path, const char *data, size_t len);
	void *sink_ctx;
};

void out_set_init(struct out_set *s);
void out_set_release(struct out_set *s);
/* Add a file (or hand it to s->sink); takes the contents of sb (which is left empty).  False if sb failed. */
bool out_set_add(struct out_set *s, const char *path, struct strbuf *sb);

struct emit_ctx {
	const char *input;          /* input file name as given, for header comments */
	const struct policy *policies;
	size_t npolicies;
};

/*
 * What several backends compute alike, computed once between
 * emit_cache_begin(ctx) and emit_cache_end() (the driver calls both around
 * the backends of one build); without them each call computes afresh.
 */
void emit_cache_begin(const struct emit_ctx *ctx);
void emit_cache_end(void);
/*
 * The texts of p's origins that are not patterns (exact ones and "null"),
 * sorted by strcmp, without duplicates; *n of them.  When p is one of the
 * policies of the ctx given to emit_cache_begin, computed once and owned by
 * the cache; otherwise *owned is set and the caller frees the array.
 */
const char **emit_exact_sorted(const struct emit_ctx *ctx, const struct policy *p, size_t *n,
			       bool *owned);

/* Each returns false (after writing a reason into err) if it cannot emit. */
typedef bool (*emit_fn)(const struct emit_ctx *ctx, struct out_set *out, struct strbuf *err);

struct backend {
	const char *name;           /* "nginx", "apache", "caddy", "haproxy", "json": the -t word */
	emit_fn emit;
	bool server;                /* a server's configuration: in -t all, the default */
};

bool emit_nginx(const struct emit_ctx *ctx, struct out_set *out, struct strbuf *err);
bool emit_apache(const struct emit_ctx *ctx, struct out_set *out, struct strbuf *err);
bool emit_caddy(const struct emit_ctx *ctx, struct out_set *out, struct strbuf *err);
bool emit_haproxy(const struct emit_ctx *ctx, struct out_set *out, struct strbuf *err);
bool emit_json(const struct emit_ctx *ctx, struct out_set *out, struct strbuf *err);

/*
 * Text for a '#' comment of any backend (the input file name in a header,
 * say), written once: printable ASCII as is, a backslash and every other
 * byte as \xNN, so nothing can end the comment line or hide a byte.
 */
void put_comment_text(struct strbuf *sb, const char *s);

/*
 * The backends, in the order they run and their files are listed;
 * NULL-terminated by name.  The command line's -t words, -t all and the
 * default all come from this table (backend.c): adding a backend adds a row.
 */
extern const struct backend backends[];
/* At most BACKENDS_MAX rows, so that a set of them fits one backend_set. */
#define BACKENDS_MAX 64
typedef uint64_t backend_set;       /* bit i: backends[i] */

const struct backend *backend_find(const char *name);
/* The bit of b in a backend_set. */
backend_set backend_bit(const struct backend *b);
/* Every server backend: what -t all and no -t at all select. */
backend_set backend_servers(void);
/* The -t words joined by sep, servers_only for the servers alone. */
void backend_names(struct strbuf *sb, const char *sep, bool servers_only);

#endif
