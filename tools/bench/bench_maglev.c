/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Benchmark of Maglev consistent hashing (dataplane/balance/maglev.c; Eisenbud et al., NSDI 2016,
 * section 3.4) and of the flow hashes. Pure C, no DPDK, no root.
 *
 *   bench_maglev [LOOKUPS]        (default 10000000)
 *   bench_maglev --smoke          (one build of each size, 4 096 lookups, no figure)
 *
 * Prints:
 *   - the time to build a table (control plane) for 10, 100 and 1000 servers at M = 65537 and
 *     M = 655373, best and median of several builds;
 *   - the cost of a lookup over LOOKUPS random hashes: independent lookups (throughput, what a
 *     burst of packets sees) and dependent ones (each hash depends on the previous result:
 *     latency), with the multiply-shift reduction sluice uses and with `hash % M` for comparison;
 *   - the cost of sl_flow_hash5() and sl_flow_hash_src(), and of hash + lookup together.
 * Cycles are TSC cycles (x86-64), nanoseconds from CLOCK_MONOTONIC.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#define HAVE_TSC 1
static inline uint64_t cycles(void)
{
	return __rdtsc();
}
#else
#define HAVE_TSC 0
static inline uint64_t cycles(void)
{
	return 0;
}
#endif

#include "dataplane/balance/maglev.h"
#include "tools/bench/bench_smoke.h"

static volatile uint64_t sink; /* keeps results alive */

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

struct span {
	uint64_t ns, cyc;
};

static struct span span_start(void)
{
	struct span s = {now_ns(), cycles()};
	return s;
}

static struct span span_end(struct span s)
{
	struct span e = {now_ns() - s.ns, cycles() - s.cyc};
	return e;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* xorshift64*: the bench's own deterministic random numbers. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static void bench_build(struct sl_maglev *m, struct sl_maglev_server *srv, unsigned n,
			uint32_t size, unsigned reps)
{
	uint64_t ns[32], cyc[32];
	for (unsigned r = 0; r < reps; r++) {
		struct span s = span_start();
		int rc = sl_maglev_build(m, size, srv, n);
		s = span_end(s);
		if (rc != 0) {
			fprintf(stderr, "build failed: %d\n", rc);
			exit(1);
		}
		ns[r] = s.ns;
		cyc[r] = s.cyc;
	}
	qsort(ns, reps, sizeof(ns[0]), cmp_u64);
	qsort(cyc, reps, sizeof(cyc[0]), cmp_u64);
	printf("  %5u  %7u  %8.2f  %8.2f  %10.2f  %9.1f\n", n, size, ns[0] / 1e6,
	       ns[reps / 2] / 1e6, cyc[reps / 2] / 1e6, (double)cyc[reps / 2] / size);
}

static void row(const char *what, struct span s, uint64_t count)
{
	printf("  %-50s %7.2f  %6.2f\n", what, HAVE_TSC ? (double)s.cyc / count : 0.0,
	       (double)s.ns / count);
}

/* Lookups over @h[0..count): independent, then dependent (the next hash depends on the result). */
static void bench_lookup(const struct sl_maglev *m, const uint32_t *h, uint64_t count,
			 const char *label)
{
	char what[96];
	uint64_t acc = 0;
	struct span s;

	s = span_start();
	for (uint64_t i = 0; i < count; i++)
		acc += sl_maglev_lookup(m, h[i]);
	s = span_end(s);
	snprintf(what, sizeof(what), "lookup %s, independent", label);
	row(what, s, count);

	s = span_start();
	for (uint64_t i = 0; i < count; i++)
		acc += m->entries[h[i] % m->size];
	s = span_end(s);
	snprintf(what, sizeof(what), "  same with hash %% M");
	row(what, s, count);

	uint32_t prev = 0;
	s = span_start();
	for (uint64_t i = 0; i < count; i++)
		prev = sl_maglev_lookup(m, h[i] ^ prev);
	s = span_end(s);
	acc += prev;
	snprintf(what, sizeof(what), "lookup %s, dependent (latency)", label);
	row(what, s, count);

	prev = 0;
	s = span_start();
	for (uint64_t i = 0; i < count; i++)
		prev = m->entries[(h[i] ^ prev) % m->size];
	s = span_end(s);
	acc += prev;
	snprintf(what, sizeof(what), "  same with hash %% M");
	row(what, s, count);
	sink += acc;
}

