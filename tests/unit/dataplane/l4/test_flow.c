/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Flow table: both directions, absent keys, duplicates, delete, expiry (lookup, sweep, budget,
 * reclaim by insert), full table, cuckoo displacement and refusal, foreach, hash distribution,
 * logical separation of near-identical keys, and a randomized model test (1M operations against
 * a reference model).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "dataplane/l4/flow.h"
#include "tests/unit/sl_test.h"

#define VIP 0x0a4d0001u
#define LIP 0x0a4e0001u
#define SIP 0xc0a80a00u

static void *mem;
static struct sl_flow_table *t;

static struct sl_flow_table *table_new(uint32_t max_flows)
{
	free(mem);
	size_t n = sl_flow_table_bytes(max_flows);
	mem = aligned_alloc(64, (n + 63) & ~(size_t)63);
	CU_ASSERT_FATAL(mem != NULL);
	CU_ASSERT_FATAL(sl_flow_table_init(mem, max_flows) == 0);
	t = mem;
	return t;
}

/* Client key number @i: distinct for i < 2^24. */
static struct sl_flow_key ckey(uint32_t i)
{
	return (struct sl_flow_key){.saddr = 0x0b000000u + (i >> 8), .daddr = VIP,
				    .sport = (uint16_t)(40000 + (i & 0xff)), .dport = 1935,
				    .proto = 6};
}

/* Server key number @i (a server talking to local port i): distinct for i < 2^24. */
static struct sl_flow_key skey(uint32_t i)
{
	return (struct sl_flow_key){.saddr = SIP + (i >> 14), .daddr = LIP, .sport = 1935,
				    .dport = (uint16_t)(32768 + (i & 0x3fff)), .proto = 6};
}

static struct sl_flow *find(const struct sl_flow_key *k, enum sl_flow_dir *dir, uint64_t now)
{
	return sl_flow_lookup(t, k, sl_flow_key_hash(k), dir, now);
}

/* ---- basics ---- */

static void test_init(void)
{
	CU_ASSERT_EQUAL(sl_flow_table_bytes(0), 0);
	CU_ASSERT_EQUAL(sl_flow_table_bytes(SL_FLOW_MAX_FLOWS + 1), 0);
	CU_ASSERT(sl_flow_table_bytes(1000) >= 1000 * (64 + 32));
	CU_ASSERT_EQUAL(sl_flow_table_init(NULL, 10), -EINVAL);
	char *m = aligned_alloc(64, sl_flow_table_bytes(10) + 64);
	CU_ASSERT_EQUAL(sl_flow_table_init(m + 8, 10), -EINVAL);
	CU_ASSERT_EQUAL(sl_flow_table_init(m, 0), -EINVAL);
	CU_ASSERT_EQUAL(sl_flow_table_init(m, 10), 0);
	struct sl_flow_table *tt = (struct sl_flow_table *)(void *)m;
	CU_ASSERT_EQUAL(sl_flow_capacity(tt), 10);
	CU_ASSERT_EQUAL(sl_flow_count(tt), 0);
	free(m);
	/* memory per flow: 64 for the flow, 32..64 for its buckets */
	for (uint32_t n = 1; n <= (1u << 20); n = n * 3 + 1)
		CU_ASSERT(sl_flow_table_bytes(n) <= 128 + (size_t)n * 128 + 64);
}

static void test_both_directions(void)
{
	table_new(1000);
	struct sl_flow_key c = ckey(1), s = skey(1);
	struct sl_flow *f = sl_flow_insert(t, &c, &s, 10, 1000);
	CU_ASSERT_FATAL(f != NULL);
	CU_ASSERT_EQUAL(sl_flow_count(t), 1);
	CU_ASSERT_EQUAL(f->state, SL_FLOW_SYN_SENT);
	CU_ASSERT_EQUAL(f->tcp_off, 0);
	CU_ASSERT_EQUAL(f->expire_ms, 1000);
	CU_ASSERT_EQUAL(memcmp(&f->k[SL_FLOW_DIR_CLIENT], &c, 16), 0);
	CU_ASSERT_EQUAL(memcmp(&f->k[SL_FLOW_DIR_SERVER], &s, 16), 0);
	enum sl_flow_dir d = SL_FLOW_DIR_SERVER;
	CU_ASSERT_PTR_EQUAL(find(&c, &d, 20), f);
	CU_ASSERT_EQUAL(d, SL_FLOW_DIR_CLIENT);
	CU_ASSERT_PTR_EQUAL(find(&s, &d, 20), f);
	CU_ASSERT_EQUAL(d, SL_FLOW_DIR_SERVER);
	/* pad is neither hashed nor compared */
	struct sl_flow_key cp = c;
	memset(cp.pad, 0xa5, sizeof(cp.pad));
	CU_ASSERT_EQUAL(sl_flow_key_hash(&cp), sl_flow_key_hash(&c));
	CU_ASSERT_PTR_EQUAL(find(&cp, &d, 20), f);
	CU_ASSERT_EQUAL(d, SL_FLOW_DIR_CLIENT);
	/* the caller's fields are the caller's */
	f->tcp_off = 7;
	f->state = SL_FLOW_ESTABLISHED;
	CU_ASSERT_EQUAL(find(&s, &d, 20)->tcp_off, 7);
}

