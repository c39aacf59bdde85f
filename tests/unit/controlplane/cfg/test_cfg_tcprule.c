/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `tcp-request connection|content accept|reject`, `tcp-request inspect-delay`, the payload
 * fetches (req.ssl_sni, req.ssl_hello_type, req.ssl_ver, req.len) and which path a mode tcp
 * frontend takes (controlplane/cfg/cfg_tcprule.c); the refusals name file, line and keyword.
 * Then the payload fetches evaluated on real bytes with HAProxy's three-valued results
 * (dataplane/rules/acl_eval.c).
 */
#include <stdlib.h>
#include <string.h>

#include "dataplane/rules/acl_eval.h"
#include "proto/proxy_proto.h"
#include "tests/unit/controlplane/cfg/cfg_test_util.h"

#define TLS_FE                                                         \
	"defaults\n"                                                   \
	"  mode tcp\n"                                                 \
	"  timeout client 5s\n"                                        \
	"  timeout connect 1s\n"                                       \
	"  timeout server 5s\n"                                        \
	"frontend tls_in\n"                                            \
	"  bind :443\n"                                                \
	"  tcp-request inspect-delay 5s\n"                             \
	"  tcp-request content accept if { req_ssl_hello_type 1 }\n"   \
	"  tcp-request content reject\n"                               \
	"  use_backend app1 if { req.ssl_sni -i app1.example.com }\n"  \
	"  default_backend app2\n"                                     \
	"frontend plain\n"                                             \
	"  bind :8080\n"                                               \
	"  default_backend app2\n"                                     \
	"frontend guarded\n"                                           \
	"  bind :8081\n"                                               \
	"  tcp-request connection reject if { src 10.0.0.0/8 }\n"      \
	"  tcp-request connection accept if { dst_port 8081 }\n"       \
	"  default_backend app2\n"                                     \
	"backend app1\n"                                               \
	"  server a 10.1.0.1:443\n"                                    \
	"backend app2\n"                                               \
	"  server b 10.1.0.2:443\n"

static int count_rules(const struct sl_tcp_rule *r)
{
	int n = 0;
	for (; r != NULL; r = r->next)
		n++;
	return n;
}

static void test_parse(void)
{
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	T_PARSE_OK(TLS_FE, cfg, &d);
	const struct sl_proxy *fe = tpx(cfg, "tls_in");
	CU_ASSERT_EQUAL(fe->inspect_delay, 5000);
	CU_ASSERT_EQUAL(count_rules(fe->tcp_content_rules), 2);
	CU_ASSERT_EQUAL(count_rules(fe->tcp_conn_rules), 0);
	CU_ASSERT_EQUAL(fe->tcp_content_rules->action, SL_TCPR_ACCEPT);
	CU_ASSERT_EQUAL(fe->tcp_content_rules->next->action, SL_TCPR_REJECT);
	CU_ASSERT_PTR_NULL(fe->tcp_content_rules->next->cond);
	CU_ASSERT_EQUAL(fe->tcp_content_rules->cond->ors->terms->anon->fetch,
			SL_FETCH_REQ_SSL_HELLO_TYPE);
	CU_ASSERT_EQUAL(fe->switches->cond->ors->terms->anon->fetch, SL_FETCH_REQ_SSL_SNI);
	CU_ASSERT(fe->switches->cond->ors->terms->anon->icase);
	CU_ASSERT(fe->tcp_proxied);
	CU_ASSERT(sl_cfg_on_proxy_lcores(fe));
	/* a plain mode tcp frontend stays on the L4 path */
	CU_ASSERT(!tpx(cfg, "plain")->tcp_proxied);
	CU_ASSERT(!sl_cfg_on_proxy_lcores(tpx(cfg, "plain")));
	const struct sl_proxy *g = tpx(cfg, "guarded");
	CU_ASSERT_EQUAL(count_rules(g->tcp_conn_rules), 2);
	CU_ASSERT(!g->tcp_proxied); /* connection rules alone: the workers evaluate them */
	struct sl_acl_ctx c1 = {.src = 0x0a010203, .dst_port = 8081}; /* 10.1.2.3: first rule */
	CU_ASSERT(sl_tcp_conn_rejected(g, &c1));
	struct sl_acl_ctx c2 = {.src = 0xc0a80001, .dst_port = 8081}; /* accepted by the second */
	CU_ASSERT(!sl_tcp_conn_rejected(g, &c2));
	struct sl_acl_ctx c3 = {.src = 0xc0a80001, .dst_port = 9}; /* no rule: accepted */
	CU_ASSERT(!sl_tcp_conn_rejected(g, &c3));
	CU_ASSERT_EQUAL(d.nwarn, 0);
	sl_cfg_free(cfg);
}

