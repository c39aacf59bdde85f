/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of access-log lines (controlplane/log/alog_fmt.c) from formats compiled by the
 * parser (controlplane/cfg/cfg_alog.c): option httplog, httplog clf and httpslog, and custom
 * log-formats with every variable sluice writes, flags (+Q, -Q, %o, +X, +E), separators that
 * collapse around variables writing nothing, HAProxy's escaping of captured headers and of the
 * request line. The expected lines are HAProxy 2.6's for the same transactions, copied from its
 * output. Then the parser: unknown variables and fetches refused at their line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "controlplane/log/alog_fmt.h"
#include "tests/unit/controlplane/cfg/cfg_test_util.h"

/* 2026-12-07 16:29:57.112 UTC */
#define T0_MS 1796660997112LL

static void add(struct sl_alog_rec *r, const char *v)
{
	uint16_t l = v != NULL ? (uint16_t)strlen(v) : SL_ALOG_ABSENT;
	memcpy(r->txt + r->txt_len, &l, 2);
	r->txt_len += 2;
	if (v != NULL) {
		memcpy(r->txt + r->txt_len, v, l);
		r->txt_len += l;
	}
}

static void base(struct sl_alog_rec *r, const char *line)
{
	memset(r, 0, sizeof(*r));
	r->date_ms = T0_MS;
	r->cip = TIP4(127, 0, 0, 1);
	r->cport = 60100;
	r->fip = TIP4(127, 0, 0, 1);
	r->fport = 47090;
	strcpy(r->fe, "f");
	strcpy(r->be, "be");
	strcpy(r->srv, "s1");
	r->sip = TIP4(127, 0, 0, 1);
	r->sport = 47081;
	r->ti = 0;
	r->tq = 0;
	r->tw = 0;
	r->tc = 2015;
	r->tr = 72;
	r->tt = 2087;
	r->status = 404;
	r->bytes_out = 500;
	r->bytes_in = 99;
	r->ac = r->fc = 1;
	r->rc = 2;
	memcpy(r->ts, "----", 4);
	size_t l = strlen(line);
	memcpy(r->txt, line, l);
	r->rq_len = r->txt_len = (uint16_t)l;
}

/* The format of frontend "f" in a configuration whose frontend has @lines. */
static struct sl_cfg *cfg_with(const char *lines, const struct sl_alog_fmt **f)
{
	char text[4096];
	snprintf(text, sizeof(text),
		 "global\n  log 127.0.0.1:514 local0\ndefaults\n  mode http\n  log global\n"
		 "  timeout client 1s\n  timeout server 1s\n  timeout connect 1s\n"
		 "frontend f\n  bind 10.0.0.1:80\n%s\n  default_backend be\n"
		 "backend be\n  server s1 10.0.0.2:80\n",
		 lines);
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	int rc = tparse(text, &cfg, &d);
	T_PARSED_OK(rc, cfg, &d);
	*f = cfg != NULL && tpx(cfg, "f") != NULL ? tpx(cfg, "f")->alog : NULL;
	CU_ASSERT_PTR_NOT_NULL(*f);
	return cfg;
}

static void check_line(const char *fe_lines, const struct sl_alog_rec *r, const char *want)
{
	const struct sl_alog_fmt *f = NULL;
	struct sl_cfg *cfg = cfg_with(fe_lines, &f);
	if (f != NULL) {
		char b[2048];
		size_t n = sl_alog_format(b, sizeof(b), f, r, "lb1", 893);
		CU_ASSERT_EQUAL(n, strlen(b));
		T_STR_EQ(b, want);
	}
	sl_cfg_free(cfg);
}