static void test_absent(void)
{
	table_new(100);
	enum sl_flow_dir d = SL_FLOW_DIR_CLIENT;
	struct sl_flow_key c = ckey(5), s = skey(5);
	CU_ASSERT_PTR_NULL(find(&c, &d, 0));
	CU_ASSERT_PTR_NOT_NULL_FATAL(sl_flow_insert(t, &c, &s, 0, 100));
	for (uint32_t i = 0; i < 1000; i++) {
		if (i == 5)
			continue;
		struct sl_flow_key a = ckey(i), b = skey(i);
		CU_ASSERT_PTR_NULL(find(&a, &d, 0));
		CU_ASSERT_PTR_NULL(find(&b, &d, 0));
	}
}

static void test_duplicates(void)
{
	table_new(100);
	struct sl_flow_key c = ckey(1), s = skey(1), c2 = ckey(2), s2 = skey(2);
	struct sl_flow *f = sl_flow_insert(t, &c, &s, 0, 100);
	CU_ASSERT_FATAL(f != NULL);
	CU_ASSERT_PTR_NULL(sl_flow_insert(t, &c, &s2, 0, 100));
	CU_ASSERT_EQUAL(t->last_err, -EEXIST);
	CU_ASSERT_PTR_NULL(sl_flow_insert(t, &c2, &s, 0, 100));
	CU_ASSERT_PTR_NULL(sl_flow_insert(t, &c, &s, 0, 100));
	/* a key is a key, whatever direction it had */
	CU_ASSERT_PTR_NULL(sl_flow_insert(t, &s, &c2, 0, 100));
	CU_ASSERT_PTR_NULL(sl_flow_insert(t, &c2, &c, 0, 100));
	/* both keys of one flow equal */
	CU_ASSERT_PTR_NULL(sl_flow_insert(t, &c2, &c2, 0, 100));
	CU_ASSERT_EQUAL(t->refused_dup, 6);
	CU_ASSERT_EQUAL(t->refused_full + t->refused_bucket, 0);
	CU_ASSERT_EQUAL(sl_flow_count(t), 1);
	/* refusals changed nothing */
	enum sl_flow_dir d;
	CU_ASSERT_PTR_EQUAL(find(&c, &d, 1), f);
	CU_ASSERT_PTR_EQUAL(find(&s, &d, 1), f);
	CU_ASSERT_PTR_NULL(find(&c2, &d, 1));
	CU_ASSERT_PTR_NULL(find(&s2, &d, 1));
	CU_ASSERT_PTR_NOT_NULL(sl_flow_insert(t, &c2, &s2, 0, 100));
}

static void test_delete(void)
{
	table_new(100);
	struct sl_flow_key c = ckey(1), s = skey(1), c2 = ckey(2), s2 = skey(2);
	struct sl_flow *f = sl_flow_insert(t, &c, &s, 0, 100);
	struct sl_flow *g = sl_flow_insert(t, &c2, &s2, 0, 100);
	CU_ASSERT_FATAL(f != NULL && g != NULL);
	uint16_t gen = f->generation;
	sl_flow_delete(t, f);
	CU_ASSERT_EQUAL(sl_flow_count(t), 1);
	CU_ASSERT_EQUAL((uint16_t)(gen + 1), f->generation);
	enum sl_flow_dir d;
	CU_ASSERT_PTR_NULL(find(&c, &d, 1));
	CU_ASSERT_PTR_NULL(find(&s, &d, 1));
	CU_ASSERT_PTR_EQUAL(find(&c2, &d, 1), g);
	CU_ASSERT_PTR_EQUAL(find(&s2, &d, 1), g);
	/* deleting twice is harmless */
	sl_flow_delete(t, f);
	CU_ASSERT_EQUAL(sl_flow_count(t), 1);
	/* LIFO: the slot just freed is reused */
	struct sl_flow *h = sl_flow_insert(t, &c, &s, 0, 100);
	CU_ASSERT_PTR_EQUAL(h, f);
	CU_ASSERT_PTR_EQUAL(find(&s, &d, 1), f);
	sl_flow_delete(t, h);
	sl_flow_delete(t, g);
	CU_ASSERT_EQUAL(sl_flow_count(t), 0);
	for (uint32_t b = 0; b < t->nbuckets; b++)
		CU_ASSERT_EQUAL(t->bkt[b].used, 0);
}

/* ---- expiry ---- */

struct cb_log {
	unsigned calls;
	unsigned *per_flow; /* calls per flow index */
	uint64_t now;
	unsigned live_seen; /* callbacks on flows not expired at now */
};

static void on_cb(void *arg, struct sl_flow *f)
{
	struct cb_log *l = arg;
	l->calls++;
	l->per_flow[sl_flow_index(t, f)]++;
	if (f->expire_ms > l->now)
		l->live_seen++;
}

