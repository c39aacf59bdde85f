/* SPDX-License-Identifier: BSD-3-Clause */
/* HTTP/1.1 heads, body framing and chunked bodies: RFC 9112, fields per RFC 9110. */
#include "proto/http1.h"

#include <limits.h>
#include <string.h>

/* ------------------------------------------------------------------------- char classes */

static inline bool is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static inline bool is_ws(unsigned char c)
{
	return c == ' ' || c == '\t';
}

static inline int hex_val(unsigned char c)
{
	if (is_digit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Char classes, one lookup per byte on the hot path: C_TCHAR is tchar (RFC 9110 5.6.2),
 * C_HOST a char of uri-host [":" port] (RFC 3986 3.2.2: reg-name, IP-literal, IPv4address,
 * pct-encoded).
 */
#define C_TCHAR 0x1u
#define C_HOST	0x2u
#define C_BOTH	(C_TCHAR | C_HOST)
static const uint8_t char_class[256] = {
	['0' ... '9'] = C_BOTH, ['a' ... 'z'] = C_BOTH, ['A' ... 'Z'] = C_BOTH, ['!'] = C_BOTH,
	['$'] = C_BOTH,		['%'] = C_BOTH,		['&'] = C_BOTH,		['\''] = C_BOTH,
	['*'] = C_BOTH,		['+'] = C_BOTH,		['-'] = C_BOTH,		['.'] = C_BOTH,
	['_'] = C_BOTH,		['~'] = C_BOTH,		['#'] = C_TCHAR,	['^'] = C_TCHAR,
	['`'] = C_TCHAR,	['|'] = C_TCHAR,	['('] = C_HOST,		[')'] = C_HOST,
	[','] = C_HOST,		[';'] = C_HOST,		['='] = C_HOST,		[':'] = C_HOST,
	['['] = C_HOST,		[']'] = C_HOST,
};

static inline bool is_tchar(unsigned char c)
{
	return char_class[c] & C_TCHAR;
}

static inline bool is_host_char(unsigned char c)
{
	return char_class[c] & C_HOST;
}

/* field-vchar, SP and HTAB (RFC 9110 5.5): everything but CTLs (HTAB allowed) and DEL. */
static inline bool is_value_char(unsigned char c)
{
	return c == '\t' || (c >= 0x20 && c != 0x7f);
}

/* Chars of a request-target we forward: visible ASCII but '#' (see http1.h). */
static inline bool is_target_char(unsigned char c)
{
	return c > 0x20 && c < 0x7f && c != '#';
}

static inline unsigned char lower(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

static bool ieq2(const char *a, size_t alen, const char *b, size_t blen)
{
	if (alen != blen)
		return false;
	for (size_t i = 0; i < alen; i++)
		if (lower((unsigned char)a[i]) != lower((unsigned char)b[i]))
			return false;
	return true;
}

bool sl_http1_ieq(const char *p, size_t len, const char *lit)
{
	return ieq2(p, len, lit, strlen(lit));
}

static void trim_ows(const char **a, const char **b)
{
	while (*a < *b && is_ws((unsigned char)**a))
		(*a)++;
	while (*b > *a && is_ws((unsigned char)(*b)[-1]))
		(*b)--;
}

/* ------------------------------------------------------------------------------ names */

const char *sl_http1_err_name(enum sl_http1_err err)
{
	switch (err) {
	case SL_HTTP1_OK:
		return "http1_ok";
	case SL_HTTP1_ERR_TOO_LARGE:
		return "http1_too_large";
	case SL_HTTP1_ERR_TOO_MANY_HDRS:
		return "http1_too_many_hdrs";
	case SL_HTTP1_ERR_BARE_LF:
		return "http1_bare_lf";
	case SL_HTTP1_ERR_BARE_CR:
		return "http1_bare_cr";
	case SL_HTTP1_ERR_METHOD:
		return "http1_bad_method";
	case SL_HTTP1_ERR_REQ_LINE:
		return "http1_bad_request_line";
	case SL_HTTP1_ERR_TARGET:
		return "http1_bad_target";
	case SL_HTTP1_ERR_VERSION:
		return "http1_bad_version";
	case SL_HTTP1_ERR_STATUS_LINE:
		return "http1_bad_status_line";
	case SL_HTTP1_ERR_OBS_FOLD:
		return "http1_obs_fold";
	case SL_HTTP1_ERR_EMPTY_NAME:
		return "http1_empty_name";
	case SL_HTTP1_ERR_WS_BEFORE_COLON:
		return "http1_ws_before_colon";
	case SL_HTTP1_ERR_NAME_CHAR:
		return "http1_bad_name_char";
	case SL_HTTP1_ERR_VALUE_CHAR:
		return "http1_bad_value_char";
	case SL_HTTP1_ERR_CL_INVALID:
		return "http1_bad_content_length";
	case SL_HTTP1_ERR_CL_RANGE:
		return "http1_content_length_range";
	case SL_HTTP1_ERR_CL_MISMATCH:
		return "http1_content_length_mismatch";
	case SL_HTTP1_ERR_TE_INVALID:
		return "http1_bad_transfer_encoding";
	case SL_HTTP1_ERR_CL_AND_TE:
		return "http1_cl_and_te";
	case SL_HTTP1_ERR_TE_HTTP10:
		return "http1_te_in_http10";
	case SL_HTTP1_ERR_HOST_MISSING:
		return "http1_host_missing";
	case SL_HTTP1_ERR_HOST_DUP:
		return "http1_host_dup";
	case SL_HTTP1_ERR_HOST_INVALID:
		return "http1_bad_host";
	case SL_HTTP1_ERR_HOST_MISMATCH:
		return "http1_host_mismatch";
	case SL_HTTP1_ERR_CHUNK_SIZE:
		return "http1_bad_chunk_size";
	case SL_HTTP1_ERR_CHUNK_RANGE:
		return "http1_chunk_size_range";
	case SL_HTTP1_ERR_CHUNK_EXT:
		return "http1_bad_chunk_ext";
	case SL_HTTP1_ERR_CHUNK_LINE:
		return "http1_chunk_line_too_long";
	case SL_HTTP1_ERR_CHUNK_CRLF:
		return "http1_chunk_missing_crlf";
	case SL_HTTP1_ERR_TRAILER:
		return "http1_bad_trailer";
	case SL_HTTP1_ERR_TRAILER_SIZE:
		return "http1_trailer_too_large";
	}
	return "http1_unknown";
}

const char *sl_http1_body_name(enum sl_http1_body b)
{
	switch (b) {
	case SL_HTTP1_BODY_NONE:
		return "none";
	case SL_HTTP1_BODY_LENGTH:
		return "length";
	case SL_HTTP1_BODY_CHUNKED:
		return "chunked";
	case SL_HTTP1_BODY_UNTIL_CLOSE:
		return "until-close";
	case SL_HTTP1_BODY_TUNNEL:
		return "tunnel";
	}
	return "unknown";
}

/* ------------------------------------------------------------------------------- lines */

/*
 * Finds the CRLF ending the line that starts at @pos, looking no further than @lim. Returns 0
 * with *@eol the index of its CR; -2 when the line is not complete before @lim; -1 with *@err
 * on a bare LF (anywhere before the CR) or a CR not followed by LF (RFC 9112 2.2).
 */
static int line_end(const char *buf, size_t pos, size_t lim, size_t *eol, enum sl_http1_err *err)
{
	const char *cr = memchr(buf + pos, '\r', lim - pos);
	size_t stop = cr != NULL ? (size_t)(cr - buf) : lim;
	if (memchr(buf + pos, '\n', stop - pos) != NULL) {
		*err = SL_HTTP1_ERR_BARE_LF;
		return -1;
	}
	if (cr == NULL || stop + 1 >= lim)
		return -2;
	if (buf[stop + 1] != '\n') {
		*err = SL_HTTP1_ERR_BARE_CR;
		return -1;
	}
	*eol = stop;
	return 0;
}

/* What the field lines of one head say about framing and the connection. */
struct fields {
	unsigned flags, conn;
	uint64_t cl;
	int host_idx;
};

/* Content-Length value (RFC 9110 8.6): 1*DIGIT list, all values equal to each other. */
static enum sl_http1_err content_length(const char *v, size_t len, struct fields *f)
{
	const char *p = v, *end = v + len;
	for (;;) {
		while (p < end && is_ws((unsigned char)*p))
			p++;
		if (p == end || !is_digit((unsigned char)*p))
			return SL_HTTP1_ERR_CL_INVALID;
		uint64_t n = 0;
		while (p < end && is_digit((unsigned char)*p)) {
			unsigned d = (unsigned)(*p - '0');
			if (n > (SL_HTTP1_MAX_LENGTH - d) / 10)
				return SL_HTTP1_ERR_CL_RANGE;
			n = n * 10 + d;
			p++;
		}
		if ((f->flags & SL_HTTP1_F_CL) && n != f->cl)
			return SL_HTTP1_ERR_CL_MISMATCH;
		f->flags |= SL_HTTP1_F_CL;
		f->cl = n;
		while (p < end && is_ws((unsigned char)*p))
			p++;
		if (p == end)
			return SL_HTTP1_OK;
		if (*p != ',')
			return SL_HTTP1_ERR_CL_INVALID;
		p++;
	}
}

/*
 * Transfer-Encoding value (RFC 9112 6.1), appended to what earlier lines said: tokens without
 * parameters, no empty element, nothing after chunked (so chunked is last and appears once).
 */
static enum sl_http1_err transfer_encoding(const char *v, size_t len, struct fields *f)
{
	const char *p = v, *end = v + len;
	f->flags |= SL_HTTP1_F_TE;
	for (;;) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		const char *a = p, *b = comma != NULL ? comma : end;
		trim_ows(&a, &b);
		if (a == b || (f->flags & SL_HTTP1_F_CHUNKED))
			return SL_HTTP1_ERR_TE_INVALID;
		for (const char *q = a; q < b; q++)
			if (!is_tchar((unsigned char)*q))
				return SL_HTTP1_ERR_TE_INVALID;
		if (ieq2(a, (size_t)(b - a), "chunked", 7))
			f->flags |= SL_HTTP1_F_CHUNKED;
		if (comma == NULL)
			return SL_HTTP1_OK;
		p = comma + 1;
	}
}

static bool valid_host(const char *v, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!is_host_char((unsigned char)v[i]))
			return false;
	return true;
}

/*
 * Parses the field lines from @pos up to and including the empty line. Returns the head
 * length, -2, or -1 with *@err. @is_req enables the Host checks.
 */
static int parse_fields(const char *buf, size_t len, size_t lim, size_t max_len, size_t pos,
			struct sl_http1_hdr *hdrs, size_t *nhdrs, struct fields *f, bool is_req,
			enum sl_http1_err *err)
{
	size_t cap = *nhdrs, n = 0;
	for (;;) {
		size_t eol;
		int r = line_end(buf, pos, lim, &eol, err);
		if (r == -2 && len >= max_len) {
			*err = SL_HTTP1_ERR_TOO_LARGE;
			return -1;
		}
		if (r < 0)
			return r;
		if (eol == pos) {
			*nhdrs = n;
			return (int)(eol + 2);
		}
		const unsigned char *s = (const unsigned char *)buf + pos;
		const unsigned char *e = (const unsigned char *)buf + eol;
		if (is_ws(*s)) {
			*err = SL_HTTP1_ERR_OBS_FOLD;
			return -1;
		}
		const unsigned char *k = s;
		while (k < e && is_tchar(*k))
			k++;
		enum sl_http1_err ne = SL_HTTP1_OK;
		if (k == e)
			ne = SL_HTTP1_ERR_NAME_CHAR; /* no colon */
		else if (*k == ':' && k == s)
			ne = SL_HTTP1_ERR_EMPTY_NAME;
		else if (is_ws(*k))
			ne = SL_HTTP1_ERR_WS_BEFORE_COLON;
		else if (*k != ':')
			ne = SL_HTTP1_ERR_NAME_CHAR;
		if (ne != SL_HTTP1_OK) {
			*err = ne;
			return -1;
		}
		const char *va = (const char *)k + 1, *vb = (const char *)e;
		trim_ows(&va, &vb);
		for (const char *q = va; q < vb; q++)
			if (!is_value_char((unsigned char)*q)) {
				*err = SL_HTTP1_ERR_VALUE_CHAR;
				return -1;
			}
		if (n >= cap) {
			*err = SL_HTTP1_ERR_TOO_MANY_HDRS;
			return -1;
		}
		const char *name = (const char *)s;
		size_t name_len = (size_t)(k - s), vlen = (size_t)(vb - va);
		hdrs[n] = (struct sl_http1_hdr){name, name_len, va, vlen};

		enum sl_http1_err e2 = SL_HTTP1_OK;
		if (ieq2(name, name_len, "content-length", 14)) {
			e2 = content_length(va, vlen, f);
		} else if (ieq2(name, name_len, "transfer-encoding", 17)) {
			e2 = transfer_encoding(va, vlen, f);
		} else if (ieq2(name, name_len, "connection", 10)) {
			f->conn |= sl_http1_conn_flags(va, vlen);
		} else if (ieq2(name, name_len, "upgrade", 7)) {
			f->flags |= SL_HTTP1_F_UPGRADE;
		} else if (is_req && ieq2(name, name_len, "host", 4)) {
			const struct sl_http1_hdr *first =
				f->host_idx >= 0 ? &hdrs[f->host_idx] : NULL;
			if (first == NULL && !valid_host(va, vlen)) {
				e2 = SL_HTTP1_ERR_HOST_INVALID;
			} else if (first == NULL) {
				f->host_idx = (int)n;
			} else if (ieq2(va, vlen, first->value, first->value_len)) {
				pos = eol + 2; /* the same Host again: HAProxy keeps one line */
				continue;
			} else {
				e2 = SL_HTTP1_ERR_HOST_DUP;
			}
		}
		if (e2 != SL_HTTP1_OK) {
			*err = e2;
			return -1;
		}
		n++;
		pos = eol + 2;
	}
}

/* Framing checks common to requests and responses, once all fields are known. */
static enum sl_http1_err framing_check(const struct fields *f, int minor)
{
	if ((f->flags & SL_HTTP1_F_TE) && minor == 0)
		return SL_HTTP1_ERR_TE_HTTP10;
	if ((f->flags & SL_HTTP1_F_TE) && (f->flags & SL_HTTP1_F_CL))
		return SL_HTTP1_ERR_CL_AND_TE;
	return SL_HTTP1_OK;
}

static bool parse_version(const char *p, size_t len, int *minor)
{
	if (len != 8 || memcmp(p, "HTTP/1.", 7) != 0 || (p[7] != '0' && p[7] != '1'))
		return false;
	*minor = p[7] - '0';
	return true;
}

/* ------------------------------------------------------------------------------ request */

static enum sl_http1_method method_of(const char *m, size_t len)
{
	static const struct {
		const char *s;
		enum sl_http1_method m;
	} tab[] = {
		{"GET", SL_HTTP1_M_GET},	 {"HEAD", SL_HTTP1_M_HEAD},
		{"POST", SL_HTTP1_M_POST},	 {"PUT", SL_HTTP1_M_PUT},
		{"DELETE", SL_HTTP1_M_DELETE},	 {"CONNECT", SL_HTTP1_M_CONNECT},
		{"OPTIONS", SL_HTTP1_M_OPTIONS}, {"TRACE", SL_HTTP1_M_TRACE},
		{"PATCH", SL_HTTP1_M_PATCH},
	};
	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (strlen(tab[i].s) == len && memcmp(tab[i].s, m, len) == 0)
			return tab[i].m;
	return SL_HTTP1_M_OTHER;
}

/* Splits @p[0, @len) (path then optional "?query") into req's path and query; checks chars. */
static bool path_query(const char *p, size_t len, struct sl_http1_req *req)
{
	for (size_t i = 0; i < len; i++)
		if (!is_target_char((unsigned char)p[i]))
			return false;
	const char *q = memchr(p, '?', len);
	req->path = p;
	req->path_len = q != NULL ? (size_t)(q - p) : len;
	req->has_query = q != NULL;
	req->query = q != NULL ? q + 1 : p + len;
	req->query_len = q != NULL ? len - req->path_len - 1 : 0;
	return true;
}

/*
 * Splits uri-host [":" port] @v the way HAProxy does (http_get_host_port()): the port is the
 * digits that end the value when a ':' comes right before them, possibly none ("h:" has an
 * empty port; "8080" is a host). Returns whether there is a port, with *@hlen the length of
 * the host before its ':' and the port in @port/@plen; without one, *@hlen is @len.
 */
static bool split_port(const char *v, size_t len, size_t *hlen, const char **port, size_t *plen)
{
	size_t i = len;
	while (i > 0 && is_digit((unsigned char)v[i - 1]))
		i--;
	bool has = i > 0 && v[i - 1] == ':';
	*hlen = has ? i - 1 : len;
	*port = has ? v + i : v + len;
	*plen = has ? len - i : 0;
	return has;
}

/* authority-form (RFC 9112 3.2.3): uri-host ":" port, port 1*5DIGIT <= 65535. */
static bool authority_form(const char *t, size_t len)
{
	size_t hlen, plen;
	const char *port;
	if (!valid_host(t, len) || !split_port(t, len, &hlen, &port, &plen))
		return false;
	if (hlen == 0 || plen == 0 || plen > 5)
		return false;
	unsigned n = 0;
	for (size_t i = 0; i < plen; i++)
		n = n * 10 + (unsigned)(port[i] - '0');
	if (n > 65535)
		return false;
	if (t[0] == '[' && t[hlen - 1] != ']')
		return false;
	return true;
}

static bool parse_target(struct sl_http1_req *req)
{
	const char *t = req->target;
	size_t len = req->target_len;
	req->authority = t;
	req->authority_len = 0;
	req->target_cut = 0;
	req->path = t;
	req->path_len = 0;
	req->query = t + len;
	req->query_len = 0;
	req->has_query = false;

	if (req->meth == SL_HTTP1_M_CONNECT) {
		if (!authority_form(t, len))
			return false;
		req->form = SL_HTTP1_FORM_AUTHORITY;
		req->authority_len = len;
		return true;
	}
	if (t[0] == '/') {
		req->form = SL_HTTP1_FORM_ORIGIN;
		return path_query(t, len, req);
	}
	if (len == 1 && t[0] == '*') {
		if (req->meth != SL_HTTP1_M_OPTIONS)
			return false;
		req->form = SL_HTTP1_FORM_ASTERISK;
		req->path_len = 1;
		return true;
	}
	size_t skip;
	if (len >= 7 && ieq2(t, 7, "http://", 7))
		skip = 7;
	else if (len >= 8 && ieq2(t, 8, "https://", 8))
		skip = 8;
	else
		return false;
	const char *a = t + skip, *end = t + len, *b = a;
	while (b < end && *b != '/' && *b != '?')
		b++;
	size_t hlen, plen;
	const char *port;
	if (b == a || !valid_host(a, (size_t)(b - a)))
		return false;
	split_port(a, (size_t)(b - a), &hlen, &port, &plen);
	if (hlen == 0)
		return false; /* RFC 9110 4.2.1: an empty host is invalid */
	req->form = SL_HTTP1_FORM_ABSOLUTE;
	req->authority = a;
	req->authority_len = (size_t)(b - a);
	return path_query(b, (size_t)(end - b), req);
}

/* Request-line [s, e): returns SL_HTTP1_OK or the reason. */
static enum sl_http1_err request_line(const char *s, const char *e, struct sl_http1_req *req)
{
	const char *p = s;
	while (p < e && is_tchar((unsigned char)*p))
		p++;
	if (p == s)
		return SL_HTTP1_ERR_METHOD; /* empty method: leading SP or a non-tchar */
	if (p == e)
		return SL_HTTP1_ERR_REQ_LINE;
	if (*p != ' ')
		return is_ws((unsigned char)*p) ? SL_HTTP1_ERR_REQ_LINE : SL_HTTP1_ERR_METHOD;
	req->method = s;
	req->method_len = (size_t)(p - s);
	req->meth = method_of(s, req->method_len);

	const char *t = p + 1;
	const char *sp = memchr(t, ' ', (size_t)(e - t));
	if (sp == NULL || sp == t)
		return SL_HTTP1_ERR_REQ_LINE;
	const char *v = sp + 1;
	if (memchr(v, ' ', (size_t)(e - v)) != NULL)
		return SL_HTTP1_ERR_REQ_LINE;
	if (!parse_version(v, (size_t)(e - v), &req->minor))
		return SL_HTTP1_ERR_VERSION;
	req->target = t;
	req->target_len = (size_t)(sp - t);
	if (!parse_target(req))
		return SL_HTTP1_ERR_TARGET;
	return SL_HTTP1_OK;
}

/* The scheme of an absolute-form target, for its default port; none for authority-form. */
enum scheme { SCHEME_NONE, SCHEME_HTTP, SCHEME_HTTPS };

/*
 * Whether @port is the default port of @sch, as HAProxy's http_is_default_port() has it: an
 * empty port is (RFC 3986 6.2.3), 80 for http, 443 for https, either without a scheme.
 */
static bool default_port(enum scheme sch, const char *port, size_t plen)
{
	bool p80 = plen == 2 && memcmp(port, "80", 2) == 0;
	bool p443 = plen == 3 && memcmp(port, "443", 3) == 0;
	switch (sch) {
	case SCHEME_HTTP:
		return plen == 0 || p80;
	case SCHEME_HTTPS:
		return plen == 0 || p443;
	default:
		return plen == 0 || p80 || p443;
	}
}

/*
 * Whether absolute-form authority @a and Host value @h name one authority, as HAProxy 2.6's
 * H1 parser decides: equal case-insensitively, or the same host once a port that is the
 * scheme's default one (or empty) is taken away from one or both sides.
 */
static bool same_authority(enum scheme sch, const char *a, size_t alen, const char *h, size_t hlen)
{
	if (ieq2(a, alen, h, hlen))
		return true;
	size_t ah, hh, apl, hpl;
	const char *ap, *hp;
	bool a_port = split_port(a, alen, &ah, &ap, &apl);
	bool h_port = split_port(h, hlen, &hh, &hp, &hpl);
	if (!a_port && !h_port)
		return false;
	if ((a_port && !default_port(sch, ap, apl)) || (h_port && !default_port(sch, hp, hpl)))
		return false;
	return ieq2(a, ah, h, hh);
}

/*
 * CONNECT's Host @host against its authority-form target @a (which has a port): the same host
 * (case-insensitive) with the same port, or without a port when the target's is 80 or 443 (what
 * HAProxy 2.6 accepts). A Host with the target's port 80 or 443 loses it, as in HAProxy.
 */
static bool connect_host(const char *a, size_t alen, struct sl_http1_hdr *host)
{
	size_t ah, hh, apl, hpl;
	const char *ap, *hp;
	split_port(a, alen, &ah, &ap, &apl);
	bool h_port = split_port(host->value, host->value_len, &hh, &hp, &hpl);
	if (!ieq2(host->value, hh, a, ah))
		return false;
	if (!h_port || hpl == 0)
		return default_port(SCHEME_NONE, ap, apl);
	if (hpl != apl || memcmp(hp, ap, apl) != 0)
		return false;
	if (default_port(SCHEME_NONE, ap, apl))
		host->value_len = hh;
	return true;
}

/*
 * One authority per request (see sl_http1_parse_request()): the target's authority against
 * @host (NULL when the request has none), then the normalization of both. Returns SL_HTTP1_OK
 * or SL_HTTP1_ERR_HOST_MISMATCH.
 */
static enum sl_http1_err one_authority(struct sl_http1_req *req, struct sl_http1_hdr *host)
{
	if (req->form == SL_HTTP1_FORM_AUTHORITY) {
		if (host != NULL && !connect_host(req->authority, req->authority_len, host))
			return SL_HTTP1_ERR_HOST_MISMATCH;
		return SL_HTTP1_OK;
	}
	if (req->form != SL_HTTP1_FORM_ABSOLUTE)
		return SL_HTTP1_OK;
	/* "http://" or "https://": the fifth byte tells them apart */
	enum scheme sch = lower((unsigned char)req->target[4]) == 's' ? SCHEME_HTTPS : SCHEME_HTTP;
	const char *end = req->authority + req->authority_len;
	/* HAProxy reads the authority up to the first '/': "h?q" is never a Host */
	bool query_next = end < req->target + req->target_len && *end == '?';
	if (host != NULL && (query_next || !same_authority(sch, req->authority, req->authority_len,
							   host->value, host->value_len)))
		return SL_HTTP1_ERR_HOST_MISMATCH;
	size_t hlen, plen;
	const char *port;
	if (query_next || !split_port(req->authority, req->authority_len, &hlen, &port, &plen) ||
	    !default_port(sch, port, plen))
		return SL_HTTP1_OK;
	req->target_cut = req->authority_len - hlen;
	req->authority_len = hlen;
	if (host != NULL) {
		host->value = req->authority;
		host->value_len = hlen;
	}
	return SL_HTTP1_OK;
}

static size_t clamp_max(size_t max_len)
{
	return max_len > (size_t)INT_MAX ? (size_t)INT_MAX : max_len;
}

int sl_http1_parse_request(const char *buf, size_t len, size_t max_len, struct sl_http1_req *req,
			   struct sl_http1_hdr *hdrs, size_t *nhdrs)
{
	max_len = clamp_max(max_len);
	size_t lim = len < max_len ? len : max_len;
	size_t pos = 0, eol;
	req->err = SL_HTTP1_OK;
	for (;;) {
		int r = line_end(buf, pos, lim, &eol, &req->err);
		if (r == -2 && len >= max_len) {
			req->err = SL_HTTP1_ERR_TOO_LARGE;
			return -1;
		}
		if (r < 0)
			return r;
		if (eol > pos)
			break;
		pos = eol + 2; /* empty line before the request-line (RFC 9112 2.2) */
	}
	req->err = request_line(buf + pos, buf + eol, req);
	if (req->err != SL_HTTP1_OK)
		return -1;

	struct fields f = {.host_idx = -1};
	int r = parse_fields(buf, len, lim, max_len, eol + 2, hdrs, nhdrs, &f, true, &req->err);
	if (r < 0)
		return r;
	req->flags = f.flags;
	req->conn = f.conn;
	req->content_length = (f.flags & SL_HTTP1_F_CL) ? f.cl : 0;
	req->host_idx = f.host_idx;
	req->err = framing_check(&f, req->minor);
	if (req->err == SL_HTTP1_OK && (f.flags & SL_HTTP1_F_TE) && !(f.flags & SL_HTTP1_F_CHUNKED))
		req->err = SL_HTTP1_ERR_TE_INVALID;
	if (req->err == SL_HTTP1_OK && req->minor == 1 && f.host_idx < 0)
		req->err = SL_HTTP1_ERR_HOST_MISSING;
	if (req->err == SL_HTTP1_OK)
		req->err = one_authority(req, f.host_idx >= 0 ? &hdrs[f.host_idx] : NULL);
	return req->err == SL_HTTP1_OK ? r : -1;
}

/* ----------------------------------------------------------------------------- response */

static enum sl_http1_err status_line(const char *s, const char *e, struct sl_http1_resp *resp)
{
	size_t len = (size_t)(e - s);
	if (len < 8 || !parse_version(s, 8, &resp->minor))
		return SL_HTTP1_ERR_VERSION;
	if (len < 12 || s[8] != ' ')
		return SL_HTTP1_ERR_STATUS_LINE;
	int st = 0;
	for (int i = 9; i < 12; i++) {
		if (!is_digit((unsigned char)s[i]))
			return SL_HTTP1_ERR_STATUS_LINE;
		st = st * 10 + (s[i] - '0');
	}
	if (st < 100 || st > 599)
		return SL_HTTP1_ERR_STATUS_LINE;
	resp->status = st;
	resp->reason = s + len;
	resp->reason_len = 0;
	if (len == 12)
		return SL_HTTP1_OK;
	if (s[12] != ' ')
		return SL_HTTP1_ERR_STATUS_LINE;
	for (const char *q = s + 13; q < e; q++)
		if (!is_value_char((unsigned char)*q))
			return SL_HTTP1_ERR_STATUS_LINE;
	resp->reason = s + 13;
	resp->reason_len = len - 13;
	return SL_HTTP1_OK;
}

int sl_http1_parse_response(const char *buf, size_t len, size_t max_len, struct sl_http1_resp *resp,
			    struct sl_http1_hdr *hdrs, size_t *nhdrs)
{
	max_len = clamp_max(max_len);
	size_t lim = len < max_len ? len : max_len;
	size_t eol;
	resp->err = SL_HTTP1_OK;
	int r = line_end(buf, 0, lim, &eol, &resp->err);
	if (r == -2 && len >= max_len) {
		resp->err = SL_HTTP1_ERR_TOO_LARGE;
		return -1;
	}
	if (r < 0)
		return r;
	resp->err = status_line(buf, buf + eol, resp);
	if (resp->err != SL_HTTP1_OK)
		return -1;
	struct fields f = {.host_idx = -1};
	r = parse_fields(buf, len, lim, max_len, eol + 2, hdrs, nhdrs, &f, false, &resp->err);
	if (r < 0)
		return r;
	resp->flags = f.flags;
	resp->conn = f.conn;
	resp->content_length = (f.flags & SL_HTTP1_F_CL) ? f.cl : 0;
	resp->err = framing_check(&f, resp->minor);
	return resp->err == SL_HTTP1_OK ? r : -1;
}

/* ------------------------------------------------------------------------- body framing */

static enum sl_http1_body by_length(uint64_t cl, uint64_t *length)
{
	if (cl == 0)
		return SL_HTTP1_BODY_NONE;
	if (length != NULL)
		*length = cl;
	return SL_HTTP1_BODY_LENGTH;
}

enum sl_http1_body sl_http1_body_info(const struct sl_http1_req *req,
				      const struct sl_http1_resp *resp, uint64_t *length)
{
	if (length != NULL)
		*length = 0;
	if (resp == NULL) {
		if (req->flags & SL_HTTP1_F_CHUNKED)
			return SL_HTTP1_BODY_CHUNKED;
		if (req->flags & SL_HTTP1_F_CL)
			return by_length(req->content_length, length);
		return SL_HTTP1_BODY_NONE;
	}
	enum sl_http1_method m = req != NULL ? req->meth : SL_HTTP1_M_GET;
	int st = resp->status;
	if (st == 101)
		return SL_HTTP1_BODY_TUNNEL;
	if (m == SL_HTTP1_M_CONNECT && st >= 200 && st < 300)
		return SL_HTTP1_BODY_TUNNEL;
	if (m == SL_HTTP1_M_HEAD || st < 200 || st == 204 || st == 304)
		return SL_HTTP1_BODY_NONE;
	if (resp->flags & SL_HTTP1_F_CHUNKED)
		return SL_HTTP1_BODY_CHUNKED;
	if (resp->flags & SL_HTTP1_F_TE)
		return SL_HTTP1_BODY_UNTIL_CLOSE;
	if (resp->flags & SL_HTTP1_F_CL)
		return by_length(resp->content_length, length);
	return SL_HTTP1_BODY_UNTIL_CLOSE;
}

/* ------------------------------------------------------------------------------ chunked */

enum {
	CH_SIZE,     /* chunk-size hex digits */
	CH_SIZE_WS,  /* whitespace after the size: ';' must follow */
	CH_EXT,	     /* chunk extensions, up to CR */
	CH_SIZE_LF,  /* LF after the size line's CR */
	CH_DATA,     /* chunk data, size bytes left */
	CH_DATA_CR,  /* CR after the data */
	CH_DATA_LF,  /* LF after the data */
	CH_TR_START, /* start of a trailer line or of the final CRLF */
	CH_TR_NAME,  /* trailer field name */
	CH_TR_VALUE, /* trailer field value, up to CR */
	CH_TR_LF,    /* LF ending a trailer line */
	CH_END_LF,   /* LF of the final CRLF */
	CH_DONE,
	CH_ERROR,
};

void sl_http1_chunk_init(struct sl_http1_chunk *st)
{
	memset(st, 0, sizeof(*st));
	st->state = CH_SIZE;
}

bool sl_http1_chunk_done(const struct sl_http1_chunk *st)
{
	return st->state == CH_DONE;
}

static int chunk_fail(struct sl_http1_chunk *st, enum sl_http1_err err)
{
	st->state = CH_ERROR;
	st->err = err;
	return -1;
}

int sl_http1_chunk_step(struct sl_http1_chunk *st, const char *buf, size_t len, size_t *data_off,
			size_t *data_len)
{
	size_t i = 0;
	*data_off = 0;
	*data_len = 0;
	if (st->state == CH_ERROR)
		return -1;
	while (i < len && st->state != CH_DONE) {
		if (st->state == CH_DATA) {
			size_t n = len - i;
			if ((uint64_t)n > st->size)
				n = (size_t)st->size;
			*data_off = i;
			*data_len = n;
			st->size -= n;
			if (st->size == 0)
				st->state = CH_DATA_CR;
			return (int)(i + n);
		}
		unsigned char c = (unsigned char)buf[i++];
		switch (st->state) {
		case CH_SIZE:
		case CH_SIZE_WS:
		case CH_EXT:
			if (++st->line > SL_HTTP1_CHUNK_LINE_MAX)
				return chunk_fail(st, SL_HTTP1_ERR_CHUNK_LINE);
			break;
		case CH_TR_START:
		case CH_TR_NAME:
		case CH_TR_VALUE:
		case CH_TR_LF:
		case CH_END_LF:
			if (++st->trailer > SL_HTTP1_TRAILER_MAX)
				return chunk_fail(st, SL_HTTP1_ERR_TRAILER_SIZE);
			break;
		default:
			break;
		}
		switch (st->state) {
		case CH_SIZE: {
			int d = hex_val(c);
			if (d >= 0) {
				if (st->size > (SL_HTTP1_MAX_LENGTH - (uint64_t)d) / 16)
					return chunk_fail(st, SL_HTTP1_ERR_CHUNK_RANGE);
				st->size = st->size * 16 + (uint64_t)d;
				st->digits = 1;
				break;
			}
			if (!st->digits)
				return chunk_fail(st, SL_HTTP1_ERR_CHUNK_SIZE);
			if (c == '\r')
				st->state = CH_SIZE_LF;
			else if (c == ';')
				st->state = CH_EXT;
			else if (is_ws(c))
				st->state = CH_SIZE_WS;
			else if (c == '\n')
				return chunk_fail(st, SL_HTTP1_ERR_CHUNK_CRLF);
			else
				return chunk_fail(st, SL_HTTP1_ERR_CHUNK_SIZE);
			break;
		}
		case CH_SIZE_WS:
			if (c == ';')
				st->state = CH_EXT;
			else if (!is_ws(c))
				return chunk_fail(st, SL_HTTP1_ERR_CHUNK_SIZE);
			break;
		case CH_EXT:
			if (c == '\r')
				st->state = CH_SIZE_LF;
			else if (c == '\n')
				return chunk_fail(st, SL_HTTP1_ERR_CHUNK_CRLF);
			else if (!is_value_char(c))
				return chunk_fail(st, SL_HTTP1_ERR_CHUNK_EXT);
			break;
		case CH_SIZE_LF:
			if (c != '\n')
				return chunk_fail(st, SL_HTTP1_ERR_CHUNK_CRLF);
			st->line = 0;
			st->digits = 0;
			st->state = st->size == 0 ? CH_TR_START : CH_DATA;
			break;
		case CH_DATA_CR:
			if (c != '\r')
				return chunk_fail(st, SL_HTTP1_ERR_CHUNK_CRLF);
			st->state = CH_DATA_LF;
			break;
		case CH_DATA_LF:
			if (c != '\n')
				return chunk_fail(st, SL_HTTP1_ERR_CHUNK_CRLF);
			st->state = CH_SIZE;
			st->size = 0;
			break;
		case CH_TR_START:
			if (c == '\r')
				st->state = CH_END_LF;
			else if (is_tchar(c))
				st->state = CH_TR_NAME;
			else
				return chunk_fail(st, SL_HTTP1_ERR_TRAILER);
			break;
		case CH_TR_NAME:
			if (c == ':')
				st->state = CH_TR_VALUE;
			else if (!is_tchar(c))
				return chunk_fail(st, SL_HTTP1_ERR_TRAILER);
			break;
		case CH_TR_VALUE:
			if (c == '\r')
				st->state = CH_TR_LF;
			else if (!is_value_char(c))
				return chunk_fail(st, SL_HTTP1_ERR_TRAILER);
			break;
		case CH_TR_LF:
			if (c != '\n')
				return chunk_fail(st, SL_HTTP1_ERR_TRAILER);
			st->state = CH_TR_START;
			break;
		case CH_END_LF:
			if (c != '\n')
				return chunk_fail(st, SL_HTTP1_ERR_CHUNK_CRLF);
			st->state = CH_DONE;
			break;
		default:
			return chunk_fail(st, SL_HTTP1_ERR_CHUNK_SIZE);
		}
	}
	return (int)i;
}

/* ------------------------------------------------------------------------------ helpers */

int sl_http1_find_hdr(const struct sl_http1_hdr *hdrs, size_t n, size_t start, const char *name)
{
	size_t nl = strlen(name);
	for (size_t i = start; i < n; i++)
		if (ieq2(hdrs[i].name, hdrs[i].name_len, name, nl))
			return (int)i;
	return -1;
}

bool sl_http1_list_next(const char **pos, const char *end, const char **tok, size_t *tok_len)
{
	const char *p = *pos;
	while (p < end) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		const char *a = p, *b = comma != NULL ? comma : end;
		p = comma != NULL ? comma + 1 : end;
		trim_ows(&a, &b);
		if (a < b) {
			*pos = p;
			*tok = a;
			*tok_len = (size_t)(b - a);
			return true;
		}
	}
	*pos = end;
	return false;
}

