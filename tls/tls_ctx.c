/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The context of a bind line: its certificates, each in an SSL_CTX of its own, the SNI index
 * over their names, the ALPN list, and the settings every SSL_CTX gets.
 *
 * Why one SSL_CTX per certificate: OpenSSL attaches certificate, key and chain to an SSL_CTX,
 * and SSL_set_SSL_CTX() from the servername callback is the way it offers to switch them once
 * the ClientHello's SNI is known (what nginx and HAProxy do). Settings (versions, ciphers,
 * options) stay those of the SSL_CTX the connection was created on, the default one, and all
 * of them are configured alike anyway.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "tls/tls_int.h"

/*
 * Mozilla Server Side TLS "intermediate", guidelines 5.0 to 5.6 (server-side-tls-conf-5.0.json,
 * "openssl_ciphers"): forward secrecy and AEAD only. Guidelines 5.7 append
 * DHE-RSA-CHACHA20-POLY1305; a bind's `ciphers` can add it.
 */
static const char default_ciphers[] = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
				      "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
				      "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
				      "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384";

/* Mozilla intermediate "tls_curves": X25519, prime256v1, secp384r1. */
static const char default_groups[] = "X25519:P-256:P-384";

/*
 * The session ID context must be set for a server to resume sessions; it is the same for
 * every certificate so that a ticket survives the SNI switch and a reload, as HAProxy's
 * constant SHCTX_APPNAME does.
 */
static const unsigned char sid_ctx[] = "sluice";

/* TLS 1.3 tickets sent after a handshake: OpenSSL's default, one per parallel connection. */
#define TLS13_TICKETS 2

/* The longest SNI name looked up: DNS names are at most 253 bytes (RFC 1035 2.3.4). */
#define SNI_MAX 255

/* The settings once defaults are applied and checked. */
struct settings {
	const char *ciphers, *ciphersuites;
	int min, max;
	uint64_t options;
};

static int resolve_settings(const struct sl_tls_opts *o, struct settings *s, char *err,
			    size_t errlen)
{
	static const struct sl_tls_opts none;

	if (o == NULL)
		o = &none;
	s->ciphers = o->ciphers != NULL ? o->ciphers : default_ciphers;
	s->ciphersuites = o->ciphersuites;
	s->min = o->min_version != 0 ? o->min_version : TLS1_2_VERSION;
	s->max = o->max_version != 0 ? o->max_version : TLS1_3_VERSION;
	if (s->min < TLS1_VERSION || s->min > TLS1_3_VERSION || s->max < TLS1_VERSION ||
	    s->max > TLS1_3_VERSION) {
		sl_tls_errf(
			err, errlen,
			"TLS versions 0x%04x..0x%04x: only 0x0301 (TLS 1.0) to 0x0304 (TLS 1.3) "
			"exist here",
			(unsigned)s->min, (unsigned)s->max);
		return -1;
	}
	/*
	 * No renegotiation: it has been a DoS lever (each one costs the server a handshake) and
	 * TLS 1.3 dropped it; no compression (CRIME). Server cipher preference stays off:
	 * Mozilla intermediate ("server_preferred_order": false) lets the client pick, e.g.
	 * ChaCha20 on phones without AES instructions.
	 */
	s->options = SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION;
	if (o->no_tls12)
		s->options |= SSL_OP_NO_TLSv1_2;
	if (o->no_tls13)
		s->options |= SSL_OP_NO_TLSv1_3;
	int left = 0;
	for (int v = s->min; v <= s->max; v++)
		if (!(v == TLS1_2_VERSION && o->no_tls12) && !(v == TLS1_3_VERSION && o->no_tls13))
			left++;
	if (left == 0) {
		sl_tls_errf(err, errlen,
			    "TLS versions 0x%04x..0x%04x%s%s: no version left to offer",
			    (unsigned)s->min, (unsigned)s->max, o->no_tls12 ? " no-tlsv12" : "",
			    o->no_tls13 ? " no-tlsv13" : "");
		return -1;
	}
	return 0;
}

