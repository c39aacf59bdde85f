/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Live reconfiguration on the main lcore (SIGHUP, the `reload` command): every check that can
 * refuse runs before anything switches, then the new configuration is applied in place.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_lcore.h>

#include "controlplane/cfg/cfg.h"
#include "controlplane/cfg/cfg_reload.h"
#include "controlplane/check_sched.h"
#include "controlplane/commands.h"
#include "controlplane/daemon.h"
#include "controlplane/gen_build.h"
#include "controlplane/kpage.h"
#include "controlplane/page_render.h"
#include "controlplane/resolve.h"
#include "controlplane/resolvers.h"
#include "dataplane/core/gen.h"
#include "dataplane/core/lcore.h"
#include "dataplane/http/http.h"
#include "dataplane/tcphost/tcphost.h"
#include "proto/outbuf.h"

static void reload_diag(void *arg, enum sl_cfg_diag_level level, const char *file, int line,
			const char *msg)
{
	char pre[4200];
	sl_cfg_diag_prefix(pre, sizeof(pre), level, file, line);
	sl_outbuf_printf(arg, "%s%s\n", pre, msg);
}

/* The local port plan cannot change in a running process (connections use its ports): a new
 * configuration whose binds would move a range needs a restart. */
static int plan_check(const struct sl_dp *dp, const struct sl_cfg *nw, struct sl_outbuf *out)
{
	struct sl_port_plan p;
	char why[512];
	if (sl_port_plan_make(nw, dp->nworkers, dp->nproxies, &p, why, sizeof(why)) < 0) {
		sl_outbuf_printf(out, "%s\n", why);
		return -1;
	}
	if (memcmp(&p, &dp->plan, sizeof(p)) != 0) {
		sl_outbuf_printf(out, "reload refused: the new binds move the local port ranges (docs/config.md, Local ports); restart sluiced to apply them\n");
		return -1;
	}
	return 0;
}

/*
 * Applies the difference: a new generation (services, backends, servers, weights, timeouts;
 * counter slots kept by name, so flows, checks, counters and cookies stay with their server),
 * the checks' states carried over, the stats views, the proxy lcores' rules (they switch at
 * their next tick) and the certificates read again.
 */
static int reload_apply(struct daemon *d, struct sl_cfg *nw, bool certs, uint64_t t0,
			struct sl_outbuf *out);

int sl_reload(struct daemon *d, struct sl_outbuf *out)
{
	if (d->nretired == SL_RETIRED_MAX) {
		sl_outbuf_printf(out, "reload refused: %u earlier configurations are still used by running sessions; try again when they end\n",
				 d->nretired);
		return -1;
	}
	uint64_t t0 = rte_rdtsc();
	struct sl_cfg_opts opts = {.diag_fn = reload_diag, .diag_arg = out, .strict = d->cli.strict};
	struct sl_cfg *nw = NULL;
	int r = sl_cfg_load_files(d->cli.files, d->cli.nfiles, &opts, &nw);
	if (r == 0 && sl_resolve_cfg(nw, d->cfg, reload_diag, out) < 0) /* names: init-addr */
		r = -EINVAL;
	if (r < 0 || sl_http_check_certs(nw) > 0) {
		sl_outbuf_printf(out, "reload refused: the configuration is invalid%s; the running one keeps serving\n",
				 r < 0 ? "" : " (certificates: see sluiced's output)");
		sl_cfg_free(nw);
		return -1;
	}
	return reload_apply(d, nw, true, t0, out);
}

int sl_reload_dns(struct daemon *d, struct sl_outbuf *out)
{
	if (d->nretired == SL_RETIRED_MAX) {
		sl_outbuf_printf(out, "DNS update deferred: %u earlier configurations are still used by running sessions\n",
				 d->nretired);
		return -1;
	}
	uint64_t t0 = rte_rdtsc();
	/* the running configuration's own texts, not the files (which may have been edited
	 * since: that is a reload's business) */
	struct sl_cfg_opts opts = {.diag_fn = reload_diag, .diag_arg = out};
	struct sl_cfg *nw = NULL;
	int r = sl_cfg_parse(d->cfg->texts, d->cfg->ntexts, &opts, &nw);
	const struct sl_cfg_resolve_opts ro = {.running = d->cfg,
					       .diag_fn = reload_diag,
					       .diag_arg = out,
					       .runtime_fn = sl_resolv_server_addr,
					       .runtime_arg = d->resolv};
	if (r == 0 && sl_cfg_resolve(nw, &ro) < 0)
		r = -EINVAL;
	if (r < 0) {
		sl_outbuf_printf(out, "DNS update not applied: the configuration could not be rebuilt\n");
		sl_cfg_free(nw);
		return -1;
	}
	return reload_apply(d, nw, false, t0, out);
}

