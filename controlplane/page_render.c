/* SPDX-License-Identifier: BSD-3-Clause */
#include "controlplane/page_render.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_random.h>

#include "controlplane/cfg/cfg.h"
#include "controlplane/check/check.h"
#include "controlplane/check_sched.h"
#include "controlplane/commands.h"
#include "controlplane/stats/stats_html.h"
#include "controlplane/stats/stats_model.h"
#include "controlplane/stats/stats_prom.h"
#include "dataplane/core/gen.h"
#include "dataplane/core/lcore.h"
#include "dataplane/page/page.h"
#include "dataplane/rules/acl_eval.h"
#include "dataplane/rules/http_auth.h"
#include "proto/http1.h"
#include "proto/outbuf.h"

/* The main lcore's side of the stats pages (see page_render.h). */
struct sl_page_render {
	struct sl_dp *dp;
	struct sl_ctl *ctl;
	const struct sl_cfg *cfg;       /* the running configuration (followed on reload) */
	struct sl_acl_scratch *scratch; /* regex match data for `stats admin if` */
	char admin_token[33];		/* the admin forms' anti-CSRF token (random at start) */
	struct sl_msg *pending;		/* answers an lcore's full ring refused, retried */
	unsigned npending, cap_pending;
};

/* A request to a stats page, whichever transport carried it (the proxy lcores' stack or a
 * kernel socket of the main lcore). */
struct page_req {
	struct sl_page_render *pr;
	const struct sl_proxy *px; /* the stats proxy (uri, realm, auth, admin...) */
	const char *buf;	   /* what was received: the head, then a body */
	size_t len;
	uint32_t cip;		   /* the client's address (ACLs of `stats admin if`) */
	uint16_t dport;
	bool service;		   /* use-service prometheus-exporter: no URI, no auth */
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
	    strcmp(token, q->pr->admin_token) != 0) {
		reply_html(out, 403, "Forbidden", "Missing or wrong form token: reload the page.\n");
		return;
	}
	if (!form_field(body, blen, "action", action, sizeof(action)) ||
	    !form_field(body, blen, "b", be, sizeof(be)) ||
	    !form_field(body, blen, "s", sv, sizeof(sv))) {
		reply_see_other(out, uri, "ERRP");
		return;
	}
	int op = strcmp(action, "disable") == 0 ? SL_CHK_SET_MAINT :
		 strcmp(action, "enable") == 0	? SL_CHK_SET_READY :
		 strcmp(action, "ready") == 0	? SL_CHK_SET_READY :
		 strcmp(action, "drain") == 0	? SL_CHK_SET_DRAIN :
						  -1;
	int g = sl_gen_find_server(q->pr->dp->gen, be, sv);
	if (op < 0 || g < 0) {
		reply_see_other(out, uri, op < 0 ? "ERRP" : "NONE");
		return;
	}
	/* main applies it now, as the socket's `set server` does */
	if (sl_checks_set_admin(sl_ctl_checks(q->pr->ctl), g, (enum sl_check_admin_cmd)op) < 0) {
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
	int hl = sl_http1_parse_request(q->buf, q->len, SL_PAGE_HEAD_MAX, &req, hdrs, &nh);
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
				  .dst_port = q->dport, .scratch = q->pr->scratch};
	bool admin = st->admin != NULL && sl_acl_cond_eval(q->px, st->admin, &actx);
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
	if (q->pr->ctl == NULL || sl_ctl_stats_rows(q->pr->ctl, &rows, &n) < 0) {
		reply_html(out, 503, "Service Unavailable", "");
		return;
	}
	struct sl_ctl_dpview *dv = malloc(sizeof(*dv));
	if (dv != NULL)
		sl_ctl_dpview(q->pr->ctl, dv);
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
					       .admin_token = q->pr->admin_token,
					       .dp = dv != NULL ? &dv->dp : NULL};
		sl_stats_html_render(rows, n, &o, &body);
	}
	reply(out, 200, "OK", ctype, NULL, sl_outbuf_data(&body), sl_outbuf_len(&body));
	sl_outbuf_free(&body);
	free(dv);
	sl_stats_rows_free(rows, n);
}

/* The stats proxy of the running configuration with counter slot @slot, or NULL. */
static const struct sl_proxy *stats_proxy(const struct sl_cfg *cfg, int slot)
{
	for (const struct sl_proxy *px = cfg->proxies; px != NULL; px = px->next)
		if (px->slot == slot && (px->cap & SL_CAP_FE))
			return px;
	return NULL;
}