static void test_expiry_lookup(void)
{
	table_new(100);
	unsigned per[100] = {0};
	struct cb_log log = {.per_flow = per};
	sl_flow_set_on_reclaim(t, on_cb, &log);
	struct sl_flow_key c = ckey(1), s = skey(1);
	struct sl_flow *f = sl_flow_insert(t, &c, &s, 0, 1000);
	enum sl_flow_dir d;
	CU_ASSERT_PTR_EQUAL(find(&c, &d, 999), f);
	CU_ASSERT_PTR_NULL(find(&c, &d, 1000));
	CU_ASSERT_PTR_NULL(find(&s, &d, 1000));
	CU_ASSERT_PTR_NULL(find(&s, &d, 50000));
	/* refreshing is the caller's store */
	f->expire_ms = 60000;
	CU_ASSERT_PTR_EQUAL(find(&s, &d, 50000), f);
	/* an expired flow holding a key does not refuse it: it is reclaimed */
	log.now = 70000;
	struct sl_flow_key s2 = skey(2);
	struct sl_flow *g = sl_flow_insert(t, &c, &s2, 70000, 80000);
	CU_ASSERT_PTR_NOT_NULL_FATAL(g);
	CU_ASSERT_EQUAL(log.calls, 1);
	CU_ASSERT_EQUAL(log.live_seen, 0);
	CU_ASSERT_EQUAL(t->reclaimed, 1);
	CU_ASSERT_EQUAL(sl_flow_count(t), 1);
	CU_ASSERT_PTR_NULL(find(&s, &d, 70000));
	CU_ASSERT_PTR_EQUAL(find(&c, &d, 70000), g);
	CU_ASSERT_EQUAL(d, SL_FLOW_DIR_CLIENT);
	/* the same two keys again, after expiry */
	log.now = 90000;
	CU_ASSERT_PTR_NOT_NULL(sl_flow_insert(t, &c, &s2, 90000, 91000));
	CU_ASSERT_EQUAL(log.calls, 2);
	CU_ASSERT_EQUAL(t->refused_dup, 0);
}

static void test_sweep_budget(void)
{
	table_new(100);
	unsigned per[100] = {0};
	struct cb_log log = {.per_flow = per, .now = 2000};
	/* a fresh table hands flows out in index order: 0..49 expire at 1000, 50..99 at 5000 */
	for (uint32_t i = 0; i < 100; i++) {
		struct sl_flow_key c = ckey(i), s = skey(i);
		struct sl_flow *f = sl_flow_insert(t, &c, &s, 0, i < 50 ? 1000 : 5000);
		CU_ASSERT_FATAL(f != NULL);
		CU_ASSERT_EQUAL(sl_flow_index(t, f), i);
	}
	for (int call = 0; call < 5; call++) {
		CU_ASSERT_EQUAL(sl_flow_expire(t, 2000, 10, on_cb, &log), 10);
		CU_ASSERT_EQUAL(t->hand, (uint32_t)(call + 1) * 10);
		for (uint32_t i = 0; i < 100; i++)
			CU_ASSERT_EQUAL(per[i], i < (uint32_t)(call + 1) * 10 ? 1u : 0u);
	}
	for (int call = 0; call < 5; call++)
		CU_ASSERT_EQUAL(sl_flow_expire(t, 2000, 10, on_cb, &log), 0);
	CU_ASSERT_EQUAL(t->hand, 0); /* wrapped */
	CU_ASSERT_EQUAL(sl_flow_count(t), 50);
	/* a second revolution finds nothing more to free, and never calls back twice */
	CU_ASSERT_EQUAL(sl_flow_expire(t, 2000, 1000, on_cb, &log), 0);
	CU_ASSERT_EQUAL(log.calls, 50);
	CU_ASSERT_EQUAL(log.live_seen, 0);
	enum sl_flow_dir d;
	for (uint32_t i = 0; i < 100; i++) {
		struct sl_flow_key c = ckey(i), s = skey(i);
		CU_ASSERT_EQUAL(find(&c, &d, 2000) != NULL, i >= 50);
		CU_ASSERT_EQUAL(find(&s, &d, 2000) != NULL, i >= 50);
	}
	/* later, everything goes; budget 1 visits one slot per call */
	log.now = 5000;
	unsigned freed = 0;
	for (int call = 0; call < 100; call++) {
		unsigned n = sl_flow_expire(t, 5000, 1, on_cb, &log);
		CU_ASSERT(n <= 1);
		freed += n;
	}
	CU_ASSERT_EQUAL(freed, 50);
	CU_ASSERT_EQUAL(t->expired, 100);
	CU_ASSERT_EQUAL(sl_flow_count(t), 0);
	for (uint32_t i = 0; i < 100; i++)
		CU_ASSERT_EQUAL(per[i], 1);
	CU_ASSERT_EQUAL(log.live_seen, 0);
	/* a NULL callback is allowed */
	struct sl_flow_key c = ckey(1), s = skey(1);
	sl_flow_insert(t, &c, &s, 0, 10);
	CU_ASSERT_EQUAL(sl_flow_expire(t, 10, 100, NULL, NULL), 1);
}

/* ---- capacity ---- */

