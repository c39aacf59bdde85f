/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The HTTP/1.1 proxy of a proxy lcore (see httpx.h). One session per client connection, from a
 * pool sized at start; a head buffer (tune.bufsize) from a pool only while a head is read.
 *
 * A session is a small state machine driven by hx_run(), which every event of either
 * connection calls: it does all the work the current state allows and returns. The request
 * and the response each go through HEAD (bytes copied into the head buffer until the head
 * parses), BODY (the chains of buffers the stack received handed to the other connection as
 * they are, cut where the body ends: Content-Length counted, chunked walked with the
 * streaming decoder) and DONE. Only one transaction runs at a time: a pipelined request waits
 * in the client connection's receive queue (its window closes) until the response is over.
 */
#include "dataplane/http/http.h"
#include "dataplane/page/page.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_lcore.h>

#include "dataplane/rules/acl_eval.h"
#include "controlplane/cfg/cfg.h"
#include "controlplane/cfg/cfg_reload.h"
#include "dataplane/rules/http_rules.h"
#include "proto/outbuf.h"
#include "dataplane/core/dp.h"
#include "dataplane/balance/maglev.h"
#include "dataplane/core/lcore.h"
#include "dataplane/tcp/stack.h"
#include "dataplane/tcp/timer.h"
#include "proto/http1.h"
#include "tls/tls.h"

#define HX_OUT_MAX (64 * 1024) /* a built head: bufsize plus what the rules add */
#define HX_TLS_CHUNK 16384    /* plaintext moved per step on a TLS connection (one record) */
#define HX_LST_SPARE 256     /* listening ports a reload may add per proxy lcore */
#define HX_ERRORS 8	      /* refused requests kept per lcore for `show errors` */
#define HX_ERR_BYTES 256      /* ... and the bytes kept of each */

/* A refused request, for `show errors`. seq is odd while the lcore writes the entry. */
struct hx_err {
	uint32_t seq;
	uint64_t when_ms;
	uint32_t cip;
	uint16_t cport;
	char frontend[64]; /* a copy: the configuration may be replaced by a reload */
	const char *reason;
	uint32_t len, total;
	char bytes[HX_ERR_BYTES];
};

enum hx_phase { PH_NONE, PH_HEAD, PH_BODY, PH_DONE };

/* What the session timer currently means. */
enum hx_tmo {
	TMO_NONE,
	TMO_REQ,
	TMO_KA,
	TMO_QUEUE,
	TMO_CONNECT,
	TMO_SERVER,
	TMO_CLIENT,
	TMO_TUNNEL,
	TMO_FIN,
};

/* What pick_server() found. */
enum hx_pick { PICK_OK, PICK_NONE, PICK_QUEUE };

struct hx_listener {
	struct sl_hx *hx;
	const struct sl_proxy *fe;
	struct sl_tls_ctx *tls; /* an `ssl` bind: its certificates (this lcore's copy) */
	struct sl_tls_ctx *pending; /* reload: new certificates handed over by the main lcore */
	const struct sl_bind *bind;
	uint16_t port;
};

struct hx_sess {
	struct sl_hx *hx;
	struct hx_sess *next_free;
	const struct sl_proxy *fe, *be;
	struct sl_tcp_conn *cli, *srv;
	struct sl_tls_conn *tls; /* TLS on the client side (an `ssl` bind), or NULL */
	uint32_t cip;
	uint16_t cport, vport;
	uint8_t req, rsp;	  /* enum hx_phase */
	uint8_t req_body, rsp_body; /* enum sl_http1_body */
	uint8_t tmo;		  /* enum hx_tmo */
	bool busy, first, cli_ka, cli_fin, srv_fin, closing, tunnel, websocket, head_req;
	bool srv_connected, client_10_ka, direct;
	bool stale; /* still points into a configuration a reload replaced (see take_cfg) */
	bool tls_seen; /* the TLS handshake's outcome was counted */
	uint8_t meth; /* enum sl_http1_method of the request */
	int minor;
	int retries;
	int32_t same_gidx;  /* a retry: the server to connect to again (-1: balance) */
	uint8_t abrt;       /* who ended the transaction early: 1 the client, 2 the server */
	/* when the transaction reached each step (ms of the lcore clock): qtime, ctime, rtime,
	 * ttime as HAProxy's (t_pick - t_req, t_conn - t_open, t_rsp - t_conn, end - t_req) */
	uint64_t t_req, t_pick, t_open, t_conn, t_rsp_ms;
	uint64_t t_accept; /* the client connection's start (`show sess`: age) */
	uint64_t acc_in, acc_out; /* the client connection's bytes already counted */
	int32_t avoid_gidx; /* a redispatch: the server that failed, left when another is usable */
	uint64_t req_left, rsp_left;
	struct sl_http1_chunk req_ck, rsp_ck;
	char *buf;    /* request head buffer (then pipelined bytes), or NULL */
	uint32_t blen;
	uint32_t req_hl; /* the forwarded request head kept at buf[0, req_hl) for a retry */
	char *rbuf;   /* response head buffer, or NULL */
	uint32_t rlen;
	/* the server of this transaction (copied out of the L4 generation) */
	uint32_t srv_ip;
	uint16_t srv_port, srv_gidx;
	int16_t srv_idx, be_idx;
	const char *srv_cookie;
	/* the persistence cookie's server id: an offset into buf (the kept request head) */
	uint32_t ck_off, ck_len;
	uint32_t ck_last, ck_first; /* its dates (maxidle / maxlife) */
	/* waiting for a server slot (maxconn): the lcore's FIFO */
	struct hx_sess *q_prev, *q_next;
	bool queued;
	struct sl_tmr tmr;
};

struct sl_hx {
	struct sl_lcore *lc;
	struct sl_dp *dp;
	unsigned stale;           /* sessions still pointing into an earlier configuration */
	struct sl_tmr_wheel wheel;
	struct hx_sess *sess, *free;
	unsigned nsess, active;
	char *bufmem;
	char **bufs; /* free head buffers (a stack) */
	unsigned nbufs;
	uint32_t bufsize;
	char *out; /* scratch for built heads */
	char *tbuf; /* scratch for TLS records (HX_TLS_CHUNK) */
	char *pbuf; /* scratch for plaintext read from TLS (HX_TLS_CHUNK) */
	struct hx_listener *lst;
	unsigned nlst, cap_lst; /* in use (a slot whose fe is NULL is free), allocated */
	uint64_t rr;
	uint32_t *act; /* per server counter slot: sessions on it (leastconn) */
	bool starved;  /* a session found no head buffer free: retry at the next tick */
	struct hx_sess *q_head, *q_tail; /* sessions waiting for a server slot, oldest first */
	struct hx_err errs[HX_ERRORS];	 /* the last refused requests (a ring) */
	unsigned nerr;
	struct sl_hx_pxctr *pxc;	 /* by proxy counter slot (SL_PX_SLOTS + 1) */
	struct sl_hx_srvctr *srvc;	 /* by server counter slot */
	unsigned nqueued;
	uint64_t queued_total, queue_timeouts;
	struct sl_acl_scratch *scratch; /* regex match data of this lcore */
};

/* ------------------------------------------------------------------ helpers */

static uint64_t now_us(const struct sl_hx *hx)
{
	const struct sl_dp *dp = hx->dp;
	uint64_t c = rte_rdtsc() - dp->start_tsc, hz = dp->tsc_hz;
	return c / hz * 1000000 + c % hz * 1000000 / hz;
}

static void ctr(struct hx_sess *s, enum sl_ctr c)
{
	s->hx->lc->ctr->c[c]++;
}

static struct sl_hx_pxctr *pxc(struct hx_sess *s, const struct sl_proxy *px)
{
	return px != NULL && px->slot > 0 && px->slot <= SL_PX_SLOTS ? &s->hx->pxc[px->slot] : NULL;
}

/* HAProxy's sliding average (swrate) of the last SL_HX_TIME_SAMPLES values: sum/N decays by one
 * N-th each sample; the reader divides by min(samples, N). */
static void time_add(uint32_t *sum, uint32_t v)
{
	*sum = *sum - (*sum + SL_HX_TIME_SAMPLES - 1) / SL_HX_TIME_SAMPLES + v;
}

static void times_add(struct sl_hx_times *t, uint64_t q, uint64_t c, uint64_t r, uint64_t tt)
{
	time_add(&t->q, (uint32_t)q);
	time_add(&t->c, (uint32_t)c);
	time_add(&t->r, (uint32_t)r);
	time_add(&t->t, (uint32_t)tt);
	t->n++;
}

/* The client connection's bytes since the last call into bin/bout of the frontend, the backend
 * and the server of the transaction (HAProxy's counters move while a transfer goes on). */
static void count_bytes(struct hx_sess *s)
{
	if (s->cli == NULL)
		return;
	uint64_t in, out;
	sl_tcp_conn_bytes(s->cli, &in, &out);
	uint64_t di = in - s->acc_in, dout = out - s->acc_out;
	if (di == 0 && dout == 0)
		return;
	s->acc_in = in;
	s->acc_out = out;
	struct sl_hx_pxctr *f = pxc(s, s->fe), *b = s->be != s->fe ? pxc(s, s->be) : NULL;
	if (f != NULL) {
		f->bin += di;
		f->bout += dout;
	}
	if (b != NULL) {
		b->bin += di;
		b->bout += dout;
	}
	if (s->srv_idx >= 0) {
		s->hx->srvc[s->srv_gidx].bin += di;
		s->hx->srvc[s->srv_gidx].bout += dout;
	}
}

/* The transaction ended (its response went out, or it failed): its times into the server's and
 * the backend's averages. */
static void count_times(struct hx_sess *s)
{
	if (s->srv_idx < 0 || s->t_req == 0)
		return;
	uint64_t now = s->hx->lc->now_ms;
	uint64_t q = s->t_pick >= s->t_req ? s->t_pick - s->t_req : 0;
	uint64_t c = s->t_conn >= s->t_open && s->t_open ? s->t_conn - s->t_open : 0;
	uint64_t r = s->t_rsp_ms >= s->t_conn && s->t_conn ? s->t_rsp_ms - s->t_conn : 0;
	uint64_t t = now - s->t_req;
	times_add(&s->hx->srvc[s->srv_gidx].tm, q, c, r, t);
	s->hx->srvc[s->srv_gidx].req_tot++;
	struct sl_hx_pxctr *b = pxc(s, s->be);
	if (b != NULL)
		times_add(&b->tm, q, c, r, t);
	s->t_req = 0;
}

