/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The HTTP session state machine, on the proxy lcore (states and invariants: http_int.h).
 *
 * hx_run() is called by every event of either connection and does all the work the states
 * allow, then returns. The request and the response each go through their head (bytes copied
 * into a head buffer until proto/http1.c parses them), their body (the chains of buffers the
 * stack received handed to the other connection as they are, cut where the body ends) and
 * done. One transaction at a time: a pipelined request waits in the client connection's
 * receive queue (its window closes) until the response is over.
 *
 * Timeouts are HAProxy's: `timeout client` and `timeout server` are inactivity timers of the
 * side that owes us something (bytes, or room to send), re-armed whenever bytes move; `timeout
 * http-request`, `http-keep-alive`, `queue`, `connect` are deadlines of one step; `tunnel`
 * replaces both after a 101; `client-fin` bounds the wait for a client's close.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "controlplane/cfg/cfg.h"
#include "dataplane/core/dp.h"
#include "dataplane/core/ipout.h"
#include "dataplane/core/lcore.h"
#include "dataplane/http/http_int.h"
#include "dataplane/rules/acl_eval.h"
#include "dataplane/rules/http_rules.h"
#include "dataplane/tcp/stack.h"
#include "tls/tls.h"

/* ------------------------------------------------------------------ invariants */

#ifdef SL_INVARIANTS
#include <stdio.h>

static void inv_fail(const struct hx_sess *s, const char *what)
{
	fprintf(stderr, "sluiced: HTTP session invariant broken: %s (rq %u rs %u srv %u tmo %u)\n",
		what, s->rq, s->rs, s->srv_st, s->tmo);
	abort();
}

/* The invariants of http_int.h, between two events. */
static void check_invariants(const struct hx_sess *s)
{
	if (!s->busy)
		return;
	bool srv_conn = s->srv_st == SRV_CONNECTING || s->srv_st == SRV_OPEN;
	if ((s->srv != NULL) != srv_conn)
		inv_fail(s, "I1 srv <=> connecting or open");
	if ((s->srv_st == SRV_QUEUED) !=
	    (s->q_prev != NULL || s->q_next != NULL || s->hx->q_head == s))
		inv_fail(s, "I2 queued <=> in the queue");
	if (s->srv_idx >= 0 && !srv_conn && !(s->srv_st == SRV_NONE && s->rs == RS_DONE))
		inv_fail(s, "I3 slot => connection");
	if ((s->rs == RS_HEAD || s->rs == RS_BODY) && !srv_conn && !s->srv_eof)
		inv_fail(s, "I4 response => server");
	if ((s->rq == RQ_TUNNEL) != (s->rs == RS_TUNNEL))
		inv_fail(s, "I5 tunnel both ways");
	if (s->rs == RS_CLOSING && (s->tmo != TMO_FIN || s->srv_idx >= 0))
		inv_fail(s, "I6 closing => client-fin timer, no slot");
}

/* I7, for a session entering or leaving the pool's free list. */
static void check_pooled(const struct hx_sess *s)
{
	if (s->busy || s->cli != NULL || s->srv != NULL || s->tls != NULL || s->stls != NULL ||
	    s->buf != NULL ||
	    s->rbuf != NULL || s->srv_idx >= 0 || sl_tmr_armed(&s->tmr) || s->q_prev != NULL ||
	    s->q_next != NULL)
		inv_fail(s, "I7 pooled => holds nothing");
}
#else
static inline void check_invariants(const struct hx_sess *s)
{
	(void)s;
}

static inline void check_pooled(const struct hx_sess *s)
{
	(void)s;
}
#endif

/* ------------------------------------------------------------------ helpers */

uint64_t hx_now_us(const struct sl_http *hx)
{
	return sl_dp_now_us(hx->dp);
}

static bool pool_get(struct sl_http *hx, char **b, uint32_t *len)
{
	if (*b != NULL)
		return true;
	if (hx->nbufs == 0)
		return false;
	*b = hx->bufs[--hx->nbufs];
	*len = 0;
	return true;
}

static void pool_put(struct sl_http *hx, char **b, uint32_t *len)
{
	if (*b == NULL)
		return;
	hx->bufs[hx->nbufs++] = *b;
	*b = NULL;
	*len = 0;
}

bool hx_buf_get(struct hx_sess *s)
{
	return pool_get(s->hx, &s->buf, &s->blen);
}

static void buf_put(struct hx_sess *s)
{
	pool_put(s->hx, &s->buf, &s->blen);
	s->t.req_hl = 0;
}

static void rbuf_put(struct hx_sess *s)
{
	pool_put(s->hx, &s->rbuf, &s->rlen);
}

static uint32_t ms_or(int v, int dflt)
{
	return v > 0 ? (uint32_t)v : (uint32_t)dflt;
}

/* Arms the session timer for @kind (its timeout from the frontend/backend, HAProxy's
 * fallbacks), or stops it. Inactivity timeouts are re-armed whenever bytes move. */
void hx_arm(struct hx_sess *s, enum hx_tmo kind)
{
	struct sl_http *hx = s->hx;
	const struct sl_timeouts *f = &s->fe->to;
	const struct sl_timeouts *b = s->be != NULL ? &s->be->to : f;
	uint32_t ms = 0;
	switch (kind) {
	case TMO_REQ:
		ms = ms_or(f->http_request, ms_or(f->client, 30000));
		break;
	case TMO_KA:
		ms = ms_or(f->http_keep_alive, ms_or(f->http_request, ms_or(f->client, 30000)));
		break;
	case TMO_QUEUE: /* HAProxy: `timeout queue`, else `timeout connect` */
		ms = ms_or(b->queue, ms_or(b->connect, 5000));
		break;
	case TMO_CONNECT:
		ms = ms_or(b->connect, 5000);
		break;
	case TMO_SERVER:
		ms = ms_or(b->server, 30000);
		break;
	case TMO_CLIENT:
		ms = ms_or(f->client, 30000);
		break;
	case TMO_TUNNEL:
		ms = ms_or(b->tunnel, ms_or(f->client, 30000));
		break;
	case TMO_FIN:
		ms = ms_or(f->client_fin, ms_or(f->client, 5000));
		break;
	case TMO_PROXY: /* accept-proxy: HAProxy bounds connection handshakes so */
		ms = ms_or(f->client, 30000);
		break;
	case TMO_INSPECT: /* without content rules: routed at the next tick */
		ms = s->fe->tcp_content_rules != NULL ? (uint32_t)s->fe->inspect_delay : 0;
		break;
	default:
		sl_tmr_cancel(&hx->wheel, &s->tmr);
		s->tmo = TMO_NONE;
		return;
	}
	s->tmo = (uint8_t)kind;
	sl_tmr_arm(&hx->wheel, &s->tmr, hx_now_us(hx), (uint64_t)ms * 1000);
}

