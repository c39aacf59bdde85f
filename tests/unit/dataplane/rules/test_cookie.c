/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the cookie persistence codec (dataplane/rules/cookie.c). The expected bytes are what
 * haproxy 2.6.12 forwarded on loopback (python backends echoing the Cookie field they got,
 * setting the Set-Cookie and Cache-Control they were asked to) for the same inputs and
 * configuration; what loopback could not show quickly (maxidle/maxlife arithmetic, the newer
 * s-maxage rule) follows src/http_ana.c and is marked "by the source".
 * Every input is passed as an exact-size heap copy and every output buffer is exactly the
 * capacity announced, so the ASan build catches a read or a write one byte out.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "controlplane/cfg/cfg-t.h"
#include "dataplane/rules/cookie.h"
#include "tests/unit/proto/proto_test_util.h"
#include "tests/unit/sl_test.h"

/* ----------------------------------------------------------------------------- helpers */

struct req_case {
	const char *in;
	const char *out; /* NULL: the field line is dropped */
	const char *srv; /* NULL: no server id */
};

/*
 * Runs sl_cookie_req_rewrite() on an exact copy of @in, with an output buffer of exactly the
 * length expected, then one byte short. Checks output, drop and srv.
 */
static void check_req(const char *name, enum sl_ck_mode mode, bool indirect,
		      const struct req_case *c)
{
	size_t len = strlen(c->in), want = c->out != NULL ? strlen(c->out) : 0;
	char *in = (char *)sl_t_dup((const uint8_t *)c->in, len);
	char *buf = malloc(want + 1);
	struct sl_cookie_req_out r;
	int rc = sl_cookie_req_rewrite(in, len, name, mode, indirect, false, buf, want, &r);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	CU_ASSERT_EQUAL(r.len, want);
	CU_ASSERT(memcmp(buf, c->out != NULL ? c->out : "", want) == 0);
	CU_ASSERT_EQUAL(r.drop, c->out == NULL);
	CU_ASSERT_EQUAL(r.changed, c->out == NULL || strcmp(c->in, c->out) != 0);
	if (c->srv == NULL) {
		CU_ASSERT_PTR_NULL(r.id.srv);
	} else {
		CU_ASSERT_PTR_NOT_NULL_FATAL(r.id.srv);
		CU_ASSERT(r.id.srv >= in &&
			  r.id.srv + r.id.srv_len <= in + len); /* a slice of the input */
		CU_ASSERT(r.id.srv_len == strlen(c->srv) &&
			  memcmp(r.id.srv, c->srv, r.id.srv_len) == 0);
	}
	if (want > 0)
		CU_ASSERT_EQUAL(sl_cookie_req_rewrite(in, len, name, mode, indirect, false, buf,
						      want - 1, &r),
				-1);
	free(buf);
	free(in);
}

/* Same for sl_cookie_rsp_rewrite(): @out NULL means KEEP, "" with drop means DROP. */
static void check_rsp(const char *name, enum sl_ck_mode mode, const char *srv, const char *in_s,
		      int want_rc, const char *out)
{
	size_t len = strlen(in_s), want = out != NULL ? strlen(out) : 0;
	char *in = (char *)sl_t_dup((const uint8_t *)in_s, len);
	char *buf = malloc(want + 1);
	size_t bl = 12345;
	size_t sl = srv != NULL ? strlen(srv) : 0;
	int rc = sl_cookie_rsp_rewrite(in, len, name, mode, srv, sl, buf, want, &bl);
	CU_ASSERT_EQUAL(rc, want_rc);
	if (want_rc == SL_COOKIE_RSP_REWRITTEN) {
		CU_ASSERT_EQUAL(bl, want);
		CU_ASSERT(bl == want && memcmp(buf, out, want) == 0);
		CU_ASSERT_EQUAL(
			sl_cookie_rsp_rewrite(in, len, name, mode, srv, sl, buf, want - 1, &bl),
			-1);
	}
	free(buf);
	free(in);
}

/* ------------------------------------------------------------------------ request side */

/* cookie SRV insert indirect: the cookie goes, the rest is joined as HAProxy joins it. */
static void test_req_insert_indirect(void)
{
	static const struct req_case cases[] = {
		{"SRV=s1", NULL, "s1"},
		{"a=1; SRV=s1; b=2", "a=1; b=2", "s1"},
		{"a=1;SRV=s1;b=2", "a=1; b=2", "s1"}, /* a space is added at the join */
		{"SRV=s1; b=2", "b=2", "s1"},
		{"SRV=s1;b=2", "b=2", "s1"},
		{"a=1; SRV=s1", "a=1", "s1"},
		{"a=1 ; SRV=s1", "a=1 ", "s1"},		 /* cut where the run began */
		{"a=1 ; SRV=s1; b=2", "a=1; b=2", "s1"}, /* spaces before the run go */
		{"SRV=s1;", NULL, "s1"},
		{"$Version=1; SRV=s1", NULL, "s1"}, /* '$' alone does not keep the line */
		{"$Version=1; SRV=s1; b=2", "$Version=1; b=2", "s1"},
		{"a=1; SRV=s1; $Path=/; b=2", "a=1; b=2", "s1"}, /* '$Path' goes with it */
		{"a = 1; SRV = s1 ; b=2", "a=1; b=2", "s1"},
		{"a=1, SRV=s1, b=2", "a=1, b=2", "s1"}, /* ',' separates too */
		{"XSRV=s1; SRV=zz; SRV=s1", "XSRV=s1", "zz"},
		{"SRV=; b=1", "b=1", NULL},
		{"a=1; ; SRV=x; b=2", "a=1;; b=2", "x"},
		{"SRV=x; SRV=y", NULL, "x"},
		{"SRV=x; SRV=y; c=3", "c=3", "x"},
		{"a=1; SRV=x; SRV=y; c=3", "a=1; c=3", "x"},
		{"a=1; SRV=x; b=2; SRV=y; c=3", "a=1; b=2; c=3", "x"},
		{"noeq; SRV=x; b", "noeq; b", "x"},
		{"a=1; SRV=x;", "a=1; ", "x"},
		{";SRV=x; b=1", "b=1", "x"},
		{"SRV=s1\t;\tb=2", "b=2", "s1"},	    /* HTAB is a space */
		{"srv=s1; Srv=s2", "srv=s1; Srv=s2", NULL}, /* case-sensitive */
		{"a=1; b=2", "a=1; b=2", NULL},
		{"", "", NULL},
		{"SRV=s1|awwGh|awwGh; b=2", "b=2", "s1"},
		{"SRV=|awwGh; SRV=s2", NULL, "s2"},		    /* an empty id is skipped */
		{"a=\"x;SRV=s9\"; SRV=s1", "a=\"x;SRV=s9\"", "s1"}, /* quotes hide ';' */
		{"a=\"x\\\";SRV=s9\"; SRV=s1", "a=\"x\\\";SRV=s9\"", "s1"}, /* escaped quote */
	};
	for (size_t i = 0; i < SL_ARRAY_SIZE(cases); i++)
		check_req("SRV", SL_CK_INSERT, true, &cases[i]);
}

