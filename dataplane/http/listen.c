/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The HTTP engine on a proxy lcore: its listeners and sessions, set up by main before the loops
 * (sl_http_lcore_init), and its role, run by the lcore's loop: timers, following a reload
 * (listeners and sessions pointed at the new configuration by name, ports opened and closed),
 * new certificates, `reset server` and main's questions.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "controlplane/cfg/cfg.h"
#include "controlplane/cfg/cfg_reload.h"
#include "dataplane/core/gen.h"
#include "dataplane/core/lcore.h"
#include "dataplane/http/http_int.h"
#include "dataplane/rules/acl_eval.h"
#include "dataplane/tcp/stack.h"
#include "tls/tls.h"

/* A frontend this engine serves: mode http (stats-only listeners are the page's), or mode tcp
 * on the proxy lcores (tcpproxy.c). */
bool hx_is_http_frontend(const struct sl_proxy *px)
{
	return sl_cfg_on_proxy_lcores(px) && !sl_cfg_stats_only(px);
}

/*
 * The frontend's maxconn on a listener: the frontend's accepted connections on every proxy lcore
 * and all its listeners count, as HAProxy's frontend maxconn. Without one, the global maxconn's
 * share of this lcore (its HTTP sessions: beyond them a connection would be reset), counted by
 * the listener alone.
 */
void hx_listen_limit(struct sl_http *hx, const struct sl_cfg *cfg, const struct sl_proxy *fe,
			 uint32_t la, uint16_t port)
{
	unsigned np = hx->dp->nproxies;
	uint32_t share = ((uint32_t)cfg->global.maxconn + np - 1) / np;
	if (fe->maxconn > 0)
		sl_tcp_listen_share(hx->lc->tcp, la, port, (uint32_t)fe->maxconn, hx->dp->fe_conns,
				    SL_DP_FE_STRIDE, np, hx->lc->proxy_idx, fe->slot);
	else if (share > 0)
		sl_tcp_listen_share(hx->lc->tcp, la, port, share, NULL, 0, 0, 0, 0);
}

/* Listens on @port of bind @b of frontend @fe, in the first free listener slot. Returns 0 or
 * -errno (-ENOSPC: no slot left). */
static int listen_one(struct sl_http *hx, const struct sl_cfg *cfg, const struct sl_proxy *fe,
		      const struct sl_bind *b, uint16_t port, struct sl_tls_ctx *tls)
{
	unsigned i = 0;
	while (i < hx->nlst && hx->lst[i].fe != NULL)
		i++;
	if (i == hx->cap_lst)
		return -ENOSPC;
	struct hx_listener *l = &hx->lst[i];
	*l = (struct hx_listener){.hx = hx, .fe = fe, .tls = tls, .bind = b, .port = port};
	uint32_t la = b->any ? 0 : b->addr.v4;
	int r = sl_tcp_listen(hx->lc->tcp, la, port, 1024,
			      fe->mode == SL_MODE_TCP ? &hx_tp_listen_cbs : &hx_listen_cbs, l);
	if (r < 0) {
		l->fe = NULL;
		return r;
	}
	if (i == hx->nlst)
		hx->nlst++;
	hx_listen_limit(hx, cfg, fe, la, port);
	return 0;
}

/* ------------------------------------------------------------------ the lcore's role */

/* The proxy lcore's share of the process's sessions (global maxconn, HAProxy's cap). */
static unsigned sessions_for(const struct sl_dp *dp, const struct sl_cfg *cfg)
{
	unsigned total = cfg->global.maxconn > 0 ? (unsigned)cfg->global.maxconn : 2000;
	unsigned n = dp->nproxies ? dp->nproxies : 1;
	return (total + n - 1) / n;
}

static void take_new_certs(struct sl_http *hx, struct sl_http_certs *set);
static void http_follow(struct sl_lcore *lc, void *st, const struct sl_gen *g);
static void http_msg(struct sl_lcore *lc, void *st, const struct sl_msg *m);
static unsigned http_held(const struct sl_lcore *lc, void *st);
static void http_tick(struct sl_lcore *lc, void *st);

