/* SPDX-License-Identifier: BSD-3-Clause */
#include "dataplane/tcphost/tcphost.h"

#include <errno.h>
#include <stddef.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_random.h>

#include "controlplane/cfg/cfg.h"
#include "controlplane/check/check.h"
#include "proto/outbuf.h"
#include "dataplane/core/dp.h"
#include "dataplane/http/http.h"
#include "tls/tls.h"
#include "dataplane/core/lcore.h"
#include "dataplane/page/page.h"
#include "dataplane/tcp/stack.h"
#include "proto/ipv4.h"
#include "proto/tcp.h"

/* ------------------------------------------------------------------ the stack's environment */

/*
 * The stack builds each packet straight in a transmit mbuf (tx_alloc), after room for the
 * Ethernet header that sl_ip_output() fills in; payload comes from the connection's queue,
 * which holds received mbufs as they arrived: one copy per byte, into the frame (AF_XDP
 * copies frames into its UMEM anyway, and its PMD sends only single-segment mbufs).
 */
static uint8_t *px_tx_alloc(void *env, size_t len, void **h)
{
	struct sl_lcore *lc = env;
	struct rte_mbuf *m = rte_pktmbuf_alloc(lc->dp->pool);
	if (m == NULL) {
		lc->ctr->c[SL_CTR_DROP_NO_MBUF]++;
		return NULL;
	}
	if (len + 14 > rte_pktmbuf_tailroom(m)) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);
	memset(p, 0, 12);
	p[12] = 0x08;
	p[13] = 0x00;
	*h = m;
	return p + 14;
}

static int px_tx_send(void *env, void *h, size_t len)
{
	struct sl_lcore *lc = env;
	struct rte_mbuf *m = h;
	const uint8_t *pkt = rte_pktmbuf_mtod(m, const uint8_t *) + 14;
	m->data_len = m->pkt_len = (uint32_t)(len + 14);
	uint32_t src = (uint32_t)pkt[12] << 24 | pkt[13] << 16 | pkt[14] << 8 | pkt[15];
	uint32_t dst = (uint32_t)pkt[16] << 24 | pkt[17] << 16 | pkt[18] << 8 | pkt[19];
	sl_ip_output(lc, sl_dp_port_of(lc->dp, src), m, dst);
	return 0;
}

/* A received mbuf the stack kept as payload storage is released. */
static void px_buf_free(void *env, void *ext)
{
	rte_pktmbuf_free(ext);
}

static uint64_t px_now_us(void *env)
{
	const struct sl_lcore *lc = env;
	uint64_t c = rte_rdtsc() - lc->dp->start_tsc, hz = lc->dp->tsc_hz;
	return c / hz * 1000000 + c % hz * 1000000 / hz;
}

static uint32_t px_random(void *env)
{
	return (uint32_t)rte_rand();
}

static const struct sl_tcp_ops px_ops = {
	.now_us = px_now_us,
	.random = px_random,
	.buf_free = px_buf_free,
	.tx_alloc = px_tx_alloc,
	.tx_send = px_tx_send,
};

/* ------------------------------------------------------------------ built-in services */

/*
 * echo: what comes in goes back, without a copy (the received chain becomes the send queue),
 * and only while the send queue has room: a client that does not read stops the echo, and
 * then its own sending through our closing window.
 */
static void echo_pump(struct sl_tcp_conn *c)
{
	while (sl_tcp_readable(c) > 0) {
		if (sl_tcp_writable(c) == 0) {
			/* full: resume when the peer has acknowledged some of it */
			sl_tcp_want_writable(c);
			break;
		}
		sl_tcp_send_bufs(c, sl_tcp_recv_bufs(c, NULL));
	}
	/* the peer is done and everything it sent went back: close our side too */
	if (sl_tcp_state(c) == SL_TCP_CLOSE_WAIT && sl_tcp_readable(c) == 0)
		sl_tcp_shutdown(c);
}

static int echo_accepted(struct sl_tcp_conn *c, void *arg)
{
	return 0;
}

