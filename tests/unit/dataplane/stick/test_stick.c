/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stick tables (dataplane/stick/stick.c): look-up and creation, expiry, the purge of a full set
 * (oldest untracked first, none when every way is tracked), server_id stored once, tracking
 * counters, HAProxy's freq counters across periods, walk and clear, the engines' match and store
 * (dataplane/core/gen.c), and four threads creating and storing the same keys at once (one entry
 * per key, one server per key).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "dataplane/core/gen.h"
#include "dataplane/stick/stick.h"
#include "tests/unit/sl_test.h"

static struct sl_stk_table *mk(uint32_t size, uint32_t expire, uint32_t store)
{
	struct sl_stk_def d = {.size = size, .expire_ms = expire, .store = store};
	for (int i = 0; i < SL_STK_NDATA; i++)
		d.period[i] = 10000;
	struct sl_stk_table *t = sl_stk_table_new(&d);
	CU_ASSERT_FATAL(t != NULL);
	return t;
}

static void test_get_create(void)
{
	struct sl_stk_table *t = mk(100, 30000, 0);
	struct sl_stk_ref r, r2;
	CU_ASSERT_FALSE(sl_stk_get(t, 0x0a000001, 1000, false, &r));
	CU_ASSERT_TRUE(sl_stk_get(t, 0x0a000001, 1000, true, &r));
	CU_ASSERT_TRUE(sl_stk_get(t, 0x0a000001, 1001, false, &r2));
	CU_ASSERT_PTR_EQUAL(r.e, r2.e);
	CU_ASSERT_EQUAL(sl_stk_server(&r), 0);
	CU_ASSERT_EQUAL(sl_stk_store_server(&r, 0, 2), 2);
	CU_ASSERT_EQUAL(sl_stk_store_server(&r2, 0, 1), 2); /* the first store wins */
	CU_ASSERT_EQUAL(sl_stk_server(&r2), 2);
	CU_ASSERT_EQUAL(sl_stk_store_server(&r2, 2, 1), 1); /* a down server's entry replaced */
	CU_ASSERT_EQUAL(sl_stk_used(t, 1001), 1);
	CU_ASSERT_EQUAL(t->created, 1);
	CU_ASSERT_FALSE(sl_stk_get(t, 0x0a000002, 1000, false, &r2));
	CU_ASSERT_FALSE(sl_stk_get(t, 0, 1000, false, &r2)); /* 0.0.0.0 is a key like any */
	CU_ASSERT_TRUE(sl_stk_get(t, 0, 1000, true, &r2));
	CU_ASSERT_TRUE(sl_stk_get(t, 0, 1000, false, &r2));
	sl_stk_table_free(t);
	struct sl_stk_def z = {.size = 0};
	CU_ASSERT_PTR_NULL(sl_stk_table_new(&z));
}

static void test_expire(void)
{
	struct sl_stk_table *t = mk(16, 1000, 1u << SL_STK_CONN_CUR);
	struct sl_stk_ref r, r2;
	CU_ASSERT_TRUE(sl_stk_get(t, 7, 0, true, &r));
	sl_stk_store_server(&r, 0, 3);
	CU_ASSERT_TRUE(sl_stk_get(t, 7, 900, false, &r2)); /* touched: expires at 1900 now */
	CU_ASSERT_TRUE(sl_stk_get(t, 7, 1800, false, &r2));
	CU_ASSERT_FALSE(sl_stk_get(t, 7, 2900, false, &r2));
	CU_ASSERT_EQUAL(sl_stk_used(t, 2900), 0);
	/* a tracked entry does not expire (HAProxy's ref count) */
	CU_ASSERT_TRUE(sl_stk_get(t, 8, 3000, true, &r));
	sl_stk_track(t, &r, 3000);
	CU_ASSERT_TRUE(sl_stk_get(t, 8, 9000, false, &r2));
	uint64_t v = 0;
	CU_ASSERT_TRUE(sl_stk_read(t, &r2, SL_STK_CONN_CUR, 9000, &v));
	CU_ASSERT_EQUAL(v, 1);
	sl_stk_untrack(&r);
	CU_ASSERT_TRUE(sl_stk_read(t, &r2, SL_STK_CONN_CUR, 9000, &v));
	CU_ASSERT_EQUAL(v, 0);
	CU_ASSERT_FALSE(sl_stk_get(t, 8, 20000, false, &r2));
	/* a new key reuses the expired way, with nothing of the old one */
	CU_ASSERT_TRUE(sl_stk_get(t, 7, 20000, true, &r2));
	CU_ASSERT_EQUAL(sl_stk_server(&r2), 0);
	sl_stk_table_free(t);
}

