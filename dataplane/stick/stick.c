/* SPDX-License-Identifier: BSD-3-Clause */
/* Stick tables: see stick.h for the layout, the sharing between lcores and who writes what. */
#include "dataplane/stick/stick.h"

#include <stdlib.h>
#include <string.h>

#define K_VALID (1ull << 63)
#define K_BUSY	(1ull << 62) /* claimed, being initialised: matches nothing, free for nobody */
#define K_VER_SHIFT 32
#define K_VER_MASK  0x3fffffffull
#define ATTEMPTS    8

#define LD(p)	   __atomic_load_n((p), __ATOMIC_RELAXED)
#define ST(p, v)   __atomic_store_n((p), (v), __ATOMIC_RELAXED)
#define ADD(p, v)  __atomic_add_fetch((p), (v), __ATOMIC_RELAXED)
#define SUB(p, v)  __atomic_sub_fetch((p), (v), __ATOMIC_RELAXED)

static const char *const data_names[SL_STK_NDATA] = {
	[SL_STK_SERVER_ID] = "server_id",	  [SL_STK_CONN_CUR] = "conn_cur",
	[SL_STK_CONN_CNT] = "conn_cnt",		  [SL_STK_CONN_RATE] = "conn_rate",
	[SL_STK_HTTP_REQ_CNT] = "http_req_cnt",	  [SL_STK_HTTP_REQ_RATE] = "http_req_rate",
	[SL_STK_GPC0] = "gpc0",			  [SL_STK_GPC0_RATE] = "gpc0_rate",
};

const char *sl_stk_data_name(enum sl_stk_data d)
{
	return (unsigned)d < SL_STK_NDATA ? data_names[d] : NULL;
}

int sl_stk_data_find(const char *name)
{
	for (int i = 0; i < SL_STK_NDATA; i++)
		if (strcmp(data_names[i], name) == 0)
			return i;
	return -1;
}

bool sl_stk_data_is_rate(enum sl_stk_data d)
{
	return d == SL_STK_CONN_RATE || d == SL_STK_HTTP_REQ_RATE || d == SL_STK_GPC0_RATE;
}

struct sl_stk_table *sl_stk_table_new(const struct sl_stk_def *def)
{
	if (def == NULL || def->size == 0)
		return NULL;
	struct sl_stk_table *t = calloc(1, sizeof(*t));
	if (t == NULL)
		return NULL;
	t->def = *def;
	t->nsets = (def->size + SL_STK_WAYS - 1) / SL_STK_WAYS;
	t->e = calloc((size_t)t->nsets * SL_STK_WAYS, sizeof(*t->e));
	if (t->e == NULL) {
		free(t);
		return NULL;
	}
	/* every page touched now, on main: no page fault on a packet lcore when a key is created */
	size_t bytes = (size_t)t->nsets * SL_STK_WAYS * sizeof(*t->e);
	for (size_t off = 0; off < bytes; off += 4096)
		((volatile char *)t->e)[off] = 0;
	return t;
}

void sl_stk_table_free(struct sl_stk_table *t)
{
	if (t == NULL)
		return;
	free(t->e);
	free(t);
}

