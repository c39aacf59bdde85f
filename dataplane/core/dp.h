/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The dataplane's shared context: ports, owned addresses, lcores and their roles.
 *
 * Built by the main lcore before the loops start (controlplane/sluiced.c) and read-only afterwards,
 * except each lcore's own struct sl_lcore, which only that lcore writes (the quit flag excepted:
 * main sets it once).
 */
#ifndef SL_DP_H
#define SL_DP_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include "dataplane/core/counters.h"
#include "dataplane/l4/l4.h"
#include "dataplane/l4/probe.h"
#include "dataplane/core/neigh.h"
#include "controlplane/xdp_steer.h"

struct sl_cfg;
struct sl_tcp_stack;
struct sl_hchk_slot;
struct sl_ctl;
struct sl_page_conn;
struct sl_page_listener;

#define SL_MAX_PORTS 8
#define SL_MAX_ADDRS 64
#define SL_BURST 32
#define SL_TXBUF 64           /* frames buffered per TX queue before a flush */
#define SL_NEIGH_PENDING 64   /* frames waiting for ARP resolution, per lcore */
#define SL_RING_SIZE 4096

enum sl_role { SL_ROLE_MAIN = 1, SL_ROLE_WORKER = 2, SL_ROLE_PROXY = 4 };

/* One owned IPv4 address (VIP or local address), host order. */
struct sl_addr {
	uint32_t ip;
	uint32_t mask;
	uint16_t port; /* DPDK port id */
};

struct sl_port {
	uint16_t id;           /* DPDK port id */
	const char *name;      /* the config's port name */
	const char *iface;     /* kernel interface (vdev ports) or NULL */
	char dev_name[64];     /* DPDK device name, e.g. net_af_xdp0 */
	struct rte_ether_addr mac;
	uint16_t nb_queues;    /* RX/TX queue pairs configured */
	uint16_t mtu;
	uint32_t gateway;      /* default route's next hop on this port, 0 = none */
	bool started;
	int ifindex;           /* kernel ifindex for vdev ports, 0 otherwise */
	bool af_xdp;
	struct sl_xdp_port xdp; /* sluice's XDP program on it (af_xdp ports), fds -1 when none */
};

/* A frame waiting for its next hop to be resolved. */
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
	uint16_t pad;
	uint64_t until_ms;
};

/* Buffered transmission on one TX queue. */
struct sl_txbuf {
	uint16_t n;
	int16_t queue;         /* -1: this lcore has no queue here, frames go to txring */
	struct rte_mbuf *m[SL_TXBUF];
};

struct sl_dp;
struct sl_tls_tickets;

/* Per-lcore state: written only by its lcore. */
struct sl_lcore {
	unsigned lcore_id;
	unsigned roles;
	unsigned worker_idx;     /* index among workers */
	struct sl_dp *dp;
	struct sl_lcore_ctrs *ctr;
	struct rte_ring *txring; /* frames other lcores hand to this one for transmission */
	struct rte_ring *rxring; /* frames other lcores hand to this one for processing (L4 replies) */
	struct rte_ring *ctlring; /* commands from the main lcore (struct sl_l4_cmd), workers only */
	struct sl_l4_worker l4;  /* flow table and local ports (workers) */
	struct sl_probe_slot *probes; /* health probes in flight (the first worker only) */
	struct sl_tcp_stack *tcp;     /* the proxy role's TCP stack (proxy lcores) */
	unsigned proxy_idx;           /* index among proxies */
	struct rte_ring *hchk_req;    /* HTTP checks to run (from main) */
	struct sl_hchk_slot *hchk;    /* HTTP checks in flight */
	struct sl_page_conn *pages;   /* stats page connections (pool) */
	struct sl_page_listener *page_lst; /* stats pages this lcore serves (a list) */
	const struct sl_cfg *cfg;     /* proxy lcores: the configuration they follow */
	uint32_t cfg_gen;             /* ... and its generation (a reload makes a new one) */
	const struct sl_cfg *cfg_clean; /* the configuration this lcore holds nothing older than
					 * (written by the lcore, read by main to free old ones) */
	struct sl_hx *hx;             /* HTTP proxy sessions (proxy lcores with http frontends) */
	struct sl_txbuf tx[SL_MAX_PORTS];
	int16_t rxq[SL_MAX_PORTS]; /* RX queue owned on each port, -1 none */
	struct sl_nh_entry nh[SL_NH_CACHE];
	struct sl_pending pending[SL_NEIGH_PENDING];
	unsigned npending;
	uint64_t next_tick_tsc;
	uint64_t now_ms;
	unsigned idle_polls;
	unsigned sleep_us;
} __rte_cache_aligned;

