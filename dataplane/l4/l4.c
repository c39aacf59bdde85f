/* SPDX-License-Identifier: BSD-3-Clause */
#include "dataplane/l4/l4.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_cycles.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include "controlplane/cfg/cfg.h"
#include "proto/outbuf.h"
#include "dataplane/http/http.h"
#include "dataplane/l4/flow.h"
#include "dataplane/balance/maglev.h"
#include "dataplane/core/lcore.h"
#include "proto/ipv4.h"
#include "proto/nat.h"
#include "proto/tcp.h"

#define DEF_CONNECT_MS 5000
#define DEF_ESTABLISHED_MS 300000
#define CLOSING_MS 2000  /* after both FINs: room for the last ACK */
#define RESET_MS 1000    /* after an accepted RST: room for its retransmissions */
#define SWEEP_BUDGET 256 /* flows visited per millisecond by the expiry sweep */
#define LPORT_PROBES 64  /* local ports tried before a new flow is refused */

/* ------------------------------------------------------------------ control plane */

static int backend_index(struct sl_l4_conf *c, const struct sl_proxy *be,
			 const struct sl_proxy **bes)
{
	for (unsigned i = 0; i < c->nbackends; i++)
		if (bes[i] == be)
			return (int)i;
	bes[c->nbackends] = be;
	return (int)c->nbackends++;
}

/*
 * Smooth weighted round-robin (the order nginx uses): each round every server gains its weight,
 * the richest is picked and pays the total. Spreads a heavy server's turns evenly, deterministic.
 */
static int build_schedule(struct sl_l4_backend *b)
{
	uint32_t total = 0;
	for (unsigned i = 0; i < b->nrot; i++)
		total += b->servers[b->rot[i]].weight;
	if (total == 0)
		return 0;
	b->sched = malloc(sizeof(*b->sched) * total);
	int64_t *cur = calloc(b->nrot, sizeof(*cur));
	if (b->sched == NULL || cur == NULL) {
		free(cur);
		return -ENOMEM;
	}
	for (uint32_t n = 0; n < total; n++) {
		unsigned best = 0;
		for (unsigned i = 0; i < b->nrot; i++) {
			cur[i] += b->servers[b->rot[i]].weight;
			if (cur[i] > cur[best])
				best = i;
		}
		cur[best] -= total;
		b->sched[n] = b->rot[best];
	}
	b->nsched = total;
	free(cur);
	return 0;
}

