/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The server picker (dataplane/balance/pick.c): every algorithm over weights, weight 0, maxconn
 * and leastconn over the sums of several lcores' counts (shares beyond SL_PICK_EXACT_MAX lcores),
 * FULL against NONE, the avoid set, backups, leastconn's ties, the
 * stability of source and uri when a server leaves, one cursor per backend, a backend of 1000
 * servers, and the uri hash's options.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dataplane/balance/maglev.h"
#include "dataplane/balance/pick.h"
#include "tests/unit/sl_test.h"

#define MAXN 1000
#define G0   100 /* server i's counter slot is G0 + i: never its index */

static char names[MAXN][16];
static struct sl_bal_server srv[MAXN];
#define NLC  (SL_PICK_EXACT_MAX + 1) /* lcores at most: one beyond the sums */
static uint32_t active[G0 + MAXN]; /* this lcore's connections by counter slot */
static uint32_t lc_act[NLC][G0 + MAXN]; /* other lcores' (lc_act[0] is unused) */
static const uint32_t *lcs[NLC];       /* lcs[0] is this lcore's */

/* every algorithm, and an unknown value (the 5-tuple hash) */
static const enum sl_bal_algo all_algos[] = {
	SL_BAL_ALGO_ROUNDROBIN, SL_BAL_ALGO_STATIC_RR, SL_BAL_ALGO_LEASTCONN, SL_BAL_ALGO_FIRST,
	SL_BAL_ALGO_SOURCE,	SL_BAL_ALGO_URI,       (enum sl_bal_algo)99,
};
#define NALGOS (sizeof(all_algos) / sizeof(all_algos[0]))

/* @n usable servers of weight 1, no maxconn, no connection. */
static void reset(unsigned n)
{
	memset(srv, 0, sizeof(srv));
	memset(active, 0, sizeof(active));
	memset(lc_act, 0, sizeof(lc_act));
	lcs[0] = active;
	for (unsigned l = 1; l < NLC; l++)
		lcs[l] = lc_act[l];
	for (unsigned i = 0; i < n; i++) {
		srv[i].name = names[i];
		srv[i].weight = 1;
		srv[i].gidx = (uint16_t)(G0 + i);
		srv[i].usable = true;
	}
}

static void build(struct sl_bal_backend *b, enum sl_bal_algo algo, unsigned n)
{
	CU_ASSERT_EQUAL_FATAL(sl_bal_backend_build(b, "be", algo, srv, n), 0);
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint32_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545f4914f6cdd1dull) >> 32);
}

/* Inputs with fresh random hashes (every algorithm then finds what it reads). */
static struct sl_pick_in input(unsigned nlcores)
{
	struct sl_pick_in in = {.active = {.lc = lcs, .n = nlcores}};
	in.hash_src = rng();
	in.hash_uri = rng();
	in.hash5 = rng();
	return in;
}

/* One pick: the server's index, or -1 (NONE) / -2 (FULL). */
static int pick(const struct sl_bal_backend *b, struct sl_pick_cursor *cur,
		const struct sl_pick_in *in)
{
	uint16_t s = 0xdead;
	enum sl_pick_res r = sl_pick_server(b, cur, in, &s);
	if (r == SL_PICK_OK) {
		CU_ASSERT_FATAL(s < b->nservers);
		return s;
	}
	CU_ASSERT_EQUAL(s, 0xdead); /* untouched */
	return r == SL_PICK_NONE ? -1 : -2;
}

/* @npicks picks; counts[i] += how many went to server i. Connections are not kept. */
static void picks(const struct sl_bal_backend *b, struct sl_pick_cursor *cur, unsigned nl,
		  unsigned npicks, unsigned *counts)
{
	for (unsigned k = 0; k < npicks; k++) {
		struct sl_pick_in in = input(nl);
		int s = pick(b, cur, &in);
		CU_ASSERT_FATAL(s >= 0);
		counts[s]++;
	}
}

/* ---- the schedule ---- */

static void test_rr_weights(void)
{
	static const enum sl_bal_algo algos[] = {SL_BAL_ALGO_ROUNDROBIN, SL_BAL_ALGO_STATIC_RR};
	for (unsigned a = 0; a < 2; a++) {
		struct sl_bal_backend b;
		struct sl_pick_cursor cur = {0};
		char order[9] = {0};
		reset(2);
		srv[0].weight = 3;
		build(&b, algos[a], 2);
		for (unsigned k = 0; k < 8; k++) {
			struct sl_pick_in in = input(1);
			order[k] = (char)('a' + pick(&b, &cur, &in));
		}
		CU_ASSERT_STRING_EQUAL(order, "aabaaaba"); /* 6 and 2 of 8, spread */
		sl_bal_backend_free(&b);
	}
}

static void test_rr_cursor_any_value(void)
{
	struct sl_bal_backend b;
	reset(3);
	build(&b, SL_BAL_ALGO_ROUNDROBIN, 3);
	/* a cursor from a longer schedule (a previous generation), or never zeroed */
	struct sl_pick_cursor cur = {UINT64_MAX};
	unsigned counts[3] = {0};
	picks(&b, &cur, 1, 300, counts);
	CU_ASSERT_EQUAL(counts[0], 100);
	CU_ASSERT_EQUAL(counts[1], 100);
	CU_ASSERT_EQUAL(counts[2], 100);
	sl_bal_backend_free(&b);
}

