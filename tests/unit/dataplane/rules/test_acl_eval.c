/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the ACL evaluator (dataplane/rules/acl_eval.c): conditions parsed from
 * configuration text by the real parser, evaluated on requests parsed by proto/http1.c. Each
 * request lives in an exact-size heap buffer, so the ASan build catches any read past it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dataplane/rules/acl_eval.h"
#include "proto/http1.h"
#include "tests/unit/controlplane/cfg/cfg_test_util.h"
#include "tests/unit/sl_test.h"

#define DEFAULTS_HTTP            \
	"defaults\n"             \
	"  mode http\n"          \
	"  timeout connect 5s\n" \
	"  timeout client 5s\n"  \
	"  timeout server 5s\n"

#define GET(target) "GET " target " HTTP/1.1\r\nHost: example.com\r\n\r\n"

/* ---------------------------------------------------------------- helpers */

struct treq {
	char *buf;
	struct sl_http1_req req;
	struct sl_http1_hdr hdrs[32];
	size_t nhdrs;
};

/* Parses the whole of @head (a complete request head) from an exact-size heap copy. */
static bool treq_parse(struct treq *r, const char *head)
{
	size_t len = strlen(head);
	memset(r, 0, sizeof(*r));
	r->buf = malloc(len);
	if (r->buf == NULL)
		return false;
	memcpy(r->buf, head, len);
	r->nhdrs = sizeof(r->hdrs) / sizeof(r->hdrs[0]);
	int rc = sl_http1_parse_request(r->buf, len, len, &r->req, r->hdrs, &r->nhdrs);
	if (rc != (int)len) {
		fprintf(stderr, "request refused (%d, %s): %s\n", rc, sl_http1_err_name(r->req.err),
			head);
		return false;
	}
	return true;
}

/* Connection facts of a plain HTTP client 192.0.2.10 on port 80; @s may be NULL. */
static struct sl_acl_ctx tconn(struct sl_acl_scratch *s)
{
	struct sl_acl_ctx c = {.src = TIP4(192, 0, 2, 10), .dst_port = 80, .scratch = s};
	return c;
}

/* @cond of @px on request @head with the facts of @c: 1 true, 0 false, -1 request refused. */
static int ceval(const struct sl_proxy *px, const struct sl_cond *cond, const char *head,
		 struct sl_acl_ctx c)
{
	struct treq r;
	int res = -1;
	if (treq_parse(&r, head)) {
		c.req = &r.req;
		c.hdrs = r.hdrs;
		c.nhdrs = r.nhdrs;
		res = sl_acl_cond_eval(px, cond, &c);
	}
	free(r.buf);
	return res;
}

/* The same for one acl line. */
static int aeval(const struct sl_acl *acl, const char *head, struct sl_acl_ctx c)
{
	struct treq r;
	int res = -1;
	if (treq_parse(&r, head)) {
		c.req = &r.req;
		c.hdrs = r.hdrs;
		c.nhdrs = r.nhdrs;
		res = sl_acl_eval(acl, &c);
	}
	free(r.buf);
	return res;
}

/* Condition of the @i-th (0-based) http-request rule of @px, or NULL. */
static const struct sl_cond *rcond(const struct sl_proxy *px, int i)
{
	const struct sl_hrule *r = px->req_rules;
	while (r != NULL && i-- > 0)
		r = r->next;
	CU_ASSERT_PTR_NOT_NULL(r);
	return r != NULL ? r->cond : NULL;
}

/* Parses DEFAULTS_HTTP + "frontend f" + @body; returns frontend f (NULL on failure). */
static struct sl_proxy *tfe(const char *body, struct sl_cfg **cfg)
{
	static const char head[] = DEFAULTS_HTTP "frontend f\n  bind :80\n";
	size_t n = sizeof(head) + strlen(body);
	char *text = malloc(n);
	struct tdiags d;
	*cfg = NULL;
	if (text == NULL)
		return NULL;
	snprintf(text, n, "%s%s", head, body);
	int rc = tparse(text, cfg, &d);
	free(text);
	T_PARSED_OK(rc, *cfg, &d);
	return tpx(*cfg, "f");
}

#define T_TRUE(e)  CU_ASSERT_EQUAL((e), 1)
#define T_FALSE(e) CU_ASSERT_EQUAL((e), 0)

/* ---------------------------------------------------------------- the seed */