/* inspect-delay inherited from defaults; a warning when req.* fetches have no delay */
static void test_defaults_and_warning(void)
{
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	T_PARSE_OK("defaults\n"
		   "  mode tcp\n"
		   "  timeout client 5s\n"
		   "  timeout connect 1s\n"
		   "  timeout server 5s\n"
		   "  tcp-request inspect-delay 2s\n"
		   "frontend f\n"
		   "  bind :443\n"
		   "  tcp-request content accept if { req.ssl_sni -m found }\n"
		   "  default_backend b\n"
		   "frontend g\n"
		   "  bind :444\n"
		   "  tcp-request inspect-delay 0\n"
		   "  tcp-request content accept if { req.len gt 10 }\n"
		   "  default_backend b\n"
		   "backend b\n"
		   "  server s 10.1.0.1:443\n",
		   cfg, &d);
	CU_ASSERT_EQUAL(tpx(cfg, "f")->inspect_delay, 2000);
	CU_ASSERT(tdiag_has(&d, SL_DIAG_WARNING, "t.cfg", 14, "inspect-delay"));
	CU_ASSERT(!tdiag_has(&d, SL_DIAG_WARNING, "t.cfg", 9, NULL));
	sl_cfg_free(cfg);
}

/* An `ssl` bind on a mode tcp frontend (RTMPS): proxied whatever its rules, and ssl_fc /
 * ssl_fc_sni conditions kept without an inspect-delay warning (the handshake precedes them);
 * in `tcp-request connection` rules they stay refused (no handshake yet). */
static void test_ssl_bind(void)
{
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	T_PARSE_OK("defaults\n"
		   "  mode tcp\n"
		   "  timeout client 5s\n"
		   "  timeout connect 1s\n"
		   "  timeout server 5s\n"
		   "frontend rtmps\n"
		   "  bind :443 ssl crt /certs/site.pem ssl-min-ver TLSv1.2\n"
		   "  default_backend b\n"
		   "frontend sni\n"
		   "  bind :444 ssl crt /certs/dir\n"
		   "  tcp-request content reject if !{ ssl_fc }\n"
		   "  use_backend c if { ssl_fc_sni -i web.test }\n"
		   "  default_backend b\n"
		   "frontend plain\n"
		   "  bind :1935\n"
		   "  default_backend b\n"
		   "backend b\n"
		   "  server s 10.1.0.1:1935\n"
		   "backend c\n"
		   "  server s 10.1.0.2:80\n",
		   cfg, &d);
	CU_ASSERT(tpx(cfg, "rtmps")->tcp_proxied);
	CU_ASSERT(sl_cfg_on_proxy_lcores(tpx(cfg, "rtmps")));
	const struct sl_proxy *f = tpx(cfg, "sni");
	CU_ASSERT(f->tcp_proxied);
	CU_ASSERT_EQUAL(count_rules(f->tcp_content_rules), 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f->switches);
	CU_ASSERT_EQUAL(f->switches->cond->ors->terms->anon->fetch, SL_FETCH_SSL_FC_SNI);
	CU_ASSERT(!tpx(cfg, "plain")->tcp_proxied);
	CU_ASSERT_EQUAL(d.nwarn, 0);
	sl_cfg_free(cfg);
	T_REFUSED("frontend f\n"
		  "  mode tcp\n"
		  "  bind :443 ssl crt /certs/site.pem\n"
		  "  tcp-request connection reject if { ssl_fc_sni -i a.test }\n"
		  "  default_backend b\n"
		  "backend b\n"
		  "  mode tcp\n"
		  "  server s 10.1.0.1:1935\n",
		  4, "ssl_fc_sni");
}

