/* SPDX-License-Identifier: BSD-3-Clause */
/* Log-format strings and maps evaluated per request: see lf_eval.h. */
#include "dataplane/rules/lf_eval.h"

#include <stdio.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

/* ------------------------------------------------------------------ maps */

static int key_cmp(const char *a, size_t al, const char *b, size_t bl)
{
	int r = memcmp(a, b, al < bl ? al : bl);
	return r != 0 ? r : al < bl ? -1 : al > bl ? 1 : 0;
}

/* HAProxy's domain delimiters (pattern.c: '/', '?', '.', ':' and the ends). */
static bool dom_delim(char ch)
{
	return ch == '/' || ch == '?' || ch == '.' || ch == ':';
}

static bool dom_match(const char *s, size_t n, const char *p, size_t pl)
{
	if (pl == 0 || pl > n)
		return false;
	for (size_t i = 0; i + pl <= n; i++)
		if ((i == 0 || dom_delim(s[i - 1])) && (i + pl == n || dom_delim(s[i + pl])) &&
		    memcmp(s + i, p, pl) == 0)
			return true;
	return false;
}

static bool sub_match(const char *s, size_t n, const char *p, size_t pl)
{
	for (size_t i = 0; i + pl <= n; i++)
		if (memcmp(s + i, p, pl) == 0)
			return true;
	return false;
}

const struct sl_map_ent *sl_map_lookup(const struct sl_map *m, enum sl_map_match how,
				       const char *k, size_t kl)
{
	if (m == NULL)
		return NULL;
	if (how == SL_MAP_STR && m->order != NULL) {
		size_t lo = 0, hi = m->n; /* the first entry not below k */
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			const struct sl_map_ent *e = &m->ents[m->order[mid]];
			if (key_cmp(e->key, e->klen, k, kl) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < m->n) {
			const struct sl_map_ent *e = &m->ents[m->order[lo]];
			if (key_cmp(e->key, e->klen, k, kl) == 0)
				return e;
		}
		return NULL;
	}
	for (size_t i = 0; i < m->n; i++) {
		const struct sl_map_ent *e = &m->ents[i];
		bool hit = false;
		switch (how) {
		case SL_MAP_STR: hit = e->klen == kl && memcmp(e->key, k, kl) == 0; break;
		case SL_MAP_BEG: hit = e->klen <= kl && memcmp(e->key, k, e->klen) == 0; break;
		case SL_MAP_END:
			hit = e->klen <= kl && memcmp(e->key, k + kl - e->klen, e->klen) == 0;
			break;
		case SL_MAP_SUB: hit = sub_match(k, kl, e->key, e->klen); break;
		case SL_MAP_DOM: hit = dom_match(k, kl, e->key, e->klen); break;
		}
		if (hit)
			return e;
	}
	return NULL;
}

/* ------------------------------------------------------------------ samples */

static bool put(char *buf, size_t cap, size_t *len, const char *s, size_t n)
{
	if (n > cap - *len)
		return false;
	memcpy(buf + *len, s, n);
	*len += n;
	return true;
}

static bool put_ip(char *buf, size_t cap, size_t *len, uint32_t ip)
{
	char t[16];
	int k = snprintf(t, sizeof(t), "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255,
			 ip & 255);
	return put(buf, cap, len, t, (size_t)k);
}

static bool put_uint(char *buf, size_t cap, size_t *len, unsigned v)
{
	char t[12];
	int k = snprintf(t, sizeof(t), "%u", v);
	return put(buf, cap, len, t, (size_t)k);
}

/* The path sample (HAProxy's http_get_path()): false when there is none. */
static bool path_of(const struct sl_http1_req *req, const char **s, size_t *n)
{
	if (req == NULL || req->path_len == 0 || req->path[0] != '/')
		return false;
	*s = req->path;
	*n = req->path_len;
	return true;
}

/* The @occ-th element of the fields named @name (HAProxy's occurrence rules). */
static bool hdr_of(const struct sl_acl_ctx *ctx, const char *name, int occ, const char **v,
		   size_t *vl)
{
	struct sl_acl_hdr_iter it;
	const char *e;
	size_t el;
	int count = 0, want = occ;
	if (occ < 0) { /* count them first: -1 is the last one */
		sl_acl_hdr_iter_init(&it, ctx, name);
		while (sl_acl_hdr_next(&it, &e, &el))
			count++;
		want = count + occ + 1;
		if (want <= 0)
			return false;
	}
	if (want == 0)
		want = 1;
	sl_acl_hdr_iter_init(&it, ctx, name);
	for (int i = 1; sl_acl_hdr_next(&it, &e, &el); i++)
		if (i == want) {
			*v = e;
			*vl = el;
			return true;
		}
	return false;
}