/* Builds the wire form (RFC 7301 3.1: length-prefixed names) of the list @list. */
static int parse_alpn(struct sl_tls_ctx *c, const char *list, char *err, size_t errlen)
{
	size_t n = strlen(list);

	if (n == 0)
		return 0; /* "": no ALPN at all */
	c->alpn = malloc(n + 1);
	c->alpn_names = calloc(n / 2 + 1, sizeof(*c->alpn_names));
	if (c->alpn == NULL || c->alpn_names == NULL)
		goto nomem;
	const char *p = list;
	for (;;) {
		const char *e = strchr(p, ',');
		size_t len = e != NULL ? (size_t)(e - p) : strlen(p);
		if (len == 0 || len > 255) {
			sl_tls_errf(err, errlen, "alpn '%s': %s", list,
				    len == 0 ? "empty protocol name"
					     : "protocol name over 255 bytes");
			return -1;
		}
		c->alpn[c->alpn_len++] = (unsigned char)len;
		memcpy(c->alpn + c->alpn_len, p, len);
		c->alpn_len += len;
		c->alpn_names[c->nalpn] = strndup(p, len);
		if (c->alpn_names[c->nalpn++] == NULL)
			goto nomem;
		if (e == NULL)
			break;
		p = e + 1;
	}
	return 0;
nomem:
	sl_tls_errf(err, errlen, "alpn: out of memory");
	return -1;
}

/*
 * ALPN selection (RFC 7301 3.2): the first of OUR protocols that the client offers, as HAProxy
 * does. None in common: no ALPN in the answer rather than the no_application_protocol alert
 * the RFC allows, as HAProxy: an HTTP/1.1 client that lists only h2 still gets served.
 */
static int alpn_cb(SSL *s, const unsigned char **out, unsigned char *outlen,
		   const unsigned char *in, unsigned int inlen, void *arg)
{
	const struct sl_tls_ctx *c = arg;

	for (size_t i = 0; i < c->alpn_len; i += 1 + c->alpn[i]) {
		const unsigned char *ours = c->alpn + i;
		for (unsigned int j = 0; j < inlen; j += 1u + in[j]) {
			/* OpenSSL has checked the list's syntax; the bound is belt and braces. */
			if (j + 1u + in[j] > inlen)
				break;
			if (in[j] == ours[0] && memcmp(in + j + 1, ours + 1, ours[0]) == 0) {
				*out = ours + 1;
				*outlen = ours[0];
				return SSL_TLSEXT_ERR_OK;
			}
		}
	}
	return SSL_TLSEXT_ERR_NOACK;
}

/* Switches the connection to the certificate its SNI names; unknown names keep the default. */
static int sni_cb(SSL *s, int *al, void *arg)
{
	const struct sl_tls_ctx *c = arg;
	int i = sl_tls_ctx_pick(c, SSL_get_servername(s, TLSEXT_NAMETYPE_host_name));

	if (i > 0 && SSL_set_SSL_CTX(s, c->certs[i].ssl) == NULL) {
		*al = SSL_AD_INTERNAL_ERROR;
		return SSL_TLSEXT_ERR_ALERT_FATAL;
	}
	/* The verify mode is copied into the connection at SSL_new(), the CAs and CRLs are
	 * looked up in the current SSL_CTX: a crt-list line's verify follows its certificate. */
	if (i > 0)
		SSL_set_verify(s, SSL_CTX_get_verify_mode(c->certs[i].ssl), NULL);
	return SSL_TLSEXT_ERR_OK;
}

static void set_tickets(SSL_CTX *x, struct sl_tls_tickets *t);

/* The client-certificate settings of one certificate source, the bind's filled in. */
struct certopts {
	int verify;
	const char *ca_file, *crl_file, *ca_verify_file;
	bool no_ca_names;
	const char *const *filters;
	int nfilters;
};