/* Each backend has its own cursor: two backends picked in turn both alternate their servers.
 * (The engines used to share one cursor per lcore among backends: here each backend would
 * always have got the same server.) */
static void test_cursor_per_backend(void)
{
	struct sl_bal_backend b1, b2;
	struct sl_pick_cursor c1 = {0}, c2 = {0};
	unsigned n1[2] = {0}, n2[2] = {0};
	reset(2);
	build(&b1, SL_BAL_ALGO_ROUNDROBIN, 2);
	build(&b2, SL_BAL_ALGO_ROUNDROBIN, 2);
	for (unsigned k = 0; k < 100; k++) {
		picks(&b1, &c1, 1, 1, n1);
		picks(&b2, &c2, 1, 1, n2);
	}
	CU_ASSERT_EQUAL(n1[0], 50);
	CU_ASSERT_EQUAL(n1[1], 50);
	CU_ASSERT_EQUAL(n2[0], 50);
	CU_ASSERT_EQUAL(n2[1], 50);
	sl_bal_backend_free(&b1);
	sl_bal_backend_free(&b2);
}

/* ---- every algorithm ---- */

static void test_weight_zero(void)
{
	for (unsigned a = 0; a < NALGOS; a++) {
		struct sl_bal_backend b;
		struct sl_pick_cursor cur = {0};
		unsigned counts[3] = {0};
		reset(3);
		srv[0].weight = 0; /* first in order: `first` and leastconn would take it */
		srv[2].weight = 0;
		build(&b, all_algos[a], 3);
		picks(&b, &cur, 1, 1000, counts);
		CU_ASSERT_EQUAL(counts[1], 1000);
		sl_bal_backend_free(&b);

		/* every server of weight 0: nothing in rotation */
		srv[1].weight = 0;
		build(&b, all_algos[a], 3);
		struct sl_pick_in in = input(1);
		CU_ASSERT_EQUAL(pick(&b, &cur, &in), -1);
		sl_bal_backend_free(&b);
	}
}

static void test_none_and_empty(void)
{
	for (unsigned a = 0; a < NALGOS; a++) {
		struct sl_bal_backend b;
		struct sl_pick_cursor cur = {0};
		struct sl_pick_in in = input(1);
		reset(2);
		build(&b, all_algos[a], 0);
		CU_ASSERT_EQUAL(pick(&b, &cur, &in), -1);
		sl_bal_backend_free(&b);
		srv[0].usable = false;
		srv[1].drain = true;
		build(&b, all_algos[a], 2);
		CU_ASSERT_EQUAL(pick(&b, &cur, &in), -1);
		in.active.lc = NULL; /* no counts: fine too */
		CU_ASSERT_EQUAL(pick(&b, &cur, &in), -1);
		sl_bal_backend_free(&b);
	}
}

static void test_maxconn_one_lcore(void)
{
	for (unsigned a = 0; a < NALGOS; a++) {
		struct sl_bal_backend b;
		struct sl_pick_cursor cur = {0};
		reset(2);
		srv[0].maxconn = 2;
		srv[1].maxconn = 1;
		build(&b, all_algos[a], 2);
		/* keep every connection: 3 picks fill both servers, the 4th finds them full */
		unsigned got[2] = {0};
		for (unsigned k = 0; k < 3; k++) {
			struct sl_pick_in in = input(1);
			int s = pick(&b, &cur, &in);
			if (all_algos[a] >= SL_BAL_ALGO_SOURCE) {
				/* a hash names one server: FULL once that one is full */
				if (s == -2)
					break;
			}
			CU_ASSERT_FATAL(s >= 0);
			got[s]++;
			active[srv[s].gidx]++;
		}
		CU_ASSERT(got[0] <= 2 && got[1] <= 1);
		if (all_algos[a] < SL_BAL_ALGO_SOURCE) {
			CU_ASSERT_EQUAL(got[0], 2);
			CU_ASSERT_EQUAL(got[1], 1);
		}
		active[srv[0].gidx] = 2;
		active[srv[1].gidx] = 1;
		struct sl_pick_in in = input(1);
		CU_ASSERT_EQUAL(pick(&b, &cur, &in), -2); /* FULL, not NONE */
		/* a connection ends */
		active[srv[1].gidx] = 0;
		if (all_algos[a] < SL_BAL_ALGO_SOURCE)
			CU_ASSERT_EQUAL(pick(&b, &cur, &in), 1);
		CU_ASSERT_TRUE(sl_pick_has_slot(&b.servers[1], &in.active));
		CU_ASSERT_FALSE(sl_pick_has_slot(&b.servers[0], &in.active));
		sl_bal_backend_free(&b);
	}
}

