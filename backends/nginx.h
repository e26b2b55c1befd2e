/*
 * nginx.h - the pieces of the nginx backend that the unit tests reach into:
 * the one escaping function for nginx strings, and the sizing of the map
 * hash tables (a model of nginx's ngx_hash_init on 64-bit machines).
 */
#ifndef CORSC_NGINX_H
#define CORSC_NGINX_H

#include <stdbool.h>
#include <stddef.h>

#include "strbuf.h"

/* Where a string goes: nginx interpolates variables in values, not in keys. */
enum ngx_quote_mode {
	NGX_LITERAL,    /* map keys and regexes: '$' is an ordinary byte */
	NGX_VALUE,      /* add_header and map values: '$' is written ${cors__dollar} */
};

/*
 * Append s[0..len) to sb as one double-quoted nginx parameter that nginx
 * reads back as exactly those bytes.  Returns false (sb unchanged) for bytes
 * no nginx string can carry into a header: control characters and DEL.
 * Sets *dollar (if not NULL) when a '$' was written as ${cors__dollar}.
 */
bool ngx_quote(struct strbuf *sb, const char *s, size_t len, enum ngx_quote_mode mode,
	       bool *dollar);

/* Length of the quoted form of s (without the two quotes); (size_t)-1 if refused. */
size_t ngx_quoted_len(const char *s, size_t len, enum ngx_quote_mode mode);

/*
 * The exact keys of one map, for sizing: their lengths and nginx's hash of
 * each (ngx_hash_key_lc).
 */
struct ngx_hash_keys {
	const char **keys;
	size_t n;
};

/*
 * Would nginx build every map in maps[0..nmaps) with map_hash_max_size max
 * and map_hash_bucket_size bucket without an error or a warning?
 */
bool ngx_hash_fits(const struct ngx_hash_keys *maps, size_t nmaps, size_t max, size_t bucket);

/*
 * The map_hash_max_size and map_hash_bucket_size the maps need.  Returns
 * false when nginx's defaults (2048, 64) already do: then nothing is emitted.
 */
bool ngx_hash_sizes(const struct ngx_hash_keys *maps, size_t nmaps, size_t *max, size_t *bucket);

#endif
