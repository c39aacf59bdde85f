/* SPDX-License-Identifier: BSD-3-Clause */
#include "dataplane/ctl.h"
#include "dataplane/httpx.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_lcore.h>
#include <rte_version.h>

#include "controlplane/cfg.h"
#include "controlplane/cfg_reload.h"
#include "controlplane/cli.h"
#include "controlplane/outbuf.h"
#include "controlplane/stats_model.h"
#include "controlplane/stats_sock.h"
#include "dataplane/checks.h"
#include "dataplane/port.h"
#include "dataplane/proxy.h"

#define SL_CTL_MAX_SOCKS 8

struct sl_ctl {
	struct sl_dp *dp;
	const struct sl_cfg *cfg;
	struct sl_stats_sock *socks[SL_CTL_MAX_SOCKS];
	unsigned nsocks;
	uint64_t start_sec;
	struct sl_checks *checks; /* server states (checks and admin) */
	/* `clear counters all`: the cumulative columns' values then, by row; read by the stats
	 * pages on proxy lcores too, so a replaced one is freed only at the next replacement */
	struct ctl_base *base, *base_old;
	int (*reload)(void *arg, struct sl_outbuf *out); /* `reload` (set by main) */
	void *reload_arg;
};

struct ctl_base {
	size_t n; /* rows */
	uint64_t v[];
};

/* The cumulative columns `clear counters all` sets back to zero (HAProxy's "all" counters;
 * gauges such as scur, states and check results stay). */
static const int cleared_cols[] = {
	SL_ST_STOT,	SL_ST_BIN,	SL_ST_BOUT,	  SL_ST_DREQ,	    SL_ST_DRESP,
	SL_ST_EREQ,	SL_ST_ECON,	SL_ST_ERESP,	  SL_ST_WRETR,	    SL_ST_WREDIS,
	SL_ST_CHKFAIL,	SL_ST_CHKDOWN,	SL_ST_LBTOT,	  SL_ST_HRSP_1XX,   SL_ST_HRSP_2XX,
	SL_ST_HRSP_3XX, SL_ST_HRSP_4XX, SL_ST_HRSP_5XX,	  SL_ST_HRSP_OTHER, SL_ST_REQ_TOT,
	SL_ST_CLI_ABRT, SL_ST_SRV_ABRT,
};
#define NCLEARED (sizeof(cleared_cols) / sizeof(cleared_cols[0]))

/* Sum of one counter over every lcore. */
static uint64_t ctr_sum(const struct sl_dp *dp, enum sl_ctr c)
{
	uint64_t s = 0;
	unsigned id;
	RTE_LCORE_FOREACH(id)
		s += dp->ctrs[id].c[c];
	return s;
}

/* HAProxy's `show info` fields (so existing tooling parses it), filled with what sluice knows. */
static int cmd_show_info(void *arg, int argc, char **argv, struct sl_outbuf *out)
{
	struct sl_ctl *ctl = arg;
	const struct sl_dp *dp = ctl->dp;
	uint64_t up = sl_dp_now_ms(dp) / 1000;
	char uptime[64], build[128];
	snprintf(uptime, sizeof(uptime), "%" PRIu64 "d %" PRIu64 "h%02" PRIu64 "m%02" PRIu64 "s",
		 up / 86400, up / 3600 % 24, up / 60 % 60, up % 60);
	snprintf(build, sizeof(build), "sluice %s on %s", SL_VERSION, rte_version());
	struct sl_stats_info inf;
	sl_stats_info_init(&inf);
	sl_stats_info_set_str(&inf, SL_INF_NAME, "sluice");
	sl_stats_info_set_str(&inf, SL_INF_VERSION, SL_VERSION);
	sl_stats_info_set_str(&inf, SL_INF_RELEASE_DATE, "");
	sl_stats_info_set_u(&inf, SL_INF_NBTHREAD, rte_lcore_count());
	sl_stats_info_set_u(&inf, SL_INF_NBPROC, 1);
	sl_stats_info_set_u(&inf, SL_INF_PROCESS_NUM, 1);
	sl_stats_info_set_u(&inf, SL_INF_PID, (uint64_t)getpid());
	sl_stats_info_set_str(&inf, SL_INF_UPTIME, uptime);
	sl_stats_info_set_u(&inf, SL_INF_UPTIME_SEC, up);
	sl_stats_info_set_u(&inf, SL_INF_MAXCONN, (uint64_t)ctl->cfg->global.maxconn);
	sl_stats_info_set_u(&inf, SL_INF_HARD_MAXCONN, (uint64_t)ctl->cfg->global.maxconn);
	sl_stats_info_set_u(&inf, SL_INF_BUSY_POLLING, dp->poll_mode);
	sl_stats_info_set_u(&inf, SL_INF_TOTAL_BYTES_OUT, ctr_sum(dp, SL_CTR_TX_BYTES));
	sl_stats_info_set_u(&inf, SL_INF_START_TIME_SEC, ctl->start_sec);
	sl_stats_info_set_str(&inf, SL_INF_BUILD_INFO, build);
	int r = sl_stats_cmd_show_info(&inf, argc, argv, out);
	sl_stats_info_free(&inf);
	return r;
}

