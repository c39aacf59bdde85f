/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The lcore context: what one packet lcore owns, and the table of roles the engines register on
 * it for the loop (dataplane/loop/loop.c) to run.
 *
 * Writer: the lcore itself, once its loop runs (main fills it before). Readers: other lcores
 * read only its counters (`ctr`, `srv`: plain loads, a value may be a moment old) and its
 * `cfg_clean`; they talk to it through its rings. Everything an engine keeps per lcore hangs
 * from the engine's pointer below and is that engine's alone.
 */
#ifndef SL_LCORE_H
#define SL_LCORE_H

#include <stdbool.h>
#include <stdint.h>

#include "dataplane/core/dp.h"
#include "dataplane/balance/pick.h"
#include "dataplane/core/msg.h"

struct sl_cfg;
struct sl_gen;
struct sl_tcp_stack;
struct sl_frag;
struct sl_tcp_conn;
struct sl_proxy;

/* Frames waiting for their next hop to be resolved. */
struct sl_pending {
	struct rte_mbuf *m;
	uint32_t next_hop;
	uint64_t since_ms;
	uint64_t last_req_ms;
};

/* A neighbour resolved recently, cached by one lcore (no seqlock read per packet). */
#define SL_NH_CACHE 256
#define SL_NH_CACHE_MS 1000 /* how long a cached MAC is used before the shared table is asked */
struct sl_nh_entry {
	uint32_t ip;
	uint8_t mac[6];
	uint16_t port; /* the egress port index it was resolved on */
	uint64_t until_ms;
};

/* The route to a destination, cached by one lcore: the route table never changes while the
 * loops run, so an entry stays right; one L4 or proxied connection's packets skip the longest
 * prefix match (a server's address hits always, clients' as the cache holds them). */
#define SL_RT_CACHE 256
struct sl_rt_entry {
	uint32_t dst;      /* 0: empty (0.0.0.0 is never a destination) */
	uint32_t next_hop;
	uint32_t src;      /* the source address for it (sl_dp_route_src()) */
	uint16_t port;     /* the egress port index */
	uint16_t npool;    /* src's local-address pool (route.h): npool addresses, src first, */
	const uint32_t *pool; /* in the route table */
};

/* Buffered transmission on one TX queue. */
struct sl_txbuf {
	uint16_t n;
	int16_t queue;         /* -1: this lcore has no queue here, frames go to the owner's txring */
	struct rte_mbuf *m[SL_TXBUF];
};

/* Per-server counters of one lcore (flows of the L4 engine, server connections of the HTTP
 * engine), by server counter slot. Written by the lcore's engines only. */
struct sl_srv_ctrs {
	uint64_t stot;    /* flows / server connections opened */
	uint64_t ended;   /* ... gone */
	uint64_t bin;     /* bytes client -> server (L4) */
	uint64_t bout;    /* bytes server -> client (L4) */
	uint64_t last_ms; /* the last one opened (lcore clock: `lastsess`) */
};

/*
 * A role an engine plays on an lcore. The loop calls, once a millisecond and in registration
 * order: follow() when the published generation comes from another configuration than the
 * lcore's, msg() for each command whose op is in @msgs, then tick(). held() says how many
 * objects of the role still point into a configuration older than the lcore's (the lcore says
 * it is clean of older ones when every role holds none). Any callback may be NULL.
 */
struct sl_role {
	const char *name;
	void *st; /* the engine's per-lcore state, passed back */
	uint32_t msgs; /* SL_MSG_BIT() of the ops it takes */
	void (*msg)(struct sl_lcore *lc, void *st, const struct sl_msg *m);
	void (*follow)(struct sl_lcore *lc, void *st, const struct sl_gen *g);
	unsigned (*held)(const struct sl_lcore *lc, void *st);
	void (*tick)(struct sl_lcore *lc, void *st);
};

#define SL_MAX_ROLES 8
#define SL_BACKEND_IDS 1025 /* backend ids: proxy slots 1..SL_PX_SLOTS (0: none) */

/*
 * A built-in service a session can hand its connection to (`http-request use-service`): the
 * engine serving it registers the function; an engine that wants it calls through the table,
 * knowing nothing of the other. Returns true when it took the connection (with the request's
 * @buf/@len already read), false when it cannot (no room).
 */
typedef bool (*sl_service_fn)(struct sl_lcore *lc, void *st, struct sl_tcp_conn *c,
			      const struct sl_proxy *fe, const char *buf, size_t len);
enum sl_service_id { SL_SERVICE_PROMETHEUS = 0, SL_SERVICE_MAX };

