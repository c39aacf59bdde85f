/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TLS termination for the proxy lcores: OpenSSL behind an API that exposes none of its types
 * (tls/ is the only directory that includes OpenSSL).
 *
 * Three objects:
 *
 * - struct sl_tls_ctx: the certificates and settings of one bind line, built by
 *   sl_tls_ctx_load() at start and at every reload, immutable afterwards. One OpenSSL SSL_CTX
 *   per certificate, all configured alike; SNI switches a connection to the right one.
 *   Reference counted: every connection holds a reference, so a reload may drop the old
 *   generation with sl_tls_ctx_free() while its connections finish on it. Once loaded (and
 *   its tickets set) it is read-only: several lcores may share one.
 *
 * - struct sl_tls_conn: one server-side TLS connection whose records travel through memory
 *   buffers, not a socket: the TCP stack hands the peer's bytes to sl_tls_in() and sends what
 *   sl_tls_out() gives back. The application reads and writes plaintext with sl_tls_read() and
 *   sl_tls_write(). A connection is used by one lcore at a time.
 *
 * - struct sl_tls_tickets: session ticket keys (RFC 5077 tickets for TLS 1.2, RFC 8446 4.6.1
 *   tickets for TLS 1.3 resumption), shared by every lcore's contexts so that a client resumes
 *   whichever lcore RSS sends it to, and across reloads.
 *
 * Defaults follow Mozilla's Server Side TLS "intermediate" configuration (guidelines 5.x,
 * https://wiki.mozilla.org/Security/Server_Side_TLS) as HAProxy 2.6 applies it to a bind line:
 * TLS 1.2 and 1.3 only, ECDHE/DHE with AEAD ciphers for TLS 1.2, groups X25519, P-256, P-384,
 * the client's cipher preference, no renegotiation, no compression, ALPN "http/1.1".
 *
 * After each call of sl_tls_in(), sl_tls_read(), sl_tls_write() and sl_tls_close(), send what
 * sl_tls_out_pending() says waits: a handshake flight, a ticket, an alert, a KeyUpdate answer
 * can appear after any of them.
 */
#ifndef SL_TLS_H
#define SL_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct sl_tls_ctx;
struct sl_tls_conn;
struct sl_tls_tickets;

/* Settings of one bind line; a zeroed struct (or NULL) gives the defaults in brackets. */
struct sl_tls_opts {
	const char *ciphers;	  /* TLS <= 1.2, OpenSSL syntax [Mozilla intermediate] */
	const char *ciphersuites; /* TLS 1.3, OpenSSL syntax [OpenSSL's default] */
	int min_version;	  /* 0x0301 TLS 1.0 .. 0x0304 TLS 1.3 [0x0303]; below 1.2 OpenSSL 3
				   * also wants "@SECLEVEL=0" in ciphers (SHA-1 signatures) */
	int max_version;	  /* [0x0304] */
	bool no_tls13, no_tls12;  /* HAProxy's ssl-default-bind-options no-tlsv13 / no-tlsv12 */
	const char *alpn;	  /* protocols in our order of preference, "h2,http/1.1" as in
				   * HAProxy's bind alpn ["http/1.1"]; "" disables ALPN */
	/* client certificates (HAProxy's bind verify / ca-file / crl-file / no-ca-names) */
	int verify;		  /* SL_TLS_VERIFY_* [NONE: no certificate asked for] */
	const char *ca_file;	  /* PEM CAs a client certificate must chain to (needed by
				   * OPTIONAL and REQUIRED), also named in the CertificateRequest */
	const char *crl_file;	  /* PEM CRLs: revoked client certificates (and CAs) fail */
	const char *ca_verify_file; /* PEM CAs trusted like ca_file but not named in the
				   * CertificateRequest (HAProxy's ca-verify-file) */
	bool no_ca_names;	  /* send no CA names in the CertificateRequest */
};

