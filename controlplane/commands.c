/* SPDX-License-Identifier: BSD-3-Clause */
#include "controlplane/commands.h"

#include <errno.h>
#include <pthread.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_lcore.h>
#include <rte_telemetry.h>
#include <rte_mempool.h>
#include <rte_version.h>

#include "controlplane/cfg/cfg.h"
#include "controlplane/cfg/cfg_reload.h"
#include "controlplane/log/logger.h"
#include "controlplane/stats/cmdlang.h"
#include "proto/outbuf.h"
#include "controlplane/stats/stats_model.h"
#include "controlplane/stats/stats_proto.h"
#include "controlplane/stats/stats_sock.h"
#include "controlplane/check_sched.h"
#include "controlplane/gen_build.h"
#include "controlplane/ports.h"
#include "controlplane/query.h"
#include "controlplane/xdp_steer.h"
#include "dataplane/core/gen.h"
#include "dataplane/core/lcore.h"
#include "dataplane/core/route.h"
#include "dataplane/http/http.h"
#include "dataplane/l4/l4.h"
#include "dataplane/tcp/stack.h"
#include "dataplane/tcphost/tcphost.h"

#define SL_CTL_MAX_SOCKS 8

/* One lcore at the last sample, and what the second before it showed. */
struct ctl_lsample {
	uint64_t tsc, busy, rx, tx;
	double busy_ratio;
	uint64_t rx_pps, tx_pps;
};

static pthread_mutex_t tel_lock = PTHREAD_MUTEX_INITIALIZER;
static const struct sl_ctl *tel_ctl; /* guarded by tel_lock */

struct sl_ctl {
	struct sl_dp *dp;
	const struct sl_cfg *cfg;
	struct sl_stats_sock *socks[SL_CTL_MAX_SOCKS];
	unsigned nsocks;
	uint64_t start_sec;
	struct sl_checks *checks; /* server states (checks and admin) */
	/* `clear counters all`: the cumulative columns' values then, by row. Main's alone (the
	 * stats pages render on main too: controlplane/page_render.c), replaced and freed at once */
	struct ctl_base *base;
	/* rates (rate, req_rate and their maxima) from one sample a second; same reading rules */
	struct ctl_rates *rates;
	uint64_t sampled_ms;
	struct ctl_lsample lsamp[RTE_MAX_LCORE]; /* lcores at the last sample */
	/* the rows of the last sample, for DPDK telemetry (its own thread: guarded by tel_lock) */
	struct sl_stats_row *snap;
	size_t nsnap;
	int (*reload)(void *arg, struct sl_outbuf *out); /* `reload` (set by main) */
	void *reload_arg;
	void (*show_resolvers)(void *arg, struct sl_outbuf *out); /* main's run-time DNS */
	void *show_resolvers_arg;
	const struct sl_xdp_port *xdp; /* the ports' XDP programs (SL_MAX_PORTS), or NULL */
	const struct sl_gen_stats *gen_stats; /* the last generation's build (check_sched) */
	const struct sl_logger *logger; /* main's event logs, for DroppedLogs (NULL: none) */
};

struct ctl_base {
	size_t n; /* rows */
	uint64_t v[];
};

/* One row's rates, by row (the rows of one configuration come in one order). */
struct ctl_rate {
	uint64_t stot, req;		/* the counters at the sample */
	uint64_t rate, rate_max;	/* sessions per second: the last second's, the highest */
	uint64_t req_rate, req_rate_max; /* requests per second (frontends) */
	uint64_t smax, qmax;		/* the highest scur / qcur seen at a sample */
};

