/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the small keywords real haproxy.cfg files use (issue 17): the redirect words in
 * every order HAProxy 2.6 takes, monitor-uri and monitor fail, balance random(N), the process
 * tuning keywords accepted with a warning naming them, zero-warning, lua-load refused, and
 * `verify` on a server without TLS; two real configurations written by others
 * (tests/fixtures/real-configs). Every error and warning is checked at its file:line with
 * its keyword.
 */
#include <stdlib.h>
#include <string.h>

#include "tests/unit/controlplane/cfg/cfg_test_util.h"

/* A defaults section that keeps the "missing timeouts" warning away (5 lines). */
#define DEFS                         \
	"defaults\n"                 \
	"  mode http\n"              \
	"  timeout connect 1s\n"     \
	"  timeout client 1s\n"      \
	"  timeout server 1s\n"

/* A frontend (line 6) with its bind (line 7), then line 8 is the keyword under test. */
#define FE DEFS "frontend f\n  bind :80\n"
#define BE "  default_backend b\nbackend b\n  server s 10.0.0.1:80\n"

/* ---------------------------------------------------------------- redirect */

static const struct sl_redirect *first_redirect(const struct sl_cfg *cfg)
{
	const struct sl_proxy *f = tpx(cfg, "f");
	if (f == NULL || f->req_rules == NULL)
		return NULL;
	return &f->req_rules->redir;
}

static void test_redirect_orders(void)
{
	static const struct {
		const char *words;
		enum sl_redirect_kind kind;
		const char *target;
		int code;
		bool drop_query;
	} cases[] = {
		{"code 301 location /x", SL_REDIR_LOCATION, "/x", 301, false},
		{"location /x code 301", SL_REDIR_LOCATION, "/x", 301, false},
		{"drop-query code 308 prefix /p", SL_REDIR_PREFIX, "/p", 308, true},
		{"code 303 scheme https drop-query", SL_REDIR_SCHEME, "https", 303, true},
		{"location /a prefix /b", SL_REDIR_PREFIX, "/b", 302, false}, /* the last counts */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char text[512];
		snprintf(text, sizeof(text), FE "  http-request redirect %s if { path /r }\n" BE,
			 cases[i].words);
		struct sl_cfg *cfg = NULL;
		struct tdiags d;
		T_PARSE_OK(text, cfg, &d);
		CU_ASSERT_EQUAL(d.nwarn, 0);
		const struct sl_redirect *r = first_redirect(cfg);
		CU_ASSERT_PTR_NOT_NULL_FATAL(r);
		CU_ASSERT_EQUAL(r->kind, cases[i].kind);
		T_STR_EQ(r->target, cases[i].target);
		CU_ASSERT_EQUAL(r->code, cases[i].code);
		CU_ASSERT_EQUAL(r->drop_query, cases[i].drop_query);
		CU_ASSERT_PTR_NOT_NULL(tpx(cfg, "f")->req_rules->cond);
		sl_cfg_free(cfg);
	}
	/* the legacy `redirect` keyword reads the same words */
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	T_PARSE_OK(FE "  redirect code 301 prefix /n set-cookie A=1 ignore-empty\n" BE, cfg, &d);
	const struct sl_redirect_rule *rr = tpx(cfg, "f")->redirects;
	CU_ASSERT_PTR_NOT_NULL_FATAL(rr);
	CU_ASSERT_EQUAL(rr->redir.kind, SL_REDIR_PREFIX);
	CU_ASSERT_EQUAL(rr->redir.code, 301);
	CU_ASSERT(rr->redir.ignore_empty);
	T_STR_EQ(rr->redir.set_cookie, "A=1");
	/* and the dump writes them back in the canonical order */
	char *dump = tdump(cfg, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(dump);
	CU_ASSERT_PTR_NOT_NULL(strstr(dump, "redirect prefix /n code 301 ignore-empty set-cookie A=1"));
	free(dump);
	sl_cfg_free(cfg);
}

static void test_redirect_errors(void)
{
	T_REFUSED(FE "  http-request redirect code 301\n" BE, 8, "'http-request redirect'");
	T_REFUSED(FE "  http-request redirect code 305 location /x\n" BE, 8, "305");
	T_REFUSED(FE "  http-request redirect code 301 location\n" BE, 8, "'location' expects");
	T_REFUSED(FE "  http-request redirect location /x set-cookie\n" BE, 8, "'set-cookie' expects");
	T_REFUSED(FE "  http-request redirect location /x bogus\n" BE, 8, "'bogus'");
	T_REFUSED(FE "  redirect drop-query\n" BE, 8, "'redirect'");
}

/* ---------------------------------------------------------------- monitor */

static void test_monitor(void)
{
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	T_PARSE_OK(DEFS "  monitor-uri /d\n"
		   "frontend f\n  bind :80\n  monitor-uri /alive\n"
		   "  acl dead src 10.9.9.9\n"
		   "  monitor fail if dead\n"
		   "  monitor fail unless { src 10.0.0.0/8 }\n" BE
		   "frontend g\n  bind :81\n  default_backend b\n",
		   cfg, &d);
	CU_ASSERT_EQUAL(d.nwarn, 0);
	const struct sl_proxy *f = tpx(cfg, "f"), *g = tpx(cfg, "g");
	T_STR_EQ(f->monitor_uri, "/alive");
	CU_ASSERT_EQUAL(f->monitor_uri_loc.line, 9);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f->monitor_fails);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f->monitor_fails->next);
	CU_ASSERT_FALSE(f->monitor_fails->cond->unless);
	CU_ASSERT(f->monitor_fails->next->cond->unless);
	T_STR_EQ(g->monitor_uri, "/d"); /* from the defaults */
	CU_ASSERT_PTR_NULL(g->monitor_fails);
	char *dump = tdump(cfg, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(dump);
	CU_ASSERT_PTR_NOT_NULL(strstr(dump, "    monitor-uri /alive\n    monitor fail if dead\n"));
	free(dump);
	sl_cfg_free(cfg);

	/* HAProxy's warning: monitor fail is evaluated before the http-request rules */
	T_PARSE_OK(FE "  http-request deny if { path /x }\n  monitor fail if { path /y }\n" BE, cfg,
		   &d);
	CU_ASSERT_EQUAL(d.nwarn, 1);
	CU_ASSERT(tdiag_has(&d, SL_DIAG_WARNING, "t.cfg", 9, "'monitor fail'"));
	sl_cfg_free(cfg);

	/* a TCP frontend: reported, not applied */
	T_PARSE_OK(FE "  mode tcp\n  monitor-uri /m\n" BE "  mode tcp\n", cfg, &d);
	CU_ASSERT(tdiag_has(&d, SL_DIAG_WARNING, "t.cfg", 9, "'monitor-uri' ignored"));
	sl_cfg_free(cfg);
}

