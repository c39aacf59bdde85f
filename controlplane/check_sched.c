/* SPDX-License-Identifier: BSD-3-Clause */
#include "controlplane/check_sched.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_cycles.h>
#include <rte_lcore.h>
#include <rte_random.h>

#include "controlplane/cfg/cfg.h"
#include "controlplane/gen_build.h"
#include "controlplane/query.h"
#include "controlplane/stats/stats_model.h"
#include "dataplane/core/gen.h"
#include "dataplane/core/lcore.h"
#include "dataplane/core/msg.h"
#include "dataplane/l4/l4.h"
#include "dataplane/l4/probe.h"
#include "dataplane/tcphost/httpchk.h"
#include "proto/outbuf.h"
#include "controlplane/log/logger.h"

struct srv_meta {
	const char *backend;
	const char *name;
	uint32_t ip;
	uint16_t port;     /* where the probe goes: `port` of the server line, else its port */
	uint32_t timeout_ms;
	int gidx;
	bool disabled;                /* `disabled` in the configuration */
	int cfg_weight;               /* the configuration's weight */
	const struct sl_httpchk *chk; /* `option httpchk` of the backend, NULL: TCP check */
	const struct sl_tcpchk *tcp;  /* `option tcp-check` with send/expect rules, else NULL */
	struct sl_hchk_target tgt;    /* the HTTP check request, check-ssl */
};

struct sl_checks {
	struct sl_dp *dp;
	struct sl_gen_stats *gen_stats; /* the last rebuild's figures (`show l4`) */
	const struct sl_cfg *cfg;
	struct sl_check_sched sched;
	unsigned n;
	struct sl_check_srv *srv; /* by gidx */
	struct srv_meta *meta;    /* by gidx */
	uint8_t *out;             /* by gidx: SL_SRV_RT_* (republish input) */
	uint16_t *weights;        /* by gidx: weight set at run time, SL_SRV_WEIGHT_CFG when not */
	uint32_t cfg_gen;         /* the configuration generation these checks were made for */
	bool changed;             /* a state changed since the last publish */
	uint64_t sweep_ms;        /* the next look for checks whose result never came */
	struct sl_logger *logger; /* event logs (controlplane/log/), NULL: none */
};

static uint32_t check_timeout(const struct sl_proxy *be, const struct sl_server *s)
{
	/* HAProxy: `timeout check` when set, else the check interval bounds the whole check */
	int inter = s->p.inter > 0 ? s->p.inter : 2000;
	if (be->to.check > 0)
		return (uint32_t)be->to.check;
	if (be->to.connect > 0 && be->to.connect < inter)
		return (uint32_t)be->to.connect;
	return (uint32_t)inter;
}

/* HAProxy's HTTP check request: "METHOD URI VERSION", the headers of `option httpchk` /
 * `http-check send`, then an empty line (HAProxy defaults: OPTIONS / HTTP/1.0). */
static char *http_request(const struct sl_httpchk *chk, uint32_t *len)
{
	char *text = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&text, &n);
	if (f == NULL)
		return NULL;
	fprintf(f, "%s %s %s\r\n", chk->method ? chk->method : "OPTIONS", chk->uri ? chk->uri : "/",
		chk->version ? chk->version : "HTTP/1.0");
	for (const struct sl_cfg_str *h = chk->headers; h != NULL; h = h->next)
		fprintf(f, "%s\r\n", h->s);
	fputs("\r\n", f);
	fclose(f);
	*len = (uint32_t)n;
	return text;
}

/* Whether @be's tcp-check rules need a connection of their own (a send or an expect): rules
 * that only connect are the L4 probe's work (`tcp-check connect port N` included). */
static bool tcpchk_runs(const struct sl_proxy *be)
{
	for (unsigned k = 0; be->tcpchk.on && k < be->tcpchk.nrules; k++)
		if (be->tcpchk.rules[k].op != SL_TCPCHK_CONNECT)
			return true;
	return false;
}

