/* SPDX-License-Identifier: BSD-3-Clause */
#include "controlplane/gen_build.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_cycles.h>
#include <rte_lcore.h>

#include "controlplane/cfg/cfg.h"
#include "dataplane/balance/backend.h"
#include "dataplane/core/gen.h"
#include "dataplane/core/lcore.h"

#define DEF_CONNECT_MS 5000
#define DEF_ESTABLISHED_MS 300000

/*
 * The index of profile @p in @t, appended when new. The new entry is written before the count
 * grows (release): a worker reads an entry only through a generation published after it.
 * Returns the index, or -1 when the table is full.
 */
static int tmo_intern(struct sl_tmo_table *t, const struct sl_tmo_profile *p)
{
	for (uint32_t i = 0; i < t->n; i++)
		if (memcmp(&t->p[i], p, sizeof(*p)) == 0)
			return (int)i;
	if (t->n == SL_TMO_PROFILES)
		return -1;
	t->p[t->n] = *p;
	__atomic_store_n(&t->n, t->n + 1, __ATOMIC_RELEASE);
	return (int)t->n - 1;
}

static int backend_index(struct sl_gen *c, const struct sl_proxy *be,
			 const struct sl_proxy **bes)
{
	for (unsigned i = 0; i < c->nbackends; i++)
		if (bes[i] == be)
			return (int)i;
	bes[c->nbackends] = be;
	return (int)c->nbackends++;
}

/*
 * The balancing tables of backend @be (dataplane/balance/backend.c decides the rotation,
 * schedule and Maglev table): each server's state from the checks and admin commands
 * (@maint, by counter slot), its weight (the configuration's, or one set at run time).
 */
static int build_backend(struct sl_gen *c, struct sl_bal_backend *b, const struct sl_proxy *be,
			 const uint8_t *maint, const uint16_t *weights)
{
	struct sl_bal_server *in = calloc(be->nservers ? (size_t)be->nservers : 1, sizeof(*in));
	if (in == NULL)
		return -ENOMEM;
	unsigned i = 0;
	for (const struct sl_server *s = be->servers; s != NULL; s = s->next, i++) {
		/* the counter slot: the server's own (stable across reloads), else the next */
		unsigned g = s->slot > 0 ? (unsigned)s->slot - 1 : c->nservers;
		if (g >= SL_MAX_SERVERS) {
			fprintf(stderr, "sluiced: more than %d servers in backends\n", SL_MAX_SERVERS);
			free(in);
			return -E2BIG;
		}
		struct sl_bal_server *v = &in[i];
		v->ip = s->addr.v4;
		v->port = s->port;
		uint8_t st = maint != NULL ? maint[g] : SL_SRV_RT_IN;
		v->weight = weights != NULL && weights[g] != SL_SRV_WEIGHT_CFG ? weights[g] :
										  (uint16_t)s->p.weight;
		v->usable = !s->p.disabled && s->addr.family == AF_INET && st != SL_SRV_RT_OUT;
		v->drain = st == SL_SRV_RT_PERSIST || v->weight == 0;
		v->backup = s->p.backup;
		v->shutdown_on_down = s->p.shutdown_on_down;
		v->name = s->name;
		v->cookie = s->cookie;
		v->maxconn = s->p.maxconn > 0 ? (uint32_t)s->p.maxconn : 0;
		v->src = s->p.source.family == AF_INET ? s->p.source.v4 :
			 be->source.family == AF_INET  ? be->source.v4 :
							 0;
		v->gidx = (uint16_t)g;
		v->tls = s->p.tls.ssl ? s->tls : NULL; /* s->tls may be for check-ssl only */
		v->tlsp = v->tls != NULL ? &s->p.tls : NULL;
		v->send_proxy = s->p.send_proxy;
		v->pp_opts = s->p.pp_opts;
		if (g >= c->nservers)
			c->nservers = g + 1;
	}
	/* the backend's proxy slot names its per-lcore balancing cursor (stable across reloads) */
	const struct sl_bal_opts o = {.id = (uint16_t)(be->slot > 0 ? be->slot : 0),
				      .all_backups = be->allbackups,
				      .draws = (uint8_t)be->random_draws};
	int r = sl_bal_backend_build_opts(b, be->name, (enum sl_bal_algo)be->balance, in, i, &o);
	free(in);
	return r;
}

/*
 * The stick tables of @cfg into @c: a table whose proxy name and definition are those of one in
 * the running generation @old is that same table (a reload keeps its entries); any other is
 * new and empty (a changed definition drops the entries, said on stderr).
 */