static int build_backend(struct sl_l4_conf *c, struct sl_l4_backend *b, const struct sl_proxy *be,
			 const uint8_t *maint, const uint16_t *weights)
{
	size_t n = be->nservers ? (size_t)be->nservers : 1;
	b->name = be->name;
	b->balance = be->balance;
	b->nservers = (uint16_t)be->nservers;
	b->servers = calloc(n, sizeof(*b->servers));
	b->rot = calloc(n, sizeof(*b->rot));
	struct sl_maglev_server *ms = calloc(n, sizeof(*ms));
	char(*keys)[160] = calloc(n, sizeof(*keys));
	int r = -ENOMEM;
	if (b->servers == NULL || b->rot == NULL || ms == NULL || keys == NULL)
		goto out;
	unsigned i = 0, active = 0;
	for (const struct sl_server *s = be->servers; s != NULL; s = s->next, i++) {
		/* the counter slot: the server's own (stable across reloads), else the next */
		unsigned g = s->slot > 0 ? (unsigned)s->slot - 1 : c->nservers;
		if (g >= SL_L4_MAX_SERVERS) {
			fprintf(stderr, "sluiced: more than %d servers in backends\n",
				SL_L4_MAX_SERVERS);
			r = -E2BIG;
			goto out;
		}
		struct sl_l4_server *v = &b->servers[i];
		v->ip = s->addr.v4;
		v->port = s->port;
		uint8_t st = maint != NULL ? maint[g] : SL_SRV_RT_IN;
		v->weight = weights != NULL && weights[g] != SL_SRV_WEIGHT_CFG ? weights[g] :
										  (uint16_t)s->p.weight;
		v->usable = !s->p.disabled && s->addr.family == AF_INET && st != SL_SRV_RT_OUT;
		v->drain = st == SL_SRV_RT_PERSIST || v->weight == 0;
		v->backup = s->p.backup;
		v->shutdown_on_down = s->p.shutdown_on_down;
		v->name = s->name;
		v->cookie = s->cookie;
		v->maxconn = s->p.maxconn > 0 ? (uint32_t)s->p.maxconn : 0;
		v->gidx = (uint16_t)g;
		if (g >= c->nservers)
			c->nservers = g + 1;
		if (v->usable && !v->drain && !v->backup)
			active++;
	}
	/* HAProxy: backups serve only when no active server is usable. The Maglev key is the
	 * server's name, so a server keeps its slots when others come and go. */
	for (i = 0; i < b->nservers; i++) {
		const struct sl_l4_server *v = &b->servers[i];
		bool in = v->usable && !v->drain && (active > 0 ? !v->backup : v->backup);
		if (in)
			b->rot[b->nrot++] = (uint16_t)i;
		snprintf(keys[i], sizeof(keys[i]), "%s/%s", b->name, v->name);
		ms[i].key = keys[i];
		ms[i].weight = in ? v->weight : 0;
	}
	uint32_t size = sl_maglev_size_for(b->nservers);
	b->maglev = malloc(sl_maglev_bytes(size));
	if (b->maglev == NULL)
		goto out;
	r = sl_maglev_build(b->maglev, size, ms, b->nservers);
	if (r == 0)
		r = build_schedule(b);
out:
	free(ms);
	free(keys);
	return r;
}

static uint32_t or_default(int v, uint32_t def)
{
	return v > 0 ? (uint32_t)v : def;
}

int sl_l4_conf_build(const struct sl_cfg *cfg, const struct sl_dp *dp, const uint8_t *maint,
		     const uint16_t *weights, struct sl_l4_conf **out)
{
	struct sl_l4_conf *c = calloc(1, sizeof(*c));
	unsigned nsvc = 0, npx = 0;
	*out = NULL;
	if (c == NULL)
		return -ENOMEM;
	for (const struct sl_proxy *p = cfg->proxies; p != NULL; p = p->next) {
		npx++;
		if ((p->cap & SL_CAP_FE) && p->mode == SL_MODE_TCP)
			for (const struct sl_bind *b = p->binds; b != NULL; b = b->next)
				nsvc++;
	}
	const struct sl_proxy **bes = calloc(npx + 1, sizeof(*bes));
	c->services = calloc(nsvc + 1, sizeof(*c->services));
	c->backends = calloc(npx + 1, sizeof(*c->backends));
	if (bes == NULL || c->services == NULL || c->backends == NULL)
		goto nomem;
	c->lport_lo = SL_LPORT_LO;
	c->lport_hi = SL_LPORT_HI;
	c->cfg = cfg;
	c->cfg_gen = dp->cfg_gen;
	for (const struct sl_proxy *p = cfg->proxies; p != NULL; p = p->next) {
		if (!(p->cap & SL_CAP_FE) || p->mode != SL_MODE_TCP)
			continue;
		const struct sl_proxy *be = p->default_backend != NULL ?
						    sl_cfg_find_proxy(cfg, p->default_backend, SL_CAP_BE) :
					    (p->cap & SL_CAP_BE) ? p : NULL;
		if (be == NULL)
			continue; /* a tcp frontend without a backend refuses its connections */
		int bi = backend_index(c, be, bes);
		if (bi == (int)c->nbackends - 1 && c->backends[bi].name == NULL) {
			int r = build_backend(c, &c->backends[bi], be, maint, weights);
			if (r < 0) {
				free(bes);
				sl_l4_conf_free(c);
				return r;
			}
		}
		for (const struct sl_bind *b = p->binds; b != NULL; b = b->next) {
			if (b->addr.family != AF_INET)
				continue;
			struct sl_l4_service *s = &c->services[c->nservices];
			s->vip = b->any ? 0 : b->addr.v4;
			s->port_lo = b->port_lo;
			s->port_hi = b->port_hi;
			s->backend = (uint16_t)bi;
			s->frontend = p->name;
			s->to_connect = or_default(be->to.connect, DEF_CONNECT_MS);
			/* HAProxy: in TCP mode `timeout tunnel` supersedes client and server */
			uint32_t est = be->to.tunnel > 0 ? (uint32_t)be->to.tunnel :
				       p->to.client > be->to.server ? (uint32_t)p->to.client :
								      (uint32_t)be->to.server;
			s->to_established = or_default((int)est, DEF_ESTABLISHED_MS);
			s->to_client_fin = or_default(p->to.client_fin, s->to_established);
			s->to_server_fin = or_default(be->to.server_fin, s->to_established);
			c->nservices++;
			if (b->any)
				for (unsigned port = b->port_lo; port <= b->port_hi; port++)
					if (c->port_svc[port] == 0)
						c->port_svc[port] = (uint16_t)c->nservices;
		}
	}
	/* HTTP backends: the proxy lcores balance over the same tables (server states, weights,
	 * Maglev, schedule); appended in configuration order, so that an index is stable
	 * across generations of one configuration. */
	for (const struct sl_proxy *p = cfg->proxies; p != NULL; p = p->next) {
		if (!(p->cap & SL_CAP_BE) || (p->cap & SL_CAP_DEF) || p->mode != SL_MODE_HTTP ||
		    p->nservers == 0)
			continue;
		int bi = backend_index(c, p, bes);
		if (bi == (int)c->nbackends - 1 && c->backends[bi].name == NULL) {
			int r = build_backend(c, &c->backends[bi], p, maint, weights);
			if (r < 0) {
				free(bes);
				sl_l4_conf_free(c);
				return r;
			}
		}
	}
	free(bes);
	*out = c;
	return 0;
nomem:
	free(bes);
	sl_l4_conf_free(c);
	return -ENOMEM;
}

