/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ACL condition evaluation; see acl_eval.h for the semantics and the HAProxy functions each
 * piece follows.
 *
 * This file lives in sl_cfg but calls nothing of sl_proto (proto/http1.h is used for its types
 * only): programs that link sl_cfg alone, such as the configuration fuzzer, stay linkable.
 */
#include "dataplane/rules/acl_eval.h"
#include "proto/tls_hello.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "dataplane/rules/userlist.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

/*
 * The largest tune.bufsize: a request-target, which lies in one request head, is never longer.
 * The copy buffer is malloc'ed that large once; only the pages a long target touches are used.
 */
#define URL_COPY_MAX (1u << 20)

struct sl_acl_scratch {
	struct sl_ul_scratch *ul; /* http_auth(): crypt_rn()'s area, the verified credentials */
	pcre2_match_data *md;
	char *url; /* a normalized request-target, copied whole (URL_COPY_MAX bytes) */
};

struct sl_acl_scratch *sl_acl_scratch_new(void)
{
	struct sl_acl_scratch *s = calloc(1, sizeof(*s));
	if (s == NULL)
		return NULL;
	/*
	 * One ovector pair is enough: a match is only a yes or no, and pcre2_match() still
	 * reports a match (returning 0) when the ovector is too small for the groups.
	 */
	s->md = pcre2_match_data_create(10, NULL); /* 10: replace-* back-references */
	if (s->md == NULL)
		goto free_s;
	s->url = malloc(URL_COPY_MAX);
	if (s->url == NULL)
		goto free_md;
	s->ul = sl_ul_scratch_new();
	if (s->ul == NULL)
		goto free_url;
	return s;
free_url:
	free(s->url);
free_md:
	pcre2_match_data_free(s->md);
free_s:
	free(s);
	return NULL;
}

struct sl_ul_scratch *sl_acl_scratch_ul(struct sl_acl_scratch *s)
{
	return s != NULL ? s->ul : NULL;
}

void *sl_acl_scratch_md(struct sl_acl_scratch *s)
{
	return s != NULL ? s->md : NULL;
}

void sl_acl_scratch_free(struct sl_acl_scratch *s)
{
	if (s == NULL)
		return;
	pcre2_match_data_free(s->md);
	free(s->url);
	sl_ul_scratch_free(s->ul);
	free(s);
}

/* ---------------------------------------------------------------- strings */

static unsigned char lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 'a' - 'A') : c;
}

static bool bytes_eq(const char *a, const char *b, size_t n, bool icase)
{
	if (!icase)
		return memcmp(a, b, n) == 0;
	for (size_t i = 0; i < n; i++)
		if (lower((unsigned char)a[i]) != lower((unsigned char)b[i]))
			return false;
	return true;
}

enum str_match { M_STR, M_BEG, M_END, M_SUB, M_DIR, M_REG };

static bool is_dir_delim(char c)
{
	return c == '/' || c == '?';
}

/*
 * HAProxy's match_word() with the delimiters of pat_match_dir(): the pattern, stripped of its
 * leading and trailing delimiters, must appear in @s starting right after a delimiter (or at
 * the start) and ending right before one (or at the end). A pattern made only of delimiters
 * never matches.
 */
static bool dir_match(const char *s, size_t n, const char *pat, size_t pl, bool icase)
{
	while (pl > 0 && is_dir_delim(*pat)) {
		pat++;
		pl--;
	}
	while (pl > 0 && is_dir_delim(pat[pl - 1]))
		pl--;
	if (pl == 0 || pl > n)
		return false;
	bool may_match = true;
	for (size_t i = 0; i + pl <= n; i++) {
		if (is_dir_delim(s[i])) {
			may_match = true;
			continue;
		}
		if (!may_match)
			continue;
		if (bytes_eq(s + i, pat, pl, icase) && (i + pl == n || is_dir_delim(s[i + pl])))
			return true;
		may_match = false;
	}
	return false;
}

static bool sub_match(const char *s, size_t n, const char *pat, size_t pl, bool icase)
{
	/* HAProxy's pat_match_sub() compares the first byte before anything: "" never matches */
	if (pl == 0 || pl > n)
		return false;
	for (size_t i = 0; i + pl <= n; i++)
		if (bytes_eq(s + i, pat, pl, icase))
			return true;
	return false;
}

