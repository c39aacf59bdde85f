/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * In-process benchmark of the HTTP proxy (dataplane/http/ + dataplane/rules/http_rules.c) on
 * one core, no NIC and no EAL: three TCP stacks joined by an in-memory router (a client, the proxy
 * lcore's stack with the HTTP engine on it, a server), real time. The client sends keep-alive
 * requests on C connections; the proxy routes each one (ACL, balance), rewrites its head
 * (X-Forwarded-For, http-server-close), opens a server connection, relays the response and
 * closes the server side, as the seed's configuration asks. The server answers "ok".
 *
 * Reported: requests per second of the whole (three stacks on one core) and TSC cycles per
 * proxied request spent in the proxy alone (its stack's input, its timers, the engine): the
 * figure of a proxy lcore, minus the NIC and the worker's classification. Packets are copied
 * into the proxy's stack here (sl_tcp_input): the dataplane keeps received mbufs instead.
 * Usage: bench_http [requests [connections]] | --smoke (2 000 requests on 4 connections, no
 * figure; fails when a request does not complete within 10 s or is answered with an error)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_cycles.h>

#include "controlplane/cfg/cfg.h"
#include "controlplane/gen_build.h"
#include "dataplane/core/dp.h"
#include "dataplane/core/gen.h"
#include "dataplane/core/lcore.h"
#include "dataplane/http/http.h"
#include "dataplane/loop/loop.h"
#include "dataplane/tcp/stack.h"
#include "dataplane/tcphost/tcphost.h"
#include "tools/bench/bench_routes.h"
#include "tools/bench/bench_smoke.h"
#include "tools/bench/bench_wire.h"

#define VIP 0x0a000001u /* 10.0.0.1 */
#define CLI 0x0a00000au
#define SRV 0x0a000015u

static const char cfg_text[] = "global\n"
			       "    maxconn 10000\n"
			       "defaults\n"
			       "    mode http\n"
			       "    option forwardfor\n"
			       "    option http-server-close\n"
			       "    timeout connect 5s\n"
			       "    timeout client 30s\n"
			       "    timeout server 30s\n"
			       "frontend http_lb\n"
			       "    bind 10.0.0.1:80\n"
			       "    acl hls_request path_reg -i ^.*\\.(m3u8|ts)$\n"
			       "    use_backend sticky if hls_request\n"
			       "    default_backend web\n"
			       "backend web\n"
			       "    server ams1 10.0.0.21:5080\n"
			       "backend sticky\n"
			       "    cookie JSESSIONID prefix nocache\n"
			       "    server ams1 10.0.0.21:5080 cookie ams1\n";

/* ---- the router: tools/bench/bench_wire.h, delivered by destination address ---- */

static struct sl_tcp_stack *st_cli, *st_px, *st_srv;
static uint64_t px_cycles;

static void deliver(void)
{
	struct bench_frame *k;
	uint32_t dst;
	while ((k = bench_wire_next(&dst)) != NULL) {
		if (dst == VIP) {
			uint64_t c0 = rte_rdtsc();
			sl_tcp_input(st_px, k->data, k->len);
			px_cycles += rte_rdtsc() - c0;
		} else if (dst == CLI) {
			sl_tcp_input(st_cli, k->data, k->len);
		} else if (dst == SRV) {
			sl_tcp_input(st_srv, k->data, k->len);
		}
	}
}

/* ---- the server: answers every request head with "ok", closes when the proxy does ---- */

static const char srv_resp[] = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n"
			       "Connection: close\r\n\r\nok";

static void srv_read(struct sl_tcp_conn *c, void *a)
{
	char buf[4096];
	ssize_t r;
	(void)a;
	while ((r = sl_tcp_recv(c, buf, sizeof(buf))) > 0)
		if (memmem(buf, (size_t)r, "\r\n\r\n", 4) != NULL) {
			sl_tcp_send(c, srv_resp, sizeof(srv_resp) - 1);
			sl_tcp_shutdown(c); /* Connection: close */
		}
}

static void any_closed(struct sl_tcp_conn *c, void *a)
{
	(void)a;
	sl_tcp_close(c);
}

static const struct sl_tcp_cbs srv_conn = {.readable = srv_read, .closed = any_closed};

static int srv_accept(struct sl_tcp_conn *c, void *a)
{
	(void)a;
	sl_tcp_set_cbs(c, &srv_conn, NULL);
	return 0;
}

static const struct sl_tcp_cbs srv_lst = {.accepted = srv_accept};

/* ---- the clients: keep-alive, one request at a time per connection ---- */

static const char cli_req[] = "GET /live/index.html HTTP/1.1\r\nHost: bench\r\nUser-Agent: bench\r\n"
			      "Accept: */*\r\n\r\n";
static long todo, done;

static void cli_read(struct sl_tcp_conn *c, void *a)
{
	char buf[4096];
	ssize_t r;
	(void)a;
	while ((r = sl_tcp_recv(c, buf, sizeof(buf))) > 0)
		if (r >= 2 && memcmp(buf + r - 2, "ok", 2) == 0) {
			done++;
			if (todo > 0) {
				todo--;
				sl_tcp_send(c, cli_req, sizeof(cli_req) - 1);
			}
		}
}

static void cli_connected(struct sl_tcp_conn *c, void *a)
{
	(void)a;
	if (todo > 0) {
		todo--;
		sl_tcp_send(c, cli_req, sizeof(cli_req) - 1);
	}
}

static const struct sl_tcp_cbs cli_cbs = {.connected = cli_connected, .readable = cli_read};

int main(int argc, char **argv)
{
	bool smoke = bench_smoke(argc, argv);
	long n = smoke ? 2000 : argc > 1 ? atol(argv[1]) : 200000;
	long nconn = smoke ? 4 : argc > 2 ? atol(argv[2]) : 16;
	uint64_t limit_us = smoke ? 10000000ull : 120000000ull; /* a stalled run fails */
	if (n < 1 || nconn < 1 || nconn > 20000) {
		fprintf(stderr, "usage: bench_http [requests [connections (1-20000)]] | --smoke\n");
		return 2;
	}
	struct sl_cfg_text t = {"bench.cfg", cfg_text, sizeof(cfg_text) - 1};
	struct sl_cfg_opts o = {.no_dataplane_ok = true};
	struct sl_cfg *cfg = NULL;
	if (bench_wire_init(8192, 100000) != 0 || sl_cfg_parse(&t, 1, &o, &cfg) != 0 || cfg == NULL)
		return bench_fail("bench_http", "no memory or the configuration does not parse");

	/* the dataplane as the engine sees it, without EAL */
	static struct sl_dp dp;
	static struct sl_lcore lc;
	static struct sl_lcore_ctrs ctrs;
	dp.cfg = cfg;
	dp.naddrs = 1;
	dp.addrs[0] = (struct sl_addr){.ip = VIP, .mask = 0xffffff00u, .port = 0};
	if (bench_routes(&dp) != 0)
		return bench_fail("bench_http", "no route table");
	dp.tsc_hz = bench_tsc_hz;
	dp.start_tsc = bench_tsc0;
	dp.nproxies = 1;
	dp.tmo = calloc(1, sizeof(*dp.tmo));
	struct sl_gen *conf;
	if (dp.tmo == NULL || sl_gen_build(cfg, &dp, NULL, NULL, &conf) != 0)
		return bench_fail("bench_http", "no generation from the configuration");
	dp.gen = conf;
	lc.dp = &dp;
	lc.cfg_gen = dp.cfg_gen;
	lc.ctr = &ctrs;
	lc.roles = SL_ROLE_PROXY;
	lc.cfg = lc.cfg_clean = cfg; /* the configuration the engine reads (its lcore's) */
	dp.lcores[0] = &lc;
	lc.srv = calloc(SL_MAX_SERVERS, sizeof(*lc.srv));
	lc.srv_active = calloc(SL_MAX_SERVERS, sizeof(*lc.srv_active));
	dp.proxy_active[0] = lc.srv_active; /* the only proxy lcore (proxy_ids[0] = 0) */
	lc.cursor = calloc(SL_BACKEND_IDS, sizeof(*lc.cursor));
	if (sl_port_plan_make(cfg, 1, 1, &dp.plan, NULL, 0) != 0)
		return bench_fail("bench_http", "no port plan");
	const struct sl_port_range *lp = &dp.plan.r[SL_PORT_HTTP_SERVER];
	struct sl_tcp_params pp = {.max_conns = 8192, .sndbuf = 32768, .rcvbuf = 32768,
				   .lport_min = lp->lo, .lport_max = lp->hi};
	struct sl_tcp_params cp = {.max_conns = 8192, .max_time_wait = 64};
	st_px = sl_tcp_stack_create(&pp, &bench_wire_ops, NULL);
	st_cli = sl_tcp_stack_create(&cp, &bench_wire_ops, NULL);
	st_srv = sl_tcp_stack_create(&cp, &bench_wire_ops, NULL);
	lc.tcp = st_px;
	if (lc.srv == NULL || lc.srv_active == NULL || lc.cursor == NULL || st_px == NULL ||
	    st_cli == NULL || st_srv == NULL || sl_http_init(&dp, cfg) != 0 ||
	    sl_http_lcore_init(&dp, &lc, cfg) != 0)
		return bench_fail("bench_http", "no memory for the stacks or the HTTP engine");
	sl_tcp_listen(st_srv, SRV, 5080, 1024, &srv_lst, NULL);

	todo = n;
	int err;
	for (long i = 0; i < nconn; i++)
		if (sl_tcp_connect(st_cli, CLI, (uint16_t)(40000 + i), VIP, 80, &cli_cbs, NULL, &err) ==
		    NULL)
			return bench_fail("bench_http", "client connection %ld refused (%d)", i,
					  err);
	uint64_t start = bench_mono_us(), last_tick = bench_wire_now(NULL);
	px_cycles = 0;
	deliver();
	while (done < n) {
		uint64_t now = bench_wire_now(NULL);
		if (now - last_tick >= 1000) {
			last_tick = now;
			sl_tcp_advance(st_cli, now);
			sl_tcp_advance(st_srv, now);
			uint64_t k0 = rte_rdtsc();
			sl_tcp_advance(st_px, now);
			lc.now_ms = now / 1000;
			sl_loop_roles(&lc); /* the engine's timers, as the loop runs them */
			px_cycles += rte_rdtsc() - k0;
		}
		deliver();
		if (bench_mono_us() - start > limit_us)
			return bench_fail("bench_http", "stalled at %ld of %ld requests", done, n);
	}
	unsigned long long e503 = ctrs.c[SL_CTR_HTTP_ERR_503], e502 = ctrs.c[SL_CTR_HTTP_ERR_502];
	if (e503 + e502 != 0) /* the server always answers 200: an error is the engine's */
		return bench_fail("bench_http", "errors 503 %llu 502 %llu", e503, e502);
	double secs = (double)(bench_mono_us() - start) / 1e6;
	struct sl_tcp_stats s;
	sl_tcp_stack_stats(st_px, &s);
	printf("proxied %ld keep-alive requests on %ld connections in %.3f s: %.0f req/s "
	       "(client, proxy and server on one core)\n",
	       done, nconn, secs, (double)done / secs);
	printf("proxy alone: %.0f TSC cycles per request (TSC %.2f GHz), %.1f segments in and "
	       "%.1f out per request; errors 503 %llu 502 %llu\n",
	       (double)px_cycles / (double)done, (double)dp.tsc_hz / 1e9,
	       (double)s.segs_in / (double)done, (double)s.segs_out / (double)done, e503, e502);
	return 0;
}
