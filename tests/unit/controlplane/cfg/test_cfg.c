/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the configuration parser (controlplane/cfg_*.c): what valid configurations
 * become in the model of controlplane/cfg/cfg-t.h, and the dump / re-parse round trip.
 */
#include <arpa/inet.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/controlplane/cfg/cfg_test_util.h"
#include "controlplane/cfg/portplan.h"

/* A defaults section that keeps HAProxy's "missing timeouts" warning away (5 lines). */
#define DEFAULTS_HTTP            \
	"defaults\n"             \
	"  mode http\n"          \
	"  timeout connect 5s\n" \
	"  timeout client 5s\n"  \
	"  timeout server 5s\n"

static const char *const V1[] = {"seed/seed-common.cfg", "seed/seed-https.cfg",
				 "seed/dataplane.cfg"};
static const char *const V2[] = {"seed/seed-common.cfg", "seed/seed-hls.cfg", "seed/dataplane.cfg"};

/* ---------------------------------------------------------------- the seed */

static void check_errorfiles(const struct sl_proxy *px)
{
	static const int codes[] = {400, 403, 408, 500, 502, 503, 504};
	int n = 0;
	for (const struct sl_errorfile *e = px->errorfiles; e != NULL; e = e->next)
		n++;
	CU_ASSERT_EQUAL(n, 7);
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		char path[64];
		snprintf(path, sizeof(path), "/etc/haproxy/errors/%d.http", codes[i]);
		const char *want = tfs_content(path);
		const struct sl_errorfile *e = px->errorfiles;
		while (e != NULL && e->code != codes[i])
			e = e->next;
		CU_ASSERT_PTR_NOT_NULL(e);
		if (e == NULL || want == NULL)
			continue;
		T_STR_EQ(e->path, path);
		CU_ASSERT_EQUAL(e->len, strlen(want));
		CU_ASSERT_PTR_NOT_NULL(e->data);
		if (e->data != NULL && e->len == strlen(want))
			CU_ASSERT_EQUAL(memcmp(e->data, want, e->len), 0);
	}
}

static void check_seed_defaults(const struct sl_proxy *px, bool http)
{
	CU_ASSERT_EQUAL(px->mode, http ? SL_MODE_HTTP : SL_MODE_TCP);
	CU_ASSERT_EQUAL(px->to.connect, 5000);
	CU_ASSERT_EQUAL(px->to.client, 5000);
	CU_ASSERT_EQUAL(px->to.server, 5000);
	CU_ASSERT_EQUAL(px->to.client_fin, 5000);
	CU_ASSERT_EQUAL(px->to.tunnel, 7200000);
	CU_ASSERT_TRUE(px->dontlognull);
	CU_ASSERT_EQUAL(px->retries, 3);
	if (!http) /* as HAProxy: 'option httplog' falls back to tcplog in a tcp proxy */
		CU_ASSERT_EQUAL(px->log_format, SL_LOG_TCP);
	if (http) {
		/* In a tcp proxy HAProxy ignores the HTTP options inherited from the defaults (with
		 * a warning), so these are only checked on the HTTP proxies. */
		CU_ASSERT_TRUE(px->fwdfor.on);
		CU_ASSERT_EQUAL(px->http_conn, SL_HTTP_SERVER_CLOSE);
		CU_ASSERT_EQUAL(px->log_format, SL_LOG_HTTP);
		check_errorfiles(px);
	}
}

static void check_seed_server(const struct sl_server *s, const char *name, uint32_t ip,
			      uint16_t port, const char *cookie, int id)
{
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	T_STR_EQ(s->name, name);
	CU_ASSERT_EQUAL(s->addr.family, AF_INET);
	CU_ASSERT_EQUAL(s->addr.v4, ip);
	CU_ASSERT_EQUAL(s->port, port);
	CU_ASSERT_TRUE(s->p.check);
	if (cookie == NULL) {
		CU_ASSERT_PTR_NULL(s->cookie);
	} else if (s->cookie == NULL) {
		CU_FAIL("server cookie missing");
	} else {
		T_STR_EQ(s->cookie, cookie);
	}
	/* HAProxy's built-in server defaults */
	CU_ASSERT_EQUAL(s->p.rise, 2);
	CU_ASSERT_EQUAL(s->p.fall, 3);
	CU_ASSERT_EQUAL(s->p.inter, 2000);
	CU_ASSERT_EQUAL(s->p.weight, 1);
	CU_ASSERT_FALSE(s->p.backup);
	CU_ASSERT_FALSE(s->p.disabled);
	CU_ASSERT_EQUAL(s->p.maxconn, 0);
	CU_ASSERT_EQUAL(s->id, id);
}

static void check_seed_common(const struct sl_cfg *cfg)
{
	CU_ASSERT_EQUAL(cfg->global.maxconn, 2000);
	CU_ASSERT_PTR_NOT_NULL(cfg->global.user);
	CU_ASSERT_PTR_NOT_NULL(cfg->global.group);
	if (cfg->global.user != NULL)
		T_STR_EQ(cfg->global.user, "haproxy");
	if (cfg->global.group != NULL)
		T_STR_EQ(cfg->global.group, "haproxy");
	CU_ASSERT_EQUAL(tcount_str(cfg->global.logs), 1);
	if (cfg->global.logs != NULL)
		CU_ASSERT_PTR_NOT_NULL(strstr(cfg->global.logs->s, "127.0.0.1"));
	CU_ASSERT_EQUAL(cfg->nerrors, 0);

	/* listen stats */
	struct sl_proxy *st = tpx(cfg, "stats");
	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	CU_ASSERT_EQUAL(st->cap, SL_CAP_FE | SL_CAP_BE);
	check_seed_defaults(st, true);
	CU_ASSERT_PTR_NOT_NULL_FATAL(st->binds);
	CU_ASSERT_PTR_NULL(st->binds->next);
	CU_ASSERT_TRUE(st->binds->any);
	CU_ASSERT_EQUAL(st->binds->port_lo, 6080);
	CU_ASSERT_EQUAL(st->binds->port_hi, 6080);
	CU_ASSERT_FALSE(st->binds->ssl);
	CU_ASSERT_TRUE(st->stats.enabled);
	CU_ASSERT_TRUE(st->stats.hide_version);
	CU_ASSERT_PTR_NOT_NULL_FATAL(st->stats.realm);
	T_STR_EQ(st->stats.realm, "Haproxy Statistics");
	CU_ASSERT_PTR_NOT_NULL_FATAL(st->stats.uri);
	T_STR_EQ(st->stats.uri, "/haproxy_stats");
	CU_ASSERT_EQUAL(tcount_str(st->stats.auth), 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(st->stats.auth);
	T_STR_EQ(st->stats.auth->s, "Username:Password");

	/* frontend rtmp_lb / backend backend_rtmp: mode tcp */
	struct sl_proxy *fe = tpx(cfg, "rtmp_lb");
	CU_ASSERT_PTR_NOT_NULL_FATAL(fe);
	CU_ASSERT_EQUAL(fe->cap, SL_CAP_FE);
	check_seed_defaults(fe, false);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fe->binds);
	CU_ASSERT_TRUE(fe->binds->any);
	CU_ASSERT_EQUAL(fe->binds->port_lo, 1935);
	CU_ASSERT_EQUAL(fe->binds->port_hi, 1935);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fe->default_backend);
	T_STR_EQ(fe->default_backend, "backend_rtmp");

	struct sl_proxy *be = tpx(cfg, "backend_rtmp");
	CU_ASSERT_PTR_NOT_NULL_FATAL(be);
	CU_ASSERT_EQUAL(be->cap, SL_CAP_BE);
	check_seed_defaults(be, false);
	CU_ASSERT_EQUAL(be->balance, SL_BAL_ROUNDROBIN);
	CU_ASSERT_EQUAL(be->nservers, 2);
	check_seed_server(tsrv(be, "ams1"), "ams1", TIP4(172, 30, 0, 42), 1935, NULL, 1);
	check_seed_server(tsrv(be, "ams2"), "ams2", TIP4(172, 30, 0, 48), 1935, NULL, 2);
	CU_ASSERT_PTR_NULL(be->cookie.name);

	/* dataplane.cfg */
	const struct sl_dataplane *dp = &cfg->dp;
	CU_ASSERT_TRUE(dp->present);
	CU_ASSERT_PTR_NOT_NULL_FATAL(dp->ports);
	T_STR_EQ(dp->ports->name, "lan0");
	CU_ASSERT_EQUAL(dp->ports->driver, SL_DRV_AF_XDP);
	CU_ASSERT_PTR_NOT_NULL_FATAL(dp->ports->iface);
	T_STR_EQ(dp->ports->iface, "eth0");
	CU_ASSERT_PTR_NULL(dp->ports->next);
	CU_ASSERT_PTR_NOT_NULL_FATAL(dp->addrs);
	CU_ASSERT_EQUAL(dp->addrs->net.family, AF_INET);
	CU_ASSERT_EQUAL(dp->addrs->net.v4, TIP4(10, 77, 0, 1));
	CU_ASSERT_EQUAL(dp->addrs->net.plen, 24);
	T_STR_EQ(dp->addrs->port, "lan0");
	CU_ASSERT_PTR_NOT_NULL_FATAL(dp->routes);
	CU_ASSERT_EQUAL(dp->routes->dst.plen, 0);
	CU_ASSERT_EQUAL(dp->routes->via.family, AF_INET);
	CU_ASSERT_EQUAL(dp->routes->via.v4, TIP4(10, 77, 0, 254));
	CU_ASSERT_EQUAL(dp->cores.w[0], 0x3);
	CU_ASSERT_EQUAL(dp->memory_mb, 512);
	CU_ASSERT_PTR_NOT_NULL(dp->loc.file);
	if (dp->loc.file != NULL)
		T_STR_EQ(dp->loc.file, "dataplane.cfg");
	CU_ASSERT_EQUAL(dp->loc.line, 3);
}

static void test_seed_variant1(void)
{
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	tfs_reset();
	int rc = tparse_fixtures(V1, 3, &cfg, &d);
	T_PARSED_OK(rc, cfg, &d);
	check_seed_common(cfg);
	CU_ASSERT_EQUAL(cfg->nproxies, 6);
	CU_ASSERT_EQUAL(cfg->nwarnings, d.nwarn);

	/* reqadd is legacy: translated, with a warning on its line */
	CU_ASSERT(tdiag_has(&d, SL_DIAG_WARNING, "seed-https.cfg", 5, "reqadd"));
	CU_ASSERT(tdiag_has(&d, SL_DIAG_WARNING, "seed-https.cfg", 12, "reqadd"));

	struct sl_proxy *fe = tpx(cfg, "http_lb");
	CU_ASSERT_PTR_NOT_NULL_FATAL(fe);
	CU_ASSERT_EQUAL(fe->cap, SL_CAP_FE);
	check_seed_defaults(fe, true);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fe->binds);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fe->binds->next);
	CU_ASSERT_EQUAL(fe->binds->port_lo, 80);
	CU_ASSERT_EQUAL(fe->binds->next->port_lo, 5080);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fe->req_rules);
	CU_ASSERT_EQUAL(fe->req_rules->action, SL_HR_ADD_HEADER);
	T_STR_EQ(fe->req_rules->name, "X-Forwarded-Proto");
	T_STR_EQ(fe->req_rules->value, "http");
	CU_ASSERT_PTR_NULL(fe->req_rules->cond);
	CU_ASSERT_PTR_NULL(fe->req_rules->next);
	T_STR_EQ(fe->default_backend, "backend_http");

	struct sl_proxy *fs = tpx(cfg, "frontend_https");
	CU_ASSERT_PTR_NOT_NULL_FATAL(fs);
	check_seed_defaults(fs, true);
	const uint16_t ports[] = {443, 5443};
	const struct sl_bind *b = fs->binds;
	for (int i = 0; i < 2; i++, b = b->next) {
		CU_ASSERT_PTR_NOT_NULL_FATAL(b);
		CU_ASSERT_TRUE(b->any);
		CU_ASSERT_EQUAL(b->port_lo, ports[i]);
		CU_ASSERT_EQUAL(b->port_hi, ports[i]);
		CU_ASSERT_TRUE(b->ssl);
		CU_ASSERT_EQUAL(tcount_str(b->crts), 1);
		CU_ASSERT_PTR_NOT_NULL_FATAL(b->crts);
		T_STR_EQ(b->crts->s, "/etc/haproxy/certs/$DOMAIN.pem");
	}
	CU_ASSERT_PTR_NULL(b);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fs->req_rules);
	CU_ASSERT_EQUAL(fs->req_rules->action, SL_HR_ADD_HEADER);
	T_STR_EQ(fs->req_rules->name, "X-Forwarded-Proto");
	T_STR_EQ(fs->req_rules->value, "https");

	struct sl_proxy *be = tpx(cfg, "backend_http");
	CU_ASSERT_PTR_NOT_NULL_FATAL(be);
	CU_ASSERT_EQUAL(be->cap, SL_CAP_BE);
	check_seed_defaults(be, true);
	const struct sl_redirect_rule *r = be->redirects;
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_PTR_NULL(r->next);
	CU_ASSERT_EQUAL(r->redir.kind, SL_REDIR_SCHEME);
	T_STR_EQ(r->redir.target, "https");
	CU_ASSERT_EQUAL(r->redir.code, 302);
	CU_ASSERT_EQUAL(r->loc.line, 18);
	const struct sl_cond *c = r->cond;
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_FALSE(c->unless);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c->ors);
	CU_ASSERT_PTR_NULL(c->ors->next);
	const struct sl_cond_term *t = c->ors->terms;
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_PTR_NULL(t->next);
	CU_ASSERT_TRUE(t->neg);
	CU_ASSERT_PTR_NULL(t->name);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t->anon);
	CU_ASSERT_PTR_NULL(t->anon->name);
	CU_ASSERT_EQUAL(t->anon->fetch, SL_FETCH_SSL_FC);
	CU_ASSERT_EQUAL(t->anon->npats, 0);

	CU_ASSERT_PTR_NOT_NULL_FATAL(be->cookie.name);
	T_STR_EQ(be->cookie.name, "JSESSIONID");
	CU_ASSERT_EQUAL(be->cookie.mode, SL_COOKIE_PREFIX);
	CU_ASSERT_TRUE(be->cookie.nocache);
	CU_ASSERT_FALSE(be->cookie.indirect);
	CU_ASSERT_EQUAL(be->nservers, 2);
	check_seed_server(be->servers, "ams1", TIP4(172, 30, 0, 42), 5080, "ams1", 1);
	check_seed_server(be->servers->next, "ams2", TIP4(172, 30, 0, 42), 5080, "ams2", 2);
	CU_ASSERT_EQUAL(be->servers->loc.line, 21);
	T_STR_EQ(be->servers->loc.file, "seed-https.cfg");
	sl_cfg_free(cfg);
}

static void test_seed_variant2(void)
{
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	tfs_reset();
	int rc = tparse_fixtures(V2, 3, &cfg, &d);
	T_PARSED_OK(rc, cfg, &d);
	check_seed_common(cfg);
	CU_ASSERT_EQUAL(cfg->nproxies, 6);

	struct sl_proxy *fe = tpx(cfg, "http_lb");
	CU_ASSERT_PTR_NOT_NULL_FATAL(fe);
	check_seed_defaults(fe, true);
	const struct sl_acl *a = tacl(fe, "hls_request");
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_EQUAL(a->fetch, SL_FETCH_PATH_REG);
	CU_ASSERT_TRUE(a->icase);
	CU_ASSERT_EQUAL(a->npats, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a->pats);
	T_STR_EQ(a->pats->str, "^.*\\.(m3u8|ts)$");
	CU_ASSERT_PTR_NOT_NULL(a->pats->re);
	CU_ASSERT_EQUAL(a->loc.line, 4);

	const struct sl_switch *sw = fe->switches;
	CU_ASSERT_PTR_NOT_NULL_FATAL(sw);
	CU_ASSERT_PTR_NULL(sw->next);
	T_STR_EQ(sw->backend, "backend_http_sticky");
	CU_ASSERT_PTR_NOT_NULL_FATAL(sw->cond);
	CU_ASSERT_FALSE(sw->cond->unless);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sw->cond->ors);
	CU_ASSERT_PTR_NULL(sw->cond->ors->next);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sw->cond->ors->terms);
	CU_ASSERT_FALSE(sw->cond->ors->terms->neg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sw->cond->ors->terms->name);
	T_STR_EQ(sw->cond->ors->terms->name, "hls_request");
	T_STR_EQ(fe->default_backend, "backend_http");

	struct sl_proxy *be = tpx(cfg, "backend_http");
	CU_ASSERT_PTR_NOT_NULL_FATAL(be);
	check_seed_defaults(be, true);
	CU_ASSERT_PTR_NULL(be->cookie.name);
	CU_ASSERT_PTR_NULL(be->redirects);
	check_seed_server(tsrv(be, "ams1"), "ams1", TIP4(172, 17, 0, 2), 5080, NULL, 1);
	check_seed_server(tsrv(be, "ams2"), "ams2", TIP4(172, 17, 0, 3), 5080, NULL, 2);

	struct sl_proxy *st = tpx(cfg, "backend_http_sticky");
	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	check_seed_defaults(st, true);
	CU_ASSERT_PTR_NOT_NULL_FATAL(st->cookie.name);
	T_STR_EQ(st->cookie.name, "JSESSIONID");
	CU_ASSERT_EQUAL(st->cookie.mode, SL_COOKIE_PREFIX);
	CU_ASSERT_TRUE(st->cookie.nocache);
	check_seed_server(tsrv(st, "ams1"), "ams1", TIP4(172, 17, 0, 2), 5080, "ams1", 1);
	check_seed_server(tsrv(st, "ams2"), "ams2", TIP4(172, 17, 0, 3), 5080, "ams2", 2);

	/* no reqadd here: the only warnings may come from the tcp proxies */
	CU_ASSERT_FALSE(tdiag_has(&d, SL_DIAG_WARNING, "seed-hls.cfg", -1, NULL));
	sl_cfg_free(cfg);
}

static void test_seed_lookups(void)
{
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	tfs_reset();
	int rc = tparse_fixtures(V1, 3, &cfg, &d);
	T_PARSED_OK(rc, cfg, &d);
	CU_ASSERT_PTR_EQUAL(sl_cfg_find_proxy(cfg, "backend_http", SL_CAP_BE),
			    tpx(cfg, "backend_http"));
	CU_ASSERT_PTR_NULL(sl_cfg_find_proxy(cfg, "backend_http", SL_CAP_FE));
	CU_ASSERT_PTR_EQUAL(sl_cfg_find_proxy(cfg, "http_lb", SL_CAP_FE), tpx(cfg, "http_lb"));
	CU_ASSERT_PTR_NULL(sl_cfg_find_proxy(cfg, "http_lb", SL_CAP_BE));
	CU_ASSERT_PTR_EQUAL(sl_cfg_find_proxy(cfg, "stats", SL_CAP_FE), tpx(cfg, "stats"));
	CU_ASSERT_PTR_EQUAL(sl_cfg_find_proxy(cfg, "stats", SL_CAP_BE), tpx(cfg, "stats"));
	CU_ASSERT_PTR_NULL(sl_cfg_find_proxy(cfg, "nope", SL_CAP_BE));
	struct sl_proxy *be = tpx(cfg, "backend_http");
	CU_ASSERT_PTR_NOT_NULL_FATAL(be);
	CU_ASSERT_PTR_EQUAL(sl_cfg_find_server(be, "ams2"), be->servers->next);
	CU_ASSERT_PTR_NULL(sl_cfg_find_server(be, "ams3"));
	/* ids follow file order, 1-based */
	int id = 1;
	for (struct sl_proxy *p = cfg->proxies; p != NULL; p = p->next, id++)
		CU_ASSERT_EQUAL(p->id, id);
	sl_cfg_free(cfg);
}