void sl_l4_conf_free(struct sl_l4_conf *c)
{
	if (c == NULL)
		return;
	for (unsigned i = 0; c->backends != NULL && i < c->nbackends; i++) {
		free(c->backends[i].servers);
		free(c->backends[i].rot);
		free(c->backends[i].sched);
		free(c->backends[i].maglev);
	}
	free(c->backends);
	free(c->services);
	free(c);
}

static void on_expire(void *arg, struct sl_flow *f);

void sl_l4_publish(struct sl_dp *dp, struct sl_l4_conf *c, unsigned self)
{
	struct sl_l4_conf *old = (struct sl_l4_conf *)dp->l4;
	__atomic_store_n(&dp->l4, c, __ATOMIC_RELEASE);
	/* the caller reports its own quiescent state when it is a worker too */
	bool reader = (dp->lcores[self]->roles & SL_ROLE_WORKER) != 0;
	rte_rcu_qsbr_synchronize(dp->qsbr, reader ? self : RTE_QSBR_THRID_INVALID);
	sl_l4_conf_free(old);
}

int sl_l4_find_server(const struct sl_l4_conf *c, const char *be, const char *srv)
{
	for (unsigned bi = 0; c != NULL && bi < c->nbackends; bi++) {
		const struct sl_l4_backend *b = &c->backends[bi];
		if (strcmp(b->name, be) != 0)
			continue;
		for (unsigned i = 0; i < b->nservers; i++)
			if (strcmp(b->servers[i].name, srv) == 0)
				return b->servers[i].gidx;
	}
	return -1;
}

int sl_l4_request_reset(struct sl_dp *dp, uint16_t gidx)
{
	int r = 0;
	for (unsigned i = 0; i < dp->nworkers; i++) {
		struct sl_lcore *lc = dp->lcores[dp->worker_ids[i]];
		struct sl_l4_cmd cmd = {.op = SL_L4_CMD_RESET_SERVER, .gidx = gidx};
		uintptr_t v = (uintptr_t)cmd.op << 16 | cmd.gidx;
		if (rte_ring_enqueue(lc->ctlring, (void *)v) != 0)
			r = -ENOBUFS;
	}
	return r;
}