/*
 * verify none: no certificate asked for. optional: asked for; none is fine, an invalid one
 * fails the handshake. required: a valid one or the handshake fails (TLS 1.3:
 * certificate_required alert; TLS 1.2: handshake_failure), as HAProxy 2.6 with OpenSSL.
 */
enum { SL_TLS_VERIFY_NONE, SL_TLS_VERIFY_OPTIONAL, SL_TLS_VERIFY_REQUIRED };

/*
 * One certificate source of a bind: a `crt` argument, or a line of a crt-list
 * (controlplane/cfg/crtlist.h), with the line's own settings.
 */
struct sl_tls_crt {
	const char *path;		/* a file or a directory, as for sl_tls_ctx_load() */
	const char *const *filters;	/* SNI filters ("a.test", "*.a.test", "!b.a.test"); when
					 * there is any, they replace the certificate's own names */
	int nfilters;
	int verify;			/* SL_TLS_VERIFY_*, or -1: the bind's (sl_tls_opts) */
	const char *ca_file, *crl_file; /* NULL: the bind's */
	const char *ca_verify_file;	/* NULL: the bind's */
	bool no_ca_names;		/* or the bind's */
};

/*
 * Builds the context of a bind line from its @ncrts `crt` arguments @crts, in order, and the
 * settings @o (NULL: all defaults). On success stores it in *@out and returns 0; the caller owns
 * one reference, dropped with sl_tls_ctx_free(). On failure returns -1, stores NULL in *@out
 * and writes a one-line message naming the file and the reason into @err (@errlen bytes, NUL
 * terminated, truncated if needed; @err may be NULL when @errlen is 0).
 *
 * Each argument is:
 * - a file: one PEM bundle holding the leaf certificate, its chain and its unencrypted private
 *   key (PKCS#8 "PRIVATE KEY" or traditional "RSA/EC PRIVATE KEY") in any order. The leaf is the
 *   certificate that matches the key; the others are the chain, sent leaf's issuer first
 *   whatever their order in the file. "EC/DH PARAMETERS" blocks and other PEM types are
 *   ignored (as HAProxy does), and so is text outside the PEM blocks;
 * - a directory: every regular file (symbolic links followed) whose name ends in ".pem" or
 *   ".crt" and does not start with '.', in strcmp() order of names, each a bundle as above;
 *   other files and subdirectories are ignored. Except: a directory holding both
 *   "fullchain.pem" and "privkey.pem" (certbot's live/DOMAIN) is one certificate, read from
 *   those two files and named by the first.
 *
 * The first certificate loaded is the default one. SNI selects another by the DNS names of its
 * subjectAltName extension, or by its subject's commonName when it has no DNS name; see
 * sl_tls_ctx_pick().
 *
 * Refused (-1): a path that cannot be opened or read, an empty file or directory, a file with
 * no PEM block or a PEM block that does not decode, an encrypted private key, no certificate,
 * no private key, more than one key, a key matching none of the certificates, a leaf that has
 * expired or is not yet valid (chain certificates are not checked: expired cross-signs are
 * common and harmless), a cipher list or ALPN list OpenSSL refuses, a version range with no
 * version left. Runs at start or reload, on the control thread: allocates, reads files.
 */
int sl_tls_ctx_load(const char *const *crts, int ncrts, const struct sl_tls_opts *o,
		    struct sl_tls_ctx **out, char *err, size_t errlen);

/*
 * The same from @ncrts certificate sources with their own SNI filters and client-certificate
 * settings. Filters, HAProxy 2.6's crt-list rules: a certificate with filters answers to its
 * positive filters only; an SNI name matched exactly by a positive name gets that certificate,
 * else one matched exactly by a negative filter ("!name", of any line) gets the default
 * certificate, else a wildcard applies. "!*.x" is ignored. Also refused: verify optional or
 * required without a ca-file, a ca-file or crl-file that cannot be read or holds nothing.
 */
