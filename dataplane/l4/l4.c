/* SPDX-License-Identifier: BSD-3-Clause */
#include "dataplane/l4/l4.h"

#include <errno.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_malloc.h>

#include "controlplane/cfg/cfg-t.h"
#include "controlplane/cfg/cfg_reload.h"
#include "dataplane/balance/maglev.h"
#include "dataplane/balance/pick.h"
#include "dataplane/core/gen.h"
#include "dataplane/core/ipout.h"
#include "dataplane/core/lcore.h"
#include "dataplane/core/tx.h"
#include "dataplane/l4/flow.h"
#include "dataplane/l4/lpair.h"
#include "dataplane/l4/probe.h"
#include "dataplane/rules/acl_eval.h"
#include "proto/ipv4.h"
#include "proto/nat.h"
#include "proto/tcp.h"

#define CLOSING_MS 2000  /* after both FINs: room for the last ACK */
#define RESET_MS 1000    /* after an accepted RST: room for its retransmissions */
#define SWEEP_BUDGET 256 /* flows visited per millisecond by the expiry sweep */
#define LPORT_PROBES 64  /* local ports tried before a new flow is refused */

/* ------------------------------------------------------------------ flow accounting */

/* A flow of server @gidx began on this worker. */
static void srv_open(struct sl_lcore *lc, uint16_t gidx)
{
	lc->srv[gidx].stot++;
	lc->srv[gidx].last_ms = lc->now_ms;
	sl_pick_count_add(lc->srv_active, gidx);
	lc->l4->lpairs_used[gidx]++;
}

/* A flow of server @gidx is gone (closed, reset, expired). */
static void srv_close(struct sl_lcore *lc, uint16_t gidx)
{
	lc->srv[gidx].ended++;
	sl_pick_count_sub(lc->srv_active, gidx);
	if (lc->l4->lpairs_used[gidx] > 0)
		lc->l4->lpairs_used[gidx]--;
}

static void on_expire(void *arg, struct sl_flow *f);

/* ------------------------------------------------------------------ packet path */

static inline const struct sl_l4_service *find_service(const struct sl_gen *c, uint32_t dip,
						       uint16_t dport)
{
	/* an address-specific bind wins over a wildcard one */
	for (unsigned i = 0; i < c->nservices; i++) {
		const struct sl_l4_service *s = &c->services[i];
		if (s->vip == dip && dport >= s->port_lo && dport <= s->port_hi)
			return s;
	}
	uint16_t k = c->port_svc[dport];
	return k != 0 ? &c->services[k - 1] : NULL;
}

/*
 * Chooses a server for a new flow (dataplane/balance/pick.c, shared with the HTTP engine).
 * Returns its index in the backend, -1 when none is in rotation, -2 when every server that may
 * take it is at its maxconn (L4 has no queue, the SYN is dropped and the client's
 * retransmission tries again). maxconn and leastconn count the flows of every worker (the sums
 * of their own counts, pick.h); roundrobin/static-rr/first keep a cursor per worker; source
 * hashes the client address, anything else (uri means nothing in TCP mode) the 5-tuple, through
 * Maglev.
 */
static int pick_server(struct sl_lcore *lc, const struct sl_bal_backend *b, uint32_t cip,
		       uint32_t hash5)
{
	struct sl_pick_in in = {.active = {.lc = lc->dp->worker_active,
					   .n = lc->dp->nworkers,
					   .self = lc->worker_idx},
				.hash_src = sl_flow_hash_src(cip),
				.hash_uri = hash5,
				.hash5 = hash5};
	uint16_t idx;
	enum sl_pick_res r = sl_pick_server(b, &lc->cursor[b->id], &in, &idx);
	return r == SL_PICK_OK ? idx : r == SL_PICK_FULL ? -2 : -1;
}

/* Which worker owns local port @lport (the port plan's L4 range); -1 when no worker does. */
static inline int lport_owner(const struct sl_dp *dp, uint16_t lport)
{
	int w = sl_port_plan_owner(&dp->plan, SL_PORT_L4_NAT, lport);
	return w >= 0 && (unsigned)w < dp->nworkers ? (int)dp->worker_ids[w] : -1;
}

/* Hands @m to lcore @owner's rxring (port index @port, @hops in the bits above it) at the end of
 * the burst; counts @ctr (a full ring then counts drop_ring_full as well). */
