/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests for controlplane/cfg/cfg_reload.c: what a reload may change, what it changes, and the
 * counter slots that keep proxies and servers attached to their counters by name. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "controlplane/cfg/cfg_reload.h"
#include "proto/outbuf.h"
#include "tests/unit/controlplane/cfg/cfg_test_util.h"

/* The running configuration of most tests: an RTMP L4 frontend, an HTTP frontend, a stats page. */
#define BASE_GLOBAL                                                                                \
	"global\n"                                                                                 \
	"  maxconn 4000\n"                                                                         \
	"  stats socket /run/t.sock level admin\n"                                                 \
	"defaults\n"                                                                               \
	"  timeout connect 5s\n"                                                                   \
	"  timeout client 50s\n"                                                                   \
	"  timeout server 50s\n"
#define BASE_DP                                                                                    \
	"dataplane\n"                                                                              \
	"  port lan0 iface eth0 driver af_xdp\n"                                                   \
	"  address 10.77.0.1/24 port lan0\n"                                                       \
	"  cores 0-1\n"
#define BASE_PROXIES                                                                               \
	"frontend rtmp_in\n"                                                                       \
	"  mode tcp\n"                                                                             \
	"  bind :1935\n"                                                                           \
	"  default_backend rtmp\n"                                                                 \
	"backend rtmp\n"                                                                           \
	"  mode tcp\n"                                                                             \
	"  server a 10.77.0.21:1935 check\n"                                                       \
	"  server b 10.77.0.22:1935 check weight 10\n"                                             \
	"frontend web\n"                                                                           \
	"  mode http\n"                                                                            \
	"  bind :80\n"                                                                             \
	"  default_backend web_be\n"                                                               \
	"backend web_be\n"                                                                         \
	"  mode http\n"                                                                            \
	"  server w1 10.77.0.21:80 check\n"                                                        \
	"listen stats\n"                                                                           \
	"  mode http\n"                                                                            \
	"  bind :6080\n"                                                                           \
	"  stats enable\n"                                                                         \
	"  stats uri /s\n"

static const char base[] = BASE_GLOBAL BASE_PROXIES BASE_DP;

static struct sl_cfg *parse(const char *text)
{
	struct sl_cfg *c = NULL;
	struct tdiags d;
	int r = tparse(text, &c, &d);
	if (r != 0)
		tdiag_print(&d, "parse");
	CU_ASSERT_EQUAL_FATAL(r, 0);
	return c;
}

/* sl_cfg_reload_check(old=base, new=@text): the number of refusals; the text in @why. */
static int check(const char *text, struct sl_outbuf *why)
{
	struct sl_cfg *a = parse(base), *b = parse(text);
	sl_outbuf_init(why, 0);
	int n = sl_cfg_reload_check(a, b, why);
	sl_cfg_free(a);
	sl_cfg_free(b);
	return n;
}

/* sl_cfg_reload_summary() from configuration @at to @bt, into @sum (freed by the caller);
 * returns its line count. */
static int summary(const char *at, const char *bt, struct sl_outbuf *sum)
{
	struct sl_cfg *a = parse(at), *b = parse(bt);
	sl_outbuf_init(sum, 0);
	int n = sl_cfg_reload_summary(a, b, sum);
	sl_cfg_free(a);
	sl_cfg_free(b);
	return n;
}

static bool has(const struct sl_outbuf *o, const char *sub)
{
	char *s = strndup(sl_outbuf_data(o), sl_outbuf_len(o));
	bool r = s != NULL && strstr(s, sub) != NULL;
	if (!r)
		fprintf(stderr, "expected '%s' in:\n%s\n", sub, s ? s : "");
	free(s);
	return r;
}

static void test_same_is_applicable(void)
{
	struct sl_outbuf why;
	CU_ASSERT_EQUAL(check(base, &why), 0);
	CU_ASSERT_EQUAL(sl_outbuf_len(&why), 0);
	sl_outbuf_free(&why);
}