/* A response of status @code went to the client: counted per class on the frontend, the
 * backend and (from a server) the server, as HAProxy's hrsp_* columns. */
static void count_rsp(struct hx_sess *s, int code, bool from_server)
{
	unsigned k = code >= 100 && code < 600 ? (unsigned)(code / 100 - 1) : 5;
	struct sl_hx_pxctr *f = pxc(s, s->fe), *b = s->be != s->fe ? pxc(s, s->be) : NULL;
	if (f != NULL)
		f->hrsp[k]++;
	if (b != NULL)
		b->hrsp[k]++;
	if (from_server && s->srv_idx >= 0)
		s->hx->srvc[s->srv_gidx].hrsp[k]++;
}

static bool pool_get(struct sl_hx *hx, char **b, uint32_t *len)
{
	if (*b != NULL)
		return true;
	if (hx->nbufs == 0)
		return false;
	*b = hx->bufs[--hx->nbufs];
	*len = 0;
	return true;
}

static void pool_put(struct sl_hx *hx, char **b, uint32_t *len)
{
	if (*b == NULL)
		return;
	hx->bufs[hx->nbufs++] = *b;
	*b = NULL;
	*len = 0;
}

static bool buf_get(struct hx_sess *s)
{
	return pool_get(s->hx, &s->buf, &s->blen);
}

static void buf_put(struct hx_sess *s)
{
	pool_put(s->hx, &s->buf, &s->blen);
	s->req_hl = 0;
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
 * fallbacks), or stops it. Inactivity timeouts are re-armed on every transfer. */
static void arm(struct hx_sess *s, enum hx_tmo kind)
{
	struct sl_hx *hx = s->hx;
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
	default:
		sl_tmr_cancel(&hx->wheel, &s->tmr);
		s->tmo = TMO_NONE;
		return;
	}
	s->tmo = (uint8_t)kind;
	sl_tmr_arm(&hx->wheel, &s->tmr, now_us(hx), (uint64_t)ms * 1000);
}

/* ------------------------------------------------------------------ server queue */

static void q_remove(struct hx_sess *s)
{
	struct sl_hx *hx = s->hx;
	if (!s->queued)
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
	s->queued = false;
	hx->nqueued--;
	struct sl_hx_pxctr *b = pxc(s, s->be);
	if (b != NULL)
		b->qcur--;
}

static void q_append(struct hx_sess *s)
{
	struct sl_hx *hx = s->hx;
	s->q_prev = hx->q_tail;
	s->q_next = NULL;
	if (hx->q_tail != NULL)
		hx->q_tail->q_next = s;
	else
		hx->q_head = s;
	hx->q_tail = s;
	s->queued = true;
	hx->nqueued++;
	hx->queued_total++;
	struct sl_hx_pxctr *b = pxc(s, s->be);
	if (b != NULL)
		b->qcur++;
}

static void dispatch(struct hx_sess *s);
static void reply_and_close(struct hx_sess *s, int code);

/* A server slot freed: the oldest waiting session that can use a server gets one. */
static void q_kick(struct sl_hx *hx)
{
	for (struct hx_sess *s = hx->q_head, *next; s != NULL; s = next) {
		next = s->q_next;
		dispatch(s); /* leaves it in its place when its server is still full */
		if (!s->queued)
			return; /* served (or answered): one slot, one session */
	}
}

/* ------------------------------------------------------------------ show errors */

/* Keeps the start of a request refused as malformed (@reason) for `show errors`. */
static void keep_error(struct hx_sess *s, const char *reason)
{
	struct sl_hx *hx = s->hx;
	struct hx_err *e = &hx->errs[hx->nerr++ % HX_ERRORS];
	__atomic_store_n(&e->seq, e->seq + 1, __ATOMIC_RELAXED); /* odd: being written */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	e->when_ms = sl_dp_now_ms(hx->dp);
	e->cip = s->cip;
	e->cport = s->cport;
	snprintf(e->frontend, sizeof(e->frontend), "%s", s->fe->name);
	e->reason = reason;
	e->total = s->blen;
	e->len = s->blen < HX_ERR_BYTES ? s->blen : HX_ERR_BYTES;
	memcpy(e->bytes, s->buf, e->len);
	__atomic_store_n(&e->seq, e->seq + 1, __ATOMIC_RELEASE);
}

/* ------------------------------------------------------------------ session lifetime */

static void sess_free(struct hx_sess *s)
{
	struct sl_hx *hx = s->hx;
	if (!s->busy)
		return; /* already back in the pool */
	sl_tmr_cancel(&hx->wheel, &s->tmr);
	q_remove(s);
	if (s->srv != NULL) {
		sl_tcp_abort(s->srv);
		s->srv = NULL;
	}
	bool freed = false;
	if (s->srv_idx >= 0 && s->rsp != PH_DONE && !s->tunnel && s->abrt != 0) {
		/* a transaction cut short: HAProxy's cli_abrt / srv_abrt of server and backend */
		struct sl_hx_srvctr *sc = &hx->srvc[s->srv_gidx];
		struct sl_hx_pxctr *bc = pxc(s, s->be);
		if (s->abrt == 1) {
			sc->cli_abrt++;
			if (bc != NULL)
				bc->cli_abrt++;
		} else {
			sc->srv_abrt++;
			if (bc != NULL)
				bc->srv_abrt++;
		}
	}
	count_times(s);
	count_bytes(s);
	if (s->srv_idx >= 0 && hx->act != NULL) {
		hx->act[s->srv_gidx]--;
		if (hx->lc->l4.srv != NULL)
			hx->lc->l4.srv[s->srv_gidx].ended++;
		freed = true;
	}
	struct sl_hx_pxctr *f = pxc(s, s->fe);
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
	s->next_free = hx->free;
	hx->free = s;
	hx->active--;
	if (freed && hx->q_head != NULL)
		q_kick(hx);
}

/* Ends the server side of the transaction (http-server-close: every time). */
static void srv_release(struct hx_sess *s, bool abort)
{
	if (s->srv != NULL) {
		if (abort)
			sl_tcp_abort(s->srv);
		else
			sl_tcp_close(s->srv);
		s->srv = NULL;
	}
	bool freed = false;
	if (s->srv_idx >= 0) {
		if (s->hx->act != NULL)
			s->hx->act[s->srv_gidx]--;
		if (s->hx->lc->l4.srv != NULL)
			s->hx->lc->l4.srv[s->srv_gidx].ended++;
		s->srv_idx = -1;
		freed = true;
	}
	s->srv_connected = false;
	if (freed && s->hx->q_head != NULL)
		q_kick(s->hx);
}

/* ------------------------------------------------------------------ the client side
 *
 * A plain client connection is the TCP connection; an `ssl` bind puts TLS in between: the
 * ciphertext the stack received goes into TLS only when plaintext is wanted (so a client that
 * sends faster than we forward fills its own TCP window, not our memory), and what TLS has to
 * send goes out as the client's send space allows.
 */

/* Sends the ciphertext TLS holds, as far as the client's send space goes. */
static void tls_flush(struct hx_sess *s)
{
	while (sl_tls_out_pending(s->tls) > 0) {
		size_t room = sl_tcp_writable(s->cli);
		if (room == 0) {
			sl_tcp_want_writable(s->cli);
			return;
		}
		size_t n = sl_tls_out(s->tls, s->hx->tbuf, room < HX_TLS_CHUNK ? room : HX_TLS_CHUNK);
		if (n == 0 || sl_tcp_send(s->cli, s->hx->tbuf, n) != (ssize_t)n)
			return;
	}
}

/*
 * Up to @max bytes from the client (plaintext). Returns bytes, 0 at its end of stream (FIN or
 * close_notify), -EAGAIN when nothing is there yet, -EPROTO on a broken TLS stream.
 */
static ssize_t cli_recv(struct hx_sess *s, char *buf, size_t max)
{
	if (s->tls == NULL)
		return sl_tcp_recv(s->cli, buf, max);
	for (;;) {
		ssize_t r = sl_tls_read(s->tls, buf, max);
		tls_flush(s); /* handshake messages, alerts */
		if (!s->tls_seen && (r == -EPROTO || sl_tls_established(s->tls))) {
			s->tls_seen = true; /* the handshake's outcome, counted once */
			ctr(s, r == -EPROTO && !sl_tls_established(s->tls) ? SL_CTR_TLS_FAILED :
			       sl_tls_resumed(s->tls)			      ? SL_CTR_TLS_RESUMED :
									SL_CTR_TLS_HANDSHAKES);
		}
		if (r != -EAGAIN)
			return r;
		ssize_t c = sl_tcp_recv(s->cli, s->hx->tbuf, HX_TLS_CHUNK);
		if (c == 0)
			return 0; /* FIN without close_notify: the end all the same */
		if (c < 0)
			return c == -EAGAIN ? -EAGAIN : 0;
		if (sl_tls_in(s->tls, s->hx->tbuf, (size_t)c) < 0) {
			tls_flush(s); /* the alert */
			return -EPROTO;
		}
	}
}

/* Whether the client may have bytes for us (for TLS: ciphertext that may hold some). */
static bool cli_has_input(const struct hx_sess *s)
{
	return sl_tcp_readable(s->cli) > 0 || (s->tls != NULL && sl_tls_established(s->tls));
}

/* Send space towards the client (plaintext bytes we may write now). */
static size_t cli_room(struct hx_sess *s)
{
	size_t w = sl_tcp_writable(s->cli);
	if (s->tls != NULL && sl_tls_out_pending(s->tls) > 0)
		return 0; /* earlier records still wait */
	return w;
}

/* Sends @len bytes to the client; returns false when they did not all fit (the client is not
 * reading: the session is dropped). */
static bool cli_send(struct hx_sess *s, const char *p, size_t len)
{
	if (s->tls != NULL) {
		if (len > 0 && sl_tls_write(s->tls, p, len) != (ssize_t)len)
			return false;
		tls_flush(s);
		return true;
	}
	ssize_t w = sl_tcp_send(s->cli, p, len);
	return w == (ssize_t)len;
}

/* Ends our side of the client connection: close_notify first on TLS, then FIN. */
static void cli_shutdown(struct hx_sess *s)
{
	if (s->tls != NULL) {
		sl_tls_close(s->tls);
		tls_flush(s);
	}
	sl_tcp_shutdown(s->cli);
}