static void test_refused(void)
{
	T_REFUSED("frontend f\n  bind :80\n  tcp-request connection track-sc0 src\n", 3,
		  "'tcp-request connection track-sc0': stick counters are not supported yet");
	T_REFUSED("frontend f\n  bind :80\n  tcp-request content set-var(txn.x) src\n", 3,
		  "'tcp-request content set-var(txn.x)' is not supported");
	T_REFUSED("frontend f\n  bind :80\n  tcp-request content capture req.ssl_sni len 20\n", 3,
		  "'tcp-request content capture'");
	T_REFUSED("frontend f\n  bind :80\n  tcp-request connection expect-proxy layer4\n", 3,
		  "'tcp-request connection expect-proxy'");
	T_REFUSED("frontend f\n  bind :80\n  tcp-request connection silent-drop\n", 3,
		  "silent-drop");
	T_REFUSED("frontend f\n  bind :80\n  tcp-request content send-spoe-group a b\n", 3,
		  "'tcp-request content send-spoe-group'");
	T_REFUSED("frontend f\n  bind :80\n  tcp-request session accept\n", 3,
		  "'tcp-request session'");
	T_REFUSED("frontend f\n  bind :80\n  tcp-request bogus\n", 3, "'tcp-request bogus'");
	T_REFUSED("frontend f\n  bind :80\n  tcp-request content\n", 3, "'tcp-request content'");
	T_REFUSED("frontend f\n  bind :80\n  tcp-request content accept when x\n", 3,
		  "expected 'if' or 'unless'");
	T_REFUSED("frontend f\n  bind :80\n  tcp-request inspect-delay\n", 3, "inspect-delay");
	T_REFUSED("frontend f\n  bind :80\n  tcp-request inspect-delay 5q\n", 3, "inspect-delay");
	T_REFUSED("defaults\n  tcp-request content accept\n", 2, "defaults");
	T_REFUSED("backend b\n  tcp-request content accept\n  server s 10.0.0.1:80\n", 2,
		  "'tcp-request content' in backend 'b'");
	T_REFUSED("frontend f\n  bind :80\n  tcp-request content accept if { req_ssl_ver 3.x }\n",
		  3, "version pattern");
	/* fetches where their sample cannot be had */
	T_REFUSED_EX("frontend f\n  mode tcp\n  bind :80\n"
		     "  tcp-request connection reject if { req.ssl_sni a.test }\n"
		     "  timeout client 1s\n",
		     false, 4, "'tcp-request connection': fetch 'req.ssl_sni'", NULL);
	/* HTTP fetches in a mode tcp frontend: HAProxy accepts them; sluice warns and drops the
	 * rule, which could never match (the frontend stays on the L4 path) */
	{
		struct sl_cfg *cfg = NULL;
		struct tdiags d;
		CU_ASSERT_EQUAL(tparse("frontend f\n  mode tcp\n  bind :80\n"
				       "  tcp-request content reject if { path /x }\n"
				       "  use_backend b if { hdr(host) a.test }\n"
				       "  default_backend b\n  timeout client 1s\n"
				       "backend b\n  mode tcp\n  timeout connect 1s\n"
				       "  timeout server 1s\n  server s 10.0.0.2:80\n",
				       &cfg, &d),
				0);
		CU_ASSERT(tdiag_has(&d, SL_DIAG_WARNING, "t.cfg", 4,
				    "needs an HTTP request, which sluice does not read in a mode tcp frontend"));
		CU_ASSERT(tdiag_has(&d, SL_DIAG_WARNING, "t.cfg", 5, "'use_backend': fetch 'hdr'"));
		if (cfg != NULL) {
			CU_ASSERT_PTR_NULL(tpx(cfg, "f")->tcp_content_rules);
			CU_ASSERT_PTR_NULL(tpx(cfg, "f")->switches);
			CU_ASSERT_FALSE(tpx(cfg, "f")->tcp_proxied);
		}
		sl_cfg_free(cfg);
	}
	T_REFUSED_EX("frontend f\n  mode http\n  bind :80\n"
		     "  tcp-request content reject\n"
		     "  timeout client 1s\n",
		     false, 4, "'tcp-request content' in mode http", NULL);
	T_REFUSED_EX("frontend f\n  mode http\n  bind :80\n"
		     "  use_backend b if { req.ssl_sni a }\n"
		     "  timeout client 1s\n"
		     "backend b\n  mode http\n  server s 10.0.0.1:80\n",
		     false, 4, "'use_backend': fetch 'req.ssl_sni'", NULL);
}