static void test_live_changes_accepted(void)
{
	/* servers and backends added, removed, reweighted; an L4 frontend added; timeouts and
	 * header rules changed: none needs a restart */
	static const char nw[] = BASE_GLOBAL
		"frontend rtmp_in\n"
		"  mode tcp\n"
		"  bind :1935\n"
		"  timeout client 2m\n"
		"  default_backend rtmp\n"
		"frontend iperf\n"
		"  mode tcp\n"
		"  bind :5201\n"
		"  default_backend rtmp\n"
		"backend rtmp\n"
		"  mode tcp\n"
		"  server b 10.77.0.22:1935 check weight 20\n"
		"  server c 10.77.0.23:1935 check\n"
		"frontend web\n"
		"  mode http\n"
		"  bind :80\n"
		"  http-request set-header X-Via sluice\n"
		"  default_backend web_be\n"
		"backend web_be\n"
		"  mode http\n"
		"  server w1 10.77.0.21:80 check\n"
		"  server w2 10.77.0.22:80 check\n"
		"listen stats\n"
		"  mode http\n"
		"  bind :6080\n"
		"  stats enable\n"
		"  stats uri /other\n" BASE_DP;
	struct sl_outbuf why;
	CU_ASSERT_EQUAL(check(nw, &why), 0);
	sl_outbuf_free(&why);
}

static void test_restart_only_changes_refused(void)
{
	struct sl_outbuf why;
	/* a dataplane port, cores, memory */
	CU_ASSERT_EQUAL(check(BASE_GLOBAL BASE_PROXIES "dataplane\n"
						       "  port lan0 iface eth1 driver af_xdp\n"
						       "  address 10.77.0.1/24 port lan0\n"
						       "  cores 0-1\n",
			      &why),
			1);
	CU_ASSERT_TRUE(has(&why, "dataplane: 'port' cannot change in a running process"));
	sl_outbuf_free(&why);
	CU_ASSERT_EQUAL(check(BASE_GLOBAL BASE_PROXIES "dataplane\n"
						       "  port lan0 iface eth0 driver af_xdp\n"
						       "  address 10.77.0.1/24 port lan0\n"
						       "  cores 0-2\n"
						       "  memory 512\n",
			      &why),
			2);
	CU_ASSERT_TRUE(has(&why, "'cores'"));
	CU_ASSERT_TRUE(has(&why, "'memory'"));
	CU_ASSERT_TRUE(has(&why, "t.cfg:"));
	sl_outbuf_free(&why);
	CU_ASSERT_EQUAL(check(BASE_GLOBAL BASE_PROXIES "dataplane\n"
						       "  port lan0 iface eth0 driver af_xdp\n"
						       "  address 10.77.0.1/24 port lan0\n"
						       "  cores 0-1\n"
						       "  control own\n",
			      &why),
			1);
	CU_ASSERT_TRUE(has(&why, "dataplane: 'control' cannot change in a running process"));
	sl_outbuf_free(&why);
	/* global maxconn and the stats socket */
	CU_ASSERT_EQUAL(check("global\n"
			      "  maxconn 8000\n"
			      "  stats socket /run/other.sock level admin\n"
			      "defaults\n"
			      "  timeout connect 5s\n"
			      "  timeout client 50s\n"
			      "  timeout server 50s\n" BASE_PROXIES BASE_DP,
			      &why),
			2);
	CU_ASSERT_TRUE(has(&why, "global: 'maxconn'"));
	CU_ASSERT_TRUE(has(&why, "global: 'stats socket'"));
	sl_outbuf_free(&why);
}