static void test_httplog(void)
{
	setenv("TZ", "UTC", 1);
	struct sl_alog_rec r;
	base(&r, "GET /nope HTTP/1.1");
	add(&r, "127.0.0.");
	add(&r, "curl/7.88.1");
	add(&r, "text/html;charset=ut");
	r.nhrq = 2;
	r.nhrs = 1;
	const char *caps = "  option httplog\n  capture request header Host len 8\n"
			   "  capture request header User-Agent len 64\n"
			   "  capture response header Content-Type len 20";
	check_line(caps, &r,
		   "127.0.0.1:60100 [07/Dec/2026:16:29:57.112] f be/s1 0/0/2015/72/2087 404 500 - - "
		   "---- 1/1/0/0/2 0/0 {127.0.0.|curl/7.88.1} {text/html;charset=ut} "
		   "\"GET /nope HTTP/1.1\"");
	/* escaping: '"', '#', '{', '|', '}' and bytes outside 32..126 in captures; '"' and '#'
	 * in the request line; an absent response capture; a TLS frontend's '~'; a redispatch */
	base(&r, "GET /a\"#b HTTP/1.1");
	add(&r, "127.0.0.");
	add(&r, "ua \"q\" {x}|#\xc3\xa9");
	add(&r, NULL);
	r.nhrq = 2;
	r.nhrs = 1;
	r.flags = SL_ALOG_F_SSL | SL_ALOG_F_REDISP;
	r.rc = 1;
	check_line(caps, &r,
		   "127.0.0.1:60100 [07/Dec/2026:16:29:57.112] f~ be/s1 0/0/2015/72/2087 404 500 - - "
		   "---- 1/1/0/0/+1 0/0 {127.0.0.|ua #22q#22 #7Bx#7D#7C#23#C3#A9} {} "
		   "\"GET /a#22#23b HTTP/1.1\"");
	/* no captures: %hr and %hs write nothing, the separators collapse; timers not reached */
	base(&r, "");
	r.flags = SL_ALOG_F_BADREQ;
	strcpy(r.be, "f");
	strcpy(r.srv, "<NOSRV>");
	r.tq = r.tw = r.tc = r.tr = -1;
	r.tt = 1002;
	r.status = 408;
	r.bytes_out = 0;
	r.rc = 0;
	memcpy(r.ts, "cR--", 4);
	check_line("  option httplog", &r,
		   "127.0.0.1:60100 [07/Dec/2026:16:29:57.112] f f/<NOSRV> -1/-1/-1/-1/1002 408 0 - - "
		   "cR-- 1/1/0/0/0 0/0 \"<BADREQ>\"");
}

static void test_clf_httpslog(void)
{
	setenv("TZ", "UTC", 1);
	struct sl_alog_rec r;
	base(&r, "GET /index.html HTTP/1.1");
	add(&r, "127.0.0.");
	r.nhrq = 1;
	r.cport = 47734;
	r.date_ms = T0_MS - 112 + 720;
	r.tc = 0;
	r.tr = 14;
	r.tt = 14;
	r.status = 200;
	r.bytes_out = 185;
	r.rc = 0;
	strcpy(r.fe, "f");
	check_line("  option httplog clf\n  capture request header Host len 8", &r,
		   "127.0.0.1 - - [07/Dec/2026:16:29:57 +0000] \"GET /index.html HTTP/1.1\" 200 185 "
		   "\"\" \"\" 47734 720 \"f\" \"be\" \"s1\" 0 0 0 14 14 ---- 1 1 0 0 0 0 0 \"\" \"\" "
		   "\"127.0.0.\" ");
	base(&r, "GET /index.html HTTP/1.1");
	r.cport = 52420;
	r.tc = 0;
	r.tr = 3;
	r.tt = 3;
	r.status = 200;
	r.bytes_out = 185;
	r.rc = 0;
	add(&r, NULL); /* %[ssl_fc_sni]: none */
	r.nsmp = 1;
	check_line("  option httpslog", &r,
		   "127.0.0.1:52420 [07/Dec/2026:16:29:57.112] f be/s1 0/0/0/3/3 200 185 - - ---- "
		   "1/1/0/0/0 0/0 \"GET /index.html HTTP/1.1\" 0/-/-/-/0 -/-/-");
}

