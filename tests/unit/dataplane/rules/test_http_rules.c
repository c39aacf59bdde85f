/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The HTTP engine's decisions and heads (dataplane/rules/http_rules.c) against what HAProxy 2.6 sends for
 * the same configuration and request (recorded from haproxy -db on loopback): the forwarded
 * request (lowercased names, client X-Forwarded-For kept, add-header, X-Forwarded-For
 * appended, connection: close for http-server-close), the prefixed Set-Cookie, the redirect
 * of `redirect scheme https`, errorfiles re-emitted, routing of the seed's HLS ACL.
 */
#include <string.h>

#include "dataplane/rules/acl_eval.h"
#include "dataplane/rules/http_rules.h"
#include "dataplane/rules/cookie.h"
#include "tests/unit/controlplane/cfg/cfg_test_util.h"

static char out[65536];

static struct sl_http1_req req;
static struct sl_http1_hdr hdrs[SL_HTTP1_MAX_HDRS_DEFAULT];
static size_t nh;

static int parse_req(const char *text)
{
	nh = SL_HTTP1_MAX_HDRS_DEFAULT;
	return sl_http1_parse_request(text, strlen(text), 65536, &req, hdrs, &nh);
}

static bool out_is(const struct sl_hx_out *o, const char *want)
{
	if (o->len == strlen(want) && memcmp(o->buf, want, o->len) == 0)
		return true;
	fprintf(stderr, "\n--- got:\n%.*s--- want:\n%s---\n", (int)o->len, o->buf, want);
	return false;
}

static const char cfg_xff[] = "defaults\n"
			      "    mode http\n"
			      "    option forwardfor\n"
			      "    option http-server-close\n"
			      "    timeout connect 5000\n"
			      "    timeout client 5000\n"
			      "    timeout server 5000\n"
			      "frontend f\n"
			      "    bind 127.0.0.1:19000\n"
			      "    http-request add-header X-Forwarded-Proto http\n"
			      "    default_backend b\n"
			      "backend b\n"
			      "    cookie JSESSIONID prefix nocache\n"
			      "    server ams1 127.0.0.1:19001 cookie ams1\n";

