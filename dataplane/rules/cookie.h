/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Cookie persistence codec: the header edits of HAProxy's backend "cookie" keyword
 * (cookie NAME [rewrite|insert|prefix] [indirect] [nocache] [postonly] [preserve] [httponly]
 * [secure] [domain D]* [maxidle T] [maxlife T] [attr V]*), byte for byte as HAProxy 2.x makes
 * them (src/http_ana.c: http_manage_client_side_cookies(), http_manage_server_side_cookies(),
 * the Set-Cookie insertion of http_process_res_common(), http_check_response_for_cacheability();
 * checked against haproxy 2.6 on loopback). Pure: no allocation, no I/O, no global state; every
 * function may be called from any lcore. Outputs go to a caller's buffer and never pass its
 * capacity: a result that does not fit is an error (-1), never a truncated value.
 *
 * How HAProxy reads a Cookie field value (and so how these functions do): elements are split at
 * ';' and at ',' (RFC 2965's separator, still honoured), a DQUOTE-quoted value may hold either;
 * SP/HTAB around the name and around '=' do not count, and HAProxy deletes the ones around '='
 * ("a = 1" is forwarded as "a=1"); names are compared case-sensitively (RFC 6265 5.4); elements
 * whose name starts with '$' (RFC 2109 "$Path", "$Version") are attributes of the cookie before
 * them; an element without '=' is kept as it is. A Set-Cookie value is one cookie followed by
 * attributes: only its first name=value pair is looked at.
 *
 * The persistence cookie's value is "SRV" in insert and rewrite modes, optionally followed by
 * "|LAST|FIRST" dates when maxidle/maxlife are set (LAST and FIRST: 5 chars, a Unix time divided
 * by 4 in 30 bits, base64 alphabet A-Z a-z 0-9 + /, most significant first), and "SRV~APPVALUE"
 * in prefix mode (SL_HTTP1_COOKIE_PREFIX_DELIM).
 */
#ifndef SL_COOKIE_H
#define SL_COOKIE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/http1.h"

struct sl_cookie; /* the configuration of one backend's "cookie": controlplane/cfg/cfg-t.h */

/*
 * What HAProxy does with the cookie, by mode (named SL_CK_* so as not to clash with the
 * configuration model's enum sl_cookie_mode):
 *  - PASSIVE (no mode keyword): the cookie only selects the server; nothing is edited except
 *    that "indirect" still removes the server's own Set-Cookie on a direct request;
 *  - INSERT: HAProxy adds "Set-Cookie: NAME=SRV; path=/..." (sl_cookie_insert_value()) and
 *    removes the server's own NAME Set-Cookie; with "indirect" the NAME cookie is also removed
 *    from requests, so the application never sees it;
 *  - PREFIX: the server's NAME Set-Cookie value gets "SRV~" in front, and requests get it back
 *    without that prefix;
 *  - REWRITE: the server's NAME Set-Cookie value is replaced by SRV; requests are forwarded
 *    unchanged.
 */
enum sl_ck_mode {
	SL_CK_PASSIVE,
	SL_CK_INSERT,
	SL_CK_PREFIX,
	SL_CK_REWRITE,
};

/*
 * The field HAProxy appends after its own Set-Cookie with "nocache" (HAProxy's code adds
 * "Cache-control: private"; its HTX lowercases names on output, so the wire has the spelling
 * below). Only in insert mode, only when a cookie is inserted, and only when the response is
 * cacheable (sl_cookie_cacheable()); prefix and rewrite modes never add it.
 */
#define SL_COOKIE_NOCACHE_NAME	"cache-control"
#define SL_COOKIE_NOCACHE_VALUE "private"
#define SL_COOKIE_NOCACHE_FIELD SL_COOKIE_NOCACHE_NAME ": " SL_COOKIE_NOCACHE_VALUE

/*
 * A server id found in a Cookie field value: a slice of that value. In insert, rewrite and
 * passive modes the id is the NAME value up to the first '|', and the "|LAST|FIRST" dates
 * after it are decoded (seconds; 0 when absent or malformed). In prefix mode it is the value up
 * to the first '~', or the whole value when it has no '~' (HAProxy matches "NAME=s1" to server
 * s1 too), and there are no dates. An empty id ("NAME=", "NAME=~abc", "NAME=|xxxxx") is no id.
 */
struct sl_cookie_id {
	const char *srv;
	size_t srv_len;
	uint32_t last_date, first_date;
};

/*
 * Iterates the server ids of the NAME elements of Cookie value @v (@len bytes) in order, for
 * cookie @name in @mode (elements cut as sl_cookie_req_rewrite() cuts them). *@pos starts at 0.
 * Returns true with the next non-empty id in @id and *@pos advanced; false at the end.
 *
 * HAProxy takes the first id that names a usable server: it skips an id whose cookie is too
 * old (sl_cookie_age()), an unknown id, and one whose servers are all down (unless "option
 * persist" or force-persist), and tries the next NAME element, then the next Cookie line; once a
 * server is chosen the remaining ids are ignored. A caller reproduces that by iterating here
 * over each Cookie line until its server lookup accepts an id.
 */
bool sl_cookie_next_id(const char *v, size_t len, const char *name, enum sl_ck_mode mode,
		       size_t *pos, struct sl_cookie_id *id);

/* What sl_cookie_req_rewrite() found in one Cookie field value. */
struct sl_cookie_req_out {
	/*
	 * The first non-empty id of the value, as sl_cookie_next_id() returns it first (srv NULL
	 * when none): enough when no id is ever refused; HAProxy would go on to the next id when
	 * this one names no usable server.
	 */
	struct sl_cookie_id id;
	size_t len;	/* bytes written to the caller's buffer: the value to forward */
	unsigned count; /* NAME elements seen */
	bool changed;	/* the value to forward differs from the one received */
	bool drop;	/* it became empty: remove the field line (len is 0) */
};

/*
 * Edits one Cookie field value @v (@len bytes, as parsed: no leading/trailing OWS) as HAProxy
 * does before forwarding a request, for cookie @name (NUL-terminated, case-sensitive; an empty
 * name matches nothing) in @mode:
 *  - PREFIX: every NAME element whose value has a '~' loses the value up to and including the
 *    first '~' ("NAME=s1~abc" -> "NAME=abc", "NAME=~abc" -> "NAME=abc", "NAME=s1~" -> "NAME=");
 *    values without '~' are kept;
 *  - INSERT with @indirect: every NAME element is removed, with the '$' elements that follow
 *    it. Removing the first element also removes the separator and spaces after it
 *    ("NAME=s1; b=2" -> "b=2"); removing a later one joins its neighbours with the separator
 *    that followed it and one SP, spaces before it dropped ("a=1;NAME=s1;b=2" -> "a=1; b=2");
 *    removing the last ones cuts the value where they began ("a=1 ; NAME=s1" -> "a=1 "); when
 *    only removed and '$' elements were there, the value becomes empty: r->drop;
 *  - INSERT without @indirect, REWRITE, PASSIVE: nothing but the spaces around '=' removed.
 * In every mode SP/HTAB around '=' are removed from all elements but '$' ones and those
 * without '='. @preserve does not change requests (HAProxy reads it on responses only).
 *
 * Writes the value to forward to @buf (@cap bytes; never more than @len are needed) and fills
 * @r. Returns 0, or -1 when it does not fit in @cap (then @buf and @r are unspecified and the
 * value may be forwarded as received). Several Cookie lines: call once per line; HAProxy keeps
 * the server of the first line that gave one.
 */
int sl_cookie_req_rewrite(const char *v, size_t len, const char *name, enum sl_ck_mode mode,
			  bool indirect, bool preserve, char *buf, size_t cap,
			  struct sl_cookie_req_out *r);

/* Returns of sl_cookie_rsp_rewrite(). */
#define SL_COOKIE_RSP_KEEP	0 /* forward the value as received */
#define SL_COOKIE_RSP_REWRITTEN 1 /* forward the new value written to the buffer */
#define SL_COOKIE_RSP_DROP	2 /* remove this Set-Cookie line */

/*
 * Edits one Set-Cookie field value @v (@len bytes) from the server as HAProxy does, for cookie
 * @name in @mode, the response coming from a server whose cookie id is @srv/@srv_len:
 *  - when the first name=value pair of @v is NAME (case-sensitive, exact length): PREFIX puts
 *    "SRV~" before its value ("NAME=abc; Path=/" -> "NAME=s1~abc; Path=/"), REWRITE replaces
 *    its value by SRV (the value ends at an unquoted ';' or ','), INSERT drops the line
 *    (HAProxy replaces it by its own, sl_cookie_insert_value()); attributes are kept as they
 *    are;
 *  - any first pair (NAME or not): SP/HTAB around its '=' are removed, as HAProxy does.
 * @srv NULL leaves the NAME cookie alone: pass it for a response that comes from no server,
 * with "preserve", and when an ignore-persist rule matched. @srv_len 0 is a server without
 * cookie: PREFIX and REWRITE leave the value, INSERT still drops the line. "indirect" on a
 * request that came with a valid cookie (HAProxy's direct access) removes the server's NAME
 * cookie in every mode: call with SL_CK_INSERT then.
 *
 * Returns SL_COOKIE_RSP_KEEP (buffer unspecified), SL_COOKIE_RSP_REWRITTEN with the value in
 * @buf[0, *@out_len) (it needs at most @len + @srv_len + 1 bytes), SL_COOKIE_RSP_DROP, or -1
 * when the new value does not fit in @cap.
 */
int sl_cookie_rsp_rewrite(const char *v, size_t len, const char *name, enum sl_ck_mode mode,
			  const char *srv, size_t srv_len, char *buf, size_t cap, size_t *out_len);

/*
 * Builds the value of the Set-Cookie field HAProxy adds in insert mode, for backend cookie
 * configuration @ck (name, domains, attrs, httponly, secure, maxidle, maxlife) and cookie
 * @name, the response coming from a server whose cookie id is @srv_cookie (NUL-terminated):
 *   NAME=SRV[|LAST[|FIRST]]; path=/[; domain=D]...[; HttpOnly][; Secure][; ATTR]...
 * in that order and spelling: domains and attrs in configuration order. LAST and FIRST only
 * when maxidle or maxlife is set (FIRST only with maxlife): LAST encodes @now, FIRST encodes
 * @first_date, the date decoded from the request's cookie (sl_cookie_id), or @now when
 * that is 0 (HAProxy keeps the first date of a session). @srv_cookie NULL (a server without
 * cookie, e.g. a backup) gives HAProxy's removal request instead:
 *   NAME=; Expires=Thu, 01-Jan-1970 00:00:01 GMT; path=/[; domain=D]...
 * @now and @first_date are Unix times in seconds. Writes to @buf (@cap bytes) and sets
 * *@out_len. Returns 0, or -1 when it does not fit.
 */
int sl_cookie_insert_value_at(const char *name, const char *srv_cookie, const struct sl_cookie *ck,
			      uint32_t now, uint32_t first_date, char *buf, size_t cap,
			      size_t *out_len);

/* sl_cookie_insert_value_at() without the dates: for a backend without maxidle/maxlife. */
int sl_cookie_insert_value(const char *name, const char *srv_cookie, const struct sl_cookie *ck,
			   char *buf, size_t cap, size_t *out_len);

/*
 * Whether HAProxy inserts its Set-Cookie on this response, for an insert-mode backend @ck and a
 * response from a server (call it only then, and not when an ignore-persist rule matched):
 *  - not with "postonly" unless @is_post (the request method is POST);
 *  - not with "preserve" when the server sent its own NAME Set-Cookie (@srv_set_it);
 *  - then when the request did not come direct (@direct: a valid NAME cookie chose this
 *    server), or when dates must be set or refreshed: maxidle set or a LAST date was received,
 *    and @last_date (the date received, 0 when none) is 0 or before @now; maxlife set and no
 *    FIRST date received; maxlife unset and a FIRST date received (to remove it).
 * With maxidle or maxlife a direct client thus gets a fresh cookie about every 4 s (the date
 * unit). @now: Unix seconds; dates as in sl_cookie_id.
 */
bool sl_cookie_insert_needed(const struct sl_cookie *ck, bool direct, bool srv_set_it, bool is_post,
			     uint32_t now, uint32_t last_date, uint32_t first_date);

/* Age of a persistence cookie against maxidle/maxlife, sl_cookie_age(). */
enum sl_cookie_age {
	SL_COOKIE_AGE_OK,
	SL_COOKIE_AGE_OLD,     /* FIRST older than maxlife (HAProxy logs 'O') */
	SL_COOKIE_AGE_EXPIRED, /* LAST older than maxidle (HAProxy logs 'E') */
};

/*
 * Checks the dates of a request's cookie (sl_cookie_id) at Unix time @now as HAProxy does
 * before using its server: OLD when maxlife is set, a FIRST date was received, and it is more
 * than maxlife seconds ago or more than one day in the future; else EXPIRED the same way with
 * LAST and maxidle. A cookie that is not OK selects no server (and HAProxy then issues a new
 * one: pass 0 as its dates to sl_cookie_insert_needed() and sl_cookie_insert_value_at()).
 * The differences are taken modulo 2^32 as signed, as HAProxy does.
 */
enum sl_cookie_age sl_cookie_age(const struct sl_cookie *ck, uint32_t now, uint32_t last_date,
				 uint32_t first_date);

/*
 * HAProxy's cacheability of a response (http_check_response_for_cacheability() over its
 * TX_CACHEABLE start), which decides whether "nocache" adds SL_COOKIE_NOCACHE_FIELD. Starts
 * true for a request method @meth of GET, HEAD, OPTIONS or TRACE, false otherwise; then for the
 * response @rsp with field lines @h (@n): false below status 200; false when the first Pragma
 * line is "no-cache"; over the Cache-Control elements of all lines (case-insensitive): "public"
 * makes it true, "private", "no-cache", "no-store", "s-maxage=0" false, "max-age=0" false
 * unless an element starting with "s-maxage" follows; finally false when no freshness is
 * given (no element starting with "max-age" or "s-maxage", no Expires field) and no validator
 * either (no ETag, no Last-Modified). Cache-Control elements are split at every comma, quoted
 * or not (HAProxy keeps a quoted comma inside its element: no directive tested here differs).
 * HAProxy 2.6 differs on one point: its "max-age=0" wins over "s-maxage" (newer ones as here).
 */
bool sl_cookie_cacheable(enum sl_http1_method meth, const struct sl_http1_resp *rsp,
			 const struct sl_http1_hdr *h, size_t n);

/* sl_cookie_cacheable() for a GET, HEAD, OPTIONS or TRACE request (the usual case). */
bool sl_cookie_nocache_applies(const struct sl_http1_resp *rsp, const struct sl_http1_hdr *h,
			       size_t n);

#endif
