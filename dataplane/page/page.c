/* SPDX-License-Identifier: BSD-3-Clause */
#include "dataplane/page/page.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_malloc.h>

#include "controlplane/cfg/cfg.h"
#include "dataplane/core/gen.h"
#include "dataplane/core/lcore.h"
#include "dataplane/tcp/stack.h"
#include "proto/http1.h"
#include "proto/outbuf.h"

_Static_assert(sizeof(struct sl_page_req) <= sizeof(((struct sl_msg *)0)->u.raw), "fits a msg");

/* A connection's life: reading its request, then (the request's bytes lent to main) waiting for
 * the answer, then sending it; ORPHAN: the client went while main renders (the slot waits for
 * the answer, which is then given back unsent). */
enum page_state { PG_FREE, PG_READ, PG_WAIT, PG_SEND, PG_ORPHAN };

struct sl_page;

struct page_conn {
	struct sl_page *pg;
	uint8_t state;		   /* enum page_state */
	bool service;		   /* use-service prometheus-exporter */
	uint32_t tag;		   /* bumped at each use: an answer for an earlier use is dropped */
	struct sl_tcp_conn *c;
	const struct sl_proxy *px; /* the stats proxy (this lcore's configuration) */
	uint32_t cip;
	uint16_t dport;
	size_t len;
	struct sl_outbuf *out;	   /* the answer (main's, given back once sent) */
	char head[SL_PAGE_HEAD_MAX];
};

/* A stats proxy this lcore listens for. */
struct page_listener {
	struct sl_page *pg;
	const struct sl_proxy *px;
};

#define PAGE_LISTENERS 64

/* The page connections of one proxy lcore (lc->page): written by that lcore only. */
struct sl_page {
	struct sl_lcore *lc;
	struct page_conn conn[SL_PAGE_CONNS];
	struct page_listener lst[PAGE_LISTENERS];
	unsigned nlst;
};

bool sl_page_request_complete(const char *buf, size_t len)
{
	const char *e = memmem(buf, len, "\r\n\r\n", 4);
	if (e == NULL)
		return len >= SL_PAGE_HEAD_MAX;
	struct sl_http1_req req;
	struct sl_http1_hdr hdrs[64];
	size_t nh = 64;
	int hl = sl_http1_parse_request(buf, len, SL_PAGE_HEAD_MAX, &req, hdrs, &nh);
	if (hl <= 0 || !(req.flags & SL_HTTP1_F_CL))
		return true;
	return len >= SL_PAGE_HEAD_MAX || (uint64_t)(len - (size_t)hl) >= req.content_length;
}

/* Gives main's answer buffer back (main frees it). */
static void give_back(struct sl_page *pg, struct page_conn *pc)
{
	if (pc->out == NULL)
		return;
	struct sl_msg m = {.op = SL_MSG_FREE_OUTBUF, .ptr = pc->out};
	if (sl_msg_to_main(pg->lc, &m) == 0)
		pc->out = NULL; /* else kept, given back at the slot's next use */
}

static void conn_free(struct sl_page *pg, struct page_conn *pc)
{
	give_back(pg, pc);
	pc->state = PG_FREE;
	pc->c = NULL;
}

/* Lends the request to main for rendering. */
static void ask_main(struct sl_page *pg, struct page_conn *pc)
{
	struct sl_msg m = {.op = SL_MSG_PAGE_REQ,
			   .a = (uint32_t)(pc - pg->conn),
			   .b = pc->tag,
			   .ptr = pc->head};
	struct sl_page_req r = {.cip = pc->cip,
				.len = (uint32_t)pc->len,
				.dport = pc->dport,
				.px_slot = (uint16_t)pc->px->slot,
				.service = pc->service};
	memcpy(m.u.raw, &r, sizeof(r));
	if (sl_msg_to_main(pg->lc, &m) < 0) {
		sl_tcp_abort(pc->c); /* main is swamped: the client sees a reset, counted */
		conn_free(pg, pc);
		return;
	}
	pc->state = PG_WAIT;
}

/* Sends what the answer still holds; once it is all queued, our side closes. */
static void pump(struct page_conn *pc)
{
	while (pc->out != NULL && sl_outbuf_len(pc->out) > 0) {
		ssize_t w = sl_tcp_send(pc->c, sl_outbuf_data(pc->out), sl_outbuf_len(pc->out));
		if (w <= 0)
			break;
		sl_outbuf_consume(pc->out, (size_t)w);
	}
	if (pc->out == NULL || sl_outbuf_len(pc->out) == 0)
		sl_tcp_shutdown(pc->c);
}