/* insert without indirect, rewrite, passive: the cookie stays; only spaces around '=' go. */
static void test_req_keep_modes(void)
{
	static const struct req_case cases[] = {
		{"a=1; SRV=s1; b=2", "a=1; SRV=s1; b=2", "s1"},
		{"a = 1; SRV= s1 ;b=2", "a=1; SRV=s1 ;b=2", "s1"},
		{"a=1;SRV = s1; b=2", "a=1;SRV=s1; b=2", "s1"},
		{"$Path = /; x", "$Path = /; x", NULL}, /* '$' and no-'=' elements are untouched */
		{"SRV=s1|awwGh", "SRV=s1|awwGh", "s1"},
	};
	static const enum sl_ck_mode modes[] = {SL_CK_INSERT, SL_CK_REWRITE, SL_CK_PASSIVE};
	for (size_t m = 0; m < SL_ARRAY_SIZE(modes); m++)
		for (size_t i = 0; i < SL_ARRAY_SIZE(cases); i++)
			check_req("SRV", modes[m], false, &cases[i]);
	/* indirect means nothing on requests outside insert mode */
	check_req("SRV", SL_CK_PASSIVE, true, &cases[0]);
}

/* cookie JSESSIONID prefix: "SRV~" comes off, the server id is what was before '~'. */
static void test_req_prefix(void)
{
	static const struct req_case cases[] = {
		{"JSESSIONID=s1~abc", "JSESSIONID=abc", "s1"},
		{"a=1; JSESSIONID=s1~abc; b=2", "a=1; JSESSIONID=abc; b=2", "s1"},
		{"JSESSIONID=~abc", "JSESSIONID=abc", NULL}, /* stripped, but no id */
		{"JSESSIONID=abc", "JSESSIONID=abc", "abc"}, /* no '~': the whole value */
		{"JSESSIONID=s1", "JSESSIONID=s1", "s1"},
		{"JSESSIONID=s1~", "JSESSIONID=", "s1"},
		{"JSESSIONID=", "JSESSIONID=", NULL},
		{"JSESSIONID=zz~abc~d", "JSESSIONID=abc~d", "zz"},
		{"XJSESSIONID=s1~abc; JSESSIONID=s1~q", "XJSESSIONID=s1~abc; JSESSIONID=q", "s1"},
		{"JSESSIONID=s1~a; JSESSIONID=s2~b", "JSESSIONID=a; JSESSIONID=b", "s1"},
		/* as HAProxy: the quote is part of the id, the rest of the value is kept */
		{"JSESSIONID=\"s1~abc\"", "JSESSIONID=abc\"", "\"s1"},
		{"a=\"x;JSESSIONID=s1~y\"; JSESSIONID=s2~z",
		 "a=\"x;JSESSIONID=s1~y\"; JSESSIONID=z", "s2"},
		{"jsessionid=s1~abc", "jsessionid=s1~abc", NULL},
		{"a=1;\tJSESSIONID = s1~x ;b", "a=1;\tJSESSIONID=x ;b", "s1"},
		{"JSESSIONID=~a; JSESSIONID=s2~b", "JSESSIONID=a; JSESSIONID=b", "s2"},
	};
	for (size_t i = 0; i < SL_ARRAY_SIZE(cases); i++) {
		check_req("JSESSIONID", SL_CK_PREFIX, false, &cases[i]);
		check_req("JSESSIONID", SL_CK_PREFIX, true, &cases[i]); /* indirect: same */
	}
}