static void test_full(void)
{
	table_new(1000);
	struct sl_flow *fl[1000];
	for (uint32_t i = 0; i < 1000; i++) {
		struct sl_flow_key c = ckey(i), s = skey(i);
		fl[i] = sl_flow_insert(t, &c, &s, 0, 100000);
		CU_ASSERT_FATAL(fl[i] != NULL);
	}
	CU_ASSERT_EQUAL(sl_flow_count(t), 1000);
	struct sl_flow_key c = ckey(5000), s = skey(5000);
	CU_ASSERT_PTR_NULL(sl_flow_insert(t, &c, &s, 0, 100000));
	CU_ASSERT_EQUAL(t->last_err, -ENOSPC);
	CU_ASSERT_EQUAL(t->refused_full, 1);
	CU_ASSERT_EQUAL(t->refused_bucket, 0);
	enum sl_flow_dir d;
	for (uint32_t i = 0; i < 1000; i++) {
		struct sl_flow_key ci = ckey(i), si = skey(i);
		CU_ASSERT_PTR_EQUAL(find(&ci, &d, 1), fl[i]);
		CU_ASSERT_EQUAL(d, SL_FLOW_DIR_CLIENT);
		CU_ASSERT_PTR_EQUAL(find(&si, &d, 1), fl[i]);
		CU_ASSERT_EQUAL(d, SL_FLOW_DIR_SERVER);
	}
	CU_ASSERT_PTR_NULL(find(&c, &d, 1));
	/* room again after deletes */
	for (uint32_t i = 0; i < 10; i++)
		sl_flow_delete(t, fl[i * 97]);
	for (uint32_t i = 0; i < 10; i++) {
		struct sl_flow_key cn = ckey(6000 + i), sn = skey(6000 + i);
		CU_ASSERT_PTR_NOT_NULL(sl_flow_insert(t, &cn, &sn, 0, 100000));
	}
	CU_ASSERT_PTR_NULL(sl_flow_insert(t, &c, &s, 0, 100000));
	CU_ASSERT_EQUAL(t->refused_full, 2);
}

static void test_full_of_expired(void)
{
	/* every flow expired, none swept: an insert reclaims the ones in its buckets */
	table_new(64);
	unsigned per[64] = {0};
	struct cb_log log = {.per_flow = per, .now = 200};
	sl_flow_set_on_reclaim(t, on_cb, &log);
	for (uint32_t i = 0; i < 64; i++) {
		struct sl_flow_key c = ckey(i), s = skey(i);
		CU_ASSERT_FATAL(sl_flow_insert(t, &c, &s, 0, 100) != NULL);
	}
	unsigned ok = 0;
	for (uint32_t i = 0; i < 64; i++) {
		struct sl_flow_key c = ckey(1000 + i), s = skey(1000 + i);
		ok += sl_flow_insert(t, &c, &s, 200, 1000) != NULL;
	}
	/* 128 keys in 32 buckets: practically every insert finds expired entries to reclaim */
	CU_ASSERT(ok >= 60);
	CU_ASSERT_EQUAL(log.live_seen, 0);
	CU_ASSERT_EQUAL(log.calls, t->reclaimed);
	for (uint32_t i = 0; i < 64; i++)
		CU_ASSERT(per[i] <= 1);
	CU_ASSERT(sl_flow_count(t) <= 64);
}

/* ---- cuckoo ---- */

/* The first key after number *@i whose buckets are (@b0, @b1) (either wildcard when ~0u). */
static struct sl_flow_key key_in(uint32_t *i, uint32_t b0, uint32_t b1,
				 struct sl_flow_key (*mk)(uint32_t))
{
	for (;; (*i)++) {
		struct sl_flow_key k = mk(*i);
		uint32_t b[2];
		sl_flow_key_buckets(t, sl_flow_key_hash(&k), b);
		if ((b0 == ~0u || b[0] == b0) && (b1 == ~0u || b[1] == b1)) {
			(*i)++;
			return k;
		}
	}
}

/* A server key whose buckets avoid @x and @y. */
static struct sl_flow_key skey_avoid(uint32_t *i, uint32_t x, uint32_t y)
{
	for (;; (*i)++) {
		struct sl_flow_key k = skey(*i);
		uint32_t b[2];
		sl_flow_key_buckets(t, sl_flow_key_hash(&k), b);
		if (b[0] != x && b[0] != y && b[1] != x && b[1] != y) {
			(*i)++;
			return k;
		}
	}
}

static unsigned bucket_fill(uint32_t b)
{
	return (unsigned)__builtin_popcount(t->bkt[b].used) / 2;
}