static void echo_event(struct sl_tcp_conn *c, void *arg)
{
	echo_pump(c);
}

static void any_error(struct sl_tcp_conn *c, void *arg, int reason)
{
}

static void any_closed(struct sl_tcp_conn *c, void *arg)
{
	sl_tcp_close(c);
}

static const struct sl_tcp_cbs echo_cbs = {
	.accepted = echo_accepted,
	.readable = echo_event,
	.writable = echo_event,
	.peer_closed = echo_event,
	.error = any_error,
	.closed = any_closed,
};

/*
 * http-ok: a fixed 200 for each request (a blank line ends its header; requests have no body),
 * keep-alive. A test responder, not a parser: a header block split exactly across two reads is
 * missed (clients such as curl and wrk send each request in one segment).
 */
static const char http_ok_resp[] = "HTTP/1.1 200 OK\r\nServer: sluice\r\nContent-Type: text/plain\r\n"
				   "Content-Length: 3\r\n\r\nok\n";

static void http_ok_read(struct sl_tcp_conn *c, void *arg)
{
	char buf[16384];
	ssize_t r;
	while ((r = sl_tcp_recv(c, buf, sizeof(buf))) > 0) {
		for (ssize_t i = 0; i + 3 < r; i++)
			if (memcmp(buf + i, "\r\n\r\n", 4) == 0 &&
			    sl_tcp_writable(c) >= sizeof(http_ok_resp) - 1)
				sl_tcp_send(c, http_ok_resp, sizeof(http_ok_resp) - 1);
	}
	if (r == 0)
		sl_tcp_shutdown(c); /* the client closed: so do we */
}

static const struct sl_tcp_cbs http_ok_cbs = {
	.accepted = echo_accepted,
	.readable = http_ok_read,
	.peer_closed = http_ok_read,
	.error = any_error,
	.closed = any_closed,
};

/* ------------------------------------------------------------------ HTTP health checks */

/*
 * One HTTP check: connect from this lcore's check port, send the request, read the status line
 * and up to a buffer of the body, judge it with the backend's expectations (controlplane/check/check.c)
 * and report. Failures before the connection: L4CON (refused) or L4TOUT; after: L7TOUT or L7RSP.
 */
struct sl_hchk_slot {
	struct sl_lcore *lc;
	struct sl_tcp_conn *conn;
	struct sl_hchk_req req;
	uint64_t start_ms;
	bool busy, connected, reported;
	size_t len;
	char buf[2048];
};

static void hchk_report(struct sl_hchk_slot *s, enum sl_check_status st, int code)
{
	if (s->reported)
		return;
	s->reported = true;
	struct sl_hchk_res r = {.id = s->req.id, .status = (uint8_t)st, .code = code};
	rte_ring_enqueue_elem(s->lc->dp->hchk_res, &r, sizeof(r)); /* a full ring loses it: the
									next check brings another */
}

/* Judges what was received (the server closed, or the buffer is full). */
static void hchk_judge(struct sl_hchk_slot *s)
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

static void hchk_end(struct sl_hchk_slot *s)
{
	if (s->conn != NULL) {
		sl_tcp_abort(s->conn); /* no more callbacks for it */
		s->conn = NULL;
	}
	s->busy = false;
}

static void hchk_connected(struct sl_tcp_conn *c, void *arg)
{
	struct sl_hchk_slot *s = arg;
	s->connected = true;
	sl_tcp_send(c, s->req.text, s->req.text_len);
}

static void hchk_readable(struct sl_tcp_conn *c, void *arg)
{
	struct sl_hchk_slot *s = arg;
	ssize_t r;
	while (s->len < sizeof(s->buf) - 1 &&
	       (r = sl_tcp_recv(c, s->buf + s->len, sizeof(s->buf) - 1 - s->len)) > 0)
		s->len += (size_t)r;
	if (s->len >= sizeof(s->buf) - 1) {
		hchk_judge(s);
		hchk_end(s);
	}
}

