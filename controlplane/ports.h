/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Ports: the EAL arguments that create them (vdevs for af_xdp/af_packet/tap, an allow-list entry
 * for a PCI NIC), the checks that turn a failed start into a one-line error an operator can act
 * on, and their configuration, start and stop.
 */
#ifndef SL_PORT_H
#define SL_PORT_H

#include <stddef.h>

#include "dataplane/core/dp.h"

struct sl_cfg;
struct sl_dp_port;
struct sl_outbuf;

/* The queues of interface @iface as ethtool -l reports them (combined channels, or rx queues
 * for drivers such as veth that have no channels): *@now in use, *@max possible. Returns 0 or
 * -errno (-EOPNOTSUPP: the driver does not say). */
int sl_iface_queues(const char *iface, unsigned *now, unsigned *max);

/* The NUMA node of interface @iface's device (/sys/class/net/IFACE/device/numa_node), -1 when
 * it has none (a veth, a machine of one node) or it cannot be read. Main, at start. */
int sl_iface_numa_node(const char *iface);

/* The queue pairs port @p gets: its `queues`, else one per worker; an af_xdp port no more than
 * its interface has (the workers beyond get no queue of it). */
unsigned sl_port_queues(const struct sl_cfg *cfg, const struct sl_dp_port *p);

/* A growable argv for rte_eal_init(). */
struct sl_argv {
	int argc;
	char *argv[128];
};

/* Appends a printf-formatted argument. Returns 0 or -E2BIG/-ENOMEM. */
int sl_argv_add(struct sl_argv *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sl_argv_free(struct sl_argv *a);

/*
 * Checks what can be checked before the EAL starts, printing one line per problem on stderr:
 * each interface exists (the caller checked root), no XDP program already attached (af_xdp), PCI devices bound to a
 * DPDK driver, the core list within the machine. Returns 0 or -1.
 */
int sl_port_precheck(const struct sl_cfg *cfg);

/*
 * Builds the EAL arguments from the dataplane section: cores, memory (hugepages when hugetlbfs
 * is mounted with free pages, else --no-huge), vdevs / PCI allow list, then @extra (raw EAL
 * arguments from the command line after "--" and from "eal" lines). Returns 0 or -errno.
 */
int sl_port_eal_args(const struct sl_cfg *cfg, const char *prog, int extra_argc,
		     char **extra_argv, struct sl_argv *out);

/*
 * After rte_eal_init(): finds the DPDK port of each configured port and fills dp->ports.
 * Returns 0 or -1 (error printed).
 */
int sl_port_discover(struct sl_dp *dp);

/* Configures @nq RX/TX queue pairs (RSS when nq > 1), MTU, promiscuous off, and starts: one
 * device with @nq queues, or the port's @nq one-queue devices in turn (af_xdp). Fills the port's
 * queue map (qdev, qnum) and, for af_xdp of several devices, each queue's socket. */
int sl_port_start(struct sl_dp *dp, unsigned idx, uint16_t nq);

/* Stops and closes every started port (detaches the AF_XDP program of af_xdp ports); closes
 * the maps of @xdp (SL_MAX_PORTS entries, by port index) when not NULL. */
struct sl_xdp_port;
void sl_port_stop_all(struct sl_dp *dp, struct sl_xdp_port *xdp);

/* Appends `show ports` output: ports, link, MAC, queues, stats and xstats. */
void sl_port_show(struct sl_dp *dp, struct sl_outbuf *out);

#endif