/* Adds @v to a u64 column of @r. */
static void add_u(struct sl_stats_row *r, int col, uint64_t v)
{
	if (r != NULL)
		sl_stats_set_u(r, col, sl_stats_get_u(r, col) + v);
}

/*
 * L4 counters into the rows: per server from every worker's block, summed into its backend and
 * the frontends that use it (scur, stot, bin, bout; HAProxy's meaning of each).
 */
static void fill_l4(const struct sl_dp *dp, struct sl_stats_row *rows, size_t n)
{
	const struct sl_l4_conf *c = dp->l4;
	if (c == NULL)
		return;
	for (unsigned bi = 0; bi < c->nbackends; bi++) {
		const struct sl_l4_backend *b = &c->backends[bi];
		struct sl_stats_row *brow = sl_stats_find(rows, n, b->name, "BACKEND");
		uint64_t bt[4] = {0};
		for (unsigned i = 0; i < b->nservers; i++) {
			uint64_t v[4] = {0};
			for (unsigned k = 0; k < dp->nworkers; k++) {
				const struct sl_srv_ctrs *sc =
					&dp->lcores[dp->worker_ids[k]]->l4.srv[b->servers[i].gidx];
				v[0] += sc->stot - sc->ended;
				v[1] += sc->stot;
				v[2] += sc->bin;
				v[3] += sc->bout;
			}
			struct sl_stats_row *r = sl_stats_find(rows, n, b->name, b->servers[i].name);
			add_u(r, SL_ST_SCUR, v[0]);
			add_u(r, SL_ST_STOT, v[1]);
			add_u(r, SL_ST_BIN, v[2]);
			add_u(r, SL_ST_BOUT, v[3]);
			for (int k = 0; k < 4; k++)
				bt[k] += v[k];
		}
		add_u(brow, SL_ST_SCUR, bt[0]);
		add_u(brow, SL_ST_STOT, bt[1]);
		add_u(brow, SL_ST_BIN, bt[2]);
		add_u(brow, SL_ST_BOUT, bt[3]);
		for (unsigned s = 0; s < c->nservices; s++) {
			if (c->services[s].backend != bi)
				continue;
			struct sl_stats_row *f = sl_stats_find(rows, n, c->services[s].frontend, "FRONTEND");
			add_u(f, SL_ST_SCUR, bt[0]);
			add_u(f, SL_ST_STOT, bt[1]);
			add_u(f, SL_ST_BIN, bt[2]);
			add_u(f, SL_ST_BOUT, bt[3]);
			break; /* one frontend's share is not known per service: count it once */
		}
	}
}

/*
 * HTTP counters into the rows, summed over the proxy lcores: frontends' sessions (scur, stot),
 * req_tot, hrsp_* and ereq; backends' req_tot and hrsp_*; servers' hrsp_* (their scur and stot
 * come with the L4 counters: the proxy counts its server connections there).
 */