int sl_http_lcore_init(struct sl_dp *dp, struct sl_lcore *lc, const struct sl_cfg *cfg)
{
	unsigned nl = 0;
	for (const struct sl_proxy *px = cfg->proxies; px != NULL; px = px->next)
		if (hx_is_http_frontend(px))
			for (const struct sl_bind *b = px->binds; b != NULL; b = b->next)
				if (b->addr.family == AF_INET)
					nl += (unsigned)(b->port_hi - b->port_lo + 1);
	if (nl == 0)
		return 0;
	struct sl_http *hx = calloc(1, sizeof(*hx));
	if (hx == NULL)
		return -1;
	lc->http = hx;
	hx->lc = lc;
	hx->dp = dp;
	hx->bufsize = cfg->global.bufsize > 0 ? (uint32_t)cfg->global.bufsize : 16384;
	hx->nsess = sessions_for(dp, cfg);
	hx->sess = calloc(hx->nsess, sizeof(*hx->sess));
	unsigned nbuf = hx->nsess; /* a transaction holds at most two for a moment */
	hx->bufmem = malloc((size_t)nbuf * hx->bufsize);
	hx->bufs = calloc(nbuf, sizeof(*hx->bufs));
	hx->out = malloc(HX_OUT_MAX);
	hx->tbuf = malloc(HX_TLS_CHUNK);
	hx->pbuf = malloc(HX_TLS_CHUNK);
	hx->cap_lst = dp->http->lst_cap; /* room for frontends a reload adds (never moved:
					   * the stack's listeners point at their slot) */
	hx->lst = calloc(hx->cap_lst, sizeof(*hx->lst));
	hx->scratch = sl_acl_scratch_new();
	hx->pxc = calloc(SL_PX_SLOTS + 1, sizeof(*hx->pxc));
	hx->srvc = calloc(SL_MAX_SERVERS, sizeof(*hx->srvc));
	hx->stls_sess = calloc(SL_MAX_SERVERS, sizeof(*hx->stls_sess));
	hx->alog_recs = calloc(hx->nsess, sizeof(*hx->alog_recs));
	if (hx->alog_recs == NULL || hx->pxc == NULL || hx->srvc == NULL || hx->stls_sess == NULL || hx->tbuf == NULL || hx->pbuf == NULL ||
	    hx->scratch == NULL || hx->sess == NULL || hx->bufmem == NULL || hx->bufs == NULL ||
	    hx->out == NULL || hx->lst == NULL) {
		fprintf(stderr, "sluiced: not enough memory for the %u HTTP sessions of lcore %u\n",
			hx->nsess, lc->lcore_id);
		return -1;
	}
	for (unsigned i = 0; i < nbuf; i++)
		hx->bufs[hx->nbufs++] = hx->bufmem + (size_t)i * hx->bufsize;
	for (unsigned i = hx->nsess; i-- > 0;) {
		hx->sess[i].srv_idx = -1; /* no server slot (I7) */
		hx->sess[i].next_free = hx->free;
		hx->free = &hx->sess[i];
		sl_tmr_init(&hx->sess[i].tmr, hx_sess_timeout, &hx->sess[i]);
	}
	sl_tmr_wheel_init(&hx->wheel, 1000, hx_now_us(hx));
	for (const struct sl_proxy *px = cfg->proxies; px != NULL; px = px->next) {
		if (!hx_is_http_frontend(px))
			continue;
		for (const struct sl_bind *b = px->binds; b != NULL; b = b->next) {
			if (b->addr.family != AF_INET)
				continue;
			struct sl_tls_ctx *tls = NULL;
			if (b->ssl && hx_tls_ctx_for(dp, cfg, b, &tls, NULL, 0) < 0)
				return -1;
			for (unsigned port = b->port_lo; port <= b->port_hi; port++) {
				int r = listen_one(hx, cfg, px, b, (uint16_t)port, tls);
				if (r < 0) {
					fprintf(stderr, "%s:%d: frontend '%s' on port %u: %s\n",
						b->loc.file, b->loc.line, px->name, port, strerror(-r));
					return -1;
				}
			}
		}
	}
	struct sl_role r = {.name = "http",
			    .st = hx,
			    .msgs = SL_MSG_BIT(SL_MSG_RESET_SERVER) | SL_MSG_BIT(SL_MSG_QUERY) |
				    SL_MSG_BIT(SL_MSG_CERTS),
			    .msg = http_msg,
			    .follow = http_follow,
			    .held = http_held,
			    .tick = http_tick};
	return sl_lcore_add_role(lc, &r);
}