/* Rebuilds the generation with the servers' usability and publishes it. */
static void republish(struct sl_checks *c)
{
	for (unsigned g = 0; g < c->n; g++)
		c->out[g] = sl_check_srv_usable(&c->srv[g])		 ? SL_SRV_RT_IN :
			    sl_check_srv_accepts_persistent(&c->srv[g]) ? SL_SRV_RT_PERSIST :
									  SL_SRV_RT_OUT;
	struct sl_gen *conf;
	uint64_t t0 = rte_rdtsc();
	if (sl_gen_build(c->cfg, c->dp, c->out, c->weights, &conf) < 0) {
		fprintf(stderr, "sluiced: out of memory rebuilding the L4 tables; keeping the old ones\n");
		return;
	}
	uint64_t t1 = rte_rdtsc();
	sl_gen_publish(c->dp, conf, rte_lcore_id());
	struct sl_gen_stats *gs = c->gen_stats;
	if (gs != NULL) {
		gs->n++;
		gs->servers = conf->nservers;
		gs->build_cycles = t1 - t0;
		gs->publish_cycles = rte_rdtsc() - t1;
	}
}

/* The connections server @g has open now, summed over the lcores that balance. */
static unsigned srv_sessions(const struct sl_checks *c, int g)
{
	unsigned n = 0;
	for (unsigned i = 0; i < c->dp->nworkers; i++)
		if (c->dp->worker_active[i] != NULL)
			n += __atomic_load_n(&c->dp->worker_active[i][g], __ATOMIC_RELAXED);
	for (unsigned i = 0; i < c->dp->nproxies; i++)
		if (c->dp->proxy_active[i] != NULL)
			n += __atomic_load_n(&c->dp->proxy_active[i][g], __ATOMIC_RELAXED);
	return n;
}

/* The usable active and backup servers of @g's backend (HAProxy's srv_act, srv_bck). */
static void srv_counts(const struct sl_checks *c, int g, unsigned *act, unsigned *bck)
{
	*act = *bck = 0;
	for (unsigned x = 0; x < c->n; x++)
		if (c->meta[x].name != NULL && strcmp(c->meta[x].backend, c->meta[g].backend) == 0 &&
		    sl_check_srv_usable(&c->srv[x]))
			*(c->srv[x].backup ? bck : act) += 1;
}

/* HAProxy's srv_append_status() for a check: ", reason: R[, code: C][, info: "I"], check
 * duration: Nms" of @s's last check, appended at @o in @buf (size @n); returns the new end. */
static size_t append_check(char *buf, size_t n, size_t o, const struct sl_check_srv *s)
{
	if (o >= n)
		return o;
	o += (size_t)snprintf(buf + o, n - o, ", reason: %s", sl_check_status_desc(s->status));
	if (sl_check_status_has_code(s->status) && o < n)
		o += (size_t)snprintf(buf + o, n - o, ", code: %d", s->code);
	/* a refused connection: HAProxy's info is the errno's text */
	const char *info = s->info[0] != '\0'		? s->info :
			   s->status == SL_CHK_L4CON ? "Connection refused" :
						       NULL;
	if (info != NULL && o < n)
		o += (size_t)snprintf(buf + o, n - o, ", info: \"%s\"", info);
	if (o < n)
		o += (size_t)snprintf(buf + o, n - o, ", check duration: %" PRIu64 "ms",
				      s->duration_ms);
	return o < n ? o : n;
}

/* HAProxy's server counts after a state change: ". A active and B backup servers left.
 * N sessions active, 0 requeued, 0 remaining in queue" when @g is DOWN (or going), else
 * ". A active and B backup servers online. 0 sessions requeued, 0 total in queue"; " Running on
 * backup." when only backups are left. */