struct ctl_rates {
	size_t n;
	struct ctl_rate r[];
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

void sl_ctl_set_logger(struct sl_ctl *ctl, const struct sl_logger *lg)
{
	if (ctl != NULL)
		ctl->logger = lg;
}

uint64_t sl_dropped_logs_total(const struct sl_ctl *ctl)
{
	/* main's event logs a target could not take; access logs' ring drops add here */
	return sl_logger_dropped(ctl->logger);
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
	sl_stats_info_set_u(&inf, SL_INF_DROPPED_LOGS, sl_dropped_logs_total(ctl));
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
static void set_lastsess(struct sl_stats_row *r, uint64_t last_ms, uint64_t now_ms);

static void fill_l4(const struct sl_dp *dp, struct sl_stats_row *rows, size_t n)
{
	const struct sl_gen *c = dp->gen; /* main publishes it: no race on main */
	uint64_t now = sl_dp_now_ms(dp);
	if (c == NULL)
		return;
	for (unsigned bi = 0; bi < c->nbackends; bi++) {
		const struct sl_bal_backend *b = &c->backends[bi];
		struct sl_stats_row *brow = sl_stats_find(rows, n, b->name, "BACKEND");
		uint64_t bt[4] = {0}, blast = 0;
		for (unsigned i = 0; i < b->nservers; i++) {
			uint64_t v[4] = {0}, last = 0;
			unsigned id;
			RTE_LCORE_FOREACH(id) {
				const struct sl_srv_ctrs *sc = &dp->lcores[id]->srv[b->servers[i].gidx];
				v[0] += sc->stot - sc->ended;
				v[1] += sc->stot;
				v[2] += sc->bin;
				v[3] += sc->bout;
				if (sc->last_ms > last)
					last = sc->last_ms;
			}
			struct sl_stats_row *r = sl_stats_find(rows, n, b->name, b->servers[i].name);
			set_lastsess(r, last, now);
			if (last > blast)
				blast = last;
			add_u(r, SL_ST_SCUR, v[0]);
			add_u(r, SL_ST_STOT, v[1]);
			add_u(r, SL_ST_LBTOT, v[1]); /* every flow or connection was a balancing choice */
			add_u(r, SL_ST_BIN, v[2]);
			add_u(r, SL_ST_BOUT, v[3]);
			for (int k = 0; k < 4; k++)
				bt[k] += v[k];
		}
		set_lastsess(brow, blast, now);
		add_u(brow, SL_ST_SCUR, bt[0]);
		add_u(brow, SL_ST_STOT, bt[1]);
		add_u(brow, SL_ST_LBTOT, bt[1]);
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

/* A counter of the HTTP engine's per-proxy or per-server block that goes into a column as is. */
struct hx_col {
	int col;
	size_t off; /* of its uint64_t in struct sl_hx_pxctr or struct sl_hx_srvctr */
};

#define PXC(c, f) {c, offsetof(struct sl_hx_pxctr, f)}
#define SVC(c, f) {c, offsetof(struct sl_hx_srvctr, f)}
static const struct hx_col fe_cols[] = {
	PXC(SL_ST_REQ_TOT, req_tot), PXC(SL_ST_EREQ, ereq), PXC(SL_ST_BIN, bin),
	PXC(SL_ST_BOUT, bout),	     PXC(SL_ST_DREQ, dreq),  PXC(SL_ST_INTERCEPTED, intercepted),
	PXC(SL_ST_DCON, dcon),
};
static const struct hx_col be_cols[] = {
	PXC(SL_ST_REQ_TOT, req_tot), PXC(SL_ST_BIN, bin),	PXC(SL_ST_BOUT, bout),
	PXC(SL_ST_ECON, econ),	     PXC(SL_ST_ERESP, eresp),	PXC(SL_ST_WRETR, wretr),
	PXC(SL_ST_WREDIS, wredis),   PXC(SL_ST_CLI_ABRT, cli_abrt), PXC(SL_ST_SRV_ABRT, srv_abrt),
};
static const struct hx_col srv_cols[] = {
	SVC(SL_ST_CLI_ABRT, cli_abrt), SVC(SL_ST_SRV_ABRT, srv_abrt), SVC(SL_ST_BIN, bin),
	SVC(SL_ST_BOUT, bout),	       SVC(SL_ST_REQ_TOT, req_tot),   SVC(SL_ST_ECON, econ),
	SVC(SL_ST_ERESP, eresp),       SVC(SL_ST_WRETR, wretr),	      SVC(SL_ST_WREDIS, wredis),
};
#undef PXC
#undef SVC

/* Adds @v to a column of a mode http row; a mode tcp row (proxied TCP, or the L4 path's, whose
 * HTTP counters are zeros) only gets what is not zero: the columns HAProxy leaves empty in TCP
 * (intercepted, hrsp_*, req_tot...) stay empty. */
static void add_hx(struct sl_stats_row *r, bool tcp, int col, uint64_t v)
{
	if (!tcp || v != 0)
		add_u(r, col, v);
}

static void add_cols(struct sl_stats_row *r, bool tcp, const void *ctr, const struct hx_col *cols,
		     size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint64_t v;
		memcpy(&v, (const char *)ctr + cols[i].off, sizeof(v));
		add_hx(r, tcp, cols[i].col, v);
	}
}

/*
 * HTTP counters into the rows, summed over the proxy lcores: frontends' sessions (scur, stot),
 * req_tot, hrsp_* and ereq; backends' req_tot and hrsp_*; servers' hrsp_* (their scur and stot
 * come with the L4 counters: the proxy counts its server connections there).
 */
/* HAProxy's qtime, ctime, rtime and ttime of a backend or server row: the averages of its last
 * transactions (each lcore's sliding sums added, divided by the samples they stand for). */
static void set_times(struct sl_stats_row *r, const struct sl_hx_times *t)
{
	if (r == NULL || t->n == 0)
		return;
	sl_stats_set_u(r, SL_ST_QTIME, t->q / t->n);
	sl_stats_set_u(r, SL_ST_CTIME, t->c / t->n);
	sl_stats_set_u(r, SL_ST_RTIME, t->r / t->n);
	sl_stats_set_u(r, SL_ST_TTIME, t->t / t->n);
}

/* lastsess: seconds since a session last went to the server or backend (-1: never) */
static void set_lastsess(struct sl_stats_row *r, uint64_t last_ms, uint64_t now_ms)
{
	if (r != NULL && last_ms > 0)
		sl_stats_set_s(r, SL_ST_LASTSESS, (int64_t)((now_ms - last_ms) / 1000));
}

/*
 * HTTP counters into the rows, summed over the proxy lcores: frontends' sessions (scur, stot),
 * req_tot, hrsp_* and ereq; backends' req_tot, hrsp_*, cli_abrt, srv_abrt, times and lastsess;
 * servers' hrsp_*, aborts, times (their scur and stot come with the L4 counters: the proxy
 * counts its server connections there).
 */
static void fill_http(const struct sl_dp *dp, const struct sl_cfg *cfg, struct sl_stats_row *rows,
		      size_t n)
{
	unsigned npx = SL_PX_SLOTS + 1;
	struct sl_hx_pxctr *sum = calloc(npx, sizeof(*sum));
	struct sl_hx_srvctr *srv = calloc(SL_MAX_SERVERS, sizeof(*srv));
	if (sum == NULL || srv == NULL)
		goto out;
	bool any = false;
	for (unsigned i = 0; i < dp->nproxies; i++) {
		const struct sl_lcore *lc = dp->lcores[dp->proxy_ids[i]];
		if (lc->http != NULL) {
			sl_http_sum(lc, sum, npx, srv);
			any = true;
		}
	}
	if (!any)
		goto out;
	static const int hcol[6] = {SL_ST_HRSP_1XX, SL_ST_HRSP_2XX, SL_ST_HRSP_3XX,
				    SL_ST_HRSP_4XX, SL_ST_HRSP_5XX, SL_ST_HRSP_OTHER};
	for (const struct sl_proxy *px = cfg->proxies; px != NULL; px = px->next) {
		/* mode http proxies, and mode tcp ones the proxy lcores serve (a mode tcp
		 * proxy of the L4 path has only zeros here) */
		if (px->slot <= 0 || (unsigned)px->slot >= npx)
			continue;
		const struct sl_hx_pxctr *c = &sum[px->slot];
		bool tcp = px->mode != SL_MODE_HTTP;
		if (px->cap & SL_CAP_FE) {
			struct sl_stats_row *f = sl_stats_find(rows, n, px->name, "FRONTEND");
			add_hx(f, tcp, SL_ST_SCUR, c->stot - c->ended);
			add_hx(f, tcp, SL_ST_STOT, c->stot);
			add_cols(f, tcp, c, fe_cols, RTE_DIM(fe_cols));
			for (int k = 0; k < 6; k++)
				add_hx(f, tcp, hcol[k], c->hrsp[k]);
		}
		if (px->cap & SL_CAP_BE) {
			struct sl_stats_row *b = sl_stats_find(rows, n, px->name, "BACKEND");
			add_cols(b, tcp, c, be_cols, RTE_DIM(be_cols));
			add_hx(b, tcp, SL_ST_QCUR, c->qcur > 0 ? (uint64_t)c->qcur : 0);
			for (int k = 0; k < 6; k++)
				add_hx(b, tcp, hcol[k], c->hrsp[k]);
			set_times(b, &c->tm);
		}
	}
	const struct sl_gen *l4 = dp->gen;
	for (unsigned bi = 0; l4 != NULL && bi < l4->nbackends; bi++) {
		const struct sl_bal_backend *b = &l4->backends[bi];
		for (unsigned i = 0; i < b->nservers; i++) {
			const struct sl_hx_srvctr *c = &srv[b->servers[i].gidx];
			struct sl_stats_row *r = sl_stats_find(rows, n, b->name, b->servers[i].name);
			for (int k = 0; k < 6; k++)
				add_u(r, hcol[k], c->hrsp[k]);
			add_cols(r, false, c, srv_cols, RTE_DIM(srv_cols));
			set_times(r, &c->tm);
		}
	}
out:
	free(sum);
	free(srv);
}

/* dcon of the frontends on the L4 path: the workers' SYNs reset by `tcp-request connection`
 * (the proxy lcores' are in the HTTP engine's counters). */
static void fill_l4_dcon(const struct sl_dp *dp, const struct sl_cfg *cfg, struct sl_stats_row *rows,
			 size_t n)
{
	for (const struct sl_proxy *px = cfg->proxies; px != NULL; px = px->next) {
		if (!(px->cap & SL_CAP_FE) || px->tcp_conn_rules == NULL || px->slot <= 0)
			continue;
		uint64_t v = 0;
		unsigned id;
		RTE_LCORE_FOREACH(id)
			v += sl_l4_worker_dcon(dp->lcores[id], px->slot);
		if (v > 0)
			add_u(sl_stats_find(rows, n, px->name, "FRONTEND"), SL_ST_DCON, v);
	}
}

/* The rows as the counters stand, before any `clear counters all` is taken off. */
static int raw_rows(const struct sl_ctl *ctl, struct sl_stats_row **rows, size_t *n)
{
	if (sl_stats_rows_from_cfg(ctl->cfg, rows, n) < 0)
		return -ENOMEM;
	fill_l4(ctl->dp, *rows, *n);
	fill_l4_dcon(ctl->dp, ctl->cfg, *rows, *n);
	fill_http(ctl->dp, ctl->cfg, *rows, *n);
	sl_checks_fill_rows(ctl->checks, *rows, *n);
	return 0;
}

/* Raw rows as `show stat` gives them: the `clear counters all` baseline taken off, the rates
 * and maxima of the last sample put in. */
static void finish_rows(const struct sl_ctl *ctl, struct sl_stats_row *rows, size_t n)
{
	/* the rows of one configuration come in the same order every time */
	const struct ctl_base *base = ctl->base;
	for (size_t i = 0; base != NULL && i < n && i < base->n; i++)
		for (size_t k = 0; k < NCLEARED; k++) {
			uint64_t b = base->v[i * NCLEARED + k];
			if (b == 0)
				continue;
			uint64_t v = sl_stats_get_u(&rows[i], cleared_cols[k]);
			sl_stats_set_u(&rows[i], cleared_cols[k], v > b ? v - b : 0);
		}
	const struct ctl_rates *rt = ctl->rates;
	for (size_t i = 0; rt != NULL && rt->n == n && i < n; i++) {
		struct sl_stats_row *r = &rows[i];
		sl_stats_set_u(r, SL_ST_RATE, rt->r[i].rate);
		sl_stats_set_u(r, SL_ST_RATE_MAX, rt->r[i].rate_max);
		/* maxima: sampled once a second, and never below the current value */
		uint64_t cur = sl_stats_get_u(r, SL_ST_SCUR), q = sl_stats_get_u(r, SL_ST_QCUR);
		sl_stats_set_u(r, SL_ST_SMAX, rt->r[i].smax > cur ? rt->r[i].smax : cur);
		if (r->obj != SL_STATS_FE)
			sl_stats_set_u(r, SL_ST_QMAX, rt->r[i].qmax > q ? rt->r[i].qmax : q);
		if (r->obj == SL_STATS_FE) {
			sl_stats_set_u(r, SL_ST_REQ_RATE, rt->r[i].req_rate);
			sl_stats_set_u(r, SL_ST_REQ_RATE_MAX, rt->r[i].req_rate_max);
		}
	}
}

int sl_ctl_stats_rows(const struct sl_ctl *ctl, struct sl_stats_row **rows, size_t *n)
{
	if (raw_rows(ctl, rows, n) < 0)
		return -ENOMEM;
	finish_rows(ctl, *rows, *n);
	return 0;
}

static void set_rates(struct sl_ctl *ctl, struct ctl_rates *r)
{
	free(ctl->rates);
	ctl->rates = r;
}

void sl_ctl_sample(struct sl_ctl *ctl)
{
	if (ctl == NULL)
		return;
	const struct sl_dp *dp = ctl->dp;
	uint64_t now = sl_dp_now_ms(dp);
	if (ctl->sampled_ms != 0 && now - ctl->sampled_ms < 1000)
		return;
	uint64_t elapsed = ctl->sampled_ms != 0 ? now - ctl->sampled_ms : 0;
	ctl->sampled_ms = now;
	/* lcores: busy share and packet rates over the last second */
	uint64_t tsc = rte_rdtsc();
	unsigned id;
	RTE_LCORE_FOREACH(id) {
		struct ctl_lsample *l = &ctl->lsamp[id];
		const struct sl_lcore_ctrs *c = &dp->ctrs[id];
		uint64_t busy = c->busy_cycles, rx = c->c[SL_CTR_RX_PKTS], tx = c->c[SL_CTR_TX_PKTS];
		if (l->tsc != 0 && tsc > l->tsc) {
			double dt = (double)(tsc - l->tsc);
			l->busy_ratio = (double)(busy - l->busy) / dt;
			double secs = dt / (double)(dp->tsc_hz ? dp->tsc_hz : 1);
			l->rx_pps = (uint64_t)((double)(rx - l->rx) / secs);
			l->tx_pps = (uint64_t)((double)(tx - l->tx) / secs);
		}
		l->tsc = tsc;
		l->busy = busy;
		l->rx = rx;
		l->tx = tx;
	}
	/* rows: sessions and requests per second */
	struct sl_stats_row *rows;
	size_t n;
	if (raw_rows(ctl, &rows, &n) < 0)
		return;
	struct ctl_rates *nr = calloc(1, sizeof(*nr) + (n ? n : 1) * sizeof(nr->r[0]));
	if (nr == NULL) {
		sl_stats_rows_free(rows, n);
		return;
	}
	nr->n = n;
	const struct ctl_rates *prev = ctl->rates;
	for (size_t i = 0; i < n; i++) {
		struct ctl_rate *r = &nr->r[i];
		r->stot = sl_stats_get_u(&rows[i], SL_ST_STOT);
		r->req = sl_stats_get_u(&rows[i], SL_ST_REQ_TOT);
		r->smax = sl_stats_get_u(&rows[i], SL_ST_SCUR);
		r->qmax = sl_stats_get_u(&rows[i], SL_ST_QCUR);
		if (prev == NULL || prev->n != n)
			continue;
		const struct ctl_rate *p = &prev->r[i];
		if (p->smax > r->smax)
			r->smax = p->smax;
		if (p->qmax > r->qmax)
			r->qmax = p->qmax;
		if (elapsed == 0)
			continue;
		r->rate = r->stot > p->stot ? (r->stot - p->stot) * 1000 / elapsed : 0;
		r->req_rate = r->req > p->req ? (r->req - p->req) * 1000 / elapsed : 0;
		r->rate_max = r->rate > p->rate_max ? r->rate : p->rate_max;
		r->req_rate_max = r->req_rate > p->req_rate_max ? r->req_rate : p->req_rate_max;
	}
	set_rates(ctl, nr);
	/* the same rows, as `show stat` gives them now, for the telemetry thread */
	finish_rows(ctl, rows, n);
	pthread_mutex_lock(&tel_lock);
	struct sl_stats_row *old = ctl->snap;
	size_t nold = ctl->nsnap;
	ctl->snap = rows;
	ctl->nsnap = n;
	pthread_mutex_unlock(&tel_lock);
	sl_stats_rows_free(old, nold);
}

/* ------------------------------------------------------------------ DPDK telemetry
 *
 * `dpdk-telemetry.py -f <file prefix>` shows /sluice/counters, /sluice/lcores and /sluice/stat.
 * The callbacks run in DPDK's telemetry thread: they read the per-lcore counters (plain loads,
 * as every reader) and the rows of the last second's sample, which main swaps under tel_lock;
 * never the configuration or the L4 generation, which main frees without telling that thread.
 */

static int tel_counters(const char *cmd, const char *params, struct rte_tel_data *d)
{
	pthread_mutex_lock(&tel_lock);
	const struct sl_ctl *ctl = tel_ctl;
	rte_tel_data_start_dict(d);
	for (int k = 0; ctl != NULL && k < SL_CTR_MAX; k++)
		rte_tel_data_add_dict_u64(d, sl_ctr_name((enum sl_ctr)k), ctr_sum(ctl->dp, (enum sl_ctr)k));
	pthread_mutex_unlock(&tel_lock);
	return 0;
}

static int tel_lcores(const char *cmd, const char *params, struct rte_tel_data *d)
{
	pthread_mutex_lock(&tel_lock);
	const struct sl_ctl *ctl = tel_ctl;
	rte_tel_data_start_dict(d);
	unsigned id;
	RTE_LCORE_FOREACH(id) {
		if (ctl == NULL)
			break;
		struct rte_tel_data *c = rte_tel_data_alloc();
		if (c == NULL)
			break;
		const struct sl_lcore_ctrs *k = &ctl->dp->ctrs[id];
		const struct ctl_lsample *l = &ctl->lsamp[id];
		rte_tel_data_start_dict(c);
		rte_tel_data_add_dict_u64(c, "rx_packets", k->c[SL_CTR_RX_PKTS]);
		rte_tel_data_add_dict_u64(c, "tx_packets", k->c[SL_CTR_TX_PKTS]);
		rte_tel_data_add_dict_u64(c, "busy_cycles", k->busy_cycles);
		rte_tel_data_add_dict_u64(c, "busy_permille", (uint64_t)(l->busy_ratio * 1000));
		rte_tel_data_add_dict_u64(c, "rx_pps", l->rx_pps);
		rte_tel_data_add_dict_u64(c, "tx_pps", l->tx_pps);
		char name[16];
		snprintf(name, sizeof(name), "%u", id);
		rte_tel_data_add_dict_container(d, name, c, 0);
	}
	pthread_mutex_unlock(&tel_lock);
	return 0;
}

/* /sluice/stat: "proxy/server" -> the main columns of its show stat row (DPDK keeps at most
 * RTE_TEL_MAX_DICT_ENTRIES of them: the first rows of a large configuration). */
static int tel_stat(const char *cmd, const char *params, struct rte_tel_data *d)
{
	static const int cols[] = {SL_ST_SCUR, SL_ST_STOT, SL_ST_BIN, SL_ST_BOUT, SL_ST_EREQ,
				   SL_ST_ECON, SL_ST_ERESP, SL_ST_RATE, SL_ST_REQ_TOT,
				   SL_ST_HRSP_2XX, SL_ST_HRSP_5XX, SL_ST_CHKFAIL};
	pthread_mutex_lock(&tel_lock);
	const struct sl_ctl *ctl = tel_ctl;
	rte_tel_data_start_dict(d);
	for (size_t i = 0; ctl != NULL && i < ctl->nsnap && i < RTE_TEL_MAX_DICT_ENTRIES; i++) {
		const struct sl_stats_row *r = &ctl->snap[i];
		struct rte_tel_data *c = rte_tel_data_alloc();
		if (c == NULL)
			break;
		rte_tel_data_start_dict(c);
		for (size_t k = 0; k < sizeof(cols) / sizeof(cols[0]); k++)
			rte_tel_data_add_dict_u64(c, sl_stats_col_name(cols[k]), sl_stats_get_u(r, cols[k]));
		const char *st = sl_stats_get_str(r, SL_ST_STATUS);
		if (st != NULL && st[0] != '\0')
			rte_tel_data_add_dict_string(c, "status", st);
		char name[RTE_TEL_MAX_STRING_LEN];
		snprintf(name, sizeof(name), "%s/%s", sl_stats_get_str(r, SL_ST_PXNAME),
			 sl_stats_get_str(r, SL_ST_SVNAME));
		rte_tel_data_add_dict_container(d, name, c, 0);
	}
	pthread_mutex_unlock(&tel_lock);
	return 0;
}

static void tel_register(struct sl_ctl *ctl)
{
	static bool registered; /* DPDK keeps commands for the life of the process */
	pthread_mutex_lock(&tel_lock);
	tel_ctl = ctl;
	pthread_mutex_unlock(&tel_lock);
	if (registered)
		return;
	registered = true;
	rte_telemetry_register_cmd("/sluice/counters", tel_counters,
				   "sluice: every dataplane counter summed over the lcores");
	rte_telemetry_register_cmd("/sluice/lcores", tel_lcores,
				   "sluice: per lcore packets, busy share and packet rates");
	rte_telemetry_register_cmd("/sluice/stat", tel_stat,
				   "sluice: show stat's main columns per proxy/server (last second)");
}

/* The XDP program's steering counters summed over the af_xdp ports that run it; false when no
 * port does. */
static bool xdp_sum(const struct sl_ctl *ctl, uint64_t *sum)
{
	bool any = false;
	memset(sum, 0, SL_XDP_NCTR * sizeof(*sum));
	for (unsigned i = 0; ctl->xdp != NULL && i < ctl->dp->nports; i++) {
		uint64_t v[SL_XDP_NCTR];
		if (!sl_xdp_port_counters(&ctl->xdp[i], v))
			continue;
		any = true;
		for (unsigned k = 0; k < SL_XDP_NCTR; k++)
			sum[k] += v[k];
	}
	return any;
}

void sl_ctl_dpview(const struct sl_ctl *ctl, struct sl_ctl_dpview *v)
{
	const struct sl_dp *dp = ctl->dp;
	memset(v, 0, sizeof(*v));
	for (int k = 0; k < SL_CTR_MAX; k++)
		v->ctr[k] = (struct sl_stats_prom_counter){sl_ctr_name((enum sl_ctr)k),
							   ctr_sum(dp, (enum sl_ctr)k),
							   k >= SL_CTR_FIRST_DROP};
	size_t nc = SL_CTR_MAX;
	uint64_t x[SL_XDP_NCTR];
	if (xdp_sum(ctl, x))
		for (unsigned k = 0; k < SL_XDP_NCTR; k++)
			v->ctr[nc++] = (struct sl_stats_prom_counter){sl_xdp_ctr_name(k), x[k], false};
	size_t nl = 0;
	unsigned id;
	RTE_LCORE_FOREACH(id) {
		const struct sl_lcore *lc = dp->lcores[id];
		const struct ctl_lsample *l = &ctl->lsamp[id];
		unsigned r = lc->roles;
		v->lc[nl++] = (struct sl_stats_prom_lcore){
			.id = id,
			.role = r == (SL_ROLE_WORKER | SL_ROLE_PROXY)		     ? "worker+proxy" :
				r == (SL_ROLE_MAIN | SL_ROLE_WORKER | SL_ROLE_PROXY) ? "main+worker+proxy" :
				(r & SL_ROLE_MAIN)				     ? "main" :
				(r & SL_ROLE_PROXY)				     ? "proxy" :
										       "worker",
			.busy = l->busy_ratio,
			.rx_pps = l->rx_pps,
			.tx_pps = l->tx_pps};
	}
	for (unsigned i = 0; i < dp->nworkers; i++) {
		struct sl_l4_worker_stats ws;
		sl_l4_worker_stats(dp->lcores[dp->worker_ids[i]], &ws);
		v->dp.flows += ws.flows;
		v->dp.flows_capacity += ws.capacity;
	}
	v->dp.counters = v->ctr;
	v->dp.n_counters = nc;
	v->dp.lcores = v->lc;
	v->dp.n_lcores = nl;
	v->dp.dropped_logs = sl_dropped_logs_total(ctl);
}

static void set_base(struct sl_ctl *ctl, struct ctl_base *b)
{
	free(ctl->base);
	ctl->base = b;
}

/* clear counters [all]: the maxima start again; "all" also starts every cumulative counter
 * from zero (they are per-lcore sums that only their lcore writes: the values now become the
 * baseline taken off every later read). */
static int cmd_clear_counters(void *arg, int argc, char **argv, struct sl_outbuf *out)
{
	struct sl_ctl *ctl = arg;
	set_rates(ctl, NULL); /* the maxima (smax, qmax, rate_max, req_rate_max) start again */
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

/* show tcp: each proxy lcore's stack counters */
static int cmd_show_tcp(void *arg, int argc, char **argv, struct sl_outbuf *out)
{
	struct sl_ctl *ctl = arg;
	const struct sl_dp *dp = ctl->dp;
	for (unsigned i = 0; i < dp->nproxies; i++) {
		const struct sl_lcore *lc = dp->lcores[dp->proxy_ids[i]];
		struct sl_tcp_stats s;
		if (!sl_tcphost_stats(lc, &s))
			continue;
		sl_outbuf_printf(out,
				 "lcore %u: conns %u/%u (time_wait %u) syn %u/%u opened %" PRIu64
				 " closed %" PRIu64 " segs_in %" PRIu64 " segs_out %" PRIu64
				 " retransmits %" PRIu64 " rst_out %" PRIu64
				 " challenge_acks %" PRIu64 " syncookies %" PRIu64
				 " syncookies_share %" PRIu64 " syncookies_ok %" PRIu64
				 " syn_evicted %" PRIu64 " refused_full %" PRIu64
				 " drop_csum %" PRIu64 " drop_no_conn %" PRIu64 " drop_nobuf %" PRIu64
				 " refused_maxconn %" PRIu64 " keepalive_timeouts %" PRIu64
				 " ooo_queued %" PRIu64 " ooo_dropped %" PRIu64
				 " mbufs_held %u chunks %u/%u mbufs_kept %" PRIu64
				 " bytes_copied_in %" PRIu64 "\n",
				 lc->lcore_id, s.conns_in_use, s.conns_max, s.time_wait_in_use,
				 s.syn_in_use, s.syn_max, s.conns_opened, s.conns_closed, s.segs_in,
				 s.segs_out, s.retransmits, s.rst_out, s.challenge_acks,
				 s.syncookies_sent, s.syncookies_share, s.syncookies_ok, s.syn_evicted,
				 s.refused_full, s.drop_csum, s.drop_no_conn, s.drop_nobuf,
				 s.refused_maxconn, s.keepalive_timeouts, s.ooo_queued, s.ooo_dropped,
				 s.ext_in_use, s.chunks_in_use, s.chunks_max, s.ext_kept,
				 s.bytes_copied_in);
	}
	return 0;
}

/* show http: each proxy lcore's sessions, buffers and queue */
static int cmd_show_http(void *arg, int argc, char **argv, struct sl_outbuf *out)
{
	struct sl_ctl *ctl = arg;
	const struct sl_dp *dp = ctl->dp;
	for (unsigned i = 0; i < dp->nproxies; i++) {
		const struct sl_lcore *lc = dp->lcores[dp->proxy_ids[i]];
		struct sl_http_stats st;
		if (!sl_http_stats(lc, &st))
			continue;
		sl_outbuf_printf(out,
				 "lcore %u: http sessions %u/%u head buffers free %u queued %u"
				 " queued_total %" PRIu64 " queue_timeouts %" PRIu64 "\n",
				 lc->lcore_id, st.active, st.sessions, st.bufs_free, st.queued,
				 st.queued_total, st.queue_timeouts);
	}
	return 0;
}

/* show errors: each proxy lcore's kept refused requests (a query: only the lcore reads them) */
static int cmd_show_errors(void *arg, int argc, char **argv, struct sl_outbuf *out)
{
	struct sl_ctl *ctl = arg;
	unsigned n = sl_query_proxies(ctl->dp, SL_QUERY_HTTP_ERRORS, 64, out);
	if (n == 0)
		sl_outbuf_printf(out, "No refused request kept.\n");
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
	sl_http_reload_certs(ctl->dp, ctl->cfg, "reload refused", out);
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

/* show resolvers: each resolvers section's name servers with HAProxy's counters, then each
 * name's last status and addresses (controlplane/resolvers.c). */
static int cmd_show_resolvers(void *arg, int argc, char **argv, struct sl_outbuf *out)
{
	struct sl_ctl *ctl = arg;
	if (ctl->show_resolvers != NULL)
		ctl->show_resolvers(ctl->show_resolvers_arg, out);
	return 0;
}

#define SHOW_SESS_MAX 200

/* show sess: a bounded summary of what is live: L4 flows per worker and service, then HTTP
 * sessions one per line (the first SHOW_SESS_MAX). */
static int cmd_show_sess(void *arg, int argc, char **argv, struct sl_outbuf *out)
{
	struct sl_ctl *ctl = arg;
	const struct sl_dp *dp = ctl->dp;
	uint64_t flows = 0;
	for (unsigned i = 0; i < dp->nworkers; i++) {
		const struct sl_lcore *lc = dp->lcores[dp->worker_ids[i]];
		struct sl_l4_worker_stats ws;
		sl_l4_worker_stats(lc, &ws);
		flows += ws.flows;
		sl_outbuf_printf(out, "l4 worker=%u flows=%u capacity=%u\n", lc->lcore_id, ws.flows,
				 ws.capacity);
	}
	const struct sl_gen *c = dp->gen;
	for (unsigned bi = 0; c != NULL && bi < c->nbackends; bi++) {
		const struct sl_bal_backend *b = &c->backends[bi];
		for (unsigned i = 0; i < b->nservers; i++) {
			uint64_t cur = 0;
			unsigned id;
			RTE_LCORE_FOREACH(id) {
				const struct sl_srv_ctrs *sc = &dp->lcores[id]->srv[b->servers[i].gidx];
				cur += sc->stot - sc->ended;
			}
			if (cur > 0)
				sl_outbuf_printf(out, "server %s/%s connections=%" PRIu64 "\n", b->name,
						 b->servers[i].name, cur);
		}
	}
	unsigned shown = sl_query_proxies(ctl->dp, SL_QUERY_HTTP_SESS, SHOW_SESS_MAX, out);
	sl_outbuf_printf(out, "total: %" PRIu64 " l4 flows, %u http sessions shown%s\n", flows,
			 shown, shown == SHOW_SESS_MAX ? " (more not shown)" : "");
	return 0;
}

/* show pools: every fixed pool, its use and its size */
static int cmd_show_pools(void *arg, int argc, char **argv, struct sl_outbuf *out)
{
	struct sl_ctl *ctl = arg;
	const struct sl_dp *dp = ctl->dp;
	/* one packet pool per NUMA node with ports or workers (controlplane/cfg/numa.h) */
	for (int node = 0; node < RTE_MAX_NUMA_NODES; node++) {
		const struct rte_mempool *mp = dp->pools[node];
		if (mp != NULL)
			sl_outbuf_printf(out,
					 "mbuf %s: used %u free %u size %u (element %u bytes) node %d\n",
					 mp->name, rte_mempool_in_use_count(mp),
					 rte_mempool_avail_count(mp), mp->size, mp->elt_size, node);
	}
	for (unsigned i = 0; i < dp->nworkers; i++) {
		const struct sl_lcore *lc = dp->lcores[dp->worker_ids[i]];
		struct sl_l4_worker_stats ws;
		sl_l4_worker_stats(lc, &ws);
		if (ws.capacity > 0)
			sl_outbuf_printf(out, "lcore %u l4_flows: used %u free %u\n", lc->lcore_id,
					 ws.flows, ws.capacity - ws.flows);
	}
	for (unsigned i = 0; i < dp->nproxies; i++) {
		const struct sl_lcore *lc = dp->lcores[dp->proxy_ids[i]];
		struct sl_tcp_stats st;
		if (!sl_tcphost_stats(lc, &st))
			continue;
		sl_outbuf_printf(out, "lcore %u tcp_conns: used %u free %u (time_wait %u)\n",
				 lc->lcore_id, st.conns_in_use, st.conns_max - st.conns_in_use,
				 st.time_wait_in_use);
		sl_outbuf_printf(out, "lcore %u tcp_chunks: used %u free %u\n", lc->lcore_id,
				 st.chunks_in_use, st.chunks_max - st.chunks_in_use);
		sl_outbuf_printf(out, "lcore %u tcp_kept_mbufs: used %u\n", lc->lcore_id,
				 st.ext_in_use);
	}
	for (unsigned i = 0; i < dp->nproxies; i++) {
		const struct sl_lcore *lc = dp->lcores[dp->proxy_ids[i]];
		struct sl_http_stats st;
		if (!sl_http_stats(lc, &st))
			continue;
		sl_outbuf_printf(out, "lcore %u http_sessions: used %u free %u size %zu\n",
				 lc->lcore_id, st.active, st.sessions - st.active, st.sess_size);
		sl_outbuf_printf(out, "lcore %u http_head_buffers: used %u free %u size %u\n",
				 lc->lcore_id, st.sessions - st.bufs_free, st.bufs_free, st.bufsize);
	}
	return 0;
}

/* show l4: the generation, each worker's flow table, services and per-server flows */
/* Whether an L4 service of @c balances over backend @bi. */
static bool l4_backend(const struct sl_gen *c, unsigned bi)
{
	for (unsigned s = 0; s < c->nservices; s++)
		if (c->services[s].backend == bi)
			return true;
	return false;
}

/*
 * `show l4`, an L4 server's local (address, port) pairs summed over the workers: those its flows
 * hold, those left (each worker has its slice of ports on every address of the pool of the route
 * to the server, dataplane/l4/lpair.h), and the pool's size. The workers' counters are read with
 * plain loads (they may lag by a flow).
 */
static void show_l4_pairs(const struct sl_dp *dp, const struct sl_bal_server *s,
			  struct sl_outbuf *out)
{
	struct sl_route_hop hop;
	if (!sl_route_lookup(dp->routes, s->ip, &hop)) {
		sl_outbuf_printf(out, " local ports: no route");
		return;
	}
	if (s->src != 0) /* `source ADDR`: that address alone */
		hop.npool = 1;
	uint64_t used = 0, left = 0;
	for (unsigned w = 0; w < dp->nworkers; w++) {
		const struct sl_lcore *lc = dp->lcores[dp->worker_ids[w]];
		struct sl_l4_worker_stats ws;
		sl_l4_worker_stats(lc, &ws);
		uint64_t cap = (uint64_t)hop.npool * ((unsigned)(ws.lport_hi - ws.lport_lo) + 1);
		uint64_t u = sl_l4_worker_pairs_used(lc, s->gidx);
		used += u;
		left += u < cap ? cap - u : 0;
	}
	sl_outbuf_printf(out, " local ports in use %" PRIu64 " left %" PRIu64 " (%u address%s)", used,
			 left, hop.npool, hop.npool == 1 ? "" : "es");
}

static int cmd_show_l4(void *arg, int argc, char **argv, struct sl_outbuf *out)
{
	struct sl_ctl *ctl = arg;
	const struct sl_dp *dp = ctl->dp;
	const struct sl_gen *c = dp->gen;
	if (c == NULL)
		return 0;
	const struct sl_gen_stats *g = ctl->gen_stats;
	uint64_t mhz = dp->tsc_hz / 1000000 ? dp->tsc_hz / 1000000 : 1;
	sl_outbuf_printf(out, "generation %" PRIu64 " (configuration %u): %u server slots, built in %" PRIu64
			 " us, published in %" PRIu64 " us; %u replaced configuration(s) still in use\n",
			 g != NULL ? g->n : 0, c->cfg_gen, c->nservers,
			 g != NULL ? g->build_cycles / mhz : 0, g != NULL ? g->publish_cycles / mhz : 0,
			 dp->cfg_retired);
	for (unsigned i = 0; i < dp->nworkers; i++) {
		const struct sl_lcore *lc = dp->lcores[dp->worker_ids[i]];
		struct sl_l4_worker_stats ws;
		sl_l4_worker_stats(lc, &ws);
		sl_outbuf_printf(out, "worker %u: flows %u/%u, local ports %u-%u\n", lc->lcore_id,
				 ws.flows, ws.capacity, ws.lport_lo, ws.lport_hi);
	}
	for (unsigned s = 0; s < c->nservices; s++) {
		const struct sl_l4_service *v = &c->services[s];
		const struct sl_bal_backend *b = &c->backends[v->backend];
		sl_outbuf_printf(out, "service %s %u-%u -> backend %s (%s, %u in rotation)%s\n",
				 v->frontend, v->port_lo, v->port_hi, b->name,
				 sl_cfg_balance_name((enum sl_balance)b->balance), b->nrot,
				 v->fe != NULL && v->fe->tcp_conn_rules != NULL ?
					 ", tcp-request connection rules" :
					 "");
	}
	/* the mode tcp frontends the proxy lcores serve instead (docs/config.md 4.15) */
	for (const struct sl_proxy *px = c->cfg->proxies; px != NULL; px = px->next)
		if (sl_cfg_on_proxy_lcores(px) && px->mode == SL_MODE_TCP)
			sl_outbuf_printf(out, "proxied tcp frontend %s (proxy lcores: %s)\n", px->name,
					 px->tcp_content_rules != NULL ? "tcp-request content rules" :
					 px->switches != NULL	       ? "use_backend rules" :
									 "the PROXY protocol");
	for (unsigned bi = 0; bi < c->nbackends; bi++) {
		const struct sl_bal_backend *b = &c->backends[bi];
		for (unsigned i = 0; i < b->nservers; i++) {
			uint64_t stot = 0, ended = 0, bin = 0, bout = 0;
			unsigned id;
			RTE_LCORE_FOREACH(id) {
				const struct sl_srv_ctrs *sc = &dp->lcores[id]->srv[b->servers[i].gidx];
				stot += sc->stot;
				ended += sc->ended;
				bin += sc->bin;
				bout += sc->bout;
			}
			sl_outbuf_printf(out,
					 "server %s/%s: cur %" PRIu64 " total %" PRIu64
					 " bytes_in %" PRIu64 " bytes_out %" PRIu64,
					 b->name, b->servers[i].name, stot - ended, stot, bin, bout);
			if (l4_backend(c, bi))
				show_l4_pairs(dp, &b->servers[i], out);
			sl_outbuf_printf(out, "\n");
		}
	}
	return 0;
}

/* ------------------------------------------------------------------ stick tables */

/* The backend whose `stick` rules use @t (its entries then show server_id and server_key, as
 * HAProxy's), or NULL. */
static const struct sl_bal_backend *table_sticks(const struct sl_gen *c, const struct sl_stk_table *t)
{
	for (unsigned i = 0; c->be_stick != NULL && i < c->nbackends; i++)
		if (c->be_stick[i].t == t)
			return &c->backends[i];
	return NULL;
}

struct table_walk {
	struct sl_outbuf *out;
	const struct sl_stk_table *t;
	uint32_t now;
	const struct sl_bal_backend *sticks;
};

/* One entry as HAProxy's `show table NAME` prints it: its data in HAProxy's order. */
static bool table_entry(void *arg, const struct sl_stk_entry *e, uint32_t ip)
{
	struct table_walk *w = arg;
	const struct sl_stk_table *t = w->t;
	struct sl_stk_ref r = {(struct sl_stk_entry *)e, __atomic_load_n(&e->key, __ATOMIC_ACQUIRE)};
	int32_t exp = (int32_t)(__atomic_load_n(&e->exp, __ATOMIC_RELAXED) - w->now);
	sl_outbuf_printf(w->out, "%p: key=%u.%u.%u.%u use=%u exp=%d", (const void *)e, ip >> 24,
			 ip >> 16 & 255, ip >> 8 & 255, ip & 255,
			 __atomic_load_n(&e->use, __ATOMIC_RELAXED),
			 t->def.expire_ms != 0 && exp > 0 ? exp : 0);
	static const enum sl_stk_data order[] = {
		SL_STK_SERVER_ID, SL_STK_GPC0, SL_STK_GPC0_RATE, SL_STK_CONN_CNT, SL_STK_CONN_RATE,
		SL_STK_CONN_CUR, SL_STK_HTTP_REQ_CNT, SL_STK_HTTP_REQ_RATE};
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		enum sl_stk_data d = order[i];
		uint64_t v;
		if (d == SL_STK_SERVER_ID ? !w->sticks : !(t->def.store & (1u << d)))
			continue;
		if (!sl_stk_read(t, &r, d, w->now, &v))
			v = 0;
		if (sl_stk_data_is_rate(d))
			sl_outbuf_printf(w->out, " %s(%u)=%" PRIu64, sl_stk_data_name(d),
					 t->def.period[d], v);
		else
			sl_outbuf_printf(w->out, " %s=%" PRIu64, sl_stk_data_name(d), v);
		if (d == SL_STK_SERVER_ID && v > 0 && v <= w->sticks->nservers)
			sl_outbuf_printf(w->out, " server_key=%s", w->sticks->servers[v - 1].name);
	}
	sl_outbuf_printf(w->out, "\n");
	return true;
}

static void table_head(struct sl_outbuf *out, const struct sl_gen_stk *g, uint32_t now)
{
	const struct sl_stk_table *t = g->t;
	sl_outbuf_printf(out, "# table: %s, type: ip, size:%u, used:%u, purged:%" PRIu64
			 ", full:%" PRIu64 "\n",
			 g->name, t->def.size, sl_stk_used(t, now),
			 __atomic_load_n(&t->purged, __ATOMIC_RELAXED),
			 __atomic_load_n(&t->full, __ATOMIC_RELAXED));
}

/* show table [NAME]: the tables, or one table's entries (HAProxy's format). */
static int cmd_show_table(void *arg, int argc, char **argv, struct sl_outbuf *out)
{
	struct sl_ctl *ctl = arg;
	const struct sl_gen *c = ctl->dp->gen;
	uint32_t now = (uint32_t)sl_dp_now_ms(ctl->dp);
	for (unsigned i = 0; c != NULL && i < c->nstk; i++) {
		const struct sl_gen_stk *g = &c->stk[i];
		if (argc > 2 && strcmp(argv[2], g->name) != 0)
			continue;
		table_head(out, g, now);
		if (argc > 2) {
			struct table_walk w = {out, g->t, now, table_sticks(c, g->t)};
			sl_stk_walk(g->t, now, table_entry, &w);
			return 0;
		}
	}
	if (argc > 2)
		sl_outbuf_printf(out, "No such table\n");
	return 0;
}

/* clear table NAME [key ADDR]: removes the entries no connection tracks (HAProxy's). */
static int cmd_clear_table(void *arg, int argc, char **argv, struct sl_outbuf *out)
{
	struct sl_ctl *ctl = arg;
	if (argc < 3) {
		sl_outbuf_printf(out, "Optional table name expected\n");
		return 0;
	}
	struct sl_stk_table *t = sl_gen_table(ctl->dp->gen, argv[2]);
	if (t == NULL) {
		sl_outbuf_printf(out, "No such table\n");
		return 0;
	}
	uint32_t ip = 0;
	bool all = argc < 5;
	if (!all) {
		unsigned a, b, cc, d;
		char tail;
		if (strcmp(argv[3], "key") != 0 ||
		    sscanf(argv[4], "%u.%u.%u.%u%c", &a, &b, &cc, &d, &tail) != 4 || a > 255 ||
		    b > 255 || cc > 255 || d > 255) {
			sl_outbuf_printf(out, "'clear table NAME key ADDR' expects an IPv4 address\n");
			return 0;
		}
		ip = a << 24 | b << 16 | cc << 8 | d;
	}
	sl_stk_clear(t, all, ip);
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
	sl_outbuf_printf(out, "# lcore roles rx_packets tx_packets drops polls busy_pct idle_sleeps busy_cycles busy_ms rx_handed proxy_segments cpus\n");
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
		/* the CPUs the lcore runs on (EAL's placement): "0", or "0,2" */
		char cpus[64] = "";
		rte_cpuset_t set = rte_lcore_cpuset(id);
		for (unsigned cpu = 0, n = 0; cpu < CPU_SETSIZE && n + 8 < sizeof(cpus); cpu++)
			if (CPU_ISSET(cpu, &set))
				n += (unsigned)snprintf(cpus + n, sizeof(cpus) - n, "%s%u", n ? "," : "", cpu);
		sl_outbuf_printf(out,
				 "%u %s %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %.2f %" PRIu64
				 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %s\n",
				 id, roles, c->c[SL_CTR_RX_PKTS], c->c[SL_CTR_TX_PKTS], drops, c->polls,
				 elapsed ? 100.0 * (double)c->busy_cycles / (double)elapsed : 0.0,
				 c->idle_sleeps, c->busy_cycles,
				 dp->tsc_hz >= 1000 ? c->busy_cycles / (dp->tsc_hz / 1000) : 0,
				 c->c[SL_CTR_RX_HANDED], c->c[SL_CTR_PROXY_SEGMENTS], cpus);
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
	/* what sluice's XDP program did before anything reached sluice: frames left to the
	 * kernel are not drops, but where they went belongs here */
	uint64_t x[SL_XDP_NCTR];
	if (xdp_sum(ctl, x))
		for (unsigned k = 0; k < SL_XDP_NCTR; k++)
			sl_outbuf_printf(out, "%s: %" PRIu64 "\n", sl_xdp_ctr_name(k), x[k]);
	/* log lines, not packets: show info's DroppedLogs */
	sl_outbuf_printf(out, "dropped_logs: %" PRIu64 "\n", sl_dropped_logs_total(ctl));
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
	int g = sl_gen_find_server(ctl->dp->gen, be, srv);
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
	if (g >= 0 && sl_query_reset_server(ctl->dp, (uint16_t)g) < 0)
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
	{"show table", SL_CLI_USER, cmd_show_table, "[<name>]", "stick tables, or one table's entries (HAProxy's format)"},
	{"clear table", SL_CLI_OPERATOR, cmd_clear_table, "<name> [key <addr>]", "remove a stick table's entries (untracked ones), or one key's"},
	{"show tcp", SL_CLI_USER, cmd_show_tcp, NULL, "the proxy lcores' TCP stacks"},
	{"show http", SL_CLI_USER, cmd_show_http, NULL, "the proxy lcores' HTTP sessions"},
	{"show sess", SL_CLI_OPERATOR, cmd_show_sess, NULL, "a bounded summary of live L4 flows and HTTP sessions"},
	{"show pools", SL_CLI_USER, cmd_show_pools, NULL, "every fixed pool: used, free, size"},
	{"show resolvers", SL_CLI_USER, cmd_show_resolvers, NULL, "run-time DNS: name servers' counters, names' status and addresses"},
	{"show servers state", SL_CLI_USER, cmd_show_servers_state, NULL, "every server's state and weights (HAProxy's format)"},
	{"show errors", SL_CLI_OPERATOR, cmd_show_errors, NULL, "the last requests refused as malformed, with their bytes"},
	{"clear counters", SL_CLI_OPERATOR, cmd_clear_counters, NULL, "clear the maxima (smax, qmax, rate_max, req_rate_max)"},
	{"clear counters all", SL_CLI_ADMIN, cmd_clear_counters, NULL, "every cumulative counter of show stat from zero"},
	{"reload", SL_CLI_ADMIN, cmd_reload, NULL, "read the configuration files again and apply the difference (as SIGHUP)"},
	{"reload certs", SL_CLI_ADMIN, cmd_reload_certs, NULL, "load every ssl bind's certificates again from disk (as SIGHUP)"},
	{"disable server", SL_CLI_ADMIN, cmd_able_server, "<bk>/<srv>", "put a server in maintenance (no new flow)"},
	{"enable server", SL_CLI_ADMIN, cmd_able_server, "<bk>/<srv>", "take a server out of maintenance"},
	{"set server", SL_CLI_ADMIN, cmd_set_server, "<bk>/<srv> state ready|drain|maint | weight N", "change a server's state or weight"},
	{"shutdown sessions server", SL_CLI_ADMIN, cmd_shutdown_sessions, "<bk>/<srv>", "reset every flow of a server"},
	{NULL, 0, NULL, NULL, NULL},
};

struct sl_checks *sl_ctl_checks(const struct sl_ctl *ctl)
{
	return ctl != NULL ? ctl->checks : NULL;
}

struct sl_ctl *sl_ctl_open(struct sl_dp *dp, const struct sl_cfg *cfg, struct sl_checks *checks,
			   const struct sl_xdp_port *xdp, const struct sl_gen_stats *gen_stats)
{
	struct sl_ctl *ctl = calloc(1, sizeof(*ctl));
	if (ctl == NULL)
		return NULL;
	ctl->xdp = xdp;
	ctl->gen_stats = gen_stats;
	ctl->dp = dp;
	ctl->cfg = cfg;
	ctl->checks = checks;
	ctl->start_sec = (uint64_t)time(NULL);
	tel_register(ctl);
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
		/* global `stats timeout` and `stats maxconn`, for the configured sockets */
		if (cfg->global.stats_timeout > 0)
			sl_stats_sock_set_timeout(ss, cfg->global.stats_timeout);
		if (cfg->global.stats_maxconn > 0)
			sl_stats_sock_set_limits(ss, cfg->global.stats_maxconn, 0);
		ctl->socks[ctl->nsocks++] = ss;
	}
	/* the process's own admin socket: what `systemctl reload` reaches (stats_proto.h) */
	char own[128];
	snprintf(own, sizeof(own), SL_PROTO_OWN_SOCKET_FMT, (int)getpid());
	mkdir("/run/sluice", 0755);
	struct sl_stats_sock *ss = ctl->nsocks < SL_CTL_MAX_SOCKS ?
					   sl_stats_sock_open(own, 0600, SL_CLI_ADMIN, commands, ctl) :
					   NULL;
	if (ss == NULL)
		fprintf(stderr, "sluiced: cannot open its own admin socket %s: %m (systemctl reload, which reaches sluiced through it, will fail; SIGHUP still reloads)\n",
			own);
	else
		ctl->socks[ctl->nsocks++] = ss;
	return ctl;
}

void sl_ctl_on_reload(struct sl_ctl *ctl, int (*fn)(void *arg, struct sl_outbuf *out), void *arg)
{
	if (ctl == NULL)
		return;
	ctl->reload = fn;
	ctl->reload_arg = arg;
}

void sl_ctl_on_show_resolvers(struct sl_ctl *ctl, void (*fn)(void *arg, struct sl_outbuf *out),
			      void *arg)
{
	if (ctl == NULL)
		return;
	ctl->show_resolvers = fn;
	ctl->show_resolvers_arg = arg;
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
	set_rates(ctl, NULL);
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
	free(ctl->base);
	free(ctl->rates);
	pthread_mutex_lock(&tel_lock);
	tel_ctl = NULL;
	pthread_mutex_unlock(&tel_lock);
	sl_stats_rows_free(ctl->snap, ctl->nsnap);
	free(ctl);
}