bool sl_stk_def_same(const struct sl_stk_def *a, const struct sl_stk_def *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

static struct sl_stk_entry *set_of(const struct sl_stk_table *t, uint32_t ip)
{
	uint32_t h = ip; /* murmur3's finaliser: every bit of the address moves the set */
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	uint32_t s = (uint32_t)(((uint64_t)h * t->nsets) >> 32);
	return &t->e[(size_t)s * SL_STK_WAYS];
}

/* Whether entry @e (key word @k, valid) is gone at @now: expired and tracked by nobody. */
static bool gone(const struct sl_stk_table *t, const struct sl_stk_entry *e, uint32_t now)
{
	if (t->def.expire_ms == 0 || LD(&e->use) != 0)
		return false;
	return (int32_t)(LD(&e->exp) - now) <= 0;
}

static uint32_t exp_at(const struct sl_stk_table *t, uint32_t now)
{
	return now + t->def.expire_ms; /* expire 0: the last touch, for the purge order */
}

static uint64_t bump(uint64_t k)
{
	return (((k >> K_VER_SHIFT) + 1) & K_VER_MASK) << K_VER_SHIFT;
}

/* A live entry of @ip in @set other than @self, seen with sequentially consistent loads. */
static int twin(const struct sl_stk_table *t, struct sl_stk_entry *set, uint32_t ip,
		const struct sl_stk_entry *self, uint32_t now)
{
	for (int i = 0; i < SL_STK_WAYS; i++) {
		uint64_t k = __atomic_load_n(&set[i].key, __ATOMIC_SEQ_CST);
		if (&set[i] != self && (k & K_VALID) && (uint32_t)k == ip && !gone(t, &set[i], now))
			return i;
	}
	return -1;
}

bool sl_stk_get(struct sl_stk_table *t, uint32_t ip, uint32_t now, bool create,
		struct sl_stk_ref *r)
{
	struct sl_stk_entry *set = set_of(t, ip);
	for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
		int fr = -1, old = -1;
		int32_t old_left = 0;
		uint64_t frk = 0, oldk = 0;
		for (int i = 0; i < SL_STK_WAYS; i++) {
			struct sl_stk_entry *e = &set[i];
			uint64_t k = __atomic_load_n(&e->key, __ATOMIC_ACQUIRE);
			if (k & K_BUSY)
				continue;
			if (!(k & K_VALID) || gone(t, e, now)) {
				if (fr < 0) {
					fr = i;
					frk = k;
				}
				continue;
			}
			if ((uint32_t)k == ip) {
				ST(&e->exp, exp_at(t, now));
				r->e = e;
				r->key = k;
				return true;
			}
			int32_t left = (int32_t)(LD(&e->exp) - now);
			if (LD(&e->use) == 0 && (old < 0 || left < old_left)) {
				old = i;
				old_left = left;
				oldk = k;
			}
		}
		if (!create)
			return false;
		if (attempt == ATTEMPTS - 1) {
			ADD(&t->races, 1);
			break;
		}
		bool purge = fr < 0;
		int w = purge ? old : fr;
		uint64_t wk = purge ? oldk : frk;
		if (w < 0) {
			ADD(&t->full, 1);
			return false;
		}
		struct sl_stk_entry *e = &set[w];
		uint64_t busy = bump(wk) | K_BUSY;
		if (!__atomic_compare_exchange_n(&e->key, &wk, busy, false, __ATOMIC_ACQ_REL,
						 __ATOMIC_RELAXED))
			continue; /* another lcore took that way: look again */
		if (purge && LD(&e->use) != 0) { /* tracked since we chose it: give it back */
			__atomic_store_n(&e->key, wk, __ATOMIC_RELEASE);
			continue;
		}
		ST(&e->exp, exp_at(t, now));
		ST(&e->server_id, 0);
		ST(&e->conn_cur, 0);
		ST(&e->conn_cnt, 0);
		ST(&e->http_req_cnt, 0);
		ST(&e->gpc0, 0);
		memset(&e->conn_rate, 0, sizeof(e->conn_rate));
		memset(&e->http_req_rate, 0, sizeof(e->http_req_rate));
		memset(&e->gpc0_rate, 0, sizeof(e->gpc0_rate));
		uint64_t nk = (busy & ~K_BUSY) | K_VALID | ip;
		__atomic_store_n(&e->key, nk, __ATOMIC_SEQ_CST);
		if (twin(t, set, ip, e, now) >= 0) {
			/* another lcore created the same key meanwhile: ours goes, look again */
			uint64_t x = nk;
			__atomic_compare_exchange_n(&e->key, &x, bump(nk), false, __ATOMIC_ACQ_REL,
						    __ATOMIC_RELAXED);
			/* both may have seen the other: wait a while that differs by way, so that
			 * the next attempts do not meet again */
			for (volatile unsigned spin = 0; spin < (unsigned)(w + 1) * 16u * (attempt + 1);
			     spin++)
				;
			ADD(&t->races, 1);
			continue;
		}
		ADD(&t->created, 1);
		if (purge)
			ADD(&t->purged, 1);
		r->e = e;
		r->key = nk;
		return true;
	}
	return false;
}

bool sl_stk_ref_ok(const struct sl_stk_ref *r)
{
	return r->e != NULL && __atomic_load_n(&r->e->key, __ATOMIC_ACQUIRE) == r->key;
}

