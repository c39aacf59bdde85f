/* SPDX-License-Identifier: BSD-3-Clause */
#include "dataplane/core/gen.h"

#include <string.h>

const struct sl_bal_backend *sl_gen_backend(const struct sl_gen *g, const char *name, int16_t *idx)
{
	/* the generation's names point into its configuration: the same pointer, except for
	 * the moment between a reload's publish and an lcore following it (then by name) */
	for (unsigned i = 0; g != NULL && i < g->nbackends; i++)
		if (g->backends[i].name == name) {
			*idx = (int16_t)i;
			return &g->backends[i];
		}
	for (unsigned i = 0; g != NULL && i < g->nbackends; i++)
		if (strcmp(g->backends[i].name, name) == 0) {
			*idx = (int16_t)i;
			return &g->backends[i];
		}
	return NULL;
}

int sl_gen_find_server(const struct sl_gen *g, const char *be, const char *srv)
{
	int16_t bi;
	const struct sl_bal_backend *b = sl_gen_backend(g, be, &bi);
	for (unsigned i = 0; b != NULL && i < b->nservers; i++)
		if (strcmp(b->servers[i].name, srv) == 0)
			return b->servers[i].gidx;
	return -1;
}

struct sl_stk_table *sl_gen_table(const struct sl_gen *g, const char *name)
{
	for (unsigned i = 0; g != NULL && i < g->nstk; i++)
		if (g->stk[i].name == name || strcmp(g->stk[i].name, name) == 0)
			return g->stk[i].t;
	return NULL;
}

int sl_gen_stick_match(const struct sl_gen *g, int bi, const struct sl_bal_backend *b, uint32_t ip,
		       uint32_t now, struct sl_stk_ref *r)
{
	r->e = NULL;
	if (g->be_stick == NULL || bi < 0 || (unsigned)bi >= g->nbackends)
		return -1;
	const struct sl_gen_stick *st = &g->be_stick[bi];
	if (st->t == NULL || !sl_stk_get(st->t, ip, now, st->store, r)) {
		r->e = NULL;
		return -1;
	}
	uint32_t sid = st->match ? sl_stk_server(r) : 0;
	if (sid == 0 || sid > b->nservers || !b->servers[sid - 1].usable)
		return -1; /* HAProxy: a server that is down is ignored (and replaced by the store) */
	return (int)sid - 1;
}

int sl_gen_stick_store(const struct sl_gen *g, int bi, const struct sl_bal_backend *b,
		       struct sl_stk_ref *r, int si)
{
	if (r->e == NULL || !g->be_stick[bi].store)
		return si;
	bool match = g->be_stick[bi].match;
	uint32_t old = sl_stk_server(r);
	uint32_t want = (uint32_t)si + 1;
	if (old == want)
		return si;
	if (match && old != 0 && old <= b->nservers && b->servers[old - 1].usable)
		return (int)old - 1; /* another lcore stored a usable server first: that one */
	uint32_t got = sl_stk_store_server(r, old, want);
	if (match && got != want && got != 0 && got <= b->nservers && b->servers[got - 1].usable)
		return (int)got - 1;
	return si; /* store-request alone: the server used is stored, as HAProxy */
}
