/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Access logs on the proxy lcore: each session fills its own record (proto/alog.h, hx->alog_recs,
 * by session index) while its transaction runs, and copies it into the lcore's access-log ring
 * when the transaction ends (lc->alog: written by this lcore only, read by main, see
 * controlplane/alog_drain.c). A full ring is a counted drop (drop_access_log_ring_full), never a
 * wait. No allocation, no system call, no formatting beyond copying fields: main writes the text.
 *
 * Termination states as HAProxy 2.6's: the first character says who ended the transaction (C
 * client, S server, P proxy, L local answer, c/s a client/server timeout, '-' normally), the
 * second in which phase (R request, Q queue, C connect, H response head, D data); the cookie's
 * two characters follow with cookie persistence.
 */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include <rte_ring.h>

#include "controlplane/cfg/cfg-t.h"
#include "controlplane/cfg/cfg_reload.h"
#include "dataplane/balance/backend.h"
#include "dataplane/core/dp.h"
#include "dataplane/core/gen.h"
#include "dataplane/core/lcore.h"
#include "dataplane/http/http_int.h"
#include "dataplane/rules/lf_eval.h"
#include "dataplane/tcp/stack.h"
#include "tls/tls.h"

static struct sl_alog_rec *rec_of(struct hx_sess *s)
{
	struct sl_http *hx = s->hx;
	return hx->alog_recs != NULL ? &hx->alog_recs[s - hx->sess] : NULL;
}

static void name_copy(char *dst, const char *src)
{
	size_t l = src != NULL ? strnlen(src, SL_ALOG_NAME - 1) : 0;
	memcpy(dst, src, l);
	dst[l] = '\0';
}

/* Appends an entry (16-bit length, then the bytes) to the record's text; NULL: absent. */
static void txt_add(struct sl_alog_rec *r, const char *v, size_t l)
{
	if ((size_t)r->txt_len + 2 > sizeof(r->txt))
		return;
	uint16_t len = SL_ALOG_ABSENT;
	if (v != NULL) {
		size_t room = sizeof(r->txt) - r->txt_len - 2;
		if (l > room)
			l = room;
		len = (uint16_t)l;
	}
	memcpy(r->txt + r->txt_len, &len, 2);
	r->txt_len += 2;
	if (v != NULL) {
		memcpy(r->txt + r->txt_len, v, l);
		r->txt_len += (uint16_t)l;
	}
}

/* The captured headers @caps (@n) of @h (@nh): the last occurrence's value, cut at its len. */
static void capture(struct sl_alog_rec *r, const struct sl_capture *caps, int n,
		    const struct sl_http1_hdr *h, size_t nh)
{
	for (int i = 0; i < n; i++) {
		const struct sl_http1_hdr *found = NULL;
		size_t nl = strlen(caps[i].name);
		for (size_t k = 0; k < nh; k++)
			if (h[k].name_len == nl && strncasecmp(h[k].name, caps[i].name, nl) == 0) {
				found = &h[k];
				break; /* HAProxy keeps the first one */
			}
		size_t l = found != NULL ? found->value_len : 0;
		if (found != NULL && l > (size_t)caps[i].len)
			l = (size_t)caps[i].len;
		txt_add(r, found != NULL ? found->value : NULL, l);
	}
}

/* What every record of @s starts with: addresses, names, the frontend. */
static void rec_start(struct hx_sess *s, struct sl_alog_rec *r, uint64_t begin)
{
	memset(r, 0, offsetof(struct sl_alog_rec, txt));
	r->date_ms = (int64_t)begin;
	r->th = 0;
	r->ti = r->tq = r->tw = r->tc = r->tr = r->tt = -1;
	r->status = -1;
	r->cip = s->cip;
	r->cport = s->cport;
	r->fip = s->vip;
	r->fport = s->vport;
	r->slot = (uint16_t)s->fe->slot;
	name_copy(r->fe, s->fe->name);
	name_copy(r->be, s->fe->name);
	name_copy(r->srv, "<NOSRV>");
	memcpy(r->ts, "----", 4);
	if (s->tls != NULL) {
		r->flags |= SL_ALOG_F_SSL | (sl_tls_resumed(s->tls) ? SL_ALOG_F_RESUMED : 0);
		const char *v = sl_tls_version(s->tls), *ci = sl_tls_cipher(s->tls);
		if (v != NULL)
			strncpy(r->sslv, v, sizeof(r->sslv) - 1);
		if (ci != NULL)
			strncpy(r->sslc, ci, sizeof(r->sslc) - 1);
	}
}

