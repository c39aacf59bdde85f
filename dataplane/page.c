/* SPDX-License-Identifier: BSD-3-Clause */
#include "dataplane/page.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_malloc.h>

#include "controlplane/cfg.h"
#include "controlplane/http_auth.h"
#include "controlplane/outbuf.h"
#include "controlplane/stats_html.h"
#include "controlplane/stats_model.h"
#include "controlplane/stats_prom.h"
#include "dataplane/ctl.h"
#include "dataplane/dp.h"
#include "dataplane/tcp/stack.h"
#include "proto/http1.h"

#define PAGE_HEAD_MAX 8192

struct sl_page_conn {
	bool busy;
	const struct sl_proxy *px; /* the stats proxy (uri, realm, auth...) */
	struct sl_dp *dp;
	size_t len;
	bool answered;
	struct sl_outbuf out;      /* the response, sent as the send buffer frees */
	char head[PAGE_HEAD_MAX];
};

/* ------------------------------------------------------------------ responses */

static void reply(struct sl_page_conn *pc, int code, const char *reason, const char *ctype,
		  const char *extra_hdrs, const char *body, size_t blen)
{
	sl_outbuf_printf(&pc->out,
			 "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
			 "Cache-Control: no-cache\r\nConnection: close\r\n%s\r\n",
			 code, reason, ctype, blen, extra_hdrs != NULL ? extra_hdrs : "");
	sl_outbuf_append(&pc->out, body, blen);
	pc->answered = true;
}

static bool target_is(const char *t, size_t tl, const char *uri, const char *suffix)
{
	size_t ul = strlen(uri), sl = strlen(suffix);
	return tl == ul + sl && memcmp(t, uri, ul) == 0 && memcmp(t + ul, suffix, sl) == 0;
}

/* Builds the answer to the request head in pc->head. */
static void answer(struct sl_page_conn *pc)
{
	struct sl_http1_req req;
	struct sl_http1_hdr hdrs[64];
	size_t nh = 64;
	int r = sl_http1_parse_request(pc->head, pc->len, PAGE_HEAD_MAX, &req, hdrs, &nh);
	if (r < 0) {
		static const char bad[] = "<html><body><h1>400 Bad request</h1></body></html>\n";
		reply(pc, 400, "Bad request", "text/html", NULL, bad, sizeof(bad) - 1);
		return;
	}
	const struct sl_stats *st = &pc->px->stats;
	const char *uri = st->uri != NULL ? st->uri : "/haproxy?stats";
	const char *t = req.path;
	size_t tl = req.path_len + (req.has_query ? req.query_len + 1 : 0);
	enum { PAGE, CSV, JSON, NOREFRESH, PROM, NONE } what = NONE;
	if (target_is(t, tl, uri, ""))
		what = PAGE;
	else if (target_is(t, tl, uri, ";csv"))
		what = CSV;
	else if (target_is(t, tl, uri, ";json"))
		what = JSON;
	else if (target_is(t, tl, uri, ";norefresh"))
		what = NOREFRESH;
	else if (st->prometheus_uri != NULL && target_is(t, tl, st->prometheus_uri, ""))
		what = PROM;
	if (what == NONE) {
		static const char nf[] = "<html><body><h1>404 Not Found</h1></body></html>\n";
		reply(pc, 404, "Not Found", "text/html", NULL, nf, sizeof(nf) - 1);
		return;
	}
	if (st->auth != NULL) {
		int ai = sl_http1_find_hdr(hdrs, nh, 0, "authorization");
		char auth[10240 + 1] = "";
		if (ai >= 0 && hdrs[ai].value_len < sizeof(auth)) {
			memcpy(auth, hdrs[ai].value, hdrs[ai].value_len);
			auth[hdrs[ai].value_len] = '\0';
		}
		if (ai < 0 || !sl_http_auth_check(auth, st->auth)) {
			struct sl_outbuf ch;
			sl_outbuf_init(&ch, 4096);
			sl_http_auth_challenge(st->realm, &ch);
			static const char body[] =
				"<html><body><h1>401 Unauthorized</h1>\nYou need a valid user and password to access this content.\n</body></html>\n";
			char hdr[1024];
			snprintf(hdr, sizeof(hdr), "%.*s", (int)sl_outbuf_len(&ch), sl_outbuf_data(&ch));
			reply(pc, 401, "Unauthorized", "text/html", hdr, body, sizeof(body) - 1);
			sl_outbuf_free(&ch);
			return;
		}
	}
	struct sl_stats_row *rows;
	size_t n;
	if (pc->dp->ctl == NULL || sl_ctl_stats_rows(pc->dp->ctl, &rows, &n) < 0) {
		static const char busy[] = "<html><body><h1>503 Service Unavailable</h1></body></html>\n";
		reply(pc, 503, "Service Unavailable", "text/html", NULL, busy, sizeof(busy) - 1);
		return;
	}
	struct sl_outbuf body;
	sl_outbuf_init(&body, SL_OUTBUF_DEFAULT_CAP);
	struct sl_stats_filter flt;
	sl_stats_filter_init(&flt);
	const char *ctype = "text/html; charset=utf-8";
	if (what == CSV) {
		sl_stats_render(rows, n, SL_STATS_FMT_CSV, &flt, &body);
		ctype = "text/plain";
	} else if (what == JSON) {
		sl_stats_render(rows, n, SL_STATS_FMT_JSON, &flt, &body);
		ctype = "application/json";
	} else if (what == PROM) {
		sl_stats_prom_render(rows, n, NULL, &body);
		ctype = SL_STATS_PROM_CONTENT_TYPE;
	} else {
		struct sl_stats_html_opts o = {.uri = uri,
					       .version = SL_VERSION,
					       .hide_version = st->hide_version,
					       .show_legends = st->show_legends,
					       .refresh_ms = st->refresh,
					       .norefresh = what == NOREFRESH};
		sl_stats_html_render(rows, n, &o, &body);
	}
	reply(pc, 200, "OK", ctype, NULL, sl_outbuf_data(&body), sl_outbuf_len(&body));
	sl_outbuf_free(&body);
	sl_stats_rows_free(rows, n);
}