static void test_cuckoo(void)
{
	table_new(1024); /* 512 buckets */
	CU_ASSERT_EQUAL_FATAL(t->nbuckets, 512);
	uint32_t ci = 0, si = 0, X = 7, Y;
	enum sl_flow_dir d;
	struct sl_flow_key a[8], b[8], s;
	/* a[]: first bucket X, other buckets anywhere */
	for (int i = 0; i < 8; i++) {
		a[i] = key_in(&ci, X, ~0u, ckey);
		uint32_t bb[2];
		sl_flow_key_buckets(t, sl_flow_key_hash(&a[i]), bb);
		CU_ASSERT_FATAL(bb[0] != bb[1]);
	}
	/* b[]: buckets (Y, X) for one Y */
	b[0] = key_in(&ci, ~0u, X, ckey);
	uint32_t bb[2];
	sl_flow_key_buckets(t, sl_flow_key_hash(&b[0]), bb);
	Y = bb[0];
	for (int i = 1; i < 8; i++)
		b[i] = key_in(&ci, Y, X, ckey);
	for (int i = 0; i < 8; i++) {
		s = skey_avoid(&si, X, Y);
		CU_ASSERT_FATAL(sl_flow_insert(t, &a[i], &s, 0, 1000) != NULL);
	}
	for (int i = 0; i < 8; i++) {
		s = skey_avoid(&si, X, Y);
		CU_ASSERT_FATAL(sl_flow_insert(t, &b[i], &s, 0, 1000) != NULL);
	}
	CU_ASSERT_EQUAL(bucket_fill(X), 8);
	CU_ASSERT_EQUAL(bucket_fill(Y), 8);
	CU_ASSERT_EQUAL(t->kicks, 0);
	/* c: buckets (Y, X), both full: an a[] entry moves out of X to make room */
	struct sl_flow_key c = key_in(&ci, Y, X, ckey);
	s = skey_avoid(&si, X, Y);
	struct sl_flow *fc = sl_flow_insert(t, &c, &s, 0, 1000);
	CU_ASSERT_PTR_NOT_NULL(fc);
	CU_ASSERT_EQUAL(t->kicks, 1);
	CU_ASSERT_PTR_EQUAL(find(&c, &d, 1), fc);
	for (int i = 0; i < 8; i++) {
		CU_ASSERT_PTR_NOT_NULL(find(&a[i], &d, 1));
		CU_ASSERT_PTR_NOT_NULL(find(&b[i], &d, 1));
	}
	/* more (Y, X) keys: each moves one more a[] out of X, until X and Y hold only keys of the
	 * pair (X, Y), whose other bucket is full: then no path exists and inserts are refused,
	 * changing nothing */
	unsigned ok = 0, refused = 0;
	for (int i = 0; i < 40; i++) {
		uint64_t kicks = t->kicks;
		uint32_t count = sl_flow_count(t);
		struct sl_flow_key k = key_in(&ci, Y, X, ckey);
		s = skey_avoid(&si, X, Y);
		struct sl_flow *r = sl_flow_insert(t, &k, &s, 0, 1000);
		if (r != NULL) {
			ok++;
			CU_ASSERT(t->kicks > kicks);
			CU_ASSERT_PTR_EQUAL(find(&k, &d, 1), r);
			continue;
		}
		refused++;
		CU_ASSERT_EQUAL(t->last_err, -EBUSY);
		CU_ASSERT_EQUAL(t->kicks, kicks);
		CU_ASSERT_EQUAL(sl_flow_count(t), count);
		CU_ASSERT_PTR_NULL(find(&k, &d, 1));
		CU_ASSERT_PTR_NULL(find(&s, &d, 1));
	}
	CU_ASSERT_EQUAL(ok, 7);
	CU_ASSERT_EQUAL(refused, 33);
	CU_ASSERT_EQUAL(t->refused_bucket, 33);
	for (int i = 0; i < 8; i++) {
		CU_ASSERT_PTR_NOT_NULL(find(&a[i], &d, 1));
		CU_ASSERT_PTR_NOT_NULL(find(&b[i], &d, 1));
	}
	/* deleting one flow of the pair makes room again */
	sl_flow_delete(t, fc);
	struct sl_flow_key k = key_in(&ci, Y, X, ckey);
	s = skey_avoid(&si, X, Y);
	CU_ASSERT_PTR_NOT_NULL(sl_flow_insert(t, &k, &s, 0, 1000));
	/* and every allocated flow is found from both sides */
	unsigned found = 0, total = 0;
	for (uint32_t i = 0; i < sl_flow_capacity(t); i++) {
		struct sl_flow *f = &t->flows[i];
		if (f->_link != SL_FLOW_INUSE)
			continue;
		total++;
		found += find(&f->k[0], &d, 1) == f && d == SL_FLOW_DIR_CLIENT &&
			 find(&f->k[1], &d, 1) == f && d == SL_FLOW_DIR_SERVER;
	}
	CU_ASSERT_EQUAL(found, total);
	CU_ASSERT_EQUAL(total, sl_flow_count(t));
}

/* ---- foreach ---- */

struct reset_arg {
	struct sl_flow_table *t;
	uint16_t server;
	unsigned seen, deleted;
};

static void reset_server(void *arg, struct sl_flow *f)
{
	struct reset_arg *r = arg;
	r->seen++;
	if (f->server_idx == r->server) {
		sl_flow_delete(r->t, f);
		r->deleted++;
	}
}

static void test_foreach(void)
{
	table_new(300);
	for (uint32_t i = 0; i < 300; i++) {
		struct sl_flow_key c = ckey(i), s = skey(i);
		struct sl_flow *f = sl_flow_insert(t, &c, &s, 0, 1000);
		CU_ASSERT_FATAL(f != NULL);
		f->server_idx = (uint16_t)(i % 3);
	}
	for (uint32_t i = 0; i < 300; i += 10)
		sl_flow_delete(t, &t->flows[i]);
	struct reset_arg r = {.t = t, .server = 1};
	sl_flow_foreach(t, reset_server, &r);
	CU_ASSERT_EQUAL(r.seen, 270);
	CU_ASSERT_EQUAL(r.deleted, 90);
	CU_ASSERT_EQUAL(sl_flow_count(t), 180);
	enum sl_flow_dir d;
	for (uint32_t i = 0; i < 300; i++) {
		struct sl_flow_key c = ckey(i), s = skey(i);
		bool want = i % 10 != 0 && i % 3 != 1;
		CU_ASSERT_EQUAL(find(&c, &d, 1) != NULL, want);
		CU_ASSERT_EQUAL(find(&s, &d, 1) != NULL, want);
	}
}

/* ---- hash ---- */

static double chi2(const uint32_t *cnt, uint32_t n, uint32_t total)
{
	double e = (double)total / n, x = 0;
	for (uint32_t i = 0; i < n; i++)
		x += ((double)cnt[i] - e) * ((double)cnt[i] - e) / e;
	return x;
}