/* maxconn limits the sum of the lcores' counts, wherever the connections are. */
static void test_maxconn_lcores(void)
{
	static const struct {
		uint32_t maxconn;
		unsigned nlcores;
		uint32_t own, other; /* this lcore's count, each other lcore's */
		bool slot;
	} cases[] = {
		{10, 1, 9, 0, true},  {10, 1, 10, 0, false}, {10, 2, 0, 10, false}, /* not 5 each */
		{10, 2, 9, 0, true},  {10, 2, 4, 5, true},   {10, 2, 5, 5, false},
		{10, 3, 0, 4, true},  {10, 3, 0, 5, false},  {10, 3, 2, 4, false},
		{3, 8, 0, 0, true},   {3, 8, 1, 1, false},   {1, 8, 0, 1, false}, /* never 1 each */
		{7, 0, 6, 9, true}, /* 0 lcores counts as 1: only this one's */
		{SL_PICK_EXACT_MAX * 2, SL_PICK_EXACT_MAX, 2, 2, false},
		{SL_PICK_EXACT_MAX * 2 + 1, SL_PICK_EXACT_MAX, 2, 2, true},
	};
	for (unsigned c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		reset(1);
		srv[0].maxconn = cases[c].maxconn;
		active[G0] = cases[c].own;
		for (unsigned l = 1; l < NLC; l++)
			lc_act[l][G0] = cases[c].other;
		struct sl_pick_counts k = {.lc = lcs, .n = cases[c].nlcores};
		CU_ASSERT_EQUAL(sl_pick_has_slot(&srv[0], &k), cases[c].slot);
		uint32_t sum = cases[c].own +
			       (cases[c].nlcores > 1 ? (cases[c].nlcores - 1) * cases[c].other : 0);
		CU_ASSERT_EQUAL(sl_pick_count(&k, G0), sum);
		/* the same from any lcore of the set */
		k.self = cases[c].nlcores > 1 ? 1 : 0;
		CU_ASSERT_EQUAL(sl_pick_has_slot(&srv[0], &k), cases[c].slot);
	}
	reset(1);
	struct sl_pick_counts k = {.lc = lcs, .n = 4};
	srv[0].maxconn = 0; /* unlimited */
	active[G0] = UINT32_MAX / 2;
	lc_act[1][G0] = UINT32_MAX / 2;
	CU_ASSERT_TRUE(sl_pick_has_slot(&srv[0], &k));
	srv[0].maxconn = 1;
	k.lc = NULL;
	CU_ASSERT_TRUE(sl_pick_has_slot(&srv[0], &k)); /* no counts: none active */

	/* beyond SL_PICK_EXACT_MAX lcores, shares: ceil(maxconn / lcores) of the lcore's own */
	reset(1);
	k = (struct sl_pick_counts){.lc = lcs, .n = NLC, .self = 0};
	srv[0].maxconn = NLC * 2 - 1; /* share 2 */
	for (unsigned l = 1; l < NLC; l++)
		lc_act[l][G0] = 5; /* not read */
	active[G0] = 1;
	CU_ASSERT_TRUE(sl_pick_has_slot(&srv[0], &k));
	CU_ASSERT_EQUAL(sl_pick_count(&k, G0), 1);
	active[G0] = 2;
	CU_ASSERT_FALSE(sl_pick_has_slot(&srv[0], &k));
	k.self = 1; /* another lcore's own count: 5 */
	CU_ASSERT_FALSE(sl_pick_has_slot(&srv[0], &k));
	CU_ASSERT_EQUAL(sl_pick_count(&k, G0), 5);

	/* through the picker: 2 lcores, maxconn 3: this lcore takes 2, the other 1, then both
	 * find the server full (shares would give 2 each: 4) */
	for (unsigned a = 0; a < NALGOS; a++) {
		struct sl_bal_backend b;
		struct sl_pick_cursor cur = {0}, cur1 = {0};
		reset(1);
		srv[0].maxconn = 3;
		build(&b, all_algos[a], 1);
		struct sl_pick_in in = input(2), in1 = in;
		in1.active.self = 1;
		for (unsigned k2 = 0; k2 < 2; k2++) {
			CU_ASSERT_EQUAL(pick(&b, &cur, &in), 0);
			active[G0]++;
		}
		CU_ASSERT_EQUAL(pick(&b, &cur1, &in1), 0);
		lc_act[1][G0]++;
		CU_ASSERT_EQUAL(pick(&b, &cur1, &in1), -2);
		CU_ASSERT_EQUAL(pick(&b, &cur, &in), -2);
		/* a connection of the other lcore ends: this one has a slot again */
		lc_act[1][G0]--;
		CU_ASSERT_EQUAL(pick(&b, &cur, &in), 0);
		/* every connection is the other lcore's: this one has none and no slot */
		active[G0] = 0;
		lc_act[1][G0] = 3;
		CU_ASSERT_EQUAL(pick(&b, &cur, &in), -2);
		sl_bal_backend_free(&b);
	}
}

/* leastconn compares the sums of the lcores' counts, not the calling lcore's own. */
static void test_leastconn_lcores(void)
{
	struct sl_bal_backend b;
	struct sl_pick_cursor cur = {0};
	reset(3);
	build(&b, SL_BAL_ALGO_LEASTCONN, 3);
	/* own: 0 2 2; other lcores: 5 0 1 and 0 0 1; sums: 5 2 4 */
	active[G0 + 1] = 2;
	active[G0 + 2] = 2;
	lc_act[1][G0] = 5;
	lc_act[1][G0 + 2] = 1;
	lc_act[2][G0 + 2] = 1;
	struct sl_pick_in in = input(3);
	for (unsigned k = 0; k < 4; k++)
		CU_ASSERT_EQUAL(pick(&b, &cur, &in), 1);
	/* the other lcores' loads move: sums 6 3 3 -> 1 and 2 share the picks */
	lc_act[1][G0] = 6;
	lc_act[1][G0 + 1] = 1;
	lc_act[2][G0 + 2] = 0;
	unsigned got[3] = {0};
	for (unsigned k = 0; k < 8; k++)
		got[pick(&b, &cur, &in)]++;
	CU_ASSERT_EQUAL(got[0], 0);
	CU_ASSERT(got[1] > 0 && got[2] > 0);
	/* on its own counts (one lcore) server 0 would win */
	struct sl_pick_in one = input(1);
	CU_ASSERT_EQUAL(pick(&b, &cur, &one), 0);
	sl_bal_backend_free(&b);
}

