/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * In-process benchmark of the TLS module's server side: full TLS 1.3 handshakes (X25519,
 * tickets issued) between an OpenSSL client and struct sl_tls_conn through memory, on one core. Only
 * the server's calls (sl_tls_in, sl_tls_read, sl_tls_out) are timed, so the figure is what one
 * proxy lcore spends per handshake, without TCP and without the client's work. Compare with
 * the crypto bound of the same core: one signature plus an X25519 key generation and
 * derivation per full handshake (`openssl speed ecdsap256 rsa2048 ecdhx25519`). Resumed
 * handshakes are measured end to end by tools/bench/tls_vs_haproxy.sh (openssl s_time -reuse).
 *
 * It lives in tls/ because it plays the client with OpenSSL itself.
 * Usage: bench_tls BUNDLE.pem [handshakes]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/ssl.h>

#include "tls/tls.h"

static inline uint64_t tsc(void)
{
	unsigned lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static uint64_t srv_cycles;

static unsigned char wire[65536];

/* Hands what the client wrote to the server (timed) and the server's answer back. */
static void to_server(struct sl_tls_conn *s, BIO *cin, BIO *cout)
{
	int n;
	while ((n = BIO_read(cout, wire, sizeof(wire))) > 0) {
		uint64_t t0 = tsc();
		sl_tls_in(s, wire, (size_t)n);
		sl_tls_read(s, wire, 0);
		size_t m = sl_tls_out(s, wire, sizeof(wire));
		srv_cycles += tsc() - t0;
		if (m > 0)
			BIO_write(cin, wire, (int)m);
	}
}

/* One full handshake; returns 1 when established. */
static int handshake(SSL_CTX *cctx, struct sl_tls_ctx *sctx)
{
	SSL *c = SSL_new(cctx);
	BIO *cin = BIO_new(BIO_s_mem()), *cout = BIO_new(BIO_s_mem());
	SSL_set_bio(c, cin, cout);
	SSL_set_connect_state(c);
	SSL_set_tlsext_host_name(c, "bench.example");
	uint64_t t0 = tsc();
	struct sl_tls_conn *s = sl_tls_conn_new(sctx);
	srv_cycles += tsc() - t0;
	int ok = 0;
	for (int round = 0; round < 20; round++) {
		int r = SSL_do_handshake(c);
		to_server(s, cin, cout);
		if (r == 1) {
			/* TLS 1.3 tickets come after the server has the client's Finished: one
			 * more exchange, then the client reads them (for resumption) */
			to_server(s, cin, cout);
			char b[64];
			SSL_read(c, b, sizeof(b));
			ok = 1;
			break;
		}
	}
	t0 = tsc();
	sl_tls_conn_free(s);
	srv_cycles += tsc() - t0;
	SSL_free(c);
	return ok;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: bench_tls BUNDLE.pem [handshakes]\n");
		return 2;
	}
	long n = argc > 2 ? atol(argv[2]) : 2000;
	const char *crts[1] = {argv[1]};
	struct sl_tls_opts o = {0};
	struct sl_tls_ctx *sctx;
	char err[512];
	if (sl_tls_ctx_load(crts, 1, &o, &sctx, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	struct sl_tls_tickets *tk = sl_tls_tickets_new();
	sl_tls_ctx_set_tickets(sctx, tk);
	SSL_CTX *cctx = SSL_CTX_new(TLS_client_method());
	SSL_CTX_set_min_proto_version(cctx, TLS1_3_VERSION);
	SSL_CTX_set1_groups_list(cctx, "X25519");
	SSL_CTX_set_verify(cctx, SSL_VERIFY_NONE, NULL);

	/* TSC rate */
	double w0 = now_s();
	uint64_t c0 = tsc();
	while (now_s() - w0 < 0.1)
		;
	double hz = (double)(tsc() - c0) / (now_s() - w0);

	srv_cycles = 0;
	long ok = 0;
	for (long i = 0; i < n; i++)
		ok += handshake(cctx, sctx) == 1;
	double full = (double)srv_cycles / (double)ok;
	printf("%s: full TLS 1.3 handshakes (X25519): %ld, server side %.0f cycles each = %.0f/s "
	       "per core (TSC %.2f GHz)\n",
	       argv[1], ok, full, hz / full, hz / 1e9);
	SSL_CTX_free(cctx);
	sl_tls_ctx_free(sctx);
	sl_tls_tickets_free(tk);
	return ok == n ? 0 : 1;
}