/* tcp-request connection on a mode http frontend: accepted, in effect on its listener */
static void test_http_conn_rules(void)
{
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	T_PARSE_OK("frontend f\n"
		   "  mode http\n"
		   "  bind :80\n"
		   "  timeout client 1s\n"
		   "  tcp-request connection reject if { src 192.0.2.0/24 } !{ src_port 1:1023 }\n"
		   "  default_backend b\n"
		   "backend b\n"
		   "  mode http\n"
		   "  timeout connect 1s\n"
		   "  timeout server 1s\n"
		   "  server s 10.0.0.1:80\n",
		   cfg, &d);
	CU_ASSERT_EQUAL(count_rules(tpx(cfg, "f")->tcp_conn_rules), 1);
	CU_ASSERT(!tpx(cfg, "f")->tcp_proxied);
	sl_cfg_free(cfg);
}

/* ---------------------------------------------------------------- evaluation on bytes */

static const uint8_t hello_a[] = {
	/* a ClientHello naming "a.test": record, handshake header, version, random, empty
	 * session id, one cipher suite, null compression, server_name only */
	0x16, 0x03, 0x01, 0x00, 0x3e, 0x01, 0x00, 0x00, 0x3a, 0x03, 0x03,
	0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
	0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e,
	0x1f, 0x20, 0x00, 0x00, 0x02, 0x13, 0x01, 0x01, 0x00, 0x00, 0x0f, 0x00, 0x00, 0x00, 0x0b,
	0x00, 0x09, 0x00, 0x00, 0x06, 'a', '.', 't', 'e', 's', 't',
};

static enum sl_acl_res eval(const struct sl_proxy *px, const struct sl_cond *c, const uint8_t *p,
			    size_t n, bool final)
{
	struct sl_acl_ctx ctx = {.payload = p, .payload_len = n, .payload_final = final,
				 .src = 0x0a000001, .dst = 0x0a4d0001, .dst_port = 443};
	return sl_acl_cond_eval3(px, c, &ctx);
}