/* The owner's writes: add, and sub that stops at 0. */
static void test_count_add_sub(void)
{
	reset(1);
	sl_pick_count_add(active, G0);
	sl_pick_count_add(active, G0);
	CU_ASSERT_EQUAL(active[G0], 2);
	sl_pick_count_sub(active, G0);
	sl_pick_count_sub(active, G0);
	sl_pick_count_sub(active, G0);
	CU_ASSERT_EQUAL(active[G0], 0);
}

static void test_backups(void)
{
	for (unsigned a = 0; a < NALGOS; a++) {
		struct sl_bal_backend b;
		struct sl_pick_cursor cur = {0};
		unsigned counts[4] = {0};
		reset(4);
		srv[0].backup = true;
		srv[2].backup = true;
		build(&b, all_algos[a], 4);
		picks(&b, &cur, 1, 400, counts);
		CU_ASSERT_EQUAL(counts[0] + counts[2], 0); /* actives serve */
		sl_bal_backend_free(&b);

		srv[1].usable = false;
		srv[3].drain = true;
		build(&b, all_algos[a], 4);
		memset(counts, 0, sizeof(counts));
		picks(&b, &cur, 1, 400, counts);
		CU_ASSERT_EQUAL(counts[1] + counts[3], 0);
		CU_ASSERT_EQUAL(counts[0] + counts[2], 400);
		/* `first` takes the first backup; the others share them out */
		bool first = all_algos[a] == SL_BAL_ALGO_FIRST;
		CU_ASSERT(first ? counts[0] == 400 : counts[0] > 100 && counts[2] > 100);
		sl_bal_backend_free(&b);
	}
}

/* ---- the avoid set ---- */

static void test_avoid(void)
{
	for (unsigned a = 0; a < NALGOS; a++) {
		struct sl_bal_backend b;
		struct sl_pick_cursor cur = {0};
		uint16_t avoid[2] = {G0 + 0, G0 + 2};
		reset(3);
		build(&b, all_algos[a], 3);
		/* avoided servers are left out while another one may be chosen */
		for (unsigned k = 0; k < 200; k++) {
			struct sl_pick_in in = input(1);
			in.avoid = avoid;
			in.navoid = 2;
			CU_ASSERT_EQUAL(pick(&b, &cur, &in), 1);
		}
		/* every server in rotation avoided: one of them all the same */
		for (unsigned k = 0; k < 50; k++) {
			struct sl_pick_in in = input(1);
			uint16_t all[3] = {G0 + 2, G0 + 1, G0 + 0};
			in.avoid = all;
			in.navoid = 3;
			CU_ASSERT(pick(&b, &cur, &in) >= 0);
		}
		sl_bal_backend_free(&b);

		/* the only server in rotation is kept */
		srv[1].usable = false;
		srv[2].usable = false;
		build(&b, all_algos[a], 3);
		struct sl_pick_in in = input(1);
		in.avoid = avoid;
		in.navoid = 1;
		CU_ASSERT_EQUAL(pick(&b, &cur, &in), 0);
		sl_bal_backend_free(&b);
	}
}

/* The others are full: the schedule, leastconn and first take the avoided server (HAProxy's
 * fallback); a hash moves to the next server in rotation, full: FULL. */
static void test_avoid_others_full(void)
{
	for (unsigned a = 0; a < NALGOS; a++) {
		struct sl_bal_backend b;
		struct sl_pick_cursor cur = {0};
		uint16_t avoid = G0 + 1;
		reset(3);
		srv[0].maxconn = srv[2].maxconn = 1;
		active[G0 + 0] = active[G0 + 2] = 1;
		build(&b, all_algos[a], 3);
		for (unsigned k = 0; k < 20; k++) {
			struct sl_pick_in in = input(1);
			in.avoid = &avoid;
			in.navoid = 1;
			int s = pick(&b, &cur, &in);
			bool hashes = all_algos[a] >= SL_BAL_ALGO_SOURCE;
			CU_ASSERT(hashes ? s == -2 || s == 1 : s == 1);
		}
		sl_bal_backend_free(&b);
	}
}

/* An avoided hashed server gives way to the next in rotation, not avoided. */
static void test_avoid_hash_next(void)
{
	struct sl_bal_backend b;
	struct sl_pick_cursor cur = {0};
	reset(5);
	srv[2].usable = false; /* rotation: 0 1 3 4 */
	build(&b, SL_BAL_ALGO_SOURCE, 5);
	static const int next[5] = {1, 3, -1, 4, 0};
	for (unsigned k = 0; k < 500; k++) {
		struct sl_pick_in in = input(1);
		int s = pick(&b, &cur, &in);
		CU_ASSERT_FATAL(s >= 0 && s != 2);
		uint16_t avoid[2] = {srv[s].gidx, 0};
		in.avoid = avoid;
		in.navoid = 1;
		CU_ASSERT_EQUAL(pick(&b, &cur, &in), next[s]);
		avoid[1] = srv[next[s]].gidx; /* and the next one too: the one after */
		in.navoid = 2;
		CU_ASSERT_EQUAL(pick(&b, &cur, &in), next[next[s]]);
	}
	sl_bal_backend_free(&b);
}