int sl_tls_ctx_load_crts(const struct sl_tls_crt *crts, int ncrts, const struct sl_tls_opts *o,
			 struct sl_tls_ctx **out, char *err, size_t errlen);

/*
 * Drops the caller's reference to @c (NULL is allowed). The context is destroyed when the
 * last connection made from it is freed too.
 */
void sl_tls_ctx_free(struct sl_tls_ctx *c);

/* Returns the number of certificates loaded into @c (at least 1). */
int sl_tls_ctx_count(const struct sl_tls_ctx *c);

/*
 * Returns the index of the certificate that serves the SNI name @sni, or -1 when none matches
 * (or @sni is NULL): the connection gets the default certificate, index 0. Names compare
 * without regard to ASCII case. An exact name wins over a wildcard; among equals, the first
 * certificate loaded wins. A wildcard "*.example.com" matches exactly one more label:
 * "a.example.com", not "example.com" nor "a.b.example.com" (RFC 6125 6.4.3). O(log names);
 * safe from any thread.
 */
int sl_tls_ctx_pick(const struct sl_tls_ctx *c, const char *sni);

/*
 * Returns the file certificate @i was loaded from (the "fullchain.pem" path for a certbot
 * directory), valid as long as @c, or NULL when @i is out of range. For `show ssl cert`.
 */
const char *sl_tls_ctx_cert_file(const struct sl_tls_ctx *c, int i);

/*
 * Session ticket keys. Each key is a 16-byte name (sent in clear in the ticket), a 32-byte
 * AES-256-CBC key and a 32-byte HMAC-SHA256 key, all random; tickets are issued under the
 * current key and accepted under it and the two before it (SL_TLS_TICKET_KEYS in all), so a
 * ticket lives through two rotations. A ticket under an older key gets a fresh one.
 *
 * Concurrency: any number of lcores may issue and check tickets while ONE thread (the control
 * thread) calls sl_tls_tickets_rotate(); each key slot is a sequence lock, so a handshake sees
 * either the old or the new key, never a torn one. Rotations must not run concurrently with
 * each other. The struct must outlive every context it was set on.
 */
#define SL_TLS_TICKET_KEYS 3

/* Returns a new set with a random current key, or NULL (out of memory, no randomness). */
struct sl_tls_tickets *sl_tls_tickets_new(void);

/*
 * Makes a new random key current; tickets under the previous ones stay accepted until
 * SL_TLS_TICKET_KEYS - 1 more rotations. Rotate at most once per ticket lifetime (OpenSSL's
 * default, 2 hours; sluiced rotates hourly): every unexpired ticket still opens, and a key, which with a recording of
 * the traffic would decrypt the TLS 1.2 sessions it sealed, lives at most SL_TLS_TICKET_KEYS
 * lifetimes (RFC 5077 5.5). If the random generator fails the keys stay as they were.
 */
void sl_tls_tickets_rotate(struct sl_tls_tickets *t);

/* Wipes and frees @t (NULL is allowed), once no context uses it. */
void sl_tls_tickets_free(struct sl_tls_tickets *t);

/*
 * Makes every certificate of @c issue and accept tickets under @t, or no tickets at all when
 * @t is NULL, which is also the state after sl_tls_ctx_load() (HAProxy's no-tls-tickets: with
 * a context per lcore, keys private to one context would resume only the clients that RSS
 * happens to send back to the same lcore). Call before the first connection is made from @c:
 * a connection keeps the ticket settings it was created with.
 */
void sl_tls_ctx_set_tickets(struct sl_tls_ctx *c, struct sl_tls_tickets *t);

/*
 * Returns a new server connection on @c, waiting for a ClientHello, or NULL (out of memory).
 * It holds a reference to @c. Free it with sl_tls_conn_free().
 */
struct sl_tls_conn *sl_tls_conn_new(struct sl_tls_ctx *c);

/* Frees @t (NULL is allowed) and drops its reference to its context. */
void sl_tls_conn_free(struct sl_tls_conn *t);

