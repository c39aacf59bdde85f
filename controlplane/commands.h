/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The daemon's side of the stats socket: the commands that read the running dataplane
 * (`show info`, `show stat`, `show ports`, `show lcores`, `show drops`, `show counters`,
 * `show neigh`), served on the main lcore by controlplane/stats/stats_sock.c.
 */
#ifndef SL_CTL_H
#define SL_CTL_H

#include <stddef.h>

#include "dataplane/core/dp.h"

struct sl_ctl;
struct sl_cfg;
struct sl_checks;

/*
 * Opens every `stats socket` of the configuration's global section; server state commands go
 * through @checks. Returns the control state
 * (also when no socket is configured), or NULL after printing why a socket could not be opened.
 * Main lcore only.
 */
struct sl_ctl *sl_ctl_open(struct sl_dp *dp, const struct sl_cfg *cfg, struct sl_checks *checks);

/* The `reload` command calls @fn (main lcore; it writes its report to @out). */
struct sl_outbuf;
void sl_ctl_on_reload(struct sl_ctl *ctl, int (*fn)(void *arg, struct sl_outbuf *out), void *arg);

/* A reload: the rows come from @cfg and @checks from now on (`clear counters all` forgotten). */
void sl_ctl_set_cfg(struct sl_ctl *ctl, const struct sl_cfg *cfg, struct sl_checks *checks);

/* Once a second (main lcore; called more often, it returns at once): samples the counters for
 * the rates of `show stat` (rate, req_rate, their maxima) and the lcores' busy share and packet
 * rates of the stats page. */
void sl_ctl_sample(struct sl_ctl *ctl);

/* The dataplane's figures for the stats page and the Prometheus exposition: every counter summed
 * over the lcores, each lcore's role, busy share and packet rates of the last sample, the flow
 * tables' fill. Any lcore (reads only). */
#include <rte_lcore.h>
#include "controlplane/stats/stats_prom.h"
#include "dataplane/core/counters.h"
#include "dataplane/xdp/sl_xdp.h"
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
 * with sl_stats_rows_free()). Any lcore: the counters are read as they are, the server states
 * of the main lcore as well (a display may mix two moments). Returns 0 or -ENOMEM.
 */
struct sl_stats_row;
int sl_ctl_stats_rows(const struct sl_ctl *ctl, struct sl_stats_row **rows, size_t *n);

/* Closes the sockets (and removes their files). NULL is accepted. */
void sl_ctl_close(struct sl_ctl *ctl);

#endif
