/* SPDX-License-Identifier: BSD-3-Clause */
/* The HTTP engine's pure half: decisions and heads, see hx.h. */
#include "dataplane/rules/http_rules.h"

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "dataplane/rules/cookie.h"
#include "dataplane/rules/lf_eval.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

void sl_hx_put(struct sl_hx_out *o, const char *s, size_t n)
{
	if (o->overflow || n > o->cap - o->len) {
		o->overflow = true;
		return;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

void sl_hx_puts(struct sl_hx_out *o, const char *s)
{
	sl_hx_put(o, s, strlen(s));
}

/* A field name lowercased, as HAProxy's HTX emits every name. */
static void put_name(struct sl_hx_out *o, const char *s, size_t n)
{
	if (o->overflow || n > o->cap - o->len) {
		o->overflow = true;
		return;
	}
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		o->buf[o->len + i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
	}
	o->len += n;
}

static void put_field(struct sl_hx_out *o, const char *name, size_t nl, const char *v, size_t vl)
{
	put_name(o, name, nl);
	sl_hx_put(o, ": ", 2);
	sl_hx_put(o, v, vl);
	sl_hx_put(o, "\r\n", 2);
}

/* Appends @lf evaluated (a field value, a target); overflow marks @o. */
static void put_lf(struct sl_hx_out *o, const struct sl_lf *lf, const struct sl_acl_ctx *ctx,
		   const struct sl_lf_groups *g)
{
	if (o->overflow)
		return;
	if (!sl_lf_eval(lf, ctx, g, o->buf, o->cap, &o->len))
		o->overflow = true;
}

/*
 * Matches the regex of replace rule @r on @s (@n bytes) and, on a match, writes the rule's
 * format with its groups into @out (HAProxy's exp_replace(): the whole value is replaced).
 * Returns the length written, or -1 for no match or no room.
 */
static long replace_re(const struct sl_hrule *r, const struct sl_acl_ctx *ctx, const char *s,
		       size_t n, char *out, size_t cap)
{
	pcre2_match_data *md = sl_acl_scratch_md(ctx->scratch);
	if (md == NULL)
		return -1;
	int rc = pcre2_match(r->re, (PCRE2_SPTR)s, n, 0, 0, md, NULL);
	if (rc < 0)
		return -1;
	struct sl_lf_groups g = {s, pcre2_get_ovector_pointer(md),
				 rc > 0 ? (unsigned)rc : pcre2_get_ovector_count(md)};
	size_t len = 0;
	if (!sl_lf_eval(r->lf, ctx, &g, out, cap, &len))
		return -1;
	return (long)len;
}

const char *sl_hx_reason(int code)
{
	switch (code) {
	case 200: return "OK";
	case 201: return "Created";
	case 202: return "Accepted";
	case 203: return "Non-Authoritative Information";
	case 204: return "No Content";
	case 205: return "Reset Content";
	case 206: return "Partial Content";
	case 301: return "Moved Permanently";
	case 302: return "Found";
	case 303: return "See Other";
	case 307: return "Temporary Redirect";
	case 304: return "Not Modified";
	case 308: return "Permanent Redirect";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 407: return "Unauthorized"; /* HAProxy 2.6's built-in 407 says so */
	case 408: return "Request Time-out";
	case 409: return "Conflict";
	case 410: return "Gone";
	case 413: return "Payload Too Large";
	case 414: return "URI Too Long";
	case 418: return "I'm a teapot";
	case 425: return "Too Early";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Time-out";
	default: return "Unknown";
	}
}

/* ------------------------------------------------------------------ local responses */

/* HAProxy's built-in error pages (the body of each; the head is built like an errorfile's). */
static const char *builtin_body(int code)
{
	switch (code) {
	case 200: return "<html><body><h1>200 OK</h1>\nService ready.\n</body></html>\n";
	case 400: return "<html><body><h1>400 Bad request</h1>\nYour browser sent an invalid request.\n</body></html>\n";
	case 401: return "<html><body><h1>401 Unauthorized</h1>\nYou need a valid user and password to access this content.\n</body></html>\n";
	case 404: return "<html><body><h1>404 Not Found</h1>\nThe resource could not be found.\n</body></html>\n";
	case 405: return "<html><body><h1>405 Method Not Allowed</h1>\nA request was made of a resource using a request method not supported by that resource\n</body></html>\n";
	case 407: return "<html><body><h1>407 Unauthorized</h1>\nYou need a valid user and password to access this content.\n</body></html>\n";
	case 410: return "<html><body><h1>410 Gone</h1>\nThe resource is no longer available and will not be available again.\n</body></html>\n";
	case 413: return "<html><body><h1>413 Payload Too Large</h1>\nThe request entity exceeds the maximum allowed.\n</body></html>\n";
	case 425: return "<html><body><h1>425 Too Early</h1>\nYour browser sent early data.\n</body></html>\n";
	case 429: return "<html><body><h1>429 Too Many Requests</h1>\nYou have sent too many requests in a given amount of time.\n</body></html>\n";
	case 501: return "<html><body><h1>501 Not Implemented</h1>\n.The server does not support the functionality required to fulfill the request.\n</body></html>\n";
	case 403: return "<html><body><h1>403 Forbidden</h1>\nRequest forbidden by administrative rules.\n</body></html>\n";
	case 408: return "<html><body><h1>408 Request Time-out</h1>\nYour browser didn't send a complete request in time.\n</body></html>\n";
	case 500: return "<html><body><h1>500 Internal Server Error</h1>\nAn internal server error occurred.\n</body></html>\n";
	case 502: return "<html><body><h1>502 Bad Gateway</h1>\nThe server returned an invalid or incomplete response.\n</body></html>\n";
	case 503: return "<html><body><h1>503 Service Unavailable</h1>\nNo server is available to handle this request.\n</body></html>\n";
	case 504: return "<html><body><h1>504 Gateway Time-out</h1>\nThe server didn't respond in time.\n</body></html>\n";
	default: return "";
	}
}

static const struct sl_errorfile *find_errorfile(const struct sl_proxy *px, int code)
{
	for (const struct sl_errorfile *e = px != NULL ? px->errorfiles : NULL; e != NULL;
	     e = e->next)
		if (e->code == code && e->data != NULL)
			return e;
	return NULL;
}

/* A whole response read from a file, re-emitted as HAProxy does: parsed, names lowercased,
 * without its Connection field; sent as it is when it does not parse. */
static void put_errorfile(struct sl_hx_out *o, const char *data, size_t len)
{
	struct sl_http1_resp r;
	struct sl_http1_hdr h[SL_HTTP1_MAX_HDRS_DEFAULT];
	size_t n = SL_HTTP1_MAX_HDRS_DEFAULT;
	int hl = sl_http1_parse_response(data, len, len, &r, h, &n);
	if (hl <= 0) {
		sl_hx_put(o, data, len);
		return;
	}
	char line[64];
	int k = snprintf(line, sizeof(line), "HTTP/1.%d %03d ", r.minor, r.status);
	sl_hx_put(o, line, (size_t)k);
	sl_hx_put(o, r.reason, r.reason_len);
	sl_hx_put(o, "\r\n", 2);
	for (size_t i = 0; i < n; i++)
		if (!sl_http1_ieq(h[i].name, h[i].name_len, "connection"))
			put_field(o, h[i].name, h[i].name_len, h[i].value, h[i].value_len);
	sl_hx_put(o, "\r\n", 2);
	sl_hx_put(o, data + hl, len - (size_t)hl);
}

void sl_hx_error(struct sl_hx_out *o, const struct sl_proxy *fe, const struct sl_proxy *be,
		 int code)
{
	const struct sl_errorfile *ef = find_errorfile(be, code);
	if (ef == NULL)
		ef = find_errorfile(fe, code);
	if (ef != NULL) {
		put_errorfile(o, ef->data, ef->len);
		return;
	}
	const char *body = builtin_body(code);
	char head[160];
	int k = snprintf(head, sizeof(head),
			 "HTTP/1.1 %03d %s\r\ncontent-length: %zu\r\ncache-control: no-cache\r\n"
			 "content-type: text/html\r\n\r\n",
			 code, sl_hx_reason(code), strlen(body));
	sl_hx_put(o, head, (size_t)k);
	sl_hx_puts(o, body);
}

void sl_hx_mux_error(struct sl_hx_out *o, int code)
{
	const char *body = builtin_body(code);
	char head[200];
	int k = snprintf(head, sizeof(head),
			 "HTTP/1.1 %03d %s\r\nContent-length: %zu\r\nCache-Control: no-cache\r\n"
			 "Connection: close\r\nContent-Type: text/html\r\n\r\n",
			 code, code == 400 ? "Bad request" : sl_hx_reason(code), strlen(body));
	sl_hx_put(o, head, (size_t)k);
	sl_hx_puts(o, body);
}

/*
 * The Host field value of @req, or "" (HAProxy builds redirect locations from it, not from an
 * absolute-form target: the parser made sure both name one authority).
 */
static void host_of(const struct sl_http1_req *req, const struct sl_http1_hdr *h,
		    const char **v, size_t *l)
{
	*v = "";
	*l = 0;
	if (req->host_idx >= 0) {
		*v = h[req->host_idx].value;
		*l = h[req->host_idx].value_len;
	}
}

/* A redirect target: its log-format evaluated (http-request redirect) or as written. */
static void put_target(struct sl_hx_out *o, const struct sl_redirect *r, const struct sl_lf *lf,
		       const struct sl_acl_ctx *ctx)
{
	if (lf != NULL)
		put_lf(o, lf, ctx, NULL);
	else
		sl_hx_puts(o, r->target);
}

/*
 * The local response of `http-request return`, as HAProxy 2.6 writes it: the status line, the
 * hdr fields in order, content-length, content-type, then the body (not for HEAD); an errorfile
 * is re-emitted whole.
 */
static void put_return(struct sl_hx_out *o, const struct sl_hrule *r, const struct sl_acl_ctx *ctx,
		       const struct sl_http1_req *req, bool close_client)
{
	if (r->raw_reply) {
		put_errorfile(o, r->body, r->body_len);
		return;
	}
	char line[96];
	int k = snprintf(line, sizeof(line), "HTTP/1.1 %d %s\r\n", r->status,
			 sl_hx_reason(r->status));
	sl_hx_put(o, line, (size_t)k);
	for (const struct sl_hrule_hdr *h = r->hdrs; h != NULL; h = h->next) {
		put_name(o, h->name, strlen(h->name));
		sl_hx_put(o, ": ", 2);
		put_lf(o, h->value, ctx, NULL);
		sl_hx_put(o, "\r\n", 2);
	}
	/* the body first, past room left for the rest of the head, then moved down */
	size_t room = 64 + (r->ctype != NULL ? strlen(r->ctype) + 16 : 0);
	if (o->overflow || room > o->cap - o->len) {
		o->overflow = true;
		return;
	}
	size_t at = o->len + room, blen = 0;
	if (r->body_lf != NULL) {
		size_t l = at;
		if (!sl_lf_eval(r->body_lf, ctx, NULL, o->buf, o->cap, &l)) {
			o->overflow = true;
			return;
		}
		blen = l - at;
	} else if (r->body_len > 0) {
		if (r->body_len > o->cap - at) {
			o->overflow = true;
			return;
		}
		memcpy(o->buf + at, r->body, r->body_len);
		blen = r->body_len;
	}
	k = snprintf(line, sizeof(line), "content-length: %zu\r\n", blen);
	sl_hx_put(o, line, (size_t)k);
	if (r->ctype != NULL) {
		sl_hx_puts(o, "content-type: ");
		sl_hx_puts(o, r->ctype);
		sl_hx_put(o, "\r\n", 2);
	}
	if (close_client)
		sl_hx_puts(o, "connection: close\r\n");
	sl_hx_put(o, "\r\n", 2);
	if (req->meth != SL_HTTP1_M_HEAD && !o->overflow) {
		memmove(o->buf + o->len, o->buf + at, blen);
		o->len += blen;
	}
}

/* http-request auth: HAProxy 2.6's 401 page with the Basic challenge of the rule's realm. */
static void put_auth(struct sl_hx_out *o, const struct sl_hrule *r, bool close_client)
{
	const char *body = builtin_body(401);
	char head[160];
	int k = snprintf(head, sizeof(head),
			 "HTTP/1.1 401 Unauthorized\r\ncontent-length: %zu\r\n"
			 "cache-control: no-cache\r\ncontent-type: text/html\r\n",
			 strlen(body));
	sl_hx_put(o, head, (size_t)k);
	sl_hx_puts(o, "www-authenticate: Basic realm=\"");
	const char *realm = r->reason != NULL ? r->reason : r->px_name != NULL ? r->px_name : "";
	for (const char *p = realm; *p != '\0'; p++) /* a quoted-string: no CR, LF, '"' */
		if ((unsigned char)*p >= 0x20 && *p != '"' && *p != '\\')
			sl_hx_put(o, p, 1);
	sl_hx_puts(o, "\"\r\n");
	if (close_client)
		sl_hx_puts(o, "connection: close\r\n");
	sl_hx_put(o, "\r\n", 2);
	sl_hx_puts(o, body);
}

/* A redirect rule applied (HAProxy's http_apply_redirect_rule, the parts sluice supports). */
static void redirect(struct sl_hx_out *o, const struct sl_redirect *r, const struct sl_lf *lf,
		     const struct sl_acl_ctx *ctx, const struct sl_http1_req *req,
		     const struct sl_http1_hdr *h, bool close_client)
{
	int code = r->code ? r->code : 302;
	char line[96];
	int k = snprintf(line, sizeof(line), "HTTP/1.1 %d %s\r\ncontent-length: 0\r\nlocation: ",
			 code, sl_hx_reason(code));
	sl_hx_put(o, line, (size_t)k);
	const char *path = req->path;
	size_t plen = req->path_len;
	switch (r->kind) {
	case SL_REDIR_SCHEME: {
		const char *host;
		size_t hl;
		host_of(req, h, &host, &hl);
		put_target(o, r, lf, ctx);
		sl_hx_put(o, "://", 3);
		sl_hx_put(o, host, hl);
		break;
	}
	case SL_REDIR_PREFIX:
		if (strcmp(r->target, "/") != 0) /* HAProxy: a "/" prefix adds nothing */
			put_target(o, r, lf, ctx);
		break;
	case SL_REDIR_LOCATION:
	default:
		put_target(o, r, lf, ctx);
		path = NULL;
		break;
	}
	if (path != NULL) {
		sl_hx_put(o, path, plen);
		if (r->append_slash && (plen == 0 || path[plen - 1] != '/'))
			sl_hx_put(o, "/", 1);
		if (req->has_query && !r->drop_query) {
			sl_hx_put(o, "?", 1);
			sl_hx_put(o, req->query, req->query_len);
		}
	}
	sl_hx_put(o, "\r\n", 2);
	/* HAProxy 2.6 marks the temporary redirects only (a 301 or 308 may be cached), then the
	 * cookie, written as its parser stored it */
	if (code == 302 || code == 303 || code == 307)
		sl_hx_puts(o, "cache-control: no-cache\r\n");
	if (r->set_cookie != NULL) {
		sl_hx_puts(o, "set-cookie: ");
		sl_hx_puts(o, r->set_cookie);
		sl_hx_puts(o, "; path=/;\r\n");
	}
	if (r->clear_cookie != NULL) {
		sl_hx_puts(o, "set-cookie: ");
		sl_hx_puts(o, r->clear_cookie);
		sl_hx_puts(o, "; path=/; Max-Age=0;\r\n");
	}
	if (close_client) /* HAProxy says so whatever the request's version */
		sl_hx_puts(o, "connection: close\r\n");
	sl_hx_put(o, "\r\n", 2);
}

/* ------------------------------------------------------------------ decisions */

static enum sl_ck_mode ck_mode(enum sl_cookie_mode m)
{
	switch (m) {
	case SL_COOKIE_INSERT: return SL_CK_INSERT;
	case SL_COOKIE_PREFIX: return SL_CK_PREFIX;
	case SL_COOKIE_REWRITE: return SL_CK_REWRITE;
	default: return SL_CK_PASSIVE;
	}
}

/* The request rules of @px that end the transaction: deny, redirect and use-service (in order). */
static bool request_rules(const struct sl_proxy *px, const struct sl_http1_req *req,
			  const struct sl_http1_hdr *h, const struct sl_acl_ctx *ctx,
			  bool close_client, struct sl_hx_out *o, struct sl_hx_decision *d)
{
	for (const struct sl_hrule *r = px->req_rules; r != NULL; r = r->next) {
		if (r->action != SL_HR_DENY && r->action != SL_HR_REDIRECT &&
		    r->action != SL_HR_ALLOW && r->action != SL_HR_USE_SERVICE &&
		    r->action != SL_HR_RETURN && r->action != SL_HR_AUTH &&
		    r->action != SL_HR_TRACK_SC)
			continue;
		if (r->action == SL_HR_REDIRECT && r->redir.ignore_empty && r->redir.target[0] == '\0')
			continue;
		if (!sl_acl_cond_eval(px, r->cond, ctx))
			continue;
		if (r->action == SL_HR_TRACK_SC) { /* in order: a later rule reads the counters */
			if (ctx->stk != NULL && ctx->stk->track != NULL)
				ctx->stk->track(ctx->stk->arg, r->status,
						r->name != NULL ? r->name : px->name);
			continue;
		}
		if (r->action == SL_HR_ALLOW)
			return false; /* stops the evaluation of this rule set */
		if (r->action == SL_HR_USE_SERVICE) {
			d->verdict = SL_HX_SERVICE;
			return true;
		}
		if (r->action == SL_HR_DENY) {
			d->verdict = SL_HX_DENY;
			d->status = r->status ? r->status : 403;
			return true;
		}
		if (r->action == SL_HR_AUTH) {
			put_auth(o, r, close_client);
			d->verdict = SL_HX_RETURN;
			d->status = 401;
			return true;
		}
		if (r->action == SL_HR_RETURN) {
			put_return(o, r, ctx, req, close_client);
			d->verdict = SL_HX_RETURN;
			d->status = r->status;
			return true;
		}
		if (r->redir_lf != NULL && r->redir.ignore_empty) {
			/* ignore-empty: the rule applies only when the target is not empty */
			size_t l0 = o->len, l = o->len;
			bool fits = sl_lf_eval(r->redir_lf, ctx, NULL, o->buf, o->cap, &l);
			if (fits && l == l0)
				continue;
		}
		redirect(o, &r->redir, r->redir_lf, ctx, req, h, close_client);
		d->verdict = SL_HX_REDIRECT;
		return true;
	}
	for (const struct sl_redirect_rule *r = px->redirects; r != NULL; r = r->next) {
		if (r->redir.ignore_empty && r->redir.target[0] == '\0')
			continue;
		if (!sl_acl_cond_eval(px, r->cond, ctx))
			continue;
		redirect(o, &r->redir, NULL, ctx, req, h, close_client);
		d->verdict = SL_HX_REDIRECT;
		return true;
	}
	return false;
}

/*
 * Whether @req asks for monitor-uri @uri: the request-target as received equals it, or, for a
 * URI starting with '/', the target's path and query do (an absolute-form target), as HAProxy
 * 2.6 compares them.
 */
static bool monitor_match(const char *uri, const struct sl_http1_req *req)
{
	size_t ul = strlen(uri);
	if (req->target_len == ul && memcmp(req->target, uri, ul) == 0)
		return true;
	const char *end = req->target + req->target_len;
	if (uri[0] != '/' || req->path_len == 0 || req->path < req->target || req->path >= end)
		return false;
	return (size_t)(end - req->path) == ul && memcmp(req->path, uri, ul) == 0;
}

void sl_hx_decide(const struct sl_cfg *cfg, const struct sl_proxy *fe,
		  const struct sl_http1_req *req, const struct sl_http1_hdr *h, size_t n,
		  const struct sl_acl_ctx *ctx, bool close_client, uint32_t now_s,
		  struct sl_hx_out *o, struct sl_hx_decision *d)
{
	memset(d, 0, sizeof(*d));
	if (fe->monitor_uri != NULL && monitor_match(fe->monitor_uri, req)) {
		d->verdict = SL_HX_MONITOR;
		d->status = 200;
		for (const struct sl_monitor_fail *m = fe->monitor_fails; m != NULL; m = m->next)
			if (sl_acl_cond_eval(fe, m->cond, ctx)) {
				d->status = 503;
				break;
			}
		return;
	}
	if (request_rules(fe, req, h, ctx, close_client, o, d))
		return;
	const struct sl_proxy *be = NULL;
	for (const struct sl_switch *s = fe->switches; s != NULL && be == NULL; s = s->next) {
		if (!sl_acl_cond_eval(fe, s->cond, ctx))
			continue;
		if (s->lf == NULL) {
			be = sl_cfg_find_proxy(cfg, s->backend, SL_CAP_BE);
			continue;
		}
		/* a name built per request: no such backend ends the rules (HAProxy's
		 * process_switching_rules()), the default backend then applies */
		char name[256];
		size_t l = 0;
		if (sl_lf_eval(s->lf, ctx, NULL, name, sizeof(name) - 1, &l)) {
			name[l] = '\0';
			be = sl_cfg_find_proxy(cfg, name, SL_CAP_BE);
		}
		break;
	}
	if (be == NULL && fe->default_backend != NULL)
		be = sl_cfg_find_proxy(cfg, fe->default_backend, SL_CAP_BE);
	if (be == NULL && (fe->cap & SL_CAP_BE))
		be = fe; /* a listen section is its own backend */
	if (be == NULL) {
		d->verdict = SL_HX_NO_BACKEND;
		return;
	}
	d->be = be;
	if (be != fe && request_rules(be, req, h, ctx, close_client, o, d))
		return;
	d->verdict = SL_HX_FORWARD;
	if (be->cookie.name != NULL) {
		/* the first server id of the persistence cookie, over every Cookie line */
		for (int i = sl_http1_find_hdr(h, n, 0, "cookie"); i >= 0 && d->cookie_srv == NULL;
		     i = sl_http1_find_hdr(h, n, (size_t)i + 1, "cookie")) {
			size_t pos = 0;
			struct sl_cookie_id id;
			while (d->cookie_srv == NULL &&
			       sl_cookie_next_id(h[i].value, h[i].value_len, be->cookie.name,
						 ck_mode(be->cookie.mode), &pos, &id)) {
				if (sl_cookie_age(&be->cookie, now_s, id.last_date, id.first_date) !=
				    SL_COOKIE_AGE_OK)
					continue; /* too old: names no server */
				d->cookie_srv = id.srv;
				d->cookie_srv_len = id.srv_len;
				d->cookie_last = id.last_date;
				d->cookie_first = id.first_date;
			}
		}
	}
}

/* ------------------------------------------------------------------ heads */

/* Whether an http-request/response header rule of @px removes or replaces field @name. */
static bool rule_drops(const struct sl_hrule *rules, const struct sl_proxy *px,
		       const struct sl_acl_ctx *ctx, const char *name, size_t nl)
{
	for (const struct sl_hrule *r = rules; r != NULL; r = r->next)
		if ((r->action == SL_HR_DEL_HEADER || r->action == SL_HR_SET_HEADER) &&
		    sl_http1_ieq(name, nl, r->name) && sl_acl_cond_eval(px, r->cond, ctx))
			return true;
	return false;
}

static void rules_add(struct sl_hx_out *o, const struct sl_hrule *rules,
		      const struct sl_proxy *px, const struct sl_acl_ctx *ctx)
{
	for (const struct sl_hrule *r = rules; r != NULL; r = r->next)
		if ((r->action == SL_HR_ADD_HEADER || r->action == SL_HR_SET_HEADER) &&
		    r->value != NULL && sl_acl_cond_eval(px, r->cond, ctx)) {
			if (r->lf == NULL) { /* reqadd/rspadd: the text as written */
				put_field(o, r->name, strlen(r->name), r->value, strlen(r->value));
				continue;
			}
			put_name(o, r->name, strlen(r->name));
			sl_hx_put(o, ": ", 2);
			put_lf(o, r->lf, ctx, NULL);
			sl_hx_put(o, "\r\n", 2);
		}
}

/* Two buffers replace rules write into in turn (a rule reads what the previous one wrote). */
struct repl_buf {
	char b[2][4096];
	int alt;
};

/* replace-value: each comma-separated element of @v replaced, the separators kept. */
static long replace_elems(const struct sl_hrule *r, const struct sl_acl_ctx *ctx, const char *v,
			  size_t vl, char *out, size_t cap)
{
	struct sl_http1_hdr one = {r->name, strlen(r->name), v, vl};
	struct sl_acl_ctx c1 = {.hdrs = &one, .nhdrs = 1};
	struct sl_acl_hdr_iter it;
	const char *e, *pos = v;
	size_t el, len = 0;
	bool hit = false;
	sl_acl_hdr_iter_init(&it, &c1, r->name);
	while (sl_acl_hdr_next(&it, &e, &el)) {
		size_t gap = (size_t)(e - pos);
		if (gap > cap - len)
			return -1;
		memcpy(out + len, pos, gap);
		len += gap;
		long k = replace_re(r, ctx, e, el, out + len, cap - len);
		if (k >= 0) {
			hit = true;
			len += (size_t)k;
		} else {
			if (el > cap - len)
				return -1;
			memcpy(out + len, e, el);
			len += el;
		}
		pos = e + el;
	}
	size_t tail = (size_t)(v + vl - pos);
	if (!hit || tail > cap - len)
		return -1;
	memcpy(out + len, pos, tail);
	return (long)(len + tail);
}

/* The value of field @nm after the replace-header / replace-value rules of @px that apply. */
static void apply_replaces(const struct sl_hrule *rules, const struct sl_proxy *px,
			   const struct sl_acl_ctx *ctx, const char *nm, size_t nl, const char **v,
			   size_t *vl, struct repl_buf *rb)
{
	for (const struct sl_hrule *r = rules; r != NULL; r = r->next) {
		if ((r->action != SL_HR_REPLACE_HEADER && r->action != SL_HR_REPLACE_VALUE) ||
		    !sl_http1_ieq(nm, nl, r->name) || !sl_acl_cond_eval(px, r->cond, ctx))
			continue;
		char *out = rb->b[rb->alt];
		long k = r->action == SL_HR_REPLACE_HEADER ?
				 replace_re(r, ctx, *v, *vl, out, sizeof(rb->b[0])) :
				 replace_elems(r, ctx, *v, *vl, out, sizeof(rb->b[0]));
		if (k < 0)
			continue;
		*v = out;
		*vl = (size_t)k;
		rb->alt ^= 1;
	}
}

/* A field line, after the replace rules of the frontend then the backend (@be may be NULL). */
static void put_field_repl(struct sl_hx_out *o, bool rsp, const struct sl_proxy *fe,
			   const struct sl_proxy *be, const struct sl_acl_ctx *ctx, const char *nm,
			   size_t nl, const char *v, size_t vl)
{
	struct repl_buf rb;
	rb.alt = 0;
	apply_replaces(rsp ? fe->rsp_rules : fe->req_rules, fe, ctx, nm, nl, &v, &vl, &rb);
	if (be != NULL)
		apply_replaces(rsp ? be->rsp_rules : be->req_rules, be, ctx, nm, nl, &v, &vl, &rb);
	put_field(o, nm, nl, v, vl);
}

/* Whether some rule of @rules does @a */
static bool has_action(const struct sl_hrule *rules, enum sl_hrule_action lo,
		       enum sl_hrule_action hi)
{
	for (const struct sl_hrule *r = rules; r != NULL; r = r->next)
		if (r->action >= lo && r->action <= hi)
			return true;
	return false;
}

/*
 * The request line after the set-method/-path/-query/-uri and replace-path/-uri rules of @px
 * that apply, in order (each expression reads the request as received). @l holds the line's
 * parts, @sb the bytes the rules wrote.
 */
struct rline {
	const char *m, *pre, *p, *q, *uri;
	size_t ml, prel, pl, ql, ul;
	bool hq;
};

static void line_rules(const struct sl_hrule *rules, const struct sl_proxy *px,
		       const struct sl_acl_ctx *ctx, struct rline *l, char *sb, size_t cap,
		       size_t *used)
{
	for (const struct sl_hrule *r = rules; r != NULL; r = r->next) {
		if (r->action < SL_HR_SET_PATH || r->action > SL_HR_REPLACE_URI ||
		    !sl_acl_cond_eval(px, r->cond, ctx))
			continue;
		size_t at = *used, len = *used;
		long k = 0;
		if (r->action == SL_HR_REPLACE_PATH || r->action == SL_HR_REPLACE_URI) {
			char tmp[4096]; /* the subject: path, or the whole uri */
			size_t tl = 0;
			if (r->action == SL_HR_REPLACE_PATH) {
				if (l->uri != NULL || l->pl > sizeof(tmp))
					continue;
				memcpy(tmp, l->p, l->pl);
				tl = l->pl;
			} else if (l->uri != NULL) {
				if (l->ul > sizeof(tmp))
					continue;
				memcpy(tmp, l->uri, l->ul);
				tl = l->ul;
			} else {
				size_t need = l->prel + l->pl + (l->hq ? 1 + l->ql : 0);
				if (need > sizeof(tmp))
					continue;
				memcpy(tmp, l->pre, l->prel);
				memcpy(tmp + l->prel, l->p, l->pl);
				if (l->hq) {
					tmp[l->prel + l->pl] = '?';
					memcpy(tmp + l->prel + l->pl + 1, l->q, l->ql);
				}
				tl = need;
			}
			k = replace_re(r, ctx, tmp, tl, sb + at, cap - at);
			if (k < 0)
				continue;
			len = at + (size_t)k;
		} else if (!sl_lf_eval(r->lf, ctx, NULL, sb, cap, &len)) {
			continue; /* HAProxy: a rewrite that fails leaves the request as it was */
		}
		*used = len;
		const char *v = sb + at;
		size_t vl = len - at;
		switch (r->action) {
		case SL_HR_SET_METHOD: l->m = v; l->ml = vl; break;
		case SL_HR_SET_PATH:
		case SL_HR_REPLACE_PATH:
			if (l->uri == NULL) {
				l->p = v;
				l->pl = vl;
			}
			break;
		case SL_HR_SET_QUERY:
			if (l->uri == NULL) {
				l->q = v;
				l->ql = vl;
				l->hq = true;
			}
			break;
		default: /* set-uri, replace-uri: the whole target */
			l->uri = v;
			l->ul = vl;
			break;
		}
	}
}

static void put_request_line(struct sl_hx_out *o, const struct sl_http1_req *req,
			     const struct sl_hx_req_edit *e, const struct sl_proxy *be)
{
	const char *ta, *tb;
	size_t tal, tbl;
	sl_http1_target_parts(req, &ta, &tal, &tb, &tbl); /* without a default port */
	bool rw = has_action(e->fe->req_rules, SL_HR_SET_PATH, SL_HR_REPLACE_URI) ||
		  (be != NULL && has_action(be->req_rules, SL_HR_SET_PATH, SL_HR_REPLACE_URI));
	if (!rw) {
		sl_hx_put(o, req->method, req->method_len);
		sl_hx_put(o, " ", 1);
		sl_hx_put(o, ta, tal);
		sl_hx_put(o, tb, tbl);
		sl_hx_puts(o, req->minor ? " HTTP/1.1\r\n" : " HTTP/1.0\r\n");
		return;
	}
	struct rline l = {.m = req->method, .ml = req->method_len, .p = req->path,
			  .pl = req->path_len, .q = req->query, .ql = req->query_len,
			  .hq = req->has_query};
	/* what comes before the path: an absolute-form's scheme and authority */
	if (req->target_cut > 0) {
		l.pre = ta;
		l.prel = tal;
	} else if (req->path_len > 0 && req->path >= req->target) {
		l.pre = req->target;
		l.prel = (size_t)(req->path - req->target);
	} else { /* no path to rewrite ("*", authority-form): only the method and uri rules */
		l.pre = req->target;
		l.prel = req->target_len;
		l.p = "";
		l.pl = 0;
		l.hq = false;
	}
	char sb[8192];
	size_t used = 0;
	line_rules(e->fe->req_rules, e->fe, e->ctx, &l, sb, sizeof(sb), &used);
	if (be != NULL)
		line_rules(be->req_rules, be, e->ctx, &l, sb, sizeof(sb), &used);
	sl_hx_put(o, l.m, l.ml);
	sl_hx_put(o, " ", 1);
	if (l.uri != NULL) {
		sl_hx_put(o, l.uri, l.ul);
	} else {
		sl_hx_put(o, l.pre, l.prel);
		sl_hx_put(o, l.p, l.pl);
		if (l.hq) {
			sl_hx_put(o, "?", 1);
			sl_hx_put(o, l.q, l.ql);
		}
	}
	sl_hx_puts(o, req->minor ? " HTTP/1.1\r\n" : " HTTP/1.0\r\n");
}

/* Hop-by-hop fields the proxy replaces with its own Connection handling. */
static bool drop_hop(const struct sl_http1_hdr *h, size_t n, size_t i, bool keep_upgrade)
{
	if (sl_http1_ieq(h[i].name, h[i].name_len, "transfer-encoding"))
		return false; /* the body goes on as it came: its framing stays */
	if (keep_upgrade && (sl_http1_ieq(h[i].name, h[i].name_len, "upgrade") ||
			     sl_http1_ieq(h[i].name, h[i].name_len, "connection")))
		return false;
	return sl_http1_is_hop_by_hop(h, n, i);
}

bool sl_hx_build_request(struct sl_hx_out *o, const struct sl_http1_req *req,
			 const struct sl_http1_hdr *h, size_t n, const struct sl_hx_req_edit *e)
{
	const struct sl_cookie *ck = &e->be->cookie;
	const struct sl_proxy *be = e->be != e->fe ? e->be : NULL;
	put_request_line(o, req, e, be);
	const struct sl_forwardfor *ff = e->be->fwdfor.on ? &e->be->fwdfor : &e->fe->fwdfor;
	const char *ffname = ff->header != NULL ? ff->header : "x-forwarded-for";
	for (size_t i = 0; i < n; i++) {
		const char *nm = h[i].name;
		size_t nl = h[i].name_len;
		if (drop_hop(h, n, i, e->websocket))
			continue;
		if (rule_drops(e->fe->req_rules, e->fe, e->ctx, nm, nl) ||
		    (be != NULL && rule_drops(be->req_rules, be, e->ctx, nm, nl)))
			continue;
		if (ck->name != NULL && sl_http1_ieq(nm, nl, "cookie")) {
			char buf[8192];
			struct sl_cookie_req_out r;
			if (sl_cookie_req_rewrite(h[i].value, h[i].value_len, ck->name,
						  ck_mode(ck->mode), ck->indirect, ck->preserve, buf,
						  sizeof(buf), &r) == 0) {
				if (!r.drop)
					put_field(o, nm, nl, buf, r.len);
				continue;
			}
		}
		put_field_repl(o, false, e->fe, be, e->ctx, nm, nl, h[i].value, h[i].value_len);
	}
	rules_add(o, e->fe->req_rules, e->fe, e->ctx);
	if (be != NULL)
		rules_add(o, be->req_rules, be, e->ctx);
	if (e->fe->fwdfor.on || e->be->fwdfor.on) {
		bool skip = ff->except.family == AF_INET &&
			    ((e->client_ip ^ ff->except.v4) &
			     (ff->except.plen ? ~0u << (32 - ff->except.plen) : 0)) == 0;
		if (ff->if_none && sl_http1_find_hdr(h, n, 0, ffname) >= 0)
			skip = true;
		if (!skip) {
			char ip[16];
			int k = snprintf(ip, sizeof(ip), "%u.%u.%u.%u", e->client_ip >> 24,
					 (e->client_ip >> 16) & 255, (e->client_ip >> 8) & 255,
					 e->client_ip & 255);
			put_field(o, ffname, strlen(ffname), ip, (size_t)k);
		}
	}
	if (e->server_close && req->minor == 1 && !e->websocket)
		sl_hx_puts(o, "connection: close\r\n");
	sl_hx_put(o, "\r\n", 2);
	return !o->overflow;
}

bool sl_hx_build_response(struct sl_hx_out *o, const struct sl_http1_resp *rsp,
			  const struct sl_http1_hdr *h, size_t n, const struct sl_hx_rsp_edit *e)
{
	const struct sl_cookie *ck = &e->be->cookie;
	const struct sl_proxy *be = e->be != e->fe ? e->be : NULL;
	/* http-response set-status: the last that applies (the frontend's, then the backend's) */
	int status = rsp->status;
	const char *reason = rsp->reason;
	size_t reason_len = rsp->reason_len;
	for (int pass = 0; pass < 2; pass++) {
		const struct sl_proxy *px = pass == 0 ? e->fe : be;
		for (const struct sl_hrule *r = px != NULL ? px->rsp_rules : NULL; r != NULL;
		     r = r->next)
			if (r->action == SL_HR_SET_STATUS && sl_acl_cond_eval(px, r->cond, e->ctx)) {
				status = r->status;
				reason = r->reason != NULL ? r->reason : sl_hx_reason(status);
				reason_len = strlen(reason);
			}
	}
	char line[32];
	int k = snprintf(line, sizeof(line), "HTTP/1.1 %03d ", status);
	sl_hx_put(o, line, (size_t)k);
	sl_hx_put(o, reason, reason_len);
	sl_hx_put(o, "\r\n", 2);
	bool inserted = false, srv_set_it = false;
	/* the server's own persistence cookie: prefixed, rewritten, or dropped (insert mode;
	 * "indirect" on a direct request); left alone with "preserve" */
	enum sl_ck_mode mode = ck_mode(ck->mode);
	if (ck->indirect && e->direct)
		mode = SL_CK_INSERT;
	const char *srv = ck->preserve ? NULL : e->srv_cookie != NULL ? e->srv_cookie : "";
	for (size_t i = 0; i < n; i++) {
		const char *nm = h[i].name;
		size_t nl = h[i].name_len;
		if (drop_hop(h, n, i, e->tunnel))
			continue;
		if (rule_drops(e->fe->rsp_rules, e->fe, e->ctx, nm, nl) ||
		    (be != NULL && rule_drops(be->rsp_rules, be, e->ctx, nm, nl)))
			continue;
		if (ck->name != NULL && sl_http1_ieq(nm, nl, "set-cookie")) {
			char buf[8192];
			size_t bl = 0;
			const char *cn;
			size_t cnl;
			if (sl_http1_cookie_find(h[i].value, h[i].value_len, ck->name,
						 strlen(ck->name), &cn, &cnl))
				srv_set_it = true;
			int r = sl_cookie_rsp_rewrite(h[i].value, h[i].value_len, ck->name, mode, srv,
						      srv != NULL ? strlen(srv) : 0, buf, sizeof(buf),
						      &bl);
			if (r == SL_COOKIE_RSP_DROP)
				continue;
			if (r == SL_COOKIE_RSP_REWRITTEN) {
				put_field(o, nm, nl, buf, bl);
				continue;
			}
		}
		put_field_repl(o, true, e->fe, be, e->ctx, nm, nl, h[i].value, h[i].value_len);
	}
	if (ck->name != NULL && ck->mode == SL_COOKIE_INSERT && !e->tunnel &&
	    sl_cookie_insert_needed(ck, e->direct, srv_set_it, e->meth == SL_HTTP1_M_POST,
				    e->now_s, e->last_date, e->first_date)) {
		char buf[1024];
		size_t bl = 0;
		int r = ck->maxidle > 0 || ck->maxlife > 0 ?
				sl_cookie_insert_value_at(ck->name, e->srv_cookie, ck, e->now_s,
							  e->direct ? e->first_date : 0, buf, sizeof(buf), &bl) :
				sl_cookie_insert_value(ck->name, e->srv_cookie, ck, buf, sizeof(buf),
						       &bl);
		if (r == 0) {
			put_field(o, "set-cookie", 10, buf, bl);
			inserted = true;
		}
	}
	if (inserted && ck->nocache && sl_cookie_cacheable(e->meth, rsp, h, n))
		sl_hx_puts(o, SL_COOKIE_NOCACHE_FIELD "\r\n");
	rules_add(o, e->fe->rsp_rules, e->fe, e->ctx);
	if (be != NULL)
		rules_add(o, be->rsp_rules, be, e->ctx);
	if (!e->tunnel) {
		if (e->close_client)
			sl_hx_puts(o, "connection: close\r\n");
		else if (e->client_10_ka)
			sl_hx_puts(o, "connection: keep-alive\r\n");
	}
	sl_hx_put(o, "\r\n", 2);
	return !o->overflow;
}
