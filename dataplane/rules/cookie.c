/* SPDX-License-Identifier: BSD-3-Clause */
/* Cookie persistence codec: HAProxy's "cookie" keyword edits, byte for byte. */
#include "dataplane/rules/cookie.h"

#include <string.h>

#include "controlplane/cfg/cfg-t.h"

/* HAProxy's persistence cookie date separator: "SRV|LAST|FIRST". */
#define DATE_DELIM '|'
/* Encoded date length: 30 bits, 6 per char. */
#define DATE_CHARS 5

static const char b64_tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static inline bool is_ws(char c)
{
	return c == ' ' || c == '\t';
}

/* ------------------------------------------------------------------------------ output */

/*
 * A bounded writer that keeps counting past its capacity, so one pass tells both the result
 * and the size it needs. Bytes below cap are always those of the result: a byte is written
 * when produced, and trimming only moves len back. tail_ws counts the SP/HTAB at the end of
 * what was produced, so that trim_ws() works even on bytes that did not fit.
 */
struct emit {
	char *buf;
	size_t cap;
	size_t len;
	size_t tail_ws;
};

static void put(struct emit *e, const char *p, size_t n)
{
	if (e->len < e->cap) {
		size_t room = e->cap - e->len;
		memcpy(e->buf + e->len, p, n < room ? n : room);
	}
	size_t i = n;
	while (i > 0 && is_ws(p[i - 1]))
		i--;
	e->tail_ws = i == 0 ? e->tail_ws + n : n - i;
	e->len += n;
}

static void put_str(struct emit *e, const char *s)
{
	put(e, s, strlen(s));
}

static void trim_ws(struct emit *e)
{
	e->len -= e->tail_ws;
	e->tail_ws = 0;
}

/* ------------------------------------------------------------------------------- dates */

/* HAProxy's b64tos30(): 5 chars to 30 bits, most significant first; -1 on any other char. */
static int32_t b64_to_s30(const char *p)
{
	int32_t v = 0;
	for (int i = 0; i < DATE_CHARS; i++) {
		const char *d = p[i] != '\0' ? memchr(b64_tab, p[i], 64) : NULL;
		if (d == NULL)
			return -1;
		v = (v << 6) + (int32_t)(d - b64_tab);
	}
	return v;
}

/* HAProxy's s30tob64(): the low 30 bits of @v as 5 chars. */
static void s30_to_b64(uint32_t v, char out[DATE_CHARS])
{
	for (int i = 0; i < DATE_CHARS; i++)
		out[i] = b64_tab[(v >> (24 - 6 * i)) & 0x3f];
}

/* A "maxidle"/"maxlife" of the configuration (ms) in HAProxy's unit: seconds, rounded up. */
static uint32_t cfg_secs(int ms)
{
	return ms > 0 ? (uint32_t)(((int64_t)ms + 999) / 1000) : 0;
}

/*
 * Reads "SRV|LAST|FIRST" in @v[0, @len) as HAProxy does: the id ends at the first '|'; LAST is
 * read when at least 5 chars follow that bar, FIRST when more than 5 follow a second bar found
 * after the first (5 chars are decoded from each start, bars or not: HAProxy does the same,
 * and a bar is not a base64 char). A date decoding to 0 or failing is not set. Returns the id
 * length.
 */
static size_t parse_dates(const char *v, size_t len, uint32_t *last, uint32_t *first)
{
	*last = *first = 0;
	const char *bar = memchr(v, DATE_DELIM, len);
	if (bar == NULL)
		return len;
	const char *p = bar + 1, *end = v + len;
	if (end - p >= DATE_CHARS) {
		int32_t d = b64_to_s30(p);
		if (d > 0)
			*last = (uint32_t)d << 2;
	}
	const char *bar2 = memchr(p, DATE_DELIM, (size_t)(end - p));
	if (bar2 != NULL && end - bar2 > DATE_CHARS) {
		int32_t d = b64_to_s30(bar2 + 1);
		if (d > 0)
			*first = (uint32_t)d << 2;
	}
	return (size_t)(bar - v);
}

/* ----------------------------------------------------------------------------- scanning */

/*
 * HAProxy's http_find_cookie_value_end(): the end of a value starting at @p, at the first ';'
 * or ',' outside a DQUOTE-quoted string (a backslash escapes one char inside it), or @end.
 */
