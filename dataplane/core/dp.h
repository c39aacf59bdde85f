/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The dataplane's shared context: ports, owned addresses, lcores and their roles, the published
 * generation, the rings to main.
 *
 * Writer: the main lcore, before the loops start (controlplane/sluiced.c); read-only afterwards
 * for every lcore, except the fields whose comment names another writer: `gen` (main publishes
 * with RCU), `quit` (main sets it once), `cfg`/`cfg_gen`/`cfg_retired` (main only: lcores follow
 * the configuration of the published generation, never dp->cfg). Engine state shared by the
 * lcores of one engine hangs from the typed pointers at the end, each documented by its engine.
 */
#ifndef SL_DP_H
#define SL_DP_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_ether.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include "controlplane/cfg/portplan.h"
#include "dataplane/core/counters.h"
#include "dataplane/core/neigh.h"

struct sl_cfg;
struct sl_gen;
struct sl_lcore;
struct sl_tmo_table;
struct sl_route_table;

#define SL_MAX_PORTS 8
#define SL_MAX_QUEUES 64      /* queue pairs of one port (the config's `queues` limit) */
#define SL_MAX_ADDRS 64
#define SL_BURST 32
#define SL_TXBUF 64           /* frames buffered per TX queue before a flush */
#define SL_NEIGH_PENDING 64   /* frames waiting for ARP resolution, per lcore */
#define SL_RING_SIZE 4096
#define SL_CMD_RING_SIZE 1024 /* commands waiting for one lcore */
#define SL_ALOG_RING_SIZE 512 /* access-log records waiting for main, per proxy lcore (2 KiB each) */
#define SL_INBOX_SIZE 4096    /* messages waiting for main */

enum sl_role_bits { SL_ROLE_MAIN = 1, SL_ROLE_WORKER = 2, SL_ROLE_PROXY = 4 };

/* One owned IPv4 address (VIP or local address), host order. */
struct sl_addr {
	uint32_t ip;
	uint32_t mask;
	uint16_t port; /* port index (dp->ports[]) */
};

/*
 * One configured port. A port may be made of several DPDK devices: an af_xdp port with Q queues
 * is Q devices of one queue each (the PMD cannot put several sockets on one interface whose
 * driver reports no channels, such as veth); every other port is one device with Q queues.
 * Written by main before the loops start; read by every lcore.
 */
struct sl_port {
	uint16_t id;           /* DPDK port id (of queue 0's device: MAC, link, stats) */
	const char *name;      /* the config's port name */
	const char *iface;     /* kernel interface (vdev ports) or NULL */
	char dev_name[64];     /* DPDK device name, e.g. net_af_xdp0 */
	struct rte_ether_addr mac;
	uint16_t nb_queues;    /* RX/TX queue pairs configured */
	uint16_t nsub;         /* DPDK devices making the port (1, or one per queue) */
	uint16_t sub[SL_MAX_QUEUES];  /* their DPDK port ids */
	uint16_t qdev[SL_MAX_QUEUES]; /* queue q: the DPDK port id serving it */
	uint16_t qnum[SL_MAX_QUEUES]; /* queue q: that device's queue number */
	int xsk_fd[SL_MAX_QUEUES];    /* af_xdp of several devices: queue q's socket, for the
				       * XDP program's socket map (-1 unknown) */
	uint16_t mtu;
	bool started;
	int ifindex;           /* kernel ifindex for vdev ports, 0 otherwise */
	int socket;            /* its NUMA node: its queues' memory, its RX pool (dp->pools) */
	bool af_xdp;
	bool xdp_prog;         /* af_xdp with sluice's XDP program (steering) */
};