static bool re_match(const struct sl_acl_pat *p, const char *s, size_t n,
		     struct sl_acl_scratch *scr)
{
	if (p->re == NULL || scr == NULL)
		return false;
	/* PCRE2 10.42 refuses a NULL subject even when empty */
	int rc = pcre2_match(p->re, (PCRE2_SPTR)(s != NULL ? s : ""), n, 0, 0, scr->md, NULL);
	/* HAProxy's regex_exec2(): any error (match limit included) is "no match" */
	return rc >= 0;
}

/* Whether pattern @p matches the string sample @s[0, @n) with method @m. */
static bool str_pat_match(const struct sl_acl *acl, const struct sl_acl_pat *p, enum str_match m,
			  const char *s, size_t n, struct sl_acl_scratch *scr)
{
	if (m == M_REG)
		return re_match(p, s, n, scr);
	size_t pl = strlen(p->str);
	switch (m) {
	case M_STR:
		return pl == n && bytes_eq(s, p->str, pl, acl->icase);
	case M_BEG:
		return pl <= n && bytes_eq(s, p->str, pl, acl->icase);
	case M_END:
		return pl <= n && bytes_eq(s + n - pl, p->str, pl, acl->icase);
	case M_SUB:
		return sub_match(s, n, p->str, pl, acl->icase);
	case M_DIR:
		return dir_match(s, n, p->str, pl, acl->icase);
	default:
		return false;
	}
}

/* A present string sample against every pattern of the line; no pattern: presence. */
static bool str_sample_match(const struct sl_acl *acl, enum str_match m, const char *s, size_t n,
			     struct sl_acl_scratch *scr)
{
	if (acl->pats == NULL)
		return true;
	for (const struct sl_acl_pat *p = acl->pats; p != NULL; p = p->next)
		if (str_pat_match(acl, p, m, s, n, scr))
			return true;
	return false;
}

/* ---------------------------------------------------------------- samples */

/* The path sample, as HAProxy's http_get_path() finds it; false when there is none. */
static bool path_of(const struct sl_http1_req *req, const char **s, size_t *n)
{
	if (req == NULL || req->path_len == 0 || req->path[0] != '/')
		return false;
	*s = req->path;
	*n = req->path_len;
	return true;
}

/*
 * The url sample, HAProxy's url fetch: the request-target as forwarded, so without the default
 * port the parser cut out of an absolute-form target (sl_http1_target_parts()). That one is
 * two byte ranges of the request: it is copied whole into the scratch; false when there is no
 * scratch to copy it into.
 */
static bool url_of(const struct sl_http1_req *req, struct sl_acl_scratch *scr, const char **s,
		   size_t *n)
{
	const char *a, *b;
	size_t al, bl;
	sl_http1_target_parts(req, &a, &al, &b, &bl);
	if (bl == 0) {
		*s = a;
		*n = al;
		return true;
	}
	if (scr == NULL || al + bl > URL_COPY_MAX)
		return false;
	memcpy(scr->url, a, al);
	memcpy(scr->url + al, b, bl);
	*s = scr->url;
	*n = al + bl;
	return true;
}

/* Header elements: see acl_eval.h. */
void sl_acl_hdr_iter_init(struct sl_acl_hdr_iter *it, const struct sl_acl_ctx *ctx,
			  const char *name)
{
	memset(it, 0, sizeof(*it));
	it->hdrs = ctx->hdrs;
	it->n = ctx->hdrs != NULL ? ctx->nhdrs : 0;
	it->name = name;
	it->name_len = name != NULL ? strlen(name) : 0;
}

static bool is_lws(char c)
{
	return c == ' ' || c == '\t';
}

static const char *value_end(const char *s, const char *e)
{
	bool quoted = false, qdpair = false;
	for (; s < e; s++) {
		if (qdpair)
			qdpair = false;
		else if (quoted) {
			if (*s == '\\')
				qdpair = true;
			else if (*s == '"')
				quoted = false;
		} else if (*s == '"') {
			quoted = true;
		} else if (*s == ',') {
			return s;
		}
	}
	return s;
}