static void append_counts(char *buf, size_t n, const struct sl_checks *c, int g, bool down)
{
	unsigned act, bck;
	srv_counts(c, g, &act, &bck);
	size_t o = strlen(buf);
	const char *bk = bck && !act ? " Running on backup." : "";
	if (o >= n)
		return;
	if (down)
		snprintf(buf + o, n - o,
			 ". %u active and %u backup servers left.%s %u sessions active, 0 requeued, 0 remaining in queue",
			 act, bck, bk, srv_sessions(c, g));
	else
		snprintf(buf + o, n - o,
			 ". %u active and %u backup servers online.%s 0 sessions requeued, 0 total in queue",
			 act, bck, bk);
}

/* "backend B has no server available!" (emerg) when @g's backend has no usable server left. */
static void log_no_server(struct sl_checks *c, const struct sl_proxy *be, int g)
{
	unsigned act, bck;
	srv_counts(c, g, &act, &bck);
	if (act + bck == 0)
		sl_log(c->logger, be, SL_LOG_EMERG, "backend %s has no server available!",
		       c->meta[g].backend);
}

/*
 * HAProxy 2.6's event lines for a server going DOWN (alert) or UP (notice) after its checks, to
 * the backend's log targets, with the check's reason, code, info and duration (unless `option
 * log-health-checks` logged the check itself just before), and the
 * backend's usable servers left; "backend B has no server available!" (emerg) when none is
 * left; "... remains in forced drain mode." when it changed while drained.
 */
static void log_transition(struct sl_checks *c, int g, unsigned ev)
{
	const struct sl_check_srv *s = &c->srv[g];
	const struct sl_proxy *be = sl_cfg_find_proxy(c->cfg, c->meta[g].backend, SL_CAP_BE);
	if (c->logger == NULL || be == NULL)
		return;
	char line[768];
	bool down = ev & SL_CHK_EV_DOWN;
	size_t o = (size_t)snprintf(line, sizeof(line), "%sServer %s/%s is %s",
				    s->backup ? "Backup " : "", c->meta[g].backend,
				    c->meta[g].name, down ? "DOWN" : "UP");
	if (s->status != SL_CHK_INI && !be->log_health_checks) /* else the check's line said it */
		append_check(line, sizeof(line), o, s);
	append_counts(line, sizeof(line), c, g, down);
	sl_log(c->logger, be, down ? SL_LOG_ALERT : SL_LOG_NOTICE, "%s.", line);
	if (down)
		log_no_server(c, be, g);
	if ((s->admin & SL_CHK_ADM_DRAIN) && !(s->admin & SL_CHK_ADM_MAINT))
		sl_log(c->logger, be, SL_LOG_NOTICE, "%sServer %s/%s remains in forced drain mode.",
		       s->backup ? "Backup " : "", c->meta[g].backend, c->meta[g].name);
}

/*
 * `option log-health-checks`: HAProxy 2.6's line for a check whose status or health changed
 * (set_server_check_status()), "Health check for [backup ]server B/S succeeded|failed, reason:
 * ..., status: x/y UP|DOWN|DRAIN." at notice, before the state change it may cause.
 */
static void log_check(struct sl_checks *c, int g, enum sl_check_status prev, int prev_health)
{
	const struct sl_check_srv *s = &c->srv[g];
	if (c->logger == NULL || (s->status == prev && s->health == prev_health))
		return;
	const struct sl_proxy *be = sl_cfg_find_proxy(c->cfg, c->meta[g].backend, SL_CAP_BE);
	if (be == NULL || !be->log_health_checks)
		return;
	enum sl_check_res res = sl_check_status_result(s->status);
	char line[768];
	size_t o = (size_t)snprintf(line, sizeof(line), "Health check for %sserver %s/%s %s%s",
				    s->backup ? "backup " : "", c->meta[g].backend, c->meta[g].name,
				    res == SL_CHK_RES_CONDPASS ? "conditionally " : "",
				    res == SL_CHK_RES_PASSED || res == SL_CHK_RES_CONDPASS ?
					    "succeeded" :
					    "failed");
	append_check(line, sizeof(line), o, s);
	bool up = s->health >= s->rise;
	sl_log(c->logger, be, SL_LOG_NOTICE, "%s, status: %d/%d %s.", line,
	       up ? s->health - s->rise + 1 : s->health, up ? s->fall : s->rise,
	       !up ? "DOWN" : s->weight > 0 ? "UP" : "DRAIN");
}

