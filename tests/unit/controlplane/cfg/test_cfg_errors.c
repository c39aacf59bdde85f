/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the configuration parser's refusals: each bad input is refused with -EINVAL and
 * *out NULL, and its first error names the right file:line and quotes the offending word.
 */
#include <stdlib.h>
#include <string.h>

#include "tests/unit/controlplane/cfg/cfg_test_util.h"

/* A complete dataplane section (a port and an address are required): 3 lines. */
#define DP_BASE                  \
	"dataplane\n"            \
	"  port p0 iface eth0\n" \
	"  address 10.0.0.1/24 port p0\n"

/* ---------------------------------------------------------------- unknown keywords */

static void test_unknown_kw_global(void)
{
	T_REFUSED("global\n"
		  "  maxconn 10\n"
		  "  bogus 1\n",
		  3, "'bogus'");
}

static void test_unknown_kw_defaults(void)
{
	T_REFUSED("defaults\n"
		  "  mode http\n"
		  "  bogus 1\n",
		  3, "'bogus'");
}

static void test_unknown_kw_frontend(void)
{
	T_REFUSED("frontend f\n"
		  "  bind :80\n"
		  "  bogus 1\n",
		  3, "'bogus'");
}

static void test_unknown_kw_backend(void)
{
	T_REFUSED("backend b\n"
		  "  bogus 1\n"
		  "  server s 10.0.0.1:80\n",
		  2, "'bogus'");
}

static void test_unknown_kw_listen(void)
{
	T_REFUSED("listen l\n"
		  "  bind :80\n"
		  "  bogus\n",
		  3, "'bogus'");
}

static void test_unknown_kw_dataplane(void)
{
	T_REFUSED(DP_BASE "  bogus 1\n", 4, "'bogus'");
}

static void test_unknown_section(void)
{
	T_REFUSED("global\n"
		  "  maxconn 1\n"
		  "frontnd f\n",
		  3, "'frontnd'");
}

static void test_did_you_mean(void)
{
	struct tdiags d;
	CU_ASSERT(trefused1("frontend f\n"
			    "  bnd :80\n",
			    true, 2, "'bnd'", NULL, &d));
	CU_ASSERT(tdiag_has(&d, SL_DIAG_ERROR, "t.cfg", 2, "bind"));
	CU_ASSERT(trefused1("backend b\n"
			    "  servr s 10.0.0.1:80\n",
			    true, 2, "'servr'", NULL, &d));
	CU_ASSERT(tdiag_has(&d, SL_DIAG_ERROR, "t.cfg", 2, "server"));
	CU_ASSERT(trefused1("global\n"
			    "  maxcon 10\n",
			    true, 2, "'maxcon'", NULL, &d));
	CU_ASSERT(tdiag_has(&d, SL_DIAG_ERROR, "t.cfg", 2, "maxconn"));
}

static void test_keyword_not_allowed(void)
{
	T_REFUSED("backend b\n"
		  "  bind :80\n",
		  2, "'bind'");
	T_REFUSED("frontend f\n"
		  "  bind :80\n"
		  "  server s 10.0.0.1:80\n",
		  3, "'server'");
	T_REFUSED("defaults\n"
		  "  bind :80\n",
		  2, "'bind'");
	T_REFUSED("frontend f\n"
		  "  bind :80\n"
		  "  balance roundrobin\n",
		  3, "'balance'");
	T_REFUSED("global\n"
		  "  bind :80\n",
		  2, "'bind'");
}

static void test_keyword_before_section(void)
{
	T_REFUSED("maxconn 10\n"
		  "global\n",
		  1, "'maxconn'");
	T_REFUSED("\n"
		  "# comment\n"
		  "  bind :80\n"
		  "frontend f\n"
		  "  bind :81\n",
		  3, "'bind'");
}

/* ---------------------------------------------------------------- lexical refusals */

static void test_unterminated_quote(void)
{
	T_REFUSED("global\n"
		  "  log \"127.0.0.1 local0\n"
		  "  maxconn 1\n",
		  2, "unterminated");
	T_REFUSED("listen l\n"
		  "  bind :80\n"
		  "  stats realm 'Haproxy Statistics\n",
		  3, "unterminated");
}

static void test_nul_byte(void)
{
	static const char text[] = "global\n  maxconn 1\0 0\n  user x\n";
	struct sl_cfg_text t = {.name = "t.cfg", .data = text, .len = sizeof(text) - 1};
	CU_ASSERT(trefused(&t, 1, true, "t.cfg", 2, "NUL", NULL, NULL));
}

static void test_long_line(void)
{
	size_t n = 70000;
	char *text = malloc(n + 64);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	char *p = text;
	p += sprintf(p, "global\n  maxconn 1\n  description ");
	memset(p, 'x', n);
	p += n;
	p += sprintf(p, "\n  user x\n");
	T_REFUSED(text, 3, "too long");
	free(text);
}

static void test_bad_escape(void)
{
	T_REFUSED("global\n"
		  "  user a\\xZZ\n",
		  2, "\\x");
}

/* ---------------------------------------------------------------- addresses and ports */

static void test_bind_bad_ports(void)
{
	T_REFUSED2("frontend f\n"
		   "  bind :0\n",
		   2, ":0'", "'0'");
	T_REFUSED("frontend f\n"
		  "  bind *:65536\n",
		  2, "65536'");
	T_REFUSED2("frontend f\n"
		   "  bind *:80-70\n",
		   2, "80-70'", "'70'");
	T_REFUSED2("frontend f\n"
		   "  bind 10.0.0.1\n",
		   2, "'10.0.0.1'", "port");
	T_REFUSED("frontend f\n"
		  "  bind *:http\n",
		  2, "http'");
}

static void test_server_bad_ports(void)
{
	T_REFUSED2("backend b\n"
		   "  server s 10.0.0.1:0\n",
		   2, ":0'", "'0'");
	T_REFUSED("backend b\n"
		  "  server s 10.0.0.1:65536\n",
		  2, "65536'");
	T_REFUSED2("backend b\n"
		   "  server s 10.0.0.1:80-70\n",
		   2, "80-70'", "'70'");
}

static void test_bad_addresses(void)
{
	T_REFUSED("frontend f\n"
		  "  bind 300.1.1.1:80\n",
		  2, "'300.1.1.1");
	T_REFUSED("frontend f\n"
		  "  bind 1.2.3:80\n",
		  2, "'1.2.3");
	T_REFUSED("frontend f\n"
		  "  bind foo:80\n",
		  2, "'foo");
	T_REFUSED("backend b\n"
		  "  server s 300.1.1.1:80\n",
		  2, "'300.1.1.1");
	T_REFUSED("backend b\n"
		  "  server s 1.2.3:80\n",
		  2, "'1.2.3");
	/* host names are kept for sl_cfg_resolve() (test_cfg_resolve.c); malformed ones refused */
	T_REFUSED("backend b\n"
		  "  server s foo..bar:80\n",
		  2, "'foo..bar");
	T_REFUSED("backend b\n"
		  "  server s -foo:80\n",
		  2, "'-foo");
	T_REFUSED("backend b\n"
		  "  server s foo/bar:80\n",
		  2, "'foo/bar");
	T_REFUSED("frontend f\n"
		  "  bind :80\n"
		  "  acl a src 10.0.0.0/33\n",
		  3, "10.0.0.0/33'");
}

static void test_bind_without_address(void)
{
	T_REFUSED("frontend f\n"
		  "  bind\n",
		  2, "'bind'");
}

static void test_server_without_address(void)
{
	T_REFUSED2("backend b\n"
		   "  server s1\n",
		   2, "'s1'", "'server'");
	T_REFUSED("backend b\n"
		  "  server\n",
		  2, "'server'");
}

/* ---------------------------------------------------------------- files */

static void test_missing_crt(void)
{
	tfs_reset();
	/* the path, quoted (possibly with its keyword: 'crt /nope.pem') */
	T_REFUSED("frontend f\n"
		  "  bind :443 ssl crt /nope.pem\n",
		  2, "/nope.pem'");
	T_REFUSED("frontend f\n"
		  "  bind :443 ssl crt /certs/site.pem crt /etc/haproxy/certs/example.com.pem\n",
		  2, "/etc/haproxy/certs/example.com.pem'");
}

static void test_ssl_without_crt(void)
{
	T_REFUSED2("frontend f\n"
		   "  bind :443 ssl\n",
		   2, "crt", "certificate");
}

static void test_missing_errorfile(void)
{
	tfs_reset();
	T_REFUSED("defaults\n"
		  "  mode http\n"
		  "  errorfile 503 /nope.http\n",
		  3, "'/nope.http'");
	/* a directory is not an error file */
	T_REFUSED("defaults\n"
		  "  errorfile 503 /etc/ssl/private\n",
		  2, "'/etc/ssl/private'");
}