static void test_eval(void)
{
	CU_ASSERT_EQUAL(sizeof(hello_a), 67);
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	T_PARSE_OK("frontend f\n"
		   "  mode tcp\n"
		   "  bind :443\n"
		   "  timeout client 1s\n"
		   "  tcp-request inspect-delay 1s\n"
		   "  acl sni_a req.ssl_sni -i A.TEST\n"
		   "  tcp-request content accept if { req_ssl_hello_type 1 }\n"
		   "  tcp-request content accept if sni_a\n"
		   "  tcp-request content accept if !sni_a\n"
		   "  tcp-request content accept if { req.len ge 10 }\n"
		   "  tcp-request content accept if { req.ssl_ver 3.1 }\n"
		   "  tcp-request content accept unless { req_ssl_hello_type 1 }\n"
		   "  tcp-request content accept if { dst 10.77.0.1 } { src_port 0 }\n"
		   "  tcp-request content accept if { req.ssl_sni b.test } || { dst_port 443 }\n"
		   "  default_backend b\n"
		   "backend b\n"
		   "  timeout connect 1s\n"
		   "  timeout server 1s\n"
		   "  server s 10.0.0.1:443\n",
		   cfg, &d);
	const struct sl_proxy *fe = tpx(cfg, "f");
	const struct sl_tcp_rule *r = fe->tcp_content_rules;
	const struct sl_cond *hello = r->cond, *sni = r->next->cond, *nsni = r->next->next->cond;
	const struct sl_cond *len = r->next->next->next->cond;
	const struct sl_cond *ver = r->next->next->next->next->cond;
	const struct sl_cond *nhello = r->next->next->next->next->next->cond;
	const struct sl_cond *conn = r->next->next->next->next->next->next->cond;
	const struct sl_cond *orc = r->next->next->next->next->next->next->next->cond;
	const size_t n = sizeof(hello_a);
	/* everything there */
	CU_ASSERT_EQUAL(eval(fe, hello, hello_a, n, false), SL_ACL_PASS);
	CU_ASSERT_EQUAL(eval(fe, sni, hello_a, n, false), SL_ACL_PASS); /* -i */
	CU_ASSERT_EQUAL(eval(fe, nsni, hello_a, n, false), SL_ACL_FAIL);
	CU_ASSERT_EQUAL(eval(fe, len, hello_a, n, false), SL_ACL_PASS);
	CU_ASSERT_EQUAL(eval(fe, ver, hello_a, n, false), SL_ACL_PASS);
	CU_ASSERT_EQUAL(eval(fe, nhello, hello_a, n, false), SL_ACL_FAIL);
	CU_ASSERT_EQUAL(eval(fe, conn, hello_a, n, false), SL_ACL_PASS);
	CU_ASSERT_EQUAL(eval(fe, orc, hello_a, n, false), SL_ACL_PASS);
	/* the first 6 bytes: the type is known, the name is not yet (a miss, "!" keeps it) */
	CU_ASSERT_EQUAL(eval(fe, hello, hello_a, 6, false), SL_ACL_PASS);
	CU_ASSERT_EQUAL(eval(fe, sni, hello_a, 6, false), SL_ACL_MISS);
	CU_ASSERT_EQUAL(eval(fe, nsni, hello_a, 6, false), SL_ACL_MISS);
	CU_ASSERT_EQUAL(eval(fe, len, hello_a, 6, false), SL_ACL_MISS);
	CU_ASSERT_EQUAL(eval(fe, orc, hello_a, 6, false), SL_ACL_PASS); /* PASS | MISS */
	/* ... and once the bytes are final (inspect-delay over) a miss is a failure */
	CU_ASSERT_EQUAL(eval(fe, sni, hello_a, 6, true), SL_ACL_FAIL);
	CU_ASSERT_EQUAL(eval(fe, nsni, hello_a, 6, true), SL_ACL_PASS);
	CU_ASSERT_EQUAL(eval(fe, len, hello_a, 6, true), SL_ACL_FAIL);
	/* nothing yet */
	CU_ASSERT_EQUAL(eval(fe, hello, hello_a, 0, false), SL_ACL_MISS);
	CU_ASSERT_EQUAL(eval(fe, nhello, hello_a, 0, false), SL_ACL_MISS);
	CU_ASSERT_EQUAL(eval(fe, hello, hello_a, 0, true), SL_ACL_FAIL);
	/* not TLS: definite at the first byte */
	const uint8_t *get = (const uint8_t *)"GET / HTTP/1.0\r\n\r\n";
	CU_ASSERT_EQUAL(eval(fe, hello, get, 1, false), SL_ACL_FAIL);
	CU_ASSERT_EQUAL(eval(fe, nhello, get, 1, false), SL_ACL_PASS);
	CU_ASSERT_EQUAL(eval(fe, sni, get, 18, false), SL_ACL_FAIL);
	/* the boolean form (use_backend) */
	struct sl_acl_ctx ctx = {.payload = hello_a, .payload_len = n, .payload_final = true};
	CU_ASSERT(sl_acl_cond_eval(fe, sni, &ctx));
	ctx.payload_len = 20;
	CU_ASSERT(!sl_acl_cond_eval(fe, sni, &ctx));
	ctx.payload = NULL; /* an HTTP context: the payload fetches fail */
	CU_ASSERT(!sl_acl_cond_eval(fe, hello, &ctx));
	sl_cfg_free(cfg);
}

static void test_dump_round_trip(void)
{
	struct sl_cfg *cfg = NULL, *again = NULL;
	struct tdiags d;
	T_PARSE_OK(TLS_FE, cfg, &d);
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	CU_ASSERT_EQUAL_FATAL(sl_cfg_dump(cfg, f), 0);
	fclose(f);
	CU_ASSERT(strstr(text, "tcp-request inspect-delay 5s") != NULL ||
		  strstr(text, "tcp-request inspect-delay 5000") != NULL);
	CU_ASSERT(strstr(text, "tcp-request content accept if { req.ssl_hello_type eq 1 }") != NULL);
	CU_ASSERT(strstr(text, "tcp-request connection reject if { src 10.0.0.0/8 }") != NULL);
	T_PARSE_OK(text, again, &d);
	CU_ASSERT_EQUAL(tpx(again, "tls_in")->inspect_delay, 5000);
	CU_ASSERT_EQUAL(count_rules(tpx(again, "tls_in")->tcp_content_rules), 2);
	CU_ASSERT_EQUAL(count_rules(tpx(again, "guarded")->tcp_conn_rules), 2);
	free(text);
	sl_cfg_free(cfg);
	sl_cfg_free(again);
}

static bool s_has_check_pp(const struct sl_cfg *cfg)
{
	return tpx(cfg, "b")->servers->p.check_send_proxy;
}

/* The PROXY protocol (cfg_pproxy.c): accept-proxy binds and send-proxy servers send a mode tcp
 * frontend to the proxy lcores; the server parameters and their refusals. */