static void hand(struct sl_lcore *lc, unsigned owner, uint16_t port, unsigned hops,
		 struct rte_mbuf *m, enum sl_ctr ctr)
{
	m->port = (uint16_t)(port | hops << 8);
	lc->ctr->c[ctr]++;
	sl_handout(lc, owner, m); /* with the burst's other frames for that owner */
}

/*
 * The worker that owns the flow whose client-side key hashes to @hash (sl_flow_key_hash()):
 * the same on every worker. A frame whose NIC hashed its headers (RTE_MBUF_F_RX_RSS_HASH: a PCI
 * port with RSS) stays where it is: that queue is a function of the headers, so a retransmitted
 * SYN comes back to it. A frame of a port whose queue follows the sender (veth: the socket's
 * hash, which Linux changes after a retransmission timeout; af_packet's fanout, AF_XDP, tap)
 * goes to the
 * worker the 4-tuple's hash names: a SYN sent again on another queue reaches the flow its first
 * one made instead of opening a second one (sl_l4_owner_idx()).
 */
static inline unsigned flow_owner(const struct sl_lcore *lc, const struct rte_mbuf *m,
				  uint32_t hash)
{
	const struct sl_dp *dp = lc->dp;
	if (dp->nworkers < 2 || (m->ol_flags & RTE_MBUF_F_RX_RSS_HASH) != 0)
		return lc->lcore_id;
	return dp->worker_ids[sl_l4_owner_idx(hash, dp->nworkers)];
}

/*
 * A client-side frame of a flow this worker does not have, on a queue the NIC hashed (above: else
 * it went to flow_owner()). RSS keeps a flow's frames on one queue, so its owner is the worker
 * that took its SYN; but a NIC's redirection table can be rewritten under a flow, and a frame
 * made outside the connection (a blind RST, an ICMP error) is hashed apart. Such a frame goes
 * round the workers, each one looking in its own table, until one has the flow; the last one
 * drops it. Returns true when @m was passed on.
 */
static bool pass_on(struct sl_lcore *lc, uint16_t port, struct rte_mbuf *m)
{
	const struct sl_dp *dp = lc->dp;
	if (dp->nworkers < 2 || (unsigned)lc->rx_hops + 1 >= dp->nworkers || port > 0xff)
		return false;
	unsigned next = dp->worker_ids[(lc->worker_idx + 1) % dp->nworkers];
	hand(lc, next, port, lc->rx_hops + 1u, m, SL_CTR_L4_PASSED_ON);
	return true;
}

/*
 * TCP state for timeouts, and RST validation: an RST changes the flow only when its sequence
 * number is near what its sender sent last (RFC 5961's concern: a blind RST with a random
 * sequence number must not tear a tracked connection down). The RST is forwarded either way; the
 * endpoint judges it exactly.
 */
static void track_tcp(struct sl_flow *f, enum sl_flow_dir dir, const struct sl_tcp_info *th,
		      uint32_t paylen, const struct sl_tmo_profile *tp, uint64_t now,
		      struct sl_lcore *lc)
{
	uint8_t fl = th->flags;
	uint32_t end = th->seq + paylen + ((fl & SL_TCP_SYN) ? 1 : 0) + ((fl & SL_TCP_FIN) ? 1 : 0);
	if (fl & SL_TCP_RST) {
		int32_t d = (int32_t)(th->seq - f->user[dir]);
		if (f->user[dir] == 0 || (d > -65536 && d < (1 << 20))) {
			f->state = SL_FLOW_RESET;
			f->expire_ms = now + RESET_MS;
		} else {
			lc->ctr->c[SL_CTR_L4_RST_IGNORED]++;
		}
		return;
	}
	if ((int32_t)(end - f->user[dir]) > 0 || f->user[dir] == 0)
		f->user[dir] = end;
	switch (f->state) {
	case SL_FLOW_SYN_SENT:
		if (dir == SL_FLOW_DIR_SERVER && (fl & SL_TCP_SYN) && (fl & SL_TCP_ACK)) {
			f->state = SL_FLOW_ESTABLISHED;
			f->expire_ms = now + tp->established;
		} else {
			f->expire_ms = now + tp->connect;
		}
		return;
	case SL_FLOW_ESTABLISHED:
		if (fl & SL_TCP_FIN) {
			f->state = dir == SL_FLOW_DIR_CLIENT ? SL_FLOW_FIN_CLIENT : SL_FLOW_FIN_SERVER;
			f->expire_ms = now + (dir == SL_FLOW_DIR_CLIENT ? tp->client_fin :
									  tp->server_fin);
		} else {
			f->expire_ms = now + tp->established;
		}
		return;
	case SL_FLOW_FIN_CLIENT:
	case SL_FLOW_FIN_SERVER:
		if ((fl & SL_TCP_FIN) &&
		    ((f->state == SL_FLOW_FIN_CLIENT) != (dir == SL_FLOW_DIR_CLIENT))) {
			f->state = SL_FLOW_CLOSING;
			f->expire_ms = now + CLOSING_MS;
		} else if (f->state == SL_FLOW_FIN_CLIENT) {
			f->expire_ms = now + tp->client_fin;
		} else {
			f->expire_ms = now + tp->server_fin;
		}
		return;
	default:
		/* CLOSING, RESET: let them run out */
		return;
	}
}

