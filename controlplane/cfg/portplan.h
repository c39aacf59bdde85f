/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The port plan: the one place that says which local TCP ports of sluice's addresses each part
 * of sluice uses for the connections it opens.
 *
 * sluice owns every port of its addresses (no kernel shares them), and a bind or a built-in
 * service on one address takes its port on every address for this plan: the ranges below are the
 * same on all of them. Four uses open connections and need local ports of their own, each a
 * contiguous range split evenly among the lcores of that use:
 *
 *   use                        default place   split                         minimum
 *   L4 full-NAT source ports   32768-60999     28232 / workers               64 per worker
 *   HTTP server-side ports     16384-32767     16384 / proxy lcores          64 per proxy lcore
 *   L4 health probes           61000-62023     1024, all the first worker's  64
 *   HTTP health checks         62100-65535     64 per proxy lcore (fewer     16 per proxy lcore
 *                                              past 53 proxy lcores)
 *
 * The replies to these connections come back to these ports, and the worker that receives one
 * steers it by its destination port alone (RSS does not know which lcore opened it), so a bind
 * inside a range would be taken for replies and replies for clients. sl_port_plan_make() keeps
 * every range clear of every bind: docs/config.md, "Local ports", says how.
 *
 * Pure: no DPDK, no global state. A plan is made on the main lcore and is read-only once handed
 * to the lcores; the inline helpers are what the packet path calls (any lcore).
 */
#ifndef SL_PORTPLAN_H
#define SL_PORTPLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "controlplane/cfg/cfg-t.h"

/* Lcores of one use at most: RTE_MAX_LCORE of Debian's DPDK 22.11. */
#define SL_PORT_PLAN_MAX_LCORES 128

/* Table sizes the engines index by (port - range lo): a span never exceeds them. */
#define SL_PORT_PLAN_PROBE_SLOTS 1024 /* probes in flight, the probing worker's table */
#define SL_PORT_PLAN_CHECK_SLOTS 64   /* HTTP checks in flight per proxy lcore */

/*
 * Fewest ports an lcore may get (see docs/config.md for why each): a plan that cannot give
 * them is refused.
 */
#define SL_PORT_PLAN_MIN_L4    64 /* a new L4 flow tries 64 ports of its worker's slice */
#define SL_PORT_PLAN_MIN_HTTP  64 /* concurrent connections to one server, per proxy lcore */
#define SL_PORT_PLAN_MIN_PROBE 64 /* probes in flight */
#define SL_PORT_PLAN_MIN_CHECK 16 /* HTTP checks in flight per proxy lcore */

/* A moved range never goes below this: the well-known ports (RFC 6335, section 6), which some
 * servers and firewalls treat as privileged source ports. */
#define SL_PORT_PLAN_FLOOR 1024

/* What a local port is for. The order is the index of struct sl_port_plan's ranges. */
enum sl_port_use {
	SL_PORT_L4_NAT,	     /* source port of a full-NAT flow's server side; owner: a worker */
	SL_PORT_HTTP_SERVER, /* local port of a proxy lcore's server connection; owner: a proxy */
	SL_PORT_PROBE,	     /* local port of an L4 health probe; owner: the first worker */
	SL_PORT_HTTP_CHECK,  /* local port of an HTTP health check; owner: a proxy lcore */
	SL_PORT_NONE,	     /* none of the above: a bind, a service, or nobody's */
};
#define SL_PORT_NUSES SL_PORT_NONE

/*
 * One use's ports: [lo, hi], split into @nlcores slices of @span ports; slice i (the lcore of
 * index i among the use's lcores: worker_idx for L4 and probes, proxy_idx for HTTP and checks)
 * is [lo + i * span, lo + (i + 1) * span - 1]. hi is always lo + nlcores * span - 1 (what the
 * division leaves over is not in the range), so every port of a range has one owner.
 */
struct sl_port_range {
	uint16_t lo;
	uint16_t hi;
	uint16_t span;	  /* >= the use's minimum */
	uint16_t nlcores; /* 1 for probes */
};

/* The whole plan: ranges indexed by enum sl_port_use, pairwise disjoint, inside 1..65535. */
struct sl_port_plan {
	struct sl_port_range r[SL_PORT_NUSES];
};