bool sl_acl_hdr_next(struct sl_acl_hdr_iter *it, const char **v, size_t *vlen)
{
	while (!it->in_value) {
		if (it->name == NULL || it->i >= it->n)
			return false;
		const struct sl_http1_hdr *h = &it->hdrs[it->i++];
		if (h->name_len == it->name_len &&
		    bytes_eq(h->name, it->name, it->name_len, true)) {
			it->p = h->value != NULL ? h->value : "";
			it->end = it->p + h->value_len;
			it->in_value = true;
		}
	}
	const char *a = it->p;
	while (a < it->end && is_lws(*a))
		a++;
	const char *next = value_end(a, it->end);
	const char *b = next;
	while (b > a && is_lws(b[-1]))
		b--;
	if (next == it->end)
		it->in_value = false;
	else
		it->p = next + 1; /* past the comma */
	*v = a;
	*vlen = (size_t)(b - a);
	return true;
}

static bool hdr_match(const struct sl_acl *acl, enum str_match m, const struct sl_acl_ctx *ctx)
{
	struct sl_acl_hdr_iter it;
	const char *v;
	size_t n;
	sl_acl_hdr_iter_init(&it, ctx, acl->hdr);
	while (sl_acl_hdr_next(&it, &v, &n))
		if (str_sample_match(acl, m, v, n, ctx->scratch))
			return true;
	return false;
}

static int64_t hdr_count(const struct sl_acl_ctx *ctx, const char *name)
{
	struct sl_acl_hdr_iter it;
	const char *v;
	size_t n;
	int64_t cnt = 0;
	sl_acl_hdr_iter_init(&it, ctx, name);
	while (sl_acl_hdr_next(&it, &v, &n))
		cnt++;
	return cnt;
}

/* ---------------------------------------------------------------- other pattern kinds */

static bool int_pat_match(const struct sl_acl_pat *p, int64_t v)
{
	switch (p->op) {
	case SL_INT_EQ:
		return v == p->num;
	case SL_INT_GE:
		return v >= p->num;
	case SL_INT_GT:
		return v > p->num;
	case SL_INT_LE:
		return v <= p->num;
	case SL_INT_LT:
		return v < p->num;
	case SL_INT_RANGE:
		return v >= p->num && v <= p->num2;
	}
	return false;
}

static bool int_match(const struct sl_acl *acl, int64_t v)
{
	if (acl->pats == NULL)
		return true;
	for (const struct sl_acl_pat *p = acl->pats; p != NULL; p = p->next)
		if (int_pat_match(p, v))
			return true;
	return false;
}

static bool net_match(const struct sl_cfg_net *net, uint32_t ip)
{
	if (net->family == AF_INET) {
		if (net->plen == 0)
			return true; /* a shift by 32 would be undefined */
		uint32_t mask = net->plen >= 32 ? ~(uint32_t)0 : ~(uint32_t)0 << (32 - net->plen);
		return ((ip ^ net->v4) & mask) == 0;
	}
	if (net->family != AF_INET6)
		return false;
	/* the IPv4 client as ::ffff:a.b.c.d against an IPv6 network, as HAProxy's pat_match_ip() */
	uint8_t a[16] = {[10] = 0xff, [11] = 0xff};
	a[12] = (uint8_t)(ip >> 24);
	a[13] = (uint8_t)(ip >> 16);
	a[14] = (uint8_t)(ip >> 8);
	a[15] = (uint8_t)ip;
	unsigned plen = net->plen > 128 ? 128 : net->plen;
	unsigned whole = plen / 8, rest = plen % 8;
	if (memcmp(a, net->v6, whole) != 0)
		return false;
	if (rest == 0)
		return true;
	uint8_t mask = (uint8_t)(0xff << (8 - rest));
	return ((a[whole] ^ net->v6[whole]) & mask) == 0;
}

