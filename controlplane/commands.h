/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The daemon's side of the stats socket, on the main lcore: the commands that read and steer the
 * running dataplane (`show info|stat|sess|pools|errors|servers state|ports|lcores|drops|
 * counters|neigh|l4|tcp|http`, `clear counters`, server states and weights, `shutdown sessions`,
 * `reload [certs]`), served by controlplane/stats/stats_sock.c; the rows of `show stat` with the
 * live counters, rates and maxima sampled once a second, which the stats pages render too; DPDK
 * telemetry.
 *
 * Everything here runs on the main lcore (the telemetry callbacks excepted: DPDK's thread, which
 * reads only the per-lcore counters and the last sample, swapped under a mutex). Lcores' state
 * is read only through their counters, or asked for (controlplane/query.h).
 */
#ifndef SL_COMMANDS_H
#define SL_COMMANDS_H

#include <stddef.h>

#include <rte_lcore.h>

#include "controlplane/stats/stats_prom.h"
#include "dataplane/core/counters.h"
#include "dataplane/xdp/sl_xdp.h"

struct sl_ctl;
struct sl_cfg;
struct sl_checks;
struct sl_dp;
struct sl_gen_stats;
struct sl_outbuf;
struct sl_stats_row;
struct sl_xdp_port;

/*
 * Opens every `stats socket` of the configuration's global section; server state commands go
 * through @checks; @xdp (the ports' XDP programs, SL_MAX_PORTS entries, or NULL) and
 * @gen_stats are read for `show drops` and `show l4`. Returns the control state (also when no
 * socket is configured), or NULL after printing why a socket could not be opened. Main lcore.
 */
struct sl_ctl *sl_ctl_open(struct sl_dp *dp, const struct sl_cfg *cfg, struct sl_checks *checks,
			   const struct sl_xdp_port *xdp, const struct sl_gen_stats *gen_stats);

/* The `reload` command calls @fn (main lcore; it writes its report to @out and returns 0 when
 * applied). */
void sl_ctl_on_reload(struct sl_ctl *ctl, int (*fn)(void *arg, struct sl_outbuf *out), void *arg);
/* What `show resolvers` prints: @fn(@arg, out) on main. */
void sl_ctl_on_show_resolvers(struct sl_ctl *ctl, void (*fn)(void *arg, struct sl_outbuf *out),
			      void *arg);

/* A reload: the rows come from @cfg and @checks from now on (`clear counters all` forgotten). */
void sl_ctl_set_cfg(struct sl_ctl *ctl, const struct sl_cfg *cfg, struct sl_checks *checks);

/* Once a second (main lcore; called more often, it returns at once): samples the counters for
 * the rates of `show stat` (rate, req_rate, their maxima) and the lcores' busy share and packet
 * rates of the stats page. */
void sl_ctl_sample(struct sl_ctl *ctl);

/* The dataplane's figures for the stats page and the Prometheus exposition: every counter summed
 * over the lcores, each lcore's role, busy share and packet rates of the last sample, the flow
 * tables' fill. Main lcore. */
struct sl_ctl_dpview {
	struct sl_stats_prom_counter ctr[SL_CTR_MAX + SL_XDP_NCTR];
	struct sl_stats_prom_lcore lc[RTE_MAX_LCORE];
	struct sl_stats_prom_dp dp; /* points into the two arrays above */
};
void sl_ctl_dpview(const struct sl_ctl *ctl, struct sl_ctl_dpview *v);

/* Serves whatever is ready on the sockets without waiting. Main lcore only. NULL is accepted. */
void sl_ctl_poll(struct sl_ctl *ctl);

/*
 * Builds the `show stat` rows with the live counters and server states (the caller frees them
 * with sl_stats_rows_free()). Main lcore: the counters are read as they are (a display may mix
 * two moments). Returns 0 or -ENOMEM.
 */
int sl_ctl_stats_rows(const struct sl_ctl *ctl, struct sl_stats_row **rows, size_t *n);

struct sl_logger;
/* Main's event logger (its dropped lines count in DroppedLogs); NULL: none. */
void sl_ctl_set_logger(struct sl_ctl *ctl, const struct sl_logger *lg);

/* Log lines lost (HAProxy's DroppedLogs): what `show info`, `show drops`, the stats page and
 * the Prometheus exposition show. Main lcore. */
uint64_t sl_dropped_logs_total(const struct sl_ctl *ctl);

/* The checks' state the commands use (the admin forms of the stats pages apply through it). */
struct sl_checks *sl_ctl_checks(const struct sl_ctl *ctl);

/* Closes the sockets (and removes their files). NULL is accepted. */
void sl_ctl_close(struct sl_ctl *ctl);

#endif