static void fill_http(const struct sl_dp *dp, struct sl_stats_row *rows, size_t n)
{
	const struct sl_cfg *cfg = dp->cfg;
	unsigned npx = SL_PX_SLOTS + 1;
	struct sl_hx_pxctr *sum = calloc(npx, sizeof(*sum));
	uint64_t(*srv)[6] = calloc(SL_L4_MAX_SERVERS, sizeof(*srv));
	if (sum == NULL || srv == NULL)
		goto out;
	bool any = false;
	for (unsigned i = 0; i < dp->nproxies; i++) {
		const struct sl_lcore *lc = dp->lcores[dp->proxy_ids[i]];
		if (lc->hx != NULL) {
			sl_httpx_sum(lc, sum, npx, srv);
			any = true;
		}
	}
	if (!any)
		goto out;
	static const int hcol[6] = {SL_ST_HRSP_1XX, SL_ST_HRSP_2XX, SL_ST_HRSP_3XX,
				    SL_ST_HRSP_4XX, SL_ST_HRSP_5XX, SL_ST_HRSP_OTHER};
	for (const struct sl_proxy *px = cfg->proxies; px != NULL; px = px->next) {
		if (px->slot <= 0 || (unsigned)px->slot >= npx || px->mode != SL_MODE_HTTP)
			continue;
		const struct sl_hx_pxctr *c = &sum[px->slot];
		if (px->cap & SL_CAP_FE) {
			struct sl_stats_row *f = sl_stats_find(rows, n, px->name, "FRONTEND");
			add_u(f, SL_ST_SCUR, c->stot - c->ended);
			add_u(f, SL_ST_STOT, c->stot);
			add_u(f, SL_ST_REQ_TOT, c->req_tot);
			add_u(f, SL_ST_EREQ, c->ereq);
			for (int k = 0; k < 6; k++)
				add_u(f, hcol[k], c->hrsp[k]);
		}
		if (px->cap & SL_CAP_BE) {
			struct sl_stats_row *b = sl_stats_find(rows, n, px->name, "BACKEND");
			add_u(b, SL_ST_REQ_TOT, c->req_tot);
			for (int k = 0; k < 6; k++)
				add_u(b, hcol[k], c->hrsp[k]);
		}
	}
	const struct sl_l4_conf *l4 = dp->l4;
	for (unsigned bi = 0; l4 != NULL && bi < l4->nbackends; bi++) {
		const struct sl_l4_backend *b = &l4->backends[bi];
		for (unsigned i = 0; i < b->nservers; i++) {
			struct sl_stats_row *r = sl_stats_find(rows, n, b->name, b->servers[i].name);
			for (int k = 0; k < 6; k++)
				add_u(r, hcol[k], srv[b->servers[i].gidx][k]);
		}
	}
out:
	free(sum);
	free(srv);
}

/* The rows as the counters stand, before any `clear counters all` is taken off. */
static int raw_rows(const struct sl_ctl *ctl, struct sl_stats_row **rows, size_t *n)
{
	if (sl_stats_rows_from_cfg(ctl->cfg, rows, n) < 0)
		return -ENOMEM;
	fill_l4(ctl->dp, *rows, *n);
	fill_http(ctl->dp, *rows, *n);
	sl_checks_fill_rows(ctl->checks, *rows, *n);
	return 0;
}

int sl_ctl_stats_rows(const struct sl_ctl *ctl, struct sl_stats_row **rows, size_t *n)
{
	if (raw_rows(ctl, rows, n) < 0)
		return -ENOMEM;
	/* the rows of one configuration come in the same order every time */
	const struct ctl_base *base = __atomic_load_n(&ctl->base, __ATOMIC_ACQUIRE);
	for (size_t i = 0; base != NULL && i < *n && i < base->n; i++)
		for (size_t k = 0; k < NCLEARED; k++) {
			uint64_t b = base->v[i * NCLEARED + k];
			if (b == 0)
				continue;
			uint64_t v = sl_stats_get_u(&(*rows)[i], cleared_cols[k]);
			sl_stats_set_u(&(*rows)[i], cleared_cols[k], v > b ? v - b : 0);
		}
	return 0;
}

static void set_base(struct sl_ctl *ctl, struct ctl_base *b)
{
	struct ctl_base *old = ctl->base;
	__atomic_store_n(&ctl->base, b, __ATOMIC_RELEASE);
	free(ctl->base_old);
	ctl->base_old = old;
}