/* The methods HAProxy's find_http_meth() knows, case-sensitively (src/http.c). */
static bool haproxy_known_method(const char *m, size_t n)
{
	static const char *const known[] = {"GET",    "HEAD",	 "POST",  "PUT",
					    "DELETE", "OPTIONS", "TRACE", "CONNECT"};
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strlen(known[i]) == n && memcmp(known[i], m, n) == 0)
			return true;
	return false;
}

/*
 * HAProxy's pat_match_meth(): a pattern naming a known method matches that method only,
 * exactly; any other pattern is compared as a string, under -i case-insensitively, with a
 * request method that HAProxy does not know. So "method -i get" does not match "GET".
 * Compared as strings (not through enum sl_http1_method) because HAProxy does not know PATCH.
 */
static bool method_match(const struct sl_acl *acl, const char *m, size_t n)
{
	if (acl->pats == NULL)
		return true;
	bool m_known = haproxy_known_method(m, n);
	for (const struct sl_acl_pat *p = acl->pats; p != NULL; p = p->next) {
		size_t pl = strlen(p->str);
		if (haproxy_known_method(p->str, pl)) {
			if (pl == n && memcmp(p->str, m, n) == 0)
				return true;
		} else if (!m_known && pl == n && bytes_eq(p->str, m, n, acl->icase)) {
			return true;
		}
	}
	return false;
}

static bool src_match(const struct sl_acl *acl, uint32_t ip)
{
	if (acl->pats == NULL)
		return true;
	for (const struct sl_acl_pat *p = acl->pats; p != NULL; p = p->next)
		if (net_match(&p->net, ip))
			return true;
	return false;
}

/* ---------------------------------------------------------------- one acl line */

static bool is_payload_fetch(enum sl_acl_fetch f)
{
	return f == SL_FETCH_REQ_LEN || f == SL_FETCH_REQ_SSL_HELLO_TYPE ||
	       f == SL_FETCH_REQ_SSL_VER || f == SL_FETCH_REQ_SSL_SNI;
}

/* A payload fetch (HAProxy's src/payload.c): a sample short of bytes is a miss until the
 * bytes are final; req.len may change until then, so only a match of it is definite. */
static enum sl_acl_res payload_eval(const struct sl_acl *acl, const struct sl_acl_ctx *ctx)
{
	enum sl_acl_res short_of = ctx->payload_final ? SL_ACL_FAIL : SL_ACL_MISS;
	const uint8_t *p = ctx->payload;
	size_t n = ctx->payload_len;
	if (p == NULL)
		return SL_ACL_FAIL;
	uint8_t type;
	uint32_t ver;
	struct sl_tls_hello h;
	int r;
	switch (acl->fetch) {
	case SL_FETCH_REQ_LEN:
		return int_match(acl, (int64_t)n) ? SL_ACL_PASS : short_of;
	case SL_FETCH_REQ_SSL_HELLO_TYPE:
	case SL_FETCH_REQ_SSL_VER:
		r = sl_tls_record_head(p, n, &type, &ver);
		if (r == SL_TLSH_MORE)
			return short_of;
		if (r != SL_TLSH_OK)
			return SL_ACL_FAIL;
		return int_match(acl, acl->fetch == SL_FETCH_REQ_SSL_VER ? ver : type) ?
			       SL_ACL_PASS :
			       SL_ACL_FAIL;
	case SL_FETCH_REQ_SSL_SNI:
		r = sl_tls_hello_parse(p, n, &h);
		if (r == SL_TLSH_MORE)
			return short_of;
		if (r != SL_TLSH_OK || h.sni == NULL)
			return SL_ACL_FAIL;
		return str_sample_match(acl, M_STR, (const char *)h.sni, h.sni_len, ctx->scratch) ?
			       SL_ACL_PASS :
			       SL_ACL_FAIL;
	default:
		return SL_ACL_FAIL;
	}
}