/* Applies @nw (loaded and resolved; taken over, freed when refused); @certs: read the
 * certificates again (a reload), not for a DNS update. */
static int reload_apply(struct daemon *d, struct sl_cfg *nw, bool certs, uint64_t t0,
			struct sl_outbuf *out)
{
	struct sl_dp *dp = &d->dp;
	if (sl_cfg_reload_check(d->cfg, nw, out) > 0 || sl_http_reload_check(dp, nw, out) < 0 ||
	    sl_tcphost_reload_check(dp, nw, out) < 0 || plan_check(dp, nw, out) < 0 ||
	    sl_cfg_assign_slots(d->cfg, nw, &d->slots, out) < 0) {
		sl_outbuf_printf(out, "reload refused; the running configuration keeps serving\n");
		sl_cfg_free(nw);
		return -1;
	}
	/* build what may fail before anything switches */
	dp->cfg_gen++;
	struct sl_gen *probe = NULL;
	struct sl_checks *nc = NULL;
	int gr = sl_gen_build(nw, dp, NULL, NULL, &probe);
	if (gr < 0 || (nc = sl_checks_create(dp, nw, probe, &d->gen_stats)) == NULL) {
		dp->cfg_gen--;
		sl_gen_free(probe);
		sl_outbuf_printf(out, "reload refused: %s\n",
				 gr == -ENOSPC ? "more distinct mode tcp timeout sets than a process keeps in its life (restart)" :
				 gr == -E2BIG  ? "more servers than sluiced holds" :
						 "out of memory building the new tables");
		sl_cfg_free(nw);
		return -1;
	}
	sl_gen_free(probe);
	int changes = sl_cfg_reload_summary(d->cfg, nw, out);
	d->retired[d->nretired++] = (struct retired){d->cfg, d->checks};
	dp->cfg_retired = d->nretired;
	d->cfg = nw;
	d->checks = nc;
	dp->cfg = nw;
	sl_checks_carry(nc, d->retired[d->nretired - 1].checks);
	/* main's views first (the stats pages render on main now, from these) */
	sl_ctl_set_cfg(d->ctl, nw, nc);
	sl_page_render_set_cfg(d->render, nw);
	sl_kpage_take_cfg(d->kpage, nw);
	sl_tcphost_mark_ports(dp, nw); /* before the publish: a new port's SYN finds its lcore */
	sl_checks_publish(nc);
	/* the files were read by sl_http_check_certs() above; failing now (a file changed since,
	 * a full ring) leaves the current certificates serving the applied configuration */
	if (certs)
		sl_http_reload_certs(dp, nw, "certificates not reloaded", out);
	/* the run-time resolutions follow the new servers, keeping what they knew */
	struct sl_resolv *rv = sl_resolv_create(nw, d->resolv);
	sl_resolv_destroy(d->resolv);
	d->resolv = rv;
	uint64_t us = (rte_rdtsc() - t0) * 1000000 / (dp->tsc_hz ? dp->tsc_hz : 1);
	sl_outbuf_printf(out, "%s applied: configuration %u, %d change(s), in %" PRIu64 " us\n",
			 certs ? "reload" : "DNS update", dp->cfg_gen, changes, us);
	return 0;
}

void sl_reload_free_retired(struct daemon *d)
{
	while (d->nretired > 0) {
		struct retired *r = &d->retired[--d->nretired];
		sl_checks_destroy(r->checks);
		sl_cfg_free(r->cfg);
	}
	d->dp.cfg_retired = 0;
}

void sl_reload_reap(struct daemon *d)
{
	if (d->nretired == 0)
		return;
	const struct sl_dp *dp = &d->dp;
	unsigned id;
	RTE_LCORE_FOREACH(id) {
		const struct sl_lcore *lc = dp->lcores[id];
		if (lc != NULL && (lc->roles & (SL_ROLE_WORKER | SL_ROLE_PROXY)) &&
		    __atomic_load_n(&lc->cfg_clean, __ATOMIC_ACQUIRE) != d->cfg)
			return;
	}
	sl_reload_free_retired(d);
}
