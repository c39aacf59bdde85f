/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Log-format expressions (controlplane/cfg/cfg_lf.c compiles, dataplane/rules/lf_eval.c
 * evaluates), map files, and the http-request / http-response actions built on them
 * (return, set-path/-query/-uri/-method, replace-*, set-status, dynamic use_backend) as
 * dataplane/rules/http_rules.c writes them. Expected bytes are HAProxy 2.6's for the same
 * configuration and request (tests/e2e/test_http_actions.sh compares the two live).
 */
#include <stdlib.h>
#include <string.h>

#include "dataplane/rules/acl_eval.h"
#include "dataplane/rules/http_rules.h"
#include "dataplane/rules/lf_eval.h"
#include "dataplane/rules/userlist.h"
#include "tests/unit/controlplane/cfg/cfg_test_util.h"

static char out[65536];
static struct sl_http1_req req;
static struct sl_http1_hdr hdrs[SL_HTTP1_MAX_HDRS_DEFAULT];
static size_t nh;
static struct sl_acl_scratch *scr;

static int parse_req(const char *text)
{
	nh = SL_HTTP1_MAX_HDRS_DEFAULT;
	return sl_http1_parse_request(text, strlen(text), 65536, &req, hdrs, &nh);
}

static bool out_is(const char *got, size_t len, const char *want)
{
	if (len == strlen(want) && memcmp(got, want, len) == 0)
		return true;
	fprintf(stderr, "\n--- got:\n%.*s\n--- want:\n%s\n---\n", (int)len, got, want);
	return false;
}

#define HEAD "defaults\n    mode http\n    timeout connect 5s\n    timeout client 5s\n" \
	     "    timeout server 5s\nfrontend f\n    bind 127.0.0.1:80\n"
#define TAIL "    default_backend b\nbackend b\n    server s 127.0.0.1:81\n"

/* Parses HEAD @rules TAIL; the error expected at line 8 (the first rule) naming @sub. */
static bool refused_at(const char *rules, int line, const char *sub)
{
	char text[4096];
	snprintf(text, sizeof(text), "%s%s%s", HEAD, rules, TAIL);
	struct sl_cfg_text t = {.name = "t.cfg", .data = text, .len = strlen(text)};
	struct tdiags d;
	bool ok = trefused(&t, 1, false, "t.cfg", line, sub, NULL, &d);
	if (!ok)
		fprintf(stderr, "(for: %s)\n", rules);
	return ok;
}