bool sl_acl_eval(const struct sl_acl *acl, const struct sl_acl_ctx *ctx)
{
	if (acl == NULL)
		return false;
	const struct sl_http1_req *req = ctx->req;
	const char *s;
	size_t n;
	switch (acl->fetch) {
	case SL_FETCH_PATH:
	case SL_FETCH_PATH_BEG:
	case SL_FETCH_PATH_END:
	case SL_FETCH_PATH_SUB:
	case SL_FETCH_PATH_REG:
	case SL_FETCH_PATH_DIR: {
		static const enum str_match pm[] = {
			[SL_FETCH_PATH] = M_STR,     [SL_FETCH_PATH_BEG] = M_BEG,
			[SL_FETCH_PATH_END] = M_END, [SL_FETCH_PATH_SUB] = M_SUB,
			[SL_FETCH_PATH_REG] = M_REG, [SL_FETCH_PATH_DIR] = M_DIR,
		};
		if (!path_of(req, &s, &n))
			return false;
		return str_sample_match(acl, pm[acl->fetch], s, n, ctx->scratch);
	}
	case SL_FETCH_URL_BEG:
	case SL_FETCH_URL_REG:
		if (req == NULL || !url_of(req, ctx->scratch, &s, &n))
			return false;
		return str_sample_match(acl, acl->fetch == SL_FETCH_URL_BEG ? M_BEG : M_REG, s, n,
					ctx->scratch);
	case SL_FETCH_HDR:
		return req != NULL && hdr_match(acl, M_STR, ctx);
	case SL_FETCH_HDR_BEG:
		return req != NULL && hdr_match(acl, M_BEG, ctx);
	case SL_FETCH_HDR_END:
		return req != NULL && hdr_match(acl, M_END, ctx);
	case SL_FETCH_HDR_SUB:
		return req != NULL && hdr_match(acl, M_SUB, ctx);
	case SL_FETCH_HDR_REG:
		return req != NULL && hdr_match(acl, M_REG, ctx);
	case SL_FETCH_HDR_CNT:
		return req != NULL && int_match(acl, hdr_count(ctx, acl->hdr));
	case SL_FETCH_METHOD:
		return req != NULL && method_match(acl, req->method, req->method_len);
	case SL_FETCH_SRC:
		return src_match(acl, ctx->src);
	case SL_FETCH_DST_PORT:
		return int_match(acl, ctx->dst_port);
	case SL_FETCH_SSL_FC:
		return ctx->ssl;
	case SL_FETCH_SSL_FC_SNI:
		if (!ctx->ssl || ctx->sni == NULL)
			return false;
		return str_sample_match(acl, M_STR, ctx->sni, ctx->sni_len, ctx->scratch);
	case SL_FETCH_SSL_C_USED:
		return ctx->cert != NULL && ctx->cert->used;
	case SL_FETCH_SSL_FC_HAS_CRT:
		return ctx->cert != NULL && ctx->cert->has_crt;
	case SL_FETCH_SSL_C_VERIFY:
		return ctx->cert != NULL && int_match(acl, ctx->cert->verify);
	case SL_FETCH_SSL_C_S_DN:
	case SL_FETCH_SSL_C_I_DN:
		s = ctx->cert == NULL ? NULL :
		    acl->fetch == SL_FETCH_SSL_C_S_DN ? ctx->cert->s_dn : ctx->cert->i_dn;
		return s != NULL && str_sample_match(acl, M_STR, s, strlen(s), ctx->scratch);
	case SL_FETCH_ALWAYS_TRUE:
		return true;
	case SL_FETCH_STK: {
		int64_t v;
		if (ctx->stk == NULL || !ctx->stk->fetch(ctx->stk->arg, &acl->stk, &v))
			return false;
		return acl->pats == NULL || int_match(acl, v);
	}
	case SL_FETCH_ALWAYS_FALSE:
		return false;
	case SL_FETCH_DST:
		return src_match(acl, ctx->dst); /* the same network patterns */
	case SL_FETCH_SRC_PORT:
		return int_match(acl, ctx->src_port);
	case SL_FETCH_REQ_LEN:
	case SL_FETCH_REQ_SSL_HELLO_TYPE:
	case SL_FETCH_REQ_SSL_VER:
	case SL_FETCH_REQ_SSL_SNI:
		return payload_eval(acl, ctx) == SL_ACL_PASS;
	case SL_FETCH_HTTP_AUTH:
	case SL_FETCH_HTTP_AUTH_GROUP: {
		if (req == NULL || ctx->scratch == NULL)
			return false;
		int i = sl_http1_find_hdr(ctx->hdrs, ctx->nhdrs, 0, "authorization");
		if (i < 0)
			return false;
		const struct sl_ul_user *u = sl_ul_check(acl->ul, ctx->hdrs[i].value,
							 ctx->hdrs[i].value_len, ctx->scratch->ul);
		if (u == NULL || acl->fetch == SL_FETCH_HTTP_AUTH)
			return u != NULL;
		for (const struct sl_acl_pat *p = acl->pats; p != NULL; p = p->next)
			if (sl_ul_in_group(acl->ul, u, p->str, strlen(p->str)))
				return true;
		return false;
	}
	}
	return false;
}