/* ------------------------------------------------------------------ connection events */

static void pump(struct sl_tcp_conn *c, struct sl_page_conn *pc)
{
	while (sl_outbuf_len(&pc->out) > 0) {
		ssize_t w = sl_tcp_send(c, sl_outbuf_data(&pc->out), sl_outbuf_len(&pc->out));
		if (w <= 0)
			break;
		sl_outbuf_consume(&pc->out, (size_t)w);
	}
	if (pc->answered && sl_outbuf_len(&pc->out) == 0)
		sl_tcp_shutdown(c);
}

static void page_readable(struct sl_tcp_conn *c, void *arg)
{
	struct sl_page_conn *pc = arg;
	ssize_t r;
	while (!pc->answered && pc->len < PAGE_HEAD_MAX &&
	       (r = sl_tcp_recv(c, pc->head + pc->len, PAGE_HEAD_MAX - pc->len)) > 0)
		pc->len += (size_t)r;
	if (!pc->answered && (memmem(pc->head, pc->len, "\r\n\r\n", 4) != NULL ||
			      pc->len >= PAGE_HEAD_MAX))
		answer(pc);
	if (pc->answered) {
		char sink[512];
		while (sl_tcp_recv(c, sink, sizeof(sink)) > 0)
			; /* a body or a pipelined request: ignored, the connection closes */
		pump(c, pc);
	}
}

static void page_writable(struct sl_tcp_conn *c, void *arg)
{
	pump(c, arg);
}

static void page_peer_closed(struct sl_tcp_conn *c, void *arg)
{
	struct sl_page_conn *pc = arg;
	page_readable(c, arg);
	if (!pc->answered)
		sl_tcp_shutdown(c);
}

static void page_error(struct sl_tcp_conn *c, void *arg, int reason)
{
}

static void page_closed(struct sl_tcp_conn *c, void *arg)
{
	struct sl_page_conn *pc = arg;
	sl_tcp_close(c);
	sl_outbuf_free(&pc->out);
	pc->busy = false;
}

static const struct sl_tcp_cbs page_cbs = {
	.readable = page_readable,
	.writable = page_writable,
	.peer_closed = page_peer_closed,
	.error = page_error,
	.closed = page_closed,
};

/* The listener's accept: a connection object from the lcore's pool, or a refusal when full. */
struct sl_page_listener {
	struct sl_page_listener *next; /* the lcore's list */
	struct sl_lcore *lc;
	const struct sl_proxy *px;
};

