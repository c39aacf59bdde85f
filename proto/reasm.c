/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv4 reassembly bookkeeping: see reasm.h. The slots are searched linearly (tables are small:
 * a few dozen datagrams per lcore) and the arrived ranges of a datagram are a short array.
 */
#include "proto/reasm.h"

#include <stdlib.h>
#include <string.h>

struct range {
	uint32_t lo, hi; /* [lo, hi) */
};

struct slot {
	bool used;
	struct sl_reasm_key k;
	uint64_t born, deadline;
	uint32_t total; /* payload length, known once the last fragment came (0 before) */
	uint32_t got;	/* bytes received */
	uint8_t n;
	struct range r[SL_REASM_MAX_FRAGS];
};

struct sl_reasm {
	unsigned nslots;
	uint32_t max_len;
	uint64_t timeout;
	struct sl_reasm_stats s;
	struct slot slots[];
};

struct sl_reasm *sl_reasm_create(unsigned nslots, uint32_t max_len, uint64_t timeout_us)
{
	if (nslots == 0)
		return NULL;
	struct sl_reasm *r = calloc(1, sizeof(*r) + (size_t)nslots * sizeof(struct slot));
	if (r == NULL)
		return NULL;
	r->nslots = nslots;
	r->max_len = max_len;
	r->timeout = timeout_us;
	return r;
}

void sl_reasm_destroy(struct sl_reasm *r)
{
	free(r);
}

static bool same(const struct sl_reasm_key *a, const struct sl_reasm_key *b)
{
	return a->src == b->src && a->dst == b->dst && a->id == b->id && a->proto == b->proto;
}

static void drop(struct sl_reasm *r, struct slot *s)
{
	s->used = false;
	r->s.in_use--;
}

/* The slot of @k, or NULL. */
static struct slot *lookup(struct sl_reasm *r, const struct sl_reasm_key *k)
{
	for (unsigned i = 0; i < r->nslots; i++)
		if (r->slots[i].used && same(&r->slots[i].k, k))
			return &r->slots[i];
	return NULL;
}

/* A new slot for @k: a free one, else the oldest datagram's. */
static struct slot *take(struct sl_reasm *r, const struct sl_reasm_key *k, uint64_t now)
{
	struct slot *s = NULL;
	for (unsigned i = 0; i < r->nslots && (s == NULL || s->used); i++)
		if (!r->slots[i].used || s == NULL || r->slots[i].born < s->born)
			s = &r->slots[i];
	if (s->used)
		r->s.evicted++;
	else
		r->s.in_use++;
	memset(s, 0, sizeof(*s));
	s->used = true;
	s->k = *k;
	s->born = now;
	s->deadline = now + r->timeout;
	return s;
}

int sl_reasm_add(struct sl_reasm *r, const struct sl_reasm_key *k, uint32_t off, uint32_t len,
		 bool mf, uint64_t now, unsigned *slot, uint32_t *total, bool *evicted)
{
	struct slot *s = lookup(r, k);
	*evicted = false;
	if (len == 0 || (mf && len % 8 != 0) || off % 8 != 0) {
		r->s.bad++;
		return SL_REASM_ERR_BAD;
	}
	uint32_t end = off + len;
	if (end > r->max_len) {
		r->s.toobig++;
		if (s != NULL)
			drop(r, s);
		return SL_REASM_ERR_TOOBIG;
	}
	if (s != NULL) {
		if (s->total != 0 && (end > s->total || (!mf && end != s->total))) {
			r->s.bad++;
			return SL_REASM_ERR_BAD;
		}
		for (unsigned i = 0; i < s->n; i++) {
			if (off < s->r[i].hi && s->r[i].lo < end) {
				r->s.overlap++;
				drop(r, s);
				return SL_REASM_ERR_OVERLAP;
			}
			if (!mf && s->r[i].hi > end) { /* a last fragment before what came */
				r->s.bad++;
				return SL_REASM_ERR_BAD;
			}
		}
		if (s->n == SL_REASM_MAX_FRAGS) {
			r->s.toomany++;
			drop(r, s);
			return SL_REASM_ERR_TOOMANY;
		}
	} else {
		uint64_t before = r->s.evicted;
		s = take(r, k, now);
		*evicted = r->s.evicted != before;
	}
	s->r[s->n++] = (struct range){off, end};
	s->got += len;
	if (!mf)
		s->total = end;
	*slot = (unsigned)(s - r->slots);
	if (s->total != 0 && s->got == s->total) {
		*total = s->total;
		r->s.done++;
		drop(r, s);
		return SL_REASM_DONE;
	}
	return SL_REASM_MORE;
}

unsigned sl_reasm_expire(struct sl_reasm *r, uint64_t now)
{
	unsigned n = 0;
	if (r->s.in_use == 0)
		return 0;
	for (unsigned i = 0; i < r->nslots; i++) {
		struct slot *s = &r->slots[i];
		if (s->used && s->deadline <= now) {
			drop(r, s);
			n++;
		}
	}
	r->s.expired += n;
	return n;
}

void sl_reasm_stats(const struct sl_reasm *r, struct sl_reasm_stats *out)
{
	*out = r->s;
}