/* ------------------------------------------------------------------ connection events */

static void page_readable(struct sl_tcp_conn *c, void *arg)
{
	struct page_conn *pc = arg;
	if (pc->state != PG_READ) {
		char sink[512];
		while (sl_tcp_recv(c, sink, sizeof(sink)) > 0)
			; /* a body or a pipelined request: ignored, the connection closes */
		return;
	}
	ssize_t r;
	while (pc->len < SL_PAGE_HEAD_MAX &&
	       (r = sl_tcp_recv(c, pc->head + pc->len, SL_PAGE_HEAD_MAX - pc->len)) > 0)
		pc->len += (size_t)r;
	if (pc->len > 0 && sl_page_request_complete(pc->head, pc->len))
		ask_main(pc->pg, pc);
}

static void page_writable(struct sl_tcp_conn *c, void *arg)
{
	struct page_conn *pc = arg;
	if (pc->state == PG_SEND)
		pump(pc);
}

static void page_peer_closed(struct sl_tcp_conn *c, void *arg)
{
	struct page_conn *pc = arg;
	page_readable(c, arg);
	if (pc->state == PG_READ && pc->len > 0)
		ask_main(pc->pg, pc); /* the client is done sending: answer what came */
	else if (pc->state == PG_READ)
		sl_tcp_shutdown(c); /* nothing asked: nothing to answer */
}

static void page_error(struct sl_tcp_conn *c, void *arg, int reason)
{
}

static void page_closed(struct sl_tcp_conn *c, void *arg);

static const struct sl_tcp_cbs page_cbs = {
	.readable = page_readable,
	.writable = page_writable,
	.peer_closed = page_peer_closed,
	.error = page_error,
	.closed = page_closed,
};

/* A free connection slot of @pg for @c, serving @px; NULL when all are busy. */
static struct page_conn *conn_take(struct sl_page *pg, struct sl_tcp_conn *c,
				   const struct sl_proxy *px)
{
	for (unsigned i = 0; i < SL_PAGE_CONNS; i++) {
		struct page_conn *pc = &pg->conn[i];
		if (pc->state != PG_FREE)
			continue;
		give_back(pg, pc); /* an answer main could not take back earlier */
		pc->state = PG_READ;
		pc->tag++;
		pc->c = c;
		pc->px = px;
		sl_tcp_endpoints(c, NULL, &pc->dport, &pc->cip, NULL);
		pc->service = false;
		pc->len = 0;
		sl_tcp_set_cbs(c, &page_cbs, pc);
		return pc;
	}
	return NULL;
}

static int page_accepted(struct sl_tcp_conn *c, void *arg)
{
	struct page_listener *pl = arg;
	/* every slot busy: the stack resets the connection */
	return conn_take(pl->pg, c, pl->px) != NULL ? 0 : -1;
}

static const struct sl_tcp_cbs listen_cbs = {.accepted = page_accepted};

/* ------------------------------------------------------------------ the lcore's role */

static void page_closed(struct sl_tcp_conn *c, void *arg)
{
	struct page_conn *pc = arg;
	sl_tcp_close(c);
	pc->c = NULL;
	if (pc->state == PG_WAIT) {
		pc->state = PG_ORPHAN; /* main still reads the request: the slot waits */
		return;
	}
	pc->state = PG_FREE; /* the answer, if any, is given back at the slot's next use */
}

/* SL_MSG_PAGE_ANSWER: main's answer to a request; sent, then our side closes. */
static void page_msg(struct sl_lcore *lc, void *st, const struct sl_msg *m)
{
	struct sl_page *pg = st;
	struct sl_outbuf *out = m->ptr;
	struct page_conn *pc = m->a < SL_PAGE_CONNS ? &pg->conn[m->a] : NULL;
	if (pc == NULL || pc->tag != (uint32_t)m->b ||
	    (pc->state != PG_WAIT && pc->state != PG_ORPHAN)) {
		struct sl_msg back = {.op = SL_MSG_FREE_OUTBUF, .ptr = out};
		sl_msg_to_main(lc, &back);
		return;
	}
	give_back(pg, pc);
	pc->out = out;
	if (pc->state == PG_ORPHAN) {
		conn_free(pg, pc);
		return;
	}
	pc->state = PG_SEND;
	pump(pc);
}

/* The stats page of @cfg standing for @px after a reload (a reload cannot remove one: the old
 * pointer is kept only if the configuration says otherwise, which sl_cfg_reload_check() refuses). */
