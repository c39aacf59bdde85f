/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The client side: the context of a `server ... ssl` line and its connections, over the same
 * memory BIOs as the server side (tls_conn.c), and the session each one leaves behind so that
 * the next connection to the same server resumes (HAProxy's default, `no-ssl-reuse` off).
 *
 * Sessions: OpenSSL hands a new session to new_sess_cb() (after a TLS 1.2 handshake, or with
 * each TLS 1.3 NewSessionTicket); the connection stores it in the slot its creator gave
 * (struct sl_tls_sess **, one per server and lcore), replacing the older one. OpenSSL's own
 * client cache is off (SSL_SESS_CACHE_NO_INTERNAL_STORE): no lock, nothing shared.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "tls/tls_int.h"

/* The TLS 1.2 ciphers a client offers by default: the Mozilla intermediate list of the server
 * side (HAProxy's default for servers is OpenSSL's; sluice offers only forward secret AEAD). */
static const char client_ciphers[] = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
				     "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
				     "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
				     "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384";

static const unsigned char alpn_h11[] = "\x08http/1.1";

void sl_tls_sess_drop(struct sl_tls_sess **slot)
{
	struct sl_tls_sess *s = *slot;

	if (s == NULL)
		return;
	*slot = NULL;
	SSL_SESSION_free(s->sess);
	sl_tls_client_ctx_put(s->ctx);
	free(s);
}

/* A new session of a client connection: kept in its slot (the newest wins; the slot's block is
 * reused when it holds one of the same context, so a busy server costs no allocation). */
static int new_sess_cb(SSL *ssl, SSL_SESSION *sess)
{
	struct sl_tls_conn *t = SSL_get_app_data(ssl);

	if (t == NULL || t->cache == NULL || !SSL_SESSION_is_resumable(sess))
		return 0; /* not kept: OpenSSL frees it */
	struct sl_tls_sess *n = *t->cache;
	if (n != NULL && n->ctx == t->cctx) {
		SSL_SESSION_free(n->sess);
	} else {
		sl_tls_sess_drop(t->cache);
		if ((n = malloc(sizeof(*n))) == NULL)
			return 0;
		n->ctx = t->cctx;
		atomic_fetch_add_explicit(&t->cctx->refs, 1, memory_order_relaxed);
		*t->cache = n;
	}
	const char *sni = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
	snprintf(n->sni, sizeof(n->sni), "%s", sni != NULL ? sni : "");
	n->sess = sess;
	return 1; /* we own the reference */
}

int sl_tls_client_ctx_new(const struct sl_tls_client_opts *o, struct sl_tls_client_ctx **out,
			  char *err, size_t errlen)
{
	static const struct sl_tls_client_opts none;

	*out = NULL;
	if (o == NULL)
		o = &none;
	if (o->verify && (o->ca_file == NULL || o->ca_file[0] == '\0')) {
		sl_tls_errf(err, errlen, "verify required needs a ca-file");
		return -1;
	}
	int min = o->min_version != 0 ? o->min_version : TLS1_2_VERSION;
	int max = o->max_version != 0 ? o->max_version : TLS1_3_VERSION;
	if (min < TLS1_VERSION || max > TLS1_3_VERSION || min > max) {
		sl_tls_errf(err, errlen, "TLS versions 0x%04x..0x%04x: no version left to offer",
			    (unsigned)min, (unsigned)max);
		return -1;
	}
	uint64_t opts = SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION;
	int left = 0;
	for (int v = min; v <= max; v++)
		if (!(v == TLS1_2_VERSION && o->no_tls12) && !(v == TLS1_3_VERSION && o->no_tls13))
			left++;
	if (left == 0) {
		sl_tls_errf(err, errlen, "TLS versions 0x%04x..0x%04x%s%s: no version left to offer",
			    (unsigned)min, (unsigned)max, o->no_tls12 ? " no-tlsv12" : "",
			    o->no_tls13 ? " no-tlsv13" : "");
		return -1;
	}
	if (o->no_tls12)
		opts |= SSL_OP_NO_TLSv1_2;
	if (o->no_tls13)
		opts |= SSL_OP_NO_TLSv1_3;
	if (o->no_tickets)
		opts |= SSL_OP_NO_TICKET;
	struct sl_tls_client_ctx *c = calloc(1, sizeof(*c));
	if (c == NULL) {
		sl_tls_errf(err, errlen, "out of memory");
		return -1;
	}
	atomic_init(&c->refs, 1);
	c->verify = o->verify;
	c->reuse = !o->no_reuse;
	SSL_CTX *x = c->ssl = SSL_CTX_new(TLS_client_method());
	const char *ciphers = o->ciphers != NULL ? o->ciphers : client_ciphers;
	if (x == NULL) {
		sl_tls_errf(err, errlen, "cannot create an SSL_CTX: %s", sl_tls_ossl_reason());
		goto fail;
	}
	if (!SSL_CTX_set_min_proto_version(x, min) || !SSL_CTX_set_max_proto_version(x, max)) {
		sl_tls_errf(err, errlen, "TLS versions 0x%04x..0x%04x: %s", (unsigned)min,
			    (unsigned)max, sl_tls_ossl_reason());
		goto fail;
	}
	SSL_CTX_set_options(x, opts);
	SSL_CTX_set_mode(x, SSL_MODE_RELEASE_BUFFERS);
	if (!SSL_CTX_set_cipher_list(x, ciphers)) {
		sl_tls_errf(err, errlen, "ciphers '%s': %s", ciphers, sl_tls_ossl_reason());
		goto fail;
	}
	if (o->ciphersuites != NULL && !SSL_CTX_set_ciphersuites(x, o->ciphersuites)) {
		sl_tls_errf(err, errlen, "ciphersuites '%s': %s", o->ciphersuites,
			    sl_tls_ossl_reason());
		goto fail;
	}
	if (o->verify) {
		FILE *f = fopen(o->ca_file, "r");
		if (f == NULL) {
			sl_tls_errf(err, errlen, "ca-file '%s': %s", o->ca_file, strerror(errno));
			goto fail;
		}
		fclose(f);
		if (!SSL_CTX_load_verify_locations(x, o->ca_file, NULL)) {
			sl_tls_errf(err, errlen, "ca-file '%s': cannot be read as PEM certificates: %s",
				    o->ca_file, sl_tls_ossl_reason());
			goto fail;
		}
		SSL_CTX_set_verify(x, SSL_VERIFY_PEER, NULL);
	} else {
		SSL_CTX_set_verify(x, SSL_VERIFY_NONE, NULL);
	}
	if (o->alpn != NULL && o->alpn[0] != '\0') {
		if (strcmp(o->alpn, "http/1.1") != 0) {
			sl_tls_errf(err, errlen, "alpn '%s': only http/1.1 is spoken to servers",
				    o->alpn);
			goto fail;
		}
		/* 0 is success for this one */
		if (SSL_CTX_set_alpn_protos(x, alpn_h11, sizeof(alpn_h11) - 1) != 0) {
			sl_tls_errf(err, errlen, "alpn: %s", sl_tls_ossl_reason());
			goto fail;
		}
	}
	SSL_CTX_set_session_cache_mode(x, c->reuse ? SSL_SESS_CACHE_CLIENT |
							     SSL_SESS_CACHE_NO_INTERNAL_STORE :
						     SSL_SESS_CACHE_OFF);
	if (c->reuse)
		SSL_CTX_sess_set_new_cb(x, new_sess_cb);
	*out = c;
	return 0;
fail:
	SSL_CTX_free(c->ssl);
	free(c);
	ERR_clear_error();
	return -1;
}

void sl_tls_client_ctx_put(struct sl_tls_client_ctx *c)
{
	if (atomic_fetch_sub_explicit(&c->refs, 1, memory_order_acq_rel) == 1) {
		SSL_CTX_free(c->ssl);
		free(c);
	}
}

void sl_tls_client_ctx_free(struct sl_tls_client_ctx *c)
{
	if (c != NULL)
		sl_tls_client_ctx_put(c);
}

struct sl_tls_conn *sl_tls_client_new(struct sl_tls_client_ctx *c, const char *sni,
				      struct sl_tls_sess **cache)
{
	struct sl_tls_conn *t = sl_tls_conn_alloc(c->ssl);

	if (t == NULL)
		return NULL;
	SSL_set_connect_state(t->ssl);
	SSL_set_app_data(t->ssl, t);
	if (sni != NULL && sni[0] != '\0') {
		if (!SSL_set_tlsext_host_name(t->ssl, sni))
			goto fail;
		/* as HAProxy without verifyhost: the certificate must name the SNI */
		if (c->verify && !SSL_set1_host(t->ssl, sni))
			goto fail;
	}
	atomic_fetch_add_explicit(&c->refs, 1, memory_order_relaxed);
	t->cctx = c;
	if (c->reuse) {
		t->cache = cache;
		/* only the same context (server line, configuration) under the same SNI */
		const struct sl_tls_sess *k = cache != NULL ? *cache : NULL;
		if (k != NULL && k->ctx == c && strcmp(k->sni, sni != NULL ? sni : "") == 0 &&
		    !SSL_set_session(t->ssl, k->sess))
			sl_tls_sess_drop(cache);
	}
	/* the ClientHello, ready in sl_tls_out() */
	ERR_clear_error();
	int r = SSL_do_handshake(t->ssl);
	if (r != 1 && SSL_get_error(t->ssl, r) != SSL_ERROR_WANT_READ) {
		sl_tls_conn_free(t);
		ERR_clear_error();
		return NULL;
	}
	return t;
fail:
	SSL_free(t->ssl); /* and its BIOs */
	free(t);
	ERR_clear_error();
	return NULL;
}
