/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The server picker of both engines. The contract is in pick.h.
 */
#include "dataplane/balance/pick.h"

#include "dataplane/balance/maglev.h"

/* Slot @gidx's count on lcore array @a (another lcore's: a relaxed load, see pick.h). */
static inline uint32_t load(const uint32_t *a, uint16_t gidx)
{
	return __atomic_load_n(&a[gidx], __ATOMIC_RELAXED);
}

/* The counts a pick reads, resolved once per pick (struct sl_pick_counts): one array (one lcore,
 * or shares: the calling lcore's own), or the @n arrays to sum. */
struct view {
	const uint32_t *one;       /* the one array, or NULL */
	const uint32_t *const *lc; /* else the arrays to sum (NULL with one NULL: no counts) */
	unsigned n;
	unsigned share;            /* shares: the number of lcores (own * share < maxconn), else 0 */
};

static inline struct view view_of(const struct sl_pick_counts *c)
{
	struct view v = {0};
	unsigned n = c->n > 0 ? c->n : 1;
	if (c->lc == NULL)
		return v;
	if (n > SL_PICK_EXACT_MAX) {
		v.one = c->lc[c->self];
		v.share = n;
	} else if (n == 1) {
		v.one = c->lc[0];
	} else {
		v.lc = c->lc;
		v.n = n;
	}
	return v;
}

/* The count leastconn compares and maxconn limits: the sum over the lcores, or (shares) the
 * calling lcore's own. */
static inline uint32_t count(const struct view *v, uint16_t gidx)
{
	if (v->one != NULL)
		return load(v->one, gidx);
	uint32_t sum = 0;
	for (unsigned i = 0; i < v->n; i++)
		sum += load(v->lc[i], gidx);
	return sum;
}

static inline bool has_slot(const struct sl_bal_server *s, const struct view *v)
{
	if (s->maxconn == 0)
		return true;
	/* shares: own < ceil(maxconn / n)  <=>  own * n < maxconn: no division */
	uint64_t a = count(v, s->gidx);
	return (v->share > 0 ? a * v->share : a) < s->maxconn;
}

static inline bool avoided(const struct sl_pick_in *in, uint16_t gidx)
{
	for (unsigned i = 0; i < in->navoid; i++)
		if (in->avoid[i] == gidx)
			return true;
	return false;
}

/* The schedule from the cursor: the first entry with a slot that is not avoided. */
static enum sl_pick_res pick_sched(const struct sl_bal_backend *b, struct sl_pick_cursor *cur,
				   const struct sl_pick_in *in, const struct view *cv, uint16_t *srv)
{
	uint32_t n = b->nsched;
	uint32_t i = (uint32_t)(cur->rr < n ? cur->rr : cur->rr % n);
	int fallback = -1; /* the first avoided server with a slot */
	uint32_t fallback_next = 0;
	for (uint32_t k = 0; k < n; k++) {
		uint16_t s = b->sched[i];
		i = i + 1 == n ? 0 : i + 1;
		if (!has_slot(&b->servers[s], cv))
			continue;
		if (in->navoid > 0 && avoided(in, b->servers[s].gidx)) {
			if (fallback < 0) {
				fallback = s;
				fallback_next = i;
			}
			continue;
		}
		cur->rr = i;
		*srv = s;
		return SL_PICK_OK;
	}
	if (fallback < 0)
		return SL_PICK_FULL;
	cur->rr = fallback_next;
	*srv = (uint16_t)fallback;
	return SL_PICK_OK;
}

/* The least loaded of the servers offered to it: active connections per unit of weight. */
struct least {
	int s; /* the best so far, or -1 */
	uint64_t act, w;
};

static inline void least_offer(struct least *l, const struct view *cv, const struct sl_bal_server *v,
			       uint16_t s)
{
	/* act / w < l->act / l->w, without a division (weights in rotation are > 0) */
	uint64_t act = count(cv, v->gidx);
	if (l->s < 0 || act * l->w < l->act * v->weight) {
		l->s = s;
		l->act = act;
		l->w = v->weight;
	}
}

/* The least loaded server in rotation, scanned from the cursor so that equals alternate. */
static enum sl_pick_res pick_leastconn(const struct sl_bal_backend *b, struct sl_pick_cursor *cur,
				       const struct sl_pick_in *in, const struct view *cv,
				       uint16_t *srv)
{
	unsigned n = b->nrot;
	unsigned k = (unsigned)(cur->rr % n);
	int fallback = -1;
	struct least l = {-1, 0, 1};
	for (unsigned seen = 0; seen < n; seen++) {
		uint16_t s = b->rot[k];
		k = k + 1 == n ? 0 : k + 1;
		const struct sl_bal_server *v = &b->servers[s];
		if (!has_slot(v, cv))
			continue;
		if (in->navoid > 0 && avoided(in, v->gidx)) {
			if (fallback < 0)
				fallback = s;
			continue;
		}
		least_offer(&l, cv, v, s);
	}
	int best = l.s;
	if (best < 0)
		best = fallback;
	if (best < 0)
		return SL_PICK_FULL;
	cur->rr++;
	*srv = (uint16_t)best;
	return SL_PICK_OK;
}

