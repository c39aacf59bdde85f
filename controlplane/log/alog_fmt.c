/* SPDX-License-Identifier: BSD-3-Clause */
/* Access-log lines from records: see alog_fmt.h. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "controlplane/log/alog_fmt.h"

struct out {
	char *p;
	size_t n, len;
	bool last_sep; /* the last thing written is a separator (HAProxy's last_isspace) */
};

static void put(struct out *o, const char *s, size_t l)
{
	if (o->n == 0)
		return;
	size_t room = o->n - 1 - o->len;
	if (l > room)
		l = room;
	memcpy(o->p + o->len, s, l);
	o->len += l;
}

static void putc1(struct out *o, char ch)
{
	put(o, &ch, 1);
}

static void putf(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void putf(struct out *o, const char *fmt, ...)
{
	char tmp[128];
	va_list ap;
	va_start(ap, fmt);
	int k = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (k > 0)
		put(o, tmp, (size_t)k < sizeof(tmp) ? (size_t)k : sizeof(tmp) - 1);
}

/* HAProxy's hdr_encode_map (captured headers) and url_encode_map (the request line). */
static bool enc_hdr(unsigned char ch)
{
	return ch < 32 || ch >= 127 || ch == '"' || ch == '#' || ch == '{' || ch == '|' ||
	       ch == '}';
}

static bool enc_url(unsigned char ch)
{
	return ch < 32 || ch >= 127 || ch == '"' || ch == '#';
}

static void put_enc(struct out *o, const char *s, size_t l, bool (*enc)(unsigned char))
{
	static const char hex[] = "0123456789ABCDEF";
	for (size_t i = 0; i < l; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (enc(ch)) {
			char e[3] = {'#', hex[ch >> 4], hex[ch & 15]};
			put(o, e, 3);
		} else {
			putc1(o, (char)ch);
		}
	}
}

/* %{+E}: '"', '\\' and ']' escaped with a backslash (HAProxy's RFC 5424 escaping) */
static void put_esc(struct out *o, const char *s, size_t l)
{
	for (size_t i = 0; i < l; i++) {
		if (s[i] == '"' || s[i] == '\\' || s[i] == ']')
			putc1(o, '\\');
		putc1(o, s[i]);
	}
}

/* A text variable: "-" when @s is NULL, quoted with +Q. */
static void put_text(struct out *o, const struct sl_alog_item *it, const char *s, size_t l)
{
	bool q = it->flags & SL_AF_Q;
	if (q)
		putc1(o, '"');
	if (s == NULL && !q)
		putc1(o, '-'); /* quoted: "" */
	else if (s == NULL)
		;
	else if (it->flags & SL_AF_E)
		put_esc(o, s, l);
	else
		put(o, s, l);
	if (q)
		putc1(o, '"');
}

static void put_num(struct out *o, const struct sl_alog_item *it, long long v)
{
	if (it->flags & SL_AF_X)
		putf(o, "%llX", (unsigned long long)v);
	else
		putf(o, "%lld", v);
}

static void put_ip(struct out *o, const struct sl_alog_item *it, uint32_t ip)
{
	if (it->flags & SL_AF_X) {
		putf(o, "%08X", ip);
		return;
	}
	bool q = it->flags & SL_AF_Q;
	if (q)
		putc1(o, '"');
	putf(o, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255, ip & 255);
	if (q)
		putc1(o, '"');
}

static void put_port(struct out *o, const struct sl_alog_item *it, unsigned port)
{
	if (it->flags & SL_AF_X)
		putf(o, "%04X", port);
	else
		putf(o, "%u", port);
}

static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
				     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

/* dd/Mon/yyyy:hh:mm:ss, then ".mmm" (@ms) or " +zzzz" (@zone: GMT or local's) */
static void put_date(struct out *o, int64_t ms, bool gmt, bool with_ms, bool zone)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	if (gmt)
		gmtime_r(&t, &tm);
	else
		localtime_r(&t, &tm);
	putf(o, "%02d/%s/%04d:%02d:%02d:%02d", tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900,
	     tm.tm_hour, tm.tm_min, tm.tm_sec);
	if (with_ms)
		putf(o, ".%03d", (int)(ms % 1000));
	if (zone) {
		long off = gmt ? 0 : tm.tm_gmtoff;
		putf(o, " %c%02ld%02ld", off < 0 ? '-' : '+', (off < 0 ? -off : off) / 3600,
		     (off < 0 ? -off : off) % 3600 / 60);
	}
}

/* The @k-th entry of the record's text after the request line (captures, then samples): its
 * bytes and length, or NULL when absent. */
static const char *txt_entry(const struct sl_alog_rec *r, unsigned k, size_t *len)
{
	size_t off = r->rq_len;
	for (unsigned i = 0;; i++) {
		if (off + 2 > r->txt_len || off + 2 > sizeof(r->txt))
			return NULL;
		uint16_t l;
		memcpy(&l, r->txt + off, 2);
		off += 2;
		if (i == k) {
			if (l == SL_ALOG_ABSENT || off + l > r->txt_len)
				return NULL;
			*len = l;
			return r->txt + off;
		}
		if (l != SL_ALOG_ABSENT)
			off += l;
	}
}

