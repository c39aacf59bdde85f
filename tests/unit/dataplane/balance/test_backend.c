/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The balancing tables of a backend (dataplane/balance/backend.c): the rotation from server
 * states (drain, weight 0, down, backups), the smooth weighted round-robin schedule against a
 * naive reference of nginx's algorithm, its length, the Maglev table keyed "backend/server",
 * argument checks, the lookups by cookie and by counter slot, and the algorithm values against
 * the configuration's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "controlplane/cfg/cfg-t.h"
#include "dataplane/balance/backend.h"
#include "dataplane/balance/maglev.h"
#include "tests/unit/sl_test.h"

/* The picker's algorithm values are the configuration's (backend.h says so; this checks it). */
_Static_assert((int)SL_BAL_ALGO_ROUNDROBIN == (int)SL_BAL_ROUNDROBIN, "enum sl_bal_algo");
_Static_assert((int)SL_BAL_ALGO_STATIC_RR == (int)SL_BAL_STATIC_RR, "enum sl_bal_algo");
_Static_assert((int)SL_BAL_ALGO_LEASTCONN == (int)SL_BAL_LEASTCONN, "enum sl_bal_algo");
_Static_assert((int)SL_BAL_ALGO_FIRST == (int)SL_BAL_FIRST, "enum sl_bal_algo");
_Static_assert((int)SL_BAL_ALGO_SOURCE == (int)SL_BAL_SOURCE, "enum sl_bal_algo");
_Static_assert((int)SL_BAL_ALGO_URI == (int)SL_BAL_URI, "enum sl_bal_algo");
_Static_assert((int)SL_BAL_ALGO_RANDOM == (int)SL_BAL_RANDOM, "enum sl_bal_algo");
_Static_assert((int)SL_BAL_ALGO_HDR == (int)SL_BAL_HDR, "enum sl_bal_algo");

#define MAXN 1000

static char names[MAXN][16];
static struct sl_bal_server srv[MAXN];

/* @n servers "sNNN", usable, weight 1, counter slot 100 + i (not their index). */
static void reset(unsigned n)
{
	memset(srv, 0, sizeof(srv));
	for (unsigned i = 0; i < n; i++) {
		srv[i].name = names[i];
		srv[i].weight = 1;
		srv[i].gidx = (uint16_t)(100 + i);
		srv[i].usable = true;
	}
}

static void build(struct sl_bal_backend *b, unsigned n)
{
	int r = sl_bal_backend_build(b, "be", SL_BAL_ALGO_ROUNDROBIN, srv, n);
	CU_ASSERT_EQUAL_FATAL(r, 0);
}

/* @v[0..n) as a string of server letters ('a' + index), up to 255 of them */
static const char *letters(const uint16_t *v, uint32_t n)
{
	static char s[256];
	uint32_t i = 0;
	for (; i < n && i < sizeof(s) - 1; i++)
		s[i] = (char)('a' + v[i]);
	s[i] = '\0';
	return s;
}

#define rot_str(b)   letters((b)->rot, (b)->nrot)
#define sched_str(b) letters((b)->sched, (b)->nsched)

/* ---- rotation ---- */

static void test_rotation_states(void)
{
	struct sl_bal_backend b;
	reset(6);
	srv[1].drain = true;   /* drain: out */
	srv[2].usable = false; /* down: out */
	srv[3].weight = 0;     /* weight 0 drains: out */
	srv[4].backup = true;  /* a backup while actives serve: out */
	build(&b, 6);
	CU_ASSERT_STRING_EQUAL(rot_str(&b), "af");
	CU_ASSERT_EQUAL(b.nservers, 6);
	CU_ASSERT_EQUAL(b.servers[4].gidx, 104); /* every server is kept, in order */
	sl_bal_backend_free(&b);
}

static void test_rotation_backups(void)
{
	struct sl_bal_backend b;
	reset(6);
	srv[0].usable = false;
	srv[1].drain = true;
	srv[2].weight = 0;
	srv[3].backup = true;
	srv[4].backup = true;
	srv[4].usable = false;
	srv[5].backup = true;
	build(&b, 6); /* no active takes traffic: every usable backup does, in order */
	CU_ASSERT_STRING_EQUAL(rot_str(&b), "df");

	srv[2].weight = 1; /* one active comes back: the backups leave */
	sl_bal_backend_free(&b);
	build(&b, 6);
	CU_ASSERT_STRING_EQUAL(rot_str(&b), "c");

	srv[2].weight = 0; /* a draining backup is out too */
	srv[3].drain = true;
	sl_bal_backend_free(&b);
	build(&b, 6);
	CU_ASSERT_STRING_EQUAL(rot_str(&b), "f");
	sl_bal_backend_free(&b);
}

