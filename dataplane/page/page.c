/* SPDX-License-Identifier: BSD-3-Clause */
#include "dataplane/page/page.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <rte_malloc.h>

#include "dataplane/rules/acl_eval.h"
#include "controlplane/cfg/cfg.h"
#include "dataplane/rules/http_auth.h"
#include "proto/outbuf.h"
#include "controlplane/stats/stats_html.h"
#include "controlplane/stats/stats_model.h"
#include "controlplane/stats/stats_prom.h"
#include "controlplane/commands.h"
#include "dataplane/core/dp.h"
#include "dataplane/tcp/stack.h"
#include "proto/http1.h"

#define PAGE_HEAD_MAX 8192

struct sl_page_conn {
	bool busy;
	const struct sl_proxy *px; /* the stats proxy (uri, realm, auth...) */
	struct sl_dp *dp;
	uint32_t cip;
	uint16_t dport;
	bool service; /* use-service prometheus-exporter: the exposition, whatever the URI */
	size_t len;
	bool answered;
	struct sl_outbuf out;      /* the response, sent as the send buffer frees */
	char head[PAGE_HEAD_MAX];
};

/* ------------------------------------------------------------------ responses */

/* A request to a stats page, whichever transport carried it (the proxy lcores' stack or a
 * kernel socket of the main lcore). */
struct page_req {
	struct sl_dp *dp;
	const struct sl_proxy *px; /* the stats proxy (uri, realm, auth, admin...) */
	const char *buf;	   /* what was received: the head, then a body */
	size_t len;
	uint32_t cip;		   /* the client's address (ACLs of `stats admin if`) */
	uint16_t dport;
	bool service;		   /* use-service prometheus-exporter: no URI, no auth */
	struct sl_acl_scratch *scratch; /* the lcore's regex scratch, or NULL */
};

static void reply(struct sl_outbuf *out, int code, const char *reason, const char *ctype,
		  const char *extra_hdrs, const char *body, size_t blen)
{
	sl_outbuf_printf(out,
			 "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
			 "Cache-Control: no-cache\r\nConnection: close\r\n%s\r\n",
			 code, reason, ctype, blen, extra_hdrs != NULL ? extra_hdrs : "");
	sl_outbuf_append(out, body, blen);
}

static void reply_html(struct sl_outbuf *out, int code, const char *reason, const char *text)
{
	char body[256];
	int n = snprintf(body, sizeof(body), "<html><body><h1>%d %s</h1>\n%s</body></html>\n", code,
			 reason, text);
	reply(out, code, reason, "text/html", NULL, body, (size_t)n);
}

/* HAProxy's answer to an admin POST: 303 back to the page, the outcome in ";st=". */
static void reply_see_other(struct sl_outbuf *out, const char *uri, const char *st)
{
	char hdr[512];
	snprintf(hdr, sizeof(hdr), "Location: %s;st=%s\r\n", uri, st);
	reply(out, 303, "See Other", "text/html", hdr, "", 0);
}

static bool target_is(const char *t, size_t tl, const char *uri, const char *suffix)
{
	size_t ul = strlen(uri), sl = strlen(suffix);
	return tl == ul + sl && memcmp(t, uri, ul) == 0 && memcmp(t + ul, suffix, sl) == 0;
}

/* Whether the request in buf is complete: its head, and the body its Content-Length announces
 * (or the buffer is full: answered as it is). */
static bool page_complete(const char *buf, size_t len)
{
	const char *e = memmem(buf, len, "\r\n\r\n", 4);
	if (e == NULL)
		return len >= PAGE_HEAD_MAX;
	struct sl_http1_req req;
	struct sl_http1_hdr hdrs[64];
	size_t nh = 64;
	int hl = sl_http1_parse_request(buf, len, PAGE_HEAD_MAX, &req, hdrs, &nh);
	if (hl <= 0 || !(req.flags & SL_HTTP1_F_CL))
		return true;
	return len >= PAGE_HEAD_MAX || (uint64_t)(len - (size_t)hl) >= req.content_length;
}

/* The value of form field @name in an application/x-www-form-urlencoded @body, decoded into
 * @v (size @vn). Returns false when absent, malformed or too long. */