/* The "|LAST|FIRST" dates of insert mode with maxidle/maxlife. */
static void test_req_dates(void)
{
	struct sl_cookie_req_out r;
	char buf[64];
	const char *v = "SRV=s1|awwGh|awwGh";
	CU_ASSERT_EQUAL(sl_cookie_req_rewrite(v, strlen(v), "SRV", SL_CK_INSERT, false, false, buf,
					      sizeof(buf), &r),
			0);
	/* awwGh = 448987553: HAProxy emitted it at Unix time 1795950209, (t + 3) >> 2 */
	CU_ASSERT_EQUAL(r.id.last_date, 448987553u << 2);
	CU_ASSERT_EQUAL(r.id.first_date, 448987553u << 2);
	static const struct {
		const char *v;
		uint32_t last, first;
	} cases[] = {
		{"SRV=s1", 0, 0},
		{"SRV=s1|AAAAB", 4, 0},
		{"SRV=s1|AB", 0, 0},			  /* short: not read */
		{"SRV=s1|AAAAA|AAAAB", 0, 4},		  /* 0 is no date */
		{"SRV=s1|AB|CDEFG", 0, 0x020c4146u << 2}, /* "AB|CD" is not base64; CDEFG is */
		{"SRV=s1|AAAAB|AAAA", 4, 0},  /* FIRST needs more than 5 chars after its bar */
		{"SRV=s1|A=AAB|AAAAC", 0, 8}, /* '=' (padding) is refused */
		{"SRV=s1|/////|+++++", 0x3fffffffu << 2, 0x3efbefbeu << 2},
	};
	for (size_t i = 0; i < SL_ARRAY_SIZE(cases); i++) {
		CU_ASSERT_EQUAL(sl_cookie_req_rewrite(cases[i].v, strlen(cases[i].v), "SRV",
						      SL_CK_INSERT, true, false, buf, sizeof(buf),
						      &r),
				0);
		CU_ASSERT_EQUAL(r.id.last_date, cases[i].last);
		CU_ASSERT_EQUAL(r.id.first_date, cases[i].first);
		CU_ASSERT(r.id.srv_len == 2 && memcmp(r.id.srv, "s1", 2) == 0);
	}
	/* prefix mode has no dates: '|' is part of the id */
	v = "J=s1|AAAAB~x";
	CU_ASSERT_EQUAL(sl_cookie_req_rewrite(v, strlen(v), "J", SL_CK_PREFIX, false, false, buf,
					      sizeof(buf), &r),
			0);
	CU_ASSERT(r.id.srv_len == 8 && r.id.last_date == 0);
}

/* Every non-empty id in order: what a caller needs to skip ids HAProxy would skip. */
static void test_next_id(void)
{
	static const struct {
		const char *v;
		enum sl_ck_mode mode;
		const char *ids[4];
	} cases[] = {
		{"SRV=zz; SRV=s1", SL_CK_INSERT, {"zz", "s1"}},
		{"SRV=; a=1, SRV=|AAAAB; SRV=s2|AAAAB", SL_CK_REWRITE, {"s2"}},
		{"$SRV=x; SRV=a b; XSRV=c; SRV = d ;SRV", SL_CK_PASSIVE, {"a b", "d"}},
		{"J=~x; J=s1~y; J=plain; J=\"q~r\"", SL_CK_PREFIX, {"s1", "plain", "\"q"}},
		{";J=x", SL_CK_PREFIX, {"x"}},
		{"", SL_CK_PREFIX, {NULL}},
		{"J=x;", SL_CK_PREFIX, {"x"}},
	};
	for (size_t i = 0; i < SL_ARRAY_SIZE(cases); i++) {
		const char *name = cases[i].mode == SL_CK_PREFIX ? "J" : "SRV";
		size_t len = strlen(cases[i].v), pos = 0, k = 0;
		char *in = (char *)sl_t_dup((const uint8_t *)cases[i].v, len);
		struct sl_cookie_id id;
		while (sl_cookie_next_id(in, len, name, cases[i].mode, &pos, &id)) {
			CU_ASSERT_FATAL(k < 4 && cases[i].ids[k] != NULL);
			CU_ASSERT(id.srv_len == strlen(cases[i].ids[k]) &&
				  memcmp(id.srv, cases[i].ids[k], id.srv_len) == 0);
			k++;
		}
		CU_ASSERT(k == 4 || cases[i].ids[k] == NULL);
		CU_ASSERT_FALSE(sl_cookie_next_id(in, len, name, cases[i].mode, &pos, &id));
		/* the first one is what sl_cookie_req_rewrite() reports */
		char buf[64];
		struct sl_cookie_req_out r;
		CU_ASSERT_EQUAL(sl_cookie_req_rewrite(in, len, name, cases[i].mode, false, false,
						      buf, sizeof(buf), &r),
				0);
		if (cases[i].ids[0] == NULL) {
			CU_ASSERT_PTR_NULL(r.id.srv);
		} else {
			CU_ASSERT(r.id.srv_len == strlen(cases[i].ids[0]) &&
				  memcmp(r.id.srv, cases[i].ids[0], r.id.srv_len) == 0);
		}
		free(in);
	}
	/* dates come with their id */
	const char *v = "SRV=a|AAAAB|AAAAC; SRV=b|AAAAD";
	size_t pos = 0;
	struct sl_cookie_id id;
	CU_ASSERT(sl_cookie_next_id(v, strlen(v), "SRV", SL_CK_INSERT, &pos, &id));
	CU_ASSERT(id.last_date == 4 && id.first_date == 8);
	CU_ASSERT(sl_cookie_next_id(v, strlen(v), "SRV", SL_CK_INSERT, &pos, &id));
	CU_ASSERT(id.last_date == 12 && id.first_date == 0);
}