/* ------------------------------------------------------------------ session lifetime */

/* Closes the server connection (TLS: close_notify first unless @abort) and frees its TLS. */
static void srv_conn_drop(struct hx_sess *s, bool abort)
{
	if (s->srv != NULL) {
		if (abort) {
			sl_tcp_abort(s->srv);
		} else {
			if (s->stls != NULL && sl_tls_established(s->stls)) {
				sl_tls_close(s->stls);
				hx_stls_flush(s);
			}
			sl_tcp_close(s->srv);
		}
		s->srv = NULL;
	}
	if (s->stls != NULL) {
		sl_tls_conn_free(s->stls);
		s->stls = NULL;
	}
}

void hx_sess_free(struct hx_sess *s)
{
	struct sl_http *hx = s->hx;
	if (!s->busy)
		return; /* already back in the pool */
	if (s->al == AL_TXN) /* a transaction cut short: who ended it, in which phase */
		hx_alog_term(s, (const char[2]){s->t.abrt == 2 ? 'S' : s->t.abrt == 1 ? 'C' : 'P',
				  s->srv_st == SRV_QUEUED ? 'Q' :
				  s->srv_st == SRV_CONNECTING ? 'C' :
				  s->rs == RS_HEAD || s->rs == RS_NONE ? 'H' : 'D'});
	hx_stk_untrack(s);
	sl_tmr_cancel(&hx->wheel, &s->tmr);
	hx_q_remove(s);
	srv_conn_drop(s, true);
	s->srv_st = SRV_NONE;
	bool freed = false;
	if (s->srv_idx >= 0 && s->rs != RS_DONE && s->rq != RQ_TUNNEL && s->t.abrt != 0) {
		/* a transaction cut short: HAProxy's cli_abrt / srv_abrt of server and backend */
		struct sl_hx_srvctr *sc = &hx->srvc[s->srv_gidx];
		struct sl_hx_pxctr *bc = hx_pxc(s, s->be);
		if (s->t.abrt == 1) {
			sc->cli_abrt++;
			if (bc != NULL)
				bc->cli_abrt++;
		} else {
			sc->srv_abrt++;
			if (bc != NULL)
				bc->srv_abrt++;
		}
	}
	hx_count_times(s);
	hx_count_bytes(s);
	if (s->srv_idx >= 0) {
		hx_srv_slot_put(hx->lc, s->srv_gidx);
		freed = true;
	}
	s->srv_idx = -1; /* (the access log's server counts: this one's slot is free) */
	if (s->al == AL_TXN)
		hx_alog_end(s);
	else if (s->first && s->rq == RQ_HEAD && !s->tcp &&
		 (s->tls == NULL || sl_tls_established(s->tls)) &&
		 !(s->blen == 0 && s->acc_in == 0 && s->fe->dontlognull))
		hx_alog_badreq(s, 400, "CR"); /* the client left before a whole request */
	struct sl_hx_pxctr *f = hx_pxc(s, s->fe);
	if (f != NULL)
		f->ended++;
	if (s->stale) {
		s->stale = false;
		hx->stale--;
	}
	s->srv_idx = -1;
	if (s->cli != NULL) {
		sl_tcp_close(s->cli);
		s->cli = NULL;
	}
	if (s->tls != NULL) {
		sl_tls_conn_free(s->tls);
		s->tls = NULL;
	}
	buf_put(s);
	rbuf_put(s);
	s->busy = false;
	check_pooled(s);
	s->next_free = hx->free;
	hx->free = s;
	hx->active--;
	if (freed && hx->q_head != NULL)
		hx_q_kick(hx);
}

/* Ends the server side of the transaction (http-server-close: every time). */
static void srv_release(struct hx_sess *s, bool abort)
{
	srv_conn_drop(s, abort);
	bool freed = false;
	if (s->srv_idx >= 0) {
		hx_srv_slot_put(s->hx->lc, s->srv_gidx);
		s->srv_idx = -1;
		freed = true;
	}
	s->srv_st = SRV_NONE;
	if (freed && s->hx->q_head != NULL)
		hx_q_kick(s->hx);
}

/* Our side of the client connection is shut: the session waits for the client's close under
 * `timeout client-fin`. */
static void closing(struct hx_sess *s)
{
	s->rs = RS_CLOSING;
	hx_arm(s, TMO_FIN);
}

/* A local response, then the client connection closes (FIN after it). */
void hx_reply_and_close(struct hx_sess *s, int code)
{
	struct sl_http *hx = s->hx;
	struct sl_hx_out o = {hx->out, HX_OUT_MAX, 0, false};
	hx_alog_term(s, code == 408 ? "cR" : code == 502 ? "SH" : code == 503 ? "SC" :
			code == 504 ? "sH" : "PR");
	bool no_request = s->rq == RQ_HEAD;
	if (code == 502 || code == 504) { /* the server's answer failed: eresp */
		struct sl_hx_pxctr *b = hx_pxc(s, s->be);
		if (b != NULL)
			b->eresp++;
		if (s->srv_idx >= 0)
			hx->srvc[s->srv_gidx].eresp++;
	}
	if (code == 400 || code == 408)
		sl_hx_mux_error(&o, code); /* HAProxy's H1 layer: its built-in message */
	else
		sl_hx_error(&o, s->fe, s->be, code);
	hx_count_rsp(s, code, false);
	if ((code == 400 || code == 408) && hx_pxc(s, s->fe) != NULL)
		hx_pxc(s, s->fe)->ereq++;
	switch (code) {
	case 400: hx_ctr(s, SL_CTR_HTTP_ERR_400); break;
	case 408: hx_ctr(s, SL_CTR_HTTP_ERR_408); break;
	case 502: hx_ctr(s, SL_CTR_HTTP_ERR_502); break;
	case 503: hx_ctr(s, SL_CTR_HTTP_ERR_503); break;
	case 504: hx_ctr(s, SL_CTR_HTTP_ERR_504); break;
	default: break;
	}
	hx_q_remove(s);
	srv_release(s, true);
	if (s->cli != NULL) {
		hx_cli_send(s, o.buf, o.len);
		hx_cli_shutdown(s);
	}
	hx_alog_out_head(s, o.buf, o.len);
	if (s->al == AL_TXN)
		hx_alog_end(s);
	else if (no_request)
		hx_alog_badreq(s, code, code == 408 ? "cR" : "PR");
	s->rq = RQ_DONE;
	buf_put(s);
	rbuf_put(s);
	closing(s);
}

