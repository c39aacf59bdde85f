/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The server of an HTTP request, on the proxy lcore: the one a persistence cookie names while it
 * is usable, a retry's, else the backend's balance algorithm over the servers in rotation with
 * a free slot (each server's maxconn shared out among the proxy lcores); when every usable
 * server is full the request waits in the lcore's FIFO for a slot, under `timeout queue`.
 */
#include <string.h>

#include "controlplane/cfg/cfg-t.h"
#include "dataplane/balance/maglev.h"
#include "dataplane/core/gen.h"
#include "dataplane/core/lcore.h"
#include "dataplane/http/http_int.h"

/* The server connection of a transaction ended: its slot (maxconn, leastconn) frees. */
void hx_srv_slot_put(struct sl_lcore *lc, uint16_t gidx)
{
	if (lc->srv_active[gidx] > 0)
		lc->srv_active[gidx]--;
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

static uint32_t hash_bytes(const char *p, size_t n)
{
	uint32_t h = 2166136261u; /* FNV-1a: balance uri only needs a spread, not secrecy */
	for (size_t i = 0; i < n; i++)
		h = (h ^ (uint8_t)p[i]) * 16777619u;
	return h;
}

/* Whether server @v has a free slot on this lcore (its maxconn shared out among the proxy
 * lcores, rounded up). */
static bool has_slot(const struct sl_http *hx, const struct sl_l4_server *v)
{
	if (v->maxconn == 0)
		return true;
	uint32_t share = (v->maxconn + hx->dp->nproxies - 1) / hx->dp->nproxies;
	return hx->lc->srv_active[v->gidx] < share;
}

/*
 * Picks the server for this request: the one the persistence cookie names while it is usable
 * (HAProxy: otherwise the cookie is ignored and the request balanced), else by the backend's
 * balance algorithm over the servers in rotation that have a free slot (maxconn). Returns
 * PICK_OK (server copied into the session), PICK_NONE (no usable server: 503) or PICK_QUEUE
 * (usable servers, all at maxconn: wait for a slot).
 */
enum hx_pick hx_pick_server(struct hx_sess *s, const char *ck, size_t ck_len,
			    const struct sl_http1_req *req)
{
	struct sl_http *hx = s->hx;
	const struct sl_gen *c = __atomic_load_n(&hx->dp->gen, __ATOMIC_ACQUIRE);
	int16_t bi = -1;
	const struct sl_l4_backend *b = sl_gen_backend(c, s->be->name, &bi);
	if (b == NULL)
		return PICK_NONE;
	int si = -1;
	bool full = false;
	s->t.direct = false;
	if (s->t.same_gidx >= 0) { /* a retry: the same server while it may take the request */
		for (unsigned i = 0; i < b->nservers && si < 0; i++)
			if (b->servers[i].gidx == s->t.same_gidx && b->servers[i].usable &&
			    has_slot(hx, &b->servers[i]))
				si = (int)i;
		s->t.same_gidx = -1;
		if (si >= 0)
			ck = NULL;
	}
	if (ck != NULL) {
		for (unsigned i = 0; i < b->nservers; i++) {
			const struct sl_l4_server *v = &b->servers[i];
			if (v->cookie != NULL && strlen(v->cookie) == ck_len &&
			    memcmp(v->cookie, ck, ck_len) == 0) {
				if (v->usable) {
					if (!has_slot(hx, v))
						return PICK_QUEUE; /* persistence waits for its server */
					si = (int)i;
				}
				break;
			}
		}
		if (si >= 0)
			s->t.direct = true; /* the client's cookie chose this server */
	}
	/* a redispatch leaves the failed server out unless it is the only one in rotation */
	int32_t avoid = b->nrot > 1 ? s->t.avoid_gidx : -1;
	if (si < 0 && b->nrot > 0) {
		switch (b->balance) {
		case SL_BAL_FIRST:
			for (unsigned k = 0; k < b->nrot && si < 0; k++)
				if (b->servers[b->rot[k]].gidx != avoid &&
				    has_slot(hx, &b->servers[b->rot[k]]))
					si = b->rot[k];
			full = si < 0;
			break;
		case SL_BAL_LEASTCONN: {
			uint64_t best = UINT64_MAX;
			for (unsigned k = 0; k < b->nrot; k++) {
				unsigned i = b->rot[(hx->rr + k) % b->nrot];
				const struct sl_l4_server *v = &b->servers[i];
				if (v->gidx == avoid)
					continue;
				if (!has_slot(hx, v)) {
					full = true;
					continue;
				}
				uint64_t load = (uint64_t)hx->lc->srv_active[v->gidx] * 65536 /
						(v->weight ? v->weight : 1);
				if (load < best) {
					best = load;
					si = (int)i;
				}
			}
			hx->rr++;
			full = si < 0 && full;
			break;
		}
		case SL_BAL_SOURCE:
		case SL_BAL_URI: {
			uint32_t h = b->balance == SL_BAL_SOURCE ? sl_flow_hash_src(s->cip) :
								   hash_bytes(req->path, req->path_len);
			uint16_t k = sl_maglev_lookup(b->maglev, h);
			si = k == SL_MAGLEV_NONE ? -1 : k;
			if (si >= 0 && b->servers[si].gidx == avoid) /* the next in rotation */
				for (unsigned r = 0; r < b->nrot; r++)
					if (b->rot[r] == si) {
						si = b->rot[(r + 1) % b->nrot];
						break;
					}
			if (si >= 0 && !has_slot(hx, &b->servers[si]))
				return PICK_QUEUE; /* a hash names one server: wait for it */
			break;
		}
		default: /* roundrobin, static-rr: the next server of the schedule with a slot */
			for (uint32_t k = 0; k < b->nsched && si < 0; k++) {
				unsigned i = b->sched[hx->rr++ % b->nsched];
				if (b->servers[i].gidx != avoid && has_slot(hx, &b->servers[i]))
					si = (int)i;
			}
			full = si < 0;
			break;
		}
	}
	if (si < 0)
		return full ? PICK_QUEUE : PICK_NONE;
	const struct sl_l4_server *v = &b->servers[si];
	s->be_idx = bi;
	s->srv_idx = (int16_t)si;
	s->srv_ip = v->ip;
	s->srv_port = v->port != 0 ? v->port : s->vport;
	s->srv_gidx = v->gidx;
	s->srv_cookie = v->cookie;
	hx->lc->srv_active[v->gidx]++;
	hx->lc->srv[v->gidx].stot++;
	hx->lc->srv[v->gidx].last_ms = hx->lc->now_ms;
	s->t.t_pick = hx->lc->now_ms;
	return PICK_OK;
}

