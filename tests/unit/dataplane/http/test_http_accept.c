/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The HTTP engine's accept path on an `ssl` bind, in process and without EAL (as
 * tools/bench/bench_http.c runs it): a client stack and the proxy lcore's stack joined by the
 * in-memory wire of tools/bench/bench_wire.h. OpenSSL's allocator is replaced (CRYPTO_set_mem_functions) so that a test
 * can make it fail: a connection accepted while OpenSSL has no memory for its TLS state is reset
 * and counted in http_refused_tls_no_memory, not in http_refused_no_session (issue 15: it was
 * counted as "sessions full"); once memory is back the next connection is served.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "controlplane/cfg/cfg.h"
#include "controlplane/gen_build.h"
#include "dataplane/core/counters.h"
#include "dataplane/core/dp.h"
#include "dataplane/core/gen.h"
#include "dataplane/core/lcore.h"
#include "dataplane/core/route.h"
#include "dataplane/http/http.h"
#include "dataplane/loop/loop.h"
#include "dataplane/tcp/stack.h"
#include "tests/unit/sl_test.h"
#include "tools/bench/bench_wire.h"

#define VIP 0x0a000001u /* 10.0.0.1 */
#define CLI 0x0a00000au

/* ---- OpenSSL's allocator, which a test can make fail ---- */

static bool ossl_fail;

static void *t_malloc(size_t n, const char *file, int line)
{
	(void)file, (void)line;
	return ossl_fail ? NULL : malloc(n);
}

static void *t_realloc(void *p, size_t n, const char *file, int line)
{
	(void)file, (void)line;
	return ossl_fail ? NULL : realloc(p, n);
}

static void t_free(void *p, const char *file, int line)
{
	(void)file, (void)line;
	free(p);
}

/* ---- the wire: tools/bench/bench_wire.h, delivered by destination address ---- */

static struct sl_tcp_stack *st_cli, *st_px;

static void deliver(void)
{
	struct bench_frame *k;
	uint32_t dst;
	while ((k = bench_wire_next(&dst)) != NULL)
		sl_tcp_input(dst == VIP ? st_px : st_cli, k->data, k->len);
}

/* ---- the client: connects, notes how the connection went ---- */

static int cli_connected_n, cli_failed_n;

static void cli_connected(struct sl_tcp_conn *c, void *a)
{
	(void)c, (void)a;
	cli_connected_n++;
}

static void cli_error(struct sl_tcp_conn *c, void *a, int reason)
{
	(void)c, (void)a, (void)reason;
	cli_failed_n++;
}

static const struct sl_tcp_cbs cli_cbs = {.connected = cli_connected, .error = cli_error};

/* ---- the rig: configuration with an ssl bind, the engine on one proxy lcore ---- */

static char dir[] = "/tmp/sl-test-accept-XXXXXX";
static char pem[128];
static struct sl_dp dp;
static struct sl_lcore lc;
static struct sl_lcore_ctrs ctrs;
static struct sl_cfg *cfg;
static struct sl_gen *gen;

/* A self-signed P-256 certificate and its key in one PEM file (what `crt` reads). */
static int make_pem(void)
{
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(pem, sizeof(pem), "%s/site.pem", dir);
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	if (key == NULL || x == NULL)
		return -1;
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	X509_set_pubkey(x, key);
	X509_NAME *n = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)"example.com", -1,
				   -1, 0);
	X509_set_issuer_name(x, n);
	int rc = -1;
	FILE *f = fopen(pem, "w");
	if (X509_sign(x, key, EVP_sha256()) > 0 && f != NULL && PEM_write_X509(f, x) == 1 &&
	    PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL) == 1)
		rc = 0;
	if (f != NULL)
		fclose(f);
	X509_free(x);
	EVP_PKEY_free(key);
	return rc;
}

