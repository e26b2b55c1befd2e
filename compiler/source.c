/*
 * source.c - read an input file whole, index its lines, map offsets to
 * line and column.
 */
#include "source.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void index_lines(struct source *src)
{
	size_t cap = 0;
	src->lines = NULL;
	src->nlines = 0;
	xgrow(&src->lines, &cap, 1, sizeof(size_t));
	src->lines[src->nlines++] = 0;
	const char *end = src->text + src->len;
	for (const char *nl = src->text; src->len && (nl = memchr(nl, '\n', (size_t)(end - nl)));) {
		nl++;           /* the next line starts after it (at end for a final '\n') */
		xgrow(&src->lines, &cap, src->nlines + 1, sizeof(size_t));
		src->lines[src->nlines++] = (size_t)(nl - src->text);
	}
}

struct source *source_from_string(const char *name, const char *text, size_t len)
{
	struct source *src = xcalloc(1, sizeof(*src));
	src->name = xstrdup(name);
	src->text = xmalloc(len + 1);
	memcpy(src->text, text, len);
	src->text[len] = '\0';
	src->len = len;
	index_lines(src);
	return src;
}

struct source *source_read(const char *path, char *err, size_t errlen)
{
	int fd;
	bool is_stdin = strcmp(path, "-") == 0;

	if (is_stdin) {
		fd = STDIN_FILENO;
	} else {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			snprintf(err, errlen, "cannot open '%s': %s", path, strerror(errno));
			return NULL;
		}
		struct stat st;
		if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
			snprintf(err, errlen, "cannot read '%s': it is a directory", path);
			close(fd);
			return NULL;
		}
	}

	char *buf = NULL;
	size_t len = 0, cap = 0;
	for (;;) {
		xgrow(&buf, &cap, len + 65536 + 1, 1);
		ssize_t n = read(fd, buf + len, cap - len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			snprintf(err, errlen, "cannot read '%s': %s",
				 is_stdin ? "<stdin>" : path, strerror(errno));
			free(buf);
			if (!is_stdin)
				close(fd);
			return NULL;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > SOURCE_MAX_BYTES) {
			snprintf(err, errlen, "cannot read '%s': larger than %u MiB",
				 is_stdin ? "<stdin>" : path, SOURCE_MAX_BYTES >> 20);
			free(buf);
			if (!is_stdin)
				close(fd);
			return NULL;
		}
	}
	if (!is_stdin)
		close(fd);

	struct source *src = xcalloc(1, sizeof(*src));
	src->name = xstrdup(is_stdin ? "<stdin>" : path);
	src->text = buf;
	src->text[len] = '\0';
	src->len = len;
	index_lines(src);
	return src;
}

void source_free(struct source *src)
{
	if (!src)
		return;
	free(src->name);
	free(src->text);
	free(src->lines);
	free(src);
}

void source_linecol(const struct source *src, size_t offset,
		    unsigned *line, unsigned *col)
{
	if (offset > src->len)
		offset = src->len;
	/*
	 * Spans mostly come in text order: the line found last, or the one
	 * after it, is checked first against this source's own table (a stale
	 * hint only costs the binary search).
	 */
	static size_t hint;
	size_t lo = 0, hi = src->nlines;
	for (size_t h = hint; h < hint + 2; h++)
		if (h < src->nlines && src->lines[h] <= offset &&
		    (h + 1 == src->nlines || offset < src->lines[h + 1])) {
			lo = h;
			hi = h + 1;
			break;
		}
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (src->lines[mid] <= offset)
			lo = mid;
		else
			hi = mid;
	}
	unsigned c = 1;
	for (size_t i = src->lines[lo]; i < offset; i++)
		if (((unsigned char)src->text[i] & 0xC0) != 0x80)
			c++;
	hint = lo;
	*line = (unsigned)lo + 1;
	*col = c;
}

size_t source_offset(const struct source *src, unsigned line, unsigned col)
{
	if (line == 0)
		line = 1;
	if (line > src->nlines)
		return src->len;
	size_t i = src->lines[line - 1];
	unsigned c = 1;
	while (i < src->len && src->text[i] != '\n' && c < col) {
		i++;
		while (i < src->len && ((unsigned char)src->text[i] & 0xC0) == 0x80)
			i++;
		c++;
	}
	return i;
}

const char *source_line(const struct source *src, unsigned line, size_t *len)
{
	if (line == 0 || line > src->nlines) {
		*len = 0;
		return "";
	}
	size_t start = src->lines[line - 1];
	size_t end = start;
	while (end < src->len && src->text[end] != '\n')
		end++;
	if (end > start && src->text[end - 1] == '\r')
		end--;
	*len = end - start;
	return src->text + start;
}