/* ---------------------------------------------------------------- model comparison */

/*
 * Deep comparison of two models, used to check that a dump loses nothing: parsing the dump must
 * give the same model as the original (locations excepted). Prints the first difference.
 */
static const char *cmp_where = "";

#define CMP(cond, what)                                                            \
	do {                                                                       \
		if (!(cond)) {                                                     \
			fprintf(stderr, "\n  -- models differ: %s%s%s", cmp_where, \
				*cmp_where ? ": " : "", what);                     \
			return false;                                              \
		}                                                                  \
	} while (0)

static bool s_eq(const char *a, const char *b)
{
	return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static bool net_eq(const struct sl_cfg_net *a, const struct sl_cfg_net *b)
{
	if (a->family != b->family || a->plen != b->plen)
		return false;
	if (a->family == AF_INET)
		return a->v4 == b->v4;
	if (a->family == AF_INET6)
		return memcmp(a->v6, b->v6, 16) == 0;
	return true;
}

static bool strl_eq(const struct sl_cfg_str *a, const struct sl_cfg_str *b)
{
	for (; a != NULL && b != NULL; a = a->next, b = b->next)
		if (!s_eq(a->s, b->s))
			return false;
	return a == NULL && b == NULL;
}

static bool acl_eq(const struct sl_acl *a, const struct sl_acl *b)
{
	CMP(s_eq(a->name, b->name), "acl name");
	CMP(a->fetch == b->fetch, "acl fetch");
	CMP((a->hdr == NULL) == (b->hdr == NULL) &&
		    (a->hdr == NULL || strcasecmp(a->hdr, b->hdr) == 0),
	    "acl header name");
	CMP(a->icase == b->icase, "acl -i");
	CMP(a->npats == b->npats, "acl pattern count");
	const struct sl_acl_pat *p = a->pats, *q = b->pats;
	for (; p != NULL && q != NULL; p = p->next, q = q->next) {
		CMP(s_eq(p->str, q->str), "acl pattern");
		CMP((p->re == NULL) == (q->re == NULL), "acl regex");
		CMP(net_eq(&p->net, &q->net), "acl network");
		CMP(p->op == q->op && p->num == q->num, "acl integer");
	}
	CMP(p == NULL && q == NULL, "acl pattern list");
	return true;
}

static bool cond_eq(const struct sl_cond *a, const struct sl_cond *b)
{
	CMP((a == NULL) == (b == NULL), "condition presence");
	if (a == NULL)
		return true;
	CMP(a->unless == b->unless, "if/unless");
	const struct sl_cond_and *x = a->ors, *y = b->ors;
	for (; x != NULL && y != NULL; x = x->next, y = y->next) {
		const struct sl_cond_term *t = x->terms, *u = y->terms;
		for (; t != NULL && u != NULL; t = t->next, u = u->next) {
			CMP(t->neg == u->neg, "condition negation");
			CMP(s_eq(t->name, u->name), "condition acl name");
			CMP((t->anon == NULL) == (u->anon == NULL), "anonymous acl");
			if (t->anon != NULL && !acl_eq(t->anon, u->anon))
				return false;
		}
		CMP(t == NULL && u == NULL, "condition terms");
	}
	CMP(x == NULL && y == NULL, "condition or-groups");
	return true;
}

static bool redir_eq(const struct sl_redirect *a, const struct sl_redirect *b)
{
	CMP(a->kind == b->kind, "redirect kind");
	CMP(s_eq(a->target, b->target), "redirect target");
	CMP(a->code == b->code, "redirect code");
	CMP(a->drop_query == b->drop_query && a->append_slash == b->append_slash, "redirect flags");
	CMP(s_eq(a->set_cookie, b->set_cookie) && s_eq(a->clear_cookie, b->clear_cookie),
	    "redirect cookies");
	return true;
}

static bool hrules_eq(const struct sl_hrule *a, const struct sl_hrule *b)
{
	for (; a != NULL && b != NULL; a = a->next, b = b->next) {
		CMP(a->action == b->action, "http rule action");
		CMP(s_eq(a->name, b->name), "http rule header name");
		CMP(s_eq(a->value, b->value), "http rule value");
		if (a->action == SL_HR_DENY)
			CMP(a->status == b->status, "http rule deny status");
		if (a->action == SL_HR_REDIRECT && !redir_eq(&a->redir, &b->redir))
			return false;
		if (!cond_eq(a->cond, b->cond))
			return false;
	}
	CMP(a == NULL && b == NULL, "http rule list");
	return true;
}

static bool params_eq(const struct sl_srv_params *a, const struct sl_srv_params *b)
{
	CMP(a->check == b->check, "check");
	CMP(a->inter == b->inter && a->fastinter == b->fastinter && a->downinter == b->downinter,
	    "inter/fastinter/downinter");
	CMP(a->rise == b->rise && a->fall == b->fall, "rise/fall");
	CMP(a->weight == b->weight, "weight");
	CMP(a->backup == b->backup && a->disabled == b->disabled, "backup/disabled");
	CMP(a->maxconn == b->maxconn && a->maxqueue == b->maxqueue, "maxconn/maxqueue");
	CMP(a->check_port == b->check_port, "check port");
	CMP(net_eq(&a->check_addr, &b->check_addr), "check addr");
	CMP(a->shutdown_on_down == b->shutdown_on_down &&
		    a->shutdown_backup_on_up == b->shutdown_backup_on_up,
	    "on-marked-down/up");
	CMP(a->slowstart == b->slowstart && a->send_proxy == b->send_proxy &&
		    a->pp_opts == b->pp_opts && a->check_send_proxy == b->check_send_proxy,
	    "slowstart/send-proxy");
	CMP(net_eq(&a->source, &b->source), "source");
	return true;
}

static bool proxy_eq(const struct sl_proxy *a, const struct sl_proxy *b)
{
	cmp_where = a->name != NULL ? a->name : "?";
	CMP(s_eq(a->name, b->name), "name");
	CMP(a->cap == b->cap, "cap");
	CMP(a->mode == b->mode, "mode");
	CMP(a->id == b->id, "id");
	CMP(a->maxconn == b->maxconn && a->fullconn == b->fullconn, "maxconn/fullconn");
	CMP(net_eq(&a->source, &b->source), "proxy source");
	if (a->cap & SL_CAP_BE) {
		CMP(a->retries == b->retries, "retries");
		CMP(a->redispatch == b->redispatch, "redispatch");
		CMP(a->balance == b->balance, "balance");
		CMP(a->uri_len == b->uri_len && a->uri_depth == b->uri_depth &&
			    a->uri_whole == b->uri_whole,
		    "balance uri options");
	}
	CMP(a->dontlognull == b->dontlognull && a->log_global == b->log_global &&
		    a->log_health_checks == b->log_health_checks &&
		    a->abortonclose == b->abortonclose && a->tcpka == b->tcpka,
	    "option flags");
	CMP(a->log_format == b->log_format, "log format");
	CMP(a->http_conn == b->http_conn, "http connection mode");
	CMP(a->fwdfor.on == b->fwdfor.on, "forwardfor");
	CMP(s_eq(a->fwdfor.header, b->fwdfor.header), "forwardfor header");
	CMP(net_eq(&a->fwdfor.except, &b->fwdfor.except), "forwardfor except");
	CMP(a->fwdfor.if_none == b->fwdfor.if_none, "forwardfor if-none");
	CMP(memcmp(&a->to, &b->to, sizeof(a->to)) == 0, "timeouts");
	const struct sl_cookie *k = &a->cookie, *l = &b->cookie;
	CMP(s_eq(k->name, l->name) && k->mode == l->mode, "cookie");
	CMP(k->indirect == l->indirect && k->nocache == l->nocache && k->postonly == l->postonly &&
		    k->preserve == l->preserve && k->httponly == l->httponly &&
		    k->secure == l->secure && k->dynamic == l->dynamic,
	    "cookie flags");
	CMP(strl_eq(k->domains, l->domains), "cookie domains");
	CMP(s_eq(k->attrs, l->attrs), "cookie attrs");
	CMP(k->maxidle == l->maxidle && k->maxlife == l->maxlife, "cookie maxidle/maxlife");
	const struct sl_httpchk *c = &a->chk, *e = &b->chk;
	CMP(c->on == e->on, "httpchk");
	CMP(s_eq(c->method, e->method) && s_eq(c->uri, e->uri) && s_eq(c->version, e->version),
	    "httpchk request");
	CMP(strl_eq(c->headers, e->headers), "httpchk headers");
	CMP(c->expect == e->expect && c->expect_neg == e->expect_neg &&
		    s_eq(c->expect_pat, e->expect_pat),
	    "http-check expect");
	CMP(c->disable_on_404 == e->disable_on_404, "disable-on-404");
	if (a->cap & SL_CAP_BE)
		CMP(params_eq(&a->dflt_srv, &b->dflt_srv), "default-server");
	const struct sl_errorfile *f = a->errorfiles, *g = b->errorfiles;
	for (; f != NULL && g != NULL; f = f->next, g = g->next)
		CMP(f->code == g->code && s_eq(f->path, g->path) && f->len == g->len &&
			    memcmp(f->data, g->data, f->len) == 0,
		    "errorfile");
	CMP(f == NULL && g == NULL, "errorfile list");
	const struct sl_stats *s = &a->stats, *t = &b->stats;
	CMP(s->enabled == t->enabled, "stats enable");
	if (s->enabled) {
		CMP(s_eq(s->uri, t->uri) && s_eq(s->realm, t->realm), "stats uri/realm");
		CMP(strl_eq(s->auth, t->auth), "stats auth");
		CMP(s->hide_version == t->hide_version && s->refresh == t->refresh,
		    "stats hide-version/refresh");
		CMP(s->show_legends == t->show_legends && s->show_node == t->show_node &&
			    s_eq(s->show_desc, t->show_desc),
		    "stats show-*");
		CMP(s_eq(s->prometheus_uri, t->prometheus_uri), "prometheus uri");
		if (!cond_eq(s->admin, t->admin))
			return false;
	}
	CMP(s_eq(a->default_backend, b->default_backend), "default_backend");

	const struct sl_bind *x = a->binds, *y = b->binds;
	for (; x != NULL && y != NULL; x = x->next, y = y->next) {
		CMP(net_eq(&x->addr, &y->addr) && x->any == y->any, "bind address");
		CMP(x->port_lo == y->port_lo && x->port_hi == y->port_hi, "bind ports");
		CMP(x->ssl == y->ssl && strl_eq(x->crts, y->crts), "bind ssl/crt");
		CMP(s_eq(x->alpn, y->alpn), "bind alpn");
		CMP(s_eq(x->ssl_min_ver, y->ssl_min_ver) && s_eq(x->ssl_max_ver, y->ssl_max_ver),
		    "bind ssl versions");
		CMP(s_eq(x->ciphers, y->ciphers) && s_eq(x->ciphersuites, y->ciphersuites),
		    "bind ciphers");
		CMP(s_eq(x->name, y->name), "bind name");
		CMP(x->accept_proxy == y->accept_proxy, "bind accept-proxy");
	}
	CMP(x == NULL && y == NULL, "bind list");

	const struct sl_acl *p = a->acls, *q = b->acls;
	for (; p != NULL && q != NULL; p = p->next, q = q->next)
		if (!acl_eq(p, q))
			return false;
	CMP(p == NULL && q == NULL, "acl list");

	const struct sl_switch *w = a->switches, *v = b->switches;
	for (; w != NULL && v != NULL; w = w->next, v = v->next) {
		CMP(s_eq(w->backend, v->backend), "use_backend");
		if (!cond_eq(w->cond, v->cond))
			return false;
	}
	CMP(w == NULL && v == NULL, "use_backend list");

	const struct sl_redirect_rule *r = a->redirects, *o = b->redirects;
	for (; r != NULL && o != NULL; r = r->next, o = o->next)
		if (!redir_eq(&r->redir, &o->redir) || !cond_eq(r->cond, o->cond))
			return false;
	CMP(r == NULL && o == NULL, "redirect list");

	if (!hrules_eq(a->req_rules, b->req_rules) || !hrules_eq(a->rsp_rules, b->rsp_rules))
		return false;

	CMP(a->nservers == b->nservers, "server count");
	const struct sl_server *m = a->servers, *n = b->servers;
	for (; m != NULL && n != NULL; m = m->next, n = n->next) {
		CMP(s_eq(m->name, n->name), "server name");
		CMP(net_eq(&m->addr, &n->addr) && m->port == n->port, "server address");
		CMP(s_eq(m->cookie, n->cookie), "server cookie");
		CMP(m->id == n->id, "server id");
		if (!params_eq(&m->p, &n->p))
			return false;
	}
	CMP(m == NULL && n == NULL, "server list");
	return true;
}

static bool cfg_eq(const struct sl_cfg *a, const struct sl_cfg *b)
{
	cmp_where = "global";
	const struct sl_global *g = &a->global, *h = &b->global;
	CMP(g->maxconn == h->maxconn && g->nbthread == h->nbthread && g->daemon == h->daemon,
	    "maxconn/nbthread/daemon");
	CMP(s_eq(g->user, h->user) && s_eq(g->group, h->group) && s_eq(g->chroot, h->chroot) &&
		    s_eq(g->pidfile, h->pidfile),
	    "user/group/chroot/pidfile");
	CMP(strl_eq(g->logs, h->logs), "log");
	const struct sl_stats_socket *s = g->sockets, *t = h->sockets;
	for (; s != NULL && t != NULL; s = s->next, t = t->next)
		CMP(s_eq(s->path, t->path) && s->mode == t->mode && s->level == t->level,
		    "stats socket");
	CMP(s == NULL && t == NULL, "stats socket list");
	CMP(g->stats_timeout == h->stats_timeout, "stats timeout");
	CMP(s_eq(g->ca_base, h->ca_base) && s_eq(g->crt_base, h->crt_base), "ca-base/crt-base");
	CMP(s_eq(g->ssl_bind_ciphers, h->ssl_bind_ciphers) &&
		    s_eq(g->ssl_bind_ciphersuites, h->ssl_bind_ciphersuites) &&
		    strl_eq(g->ssl_bind_options, h->ssl_bind_options),
	    "ssl-default-bind-*");
	CMP(g->bufsize == h->bufsize && g->maxrewrite == h->maxrewrite &&
		    g->dh_param == h->dh_param && g->spread_checks == h->spread_checks,
	    "tune.*");

	cmp_where = "dataplane";
	const struct sl_dataplane *d = &a->dp, *e = &b->dp;
	CMP(d->present == e->present, "presence");
	const struct sl_dp_port *p = d->ports, *q = e->ports;
	for (; p != NULL && q != NULL; p = p->next, q = q->next)
		CMP(s_eq(p->name, q->name) && p->driver == q->driver && s_eq(p->iface, q->iface) &&
			    s_eq(p->pci, q->pci) && p->queues == q->queues && p->mtu == q->mtu &&
				    p->xdp_all == q->xdp_all,
		    "port");
	CMP(p == NULL && q == NULL, "port list");
	const struct sl_dp_addr *x = d->addrs, *y = e->addrs;
	for (; x != NULL && y != NULL; x = x->next, y = y->next)
		CMP(net_eq(&x->net, &y->net) && s_eq(x->port, y->port), "address");
	CMP(x == NULL && y == NULL, "address list");
	const struct sl_dp_route *r = d->routes, *o = e->routes;
	for (; r != NULL && o != NULL; r = r->next, o = o->next)
		CMP(net_eq(&r->dst, &o->dst) && net_eq(&r->via, &o->via), "route");
	CMP(r == NULL && o == NULL, "route list");
	CMP(memcmp(&d->cores, &e->cores, sizeof(d->cores)) == 0 && memcmp(&d->cores_on, &e->cores_on, sizeof(d->cores_on)) == 0 && d->memory_mb == e->memory_mb &&
		    d->flows == e->flows &&
		    d->idle == e->idle,
	    "cores/memory/flows/idle");
	CMP(strl_eq(d->eal_args, e->eal_args), "eal");

	cmp_where = "proxies";
	CMP(a->nproxies == b->nproxies, "count");
	const struct sl_proxy *u = a->proxies, *v = b->proxies;
	for (; u != NULL && v != NULL; u = u->next, v = v->next)
		if (!proxy_eq(u, v))
			return false;
	cmp_where = "proxies";
	CMP(u == NULL && v == NULL, "list");
	return true;
}

/* dump -> parse -> dump gives the same text, without error, and the same model */
static void check_round_trip(struct sl_cfg *cfg)
{
	size_t len1 = 0, len2 = 0;
	char *d1 = tdump(cfg, &len1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d1);
	CU_ASSERT(len1 > 0);

	struct sl_cfg *cfg2 = NULL;
	struct tdiags d;
	struct sl_cfg_text t = {.name = "dump.cfg", .data = d1, .len = len1};
	int rc = tparse_n(&t, 1, &cfg2, &d);
	if (rc != 0 || d.nerr != 0)
		fprintf(stderr, "\n--- dump that does not parse:\n%s---\n", d1);
	T_PARSED_OK(rc, cfg2, &d);
	char *d2 = tdump(cfg2, &len2);
	CU_ASSERT_PTR_NOT_NULL(d2);
	if (d2 != NULL) {
		CU_ASSERT_EQUAL(len1, len2);
		int same = len1 == len2 && memcmp(d1, d2, len1) == 0;
		CU_ASSERT_TRUE(same);
		if (!same)
			fprintf(stderr, "\n--- first dump:\n%s--- second dump:\n%s---\n", d1, d2);
	}
	CU_ASSERT_TRUE(cfg_eq(cfg, cfg2));
	free(d1);
	free(d2);
	sl_cfg_free(cfg2);
}

static void test_round_trip_variant1(void)
{
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	tfs_reset();
	int rc = tparse_fixtures(V1, 3, &cfg, &d);
	T_PARSED_OK(rc, cfg, &d);
	check_round_trip(cfg);
	sl_cfg_free(cfg);
}

static void test_round_trip_variant2(void)
{
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	tfs_reset();
	int rc = tparse_fixtures(V2, 3, &cfg, &d);
	T_PARSED_OK(rc, cfg, &d);
	check_round_trip(cfg);
	sl_cfg_free(cfg);
}

static void test_round_trip_kitchen_sink(void)
{
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	tfs_reset();
	T_PARSE_OK(tkitchen_sink, cfg, &d);
	CU_ASSERT_EQUAL(cfg->dp.cores.w[0], 0xd);
	check_round_trip(cfg);
	sl_cfg_free(cfg);
}

/* ---------------------------------------------------------------- global */

static void test_global(void)
{
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	T_PARSE_OK("global\n"
		   "  log 127.0.0.1:514 local0 info\n"
		   "  log /dev/log local1 notice\n"
		   "  maxconn 4096\n"
		   "  user sluice\n"
		   "  group nogroup\n"
		   "  daemon\n"
		   "  nbthread 4\n"
		   "  stats socket /run/haproxy/admin.sock mode 600 level admin\n"
		   "  stats socket /run/haproxy/user.sock level user\n"
		   "  stats socket /run/haproxy/plain.sock\n"
		   "  stats timeout 30s\n"
		   "  ssl-default-bind-ciphers "
		   "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384\n"
		   "  ssl-default-bind-ciphersuites TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384\n"
		   "  ssl-default-bind-options no-sslv3 no-tlsv10 no-tls-tickets\n"
		   "  tune.bufsize 32768\n",
		   cfg, &d);
	const struct sl_global *g = &cfg->global;
	CU_ASSERT_EQUAL(tcount_str(g->logs), 2);
	if (tcount_str(g->logs) == 2) {
		CU_ASSERT_PTR_NOT_NULL(strstr(g->logs->s, "127.0.0.1:514 local0 info"));
		CU_ASSERT_PTR_NOT_NULL(strstr(g->logs->next->s, "/dev/log local1 notice"));
	}
	CU_ASSERT_EQUAL(g->maxconn, 4096);
	T_STR_EQ(g->user, "sluice");
	T_STR_EQ(g->group, "nogroup");
	CU_ASSERT_TRUE(g->daemon);
	CU_ASSERT_EQUAL(g->nbthread, 4);
	const struct sl_stats_socket *s = g->sockets;
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	T_STR_EQ(s->path, "/run/haproxy/admin.sock");
	CU_ASSERT_EQUAL(s->mode, 0600); /* octal, like chmod */
	CU_ASSERT_EQUAL(s->level, SL_LEVEL_ADMIN);
	CU_ASSERT_EQUAL(s->loc.line, 9);
	s = s->next;
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	T_STR_EQ(s->path, "/run/haproxy/user.sock");
	CU_ASSERT_EQUAL(s->mode, -1);
	CU_ASSERT_EQUAL(s->level, SL_LEVEL_USER);
	s = s->next;
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(s->level, SL_LEVEL_OPERATOR); /* HAProxy's default level */
	CU_ASSERT_PTR_NULL(s->next);
	CU_ASSERT_EQUAL(g->stats_timeout, 30000);
	T_STR_EQ(g->ssl_bind_ciphers, "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384");
	T_STR_EQ(g->ssl_bind_ciphersuites, "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384");
	CU_ASSERT_EQUAL(tcount_str(g->ssl_bind_options), 3);
	T_STR_EQ(tstr_at(g->ssl_bind_options, 0), "no-sslv3");
	T_STR_EQ(tstr_at(g->ssl_bind_options, 2), "no-tls-tickets");
	CU_ASSERT_EQUAL(g->bufsize, 32768);
	sl_cfg_free(cfg);
}

static void test_global_defaults(void)
{
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	T_PARSE_OK("global\n", cfg, &d);
	CU_ASSERT_EQUAL(cfg->global.maxconn, 2000);
	CU_ASSERT_EQUAL(cfg->global.bufsize, 16384);
	CU_ASSERT_EQUAL(cfg->global.nbthread, 0);
	CU_ASSERT_FALSE(cfg->global.daemon);
	CU_ASSERT_PTR_NULL(cfg->global.sockets);
	CU_ASSERT_PTR_NULL(cfg->proxies);
	CU_ASSERT_EQUAL(cfg->nproxies, 0);
	CU_ASSERT_FALSE(cfg->dp.present);
	sl_cfg_free(cfg);

	/* an empty text is an empty configuration */
	T_PARSE_OK("", cfg, &d);
	CU_ASSERT_EQUAL(cfg->global.maxconn, 2000);
	sl_cfg_free(cfg);
	/* comments, blank lines and CRLF */
	T_PARSE_OK("# c\r\n\r\nglobal\r\n  maxconn 10 # ten\r\n", cfg, &d);
	CU_ASSERT_EQUAL(cfg->global.maxconn, 10);
	sl_cfg_free(cfg);
}

/* ---------------------------------------------------------------- bind */

static void test_bind_forms(void)
{
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	tfs_reset();
	T_PARSE_OK(DEFAULTS_HTTP
		   "frontend f\n"
		   "  bind *:80\n"
		   "  bind :81\n"
		   "  bind 10.0.0.1:82\n"
		   "  bind 0.0.0.0:83\n"
		   "  bind *:1935-1940\n"
		   "  bind :443 ssl crt /certs/site.pem\n"
		   "  bind :444 ssl crt /certs/dir\n"
		   "  bind 10.0.0.2:445 ssl crt /certs/site.pem alpn h2,http/1.1\n"
		   "  bind :446 ssl crt /certs/site.pem crt /etc/haproxy/certs/$DOMAIN.pem\n"
		   "  bind :447 ssl crt /etc/ssl/private\n",
		   cfg, &d);
	struct sl_proxy *f = tpx(cfg, "f");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	const struct sl_bind *b = f->binds;

	CU_ASSERT_PTR_NOT_NULL_FATAL(b); /* *:80 */
	CU_ASSERT_TRUE(b->any);
	CU_ASSERT_EQUAL(b->addr.family, AF_INET);
	CU_ASSERT_EQUAL(b->addr.plen, 0);
	CU_ASSERT_EQUAL(b->port_lo, 80);
	CU_ASSERT_EQUAL(b->port_hi, 80);
	CU_ASSERT_FALSE(b->ssl);
	CU_ASSERT_PTR_NULL(b->crts);
	CU_ASSERT_PTR_NULL(b->alpn);
	CU_ASSERT_EQUAL(b->loc.line, 7);

	b = b->next; /* :81 */
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_TRUE(b->any);
	CU_ASSERT_EQUAL(b->port_lo, 81);
	CU_ASSERT_EQUAL(b->port_hi, 81);

	b = b->next; /* 10.0.0.1:82 */
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_FALSE(b->any);
	CU_ASSERT_EQUAL(b->addr.family, AF_INET);
	CU_ASSERT_EQUAL(b->addr.v4, TIP4(10, 0, 0, 1));
	CU_ASSERT_EQUAL(b->addr.plen, 32);
	CU_ASSERT_EQUAL(b->port_lo, 82);

	b = b->next; /* 0.0.0.0:83 */
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_EQUAL(b->addr.family, AF_INET);
	CU_ASSERT_EQUAL(b->addr.v4, 0);
	CU_ASSERT_EQUAL(b->port_lo, 83);

	b = b->next; /* *:1935-1940 */
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_TRUE(b->any);
	CU_ASSERT_EQUAL(b->port_lo, 1935);
	CU_ASSERT_EQUAL(b->port_hi, 1940);

	b = b->next; /* ssl crt FILE */
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_TRUE(b->ssl);
	CU_ASSERT_EQUAL(tcount_str(b->crts), 1);
	T_STR_EQ(tstr_at(b->crts, 0), "/certs/site.pem");

	b = b->next; /* ssl crt DIR */
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_TRUE(b->ssl);
	CU_ASSERT_EQUAL(tcount_str(b->crts), 1);
	T_STR_EQ(tstr_at(b->crts, 0), "/certs/dir");

	b = b->next; /* alpn */
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_EQUAL(b->addr.v4, TIP4(10, 0, 0, 2));
	CU_ASSERT_EQUAL(b->port_lo, 445);
	CU_ASSERT_TRUE(b->ssl);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b->alpn);
	T_STR_EQ(b->alpn, "http/1.1"); /* h2 dropped, with a warning (test_bind_alpn) */
	CU_ASSERT(tdiag_has(&d, SL_DIAG_WARNING, "t.cfg", 14, "'alpn h2,http/1.1'"));

	b = b->next; /* several crt, in order */
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_EQUAL(tcount_str(b->crts), 2);
	T_STR_EQ(tstr_at(b->crts, 0), "/certs/site.pem");
	T_STR_EQ(tstr_at(b->crts, 1), "/etc/haproxy/certs/$DOMAIN.pem");

	b = b->next; /* crt of a directory under /etc: read through the hook, never the real /etc */
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	T_STR_EQ(tstr_at(b->crts, 0), "/etc/ssl/private");
	CU_ASSERT_PTR_NULL(b->next);
	sl_cfg_free(cfg);
}