static size_t value_end(const char *v, size_t p, size_t end)
{
	bool quoted = false, escaped = false;
	for (; p < end; p++) {
		char c = v[p];
		if (escaped)
			escaped = false;
		else if (quoted) {
			if (c == '\\')
				escaped = true;
			else if (c == '"')
				quoted = false;
		} else if (c == '"')
			quoted = true;
		else if (c == ';' || c == ',')
			return p;
	}
	return end;
}

/*
 * One element of a Cookie value, or the first pair of a Set-Cookie value, as HAProxy cuts it:
 * [att_beg, att_end) the name without the spaces around it, eq the '=' (or the delimiter or
 * end that stopped the name), [val_beg, val_end) the value without the spaces around it, next
 * the delimiter after the value (or end). Without '=', val_beg == val_end == next == eq.
 */
struct elem {
	size_t att_beg, att_end, eq, val_beg, val_end, next;
	bool has_eq;
};

static void scan_elem(const char *v, size_t len, size_t from, bool comma_ends_name, struct elem *el)
{
	size_t a = from;
	while (a < len && is_ws(v[a]))
		a++;
	size_t eq = a, ae = a;
	while (eq < len) {
		char c = v[eq];
		if (c == '=' || c == ';' || (comma_ends_name && c == ','))
			break;
		eq++;
		if (!is_ws(c))
			ae = eq;
	}
	el->att_beg = a;
	el->att_end = ae;
	el->eq = eq;
	el->has_eq = eq < len && v[eq] == '=';
	if (!el->has_eq) {
		el->val_beg = el->val_end = el->next = eq;
		return;
	}
	size_t vb = eq + 1;
	while (vb < len && is_ws(v[vb]))
		vb++;
	size_t nx = value_end(v, vb, len), ve = nx;
	while (ve > vb && is_ws(v[ve - 1]))
		ve--;
	el->val_beg = vb;
	el->val_end = ve;
	el->next = nx;
}

static bool name_is(const char *v, const struct elem *el, const char *name, size_t nl)
{
	return nl > 0 && el->att_end - el->att_beg == nl && memcmp(v + el->att_beg, name, nl) == 0;
}

/* Emits the pair @el from @from on, spaces around '=' removed: [from, att_end) '=' value.... */
static void put_pair(struct emit *e, const char *v, size_t from, const struct elem *el,
		     size_t val_from)
{
	put(e, v + from, el->att_end - from);
	put(e, "=", 1);
	put(e, v + val_from, el->next - val_from);
}

/* ------------------------------------------------------------------------------ request */

/*
 * The server id of NAME element @el in @id (srv NULL when empty). Returns where the id ends:
 * in prefix mode the '~' (or the value's end without one), which is also where the strip ends.
 */
static size_t elem_id(const char *v, const struct elem *el, enum sl_ck_mode mode,
		      struct sl_cookie_id *id)
{
	const char *val = v + el->val_beg;
	size_t vlen = el->val_end - el->val_beg, idlen;
	*id = (struct sl_cookie_id){0};
	if (mode == SL_CK_PREFIX) {
		const char *srv, *orig;
		size_t orig_len;
		if (sl_http1_cookie_prefix_split(val, vlen, &srv, &idlen, &orig, &orig_len))
			; /* "SRV~orig": the id is SRV */
		else if (vlen > 0 && val[0] == SL_HTTP1_COOKIE_PREFIX_DELIM)
			idlen = 0; /* "~orig": no id, but the '~' is still stripped */
		else
			idlen = vlen; /* no '~': HAProxy takes the whole value as the id */
	} else {
		idlen = parse_dates(val, vlen, &id->last_date, &id->first_date);
	}
	if (idlen > 0) {
		id->srv = val;
		id->srv_len = idlen;
	} else {
		id->last_date = id->first_date = 0;
	}
	return el->val_beg + idlen;
}

/*
 * Cuts the Cookie element that begins at @start (the delimiter before it, or 0 for the first)
 * into @el; @first: it is the first one (no delimiter to skip). Returns whether it is a NAME
 * element: not a '$' attribute (HAProxy looks at those first), has '=', and the right name.
 */