/*
 * Queues @len bytes of ciphertext from the peer, in the order the TCP stack delivered them,
 * and, while the handshake is not done, runs it as far as they allow (the next flight then
 * waits in sl_tls_out()). Returns 0, or -1: a fatal TLS error (now or earlier, or out of
 * memory); send what sl_tls_out() holds (an alert), then close the connection.
 */
int sl_tls_in(struct sl_tls_conn *t, const void *p, size_t len);

/*
 * Runs the handshake and decrypts: up to @max plaintext bytes into @buf. Returns the number of
 * bytes (> 0), 0 once the peer's close_notify has been read, -EAGAIN when more ciphertext is
 * needed (also while the handshake goes on, and always when @max is 0), -EPROTO on a fatal
 * error (send sl_tls_out(), then close).
 */
ssize_t sl_tls_read(struct sl_tls_conn *t, void *buf, size_t max);

/*
 * Encrypts the @len plaintext bytes at @buf into records waiting in sl_tls_out(). Returns the
 * number of bytes taken: all of them (up to INT_MAX per call), 0 when @len is 0, -EAGAIN before
 * the handshake is done, -EPROTO on a fatal error or after sl_tls_close(). The output queue
 * grows as needed: the caller bounds it by writing no more than it can send (e.g. nothing
 * while sl_tls_out_pending() is not 0, then at most the TCP send space).
 */
ssize_t sl_tls_write(struct sl_tls_conn *t, const void *buf, size_t len);

/* Returns the number of ciphertext bytes waiting to be sent. */
size_t sl_tls_out_pending(const struct sl_tls_conn *t);

/*
 * Moves up to @max waiting ciphertext bytes into @buf, oldest first, and returns how many.
 * Once the queue is empty its storage is released if it had grown past 32 KiB, so an idle
 * connection keeps no large buffer.
 */
size_t sl_tls_out(struct sl_tls_conn *t, void *buf, size_t max);

/*
 * Queues our close_notify (once; nothing before the handshake is done or after a fatal error).
 * Send sl_tls_out(), then close the TCP side: we do not wait for the peer's close_notify
 * (RFC 8446 6.1 allows it).
 */
void sl_tls_close(struct sl_tls_conn *t);

/* True once the handshake has completed (and no fatal error happened since). */
bool sl_tls_established(const struct sl_tls_conn *t);

/* True when the completed handshake resumed a session from a ticket. */
bool sl_tls_resumed(const struct sl_tls_conn *t);

/*
 * The SNI name the client sent, or NULL when none (as the client sent it; valid as long as @t).
 */
const char *sl_tls_sni(const struct sl_tls_conn *t);

/* The negotiated version, "TLSv1.2" or "TLSv1.3", or NULL before the handshake is done. */
const char *sl_tls_version(const struct sl_tls_conn *t);

/* The negotiated cipher's OpenSSL name ("TLS_AES_256_GCM_SHA384"), or NULL before the
 * handshake is done (PROXY v2's ssl-cipher, the logs' %sslc). */
const char *sl_tls_cipher(const struct sl_tls_conn *t);

/*
 * The ALPN protocol selected, e.g. "http/1.1", or NULL when none was (the client sent no ALPN,
 * or none of ours: we then answer without ALPN rather than fail, as HAProxy does).
 */
const char *sl_tls_alpn(const struct sl_tls_conn *t);

/*
 * The client's certificate on a connection whose handshake is done (HAProxy's ssl_c_* and
 * ssl_fc_has_crt fetches). used: the session has a client certificate (also a resumed one);
 * has_crt: it was sent in this very handshake; verify: OpenSSL's verification result
 * (X509_V_OK, 0, when there is nothing to verify). The strings are NULL without a certificate:
 * the subject and issuer as HAProxy writes them, "/C=FR/O=Org/CN=name" (each entry's short
 * name and raw value, in certificate order), and the serial number's bytes (@serial_len).
 * Made at the first call after the handshake and kept with the connection (one allocation per
 * connection with a certificate); NULL before the handshake is done or out of memory.
 */
