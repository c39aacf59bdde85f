/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Timer wheel (dataplane/tcp/timer.c) on a virtual clock: exact firing tick, cancel, re-arm,
 * timers beyond one turn of the wheel, big jumps, callbacks re-arming and cancelling.
 */
#include <stdlib.h>

#include "dataplane/tcp/timer.h"
#include "tests/unit/sl_test.h"

static struct sl_tmr_wheel *w;
static uint64_t fired_at[64];
static int fired_n[64];
static uint64_t now;

static void cb(struct sl_tmr *t, void *arg)
{
	(void)t;
	int i = (int)(intptr_t)arg;
	fired_at[i] = now;
	fired_n[i]++;
}

static void reset(uint64_t start)
{
	free(w);
	w = malloc(sizeof(*w));
	sl_tmr_wheel_init(w, 1000, start);
	now = start;
	for (int i = 0; i < 64; i++)
		fired_at[i] = 0, fired_n[i] = 0;
}

/* Advances 1 ms at a time up to @to (microseconds). */
static void run_to(uint64_t to)
{
	while (now < to) {
		now += 1000;
		sl_tmr_advance(w, now);
	}
}

static void test_fire_exact(void)
{
	reset(0);
	struct sl_tmr t[3];
	for (int i = 0; i < 3; i++)
		sl_tmr_init(&t[i], cb, (void *)(intptr_t)i);
	sl_tmr_arm(w, &t[0], now, 5000);
	sl_tmr_arm(w, &t[1], now, 1);	/* rounds up to the next tick */
	sl_tmr_arm(w, &t[2], now, 0);	/* at least the next tick */
	CU_ASSERT_EQUAL(w->armed, 3);
	CU_ASSERT(sl_tmr_armed(&t[0]));
	run_to(4000);
	CU_ASSERT_EQUAL(fired_n[0], 0);
	CU_ASSERT_EQUAL(fired_at[1], 1000);
	CU_ASSERT_EQUAL(fired_at[2], 1000);
	run_to(5000);
	CU_ASSERT_EQUAL(fired_n[0], 1);
	CU_ASSERT_EQUAL(fired_at[0], 5000);
	CU_ASSERT(!sl_tmr_armed(&t[0]));
	CU_ASSERT_EQUAL(w->armed, 0);
	run_to(20000);
	CU_ASSERT_EQUAL(fired_n[0], 1);
}

static void test_cancel_rearm(void)
{
	reset(123456);
	struct sl_tmr a, b;
	sl_tmr_init(&a, cb, (void *)0);
	sl_tmr_init(&b, cb, (void *)1);
	sl_tmr_arm(w, &a, now, 3000);
	sl_tmr_arm(w, &b, now, 3000);
	sl_tmr_cancel(w, &a);
	sl_tmr_cancel(w, &a); /* twice: no effect */
	sl_tmr_arm(w, &b, now, 10000); /* move */
	CU_ASSERT_EQUAL(w->armed, 1);
	run_to(123456 + 20000);
	CU_ASSERT_EQUAL(fired_n[0], 0);
	CU_ASSERT_EQUAL(fired_n[1], 1);
	/* 123456 + 10000 rounded up to the ms: the first advance at or after 134 ms. */
	CU_ASSERT(fired_at[1] >= 134000 && fired_at[1] < 135000);
}

static void test_beyond_one_turn(void)
{
	reset(0);
	struct sl_tmr t[4];
	uint64_t delays[4] = {4095000, 4096000, 4097000, 60000000};
	for (int i = 0; i < 4; i++) {
		sl_tmr_init(&t[i], cb, (void *)(intptr_t)i);
		sl_tmr_arm(w, &t[i], now, delays[i]);
	}
	run_to(61000000);
	for (int i = 0; i < 4; i++) {
		CU_ASSERT_EQUAL(fired_n[i], 1);
		CU_ASSERT_EQUAL(fired_at[i], delays[i]);
	}
}

static void test_big_jump(void)
{
	reset(0);
	struct sl_tmr t[3];
	for (int i = 0; i < 3; i++)
		sl_tmr_init(&t[i], cb, (void *)(intptr_t)i);
	sl_tmr_arm(w, &t[0], 0, 1000);
	sl_tmr_arm(w, &t[1], 0, 9000000);
	sl_tmr_arm(w, &t[2], 0, 30000000);
	now = 10000000; /* 10 s at once: more than a turn */
	CU_ASSERT_EQUAL(sl_tmr_advance(w, now), 2);
	CU_ASSERT_EQUAL(fired_n[0], 1);
	CU_ASSERT_EQUAL(fired_n[1], 1);
	CU_ASSERT_EQUAL(fired_n[2], 0);
	CU_ASSERT_EQUAL(sl_tmr_advance(w, 5000), 0); /* time never goes back */
	run_to(30000000);
	CU_ASSERT_EQUAL(fired_at[2], 30000000);
}

static struct sl_tmr chain[3];
static int chain_count;

static void rearm_cb(struct sl_tmr *t, void *arg)
{
	(void)arg;
	chain_count++;
	if (chain_count < 5)
		sl_tmr_arm(w, t, now, 0); /* again next tick */
	sl_tmr_cancel(w, &chain[1]);  /* may sit in the same slot */
}

static void test_callbacks_rearm_cancel(void)
{
	reset(0);
	chain_count = 0;
	sl_tmr_init(&chain[0], rearm_cb, NULL);
	sl_tmr_init(&chain[1], cb, (void *)1);
	sl_tmr_arm(w, &chain[0], now, 2000);
	sl_tmr_arm(w, &chain[1], now, 2000);
	run_to(20000);
	CU_ASSERT_EQUAL(chain_count, 5);
	CU_ASSERT_EQUAL(fired_n[1], 0);
	CU_ASSERT_EQUAL(w->armed, 0);
}

static void test_many(void)
{
	reset(0);
	enum { N = 20000 };
	struct sl_tmr *t = calloc(N, sizeof(*t));
	static int hits;
	hits = 0;
	uint32_t x = 1;
	for (int i = 0; i < N; i++) {
		sl_tmr_init(&t[i], cb, (void *)(intptr_t)(i % 64));
		x = x * 1103515245u + 12345u;
		sl_tmr_arm(w, &t[i], now, (x >> 8) % 10000000);
	}
	for (int i = 0; i < N; i += 2)
		sl_tmr_cancel(w, &t[i]);
	CU_ASSERT_EQUAL(w->armed, N / 2);
	run_to(10001000);
	int total = 0;
	for (int i = 0; i < 64; i++)
		total += fired_n[i];
	CU_ASSERT_EQUAL(total, N / 2);
	CU_ASSERT_EQUAL(w->armed, 0);
	free(t);
	(void)hits;
}

static const struct sl_test_case cases[] = {
	{"fire_exact", test_fire_exact},
	{"cancel_rearm", test_cancel_rearm},
	{"beyond_one_turn", test_beyond_one_turn},
	{"big_jump", test_big_jump},
	{"callbacks_rearm_cancel", test_callbacks_rearm_cancel},
	{"many", test_many},
	{NULL, NULL}};
static const struct sl_test_suite suites[] = {{"tcp_timer", cases}, {NULL, NULL}};

int main(void)
{
	int r = sl_test_run(suites);
	free(w);
	return r;
}
