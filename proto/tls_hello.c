/* SPDX-License-Identifier: BSD-3-Clause */
#include "proto/tls_hello.h"

#include <string.h>

#define REC_HANDSHAKE 22
#define HS_CLIENT_HELLO 1
#define EXT_SERVER_NAME 0
#define REC_MAX ((1u << 14) + 2048) /* a record's body, at most (HAProxy's bound) */

static uint32_t be16(const uint8_t *p)
{
	return (uint32_t)p[0] << 8 | p[1];
}

static uint32_t be24(const uint8_t *p)
{
	return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

/* The record header: a handshake record of SSLv3 or later with a sane length. */
static int record(const uint8_t *p, size_t len, uint32_t *ver, uint32_t *rlen)
{
	if (len < 1)
		return SL_TLSH_MORE;
	if (p[0] != REC_HANDSHAKE)
		return SL_TLSH_NOT_TLS;
	if (len < 5)
		return len >= 2 && p[1] < 3 ? SL_TLSH_NOT_TLS : SL_TLSH_MORE;
	*ver = (uint32_t)p[1] << 16 | p[2];
	*rlen = be16(p + 3);
	if (*ver < 0x30000 || *rlen < 1 || *rlen > REC_MAX)
		return SL_TLSH_NOT_TLS;
	return SL_TLSH_OK;
}

int sl_tls_record_head(const uint8_t *p, size_t len, uint8_t *hs_type, uint32_t *rec_ver)
{
	uint32_t ver = 0, rlen = 0;
	int r = record(p, len, &ver, &rlen);
	if (r != SL_TLSH_OK)
		return r;
	if (len < 6)
		return SL_TLSH_MORE;
	*hs_type = p[5];
	*rec_ver = ver;
	return SL_TLSH_OK;
}

/* A bounded reader over one container (the hello, the extensions, an extension). */
struct rd {
	const uint8_t *p;
	size_t left;
};

static const uint8_t *take(struct rd *r, size_t n)
{
	if (r->left < n)
		return NULL;
	const uint8_t *q = r->p;
	r->p += n;
	r->left -= n;
	return q;
}

/* A vector with a @w-byte length (1 or 2) prefix, inside @r. */
static int vec(struct rd *r, unsigned w, struct rd *out)
{
	const uint8_t *l = take(r, w);
	if (l == NULL)
		return -1;
	size_t n = w == 1 ? l[0] : be16(l);
	const uint8_t *b = take(r, n);
	if (b == NULL)
		return -1;
	*out = (struct rd){b, n};
	return 0;
}

/* The server_name extension's body: the first host_name (RFC 6066 3). */
static int server_name(struct rd ext, struct sl_tls_hello *h)
{
	struct rd list;
	if (vec(&ext, 2, &list) < 0 || ext.left != 0)
		return SL_TLSH_NOT_TLS;
	while (list.left > 0) {
		const uint8_t *type = take(&list, 1);
		struct rd name;
		if (type == NULL || vec(&list, 2, &name) < 0)
			return SL_TLSH_NOT_TLS;
		if (type[0] == 0 && h->sni == NULL) {
			if (name.left == 0)
				return SL_TLSH_NOT_TLS;
			h->sni = name.p;
			h->sni_len = name.left;
		}
	}
	return SL_TLSH_OK;
}

int sl_tls_hello_parse(const uint8_t *p, size_t len, struct sl_tls_hello *h)
{
	memset(h, 0, sizeof(*h));
	uint32_t ver = 0, rlen = 0;
	int r = record(p, len, &ver, &rlen);
	if (r != SL_TLSH_OK)
		return r;
	h->rec_ver = ver;
	if (len >= 6 && p[5] != HS_CLIENT_HELLO)
		return SL_TLSH_NOT_TLS;
	/* the handshake header must lie in the record, and the hello in it too */
	if (rlen < 4)
		return SL_TLSH_NOT_TLS;
	if (len >= 9 && be24(p + 6) > rlen - 4)
		return SL_TLSH_NOT_TLS; /* a hello longer than its record: not in one record */
	if (len < 5 + (size_t)rlen)
		return SL_TLSH_MORE;
	struct rd hs = {p + 9, be24(p + 6)};
	const uint8_t *v = take(&hs, 2);
	struct rd skip;
	if (v == NULL || take(&hs, 32) == NULL) /* legacy_version, random */
		return SL_TLSH_NOT_TLS;
	h->hello_ver = (uint32_t)v[0] << 16 | v[1];
	if (h->hello_ver < 0x30000)
		return SL_TLSH_NOT_TLS;
	if (vec(&hs, 1, &skip) < 0 || skip.left > 32 || /* legacy_session_id */
	    vec(&hs, 2, &skip) < 0 || skip.left < 2 || skip.left % 2 != 0 || /* cipher_suites */
	    vec(&hs, 1, &skip) < 0 || skip.left < 1)	  /* legacy_compression_methods */
		return SL_TLSH_NOT_TLS;
	if (hs.left == 0)
		return SL_TLSH_OK; /* no extensions (an SSLv3 / TLS 1.0 hello may end here) */
	struct rd exts;
	if (vec(&hs, 2, &exts) < 0 || hs.left != 0)
		return SL_TLSH_NOT_TLS;
	while (exts.left > 0) {
		const uint8_t *type = take(&exts, 2);
		struct rd body;
		if (type == NULL || vec(&exts, 2, &body) < 0)
			return SL_TLSH_NOT_TLS;
		if (be16(type) == EXT_SERVER_NAME && h->sni == NULL &&
		    server_name(body, h) != SL_TLSH_OK)
			return SL_TLSH_NOT_TLS;
	}
	return SL_TLSH_OK;
}