/* HAProxy without `option allbackups`: only the first usable backup serves; the id is kept. */
static void test_rotation_first_backup(void)
{
	struct sl_bal_backend b;
	reset(5);
	srv[0].usable = false;
	srv[1].backup = true;
	srv[1].usable = false; /* the first backup is down: the next usable one serves */
	srv[2].backup = true;
	srv[3].backup = true;
	srv[4].backup = true;
	const struct sl_bal_opts one = {.id = 7, .all_backups = false};
	CU_ASSERT_EQUAL_FATAL(sl_bal_backend_build_opts(&b, "be", SL_BAL_ALGO_ROUNDROBIN, srv, 5,
							&one),
			      0);
	CU_ASSERT_STRING_EQUAL(rot_str(&b), "c");
	CU_ASSERT_EQUAL(b.id, 7);
	sl_bal_backend_free(&b);
	const struct sl_bal_opts all = {.id = 7, .all_backups = true};
	CU_ASSERT_EQUAL_FATAL(sl_bal_backend_build_opts(&b, "be", SL_BAL_ALGO_ROUNDROBIN, srv, 5,
							&all),
			      0);
	CU_ASSERT_STRING_EQUAL(rot_str(&b), "cde");
	sl_bal_backend_free(&b);
	srv[0].usable = true; /* an active server again: no backup */
	CU_ASSERT_EQUAL_FATAL(sl_bal_backend_build_opts(&b, "be", SL_BAL_ALGO_ROUNDROBIN, srv, 5,
							&one),
			      0);
	CU_ASSERT_STRING_EQUAL(rot_str(&b), "a");
	sl_bal_backend_free(&b);
}

static void test_rotation_empty(void)
{
	struct sl_bal_backend b;
	uint32_t counts[4];
	reset(3);
	for (unsigned i = 0; i < 3; i++)
		srv[i].usable = false;
	build(&b, 3);
	CU_ASSERT_EQUAL(b.nrot, 0);
	CU_ASSERT_EQUAL(b.nsched, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b.maglev);
	CU_ASSERT_EQUAL(sl_maglev_count(b.maglev, 3, counts), b.maglev->size);
	sl_bal_backend_free(&b);

	build(&b, 0); /* a backend without servers */
	CU_ASSERT_EQUAL(b.nservers, 0);
	CU_ASSERT_EQUAL(b.nrot, 0);
	CU_ASSERT_EQUAL(b.nsched, 0);
	CU_ASSERT_EQUAL(sl_maglev_lookup(b.maglev, 12345), SL_MAGLEV_NONE);
	CU_ASSERT_EQUAL(sl_bal_backend_find_gidx(&b, 100), -1);
	CU_ASSERT_EQUAL(sl_bal_backend_find_cookie(&b, "a", 1), -1);
	sl_bal_backend_free(&b);
}

/* ---- schedule ---- */

static void test_schedule_smooth(void)
{
	struct sl_bal_backend b;
	reset(3);
	srv[0].weight = 3;
	build(&b, 2);
	CU_ASSERT_STRING_EQUAL(sched_str(&b), "aaba");
	sl_bal_backend_free(&b);

	srv[0].weight = 5; /* nginx's example: a heavy server's turns are spread */
	build(&b, 3);
	CU_ASSERT_STRING_EQUAL(sched_str(&b), "aabacaa");
	sl_bal_backend_free(&b);

	srv[0].weight = 1; /* equal weights: plain round robin in order */
	build(&b, 3);
	CU_ASSERT_STRING_EQUAL(sched_str(&b), "abc");
	sl_bal_backend_free(&b);
}

static void test_schedule_length(void)
{
	struct sl_bal_backend b;
	reset(4);
	srv[0].weight = 3;
	srv[1].weight = 1;
	srv[2].weight = 7;
	srv[3].weight = 2;
	srv[3].drain = true; /* not in rotation: not in the schedule */
	build(&b, 4);
	CU_ASSERT_EQUAL(b.nsched, 3 + 1 + 7); /* coprime weights: their sum */
	unsigned count[4] = {0};
	for (unsigned i = 0; i < b.nsched; i++)
		count[b.sched[i]]++;
	CU_ASSERT_EQUAL(count[0], 3);
	CU_ASSERT_EQUAL(count[1], 1);
	CU_ASSERT_EQUAL(count[2], 7);
	CU_ASSERT_EQUAL(count[3], 0);
	sl_bal_backend_free(&b);

	/* weights with a common divisor: the same sequence, one period (sum / gcd) */
	srv[0].weight = 30;
	srv[1].weight = 10;
	srv[2].weight = 70;
	build(&b, 4);
	CU_ASSERT_EQUAL(b.nsched, 11);
	CU_ASSERT_STRING_EQUAL(sched_str(&b), "caccbcaccac");
	sl_bal_backend_free(&b);
	srv[0].weight = 3;
	srv[1].weight = 1;
	srv[2].weight = 7;
	build(&b, 4);
	CU_ASSERT_STRING_EQUAL(sched_str(&b), "caccbcaccac");
	sl_bal_backend_free(&b);
}

