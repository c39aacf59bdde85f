/* SPDX-License-Identifier: BSD-3-Clause */
#include "dataplane/tcphost/httpchk.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <rte_malloc.h>

#include "controlplane/cfg/cfg-t.h"
#include "controlplane/check/check.h"
#include "dataplane/core/lcore.h"
#include "dataplane/tcp/stack.h"
#include "proto/proxy_proto.h"
#include "tls/tls.h"

_Static_assert(sizeof(struct sl_hchk_req) <= sizeof(((struct sl_msg *)0)->u.raw), "fits a msg");
_Static_assert(sizeof(struct sl_hchk_res) <= sizeof(((struct sl_msg *)0)->u.raw), "fits a msg");

static void report(struct sl_lcore *lc, uint16_t id, enum sl_check_status st, int code)
{
	struct sl_msg m = {.op = SL_MSG_HCHECK_RES};
	struct sl_hchk_res r = {.id = id, .status = (uint8_t)st, .code = code};
	memcpy(m.u.raw, &r, sizeof(r));
	sl_msg_to_main(lc, &m);
}

/*
 * One HTTP check: connect from this lcore's check port, send the request, read the status line
 * and up to a buffer of the body, judge it with the backend's expectations (controlplane/check/check.c)
 * and report. Failures before the connection: L4CON (refused) or L4TOUT; after: L7TOUT or L7RSP.
 */
struct hchk_slot {
	struct sl_lcore *lc;
	struct sl_tcp_conn *conn;
	struct sl_hchk_req req;
	uint64_t start_ms;
	bool busy, connected, reported;
	bool peer_eof; /* tcp-check: the server closed or failed: nothing more will come */
	bool sent;     /* check-ssl: the request went (after the handshake) */
	struct sl_tls_conn *tls; /* check-ssl: TLS over conn, or NULL */
	unsigned pc;   /* tcp-check: the rule to resume from */
	size_t len;
	char buf[2048];
	void *md;      /* tcp-check rstring: PCRE2 match data, made at start-up (kept by memset) */
};

static void hchk_report(struct hchk_slot *s, enum sl_check_status st, int code)
{
	if (s->reported)
		return;
	s->reported = true;
	report(s->lc, s->req.id, st, code); /* a full inbox loses it: the next check brings
					       * another */
}

/* Judges what was received (the server closed, or the buffer is full). */
static void hchk_judge(struct hchk_slot *s)
{
	s->buf[s->len < sizeof(s->buf) ? s->len : sizeof(s->buf) - 1] = '\0';
	int code = 0;
	char reason[64] = "";
	if (sscanf(s->buf, "HTTP/1.%*1[01] %3d %63[^\r\n]", &code, reason) < 1) {
		hchk_report(s, SL_CHK_L7RSP, 0);
		return;
	}
	const char *body = strstr(s->buf, "\r\n\r\n");
	size_t blen = 0;
	if (body != NULL) {
		body += 4;
		blen = s->len - (size_t)(body - s->buf);
	}
	hchk_report(s, sl_check_http_eval(s->req.chk, s->req.srv_down != 0, code, reason, body,
					  blen, NULL, 0),
		    code);
}

static void hchk_end(struct hchk_slot *s)
{
	if (s->conn != NULL) {
		sl_tcp_abort(s->conn); /* no more callbacks for it */
		s->conn = NULL;
	}
	sl_tls_conn_free(s->tls);
	s->tls = NULL;
	s->busy = false;
}

/* check-ssl: sends what TLS holds (records are small: a handshake flight, a request). */
static void tls_flush(struct hchk_slot *s, struct sl_tcp_conn *c)
{
	char tmp[2048];
	size_t n, w;
	while (sl_tls_out_pending(s->tls) > 0 && (w = sl_tcp_writable(c)) > 0 &&
	       (n = sl_tls_out(s->tls, tmp, w < sizeof(tmp) ? w : sizeof(tmp))) > 0)
		if (sl_tcp_send(c, tmp, n) != (ssize_t)n)
			return;
	if (sl_tls_out_pending(s->tls) > 0)
		sl_tcp_want_writable(c);
}

/*
 * check-ssl: feeds the server's ciphertext to TLS, sends the request once the handshake is
 * done, reads the plaintext answer into buf. Returns 0, or -1 when TLS failed (reported: a
 * handshake failure, e.g. a certificate that does not verify, is L6RSP as in HAProxy).
 */
static int tls_recv(struct hchk_slot *s, struct sl_tcp_conn *c)
{
	char tmp[2048];
	ssize_t r;
	bool bad = false;
	while ((r = sl_tcp_recv(c, tmp, sizeof(tmp))) > 0)
		if (sl_tls_in(s->tls, tmp, (size_t)r) < 0) {
			bad = true;
			break;
		}
	r = -EAGAIN;
	while (!bad && s->len < sizeof(s->buf) - 1 &&
	       (r = sl_tls_read(s->tls, s->buf + s->len, sizeof(s->buf) - 1 - s->len)) > 0)
		s->len += (size_t)r;
	if (!bad && !s->sent && sl_tls_established(s->tls)) {
		s->sent = true;
		(void)sl_tls_write(s->tls, s->req.tgt->text, s->req.tgt->text_len);
	}
	tls_flush(s, c);
	if (bad || r == -EPROTO) {
		hchk_report(s, sl_tls_established(s->tls) ? SL_CHK_L7RSP : SL_CHK_L6RSP, 0);
		return -1;
	}
	return 0;
}