/*
 * HAProxy 2.6's lines for an admin change of @g (`set server ... state`, `disable/enable
 * server`, the stats page's actions), @adm and @op being its admin flags and state before.
 */
static void log_admin(struct sl_checks *c, int g, unsigned adm, enum sl_check_op op)
{
	const struct sl_check_srv *s = &c->srv[g];
	const struct sl_proxy *be = sl_cfg_find_proxy(c->cfg, c->meta[g].backend, SL_CAP_BE);
	if (c->logger == NULL || be == NULL)
		return;
	const char *bk = s->backup ? "Backup " : "", *bn = c->meta[g].backend, *sn = c->meta[g].name;
	bool was_m = adm & SL_CHK_ADM_MAINT, is_m = s->admin & SL_CHK_ADM_MAINT;
	bool was_d = adm & SL_CHK_ADM_DRAIN, is_d = s->admin & SL_CHK_ADM_DRAIN;
	char line[768];
	if (!was_m && is_m) {
		if (op == SL_CHK_OP_DOWN) {
			sl_log(c->logger, be, SL_LOG_NOTICE,
			       "%sServer %s/%s was DOWN and now enters maintenance.", bk, bn, sn);
		} else {
			snprintf(line, sizeof(line), "%sServer %s/%s is going DOWN for maintenance",
				 bk, bn, sn);
			append_counts(line, sizeof(line), c, g, true);
			sl_log(c->logger, be, SL_LOG_NOTICE, "%s.", line);
			log_no_server(c, be, g);
		}
	} else if (was_m && !is_m) {
		sl_log(c->logger, be, SL_LOG_NOTICE, "%sServer %s/%s is %s/%s (leaving forced maintenance).",
		       bk, bn, sn, s->op == SL_CHK_OP_DOWN ? "DOWN" : "UP", is_d ? "DRAIN" : "READY");
	}
	if (is_m)
		return;
	if (!was_d && is_d) {
		snprintf(line, sizeof(line), "%sServer %s/%s enters drain state", bk, bn, sn);
		append_counts(line, sizeof(line), c, g, s->op == SL_CHK_OP_DOWN);
		sl_log(c->logger, be, SL_LOG_NOTICE, "%s.", line);
		if (op != SL_CHK_OP_DOWN && !was_m)
			log_no_server(c, be, g);
	} else if (was_d && !is_d) {
		sl_log(c->logger, be, SL_LOG_NOTICE, "%sServer %s/%s is %s (leaving forced drain).", bk,
		       bn, sn, s->op == SL_CHK_OP_DOWN ? "DOWN" : "UP");
	}
}

void sl_checks_set_logger(struct sl_checks *c, struct sl_logger *lg)
{
	if (c != NULL)
		c->logger = lg;
}

static void after_event(struct sl_checks *c, int g, unsigned ev, bool admin)
{
	if (ev & SL_CHK_EV_SHUTDOWN)
		sl_query_reset_server(c->dp, (uint16_t)g);
	if (ev & SL_CHK_EV_SHUTDOWN_BACKUPS) /* a server of the backend is back: its backups'
					      * flows and sessions go, as HAProxy's */
		for (unsigned x = 0; x < c->n; x++)
			if (c->meta[x].name != NULL && c->srv[x].backup &&
			    strcmp(c->meta[x].backend, c->meta[g].backend) == 0)
				sl_query_reset_server(c->dp, (uint16_t)x);
	if (ev & (SL_CHK_EV_DOWN | SL_CHK_EV_UP)) {
		char buf[32];
		printf("sluiced: server %s/%s is %s (%s)\n", c->meta[g].backend, c->meta[g].name,
		       sl_check_srv_status_text(&c->srv[g], buf, sizeof(buf)),
		       sl_check_status_str(c->srv[g].status));
		fflush(stdout);
		if (!admin)
			log_transition(c, g, ev);
	}
}