static void test_seed_hls(void)
{
	static const char *const v2[] = {"seed/seed-common.cfg", "seed/seed-hls.cfg",
					 "seed/dataplane.cfg"};
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	tfs_reset();
	int rc = tparse_fixtures(v2, 3, &cfg, &d);
	T_PARSED_OK(rc, cfg, &d);
	struct sl_proxy *fe = tpx(cfg, "http_lb");
	CU_ASSERT_PTR_NOT_NULL_FATAL(fe);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fe->switches);
	const struct sl_cond *c = fe->switches->cond; /* use_backend ... if hls_request */
	struct sl_acl_scratch *s = sl_acl_scratch_new();
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);

	T_TRUE(ceval(fe, c, GET("/live/a.m3u8"), tconn(s)));
	T_TRUE(ceval(fe, c, GET("/live/A.TS"), tconn(s)));     /* -i */
	T_TRUE(ceval(fe, c, GET("/live/a.ts?x=1"), tconn(s))); /* path stops at '?' */
	T_TRUE(ceval(fe, c, GET("/live/a.M3u8?"), tconn(s)));
	T_FALSE(ceval(fe, c, GET("/live/a.mp4"), tconn(s)));
	T_FALSE(ceval(fe, c, GET("/live/a.ts/x"), tconn(s)));	    /* '$' anchors at the end */
	T_FALSE(ceval(fe, c, GET("/live/a.mp4?f=a.ts"), tconn(s))); /* the query is not looked at */
	T_FALSE(ceval(fe, c, GET("/live/ats"), tconn(s)));	    /* the '.' is escaped */
	T_TRUE(ceval(fe, c, GET("http://example.com/live/b.ts"), tconn(s))); /* absolute-form */
	T_FALSE(ceval(fe, c, GET("http://example.com"), tconn(s)));	     /* no path */

	/* the line alone, and without scratch (regexes then never match: no hidden malloc) */
	const struct sl_acl *a = tacl(fe, "hls_request");
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	T_TRUE(aeval(a, GET("/x.ts"), tconn(s)));
	T_FALSE(aeval(a, GET("/x.ts"), tconn(NULL)));

	/* no request: the path fetch fails */
	struct sl_acl_ctx tcp = tconn(s);
	CU_ASSERT_FALSE(sl_acl_cond_eval(fe, c, &tcp));
	sl_acl_scratch_free(s);
	sl_cfg_free(cfg);
}

static void test_seed_https_redirect(void)
{
	static const char *const v1[] = {"seed/seed-common.cfg", "seed/seed-https.cfg",
					 "seed/dataplane.cfg"};
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	tfs_reset();
	int rc = tparse_fixtures(v1, 3, &cfg, &d);
	T_PARSED_OK(rc, cfg, &d);
	struct sl_proxy *be = tpx(cfg, "backend_http");
	CU_ASSERT_PTR_NOT_NULL_FATAL(be);
	CU_ASSERT_PTR_NOT_NULL_FATAL(be->redirects);
	const struct sl_cond *c = be->redirects->cond; /* redirect scheme https if ! { ssl_fc } */
	struct sl_acl_ctx plain = tconn(NULL), tls = tconn(NULL);
	tls.ssl = true;
	tls.dst_port = 443;
	T_TRUE(ceval(be, c, GET("/"), plain));
	T_FALSE(ceval(be, c, GET("/"), tls));
	/* ssl_fc is a connection fact: it needs no request */
	CU_ASSERT_TRUE(sl_acl_cond_eval(be, c, &plain));
	CU_ASSERT_FALSE(sl_acl_cond_eval(be, c, &tls));
	sl_cfg_free(cfg);
}

/* ---------------------------------------------------------------- fetches */