static void test_monitor_errors(void)
{
	T_REFUSED(FE "  monitor-uri\n" BE, 8, "'monitor-uri'");
	T_REFUSED(FE "  monitor fail\n" BE, 8, "'monitor fail'");
	T_REFUSED(FE "  monitor pass if { path /x }\n" BE, 8, "'monitor'");
	T_REFUSED(FE "  monitor fail if nosuchacl\n" BE, 8, "nosuchacl");
	T_REFUSED(DEFS "backend b\n  monitor-uri /x\n  server s 10.0.0.1:80\n", 7, "'monitor-uri'");
	T_REFUSED(DEFS "  monitor fail if { path /x }\n", 6, "'monitor'");
}

/* ---------------------------------------------------------------- balance random */

static void test_balance_random(void)
{
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	T_PARSE_OK(DEFS "  balance random(5)\n"
			"backend a\n  balance random\n  server s 10.0.0.1:80\n"
			"backend b\n  server s 10.0.0.1:80\n"
			"backend c\n  balance random(1)\n  server s 10.0.0.1:80\n",
		   cfg, &d);
	CU_ASSERT_EQUAL(d.nwarn, 0);
	CU_ASSERT_EQUAL(tpx(cfg, "a")->balance, SL_BAL_RANDOM);
	CU_ASSERT_EQUAL(tpx(cfg, "a")->random_draws, 2); /* HAProxy's default */
	CU_ASSERT_EQUAL(tpx(cfg, "b")->balance, SL_BAL_RANDOM);
	CU_ASSERT_EQUAL(tpx(cfg, "b")->random_draws, 5); /* from the defaults */
	CU_ASSERT_EQUAL(tpx(cfg, "c")->random_draws, 1);
	T_STR_EQ(sl_cfg_balance_name(SL_BAL_RANDOM), "random");
	char *dump = tdump(cfg, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(dump);
	CU_ASSERT_PTR_NOT_NULL(strstr(dump, "balance random(5)\n"));
	free(dump);
	sl_cfg_free(cfg);

	T_REFUSED(DEFS "backend b\n  balance random(0)\n", 7, "'random(0)'");
	T_REFUSED(DEFS "backend b\n  balance random(2\n", 7, "'random(2'");
	T_REFUSED(DEFS "backend b\n  balance random(x)\n", 7, "'random(x)'");
	T_REFUSED(DEFS "backend b\n  balance random 2\n", 7, "'2'");
	T_REFUSED(DEFS "backend b\n  balance url_param(x)\n", 7, "not supported by sluice");
	T_REFUSED(DEFS "backend b\n  balance hdr()\n", 7, "header name");
	T_REFUSED(DEFS "backend b\n  balance hdr\n", 7, "hdr(NAME)");
	T_REFUSED(DEFS "backend b\n  balance hdr(host) use_domain\n", 7, "'use_domain'");
}

/* ---------------------------------------------------------------- global */

static void test_tuning_keywords(void)
{
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	T_PARSE_OK("global\n"
		   "  ulimit-n 65536\n"
		   "  strict-limits\n"
		   "  default-path config\n"
		   "  default-path current\n"
		   "  default-path origin /etc/haproxy\n"
		   "  fd-hard-limit 100000\n"
		   "  busy-polling\n" DEFS,
		   cfg, &d);
	CU_ASSERT_EQUAL(d.nwarn, 6); /* not 'default-path current': that is what sluice does */
	CU_ASSERT(tdiag_has(&d, SL_DIAG_WARNING, "t.cfg", 2, "'ulimit-n' has no effect"));
	CU_ASSERT(tdiag_has(&d, SL_DIAG_WARNING, "t.cfg", 3, "'strict-limits' has no effect"));
	CU_ASSERT(tdiag_has(&d, SL_DIAG_WARNING, "t.cfg", 4, "'default-path config' is not applied"));
	CU_ASSERT_FALSE(tdiag_has(&d, SL_DIAG_WARNING, "t.cfg", 5, NULL));
	CU_ASSERT(tdiag_has(&d, SL_DIAG_WARNING, "t.cfg", 6, "'default-path origin'"));
	CU_ASSERT(tdiag_has(&d, SL_DIAG_WARNING, "t.cfg", 7, "'fd-hard-limit'"));
	CU_ASSERT(tdiag_has(&d, SL_DIAG_WARNING, "t.cfg", 8, "'busy-polling'"));
	sl_cfg_free(cfg);

	T_REFUSED("global\n  ulimit-n\n", 2, "'ulimit-n'");
	T_REFUSED("global\n  default-path\n", 2, "'default-path'");
	T_REFUSED("global\n  default-path somewhere\n", 2, "'default-path'");
	T_REFUSED("global\n  default-path origin\n", 2, "'default-path'");
	T_REFUSED("global\n  default-path config /x\n", 2, "'default-path'");
}

static void test_zero_warning(void)
{
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	/* no warning: in effect, nothing to say */
	T_PARSE_OK("global\n  zero-warning\n" DEFS, cfg, &d);
	CU_ASSERT_EQUAL(d.nwarn, 0);
	sl_cfg_free(cfg);
	/* a warning anywhere makes the configuration invalid, the error at zero-warning's line */
	CU_ASSERT(trefused1("global\n  zero-warning\n  ulimit-n 10\n" DEFS, true, 2,
			    "'zero-warning'", NULL, &d));
	CU_ASSERT(tdiag_has(&d, SL_DIAG_WARNING, "t.cfg", 3, "'ulimit-n'"));
	T_REFUSED("global\n  zero-warning 1\n", 2, "'zero-warning'");
}

static void test_lua_refused(void)
{
	T_REFUSED("global\n  lua-load /etc/haproxy/acme.lua\n", 2, "'lua-load': sluice runs no Lua");
	T_REFUSED("global\n  lua-load-per-thread /x.lua\n", 2, "'lua-load-per-thread'");
	T_REFUSED("global\n  lua-prepend-path /x/?.lua\n", 2, "'lua-prepend-path'");
}

/* ---------------------------------------------------------------- TLS words without TLS */

static void test_verify_without_ssl(void)
{
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	/* without ssl, verify does nothing (HAProxy reads it only for TLS to the server) */
	T_PARSE_OK(DEFS "backend b\n  server s 10.0.0.1:80 check verify none\n"
			"  server t 10.0.0.2:80 verify required\n",
		   cfg, &d);
	CU_ASSERT_EQUAL(d.nwarn, 0);
	sl_cfg_free(cfg);
	T_REFUSED(DEFS "backend b\n  server s 10.0.0.1:443 verify sometimes\n", 7, "'verify'");
	T_REFUSED(DEFS "frontend f\n  bind :443 ssl crt-list /etc/haproxy/list\n", 7,
		  "'crt-list': cannot read '/etc/haproxy/list'");
	/* HAProxy: "verify is enabled but no CA file specified" */
	T_REFUSED(DEFS "frontend f\n  bind :443 ssl crt /certs/site.pem verify required\n", 7,
		  "'verify required' needs 'ca-file'");
	T_REFUSED(DEFS "frontend f\n  bind :443 ssl crt /certs/site.pem ca-file /etc/ca.pem verify sometimes\n",
		  7, "'verify' expects none, optional or required");
	/* a crt-list's errors name its own file and line */
	tfs_add("/etc/bad-list", "/certs/site.pem\n\n/certs/site.pem [verify sometimes]\n");
	T_REFUSED(DEFS "frontend f\n  bind :443 ssl crt-list /etc/bad-list\n", 7,
		  "'crt-list': /etc/bad-list:3: 'verify': unknown verify method 'sometimes'");
	tfs_add("/etc/warn-list", "/certs/site.pem [alpn h2 ca-file /etc/ca.pem verify optional] a.test\n");
	T_PARSE_OK(DEFS "frontend f\n  bind :443 ssl crt-list /etc/warn-list\n", cfg, &d);
	CU_ASSERT_EQUAL(d.nwarn, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(d.d[0].msg, "/etc/warn-list:1: 'alpn' has no effect"));
	sl_cfg_free(cfg);
	tfs_reset();
}

/* server ... ssl and its parameters, as HAProxy 2.6 reads them. */
static void test_server_ssl(void)
{
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	T_PARSE_OK("global\n  ssl-default-server-ciphers ECDHE-RSA-AES128-GCM-SHA256\n"
		   "  ssl-default-server-ciphersuites TLS_AES_128_GCM_SHA256\n"
		   "  ssl-default-server-options no-tlsv12 ssl-max-ver TLSv1.3\n" DEFS
		   "backend b\n  default-server ssl verify required ca-file /ca.pem check-ssl\n"
		   "  server s 10.0.0.1:443 sni str(www.example.com) ssl-min-ver TLSv1.2 alpn http/1.1\n"
		   "  server t 10.0.0.2:443 no-ssl-reuse sni req.hdr(host) ciphers A ciphersuites B\n"
		   "  server u 10.0.0.3:80 no-ssl verify none\n",
		   cfg, &d);
	CU_ASSERT_EQUAL(d.nwarn, 0);
	const struct sl_proxy *b = sl_cfg_find_proxy(cfg, "b", SL_CAP_BE);
	CU_ASSERT_FATAL(b != NULL);
	const struct sl_server *s = b->servers, *t = s->next, *u = t->next;
	CU_ASSERT(s->p.tls.ssl && s->p.tls.check_ssl && s->p.tls.verify == 1);
	CU_ASSERT_STRING_EQUAL(s->p.tls.ca_file, "/ca.pem");
	CU_ASSERT_EQUAL(s->p.tls.sni, SL_SNI_STR);
	CU_ASSERT_STRING_EQUAL(s->p.tls.sni_str, "www.example.com");
	CU_ASSERT_STRING_EQUAL(s->p.tls.min_ver, "TLSv1.2");
	CU_ASSERT(t->p.tls.no_reuse && !s->p.tls.no_reuse);
	CU_ASSERT_EQUAL(t->p.tls.sni, SL_SNI_HOST);
	CU_ASSERT_STRING_EQUAL(t->p.tls.ciphers, "A");
	CU_ASSERT(!u->p.tls.ssl && u->p.tls.verify == 0);
	CU_ASSERT_STRING_EQUAL(cfg->global.ssl_srv_ciphers, "ECDHE-RSA-AES128-GCM-SHA256");
	CU_ASSERT_STRING_EQUAL(cfg->global.ssl_srv_ciphersuites, "TLS_AES_128_GCM_SHA256");
	/* --dump writes them back */
	char *dump = NULL;
	size_t dlen = 0;
	FILE *f = open_memstream(&dump, &dlen);
	CU_ASSERT_EQUAL(sl_cfg_dump(cfg, f), 0);
	fclose(f);
	CU_ASSERT_PTR_NOT_NULL(strstr(dump, " ssl check-ssl verify required sni str(www.example.com) ca-file /ca.pem"));
	CU_ASSERT_PTR_NOT_NULL(strstr(dump, " no-ssl-reuse sni req.hdr(host) ca-file /ca.pem ciphers A ciphersuites B"));
	CU_ASSERT_PTR_NOT_NULL(strstr(dump, "ssl-default-server-options no-tlsv12 ssl-max-ver TLSv1.3\n"));
	free(dump);
	sl_cfg_free(cfg);
	/* verify required is the default: a ca-file is needed (HAProxy 2.6's message) */
	T_REFUSED(DEFS "backend b\n  server s 10.0.0.1:443 ssl\n", 7,
		  "verify is enabled by default but no CA file specified");
	T_REFUSED(DEFS "backend b\n  server s 10.0.0.1:443 check-ssl verify required\n", 7,
		  "no CA file specified");
	/* ... unless ssl-server-verify none */
	T_PARSE_OK("global\n  ssl-server-verify none\n" DEFS "backend b\n  server s 10.0.0.1:443 ssl\n",
		   cfg, &d);
	sl_cfg_free(cfg);
	/* mode tcp: packet-level NAT */
	T_REFUSED(DEFS "backend b\n  mode tcp\n  server s 10.0.0.1:443 ssl verify none\n", 8,
		  "'ssl' needs a 'mode http' backend");
	T_REFUSED(DEFS "backend b\n  server s 10.0.0.1:443 check check-ssl verify none\n", 7,
		  "'check-ssl' needs 'option httpchk' in sluice");
	T_PARSE_OK(DEFS "backend b\n  option httpchk\n"
			"  server s 10.0.0.1:443 check check-ssl verify none check-sni a.b\n",
		   cfg, &d);
	CU_ASSERT_STRING_EQUAL(cfg->proxies->servers->p.tls.check_sni, "a.b");
	sl_cfg_free(cfg);
	T_REFUSED(DEFS "backend b\n  server s 10.0.0.1:443 ssl verify none alpn h2\n", 7,
		  "sluice speaks only HTTP/1.1 to servers");
	T_REFUSED(DEFS "backend b\n  server s 10.0.0.1:443 ssl verify none sni ssl_fc_sni\n", 7,
		  "only 'str(NAME)' and 'req.hdr(host)'");
	T_REFUSED(DEFS "backend b\n  server s 10.0.0.1:443 ssl verify none ssl-min-ver TLSv9\n", 7,
		  "'ssl-min-ver' expects");
	T_REFUSED(DEFS "backend b\n  server s 10.0.0.1:443 ssl verify none ca-file\n", 7,
		  "'ca-file' expects a value");
	T_REFUSED("global\n  ssl-default-server-options prefer-client-ciphers\n" DEFS, 2,
		  "'prefer-client-ciphers' is not supported");
	T_REFUSED("global\n  ssl-server-verify maybe\n" DEFS, 2, "'ssl-server-verify' expects");
	/* http-check connect ssl: every checked server checks over TLS, as with check-ssl; its
	 * sni and port when the server line has none */
	T_PARSE_OK(DEFS "backend b\n  option httpchk\n  http-check connect ssl sni c.d port 8443\n"
			"  server s 10.0.0.1:443 check verify none\n"
			"  server t 10.0.0.2:443 check verify none check-sni e.f\n"
			"  server u 10.0.0.3:443 verify none\n",
		   cfg, &d);
	s = cfg->proxies->servers;
	CU_ASSERT(s->p.tls.check_ssl);
	CU_ASSERT_STRING_EQUAL(s->p.tls.check_sni, "c.d");
	CU_ASSERT_EQUAL(s->p.check_port, 8443);
	CU_ASSERT(s->next->p.tls.check_ssl);
	CU_ASSERT_STRING_EQUAL(s->next->p.tls.check_sni, "e.f");
	CU_ASSERT(!s->next->next->p.tls.check_ssl); /* no check */
	sl_cfg_free(cfg);
	/* and the same verify rule as check-ssl: a CA file or `verify none` */
	T_REFUSED(DEFS "backend b\n  option httpchk\n  http-check connect ssl\n"
		       "  server s 10.0.0.1:443 check\n",
		  9, "verify is enabled by default but no CA file specified");
}

/* ---------------------------------------------------------------- dump */

/* --dump writes what was read so that it reads back the same: dump, parse, dump. */
static void test_dump_round_trip(void)
{
	struct sl_cfg *cfg = NULL, *cfg2 = NULL;
	struct tdiags d;
	T_PARSE_OK(DEFS "  monitor-uri /d\n"
			"frontend f\n  bind :80\n  monitor-uri \"/a b\"\n"
			"  monitor fail unless { src 10.0.0.0/8 }\n"
			"  http-request redirect code 301 location /x ignore-empty if { path /r }\n"
			"  default_backend b\n"
			"backend b\n  balance random(7)\n  server s 10.0.0.1:80\n",
		   cfg, &d);
	size_t l1 = 0, l2 = 0;
	char *d1 = tdump(cfg, &l1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d1);
	struct sl_cfg_text t = {.name = "dump.cfg", .data = d1, .len = l1};
	int rc = tparse_n(&t, 1, &cfg2, &d);
	T_PARSED_OK(rc, cfg2, &d);
	char *d2 = tdump(cfg2, &l2);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d2);
	CU_ASSERT(l1 == l2 && memcmp(d1, d2, l1) == 0);
	T_STR_EQ(tpx(cfg2, "f")->monitor_uri, "/a b");
	CU_ASSERT_EQUAL(tpx(cfg2, "b")->random_draws, 7);
	CU_ASSERT(tpx(cfg2, "f")->req_rules->redir.ignore_empty);
	CU_ASSERT(tpx(cfg2, "f")->monitor_fails->cond->unless);
	free(d1);
	free(d2);
	sl_cfg_free(cfg);
	sl_cfg_free(cfg2);
}