/* ------------------------------------------------------------------ transaction */

/* The client's certificate for the ssl_c_* fetches, or NULL (no TLS; its details are made
 * once per connection, by tls/). */
static const struct sl_tls_peer *hx_cert(struct hx_sess *s)
{
	return s->tls != NULL ? sl_tls_peer(s->tls) : NULL;
}

/* ssl_fc_sni: the name the client sent in its TLS ClientHello, or NULL. */
static const char *hx_sni(const struct hx_sess *s)
{
	return s->tls != NULL ? sl_tls_sni(s->tls) : NULL;
}

static size_t hx_sni_len(const struct hx_sess *s)
{
	const char *n = hx_sni(s);
	return n != NULL ? strlen(n) : 0;
}

static const struct sl_tcp_cbs srv_cbs;
static void srv_up(struct hx_sess *s);

/* Opens the server connection and sends the head built in hx->out (@hlen bytes); a server
 * with `ssl` gets the ClientHello first (SNI @sni), the head waits inside TLS for the
 * handshake. */
static bool srv_open(struct hx_sess *s, size_t hlen, const char *sni)
{
	struct sl_http *hx = s->hx;
	int err = 0;
	uint32_t src = s->srv_src != 0 ? s->srv_src : sl_ip_route_src(hx->lc, s->srv_ip);
	s->srv = sl_tcp_connect(hx->lc->tcp, src, 0, s->srv_ip, s->srv_port, &srv_cbs, s, &err);
	if (s->srv == NULL)
		return false;
	if (!hx_pp_send(s)) /* send-proxy: the header first, before TLS */
		return false;
	s->srv_st = SRV_CONNECTING;
	s->srv_eof = false;
	s->srv_tcp_up = false;
	s->stls_in = false;
	s->t.t_open = hx->lc->now_ms;
	if (s->srv_tctx != NULL) {
		s->stls = sl_tls_client_new(s->srv_tctx, sni, &hx->stls_sess[s->srv_gidx]);
		if (s->stls == NULL) {
			hx_ctr(s, SL_CTR_HTTP_TLS_NOMEM);
			return false;
		}
		hx_stls_flush(s); /* the ClientHello */
	}
	if (!hx_srv_send(s, hx->out, hlen))
		return false;
	hx_arm(s, TMO_CONNECT);
	return true;
}

/* A complete request head at buf[0, hl): route it, forward it or answer it. */
static void start_request(struct hx_sess *s, int hl, const struct sl_http1_req *req,
			  struct sl_http1_hdr *h, size_t n)
{
	struct sl_http *hx = s->hx;
	struct hx_txn *t = &s->t;
	hx_ctr(s, SL_CTR_HTTP_REQUESTS);
	if (hx_pxc(s, s->fe) != NULL)
		hx_pxc(s, s->fe)->req_tot++;
	hx_stk_untrack(s); /* the previous request's counters (HAProxy: a stream each) */
	*t = (struct hx_txn){.same_gidx = -1, .avoid_gidx = -1};
	t->minor = req->minor;
	t->head_req = req->meth == SL_HTTP1_M_HEAD;
	t->meth = (uint8_t)req->meth;
	/* a stale session (its frontend, backend or server went in a reload) serves this request
	 * under its own configuration, then closes: as HAProxy's old process after a reload */
	t->keep_alive = sl_http1_keep_alive(req->minor, req->conn) && !s->cli_eof && !s->stale;
	t->client_10_ka = req->minor == 0 && t->keep_alive;
	t->websocket = sl_http1_is_websocket(req, h, n);
	t->req_body = (uint8_t)sl_http1_body_info(req, NULL, &t->req_left);
	sl_http1_chunk_init(&t->req_ck);
	struct sl_acl_stk_ops stk;
	hx_stk_ops(s, &stk);
	struct sl_acl_ctx ctx = {.req = req, .hdrs = h, .nhdrs = n, .src = s->cip,
				 .src_port = s->cport, .dst = s->vip, .dst_port = s->vport,
				 .ssl = s->tls != NULL, .sni = hx_sni(s), .sni_len = hx_sni_len(s), .cert = hx_cert(s),
				 .scratch = hx->scratch, .stk = &stk};
	hx_alog_begin(s, req, h, n, &ctx);
	struct sl_hx_out o = {hx->out, HX_OUT_MAX, 0, false};
	struct sl_hx_decision d;
	sl_hx_decide(s->cfg, s->fe, req, h, n, &ctx, !t->keep_alive, (uint32_t)time(NULL), &o,
		     &d);
	s->be = d.be;
	switch (d.verdict) {
	case SL_HX_DENY:
		/* HAProxy 2.6 answers a deny and keeps the connection, as after a redirect */
		hx_ctr(s, SL_CTR_HTTP_DENIED);
		hx_alog_term(s, "PR");
		if (hx_pxc(s, s->fe) != NULL)
			hx_pxc(s, s->fe)->dreq++;
		d.status = d.status != 0 ? d.status : 403;
		sl_hx_error(&o, s->fe, d.be, d.status);
		/* fall through */
	case SL_HX_REDIRECT:
	case SL_HX_RETURN:
		if (d.verdict == SL_HX_REDIRECT) {
			hx_ctr(s, SL_CTR_HTTP_REDIRECTS);
			hx_alog_term(s, "LR");
		}
		hx_alog_term(s, "PR"); /* http-request return */
		s->al_be_fe = true;
		if (d.verdict != SL_HX_DENY && hx_pxc(s, s->fe) != NULL)
			hx_pxc(s, s->fe)->intercepted++; /* HAProxy counts a redirect so too */
		if (o.overflow) {
			hx_reply_and_close(s, 500);
			return;
		}
		hx_count_rsp(s, d.verdict == SL_HX_REDIRECT ? 302 : d.status, false);
		hx_alog_out_head(s, o.buf, o.len);
		if (!hx_cli_send(s, o.buf, o.len)) {
			hx_reply_and_close(s, 500);
			return;
		}
		/* the request's body, if any, is read and dropped */
		s->rq = t->req_body == SL_HTTP1_BODY_NONE ? RQ_DONE : RQ_BODY;
		s->rs = RS_DONE;
		s->srv_idx = -1;
		memmove(s->buf, s->buf + hl, s->blen - (uint32_t)hl);
		s->blen -= (uint32_t)hl;
		if (s->rq == RQ_BODY) {
			int r = hx_flush_buffered_body(s, 0, NULL, t->req_body, &t->req_left,
						       &t->req_ck);
			if (r < 0) {
				hx_reply_and_close(s, 400);
				return;
			}
			if (r == 1)
				s->rq = RQ_DONE;
		}
		return;
	case SL_HX_NO_BACKEND:
		hx_reply_and_close(s, 503);
		return;
	case SL_HX_MONITOR: /* the frontend answers its monitor-uri itself */
		s->al_be_fe = true;
		if (hx_pxc(s, s->fe) != NULL)
			hx_pxc(s, s->fe)->intercepted++;
		hx_reply_and_close(s, d.status);
		return;
	case SL_HX_SERVICE: {
		/* the Prometheus exposition: the stats page module answers on this connection
		 * (a large body sent as the window allows); plain HTTP only */
		struct sl_tcp_conn *c = s->cli;
		s->al = AL_NONE; /* the stats page's own */
		hx_count_rsp(s, 200, false);
		sl_service_fn svc = hx->lc->service[SL_SERVICE_PROMETHEUS];
		if (s->tls == NULL && svc != NULL &&
		    svc(hx->lc, hx->lc->service_st[SL_SERVICE_PROMETHEUS], c, s->fe, s->buf,
			(size_t)s->blen)) {
			s->cli = NULL; /* the page owns it now */
			hx_sess_free(s);
			return;
		}
		hx_reply_and_close(s, 503);
		return;
	}
	case SL_HX_FORWARD:
		break;
	}
	/* the head stays at buf[0, hl) until a server answers: a queued request and a connect
	 * retry are built again from it */
	t->req_hl = (uint32_t)hl;
	t->ck_off = d.cookie_srv != NULL ? (uint32_t)(d.cookie_srv - s->buf) : 0;
	t->ck_len = d.cookie_srv != NULL ? (uint32_t)d.cookie_srv_len : 0;
	t->ck_last = d.cookie_last;
	t->ck_first = d.cookie_first;
	t->retries = s->be->retries > 0 ? s->be->retries : 0;
	t->t_req = hx->lc->now_ms ? hx->lc->now_ms : 1;
	s->rq = t->req_body == SL_HTTP1_BODY_NONE ? RQ_DONE : RQ_BODY;
	s->rs = RS_NONE;
	hx_dispatch(s);
}