/* Writes the fetch of @nd; false when it has no sample (nothing written) or *@full on overflow */
static bool fetch(const struct sl_lf_node *nd, const struct sl_acl_ctx *ctx,
		  const struct sl_lf_groups *g, char *buf, size_t cap, size_t *len, bool *full)
{
	const struct sl_http1_req *req = ctx->req;
	const char *s = NULL;
	size_t n = 0;
	bool ok = true;
	switch (nd->fetch) {
	case SL_LF_SRC: ok = put_ip(buf, cap, len, ctx->src); break;
	case SL_LF_DST: ok = put_ip(buf, cap, len, ctx->dst); break;
	case SL_LF_SRC_PORT: ok = put_uint(buf, cap, len, ctx->src_port); break;
	case SL_LF_DST_PORT: ok = put_uint(buf, cap, len, ctx->dst_port); break;
	case SL_LF_SSL_FC: ok = put(buf, cap, len, ctx->ssl ? "1" : "0", 1); break;
	case SL_LF_SSL_FC_SNI:
		if (!ctx->ssl || ctx->sni == NULL)
			return false;
		ok = put(buf, cap, len, ctx->sni, ctx->sni_len);
		break;
	case SL_LF_PATH:
		if (!path_of(req, &s, &n))
			return false;
		ok = put(buf, cap, len, s, n);
		break;
	case SL_LF_QUERY:
		if (req == NULL || !req->has_query)
			return false;
		ok = put(buf, cap, len, req->query, req->query_len);
		break;
	case SL_LF_METHOD:
		if (req == NULL)
			return false;
		ok = put(buf, cap, len, req->method, req->method_len);
		break;
	case SL_LF_URL: {
		if (req == NULL)
			return false;
		const char *a, *b;
		size_t al, bl;
		sl_http1_target_parts(req, &a, &al, &b, &bl);
		ok = put(buf, cap, len, a, al) && put(buf, cap, len, b, bl);
		break;
	}
	case SL_LF_BASE: {
		/* HAProxy's smp_fetch_base(): Host then the path, or the path without a Host */
		const char *p;
		size_t pl;
		if (req == NULL)
			return false;
		bool has_path = path_of(req, &p, &pl);
		if (req->host_idx >= 0 && ctx->hdrs != NULL) {
			const struct sl_http1_hdr *h = &ctx->hdrs[req->host_idx];
			ok = put(buf, cap, len, h->value, h->value_len);
		} else if (!has_path) {
			return false;
		}
		if (ok && has_path)
			ok = put(buf, cap, len, p, pl);
		break;
	}
	case SL_LF_HDR:
		if (req == NULL || !hdr_of(ctx, nd->text, nd->occ, &s, &n))
			return false;
		ok = put(buf, cap, len, s, n);
		break;
	case SL_LF_SSL_C_USED:
	case SL_LF_SSL_FC_HAS_CRT:
		if (ctx->cert == NULL)
			return false;
		ok = put(buf, cap, len,
			 (nd->fetch == SL_LF_SSL_C_USED ? ctx->cert->used : ctx->cert->has_crt) ?
				 "1" : "0", 1);
		break;
	case SL_LF_SSL_C_VERIFY: {
		if (ctx->cert == NULL)
			return false;
		char t[24];
		int k = snprintf(t, sizeof(t), "%ld", ctx->cert->verify);
		ok = put(buf, cap, len, t, (size_t)k);
		break;
	}
	case SL_LF_SSL_C_S_DN:
	case SL_LF_SSL_C_I_DN:
		s = ctx->cert == NULL ? NULL :
		    nd->fetch == SL_LF_SSL_C_S_DN ? ctx->cert->s_dn : ctx->cert->i_dn;
		if (s == NULL)
			return false;
		ok = put(buf, cap, len, s, strlen(s));
		break;
	case SL_LF_SSL_C_SERIAL:
		if (ctx->cert == NULL || ctx->cert->serial == NULL)
			return false;
		/* raw bytes, as HAProxy writes a binary sample into a header: control
		 * characters as %XX (no CR or LF reaches the message); ",hex" for text */
		for (size_t j = 0; ok && j < ctx->cert->serial_len; j++) {
			unsigned char ch = ctx->cert->serial[j];
			char t[4];
			bool raw = nd->nconv != 0 && nd->conv[0].kind == SL_LF_HEX;
			if (raw || (ch >= 0x20 && ch != 0x7f)) {
				ok = put(buf, cap, len, (const char *)&ch, 1);
			} else {
				snprintf(t, sizeof(t), "%%%02X", ch);
				ok = put(buf, cap, len, t, 3);
			}
		}
		break;
	case SL_LF_BACKREF: {
		unsigned k = (unsigned)nd->occ;
		if (g == NULL || k >= g->n || g->ov[2 * k] == (size_t)-1)
			return false;
		ok = put(buf, cap, len, g->subj + g->ov[2 * k], g->ov[2 * k + 1] - g->ov[2 * k]);
		break;
	}
	}
	if (!ok)
		*full = true;
	return ok;
}