static void test_request_like_haproxy(void)
{
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	int rc = tparse(cfg_xff, &cfg, &d);
	T_PARSED_OK(rc, cfg, &d);
	const struct sl_proxy *fe = tpx(cfg, "f"), *be = tpx(cfg, "b");
	CU_ASSERT_FATAL(fe != NULL && be != NULL);
	CU_ASSERT_FATAL(parse_req("GET /p?q=1 HTTP/1.1\r\nHost: 127.0.0.1:19000\r\n"
				  "User-Agent: curl/7.88.1\r\nAccept: */*\r\n"
				  "X-Forwarded-For: 1.2.3.4\r\n"
				  "Cookie: a=1; JSESSIONID=ams1~xyz; b=2\r\n\r\n") > 0);
	struct sl_acl_ctx ctx = {.req = &req, .hdrs = hdrs, .nhdrs = nh, .src = TIP4(127, 0, 0, 1)};
	struct sl_hx_out o = {out, sizeof(out), 0, false};
	struct sl_hx_decision dec;
	sl_hx_decide(cfg, fe, &req, hdrs, nh, &ctx, false, 1700000000u, &o, &dec);
	CU_ASSERT_EQUAL(dec.verdict, SL_HX_FORWARD);
	CU_ASSERT_PTR_EQUAL(dec.be, be);
	CU_ASSERT(dec.cookie_srv_len == 4 && memcmp(dec.cookie_srv, "ams1", 4) == 0);
	struct sl_hx_req_edit e = {.fe = fe, .be = be, .ctx = &ctx, .client_ip = TIP4(127, 0, 0, 1),
				   .server_close = true};
	CU_ASSERT(sl_hx_build_request(&o, &req, hdrs, nh, &e));
	CU_ASSERT(out_is(&o, "GET /p?q=1 HTTP/1.1\r\n"
			     "host: 127.0.0.1:19000\r\n"
			     "user-agent: curl/7.88.1\r\n"
			     "accept: */*\r\n"
			     "x-forwarded-for: 1.2.3.4\r\n"
			     "cookie: a=1; JSESSIONID=xyz; b=2\r\n"
			     "x-forwarded-proto: http\r\n"
			     "x-forwarded-for: 127.0.0.1\r\n"
			     "connection: close\r\n\r\n"));
	/* HTTP/1.0: no connection field (1.0 closes by default) */
	CU_ASSERT_FATAL(parse_req("GET / HTTP/1.0\r\nHost: 127.0.0.1:19000\r\n"
				  "User-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n") > 0);
	ctx.req = &req;
	ctx.nhdrs = nh;
	o = (struct sl_hx_out){out, sizeof(out), 0, false};
	CU_ASSERT(sl_hx_build_request(&o, &req, hdrs, nh, &e));
	CU_ASSERT(out_is(&o, "GET / HTTP/1.0\r\n"
			     "host: 127.0.0.1:19000\r\n"
			     "user-agent: curl/7.88.1\r\n"
			     "accept: */*\r\n"
			     "x-forwarded-proto: http\r\n"
			     "x-forwarded-for: 127.0.0.1\r\n\r\n"));
	/* Hop-by-hop fields go, the client's Connection included */
	CU_ASSERT_FATAL(parse_req("GET / HTTP/1.1\r\nHost: h\r\nConnection: keep-alive, X-Foo\r\n"
				  "X-Foo: 1\r\nKeep-Alive: 5\r\nTE: trailers\r\nX-Bar: 2\r\n\r\n") > 0);
	ctx.req = &req;
	ctx.nhdrs = nh;
	o = (struct sl_hx_out){out, sizeof(out), 0, false};
	CU_ASSERT(sl_hx_build_request(&o, &req, hdrs, nh, &e));
	CU_ASSERT(out_is(&o, "GET / HTTP/1.1\r\nhost: h\r\nx-bar: 2\r\n"
			     "x-forwarded-proto: http\r\nx-forwarded-for: 127.0.0.1\r\n"
			     "connection: close\r\n\r\n"));
	/*
	 * One authority: an absolute-form target loses its default port and the Host kept (one of
	 * two equal lines) is the target's host, as HAProxy 2.6.12 forwarded it to test_http.sh's
	 * head echo backend
	 */
	CU_ASSERT_FATAL(parse_req("GET http://a.example:80/p?q=1 HTTP/1.1\r\nHost: A.EXAMPLE:80\r\n"
				  "User-Agent: x\r\nhost: a.example:80\r\n\r\n") > 0);
	ctx.req = &req;
	ctx.nhdrs = nh;
	o = (struct sl_hx_out){out, sizeof(out), 0, false};
	CU_ASSERT(sl_hx_build_request(&o, &req, hdrs, nh, &e));
	CU_ASSERT(out_is(&o, "GET http://a.example/p?q=1 HTTP/1.1\r\nhost: a.example\r\n"
			     "user-agent: x\r\nx-forwarded-proto: http\r\n"
			     "x-forwarded-for: 127.0.0.1\r\nconnection: close\r\n\r\n"));
	/* An output too small is refused, not overrun */
	char tiny[40];
	o = (struct sl_hx_out){tiny, sizeof(tiny), 0, false};
	CU_ASSERT(!sl_hx_build_request(&o, &req, hdrs, nh, &e));
	CU_ASSERT(o.len <= sizeof(tiny));
	sl_cfg_free(cfg);
}

static void test_response_like_haproxy(void)
{
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	int rc = tparse(cfg_xff, &cfg, &d);
	T_PARSED_OK(rc, cfg, &d);
	const struct sl_proxy *fe = tpx(cfg, "f"), *be = tpx(cfg, "b");
	const char *text = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
			   "Set-Cookie: JSESSIONID=abc123; Path=/\r\nContent-Length: 2\r\n\r\nok";
	struct sl_http1_resp rsp;
	nh = SL_HTTP1_MAX_HDRS_DEFAULT;
	CU_ASSERT_FATAL(sl_http1_parse_response(text, strlen(text), 65536, &rsp, hdrs, &nh) > 0);
	struct sl_acl_ctx ctx = {.src = 1};
	struct sl_hx_rsp_edit e = {.fe = fe, .be = be, .ctx = &ctx, .srv_cookie = "ams1",
				   .meth = SL_HTTP1_M_GET};
	struct sl_hx_out o = {out, sizeof(out), 0, false};
	CU_ASSERT(sl_hx_build_response(&o, &rsp, hdrs, nh, &e));
	CU_ASSERT(out_is(&o, "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n"
			     "set-cookie: JSESSIONID=ams1~abc123; Path=/\r\n"
			     "content-length: 2\r\n\r\n"));
	e.close_client = true;
	o = (struct sl_hx_out){out, sizeof(out), 0, false};
	CU_ASSERT(sl_hx_build_response(&o, &rsp, hdrs, nh, &e));
	CU_ASSERT(out_is(&o, "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n"
			     "set-cookie: JSESSIONID=ams1~abc123; Path=/\r\n"
			     "content-length: 2\r\nconnection: close\r\n\r\n"));
	sl_cfg_free(cfg);
}