static enum sl_acl_res line_eval3(const struct sl_acl *acl, const struct sl_acl_ctx *ctx)
{
	if (acl != NULL && is_payload_fetch(acl->fetch))
		return payload_eval(acl, ctx);
	return sl_acl_eval(acl, ctx) ? SL_ACL_PASS : SL_ACL_FAIL;
}

/* ---------------------------------------------------------------- predefined by name */

enum builtin {
	B_HTTP,
	B_HTTP_10,
	B_HTTP_11,
	B_HTTP_20,
	B_HTTP_30,
	B_URL_ABS,
	B_URL_SLASH,
	B_URL_STAR,
	B_CONTENT,
};

/*
 * HAProxy's default_acl_list entries whose fetch has no SL_FETCH_* (or, for the url ones,
 * that the parser does not build): name and definition. RDP_COOKIE, REQ_CONTENT and WAIT_END
 * are about TCP content inspection, which sluice does not do: they stay unknown.
 */
static const struct {
	const char *name;
	enum builtin id;
} builtins[] = {
	{"HTTP", B_HTTP},		 /* req.proto_http */
	{"HTTP_1.0", B_HTTP_10},	 /* req.ver 1.0 */
	{"HTTP_1.1", B_HTTP_11},	 /* req.ver 1.1 */
	{"HTTP_2.0", B_HTTP_20},	 /* req.ver 2.0 */
	{"HTTP_3.0", B_HTTP_30},	 /* req.ver 3.0 */
	{"HTTP_URL_ABS", B_URL_ABS},	 /* url_reg ^[^/:]*:// */
	{"HTTP_URL_SLASH", B_URL_SLASH}, /* url_beg / */
	{"HTTP_URL_STAR", B_URL_STAR},	 /* url * */
	{"HTTP_CONTENT", B_CONTENT},	 /* req.hdr_val(content-length) gt 0 */
};

static int builtin_find(const char *name)
{
	for (size_t i = 0; i < sizeof(builtins) / sizeof(builtins[0]); i++)
		if (strcmp(builtins[i].name, name) == 0)
			return (int)builtins[i].id;
	return -1;
}

bool sl_acl_builtin_known(const char *name)
{
	return name != NULL && builtin_find(name) >= 0;
}

static bool builtin_eval(int id, const struct sl_acl_ctx *ctx)
{
	const struct sl_http1_req *req = ctx->req;
	if (id < 0 || req == NULL)
		return false; /* every one of them needs the request */
	switch ((enum builtin)id) {
	case B_HTTP:
		return true; /* a parsed request is valid HTTP */
	case B_HTTP_10:
		return req->minor == 0;
	case B_HTTP_11:
		return req->minor == 1;
	case B_HTTP_20:
	case B_HTTP_30:
		return false; /* sluice speaks HTTP/1 only */
	case B_URL_ABS: {
		/* ^[^/:]*:// without a regex: the first '/' or ':' must start "://" */
		size_t i = 0;
		while (i < req->target_len && req->target[i] != '/' && req->target[i] != ':')
			i++;
		return req->target_len - i >= 3 && memcmp(req->target + i, "://", 3) == 0;
	}
	case B_URL_SLASH:
		return req->target_len > 0 && req->target[0] == '/';
	case B_URL_STAR:
		return req->target_len == 1 && req->target[0] == '*';
	case B_CONTENT:
		/* the parser refuses differing Content-Length values, so the one value is all */
		return (req->flags & SL_HTTP1_F_CL) && req->content_length > 0;
	}
	return false;
}