static void test_bind_ipv6(void)
{
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	T_PARSE_OK(DEFAULTS_HTTP "frontend f\n"
				 "  bind [::1]:80\n"
				 "  bind :::81\n",
		   cfg, &d);
	struct sl_proxy *f = tpx(cfg, "f");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f->binds);
	CU_ASSERT_EQUAL(f->binds->addr.family, AF_INET6);
	CU_ASSERT_EQUAL(f->binds->addr.v6[15], 1);
	CU_ASSERT_EQUAL(f->binds->port_lo, 80);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f->binds->next);
	CU_ASSERT_EQUAL(f->binds->next->addr.family, AF_INET6);
	CU_ASSERT_EQUAL(f->binds->next->port_lo, 81);
	sl_cfg_free(cfg);
}

/* ---------------------------------------------------------------- mode */

static void test_mode(void)
{
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	T_PARSE_OK("listen plain\n"
		   "  bind :80\n"
		   "  timeout client 1s\n"
		   "  timeout server 1s\n"
		   "  timeout connect 1s\n"
		   "listen h\n"
		   "  bind :81\n"
		   "  mode http\n"
		   "listen t\n"
		   "  bind :82\n"
		   "  mode http\n"
		   "  mode tcp\n" DEFAULTS_HTTP "listen inherits\n"
		   "  bind :83\n"
		   "listen overrides\n"
		   "  bind :84\n"
		   "  mode tcp\n",
		   cfg, &d);
	CU_ASSERT_EQUAL(tpx(cfg, "plain")->mode, SL_MODE_TCP); /* HAProxy's default mode */
	CU_ASSERT_EQUAL(tpx(cfg, "h")->mode, SL_MODE_HTTP);
	CU_ASSERT_EQUAL(tpx(cfg, "t")->mode, SL_MODE_TCP); /* the last line wins */
	CU_ASSERT_EQUAL(tpx(cfg, "inherits")->mode, SL_MODE_HTTP);
	CU_ASSERT_EQUAL(tpx(cfg, "overrides")->mode, SL_MODE_TCP);
	sl_cfg_free(cfg);
}

/* ---------------------------------------------------------------- ACLs and conditions */

static void test_acl_fetches(void)
{
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	T_PARSE_OK(DEFAULTS_HTTP "frontend f\n"
				 "  bind :80\n"
				 "  acl a_path path /exact\n"
				 "  acl a_beg path_beg /api /v2\n"
				 "  acl a_end path_end .m3u8 .ts\n"
				 "  acl a_reg path_reg -i ^/live/.*\\.m3u8$\n"
				 "  acl a_host hdr(host) example.com\n"
				 "  acl a_hbeg hdr_beg(host) www.\n"
				 "  acl a_src src 10.0.0.0/8 192.168.1.1\n"
				 "  acl a_ssl ssl_fc\n"
				 "  acl a_true always_true\n"
				 "  acl a_beg path_beg /third\n",
		   cfg, &d);
	struct sl_proxy *f = tpx(cfg, "f");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	struct sl_acl *a;

	a = tacl(f, "a_path");
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_EQUAL(a->fetch, SL_FETCH_PATH);
	CU_ASSERT_FALSE(a->icase);
	CU_ASSERT_EQUAL(a->npats, 1);
	T_STR_EQ(a->pats->str, "/exact");
	CU_ASSERT_EQUAL(a->loc.line, 8);

	a = tacl(f, "a_beg");
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_EQUAL(a->fetch, SL_FETCH_PATH_BEG);
	CU_ASSERT_EQUAL(a->npats, 2);
	T_STR_EQ(a->pats->str, "/api");
	CU_ASSERT_PTR_NOT_NULL_FATAL(a->pats->next);
	T_STR_EQ(a->pats->next->str, "/v2");
	CU_ASSERT_PTR_NULL(a->pats->next->next);

	a = tacl(f, "a_end");
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_EQUAL(a->fetch, SL_FETCH_PATH_END);
	CU_ASSERT_EQUAL(a->npats, 2);

	a = tacl(f, "a_reg");
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_EQUAL(a->fetch, SL_FETCH_PATH_REG);
	CU_ASSERT_TRUE(a->icase);
	CU_ASSERT_EQUAL(a->npats, 1);
	T_STR_EQ(a->pats->str, "^/live/.*\\.m3u8$");
	CU_ASSERT_PTR_NOT_NULL(a->pats->re);

	a = tacl(f, "a_host");
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_EQUAL(a->fetch, SL_FETCH_HDR);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a->hdr);
	CU_ASSERT_EQUAL(strcasecmp(a->hdr, "host"), 0);
	T_STR_EQ(a->pats->str, "example.com");

	a = tacl(f, "a_hbeg");
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_EQUAL(a->fetch, SL_FETCH_HDR_BEG);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a->hdr);
	CU_ASSERT_EQUAL(strcasecmp(a->hdr, "host"), 0);
	T_STR_EQ(a->pats->str, "www.");

	a = tacl(f, "a_src");
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_EQUAL(a->fetch, SL_FETCH_SRC);
	CU_ASSERT_EQUAL(a->npats, 2);
	CU_ASSERT_EQUAL(a->pats->net.family, AF_INET);
	CU_ASSERT_EQUAL(a->pats->net.v4, TIP4(10, 0, 0, 0));
	CU_ASSERT_EQUAL(a->pats->net.plen, 8);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a->pats->next);
	CU_ASSERT_EQUAL(a->pats->next->net.v4, TIP4(192, 168, 1, 1));
	CU_ASSERT_EQUAL(a->pats->next->net.plen, 32);

	a = tacl(f, "a_ssl");
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_EQUAL(a->fetch, SL_FETCH_SSL_FC);
	CU_ASSERT_EQUAL(a->npats, 0);

	a = tacl(f, "a_true");
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_EQUAL(a->fetch, SL_FETCH_ALWAYS_TRUE);

	/* acl lines of the same name are kept, in order (they are ORed) */
	int n = 0;
	for (a = f->acls; a != NULL; a = a->next)
		if (a->name != NULL && strcmp(a->name, "a_beg") == 0)
			n++;
	CU_ASSERT_EQUAL(n, 2);
	sl_cfg_free(cfg);
}

static const struct sl_cond_term *term_at(const struct sl_cond *c, int or_idx, int term_idx)
{
	if (c == NULL)
		return NULL;
	const struct sl_cond_and *o = c->ors;
	for (; o != NULL && or_idx > 0; or_idx--)
		o = o->next;
	if (o == NULL)
		return NULL;
	const struct sl_cond_term *t = o->terms;
	for (; t != NULL && term_idx > 0; term_idx--)
		t = t->next;
	return t;
}

static int count_ors(const struct sl_cond *c)
{
	int n = 0;
	for (const struct sl_cond_and *o = c != NULL ? c->ors : NULL; o != NULL; o = o->next)
		n++;
	return n;
}

static int count_terms(const struct sl_cond *c, int or_idx)
{
	const struct sl_cond_and *o = c != NULL ? c->ors : NULL;
	for (; o != NULL && or_idx > 0; or_idx--)
		o = o->next;
	int n = 0;
	for (const struct sl_cond_term *t = o != NULL ? o->terms : NULL; t != NULL; t = t->next)
		n++;
	return n;
}

static bool term_is(const struct sl_cond_term *t, bool neg, const char *name)
{
	return t != NULL && t->neg == neg && t->name != NULL && strcmp(t->name, name) == 0 &&
	       t->anon == NULL;
}