static void test_lf_refused(void)
{
	tfs_reset();
	CU_ASSERT(refused_at("    http-request set-header X %[nope]\n", 8, "'nope'"));
	CU_ASSERT(refused_at("    http-request set-header X %[src,nope]\n", 8, "converter 'nope'"));
	CU_ASSERT(refused_at("    http-request set-header X %[src\n", 8, "missing ']'"));
	CU_ASSERT(refused_at("    http-request set-header X %[req.hdr(host)x]\n", 8, "missing ')'"));
	CU_ASSERT(refused_at("    http-request set-header X %[]\n", 8, "empty"));
	CU_ASSERT(refused_at("    http-request set-header X %[src,]\n", 8, "empty converter"));
	CU_ASSERT(refused_at("    http-request set-header X %[,lower]\n", 8, "empty fetch"));
	CU_ASSERT(refused_at("    http-request set-header X 100%\n", 8, "'%%'"));
	CU_ASSERT(refused_at("    http-request set-header X %b\n", 8, "'%b'"));
	CU_ASSERT(refused_at("    http-request set-header X %{+Q}ci\n", 8, "options"));
	CU_ASSERT(refused_at("    http-request set-header X %[req.hdr()]\n", 8, "header name"));
	CU_ASSERT(refused_at("    http-request set-header X %[src(1)]\n", 8, "no argument"));
	CU_ASSERT(refused_at("    http-request set-header X %[src,lower(1)]\n", 8, "no argument"));
	CU_ASSERT(refused_at("    http-request set-header X %[src,lower,lower,lower,lower,lower]\n", 8,
			     "converters"));
	CU_ASSERT(refused_at("    http-request set-header X %[src,map]\n", 8, "map file"));
	CU_ASSERT(refused_at("    http-request set-header X %[src,regsub(a)]\n", 8, "regsub"));
	CU_ASSERT(refused_at("    http-request set-header X %[src,regsub(a,b,x)]\n", 8, "'x'"));
	CU_ASSERT(refused_at("    http-request set-header X %[src,regsub([,b)]\n", 8, "regex"));
	CU_ASSERT(refused_at("    http-request set-header X %[src,map(/nope.map)]\n", 8,
			     "/nope.map"));
	CU_ASSERT(refused_at("    http-response set-header X %[req.hdr(host)]\n", 8,
			     "not available in a response"));
	CU_ASSERT(refused_at("    http-response set-header X %[path]\n", 8, "'path'"));
	CU_ASSERT(refused_at("    http-request redirect location %[nope]\n", 8, "'nope'"));
	CU_ASSERT(refused_at("    use_backend %[src,upper,bad]\n", 8, "'bad'"));
	/* the actions' own syntax */
	CU_ASSERT(refused_at("    http-request set-path\n", 8, "set-path"));
	CU_ASSERT(refused_at("    http-request set-path /a /b\n", 8, "set-path"));
	CU_ASSERT(refused_at("    http-request replace-header X ( y\n", 8, "regex"));
	CU_ASSERT(refused_at("    http-request replace-header X a\n", 8, "replace-header"));
	CU_ASSERT(refused_at("    http-request return string hi\n", 8, "content-type"));
	CU_ASSERT(refused_at("    http-request return status 99\n", 8, "status"));
	CU_ASSERT(refused_at("    http-request return content-type t\n", 8, "without a body"));
	CU_ASSERT(refused_at("    http-request return bogus 1\n", 8, "bogus"));
	CU_ASSERT(refused_at("    http-request return string a content-type t string b\n", 8,
			     "only one"));
	CU_ASSERT(refused_at("    http-request return content-type t file /none\n", 8, "/none"));
	CU_ASSERT(refused_at("    http-request return hdr content-length 1\n", 8, "content-length"));
	CU_ASSERT(refused_at("    http-request return hdr X %[nope]\n", 8, "'nope'"));
	CU_ASSERT(refused_at("    http-request set-status 200\n", 8, "set-status"));
	CU_ASSERT(refused_at("    http-request deny deny_status 418\n", 8, "'418'"));
	CU_ASSERT(refused_at("    http-request capture path\n", 8, "capture"));
	CU_ASSERT(refused_at("    http-response set-status x\n", 8, "set-status"));
	CU_ASSERT(refused_at("    http-response set-path /x\n", 8, "set-path"));
	CU_ASSERT(refused_at("    http-request set-var(txn.x) src\n", 8, "set-var(txn.x)"));
	CU_ASSERT(refused_at("    http-request auth realm\n", 8, "auth"));
	CU_ASSERT(refused_at("    http-request auth if { http_auth(nolist) }\n", 8, "'nolist'"));
	CU_ASSERT(refused_at("    acl a path -f /none.lst\n", 8, "/none.lst"));
	CU_ASSERT(refused_at("    acl a path -f\n", 8, "-f"));
}

/* Evaluates @text (compiled from an http-request set-header) on the request "GET
 * /a/b?x=1 HTTP/1.1" from 10.0.0.1:4321 to 10.0.0.2:80 into @buf. */
static struct sl_cfg *lf_cfg(const char *value, const struct sl_lf **lf)
{
	char text[4096];
	snprintf(text, sizeof(text), "%s    http-request set-header X \"%s\"\n%s", HEAD, value,
		 TAIL);
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	int rc = tparse(text, &cfg, &d);
	if (rc != 0 || cfg == NULL) {
		tdiag_print(&d, value);
		return NULL;
	}
	*lf = tpx(cfg, "f")->req_rules->lf;
	return cfg;
}

static const char req_text[] = "GET /a/b?x=1 HTTP/1.1\r\nHost: Example.COM\r\n"
			       "X-List: one, two ,three\r\nX-List: four\r\n\r\n";

static const struct sl_tls_peer *lf_peer; /* the client certificate lf_is() sees */

static struct sl_acl_ctx req_ctx(void)
{
	return (struct sl_acl_ctx){.req = &req, .hdrs = hdrs, .nhdrs = nh,
				   .src = TIP4(10, 0, 0, 1), .src_port = 4321,
				   .dst = TIP4(10, 0, 0, 2), .dst_port = 80, .scratch = scr,
				   .cert = lf_peer};
}

