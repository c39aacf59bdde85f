/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the TLS module (tls/): loading PEM bundles and directories, SNI selection, the
 * handshake, data, close and resumption through memory buffers, and hostile input.
 *
 * Everything is made here: a root CA, an intermediate CA and leaf certificates (RSA-2048 and
 * EC P-256 keys) are generated with the OpenSSL API at start and written under a mkdtemp()
 * directory that is removed at the end. The peer is an OpenSSL client SSL over two memory
 * BIOs; pump() moves bytes between it and the struct sl_tls_conn until nothing moves, in
 * chunks of a chosen size (1 byte for the byte-at-a-time case).
 *
 * Unlike tls/, this file may include OpenSSL: it plays the client and makes the certificates.
 */
#include <errno.h>
#include <ftw.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "tests/unit/sl_test.h"
#include "tls/tls.h"

#define DAY (24L * 3600)

/* ------------------------------------------------------------------ the test PKI */

static struct {
	char dir[64]; /* the mkdtemp() directory */
	EVP_PKEY *root_key, *int_key, *rsa, *ec, *ec2, *ec3;
	X509 *root;   /* self-signed CA */
	X509 *inter;  /* CA signed by root; signs every leaf */
	X509 *a;      /* rsa: SAN example.com, www.example.com */
	X509 *b;      /* ec: SAN *.example.net */
	X509 *c;      /* ec2: CN cn.example.org, no SAN */
	X509 *d;      /* ec3: SAN www.example.net */
	X509 *exp;    /* ec3: SAN expired.example.com, expired yesterday */
	X509 *future; /* ec3: SAN future.example.com, valid from tomorrow */
	char *file_a; /* a + inter + rsa, in that order */
} pki;

static long serial = 1;

static void add_ext(X509 *x, X509V3_CTX *v3, int nid, const char *value)
{
	X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, v3, nid, value);
	if (e == NULL || !X509_add_ext(x, e, -1))
		abort();
	X509_EXTENSION_free(e);
}

/*
 * Returns a certificate for @key named @cn (with subjectAltName @san unless NULL), signed by
 * @issuer/@ikey (self-signed when NULL), valid from now + @nb to now + @na seconds.
 */
static const char *leaf_eku = "serverAuth"; /* "clientAuth" for a client certificate */

static X509 *make_cert(const char *cn, const char *san, EVP_PKEY *key, X509 *issuer, EVP_PKEY *ikey,
		       bool ca, long nb, long na)
{
	X509 *x = X509_new();
	X509V3_CTX v3;

	if (x == NULL || !X509_set_version(x, X509_VERSION_3) ||
	    !ASN1_INTEGER_set(X509_get_serialNumber(x), serial++) ||
	    !X509_gmtime_adj(X509_getm_notBefore(x), nb) ||
	    !X509_gmtime_adj(X509_getm_notAfter(x), na) || !X509_set_pubkey(x, key))
		abort();
	X509_NAME *n = X509_get_subject_name(x);
	if (!X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1,
					0) ||
	    !X509_set_issuer_name(x, issuer != NULL ? X509_get_subject_name(issuer) : n))
		abort();
	X509V3_set_ctx(&v3, issuer != NULL ? issuer : x, x, NULL, NULL, 0);
	add_ext(x, &v3, NID_basic_constraints, ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
	add_ext(x, &v3, NID_key_usage,
		ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature,keyEncipherment");
	add_ext(x, &v3, NID_subject_key_identifier, "hash");
	add_ext(x, &v3, NID_authority_key_identifier, "keyid:always");
	if (!ca)
		add_ext(x, &v3, NID_ext_key_usage, leaf_eku);
	if (san != NULL)
		add_ext(x, &v3, NID_subject_alt_name, san);
	if (!X509_sign(x, ikey != NULL ? ikey : key, EVP_sha256()))
		abort();
	return x;
}

static char *path_of(const char *rel)
{
	char *p;
	if (asprintf(&p, "%s/%s", pki.dir, rel) < 0)
		abort();
	return p;
}

static void mkdir_rel(const char *rel)
{
	char *p = path_of(rel);
	if (mkdir(p, 0700) != 0 && errno != EEXIST)
		abort();
	free(p);
}

/*
 * Writes the file @rel under the temp directory and returns its path (free it). @spec lists
 * the pieces, each taking one argument: 'c' X509 *, 'k' EVP_PKEY * as PKCS#8, 't' the same
 * in the traditional "RSA/EC PRIVATE KEY" form, 'p' the EC PARAMETERS of an EVP_PKEY *,
 * 'e' the key encrypted under a passphrase, 's' a string written as is.
 */
static char *write_file(const char *rel, const char *spec, ...)
{
	char *path = path_of(rel);
	BIO *b = BIO_new_file(path, "w");
	va_list ap;

	if (b == NULL)
		abort();
	va_start(ap, spec);
	for (const char *s = spec; *s != '\0'; s++) {
		int ok = 1;
		switch (*s) {
		case 'c':
			ok = PEM_write_bio_X509(b, va_arg(ap, X509 *));
			break;
		case 'k':
			ok = PEM_write_bio_PrivateKey(b, va_arg(ap, EVP_PKEY *), NULL, NULL, 0,
						      NULL, NULL);
			break;
		case 't':
			ok = PEM_write_bio_PrivateKey_traditional(b, va_arg(ap, EVP_PKEY *), NULL,
								  NULL, 0, NULL, NULL);
			break;
		case 'p':
			ok = PEM_write_bio_Parameters(b, va_arg(ap, EVP_PKEY *));
			break;
		case 'e':
			ok = PEM_write_bio_PKCS8PrivateKey(b, va_arg(ap, EVP_PKEY *),
							   EVP_aes_256_cbc(), NULL, 0, NULL,
							   (void *)"secret");
			break;
		case 's': {
			const char *str = va_arg(ap, const char *);
			ok = BIO_write(b, str, (int)strlen(str)) == (int)strlen(str);
			break;
		}
		default:
			abort();
		}
		if (!ok)
			abort();
	}
	va_end(ap);
	BIO_free(b);
	return path;
}

static void make_pki(void)
{
	strcpy(pki.dir, "/tmp/sl_test_tls.XXXXXX");
	if (mkdtemp(pki.dir) == NULL)
		abort();
	pki.root_key = EVP_EC_gen("P-256");
	pki.int_key = EVP_EC_gen("P-256");
	pki.rsa = EVP_RSA_gen(2048);
	pki.ec = EVP_EC_gen("P-256");
	pki.ec2 = EVP_EC_gen("P-256");
	pki.ec3 = EVP_EC_gen("P-256");
	if (!pki.root_key || !pki.int_key || !pki.rsa || !pki.ec || !pki.ec2 || !pki.ec3)
		abort();
	pki.root = make_cert("sluice test root", NULL, pki.root_key, NULL, NULL, true, -DAY,
			     3650 * DAY);
	pki.inter = make_cert("sluice test intermediate", NULL, pki.int_key, pki.root, pki.root_key,
			      true, -DAY, 3650 * DAY);
	pki.a = make_cert("example.com", "DNS:example.com,DNS:www.example.com", pki.rsa, pki.inter,
			  pki.int_key, false, -DAY, 90 * DAY);
	pki.b = make_cert("wildcard", "DNS:*.example.net", pki.ec, pki.inter, pki.int_key, false,
			  -DAY, 90 * DAY);
	pki.c = make_cert("cn.example.org", NULL, pki.ec2, pki.inter, pki.int_key, false, -DAY,
			  90 * DAY);
	pki.d = make_cert("www.example.net", "DNS:www.example.net", pki.ec3, pki.inter, pki.int_key,
			  false, -DAY, 90 * DAY);
	pki.exp = make_cert("expired.example.com", "DNS:expired.example.com", pki.ec3, pki.inter,
			    pki.int_key, false, -10 * DAY, -DAY);
	pki.future = make_cert("future.example.com", "DNS:future.example.com", pki.ec3, pki.inter,
			       pki.int_key, false, DAY, 10 * DAY);
	pki.file_a = write_file("a.pem", "cck", pki.a, pki.inter, pki.rsa);
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	return remove(p);
}

static void free_pki(void)
{
	nftw(pki.dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(pki.file_a);
	X509 *certs[] = {pki.root, pki.inter, pki.a, pki.b, pki.c, pki.d, pki.exp, pki.future};
	for (size_t i = 0; i < sizeof(certs) / sizeof(certs[0]); i++)
		X509_free(certs[i]);
	EVP_PKEY *keys[] = {pki.root_key, pki.int_key, pki.rsa, pki.ec, pki.ec2, pki.ec3};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		EVP_PKEY_free(keys[i]);
}

/* ------------------------------------------------------------------ helpers */

static char err[512];

/* Loads the @n paths @crts with @o; returns the context or NULL (message in err). */
static struct sl_tls_ctx *load_opts(const char *const *crts, int n, const struct sl_tls_opts *o)
{
	struct sl_tls_ctx *c = (struct sl_tls_ctx *)1;
	int r = sl_tls_ctx_load(crts, n, o, &c, err, sizeof(err));
	CU_ASSERT_EQUAL(r == 0, c != NULL);
	return r == 0 ? c : NULL;
}

static struct sl_tls_ctx *load1(const char *path)
{
	return load_opts(&path, 1, NULL);
}

/* Expects loading @path to fail with a message naming @name and containing @reason. */
static void expect_fail(const char *path, const char *name, const char *reason)
{
	struct sl_tls_ctx *c = load1(path);
	CU_ASSERT_PTR_NULL(c);
	sl_tls_ctx_free(c);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, name));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, reason));
	CU_ASSERT_PTR_NULL(strchr(err, '\n'));
	if (strstr(err, name) == NULL || strstr(err, reason) == NULL)
		fprintf(stderr, "\n  want '%s' and '%s' in: %s\n", name, reason, err);
}

/* A client context: @maxv caps the version (0: none), @ciphers (NULL: default), @verify
 * checks the server's chain against our root. */
static SSL_CTX *cl_ctx(int maxv, const char *ciphers, bool verify)
{
	SSL_CTX *c = SSL_CTX_new(TLS_client_method());

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	if (maxv != 0 && maxv < TLS1_2_VERSION) {
		/* OpenSSL 3 refuses TLS < 1.2 at its default security level (SHA-1). */
		SSL_CTX_set_security_level(c, 0);
		SSL_CTX_set_min_proto_version(c, TLS1_VERSION);
	}
	if (maxv != 0)
		CU_ASSERT_EQUAL(SSL_CTX_set_max_proto_version(c, maxv), 1);
	if (ciphers != NULL)
		CU_ASSERT_EQUAL(SSL_CTX_set_cipher_list(c, ciphers), 1);
	if (verify) {
		SSL_CTX_set_verify(c, SSL_VERIFY_PEER, NULL);
		CU_ASSERT_EQUAL(X509_STORE_add_cert(SSL_CTX_get_cert_store(c), pki.root), 1);
	}
	return c;
}

struct rx {
	unsigned char *p;
	size_t len, cap;
};

static void rx_add(struct rx *r, const void *p, size_t n)
{
	if (r->len + n > r->cap) {
		r->cap = (r->len + n) * 2;
		r->p = realloc(r->p, r->cap);
		if (r->p == NULL)
			abort();
	}
	memcpy(r->p + r->len, p, n);
	r->len += n;
}

/* A client SSL and our server connection, and what each received. */
struct pair {
	SSL *cl;
	BIO *crb, *cwb; /* the client's input and output */
	struct sl_tls_conn *sv;
	bool cl_failed, cl_eof, sv_failed, sv_eof;
	struct rx cl_rx, sv_rx;
	size_t chunk;	 /* bytes per move [16 KiB] */
	size_t sv_rdmax; /* buffer of sl_tls_read() [4096] */
	int first_out;	 /* first byte the server sent, -1 none */
};