/* Runs the converters of @nd on the sample at buf[start, *len); false: no sample any more. */
static bool convert(const struct sl_lf_node *nd, const struct sl_acl_ctx *ctx, char *buf,
		    size_t cap, size_t start, size_t *len, bool *full)
{
	for (unsigned i = 0; i < nd->nconv; i++) {
		const struct sl_lf_conv *cv = &nd->conv[i];
		char *s = buf + start;
		size_t n = *len - start;
		switch (cv->kind) {
		case SL_LF_LOWER:
		case SL_LF_UPPER:
			for (size_t j = 0; j < n; j++) {
				char ch = s[j];
				if (cv->kind == SL_LF_LOWER && ch >= 'A' && ch <= 'Z')
					s[j] = (char)(ch + 32);
				else if (cv->kind == SL_LF_UPPER && ch >= 'a' && ch <= 'z')
					s[j] = (char)(ch - 32);
			}
			break;
		case SL_LF_REGSUB: {
			/* the result goes past the sample, then moves down over it */
			pcre2_match_data *md = sl_acl_scratch_md(ctx->scratch);
			if (md == NULL)
				return false;
			PCRE2_SIZE ol = cap - *len;
			int rc = pcre2_substitute(cv->re, (PCRE2_SPTR)s, n, 0,
						  cv->global ? PCRE2_SUBSTITUTE_GLOBAL : 0, md, NULL,
						  (PCRE2_SPTR)cv->subst, PCRE2_ZERO_TERMINATED,
						  (PCRE2_UCHAR *)buf + *len, &ol);
			if (rc == PCRE2_ERROR_NOMEMORY) {
				*full = true;
				return false;
			}
			if (rc < 0)
				return false;
			memmove(s, buf + *len, ol);
			*len = start + ol;
			break;
		}
		case SL_LF_HEX: {
			/* HAProxy's hex: each byte as two upper-case digits, written past the
			 * sample then moved down over it */
			static const char dig[] = "0123456789ABCDEF";
			if (cap - *len < 2 * n) {
				*full = true;
				return false;
			}
			char *o = buf + *len;
			for (size_t j = 0; j < n; j++) {
				o[2 * j] = dig[(unsigned char)s[j] >> 4];
				o[2 * j + 1] = dig[(unsigned char)s[j] & 15];
			}
			memmove(s, o, 2 * n);
			*len = start + 2 * n;
			break;
		}
		case SL_LF_MAP: {
			const struct sl_map_ent *e = sl_map_lookup(cv->map, cv->match, s, n);
			const char *v = e != NULL ? e->val : cv->def;
			size_t vl = e != NULL ? e->vlen : v != NULL ? strlen(v) : 0;
			*len = start;
			if (v == NULL)
				return false;
			if (!put(buf, cap, len, v, vl)) {
				*full = true;
				return false;
			}
			break;
		}
		}
	}
	return true;
}

bool sl_lf_eval(const struct sl_lf *lf, const struct sl_acl_ctx *ctx,
		const struct sl_lf_groups *g, char *buf, size_t cap, size_t *len)
{
	size_t l = *len;
	bool full = false;
	if (lf == NULL)
		return true;
	for (unsigned i = 0; i < lf->n && !full; i++) {
		const struct sl_lf_node *nd = &lf->nodes[i];
		if (nd->lit) {
			full = !put(buf, cap, &l, nd->text, nd->len);
			continue;
		}
		size_t start = l;
		if (!fetch(nd, ctx, g, buf, cap, &l, &full) ||
		    !convert(nd, ctx, buf, cap, start, &l, &full))
			l = start;
	}
	if (full)
		return false;
	*len = l;
	return true;
}