int sl_l4_worker_init(struct sl_lcore *lc, uint32_t max_flows, unsigned idx, unsigned nworkers)
{
	struct sl_l4_worker *w = &lc->l4;
	memset(w, 0, sizeof(*w));
	size_t bytes = sl_flow_table_bytes(max_flows);
	w->ft = rte_zmalloc("sl_flows", bytes, 64);
	w->srv = rte_zmalloc("sl_srv_ctrs", sizeof(*w->srv) * SL_L4_MAX_SERVERS, 64);
	w->lport_next = rte_zmalloc("sl_lports", sizeof(*w->lport_next) * SL_L4_MAX_SERVERS, 64);
	if (w->ft == NULL || w->srv == NULL || w->lport_next == NULL ||
	    sl_flow_table_init(w->ft, max_flows) != 0) {
		sl_l4_worker_fini(w);
		return -ENOMEM;
	}
	/* flows that an insert reclaims (expired, found on its way) are accounted as expired */
	sl_flow_set_on_reclaim(w->ft, on_expire, lc);
	unsigned span = (SL_LPORT_HI - SL_LPORT_LO + 1) / (nworkers ? nworkers : 1);
	w->lport_lo = (uint16_t)(SL_LPORT_LO + idx * span);
	w->lport_hi = (uint16_t)(w->lport_lo + span - 1);
	/* each server walks the whole range from its own point: a port comes back to the same
	 * server as late as possible (the server may still hold it in TIME_WAIT) */
	for (unsigned i = 0; i < SL_L4_MAX_SERVERS; i++)
		w->lport_next[i] = (uint16_t)(w->lport_lo + (i * 7919u) % span);
	return 0;
}

void sl_l4_worker_fini(struct sl_l4_worker *w)
{
	rte_free(w->ft);
	rte_free(w->srv);
	rte_free(w->lport_next);
	w->ft = NULL;
	w->srv = NULL;
	w->lport_next = NULL;
}

/* ------------------------------------------------------------------ packet path */