/* A local response, then the client connection closes (FIN after it). */
static void reply_and_close(struct hx_sess *s, int code)
{
	struct sl_hx_out o = {s->hx->out, HX_OUT_MAX, 0, false};
	if (code == 502 || code == 504) { /* the server's answer failed: eresp */
		struct sl_hx_pxctr *b = pxc(s, s->be);
		if (b != NULL)
			b->eresp++;
		if (s->srv_idx >= 0)
			s->hx->srvc[s->srv_gidx].eresp++;
	}
	if (code == 400 || code == 408)
		sl_hx_mux_error(&o, code); /* HAProxy's H1 layer: its built-in message */
	else
		sl_hx_error(&o, s->fe, s->be, code);
	count_rsp(s, code, false);
	if ((code == 400 || code == 408) && pxc(s, s->fe) != NULL)
		pxc(s, s->fe)->ereq++;
	switch (code) {
	case 400: ctr(s, SL_CTR_HTTP_ERR_400); break;
	case 408: ctr(s, SL_CTR_HTTP_ERR_408); break;
	case 502: ctr(s, SL_CTR_HTTP_ERR_502); break;
	case 503: ctr(s, SL_CTR_HTTP_ERR_503); break;
	case 504: ctr(s, SL_CTR_HTTP_ERR_504); break;
	default: break;
	}
	srv_release(s, true);
	if (s->cli != NULL) {
		cli_send(s, o.buf, o.len);
		cli_shutdown(s);
	}
	s->closing = true;
	s->req = s->rsp = PH_DONE;
	buf_put(s);
	rbuf_put(s);
	arm(s, TMO_FIN);
}

/* ------------------------------------------------------------------ server choice */