/* The output is bounded by cap, including an unchanged value (it is copied). */
static void test_req_capacity(void)
{
	struct sl_cookie_req_out r;
	const char *v = "a=1; SRV=s1; b=2"; /* -> "a=1; b=2", 8 bytes */
	char *in = (char *)sl_t_dup((const uint8_t *)v, strlen(v));
	for (size_t cap = 0; cap <= 16; cap++) {
		char *buf = malloc(cap + 1);
		int rc = sl_cookie_req_rewrite(in, strlen(v), "SRV", SL_CK_INSERT, true, false,
					       cap ? buf : NULL, cap, &r);
		CU_ASSERT_EQUAL(rc, cap >= 8 ? 0 : -1);
		if (rc == 0)
			CU_ASSERT(r.len == 8 && memcmp(buf, "a=1; b=2", 8) == 0);
		rc = sl_cookie_req_rewrite(in, strlen(v), "SRV", SL_CK_REWRITE, false, false,
					   cap ? buf : NULL, cap, &r);
		CU_ASSERT_EQUAL(rc, cap >= 16 ? 0 : -1);
		if (rc == 0)
			CU_ASSERT(r.len == 16 && !r.changed && memcmp(buf, v, 16) == 0);
		free(buf);
	}
	free(in);
	/* no name: nothing matches, the value is copied */
	char buf[32];
	CU_ASSERT_EQUAL(sl_cookie_req_rewrite(v, strlen(v), "", SL_CK_INSERT, true, false, buf,
					      sizeof(buf), &r),
			0);
	CU_ASSERT(r.len == strlen(v) && !r.changed && r.id.srv == NULL);
}

/* ----------------------------------------------------------------------- response side */

static void test_rsp_prefix(void)
{
	const char *n = "JSESSIONID";
	const int RW = SL_COOKIE_RSP_REWRITTEN, KEEP = SL_COOKIE_RSP_KEEP;
	check_rsp(n, SL_CK_PREFIX, "s1", "JSESSIONID=abc; path=/", RW, "JSESSIONID=s1~abc; path=/");
	check_rsp(n, SL_CK_PREFIX, "s1", "JSESSIONID = abc ; path=/", RW,
		  "JSESSIONID=s1~abc ; path=/");
	check_rsp(n, SL_CK_PREFIX, "s1", "JSESSIONID=; path=/", RW, "JSESSIONID=s1~; path=/");
	check_rsp(n, SL_CK_PREFIX, "s1", "JSESSIONID=", RW, "JSESSIONID=s1~");
	check_rsp(n, SL_CK_PREFIX, "s1", "JSESSIONID", KEEP, NULL);
	check_rsp(n, SL_CK_PREFIX, "s1", "JSESSIONID=\"q\"; x", RW, "JSESSIONID=s1~\"q\"; x");
	check_rsp(n, SL_CK_PREFIX, "s1", "JSESSIONID=a,b; x", RW, "JSESSIONID=s1~a,b; x");
	check_rsp(n, SL_CK_PREFIX, "s1", "jsessionid=abc", KEEP, NULL);
	check_rsp(n, SL_CK_PREFIX, "s1", "X=1; JSESSIONID=abc", KEEP, NULL);
	check_rsp(n, SL_CK_PREFIX, "s1", "XJSESSIONID=abc", KEEP, NULL);
	check_rsp(n, SL_CK_PREFIX, "s1", "JSESSIONIDX=abc", KEEP, NULL);
	check_rsp(n, SL_CK_PREFIX, "s1", "", KEEP, NULL);
	check_rsp(n, SL_CK_PREFIX, "s1",
		  "JSESSIONID=abc; Expires=Thu, 01-Jan-2099 00:00:01 GMT; HttpOnly", RW,
		  "JSESSIONID=s1~abc; Expires=Thu, 01-Jan-2099 00:00:01 GMT; HttpOnly");
	/* no server, or a server without cookie, or "preserve" (srv NULL): left alone */
	check_rsp(n, SL_CK_PREFIX, NULL, "JSESSIONID=abc; path=/", KEEP, NULL);
	check_rsp(n, SL_CK_PREFIX, "", "JSESSIONID=abc; path=/", KEEP, NULL);
	/* any first pair loses the spaces around '=' */
	check_rsp(n, SL_CK_PREFIX, "s1", "X = 1; path=/", RW, "X=1; path=/");
	check_rsp(n, SL_CK_PREFIX, NULL, "JSESSIONID =abc", RW, "JSESSIONID=abc");
}

static void test_rsp_rewrite(void)
{
	const int RW = SL_COOKIE_RSP_REWRITTEN, KEEP = SL_COOKIE_RSP_KEEP;
	check_rsp("SRV", SL_CK_REWRITE, "s1", "SRV=abc; path=/", RW, "SRV=s1; path=/");
	check_rsp("SRV", SL_CK_REWRITE, "s1", "SRV = abc ; path=/", RW, "SRV=s1 ; path=/");
	check_rsp("SRV", SL_CK_REWRITE, "s1", "SRV=; path=/", RW, "SRV=s1; path=/");
	check_rsp("SRV", SL_CK_REWRITE, "s1", "SRV=", RW, "SRV=s1");
	check_rsp("SRV", SL_CK_REWRITE, "s1", "SRV", KEEP, NULL);
	check_rsp("SRV", SL_CK_REWRITE, "s1", "SRV=a,b; x", RW, "SRV=s1,b; x");
	check_rsp("SRV", SL_CK_REWRITE, "s1", "SRV=\"a;b\"; x", RW, "SRV=s1; x");
	check_rsp("SRV", SL_CK_REWRITE, "s1", "X=1; SRV=abc", KEEP, NULL);
	check_rsp("SRV", SL_CK_REWRITE, "longer-id", "SRV=a", RW, "SRV=longer-id");
	check_rsp("SRV", SL_CK_REWRITE, "", "SRV=abc", KEEP, NULL);
}