static void test_purge(void)
{
	/* size 8: one set, every key in it */
	struct sl_stk_table *t = mk(8, 10000, 0);
	CU_ASSERT_EQUAL(t->nsets, 1);
	uint32_t keys[10];
	for (uint32_t i = 0; i < 10; i++)
		keys[i] = 100 + i;
	struct sl_stk_ref r[10];
	for (int i = 0; i < 8; i++)
		CU_ASSERT_TRUE(sl_stk_get(t, keys[i], (uint32_t)i * 10, true, &r[i]));
	CU_ASSERT_EQUAL(t->purged, 0);
	/* key 1 touched later: key 0 is the oldest, then key 2 */
	CU_ASSERT_TRUE(sl_stk_get(t, keys[1], 500, false, &r[1]));
	CU_ASSERT_TRUE(sl_stk_get(t, keys[8], 600, true, &r[8]));
	CU_ASSERT_EQUAL(t->purged, 1);
	CU_ASSERT_FALSE(sl_stk_get(t, keys[0], 600, false, &r[0]));
	CU_ASSERT_FALSE(sl_stk_ref_ok(&r[0])); /* a stale reference sees the way reused */
	CU_ASSERT_TRUE(sl_stk_get(t, keys[1], 600, false, &r[1]));
	/* tracked entries are never purged: track all eight, a ninth key gets nothing */
	for (int i = 1; i <= 8; i++) {
		CU_ASSERT_TRUE(sl_stk_get(t, keys[i], 700, false, &r[i]));
		sl_stk_track(t, &r[i], 700);
	}
	CU_ASSERT_FALSE(sl_stk_get(t, keys[9], 800, true, &r[9]));
	CU_ASSERT_EQUAL(t->full, 1);
	sl_stk_untrack(&r[5]);
	CU_ASSERT_TRUE(sl_stk_get(t, keys[9], 800, true, &r[9]));
	CU_ASSERT_FALSE(sl_stk_get(t, keys[5], 800, false, &r[5]));
	CU_ASSERT_EQUAL(t->purged, 2);
	sl_stk_table_free(t);
}

static void test_counters(void)
{
	uint32_t st = 1u << SL_STK_CONN_CUR | 1u << SL_STK_CONN_CNT | 1u << SL_STK_CONN_RATE |
		      1u << SL_STK_HTTP_REQ_CNT | 1u << SL_STK_HTTP_REQ_RATE | 1u << SL_STK_GPC0;
	struct sl_stk_table *t = mk(64, 30000, st);
	struct sl_stk_ref r;
	uint64_t v;
	CU_ASSERT_TRUE(sl_stk_get(t, 5, 100, true, &r));
	sl_stk_track(t, &r, 100);
	sl_stk_track(t, &r, 100);
	for (int i = 0; i < 21; i++)
		sl_stk_http_req(t, &r, 100 + (uint32_t)i);
	CU_ASSERT_TRUE(sl_stk_read(t, &r, SL_STK_CONN_CUR, 200, &v));
	CU_ASSERT_EQUAL(v, 2);
	CU_ASSERT_TRUE(sl_stk_read(t, &r, SL_STK_CONN_CNT, 200, &v));
	CU_ASSERT_EQUAL(v, 2);
	CU_ASSERT_TRUE(sl_stk_read(t, &r, SL_STK_CONN_RATE, 200, &v));
	CU_ASSERT_EQUAL(v, 2);
	CU_ASSERT_TRUE(sl_stk_read(t, &r, SL_STK_HTTP_REQ_RATE, 200, &v));
	CU_ASSERT_EQUAL(v, 21);
	CU_ASSERT_TRUE(sl_stk_read(t, &r, SL_STK_HTTP_REQ_CNT, 200, &v));
	CU_ASSERT_EQUAL(v, 21);
	CU_ASSERT_EQUAL(sl_stk_inc_gpc0(t, &r, 200), 1);
	CU_ASSERT_EQUAL(sl_stk_inc_gpc0(t, &r, 200), 2);
	CU_ASSERT_FALSE(sl_stk_read(t, &r, SL_STK_GPC0_RATE, 200, &v)); /* not stored */
	sl_stk_untrack(&r);
	sl_stk_untrack(&r);
	sl_stk_untrack(&r); /* one too many: conn_cur stays at 0 */
	CU_ASSERT_TRUE(sl_stk_read(t, &r, SL_STK_CONN_CUR, 200, &v));
	CU_ASSERT_EQUAL(v, 0);
	sl_stk_table_free(t);
}

