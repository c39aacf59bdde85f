/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * HTTP Basic authentication of the stats page (RFC 7617): checks an Authorization header value
 * against the "user:password" entries of `stats auth`, and builds the WWW-Authenticate challenge
 * of `stats realm`.
 *
 * The check compares the presented credentials with every configured entry, each comparison in
 * time that depends only on the length of the presented credentials (never on the position of the
 * first differing byte nor on which entry matches).
 *
 * Pure C, no allocation, no global state.
 */
#ifndef SL_HTTP_AUTH_H
#define SL_HTTP_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "controlplane/cfg/cfg-t.h"
#include "proto/outbuf.h"

/* Longest Authorization header value accepted (bytes, without the NUL): 10 KiB. */
#define SL_HTTP_AUTH_MAX_HEADER 10240

/* Realm used when `stats realm` is not set. */
#define SL_HTTP_AUTH_DEFAULT_REALM "sluice Statistics"

/*
 * Whether @authorization (an Authorization header value, surrounding spaces and tabs allowed) is
 * "Basic <base64(user:password)>" (scheme case-insensitive, one or more spaces after it, strict
 * base64) whose decoded credentials equal one entry of @users byte for byte. Refuses NULL, a
 * value over SL_HTTP_AUTH_MAX_HEADER bytes, another scheme, a missing or invalid token, empty
 * credentials, credentials without ':' or with an empty user name. Every entry of @users is
 * compared, in constant time, whatever the outcome. An empty @users list refuses everything.
 */
bool sl_http_auth_check(const char *authorization, const struct sl_cfg_str *users);

/*
 * sl_http_auth_check() that also stores in @compared (when not NULL) how many entries of @users
 * were compared (0 when the header was refused before any comparison). For tests and diagnostics.
 */
bool sl_http_auth_check_count(const char *authorization, const struct sl_cfg_str *users,
			      size_t *compared);

/*
 * Decodes the Authorization value @v (@len bytes: "Basic" case-insensitive, one or more spaces,
 * strict base64) into @cred (@cap bytes): "user:password" with a non-empty user. False for
 * anything else, a value over SL_HTTP_AUTH_MAX_HEADER bytes included.
 */
bool sl_http_auth_basic_decode(const char *v, size_t len, uint8_t *cred, size_t cap,
			       size_t *credlen);

/*
 * Constant-time comparison core: the OR of (a[i] ^ b'[i]) over i < @alen, where b' is @b read
 * as if it had @alen bytes (bytes past @blen read as b[0] or 0), with bit 8 set when the lengths
 * differ. Zero exactly when the two byte strings are equal. The loop always runs @alen times and
 * never branches on the bytes, so its time depends only on @alen (the attacker-chosen side).
 */
unsigned sl_http_auth_ct_diff(const void *a, size_t alen, const void *b, size_t blen);

/* Whether two byte strings are equal, in time depending only on @alen (sl_http_auth_ct_diff()). */
bool sl_http_auth_ct_equal(const void *a, size_t alen, const void *b, size_t blen);

/*
 * Appends the challenge header line "WWW-Authenticate: Basic realm=\"REALM\"\r\n". Accepts the
 * realm (NULL: SL_HTTP_AUTH_DEFAULT_REALM), written as an HTTP quoted-string: '"' and '\' are
 * escaped with '\', control characters (CR and LF included) are dropped so the realm can never
 * end the header line. Returns 0, or -ENOSPC / -ENOMEM from the buffer.
 */
int sl_http_auth_challenge(const char *realm, struct sl_outbuf *out);

#endif