/* @n keys made by @mk, bucketed by low bits and by the signature (high 16 bits). */
static void check_distribution(const char *what, struct sl_flow_key (*mk)(uint32_t), uint32_t n)
{
	enum { NB = 1 << 14 };
	static uint32_t lo[NB], hi[1 << 16];
	uint32_t bits[32] = {0};
	memset(lo, 0, sizeof(lo));
	memset(hi, 0, sizeof(hi));
	for (uint32_t i = 0; i < n; i++) {
		struct sl_flow_key k = mk(i);
		uint32_t h = sl_flow_key_hash(&k);
		lo[h & (NB - 1)]++;
		hi[h >> 16]++;
		for (int b = 0; b < 32; b++)
			bits[b] += (h >> b) & 1;
	}
	/* chi-square of a uniform spread: mean df, standard deviation sqrt(2 df); allow 6 sd */
	double xl = chi2(lo, NB, n), xh = chi2(hi, 1 << 16, n);
	double lim_l = (NB - 1) + 6 * 181.0, lim_h = 65535 + 6 * 362.0;
	if (xl > lim_l || xh > lim_h)
		fprintf(stderr, "%s: chi2 low %.0f (limit %.0f), high %.0f (limit %.0f)\n", what, xl,
			lim_l, xh, lim_h);
	CU_ASSERT(xl < lim_l);
	CU_ASSERT(xh < lim_h);
	for (int b = 0; b < 32; b++)
		CU_ASSERT(bits[b] > n / 2 - n / 100 && bits[b] < n / 2 + n / 100);
}

static struct sl_flow_key k_one_client_all_ports(uint32_t i)
{
	return (struct sl_flow_key){.saddr = 0x0a000001, .daddr = VIP, .sport = (uint16_t)i,
				    .dport = 1935, .proto = 6};
}

static struct sl_flow_key k_subnet_one_port(uint32_t i)
{
	return (struct sl_flow_key){.saddr = 0x0a000000 + i, .daddr = VIP, .sport = 40000,
				    .dport = 1935, .proto = 6};
}

static struct sl_flow_key k_servers_lports(uint32_t i)
{
	/* 16 servers, the SNAT range 32768..60999 of one local address */
	return (struct sl_flow_key){.saddr = SIP + (i & 15), .daddr = LIP, .sport = 1935,
				    .dport = (uint16_t)(32768 + (i >> 4) % 28232), .proto = 6};
}

static struct sl_flow_key k_random(uint32_t i)
{
	uint64_t x = (i + 1) * 0x9e3779b97f4a7c15ull;
	x ^= x >> 31;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 29;
	return (struct sl_flow_key){.saddr = (uint32_t)x, .daddr = VIP + (uint32_t)(x >> 60),
				    .sport = (uint16_t)(x >> 32), .dport = 1935, .proto = 6};
}

static void test_hash_distribution(void)
{
	check_distribution("one client, every port", k_one_client_all_ports, 65536);
	check_distribution("a /12 of clients, one port", ckey, 1u << 20);
	check_distribution("subnet, one port", k_subnet_one_port, 1u << 20);
	check_distribution("servers x local ports", k_servers_lports, 16 * 28232);
	check_distribution("random", k_random, 1u << 20);
	/* and in a real table: the fullest bucket of 1M flows at 50% load */
	table_new(1u << 20);
	for (uint32_t i = 0; i < (1u << 20); i++) {
		struct sl_flow_key c = ckey(i), s = skey(i);
		CU_ASSERT_FATAL(sl_flow_insert(t, &c, &s, 0, 1000) != NULL);
	}
	CU_ASSERT_EQUAL(t->refused_bucket + t->refused_full + t->refused_dup, 0);
	uint32_t first = 0;
	for (uint32_t i = 0; i < (1u << 20); i += 1)
		for (int dd = 0; dd < 2; dd++) {
			struct sl_flow_key k = dd ? skey(i) : ckey(i);
			uint32_t h = sl_flow_key_hash(&k), b[2];
			sl_flow_key_buckets(t, h, b);
			const struct sl_flow_bucket *bk = &t->bkt[b[0]];
			for (int s = 0; s < SL_FLOW_BUCKET_SLOTS; s++)
				if ((bk->used >> (2 * s) & 1) && bk->ref[s] == (i << 1 | (uint32_t)dd)) {
					first++;
					break;
				}
		}
	/* ~98% of the keys in their first bucket (Poisson(4) buckets of 8) */
	fprintf(stderr, "\n    1M flows: %.2f%% of keys in their first bucket, %llu kicks\n",
		100.0 * first / (2u << 20), (unsigned long long)t->kicks);
	CU_ASSERT(first > (uint32_t)(0.96 * (2u << 20)));
}