/* The SNI towards an `ssl` server: its `sni str(NAME)`, or the request's Host header as it is
 * (`sni req.hdr(host)`, copied into @buf); NULL for none. */
static const char *srv_sni(const struct hx_sess *s, const struct sl_http1_req *req,
			   const struct sl_http1_hdr *h, size_t n, char *buf, size_t len)
{
	(void)req;
	if (s->srv_tlsp == NULL || s->srv_tctx == NULL)
		return NULL;
	if (s->srv_tlsp->sni == SL_SNI_STR)
		return s->srv_tlsp->sni_str;
	if (s->srv_tlsp->sni != SL_SNI_HOST)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (h[i].name_len != 4 || strncasecmp(h[i].name, "host", 4) != 0)
			continue;
		size_t l = h[i].value_len;
		const char *v = h[i].value;
		if (l == 0 || l >= len)
			return NULL;
		memcpy(buf, v, l); /* as is, a port too: HAProxy's req.hdr(host) is the value */
		buf[l] = '\0';
		return buf;
	}
	return NULL;
}

/*
 * Sends the request kept at buf[0, req_hl) to a server: picks it, builds the head, opens the
 * connection, then the body bytes that came with the head. When every usable server is at its
 * maxconn the session waits in the lcore's queue (`timeout queue`), in its place.
 */
void hx_dispatch(struct hx_sess *s)
{
	struct sl_http *hx = s->hx;
	if (s->tcp) { /* the queue serves proxied TCP sessions too */
		hx_tp_dispatch(s);
		return;
	}
	struct hx_txn *t = &s->t;
	struct sl_http1_req req;
	struct sl_http1_hdr h[SL_HTTP1_MAX_HDRS_DEFAULT];
	size_t n = SL_HTTP1_MAX_HDRS_DEFAULT;
	if (sl_http1_parse_request(s->buf, t->req_hl, hx->bufsize, &req, h, &n) <= 0) {
		hx_reply_and_close(s, 500);
		return;
	}
	enum hx_pick p = hx_pick_server(s, t->ck_len ? s->buf + t->ck_off : NULL, t->ck_len, &req,
				       h, n);
	if (p == PICK_QUEUE) {
		if (s->srv_st != SRV_QUEUED) {
			hx_q_append(s);
			hx_arm(s, TMO_QUEUE);
		}
		return;
	}
	hx_q_remove(s);
	if (p == PICK_NONE) {
		hx_reply_and_close(s, 503);
		return;
	}
	struct sl_acl_stk_ops stk;
	hx_stk_ops(s, &stk);
	stk.track = NULL; /* the request rules ran already: header rules only read counters */
	struct sl_acl_ctx ctx = {.req = &req, .hdrs = h, .nhdrs = n, .src = s->cip,
				 .src_port = s->cport, .dst = s->vip, .dst_port = s->vport,
				 .ssl = s->tls != NULL, .sni = hx_sni(s), .sni_len = hx_sni_len(s), .cert = hx_cert(s),
				 .scratch = hx->scratch, .stk = &stk};
	struct sl_hx_req_edit e = {.fe = s->fe, .be = s->be, .ctx = &ctx, .client_ip = s->cip,
				   .server_close = s->fe->http_conn != SL_HTTP_KEEP_ALIVE ||
						   s->be->http_conn != SL_HTTP_KEEP_ALIVE,
				   .websocket = t->websocket};
	struct sl_hx_out o = {hx->out, HX_OUT_MAX, 0, false};
	if (!sl_hx_build_request(&o, &req, h, n, &e)) {
		hx_reply_and_close(s, 400); /* HAProxy: a head the rewrites overflow is refused */
		return;
	}
	char sni[256];
	if (!srv_open(s, o.len, srv_sni(s, &req, h, n, sni, sizeof(sni)))) {
		hx_reply_and_close(s, 503);
		return;
	}
	s->rs = RS_HEAD;
	if (s->be != s->fe && hx_pxc(s, s->be) != NULL)
		hx_pxc(s, s->be)->req_tot++;
	if (s->rq == RQ_BODY) {
		/* body bytes that came with the head go now; no retry once a body streams */
		t->retries = 0;
		int r = hx_flush_buffered_body(s, t->req_hl, s->srv, t->req_body, &t->req_left,
					       &t->req_ck);
		t->req_hl = 0;
		if (r < 0) {
			hx_reply_and_close(s, 400);
			return;
		}
		if (r == 1)
			s->rq = RQ_DONE;
	}
}