static void hchk_peer_closed(struct sl_tcp_conn *c, void *arg)
{
	struct sl_hchk_slot *s = arg;
	hchk_readable(c, arg);
	if (s->busy) {
		hchk_judge(s);
		hchk_end(s);
	}
}

static void hchk_error(struct sl_tcp_conn *c, void *arg, int reason)
{
	struct sl_hchk_slot *s = arg;
	if (!s->connected)
		hchk_report(s, reason == SL_TCP_ERR_REFUSED ? SL_CHK_L4CON : SL_CHK_L4TOUT, 0);
	else if (s->len > 0)
		hchk_judge(s);
	else
		hchk_report(s, SL_CHK_L7RSP, 0);
}

static void hchk_closed(struct sl_tcp_conn *c, void *arg)
{
	struct sl_hchk_slot *s = arg;
	sl_tcp_close(c);
	s->conn = NULL;
	hchk_report(s, SL_CHK_L7RSP, 0);
	s->busy = false;
}

static const struct sl_tcp_cbs hchk_cbs = {
	.connected = hchk_connected,
	.readable = hchk_readable,
	.peer_closed = hchk_peer_closed,
	.error = hchk_error,
	.closed = hchk_closed,
};

int sl_proxy_hcheck_request(struct sl_dp *dp, const struct sl_hchk_req *req)
{
	if (dp->nproxies == 0)
		return -ENODEV;
	struct sl_lcore *lc = dp->lcores[dp->proxy_ids[req->id % dp->nproxies]];
	return rte_ring_enqueue_elem(lc->hchk_req, (void *)(uintptr_t)req, sizeof(*req)) == 0 ?
		       0 :
		       -ENOBUFS;
}

unsigned sl_proxy_hcheck_results(struct sl_dp *dp, struct sl_hchk_res *res, unsigned n)
{
	if (dp->hchk_res == NULL)
		return 0;
	return rte_ring_dequeue_burst_elem(dp->hchk_res, res, sizeof(*res), n, NULL);
}

void sl_proxy_mark_ports(struct sl_dp *dp, const struct sl_cfg *cfg)
{
	uint8_t *want = calloc(65536, 1);
	if (want == NULL)
		return;
	for (const struct sl_dp_service *sv = cfg->dp.services; sv != NULL; sv = sv->next)
		want[sv->port] = 1;
	for (const struct sl_proxy *px = cfg->proxies; px != NULL; px = px->next) {
		if (!(px->cap & SL_CAP_FE) || (px->cap & SL_CAP_DEF) || px->mode != SL_MODE_HTTP)
			continue;
		for (const struct sl_bind *b = px->binds; b != NULL; b = b->next)
			if (b->addr.family == AF_INET && !sl_page_bind_is_kernel(dp, b))
				for (unsigned p = b->port_lo; p <= b->port_hi; p++)
					want[p] = 1;
	}
	/* only added: a port that went keeps its byte, so the connections its listener accepted
	 * still reach their lcore (a new SYN meets no listener: RST); a mode tcp service on such a
	 * port wins anyway (the worker tries the L4 path first) */
	for (unsigned p = 0; p < 65536; p++)
		if (want[p] && dp->svc_ports[p] == 0)
			__atomic_store_n(&dp->svc_ports[p], 1, __ATOMIC_RELAXED);
	free(want);
}