static void test_conditions(void)
{
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	T_PARSE_OK(DEFAULTS_HTTP "frontend f\n"
				 "  bind :80\n"
				 "  acl a path /a\n"
				 "  acl b path /b\n"
				 "  acl c path /c\n"
				 "  use_backend be if !a\n"
				 "  use_backend be if { path_beg /x }\n"
				 "  use_backend be if a b\n"
				 "  use_backend be if a or b\n"
				 "  use_backend be if a || !c\n"
				 "  use_backend be unless a\n"
				 "  use_backend be if a b or c !{ ssl_fc }\n"
				 "  use_backend be if ! { src 10.0.0.0/8 } a\n"
				 "  default_backend be\n"
				 "backend be\n"
				 "  server s 10.0.0.1:80\n",
		   cfg, &d);
	struct sl_proxy *f = tpx(cfg, "f");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	const struct sl_switch *sw = f->switches;
	const struct sl_cond *c;

	CU_ASSERT_PTR_NOT_NULL_FATAL(sw); /* if !a */
	CU_ASSERT_EQUAL(sw->loc.line, 11);
	c = sw->cond;
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_FALSE(c->unless);
	CU_ASSERT_EQUAL(count_ors(c), 1);
	CU_ASSERT_EQUAL(count_terms(c, 0), 1);
	CU_ASSERT_TRUE(term_is(term_at(c, 0, 0), true, "a"));

	sw = sw->next; /* if { path_beg /x } */
	CU_ASSERT_PTR_NOT_NULL_FATAL(sw);
	c = sw->cond;
	CU_ASSERT_EQUAL(count_ors(c), 1);
	CU_ASSERT_EQUAL(count_terms(c, 0), 1);
	const struct sl_cond_term *t = term_at(c, 0, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_FALSE(t->neg);
	CU_ASSERT_PTR_NULL(t->name);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t->anon);
	CU_ASSERT_EQUAL(t->anon->fetch, SL_FETCH_PATH_BEG);
	CU_ASSERT_EQUAL(t->anon->npats, 1);
	T_STR_EQ(t->anon->pats->str, "/x");

	sw = sw->next; /* if a b: implicit AND */
	CU_ASSERT_PTR_NOT_NULL_FATAL(sw);
	c = sw->cond;
	CU_ASSERT_EQUAL(count_ors(c), 1);
	CU_ASSERT_EQUAL(count_terms(c, 0), 2);
	CU_ASSERT_TRUE(term_is(term_at(c, 0, 0), false, "a"));
	CU_ASSERT_TRUE(term_is(term_at(c, 0, 1), false, "b"));

	sw = sw->next; /* if a or b */
	CU_ASSERT_PTR_NOT_NULL_FATAL(sw);
	c = sw->cond;
	CU_ASSERT_EQUAL(count_ors(c), 2);
	CU_ASSERT_TRUE(term_is(term_at(c, 0, 0), false, "a"));
	CU_ASSERT_TRUE(term_is(term_at(c, 1, 0), false, "b"));

	sw = sw->next; /* if a || !c */
	CU_ASSERT_PTR_NOT_NULL_FATAL(sw);
	c = sw->cond;
	CU_ASSERT_EQUAL(count_ors(c), 2);
	CU_ASSERT_TRUE(term_is(term_at(c, 0, 0), false, "a"));
	CU_ASSERT_TRUE(term_is(term_at(c, 1, 0), true, "c"));

	sw = sw->next; /* unless a */
	CU_ASSERT_PTR_NOT_NULL_FATAL(sw);
	c = sw->cond;
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_TRUE(c->unless);
	CU_ASSERT_EQUAL(count_ors(c), 1);
	CU_ASSERT_TRUE(term_is(term_at(c, 0, 0), false, "a"));

	sw = sw->next; /* if a b or c !{ ssl_fc } */
	CU_ASSERT_PTR_NOT_NULL_FATAL(sw);
	c = sw->cond;
	CU_ASSERT_EQUAL(count_ors(c), 2);
	CU_ASSERT_EQUAL(count_terms(c, 0), 2);
	CU_ASSERT_EQUAL(count_terms(c, 1), 2);
	CU_ASSERT_TRUE(term_is(term_at(c, 1, 0), false, "c"));
	t = term_at(c, 1, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_TRUE(t->neg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t->anon);
	CU_ASSERT_EQUAL(t->anon->fetch, SL_FETCH_SSL_FC);

	sw = sw->next; /* if ! { src 10.0.0.0/8 } a */
	CU_ASSERT_PTR_NOT_NULL_FATAL(sw);
	c = sw->cond;
	CU_ASSERT_EQUAL(count_ors(c), 1);
	CU_ASSERT_EQUAL(count_terms(c, 0), 2);
	t = term_at(c, 0, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_TRUE(t->neg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t->anon);
	CU_ASSERT_EQUAL(t->anon->fetch, SL_FETCH_SRC);
	CU_ASSERT_EQUAL(t->anon->pats->net.v4, TIP4(10, 0, 0, 0));
	CU_ASSERT_EQUAL(t->anon->pats->net.plen, 8);
	CU_ASSERT_TRUE(term_is(term_at(c, 0, 1), false, "a"));
	CU_ASSERT_PTR_NULL(sw->next);
	sl_cfg_free(cfg);
}

/* ---------------------------------------------------------------- backends and servers */

static void test_balance(void)
{
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	T_PARSE_OK(DEFAULTS_HTTP "backend b_default\n"
				 "  server s 10.0.0.1:80\n"
				 "backend b_rr\n"
				 "  balance roundrobin\n"
				 "backend b_srr\n"
				 "  balance static-rr\n"
				 "backend b_lc\n"
				 "  balance leastconn\n"
				 "backend b_src\n"
				 "  balance source\n"
				 "backend b_uri\n"
				 "  balance uri\n"
				 "backend b_first\n"
				 "  balance first\n"
				 "backend b_last\n"
				 "  balance first\n"
				 "  balance leastconn\n",
		   cfg, &d);
	CU_ASSERT_EQUAL(tpx(cfg, "b_default")->balance, SL_BAL_ROUNDROBIN);
	CU_ASSERT_EQUAL(tpx(cfg, "b_rr")->balance, SL_BAL_ROUNDROBIN);
	CU_ASSERT_EQUAL(tpx(cfg, "b_srr")->balance, SL_BAL_STATIC_RR);
	CU_ASSERT_EQUAL(tpx(cfg, "b_lc")->balance, SL_BAL_LEASTCONN);
	CU_ASSERT_EQUAL(tpx(cfg, "b_src")->balance, SL_BAL_SOURCE);
	CU_ASSERT_EQUAL(tpx(cfg, "b_uri")->balance, SL_BAL_URI);
	CU_ASSERT_EQUAL(tpx(cfg, "b_first")->balance, SL_BAL_FIRST);
	CU_ASSERT_EQUAL(tpx(cfg, "b_last")->balance, SL_BAL_LEASTCONN);
	sl_cfg_free(cfg);
}

static void test_enum_names(void)
{
	T_STR_EQ(sl_cfg_balance_name(SL_BAL_ROUNDROBIN), "roundrobin");
	T_STR_EQ(sl_cfg_balance_name(SL_BAL_STATIC_RR), "static-rr");
	T_STR_EQ(sl_cfg_balance_name(SL_BAL_LEASTCONN), "leastconn");
	T_STR_EQ(sl_cfg_balance_name(SL_BAL_FIRST), "first");
	T_STR_EQ(sl_cfg_balance_name(SL_BAL_SOURCE), "source");
	T_STR_EQ(sl_cfg_balance_name(SL_BAL_URI), "uri");
	T_STR_EQ(sl_cfg_fetch_name(SL_FETCH_PATH), "path");
	T_STR_EQ(sl_cfg_fetch_name(SL_FETCH_PATH_BEG), "path_beg");
	T_STR_EQ(sl_cfg_fetch_name(SL_FETCH_PATH_REG), "path_reg");
	T_STR_EQ(sl_cfg_fetch_name(SL_FETCH_SRC), "src");
	T_STR_EQ(sl_cfg_fetch_name(SL_FETCH_SSL_FC), "ssl_fc");
	T_STR_EQ(sl_cfg_fetch_name(SL_FETCH_ALWAYS_TRUE), "always_true");
	const char *h = sl_cfg_fetch_name(SL_FETCH_HDR_BEG);
	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	CU_ASSERT_EQUAL(strncmp(h, "hdr_beg", 7), 0);
}

static void test_server_params(void)
{
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	T_PARSE_OK(DEFAULTS_HTTP
		   "backend b\n"
		   "  cookie SRV insert\n"
		   "  server s1 10.0.0.1:80 check inter 5s fastinter 1s downinter 10s rise 3 fall 2"
		   " weight 50 cookie x backup disabled maxconn 100 port 8080 addr 10.0.0.9"
		   " on-marked-down shutdown-sessions on-marked-up shutdown-backup-sessions\n"
		   "  server s2 10.0.0.2\n"
		   "  server s3 10.0.0.3:8443 weight 0 slowstart 30s maxqueue 10\n",
		   cfg, &d);
	struct sl_proxy *b = tpx(cfg, "b");
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_EQUAL(b->nservers, 3);
	struct sl_server *s = tsrv(b, "s1");
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(s->id, 1);
	CU_ASSERT_EQUAL(s->loc.line, 8);
	CU_ASSERT_EQUAL(s->addr.family, AF_INET);
	CU_ASSERT_EQUAL(s->addr.v4, TIP4(10, 0, 0, 1));
	CU_ASSERT_EQUAL(s->port, 80);
	CU_ASSERT_TRUE(s->p.check);
	CU_ASSERT_EQUAL(s->p.inter, 5000);
	CU_ASSERT_EQUAL(s->p.fastinter, 1000);
	CU_ASSERT_EQUAL(s->p.downinter, 10000);
	CU_ASSERT_EQUAL(s->p.rise, 3);
	CU_ASSERT_EQUAL(s->p.fall, 2);
	CU_ASSERT_EQUAL(s->p.weight, 50);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s->cookie);
	T_STR_EQ(s->cookie, "x");
	CU_ASSERT_TRUE(s->p.backup);
	CU_ASSERT_TRUE(s->p.disabled);
	CU_ASSERT_EQUAL(s->p.maxconn, 100);
	CU_ASSERT_EQUAL(s->p.check_port, 8080);
	CU_ASSERT_EQUAL(s->p.check_addr.family, AF_INET);
	CU_ASSERT_EQUAL(s->p.check_addr.v4, TIP4(10, 0, 0, 9));
	CU_ASSERT_TRUE(s->p.shutdown_on_down);
	CU_ASSERT_TRUE(s->p.shutdown_backup_on_up);

	s = tsrv(b, "s2"); /* everything at its default */
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(s->id, 2);
	CU_ASSERT_EQUAL(s->port, 0); /* the client's destination port */
	CU_ASSERT_FALSE(s->p.check);
	CU_ASSERT_EQUAL(s->p.inter, 2000);
	CU_ASSERT_EQUAL(s->p.fastinter, 0);
	CU_ASSERT_EQUAL(s->p.downinter, 0);
	CU_ASSERT_EQUAL(s->p.rise, 2);
	CU_ASSERT_EQUAL(s->p.fall, 3);
	CU_ASSERT_EQUAL(s->p.weight, 1);
	CU_ASSERT_PTR_NULL(s->cookie);
	CU_ASSERT_FALSE(s->p.backup);
	CU_ASSERT_FALSE(s->p.disabled);
	CU_ASSERT_EQUAL(s->p.maxconn, 0);
	CU_ASSERT_EQUAL(s->p.check_port, 0);
	CU_ASSERT_EQUAL(s->p.check_addr.family, 0);
	CU_ASSERT_FALSE(s->p.shutdown_on_down);

	s = tsrv(b, "s3");
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(s->port, 8443);
	CU_ASSERT_EQUAL(s->p.weight, 0);
	CU_ASSERT_EQUAL(s->p.slowstart, 30000);
	CU_ASSERT_EQUAL(s->p.maxqueue, 10);
	sl_cfg_free(cfg);
}

static void test_default_server(void)
{
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	T_PARSE_OK(DEFAULTS_HTTP "  default-server inter 3s rise 5 weight 10\n"
				 "backend b\n"
				 "  server s 10.0.0.1:80\n"
				 "  default-server fall 7 weight 20\n"
				 "  server t 10.0.0.2:80\n"
				 "  server u 10.0.0.3:80 weight 30\n"
				 "backend c\n"
				 "  server v 10.0.0.4:80 check\n",
		   cfg, &d);
	struct sl_proxy *b = tpx(cfg, "b");
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	struct sl_server *s = tsrv(b, "s");
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(s->p.inter, 3000);
	CU_ASSERT_EQUAL(s->p.rise, 5);
	CU_ASSERT_EQUAL(s->p.fall, 3); /* the backend's default-server comes after it */
	CU_ASSERT_EQUAL(s->p.weight, 10);
	s = tsrv(b, "t");
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(s->p.inter, 3000);
	CU_ASSERT_EQUAL(s->p.rise, 5);
	CU_ASSERT_EQUAL(s->p.fall, 7);
	CU_ASSERT_EQUAL(s->p.weight, 20);
	s = tsrv(b, "u");
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(s->p.fall, 7);
	CU_ASSERT_EQUAL(s->p.weight, 30);
	CU_ASSERT_EQUAL(b->dflt_srv.fall, 7);
	CU_ASSERT_EQUAL(b->dflt_srv.inter, 3000);

	struct sl_proxy *c = tpx(cfg, "c"); /* only the defaults' default-server */
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	s = tsrv(c, "v");
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_TRUE(s->p.check);
	CU_ASSERT_EQUAL(s->p.inter, 3000);
	CU_ASSERT_EQUAL(s->p.rise, 5);
	CU_ASSERT_EQUAL(s->p.fall, 3);
	CU_ASSERT_EQUAL(s->p.weight, 10);
	sl_cfg_free(cfg);
}

/* `source ADDR`: defaults, backend and server (and default-server), inherited and overridden;
 * --dump writes it back. */
static void test_source(void)
{
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	T_PARSE_OK(DEFAULTS_HTTP "  source 10.0.0.2\n"
				 "backend b\n"
				 "  server s 10.0.0.9:80\n"
				 "  server t 10.0.0.8:80 source 10.0.0.1\n"
				 "backend c\n"
				 "  source 10.0.0.3\n"
				 "  default-server source 10.0.0.1\n"
				 "  server u 10.0.0.7:80\n"
				 "dataplane\n"
				 "  port p0 iface eth0\n"
				 "  address 10.0.0.1/24 port p0\n"
				 "  address 10.0.0.2/24 port p0\n"
				 "  address 10.0.0.3/24 port p0\n",
		   cfg, &d);
	struct sl_proxy *b = tpx(cfg, "b"), *c = tpx(cfg, "c");
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(b->source.family, AF_INET); /* from the defaults */
	CU_ASSERT_EQUAL(b->source.v4, TIP4(10, 0, 0, 2));
	CU_ASSERT_EQUAL(b->source_loc.line, 6);
	CU_ASSERT_EQUAL(tsrv(b, "s")->p.source.family, 0);
	CU_ASSERT_EQUAL(tsrv(b, "t")->p.source.v4, TIP4(10, 0, 0, 1));
	CU_ASSERT_EQUAL(c->source.v4, TIP4(10, 0, 0, 3));
	CU_ASSERT_EQUAL(tsrv(c, "u")->p.source.v4, TIP4(10, 0, 0, 1));
	check_round_trip(cfg);
	sl_cfg_free(cfg);
}

static void test_cookie(void)
{
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	T_PARSE_OK(DEFAULTS_HTTP "backend b\n"
				 "  cookie SRVID insert indirect nocache preserve httponly secure"
				 " domain .example.com domain .example.org maxidle 30m maxlife 8h\n"
				 "  server s 10.0.0.1:80 cookie s1\n"
				 "backend r\n"
				 "  cookie JSESSIONID rewrite\n"
				 "backend p\n"
				 "  cookie JSESSIONID prefix nocache\n"
				 "backend none\n"
				 "  server s 10.0.0.1:80\n",
		   cfg, &d);
	struct sl_proxy *b = tpx(cfg, "b");
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	const struct sl_cookie *k = &b->cookie;
	CU_ASSERT_PTR_NOT_NULL_FATAL(k->name);
	T_STR_EQ(k->name, "SRVID");
	CU_ASSERT_EQUAL(k->mode, SL_COOKIE_INSERT);
	CU_ASSERT_TRUE(k->indirect);
	CU_ASSERT_TRUE(k->nocache);
	CU_ASSERT_TRUE(k->preserve);
	CU_ASSERT_TRUE(k->httponly);
	CU_ASSERT_TRUE(k->secure);
	CU_ASSERT_FALSE(k->postonly);
	CU_ASSERT_EQUAL(tcount_str(k->domains), 2);
	T_STR_EQ(tstr_at(k->domains, 0), ".example.com");
	T_STR_EQ(tstr_at(k->domains, 1), ".example.org");
	CU_ASSERT_EQUAL(k->maxidle, 30 * 60 * 1000);
	CU_ASSERT_EQUAL(k->maxlife, 8 * 3600 * 1000);
	T_STR_EQ(tsrv(b, "s")->cookie, "s1");

	CU_ASSERT_EQUAL(tpx(cfg, "r")->cookie.mode, SL_COOKIE_REWRITE);
	CU_ASSERT_EQUAL(tpx(cfg, "p")->cookie.mode, SL_COOKIE_PREFIX);
	CU_ASSERT_TRUE(tpx(cfg, "p")->cookie.nocache);
	CU_ASSERT_FALSE(tpx(cfg, "p")->cookie.indirect);
	CU_ASSERT_PTR_NULL(tpx(cfg, "none")->cookie.name);
	CU_ASSERT_EQUAL(tpx(cfg, "none")->cookie.mode, SL_COOKIE_NONE);
	sl_cfg_free(cfg);
}

/* ---------------------------------------------------------------- options */

static void test_forwardfor(void)
{
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	T_PARSE_OK(DEFAULTS_HTTP "listen a\n"
				 "  bind :80\n"
				 "  option forwardfor except 127.0.0.0/8 header X-Real-IP\n"
				 "listen b\n"
				 "  bind :81\n"
				 "  option forwardfor\n"
				 "listen c\n"
				 "  bind :82\n"
				 "  option forwardfor if-none\n"
				 "listen off\n"
				 "  bind :83\n",
		   cfg, &d);
	struct sl_proxy *p = tpx(cfg, "a");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_TRUE(p->fwdfor.on);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p->fwdfor.header);
	T_STR_EQ(p->fwdfor.header, "X-Real-IP");
	CU_ASSERT_EQUAL(p->fwdfor.except.family, AF_INET);
	CU_ASSERT_EQUAL(p->fwdfor.except.v4, TIP4(127, 0, 0, 0));
	CU_ASSERT_EQUAL(p->fwdfor.except.plen, 8);
	CU_ASSERT_FALSE(p->fwdfor.if_none);

	p = tpx(cfg, "b");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_TRUE(p->fwdfor.on);
	T_STR_DEFAULT(p->fwdfor.header, "X-Forwarded-For");
	CU_ASSERT_EQUAL(p->fwdfor.except.family, 0);

	p = tpx(cfg, "c");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_TRUE(p->fwdfor.on);
	CU_ASSERT_TRUE(p->fwdfor.if_none);

	CU_ASSERT_FALSE(tpx(cfg, "off")->fwdfor.on);
	sl_cfg_free(cfg);
}

static void test_options(void)
{
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	T_PARSE_OK(DEFAULTS_HTTP "  option http-server-close\n"
				 "  option httplog\n"
				 "  option dontlognull\n"
				 "  option redispatch\n"
				 "listen inherit\n"
				 "  bind :80\n"
				 "listen negate\n"
				 "  bind :81\n"
				 "  no option redispatch\n"
				 "  no option dontlognull\n"
				 "  no option http-server-close\n"
				 "  option tcplog\n"
				 "listen ka\n"
				 "  bind :82\n"
				 "  option http-keep-alive\n"
				 "  option httpchk GET /health\n"
				 "listen close\n"
				 "  bind :83\n"
				 "  option httpclose\n"
				 "  option httpchk /ping\n"
				 "listen chk\n"
				 "  bind :84\n"
				 "  option httpchk\n",
		   cfg, &d);
	struct sl_proxy *p = tpx(cfg, "inherit");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL(p->http_conn, SL_HTTP_SERVER_CLOSE);
	CU_ASSERT_EQUAL(p->log_format, SL_LOG_HTTP);
	CU_ASSERT_TRUE(p->dontlognull);
	CU_ASSERT_TRUE(p->redispatch);
	CU_ASSERT_FALSE(p->chk.on);

	p = tpx(cfg, "negate");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_FALSE(p->redispatch);
	CU_ASSERT_FALSE(p->dontlognull);
	CU_ASSERT_EQUAL(p->http_conn, SL_HTTP_KEEP_ALIVE);
	CU_ASSERT_EQUAL(p->log_format, SL_LOG_TCP);

	p = tpx(cfg, "ka");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL(p->http_conn, SL_HTTP_KEEP_ALIVE);
	CU_ASSERT_TRUE(p->chk.on);
	T_STR_EQ(p->chk.method, "GET");
	T_STR_EQ(p->chk.uri, "/health");
	CU_ASSERT_EQUAL(p->chk.expect, SL_EXPECT_NONE);

	p = tpx(cfg, "close");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL(p->http_conn, SL_HTTP_CLOSE);
	CU_ASSERT_TRUE(p->chk.on);
	T_STR_DEFAULT(p->chk.method, "OPTIONS"); /* one argument: the URI */
	T_STR_EQ(p->chk.uri, "/ping");

	p = tpx(cfg, "chk");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_TRUE(p->chk.on);
	T_STR_DEFAULT(p->chk.method, "OPTIONS");
	T_STR_DEFAULT(p->chk.uri, "/");
	T_STR_DEFAULT(p->chk.version, "HTTP/1.0");
	sl_cfg_free(cfg);
}

static void test_http_check_expect(void)
{
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	T_PARSE_OK(DEFAULTS_HTTP "backend c1\n"
				 "  option httpchk GET /health\n"
				 "  http-check expect status 200\n"
				 "backend c2\n"
				 "  option httpchk\n"
				 "  http-check expect rstatus ^2\n"
				 "backend c3\n"
				 "  option httpchk\n"
				 "  http-check expect string ok\n"
				 "backend c4\n"
				 "  option httpchk\n"
				 "  http-check expect ! string error\n",
		   cfg, &d);
	struct sl_proxy *p = tpx(cfg, "c1");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL(p->chk.expect, SL_EXPECT_STATUS);
	CU_ASSERT_FALSE(p->chk.expect_neg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p->chk.expect_pat);
	T_STR_EQ(p->chk.expect_pat, "200");

	p = tpx(cfg, "c2");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL(p->chk.expect, SL_EXPECT_RSTATUS);
	T_STR_EQ(p->chk.expect_pat, "^2");
	CU_ASSERT_PTR_NOT_NULL(p->chk.expect_re);

	p = tpx(cfg, "c3");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL(p->chk.expect, SL_EXPECT_STRING);
	T_STR_EQ(p->chk.expect_pat, "ok");

	p = tpx(cfg, "c4");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL(p->chk.expect, SL_EXPECT_STRING);
	CU_ASSERT_TRUE(p->chk.expect_neg);
	T_STR_EQ(p->chk.expect_pat, "error");
	sl_cfg_free(cfg);
}