static void forward(struct sl_lcore *lc, uint16_t port, struct rte_mbuf *m, uint8_t *ip,
		    const struct sl_ipv4_info *iph, struct sl_flow *f, enum sl_flow_dir dir)
{
	if (unlikely(iph->ttl <= 1)) {
		lc->ctr->c[SL_CTR_DROP_L4_TTL]++;
		rte_pktmbuf_free(m);
		return;
	}
	struct sl_srv_ctrs *sc = &lc->srv[f->server_idx];
	uint8_t *tcp = ip + iph->ihl_bytes;
	size_t doff = (size_t)(tcp[12] >> 4) * 4;
	if (dir == SL_FLOW_DIR_CLIENT) {
		/* client -> VIP  becomes  local -> server: the server key read backwards */
		const struct sl_flow_key *sk = &f->k[SL_FLOW_DIR_SERVER];
		sl_nat_tcp_to_server(tcp, doff, f->tcp_off);
		sl_nat_rewrite4(ip, iph->ihl_bytes, sk->daddr, sk->dport, sk->saddr, sk->sport);
		SL_COUNT(sc->bin, iph->total_len);
		SL_COUNT(lc->ctr->c[SL_CTR_L4_PKTS_TO_SERVER], 1);
		sl_ip_output(lc, m, sk->saddr);
	} else {
		const struct sl_flow_key *ck = &f->k[SL_FLOW_DIR_CLIENT];
		sl_nat_tcp_to_client(tcp, doff, f->tcp_off);
		sl_nat_rewrite4(ip, iph->ihl_bytes, ck->daddr, ck->dport, ck->saddr, ck->sport);
		SL_COUNT(sc->bout, iph->total_len);
		SL_COUNT(lc->ctr->c[SL_CTR_L4_PKTS_TO_CLIENT], 1);
		sl_ip_output(lc, m, ck->saddr);
	}
}

/*
 * The server side of a flow is a connection of its own (local address:port -> server), and the
 * same 4-tuple comes back while the server may still hold its last use in TIME_WAIT. Linux (RFC
 * 6191) takes a SYN there when its timestamp is newer, or, without timestamps, when its sequence
 * number is past the old connection's. The client's values come from another 4-tuple and
 * satisfy neither, so the server side gets its own: an offset added to the client's values that
 * makes them a clock plus a per-4-tuple constant (RFC 6528's construction), milliseconds for
 * timestamps (Linux's own rate), 4-microsecond ticks for sequence numbers without timestamps.
 * One offset serves both: with timestamps, the sequence numbers need not be monotonic.
 */
static uint32_t server_side_offset(struct sl_lcore *lc, const struct sl_flow_key *sk,
				   const struct sl_tcp_info *th, const uint8_t *tcp)
{
	uint32_t g = sl_nat_isn_secret(&lc->dp->l4->isn_key, sk->saddr, sk->daddr, sk->sport,
				       sk->dport);
	uint32_t tsval;
	if (sl_nat_tcp_tsval(tcp, th->doff_bytes, &tsval))
		return (uint32_t)lc->now_ms + g - tsval;
	uint64_t ticks = (rte_rdtsc() - lc->dp->start_tsc) / (lc->dp->tsc_hz / 250000);
	return (uint32_t)ticks + g - th->seq;
}