/* The PROXY header a check of @s starts with (HAProxy 2.6): with `check-send-proxy`, or when the
 * server sends one to its traffic and is checked on its own address and port; v2 when the
 * server sends v2. 0: none. */
static uint8_t check_send_proxy(const struct sl_server *s)
{
	bool own = s->p.check_port == 0 && s->p.check_addr.family == 0;
	if (!s->p.check_send_proxy && !(s->p.send_proxy != 0 && own))
		return 0;
	return (s->p.send_proxy & SL_SEND_PROXY_V2) ? SL_SEND_PROXY_V2 : SL_SEND_PROXY_V1;
}

struct sl_checks *sl_checks_create(struct sl_dp *dp, const struct sl_cfg *cfg,
				   const struct sl_gen *l4, struct sl_gen_stats *gen_stats)
{
	struct sl_checks *c = calloc(1, sizeof(*c));
	if (c == NULL)
		return NULL;
	c->dp = dp;
	c->gen_stats = gen_stats;
	c->cfg = cfg;
	c->cfg_gen = dp->cfg_gen;
	c->n = l4 != NULL ? l4->nservers : 0;
	c->srv = calloc(c->n ? c->n : 1, sizeof(*c->srv));
	c->meta = calloc(c->n ? c->n : 1, sizeof(*c->meta));
	c->out = calloc(SL_MAX_SERVERS, 1);
	c->weights = malloc(SL_MAX_SERVERS * sizeof(*c->weights));
	struct sl_check_srv **list = calloc(c->n ? c->n : 1, sizeof(*list));
	if (c->srv == NULL || c->meta == NULL || c->out == NULL || c->weights == NULL || list == NULL)
		goto fail;
	for (unsigned g = 0; g < SL_MAX_SERVERS; g++)
		c->weights[g] = SL_SRV_WEIGHT_CFG;
	sl_check_sched_init(&c->sched, cfg->global.spread_checks, 0, (uint64_t)rte_rand());
	uint64_t now = sl_dp_now_ms(dp);
	for (unsigned bi = 0; l4 != NULL && bi < l4->nbackends; bi++) {
		const struct sl_bal_backend *b = &l4->backends[bi];
		const struct sl_proxy *be = sl_cfg_find_proxy(cfg, b->name, SL_CAP_BE);
		for (unsigned i = 0; i < b->nservers; i++) {
			int g = b->servers[i].gidx;
			const struct sl_server *s = sl_cfg_find_server(be, b->servers[i].name);
			/* a server without an address (init-addr none) is in maintenance */
			struct sl_srv_params sp = s->p;
			sp.disabled = sl_cfg_srv_maint(s);
			sl_check_srv_init(&c->srv[g], &sp, now);
			c->meta[g] = (struct srv_meta){
				.backend = b->name,
				.name = s->name,
				.ip = s->p.check_addr.family == AF_INET ? s->p.check_addr.v4 :
									  s->addr.v4,
				.port = sl_tcpchk_port(be->tcpchk.on ? &be->tcpchk : NULL,
						       (uint16_t)(s->p.check_port ? s->p.check_port :
										    s->port)),
				.timeout_ms = check_timeout(be, s),
				.gidx = g,
				.disabled = sp.disabled,
				.cfg_weight = s->p.weight,
				.chk = be->chk.on ? &be->chk : NULL,
				.tcp = tcpchk_runs(be) ? &be->tcpchk : NULL};
			c->meta[g].tgt.send_proxy = check_send_proxy(s);
			c->meta[g].tgt.pp_opts = s->p.pp_opts;
			if (be->chk.on) {
				c->meta[g].tgt.text = http_request(&be->chk, &c->meta[g].tgt.text_len);
				if (c->meta[g].tgt.text == NULL)
					goto fail;
				/* check-ssl: srvtls.c built the contexts (check_ssl with check) */
				c->meta[g].tgt.tls = s->p.tls.check_ssl ? s->tls : NULL;
				c->meta[g].tgt.sni = s->p.tls.check_sni;
			}
			list[g] = &c->srv[g];
		}
	}
	if (sl_check_sched_start(&c->sched, list, c->n, now) < 0)
		goto fail;
	free(list);
	return c;
fail:
	free(list);
	sl_checks_destroy(c);
	return NULL;
}