/* Builds the client wire ALPN list from "a,b". */
static void set_alpn(SSL *s, const char *list)
{
	unsigned char w[256];
	size_t n = 0;
	for (const char *p = list; *p != '\0';) {
		const char *e = strchr(p, ',');
		size_t len = e != NULL ? (size_t)(e - p) : strlen(p);
		w[n++] = (unsigned char)len;
		memcpy(w + n, p, len);
		n += len;
		p += len + (e != NULL);
	}
	CU_ASSERT_EQUAL(SSL_set_alpn_protos(s, w, (unsigned)n), 0); /* 0 is success here */
}

static void pair_open(struct pair *p, SSL_CTX *cctx, struct sl_tls_ctx *sctx, const char *sni,
		      const char *alpn, SSL_SESSION *sess)
{
	memset(p, 0, sizeof(*p));
	p->first_out = -1;
	p->cl = SSL_new(cctx);
	p->crb = BIO_new(BIO_s_mem());
	p->cwb = BIO_new(BIO_s_mem());
	CU_ASSERT_FATAL(p->cl != NULL && p->crb != NULL && p->cwb != NULL);
	BIO_set_mem_eof_return(p->crb, -1);
	SSL_set_bio(p->cl, p->crb, p->cwb);
	SSL_set_connect_state(p->cl);
	if (sni != NULL) {
		CU_ASSERT_EQUAL(SSL_set_tlsext_host_name(p->cl, sni), 1);
		CU_ASSERT_EQUAL(SSL_set1_host(p->cl, sni), 1); /* checked when verifying */
	}
	if (alpn != NULL)
		set_alpn(p->cl, alpn);
	if (sess != NULL)
		CU_ASSERT_EQUAL(SSL_set_session(p->cl, sess), 1);
	p->sv = sl_tls_conn_new(sctx);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p->sv);
}

static void pump(struct pair *p);

static void pair_close(struct pair *p)
{
	SSL_free(p->cl);
	sl_tls_conn_free(p->sv);
	free(p->cl_rx.p);
	free(p->sv_rx.p);
	ERR_clear_error();
}

/*
 * Sends the client's close_notify: OpenSSL marks the session of an SSL freed without it as not
 * resumable (a truncation attack could have cut it short).
 */
static void clean_shutdown(struct pair *p)
{
	if (SSL_is_init_finished(p->cl) && !p->cl_failed) {
		SSL_shutdown(p->cl);
		pump(p);
		CU_ASSERT(p->sv_eof);
	}
}

/* The client: handshake until done, then read whatever arrived (tickets, data, close). */
static void client_step(struct pair *p)
{
	unsigned char b[4096];

	if (p->cl_failed)
		return;
	ERR_clear_error();
	if (!SSL_is_init_finished(p->cl)) {
		int r = SSL_do_handshake(p->cl);
		if (r != 1) {
			int e = SSL_get_error(p->cl, r);
			if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE)
				p->cl_failed = true;
			ERR_clear_error();
			return;
		}
	}
	for (;;) {
		int r = SSL_read(p->cl, b, sizeof(b));
		if (r > 0) {
			rx_add(&p->cl_rx, b, (size_t)r);
			continue;
		}
		int e = SSL_get_error(p->cl, r);
		if (e == SSL_ERROR_ZERO_RETURN)
			p->cl_eof = true;
		else if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE)
			p->cl_failed = true;
		ERR_clear_error();
		return;
	}
}

/* The server: read until it wants more, as the proxy does. */
static void server_step(struct pair *p)
{
	unsigned char b[16384];
	size_t max = p->sv_rdmax != 0 ? p->sv_rdmax : 4096;

	while (!p->sv_failed) {
		ssize_t r = sl_tls_read(p->sv, b, max);
		if (r > 0) {
			CU_ASSERT(r <= (ssize_t)max);
			rx_add(&p->sv_rx, b, (size_t)r);
			continue;
		}
		if (r == 0)
			p->sv_eof = true;
		else if (r == -EPROTO)
			p->sv_failed = true;
		else
			CU_ASSERT_EQUAL(r, -EAGAIN);
		return;
	}
}

/* Moves bytes both ways until a round moves none. */
static void pump(struct pair *p)
{
	unsigned char buf[16384];
	size_t chunk = p->chunk != 0 && p->chunk < sizeof(buf) ? p->chunk : sizeof(buf);

	for (long round = 0; round < 10000000; round++) {
		bool moved = false;
		client_step(p);
		size_t n = BIO_ctrl_pending(p->cwb);
		if (n > 0) {
			int k = BIO_read(p->cwb, buf, (int)(n < chunk ? n : chunk));
			CU_ASSERT_FATAL(k > 0);
			if (sl_tls_in(p->sv, buf, (size_t)k) != 0)
				p->sv_failed = true;
			moved = true;
		}
		server_step(p);
		n = sl_tls_out(p->sv, buf, chunk);
		if (n > 0) {
			if (p->first_out < 0)
				p->first_out = buf[0];
			CU_ASSERT_EQUAL(BIO_write(p->crb, buf, (int)n), (int)n);
			moved = true;
		}
		if (!moved)
			return;
	}
	CU_FAIL("pump did not settle");
}

/* Opens a pair, runs the handshake; true when both ends are established. */
static bool handshake(struct pair *p, SSL_CTX *cctx, struct sl_tls_ctx *sctx, const char *sni,
		      const char *alpn, SSL_SESSION *sess)
{
	pair_open(p, cctx, sctx, sni, alpn, sess);
	pump(p);
	return SSL_is_init_finished(p->cl) && !p->cl_failed && sl_tls_established(p->sv);
}

/* The certificate the server presented to the client. */
static bool served(struct pair *p, X509 *want)
{
	X509 *x = SSL_get1_peer_certificate(p->cl);
	bool same = x != NULL && X509_cmp(x, want) == 0;
	X509_free(x);
	return same;
}

/* ------------------------------------------------------------------ loading */

/* The three orders of a bundle all load, and the client can verify the chain of each. */
static void test_bundle_orders(void)
{
	char *files[] = {
		write_file("o1.pem", "cck", pki.a, pki.inter, pki.rsa),
		write_file("o2.pem", "kcc", pki.rsa, pki.a, pki.inter),
		write_file("o3.pem", "ckc", pki.inter, pki.rsa, pki.a),
	};
	SSL_CTX *cctx = cl_ctx(0, NULL, true);
	for (size_t i = 0; i < 3; i++) {
		struct sl_tls_ctx *c = load1(files[i]);
		CU_ASSERT_PTR_NOT_NULL_FATAL(c);
		CU_ASSERT_EQUAL(sl_tls_ctx_count(c), 1);
		CU_ASSERT_STRING_EQUAL(sl_tls_ctx_cert_file(c, 0), files[i]);
		CU_ASSERT_PTR_NULL(sl_tls_ctx_cert_file(c, 1));
		CU_ASSERT_PTR_NULL(sl_tls_ctx_cert_file(c, -1));
		struct pair p;
		CU_ASSERT(handshake(&p, cctx, c, "example.com", NULL, NULL));
		CU_ASSERT_EQUAL(SSL_get_verify_result(p.cl), X509_V_OK);
		CU_ASSERT(served(&p, pki.a));
		pair_close(&p);
		sl_tls_ctx_free(c);
		free(files[i]);
	}
	SSL_CTX_free(cctx);
}

/* A chain given root first is sent issuer first: leaf, intermediate, root. */
static void test_chain_order(void)
{
	char *f = write_file("rev.pem", "ckcc", pki.root, pki.rsa, pki.inter, pki.a);
	struct sl_tls_ctx *c = load1(f);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	SSL_CTX *cctx = cl_ctx(0, NULL, false);
	struct pair p;
	CU_ASSERT(handshake(&p, cctx, c, NULL, NULL, NULL));
	STACK_OF(X509) *sent = SSL_get_peer_cert_chain(p.cl);
	CU_ASSERT_EQUAL_FATAL(sk_X509_num(sent), 3);
	CU_ASSERT_EQUAL(X509_cmp(sk_X509_value(sent, 0), pki.a), 0);
	CU_ASSERT_EQUAL(X509_cmp(sk_X509_value(sent, 1), pki.inter), 0);
	CU_ASSERT_EQUAL(X509_cmp(sk_X509_value(sent, 2), pki.root), 0);
	pair_close(&p);
	SSL_CTX_free(cctx);
	sl_tls_ctx_free(c);
	free(f);
}

/* Traditional key forms, EC PARAMETERS and text around the blocks are all fine. */
static void test_bundle_forms(void)
{
	char *f1 = write_file("trad_rsa.pem", "stscsc", "subject=example.com\n", pki.rsa,
			      "\n# comment\n", pki.a, "issuer\n", pki.inter);
	char *f2 = write_file("trad_ec.pem", "cptc", pki.b, pki.ec, pki.ec, pki.inter);
	const char *both[] = {f1, f2};
	struct sl_tls_ctx *c = load_opts(both, 2, NULL);
	CU_ASSERT_PTR_NOT_NULL(c);
	if (c == NULL)
		fprintf(stderr, "\n  %s\n", err);
	else
		CU_ASSERT_EQUAL(sl_tls_ctx_count(c), 2);
	sl_tls_ctx_free(c);
	free(f1);
	free(f2);
}

/* certbot's live/DOMAIN (symbolic links into archive/): one certificate from two files. */
static void test_certbot_dir(void)
{
	mkdir_rel("archive");
	mkdir_rel("archive/example.com");
	mkdir_rel("live");
	mkdir_rel("live/example.com");
	char *files[] = {
		write_file("archive/example.com/cert1.pem", "c", pki.a),
		write_file("archive/example.com/chain1.pem", "c", pki.inter),
		write_file("archive/example.com/fullchain1.pem", "cc", pki.a, pki.inter),
		write_file("archive/example.com/privkey1.pem", "k", pki.rsa),
		write_file("live/example.com/README", "s", "This directory contains your keys\n"),
	};
	const char *links[][2] = {
		{"../../archive/example.com/cert1.pem", "live/example.com/cert.pem"},
		{"../../archive/example.com/chain1.pem", "live/example.com/chain.pem"},
		{"../../archive/example.com/fullchain1.pem", "live/example.com/fullchain.pem"},
		{"../../archive/example.com/privkey1.pem", "live/example.com/privkey.pem"},
	};
	for (size_t i = 0; i < 4; i++) {
		char *l = path_of(links[i][1]);
		CU_ASSERT_EQUAL(symlink(links[i][0], l), 0);
		free(l);
	}
	char *dir = path_of("live/example.com"), *slash = path_of("live/example.com/");
	char *full = path_of("live/example.com/fullchain.pem");
	struct sl_tls_ctx *c = load1(dir);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(sl_tls_ctx_count(c), 1);
	CU_ASSERT_STRING_EQUAL(sl_tls_ctx_cert_file(c, 0), full);
	SSL_CTX *cctx = cl_ctx(0, NULL, true);
	struct pair p;
	CU_ASSERT(handshake(&p, cctx, c, "www.example.com", NULL, NULL));
	CU_ASSERT_EQUAL(SSL_get_verify_result(p.cl), X509_V_OK);
	pair_close(&p);
	SSL_CTX_free(cctx);
	sl_tls_ctx_free(c);
	c = load1(slash); /* a trailing slash gives the same names */
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_STRING_EQUAL(sl_tls_ctx_cert_file(c, 0), full);
	sl_tls_ctx_free(c);
	/* Without privkey.pem it is a directory of bundles, and cert.pem (first) has no key. */
	char *pk = path_of("live/example.com/privkey.pem");
	CU_ASSERT_EQUAL(unlink(pk), 0);
	expect_fail(dir, "live/example.com/cert.pem", "no private key");
	for (size_t i = 0; i < 5; i++)
		free(files[i]);
	free(pk);
	free(dir);
	free(slash);
	free(full);
}