static void new_flow(struct sl_lcore *lc, uint16_t port, struct rte_mbuf *m, uint8_t *ip,
		     const struct sl_ipv4_info *iph, const struct sl_tcp_info *th,
		     const struct sl_gen *conf, const struct sl_l4_service *svc,
		     const struct sl_flow_key *ck, uint32_t hash)
{
	struct sl_l4_worker *w = lc->l4;
	const struct sl_bal_backend *b = &conf->backends[svc->backend];
	/* `stick on src`: a known client goes to its server (the table is shared by the workers:
	 * RSS spreads one client's connections over all of them); else the balance, stored */
	struct sl_stk_ref sr;
	int si = sl_gen_stick_match(conf, svc->backend, b, ck->saddr, (uint32_t)lc->now_ms, &sr);
	if (si >= 0) {
		const struct sl_pick_counts act = {.lc = lc->dp->worker_active,
						   .n = lc->dp->nworkers,
						   .self = lc->worker_idx};
		if (!sl_pick_has_slot(&b->servers[si], &act))
			si = -2; /* persistence waits for its server: the client's SYN again */
		else
			lc->ctr->c[SL_CTR_STICK_HITS]++;
	} else {
		si = pick_server(lc, b, ck->saddr, hash);
		if (si >= 0)
			si = sl_gen_stick_store(conf, svc->backend, b, &sr, si);
	}
	if (si < 0) {
		lc->ctr->c[si == -2 ? SL_CTR_DROP_L4_FULL : SL_CTR_DROP_L4_NO_SERVER]++;
		rte_pktmbuf_free(m);
		return;
	}
	const struct sl_bal_server *s = &b->servers[si];
	unsigned npool;
	const uint32_t *pool = sl_ip_route_pool(lc, s->ip, &npool); /* the servers' side */
	if (unlikely(npool == 0)) {
		lc->ctr->c[SL_CTR_DROP_NO_ROUTE]++;
		rte_pktmbuf_free(m);
		return;
	}
	if (s->src != 0) { /* `source ADDR`: that address alone */
		pool = &s->src;
		npool = 1;
	}
	struct sl_flow_key sk = {.saddr = s->ip,
				 .sport = s->port != 0 ? s->port : ck->dport,
				 .proto = ck->proto};
	if (!sl_lpair_alloc(w->ft, &w->lpair[s->gidx], pool, npool, w->lport_lo, w->lport_hi,
			    LPORT_PROBES, &sk, lc->now_ms)) {
		lc->ctr->c[SL_CTR_DROP_L4_NO_PORT]++;
		rte_pktmbuf_free(m);
		return;
	}
	const struct sl_tmo_profile *tp = &lc->dp->tmo->p[svc->tmo];
	struct sl_flow *f = sl_flow_insert(w->ft, ck, &sk, lc->now_ms, lc->now_ms + tp->connect);
	if (f == NULL) {
		lc->ctr->c[SL_CTR_DROP_L4_TABLE_FULL]++;
		rte_pktmbuf_free(m);
		return;
	}
	f->state = SL_FLOW_SYN_SENT;
	f->server_idx = s->gidx;
	f->tcp_off = server_side_offset(lc, &sk, th, ip + iph->ihl_bytes);
	f->tmo = svc->tmo; /* its own timeouts, whatever reloads come */
	f->user[SL_FLOW_DIR_CLIENT] = th->seq + 1;
	f->user[SL_FLOW_DIR_SERVER] = 0;
	srv_open(lc, s->gidx);
	lc->ctr->c[SL_CTR_L4_FLOWS_NEW]++;
	forward(lc, port, m, ip, iph, f, SL_FLOW_DIR_CLIENT);
}

/*
 * `tcp-request connection` rules of the service's frontend on a SYN (HAProxy evaluates them when
 * the connection is accepted; the fetches there are the 4-tuple's). A reject answers the SYN
 * with a RST, as a client sees HAProxy's reset of the accepted connection, and is counted in the
 * frontend's dcon. True when rejected (@m is consumed).
 */