void sl_checks_destroy(struct sl_checks *c)
{
	if (c == NULL)
		return;
	sl_check_sched_free(&c->sched);
	for (unsigned g = 0; c->meta != NULL && g < c->n; g++)
		free((char *)c->meta[g].tgt.text);
	free(c->srv);
	free(c->meta);
	free(c->out);
	free(c->weights);
	free(c);
}

/* A probe's or HTTP check's outcome for server @g (results arrive through main's inbox). */
static void result(struct sl_checks *c, int g, enum sl_check_status st, int code)
{
	if (c == NULL || g < 0 || (unsigned)g >= c->n || !c->srv[g].in_progress)
		return;
	enum sl_check_status prev = c->srv[g].status;
	int prev_health = c->srv[g].health;
	unsigned ev = sl_check_report(&c->sched, &c->srv[g], sl_dp_now_ms(c->dp), st, code, NULL);
	if (ev & SL_CHK_EV_CHANGED)
		c->changed = true;
	log_check(c, g, prev, prev_health);
	after_event(c, g, ev, false);
}

void sl_checks_msg(struct sl_checks *c, const struct sl_msg *m)
{
	static const enum sl_check_status map[] = {
		[SL_PROBE_OK] = SL_CHK_L4OK,
		[SL_PROBE_REFUSED] = SL_CHK_L4CON,
		[SL_PROBE_TIMEOUT] = SL_CHK_L4TOUT,
		[SL_PROBE_NO_ROOM] = SL_CHK_SOCKERR,
	};
	if (m->op == SL_MSG_PROBE_RES) {
		struct sl_probe_res r;
		memcpy(&r, m->u.raw, sizeof(r));
		result(c, r.id, map[r.status & 3], 0);
	} else if (m->op == SL_MSG_HCHECK_RES) {
		struct sl_hchk_res r;
		memcpy(&r, m->u.raw, sizeof(r));
		result(c, r.id, (enum sl_check_status)r.status, r.code);
	}
}

/* A result travels back in a ring message; when main's inbox was full it was dropped (counted
 * in drop_ring_full by the sender) and its server would never be due again. Once a second, a
 * check started more than its timeout plus a second ago is given up: no verdict, rescheduled,
 * counted in main's check_results_lost. */
static void sweep_lost(struct sl_checks *c, uint64_t now)
{
	c->sweep_ms = now + 1000;
	struct sl_lcore_ctrs *ctr = &c->dp->ctrs[rte_get_main_lcore()];
	for (unsigned g = 0; g < c->n; g++) {
		struct sl_check_srv *s = &c->srv[g];
		if (s->in_progress && now > s->start_ms + c->meta[g].timeout_ms + 1000 &&
		    sl_check_lost(&c->sched, s, now))
			ctr->c[SL_CTR_CHECKS_LOST]++;
	}
}