/* A server state change asked from a stats page's admin form (any lcore -> main). */
struct sl_admin_req {
	uint16_t gidx; /* the server's counter slot */
	uint8_t op;    /* SL_ADMIN_* */
	uint8_t pad;
};
#define SL_ADMIN_MAINT 1
#define SL_ADMIN_READY 2
#define SL_ADMIN_DRAIN 3

/* The last rebuild of the L4 generation (checks, admin commands, reloads): `show l4`. */
struct sl_gen_stats {
	uint64_t n;              /* generations published since start */
	unsigned servers;        /* counter slots of the last one */
	uint64_t build_cycles;   /* TSC cycles building it (server lists, Maglev, schedules) */
	uint64_t publish_cycles; /* ... publishing it: the swap and the RCU grace period */
};

struct sl_dp {
	const struct sl_cfg *cfg;         /* the running configuration (main replaces it on reload) */
	uint32_t cfg_gen;                 /* its generation: 0 at start, +1 for each reload */
	unsigned cfg_retired;             /* replaced configurations not freed yet (main) */
	struct rte_mempool *pool;
	struct sl_port ports[SL_MAX_PORTS];
	unsigned nports;
	struct sl_addr addrs[SL_MAX_ADDRS];
	unsigned naddrs;
	struct sl_lcore *lcores[RTE_MAX_LCORE];
	unsigned worker_ids[RTE_MAX_LCORE]; /* lcore ids of workers, in order */
	unsigned nworkers;
	unsigned main_lcore;
	struct sl_lcore_ctrs *ctrs;       /* RTE_MAX_LCORE blocks in one memzone */
	struct sl_neigh_table *neigh;     /* written by the ARP-owning lcore only */
	unsigned arp_owner;               /* lcore id that learns neighbours */
	bool poll_mode;                   /* busy polling, no idle back-off */
	uint32_t isn_secret;              /* random at start: keys the server-side ISN/TS offsets */
	uint64_t tsc_hz;
	uint64_t start_tsc;
	const struct sl_l4_conf *l4;      /* published L4 generation (read with acquire) */
	struct sl_gen_stats gen_stats;    /* main lcore only */
	struct rte_rcu_qsbr *qsbr;        /* workers report quiescent states: old generations go */
	uint8_t *svc_ports;               /* dport -> 1: a terminated service listens; 2: a check
					   * port; 3: a proxy lcore's server-side local port */
	uint16_t hx_lport_span;           /* local ports of each proxy lcore (SL_HX_LPORT_LO..) */
	struct sl_tls_tickets *tls_tickets; /* session ticket keys of every proxy lcore's contexts */
	struct rte_ring *hchk_res;        /* HTTP check results (proxies -> main) */
	struct sl_ctl *ctl;               /* stats rows for the stats page (set by main) */
	unsigned proxy_ids[RTE_MAX_LCORE]; /* lcore ids of proxies, in order */
	unsigned nproxies;
	struct rte_ring *probe_req;       /* main -> first worker: struct sl_probe_req */
	struct rte_ring *probe_res;       /* first worker -> main: struct sl_probe_res */
	struct rte_ring *admin_req;       /* stats pages -> main: struct sl_admin_req */
	char admin_token[33];             /* the admin forms' anti-CSRF token (random at start) */
	volatile int quit;
};

/* Milliseconds since start from the TSC (monotonic; same base on every lcore). */
uint64_t sl_dp_now_ms(const struct sl_dp *dp);

/* The owned address of @port to use as source towards @dst: the one on @dst's subnet, else the
 * port's first address; 0 when the port has none. */
uint32_t sl_dp_source_for(const struct sl_dp *dp, uint16_t port, uint32_t dst);

/* The port (index) that owns address @ip; port 0 when none does. */
uint16_t sl_dp_port_of(const struct sl_dp *dp, uint32_t ip);

/* Returns the owned address entry for @ip (host order) on @port, or NULL. */
const struct sl_addr *sl_dp_owned(const struct sl_dp *dp, uint16_t port, uint32_t ip);

#endif