static void test_proxy_protocol(void)
{
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	T_PARSE_OK("defaults\n  mode tcp\n  timeout client 5s\n  timeout connect 1s\n"
		   "  timeout server 5s\n"
		   "frontend l4\n  bind :7000\n  default_backend plain\n"
		   "frontend pp_in\n  bind :7001 accept-proxy\n  default_backend plain\n"
		   "frontend pp_out\n  bind :7002\n  default_backend pp\n"
		   "listen pp_listen\n  bind :7003\n  server s 10.1.0.3:80 send-proxy\n"
		   "frontend web\n  mode http\n  bind :80 accept-proxy\n  default_backend hb\n"
		   "backend hb\n  mode http\n  server h 10.1.0.4:80 send-proxy\n"
		   "backend plain\n  server a 10.1.0.1:80\n"
		   "backend pp\n  default-server send-proxy\n"
		   "  server b 10.1.0.2:80 send-proxy-v2 proxy-v2-options ssl,ssl-cipher,authority,crc32c\n"
		   "  server c 10.1.0.2:81 no-send-proxy\n"
		   "  server e 10.1.0.2:82 send-proxy-v2 no-send-proxy-v2\n",
		   cfg, &d);
	CU_ASSERT(!tpx(cfg, "l4")->tcp_proxied);
	CU_ASSERT(tpx(cfg, "pp_in")->tcp_proxied);
	CU_ASSERT(tpx(cfg, "pp_in")->binds->accept_proxy);
	CU_ASSERT(tpx(cfg, "pp_out")->tcp_proxied);
	CU_ASSERT(tpx(cfg, "pp_listen")->tcp_proxied);
	CU_ASSERT(tpx(cfg, "web")->binds->accept_proxy);
	const struct sl_server *b = tpx(cfg, "pp")->servers;
	CU_ASSERT_EQUAL(b->p.send_proxy, SL_SEND_PROXY_V1 | SL_SEND_PROXY_V2);
	CU_ASSERT_EQUAL(b->p.pp_opts,
			SL_PP2O_SSL | SL_PP2O_SSL_CIPHER | SL_PP2O_AUTHORITY | SL_PP2O_CRC32C);
	CU_ASSERT_EQUAL(b->next->p.send_proxy, 0);
	CU_ASSERT_EQUAL(b->next->next->p.send_proxy, SL_SEND_PROXY_V1);
	CU_ASSERT_EQUAL(d.nwarn, 0);
	sl_cfg_free(cfg);
	T_REFUSED("backend b\n  server s 10.0.0.1:80 send-proxy-v2 proxy-v2-options ssl,bogus\n", 2,
		  "'server': 'proxy-v2-options': unknown option 'bogus'");
	T_REFUSED("backend b\n  server s 10.0.0.1:80 proxy-v2-options\n", 2,
		  "'proxy-v2-options' expects a list");
	/* accepted with what sluice does instead */
	T_PARSE_OK("backend b\n  server s 10.0.0.1:80 check send-proxy check-send-proxy "
		   "proxy-v2-options cert-cn,unique-id\n",
		   cfg, &d);
	CU_ASSERT_EQUAL(d.nwarn, 3); /* and the missing timeouts */
	CU_ASSERT(s_has_check_pp(cfg));
	CU_ASSERT(tdiag_has(&d, SL_DIAG_WARNING, NULL, 2, "cert-cn, cert-sig and cert-key"));
	sl_cfg_free(cfg);
}

static const struct sl_test_case cases[] = {
	{"the PROXY protocol: accept-proxy, send-proxy, paths", test_proxy_protocol},
	{"TLS pass-through frontend, connection rules, paths", test_parse},
	{"inspect-delay from defaults, no-delay warning", test_defaults_and_warning},
	{"ssl bind on mode tcp: proxied, ssl_fc_sni routing", test_ssl_bind},
	{"refused actions, places and fetches", test_refused},
	{"connection rules on a mode http frontend", test_http_conn_rules},
	{"payload fetches: pass, fail, miss", test_eval},
	{"dump and parse again", test_dump_round_trip},
	{NULL, NULL},
};

static const struct sl_test_suite suites[] = {
	{"cfg/tcp-request", cases},
	{NULL, NULL},
};

int main(void)
{
	return sl_test_run(suites);
}