static int build_tables(struct sl_gen *c, const struct sl_cfg *cfg, const struct sl_gen *old)
{
	unsigned n = 0;
	for (const struct sl_proxy *p = cfg->proxies; p != NULL; p = p->next)
		n += p->stktable != NULL && !(p->cap & SL_CAP_DEF);
	static const struct sl_cfg *warned_cfg; /* main's alone */
	c->stk = calloc(n + 1, sizeof(*c->stk));
	if (c->stk == NULL)
		return -ENOMEM;
	for (const struct sl_proxy *p = cfg->proxies; p != NULL; p = p->next) {
		if (p->stktable == NULL || (p->cap & SL_CAP_DEF))
			continue;
		const struct sl_stktable *st = p->stktable;
		struct sl_stk_def d = {.size = (uint32_t)st->size, .expire_ms = (uint32_t)st->expire,
				       .store = st->store};
		for (int k = 0; k < SL_STK_NDATA && k < SL_CFG_STK_NDATA; k++)
			d.period[k] = (uint32_t)st->period[k];
		struct sl_stk_table *t = sl_gen_table(old, p->name);
		if (t != NULL && !sl_stk_def_same(&t->def, &d)) {
			/* said once per configuration (a reload builds a trial generation first) */
			if (warned_cfg != cfg)
				fprintf(stderr, "sluiced: stick-table of '%s' changed its definition: its entries are dropped\n",
					p->name);
			t = NULL;
		}
		if (t == NULL) {
			t = sl_stk_table_new(&d);
			if (t == NULL)
				return -ENOMEM;
		}
		t->refs++;
		c->stk[c->nstk].name = p->name;
		c->stk[c->nstk++].t = t;
	}
	for (unsigned i = 0; old != NULL && i < old->nstk; i++)
		if (sl_gen_table(c, old->stk[i].name) != old->stk[i].t) {
			warned_cfg = cfg;
			break;
		}
	return 0;
}

/* Each backend's `stick` rules (@bes: the proxies of c->backends). */
static int build_stick(struct sl_gen *c, const struct sl_proxy *const *bes)
{
	c->be_stick = calloc(c->nbackends + 1, sizeof(*c->be_stick));
	if (c->be_stick == NULL)
		return -ENOMEM;
	for (unsigned i = 0; i < c->nbackends; i++) {
		struct sl_gen_stick *g = &c->be_stick[i];
		for (const struct sl_stick_rule *r = bes[i]->stick_rules; r != NULL; r = r->next) {
			/* one table per backend's rules: the first rule's (the parser checked) */
			if (g->t == NULL)
				g->t = sl_gen_table(c, r->table != NULL ? r->table : bes[i]->name);
			g->match |= r->kind != SL_STICK_STORE;
			g->store |= r->kind != SL_STICK_MATCH;
		}
	}
	return 0;
}

static uint32_t or_default(int v, uint32_t def)
{
	return v > 0 ? (uint32_t)v : def;
}