uint32_t sl_stk_server(const struct sl_stk_ref *r)
{
	uint32_t s = LD(&r->e->server_id);
	return sl_stk_ref_ok(r) ? s : 0;
}

uint32_t sl_stk_store_server(const struct sl_stk_ref *r, uint32_t old, uint32_t sid)
{
	uint32_t cur = old;
	if (__atomic_compare_exchange_n(&r->e->server_id, &cur, sid, false, __ATOMIC_RELAXED,
					__ATOMIC_RELAXED))
		return sid;
	return cur; /* another lcore stored first (or replaced the same old server) */
}

void sl_stk_track(struct sl_stk_table *t, const struct sl_stk_ref *r, uint32_t now)
{
	struct sl_stk_entry *e = r->e;
	ADD(&e->use, 1);
	if (!sl_stk_ref_ok(r)) { /* reused between the look-up and now */
		SUB(&e->use, 1);
		return;
	}
	uint32_t st = t->def.store;
	if (st & (1u << SL_STK_CONN_CUR))
		ADD(&e->conn_cur, 1);
	if (st & (1u << SL_STK_CONN_CNT))
		ADD(&e->conn_cnt, 1);
	if (st & (1u << SL_STK_CONN_RATE))
		sl_stk_frq_add(&e->conn_rate, t->def.period[SL_STK_CONN_RATE], now, 1);
	ST(&e->exp, exp_at(t, now));
}

void sl_stk_untrack(const struct sl_stk_ref *r)
{
	struct sl_stk_entry *e = r->e;
	if (e == NULL)
		return;
	if (sl_stk_ref_ok(r)) {
		/* conn_cur is only ever nonzero where stored; never below 0 */
		uint32_t c = LD(&e->conn_cur);
		while (c > 0 && !__atomic_compare_exchange_n(&e->conn_cur, &c, c - 1, true,
							     __ATOMIC_RELAXED, __ATOMIC_RELAXED))
			;
	}
	SUB(&e->use, 1);
}

void sl_stk_http_req(struct sl_stk_table *t, const struct sl_stk_ref *r, uint32_t now)
{
	if (!sl_stk_ref_ok(r))
		return;
	if (t->def.store & (1u << SL_STK_HTTP_REQ_CNT))
		ADD(&r->e->http_req_cnt, 1);
	if (t->def.store & (1u << SL_STK_HTTP_REQ_RATE))
		sl_stk_frq_add(&r->e->http_req_rate, t->def.period[SL_STK_HTTP_REQ_RATE], now, 1);
}

uint64_t sl_stk_inc_gpc0(struct sl_stk_table *t, const struct sl_stk_ref *r, uint32_t now)
{
	if (!sl_stk_ref_ok(r))
		return 0;
	uint64_t v = 0;
	if (t->def.store & (1u << SL_STK_GPC0))
		v = ADD(&r->e->gpc0, 1);
	if (t->def.store & (1u << SL_STK_GPC0_RATE))
		sl_stk_frq_add(&r->e->gpc0_rate, t->def.period[SL_STK_GPC0_RATE], now, 1);
	return v;
}

bool sl_stk_read(const struct sl_stk_table *t, const struct sl_stk_ref *r, enum sl_stk_data d,
		 uint32_t now, uint64_t *v)
{
	if ((unsigned)d >= SL_STK_NDATA ||
	    (d != SL_STK_SERVER_ID && !(t->def.store & (1u << d))))
		return false;
	const struct sl_stk_entry *e = r->e;
	uint32_t p = t->def.period[d];
	switch (d) {
	case SL_STK_SERVER_ID: *v = LD(&e->server_id); break;
	case SL_STK_CONN_CUR: *v = LD(&e->conn_cur); break;
	case SL_STK_CONN_CNT: *v = LD(&e->conn_cnt); break;
	case SL_STK_CONN_RATE: *v = sl_stk_frq_read(&e->conn_rate, p, now); break;
	case SL_STK_HTTP_REQ_CNT: *v = LD(&e->http_req_cnt); break;
	case SL_STK_HTTP_REQ_RATE: *v = sl_stk_frq_read(&e->http_req_rate, p, now); break;
	case SL_STK_GPC0: *v = LD(&e->gpc0); break;
	case SL_STK_GPC0_RATE: *v = sl_stk_frq_read(&e->gpc0_rate, p, now); break;
	default: return false;
	}
	return sl_stk_ref_ok(r); /* a value read from an entry reused meanwhile is not its */
}

