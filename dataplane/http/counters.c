/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The HTTP engine's counters (HAProxy's columns per frontend, backend and server, written by
 * the proxy lcore, summed by main with plain loads) and its answers to main's questions (`show
 * errors`, `show sess`), written on the lcore into main's buffer.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "controlplane/cfg/cfg-t.h"
#include "controlplane/cfg/cfg_reload.h"
#include "dataplane/core/gen.h"
#include "dataplane/core/lcore.h"
#include "dataplane/http/http_int.h"
#include "dataplane/tcp/stack.h"

void hx_ctr(struct hx_sess *s, int c)
{
	s->hx->lc->ctr->c[c]++;
}

struct sl_hx_pxctr *hx_pxc(struct hx_sess *s, const struct sl_proxy *px)
{
	return px != NULL && px->slot > 0 && px->slot <= SL_PX_SLOTS ? &s->hx->pxc[px->slot] : NULL;
}

/* HAProxy's sliding average (swrate) of the last SL_HX_TIME_SAMPLES values: sum/N decays by one
 * N-th each sample; the reader divides by min(samples, N). */
static void time_add(uint32_t *sum, uint32_t v)
{
	*sum = *sum - (*sum + SL_HX_TIME_SAMPLES - 1) / SL_HX_TIME_SAMPLES + v;
}

static void times_add(struct sl_hx_times *t, uint64_t q, uint64_t c, uint64_t r, uint64_t tt)
{
	time_add(&t->q, (uint32_t)q);
	time_add(&t->c, (uint32_t)c);
	time_add(&t->r, (uint32_t)r);
	time_add(&t->t, (uint32_t)tt);
	t->n++;
}

/* The client connection's bytes since the last call into bin/bout of the frontend, the backend
 * and the server of the transaction (HAProxy's counters move while a transfer goes on). */
void hx_count_bytes(struct hx_sess *s)
{
	if (s->cli == NULL)
		return;
	uint64_t in, out;
	sl_tcp_conn_bytes(s->cli, &in, &out);
	uint64_t di = in - s->acc_in, dout = out - s->acc_out;
	if (di == 0 && dout == 0)
		return;
	s->acc_in = in;
	s->acc_out = out;
	struct sl_hx_pxctr *f = hx_pxc(s, s->fe), *b = s->be != s->fe ? hx_pxc(s, s->be) : NULL;
	if (f != NULL) {
		f->bin += di;
		f->bout += dout;
	}
	if (b != NULL) {
		b->bin += di;
		b->bout += dout;
	}
	if (s->srv_idx >= 0) {
		s->hx->srvc[s->srv_gidx].bin += di;
		s->hx->srvc[s->srv_gidx].bout += dout;
	}
}

/* The transaction ended (its response went out, or it failed): its times into the server's and
 * the backend's averages. */
void hx_count_times(struct hx_sess *s)
{
	if (s->srv_idx < 0 || s->t.t_req == 0)
		return;
	uint64_t now = s->hx->lc->now_ms;
	const struct hx_txn *x = &s->t;
	uint64_t q = x->t_pick >= x->t_req ? x->t_pick - x->t_req : 0;
	uint64_t c = x->t_conn >= x->t_open && x->t_open ? x->t_conn - x->t_open : 0;
	uint64_t r = x->t_rsp >= x->t_conn && x->t_conn ? x->t_rsp - x->t_conn : 0;
	uint64_t t = now - x->t_req;
	times_add(&s->hx->srvc[s->srv_gidx].tm, q, c, r, t);
	if (!s->tcp) /* a proxied TCP session is no HTTP request (HAProxy leaves req_tot empty) */
		s->hx->srvc[s->srv_gidx].req_tot++;
	struct sl_hx_pxctr *b = hx_pxc(s, s->be);
	if (b != NULL)
		times_add(&b->tm, q, c, r, t);
	s->t.t_req = 0;
}

/* A response of status @code went to the client: counted per class on the frontend, the
 * backend and (from a server) the server, as HAProxy's hrsp_* columns. */
void hx_count_rsp(struct hx_sess *s, int code, bool from_server)
{
	s->al_status = (int16_t)code;
	unsigned k = code >= 100 && code < 600 ? (unsigned)(code / 100 - 1) : 5;
	struct sl_hx_pxctr *f = hx_pxc(s, s->fe), *b = s->be != s->fe ? hx_pxc(s, s->be) : NULL;
	if (f != NULL)
		f->hrsp[k]++;
	if (b != NULL)
		b->hrsp[k]++;
	if (from_server && s->srv_idx >= 0)
		s->hx->srvc[s->srv_gidx].hrsp[k]++;
}

/* Keeps the start of a request refused as malformed (@reason) for `show errors` (answered
 * by this lcore to main's query: nobody else reads them). */
void hx_keep_error(struct hx_sess *s, const char *reason)
{
	struct sl_http *hx = s->hx;
	struct hx_err *e = &hx->errs[hx->nerr++ % HX_ERRORS];
	e->seq = 1;
	e->when_ms = hx->lc->now_ms;
	e->cip = s->cip;
	e->cport = s->cport;
	snprintf(e->frontend, sizeof(e->frontend), "%s", s->fe->name);
	e->reason = reason;
	e->total = s->blen;
	e->len = s->blen < HX_ERR_BYTES ? s->blen : HX_ERR_BYTES;
	memcpy(e->bytes, s->buf, e->len);
}

static void add_times(struct sl_hx_times *to, const struct sl_hx_times *t)
{
	to->q += t->q;
	to->c += t->c;
	to->r += t->r;
	to->t += t->t;
	to->n += t->n < SL_HX_TIME_SAMPLES ? t->n : SL_HX_TIME_SAMPLES;
}

void sl_http_sum(const struct sl_lcore *lc, struct sl_hx_pxctr *sum, unsigned npx,
		 struct sl_hx_srvctr *srv)
{
	const struct sl_http *hx = lc->http;
	if (hx == NULL)
		return;
	for (unsigned i = 0; i < npx && i <= SL_PX_SLOTS; i++) {
		const struct sl_hx_pxctr *p = &hx->pxc[i];
		sum[i].stot += p->stot;
		sum[i].ended += p->ended;
		sum[i].req_tot += p->req_tot;
		sum[i].ereq += p->ereq;
		sum[i].cli_abrt += p->cli_abrt;
		sum[i].bin += p->bin;
		sum[i].bout += p->bout;
		sum[i].dreq += p->dreq;
		sum[i].dcon += p->dcon;
		sum[i].intercepted += p->intercepted;
		sum[i].econ += p->econ;
		sum[i].eresp += p->eresp;
		sum[i].wretr += p->wretr;
		sum[i].wredis += p->wredis;
		sum[i].qcur += p->qcur;
		sum[i].srv_abrt += p->srv_abrt;
		add_times(&sum[i].tm, &p->tm);
		for (int k = 0; k < 6; k++)
			sum[i].hrsp[k] += p->hrsp[k];
	}
	for (unsigned g = 0; g < SL_MAX_SERVERS; g++) {
		const struct sl_hx_srvctr *c = &hx->srvc[g];
		for (int k = 0; k < 6; k++)
			srv[g].hrsp[k] += c->hrsp[k];
		srv[g].cli_abrt += c->cli_abrt;
		srv[g].bin += c->bin;
		srv[g].bout += c->bout;
		srv[g].req_tot += c->req_tot;
		srv[g].econ += c->econ;
		srv[g].eresp += c->eresp;
		srv[g].wretr += c->wretr;
		srv[g].wredis += c->wredis;
		srv[g].srv_abrt += c->srv_abrt;
		add_times(&srv[g].tm, &c->tm);
	}
}

bool sl_http_stats(const struct sl_lcore *lc, struct sl_http_stats *st)
{
	const struct sl_http *hx = lc->http;
	if (hx == NULL)
		return false;
	*st = (struct sl_http_stats){.active = hx->active,
				     .sessions = hx->nsess,
				     .bufs_free = hx->nbufs,
				     .bufsize = hx->bufsize,
				     .queued = hx->nqueued,
				     .queued_total = hx->queued_total,
				     .queue_timeouts = hx->queue_timeouts,
				     .sess_size = sizeof(struct hx_sess)};
	return true;
}

/* Appends to query @q (never past its buffer: the lcore allocates nothing). */
static void q_printf(struct sl_query *q, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void q_printf(struct sl_query *q, const char *fmt, ...)
{
	if (q->len + 1 >= q->size)
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(q->buf + q->len, q->size - q->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		q->len += (uint32_t)n < q->size - q->len ? (uint32_t)n : q->size - q->len - 1;
}

void hx_query_errors(struct sl_http *hx, struct sl_query *q)
{
	uint64_t now = hx->lc->now_ms;
	for (unsigned k = 0; k < HX_ERRORS; k++) {
		const struct hx_err *e = &hx->errs[k];
		if (e->seq == 0)
			continue;
		q->count++;
		q_printf(q,
			 "[%" PRIu64 " ms ago] frontend %s (lcore %u): invalid request\n"
			 "  src %u.%u.%u.%u:%u, reason: %s, %u bytes received, the first %u:\n",
			 now - e->when_ms, e->frontend, hx->lc->lcore_id, e->cip >> 24,
			 (e->cip >> 16) & 255, (e->cip >> 8) & 255, e->cip & 255, e->cport, e->reason,
			 e->total, e->len);
		/* as HAProxy prints them: offsets, printable bytes, the rest escaped */
		for (uint32_t off = 0; off < e->len;) {
			char line[160];
			size_t n = (size_t)snprintf(line, sizeof(line), "  %05u  ", off);
			while (off < e->len && n < 140) {
				unsigned char c = (unsigned char)e->bytes[off++];
				if (c >= 0x20 && c < 0x7f && c != '\\')
					line[n++] = (char)c;
				else
					n += (size_t)snprintf(line + n, sizeof(line) - n, "\\x%02x", c);
				if (c == '\n')
					break;
			}
			line[n] = '\0';
			q_printf(q, "%s\n", line);
		}
	}
}

static const char *rq_name(uint8_t p)
{
	static const char *const names[] = {"head", "body", "done", "tunnel"};
	return p < 4 ? names[p] : "?";
}

static const char *rs_name(uint8_t p)
{
	static const char *const names[] = {"-", "head", "body", "done", "tunnel", "closing"};
	return p < 6 ? names[p] : "?";
}

void hx_query_sess(struct sl_http *hx, struct sl_query *q)
{
	uint64_t now = hx->lc->now_ms;
	for (unsigned k = 0; k < hx->nsess && q->count < q->max; k++) {
		const struct hx_sess *s = &hx->sess[k];
		if (!s->busy)
			continue;
		uint32_t ip = s->cip, sip = s->srv_ip;
		char server[32] = "-";
		if (s->srv_idx >= 0)
			snprintf(server, sizeof(server), "%u.%u.%u.%u:%u", sip >> 24, sip >> 16 & 255,
				 sip >> 8 & 255, sip & 255, s->srv_port);
		q_printf(q,
			 "http lcore=%u id=%u src=%u.%u.%u.%u:%u fe=%s be=%s srv=%s req=%s rsp=%s%s%s%s age=%" PRIu64 "ms\n",
			 hx->lc->lcore_id, k, ip >> 24, ip >> 16 & 255, ip >> 8 & 255, ip & 255,
			 s->cport, s->fe != NULL ? s->fe->name : "-",
			 s->be != NULL ? s->be->name : "-", server, rq_name(s->rq), rs_name(s->rs),
			 s->tls != NULL ? " tls" : "", s->rq == RQ_TUNNEL ? " tunnel" : "",
			 s->srv_st == SRV_QUEUED ? " queued" : "",
			 now >= s->t_accept ? now - s->t_accept : 0);
		q->count++;
	}
}