static void test_log_format(void)
{
	setenv("TZ", "UTC", 1);
	struct sl_alog_rec r;
	base(&r, "GET /a%20b?q=\"x\" HTTP/1.1");
	add(&r, "averyver");
	add(&r, "127.0.0.1"); /* %[src] */
	r.nhrq = 1;
	r.nsmp = 1;
	r.rc = 0;
	strcpy(r.fe, "f");
	check_line("  capture request header Host len 8\n"
		   "  log-format \"%ci %fi:%fp %ft %f %b %s %si:%sp %ST %B %U %ts %tsc %ac %fc %bc %sc "
		   "%rc %sq %bq %hr %hs %hrl %hsl %r %HM %HU %HV %HP [%{+Q}r] %{+Q}HU %[src] %ID %sslv "
		   "%sslc %CC %CS\"",
		   &r,
		   "127.0.0.1 127.0.0.1:47090 f f be s1 127.0.0.1:47081 404 500 99 -- ---- 1 1 0 0 0 0 "
		   "0 {averyver} averyver GET /a%20b?q=#22x#22 HTTP/1.1 GET /a%20b?q=#22x#22 HTTP/1.1 "
		   "/a%20b [\"GET /a%20b?q=#22x#22 HTTP/1.1\"] \"/a%20b?q=#22x#22\" 127.0.0.1 - - - - -");
	/* flags: +X, %o's +Q for what follows, -Q, +E; separators around nothing collapse */
	base(&r, "GET /index.html HTTP/1.1");
	add(&r, "127.0.0.1");
	r.nsmp = 1;
	r.cport = 49772;
	r.tq = 1;
	r.ti = 1;
	r.tt = 3;
	check_line("  log-format \"%{+X}ci:%{+X}cp %{+Q}o %b %{-Q}s %{+E}HM a  %hr  b %{+Q}[src] "
		   "%Tq %Th %Ti %Tt %pid %H %{-Q}Ta %{-Q}TR%%\"",
		   &r,
		   "7F000001:C26C \"be\" s1 \"GET\" a b \"127.0.0.1\" 2 0 1 3 893 \"lb1\" 2 1%");
	/* dates: %t, %T (GMT), %Ts, %ms */
	base(&r, "GET / HTTP/1.1");
	check_line("  log-format \"[%t] [%T] %Ts %ms\"", &r,
		   "[07/Dec/2026:16:29:57.112] [07/Dec/2026:16:29:57 +0000] 1796660997 112");
	/* truncation at the buffer's size */
	const struct sl_alog_fmt *f = NULL;
	struct sl_cfg *cfg = cfg_with("  option httplog", &f);
	char b[16];
	if (f != NULL)
		CU_ASSERT_EQUAL(sl_alog_format(b, sizeof(b), f, &r, NULL, 1), 15);
	sl_cfg_free(cfg);
}

static void test_refused(void)
{
	static const struct {
		const char *line, *sub;
	} bad[] = {
		{"  log-format \"%ci %zz\"", "no such log-format variable '%zz'"},
		{"  log-format \"%bi\"", "'%bi' is not supported by sluice"},
		{"  log-format \"%[path]\"", "sample fetch 'path' may not be used in a log-format"},
		{"  log-format \"%[nosuch]\"", "'nosuch' is unknown"},
		{"  log-format \"%{+Z}ci\"", "unknown log-format flag '+Z'"},
		{"  log-format \"%sluiceHttpsErrs\"", "no such log-format variable"},
		{"  capture request header Host", "'capture' expects"},
		{"  capture request header Host len 0", "capture"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char text[1024];
		snprintf(text, sizeof(text),
			 "defaults\n  mode http\n  timeout client 1s\n  timeout server 1s\n"
			 "  timeout connect 1s\nfrontend f\n  bind 10.0.0.1:80\n%s\n"
			 "  default_backend be\nbackend be\n  server s1 10.0.0.2:80\n",
			 bad[i].line);
		struct sl_cfg *cfg = NULL;
		struct tdiags d;
		int rc = tparse(text, &cfg, &d);
		CU_ASSERT(rc < 0);
		CU_ASSERT(tcheck_first_error(&d, true, "t.cfg", 8, bad[i].sub, NULL));
		sl_cfg_free(cfg);
	}
	/* no `log` target: no access log; a mode tcp frontend on the workers: a warning */
	const char *text = "defaults\n  mode http\n  option httplog\n  timeout client 1s\n"
			   "  timeout server 1s\n  timeout connect 1s\nfrontend f\n  bind 10.0.0.1:80\n"
			   "  default_backend be\nfrontend t\n  mode tcp\n  log 127.0.0.1 local0\n"
			   "  bind 10.0.0.1:81\n  default_backend bt\nbackend be\n"
			   "  server s1 10.0.0.2:80\nbackend bt\n  mode tcp\n  server s1 10.0.0.2:80\n";
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	int rc = tparse(text, &cfg, &d);
	T_PARSED_OK(rc, cfg, &d);
	if (cfg != NULL) {
		CU_ASSERT_PTR_NULL(tpx(cfg, "f")->alog);
		CU_ASSERT_PTR_NULL(tpx(cfg, "t")->alog);
		CU_ASSERT(tdiag_has(&d, SL_DIAG_WARNING, "t.cfg", 10, "no access log"));
	}
	sl_cfg_free(cfg);
}

int main(void)
{
	static const struct sl_test_case cases[] = {
		{"option httplog: fields, escaping, <BADREQ>", test_httplog},
		{"option httplog clf, option httpslog", test_clf_httpslog},
		{"log-format: variables, flags, separators, dates", test_log_format},
		{"refused formats, no target, L4 frontends", test_refused},
		{NULL, NULL},
	};
	static const struct sl_test_suite suites[] = {{"alog_fmt", cases}, {NULL, NULL}};
	return sl_test_run(suites);
}