/* clear counters [all]: "all" starts every cumulative counter from zero again (they are
 * per-lcore sums that only their lcore writes: the values now become the baseline taken off
 * every later read); without "all" HAProxy clears maxima, which sluice does not keep. */
static int cmd_clear_counters(void *arg, int argc, char **argv, struct sl_outbuf *out)
{
	struct sl_ctl *ctl = arg;
	if (argc < 3 || strcmp(argv[2], "all") != 0)
		return 0;
	struct sl_stats_row *rows;
	size_t n;
	if (raw_rows(ctl, &rows, &n) < 0) {
		sl_outbuf_printf(out, "Out of memory.\n");
		return -1;
	}
	struct ctl_base *base = calloc(1, sizeof(*base) + (n ? n * NCLEARED : 1) * sizeof(uint64_t));
	if (base == NULL) {
		sl_stats_rows_free(rows, n);
		sl_outbuf_printf(out, "Out of memory.\n");
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < NCLEARED; k++)
			base->v[i * NCLEARED + k] = sl_stats_get_u(&rows[i], cleared_cols[k]);
	sl_stats_rows_free(rows, n);
	base->n = n;
	set_base(ctl, base);
	return 0;
}

static int cmd_show_stat(void *arg, int argc, char **argv, struct sl_outbuf *out)
{
	struct sl_ctl *ctl = arg;
	struct sl_stats_row *rows;
	size_t n;
	if (sl_ctl_stats_rows(ctl, &rows, &n) < 0) {
		sl_outbuf_printf(out, "Out of memory.\n");
		return 0;
	}
	int r = sl_stats_cmd_show_stat(rows, n, argc, argv, out);
	sl_stats_rows_free(rows, n);
	return r;
}

static int cmd_show_tcp(void *arg, int argc, char **argv, struct sl_outbuf *out)
{
	struct sl_ctl *ctl = arg;
	sl_proxy_show(ctl->dp, out);
	return 0;
}

static int cmd_show_http(void *arg, int argc, char **argv, struct sl_outbuf *out)
{
	struct sl_ctl *ctl = arg;
	sl_httpx_show(ctl->dp, out);
	return 0;
}

static int cmd_show_errors(void *arg, int argc, char **argv, struct sl_outbuf *out)
{
	struct sl_ctl *ctl = arg;
	sl_httpx_show_errors(ctl->dp, out);
	return 0;
}

static int cmd_show_servers_state(void *arg, int argc, char **argv, struct sl_outbuf *out)
{
	struct sl_ctl *ctl = arg;
	sl_checks_show_servers_state(ctl->checks, out);
	return 0;
}

static int cmd_reload_certs(void *arg, int argc, char **argv, struct sl_outbuf *out)
{
	struct sl_ctl *ctl = arg;
	sl_httpx_reload_certs(ctl->dp, out);
	return 0;
}

static int cmd_reload(void *arg, int argc, char **argv, struct sl_outbuf *out)
{
	struct sl_ctl *ctl = arg;
	if (ctl->reload == NULL) {
		sl_outbuf_printf(out, "reload is not available.\n");
		return 0;
	}
	ctl->reload(ctl->reload_arg, out);
	return 0;
}

static int cmd_show_l4(void *arg, int argc, char **argv, struct sl_outbuf *out)
{
	struct sl_ctl *ctl = arg;
	sl_l4_show(ctl->dp, out);
	return 0;
}

static int cmd_show_ports(void *arg, int argc, char **argv, struct sl_outbuf *out)
{
	struct sl_ctl *ctl = arg;
	sl_port_show(ctl->dp, out);
	return 0;
}