static bool req_elem(const char *v, size_t len, size_t start, bool first, const char *name,
		     size_t nl, struct elem *el, bool *dollar)
{
	scan_elem(v, len, first ? start : start + 1, true, el);
	*dollar = el->att_beg < len && v[el->att_beg] == '$';
	return !*dollar && el->has_eq && name_is(v, el, name, nl);
}

bool sl_cookie_next_id(const char *v, size_t len, const char *name, enum sl_ck_mode mode,
		       size_t *pos, struct sl_cookie_id *id)
{
	/* *pos: 0 before the first element, then 1 + the offset where the last one ended */
	const size_t nl = name != NULL ? strlen(name) : 0;
	while (*pos == 0 ? len > 0 : *pos - 1 < len) {
		bool first = *pos == 0, dollar;
		size_t start = first ? 0 : *pos - 1;
		struct elem el;
		bool is_name = req_elem(v, len, start, first, name, nl, &el, &dollar);
		*pos = el.next + 1;
		if (!is_name)
			continue;
		elem_id(v, &el, mode, id);
		if (id->srv != NULL)
			return true;
	}
	return false;
}

int sl_cookie_req_rewrite(const char *v, size_t len, const char *name, enum sl_ck_mode mode,
			  bool indirect, bool preserve, char *buf, size_t cap,
			  struct sl_cookie_req_out *r)
{
	(void)preserve; /* a response-side option only */
	const size_t nl = name != NULL ? strlen(name) : 0;
	const bool remove = mode == SL_CK_INSERT && indirect;
	struct emit e = {.buf = buf, .cap = cap};
	struct sl_cookie_req_out o = {0};
	/*
	 * A run of removed elements (NAME ones and the '$' ones after them) is held back until
	 * the next kept element, which then joins what came before as HAProxy's
	 * http_del_hdr_value() does; a run still open at the end is cut off. del_first: the run
	 * began at the start of the value (HAProxy's del_from == hdr_beg). keep_any: some element
	 * was kept, so the value does not disappear (HAProxy's preserve_hdr).
	 */
	bool del = false, del_first = false, keep_any = false;
	size_t prev = 0, next;
	for (bool first = true; prev < len; prev = next, first = false) {
		struct elem el;
		bool dollar, is_name = req_elem(v, len, prev, first, name, nl, &el, &dollar);
		next = el.next;
		if (dollar) {
			/* an attribute of the cookie before it: goes with it */
			if (!del)
				put(&e, v + prev, next - prev);
			continue;
		}
		if (is_name) {
			struct sl_cookie_id id;
			size_t id_end = elem_id(v, &el, mode, &id);
			if (o.id.srv == NULL)
				o.id = id;
			o.count++;
			if (el.att_end != el.eq || el.val_beg != el.eq + 1)
				o.changed = true;
			if (mode == SL_CK_PREFIX && id_end != el.val_end) {
				put_pair(&e, v, prev, &el, id_end + 1);
				o.changed = true;
				keep_any = true;
			} else if (remove) {
				if (!del) {
					del = true;
					del_first = prev == 0;
				}
				o.changed = true;
			} else {
				put_pair(&e, v, prev, &el, el.val_beg);
			}
			continue;
		}
		/* another cookie, or an element without '=': kept */
		keep_any = true;
		size_t from = prev;
		if (del) {
			/*
			 * Join: a run at the start takes this element's separator and the
			 * spaces after it away; elsewhere the spaces before the run go, and
			 * this element's separator plus one SP take its place.
			 */
			if (!del_first) {
				trim_ws(&e);
				put(&e, v + prev, 1);
				put(&e, " ", 1);
			}
			from = el.att_beg;
			del = false;
		}
		if (!el.has_eq) {
			put(&e, v + from, next - from);
		} else {
			if (el.att_end != el.eq || el.val_beg != el.eq + 1)
				o.changed = true;
			put_pair(&e, v, from, &el, el.val_beg);
		}
	}
	if (del && !keep_any)
		e.len = 0; /* nothing but removed and '$' elements: the field goes */
	/* (a run open at the end with kept elements before it is cut off: e.len is there) */
	if (e.len > cap)
		return -1;
	o.len = e.len;
	o.drop = o.changed && o.len == 0;
	*r = o;
	return 0;
}

/* ----------------------------------------------------------------------------- response */