void sl_checks_tick(struct sl_checks *c)
{
	if (c == NULL || c->n == 0)
		return;
	uint64_t now = sl_dp_now_ms(c->dp);
	if (c->changed) {
		c->changed = false;
		republish(c);
	}
	if (now >= c->sweep_ms)
		sweep_lost(c, now);
	struct sl_check_srv *due[64];
	size_t nd = sl_check_due(&c->sched, now, due, 64);
	for (size_t i = 0; i < nd; i++) {
		int g = (int)(due[i] - c->srv);
		if (c->meta[g].chk != NULL || c->meta[g].tcp != NULL) {
			struct sl_hchk_req hr = {.ip = c->meta[g].ip,
						 .port = c->meta[g].port,
						 .id = (uint16_t)g,
						 .timeout_ms = c->meta[g].timeout_ms,
						 .srv_down = due[i]->op == SL_CHK_OP_DOWN,
						 .tcp = c->meta[g].tcp != NULL,
						 .tgt = &c->meta[g].tgt,
						 .cfg_gen = c->cfg_gen};
			if (hr.tcp)
				hr.tcp_rules = c->meta[g].tcp;
			else
				hr.chk = c->meta[g].chk;
			struct sl_msg m = {.op = SL_MSG_HCHECK};
			memcpy(m.u.raw, &hr, sizeof(hr));
			/* spread over the proxy lcores by server */
			if (hr.port == 0 || c->dp->nproxies == 0 ||
			    sl_msg_send(c->dp, c->dp->proxy_ids[(unsigned)g % c->dp->nproxies], &m) < 0)
				sl_check_report(&c->sched, due[i], now, SL_CHK_SOCKERR, 0,
						hr.tcp ? "tcp-check not started" : "HTTP check not started");
			continue;
		}
		struct sl_probe_req req = {.ip = c->meta[g].ip,
					   .port = c->meta[g].port,
					   .id = (uint16_t)g,
					   .timeout_ms = c->meta[g].timeout_ms};
		struct sl_msg m = {.op = SL_MSG_PROBE};
		memcpy(m.u.raw, &req, sizeof(req));
		if (req.port == 0 || sl_msg_send(c->dp, c->dp->l4->probe_lcore, &m) < 0)
			sl_check_report(&c->sched, due[i], now, SL_CHK_SOCKERR, 0,
					req.port == 0 ? "no port to check" : "probe queue full");
	}
}

void sl_checks_carry(struct sl_checks *c, const struct sl_checks *old)
{
	for (unsigned g = 0; old != NULL && g < c->n && g < old->n; g++) {
		const struct srv_meta *m = &c->meta[g], *om = &old->meta[g];
		if (m->name == NULL || om->name == NULL || strcmp(m->backend, om->backend) != 0 ||
		    strcmp(m->name, om->name) != 0)
			continue;
		sl_check_srv_carry(&c->srv[g], &old->srv[g], om->disabled, m->disabled);
		/* a weight set at run time stays unless the file changed that server's weight */
		if (old->weights[g] != SL_SRV_WEIGHT_CFG && om->cfg_weight == m->cfg_weight) {
			c->weights[g] = old->weights[g];
			c->srv[g].weight = old->weights[g];
		}
	}
}

void sl_checks_publish(struct sl_checks *c)
{
	republish(c);
}

int sl_checks_set_admin(struct sl_checks *c, int gidx, enum sl_check_admin_cmd cmd)
{
	if (c == NULL || gidx < 0 || (unsigned)gidx >= c->n)
		return -ENOENT;
	unsigned adm = c->srv[gidx].admin;
	enum sl_check_op op = c->srv[gidx].op;
	unsigned ev = sl_check_set_admin(&c->sched, &c->srv[gidx], cmd, sl_dp_now_ms(c->dp));
	log_admin(c, gidx, adm, op);
	after_event(c, gidx, ev, true);
	if (ev & SL_CHK_EV_CHANGED)
		republish(c);
	return 0;
}