/*
 * The server connection failed before a response head: `retries` more attempts, then 503. As
 * HAProxy: a retry goes to the same server; with `option redispatch` the last one goes to
 * another server (the failed one is avoided while another is usable, and a persistence cookie
 * gives way).
 */
static void srv_failed(struct hx_sess *s)
{
	struct hx_txn *t = &s->t;
	int32_t failed = s->srv_idx >= 0 ? s->srv_gidx : -1;
	struct sl_hx_pxctr *b = hx_pxc(s, s->be);
	if (b != NULL)
		b->econ++;
	if (failed >= 0)
		s->hx->srvc[failed].econ++;
	srv_release(s, true);
	if (s->rs == RS_HEAD && t->retries > 0 && s->rq == RQ_DONE && t->req_hl > 0) {
		bool last = t->retries == 1;
		t->retries--;
		hx_ctr(s, SL_CTR_HTTP_RETRIES);
		if (b != NULL)
			b->wretr++;
		if (failed >= 0)
			s->hx->srvc[failed].wretr++;
		if (s->be->redispatch && last) {
			hx_ctr(s, SL_CTR_HTTP_REDISPATCH);
			if (b != NULL)
				b->wredis++;
			if (failed >= 0)
				s->hx->srvc[failed].wredis++;
			t->ck_len = 0; /* option redispatch: persistence gives way */
			t->avoid_gidx = failed;
			t->same_gidx = -1;
		} else {
			t->same_gidx = failed;
		}
		s->rs = RS_NONE;
		hx_dispatch(s);
		return;
	}
	hx_alog_term(s, s->al_cto ? "sC" : "SC");
	hx_reply_and_close(s, 503);
}

/* A complete response head at rbuf[0, hl). */
static void start_response(struct hx_sess *s, int hl, const struct sl_http1_resp *rsp,
			   struct sl_http1_hdr *h, size_t n)
{
	struct sl_http *hx = s->hx;
	struct hx_txn *t = &s->t;
	t->t_rsp = hx->lc->now_ms;
	if (t->req_hl > 0) { /* the kept request head is no longer needed */
		memmove(s->buf, s->buf + t->req_hl, s->blen - t->req_hl);
		s->blen -= t->req_hl;
		t->req_hl = 0;
		if (s->blen == 0)
			buf_put(s);
	}
	struct sl_http1_req rq = {.meth = t->head_req ? SL_HTTP1_M_HEAD : SL_HTTP1_M_GET,
				  .minor = t->minor};
	uint64_t len = 0;
	enum sl_http1_body body = sl_http1_body_info(&rq, rsp, &len);
	bool interim = rsp->status >= 100 && rsp->status < 200 && rsp->status != 101;
	bool tunnel = rsp->status == 101 && t->websocket;
	if (rsp->status == 101 && !t->websocket) {
		hx_alog_term(s, "PH");
		hx_reply_and_close(s, 502); /* an upgrade nobody asked for */
		return;
	}
	if (body == SL_HTTP1_BODY_UNTIL_CLOSE)
		t->keep_alive = false; /* its end is the server's close: ours follows */
	struct sl_acl_stk_ops stk;
	hx_stk_ops(s, &stk);
	stk.track = NULL;
	struct sl_acl_ctx ctx = {.src = s->cip, .src_port = s->cport, .dst = s->vip,
				 .dst_port = s->vport, .ssl = s->tls != NULL, .sni = hx_sni(s),
				 .sni_len = hx_sni_len(s), .cert = hx_cert(s), .scratch = hx->scratch, .stk = &stk};
	struct sl_hx_rsp_edit e = {.fe = s->fe, .be = s->be, .ctx = &ctx,
				   .srv_cookie = s->srv_cookie, .direct = t->direct,
				   .meth = (enum sl_http1_method)t->meth,
				   .now_s = (uint32_t)time(NULL),
				   .last_date = t->direct ? t->ck_last : 0,
				   .first_date = t->direct ? t->ck_first : 0,
				   .close_client = !t->keep_alive && !interim && !tunnel,
				   .client_10_ka = t->client_10_ka && !interim,
				   .tunnel = tunnel};
	struct sl_hx_out o = {hx->out, HX_OUT_MAX, 0, false};
	if (!interim)
		hx_alog_rsp(s, h, n);
	if (!sl_hx_build_response(&o, rsp, h, n, &e) || !hx_cli_send(s, o.buf, o.len)) {
		hx_reply_and_close(s, 502);
		return;
	}
	hx_ctr(s, SL_CTR_HTTP_RESPONSES);
	hx_alog_out_head(s, o.buf, o.len);
	if (!interim)
		hx_count_rsp(s, rsp->status, true);
	/* what came after the head: body bytes (by copy) */
	uint32_t rest = s->rlen - (uint32_t)hl;
	memmove(s->rbuf, s->rbuf + hl, rest);
	s->rlen = rest;
	if (interim) { /* 100 Continue and friends: the real head follows */
		s->rs = RS_HEAD;
		return;
	}
	if (tunnel) {
		hx_ctr(s, SL_CTR_HTTP_TUNNELS);
		s->rq = RQ_TUNNEL;
		s->rs = RS_TUNNEL;
		t->req_body = t->rsp_body = SL_HTTP1_BODY_TUNNEL;
		if (s->rlen > 0 && !hx_cli_send(s, s->rbuf, s->rlen)) {
			hx_reply_and_close(s, 502);
			return;
		}
		rbuf_put(s);
		/* bytes the client sent after its handshake belong to the tunnel */
		if (s->blen > 0 && (s->srv == NULL || !hx_srv_send(s, s->buf, s->blen))) {
			hx_reply_and_close(s, 502);
			return;
		}
		buf_put(s);
		hx_arm(s, TMO_TUNNEL);
		return;
	}
	t->rsp_body = (uint8_t)body;
	t->rsp_left = len;
	sl_http1_chunk_init(&t->rsp_ck);
	s->rs = RS_BODY;
	if (s->rlen > 0) {
		bool done = false;
		int64_t k = hx_body_take(t->rsp_body, &t->rsp_left, &t->rsp_ck, s->rbuf, s->rlen,
					 &done);
		if (k < 0 || (k > 0 && !hx_cli_send(s, s->rbuf, (size_t)k))) {
			hx_reply_and_close(s, 502);
			return;
		}
		if (done)
			s->rs = RS_DONE; /* nothing may follow a response: the rest is dropped */
	} else if (body == SL_HTTP1_BODY_NONE) {
		s->rs = RS_DONE;
	}
	rbuf_put(s);
}