/* Builds multi/ with three bundles and files to ignore; returns its path. */
static char *make_multi(void)
{
	mkdir_rel("multi");
	mkdir_rel("multi/sub.pem"); /* a directory: ignored */
	char *f[] = {
		write_file("multi/20-wild.pem", "kcc", pki.ec, pki.b, pki.inter),
		write_file("multi/10-main.pem", "cck", pki.a, pki.inter, pki.rsa),
		write_file("multi/30-cn.crt", "cck", pki.c, pki.inter, pki.ec2),
		write_file("multi/README", "s", "not a bundle"),
		write_file("multi/40-main.key", "k", pki.rsa),
		write_file("multi/.hidden.pem", "s", "garbage that would fail"),
	};
	for (size_t i = 0; i < 6; i++)
		free(f[i]);
	return path_of("multi");
}

/* A directory: sorted by name, the first is the default, SNI picks by SAN or CN. */
static void test_dir_sni(void)
{
	char *dir = make_multi();
	struct sl_tls_ctx *c = load1(dir);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL_FATAL(sl_tls_ctx_count(c), 3);
	CU_ASSERT_PTR_NOT_NULL(strstr(sl_tls_ctx_cert_file(c, 0), "multi/10-main.pem"));
	CU_ASSERT_PTR_NOT_NULL(strstr(sl_tls_ctx_cert_file(c, 1), "multi/20-wild.pem"));
	CU_ASSERT_PTR_NOT_NULL(strstr(sl_tls_ctx_cert_file(c, 2), "multi/30-cn.crt"));
	static const struct {
		const char *sni;
		int want;
	} cases[] = {
		{"example.com", 0},
		{"www.example.com", 0},
		{"WWW.Example.COM", 0},
		{"foo.example.net", 1},
		{"FOO.EXAMPLE.NET", 1},
		{"a.b.example.net", -1},
		{"example.net", -1},
		{"cn.example.org", 2},
		{"x.cn.example.org", -1},
		{"unknown.test", -1},
		{"", -1},
		{".example.net", -1},
		{"example.com.", -1},
		{"xexample.com", -1},
		{NULL, -1},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int got = sl_tls_ctx_pick(c, cases[i].sni);
		CU_ASSERT_EQUAL(got, cases[i].want);
		if (got != cases[i].want)
			fprintf(stderr, "\n  pick(%s) = %d, want %d\n", cases[i].sni, got,
				cases[i].want);
	}
	char longname[300];
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	CU_ASSERT_EQUAL(sl_tls_ctx_pick(c, longname), -1);

	/* The certificate served follows the pick; the name is reported as sent. */
	SSL_CTX *cctx = cl_ctx(0, NULL, false);
	struct pair p;
	CU_ASSERT(handshake(&p, cctx, c, "Foo.example.net", NULL, NULL));
	CU_ASSERT(served(&p, pki.b));
	CU_ASSERT_STRING_EQUAL(sl_tls_sni(p.sv), "Foo.example.net");
	pair_close(&p);
	CU_ASSERT(handshake(&p, cctx, c, "cn.example.org", NULL, NULL));
	CU_ASSERT(served(&p, pki.c));
	pair_close(&p);
	CU_ASSERT(handshake(&p, cctx, c, "unknown.test", NULL, NULL));
	CU_ASSERT(served(&p, pki.a));
	CU_ASSERT_STRING_EQUAL(sl_tls_sni(p.sv), "unknown.test");
	pair_close(&p);
	CU_ASSERT(handshake(&p, cctx, c, NULL, NULL, NULL));
	CU_ASSERT(served(&p, pki.a));
	CU_ASSERT_PTR_NULL(sl_tls_sni(p.sv));
	pair_close(&p);
	SSL_CTX_free(cctx);
	sl_tls_ctx_free(c);

	/* Several crt arguments: in order, the first file is the default. */
	const char *two[] = {pki.file_a, dir};
	c = load_opts(two, 2, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(sl_tls_ctx_count(c), 4);
	CU_ASSERT_STRING_EQUAL(sl_tls_ctx_cert_file(c, 0), pki.file_a);
	CU_ASSERT_EQUAL(sl_tls_ctx_pick(c, "example.com"), 0); /* first loaded wins */
	CU_ASSERT_EQUAL(sl_tls_ctx_pick(c, "foo.example.net"), 2);
	sl_tls_ctx_free(c);
	free(dir);
}

/* An exact name beats a wildcard loaded before it. */
static void test_exact_beats_wildcard(void)
{
	char *f1 = write_file("w1.pem", "cck", pki.b, pki.inter, pki.ec);
	char *f2 = write_file("w2.pem", "cck", pki.d, pki.inter, pki.ec3);
	const char *both[] = {f1, f2};
	struct sl_tls_ctx *c = load_opts(both, 2, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(sl_tls_ctx_pick(c, "www.example.net"), 1);
	CU_ASSERT_EQUAL(sl_tls_ctx_pick(c, "ftp.example.net"), 0);
	sl_tls_ctx_free(c);
	free(f1);
	free(f2);
}

/* crt-list filters (HAProxy 2.6, checked against it in tests/e2e/test_tls_client.sh): filters
 * replace the certificate's names; a negative exact name gets the default, wildcards aside. */
static void test_filters(void)
{
	char *f1 = write_file("f1.pem", "cck", pki.a, pki.inter, pki.rsa);
	char *f2 = write_file("f2.pem", "cck", pki.b, pki.inter, pki.ec);
	char *f3 = write_file("f3.pem", "cck", pki.d, pki.inter, pki.ec3);
	const char *flt2[] = {"*.example.net", "!sec.example.net", "!*.example.org"};
	const char *flt3[] = {"other.test", "OTHER2.test"};
	const char *flt_neg[] = {"!www.example.net"};
	struct sl_tls_crt v[] = {
		{.path = f1, .verify = -1},
		{.path = f2, .filters = flt2, .nfilters = 3, .verify = -1},
		{.path = f3, .filters = flt3, .nfilters = 2, .verify = -1},
	};
	struct sl_tls_ctx *c = NULL;
	char why[256];
	CU_ASSERT_EQUAL_FATAL(sl_tls_ctx_load_crts(v, 3, NULL, &c, why, sizeof(why)), 0);
	CU_ASSERT_EQUAL(sl_tls_ctx_pick(c, "example.com"), 0);
	CU_ASSERT_EQUAL(sl_tls_ctx_pick(c, "a.example.net"), 1);
	CU_ASSERT_EQUAL(sl_tls_ctx_pick(c, "sec.example.net"), -1);
	CU_ASSERT_EQUAL(sl_tls_ctx_pick(c, "other.test"), 2);
	CU_ASSERT_EQUAL(sl_tls_ctx_pick(c, "other2.test"), 2);
	/* f3's own name is www.example.net: not indexed under filters, the wildcard answers */
	CU_ASSERT_EQUAL(sl_tls_ctx_pick(c, "www.example.net"), 1);
	sl_tls_ctx_free(c);
	/* only a negative filter: the certificate answers to no name at all */
	struct sl_tls_crt w[] = {
		{.path = f1, .verify = -1},
		{.path = f3, .filters = flt_neg, .nfilters = 1, .verify = -1},
	};
	CU_ASSERT_EQUAL_FATAL(sl_tls_ctx_load_crts(w, 2, NULL, &c, why, sizeof(why)), 0);
	CU_ASSERT_EQUAL(sl_tls_ctx_pick(c, "www.example.net"), -1);
	sl_tls_ctx_free(c);
	/* verify without a ca-file, a ca-file that is no PEM: refused */
	struct sl_tls_crt x = {.path = f1, .verify = SL_TLS_VERIFY_REQUIRED};
	CU_ASSERT_EQUAL(sl_tls_ctx_load_crts(&x, 1, NULL, &c, why, sizeof(why)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "no ca-file"));
	char *junk = write_file("junk-ca.pem", "s", "not a certificate");
	x.ca_file = junk;
	CU_ASSERT_EQUAL(sl_tls_ctx_load_crts(&x, 1, NULL, &c, why, sizeof(why)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "junk-ca.pem"));
	char *ca = write_file("ca.pem", "c", pki.root);
	x.ca_file = ca;
	CU_ASSERT_EQUAL(sl_tls_ctx_load_crts(&x, 1, NULL, &c, why, sizeof(why)), 0);
	sl_tls_ctx_free(c);
	free(ca);
	free(junk);
	free(f1);
	free(f2);
	free(f3);
}

/* Client certificates: verify required / optional, the SNI switch carrying a line's verify,
 * and what sl_tls_peer() reports. */
static void test_client_certs(void)
{
	char *f1 = write_file("cc1.pem", "cck", pki.a, pki.inter, pki.rsa);
	char *f2 = write_file("cc2.pem", "cck", pki.b, pki.inter, pki.ec);
	char *ca = write_file("cc-ca.pem", "cc", pki.inter, pki.root);
	SSL_CTX *none = cl_ctx(0, NULL, false), *with = cl_ctx(0, NULL, false);
	leaf_eku = "clientAuth";
	X509 *cl = make_cert("client one", NULL, pki.ec3, pki.inter, pki.int_key, false, -DAY, DAY);
	leaf_eku = "serverAuth";
	CU_ASSERT_EQUAL(SSL_CTX_use_certificate(with, cl), 1);
	CU_ASSERT_EQUAL(SSL_CTX_use_PrivateKey(with, pki.ec3), 1);
	struct sl_tls_opts o = {.verify = SL_TLS_VERIFY_REQUIRED, .ca_file = ca};
	const char *one[] = {f1};
	struct sl_tls_ctx *c = load_opts(one, 1, &o);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	struct pair p;
	CU_ASSERT_FALSE(handshake(&p, none, c, NULL, NULL, NULL));
	CU_ASSERT_PTR_NULL(sl_tls_peer(p.sv));
	pair_close(&p);
	CU_ASSERT_TRUE(handshake(&p, with, c, NULL, NULL, NULL));
	const struct sl_tls_peer *pe = sl_tls_peer(p.sv);
	CU_ASSERT_PTR_NOT_NULL_FATAL(pe);
	CU_ASSERT_TRUE(pe->used);
	CU_ASSERT_TRUE(pe->has_crt);
	CU_ASSERT_EQUAL(pe->verify, 0);
	CU_ASSERT_STRING_EQUAL(pe->s_dn, "/CN=client one");
	CU_ASSERT_STRING_EQUAL(pe->i_dn, "/CN=sluice test intermediate");
	CU_ASSERT(pe->serial_len > 0);
	CU_ASSERT_PTR_EQUAL(sl_tls_peer(p.sv), pe); /* made once */
	pair_close(&p);
	sl_tls_ctx_free(c);

	/* ca-verify-file: trusted, not named in the CertificateRequest */
	struct sl_tls_opts ov = {.verify = SL_TLS_VERIFY_REQUIRED, .ca_verify_file = ca};
	c = load_opts(one, 1, &ov);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_TRUE(handshake(&p, with, c, NULL, NULL, NULL));
	CU_ASSERT_PTR_NULL(SSL_get0_peer_CA_list(p.cl)); /* no CA named */
	pair_close(&p);
	sl_tls_ctx_free(c);
	c = load_opts(one, 1, &o);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_TRUE(handshake(&p, with, c, NULL, NULL, NULL));
	CU_ASSERT_EQUAL(sk_X509_NAME_num(SSL_get0_peer_CA_list(p.cl)), 2); /* ca-file's two */
	pair_close(&p);
	sl_tls_ctx_free(c);

	o.verify = SL_TLS_VERIFY_OPTIONAL;
	c = load_opts(one, 1, &o);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_TRUE(handshake(&p, none, c, NULL, NULL, NULL));
	pe = sl_tls_peer(p.sv);
	CU_ASSERT_PTR_NOT_NULL_FATAL(pe);
	CU_ASSERT_FALSE(pe->used);
	CU_ASSERT_PTR_NULL(pe->s_dn);
	pair_close(&p);
	sl_tls_ctx_free(c);

	/* a crt-list line's verify follows its certificate through the SNI switch */
	const char *flt[] = {"x.test"};
	struct sl_tls_crt v[] = {
		{.path = f1, .verify = -1},
		{.path = f2, .filters = flt, .nfilters = 1, .verify = SL_TLS_VERIFY_REQUIRED,
		 .ca_file = ca},
	};
	char why[256];
	CU_ASSERT_EQUAL_FATAL(sl_tls_ctx_load_crts(v, 2, NULL, &c, why, sizeof(why)), 0);
	CU_ASSERT_TRUE(handshake(&p, none, c, NULL, NULL, NULL));
	pair_close(&p);
	CU_ASSERT_FALSE(handshake(&p, none, c, "x.test", NULL, NULL));
	pair_close(&p);
	CU_ASSERT_TRUE(handshake(&p, with, c, "x.test", NULL, NULL));
	CU_ASSERT(served(&p, pki.b));
	pair_close(&p);
	sl_tls_ctx_free(c);
	SSL_CTX_free(none);
	SSL_CTX_free(with);
	X509_free(cl);
	free(f1);
	free(f2);
	free(ca);
}

static void test_errors(void)
{
	char *f;

	f = write_file("mismatch.pem", "cck", pki.a, pki.inter, pki.ec);
	expect_fail(f, "mismatch.pem", "does not match");
	free(f);
	f = write_file("nokey.pem", "cc", pki.a, pki.inter);
	expect_fail(f, "nokey.pem", "no private key");
	free(f);
	f = write_file("nocert.pem", "k", pki.rsa);
	expect_fail(f, "nocert.pem", "no certificate");
	free(f);
	f = write_file("garbage.pem", "s", "this is not a certificate\nnor a key\n");
	expect_fail(f, "garbage.pem", "no PEM data");
	free(f);
	unsigned char bin[512];
	for (size_t i = 0; i < sizeof(bin); i++)
		bin[i] = (unsigned char)(i * 7 + 1);
	char *binpath = path_of("binary.pem");
	FILE *fp = fopen(binpath, "w");
	CU_ASSERT_FATAL(fp != NULL && fwrite(bin, 1, sizeof(bin), fp) == sizeof(bin));
	fclose(fp);
	expect_fail(binpath, "binary.pem", "no PEM data");
	free(binpath);
	f = write_file(
		"badb64.pem", "s",
		"-----BEGIN CERTIFICATE-----\nMIIB!!!!not*base64\n-----END CERTIFICATE-----\n");
	expect_fail(f, "badb64.pem", "undecodable PEM");
	free(f);
	f = write_file("noend.pem", "s", "-----BEGIN CERTIFICATE-----\nMIIBAAAA\n");
	expect_fail(f, "noend.pem", "undecodable PEM");
	free(f);
	f = write_file(
		"badder.pem", "s",
		"-----BEGIN CERTIFICATE-----\nAAECAwQFBgcICQ==\n-----END CERTIFICATE-----\n");
	expect_fail(f, "badder.pem", "not a valid certificate");
	free(f);
	f = write_file(
		"badkey.pem", "cs", pki.a,
		"-----BEGIN PRIVATE KEY-----\nAAECAwQFBgcICQ==\n-----END PRIVATE KEY-----\n");
	expect_fail(f, "badkey.pem", "not a valid private key");
	free(f);
	f = write_file("empty.pem", "");
	expect_fail(f, "empty.pem", "empty file");
	free(f);
	f = write_file("blank.pem", "s", "\n\n  \n");
	expect_fail(f, "blank.pem", "empty file");
	free(f);
	f = path_of("does-not-exist.pem");
	expect_fail(f, "does-not-exist.pem", strerror(ENOENT));
	free(f);
	if (geteuid() != 0) { /* root reads anything */
		f = write_file("noperm.pem", "cck", pki.a, pki.inter, pki.rsa);
		CU_ASSERT_EQUAL(chmod(f, 0), 0);
		expect_fail(f, "noperm.pem", strerror(EACCES));
		free(f);
	}
	f = write_file("expired.pem", "cck", pki.exp, pki.inter, pki.ec3);
	expect_fail(f, "expired.pem", "expired");
	free(f);
	f = write_file("future.pem", "cck", pki.future, pki.inter, pki.ec3);
	expect_fail(f, "future.pem", "not yet valid");
	free(f);
	f = write_file("encrypted.pem", "cce", pki.a, pki.inter, pki.rsa);
	expect_fail(f, "encrypted.pem", "encrypted");
	free(f);
	f = write_file("twokeys.pem", "ckk", pki.a, pki.rsa, pki.rsa);
	expect_fail(f, "twokeys.pem", "more than one private key");
	free(f);

	/* In a directory, the bad file is named, after good ones. */
	mkdir_rel("baddir");
	char *g = write_file("baddir/a.pem", "cck", pki.a, pki.inter, pki.rsa);
	f = write_file("baddir/b.pem", "cck", pki.exp, pki.inter, pki.ec3);
	char *d = path_of("baddir");
	expect_fail(d, "baddir/b.pem", "expired");
	free(d);
	free(f);
	free(g);
	mkdir_rel("emptydir");
	d = path_of("emptydir");
	expect_fail(d, "emptydir", "no *.pem or *.crt");
	free(d);

	/* A good file after a bad one is not loaded; nothing leaks. */
	const char *two[] = {pki.file_a, "/nonexistent/x.pem"};
	struct sl_tls_ctx *c = load_opts(two, 2, NULL);
	CU_ASSERT_PTR_NULL(c);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "/nonexistent/x.pem"));

	/* Messages are cut to the buffer; no buffer at all is fine. */
	char small[8];
	const char *bad = "/nonexistent/long/path/to/x.pem";
	c = (struct sl_tls_ctx *)1;
	CU_ASSERT_EQUAL(sl_tls_ctx_load(&bad, 1, NULL, &c, small, sizeof(small)), -1);
	CU_ASSERT_PTR_NULL(c);
	CU_ASSERT_EQUAL(strlen(small), sizeof(small) - 1);
	CU_ASSERT_EQUAL(sl_tls_ctx_load(&bad, 1, NULL, &c, NULL, 0), -1);
	CU_ASSERT_EQUAL(sl_tls_ctx_load(NULL, 0, NULL, &c, err, sizeof(err)), -1);
}

