/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * HTTP/1.1 message heads, body framing and chunked bodies (RFC 9112), with the field rules of
 * RFC 9110. Pure: no allocation, no I/O, no global state. Everything the parsers return points
 * into the caller's buffer (no copies), so a parse result lives as long as that buffer.
 *
 * Return convention of the head parsers (picohttpparser's): the number of bytes of the head,
 * start-line through the empty line that ends it, when the head is complete and valid; -2 when
 * the bytes so far are a valid beginning that needs more; -1 when the input is invalid (the
 * struct's err field then names the reason). A head parser keeps no state between calls: call
 * it again over the whole, longer buffer.
 *
 * The parser is strict where leniency enables request smuggling or cache poisoning behind a
 * proxy that forwards the head as it is (RFC 9112 section 11.2): every choice left open by the
 * RFCs is taken towards refusing, and each refusal has its own enum sl_http1_err reason. See
 * the comments of sl_http1_parse_request() for the full list.
 */
#ifndef SL_HTTP1_H
#define SL_HTTP1_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* HAProxy's tune.http.maxhdr default: the header capacity callers usually pass. */
#define SL_HTTP1_MAX_HDRS_DEFAULT 101
/* Largest Content-Length / chunk size accepted: 2^63 - 1 (a larger one is refused). */
#define SL_HTTP1_MAX_LENGTH ((uint64_t)INT64_MAX)
/* Longest chunk-size line (size + extensions), and the largest trailer section, in bytes. */
#define SL_HTTP1_CHUNK_LINE_MAX 4096
#define SL_HTTP1_TRAILER_MAX	16384

enum sl_http1_err {
	SL_HTTP1_OK,
	SL_HTTP1_ERR_TOO_LARGE,	    /* no end of head within max_len bytes */
	SL_HTTP1_ERR_TOO_MANY_HDRS, /* more header lines than the caller's capacity */
	SL_HTTP1_ERR_BARE_LF,	    /* LF not preceded by CR (RFC 9112 2.2: we refuse) */
	SL_HTTP1_ERR_BARE_CR,	    /* CR not followed by LF (RFC 9112 2.2) */
	SL_HTTP1_ERR_METHOD,	    /* empty method or a char outside tchar (RFC 9110 9.1) */
	SL_HTTP1_ERR_REQ_LINE,	    /* not "method SP target SP version" with single SPs */
	SL_HTTP1_ERR_TARGET,	    /* bad request-target, or its form not allowed for the method */
	SL_HTTP1_ERR_VERSION,	    /* anything but HTTP/1.0 and HTTP/1.1 */
	SL_HTTP1_ERR_STATUS_LINE,   /* malformed status-line: status not 3 digits 100..599, ... */
	SL_HTTP1_ERR_OBS_FOLD,	    /* a field line starting with SP or HTAB (RFC 9112 5.2, 2.2) */
	SL_HTTP1_ERR_EMPTY_NAME,    /* ": value" */
	SL_HTTP1_ERR_WS_BEFORE_COLON, /* "Name : value" (RFC 9112 5.1) */
	SL_HTTP1_ERR_NAME_CHAR,	      /* a name char outside tchar, NUL included, or no colon */
	SL_HTTP1_ERR_VALUE_CHAR,      /* NUL or another CTL but HTAB in a value (RFC 9110 5.5) */
	SL_HTTP1_ERR_CL_INVALID,   /* Content-Length not 1*DIGIT ("+1", "0x10", "-1", "", "1,,1") */
	SL_HTTP1_ERR_CL_RANGE,	   /* Content-Length above 2^63 - 1 */
	SL_HTTP1_ERR_CL_MISMATCH,  /* Content-Length values that differ (RFC 9110 8.6) */
	SL_HTTP1_ERR_TE_INVALID,   /* Transfer-Encoding: chunked not last, twice, bad coding */
	SL_HTTP1_ERR_CL_AND_TE,	   /* both Content-Length and Transfer-Encoding */
	SL_HTTP1_ERR_TE_HTTP10,	   /* Transfer-Encoding in an HTTP/1.0 message (RFC 9112 6.1) */
	SL_HTTP1_ERR_HOST_MISSING, /* HTTP/1.1 request without Host (RFC 9112 3.2) */
	SL_HTTP1_ERR_HOST_DUP,	   /* Host field lines with different values */
	SL_HTTP1_ERR_HOST_INVALID, /* Host value with a char outside uri-host [":" port] */
	SL_HTTP1_ERR_HOST_MISMATCH, /* a target's authority that is not the Host (HAProxy's rule) */
	SL_HTTP1_ERR_CHUNK_SIZE,    /* chunk-size missing or not hex, WS not followed by ';' */
	SL_HTTP1_ERR_CHUNK_RANGE,   /* chunk-size above 2^63 - 1 */
	SL_HTTP1_ERR_CHUNK_EXT,	    /* a CTL in a chunk extension */
	SL_HTTP1_ERR_CHUNK_LINE,    /* chunk-size line longer than SL_HTTP1_CHUNK_LINE_MAX */
	SL_HTTP1_ERR_CHUNK_CRLF,    /* missing CRLF after a chunk-size line or chunk data */
	SL_HTTP1_ERR_TRAILER,	    /* malformed trailer field line */
	SL_HTTP1_ERR_TRAILER_SIZE,  /* trailer section above SL_HTTP1_TRAILER_MAX */
};
#define SL_HTTP1_ERR_COUNT (SL_HTTP1_ERR_TRAILER_SIZE + 1)

/* Returns "http1_ok", "http1_bare_lf", ... (one name per reason), "http1_unknown" outside. */
const char *sl_http1_err_name(enum sl_http1_err err);

enum sl_http1_method {
	SL_HTTP1_M_OTHER, /* a valid token we do not know: the method slice has it */
	SL_HTTP1_M_GET,
	SL_HTTP1_M_HEAD,
	SL_HTTP1_M_POST,
	SL_HTTP1_M_PUT,
	SL_HTTP1_M_DELETE,
	SL_HTTP1_M_CONNECT,
	SL_HTTP1_M_OPTIONS,
	SL_HTTP1_M_TRACE,
	SL_HTTP1_M_PATCH,
};

/* Request-target forms, RFC 9112 section 3.2. */
enum sl_http1_form {
	SL_HTTP1_FORM_ORIGIN,	 /* "/path?query" */
	SL_HTTP1_FORM_ABSOLUTE,	 /* "http://authority/path?query" (http and https only) */
	SL_HTTP1_FORM_AUTHORITY, /* "host:port", CONNECT only */
	SL_HTTP1_FORM_ASTERISK,	 /* "*", OPTIONS only */
};

/* Connection options (RFC 9110 7.6.1), as bits of sl_http1_conn_flags() and of conn fields. */
#define SL_HTTP1_CONN_CLOSE	 0x1u
#define SL_HTTP1_CONN_KEEP_ALIVE 0x2u
#define SL_HTTP1_CONN_UPGRADE	 0x4u
#define SL_HTTP1_CONN_OTHER	 0x8u /* another token: it names a hop-by-hop field */

/* Framing facts gathered from the fields of a head (the flags field of req and resp). */
#define SL_HTTP1_F_CL	   0x1u /* Content-Length present (content_length is its value) */
#define SL_HTTP1_F_TE	   0x2u /* Transfer-Encoding present */
#define SL_HTTP1_F_CHUNKED 0x4u /* ... and chunked is its final coding */
#define SL_HTTP1_F_UPGRADE 0x8u /* an Upgrade field is present */

/* One field line: slices of the caller's buffer. The value has no leading/trailing OWS. */
struct sl_http1_hdr {
	const char *name;
	size_t name_len;
	const char *value;
	size_t value_len;
};

struct sl_http1_req {
	const char *method;
	size_t method_len;
	enum sl_http1_method meth;
	enum sl_http1_form form;
	const char *target; /* the whole request-target */
	size_t target_len;
	/*
	 * authority: absolute-form's and authority-form's authority, else empty; absolute-form's
	 * without the scheme's default port (see target_cut). path: origin- and absolute-form's
	 * path (absolute-form "http://h" gives an empty path), "*" for asterisk-form, empty for
	 * authority-form. query: what follows '?', without it; empty when there is none
	 * (has_query tells "/p?" from "/p").
	 */
	const char *authority;
	size_t authority_len;
	/*
	 * Bytes of the target cut out right after the authority: the scheme's default port of an
	 * absolute-form target (":80" for http, ":443" for https, or an empty ":"), which HAProxy
	 * removes (RFC 3986 6.2.3); 0 otherwise. The target as forwarded and as ACLs see it is
	 * what sl_http1_target_parts() gives; target/target_len stay the bytes received.
	 */
	size_t target_cut;
	const char *path;
	size_t path_len;
	const char *query;
	size_t query_len;
	bool has_query;
	int minor;		 /* 0 or 1: HTTP/1.0 or HTTP/1.1 */
	unsigned flags;		 /* SL_HTTP1_F_* */
	unsigned conn;		 /* SL_HTTP1_CONN_* of all Connection field lines together */
	uint64_t content_length; /* valid when flags has SL_HTTP1_F_CL */
	int host_idx;		 /* index of the Host field line in hdrs, -1 when none */
	enum sl_http1_err err;	 /* SL_HTTP1_OK, or why -1 was returned */
};

struct sl_http1_resp {
	int minor;
	int status; /* 100..599 */
	const char *reason;
	size_t reason_len;
	unsigned flags;
	unsigned conn;
	uint64_t content_length;
	enum sl_http1_err err;
};

/*
 * Parses the request head at @buf (@len bytes available) into @req and @hdrs. *@nhdrs is the
 * capacity of @hdrs on input (e.g. SL_HTTP1_MAX_HDRS_DEFAULT) and the number of field lines on
 * success. @max_len bounds the head (the caller's buffer size; values above INT_MAX count as
 * INT_MAX). Returns the head length, through the CRLF CRLF, so that @buf + return is the first
 * body byte; -2 when more bytes are needed; -1 with req->err set when refused:
 *  - head not ended within @max_len bytes (TOO_LARGE), more field lines than the capacity
 *    (TOO_MANY_HDRS);
 *  - every line must end in CRLF: bare LF and bare CR are refused (RFC 9112 2.2 lets a
 *    recipient accept a bare LF: we do not). Empty lines (CRLF) before the request-line are
 *    skipped and counted in the returned length (RFC 9112 2.2 "SHOULD ignore");
 *  - request-line (RFC 9112 3): method, one SP, target, one SP, version, nothing else; method a
 *    tchar token (case-sensitive); version exactly "HTTP/1.0" or "HTTP/1.1" ("HTTP/1.10",
 *    "HTTP/2.0", "http/1.1" refused); request-target (RFC 9112 3.2): origin-form "/..." for any
 *    method but CONNECT, absolute-form "http://" or "https://" (scheme case-insensitive) with
 *    an authority whose host is not empty (RFC 9110 4.2.1: "http://:80/" refused, which
 *    HAProxy forwards) and without userinfo ('@' refused, RFC 9110 4.2.4), authority-form
 *    "host:port" for CONNECT only (and CONNECT only takes it), "*" for OPTIONS only; path and
 *    query chars must be visible ASCII (0x21..0x7e) other than '#' (no fragment in a target;
 *    percent-encoding is not judged: it is forwarded as received);
 *  - field lines (RFC 9112 5, RFC 9110 5.5): a line starting with SP/HTAB (obs-fold, or
 *    whitespace after the start-line) is refused; the name must be a non-empty tchar token
 *    followed directly by ':' (whitespace before the colon refused); values must not contain
 *    CTLs other than HTAB (NUL, CR, LF and the other CTLs refused; obs-text accepted);
 *  - Content-Length (RFC 9110 8.6): a comma-separated list of 1*DIGIT, each <= 2^63 - 1; all
 *    values across all Content-Length lines must be equal ("1,1" and two "1" lines accepted as
 *    1, as RFC 9110 8.6 allows; "1,2" refused); empty list elements refused;
 *  - Transfer-Encoding (RFC 9112 6.1): the list (all lines concatenated) must be tokens without
 *    parameters, no empty element, with "chunked" (case-insensitive) once and last; HTTP/1.0
 *    requests with it are refused, and so are requests with both it and Content-Length (RFC
 *    9112 6.3 lets a server reject them: we do, so no backend sees an ambiguous message);
 *  - Host (RFC 9112 3.2): required on HTTP/1.1, its value only chars of uri-host [":" port]
 *    (RFC 3986 reg-name, IP-literal; empty allowed). A second Host line equal to the first
 *    (case-insensitively) is dropped from @hdrs, one that differs is refused (HOST_DUP): so
 *    does HAProxy 2.6, where RFC 9112 3.2 would refuse both;
 *  - one authority per request (HOST_MISMATCH), as HAProxy 2.6 decides it rather than RFC 9112
 *    3.2.2's "replace Host with the authority": an absolute-form target with a Host must name
 *    the same host (case-insensitive) and port, where a missing or empty port equals the
 *    scheme's default one (80 for http, 443 for https); its authority runs, as HAProxy reads
 *    it, up to the first '/', so "http://h?q" with a Host is refused. A CONNECT's Host, when
 *    present, must be the target's host with the target's port or, when the target's port is
 *    80 or 443, with no port. An absolute-form target without a Host is accepted (HTTP/1.0);
 *  - then HAProxy's normalization (RFC 3986 6.2.3): an absolute-form target whose port is its
 *    scheme's default one loses it (authority and target_cut) and the Host value becomes the
 *    target's host ("GET http://H:80/ + Host: h:80" is seen as "http://H/" + "H"); a CONNECT
 *    Host that carries the target's port 80 or 443 loses it. @hdrs[host_idx].value then
 *    points into the request-line.
 * Unknown fields are kept as they are. On -2 and -1 the outputs are unspecified.
 */
int sl_http1_parse_request(const char *buf, size_t len, size_t max_len, struct sl_http1_req *req,
			   struct sl_http1_hdr *hdrs, size_t *nhdrs);

/*
 * The request-target of @req as HAProxy forwards it and as ACLs see it, in two slices of the
 * buffer: [*@a, *@a + *@alen) then [*@b, *@b + *@blen). Together they are the target received,
 * but for an absolute-form target whose default port was cut out (req->target_cut): the port
 * lies between them. @req must come from a successful sl_http1_parse_request(). Any lcore.
 */
static inline void sl_http1_target_parts(const struct sl_http1_req *req, const char **a,
					 size_t *alen, const char **b, size_t *blen)
{
	size_t head = req->target_len;
	if (req->target_cut > 0)
		head = (size_t)(req->authority + req->authority_len - req->target);
	*a = req->target;
	*alen = head;
	*b = req->target + head + req->target_cut;
	*blen = req->target_len - head - req->target_cut;
}

/*
 * Parses a response head, as sl_http1_parse_request() (same returns, limits, line and field
 * rules, Content-Length and Transfer-Encoding checks, resp->err on -1). The status-line (RFC
 * 9112 4) is "HTTP/1.x" SP 3DIGIT SP reason, status 100..599 (RFC 9110 15); the reason may be
 * empty and the SP before it may be missing ("HTTP/1.1 200" CRLF, which servers send), its
 * chars HTAB, SP, VCHAR, obs-text. Leading empty lines are not skipped. Differences: Host is
 * not checked; a Transfer-Encoding without chunked ("gzip") is accepted and means the body
 * runs until close (RFC 9112 6.3 rule 4), while chunked that is not last or appears twice is
 * still refused. Content-Length and Transfer-Encoding on 1xx/204/304 are not refused: the body
 * framing ignores them (sl_http1_body_info()).
 */
int sl_http1_parse_response(const char *buf, size_t len, size_t max_len, struct sl_http1_resp *resp,
			    struct sl_http1_hdr *hdrs, size_t *nhdrs);

/* Message body framing, RFC 9112 section 6.3. */
enum sl_http1_body {
	SL_HTTP1_BODY_NONE,	   /* no body: the next message starts right after the head */
	SL_HTTP1_BODY_LENGTH,	   /* exactly *length (> 0) bytes */
	SL_HTTP1_BODY_CHUNKED,	   /* chunked: walk it with sl_http1_chunk_step() */
	SL_HTTP1_BODY_UNTIL_CLOSE, /* responses only: the body ends when the server closes */
	SL_HTTP1_BODY_TUNNEL,	   /* 2xx to CONNECT, 101: bytes after the head are a tunnel */
};

/*
 * Body framing of a parsed message. With @resp NULL: the body of request @req (chunked when
 * its Transfer-Encoding ends in chunked, else its Content-Length, else none: RFC 9112 6.3
 * rules 4, 6, 7). With @resp non-NULL: the body of that response to request @req (@req may be
 * NULL when unknown: then taken as a GET), rule by rule: a response to HEAD, any 1xx but 101,
 * 204 and 304 have none; 101 and a 2xx to CONNECT are a tunnel; else chunked when
 * Transfer-Encoding ends in chunked, until close when Transfer-Encoding is there without
 * chunked, Content-Length, and until close otherwise. Content-Length 0 is NONE. *@length is
 * set to the length for LENGTH, to 0 otherwise; @length may be NULL.
 */
enum sl_http1_body sl_http1_body_info(const struct sl_http1_req *req,
				      const struct sl_http1_resp *resp, uint64_t *length);

/* Returns "none", "length", "chunked", "until-close", "tunnel", or "unknown". */
const char *sl_http1_body_name(enum sl_http1_body b);

/*
 * Streaming chunked body decoder (RFC 9112 section 7.1). Zero-initialize the state (or call
 * sl_http1_chunk_init()), then feed the body bytes as they come, in any split, down to one
 * byte at a time; bytes are never presented twice.
 *
 * Accepts: chunk-size in hex (either case, leading zeros), chunk extensions after optional
 * whitespace and ';' (skipped, any chars but CTLs other than HTAB), chunk data, CRLF, the
 * last chunk "0", a trailer section of field lines (validated like header lines, then skipped:
 * a proxy forwards them as they are) and the final CRLF. Refuses: no hex digit, a size above
 * 2^63 - 1, whitespace after the size not followed by ';', a CTL in an extension, a size
 * line longer than SL_HTTP1_CHUNK_LINE_MAX, anything but CRLF after the size line and after
 * the data (bare CR or LF included), a malformed trailer line (obs-fold, empty name, name
 * char outside tchar, CTL in value), a trailer section above SL_HTTP1_TRAILER_MAX.
 */
struct sl_http1_chunk {
	uint64_t size;	  /* chunk-size being read, then the chunk data bytes left */
	uint32_t line;	  /* bytes of the current chunk-size line */
	uint32_t trailer; /* bytes of trailer section so far */
	uint8_t state;
	uint8_t digits; /* hex digits read on this line */
	enum sl_http1_err err;
};

void sl_http1_chunk_init(struct sl_http1_chunk *st);

/*
 * Walks the next @len bytes of a chunked body. Returns the number of bytes consumed, n:
 * 0 <= n <= len, and stops after at most one run of chunk data, which is at
 * @buf[*data_off, *data_off + *data_len) (*data_len 0 when the consumed bytes held no data):
 * forward it, then call again with @buf + n. n < len only after a data run or at the end of
 * the body; once the body (trailers and final CRLF included) is over, sl_http1_chunk_done()
 * is true and the bytes from n on belong to the next message. Returns -1 with st->err set
 * when the body is malformed (the state then stays in error). Never returns -2: the decoder
 * keeps its place, so running out of bytes is a return of n == len with done still false.
 */
int sl_http1_chunk_step(struct sl_http1_chunk *st, const char *buf, size_t len, size_t *data_off,
			size_t *data_len);

/* True when the whole chunked body, final CRLF included, has been consumed. */
bool sl_http1_chunk_done(const struct sl_http1_chunk *st);

/* ------------------------------------------------------------------ helpers for the proxy */

/* True when @p[0, @len) equals the NUL-terminated @lit, ASCII case-insensitively. */
bool sl_http1_ieq(const char *p, size_t len, const char *lit);

/*
 * Index of the first field line at or after @start whose name is @name (case-insensitive,
 * NUL-terminated), or -1. Loop with start = previous index + 1 for repeated fields.
 */
int sl_http1_find_hdr(const struct sl_http1_hdr *hdrs, size_t n, size_t start, const char *name);

/*
 * Iterates the elements of a comma-separated list value (RFC 9110 5.6.1): *@pos starts at the
 * value, @end is its end. Returns true with the next element (OWS trimmed, never empty: empty
 * elements are skipped) in @tok/@tok_len and *@pos advanced; false at the end.
 */
bool sl_http1_list_next(const char **pos, const char *end, const char **tok, size_t *tok_len);

/*
 * Connection field value @v (RFC 9110 7.6.1) as SL_HTTP1_CONN_* bits: "close", "keep-alive",
 * "upgrade" (case-insensitive), SL_HTTP1_CONN_OTHER for any other option.
 */
unsigned sl_http1_conn_flags(const char *v, size_t len);

/*
 * Whether the connection persists after this message (RFC 9112 9.3): HTTP/1.1 unless "close";
 * HTTP/1.0 only with "keep-alive" and without "close". @conn: SL_HTTP1_CONN_* bits.
 */
bool sl_http1_keep_alive(int minor, unsigned conn);

/*
 * True for a WebSocket opening handshake request (RFC 6455 4.1 over RFC 9110 7.8): GET,
 * HTTP/1.1, Connection has "upgrade", and an Upgrade field lists "websocket" (case-
 * insensitive, optionally "websocket/13"-style versioned: protocol-name only is compared).
 */
bool sl_http1_is_websocket(const struct sl_http1_req *req, const struct sl_http1_hdr *hdrs,
			   size_t n);

/*
 * True when the field name @name is hop-by-hop by definition (RFC 9110 7.6.1): Connection,
 * Proxy-Connection, Keep-Alive, TE, Transfer-Encoding, Upgrade; RFC 7230's Trailer is not
 * (a sender of trailers keeps it). A proxy that forwards a chunked body unchanged keeps
 * Transfer-Encoding too.
 */
bool sl_http1_hop_by_hop_name(const char *name, size_t len);

/*
 * True when field line @i of @hdrs is hop-by-hop: its name is in the fixed list above, or an
 * option of a Connection field of the same head names it (RFC 9110 7.6.1).
 */
bool sl_http1_is_hop_by_hop(const struct sl_http1_hdr *hdrs, size_t n, size_t i);

/*
 * Finds cookie @name (@name_len bytes, case-sensitive, RFC 6265 5.4) in the Cookie field value
 * @v: pairs "name=value" separated by ';' with optional SP/HTAB around them (browsers send
 * "; "; a missing space is tolerated). Returns true with the value (as sent: surrounding
 * DQUOTEs are kept; may be empty) in @val/@val_len for the first pair of that name; false when
 * absent. A pair without '=' never matches.
 */
bool sl_http1_cookie_find(const char *v, size_t len, const char *name, size_t name_len,
			  const char **val, size_t *val_len);

/* Same over every Cookie field line of @hdrs, in order. */
bool sl_http1_cookie_find_hdrs(const struct sl_http1_hdr *hdrs, size_t n, const char *name,
			       size_t name_len, const char **val, size_t *val_len);

/* HAProxy's "cookie NAME prefix" delimiter: the server's cookie value, '~', the app's value. */
#define SL_HTTP1_COOKIE_PREFIX_DELIM '~'

/*
 * Splits a prefixed cookie value "SRV~orig" at the first '~': @srv/@srv_len the server's id
 * ("ams1"), @orig/@orig_len the application's value (may be empty). Returns false (outputs
 * untouched) when there is no '~' or the server part is empty: the cookie was not prefixed by
 * us, and is forwarded as is.
 */
bool sl_http1_cookie_prefix_split(const char *v, size_t len, const char **srv, size_t *srv_len,
				  const char **orig, size_t *orig_len);

#endif
