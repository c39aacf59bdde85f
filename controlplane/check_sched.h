/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Health checks of the servers, on the main lcore: controlplane/check/check.c decides when to
 * check and what results mean; TCP checks go to the probing worker (dataplane/l4/probe.c) and
 * HTTP checks to a proxy lcore (dataplane/tcphost/httpchk.c) as commands, their results come
 * back through main's inbox; every state change becomes a new generation (RCU) and, with
 * `on-marked-down shutdown-sessions`, a reset of the server's flows and sessions. Admin states
 * set from the stats socket or page (maint/drain/ready) go through the same per-server state.
 */
#ifndef SL_CHECKS_H
#define SL_CHECKS_H

#include <stddef.h>

#include "controlplane/check/check.h"

struct sl_dp;
struct sl_cfg;
struct sl_outbuf;
struct sl_stats_row;

struct sl_checks;

struct sl_gen;
struct sl_gen_stats;
struct sl_msg;

/* Creates the check state of every server of generation @l4 (built from @cfg) and schedules
 * the first checks; each republish records its figures in @gen_stats (may be NULL). Main lcore,
 * after the generation step. NULL when out of memory. */
struct sl_checks *sl_checks_create(struct sl_dp *dp, const struct sl_cfg *cfg,
				   const struct sl_gen *l4, struct sl_gen_stats *gen_stats);

/* A result from the inbox (SL_MSG_PROBE_RES, SL_MSG_HCHECK_RES): the server's state follows;
 * a change is published at the next tick. Main lcore. */
void sl_checks_msg(struct sl_checks *c, const struct sl_msg *m);

/*
 * A reload: @c was created for the new configuration; every server that @old (the running
 * one's) also has, by counter slot and name, keeps its state, counters and a weight set at run
 * time (sl_check_srv_carry). Publishes nothing: sl_checks_publish() does.
 */
void sl_checks_carry(struct sl_checks *c, const struct sl_checks *old);

/* Builds the generation from @c's configuration and server states and publishes it (RCU). */
void sl_checks_publish(struct sl_checks *c);
void sl_checks_destroy(struct sl_checks *c);

struct sl_logger;
/* Event logs of server state changes go to @lg's targets (NULL: none). */
void sl_checks_set_logger(struct sl_checks *c, struct sl_logger *lg);

/* Once a millisecond on the main lcore: state changes out, due checks out. */
void sl_checks_tick(struct sl_checks *c);

/*
 * `set server B/S state ready|drain|maint` (and enable/disable server): applies the admin
 * state, republishes when it changed. Returns 0, or -ENOENT when @gidx is out of range.
 */
int sl_checks_set_admin(struct sl_checks *c, int gidx, enum sl_check_admin_cmd cmd);

/* `set server B/S weight N` (0..256): a new generation with that weight; 0 drains the server
 * (no new traffic, clients persisting by cookie still reach it). Returns 0 or -EINVAL. */
int sl_checks_set_weight(struct sl_checks *c, int gidx, int weight);

/* `show servers state`: HAProxy's format (version 1), the columns sluice keeps. */
struct sl_outbuf;
void sl_checks_show_servers_state(struct sl_checks *c, struct sl_outbuf *out);

/* Fills the status and check columns of the server rows of mode tcp backends. */
void sl_checks_fill_rows(struct sl_checks *c, struct sl_stats_row *rows, size_t n);

#endif