static bool form_field(const char *body, size_t blen, const char *name, char *v, size_t vn)
{
	size_t nl = strlen(name);
	for (size_t i = 0; i < blen;) {
		size_t j = i;
		while (j < blen && body[j] != '&')
			j++;
		if (j - i > nl && memcmp(body + i, name, nl) == 0 && body[i + nl] == '=') {
			size_t o = 0;
			for (size_t k = i + nl + 1; k < j; k++) {
				char c = body[k];
				if (c == '+') {
					c = ' ';
				} else if (c == '%') {
					unsigned x;
					if (k + 2 >= j + 0 || sscanf(body + k + 1, "%2x", &x) != 1 ||
					    !isxdigit((unsigned char)body[k + 1]) ||
					    !isxdigit((unsigned char)body[k + 2]))
						return false;
					c = (char)x;
					k += 2;
				}
				if (o + 1 >= vn || c == '\0')
					return false;
				v[o++] = c;
			}
			v[o] = '\0';
			return true;
		}
		i = j + 1;
	}
	return false;
}

/* A header's value as a NUL-terminated string in @v (size @vn); false when absent or too long. */
static bool hdr_value(const struct sl_http1_hdr *h, size_t nh, const char *name, char *v, size_t vn)
{
	int i = sl_http1_find_hdr(h, nh, 0, name);
	if (i < 0 || h[i].value_len >= vn)
		return false;
	memcpy(v, h[i].value, h[i].value_len);
	v[h[i].value_len] = '\0';
	return true;
}

/*
 * Same origin: a browser sends Origin with a POST (else at least Referer); either must name
 * this very host, so that another site's page cannot make a logged-in operator's browser
 * change a server's state. A request with neither (curl, scripts) is accepted: it carries the
 * credentials and the token itself.
 */
static bool same_origin(const struct sl_http1_hdr *h, size_t nh)
{
	char host[256], o[512];
	if (!hdr_value(h, nh, "host", host, sizeof(host)))
		return false;
	size_t hl = strlen(host);
	if (hdr_value(h, nh, "origin", o, sizeof(o)))
		return (strncmp(o, "http://", 7) == 0 && strcmp(o + 7, host) == 0) ||
		       (strncmp(o, "https://", 8) == 0 && strcmp(o + 8, host) == 0);
	if (hdr_value(h, nh, "referer", o, sizeof(o))) {
		const char *p = strncmp(o, "http://", 7) == 0	 ? o + 7 :
				strncmp(o, "https://", 8) == 0 ? o + 8 :
								   NULL;
		return p != NULL && strncmp(p, host, hl) == 0 && (p[hl] == '/' || p[hl] == '\0');
	}
	return true;
}

/* An admin POST (`stats admin`): action=disable|enable|drain|ready&b=BACKEND&s=SERVER&token=T. */
static void admin_post(const struct page_req *q, const char *uri, const struct sl_http1_hdr *h,
		       size_t nh, const char *body, size_t blen, bool allowed, struct sl_outbuf *out)
{
	char action[16], be[128], sv[128], token[64];
	if (!allowed) {
		reply_see_other(out, uri, "DENY");
		return;
	}
	if (!same_origin(h, nh)) {
		reply_html(out, 403, "Forbidden", "Cross-site request refused.\n");
		return;
	}
	if (!form_field(body, blen, "token", token, sizeof(token)) ||
	    strcmp(token, q->dp->admin_token) != 0) {
		reply_html(out, 403, "Forbidden", "Missing or wrong form token: reload the page.\n");
		return;
	}
	if (!form_field(body, blen, "action", action, sizeof(action)) ||
	    !form_field(body, blen, "b", be, sizeof(be)) ||
	    !form_field(body, blen, "s", sv, sizeof(sv))) {
		reply_see_other(out, uri, "ERRP");
		return;
	}
	uint8_t op = strcmp(action, "disable") == 0 ? SL_ADMIN_MAINT :
		     strcmp(action, "enable") == 0  ? SL_ADMIN_READY :
		     strcmp(action, "ready") == 0   ? SL_ADMIN_READY :
		     strcmp(action, "drain") == 0   ? SL_ADMIN_DRAIN :
						      0;
	int g = sl_l4_find_server(__atomic_load_n(&q->dp->l4, __ATOMIC_ACQUIRE), be, sv);
	if (op == 0 || g < 0) {
		reply_see_other(out, uri, op == 0 ? "ERRP" : "NONE");
		return;
	}
	struct sl_admin_req a = {.gidx = (uint16_t)g, .op = op};
	if (rte_ring_enqueue_elem(q->dp->admin_req, &a, sizeof(a)) != 0) {
		reply_see_other(out, uri, "EXCD");
		return;
	}
	reply_see_other(out, uri, "DONE");
}