/* The transaction is over: next request (keep-alive) or close. */
static void end_transaction(struct hx_sess *s)
{
	hx_count_times(s);
	hx_count_bytes(s);
	srv_release(s, false);
	hx_alog_end(s);
	s->t_idle = s->hx->lc->now_ms;
	if (!s->t.keep_alive || s->cli_eof) {
		hx_cli_shutdown(s);
		closing(s);
		return;
	}
	s->rq = RQ_HEAD;
	s->rs = RS_NONE;
	s->first = false;
	s->be = NULL;
	if (s->blen == 0)
		buf_put(s);
	hx_arm(s, TMO_KA);
}

/* The request direction in RQ_HEAD: reads the head, starts the transaction once it parses.
 * Returns -1 when the session ended or closes, 1 when it progressed, 0 when it waits. */
static int request_head(struct hx_sess *s)
{
	struct sl_http *hx = s->hx;
	int progress = 0;
	if (hx_cli_has_input(s) && s->blen < hx->bufsize) {
		if (!hx_buf_get(s)) { /* no head buffer free: try again at the next tick */
			hx->starved = true;
			return 0;
		}
		ssize_t r = hx_cli_recv(s, s->buf + s->blen, hx->bufsize - s->blen);
		if (r > 0) {
			s->blen += (uint32_t)r;
			progress = 1;
		} else if (r == -EPROTO) { /* not TLS, or broken: close, nothing to say */
			s->al_done = true;
			hx_sess_free(s);
			return -1;
		} else if (r == 0 && s->tls != NULL) {
			s->cli_eof = true; /* close_notify */
		}
		if (s->blen == 0)
			buf_put(s);
	}
	if (s->blen > 0) {
		struct sl_http1_req req;
		struct sl_http1_hdr h[SL_HTTP1_MAX_HDRS_DEFAULT];
		size_t n = SL_HTTP1_MAX_HDRS_DEFAULT;
		int hl = sl_http1_parse_request(s->buf, s->blen, hx->bufsize, &req, h, &n);
		if (hl == -1) {
			hx_keep_error(s, sl_http1_err_name(req.err));
			s->t.minor = 1;
			hx_reply_and_close(s, 400);
			return -1;
		}
		if (hl > 0) {
			if (s->tmo == TMO_REQ || s->tmo == TMO_KA)
				hx_arm(s, TMO_NONE);
			start_request(s, hl, &req, h, n);
			return s->busy && s->rs != RS_CLOSING ? 1 : -1;
		}
		if (s->blen >= hx->bufsize) {
			hx_reply_and_close(s, 400);
			return -1;
		}
	}
	if (s->cli_eof && sl_tcp_readable(s->cli) == 0) {
		/* the client left between requests (or mid-head) */
		hx_cli_shutdown(s);
		closing(s);
		return -1;
	}
	return progress;
}