/* tcp-check: runs the rules until one waits for bytes or the check is over. @can_send: the
 * connection still takes data and may be ended here (false in the error callback: the stack's
 * `closed` ends it). */
static void tc_run(struct hchk_slot *s, bool can_send)
{
	while (s->busy && !s->reported) {
		const struct sl_tcpchk_rule *snd = NULL;
		enum sl_check_status st = SL_CHK_L7RSP;
		bool last_read = s->peer_eof || s->len >= sizeof(s->buf) - 1;
		switch (sl_tcpchk_step(s->req.tcp_rules, &s->pc, s->buf, s->len, last_read, s->md,
				       &snd, &st)) {
		case SL_TCPCHK_DO_SEND:
			if (!can_send || s->conn == NULL ||
			    sl_tcp_send(s->conn, snd->data, snd->len) != (ssize_t)snd->len) {
				hchk_report(s, SL_CHK_L7RSP, 0);
				if (can_send)
					hchk_end(s);
				return;
			}
			s->len = 0; /* an expect after a send judges the answer to it */
			continue;
		case SL_TCPCHK_DO_WAIT:
			return;
		case SL_TCPCHK_DO_DONE:
			hchk_report(s, st, 0);
			if (can_send) /* else the stack's `closed` follows */
				hchk_end(s);
			return;
		}
	}
}

static void hchk_connected(struct sl_tcp_conn *c, void *arg)
{
	struct hchk_slot *s = arg;
	s->connected = true;
	if (s->req.tcp) {
		tc_run(s, true);
		return;
	}
	if (s->req.tgt->tls != NULL) { /* check-ssl: the ClientHello, the request after it */
		s->tls = sl_tls_client_new(s->req.tgt->tls[s->lc->proxy_idx], s->req.tgt->sni, NULL);
		if (s->tls == NULL) {
			hchk_report(s, SL_CHK_SOCKERR, 0);
			hchk_end(s);
			return;
		}
		tls_flush(s, c);
		return;
	}
	sl_tcp_send(c, s->req.tgt->text, s->req.tgt->text_len);
}

static void hchk_writable(struct sl_tcp_conn *c, void *arg)
{
	struct hchk_slot *s = arg;
	if (s->tls != NULL)
		tls_flush(s, c);
}

static void hchk_readable(struct sl_tcp_conn *c, void *arg)
{
	struct hchk_slot *s = arg;
	ssize_t r;
	if (s->tls != NULL) {
		if (tls_recv(s, c) < 0) {
			hchk_end(s);
			return;
		}
	} else {
		while (s->len < sizeof(s->buf) - 1 &&
		       (r = sl_tcp_recv(c, s->buf + s->len, sizeof(s->buf) - 1 - s->len)) > 0)
			s->len += (size_t)r;
	}
	if (s->req.tcp) {
		tc_run(s, true);
		return;
	}
	if (s->len >= sizeof(s->buf) - 1) {
		hchk_judge(s);
		hchk_end(s);
	}
}

static void hchk_peer_closed(struct sl_tcp_conn *c, void *arg)
{
	struct hchk_slot *s = arg;
	if (s->req.tcp) {
		s->peer_eof = true;
		hchk_readable(c, arg);
		return;
	}
	hchk_readable(c, arg);
	if (s->busy) {
		if (s->tls != NULL && !sl_tls_established(s->tls))
			hchk_report(s, SL_CHK_L6RSP, 0); /* closed during the handshake */
		else
			hchk_judge(s);
		hchk_end(s);
	}
}

static void hchk_error(struct sl_tcp_conn *c, void *arg, int reason)
{
	struct hchk_slot *s = arg;
	if (!s->connected)
		hchk_report(s, reason == SL_TCP_ERR_REFUSED ? SL_CHK_L4CON : SL_CHK_L4TOUT, 0);
	else if (s->req.tcp) {
		s->peer_eof = true; /* judged on what came before the error */
		tc_run(s, false);
		hchk_report(s, SL_CHK_L7RSP, 0);
	} else if (s->tls != NULL && !sl_tls_established(s->tls))
		hchk_report(s, SL_CHK_L6RSP, 0);
	else if (s->len > 0)
		hchk_judge(s);
	else
		hchk_report(s, SL_CHK_L7RSP, 0);
}

static void hchk_closed(struct sl_tcp_conn *c, void *arg)
{
	struct hchk_slot *s = arg;
	sl_tcp_close(c);
	s->conn = NULL;
	sl_tls_conn_free(s->tls);
	s->tls = NULL;
	hchk_report(s, SL_CHK_L7RSP, 0);
	s->busy = false;
}