int sl_cookie_rsp_rewrite(const char *v, size_t len, const char *name, enum sl_ck_mode mode,
			  const char *srv, size_t srv_len, char *buf, size_t cap, size_t *out_len)
{
	struct elem el;
	/* Set-Cookie: commas are allowed in Expires, so only ';' and '=' end the name */
	scan_elem(v, len, 0, false, &el);
	if (!el.has_eq)
		return SL_COOKIE_RSP_KEEP; /* HAProxy ignores a first cookie without '=' */
	const size_t nl = name != NULL ? strlen(name) : 0;
	bool spaces = el.att_end != el.eq || el.val_beg != el.eq + 1;
	enum { PLAIN, PREFIXED, REPLACED } how = PLAIN;
	if (srv != NULL && name_is(v, &el, name, nl)) {
		if (mode == SL_CK_INSERT)
			return SL_COOKIE_RSP_DROP;
		if (srv_len > 0 && mode == SL_CK_REWRITE)
			how = REPLACED;
		else if (srv_len > 0 && mode == SL_CK_PREFIX)
			how = PREFIXED;
	}
	if (how == PLAIN && !spaces)
		return SL_COOKIE_RSP_KEEP;
	struct emit e = {.buf = buf, .cap = cap};
	put(&e, v, el.att_end);
	put(&e, "=", 1);
	if (how == REPLACED) {
		put(&e, srv, srv_len);
		put(&e, v + el.val_end, len - el.val_end);
	} else {
		if (how == PREFIXED) {
			put(&e, srv, srv_len);
			put(&e, "~", 1);
		}
		put(&e, v + el.val_beg, len - el.val_beg);
	}
	if (e.len > cap)
		return -1;
	*out_len = e.len;
	return SL_COOKIE_RSP_REWRITTEN;
}

/* ------------------------------------------------------------------------------- insert */

static int insert_build(const char *name, const char *srv_cookie, const struct sl_cookie *ck,
			bool dated, uint32_t now, uint32_t first_date, char *buf, size_t cap,
			size_t *out_len)
{
	struct emit e = {.buf = buf, .cap = cap};
	put_str(&e, name);
	if (srv_cookie == NULL) {
		put_str(&e, "=; Expires=Thu, 01-Jan-1970 00:00:01 GMT; path=/");
	} else {
		put(&e, "=", 1);
		put_str(&e, srv_cookie);
		if (dated && (ck->maxidle > 0 || ck->maxlife > 0)) {
			/* dates in 4 s units, rounded up: HAProxy's (now + 3) >> 2 */
			uint32_t now4 = (uint32_t)(((uint64_t)now + 3) >> 2);
			char d[1 + DATE_CHARS];
			d[0] = DATE_DELIM;
			s30_to_b64(now4, d + 1);
			put(&e, d, sizeof(d));
			if (ck->maxlife > 0) {
				s30_to_b64(first_date != 0 ? first_date >> 2 : now4, d + 1);
				put(&e, d, sizeof(d));
			}
		}
		put_str(&e, "; path=/");
	}
	for (const struct sl_cfg_str *s = ck->domains; s != NULL; s = s->next) {
		put_str(&e, "; domain=");
		put_str(&e, s->s);
	}
	if (ck->httponly)
		put_str(&e, "; HttpOnly");
	if (ck->secure)
		put_str(&e, "; Secure");
	if (ck->attrs != NULL) {
		/* the configuration joins them with "; " as HAProxy does */
		put_str(&e, "; ");
		put_str(&e, ck->attrs);
	}
	if (e.len > cap)
		return -1;
	*out_len = e.len;
	return 0;
}

int sl_cookie_insert_value_at(const char *name, const char *srv_cookie, const struct sl_cookie *ck,
			      uint32_t now, uint32_t first_date, char *buf, size_t cap,
			      size_t *out_len)
{
	return insert_build(name, srv_cookie, ck, true, now, first_date, buf, cap, out_len);
}

int sl_cookie_insert_value(const char *name, const char *srv_cookie, const struct sl_cookie *ck,
			   char *buf, size_t cap, size_t *out_len)
{
	return insert_build(name, srv_cookie, ck, false, 0, 0, buf, cap, out_len);
}