/* Asks for (and checks) client certificates on @x as @co says. */
static int set_client_verify(SSL_CTX *x, const struct certopts *co, char *err, size_t errlen)
{
	if (co->verify != SL_TLS_VERIFY_NONE && co->ca_file == NULL && co->ca_verify_file == NULL) {
		sl_tls_errf(err, errlen, "verify %s: no ca-file to check client certificates with",
			    co->verify == SL_TLS_VERIFY_REQUIRED ? "required" : "optional");
		return -1;
	}
	if (co->ca_file != NULL) {
		if (!SSL_CTX_load_verify_locations(x, co->ca_file, NULL)) {
			sl_tls_errf(err, errlen, "ca-file %s: %s", co->ca_file,
				    sl_tls_ossl_reason());
			return -1;
		}
		if (!co->no_ca_names) {
			STACK_OF(X509_NAME) *names = SSL_load_client_CA_file(co->ca_file);
			if (names == NULL) {
				sl_tls_errf(err, errlen, "ca-file %s: no certificate in it",
					    co->ca_file);
				return -1;
			}
			SSL_CTX_set_client_CA_list(x, names);
		}
	}
	if (co->ca_verify_file != NULL && !SSL_CTX_load_verify_locations(x, co->ca_verify_file, NULL)) {
		sl_tls_errf(err, errlen, "ca-verify-file %s: %s", co->ca_verify_file,
			    sl_tls_ossl_reason());
		return -1;
	}
	if (co->crl_file != NULL) {
		X509_STORE *st = SSL_CTX_get_cert_store(x);
		if (X509_load_crl_file(X509_STORE_add_lookup(st, X509_LOOKUP_file()), co->crl_file,
				       X509_FILETYPE_PEM) <= 0) {
			sl_tls_errf(err, errlen, "crl-file %s: %s", co->crl_file,
				    sl_tls_ossl_reason());
			return -1;
		}
		/* HAProxy: the leaf and every CA of the chain are looked up in the CRLs */
		X509_STORE_set_flags(st, X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL);
	}
	int mode = co->verify == SL_TLS_VERIFY_REQUIRED ?
			   SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT :
		   co->verify == SL_TLS_VERIFY_OPTIONAL ? SSL_VERIFY_PEER :
							  SSL_VERIFY_NONE;
	SSL_CTX_set_verify(x, mode, NULL);
	return 0;
}