static inline const struct sl_l4_service *find_service(const struct sl_l4_conf *c, uint32_t dip,
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
 * Chooses a server for a new flow. Returns its index in the backend, or -1 when none is in
 * rotation. roundrobin/static-rr/leastconn/first are exact per worker (each worker keeps its own
 * cursor and connection counts: with W workers the balance is exact over each worker's share of
 * the flows); source hashes the client address, uri (meaningless in TCP mode) and anything else
 * hash the 5-tuple, both through the backend's Maglev table.
 */
static int pick_server(struct sl_l4_worker *w, const struct sl_l4_backend *b, uint32_t cip,
		       uint32_t hash5)
{
	uint16_t idx;
	if (b->nrot == 0)
		return -1;
	switch (b->balance) {
	case SL_BAL_ROUNDROBIN:
	case SL_BAL_STATIC_RR:
		return b->sched[w->rr++ % b->nsched];
	case SL_BAL_FIRST:
		return b->rot[0];
	case SL_BAL_LEASTCONN: {
		unsigned best = 0;
		uint64_t best_load = UINT64_MAX;
		for (unsigned k = 0; k < b->nrot; k++) {
			unsigned i = b->rot[(w->rr + k) % b->nrot];
			const struct sl_l4_server *s = &b->servers[i];
			const struct sl_srv_ctrs *sc = &w->srv[s->gidx];
			uint64_t load = (sc->stot - sc->ended) * 65536 / s->weight;
			if (load < best_load) {
				best_load = load;
				best = i;
			}
		}
		w->rr++;
		return (int)best;
	}
	case SL_BAL_SOURCE:
		idx = sl_maglev_lookup(b->maglev, sl_flow_hash_src(cip));
		return idx == SL_MAGLEV_NONE ? -1 : idx;
	default:
		idx = sl_maglev_lookup(b->maglev, hash5);
		return idx == SL_MAGLEV_NONE ? -1 : idx;
	}
}

/* ------------------------------------------------------------------ packet path */

static inline struct sl_l4_worker *l4w(struct sl_lcore *lc)
{
	return &lc->l4;
}

/* Which worker owns local port @lport (its range holds it); -1 when no worker does. */
static inline int lport_owner(const struct sl_dp *dp, uint16_t lport)
{
	if (lport < SL_LPORT_LO || lport > SL_LPORT_HI)
		return -1;
	unsigned span = (SL_LPORT_HI - SL_LPORT_LO + 1) / dp->nworkers;
	unsigned w = (unsigned)(lport - SL_LPORT_LO) / span;
	return w < dp->nworkers ? (int)dp->worker_ids[w] : -1;
}

/*
 * TCP state for timeouts, and RST validation: an RST changes the flow only when its sequence
 * number is near what its sender sent last (RFC 5961's concern: a blind RST with a random
 * sequence number must not tear a tracked connection down). The RST is forwarded either way; the
 * endpoint judges it exactly.
 */
static void track_tcp(struct sl_flow *f, enum sl_flow_dir dir, const struct sl_tcp_info *th,
		      uint32_t paylen, const struct sl_l4_service *svc, uint64_t now,
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
			f->expire_ms = now + svc->to_established;
		} else {
			f->expire_ms = now + svc->to_connect;
		}
		return;
	case SL_FLOW_ESTABLISHED:
		if (fl & SL_TCP_FIN) {
			f->state = dir == SL_FLOW_DIR_CLIENT ? SL_FLOW_FIN_CLIENT : SL_FLOW_FIN_SERVER;
			f->expire_ms = now + (dir == SL_FLOW_DIR_CLIENT ? svc->to_client_fin :
									  svc->to_server_fin);
		} else {
			f->expire_ms = now + svc->to_established;
		}
		return;
	case SL_FLOW_FIN_CLIENT:
	case SL_FLOW_FIN_SERVER:
		if ((fl & SL_TCP_FIN) &&
		    ((f->state == SL_FLOW_FIN_CLIENT) != (dir == SL_FLOW_DIR_CLIENT))) {
			f->state = SL_FLOW_CLOSING;
			f->expire_ms = now + CLOSING_MS;
		} else if (f->state == SL_FLOW_FIN_CLIENT) {
			f->expire_ms = now + svc->to_client_fin;
		} else {
			f->expire_ms = now + svc->to_server_fin;
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
	struct sl_srv_ctrs *sc = &lc->l4.srv[f->server_idx];
	uint8_t *tcp = ip + iph->ihl_bytes;
	size_t doff = (size_t)(tcp[12] >> 4) * 4;
	if (dir == SL_FLOW_DIR_CLIENT) {
		/* client -> VIP  becomes  local -> server: the server key read backwards */
		const struct sl_flow_key *sk = &f->k[SL_FLOW_DIR_SERVER];
		sl_nat_tcp_to_server(tcp, doff, f->tcp_off);
		sl_nat_rewrite4(ip, iph->ihl_bytes, sk->daddr, sk->dport, sk->saddr, sk->sport);
		SL_COUNT(sc->bin, iph->total_len);
		SL_COUNT(lc->ctr->c[SL_CTR_L4_PKTS_TO_SERVER], 1);
		sl_ip_output(lc, port, m, sk->saddr);
	} else {
		const struct sl_flow_key *ck = &f->k[SL_FLOW_DIR_CLIENT];
		sl_nat_tcp_to_client(tcp, doff, f->tcp_off);
		sl_nat_rewrite4(ip, iph->ihl_bytes, ck->daddr, ck->dport, ck->saddr, ck->sport);
		SL_COUNT(sc->bout, iph->total_len);
		SL_COUNT(lc->ctr->c[SL_CTR_L4_PKTS_TO_CLIENT], 1);
		sl_ip_output(lc, port, m, ck->saddr);
	}
}

/* Picks a free local port for server key (sip:sport -> lip:?) in this worker's range. */
static bool alloc_lport(struct sl_l4_worker *w, uint16_t gidx, struct sl_flow_key *sk,
			uint64_t now)
{
	enum sl_flow_dir d;
	for (unsigned i = 0; i < LPORT_PROBES; i++) {
		uint16_t p = w->lport_next[gidx];
		w->lport_next[gidx] = p == w->lport_hi ? w->lport_lo : (uint16_t)(p + 1);
		sk->dport = p;
		if (sl_flow_lookup(w->ft, sk, sl_flow_key_hash(sk), &d, now) == NULL)
			return true;
	}
	return false;
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
	uint32_t secret = lc->dp->isn_secret;
	uint32_t g = sl_flow_key_hash(sk) ^ secret;
	uint32_t tsval;
	if (sl_nat_tcp_tsval(tcp, th->doff_bytes, &tsval))
		return (uint32_t)lc->now_ms + g - tsval;
	uint64_t ticks = (rte_rdtsc() - lc->dp->start_tsc) / (lc->dp->tsc_hz / 250000);
	return (uint32_t)ticks + g - th->seq;
}

static void new_flow(struct sl_lcore *lc, uint16_t port, struct rte_mbuf *m, uint8_t *ip,
		     const struct sl_ipv4_info *iph, const struct sl_tcp_info *th,
		     const struct sl_l4_conf *conf, const struct sl_l4_service *svc,
		     const struct sl_flow_key *ck, uint32_t hash)
{
	struct sl_l4_worker *w = l4w(lc);
	const struct sl_l4_backend *b = &conf->backends[svc->backend];
	int si = pick_server(w, b, ck->saddr, hash);
	if (si < 0) {
		lc->ctr->c[SL_CTR_DROP_L4_NO_SERVER]++;
		rte_pktmbuf_free(m);
		return;
	}
	const struct sl_l4_server *s = &b->servers[si];
	struct sl_flow_key sk = {.saddr = s->ip,
				 .daddr = sl_dp_source_for(lc->dp, port, s->ip),
				 .sport = s->port != 0 ? s->port : ck->dport,
				 .proto = ck->proto};
	if (!alloc_lport(w, s->gidx, &sk, lc->now_ms)) {
		lc->ctr->c[SL_CTR_DROP_L4_NO_PORT]++;
		rte_pktmbuf_free(m);
		return;
	}
	struct sl_flow *f = sl_flow_insert(w->ft, ck, &sk, lc->now_ms, lc->now_ms + svc->to_connect);
	if (f == NULL) {
		lc->ctr->c[SL_CTR_DROP_L4_TABLE_FULL]++;
		rte_pktmbuf_free(m);
		return;
	}
	f->state = SL_FLOW_SYN_SENT;
	f->server_idx = s->gidx;
	f->tcp_off = server_side_offset(lc, &sk, th, ip + iph->ihl_bytes);
	f->service_idx = (uint16_t)(svc - conf->services);
	f->user[SL_FLOW_DIR_CLIENT] = th->seq + 1;
	f->user[SL_FLOW_DIR_SERVER] = 0;
	w->srv[s->gidx].stot++;
	w->srv[s->gidx].last_ms = lc->now_ms;
	lc->ctr->c[SL_CTR_L4_FLOWS_NEW]++;
	forward(lc, port, m, ip, iph, f, SL_FLOW_DIR_CLIENT);
}

bool sl_l4_input(struct sl_lcore *lc, uint16_t port, struct rte_mbuf *m, uint8_t *ip,
		 const struct sl_ipv4_info *iph, const struct sl_tcp_info *th, uint16_t sport,
		 uint16_t dport)
{
	struct sl_dp *dp = lc->dp;
	const struct sl_l4_conf *conf = __atomic_load_n(&dp->l4, __ATOMIC_ACQUIRE);
	struct sl_l4_worker *w = l4w(lc);
	if (conf == NULL || w->ft == NULL)
		return false;
	if (unlikely(sl_probe_port(dport))) {
		sl_probe_input(lc, port, m, iph, th);
		return true;
	}
	struct sl_flow_key k = {.saddr = iph->src, .daddr = iph->dst, .sport = sport,
				.dport = dport, .proto = iph->proto};
	uint32_t hash = sl_flow_key_hash(&k);
	enum sl_flow_dir dir;
	struct sl_flow *f = sl_flow_lookup(w->ft, &k, hash, &dir, lc->now_ms);
	if (f == NULL && dport >= SL_LPORT_LO && dport <= SL_LPORT_HI &&
	    (dport < w->lport_lo || dport > w->lport_hi)) {
		/* a reply to another worker's local port: hand it to its owner */
		int owner = lport_owner(dp, dport);
		if (owner >= 0 && (unsigned)owner != lc->lcore_id) {
			m->port = port;
			if (rte_ring_enqueue(dp->lcores[owner]->rxring, m) != 0) {
				lc->ctr->c[SL_CTR_DROP_RING_FULL]++;
				rte_pktmbuf_free(m);
			} else {
				lc->ctr->c[SL_CTR_L4_STEERED]++;
			}
			return true;
		}
	}
	uint32_t paylen = (uint32_t)iph->total_len - iph->ihl_bytes - th->doff_bytes;
	if (f != NULL) {
		const struct sl_l4_service *svc = &conf->services[f->service_idx < conf->nservices ? f->service_idx : 0];
		/* a new SYN on a finished flow's 5-tuple: the client reuses its port */
		if (dir == SL_FLOW_DIR_CLIENT && (th->flags & (SL_TCP_SYN | SL_TCP_ACK)) == SL_TCP_SYN &&
		    f->state >= SL_FLOW_FIN_CLIENT) {
			w->srv[f->server_idx].ended++;
			lc->ctr->c[SL_CTR_L4_FLOWS_ENDED]++;
			sl_flow_delete(w->ft, f);
			f = NULL;
		} else {
			track_tcp(f, dir, th, paylen, svc, lc->now_ms, lc);
			forward(lc, port, m, ip, iph, f, dir);
			return true;
		}
	}
	const struct sl_l4_service *svc = find_service(conf, iph->dst, dport);
	if (svc == NULL)
		return false;
	if ((th->flags & (SL_TCP_SYN | SL_TCP_ACK | SL_TCP_RST)) != SL_TCP_SYN) {
		/* mid-stream packet of a flow we do not know (expired, or never ours) */
		lc->ctr->c[SL_CTR_DROP_L4_NO_FLOW]++;
		rte_pktmbuf_free(m);
		return true;
	}
	new_flow(lc, port, m, ip, iph, th, conf, svc, &k, hash);
	return true;
}

void sl_l4_prefetch_burst(struct sl_lcore *lc, struct rte_mbuf **pkts, uint16_t n)
{
	struct sl_flow_table *ft = lc->l4.ft;
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
		hashes[k] = sl_flow_key_hash(&key);
		sl_flow_prefetch(ft, hashes[k++]);
	}
	for (uint16_t i = 0; i < k; i++)
		sl_flow_prefetch_flow(ft, hashes[i]);
}