static bool lf_is(const char *value, const char *want)
{
	const struct sl_lf *lf = NULL;
	struct sl_cfg *cfg = lf_cfg(value, &lf);
	if (cfg == NULL)
		return false;
	struct sl_acl_ctx ctx = req_ctx();
	char buf[512] = {0}; /* PCRE2 JIT scans whole aligned blocks past a subject
			     * (harmless): keep valgrind quiet about them */
	size_t len = 0;
	bool ok = sl_lf_eval(lf, &ctx, NULL, buf, sizeof(buf), &len) && out_is(buf, len, want);
	/* every shorter buffer: refused, nothing counted */
	for (size_t cap = 0; ok && cap < len; cap++) {
		size_t l2 = 0;
		if (sl_lf_eval(lf, &ctx, NULL, buf, cap, &l2) || l2 != 0) {
			fprintf(stderr, "'%s' fits in %zu bytes\n", value, cap);
			ok = false;
		}
	}
	sl_cfg_free(cfg);
	return ok;
}

static void test_lf_eval(void)
{
	tfs_reset();
	tfs_add("/m/hosts.map", "# hosts\n\n  example.com   be_a  \r\nEXAMPLE.COM be_up\n"
				"example.com be_dup\nexample.org\tbe b\n");
	tfs_add("/m/beg.map", "/a/ beg_a\n/ beg_root\n");
	tfs_add("/m/dom.map", "example.com dom\n");
	CU_ASSERT_FATAL(parse_req(req_text) > 0);
	CU_ASSERT(lf_is("literal", "literal"));
	CU_ASSERT(lf_is("100%%", "100%"));
	CU_ASSERT(lf_is("%[src]:%[src_port] -> %[dst]:%[dst_port]", "10.0.0.1:4321 -> 10.0.0.2:80"));
	CU_ASSERT(lf_is("%ci:%cp %fi:%fp", "10.0.0.1:4321 10.0.0.2:80"));
	CU_ASSERT(lf_is("a%[path]b", "a/a/bb"));
	CU_ASSERT(lf_is("%[query]|%[url]|%[base]|%[method]", "x=1|/a/b?x=1|Example.COM/a/b|GET"));
	CU_ASSERT(lf_is("%[req.hdr(host),lower]", "example.com"));
	CU_ASSERT(lf_is("%[hdr(Host),upper]", "EXAMPLE.COM"));
	CU_ASSERT(lf_is("%[req.hdr(x-list)]", "four"));
	CU_ASSERT(lf_is("%[req.hdr(x-list,1)]|%[req.hdr(x-list,2)]|%[req.hdr(x-list,-2)]",
			"one|two|three"));
	CU_ASSERT(lf_is("[%[req.hdr(x-nope)]][%[req.hdr(x-list,9)]]", "[][]"));
	CU_ASSERT(lf_is("%[ssl_fc]%[ssl_fc_sni]", "0"));
	/* the client certificate's fetches: no sample without TLS; hex */
	CU_ASSERT(lf_is("[%[ssl_c_used]%[ssl_c_verify]%[ssl_c_s_dn]%[ssl_c_serial,hex]]", "[]"));
	CU_ASSERT(lf_is("%[path,hex]", "2F612F62"));
	static const unsigned char serial[] = {0x12, 0x34, 0x0a, 0xcd};
	const struct sl_tls_peer pe = {.used = true, .has_crt = true, .verify = 0, .s_dn = "/CN=a",
				       .i_dn = "/O=b/CN=c", .serial = serial, .serial_len = 4};
	lf_peer = &pe;
	CU_ASSERT(lf_is("%[ssl_c_used]%[ssl_fc_has_crt]%[ssl_c_verify] %[ssl_c_s_dn] %[ssl_c_i_dn] %[ssl_c_serial,hex]",
			"110 /CN=a /O=b/CN=c 12340ACD"));
	CU_ASSERT(lf_is("%[ssl_c_serial]", "%124%0A\xcd")); /* no CR/LF reaches a header */
	lf_peer = NULL;
	CU_ASSERT(lf_is("%[req.hdr(host),lower,map(/m/hosts.map)]", "be_a"));
	CU_ASSERT(lf_is("%[req.hdr(host),upper,map(/m/hosts.map)]", "be_up"));
	CU_ASSERT(lf_is("%[req.hdr(host),map_str(/m/hosts.map,none)]", "none"));
	CU_ASSERT(lf_is("%[path,map(/m/hosts.map,none)]", "none"));
	CU_ASSERT(lf_is("[%[path,map(/m/hosts.map)]]", "[]"));
	CU_ASSERT(lf_is("%[path,map_beg(/m/beg.map)]", "beg_a"));
	CU_ASSERT(lf_is("%[url,map_dom(/m/dom.map,no)]", "no"));
	CU_ASSERT(lf_is("%[req.hdr(host),lower,map_dom(/m/dom.map,no)]", "dom"));
	CU_ASSERT(lf_is("%[req.hdr(host),lower,map_end(/m/dom.map,no)]", "dom"));
	CU_ASSERT(lf_is("%[req.hdr(host),map_sub(/m/dom.map,no)]", "no"));
	CU_ASSERT(lf_is("%[src,map(/m/hosts.map,d),upper]", "D"));
	CU_ASSERT(lf_is("%[path,regsub(^/a/,/x/)]", "/x/b"));
	CU_ASSERT(lf_is("%[path,regsub(/,_,g)]", "_a_b"));
	CU_ASSERT(lf_is("%[path,regsub(/,_)]", "_a/b"));
	CU_ASSERT(lf_is("%[req.hdr(host),regsub(^(.*)\\\\.(com)$,\\\\2-\\\\1,i)]", "COM-Example"));
	CU_ASSERT(lf_is("%[path,regsub(nomatch,x),upper]", "/A/B"));
	CU_ASSERT(lf_is("%[query,regsub(=,\\\\,)]", "x,1"));
	/* the map reader: comments, blank lines, CRLF and spaces, the first duplicate */
	const struct sl_lf *lf;
	struct sl_cfg *cfg = lf_cfg("%[src,map(/m/hosts.map)]", &lf);
	CU_ASSERT_FATAL(cfg != NULL);
	const struct sl_map *m = lf->nodes[0].conv[0].map;
	CU_ASSERT_FATAL(m != NULL && m->n == 4);
	CU_ASSERT(out_is(m->ents[0].key, m->ents[0].klen, "example.com"));
	CU_ASSERT(out_is(m->ents[0].val, m->ents[0].vlen, "be_a"));
	CU_ASSERT(out_is(m->ents[3].val, m->ents[3].vlen, "be b"));
	const struct sl_map_ent *e = sl_map_lookup(m, SL_MAP_STR, "example.com", 11);
	CU_ASSERT(e == &m->ents[0]);
	CU_ASSERT(sl_map_lookup(m, SL_MAP_STR, "example.co", 10) == NULL);
	CU_ASSERT(sl_map_lookup(m, SL_MAP_STR, "example.comm", 12) == NULL);
	CU_ASSERT(sl_map_lookup(m, SL_MAP_BEG, "example.org/x", 13) == &m->ents[3]);
	CU_ASSERT(sl_map_lookup(NULL, SL_MAP_STR, "x", 1) == NULL);
	sl_cfg_free(cfg);
}