static void test_listener_changes(void)
{
	/* the plain HTTP frontend moves from :80 to :8080 and gets :8081: applied live; a
	 * second stats port and a new ssl bind: refused */
	static const char nw[] = BASE_GLOBAL
		"frontend rtmp_in\n"
		"  mode tcp\n"
		"  bind :1935\n"
		"  default_backend rtmp\n"
		"backend rtmp\n"
		"  mode tcp\n"
		"  server a 10.77.0.21:1935 check\n"
		"frontend web\n"
		"  mode http\n"
		"  bind :8080\n"
		"  bind :8081\n"
		"  bind :443 ssl crt /certs/site.pem\n"
		"  default_backend web_be\n"
		"backend web_be\n"
		"  mode http\n"
		"  server w1 10.77.0.21:80 check\n"
		"listen stats\n"
		"  mode http\n"
		"  bind :6080\n"
		"  bind 10.77.0.1:6081\n"
		"  stats enable\n" BASE_DP;
	struct sl_outbuf why;
	CU_ASSERT_EQUAL(check(nw, &why), 2);
	CU_ASSERT_TRUE(has(&why, "HTTP frontend *:443 ssl of 'web' added"));
	CU_ASSERT_TRUE(has(&why, "stats page 10.77.0.1:6081 of 'stats' added"));
	CU_ASSERT_TRUE(has(&why, "change only with a restart"));
	sl_outbuf_free(&why);
	/* a process without any HTTP frontend cannot start its first one live */
	static const char no_http[] = BASE_GLOBAL
		"frontend rtmp_in\n"
		"  mode tcp\n"
		"  bind :1935\n"
		"  default_backend rtmp\n"
		"backend rtmp\n"
		"  mode tcp\n"
		"  server a 10.77.0.21:1935 check\n" BASE_DP;
	struct sl_cfg *a = parse(no_http), *b = parse(base);
	sl_outbuf_init(&why, 0);
	CU_ASSERT_EQUAL(sl_cfg_reload_check(a, b, &why), 2); /* web's :80 and the stats page */
	CU_ASSERT_TRUE(has(&why, "HTTP frontend *:80 of 'web' added"));
	sl_outbuf_free(&why);
	/* and removing every HTTP frontend is fine (their listeners close) */
	sl_outbuf_init(&why, 0);
	CU_ASSERT_EQUAL(sl_cfg_reload_check(b, a, &why), 1); /* only the stats page */
	CU_ASSERT_TRUE(has(&why, "stats page *:6080 of 'stats' removed"));
	sl_outbuf_free(&why);
	sl_cfg_free(a);
	sl_cfg_free(b);
}

