/*
 * verify_http.c - sending the plan through libcurl, safely by construction:
 * only GET, HEAD and OPTIONS, no body, no cookie engine, no redirects, http
 * and https only, one request at a time with --delay between them.
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "verify.h"
#include "util.h"

#define MAX_BODY (1u << 20)       /* bytes of a body read before the transfer stops */
#define MAX_HEADERS 1000          /* header lines kept per answer */

struct transfer {
	struct verify_answer *a;
	size_t body;
	bool body_cut;
	bool head_done;           /* the blank line after the last header block seen */
};

static size_t on_header(char *buf, size_t size, size_t n, void *user)
{
	struct transfer *t = user;
	size_t len = size * n;
	struct verify_answer *a = t->a;
	/* A status line starts a new header block (1xx interim answers come first). */
	if (len >= 5 && memcmp(buf, "HTTP/", 5) == 0) {
		for (size_t i = 0; i < a->nh; i++) {
			free(a->h[i].name);
			free(a->h[i].value);
		}
		a->nh = 0;
		t->head_done = false;
		return len;
	}
	/* Lines after the header block are trailers (chunked HTTP/1.1, HTTP/2),
	 * which libcurl hands over too: no browser reads CORS headers there. */
	if (t->head_done)
		return len;
	size_t end = len;
	while (end && (buf[end - 1] == '\r' || buf[end - 1] == '\n'))
		end--;
	if (end == 0) {
		t->head_done = true;
		return len;
	}
	if ((buf[0] == ' ' || buf[0] == '\t') && a->nh) {
		/* obsolete line folding: continues the previous value */
		struct verify_header *h = &a->h[a->nh - 1];
		size_t ol = strlen(h->value);
		h->value = xrealloc(h->value, ol + 1 + end + 1);
		h->value[ol] = ' ';
		memcpy(h->value + ol + 1, buf, end);
		h->value[ol + 1 + end] = '\0';
		return len;
	}
	const char *colon = memchr(buf, ':', end);
	if (!colon || colon == buf || a->nh >= MAX_HEADERS)
		return len;
	verify_answer_add(a, buf, (size_t)(colon - buf), colon + 1, end - (size_t)(colon - buf) - 1);
	return len;
}

static size_t on_body(char *buf, size_t size, size_t n, void *user)
{
	(void)buf;
	struct transfer *t = user;
	t->body += size * n;
	if (t->body > MAX_BODY) {
		t->body_cut = true;
		return 0;                 /* stop reading: the headers are what counts */
	}
	return size * n;
}

bool verify_url_ok(const char *url, struct strbuf *err)
{
	CURLU *u = curl_url();
	if (!u)
		die_oom();
	CURLUcode rc = curl_url_set(u, CURLUPART_URL, url, 0);
	bool ok = false;
	if (rc != CURLUE_OK) {
		sb_printf(err, "bad URL '%s': %s", url, curl_url_strerror(rc));
	} else {
		char *scheme = NULL, *user = NULL, *pass = NULL;
		if (!(curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
		      (strcmp(scheme, "http") == 0 || strcmp(scheme, "https") == 0)))
			sb_printf(err, "URL '%s': only http:// and https:// are probed", url);
		else if (curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK ||
			 curl_url_get(u, CURLUPART_PASSWORD, &pass, 0) == CURLUE_OK)
			/* libcurl would send it as Basic credentials, and the report
			 * would repeat it: credentials come only with --header */
			sb_puts(err, "the URL holds user info (user:password@): verify sends no "
				"credentials unless given with --header 'Authorization: ...'");
		else
			ok = true;
		curl_free(scheme);
		curl_free(user);
		curl_free(pass);
	}
	curl_url_cleanup(u);
	return ok;
}

/* The cause of a failed transfer, in words a pipeline log should show. */
static const char *cause(CURLcode rc, const char *detail)
{
	/* The URL's scheme was checked before: libcurl says "unsupported
	 * protocol" here for bytes that are no HTTP status line (HTTP/0.9). */
	if (rc == CURLE_UNSUPPORTED_PROTOCOL && strstr(detail, "HTTP/0.9"))
		return "not an HTTP answer";
	switch (rc) {
	case CURLE_COULDNT_CONNECT:
		return "connection refused";
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		return "DNS: the host name does not resolve";
	case CURLE_OPERATION_TIMEDOUT:
		return "timeout";
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_SSL_ENGINE_INITFAILED:
	case CURLE_SSL_ENGINE_NOTFOUND:
	case CURLE_SSL_ENGINE_SETFAILED:
	case CURLE_SSL_SHUTDOWN_FAILED:
	case CURLE_USE_SSL_FAILED:
		return "TLS failure";
	case CURLE_GOT_NOTHING:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_PARTIAL_FILE:
		return "no answer: the connection closed";
	case CURLE_UNSUPPORTED_PROTOCOL:
		return "unsupported protocol";
	case CURLE_WEIRD_SERVER_REPLY:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return "not an HTTP answer";
	default:
		return "transfer failed";
	}
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) != 0)
		;
}