/* ---------------------------------------------------------------- real configurations */

/* Every warning of @d is one of the @n (line, substring) pairs, each found once. */
static bool warnings_are(const struct tdiags *d, const char *file, const int *lines,
			 const char *const *subs, int n)
{
	bool ok = d->nwarn == n;
	for (int i = 0; i < n; i++)
		ok = ok && tdiag_has(d, SL_DIAG_WARNING, file, lines[i], subs[i]);
	if (!ok)
		tdiag_print(d, "unexpected warnings");
	return ok;
}

/* tests/fixtures/real-configs: socketio-cluster.cfg (HAProxy 2.6 accepts it) parses with a warning
 * for each line sluice does not apply, and its settings read; sockjs-node.cfg (HAProxy 2.6
 * refuses it: an address on the frontend line) is refused at the same line. Host names are
 * resolved after the parse (cfg_resolve.c), so the parse alone takes them as written. */
static void test_real_configs(void)
{
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	static const char *const sio[] = {"real-configs/socketio-cluster.cfg"};
	int rc = tparse_fixtures(sio, 1, &cfg, &d);
	T_PARSED_OK(rc, cfg, &d);
	static const int sio_lines[] = {4, 6};
	static const char *const sio_subs[] = {"'daemon' has no effect", "'nbproc'"};
	CU_ASSERT(warnings_are(&d, "socketio-cluster.cfg", sio_lines, sio_subs, 2));
	struct sl_proxy *nodes = tpx(cfg, "nodes");
	CU_ASSERT_PTR_NOT_NULL_FATAL(nodes);
	CU_ASSERT_PTR_NOT_NULL(tsrv(nodes, "ringo"));
	T_STR_EQ(tsrv(nodes, "john")->cookie, "john");
	sl_cfg_free(cfg);

	static const char *const sjs[] = {"real-configs/sockjs-node.cfg"};
	cfg = NULL;
	rc = tparse_fixtures(sjs, 1, &cfg, &d);
	CU_ASSERT_NOT_EQUAL(rc, 0);
	CU_ASSERT(tcheck_first_error(&d, false, "sockjs-node.cfg", 9, "0.0.0.0:8888", NULL));
	sl_cfg_free(cfg);
}

