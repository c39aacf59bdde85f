/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Building and publishing generations (dataplane/core/gen.h), on the main lcore: the services
 * of `mode tcp` frontends, every backend's servers in rotation with their Maglev table and
 * smooth weighted round-robin schedule, from the configuration and the servers' run-time
 * states (checks, the stats socket's admin commands and weights).
 */
#ifndef SL_GEN_BUILD_H
#define SL_GEN_BUILD_H

#include <stdint.h>

struct sl_cfg;
struct sl_dp;
struct sl_gen;

/* The last rebuild of the generation (checks, admin commands, reloads): `show l4`. Main only. */
struct sl_gen_stats {
	uint64_t n;              /* generations published since start */
	unsigned servers;        /* counter slots of the last one */
	uint64_t build_cycles;   /* TSC cycles building it (server lists, Maglev, schedules) */
	uint64_t publish_cycles; /* ... publishing it: the swap and the RCU grace period */
};

/*
 * Builds the generation for @cfg (main lcore; allocates with malloc). @state, when not NULL,
 * holds one SL_SRV_RT_* byte per server counter slot (gidx); @weights, when not NULL, a weight
 * per slot (SL_SRV_WEIGHT_CFG: the configuration's). A server of weight 0 drains. Timeout
 * profiles the generation needs are interned in dp->tmo (appended, never changed). Returns 0
 * with *@out set, or -ENOMEM, -E2BIG (more than SL_MAX_SERVERS servers) or -ENOSPC (more than
 * SL_TMO_PROFILES distinct timeout profiles in the process's life), the error printed.
 */
int sl_gen_build(const struct sl_cfg *cfg, struct sl_dp *dp, const uint8_t *state,
		 const uint16_t *weights, struct sl_gen **out);

/*
 * Publishes @g as the generation the packet lcores use, waits until every worker and proxy
 * lcore has passed a quiescent state (RCU: at most a loop iteration, ~1 ms when idle), then
 * frees the previous one. Flows never depend on a generation, so none moves. Main lcore; @self
 * is its lcore id.
 */
void sl_gen_publish(struct sl_dp *dp, struct sl_gen *g, unsigned self);

/* Frees a generation (main lcore, after no lcore can see it). NULL is accepted. */
void sl_gen_free(struct sl_gen *g);

#endif