static bool conn_rejected(struct sl_lcore *lc, const struct sl_l4_service *svc, struct rte_mbuf *m,
			  const struct sl_ipv4_info *iph, const struct sl_tcp_info *th)
{
	const struct sl_proxy *fe = svc->fe;
	struct sl_acl_ctx ctx = {.src = iph->src, .dst = iph->dst, .dst_port = th->dport,
				 .src_port = th->sport, .payload_final = true};
	if (!sl_tcp_conn_rejected(fe, &ctx))
		return false;
	if (fe->slot > 0 && fe->slot <= SL_PX_SLOTS)
		lc->l4->dcon[fe->slot]++;
	lc->ctr->c[SL_CTR_TCP_RULE_REJECT]++;
	sl_tcp_ctl_send(lc, iph->dst, th->dport, iph->src, th->sport, 0, th->seq + 1,
			SL_TCP_RST | SL_TCP_ACK, false);
	rte_pktmbuf_free(m);
	return true;
}

bool sl_l4_input(struct sl_lcore *lc, uint16_t port, struct rte_mbuf *m, uint8_t *ip,
		 const struct sl_ipv4_info *iph, const struct sl_tcp_info *th)
{
	struct sl_dp *dp = lc->dp;
	const struct sl_gen *conf = __atomic_load_n(&dp->gen, __ATOMIC_ACQUIRE);
	struct sl_l4_worker *w = lc->l4;
	uint16_t sport = th->sport, dport = th->dport;
	if (conf == NULL || w == NULL)
		return false;
	if (unlikely(sl_probe_port(&dp->plan, dport))) {
		sl_probe_input(lc, port, m, iph, th);
		return true;
	}
	if (dport < w->lport_lo || dport > w->lport_hi) {
		/* A reply to another worker's local port: hand it to its owner, without a lookup
		 * here. No flow of this worker has such a destination port: its server sides use
		 * its own slice, and its client sides a service's port, which the plan keeps out of
		 * every slice. */
		int owner = lport_owner(dp, dport);
		if (owner >= 0 && (unsigned)owner != lc->lcore_id) {
			hand(lc, (unsigned)owner, port, 0, m, SL_CTR_L4_STEERED);
			return true;
		}
	}
	struct sl_flow_key k = {.saddr = iph->src, .daddr = iph->dst, .sport = sport,
				.dport = dport, .proto = iph->proto};
	uint32_t hash = sl_flow_key_hash(&k);
	const struct sl_l4_service *svc = NULL;
	unsigned owner = flow_owner(lc, m, hash);
	if (owner != lc->lcore_id && (dport < w->lport_lo || dport > w->lport_hi)) {
		/* A client-side frame on a queue that follows the sender, for the 4-tuple's owner:
		 * handed without a lookup here (every flow of such a frame was made on its owner),
		 * marked as seen by every worker (the owner does not pass it on). Only a service's:
		 * other ports are the proxy lcores' (sl_tcphost_input) or nobody's. */
		svc = find_service(conf, iph->dst, dport);
		if (svc != NULL && port <= 0xff) {
			hand(lc, owner, port, dp->nworkers - 1u, m, SL_CTR_L4_TO_OWNER);
			return true;
		}
	}
	enum sl_flow_dir dir;
	struct sl_flow *f = sl_flow_lookup(w->ft, &k, hash, &dir, lc->now_ms);
	uint32_t paylen = (uint32_t)iph->total_len - iph->ihl_bytes - th->doff_bytes;
	if (f != NULL) {
		const struct sl_tmo_profile *tp = &dp->tmo->p[f->tmo];
		/* a new SYN on a finished flow's 5-tuple: the client reuses its port */
		if (dir == SL_FLOW_DIR_CLIENT && (th->flags & (SL_TCP_SYN | SL_TCP_ACK)) == SL_TCP_SYN &&
		    f->state >= SL_FLOW_FIN_CLIENT) {
			srv_close(lc, f->server_idx);
			lc->ctr->c[SL_CTR_L4_FLOWS_ENDED]++;
			sl_flow_delete(w->ft, f);
			f = NULL;
		} else {
			track_tcp(f, dir, th, paylen, tp, lc->now_ms, lc);
			forward(lc, port, m, ip, iph, f, dir);
			return true;
		}
	}
	if (svc == NULL)
		svc = find_service(conf, iph->dst, dport);
	if (svc == NULL)
		return false;
	if ((th->flags & (SL_TCP_SYN | SL_TCP_ACK | SL_TCP_RST)) != SL_TCP_SYN) {
		/* mid-stream packet of a flow we do not know: expired, or, on queues the NIC
		 * hashed, another worker's (look round them) */
		if ((m->ol_flags & RTE_MBUF_F_RX_RSS_HASH) != 0 && pass_on(lc, port, m))
			return true;
		lc->ctr->c[SL_CTR_DROP_L4_NO_FLOW]++;
		rte_pktmbuf_free(m);
		return true;
	}
	if (unlikely(svc->fe != NULL && svc->fe->tcp_conn_rules != NULL) &&
	    conn_rejected(lc, svc, m, iph, th))
		return true;
	new_flow(lc, port, m, ip, iph, th, conf, svc, &k, hash);
	return true;
}