/* Insert mode (and "indirect" on a direct request, called as insert) drops the line. */
static void test_rsp_insert(void)
{
	const int DROP = SL_COOKIE_RSP_DROP, KEEP = SL_COOKIE_RSP_KEEP;
	check_rsp("SRV", SL_CK_INSERT, "s1", "SRV=app; path=/x", DROP, NULL);
	check_rsp("SRV", SL_CK_INSERT, "", "SRV=app; path=/x", DROP, NULL);
	check_rsp("SRV", SL_CK_INSERT, "s1", "SRV", KEEP, NULL);
	check_rsp("SRV", SL_CK_INSERT, NULL, "SRV=app; path=/x", KEEP, NULL);
	check_rsp("SRV", SL_CK_INSERT, "s1", "o=1", KEEP, NULL);
	check_rsp("SRV", SL_CK_INSERT, "s1", "SRV = app", DROP, NULL);
	/* passive leaves it */
	check_rsp("SRV", SL_CK_PASSIVE, "s1", "SRV=app", KEEP, NULL);
}

/* What prefix mode writes on the response, it takes back on the next request. */
static void test_prefix_round_trip(void)
{
	static const char *const values[] = {"abc", "", "\"q;r\"", "x~y", "a,b"};
	for (size_t i = 0; i < SL_ARRAY_SIZE(values); i++) {
		char sc[64], set[80], cookie[96], fwd[96];
		size_t bl;
		int k = snprintf(sc, sizeof(sc), "J=%s; Path=/", values[i]);
		CU_ASSERT_EQUAL(sl_cookie_rsp_rewrite(sc, (size_t)k, "J", SL_CK_PREFIX, "ams1", 4,
						      set, sizeof(set), &bl),
				SL_COOKIE_RSP_REWRITTEN);
		/* the browser sends back what is before the first ';' after the value */
		const char *semi = strstr(set, "; Path=/");
		CU_ASSERT_PTR_NOT_NULL_FATAL(semi);
		k = snprintf(cookie, sizeof(cookie), "a=1; %.*s; b=2", (int)(semi - set), set);
		struct sl_cookie_req_out r;
		CU_ASSERT_EQUAL(sl_cookie_req_rewrite(cookie, (size_t)k, "J", SL_CK_PREFIX, false,
						      false, fwd, sizeof(fwd), &r),
				0);
		char want[96];
		int w = snprintf(want, sizeof(want), "a=1; J=%s; b=2", values[i]);
		CU_ASSERT(r.len == (size_t)w && memcmp(fwd, want, r.len) == 0);
		CU_ASSERT(r.id.srv_len == 4 && memcmp(r.id.srv, "ams1", 4) == 0);
	}
}

/* ------------------------------------------------------------------------------ insert */

static void check_insert(const char *srv, const struct sl_cookie *ck, bool dated, uint32_t now,
			 uint32_t first, const char *want)
{
	size_t n = strlen(want), bl = 0;
	char *buf = malloc(n);
	int rc = dated ? sl_cookie_insert_value_at(ck->name, srv, ck, now, first, buf, n, &bl)
		       : sl_cookie_insert_value(ck->name, srv, ck, buf, n, &bl);
	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT(bl == n && memcmp(buf, want, n) == 0);
	rc = dated ? sl_cookie_insert_value_at(ck->name, srv, ck, now, first, buf, n - 1, &bl)
		   : sl_cookie_insert_value(ck->name, srv, ck, buf, n - 1, &bl);
	CU_ASSERT_EQUAL(rc, -1);
	free(buf);
}

static void test_insert_value(void)
{
	struct sl_cfg_str d2 = {NULL, ".b.com"}, d1 = {&d2, ".a.com"};
	struct sl_cookie ck = {.name = "SRV", .mode = SL_COOKIE_INSERT};
	check_insert("s1", &ck, false, 0, 0, "SRV=s1; path=/");
	/* cookie SRV insert indirect nocache httponly secure domain .a.com domain .b.com
	 * attr SameSite=Lax attr Foo */
	ck.domains = &d1;
	ck.httponly = ck.secure = true;
	ck.attrs = "SameSite=Lax; Foo";
	check_insert("s1", &ck, false, 0, 0,
		     "SRV=s1; path=/; domain=.a.com; domain=.b.com; HttpOnly; Secure; "
		     "SameSite=Lax; Foo");
	/* a server without cookie gets the removal request */
	check_insert(NULL, &ck, false, 0, 0,
		     "SRV=; Expires=Thu, 01-Jan-1970 00:00:01 GMT; path=/; domain=.a.com; "
		     "domain=.b.com; HttpOnly; Secure; SameSite=Lax; Foo");
	ck.httponly = false;
	ck.attrs = NULL;
	ck.domains = NULL;
	check_insert("s1", &ck, false, 0, 0, "SRV=s1; path=/; Secure");
}

