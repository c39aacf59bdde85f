/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The proxied TCP engine, on the proxy lcores: a mode tcp frontend whose features need the
 * stream (tcp-request content rules, use_backend) is terminated by the lcore's TCP stack
 * as HTTP is, and relayed to a server it picks with the same balance code: HAProxy's TCP proxy
 * (docs/architecture.md, "The proxied TCP engine"). The sessions are the HTTP engine's
 * (struct hx_sess, flagged tcp): the same pool, listeners, server queue, counters, reload
 * following and timers; only the state machine is this file's:
 *
 *   accepted: `tcp-request connection` rules on the connection's addresses (a reject is a RST,
 *             counted in the frontend's dcon);
 *   TLS:      on an `ssl` bind, the handshake (tls_step(), `timeout client`) before the
 *             rules: they and the server see the plaintext, ssl_fc/ssl_fc_sni are known;
 *   inspect:  rq RQ_HEAD. The client's bytes are copied into the head buffer until the
 *             `tcp-request content` rules decide or `tcp-request inspect-delay` expires
 *             (then they are evaluated with what is there, as HAProxy's); a reject closes
 *             the connection (FIN, as HAProxy's), counted in dreq. Then use_backend (evaluated once, on what arrived) or the
 *             default backend, and a server (or the queue);
 *   relay:    rq RQ_TUNNEL, rs RS_TUNNEL. The buffered bytes go to the server first, then both
 *             directions move as the stack's received chains (no copy); each side's end of
 *             stream is passed on as a FIN (half-close), and the session ends when both
 *             directions are over. `timeout connect` while connecting, `timeout tunnel`
 *             (else `timeout client`) for inactivity.
 *
 * A component for every proxied TCP feature (TLS termination on a mode tcp bind, the PROXY
 * protocol): they add steps before the relay, the relay stays. With TLS the relay decrypts the
 * client's records into the lcore's scratch buffer and encrypts the server's chains into
 * records (hx_move_body_from_tls(), hx_move_body()), as the HTTPS path's bodies.
 */
#include <errno.h>
#include <string.h>

#include "controlplane/cfg/cfg.h"
#include "controlplane/cfg/cfg_reload.h"
#include "dataplane/core/ipout.h"
#include "dataplane/core/lcore.h"
#include "dataplane/http/http_int.h"
#include "dataplane/rules/acl_eval.h"
#include "dataplane/tcp/stack.h"
#include "tls/tls.h"

static const struct sl_tcp_cbs tp_srv_cbs;

/* The connection's facts for the rules (no bytes: the payload is set by the caller). */
static struct sl_acl_ctx conn_ctx(struct sl_http *hx, struct sl_tcp_conn *c)
{
	struct sl_acl_ctx ctx = {.scratch = hx->scratch, .payload_final = true};
	sl_tcp_endpoints(c, &ctx.dst, &ctx.dst_port, &ctx.src, &ctx.src_port);
	return ctx;
}

bool hx_conn_rules_reject(struct sl_http *hx, const struct sl_proxy *fe, struct sl_tcp_conn *c)
{
	if (fe->tcp_conn_rules == NULL)
		return false;
	struct sl_acl_ctx ctx = conn_ctx(hx, c);
	if (!sl_tcp_conn_rejected(fe, &ctx))
		return false;
	if (fe->slot > 0 && fe->slot <= SL_PX_SLOTS)
		hx->pxc[fe->slot].dcon++;
	hx->lc->ctr->c[SL_CTR_TCP_RULE_REJECT]++;
	return true;
}

/* The session ends without a server (a content reject, no server, a failed connection): the
 * client's connection is closed (FIN), as HAProxy 2.6 closes it. */
static void tp_close(struct hx_sess *s)
{
	hx_sess_free(s);
}

/* ------------------------------------------------------------------ the decision */

enum tp_verdict { TP_WAIT, TP_GO, TP_REJECT };

/* `tcp-request content` rules over the bytes so far: wait, go on, or reject. */
static enum tp_verdict content_rules(struct hx_sess *s, const struct sl_acl_ctx *ctx)
{
	for (const struct sl_tcp_rule *r = s->fe->tcp_content_rules; r != NULL; r = r->next) {
		enum sl_acl_res v = sl_acl_cond_eval3(s->fe, r->cond, ctx);
		if (v == SL_ACL_MISS)
			return TP_WAIT; /* payload_final is false here: a miss needs more bytes */
		if (v == SL_ACL_FAIL)
			continue;
		return r->action == SL_TCPR_ACCEPT ? TP_GO : TP_REJECT;
	}
	return TP_GO;
}

/* The backend: the first use_backend whose condition holds on what arrived, else the default
 * (a listen section is its own). */
static const struct sl_proxy *pick_backend(struct hx_sess *s, const struct sl_acl_ctx *ctx)
{
	for (const struct sl_switch *sw = s->fe->switches; sw != NULL; sw = sw->next)
		if (sl_acl_cond_eval(s->fe, sw->cond, ctx))
			return sl_cfg_find_proxy(s->cfg, sw->backend, SL_CAP_BE);
	if (s->fe->default_backend != NULL)
		return sl_cfg_find_proxy(s->cfg, s->fe->default_backend, SL_CAP_BE);
	return (s->fe->cap & SL_CAP_BE) ? s->fe : NULL;
}

/* Runs the content rules on the bytes so far (@final: no more will be waited for), then
 * routes. */
static void decide(struct hx_sess *s, bool final)
{
	struct sl_http *hx = s->hx;
	struct sl_acl_ctx ctx = conn_ctx(hx, s->cli);
	ctx.src = s->cip; /* the session's: a PROXY header may have announced others */
	ctx.src_port = s->cport;
	ctx.dst = s->vip;
	ctx.dst_port = s->vport;
	ctx.ssl = s->tls != NULL;
	ctx.sni = s->tls != NULL ? sl_tls_sni(s->tls) : NULL;
	ctx.sni_len = ctx.sni != NULL ? strlen(ctx.sni) : 0;
	ctx.payload = (const uint8_t *)s->buf;
	ctx.payload_len = s->buf != NULL ? s->blen : 0;
	ctx.payload_final = final;
	if (ctx.payload == NULL)
		ctx.payload = (const uint8_t *)"";
	switch (content_rules(s, &ctx)) {
	case TP_WAIT:
		return;
	case TP_REJECT:
		if (hx_pxc(s, s->fe) != NULL)
			hx_pxc(s, s->fe)->dreq++;
		hx->lc->ctr->c[SL_CTR_TCP_RULE_REJECT]++;
		tp_close(s);
		return;
	case TP_GO:
		break;
	}
	/* use_backend is evaluated once, on the bytes there (HAProxy's switching rules) */
	ctx.payload_final = true;
	s->be = pick_backend(s, &ctx);
	if (s->be == NULL || s->be->nservers == 0) {
		tp_close(s);
		return;
	}
	hx_arm(s, TMO_NONE);
	s->t = (struct hx_txn){.same_gidx = -1, .avoid_gidx = -1,
			       .req_body = SL_HTTP1_BODY_TUNNEL, .rsp_body = SL_HTTP1_BODY_TUNNEL};
	s->t.retries = s->be->retries > 0 ? s->be->retries : 0;
	s->t.t_req = hx->lc->now_ms ? hx->lc->now_ms : 1;
	hx_tp_dispatch(s);
}

/* ------------------------------------------------------------------ the server */

/* A server for the session (or its place in the queue), the connection opened and the
 * inspected bytes sent first. */
void hx_tp_dispatch(struct hx_sess *s)
{
	struct sl_http *hx = s->hx;
	enum hx_pick p = hx_pick_server(s, NULL, 0, NULL, NULL, 0);
	if (p == PICK_QUEUE) {
		if (s->srv_st != SRV_QUEUED) {
			hx_q_append(s);
			hx_arm(s, TMO_QUEUE);
		}
		return;
	}
	hx_q_remove(s);
	if (p == PICK_NONE) {
		hx_ctr(s, SL_CTR_HTTP_ERR_503);
		tp_close(s);
		return;
	}
	int err = 0;
	uint32_t src = s->srv_src != 0 ? s->srv_src : sl_ip_route_src(hx->lc, s->srv_ip);
	s->srv = sl_tcp_connect(hx->lc->tcp, src, 0, s->srv_ip, s->srv_port, &tp_srv_cbs, s, &err);
	if (s->srv == NULL || !hx_pp_send(s)) { /* send-proxy: the header first */
		tp_close(s);
		return;
	}
	s->srv_st = SRV_CONNECTING;
	s->srv_eof = false;
	s->t.t_open = hx->lc->now_ms;
	s->rq = RQ_TUNNEL;
	s->rs = RS_TUNNEL;
	/* the inspected bytes are queued now and kept until the server answers (a retry sends
	 * them again on its new connection) */
	if (s->buf != NULL && s->blen > 0 && sl_tcp_send(s->srv, s->buf, s->blen) != s->blen) {
		tp_close(s);
		return;
	}
	hx_arm(s, TMO_CONNECT);
}

/* The server could not be reached: `retries` more attempts (the last one elsewhere with
 * `option redispatch`), then the client's connection is reset. */
static void srv_failed(struct hx_sess *s)
{
	struct hx_txn *t = &s->t;
	int32_t failed = s->srv_idx >= 0 ? s->srv_gidx : -1;
	struct sl_hx_pxctr *b = hx_pxc(s, s->be);
	if (b != NULL)
		b->econ++;
	if (failed >= 0)
		s->hx->srvc[failed].econ++;
	if (s->srv != NULL) {
		sl_tcp_abort(s->srv);
		s->srv = NULL;
	}
	if (s->srv_idx >= 0) {
		hx_srv_slot_put(s->hx->lc, s->srv_gidx);
		s->srv_idx = -1;
	}
	s->srv_st = SRV_NONE;
	if (t->retries > 0) {
		bool last = t->retries == 1;
		t->retries--;
		if (b != NULL)
			b->wretr++;
		if (s->be->redispatch && last) {
			if (b != NULL)
				b->wredis++;
			t->avoid_gidx = failed;
			t->same_gidx = -1;
		} else {
			t->same_gidx = failed;
		}
		s->rq = RQ_HEAD;
		s->rs = RS_NONE;
		hx_tp_dispatch(s);
		return;
	}
	tp_close(s);
}

/* ------------------------------------------------------------------ the relay */

/* Both directions are over: the connections close gracefully and the session ends. */
static void tp_end(struct hx_sess *s)
{
	if (s->srv != NULL) {
		sl_tcp_close(s->srv);
		s->srv = NULL;
	}
	s->srv_st = SRV_NONE;
	hx_sess_free(s);
}

/* @flushed: records waiting for the client's window went out (activity, as bytes moved) */
static void relay(struct hx_sess *s, bool flushed)
{
	struct hx_txn *t = &s->t;
	bool moved = flushed;
	if (s->srv == NULL)
		return;
	if (!s->cli_shut_fwd) { /* client -> server */
		int r = s->tls != NULL ? hx_move_body_from_tls(s, false, s->srv, SL_HTTP1_BODY_TUNNEL,
							      &t->req_left, &t->req_ck, false,
							      &moved) :
					 hx_move_body(s, s->cli, s->srv, SL_HTTP1_BODY_TUNNEL,
						      &t->req_left, &t->req_ck, false, &moved);
		if (r < 0) {
			hx_sess_free(s);
			return;
		}
		if (s->cli_eof && sl_tcp_readable(s->cli) == 0 &&
		    (s->tls == NULL || sl_tls_in_pending(s->tls) == 0)) {
			sl_tcp_shutdown(s->srv); /* the client's FIN, passed on */
			s->cli_shut_fwd = true;
		}
	}
	if (!s->srv_shut_fwd) { /* server -> client */
		int r = hx_move_body(s, s->srv, s->cli, SL_HTTP1_BODY_TUNNEL, &t->rsp_left,
				     &t->rsp_ck, false, &moved);
		if (r < 0) {
			hx_sess_free(s);
			return;
		}
		if (s->srv_eof && sl_tcp_readable(s->srv) == 0 &&
		    (s->tls == NULL || sl_tls_out_pending(s->tls) == 0)) { /* records all sent */
			hx_cli_shutdown(s);
			s->srv_shut_fwd = true;
		}
	}
	if (s->cli_shut_fwd && s->srv_shut_fwd) {
		tp_end(s);
		return;
	}
	if (s->srv_st == SRV_OPEN && (moved || s->tmo != TMO_TUNNEL))
		hx_arm(s, TMO_TUNNEL); /* inactivity in both directions */
}

/*
 * An `ssl` bind's handshake, driven by hx_cli_recv() in the reading loop (which counts its
 * outcome in the lcore's tls_handshakes_* counters, as for HTTPS; a failure has ended the
 * session there). Returns true once it is done (the inspect-delay then starts), false while it
 * goes on (`timeout client`) or when the session ended (the client gone before its end).
 */
static bool tls_step(struct hx_sess *s)
{
	if (s->tls == NULL || s->tmo != TMO_CLIENT)
		return true;
	if (!sl_tls_established(s->tls)) {
		if (s->cli_eof)
			hx_sess_free(s);
		return false;
	}
	hx_arm(s, TMO_INSPECT);
	return true;
}

/* Does what the session's state allows; called on every event. */
void hx_tp_run(struct hx_sess *s)
{
	struct sl_http *hx = s->hx;
	if (!s->busy)
		return;
	size_t pending = s->tls != NULL ? sl_tls_out_pending(s->tls) : 0;
	if (s->tls != NULL)
		hx_tls_flush(s);
	bool flushed = s->tls != NULL && sl_tls_out_pending(s->tls) < pending;
	if (s->rq == RQ_HEAD) {
		if (s->srv_st == SRV_QUEUED)
			return; /* the bytes wait in the stack until a server is there */
		while (hx_cli_has_input(s) && (s->buf == NULL || s->blen < hx->bufsize)) {
			if (!hx_buf_get(s)) {
				hx->starved = true;
				return;
			}
			ssize_t r = hx_cli_recv(s, s->buf + s->blen, hx->bufsize - s->blen);
			if (r > 0) {
				s->blen += (uint32_t)r;
			} else if (r == 0) {
				s->cli_eof = true;
				break;
			} else if (r == -EPROTO) {
				hx_sess_free(s);
				return;
			} else {
				break;
			}
		}
		bool full = s->buf != NULL && s->blen >= hx->bufsize;
		if (!tls_step(s))
			return;
		if (s->tmo == TMO_INSPECT)
			decide(s, full || s->cli_eof);
		return;
	}
	relay(s, flushed);
}

void hx_tp_timeout(struct hx_sess *s)
{
	switch (s->tmo) {
	case TMO_INSPECT: /* HAProxy: the rules are evaluated with what is there */
		s->tmo = TMO_NONE;
		decide(s, true);
		return;
	case TMO_QUEUE:
		s->hx->queue_timeouts++;
		tp_close(s);
		return;
	case TMO_CONNECT:
		srv_failed(s);
		return;
	default: /* tunnel or client inactivity */
		hx_sess_free(s);
		return;
	}
}

/* ------------------------------------------------------------------ events */

static void srv_connected(struct sl_tcp_conn *c, void *arg)
{
	struct hx_sess *s = arg;
	(void)c;
	struct sl_http *hx = s->hx;
	s->srv_st = SRV_OPEN;
	s->t.t_conn = hx->lc->now_ms;
	if (s->buf != NULL) { /* the inspected bytes are the server's now */
		hx->bufs[hx->nbufs++] = s->buf;
		s->buf = NULL;
		s->blen = 0;
	}
	hx_arm(s, TMO_TUNNEL);
	hx_tp_run(s);
}

static void srv_peer_closed(struct sl_tcp_conn *c, void *arg)
{
	struct hx_sess *s = arg;
	(void)c;
	s->srv_eof = true;
	hx_tp_run(s);
}

static void srv_error(struct sl_tcp_conn *c, void *arg, int reason)
{
	struct hx_sess *s = arg;
	(void)c;
	if (s->srv_st == SRV_CONNECTING) {
		srv_failed(s); /* refused or unreachable */
		return;
	}
	hx_sess_free(s); /* a reset server: so is the client's connection */
}

static void srv_closed(struct sl_tcp_conn *c, void *arg)
{
	struct hx_sess *s = arg;
	if (s->srv == c) {
		s->srv_eof = true;
		hx_tp_run(s);
	}
}

static const struct sl_tcp_cbs tp_srv_cbs = {
	.connected = srv_connected,
	.readable = hx_sess_event,
	.writable = hx_sess_event,
	.peer_closed = srv_peer_closed,
	.error = srv_error,
	.closed = srv_closed,
};

static int tp_accepted(struct sl_tcp_conn *c, void *arg)
{
	struct hx_listener *l = arg;
	struct sl_http *hx = l->hx;
	if (hx_conn_rules_reject(hx, l->fe, c))
		return -1; /* RST */
	struct hx_sess *s = hx_sess_take(hx, l, c);
	if (s == NULL)
		return -1;
	s->tcp = true;
	sl_tcp_set_cbs(c, &hx_cli_cbs, s); /* the HTTP session's: they run hx_tp_run() */
	/* the decision runs from the events (never inside this callback, which must not
	 * release @c): on the client's bytes, or when the inspect-delay expires (at the next
	 * tick without content rules) */
	/* a PROXY header first (`timeout client`), or on an `ssl` bind the handshake, within
	 * `timeout client` (HAProxy's) */
	hx_arm(s, s->pp_wait ? TMO_PROXY : s->tls != NULL ? TMO_CLIENT : TMO_INSPECT);
	return 0;
}

const struct sl_tcp_cbs hx_tp_listen_cbs = {.accepted = tp_accepted};
