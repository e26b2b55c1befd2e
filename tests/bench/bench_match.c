/*
 * bench_match.c - how fast policy_allows_origin answers with 100,000 exact
 * origins: 1,000,000 lookups (half hits, half near misses) through the index,
 * against a linear scan of the same policy.  Prints figures, asserts nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "origin.h"

#define NORIGINS 100000
#define NLOOKUPS 1000000
#define NSCAN    1000      /* a linear scan is slow: fewer lookups, same mix */

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t run(const struct policy *p, char **q, size_t *qlen, size_t n, double *secs)
{
	size_t hits = 0;
	double t0 = now();
	for (size_t i = 0; i < n; i++)
		hits += policy_allows_origin(p, q[i], qlen[i]);
	*secs = now() - t0;
	return hits;
}

int main(void)
{
	struct arena *a = arena_new();
	struct policy p = { .name = "bench" };
	p.origins = arena_alloc(a, NORIGINS * sizeof(*p.origins));
	p.norigins = NORIGINS;
	for (size_t i = 0; i < NORIGINS; i++) {
		p.origins[i].kind = ORIGIN_EXACT;
		p.origins[i].text = arena_printf(a, "https://tenant%zu.customers.example.com", i);
		p.origins[i].port = -1;
	}

	char **q = arena_alloc(a, NLOOKUPS * sizeof(*q));
	size_t *qlen = arena_alloc(a, NLOOKUPS * sizeof(*qlen));
	unsigned long x = 88172645463325252ul;      /* xorshift: the same queries every run */
	for (size_t i = 0; i < NLOOKUPS; i++) {
		x ^= x << 13; x ^= x >> 7; x ^= x << 17;
		size_t k = (size_t)(x % NORIGINS);
		q[i] = i % 2 ? arena_printf(a, "https://tenant%zu.customers.example.com", k)
			     : arena_printf(a, "https://tenant%zu.customers.example.com.", k);
		qlen[i] = strlen(q[i]);
	}

	double scan_s, index_s;
	size_t scan_hits = run(&p, q, qlen, NSCAN, &scan_s);   /* no index yet: linear */
	double t0 = now();
	origin_index_build(a, &p);
	double build_s = now() - t0;
	size_t hits = run(&p, q, qlen, NLOOKUPS, &index_s);

	if (hits != NLOOKUPS / 2 || scan_hits != NSCAN / 2) {
		fprintf(stderr, "bench-match: wrong answers (%zu, %zu hits)\n", hits, scan_hits);
		arena_free(a);
		return 1;
	}
	double rate = NLOOKUPS / index_s, scan_rate = NSCAN / scan_s;
	printf("origin index: %d origins, built in %.1f ms\n", NORIGINS, build_s * 1e3);
	printf("indexed:      %d lookups in %.3f s = %.0f lookups/s\n", NLOOKUPS, index_s, rate);
	printf("linear scan:  %d lookups in %.3f s = %.0f lookups/s\n", NSCAN, scan_s, scan_rate);
	printf("ratio:        %.0fx\n", rate / scan_rate);
	arena_free(a);
	return 0;
}