static void test_redirect_and_errors(void)
{
	const char *files[] = {"seed/seed-common.cfg", "seed/seed-https.cfg"};
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	int rc = tparse_fixtures(files, 2, &cfg, &d);
	T_PARSED_OK(rc, cfg, &d);
	const struct sl_proxy *fe = tpx(cfg, "http_lb");
	CU_ASSERT_FATAL(fe != NULL);
	CU_ASSERT_FATAL(parse_req("GET /p?q=1 HTTP/1.1\r\nHost: 127.0.0.1:19000\r\n\r\n") > 0);
	struct sl_acl_ctx ctx = {.req = &req, .hdrs = hdrs, .nhdrs = nh, .src = 1, .ssl = false};
	struct sl_hx_out o = {out, sizeof(out), 0, false};
	struct sl_hx_decision dec;
	sl_hx_decide(cfg, fe, &req, hdrs, nh, &ctx, false, 1700000000u, &o, &dec);
	CU_ASSERT_EQUAL(dec.verdict, SL_HX_REDIRECT);
	CU_ASSERT(out_is(&o, "HTTP/1.1 302 Found\r\ncontent-length: 0\r\n"
			     "location: https://127.0.0.1:19000/p?q=1\r\n"
			     "cache-control: no-cache\r\n\r\n"));
	/*
	 * The Location's host is the Host's, never the target's (HAProxy's, test_http.sh): its
	 * case, its default port cut with the target's, or nothing without a Host
	 */
	static const struct {
		const char *req, *location;
	} abs[] = {
		{"GET http://a.example/p HTTP/1.1\r\nHost: A.example\r\n\r\n",
		 "https://A.example/p"},
		{"GET http://a.example:80/p HTTP/1.1\r\nHost: a.example:80\r\n\r\n",
		 "https://a.example/p"},
		{"GET http://a.example/p HTTP/1.0\r\n\r\n", "https:///p"},
	};
	for (size_t i = 0; i < sizeof(abs) / sizeof(abs[0]); i++) {
		char want[256];
		CU_ASSERT_FATAL(parse_req(abs[i].req) > 0);
		struct sl_acl_ctx c = {.req = &req, .hdrs = hdrs, .nhdrs = nh, .src = 1};
		o = (struct sl_hx_out){out, sizeof(out), 0, false};
		sl_hx_decide(cfg, fe, &req, hdrs, nh, &c, false, 1700000000u, &o, &dec);
		CU_ASSERT_EQUAL(dec.verdict, SL_HX_REDIRECT);
		snprintf(want, sizeof(want),
			 "HTTP/1.1 302 Found\r\ncontent-length: 0\r\nlocation: %s\r\n"
			 "cache-control: no-cache\r\n\r\n",
			 abs[i].location);
		CU_ASSERT(out_is(&o, want));
	}
	CU_ASSERT_FATAL(parse_req("GET /p?q=1 HTTP/1.1\r\nHost: 127.0.0.1:19000\r\n\r\n") > 0);
	/* over TLS the same request is forwarded */
	ctx.ssl = true;
	o = (struct sl_hx_out){out, sizeof(out), 0, false};
	sl_hx_decide(cfg, fe, &req, hdrs, nh, &ctx, false, 1700000000u, &o, &dec);
	CU_ASSERT_EQUAL(dec.verdict, SL_HX_FORWARD);
	/* the seed's errorfile (the test's fake /etc/haproxy/errors/503.http) re-emitted */
	o = (struct sl_hx_out){out, sizeof(out), 0, false};
	sl_hx_error(&o, fe, dec.be, 503);
	CU_ASSERT(o.len > 20 && memcmp(o.buf, "HTTP/1.", 7) == 0);
	CU_ASSERT(memmem(o.buf, o.len, "onnection:", 10) == NULL); /* as HAProxy's stream layer */
	/* without errorfiles: HAProxy's built-in page */
	o = (struct sl_hx_out){out, sizeof(out), 0, false};
	sl_hx_error(&o, NULL, NULL, 408);
	CU_ASSERT(o.len > 0 && memcmp(o.buf, "HTTP/1.1 408 Request Time-out\r\n", 31) == 0);
	CU_ASSERT(memmem(o.buf, o.len, "connection:", 11) == NULL);
	/* the H1 layer's own 400: HAProxy 2.6's bytes */
	o = (struct sl_hx_out){out, sizeof(out), 0, false};
	sl_hx_mux_error(&o, 400);
	CU_ASSERT(out_is(&o, "HTTP/1.1 400 Bad request\r\nContent-length: 90\r\n"
			     "Cache-Control: no-cache\r\nConnection: close\r\n"
			     "Content-Type: text/html\r\n\r\n"
			     "<html><body><h1>400 Bad request</h1>\n"
			     "Your browser sent an invalid request.\n</body></html>\n"));
	sl_cfg_free(cfg);
}

