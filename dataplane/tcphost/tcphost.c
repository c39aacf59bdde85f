/* SPDX-License-Identifier: BSD-3-Clause */
#include "dataplane/tcphost/tcphost.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_cycles.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_random.h>

#include "controlplane/cfg/cfg.h"
#include "controlplane/cfg/cfg_reload.h"
#include "dataplane/core/ipout.h"
#include "dataplane/core/lcore.h"
#include "dataplane/core/tx.h"
#include "dataplane/tcp/stack.h"
#include "dataplane/tcphost/httpchk.h"
#include "dataplane/tcphost/services.h"
#include "proto/ipv4.h"
#include "proto/outbuf.h"
#include "proto/tcp.h"

/* ------------------------------------------------------------------ the stack's environment */

/*
 * The stack builds each packet straight in a transmit mbuf (tx_alloc), after room for the
 * Ethernet header that sl_ip_output() fills in; payload comes from the connection's queue,
 * which holds received mbufs as they arrived: one copy per byte, into the frame (AF_XDP
 * copies frames into its UMEM anyway, and its PMD sends only single-segment mbufs).
 */
static uint8_t *th_tx_alloc(void *env, size_t len, void **h)
{
	struct sl_lcore *lc = env;
	struct rte_mbuf *m = rte_pktmbuf_alloc(lc->pool);
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

static int th_tx_send(void *env, void *h, size_t len)
{
	struct sl_lcore *lc = env;
	struct rte_mbuf *m = h;
	const uint8_t *pkt = rte_pktmbuf_mtod(m, const uint8_t *) + 14;
	m->data_len = m->pkt_len = (uint32_t)(len + 14);
	uint32_t dst = (uint32_t)pkt[16] << 24 | pkt[17] << 16 | pkt[18] << 8 | pkt[19];
	sl_ip_output(lc, m, dst);
	return 0;
}

/* A received mbuf the stack kept as payload storage is released. */
static void th_buf_free(void *env, void *ext)
{
	rte_pktmbuf_free(ext);
}

static uint64_t th_now_us(void *env)
{
	const struct sl_lcore *lc = env;
	return sl_dp_now_us(lc->dp);
}

static uint32_t th_random(void *env)
{
	return (uint32_t)rte_rand();
}

static const struct sl_tcp_ops th_ops = {
	.now_us = th_now_us,
	.random = th_random,
	.buf_free = th_buf_free,
	.tx_alloc = th_tx_alloc,
	.tx_send = th_tx_send,
};

/* The stack's timers, once a millisecond. */
static void th_tick(struct sl_lcore *lc, void *st)
{
	sl_tcp_advance(lc->tcp, sl_dp_now_us(lc->dp));
}

/* ------------------------------------------------------------------ sizing */

uint32_t sl_tcphost_size(const struct sl_cfg *cfg, unsigned nproxies, uint32_t *clients)
{
	/* global maxconn bounds the process's client connections (2000 when not set, as
	 * HAProxy's defaults section); each proxy lcore takes its share */
	uint64_t total = cfg->global.maxconn > 0 ? (uint64_t)cfg->global.maxconn : 2000;
	uint64_t share = (total + nproxies - 1) / (nproxies ? nproxies : 1);
	if (clients != NULL)
		*clients = (uint32_t)share;
	/* each client connection has at most one server connection (http-server-close); the
	 * stack keeps a quarter of its pool for TIME_WAIT; then the checks' and stats pages'
	 * slots and the built-in services' connections */
	uint64_t n = share * 2;
	n += n / 3 + SL_HCHK_SLOTS + 64;
	if (cfg->dp.services != NULL)
		n += 4096;
	return (uint32_t)n;
}

/* ------------------------------------------------------------------ setup */

bool sl_tcphost_bind_owned(const struct sl_dp *dp, uint32_t ip, bool any)
{
	return any || sl_dp_owns(dp, ip);
}

/* The listening ports @cfg opens on each proxy lcore's stack (HTTP frontends and stats pages on
 * owned addresses, built-in services): marks them in @want (65536 bytes) when given, returns
 * how many listeners they take (one per bind port). */
static unsigned listen_ports(const struct sl_dp *dp, const struct sl_cfg *cfg, uint8_t *want)
{
	unsigned n = 0;
	for (const struct sl_dp_service *sv = cfg->dp.services; sv != NULL; sv = sv->next, n++)
		if (want != NULL)
			want[sv->port] = 1;
	for (const struct sl_proxy *px = cfg->proxies; px != NULL; px = px->next) {
		if (!sl_cfg_on_proxy_lcores(px))
			continue;
		for (const struct sl_bind *b = px->binds; b != NULL; b = b->next)
			if (b->addr.family == AF_INET && sl_tcphost_bind_owned(dp, b->addr.v4, b->any))
				for (unsigned p = b->port_lo; p <= b->port_hi; p++, n++)
					if (want != NULL)
						want[p] = 1;
	}
	return n;
}

int sl_tcphost_reload_check(const struct sl_dp *dp, const struct sl_cfg *cfg, struct sl_outbuf *out)
{
	unsigned n = listen_ports(dp, cfg, NULL);
	if (dp->th == NULL || dp->nproxies == 0 || n <= dp->th->max_listeners)
		return 0;
	sl_outbuf_printf(out, "reload refused: the new configuration listens on %u TCP ports (HTTP, stats pages, services), more than the %u a proxy lcore's stack holds (restart to go beyond)\n",
			 n, dp->th->max_listeners);
	return -1;
}

void sl_tcphost_mark_ports(struct sl_dp *dp, const struct sl_cfg *cfg)
{
	uint8_t *want = calloc(65536, 1);
	if (want == NULL || dp->th == NULL) {
		free(want);
		return;
	}
	(void)listen_ports(dp, cfg, want);
	/* only added: a port that went keeps its byte, so the connections its listener accepted
	 * still reach their lcore (a new SYN meets no listener: RST); a mode tcp service on such a
	 * port wins anyway (the worker tries the L4 path first) */
	for (unsigned p = 0; p < 65536; p++)
		if (want[p] && dp->th->use[p] == SL_TH_NONE)
			__atomic_store_n(&dp->th->use[p], SL_TH_LISTEN, __ATOMIC_RELAXED);
	free(want);
}

int sl_tcphost_init(struct sl_dp *dp, const struct sl_cfg *cfg)
{
	struct sl_tcphost_shared *sh = rte_zmalloc("sl_th", sizeof(*sh), 64);
	if (sh == NULL)
		return -1;
	dp->th = sh;
	sh->use = rte_zmalloc("sl_th_use", 65536, 64);
	if (sh->use == NULL)
		return -1;
	if (dp->nproxies == 0)
		return 0;
	_Static_assert(SL_DP_FE_STRIDE > SL_PX_SLOTS && SL_DP_FE_STRIDE % 16 == 0, "stride");
	dp->fe_conns =
		rte_zmalloc("sl_fe_conns", sizeof(uint32_t) * SL_DP_FE_STRIDE * dp->nproxies, 64);
	if (dp->fe_conns == NULL)
		return -1;
	uint32_t clients;
	sh->max_conns = sl_tcphost_size(cfg, dp->nproxies, &clients);
	sh->http_sessions = clients;
	/* the start's listeners and room for a reload to add as many again, 1024 at least */
	unsigned nl = listen_ports(dp, cfg, NULL);
	sh->max_listeners = nl * 2 > 1024 ? nl * 2 : 1024;
	/* server-side local ports and check ports: each proxy lcore's own slice of the port
	 * plan, so that a reply is steered to the lcore whose stack opened the connection */
	const struct sl_port_range *sv = &dp->plan.r[SL_PORT_HTTP_SERVER];
	const struct sl_port_range *ck = &dp->plan.r[SL_PORT_HTTP_CHECK];
	for (unsigned p = sv->lo; p <= sv->hi; p++)
		sh->use[p] = SL_TH_SERVER;
	for (unsigned p = ck->lo; p <= ck->hi; p++)
		sh->use[p] = SL_TH_CHECK;
	for (unsigned i = 0; i < dp->nproxies; i++) {
		struct sl_lcore *lc = dp->lcores[dp->proxy_ids[i]];
		uint32_t chunks = sh->max_conns * 8 < 131072 ? sh->max_conns * 8 : 131072;
		uint16_t lo, hi;
		sl_port_plan_slice(&dp->plan, SL_PORT_HTTP_SERVER, lc->proxy_idx, &lo, &hi);
		struct sl_tcp_params p = {
			.max_conns = sh->max_conns,
			.max_listeners = sh->max_listeners,
			.sndbuf = 32768,
			.rcvbuf = 32768,
			.chunks = chunks,
			.ext_max = SL_PROXY_EXT_MAX,
			.lport_min = lo,
			.lport_max = hi};
		lc->tcp = sl_tcp_stack_create(&p, &th_ops, lc);
		if (lc->tcp == NULL) {
			fprintf(stderr, "sluiced: not enough memory for the TCP stack of lcore %u (%u connections)\n",
				lc->lcore_id, sh->max_conns);
			return -1;
		}
		struct sl_role r = {.name = "tcp", .tick = th_tick};
		if (sl_lcore_add_role(lc, &r) < 0 || sl_httpchk_init(dp, lc) < 0 ||
		    sl_services_listen(lc, cfg) < 0)
			return -1;
	}
	sl_tcphost_mark_ports(dp, cfg);
	return 0;
}

void sl_tcphost_fini(struct sl_dp *dp)
{
	for (unsigned i = 0; i < dp->nproxies; i++) {
		struct sl_lcore *lc = dp->lcores[dp->proxy_ids[i]];
		sl_httpchk_fini(lc);
		sl_tcp_stack_destroy(lc->tcp);
		lc->tcp = NULL;
	}
	if (dp->th != NULL) {
		rte_free(dp->th->use);
	}
	rte_free(dp->fe_conns);
	dp->fe_conns = NULL;
	rte_free(dp->th);
	dp->th = NULL;
}

/* ------------------------------------------------------------------ packet path */

/* The proxy lcore whose stack holds the connection of local port @lport (used as @use) with
 * the peer @raddr:@rport. */
static unsigned owner_of(const struct sl_dp *dp, uint8_t use, uint16_t lport, uint32_t raddr,
			 uint16_t rport)
{
	if (use == SL_TH_CHECK) /* a check's reply: the lcore that owns that port */
		return dp->proxy_ids[sl_port_plan_owner(&dp->plan, SL_PORT_HTTP_CHECK, lport)];
	if (use == SL_TH_SERVER) /* a server's reply to a proxy lcore */
		return dp->proxy_ids[sl_port_plan_owner(&dp->plan, SL_PORT_HTTP_SERVER, lport)];
	/* the client's address and port pick the proxy lcore: both directions of a connection
	 * end up on the same one, whatever queue RSS chose */
	uint32_t h = (raddr ^ (uint32_t)rport * 2654435761u) * 2246822519u;
	return dp->proxy_ids[(h >> 16) % dp->nproxies];
}

bool sl_tcphost_input(struct sl_lcore *lc, uint16_t port, struct rte_mbuf *m, const uint8_t *ip,
		      const struct sl_ipv4_info *iph, const struct sl_tcp_info *th)
{
	struct sl_dp *dp = lc->dp;
	const struct sl_tcphost_shared *sh = dp->th;
	if (sh == NULL || dp->nproxies == 0)
		return false;
	uint8_t use = sh->use[th->dport];
	if (use == SL_TH_NONE)
		return false;
	if (sl_dp_martian_src(dp, iph->src)) { /* the stack would answer sluice itself */
		lc->ctr->c[SL_CTR_DROP_IPV4_SRC]++;
		rte_pktmbuf_free(m);
		return true;
	}
	unsigned owner = owner_of(dp, use, th->dport, iph->src, th->sport);
	if (owner != lc->lcore_id) {
		m->port = port;
		sl_handout(lc, owner, m);
		return true;
	}
	lc->ctr->c[SL_CTR_PROXY_SEGMENTS]++;
	if (sl_tcp_input_ext(lc->tcp, ip, iph->total_len, m) != 1)
		rte_pktmbuf_free(m); /* else its payload waits in a connection, no copy made */
	return true;
}

bool sl_tcphost_icmp_error(struct sl_lcore *lc, uint16_t port, struct rte_mbuf *m,
			   const uint8_t *ip, const struct sl_ipv4_info *iph)
{
	struct sl_dp *dp = lc->dp;
	const struct sl_tcphost_shared *sh = dp->th;
	const uint8_t *icmp = ip + iph->ihl_bytes;
	size_t ilen = (size_t)iph->total_len - iph->ihl_bytes;
	if (sh == NULL || dp->nproxies == 0 || icmp[0] != 3 || icmp[1] != 4 || ilen < 8 + 20 + 8)
		return false;
	const uint8_t *q = icmp + 8;
	size_t qihl = (size_t)(q[0] & 0x0f) * 4;
	if (qihl < 20 || ilen < 8 + qihl + 8 || q[9] != SL_IPPROTO_TCP)
		return false;
	/* the quoted segment went out from sluice: its source is ours */
	const uint8_t *qt = q + qihl;
	uint32_t laddr = (uint32_t)q[12] << 24 | q[13] << 16 | q[14] << 8 | q[15];
	uint32_t raddr = (uint32_t)q[16] << 24 | q[17] << 16 | q[18] << 8 | q[19];
	uint16_t lport = (uint16_t)(qt[0] << 8 | qt[1]), rport = (uint16_t)(qt[2] << 8 | qt[3]);
	uint8_t use = sh->use[lport];
	if (use == SL_TH_NONE || !sl_dp_owns(dp, laddr))
		return false;
	unsigned owner = owner_of(dp, use, lport, raddr, rport);
	if (owner != lc->lcore_id) {
		m->port = port;
		sl_handout(lc, owner, m);
		return true;
	}
	uint32_t seq = (uint32_t)qt[4] << 24 | qt[5] << 16 | qt[6] << 8 | qt[7];
	uint16_t mtu = (uint16_t)(icmp[6] << 8 | icmp[7]);
	int r = sl_tcp_pmtu(lc->tcp, laddr, lport, raddr, rport, seq, mtu);
	if (r < 0)
		lc->ctr->c[SL_CTR_DROP_ICMP_NOT_IN_FLIGHT]++;
	else if (r > 0)
		lc->ctr->c[SL_CTR_TCP_PMTU_LOWERED]++;
	rte_pktmbuf_free(m);
	return true;
}

bool sl_tcphost_stats(const struct sl_lcore *lc, struct sl_tcp_stats *out)
{
	if (lc->tcp == NULL)
		return false;
	sl_tcp_stack_stats(lc->tcp, out);
	return true;
}