/* Does everything the states allow; called on every event. */
void hx_run(struct hx_sess *s)
{
	struct hx_txn *t = &s->t;
	if (s->pp_wait && s->busy && hx_pp_read(s) <= 0)
		return; /* accept-proxy: nothing before the PROXY header */
	if (s->tcp) {
		hx_tp_run(s);
		return;
	}
	if (s->tls != NULL && s->busy)
		hx_tls_flush(s); /* the client's send space may have opened */
	if (s->stls != NULL && s->busy)
		hx_stls_flush(s); /* the server's too */
	for (int guard = 0; guard < 64 && s->busy && s->rs != RS_CLOSING; guard++) {
		bool progress = false;
		bool cli_moved = false, srv_moved = false; /* bytes moved: inactivity timers */
		/* ---- a server on TLS: its handshake, before anything else goes to it */
		if (s->stls != NULL && s->srv_st == SRV_CONNECTING && s->srv_tcp_up) {
			int h = hx_srv_handshake(s);
			if (h < 0) {
				srv_failed(s); /* as a refused connection: retry, redispatch, 503 */
				return;
			}
			if (h > 0) {
				srv_up(s);
				progress = true;
			}
		}
		/* ---- client -> us */
		if (s->rq == RQ_HEAD) {
			int r = request_head(s);
			if (r < 0)
				return;
			if (r > 0 && s->rq != RQ_HEAD)
				continue; /* a transaction started */
			progress = r > 0;
		} else if ((s->rq == RQ_BODY || s->rq == RQ_TUNNEL) &&
			   (s->srv != NULL || s->rs == RS_DONE)) {
			struct sl_tcp_conn *dst = s->rs == RS_DONE ? NULL : s->srv;
			bool moved = false;
			int r = s->tls != NULL ?
					hx_move_body_from_tls(s, false, dst, t->req_body, &t->req_left,
							      &t->req_ck, true, &moved) :
					hx_move_body(s, s->cli, dst, t->req_body, &t->req_left,
						     &t->req_ck, true, &moved);
			if (r < 0) {
				hx_reply_and_close(s, 400);
				return;
			}
			cli_moved |= moved;
			if (r == 1 && s->rq == RQ_BODY) {
				s->rq = RQ_DONE;
				progress = true;
			}
			if (s->rq == RQ_TUNNEL && s->cli_eof && sl_tcp_readable(s->cli) == 0 &&
			    s->srv != NULL)
				hx_srv_shutdown(s);
		}
		/* ---- server -> client */
		if (s->srv != NULL && s->rs == RS_HEAD && (s->stls == NULL || s->srv_st == SRV_OPEN) &&
		    hx_srv_readable(s)) {
			if (s->tmo == TMO_SERVER || s->tmo == TMO_CONNECT)
				hx_arm(s, TMO_NONE);
			if (!pool_get(s->hx, &s->rbuf, &s->rlen)) {
				hx_reply_and_close(s, 502);
				return;
			}
			ssize_t r = hx_srv_recv(s, s->rbuf + s->rlen, s->hx->bufsize - s->rlen);
			if (r > 0)
				s->rlen += (uint32_t)r;
			else if (r == 0 && s->stls != NULL)
				s->srv_eof = true; /* close_notify */
			else if (r == -EPROTO) {
				hx_reply_and_close(s, 502);
				return;
			}
			struct sl_http1_resp rsp;
			struct sl_http1_hdr h[SL_HTTP1_MAX_HDRS_DEFAULT];
			size_t n = SL_HTTP1_MAX_HDRS_DEFAULT;
			int hl = sl_http1_parse_response(s->rbuf, s->rlen, s->hx->bufsize, &rsp, h,
							 &n);
			if (hl == -1 || (hl == -2 && s->rlen >= s->hx->bufsize)) {
				hx_alog_term(s, "PH");
				hx_reply_and_close(s, 502);
				return;
			}
			if (hl > 0) {
				start_response(s, hl, &rsp, h, n);
				if (s->rs == RS_CLOSING || !s->busy)
					return;
			}
			progress = r > 0 || s->stls == NULL; /* TLS: records without data (tickets) */
		} else if (s->srv != NULL && (s->rs == RS_BODY || s->rs == RS_TUNNEL)) {
			bool moved = false;
			int r = s->stls != NULL ?
					hx_move_body_from_tls(s, true, s->cli, t->rsp_body, &t->rsp_left,
							      &t->rsp_ck, false, &moved) :
					hx_move_body(s, s->srv, s->cli, t->rsp_body, &t->rsp_left,
						     &t->rsp_ck, false, &moved);
			if (r < 0) {
				hx_sess_free(s); /* a broken body: nothing sensible can follow */
				return;
			}
			srv_moved |= moved;
			if (r == 1 && s->rs == RS_BODY) {
				s->rs = RS_DONE;
				progress = true;
			}
			if (s->srv_eof && !hx_srv_readable(s)) {
				if (s->rs == RS_TUNNEL) {
					/* the server ended the tunnel: so do we, on both sides */
					hx_count_times(s);
					srv_release(s, false);
					hx_alog_end(s);
					s->rq = RQ_DONE;
					hx_cli_shutdown(s);
					closing(s);
					return;
				}
				if (t->rsp_body == SL_HTTP1_BODY_UNTIL_CLOSE) {
					s->rs = RS_DONE;
					progress = true;
				} else if (s->rs != RS_DONE) {
					t->abrt = 2; /* the server cut its response short */
					hx_sess_free(s); /* truncated response: the client sees the close */
					return;
				}
			}
		}
		if (s->srv != NULL && s->rs == RS_HEAD && s->srv_eof && !hx_srv_readable(s) &&
		    (s->stls == NULL || s->srv_st == SRV_OPEN)) {
			hx_reply_and_close(s, 502); /* closed without a (complete) response */
			return;
		}
		/* ---- what the session waits for now, and its timer */
		if (s->rs == RS_TUNNEL) {
			hx_arm(s, TMO_TUNNEL); /* inactivity: every pass re-arms it */
		} else if (s->rs == RS_DONE && s->rq == RQ_DONE) {
			end_transaction(s);
			if (s->rs == RS_CLOSING)
				return;
			progress = true;
		} else if (s->srv_st == SRV_OPEN && s->rq == RQ_BODY && s->rs == RS_HEAD) {
			/* waiting for the client's body bytes: `timeout client` (inactivity) */
			if (cli_moved || progress || s->tmo != TMO_CLIENT)
				hx_arm(s, TMO_CLIENT);
		} else if (s->rs == RS_HEAD && s->srv_st == SRV_OPEN && s->rq == RQ_DONE &&
			   s->tmo != TMO_SERVER) {
			hx_arm(s, TMO_SERVER);
		} else if (s->rs == RS_BODY && (srv_moved || cli_moved || progress ||
						s->tmo == TMO_CONNECT || s->tmo == TMO_NONE)) {
			/* inactivity of the side we wait for: a client that does not read stalls
			 * us on its side, else the server owes us bytes */
			hx_arm(s, sl_tcp_writable(s->cli) == 0 ? TMO_CLIENT : TMO_SERVER);
		}
		if (!progress)
			break;
	}
	check_invariants(s);
}

/* ------------------------------------------------------------------ events */

void hx_sess_timeout(struct sl_tmr *tm, void *arg)
{
	struct hx_sess *s = arg;
	(void)tm;
	if (s->tmo == TMO_PROXY) {
		hx_pp_timeout(s);
		return;
	}
	if (s->tcp) {
		hx_tp_timeout(s);
		return;
	}
	switch (s->tmo) {
	case TMO_REQ:
		/* nothing received on a first request: a 408, unless the frontend ignores such
		 * probes (option http-ignore-probes: closed silently, no error counted) */
		if (s->blen > 0 || (s->first && !(s->fe != NULL && s->fe->http_ignore_probes))) {
			s->t.minor = 1;
			hx_reply_and_close(s, 408);
		} else {
			s->al_done = true; /* option http-ignore-probes: no line either */
			hx_sess_free(s);
		}
		return;
	case TMO_QUEUE: /* no slot in time: HAProxy answers 503 */
		s->hx->queue_timeouts++;
		hx_alog_term(s, "sQ");
		hx_reply_and_close(s, 503);
		return;
	case TMO_CONNECT:
		s->al_cto = true;
		srv_failed(s);
		return;
	case TMO_SERVER:
		if (s->rs == RS_HEAD) {
			hx_reply_and_close(s, 504);
			return;
		}
		hx_alog_term(s, "sD");
		hx_sess_free(s);
		return;
	case TMO_CLIENT:
		hx_alog_term(s, "cD");
		if (s->rq == RQ_BODY && s->rs == RS_HEAD) { /* a request body that stopped */
			hx_reply_and_close(s, 408);
			return;
		}
		hx_sess_free(s); /* a client that stopped reading its response */
		return;
	default: /* keep-alive idle, tunnel, client-fin */
		if (s->tmo == TMO_TUNNEL)
			hx_alog_term(s, "cD");
		hx_sess_free(s);
		return;
	}
}