/* Proxy lcore tick: starts requested checks, times out slow ones. */
static void hchk_tick(struct sl_lcore *lc)
{
	struct sl_hchk_req req;
	uint64_t now = sl_dp_now_ms(lc->dp);
	while (lc->hchk_req != NULL && rte_ring_dequeue_elem(lc->hchk_req, &req, sizeof(req)) == 0) {
		unsigned k;
		for (k = 0; k < SL_HCHK_SLOTS && lc->hchk[k].busy; k++)
			;
		if (k == SL_HCHK_SLOTS) {
			struct sl_hchk_res r = {.id = req.id, .status = SL_CHK_SOCKERR};
			rte_ring_enqueue_elem(lc->dp->hchk_res, &r, sizeof(r));
			continue;
		}
		struct sl_hchk_slot *s = &lc->hchk[k];
		memset(s, 0, offsetof(struct sl_hchk_slot, buf));
		s->lc = lc;
		s->req = req;
		s->start_ms = now;
		s->busy = true;
		int err = 0;
		uint16_t lport = (uint16_t)(SL_HCHK_PORT_LO + lc->proxy_idx * SL_HCHK_SLOTS + k);
		s->conn = sl_tcp_connect(lc->tcp, sl_dp_source_for(lc->dp, 0, req.ip), lport, req.ip,
					 req.port, &hchk_cbs, s, &err);
		if (s->conn == NULL) {
			hchk_report(s, SL_CHK_SOCKERR, 0);
			s->busy = false;
		}
	}
	for (unsigned k = 0; lc->hchk != NULL && k < SL_HCHK_SLOTS; k++) {
		struct sl_hchk_slot *s = &lc->hchk[k];
		if (s->busy && now - s->start_ms >= s->req.timeout_ms) {
			hchk_report(s, s->connected ? SL_CHK_L7TOUT : SL_CHK_L4TOUT, 0);
			hchk_end(s);
		}
	}
}

/* ------------------------------------------------------------------ setup */