static const char cfg_actions[] =
	HEAD
	"    http-request return status 200 content-type text/plain lf-string \"hi %[src] %[path]\" hdr X-A \"v %[dst_port]\" if { path /ret }\n"
	"    http-request return status 404 content-type text/html string \"<p>nope</p>\" if { path /s }\n"
	"    http-request return if { path /empty }\n"
	"    http-request redirect location https://%[req.hdr(host)]%[path] code 301 if { path_beg /go }\n"
	"    http-request set-header X-Port %[dst_port]\n"
	"    http-request set-header X-Real-IP %[src]\n"
	"    http-request replace-header User-Agent ^curl/(.*)$ ua-\\1\n"
	"    http-request replace-value X-List ^t(.*)$ T\\1\n"
	"    http-request set-path /new%[path] if { path_beg /p }\n"
	"    http-request set-query q=%[query] if { path_beg /p }\n"
	"    http-request set-method POST if { path_beg /m }\n"
	"    http-request replace-path ^/r/(.*)$ /rr/\\1\n"
	"    http-request set-uri /u%[query] if { path /set-uri }\n"
	"    http-response set-header Strict-Transport-Security \"max-age=63072000\"\n"
	"    http-response set-header X-Via %[dst]\n"
	"    http-response replace-header Server ^(.*)$ proxied-\\1\n"
	"    http-response set-status 203 if { src 10.0.0.1 }\n"
	"    http-request capture req.hdr(Host) len 32\n"
	"    use_backend %[req.hdr(host),lower,map(/m/hosts.map)] if { path_beg /dyn }\n"
	"    default_backend b\n"
	"backend b\n    server s 127.0.0.1:81\n"
	"backend be_a\n    server s 127.0.0.1:82\n";