/* Settings OpenSSL or we refuse. */
static void test_bad_settings(void)
{
	const char *one[] = {pki.file_a};
	struct sl_tls_opts o;
	struct sl_tls_ctx *c;

	memset(&o, 0, sizeof(o));
	o.ciphers = "NO-SUCH-CIPHER";
	c = load_opts(one, 1, &o);
	CU_ASSERT_PTR_NULL(c);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "ciphers"));
	memset(&o, 0, sizeof(o));
	o.ciphersuites = "TLS_NO_SUCH";
	CU_ASSERT_PTR_NULL(load_opts(one, 1, &o));
	memset(&o, 0, sizeof(o));
	o.alpn = "h2,,http/1.1";
	CU_ASSERT_PTR_NULL(load_opts(one, 1, &o));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "alpn"));
	memset(&o, 0, sizeof(o));
	o.max_version = 0x0305;
	CU_ASSERT_PTR_NULL(load_opts(one, 1, &o));
	memset(&o, 0, sizeof(o));
	o.no_tls12 = o.no_tls13 = true;
	CU_ASSERT_PTR_NULL(load_opts(one, 1, &o));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "no version left"));
	memset(&o, 0, sizeof(o));
	o.min_version = 0x0304;
	o.no_tls13 = true;
	CU_ASSERT_PTR_NULL(load_opts(one, 1, &o));
}

/* ------------------------------------------------------------------ handshakes */