static void test_errorfile_bad_code(void)
{
	T_REFUSED("defaults\n"
		  "  errorfile 999 /etc/haproxy/errors/503.http\n",
		  2, "'999'");
	T_REFUSED("defaults\n"
		  "  errorfile abc /etc/haproxy/errors/503.http\n",
		  2, "'abc'");
}

/* ---------------------------------------------------------------- names */

static void test_duplicate_frontend(void)
{
	T_REFUSED("frontend web\n"
		  "  bind :80\n"
		  "frontend web\n"
		  "  bind :81\n",
		  3, "'web'");
}

static void test_duplicate_backend(void)
{
	T_REFUSED("backend app\n"
		  "  server s 10.0.0.1:80\n"
		  "backend app\n"
		  "  server t 10.0.0.2:80\n",
		  3, "'app'");
}

static void test_listen_clashes(void)
{
	T_REFUSED("backend app\n"
		  "  server s 10.0.0.1:80\n"
		  "listen app\n"
		  "  bind :80\n",
		  3, "'app'");
	T_REFUSED("listen app\n"
		  "  bind :80\n"
		  "frontend app\n"
		  "  bind :81\n",
		  3, "'app'");
}

static void test_frontend_backend_same_name_allowed(void)
{
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	int rc = tparse("frontend web\n"
			"  bind :80\n"
			"  default_backend web\n"
			"backend web\n"
			"  server s 10.0.0.1:80\n",
			&cfg, &d);
	T_PARSED_OK(rc, cfg, &d);
	sl_cfg_free(cfg);
}

static void test_duplicate_server(void)
{
	T_REFUSED("backend b\n"
		  "  server s1 10.0.0.1:80\n"
		  "  server s1 10.0.0.2:80\n",
		  3, "'s1'");
}

static void test_duplicate_dataplane_port(void)
{
	T_REFUSED(DP_BASE "  port p0 iface eth1\n", 4, "'p0'");
}

/* ---------------------------------------------------------------- references */

/* `source`: an address sluice does not own (backend, server, inherited), a port, usesrc,
 * interface, not IPv4, nothing. */
static void test_source_refused(void)
{
	T_REFUSED(DP_BASE "backend b\n"
			  "  source 10.0.0.9\n"
			  "  server s 10.0.0.5:80\n",
		  5, "'source': 10.0.0.9 (backend 'b') is not one of sluice's addresses");
	T_REFUSED(DP_BASE "backend b\n"
			  "  server s 10.0.0.5:80 source 10.0.0.7\n",
		  5, "'source': 10.0.0.7 (server 'b/s') is not one of sluice's addresses");
	T_REFUSED("defaults\n"
		  "  source 10.0.0.8\n"
		  "backend b\n"
		  "  server s 10.0.0.5:80\n" DP_BASE,
		  2, "'source': 10.0.0.8 (backend 'b')");
	T_REFUSED(DP_BASE "backend b\n"
			  "  source 10.0.0.1:5000\n",
		  5, "'source': a local port ('10.0.0.1:5000') is not supported");
	T_REFUSED(DP_BASE "backend b\n"
			  "  source 10.0.0.1 usesrc clientip\n",
		  5, "'usesrc'");
	T_REFUSED(DP_BASE "backend b\n"
			  "  source 10.0.0.1 interface eth0\n",
		  5, "'interface' is not supported");
	T_REFUSED(DP_BASE "backend b\n"
			  "  server s 10.0.0.5:80 source 10.0.0.1 usesrc client\n",
		  5, "'usesrc'");
	T_REFUSED(DP_BASE "backend b\n"
			  "  source fe80::1\n",
		  5, "not an IPv4 address");
	T_REFUSED(DP_BASE "backend b\n"
			  "  source\n",
		  5, "'source' expects an address");
	T_REFUSED(DP_BASE "frontend f\n"
			  "  bind :80\n"
			  "  source 10.0.0.1\n",
		  6, "'source' is not allowed in a 'frontend' section");
}

static void test_undefined_default_backend(void)
{
	T_REFUSED("frontend f\n"
		  "  bind :80\n"
		  "  default_backend nope\n",
		  3, "'nope'");
	/* a frontend is not a backend */
	T_REFUSED("frontend f\n"
		  "  bind :80\n"
		  "  default_backend g\n"
		  "frontend g\n"
		  "  bind :81\n",
		  3, "'g'");
}

static void test_undefined_use_backend(void)
{
	/* the frontend comes before every backend: checked after the whole file was read */
	T_REFUSED("frontend f\n"
		  "  bind :80\n"
		  "  use_backend b if TRUE\n"
		  "  use_backend nope if TRUE\n"
		  "  default_backend b\n"
		  "backend b\n"
		  "  server s 10.0.0.1:80\n",
		  4, "'nope'");
}

static void test_undefined_acl(void)
{
	T_REFUSED("frontend f\n"
		  "  bind :80\n"
		  "  use_backend b if nosuch\n"
		  "  default_backend b\n"
		  "backend b\n"
		  "  server s 10.0.0.1:80\n",
		  3, "'nosuch'");
	/* ACLs are per proxy */
	T_REFUSED("frontend f1\n"
		  "  bind :80\n"
		  "  acl a path /a\n"
		  "frontend f2\n"
		  "  bind :81\n"
		  "  http-request deny if a\n",
		  6, "'a'");
	/* ... and must be declared before they are used, as in HAProxy */
	T_REFUSED("frontend f\n"
		  "  bind :80\n"
		  "  http-request deny if later\n"
		  "  acl later path /x\n",
		  3, "'later'");
}

static void test_bad_conditions(void)
{
	T_REFUSED2("frontend f\n"
		   "  bind :80\n"
		   "  http-request deny if { path_beg /x\n",
		   3, "'{'", "'}'");
	T_REFUSED2("frontend f\n"
		   "  bind :80\n"
		   "  acl a path /a\n"
		   "  http-request deny if\n",
		   4, "'if'", "condition");
	T_REFUSED2("frontend f\n"
		   "  bind :80\n"
		   "  acl a path /a\n"
		   "  http-request deny when a\n",
		   4, "'when'", "'deny'");
}

static void test_invalid_regex(void)
{
	T_REFUSED("frontend f\n"
		  "  bind :80\n"
		  "  acl a path_reg (\n",
		  3, "'('");
	T_REFUSED("frontend f\n"
		  "  bind :80\n"
		  "  acl a path_reg -i ^/ok$ [a-\n",
		  3, "'[a-'");
}

static void test_bad_header_occurrence(void)
{
	/* an empty header name is refused (as 'hdr()' is), even with an occurrence; accepted, it
	 * dumps as 'hdr("")', which does not parse back */
	T_REFUSED2("frontend f\n"
		   "  bind :80\n"
		   "  acl a hdr(,1) x\n",
		   3, "hdr(", NULL);
	T_REFUSED2("frontend f\n"
		   "  bind :80\n"
		   "  acl a hdr(,ost) x\n",
		   3, "hdr(", NULL);
}

static void test_unknown_fetch(void)
{
	T_REFUSED("frontend f\n"
		  "  bind :80\n"
		  "  acl a no_such_fetch x\n",
		  3, "'no_such_fetch'");
}

/* ---------------------------------------------------------------- values */

static void test_bad_times(void)
{
	T_REFUSED("defaults\n"
		  "  timeout client 5x\n",
		  2, "'5x'");
	T_REFUSED("defaults\n"
		  "  timeout client -1\n",
		  2, "'-1'");
	T_REFUSED2("defaults\n"
		   "  timeout client\n",
		   2, "'timeout client'", "'client'");
	T_REFUSED("defaults\n"
		  "  timeout client 25d\n",
		  2, "'25d'");
	T_REFUSED("backend b\n"
		  "  server s 10.0.0.1:80 check inter 2x\n",
		  2, "'2x'");
}

static void test_unknown_balance(void)
{
	T_REFUSED("backend b\n"
		  "  balance magic\n",
		  2, "'magic'");
}

static void test_unknown_option(void)
{
	T_REFUSED("defaults\n"
		  "  option foo\n",
		  2, "'foo'");
	T_REFUSED("backend b\n"
		  "  no option foo\n",
		  2, "'foo'");
}

static void test_unknown_timeout(void)
{
	T_REFUSED("defaults\n"
		  "  timeout foo 1s\n",
		  2, "'foo'");
}

static void test_unknown_mode(void)
{
	T_REFUSED("defaults\n"
		  "  mode udp\n",
		  2, "'udp'");
}