unsigned sl_http1_conn_flags(const char *v, size_t len)
{
	unsigned fl = 0;
	const char *p = v, *tok;
	size_t tl;
	while (sl_http1_list_next(&p, v + len, &tok, &tl)) {
		if (ieq2(tok, tl, "close", 5))
			fl |= SL_HTTP1_CONN_CLOSE;
		else if (ieq2(tok, tl, "keep-alive", 10))
			fl |= SL_HTTP1_CONN_KEEP_ALIVE;
		else if (ieq2(tok, tl, "upgrade", 7))
			fl |= SL_HTTP1_CONN_UPGRADE;
		else
			fl |= SL_HTTP1_CONN_OTHER;
	}
	return fl;
}

bool sl_http1_keep_alive(int minor, unsigned conn)
{
	if (conn & SL_HTTP1_CONN_CLOSE)
		return false;
	return minor >= 1 || (conn & SL_HTTP1_CONN_KEEP_ALIVE);
}

bool sl_http1_is_websocket(const struct sl_http1_req *req, const struct sl_http1_hdr *hdrs,
			   size_t n)
{
	if (req->meth != SL_HTTP1_M_GET || req->minor != 1 || !(req->conn & SL_HTTP1_CONN_UPGRADE))
		return false;
	for (int i = sl_http1_find_hdr(hdrs, n, 0, "upgrade"); i >= 0;
	     i = sl_http1_find_hdr(hdrs, n, (size_t)i + 1, "upgrade")) {
		const char *p = hdrs[i].value, *end = p + hdrs[i].value_len, *tok;
		size_t tl;
		while (sl_http1_list_next(&p, end, &tok, &tl)) {
			const char *slash = memchr(tok, '/', tl);
			if (slash != NULL)
				tl = (size_t)(slash - tok);
			if (ieq2(tok, tl, "websocket", 9))
				return true;
		}
	}
	return false;
}