static struct sl_tls_ctx *ctx_a(void)
{
	struct sl_tls_ctx *c = load1(pki.file_a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	return c;
}

static void test_tls13_default(void)
{
	struct sl_tls_ctx *c = ctx_a();
	SSL_CTX *cctx = cl_ctx(0, NULL, true);
	struct pair p;

	pair_open(&p, cctx, c, "www.example.com", "http/1.1", NULL);
	CU_ASSERT_FALSE(sl_tls_established(p.sv));
	CU_ASSERT_PTR_NULL(sl_tls_version(p.sv));
	CU_ASSERT_EQUAL(sl_tls_write(p.sv, "x", 1), -EAGAIN);
	CU_ASSERT_EQUAL(sl_tls_read(p.sv, NULL, 0), -EAGAIN);
	pump(&p);
	CU_ASSERT(sl_tls_established(p.sv));
	CU_ASSERT(SSL_is_init_finished(p.cl));
	CU_ASSERT_EQUAL(SSL_get_verify_result(p.cl), X509_V_OK);
	CU_ASSERT_STRING_EQUAL(sl_tls_version(p.sv), "TLSv1.3");
	CU_ASSERT_STRING_EQUAL(sl_tls_alpn(p.sv), "http/1.1");
	CU_ASSERT_STRING_EQUAL(sl_tls_sni(p.sv), "www.example.com");
	CU_ASSERT_FALSE(sl_tls_resumed(p.sv));
	CU_ASSERT_EQUAL(sl_tls_out_pending(p.sv), 0);
	CU_ASSERT_EQUAL(p.first_out, 0x16); /* a handshake record */
	pair_close(&p);
	SSL_CTX_free(cctx);
	sl_tls_ctx_free(c);
}

static const char mozilla_intermediate[] =
	"ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
	"ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
	"ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
	"DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384";

static void test_tls12_client(void)
{
	struct sl_tls_ctx *c = ctx_a();
	SSL_CTX *cctx = cl_ctx(TLS1_2_VERSION, NULL, true);
	struct pair p;

	CU_ASSERT(handshake(&p, cctx, c, "example.com", "h2,http/1.1", NULL));
	CU_ASSERT_STRING_EQUAL(sl_tls_version(p.sv), "TLSv1.2");
	CU_ASSERT_STRING_EQUAL(sl_tls_alpn(p.sv), "http/1.1");
	const char *ciph = SSL_get_cipher_name(p.cl);
	CU_ASSERT_PTR_NOT_NULL(strstr(mozilla_intermediate, ciph));
	pair_close(&p);
	SSL_CTX_free(cctx);
	sl_tls_ctx_free(c);
}

/* A client capped below TLS 1.2 gets a protocol_version alert and -EPROTO. */
static void test_old_versions_refused(void)
{
	struct sl_tls_ctx *c = ctx_a();
	int versions[] = {TLS1_1_VERSION, TLS1_VERSION};

	for (size_t i = 0; i < 2; i++) {
		SSL_CTX *cctx = cl_ctx(versions[i], "DEFAULT:@SECLEVEL=0", false);
		struct pair p;
		CU_ASSERT_FALSE(handshake(&p, cctx, c, "example.com", NULL, NULL));
		CU_ASSERT(p.sv_failed);
		CU_ASSERT(p.cl_failed);
		CU_ASSERT_FALSE(sl_tls_established(p.sv));
		CU_ASSERT_EQUAL(p.first_out, 0x15); /* an alert record */
		CU_ASSERT_EQUAL(sl_tls_read(p.sv, NULL, 0), -EPROTO);
		CU_ASSERT_EQUAL(sl_tls_in(p.sv, "x", 1), -1);
		CU_ASSERT_EQUAL(sl_tls_write(p.sv, "x", 1), -EPROTO);
		pair_close(&p);
		SSL_CTX_free(cctx);
	}
	sl_tls_ctx_free(c);

	/* ... unless min_version asks for it (with ciphers OpenSSL 3 allows there). */
	struct sl_tls_opts o = {.min_version = 0x0301, .ciphers = "DEFAULT:@SECLEVEL=0"};
	const char *one[] = {pki.file_a};
	c = load_opts(one, 1, &o);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	SSL_CTX *cctx = cl_ctx(TLS1_1_VERSION, "DEFAULT:@SECLEVEL=0", false);
	struct pair p;
	CU_ASSERT(handshake(&p, cctx, c, NULL, NULL, NULL));
	CU_ASSERT_STRING_EQUAL(sl_tls_version(p.sv), "TLSv1.1");
	pair_close(&p);
	SSL_CTX_free(cctx);
	sl_tls_ctx_free(c);
}

/* no-tlsv13 / no-tlsv12 and max_version. */
static void test_version_options(void)
{
	const char *one[] = {pki.file_a};
	SSL_CTX *any = cl_ctx(0, NULL, false), *v12 = cl_ctx(TLS1_2_VERSION, NULL, false);
	struct sl_tls_opts o = {.no_tls13 = true};
	struct sl_tls_ctx *c = load_opts(one, 1, &o);
	struct pair p;

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT(handshake(&p, any, c, NULL, NULL, NULL));
	CU_ASSERT_STRING_EQUAL(sl_tls_version(p.sv), "TLSv1.2");
	pair_close(&p);
	sl_tls_ctx_free(c);
	o = (struct sl_tls_opts){.max_version = 0x0303};
	c = load_opts(one, 1, &o);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT(handshake(&p, any, c, NULL, NULL, NULL));
	CU_ASSERT_STRING_EQUAL(sl_tls_version(p.sv), "TLSv1.2");
	pair_close(&p);
	sl_tls_ctx_free(c);
	o = (struct sl_tls_opts){.no_tls12 = true};
	c = load_opts(one, 1, &o);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_FALSE(handshake(&p, v12, c, NULL, NULL, NULL));
	CU_ASSERT(p.sv_failed);
	pair_close(&p);
	CU_ASSERT(handshake(&p, any, c, NULL, NULL, NULL));
	CU_ASSERT_STRING_EQUAL(sl_tls_version(p.sv), "TLSv1.3");
	pair_close(&p);
	sl_tls_ctx_free(c);
	SSL_CTX_free(any);
	SSL_CTX_free(v12);
}

static void test_alpn(void)
{
	struct sl_tls_ctx *c = ctx_a();
	SSL_CTX *cctx = cl_ctx(0, NULL, false);
	struct pair p;

	CU_ASSERT(handshake(&p, cctx, c, NULL, "h2,http/1.1", NULL));
	CU_ASSERT_STRING_EQUAL(sl_tls_alpn(p.sv), "http/1.1");
	pair_close(&p);
	/* Only h2 offered: served without ALPN rather than refused (HAProxy's behaviour). */
	CU_ASSERT(handshake(&p, cctx, c, NULL, "h2", NULL));
	CU_ASSERT_PTR_NULL(sl_tls_alpn(p.sv));
	const unsigned char *sel;
	unsigned int len;
	SSL_get0_alpn_selected(p.cl, &sel, &len);
	CU_ASSERT_EQUAL(len, 0);
	pair_close(&p);
	CU_ASSERT(handshake(&p, cctx, c, NULL, NULL, NULL));
	CU_ASSERT_PTR_NULL(sl_tls_alpn(p.sv));
	pair_close(&p);
	sl_tls_ctx_free(c);

	/* Our order wins. */
	const char *one[] = {pki.file_a};
	struct sl_tls_opts o = {.alpn = "h2,http/1.1"};
	c = load_opts(one, 1, &o);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT(handshake(&p, cctx, c, NULL, "http/1.1,h2", NULL));
	CU_ASSERT_STRING_EQUAL(sl_tls_alpn(p.sv), "h2");
	pair_close(&p);
	CU_ASSERT(handshake(&p, cctx, c, NULL, "foo,http/1.1", NULL));
	CU_ASSERT_STRING_EQUAL(sl_tls_alpn(p.sv), "http/1.1");
	pair_close(&p);
	sl_tls_ctx_free(c);
	o.alpn = ""; /* no ALPN */
	c = load_opts(one, 1, &o);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT(handshake(&p, cctx, c, NULL, "http/1.1", NULL));
	CU_ASSERT_PTR_NULL(sl_tls_alpn(p.sv));
	pair_close(&p);
	/*
	 * What a bind's "alpn h2" becomes (the configuration drops what sluice does not speak):
	 * a client offering h2 is still served, without ALPN, in TLS 1.3 and 1.2 alike.
	 */
	CU_ASSERT(handshake(&p, cctx, c, NULL, "h2,http/1.1", NULL));
	CU_ASSERT_PTR_NULL(sl_tls_alpn(p.sv));
	SSL_get0_alpn_selected(p.cl, &sel, &len);
	CU_ASSERT_EQUAL(len, 0);
	pair_close(&p);
	SSL_CTX *v12 = cl_ctx(TLS1_2_VERSION, NULL, false);
	CU_ASSERT(handshake(&p, v12, c, NULL, "h2", NULL));
	CU_ASSERT_PTR_NULL(sl_tls_alpn(p.sv));
	pair_close(&p);
	sl_tls_ctx_free(c);
	/* No protocol in common over TLS 1.2: no ALPN in the answer either, no alert. */
	o.alpn = "http/1.1";
	c = load_opts(one, 1, &o);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT(handshake(&p, v12, c, NULL, "h2", NULL));
	CU_ASSERT_PTR_NULL(sl_tls_alpn(p.sv));
	SSL_get0_alpn_selected(p.cl, &sel, &len);
	CU_ASSERT_EQUAL(len, 0);
	pair_close(&p);
	sl_tls_ctx_free(c);
	SSL_CTX_free(v12);
	SSL_CTX_free(cctx);
}

/* ------------------------------------------------------------------ data and close */

static unsigned char *pattern(size_t n, unsigned seed)
{
	unsigned char *p = malloc(n);
	uint64_t s = 0x9e3779b97f4a7c15ull * (seed + 1);
	for (size_t i = 0; i < n; i++) {
		s ^= s >> 12;
		s ^= s << 25;
		s ^= s >> 27;
		p[i] = (unsigned char)((s * 0x2545f4914f6cdd1dull) >> 56);
	}
	return p;
}

/* 1 MiB each way, byte-exact, with odd read and write sizes. */
static void data_both_ways(int maxv)
{
	const size_t n = 1024 * 1024;
	unsigned char *up = pattern(n, 1), *down = pattern(n, 2);
	struct sl_tls_ctx *c = ctx_a();
	SSL_CTX *cctx = cl_ctx(maxv, NULL, false);
	struct pair p;

	CU_ASSERT_FATAL(handshake(&p, cctx, c, NULL, NULL, NULL));
	p.sv_rdmax = 1000;
	/* client -> server: in writes of 7000 bytes, moved in 1500-byte "segments" */
	p.chunk = 1500;
	for (size_t off = 0; off < n;) {
		size_t len = n - off < 7000 ? n - off : 7000;
		int w = SSL_write(p.cl, up + off, (int)len);
		CU_ASSERT_FATAL(w > 0);
		off += (size_t)w;
		pump(&p);
	}
	pump(&p);
	CU_ASSERT_EQUAL(p.sv_rx.len, n);
	CU_ASSERT(p.sv_rx.len == n && memcmp(p.sv_rx.p, up, n) == 0);
	/* server -> client: writes of varied sizes, flushed as the proxy does */
	p.chunk = 0;
	size_t sizes[] = {1, 100, 16384, 16385, 70000, 3000};
	size_t k = 0;
	for (size_t off = 0; off < n; k++) {
		size_t len = sizes[k % 6] < n - off ? sizes[k % 6] : n - off;
		ssize_t w = sl_tls_write(p.sv, down + off, len);
		CU_ASSERT_EQUAL_FATAL(w, (ssize_t)len);
		off += (size_t)w;
		pump(&p);
		CU_ASSERT_EQUAL(sl_tls_out_pending(p.sv), 0);
	}
	CU_ASSERT_EQUAL(p.cl_rx.len, n);
	CU_ASSERT(p.cl_rx.len == n && memcmp(p.cl_rx.p, down, n) == 0);
	CU_ASSERT_EQUAL(sl_tls_write(p.sv, down, 0), 0);
	CU_ASSERT(!p.cl_failed && !p.sv_failed);
	pair_close(&p);
	SSL_CTX_free(cctx);
	sl_tls_ctx_free(c);
	free(up);
	free(down);
}

static void test_data_tls13(void)
{
	data_both_ways(0);
}

static void test_data_tls12(void)
{
	data_both_ways(TLS1_2_VERSION);
}

/* The client's close_notify reads as 0; ours reaches the client; no write after it. */
static void test_close_notify(void)
{
	struct sl_tls_ctx *c = ctx_a();
	SSL_CTX *cctx = cl_ctx(0, NULL, false);
	struct pair p;

	CU_ASSERT_FATAL(handshake(&p, cctx, c, NULL, NULL, NULL));
	CU_ASSERT_EQUAL(SSL_write(p.cl, "bye", 3), 3);
	CU_ASSERT_EQUAL(SSL_shutdown(p.cl), 0);
	pump(&p);
	CU_ASSERT(p.sv_eof);
	CU_ASSERT_EQUAL(p.sv_rx.len, 3); /* the data before the alert first */
	unsigned char b[16];
	CU_ASSERT_EQUAL(sl_tls_read(p.sv, b, sizeof(b)), 0); /* and again */
	CU_ASSERT_FALSE(p.cl_eof);
	/* Still allowed after the peer's close_notify (half-close). */
	CU_ASSERT_EQUAL(sl_tls_write(p.sv, "last", 4), 4);
	sl_tls_close(p.sv);
	sl_tls_close(p.sv); /* once */
	CU_ASSERT(sl_tls_out_pending(p.sv) > 0);
	pump(&p);
	CU_ASSERT(p.cl_eof);
	CU_ASSERT_EQUAL(p.cl_rx.len, 4);
	CU_ASSERT_EQUAL(sl_tls_write(p.sv, "x", 1), -EPROTO);
	pair_close(&p);

	/* Server first. */
	CU_ASSERT_FATAL(handshake(&p, cctx, c, NULL, NULL, NULL));
	sl_tls_close(p.sv);
	pump(&p);
	CU_ASSERT(p.cl_eof);
	CU_ASSERT_FALSE(p.sv_eof);
	CU_ASSERT_EQUAL(SSL_shutdown(p.cl), 1);
	pump(&p);
	CU_ASSERT(p.sv_eof);
	pair_close(&p);

	/* Before the handshake: nothing to send. */
	pair_open(&p, cctx, c, NULL, NULL, NULL);
	sl_tls_close(p.sv);
	CU_ASSERT_EQUAL(sl_tls_out_pending(p.sv), 0);
	pair_close(&p);
	SSL_CTX_free(cctx);
	sl_tls_ctx_free(c);
}

/* ------------------------------------------------------------------ resumption */

/* A full handshake on @c; returns its session (for the next connection) or NULL. */
static SSL_SESSION *first_session(SSL_CTX *cctx, struct sl_tls_ctx *c)
{
	struct pair p;
	SSL_SESSION *s = NULL;

	CU_ASSERT(handshake(&p, cctx, c, "example.com", NULL, NULL));
	CU_ASSERT_FALSE(sl_tls_resumed(p.sv));
	clean_shutdown(&p);
	if (!p.cl_failed)
		s = SSL_get1_session(p.cl);
	CU_ASSERT(s != NULL && SSL_SESSION_is_resumable(s));
	pair_close(&p);
	return s;
}

/* Whether a connection on @c offering @s resumes (both ends agree), *@next its new session. */
static bool resumes(SSL_CTX *cctx, struct sl_tls_ctx *c, SSL_SESSION *s, SSL_SESSION **next)
{
	struct pair p;
	bool r = handshake(&p, cctx, c, "example.com", NULL, s);

	CU_ASSERT(r);
	r = r && sl_tls_resumed(p.sv);
	CU_ASSERT_EQUAL(r, SSL_session_reused(p.cl) == 1);
	clean_shutdown(&p);
	if (next != NULL)
		*next = SSL_get1_session(p.cl);
	pair_close(&p);
	return r;
}

static void resumption(int maxv)
{
	struct sl_tls_tickets *t = sl_tls_tickets_new();
	struct sl_tls_ctx *c = ctx_a();
	SSL_CTX *cctx = cl_ctx(maxv, NULL, false);

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	sl_tls_ctx_set_tickets(c, t);
	SSL_SESSION *s0 = first_session(cctx, c), *s1 = NULL, *s2 = NULL;
	CU_ASSERT(resumes(cctx, c, s0, &s1));
	/* One rotation: the previous key still opens s0's ticket. */
	sl_tls_tickets_rotate(t);
	CU_ASSERT(resumes(cctx, c, s0, &s2));
	/* Another context sharing the keys (another lcore, or after a reload) resumes too. */
	struct sl_tls_ctx *c2 = ctx_a();
	sl_tls_ctx_set_tickets(c2, t);
	CU_ASSERT(resumes(cctx, c2, s2, NULL));
	/* Other keys, or none: a full handshake, not a failure. */
	struct sl_tls_tickets *t2 = sl_tls_tickets_new();
	struct sl_tls_ctx *c3 = ctx_a();
	sl_tls_ctx_set_tickets(c3, t2);
	CU_ASSERT_FALSE(resumes(cctx, c3, s2, NULL));
	struct sl_tls_ctx *c4 = ctx_a();
	CU_ASSERT_FALSE(resumes(cctx, c4, s2, NULL));
	/* SL_TLS_TICKET_KEYS rotations after s0's: its key is gone. */
	for (int i = 1; i < SL_TLS_TICKET_KEYS; i++)
		sl_tls_tickets_rotate(t);
	CU_ASSERT_FALSE(resumes(cctx, c, s0, NULL));
	CU_ASSERT(resumes(cctx, c, s2, NULL)); /* two rotations old: still fine */
	SSL_SESSION_free(s0);
	SSL_SESSION_free(s1);
	SSL_SESSION_free(s2);
	SSL_CTX_free(cctx);
	sl_tls_ctx_free(c);
	sl_tls_ctx_free(c2);
	sl_tls_ctx_free(c3);
	sl_tls_ctx_free(c4);
	sl_tls_tickets_free(t);
	sl_tls_tickets_free(t2);
}

static void test_resume_tls13(void)
{
	resumption(0);
}

static void test_resume_tls12(void)
{
	resumption(TLS1_2_VERSION);
}

/* Without keys no ticket is issued at all (HAProxy's no-tls-tickets). */
static void test_no_tickets(void)
{
	struct sl_tls_ctx *c = ctx_a();
	SSL_CTX *c13 = cl_ctx(0, NULL, false), *c12 = cl_ctx(TLS1_2_VERSION, NULL, false);
	struct pair p;

	CU_ASSERT(handshake(&p, c13, c, NULL, NULL, NULL));
	SSL_SESSION *s = SSL_get1_session(p.cl);
	CU_ASSERT(s != NULL && !SSL_SESSION_is_resumable(s));
	SSL_SESSION_free(s);
	pair_close(&p);
	CU_ASSERT(handshake(&p, c12, c, NULL, NULL, NULL));
	s = SSL_get1_session(p.cl);
	size_t len = 1;
	const unsigned char *tick;
	SSL_SESSION_get0_ticket(s, &tick, &len);
	CU_ASSERT_EQUAL(len, 0);
	SSL_SESSION_free(s);
	pair_close(&p);
	SSL_CTX_free(c13);
	SSL_CTX_free(c12);
	sl_tls_ctx_free(c);
}

struct rot_arg {
	struct sl_tls_tickets *t;
	volatile bool stop;
	long n;
};

static void *rotator(void *arg)
{
	struct rot_arg *a = arg;
	while (!a->stop) {
		sl_tls_tickets_rotate(a->t);
		a->n++;
	}
	return NULL;
}

/* Rotation on another thread while handshakes run: every handshake still completes. */
static void test_rotate_concurrent(void)
{
	struct rot_arg a = {.t = sl_tls_tickets_new()};
	struct sl_tls_ctx *c = ctx_a();
	SSL_CTX *cctx = cl_ctx(0, NULL, false);
	pthread_t th;

	CU_ASSERT_PTR_NOT_NULL_FATAL(a.t);
	sl_tls_ctx_set_tickets(c, a.t);
	SSL_SESSION *s = first_session(cctx, c);
	CU_ASSERT_EQUAL_FATAL(pthread_create(&th, NULL, rotator, &a), 0);
	int ok = 0;
	for (int i = 0; i < 20; i++) {
		struct pair p;
		if (handshake(&p, cctx, c, "example.com", NULL, s))
			ok++;
		pair_close(&p);
	}
	a.stop = true;
	pthread_join(th, NULL);
	CU_ASSERT_EQUAL(ok, 20);
	CU_ASSERT(a.n > 0);
	SSL_SESSION_free(s);
	SSL_CTX_free(cctx);
	sl_tls_ctx_free(c);
	sl_tls_tickets_free(a.t);
}

/* ------------------------------------------------------------------ hostile input */

/* Feeds @len bytes at once; returns what the connection then says (-EAGAIN or -EPROTO). */
static ssize_t feed(struct sl_tls_ctx *c, const void *buf, size_t len)
{
	struct sl_tls_conn *t = sl_tls_conn_new(c);
	unsigned char out[4096];

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	int in = sl_tls_in(t, buf, len);
	ssize_t r = sl_tls_read(t, out, sizeof(out));
	CU_ASSERT(r == -EAGAIN || r == -EPROTO);
	CU_ASSERT_EQUAL(in == -1, r == -EPROTO);
	CU_ASSERT_FALSE(sl_tls_established(t));
	while (sl_tls_out(t, out, sizeof(out)) > 0)
		;
	sl_tls_conn_free(t);
	return r;
}

/* The first record of a real ClientHello, in @buf; returns its length. */
static size_t client_hello(SSL_CTX *cctx, unsigned char *buf, size_t max)
{
	SSL *s = SSL_new(cctx);
	BIO *rb = BIO_new(BIO_s_mem()), *wb = BIO_new(BIO_s_mem());

	BIO_set_mem_eof_return(rb, -1);
	SSL_set_bio(s, rb, wb);
	SSL_set_connect_state(s);
	SSL_set_tlsext_host_name(s, "example.com");
	CU_ASSERT_EQUAL(SSL_do_handshake(s), -1);
	int n = BIO_read(wb, buf, (int)max);
	CU_ASSERT_FATAL(n > 5);
	SSL_free(s);
	ERR_clear_error();
	return (size_t)n;
}

static void test_malformed(void)
{
	struct sl_tls_ctx *c = ctx_a();
	SSL_CTX *cctx = cl_ctx(0, NULL, false);
	unsigned char b[2048];

	/* A plain HTTP request on the TLS port. */
	const char get[] = "GET / HTTP/1.1\r\nHost: example.com\r\n\r\n";
	CU_ASSERT_EQUAL(feed(c, get, sizeof(get) - 1), -EPROTO);

	/* A handshake record holding a ClientHello of random bytes. */
	unsigned char *rnd = pattern(64, 3);
	memcpy(b, "\x16\x03\x01\x00\x40\x01\x00\x00\x3c", 9);
	memcpy(b + 9, rnd, 60);
	CU_ASSERT_EQUAL(feed(c, b, 69), -EPROTO);
	free(rnd);

	/* Random bytes: never a crash, an established connection or a read past the input. */
	int proto = 0;
	for (unsigned seed = 0; seed < 300; seed++) {
		size_t len = 1 + seed % 400;
		unsigned char *r = pattern(len, seed + 100);
		if (seed % 3 == 0)
			r[0] = 0x16; /* look like a handshake record */
		if (feed(c, r, len) == -EPROTO)
			proto++;
		free(r);
	}
	CU_ASSERT(proto > 250);

	/* A truncated record: waits for the rest; a different record instead is an error. */
	size_t n = client_hello(cctx, b, sizeof(b));
	CU_ASSERT_EQUAL(feed(c, b, n - 10), -EAGAIN);
	CU_ASSERT_EQUAL(feed(c, b, 3), -EAGAIN);
	size_t cut = n - 5 - 30; /* the record now ends inside the ClientHello */
	b[3] = (unsigned char)(cut >> 8);
	b[4] = (unsigned char)cut;
	memcpy(b + 5 + cut, "\x17\x03\x03\x00\x05hello", 10);
	CU_ASSERT_EQUAL(feed(c, b, 5 + cut + 10), -EPROTO);

	/* ClientHello length fields past the record. */
	n = client_hello(cctx, b, sizeof(b));
	size_t hl = n - 9; /* the record holds exactly the ClientHello */
	CU_ASSERT_EQUAL((size_t)(b[6] << 16 | b[7] << 8 | b[8]), hl);
	b[7] = (unsigned char)((hl + 100) >> 8);
	b[8] = (unsigned char)(hl + 100);
	CU_ASSERT_EQUAL(feed(c, b, n), -EAGAIN); /* a longer message may span records */
	b[6] = 0xff;				 /* 16 MB: over OpenSSL's ClientHello limit */
	CU_ASSERT_EQUAL(feed(c, b, n), -EPROTO);
	b[6] = 0x00;
	b[7] = 0x00;
	b[8] = 0x10; /* a 16-byte ClientHello followed by garbage in the same record */
	CU_ASSERT_EQUAL(feed(c, b, n), -EPROTO);
	SSL_CTX_free(cctx);
	sl_tls_ctx_free(c);
}

/* Every byte in its own segment, both ways: the handshake and data still go through. */
static void test_byte_at_a_time(void)
{
	struct sl_tls_ctx *c = ctx_a();
	int versions[] = {0, TLS1_2_VERSION};

	for (size_t i = 0; i < 2; i++) {
		SSL_CTX *cctx = cl_ctx(versions[i], NULL, true);
		struct pair p;
		pair_open(&p, cctx, c, "example.com", "http/1.1", NULL);
		p.chunk = 1;
		p.sv_rdmax = 1;
		pump(&p);
		CU_ASSERT(sl_tls_established(p.sv));
		CU_ASSERT(SSL_is_init_finished(p.cl) && !p.cl_failed);
		CU_ASSERT_STRING_EQUAL(sl_tls_alpn(p.sv), "http/1.1");
		unsigned char *d = pattern(3000, 9);
		CU_ASSERT_EQUAL(SSL_write(p.cl, d, 3000), 3000);
		CU_ASSERT_EQUAL(sl_tls_write(p.sv, d, 3000), 3000);
		pump(&p);
		CU_ASSERT(p.sv_rx.len == 3000 && memcmp(p.sv_rx.p, d, 3000) == 0);
		CU_ASSERT(p.cl_rx.len == 3000 && memcmp(p.cl_rx.p, d, 3000) == 0);
		free(d);
		pair_close(&p);
		SSL_CTX_free(cctx);
	}
	sl_tls_ctx_free(c);
}

/* Ciphers outside Mozilla intermediate fail; those in it (DHE too) work; the client picks. */
static void test_ciphers(void)
{
	char *dir = make_multi();
	struct sl_tls_ctx *c = load1(dir);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	static const struct {
		const char *ciphers;
		const char *sni; /* example.com: RSA, foo.example.net: ECDSA */
		bool ok;
	} cases[] = {
		{"AES128-SHA", NULL, false},		  /* RSA key exchange, CBC */
		{"AES128-GCM-SHA256", NULL, false},	  /* RSA key exchange */
		{"ECDHE-RSA-AES128-SHA", NULL, false},	  /* CBC */
		{"ECDHE-RSA-AES256-SHA384", NULL, false}, /* CBC */
		{"ECDHE-RSA-AES128-SHA256", NULL, false}, /* CBC */
		{"ECDHE-RSA-AES128-GCM-SHA256", NULL, true},
		{"ECDHE-RSA-CHACHA20-POLY1305", NULL, true},
		{"DHE-RSA-AES128-GCM-SHA256", NULL, true},
		{"DHE-RSA-AES256-GCM-SHA384", NULL, true},
		{"ECDHE-ECDSA-AES256-GCM-SHA384", "foo.example.net", true},
		{"ECDHE-ECDSA-CHACHA20-POLY1305", "foo.example.net", true},
		{"ECDHE-ECDSA-AES128-SHA", "foo.example.net", false},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		SSL_CTX *cctx = cl_ctx(TLS1_2_VERSION, cases[i].ciphers, false);
		struct pair p;
		bool ok = handshake(&p, cctx, c, cases[i].sni, NULL, NULL);
		CU_ASSERT_EQUAL(ok, cases[i].ok);
		if (ok != cases[i].ok)
			fprintf(stderr, "\n  %s: %s\n", cases[i].ciphers,
				ok ? "accepted" : "refused");
		if (!ok)
			CU_ASSERT(p.sv_failed);
		if (ok) /* the first name of the list, what the client asked for */
			CU_ASSERT_EQUAL(strncmp(SSL_get_cipher_name(p.cl), cases[i].ciphers,
						strlen(SSL_get_cipher_name(p.cl))),
					0);
		pair_close(&p);
		SSL_CTX_free(cctx);
	}
	/* Server preference off: the client's order decides. */
	const char *orders[] = {"ECDHE-RSA-CHACHA20-POLY1305:ECDHE-RSA-AES128-GCM-SHA256",
				"ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-CHACHA20-POLY1305"};
	for (size_t i = 0; i < 2; i++) {
		SSL_CTX *cctx = cl_ctx(TLS1_2_VERSION, orders[i], false);
		struct pair p;
		CU_ASSERT(handshake(&p, cctx, c, NULL, NULL, NULL));
		const char *got = SSL_get_cipher_name(p.cl);
		CU_ASSERT_EQUAL(strncmp(got, orders[i], strlen(got)), 0);
		pair_close(&p);
		SSL_CTX_free(cctx);
	}
	sl_tls_ctx_free(c);
	free(dir);
}

/* Key exchange groups: X25519, P-256, P-384 only. */
static void test_groups(void)
{
	struct sl_tls_ctx *c = ctx_a();
	static const struct {
		const char *groups;
		bool ok;
	} cases[] = {
		{"X25519", true}, {"P-256", true}, {"P-384", true},
		{"P-521", false}, {"X448", false},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		SSL_CTX *cctx = cl_ctx(0, NULL, false);
		CU_ASSERT_EQUAL(SSL_CTX_set1_groups_list(cctx, cases[i].groups), 1);
		struct pair p;
		CU_ASSERT_EQUAL(handshake(&p, cctx, c, NULL, NULL, NULL), cases[i].ok);
		pair_close(&p);
		SSL_CTX_free(cctx);
	}
	sl_tls_ctx_free(c);
}

/* A TLS 1.2 client asking to renegotiate is refused; the connection does not redo a handshake. */
static void test_no_renegotiation(void)
{
	struct sl_tls_ctx *c = ctx_a();
	SSL_CTX *cctx = cl_ctx(TLS1_2_VERSION, NULL, false);
	struct pair p;

	CU_ASSERT_FATAL(handshake(&p, cctx, c, NULL, NULL, NULL));
	CU_ASSERT_EQUAL(SSL_renegotiate(p.cl), 1);
	pump(&p);
	/*
	 * The server answers the new ClientHello with a no_renegotiation warning (RFC 5246
	 * 7.2.2) and no ServerHello; an OpenSSL client then gives up with a fatal alert.
	 */
	CU_ASSERT(p.cl_failed);
	CU_ASSERT_EQUAL(SSL_renegotiate_pending(p.cl), 1);
	CU_ASSERT_EQUAL(p.sv_rx.len, 0);
	pair_close(&p);
	SSL_CTX_free(cctx);
	sl_tls_ctx_free(c);
}

/* A connection keeps its context alive after the loader dropped it (reload). */
static void test_conn_outlives_ctx(void)
{
	struct sl_tls_ctx *c = ctx_a();
	SSL_CTX *cctx = cl_ctx(0, NULL, false);
	struct pair p;

	pair_open(&p, cctx, c, NULL, "http/1.1", NULL);
	sl_tls_ctx_free(c);
	pump(&p);
	CU_ASSERT(sl_tls_established(p.sv));
	CU_ASSERT_STRING_EQUAL(sl_tls_alpn(p.sv), "http/1.1");
	pair_close(&p);
	SSL_CTX_free(cctx);
	sl_tls_ctx_free(NULL);
	sl_tls_conn_free(NULL);
	sl_tls_tickets_free(NULL);
}

static const struct sl_test_case load_cases[] = {
	{"bundle in three orders, chain verifies", test_bundle_orders},
	{"chain sent issuer first whatever the file order", test_chain_order},
	{"traditional keys, EC PARAMETERS, text around", test_bundle_forms},
	{"certbot live directory with symlinks", test_certbot_dir},
	{"directory of bundles and SNI choice", test_dir_sni},
	{"exact name beats an earlier wildcard", test_exact_beats_wildcard},
	{"crt-list SNI filters, client-certificate settings", test_filters},
	{"client certificates: verify, SNI switch, peer fields", test_client_certs},
	{"errors name the file and the reason", test_errors},
	{"bad settings refused", test_bad_settings},
	{NULL, NULL},
};

static const struct sl_test_case hs_cases[] = {
	{"TLS 1.3 by default, SNI and ALPN reported", test_tls13_default},
	{"TLS 1.2 client", test_tls12_client},
	{"TLS 1.1 and 1.0 refused unless min_version", test_old_versions_refused},
	{"no-tlsv13, no-tlsv12, max_version", test_version_options},
	{"ALPN selection", test_alpn},
	{"Mozilla intermediate ciphers, client order", test_ciphers},
	{"groups", test_groups},
	{"no renegotiation", test_no_renegotiation},
	{"connection outlives its context", test_conn_outlives_ctx},
	{NULL, NULL},
};

static const struct sl_test_case data_cases[] = {
	{"1 MiB both ways, TLS 1.3", test_data_tls13},
	{"1 MiB both ways, TLS 1.2", test_data_tls12},
	{"close_notify both ways", test_close_notify},
	{NULL, NULL},
};

static const struct sl_test_case resume_cases[] = {
	{"TLS 1.3 resumption, rotation, shared keys", test_resume_tls13},
	{"TLS 1.2 tickets, rotation, shared keys", test_resume_tls12},
	{"no keys, no tickets", test_no_tickets},
	{"rotation concurrent with handshakes", test_rotate_concurrent},
	{NULL, NULL},
};

static const struct sl_test_case hostile_cases[] = {
	{"malformed ClientHellos give -EPROTO", test_malformed},
	{"one byte at a time", test_byte_at_a_time},
	{NULL, NULL},
};

/* ------------------------------------------------------------------ the client side */

/* A client connection of ours and a server connection of ours, joined by memory. */
struct cpair {
	struct sl_tls_conn *c, *s;
	unsigned char cin[65536], sin[65536]; /* plaintext each side read */
	size_t ncin, nsin;
	ssize_t cr, sr; /* the last read's result of each side */
};

/* Reads what side @t has for us into @acc (the rest is dropped); returns the last result. */
static ssize_t drain(struct sl_tls_conn *t, unsigned char *acc, size_t *n, size_t cap)
{
	unsigned char tmp[16384];
	for (;;) {
		ssize_t r = sl_tls_read(t, tmp, sizeof(tmp));
		if (r <= 0)
			return r;
		size_t k = (size_t)r < cap - *n ? (size_t)r : cap - *n;
		memcpy(acc + *n, tmp, k);
		*n += k;
	}
}

/* Moves records both ways until nothing moves. */
static void cpump(struct cpair *p)
{
	unsigned char buf[65536];
	for (int i = 0; i < 64; i++) {
		bool moved = false;
		size_t n;
		while ((n = sl_tls_out(p->c, buf, sizeof(buf))) > 0) {
			moved = true;
			(void)sl_tls_in(p->s, buf, n);
		}
		p->sr = drain(p->s, p->sin, &p->nsin, sizeof(p->sin));
		while ((n = sl_tls_out(p->s, buf, sizeof(buf))) > 0) {
			moved = true;
			(void)sl_tls_in(p->c, buf, n);
		}
		p->cr = drain(p->c, p->cin, &p->ncin, sizeof(p->cin));
		if (!moved)
			return;
	}
	CU_FAIL("cpump did not settle");
}

static bool cpair_open(struct cpair *p, struct sl_tls_client_ctx *cc, struct sl_tls_ctx *sc,
		       const char *sni, struct sl_tls_sess **cache)
{
	memset(p, 0, sizeof(*p));
	p->c = sl_tls_client_new(cc, sni, cache);
	p->s = sl_tls_conn_new(sc);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p->c);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p->s);
	CU_ASSERT(sl_tls_out_pending(p->c) > 0); /* the ClientHello is ready */
	cpump(p);
	return sl_tls_established(p->c) && sl_tls_established(p->s);
}