static int rig_up(void)
{
	char text[1024];
	int n = snprintf(text, sizeof(text),
			 "global\n    maxconn 100\n"
			 "defaults\n    mode http\n    timeout connect 5s\n"
			 "    timeout client 30s\n    timeout server 30s\n"
			 "frontend tls_in\n    bind 10.0.0.1:443 ssl crt %s\n"
			 "    default_backend web\n"
			 "backend web\n    server s1 10.0.0.21:5080\n",
			 pem);
	struct sl_cfg_text t = {"accept.cfg", text, (size_t)n};
	struct sl_cfg_opts o = {.no_dataplane_ok = true};
	if (sl_cfg_parse(&t, 1, &o, &cfg) != 0 || cfg == NULL)
		return -1;
	dp.cfg = cfg;
	dp.naddrs = 1;
	dp.addrs[0] = (struct sl_addr){.ip = VIP, .mask = 0xffffff00u, .port = 0};
	struct sl_route_addr ra = {.ip = VIP, .plen = 24, .port = 0};
	struct sl_route_fault fault;
	dp.routes = sl_route_build(&ra, 1, NULL, 0, &fault);
	if (bench_wire_init(1024, 20000) != 0)
		return -1;
	dp.tsc_hz = bench_tsc_hz;
	dp.start_tsc = bench_tsc0;
	dp.nproxies = 1;
	dp.tmo = calloc(1, sizeof(*dp.tmo));
	if (dp.routes == NULL || dp.tmo == NULL || sl_gen_build(cfg, &dp, NULL, NULL, &gen) != 0)
		return -1;
	dp.gen = gen;
	lc.dp = &dp;
	lc.ctr = &ctrs;
	lc.roles = SL_ROLE_PROXY;
	lc.cfg = lc.cfg_clean = cfg;
	dp.lcores[0] = &lc;
	lc.srv = calloc(SL_MAX_SERVERS, sizeof(*lc.srv));
	lc.srv_active = calloc(SL_MAX_SERVERS, sizeof(*lc.srv_active));
	dp.proxy_active[0] = lc.srv_active; /* the only proxy lcore (proxy_ids[0] = 0) */
	lc.cursor = calloc(SL_BACKEND_IDS, sizeof(*lc.cursor));
	if (sl_port_plan_make(cfg, 1, 1, &dp.plan, NULL, 0) != 0)
		return -1;
	struct sl_tcp_params pp = {.max_conns = 256};
	st_px = sl_tcp_stack_create(&pp, &bench_wire_ops, NULL);
	st_cli = sl_tcp_stack_create(&pp, &bench_wire_ops, NULL);
	lc.tcp = st_px;
	if (lc.srv == NULL || lc.srv_active == NULL || lc.cursor == NULL || st_px == NULL ||
	    st_cli == NULL || sl_http_init(&dp, cfg) != 0 || sl_http_lcore_init(&dp, &lc, cfg) != 0)
		return -1;
	return 0;
}

/* Connects from client port @port and runs the router until nothing moves. */
static void connect_from(uint16_t port)
{
	int err = 0;
	CU_ASSERT_PTR_NOT_NULL(sl_tcp_connect(st_cli, CLI, port, VIP, 443, &cli_cbs, NULL, &err));
	deliver();
}

/* ---- the tests ---- */

static void test_tls_no_memory(void)
{
	CU_ASSERT_EQUAL_FATAL(rig_up(), 0);
	ossl_fail = true; /* the TLS state of the next accepted connection cannot be allocated */
	connect_from(40000);
	ossl_fail = false;
	CU_ASSERT_EQUAL(ctrs.c[SL_CTR_HTTP_TLS_NOMEM], 1);
	CU_ASSERT_EQUAL(ctrs.c[SL_CTR_HTTP_SESS_FULL], 0);
	CU_ASSERT_EQUAL(cli_failed_n, 1); /* reset after the handshake */

	connect_from(40001); /* memory is back: served (the client speaks no TLS: it waits) */
	CU_ASSERT_EQUAL(ctrs.c[SL_CTR_HTTP_TLS_NOMEM], 1);
	CU_ASSERT_EQUAL(ctrs.c[SL_CTR_HTTP_SESS_FULL], 0);
	CU_ASSERT_EQUAL(cli_connected_n, 2);
	CU_ASSERT_EQUAL(cli_failed_n, 1);
}

static const struct sl_test_case cases[] = {
	{"TLS state without memory: reset, counted apart from full sessions", test_tls_no_memory},
	{NULL, NULL},
};

int main(void)
{
	/* before any OpenSSL call: the allocator can only be replaced while nothing is allocated */
	if (CRYPTO_set_mem_functions(t_malloc, t_realloc, t_free) != 1) {
		fprintf(stderr, "cannot replace OpenSSL's allocator\n");
		return 1;
	}
	if (make_pem() != 0) {
		fprintf(stderr, "cannot make a certificate in %s\n", dir);
		return 1;
	}
	static const struct sl_test_suite suites[] = {{"http accept", cases}, {NULL, NULL}};
	int r = sl_test_run(suites);
	unlink(pem);
	rmdir(dir);
	return r;
}
