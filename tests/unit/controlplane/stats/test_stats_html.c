/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the HTML stats page (controlplane/stats/stats_html.c): hostile names are escaped, every
 * proxy gets its table with its frontend, server and backend rows, the refresh tag follows
 * `stats refresh` and ";norefresh", the legend and version follow their options, the page holds
 * no external URL, and the admin forms appear only when allowed and carry the caller's token.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/outbuf.h"
#include "controlplane/stats/stats_html.h"
#include "controlplane/stats/stats_model.h"
#include "tests/unit/sl_test.h"

#define NROWS 8

static void set_names(struct sl_stats_row *r, enum sl_stats_obj obj, const char *px,
		      const char *sv, const char *status)
{
	sl_stats_row_init(r, obj);
	sl_stats_set_str(r, SL_ST_PXNAME, px);
	sl_stats_set_str(r, SL_ST_SVNAME, sv);
	sl_stats_set_str(r, SL_ST_STATUS, status);
	sl_stats_set_u(r, SL_ST_SCUR, 0);
	sl_stats_set_u(r, SL_ST_STOT, 12345);
}

/* Two proxies: "fe_http" (frontend only) and a listen proxy with a hostile name and servers in
 * each state. */
static const char hostile_px[] = "<script>alert('x')</script>&\"px\"";
static const char hostile_sv[] = "s\"1'<b>&amp;";

static void build(struct sl_stats_row *rows)
{
	set_names(&rows[0], SL_STATS_FE, "fe_http", "FRONTEND", "OPEN");
	set_names(&rows[1], SL_STATS_FE, hostile_px, "FRONTEND", "OPEN");
	set_names(&rows[2], SL_STATS_SRV, hostile_px, hostile_sv, "UP");
	sl_stats_set_u(&rows[2], SL_ST_LASTCHG, 3725);
	sl_stats_set_str(&rows[2], SL_ST_CHECK_STATUS, "L4OK");
	sl_stats_set_u(&rows[2], SL_ST_CHECK_DURATION, 3);
	sl_stats_set_u(&rows[2], SL_ST_ACT, 1);
	sl_stats_set_u(&rows[2], SL_ST_BCK, 0);
	set_names(&rows[3], SL_STATS_SRV, hostile_px, "down1", "DOWN");
	set_names(&rows[4], SL_STATS_SRV, hostile_px, "maint1", "MAINT");
	set_names(&rows[5], SL_STATS_SRV, hostile_px, "drain1", "DRAIN");
	set_names(&rows[6], SL_STATS_SRV, hostile_px, "going1", "UP 1/3");
	set_names(&rows[7], SL_STATS_BE, hostile_px, "BACKEND", "UP");
}

static void free_rows(struct sl_stats_row *rows)
{
	for (int i = 0; i < NROWS; i++)
		sl_stats_row_clear(&rows[i]);
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return n;
}

static const struct sl_stats_prom_counter counters[] = {
	{"rx_packets", 5000, false},
	{"drop_ipv4_bad_checksum", 7, true},
	{"drop_<img src=x>", 2, true},
	{"drop_tx_full", 0, true},
};
static const struct sl_stats_prom_lcore lcores[] = {
	{1, "worker", 0.5, 1000, 900},
	{2, "<i>proxy</i>", 0.0, 0, 0},
};
static const struct sl_stats_prom_dp dp = {counters, 4, lcores, 2, 256, 1024, 9};

/* Renders the model with @o into a malloc()ed string. */
static char *render(const struct sl_stats_html_opts *o, int *rc)
{
	struct sl_stats_row rows[NROWS];
	struct sl_outbuf out;
	build(rows);
	sl_outbuf_init(&out, 0);
	*rc = sl_stats_html_render(rows, NROWS, o, &out);
	char *s = strdup(sl_outbuf_data(&out));
	sl_outbuf_free(&out);
	free_rows(rows);
	return s;
}