static void cpair_close(struct cpair *p)
{
	sl_tls_conn_free(p->c);
	sl_tls_conn_free(p->s);
}

static struct sl_tls_client_ctx *cl_new(const struct sl_tls_client_opts *o)
{
	struct sl_tls_client_ctx *c = (struct sl_tls_client_ctx *)1;
	int r = sl_tls_client_ctx_new(o, &c, err, sizeof(err));
	CU_ASSERT_EQUAL(r == 0, c != NULL);
	return c;
}

static char *root_file(void)
{
	return write_file("root.pem", "c", pki.root);
}

/* Handshake with verification, SNI sent, ALPN, a request written before the handshake is done,
 * data both ways, close_notify. */
static void test_client_handshake(void)
{
	char *ca = root_file();
	struct sl_tls_client_opts o = {.verify = true, .ca_file = ca, .alpn = "http/1.1"};
	struct sl_tls_client_ctx *cc = cl_new(&o);
	struct sl_tls_ctx *sc = ctx_a();
	CU_ASSERT_PTR_NOT_NULL_FATAL(cc);
	struct cpair p;
	memset(&p, 0, sizeof(p));
	p.c = sl_tls_client_new(cc, "www.example.com", NULL);
	p.s = sl_tls_conn_new(sc);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p.c);
	static const char req[] = "GET / HTTP/1.1\r\nHost: www.example.com\r\n\r\n";
	CU_ASSERT_EQUAL(sl_tls_write(p.c, req, sizeof(req) - 1), (ssize_t)sizeof(req) - 1);
	cpump(&p);
	CU_ASSERT(sl_tls_established(p.c) && sl_tls_established(p.s));
	CU_ASSERT_STRING_EQUAL(sl_tls_sni(p.s), "www.example.com");
	CU_ASSERT_STRING_EQUAL(sl_tls_version(p.c), "TLSv1.3");
	CU_ASSERT_PTR_NOT_NULL(sl_tls_alpn(p.c));
	if (sl_tls_alpn(p.c) != NULL)
		CU_ASSERT_STRING_EQUAL(sl_tls_alpn(p.c), "http/1.1");
	CU_ASSERT_EQUAL(p.nsin, sizeof(req) - 1);
	CU_ASSERT(memcmp(p.sin, req, sizeof(req) - 1) == 0);
	static const char rsp[] = "HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n";
	CU_ASSERT_EQUAL(sl_tls_write(p.s, rsp, sizeof(rsp) - 1), (ssize_t)sizeof(rsp) - 1);
	cpump(&p);
	CU_ASSERT_EQUAL(p.ncin, sizeof(rsp) - 1);
	CU_ASSERT_EQUAL(sl_tls_in_pending(p.c), 0);
	sl_tls_close(p.c);
	cpump(&p);
	CU_ASSERT_EQUAL(p.sr, 0); /* the server read our close_notify */
	cpair_close(&p);
	/* a 48 KiB body crosses several records */
	CU_ASSERT(cpair_open(&p, cc, sc, "example.com", NULL));
	unsigned char *big = malloc(48 * 1024);
	for (size_t i = 0; i < 48 * 1024; i++)
		big[i] = (unsigned char)(i * 7);
	CU_ASSERT_EQUAL(sl_tls_write(p.c, big, 48 * 1024), 48 * 1024);
	cpump(&p);
	CU_ASSERT_EQUAL(p.nsin, 48 * 1024);
	CU_ASSERT(memcmp(p.sin, big, 48 * 1024) == 0);
	free(big);
	cpair_close(&p);
	/* no SNI: nothing sent, and with verify none nothing checked */
	struct sl_tls_client_opts none = {0};
	struct sl_tls_client_ctx *cn = cl_new(&none);
	CU_ASSERT(cpair_open(&p, cn, sc, NULL, NULL));
	CU_ASSERT_PTR_NULL(sl_tls_sni(p.s));
	CU_ASSERT_PTR_NULL(sl_tls_alpn(p.c)); /* no ALPN offered */
	cpair_close(&p);
	sl_tls_client_ctx_free(cn);
	sl_tls_client_ctx_free(cc);
	sl_tls_ctx_free(sc);
	free(ca);
}