static void test_bad_redirect(void)
{
	T_REFUSED("frontend f\n"
		  "  bind :80\n"
		  "  redirect scheme https code 399\n",
		  3, "'399'");
	T_REFUSED("frontend f\n"
		  "  bind :80\n"
		  "  redirect elsewhere /x\n",
		  3, "'elsewhere'");
}

static void test_unknown_http_request_action(void)
{
	T_REFUSED("frontend f\n"
		  "  mode http\n"
		  "  bind :80\n"
		  "  http-request frobnicate\n",
		  4, "'frobnicate'");
}

static void test_server_param_ranges(void)
{
	T_REFUSED("backend b\n"
		  "  server s 10.0.0.1:80 weight 257\n",
		  2, "'257'");
	T_REFUSED2("backend b\n"
		   "  server s 10.0.0.1:80 check rise 0\n",
		   2, "'rise'", "'0'");
	T_REFUSED2("backend b\n"
		   "  server s 10.0.0.1:80 check fall 0\n",
		   2, "'fall'", "'0'");
	T_REFUSED2("backend b\n"
		   "  server s 10.0.0.1:80 weight -1\n",
		   2, "'-1'", "'weight'");
	T_REFUSED("backend b\n"
		  "  server s 10.0.0.1:80 frobnicate\n",
		  2, "'frobnicate'");
	T_REFUSED2("backend b\n"
		   "  server s 10.0.0.1:80 weight\n",
		   2, "'weight'", "value");
}

static void test_server_cookie_without_backend_cookie(void)
{
	/* a warning, not an error */
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	int rc = tparse("backend b\n"
			"  mode http\n"
			"  server s 10.0.0.1:80 cookie ams1\n",
			&cfg, &d);
	T_PARSED_OK(rc, cfg, &d);
	CU_ASSERT(d.nwarn >= 1);
	CU_ASSERT(tdiag_has(&d, SL_DIAG_WARNING, "t.cfg", 3, "cookie"));
	if (!tdiag_has(&d, SL_DIAG_WARNING, "t.cfg", 3, "cookie"))
		tdiag_print(&d, "expected a warning at t.cfg:3 about the cookie");
	sl_cfg_free(cfg);
}

static void test_stats_socket(void)
{
	T_REFUSED("global\n"
		  "  stats socket /run/s.sock level god\n",
		  2, "'god'");
	T_REFUSED("global\n"
		  "  stats socket /run/s.sock mode 999\n",
		  2, "'999'");
	T_REFUSED("global\n"
		  "  stats socket /run/s.sock mode rw\n",
		  2, "'rw'");
	T_REFUSED2("global\n"
		   "  stats socket\n",
		   2, "'stats socket'", "'socket'");
}

static void test_global_values(void)
{
	T_REFUSED("global\n"
		  "  maxconn lots\n",
		  2, "'lots'");
	T_REFUSED("global\n"
		  "  maxconn -5\n",
		  2, "'-5'");
	T_REFUSED2("global\n"
		   "  maxconn\n",
		   2, "'maxconn'", "argument");
}

/* ---------------------------------------------------------------- conditional blocks */

static void test_if_nesting_limit(void)
{
	char *text = malloc(101 * 16 + 64);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	char *p = text;
	p += sprintf(p, "global\n");
	for (int i = 0; i < 101; i++) /* lines 2..102 */
		p += sprintf(p, ".if 1\n");
	p += sprintf(p, "  maxconn 7\n");
	for (int i = 0; i < 101; i++)
		p += sprintf(p, ".endif\n");
	/* the 101st level is refused; what follows may add errors of its own */
	T_REFUSED_EX(text, false, 102, "'.if'", "nested");
	free(text);
}

static void test_if_without_endif(void)
{
	struct tdiags d;
	/* the error may be reported at the '.if' (line 2) or at the end of the file (line 3) */
	CU_ASSERT(trefused1("global\n"
			    ".if 1\n"
			    "  maxconn 1\n",
			    true, -1, "'.if'", "'.endif'", &d));
	const struct tdiag *e = tdiag_first(&d, SL_DIAG_ERROR);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	CU_ASSERT(e->line == 2 || e->line == 3);
}

static void test_endif_without_if(void)
{
	T_REFUSED2("global\n"
		   "  maxconn 1\n"
		   ".endif\n",
		   3, "'.endif'", "'.if'");
	T_REFUSED2("global\n"
		   ".else\n",
		   2, "'.else'", "'.if'");
}

/* ---------------------------------------------------------------- dataplane */

static void test_dataplane_errors(void)
{
	T_REFUSED(DP_BASE "  port p1 iface eth1 driver foo\n", 4, "'foo'");
	T_REFUSED(DP_BASE "  port p1 iface eth1 xdp-steer maybe\n", 4, "'maybe'");
	T_REFUSED(DP_BASE "  port p1 iface eth1 driver af_packet xdp-steer off\n", 4, "'xdp-steer'");
	T_REFUSED(DP_BASE "  port p1 pci 0000:3b:00.1 xdp-steer on\n", 4, "'xdp-steer'");
	T_REFUSED("dataplane\n"
		  "  port p0 iface eth0\n"
		  "  address 10.0.0.1/24 port nope\n",
		  3, "'nope'");
	T_REFUSED(DP_BASE "  cores 5-2\n", 4, "'5-2'");
	T_REFUSED(DP_BASE "  cores x\n", 4, "'x'");
	T_REFUSED2(DP_BASE "  memory 0\n", 4, "'0'", "'memory'");
	T_REFUSED(DP_BASE "  route default via 10.0.0.256\n", 4, "'10.0.0.256'");
	T_REFUSED2("dataplane x\n"
		   "  port p0 iface eth0\n"
		   "  address 10.0.0.1/24 port p0\n",
		   1, "'x'", "'dataplane'");
}

static void test_dataplane_incomplete(void)
{
	/* sluice needs a port to own and an address to answer for */
	T_REFUSED_EX("dataplane\n"
		     "  cores 0\n",
		     false, -1, "'port'", NULL);
	T_REFUSED_EX("dataplane\n"
		     "  port p0 iface eth0\n",
		     true, -1, "'address'", NULL);
}

/* ---------------------------------------------------------------- reporting */

static void test_several_errors(void)
{
	struct tdiags d;
	CU_ASSERT(trefused1("global\n"
			    "  bogus1\n"
			    "  maxconn 1\n"
			    "  bogus2\n"
			    "defaults\n"
			    "  bogus3\n"
			    "backend b\n"
			    "  balance magic\n"
			    "  server s 10.0.0.1:80\n",
			    false, 2, "'bogus1'", NULL, &d));
	CU_ASSERT_EQUAL(d.nerr, 4);
	static const int lines[] = {2, 4, 6, 8};
	static const char *const subs[] = {"'bogus1'", "'bogus2'", "'bogus3'", "'magic'"};
	int k = 0;
	for (int i = 0; i < d.n && i < 128; i++) {
		if (d.d[i].level != SL_DIAG_ERROR)
			continue;
		if (k < 4) {
			CU_ASSERT_EQUAL(d.d[i].line, lines[k]);
			CU_ASSERT_PTR_NOT_NULL(strstr(d.d[i].msg, subs[k]));
			T_STR_EQ(d.d[i].file, "t.cfg");
		}
		k++;
	}
	CU_ASSERT_EQUAL(k, 4);
}

static void test_warning_never_hides_error(void)
{
	struct tdiags d;
	CU_ASSERT(trefused1("frontend f\n"
			    "  bind :80\n"
			    "  mode http\n"
			    "  reqadd X-A:\\ b\n"
			    "  bogus\n",
			    true, 5, "'bogus'", NULL, &d));
	CU_ASSERT_EQUAL(d.nerr, 1);
	CU_ASSERT(d.nwarn >= 1);
	CU_ASSERT(tdiag_has(&d, SL_DIAG_WARNING, "t.cfg", 4, "'reqadd'"));
}

static void test_error_in_second_text(void)
{
	static const char a[] = "global\n  maxconn 10\n";
	static const char b[] = "# second\nglobal\n  bogus\n";
	struct sl_cfg_text texts[] = {
		{.name = "a.cfg", .data = a, .len = sizeof(a) - 1},
		{.name = "b.cfg", .data = b, .len = sizeof(b) - 1},
	};
	CU_ASSERT(trefused(texts, 2, true, "b.cfg", 3, "'bogus'", NULL, NULL));
}

static void test_reference_across_texts(void)
{
	/* the undefined backend is reported in the text that references it */
	static const char a[] = "backend b\n  server s 10.0.0.1:80\n";
	static const char b[] = "frontend f\n  bind :80\n  default_backend c\n";
	struct sl_cfg_text texts[] = {
		{.name = "a.cfg", .data = a, .len = sizeof(a) - 1},
		{.name = "b.cfg", .data = b, .len = sizeof(b) - 1},
	};
	CU_ASSERT(trefused(texts, 2, true, "b.cfg", 3, "'c'", NULL, NULL));
}