/*
 * Makes the plan for @cfg run with @nworkers workers and @nproxies proxy lcores (each
 * 1..SL_PORT_PLAN_MAX_LCORES). Every port of every bind (each frontend and listen, mode tcp and
 * http, stats pages included, on any address) and of every dataplane `service` is kept out of
 * every range. A range stays at its default place unless one of those ports falls inside; then
 * it moves (docs/config.md, "Local ports"). @cfg NULL: no bind, every range at its default.
 *
 * Returns 0 with *@out set; -EINVAL for a count outside 1..SL_PORT_PLAN_MAX_LCORES; -ENOSPC when
 * no placement gives every lcore its minimum. On failure *@out is zeroed and @why (size @whylen,
 * truncated, may be NULL) says why; a refusal for lack of room begins with the "FILE:LINE: " of
 * the first bind or service (file order) inside a default range, and names its ports, that
 * range's use, and the room the use needs. Any thread; @cfg is only read.
 */
int sl_port_plan_make(const struct sl_cfg *cfg, unsigned nworkers, unsigned nproxies,
		      struct sl_port_plan *out, char *why, size_t whylen);

/*
 * The same, for the configuration parser, whose diagnostics carry their place themselves: the
 * place goes to *@at (file NULL when the refusal names no line) and @why does not begin with it.
 */
int sl_port_plan_make_at(const struct sl_cfg *cfg, unsigned nworkers, unsigned nproxies,
			 struct sl_port_plan *out, struct sl_cfg_loc *at, char *why, size_t whylen);

/*
 * The lcore counts that @cfg's dataplane section implies, as sluiced assigns roles: main is an
 * lcore on the first core of `cores`; with one core it is also the only worker and proxy lcore.
 * With more, every worker is a proxy lcore too (so *@nworkers == *@nproxies) and there is one
 * on each core but main's, plus one beside main on the first core when main shares it
 * (sl_port_plan_main_shares()). No dataplane section or no `cores` line: one core.
 */
void sl_port_plan_lcores(const struct sl_cfg *cfg, unsigned *nworkers, unsigned *nproxies);

/*
 * Whether main's lcore shares the first core of `cores` with a worker's (`control shared`, the
 * default with exactly two cores), so that every core forwards; false with one core (main is the
 * worker), with `control own`, and with `cores LIST on CPULIST` (its lcores are placed there).
 */
bool sl_port_plan_main_shares(const struct sl_cfg *cfg);

/* A bind or a dataplane service, as the plan sees it: which ports it takes, and where it is. */
struct sl_port_occupant {
	const char *kw; /* "bind" or "service" */
	uint16_t lo, hi;
	struct sl_cfg_loc loc;
};

/*
 * The first bind (proxies and their binds in configuration order), else the first dataplane
 * service, with a port inside [@lo, @hi]: returns true with *@o set, false when there is none.
 * For messages: why a range is not at its default place, or cannot be placed.
 */
bool sl_port_plan_occupant(const struct sl_cfg *cfg, uint16_t lo, uint16_t hi,
			   struct sl_port_occupant *o);

/* What @u is, for messages: "L4 full-NAT source ports", ... ("none" for SL_PORT_NONE). */
const char *sl_port_plan_use_name(enum sl_port_use u);
/* What @u's lcores are, for messages: "worker" or "proxy lcore" ("none" for SL_PORT_NONE). */
const char *sl_port_plan_lcore_name(enum sl_port_use u);

/* ------------------------------------------------------------------ packet path */

/* What destination port @port of an owned address is for: a use, or SL_PORT_NONE. */
static inline enum sl_port_use sl_port_plan_use(const struct sl_port_plan *plan, uint16_t port)
{
	for (unsigned u = 0; u < SL_PORT_NUSES; u++)
		if (port >= plan->r[u].lo && port <= plan->r[u].hi)
			return (enum sl_port_use)u;
	return SL_PORT_NONE;
}

/*
 * The lcore of use @u (< SL_PORT_NUSES) that owns @port: its index among the use's lcores
 * (worker_idx, proxy_idx), or -1 when @port is not in @u's range. The inverse of
 * sl_port_plan_slice().
 */
static inline int sl_port_plan_owner(const struct sl_port_plan *plan, enum sl_port_use u,
				     uint16_t port)
{
	const struct sl_port_range *r = &plan->r[u];
	if (port < r->lo || port > r->hi)
		return -1;
	return (int)((unsigned)(port - r->lo) / r->span);
}

/* Slice @idx (< the use's nlcores) of use @u (< SL_PORT_NUSES): *@lo..*@hi. */
static inline void sl_port_plan_slice(const struct sl_port_plan *plan, enum sl_port_use u,
				      unsigned idx, uint16_t *lo, uint16_t *hi)
{
	const struct sl_port_range *r = &plan->r[u];
	*lo = (uint16_t)(r->lo + idx * r->span);
	*hi = (uint16_t)(*lo + r->span - 1);
}

#endif
