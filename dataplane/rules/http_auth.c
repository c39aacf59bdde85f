/* SPDX-License-Identifier: BSD-3-Clause */
#include "dataplane/rules/http_auth.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "proto/base64.h"

unsigned sl_http_auth_ct_diff(const void *a, size_t alen, const void *b, size_t blen)
{
	const volatile unsigned char *pa = a;
	const volatile unsigned char *pb = b;
	unsigned diff = alen != blen ? 0x100u : 0u;
	/* Secret bytes past blen are read at index 0 (or taken as 0 when @b is empty): the index
	 * is chosen by a mask, not a branch. */
	size_t bmask_nonempty = (size_t)0 - (size_t)(blen != 0);
	for (size_t i = 0; i < alen; i++) {
		size_t in_b = (size_t)0 - (size_t)(i < blen);
		size_t j = i & in_b;
		unsigned bb = pb == NULL ? 0u : (unsigned)pb[j & bmask_nonempty];
		bb &= (unsigned)bmask_nonempty;
		diff |= (unsigned)pa[i] ^ bb;
	}
	return diff;
}

bool sl_http_auth_ct_equal(const void *a, size_t alen, const void *b, size_t blen)
{
	return sl_http_auth_ct_diff(a, alen, b, blen) == 0;
}

static bool is_ows(char c)
{
	return c == ' ' || c == '\t';
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

bool sl_http_auth_basic_decode(const char *v, size_t len, uint8_t *cred, size_t cap,
			       size_t *credlen)
{
	if (v == NULL || len > SL_HTTP_AUTH_MAX_HEADER)
		return false;
	const char *p = v, *end = v + len;
	while (p < end && is_ows(*p))
		p++;
	while (end > p && is_ows(end[-1]))
		end--;
	static const char scheme[] = "basic";
	size_t sl = sizeof(scheme) - 1;
	if ((size_t)(end - p) <= sl)
		return false;
	for (size_t i = 0; i < sl; i++)
		if (lower(p[i]) != scheme[i])
			return false;
	p += sl;
	if (*p != ' ') /* RFC 7235: the scheme, then one or more SP, then the token */
		return false;
	while (p < end && *p == ' ')
		p++;
	if (p == end)
		return false;
	if (sl_base64_decode(p, (size_t)(end - p), cred, cap, credlen) != 0)
		return false;
	const void *colon = memchr(cred, ':', *credlen);
	return *credlen > 0 && colon != NULL && colon != (const void *)cred;
}

bool sl_http_auth_check_count(const char *authorization, const struct sl_cfg_str *users,
			      size_t *compared)
{
	/* Decoded credentials: at most 3/4 of the header. */
	uint8_t cred[SL_HTTP_AUTH_MAX_HEADER / 4 * 3];
	size_t credlen;

	if (compared != NULL)
		*compared = 0;
	if (authorization == NULL)
		return false;
	size_t len = strnlen(authorization, SL_HTTP_AUTH_MAX_HEADER + 1);
	if (!sl_http_auth_basic_decode(authorization, len, cred, sizeof(cred), &credlen))
		return false;

	bool ok = false;
	size_t n = 0;
	for (const struct sl_cfg_str *u = users; u != NULL; u = u->next) {
		const char *s = u->s != NULL ? u->s : "";
		ok |= sl_http_auth_ct_equal(cred, credlen, s, strlen(s));
		n++;
	}
	/* Leave no copy of the password on the stack. */
	volatile uint8_t *vc = cred;
	for (size_t i = 0; i < credlen; i++)
		vc[i] = 0;
	if (compared != NULL)
		*compared = n;
	return ok;
}

bool sl_http_auth_check(const char *authorization, const struct sl_cfg_str *users)
{
	return sl_http_auth_check_count(authorization, users, NULL);
}

int sl_http_auth_challenge(const char *realm, struct sl_outbuf *out)
{
	if (realm == NULL)
		realm = SL_HTTP_AUTH_DEFAULT_REALM;
	sl_outbuf_puts(out, "WWW-Authenticate: Basic realm=\"");
	for (const char *p = realm; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;
		if (c < 0x20 || c == 0x7f)
			continue;
		if (c == '"' || c == '\\')
			sl_outbuf_append(out, "\\", 1);
		sl_outbuf_append(out, p, 1);
	}
	sl_outbuf_puts(out, "\"\r\n");
	return out->truncated ? -ENOSPC : 0;
}