void sl_page_render_answer(struct sl_page_render *pr, const struct sl_proxy *px, const char *buf,
			   size_t len, uint32_t cip, uint16_t dport, bool service,
			   struct sl_outbuf *out)
{
	const struct page_req q = {.pr = pr, .px = px, .buf = buf, .len = len, .cip = cip,
				   .dport = dport, .service = service};
	respond(&q, out);
}

struct sl_page_render *sl_page_render_new(struct sl_dp *dp, struct sl_ctl *ctl,
					  const struct sl_cfg *cfg)
{
	struct sl_page_render *pr = calloc(1, sizeof(*pr));
	if (pr == NULL)
		return NULL;
	pr->dp = dp;
	pr->ctl = ctl;
	pr->cfg = cfg;
	pr->scratch = sl_acl_scratch_new();
	for (int i = 0; i < 32; i += 16)
		snprintf(pr->admin_token + i, sizeof(pr->admin_token) - (size_t)i, "%016" PRIx64,
			 rte_rand());
	if (pr->scratch == NULL) {
		sl_page_render_free(pr);
		return NULL;
	}
	return pr;
}

void sl_page_render_set_cfg(struct sl_page_render *pr, const struct sl_cfg *cfg)
{
	if (pr != NULL)
		pr->cfg = cfg;
}

/* Sends an answer to its lcore, or keeps it for the next try when its ring is full. */
static void send_answer(struct sl_page_render *pr, const struct sl_msg *a, unsigned lcore)
{
	if (sl_msg_send(pr->dp, lcore, a) == 0)
		return;
	if (pr->npending == pr->cap_pending) {
		unsigned cap = pr->cap_pending ? pr->cap_pending * 2 : 16;
		struct sl_msg *n = realloc(pr->pending, cap * sizeof(*n));
		if (n == NULL) {
			/* nothing sensible left: the lcore's slot waits until it closes */
			struct sl_outbuf *o = a->ptr;
			sl_outbuf_free(o);
			free(o);
			return;
		}
		pr->pending = n;
		pr->cap_pending = cap;
	}
	pr->pending[pr->npending] = *a;
	pr->pending[pr->npending].from = (uint16_t)lcore;
	pr->npending++;
}

void sl_page_render_msg(struct sl_page_render *pr, const struct sl_msg *m)
{
	if (m->op == SL_MSG_FREE_OUTBUF) {
		struct sl_outbuf *o = m->ptr;
		sl_outbuf_free(o);
		free(o);
		return;
	}
	if (m->op != SL_MSG_PAGE_REQ)
		return;
	struct sl_page_req r;
	memcpy(&r, m->u.raw, sizeof(r));
	struct sl_outbuf *out = malloc(sizeof(*out));
	if (out == NULL)
		return; /* the lcore's slot waits until the client gives up */
	sl_outbuf_init(out, SL_OUTBUF_DEFAULT_CAP);
	const struct sl_proxy *px = stats_proxy(pr->cfg, r.px_slot);
	if (px == NULL)
		reply_html(out, 503, "Service Unavailable", "");
	else
		sl_page_render_answer(pr, px, m->ptr, r.len, r.cip, r.dport, r.service != 0, out);
	struct sl_msg a = {.op = SL_MSG_PAGE_ANSWER, .a = m->a, .b = m->b, .ptr = out};
	send_answer(pr, &a, m->from);
}

void sl_page_render_tick(struct sl_page_render *pr)
{
	unsigned keep = 0;
	for (unsigned i = 0; pr != NULL && i < pr->npending; i++) {
		struct sl_msg a = pr->pending[i];
		unsigned lcore = a.from;
		a.from = 0;
		if (sl_msg_send(pr->dp, lcore, &a) != 0)
			pr->pending[keep++] = pr->pending[i];
	}
	if (pr != NULL)
		pr->npending = keep;
}

void sl_page_render_free(struct sl_page_render *pr)
{
	if (pr == NULL)
		return;
	for (unsigned i = 0; i < pr->npending; i++) {
		struct sl_outbuf *o = pr->pending[i].ptr;
		sl_outbuf_free(o);
		free(o);
	}
	free(pr->pending);
	sl_acl_scratch_free(pr->scratch);
	free(pr);
}