static struct sl_cfg *acfg;
static struct sl_hx_out o;
static struct sl_hx_decision dec;
static struct sl_acl_ctx ctx;

static void decide(const char *text)
{
	CU_ASSERT_FATAL(parse_req(text) > 0);
	ctx = req_ctx();
	o = (struct sl_hx_out){out, sizeof(out), 0, false};
	sl_hx_decide(acfg, tpx(acfg, "f"), &req, hdrs, nh, &ctx, false, 1700000000u, &o, &dec);
}

static bool forwarded(const char *text, const char *want)
{
	decide(text);
	if (dec.verdict != SL_HX_FORWARD)
		return false;
	struct sl_hx_req_edit e = {.fe = tpx(acfg, "f"), .be = dec.be, .ctx = &ctx,
				   .client_ip = ctx.src};
	return sl_hx_build_request(&o, &req, hdrs, nh, &e) && out_is(o.buf, o.len, want);
}

static void test_actions(void)
{
	tfs_reset();
	tfs_add("/m/hosts.map", "example.com be_a\nother.com nosuch\n");
	struct tdiags d;
	int rc = tparse(cfg_actions, &acfg, &d);
	T_PARSED_OK(rc, acfg, &d);
	/* the rules after set-path read the request as received: said at load */
	CU_ASSERT(tdiag_has(&d, SL_DIAG_WARNING, "t.cfg", 17, "as received"));
	CU_ASSERT(tdiag_has(&d, SL_DIAG_WARNING, "t.cfg", 25, "no effect"));
	decide("GET /ret HTTP/1.1\r\nHost: h\r\n\r\n");
	CU_ASSERT_EQUAL(dec.verdict, SL_HX_RETURN);
	CU_ASSERT_EQUAL(dec.status, 200);
	CU_ASSERT(out_is(o.buf, o.len, "HTTP/1.1 200 OK\r\nx-a: v 80\r\ncontent-length: 16\r\n"
				       "content-type: text/plain\r\n\r\nhi 10.0.0.1 /ret"));
	decide("HEAD /ret HTTP/1.1\r\nHost: h\r\n\r\n");
	CU_ASSERT(out_is(o.buf, o.len, "HTTP/1.1 200 OK\r\nx-a: v 80\r\ncontent-length: 16\r\n"
				       "content-type: text/plain\r\n\r\n"));
	decide("GET /s HTTP/1.1\r\nHost: h\r\n\r\n");
	CU_ASSERT(out_is(o.buf, o.len, "HTTP/1.1 404 Not Found\r\ncontent-length: 11\r\n"
				       "content-type: text/html\r\n\r\n<p>nope</p>"));
	decide("GET /empty HTTP/1.1\r\nHost: h\r\n\r\n");
	CU_ASSERT(out_is(o.buf, o.len, "HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n"));
	/* a reply that does not fit the output: overflow, never a partial response */
	char small[40];
	o = (struct sl_hx_out){small, sizeof(small), 0, false};
	decide("GET /ret HTTP/1.1\r\nHost: h\r\n\r\n");
	o = (struct sl_hx_out){small, sizeof(small), 0, false};
	sl_hx_decide(acfg, tpx(acfg, "f"), &req, hdrs, nh, &ctx, false, 1700000000u, &o, &dec);
	CU_ASSERT(o.overflow);
	decide("GET /go/x?y HTTP/1.1\r\nHost: www.example.com\r\n\r\n");
	CU_ASSERT_EQUAL(dec.verdict, SL_HX_REDIRECT);
	CU_ASSERT(out_is(o.buf, o.len, "HTTP/1.1 301 Moved Permanently\r\ncontent-length: 0\r\n"
				       "location: https://www.example.com/go/x\r\n\r\n"));
	CU_ASSERT(forwarded("GET /p/x?a=b HTTP/1.1\r\nHost: h\r\nUser-Agent: curl/8.0\r\n"
			    "X-List: one, two,three\r\n\r\n",
			    "GET /new/p/x?q=a=b HTTP/1.1\r\nhost: h\r\nuser-agent: ua-8.0\r\n"
			    "x-list: one, Two,Three\r\nx-port: 80\r\nx-real-ip: 10.0.0.1\r\n\r\n"));
	CU_ASSERT(forwarded("GET /m HTTP/1.0\r\nUser-Agent: wget\r\n\r\n",
			    "POST /m HTTP/1.0\r\nuser-agent: wget\r\nx-port: 80\r\n"
			    "x-real-ip: 10.0.0.1\r\n\r\n"));
	CU_ASSERT(forwarded("GET /r/a/b?k HTTP/1.1\r\nHost: h\r\n\r\n",
			    "GET /rr/a/b?k HTTP/1.1\r\nhost: h\r\nx-port: 80\r\n"
			    "x-real-ip: 10.0.0.1\r\n\r\n"));
	CU_ASSERT(forwarded("GET /set-uri?z HTTP/1.1\r\nHost: h\r\n\r\n",
			    "GET /uz HTTP/1.1\r\nhost: h\r\nx-port: 80\r\nx-real-ip: 10.0.0.1\r\n\r\n"));
	CU_ASSERT(forwarded("GET http://h/p?a HTTP/1.1\r\nHost: h\r\n\r\n",
			    "GET http://h/new/p?q=a HTTP/1.1\r\nhost: h\r\nx-port: 80\r\n"
			    "x-real-ip: 10.0.0.1\r\n\r\n"));
	/* dynamic use_backend: a map hit names be_a; a name that is no backend, or no match,
	 * gives the default backend */
	decide("GET /dyn HTTP/1.1\r\nHost: EXAMPLE.com\r\n\r\n");
	CU_ASSERT(dec.verdict == SL_HX_FORWARD && dec.be == tpx(acfg, "be_a"));
	decide("GET /dyn HTTP/1.1\r\nHost: other.com\r\n\r\n");
	CU_ASSERT(dec.verdict == SL_HX_FORWARD && dec.be == tpx(acfg, "b"));
	decide("GET /dyn HTTP/1.1\r\nHost: third.com\r\n\r\n");
	CU_ASSERT(dec.verdict == SL_HX_FORWARD && dec.be == tpx(acfg, "b"));
	/* the response: set-status, set-header with an expression, replace-header */
	struct sl_http1_resp rsp;
	struct sl_http1_hdr rh[8];
	size_t rn = 8;
	const char *rt = "HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Length: 0\r\n\r\n";
	CU_ASSERT_FATAL(sl_http1_parse_response(rt, strlen(rt), 65536, &rsp, rh, &rn) > 0);
	struct sl_hx_rsp_edit re = {.fe = tpx(acfg, "f"), .be = tpx(acfg, "b"), .ctx = &ctx};
	o = (struct sl_hx_out){out, sizeof(out), 0, false};
	CU_ASSERT(sl_hx_build_response(&o, &rsp, rh, rn, &re));
	CU_ASSERT(out_is(o.buf, o.len, "HTTP/1.1 203 Non-Authoritative Information\r\n"
				       "server: proxied-nginx\r\ncontent-length: 0\r\n"
				       "strict-transport-security: max-age=63072000\r\n"
				       "x-via: 10.0.0.2\r\n\r\n"));
	sl_cfg_free(acfg);
}