static void test_default_diag_sink(void)
{
	/* NULL hooks: diagnostics go to stderr, and the parse is still refused */
	static const char text[] = "global\n  bogus\n";
	struct sl_cfg_text t = {.name = "stderr.cfg", .data = text, .len = sizeof(text) - 1};
	struct sl_cfg_opts opts = {.no_dataplane_ok = true};
	struct sl_cfg *cfg = (struct sl_cfg *)&opts;
	fprintf(stderr, "\n  (an error about stderr.cfg:2 is expected below)\n");
	CU_ASSERT_EQUAL(sl_cfg_parse(&t, 1, &opts, &cfg), -EINVAL);
	CU_ASSERT_PTR_NULL(cfg);
}

/* ---------------------------------------------------------------- more refusals */

static void test_http_frontend_tcp_backend(void)
{
	/* HAProxy: "unable to use proxy 'b' with wrong mode, required: http, has: tcp" */
	struct tdiags d;
	CU_ASSERT(trefused1("frontend f\n"
			    "  mode http\n"
			    "  bind :80\n"
			    "  default_backend b\n"
			    "backend b\n"
			    "  mode tcp\n"
			    "  server s 10.0.0.1:80\n",
			    true, -1, "'b'", NULL, &d));
	const struct tdiag *e = tdiag_first(&d, SL_DIAG_ERROR);
	if (e != NULL)
		CU_ASSERT(e->line == 4 || e->line == 1);
	CU_ASSERT(trefused1("frontend f\n"
			    "  mode http\n"
			    "  bind :80\n"
			    "  use_backend b if TRUE\n"
			    "backend b\n"
			    "  mode tcp\n"
			    "  server s 10.0.0.1:80\n",
			    true, -1, "'b'", NULL, &d));
}

static void test_stats_auth_without_password(void)
{
	T_REFUSED("listen l\n"
		  "  bind :80\n"
		  "  mode http\n"
		  "  stats enable\n"
		  "  stats auth admin\n",
		  5, "'admin'");
}

static void test_proxy_names(void)
{
	T_REFUSED2("frontend\n", 1, "'frontend'", "name");
	T_REFUSED("frontend a/b\n"
		  "  bind :80\n",
		  1, "'a/b'");
	T_REFUSED("backend \"a b\"\n", 1, "'a b'");
}

static void test_bind_unknown_param(void)
{
	T_REFUSED("frontend f\n"
		  "  bind :80 frobnicate\n",
		  2, "'frobnicate'");
	tfs_reset();
	T_REFUSED("frontend f\n"
		  "  bind :443 ssl crt /certs/site.pem ssl-min-ver TLSv9\n",
		  2, "'TLSv9'");
}

static void test_alert_directive(void)
{
	T_REFUSED("global\n"
		  "  maxconn 1\n"
		  ".alert \"stop here\"\n",
		  3, "stop here");
}

static void test_incomplete_rules(void)
{
	T_REFUSED2("frontend f\n"
		   "  mode http\n"
		   "  bind :80\n"
		   "  http-request set-header X-A\n",
		   4, "'set-header'", "'http-request set-header'");
	T_REFUSED2("frontend f\n"
		   "  bind :80\n"
		   "  acl a\n",
		   3, "'a'", "'acl'");
	T_REFUSED2("frontend f\n"
		   "  bind :80\n"
		   "  use_backend\n",
		   3, "'use_backend'", "backend");
	T_REFUSED2("backend b\n"
		   "  cookie\n",
		   2, "'cookie'", "name");
	T_REFUSED("backend b\n"
		  "  cookie SRV insert frobnicate\n",
		  2, "'frobnicate'");
}

/* ---------------------------------------------------------------- robustness */

/* Loads the seed variant 1 as one text (malloc()ed). */
static char *seed_text(size_t *len)
{
	static const char *const rels[] = {"seed/seed-common.cfg", "seed/seed-https.cfg",
					   "seed/dataplane.cfg"};
	size_t total = 0, l[3];
	char *parts[3];
	for (int i = 0; i < 3; i++) {
		parts[i] = tload_fixture(rels[i], &l[i]);
		if (parts[i] == NULL)
			return NULL;
		total += l[i];
	}
	char *s = malloc(total + 1);
	if (s != NULL) {
		size_t o = 0;
		for (int i = 0; i < 3; i++) {
			memcpy(s + o, parts[i], l[i]);
			o += l[i];
		}
		s[o] = '\0';
	}
	for (int i = 0; i < 3; i++)
		free(parts[i]);
	*len = total;
	return s;
}

/* Prints the first line where two dumps differ. */
static void print_first_difference(const char *a, const char *b)
{
	int line = 1;
	const char *la = a, *lb = b;
	while (*a != '\0' && *a == *b) {
		if (*a == '\n') {
			line++;
			la = a + 1;
			lb = b + 1;
		}
		a++;
		b++;
	}
	fprintf(stderr,
		"\n  -- the dump of an accepted input changes after a round trip, line %d:"
		"\n     first:  %.*s\n     second: %.*s",
		line, (int)strcspn(la, "\n"), la, (int)strcspn(lb, "\n"), lb);
}

/*
 * Parses @len bytes (copied to an exact-size heap buffer so that over-reads are caught by
 * sanitizers) and checks the invariants of sl_cfg_parse(): 0 with a model and no error, or
 * -EINVAL with NULL and at least one error; an accepted configuration dumps to a text that
 * parses again without error into the same dump.
 */
static bool parse_invariants(const char *data, size_t len)
{
	char *copy = malloc(len > 0 ? len : 1);
	if (copy == NULL)
		return false;
	memcpy(copy, data, len);
	struct sl_cfg_text t = {.name = "fuzz.cfg", .data = copy, .len = len};
	struct sl_cfg *cfg = NULL;
	static struct tdiags d, d2;
	int rc = tparse_n(&t, 1, &cfg, &d);
	bool ok = true;
	if (rc == 0) {
		ok = cfg != NULL && d.nerr == 0;
		char *dump = ok ? tdump(cfg, NULL) : NULL;
		if (dump != NULL) {
			struct sl_cfg_text t2 = {
				.name = "dump.cfg", .data = dump, .len = strlen(dump)};
			struct sl_cfg *cfg2 = NULL;
			int rc2 = tparse_n(&t2, 1, &cfg2, &d2);
			if (rc2 != 0 || cfg2 == NULL) {
				ok = false;
				fprintf(stderr, "\n  -- accepted input:\n%.*s\n  -- dumps to:\n%s",
					(int)len, copy, dump);
				tdiag_print(&d2, "which does not parse again");
			} else {
				char *dump2 = tdump(cfg2, NULL);
				if (dump2 == NULL || strcmp(dump, dump2) != 0) {
					ok = false;
					print_first_difference(dump, dump2 != NULL ? dump2 : "");
				}
				free(dump2);
			}
			sl_cfg_free(cfg2);
			free(dump);
		} else {
			ok = false;
		}
		sl_cfg_free(cfg);
	} else if (rc == -EINVAL) {
		ok = cfg == NULL && d.nerr > 0;
	} else {
		ok = false;
	}
	if (!ok && rc != 0)
		fprintf(stderr, "\n  -- rc %d, nerr %d for input:\n%.*s", rc, d.nerr, (int)len,
			copy);
	free(copy);
	return ok;
}