/* ---- leastconn ---- */

static void test_leastconn_ties_alternate(void)
{
	struct sl_bal_backend b;
	struct sl_pick_cursor cur = {0};
	reset(3);
	build(&b, SL_BAL_ALGO_LEASTCONN, 3);
	/* short connections (never counted): equal servers take turns */
	int prev = -1;
	unsigned counts[3] = {0};
	for (unsigned k = 0; k < 300; k++) {
		struct sl_pick_in in = input(1);
		int s = pick(&b, &cur, &in);
		CU_ASSERT_NOT_EQUAL(s, prev);
		counts[s]++;
		prev = s;
	}
	CU_ASSERT_EQUAL(counts[0], 100);
	CU_ASSERT_EQUAL(counts[1], 100);
	CU_ASSERT_EQUAL(counts[2], 100);

	/* ties in load per weight: 4 on weight 2 and 2 on weight 1 */
	sl_bal_backend_free(&b);
	srv[0].weight = 2;
	build(&b, SL_BAL_ALGO_LEASTCONN, 2);
	active[G0 + 0] = 4;
	active[G0 + 1] = 2;
	memset(counts, 0, sizeof(counts));
	picks(&b, &cur, 1, 100, counts);
	CU_ASSERT_EQUAL(counts[0], 50);
	CU_ASSERT_EQUAL(counts[1], 50);
	sl_bal_backend_free(&b);
}

static void test_leastconn_load(void)
{
	struct sl_bal_backend b;
	struct sl_pick_cursor cur = {0};
	reset(3);
	srv[0].weight = 3;
	build(&b, SL_BAL_ALGO_LEASTCONN, 3);
	active[G0 + 0] = 5;
	active[G0 + 1] = 2;
	active[G0 + 2] = 2;
	struct sl_pick_in in = input(1);
	CU_ASSERT_EQUAL(pick(&b, &cur, &in), 0); /* 5/3 < 2/1 */
	active[G0 + 2] = 1;
	CU_ASSERT_EQUAL(pick(&b, &cur, &in), 2); /* 1/1 < 5/3 */
	/* long connections (kept): the shares follow the weights 3:1:1 */
	memset(active, 0, sizeof(active));
	unsigned counts[3] = {0};
	for (unsigned k = 0; k < 500; k++) {
		in = input(1);
		int s = pick(&b, &cur, &in);
		counts[s]++;
		active[srv[s].gidx]++;
	}
	CU_ASSERT_EQUAL(counts[0], 300);
	CU_ASSERT_EQUAL(counts[1], 100);
	CU_ASSERT_EQUAL(counts[2], 100);
	sl_bal_backend_free(&b);
}

/* ---- first ---- */

static void test_first(void)
{
	struct sl_bal_backend b;
	struct sl_pick_cursor cur = {0};
	reset(3);
	srv[0].weight = 1;
	srv[1].weight = 50; /* weights do not matter */
	srv[0].maxconn = 2;
	srv[1].maxconn = 1;
	build(&b, SL_BAL_ALGO_FIRST, 3);
	/* HAProxy: fill the first server up to its maxconn, then the next */
	static const int expect[] = {0, 0, 1, 2, 2, 2};
	for (unsigned k = 0; k < 6; k++) {
		struct sl_pick_in in = input(1);
		int s = pick(&b, &cur, &in);
		CU_ASSERT_EQUAL(s, expect[k]);
		if (s >= 0)
			active[srv[s].gidx]++;
	}
	active[G0 + 0]--; /* a slot frees up on the first: it takes the next one */
	struct sl_pick_in in = input(1);
	CU_ASSERT_EQUAL(pick(&b, &cur, &in), 0);
	sl_bal_backend_free(&b);
}

/* ---- hashes ---- */

static void test_hash_stable(void)
{
	enum { NS = 10, NK = 20000 };
	static const enum sl_bal_algo algos[] = {SL_BAL_ALGO_SOURCE, SL_BAL_ALGO_URI,
						 (enum sl_bal_algo)99};
	static uint32_t hashes[NK];
	static int before[NK];
	for (unsigned a = 0; a < 3; a++) {
		struct sl_bal_backend b;
		struct sl_pick_cursor cur = {0};
		reset(NS);
		build(&b, algos[a], NS);
		for (unsigned k = 0; k < NK; k++) {
			struct sl_pick_in in = {.active = {.lc = lcs, .n = 1}};
			hashes[k] = rng();
			in.hash_src = in.hash_uri = in.hash5 = hashes[k];
			before[k] = pick(&b, &cur, &in);
			/* the same key, the same server */
			CU_ASSERT_EQUAL(pick(&b, &cur, &in), before[k]);
		}
		sl_bal_backend_free(&b);

		srv[3].usable = false; /* one server leaves */
		build(&b, algos[a], NS);
		unsigned kept = 0, others = 0;
		for (unsigned k = 0; k < NK; k++) {
			struct sl_pick_in in = {.active = {.lc = lcs, .n = 1}};
			in.hash_src = in.hash_uri = in.hash5 = hashes[k];
			int s = pick(&b, &cur, &in);
			CU_ASSERT_NOT_EQUAL(s, 3);
			if (before[k] != 3) {
				others++;
				kept += s == before[k];
			}
		}
		/* Maglev: the keys of the other servers stay where they were (almost all) */
		CU_ASSERT(kept * 100 >= others * 97);
		sl_bal_backend_free(&b);
	}
}

