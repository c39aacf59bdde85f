/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stick tables in the configuration (controlplane/cfg/cfg_stick.c) and in the request rules
 * (dataplane/rules/): the model of stick-table / stick / track-scN / sc_* fetches, the refusals
 * naming file:line and keyword, the dump read back, and HAProxy's rate-limit idiom run through
 * sl_hx_decide() over a real table (dataplane/stick/): 20 requests forwarded, the 21st denied
 * with 429, and forwarded again two periods later.
 */
#include <stdlib.h>
#include <string.h>

#include "dataplane/rules/acl_eval.h"
#include "dataplane/rules/http_rules.h"
#include "dataplane/stick/stick.h"
#include "tests/unit/controlplane/cfg/cfg_test_util.h"

static const char good[] = "defaults\n"
			   "    mode http\n"
			   "    timeout connect 5s\n"
			   "    timeout client 5s\n"
			   "    timeout server 5s\n"
			   "frontend web\n"
			   "    bind :8080\n"
			   "    stick-table type ip size 100k expire 10s store http_req_rate(10s),conn_cur\n"
			   "    http-request track-sc0 src\n"
			   "    http-request deny deny_status 429 if { sc_http_req_rate(0) gt 20 }\n"
			   "    acl abuse src_http_req_rate ge 100\n"
			   "    acl flag sc1_inc_gpc0(st) gt 0\n"
			   "    http-request track-sc1 src table st if abuse\n"
			   "    default_backend b\n"
			   "backend b\n"
			   "    stick-table type ip size 200k expire 30m\n"
			   "    stick on src\n"
			   "    server a 10.0.0.1:80\n"
			   "    server b 10.0.0.2:80\n"
			   "backend st\n"
			   "    stick-table type ip size 1m store gpc0,gpc0_rate(1m),conn_cnt,conn_rate(3s),http_req_cnt\n"
			   "backend rtmp\n"
			   "    mode tcp\n"
			   "    stick match src table b\n"
			   "    stick store-request src table b\n"
			   "    server o1 10.0.0.3:1935\n";

static void test_model(void)
{
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	T_PARSE_OK(good, cfg, &d);
	const struct sl_proxy *web = tpx(cfg, "web"), *b = tpx(cfg, "b"), *st = tpx(cfg, "st"),
			      *rt = tpx(cfg, "rtmp");
	CU_ASSERT_FATAL(web && b && st && rt);
	CU_ASSERT_FATAL(web->stktable != NULL);
	CU_ASSERT_EQUAL(web->stktable->size, 100 * 1024);
	CU_ASSERT_EQUAL(web->stktable->expire, 10000);
	CU_ASSERT_EQUAL(web->stktable->store,
			1u << SL_CFG_STK_HTTP_REQ_RATE | 1u << SL_CFG_STK_CONN_CUR);
	CU_ASSERT_EQUAL(web->stktable->period[SL_CFG_STK_HTTP_REQ_RATE], 10000);
	CU_ASSERT_EQUAL(st->stktable->size, 1 << 20);
	CU_ASSERT_EQUAL(st->stktable->period[SL_CFG_STK_GPC0_RATE], 60000);
	CU_ASSERT_EQUAL(st->stktable->expire, 0);
	CU_ASSERT_FATAL(b->stick_rules != NULL);
	CU_ASSERT_EQUAL(b->stick_rules->kind, SL_STICK_ON);
	CU_ASSERT_PTR_NULL(b->stick_rules->table);
	CU_ASSERT_EQUAL(rt->stick_rules->kind, SL_STICK_MATCH);
	CU_ASSERT_EQUAL(rt->stick_rules->next->kind, SL_STICK_STORE);
	T_STR_EQ(rt->stick_rules->table, "b");
	const struct sl_hrule *r = web->req_rules;
	CU_ASSERT_EQUAL(r->action, SL_HR_TRACK_SC);
	CU_ASSERT_EQUAL(r->status, 0);
	CU_ASSERT_PTR_NULL(r->name);
	const struct sl_acl *a = r->next->cond->ors->terms->anon;
	CU_ASSERT_EQUAL(a->fetch, SL_FETCH_STK);
	CU_ASSERT_EQUAL(a->stk.sc, 0);
	CU_ASSERT_EQUAL(a->stk.data, SL_CFG_STK_HTTP_REQ_RATE);
	const struct sl_acl *ab = tacl(web, "abuse");
	CU_ASSERT_EQUAL(ab->stk.sc, -1);
	T_STR_EQ(ab->stk.table, "web"); /* src_*: the proxy's own, named */
	const struct sl_acl *fl = tacl(web, "flag");
	CU_ASSERT_EQUAL(fl->stk.sc, 1);
	CU_ASSERT_TRUE(fl->stk.inc);
	T_STR_EQ(fl->stk.table, "st");
	/* the enums agree one for one (gen_build passes the values through) */
	CU_ASSERT_EQUAL(SL_CFG_STK_NDATA, SL_STK_NDATA);
	for (int i = 0; i < SL_STK_NDATA; i++)
		T_STR_EQ(sl_cfg_stk_data_name(i), sl_stk_data_name((enum sl_stk_data)i));
	/* the dump reads back the same */
	size_t len;
	char *dump = tdump(cfg, &len);
	CU_ASSERT_FATAL(dump != NULL);
	CU_ASSERT_PTR_NOT_NULL(strstr(dump, "stick-table type ip size 102400 expire 10000ms"));
	CU_ASSERT_PTR_NOT_NULL(strstr(dump, "http-request track-sc1 src table st"));
	CU_ASSERT_PTR_NOT_NULL(strstr(dump, "sc_http_req_rate(0) gt 20"));
	struct sl_cfg *again = NULL;
	int rc = tparse(dump, &again, &d);
	T_PARSED_OK(rc, again, &d);
	CU_ASSERT_EQUAL(tpx(again, "st")->stktable->store, st->stktable->store);
	sl_cfg_free(again);
	free(dump);
	sl_cfg_free(cfg);
}