/* %hr / %hs ({a|b}) and %hrl / %hsl ("a" "b" with +Q, else a b; "-" when absent). */
static void put_caps(struct out *o, const struct sl_alog_item *it, const struct sl_alog_rec *r,
		     unsigned first, unsigned n, bool list)
{
	if (!list)
		putc1(o, '{');
	for (unsigned i = 0; i < n; i++) {
		size_t l = 0;
		const char *v = txt_entry(r, first + i, &l);
		if (i > 0)
			putc1(o, list ? ' ' : '|');
		if (list && (it->flags & SL_AF_Q))
			putc1(o, '"');
		if (v != NULL)
			put_enc(o, v, l, enc_hdr);
		else if (list)
			putc1(o, '-');
		if (list && (it->flags & SL_AF_Q))
			putc1(o, '"');
	}
	if (!list)
		putc1(o, '}');
}

/* The request line's parts: method, URI, version (NULL when it has none). */
static void rq_parts(const struct sl_alog_rec *r, const char **m, size_t *ml, const char **u,
		     size_t *ul, const char **v, size_t *vl)
{
	const char *s = r->txt, *e = r->txt + r->rq_len;
	*m = *u = *v = NULL;
	*ml = *ul = *vl = 0;
	if (r->flags & SL_ALOG_F_BADREQ || r->rq_len == 0)
		return;
	const char *sp = memchr(s, ' ', (size_t)(e - s));
	*m = s;
	*ml = sp != NULL ? (size_t)(sp - s) : (size_t)(e - s);
	if (sp == NULL)
		return;
	s = sp + 1;
	sp = memchr(s, ' ', (size_t)(e - s));
	*u = s;
	*ul = sp != NULL ? (size_t)(sp - s) : (size_t)(e - s);
	if (sp == NULL)
		return;
	*v = sp + 1;
	*vl = (size_t)(e - sp - 1);
}

static void put_timer(struct out *o, const struct sl_alog_item *it, int32_t v)
{
	put_num(o, it, v < 0 ? -1 : v);
}