static void test_insert_dates(void)
{
	/* cookie SRV insert indirect maxidle 30m maxlife 4h, at 1795950209: "awwGh" */
	struct sl_cookie ck = {.name = "SRV",
			       .mode = SL_COOKIE_INSERT,
			       .indirect = true,
			       .maxidle = 30 * 60 * 1000,
			       .maxlife = 4 * 3600 * 1000};
	check_insert("s1", &ck, true, 1795950209, 0, "SRV=s1|awwGh|awwGh; path=/");
	/* 12 s later, with the first date the client sent back: kept */
	check_insert("s1", &ck, true, 1795950221, 448987553u << 2, "SRV=s1|awwGk|awwGh; path=/");
	/* maxidle only: no FIRST */
	ck.maxlife = 0;
	check_insert("s1", &ck, true, 1795950209, 448987553u << 2, "SRV=s1|awwGh; path=/");
	/* the undated builder leaves them out */
	check_insert("s1", &ck, false, 1795950209, 0, "SRV=s1; path=/");
	/* no maxidle/maxlife: no dates even when asked */
	ck.maxidle = 0;
	check_insert("s1", &ck, true, 1795950209, 0, "SRV=s1; path=/");
	/* the removal request never has dates */
	ck.maxidle = 1000;
	check_insert(NULL, &ck, true, 1795950209, 0,
		     "SRV=; Expires=Thu, 01-Jan-1970 00:00:01 GMT; path=/");
	/* the dates read back as they were written */
	char v[64], buf[64];
	size_t bl;
	ck.maxlife = 1000;
	CU_ASSERT_EQUAL(sl_cookie_insert_value_at("SRV", "s1", &ck, 2000000001, 1234567892, v,
						  sizeof(v), &bl),
			0);
	struct sl_cookie_req_out r;
	CU_ASSERT_EQUAL(sl_cookie_req_rewrite(v, strcspn(v, ";"), "SRV", SL_CK_INSERT, false, false,
					      buf, sizeof(buf), &r),
			0);
	CU_ASSERT_EQUAL(r.id.last_date, 2000000004u); /* rounded up to 4 s */
	CU_ASSERT_EQUAL(r.id.first_date, 1234567892u);
}

/* By the source: http_process_res_common()'s condition. */
static void test_insert_needed(void)
{
	struct sl_cookie ck = {.name = "SRV", .mode = SL_COOKIE_INSERT};
	const uint32_t now = 1795950209;
	CU_ASSERT(sl_cookie_insert_needed(&ck, false, false, false, now, 0, 0));
	CU_ASSERT(!sl_cookie_insert_needed(&ck, true, false, false, now, 0, 0));
	/* postonly */
	ck.postonly = true;
	CU_ASSERT(!sl_cookie_insert_needed(&ck, false, false, false, now, 0, 0));
	CU_ASSERT(sl_cookie_insert_needed(&ck, false, false, true, now, 0, 0));
	ck.postonly = false;
	/* preserve: not when the server set its own */
	ck.preserve = true;
	CU_ASSERT(!sl_cookie_insert_needed(&ck, false, true, false, now, 0, 0));
	CU_ASSERT(sl_cookie_insert_needed(&ck, false, false, false, now, 0, 0));
	ck.preserve = false;
	CU_ASSERT(sl_cookie_insert_needed(&ck, false, true, false, now, 0, 0));
	/* maxidle: refreshed once LAST is in the past, not within the same 4 s slot */
	ck.maxidle = 1800000;
	CU_ASSERT(sl_cookie_insert_needed(&ck, true, false, false, now, 0, 0));
	CU_ASSERT(sl_cookie_insert_needed(&ck, true, false, false, now, now - 1, 0));
	CU_ASSERT(!sl_cookie_insert_needed(&ck, true, false, false, now, now, 0));
	CU_ASSERT(!sl_cookie_insert_needed(&ck, true, false, false, now, now + 3, 0));
	/* maxlife: set FIRST when missing */
	ck.maxlife = 4 * 3600 * 1000;
	CU_ASSERT(sl_cookie_insert_needed(&ck, true, false, false, now, now + 3, 0));
	CU_ASSERT(!sl_cookie_insert_needed(&ck, true, false, false, now, now + 3, now - 100));
	/* neither: a received date is removed by a new cookie */
	ck.maxidle = ck.maxlife = 0;
	CU_ASSERT(sl_cookie_insert_needed(&ck, true, false, false, now, 0, now - 100));
	CU_ASSERT(sl_cookie_insert_needed(&ck, true, false, false, now, now - 100, 0));
	CU_ASSERT(!sl_cookie_insert_needed(&ck, true, false, false, now, now + 100, 0));
}

/* By the source: http_manage_client_side_cookies()'s date checks. */
static void test_age(void)
{
	struct sl_cookie ck = {.name = "SRV", .maxidle = 1800 * 1000, .maxlife = 4 * 3600 * 1000};
	const uint32_t now = 1795950209;
	CU_ASSERT_EQUAL(sl_cookie_age(&ck, now, 0, 0), SL_COOKIE_AGE_OK);
	CU_ASSERT_EQUAL(sl_cookie_age(&ck, now, now - 1800, now - 14400), SL_COOKIE_AGE_OK);
	CU_ASSERT_EQUAL(sl_cookie_age(&ck, now, now - 1801, now - 100), SL_COOKIE_AGE_EXPIRED);
	CU_ASSERT_EQUAL(sl_cookie_age(&ck, now, now, now - 14401), SL_COOKIE_AGE_OLD);
	CU_ASSERT_EQUAL(sl_cookie_age(&ck, now, now - 1801, now - 14401), SL_COOKIE_AGE_OLD);
	/* up to a day in the future is tolerated (clock skew), not more */
	CU_ASSERT_EQUAL(sl_cookie_age(&ck, now, now + 86400, 0), SL_COOKIE_AGE_OK);
	CU_ASSERT_EQUAL(sl_cookie_age(&ck, now, now + 86401, 0), SL_COOKIE_AGE_EXPIRED);
	CU_ASSERT_EQUAL(sl_cookie_age(&ck, now, 0, now + 86401), SL_COOKIE_AGE_OLD);
	/* "SRV=s1|AAAAB|AAAAB" (dates 4) is old at any sensible time */
	CU_ASSERT_EQUAL(sl_cookie_age(&ck, now, 4, 4), SL_COOKIE_AGE_OLD);
	/* without the limits, no judgement */
	ck.maxidle = ck.maxlife = 0;
	CU_ASSERT_EQUAL(sl_cookie_age(&ck, now, 4, 4), SL_COOKIE_AGE_OK);
	/* maxidle in ms rounds up to whole seconds: 1500 ms is 2 s */
	ck.maxidle = 1500;
	CU_ASSERT_EQUAL(sl_cookie_age(&ck, now, now - 2, 0), SL_COOKIE_AGE_OK);
	CU_ASSERT_EQUAL(sl_cookie_age(&ck, now, now - 3, 0), SL_COOKIE_AGE_EXPIRED);
}