/*
 * What HAProxy 2.6 counts of an HTTP/1 head in %B and %U: its HTX size, not the bytes on the
 * wire: 21 bytes of start-line structure, the start line's three parts, each header's name and
 * value (without ": ", the spaces around the value and CRLF), no Connection header (HAProxy's
 * H1 layer keeps it out of the message and writes its own). Returns that minus the head's
 * length on the wire (@p, up to the empty line within @len; 0 without one).
 */
static int64_t htx_adjust(const char *p, size_t len)
{
	const char *e = len >= 4 ? memmem(p, len, "\r\n\r\n", 4) : NULL;
	if (e == NULL)
		return 0;
	size_t hl = (size_t)(e - p) + 4;
	const char *l = p, *end = p + hl - 2;
	int64_t htx = 21;
	bool first = true;
	while (l < end) {
		const char *eol = memchr(l, '\r', (size_t)(end - l));
		if (eol == NULL)
			eol = end;
		size_t ll = (size_t)(eol - l);
		if (first) {
			htx += ll >= 2 ? (int64_t)ll - 2 : 0;
			first = false;
		} else {
			const char *c = memchr(l, ':', ll);
			if (c != NULL && !((size_t)(c - l) == 10 && strncasecmp(l, "connection", 10) == 0)) {
				const char *v = c + 1, *ve = eol;
				while (v < ve && (*v == ' ' || *v == '\t'))
					v++;
				while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
					ve--;
				htx += (c - l) + (ve - v);
			}
		}
		l = eol + 2;
	}
	return htx - (int64_t)hl;
}

void hx_alog_out_head(struct hx_sess *s, const char *p, size_t len)
{
	if (s->al == AL_TXN)
		s->al_adj_out += htx_adjust(p, len);
}

void hx_alog_begin(struct hx_sess *s, const struct sl_http1_req *req,
		   const struct sl_http1_hdr *h, size_t n, const struct sl_acl_ctx *ctx)
{
	struct sl_alog_rec *r = rec_of(s);
	const struct sl_alog_fmt *f = s->fe->alog;
	s->al = AL_NONE;
	if (r == NULL || f == NULL)
		return;
	struct sl_http *hx = s->hx;
	s->al = AL_TXN;
	s->al_be_fe = false;
	uint64_t now = hx->lc->now_ms;
	uint64_t begin = s->first ? s->t_accept : s->t_idle;
	rec_start(s, r, begin);
	if (s->first) {
		r->ti = 0;
		r->tq = (int32_t)(now - begin);
	} else {
		r->ti = (int32_t)(now - begin);
		r->tq = 0;
	}
	s->al_t0 = now;
	s->al_status = -1;
	s->al_ts[0] = '\0';
	uint64_t in = 0, out = 0;
	if (s->cli != NULL)
		sl_tcp_conn_bytes(s->cli, &in, &out);
	s->al_out0 = out;
	s->al_in0 = in >= s->blen ? in - s->blen : 0;
	s->al_adj_out = 0;
	s->al_adj_in = htx_adjust(s->buf, s->blen);
	/* the request line, as received (HAProxy keeps tune.http.logurilen bytes of it) */
	const char *eol = memchr(s->buf, '\r', s->blen);
	if (eol == NULL)
		eol = memchr(s->buf, '\n', s->blen);
	size_t ll = eol != NULL ? (size_t)(eol - s->buf) : 0;
	(void)req;
	if (ll > SL_ALOG_URI_MAX)
		ll = SL_ALOG_URI_MAX;
	memcpy(r->txt, s->buf, ll);
	r->rq_len = r->txt_len = (uint16_t)ll;
	r->nhrq = (uint8_t)s->fe->ncap_req;
	capture(r, s->fe->cap_req, s->fe->ncap_req, h, n);
	/* response captures are written when the response head comes: their places first */
	s->al_rsp_off = r->txt_len;
	r->nhrs = (uint8_t)s->fe->ncap_rsp;
	for (int i = 0; i < s->fe->ncap_rsp; i++)
		txt_add(r, NULL, 0);
	r->nsmp = (uint8_t)f->nsmp;
	for (unsigned i = 0; i < f->nsmp; i++) {
		char v[256];
		size_t vl = 0;
		if (sl_lf_eval(f->smp[i], ctx, NULL, v, sizeof(v), &vl) && vl > 0)
			txt_add(r, v, vl);
		else
			txt_add(r, NULL, 0);
	}
}

