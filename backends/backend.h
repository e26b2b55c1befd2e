/*
 * backend.h - the one interface of every backend: a pure function from the
 * resolved policies to a set of files in memory.  Only the driver
 * (compiler/output.c) touches the file system.
 */
#ifndef CORSC_BACKEND_H
#define CORSC_BACKEND_H

#include <stdbool.h>
#include <stddef.h>

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
};

void out_set_init(struct out_set *s);
void out_set_release(struct out_set *s);
/* Add a file; takes the contents of sb (which is left empty).  False if sb failed. */
bool out_set_add(struct out_set *s, const char *path, struct strbuf *sb);

struct emit_ctx {
	const char *input;          /* input file name as given, for header comments */
	const struct policy *policies;
	size_t npolicies;
};

/* Each returns false (after writing a reason into err) if it cannot emit. */
typedef bool (*emit_fn)(const struct emit_ctx *ctx, struct out_set *out, struct strbuf *err);

struct backend {
	const char *name;           /* "nginx", "apache", "caddy", "json" */
	emit_fn emit;
};

bool emit_nginx(const struct emit_ctx *ctx, struct out_set *out, struct strbuf *err);
bool emit_apache(const struct emit_ctx *ctx, struct out_set *out, struct strbuf *err);
bool emit_caddy(const struct emit_ctx *ctx, struct out_set *out, struct strbuf *err);
bool emit_json(const struct emit_ctx *ctx, struct out_set *out, struct strbuf *err);

/* The backends in order; NULL-terminated by name. */
extern const struct backend backends[];
const struct backend *backend_find(const char *name);

#endif
