/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * NUMA placement: which memory node each port is on, which packet pool each node gets and how
 * big, which pool each lcore allocates from, and which workers serve a port of another node.
 *
 * Input: each lcore's CPU and that CPU's node (the order is the lcores' order: the k-th worker
 * is worker k and owns queue k of every port that has k+1 queues), each port's node as its
 * device says (a PCI NIC: rte_eth_dev_socket_id(); a vdev says "any") and as its interface's
 * device says (/sys/class/net/IF/device/numa_node, "any" when there is none, e.g. a veth).
 * Rules (docs/config.md, `cores`):
 *   - a port is on its device's node, else its interface's, else the first worker's;
 *   - a node with a port or a worker or proxy lcore gets one pool; a port's RX queues take the
 *     pool of its node; an lcore allocates from its own node's pool, an lcore on a node with no
 *     pool (main alone there) from the first worker's;
 *   - a pool holds the descriptors and in-flight frames of each of its ports' queues
 *     (per_port_worker per worker, per port), what its lcores keep in caches, rings and
 *     pending frames (per_lcore each), the payload its proxy lcores' stacks keep (per_proxy
 *     each), and slack;
 *   - a worker that owns a queue of a port whose node is known and is not the worker's is a
 *     warning (it runs, crossing the interconnect for every frame).
 *
 * Pure: no DPDK, no global state. Called by main at start (controlplane/sluiced.c, step_pool),
 * unit-tested in tests/unit/controlplane/cfg/test_numa.c.
 */
#ifndef SL_NUMA_H
#define SL_NUMA_H

#include <stdbool.h>
#include <stddef.h>

#define SL_NUMA_MAX_NODES  32  /* DPDK's RTE_MAX_NUMA_NODES of Debian 12's build (sluiced checks) */
#define SL_NUMA_MAX_PORTS  8   /* SL_MAX_PORTS */
#define SL_NUMA_MAX_LCORES 128 /* SL_MAX_LCORES */
#define SL_NUMA_MAX_WARN   64
#define SL_NUMA_ANY        (-1) /* node unknown: DPDK's SOCKET_ID_ANY, sysfs's -1 */

struct sl_numa_lcore {
	unsigned id;  /* lcore id (for the warnings) */
	unsigned cpu; /* the CPU it runs on */
	int node;     /* that CPU's node; SL_NUMA_ANY is taken as node 0 */
	bool worker;  /* owns queues (workers are numbered in this order) */
	bool proxy;   /* has a TCP stack */
};

struct sl_numa_port {
	int dev_node; /* the device's node, SL_NUMA_ANY for a vdev */
	int if_node;  /* the interface's device's node, SL_NUMA_ANY when none */
	unsigned queues;
};

/* Mbufs a pool needs, per item placed on its node (see the rules above). */
struct sl_numa_sizing {
	unsigned per_port_worker;
	unsigned per_lcore;
	unsigned per_proxy;
	unsigned slack; /* per pool */
};

/* A worker that owns queue @queue of port @port on another node than its own. */
struct sl_numa_warn {
	unsigned lcore, cpu;
	int lcore_node;
	unsigned port, queue;
	int port_node;
};

struct sl_numa_plan {
	int port_node[SL_NUMA_MAX_PORTS];    /* each port's node (resolved) */
	bool port_known[SL_NUMA_MAX_PORTS];  /* whether it came from the device or interface */
	int lcore_pool[SL_NUMA_MAX_LCORES];  /* the node whose pool each lcore allocates from */
	unsigned mbufs[SL_NUMA_MAX_NODES];   /* each node's pool size, 0: no pool there */
	unsigned npools;
	int first_node;                      /* the first worker's node (its pool is "the" pool) */
	struct sl_numa_warn warn[SL_NUMA_MAX_WARN];
	unsigned nwarn;                      /* warnings kept (at most SL_NUMA_MAX_WARN) */
	unsigned nwarn_all;                  /* warnings found */
};

/*
 * Places @nport ports and @nlc lcores (at least one worker). Returns 0, or -1 with @why filled
 * when the input is out of range (a node at or beyond SL_NUMA_MAX_NODES, no worker, too many
 * ports or lcores).
 */
int sl_numa_plan_make(const struct sl_numa_lcore *lc, unsigned nlc, const struct sl_numa_port *ports,
		      unsigned nport, const struct sl_numa_sizing *sz, struct sl_numa_plan *out,
		      char *why, size_t whylen);

#endif