static const struct sl_l4_backend *find_backend(const struct sl_l4_conf *c,
						const struct sl_proxy *be, int16_t *idx)
{
	/* the generation's names point into its configuration: the same pointer, except for
	 * the moment between a reload's publish and this lcore following it (then by name) */
	for (unsigned i = 0; c != NULL && i < c->nbackends; i++)
		if (c->backends[i].name == be->name) {
			*idx = (int16_t)i;
			return &c->backends[i];
		}
	for (unsigned i = 0; c != NULL && i < c->nbackends; i++)
		if (strcmp(c->backends[i].name, be->name) == 0) {
			*idx = (int16_t)i;
			return &c->backends[i];
		}
	return NULL;
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
static bool has_slot(const struct sl_hx *hx, const struct sl_l4_server *v)
{
	if (v->maxconn == 0)
		return true;
	uint32_t share = (v->maxconn + hx->dp->nproxies - 1) / hx->dp->nproxies;
	return hx->act[v->gidx] < share;
}

/*
 * Picks the server for this request: the one the persistence cookie names while it is usable
 * (HAProxy: otherwise the cookie is ignored and the request balanced), else by the backend's
 * balance algorithm over the servers in rotation that have a free slot (maxconn). Returns
 * PICK_OK (server copied into the session), PICK_NONE (no usable server: 503) or PICK_QUEUE
 * (usable servers, all at maxconn: wait for a slot).
 */
static enum hx_pick pick_server(struct hx_sess *s, const char *ck, size_t ck_len,
				const struct sl_http1_req *req)
{
	struct sl_hx *hx = s->hx;
	const struct sl_l4_conf *c = __atomic_load_n(&hx->dp->l4, __ATOMIC_ACQUIRE);
	int16_t bi = -1;
	const struct sl_l4_backend *b = find_backend(c, s->be, &bi);
	if (b == NULL)
		return PICK_NONE;
	int si = -1;
	bool full = false;
	s->direct = false;
	if (s->same_gidx >= 0) { /* a retry: the same server while it may take the request */
		for (unsigned i = 0; i < b->nservers && si < 0; i++)
			if (b->servers[i].gidx == s->same_gidx && b->servers[i].usable &&
			    has_slot(hx, &b->servers[i]))
				si = (int)i;
		s->same_gidx = -1;
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
			s->direct = true; /* the client's cookie chose this server */
	}
	/* a redispatch leaves the failed server out unless it is the only one in rotation */
	int32_t avoid = b->nrot > 1 ? s->avoid_gidx : -1;
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
				uint64_t load = (uint64_t)hx->act[v->gidx] * 65536 / (v->weight ? v->weight : 1);
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
	if (hx->act != NULL)
		hx->act[v->gidx]++;
	if (hx->lc->l4.srv != NULL) {
		hx->lc->l4.srv[v->gidx].stot++;
		hx->lc->l4.srv[v->gidx].last_ms = hx->lc->now_ms;
	}
	s->t_pick = hx->lc->now_ms;
	return PICK_OK;
}

/* ------------------------------------------------------------------ body framing */

/*
 * How many of the @len bytes at @p belong to the current body of one direction (@mode,
 * *@left, @ck), advancing that state; sets *@done when the body ends within them. Returns -1
 * on a malformed chunked body.
 */
static int64_t body_take(uint8_t mode, uint64_t *left, struct sl_http1_chunk *ck, const char *p,
			 size_t len, bool *done)
{
	*done = false;
	switch (mode) {
	case SL_HTTP1_BODY_NONE:
		*done = true;
		return 0;
	case SL_HTTP1_BODY_LENGTH: {
		uint64_t n = len < *left ? len : *left;
		*left -= n;
		*done = *left == 0;
		return (int64_t)n;
	}
	case SL_HTTP1_BODY_CHUNKED: {
		size_t used = 0;
		while (used < len && !sl_http1_chunk_done(ck)) {
			size_t doff, dlen;
			int r = sl_http1_chunk_step(ck, p + used, len - used, &doff, &dlen);
			if (r < 0)
				return -1;
			used += (size_t)r;
			if (r == 0 && dlen == 0)
				break;
		}
		*done = sl_http1_chunk_done(ck);
		return (int64_t)used;
	}
	default: /* until close, tunnel */
		return (int64_t)len;
	}
}

/*
 * Moves body bytes of one direction from @from to @to as received chains, at most what @to
 * has room for, cut where the body ends; bytes after the end go to the session's head buffer
 * (the next pipelined request: the only case where the peer may send them). Returns 1 when the
 * body ended, 0 when more is to come, -1 on a malformed body, -2 when the bytes after the end
 * do not fit the head buffer.
 */
static int move_body(struct hx_sess *s, struct sl_tcp_conn *from, struct sl_tcp_conn *to,
		     uint8_t mode, uint64_t *left, struct sl_http1_chunk *ck, bool keep_extra)
{
	struct sl_tcp_stack *st = s->hx->lc->tcp;
	if (mode == SL_HTTP1_BODY_NONE)
		return 1;
	bool to_tls = to != NULL && to == s->cli && s->tls != NULL;
	while (sl_tcp_readable(from) > 0) {
		if (to != NULL && (to_tls ? cli_room(s) : sl_tcp_writable(to)) == 0) {
			sl_tcp_want_writable(to);
			return 0;
		}
		struct sl_tcp_buf *chain = sl_tcp_recv_bufs(from, NULL);
		struct sl_tcp_buf **pp = &chain, *rest = NULL;
		bool done = false;
		while (*pp != NULL) {
			struct sl_tcp_buf *b = *pp;
			int64_t k = body_take(mode, left, ck, (const char *)b->data, b->len, &done);
			if (k < 0) {
				sl_tcp_buf_free(st, chain);
				return -1;
			}
			if (done) {
				if ((uint32_t)k < b->len && keep_extra) { /* what follows */
					uint32_t extra = b->len - (uint32_t)k;
					if (!buf_get(s) || extra > s->hx->bufsize - s->blen) {
						sl_tcp_buf_free(st, chain);
						return -2;
					}
					memcpy(s->buf + s->blen, b->data + k, extra);
					s->blen += extra;
					b->len = (uint32_t)k;
				}
				b->len = (uint32_t)k;
				rest = b->next;
				b->next = NULL;
				if (b->len == 0) { /* nothing of it was body */
					*pp = NULL;
					sl_tcp_buf_free(st, b);
				}
				break;
			}
			pp = &b->next;
		}
		for (struct sl_tcp_buf *r = keep_extra ? rest : NULL; r != NULL; r = r->next) {
			if (!buf_get(s) || r->len > s->hx->bufsize - s->blen) {
				sl_tcp_buf_free(st, rest);
				sl_tcp_buf_free(st, chain);
				return -2;
			}
			memcpy(s->buf + s->blen, r->data, r->len);
			s->blen += r->len;
		}
		sl_tcp_buf_free(st, rest);
		if (chain != NULL && to_tls) { /* encrypted into records: the chain is done */
			for (struct sl_tcp_buf *b = chain; b != NULL; b = b->next)
				if (b->len > 0 && sl_tls_write(s->tls, b->data, b->len) != (ssize_t)b->len) {
					sl_tcp_buf_free(st, chain);
					return -1;
				}
			sl_tcp_buf_free(st, chain);
			tls_flush(s);
		} else if (chain != NULL) {
			if (to != NULL)
				sl_tcp_send_bufs(to, chain);
			else
				sl_tcp_buf_free(st, chain);
		}
		if (done)
			return 1;
	}
	return 0;
}

/*
 * move_body() for a client on TLS: plaintext comes out of TLS into a scratch buffer (no chains
 * to hand over), at most what @to has room for, then is copied to @to; bytes after the body's
 * end go to the head buffer. Same returns as move_body().
 */
static int move_body_from_tls(struct hx_sess *s, struct sl_tcp_conn *to, uint8_t mode,
			      uint64_t *left, struct sl_http1_chunk *ck)
{
	char *tmp = s->hx->pbuf;
	if (mode == SL_HTTP1_BODY_NONE)
		return 1;
	for (;;) {
		size_t room = HX_TLS_CHUNK;
		if (to != NULL) {
			size_t w = sl_tcp_writable(to);
			if (w == 0) {
				sl_tcp_want_writable(to);
				return 0;
			}
			room = w < room ? w : room;
		}
		ssize_t r = cli_recv(s, tmp, room);
		if (r == -EAGAIN)
			return 0;
		if (r == 0) {
			s->cli_fin = true;
			return 0;
		}
		if (r < 0)
			return -1;
		bool done = false;
		int64_t k = body_take(mode, left, ck, tmp, (size_t)r, &done);
		if (k < 0)
			return -1;
		if (k > 0 && to != NULL && sl_tcp_send(to, tmp, (size_t)k) != k)
			return -1;
		if (done) {
			size_t extra = (size_t)r - (size_t)k;
			if (extra > 0) {
				if (!buf_get(s) || extra > s->hx->bufsize - s->blen)
					return -2;
				memcpy(s->buf + s->blen, tmp + k, extra);
				s->blen += (uint32_t)extra;
			}
			return 1;
		}
	}
}

/* Bytes of a body already in the head buffer after a head (@off..blen): forwarded by copy. */
static int flush_buffered_body(struct hx_sess *s, uint32_t off, struct sl_tcp_conn *to,
			       uint8_t mode, uint64_t *left, struct sl_http1_chunk *ck)
{
	size_t len = s->blen - off;
	bool done = false;
	int64_t k = body_take(mode, left, ck, s->buf + off, len, &done);
	if (k < 0)
		return -1;
	if (k > 0 && to != NULL && sl_tcp_send(to, s->buf + off, (size_t)k) != k)
		return -1;
	/* keep what follows (a pipelined request) at the start of the buffer */
	memmove(s->buf, s->buf + off + k, len - (size_t)k);
	s->blen = (uint32_t)(len - (size_t)k);
	return done ? 1 : 0;
}

/* ------------------------------------------------------------------ transaction */

static const struct sl_tcp_cbs srv_cbs;

/* Opens the server connection and sends the head built in hx->out (@hlen bytes). */
static bool srv_open(struct hx_sess *s, size_t hlen)
{
	struct sl_hx *hx = s->hx;
	int err = 0;
	uint32_t src = sl_dp_source_for(hx->dp, 0, s->srv_ip);
	s->srv = sl_tcp_connect(hx->lc->tcp, src, 0, s->srv_ip, s->srv_port, &srv_cbs, s, &err);
	if (s->srv == NULL)
		return false;
	s->t_open = hx->lc->now_ms;
	if (sl_tcp_send(s->srv, hx->out, hlen) != (ssize_t)hlen)
		return false;
	arm(s, TMO_CONNECT);
	return true;
}

/* A complete request head at buf[0, hl): route it, forward it or answer it. */
static void start_request(struct hx_sess *s, int hl, const struct sl_http1_req *req,
			  struct sl_http1_hdr *h, size_t n)
{
	struct sl_hx *hx = s->hx;
	ctr(s, SL_CTR_HTTP_REQUESTS);
	if (pxc(s, s->fe) != NULL)
		pxc(s, s->fe)->req_tot++;
	s->minor = req->minor;
	s->head_req = req->meth == SL_HTTP1_M_HEAD;
	s->meth = (uint8_t)req->meth;
	s->cli_ka = sl_http1_keep_alive(req->minor, req->conn) && !s->cli_fin;
	s->client_10_ka = req->minor == 0 && s->cli_ka;
	s->websocket = sl_http1_is_websocket(req, h, n);
	s->req_body = (uint8_t)sl_http1_body_info(req, NULL, &s->req_left);
	sl_http1_chunk_init(&s->req_ck);
	struct sl_acl_ctx ctx = {.req = req, .hdrs = h, .nhdrs = n, .src = s->cip,
				 .dst_port = s->vport, .ssl = s->tls != NULL, .scratch = hx->scratch};
	struct sl_hx_out o = {hx->out, HX_OUT_MAX, 0, false};
	struct sl_hx_decision d;
	sl_hx_decide(hx->lc->cfg, s->fe, req, h, n, &ctx, !s->cli_ka, (uint32_t)time(NULL), &o, &d);
	s->be = d.be;
	switch (d.verdict) {
	case SL_HX_REDIRECT:
		ctr(s, SL_CTR_HTTP_REDIRECTS);
		count_rsp(s, 302, false);
		if (!cli_send(s, o.buf, o.len)) {
			reply_and_close(s, 500);
			return;
		}
		/* the request's body, if any, is read and dropped */
		s->req = s->req_body == SL_HTTP1_BODY_NONE ? PH_DONE : PH_BODY;
		s->rsp = PH_DONE;
		s->srv_idx = -1;
		memmove(s->buf, s->buf + hl, s->blen - (uint32_t)hl);
		s->blen -= (uint32_t)hl;
		if (s->req == PH_BODY) {
			int r = flush_buffered_body(s, 0, NULL, s->req_body, &s->req_left, &s->req_ck);
			if (r < 0) {
				reply_and_close(s, 400);
				return;
			}
			if (r == 1)
				s->req = PH_DONE;
		}
		return;
	case SL_HX_DENY:
		ctr(s, SL_CTR_HTTP_DENIED);
		if (pxc(s, s->fe) != NULL)
			pxc(s, s->fe)->dreq++;
		reply_and_close(s, d.status == 403 || d.status == 0 ? 403 : d.status);
		return;
	case SL_HX_NO_BACKEND:
		reply_and_close(s, 503);
		return;
	case SL_HX_SERVICE: {
		/* the Prometheus exposition: the stats page module answers on this connection
		 * (a large body sent as the window allows); plain HTTP only */
		struct sl_tcp_conn *c = s->cli;
		count_rsp(s, 200, false);
		if (s->tls == NULL && sl_page_adopt(hx->lc, c, s->fe, s->buf, (size_t)s->blen)) {
			s->cli = NULL; /* the page owns it now */
			sess_free(s);
			return;
		}
		reply_and_close(s, 503);
		return;
	}
	case SL_HX_FORWARD:
		break;
	}
	/* the head stays at buf[0, hl) until a server answers: a queued request and a connect
	 * retry are built again from it */
	s->req_hl = (uint32_t)hl;
	s->ck_off = d.cookie_srv != NULL ? (uint32_t)(d.cookie_srv - s->buf) : 0;
	s->ck_len = d.cookie_srv != NULL ? (uint32_t)d.cookie_srv_len : 0;
	s->ck_last = d.cookie_last;
	s->ck_first = d.cookie_first;
	s->retries = s->be->retries > 0 ? s->be->retries : 0;
	s->same_gidx = s->avoid_gidx = -1;
	s->t_req = hx->lc->now_ms ? hx->lc->now_ms : 1;
	s->t_pick = s->t_open = s->t_conn = s->t_rsp_ms = 0;
	s->abrt = 0;
	s->req = s->req_body == SL_HTTP1_BODY_NONE ? PH_DONE : PH_BODY;
	s->rsp = PH_NONE;
	dispatch(s);
}

/*
 * Sends the request kept at buf[0, req_hl) to a server: picks it, builds the head, opens the
 * connection, then the body bytes that came with the head. When every usable server is at its
 * maxconn the session waits in the lcore's queue (`timeout queue`), in its place.
 */
static void dispatch(struct hx_sess *s)
{
	struct sl_hx *hx = s->hx;
	struct sl_http1_req req;
	struct sl_http1_hdr h[SL_HTTP1_MAX_HDRS_DEFAULT];
	size_t n = SL_HTTP1_MAX_HDRS_DEFAULT;
	if (sl_http1_parse_request(s->buf, s->req_hl, hx->bufsize, &req, h, &n) <= 0) {
		q_remove(s);
		reply_and_close(s, 500);
		return;
	}
	enum hx_pick p = pick_server(s, s->ck_len ? s->buf + s->ck_off : NULL, s->ck_len, &req);
	if (p == PICK_QUEUE) {
		if (!s->queued) {
			q_append(s);
			arm(s, TMO_QUEUE);
		}
		return;
	}
	q_remove(s);
	if (p == PICK_NONE) {
		reply_and_close(s, 503);
		return;
	}
	struct sl_acl_ctx ctx = {.req = &req, .hdrs = h, .nhdrs = n, .src = s->cip,
				 .dst_port = s->vport, .ssl = s->tls != NULL, .scratch = hx->scratch};
	struct sl_hx_req_edit e = {.fe = s->fe, .be = s->be, .ctx = &ctx, .client_ip = s->cip,
				   .server_close = s->fe->http_conn != SL_HTTP_KEEP_ALIVE ||
						   s->be->http_conn != SL_HTTP_KEEP_ALIVE,
				   .websocket = s->websocket};
	struct sl_hx_out o = {hx->out, HX_OUT_MAX, 0, false};
	if (!sl_hx_build_request(&o, &req, h, n, &e)) {
		reply_and_close(s, 400); /* HAProxy: a head the rewrites overflow is refused */
		return;
	}
	if (!srv_open(s, o.len)) {
		reply_and_close(s, 503);
		return;
	}
	s->rsp = PH_HEAD;
	if (s->be != s->fe && pxc(s, s->be) != NULL)
		pxc(s, s->be)->req_tot++;
	if (s->req == PH_BODY) {
		/* body bytes that came with the head go now; no retry once a body streams */
		s->retries = 0;
		int r = flush_buffered_body(s, s->req_hl, s->srv, s->req_body, &s->req_left,
					    &s->req_ck);
		s->req_hl = 0;
		if (r < 0) {
			reply_and_close(s, 400);
			return;
		}
		if (r == 1)
			s->req = PH_DONE;
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
	int32_t failed = s->srv_idx >= 0 ? s->srv_gidx : -1;
	struct sl_hx_pxctr *b = pxc(s, s->be);
	if (b != NULL)
		b->econ++;
	if (failed >= 0)
		s->hx->srvc[failed].econ++;
	srv_release(s, true);
	if (s->rsp == PH_HEAD && s->retries > 0 && s->req == PH_DONE && s->req_hl > 0) {
		bool last = s->retries == 1;
		s->retries--;
		ctr(s, SL_CTR_HTTP_RETRIES);
		if (b != NULL)
			b->wretr++;
		if (failed >= 0)
			s->hx->srvc[failed].wretr++;
		if (s->be->redispatch && last) {
			ctr(s, SL_CTR_HTTP_REDISPATCH);
			if (b != NULL)
				b->wredis++;
			if (failed >= 0)
				s->hx->srvc[failed].wredis++;
			s->ck_len = 0; /* option redispatch: persistence gives way */
			s->avoid_gidx = failed;
			s->same_gidx = -1;
		} else {
			s->same_gidx = failed;
		}
		s->rsp = PH_NONE;
		dispatch(s);
		return;
	}
	reply_and_close(s, 503);
}

/* A complete response head at rbuf[0, hl). */
static void start_response(struct hx_sess *s, int hl, const struct sl_http1_resp *rsp,
			   struct sl_http1_hdr *h, size_t n)
{
	struct sl_hx *hx = s->hx;
	s->t_rsp_ms = hx->lc->now_ms;
	if (s->req_hl > 0) { /* the kept request head is no longer needed */
		memmove(s->buf, s->buf + s->req_hl, s->blen - s->req_hl);
		s->blen -= s->req_hl;
		s->req_hl = 0;
		if (s->blen == 0)
			buf_put(s);
	}
	struct sl_http1_req rq = {.meth = s->head_req ? SL_HTTP1_M_HEAD : SL_HTTP1_M_GET,
				  .minor = s->minor};
	uint64_t len = 0;
	enum sl_http1_body body = sl_http1_body_info(&rq, rsp, &len);
	bool interim = rsp->status >= 100 && rsp->status < 200 && rsp->status != 101;
	s->tunnel = rsp->status == 101 && s->websocket;
	if (rsp->status == 101 && !s->websocket) {
		reply_and_close(s, 502); /* an upgrade nobody asked for */
		return;
	}
	if (body == SL_HTTP1_BODY_UNTIL_CLOSE)
		s->cli_ka = false; /* its end is the server's close: ours follows */
	struct sl_acl_ctx ctx = {.src = s->cip, .dst_port = s->vport, .ssl = s->tls != NULL,
				 .scratch = hx->scratch};
	struct sl_hx_rsp_edit e = {.fe = s->fe, .be = s->be, .ctx = &ctx,
				   .srv_cookie = s->srv_cookie, .direct = s->direct,
				   .meth = (enum sl_http1_method)s->meth,
				   .now_s = (uint32_t)time(NULL),
				   .last_date = s->direct ? s->ck_last : 0,
				   .first_date = s->direct ? s->ck_first : 0,
				   .close_client = !s->cli_ka && !interim && !s->tunnel,
				   .client_10_ka = s->client_10_ka && !interim,
				   .tunnel = s->tunnel};
	struct sl_hx_out o = {hx->out, HX_OUT_MAX, 0, false};
	if (!sl_hx_build_response(&o, rsp, h, n, &e) || !cli_send(s, o.buf, o.len)) {
		reply_and_close(s, 502);
		return;
	}
	ctr(s, SL_CTR_HTTP_RESPONSES);
	if (!interim)
		count_rsp(s, rsp->status, true);
	/* what came after the head: body bytes (by copy) */
	uint32_t rest = s->rlen - (uint32_t)hl;
	memmove(s->rbuf, s->rbuf + hl, rest);
	s->rlen = rest;
	if (interim) { /* 100 Continue and friends: the real head follows */
		s->rsp = PH_HEAD;
		return;
	}
	if (s->tunnel) {
		ctr(s, SL_CTR_HTTP_TUNNELS);
		s->rsp = s->req = PH_BODY;
		s->req_body = s->rsp_body = SL_HTTP1_BODY_TUNNEL;
		if (s->rlen > 0 && !cli_send(s, s->rbuf, s->rlen)) {
			reply_and_close(s, 502);
			return;
		}
		rbuf_put(s);
		/* bytes the client sent after its handshake belong to the tunnel */
		if (s->blen > 0 && (s->srv == NULL || sl_tcp_send(s->srv, s->buf, s->blen) != s->blen)) {
			reply_and_close(s, 502);
			return;
		}
		buf_put(s);
		arm(s, TMO_TUNNEL);
		return;
	}
	s->rsp_body = (uint8_t)body;
	s->rsp_left = len;
	sl_http1_chunk_init(&s->rsp_ck);
	s->rsp = PH_BODY;
	if (s->rlen > 0) {
		bool done = false;
		int64_t k = body_take(s->rsp_body, &s->rsp_left, &s->rsp_ck, s->rbuf, s->rlen, &done);
		if (k < 0 || (k > 0 && !cli_send(s, s->rbuf, (size_t)k))) {
			reply_and_close(s, 502);
			return;
		}
		if (done)
			s->rsp = PH_DONE; /* nothing may follow a response: the rest is dropped */
	} else if (body == SL_HTTP1_BODY_NONE) {
		s->rsp = PH_DONE;
	}
	rbuf_put(s);
}

/* The transaction is over: next request (keep-alive) or close. */
static void end_transaction(struct hx_sess *s)
{
	count_times(s);
	count_bytes(s);
	srv_release(s, false);
	if (!s->cli_ka || s->cli_fin) {
		cli_shutdown(s);
		s->closing = true;
		arm(s, TMO_FIN);
		return;
	}
	s->req = PH_HEAD;
	s->rsp = PH_NONE;
	s->first = false;
	s->be = NULL;
	if (s->blen == 0)
		buf_put(s);
	arm(s, TMO_KA);
}

/* Does everything the state allows; called on every event. */
static void hx_run(struct hx_sess *s)
{
	struct sl_hx *hx = s->hx;
	if (s->tls != NULL && s->busy)
		tls_flush(s); /* the client's send space may have opened */
	for (int guard = 0; guard < 64 && s->busy && !s->closing; guard++) {
		bool progress = false;
		/* ---- client -> us */
		if (s->req == PH_HEAD) {
			if (cli_has_input(s) && s->blen < hx->bufsize) {
				if (!buf_get(s)) { /* no head buffer free: try again at the next tick */
					hx->starved = true;
					break;
				}
				ssize_t r = cli_recv(s, s->buf + s->blen, hx->bufsize - s->blen);
				if (r > 0) {
					s->blen += (uint32_t)r;
					progress = true;
				} else if (r == -EPROTO) { /* not TLS, or broken: close, nothing to say */
					sess_free(s);
					return;
				} else if (r == 0 && s->tls != NULL) {
					s->cli_fin = true; /* close_notify */
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
					keep_error(s, sl_http1_err_name(req.err));
					s->minor = 1;
					reply_and_close(s, 400);
					return;
				}
				if (hl > 0) {
					if (s->tmo == TMO_REQ || s->tmo == TMO_KA)
						arm(s, TMO_NONE);
					start_request(s, hl, &req, h, n);
					if (s->closing)
						return;
					progress = true;
					continue;
				}
				if (s->blen >= hx->bufsize) {
					reply_and_close(s, 400);
					return;
				}
			}
			if (s->cli_fin && sl_tcp_readable(s->cli) == 0) {
				/* the client left between requests (or mid-head) */
				s->closing = true;
				cli_shutdown(s);
				arm(s, TMO_FIN);
				return;
			}
		} else if (s->req == PH_BODY && (s->srv != NULL || s->rsp == PH_DONE)) {
			struct sl_tcp_conn *dst = s->rsp == PH_DONE && !s->tunnel ? NULL : s->srv;
			int r = s->tls != NULL ?
					move_body_from_tls(s, dst, s->req_body, &s->req_left, &s->req_ck) :
					move_body(s, s->cli, dst, s->req_body, &s->req_left, &s->req_ck,
						  true);
			if (r < 0) {
				reply_and_close(s, 400);
				return;
			}
			if (r == 1 && !s->tunnel) {
				s->req = PH_DONE;
				progress = true;
			}
			if (s->tunnel && s->cli_fin && sl_tcp_readable(s->cli) == 0 && s->srv != NULL)
				sl_tcp_shutdown(s->srv);
		}
		/* ---- server -> client */
		if (s->srv != NULL && s->rsp == PH_HEAD && sl_tcp_readable(s->srv) > 0) {
			if (s->tmo == TMO_SERVER || s->tmo == TMO_CONNECT)
				arm(s, TMO_NONE);
			if (!pool_get(hx, &s->rbuf, &s->rlen)) {
				reply_and_close(s, 502);
				return;
			}
			ssize_t r = sl_tcp_recv(s->srv, s->rbuf + s->rlen, hx->bufsize - s->rlen);
			if (r > 0)
				s->rlen += (uint32_t)r;
			struct sl_http1_resp rsp;
			struct sl_http1_hdr h[SL_HTTP1_MAX_HDRS_DEFAULT];
			size_t n = SL_HTTP1_MAX_HDRS_DEFAULT;
			int hl = sl_http1_parse_response(s->rbuf, s->rlen, hx->bufsize, &rsp, h, &n);
			if (hl == -1 || (hl == -2 && s->rlen >= hx->bufsize)) {
				reply_and_close(s, 502);
				return;
			}
			if (hl > 0) {
				start_response(s, hl, &rsp, h, n);
				if (s->closing)
					return;
			}
			progress = true;
		} else if (s->srv != NULL && s->rsp == PH_BODY) {
			int r = move_body(s, s->srv, s->cli, s->rsp_body, &s->rsp_left, &s->rsp_ck,
					  false);
			if (r < 0) {
				sess_free(s); /* a broken body: nothing sensible can follow */
				return;
			}
			if (r == 1 && !s->tunnel) {
				s->rsp = PH_DONE;
				progress = true;
			}
			if (s->srv_fin && sl_tcp_readable(s->srv) == 0) {
				if (s->tunnel || s->rsp_body == SL_HTTP1_BODY_UNTIL_CLOSE) {
					s->rsp = PH_DONE;
					if (s->tunnel) {
						cli_shutdown(s);
						s->closing = true;
						arm(s, TMO_FIN);
						return;
					}
					progress = true;
				} else if (s->rsp != PH_DONE) {
					s->abrt = 2; /* the server cut its response short */
					sess_free(s); /* truncated response: the client sees the close */
					return;
				}
			}
		}
		if (s->srv != NULL && s->rsp == PH_HEAD && s->srv_fin &&
		    sl_tcp_readable(s->srv) == 0) {
			reply_and_close(s, 502); /* closed without a (complete) response */
			return;
		}
		if (s->tunnel) {
			arm(s, TMO_TUNNEL); /* inactivity: every pass re-arms it */
		} else if (s->rsp == PH_DONE && s->req == PH_DONE) {
			end_transaction(s);
			if (s->closing)
				return;
			progress = true;
		} else if (s->srv_connected && s->req == PH_BODY && s->rsp == PH_HEAD) {
			/* waiting for the client's body bytes: `timeout client` (inactivity) */
			if (progress || s->tmo != TMO_CLIENT)
				arm(s, TMO_CLIENT);
		} else if (s->rsp == PH_HEAD && s->srv_connected && s->req == PH_DONE &&
			   s->tmo != TMO_SERVER) {
			arm(s, TMO_SERVER);
		} else if (s->rsp == PH_BODY && (progress || s->tmo == TMO_CONNECT ||
						 s->tmo == TMO_NONE)) {
			/* a client that does not read stalls us on its side, else the server */
			arm(s, sl_tcp_writable(s->cli) == 0 ? TMO_CLIENT : TMO_SERVER);
		}
		if (!progress)
			break;
	}
}

/* ------------------------------------------------------------------ events */

static void sess_timeout(struct sl_tmr *t, void *arg)
{
	struct hx_sess *s = arg;
	(void)t;
	switch (s->tmo) {
	case TMO_REQ:
		if (s->blen > 0 || s->first) {
			s->minor = 1;
			reply_and_close(s, 408);
		} else {
			sess_free(s);
		}
		return;
	case TMO_QUEUE: /* no slot in time: HAProxy answers 503 */
		q_remove(s);
		s->hx->queue_timeouts++;
		reply_and_close(s, 503);
		return;
	case TMO_CONNECT:
		srv_failed(s);
		return;
	case TMO_SERVER:
		if (s->rsp == PH_HEAD) {
			reply_and_close(s, 504);
			return;
		}
		sess_free(s);
		return;
	case TMO_CLIENT:
		if (s->req == PH_BODY && s->rsp == PH_HEAD) { /* a request body that stopped */
			reply_and_close(s, 408);
			return;
		}
		sess_free(s); /* a client that stopped reading its response */
		return;
	default: /* keep-alive idle, client, tunnel, client-fin */
		sess_free(s);
		return;
	}
}

/* Data or room on either connection: run the session, then count the client's bytes. */
static void sess_event(struct sl_tcp_conn *c, void *arg)
{
	struct hx_sess *s = arg;
	(void)c;
	hx_run(s);
	if (s->busy)
		count_bytes(s);
}

static void cli_peer_closed(struct sl_tcp_conn *c, void *arg)
{
	struct hx_sess *s = arg;
	(void)c;
	s->cli_fin = true;
	s->cli_ka = false;
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
	if (s->busy && !s->closing && s->abrt == 0)
		s->abrt = 1; /* the client went before its response was done */
	sess_free(s); /* both directions over (or reset) */
}

static const struct sl_tcp_cbs cli_cbs = {
	.readable = sess_event,
	.writable = sess_event,
	.peer_closed = cli_peer_closed,
	.error = cli_error,
	.closed = cli_closed,
};

static void srv_connected(struct sl_tcp_conn *c, void *arg)
{
	struct hx_sess *s = arg;
	(void)c;
	s->srv_connected = true;
	s->t_conn = s->hx->lc->now_ms;
	if (s->tmo == TMO_CONNECT)
		arm(s, s->tunnel ? TMO_TUNNEL : TMO_SERVER);
	hx_run(s);
}

static void srv_peer_closed(struct sl_tcp_conn *c, void *arg)
{
	struct hx_sess *s = arg;
	(void)c;
	s->srv_fin = true;
	hx_run(s);
}

static void srv_error(struct sl_tcp_conn *c, void *arg, int reason)
{
	struct hx_sess *s = arg;
	(void)c;
	if (s->rsp == PH_HEAD && !s->srv_connected) {
		srv_failed(s);
		return;
	}
	if (s->rsp == PH_HEAD) {
		reply_and_close(s, 502);
		return;
	}
	s->srv_fin = true;
	if (s->srv != NULL) {
		sl_tcp_close(s->srv);
		s->srv = NULL;
	}
	if (s->rsp != PH_DONE && !(s->rsp_body == SL_HTTP1_BODY_UNTIL_CLOSE) && !s->tunnel) {
		s->abrt = 2; /* the server went in the middle of its response */
		sess_free(s);
		return;
	}
	s->rsp = PH_DONE;
	if (s->tunnel) {
		sess_free(s);
		return;
	}
	hx_run(s);
}

static void srv_closed(struct sl_tcp_conn *c, void *arg)
{
	struct hx_sess *s = arg;
	if (s->srv == c) {
		s->srv_fin = true;
		hx_run(s);
	}
}

static const struct sl_tcp_cbs srv_cbs = {
	.connected = srv_connected,
	.readable = sess_event,
	.writable = sess_event,
	.peer_closed = srv_peer_closed,
	.error = srv_error,
	.closed = srv_closed,
};

static int hx_accepted(struct sl_tcp_conn *c, void *arg)
{
	struct hx_listener *l = arg;
	struct sl_hx *hx = l->hx;
	struct hx_sess *s = hx->free;
	if (s == NULL) {
		hx->lc->ctr->c[SL_CTR_HTTP_SESS_FULL]++;
		return -1; /* RST: refused, counted */
	}
	struct sl_tls_conn *tls = NULL;
	if (l->tls != NULL && (tls = sl_tls_conn_new(l->tls)) == NULL) {
		hx->lc->ctr->c[SL_CTR_HTTP_SESS_FULL]++;
		return -1;
	}
	hx->free = s->next_free;
	hx->active++;
	struct sl_tmr keep = s->tmr;
	memset(s, 0, sizeof(*s));
	s->tmr = keep;
	s->hx = hx;
	s->fe = l->fe;
	s->cli = c;
	s->tls = tls;
	s->busy = true;
	s->first = true;
	s->req = PH_HEAD;
	s->srv_idx = -1;
	s->t_accept = hx->lc->now_ms;
	sl_tcp_endpoints(c, NULL, &s->vport, &s->cip, &s->cport);
	if (pxc(s, s->fe) != NULL)
		pxc(s, s->fe)->stot++;
	sl_tmr_init(&s->tmr, sess_timeout, s);
	sl_tcp_set_cbs(c, &cli_cbs, s);
	arm(s, TMO_REQ);
	return 0;
}

static const struct sl_tcp_cbs listen_cbs = {.accepted = hx_accepted};

/* ------------------------------------------------------------------ setup */

/* A `mode http` frontend this engine serves (stats-only listeners are the page's). */
static bool is_http_frontend(const struct sl_proxy *px)
{
	return (px->cap & SL_CAP_FE) && !(px->cap & SL_CAP_DEF) && px->mode == SL_MODE_HTTP &&
	       !sl_cfg_stats_only(px);
}

/* The TLS versions and cipher settings of a bind, from its own keywords then global's
 * ssl-default-bind-*, as HAProxy reads them. */
static int tls_version(const char *v)
{
	if (v == NULL)
		return 0;
	if (strcmp(v, "TLSv1.3") == 0)
		return 0x0304;
	if (strcmp(v, "TLSv1.2") == 0)
		return 0x0303;
	if (strcmp(v, "TLSv1.1") == 0)
		return 0x0302;
	if (strcmp(v, "TLSv1.0") == 0)
		return 0x0301;
	return 0;
}

static bool has_opt(const struct sl_cfg_str *l, const char *o)
{
	for (; l != NULL; l = l->next)
		if (strcmp(l->s, o) == 0)
			return true;
	return false;
}

/* Loads the certificates of `ssl` bind @b with its settings. Returns 0 or -1 (printed, and
 * written to @why when given). */
static int tls_load(const struct sl_cfg *cfg, const struct sl_bind *b, struct sl_tls_ctx **out,
		    char *why, size_t whylen)
{
	const struct sl_global *g = &cfg->global;
	const char *crts[64];
	int n = 0;
	for (const struct sl_cfg_str *c = b->crts; c != NULL && n < 64; c = c->next)
		crts[n++] = c->s;
	struct sl_tls_opts o = {
		.ciphers = b->ciphers != NULL ? b->ciphers : g->ssl_bind_ciphers,
		.ciphersuites = b->ciphersuites != NULL ? b->ciphersuites : g->ssl_bind_ciphersuites,
		.min_version = tls_version(b->ssl_min_ver),
		.max_version = tls_version(b->ssl_max_ver),
		.no_tls13 = has_opt(b->ssl_opts, "no-tlsv13") || has_opt(g->ssl_bind_options, "no-tlsv13"),
		.no_tls12 = has_opt(b->ssl_opts, "no-tlsv12") || has_opt(g->ssl_bind_options, "no-tlsv12"),
		.alpn = b->alpn,
	};
	char err[512];
	if (sl_tls_ctx_load(crts, n, &o, out, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s:%d: bind: %s\n", b->loc.file, b->loc.line, err);
		if (why != NULL)
			snprintf(why, whylen, "%s:%d: bind: %s", b->loc.file, b->loc.line, err);
		return -1;
	}
	return 0;
}

int sl_httpx_check_certs(const struct sl_cfg *cfg)
{
	int bad = 0;
	for (const struct sl_proxy *px = cfg->proxies; px != NULL; px = px->next) {
		if (!(px->cap & SL_CAP_FE) || (px->cap & SL_CAP_DEF))
			continue;
		for (const struct sl_bind *b = px->binds; b != NULL; b = b->next) {
			struct sl_tls_ctx *c = NULL;
			if (!b->ssl)
				continue;
			if (tls_load(cfg, b, &c, NULL, 0) < 0)
				bad++;
			sl_tls_ctx_free(c);
		}
	}
	return bad;
}

/* This lcore's copy of the certificates of `ssl` bind @b, with the shared ticket keys. */
static int tls_ctx_for(struct sl_dp *dp, const struct sl_bind *b, struct sl_tls_ctx **out,
		       char *why, size_t whylen)
{
	if (tls_load(dp->cfg, b, out, why, whylen) < 0)
		return -1;
	const struct sl_global *g = &dp->cfg->global;
	if (dp->tls_tickets == NULL)
		dp->tls_tickets = sl_tls_tickets_new();
	if (dp->tls_tickets != NULL && !has_opt(b->ssl_opts, "no-tls-tickets") &&
	    !has_opt(g->ssl_bind_options, "no-tls-tickets"))
		sl_tls_ctx_set_tickets(*out, dp->tls_tickets);
	return 0;
}

/* The frontend's maxconn (else global's), shared out among the proxy lcores, on a listener. */
static void listen_limit(struct sl_hx *hx, const struct sl_cfg *cfg, const struct sl_proxy *fe,
			 uint32_t la, uint16_t port)
{
	uint32_t mc = fe->maxconn > 0 ? (uint32_t)fe->maxconn : (uint32_t)cfg->global.maxconn;
	if (mc > 0)
		sl_tcp_listen_maxconn(hx->lc->tcp, la, port,
				      (mc + hx->dp->nproxies - 1) / hx->dp->nproxies, false);
}

/* Listens on @port of bind @b of frontend @fe, in the first free listener slot. Returns 0 or
 * -errno (-ENOSPC: no slot left). */
static int listen_one(struct sl_hx *hx, const struct sl_cfg *cfg, const struct sl_proxy *fe,
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
	int r = sl_tcp_listen(hx->lc->tcp, la, port, 1024, &listen_cbs, l);
	if (r < 0) {
		l->fe = NULL;
		return r;
	}
	if (i == hx->nlst)
		hx->nlst++;
	listen_limit(hx, cfg, fe, la, port);
	return 0;
}

int sl_httpx_init(struct sl_dp *dp, struct sl_lcore *lc)
{
	const struct sl_cfg *cfg = dp->cfg;
	unsigned nl = 0;
	for (const struct sl_proxy *px = cfg->proxies; px != NULL; px = px->next)
		if (is_http_frontend(px))
			for (const struct sl_bind *b = px->binds; b != NULL; b = b->next)
				if (b->addr.family == AF_INET)
					nl += (unsigned)(b->port_hi - b->port_lo + 1);
	if (nl == 0)
		return 0;
	struct sl_hx *hx = calloc(1, sizeof(*hx));
	if (hx == NULL)
		return -1;
	lc->hx = hx;
	hx->lc = lc;
	hx->dp = dp;
	hx->bufsize = cfg->global.bufsize > 0 ? (uint32_t)cfg->global.bufsize : 16384;
	hx->nsess = SL_HX_SESSIONS;
	hx->sess = calloc(hx->nsess, sizeof(*hx->sess));
	unsigned nbuf = hx->nsess; /* a transaction holds at most two for a moment */
	hx->bufmem = malloc((size_t)nbuf * hx->bufsize);
	hx->bufs = calloc(nbuf, sizeof(*hx->bufs));
	hx->out = malloc(HX_OUT_MAX);
	hx->tbuf = malloc(HX_TLS_CHUNK);
	hx->pbuf = malloc(HX_TLS_CHUNK);
	hx->cap_lst = nl + HX_LST_SPARE; /* room for frontends a reload adds (never moved:
					   * the stack's listeners point at their slot) */
	hx->lst = calloc(hx->cap_lst, sizeof(*hx->lst));
	hx->act = calloc(SL_L4_MAX_SERVERS, sizeof(*hx->act));
	hx->scratch = sl_acl_scratch_new();
	hx->pxc = calloc(SL_PX_SLOTS + 1, sizeof(*hx->pxc));
	hx->srvc = calloc(SL_L4_MAX_SERVERS, sizeof(*hx->srvc));
	if (hx->pxc == NULL || hx->srvc == NULL || hx->tbuf == NULL || hx->pbuf == NULL ||
	    hx->scratch == NULL || hx->sess == NULL || hx->bufmem == NULL || hx->bufs == NULL || hx->out == NULL ||
	    hx->lst == NULL || hx->act == NULL) {
		fprintf(stderr, "sluiced: not enough memory for the HTTP sessions of lcore %u\n",
			lc->lcore_id);
		return -1;
	}
	for (unsigned i = 0; i < nbuf; i++)
		hx->bufs[hx->nbufs++] = hx->bufmem + (size_t)i * hx->bufsize;
	for (unsigned i = hx->nsess; i-- > 0;) {
		hx->sess[i].next_free = hx->free;
		hx->free = &hx->sess[i];
		sl_tmr_init(&hx->sess[i].tmr, sess_timeout, &hx->sess[i]);
	}
	sl_tmr_wheel_init(&hx->wheel, 1000, now_us(hx));
	for (const struct sl_proxy *px = cfg->proxies; px != NULL; px = px->next) {
		if (!is_http_frontend(px))
			continue;
		for (const struct sl_bind *b = px->binds; b != NULL; b = b->next) {
			if (b->addr.family != AF_INET)
				continue;
			struct sl_tls_ctx *tls = NULL;
			if (b->ssl && tls_ctx_for(dp, b, &tls, NULL, 0) < 0)
				return -1;
			for (unsigned port = b->port_lo; port <= b->port_hi; port++) {
				int r = listen_one(hx, cfg, px, b, (uint16_t)port, tls);
				if (r < 0) {
					fprintf(stderr, "%s:%d: frontend '%s' on port %u: %s\n",
						b->loc.file, b->loc.line, px->name, port, strerror(-r));
					return -1;
				}
				dp->svc_ports[port] = 1;
			}
		}
	}
	return 0;
}

static void take_new_certs(struct sl_hx *hx);

/* The bind of @cfg's HTTP frontends that listens where @b does (address, port range, ssl). */
static const struct sl_bind *bind_in(const struct sl_cfg *cfg, const struct sl_bind *b,
				     uint16_t port, const struct sl_proxy **fe)
{
	for (const struct sl_proxy *px = cfg->proxies; px != NULL; px = px->next) {
		if (!is_http_frontend(px))
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
 * A reload replaced the configuration (the L4 generation now comes from @cfg): listeners and
 * sessions are pointed at the same frontends, backends and servers of @cfg, by name. A session
 * whose frontend, backend or server is gone keeps the old configuration until it ends (counted
 * in hx->stale: the main lcore frees an old configuration once no lcore counts any).
 */
static void take_cfg(struct sl_hx *hx, const struct sl_cfg *cfg, const struct sl_l4_conf *c)
{
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
		listen_limit(hx, cfg, fe, la, l->port);
	}
	/* ports the new configuration added (plain HTTP) */
	for (const struct sl_proxy *px = cfg->proxies; px != NULL; px = px->next) {
		if (!is_http_frontend(px))
			continue;
		for (const struct sl_bind *b = px->binds; b != NULL; b = b->next) {
			if (b->addr.family != AF_INET || b->ssl)
				continue;
			for (unsigned port = b->port_lo; port <= b->port_hi; port++) {
				bool have = false;
				for (unsigned i = 0; i < hx->nlst && !have; i++)
					have = hx->lst[i].fe != NULL && hx->lst[i].bind == b &&
					       hx->lst[i].port == port;
				int r = have ? 0 : listen_one(hx, cfg, px, b, (uint16_t)port, NULL);
				if (r < 0) /* once, at a reload: not the packet path */
					fprintf(stderr, "sluiced: lcore %u: frontend '%s' cannot listen on port %u: %s\n",
						hx->lc->lcore_id, px->name, port, strerror(-r));
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
			const struct sl_l4_backend *lb = find_backend(c, be, &bi);
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
		if (s->srv_idx >= 0)
			s->srv_cookie = cookie;
	}
}

void sl_httpx_take_cfg(struct sl_lcore *lc, const struct sl_l4_conf *c)
{
	if (lc->hx != NULL)
		take_cfg(lc->hx, c->cfg, c);
}

unsigned sl_httpx_stale(const struct sl_lcore *lc)
{
	return lc->hx != NULL ? lc->hx->stale : 0;
}

void sl_httpx_fini(struct sl_lcore *lc)
{
	struct sl_hx *hx = lc->hx;
	if (hx == NULL)
		return;
	free(hx->sess);
	free(hx->bufmem);
	free(hx->bufs);
	free(hx->out);
	free(hx->tbuf);
	free(hx->pbuf);
	take_new_certs(hx);
	for (unsigned i = 0; i < hx->nlst; i++) /* a bind's ports share one context */
		if (hx->lst[i].tls != NULL && (i == 0 || hx->lst[i - 1].tls != hx->lst[i].tls))
			sl_tls_ctx_free(hx->lst[i].tls);
	free(hx->lst);
	free(hx->act);
	free(hx->pxc);
	free(hx->srvc);
	sl_acl_scratch_free(hx->scratch);
	free(hx);
	lc->hx = NULL;
}

/*
 * Takes the certificates a reload handed over: every port of the bind switches to them for new
 * handshakes; the old context goes when its last connection does (its own reference count).
 */
static void take_new_certs(struct sl_hx *hx)
{
	for (unsigned i = 0; i < hx->nlst; i++) {
		struct sl_tls_ctx *nw = __atomic_exchange_n(&hx->lst[i].pending, NULL, __ATOMIC_ACQUIRE);
		if (nw == NULL)
			continue;
		struct sl_tls_ctx *old = hx->lst[i].tls;
		for (unsigned j = i; j < hx->nlst; j++)
			if (hx->lst[j].tls == old)
				hx->lst[j].tls = nw;
		sl_tls_ctx_free(old);
	}
}

void sl_httpx_tick(struct sl_lcore *lc)
{
	struct sl_hx *hx = lc->hx;
	if (hx == NULL)
		return;
	take_new_certs(hx);
	sl_tmr_advance(&hx->wheel, now_us(hx));
	/* sessions that found no head buffer free try again (rare: the pool has one buffer
	 * per session, a transaction holds two for a moment) */
	if (hx->starved && hx->nbufs > 0) {
		hx->starved = false;
		for (unsigned i = 0; i < hx->nsess && hx->nbufs > 0; i++) {
			struct hx_sess *s = &hx->sess[i];
			if (s->busy && !s->closing && s->req == PH_HEAD && s->buf == NULL &&
			    s->cli != NULL && sl_tcp_readable(s->cli) > 0)
				hx_run(s);
		}
	}
}

void sl_httpx_reset_server(struct sl_lcore *lc, uint16_t gidx)
{
	struct sl_hx *hx = lc->hx;
	for (unsigned i = 0; hx != NULL && i < hx->nsess; i++) {
		struct hx_sess *s = &hx->sess[i];
		if (s->busy && s->srv_idx >= 0 && s->srv_gidx == gidx)
			sess_free(s);
	}
}

/* Whether listener @i is the first port of an `ssl` bind (one context per bind and lcore). */
static bool ssl_bind_head(const struct sl_hx *hx, unsigned i)
{
	return hx->lst[i].tls != NULL && (i == 0 || hx->lst[i - 1].bind != hx->lst[i].bind);
}

int sl_httpx_reload_certs(struct sl_dp *dp, struct sl_outbuf *out)
{
	size_t nheads = 0, nb = 0;
	for (unsigned p = 0; p < dp->nproxies; p++) {
		const struct sl_hx *hx = dp->lcores[dp->proxy_ids[p]]->hx;
		for (unsigned i = 0; hx != NULL && i < hx->nlst; i++)
			nheads += ssl_bind_head(hx, i);
	}
	struct sl_tls_ctx **built = calloc(nheads ? nheads : 1, sizeof(*built));
	if (built == NULL)
		return -1;
	/* build every context first: one bad file refuses the whole reload */
	for (unsigned p = 0; p < dp->nproxies && nb < nheads; p++) {
		struct sl_hx *hx = dp->lcores[dp->proxy_ids[p]]->hx;
		for (unsigned i = 0; hx != NULL && i < hx->nlst; i++) {
			char why[640];
			if (!ssl_bind_head(hx, i))
				continue;
			/* the bind as the current configuration has it (a reload may have
			 * replaced it; this lcore may not have switched yet) */
			const struct sl_bind *b = bind_in(dp->cfg, hx->lst[i].bind, hx->lst[i].port, NULL);
			if (b == NULL)
				b = hx->lst[i].bind;
			if (tls_ctx_for(dp, b, &built[nb], why, sizeof(why)) < 0) {
				sl_outbuf_printf(out, "reload refused: %s; the current certificates keep serving\n",
						 why);
				while (nb > 0)
					sl_tls_ctx_free(built[--nb]);
				free(built);
				return -1;
			}
			nb++;
		}
	}
	/* hand them over in the same order; each proxy lcore switches at its next tick */
	nb = 0;
	for (unsigned p = 0; p < dp->nproxies; p++) {
		struct sl_hx *hx = dp->lcores[dp->proxy_ids[p]]->hx;
		for (unsigned i = 0; hx != NULL && i < hx->nlst; i++) {
			if (!ssl_bind_head(hx, i))
				continue;
			struct sl_tls_ctx *prev = __atomic_exchange_n(&hx->lst[i].pending, built[nb++],
								      __ATOMIC_RELEASE);
			if (prev != NULL) /* an earlier reload not taken yet: superseded */
				sl_tls_ctx_free(prev);
		}
	}
	free(built);
	sl_outbuf_printf(out, "certificates reloaded: %zu ssl bind(s) on %u proxy lcore(s); new handshakes use them\n",
			 dp->nproxies ? nheads / dp->nproxies : 0, dp->nproxies);
	return 0;
}

static void add_times(struct sl_hx_times *to, const struct sl_hx_times *t)
{
	to->q += t->q;
	to->c += t->c;
	to->r += t->r;
	to->t += t->t;
	to->n += t->n < SL_HX_TIME_SAMPLES ? t->n : SL_HX_TIME_SAMPLES;
}

void sl_httpx_sum(const struct sl_lcore *lc, struct sl_hx_pxctr *sum, unsigned npx,
		  struct sl_hx_srvctr *srv)
{
	const struct sl_hx *hx = lc->hx;
	if (hx == NULL)
		return;
	for (unsigned i = 0; i < npx && i <= SL_PX_SLOTS; i++) {
		const struct sl_hx_pxctr *p = &hx->pxc[i];
		sum[i].stot += p->stot;
		sum[i].ended += p->ended;
		sum[i].req_tot += p->req_tot;
		sum[i].ereq += p->ereq;
		sum[i].cli_abrt += p->cli_abrt;
		sum[i].bin += p->bin;
		sum[i].bout += p->bout;
		sum[i].dreq += p->dreq;
		sum[i].econ += p->econ;
		sum[i].eresp += p->eresp;
		sum[i].wretr += p->wretr;
		sum[i].wredis += p->wredis;
		sum[i].qcur += p->qcur;
		sum[i].srv_abrt += p->srv_abrt;
		add_times(&sum[i].tm, &p->tm);
		for (int k = 0; k < 6; k++)
			sum[i].hrsp[k] += p->hrsp[k];
	}
	for (unsigned g = 0; g < SL_L4_MAX_SERVERS; g++) {
		const struct sl_hx_srvctr *c = &hx->srvc[g];
		for (int k = 0; k < 6; k++)
			srv[g].hrsp[k] += c->hrsp[k];
		srv[g].cli_abrt += c->cli_abrt;
		srv[g].bin += c->bin;
		srv[g].bout += c->bout;
		srv[g].req_tot += c->req_tot;
		srv[g].econ += c->econ;
		srv[g].eresp += c->eresp;
		srv[g].wretr += c->wretr;
		srv[g].wredis += c->wredis;
		srv[g].srv_abrt += c->srv_abrt;
		add_times(&srv[g].tm, &c->tm);
	}
}

void sl_httpx_show_errors(const struct sl_dp *dp, struct sl_outbuf *out)
{
	uint64_t now = sl_dp_now_ms(dp);
	unsigned shown = 0;
	for (unsigned i = 0; i < dp->nproxies; i++) {
		const struct sl_lcore *lc = dp->lcores[dp->proxy_ids[i]];
		const struct sl_hx *hx = lc->hx;
		for (unsigned k = 0; hx != NULL && k < HX_ERRORS; k++) {
			const struct hx_err *e = &hx->errs[k];
			struct hx_err copy;
			uint32_t seq = __atomic_load_n(&e->seq, __ATOMIC_ACQUIRE);
			if (seq == 0 || (seq & 1))
				continue; /* empty, or being written */
			memcpy(&copy, e, sizeof(copy));
			__atomic_thread_fence(__ATOMIC_ACQUIRE);
			if (__atomic_load_n(&e->seq, __ATOMIC_RELAXED) != seq)
				continue; /* overwritten while read */
			shown++;
			sl_outbuf_printf(out,
					 "[%" PRIu64 " ms ago] frontend %s (lcore %u): invalid request\n"
					 "  src %u.%u.%u.%u:%u, reason: %s, %u bytes received, the first %u:\n",
					 now - copy.when_ms, copy.frontend, lc->lcore_id, copy.cip >> 24,
					 (copy.cip >> 16) & 255, (copy.cip >> 8) & 255, copy.cip & 255,
					 copy.cport, copy.reason, copy.total, copy.len);
			/* as HAProxy prints them: offsets, printable bytes, the rest escaped */
			for (uint32_t off = 0; off < copy.len;) {
				char line[160];
				size_t n = (size_t)snprintf(line, sizeof(line), "  %05u  ", off);
				while (off < copy.len && n < 140) {
					unsigned char c = (unsigned char)copy.bytes[off++];
					if (c >= 0x20 && c < 0x7f && c != '\\')
						line[n++] = (char)c;
					else
						n += (size_t)snprintf(line + n, sizeof(line) - n, "\\x%02x", c);
					if (c == '\n')
						break;
				}
				line[n] = '\0';
				sl_outbuf_printf(out, "%s\n", line);
			}
		}
	}
	if (shown == 0)
		sl_outbuf_printf(out, "No refused request kept.\n");
}

void sl_httpx_show(const struct sl_dp *dp, struct sl_outbuf *out)
{
	for (unsigned i = 0; i < dp->nproxies; i++) {
		const struct sl_lcore *lc = dp->lcores[dp->proxy_ids[i]];
		const struct sl_hx *hx = lc->hx;
		if (hx == NULL)
			continue;
		sl_outbuf_printf(out,
				 "lcore %u: http sessions %u/%u head buffers free %u queued %u"
				 " queued_total %" PRIu64 " queue_timeouts %" PRIu64 "\n",
				 lc->lcore_id, hx->active, hx->nsess, hx->nbufs, hx->nqueued,
				 hx->queued_total, hx->queue_timeouts);
	}
}

static const char *phase_name(uint8_t p)
{
	static const char *const names[] = {"-", "head", "body", "done"};
	return p < 4 ? names[p] : "?";
}

unsigned sl_httpx_show_sess(const struct sl_dp *dp, struct sl_outbuf *out, unsigned max)
{
	unsigned shown = 0;
	uint64_t now = sl_dp_now_ms(dp);
	for (unsigned i = 0; i < dp->nproxies; i++) {
		const struct sl_lcore *lc = dp->lcores[dp->proxy_ids[i]];
		const struct sl_hx *hx = lc->hx;
		for (unsigned k = 0; hx != NULL && k < hx->nsess && shown < max; k++) {
			/* read while the lcore runs: a session may change under the reader, the
			 * names it points to stay valid (configurations go only from main) */
			const struct hx_sess *s = &hx->sess[k];
			if (!__atomic_load_n(&s->busy, __ATOMIC_RELAXED))
				continue;
			const struct sl_proxy *fe = s->fe, *be = s->be;
			uint32_t ip = s->cip, sip = s->srv_ip;
			bool srv = s->srv_idx >= 0;
			char server[32] = "-";
			if (srv)
				snprintf(server, sizeof(server), "%u.%u.%u.%u:%u", sip >> 24,
					 sip >> 16 & 255, sip >> 8 & 255, sip & 255, s->srv_port);
			sl_outbuf_printf(out,
					 "http lcore=%u id=%u src=%u.%u.%u.%u:%u fe=%s be=%s srv=%s req=%s rsp=%s%s%s%s age=%" PRIu64 "ms\n",
					 lc->lcore_id, k, ip >> 24, ip >> 16 & 255, ip >> 8 & 255,
					 ip & 255, s->cport, fe != NULL ? fe->name : "-",
					 be != NULL ? be->name : "-", server, phase_name(s->req),
					 phase_name(s->rsp), s->tls != NULL ? " tls" : "",
					 s->tunnel ? " tunnel" : "", s->queued ? " queued" : "",
					 now >= s->t_accept ? now - s->t_accept : 0);
			shown++;
		}
	}
	return shown;
}

void sl_httpx_show_pools(const struct sl_dp *dp, struct sl_outbuf *out)
{
	for (unsigned i = 0; i < dp->nproxies; i++) {
		const struct sl_lcore *lc = dp->lcores[dp->proxy_ids[i]];
		const struct sl_hx *hx = lc->hx;
		if (hx == NULL)
			continue;
		sl_outbuf_printf(out, "lcore %u http_sessions: used %u free %u size %zu\n", lc->lcore_id,
				 hx->active, hx->nsess - hx->active, sizeof(struct hx_sess));
		sl_outbuf_printf(out, "lcore %u http_head_buffers: used %u free %u size %u\n",
				 lc->lcore_id, hx->nsess - hx->nbufs, hx->nbufs, hx->bufsize);
	}
}