/* ------------------------------------------------------------------------ cacheability */

/* @fields: "Name: value" strings, NULL-terminated. */
static bool cacheable(enum sl_http1_method m, int status, const char *const *fields)
{
	struct sl_http1_hdr h[16];
	size_t n = 0;
	for (; fields[n] != NULL; n++) {
		const char *c = strchr(fields[n], ':');
		h[n].name = fields[n];
		h[n].name_len = (size_t)(c - fields[n]);
		h[n].value = c + 2;
		h[n].value_len = strlen(c + 2);
	}
	struct sl_http1_resp rsp = {.minor = 1, .status = status};
	bool r = sl_cookie_cacheable(m, &rsp, h, n);
	if (m == SL_HTTP1_M_GET)
		CU_ASSERT_EQUAL(sl_cookie_nocache_applies(&rsp, h, n), r);
	return r;
}

static void test_cacheable(void)
{
	const enum sl_http1_method G = SL_HTTP1_M_GET;
#define F(...) ((const char *const[]){__VA_ARGS__, NULL})
	/* checked against haproxy 2.6: "cache-control: private" added or not */
	CU_ASSERT(!cacheable(G, 200, F("Content-Length: 0")));
	CU_ASSERT(cacheable(G, 200, F("ETag: \"x\"")));
	CU_ASSERT(cacheable(G, 200, F("Cache-Control: max-age=60")));
	CU_ASSERT(!cacheable(G, 200, F("Cache-Control: public"))); /* no validator */
	CU_ASSERT(!cacheable(G, 200, F("Cache-Control: private")));
	CU_ASSERT(!cacheable(G, 200, F("Cache-Control: max-age=0")));
	CU_ASSERT(cacheable(G, 200, F("Cache-Control: no-cache=\"set-cookie\"", "ETag: \"x\"")));
	CU_ASSERT(!cacheable(SL_HTTP1_M_POST, 200, F("ETag: \"x\"")));
	/* by the source (haproxy 2.6 says false for the s-maxage one) */
	CU_ASSERT(cacheable(G, 200, F("Cache-Control: max-age=0", "Cache-Control: s-maxage=5")));
	CU_ASSERT(!cacheable(G, 200, F("Cache-Control: s-maxage=5, max-age=0")));
	CU_ASSERT(cacheable(SL_HTTP1_M_POST, 200, F("Cache-Control: public", "ETag: \"x\"")));
	CU_ASSERT(
		cacheable(SL_HTTP1_M_HEAD, 200, F("Last-Modified: Mon, 01 Jan 2024 00:00:00 GMT")));
	CU_ASSERT(cacheable(SL_HTTP1_M_OPTIONS, 200, F("Expires: 0")));
	CU_ASSERT(cacheable(SL_HTTP1_M_TRACE, 404, F("ETag: \"x\"")));
	CU_ASSERT(!cacheable(SL_HTTP1_M_PUT, 200, F("ETag: \"x\"")));
	CU_ASSERT(!cacheable(G, 101, F("ETag: \"x\"")));
	CU_ASSERT(!cacheable(G, 200, F("Pragma: no-cache", "ETag: \"x\"")));
	CU_ASSERT(!cacheable(G, 200, F("Pragma: NO-CACHE", "ETag: \"x\"")));
	CU_ASSERT(cacheable(G, 200, F("Pragma: no-cache, x", "ETag: \"x\""))); /* whole value */
	CU_ASSERT(cacheable(G, 200, F("Pragma: x", "Pragma: no-cache", "ETag: \"x\""))); /* 1st */
	CU_ASSERT(!cacheable(G, 200, F("Cache-Control: no-cache, max-age=60")));
	CU_ASSERT(!cacheable(G, 200, F("cache-control: No-Store", "ETag: \"x\"")));
	CU_ASSERT(!cacheable(G, 200, F("Cache-Control: s-maxage=0", "ETag: \"x\"")));
	CU_ASSERT(cacheable(G, 200,
			    F("Cache-Control: private", "Cache-Control: public", "ETag: \"x\"")));
	CU_ASSERT(cacheable(G, 200, F("Cache-Control: MAX-AGE=5")));
#undef F
}

/* --------------------------------------------------------------------------- truncation */

