/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The run-to-completion loop every lcore runs: its receive queues (frames to the receive path,
 * dataplane/loop/rx.c), the frames other lcores handed it, its transmit buffers, and once a
 * millisecond the table of roles the engines registered on it (dataplane/core/lcore.h): the
 * configuration followed, the commands of its ring handed out, the roles' ticks.
 */
#ifndef SL_LOOP_H
#define SL_LOOP_H

struct sl_dp;
struct sl_lcore;

/* Called by the loop of the main lcore about every millisecond (stats socket, signals). */
typedef void (*sl_main_hook_fn)(struct sl_dp *dp, void *arg);

/*
 * The loop of @lc. Returns 0 when dp->quit is set. On the main lcore, @hook runs once a
 * millisecond after the roles' ticks; on other lcores it is NULL.
 */
int sl_loop_run(struct sl_lcore *lc, sl_main_hook_fn hook, void *hook_arg);

/* Entry point for rte_eal_remote_launch(): sl_loop_run() without a hook. */
int sl_loop_main(void *arg);

/*
 * What an lcore does for its roles once a millisecond, without receiving: follows the
 * published generation's configuration, hands out its ring's commands, runs the ticks. The loop
 * calls it; main calls it for its own lcore when it must wait for its own roles' answer (a query
 * to itself). The lcore's own.
 */
void sl_loop_roles(struct sl_lcore *lc);

#endif
