/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Benchmark of the server picker (dataplane/balance/pick.c) and of the backend builder
 * (dataplane/balance/backend.c). Pure C, no DPDK, no root.
 *
 *   bench_pick [PICKS]     (default 2000000 per figure)
 *   bench_pick --smoke     a few thousand picks of each kind; prints "ok" and nothing else
 *
 * Prints:
 *   - cycles per sl_pick_server() for each algorithm at 2, 10 and 1000 servers of weight 1, no
 *     maxconn, random small connection counts (what leastconn reads), random hashes: the common
 *     case, where the first candidate has room;
 *   - worst cases at 1000 servers: the schedule and `first` when every server but one is at its
 *     maxconn, a hash whose server is avoided, every server full (FULL);
 *   - what the lcores' counts cost (maxconn and leastconn sum them, pick.h): roundrobin with a
 *     maxconn (one server considered) and leastconn (every server) at 1, 2, 8 and 64 lcores;
 *     this program's picker sums up to 64 lcores (meson.build) to measure what the default
 *     SL_PICK_EXACT_MAX spares; the other lcores' arrays are in this core's cache here, while
 *     on a loaded process each is a line another core writes (a miss when it changed);
 *   - the cost of sl_pick_hash_uri() for a typical path;
 *   - the builder's time (control plane) at 2, 10 and 1000 servers, weights 1 and 1..256.
 * Picks run back to back on one cursor (a loop of independent picks: throughput, not latency);
 * the inputs come from a pre-filled array. Cycles are TSC cycles (x86-64), else nanoseconds.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dataplane/balance/pick.h"

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#define UNIT "cycles"
static inline uint64_t ticks(void)
{
	return __rdtsc();
}
#else
#define UNIT  "ns"
#define ticks now_ns
#endif

#define NMAX   1000
#define NHASH  4096 /* pre-drawn hashes, a power of two */
#define GSLOTS (NMAX + 1)

static char names[NMAX][16];
static struct sl_bal_server srv[NMAX];
#define NLC 64 /* lcores at most in the lcores' figures */
static uint32_t active[GSLOTS];
static uint32_t others[NLC][GSLOTS]; /* the other lcores' counts */
static const uint32_t *lcs[NLC] = {active};
static uint32_t hashes[NHASH];
static volatile uint64_t sink;

static uint64_t rng_state = 0x2545f4914f6cdd1dull;
static uint32_t rng(void)
{
	rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(rng_state >> 32);
}

static void servers(unsigned n, uint32_t maxconn)
{
	memset(srv, 0, sizeof(srv));
	for (unsigned i = 0; i < n; i++) {
		srv[i].name = names[i];
		srv[i].weight = 1;
		srv[i].gidx = (uint16_t)i;
		srv[i].usable = true;
		srv[i].maxconn = maxconn;
		active[i] = rng() % 8;
	}
}

/* @count picks; returns ticks per pick, or -1 when a pick's result is not @want. */
static double run_lc(const struct sl_bal_backend *b, const uint16_t *avoid, unsigned navoid,
		     uint64_t count, enum sl_pick_res want, unsigned nlc)
{
	struct sl_pick_cursor cur = {0};
	struct sl_pick_in in = {
		.active = {.lc = lcs, .n = nlc}, .avoid = avoid, .navoid = navoid};
	uint64_t acc = 0, bad = 0;
	uint64_t t0 = ticks();
	for (uint64_t i = 0; i < count; i++) {
		uint32_t h = hashes[i & (NHASH - 1)];
		in.hash_src = in.hash_uri = in.hash5 = h;
		uint16_t s = 0;
		enum sl_pick_res r = sl_pick_server(b, &cur, &in, &s);
		bad += r != want;
		acc += s;
	}
	uint64_t t = ticks() - t0;
	sink += acc;
	return bad ? -1.0 : (double)t / (double)count;
}

/* ... on one lcore */
static double run(const struct sl_bal_backend *b, const uint16_t *avoid, unsigned navoid,
		  uint64_t count, enum sl_pick_res want)
{
	return run_lc(b, avoid, navoid, count, want, 1);
}

static int build(struct sl_bal_backend *b, enum sl_bal_algo algo, unsigned n)
{
	int r = sl_bal_backend_build(b, "bench", algo, srv, n);
	if (r != 0)
		fprintf(stderr, "bench_pick: build failed (%d)\n", r);
	return r;
}