static void test_near_keys_distinct(void)
{
	table_new(100);
	struct sl_flow_key base = {.saddr = 0x0a000001, .daddr = VIP, .sport = 40000,
				   .dport = 1935, .proto = 6};
	struct sl_flow_key v[8];
	for (int i = 0; i < 8; i++)
		v[i] = base;
	v[1].proto = 17;
	v[2].saddr = base.daddr; /* the same conversation seen from the other side */
	v[2].daddr = base.saddr;
	v[2].sport = base.dport;
	v[2].dport = base.sport;
	v[3].sport++;
	v[4].dport++;
	v[5].sport = base.dport; /* ports swapped */
	v[5].dport = base.sport;
	v[6].saddr = base.daddr; /* addresses swapped */
	v[6].daddr = base.saddr;
	v[7].saddr ^= 0x80000000u;
	struct sl_flow *f[8];
	for (int i = 0; i < 8; i++) {
		struct sl_flow_key s = skey((uint32_t)i);
		f[i] = sl_flow_insert(t, &v[i], &s, 0, 1000);
		CU_ASSERT_PTR_NOT_NULL_FATAL(f[i]);
		for (int j = 0; j < i; j++)
			CU_ASSERT_NOT_EQUAL(sl_flow_key_hash(&v[i]), sl_flow_key_hash(&v[j]));
	}
	enum sl_flow_dir d;
	for (int i = 0; i < 8; i++) {
		CU_ASSERT_PTR_EQUAL(find(&v[i], &d, 1), f[i]);
		CU_ASSERT_EQUAL(d, SL_FLOW_DIR_CLIENT);
	}
	sl_flow_delete(t, f[0]);
	for (int i = 1; i < 8; i++)
		CU_ASSERT_PTR_EQUAL(find(&v[i], &d, 1), f[i]);
}

/* ---- randomized model ---- */

#define M_CAP 2048
#define M_NC 6144
#define M_NS 6144
#define M_OPS 1000000

struct mflow {
	bool present;
	uint32_t c, s;
	uint64_t expire;
};

static struct model {
	struct mflow f[M_CAP];
	uint32_t cown[M_NC], sown[M_NS]; /* flow index + 1, 0: none */
	uint32_t plist[M_CAP], ppos[M_CAP], npresent;
	uint64_t now;
	uint32_t max_life, max_step;
	unsigned mismatches, callbacks;
} M;

static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static uint32_t rnd_below(uint32_t n)
{
	return (uint32_t)(((rnd() >> 32) * n) >> 32);
}

#define MCHECK(cond)                                                                               \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			if (M.mismatches++ < 10)                                                   \
				fprintf(stderr, "model mismatch at line %d: %s\n", __LINE__, #cond);   \
		}                                                                                  \
	} while (0)

static bool m_live(uint32_t owner)
{
	return owner != 0 && M.f[owner - 1].present && M.f[owner - 1].expire > M.now;
}

static void m_add(uint32_t idx, uint32_t c, uint32_t s, uint64_t expire)
{
	M.f[idx] = (struct mflow){true, c, s, expire};
	M.cown[c] = idx + 1;
	M.sown[s] = idx + 1;
	M.ppos[idx] = M.npresent;
	M.plist[M.npresent++] = idx;
}

static void m_remove(uint32_t idx)
{
	struct mflow *mf = &M.f[idx];
	MCHECK(mf->present);
	if (!mf->present)
		return;
	mf->present = false;
	M.cown[mf->c] = 0;
	M.sown[mf->s] = 0;
	uint32_t last = M.plist[--M.npresent];
	M.plist[M.ppos[idx]] = last;
	M.ppos[last] = M.ppos[idx];
}

/* on_reclaim and on_expire: only expired, present flows, once each */
static void m_cb(void *arg, struct sl_flow *f)
{
	uint32_t idx = sl_flow_index(t, f);
	(void)arg;
	M.callbacks++;
	MCHECK(M.f[idx].present);
	MCHECK(M.f[idx].expire <= M.now);
	MCHECK(f->expire_ms == M.f[idx].expire);
	m_remove(idx);
}

static struct sl_flow_key m_ckey(uint32_t i)
{
	return ckey(i * 2654435761u % (1u << 20));
}

static struct sl_flow_key m_skey(uint32_t i)
{
	return skey(i);
}

static void m_insert(void)
{
	uint32_t c = rnd_below(M_NC), s = rnd_below(M_NS);
	struct sl_flow_key ck = m_ckey(c), sk = m_skey(s);
	bool dup = m_live(M.cown[c]) || m_live(M.sown[s]);
	uint64_t expire = M.now + 1 + rnd_below(M.max_life);
	uint64_t dups = t->refused_dup;
	struct sl_flow *f = sl_flow_insert(t, &ck, &sk, M.now, expire);
	if (dup) {
		MCHECK(f == NULL);
		MCHECK(t->last_err == -EEXIST && t->refused_dup == dups + 1);
		return;
	}
	/* expired holders of either key were reclaimed (through m_cb) */
	MCHECK(M.cown[c] == 0 && M.sown[s] == 0);
	if (f == NULL) {
		MCHECK(t->last_err == -ENOSPC);
		MCHECK(M.npresent == M_CAP);
		return;
	}
	uint32_t idx = sl_flow_index(t, f);
	MCHECK(!M.f[idx].present);
	m_add(idx, c, s, expire);
}

static void m_lookup(void)
{
	bool server = rnd() & 1;
	uint32_t i = rnd_below(server ? M_NS : M_NC);
	struct sl_flow_key k = server ? m_skey(i) : m_ckey(i);
	uint32_t owner = server ? M.sown[i] : M.cown[i];
	enum sl_flow_dir d = (enum sl_flow_dir)7;
	struct sl_flow *f = sl_flow_lookup(t, &k, sl_flow_key_hash(&k), &d, M.now);
	if (m_live(owner)) {
		MCHECK(f == &t->flows[owner - 1]);
		MCHECK(d == (server ? SL_FLOW_DIR_SERVER : SL_FLOW_DIR_CLIENT));
	} else {
		MCHECK(f == NULL);
	}
}