/* Data or room on either connection: run the session (HTTP or proxied TCP: hx_run() runs the
 * engine the session is), then count the client's bytes. */
void hx_sess_event(struct sl_tcp_conn *c, void *arg)
{
	struct hx_sess *s = arg;
	(void)c;
	hx_run(s);
	if (s->busy)
		hx_count_bytes(s);
}

static void cli_peer_closed(struct sl_tcp_conn *c, void *arg)
{
	struct hx_sess *s = arg;
	(void)c;
	s->cli_eof = true;
	s->t.keep_alive = false;
	hx_run(s);
}

static void cli_error(struct sl_tcp_conn *c, void *arg, int reason)
{
	(void)c;
	(void)arg;
	(void)reason;
}

static void cli_closed(struct sl_tcp_conn *c, void *arg)
{
	struct hx_sess *s = arg;
	(void)c;
	if (s->busy && s->rs != RS_CLOSING && s->t.abrt == 0)
		s->t.abrt = 1; /* the client went before its response was done */
	hx_sess_free(s); /* both directions over (or reset) */
}

/* the client connection's events, for HTTP and proxied TCP sessions alike (hx_run() runs
 * the one the session is) */
const struct sl_tcp_cbs hx_cli_cbs = {
	.readable = hx_sess_event,
	.writable = hx_sess_event,
	.peer_closed = cli_peer_closed,
	.error = cli_error,
	.closed = cli_closed,
};

/* The server connection is usable: TCP connected, and TLS done on an `ssl` server. */
static void srv_up(struct hx_sess *s)
{
	s->srv_st = SRV_OPEN;
	s->t.t_conn = s->hx->lc->now_ms;
	if (s->tmo == TMO_CONNECT)
		hx_arm(s, s->rs == RS_TUNNEL ? TMO_TUNNEL : TMO_SERVER);
}

static void srv_connected(struct sl_tcp_conn *c, void *arg)
{
	struct hx_sess *s = arg;
	(void)c;
	s->srv_tcp_up = true;
	if (s->stls == NULL) /* TLS: `timeout connect` covers the handshake too, as HAProxy's */
		srv_up(s);
	hx_run(s);
}

static void srv_peer_closed(struct sl_tcp_conn *c, void *arg)
{
	struct hx_sess *s = arg;
	(void)c;
	s->srv_eof = true;
	hx_run(s);
}

static void srv_error(struct sl_tcp_conn *c, void *arg, int reason)
{
	struct hx_sess *s = arg;
	(void)c;
	if (s->rs == RS_HEAD && s->srv_st != SRV_OPEN) {
		srv_failed(s);
		return;
	}
	if (s->rs == RS_HEAD) {
		hx_reply_and_close(s, 502);
		return;
	}
	s->srv_eof = true;
	if (s->stls != NULL) { /* nothing more goes over a broken connection */
		sl_tls_conn_free(s->stls);
		s->stls = NULL;
	}
	srv_conn_drop(s, false);
	s->srv_st = SRV_NONE;
	if (s->rs != RS_DONE && s->t.rsp_body != SL_HTTP1_BODY_UNTIL_CLOSE && s->rs != RS_TUNNEL) {
		s->t.abrt = 2; /* the server went in the middle of its response */
		hx_sess_free(s);
		return;
	}
	if (s->rs == RS_TUNNEL) {
		hx_sess_free(s);
		return;
	}
	s->rs = RS_DONE;
	hx_run(s);
}

static void srv_closed(struct sl_tcp_conn *c, void *arg)
{
	struct hx_sess *s = arg;
	if (s->srv == c) {
		s->srv_eof = true;
		hx_run(s);
	}
}

static const struct sl_tcp_cbs srv_cbs = {
	.connected = srv_connected,
	.readable = hx_sess_event,
	.writable = hx_sess_event,
	.peer_closed = srv_peer_closed,
	.error = srv_error,
	.closed = srv_closed,
};

/* A session from the pool for connection @c accepted on @l, counted in its frontend; NULL when
 * none is free or TLS has no memory (counted: the caller resets the connection). */
struct hx_sess *hx_sess_take(struct sl_http *hx, const struct hx_listener *l,
			     struct sl_tcp_conn *c)
{
	struct hx_sess *s = hx->free;
	if (s == NULL) {
		hx->lc->ctr->c[SL_CTR_HTTP_SESS_FULL]++;
		return NULL; /* RST: refused, counted */
	}
	struct sl_tls_conn *tls = NULL;
	if (l->tls != NULL && (tls = sl_tls_conn_new(l->tls)) == NULL) {
		hx->lc->ctr->c[SL_CTR_HTTP_TLS_NOMEM]++; /* OpenSSL had no memory for it */
		return NULL;
	}
	check_pooled(s);
	hx->free = s->next_free;
	hx->active++;
	struct sl_tmr keep = s->tmr;
	memset(s, 0, sizeof(*s));
	s->tmr = keep;
	s->hx = hx;
	s->fe = l->fe;
	s->cfg = hx->lc->cfg;
	s->cli = c;
	s->tls = tls;
	s->busy = true;
	s->first = true;
	s->rq = RQ_HEAD;
	s->rs = RS_NONE;
	s->srv_st = SRV_NONE;
	s->srv_idx = -1;
	s->t_accept = hx->lc->now_ms;
	sl_tcp_endpoints(c, &s->vip, &s->vport, &s->cip, &s->cport);
	s->pp_wait = l->bind != NULL && l->bind->accept_proxy;
	if (hx_pxc(s, s->fe) != NULL)
		hx_pxc(s, s->fe)->stot++;
	sl_tmr_init(&s->tmr, hx_sess_timeout, s);
	return s;
}

static int hx_accepted(struct sl_tcp_conn *c, void *arg)
{
	struct hx_listener *l = arg;
	if (hx_conn_rules_reject(l->hx, l->fe, c))
		return -1; /* tcp-request connection reject: RST before any byte is read */
	struct hx_sess *s = hx_sess_take(l->hx, l, c);
	if (s == NULL)
		return -1;
	sl_tcp_set_cbs(c, &hx_cli_cbs, s);
	hx_arm(s, s->pp_wait ? TMO_PROXY : TMO_REQ);
	return 0;
}

const struct sl_tcp_cbs hx_listen_cbs = {.accepted = hx_accepted};