/* The algorithm reads its own hash and no other. */
static void test_hash_which(void)
{
	struct sl_bal_backend bs, bu, bh;
	struct sl_pick_cursor cur = {0};
	reset(50);
	build(&bs, SL_BAL_ALGO_SOURCE, 50);
	build(&bu, SL_BAL_ALGO_URI, 50);
	build(&bh, (enum sl_bal_algo)99, 50);
	unsigned same_s = 0, same_u = 0, same_h = 0;
	for (unsigned k = 0; k < 200; k++) {
		struct sl_pick_in in = input(1), in2 = in;
		int s = pick(&bs, &cur, &in), u = pick(&bu, &cur, &in), h = pick(&bh, &cur, &in);
		in2.hash_uri = rng();
		in2.hash5 = rng();
		same_s += pick(&bs, &cur, &in2) == s;
		in2 = in;
		in2.hash_src = rng();
		in2.hash5 = rng();
		same_u += pick(&bu, &cur, &in2) == u;
		in2 = in;
		in2.hash_src = rng();
		in2.hash_uri = rng();
		same_h += pick(&bh, &cur, &in2) == h;
	}
	CU_ASSERT_EQUAL(same_s, 200);
	CU_ASSERT_EQUAL(same_u, 200);
	CU_ASSERT_EQUAL(same_h, 200);
	sl_bal_backend_free(&bs);
	sl_bal_backend_free(&bu);
	sl_bal_backend_free(&bh);
}

static uint32_t hu(const char *s, unsigned max_len, unsigned depth, bool whole)
{
	return sl_pick_hash_uri(s, strlen(s), max_len, depth, whole);
}

static void test_hash_uri(void)
{
	/* the query is left out unless `whole` */
	CU_ASSERT_EQUAL(hu("/a/b?x=1", 0, 0, false), hu("/a/b", 0, 0, false));
	CU_ASSERT_EQUAL(hu("/a/b?x=1", 0, 0, false), hu("/a/b?y=2", 0, 0, false));
	CU_ASSERT_NOT_EQUAL(hu("/a/b?x=1", 0, 0, true), hu("/a/b?y=2", 0, 0, true));
	CU_ASSERT_NOT_EQUAL(hu("/a/b?x=1", 0, 0, true), hu("/a/b", 0, 0, true));
	CU_ASSERT_NOT_EQUAL(hu("/a/b", 0, 0, false), hu("/a/c", 0, 0, false));
	/* len: the first N bytes */
	CU_ASSERT_EQUAL(hu("/abcdef", 4, 0, false), hu("/abc", 0, 0, false));
	CU_ASSERT_EQUAL(hu("/abcdef", 4, 0, false), hu("/abcxyz", 4, 0, false));
	CU_ASSERT_NOT_EQUAL(hu("/abcdef", 5, 0, false), hu("/abcxyz", 5, 0, false));
	CU_ASSERT_EQUAL(hu("/ab", 10, 0, false), hu("/ab", 0, 0, false));
	/* depth: N directory levels */
	CU_ASSERT_EQUAL(hu("/a/b/c/d", 0, 2, false), hu("/a/b", 0, 0, false));
	CU_ASSERT_EQUAL(hu("/a/b/c/d", 0, 2, false), hu("/a/b/x", 0, 2, false));
	CU_ASSERT_EQUAL(hu("/a/b/c/d", 0, 1, false), hu("/a", 0, 0, false));
	CU_ASSERT_NOT_EQUAL(hu("/a/b/c/d", 0, 3, false), hu("/a/b/x", 0, 3, false));
	CU_ASSERT_EQUAL(hu("/a/b?q=/c/d", 0, 2, true), hu("/a/b?q=", 0, 0, true));
	/* both: whichever stops first */
	CU_ASSERT_EQUAL(hu("/aaaa/b/c", 3, 2, false), hu("/aa", 0, 0, false));
	CU_ASSERT_EQUAL(hu("/a/b/cccc", 7, 2, false), hu("/a/b", 0, 0, false));
	/* empty */
	CU_ASSERT_EQUAL(sl_pick_hash_uri(NULL, 0, 0, 0, false), hu("", 0, 0, false));

	/* spread: paths that differ in their last byte fill the high bits Maglev reads */
	unsigned buckets[16] = {0};
	char p[32];
	for (unsigned i = 0; i < 16000; i++) {
		int n = snprintf(p, sizeof(p), "/video/%u.ts", i);
		buckets[sl_pick_hash_uri(p, (size_t)n, 0, 0, false) >> 28]++;
	}
	for (unsigned i = 0; i < 16; i++)
		CU_ASSERT(buckets[i] > 800 && buckets[i] < 1200);
}

/* ---- random(N) ---- */