/* Returns a new SSL_CTX configured with @s, @c's callbacks and the certificate of @b. */
static SSL_CTX *new_ssl_ctx(struct sl_tls_ctx *c, const struct settings *s,
			    const struct certopts *co, const struct sl_tls_bundle *b,
			    const char *file, char *err, size_t errlen)
{
	SSL_CTX *x = SSL_CTX_new(TLS_server_method());

	if (x == NULL) {
		sl_tls_errf(err, errlen, "%s: cannot create an SSL_CTX: %s", file,
			    sl_tls_ossl_reason());
		return NULL;
	}
	if (!SSL_CTX_set_min_proto_version(x, s->min) ||
	    !SSL_CTX_set_max_proto_version(x, s->max)) {
		sl_tls_errf(err, errlen, "TLS versions 0x%04x..0x%04x: %s", (unsigned)s->min,
			    (unsigned)s->max, sl_tls_ossl_reason());
		goto fail;
	}
	SSL_CTX_set_options(x, s->options);
	SSL_CTX_clear_options(x, SSL_OP_CIPHER_SERVER_PREFERENCE);
	/* Idle connections hand their 2 x 16 KiB record buffers back (nginx does the same). */
	SSL_CTX_set_mode(x, SSL_MODE_RELEASE_BUFFERS);
	if (!SSL_CTX_set_cipher_list(x, s->ciphers)) {
		sl_tls_errf(err, errlen, "ciphers '%s': %s", s->ciphers, sl_tls_ossl_reason());
		goto fail;
	}
	if (s->ciphersuites != NULL && !SSL_CTX_set_ciphersuites(x, s->ciphersuites)) {
		sl_tls_errf(err, errlen, "ciphersuites '%s': %s", s->ciphersuites,
			    sl_tls_ossl_reason());
		goto fail;
	}
	if (!SSL_CTX_set1_groups_list(x, default_groups)) {
		sl_tls_errf(err, errlen, "groups '%s': %s", default_groups, sl_tls_ossl_reason());
		goto fail;
	}
	/*
	 * DHE-RSA ciphers need a group: OpenSSL's automatic choice is an RFC 7919 group sized to
	 * the certificate's key (ffdhe2048 for RSA-2048, what Mozilla recommends).
	 */
	SSL_CTX_set_dh_auto(x, 1);
	/* Tickets only (stateless): no per-lcore cache to fill, nothing to share but the keys. */
	SSL_CTX_set_session_cache_mode(x, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_session_id_context(x, sid_ctx, sizeof(sid_ctx) - 1);
	SSL_CTX_set_tlsext_servername_callback(x, sni_cb);
	SSL_CTX_set_tlsext_servername_arg(x, c);
	if (c->alpn_len != 0)
		SSL_CTX_set_alpn_select_cb(x, alpn_cb, c);
	SSL_CTX_set_app_data(x, c);
	set_tickets(x, c->tickets);
	if (set_client_verify(x, co, err, errlen) != 0)
		goto fail;
	if (!SSL_CTX_use_certificate(x, b->leaf) || !SSL_CTX_use_PrivateKey(x, b->key) ||
	    !SSL_CTX_set1_chain(x, b->chain) || !SSL_CTX_check_private_key(x)) {
		sl_tls_errf(err, errlen, "%s: OpenSSL refuses the certificate: %s", file,
			    sl_tls_ossl_reason());
		goto fail;
	}
	return x;
fail:
	SSL_CTX_free(x);
	return NULL;
}

static int add_name(struct sl_tls_ctx *c, const unsigned char *p, size_t len, int cert, bool neg)
{
	/* An embedded NUL would make "good.com\0.evil.com" match what it is not. */
	if (len == 0 || len > SNI_MAX || memchr(p, '\0', len) != NULL)
		return 0;
	struct sl_tls_name *n = realloc(c->names, (size_t)(c->nnames + 1) * sizeof(*n));
	if (n == NULL)
		return -1;
	c->names = n;
	char *s = strndup((const char *)p, len);
	if (s == NULL)
		return -1;
	for (char *q = s; *q != '\0'; q++)
		if (*q >= 'A' && *q <= 'Z')
			*q = (char)(*q - 'A' + 'a');
	c->names[c->nnames].name = s;
	c->names[c->nnames].neg = neg;
	c->names[c->nnames++].cert = cert;
	return 0;
}

/*
 * Indexes the names @leaf answers to: its subjectAltName DNS entries, or its subject's
 * commonName(s) when it has none (RFC 6125 6.4.4: CN only as a fallback).
 */
static int add_names(struct sl_tls_ctx *c, X509 *leaf, int cert)
{
	GENERAL_NAMES *gens = X509_get_ext_d2i(leaf, NID_subject_alt_name, NULL, NULL);
	int found = 0, ret = 0;

	for (int i = 0; i < sk_GENERAL_NAME_num(gens) && ret == 0; i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
		if (g->type != GEN_DNS)
			continue;
		found++;
		ret = add_name(c, ASN1_STRING_get0_data(g->d.dNSName),
			       (size_t)ASN1_STRING_length(g->d.dNSName), cert, false);
	}
	GENERAL_NAMES_free(gens);
	ERR_clear_error();
	if (found != 0 || ret != 0)
		return ret;
	const X509_NAME *subj = X509_get_subject_name(leaf);
	for (int i = -1; (i = X509_NAME_get_index_by_NID(subj, NID_commonName, i)) >= 0;) {
		unsigned char *u = NULL;
		int n = ASN1_STRING_to_UTF8(&u,
					    X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subj, i)));
		if (n > 0)
			ret = add_name(c, u, (size_t)n, cert, false);
		OPENSSL_free(u);
		if (ret != 0)
			break;
	}
	ERR_clear_error();
	return ret;
}