struct sl_tls_peer {
	bool used, has_crt;
	long verify;
	const char *s_dn, *i_dn;
	const unsigned char *serial;
	size_t serial_len;
};
const struct sl_tls_peer *sl_tls_peer(struct sl_tls_conn *t);

/*
 * ---- The client side: TLS towards a server (`server ... ssl`).
 *
 * - struct sl_tls_client_ctx: the settings of one server line (verification, CA bundle,
 *   versions, ciphers, ALPN), built by sl_tls_client_ctx_new() at start and at every reload on
 *   the control thread (it reads the ca-file), immutable afterwards, reference counted like
 *   struct sl_tls_ctx: connections and cached sessions hold references.
 * - connections made by sl_tls_client_new() are struct sl_tls_conn, used with the calls above
 *   (sl_tls_in, sl_tls_read, sl_tls_write, sl_tls_out, sl_tls_close, sl_tls_conn_free), with
 *   one difference: sl_tls_write() before the handshake is done queues the plaintext in
 *   memory, sent as soon as the handshake completes (the request goes right after it).
 * - struct sl_tls_sess: the newest session of one server, kept by the caller in a slot (one
 *   per server and lcore: a slot is used by one thread); a new connection given the slot
 *   offers it to resume, and stores there the sessions the server issues.
 */
struct sl_tls_client_ctx;
struct sl_tls_sess;

struct sl_tls_client_opts {
	bool verify;		  /* verify required: the chain must lead to ca_file, and the
				   * certificate must name the SNI when one is sent */
	const char *ca_file;	  /* PEM bundle of trusted certificates (needed by verify) */
	const char *ciphers;	  /* TLS <= 1.2 [Mozilla intermediate, as the server side] */
	const char *ciphersuites; /* TLS 1.3 [OpenSSL's default] */
	int min_version, max_version; /* [0x0303, 0x0304] */
	bool no_tls13, no_tls12;
	bool no_tickets;	  /* no-tls-tickets: no ticket asked for (TLS 1.2 session ids) */
	bool no_reuse;		  /* no-ssl-reuse: no session kept, every handshake is full */
	const char *alpn;	  /* NULL or "": no ALPN; else only "http/1.1" is accepted */
};

/*
 * Builds a server line's context. Returns 0 with *@out set (one reference for the caller), or
 * -1 with a one-line reason in @err: verify without ca_file, a ca_file that cannot be read or
 * holds no certificate, a cipher list or version range OpenSSL refuses, an ALPN other than
 * "http/1.1". Control thread: allocates, reads the file.
 */
int sl_tls_client_ctx_new(const struct sl_tls_client_opts *o, struct sl_tls_client_ctx **out,
			  char *err, size_t errlen);

/* Drops the caller's reference (NULL is allowed). */
void sl_tls_client_ctx_free(struct sl_tls_client_ctx *c);

/*
 * A new client connection on @c, its ClientHello already waiting in sl_tls_out(): SNI @sni
 * (NULL or "": none), offering the session in *@cache when it came from @c under the same SNI
 * (a resumed session skips verification: it was verified for that name) (NULL: no cache).
 * Returns NULL when out of memory. Any thread; @cache belongs to the calling thread and must
 * outlive the connection.
 */
struct sl_tls_conn *sl_tls_client_new(struct sl_tls_client_ctx *c, const char *sni,
				      struct sl_tls_sess **cache);

/* Empties a session slot (NULL or empty is allowed). The thread that owns the slot. */
void sl_tls_sess_drop(struct sl_tls_sess **slot);

/*
 * Input held by the connection and not yet read as plaintext: ciphertext queued by
 * sl_tls_in() plus decrypted bytes waiting. Not 0 means sl_tls_read() may give more.
 */
size_t sl_tls_in_pending(const struct sl_tls_conn *t);

#endif