bool sl_cookie_insert_needed(const struct sl_cookie *ck, bool direct, bool srv_set_it, bool is_post,
			     uint32_t now, uint32_t last_date, uint32_t first_date)
{
	if (ck->postonly && !is_post)
		return false;
	if (ck->preserve && srv_set_it)
		return false;
	if (!direct)
		return true;
	/* HAProxy compares in 64 bits here: no wrap */
	if ((ck->maxidle > 0 || last_date != 0) && (last_date == 0 || last_date < now))
		return true;
	return (ck->maxlife > 0) != (first_date != 0);
}

enum sl_cookie_age sl_cookie_age(const struct sl_cookie *ck, uint32_t now, uint32_t last_date,
				 uint32_t first_date)
{
	uint32_t maxlife = cfg_secs(ck->maxlife), maxidle = cfg_secs(ck->maxidle);
	/* signed 32-bit differences, as HAProxy's (signed) casts; one day ahead is tolerated */
	if (first_date != 0 && maxlife != 0 &&
	    ((int32_t)(now - first_date) > (int32_t)maxlife || (int32_t)(first_date - now) > 86400))
		return SL_COOKIE_AGE_OLD;
	if (last_date != 0 && maxidle != 0 &&
	    ((int32_t)(now - last_date) > (int32_t)maxidle || (int32_t)(last_date - now) > 86400))
		return SL_COOKIE_AGE_EXPIRED;
	return SL_COOKIE_AGE_OK;
}

/* -------------------------------------------------------------------------- cacheability */

/* True when @p[0, @len) starts with @lit, ASCII case-insensitively (HAProxy's istmatchi). */
static bool istarts(const char *p, size_t len, const char *lit)
{
	size_t n = strlen(lit);
	return len >= n && sl_http1_ieq(p, n, lit);
}

bool sl_cookie_cacheable(enum sl_http1_method meth, const struct sl_http1_resp *rsp,
			 const struct sl_http1_hdr *h, size_t n)
{
	/* RFC 7231 4.2.1 safe methods: HAProxy's TX_CACHEABLE at request time */
	bool cacheable = meth == SL_HTTP1_M_GET || meth == SL_HTTP1_M_HEAD ||
			 meth == SL_HTTP1_M_OPTIONS || meth == SL_HTTP1_M_TRACE;
	if (rsp->status < 200)
		return false;
	int i = sl_http1_find_hdr(h, n, 0, "pragma");
	if (i >= 0 && sl_http1_ieq(h[i].value, h[i].value_len, "no-cache"))
		return false;
	bool fresh = false, null_maxage = false;
	for (i = sl_http1_find_hdr(h, n, 0, "cache-control"); i >= 0;
	     i = sl_http1_find_hdr(h, n, (size_t)i + 1, "cache-control")) {
		const char *p = h[i].value, *end = p + h[i].value_len, *t;
		size_t tl;
		while (sl_http1_list_next(&p, end, &t, &tl)) {
			if (sl_http1_ieq(t, tl, "public")) {
				cacheable = true;
			} else if (sl_http1_ieq(t, tl, "max-age=0")) {
				null_maxage = true; /* unless an s-maxage comes after */
			} else if (sl_http1_ieq(t, tl, "private") ||
				   sl_http1_ieq(t, tl, "no-cache") ||
				   sl_http1_ieq(t, tl, "no-store") ||
				   sl_http1_ieq(t, tl, "s-maxage=0")) {
				cacheable = false;
			} else if (istarts(t, tl, "no-cache=\"set-cookie")) {
				/* only the cookie is uncacheable: not the response */
			} else if (istarts(t, tl, "s-maxage")) {
				fresh = true;
				null_maxage = false;
			} else if (istarts(t, tl, "max-age")) {
				fresh = true;
			}
		}
	}
	if (null_maxage)
		cacheable = false;
	if (!fresh)
		fresh = sl_http1_find_hdr(h, n, 0, "expires") >= 0;
	/* RFC 7234 3: neither an expiration time nor a validator, nothing a cache may store */
	if (!fresh && sl_http1_find_hdr(h, n, 0, "etag") < 0 &&
	    sl_http1_find_hdr(h, n, 0, "last-modified") < 0)
		cacheable = false;
	return cacheable;
}

bool sl_cookie_nocache_applies(const struct sl_http1_resp *rsp, const struct sl_http1_hdr *h,
			       size_t n)
{
	return sl_cookie_cacheable(SL_HTTP1_M_GET, rsp, h, n);
}