/* The complete response to the request of @q in @out. */
static void respond(const struct page_req *q, struct sl_outbuf *out)
{
	struct sl_http1_req req;
	struct sl_http1_hdr hdrs[64];
	size_t nh = 64;
	int hl = sl_http1_parse_request(q->buf, q->len, PAGE_HEAD_MAX, &req, hdrs, &nh);
	if (hl <= 0) {
		reply_html(out, 400, "Bad request", "");
		return;
	}
	const struct sl_stats *st = &q->px->stats;
	const char *uri = st->uri != NULL ? st->uri : "/haproxy?stats";
	const char *t = req.path;
	size_t tl = req.path_len + (req.has_query ? req.query_len + 1 : 0);
	size_t ul = strlen(uri);
	enum { PAGE, CSV, JSON, NOREFRESH, PROM, NONE } what = NONE;
	if (target_is(t, tl, uri, "") || (tl > ul + 4 && memcmp(t, uri, ul) == 0 &&
					   memcmp(t + ul, ";st=", 4) == 0))
		what = PAGE;
	else if (target_is(t, tl, uri, ";csv"))
		what = CSV;
	else if (target_is(t, tl, uri, ";json"))
		what = JSON;
	else if (target_is(t, tl, uri, ";norefresh"))
		what = NOREFRESH;
	else if (st->prometheus_uri != NULL && target_is(t, tl, st->prometheus_uri, ""))
		what = PROM;
	if (q->service)
		what = PROM; /* the frontend's rule chose it (HAProxy's service has no auth) */
	if (what == NONE) {
		reply_html(out, 404, "Not Found", "");
		return;
	}
	if (st->auth != NULL && !q->service) {
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
			reply(out, 401, "Unauthorized", "text/html", hdr, body, sizeof(body) - 1);
			sl_outbuf_free(&ch);
			return;
		}
	}
	struct sl_acl_ctx actx = {.req = &req, .hdrs = hdrs, .nhdrs = nh, .src = q->cip,
				  .dst_port = q->dport, .scratch = q->scratch};
	bool admin = st->admin != NULL && q->dp->admin_req != NULL &&
		     sl_acl_cond_eval(q->px, st->admin, &actx);
	if (req.meth == SL_HTTP1_M_POST) {
		if (what != PAGE) {
			reply_html(out, 405, "Method Not Allowed", "");
			return;
		}
		admin_post(q, uri, hdrs, nh, q->buf + hl, q->len - (size_t)hl, admin, out);
		return;
	}
	struct sl_stats_row *rows;
	size_t n;
	if (q->dp->ctl == NULL || sl_ctl_stats_rows(q->dp->ctl, &rows, &n) < 0) {
		reply_html(out, 503, "Service Unavailable", "");
		return;
	}
	struct sl_ctl_dpview *dv = malloc(sizeof(*dv));
	if (dv != NULL)
		sl_ctl_dpview(q->dp->ctl, dv);
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
		sl_stats_prom_render(rows, n, dv != NULL ? &dv->dp : NULL, &body);
		ctype = SL_STATS_PROM_CONTENT_TYPE;
	} else {
		struct sl_stats_html_opts o = {.uri = uri,
					       .version = SL_VERSION,
					       .hide_version = st->hide_version,
					       .show_legends = st->show_legends,
					       .refresh_ms = st->refresh,
					       .norefresh = what == NOREFRESH,
					       .admin = admin,
					       .admin_token = q->dp->admin_token,
					       .dp = dv != NULL ? &dv->dp : NULL};
		sl_stats_html_render(rows, n, &o, &body);
	}
	reply(out, 200, "OK", ctype, NULL, sl_outbuf_data(&body), sl_outbuf_len(&body));
	sl_outbuf_free(&body);
	free(dv);
	sl_stats_rows_free(rows, n);
}