/* The names of a certificate given SNI filters: its positive filters, and the negative ones
 * ("!*.x" is a no-op, as in HAProxy). */
static int add_filters(struct sl_tls_ctx *c, const struct certopts *co, int cert)
{
	for (int i = 0; i < co->nfilters; i++) {
		const char *f = co->filters[i];
		bool neg = f[0] == '!';
		if (neg && f[1] == '*')
			continue;
		if (add_name(c, (const unsigned char *)f + neg, strlen(f + neg), cert, neg) != 0)
			return -1;
	}
	return 0;
}

/* Loads one bundle (one file, or certbot's pair) as the next certificate of @c. */
static int add_cert(struct sl_tls_ctx *c, const struct settings *s, const struct certopts *co,
		    const char *const *files, int nfiles, char *err, size_t errlen)
{
	struct sl_tls_bundle b;

	if (sl_tls_bundle_read(files, nfiles, &b, err, errlen) != 0)
		return -1;
	struct sl_tls_cert *certs = realloc(c->certs, (size_t)(c->ncerts + 1) * sizeof(*certs));
	if (certs == NULL)
		goto nomem;
	c->certs = certs;
	struct sl_tls_cert *ce = &c->certs[c->ncerts];
	ce->file = strdup(files[0]);
	if (ce->file == NULL)
		goto nomem;
	ce->ssl = new_ssl_ctx(c, s, co, &b, files[0], err, errlen);
	if (ce->ssl == NULL) {
		free(ce->file);
		goto fail;
	}
	c->ncerts++;
	if ((co->nfilters != 0 ? add_filters(c, co, c->ncerts - 1)
			       : add_names(c, b.leaf, c->ncerts - 1)) != 0)
		goto nomem;
	sl_tls_bundle_clear(&b);
	return 0;
nomem:
	sl_tls_errf(err, errlen, "%s: out of memory", files[0]);
fail:
	sl_tls_bundle_clear(&b);
	return -1;
}

