/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Evaluation of HAProxy ACL conditions (the model of controlplane/cfg/cfg-t.h) over one HTTP/1
 * request and its connection. Pure: no I/O, no global state, no allocation while evaluating.
 *
 * Semantics are HAProxy's (configuration manual section 7, src/acl.c acl_exec_cond(), the
 * pat_match_*() functions of src/pattern.c, the fetches of src/http_fetch.c):
 *  - a condition is an OR of ANDs of terms, each possibly negated by "!"; "unless" negates the
 *    whole; a term is every "acl" line of its name, ORed (an anonymous "{ ... }" ACL is one line);
 *  - an ACL line matches when its fetch yields a sample and any of its patterns matches it. A
 *    fetch that yields no sample (no request, no such header, no SNI) makes the line false,
 *    so "!" of it is true, as in HAProxy;
 *  - a line without any pattern tests that the sample exists (docs/config.md 4.5: sluice's
 *    model keeps no "-m found" flag, so no pattern means presence);
 *  - path is the request-target's path without the query string, absent for "*", for
 *    authority-form and for an absolute-form target without a path (HAProxy http_get_path());
 *    url_beg / url_reg see the whole request-target as HAProxy forwards it: as received, but
 *    an absolute-form target loses its scheme's default port ("http://h:80/x" is "http://h/x",
 *    see sl_http1_target_parts());
 *  - hdr(host) sees the one Host the parser kept, which for an absolute-form target names
 *    the same authority (the parser refuses the request otherwise; see http1.h);
 *  - hdr*(name) see every comma-separated element of every field line of that name (names
 *    compared case-insensitively; each element trimmed of SP/HTAB; commas inside a quoted
 *    string do not split; empty elements count), and match when any element does: HAProxy's
 *    http_find_header() without the "full" flag, which req.hdr() and hdr_cnt() use. hdr_cnt
 *    counts those elements;
 *  - string matches are case-sensitive unless the line has -i; *_reg patterns are PCRE2,
 *    unanchored unless the pattern anchors itself (compiled with PCRE2_CASELESS under -i by the
 *    parser); path_dir matches a pattern (its own leading and trailing '/' ignored) between
 *    '/' or '?' delimiters or the ends of the path;
 *  - method is HAProxy's pat_match_meth(): the eight methods HAProxy knows (GET HEAD POST PUT
 *    DELETE OPTIONS TRACE CONNECT) always compare case-sensitively; other methods compare with
 *    other methods only, case-insensitively under -i;
 *  - src matches IPv4 networks, and IPv6 networks as ::ffff:a.b.c.d (HAProxy's v4tov6());
 *  - integer patterns (dst_port, hdr_cnt): eq/ge/gt/le/lt and inclusive ranges "a:b";
 *  - ssl_fc is true on a TLS connection; ssl_fc_sni is the SNI the client sent, if any;
 *    ssl_c_used / ssl_fc_has_crt / ssl_c_verify / ssl_c_s_dn / ssl_c_i_dn read ctx->cert;
 *  - http_auth(L) is true when the first Authorization field carries Basic credentials of a user
 *    of userlist L (dataplane/rules/userlist.h), http_auth_group(L) G... when that user is also
 *    in one of the groups G.
 *
 * Predefined ACLs: the parser resolves TRUE, FALSE, LOCALHOST and METH_* into term->anon (a
 * user "acl" of that name, if declared first, wins as in HAProxy), so they need nothing here.
 * The predefined names whose fetch the model cannot express (HTTP, HTTP_1.0, HTTP_1.1, HTTP_2.0,
 * HTTP_3.0, HTTP_URL_ABS, HTTP_URL_SLASH, HTTP_URL_STAR, HTTP_CONTENT) are known to this
 * evaluator by name: a term with that name, no anon and no user ACL of that name is evaluated
 * with HAProxy's definition (src/acl.c default_acl_list). The parser still refuses them ("no
 * such ACL", docs/config.md 4.5); sl_acl_builtin_known() is what it can ask to accept them.
 *
 * Threads: the configuration is read-only; any number of threads may evaluate at once, each
 * with its own struct sl_acl_scratch.
 */
#ifndef SL_ACL_EVAL_H
#define SL_ACL_EVAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "controlplane/cfg/cfg-t.h"
#include "proto/http1.h"
#include "tls/tls.h"

/*
 * Working space for the regex patterns: a PCRE2 match data block (which also keeps the
 * interpreter's backtracking frames between calls), and a buffer for a url sample that is no
 * byte range of the request. A match writes into it, so it cannot live in the shared,
 * read-only configuration: each evaluating thread owns one, made at start-up.
 */
struct sl_acl_scratch;

/* Allocates a scratch (start-up only). Returns NULL when out of memory. */
struct sl_acl_scratch *sl_acl_scratch_new(void);

/* The scratch's userlist working area (http_auth()), or NULL for a NULL scratch. */
struct sl_ul_scratch *sl_acl_scratch_ul(struct sl_acl_scratch *s);

/* The scratch's PCRE2 match data (room for 10 groups), or NULL for a NULL scratch. */
void *sl_acl_scratch_md(struct sl_acl_scratch *s);

/* Frees a scratch. NULL is accepted. */
void sl_acl_scratch_free(struct sl_acl_scratch *s);

/*
 * Stick counters, the caller's (the HTTP engine keeps the tracked entries, dataplane/stick/):
 * fetch yields the value of an sc_*, scN_* or src_* fetch @k (false: no sample: nothing
 * tracked, no entry, the table stores no such data); track runs `http-request track-scN src
 * [table NAME]` (@table never NULL: the parser names the proxy's own). A ctx without them
 * yields no sample and tracks nothing.
 */
struct sl_acl_stk_ops {
	bool (*fetch)(void *arg, const struct sl_acl_stk *k, int64_t *v);
	void (*track)(void *arg, int sc, const char *table);
	void *arg;
};

/* What an ACL looks at. Nothing is copied: the pointers must stay valid during the call. */
struct sl_acl_ctx {
	const struct sl_http1_req *req;	 /* NULL for a TCP-only context: HTTP fetches fail */
	const struct sl_http1_hdr *hdrs; /* the request's field lines (from the same parse) */
	size_t nhdrs;
	uint32_t src;	   /* client IPv4 address, host order */
	uint16_t dst_port; /* the frontend port the client connected to */
	uint16_t src_port; /* the client's port (log-format expressions) */
	uint32_t dst;	   /* the address the client connected to, host order */
	bool ssl;	   /* TLS on the client side (ssl_fc) */
	const char *sni;   /* ssl_fc_sni, NULL when the client sent none (or !ssl) */
	size_t sni_len;
	const struct sl_tls_peer *cert; /* the client's certificate (tls.h sl_tls_peer()), NULL:
					 * no TLS handshake done (the ssl_c_* fetches then yield
					 * no sample) */
	/* the client's first bytes, for the req.* payload fetches (a mode tcp frontend's
	 * tcp-request content and use_backend rules); NULL: none (the fetches fail) */
	const uint8_t *payload;
	size_t payload_len;
	bool payload_final; /* no more bytes will be waited for (inspect-delay over, buffer
			     * full, the client's FIN): a fetch short of bytes then fails */
	/*
	 * The calling thread's scratch. Needed by *_reg patterns, and by url_beg / url_reg on a
	 * target whose default port was cut (the url sample is then a copy): with NULL they
	 * never match (nothing is allocated behind the caller's back).
	 */
	struct sl_acl_scratch *scratch;
	const struct sl_acl_stk_ops *stk; /* NULL: no stick counters */
};

/*
 * Walks the elements of the field lines named @name the way HAProxy's http_find_header()
 * does without HTTP_FIND_FL_FULL: each line's value is cut at every comma outside a quoted
 * string (http_find_hdr_value_end()), each element trimmed of SP/HTAB. Empty elements are
 * returned too, so "a," has two elements and an empty value one: hdr_cnt counts like HAProxy.
 */
struct sl_acl_hdr_iter {
	const struct sl_http1_hdr *hdrs;
	size_t n, i;
	const char *name;
	size_t name_len;
	const char *p, *end; /* rest of the current value, when in_value */
	bool in_value;
};

void sl_acl_hdr_iter_init(struct sl_acl_hdr_iter *it, const struct sl_acl_ctx *ctx,
			  const char *name);
/* The next element (*@v, *@vlen), or false after the last one. */
bool sl_acl_hdr_next(struct sl_acl_hdr_iter *it, const char **v, size_t *vlen);

/*
 * Evaluates @cond in proxy @px, whose named ACLs the terms refer to (@px may be NULL: then
 * only anonymous and predefined terms can match), for @ctx (never NULL). @cond NULL (a rule
 * without a condition) is true. Applies "unless". A name that is neither a user ACL of @px nor
 * a predefined ACL is false (the parser refuses those).
 */
bool sl_acl_cond_eval(const struct sl_proxy *px, const struct sl_cond *cond,
		      const struct sl_acl_ctx *ctx);

/*
 * HAProxy's three-valued result (src/acl.c): a payload fetch short of bytes, or req.len not
 * matching yet, is a miss until payload_final; "!" keeps a miss, AND and OR combine as
 * HAProxy's (FAIL & x = FAIL, PASS | x = PASS, otherwise MISS). The values are HAProxy's, so
 * that & and | are those operators.
 */
enum sl_acl_res { SL_ACL_FAIL = 0, SL_ACL_MISS = 1, SL_ACL_PASS = 3 };
enum sl_acl_res sl_acl_cond_eval3(const struct sl_proxy *px, const struct sl_cond *cond,
				  const struct sl_acl_ctx *ctx);

/*
 * `tcp-request connection` rules of frontend @fe on a connection (@ctx: its addresses and
 * ports; no payload): true when the first rule whose condition holds is a reject.
 */
bool sl_tcp_conn_rejected(const struct sl_proxy *fe, const struct sl_acl_ctx *ctx);

/* Evaluates one "acl" line (not the other lines of the same name). @acl NULL is false. */
bool sl_acl_eval(const struct sl_acl *acl, const struct sl_acl_ctx *ctx);

/*
 * True when @name is a predefined ACL that the model cannot express as an anonymous ACL and
 * that sl_acl_cond_eval() knows by name (see the top of this file).
 */
bool sl_acl_builtin_known(const char *name);

#endif