static void test_tcp_check(void)
{
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	T_PARSE_OK("defaults\n"
		   "  mode tcp\n"
		   "  timeout connect 1s\n"
		   "  timeout client 1s\n"
		   "  timeout server 1s\n"
		   "  option tcp-check\n"
		   "  tcp-check send PING\\r\\n\n"
		   "  tcp-check expect string +PONG\n"
		   "backend redis\n"
		   "  server r 10.0.0.1:6379 check\n"
		   "backend own\n"
		   "  tcp-check connect port 1935 comment rtmp\n"
		   "  tcp-check comment hello\n"
		   "  tcp-check send-binary 50494e47\n"
		   "  tcp-check expect binary 00ff\n"
		   "  tcp-check expect ! rstring ^ERR comment \"no error\"\n"
		   "  server r 10.0.0.1:6379 check\n"
		   "backend plain\n"
		   "  no option tcp-check\n"
		   "  option httpchk\n"
		   "  server r 10.0.0.1:80 check\n"
		   "backend ignored\n"
		   "  no option tcp-check\n"
		   "  tcp-check send x\n"
		   "  server r 10.0.0.1:80 check\n",
		   cfg, &d);
	/* inherited from defaults: the string escapes are bytes */
	struct sl_proxy *p = tpx(cfg, "redis");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_TRUE(p->tcpchk.on);
	CU_ASSERT_EQUAL_FATAL(p->tcpchk.nrules, 2u);
	CU_ASSERT_EQUAL(p->tcpchk.rules[0].op, SL_TCPCHK_SEND);
	CU_ASSERT_EQUAL(p->tcpchk.rules[0].len, 6u);
	CU_ASSERT_EQUAL(memcmp(p->tcpchk.rules[0].data, "PING\r\n", 6), 0);
	CU_ASSERT_EQUAL(p->tcpchk.rules[1].op, SL_TCPCHK_EXPECT);
	CU_ASSERT_EQUAL(p->tcpchk.rules[1].match, SL_TCPCHK_STRING);
	CU_ASSERT_FALSE(p->tcpchk.rules[1].neg);
	/* a backend's own rules replace the inherited ones */
	p = tpx(cfg, "own");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_TRUE(p->tcpchk.on);
	CU_ASSERT_EQUAL_FATAL(p->tcpchk.nrules, 4u);
	const struct sl_tcpchk_rule *r = p->tcpchk.rules;
	CU_ASSERT_EQUAL(r[0].op, SL_TCPCHK_CONNECT);
	CU_ASSERT_EQUAL(r[0].port, 1935);
	T_STR_EQ(r[0].comment, "rtmp");
	CU_ASSERT_EQUAL(r[1].op, SL_TCPCHK_SEND);
	CU_ASSERT_EQUAL(r[1].len, 4u);
	CU_ASSERT_EQUAL(memcmp(r[1].data, "PING", 4), 0);
	T_STR_EQ(r[1].comment, "hello");
	CU_ASSERT_EQUAL(r[2].match, SL_TCPCHK_BINARY);
	CU_ASSERT_EQUAL(r[2].len, 2u);
	CU_ASSERT_EQUAL(r[2].data[0], 0x00);
	CU_ASSERT_EQUAL(r[2].data[1], 0xff);
	CU_ASSERT_EQUAL(r[3].match, SL_TCPCHK_RSTRING);
	CU_ASSERT_TRUE(r[3].neg);
	CU_ASSERT_PTR_NOT_NULL(r[3].re);
	T_STR_EQ(r[3].comment, "no error");
	CU_ASSERT_TRUE(tdiag_has(&d, SL_DIAG_WARNING, "t.cfg", 13, "tcp-check comment"));
	CU_ASSERT_TRUE(tdiag_has(&d, SL_DIAG_WARNING, "t.cfg", 12,
				 "'tcp-check connect ... comment' is accepted"));
	/* the last check type wins */
	p = tpx(cfg, "plain");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_FALSE(p->tcpchk.on);
	CU_ASSERT_TRUE(p->chk.on);
	/* rules without `option tcp-check`: said, as HAProxy does */
	CU_ASSERT_TRUE(tdiag_has(&d, SL_DIAG_WARNING, "t.cfg", 24,
				 "backend 'ignored' uses tcp-check rules without 'option tcp-check'"));
	CU_ASSERT_FALSE(tdiag_has(&d, SL_DIAG_WARNING, "t.cfg", -1, "backend 'redis' uses"));
	sl_cfg_free(cfg);
}

/* ---------------------------------------------------------------- timeouts */

static void test_timeouts(void)
{
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	T_PARSE_OK("listen l\n"
		   "  bind :80\n"
		   "  timeout connect 5000\n"
		   "  timeout client 100ms\n"
		   "  timeout server 5s\n"
		   "  timeout tunnel 2h\n"
		   "  timeout client-fin 1m\n"
		   "  timeout server-fin 100us\n"
		   "  timeout http-request 10s\n"
		   "  timeout http-keep-alive 1d\n"
		   "  timeout queue 30s\n"
		   "  timeout check 1500us\n",
		   cfg, &d);
	struct sl_proxy *p = tpx(cfg, "l");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL(p->to.connect, 5000);
	CU_ASSERT_EQUAL(p->to.client, 100);
	CU_ASSERT_EQUAL(p->to.server, 5000);
	CU_ASSERT_EQUAL(p->to.tunnel, 7200000);
	CU_ASSERT_EQUAL(p->to.client_fin, 60000);
	CU_ASSERT_EQUAL(p->to.server_fin, 1); /* rounded up from us */
	CU_ASSERT_EQUAL(p->to.http_request, 10000);
	CU_ASSERT_EQUAL(p->to.http_keep_alive, 86400000);
	CU_ASSERT_EQUAL(p->to.queue, 30000);
	CU_ASSERT_EQUAL(p->to.check, 2);
	sl_cfg_free(cfg);
}

static void test_parse_time(void)
{
	static const struct {
		const char *s;
		int rc, ms;
	} cases[] = {
		{"0", 0, 0},
		{"5000", 0, 5000},
		{"100ms", 0, 100},
		{"0ms", 0, 0},
		{"5s", 0, 5000},
		{"2m", 0, 120000},
		{"2h", 0, 7200000},
		{"1d", 0, 86400000},
		{"100us", 0, 1},
		{"1us", 0, 1},
		{"1000us", 0, 1},
		{"1001us", 0, 2},
		{"0us", 0, 0},
		{"24d", 0, 2073600000},
		{"2147483647", 0, INT_MAX},
		{"2147483647ms", 0, INT_MAX},
		{"2147483648", -ERANGE, 0},
		{"25d", -ERANGE, 0},
		{"596h", 0, 2145600000},
		{"597h", -ERANGE, 0},
		{"99999999999999999999999", -ERANGE, 0},
		{"99999999999999999999999d", -ERANGE, 0},
		{"", -EINVAL, 0},
		{"5x", -EINVAL, 0},
		{"-1", -EINVAL, 0},
		{"+5", -EINVAL, 0},
		{"s", -EINVAL, 0},
		{"ms", -EINVAL, 0},
		{"1.5s", -EINVAL, 0},
		{" 5", -EINVAL, 0},
		{"5 ", -EINVAL, 0},
		{"5ss", -EINVAL, 0},
		{"5sm", -EINVAL, 0},
		{"0x10", -EINVAL, 0},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int ms = -12345;
		int rc = sl_cfg_parse_time(cases[i].s, &ms);
		if (rc != cases[i].rc || (rc == 0 && ms != cases[i].ms))
			fprintf(stderr,
				"\n  sl_cfg_parse_time(\"%s\") = %d, %d ms; expected %d, %d ms",
				cases[i].s, rc, ms, cases[i].rc, cases[i].ms);
		CU_ASSERT_EQUAL(rc, cases[i].rc);
		if (cases[i].rc == 0)
			CU_ASSERT_EQUAL(ms, cases[i].ms);
	}
}

/* ---------------------------------------------------------------- misc proxy keywords */

static void test_retries_maxconn_errorfile(void)
{
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	tfs_reset();
	tfs_add("/srv/errors/404.http", "HTTP/1.0 404 Not Found\r\n\r\nnope\n");
	T_PARSE_OK(DEFAULTS_HTTP "  retries 5\n"
				 "  errorfile 503 /etc/haproxy/errors/503.http\n"
				 "frontend f\n"
				 "  bind :80\n"
				 "  maxconn 1000\n"
				 "  errorfile 404 /srv/errors/404.http\n"
				 "  default_backend b\n"
				 "backend b\n"
				 "  retries 0\n"
				 "  server s 10.0.0.1:80\n"
				 "listen nodef\n"
				 "  bind :81\n",
		   cfg, &d);
	struct sl_proxy *f = tpx(cfg, "f");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	/* (retries is a backend setting: HAProxy only copies it into proxies with a backend) */
	CU_ASSERT_EQUAL(f->maxconn, 1000);
	int n = 0;
	const struct sl_errorfile *e404 = NULL, *e503 = NULL;
	for (const struct sl_errorfile *e = f->errorfiles; e != NULL; e = e->next, n++) {
		if (e->code == 404)
			e404 = e;
		if (e->code == 503)
			e503 = e;
	}
	CU_ASSERT_EQUAL(n, 2);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e404);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e503);
	T_STR_EQ(e404->path, "/srv/errors/404.http");
	CU_ASSERT_EQUAL(e404->len, strlen("HTTP/1.0 404 Not Found\r\n\r\nnope\n"));
	CU_ASSERT_EQUAL(memcmp(e404->data, "HTTP/1.0 404 Not Found\r\n\r\nnope\n", e404->len), 0);
	CU_ASSERT_EQUAL(e503->len, strlen(tfs_content("/etc/haproxy/errors/503.http")));

	struct sl_proxy *b = tpx(cfg, "b");
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_EQUAL(b->retries, 0);
	CU_ASSERT_EQUAL(tpx(cfg, "nodef")->retries, 5);
	CU_ASSERT_EQUAL(tpx(cfg, "nodef")->maxconn, 0); /* global default */
	sl_cfg_free(cfg);

	/* HAProxy's built-in value without a defaults section */
	T_PARSE_OK("listen l\n  bind :80\n", cfg, &d);
	CU_ASSERT_EQUAL(tpx(cfg, "l")->retries, 3);
	CU_ASSERT_PTR_NULL(tpx(cfg, "l")->errorfiles);
	sl_cfg_free(cfg);
}

static void test_redirect(void)
{
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	T_PARSE_OK(DEFAULTS_HTTP "frontend f\n"
				 "  bind :80\n"
				 "  acl old path_beg /old\n"
				 "  redirect scheme https code 301 if !{ ssl_fc }\n"
				 "  redirect location /new code 302 if old\n"
				 "  redirect prefix https://www.example.com code 301 drop-query"
				 " if { hdr(host) -i example.com }\n"
				 "  redirect location /moved code 308\n"
				 "  redirect prefix /p append-slash\n",
		   cfg, &d);
	struct sl_proxy *f = tpx(cfg, "f");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	const struct sl_redirect_rule *r = f->redirects;

	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(r->redir.kind, SL_REDIR_SCHEME);
	T_STR_EQ(r->redir.target, "https");
	CU_ASSERT_EQUAL(r->redir.code, 301);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r->cond);
	CU_ASSERT_TRUE(term_at(r->cond, 0, 0)->neg);
	CU_ASSERT_EQUAL(r->loc.line, 9);

	r = r->next;
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(r->redir.kind, SL_REDIR_LOCATION);
	T_STR_EQ(r->redir.target, "/new");
	CU_ASSERT_EQUAL(r->redir.code, 302);
	CU_ASSERT_TRUE(term_is(term_at(r->cond, 0, 0), false, "old"));

	r = r->next;
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(r->redir.kind, SL_REDIR_PREFIX);
	T_STR_EQ(r->redir.target, "https://www.example.com");
	CU_ASSERT_EQUAL(r->redir.code, 301);
	CU_ASSERT_TRUE(r->redir.drop_query);
	const struct sl_cond_term *t = term_at(r->cond, 0, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t->anon);
	CU_ASSERT_EQUAL(t->anon->fetch, SL_FETCH_HDR);
	CU_ASSERT_TRUE(t->anon->icase);

	r = r->next;
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(r->redir.code, 308);
	CU_ASSERT_PTR_NULL(r->cond);

	r = r->next;
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(r->redir.kind, SL_REDIR_PREFIX);
	CU_ASSERT_EQUAL(r->redir.code, 302); /* the default */
	CU_ASSERT_TRUE(r->redir.append_slash);
	CU_ASSERT_FALSE(r->redir.drop_query);
	CU_ASSERT_PTR_NULL(r->next);
	sl_cfg_free(cfg);
}

static void test_http_request_response(void)
{
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	T_PARSE_OK(DEFAULTS_HTTP
		   "frontend f\n"
		   "  bind :80\n"
		   "  acl bad src 10.0.0.0/8\n"
		   "  http-request set-header X-Forwarded-Proto https if { ssl_fc }\n"
		   "  http-request add-header X-Via sluice\n"
		   "  http-request del-header X-Secret\n"
		   "  http-request redirect scheme https code 301 unless { ssl_fc }\n"
		   "  http-request redirect location /login\n"
		   "  http-request deny if bad\n"
		   "  http-request deny deny_status 429\n"
		   "  http-request allow\n"
		   "  http-response set-header Strict-Transport-Security \"max-age=31536000\"\n"
		   "  http-response add-header X-Served-By sluice\n"
		   "  http-response del-header Server\n",
		   cfg, &d);
	struct sl_proxy *f = tpx(cfg, "f");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	const struct sl_hrule *r = f->req_rules;

	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(r->action, SL_HR_SET_HEADER);
	T_STR_EQ(r->name, "X-Forwarded-Proto");
	T_STR_EQ(r->value, "https");
	CU_ASSERT_PTR_NOT_NULL(r->cond);
	CU_ASSERT_EQUAL(r->loc.line, 9);

	r = r->next;
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(r->action, SL_HR_ADD_HEADER);
	T_STR_EQ(r->name, "X-Via");
	T_STR_EQ(r->value, "sluice");
	CU_ASSERT_PTR_NULL(r->cond);

	r = r->next;
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(r->action, SL_HR_DEL_HEADER);
	T_STR_EQ(r->name, "X-Secret");

	r = r->next;
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(r->action, SL_HR_REDIRECT);
	CU_ASSERT_EQUAL(r->redir.kind, SL_REDIR_SCHEME);
	T_STR_EQ(r->redir.target, "https");
	CU_ASSERT_EQUAL(r->redir.code, 301);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r->cond);
	CU_ASSERT_TRUE(r->cond->unless);

	r = r->next;
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(r->action, SL_HR_REDIRECT);
	CU_ASSERT_EQUAL(r->redir.kind, SL_REDIR_LOCATION);
	T_STR_EQ(r->redir.target, "/login");
	CU_ASSERT_EQUAL(r->redir.code, 302);

	r = r->next;
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(r->action, SL_HR_DENY);
	CU_ASSERT_EQUAL(r->status, 403);
	CU_ASSERT_TRUE(term_is(term_at(r->cond, 0, 0), false, "bad"));

	r = r->next;
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(r->action, SL_HR_DENY);
	CU_ASSERT_EQUAL(r->status, 429);
	CU_ASSERT_PTR_NULL(r->cond);

	r = r->next;
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(r->action, SL_HR_ALLOW);
	CU_ASSERT_PTR_NULL(r->next);

	r = f->rsp_rules;
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(r->action, SL_HR_SET_HEADER);
	T_STR_EQ(r->name, "Strict-Transport-Security");
	T_STR_EQ(r->value, "max-age=31536000");
	r = r->next;
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(r->action, SL_HR_ADD_HEADER);
	T_STR_EQ(r->name, "X-Served-By");
	T_STR_EQ(r->value, "sluice");
	r = r->next;
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(r->action, SL_HR_DEL_HEADER);
	T_STR_EQ(r->name, "Server");
	CU_ASSERT_PTR_NULL(r->next);
	sl_cfg_free(cfg);
}

static void test_legacy_reqadd_rspadd(void)
{
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	T_PARSE_OK(DEFAULTS_HTTP "frontend f\n"
				 "  bind :80\n"
				 "  rspadd X-Foo:\\ bar\n"
				 "  reqadd X-Bar:\\ baz\\ qux\n",
		   cfg, &d);
	struct sl_proxy *f = tpx(cfg, "f");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	const struct sl_hrule *r = f->rsp_rules;
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(r->action, SL_HR_ADD_HEADER);
	T_STR_EQ(r->name, "X-Foo");
	T_STR_EQ(r->value, "bar");
	CU_ASSERT_PTR_NULL(r->next);
	r = f->req_rules;
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(r->action, SL_HR_ADD_HEADER);
	T_STR_EQ(r->name, "X-Bar");
	T_STR_EQ(r->value, "baz qux");
	CU_ASSERT_EQUAL(d.nwarn, 2);
	CU_ASSERT(tdiag_has(&d, SL_DIAG_WARNING, "t.cfg", 8, "'rspadd'"));
	CU_ASSERT(tdiag_has(&d, SL_DIAG_WARNING, "t.cfg", 9, "'reqadd'"));
	sl_cfg_free(cfg);
}

static void test_stats(void)
{
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	T_PARSE_OK(DEFAULTS_HTTP "listen stats\n"
				 "  bind :6080\n"
				 "  stats enable\n"
				 "  stats uri /stats\n"
				 "  stats realm Sluice\\ Stats\n"
				 "  stats auth admin:secret\n"
				 "  stats auth ops:hunter2\n"
				 "  stats hide-version\n"
				 "  stats refresh 10s\n"
				 "  stats admin if TRUE\n"
				 "  stats show-legends\n"
				 "listen plain\n"
				 "  bind :6081\n"
				 "  stats enable\n"
				 "listen nostats\n"
				 "  bind :6082\n",
		   cfg, &d);
	struct sl_proxy *p = tpx(cfg, "stats");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	const struct sl_stats *s = &p->stats;
	CU_ASSERT_TRUE(s->enabled);
	T_STR_EQ(s->uri, "/stats");
	T_STR_EQ(s->realm, "Sluice Stats");
	CU_ASSERT_EQUAL(tcount_str(s->auth), 2);
	T_STR_EQ(tstr_at(s->auth, 0), "admin:secret");
	T_STR_EQ(tstr_at(s->auth, 1), "ops:hunter2");
	CU_ASSERT_TRUE(s->hide_version);
	CU_ASSERT_EQUAL(s->refresh, 10000);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s->admin);
	CU_ASSERT_FALSE(s->admin->unless);
	CU_ASSERT_EQUAL(count_ors(s->admin), 1);
	CU_ASSERT_TRUE(s->show_legends);

	p = tpx(cfg, "plain");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_TRUE(p->stats.enabled);
	T_STR_DEFAULT(p->stats.uri, "/haproxy?stats"); /* HAProxy's default */
	CU_ASSERT_PTR_NULL(p->stats.realm);
	CU_ASSERT_PTR_NULL(p->stats.auth);
	CU_ASSERT_FALSE(p->stats.hide_version);
	CU_ASSERT_EQUAL(p->stats.refresh, 0);
	CU_ASSERT_PTR_NULL(p->stats.admin);

	CU_ASSERT_FALSE(tpx(cfg, "nostats")->stats.enabled);
	sl_cfg_free(cfg);
}