#define FE "frontend f\n    bind :80\n    default_backend b\n"

static void test_refusals(void)
{
	T_REFUSED("backend b\n    stick-table size 10\n", 2, "'stick-table': 'type' is missing");
	T_REFUSED("backend b\n    stick-table type ip\n", 2, "'size' is missing");
	T_REFUSED("backend b\n    stick-table type ip size 0\n", 2, "'size' is 0");
	T_REFUSED("backend b\n    stick-table type ip size 1x\n", 2, "invalid size '1x'");
	T_REFUSED("backend b\n    stick-table type ipv6 size 10\n", 2,
		  "type 'ipv6' is not supported by sluice yet");
	T_REFUSED("backend b\n    stick-table type string len 32 size 10\n", 2,
		  "type 'string' is not supported");
	T_REFUSED("backend b\n    stick-table type ip size 10 store foo\n", 2,
		  "unknown data type 'foo'");
	T_REFUSED("backend b\n    stick-table type ip size 10 store bytes_in_rate(1s)\n", 2,
		  "data type 'bytes_in_rate' is not supported by sluice");
	T_REFUSED("backend b\n    stick-table type ip size 10 store http_req_rate\n", 2,
		  "'http_req_rate' expects a period");
	T_REFUSED("backend b\n    stick-table type ip size 10 peers mypeers\n", 2,
		  "'peers' is not supported by sluice");
	T_REFUSED("backend b\n    stick-table type ip size 10\n    stick-table type ip size 10\n", 3,
		  "only one per proxy");
	T_REFUSED("backend b\n    stick on src\n    server s 10.0.0.1:80\n", 2,
		  "'stick' in backend 'b': the proxy has no stick-table");
	T_REFUSED("backend b\n    stick on src table nope\n    server s 10.0.0.1:80\n", 2,
		  "table 'nope' not found");
	T_REFUSED("backend b\n    stick on hdr(x)\n", 2, "only the key 'src'");
	T_REFUSED("backend b\n    stick-table type ip size 10\n    stick on src if TRUE\n", 3,
		  "conditions ('if') are not supported");
	T_REFUSED("backend b\n    stick store-response src\n", 2, "'stick store-response'");
	T_REFUSED("frontend f\n    bind :80\n    http-request track-sc0 src\n", 3,
		  "the proxy has no stick-table");
	T_REFUSED("frontend f\n    bind :80\n    http-request track-sc3 src\n", 3,
		  "sluice tracks sc0, sc1 and sc2");
	T_REFUSED("frontend f\n    bind :80\n    stick-table type ip size 1\n"
		  "    http-request track-sc0 src table zz\n",
		  4, "table 'zz' not found");
	T_REFUSED("frontend f\n    bind :80\n    acl x sc_http_req_rate gt 1\n", 3,
		  "expects a counter number 0, 1 or 2");
	T_REFUSED("frontend f\n    bind :80\n    acl x src_conn_cur gt 1\n", 3,
		  "the proxy has no stick-table");
	T_REFUSED("frontend f\n    bind :80\n    stick on src\n", 3, "'stick'");
	T_REFUSED("peers p\n    peer a 127.0.0.1:1024\n", 1, "section 'peers' is not supported");
}

/* ------------------------------------------------------------------ the rate limit */