int sl_checks_set_weight(struct sl_checks *c, int gidx, int weight)
{
	if (c == NULL || gidx < 0 || (unsigned)gidx >= c->n || weight < 0 || weight > 256)
		return -EINVAL;
	c->srv[gidx].weight = weight; /* 0: no new traffic (usability follows, as HAProxy's) */
	c->weights[gidx] = (uint16_t)weight;
	republish(c);
	return 0;
}

void sl_checks_show_servers_state(struct sl_checks *c, struct sl_outbuf *out)
{
	/* HAProxy's `show servers state` (version 1 format), the columns sluice has */
	sl_outbuf_printf(out, "1\n# be_name srv_name srv_addr srv_port srv_op_state srv_admin_state "
			      "srv_uweight srv_iweight srv_time_since_last_change srv_check_status "
			      "srv_check_health srv_check_state\n");
	if (c == NULL)
		return;
	uint64_t now = sl_dp_now_ms(c->dp);
	for (unsigned g = 0; g < c->n; g++) {
		const struct sl_check_srv *s = &c->srv[g];
		const struct srv_meta *m = &c->meta[g];
		if (m->name == NULL) /* a slot no server of this configuration has */
			continue;
		/* HAProxy's op_state: 0 stopped, 1 starting, 2 running, 3 stopping; admin: bit 1
		 * forced maintenance, bit 4 (0x10) forced drain */
		int op = s->op == SL_CHK_OP_DOWN ? 0 : 2;
		unsigned adm = ((s->admin & SL_CHK_ADM_MAINT) ? 0x01u : 0u) |
			       ((s->admin & SL_CHK_ADM_DRAIN) ? 0x08u : 0u);
		sl_outbuf_printf(out, "%s %s %u.%u.%u.%u %u %d %u %d %d %" PRIu64 " %d %d %d\n",
				 m->backend, m->name, m->ip >> 24, (m->ip >> 16) & 255,
				 (m->ip >> 8) & 255, m->ip & 255, m->port, op, adm, s->weight,
				 c->weights[g] == SL_SRV_WEIGHT_CFG ? s->weight : c->weights[g],
				 sl_check_srv_lastchg(s, now), (int)s->status, s->health,
				 s->check ? 1 : 0);
	}
}

void sl_checks_fill_rows(struct sl_checks *c, struct sl_stats_row *rows, size_t n)
{
	if (c == NULL)
		return;
	uint64_t now = sl_dp_now_ms(c->dp);
	for (unsigned g = 0; g < c->n; g++) {
		const struct sl_check_srv *s = &c->srv[g];
		if (c->meta[g].name == NULL)
			continue;
		struct sl_stats_row *r = sl_stats_find(rows, n, c->meta[g].backend, c->meta[g].name);
		if (r == NULL)
			continue;
		char buf[64];
		sl_stats_set_str(r, SL_ST_STATUS, sl_check_srv_status_text(s, buf, sizeof(buf)));
		if (s->admin & SL_CHK_ADM_MAINT)
			continue;
		sl_stats_set_u(r, SL_ST_LASTCHG, sl_check_srv_lastchg(s, now));
		sl_stats_set_u(r, SL_ST_DOWNTIME, sl_check_srv_downtime(s, now));
		if (!s->check)
			continue;
		sl_stats_set_str(r, SL_ST_CHECK_STATUS, sl_check_srv_check_status(s, buf, sizeof(buf)));
		if (s->status > SL_CHK_INI)
			sl_stats_set_u(r, SL_ST_CHECK_DURATION, s->duration_ms);
		if (sl_check_status_has_code(s->status))
			sl_stats_set_u(r, SL_ST_CHECK_CODE, (uint64_t)s->code);
		sl_stats_set_u(r, SL_ST_CHKFAIL, s->chkfail);
		sl_stats_set_u(r, SL_ST_CHKDOWN, s->chkdown);
		sl_stats_set_u(r, SL_ST_CHECK_HEALTH, (uint64_t)s->health);
		sl_stats_set_str(r, SL_ST_CHECK_DESC, sl_check_status_desc(s->status));
	}
}