/* ---------------------------------------------------------------- sections */

static void test_several_defaults(void)
{
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	T_PARSE_OK("defaults\n"
		   "  mode http\n"
		   "  timeout connect 1s\n"
		   "  timeout client 1s\n"
		   "  timeout server 1s\n"
		   "  retries 4\n"
		   "  option redispatch\n"
		   "listen a\n"
		   "  bind :80\n"
		   "defaults\n"
		   "  mode tcp\n"
		   "  timeout connect 2s\n"
		   "  timeout client 2s\n"
		   "  timeout server 2s\n"
		   "listen b\n"
		   "  bind :81\n"
		   "listen c\n"
		   "  bind :82\n"
		   "  mode http\n"
		   "  timeout client 3s\n",
		   cfg, &d);
	struct sl_proxy *p = tpx(cfg, "a");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL(p->mode, SL_MODE_HTTP);
	CU_ASSERT_EQUAL(p->to.client, 1000);
	CU_ASSERT_EQUAL(p->retries, 4);
	CU_ASSERT_TRUE(p->redispatch);

	p = tpx(cfg, "b");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL(p->mode, SL_MODE_TCP);
	CU_ASSERT_EQUAL(p->to.client, 2000);
	CU_ASSERT_EQUAL(p->to.connect, 2000);
	/* a new defaults section starts again from HAProxy's built-in values */
	CU_ASSERT_EQUAL(p->retries, 3);
	CU_ASSERT_FALSE(p->redispatch);

	p = tpx(cfg, "c");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL(p->mode, SL_MODE_HTTP);
	CU_ASSERT_EQUAL(p->to.client, 3000);
	CU_ASSERT_EQUAL(p->to.server, 2000);
	CU_ASSERT_EQUAL(cfg->nproxies, 3); /* defaults sections are not proxies */
	for (struct sl_proxy *x = cfg->proxies; x != NULL; x = x->next)
		CU_ASSERT_EQUAL(x->cap & SL_CAP_DEF, 0);
	sl_cfg_free(cfg);
}

static void test_env_expansion(void)
{
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	T_PARSE_OK(DEFAULTS_HTTP "listen l\n"
				 "  bind \"*:${PORT}\"\n"
				 "  server s \"${ADDR}:80\"\n"
				 "  server t \"${UNSET-10.0.0.8}:$PORT\"\n"
				 "  stats enable\n"
				 "  stats realm \"$DOMAIN stats\"\n"
				 "  stats uri '/${DOMAIN}'\n",
		   cfg, &d);
	struct sl_proxy *p = tpx(cfg, "l");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p->binds);
	CU_ASSERT_EQUAL(p->binds->port_lo, 8080);
	CU_ASSERT_TRUE(p->binds->any);
	struct sl_server *s = tsrv(p, "s");
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(s->addr.v4, TIP4(10, 0, 0, 7));
	CU_ASSERT_EQUAL(s->port, 80);
	s = tsrv(p, "t");
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(s->addr.v4, TIP4(10, 0, 0, 8));
	CU_ASSERT_EQUAL(s->port, 8080);
	T_STR_EQ(p->stats.realm, "example.com stats");
	T_STR_EQ(p->stats.uri, "/${DOMAIN}"); /* single quotes: literal */
	sl_cfg_free(cfg);
}

static void test_several_texts(void)
{
	static const char a[] = DEFAULTS_HTTP "listen l\n"
					      "  bind :80\n"
					      "  server s 10.0.0.1:80\n";
	static const char b[] = "# the dataplane\n"
				"dataplane\n"
				"  port p0 iface eth1 driver af_packet\n"
				"  address 192.168.5.1/24 port p0\n"
				"  cores 2\n";
	struct sl_cfg_text texts[] = {
		{.name = "haproxy.cfg", .data = a, .len = sizeof(a) - 1},
		{.name = "dp.cfg", .data = b, .len = sizeof(b) - 1},
	};
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	int rc = tparse_n(texts, 2, &cfg, &d);
	T_PARSED_OK(rc, cfg, &d);
	CU_ASSERT_EQUAL(cfg->nproxies, 1);
	struct sl_proxy *p = tpx(cfg, "l");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	T_STR_EQ(p->loc.file, "haproxy.cfg");
	CU_ASSERT_EQUAL(p->loc.line, 6);
	CU_ASSERT_EQUAL(p->servers->loc.line, 8);
	CU_ASSERT_TRUE(cfg->dp.present);
	T_STR_EQ(cfg->dp.loc.file, "dp.cfg");
	CU_ASSERT_EQUAL(cfg->dp.loc.line, 2);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg->dp.ports);
	CU_ASSERT_EQUAL(cfg->dp.ports->driver, SL_DRV_AF_PACKET);
	T_STR_EQ(cfg->dp.ports->loc.file, "dp.cfg");
	CU_ASSERT_EQUAL(cfg->dp.ports->loc.line, 3);
	CU_ASSERT_EQUAL(cfg->dp.cores.w[0], 0x4);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg->dp.addrs);
	CU_ASSERT_EQUAL(cfg->dp.addrs->net.v4, TIP4(192, 168, 5, 1));
	sl_cfg_free(cfg);
}

static void test_texts_without_final_newline(void)
{
	/* the last line of a text need not end with '\n', and does not run into the next text */
	static const char a[] = "global\n  maxconn 100";
	static const char b[] = "listen l\n  bind :80";
	struct sl_cfg_text texts[] = {
		{.name = "a.cfg", .data = a, .len = sizeof(a) - 1},
		{.name = "b.cfg", .data = b, .len = sizeof(b) - 1},
	};
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	int rc = tparse_n(texts, 2, &cfg, &d);
	T_PARSED_OK(rc, cfg, &d);
	CU_ASSERT_EQUAL(cfg->global.maxconn, 100);
	CU_ASSERT_PTR_NOT_NULL(tpx(cfg, "l"));
	sl_cfg_free(cfg);
}

static void test_section_across_texts(void)
{
	/* a section may go on from one file into the next */
	static const char a[] = DEFAULTS_HTTP "frontend f\n  bind :80\n";
	static const char b[] = "  default_backend b\nbackend b\n  server s 10.0.0.1:80\n";
	struct sl_cfg_text texts[] = {
		{.name = "a.cfg", .data = a, .len = sizeof(a) - 1},
		{.name = "b.cfg", .data = b, .len = sizeof(b) - 1},
	};
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	int rc = tparse_n(texts, 2, &cfg, &d);
	T_PARSED_OK(rc, cfg, &d);
	struct sl_proxy *f = tpx(cfg, "f");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	T_STR_EQ(f->default_backend, "b");
	T_STR_EQ(f->default_backend_loc.file, "b.cfg");
	CU_ASSERT_EQUAL(f->default_backend_loc.line, 1);
	sl_cfg_free(cfg);
}

static const char NO_DP[] = DEFAULTS_HTTP "listen l\n"
					  "  bind :80\n"
					  "  server s 10.0.0.1:80\n";

static void test_no_dataplane(void)
{
	struct sl_cfg_text t = {.name = "t.cfg", .data = NO_DP, .len = sizeof(NO_DP) - 1};
	struct sl_cfg *cfg = NULL;
	struct tdiags d;

	int rc = tparse_opt(&t, 1, true, &cfg, &d);
	T_PARSED_OK(rc, cfg, &d);
	CU_ASSERT_EQUAL(d.nwarn, 0);
	CU_ASSERT_FALSE(cfg->dp.present);
	sl_cfg_free(cfg);

	cfg = NULL;
	rc = tparse_opt(&t, 1, false, &cfg, &d);
	T_PARSED_OK(rc, cfg, &d);
	CU_ASSERT_EQUAL(d.nwarn, 1);
	if (d.nwarn != 1)
		tdiag_print(&d, "expected exactly one warning (no dataplane section)");
	CU_ASSERT_EQUAL(cfg->nwarnings, 1);
	CU_ASSERT_FALSE(cfg->dp.present);
	sl_cfg_free(cfg);
}

static void test_dataplane(void)
{
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	T_PARSE_OK("dataplane\n"
		   "  port lan0 iface eth0 driver af_xdp\n"
		   "  port lan1 iface eth1 driver tap\n"
		   "  port wan0 iface eth2\n"
		   "  address 10.77.0.1/24 port lan0\n"
		   "  address 10.78.0.1/16 port lan1\n"
		   "  route default via 10.77.0.254\n"
		   "  route 172.16.0.0/12 via 10.78.0.254\n"
		   "  cores 0,2,4-5\n"
		   "  memory 2048\n",
		   cfg, &d);
	const struct sl_dataplane *dp = &cfg->dp;
	CU_ASSERT_TRUE(dp->present);
	CU_ASSERT_EQUAL(dp->loc.line, 1);
	const struct sl_dp_port *p = dp->ports;
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL(p->driver, SL_DRV_AF_XDP);
	p = p->next;
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	T_STR_EQ(p->name, "lan1");
	CU_ASSERT_EQUAL(p->driver, SL_DRV_TAP);
	p = p->next;
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	T_STR_EQ(p->iface, "eth2");
	CU_ASSERT_PTR_NULL(p->next);
	const struct sl_dp_addr *a = dp->addrs;
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a->next);
	CU_ASSERT_EQUAL(a->next->net.v4, TIP4(10, 78, 0, 1));
	CU_ASSERT_EQUAL(a->next->net.plen, 16);
	T_STR_EQ(a->next->port, "lan1");
	const struct sl_dp_route *r = dp->routes;
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(r->dst.plen, 0);
	r = r->next;
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(r->dst.v4, TIP4(172, 16, 0, 0));
	CU_ASSERT_EQUAL(r->dst.plen, 12);
	CU_ASSERT_EQUAL(r->via.v4, TIP4(10, 78, 0, 254));
	CU_ASSERT_EQUAL(dp->cores.w[0], 0x35);
	CU_ASSERT_EQUAL(dp->memory_mb, 2048);
	sl_cfg_free(cfg);
}

/* `cores LIST on CPULIST`: lcores on fewer CPUs (tests), a warning says so; dump reads back. */
static void test_cores_on(void)
{
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	T_PARSE_OK("dataplane\n"
		   "  port lan0 iface eth0\n"
		   "  address 10.77.0.1/24 port lan0\n"
		   "  cores 0-3 on 0-1\n",
		   cfg, &d);
	CU_ASSERT_EQUAL(cfg->dp.cores.w[0], 0xf);
	CU_ASSERT_EQUAL(cfg->dp.cores_on.w[0], 0x3);
	CU_ASSERT_TRUE(tdiag_has(&d, SL_DIAG_WARNING, NULL, 4, "for tests, not production"));
	sl_cfg_free(cfg);
	struct sl_cfg *bad = NULL;
	CU_ASSERT_NOT_EQUAL(tparse("dataplane\n  cores 0-3 at 0-1\n", &bad, &d), 0);
	CU_ASSERT_TRUE(tdiag_has(&d, SL_DIAG_ERROR, NULL, 2, "'cores LIST on CPULIST'"));
	sl_cfg_free(bad);
}

/* `control shared|own`: read, dumped, refused with `cores ... on`, a warning with one core. */
static void test_control(void)
{
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	static const char dp[] = "dataplane\n  port lan0 iface eth0\n  address 10.77.0.1/24 port lan0\n";
	char text[256];
	snprintf(text, sizeof(text), "%s  cores 0-1\n", dp);
	T_PARSE_OK(text, cfg, &d);
	CU_ASSERT_EQUAL(cfg->dp.control, SL_CONTROL_DEFAULT);
	CU_ASSERT_TRUE(sl_port_plan_main_shares(cfg)); /* the default with two cores */
	sl_cfg_free(cfg);
	snprintf(text, sizeof(text), "%s  cores 0-3\n", dp);
	T_PARSE_OK(text, cfg, &d);
	CU_ASSERT_FALSE(sl_port_plan_main_shares(cfg)); /* own with more */
	sl_cfg_free(cfg);
	snprintf(text, sizeof(text), "%s  control shared\n  cores 0-3\n", dp);
	T_PARSE_OK(text, cfg, &d);
	CU_ASSERT_EQUAL(cfg->dp.control, SL_CONTROL_SHARED);
	CU_ASSERT_EQUAL(cfg->dp.control_loc.line, 4);
	CU_ASSERT_TRUE(sl_port_plan_main_shares(cfg));
	sl_cfg_free(cfg);
	snprintf(text, sizeof(text), "%s  cores 0-1\n  control own\n", dp);
	T_PARSE_OK(text, cfg, &d);
	CU_ASSERT_FALSE(sl_port_plan_main_shares(cfg));
	sl_cfg_free(cfg);
	snprintf(text, sizeof(text), "%s  cores 0\n  control shared\n", dp);
	T_PARSE_OK(text, cfg, &d);
	CU_ASSERT_TRUE(tdiag_has(&d, SL_DIAG_WARNING, NULL, 5, "has no effect with one core"));
	CU_ASSERT_FALSE(sl_port_plan_main_shares(cfg));
	sl_cfg_free(cfg);
	struct sl_cfg *bad = NULL;
	snprintf(text, sizeof(text), "%s  cores 0-3 on 0-1\n  control shared\n", dp);
	CU_ASSERT_NOT_EQUAL(tparse(text, &bad, &d), 0);
	CU_ASSERT_TRUE(tdiag_has(&d, SL_DIAG_ERROR, NULL, 5, "cannot be combined with 'cores LIST on CPULIST'"));
	sl_cfg_free(bad);
	bad = NULL;
	snprintf(text, sizeof(text), "%s  control half\n", dp);
	CU_ASSERT_NOT_EQUAL(tparse(text, &bad, &d), 0);
	CU_ASSERT_TRUE(tdiag_has(&d, SL_DIAG_ERROR, NULL, 4, "unknown placement 'half' (shared or own)"));
	sl_cfg_free(bad);
	bad = NULL;
	snprintf(text, sizeof(text), "%s  control\n", dp);
	CU_ASSERT_NOT_EQUAL(tparse(text, &bad, &d), 0);
	CU_ASSERT_TRUE(tdiag_has(&d, SL_DIAG_ERROR, NULL, 4, "expects exactly one argument"));
	sl_cfg_free(bad);
}

/* Core numbers beyond 63 (a NUMA node numbered 64 and up): CPUs up to 1023; the lcore ids of
 * `cores LIST on CPULIST` up to DPDK's 127. */
static void test_cores_high(void)
{
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	T_PARSE_OK("dataplane\n  port lan0 iface eth0\n  address 10.77.0.1/24 port lan0\n  cores 64-71,200\n", cfg, &d);
	CU_ASSERT_EQUAL(cfg->dp.cores.w[0], 0);
	CU_ASSERT_EQUAL(cfg->dp.cores.w[1], 0xff);
	CU_ASSERT_TRUE(sl_cpus_has(&cfg->dp.cores, 200));
	CU_ASSERT_EQUAL(sl_cpus_count(&cfg->dp.cores), 9);
	CU_ASSERT_EQUAL(sl_cpus_max(&cfg->dp.cores), 200);
	unsigned nw, np;
	sl_port_plan_lcores(cfg, &nw, &np);
	CU_ASSERT_EQUAL(nw, 8);
	sl_cfg_free(cfg);
	T_PARSE_OK("dataplane\n  port lan0 iface eth0\n  address 10.77.0.1/24 port lan0\n  cores 0-3 on 1020-1023\n", cfg, &d);
	CU_ASSERT_EQUAL(cfg->dp.cores.w[0], 0xf);
	CU_ASSERT_EQUAL(cfg->dp.cores_on.w[15], 0xfULL << 60);
	sl_cfg_free(cfg);
	struct sl_cfg *bad = NULL;
	CU_ASSERT_NOT_EQUAL(tparse("dataplane\n  cores 0-1024\n", &bad, &d), 0);
	CU_ASSERT_TRUE(tdiag_has(&d, SL_DIAG_ERROR, NULL, 2, "numbers 0 to 1023"));
	sl_cfg_free(bad);
	bad = NULL;
	CU_ASSERT_NOT_EQUAL(tparse("dataplane\n  cores 0-128 on 0-1\n", &bad, &d), 0);
	CU_ASSERT_TRUE(tdiag_has(&d, SL_DIAG_ERROR, NULL, 2, "numbers 0 to 127"));
	sl_cfg_free(bad);
}

static void test_frontend_backend_same_name(void)
{
	/* HAProxy allows a frontend and a backend of the same name */
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	T_PARSE_OK(DEFAULTS_HTTP "frontend web\n"
				 "  bind :80\n"
				 "  default_backend web\n"
				 "backend web\n"
				 "  server s 10.0.0.1:80\n",
		   cfg, &d);
	struct sl_proxy *fe = sl_cfg_find_proxy(cfg, "web", SL_CAP_FE);
	struct sl_proxy *be = sl_cfg_find_proxy(cfg, "web", SL_CAP_BE);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fe);
	CU_ASSERT_PTR_NOT_NULL_FATAL(be);
	CU_ASSERT_PTR_NOT_EQUAL(fe, be);
	CU_ASSERT_EQUAL(fe->cap, SL_CAP_FE);
	CU_ASSERT_EQUAL(be->cap, SL_CAP_BE);
	CU_ASSERT_EQUAL(be->nservers, 1);
	sl_cfg_free(cfg);
}

static void test_conditional_blocks(void)
{
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	T_PARSE_OK("global\n"
		   ".if 1\n"
		   "  maxconn 100\n"
		   ".endif\n"
		   ".if 0\n"
		   "  maxconn 200\n"
		   "  this is not even a keyword\n"
		   ".else\n"
		   "  nbthread 2\n"
		   ".endif\n",
		   cfg, &d);
	CU_ASSERT_EQUAL(cfg->global.maxconn, 100);
	CU_ASSERT_EQUAL(cfg->global.nbthread, 2);
	sl_cfg_free(cfg);

	/* 100 nested blocks are allowed (HAProxy's limit) */
	char *text = malloc(100 * 16 + 64);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	char *p = text;
	p += sprintf(p, "global\n");
	for (int i = 0; i < 100; i++)
		p += sprintf(p, ".if 1\n");
	p += sprintf(p, "  maxconn 7\n");
	for (int i = 0; i < 100; i++)
		p += sprintf(p, ".endif\n");
	T_PARSE_OK(text, cfg, &d);
	CU_ASSERT_EQUAL(cfg->global.maxconn, 7);
	sl_cfg_free(cfg);
	free(text);
}

static void test_free_null(void)
{
	sl_cfg_free(NULL);
}

/* ---------------------------------------------------------------- more HAProxy semantics */

static void test_tcp_proxy_httplog_fallback(void)
{
	/* HAProxy: "'option httplog' not usable with proxy 'rtmp' (needs 'mode http'). Falling
	 * back to 'option tcplog'." -- a tcp proxy never logs in the HTTP format. */
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	T_PARSE_OK(DEFAULTS_HTTP "  option httplog\n"
				 "listen rtmp\n"
				 "  mode tcp\n"
				 "  bind :1935\n"
				 "  server s 10.0.0.1:1935\n",
		   cfg, &d);
	struct sl_proxy *p = tpx(cfg, "rtmp");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL(p->mode, SL_MODE_TCP);
	CU_ASSERT_NOT_EQUAL(p->log_format, SL_LOG_HTTP);
	CU_ASSERT(tdiag_has(&d, SL_DIAG_WARNING, NULL, -1, "httplog"));
	sl_cfg_free(cfg);
}