static bool is_regular(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool bundle_name(const char *n)
{
	size_t len = strlen(n);
	if (n[0] == '.' || len <= 4)
		return false;
	return strcmp(n + len - 4, ".pem") == 0 || strcmp(n + len - 4, ".crt") == 0;
}

/* Loads a directory `crt` argument, as sl_tls_ctx_load() documents. */
static int add_dir(struct sl_tls_ctx *c, const struct settings *s, const struct certopts *co,
		   const char *dir, char *err, size_t errlen)
{
	const char *sep = dir[strlen(dir) - 1] == '/' ? "" : "/";
	char *pair[2] = {NULL, NULL};
	char **paths = NULL;
	size_t n = 0;
	int ret = -1;

	if (asprintf(&pair[0], "%s%sfullchain.pem", dir, sep) < 0) {
		pair[0] = NULL;
		goto nomem;
	}
	if (asprintf(&pair[1], "%s%sprivkey.pem", dir, sep) < 0) {
		pair[1] = NULL;
		goto nomem;
	}
	/* certbot's live/DOMAIN: also holds cert.pem and chain.pem, parts of fullchain.pem. */
	if (is_regular(pair[0]) && is_regular(pair[1])) {
		ret = add_cert(c, s, co, (const char *const *)pair, 2, err, errlen);
		goto out;
	}
	DIR *d = opendir(dir);
	if (d == NULL) {
		sl_tls_errf(err, errlen, "%s: %s", dir, strerror(errno));
		goto out;
	}
	for (struct dirent *e; (e = readdir(d)) != NULL;) {
		if (!bundle_name(e->d_name))
			continue;
		char *p, **np;
		if (asprintf(&p, "%s%s%s", dir, sep, e->d_name) < 0) {
			closedir(d);
			goto nomem;
		}
		if (!is_regular(p)) { /* a subdirectory, a dangling link */
			free(p);
			continue;
		}
		np = realloc(paths, (n + 1) * sizeof(*paths));
		if (np == NULL) {
			free(p);
			closedir(d);
			goto nomem;
		}
		paths = np;
		paths[n++] = p;
	}
	closedir(d);
	if (n == 0) {
		sl_tls_errf(err, errlen, "%s: no *.pem or *.crt file in the directory", dir);
		goto out;
	}
	/* readdir() order is the filesystem's: sort so that the default certificate is stable. */
	qsort(paths, n, sizeof(*paths), cmp_str);
	for (size_t i = 0; i < n; i++)
		if (add_cert(c, s, co, (const char *const *)&paths[i], 1, err, errlen) != 0)
			goto out;
	ret = 0;
	goto out;
nomem:
	sl_tls_errf(err, errlen, "%s: out of memory", dir);
out:
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
	free(pair[0]);
	free(pair[1]);
	return ret;
}

static int cmp_name(const void *a, const void *b)
{
	const struct sl_tls_name *x = a, *y = b;
	int r = strcmp(x->name, y->name);
	if (r == 0)
		r = (int)x->neg - (int)y->neg; /* a positive name first */
	return r != 0 ? r : (x->cert > y->cert) - (x->cert < y->cert);
}

static void destroy(struct sl_tls_ctx *c)
{
	for (int i = 0; i < c->ncerts; i++) {
		SSL_CTX_free(c->certs[i].ssl);
		free(c->certs[i].file);
	}
	free(c->certs);
	for (int i = 0; i < c->nnames; i++)
		free(c->names[i].name);
	free(c->names);
	for (int i = 0; i < c->nalpn; i++)
		free(c->alpn_names[i]);
	free(c->alpn_names);
	free(c->alpn);
	free(c);
}

int sl_tls_ctx_load_crts(const struct sl_tls_crt *crts, int ncrts, const struct sl_tls_opts *o,
			 struct sl_tls_ctx **out, char *err, size_t errlen)
{
	static const struct sl_tls_opts none;
	struct settings s;
	struct sl_tls_ctx *c;

	*out = NULL;
	if (err != NULL && errlen != 0)
		err[0] = '\0';
	if (crts == NULL || ncrts <= 0) {
		sl_tls_errf(err, errlen, "no crt given");
		return -1;
	}
	if (o == NULL)
		o = &none;
	if (resolve_settings(o, &s, err, errlen) != 0)
		return -1;
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		sl_tls_errf(err, errlen, "out of memory");
		return -1;
	}
	atomic_init(&c->refs, 1);
	const char *alpn = o->alpn != NULL ? o->alpn : "http/1.1";
	if (parse_alpn(c, alpn, err, errlen) != 0)
		goto fail;
	for (int i = 0; i < ncrts; i++) {
		const struct sl_tls_crt *e = &crts[i];
		struct certopts co = {
			.verify = e->verify >= 0 ? e->verify : o->verify,
			.ca_file = e->ca_file != NULL ? e->ca_file : o->ca_file,
			.crl_file = e->crl_file != NULL ? e->crl_file : o->crl_file,
			.ca_verify_file = e->ca_verify_file != NULL ? e->ca_verify_file
								    : o->ca_verify_file,
			.no_ca_names = e->no_ca_names || o->no_ca_names,
			.filters = e->filters,
			.nfilters = e->nfilters,
		};
		struct stat st;
		if (e->path == NULL || e->path[0] == '\0') {
			sl_tls_errf(err, errlen, "crt #%d: empty path", i + 1);
			goto fail;
		}
		if (stat(e->path, &st) != 0) {
			sl_tls_errf(err, errlen, "%s: %s", e->path, strerror(errno));
			goto fail;
		}
		int r = S_ISDIR(st.st_mode) ? add_dir(c, &s, &co, e->path, err, errlen)
					    : add_cert(c, &s, &co, &e->path, 1, err, errlen);
		if (r != 0)
			goto fail;
	}
	qsort(c->names, (size_t)c->nnames, sizeof(*c->names), cmp_name);
	ERR_clear_error();
	*out = c;
	return 0;
fail:
	ERR_clear_error();
	destroy(c);
	return -1;
}