/* The first server in rotation with a slot. */
static enum sl_pick_res pick_first(const struct sl_bal_backend *b, const struct sl_pick_in *in,
				   const struct view *cv, uint16_t *srv)
{
	int fallback = -1;
	for (unsigned k = 0; k < b->nrot; k++) {
		uint16_t s = b->rot[k];
		if (!has_slot(&b->servers[s], cv))
			continue;
		if (in->navoid > 0 && avoided(in, b->servers[s].gidx)) {
			if (fallback < 0)
				fallback = s;
			continue;
		}
		*srv = s;
		return SL_PICK_OK;
	}
	if (fallback < 0)
		return SL_PICK_FULL;
	*srv = (uint16_t)fallback;
	return SL_PICK_OK;
}

/* The server Maglev names for @hash; an avoided one gives way to the next in rotation. */
static enum sl_pick_res pick_hash(const struct sl_bal_backend *b, const struct sl_pick_in *in,
				  const struct view *cv, uint32_t hash, uint16_t *srv)
{
	uint16_t s = sl_maglev_lookup(b->maglev, hash);
	if (s == SL_MAGLEV_NONE)
		return SL_PICK_NONE;
	if (in->navoid > 0 && avoided(in, b->servers[s].gidx)) {
		unsigned k = 0;
		while (k < b->nrot && b->rot[k] != s) /* Maglev names only servers in rotation */
			k++;
		for (unsigned step = 1; step < b->nrot; step++) {
			uint16_t t = b->rot[(k + step) % b->nrot];
			if (!avoided(in, b->servers[t].gidx)) {
				s = t;
				break;
			}
		}
	}
	if (!has_slot(&b->servers[s], cv))
		return SL_PICK_FULL;
	*srv = s;
	return SL_PICK_OK;
}

/* splitmix64: a full-period generator on any 64-bit state (the cursor), mixed in every bit. */
static inline uint64_t next_rand(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/*
 * balance random(N), HAProxy's get_server_rnd(): N draws of Maglev (weighted, as HAProxy's
 * consistent hash) for random keys, the least loaded of them (active per unit of weight) kept.
 * Draws without a free slot or avoided are passed over; when every draw is, the least loaded
 * server in rotation with a slot is taken (FULL when none has one).
 */
static enum sl_pick_res pick_random(const struct sl_bal_backend *b, struct sl_pick_cursor *cur,
				    const struct sl_pick_in *in, const struct view *cv,
				    uint16_t *srv)
{
	struct least l = {-1, 0, 1};
	unsigned draws = b->draws > 0 ? b->draws : 2;
	for (unsigned d = 0; d < draws; d++) {
		uint64_t r = next_rand(&cur->rr) ^ in->hash5;
		uint16_t s = sl_maglev_lookup(b->maglev, (uint32_t)(r ^ (r >> 32)));
		if (s == SL_MAGLEV_NONE)
			return SL_PICK_NONE;
		const struct sl_bal_server *v = &b->servers[s];
		if (!has_slot(v, cv) || (in->navoid > 0 && avoided(in, v->gidx)))
			continue;
		least_offer(&l, cv, v, s);
	}
	if (l.s >= 0) {
		*srv = (uint16_t)l.s;
		return SL_PICK_OK;
	}
	return pick_leastconn(b, cur, in, cv, srv);
}

enum sl_pick_res sl_pick_server(const struct sl_bal_backend *b, struct sl_pick_cursor *cur,
				const struct sl_pick_in *in, uint16_t *srv)
{
	if (b->nrot == 0)
		return SL_PICK_NONE;
	const struct view cv = view_of(&in->active);
	switch (b->balance) {
	case SL_BAL_ALGO_ROUNDROBIN:
	case SL_BAL_ALGO_STATIC_RR:
		return pick_sched(b, cur, in, &cv, srv);
	case SL_BAL_ALGO_LEASTCONN:
		return pick_leastconn(b, cur, in, &cv, srv);
	case SL_BAL_ALGO_FIRST:
		return pick_first(b, in, &cv, srv);
	case SL_BAL_ALGO_SOURCE:
		return pick_hash(b, in, &cv, in->hash_src, srv);
	case SL_BAL_ALGO_URI:
		return pick_hash(b, in, &cv, in->hash_uri, srv);
	case SL_BAL_ALGO_RANDOM:
		return pick_random(b, cur, in, &cv, srv);
	case SL_BAL_ALGO_HDR: /* HAProxy: without the header, roundrobin */
		return in->no_hash ? pick_sched(b, cur, in, &cv, srv) :
				     pick_hash(b, in, &cv, in->hash_uri, srv);
	default:
		return pick_hash(b, in, &cv, in->hash5, srv);
	}
}

bool sl_pick_has_slot(const struct sl_bal_server *s, const struct sl_pick_counts *c)
{
	const struct view v = view_of(c);
	return has_slot(s, &v);
}

uint32_t sl_pick_count(const struct sl_pick_counts *c, uint16_t gidx)
{
	const struct view v = view_of(c);
	return count(&v, gidx);
}

uint32_t sl_pick_hash_uri(const char *uri, size_t len, unsigned max_len, unsigned depth, bool whole)
{
	if (max_len > 0 && len > max_len)
		len = max_len;
	uint32_t h = 2166136261u; /* FNV-1a 32: a spread, not secrecy (an attacker only moves his
				   * own requests) */
	unsigned slashes = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)uri[i];
		if (c == '/' && depth > 0 && ++slashes > depth)
			break;
		if (c == '?' && !whole)
			break;
		h = (h ^ c) * 16777619u;
	}
	/* FNV's last bytes barely reach the high bits: finish with an avalanche (xor-shift /
	 * multiply, the constants of Murmur3's fmix32) */
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	return h ^ (h >> 16);
}