struct sl_lcore {
	unsigned lcore_id;
	unsigned roles;          /* SL_ROLE_* bits */
	unsigned worker_idx;     /* index among workers */
	unsigned proxy_idx;      /* index among proxy lcores */
	struct sl_dp *dp;
	int socket;               /* NUMA node of its CPU: its state is allocated there */
	struct rte_mempool *pool; /* the packet pool it allocates from: its node's
				   * (controlplane/cfg/numa.h) */
	struct sl_lcore_ctrs *ctr;
	struct sl_srv_ctrs *srv;  /* SL_MAX_SERVERS entries, by server counter slot */
	uint32_t *srv_active;     /* SL_MAX_SERVERS entries: connections open now on this lcore
				   * (flows and HTTP server connections), for leastconn/maxconn:
				   * written by this lcore alone (sl_pick_count_add/sub), read by
				   * the pickers of every worker / proxy lcore (relaxed loads,
				   * through dp->worker_active / dp->proxy_active) */
	uint64_t slots_freed;     /* HTTP server connections ended on this lcore (their slots
				   * freed): written by this lcore alone (relaxed store), read by
				   * the other proxy lcores (relaxed loads) to know when to offer
				   * their queued requests a slot again (dataplane/http/queue.c) */
	struct sl_pick_cursor *cursor; /* SL_BACKEND_IDS entries: each backend's balancing cursor
					* on this lcore, by its stable id (its proxy slot) */
	struct rte_ring *txring;  /* frames other lcores hand to this one for transmission */
	struct rte_ring *rxring;  /* frames other lcores hand to this one for processing */
	struct rte_ring *cmdring; /* commands from main (struct sl_msg) */
	struct rte_ring *alog;    /* access-log records (struct sl_alog_rec, proto/alog.h) of a
				   * proxy lcore: enqueued by this lcore only, dequeued by main
				   * only (controlplane/alog_drain.c); NULL on other lcores */
	struct sl_role role[SL_MAX_ROLES];
	unsigned nrole;
	sl_service_fn service[SL_SERVICE_MAX];
	void *service_st[SL_SERVICE_MAX];
	/* engines' per-lcore state (opaque here; each engine owns its own) */
	struct sl_l4_worker *l4;      /* dataplane/l4: flow table, local ports */
	struct sl_frag *frag;         /* dataplane/loop/frag.c: IPv4 reassembly (workers) */
	struct sl_probe_state *probe; /* dataplane/l4/probe.c: probes in flight (one worker) */
	struct sl_tcp_stack *tcp;     /* dataplane/tcphost: the TCP stack (proxy lcores) */
	struct sl_tcphost *th;        /* dataplane/tcphost: services, HTTP checks */
	struct sl_http *http;         /* dataplane/http: sessions (proxy lcores with frontends) */
	struct sl_page *page;         /* dataplane/page: stats page connections */
	/* the configuration this lcore follows (the one of the last generation it saw) */
	const struct sl_cfg *cfg;
	uint32_t cfg_gen;
	const struct sl_cfg *cfg_clean; /* the configuration this lcore holds nothing older than
					 * (written by the lcore, read by main to free old ones) */
	struct sl_txbuf tx[SL_MAX_PORTS];
	/* frames of this burst for other lcores' rxrings, enqueued a burst per owner when the
	 * burst is done (sl_handout_flush()): one ring operation per owner, not per frame */
	uint16_t nhandout;
	uint16_t handout_to[SL_BURST];
	struct rte_mbuf *handout[SL_BURST];
	int16_t rxq[SL_MAX_PORTS]; /* RX queue owned on each port, -1 none */
	uint8_t rx_hops;           /* the frame in hand: how many workers passed it on already
				    * (sl_l4's search for a flow's owner; 0 from the NIC) */
	struct sl_nh_entry nh[SL_NH_CACHE];
	struct sl_rt_entry rt[SL_RT_CACHE];
	struct sl_pending pending[SL_NEIGH_PENDING];
	unsigned npending;
	uint64_t next_tick_tsc;
	uint64_t now_ms;
	unsigned idle_polls;
	unsigned sleep_us;
} __rte_cache_aligned;

/* Registers role @r on @lc (main, before the loops start). Returns 0 or -ENOSPC. */
int sl_lcore_add_role(struct sl_lcore *lc, const struct sl_role *r);

/* Registers built-in service @id on @lc (main, before the loops start). */
void sl_lcore_add_service(struct sl_lcore *lc, enum sl_service_id id, sl_service_fn fn, void *st);

/* Hands @m to every role of @lc that takes its op (the loop, or main acting for its own lcore). */
void sl_lcore_dispatch(struct sl_lcore *lc, const struct sl_msg *m);

#endif