void sl_l4_prefetch_burst(struct sl_lcore *lc, struct rte_mbuf **pkts, uint16_t n)
{
	const struct sl_l4_worker *w = lc->l4;
	struct sl_flow_table *ft = w != NULL ? w->ft : NULL;
	uint32_t hashes[SL_BURST];
	uint16_t k = 0;
	if (ft == NULL || sl_flow_capacity(ft) < SL_L4_PREFETCH_MIN)
		return;
	for (uint16_t i = 0; i < n && i < SL_BURST; i++) {
		/* a peek, not a parse: plain Ethernet + IPv4 without options + TCP */
		const uint8_t *p = rte_pktmbuf_mtod(pkts[i], const uint8_t *);
		if (rte_pktmbuf_data_len(pkts[i]) < 54 || p[12] != 0x08 || p[13] != 0x00 ||
		    p[14] != 0x45 || p[23] != 6)
			continue;
		struct sl_flow_key key = {
			.saddr = (uint32_t)p[26] << 24 | p[27] << 16 | p[28] << 8 | p[29],
			.daddr = (uint32_t)p[30] << 24 | p[31] << 16 | p[32] << 8 | p[33],
			.sport = (uint16_t)(p[34] << 8 | p[35]),
			.dport = (uint16_t)(p[36] << 8 | p[37]),
			.proto = 6};
		if ((key.dport < w->lport_lo || key.dport > w->lport_hi) &&
		    lport_owner(lc->dp, key.dport) >= 0)
			continue; /* another worker's reply: handed over without a lookup */
		hashes[k] = sl_flow_key_hash(&key);
		/* a client-side frame for its owner: handed over without a lookup */
		if (flow_owner(lc, pkts[i], hashes[k]) != lc->lcore_id)
			continue;
		sl_flow_prefetch(ft, hashes[k++]);
	}
	for (uint16_t i = 0; i < k; i++)
		sl_flow_prefetch_flow(ft, hashes[i]);
}

bool sl_l4_icmp_error(struct sl_lcore *lc, uint16_t port, struct rte_mbuf *m, uint8_t *ip,
		      const struct sl_ipv4_info *iph)
{
	struct sl_l4_worker *w = lc->l4;
	const uint8_t *icmp = ip + iph->ihl_bytes;
	size_t ilen = (size_t)iph->total_len - iph->ihl_bytes;
	if (w->ft == NULL || ilen < 8 + 20 + 8)
		return false;
	const uint8_t *q = icmp + 8;
	size_t qihl = (size_t)(q[0] & 0x0f) * 4;
	if (qihl < 20 || ilen < 8 + qihl + 8 || q[9] != SL_IPPROTO_TCP)
		return false;
	const uint8_t *ql4 = q + qihl;
	/* the quoted packet went out from sluice: its flow key is the reverse of it */
	struct sl_flow_key k = {.saddr = (uint32_t)q[16] << 24 | q[17] << 16 | q[18] << 8 | q[19],
				.daddr = (uint32_t)q[12] << 24 | q[13] << 16 | q[14] << 8 | q[15],
				.sport = (uint16_t)(ql4[2] << 8 | ql4[3]),
				.dport = (uint16_t)(ql4[0] << 8 | ql4[1]),
				.proto = SL_IPPROTO_TCP};
	enum sl_flow_dir dir;
	struct sl_flow *f = sl_flow_lookup(w->ft, &k, sl_flow_key_hash(&k), &dir, lc->now_ms);
	if (f == NULL) {
		/* about a segment sluice sent to a server: its source port says which worker owns
		 * the flow; about one sent to a client: look round the workers */
		int owner = lport_owner(lc->dp, k.dport);
		if (owner >= 0 && sl_dp_owns(lc->dp, k.daddr)) {
			if ((unsigned)owner == lc->lcore_id)
				return false;
			hand(lc, (unsigned)owner, port, 0, m, SL_CTR_L4_STEERED);
			return true;
		}
		const struct sl_gen *conf = __atomic_load_n(&lc->dp->gen, __ATOMIC_ACQUIRE);
		if (conf == NULL || find_service(conf, k.daddr, k.dport) == NULL)
			return false;
		unsigned o = flow_owner(lc, m, sl_flow_key_hash(&k));
		if (o != lc->lcore_id && port <= 0xff) {
			hand(lc, o, port, lc->dp->nworkers - 1u, m, SL_CTR_L4_TO_OWNER);
			return true;
		}
		return (m->ol_flags & RTE_MBUF_F_RX_RSS_HASH) != 0 && pass_on(lc, port, m);
		return false;
	}
	const struct sl_flow_key *ck = &f->k[SL_FLOW_DIR_CLIENT], *sk = &f->k[SL_FLOW_DIR_SERVER];
	int r;
	uint32_t to;
	if (dir == SL_FLOW_DIR_SERVER) {
		/* about a segment sent to the server: tell the client about its own segment */
		r = sl_nat_icmp_error4(ip, iph->total_len, ck->daddr, ck->saddr, ck->saddr, ck->sport,
				       ck->daddr, ck->dport, (uint32_t)0 - f->tcp_off);
		to = ck->saddr;
	} else {
		/* about a segment sent to the client: tell the server about its own segment */
		r = sl_nat_icmp_error4(ip, iph->total_len, sk->daddr, sk->saddr, sk->saddr, sk->sport,
				       sk->daddr, sk->dport, 0);
		to = sk->saddr;
	}
	if (r < 0)
		return false;
	lc->ctr->c[SL_CTR_L4_ICMP_ERRORS]++;
	sl_ip_output(lc, m, to);
	return true;
}

