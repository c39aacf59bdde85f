/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Health probes of servers, at TCP level, sent by one worker (dp->l4->probe_lcore): a SYN from
 * a local port of the probe range (the port plan's); a SYN-ACK means the server accepts connections (HAProxy's
 * L4OK; the probe then resets the half-open connection), an RST means refused (L4CON), silence
 * until the timeout means L4TOUT. This is HAProxy's default check (a TCP connect) done without
 * a TCP stack: the server sees a connection attempt that is reset after its SYN-ACK.
 *
 * The main lcore decides when to probe (controlplane/check_sched.c) and sends SL_MSG_PROBE to
 * the probing worker's command ring; results come back as SL_MSG_PROBE_RES in main's inbox.
 * No locks, no allocation on the worker.
 */
#ifndef SL_PROBE_H
#define SL_PROBE_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

struct sl_lcore;
struct sl_dp;
struct sl_ipv4_info;
struct sl_tcp_info;

#include "controlplane/cfg/portplan.h"

/* Probes in flight at most (the port plan's probe range: dp->plan, at most this many ports). */
#define SL_PROBE_SLOTS SL_PORT_PLAN_PROBE_SLOTS

enum sl_probe_status { SL_PROBE_OK, SL_PROBE_REFUSED, SL_PROBE_TIMEOUT, SL_PROBE_NO_ROOM };

/* SL_MSG_PROBE's payload (main -> probing worker) */
struct sl_probe_req {
	uint32_t ip;         /* server address, host order */
	uint16_t port;
	uint16_t id;         /* caller's server id (gidx) */
	uint32_t timeout_ms;
};

/* SL_MSG_PROBE_RES's payload (probing worker -> main) */
struct sl_probe_res {
	uint16_t id;
	uint8_t status;      /* enum sl_probe_status */
	uint8_t pad;
	uint32_t duration_ms;
};

/*
 * Creates the probe table of the probing worker and registers its role (SL_MSG_PROBE, and a
 * tick that times silent probes out). Main lcore, before the loops start, after sl_l4_init().
 * Returns 0 or -ENOMEM.
 */
int sl_probe_init(struct sl_dp *dp);
void sl_probe_fini(struct sl_dp *dp);

/*
 * Worker: a TCP segment to an owned address whose destination port is in the probe range.
 * Consumes @m (a reply to a probe of this worker, handed to the probing worker, or dropped).
 */
void sl_probe_input(struct sl_lcore *lc, uint16_t port, struct rte_mbuf *m,
		    const struct sl_ipv4_info *iph, const struct sl_tcp_info *th);

/* Whether @dport is a probe's local port (the port plan's probe range). */
static inline bool sl_probe_port(const struct sl_port_plan *plan, uint16_t dport)
{
	return dport >= plan->r[SL_PORT_PROBE].lo && dport <= plan->r[SL_PORT_PROBE].hi;
}

#endif
