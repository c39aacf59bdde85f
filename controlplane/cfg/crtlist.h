/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * HAProxy 2.6's crt-list files (`bind ... ssl crt-list FILE`), parsed from memory: pure, no I/O,
 * so that the configuration check (controlplane/cfg, errors with the list's file:line) and the
 * certificate loader (dataplane/http/certs.c, at start and at every `reload certs`, which reads
 * the file again) share one reading.
 *
 * A line is `CERTFILE [[SSL OPTIONS ...]] [[!]SNI-FILTER ...]`:
 * - blank lines and lines whose first word starts with '#' are skipped; a word starting with '#'
 *   ends the line (comment);
 * - the options sit between '[' and ']' right after CERTFILE (a missing ']' runs to the end of
 *   the line, as HAProxy 2.6 accepts it). In effect per line: `verify none|optional|required`,
 *   `ca-file FILE`, `crl-file FILE`, `ca-verify-file FILE`, `no-ca-names`. Known to HAProxy
 *   and accepted without effect (listed in `ignored`, the caller warns): alpn, npn, ciphers,
 *   ciphersuites, curves, ecdhe, ssl-min-ver, ssl-max-ver (these take a value), allow-0rtt.
 *   Any other word is an error;
 * - the filters name the SNI values the certificate serves instead of its own names:
 *   "www.example.com", "*.example.com" (one label), "!secret.example.com" (negative: that name
 *   gets the default certificate); tls.h sl_tls_ctx_load_crts() says how they match.
 */
#ifndef SL_CRTLIST_H
#define SL_CRTLIST_H

#include <stdbool.h>
#include <stddef.h>

enum { SL_CRTLIST_VERIFY_UNSET = -1 }; /* else 0 none, 1 optional, 2 required */

struct sl_crtlist_ent {
	int line;		 /* 1-based line of the crt-list file */
	char *crt;		 /* CERTFILE as written */
	int verify;		 /* SL_CRTLIST_VERIFY_UNSET or 0..2 */
	char *ca_file, *crl_file, *ca_verify_file; /* NULL: the bind's */
	bool no_ca_names;
	char **filters; /* as written, '!' kept */
	int nfilters;
	char **ignored; /* options accepted without effect, for the caller's warning */
	int nignored;
};

struct sl_crtlist {
	struct sl_crtlist_ent *ents; /* in file order */
	int n;
};

/*
 * Parses the @len bytes at @text, the content of the crt-list @name (for messages). Returns 0
 * with *@out filled (free with sl_crtlist_free()), or -1 with "NAME:LINE: reason" in @err and
 * *@out empty. Out of memory is an error too.
 */
int sl_crtlist_parse(const char *name, const char *text, size_t len, struct sl_crtlist *out,
		     char *err, size_t errlen);

void sl_crtlist_free(struct sl_crtlist *l);

/* "none", "optional", "required" -> 0..2; -1 for anything else. */
int sl_crtlist_verify(const char *w);

#endif