struct sl_dp {
	const struct sl_cfg *cfg;         /* main's running configuration (main replaces it) */
	uint32_t cfg_gen;                 /* its generation: 0 at start, +1 for each reload */
	unsigned cfg_retired;             /* replaced configurations not freed yet (main) */
	struct rte_mempool *pool;         /* the packet pool of the first worker's NUMA node */
	struct rte_mempool *pools[RTE_MAX_NUMA_NODES]; /* each node's packet pool, NULL: none
					   * there (controlplane/cfg/numa.h says which) */
	struct sl_port ports[SL_MAX_PORTS];
	unsigned nports;
	struct sl_addr addrs[SL_MAX_ADDRS];
	unsigned naddrs;
	const struct sl_route_table *routes; /* connected subnets and `route` lines (immutable) */
	struct sl_port_plan plan;         /* the local ports of each use and lcore (immutable) */
	struct sl_lcore *lcores[RTE_MAX_LCORE];
	unsigned worker_ids[RTE_MAX_LCORE]; /* lcore ids of workers, in order */
	unsigned nworkers;
	unsigned proxy_ids[RTE_MAX_LCORE];  /* lcore ids of proxy lcores, in order */
	unsigned nproxies;
	/* each worker's and each proxy lcore's lc->srv_active, in the order of worker_ids and
	 * proxy_ids: the counts the picker sums for maxconn and leastconn (struct sl_pick_counts;
	 * each array written by its lcore alone, read by the others with relaxed loads) */
	const uint32_t *worker_active[RTE_MAX_LCORE];
	const uint32_t *proxy_active[RTE_MAX_LCORE];
	unsigned main_lcore;
	struct sl_lcore_ctrs *ctrs;       /* RTE_MAX_LCORE blocks in one memzone */
	struct sl_neigh_table *neigh;     /* written by the ARP-owning lcore only */
	unsigned arp_owner;               /* lcore id that learns neighbours */
	bool poll_mode;                   /* busy polling, no idle back-off */
	bool cpus_shared;                 /* two lcores share a CPU (`control shared`, `cores ... on`):
					   * the rings and the mbuf pool that several lcores fill
					   * use RTS sync, so a producer preempted mid-way stalls no
					   * other (written by main before the loops) */
	uint64_t tsc_hz;
	uint64_t start_tsc;
	const struct sl_gen *gen;         /* published generation (main writes with release,
					   * lcores read with acquire; RCU) */
	struct sl_tmo_table *tmo;         /* flows' timeout profiles (main appends; grows only) */
	struct rte_rcu_qsbr *qsbr;        /* workers and proxies report quiescent states */
	struct rte_ring *inbox;           /* messages to main (struct sl_msg), any lcore writes */
	/* engines' shared state, each owned by its engine (set up by main before the loops) */
	struct sl_l4_shared *l4;          /* dataplane/l4: steering, probing worker, secrets */
	struct sl_tcphost_shared *th;     /* dataplane/tcphost: terminated ports, local ports */
	struct sl_http_shared *http;      /* dataplane/http: TLS ticket keys */
	/* each proxy lcore's accepted connections per frontend counter slot (proxy lcore i's row
	 * of SL_DP_FE_STRIDE at i * SL_DP_FE_STRIDE, on cache lines of its own): written by that
	 * lcore's TCP stack alone, read by every proxy lcore's to hold a frontend's maxconn over
	 * all of them (sl_tcp_listen_share); allocated by dataplane/tcphost */
	uint32_t *fe_conns;
	volatile int quit;
};

#define SL_DP_FE_STRIDE 1040 /* frontend counter slots 1..1024 (SL_PX_SLOTS), 64-byte rows */

/* Milliseconds since start from the TSC (monotonic; same base on every lcore). */
uint64_t sl_dp_now_ms(const struct sl_dp *dp);

/* Microseconds since start from the TSC (monotonic; same base on every lcore). */
uint64_t sl_dp_now_us(const struct sl_dp *dp);

/* The source address to use towards @dst: the owned address of the route's egress port whose
 * subnet holds the next hop (dataplane/core/route.h); 0 when there is no route. Any lcore. */
uint32_t sl_dp_route_src(const struct sl_dp *dp, uint32_t dst);

/* Returns the owned address entry for @ip (host order) on @port, or NULL. */
const struct sl_addr *sl_dp_owned(const struct sl_dp *dp, uint16_t port, uint32_t ip);

/* Whether @ip is one of the dataplane's addresses (any port). */
bool sl_dp_owns(const struct sl_dp *dp, uint32_t ip);

/* Whether a received datagram's source @src must be discarded because of what sluice knows of
 * its own subnets (RFC 1122 3.2.1.3): one of its own addresses (a "land" packet, which would
 * make it answer itself), or the directed broadcast address of an owned address's subnet (/30
 * and larger). The forms any host rejects (0/8, 127/8, multicast, limited broadcast) are
 * sl_ipv4_bad_src()'s. Any lcore. */
bool sl_dp_martian_src(const struct sl_dp *dp, uint32_t src);

#endif