static void on_expire(void *arg, struct sl_flow *f)
{
	struct sl_lcore *lc = arg;
	srv_close(lc, f->server_idx);
	if (f->state == SL_FLOW_CLOSING || f->state == SL_FLOW_RESET)
		lc->ctr->c[SL_CTR_L4_FLOWS_ENDED]++;
	else
		lc->ctr->c[SL_CTR_L4_FLOWS_EXPIRED]++;
}

/* ------------------------------------------------------------------ the worker's role */

struct reset_ctx {
	struct sl_lcore *lc;
	uint16_t gidx;
};

/* Resets a flow of the server being shut down: RST to both ends, then forgets it. */
static void reset_flow(void *arg, struct sl_flow *f)
{
	struct reset_ctx *rc = arg;
	if (f->server_idx != rc->gidx)
		return;
	const struct sl_flow_key *ck = &f->k[SL_FLOW_DIR_CLIENT], *sk = &f->k[SL_FLOW_DIR_SERVER];
	/* what each end expects next: the server's sequence space is the same on both sides;
	 * the client's is shifted by the flow's offset towards the server */
	uint32_t c_nxt = f->user[SL_FLOW_DIR_CLIENT], s_nxt = f->user[SL_FLOW_DIR_SERVER];
	sl_tcp_ctl_send(rc->lc, ck->daddr, ck->dport, ck->saddr, ck->sport, s_nxt, c_nxt,
			SL_TCP_RST | SL_TCP_ACK, false);
	sl_tcp_ctl_send(rc->lc, sk->daddr, sk->dport, sk->saddr, sk->sport, c_nxt + f->tcp_off,
			s_nxt, SL_TCP_RST | SL_TCP_ACK, false);
	srv_close(rc->lc, f->server_idx);
	rc->lc->ctr->c[SL_CTR_L4_FLOWS_RESET]++;
	sl_flow_delete(rc->lc->l4->ft, f);
}

/* `shutdown sessions server`, `on-marked-down shutdown-sessions`: every flow of the server. */
static void l4_msg(struct sl_lcore *lc, void *st, const struct sl_msg *m)
{
	struct reset_ctx rc = {.lc = lc, .gidx = (uint16_t)m->a};
	sl_flow_foreach(lc->l4->ft, reset_flow, &rc);
}

/* Housekeeping once a millisecond: expires idle flows (bounded work). */
static void l4_tick(struct sl_lcore *lc, void *st)
{
	struct sl_l4_worker *w = st;
	if (sl_flow_count(w->ft) != 0)
		sl_flow_expire(w->ft, lc->now_ms, SWEEP_BUDGET, on_expire, lc);
}