/* nginx's smooth weighted round-robin done naively: a pass over every server at each turn. */
static void reference_schedule(const uint32_t *w, unsigned n, uint16_t *out, uint32_t total)
{
	int64_t cur[64] = {0};
	for (uint32_t t = 0; t < total; t++) {
		unsigned best = 0;
		for (unsigned i = 0; i < n; i++) {
			cur[i] += w[i];
			if (cur[i] > cur[best])
				best = i;
		}
		cur[best] -= total;
		out[t] = (uint16_t)best;
	}
}

static uint64_t rng_state = 0x853c49e6748fea9bull;
static uint32_t rng(void)
{
	rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(rng_state >> 33);
}

static uint32_t gcd(uint32_t a, uint32_t b)
{
	return b == 0 ? a : gcd(b, a % b);
}

/* The builder's per-weight-class shortcut gives exactly nginx's sequence. */
static void test_schedule_reference(void)
{
	static uint16_t ref[64 * 16];
	uint32_t w[64];
	struct sl_bal_backend b;
	for (unsigned round = 0; round < 300; round++) {
		unsigned n = 1 + rng() % 40;
		unsigned maxw = 1 + rng() % 16; /* small ranges: many equal weights */
		uint32_t total = 0, g = 0;
		reset(n);
		for (unsigned i = 0; i < n; i++) {
			w[i] = 1 + rng() % maxw;
			srv[i].weight = (uint16_t)w[i];
			g = gcd(g, w[i]);
		}
		for (unsigned i = 0; i < n; i++) {
			w[i] /= g;
			total += w[i];
		}
		reference_schedule(w, n, ref, total);
		build(&b, n);
		CU_ASSERT_EQUAL_FATAL(b.nsched, total);
		CU_ASSERT_EQUAL(memcmp(b.sched, ref, total * sizeof(ref[0])), 0);
		sl_bal_backend_free(&b);
	}
}

/* ---- Maglev ---- */

static void test_maglev_keys(void)
{
	struct sl_bal_backend b;
	static const char *const keys[] = {"be/s000", "be/s001", "be/s002", "be/s003"};
	struct sl_maglev_server ms[4];
	reset(4);
	srv[1].drain = true;
	srv[3].weight = 5;
	build(&b, 4);
	for (unsigned i = 0; i < 4; i++) {
		ms[i].key = keys[i];
		ms[i].weight = i == 1 ? 0 : srv[i].weight;
	}
	uint32_t size = sl_maglev_size_for(4);
	struct sl_maglev *m = malloc(sl_maglev_bytes(size));
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_EQUAL_FATAL(sl_maglev_build(m, size, ms, 4), 0);
	CU_ASSERT_EQUAL(b.maglev->size, size);
	CU_ASSERT_EQUAL(memcmp(b.maglev->entries, m->entries, size * sizeof(m->entries[0])), 0);
	free(m);
	sl_bal_backend_free(&b);
}

/* ---- arguments, lookups ---- */

static void test_errors(void)
{
	struct sl_bal_backend b;
	reset(300);
	memset(&b, 0xa5, sizeof(b));
	CU_ASSERT_EQUAL(sl_bal_backend_build(NULL, "be", 0, srv, 1), -EINVAL);
	CU_ASSERT_EQUAL(sl_bal_backend_build(&b, NULL, 0, srv, 1), -EINVAL);
	CU_ASSERT_PTR_NULL(b.servers); /* zeroed on error */
	CU_ASSERT_EQUAL(sl_bal_backend_build(&b, "be", 0, NULL, 1), -EINVAL);
	srv[1].name = NULL;
	CU_ASSERT_EQUAL(sl_bal_backend_build(&b, "be", 0, srv, 2), -EINVAL);
	srv[1].name = names[1];
	CU_ASSERT_EQUAL(sl_bal_backend_build(&b, "be", 0, srv, SL_BAL_MAX_SERVERS + 1), -E2BIG);
	/* 300 coprime weights near 65535: a period of ~19.6 M entries */
	for (unsigned i = 0; i < 300; i++)
		srv[i].weight = (uint16_t)(65535 - i);
	CU_ASSERT_EQUAL(sl_bal_backend_build(&b, "be", 0, srv, 300), -E2BIG);
	CU_ASSERT_PTR_NULL(b.servers);
	CU_ASSERT_PTR_NULL(b.maglev);
	sl_bal_backend_free(&b); /* a zeroed backend, and NULL */
	sl_bal_backend_free(NULL);
}