static void test_hls_routing(void)
{
	const char *files[] = {"seed/seed-common.cfg", "seed/seed-hls.cfg"};
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	int rc = tparse_fixtures(files, 2, &cfg, &d);
	T_PARSED_OK(rc, cfg, &d);
	const struct sl_proxy *fe = tpx(cfg, "http_lb");
	struct sl_acl_scratch *scr = sl_acl_scratch_new();
	CU_ASSERT_FATAL(fe != NULL && scr != NULL);
	static const struct {
		const char *target;
		const char *backend;
	} cases[] = {{"/live/stream.m3u8", "backend_http_sticky"},
		     {"/live/STREAM_1.TS", "backend_http_sticky"},
		     {"/live/a.ts?token=1", "backend_http_sticky"},
		     {"/live/a.mp4", "backend_http"},
		     {"/", "backend_http"}};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char text[256];
		snprintf(text, sizeof(text), "GET %s HTTP/1.1\r\nHost: x\r\n"
			 "Cookie: JSESSIONID=ams2~v\r\n\r\n", cases[i].target);
		CU_ASSERT_FATAL(parse_req(text) > 0);
		struct sl_acl_ctx ctx = {.req = &req, .hdrs = hdrs, .nhdrs = nh, .src = 1,
					 .scratch = scr};
		struct sl_hx_out o = {out, sizeof(out), 0, false};
		struct sl_hx_decision dec;
		sl_hx_decide(cfg, fe, &req, hdrs, nh, &ctx, false, 1700000000u, &o, &dec);
		CU_ASSERT_EQUAL(dec.verdict, SL_HX_FORWARD);
		CU_ASSERT_FATAL(dec.be != NULL);
		T_STR_EQ(dec.be->name, cases[i].backend);
		bool sticky = strcmp(cases[i].backend, "backend_http_sticky") == 0;
		CU_ASSERT_EQUAL(dec.cookie_srv != NULL, sticky);
	}
	sl_acl_scratch_free(scr);
	sl_cfg_free(cfg);
}


/* insert mode with maxidle: a cookie whose LAST date is older than maxidle names no server. */
static void test_cookie_age(void)
{
	static const char text[] = "defaults\n    mode http\n    timeout connect 1s\n"
				   "    timeout client 1s\n    timeout server 1s\n"
				   "frontend f\n    bind :80\n    default_backend b\n"
				   "backend b\n    cookie SRV insert indirect maxidle 30m maxlife 8h\n"
				   "    server s1 10.0.0.1:80 cookie s1\n";
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	int rc = tparse(text, &cfg, &d);
	T_PARSED_OK(rc, cfg, &d);
	const struct sl_proxy *fe = tpx(cfg, "f"), *be = tpx(cfg, "b");
	uint32_t t0 = 1700000000u;
	char val[256], hdr[512];
	size_t vl = 0;
	CU_ASSERT_FATAL(sl_cookie_insert_value_at("SRV", "s1", &be->cookie, t0, t0, val, sizeof(val),
						  &vl) == 0);
	char *semi = memchr(val, ';', vl); /* "SRV=s1|LAST|FIRST; path=/" -> the pair */
	CU_ASSERT_FATAL(semi != NULL);
	snprintf(hdr, sizeof(hdr), "GET / HTTP/1.1\r\nHost: x\r\nCookie: %.*s\r\n\r\n",
		 (int)(semi - val), val);
	CU_ASSERT_FATAL(parse_req(hdr) > 0);
	struct sl_acl_ctx ctx = {.req = &req, .hdrs = hdrs, .nhdrs = nh, .src = 1};
	struct sl_hx_out o = {out, sizeof(out), 0, false};
	struct sl_hx_decision dec;
	sl_hx_decide(cfg, fe, &req, hdrs, nh, &ctx, false, t0 + 60, &o, &dec);
	CU_ASSERT(dec.cookie_srv_len == 2 && memcmp(dec.cookie_srv, "s1", 2) == 0);
	CU_ASSERT(dec.cookie_first != 0);
	/* two hours later: idle for more than 30 minutes, the cookie names no server */
	sl_hx_decide(cfg, fe, &req, hdrs, nh, &ctx, false, t0 + 7200, &o, &dec);
	CU_ASSERT_PTR_NULL(dec.cookie_srv);
	sl_cfg_free(cfg);
}