static void test_freq(void)
{
	struct sl_stk_frq f;
	memset(&f, 0, sizeof(f));
	CU_ASSERT_EQUAL(sl_stk_frq_read(&f, 10000, 5000), 0);
	for (int i = 0; i < 20; i++)
		sl_stk_frq_add(&f, 10000, 1000, 1); /* period [1000, 11000) */
	CU_ASSERT_EQUAL(sl_stk_frq_read(&f, 10000, 1000), 20);
	CU_ASSERT_EQUAL(sl_stk_frq_read(&f, 10000, 10999), 20);
	/* the next period: the previous one weighted by what remains of this one */
	CU_ASSERT_EQUAL(sl_stk_frq_read(&f, 10000, 11000), 20);
	CU_ASSERT_EQUAL(sl_stk_frq_read(&f, 10000, 16000), 10);
	CU_ASSERT_EQUAL(sl_stk_frq_read(&f, 10000, 20000), 2);
	CU_ASSERT_EQUAL(sl_stk_frq_read(&f, 10000, 21000), 0);
	sl_stk_frq_add(&f, 10000, 16000, 4); /* turns: prev 20, period [11000, 21000) */
	CU_ASSERT_EQUAL(sl_stk_frq_read(&f, 10000, 16000), 14);
	CU_ASSERT_EQUAL(sl_stk_frq_read(&f, 10000, 22000), 3); /* 4 * 0.9 */
	/* two periods later nothing is left */
	sl_stk_frq_add(&f, 10000, 60000, 1);
	CU_ASSERT_EQUAL(sl_stk_frq_read(&f, 10000, 60000), 1);
	CU_ASSERT_EQUAL(sl_stk_frq_read(&f, 10000, 59999), 1); /* another lcore a tick behind */
}

static bool walk_fn(void *arg, const struct sl_stk_entry *e, uint32_t ip)
{
	(void)e;
	uint32_t *sum = arg;
	*sum += ip;
	return true;
}

static void test_walk_clear(void)
{
	struct sl_stk_table *t = mk(1000, 30000, 0);
	struct sl_stk_ref r;
	for (uint32_t k = 1; k <= 100; k++)
		CU_ASSERT_TRUE(sl_stk_get(t, k, 0, true, &r));
	uint32_t sum = 0;
	CU_ASSERT_EQUAL(sl_stk_walk(t, 0, walk_fn, &sum), 100);
	CU_ASSERT_EQUAL(sum, 5050);
	CU_ASSERT_EQUAL(sl_stk_clear(t, false, 50), 1);
	CU_ASSERT_FALSE(sl_stk_get(t, 50, 0, false, &r));
	CU_ASSERT_TRUE(sl_stk_get(t, 51, 0, false, &r));
	sl_stk_track(t, &r, 0);
	CU_ASSERT_EQUAL(sl_stk_clear(t, true, 0), 98); /* the tracked one stays */
	CU_ASSERT_EQUAL(sl_stk_used(t, 0), 1);
	sl_stk_table_free(t);
}

/* ------------------------------------------------------------------ threads */

#define NTHR  4
#define NKEYS 2000
static struct sl_stk_table *shared;
static uint32_t seen[NTHR][NKEYS];

static void *racer(void *arg)
{
	unsigned id = (unsigned)(uintptr_t)arg;
	for (int round = 0; round < 3; round++)
		for (uint32_t k = 0; k < NKEYS; k++) {
			struct sl_stk_ref r;
			uint32_t key = round == 0 ? k : (k * 7919u) % NKEYS;
			if (!sl_stk_get(shared, 0x0a000000 + key, 1000, true, &r))
				continue;
			uint32_t s = sl_stk_server(&r);
			if (s == 0)
				s = sl_stk_store_server(&r, 0, id + 1);
			if (round == 0)
				continue; /* the first contact may race; from then on one server */
			if (seen[id][key] == 0)
				seen[id][key] = s;
			else if (seen[id][key] != s)
				seen[id][key] = 0xffffffff;
		}
	return NULL;
}

static void test_threads(void)
{
	shared = mk(NKEYS * 16, 60000, 0); /* no set overflows: nothing purged */
	pthread_t th[NTHR];
	for (unsigned i = 0; i < NTHR; i++)
		pthread_create(&th[i], NULL, racer, (void *)(uintptr_t)i);
	for (unsigned i = 0; i < NTHR; i++)
		pthread_join(th[i], NULL);
	CU_ASSERT_EQUAL(shared->purged, 0);
	CU_ASSERT_EQUAL(sl_stk_used(shared, 1000), NKEYS); /* one entry per key: no twin left */
	unsigned bad = 0;
	for (uint32_t k = 0; k < NKEYS; k++) {
		struct sl_stk_ref r;
		CU_ASSERT_TRUE(sl_stk_get(shared, 0x0a000000 + k, 1000, false, &r));
		uint32_t s = sl_stk_server(&r);
		for (unsigned i = 0; i < NTHR; i++)
			if (seen[i][k] != s)
				bad++;
	}
	CU_ASSERT_EQUAL(bad, 0);
	sl_stk_table_free(shared);
}