bool sl_l4_icmp_error(struct sl_lcore *lc, uint16_t port, struct rte_mbuf *m, uint8_t *ip,
		      const struct sl_ipv4_info *iph)
{
	struct sl_l4_worker *w = l4w(lc);
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
	if (f == NULL)
		return false;
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
	sl_ip_output(lc, port, m, to);
	return true;
}

static void on_expire(void *arg, struct sl_flow *f)
{
	struct sl_lcore *lc = arg;
	lc->l4.srv[f->server_idx].ended++;
	if (f->state == SL_FLOW_CLOSING || f->state == SL_FLOW_RESET)
		lc->ctr->c[SL_CTR_L4_FLOWS_ENDED]++;
	else
		lc->ctr->c[SL_CTR_L4_FLOWS_EXPIRED]++;
}

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
	rc->lc->l4.srv[f->server_idx].ended++;
	rc->lc->ctr->c[SL_CTR_L4_FLOWS_RESET]++;
	sl_flow_delete(rc->lc->l4.ft, f);
}

static void run_commands(struct sl_lcore *lc)
{
	void *v;
	while (rte_ring_dequeue(lc->ctlring, &v) == 0) {
		uintptr_t c = (uintptr_t)v;
		if ((c >> 16) == SL_L4_CMD_RESET_SERVER) {
			struct reset_ctx rc = {.lc = lc, .gidx = (uint16_t)c};
			sl_flow_foreach(lc->l4.ft, reset_flow, &rc);
			sl_httpx_reset_server(lc, (uint16_t)c); /* and the proxied sessions */
		}
	}
}