/* The bind of @cfg's HTTP frontends that listens where @b does (address, port range, ssl). */
static const struct sl_bind *bind_in(const struct sl_cfg *cfg, const struct sl_bind *b,
				     uint16_t port, const struct sl_proxy **fe)
{
	for (const struct sl_proxy *px = cfg->proxies; px != NULL; px = px->next) {
		if (!hx_is_http_frontend(px))
			continue;
		for (const struct sl_bind *n = px->binds; n != NULL; n = n->next)
			if (n->addr.family == AF_INET && n->any == b->any &&
			    (b->any || n->addr.v4 == b->addr.v4) && n->ssl == b->ssl &&
			    port >= n->port_lo && port <= n->port_hi) {
				if (fe != NULL)
					*fe = px;
				return n;
			}
	}
	return NULL;
}

/*
 * A reload replaced the configuration (the generation now comes from g->cfg): listeners and
 * sessions are pointed at the same frontends, backends and servers of the new configuration, by
 * name. A session whose frontend, backend or server is gone keeps the old configuration until
 * it ends (counted in hx->stale: the main lcore frees an old configuration once no lcore holds
 * any).
 */
static void http_follow(struct sl_lcore *lc, void *st, const struct sl_gen *c)
{
	struct sl_http *hx = st;
	const struct sl_cfg *cfg = c->cfg;
	for (unsigned i = 0; i < hx->nlst; i++) {
		struct hx_listener *l = &hx->lst[i];
		if (l->fe == NULL)
			continue;
		const struct sl_proxy *fe = NULL;
		const struct sl_bind *b = bind_in(cfg, l->bind, l->port, &fe);
		uint32_t la = l->bind->any ? 0 : l->bind->addr.v4;
		if (b == NULL) {
			/* a port the new configuration dropped (plain HTTP only: ssl binds and
			 * stats pages are refused by sl_cfg_reload_check()): no new connection,
			 * the accepted ones go on */
			sl_tcp_unlisten(hx->lc->tcp, la, l->port);
			l->fe = NULL;
			l->bind = NULL;
			continue;
		}
		l->bind = b;
		l->fe = fe;
		hx_listen_limit(hx, cfg, fe, la, l->port);
	}
	/* ports the new configuration added (plain HTTP); main checked there are slots enough
	 * before publishing (sl_http_reload_check) */
	for (const struct sl_proxy *px = cfg->proxies; px != NULL; px = px->next) {
		if (!hx_is_http_frontend(px))
			continue;
		for (const struct sl_bind *b = px->binds; b != NULL; b = b->next) {
			if (b->addr.family != AF_INET || b->ssl)
				continue;
			for (unsigned port = b->port_lo; port <= b->port_hi; port++) {
				bool have = false;
				for (unsigned i = 0; i < hx->nlst && !have; i++)
					have = hx->lst[i].fe != NULL && hx->lst[i].bind == b &&
					       hx->lst[i].port == port;
				if (!have && listen_one(hx, cfg, px, b, (uint16_t)port, NULL) < 0)
					lc->ctr->c[SL_CTR_HTTP_LISTEN_FAILED]++;
			}
		}
	}
	for (unsigned i = 0; i < hx->nsess; i++) {
		struct hx_sess *s = &hx->sess[i];
		if (!s->busy || s->stale)
			continue;
		const struct sl_proxy *fe = sl_cfg_find_proxy(cfg, s->fe->name, SL_CAP_FE);
		const struct sl_proxy *be =
			s->be != NULL ? sl_cfg_find_proxy(cfg, s->be->name, SL_CAP_BE) : NULL;
		const char *cookie = NULL;
		bool found = fe != NULL && (s->be == NULL || be != NULL);
		if (found && s->srv_idx >= 0 && be != NULL) {
			int16_t bi;
			const struct sl_bal_backend *lb = sl_gen_backend(c, be->name, &bi);
			found = false;
			for (unsigned k = 0; lb != NULL && k < lb->nservers && !found; k++)
				if (lb->servers[k].gidx == s->srv_gidx) {
					found = true;
					cookie = lb->servers[k].cookie;
				}
		}
		if (!found) {
			s->stale = true;
			hx->stale++;
			continue;
		}
		s->fe = fe;
		s->be = be;
		s->cfg = cfg;
		if (s->srv_idx >= 0)
			s->srv_cookie = cookie;
	}
}

static unsigned http_held(const struct sl_lcore *lc, void *st)
{
	const struct sl_http *hx = st;
	return hx->stale;
}

