/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Benchmark of the stick table (dataplane/stick/stick.c). Pure C, no DPDK, no root.
 *
 *   bench_stick [OPS]     (default 2000000 per figure)
 *   bench_stick --smoke   a few thousand operations of each kind; prints nothing
 *
 * Prints cycles per operation (TSC cycles on x86-64, else nanoseconds):
 *   - look-up of a present key (`stick on src` for a known client: the SYN's cost), in a table
 *     of 200k entries holding 100k keys (beyond the caches, as a loaded table is);
 *   - creation of a new key in a table with free ways, and in a full table (every creation
 *     purges the oldest way of its set);
 *   - a tracked HTTP request: look-up, track, http_req_rate add and read, untrack (the
 *     `track-sc0 src` + `sc_http_req_rate(0)` rate limit);
 *   - the same look-up and request from 2 threads on the same keys at once (each entry's line
 *     moves between the cores: the sharing's price) and on disjoint keys.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "dataplane/stick/stick.h"
#include "tools/bench/bench_smoke.h"

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#define UNIT "cycles"
static inline uint64_t ticks(void)
{
	return __rdtsc();
}
#else
#define UNIT "ns"
static inline uint64_t ticks(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}
#endif

#define NKEYS 50000u
static uint32_t keys[NKEYS];
static unsigned long ops = 2000000;
static struct sl_stk_table *tab;

static struct sl_stk_table *mk(uint32_t size)
{
	struct sl_stk_def d = {.size = size, .expire_ms = 1800000,
			       .store = 1u << SL_STK_CONN_CUR | 1u << SL_STK_HTTP_REQ_RATE};
	for (int i = 0; i < SL_STK_NDATA; i++)
		d.period[i] = 10000;
	return sl_stk_table_new(&d);
}

static uint64_t lookups(unsigned off, unsigned stride, unsigned long n, bool req)
{
	uint64_t miss = 0;
	for (unsigned long i = 0; i < n; i++) {
		struct sl_stk_ref r;
		uint32_t k = keys[(off + i * stride) % NKEYS];
		if (!sl_stk_get(tab, k, 1000, req, &r)) {
			miss++;
			continue;
		}
		if (req) {
			sl_stk_track(tab, &r, 1000);
			sl_stk_http_req(tab, &r, 1000);
			uint64_t v;
			sl_stk_read(tab, &r, SL_STK_HTTP_REQ_RATE, 1000, &v);
			sl_stk_untrack(&r);
		} else if (sl_stk_server(&r) == 0) {
			sl_stk_store_server(&r, 0, 1);
		}
	}
	return miss;
}

struct thr {
	unsigned off;
	bool req;
	uint64_t cyc, miss;
};

static void *thr_run(void *arg)
{
	struct thr *t = arg;
	uint64_t t0 = ticks();
	t->miss = lookups(t->off, 7, ops, t->req);
	t->cyc = ticks() - t0;
	return NULL;
}

static void pair(const char *what, bool same, bool req)
{
	struct thr t[2] = {{.off = 0, .req = req}, {.off = same ? 0 : NKEYS / 2, .req = req}};
	pthread_t th[2];
	for (int i = 0; i < 2; i++)
		pthread_create(&th[i], NULL, thr_run, &t[i]);
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	printf("  %-52s %8.1f %s\n", what, (double)(t[0].cyc + t[1].cyc) / (2.0 * (double)ops), UNIT);
}

int main(int argc, char **argv)
{
	bool smoke = bench_smoke(argc, argv);
	if (smoke)
		ops = 5000;
	else if (argc > 1)
		ops = strtoul(argv[1], NULL, 10);
	srand(7);
	for (unsigned i = 0; i < NKEYS; i++)
		keys[i] = 0x0a000000u + (uint32_t)i * 2654435761u % 16777216u;
	tab = mk(200000);
	if (tab == NULL)
		return bench_fail("bench_stick", "no memory");
	uint64_t t0 = ticks();
	for (unsigned i = 0; i < NKEYS; i++) {
		struct sl_stk_ref r;
		if (!sl_stk_get(tab, keys[i], 1000, true, &r))
			return bench_fail("bench_stick", "creation %u refused", i);
	}
	double create = (double)(ticks() - t0) / NKEYS;
	if (sl_stk_used(tab, 1000) + tab->purged != NKEYS)
		return bench_fail("bench_stick", "%u entries, not %u", sl_stk_used(tab, 1000), NKEYS);
	uint64_t purged0 = tab->purged; /* a set full before the table is: its keys miss below */
	printf("stick table, 200k entries, 50k keys (%s per operation; %llu keys purged by a full set)\n",
	       UNIT, (unsigned long long)purged0);
	printf("  %-52s %8.1f %s\n", "create a key (free ways)", create, UNIT);
	t0 = ticks();
	uint64_t miss = lookups(0, 7, ops, false);
	printf("  %-52s %8.1f %s\n", "look-up hit + server read (stick on src)",
	       (double)(ticks() - t0) / (double)ops, UNIT);
	if (miss > ops / 50)
		return bench_fail("bench_stick", "%llu look-ups missed", (unsigned long long)miss);
	t0 = ticks();
	lookups(0, 7, ops, true);
	printf("  %-52s %8.1f %s\n", "tracked request (get, track, rate add+read, untrack)",
	       (double)(ticks() - t0) / (double)ops, UNIT);
	pair("look-up hit, 2 threads, same keys", true, false);
	pair("look-up hit, 2 threads, disjoint keys", false, false);
	pair("tracked request, 2 threads, same keys", true, true);
	sl_stk_table_free(tab);
	/* a full table: every creation purges */
	tab = mk(NKEYS / 4);
	if (tab == NULL)
		return bench_fail("bench_stick", "no memory");
	t0 = ticks();
	for (unsigned i = 0; i < NKEYS; i++) {
		struct sl_stk_ref r;
		sl_stk_get(tab, keys[i], 1000 + i, true, &r);
	}
	printf("  %-52s %8.1f %s\n", "create a key in a full table (purge)",
	       (double)(ticks() - t0) / NKEYS, UNIT);
	if (tab->purged == 0)
		return bench_fail("bench_stick", "a full table purged nothing");
	sl_stk_table_free(tab);
	return 0;
}