/* sl_hx_decide() on "GET @t" from client address @source, in a test with cfg, fe, ctx, o, dec. */
#define DECIDE_FROM(t, source)                                                              \
	do {                                                                                \
		CU_ASSERT_FATAL(parse_req("GET " t " HTTP/1.1\r\nHost: h\r\n\r\n") > 0);    \
		ctx = (struct sl_acl_ctx){.req = &req, .hdrs = hdrs, .nhdrs = nh, .src = (source)}; \
		o = (struct sl_hx_out){out, sizeof(out), 0, false};                          \
		sl_hx_decide(cfg, fe, &req, hdrs, nh, &ctx, false, 1700000000u, &o, &dec);   \
	} while (0)

/* http-request deny, redirect prefix and location with their codes. */
static void test_deny_and_redirects(void)
{
	static const char text[] = "defaults\n    mode http\n    timeout connect 1s\n"
				   "    timeout client 1s\n    timeout server 1s\n"
				   "frontend f\n    bind :80\n"
				   "    http-request deny deny_status 429 if { path_beg /admin }\n"
				   "    redirect prefix /new code 301 if { path_beg /old }\n"
				   "    redirect location /moved code 307 drop-query if { path /x }\n"
				   "    default_backend b\n"
				   "backend b\n    server s1 10.0.0.1:80\n";
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	int rc = tparse(text, &cfg, &d);
	T_PARSED_OK(rc, cfg, &d);
	const struct sl_proxy *fe = tpx(cfg, "f");
	struct sl_acl_ctx ctx;
	struct sl_hx_out o;
	struct sl_hx_decision dec;
#define DECIDE(t) DECIDE_FROM(t, 1)
	DECIDE("/admin/x");
	CU_ASSERT_EQUAL(dec.verdict, SL_HX_DENY);
	CU_ASSERT_EQUAL(dec.status, 429);
	DECIDE("/old/a?q=1");
	CU_ASSERT_EQUAL(dec.verdict, SL_HX_REDIRECT);
	CU_ASSERT(out_is(&o, "HTTP/1.1 301 Moved Permanently\r\ncontent-length: 0\r\n"
			     "location: /new/old/a?q=1\r\n\r\n")); /* permanent: no cache-control */
	DECIDE("/x?q=1");
	CU_ASSERT_EQUAL(dec.verdict, SL_HX_REDIRECT);
	CU_ASSERT(out_is(&o, "HTTP/1.1 307 Temporary Redirect\r\ncontent-length: 0\r\n"
			     "location: /moved\r\ncache-control: no-cache\r\n\r\n"));
	DECIDE("/other");
	CU_ASSERT_EQUAL(dec.verdict, SL_HX_FORWARD);
#undef DECIDE
	sl_cfg_free(cfg);
}

/* monitor-uri: answered before any rule, 200 or 503 with 'monitor fail'; the redirect words in
 * HAProxy's other orders (code first, then the type) and ignore-empty. */