struct sc_state {
	struct sl_stk_table *t; /* the frontend's table */
	struct sl_stk_ref trk;
	bool tracked;
	uint32_t ip, now;
};

static void t_track(void *arg, int sc, const char *table)
{
	struct sc_state *s = arg;
	CU_ASSERT_EQUAL(sc, 0);
	T_STR_EQ(table, "f");
	if (!s->tracked && sl_stk_get(s->t, s->ip, s->now, true, &s->trk)) {
		sl_stk_track(s->t, &s->trk, s->now);
		sl_stk_http_req(s->t, &s->trk, s->now);
		s->tracked = true;
	}
}

static bool t_fetch(void *arg, const struct sl_acl_stk *k, int64_t *v)
{
	struct sc_state *s = arg;
	uint64_t x;
	if (k->sc != 0 || !s->tracked ||
	    !sl_stk_read(s->t, &s->trk, (enum sl_stk_data)k->data, s->now, &x))
		return false;
	*v = (int64_t)x;
	return true;
}

static struct sl_http1_req req;
static struct sl_http1_hdr hdrs[SL_HTTP1_MAX_HDRS_DEFAULT];

static void test_rate_limit(void)
{
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	T_PARSE_OK("defaults\n    mode http\n"
		   "frontend f\n    bind :80\n"
		   "    stick-table type ip size 100 expire 10s store http_req_rate(10s)\n"
		   "    http-request track-sc0 src\n"
		   "    http-request deny deny_status 429 if { sc_http_req_rate(0) gt 20 }\n"
		   "    default_backend b\n"
		   "backend b\n    server s 10.0.0.1:80\n",
		   cfg, &d);
	const struct sl_proxy *fe = tpx(cfg, "f");
	const char *text = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
	size_t nh = SL_HTTP1_MAX_HDRS_DEFAULT;
	CU_ASSERT_FATAL(sl_http1_parse_request(text, strlen(text), 65536, &req, hdrs, &nh) > 0);
	struct sl_stk_def def = {.size = 100, .expire_ms = 10000,
				 .store = 1u << SL_STK_HTTP_REQ_RATE};
	def.period[SL_STK_HTTP_REQ_RATE] = 10000;
	struct sc_state st = {.t = sl_stk_table_new(&def), .ip = TIP4(10, 0, 0, 9), .now = 5000};
	CU_ASSERT_FATAL(st.t != NULL);
	struct sl_acl_stk_ops ops = {t_fetch, t_track, &st};
	struct sl_acl_ctx ctx = {.req = &req, .hdrs = hdrs, .nhdrs = nh, .src = st.ip, .stk = &ops};
	static char out[4096];
	int fwd = 0, denied = 0;
	for (int i = 0; i < 25; i++, st.now += 10) {
		struct sl_hx_out o = {out, sizeof(out), 0, false};
		struct sl_hx_decision dec;
		st.tracked = false; /* a request each */
		sl_hx_decide(cfg, fe, &req, hdrs, nh, &ctx, false, 1700000000u, &o, &dec);
		if (dec.verdict == SL_HX_FORWARD) {
			CU_ASSERT_EQUAL(denied, 0);
			fwd++;
		} else if (dec.verdict == SL_HX_DENY && dec.status == 429) {
			denied++;
		}
		sl_stk_untrack(&st.trk);
	}
	CU_ASSERT_EQUAL(fwd, 20);
	CU_ASSERT_EQUAL(denied, 5);
	st.now += 20000; /* two periods */
	struct sl_hx_out o = {out, sizeof(out), 0, false};
	struct sl_hx_decision dec;
	st.tracked = false;
	sl_hx_decide(cfg, fe, &req, hdrs, nh, &ctx, false, 1700000000u, &o, &dec);
	CU_ASSERT_EQUAL(dec.verdict, SL_HX_FORWARD);
	/* without stick operations the fetch yields nothing: the deny never matches */
	struct sl_acl_ctx bare = ctx;
	bare.stk = NULL;
	for (int i = 0; i < 30; i++) {
		o.len = 0;
		sl_hx_decide(cfg, fe, &req, hdrs, nh, &bare, false, 1700000000u, &o, &dec);
		CU_ASSERT_EQUAL(dec.verdict, SL_HX_FORWARD);
	}
	sl_stk_table_free(st.t);
	sl_cfg_free(cfg);
}

static const struct sl_test_case cases[] = {
	{"model, dump read back", test_model},
	{"refusals name the line and keyword", test_refusals},
	{"rate limit through the request rules", test_rate_limit},
	{NULL, NULL},
};

static const struct sl_test_suite suites[] = {
	{"cfg_stick", cases},
	{NULL, NULL},
};

int main(void)
{
	return sl_test_run(suites);
}