static void test_slots_stable_by_name(void)
{
	struct sl_cfg *a = parse(base);
	struct sl_slots st = {0};
	struct sl_outbuf why;
	sl_outbuf_init(&why, 0);
	CU_ASSERT_EQUAL_FATAL(sl_cfg_assign_slots(NULL, a, &st, &why), 0);
	/* the first configuration: file order */
	CU_ASSERT_EQUAL(tpx(a, "rtmp_in")->slot, 1);
	CU_ASSERT_EQUAL(tpx(a, "rtmp")->slot, 2);
	CU_ASSERT_EQUAL(tsrv(tpx(a, "rtmp"), "a")->slot, 1);
	CU_ASSERT_EQUAL(tsrv(tpx(a, "rtmp"), "b")->slot, 2);
	CU_ASSERT_EQUAL(tsrv(tpx(a, "web_be"), "w1")->slot, 3);
	/* a proxy inserted before the others, server a removed, c added, b moved after c */
	struct sl_cfg *b = parse(BASE_GLOBAL
				 "frontend first\n"
				 "  mode tcp\n"
				 "  bind :7000\n"
				 "  default_backend rtmp\n"
				 "frontend rtmp_in\n"
				 "  mode tcp\n"
				 "  bind :1935\n"
				 "  default_backend rtmp\n"
				 "backend rtmp\n"
				 "  mode tcp\n"
				 "  server c 10.77.0.23:1935 check\n"
				 "  server b 10.77.0.22:1935 check weight 10\n"
				 "frontend web\n"
				 "  mode http\n"
				 "  bind :80\n"
				 "  default_backend web_be\n"
				 "backend web_be\n"
				 "  mode http\n"
				 "  server w1 10.77.0.21:80 check\n"
				 "listen stats\n"
				 "  mode http\n"
				 "  bind :6080\n"
				 "  stats enable\n" BASE_DP);
	CU_ASSERT_EQUAL_FATAL(sl_cfg_assign_slots(a, b, &st, &why), 0);
	CU_ASSERT_EQUAL(tpx(b, "rtmp_in")->slot, 1);
	CU_ASSERT_EQUAL(tpx(b, "rtmp")->slot, 2);
	CU_ASSERT_EQUAL(tpx(b, "web")->slot, tpx(a, "web")->slot);
	CU_ASSERT_EQUAL(tpx(b, "stats")->slot, tpx(a, "stats")->slot);
	CU_ASSERT_EQUAL(tpx(b, "first")->slot, 6); /* fresh: after the five of the first one */
	CU_ASSERT_EQUAL(tsrv(tpx(b, "rtmp"), "b")->slot, 2);
	CU_ASSERT_EQUAL(tsrv(tpx(b, "web_be"), "w1")->slot, 3);
	/* not a's slot 1 (just freed: its flows and counters may still be about) */
	CU_ASSERT_EQUAL(tsrv(tpx(b, "rtmp"), "c")->slot, 4);
	/* what changed */
	struct sl_outbuf sum;
	sl_outbuf_init(&sum, 0);
	CU_ASSERT_EQUAL(sl_cfg_reload_summary(a, b, &sum), 3);
	CU_ASSERT_TRUE(has(&sum, "frontend first added\n"));
	CU_ASSERT_TRUE(has(&sum, "server rtmp/c added (10.77.0.23:1935)\n"));
	CU_ASSERT_TRUE(has(&sum, "server rtmp/a removed\n"));
	sl_outbuf_free(&sum);
	sl_outbuf_free(&why);
	sl_cfg_free(a);
	sl_cfg_free(b);
}

static void test_summary_weights_and_addresses(void)
{
	struct sl_outbuf sum;
	CU_ASSERT_EQUAL(summary(base,
				BASE_GLOBAL "frontend rtmp_in\n"
					    "  mode tcp\n"
					    "  bind :1935\n"
					    "  default_backend rtmp\n"
					    "backend rtmp\n"
					    "  mode tcp\n"
					    "  server a 10.77.0.31:1935 check\n"
					    "  server b 10.77.0.22:1935 check weight 30\n"
					    "listen stats\n"
					    "  mode http\n"
					    "  bind :6080\n"
					    "  stats enable\n" BASE_DP,
				&sum),
			4);
	CU_ASSERT_TRUE(has(&sum, "server rtmp/a address 10.77.0.21:1935 -> 10.77.0.31:1935\n"));
	CU_ASSERT_TRUE(has(&sum, "server rtmp/b weight 10 -> 30\n"));
	CU_ASSERT_TRUE(has(&sum, "frontend web removed\n"));
	CU_ASSERT_TRUE(has(&sum, "backend web_be removed\n"));
	sl_outbuf_free(&sum);
}

static void test_summary_binds(void)
{
	char text[sizeof(base) + 64];
	const char *p = strstr(base, "  bind :80\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	snprintf(text, sizeof(text), "%.*s  bind :8080\n  bind 10.77.0.1:9000-9001 ssl crt /certs/site.pem\n%s",
		 (int)(p - base), base, p + strlen("  bind :80\n"));
	struct sl_outbuf sum;
	CU_ASSERT_EQUAL(summary(base, text, &sum), 3);
	CU_ASSERT_TRUE(has(&sum, "frontend web bind *:8080 added\n"));
	CU_ASSERT_TRUE(has(&sum, "frontend web bind 10.77.0.1:9000-9001 ssl added\n"));
	CU_ASSERT_TRUE(has(&sum, "frontend web bind *:80 removed\n"));
	sl_outbuf_free(&sum);
}