/* Builds the answer to the request in pc->head. */
static void answer(struct sl_page_conn *pc)
{
	const struct page_req q = {.dp = pc->dp, .px = pc->px, .buf = pc->head, .len = pc->len,
				   .cip = pc->cip, .dport = pc->dport, .service = pc->service};
	respond(&q, &pc->out);
	pc->answered = true;
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
	if (!pc->answered && page_complete(pc->head, pc->len))
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

/* A free connection slot of @lc for @c, serving @px; NULL when all are busy. */
static struct sl_page_conn *conn_take(struct sl_lcore *lc, struct sl_tcp_conn *c,
				      const struct sl_proxy *px)
{
	for (unsigned i = 0; lc->pages != NULL && i < SL_PAGE_CONNS; i++) {
		struct sl_page_conn *pc = &lc->pages[i];
		if (pc->busy)
			continue;
		pc->busy = true;
		pc->px = px;
		pc->dp = lc->dp;
		sl_tcp_endpoints(c, NULL, &pc->dport, &pc->cip, NULL);
		pc->service = false;
		pc->len = 0;
		pc->answered = false;
		sl_outbuf_init(&pc->out, SL_OUTBUF_DEFAULT_CAP);
		sl_tcp_set_cbs(c, &page_cbs, pc);
		return pc;
	}
	return NULL;
}

static int page_accepted(struct sl_tcp_conn *c, void *arg)
{
	struct sl_page_listener *pl = arg;
	/* every slot busy: the stack resets the connection */
	return conn_take(pl->lc, c, pl->px) != NULL ? 0 : -1;
}

static const struct sl_tcp_cbs listen_cbs = {.accepted = page_accepted};

bool sl_page_adopt(struct sl_lcore *lc, struct sl_tcp_conn *c, const struct sl_proxy *fe,
		   const char *buf, size_t len)
{
	if (lc->pages == NULL) /* a lcore without stats pages gets its pool now (rare, once) */
		lc->pages = rte_zmalloc("sl_pages", sizeof(*lc->pages) * SL_PAGE_CONNS, 64);
	struct sl_page_conn *pc = conn_take(lc, c, fe);
	if (pc == NULL)
		return false;
	pc->service = true;
	pc->len = len < PAGE_HEAD_MAX ? len : PAGE_HEAD_MAX;
	memcpy(pc->head, buf, pc->len);
	answer(pc);
	pump(c, pc);
	return true;
}

/* A bind on an address the dataplane does not own (127.0.0.1, a management address): the
 * kernel serves it, through a socket of the main lcore (sl_kpage_*). */
bool sl_page_bind_is_kernel(const struct sl_dp *dp, const struct sl_bind *b)
{
	if (b->any || b->addr.family != AF_INET)
		return false;
	for (unsigned i = 0; i < dp->naddrs; i++)
		if (dp->addrs[i].ip == b->addr.v4)
			return false;
	return true;
}

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
			if (b->addr.family != AF_INET || sl_page_bind_is_kernel(dp, b))
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

/* ------------------------------------------------------------------ kernel addresses
 *
 * A stats page bound on an address that is not the dataplane's is served by the kernel: an
 * ordinary non-blocking socket polled by the main lcore between its other duties (a page
 * request costs a few milliseconds of the main lcore, never a worker's time).
 */

#define KPAGE_LISTEN 8
#define KPAGE_CONNS 16
#define KPAGE_IDLE_MS 10000

struct kpage_conn {
	int fd; /* -1: free */
	const struct sl_proxy *px;
	uint32_t cip;
	uint16_t dport;
	bool answered;
	uint64_t since_ms;
	size_t len;
	struct sl_outbuf out;
	char head[PAGE_HEAD_MAX];
};

struct sl_kpage {
	struct sl_dp *dp;
	unsigned nl;
	int lfd[KPAGE_LISTEN];
	uint16_t lport[KPAGE_LISTEN];
	const struct sl_proxy *lpx[KPAGE_LISTEN];
	struct kpage_conn c[KPAGE_CONNS];
};

static int kpage_listen(struct sl_kpage *k, const struct sl_proxy *px, const struct sl_bind *b,
			unsigned port)
{
	if (k->nl == KPAGE_LISTEN) {
		fprintf(stderr, "%s:%d: stats page: at most %d ports on kernel addresses\n",
			b->loc.file, b->loc.line, KPAGE_LISTEN);
		return -1;
	}
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int one = 1;
	struct sockaddr_in sa = {.sin_family = AF_INET,
				 .sin_port = htons((uint16_t)port),
				 .sin_addr.s_addr = htonl(b->addr.v4)};
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 64) < 0) {
		fprintf(stderr, "%s:%d: stats page on %u.%u.%u.%u:%u (a kernel address): %s\n",
			b->loc.file, b->loc.line, b->addr.v4 >> 24, b->addr.v4 >> 16 & 255,
			b->addr.v4 >> 8 & 255, b->addr.v4 & 255, port, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	k->lfd[k->nl] = fd;
	k->lport[k->nl] = (uint16_t)port;
	k->lpx[k->nl++] = px;
	return 0;
}

int sl_kpage_open(struct sl_dp *dp, const struct sl_cfg *cfg, struct sl_kpage **out)
{
	*out = NULL;
	struct sl_kpage *k = NULL;
	for (const struct sl_proxy *px = cfg->proxies; px != NULL; px = px->next) {
		if (!(px->cap & SL_CAP_FE) || px->mode != SL_MODE_HTTP || !px->stats.enabled)
			continue;
		for (const struct sl_bind *b = px->binds; b != NULL; b = b->next) {
			if (!sl_page_bind_is_kernel(dp, b))
				continue;
			if (k == NULL && (k = calloc(1, sizeof(*k))) == NULL)
				return -1;
			k->dp = dp;
			for (unsigned i = 0; i < KPAGE_CONNS; i++)
				k->c[i].fd = -1;
			for (unsigned port = b->port_lo; port <= b->port_hi; port++)
				if (kpage_listen(k, px, b, port) < 0) {
					sl_kpage_close(k);
					return -1;
				}
		}
	}
	*out = k;
	return 0;
}

static void kpage_end(struct kpage_conn *c)
{
	close(c->fd);
	c->fd = -1;
	sl_outbuf_free(&c->out);
}

void sl_kpage_poll(struct sl_kpage *k)
{
	if (k == NULL)
		return;
	uint64_t now = sl_dp_now_ms(k->dp);
	for (unsigned l = 0; l < k->nl; l++) {
		struct sockaddr_in sa;
		socklen_t sl = sizeof(sa);
		int fd;
		while ((fd = accept4(k->lfd[l], (struct sockaddr *)&sa, &sl,
				     SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
			unsigned i = 0;
			while (i < KPAGE_CONNS && k->c[i].fd >= 0)
				i++;
			if (i == KPAGE_CONNS) { /* every slot busy: refused */
				close(fd);
				continue;
			}
			struct kpage_conn *c = &k->c[i];
			c->fd = fd;
			c->px = k->lpx[l];
			c->cip = ntohl(sa.sin_addr.s_addr);
			c->dport = k->lport[l];
			c->answered = false;
			c->since_ms = now;
			c->len = 0;
			sl_outbuf_init(&c->out, SL_OUTBUF_DEFAULT_CAP);
			sl = sizeof(sa);
		}
	}
	for (unsigned i = 0; i < KPAGE_CONNS; i++) {
		struct kpage_conn *c = &k->c[i];
		if (c->fd < 0)
			continue;
		if (!c->answered) {
			ssize_t r = -1;
			errno = EAGAIN;
			while (c->len < PAGE_HEAD_MAX &&
			       (r = recv(c->fd, c->head + c->len, PAGE_HEAD_MAX - c->len, 0)) > 0)
				c->len += (size_t)r;
			if (page_complete(c->head, c->len) ||
			    (r == 0 && c->len > 0)) { /* complete, or the client is done sending */
				const struct page_req q = {.dp = k->dp, .px = c->px, .buf = c->head,
							   .len = c->len, .cip = c->cip,
							   .dport = c->dport};
				respond(&q, &c->out);
				c->answered = true;
			} else if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
				kpage_end(c);
				continue;
			}
		}
		while (c->answered && sl_outbuf_len(&c->out) > 0) {
			ssize_t w = send(c->fd, sl_outbuf_data(&c->out), sl_outbuf_len(&c->out),
					 MSG_NOSIGNAL);
			if (w <= 0)
				break;
			sl_outbuf_consume(&c->out, (size_t)w);
		}
		if ((c->answered && sl_outbuf_len(&c->out) == 0) || now - c->since_ms > KPAGE_IDLE_MS)
			kpage_end(c);
	}
}

void sl_kpage_take_cfg(struct sl_kpage *k, const struct sl_cfg *cfg)
{
	for (unsigned i = 0; k != NULL && i < k->nl; i++)
		k->lpx[i] = page_in(cfg, k->lpx[i]);
	for (unsigned i = 0; k != NULL && i < KPAGE_CONNS; i++)
		if (k->c[i].fd >= 0)
			k->c[i].px = page_in(cfg, k->c[i].px);
}

void sl_kpage_close(struct sl_kpage *k)
{
	if (k == NULL)
		return;
	for (unsigned i = 0; i < KPAGE_CONNS; i++)
		if (k->c[i].fd >= 0)
			kpage_end(&k->c[i]);
	for (unsigned i = 0; i < k->nl; i++)
		close(k->lfd[i]);
	free(k);
}