int sl_gen_build(const struct sl_cfg *cfg, struct sl_dp *dp, const uint8_t *maint,
		 const uint16_t *weights, struct sl_gen **out)
{
	struct sl_gen *c = calloc(1, sizeof(*c));
	unsigned nsvc = 0, npx = 0;
	*out = NULL;
	if (c == NULL)
		return -ENOMEM;
	for (const struct sl_proxy *p = cfg->proxies; p != NULL; p = p->next) {
		npx++;
		if ((p->cap & SL_CAP_FE) && p->mode == SL_MODE_TCP && !p->tcp_proxied)
			for (const struct sl_bind *b = p->binds; b != NULL; b = b->next)
				nsvc++;
	}
	const struct sl_proxy **bes = calloc(npx + 1, sizeof(*bes));
	c->services = calloc(nsvc + 1, sizeof(*c->services));
	c->backends = calloc(npx + 1, sizeof(*c->backends));
	if (bes == NULL || c->services == NULL || c->backends == NULL)
		goto nomem;
	c->cfg = cfg;
	c->cfg_gen = dp->cfg_gen;
	if (build_tables(c, cfg, (const struct sl_gen *)dp->gen) < 0)
		goto nomem;
	for (const struct sl_proxy *p = cfg->proxies; p != NULL; p = p->next) {
		if (!(p->cap & SL_CAP_FE) || p->mode != SL_MODE_TCP || p->tcp_proxied)
			continue; /* the proxy lcores serve a proxied mode tcp frontend */
		const struct sl_proxy *be = p->default_backend != NULL ?
						    sl_cfg_find_proxy(cfg, p->default_backend, SL_CAP_BE) :
					    (p->cap & SL_CAP_BE) ? p : NULL;
		if (be == NULL)
			continue; /* a tcp frontend without a backend refuses its connections */
		int bi = backend_index(c, be, bes);
		if (bi == (int)c->nbackends - 1 && c->backends[bi].name == NULL) {
			int r = build_backend(c, &c->backends[bi], be, maint, weights);
			if (r < 0) {
				free(bes);
				sl_gen_free(c);
				return r;
			}
		}
		for (const struct sl_bind *b = p->binds; b != NULL; b = b->next) {
			if (b->addr.family != AF_INET)
				continue;
			struct sl_l4_service *s = &c->services[c->nservices];
			s->vip = b->any ? 0 : b->addr.v4;
			s->port_lo = b->port_lo;
			s->port_hi = b->port_hi;
			s->backend = (uint16_t)bi;
			s->frontend = p->name;
			s->fe = p;
			struct sl_tmo_profile tp;
			tp.connect = or_default(be->to.connect, DEF_CONNECT_MS);
			/* HAProxy: in TCP mode `timeout tunnel` supersedes client and server */
			uint32_t est = be->to.tunnel > 0 ? (uint32_t)be->to.tunnel :
				       p->to.client > be->to.server ? (uint32_t)p->to.client :
								      (uint32_t)be->to.server;
			tp.established = or_default((int)est, DEF_ESTABLISHED_MS);
			tp.client_fin = or_default(p->to.client_fin, tp.established);
			tp.server_fin = or_default(be->to.server_fin, tp.established);
			int ti = tmo_intern(dp->tmo, &tp);
			if (ti < 0) {
				fprintf(stderr, "sluiced: more than %d distinct mode tcp timeout sets in this process's life: restart it\n",
					SL_TMO_PROFILES);
				free(bes);
				sl_gen_free(c);
				return -ENOSPC;
			}
			s->tmo = (uint16_t)ti;
			c->nservices++;
			if (b->any)
				for (unsigned port = b->port_lo; port <= b->port_hi; port++)
					if (c->port_svc[port] == 0)
						c->port_svc[port] = (uint16_t)c->nservices;
		}
	}
	/* HTTP backends, and every mode tcp backend when a proxied mode tcp frontend may use
	 * it: the proxy lcores balance over the same tables (server states, weights, Maglev,
	 * schedule); appended in configuration order, so that an index is stable across
	 * generations of one configuration. */
	bool tcp_proxied = false;
	for (const struct sl_proxy *p = cfg->proxies; p != NULL; p = p->next)
		tcp_proxied |= sl_cfg_on_proxy_lcores(p) && p->mode == SL_MODE_TCP;
	for (const struct sl_proxy *p = cfg->proxies; p != NULL; p = p->next) {
		if (!(p->cap & SL_CAP_BE) || (p->cap & SL_CAP_DEF) ||
		    (p->mode != SL_MODE_HTTP && !tcp_proxied) || p->nservers == 0)
			continue;
		int bi = backend_index(c, p, bes);
		if (bi == (int)c->nbackends - 1 && c->backends[bi].name == NULL) {
			int r = build_backend(c, &c->backends[bi], p, maint, weights);
			if (r < 0) {
				free(bes);
				sl_gen_free(c);
				return r;
			}
		}
	}
	if (build_stick(c, bes) < 0)
		goto nomem;
	free(bes);
	*out = c;
	return 0;
nomem:
	free(bes);
	sl_gen_free(c);
	return -ENOMEM;
}

void sl_gen_free(struct sl_gen *c)
{
	if (c == NULL)
		return;
	for (unsigned i = 0; c->backends != NULL && i < c->nbackends; i++)
		sl_bal_backend_free(&c->backends[i]);
	free(c->backends);
	free(c->services);
	for (unsigned i = 0; c->stk != NULL && i < c->nstk; i++)
		if (--c->stk[i].t->refs == 0)
			sl_stk_table_free(c->stk[i].t);
	free(c->stk);
	free(c->be_stick);
	free(c);
}

void sl_gen_publish(struct sl_dp *dp, struct sl_gen *g, unsigned self)
{
	struct sl_gen *old = (struct sl_gen *)dp->gen;
	__atomic_store_n(&dp->gen, g, __ATOMIC_RELEASE);
	/* the caller reports its own quiescent state when it reads generations too */
	bool reader = dp->lcores[self] != NULL &&
		      (dp->lcores[self]->roles & (SL_ROLE_WORKER | SL_ROLE_PROXY)) != 0;
	rte_rcu_qsbr_synchronize(dp->qsbr, reader ? self : RTE_QSBR_THRID_INVALID);
	sl_gen_free(old);
}