static const struct {
	const char *name;
	enum sl_bal_algo algo;
} algos[] = {
	{"roundrobin", SL_BAL_ALGO_ROUNDROBIN}, {"static-rr", SL_BAL_ALGO_STATIC_RR},
	{"leastconn", SL_BAL_ALGO_LEASTCONN},	{"first", SL_BAL_ALGO_FIRST},
	{"source", SL_BAL_ALGO_SOURCE},		{"uri", SL_BAL_ALGO_URI},
	{"other: hash5", (enum sl_bal_algo)99},
};
#define NALGOS (sizeof(algos) / sizeof(algos[0]))
static const unsigned sizes[] = {2, 10, NMAX};
#define NSIZES (sizeof(sizes) / sizeof(sizes[0]))

/* The common case: a table of algorithm x servers. 0 or -1. */
static int table(uint64_t count, bool quiet)
{
	double res[NALGOS][NSIZES];
	for (unsigned a = 0; a < NALGOS; a++)
		for (unsigned z = 0; z < NSIZES; z++) {
			struct sl_bal_backend b;
			servers(sizes[z], 0);
			if (build(&b, algos[a].algo, sizes[z]) != 0)
				return -1;
			res[a][z] = run(&b, NULL, 0, count, SL_PICK_OK);
			sl_bal_backend_free(&b);
			if (res[a][z] < 0)
				return -1;
		}
	if (quiet)
		return 0;
	printf("%s per pick, servers have room (%llu picks each)\n", UNIT,
	       (unsigned long long)count);
	printf("  %-12s %10s %10s %10s\n", "algorithm", "2", "10", "1000");
	for (unsigned a = 0; a < NALGOS; a++)
		printf("  %-12s %10.1f %10.1f %10.1f\n", algos[a].name, res[a][0], res[a][1],
		       res[a][2]);
	return 0;
}

/* Worst cases at NMAX servers. 0 or -1. */
static int worst(uint64_t count, bool quiet)
{
	static const struct {
		const char *what;
		enum sl_bal_algo algo;
		bool full_but_one, avoid_hashed;
		enum sl_pick_res want;
	} cases[] = {
		{"roundrobin, all full but one", SL_BAL_ALGO_ROUNDROBIN, true, false, SL_PICK_OK},
		{"first, all full but the last", SL_BAL_ALGO_FIRST, true, false, SL_PICK_OK},
		{"source, hashed server avoided", SL_BAL_ALGO_SOURCE, false, true, SL_PICK_OK},
		{"roundrobin, every server full", SL_BAL_ALGO_ROUNDROBIN, false, false,
		 SL_PICK_FULL},
		{"leastconn, every server full", SL_BAL_ALGO_LEASTCONN, false, false, SL_PICK_FULL},
	};
	if (!quiet)
		printf("\n%s per pick, %u servers, worst cases\n", UNIT, NMAX);
	for (unsigned c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct sl_bal_backend b;
		servers(NMAX, 1);
		for (unsigned i = 0; i < NMAX; i++)
			active[i] = cases[c].want == SL_PICK_FULL || cases[c].full_but_one ? 1 : 0;
		if (cases[c].full_but_one)
			active[NMAX - 1] = 0;
		if (build(&b, cases[c].algo, NMAX) != 0)
			return -1;
		/* avoid whichever server the hash names: every pick goes the long way */
		uint16_t avoid[1] = {0};
		double t;
		if (cases[c].avoid_hashed) {
			struct sl_pick_cursor cur = {0};
			struct sl_pick_in in = {
				.active = {.lc = lcs, .n = 1}, .hash_src = hashes[0]};
			uint16_t s = 0;
			sl_pick_server(&b, &cur, &in, &s);
			avoid[0] = b.servers[s].gidx;
			for (unsigned i = 0; i < NHASH; i++)
				hashes[i] = hashes[0]; /* the same key each time */
			t = run(&b, avoid, 1, count / 8, cases[c].want);
			for (unsigned i = 0; i < NHASH; i++)
				hashes[i] = rng();
		} else {
			t = run(&b, NULL, 0, count / 64 + 1, cases[c].want);
		}
		sl_bal_backend_free(&b);
		if (t < 0)
			return -1;
		if (!quiet)
			printf("  %-36s %10.1f\n", cases[c].what, t);
	}
	return 0;
}