static void test_monitor_and_redirect_orders(void)
{
	static const char text[] = "defaults\n    mode http\n    timeout connect 1s\n"
				   "    timeout client 1s\n    timeout server 1s\n"
				   "frontend f\n    bind :80\n"
				   "    monitor-uri /health\n"
				   "    acl down src 10.9.9.9\n"
				   "    monitor fail if down\n"
				   "    http-request deny if { path_beg /health }\n"
				   "    http-request redirect location \"\" ignore-empty if { path /e }\n"
				   "    http-request redirect code 301 location /there if { path_beg /old }\n"
				   "    http-request redirect drop-query code 308 prefix /p if { path /q }\n"
				   "    http-request redirect set-cookie SEEN=1 location /c if { path /r6 }\n"
				   "    http-request redirect code 301 clear-cookie OLD prefix /n if { path /r7 }\n"
				   "    default_backend b\n"
				   "backend b\n    server s1 10.0.0.1:80\n";
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	int rc = tparse(text, &cfg, &d);
	T_PARSED_OK(rc, cfg, &d);
	const struct sl_proxy *fe = tpx(cfg, "f");
	struct sl_acl_ctx ctx;
	struct sl_hx_out o;
	struct sl_hx_decision dec;
	/* the monitor answers before the deny rule that matches the same path */
	DECIDE_FROM("/health", 1);
	CU_ASSERT_EQUAL(dec.verdict, SL_HX_MONITOR);
	CU_ASSERT_EQUAL(dec.status, 200);
	DECIDE_FROM("http://h/health", 1); /* absolute-form: its path */
	CU_ASSERT_EQUAL(dec.verdict, SL_HX_MONITOR);
	DECIDE_FROM("/health", TIP4(10, 9, 9, 9));
	CU_ASSERT_EQUAL(dec.verdict, SL_HX_MONITOR);
	CU_ASSERT_EQUAL(dec.status, 503);
	DECIDE_FROM("/health?x=1", 1); /* the whole URI is compared */
	CU_ASSERT_EQUAL(dec.verdict, SL_HX_DENY);
	DECIDE_FROM("/healthz", 1);
	CU_ASSERT_EQUAL(dec.verdict, SL_HX_DENY);
	/* HAProxy's built-in 200 page */
	o = (struct sl_hx_out){out, sizeof(out), 0, false};
	sl_hx_error(&o, fe, NULL, 200);
	CU_ASSERT(out_is(&o, "HTTP/1.1 200 OK\r\ncontent-length: 58\r\ncache-control: no-cache\r\n"
			     "content-type: text/html\r\n\r\n"
			     "<html><body><h1>200 OK</h1>\nService ready.\n</body></html>\n"));
	/* redirects written code first */
	DECIDE_FROM("/e", 1); /* empty location with ignore-empty: the rule does not apply */
	CU_ASSERT_EQUAL(dec.verdict, SL_HX_FORWARD);
	DECIDE_FROM("/old/a?q=1", 1);
	CU_ASSERT_EQUAL(dec.verdict, SL_HX_REDIRECT);
	CU_ASSERT(out_is(&o, "HTTP/1.1 301 Moved Permanently\r\ncontent-length: 0\r\n"
			     "location: /there\r\n\r\n"));
	DECIDE_FROM("/q?a=b", 1);
	CU_ASSERT_EQUAL(dec.verdict, SL_HX_REDIRECT);
	CU_ASSERT(out_is(&o, "HTTP/1.1 308 Permanent Redirect\r\ncontent-length: 0\r\n"
			     "location: /p/q\r\n\r\n"));
	/* cookies after cache-control, as HAProxy 2.6 writes them (tests/e2e/test_cfgcompat.sh) */
	DECIDE_FROM("/r6", 1);
	CU_ASSERT(out_is(&o, "HTTP/1.1 302 Found\r\ncontent-length: 0\r\nlocation: /c\r\n"
			     "cache-control: no-cache\r\nset-cookie: SEEN=1; path=/;\r\n\r\n"));
	DECIDE_FROM("/r7", 1);
	CU_ASSERT(out_is(&o, "HTTP/1.1 301 Moved Permanently\r\ncontent-length: 0\r\n"
			     "location: /n/r7\r\nset-cookie: OLD; path=/; Max-Age=0;\r\n\r\n"));
	sl_cfg_free(cfg);
}

static const struct sl_test_case cases[] = {
	{"request_like_haproxy", test_request_like_haproxy},
	{"response_like_haproxy", test_response_like_haproxy},
	{"redirect_and_errors", test_redirect_and_errors},
	{"hls_routing", test_hls_routing},
	{"cookie_age", test_cookie_age},
	{"deny_and_redirects", test_deny_and_redirects},
	{"monitor-uri and redirect orders", test_monitor_and_redirect_orders},
	{NULL, NULL}};
static const struct sl_test_suite suites[] = {{"hx", cases}, {NULL, NULL}};

int main(void)
{
	return sl_test_run(suites);
}
