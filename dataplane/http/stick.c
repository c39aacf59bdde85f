/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stick counters of the HTTP engine: `http-request track-sc0|1|2 src [table NAME]` and the
 * sc_*, scN_*, src_* fetches over the tables of the running generation (dataplane/stick/stick.h:
 * one table shared by every proxy lcore, so a client's rate counts all its connections, whichever
 * lcore RSS gave them). As HAProxy: the first track-scN of a request wins; tracking counts the
 * connection (conn_cur, conn_cnt, conn_rate) and the request (http_req_cnt, http_req_rate); it
 * ends with the request (here: when the connection's next request starts, or the connection
 * ends). Proxy lcores only.
 */
#include <string.h>

#include "controlplane/cfg/cfg.h"
#include "dataplane/core/dp.h"
#include "dataplane/core/gen.h"
#include "dataplane/core/lcore.h"
#include "dataplane/http/http_int.h"

static const struct sl_gen *gen_of(const struct hx_sess *s)
{
	return __atomic_load_n(&s->hx->dp->gen, __ATOMIC_ACQUIRE);
}

/* Whether @t is a table of the running generation (then it lives until this lcore's next
 * quiescent state; a table a reload dropped may be freed already). */
static bool live(const struct sl_gen *g, const struct sl_stk_table *t)
{
	for (unsigned i = 0; g != NULL && i < g->nstk; i++)
		if (g->stk[i].t == t)
			return true;
	return false;
}

static uint32_t now32(const struct hx_sess *s)
{
	return (uint32_t)s->hx->lc->now_ms;
}

static void track(void *arg, int sc, const char *table)
{
	struct hx_sess *s = arg;
	if (sc < 0 || sc > 2 || s->trk[sc].t != NULL)
		return; /* HAProxy: an already tracked counter stays as it is */
	struct sl_stk_table *t = sl_gen_table(gen_of(s), table);
	struct sl_stk_ref r;
	if (t == NULL || !sl_stk_get(t, s->cip, now32(s), true, &r))
		return;
	sl_stk_track(t, &r, now32(s));
	sl_stk_http_req(t, &r, now32(s));
	s->trk[sc].t = t;
	s->trk[sc].r = r;
}

static bool fetch(void *arg, const struct sl_acl_stk *k, int64_t *v)
{
	struct hx_sess *s = arg;
	const struct sl_gen *g = gen_of(s);
	struct sl_stk_table *t = NULL;
	struct sl_stk_ref r;
	if (k->sc >= 0 && k->sc <= 2 && s->trk[k->sc].t != NULL && live(g, s->trk[k->sc].t)) {
		t = s->trk[k->sc].t;
		r = s->trk[k->sc].r;
		if (k->table != NULL) { /* the tracked key, in another table */
			t = sl_gen_table(g, k->table);
			if (t == NULL || !sl_stk_get(t, s->cip, now32(s), k->inc, &r))
				return false;
		}
	} else if (k->sc < 0 && k->table != NULL) { /* src_*: the client's address */
		t = sl_gen_table(g, k->table);
		if (t == NULL || !sl_stk_get(t, s->cip, now32(s), k->inc, &r))
			return false;
	} else {
		return false; /* nothing tracked: no sample */
	}
	uint64_t x;
	if (k->inc) {
		if (!(t->def.store & (1u << SL_STK_GPC0 | 1u << SL_STK_GPC0_RATE)))
			return false;
		sl_stk_inc_gpc0(t, &r, now32(s));
	}
	if (!sl_stk_read(t, &r, (enum sl_stk_data)k->data, now32(s), &x))
		return false;
	*v = (int64_t)x;
	return true;
}

void hx_stk_ops(struct hx_sess *s, struct sl_acl_stk_ops *ops)
{
	ops->fetch = fetch;
	ops->track = track;
	ops->arg = s;
}

void hx_stk_untrack(struct hx_sess *s)
{
	const struct sl_gen *g = NULL;
	for (int i = 0; i < 3; i++) {
		if (s->trk[i].t == NULL)
			continue;
		if (g == NULL)
			g = gen_of(s);
		if (live(g, s->trk[i].t))
			sl_stk_untrack(&s->trk[i].r);
		s->trk[i].t = NULL;
	}
}