bool sl_http1_hop_by_hop_name(const char *name, size_t len)
{
	static const char *const fixed[] = {
		"connection", "proxy-connection",  "keep-alive",
		"te",	      "transfer-encoding", "upgrade",
	};
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		if (ieq2(name, len, fixed[i], strlen(fixed[i])))
			return true;
	return false;
}

bool sl_http1_is_hop_by_hop(const struct sl_http1_hdr *hdrs, size_t n, size_t i)
{
	if (i >= n)
		return false;
	if (sl_http1_hop_by_hop_name(hdrs[i].name, hdrs[i].name_len))
		return true;
	for (int j = sl_http1_find_hdr(hdrs, n, 0, "connection"); j >= 0;
	     j = sl_http1_find_hdr(hdrs, n, (size_t)j + 1, "connection")) {
		const char *p = hdrs[j].value, *end = p + hdrs[j].value_len, *tok;
		size_t tl;
		while (sl_http1_list_next(&p, end, &tok, &tl))
			if (ieq2(tok, tl, hdrs[i].name, hdrs[i].name_len))
				return true;
	}
	return false;
}

bool sl_http1_cookie_find(const char *v, size_t len, const char *name, size_t name_len,
			  const char **val, size_t *val_len)
{
	const char *p = v, *end = v + len;
	while (p < end) {
		const char *semi = memchr(p, ';', (size_t)(end - p));
		const char *a = p, *b = semi != NULL ? semi : end;
		p = semi != NULL ? semi + 1 : end;
		trim_ows(&a, &b);
		const char *eq = memchr(a, '=', (size_t)(b - a));
		if (eq == NULL)
			continue;
		const char *na = a, *nb = eq, *va = eq + 1, *vb = b;
		trim_ows(&na, &nb);
		trim_ows(&va, &vb);
		if ((size_t)(nb - na) == name_len && memcmp(na, name, name_len) == 0) {
			*val = va;
			*val_len = (size_t)(vb - va);
			return true;
		}
	}
	return false;
}

bool sl_http1_cookie_find_hdrs(const struct sl_http1_hdr *hdrs, size_t n, const char *name,
			       size_t name_len, const char **val, size_t *val_len)
{
	for (int i = sl_http1_find_hdr(hdrs, n, 0, "cookie"); i >= 0;
	     i = sl_http1_find_hdr(hdrs, n, (size_t)i + 1, "cookie"))
		if (sl_http1_cookie_find(hdrs[i].value, hdrs[i].value_len, name, name_len, val,
					 val_len))
			return true;
	return false;
}

bool sl_http1_cookie_prefix_split(const char *v, size_t len, const char **srv, size_t *srv_len,
				  const char **orig, size_t *orig_len)
{
	const char *d = memchr(v, SL_HTTP1_COOKIE_PREFIX_DELIM, len);
	if (d == NULL || d == v)
		return false;
	*srv = v;
	*srv_len = (size_t)(d - v);
	*orig = d + 1;
	*orig_len = len - *srv_len - 1;
	return true;
}