static void build_random(struct sl_bal_backend *b, unsigned n, unsigned draws)
{
	const struct sl_bal_opts o = {.id = 1, .all_backups = false, .draws = (uint8_t)draws};
	CU_ASSERT_EQUAL_FATAL(sl_bal_backend_build_opts(b, "be", SL_BAL_ALGO_RANDOM, srv, n, &o), 0);
}

/* One draw: HAProxy's random(1), the weighted consistent hash for random keys: the shares follow
 * the weights (3:1:1), whatever the connections in progress. */
static void test_random_weights(void)
{
	struct sl_bal_backend b;
	struct sl_pick_cursor cur = {0};
	reset(3);
	srv[0].weight = 3;
	build_random(&b, 3, 1);
	CU_ASSERT_EQUAL(b.draws, 1);
	unsigned counts[3] = {0};
	picks(&b, &cur, 1, 50000, counts);
	CU_ASSERT(counts[0] > 28500 && counts[0] < 31500); /* 60% */
	CU_ASSERT(counts[1] > 9000 && counts[1] < 11000);  /* 20% */
	CU_ASSERT(counts[2] > 9000 && counts[2] < 11000);
	sl_bal_backend_free(&b);
	/* the default is 2 draws */
	CU_ASSERT_EQUAL_FATAL(sl_bal_backend_build(&b, "be", SL_BAL_ALGO_RANDOM, srv, 3), 0);
	CU_ASSERT_EQUAL(b.draws, 2);
	sl_bal_backend_free(&b);
}

/* Kept connections: one draw leaves the loads apart as chance has it; two draws (the least
 * loaded of two) keep them within a few of each other; many draws follow the weights as
 * leastconn does. */
static unsigned random_spread(unsigned draws, unsigned n, unsigned conns)
{
	struct sl_bal_backend b;
	struct sl_pick_cursor cur = {0};
	reset(n);
	build_random(&b, n, draws);
	for (unsigned k = 0; k < conns; k++) {
		struct sl_pick_in in = input(1);
		int s = pick(&b, &cur, &in);
		CU_ASSERT_FATAL(s >= 0);
		active[srv[s].gidx]++;
	}
	uint32_t lo = UINT32_MAX, hi = 0;
	for (unsigned i = 0; i < n; i++) {
		lo = active[G0 + i] < lo ? active[G0 + i] : lo;
		hi = active[G0 + i] > hi ? active[G0 + i] : hi;
	}
	sl_bal_backend_free(&b);
	return hi - lo;
}

static void test_random_draws(void)
{
	unsigned one = random_spread(1, 10, 10000), two = random_spread(2, 10, 10000);
	CU_ASSERT(one > 40); /* about 3 standard deviations (30) of 1000 apart */
	CU_ASSERT(two <= 8);
	/* weights with many draws: 3:1:1 like leastconn */
	struct sl_bal_backend b;
	struct sl_pick_cursor cur = {0};
	reset(3);
	srv[0].weight = 3;
	build_random(&b, 3, 50);
	for (unsigned k = 0; k < 500; k++) {
		struct sl_pick_in in = input(1);
		active[srv[pick(&b, &cur, &in)].gidx]++;
	}
	CU_ASSERT(active[G0] >= 290 && active[G0] <= 310);
	CU_ASSERT(active[G0 + 1] >= 95 && active[G0 + 1] <= 105);
	sl_bal_backend_free(&b);
}

/* maxconn, the avoid set, nothing in rotation. */
static void test_random_limits(void)
{
	struct sl_bal_backend b;
	struct sl_pick_cursor cur = {0};
	reset(3);
	srv[0].maxconn = 1;
	active[G0 + 0] = 1;
	build_random(&b, 3, 2);
	uint16_t avoid[1] = {G0 + 2};
	for (unsigned k = 0; k < 300; k++) {
		struct sl_pick_in in = input(1);
		in.avoid = avoid;
		in.navoid = 1;
		CU_ASSERT_EQUAL(pick(&b, &cur, &in), 1); /* 0 is full, 2 avoided */
	}
	srv[1].maxconn = srv[2].maxconn = 1;
	active[G0 + 1] = 1;
	active[G0 + 2] = 1;
	sl_bal_backend_free(&b);
	build_random(&b, 3, 2);
	struct sl_pick_in in = input(1);
	CU_ASSERT_EQUAL(pick(&b, &cur, &in), -2); /* FULL */
	sl_bal_backend_free(&b);
	for (unsigned i = 0; i < 3; i++)
		srv[i].usable = false;
	build_random(&b, 3, 2);
	CU_ASSERT_EQUAL(pick(&b, &cur, &in), -1); /* NONE */
	sl_bal_backend_free(&b);
}

/* ---- scale ---- */