void sl_http_lcore_fini(struct sl_lcore *lc)
{
	struct sl_http *hx = lc->http;
	if (hx == NULL)
		return;
	free(hx->sess);
	free(hx->bufmem);
	free(hx->bufs);
	free(hx->out);
	free(hx->tbuf);
	free(hx->pbuf);
	for (unsigned i = 0; i < hx->nlst; i++) /* a bind's ports share one context */
		if (hx->lst[i].tls != NULL && (i == 0 || hx->lst[i - 1].tls != hx->lst[i].tls))
			sl_tls_ctx_free(hx->lst[i].tls);
	free(hx->lst);
	free(hx->pxc);
	free(hx->srvc);
	for (unsigned i = 0; hx->stls_sess != NULL && i < SL_MAX_SERVERS; i++)
		sl_tls_sess_drop(&hx->stls_sess[i]);
	free(hx->stls_sess);
	free(hx->alog_recs);
	sl_acl_scratch_free(hx->scratch);
	free(hx);
	lc->http = NULL;
}

/*
 * New certificates from main (`reload certs`, SIGHUP): every port of a bind switches to them for
 * new handshakes; the old context goes when its last connection does (its own reference count).
 * Contexts of binds this lcore does not serve go at once; the set itself goes back to main.
 */
static void take_new_certs(struct sl_http *hx, struct sl_http_certs *set)
{
	for (unsigned k = 0; k < set->n; k++) {
		struct sl_http_cert *e = &set->e[k];
		struct sl_tls_ctx *old = NULL;
		for (unsigned i = 0; i < hx->nlst && old == NULL; i++) {
			const struct hx_listener *l = &hx->lst[i];
			if (l->fe != NULL && l->tls != NULL && l->bind->any == e->any &&
			    (e->any || l->bind->addr.v4 == e->addr) && l->port >= e->port_lo &&
			    l->port <= e->port_hi)
				old = l->tls;
		}
		if (old == NULL)
			continue; /* freed below */
		for (unsigned i = 0; i < hx->nlst; i++)
			if (hx->lst[i].tls == old)
				hx->lst[i].tls = e->ctx;
		sl_tls_ctx_free(old);
		e->ctx = NULL;
	}
	for (unsigned k = 0; k < set->n; k++)
		sl_tls_ctx_free(set->e[k].ctx);
	struct sl_msg m = {.op = SL_MSG_FREE, .ptr = set};
	/* main frees the set; on a full inbox it leaks one small block (counted in drop_ring_full) */
	(void)sl_msg_to_main(hx->lc, &m);
}

static void http_tick(struct sl_lcore *lc, void *st)
{
	struct sl_http *hx = st;
	sl_tmr_advance(&hx->wheel, hx_now_us(hx));
	hx_q_recheck(hx); /* slots other proxy lcores freed */
	/* sessions that found no head buffer free try again (rare: the pool has one buffer
	 * per session, a transaction holds two for a moment) */
	if (hx->starved && hx->nbufs > 0) {
		hx->starved = false;
		for (unsigned i = 0; i < hx->nsess && hx->nbufs > 0; i++) {
			struct hx_sess *s = &hx->sess[i];
			if (s->busy && s->rs != RS_CLOSING && s->rq == RQ_HEAD && s->buf == NULL &&
			    s->cli != NULL && sl_tcp_readable(s->cli) > 0)
				hx_run(s);
		}
	}
}

/* `shutdown sessions server`, `on-marked-down shutdown-sessions`: every session talking to
 * server @gidx ends at once, both connections closed, so that clients reconnect elsewhere. */
static void reset_server(struct sl_http *hx, uint16_t gidx)
{
	for (unsigned i = 0; i < hx->nsess; i++) {
		struct hx_sess *s = &hx->sess[i];
		if (s->busy && s->srv_idx >= 0 && s->srv_gidx == gidx)
			hx_sess_free(s);
	}
}

static void http_msg(struct sl_lcore *lc, void *st, const struct sl_msg *m)
{
	struct sl_http *hx = st;
	switch (m->op) {
	case SL_MSG_RESET_SERVER:
		reset_server(hx, (uint16_t)m->a);
		break;
	case SL_MSG_CERTS:
		take_new_certs(hx, m->ptr);
		break;
	case SL_MSG_QUERY: {
		struct sl_query *q = m->ptr;
		if (q->what == SL_QUERY_HTTP_SESS)
			hx_query_sess(hx, q);
		else if (q->what == SL_QUERY_HTTP_ERRORS)
			hx_query_errors(hx, q);
		break;
	}
	default:
		break;
	}
}