static void m_delete(void)
{
	if (M.npresent == 0)
		return;
	uint32_t idx = M.plist[rnd_below(M.npresent)];
	sl_flow_delete(t, &t->flows[idx]);
	m_remove(idx);
}

static void m_sweep(void)
{
	unsigned budget = 1 + rnd_below(300), before = M.callbacks;
	uint32_t hand = t->hand;
	unsigned n = sl_flow_expire(t, M.now, budget, m_cb, NULL);
	MCHECK(n == M.callbacks - before);
	MCHECK(t->hand == (hand + budget) % M_CAP);
}

static void test_model(void)
{
	table_new(M_CAP);
	memset(&M, 0, sizeof(M));
	M.now = 1000;
	rng_state = 0x5eed5eed12345678ull;
	sl_flow_set_on_reclaim(t, m_cb, NULL);
	unsigned nops[5] = {0};
	for (uint32_t op = 0; op < M_OPS; op++) {
		/* phases of 100k operations: a slow clock and long lives fill the table; a fast
		 * clock and short lives make flows expire under the lookups and inserts */
		if (op % 100000 == 0) {
			bool fill = (op / 100000) % 2 == 0;
			M.max_life = fill ? 20000 : 2000;
			M.max_step = fill ? 2 : 20;
		}
		uint32_t r = rnd_below(100);
		if (r < 35) {
			m_insert();
			nops[0]++;
		} else if (r < 80) {
			m_lookup();
			nops[1]++;
		} else if (r < 90) {
			m_delete();
			nops[2]++;
		} else if (r < 93) {
			m_sweep();
			nops[3]++;
		} else {
			M.now += rnd_below(M.max_step);
			nops[4]++;
		}
		if ((op & 4095) == 0)
			MCHECK(sl_flow_count(t) == M.npresent);
	}
	MCHECK(sl_flow_count(t) == M.npresent);
	/* every present flow is found from both sides when live */
	enum sl_flow_dir d;
	for (uint32_t i = 0; i < M.npresent; i++) {
		uint32_t idx = M.plist[i];
		struct sl_flow_key ck = m_ckey(M.f[idx].c), sk = m_skey(M.f[idx].s);
		struct sl_flow *want = M.f[idx].expire > M.now ? &t->flows[idx] : NULL;
		MCHECK(sl_flow_lookup(t, &ck, sl_flow_key_hash(&ck), &d, M.now) == want);
		MCHECK(sl_flow_lookup(t, &sk, sl_flow_key_hash(&sk), &d, M.now) == want);
	}
	/* and far in the future one revolution of the sweep empties the table */
	M.now += 1000000;
	sl_flow_expire(t, M.now, M_CAP, m_cb, NULL);
	MCHECK(M.npresent == 0);
	MCHECK(sl_flow_count(t) == 0);
	for (uint32_t b = 0; b < t->nbuckets; b++)
		MCHECK(t->bkt[b].used == 0);
	fprintf(stderr,
		"\n    model: %u inserts, %u lookups, %u deletes, %u sweeps, %u clock steps; "
		"refused dup %llu full %llu bucket %llu; reclaimed %llu, expired %llu, kicks %llu\n",
		nops[0], nops[1], nops[2], nops[3], nops[4], (unsigned long long)t->refused_dup,
		(unsigned long long)t->refused_full, (unsigned long long)t->refused_bucket,
		(unsigned long long)t->reclaimed, (unsigned long long)t->expired,
		(unsigned long long)t->kicks);
	CU_ASSERT_EQUAL(M.mismatches, 0);
	CU_ASSERT_EQUAL(t->refused_bucket, 0);
	/* the run exercised every path */
	CU_ASSERT(t->refused_dup > 0 && t->refused_full > 0 && t->reclaimed > 0 && t->expired > 0);
}

static const struct sl_test_case basic_cases[] = {
	{"init and sizes", test_init},
	{"insert, lookup from both directions", test_both_directions},
	{"absent keys", test_absent},
	{"duplicate keys refused", test_duplicates},
	{"delete removes both keys", test_delete},
	{"near-identical keys are distinct flows", test_near_keys_distinct},
	{"foreach, deleting from the callback", test_foreach},
	{NULL, NULL},
};

static const struct sl_test_case expiry_cases[] = {
	{"lookup after expire_ms, reclaim by insert", test_expiry_lookup},
	{"sweep: once per flow, never live ones, budget", test_sweep_budget},
	{NULL, NULL},
};

static const struct sl_test_case capacity_cases[] = {
	{"full table, room after deletes", test_full},
	{"full of expired flows", test_full_of_expired},
	{"cuckoo displacement and refusal", test_cuckoo},
	{NULL, NULL},
};

static const struct sl_test_case hash_cases[] = {
	{"distribution", test_hash_distribution},
	{NULL, NULL},
};

static const struct sl_test_case model_cases[] = {
	{"1M random operations against a model", test_model},
	{NULL, NULL},
};

int main(void)
{
	static const struct sl_test_suite suites[] = {
		{"flow", basic_cases},
		{"flow expiry", expiry_cases},
		{"flow capacity", capacity_cases},
		{"flow hash", hash_cases},
		{"flow model", model_cases},
		{NULL, NULL},
	};
	int rc = sl_test_run(suites);
	free(mem);
	return rc;
}