static int cmd_show_lcores(void *arg, int argc, char **argv, struct sl_outbuf *out)
{
	struct sl_ctl *ctl = arg;
	const struct sl_dp *dp = ctl->dp;
	uint64_t elapsed = rte_rdtsc() - dp->start_tsc;
	unsigned id;
	sl_outbuf_printf(out, "# lcore roles rx_packets tx_packets drops polls busy_pct idle_sleeps busy_cycles busy_ms\n");
	RTE_LCORE_FOREACH(id) {
		const struct sl_lcore *lc = dp->lcores[id];
		const struct sl_lcore_ctrs *c = &dp->ctrs[id];
		uint64_t drops = 0;
		for (int k = SL_CTR_FIRST_DROP; k < SL_CTR_MAX; k++)
			drops += c->c[k];
		char roles[32] = "";
		if (lc->roles & SL_ROLE_MAIN)
			strcat(roles, "main,");
		if (lc->roles & SL_ROLE_WORKER)
			strcat(roles, "worker,");
		if (lc->roles & SL_ROLE_PROXY)
			strcat(roles, "proxy,");
		roles[strlen(roles) - 1] = '\0';
		sl_outbuf_printf(out,
				 "%u %s %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %.2f %" PRIu64
				 " %" PRIu64 " %" PRIu64 "\n",
				 id, roles, c->c[SL_CTR_RX_PKTS], c->c[SL_CTR_TX_PKTS], drops, c->polls,
				 elapsed ? 100.0 * (double)c->busy_cycles / (double)elapsed : 0.0,
				 c->idle_sleeps, c->busy_cycles,
				 dp->tsc_hz ? c->busy_cycles * 1000 / dp->tsc_hz : 0);
	}
	return 0;
}

static void show_ctrs(const struct sl_dp *dp, int from, int to, bool all, struct sl_outbuf *out)
{
	for (int k = from; k < to; k++) {
		uint64_t v = ctr_sum(dp, (enum sl_ctr)k);
		if (v != 0 || all)
			sl_outbuf_printf(out, "%s: %" PRIu64 "\n", sl_ctr_name((enum sl_ctr)k), v);
	}
}

static int cmd_show_drops(void *arg, int argc, char **argv, struct sl_outbuf *out)
{
	struct sl_ctl *ctl = arg;
	show_ctrs(ctl->dp, SL_CTR_FIRST_DROP, SL_CTR_MAX, true, out);
	return 0;
}

static int cmd_show_counters(void *arg, int argc, char **argv, struct sl_outbuf *out)
{
	struct sl_ctl *ctl = arg;
	show_ctrs(ctl->dp, 0, SL_CTR_MAX, true, out);
	return 0;
}

static int cmd_show_neigh(void *arg, int argc, char **argv, struct sl_outbuf *out)
{
	struct sl_ctl *ctl = arg;
	const struct sl_neigh_table *t = ctl->dp->neigh;
	uint64_t now = sl_dp_now_ms(ctl->dp);
	sl_outbuf_printf(out, "# address mac age_ms\n");
	for (unsigned i = 0; i < SL_NEIGH_SLOTS; i++) {
		uint8_t mac[6];
		uint32_t ip = t->e[i].ip;
		if (ip == 0 || !sl_neigh_lookup(t, ip, mac, now))
			continue;
		sl_outbuf_printf(out, "%u.%u.%u.%u %02x:%02x:%02x:%02x:%02x:%02x %" PRIu64 "\n",
				 ip >> 24, ip >> 16 & 255, ip >> 8 & 255, ip & 255, mac[0], mac[1],
				 mac[2], mac[3], mac[4], mac[5], now - t->e[i].updated_ms);
	}
	return 0;
}

/* Parses "BACKEND/SERVER" of an L4 backend into its counter slot; prints why not on failure. */
static int server_arg(struct sl_ctl *ctl, int argc, char **argv, int i, struct sl_outbuf *out)
{
	if (i >= argc || strchr(argv[i], '/') == NULL) {
		sl_outbuf_printf(out, "Require 'backend/server'.\n");
		return -1;
	}
	char be[256];
	snprintf(be, sizeof(be), "%s", argv[i]);
	char *srv = strchr(be, '/');
	*srv++ = '\0';
	const struct sl_proxy *px = sl_cfg_find_proxy(ctl->cfg, be, SL_CAP_BE);
	if (px == NULL) {
		sl_outbuf_printf(out, "No such backend.\n");
		return -1;
	}
	if (sl_cfg_find_server(px, srv) == NULL) {
		sl_outbuf_printf(out, "No such server.\n");
		return -1;
	}
	int g = sl_l4_find_server(ctl->dp->l4, be, srv);
	if (g < 0)
		sl_outbuf_printf(out, "Server '%s/%s' is in no backend that carries traffic.\n", be, srv);
	return g;
}