#define USERS "userlist L\n    group admins users alice\n    group ops\n    group dev\n" \
	"    user alice password $6$abcdefgh$ltjgWl6579NluT/Vi1nwEvcil.G5Nbc4NiXZaNGStk8PSwGfQv72N2CKPPrVACtLtip/cZ/1GM/O6IND4WQhG.\n" \
	"    user bob insecure-password hunter2 groups ops,dev\n"

static bool ul_refused(const char *text, int line, const char *sub)
{
	struct sl_cfg_text t = {.name = "t.cfg", .data = text, .len = strlen(text)};
	struct tdiags d;
	return trefused(&t, 1, false, "t.cfg", line, sub, NULL, &d);
}

static const char cfg_auth[] =
	USERS HEAD
	"    acl ok http_auth(L)\n"
	"    acl adm http_auth_group(L) admins\n"
	"    acl dev http_auth_group(L) nope dev\n"
	"    acl pf path -f /m/paths.lst\n"
	"    http-request auth realm \"Sec\\ret\" if { path /a } !ok\n"
	"    http-request auth if { path /b } !adm\n"
	"    http-request deny if { path /d } !dev\n"
	"    http-request deny deny_status 404 if pf\n"
	TAIL;

static bool acl_is(const char *name, const char *auth)
{
	char text[512];
	snprintf(text, sizeof(text), "GET / HTTP/1.1\r\nHost: h\r\n%s%s%s\r\n",
		 auth ? "Authorization: " : "", auth ? auth : "", auth ? "\r\n" : "");
	CU_ASSERT_FATAL(parse_req(text) > 0);
	ctx = req_ctx();
	return sl_acl_cond_eval(tpx(acfg, "f"), &(struct sl_cond){
		.ors = &(struct sl_cond_and){.terms = &(struct sl_cond_term){.name = name}}}, &ctx);
}

