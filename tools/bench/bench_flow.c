/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Benchmark of the L4 flow table (dataplane/l4/flow.c), in process, no DPDK.
 *
 *   bench_flow [-l LOOKUPS] [-p PAIRS] [-r RUNS] [-H] [SIZES...]   (sizes: 1000 100000 1000000)
 *   bench_flow --smoke     (1 000 and 10 000 flows, 4 096 lookups and pairs, one run, no figure)
 *
 * Each figure is the best of RUNS (default 3) runs: the machines are shared and noisy.
 *
 * For each size N, a table of capacity N is filled with N flows (2N keys: 50% slot load, the
 * worst case the table is sized for), then:
 *   - lookups of existing keys, both directions, in random order, bursts of 32 whose keys were
 *     copied next to each other beforehand (as a burst's headers are): cycles per lookup
 *     including the hash, without prefetch, and with every bucket of the burst prefetched first;
 *   - insert + delete of the same new flow (the table part of a short connection's life, the
 *     table staying at N flows), and churn: delete a random old flow + insert a new one;
 *   - memory per flow: sl_flow_table_bytes(N) / N.
 * -H asks for transparent huge pages on the table (as DPDK's hugepage memory gives); without it
 * the table is in 4 KiB pages and the 1M-flow figures include TLB misses.
 *
 * Cycles are TSC ticks (rdtsc) on x86; elsewhere nanoseconds (the header says which).
 */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "dataplane/l4/flow.h"
#include "tools/bench/bench_smoke.h"

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#define UNIT "cycles"
static inline uint64_t ticks(void)
{
	/* lfence: the loads before (untimed preparation) complete before the TSC is read */
	_mm_lfence();
	uint64_t t = __rdtsc();
	_mm_lfence();
	return t;
}
#else
#define UNIT "ns"
static inline uint64_t ticks(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}
#endif

#define BURST 32

static uint64_t rng = 0x243f6a8885a308d3ull;

static uint64_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dull;
}

/* Flow number @i: a random client address and port (unique in i), a server and a local port. */
static void make_keys(uint32_t i, struct sl_flow_key *c, struct sl_flow_key *s)
{
	uint64_t r = rnd();
	*c = (struct sl_flow_key){.saddr = ((uint32_t)r & 0xffff0000u) | (i >> 16),
				  .daddr = 0x0a4d0001, .sport = (uint16_t)i, .dport = 1935,
				  .proto = 6};
	*s = (struct sl_flow_key){.saddr = 0xc0a80a00u + (i % 64), .daddr = 0x0a4e0000u + i / 28232,
				  .sport = 1935, .dport = (uint16_t)(32768 + i % 28232),
				  .proto = 6};
}

static volatile uintptr_t sink;

static void *table_mem(size_t bytes, int huge)
{
	size_t len = (bytes + (2u << 20) - 1) & ~(size_t)((2u << 20) - 1);
	void *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return NULL;
#ifdef MADV_HUGEPAGE
	madvise(m, len, huge ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
#endif
	return m;
}

#define NPASS 5

/* AnonHugePages of this process, in KiB (-1 when unknown): did -H get huge pages? */
static long anon_huge_kb(void)
{
	FILE *f = fopen("/proc/self/smaps_rollup", "r");
	char line[256];
	long kb = -1;
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "AnonHugePages: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

struct result {
	long huge_kb;
	double lookup[NPASS]; /* hash, lookup, hash+lookup, burst+prefetch, burst+2 prefetches */
	double pair_same, pair_churn, bytes_per_flow;
	double first_bucket;
};

static void run(uint32_t n, uint64_t nlookups, uint64_t npairs, int huge, struct result *res)
{
	size_t bytes = sl_flow_table_bytes(n);
	void *mem = table_mem(bytes, huge);
	if (mem == NULL || sl_flow_table_init(mem, n) != 0) {
		fprintf(stderr, "no memory for %u flows\n", n);
		exit(1);
	}
	struct sl_flow_table *t = mem;
	struct sl_flow_key *keys = malloc(sizeof(*keys) * 2 * (size_t)n);
	struct sl_flow **live = malloc(sizeof(*live) * (size_t)n);
	uint32_t extra = 1u << 16; /* keys for new flows */
	struct sl_flow_key *nk = malloc(sizeof(*nk) * 2 * (size_t)extra);
	if (keys == NULL || live == NULL || nk == NULL)
		exit(1);
	for (uint32_t i = 0; i < n; i++) {
		make_keys(i, &keys[2 * i], &keys[2 * i + 1]);
		live[i] = sl_flow_insert(t, &keys[2 * i], &keys[2 * i + 1], 0, UINT64_MAX);
		if (live[i] == NULL) {
			fprintf(stderr, "insert %u refused (%d)\n", i, t->last_err);
			exit(1);
		}
	}
	res->bytes_per_flow = (double)bytes / n;
	res->huge_kb = anon_huge_kb();

	/* lookups: random keys, bursts of BURST copied together */
	struct sl_flow_key kb[BURST];
	uint32_t hb[BURST];
	uint64_t c[NPASS] = {0}, done = 0, found = 0;
	for (int pass = 0; pass < NPASS; pass++) {
		for (uint64_t b = 0; b < nlookups / BURST; b++) {
			for (int j = 0; j < BURST; j++)
				kb[j] = keys[(rnd() >> 32) * (2 * (uint64_t)n) >> 32];
			enum sl_flow_dir d;
			uint64_t t0 = ticks();
			switch (pass) {
			case 0: /* hash alone */
				for (int j = 0; j < BURST; j++)
					hb[j] = sl_flow_key_hash(&kb[j]);
				sink += hb[BURST - 1];
				break;
			case 1: /* lookup alone (hash computed outside the timed part) */
				for (int j = 0; j < BURST; j++)
					hb[j] = sl_flow_key_hash(&kb[j]);
				t0 = ticks();
				for (int j = 0; j < BURST; j++)
					found += sl_flow_lookup(t, &kb[j], hb[j], &d, 1) != NULL;
				break;
			case 2: /* hash + lookup, one key at a time */
				for (int j = 0; j < BURST; j++)
					found += sl_flow_lookup(t, &kb[j], sl_flow_key_hash(&kb[j]), &d,
								1) != NULL;
				break;
			case 3: /* hash all, prefetch their buckets, look up all */
				for (int j = 0; j < BURST; j++) {
					hb[j] = sl_flow_key_hash(&kb[j]);
					sl_flow_prefetch(t, hb[j]);
				}
				for (int j = 0; j < BURST; j++)
					found += sl_flow_lookup(t, &kb[j], hb[j], &d, 1) != NULL;
				break;
			case 4: /* two stages: buckets, then the flow lines, then look up */
				for (int j = 0; j < BURST; j++) {
					hb[j] = sl_flow_key_hash(&kb[j]);
					sl_flow_prefetch(t, hb[j]);
				}
				for (int j = 0; j < BURST; j++)
					sl_flow_prefetch_flow(t, hb[j]);
				for (int j = 0; j < BURST; j++)
					found += sl_flow_lookup(t, &kb[j], hb[j], &d, 1) != NULL;
				break;
			}
			c[pass] += ticks() - t0;
			done += pass == 0 ? BURST : 0;
		}
	}
	if (found != (NPASS - 1) * done) {
		fprintf(stderr, "lookups failed: %llu of %llu found\n", (unsigned long long)found,
			(unsigned long long)((NPASS - 1) * done));
		exit(1);
	}
	for (int p = 0; p < NPASS; p++)
		res->lookup[p] = (double)c[p] / done;

	/* insert + delete of one new flow, the table at n - 1 flows + that one */
	sl_flow_delete(t, live[n - 1]);
	n--;
	for (uint32_t i = 0; i < extra; i++)
		make_keys(n + i, &nk[2 * i], &nk[2 * i + 1]);
	uint64_t c_same = 0, pairs = 0;
	while (pairs < npairs) {
		uint32_t base = (uint32_t)(pairs % extra);
		uint32_t m = extra - base < 1024 ? extra - base : 1024;
		uint64_t t0 = ticks();
		for (uint32_t i = base; i < base + m; i++) {
			struct sl_flow *f = sl_flow_insert(t, &nk[2 * i], &nk[2 * i + 1], 0, 1000);
			sl_flow_delete(t, f);
		}
		c_same += ticks() - t0;
		pairs += m;
	}
	res->pair_same = (double)c_same / pairs;

	/* churn: delete a random old flow, insert a new one in its place */
	uint64_t c_churn = 0, churned = 0;
	uint32_t next = 0;
	while (churned < npairs) {
		uint32_t victims[1024];
		for (int i = 0; i < 1024; i++)
			victims[i] = (uint32_t)(((rnd() >> 32) * n) >> 32);
		uint64_t t0 = ticks();
		for (int i = 0; i < 1024; i++) {
			uint32_t v = victims[i];
			struct sl_flow_key *k = &nk[2 * (next++ & (extra - 1))];
			struct sl_flow_key old[2];
			memcpy(old, live[v]->k, sizeof(old));
			sl_flow_delete(t, live[v]);
			live[v] = sl_flow_insert(t, &k[0], &k[1], 0, UINT64_MAX);
			if (live[v] == NULL) /* this new key is still in use: put the old one back */
				live[v] = sl_flow_insert(t, &old[0], &old[1], 0, UINT64_MAX);
		}
		c_churn += ticks() - t0;
		churned += 1024;
	}
	res->pair_churn = (double)c_churn / churned;

	/* share of keys in their first bucket */
	uint64_t first = 0, total = 0;
	for (uint32_t i = 0; i < n; i++) {
		struct sl_flow *f = live[i];
		for (uint32_t d = 0; d < 2; d++) {
			uint32_t b[2], idx = sl_flow_index(t, f);
			sl_flow_key_buckets(t, sl_flow_key_hash(&f->k[d]), b);
			const struct sl_flow_bucket *bk = &t->bkt[b[0]];
			for (int s = 0; s < SL_FLOW_BUCKET_SLOTS; s++)
				if ((bk->used >> (2 * s) & 1) && bk->ref[s] == (idx << 1 | d)) {
					first++;
					break;
				}
			total++;
		}
	}
	res->first_bucket = 100.0 * (double)first / (double)total;

	n++;
	munmap(mem, (bytes + (2u << 20) - 1) & ~(size_t)((2u << 20) - 1));
	free(keys);
	free(live);
	free(nk);
}

static double tsc_ghz(void)
{
#if defined(__x86_64__) || defined(__i386__)
	struct timespec a, b, req = {0, 50 * 1000 * 1000};
	clock_gettime(CLOCK_MONOTONIC, &a);
	uint64_t t0 = ticks();
	nanosleep(&req, NULL);
	uint64_t t1 = ticks();
	clock_gettime(CLOCK_MONOTONIC, &b);
	double ns = (double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec);
	return (double)(t1 - t0) / ns;
#else
	return 1.0;
#endif
}

int main(int argc, char **argv)
{
	bool smoke = bench_smoke(argc, argv);
	uint64_t nlookups = smoke ? 4096 : 2u << 20, npairs = smoke ? 4096 : 1u << 20;
	int huge = 0, opt, reps = smoke ? 1 : 3;
	while (!smoke && (opt = getopt(argc, argv, "l:p:r:H")) != -1) {
		switch (opt) {
		case 'l':
			nlookups = strtoull(optarg, NULL, 0);
			break;
		case 'p':
			npairs = strtoull(optarg, NULL, 0);
			break;
		case 'r':
			reps = atoi(optarg) > 0 ? atoi(optarg) : 1;
			break;
		case 'H':
			huge = 1;
			break;
		default:
			fprintf(stderr, "usage: %s [-l LOOKUPS] [-p PAIRS] [-r RUNS] [-H] [SIZES...]\n", argv[0]);
			return 2;
		}
	}
	uint32_t sizes[16] = {1000, 100000, 1000000};
	int nsizes = 3;
	if (smoke) {
		sizes[1] = 10000;
		nsizes = 2;
	} else if (optind < argc) {
		nsizes = 0;
		for (int i = optind; i < argc && nsizes < 16; i++)
			sizes[nsizes++] = (uint32_t)strtoul(argv[i], NULL, 0);
	}
	printf("flow table benchmark: %s per operation, TSC %.2f GHz, %s pages, %llu lookups, "
	       "%llu pairs per size\n",
	       UNIT, tsc_ghz(), huge ? "transparent huge" : "4 KiB",
	       (unsigned long long)nlookups, (unsigned long long)npairs);
	printf("%9s %6s %7s %8s %8s %8s %8s %8s %8s %8s\n", "flows", "hash", "lookup",
	       "hash+lkp", "burst+pf", "burst+pf2", "ins+del", "churn", "B/flow", "1st-bkt");
	for (int i = 0; i < nsizes; i++) {
		struct result best = {0}, r;
		for (int rep = 0; rep < reps; rep++) {
			run(sizes[i], nlookups, npairs, huge, &r);
			if (rep == 0)
				best = r;
			for (int p = 0; p < NPASS; p++)
				best.lookup[p] = r.lookup[p] < best.lookup[p] ? r.lookup[p] : best.lookup[p];
			best.pair_same = r.pair_same < best.pair_same ? r.pair_same : best.pair_same;
			best.pair_churn = r.pair_churn < best.pair_churn ? r.pair_churn : best.pair_churn;
		}
		if (huge)
			printf("          (AnonHugePages after filling: %ld MiB)\n", r.huge_kb / 1024);
		printf("%9u %6.1f %7.1f %8.1f %8.1f %9.1f %8.1f %8.1f %8.1f %7.2f%%\n", sizes[i],
		       best.lookup[0], best.lookup[1], best.lookup[2], best.lookup[3], best.lookup[4],
		       best.pair_same, best.pair_churn, best.bytes_per_flow, best.first_bucket);
		fflush(stdout);
	}
	printf("(best of %d runs) hash: sl_flow_key_hash; lookup: sl_flow_lookup with the hash "
	       "given; hash+lkp: both, one key at a time;\nburst+pf: hash 32 keys, prefetch their "
	       "buckets, look them up; burst+pf2: also sl_flow_prefetch_flow() before the lookups; "
	       "ins+del: insert then delete one new flow;\nchurn: delete a random old flow + insert "
	       "a new one; 1st-bkt: keys found in their first bucket.\n", reps);
	return 0;
}
