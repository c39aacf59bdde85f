/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internals shared by the files of tls/: the layout of a context and the OpenSSL callbacks
 * that one file installs and another implements. Never included outside tls/.
 */
#ifndef SL_TLS_INT_H
#define SL_TLS_INT_H

#include <stdatomic.h>
#include <stddef.h>

#include <openssl/ssl.h>

#include "tls/tls.h"

/* One certificate: its own SSL_CTX (configured like its siblings) and where it came from. */
struct sl_tls_cert {
	SSL_CTX *ssl;
	char *file;
};

/* One SNI name of a certificate: lower case, "*.example.com" for a wildcard; neg: a crt-list's
 * "!name" filter (no certificate for that exact name; sorted after the positive ones). */
struct sl_tls_name {
	char *name;
	int cert;
	bool neg;
};

struct sl_tls_ctx {
	atomic_int refs;	   /* the loader's reference + one per connection */
	struct sl_tls_cert *certs; /* certs[0] is the default */
	int ncerts;
	struct sl_tls_name *names; /* sorted by (name, cert) for bsearch */
	int nnames;
	unsigned char *alpn; /* our protocols in wire format (RFC 7301 3.1), or NULL */
	size_t alpn_len;
	char **alpn_names; /* the same, NUL terminated, for sl_tls_alpn() */
	int nalpn;
	struct sl_tls_tickets *tickets; /* NULL: no tickets issued */
};

/* A certificate read from PEM: the leaf, its chain (issuer first) and the leaf's key. */
struct sl_tls_bundle {
	X509 *leaf;
	STACK_OF(X509) *chain;
	EVP_PKEY *key;
};

/*
 * tls_pem.c: reads the @nfiles files @files (one bundle, or certbot's fullchain.pem and
 * privkey.pem) into @b, checked as sl_tls_ctx_load() documents. Returns 0, or -1 with @b
 * empty and the reason in @err.
 */
int sl_tls_bundle_read(const char *const *files, int nfiles, struct sl_tls_bundle *b, char *err,
		       size_t errlen);
void sl_tls_bundle_clear(struct sl_tls_bundle *b);

/* Formats a one-line error message into @err (truncated to @errlen, nothing if 0). */
void sl_tls_errf(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The reason of the newest OpenSSL error of this thread, or "unknown reason"; clears them. */
const char *sl_tls_ossl_reason(void);

/* tls_tickets.c: the SSL_CTX_set_tlsext_ticket_key_evp_cb() callback. */
int sl_tls_ticket_cb(SSL *s, unsigned char *key_name, unsigned char *iv, EVP_CIPHER_CTX *cctx,
		     EVP_MAC_CTX *hctx, int enc);

/*
 * One connection, server side (ctx set) or client side (cctx set), over two memory BIOs.
 * Used by one lcore at a time.
 */
struct sl_tls_conn {
	SSL *ssl;
	BIO *rbio, *wbio; /* owned by ssl; the pointers are ours to size them */
	struct sl_tls_ctx *ctx;		/* server side: the bind's context */
	struct sl_tls_client_ctx *cctx; /* client side: the server line's context */
	struct sl_tls_sess **cache;	/* client side: where new sessions go, or NULL */
	BIO *early;	  /* client side: plaintext written before the handshake completed */
	bool established; /* the handshake completed once */
	bool failed;	  /* fatal error: only sl_tls_out() and free remain useful */
	bool closed;	  /* close_notify queued */
	struct sl_tls_peer *peer; /* server side: the client's certificate, made by sl_tls_peer() */
};

/* The context of a server line (tls_client.c). */
struct sl_tls_client_ctx {
	atomic_int refs; /* the owner's + one per connection and per cached session */
	SSL_CTX *ssl;
	bool verify, reuse;
};

/* A cached client session (tls_client.c): a reference to the context it came from, and the
 * SNI it was made under (a session is offered only under the same SNI, as HAProxy does: its
 * certificate was verified for that name). */
struct sl_tls_sess {
	SSL_SESSION *sess;
	struct sl_tls_client_ctx *ctx;
	char sni[256]; /* "" for none */
};

/* tls_conn.c: a connection on @x over two fresh memory BIOs, nothing else set; NULL when out
 * of memory. */
struct sl_tls_conn *sl_tls_conn_alloc(SSL_CTX *x);

/* tls_client.c: drops one reference. */
void sl_tls_client_ctx_put(struct sl_tls_client_ctx *c);

/* tls_ctx.c: drops one reference (connections call it from sl_tls_conn_free()). */
void sl_tls_ctx_put(struct sl_tls_ctx *c);

#endif