static void test_path_fetches(void)
{
	struct sl_cfg *cfg;
	struct sl_proxy *f = tfe("  acl api path_beg /api /v2 /static\n"
				 "  acl exact path /index.html\n"
				 "  acl exact_i path -i /Index.HTML\n"
				 "  acl ext path_end .css .js\n"
				 "  acl sub path_sub admin\n"
				 "  acl dir path_dir /img/\n"
				 "  acl dir2 path_dir a/b\n"
				 "  acl ub url_beg /a?x\n"
				 "  acl ur url_reg ^/a\\?x=[0-9]+$\n"
				 "  acl mbeg path -m beg /m\n",
				 &cfg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	struct sl_acl_scratch *s = sl_acl_scratch_new();
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	struct sl_acl_ctx c = tconn(s);

	const struct sl_acl *a = tacl(f, "api");
	T_TRUE(aeval(a, GET("/api/users"), c));
	T_TRUE(aeval(a, GET("/v2"), c));
	T_TRUE(aeval(a, GET("/static/x.png?v=1"), c));
	T_TRUE(aeval(a, GET("/apix"), c)); /* a prefix, not a directory */
	T_FALSE(aeval(a, GET("/API/users"), c));
	T_FALSE(aeval(a, GET("/other"), c));
	T_FALSE(aeval(a, GET("/x/api"), c));

	a = tacl(f, "exact");
	T_TRUE(aeval(a, GET("/index.html"), c));
	T_TRUE(aeval(a, GET("/index.html?q"), c));
	T_FALSE(aeval(a, GET("/index.htm"), c));
	T_FALSE(aeval(a, GET("/INDEX.html"), c));
	T_TRUE(aeval(tacl(f, "exact_i"), GET("/INDEX.html"), c));

	a = tacl(f, "ext");
	T_TRUE(aeval(a, GET("/a/b.css"), c));
	T_TRUE(aeval(a, GET("/app.js?x=.png"), c));
	T_FALSE(aeval(a, GET("/a.json"), c));

	a = tacl(f, "sub");
	T_TRUE(aeval(a, GET("/x/admin/y"), c));
	T_TRUE(aeval(a, GET("/sysadmins"), c));
	T_FALSE(aeval(a, GET("/x?admin"), c));

	a = tacl(f, "dir"); /* the pattern's own slashes are ignored */
	T_TRUE(aeval(a, GET("/img/a.png"), c));
	T_TRUE(aeval(a, GET("/static/img"), c));
	T_TRUE(aeval(a, GET("/img"), c));
	T_FALSE(aeval(a, GET("/imgs/a.png"), c));
	T_FALSE(aeval(a, GET("/x-img/a"), c));
	a = tacl(f, "dir2");
	T_TRUE(aeval(a, GET("/x/a/b/c"), c));
	T_FALSE(aeval(a, GET("/x/a/bc"), c));

	/* url_* see the whole request-target, query included */
	a = tacl(f, "ub");
	T_TRUE(aeval(a, GET("/a?x=1"), c));
	T_FALSE(aeval(a, GET("/a/b?x=1"), c));
	a = tacl(f, "ur");
	T_TRUE(aeval(a, GET("/a?x=42"), c));
	T_FALSE(aeval(a, GET("/a?x=42&y"), c));

	T_TRUE(aeval(tacl(f, "mbeg"), GET("/media"), c));

	/* "*" and authority-form have no path */
	T_FALSE(aeval(tacl(f, "dir"), "OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n", c));
	T_FALSE(aeval(tacl(f, "sub"),
		      "CONNECT admin.example:443 HTTP/1.1\r\nHost: admin.example:443\r\n\r\n", c));
	sl_acl_scratch_free(s);
	sl_cfg_free(cfg);
}

static void test_hdr_fetches(void)
{
	struct sl_cfg *cfg;
	struct sl_proxy *f = tfe("  acl host_i hdr(host) -i example.com\n"
				 "  acl host hdr(host) example.com\n"
				 "  acl www hdr_beg(host) www.\n"
				 "  acl dom hdr_end(host) -i .example.org\n"
				 "  acl ua hdr_sub(user-agent) bot\n"
				 "  acl uar hdr_reg(user-agent) -i ^curl/[0-9]\n"
				 "  acl xf req.hdr(x-fwd) 10.0.0.1\n"
				 "  acl q hdr_sub(x-q) a,b\n"
				 "  acl empty hdr(x-e) \"\"\n"
				 "  acl has_x hdr(x-foo)\n"
				 "  acl found hdr(x-foo) -m found\n",
				 &cfg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	struct sl_acl_scratch *s = sl_acl_scratch_new();
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	struct sl_acl_ctx c = tconn(s);

	const char *up = "GET / HTTP/1.1\r\nHost: EXAMPLE.com\r\n\r\n";
	T_TRUE(aeval(tacl(f, "host_i"), up, c));
	T_FALSE(aeval(tacl(f, "host"), up, c)); /* without -i: case-sensitive */
	T_TRUE(aeval(tacl(f, "host"), GET("/"), c));
	T_FALSE(aeval(tacl(f, "host_i"), "GET / HTTP/1.1\r\nHost: example.org\r\n\r\n", c));
	T_FALSE(aeval(tacl(f, "host_i"), "GET / HTTP/1.0\r\n\r\n", c)); /* no Host */

	T_TRUE(aeval(tacl(f, "www"), "GET / HTTP/1.1\r\nHost: www.example.com\r\n\r\n", c));
	T_FALSE(aeval(tacl(f, "www"), "GET / HTTP/1.1\r\nHost: WWW.example.com\r\n\r\n", c));
	T_TRUE(aeval(tacl(f, "dom"), "GET / HTTP/1.1\r\nHost: a.EXAMPLE.org\r\n\r\n", c));
	T_FALSE(aeval(tacl(f, "dom"), "GET / HTTP/1.1\r\nHost: example.org\r\n\r\n", c));

	T_FALSE(aeval(tacl(f, "ua"), GET("/"), c));
	const char *bot = "GET / HTTP/1.1\r\nHost: h\r\nUser-Agent: googlebot/2.1\r\n\r\n";
	T_TRUE(aeval(tacl(f, "ua"), bot, c));
	T_TRUE(aeval(tacl(f, "uar"), "GET / HTTP/1.1\r\nHost: h\r\nuser-agent: CURL/8.5\r\n\r\n",
		     c));
	T_FALSE(aeval(tacl(f, "uar"), "GET / HTTP/1.1\r\nHost: h\r\nUser-Agent: x curl/8\r\n\r\n",
		      c));

	/* every comma-separated element of every line, trimmed */
	const struct sl_acl *a = tacl(f, "xf");
	T_TRUE(aeval(a, "GET / HTTP/1.1\r\nHost: h\r\nX-Fwd: 1.2.3.4,  10.0.0.1 \r\n\r\n", c));
	T_TRUE(aeval(a, "GET / HTTP/1.1\r\nHost: h\r\nX-Fwd: 1.2.3.4\r\nx-fwd: 10.0.0.1\r\n\r\n",
		     c));
	T_FALSE(aeval(a, "GET / HTTP/1.1\r\nHost: h\r\nX-Fwd: 1.2.3.4 10.0.0.1\r\n\r\n", c));
	T_FALSE(aeval(a, "GET / HTTP/1.1\r\nHost: h\r\nX-Fwdd: 10.0.0.1\r\n\r\n", c));
	/* a comma inside a quoted string does not split */
	T_TRUE(aeval(tacl(f, "q"), "GET / HTTP/1.1\r\nHost: h\r\nX-Q: x, \"a,b\"\r\n\r\n", c));
	T_FALSE(aeval(tacl(f, "q"), "GET / HTTP/1.1\r\nHost: h\r\nX-Q: a,b\r\n\r\n", c));
	/* empty elements are elements */
	T_TRUE(aeval(tacl(f, "empty"), "GET / HTTP/1.1\r\nHost: h\r\nX-E: a,\r\n\r\n", c));
	T_TRUE(aeval(tacl(f, "empty"), "GET / HTTP/1.1\r\nHost: h\r\nX-E:\r\n\r\n", c));
	T_FALSE(aeval(tacl(f, "empty"), "GET / HTTP/1.1\r\nHost: h\r\nX-E: a\r\n\r\n", c));

	/* no pattern, or -m found: presence, even of an empty value */
	T_TRUE(aeval(tacl(f, "has_x"), "GET / HTTP/1.1\r\nHost: h\r\nX-Foo: 1\r\n\r\n", c));
	T_TRUE(aeval(tacl(f, "found"), "GET / HTTP/1.1\r\nHost: h\r\nX-Foo:\r\n\r\n", c));
	T_FALSE(aeval(tacl(f, "has_x"), GET("/"), c));
	T_FALSE(aeval(tacl(f, "found"), GET("/"), c));
	sl_acl_scratch_free(s);
	sl_cfg_free(cfg);
}

/*
 * One authority: hdr(host) and url_* of an absolute-form request see what HAProxy 2.6's fetches
 * saw for the same requests (tests/e2e/test_http.sh): the default port cut from the target and
 * the Host replaced by the target's host, one Host line of two equal ones.
 */
static void test_authority(void)
{
	struct sl_cfg *cfg;
	struct sl_proxy *f = tfe("  acl host hdr(host) a.example\n"
				 "  acl host1 hdr_cnt(host) eq 1\n"
				 "  acl ub url_beg http://a.example/\n"
				 "  acl ur url_reg ^http://a\\.example/x$\n",
				 &cfg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	struct sl_acl_scratch *s = sl_acl_scratch_new();
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	struct sl_acl_ctx c = tconn(s);
	const char *p80 = "GET http://a.example:80/x HTTP/1.1\r\nHost: a.example:80\r\n\r\n";
	T_TRUE(aeval(tacl(f, "host"), p80, c));
	T_TRUE(aeval(tacl(f, "host1"), p80, c));
	T_TRUE(aeval(tacl(f, "ub"), p80, c));
	T_TRUE(aeval(tacl(f, "ur"), p80, c));
	const char *p8080 = "GET http://a.example:8080/x HTTP/1.1\r\nHost: a.example:8080\r\n\r\n";
	T_FALSE(aeval(tacl(f, "host"), p8080, c));
	T_FALSE(aeval(tacl(f, "ub"), p8080, c));
	T_FALSE(aeval(tacl(f, "ur"), p8080, c));
	const char *two =
		"GET http://a.example/x HTTP/1.1\r\nHost: a.example\r\nHost: A.example\r\n\r\n";
	T_TRUE(aeval(tacl(f, "host"), two, c));
	T_TRUE(aeval(tacl(f, "host1"), two, c));
	T_TRUE(aeval(tacl(f, "ur"), two, c));
	/* one that names another authority is no request at all */
	CU_ASSERT_EQUAL(aeval(tacl(f, "host"),
			      "GET http://b.example/x HTTP/1.1\r\nHost: a.example\r\n\r\n", c),
			-1);
	/* without a scratch the cut target (a copy) is no sample */
	T_FALSE(aeval(tacl(f, "ub"), p80, tconn(NULL)));
	T_TRUE(aeval(tacl(f, "ub"), "GET http://a.example/x HTTP/1.1\r\nHost: a.example\r\n\r\n",
		     tconn(NULL)));
	sl_acl_scratch_free(s);
	sl_cfg_free(cfg);
}

static void test_hdr_cnt(void)
{
	struct sl_cfg *cfg;
	struct sl_proxy *f = tfe("  acl none hdr_cnt(x-a) eq 0\n"
				 "  acl many hdr_cnt(x-a) gt 1\n"
				 "  acl two hdr_cnt(x-a) 2\n"
				 "  acl range hdr_cnt(x-a) 3:4\n",
				 &cfg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	struct sl_acl_ctx c = tconn(NULL);
	T_TRUE(aeval(tacl(f, "none"), GET("/"), c));
	T_FALSE(aeval(tacl(f, "many"), GET("/"), c));
	const char *one = "GET / HTTP/1.1\r\nHost: h\r\nX-A: 1\r\n\r\n";
	T_FALSE(aeval(tacl(f, "none"), one, c));
	T_FALSE(aeval(tacl(f, "many"), one, c));
	/* HAProxy counts list elements, not field lines */
	const char *two = "GET / HTTP/1.1\r\nHost: h\r\nX-A: 1, 2\r\n\r\n";
	T_TRUE(aeval(tacl(f, "many"), two, c));
	T_TRUE(aeval(tacl(f, "two"), two, c));
	const char *three = "GET / HTTP/1.1\r\nHost: h\r\nX-A: 1, 2\r\nx-a: 3\r\n\r\n";
	T_FALSE(aeval(tacl(f, "two"), three, c));
	T_TRUE(aeval(tacl(f, "range"), three, c));
	T_TRUE(aeval(tacl(f, "range"), "GET / HTTP/1.1\r\nHost: h\r\nX-A: a,,b,\r\n\r\n", c));
	/* no request: the fetch fails, it does not count 0 */
	CU_ASSERT_FALSE(sl_acl_eval(tacl(f, "none"), &c));
	sl_cfg_free(cfg);
}

static void test_method(void)
{
	struct sl_cfg *cfg;
	struct sl_proxy *f = tfe("  acl get method GET\n"
				 "  acl get_i method -i get\n"
				 "  acl purge method -i purge\n"
				 "  acl patch method PATCH\n",
				 &cfg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	struct sl_acl_ctx c = tconn(NULL);
	T_TRUE(aeval(tacl(f, "get"), GET("/"), c));
	T_FALSE(aeval(tacl(f, "get"), "HEAD / HTTP/1.1\r\nHost: h\r\n\r\n", c));
	T_FALSE(aeval(tacl(f, "get"), "get / HTTP/1.1\r\nHost: h\r\n\r\n", c));
	/* HAProxy: "get" is an unknown method, compared with unknown methods only */
	T_FALSE(aeval(tacl(f, "get_i"), GET("/"), c));
	T_TRUE(aeval(tacl(f, "get_i"), "gEt / HTTP/1.1\r\nHost: h\r\n\r\n", c));
	T_TRUE(aeval(tacl(f, "purge"), "PURGE / HTTP/1.1\r\nHost: h\r\n\r\n", c));
	T_TRUE(aeval(tacl(f, "patch"), "PATCH / HTTP/1.1\r\nHost: h\r\n\r\n", c));
	T_FALSE(aeval(tacl(f, "patch"), "patch / HTTP/1.1\r\nHost: h\r\n\r\n", c));
	sl_cfg_free(cfg);
}

static void test_l4_and_tls(void)
{
	struct sl_cfg *cfg;
	struct sl_proxy *f = tfe("  acl lan src 10.0.0.0/8 192.168.1.1\n"
				 "  acl mapped src ::ffff:172.16.0.0/108\n"
				 "  acl v6 src 2001:db8::/32\n"
				 "  acl all src 0.0.0.0/0\n"
				 "  acl ports dst_port 80 443 8000:8080 ge 9000\n"
				 "  acl low dst_port lt 1024\n"
				 "  acl tls ssl_fc\n"
				 "  acl sni ssl_fc_sni -i www.example.com\n"
				 "  acl sni_cs ssl_fc_sni www.example.com\n",
				 &cfg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	/* all of these work without a request (a TCP-only context) */
	struct sl_acl_ctx c = tconn(NULL);
	const struct sl_acl *lan = tacl(f, "lan"), *mapped = tacl(f, "mapped");
	c.src = TIP4(10, 1, 2, 3);
	CU_ASSERT_TRUE(sl_acl_eval(lan, &c));
	c.src = TIP4(192, 168, 1, 1);
	CU_ASSERT_TRUE(sl_acl_eval(lan, &c));
	c.src = TIP4(192, 168, 1, 2);
	CU_ASSERT_FALSE(sl_acl_eval(lan, &c));
	c.src = TIP4(11, 0, 0, 1);
	CU_ASSERT_FALSE(sl_acl_eval(lan, &c));
	CU_ASSERT_TRUE(sl_acl_eval(tacl(f, "all"), &c));
	CU_ASSERT_FALSE(sl_acl_eval(tacl(f, "v6"), &c));
	c.src = TIP4(172, 31, 255, 255);
	CU_ASSERT_TRUE(sl_acl_eval(mapped, &c));
	c.src = TIP4(172, 32, 0, 0);
	CU_ASSERT_FALSE(sl_acl_eval(mapped, &c));

	const struct sl_acl *ports = tacl(f, "ports");
	static const struct {
		uint16_t port;
		bool want;
	} pt[] = {{80, true},	 {443, true}, {8000, true}, {8042, true},  {8080, true},
		  {8081, false}, {81, false}, {9000, true}, {65535, true}, {0, false}};
	for (size_t i = 0; i < sizeof(pt) / sizeof(pt[0]); i++) {
		c.dst_port = pt[i].port;
		CU_ASSERT_EQUAL(sl_acl_eval(ports, &c), pt[i].want);
	}
	c.dst_port = 1023;
	CU_ASSERT_TRUE(sl_acl_eval(tacl(f, "low"), &c));
	c.dst_port = 1024;
	CU_ASSERT_FALSE(sl_acl_eval(tacl(f, "low"), &c));

	const struct sl_acl *tls = tacl(f, "tls"), *sni = tacl(f, "sni"),
			    *sni_cs = tacl(f, "sni_cs");
	static const char host[] = "WWW.example.com";
	c.sni = host;
	c.sni_len = sizeof(host) - 1;
	CU_ASSERT_FALSE(sl_acl_eval(tls, &c));
	CU_ASSERT_FALSE(sl_acl_eval(sni, &c)); /* no TLS: no SNI, whatever the field says */
	c.ssl = true;
	CU_ASSERT_TRUE(sl_acl_eval(tls, &c));
	CU_ASSERT_TRUE(sl_acl_eval(sni, &c));
	CU_ASSERT_FALSE(sl_acl_eval(sni_cs, &c));
	c.sni_len = 3; /* "WWW" */
	CU_ASSERT_FALSE(sl_acl_eval(sni, &c));
	c.sni = NULL;
	c.sni_len = 0;
	CU_ASSERT_FALSE(sl_acl_eval(sni, &c));
	CU_ASSERT_TRUE(sl_acl_eval(tls, &c));
	sl_cfg_free(cfg);
}

/* ---------------------------------------------------------------- conditions */

static void test_condition_logic(void)
{
	struct sl_cfg *cfg;
	struct sl_proxy *f = tfe("  acl api path_beg /api\n"
				 "  acl lan src 10.0.0.0/8\n"
				 "  acl adm path_beg /admin\n"
				 "  acl adm hdr(x-admin) yes\n"		       /* same name: ORed */
				 "  http-request deny if api lan\n"	       /* 0 */
				 "  http-request deny if api or lan\n"	       /* 1 */
				 "  http-request deny if api || lan\n"	       /* 2 */
				 "  http-request deny if ! api\n"	       /* 3 */
				 "  http-request deny if !api lan\n"	       /* 4 */
				 "  http-request deny unless api\n"	       /* 5 */
				 "  http-request deny unless api lan or adm\n" /* 6 */
				 "  http-request deny if adm\n"		       /* 7 */
				 "  http-request deny if { path_end .php } !lan\n"	    /* 8 */
				 "  http-request deny if api !{ src 10.9.0.0/16 } or adm\n" /* 9 */
				 "  http-request deny\n",				    /* 10 */
				 &cfg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	struct sl_acl_ctx in = tconn(NULL), out = tconn(NULL), in9 = tconn(NULL);
	in.src = TIP4(10, 1, 1, 1);
	in9.src = TIP4(10, 9, 1, 1);
	const char *api = GET("/api/x"), *web = GET("/index.php");
	const char *adm = "GET /x HTTP/1.1\r\nHost: h\r\nX-Admin: yes\r\n\r\n";

	/* implicit AND */
	T_TRUE(ceval(f, rcond(f, 0), api, in));
	T_FALSE(ceval(f, rcond(f, 0), api, out));
	T_FALSE(ceval(f, rcond(f, 0), web, in));
	/* or, || */
	for (int r = 1; r <= 2; r++) {
		T_TRUE(ceval(f, rcond(f, r), api, out));
		T_TRUE(ceval(f, rcond(f, r), web, in));
		T_FALSE(ceval(f, rcond(f, r), web, out));
	}
	/* ! as a word and as a prefix */
	T_FALSE(ceval(f, rcond(f, 3), api, out));
	T_TRUE(ceval(f, rcond(f, 3), web, out));
	T_TRUE(ceval(f, rcond(f, 4), web, in));
	T_FALSE(ceval(f, rcond(f, 4), api, in));
	T_FALSE(ceval(f, rcond(f, 4), web, out));
	/* unless negates the whole condition (AND binds tighter than or) */
	T_FALSE(ceval(f, rcond(f, 5), api, out));
	T_TRUE(ceval(f, rcond(f, 5), web, out));
	T_FALSE(ceval(f, rcond(f, 6), api, in));
	T_TRUE(ceval(f, rcond(f, 6), api, out));
	T_FALSE(ceval(f, rcond(f, 6), adm, out));
	/* two lines of one name */
	T_TRUE(ceval(f, rcond(f, 7), GET("/admin/"), out));
	T_TRUE(ceval(f, rcond(f, 7), adm, out));
	T_FALSE(ceval(f, rcond(f, 7), GET("/x"), out));
	/* anonymous ACLs, negated too */
	T_TRUE(ceval(f, rcond(f, 8), web, out));
	T_FALSE(ceval(f, rcond(f, 8), web, in));
	T_FALSE(ceval(f, rcond(f, 8), api, out));
	T_TRUE(ceval(f, rcond(f, 9), api, in));
	T_FALSE(ceval(f, rcond(f, 9), api, in9));
	T_TRUE(ceval(f, rcond(f, 9), adm, in9));
	/* a rule without a condition */
	CU_ASSERT_PTR_NULL(rcond(f, 10));
	T_TRUE(ceval(f, rcond(f, 10), web, out));

	/* a TCP-only context: HTTP terms are false, so their negation is true */
	CU_ASSERT_FALSE(sl_acl_cond_eval(f, rcond(f, 0), &in));
	CU_ASSERT_TRUE(sl_acl_cond_eval(f, rcond(f, 1), &in));
	CU_ASSERT_TRUE(sl_acl_cond_eval(f, rcond(f, 3), &out));
	CU_ASSERT_TRUE(sl_acl_cond_eval(f, rcond(f, 5), &out));
	sl_cfg_free(cfg);
}

static void test_predefined(void)
{
	struct sl_cfg *cfg;
	struct sl_proxy *f = tfe("  http-request deny if TRUE\n"		 /* 0 */
				 "  http-request deny if FALSE\n"		 /* 1 */
				 "  http-request deny if LOCALHOST\n"		 /* 2 */
				 "  http-request deny if METH_GET\n"		 /* 3 */
				 "  http-request deny if METH_POST !LOCALHOST\n" /* 4 */
				 "  http-request deny unless FALSE\n"		 /* 5 */
				 "  acl TRUE path /user-defined\n"
				 "  http-request deny if TRUE\n"		     /* 6 */
				 "  http-request deny if METH_PUT or METH_DELETE\n", /* 7 */
				 &cfg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	struct sl_acl_ctx lo = tconn(NULL), out = tconn(NULL);
	lo.src = TIP4(127, 0, 0, 5);
	const char *post = "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n";
	const char *head = "HEAD / HTTP/1.1\r\nHost: h\r\n\r\n";

	T_TRUE(ceval(f, rcond(f, 0), GET("/"), out));
	T_FALSE(ceval(f, rcond(f, 1), GET("/"), out));
	T_TRUE(ceval(f, rcond(f, 2), GET("/"), lo));
	T_FALSE(ceval(f, rcond(f, 2), GET("/"), out));
	T_TRUE(ceval(f, rcond(f, 3), GET("/"), out));
	T_TRUE(ceval(f, rcond(f, 3), head, out)); /* METH_GET is GET or HEAD */
	T_FALSE(ceval(f, rcond(f, 3), post, out));
	T_TRUE(ceval(f, rcond(f, 4), post, out));
	T_FALSE(ceval(f, rcond(f, 4), post, lo));
	T_TRUE(ceval(f, rcond(f, 5), GET("/"), out));
	/* a user ACL named TRUE, declared before the rule, wins over the predefined one */
	T_TRUE(ceval(f, rcond(f, 6), GET("/user-defined"), out));
	T_FALSE(ceval(f, rcond(f, 6), GET("/"), out));
	T_TRUE(ceval(f, rcond(f, 7), "DELETE /x HTTP/1.1\r\nHost: h\r\n\r\n", out));
	T_FALSE(ceval(f, rcond(f, 7), post, out));
	/* TRUE/FALSE/LOCALHOST need no request */
	CU_ASSERT_TRUE(sl_acl_cond_eval(f, rcond(f, 0), &out));
	CU_ASSERT_TRUE(sl_acl_cond_eval(f, rcond(f, 2), &lo));
	sl_cfg_free(cfg);
}

/*
 * The predefined names the model cannot express (the parser refuses them today), evaluated
 * from a hand-built term: what the parser would build if it accepted them by name.
 */
static int builtin(const char *name, bool neg, const struct sl_proxy *px, const char *req)
{
	struct sl_cond_term t = {.name = name, .neg = neg};
	struct sl_cond_and a = {.terms = &t};
	struct sl_cond c = {.ors = &a};
	if (req == NULL) {
		struct sl_acl_ctx x = tconn(NULL);
		return sl_acl_cond_eval(px, &c, &x);
	}
	return ceval(px, &c, req, tconn(NULL));
}

static void test_builtins_by_name(void)
{
	CU_ASSERT_TRUE(sl_acl_builtin_known("HTTP_1.1"));
	CU_ASSERT_TRUE(sl_acl_builtin_known("HTTP_URL_ABS"));
	CU_ASSERT_FALSE(sl_acl_builtin_known("TRUE")); /* resolved by the parser */
	CU_ASSERT_FALSE(sl_acl_builtin_known("REQ_CONTENT"));
	CU_ASSERT_FALSE(sl_acl_builtin_known("http_1.1")); /* names are case-sensitive */
	CU_ASSERT_FALSE(sl_acl_builtin_known(NULL));

	const char *h10 = "GET / HTTP/1.0\r\n\r\n", *h11 = GET("/");
	T_TRUE(builtin("HTTP", false, NULL, h11));
	T_FALSE(builtin("HTTP", false, NULL, NULL));
	T_TRUE(builtin("HTTP_1.1", false, NULL, h11));
	T_FALSE(builtin("HTTP_1.1", false, NULL, h10));
	T_TRUE(builtin("HTTP_1.0", false, NULL, h10));
	T_FALSE(builtin("HTTP_2.0", false, NULL, h11));
	T_TRUE(builtin("HTTP_URL_ABS", false, NULL, GET("http://example.com/x")));
	T_TRUE(builtin("HTTP_URL_ABS", false, NULL, GET("HTTPS://example.com")));
	T_FALSE(builtin("HTTP_URL_ABS", false, NULL, GET("/http://x")));
	T_TRUE(builtin("HTTP_URL_SLASH", false, NULL, GET("/x")));
	T_FALSE(builtin("HTTP_URL_SLASH", false, NULL, GET("http://example.com/x")));
	T_TRUE(builtin("HTTP_URL_STAR", false, NULL, "OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n"));
	T_FALSE(builtin("HTTP_URL_STAR", false, NULL, "OPTIONS / HTTP/1.1\r\nHost: h\r\n\r\n"));
	T_TRUE(builtin("HTTP_CONTENT", false, NULL,
		       "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\n"));
	T_FALSE(builtin("HTTP_CONTENT", false, NULL,
			"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n"));
	T_FALSE(builtin("HTTP_CONTENT", false, NULL, h11));

	/* an unknown name is false, so its negation is true */
	T_FALSE(builtin("NO_SUCH_ACL", false, NULL, h11));
	T_TRUE(builtin("NO_SUCH_ACL", true, NULL, h11));

	/* a user ACL of the same name hides the predefined one */
	struct sl_cfg *cfg;
	struct sl_proxy *f = tfe("  acl HTTP_1.1 path /v\n", &cfg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	T_FALSE(builtin("HTTP_1.1", false, f, h11));
	T_TRUE(builtin("HTTP_1.1", false, f, GET("/v")));
	sl_cfg_free(cfg);
}

static void test_misc(void)
{
	struct sl_cfg *cfg;
	struct sl_proxy *f = tfe("  acl t always_true\n"
				 "  acl no always_false\n"
				 "  http-request deny if t !no\n",
				 &cfg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	struct sl_acl_ctx c = tconn(NULL);
	CU_ASSERT_TRUE(sl_acl_eval(tacl(f, "t"), &c));
	CU_ASSERT_FALSE(sl_acl_eval(tacl(f, "no"), &c));
	CU_ASSERT_FALSE(sl_acl_eval(NULL, &c));
	CU_ASSERT_TRUE(sl_acl_cond_eval(f, rcond(f, 0), &c));
	CU_ASSERT_TRUE(sl_acl_cond_eval(f, NULL, &c));
	/* without the proxy, named terms cannot be found */
	CU_ASSERT_FALSE(sl_acl_cond_eval(NULL, rcond(f, 0), &c));
	sl_acl_scratch_free(NULL);
	sl_cfg_free(cfg);
}

/* ---------------------------------------------------------------- main */

static const struct sl_test_case seed_cases[] = {
	{"hls path_reg -i", test_seed_hls},
	{"https redirect unless ssl_fc", test_seed_https_redirect},
	{NULL, NULL},
};

static const struct sl_test_case fetch_cases[] = {
	{"path and url", test_path_fetches},
	{"hdr", test_hdr_fetches},
	{"hdr_cnt", test_hdr_cnt},
	{"one authority: hdr(host) and url of absolute-form targets", test_authority},
	{"method", test_method},
	{"src, dst_port, ssl_fc, ssl_fc_sni", test_l4_and_tls},
	{NULL, NULL},
};

static const struct sl_test_case cond_cases[] = {
	{"and, or, !, unless", test_condition_logic},
	{"predefined ACLs", test_predefined},
	{"predefined ACLs known by name", test_builtins_by_name},
	{"always_*, NULL arguments", test_misc},
	{NULL, NULL},
};

static const struct sl_test_suite suites[] = {
	{"acl_eval seed", seed_cases},
	{"acl_eval fetches", fetch_cases},
	{"acl_eval conditions", cond_cases},
	{NULL, NULL},
};

int main(void)
{
	return sl_test_run(suites);
}