void hx_alog_rsp(struct hx_sess *s, const struct sl_http1_hdr *h, size_t n)
{
	struct sl_alog_rec *r = rec_of(s);
	if (s->al != AL_TXN || r == NULL || s->fe->ncap_rsp == 0)
		return;
	/* the samples after the response captures move with them: rewrite from there */
	char tail[SL_ALOG_TXT];
	size_t off = s->al_rsp_off, skip = off;
	for (int i = 0; i < s->fe->ncap_rsp && skip + 2 <= r->txt_len; i++) {
		uint16_t l;
		memcpy(&l, r->txt + skip, 2);
		skip += 2 + (l == SL_ALOG_ABSENT ? 0 : l);
	}
	size_t tl = r->txt_len - skip;
	memcpy(tail, r->txt + skip, tl);
	r->txt_len = (uint16_t)off;
	capture(r, s->fe->cap_rsp, s->fe->ncap_rsp, h, n);
	if (r->txt_len + tl <= sizeof(r->txt)) {
		memcpy(r->txt + r->txt_len, tail, tl);
		r->txt_len += (uint16_t)tl;
	}
}

void hx_alog_server(struct hx_sess *s, const char *name)
{
	struct sl_alog_rec *r = rec_of(s);
	if (s->al != AL_TXN || r == NULL)
		return;
	name_copy(r->srv, name);
	r->sip = s->srv_ip;
	r->sport = s->srv_port;
}

void hx_alog_term(struct hx_sess *s, const char *ts)
{
	if (s->al_ts[0] == '\0') {
		s->al_ts[0] = ts[0];
		s->al_ts[1] = ts[1];
	}
}

/* Connections of the frontend, the backend and the server now, over every proxy lcore (plain
 * loads of counters other lcores write: a moment old at worst). */
static void counts(struct hx_sess *s, struct sl_alog_rec *r, bool with_srv)
{
	struct sl_dp *dp = s->hx->dp;
	int slot = s->fe->slot;
	for (unsigned p = 0; p < dp->nproxies; p++) {
		const struct sl_lcore *lc = dp->lcores[dp->proxy_ids[p]];
		const struct sl_http *hx = lc != NULL ? lc->http : NULL;
		if (hx == NULL)
			continue;
		r->ac += __atomic_load_n(&hx->active, __ATOMIC_RELAXED);
		if (slot > 0 && slot <= SL_PX_SLOTS) {
			uint64_t st = __atomic_load_n(&hx->pxc[slot].stot, __ATOMIC_RELAXED);
			uint64_t en = __atomic_load_n(&hx->pxc[slot].ended, __ATOMIC_RELAXED);
			r->fc += (uint32_t)(st - en);
		}
	}
	if (!with_srv || s->be == NULL || s->be == s->fe)
		return;
	const struct sl_gen *g = __atomic_load_n(&dp->gen, __ATOMIC_ACQUIRE);
	int16_t bi = -1;
	const struct sl_bal_backend *b = g != NULL ? sl_gen_backend(g, s->be->name, &bi) : NULL;
	if (b == NULL)
		return;
	for (unsigned p = 0; p < dp->nproxies; p++)
		for (unsigned i = 0; i < b->nservers; i++) {
			uint32_t a = __atomic_load_n(&dp->proxy_active[p][b->servers[i].gidx],
						     __ATOMIC_RELAXED);
			r->bc += a;
			if (strcmp(b->servers[i].name, r->srv) == 0)
				r->sc += a;
		}
}

