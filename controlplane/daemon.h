/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The main lcore's state: what sluiced's start-up steps build (controlplane/sluiced.c) and live
 * reconfiguration changes (controlplane/reload.c). Main lcore only.
 */
#ifndef SL_DAEMON_H
#define SL_DAEMON_H

#include <stdbool.h>
#include <stdint.h>

#include "controlplane/gen_build.h"
#include "controlplane/ports.h"
#include "controlplane/xdp_steer.h"
#include "dataplane/core/dp.h"

struct sl_cfg;
struct sl_checks;
struct sl_ctl;
struct sl_kpage;
struct sl_outbuf;
struct sl_page_render;
struct sl_resolv;

/* The command line. */
struct cli {
	const char **files;
	int nfiles;
	bool check, dump, quiet;
	bool strict; /* --strict: every configuration warning is an error (also at reloads) */
	int eal_argc;
	char **eal_argv;
};

#define SL_RETIRED_MAX 8 /* configurations replaced by reloads, kept while sessions use them */

/* A configuration a reload replaced, with the check states built from it (HTTP checks in
 * flight may still read their requests): freed once no lcore refers to it. */
struct retired {
	struct sl_cfg *cfg;
	struct sl_checks *checks;
};

struct daemon {
	struct cli cli;
	struct sl_cfg *cfg;
	struct sl_argv eal;
	char file_prefix[64];
	bool eal_up;
	int lock_fds[SL_MAX_PORTS]; /* one flock per port (step_lock) */
	unsigned nlocks;
	char *pidfile; /* global `pidfile` as written at start (step_pidfile), or NULL */
	struct sl_dp dp;
	const struct rte_memzone *ctr_mz;
	struct sl_ctl *ctl;
	struct sl_checks *checks;
	struct sl_page_render *render; /* stats pages' answers */
	struct sl_kpage *kpage;        /* stats pages on kernel addresses */
	struct sl_gen_stats gen_stats; /* the last generation's build (`show l4`) */
	struct sl_xdp_port xdp[SL_MAX_PORTS]; /* sluice's XDP program on each port */
	uint64_t tickets_rotated_ms;
	struct sl_slots slots; /* where fresh counter slots are looked for */
	struct sl_resolv *resolv; /* run-time DNS (controlplane/resolvers.c); NULL: none */
	uint64_t resolv_polled_ms;
	struct retired retired[SL_RETIRED_MAX];
	unsigned nretired;
	short saved_flags[SL_MAX_PORTS]; /* interface flags before start (promiscuity) */
	bool flags_saved[SL_MAX_PORTS];
};

/*
 * SIGHUP and the `reload` command: reads the configuration files again, validates them
 * completely, refuses what cannot change in a running process, then applies the difference.
 * Nothing running is interrupted; a refused reload changes nothing. Returns 0 when applied, -1
 * when refused (the reasons in @out).
 */
int sl_reload(struct daemon *d, struct sl_outbuf *out);

/*
 * The run-time resolvers found a server whose address changes: rebuilds the running
 * configuration from its own texts with the addresses sl_resolv_server_addr() gives, and
 * applies it as a reload does (new tables published, counters and states kept; certificates
 * not read again). Returns 0 when applied, -1 when not (reasons in @out).
 */
int sl_reload_dns(struct daemon *d, struct sl_outbuf *out);

/* Frees the configurations reloads replaced once every lcore is clean of them. */
void sl_reload_reap(struct daemon *d);

/* Frees every replaced configuration (at exit). */
void sl_reload_free_retired(struct daemon *d);

#endif