static int page_accepted(struct sl_tcp_conn *c, void *arg)
{
	struct sl_page_listener *pl = arg;
	struct sl_page_conn *pool = pl->lc->pages;
	for (unsigned i = 0; i < SL_PAGE_CONNS; i++) {
		struct sl_page_conn *pc = &pool[i];
		if (pc->busy)
			continue;
		pc->busy = true;
		pc->px = pl->px;
		pc->dp = pl->lc->dp;
		pc->len = 0;
		pc->answered = false;
		sl_outbuf_init(&pc->out, SL_OUTBUF_DEFAULT_CAP);
		sl_tcp_set_cbs(c, &page_cbs, pc);
		return 0;
	}
	return -1; /* every slot busy: the stack resets the connection */
}

static const struct sl_tcp_cbs listen_cbs = {.accepted = page_accepted};

int sl_page_listen(struct sl_dp *dp, struct sl_lcore *lc)
{
	for (const struct sl_proxy *px = dp->cfg->proxies; px != NULL; px = px->next) {
		if (!(px->cap & SL_CAP_FE) || px->mode != SL_MODE_HTTP || !px->stats.enabled)
			continue;
		if (lc->pages == NULL) {
			lc->pages = rte_zmalloc("sl_pages", sizeof(*lc->pages) * SL_PAGE_CONNS, 64);
			if (lc->pages == NULL)
				return -1;
		}
		struct sl_page_listener *pl = rte_zmalloc("sl_page_l", sizeof(*pl), 64);
		if (pl == NULL)
			return -1;
		pl->lc = lc;
		pl->px = px;
		pl->next = lc->page_lst;
		lc->page_lst = pl;
		for (const struct sl_bind *b = px->binds; b != NULL; b = b->next) {
			if (b->addr.family != AF_INET)
				continue;
			for (unsigned port = b->port_lo; port <= b->port_hi; port++) {
				uint32_t la = b->any ? 0 : b->addr.v4;
				int r = sl_tcp_listen(lc->tcp, la, (uint16_t)port, 256, &listen_cbs,
						      pl);
				/* the frontend's maxconn, shared out among the proxy lcores; beyond
				 * it SYNs wait unanswered, as in HAProxy's full accept queue */
				if (r == 0 && px->maxconn > 0)
					sl_tcp_listen_maxconn(lc->tcp, la, (uint16_t)port,
							      ((uint32_t)px->maxconn + dp->nproxies - 1) /
								      dp->nproxies,
							      false);
				if (r < 0) {
					fprintf(stderr, "%s:%d: stats page on port %u: %s\n",
						b->loc.file, b->loc.line, port, strerror(-r));
					return -1;
				}
				dp->svc_ports[port] = 1;
			}
		}
	}
	return 0;
}

/* The stats page of @cfg that stands for @px of the configuration a reload replaced: the same
 * name, else the stats-only frontend on the same first port (the listeners are unchanged). */
static const struct sl_proxy *page_in(const struct sl_cfg *cfg, const struct sl_proxy *px)
{
	const struct sl_proxy *n = sl_cfg_find_proxy(cfg, px->name, SL_CAP_FE);
	if (n != NULL && n->stats.enabled)
		return n;
	for (n = cfg->proxies; n != NULL && px->binds != NULL; n = n->next)
		for (const struct sl_bind *b = n->binds; n->stats.enabled && b != NULL; b = b->next)
			if (b->port_lo == px->binds->port_lo)
				return n;
	return px;
}

void sl_page_take_cfg(struct sl_lcore *lc, const struct sl_cfg *cfg)
{
	for (struct sl_page_listener *pl = lc->page_lst; pl != NULL; pl = pl->next)
		pl->px = page_in(cfg, pl->px);
	for (unsigned i = 0; lc->pages != NULL && i < SL_PAGE_CONNS; i++)
		if (lc->pages[i].busy)
			lc->pages[i].px = page_in(cfg, lc->pages[i].px);
}

void sl_page_fini(struct sl_lcore *lc)
{
	while (lc->page_lst != NULL) {
		struct sl_page_listener *pl = lc->page_lst;
		lc->page_lst = pl->next;
		rte_free(pl);
	}
	rte_free(lc->pages);
	lc->pages = NULL;
}
