/* SPDX-License-Identifier: BSD-3-Clause */
#include "dataplane/proxy.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_random.h>

#include "controlplane/cfg.h"
#include "controlplane/outbuf.h"
#include "dataplane/dp.h"
#include "dataplane/lcore.h"
#include "dataplane/tcp/stack.h"
#include "proto/ipv4.h"
#include "proto/tcp.h"

/* ------------------------------------------------------------------ the stack's environment */

static int px_output(void *env, const uint8_t *pkt, size_t len)
{
	struct sl_lcore *lc = env;
	struct rte_mbuf *m = rte_pktmbuf_alloc(lc->dp->pool);
	if (m == NULL) {
		lc->ctr->c[SL_CTR_DROP_NO_MBUF]++;
		return -ENOMEM;
	}
	if (len + 14 > rte_pktmbuf_tailroom(m)) {
		rte_pktmbuf_free(m);
		return -EMSGSIZE;
	}
	uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);
	memset(p, 0, 12);
	p[12] = 0x08;
	p[13] = 0x00;
	memcpy(p + 14, pkt, len);
	m->data_len = m->pkt_len = (uint32_t)(len + 14);
	uint32_t src = (uint32_t)pkt[12] << 24 | pkt[13] << 16 | pkt[14] << 8 | pkt[15];
	uint32_t dst = (uint32_t)pkt[16] << 24 | pkt[17] << 16 | pkt[18] << 8 | pkt[19];
	uint16_t port = 0;
	for (unsigned i = 0; i < lc->dp->naddrs; i++)
		if (lc->dp->addrs[i].ip == src)
			port = lc->dp->addrs[i].port;
	sl_ip_output(lc, port, m, dst);
	return 0;
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
	.output = px_output,
	.now_us = px_now_us,
	.random = px_random,
};

/* ------------------------------------------------------------------ built-in services */

/* echo: what comes in goes back, never more than the send buffer takes (no buffer of its own) */
static void echo_pump(struct sl_tcp_conn *c)
{
	uint8_t buf[16384];
	for (;;) {
		size_t w = sl_tcp_writable(c);
		if (w == 0) {
			/* full: resume when the peer has acknowledged some of it */
			sl_tcp_want_writable(c);
			break;
		}
		ssize_t r = sl_tcp_recv(c, buf, w < sizeof(buf) ? w : sizeof(buf));
		if (r <= 0)
			break;
		sl_tcp_send(c, buf, (size_t)r);
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

/* ------------------------------------------------------------------ setup */

int sl_proxy_init(struct sl_dp *dp)
{
	const struct sl_dataplane *cdp = &dp->cfg->dp;
	if (cdp->services == NULL)
		return 0;
	dp->svc_ports = rte_zmalloc("sl_svc_ports", 65536, 64);
	if (dp->svc_ports == NULL)
		return -1;
	for (const struct sl_dp_service *sv = cdp->services; sv != NULL; sv = sv->next)
		dp->svc_ports[sv->port] = 1;
	unsigned id;
	RTE_LCORE_FOREACH(id) {
		struct sl_lcore *lc = dp->lcores[id];
		if (!(lc->roles & SL_ROLE_PROXY))
			continue;
		dp->proxy_ids[dp->nproxies++] = id;
		struct sl_tcp_params p = {.max_conns = 4096, .sndbuf = 32768, .rcvbuf = 32768};
		lc->tcp = sl_tcp_stack_create(&p, &px_ops, lc);
		if (lc->tcp == NULL) {
			fprintf(stderr, "sluiced: not enough memory for the TCP stack of lcore %u\n", id);
			return -1;
		}
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
		sl_tcp_stack_destroy(lc->tcp);
		lc->tcp = NULL;
	}
	dp->nproxies = 0;
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
	if (owner != lc->lcore_id) {
		m->port = port;
		if (rte_ring_enqueue(dp->lcores[owner]->rxring, m) != 0) {
			lc->ctr->c[SL_CTR_DROP_RING_FULL]++;
			rte_pktmbuf_free(m);
		}
		return true;
	}
	lc->ctr->c[SL_CTR_PROXY_SEGMENTS]++;
	sl_tcp_input(lc->tcp, ip, iph->total_len);
	rte_pktmbuf_free(m);
	return true;
}

void sl_proxy_tick(struct sl_lcore *lc)
{
	if (lc->tcp != NULL)
		sl_tcp_advance(lc->tcp, px_now_us(lc));
}

void sl_proxy_show(const struct sl_dp *dp, struct sl_outbuf *out)
{
	for (unsigned i = 0; i < dp->nproxies; i++) {
		const struct sl_lcore *lc = dp->lcores[dp->proxy_ids[i]];
		struct sl_tcp_stats s;
		sl_tcp_stack_stats(lc->tcp, &s);
		sl_outbuf_printf(out,
				 "lcore %u: conns %u/%u (time_wait %u) opened %" PRIu64
				 " closed %" PRIu64 " segs_in %" PRIu64 " segs_out %" PRIu64
				 " retransmits %" PRIu64 " rst_out %" PRIu64
				 " challenge_acks %" PRIu64 " syncookies %" PRIu64
				 " drop_csum %" PRIu64 " drop_no_conn %" PRIu64 "\n",
				 lc->lcore_id, s.conns_in_use, s.conns_max, s.time_wait_in_use,
				 s.conns_opened, s.conns_closed, s.segs_in, s.segs_out, s.retransmits,
				 s.rst_out, s.challenge_acks, s.syncookies_sent, s.drop_csum,
				 s.drop_no_conn);
	}
}