/* disable server B/S | enable server B/S (HAProxy: MAINT / READY) */
static int cmd_able_server(void *arg, int argc, char **argv, struct sl_outbuf *out)
{
	struct sl_ctl *ctl = arg;
	int g = server_arg(ctl, argc, argv, 2, out);
	if (g >= 0)
		sl_checks_set_admin(ctl->checks, g,
				    strcmp(argv[0], "disable") == 0 ? SL_CHK_SET_MAINT : SL_CHK_SET_READY);
	return 0;
}

/* set server B/S state ready|drain|maint */
static int cmd_set_server(void *arg, int argc, char **argv, struct sl_outbuf *out)
{
	struct sl_ctl *ctl = arg;
	if (argc < 5 || (strcmp(argv[3], "state") != 0 && strcmp(argv[3], "weight") != 0)) {
		sl_outbuf_printf(out, "'set server <srv>' supports 'state' and 'weight'.\n");
		return 0;
	}
	int g = server_arg(ctl, argc, argv, 2, out);
	if (g < 0)
		return 0;
	if (strcmp(argv[3], "weight") == 0) {
		char *end;
		long w = strtol(argv[4], &end, 10);
		if (end == argv[4] || (*end != '\0' && strcmp(end, "%") != 0) || w < 0 || w > 256 ||
		    sl_checks_set_weight(ctl->checks, g, (int)w) < 0)
			sl_outbuf_printf(out, "Weight must be a number from 0 to 256.\n");
		return 0;
	}
	if (strcmp(argv[4], "ready") == 0)
		sl_checks_set_admin(ctl->checks, g, SL_CHK_SET_READY);
	else if (strcmp(argv[4], "maint") == 0)
		sl_checks_set_admin(ctl->checks, g, SL_CHK_SET_MAINT);
	else if (strcmp(argv[4], "drain") == 0)
		/* L4 has no persistence: a draining server gets no new flow, keeps the others */
		sl_checks_set_admin(ctl->checks, g, SL_CHK_SET_DRAIN);
	else
		sl_outbuf_printf(out, "'set server <srv> state' expects 'ready', 'drain' and 'maint'.\n");
	return 0;
}

/* shutdown sessions server B/S */
static int cmd_shutdown_sessions(void *arg, int argc, char **argv, struct sl_outbuf *out)
{
	struct sl_ctl *ctl = arg;
	int g = server_arg(ctl, argc, argv, 3, out);
	if (g >= 0 && sl_l4_request_reset(ctl->dp, (uint16_t)g) < 0)
		sl_outbuf_printf(out, "A worker is busy with earlier commands; try again.\n");
	return 0;
}