size_t sl_alog_format(char *buf, size_t n, const struct sl_alog_fmt *f,
		      const struct sl_alog_rec *r, const char *host, int pid)
{
	struct out o = {buf, n, 0, true}; /* HAProxy: no separator first */
	if (n == 0)
		return 0;
	const char *m, *u, *v;
	size_t ml, ul, vl;
	rq_parts(r, &m, &ml, &u, &ul, &v, &vl);
	int32_t ta = r->tt >= 0 ? r->tt - (r->th > 0 ? r->th : 0) - (r->ti > 0 ? r->ti : 0) : -1;
	for (unsigned i = 0; i < f->n; i++) {
		const struct sl_alog_item *it = &f->it[i];
		size_t before = o.len;
		switch ((enum sl_alog_var)it->var) {
		case SL_AV_SEP:
			if (!o.last_sep) {
				putc1(&o, ' ');
				o.last_sep = true;
			}
			continue;
		case SL_AV_TEXT:
			put(&o, f->text + it->off, it->len);
			break;
		case SL_AV_SAMPLE: {
			size_t l = 0;
			const char *s = txt_entry(r, r->nhrq + r->nhrs + it->off, &l);
			put_text(&o, it, s, l);
			break;
		}
		case SL_AV_CI: put_ip(&o, it, r->cip); break;
		case SL_AV_CP: put_port(&o, it, r->cport); break;
		case SL_AV_FI: put_ip(&o, it, r->fip); break;
		case SL_AV_FP: put_port(&o, it, r->fport); break;
		case SL_AV_SI:
			if (r->sip != 0)
				put_ip(&o, it, r->sip);
			else
				put_text(&o, it, NULL, 0);
			break;
		case SL_AV_SP:
			if (r->sip != 0)
				put_port(&o, it, r->sport);
			else
				put_text(&o, it, NULL, 0);
			break;
		case SL_AV_FT:
		case SL_AV_F: {
			bool q = it->flags & SL_AF_Q;
			if (q)
				putc1(&o, '"');
			put(&o, r->fe, strnlen(r->fe, sizeof(r->fe)));
			if (it->var == SL_AV_FT && (r->flags & SL_ALOG_F_SSL))
				putc1(&o, '~');
			if (q)
				putc1(&o, '"');
			break;
		}
		case SL_AV_B: put_text(&o, it, r->be, strnlen(r->be, sizeof(r->be))); break;
		case SL_AV_S: put_text(&o, it, r->srv, strnlen(r->srv, sizeof(r->srv))); break;
		case SL_AV_T: put_date(&o, r->date_ms, false, true, false); break;
		case SL_AV_TR_DATE:
		case SL_AV_TRG:
		case SL_AV_TRL: {
			int64_t d = r->date_ms + (r->th > 0 ? r->th : 0) + (r->ti > 0 ? r->ti : 0);
			if (it->var == SL_AV_TR_DATE)
				put_date(&o, d, false, true, false);
			else
				put_date(&o, d, it->var == SL_AV_TRG, false, true);
			break;
		}
		case SL_AV_T_GMT: put_date(&o, r->date_ms, true, false, true); break;
		case SL_AV_T_LOCAL: put_date(&o, r->date_ms, false, false, true); break;
		case SL_AV_TS_EPOCH: put_num(&o, it, r->date_ms / 1000); break;
		case SL_AV_MS: putf(&o, "%03d", (int)(r->date_ms % 1000)); break;
		case SL_AV_TH: put_timer(&o, it, r->th); break;
		case SL_AV_TI: put_timer(&o, it, r->ti); break;
		case SL_AV_TQ_REQ: put_timer(&o, it, r->tq); break;
		case SL_AV_TQ: /* %Tq: Th + Ti + TR */
			put_timer(&o, it, r->tq < 0 ? -1 :
					  r->tq + (r->th > 0 ? r->th : 0) + (r->ti > 0 ? r->ti : 0));
			break;
		case SL_AV_TW: put_timer(&o, it, r->tw); break;
		case SL_AV_TC: put_timer(&o, it, r->tc); break;
		case SL_AV_TR_RSP: put_timer(&o, it, r->tr); break;
		case SL_AV_TA: put_timer(&o, it, ta); break;
		case SL_AV_TT: put_timer(&o, it, r->tt); break;
		case SL_AV_ST: put_num(&o, it, r->status); break;
		case SL_AV_BYTES: put_num(&o, it, r->bytes_out); break;
		case SL_AV_UP: put_num(&o, it, r->bytes_in); break;
		case SL_AV_TS: put(&o, r->ts, 2); break;
		case SL_AV_TSC: put(&o, r->ts, 4); break;
		case SL_AV_AC: put_num(&o, it, r->ac); break;
		case SL_AV_FC: put_num(&o, it, r->fc); break;
		case SL_AV_BC: put_num(&o, it, r->bc); break;
		case SL_AV_SC: put_num(&o, it, r->sc); break;
		case SL_AV_RC:
			if (r->flags & SL_ALOG_F_REDISP)
				putc1(&o, '+');
			put_num(&o, it, r->rc);
			break;
		case SL_AV_SQ: put_num(&o, it, r->sq); break;
		case SL_AV_BQ: put_num(&o, it, r->bq); break;
		case SL_AV_HR:
		case SL_AV_HRL:
			if (r->nhrq == 0)
				continue; /* nothing, and the separator before stays the last */
			put_caps(&o, it, r, 0, r->nhrq, it->var == SL_AV_HRL);
			break;
		case SL_AV_HS:
		case SL_AV_HSL:
			if (r->nhrs == 0)
				continue;
			put_caps(&o, it, r, r->nhrq, r->nhrs, it->var == SL_AV_HSL);
			break;
		case SL_AV_R:
			if (it->flags & SL_AF_Q)
				putc1(&o, '"');
			if (r->flags & SL_ALOG_F_BADREQ)
				put(&o, "<BADREQ>", 8);
			else
				put_enc(&o, r->txt, r->rq_len, enc_url);
			if (it->flags & SL_AF_Q)
				putc1(&o, '"');
			break;
		case SL_AV_HM: put_text(&o, it, m, ml); break;
		case SL_AV_HU:
		case SL_AV_HP: {
			size_t l = ul;
			if (it->var == SL_AV_HP && u != NULL) {
				const char *qm = memchr(u, '?', ul);
				if (qm != NULL)
					l = (size_t)(qm - u);
			}
			if (u == NULL) {
				put_text(&o, it, NULL, 0);
				break;
			}
			if (it->flags & SL_AF_Q)
				putc1(&o, '"');
			put_enc(&o, u, l, enc_url);
			if (it->flags & SL_AF_Q)
				putc1(&o, '"');
			break;
		}
		case SL_AV_HV: put_text(&o, it, v, vl); break;
		case SL_AV_ID: put_text(&o, it, NULL, 0); break;
		case SL_AV_SSLV:
			put_text(&o, it, r->sslv[0] ? r->sslv : NULL, strnlen(r->sslv, sizeof(r->sslv)));
			break;
		case SL_AV_SSLC:
			put_text(&o, it, r->sslc[0] ? r->sslc : NULL, strnlen(r->sslc, sizeof(r->sslc)));
			break;
		case SL_AV_CC:
		case SL_AV_CS: put_text(&o, it, NULL, 0); break;
		case SL_AV_PID: put_num(&o, it, pid); break;
		case SL_AV_H: put_text(&o, it, host, host != NULL ? strlen(host) : 0); break;
		case SL_AV_O: continue; /* a flag for the items after it (%o): nothing written */
		case SL_AV_HTTPS_ERRS:
			if (r->flags & SL_ALOG_F_SSL)
				putf(&o, "0/0/0/0/%d", (r->flags & SL_ALOG_F_RESUMED) ? 1 : 0);
			else
				put(&o, "0/-/-/-/0", 9);
			break;
		}
		if (o.len != before || it->var != SL_AV_TEXT)
			o.last_sep = false;
	}
	buf[o.len] = '\0';
	return o.len;
}