static void test_httpchk_legacy_headers(void)
{
	/* the HAProxy < 2.2 trick: headers glued to the version with \r\n */
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	T_PARSE_OK(DEFAULTS_HTTP
		   "backend b\n"
		   "  option httpchk GET /health HTTP/1.1\\r\\nHost:\\ www.example.com\n"
		   "  server s 10.0.0.1:80 check\n",
		   cfg, &d);
	struct sl_proxy *p = tpx(cfg, "b");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_TRUE(p->chk.on);
	T_STR_EQ(p->chk.method, "GET");
	T_STR_EQ(p->chk.uri, "/health");
	T_STR_EQ(p->chk.version, "HTTP/1.1");
	CU_ASSERT_EQUAL(tcount_str(p->chk.headers), 1);
	T_STR_EQ(tstr_at(p->chk.headers, 0), "Host: www.example.com");
	sl_cfg_free(cfg);
}

static void test_named_defaults(void)
{
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	T_PARSE_OK("defaults tcpdef\n"
		   "  mode tcp\n"
		   "  timeout connect 1s\n"
		   "  timeout client 1s\n"
		   "  timeout server 1s\n"
		   "defaults httpdef\n"
		   "  mode http\n"
		   "  timeout connect 2s\n"
		   "  timeout client 2s\n"
		   "  timeout server 2s\n"
		   "backend b1 from tcpdef\n"
		   "  server s 10.0.0.1:80\n"
		   "backend b2\n"
		   "  server s 10.0.0.1:80\n",
		   cfg, &d);
	struct sl_proxy *p = tpx(cfg, "b1");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL(p->mode, SL_MODE_TCP);
	CU_ASSERT_EQUAL(p->to.client, 1000);
	p = tpx(cfg, "b2"); /* no 'from': the last defaults section */
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL(p->mode, SL_MODE_HTTP);
	CU_ASSERT_EQUAL(p->to.client, 2000);
	CU_ASSERT_EQUAL(cfg->nproxies, 2);
	sl_cfg_free(cfg);
}

static void test_errorfile_override(void)
{
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	tfs_reset();
	tfs_add("/srv/503.http", "HTTP/1.0 503 Busy\r\n\r\nbusy\n");
	T_PARSE_OK(DEFAULTS_HTTP "  errorfile 503 /etc/haproxy/errors/503.http\n"
				 "  errorfile 504 /etc/haproxy/errors/504.http\n"
				 "backend b\n"
				 "  errorfile 503 /srv/503.http\n"
				 "backend c\n",
		   cfg, &d);
	struct sl_proxy *b = tpx(cfg, "b");
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	int n503 = 0, n = 0;
	const struct sl_errorfile *e503 = NULL;
	for (const struct sl_errorfile *e = b->errorfiles; e != NULL; e = e->next, n++)
		if (e->code == 503) {
			n503++;
			e503 = e;
		}
	CU_ASSERT_EQUAL(n, 2);
	CU_ASSERT_EQUAL(n503, 1); /* the proxy's own errorfile replaces the inherited one */
	CU_ASSERT_PTR_NOT_NULL_FATAL(e503);
	T_STR_EQ(e503->path, "/srv/503.http");
	CU_ASSERT_EQUAL(e503->len, strlen("HTTP/1.0 503 Busy\r\n\r\nbusy\n"));

	struct sl_proxy *c = tpx(cfg, "c");
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c->errorfiles);
	n = 0;
	for (const struct sl_errorfile *e = c->errorfiles; e != NULL; e = e->next, n++)
		if (e->code == 503)
			T_STR_EQ(e->path, "/etc/haproxy/errors/503.http");
	CU_ASSERT_EQUAL(n, 2);
	sl_cfg_free(cfg);
}

static void test_bind_params(void)
{
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	tfs_reset();
	T_PARSE_OK(DEFAULTS_HTTP "frontend f\n"
				 "  bind :443 ssl crt /certs/site.pem ssl-min-ver TLSv1.2"
				 " ssl-max-ver TLSv1.3 ciphers ECDHE-RSA-AES128-GCM-SHA256"
				 " ciphersuites TLS_AES_128_GCM_SHA256 name https alpn h2\n",
		   cfg, &d);
	struct sl_proxy *f = tpx(cfg, "f");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	const struct sl_bind *b = f->binds;
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_TRUE(b->ssl);
	T_STR_EQ(b->ssl_min_ver, "TLSv1.2");
	T_STR_EQ(b->ssl_max_ver, "TLSv1.3");
	T_STR_EQ(b->ciphers, "ECDHE-RSA-AES128-GCM-SHA256");
	T_STR_EQ(b->ciphersuites, "TLS_AES_128_GCM_SHA256");
	T_STR_EQ(b->name, "https");
	T_STR_EQ(b->alpn, ""); /* h2 dropped, nothing left: no ALPN (test_bind_alpn) */
	sl_cfg_free(cfg);
}

/*
 * "alpn LIST": only the protocols the HTTP engine speaks (http/1.1, http/1.0) are offered, in
 * the order written; the others are dropped with a warning at the bind that names them and
 * what is offered instead. Nothing left: "" (no ALPN, the handshake goes on without it).
 */
static void test_bind_alpn(void)
{
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	tfs_reset();
	T_PARSE_OK(DEFAULTS_HTTP "frontend f\n"
				 "  bind :443 ssl crt /certs/site.pem alpn h2,http/1.1\n"
				 "  bind :444 ssl crt /certs/site.pem alpn h2\n"
				 "  bind :445 ssl crt /certs/site.pem alpn h3,h2,http/1.1,http/1.0\n"
				 "  bind :446 ssl crt /certs/site.pem alpn http/1.0,http/1.1\n"
				 "  bind :447 ssl crt /certs/site.pem alpn h2 no-alpn\n"
				 "  bind :448 ssl crt /certs/site.pem no-alpn alpn http/1.1\n"
				 "  bind :449 ssl crt /certs/site.pem alpn \"\"\n"
				 "  bind :450 ssl crt /certs/site.pem\n",
		   cfg, &d);
	struct sl_proxy *f = tpx(cfg, "f");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	const struct sl_bind *b = f->binds;
	static const char *const want[] = {
		"http/1.1", "", "http/1.1,http/1.0", "http/1.0,http/1.1", "", "http/1.1", "", NULL};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++, b = b->next) {
		CU_ASSERT_PTR_NOT_NULL_FATAL(b);
		if (want[i] == NULL) {
			CU_ASSERT_PTR_NULL(b->alpn); /* the default, http/1.1, in the TLS layer */
		} else {
			T_STR_EQ(b->alpn, want[i]);
		}
	}
	/* the warnings, at FILE:LINE, naming the keyword, what is dropped and what is offered */
	CU_ASSERT(tdiag_has(&d, SL_DIAG_WARNING, "t.cfg", 7,
			    "'bind': 'alpn h2,http/1.1': h2 is not spoken by sluice yet (HTTP/1.x only); "
			    "offering http/1.1"));
	CU_ASSERT(tdiag_has(&d, SL_DIAG_WARNING, "t.cfg", 8,
			    "'bind': 'alpn h2': h2 is not spoken by sluice yet (HTTP/1.x only); "
			    "offering no ALPN"));
	CU_ASSERT(tdiag_has(&d, SL_DIAG_WARNING, "t.cfg", 9,
			    "h3,h2 are not spoken by sluice yet (HTTP/1.x only); "
			    "offering http/1.1,http/1.0"));
	CU_ASSERT(tdiag_has(&d, SL_DIAG_WARNING, "t.cfg", 11, "'alpn h2'"));
	/* what sluice speaks, no-alpn and an empty list draw none */
	CU_ASSERT_FALSE(tdiag_has(&d, SL_DIAG_WARNING, "t.cfg", 10, NULL));
	CU_ASSERT_FALSE(tdiag_has(&d, SL_DIAG_WARNING, "t.cfg", 12, NULL));
	CU_ASSERT_FALSE(tdiag_has(&d, SL_DIAG_WARNING, "t.cfg", 13, NULL));
	CU_ASSERT_FALSE(tdiag_has(&d, SL_DIAG_WARNING, "t.cfg", 14, NULL));
	CU_ASSERT_EQUAL(d.nwarn, 4);
	if (d.nwarn != 4)
		tdiag_print(&d, "expected 4 alpn warnings");
	/* the dump writes what is offered, and reads back the same without a warning */
	check_round_trip(cfg);
	sl_cfg_free(cfg);

	/* a list OpenSSL would refuse is refused here, at the line */
	T_REFUSED(DEFAULTS_HTTP "frontend f\n"
				"  bind :443 ssl crt /certs/site.pem alpn h2,,http/1.1\n",
		  7, "empty protocol name");
	T_REFUSED(DEFAULTS_HTTP "frontend f\n"
				"  bind :443 ssl crt /certs/site.pem alpn http/1.1,\n",
		  7, "empty protocol name");
}

static void test_bind_address_list(void)
{
	/* "bind [<address>]:<port_range> [, ...] [param*]": one bind per address, same params */
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	tfs_reset();
	T_PARSE_OK(DEFAULTS_HTTP "frontend f\n"
				 "  bind :80,:81\n"
				 "  bind 10.0.0.1:443,10.0.0.2:443 ssl crt /certs/site.pem\n",
		   cfg, &d);
	struct sl_proxy *f = tpx(cfg, "f");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	const struct sl_bind *b = f->binds;
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_EQUAL(b->port_lo, 80);
	b = b->next;
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_EQUAL(b->port_lo, 81);
	b = b->next;
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_EQUAL(b->addr.v4, TIP4(10, 0, 0, 1));
	CU_ASSERT_TRUE(b->ssl);
	b = b->next;
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_EQUAL(b->addr.v4, TIP4(10, 0, 0, 2));
	CU_ASSERT_TRUE(b->ssl);
	CU_ASSERT_EQUAL(tcount_str(b->crts), 1);
	CU_ASSERT_PTR_NULL(b->next);
	sl_cfg_free(cfg);
}

static void test_crt_base(void)
{
	/* a relative crt is looked up under crt-base */
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	tfs_reset();
	T_PARSE_OK("global\n"
		   "  crt-base /certs\n" DEFAULTS_HTTP "frontend f\n"
		   "  bind :443 ssl crt site.pem\n",
		   cfg, &d);
	T_STR_EQ(cfg->global.crt_base, "/certs");
	struct sl_proxy *f = tpx(cfg, "f");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f->binds);
	CU_ASSERT_EQUAL(tcount_str(f->binds->crts), 1);
	const char *crt = tstr_at(f->binds->crts, 0);
	CU_ASSERT(crt != NULL && strlen(crt) >= 8 &&
		  strcmp(crt + strlen(crt) - 8, "site.pem") == 0);
	sl_cfg_free(cfg);
}

static void test_if_predicates(void)
{
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	T_PARSE_OK("global\n"
		   ".if defined(DOMAIN)\n"
		   "  maxconn 11\n"
		   ".endif\n"
		   ".if defined(NOPE)\n"
		   "  maxconn 12\n"
		   ".endif\n"
		   ".if streq(\"$DOMAIN\",example.com)\n"
		   "  tune.bufsize 32768\n"
		   ".endif\n"
		   ".if \"${EMPTY}\"\n"
		   "  user wrong\n"
		   ".elif 1\n"
		   "  user right\n"
		   ".else\n"
		   "  user wrong2\n"
		   ".endif\n",
		   cfg, &d);
	CU_ASSERT_EQUAL(cfg->global.maxconn, 11);
	CU_ASSERT_EQUAL(cfg->global.bufsize, 32768);
	T_STR_EQ(cfg->global.user, "right");
	sl_cfg_free(cfg);
}

static void test_diag_directives(void)
{
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	T_PARSE_OK("global\n"
		   "  .notice \"hello there\"\n"
		   "  .warning \"careful now\"\n"
		   ".if 0\n"
		   "  .warning \"not this one\"\n"
		   ".endif\n",
		   cfg, &d);
	CU_ASSERT(tdiag_has(&d, SL_DIAG_NOTICE, "t.cfg", 2, "hello there"));
	CU_ASSERT(tdiag_has(&d, SL_DIAG_WARNING, "t.cfg", 3, "careful now"));
	CU_ASSERT_FALSE(tdiag_has(&d, SL_DIAG_WARNING, NULL, -1, "not this one"));
	sl_cfg_free(cfg);
}

static void test_use_backend_without_condition(void)
{
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	T_PARSE_OK(DEFAULTS_HTTP "frontend f\n"
				 "  bind :80\n"
				 "  use_backend b\n"
				 "backend b\n",
		   cfg, &d);
	struct sl_proxy *f = tpx(cfg, "f");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f->switches);
	T_STR_EQ(f->switches->backend, "b");
	CU_ASSERT_PTR_NULL(f->switches->cond);
	sl_cfg_free(cfg);
}

static void test_load_files(void)
{
	static const char *const paths[] = {
		SL_FIXTURES "/seed/seed-common.cfg",
		SL_FIXTURES "/seed/seed-hls.cfg",
		SL_FIXTURES "/seed/dataplane.cfg",
	};
	struct tdiags d;
	memset(&d, 0, sizeof(d));
	struct sl_cfg_opts opts = {
		.getenv_fn = tgetenv,
		.read_fn = tfs_read,
		.diag_fn = tdiag_collect,
		.diag_arg = &d,
	};
	struct sl_cfg *cfg = NULL;
	tfs_reset();
	int rc = sl_cfg_load_files(paths, 3, &opts, &cfg);
	T_PARSED_OK(rc, cfg, &d);
	CU_ASSERT_EQUAL(cfg->nproxies, 6);
	struct sl_proxy *p = tpx(cfg, "backend_http_sticky");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p->loc.file);
	CU_ASSERT_PTR_NOT_NULL(strstr(p->loc.file, "seed-hls.cfg"));
	CU_ASSERT_EQUAL(p->loc.line, 14);
	CU_ASSERT_TRUE(cfg->dp.present);
	sl_cfg_free(cfg);
}

static void test_dump_write_error(void)
{
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	tfs_reset();
	int rc = tparse_fixtures(V1, 3, &cfg, &d);
	T_PARSED_OK(rc, cfg, &d);
	char buf[64];
	FILE *f = fmemopen(buf, sizeof(buf), "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	setvbuf(f, NULL, _IONBF, 0); /* every write reaches the 64-byte buffer and fails there */
	CU_ASSERT_EQUAL(sl_cfg_dump(cfg, f), -EIO);
	fclose(f);
	sl_cfg_free(cfg);
}

static void test_header_value_like_keyword(void)
{
	/* HAProxy parses set-header/add-header positionally (name, value, then 'if'/'unless'), so a
	 * value may be the word 'if' or 'unless'. reqadd can produce such a value too, and the
	 * dump must parse back. */
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	T_PARSE_OK(DEFAULTS_HTTP "frontend f\n"
				 "  bind :80\n"
				 "  http-request set-header X-A unless\n"
				 "  http-request add-header X-B if if TRUE\n"
				 "  reqadd X-C:\\ unless\n",
		   cfg, &d);
	struct sl_proxy *f = tpx(cfg, "f");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	const struct sl_hrule *r = f->req_rules;
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	T_STR_EQ(r->value, "unless");
	CU_ASSERT_PTR_NULL(r->cond);
	r = r->next;
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	T_STR_EQ(r->value, "if");
	CU_ASSERT_PTR_NOT_NULL(r->cond);
	check_round_trip(cfg);
	sl_cfg_free(cfg);
}

static void test_reqadd_value_like_keyword_round_trip(void)
{
	/* whatever the parser decides for 'http-request add-header X unless', a reqadd that it
	 * accepted must dump to something that parses back */
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	T_PARSE_OK(DEFAULTS_HTTP "frontend f\n"
				 "  bind :80\n"
				 "  reqadd X-C:\\ unless\n",
		   cfg, &d);
	check_round_trip(cfg);
	sl_cfg_free(cfg);
}

static void test_tcp_proxy_http_settings_reported(void)
{
	/* HAProxy warns about (and ignores) HTTP-only settings in a tcp proxy: "'http-request'
	 * rules ignored for frontend 'f' as they require HTTP mode", "Layer 7 hash not possible
	 * for backend 'b' (needs 'mode http'). Falling back to round robin." */
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	T_PARSE_OK("defaults\n"
		   "  mode tcp\n"
		   "  timeout connect 5s\n"
		   "  timeout client 5s\n"
		   "  timeout server 5s\n"
		   "frontend f\n"
		   "  bind :80\n"
		   "  http-request deny\n"
		   "  default_backend b\n"
		   "backend b\n"
		   "  balance uri\n"
		   "  server s 10.0.0.1:80\n",
		   cfg, &d);
	CU_ASSERT(d.nwarn >= 2);
	if (d.nwarn < 2)
		tdiag_print(&d,
			    "expected warnings for 'http-request' and 'balance uri' in mode tcp");
	sl_cfg_free(cfg);
}

static void test_dump_quotes_free_text(void)
{
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	T_PARSE_OK("global\n"
		   "  log \"/run/log #1.sock\" local0\n" DEFAULTS_HTTP "listen stats\n"
		   "  bind :6080\n"
		   "  stats enable\n"
		   "  stats show-desc \"Node #1 (primary)\"\n"
		   "  stats realm \"Sluice #1\"\n"
		   "  http-response set-header X-Note \"a # b\"\n",
		   cfg, &d);
	T_STR_EQ(tpx(cfg, "stats")->stats.show_desc, "Node #1 (primary)");
	char *dump = tdump(cfg, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(dump);
	struct sl_cfg *cfg2 = NULL;
	int rc = tparse(dump, &cfg2, &d);
	T_PARSED_OK(rc, cfg2, &d);
	struct sl_proxy *p = tpx(cfg2, "stats");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	T_STR_EQ(p->stats.show_desc, "Node #1 (primary)");
	T_STR_EQ(p->stats.realm, "Sluice #1");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p->rsp_rules);
	T_STR_EQ(p->rsp_rules->value, "a # b");
	T_STR_EQ(tstr_at(cfg2->global.logs, 0), tstr_at(cfg->global.logs, 0));
	free(dump);
	sl_cfg_free(cfg2);
	sl_cfg_free(cfg);
}

/* ---------------------------------------------------------------- docs/config.md forms */

static void test_presence_acl_and_flags(void)
{
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	T_PARSE_OK(DEFAULTS_HTTP "frontend f\n"
				 "  bind :80\n"
				 "  acl has_x hdr(x-foo)\n"
				 "  acl found hdr(x-bar) -m found\n"
				 "  acl dd path_beg -- -dash\n"
				 "  acl nn path_beg -n /x\n"
				 "  acl ports dst_port 80 ge 9000\n"
				 "  acl cnt hdr_cnt(host) gt 1\n"
				 "  acl m method GET POST\n"
				 "  acl rh req.hdr(host) a.example\n"
				 "  acl sni ssl_fc_sni www.example.com\n"
				 "  acl mask src 10.1.0.0/255.255.0.0\n"
				 "  acl occ hdr(host,1) a.example\n"
				 "  acl mbeg path -m beg /api\n",
		   cfg, &d);
	struct sl_proxy *f = tpx(cfg, "f");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	struct sl_acl *a = tacl(f, "has_x"); /* no pattern: a presence test */
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_EQUAL(a->fetch, SL_FETCH_HDR);
	CU_ASSERT_EQUAL(a->npats, 0);
	a = tacl(f, "found");
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_EQUAL(a->npats, 0);
	a = tacl(f, "dd");
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_EQUAL(a->npats, 1);
	T_STR_EQ(a->pats->str, "-dash");
	a = tacl(f, "nn");
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_EQUAL(a->npats, 1);
	T_STR_EQ(a->pats->str, "/x");
	a = tacl(f, "ports");
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_EQUAL(a->fetch, SL_FETCH_DST_PORT);
	CU_ASSERT_EQUAL(a->npats, 2);
	CU_ASSERT_EQUAL(a->pats->op, SL_INT_EQ);
	CU_ASSERT_EQUAL(a->pats->num, 80);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a->pats->next);
	CU_ASSERT_EQUAL(a->pats->next->op, SL_INT_GE);
	CU_ASSERT_EQUAL(a->pats->next->num, 9000);
	a = tacl(f, "cnt");
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_EQUAL(a->fetch, SL_FETCH_HDR_CNT);
	CU_ASSERT_EQUAL(a->pats->op, SL_INT_GT);
	CU_ASSERT_EQUAL(a->pats->num, 1);
	a = tacl(f, "m");
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_EQUAL(a->fetch, SL_FETCH_METHOD);
	CU_ASSERT_EQUAL(a->npats, 2);
	a = tacl(f, "rh");
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_EQUAL(a->fetch, SL_FETCH_HDR);
	T_STR_EQ(a->hdr, "host");
	a = tacl(f, "sni");
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_EQUAL(a->fetch, SL_FETCH_SSL_FC_SNI);
	a = tacl(f, "mask");
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_EQUAL(a->pats->net.v4, TIP4(10, 1, 0, 0));
	CU_ASSERT_EQUAL(a->pats->net.plen, 16);
	a = tacl(f, "occ"); /* the occurrence is accepted and dropped */
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	T_STR_EQ(a->hdr, "host");
	a = tacl(f, "mbeg");
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_EQUAL(a->fetch, SL_FETCH_PATH_BEG);
	sl_cfg_free(cfg);
}

