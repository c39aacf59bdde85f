/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The L4 path: `mode tcp` frontends balanced per flow at packet level, full NAT both ways.
 *
 *   client cip:cport -> VIP:vport      becomes   lip:lport -> server sip:sport
 *   server sip:sport -> lip:lport      becomes   VIP:vport -> client cip:cport
 *
 * The control plane (main lcore) builds a struct sl_l4_conf from the configuration: services
 * (VIP:port ranges of `mode tcp` frontends), backends with their servers and a Maglev table
 * each. Workers read the published conf through one pointer (RCU: a new generation replaces
 * it, the old one is freed after every worker went through a quiescent state). A flow, once
 * created, depends only on its two keys, never on the conf: a server set change never moves it.
 *
 * Each worker owns a flow table (dataplane/l4/flow.c) and a range of local ports; a reply that
 * RSS delivers to another worker is handed to the owner through the owner's ring.
 */
#ifndef SL_L4_H
#define SL_L4_H

#include <stdint.h>

#include <stdbool.h>

#include <rte_mbuf.h>

struct sl_cfg;
struct sl_dp;
struct sl_lcore;
struct sl_maglev;
struct sl_flow_table;
struct sl_ipv4_info;
struct sl_tcp_info;
struct sl_outbuf;

#define SL_L4_MAX_SERVERS 4096
#define SL_LPORT_LO 32768 /* local (SNAT) ports: Linux's ephemeral range */
#define SL_LPORT_HI 60999

struct sl_l4_server {
	uint32_t ip;
	uint16_t port;     /* 0: the client's destination port */
	uint16_t weight;
	uint16_t gidx;     /* index of its counters (struct sl_srv_ctrs) */
	uint8_t usable;    /* may take traffic: in rotation, or (drain) persistent clients only */
	uint8_t drain;     /* drain / weight 0: no new traffic, clients that persist by cookie */
	uint8_t backup;
	uint8_t shutdown_on_down;
	const char *name;
	const char *cookie; /* "cookie VALUE" (HTTP persistence), or NULL */
	uint32_t maxconn;   /* HTTP: concurrent connections, 0 = unlimited (whole process) */
};

struct sl_l4_backend {
	const char *name;
	int balance;       /* enum sl_balance */
	uint16_t nservers;
	struct sl_l4_server *servers;
	/* in rotation: the usable active servers, or the usable backups when none is active */
	uint16_t *rot;
	uint16_t nrot;
	uint16_t *sched;          /* smooth weighted round-robin order over rot (sum of weights) */
	uint32_t nsched;
	struct sl_maglev *maglev; /* over the servers in rotation */
};

/* A `mode tcp` frontend's listening VIP:port range. */
struct sl_l4_service {
	uint32_t vip;      /* 0: every owned address */
	uint16_t port_lo, port_hi;
	uint16_t backend;  /* index in conf->backends */
	/* timeouts in ms, resolved from the frontend and its backend (HAProxy's meaning) */
	uint32_t to_connect, to_established, to_client_fin, to_server_fin;
	const char *frontend;
};

/* One generation of the L4 configuration. Immutable once published. */
struct sl_l4_conf {
	struct sl_l4_service *services;
	unsigned nservices;
	struct sl_l4_backend *backends;
	unsigned nbackends;
	unsigned nservers; /* counter slots: every server's gidx is below (there may be gaps) */
	const struct sl_cfg *cfg; /* the configuration it was built from (names point into it) */
	uint32_t cfg_gen;         /* that configuration's generation (dp->cfg_gen then) */
	uint16_t lport_lo, lport_hi;
	/* dport -> service index + 1 for wildcard-address services (0: none) */
	uint16_t port_svc[65536];
};

/* Per-server counters, one array per worker (written by that worker only). */
struct sl_srv_ctrs {
	uint64_t stot;  /* flows created */
	uint64_t ended; /* flows gone (closed, reset or expired) */
	uint64_t bin;   /* bytes client -> server */
	uint64_t bout;  /* bytes server -> client */
	uint64_t last_ms; /* the last flow created (lcore clock: `lastsess`) */
};

/* Per-worker L4 state, inside struct sl_lcore. */
struct sl_l4_worker {
	struct sl_flow_table *ft;
	struct sl_srv_ctrs *srv;   /* SL_L4_MAX_SERVERS entries */
	uint16_t lport_lo, lport_hi;
	uint16_t *lport_next;      /* per server (gidx): the next local port to try */
	uint64_t rr;               /* round-robin cursor for balance roundrobin/static-rr */
	uint64_t sweep_ms;
};

/* Runtime state of a server (by gidx) given to sl_l4_conf_build(): health and admin state
 * (checks, the stats socket) and a weight set at run time. */