/* verify required: a chain to another CA, or a certificate that does not name the SNI, fail
 * the handshake on both sides; verify none accepts both. */
static void test_client_verify(void)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");
	X509 *other = make_cert("another root", NULL, k, NULL, NULL, true, -DAY, 3650 * DAY);
	char *wrong = write_file("other.pem", "c", other);
	char *ca = root_file();
	struct sl_tls_client_opts ow = {.verify = true, .ca_file = wrong};
	struct sl_tls_client_opts ok = {.verify = true, .ca_file = ca};
	struct sl_tls_client_opts nv = {.verify = false};
	struct sl_tls_client_ctx *cw = cl_new(&ow), *cok = cl_new(&ok), *cnv = cl_new(&nv);
	struct sl_tls_ctx *sc = ctx_a();
	struct cpair p;
	CU_ASSERT(!cpair_open(&p, cw, sc, "www.example.com", NULL));
	CU_ASSERT_EQUAL(p.cr, -EPROTO);
	CU_ASSERT_EQUAL(p.sr, -EPROTO); /* the server got our alert */
	CU_ASSERT_EQUAL(sl_tls_write(p.c, "x", 1), -EPROTO);
	cpair_close(&p);
	CU_ASSERT(!cpair_open(&p, cok, sc, "wrong.example.org", NULL));
	CU_ASSERT_EQUAL(p.cr, -EPROTO);
	cpair_close(&p);
	CU_ASSERT(cpair_open(&p, cok, sc, "www.example.com", NULL));
	cpair_close(&p);
	CU_ASSERT(cpair_open(&p, cnv, sc, "wrong.example.org", NULL));
	cpair_close(&p);
	sl_tls_client_ctx_free(cw);
	sl_tls_client_ctx_free(cok);
	sl_tls_client_ctx_free(cnv);
	sl_tls_ctx_free(sc);
	X509_free(other);
	EVP_PKEY_free(k);
	free(wrong);
	free(ca);
}

