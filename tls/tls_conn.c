/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One TLS server connection over two memory BIOs: the peer's ciphertext goes into rbio
 * (sl_tls_in), OpenSSL's records come out of wbio (sl_tls_out). No socket, no blocking: the
 * TCP stack of the lcore moves the bytes, so the same code runs under the unit tests.
 *
 * OpenSSL's rule for SSL_get_error() is that the thread's error queue be empty before each
 * I/O call; every call below clears it first, and a failure's reasons are dropped with it (the
 * caller counts failures, a log line per bad handshake would be a DoS lever).
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/buffer.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "tls/tls_int.h"

/*
 * An emptied memory BIO keeps its largest size. Past this size it is replaced by a fresh one
 * once empty, so that a connection that once sent a burst does not keep the burst's buffer
 * while idle; below it (one full record and its overhead fit) streaming reuses the buffer.
 */
#define BIO_KEEP (32 * 1024)

static BIO *new_mem_bio(void)
{
	BIO *b = BIO_new(BIO_s_mem());
	/* An empty BIO means "wait for more", not end of stream: the TCP stack reports FIN. */
	if (b != NULL)
		BIO_set_mem_eof_return(b, -1);
	return b;
}

struct sl_tls_conn *sl_tls_conn_alloc(SSL_CTX *x)
{
	struct sl_tls_conn *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	t->ssl = SSL_new(x);
	t->rbio = new_mem_bio();
	t->wbio = new_mem_bio();
	if (t->ssl == NULL || t->rbio == NULL || t->wbio == NULL) {
		SSL_free(t->ssl);
		BIO_free(t->rbio);
		BIO_free(t->wbio);
		free(t);
		ERR_clear_error();
		return NULL;
	}
	SSL_set_bio(t->ssl, t->rbio, t->wbio);
	return t;
}

struct sl_tls_conn *sl_tls_conn_new(struct sl_tls_ctx *c)
{
	struct sl_tls_conn *t = sl_tls_conn_alloc(c->certs[0].ssl);

	if (t == NULL)
		return NULL;
	SSL_set_accept_state(t->ssl);
	atomic_fetch_add_explicit(&c->refs, 1, memory_order_relaxed);
	t->ctx = c;
	return t;
}