int sl_l4_init(struct sl_dp *dp, const struct sl_siphash_key *isn_key)
{
	struct sl_l4_shared *sh = rte_zmalloc("sl_l4_shared", sizeof(*sh), 64);
	if (sh == NULL)
		return -ENOMEM;
	sh->probe_lcore = dp->worker_ids[0];
	sh->isn_key = *isn_key;
	dp->l4 = sh;
	return 0;
}

void sl_l4_fini(struct sl_dp *dp)
{
	rte_free(dp->l4);
	dp->l4 = NULL;
}

int sl_l4_worker_init(struct sl_lcore *lc, uint32_t max_flows, unsigned idx)
{
	/* on the worker's own node: it alone reads and writes them, per packet */
	struct sl_l4_worker *w = rte_zmalloc_socket("sl_l4_worker", sizeof(*w), 64, lc->socket);
	if (w == NULL)
		return -ENOMEM;
	lc->l4 = w;
	w->ft = rte_zmalloc_socket("sl_flows", sl_flow_table_bytes(max_flows), 64, lc->socket);
	w->lpair = rte_zmalloc_socket("sl_lpairs", sizeof(*w->lpair) * SL_MAX_SERVERS, 64,
				      lc->socket);
	w->lpairs_used = rte_zmalloc_socket("sl_lpairs_used",
					    sizeof(*w->lpairs_used) * SL_MAX_SERVERS, 64, lc->socket);
	w->dcon = rte_zmalloc_socket("sl_l4_dcon", sizeof(*w->dcon) * (SL_PX_SLOTS + 1), 64,
				     lc->socket);
	if (w->ft == NULL || w->lpair == NULL || w->lpairs_used == NULL || w->dcon == NULL ||
	    sl_flow_table_init(w->ft, max_flows) != 0) {
		sl_l4_worker_fini(lc);
		return -ENOMEM;
	}
	/* flows that an insert reclaims (expired, found on its way) are accounted as expired */
	sl_flow_set_on_reclaim(w->ft, on_expire, lc);
	sl_port_plan_slice(&lc->dp->plan, SL_PORT_L4_NAT, idx, &w->lport_lo, &w->lport_hi);
	unsigned span = (unsigned)(w->lport_hi - w->lport_lo) + 1;
	/* each server walks the whole range from its own point: a port comes back to the same
	 * server as late as possible (the server may still hold it in TIME_WAIT) */
	for (unsigned i = 0; i < SL_MAX_SERVERS; i++)
		w->lpair[i].port = (uint16_t)(w->lport_lo + (i * 7919u) % span);
	struct sl_role r = {.name = "l4",
			    .st = w,
			    .msgs = SL_MSG_BIT(SL_MSG_RESET_SERVER),
			    .msg = l4_msg,
			    .tick = l4_tick};
	if (sl_lcore_add_role(lc, &r) < 0) {
		sl_l4_worker_fini(lc);
		return -ENOSPC;
	}
	return 0;
}

void sl_l4_worker_fini(struct sl_lcore *lc)
{
	struct sl_l4_worker *w = lc->l4;
	if (w == NULL)
		return;
	rte_free(w->ft);
	rte_free(w->lpair);
	rte_free(w->lpairs_used);
	rte_free(w);
	lc->l4 = NULL;
}

void sl_l4_worker_stats(const struct sl_lcore *lc, struct sl_l4_worker_stats *out)
{
	const struct sl_l4_worker *w = lc->l4;
	*out = (struct sl_l4_worker_stats){0};
	if (w == NULL)
		return;
	out->flows = sl_flow_count(w->ft);
	out->capacity = sl_flow_capacity(w->ft);
	out->lport_lo = w->lport_lo;
	out->lport_hi = w->lport_hi;
}

uint64_t sl_l4_worker_dcon(const struct sl_lcore *lc, int slot)
{
	const struct sl_l4_worker *w = lc->l4;
	return w != NULL && slot > 0 && slot <= SL_PX_SLOTS ? w->dcon[slot] : 0;
}

unsigned sl_l4_worker_pairs_used(const struct sl_lcore *lc, uint16_t gidx)
{
	const struct sl_l4_worker *w = lc->l4;
	return w != NULL ? w->lpairs_used[gidx] : 0;
}