static void test_predefined_acls(void)
{
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	T_PARSE_OK(DEFAULTS_HTTP "frontend f\n"
				 "  bind :80\n"
				 "  http-request deny if METH_POST !LOCALHOST\n"
				 "  http-request allow if METH_GET or TRUE\n"
				 "  http-request deny unless FALSE\n"
				 "  acl TRUE path /user-defined\n"
				 "  http-request deny if TRUE\n",
		   cfg, &d);
	struct sl_proxy *f = tpx(cfg, "f");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	int n = 0;
	for (const struct sl_hrule *r = f->req_rules; r != NULL; r = r->next, n++)
		CU_ASSERT_PTR_NOT_NULL(r->cond);
	CU_ASSERT_EQUAL(n, 4);
	sl_cfg_free(cfg);
}

static void test_listen_implicit_bind(void)
{
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	T_PARSE_OK(DEFAULTS_HTTP "listen l 10.0.0.1:8080\n"
				 "  server s 10.0.0.2:80\n",
		   cfg, &d);
	struct sl_proxy *l = tpx(cfg, "l");
	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	CU_ASSERT_PTR_NOT_NULL_FATAL(l->binds);
	CU_ASSERT_EQUAL(l->binds->addr.v4, TIP4(10, 0, 0, 1));
	CU_ASSERT_EQUAL(l->binds->port_lo, 8080);
	CU_ASSERT_PTR_NULL(l->binds->next);
	sl_cfg_free(cfg);
}

static void test_legacy_timeouts(void)
{
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	T_PARSE_OK("defaults\n"
		   "  mode http\n"
		   "  contimeout 5s\n"
		   "  clitimeout 6s\n"
		   "  srvtimeout 7s\n"
		   "listen l\n"
		   "  bind :80\n",
		   cfg, &d);
	struct sl_proxy *l = tpx(cfg, "l");
	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	CU_ASSERT_EQUAL(l->to.connect, 5000);
	CU_ASSERT_EQUAL(l->to.client, 6000);
	CU_ASSERT_EQUAL(l->to.server, 7000);
	CU_ASSERT(tdiag_has(&d, SL_DIAG_WARNING, "t.cfg", 3, "'contimeout'"));
	CU_ASSERT(tdiag_has(&d, SL_DIAG_WARNING, "t.cfg", 4, "'clitimeout'"));
	CU_ASSERT(tdiag_has(&d, SL_DIAG_WARNING, "t.cfg", 5, "'srvtimeout'"));
	sl_cfg_free(cfg);
}

static void test_server_ipv6(void)
{
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	T_PARSE_OK(DEFAULTS_HTTP "backend b\n"
				 "  server s 2001:db8::1\n"
				 "  server t [2001:db8::2]:8080\n",
		   cfg, &d);
	struct sl_proxy *b = tpx(cfg, "b");
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	struct sl_server *s = tsrv(b, "s");
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(s->addr.family, AF_INET6);
	CU_ASSERT_EQUAL(s->addr.v6[0], 0x20);
	CU_ASSERT_EQUAL(s->addr.v6[15], 1);
	CU_ASSERT_EQUAL(s->port, 0);
	s = tsrv(b, "t");
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(s->addr.family, AF_INET6);
	CU_ASSERT_EQUAL(s->addr.v6[15], 2);
	CU_ASSERT_EQUAL(s->port, 8080);
	sl_cfg_free(cfg);
}

static void test_dataplane_forms(void)
{
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	T_PARSE_OK("dataplane\n"
		   "  address 10.0.0.1 port p0\n"
		   "  port p0 pci 0000:3b:00.0 queues 4 mtu 9000\n"
		   "  port p1 iface eth1 mtu 1400 driver af_packet\n"
		   "  port p2 iface eth2 xdp-steer off\n"
		   "  port p3 iface eth3 driver af_xdp xdp-steer on\n"
		   "  address 10.1.0.1/255.255.0.0 port p1\n"
		   "  route 10.9.9.9 via 10.0.0.254\n"
		   "  idle poll\n"
		   "  flows 65536\n"
		   "  eal --log-level 7\n"
		   "dataplane\n"
		   "  eal --no-telemetry\n",
		   cfg, &d);
	const struct sl_dataplane *dp = &cfg->dp;
	CU_ASSERT_TRUE(dp->present);
	const struct sl_dp_port *p = dp->ports;
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL(p->driver, SL_DRV_PCI);
	T_STR_EQ(p->pci, "0000:3b:00.0");
	CU_ASSERT_EQUAL(p->queues, 4);
	CU_ASSERT_EQUAL(p->mtu, 9000);
	p = p->next;
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL(p->driver, SL_DRV_AF_PACKET);
	CU_ASSERT_EQUAL(p->mtu, 1400);
	CU_ASSERT_FALSE(p->xdp_all);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p->next);
	CU_ASSERT_EQUAL(p->next->driver, SL_DRV_AF_XDP);
	CU_ASSERT_TRUE(p->next->xdp_all); /* xdp-steer off: the PMD's program, every frame */
	CU_ASSERT_PTR_NOT_NULL_FATAL(p->next->next);
	CU_ASSERT_FALSE(p->next->next->xdp_all);
	const struct sl_dp_addr *a = dp->addrs;
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_EQUAL(a->net.v4, TIP4(10, 0, 0, 1));
	CU_ASSERT_EQUAL(a->net.plen, 24); /* the default prefix */
	CU_ASSERT_PTR_NOT_NULL_FATAL(a->next);
	CU_ASSERT_EQUAL(a->next->net.v4, TIP4(10, 1, 0, 1));
	CU_ASSERT_EQUAL(a->next->net.plen, 16);
	CU_ASSERT_PTR_NOT_NULL_FATAL(dp->routes);
	CU_ASSERT_EQUAL(dp->routes->dst.v4, TIP4(10, 9, 9, 9));
	CU_ASSERT_EQUAL(dp->routes->dst.plen, 32); /* a host route */
	CU_ASSERT_EQUAL(dp->idle, SL_IDLE_POLL);
	CU_ASSERT_EQUAL(dp->flows, 65536);
	CU_ASSERT_EQUAL(tcount_str(dp->eal_args), 3); /* accumulated across merged sections */
	T_STR_EQ(tstr_at(dp->eal_args, 0), "--log-level");
	T_STR_EQ(tstr_at(dp->eal_args, 2), "--no-telemetry");
	sl_cfg_free(cfg);
}

static void test_bind_no_conflict(void)
{
	/* a specific address never conflicts with a wildcard; v4 and v6 wildcards do not conflict;
	 * adjacent ranges do not overlap */
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	T_PARSE_OK(DEFAULTS_HTTP "frontend a\n"
				 "  bind *:80\n"
				 "  bind *:8000-8009\n"
				 "frontend b\n"
				 "  bind 10.0.0.1:80\n"
				 "  bind [::]:80\n"
				 "  bind *:8010-8019\n"
				 "  bind 10.0.0.2:80\n",
		   cfg, &d);
	CU_ASSERT_EQUAL(cfg->nproxies, 2);
	sl_cfg_free(cfg);
}

static void test_stats_implicit_enable(void)
{
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	T_PARSE_OK(DEFAULTS_HTTP "listen a\n"
				 "  bind :80\n"
				 "  stats uri /s\n" DEFAULTS_HTTP "  stats realm Inherited\n"
				 "listen b\n"
				 "  bind :81\n",
		   cfg, &d);
	CU_ASSERT_TRUE(tpx(cfg, "a")->stats.enabled); /* every stats keyword enables the page */
	T_STR_EQ(tpx(cfg, "a")->stats.uri, "/s");
	CU_ASSERT_TRUE(tpx(cfg, "b")->stats.enabled);
	T_STR_EQ(tpx(cfg, "b")->stats.realm, "Inherited");
	sl_cfg_free(cfg);
}

static void test_proxy_log_lines(void)
{
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	T_PARSE_OK(DEFAULTS_HTTP "  log global\n"
				 "listen a\n"
				 "  bind :80\n"
				 "listen b\n"
				 "  bind :81\n"
				 "  log none\n"
				 "listen c\n"
				 "  bind :82\n"
				 "  log 127.0.0.1 local0\n",
		   cfg, &d);
	CU_ASSERT_TRUE(tpx(cfg, "a")->log_global);
	CU_ASSERT_FALSE(tpx(cfg, "b")->log_global);
	/* a proxy's own target, HAProxy's way; the defaults' targets are inherited */
	const struct sl_log_target *lt = tpx(cfg, "c")->log_targets;
	CU_ASSERT_PTR_NOT_NULL_FATAL(lt);
	CU_ASSERT_EQUAL(lt->kind, SL_LOGT_UDP);
	CU_ASSERT_EQUAL(lt->ip, 0x7f000001u);
	CU_ASSERT_EQUAL(lt->port, 514);
	CU_ASSERT_EQUAL(lt->facility, 16);
	CU_ASSERT_EQUAL(lt->level, 7);
	CU_ASSERT_EQUAL(lt->len, 1024);
	CU_ASSERT_PTR_NULL(lt->next);
	CU_ASSERT_EQUAL(d.nwarn, 0);
	sl_cfg_free(cfg);
}

static void test_global_repeated(void)
{
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	T_PARSE_OK("global\n"
		   "  maxconn 100\n"
		   "  log 127.0.0.1 local0\n"
		   "  ssl-default-bind-options no-sslv3\n"
		   "global\n"
		   "  maxconn 200\n"
		   "  log 127.0.0.2 local1\n"
		   "  ssl-default-bind-options no-tlsv10\n",
		   cfg, &d);
	CU_ASSERT_EQUAL(cfg->global.maxconn, 200);
	CU_ASSERT_EQUAL(tcount_str(cfg->global.logs), 2);
	CU_ASSERT_EQUAL(tcount_str(cfg->global.ssl_bind_options), 2);
	sl_cfg_free(cfg);
}

static void test_crt_without_ssl_warns(void)
{
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	tfs_reset();
	T_PARSE_OK(DEFAULTS_HTTP "frontend f\n"
				 "  bind :443 crt /certs/site.pem\n",
		   cfg, &d);
	CU_ASSERT(tdiag_has(&d, SL_DIAG_WARNING, "t.cfg", 7, "crt"));
	CU_ASSERT_FALSE(tpx(cfg, "f")->binds->ssl);
	sl_cfg_free(cfg);
}

static void test_if_across_texts(void)
{
	/* each file has its own blocks: a block closed in its file does not leak into the next */
	static const char a[] = "global\n.if 0\n  maxconn 5\n.endif\n";
	static const char b[] = "global\n  maxconn 6\n";
	struct sl_cfg_text texts[] = {
		{.name = "a.cfg", .data = a, .len = sizeof(a) - 1},
		{.name = "b.cfg", .data = b, .len = sizeof(b) - 1},
	};
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	int rc = tparse_n(texts, 2, &cfg, &d);
	T_PARSED_OK(rc, cfg, &d);
	CU_ASSERT_EQUAL(cfg->global.maxconn, 6);
	sl_cfg_free(cfg);
}

/* ---------------------------------------------------------------- registry */

/* dataplane `service echo|http-ok PORT`: the proxy lcores' built-in services */
static void test_dp_services(void)
{
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	CU_ASSERT_EQUAL_FATAL(tparse("dataplane\n  port p iface eth0\n  address 10.0.0.1/24 port p\n"
				     "  service echo 7\n  service http-ok 8081\n",
				     &cfg, &d),
			      0);
	const struct sl_dp_service *sv = cfg->dp.services;
	CU_ASSERT_PTR_NOT_NULL_FATAL(sv);
	CU_ASSERT_EQUAL(sv->kind, SL_SVC_ECHO);
	CU_ASSERT_EQUAL(sv->port, 7);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sv->next);
	CU_ASSERT_EQUAL(sv->next->kind, SL_SVC_HTTP_OK);
	CU_ASSERT_EQUAL(sv->next->port, 8081);
	sl_cfg_free(cfg);
	T_REFUSED_EX("dataplane\n  port p iface eth0\n  address 10.0.0.1/24 port p\n  service gopher 70\n",
		     true, 4, "'gopher'", NULL);
	T_REFUSED_EX("dataplane\n  port p iface eth0\n  address 10.0.0.1/24 port p\n  service echo 0\n",
		     true, 4, "'0'", NULL);
}

static const struct sl_test_case seed_cases[] = {
	{"variant 1 (https)", test_seed_variant1},
	{"variant 2 (hls)", test_seed_variant2},
	{"lookups and ids", test_seed_lookups},
	{NULL, NULL},
};

static const struct sl_test_case dump_cases[] = {
	{"variant 1 round trip", test_round_trip_variant1},
	{"variant 2 round trip", test_round_trip_variant2},
	{"kitchen sink round trip", test_round_trip_kitchen_sink},
	{NULL, NULL},
};

static const struct sl_test_case kw_cases[] = {
	{"dataplane services", test_dp_services},
	{"global", test_global},
	{"global defaults", test_global_defaults},
	{"bind forms", test_bind_forms},
	{"bind IPv6", test_bind_ipv6},
	{"mode", test_mode},
	{"acl fetches", test_acl_fetches},
	{"conditions", test_conditions},
	{"balance", test_balance},
	{"enum names", test_enum_names},
	{"server parameters", test_server_params},
	{"default-server", test_default_server},
	{"source ADDR: defaults, backend, server", test_source},
	{"cookie", test_cookie},
	{"option forwardfor", test_forwardfor},
	{"options and no option", test_options},
	{"http-check expect", test_http_check_expect},
	{"tcp-check rules", test_tcp_check},
	{"timeouts", test_timeouts},
	{"sl_cfg_parse_time", test_parse_time},
	{"retries, maxconn, errorfile", test_retries_maxconn_errorfile},
	{"redirect", test_redirect},
	{"http-request and http-response", test_http_request_response},
	{"reqadd and rspadd", test_legacy_reqadd_rspadd},
	{"stats", test_stats},
	{NULL, NULL},
};

static const struct sl_test_case section_cases[] = {
	{"several defaults sections", test_several_defaults},
	{"environment variables", test_env_expansion},
	{"several texts", test_several_texts},
	{"texts without a final newline", test_texts_without_final_newline},
	{"a section goes on into the next text", test_section_across_texts},
	{"no dataplane section", test_no_dataplane},
	{"dataplane", test_dataplane},
	{"frontend and backend of the same name", test_frontend_backend_same_name},
	{"cores LIST on CPULIST", test_cores_on},
	{"cores beyond 63", test_cores_high},
	{"control shared|own", test_control},
	{"conditional blocks", test_conditional_blocks},
	{"sl_cfg_free(NULL)", test_free_null},
	{NULL, NULL},
};

static const struct sl_test_case haproxy_cases[] = {
	{"tcp proxy falls back from httplog", test_tcp_proxy_httplog_fallback},
	{"option httpchk with legacy headers", test_httpchk_legacy_headers},
	{"named defaults and 'from'", test_named_defaults},
	{"errorfile overrides the inherited one", test_errorfile_override},
	{"bind parameters", test_bind_params},
	{"bind alpn: only what sluice speaks", test_bind_alpn},
	{"bind address list", test_bind_address_list},
	{"crt-base", test_crt_base},
	{".if predicates and .elif", test_if_predicates},
	{".notice and .warning", test_diag_directives},
	{"use_backend without condition", test_use_backend_without_condition},
	{"sl_cfg_load_files", test_load_files},
	{"dump write error", test_dump_write_error},
	{"dump quotes free text", test_dump_quotes_free_text},
	{"header value 'if'/'unless' (positional)", test_header_value_like_keyword},
	{"reqadd value 'unless' round trip", test_reqadd_value_like_keyword_round_trip},
	{"tcp proxy: HTTP-only settings reported", test_tcp_proxy_http_settings_reported},
	{NULL, NULL},
};

static const struct sl_test_case spec_cases[] = {
	{"presence ACLs and flags", test_presence_acl_and_flags},
	{"predefined ACLs", test_predefined_acls},
	{"listen NAME ADDR:PORT", test_listen_implicit_bind},
	{"contimeout, clitimeout, srvtimeout", test_legacy_timeouts},
	{"IPv6 servers", test_server_ipv6},
	{"dataplane forms", test_dataplane_forms},
	{"binds that do not conflict", test_bind_no_conflict},
	{"stats keywords enable stats", test_stats_implicit_enable},
	{"log lines in proxies", test_proxy_log_lines},
	{"repeated global sections", test_global_repeated},
	{"crt without ssl warns", test_crt_without_ssl_warns},
	{".if blocks per text", test_if_across_texts},
	{NULL, NULL},
};

static const struct sl_test_suite suites[] = {
	{"cfg/seed", seed_cases},
	{"cfg/dump", dump_cases},
	{"cfg/keywords", kw_cases},
	{"cfg/sections", section_cases},
	{"cfg/haproxy", haproxy_cases},
	{"cfg/spec", spec_cases},
	{NULL, NULL},
};

int main(void)
{
	return sl_test_run(suites);
}