int sl_tls_ctx_load(const char *const *crts, int ncrts, const struct sl_tls_opts *o,
		    struct sl_tls_ctx **out, char *err, size_t errlen)
{
	struct sl_tls_crt *v = calloc(ncrts > 0 ? (size_t)ncrts : 1, sizeof(*v));

	if (v == NULL) {
		*out = NULL;
		sl_tls_errf(err, errlen, "out of memory");
		return -1;
	}
	for (int i = 0; i < ncrts; i++) {
		v[i].path = crts[i];
		v[i].verify = -1;
	}
	int r = sl_tls_ctx_load_crts(crts != NULL ? v : NULL, ncrts, o, out, err, errlen);
	free(v);
	return r;
}

void sl_tls_ctx_put(struct sl_tls_ctx *c)
{
	if (c != NULL && atomic_fetch_sub_explicit(&c->refs, 1, memory_order_acq_rel) == 1)
		destroy(c);
}

void sl_tls_ctx_free(struct sl_tls_ctx *c)
{
	sl_tls_ctx_put(c);
}

int sl_tls_ctx_count(const struct sl_tls_ctx *c)
{
	return c->ncerts;
}

const char *sl_tls_ctx_cert_file(const struct sl_tls_ctx *c, int i)
{
	return i >= 0 && i < c->ncerts ? c->certs[i].file : NULL;
}

/* The first certificate (lowest index) with the positive name @key; -1 when none; -2 when the
 * name is only a negative filter. */
static int lookup(const struct sl_tls_ctx *c, const char *key)
{
	int lo = 0, hi = c->nnames; /* first name >= key lies in [lo, hi] */

	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;
		if (strcmp(c->names[mid].name, key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == c->nnames || strcmp(c->names[lo].name, key) != 0)
		return -1;
	return c->names[lo].neg ? -2 : c->names[lo].cert;
}

int sl_tls_ctx_pick(const struct sl_tls_ctx *c, const char *sni)
{
	char key[SNI_MAX + 1];
	size_t len;

	if (sni == NULL || (len = strlen(sni)) == 0 || len > SNI_MAX)
		return -1;
	for (size_t i = 0; i <= len; i++) {
		char ch = sni[i];
		key[i] = ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
	}
	int i = lookup(c, key);
	if (i >= 0)
		return i;
	if (i == -2) /* "!name": that exact name gets the default certificate, wildcards aside */
		return -1;
	/* "*.example.com" stands for one label: replace the first label of the name by '*'. */
	char *dot = strchr(key, '.');
	if (dot == NULL || dot == key || dot[1] == '\0')
		return -1;
	dot[-1] = '*';
	i = lookup(c, dot - 1);
	return i >= 0 ? i : -1;
}

/*
 * Without shared keys: SSL_OP_NO_TICKET stops TLS 1.2 tickets, and zero TLS 1.3 tickets, since
 * under SSL_OP_NO_TICKET OpenSSL would send TLS 1.3 tickets naming a session cache we do not
 * keep.
 */
static void set_tickets(SSL_CTX *x, struct sl_tls_tickets *t)
{
	SSL_CTX_set_tlsext_ticket_key_evp_cb(x, t != NULL ? sl_tls_ticket_cb : NULL);
	if (t != NULL) {
		SSL_CTX_clear_options(x, SSL_OP_NO_TICKET);
		SSL_CTX_set_num_tickets(x, TLS13_TICKETS);
	} else {
		SSL_CTX_set_options(x, SSL_OP_NO_TICKET);
		SSL_CTX_set_num_tickets(x, 0);
	}
}

void sl_tls_ctx_set_tickets(struct sl_tls_ctx *c, struct sl_tls_tickets *t)
{
	c->tickets = t;
	for (int i = 0; i < c->ncerts; i++)
		set_tickets(c->certs[i].ssl, t);
}