static void test_escaping(void)
{
	struct sl_stats_html_opts o = {.admin = true, .admin_token = "t\"ok<en>", .dp = &dp,
				       .node = "<node>", .desc = "a & b", .uri = "/st?\"x\""};
	int rc;
	char *p = render(&o, &rc);
	CU_ASSERT_EQUAL(rc, 2);
	/* the only <script> is ours, once; nothing hostile survives raw */
	CU_ASSERT_EQUAL(count(p, "<script>"), 1);
	CU_ASSERT_PTR_NULL(strstr(p, "alert('x')"));
	CU_ASSERT_PTR_NULL(strstr(p, "<b>"));
	CU_ASSERT_PTR_NULL(strstr(p, "<img"));
	CU_ASSERT_PTR_NULL(strstr(p, "<i>"));
	CU_ASSERT_PTR_NULL(strstr(p, "<node>"));
	CU_ASSERT_PTR_NULL(strstr(p, "t\"ok"));
	CU_ASSERT_PTR_NULL(strstr(p, "/st?\"x\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(
		p, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;px&quot;"));
	CU_ASSERT_PTR_NOT_NULL(strstr(p, "s&quot;1&#39;&lt;b&gt;&amp;amp;"));
	CU_ASSERT_PTR_NOT_NULL(strstr(p, "&lt;img src=x&gt;"));
	CU_ASSERT_PTR_NOT_NULL(strstr(p, "&lt;i&gt;proxy&lt;/i&gt;"));
	CU_ASSERT_PTR_NOT_NULL(strstr(p, "for node &lt;node&gt;"));
	CU_ASSERT_PTR_NOT_NULL(strstr(p, "<p class=\"desc\">a &amp; b</p>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(p, "value=\"t&quot;ok&lt;en&gt;\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(p, "data-csv=\"/st?&quot;x&quot;;csv\""));
	free(p);

	struct sl_outbuf out;
	sl_outbuf_init(&out, 0);
	sl_stats_html_escape("<a href='x'>\"&\"</a>", &out);
	CU_ASSERT_STRING_EQUAL(sl_outbuf_data(&out),
			       "&lt;a href=&#39;x&#39;&gt;&quot;&amp;&quot;&lt;/a&gt;");
	sl_outbuf_reset(&out);
	sl_stats_html_escape(NULL, &out);
	CU_ASSERT_STRING_EQUAL(sl_outbuf_data(&out), "");
	sl_outbuf_free(&out);
}

static void test_tables_and_rows(void)
{
	struct sl_stats_html_opts o = {.dp = &dp};
	int rc;
	char *p = render(&o, &rc);
	CU_ASSERT_EQUAL(rc, 2);
	CU_ASSERT_EQUAL(count(p, "<table class=\"px\""), 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(p, "<table class=\"px\" data-proxy=\"fe_http\">"));
	CU_ASSERT_EQUAL(count(p, "<tr class=\"frontend open\">"), 2);
	CU_ASSERT_EQUAL(count(p, "<tr class=\"backend up\">"), 1);
	CU_ASSERT_EQUAL(count(p, "<tr class=\"server "), 5);
	CU_ASSERT_PTR_NOT_NULL(strstr(p, "<tr class=\"server down\" data-server=\"down1\">"));
	CU_ASSERT_PTR_NOT_NULL(strstr(p, "<tr class=\"server maint\" data-server=\"maint1\">"));
	CU_ASSERT_PTR_NOT_NULL(strstr(p, "<tr class=\"server drain\" data-server=\"drain1\">"));
	CU_ASSERT_PTR_NOT_NULL(strstr(p, "<tr class=\"server going-down\" data-server=\"going1\">"));
	CU_ASSERT_PTR_NOT_NULL(strstr(p, "<td class=\"up\">1h2m UP</td><td>L4OK in 3ms</td>"));
	/* order inside the listen proxy's table: frontend, servers, backend */
	const char *fe = strstr(strstr(p, "data-proxy=\"&lt;"), "<tr class=\"frontend");
	const char *sv = strstr(p, "data-server=\"down1\"");
	const char *be = strstr(p, "<tr class=\"backend");
	CU_ASSERT(fe != NULL && sv != NULL && be != NULL && fe < sv && sv < be);
	/* the dataplane section: lcores, flows, drops (non-zero ones, without "drop_") */
	CU_ASSERT_PTR_NOT_NULL(strstr(p, "<section id=\"dataplane\">"));
	CU_ASSERT_PTR_NOT_NULL(strstr(p, "<td class=\"name\">worker</td>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(p, "50.0%</td><td>1000</td><td>900</td>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(p, "Flow table: 256 / 1024 entries"));
	CU_ASSERT_PTR_NOT_NULL(strstr(p, "<div class=\"logs\">Dropped logs: 9</div>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(p, "25.0%"));
	CU_ASSERT_PTR_NOT_NULL(strstr(p, "<td class=\"name\">ipv4_bad_checksum</td><td>7</td>"));
	CU_ASSERT_PTR_NULL(strstr(p, ">tx_full<"));
	CU_ASSERT_PTR_NOT_NULL(strstr(p, "<td class=\"name\">rx_packets</td><td>5000</td>"));
	/* the chart polls <uri>;csv */
	CU_ASSERT_PTR_NOT_NULL(strstr(p, "<canvas id=\"sl-chart\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(p, "data-csv=\"/haproxy?stats;csv\" data-poll=\"5\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(p, "fetch(url"));
	CU_ASSERT_PTR_NOT_NULL(strstr(p, "</html>\n"));
	free(p);

	/* without a dataplane: no section */
	o.dp = NULL;
	p = render(&o, &rc);
	CU_ASSERT_PTR_NULL(strstr(p, "id=\"dataplane\""));
	free(p);
}

static void test_refresh(void)
{
	struct sl_stats_html_opts o = {0};
	int rc;
	char *p = render(&o, &rc);
	CU_ASSERT_PTR_NULL(strstr(p, "http-equiv=\"refresh\""));
	CU_ASSERT_PTR_NULL(strstr(p, "refresh</a>"));
	free(p);

	o.refresh_ms = 10000;
	p = render(&o, &rc);
	CU_ASSERT_PTR_NOT_NULL(strstr(p, "<meta http-equiv=\"refresh\" content=\"10\">"));
	CU_ASSERT_PTR_NOT_NULL(strstr(p, "<a href=\"/haproxy?stats;norefresh\">Disable refresh</a>"));
	free(p);

	o.refresh_ms = 1500; /* rounded up */
	p = render(&o, &rc);
	CU_ASSERT_PTR_NOT_NULL(strstr(p, "<meta http-equiv=\"refresh\" content=\"2\">"));
	free(p);

	o.norefresh = true;
	p = render(&o, &rc);
	CU_ASSERT_PTR_NULL(strstr(p, "http-equiv=\"refresh\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(p, "<a href=\"/haproxy?stats\">Enable refresh</a>"));
	free(p);
}

static void test_legend_version(void)
{
	struct sl_stats_html_opts o = {.version = "9.9.9"};
	int rc;
	char *p = render(&o, &rc);
	CU_ASSERT_PTR_NOT_NULL(strstr(p, "<h1>sluice version 9.9.9</h1>"));
	CU_ASSERT_PTR_NULL(strstr(p, "id=\"legend\""));
	free(p);

	o.hide_version = true;
	o.show_legends = true;
	p = render(&o, &rc);
	CU_ASSERT_PTR_NULL(strstr(p, "9.9.9"));
	CU_ASSERT_PTR_NULL(strstr(p, "version"));
	CU_ASSERT_PTR_NOT_NULL(strstr(p, "<h1>sluice</h1>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(p, "<section id=\"legend\">"));
	CU_ASSERT_PTR_NOT_NULL(strstr(p, "<span class=\"sw maint\">"));
	free(p);
}

static void test_no_external_url(void)
{
	struct sl_stats_html_opts o = {.refresh_ms = 5000, .show_legends = true, .dp = &dp,
				       .admin = true, .admin_token = "tok", .node = "n1"};
	int rc;
	char *p = render(&o, &rc);
	CU_ASSERT_PTR_NULL(strstr(p, "http://"));
	CU_ASSERT_PTR_NULL(strstr(p, "https://"));
	CU_ASSERT_PTR_NULL(strstr(p, "//cdn"));
	CU_ASSERT_PTR_NULL(strstr(p, "src=\"")); /* no script / image source at all */
	CU_ASSERT_PTR_NULL(strstr(p, "<link"));	   /* no stylesheet */
	CU_ASSERT_PTR_NULL(strstr(p, "@import")); /* no CSS import */
	CU_ASSERT_PTR_NULL(strstr(p, "url("));
	CU_ASSERT_PTR_NULL(strstr(p, "\"//"));
	CU_ASSERT_PTR_NULL(strstr(p, "'//"));
	free(p);
}

static void test_admin(void)
{
	struct sl_stats_html_opts o = {0};
	int rc;
	char *p = render(&o, &rc);
	CU_ASSERT_PTR_NULL(strstr(p, "<form"));
	CU_ASSERT_PTR_NULL(strstr(p, "name=\"action\""));
	free(p);

	o.admin = true; /* allowed, but no token: still no form */
	p = render(&o, &rc);
	CU_ASSERT_PTR_NULL(strstr(p, "<form"));
	free(p);
	o.admin_token = "";
	p = render(&o, &rc);
	CU_ASSERT_PTR_NULL(strstr(p, "<form"));
	free(p);

	o.admin = false; /* a token but not allowed */
	o.admin_token = "abc123";
	p = render(&o, &rc);
	CU_ASSERT_PTR_NULL(strstr(p, "<form"));
	CU_ASSERT_PTR_NULL(strstr(p, "abc123"));
	free(p);

	o.admin = true;
	p = render(&o, &rc);
	CU_ASSERT_EQUAL(count(p, "<form class=\"adm\" method=\"post\" action=\"/haproxy?stats\">"),
			5); /* one per server */
	CU_ASSERT_EQUAL(count(p, "<input type=\"hidden\" name=\"token\" value=\"abc123\">"), 5);
	static const char *const actions[] = {"disable", "enable", "drain", "ready"};
	for (int i = 0; i < 4; i++) {
		char want[96];
		snprintf(want, sizeof(want), "name=\"action\" value=\"%s\"", actions[i]);
		CU_ASSERT_EQUAL(count(p, want), 5);
	}
	CU_ASSERT_PTR_NOT_NULL(strstr(p, "<input type=\"hidden\" name=\"s\" value=\"maint1\">"));
	CU_ASSERT_PTR_NOT_NULL(strstr(p, "<input type=\"hidden\" name=\"b\" value=\"&lt;script"));
	CU_ASSERT_PTR_NOT_NULL(strstr(p, "<meta name=\"referrer\" content=\"same-origin\">"));
	free(p);
}

static void test_state_class_and_cap(void)
{
	CU_ASSERT_STRING_EQUAL(sl_stats_html_state_class("UP"), "up");
	CU_ASSERT_STRING_EQUAL(sl_stats_html_state_class("UP 1/3"), "going-down");
	CU_ASSERT_STRING_EQUAL(sl_stats_html_state_class("UP (agent)"), "up");
	CU_ASSERT_STRING_EQUAL(sl_stats_html_state_class("DOWN 1/2"), "going-up");
	CU_ASSERT_STRING_EQUAL(sl_stats_html_state_class("DOWN"), "down");
	CU_ASSERT_STRING_EQUAL(sl_stats_html_state_class("MAINT (via b/s)"), "maint");
	CU_ASSERT_STRING_EQUAL(sl_stats_html_state_class("NOLB"), "nolb");
	CU_ASSERT_STRING_EQUAL(sl_stats_html_state_class("no check"), "nocheck");
	CU_ASSERT_STRING_EQUAL(sl_stats_html_state_class("FULL"), "full");
	CU_ASSERT_STRING_EQUAL(sl_stats_html_state_class("UPX"), "unknown");
	CU_ASSERT_STRING_EQUAL(sl_stats_html_state_class(NULL), "unknown");

	struct sl_stats_row rows[NROWS];
	struct sl_outbuf out;
	build(rows);
	sl_outbuf_init(&out, 1000);
	CU_ASSERT_EQUAL(sl_stats_html_render(rows, NROWS, NULL, &out), -ENOSPC);
	sl_outbuf_free(&out);
	free_rows(rows);
}

static const struct sl_test_case html_cases[] = {
	{"escaping", test_escaping},
	{"tables_and_rows", test_tables_and_rows},
	{"refresh", test_refresh},
	{"legend_version", test_legend_version},
	{"no_external_url", test_no_external_url},
	{"admin", test_admin},
	{"state_class_and_cap", test_state_class_and_cap},
	{NULL, NULL},
};

int main(void)
{
	static const struct sl_test_suite suites[] = {
		{"stats_html", html_cases},
		{NULL, NULL},
	};
	return sl_test_run(suites);
}