/* The stats page a page connection follows after a reload: by name, else by its first port. */
static void test_stats_page_in(void)
{
	struct sl_cfg *old = parse(base);
	char text[sizeof(base) + 64];
	const char *p = strstr(base, "listen stats\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	snprintf(text, sizeof(text), "%.*slisten monitor\n%s", (int)(p - base), base,
		 p + strlen("listen stats\n"));
	struct sl_cfg *same = parse(base), *renamed = parse(text);
	const struct sl_proxy *o = sl_cfg_find_proxy(old, "stats", SL_CAP_FE);
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	CU_ASSERT_PTR_EQUAL(sl_cfg_stats_page_in(same, o), sl_cfg_find_proxy(same, "stats", SL_CAP_FE));
	CU_ASSERT_PTR_EQUAL(sl_cfg_stats_page_in(renamed, o),
			    sl_cfg_find_proxy(renamed, "monitor", SL_CAP_FE));
	/* a frontend of the same name that is not a stats page is not it */
	CU_ASSERT_PTR_NULL(sl_cfg_stats_page_in(old, sl_cfg_find_proxy(old, "web", SL_CAP_FE)));
	sl_cfg_free(old);
	sl_cfg_free(same);
	sl_cfg_free(renamed);
}

static void test_slots_exhausted(void)
{
	/* every reload adds a new server: a slot is reused once all were used, and a
	 * configuration with more servers than slots is refused */
	struct sl_slots st = {0};
	struct sl_outbuf why;
	sl_outbuf_init(&why, 0);
	struct sl_cfg *prev = NULL;
	char text[512];
	int first = 0;
	for (int i = 0; i < SL_SRV_SLOTS + 2; i++) {
		snprintf(text, sizeof(text),
			 "backend b\n  mode tcp\n  server s%d 10.0.0.1:80\n", i);
		struct sl_cfg *c = parse(text);
		CU_ASSERT_EQUAL_FATAL(sl_cfg_assign_slots(prev, c, &st, &why), 0);
		int slot = tpx(c, "b")->servers->slot;
		if (i == 0)
			first = slot;
		if (i == SL_SRV_SLOTS) /* the cursor went round: slot 1 again */
			CU_ASSERT_EQUAL(slot, first);
		sl_cfg_free(prev);
		prev = c;
	}
	sl_cfg_free(prev);
	/* one server more than there are slots: refused, saying why */
	size_t cap = (size_t)(SL_SRV_SLOTS + 1) * 40 + 64, len = 0;
	char *big = malloc(cap);
	CU_ASSERT_PTR_NOT_NULL_FATAL(big);
	len += (size_t)snprintf(big, cap, "backend b\n  mode tcp\n");
	for (int i = 0; i <= SL_SRV_SLOTS; i++)
		len += (size_t)snprintf(big + len, cap - len, "  server s%d 10.0.%d.%d:80\n", i,
					i / 250, i % 250 + 1);
	struct sl_cfg *c = parse(big);
	struct sl_slots st2 = {0};
	CU_ASSERT_EQUAL(sl_cfg_assign_slots(NULL, c, &st2, &why), -E2BIG);
	CU_ASSERT_TRUE(has(&why, "more than 4096 servers: no counter slot for 'b/s4096'"));
	sl_cfg_free(c);
	free(big);
	sl_outbuf_free(&why);
}

int main(void)
{
	static const struct sl_test_case cases[] = {
		{"same configuration", test_same_is_applicable},
		{"live changes accepted", test_live_changes_accepted},
		{"restart-only changes refused", test_restart_only_changes_refused},
		{"listener changes: plain HTTP live, ssl and stats pages refused", test_listener_changes},
		{"slots stable by name", test_slots_stable_by_name},
		{"summary: weights, addresses, removals", test_summary_weights_and_addresses},
		{"summary: binds added and removed", test_summary_binds},
		{"slots reused after a full round", test_slots_exhausted},
		{"a stats page followed by name, else by port", test_stats_page_in},
		{NULL, NULL},
	};
	static const struct sl_test_suite suites[] = {{"cfg reload", cases}, {NULL, NULL}};
	return sl_test_run(suites);
}