static void test_find(void)
{
	struct sl_bal_backend b;
	reset(4);
	srv[0].cookie = "ab";
	srv[1].cookie = NULL;
	srv[2].cookie = "abc";
	srv[2].usable = false; /* found all the same: the caller decides */
	srv[3].cookie = "x";
	build(&b, 4);
	CU_ASSERT_EQUAL(sl_bal_backend_find_cookie(&b, "ab", 2), 0);
	CU_ASSERT_EQUAL(sl_bal_backend_find_cookie(&b, "abc", 3), 2);
	CU_ASSERT_EQUAL(sl_bal_backend_find_cookie(&b, "abcd", 3), 2); /* only @len bytes */
	CU_ASSERT_EQUAL(sl_bal_backend_find_cookie(&b, "a", 1), -1);   /* no prefix match */
	CU_ASSERT_EQUAL(sl_bal_backend_find_cookie(&b, "abcd", 4), -1);
	CU_ASSERT_EQUAL(sl_bal_backend_find_cookie(&b, "ab\0d", 4), -1); /* a NUL inside */
	CU_ASSERT_EQUAL(sl_bal_backend_find_cookie(&b, "", 0), -1);
	CU_ASSERT_EQUAL(sl_bal_backend_find_gidx(&b, 103), 3);
	CU_ASSERT_EQUAL(sl_bal_backend_find_gidx(&b, 100), 0);
	CU_ASSERT_EQUAL(sl_bal_backend_find_gidx(&b, 3), -1);
	sl_bal_backend_free(&b);
}

static void test_many_servers(void)
{
	struct sl_bal_backend b;
	uint32_t *counts = calloc(MAXN, sizeof(*counts));
	CU_ASSERT_PTR_NOT_NULL_FATAL(counts);
	reset(MAXN);
	for (unsigned i = 0; i < MAXN; i++)
		srv[i].weight = (uint16_t)(1 + i % 256); /* HAProxy's range of weights */
	build(&b, MAXN);
	CU_ASSERT_EQUAL(b.nrot, MAXN);
	uint32_t sum = 0;
	for (unsigned i = 0; i < MAXN; i++)
		sum += srv[i].weight;
	CU_ASSERT_EQUAL(b.nsched, sum);
	CU_ASSERT_EQUAL(b.maglev->size, sl_maglev_size_for(MAXN));
	CU_ASSERT_EQUAL(sl_maglev_count(b.maglev, MAXN, counts), 0);
	for (unsigned i = 0; i < MAXN; i++)
		counts[i] = 0;
	for (uint32_t i = 0; i < b.nsched; i++)
		counts[b.sched[i]]++;
	unsigned wrong = 0;
	for (unsigned i = 0; i < MAXN; i++)
		wrong += counts[i] != srv[i].weight;
	CU_ASSERT_EQUAL(wrong, 0);
	sl_bal_backend_free(&b);
	free(counts);
}

static const struct sl_test_case rotation_cases[] = {
	{"without allbackups only the first usable backup serves", test_rotation_first_backup},
	{"drain, down, weight 0 and backups leave the rotation", test_rotation_states},
	{"backups only when no active server takes traffic", test_rotation_backups},
	{"nothing in rotation, no server at all", test_rotation_empty},
	{NULL, NULL},
};

static const struct sl_test_case schedule_cases[] = {
	{"smooth order (3:1, 5:1:1, equal weights)", test_schedule_smooth},
	{"length: sum of the weights in rotation over their gcd", test_schedule_length},
	{"same sequence as nginx's algorithm done naively", test_schedule_reference},
	{NULL, NULL},
};

static const struct sl_test_case table_cases[] = {
	{"Maglev keyed backend/server, weight 0 out of rotation", test_maglev_keys},
	{"argument checks, zeroed on error", test_errors},
	{"find by cookie and by counter slot", test_find},
	{"1000 servers of weights 1..256", test_many_servers},
	{NULL, NULL},
};

static const struct sl_test_suite suites[] = {
	{"rotation", rotation_cases},
	{"schedule", schedule_cases},
	{"tables", table_cases},
	{NULL, NULL},
};

int main(void)
{
	for (unsigned i = 0; i < MAXN; i++)
		snprintf(names[i], sizeof(names[i]), "s%03u", i);
	return sl_test_run(suites);
}
