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
 * Usage: bench_tls BUNDLE.pem [handshakes]
 *        bench_tls --smoke     (50 handshakes with a self-signed ECDSA P-256 certificate made for
 *                               the run, no figure; fails when one does not complete)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <unistd.h>

#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "tls/tls.h"
#include "tools/bench/bench_smoke.h"

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

/*
 * Writes a bundle for the smoke run into @path (a mkstemp() template): an ECDSA P-256 key and a
 * certificate for bench.example signed by it, valid for a day. 0 or -1.
 */
static int make_bundle(char *path)
{
	int fd = mkstemp(path);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	int ok = f != NULL && key != NULL && x != NULL && X509_set_version(x, X509_VERSION_3) &&
		 ASN1_INTEGER_set(X509_get_serialNumber(x), 1) &&
		 X509_gmtime_adj(X509_getm_notBefore(x), -60) &&
		 X509_gmtime_adj(X509_getm_notAfter(x), 86400) && X509_set_pubkey(x, key) &&
		 X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
					    (const unsigned char *)"bench.example", -1, -1, 0) &&
		 X509_set_issuer_name(x, X509_get_subject_name(x)) &&
		 X509_sign(x, key, EVP_sha256()) && PEM_write_X509(f, x) &&
		 PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL);
	if (f != NULL)
		ok = fclose(f) == 0 && ok;
	else if (fd >= 0)
		close(fd);
	X509_free(x);
	EVP_PKEY_free(key);
	return ok ? 0 : -1;
}

int main(int argc, char **argv)
{
	bool smoke = bench_smoke(argc, argv);
	if (argc < 2) {
		fprintf(stderr, "usage: bench_tls BUNDLE.pem [handshakes] | --smoke\n");
		return 2;
	}
	char bundle[] = "/tmp/sl-bench-tls-XXXXXX";
	if (smoke && make_bundle(bundle) < 0) {
		unlink(bundle);
		return bench_fail("bench_tls", "cannot write a certificate to %s", bundle);
	}
	long n = smoke ? 50 : argc > 2 ? atol(argv[2]) : 2000;
	const char *crts[1] = {smoke ? bundle : argv[1]};
	struct sl_tls_opts o = {0};
	struct sl_tls_ctx *sctx;
	char err[512];
	int loaded = sl_tls_ctx_load(crts, 1, &o, &sctx, err, sizeof(err));
	if (smoke)
		unlink(bundle);
	if (loaded < 0)
		return bench_fail("bench_tls", "%s", err);
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
	       crts[0], ok, full, hz / full, hz / 1e9);
	SSL_CTX_free(cctx);
	sl_tls_ctx_free(sctx);
	sl_tls_tickets_free(tk);
	return ok == n ? 0 : bench_fail("bench_tls", "%ld of %ld handshakes completed", ok, n);
}