static const struct sl_tcp_cbs hchk_cbs = {
	.connected = hchk_connected,
	.readable = hchk_readable,
	.writable = hchk_writable,
	.peer_closed = hchk_peer_closed,
	.error = hchk_error,
	.closed = hchk_closed,
};

/* The checks of one proxy lcore (lc->th). Written by that lcore only. */
struct sl_tcphost {
	uint16_t lo;	/* this lcore's first check port (the port plan's slice) */
	unsigned nslot; /* its check ports: slots in use (<= SL_HCHK_SLOTS) */
	struct hchk_slot slot[SL_HCHK_SLOTS];
};

/* SL_MSG_HCHECK: starts the check from a free slot's port. */
static void hchk_msg(struct sl_lcore *lc, void *st, const struct sl_msg *m)
{
	struct sl_tcphost *th = st;
	struct sl_hchk_req req;
	memcpy(&req, m->u.raw, sizeof(req));
	unsigned k;
	for (k = 0; k < th->nslot && th->slot[k].busy; k++)
		;
	if (k == th->nslot) {
		report(lc, req.id, SL_CHK_SOCKERR, 0);
		return;
	}
	struct hchk_slot *s = &th->slot[k];
	memset(s, 0, offsetof(struct hchk_slot, buf));
	s->lc = lc;
	s->req = req;
	s->start_ms = lc->now_ms;
	s->busy = true;
	int err = 0;
	s->conn = sl_tcp_connect(lc->tcp, sl_dp_route_src(lc->dp, req.ip),
				 (uint16_t)(th->lo + k), req.ip, req.port, &hchk_cbs, s,
				 &err);
	if (s->conn == NULL) {
		hchk_report(s, SL_CHK_SOCKERR, 0);
		s->busy = false;
		return;
	}
	if (req.tgt != NULL && req.tgt->send_proxy != 0) { /* queued first, before TLS */
		uint8_t pp[64];
		size_t n = req.tgt->send_proxy == SL_SEND_PROXY_V2 ?
				   sl_pp_build_v2(pp, sizeof(pp), true, 0, 0, 0, 0,
						  req.tgt->pp_opts & SL_PP2O_CRC32C, NULL) :
				   (memcpy(pp, "PROXY UNKNOWN\r\n", 15), 15);
		sl_tcp_send(s->conn, pp, n);
	}
}

/* Once a millisecond: slow checks time out. */
static void hchk_tick(struct sl_lcore *lc, void *st)
{
	struct sl_tcphost *th = st;
	for (unsigned k = 0; k < th->nslot; k++) {
		struct hchk_slot *s = &th->slot[k];
		if (s->busy && lc->now_ms - s->start_ms >= s->req.timeout_ms) {
			hchk_report(s, !s->connected ? SL_CHK_L4TOUT :
				       s->tls != NULL && !sl_tls_established(s->tls) ? SL_CHK_L6TOUT :
										SL_CHK_L7TOUT,
				    0);
			hchk_end(s);
		}
	}
}

/* Checks started from an older configuration still read its request and expectations. */
static unsigned hchk_held(const struct sl_lcore *lc, void *st)
{
	const struct sl_tcphost *th = st;
	unsigned held = 0;
	for (unsigned k = 0; k < th->nslot; k++)
		held += th->slot[k].busy && th->slot[k].req.cfg_gen != lc->cfg_gen;
	if (lc->cmdring != NULL && rte_ring_count(lc->cmdring) > 0)
		held++; /* requests not started yet may be older: look again next tick */
	return held;
}

int sl_httpchk_init(struct sl_dp *dp, struct sl_lcore *lc)
{
	lc->th = rte_zmalloc_socket("sl_hchk", sizeof(*lc->th), 64, lc->socket);
	if (lc->th == NULL)
		return -1;
	uint16_t hi;
	sl_port_plan_slice(&dp->plan, SL_PORT_HTTP_CHECK, lc->proxy_idx, &lc->th->lo, &hi);
	lc->th->nslot = (unsigned)(hi - lc->th->lo) + 1 < SL_HCHK_SLOTS ?
				(unsigned)(hi - lc->th->lo) + 1 :
				SL_HCHK_SLOTS;
	for (unsigned k = 0; k < lc->th->nslot; k++) {
		lc->th->slot[k].md = sl_tcpchk_md_new(); /* reused by every tcp-check of the slot */
		if (lc->th->slot[k].md == NULL)
			return -1;
	}
	struct sl_role r = {.name = "httpchk",
			    .st = lc->th,
			    .msgs = SL_MSG_BIT(SL_MSG_HCHECK),
			    .msg = hchk_msg,
			    .held = hchk_held,
			    .tick = hchk_tick};
	return sl_lcore_add_role(lc, &r);
}

void sl_httpchk_fini(struct sl_lcore *lc)
{
	if (lc->th != NULL)
		for (unsigned k = 0; k < SL_HCHK_SLOTS; k++)
			sl_tcpchk_md_free(lc->th->slot[k].md);
	rte_free(lc->th);
	lc->th = NULL;
}