static const struct sl_proxy *page_in(const struct sl_cfg *cfg, const struct sl_proxy *px)
{
	const struct sl_proxy *n = sl_cfg_stats_page_in(cfg, px);
	return n != NULL ? n : px;
}

/* A reload: the stats pages and their connections use the new configuration's proxies. */
static void page_follow(struct sl_lcore *lc, void *st, const struct sl_gen *g)
{
	struct sl_page *pg = st;
	for (unsigned i = 0; i < pg->nlst; i++)
		pg->lst[i].px = page_in(g->cfg, pg->lst[i].px);
	for (unsigned i = 0; i < SL_PAGE_CONNS; i++)
		if (pg->conn[i].state != PG_FREE && pg->conn[i].px != NULL)
			pg->conn[i].px = page_in(g->cfg, pg->conn[i].px);
}

/* `use-service prometheus-exporter`: the HTTP engine hands over its client connection with the
 * request read. */
static bool page_adopt(struct sl_lcore *lc, void *st, struct sl_tcp_conn *c,
		       const struct sl_proxy *fe, const char *buf, size_t len)
{
	struct sl_page *pg = st;
	struct page_conn *pc = conn_take(pg, c, fe);
	if (pc == NULL)
		return false;
	pc->service = true;
	pc->len = len < SL_PAGE_HEAD_MAX ? len : SL_PAGE_HEAD_MAX;
	memcpy(pc->head, buf, pc->len);
	ask_main(pg, pc);
	return true;
}

int sl_page_lcore_init(struct sl_dp *dp, struct sl_lcore *lc, const struct sl_cfg *cfg)
{
	struct sl_page *pg = calloc(1, sizeof(*pg));
	if (pg == NULL)
		return -1;
	pg->lc = lc;
	lc->page = pg;
	for (unsigned i = 0; i < SL_PAGE_CONNS; i++)
		pg->conn[i].pg = pg;
	for (const struct sl_proxy *px = cfg->proxies; px != NULL; px = px->next) {
		if (!(px->cap & SL_CAP_FE) || px->mode != SL_MODE_HTTP || !px->stats.enabled)
			continue;
		if (pg->nlst == PAGE_LISTENERS) {
			fprintf(stderr, "sluiced: at most %d stats pages\n", PAGE_LISTENERS);
			return -1;
		}
		struct page_listener *pl = &pg->lst[pg->nlst++];
		pl->pg = pg;
		pl->px = px;
		for (const struct sl_bind *b = px->binds; b != NULL; b = b->next) {
			if (b->addr.family != AF_INET || (!b->any && !sl_dp_owns(dp, b->addr.v4)))
				continue; /* a kernel address: main serves it (controlplane/kpage.c) */
			for (unsigned port = b->port_lo; port <= b->port_hi; port++) {
				uint32_t la = b->any ? 0 : b->addr.v4;
				int r = sl_tcp_listen(lc->tcp, la, (uint16_t)port, 256, &listen_cbs,
						      pl);
				/* the frontend's maxconn over every proxy lcore; beyond it SYNs wait
				 * unanswered, as in HAProxy's full accept queue */
				if (r == 0 && px->maxconn > 0)
					sl_tcp_listen_share(lc->tcp, la, (uint16_t)port,
							    (uint32_t)px->maxconn, dp->fe_conns,
							    SL_DP_FE_STRIDE, dp->nproxies,
							    lc->proxy_idx, px->slot);
				if (r < 0) {
					fprintf(stderr, "%s:%d: stats page on port %u: %s\n",
						b->loc.file, b->loc.line, port, strerror(-r));
					return -1;
				}
			}
		}
	}
	sl_lcore_add_service(lc, SL_SERVICE_PROMETHEUS, page_adopt, pg);
	struct sl_role r = {.name = "page",
			    .st = pg,
			    .msgs = SL_MSG_BIT(SL_MSG_PAGE_ANSWER),
			    .msg = page_msg,
			    .follow = page_follow};
	return sl_lcore_add_role(lc, &r);
}

void sl_page_lcore_fini(struct sl_lcore *lc)
{
	struct sl_page *pg = lc->page;
	if (pg == NULL)
		return;
	for (unsigned i = 0; i < SL_PAGE_CONNS; i++)
		if (pg->conn[i].out != NULL) {
			sl_outbuf_free(pg->conn[i].out);
			free(pg->conn[i].out);
		}
	free(pg);
	lc->page = NULL;
}