/* The lcores' counts summed: roundrobin with a maxconn, leastconn. 0 or -1. */
static int lcores(uint64_t count, bool quiet)
{
	static const unsigned nls[] = {1, 2, 8, NLC};
	static const struct {
		const char *what;
		enum sl_bal_algo algo;
		uint32_t maxconn;
	} kinds[] = {{"roundrobin, maxconn", SL_BAL_ALGO_ROUNDROBIN, 1000000},
		     {"leastconn", SL_BAL_ALGO_LEASTCONN, 0}};
	for (unsigned l = 1; l < NLC; l++) {
		lcs[l] = others[l];
		for (unsigned i = 0; i < GSLOTS; i++)
			others[l][i] = rng() % 8;
	}
	if (!quiet)
		printf("\n%s per pick by lcores whose counts are summed (servers have room)\n"
		       "  %-20s %7s %10s %10s %10s\n",
		       UNIT, "algorithm", "lcores", "2", "10", "1000");
	for (unsigned k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
		for (unsigned l = 0; l < sizeof(nls) / sizeof(nls[0]); l++) {
			double res[NSIZES];
			for (unsigned z = 0; z < NSIZES; z++) {
				struct sl_bal_backend b;
				servers(sizes[z], kinds[k].maxconn);
				if (build(&b, kinds[k].algo, sizes[z]) != 0)
					return -1;
				uint64_t n = kinds[k].algo == SL_BAL_ALGO_LEASTCONN
						     ? count / (sizes[z] * nls[l] / 16 + 1) + 1
						     : count;
				res[z] = run_lc(&b, NULL, 0, n, SL_PICK_OK, nls[l]);
				sl_bal_backend_free(&b);
				if (res[z] < 0)
					return -1;
			}
			if (!quiet)
				printf("  %-20s %7u %10.1f %10.1f %10.1f\n", kinds[k].what, nls[l],
				       res[0], res[1], res[2]);
		}
	return 0;
}

static int uri_hash(uint64_t count, bool quiet)
{
	static const char path[] = "/live/stream1234/chunk_000042.ts?token=abcdef";
	uint64_t acc = 0, t0 = ticks();
	for (uint64_t i = 0; i < count; i++)
		acc += sl_pick_hash_uri(path, sizeof(path) - 1 - (i & 7), 0, 0, false);
	double t = (double)(ticks() - t0) / (double)count;
	sink += acc;
	if (!quiet)
		printf("\n  %-36s %10.1f\n", "sl_pick_hash_uri, 32-byte path", t);
	return 0;
}

/* The builder's time, median of @reps builds. 0 or -1. */
static int builds(unsigned reps, bool quiet)
{
	if (!quiet)
		printf("\nbuild (control plane), median of %u, ms\n  %-12s %10s %10s %10s\n", reps,
		       "weights", "2", "10", "1000");
	for (unsigned wk = 0; wk < 2; wk++) {
		double med[NSIZES];
		for (unsigned z = 0; z < NSIZES; z++) {
			uint64_t ns[16];
			servers(sizes[z], 0);
			for (unsigned i = 0; i < sizes[z]; i++)
				srv[i].weight = (uint16_t)(wk == 0 ? 1 : 1 + (i * 37) % 256);
			for (unsigned r = 0; r < reps; r++) {
				struct sl_bal_backend b;
				uint64_t t0 = now_ns();
				if (build(&b, SL_BAL_ALGO_ROUNDROBIN, sizes[z]) != 0)
					return -1;
				ns[r] = now_ns() - t0;
				sl_bal_backend_free(&b);
			}
			for (unsigned i = 1; i < reps; i++) /* insertion sort: a few values */
				for (unsigned j = i; j > 0 && ns[j - 1] > ns[j]; j--) {
					uint64_t x = ns[j];
					ns[j] = ns[j - 1];
					ns[j - 1] = x;
				}
			med[z] = (double)ns[reps / 2] / 1e6;
		}
		if (!quiet)
			printf("  %-12s %10.2f %10.2f %10.2f\n", wk == 0 ? "1" : "1..256", med[0],
			       med[1], med[2]);
	}
	return 0;
}

int main(int argc, char **argv)
{
	bool smoke = argc > 1 && strcmp(argv[1], "--smoke") == 0;
	uint64_t count = smoke ? 4000 : argc > 1 ? strtoull(argv[1], NULL, 0) : 2000000ull;
	if (count == 0) {
		fprintf(stderr, "usage: bench_pick [PICKS] | --smoke\n");
		return 2;
	}
	for (unsigned i = 0; i < NMAX; i++)
		snprintf(names[i], sizeof(names[i]), "srv%u", i);
	for (unsigned i = 0; i < NHASH; i++)
		hashes[i] = rng();
	/* warm up (the core's clock ramps up) before the first figure */
	for (uint64_t t0 = now_ns(); !smoke && now_ns() - t0 < 200000000ull;)
		sink++;
	if (table(count, smoke) != 0 || worst(count, smoke) != 0 ||
	    lcores(count, smoke) != 0 || uri_hash(count, smoke) != 0 ||
	    builds(smoke ? 1 : 9, smoke) != 0) {
		fprintf(stderr, "bench_pick: a pick did not give the expected result\n");
		return 1;
	}
	if (smoke)
		printf("ok\n");
	return 0;
}