static void test_auth(void)
{
	tfs_reset();
	tfs_add("/m/paths.lst", "# forbidden\n/secret\n\n  /hidden  \n");
	struct tdiags d;
	int rc = tparse(cfg_auth, &acfg, &d);
	T_PARSED_OK(rc, acfg, &d);
	unsigned long c0 = sl_ul_crypt_calls(sl_acl_scratch_ul(scr));
	CU_ASSERT(!acl_is("ok", NULL));
	CU_ASSERT(acl_is("ok", "Basic YWxpY2U6c2VjcmV0"));
	CU_ASSERT(acl_is("ok", "basic   YWxpY2U6c2VjcmV0 "));
	CU_ASSERT(!acl_is("ok", "Basic YWxpY2U6d3Jvbmc="));
	CU_ASSERT(acl_is("ok", "Basic Ym9iOmh1bnRlcjI="));
	CU_ASSERT(!acl_is("ok", "Basic Ym9iOmh1bnRlcjM="));
	CU_ASSERT(!acl_is("ok", "Basic ZXZlOnNlY3JldA=="));
	CU_ASSERT(!acl_is("ok", "Bearer YWxpY2U6c2VjcmV0"));
	CU_ASSERT(!acl_is("ok", "Basic !!!"));
	/* alice verified once (then cached), her wrong password each time */
	CU_ASSERT_EQUAL(sl_ul_crypt_calls(sl_acl_scratch_ul(scr)) - c0, 2);
	CU_ASSERT(!acl_is("ok", "Basic YWxpY2U6d3Jvbmc="));
	CU_ASSERT_EQUAL(sl_ul_crypt_calls(sl_acl_scratch_ul(scr)) - c0, 3);
	CU_ASSERT(acl_is("adm", "Basic YWxpY2U6c2VjcmV0"));
	CU_ASSERT(!acl_is("adm", "Basic Ym9iOmh1bnRlcjI="));
	CU_ASSERT(acl_is("dev", "Basic Ym9iOmh1bnRlcjI="));
	CU_ASSERT(!acl_is("dev", "Basic YWxpY2U6c2VjcmV0"));
	CU_ASSERT_EQUAL(sl_ul_crypt_calls(sl_acl_scratch_ul(scr)) - c0, 3);
	/* the action: HAProxy 2.6's 401 page, the realm quoted (its own realm, or the proxy's);
	 * a control character (the "\r" the quoted word made) never reaches the field */
	decide("GET /a HTTP/1.1\r\nHost: h\r\n\r\n");
	CU_ASSERT(dec.verdict == SL_HX_RETURN && dec.status == 401);
	CU_ASSERT(out_is(o.buf, o.len, "HTTP/1.1 401 Unauthorized\r\ncontent-length: 112\r\n"
				       "cache-control: no-cache\r\ncontent-type: text/html\r\n"
				       "www-authenticate: Basic realm=\"Secet\"\r\n\r\n"
				       "<html><body><h1>401 Unauthorized</h1>\nYou need a valid user "
				       "and password to access this content.\n</body></html>\n"));
	decide("GET /a HTTP/1.1\r\nHost: h\r\nAuthorization: Basic YWxpY2U6c2VjcmV0\r\n\r\n");
	CU_ASSERT_EQUAL(dec.verdict, SL_HX_FORWARD);
	decide("GET /b HTTP/1.1\r\nHost: h\r\nAuthorization: Basic Ym9iOmh1bnRlcjI=\r\n\r\n");
	CU_ASSERT(dec.verdict == SL_HX_RETURN && dec.status == 401);
	CU_ASSERT(o.len > 0 && strstr(o.buf, "realm=\"f\"\r\n") != NULL);
	/* a pattern file: comments and blank lines skipped, spaces trimmed */
	decide("GET /hidden HTTP/1.1\r\nHost: h\r\n\r\n");
	CU_ASSERT(dec.verdict == SL_HX_DENY && dec.status == 404);
	o = (struct sl_hx_out){out, sizeof(out), 0, false};
	sl_hx_error(&o, tpx(acfg, "f"), NULL, 404); /* HAProxy 2.6's page */
	CU_ASSERT(out_is(o.buf, o.len, "HTTP/1.1 404 Not Found\r\ncontent-length: 83\r\n"
				       "cache-control: no-cache\r\ncontent-type: text/html\r\n\r\n"
				       "<html><body><h1>404 Not Found</h1>\nThe resource could not be "
				       "found.\n</body></html>\n"));
	decide("GET /secret HTTP/1.1\r\nHost: h\r\n\r\n");
	CU_ASSERT(dec.verdict == SL_HX_DENY && dec.status == 404);
	decide("GET /open HTTP/1.1\r\nHost: h\r\n\r\n");
	CU_ASSERT_EQUAL(dec.verdict, SL_HX_FORWARD);
	sl_cfg_free(acfg);
	/* userlist errors at their lines */
	CU_ASSERT(ul_refused("userlist L\n    user a\n", 2, "password"));
	CU_ASSERT(ul_refused("userlist L\n    user a password\n", 2, "expects a value"));
	CU_ASSERT(ul_refused("userlist L\n    user a secret x\n", 2, "'secret'"));
	CU_ASSERT(ul_refused("userlist L\n    member a\n", 2, "'member'"));
	CU_ASSERT(ul_refused("userlist L\n    group g members a\n", 2, "group"));
	CU_ASSERT(ul_refused("userlist\n", 1, "userlist"));
	CU_ASSERT(ul_refused("userlist L\nuserlist L\n", 2, "twice"));
	CU_ASSERT(ul_refused("userlist L\n    user a insecure-password x groups g\n", 1, "'g'"));
	CU_ASSERT(ul_refused("userlist L\n    group g users a,b\n    user a insecure-password x\n", 1,
			     "'b'"));
}