int main(int argc, char **argv)
{
	bool smoke = bench_smoke(argc, argv);
	uint64_t count = smoke ? 4096 : argc > 1 ? strtoull(argv[1], NULL, 0) : 10000000ull;
	unsigned reps = smoke ? 1 : 15, reps_large = smoke ? 1 : 7; /* builds of each size */
	if (count == 0) {
		fprintf(stderr, "usage: bench_maglev [LOOKUPS] | --smoke\n");
		return 2;
	}
	enum { NMAX = 1000 };
	static char keys[NMAX][24];
	static struct sl_maglev_server srv[NMAX];
	for (unsigned i = 0; i < NMAX; i++) {
		snprintf(keys[i], sizeof(keys[i]), "10.1.%u.%u:1935", i / 250, i % 250 + 1);
		srv[i].key = keys[i];
		srv[i].weight = 1;
	}
	struct sl_maglev *small = malloc(sl_maglev_bytes(SL_MAGLEV_SIZE_DEFAULT));
	struct sl_maglev *large = malloc(sl_maglev_bytes(SL_MAGLEV_SIZE_LARGE));
	uint32_t *h = malloc(count * sizeof(*h));
	if (small == NULL || large == NULL || h == NULL) {
		fprintf(stderr, "out of memory\n");
		return 1;
	}

	/* TSC frequency, measured against CLOCK_MONOTONIC */
	struct span cal = span_start();
	while (now_ns() - cal.ns < 100000000ull)
		;
	cal = span_end(cal);
	if (HAVE_TSC)
		printf("TSC %.2f GHz\n\n", (double)cal.cyc / cal.ns);

	printf("build (control plane, equal weights)\n");
	printf("  %5s  %7s  %8s  %8s  %10s  %9s\n", "N", "M", "best ms", "med ms", "med Mcyc",
	       "cyc/slot");
	bench_build(small, srv, 10, SL_MAGLEV_SIZE_DEFAULT, reps);
	bench_build(small, srv, 100, SL_MAGLEV_SIZE_DEFAULT, reps);
	bench_build(small, srv, 1000, SL_MAGLEV_SIZE_DEFAULT, reps);
	bench_build(large, srv, 10, SL_MAGLEV_SIZE_LARGE, reps_large);
	bench_build(large, srv, 100, SL_MAGLEV_SIZE_LARGE, reps_large);
	bench_build(large, srv, 1000, SL_MAGLEV_SIZE_LARGE, reps_large);
	for (unsigned i = 0; i < NMAX; i++)
		srv[i].weight = 1 + i % 256;
	printf("  weights 1..256:\n");
	bench_build(small, srv, 1000, SL_MAGLEV_SIZE_DEFAULT, reps);
	bench_build(large, srv, 1000, SL_MAGLEV_SIZE_LARGE, reps_large);
	for (unsigned i = 0; i < NMAX; i++)
		srv[i].weight = 1;

	for (uint64_t i = 0; i < count; i++)
		h[i] = (uint32_t)(rng() >> 32);

	printf("\n  %-50s %7s  %6s\n", "per operation", "cycles", "ns");
	printf("  (%llu operations each)\n", (unsigned long long)count);
	if (sl_maglev_build(small, SL_MAGLEV_SIZE_DEFAULT, srv, 10) != 0)
		return bench_fail("bench_maglev", "build of 10 servers refused");
	/* the lookups below are of a real table: each one names one of its 10 servers */
	for (uint64_t i = 0; i < count; i++)
		if (sl_maglev_lookup(small, h[i]) >= 10)
			return bench_fail("bench_maglev", "lookup %llu gave server %u of 10",
					  (unsigned long long)i, sl_maglev_lookup(small, h[i]));
	bench_lookup(small, h, count, "M=65537 (128 KiB)");
	sl_maglev_build(large, SL_MAGLEV_SIZE_LARGE, srv, 1000);
	bench_lookup(large, h, count, "M=655373 (1.25 MiB)");

	/* the flow hashes: inputs derived from the loop counter (the derivation costs a cycle or
	 * two, the empty row shows it) */
	uint64_t acc = 0;
	struct span s = span_start();
	for (uint64_t i = 0; i < count; i++)
		acc += (uint32_t)i * 2654435761u ^ (uint32_t)(i >> 3);
	s = span_end(s);
	sink += acc;
	row("input generation only (baseline)", s, count);

	s = span_start();
	for (uint64_t i = 0; i < count; i++)
		acc += sl_flow_hash5((uint32_t)i * 2654435761u, 0x0a4d0001u, (uint16_t)i,
				     (uint16_t)(i >> 16), 6);
	s = span_end(s);
	sink += acc;
	row("sl_flow_hash5, independent", s, count);

	uint32_t prev = 0;
	s = span_start();
	for (uint64_t i = 0; i < count; i++)
		prev = sl_flow_hash5(prev ^ (uint32_t)i, 0x0a4d0001u, (uint16_t)i, 1935, 6);
	s = span_end(s);
	sink += prev;
	row("sl_flow_hash5, dependent (latency)", s, count);

	s = span_start();
	for (uint64_t i = 0; i < count; i++)
		acc += sl_flow_hash_src((uint32_t)i * 2654435761u);
	s = span_end(s);
	sink += acc;
	row("sl_flow_hash_src, independent", s, count);

	prev = 0;
	s = span_start();
	for (uint64_t i = 0; i < count; i++)
		prev = sl_flow_hash_src(prev ^ (uint32_t)i);
	s = span_end(s);
	sink += prev;
	row("sl_flow_hash_src, dependent (latency)", s, count);

	sl_maglev_build(large, SL_MAGLEV_SIZE_LARGE, srv, 1000);
	s = span_start();
	for (uint64_t i = 0; i < count; i++)
		acc += sl_maglev_lookup(large, sl_flow_hash5((uint32_t)i * 2654435761u, 0x0a4d0001u,
							     (uint16_t)i, (uint16_t)(i >> 16), 6));
	s = span_end(s);
	sink += acc;
	row("hash5 + lookup M=655373, independent", s, count);

	free(h);
	free(small);
	free(large);
	return 0;
}
