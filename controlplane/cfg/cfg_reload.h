/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Live reconfiguration, the pure part: whether a new configuration can replace the running one
 * in place, what it changes, and the counter slots that keep a proxy's or a server's counters
 * (and a server's flows, checks and persistence) attached to it by name across reloads.
 *
 * The running process applies the rest (controlplane/reload.c: a new generation, the checks'
 * states carried over by slot, the lcores' switch at their next loop iteration).
 */
#ifndef SL_CFG_RELOAD_H
#define SL_CFG_RELOAD_H

#include <stdbool.h>
#include <stdint.h>

struct sl_cfg;
struct sl_proxy;
struct sl_outbuf;

#define SL_PX_SLOTS 1024  /* proxies (frontends, backends, listens) a process counts at once */
#define SL_SRV_SLOTS 4096 /* servers: as many as the generation counts (SL_MAX_SERVERS, dataplane/core/gen.h) */

/* Where the next fresh slot is looked for (kept by the caller from one reload to the next, so a
 * slot freed by a removal is reused only after the others: its counters are stale). */
struct sl_slots {
	uint32_t next_px, next_srv;
};

/*
 * Gives every proxy and server of @nw its counter slot: the slot of the proxy of @old with the
 * same name and capabilities (a server: same backend, same name), else a free one. @old NULL:
 * the first configuration (slots in file order). Returns 0, or -E2BIG with the reason in @why
 * when more than SL_PX_SLOTS proxies or SL_SRV_SLOTS servers would be needed.
 */
int sl_cfg_assign_slots(const struct sl_cfg *old, struct sl_cfg *nw, struct sl_slots *st,
			struct sl_outbuf *why);

/*
 * Whether @nw can replace @old in the running process. What cannot change live is written to
 * @why, one line each naming the file, line and keyword where it can: the dataplane section
 * (ports, addresses, routes, cores, memory, flows, services), global maxconn, nbthread,
 * tune.bufsize and the stats sockets, the ports of stats pages and of `ssl` binds, and the
 * first HTTP frontend of a process that had none (plain HTTP frontends' ports may come and
 * go). Returns the number of such differences (0: applicable).
 */
int sl_cfg_reload_check(const struct sl_cfg *old, const struct sl_cfg *nw, struct sl_outbuf *why);

/*
 * Writes what @nw changes against @old, one line each ("backend X added", "server B/S removed",
 * "server B/S weight 10 -> 20", ...). Slots must be assigned. Returns the number of lines.
 */
int sl_cfg_reload_summary(const struct sl_cfg *old, const struct sl_cfg *nw, struct sl_outbuf *out);

/* Whether @px is a stats page only (`listen stats` without traffic of its own): its binds are
 * served by the stats page, not by the HTTP proxy. */
bool sl_cfg_stats_only(const struct sl_proxy *px);

#endif