static const struct sl_cli_cmd commands[] = {
	{"show info", SL_CLI_USER, cmd_show_info, "[typed|json]", "report information about the running process"},
	{"show stat", SL_CLI_USER, cmd_show_stat, "[typed|json]", "report counters for each proxy and server (CSV)"},
	{"show ports", SL_CLI_USER, cmd_show_ports, NULL, "dataplane ports: link, queues, stats and xstats"},
	{"show lcores", SL_CLI_USER, cmd_show_lcores, NULL, "lcores: roles, packets, busy share"},
	{"show drops", SL_CLI_USER, cmd_show_drops, NULL, "dropped packets by reason"},
	{"show counters", SL_CLI_USER, cmd_show_counters, NULL, "every dataplane counter"},
	{"show neigh", SL_CLI_USER, cmd_show_neigh, NULL, "the neighbour (ARP) table"},
	{"show l4", SL_CLI_USER, cmd_show_l4, NULL, "L4 services, flow tables and per-server flows"},
	{"show tcp", SL_CLI_USER, cmd_show_tcp, NULL, "the proxy lcores' TCP stacks"},
	{"show http", SL_CLI_USER, cmd_show_http, NULL, "the proxy lcores' HTTP sessions"},
	{"show servers state", SL_CLI_USER, cmd_show_servers_state, NULL, "every server's state and weights (HAProxy's format)"},
	{"show errors", SL_CLI_OPERATOR, cmd_show_errors, NULL, "the last requests refused as malformed, with their bytes"},
	{"clear counters", SL_CLI_OPERATOR, cmd_clear_counters, NULL, "clear the maxima (sluice keeps none)"},
	{"clear counters all", SL_CLI_ADMIN, cmd_clear_counters, NULL, "every cumulative counter of show stat from zero"},
	{"reload", SL_CLI_ADMIN, cmd_reload, NULL, "read the configuration files again and apply the difference (as SIGHUP)"},
	{"reload certs", SL_CLI_ADMIN, cmd_reload_certs, NULL, "load every ssl bind's certificates again from disk (as SIGHUP)"},
	{"disable server", SL_CLI_ADMIN, cmd_able_server, "<bk>/<srv>", "put a server in maintenance (no new flow)"},
	{"enable server", SL_CLI_ADMIN, cmd_able_server, "<bk>/<srv>", "take a server out of maintenance"},
	{"set server", SL_CLI_ADMIN, cmd_set_server, "<bk>/<srv> state ready|drain|maint | weight N", "change a server's state or weight"},
	{"shutdown sessions server", SL_CLI_ADMIN, cmd_shutdown_sessions, "<bk>/<srv>", "reset every flow of a server"},
	{NULL, 0, NULL, NULL, NULL},
};

struct sl_ctl *sl_ctl_open(struct sl_dp *dp, const struct sl_cfg *cfg, struct sl_checks *checks)
{
	struct sl_ctl *ctl = calloc(1, sizeof(*ctl));
	if (ctl == NULL)
		return NULL;
	ctl->dp = dp;
	ctl->cfg = cfg;
	ctl->checks = checks;
	dp->ctl = ctl;
	ctl->start_sec = (uint64_t)time(NULL);
	for (const struct sl_stats_socket *s = cfg->global.sockets; s != NULL; s = s->next) {
		if (ctl->nsocks == SL_CTL_MAX_SOCKS)
			break;
		int level = s->level == SL_LEVEL_ADMIN	  ? SL_CLI_ADMIN :
			    s->level == SL_LEVEL_OPERATOR ? SL_CLI_OPERATOR :
							    SL_CLI_USER;
		struct sl_stats_sock *ss = sl_stats_sock_open(s->path, s->mode >= 0 ? s->mode : 0600,
							      level, commands, ctl);
		if (ss == NULL) {
			fprintf(stderr, "%s:%d: cannot open stats socket '%s': %m\n", s->loc.file,
				s->loc.line, s->path);
			sl_ctl_close(ctl);
			return NULL;
		}
		ctl->socks[ctl->nsocks++] = ss;
	}
	return ctl;
}

void sl_ctl_on_reload(struct sl_ctl *ctl, int (*fn)(void *arg, struct sl_outbuf *out), void *arg)
{
	if (ctl == NULL)
		return;
	ctl->reload = fn;
	ctl->reload_arg = arg;
}

void sl_ctl_set_cfg(struct sl_ctl *ctl, const struct sl_cfg *cfg, struct sl_checks *checks)
{
	if (ctl == NULL)
		return;
	ctl->cfg = cfg;
	ctl->checks = checks;
	/* the rows are those of another configuration now: the baseline of `clear counters all`
	 * no longer lines up (HAProxy's reload starts every counter from zero too) */
	set_base(ctl, NULL);
}

void sl_ctl_poll(struct sl_ctl *ctl)
{
	if (ctl == NULL)
		return;
	for (unsigned i = 0; i < ctl->nsocks; i++)
		sl_stats_sock_poll(ctl->socks[i], 0);
}

void sl_ctl_close(struct sl_ctl *ctl)
{
	if (ctl == NULL)
		return;
	for (unsigned i = 0; i < ctl->nsocks; i++)
		sl_stats_sock_close(ctl->socks[i]);
	ctl->dp->ctl = NULL;
	free(ctl->base);
	free(ctl->base_old);
	free(ctl);
}