/* HAProxy 2.6's edge example's keywords: compression, cache, stats show-modules warned;
 * http-after-response taken as an http-response rule with a warning; http-ignore-probes read. */
static void test_edge_keywords(void)
{
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	int rc = tparse("cache c\n  total-max-size 4\n"
			"defaults\n  mode http\n  timeout connect 1s\n  timeout client 1s\n"
			"  timeout server 1s\n"
			"frontend f\n  bind :80\n  option http-ignore-probes\n"
			"  http-after-response set-header Strict-Transport-Security \"max-age=1\"\n"
			"  compression algo deflate gzip\n"
			"  http-request cache-use c\n  http-response cache-store c\n"
			"  stats show-modules\n  default_backend b\n"
			"backend b\n  server s 10.0.0.2:80\n",
			&cfg, &d);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	CU_ASSERT(tdiag_has(&d, SL_DIAG_WARNING, "t.cfg", 1, "section 'cache' has no effect"));
	CU_ASSERT(tdiag_has(&d, SL_DIAG_WARNING, "t.cfg", 11, "to the servers' responses only"));
	CU_ASSERT(tdiag_has(&d, SL_DIAG_WARNING, "t.cfg", 12, "'compression algo' has no effect"));
	CU_ASSERT(tdiag_has(&d, SL_DIAG_WARNING, "t.cfg", 13, "'http-request cache-use' has no effect"));
	CU_ASSERT(tdiag_has(&d, SL_DIAG_WARNING, "t.cfg", 14, "'http-response cache-store' has no effect"));
	CU_ASSERT(tdiag_has(&d, SL_DIAG_WARNING, "t.cfg", 15, "'stats show-modules' has no effect"));
	const struct sl_proxy *f = tpx(cfg, "f");
	CU_ASSERT(f->http_ignore_probes);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f->rsp_rules);
	CU_ASSERT_EQUAL(f->rsp_rules->action, SL_HR_SET_HEADER);
	T_STR_EQ(f->rsp_rules->name, "Strict-Transport-Security");
	CU_ASSERT_PTR_NULL(f->rsp_rules->next);
	sl_cfg_free(cfg);
	CU_ASSERT_EQUAL(tparse("frontend f\n  bind :80\n  http-after-response deny\n", &cfg, &d),
			-EINVAL);
	CU_ASSERT_EQUAL(tparse("frontend f\n  bind :80\n  compression\n", &cfg, &d), -EINVAL);
}

static const struct sl_test_case cases[] = {
	{"HAProxy's edge example's keywords", test_edge_keywords},
	{"redirect: words in any order", test_redirect_orders},
	{"redirect: errors", test_redirect_errors},
	{"monitor-uri, monitor fail", test_monitor},
	{"monitor: errors", test_monitor_errors},
	{"balance random(N)", test_balance_random},
	{"process tuning keywords: warnings", test_tuning_keywords},
	{"zero-warning", test_zero_warning},
	{"lua-load refused", test_lua_refused},
	{"verify without ssl, crt-list", test_verify_without_ssl},
	{"server ssl parameters", test_server_ssl},
	{"dump round-trips", test_dump_round_trip},
	{"real configurations: socketio-cluster, sockjs-node", test_real_configs},
	{NULL, NULL},
};

static const struct sl_test_suite suites[] = {{"cfg_compat", cases}, {NULL, NULL}};

int main(void)
{
	return sl_test_run(suites);
}