void sl_tls_conn_free(struct sl_tls_conn *t)
{
	if (t == NULL)
		return;
	/*
	 * A client's session stays resumable however the connection ended (as HAProxy's):
	 * OpenSSL marks the session of a connection freed without close_notify not resumable,
	 * under its context's lock. Marked shut, it does neither.
	 */
	if (t->cctx != NULL)
		SSL_set_shutdown(t->ssl, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
	SSL_free(t->ssl);
	BIO_free(t->early);
	if (t->ctx != NULL)
		sl_tls_ctx_put(t->ctx);
	if (t->cctx != NULL)
		sl_tls_client_ctx_put(t->cctx);
	free(t->peer);
	free(t);
}

/* Classifies the result @r of an SSL I/O call: 0 (wait for more), 1 (close_notify), -1. */
static int classify(struct sl_tls_conn *t, int r)
{
	switch (SSL_get_error(t->ssl, r)) {
	case SSL_ERROR_WANT_READ:
	case SSL_ERROR_WANT_WRITE: /* a memory BIO takes all: not expected, harmless */
		return 0;
	case SSL_ERROR_ZERO_RETURN:
		return 1;
	default:
		/* The alert OpenSSL sent (if any) is already in wbio. */
		t->failed = true;
		if (!t->established && t->cache != NULL)
			sl_tls_sess_drop(t->cache); /* as HAProxy: a failed handshake forgets it */
		ERR_clear_error();
		return -1;
	}
}

/* Once a client handshake completes, the plaintext written before goes out first. */
static void flush_early(struct sl_tls_conn *t)
{
	char *p;
	long n = BIO_get_mem_data(t->early, &p);

	if (n > 0 && SSL_write(t->ssl, p, (int)n) != (int)n) {
		t->failed = true;
		ERR_clear_error();
	}
	BIO_free(t->early);
	t->early = NULL;
}

static void note_established(struct sl_tls_conn *t)
{
	if (!t->established && SSL_is_init_finished(t->ssl)) {
		t->established = true;
		if (t->early != NULL)
			flush_early(t);
	}
}

/* Runs the handshake as far as the queued input allows. Returns 0 or -1 (fatal). */
static int drive(struct sl_tls_conn *t)
{
	if (t->failed)
		return -1;
	if (t->established)
		return 0;
	ERR_clear_error();
	int r = SSL_do_handshake(t->ssl);
	if (r != 1 && classify(t, r) < 0)
		return -1;
	note_established(t);
	return 0;
}

/* Replaces the read BIO by a small one when it is empty and has grown large. */
static void trim_rbio(struct sl_tls_conn *t)
{
	BUF_MEM *bm;

	if (BIO_ctrl_pending(t->rbio) != 0 || BIO_get_mem_ptr(t->rbio, &bm) <= 0 ||
	    bm->max <= BIO_KEEP)
		return;
	BIO *b = new_mem_bio();
	if (b == NULL)
		return;
	SSL_set0_rbio(t->ssl, b); /* frees the old one */
	t->rbio = b;
}

static void trim_wbio(struct sl_tls_conn *t)
{
	BUF_MEM *bm;

	if (BIO_ctrl_pending(t->wbio) != 0 || BIO_get_mem_ptr(t->wbio, &bm) <= 0 ||
	    bm->max <= BIO_KEEP)
		return;
	BIO *b = new_mem_bio();
	if (b == NULL)
		return;
	SSL_set0_wbio(t->ssl, b); /* frees the old one (below the handshake's buffering BIO) */
	t->wbio = b;
}

int sl_tls_in(struct sl_tls_conn *t, const void *p, size_t len)
{
	const char *q = p;

	if (t->failed)
		return -1;
	while (len > 0) {
		int n = len > INT_MAX ? INT_MAX : (int)len;
		if (BIO_write(t->rbio, q, n) != n) {
			/* Out of memory: a hole in the record stream cannot be recovered from. */
			t->failed = true;
			ERR_clear_error();
			return -1;
		}
		q += n;
		len -= (size_t)n;
	}
	return drive(t);
}

ssize_t sl_tls_read(struct sl_tls_conn *t, void *buf, size_t max)
{
	if (t->failed)
		return -EPROTO;
	if (max == 0)
		return drive(t) == 0 ? -EAGAIN : -EPROTO;
	ERR_clear_error();
	int r = SSL_read(t->ssl, buf, max > INT_MAX ? INT_MAX : (int)max);
	ssize_t ret = r;
	if (r <= 0) {
		int k = classify(t, r);
		ret = k == 0 ? -EAGAIN : k == 1 ? 0 : -EPROTO;
	}
	note_established(t);
	trim_rbio(t);
	return ret;
}

ssize_t sl_tls_write(struct sl_tls_conn *t, const void *buf, size_t len)
{
	if (t->failed || t->closed)
		return -EPROTO;
	if (len == 0)
		return 0;
	if (!t->established && t->cctx != NULL) {
		/* a client's request waits in memory for the handshake (bounded by the caller) */
		if (len > INT_MAX)
			len = INT_MAX;
		if ((t->early == NULL && (t->early = BIO_new(BIO_s_mem())) == NULL) ||
		    BIO_write(t->early, buf, (int)len) != (int)len) {
			t->failed = true;
			ERR_clear_error();
			return -EPROTO;
		}
		return (ssize_t)len;
	}
	if (!t->established)
		return -EAGAIN;
	ERR_clear_error();
	int r = SSL_write(t->ssl, buf, len > INT_MAX ? INT_MAX : (int)len);
	if (r > 0)
		return r;
	return classify(t, r) == 0 ? -EAGAIN : -EPROTO;
}

size_t sl_tls_in_pending(const struct sl_tls_conn *t)
{
	return BIO_ctrl_pending(t->rbio) + (size_t)SSL_pending(t->ssl);
}

size_t sl_tls_out_pending(const struct sl_tls_conn *t)
{
	return BIO_ctrl_pending(t->wbio);
}

size_t sl_tls_out(struct sl_tls_conn *t, void *buf, size_t max)
{
	if (max == 0 || BIO_ctrl_pending(t->wbio) == 0)
		return 0;
	int n = BIO_read(t->wbio, buf, max > INT_MAX ? INT_MAX : (int)max);
	if (n <= 0)
		return 0;
	trim_wbio(t);
	return (size_t)n;
}

void sl_tls_close(struct sl_tls_conn *t)
{
	if (t->failed || t->closed || !t->established)
		return;
	ERR_clear_error();
	/* 0 (the peer's close_notify not seen yet) is expected: we do not wait for it. */
	SSL_shutdown(t->ssl);
	ERR_clear_error();
	t->closed = true;
}

bool sl_tls_established(const struct sl_tls_conn *t)
{
	return t->established && !t->failed;
}

bool sl_tls_resumed(const struct sl_tls_conn *t)
{
	return t->established && SSL_session_reused(t->ssl);
}

/* HAProxy's ssl_sock_get_dn_oneline(): "/SN=value" per entry, the value's raw bytes. */
static size_t dn_oneline(const X509_NAME *n, char *out, size_t cap)
{
	size_t len = 0;
	for (int i = 0; i < X509_NAME_entry_count(n); i++) {
		const X509_NAME_ENTRY *ne = X509_NAME_get_entry(n, i);
		const ASN1_OBJECT *obj = X509_NAME_ENTRY_get_object(ne);
		const ASN1_STRING *d = X509_NAME_ENTRY_get_data(ne);
		char tmp[128];
		int nid = OBJ_obj2nid(obj);
		const char *sn = nid != NID_undef ? OBJ_nid2sn(nid) : NULL;
		if (sn == NULL) {
			OBJ_obj2txt(tmp, sizeof(tmp), obj, 0);
			sn = tmp;
		}
		size_t sl = strlen(sn), dl = (size_t)ASN1_STRING_length(d);
		if (out != NULL && len + sl + dl + 2 < cap) {
			out[len] = '/';
			memcpy(out + len + 1, sn, sl);
			out[len + 1 + sl] = '=';
			memcpy(out + len + 2 + sl, ASN1_STRING_get0_data(d), dl);
		}
		len += sl + dl + 2;
	}
	if (out != NULL && len < cap)
		out[len] = '\0';
	return len;
}

const struct sl_tls_peer *sl_tls_peer(struct sl_tls_conn *t)
{
	if (t->peer != NULL)
		return t->peer;
	if (!t->established || t->ctx == NULL)
		return NULL;
	X509 *crt = SSL_get0_peer_certificate(t->ssl);
	size_t sl = 0, il = 0, nl = 0;
	const ASN1_INTEGER *serial = NULL;
	if (crt != NULL) {
		sl = dn_oneline(X509_get_subject_name(crt), NULL, 0) + 1;
		il = dn_oneline(X509_get_issuer_name(crt), NULL, 0) + 1;
		serial = X509_get0_serialNumber(crt);
		nl = (size_t)ASN1_STRING_length(serial);
	}
	/* one block: the struct, then the subject, the issuer and the serial */
	struct sl_tls_peer *p = malloc(sizeof(*p) + sl + il + nl);
	if (p == NULL)
		return NULL;
	char *b = (char *)(p + 1);
	*p = (struct sl_tls_peer){
		.used = crt != NULL,
		.has_crt = crt != NULL && !SSL_session_reused(t->ssl),
		.verify = SSL_get_verify_result(t->ssl),
	};
	if (crt != NULL) {
		dn_oneline(X509_get_subject_name(crt), b, sl);
		dn_oneline(X509_get_issuer_name(crt), b + sl, il);
		memcpy(b + sl + il, ASN1_STRING_get0_data(serial), nl);
		p->s_dn = b;
		p->i_dn = b + sl;
		p->serial = (const unsigned char *)b + sl + il;
		p->serial_len = nl;
	}
	ERR_clear_error();
	t->peer = p;
	return p;
}

const char *sl_tls_sni(const struct sl_tls_conn *t)
{
	return SSL_get_servername(t->ssl, TLSEXT_NAMETYPE_host_name);
}

const char *sl_tls_version(const struct sl_tls_conn *t)
{
	return t->established ? SSL_get_version(t->ssl) : NULL;
}

const char *sl_tls_cipher(const struct sl_tls_conn *t)
{
	return t->established ? SSL_get_cipher_name(t->ssl) : NULL;
}

const char *sl_tls_alpn(const struct sl_tls_conn *t)
{
	const unsigned char *p;
	unsigned int len;
	const struct sl_tls_ctx *c = t->ctx;

	SSL_get0_alpn_selected(t->ssl, &p, &len);
	if (c == NULL) /* a client offers http/1.1 only */
		return len == 8 && memcmp(p, "http/1.1", 8) == 0 ? "http/1.1" : NULL;
	/* OpenSSL's copy is not NUL terminated: answer with ours (the choice is among them). */
	for (int i = 0; len != 0 && i < c->nalpn; i++)
		if (strlen(c->alpn_names[i]) == len && memcmp(c->alpn_names[i], p, len) == 0)
			return c->alpn_names[i];
	return NULL;
}