/* The session of the first connection resumes the second, TLS 1.3 and 1.2; not with
 * no_reuse, not from another context; a failed handshake empties the slot. */
static void client_resume(int maxv)
{
	struct sl_tls_ctx *sc = ctx_a();
	struct sl_tls_tickets *tk = sl_tls_tickets_new();
	sl_tls_ctx_set_tickets(sc, tk);
	struct sl_tls_client_opts o = {.max_version = maxv};
	struct sl_tls_client_ctx *cc = cl_new(&o), *c2 = cl_new(&o);
	struct sl_tls_sess *slot = NULL;
	struct cpair p;
	CU_ASSERT(cpair_open(&p, cc, sc, "www.example.com", &slot));
	CU_ASSERT(!sl_tls_resumed(p.c));
	cpair_close(&p);
	CU_ASSERT_PTR_NOT_NULL(slot);
	CU_ASSERT(cpair_open(&p, cc, sc, "www.example.com", &slot));
	CU_ASSERT(sl_tls_resumed(p.c));
	CU_ASSERT(sl_tls_resumed(p.s));
	cpair_close(&p);
	CU_ASSERT_PTR_NOT_NULL(slot);
	/* nor under another SNI (sni req.hdr(host)): it was verified for www.example.com */
	CU_ASSERT(cpair_open(&p, cc, sc, "example.com", &slot));
	CU_ASSERT(!sl_tls_resumed(p.c));
	cpair_close(&p);
	CU_ASSERT(cpair_open(&p, cc, sc, "example.com", &slot)); /* the slot is example.com's now */
	CU_ASSERT(sl_tls_resumed(p.c));
	cpair_close(&p);
	/* a session of cc is not offered by c2 (another server line, or a reload) */
	CU_ASSERT(cpair_open(&p, c2, sc, "www.example.com", &slot));
	CU_ASSERT(!sl_tls_resumed(p.c));
	cpair_close(&p);
	/* a failed handshake forgets the session */
	CU_ASSERT_PTR_NOT_NULL(slot);
	p.c = sl_tls_client_new(c2, NULL, &slot);
	CU_ASSERT_EQUAL(sl_tls_in(p.c, "\x15\x03\x03\x00\x02\x02\x28", 7), -1); /* an alert */
	CU_ASSERT_PTR_NULL(slot);
	sl_tls_conn_free(p.c);
	/* no-ssl-reuse: nothing kept */
	struct sl_tls_client_opts nr = {.max_version = maxv, .no_reuse = true};
	struct sl_tls_client_ctx *cn = cl_new(&nr);
	CU_ASSERT(cpair_open(&p, cn, sc, NULL, &slot));
	cpair_close(&p);
	CU_ASSERT_PTR_NULL(slot);
	sl_tls_sess_drop(&slot);
	sl_tls_client_ctx_free(cn);
	/* the slot holds its context: it may outlive the owner's reference */
	CU_ASSERT(cpair_open(&p, c2, sc, NULL, &slot));
	cpair_close(&p);
	sl_tls_client_ctx_free(c2);
	CU_ASSERT_PTR_NOT_NULL(slot);
	sl_tls_sess_drop(&slot);
	CU_ASSERT_PTR_NULL(slot);
	sl_tls_client_ctx_free(cc);
	sl_tls_ctx_free(sc);
	sl_tls_tickets_free(tk);
}

static void test_client_resume13(void)
{
	client_resume(0);
}

static void test_client_resume12(void)
{
	client_resume(TLS1_2_VERSION);
}

/* Every refusal of sl_tls_client_ctx_new() says why. */
static void test_client_errors(void)
{
	struct sl_tls_client_ctx *c;
	struct {
		struct sl_tls_client_opts o;
		const char *why;
	} cases[] = {
		{{.verify = true}, "needs a ca-file"},
		{{.verify = true, .ca_file = "/nonexistent/ca.pem"},
		 "ca-file '/nonexistent/ca.pem': No such file or directory"},
		{{.ciphers = "NOPE"}, "ciphers 'NOPE'"},
		{{.ciphersuites = "NOPE"}, "ciphersuites 'NOPE'"},
		{{.alpn = "h2"}, "only http/1.1"},
		{{.min_version = 0x0304, .max_version = 0x0303}, "no version left"},
		{{.no_tls12 = true, .no_tls13 = true}, "no version left"},
		{{.max_version = 0x0305}, "no version left"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		c = (struct sl_tls_client_ctx *)1;
		err[0] = '\0';
		CU_ASSERT_EQUAL(sl_tls_client_ctx_new(&cases[i].o, &c, err, sizeof(err)), -1);
		CU_ASSERT_PTR_NULL(c);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, cases[i].why));
	}
	/* a file with no certificate */
	char *junk = write_file("junk.pem", "s", "not a certificate\n");
	struct sl_tls_client_opts j = {.verify = true, .ca_file = junk};
	CU_ASSERT_EQUAL(sl_tls_client_ctx_new(&j, &c, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "ca-file"));
	free(junk);
	/* a server that speaks garbage: -EPROTO, never a crash */
	struct sl_tls_client_ctx *cc = cl_new(NULL);
	struct sl_tls_conn *t = sl_tls_client_new(cc, "x", NULL);
	CU_ASSERT_EQUAL(sl_tls_in(t, "HTTP/1.1 400 Bad Request\r\n\r\n", 28), -1);
	CU_ASSERT_EQUAL(sl_tls_read(t, err, sizeof(err)), -EPROTO);
	CU_ASSERT(!sl_tls_established(t));
	sl_tls_conn_free(t);
	sl_tls_client_ctx_free(cc);
	sl_tls_client_ctx_free(NULL);
	sl_tls_sess_drop(&(struct sl_tls_sess *){NULL});
}

static const struct sl_test_case client_cases[] = {
	{"handshake, SNI, ALPN, early request, data, close_notify", test_client_handshake},
	{"verify: wrong CA, wrong name, verify none", test_client_verify},
	{"resumption TLS 1.3, slot rules", test_client_resume13},
	{"resumption TLS 1.2", test_client_resume12},
	{"errors", test_client_errors},
	{NULL, NULL},
};

static const struct sl_test_suite suites[] = {
	{"tls/load", load_cases},     {"tls/handshake", hs_cases},    {"tls/data", data_cases},
	{"tls/resume", resume_cases}, {"tls/hostile", hostile_cases}, {"tls/client", client_cases},
	{NULL, NULL},
};

int main(void)
{
	make_pki();
	int r = sl_test_run(suites);
	free_pki();
	return r;
}