void sl_l4_tick(struct sl_lcore *lc)
{
	if (lc->probes != NULL)
		sl_probe_tick(lc);
	if (lc->ctlring != NULL && !rte_ring_empty(lc->ctlring) && lc->l4.ft != NULL)
		run_commands(lc);
	if (lc->l4.ft != NULL && sl_flow_count(lc->l4.ft) != 0)
		sl_flow_expire(lc->l4.ft, lc->now_ms, SWEEP_BUDGET, on_expire, lc);
}

void sl_l4_show(const struct sl_dp *dp, struct sl_outbuf *out)
{
	const struct sl_l4_conf *c = dp->l4;
	if (c == NULL)
		return;
	const struct sl_gen_stats *g = &dp->gen_stats;
	uint64_t mhz = dp->tsc_hz / 1000000 ? dp->tsc_hz / 1000000 : 1;
	sl_outbuf_printf(out, "generation %" PRIu64 " (configuration %u): %u server slots, built in %" PRIu64
			 " us, published in %" PRIu64 " us; %u replaced configuration(s) still in use\n",
			 g->n, c->cfg_gen, c->nservers, g->build_cycles / mhz, g->publish_cycles / mhz,
			 dp->cfg_retired);
	for (unsigned i = 0; i < dp->nworkers; i++) {
		const struct sl_lcore *lc = dp->lcores[dp->worker_ids[i]];
		sl_outbuf_printf(out, "worker %u: flows %u/%u, local ports %u-%u\n", lc->lcore_id,
				 sl_flow_count(lc->l4.ft), sl_flow_capacity(lc->l4.ft),
				 lc->l4.lport_lo, lc->l4.lport_hi);
	}
	for (unsigned s = 0; s < c->nservices; s++) {
		const struct sl_l4_service *v = &c->services[s];
		const struct sl_l4_backend *b = &c->backends[v->backend];
		sl_outbuf_printf(out, "service %s %u-%u -> backend %s (%s, %u in rotation)\n",
				 v->frontend, v->port_lo, v->port_hi, b->name,
				 sl_cfg_balance_name(b->balance), b->nrot);
	}
	for (unsigned bi = 0; bi < c->nbackends; bi++) {
		const struct sl_l4_backend *b = &c->backends[bi];
		for (unsigned i = 0; i < b->nservers; i++) {
			uint64_t stot = 0, ended = 0, bin = 0, bout = 0;
			for (unsigned k = 0; k < dp->nworkers; k++) {
				const struct sl_srv_ctrs *sc =
					&dp->lcores[dp->worker_ids[k]]->l4.srv[b->servers[i].gidx];
				stot += sc->stot;
				ended += sc->ended;
				bin += sc->bin;
				bout += sc->bout;
			}
			sl_outbuf_printf(out,
					 "server %s/%s: cur %" PRIu64 " total %" PRIu64
					 " bytes_in %" PRIu64 " bytes_out %" PRIu64 "\n",
					 b->name, b->servers[i].name, stot - ended, stot, bin, bout);
		}
	}
}