static const char *version_name(long v)
{
	switch (v) {
	case CURL_HTTP_VERSION_1_0: return "1.0";
	case CURL_HTTP_VERSION_1_1: return "1.1";
	case CURL_HTTP_VERSION_2_0: return "2";
#ifdef CURL_HTTP_VERSION_3
	case CURL_HTTP_VERSION_3: return "3";
#endif
	default: return "?";
	}
}

/* The request headers of rq, then the user's --header lines. */
static struct curl_slist *request_headers(const struct verify_options *o,
					  const struct verify_request *rq)
{
	struct curl_slist *l = NULL, *t;
	struct strbuf sb = STRBUF_INIT;
#define ADD(s) do { t = curl_slist_append(l, (s)); if (!t) die_oom(); l = t; } while (0)
	if (rq->origin) {
		sb_printf(&sb, "Origin: %s", rq->origin);
		ADD(sb_str(&sb));
		sb_reset(&sb);
	}
	if (rq->preflight) {
		sb_printf(&sb, "Access-Control-Request-Method: %s", rq->method);
		ADD(sb_str(&sb));
		sb_reset(&sb);
		if (rq->acrh) {
			sb_printf(&sb, "Access-Control-Request-Headers: %s", rq->acrh);
			ADD(sb_str(&sb));
			sb_reset(&sb);
		}
	}
	if (rq->pna)
		ADD("Access-Control-Request-Private-Network: true");
	for (size_t i = 0; i < o->nheaders; i++)
		ADD(o->headers[i]);
#undef ADD
	if (sb.failed)
		die_oom();
	sb_release(&sb);
	return l;
}

size_t verify_send(const struct verify_options *o, const struct verify_plan *plan,
		   struct verify_answer *answers, bool *fatal, struct strbuf *err)
{
	*fatal = false;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		sb_puts(err, "libcurl failed to start");
		return 0;
	}
	CURL *c = curl_easy_init();
	if (!c) {
		curl_global_cleanup();
		sb_puts(err, "libcurl failed to start");
		return 0;
	}
	struct curl_slist *resolve = NULL;
	for (size_t i = 0; i < o->nresolve; i++) {
		struct curl_slist *t = curl_slist_append(resolve, o->resolve[i]);
		if (!t)
			die_oom();
		resolve = t;
	}
	char errbuf[CURL_ERROR_SIZE];
	size_t sent = 0;
	long timeout_ms = (long)(o->timeout * 1000.0);
	if (timeout_ms < 1)
		timeout_ms = 1;
	for (size_t i = 0; i < plan->n; i++) {
		const struct verify_request *rq = &plan->v[i];
		struct verify_answer *a = &answers[i];
		if (i && o->delay_ms > 0)
			sleep_ms(o->delay_ms);
		curl_easy_reset(c);
		struct transfer t = { a, 0, false, false };
		struct curl_slist *hdrs = request_headers(o, rq);
		errbuf[0] = '\0';
		curl_easy_setopt(c, CURLOPT_URL, o->url);
#if LIBCURL_VERSION_NUM >= 0x075500
		curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
#else
		curl_easy_setopt(c, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
		curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
		curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(c, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
		curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
		curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
		curl_easy_setopt(c, CURLOPT_USERAGENT, "corsc-verify/" CORSC_VERSION);
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
		curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
		curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
		curl_easy_setopt(c, CURLOPT_HEADERDATA, &t);
		curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
		curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);
		if (o->cacert)
			curl_easy_setopt(c, CURLOPT_CAINFO, o->cacert);
		if (resolve)
			curl_easy_setopt(c, CURLOPT_RESOLVE, resolve);
		/* The method: GET (the default), HEAD, or OPTIONS; never a body. */
		if (rq->preflight)
			curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, "OPTIONS");
		else if (strcmp(rq->method, "HEAD") == 0)
			curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
		else
			curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);

		CURLcode rc = curl_easy_perform(c);
		curl_slist_free_all(hdrs);
		a->sent = true;
		sent++;
		if (rc == CURLE_WRITE_ERROR && t.body_cut)
			rc = CURLE_OK;
		if (rc != CURLE_OK) {
			struct strbuf sb = STRBUF_INIT;
			const char *detail = errbuf[0] ? errbuf : curl_easy_strerror(rc);
			sb_printf(&sb, "%s (%s)", cause(rc, detail), detail);
			if (sb.failed)
				die_oom();
			a->error = sb_detach(&sb, NULL);
			*fatal = true;
			break;
		}
		long status = 0, version = 0;
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
		curl_easy_getinfo(c, CURLINFO_HTTP_VERSION, &version);
		a->status = (int)status;
		a->http_version = version_name(version);
	}
	curl_slist_free_all(resolve);
	curl_easy_cleanup(c);
	curl_global_cleanup();
	return sent;
}
