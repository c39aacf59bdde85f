/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The HTTP engine's pure half: what HAProxy decides and writes for one HTTP/1.1 transaction,
 * given the configuration model and a parsed head, without I/O (dataplane/http/ moves the
 * bytes). The heads it builds follow HAProxy 2.x's output byte for byte where HAProxy defines
 * it: header names are lowercased (HAProxy's HTX does so on every message it forwards), the
 * status line is always HTTP/1.1, hop-by-hop fields are replaced by its own Connection
 * handling, and the fields it adds come in its order (http-request rules of the frontend then
 * of the backend, X-Forwarded-For, then Connection).
 */
#ifndef SL_HX_H
#define SL_HX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dataplane/rules/acl_eval.h"
#include "controlplane/cfg/cfg.h"
#include "proto/http1.h"

/* A bounded output buffer: writes past cap set overflow and are dropped. */
struct sl_hx_out {
	char *buf;
	size_t cap, len;
	bool overflow;
};

void sl_hx_put(struct sl_hx_out *o, const char *s, size_t n);
void sl_hx_puts(struct sl_hx_out *o, const char *s);

/* What the request processing decided. */
enum sl_hx_verdict {
	SL_HX_FORWARD,	/* to backend be_idx, server pinned by cookie when srv_cookie_len > 0 */
	SL_HX_REDIRECT, /* local response built in the output (a redirect rule) */
	SL_HX_DENY,	/* local response: http-request deny (status in status) */
	SL_HX_NO_BACKEND, /* no use_backend matched and no default_backend: 503 */
	SL_HX_SERVICE,	/* http-request use-service prometheus-exporter: the stats serve it */
	SL_HX_MONITOR,	/* the frontend's monitor-uri: local response with status 200 or 503 */
	SL_HX_RETURN,	/* http-request return: local response built in the output, status in
			 * status; the connection stays open as after a redirect */
};

struct sl_hx_decision {
	enum sl_hx_verdict verdict;
	const struct sl_proxy *be; /* backend chosen (FORWARD) */
	int status;		   /* DENY: deny_status; MONITOR: 200, or 503 when a 'monitor fail'
				    * condition holds */
	const char *cookie_srv;	   /* the server id found in the persistence cookie, or NULL */
	size_t cookie_srv_len;
	uint32_t cookie_last, cookie_first; /* its dates (insert mode with maxidle/maxlife) */
};

/*
 * A request for @fe's monitor-uri is answered first, before any rule (HAProxy's order): verdict
 * MONITOR. Otherwise runs the request rules of frontend @fe (http-request deny/redirect, redirect rules,
 * use_backend / default_backend) then of the backend chosen, on the request @req/@h (@n
 * lines) with ACL context @ctx. A persistence cookie older than the backend's maxidle /
 * maxlife at Unix time @now_s names no server (HAProxy then balances and issues a new one).
 * A redirect is written to @o as a complete local response
 * (HAProxy 2.6's: "HTTP/1.1 302 Found", content-length: 0, location, cache-control: no-cache
 * for 302, 303 and 307 only, set-cookie "NAME=V; path=/;" or "NAME; path=/; Max-Age=0;", then
 * the connection field for @close_client). @cfg resolves backend names.
 */
void sl_hx_decide(const struct sl_cfg *cfg, const struct sl_proxy *fe,
		  const struct sl_http1_req *req, const struct sl_http1_hdr *h, size_t n,
		  const struct sl_acl_ctx *ctx, bool close_client, uint32_t now_s,
		  struct sl_hx_out *o, struct sl_hx_decision *d);

/* How the forwarded request is edited. */
struct sl_hx_req_edit {
	const struct sl_proxy *fe, *be;
	const struct sl_acl_ctx *ctx;
	uint32_t client_ip;  /* host order, for X-Forwarded-For */
	bool server_close;   /* "connection: close" to the server (http-server-close, httpclose) */
	bool websocket;	     /* a WebSocket handshake: Connection: upgrade and Upgrade kept */
};

/*
 * Writes the request head to send to the server: the request line as received (but an
 * absolute-form target's default port, cut as HAProxy does: sl_http1_target_parts()), the
 * field lines lowercased without hop-by-hop ones (Transfer-Encoding kept: the body is forwarded
 * as it came), the persistence cookie's server prefix removed, http-request header rules of
 * the frontend then the backend, X-Forwarded-For (option forwardfor), Connection. Returns
 * false when @o overflowed.
 */
bool sl_hx_build_request(struct sl_hx_out *o, const struct sl_http1_req *req,
			 const struct sl_http1_hdr *h, size_t n, const struct sl_hx_req_edit *e);

/* How the forwarded response is edited. */
struct sl_hx_rsp_edit {
	const struct sl_proxy *fe, *be;
	const struct sl_acl_ctx *ctx;
	const char *srv_cookie;	 /* the server's "cookie" value, NULL when none */
	bool direct;		 /* the request's persistence cookie chose this server */
	enum sl_http1_method meth; /* of the request (nocache's cacheability, postonly) */
	uint32_t now_s;		 /* Unix time, seconds (insert mode dates) */
	uint32_t last_date, first_date; /* the dates of the request's cookie (0: none) */
	bool close_client;	 /* the client connection ends after this response */
	bool client_10_ka;	 /* an HTTP/1.0 client that asked for keep-alive and keeps it */
	bool tunnel;		 /* 101: the connection becomes a tunnel */
};

/*
 * Writes the response head for the client: "HTTP/1.1 code reason", the field lines
 * lowercased without hop-by-hop ones, Set-Cookie of the persistence cookie prefixed (prefix
 * mode) or rewritten (rewrite mode) with the server's id or dropped (insert mode, and
 * "indirect" on a direct request), an inserted cookie (insert mode, when HAProxy would insert
 * one) with nocache's "cache-control: private" on a cacheable response, http-response header
 * rules, then Connection. Returns false when @o overflowed.
 */
bool sl_hx_build_response(struct sl_hx_out *o, const struct sl_http1_resp *rsp,
			  const struct sl_http1_hdr *h, size_t n, const struct sl_hx_rsp_edit *e);

/*
 * Writes the local response for status @code (200: monitor-uri, 403, 500, 502, 503, 504) of a
 * transaction: the
 * errorfile of @be, else of @fe, else HAProxy's built-in page, re-emitted the way HAProxy's
 * stream layer does (field names lowercased, no Connection field: the connection closes).
 */
void sl_hx_error(struct sl_hx_out *o, const struct sl_proxy *fe, const struct sl_proxy *be,
		 int code);

/*
 * Writes the error HAProxy's HTTP/1 layer sends itself, before any stream exists: 400 for a
 * request it cannot parse, 408 for `timeout http-request`. HAProxy 2.6 sends its built-in
 * messages there, as they are (mixed-case names, "Connection: close"), whatever errorfile.
 */
void sl_hx_mux_error(struct sl_hx_out *o, int code);

/* Reason phrase HAProxy uses for @code ("Found", "Service Unavailable", ...). */
const char *sl_hx_reason(int code);

#endif