/* ---------------------------------------------------------------- conditions */

/*
 * Every user line of @name ORed, as HAProxy's find_acl_by_name() gathers them into one ACL;
 * a predefined name only when the proxy has no ACL of that name (HAProxy looks there first).
 */
static bool named_eval(const struct sl_proxy *px, const char *name, const struct sl_acl_ctx *ctx)
{
	if (name == NULL)
		return false;
	bool declared = false;
	for (const struct sl_acl *a = px != NULL ? px->acls : NULL; a != NULL; a = a->next) {
		if (a->name == NULL || strcmp(a->name, name) != 0)
			continue;
		declared = true;
		if (sl_acl_eval(a, ctx))
			return true;
	}
	return declared ? false : builtin_eval(builtin_find(name), ctx);
}

static bool term_eval(const struct sl_proxy *px, const struct sl_cond_term *t,
		      const struct sl_acl_ctx *ctx)
{
	/* the parser sets anon for "{ ... }" and for predefined names it resolved (name kept) */
	bool r = t->anon != NULL ? sl_acl_eval(t->anon, ctx) : named_eval(px, t->name, ctx);
	return t->neg ? !r : r;
}

static enum sl_acl_res neg3(enum sl_acl_res r)
{
	return r == SL_ACL_MISS ? r : r == SL_ACL_PASS ? SL_ACL_FAIL : SL_ACL_PASS;
}

static enum sl_acl_res term_eval3(const struct sl_proxy *px, const struct sl_cond_term *t,
				  const struct sl_acl_ctx *ctx)
{
	unsigned r = SL_ACL_FAIL;
	if (t->anon != NULL) {
		r = line_eval3(t->anon, ctx);
	} else {
		bool declared = false;
		for (const struct sl_acl *a = px != NULL ? px->acls : NULL; a != NULL; a = a->next)
			if (a->name != NULL && t->name != NULL && strcmp(a->name, t->name) == 0) {
				declared = true;
				r |= line_eval3(a, ctx);
			}
		if (!declared)
			r = named_eval(px, t->name, ctx) ? SL_ACL_PASS : SL_ACL_FAIL;
	}
	return t->neg ? neg3((enum sl_acl_res)r) : (enum sl_acl_res)r;
}

enum sl_acl_res sl_acl_cond_eval3(const struct sl_proxy *px, const struct sl_cond *cond,
				  const struct sl_acl_ctx *ctx)
{
	if (cond == NULL)
		return SL_ACL_PASS;
	unsigned res = SL_ACL_FAIL;
	for (const struct sl_cond_and *s = cond->ors; s != NULL && res != SL_ACL_PASS; s = s->next) {
		unsigned all = SL_ACL_PASS;
		for (const struct sl_cond_term *t = s->terms; t != NULL && all != SL_ACL_FAIL;
		     t = t->next)
			all &= term_eval3(px, t, ctx);
		res |= all;
	}
	return cond->unless ? neg3((enum sl_acl_res)res) : (enum sl_acl_res)res;
}

bool sl_tcp_conn_rejected(const struct sl_proxy *fe, const struct sl_acl_ctx *ctx)
{
	for (const struct sl_tcp_rule *r = fe->tcp_conn_rules; r != NULL; r = r->next)
		if (sl_acl_cond_eval(fe, r->cond, ctx))
			return r->action == SL_TCPR_REJECT;
	return false;
}

bool sl_acl_cond_eval(const struct sl_proxy *px, const struct sl_cond *cond,
		      const struct sl_acl_ctx *ctx)
{
	if (cond == NULL)
		return true;
	bool res = false;
	/* HAProxy's acl_exec_cond(): OR of suites, each an AND stopping at the first false term */
	for (const struct sl_cond_and *s = cond->ors; s != NULL && !res; s = s->next) {
		bool all = true;
		for (const struct sl_cond_term *t = s->terms; t != NULL && all; t = t->next)
			all = term_eval(px, t, ctx);
		res = all;
	}
	return cond->unless ? !res : res;
}