int sl_proxy_init(struct sl_dp *dp)
{
	const struct sl_dataplane *cdp = &dp->cfg->dp;
	dp->svc_ports = rte_zmalloc("sl_svc_ports", 65536, 64);
	dp->hchk_res = rte_ring_create_elem("sl_hchk_res", sizeof(struct sl_hchk_res), 1024,
					    SOCKET_ID_ANY, RING_F_SC_DEQ);
	if (dp->svc_ports == NULL || dp->hchk_res == NULL)
		return -1;
	for (const struct sl_dp_service *sv = cdp->services; sv != NULL; sv = sv->next)
		dp->svc_ports[sv->port] = 1;
	unsigned id;
	RTE_LCORE_FOREACH(id) { /* first all of them: listeners share limits among them */
		struct sl_lcore *lc = dp->lcores[id];
		if (!(lc->roles & SL_ROLE_PROXY))
			continue;
		lc->proxy_idx = dp->nproxies;
		lc->cfg = lc->cfg_clean = dp->cfg;
		lc->cfg_gen = dp->cfg_gen;
		dp->proxy_ids[dp->nproxies++] = id;
	}
	/* server-side local ports: one disjoint range per proxy lcore, so that a server's
	 * reply is steered to the lcore whose stack opened the connection */
	if (dp->nproxies > 0) {
		dp->hx_lport_span = (uint16_t)((SL_HX_LPORT_HI - SL_HX_LPORT_LO + 1) / dp->nproxies);
		for (unsigned p = SL_HX_LPORT_LO; p < SL_HX_LPORT_LO + (unsigned)dp->hx_lport_span * dp->nproxies; p++)
			dp->svc_ports[p] = 3;
	}
	RTE_LCORE_FOREACH(id) {
		struct sl_lcore *lc = dp->lcores[id];
		if (!(lc->roles & SL_ROLE_PROXY))
			continue;
		/* this lcore's HTTP check ports go to its stack (by port, not by hash: see input) */
		for (unsigned k = 0; k < SL_HCHK_SLOTS; k++)
			dp->svc_ports[SL_HCHK_PORT_LO + lc->proxy_idx * SL_HCHK_SLOTS + k] = 2;
		char name[32];
		snprintf(name, sizeof(name), "sl_hchk_%u", id);
		lc->hchk_req = rte_ring_create_elem(name, sizeof(struct sl_hchk_req), 256,
						    SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
		lc->hchk = rte_zmalloc("sl_hchk", sizeof(*lc->hchk) * SL_HCHK_SLOTS, 64);
		if (lc->hchk_req == NULL || lc->hchk == NULL)
			return -1;
		/* services need room for clients; checks alone need a few connections */
		struct sl_tcp_params p = {.max_conns = cdp->services != NULL ? 4096 : 256,
					  .sndbuf = 32768,
					  .rcvbuf = 32768,
					  .ext_max = SL_PROXY_EXT_MAX,
					  .lport_min = (uint16_t)(SL_HX_LPORT_LO +
								  lc->proxy_idx * dp->hx_lport_span),
					  .lport_max = (uint16_t)(SL_HX_LPORT_LO +
								  (lc->proxy_idx + 1) * dp->hx_lport_span - 1)};
		lc->tcp = sl_tcp_stack_create(&p, &px_ops, lc);
		if (lc->tcp == NULL) {
			fprintf(stderr, "sluiced: not enough memory for the TCP stack of lcore %u\n", id);
			return -1;
		}
		if (sl_page_listen(dp, lc) < 0 || sl_httpx_init(dp, lc) < 0)
			return -1;
		for (const struct sl_dp_service *sv = cdp->services; sv != NULL; sv = sv->next) {
			int r = sl_tcp_listen(lc->tcp, 0, sv->port, 1024,
					      sv->kind == SL_SVC_ECHO ? &echo_cbs : &http_ok_cbs, NULL);
			if (r < 0) {
				fprintf(stderr, "%s:%d: service on port %u: %s\n", sv->loc.file,
					sv->loc.line, sv->port, strerror(-r));
				return -1;
			}
		}
	}
	return 0;
}

void sl_proxy_fini(struct sl_dp *dp)
{
	for (unsigned i = 0; i < dp->nproxies; i++) {
		struct sl_lcore *lc = dp->lcores[dp->proxy_ids[i]];
		sl_httpx_fini(lc);
		sl_tcp_stack_destroy(lc->tcp);
		lc->tcp = NULL;
		sl_page_fini(lc);
		rte_ring_free(lc->hchk_req);
		rte_free(lc->hchk);
		lc->hchk_req = NULL;
		lc->hchk = NULL;
	}
	dp->nproxies = 0;
	sl_tls_tickets_free(dp->tls_tickets);
	dp->tls_tickets = NULL;
	rte_ring_free(dp->hchk_res);
	dp->hchk_res = NULL;
	rte_free(dp->svc_ports);
	dp->svc_ports = NULL;
}

/* ------------------------------------------------------------------ packet path */

bool sl_proxy_input(struct sl_lcore *lc, uint16_t port, struct rte_mbuf *m, const uint8_t *ip,
		    const struct sl_ipv4_info *iph, const struct sl_tcp_info *th)
{
	struct sl_dp *dp = lc->dp;
	if (dp->svc_ports == NULL || !dp->svc_ports[th->dport] || dp->nproxies == 0)
		return false;
	/* the client's address and port pick the proxy lcore: both directions of a connection
	 * end up on the same one, whatever queue RSS chose */
	uint32_t h = (iph->src ^ (uint32_t)th->sport * 2654435761u) * 2246822519u;
	unsigned owner = dp->proxy_ids[(h >> 16) % dp->nproxies];
	if (dp->svc_ports[th->dport] == 2) /* a check's reply: the lcore that owns that port */
		owner = dp->proxy_ids[(th->dport - SL_HCHK_PORT_LO) / SL_HCHK_SLOTS];
	else if (dp->svc_ports[th->dport] == 3) /* a server's reply to a proxy lcore */
		owner = dp->proxy_ids[(th->dport - SL_HX_LPORT_LO) / dp->hx_lport_span];
	if (owner != lc->lcore_id) {
		m->port = port;
		if (rte_ring_enqueue(dp->lcores[owner]->rxring, m) != 0) {
			lc->ctr->c[SL_CTR_DROP_RING_FULL]++;
			rte_pktmbuf_free(m);
		}
		return true;
	}
	lc->ctr->c[SL_CTR_PROXY_SEGMENTS]++;
	if (sl_tcp_input_ext(lc->tcp, ip, iph->total_len, m) != 1)
		rte_pktmbuf_free(m); /* else its payload waits in a connection, no copy made */
	return true;
}

/*
 * Follows a reload: when the published L4 generation comes from another configuration, the
 * stats pages and HTTP sessions are pointed at it; once nothing of this lcore refers to an
 * earlier one (sessions whose proxy or server went, HTTP checks started from it), says so in
 * lc->cfg_clean and the main lcore may free it.
 */
static void follow_cfg(struct sl_lcore *lc)
{
	const struct sl_l4_conf *c = __atomic_load_n(&lc->dp->l4, __ATOMIC_ACQUIRE);
	if (c == NULL || c->cfg == NULL)
		return;
	if (c->cfg != lc->cfg) {
		sl_page_take_cfg(lc, c->cfg);
		sl_httpx_take_cfg(lc, c);
		lc->cfg = c->cfg;
		lc->cfg_gen = c->cfg_gen;
	}
	unsigned held = sl_httpx_stale(lc);
	if (lc->cfg_clean == lc->cfg)
		return;
	for (unsigned k = 0; lc->hchk != NULL && k < SL_HCHK_SLOTS; k++)
		held += lc->hchk[k].busy && lc->hchk[k].req.cfg_gen != lc->cfg_gen;
	if (lc->hchk_req != NULL && rte_ring_count(lc->hchk_req) > 0)
		held++; /* requests not started yet may be older: look again next tick */
	if (held == 0)
		__atomic_store_n(&lc->cfg_clean, lc->cfg, __ATOMIC_RELEASE);
}

void sl_proxy_tick(struct sl_lcore *lc)
{
	if (lc->tcp == NULL)
		return;
	follow_cfg(lc);
	hchk_tick(lc);
	sl_tcp_advance(lc->tcp, px_now_us(lc));
	sl_httpx_tick(lc);
}

void sl_proxy_show(const struct sl_dp *dp, struct sl_outbuf *out)
{
	for (unsigned i = 0; i < dp->nproxies; i++) {
		const struct sl_lcore *lc = dp->lcores[dp->proxy_ids[i]];
		struct sl_tcp_stats s;
		sl_tcp_stack_stats(lc->tcp, &s);
		sl_outbuf_printf(out,
				 "lcore %u: conns %u/%u (time_wait %u) syn %u/%u opened %" PRIu64
				 " closed %" PRIu64 " segs_in %" PRIu64 " segs_out %" PRIu64
				 " retransmits %" PRIu64 " rst_out %" PRIu64
				 " challenge_acks %" PRIu64 " syncookies %" PRIu64
				 " syncookies_share %" PRIu64 " syncookies_ok %" PRIu64
				 " syn_evicted %" PRIu64 " refused_full %" PRIu64
				 " drop_csum %" PRIu64 " drop_no_conn %" PRIu64 " drop_nobuf %" PRIu64
				 " refused_maxconn %" PRIu64 " keepalive_timeouts %" PRIu64
				 " ooo_queued %" PRIu64 " ooo_dropped %" PRIu64
				 " mbufs_held %u chunks %u/%u mbufs_kept %" PRIu64
				 " bytes_copied_in %" PRIu64 "\n",
				 lc->lcore_id, s.conns_in_use, s.conns_max, s.time_wait_in_use,
				 s.syn_in_use, s.syn_max, s.conns_opened, s.conns_closed, s.segs_in,
				 s.segs_out, s.retransmits, s.rst_out, s.challenge_acks,
				 s.syncookies_sent, s.syncookies_share, s.syncookies_ok, s.syn_evicted,
				 s.refused_full, s.drop_csum, s.drop_no_conn, s.drop_nobuf,
				 s.refused_maxconn,
				 s.keepalive_timeouts, s.ooo_queued, s.ooo_dropped, s.ext_in_use, s.chunks_in_use, s.chunks_max,
				 s.ext_kept, s.bytes_copied_in);
	}
}