static void test_many_servers(void)
{
	for (unsigned a = 0; a < NALGOS; a++) {
		struct sl_bal_backend b;
		struct sl_pick_cursor cur = {0};
		static unsigned counts[MAXN];
		memset(counts, 0, sizeof(counts));
		reset(MAXN);
		build(&b, all_algos[a], MAXN);
		switch (all_algos[a]) {
		case SL_BAL_ALGO_ROUNDROBIN:
		case SL_BAL_ALGO_STATIC_RR:
		case SL_BAL_ALGO_LEASTCONN: {
			/* each server once per 1000 picks */
			picks(&b, &cur, 1, MAXN, counts);
			unsigned once = 0;
			for (unsigned i = 0; i < MAXN; i++)
				once += counts[i] == 1;
			CU_ASSERT_EQUAL(once, MAXN);
			/* all full but one: leastconn finds it, the schedule skips to it */
			sl_bal_backend_free(&b);
			for (unsigned i = 0; i < MAXN; i++) {
				srv[i].maxconn = 3;
				active[G0 + i] = 3;
			}
			active[G0 + 777] = 2;
			build(&b, all_algos[a], MAXN);
			struct sl_pick_in in = input(1);
			CU_ASSERT_EQUAL(pick(&b, &cur, &in), 777);
			break;
		}
		case SL_BAL_ALGO_FIRST: {
			sl_bal_backend_free(&b);
			for (unsigned i = 0; i < MAXN; i++) {
				srv[i].maxconn = 3;
				active[G0 + i] = i == MAXN - 1 ? 2 : 3;
			}
			build(&b, all_algos[a], MAXN);
			struct sl_pick_in in = input(1);
			CU_ASSERT_EQUAL(pick(&b, &cur, &in), MAXN - 1);
			active[G0 + MAXN - 1] = 3;
			CU_ASSERT_EQUAL(pick(&b, &cur, &in), -2);
			break;
		}
		default: {
			/* a hash spreads keys over all of them */
			picks(&b, &cur, 1, 100 * MAXN, counts);
			unsigned lo = UINT32_MAX, hi = 0;
			for (unsigned i = 0; i < MAXN; i++) {
				lo = counts[i] < lo ? counts[i] : lo;
				hi = counts[i] > hi ? counts[i] : hi;
			}
			CU_ASSERT(lo > 50 && hi < 160);
			break;
		}
		}
		sl_bal_backend_free(&b);
	}
}

/* The schedule skips full servers; every one full: FULL after one period, cursor unmoved. */
static void test_rr_skips_full(void)
{
	struct sl_bal_backend b;
	struct sl_pick_cursor cur = {0};
	reset(3);
	for (unsigned i = 0; i < 3; i++)
		srv[i].maxconn = 1;
	srv[0].weight = 4;
	build(&b, SL_BAL_ALGO_STATIC_RR, 3);
	active[G0 + 0] = 1;
	unsigned counts[3] = {0};
	picks(&b, &cur, 1, 100, counts);
	CU_ASSERT_EQUAL(counts[0], 0);
	CU_ASSERT_EQUAL(counts[1], 50);
	CU_ASSERT_EQUAL(counts[2], 50);
	active[G0 + 1] = active[G0 + 2] = 1;
	uint64_t rr = cur.rr;
	struct sl_pick_in in = input(1);
	CU_ASSERT_EQUAL(pick(&b, &cur, &in), -2);
	CU_ASSERT_EQUAL(cur.rr, rr);
	sl_bal_backend_free(&b);
}

static const struct sl_test_case sched_cases[] = {
	{"roundrobin and static-rr 3:1: 6 and 2 of 8, spread", test_rr_weights},
	{"any cursor value", test_rr_cursor_any_value},
	{"one cursor per backend: both alternate", test_cursor_per_backend},
	{"full servers skipped; all full: FULL", test_rr_skips_full},
	{NULL, NULL},
};

static const struct sl_test_case algo_cases[] = {
	{"weight 0 never picked", test_weight_zero},
	{"nothing in rotation, empty backend: NONE", test_none_and_empty},
	{"maxconn on one lcore: FULL, not NONE", test_maxconn_one_lcore},
	{"maxconn: the sum of the lcores' counts (shares beyond the limit)", test_maxconn_lcores},
	{"leastconn: the sums of the lcores' counts", test_leastconn_lcores},
	{"count add, sub down to 0", test_count_add_sub},
	{"backups only when no active; first takes the first", test_backups},
	{"avoid: left out, kept when the only one", test_avoid},
	{"avoid: taken when every other is full", test_avoid_others_full},
	{"avoid with a hash: the next in rotation", test_avoid_hash_next},
	{"1000 servers", test_many_servers},
	{NULL, NULL},
};

static const struct sl_test_case lc_cases[] = {
	{"equal servers alternate", test_leastconn_ties_alternate},
	{"load per unit of weight", test_leastconn_load},
	{"first: in order up to maxconn", test_first},
	{NULL, NULL},
};

static const struct sl_test_case hash_cases[] = {
	{"source, uri, 5-tuple: stable when a server leaves", test_hash_stable},
	{"each algorithm reads its own hash", test_hash_which},
	{"uri hash: query, whole, len, depth, spread", test_hash_uri},
	{"random(1): shares follow the weights", test_random_weights},
	{"random(N): the least loaded of N draws", test_random_draws},
	{"random: maxconn, avoid, FULL, NONE", test_random_limits},
	{NULL, NULL},
};

static const struct sl_test_suite suites[] = {
	{"schedule", sched_cases},
	{"algorithms", algo_cases},
	{"leastconn and first", lc_cases},
	{"hashes", hash_cases},
	{NULL, NULL},
};

int main(void)
{
	for (unsigned i = 0; i < MAXN; i++)
		snprintf(names[i], sizeof(names[i]), "s%03u", i);
	return sl_test_run(suites);
}