/*
 * HAProxy's update_freq_ctr_period(): while @now is in the current period, the count grows;
 * past it, the period turns: the count becomes the previous period's when the current one
 * ended less than a period ago (else both start over), and the new period starts where the
 * old one ended (a period later), or at @now after two periods or more.
 */
void sl_stk_frq_add(struct sl_stk_frq *f, uint32_t period, uint32_t now, uint32_t inc)
{
	if (period == 0)
		period = 1;
	uint64_t w = __atomic_load_n(&f->tc, __ATOMIC_RELAXED);
	for (;;) {
		uint32_t tick = (uint32_t)(w >> 32), curr = (uint32_t)w;
		int32_t d = (int32_t)(now - tick); /* another lcore's clock may be a tick ahead */
		uint32_t el = d < 0 ? 0 : (uint32_t)d;
		if (w != 0 && el < period) {
			if (__atomic_compare_exchange_n(&f->tc, &w, w + inc, true, __ATOMIC_RELAXED,
							__ATOMIC_RELAXED))
				return;
			continue;
		}
		bool far = w == 0 || (uint64_t)el >= 2ull * period;
		uint32_t nt = far ? now : tick + period;
		uint64_t nw = (uint64_t)nt << 32 | inc;
		if (__atomic_compare_exchange_n(&f->tc, &w, nw, true, __ATOMIC_RELEASE,
						__ATOMIC_RELAXED)) {
			ST(&f->prev, far ? 0 : curr);
			return;
		}
	}
}

/*
 * HAProxy's read_freq_ctr_period(): the current period's count plus the previous period's
 * weighted by the part of the current period still to come (a sliding window); a period that
 * ended becomes the previous one, two periods ago nothing is left.
 */
uint32_t sl_stk_frq_read(const struct sl_stk_frq *f, uint32_t period, uint32_t now)
{
	if (period == 0)
		period = 1;
	uint64_t w = __atomic_load_n(&f->tc, __ATOMIC_ACQUIRE);
	if (w == 0)
		return 0;
	uint32_t tick = (uint32_t)(w >> 32), curr = (uint32_t)w, past = LD(&f->prev);
	int32_t d = (int32_t)(now - tick);
	int64_t remain = (int64_t)period - (d < 0 ? 0 : d);
	if (remain < 0) {
		remain += period;
		if (remain < 0)
			return 0;
		past = curr;
		curr = 0;
	}
	return curr + (uint32_t)((uint64_t)past * (uint64_t)remain / period);
}

unsigned sl_stk_walk(const struct sl_stk_table *t, uint32_t now,
		     bool (*fn)(void *arg, const struct sl_stk_entry *e, uint32_t ip), void *arg)
{
	unsigned n = 0;
	size_t all = (size_t)t->nsets * SL_STK_WAYS;
	for (size_t i = 0; i < all; i++) {
		const struct sl_stk_entry *e = &t->e[i];
		uint64_t k = __atomic_load_n(&e->key, __ATOMIC_ACQUIRE);
		if (!(k & K_VALID) || gone(t, e, now))
			continue;
		n++;
		if (fn != NULL && !fn(arg, e, (uint32_t)k))
			break;
	}
	return n;
}

unsigned sl_stk_used(const struct sl_stk_table *t, uint32_t now)
{
	return sl_stk_walk(t, now, NULL, NULL);
}

unsigned sl_stk_clear(struct sl_stk_table *t, bool all, uint32_t ip)
{
	unsigned n = 0;
	struct sl_stk_entry *from = all ? t->e : set_of(t, ip);
	size_t cnt = all ? (size_t)t->nsets * SL_STK_WAYS : SL_STK_WAYS;
	for (size_t i = 0; i < cnt; i++) {
		struct sl_stk_entry *e = &from[i];
		uint64_t k = __atomic_load_n(&e->key, __ATOMIC_ACQUIRE);
		if (!(k & K_VALID) || (!all && (uint32_t)k != ip) || LD(&e->use) != 0)
			continue;
		if (__atomic_compare_exchange_n(&e->key, &k, bump(k), false, __ATOMIC_ACQ_REL,
						__ATOMIC_RELAXED))
			n++;
	}
	return n;
}