/* balance hdr(NAME) [use_domain_only]: parsed, inherited, dumped; its hash is picked in
 * dataplane/http/queue.c (tests/e2e/test_http_actions.sh: one key, one server). */
static void test_balance_hdr(void)
{
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	T_PARSE_OK("defaults\n    mode http\n    timeout connect 1s\n    timeout client 1s\n"
		   "    timeout server 1s\n    balance hdr(X-Key)\n"
		   "backend a\n    balance hdr(Host) use_domain_only\n    server s 10.0.0.1:80\n"
		   "backend b\n    server s 10.0.0.1:80\n",
		   cfg, &d);
	CU_ASSERT_EQUAL(d.nwarn, 0);
	CU_ASSERT(tpx(cfg, "a")->balance == SL_BAL_HDR && tpx(cfg, "a")->bal_hdr_domain);
	T_STR_EQ(tpx(cfg, "a")->bal_hdr, "Host");
	CU_ASSERT(tpx(cfg, "b")->balance == SL_BAL_HDR && !tpx(cfg, "b")->bal_hdr_domain);
	T_STR_EQ(tpx(cfg, "b")->bal_hdr, "X-Key");
	char *dump = tdump(cfg, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(dump);
	CU_ASSERT_PTR_NOT_NULL(strstr(dump, "balance hdr(Host) use_domain_only\n"));
	free(dump);
	sl_cfg_free(cfg);
}

static int setup(void)
{
	scr = sl_acl_scratch_new();
	return scr != NULL ? 0 : -1;
}

static const struct sl_test_case cases[] = {
	{"expressions refused by name", test_lf_refused},
	{"expressions evaluated, truncation, maps", test_lf_eval},
	{"actions", test_actions},
	{"auth, userlists, pattern files", test_auth},
	{"balance hdr", test_balance_hdr},
	{NULL, NULL}};
static const struct sl_test_suite suites[] = {{"http_actions", cases}, {NULL, NULL}};

int main(void)
{
	if (setup() < 0)
		return 1;
	int r = sl_test_run(suites);
	sl_acl_scratch_free(scr);
	return r;
}