#define SL_SRV_RT_IN	  0 /* usable: in rotation */
#define SL_SRV_RT_OUT	  1 /* down or in maintenance: no traffic */
#define SL_SRV_RT_PERSIST 2 /* drain: only clients that persist by cookie */
#define SL_SRV_WEIGHT_CFG 0xffff /* weights[]: the configuration's */

/*
 * Builds the L4 generation for @cfg (main lcore; allocates with malloc). @state, when not NULL,
 * holds one SL_SRV_RT_* byte per server counter slot (gidx); @weights, when not NULL, a weight
 * per slot (SL_SRV_WEIGHT_CFG: the configuration's). A server of weight 0 drains. Returns 0
 * with *@out set, or -ENOMEM / -E2BIG (more than SL_L4_MAX_SERVERS servers, error printed).
 */
int sl_l4_conf_build(const struct sl_cfg *cfg, const struct sl_dp *dp, const uint8_t *state,
		     const uint16_t *weights, struct sl_l4_conf **out);

/*
 * Publishes @c as the generation workers use, waits until every worker has passed a quiescent
 * state (RCU, rte_rcu_qsbr: at most a loop iteration, ~1 ms when idle), then frees the previous
 * one. Flows never depend on a generation, so none moves. Main lcore; @self is its lcore id.
 */
void sl_l4_publish(struct sl_dp *dp, struct sl_l4_conf *c, unsigned self);

/* The counter slot (gidx) of server @srv of backend @be in @c, or -1. */
int sl_l4_find_server(const struct sl_l4_conf *c, const char *be, const char *srv);

/* A command from the main lcore to the workers (through each worker's ctlring). */
struct sl_l4_cmd {
	uint16_t op;   /* SL_L4_CMD_* */
	uint16_t gidx;
};
#define SL_L4_CMD_RESET_SERVER 1 /* reset every flow of a server, both ways (shutdown-sessions) */

/*
 * Asks every worker to reset the flows of server @gidx: each sends an RST to the client and to
 * the server of each such flow and forgets it (HAProxy's `shutdown sessions server`, and
 * `on-marked-down shutdown-sessions`). Main lcore. Returns 0 or -ENOBUFS (a worker's command
 * ring is full; nothing was asked of it).
 */
int sl_l4_request_reset(struct sl_dp *dp, uint16_t gidx);

/* Frees a generation (main lcore, after no worker can see it). NULL is accepted. */
void sl_l4_conf_free(struct sl_l4_conf *c);

/*
 * Prepares a worker's L4 state (lc->l4): a flow table of @max_flows entries and its local port range
 * (worker @idx of @nworkers shares [SL_LPORT_LO, SL_LPORT_HI]). Main lcore, before the loops
 * start. Returns 0 or -ENOMEM.
 */
int sl_l4_worker_init(struct sl_lcore *lc, uint32_t max_flows, unsigned idx, unsigned nworkers);
void sl_l4_worker_fini(struct sl_l4_worker *w);

/*
 * Handles a TCP or UDP packet addressed to an owned address (worker lcore). @ip points at the
 * IPv4 header inside @m (the frame is trimmed to the IP length); @l4 at the TCP/UDP header.
 * Returns true when the packet was consumed (forwarded, handed off or dropped with a counter),
 * false when no L4 service or flow matches (the caller goes on classifying).
 */
bool sl_l4_input(struct sl_lcore *lc, uint16_t port, struct rte_mbuf *m, uint8_t *ip,
		 const struct sl_ipv4_info *iph, const struct sl_tcp_info *th, uint16_t sport,
		 uint16_t dport);

/*
 * Before a burst is processed: hashes the flow key of each plain TCP/IPv4 frame and prefetches
 * its bucket, then its flow line, so that lookups find them in cache (tables bigger than the
 * cache; smaller tables skip it). Worker lcore.
 */
#define SL_L4_PREFETCH_MIN 65536
void sl_l4_prefetch_burst(struct sl_lcore *lc, struct rte_mbuf **pkts, uint16_t n);

/*
 * An ICMP error (destination unreachable, fragmentation needed, time exceeded...) that quotes a
 * TCP segment of a tracked flow is translated for the other side and forwarded (worker lcore).
 * Returns true when consumed, false when it concerns no flow (the caller drops and counts it).
 */
bool sl_l4_icmp_error(struct sl_lcore *lc, uint16_t port, struct rte_mbuf *m, uint8_t *ip,
		      const struct sl_ipv4_info *iph);

/* Housekeeping once a millisecond on a worker: expires idle flows (bounded work). */
void sl_l4_tick(struct sl_lcore *lc);

/* `show sess`-style summary and per-server counters for the stats socket (main lcore). */
void sl_l4_show(const struct sl_dp *dp, struct sl_outbuf *out);

#endif