static void test_names(void)
{
	CU_ASSERT_EQUAL(sl_stk_data_find("http_req_rate"), SL_STK_HTTP_REQ_RATE);
	CU_ASSERT_EQUAL(sl_stk_data_find("bytes_in_rate"), -1);
	CU_ASSERT_STRING_EQUAL(sl_stk_data_name(SL_STK_GPC0_RATE), "gpc0_rate");
	CU_ASSERT_TRUE(sl_stk_data_is_rate(SL_STK_CONN_RATE));
	CU_ASSERT_FALSE(sl_stk_data_is_rate(SL_STK_CONN_CUR));
}

/* ------------------------------------------------------------------ the engines' use */

/* sl_gen_stick_match() / sl_gen_stick_store() (dataplane/core/gen.c), as both engines call them:
 * a stored usable server wins, a down one is replaced, store-request alone overwrites, and a
 * server another lcore stored first is adopted. */
static void test_gen_stick(void)
{
	struct sl_bal_server srv[3] = {{.name = "s1", .usable = true},
				       {.name = "s2", .usable = true},
				       {.name = "s3", .usable = true}};
	struct sl_bal_backend b = {.name = "b", .nservers = 3, .servers = srv};
	struct sl_stk_table *t = mk(64, 60000, 0);
	struct sl_gen_stick st = {.t = t, .match = true, .store = true};
	struct sl_gen g = {.backends = &b, .nbackends = 1, .be_stick = &st};
	struct sl_stk_ref r;
	CU_ASSERT_EQUAL(sl_gen_stick_match(&g, 0, &b, 9, 100, &r), -1); /* new: balance */
	CU_ASSERT_PTR_NOT_NULL(r.e);
	CU_ASSERT_EQUAL(sl_gen_stick_store(&g, 0, &b, &r, 1), 1);
	CU_ASSERT_EQUAL(sl_gen_stick_match(&g, 0, &b, 9, 200, &r), 1); /* known: s2 */
	srv[1].usable = false; /* s2 down: ignored, replaced by the balance's pick */
	CU_ASSERT_EQUAL(sl_gen_stick_match(&g, 0, &b, 9, 300, &r), -1);
	CU_ASSERT_EQUAL(sl_gen_stick_store(&g, 0, &b, &r, 2), 2);
	srv[1].usable = true; /* back: the client stays on s3 */
	CU_ASSERT_EQUAL(sl_gen_stick_match(&g, 0, &b, 9, 400, &r), 2);
	/* another lcore stored s1 for a new client between our look-up and our store */
	CU_ASSERT_EQUAL(sl_gen_stick_match(&g, 0, &b, 10, 500, &r), -1);
	struct sl_stk_ref other;
	CU_ASSERT_TRUE(sl_stk_get(t, 10, 500, false, &other));
	CU_ASSERT_EQUAL(sl_stk_store_server(&other, 0, 1), 1);
	CU_ASSERT_EQUAL(sl_gen_stick_store(&g, 0, &b, &r, 2), 0); /* adopted: s1 */
	/* store-request alone: the server used overwrites */
	st.match = false;
	CU_ASSERT_EQUAL(sl_gen_stick_match(&g, 0, &b, 9, 600, &r), -1);
	CU_ASSERT_EQUAL(sl_gen_stick_store(&g, 0, &b, &r, 0), 0);
	CU_ASSERT_EQUAL(sl_stk_server(&r), 1);
	/* match alone creates nothing */
	st.match = true;
	st.store = false;
	CU_ASSERT_EQUAL(sl_gen_stick_match(&g, 0, &b, 11, 700, &r), -1);
	CU_ASSERT_PTR_NULL(r.e);
	CU_ASSERT_EQUAL(sl_gen_stick_store(&g, 0, &b, &r, 2), 2);
	CU_ASSERT_FALSE(sl_stk_get(t, 11, 700, false, &other));
	/* a backend without stick rules, an index out of range */
	struct sl_gen_stick none = {0};
	g.be_stick = &none;
	CU_ASSERT_EQUAL(sl_gen_stick_match(&g, 0, &b, 9, 800, &r), -1);
	CU_ASSERT_EQUAL(sl_gen_stick_match(&g, 5, &b, 9, 800, &r), -1);
	CU_ASSERT_PTR_EQUAL(sl_gen_table(&g, "x"), NULL);
	sl_stk_table_free(t);
}

static const struct sl_test_case cases[] = {
	{"the engines' match and store", test_gen_stick},
	{"look-up and creation", test_get_create},
	{"expiry", test_expire},
	{"purge of a full set", test_purge},
	{"tracking counters", test_counters},
	{"freq counters", test_freq},
	{"walk and clear", test_walk_clear},
	{"four threads, same keys", test_threads},
	{"data names", test_names},
	{NULL, NULL},
};

static const struct sl_test_suite suites[] = {
	{"stick", cases},
	{NULL, NULL},
};

int main(void)
{
	return sl_test_run(suites);
}