/* One request-side call on @in[0, @k): bounds, ids inside the input, exact-size output. */
static void trunc_req(const char *in, size_t k, const char *name, enum sl_ck_mode mode,
		      bool indirect)
{
	char big[512];
	struct sl_cookie_req_out r, r2;
	CU_ASSERT_EQUAL_FATAL(
		sl_cookie_req_rewrite(in, k, name, mode, indirect, false, big, sizeof(big), &r), 0);
	CU_ASSERT(r.len <= k);
	CU_ASSERT(r.id.srv == NULL || (r.id.srv >= in && r.id.srv + r.id.srv_len <= in + k));
	size_t pos = 0, nid = 0;
	struct sl_cookie_id id;
	while (sl_cookie_next_id(in, k, name, mode, &pos, &id)) {
		CU_ASSERT(id.srv >= in && id.srv_len > 0 && id.srv + id.srv_len <= in + k);
		CU_ASSERT_FATAL(++nid <= k);
	}
	/* the size found with a large buffer is exactly the one needed */
	size_t n = r.len;
	char *exact = malloc(n + 1);
	exact[n] = '#';
	CU_ASSERT_EQUAL(sl_cookie_req_rewrite(in, k, name, mode, indirect, false, exact, n, &r2),
			0);
	CU_ASSERT(r2.len == n && memcmp(exact, big, n) == 0 && exact[n] == '#');
	if (n > 0)
		CU_ASSERT_EQUAL(sl_cookie_req_rewrite(in, k, name, mode, indirect, false, exact,
						      n - 1, &r2),
				-1);
	free(exact);
}

/* One response-side call on @in[0, @k), the same way. */
static void trunc_rsp(const char *in, size_t k, const char *name, enum sl_ck_mode mode,
		      const char *srv)
{
	char big[512];
	size_t sl = srv != NULL ? strlen(srv) : 0, bl = 0, bl2 = 0;
	int rc = sl_cookie_rsp_rewrite(in, k, name, mode, srv, sl, big, sizeof(big), &bl);
	CU_ASSERT(rc >= SL_COOKIE_RSP_KEEP && rc <= SL_COOKIE_RSP_DROP);
	if (rc != SL_COOKIE_RSP_REWRITTEN)
		return;
	CU_ASSERT(bl > 0 && bl <= k + sl + 1);
	char *exact = malloc(bl);
	CU_ASSERT_EQUAL(sl_cookie_rsp_rewrite(in, k, name, mode, srv, sl, exact, bl, &bl2), rc);
	CU_ASSERT(bl2 == bl && memcmp(exact, big, bl) == 0);
	CU_ASSERT_EQUAL(sl_cookie_rsp_rewrite(in, k, name, mode, srv, sl, exact, bl - 1, &bl2), -1);
	free(exact);
}

/*
 * Every prefix of long inputs, through every function and mode, with input and output
 * buffers of the exact sizes: no crash, no access out of them (ASan), outputs within the
 * documented bounds.
 */
static void test_truncated(void)
{
	static const char *const inputs[] = {
		"a=1; SRV=s1|awwGh|awwGh; $Path=/; b = \"x;y\\\"z\" , SRV=~q; JSESSIONID=s1~abc~d; "
		"noeq ;SRV= ; J=\"s2~v\"; $Version=1;;, JSESSIONID = zz~ ; SRV=s3",
		"JSESSIONID = s1~\"q;r\" ; Path=/; Expires=Thu, 01-Jan-2099 00:00:01 GMT; HttpOnly",
		"SRV=\"\\",
		"SRV=|/////|+++++|x",
	};
	static const char *const names[] = {"SRV", "JSESSIONID", "J", "x"};
	static const enum sl_ck_mode modes[] = {SL_CK_PASSIVE, SL_CK_INSERT, SL_CK_PREFIX,
						SL_CK_REWRITE};
	static const char *const srvs[] = {NULL, "", "ams1"};
	for (size_t t = 0; t < SL_ARRAY_SIZE(inputs); t++) {
		for (size_t k = 0; k <= strlen(inputs[t]); k++) {
			char *in = (char *)sl_t_dup((const uint8_t *)inputs[t], k);
			for (size_t ni = 0; ni < SL_ARRAY_SIZE(names); ni++)
				for (size_t mi = 0; mi < SL_ARRAY_SIZE(modes); mi++) {
					trunc_req(in, k, names[ni], modes[mi], false);
					trunc_req(in, k, names[ni], modes[mi], true);
					for (size_t si = 0; si < SL_ARRAY_SIZE(srvs); si++)
						trunc_rsp(in, k, names[ni], modes[mi], srvs[si]);
				}
			free(in);
		}
	}
}

static const struct sl_test_case req_cases[] = {
	{"insert indirect removes NAME and joins the rest", test_req_insert_indirect},
	{"insert, rewrite, passive keep NAME", test_req_keep_modes},
	{"prefix strips SRV~", test_req_prefix},
	{"insert dates |LAST|FIRST", test_req_dates},
	{"every server id in order", test_next_id},
	{"output exactly large enough / one short", test_req_capacity},
	{NULL, NULL},
};

static const struct sl_test_case rsp_cases[] = {
	{"prefix: NAME=SRV~value", test_rsp_prefix},
	{"rewrite: NAME=SRV", test_rsp_rewrite},
	{"insert: the server's NAME is dropped", test_rsp_insert},
	{"prefix round trip", test_prefix_round_trip},
	{NULL, NULL},
};

static const struct sl_test_case insert_cases[] = {
	{"Set-Cookie value, attributes in order", test_insert_value},
	{"maxidle/maxlife dates", test_insert_dates},
	{"when HAProxy inserts", test_insert_needed},
	{"cookie age: expired, old", test_age},
	{"cacheability for nocache", test_cacheable},
	{NULL, NULL},
};

static const struct sl_test_case robust_cases[] = {
	{"every prefix of long inputs", test_truncated},
	{NULL, NULL},
};

static const struct sl_test_suite suites[] = {
	{"cookie/request", req_cases},
	{"cookie/response", rsp_cases},
	{"cookie/insert", insert_cases},
	{"cookie/robustness", robust_cases},
	{NULL, NULL},
};

int main(void)
{
	return sl_test_run(suites);
}