static void test_every_prefix(void)
{
	size_t len = 0;
	char *s = seed_text(&len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	tfs_reset();
	int bad = 0;
	for (size_t cut = 0; cut <= len && bad < 3; cut++)
		bad += !parse_invariants(s, cut);
	CU_ASSERT_EQUAL(bad, 0);
	free(s);
}

static void test_every_line_dropped(void)
{
	size_t len = 0;
	char *s = seed_text(&len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	char *buf = malloc(len + 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
	tfs_reset();
	int bad = 0;
	for (size_t start = 0; start < len && bad < 3;) {
		const char *nl = memchr(s + start, '\n', len - start);
		size_t end = nl != NULL ? (size_t)(nl - s) + 1 : len;
		memcpy(buf, s, start);
		memcpy(buf + start, s + end, len - end);
		bad += !parse_invariants(buf, len - (end - start));
		start = end;
	}
	CU_ASSERT_EQUAL(bad, 0);
	free(buf);
	free(s);
}

/* Mutates @base a few bytes at a time; SL_TEST_FUZZ_ITERS overrides the count (manual runs). */
static void mutate_and_parse(const char *base, size_t len, unsigned seed, int iters)
{
	static const char interesting[] = " \t\n\"'\\#{}!$:-/0129x.,*";
	const char *env = getenv("SL_TEST_FUZZ_ITERS");
	if (env != NULL)
		iters = atoi(env);
	char *buf = malloc(len + 16);
	CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
	tfs_reset();
	int bad = 0;
	for (int iter = 0; iter < iters && bad < 3; iter++) {
		memcpy(buf, base, len);
		size_t n = len;
		int muts = 1 + (int)(rand_r(&seed) % 4);
		for (int m = 0; m < muts && n > 0; m++) {
			size_t pos = (size_t)rand_r(&seed) % n;
			char c = interesting[(size_t)rand_r(&seed) % (sizeof(interesting) - 1)];
			switch (rand_r(&seed) % 3) {
			case 0: /* replace */
				buf[pos] = c;
				break;
			case 1: /* insert */
				memmove(buf + pos + 1, buf + pos, n - pos);
				buf[pos] = c;
				n++;
				break;
			default: /* delete */
				memmove(buf + pos, buf + pos + 1, n - pos - 1);
				n--;
				break;
			}
		}
		bad += !parse_invariants(buf, n);
	}
	CU_ASSERT_EQUAL(bad, 0);
	free(buf);
}

static void test_random_mutations(void)
{
	size_t len = 0;
	char *s = seed_text(&len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	mutate_and_parse(s, len, 12345, 3000); /* fixed seed: reproducible */
	free(s);
}

static void test_random_mutations_kitchen_sink(void)
{
	mutate_and_parse(tkitchen_sink, strlen(tkitchen_sink), 777, 3000);
}

static void test_kitchen_sink_every_line_dropped(void)
{
	const char *s = tkitchen_sink;
	size_t len = strlen(s);
	char *buf = malloc(len + 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
	tfs_reset();
	int bad = 0;
	for (size_t start = 0; start < len && bad < 3;) {
		const char *nl = memchr(s + start, '\n', len - start);
		size_t end = nl != NULL ? (size_t)(nl - s) + 1 : len;
		memcpy(buf, s, start);
		memcpy(buf + start, s + end, len - end);
		bad += !parse_invariants(buf, len - (end - start));
		start = end;
	}
	CU_ASSERT_EQUAL(bad, 0);
	free(buf);
}

/* Word-level mutations: words and lines taken from the configuration language itself. */
static void word_mutate_and_parse(const char *base, size_t len, unsigned seed, int iters)
{
	static const char *const dict[] = {
		"if",
		"unless",
		"!",
		"{",
		"}",
		"or",
		"||",
		"TRUE",
		"ssl_fc",
		"path_beg",
		"/x",
		"-i",
		"-m",
		"found",
		"--",
		"ssl",
		"crt",
		"/certs/site.pem",
		"alpn",
		"h2",
		"check",
		"cookie",
		"backup",
		"disabled",
		"weight",
		"0",
		"256",
		"inter",
		"1s",
		"rise",
		"fall",
		"port",
		"addr",
		"10.0.0.9",
		"\"a#b\"",
		"'x y'",
		"\"a\\\"b\"",
		"\"\"",
		"a\\ b",
		"\"line\\nbreak\"",
		"\"tab\\tch\"",
		"\\#",
		"$X",
		"\"${DOMAIN}\"",
		"mode",
		"http",
		"tcp",
		"stats",
		"enable",
		"show-desc",
		"realm",
		"auth",
		"u:p",
		"uri",
		"/s",
		"admin",
		"refresh",
		"10s",
		"option",
		"httpchk",
		"forwardfor",
		"except",
		"header",
		"X-A",
		"http-request",
		"http-response",
		"set-header",
		"add-header",
		"del-header",
		"deny",
		"deny_status",
		"429",
		"redirect",
		"scheme",
		"https",
		"location",
		"prefix",
		"code",
		"301",
		"drop-query",
		"append-slash",
		"set-cookie",
		"clear-cookie",
		"use_backend",
		"default_backend",
		"web",
		"api",
		"acl",
		"hdr(host)",
		"hdr(host,1)",
		"src",
		"dst_port",
		"ge",
		"1024",
		"balance",
		"uri",
		"len",
		"depth",
		"whole",
		"source",
		"timeout",
		"client",
		"server",
		"http-check",
		"expect",
		"status",
		"rstatus",
		"^2",
		"string",
		"send",
		"meth",
		"ver",
		"HTTP/1.1",
		"hdr",
		"Host",
		"errorfile",
		"503",
		"/etc/haproxy/errors/503.http",
		"default-server",
		"maxconn",
		"100",
		"slowstart",
		"on-marked-down",
		"shutdown-sessions",
		"send-proxy",
		"attr",
		"SameSite=Lax",
		"domain",
		".example.com",
		"maxidle",
		"30m",
		"insert",
		"indirect",
		"nocache",
		"preserve",
		"httponly",
		"secure",
		"dynamic",
		"postonly",
		"log",
		"global",
		"none",
		"name",
		"ciphers",
		"ssl-min-ver",
		"TLSv1.2",
		"no-sslv3",
		"*:81",
		":82",
		"10.0.0.3:83",
		"[::1]:84",
		"2001:db8::5",
		"stats show-desc \"x #1\"",
		"capture",
		"description",
		"\"sp ace\"",
		"'#'",
		"x\\x41y",
	};
	static const char *const lines[] = {
		"  stats show-desc \"Node #1 (primary)\"\n",
		"  http-response set-header X-Note \"a # b\"\n",
		"  acl q hdr_sub(user-agent) -i \"Mozilla 5\"\n",
		"  http-request set-header X-Path \"%[path] #x\"\n",
		"  redirect location \"/a b\" code 301\n",
		"  cookie S insert attr \"SameSite=None; x\" domain \".a b\"\n",
		"  stats auth \"a b:c#d\"\n",
		"  stats realm \"a\\tb\"\n",
		"  option httpchk GET \"/a b\" HTTP/1.1\\r\\nHost:\\ x\n",
		"  http-check send meth GET uri /h ver HTTP/1.1 hdr Host \"a b\"\n",
		"  http-check expect string \"a #b\"\n",
		"  eal \"--a b\"\n",
		"  log \"/dev/log #2\" local0\n",
		"  bind :9999 name \"n #1\"\n",
		"  server z 10.0.0.77:80 cookie \"c #1\"\n",
		"  errorfile 404 /etc/haproxy/errors/403.http\n",
		"  ssl-default-bind-ciphers \"A:B #c\"\n",
	};
	const char *env = getenv("SL_TEST_FUZZ_ITERS");
	if (env != NULL)
		iters = atoi(env);
	size_t cap = len + 4096;
	char *buf = malloc(cap), *tmp = malloc(cap);
	CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
	CU_ASSERT_PTR_NOT_NULL_FATAL(tmp);
	tfs_reset();
	int bad = 0;
	for (int iter = 0; iter < iters && bad < 3; iter++) {
		memcpy(buf, base, len);
		size_t n = len;
		int muts = 1 + (int)(rand_r(&seed) % 3);
		for (int m = 0; m < muts; m++) {
			/* a position just before a space or a newline (a word or line boundary) */
			size_t pos = (size_t)rand_r(&seed) % (n + 1);
			while (pos < n && buf[pos] != ' ' && buf[pos] != '\n')
				pos++;
			const char *ins;
			char word[128];
			if (rand_r(&seed) % 4 == 0 &&
			    (pos == 0 || buf[pos - 1] == '\n' || pos == n || buf[pos] == '\n')) {
				/* a whole line, after the newline */
				if (pos < n && buf[pos] == '\n')
					pos++;
				ins = lines[(size_t)rand_r(&seed) %
					    (sizeof(lines) / sizeof(lines[0]))];
			} else {
				snprintf(word, sizeof(word), " %s",
					 dict[(size_t)rand_r(&seed) %
					      (sizeof(dict) / sizeof(dict[0]))]);
				ins = word;
				if (rand_r(&seed) % 2 == 0 && pos < n && buf[pos] == ' ') {
					/* replace the next word */
					size_t e = pos + 1;
					while (e < n && buf[e] != ' ' && buf[e] != '\n')
						e++;
					memmove(buf + pos, buf + e, n - e);
					n -= e - pos;
				}
			}
			size_t il = strlen(ins);
			if (n + il >= cap)
				break;
			memcpy(tmp, buf + pos, n - pos);
			memcpy(buf + pos, ins, il);
			memcpy(buf + pos + il, tmp, n - pos);
			n += il;
		}
		bad += !parse_invariants(buf, n);
	}
	CU_ASSERT_EQUAL(bad, 0);
	free(tmp);
	free(buf);
}

static void test_word_mutations(void)
{
	size_t len = 0;
	char *s = seed_text(&len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	word_mutate_and_parse(s, len, 4242, 1500);
	free(s);
	word_mutate_and_parse(tkitchen_sink, strlen(tkitchen_sink), 2424, 1500);
}

static void test_many_proxies(void)
{
	/* 300 backends of 10 servers and a frontend switching to each: parses, ids in order */
	size_t cap = 1 << 20;
	char *text = malloc(cap);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	size_t o = 0;
	o += (size_t)snprintf(text + o, cap - o,
			      "defaults\n  mode http\n  timeout connect 1s\n  timeout client 1s\n"
			      "  timeout server 1s\nfrontend f\n  bind :80\n");
	for (int b = 0; b < 300; b++)
		o += (size_t)snprintf(text + o, cap - o,
				      "  use_backend b%d if { path_beg /b%d/ }\n", b, b);
	for (int b = 0; b < 300; b++) {
		o += (size_t)snprintf(text + o, cap - o, "backend b%d\n", b);
		for (int s = 0; s < 10; s++)
			o += (size_t)snprintf(text + o, cap - o,
					      "  server s%d 10.%d.%d.%d:80 check\n", s, b / 250,
					      b % 250, s + 1);
	}
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	int rc = tparse(text, &cfg, &d);
	T_PARSED_OK(rc, cfg, &d);
	CU_ASSERT_EQUAL(cfg->nproxies, 301);
	struct sl_proxy *last = sl_cfg_find_proxy(cfg, "b299", SL_CAP_BE);
	CU_ASSERT_PTR_NOT_NULL_FATAL(last);
	CU_ASSERT_EQUAL(last->id, 301);
	CU_ASSERT_EQUAL(last->nservers, 10);
	CU_ASSERT_PTR_NOT_NULL(sl_cfg_find_server(last, "s9"));
	sl_cfg_free(cfg);
	free(text);
}

/* ---------------------------------------------------------------- refusals from docs/config.md */

static void test_if_errors(void)
{
	T_REFUSED("global\n"
		  ".if foo\n"
		  "  maxconn 1\n"
		  ".endif\n",
		  2, "'foo'");
	T_REFUSED2("global\n"
		   ".if 1\n"
		   ".else\n"
		   ".elif 1\n"
		   ".endif\n",
		   4, "'.elif'", "'.else'");
	T_REFUSED2("global\n"
		   ".if 1\n"
		   ".else\n"
		   ".else\n"
		   ".endif\n",
		   4, "'.else'", NULL);
	T_REFUSED2("global\n"
		   ".elif 1\n",
		   2, "'.elif'", "'.if'");
	/* lexical errors are reported even in a skipped branch */
	T_REFUSED("global\n"
		  ".if 0\n"
		  "  log \"unterminated\n"
		  ".endif\n",
		  3, "unterminated");
}

static void test_if_must_close_in_its_file(void)
{
	static const char a[] = "global\n.if 1\n  maxconn 5\n";
	static const char b[] = ".endif\nglobal\n  maxconn 6\n";
	struct sl_cfg_text texts[] = {
		{.name = "a.cfg", .data = a, .len = sizeof(a) - 1},
		{.name = "b.cfg", .data = b, .len = sizeof(b) - 1},
	};
	struct tdiags d;
	CU_ASSERT(trefused(texts, 2, false, "a.cfg", 2, "'.if'", "'.endif'", &d));
	CU_ASSERT(tdiag_has(&d, SL_DIAG_ERROR, "b.cfg", 1, "'.endif'"));
}

static void test_misplaced_keywords(void)
{
	T_REFUSED2("listen l\n"
		   "  bind :80\n"
		   "  stats socket /run/s.sock\n",
		   3, "'stats socket'", "global");
	T_REFUSED("defaults\n"
		  "  acl a path /a\n",
		  2, "'acl'");
	T_REFUSED2("defaults\n"
		   "  default-server cookie x\n",
		   2, "'cookie'", "'default-server'");
	T_REFUSED2("backend b\n"
		   "  no log\n",
		   2, "'log'", "'no'");
	T_REFUSED2("global x\n", 1, "'x'", "'global'");
	T_REFUSED2("frontend f 10.0.0.1:80\n", 1, "'10.0.0.1:80'", "unexpected");
}

static void test_unsupported(void)
{
	T_REFUSED("frontend f\n"
		  "  bind :80\n"
		  "  tcp-response content accept\n",
		  3, "'tcp-response'");
	T_REFUSED("frontend f\n"
		  "  bind :80\n"
		  "  reqrep ^(.*) \\1\n",
		  3, "'reqrep'");
	T_REFUSED2("backend b\n"
		   "  balance rdp-cookie\n",
		   2, "'rdp-cookie'", "'balance'");
	T_REFUSED("backend b\n"
		  "  option ssl-hello-chk\n",
		  2, "'option ssl-hello-chk'");
	T_REFUSED("frontend f\n"
		  "  bind :80\n"
		  "  use_backend b%[req.cook(host)]\n",
		  3, "'req.cook'");
	T_REFUSED2("backend b\n"
		   "  server s 10.0.0.1:80 ssl\n",
		   2, "'ssl'", NULL);
	T_REFUSED2("frontend f\n"
		   "  bind :443 ssl crt /certs/site.pem crt-list /x\n",
		   2, "'crt-list'", NULL);
	T_REFUSED2("frontend f\n"
		   "  bind :80\n"
		   "  acl a path -f /etc/patterns\n",
		   3, "'/etc/patterns'", NULL); /* a pattern file that cannot be read */
}

static void test_unsupported_section(void)
{
	/* refused once, and its lines are skipped (no error for them) */
	T_REFUSED("mailers mymailers\n"
		  "  mailer a 10.0.0.1:25\n"
		  "  mailer b 10.0.0.2:25\n"
		  "global\n"
		  "  maxconn 10\n",
		  1, "'mailers'");
}

static void test_server_port_offset(void)
{
	T_REFUSED2("backend b\n"
		   "  server s 10.0.0.1:+1\n",
		   2, "+1'", NULL);
}

static void test_errorfile_content(void)
{
	tfs_reset();
	tfs_add("/srv/plain.txt", "just some text\n");
	T_REFUSED("defaults\n"
		  "  errorfile 503 /srv/plain.txt\n",
		  2, "'/srv/plain.txt'");
	/* larger than tune.bufsize (as set when the errorfile line is read) */
	static char big[2100];
	memcpy(big, "HTTP/1.0 503 Busy\r\n\r\n", 21);
	memset(big + 21, 'x', sizeof(big) - 22);
	big[sizeof(big) - 1] = '\0';
	tfs_add("/srv/big.http", big);
	T_REFUSED("global\n"
		  "  tune.bufsize 2048\n"
		  "defaults\n"
		  "  errorfile 503 /srv/big.http\n",
		  4, "'/srv/big.http'");
	/* the same file is fine with the default bufsize */
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	int rc = tparse("defaults\n  errorfile 503 /srv/big.http\n", &cfg, &d);
	T_PARSED_OK(rc, cfg, &d);
	sl_cfg_free(cfg);
	tfs_reset();
}

static void test_bad_checks(void)
{
	T_REFUSED("backend b\n"
		  "  option httpchk health\n",
		  2, "'health'");
	T_REFUSED("backend b\n"
		  "  option httpchk\n"
		  "  http-check expect status abc\n",
		  3, "'abc'");
	T_REFUSED("backend b\n"
		  "  option httpchk\n"
		  "  http-check expect rstatus (\n",
		  3, "'('");
	T_REFUSED("backend b\n"
		  "  server s 10.0.0.1:80 check agent-check agent-port 9999\n",
		  2, "'agent-check' is not supported by sluice yet (no agent checks): an agent can set the server's state and weight on the stats socket instead");
	T_REFUSED("backend b\n"
		  "  default-server agent-inter 2s\n",
		  2, "'agent-inter' is not supported by sluice yet");
	T_REFUSED("backend b\n"
		  "  http-check connect alpn h2\n",
		  2, "'http-check connect alpn' is not supported by sluice");
	T_REFUSED("backend b\n"
		  "  http-check connect port 0\n",
		  2, "http-check connect port");
	T_REFUSED("backend b\n"
		  "  http-check connect sni\n",
		  2, "'http-check connect sni' expects a value");
	/* tcp-check: what sluice does not run is refused by name */
	static const struct {
		const char *line, *sub;
	} tc[] = {
		{"  tcp-check expect min-recv 4 string x\n", "'tcp-check expect min-recv'"},
		{"  tcp-check expect string x on-success ok\n", "'tcp-check expect on-success'"},
		{"  tcp-check expect rbinary ^00\n", "'tcp-check expect rbinary'"},
		{"  tcp-check connect ssl\n", "'tcp-check connect ssl'"},
		{"  tcp-check connect addr 10.0.0.1\n", "'tcp-check connect addr'"},
		{"  tcp-check set-var(check.x) int(1)\n", "'tcp-check set-var(check.x)'"},
		{"  tcp-check send-lf %[src]\n", "'tcp-check send-lf'"},
		{"  tcp-check expect string\n", "'string' expects a pattern"},
		{"  tcp-check expect nothing x\n", "'nothing'"},
		{"  tcp-check send-binary 5g\n", "'5g'"},
		{"  tcp-check send-binary 505\n", "'505'"},
		{"  tcp-check expect rstring (\n", "'('"},
		{"  tcp-check connect port 0\n", "'0'"},
		{"  tcp-check bogus\n", "'bogus'"},
		{"  option tcp-check now\n", "'now'"},
	};
	for (size_t i = 0; i < sizeof(tc) / sizeof(tc[0]); i++) {
		char text[256];
		snprintf(text, sizeof(text), "backend b\n  option tcp-check\n%s", tc[i].line);
		T_REFUSED(text, 3, tc[i].sub);
	}
	/* HAProxy's rule: a connect comes first; sluice runs one connection per check */
	T_REFUSED("backend b\n"
		  "  tcp-check send x\n"
		  "  tcp-check connect\n",
		  3, "first step MUST also be a 'connect'");
	T_REFUSED("backend b\n"
		  "  tcp-check connect\n"
		  "  tcp-check connect port 81\n",
		  3, "second connection");
}

static void test_bad_header_rules(void)
{
	T_REFUSED("frontend f\n"
		  "  bind :80\n"
		  "  http-request set-header \"X A\" v\n",
		  3, "'X A'");
	T_REFUSED("frontend f\n"
		  "  bind :80\n"
		  "  reqadd X-Foo\n",
		  3, "'X-Foo'");
	T_REFUSED("frontend f\n"
		  "  bind :80\n"
		  "  http-request deny deny_status 600\n",
		  3, "'600'");
	T_REFUSED("frontend f\n"
		  "  bind :80\n"
		  "  http-response redirect location /x\n",
		  3, "'redirect'");
	T_REFUSED("frontend f\n"
		  "  bind :80\n"
		  "  http-request use-service lua.x\n",
		  3, "'lua.x'");
}

static void test_bad_acl_patterns(void)
{
	T_REFUSED("frontend f\n"
		  "  bind :80\n"
		  "  acl a ssl_fc 1\n",
		  3, "'1'");
	T_REFUSED("frontend f\n"
		  "  bind :80\n"
		  "  acl a dst_port foo\n",
		  3, "'foo'");
	T_REFUSED2("frontend f\n"
		   "  bind :80\n"
		   "  acl a url_beg -m beg /x\n",
		   3, "'-m beg'", "'url_beg'");
	T_REFUSED("frontend f\n"
		  "  bind :80\n"
		  "  http-request deny if HTTP\n",
		  3, "'HTTP'");
}

static void test_bad_condition_forms(void)
{
	T_REFUSED2("frontend f\n"
		   "  bind :80\n"
		   "  acl a path /a\n"
		   "  http-request deny if a !\n",
		   4, "'!'", NULL);
	T_REFUSED2("frontend f\n"
		   "  bind :80\n"
		   "  acl a path /a\n"
		   "  http-request deny if or a\n",
		   4, "'or'", NULL);
	T_REFUSED2("frontend f\n"
		   "  bind :80\n"
		   "  acl a path /a\n"
		   "  http-request deny if a or\n",
		   4, "'or'", NULL);
	T_REFUSED2("frontend f\n"
		   "  bind :80\n"
		   "  http-request deny if { }\n",
		   3, "'{'", "{ }");
}

static void test_named_defaults_errors(void)
{
	T_REFUSED("defaults web\n"
		  "  mode http\n"
		  "defaults web\n"
		  "  mode tcp\n",
		  3, "'web'");
	T_REFUSED("defaults web\n"
		  "backend b from nodef\n",
		  2, "'nodef'");
	T_REFUSED("defaults d from nothere\n", 1, "'nothere'");
}

static void test_bind_conflicts(void)
{
	T_REFUSED("frontend a\n"
		  "  bind *:80\n"
		  "frontend b\n"
		  "  bind :80\n",
		  4, "'a'");
	T_REFUSED("frontend a\n"
		  "  bind *:8000-8010\n"
		  "  bind *:8010\n",
		  3, "'a'");
	T_REFUSED("frontend a\n"
		  "  bind 10.0.0.1:443\n"
		  "listen b\n"
		  "  bind 10.0.0.2:443,10.0.0.1:400-500\n",
		  4, "'a'");
}

static void test_stats_values(void)
{
	T_REFUSED("listen l\n"
		  "  bind :80\n"
		  "  stats uri x\n",
		  3, "'x'");
	T_REFUSED("global\n"
		  "  stats socket run/x\n",
		  2, "'run/x'");
	T_REFUSED2("global\n"
		   "  stats bind :80\n",
		   2, "'stats bind'", "'bind'");
}

static void test_dataplane_more(void)
{
	T_REFUSED(DP_BASE "  port p1 pci 0000:3b:00.0 driver af_xdp\n", 4, "p1'");
	T_REFUSED(DP_BASE "  port p1 pci 00:zz.0\n", 4, "'00:zz.0'");
	T_REFUSED(DP_BASE "  address 2001:db8::1/64 port p0\n", 4, "'2001:db8::1/64'");
	T_REFUSED(DP_BASE "  cores 0-1024\n", 4, "'0-1024'");
	T_REFUSED(DP_BASE "  idle spin\n", 4, "'spin'");
	T_REFUSED(DP_BASE "  port p1 iface eth1 pci 0000:3b:00.0\n", 4, "p1'");
	T_REFUSED(DP_BASE "  port p1 iface this-name-is-too-long\n", 4, "'this-name-is-too-long'");
	T_REFUSED(DP_BASE "  route default via\n", 4, "'route'");
}

/* A route's gateway must be on the subnet of an `address` line (dataplane/core/route.c resolves
 * it there once, at start); before, a non-default route was silently skipped. */
static void test_route_gateways(void)
{
	/* two ports, their subnets: lines 1-5 */
#define DP_TWO                                 \
	"dataplane\n"                          \
	"  port lan0 iface lb0\n"              \
	"  port lan1 iface lb1\n"              \
	"  address 10.77.0.1/24 port lan0\n"   \
	"  address 10.78.0.1/24 port lan1\n"
	struct tdiags d;
	T_REFUSED(DP_TWO "  route 10.79.0.0/24 via 10.99.0.254\n", 6, "'10.99.0.254'");
	CU_ASSERT(trefused1(DP_TWO "  route default via 10.99.0.254\n", true, 6,
			    "is on no subnet of an 'address' line", NULL, &d));
	/* the line of the faulty route, not the first one */
	T_REFUSED(DP_TWO "  route 10.79.0.0/24 via 10.77.0.254\n"
			 "  route default via 10.79.0.1\n",
		  7, "'10.79.0.1'");
	/* sluice's own address is no gateway */
	CU_ASSERT(trefused1(DP_TWO "  route default via 10.78.0.1\n", true, 6, "own address", NULL,
			    &d));
	CU_ASSERT(tdiag_has(&d, SL_DIAG_ERROR, "t.cfg", 6, "t.cfg:5"));
	/* two routes to one destination, named with the first one's line */
	CU_ASSERT(trefused1(DP_TWO "  route 10.79.0.0/24 via 10.77.0.254\n"
				   "  route 10.79.0.0/24 via 10.78.0.254\n",
			    true, 7, "'10.79.0.0/24' is already routed", NULL, &d));
	CU_ASSERT(tdiag_has(&d, SL_DIAG_ERROR, "t.cfg", 7, "t.cfg:6"));
	T_REFUSED(DP_TWO "  route default via 10.77.0.254\n"
			 "  route default via 10.78.0.254\n",
		  7, "'default'");
	/* IPv6 routes are refused like IPv6 addresses */
	T_REFUSED(DP_TWO "  route 2001:db8::/32 via 10.77.0.254\n", 6, "'2001:db8::/32'");
	T_REFUSED(DP_TWO "  route default via 2001:db8::1\n", 6, "'2001:db8::1'");
	/* overlapping routes are fine (longest prefix match), and a gateway on either port */
	struct sl_cfg *cfg = NULL;
	T_PARSE_OK(DP_TWO "  route default via 10.77.0.254\n"
			  "  route 10.79.0.0/16 via 10.78.0.254\n"
			  "  route 10.79.1.0/24 via 10.77.0.253\n"
			  "  route 10.79.1.7 via 10.78.0.253\n",
		   cfg, &d);
	CU_ASSERT_EQUAL(d.nwarn, 0);
	sl_cfg_free(cfg);
	/* a route to a connected subnet is never used: a warning, at the route */
	T_PARSE_OK(DP_TWO "  route 10.78.0.0/24 via 10.77.0.254\n", cfg, &d);
	CU_ASSERT(tdiag_has(&d, SL_DIAG_WARNING, "t.cfg", 6, "never used"));
	sl_cfg_free(cfg);
#undef DP_TWO
}

static void test_load_missing_file(void)
{
	static const char *const paths[] = {
		SL_FIXTURES "/seed/seed-common.cfg",
		SL_FIXTURES "/seed/no-such-file.cfg",
	};
	struct tdiags d;
	memset(&d, 0, sizeof(d));
	struct sl_cfg_opts opts = {
		.getenv_fn = tgetenv,
		.read_fn = tfs_read,
		.diag_fn = tdiag_collect,
		.diag_arg = &d,
		.no_dataplane_ok = true,
	};
	struct sl_cfg *cfg = (struct sl_cfg *)&d;
	tfs_reset();
	CU_ASSERT_EQUAL(sl_cfg_load_files(paths, 2, &opts, &cfg), -EINVAL);
	CU_ASSERT_PTR_NULL(cfg);
	CU_ASSERT_EQUAL(d.nerr, 1);
	const struct tdiag *e = tdiag_first(&d, SL_DIAG_ERROR);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	CU_ASSERT(strstr(e->file, "no-such-file.cfg") != NULL ||
		  strstr(e->msg, "no-such-file.cfg") != NULL);
	CU_ASSERT_EQUAL(e->line, 0);
	if (d.nerr != 1 || e->line != 0)
		tdiag_print(&d, "expected one error about the missing file, and nothing parsed");
}

/* ---------------------------------------------------------------- registry */

static const struct sl_test_case kw_cases[] = {
	{"unknown keyword in global", test_unknown_kw_global},
	{"source: not owned, a port, usesrc, interface, not IPv4", test_source_refused},
	{"unknown keyword in defaults", test_unknown_kw_defaults},
	{"unknown keyword in frontend", test_unknown_kw_frontend},
	{"unknown keyword in backend", test_unknown_kw_backend},
	{"unknown keyword in listen", test_unknown_kw_listen},
	{"unknown keyword in dataplane", test_unknown_kw_dataplane},
	{"unknown section", test_unknown_section},
	{"did you mean", test_did_you_mean},
	{"keyword not allowed in the section", test_keyword_not_allowed},
	{"keyword before any section", test_keyword_before_section},
	{NULL, NULL},
};

static const struct sl_test_case lex_cases[] = {
	{"unterminated quote", test_unterminated_quote},
	{"NUL byte", test_nul_byte},
	{"line longer than 64 KiB", test_long_line},
	{"bad escape", test_bad_escape},
	{NULL, NULL},
};

static const struct sl_test_case addr_cases[] = {
	{"bind: bad ports", test_bind_bad_ports},
	{"server: bad ports", test_server_bad_ports},
	{"bad addresses", test_bad_addresses},
	{"bind without address", test_bind_without_address},
	{"server without address", test_server_without_address},
	{NULL, NULL},
};

static const struct sl_test_case file_cases[] = {
	{"missing crt file", test_missing_crt},
	{"ssl without crt", test_ssl_without_crt},
	{"missing errorfile", test_missing_errorfile},
	{"errorfile with an unsupported code", test_errorfile_bad_code},
	{NULL, NULL},
};

static const struct sl_test_case name_cases[] = {
	{"duplicate frontend", test_duplicate_frontend},
	{"duplicate backend", test_duplicate_backend},
	{"listen clashes", test_listen_clashes},
	{"frontend and backend of the same name allowed", test_frontend_backend_same_name_allowed},
	{"duplicate server", test_duplicate_server},
	{"duplicate dataplane port", test_duplicate_dataplane_port},
	{NULL, NULL},
};

static const struct sl_test_case ref_cases[] = {
	{"undefined default_backend", test_undefined_default_backend},
	{"undefined use_backend", test_undefined_use_backend},
	{"undefined ACL", test_undefined_acl},
	{"bad conditions", test_bad_conditions},
	{"invalid regex", test_invalid_regex},
	{"unknown fetch", test_unknown_fetch},
	{"bad header occurrence", test_bad_header_occurrence},
	{NULL, NULL},
};

static const struct sl_test_case value_cases[] = {
	{"bad times", test_bad_times},
	{"unknown balance", test_unknown_balance},
	{"unknown option", test_unknown_option},
	{"unknown timeout", test_unknown_timeout},
	{"unknown mode", test_unknown_mode},
	{"bad redirect", test_bad_redirect},
	{"unknown http-request action", test_unknown_http_request_action},
	{"server parameter ranges", test_server_param_ranges},
	{"server cookie without backend cookie: warning",
	 test_server_cookie_without_backend_cookie},
	{"stats socket", test_stats_socket},
	{"global values", test_global_values},
	{NULL, NULL},
};

static const struct sl_test_case if_cases[] = {
	{"more than 100 nested .if", test_if_nesting_limit},
	{".if without .endif", test_if_without_endif},
	{".endif without .if", test_endif_without_if},
	{NULL, NULL},
};

static const struct sl_test_case dp_cases[] = {
	{"dataplane values", test_dataplane_errors},
	{"incomplete dataplane section", test_dataplane_incomplete},
	{NULL, NULL},
};

static const struct sl_test_case report_cases[] = {
	{"several errors all reported", test_several_errors},
	{"a warning never hides an error", test_warning_never_hides_error},
	{"error in the second text", test_error_in_second_text},
	{"reference across texts", test_reference_across_texts},
	{"default diagnostic sink", test_default_diag_sink},
	{NULL, NULL},
};

static const struct sl_test_case more_cases[] = {
	{"http frontend using a tcp backend", test_http_frontend_tcp_backend},
	{"stats auth without password", test_stats_auth_without_password},
	{"proxy names", test_proxy_names},
	{"bind: unknown parameter", test_bind_unknown_param},
	{".alert", test_alert_directive},
	{"incomplete rules", test_incomplete_rules},
	{NULL, NULL},
};

static const struct sl_test_case robust_cases[] = {
	{"every prefix of the seed", test_every_prefix},
	{"every line of the seed dropped", test_every_line_dropped},
	{"random mutations of the seed", test_random_mutations},
	{"every line of the kitchen sink dropped", test_kitchen_sink_every_line_dropped},
	{"random mutations of the kitchen sink", test_random_mutations_kitchen_sink},
	{"word and line mutations", test_word_mutations},
	{"many proxies", test_many_proxies},
	{NULL, NULL},
};

static const struct sl_test_case spec_cases[] = {
	{".if errors", test_if_errors},
	{".if must close in its file", test_if_must_close_in_its_file},
	{"misplaced keywords", test_misplaced_keywords},
	{"unsupported keywords", test_unsupported},
	{"unsupported section", test_unsupported_section},
	{"server port offset", test_server_port_offset},
	{"errorfile content", test_errorfile_content},
	{"bad checks", test_bad_checks},
	{"bad header rules", test_bad_header_rules},
	{"bad ACL patterns", test_bad_acl_patterns},
	{"bad condition forms", test_bad_condition_forms},
	{"named defaults", test_named_defaults_errors},
	{"bind conflicts", test_bind_conflicts},
	{"stats values", test_stats_values},
	{"dataplane", test_dataplane_more},
	{"route gateways", test_route_gateways},
	{"sl_cfg_load_files: missing file", test_load_missing_file},
	{NULL, NULL},
};

static const struct sl_test_suite suites[] = {
	{"cfg_errors/keywords", kw_cases},	 {"cfg_errors/lexical", lex_cases},
	{"cfg_errors/addresses", addr_cases},	 {"cfg_errors/files", file_cases},
	{"cfg_errors/names", name_cases},	 {"cfg_errors/references", ref_cases},
	{"cfg_errors/values", value_cases},	 {"cfg_errors/conditional", if_cases},
	{"cfg_errors/dataplane", dp_cases},	 {"cfg_errors/reporting", report_cases},
	{"cfg_errors/more", more_cases},	 {"cfg_errors/spec", spec_cases},
	{"cfg_errors/robustness", robust_cases}, {NULL, NULL},
};

int main(void)
{
	return sl_test_run(suites);
}
