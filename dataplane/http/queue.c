/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The server of an HTTP request, on the proxy lcore: the one a persistence cookie names while it
 * is usable, a retry's, else the backend's balance algorithm over the servers in rotation with
 * a free slot (each server's maxconn counts the connections of every proxy lcore); when every
 * usable server is full the request waits in the lcore's FIFO for a slot, under `timeout queue`,
 * served when a slot frees on this lcore (hx_q_kick) or on another (hx_q_recheck).
 */
#include <string.h>

#include "controlplane/cfg/cfg-t.h"
#include "dataplane/balance/maglev.h"
#include "dataplane/balance/pick.h"
#include "dataplane/core/gen.h"
#include "dataplane/core/lcore.h"
#include "dataplane/http/http_int.h"

#define RECHECK_STUCK 64 /* queued sessions hx_q_recheck() tries in vain before it stops */

/* The server connection of a transaction ended: its slot (maxconn, leastconn) frees. */
void hx_srv_slot_put(struct sl_lcore *lc, uint16_t gidx)
{
	sl_pick_count_sub(lc->srv_active, gidx);
	__atomic_store_n(&lc->slots_freed, lc->slots_freed + 1, __ATOMIC_RELAXED);
	lc->srv[gidx].ended++;
}

void hx_q_remove(struct hx_sess *s)
{
	struct sl_http *hx = s->hx;
	if (s->srv_st != SRV_QUEUED)
		return;
	if (s->q_prev != NULL)
		s->q_prev->q_next = s->q_next;
	else
		hx->q_head = s->q_next;
	if (s->q_next != NULL)
		s->q_next->q_prev = s->q_prev;
	else
		hx->q_tail = s->q_prev;
	s->q_prev = s->q_next = NULL;
	s->srv_st = SRV_NONE;
	hx->nqueued--;
	struct sl_hx_pxctr *b = hx_pxc(s, s->be);
	if (b != NULL)
		b->qcur--;
}

void hx_q_append(struct hx_sess *s)
{
	struct sl_http *hx = s->hx;
	s->q_prev = hx->q_tail;
	s->q_next = NULL;
	if (hx->q_tail != NULL)
		hx->q_tail->q_next = s;
	else
		hx->q_head = s;
	hx->q_tail = s;
	s->srv_st = SRV_QUEUED;
	hx->nqueued++;
	hx->queued_total++;
	struct sl_hx_pxctr *b = hx_pxc(s, s->be);
	if (b != NULL)
		b->qcur++;
}

/* A server slot freed: the oldest waiting session that can use a server gets one. */
void hx_q_kick(struct sl_http *hx)
{
	for (struct hx_sess *s = hx->q_head, *next; s != NULL; s = next) {
		next = s->q_next;
		hx_dispatch(s); /* leaves it in its place when its server is still full */
		if (s->srv_st != SRV_QUEUED)
			return; /* served (or answered): one slot, one session */
	}
}

/*
 * A slot freed on another proxy lcore: maxconn counts the connections of every proxy lcore, but
 * no lcore tells another that one of its connections ended (the counts are each lcore's own,
 * pick.h). So once a millisecond while its queue is not empty (http_tick) this lcore sums the
 * proxy lcores' slots_freed (each one's own counter) and looks at the published generation (a
 * reload, a server back in rotation may make room): when either changed since it last looked,
 * each queued session, oldest first, tries for a server again (those still without one keep
 * their place), until as many were served as slots were freed. A request thus waits about a
 * millisecond more for a slot another lcore frees. Cost when nothing changed: one load per proxy
 * lcore.
 */
void hx_q_recheck(struct sl_http *hx)
{
	if (hx->q_head == NULL)
		return;
	const struct sl_dp *dp = hx->dp;
	uint64_t freed = 0;
	for (unsigned i = 0; i < dp->nproxies; i++)
		freed += __atomic_load_n(&dp->lcores[dp->proxy_ids[i]]->slots_freed,
					 __ATOMIC_RELAXED);
	const struct sl_gen *g = __atomic_load_n(&dp->gen, __ATOMIC_ACQUIRE);
	if (freed == hx->q_seen_freed && g == hx->q_seen_gen)
		return;
	/* a new generation may make room anywhere: every session tries; otherwise no more
	 * sessions can be served than slots were freed, and at most RECHECK_STUCK that stay
	 * queued are parsed again per millisecond (a long queue behind full servers) */
	bool newgen = g != hx->q_seen_gen;
	uint64_t slots = newgen ? UINT64_MAX : freed - hx->q_seen_freed;
	unsigned stuck = 0;
	hx->q_seen_freed = freed;
	hx->q_seen_gen = g;
	for (struct hx_sess *s = hx->q_head, *next; s != NULL && slots > 0; s = next) {
		next = s->q_next;
		hx_dispatch(s); /* leaves it in its place when its server is still full */
		if (s->srv_st != SRV_QUEUED)
			slots--;
		else if (++stuck == RECHECK_STUCK && !newgen)
			break;
	}
}

/*
 * balance hdr(NAME): the hash of the first element of the NAME fields (HAProxy's
 * get_server_hh()), with use_domain_only of the label before the last dot only; no such field
 * or an empty value: roundrobin (in->no_hash).
 */
static void hdr_hash(const struct sl_proxy *be, const struct sl_http1_hdr *h, size_t n,
		     struct sl_pick_in *in)
{
	const char *v = NULL;
	size_t vl = 0;
	size_t nl = strlen(be->bal_hdr);
	for (size_t i = 0; i < n && v == NULL; i++)
		if (sl_http1_ieq(h[i].name, h[i].name_len, be->bal_hdr) && h[i].name_len == nl) {
			v = h[i].value;
			vl = h[i].value_len;
			const char *comma = memchr(v, ',', vl);
			if (comma != NULL)
				vl = (size_t)(comma - v);
			while (vl > 0 && (v[vl - 1] == ' ' || v[vl - 1] == '\t'))
				vl--;
		}
	if (v == NULL || vl == 0) {
		in->no_hash = true;
		return;
	}
	if (be->bal_hdr_domain) {
		/* from the end: the last dot ends the domain, the dot before it starts it */
		const char *end = v + vl, *p = end;
		while (p > v && p[-1] != '.')
			p--;
		if (p > v) {
			end = p - 1;
			p = end;
			while (p > v && p[-1] != '.')
				p--;
		}
		vl = (size_t)(end - p);
		v = p;
	}
	in->hash_uri = sl_pick_hash_uri(v, vl, 0, 0, true);
}

/*
 * Picks the server for this request (dataplane/balance/pick.c, shared with the L4 engine): a
 * retry's server while it may take the request; the one the persistence cookie names while it
 * is usable (HAProxy: otherwise the cookie is ignored and the request balanced; a usable one
 * without a free slot makes the request wait for it); else the backend's balance algorithm over
 * the servers in rotation that have a free slot (maxconn of the whole process),
 * leaving out the server a redispatch avoids. Returns PICK_OK (server copied into the session),
 * PICK_NONE (no usable server: 503) or PICK_QUEUE (usable servers, all at maxconn: wait).
 */
enum hx_pick hx_pick_server(struct hx_sess *s, const char *ck, size_t ck_len,
			    const struct sl_http1_req *req, const struct sl_http1_hdr *h, size_t n)
{
	struct sl_http *hx = s->hx;
	struct sl_lcore *lc = hx->lc;
	/* the connections of every proxy lcore (pick.h): maxconn is the process's */
	const struct sl_pick_counts act = {
		.lc = hx->dp->proxy_active, .n = hx->dp->nproxies, .self = lc->proxy_idx};
	const struct sl_gen *c = __atomic_load_n(&hx->dp->gen, __ATOMIC_ACQUIRE);
	int16_t bi = -1;
	const struct sl_bal_backend *b = sl_gen_backend(c, s->be->name, &bi);
	if (b == NULL)
		return PICK_NONE;
	int si = -1;
	s->t.direct = false;
	if (s->t.same_gidx >= 0) { /* a retry: the same server while it may take the request */
		int i = sl_bal_backend_find_gidx(b, (uint16_t)s->t.same_gidx);
		if (i >= 0 && b->servers[i].usable &&
		    sl_pick_has_slot(&b->servers[i], &act))
			si = i;
		s->t.same_gidx = -1;
		if (si >= 0)
			ck = NULL;
	}
	if (ck != NULL) {
		int i = sl_bal_backend_find_cookie(b, ck, ck_len);
		if (i >= 0 && b->servers[i].usable) {
			if (!sl_pick_has_slot(&b->servers[i], &act))
				return PICK_QUEUE; /* persistence waits for its server */
			si = i;
			s->t.direct = true; /* the client's cookie chose this server */
		}
	}
	/* `stick on src` (HAProxy: after the cookie, before the balance): a known client goes to
	 * its server while it is usable; the table is shared by the proxy lcores */
	struct sl_stk_ref sr = {0};
	bool stick = si < 0 && s->t.avoid_gidx < 0;
	if (stick) {
		int k = sl_gen_stick_match(c, bi, b, s->cip, (uint32_t)lc->now_ms, &sr);
		if (k >= 0) {
			if (!sl_pick_has_slot(&b->servers[k], &act))
				return PICK_QUEUE; /* persistence waits for its server */
			si = k;
			lc->ctr->c[SL_CTR_STICK_HITS]++;
		}
	}
	if (si < 0) {
		uint16_t avoid = (uint16_t)s->t.avoid_gidx;
		struct sl_pick_in in = {
			.active = act,
			.hash_src = sl_flow_hash_src(s->cip),
			.hash5 = sl_flow_hash_src(s->cip ^ ((uint32_t)s->cport << 16)),
			.avoid = s->t.avoid_gidx >= 0 ? &avoid : NULL,
			.navoid = s->t.avoid_gidx >= 0 ? 1 : 0};
		if (b->balance == SL_BAL_ALGO_HDR)
			hdr_hash(s->be, h, n, &in); /* no request (proxied TCP): roundrobin */
		if (b->balance == SL_BAL_ALGO_URI && req != NULL)
			in.hash_uri = sl_pick_hash_uri(req->path,
						       req->path_len +
							       (req->has_query ? req->query_len + 1 : 0),
						       (unsigned)s->be->uri_len, (unsigned)s->be->uri_depth,
						       s->be->uri_whole);
		uint16_t k;
		enum sl_pick_res r = sl_pick_server(b, &lc->cursor[b->id], &in, &k);
		if (r != SL_PICK_OK)
			return r == SL_PICK_FULL ? PICK_QUEUE : PICK_NONE;
		si = k;
		if (stick)
			si = sl_gen_stick_store(c, bi, b, &sr, si);
	}
	const struct sl_bal_server *v = &b->servers[si];
	s->be_idx = bi;
	s->srv_idx = (int16_t)si;
	s->srv_ip = v->ip;
	s->srv_src = v->src;
	s->srv_port = v->port != 0 ? v->port : s->vport;
	s->srv_gidx = v->gidx;
	s->srv_cookie = v->cookie;
	s->srv_tctx = v->tls != NULL ? v->tls[lc->proxy_idx] : NULL;
	s->srv_tlsp = v->tlsp;
	s->srv_pp = v->send_proxy;
	s->srv_pp_opts = v->pp_opts;
	sl_pick_count_add(hx->lc->srv_active, v->gidx);
	hx->lc->srv[v->gidx].stot++;
	hx->lc->srv[v->gidx].last_ms = hx->lc->now_ms;
	s->t.t_pick = hx->lc->now_ms;
	hx_alog_server(s, v->name);
	return PICK_OK;
}