static void push(struct hx_sess *s, struct sl_alog_rec *r)
{
	struct sl_lcore *lc = s->hx->lc;
	if (lc->alog == NULL || rte_ring_sp_enqueue_elem(lc->alog, r, sizeof(*r)) != 0)
		lc->ctr->c[SL_CTR_DROP_ALOG_FULL]++;
	else
		lc->ctr->c[SL_CTR_ALOG_QUEUED]++;
}

void hx_alog_end(struct hx_sess *s)
{
	struct sl_alog_rec *r = rec_of(s);
	if (s->al != AL_TXN || r == NULL)
		return;
	s->al = AL_NONE;
	struct sl_http *hx = s->hx;
	struct hx_txn *t = &s->t;
	uint64_t now = hx->lc->now_ms;
	if (s->cli != NULL) {
		uint64_t in, out;
		sl_tcp_conn_bytes(s->cli, &in, &out);
		r->bytes_out = (int64_t)(out - s->al_out0) + s->al_adj_out;
		r->bytes_in = (int64_t)(in - s->al_in0) + s->al_adj_in;
	}
	r->status = s->al_status;
	if (s->be != NULL && !s->al_be_fe)
		name_copy(r->be, s->be->name);
	if (t->t_pick != 0)
		r->tw = (int32_t)(t->t_pick - s->al_t0);
	if (t->t_conn != 0 && t->t_open != 0)
		r->tc = (int32_t)(t->t_conn - t->t_open);
	if (t->t_rsp != 0 && t->t_conn != 0)
		r->tr = (int32_t)(t->t_rsp - t->t_conn);
	r->tt = (int32_t)(now - (uint64_t)r->date_ms);
	if (s->be != NULL && s->be != s->fe && t->t_pick != 0) {
		int tried = s->be->retries - t->retries;
		r->rc = tried > 0 ? (uint32_t)tried : 0;
	}
	r->ts[0] = s->al_ts[0] != '\0' ? s->al_ts[0] : '-';
	r->ts[1] = s->al_ts[0] != '\0' ? s->al_ts[1] : '-';
	r->ts[2] = r->ts[3] = '-';
	if (s->be != NULL && s->be->cookie.name != NULL && t->t_rsp != 0) {
		r->ts[2] = t->direct ? 'V' : 'N';
		r->ts[3] = !t->direct && s->be->cookie.mode == SL_COOKIE_INSERT ? 'I' : 'N';
	}
	counts(s, r, true);
	s->al_ts[0] = '\0';
	/* HAProxy's record date is the request's: the lcore's clock, main makes it a date */
	push(s, r);
}

void hx_alog_badreq(struct hx_sess *s, int status, const char *ts)
{
	struct sl_alog_rec *r = rec_of(s);
	if (r == NULL || s->fe == NULL || s->fe->alog == NULL || s->al_done)
		return;
	s->al_done = true;
	s->al = AL_NONE;
	uint64_t now = s->hx->lc->now_ms;
	uint64_t begin = s->first ? s->t_accept : s->t_idle;
	rec_start(s, r, begin);
	r->flags |= SL_ALOG_F_BADREQ;
	r->ti = 0;
	r->tt = (int32_t)(now - begin);
	r->status = status;
	memcpy(r->ts, ts, 2);
	counts(s, r, false);
	push(s, r);
}
