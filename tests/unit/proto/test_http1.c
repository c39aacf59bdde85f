/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the HTTP/1.1 parsers (proto/http1.c): request and response heads of real
 * clients and servers, every truncation, the smuggling refusals with their reasons, body
 * framing (RFC 9112 6.3), the streaming chunked decoder in any split, and the proxy helpers.
 * Every input is parsed from an exact-size heap copy, so the ASan build catches any read past
 * the length.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/http1.h"
#include "tests/unit/proto/proto_test_util.h"
#include "tests/unit/sl_test.h"

#define CAP SL_HTTP1_MAX_HDRS_DEFAULT
#define BIG 65536

struct raw {
	const char *s;
	size_t len;
};
#define RAW(lit)                     \
	{                            \
		lit, sizeof(lit) - 1 \
	}

/* Parses @len bytes of @s (heap copy) as a request; returns the parser's result. */
static int preq(const char *s, size_t len, size_t max_len, struct sl_http1_req *req,
		struct sl_http1_hdr *hdrs, size_t *n)
{
	char *d = (char *)sl_t_dup((const uint8_t *)s, len);
	*n = CAP;
	memset(req, 0, sizeof(*req));
	int r = sl_http1_parse_request(d, len, max_len, req, hdrs, n);
	/* The slices point into d: rebase them onto s so that callers may look at them. */
	if (r > 0) {
		ptrdiff_t off = s - d;
		req->method += off;
		req->target += off;
		req->authority += off;
		req->path += off;
		req->query += off;
		for (size_t i = 0; i < *n; i++) {
			hdrs[i].name += off;
			hdrs[i].value += off;
		}
	}
	free(d);
	return r;
}

static int presp(const char *s, size_t len, size_t max_len, struct sl_http1_resp *resp,
		 struct sl_http1_hdr *hdrs, size_t *n)
{
	char *d = (char *)sl_t_dup((const uint8_t *)s, len);
	*n = CAP;
	memset(resp, 0, sizeof(*resp));
	int r = sl_http1_parse_response(d, len, max_len, resp, hdrs, n);
	if (r > 0) {
		ptrdiff_t off = s - d;
		resp->reason += off;
		for (size_t i = 0; i < *n; i++) {
			hdrs[i].name += off;
			hdrs[i].value += off;
		}
	}
	free(d);
	return r;
}

static bool slice_is(const char *p, size_t len, const char *lit)
{
	return len == strlen(lit) && memcmp(p, lit, len) == 0;
}

/* Reason of a refused request (or 100 + result when not refused). */
static int req_err(const char *s, size_t len)
{
	struct sl_http1_req req;
	struct sl_http1_hdr hdrs[CAP];
	size_t n;
	int r = preq(s, len, BIG, &req, hdrs, &n);
	if (r == -1)
		return (int)req.err;
	return 100 + (r > 0 ? 1 : r);
}

static int resp_err(const char *s, size_t len)
{
	struct sl_http1_resp resp;
	struct sl_http1_hdr hdrs[CAP];
	size_t n;
	int r = presp(s, len, BIG, &resp, hdrs, &n);
	if (r == -1)
		return (int)resp.err;
	return 100 + (r > 0 ? 1 : r);
}

/* --------------------------------------------------------------------- valid requests */

static const char curl_get[] = "GET /LiveApp/streams/stream1.m3u8?token=abc&x=%20y HTTP/1.1\r\n"
			       "Host: ams.example.com\r\n"
			       "User-Agent: curl/7.88.1\r\n"
			       "Accept: */*\r\n"
			       "\r\n";

static const char wrk_get[] = "GET / HTTP/1.1\r\nHost: 10.77.0.10:8080\r\n\r\n";

static const char chrome_get[] =
	"GET /WebRTCAppEE/play.html?name=stream1 HTTP/1.1\r\n"
	"Host: ams.example.com:5080\r\n"
	"Connection: keep-alive\r\n"
	"Cache-Control: max-age=0\r\n"
	"sec-ch-ua: \"Chromium\";v=\"124\", \"Google Chrome\";v=\"124\", "
	"\"Not-A.Brand\";v=\"99\"\r\n"
	"sec-ch-ua-mobile: ?0\r\n"
	"sec-ch-ua-platform: \"Linux\"\r\n"
	"Upgrade-Insecure-Requests: 1\r\n"
	"User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
	"Chrome/124.0.0.0 Safari/537.36\r\n"
	"Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,"
	"image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7\r\n"
	"Sec-Fetch-Site: none\r\n"
	"Sec-Fetch-Mode: navigate\r\n"
	"Sec-Fetch-User: ?1\r\n"
	"Sec-Fetch-Dest: document\r\n"
	"Accept-Encoding: gzip, deflate, br, zstd\r\n"
	"Accept-Language: fr-FR,fr;q=0.9,en-US;q=0.8,en;q=0.7\r\n"
	"Cookie: _ga=GA1.1.1; JSESSIONID=ams1~7F3A9C; theme=dark\r\n"
	"If-None-Match: W/\"5e1-18f\"\r\n"
	"X-Filename: caf\xc3\xa9.mp4 \t \r\n"
	"\r\n";

static const char post_cl[] = "POST /rest/v2/broadcasts/create HTTP/1.1\r\n"
			      "Host: ams\r\n"
			      "Content-Type: application/json\r\n"
			      "Content-Length: 1, 1\r\n"
			      "content-length: 01\r\n"
			      "\r\n"
			      "{";

static const char post_chunked[] = "POST /upload HTTP/1.1\r\n"
				   "Host: ams\r\n"
				   "Transfer-Encoding: gzip\r\n"
				   "transfer-encoding:  CHUNKED \r\n"
				   "\r\n"
				   "5\r\nhello\r\n0\r\n\r\n";

static const char proxy_abs[] = "GET http://Example.COM:8080/a/b?c=d HTTP/1.1\r\n"
				"Host: example.com:8080\r\n"
				"Proxy-Connection: keep-alive\r\n"
				"\r\n";

static const char options_star[] = "OPTIONS * HTTP/1.1\r\nHost: ams\r\n\r\n";

static const char connect_req[] = "CONNECT [2001:db8::1]:443 HTTP/1.1\r\n"
				  "Host: [2001:db8::1]:443\r\n"
				  "\r\n";

static const char http10_req[] = "\r\n\r\nHEAD /crossdomain.xml HTTP/1.0\r\n"
				 "Connection: Keep-Alive\r\n"
				 "\r\n";

static const char ws_req[] = "GET /LiveApp/websocket HTTP/1.1\r\n"
			     "Host: ams.example.com\r\n"
			     "Upgrade: websocket\r\n"
			     "Connection: Upgrade\r\n"
			     "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
			     "Sec-WebSocket-Version: 13\r\n"
			     "\r\n";

/* HTTP/1.0 without Host: with "Host: h" HAProxy refuses it (its authority runs to '/'). */
static const char abs_noslash[] = "GET https://h?q HTTP/1.0\r\nX-Empty:\r\n\r\n";

/* A default port (cut out), and the same Host twice (one kept). */
static const char abs_port80[] = "GET http://Ex.com:80/a HTTP/1.1\r\nHost: ex.com\r\n"
				 "Host: EX.com\r\n\r\n";

static const struct raw valid_reqs[] = {
	RAW(curl_get),	   RAW(wrk_get),   RAW(chrome_get),   RAW(post_cl),
	RAW(post_chunked), RAW(proxy_abs), RAW(options_star), RAW(connect_req),
	RAW(http10_req),   RAW(ws_req),	   RAW(abs_noslash),  RAW(abs_port80),
};

/* Length of the head of @s: through the first CRLF CRLF not at the very start. */
static size_t head_len(const char *s, size_t len)
{
	size_t skip = 0;
	while (skip + 1 < len && s[skip] == '\r' && s[skip + 1] == '\n')
		skip += 2;
	for (size_t i = skip; i + 3 < len; i++)
		if (memcmp(s + i, "\r\n\r\n", 4) == 0)
			return i + 4;
	return 0;
}

static void test_req_curl(void)
{
	struct sl_http1_req req;
	struct sl_http1_hdr hdrs[CAP];
	size_t n;
	int r = preq(curl_get, sizeof(curl_get) - 1, BIG, &req, hdrs, &n);
	CU_ASSERT_EQUAL(r, (int)sizeof(curl_get) - 1);
	CU_ASSERT_EQUAL(req.meth, SL_HTTP1_M_GET);
	CU_ASSERT(slice_is(req.method, req.method_len, "GET"));
	CU_ASSERT_EQUAL(req.form, SL_HTTP1_FORM_ORIGIN);
	CU_ASSERT(slice_is(req.path, req.path_len, "/LiveApp/streams/stream1.m3u8"));
	CU_ASSERT(req.has_query);
	CU_ASSERT(slice_is(req.query, req.query_len, "token=abc&x=%20y"));
	CU_ASSERT_EQUAL(req.authority_len, 0);
	CU_ASSERT_EQUAL(req.minor, 1);
	CU_ASSERT_EQUAL(n, 3);
	CU_ASSERT(slice_is(hdrs[1].name, hdrs[1].name_len, "User-Agent"));
	CU_ASSERT(slice_is(hdrs[1].value, hdrs[1].value_len, "curl/7.88.1"));
	CU_ASSERT_EQUAL(req.host_idx, 0);
	CU_ASSERT(slice_is(hdrs[req.host_idx].value, hdrs[req.host_idx].value_len,
			   "ams.example.com"));
	CU_ASSERT_EQUAL(req.flags, 0);
	CU_ASSERT_EQUAL(sl_http1_body_info(&req, NULL, NULL), SL_HTTP1_BODY_NONE);
	CU_ASSERT(sl_http1_keep_alive(req.minor, req.conn));
}

static void test_req_shapes(void)
{
	struct sl_http1_req req;
	struct sl_http1_hdr hdrs[CAP];
	size_t n;
	uint64_t blen;

	CU_ASSERT_EQUAL(preq(wrk_get, sizeof(wrk_get) - 1, BIG, &req, hdrs, &n),
			(int)sizeof(wrk_get) - 1);
	CU_ASSERT(slice_is(req.path, req.path_len, "/"));
	CU_ASSERT(!req.has_query);
	CU_ASSERT_EQUAL(req.query_len, 0);

	CU_ASSERT_EQUAL(preq(chrome_get, sizeof(chrome_get) - 1, BIG, &req, hdrs, &n),
			(int)sizeof(chrome_get) - 1);
	CU_ASSERT_EQUAL(n, 18);
	CU_ASSERT_EQUAL(req.conn, SL_HTTP1_CONN_KEEP_ALIVE);
	CU_ASSERT(slice_is(hdrs[17].value, hdrs[17].value_len, "caf\xc3\xa9.mp4"));
	CU_ASSERT(slice_is(hdrs[4].name, hdrs[4].name_len, "sec-ch-ua-mobile"));

	CU_ASSERT_EQUAL(preq(post_cl, sizeof(post_cl) - 1, BIG, &req, hdrs, &n),
			(int)sizeof(post_cl) - 2); /* the body byte is not part of the head */
	CU_ASSERT_EQUAL(req.meth, SL_HTTP1_M_POST);
	CU_ASSERT_EQUAL(req.flags, SL_HTTP1_F_CL);
	CU_ASSERT_EQUAL(req.content_length, 1);
	CU_ASSERT_EQUAL(sl_http1_body_info(&req, NULL, &blen), SL_HTTP1_BODY_LENGTH);
	CU_ASSERT_EQUAL(blen, 1);

	int r = preq(post_chunked, sizeof(post_chunked) - 1, BIG, &req, hdrs, &n);
	CU_ASSERT_EQUAL(r, (int)head_len(post_chunked, sizeof(post_chunked) - 1));
	CU_ASSERT_EQUAL(req.flags, SL_HTTP1_F_TE | SL_HTTP1_F_CHUNKED);
	CU_ASSERT_EQUAL(sl_http1_body_info(&req, NULL, &blen), SL_HTTP1_BODY_CHUNKED);
	CU_ASSERT(slice_is(hdrs[2].value, hdrs[2].value_len, "CHUNKED"));

	CU_ASSERT(preq(proxy_abs, sizeof(proxy_abs) - 1, BIG, &req, hdrs, &n) > 0);
	CU_ASSERT_EQUAL(req.form, SL_HTTP1_FORM_ABSOLUTE);
	CU_ASSERT(slice_is(req.authority, req.authority_len, "Example.COM:8080"));
	CU_ASSERT(slice_is(req.path, req.path_len, "/a/b"));
	CU_ASSERT(slice_is(req.query, req.query_len, "c=d"));
	CU_ASSERT(sl_http1_is_hop_by_hop(hdrs, n, 1)); /* Proxy-Connection */
	CU_ASSERT(!sl_http1_is_hop_by_hop(hdrs, n, 0));

	CU_ASSERT(preq(abs_noslash, sizeof(abs_noslash) - 1, BIG, &req, hdrs, &n) > 0);
	CU_ASSERT(slice_is(req.authority, req.authority_len, "h"));
	CU_ASSERT_EQUAL(req.path_len, 0);
	CU_ASSERT(req.has_query);
	CU_ASSERT(slice_is(req.query, req.query_len, "q"));
	CU_ASSERT_EQUAL(hdrs[0].value_len, 0);

	CU_ASSERT(preq(options_star, sizeof(options_star) - 1, BIG, &req, hdrs, &n) > 0);
	CU_ASSERT_EQUAL(req.meth, SL_HTTP1_M_OPTIONS);
	CU_ASSERT_EQUAL(req.form, SL_HTTP1_FORM_ASTERISK);
	CU_ASSERT(slice_is(req.path, req.path_len, "*"));

	CU_ASSERT(preq(connect_req, sizeof(connect_req) - 1, BIG, &req, hdrs, &n) > 0);
	CU_ASSERT_EQUAL(req.meth, SL_HTTP1_M_CONNECT);
	CU_ASSERT_EQUAL(req.form, SL_HTTP1_FORM_AUTHORITY);
	CU_ASSERT(slice_is(req.authority, req.authority_len, "[2001:db8::1]:443"));

	r = preq(http10_req, sizeof(http10_req) - 1, BIG, &req, hdrs, &n);
	CU_ASSERT_EQUAL(r, (int)sizeof(http10_req) - 1); /* leading CRLFs counted */
	CU_ASSERT_EQUAL(req.meth, SL_HTTP1_M_HEAD);
	CU_ASSERT_EQUAL(req.minor, 0);
	CU_ASSERT_EQUAL(req.host_idx, -1);
	CU_ASSERT_EQUAL(req.conn, SL_HTTP1_CONN_KEEP_ALIVE);
	CU_ASSERT(sl_http1_keep_alive(req.minor, req.conn));
	CU_ASSERT(!sl_http1_keep_alive(0, 0));

	CU_ASSERT(preq(ws_req, sizeof(ws_req) - 1, BIG, &req, hdrs, &n) > 0);
	CU_ASSERT_EQUAL(req.flags, SL_HTTP1_F_UPGRADE);
	CU_ASSERT_EQUAL(req.conn, SL_HTTP1_CONN_UPGRADE);
	CU_ASSERT(sl_http1_is_websocket(&req, hdrs, n));
	CU_ASSERT(sl_http1_is_hop_by_hop(hdrs, n, 1)); /* Upgrade */
	CU_ASSERT(!sl_http1_is_hop_by_hop(hdrs, n, 4));

	/* An unknown method token is kept as it is. */
	static const char mkcol[] = "MKCOL /dav/x/ HTTP/1.1\r\nHost: d\r\n\r\n";
	CU_ASSERT(preq(mkcol, sizeof(mkcol) - 1, BIG, &req, hdrs, &n) > 0);
	CU_ASSERT_EQUAL(req.meth, SL_HTTP1_M_OTHER);
	CU_ASSERT(slice_is(req.method, req.method_len, "MKCOL"));
}

/* Every valid input cut at every byte: -2 before the end of the head, the head length after. */
static void test_req_truncated(void)
{
	struct sl_http1_req req;
	struct sl_http1_hdr hdrs[CAP];
	size_t n;
	unsigned bad = 0;
	for (size_t v = 0; v < SL_ARRAY_SIZE(valid_reqs); v++) {
		const char *s = valid_reqs[v].s;
		size_t len = valid_reqs[v].len, hl = head_len(s, len);
		CU_ASSERT(hl > 0);
		for (size_t k = 0; k <= len; k++) {
			int r = preq(s, k, BIG, &req, hdrs, &n);
			int want = k < hl ? -2 : (int)hl;
			if (r != want) {
				if (bad++ < 5)
					fprintf(stderr, "req %zu cut %zu: %d, want %d (%s)\n", v, k,
						r, want, sl_http1_err_name(req.err));
			}
		}
	}
	CU_ASSERT_EQUAL(bad, 0);
}

/* ---------------------------------------------------------------------------- refusals */

struct bad_case {
	const char *s;
	size_t len;
	enum sl_http1_err err;
};
#define BAD(lit, e)                                    \
	{                                              \
		lit, sizeof(lit) - 1, SL_HTTP1_ERR_##e \
	}
#define H0 "POST / HTTP/1.1\r\nHost: a\r\n"

static const struct bad_case bad_reqs[] = {
	/* Content-Length and Transfer-Encoding */
	BAD(H0 "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", CL_AND_TE),
	BAD(H0 "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n", CL_AND_TE),
	BAD(H0 "Transfer-Encoding: chunked\r\nContent-Length: 0\r\n\r\n", CL_AND_TE),
	BAD(H0 "Content-Length: 5\r\nContent-Length: 6\r\n\r\n", CL_MISMATCH),
	BAD(H0 "Content-Length: 1,2\r\n\r\n", CL_MISMATCH),
	BAD(H0 "Content-Length: 1, 1, 2\r\n\r\n", CL_MISMATCH),
	BAD(H0 "Content-Length: +1\r\n\r\n", CL_INVALID),
	BAD(H0 "Content-Length: 0x10\r\n\r\n", CL_INVALID),
	BAD(H0 "Content-Length: -1\r\n\r\n", CL_INVALID),
	BAD(H0 "Content-Length:\r\n\r\n", CL_INVALID),
	BAD(H0 "Content-Length: 1,,1\r\n\r\n", CL_INVALID),
	BAD(H0 "Content-Length: 1,\r\n\r\n", CL_INVALID),
	BAD(H0 "Content-Length: ,1\r\n\r\n", CL_INVALID),
	BAD(H0 "Content-Length: 1 1\r\n\r\n", CL_INVALID),
	BAD(H0 "Content-Length: 1.0\r\n\r\n", CL_INVALID),
	BAD(H0 "Content-Length: \"1\"\r\n\r\n", CL_INVALID),
	BAD(H0 "Content-Length: 9223372036854775808\r\n\r\n", CL_RANGE),
	BAD(H0 "Content-Length: 18446744073709551616\r\n\r\n", CL_RANGE),
	BAD(H0 "Content-Length: 99999999999999999999999999\r\n\r\n", CL_RANGE),
	BAD(H0 "Transfer-Encoding: chunked, gzip\r\n\r\n", TE_INVALID),
	BAD(H0 "Transfer-Encoding: xchunked\r\n\r\n", TE_INVALID),
	BAD(H0 "Transfer-Encoding: chunkedx\r\n\r\n", TE_INVALID),
	BAD(H0 "Transfer-Encoding: chunked, chunked\r\n\r\n", TE_INVALID),
	BAD(H0 "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", TE_INVALID),
	BAD(H0 "Transfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n\r\n", TE_INVALID),
	BAD(H0 "Transfer-Encoding: chunked;q=1\r\n\r\n", TE_INVALID),
	BAD(H0 "Transfer-Encoding: chun ked\r\n\r\n", TE_INVALID),
	BAD(H0 "Transfer-Encoding: \"chunked\"\r\n\r\n", TE_INVALID),
	BAD(H0 "Transfer-Encoding:\r\n\r\n", TE_INVALID),
	BAD(H0 "Transfer-Encoding: ,chunked\r\n\r\n", TE_INVALID),
	BAD(H0 "Transfer-Encoding: gzip\r\n\r\n", TE_INVALID),
	BAD(H0 "Transfer-Encoding: identity\r\n\r\n", TE_INVALID),
	BAD(H0 "Transfer-Encoding: chunked\x0b\r\n\r\n", VALUE_CHAR),
	BAD("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", TE_HTTP10),
	/* line endings */
	BAD("GET / HTTP/1.1\nHost: a\n\n", BARE_LF),
	BAD("GET / HTTP/1.1\r\nHost: a\n\r\n", BARE_LF),
	BAD("GET / HTTP/1.1\r\nHost: a\r\n\n", BARE_LF),
	BAD("\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", BARE_LF),
	BAD("GET / HTTP/1.1\rHost: a\r\n\r\n", BARE_CR),
	BAD("GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n", BARE_CR),
	BAD("GET / HTTP/1.1\r\nHost: a\r\n\r\r", BARE_CR),
	/* field lines */
	BAD("GET / HTTP/1.1\r\nHost: a\r\n: x\r\n\r\n", EMPTY_NAME),
	BAD("GET / HTTP/1.1\r\nHost : a\r\n\r\n", WS_BEFORE_COLON),
	BAD(H0 "Content-Length\t: 5\r\n\r\n", WS_BEFORE_COLON),
	BAD("GET / HTTP/1.1\r\nHost: a\r\nX-Foo: a\r\n b\r\n\r\n", OBS_FOLD),
	BAD("GET / HTTP/1.1\r\nHost: a\r\nX-Foo: a\r\n\tb\r\n\r\n", OBS_FOLD),
	BAD("GET / HTTP/1.1\r\n Host: a\r\n\r\n", OBS_FOLD),
	BAD("GET / HTTP/1.1\r\nHost: a\r\nX-F\0o: 1\r\n\r\n", NAME_CHAR),
	BAD("GET / HTTP/1.1\r\nHost: a\r\nX-Foo: a\0b\r\n\r\n", VALUE_CHAR),
	BAD("GET / HTTP/1.1\r\nHost: a\r\nX-Foo: a\x7f\r\n\r\n", VALUE_CHAR),
	BAD("GET / HTTP/1.1\r\nHost: a\r\nX-Foo: \x1b[31m\r\n\r\n", VALUE_CHAR),
	BAD("GET / HTTP/1.1\r\nHost: a\r\nX-F\ro: 1\r\n\r\n", BARE_CR),
	BAD("GET / HTTP/1.1\r\nHost: a\r\nX-F\no: 1\r\n\r\n", BARE_LF),
	BAD("GET / HTTP/1.1\r\nHost: a\r\nX-Foo: a\nb\r\n\r\n", BARE_LF),
	BAD("GET / HTTP/1.1\r\nHost: a\r\nX(Foo): 1\r\n\r\n", NAME_CHAR),
	BAD("GET / HTTP/1.1\r\nHost: a\r\nX\"y: 1\r\n\r\n", NAME_CHAR),
	BAD("GET / HTTP/1.1\r\nHost: a\r\nX/y: 1\r\n\r\n", NAME_CHAR),
	BAD("GET / HTTP/1.1\r\nHost: a\r\nX\xc3\xa9: 1\r\n\r\n", NAME_CHAR),
	BAD("GET / HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n", NAME_CHAR),
	/* Host */
	BAD("GET / HTTP/1.1\r\nUser-Agent: x\r\n\r\n", HOST_MISSING),
	BAD("GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n", HOST_DUP),
	BAD("GET / HTTP/1.1\r\nHost: a\r\nHost: a:80\r\n\r\n", HOST_DUP),
	BAD("GET / HTTP/1.1\r\nHost: a\r\nHost:\r\n\r\n", HOST_DUP),
	BAD("GET / HTTP/1.1\r\nHost: a b\r\nHost: a b\r\n\r\n", HOST_INVALID),
	BAD("GET http://a/ HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", HOST_DUP),
	BAD("GET / HTTP/1.1\r\nHost: a b\r\n\r\n", HOST_INVALID),
	BAD("GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", HOST_INVALID),
	BAD("GET / HTTP/1.1\r\nHost: user@a\r\n\r\n", HOST_INVALID),
	BAD("GET / HTTP/1.1\r\nHost: a\"\r\n\r\n", HOST_INVALID),
	/* one authority: what HAProxy 2.6.12 answers 400 to (tests/e2e/test_http.sh compares) */
	BAD("GET http://a.example/x HTTP/1.1\r\nHost: b.example\r\n\r\n", HOST_MISMATCH),
	BAD("GET http://a.example/x HTTP/1.0\r\nHost: b.example\r\n\r\n", HOST_MISMATCH),
	BAD("GET http://a.example/x HTTP/1.1\r\nHost: b.example:80\r\n\r\n", HOST_MISMATCH),
	BAD("GET http://a.example:8080/x HTTP/1.1\r\nHost: a.example\r\n\r\n", HOST_MISMATCH),
	BAD("GET http://a.example/x HTTP/1.1\r\nHost: a.example:8080\r\n\r\n", HOST_MISMATCH),
	BAD("GET http://a.example:8080/x HTTP/1.1\r\nHost: a.example:08080\r\n\r\n", HOST_MISMATCH),
	BAD("GET http://a.example:080/x HTTP/1.1\r\nHost: a.example\r\n\r\n", HOST_MISMATCH),
	BAD("GET http://a.example:443/x HTTP/1.1\r\nHost: a.example\r\n\r\n", HOST_MISMATCH),
	BAD("GET https://a.example/x HTTP/1.1\r\nHost: a.example:80\r\n\r\n", HOST_MISMATCH),
	BAD("GET http://a.example./x HTTP/1.1\r\nHost: a.example\r\n\r\n", HOST_MISMATCH),
	BAD("GET http://a.example/x HTTP/1.1\r\nHost:\r\n\r\n", HOST_MISMATCH),
	BAD("GET http://a.example?q=1 HTTP/1.1\r\nHost: a.example\r\n\r\n", HOST_MISMATCH),
	BAD("GET http://a.example:80?q HTTP/1.1\r\nHost: a.example:80\r\n\r\n", HOST_MISMATCH),
	BAD("CONNECT a.example:443 HTTP/1.1\r\nHost: b.example:443\r\n\r\n", HOST_MISMATCH),
	BAD("CONNECT a.example:443 HTTP/1.1\r\nHost: a.example:80\r\n\r\n", HOST_MISMATCH),
	BAD("CONNECT a.example:8443 HTTP/1.1\r\nHost: a.example\r\n\r\n", HOST_MISMATCH),
	/* request-target */
	BAD("GET index.html HTTP/1.1\r\nHost: a\r\n\r\n", TARGET),
	BAD("GET * HTTP/1.1\r\nHost: a\r\n\r\n", TARGET),
	BAD("OPTIONS *x HTTP/1.1\r\nHost: a\r\n\r\n", TARGET),
	BAD("CONNECT / HTTP/1.1\r\nHost: a\r\n\r\n", TARGET),
	BAD("CONNECT * HTTP/1.1\r\nHost: a\r\n\r\n", TARGET),
	BAD("CONNECT http://a:443/ HTTP/1.1\r\nHost: a\r\n\r\n", TARGET),
	BAD("CONNECT a HTTP/1.1\r\nHost: a\r\n\r\n", TARGET),
	BAD("CONNECT a: HTTP/1.1\r\nHost: a\r\n\r\n", TARGET),
	BAD("CONNECT :443 HTTP/1.1\r\nHost: a\r\n\r\n", TARGET),
	BAD("CONNECT a:99999 HTTP/1.1\r\nHost: a\r\n\r\n", TARGET),
	BAD("CONNECT a:4x3 HTTP/1.1\r\nHost: a\r\n\r\n", TARGET),
	BAD("CONNECT [::1:443 HTTP/1.1\r\nHost: a\r\n\r\n", TARGET),
	BAD("GET a:443 HTTP/1.1\r\nHost: a\r\n\r\n", TARGET),
	BAD("GET http://user@a/ HTTP/1.1\r\nHost: a\r\n\r\n", TARGET),
	BAD("GET http:///x HTTP/1.1\r\nHost: a\r\n\r\n", TARGET),
	BAD("GET http://:80/x HTTP/1.1\r\nHost: :80\r\n\r\n", TARGET),
	BAD("GET http://:8080/x HTTP/1.0\r\n\r\n", TARGET),
	BAD("GET http://u:p@a:80/x HTTP/1.1\r\nHost: a\r\n\r\n", TARGET),
	BAD("GET http:/a/x HTTP/1.1\r\nHost: a\r\n\r\n", TARGET),
	BAD("GET ftp://a/x HTTP/1.1\r\nHost: a\r\n\r\n", TARGET),
	BAD("GET /a#frag HTTP/1.1\r\nHost: a\r\n\r\n", TARGET),
	BAD("GET /a\x7f HTTP/1.1\r\nHost: a\r\n\r\n", TARGET),
	BAD("GET /caf\xc3\xa9 HTTP/1.1\r\nHost: a\r\n\r\n", TARGET),
	BAD("GET /a\tb HTTP/1.1\r\nHost: a\r\n\r\n", TARGET),
	BAD("GET /a\0b HTTP/1.1\r\nHost: a\r\n\r\n", TARGET),
	/* version */
	BAD("GET / HTTP/2.0\r\nHost: a\r\n\r\n", VERSION),
	BAD("GET / HTTP/1.10\r\nHost: a\r\n\r\n", VERSION),
	BAD("GET / HTTP/1.2\r\nHost: a\r\n\r\n", VERSION),
	BAD("GET / HTTP/0.9\r\nHost: a\r\n\r\n", VERSION),
	BAD("GET / http/1.1\r\nHost: a\r\n\r\n", VERSION),
	BAD("GET / HTTP/1.\r\nHost: a\r\n\r\n", VERSION),
	BAD("GET / HTTP/01.1\r\nHost: a\r\n\r\n", VERSION),
	/* request-line shape and method */
	BAD("GET /\r\n\r\n", REQ_LINE),
	BAD("GET\r\n\r\n", REQ_LINE),
	BAD("GET  / HTTP/1.1\r\nHost: a\r\n\r\n", REQ_LINE),
	BAD("GET / HTTP/1.1 \r\nHost: a\r\n\r\n", REQ_LINE),
	BAD("GET /  HTTP/1.1\r\nHost: a\r\n\r\n", REQ_LINE),
	BAD("GET\t/ HTTP/1.1\r\nHost: a\r\n\r\n", REQ_LINE),
	BAD("GET / a HTTP/1.1\r\nHost: a\r\n\r\n", REQ_LINE),
	BAD(" GET / HTTP/1.1\r\nHost: a\r\n\r\n", METHOD),
	BAD("G(ET / HTTP/1.1\r\nHost: a\r\n\r\n", METHOD),
	BAD("G\xc3\x89T / HTTP/1.1\r\nHost: a\r\n\r\n", METHOD),
	BAD("\0GET / HTTP/1.1\r\nHost: a\r\n\r\n", METHOD),
	BAD("GE:T / HTTP/1.1\r\nHost: a\r\n\r\n", METHOD),
};

static void test_req_refused(void)
{
	unsigned bad = 0;
	for (size_t i = 0; i < SL_ARRAY_SIZE(bad_reqs); i++) {
		int got = req_err(bad_reqs[i].s, bad_reqs[i].len);
		if (got != (int)bad_reqs[i].err) {
			if (bad++ < 10)
				fprintf(stderr, "bad req %zu: got %d (%s), want %s\n", i, got,
					got < 100 ? sl_http1_err_name((enum sl_http1_err)got) : "-",
					sl_http1_err_name(bad_reqs[i].err));
		}
	}
	CU_ASSERT_EQUAL(bad, 0);
}

/*
 * One authority per request: what HAProxy 2.6.12 accepts, and what its H1 parser and
 * scheme-based normalization make of the target and the Host (measured through it with
 * tests/e2e/test_http.sh's request set: the backend saw these targets and Hosts).
 */
static void test_req_authority(void)
{
	static const struct {
		const char *req;
		const char *target; /* as forwarded: the parts of sl_http1_target_parts() */
		const char *authority;
		const char *host; /* the Host value ACLs and the server see; NULL: none */
		size_t nhdrs;
	} cases[] = {
		{"GET http://a.example/x HTTP/1.1\r\nHost: a.example\r\n\r\n", "http://a.example/x",
		 "a.example", "a.example", 1},
		{"GET http://A.Example/x HTTP/1.1\r\nHost: a.example\r\n\r\n", "http://A.Example/x",
		 "A.Example", "a.example", 1},
		{"GET http://a.example/x HTTP/1.1\r\nHost: A.EXAMPLE\r\n\r\n", "http://a.example/x",
		 "a.example", "A.EXAMPLE", 1},
		/* a default port in the target: cut from it, and Host becomes its host */
		{"GET http://a.example:80/x HTTP/1.1\r\nHost: a.example\r\n\r\n",
		 "http://a.example/x", "a.example", "a.example", 1},
		{"GET http://A.example:80/x HTTP/1.1\r\nHost: a.example\r\n\r\n",
		 "http://A.example/x", "A.example", "A.example", 1},
		{"GET http://a.example:80/x HTTP/1.1\r\nHost: A.EXAMPLE:80\r\n\r\n",
		 "http://a.example/x", "a.example", "a.example", 1},
		{"GET http://a.example:/x HTTP/1.1\r\nHost: a.example:\r\n\r\n",
		 "http://a.example/x", "a.example", "a.example", 1},
		{"GET https://a.example:443/x HTTP/1.1\r\nHost: a.example\r\n\r\n",
		 "https://a.example/x", "a.example", "a.example", 1},
		{"GET HTTPS://a.example:443/x HTTP/1.1\r\nHost: a.example\r\n\r\n",
		 "HTTPS://a.example/x", "a.example", "a.example", 1},
		{"GET https://a.example:/x HTTP/1.1\r\nHost: a.example:443\r\n\r\n",
		 "https://a.example/x", "a.example", "a.example", 1},
		{"GET http://[::1]:80/x HTTP/1.1\r\nHost: [::1]\r\n\r\n", "http://[::1]/x", "[::1]",
		 "[::1]", 1},
		{"GET http://a.example:80 HTTP/1.1\r\nHost: a.example\r\n\r\n", "http://a.example",
		 "a.example", "a.example", 1},
		{"GET http://a.example:80/x HTTP/1.0\r\n\r\n", "http://a.example/x", "a.example",
		 NULL, 0},
		/* a default port in the Host only: nothing is changed */
		{"GET http://a.example/x HTTP/1.1\r\nHost: a.example:80\r\n\r\n",
		 "http://a.example/x", "a.example", "a.example:80", 1},
		{"GET https://a.example/x HTTP/1.1\r\nHost: a.example:443\r\n\r\n",
		 "https://a.example/x", "a.example", "a.example:443", 1},
		{"GET http://[::1]/x HTTP/1.1\r\nHost: [::1]:80\r\n\r\n", "http://[::1]/x", "[::1]",
		 "[::1]:80", 1},
		/* other ports: equal, case aside */
		{"GET http://A.example:8080/x HTTP/1.1\r\nHost: a.example:8080\r\n\r\n",
		 "http://A.example:8080/x", "A.example:8080", "a.example:8080", 1},
		{"GET https://a.example:80/x HTTP/1.1\r\nHost: a.example:80\r\n\r\n",
		 "https://a.example:80/x", "a.example:80", "a.example:80", 1},
		{"GET http://8080/x HTTP/1.1\r\nHost: 8080\r\n\r\n", "http://8080/x", "8080",
		 "8080", 1},
		/* HAProxy's authority runs to '/': no port to cut in "a.example:80?q" */
		{"GET http://a.example:80?q HTTP/1.0\r\n\r\n", "http://a.example:80?q",
		 "a.example:80", NULL, 0},
		/* the same Host twice: the first is kept */
		{"GET /x HTTP/1.1\r\nHost: a.example\r\nX-A: 1\r\nHost: A.example\r\n\r\n", "/x",
		 "", "a.example", 2},
		{"GET /x HTTP/1.1\r\nHost: a.example:80\r\n\r\n", "/x", "", "a.example:80", 1},
		/* CONNECT: the target's port or none (80, 443); 80 and 443 leave the Host */
		{"CONNECT a.example:443 HTTP/1.1\r\nHost: a.example:443\r\n\r\n", "a.example:443",
		 "a.example:443", "a.example", 1},
		{"CONNECT a.example:443 HTTP/1.1\r\nHost: a.example:443\r\nHost: a.example:443\r\n"
		 "\r\n",
		 "a.example:443", "a.example:443", "a.example", 1},
		{"CONNECT a.example:443 HTTP/1.1\r\nHost: A.example\r\n\r\n", "a.example:443",
		 "a.example:443", "A.example", 1},
		{"CONNECT a.example:443 HTTP/1.1\r\nHost: a.example:\r\n\r\n", "a.example:443",
		 "a.example:443", "a.example:", 1},
		{"CONNECT a.example:8443 HTTP/1.1\r\nHost: a.example:8443\r\n\r\n",
		 "a.example:8443", "a.example:8443", "a.example:8443", 1},
		{"CONNECT a.example:443 HTTP/1.0\r\n\r\n", "a.example:443", "a.example:443", NULL,
		 0},
	};
	unsigned bad = 0;
	for (size_t i = 0; i < SL_ARRAY_SIZE(cases); i++) {
		struct sl_http1_req req;
		struct sl_http1_hdr hdrs[CAP];
		size_t n, al, bl;
		const char *a, *b;
		char target[128];
		int r = preq(cases[i].req, strlen(cases[i].req), BIG, &req, hdrs, &n);
		if (r <= 0) {
			fprintf(stderr, "authority %zu: %d (%s)\n", i, r,
				sl_http1_err_name(req.err));
			bad++;
			continue;
		}
		sl_http1_target_parts(&req, &a, &al, &b, &bl);
		snprintf(target, sizeof(target), "%.*s%.*s", (int)al, a, (int)bl, b);
		const char *host = req.host_idx >= 0 ? hdrs[req.host_idx].value : NULL;
		size_t hl = req.host_idx >= 0 ? hdrs[req.host_idx].value_len : 0;
		bool ok = strcmp(target, cases[i].target) == 0 &&
			  slice_is(req.authority, req.authority_len, cases[i].authority) &&
			  (cases[i].host == NULL
				   ? host == NULL
				   : host != NULL && slice_is(host, hl, cases[i].host)) &&
			  n == cases[i].nhdrs;
		if (!ok) {
			fprintf(stderr, "authority %zu: target %s authority %.*s host %.*s n %zu\n",
				i, target, (int)req.authority_len, req.authority, (int)hl,
				host != NULL ? host : "", n);
			bad++;
		}
	}
	CU_ASSERT_EQUAL(bad, 0);
}

/* Prefixes of refused inputs are -2 or -1, never a crash or a success. */
static void test_req_refused_truncated(void)
{
	struct sl_http1_req req;
	struct sl_http1_hdr hdrs[CAP];
	size_t n;
	unsigned bad = 0;
	for (size_t i = 0; i < SL_ARRAY_SIZE(bad_reqs); i++)
		for (size_t k = 0; k < bad_reqs[i].len; k++) {
			int r = preq(bad_reqs[i].s, k, BIG, &req, hdrs, &n);
			if (r != -1 && r != -2)
				bad++;
		}
	CU_ASSERT_EQUAL(bad, 0);
}

/* Values that RFC 9110 8.6 and our choices accept. */
static void test_req_accepted_edges(void)
{
	static const struct raw ok[] = {
		RAW(H0 "Content-Length: 1,1\r\n\r\n"),
		RAW(H0 "Content-Length: 1 , 1\r\n\r\n"),
		RAW(H0 "Content-Length: 1\r\nContent-Length: 1\r\n\r\n"),
		RAW(H0 "Content-Length: 9223372036854775807\r\n\r\n"),
		RAW(H0 "Content-Length: 00000000000000000000000000000007\r\n\r\n"),
		RAW(H0 "Transfer-Encoding: chunked \r\n\r\n"),
		RAW(H0 "Transfer-Encoding:\tchunked\t\r\n\r\n"),
		RAW(H0 "Transfer-Encoding: gzip , Chunked\r\n\r\n"),
		RAW(H0 "Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n"),
		RAW("GET / HTTP/1.1\r\nHost:\r\n\r\n"),
		RAW("GET / HTTP/1.1\r\nHost: 192.0.2.1:80\r\n\r\n"),
		RAW("GET /a:b@c;d=e,f!$'()*+~_.-/?x=/?%41 HTTP/1.1\r\nHost: a\r\n\r\n"),
		RAW("GET /{}|^`\\[] HTTP/1.1\r\nHost: a\r\n\r\n"),
		RAW("OPTIONS /x HTTP/1.1\r\nHost: a\r\n\r\n"),
		RAW("GET / HTTP/1.1\r\nHost: a\r\nX-Tab:\tv\tw\t\r\nX-Bin: \x80\xff\r\n\r\n"),
		RAW("GET / HTTP/1.1\r\nHost: a\r\n!#$%&'*+-.^_`|~09azAZ: x\r\n\r\n"),
	};
	unsigned bad = 0;
	for (size_t i = 0; i < SL_ARRAY_SIZE(ok); i++) {
		int got = req_err(ok[i].s, ok[i].len);
		if (got != 101) {
			if (bad++ < 10)
				fprintf(stderr, "ok req %zu: got %d (%s)\n", i, got,
					got < 100 ? sl_http1_err_name((enum sl_http1_err)got)
						  : "-");
		}
	}
	CU_ASSERT_EQUAL(bad, 0);

	struct sl_http1_req req;
	struct sl_http1_hdr hdrs[CAP];
	size_t n;
	CU_ASSERT(preq(ok[3].s, ok[3].len, BIG, &req, hdrs, &n) > 0);
	CU_ASSERT_EQUAL(req.content_length, (uint64_t)INT64_MAX);
	CU_ASSERT(preq(ok[4].s, ok[4].len, BIG, &req, hdrs, &n) > 0);
	CU_ASSERT_EQUAL(req.content_length, 7);
	CU_ASSERT(preq(ok[14].s, ok[14].len, BIG, &req, hdrs, &n) > 0);
	CU_ASSERT(slice_is(hdrs[1].value, hdrs[1].value_len, "v\tw"));
}

/* Every byte as a one-char field name: accepted exactly for tchar (RFC 9110 5.6.2). */
static void test_req_name_bytes(void)
{
	static const char tchars[] = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyz"
				     "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
	char buf[64];
	unsigned bad = 0;
	for (int c = 0; c < 256; c++) {
		if (c == '\r' || c == '\n' || c == ' ' || c == '\t' || c == ':')
			continue; /* line ends, obs-fold, empty name: their own reasons */
		int len = snprintf(buf, sizeof(buf), "GET / HTTP/1.1\r\nHost: a\r\n%cZ: 1\r\n\r\n",
				   'Q');
		buf[25] = (char)c;
		bool want = c != 0 && strchr(tchars, c) != NULL;
		int got = req_err(buf, (size_t)len);
		if ((got == 101) != want || (!want && got != SL_HTTP1_ERR_NAME_CHAR))
			bad++;
	}
	CU_ASSERT_EQUAL(bad, 0);
}

/* Header capacity (HAProxy's 101) and head size limit. */
static void test_req_limits(void)
{
	static char buf[8192];
	struct sl_http1_req req;
	struct sl_http1_hdr hdrs[CAP + 5];
	size_t len = (size_t)snprintf(buf, sizeof(buf), "GET / HTTP/1.1\r\nHost: a\r\n");
	for (int i = 1; i < CAP; i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "X-H%d: %d\r\n", i, i);
	size_t at101 = len;
	len += (size_t)snprintf(buf + len, sizeof(buf) - len, "\r\n");

	size_t n = CAP;
	CU_ASSERT_EQUAL(sl_http1_parse_request(buf, len, BIG, &req, hdrs, &n), (int)len);
	CU_ASSERT_EQUAL(n, CAP);
	CU_ASSERT(slice_is(hdrs[100].name, hdrs[100].name_len, "X-H100"));

	/* 102 lines with room for 101: refused. */
	len = at101 + (size_t)snprintf(buf + at101, sizeof(buf) - at101, "X-H101: 1\r\n\r\n");
	n = CAP;
	CU_ASSERT_EQUAL(sl_http1_parse_request(buf, len, BIG, &req, hdrs, &n), -1);
	CU_ASSERT_EQUAL(req.err, SL_HTTP1_ERR_TOO_MANY_HDRS);
	n = CAP + 1;
	CU_ASSERT_EQUAL(sl_http1_parse_request(buf, len, BIG, &req, hdrs, &n), (int)len);
	n = 0;
	CU_ASSERT_EQUAL(sl_http1_parse_request(wrk_get, sizeof(wrk_get) - 1, BIG, &req, hdrs, &n),
			-1);
	CU_ASSERT_EQUAL(req.err, SL_HTTP1_ERR_TOO_MANY_HDRS);

	/* max_len: a head of exactly max_len fits; one byte less does not. */
	size_t wl = sizeof(wrk_get) - 1;
	n = CAP;
	CU_ASSERT_EQUAL(sl_http1_parse_request(wrk_get, wl, wl, &req, hdrs, &n), (int)wl);
	n = CAP;
	CU_ASSERT_EQUAL(sl_http1_parse_request(wrk_get, wl, wl - 1, &req, hdrs, &n), -1);
	CU_ASSERT_EQUAL(req.err, SL_HTTP1_ERR_TOO_LARGE);
	/* Fewer bytes than max_len and no end: need more; max_len bytes and no end: too large. */
	n = CAP;
	CU_ASSERT_EQUAL(sl_http1_parse_request(wrk_get, 20, 30, &req, hdrs, &n), -2);
	n = CAP;
	CU_ASSERT_EQUAL(sl_http1_parse_request(wrk_get, 30, 30, &req, hdrs, &n), -1);
	CU_ASSERT_EQUAL(req.err, SL_HTTP1_ERR_TOO_LARGE);
	n = CAP;
	CU_ASSERT_EQUAL(sl_http1_parse_request(wrk_get, 10, 10, &req, hdrs, &n), -1);
	CU_ASSERT_EQUAL(req.err, SL_HTTP1_ERR_TOO_LARGE);
	/* Endless empty lines before the request-line end at max_len. */
	memset(buf, 0, sizeof(buf));
	for (size_t i = 0; i + 1 < sizeof(buf); i += 2)
		memcpy(buf + i, "\r\n", 2);
	n = CAP;
	CU_ASSERT_EQUAL(sl_http1_parse_request(buf, sizeof(buf), 4096, &req, hdrs, &n), -1);
	CU_ASSERT_EQUAL(req.err, SL_HTTP1_ERR_TOO_LARGE);
	n = CAP;
	CU_ASSERT_EQUAL(sl_http1_parse_request(buf, 1000, 4096, &req, hdrs, &n), -2);
}

/* Seeded mutations of valid heads: any result, but never a crash or a read past the end. */
static void test_req_mutations(void)
{
	struct sl_t_rng rng = {0x5eed1u};
	static const char alphabet[] = "\r\n\0 \t:,;/?#*%@x0Ff\x7f\x80";
	struct sl_http1_req req;
	struct sl_http1_hdr hdrs[CAP];
	size_t n;
	char m[1024];
	unsigned bad = 0;
	for (int round = 0; round < 20000; round++) {
		const struct raw *v = &valid_reqs[sl_t_below(&rng, SL_ARRAY_SIZE(valid_reqs))];
		size_t len = v->len < sizeof(m) ? v->len : sizeof(m);
		memcpy(m, v->s, len);
		int edits = 1 + (int)sl_t_below(&rng, 3);
		for (int e = 0; e < edits; e++)
			m[sl_t_below(&rng, (uint32_t)len)] =
				alphabet[sl_t_below(&rng, sizeof(alphabet) - 1)];
		size_t cut = sl_t_below(&rng, (uint32_t)len + 1);
		int r = preq(m, cut, BIG, &req, hdrs, &n);
		if (r < -2 || r == 0 || r > (int)cut)
			bad++;
		if (r > 0 && (n > CAP || req.err != SL_HTTP1_OK))
			bad++;
	}
	CU_ASSERT_EQUAL(bad, 0);
}

/* -------------------------------------------------------------------------- responses */

static const char resp_ok[] = "HTTP/1.1 200 OK\r\n"
			      "Server: nginx/1.22.1\r\n"
			      "Date: Mon, 06 May 2024 10:00:00 GMT\r\n"
			      "Content-Type: application/vnd.apple.mpegurl\r\n"
			      "Content-Length: 5\r\n"
			      "Connection: keep-alive\r\n"
			      "Access-Control-Allow-Origin: *\r\n"
			      "\r\n"
			      "#EXTM";
static const char resp_chunked[] = "HTTP/1.1 200 OK\r\n"
				   "Content-Type: text/html\r\n"
				   "Transfer-Encoding: chunked\r\n"
				   "Set-Cookie: JSESSIONID=7F3A9C; Path=/; HttpOnly\r\n"
				   "\r\n"
				   "5\r\nhello\r\n0\r\n\r\n";
static const char resp_204[] = "HTTP/1.1 204 No Content\r\n\r\n";
static const char resp_304[] = "HTTP/1.1 304 Not Modified\r\nETag: \"5e1-18f\"\r\n\r\n";
static const char resp_101[] = "HTTP/1.1 101 Switching Protocols\r\n"
			       "Upgrade: websocket\r\n"
			       "Connection: Upgrade\r\n"
			       "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
			       "\r\n";
static const char resp_10[] = "HTTP/1.0 200 OK\r\nServer: SimpleHTTP/0.6\r\n\r\nbody...";
static const char resp_noreason[] = "HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n";
static const char resp_sp_noreason[] = "HTTP/1.1 404 \r\nContent-Length: 2\r\n\r\nno";
static const char resp_gzip_te[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n";
static const char resp_100[] = "HTTP/1.1 100 Continue\r\n\r\n";

static const struct raw valid_resps[] = {
	RAW(resp_ok), RAW(resp_chunked),  RAW(resp_204),	 RAW(resp_304),	    RAW(resp_101),
	RAW(resp_10), RAW(resp_noreason), RAW(resp_sp_noreason), RAW(resp_gzip_te), RAW(resp_100),
};

static void test_resp_shapes(void)
{
	struct sl_http1_resp resp;
	struct sl_http1_hdr hdrs[CAP];
	size_t n;
	uint64_t blen;

	int r = presp(resp_ok, sizeof(resp_ok) - 1, BIG, &resp, hdrs, &n);
	CU_ASSERT_EQUAL(r, (int)sizeof(resp_ok) - 6);
	CU_ASSERT_EQUAL(resp.status, 200);
	CU_ASSERT_EQUAL(resp.minor, 1);
	CU_ASSERT(slice_is(resp.reason, resp.reason_len, "OK"));
	CU_ASSERT_EQUAL(n, 6);
	CU_ASSERT_EQUAL(resp.conn, SL_HTTP1_CONN_KEEP_ALIVE);
	CU_ASSERT_EQUAL(sl_http1_body_info(NULL, &resp, &blen), SL_HTTP1_BODY_LENGTH);
	CU_ASSERT_EQUAL(blen, 5);

	CU_ASSERT(presp(resp_chunked, sizeof(resp_chunked) - 1, BIG, &resp, hdrs, &n) > 0);
	CU_ASSERT_EQUAL(sl_http1_body_info(NULL, &resp, NULL), SL_HTTP1_BODY_CHUNKED);

	CU_ASSERT(presp(resp_10, sizeof(resp_10) - 1, BIG, &resp, hdrs, &n) > 0);
	CU_ASSERT_EQUAL(resp.minor, 0);
	CU_ASSERT_EQUAL(sl_http1_body_info(NULL, &resp, NULL), SL_HTTP1_BODY_UNTIL_CLOSE);

	CU_ASSERT(presp(resp_noreason, sizeof(resp_noreason) - 1, BIG, &resp, hdrs, &n) > 0);
	CU_ASSERT_EQUAL(resp.status, 200);
	CU_ASSERT_EQUAL(resp.reason_len, 0);
	CU_ASSERT_EQUAL(sl_http1_body_info(NULL, &resp, &blen), SL_HTTP1_BODY_NONE);
	CU_ASSERT(presp(resp_sp_noreason, sizeof(resp_sp_noreason) - 1, BIG, &resp, hdrs, &n) > 0);
	CU_ASSERT_EQUAL(resp.status, 404);
	CU_ASSERT_EQUAL(resp.reason_len, 0);

	CU_ASSERT(presp(resp_gzip_te, sizeof(resp_gzip_te) - 1, BIG, &resp, hdrs, &n) > 0);
	CU_ASSERT_EQUAL(resp.flags, SL_HTTP1_F_TE);
	CU_ASSERT_EQUAL(sl_http1_body_info(NULL, &resp, NULL), SL_HTTP1_BODY_UNTIL_CLOSE);

	/* Responses need no Host, and a Host there is just a field. */
	static const char with_host[] = "HTTP/1.1 200 OK\r\nHost: a\r\nHost: b\r\n\r\n";
	CU_ASSERT(presp(with_host, sizeof(with_host) - 1, BIG, &resp, hdrs, &n) > 0);
}

static void test_resp_truncated(void)
{
	struct sl_http1_resp resp;
	struct sl_http1_hdr hdrs[CAP];
	size_t n;
	unsigned bad = 0;
	for (size_t v = 0; v < SL_ARRAY_SIZE(valid_resps); v++) {
		const char *s = valid_resps[v].s;
		size_t len = valid_resps[v].len, hl = head_len(s, len);
		CU_ASSERT(hl > 0);
		for (size_t k = 0; k <= len; k++) {
			int r = presp(s, k, BIG, &resp, hdrs, &n);
			int want = k < hl ? -2 : (int)hl;
			if (r != want && bad++ < 5)
				fprintf(stderr, "resp %zu cut %zu: %d, want %d (%s)\n", v, k, r,
					want, sl_http1_err_name(resp.err));
		}
	}
	CU_ASSERT_EQUAL(bad, 0);
}

static const struct bad_case bad_resps[] = {
	BAD("HTTP/1.1 20 OK\r\n\r\n", STATUS_LINE),
	BAD("HTTP/1.1 2000 OK\r\n\r\n", STATUS_LINE),
	BAD("HTTP/1.1 099 Low\r\n\r\n", STATUS_LINE),
	BAD("HTTP/1.1 600 High\r\n\r\n", STATUS_LINE),
	BAD("HTTP/1.1 2x0 OK\r\n\r\n", STATUS_LINE),
	BAD("HTTP/1.1  200 OK\r\n\r\n", STATUS_LINE),
	BAD("HTTP/1.1 200 O\x01K\r\n\r\n", STATUS_LINE),
	BAD("HTTP/1.1\r\n\r\n", STATUS_LINE),
	BAD("HTTP/2 200 OK\r\n\r\n", VERSION),
	BAD("HTTP/2.0 200 OK\r\n\r\n", VERSION),
	BAD("HTTP/1.10 200 OK\r\n\r\n", STATUS_LINE),
	BAD("ICY 200 OK\r\n\r\n", VERSION),
	BAD("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
	    CL_AND_TE),
	BAD("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", TE_INVALID),
	BAD("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
	    TE_INVALID),
	BAD("HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", TE_HTTP10),
	BAD("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n", CL_MISMATCH),
	BAD("HTTP/1.1 200 OK\r\nContent-Length: -3\r\n\r\n", CL_INVALID),
	BAD("HTTP/1.1 200 OK\nContent-Length: 3\r\n\r\n", BARE_LF),
	BAD("HTTP/1.1 200 OK\r\nX: a\r\n b\r\n\r\n", OBS_FOLD),
	BAD("HTTP/1.1 200 OK\r\nX : a\r\n\r\n", WS_BEFORE_COLON),
	BAD("\r\nHTTP/1.1 200 OK\r\n\r\n", VERSION),
};

static void test_resp_refused(void)
{
	unsigned bad = 0;
	for (size_t i = 0; i < SL_ARRAY_SIZE(bad_resps); i++) {
		int got = resp_err(bad_resps[i].s, bad_resps[i].len);
		if (got != (int)bad_resps[i].err && bad++ < 10)
			fprintf(stderr, "bad resp %zu: got %d (%s), want %s\n", i, got,
				got < 100 ? sl_http1_err_name((enum sl_http1_err)got) : "-",
				sl_http1_err_name(bad_resps[i].err));
	}
	CU_ASSERT_EQUAL(bad, 0);
}

/* ------------------------------------------------------------------------ body framing */

struct framing_case {
	const char *req;  /* request head, or NULL */
	const char *resp; /* response head, or NULL for the request's own body */
	enum sl_http1_body want;
	uint64_t len;
};

#define RQ(m, extra)  m " / HTTP/1.1\r\nHost: a\r\n" extra "\r\n"
#define RS(st, extra) "HTTP/1.1 " st "\r\n" extra "\r\n"

static const struct framing_case framing[] = {
	{RQ("GET", ""), NULL, SL_HTTP1_BODY_NONE, 0},
	{RQ("POST", "Content-Length: 5\r\n"), NULL, SL_HTTP1_BODY_LENGTH, 5},
	{RQ("POST", "Content-Length: 0\r\n"), NULL, SL_HTTP1_BODY_NONE, 0},
	{RQ("POST", "Transfer-Encoding: chunked\r\n"), NULL, SL_HTTP1_BODY_CHUNKED, 0},
	{RQ("POST", ""), NULL, SL_HTTP1_BODY_NONE, 0},
	{RQ("GET", ""), RS("200 OK", "Content-Length: 5\r\n"), SL_HTTP1_BODY_LENGTH, 5},
	{RQ("GET", ""), RS("200 OK", "Content-Length: 0\r\n"), SL_HTTP1_BODY_NONE, 0},
	{RQ("HEAD", ""), RS("200 OK", "Content-Length: 5\r\n"), SL_HTTP1_BODY_NONE, 0},
	{RQ("HEAD", ""), RS("200 OK", "Transfer-Encoding: chunked\r\n"), SL_HTTP1_BODY_NONE, 0},
	{RQ("GET", ""), RS("204 No Content", "Content-Length: 5\r\n"), SL_HTTP1_BODY_NONE, 0},
	{RQ("GET", ""), RS("304 Not Modified", "Content-Length: 10\r\n"), SL_HTTP1_BODY_NONE, 0},
	{RQ("GET", ""), RS("100 Continue", ""), SL_HTTP1_BODY_NONE, 0},
	{RQ("GET", ""), RS("103 Early Hints", "Link: </s.css>\r\n"), SL_HTTP1_BODY_NONE, 0},
	{RQ("GET", ""), RS("101 Switching Protocols", "Upgrade: websocket\r\n"),
	 SL_HTTP1_BODY_TUNNEL, 0},
	{"CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n", RS("200 Connection established", ""),
	 SL_HTTP1_BODY_TUNNEL, 0},
	{"CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n",
	 RS("407 Proxy Authentication Required", "Content-Length: 3\r\n"), SL_HTTP1_BODY_LENGTH, 3},
	{RQ("GET", ""), RS("200 OK", "Transfer-Encoding: chunked\r\n"), SL_HTTP1_BODY_CHUNKED, 0},
	{RQ("GET", ""), RS("200 OK", "Transfer-Encoding: gzip, chunked\r\n"), SL_HTTP1_BODY_CHUNKED,
	 0},
	{RQ("GET", ""), RS("200 OK", "Transfer-Encoding: gzip\r\n"), SL_HTTP1_BODY_UNTIL_CLOSE, 0},
	{RQ("GET", ""), RS("200 OK", ""), SL_HTTP1_BODY_UNTIL_CLOSE, 0},
	{RQ("GET", ""), "HTTP/1.0 200 OK\r\n\r\n", SL_HTTP1_BODY_UNTIL_CLOSE, 0},
	{RQ("GET", ""), RS("404 Not Found", "Content-Length: 9\r\n"), SL_HTTP1_BODY_LENGTH, 9},
	{RQ("POST", "Content-Length: 3\r\n"), RS("500 Oops", "Content-Length: 2\r\n"),
	 SL_HTTP1_BODY_LENGTH, 2},
	{NULL, RS("200 OK", "Content-Length: 2\r\n"), SL_HTTP1_BODY_LENGTH, 2},
	{NULL, RS("200 OK", ""), SL_HTTP1_BODY_UNTIL_CLOSE, 0},
};

static void test_body_framing(void)
{
	unsigned bad = 0;
	for (size_t i = 0; i < SL_ARRAY_SIZE(framing); i++) {
		const struct framing_case *c = &framing[i];
		struct sl_http1_req req;
		struct sl_http1_resp resp;
		struct sl_http1_hdr hdrs[CAP];
		size_t n = CAP;
		if (c->req != NULL &&
		    sl_http1_parse_request(c->req, strlen(c->req), BIG, &req, hdrs, &n) <= 0) {
			bad++;
			continue;
		}
		n = CAP;
		if (c->resp != NULL &&
		    sl_http1_parse_response(c->resp, strlen(c->resp), BIG, &resp, hdrs, &n) <= 0) {
			bad++;
			continue;
		}
		uint64_t len = 12345;
		enum sl_http1_body b = sl_http1_body_info(c->req != NULL ? &req : NULL,
							  c->resp != NULL ? &resp : NULL, &len);
		if (b != c->want || len != c->len) {
			if (bad++ < 10)
				fprintf(stderr, "framing %zu: %s %llu, want %s %llu\n", i,
					sl_http1_body_name(b), (unsigned long long)len,
					sl_http1_body_name(c->want), (unsigned long long)c->len);
		}
	}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_STRING_EQUAL(sl_http1_body_name(SL_HTTP1_BODY_UNTIL_CLOSE), "until-close");
	CU_ASSERT_STRING_EQUAL(sl_http1_body_name((enum sl_http1_body)99), "unknown");
}

/* ---------------------------------------------------------------------------- chunked */

enum feed { FEED_WHOLE, FEED_BYTES, FEED_RANDOM };

/*
 * Decodes @body (@len bytes) fed in pieces (each an exact-size heap copy). Returns 0 when the
 * body ended (payload in @out/@out_len, bytes of body in *@used), 1 when the bytes ran out
 * first, -1 on a refusal (*@err).
 */
static int decode(const char *body, size_t len, enum feed how, struct sl_t_rng *rng, char *out,
		  size_t out_cap, size_t *out_len, size_t *used, enum sl_http1_err *err)
{
	struct sl_http1_chunk st;
	sl_http1_chunk_init(&st);
	size_t pos = 0;
	*out_len = 0;
	while (pos < len && !sl_http1_chunk_done(&st)) {
		size_t piece = len - pos;
		if (how == FEED_BYTES)
			piece = 1;
		else if (how == FEED_RANDOM)
			piece = 1 + sl_t_below(rng, piece < 40 ? (uint32_t)piece : 40);
		char *d = (char *)sl_t_dup((const uint8_t *)body + pos, piece);
		size_t off = 0;
		while (off < piece && !sl_http1_chunk_done(&st)) {
			size_t doff, dlen;
			int r = sl_http1_chunk_step(&st, d + off, piece - off, &doff, &dlen);
			if (r < 0) {
				free(d);
				*err = st.err;
				return -1;
			}
			if ((size_t)r > piece - off || doff + dlen > (size_t)r ||
			    (r == 0 && !sl_http1_chunk_done(&st)) || *out_len + dlen > out_cap) {
				free(d);
				*err = SL_HTTP1_OK;
				return -3;
			}
			memcpy(out + *out_len, d + off + doff, dlen);
			*out_len += dlen;
			off += (size_t)r;
		}
		free(d);
		pos += off;
	}
	*used = pos;
	*err = SL_HTTP1_OK;
	return sl_http1_chunk_done(&st) ? 0 : 1;
}

static void check_body(const char *body, size_t len, size_t body_len, const char *want,
		       size_t want_len)
{
	static char out[1 << 17];
	struct sl_t_rng rng = {0xc4u + len};
	for (int how = FEED_WHOLE; how <= FEED_RANDOM; how++)
		for (int rep = 0; rep < (how == FEED_RANDOM ? 50 : 1); rep++) {
			size_t out_len = 0, used = 0;
			enum sl_http1_err err;
			int r = decode(body, len, (enum feed)how, &rng, out, sizeof(out), &out_len,
				       &used, &err);
			CU_ASSERT_EQUAL(r, 0);
			CU_ASSERT_EQUAL(used, body_len);
			CU_ASSERT_EQUAL(out_len, want_len);
			CU_ASSERT(out_len == want_len && memcmp(out, want, want_len) == 0);
			if (r != 0)
				fprintf(stderr, "feed %d: r %d err %s\n", how, r,
					sl_http1_err_name(err));
		}
}

static void test_chunk_real(void)
{
	/* Wikipedia's example, then the next request pipelined behind it. */
	static const char wiki[] =
		"4\r\nWiki\r\n6\r\npedia \r\nE\r\nin \r\n\r\nchunks.\r\n0\r\n\r\n"
		"GET / HTTP/1.1\r\n";
	static const char wiki_out[] = "Wikipedia in \r\n\r\nchunks.";
	check_body(wiki, sizeof(wiki) - 1, sizeof(wiki) - 1 - 16, wiki_out, sizeof(wiki_out) - 1);

	/* Extensions (quoted, with ';' inside), uppercase hex, leading zeros, trailers. */
	static const char ext[] = "1A;name=\"va;l\";x\r\nabcdefghijklmnopqrstuvwxyz\r\n"
				  "0005 ; ext = 1\r\n01234\r\n"
				  "0;last\r\nExpires: Wed, 21 Oct 2015 07:28:00 GMT\r\n"
				  "X-Checksum:\tabc \r\n\r\nNEXT";
	static const char ext_out[] = "abcdefghijklmnopqrstuvwxyz01234";
	check_body(ext, sizeof(ext) - 1, sizeof(ext) - 1 - 4, ext_out, sizeof(ext_out) - 1);

	/* Only the last chunk. */
	check_body("0\r\n\r\n", 5, 5, "", 0);

	/* A long body of random chunk sizes, mixed-case hex, random payload bytes (CRLF too). */
	static char big[1 << 17], big_out[1 << 16];
	struct sl_t_rng rng = {0xb16b0d1u};
	size_t bl = 0, ol = 0;
	while (ol < sizeof(big_out) - 5000) {
		size_t sz = 1 + sl_t_below(&rng, 4000);
		bl += (size_t)snprintf(big + bl, sizeof(big) - bl,
				       sl_t_below(&rng, 2) ? "%zx\r\n" : "%04zX;i=%zu\r\n", sz, ol);
		sl_t_fill(&rng, (uint8_t *)big_out + ol, sz);
		memcpy(big + bl, big_out + ol, sz);
		bl += sz;
		ol += sz;
		memcpy(big + bl, "\r\n", 2);
		bl += 2;
	}
	memcpy(big + bl, "0\r\n\r\n", 5);
	bl += 5;
	check_body(big, bl, bl, big_out, ol);
}

struct chunk_bad {
	const char *s;
	size_t len;
	int want; /* -1: refused with err; 1: not finished (needs more) */
	enum sl_http1_err err;
};
#define CBAD(lit, e)                                       \
	{                                                  \
		lit, sizeof(lit) - 1, -1, SL_HTTP1_ERR_##e \
	}
#define CMORE(lit)                                   \
	{                                            \
		lit, sizeof(lit) - 1, 1, SL_HTTP1_OK \
	}

static const struct chunk_bad chunk_cases[] = {
	CBAD("\r\n", CHUNK_SIZE),
	CBAD("g\r\n", CHUNK_SIZE),
	CBAD("-5\r\n", CHUNK_SIZE),
	CBAD("+5\r\n", CHUNK_SIZE),
	CBAD("0x5\r\nhello\r\n", CHUNK_SIZE),
	CBAD("5 \r\nhello\r\n0\r\n\r\n", CHUNK_SIZE),
	CBAD("5 x;a\r\n", CHUNK_SIZE),
	CBAD(" 5\r\n", CHUNK_SIZE),
	CBAD(";a\r\n", CHUNK_SIZE),
	CBAD("8000000000000000\r\n", CHUNK_RANGE),
	CBAD("FFFFFFFFFFFFFFFFF\r\n", CHUNK_RANGE),
	CBAD("10000000000000000\r\n", CHUNK_RANGE),
	CBAD("5\nhello\r\n", CHUNK_CRLF),
	CBAD("5\rhello\r\n", CHUNK_CRLF),
	CBAD("5;a\nhello\r\n", CHUNK_CRLF),
	CBAD("5\r\nhelloX\r\n0\r\n\r\n", CHUNK_CRLF),
	CBAD("5\r\nhello\n0\r\n\r\n", CHUNK_CRLF),
	CBAD("5\r\nhello\r0\r\n\r\n", CHUNK_CRLF),
	CBAD("5\r\nhello0\r\n\r\n", CHUNK_CRLF),
	CBAD("3\r\nhello\r\n0\r\n\r\n", CHUNK_CRLF),
	CBAD("0\r\n\r\r", CHUNK_CRLF),
	CBAD("5;a\0b\r\nhello\r\n", CHUNK_EXT),
	CBAD("5;a\x7f\r\nhello\r\n", CHUNK_EXT),
	CBAD("0\r\n x: y\r\n\r\n", TRAILER),
	CBAD("0\r\n: y\r\n\r\n", TRAILER),
	CBAD("0\r\nX y: z\r\n\r\n", TRAILER),
	CBAD("0\r\nX: a\nb\r\n\r\n", TRAILER),
	CBAD("0\r\nX: a\rb\r\n\r\n", TRAILER),
	CBAD("0\r\nX: a\0\r\n\r\n", TRAILER),
	CBAD("0\r\n\n", TRAILER),
	CMORE("5\r\nhel"),
	CMORE("7fffffffffffffff\r\nabc"),
	CMORE("5\r\nhello"),
	CMORE("5\r\nhello\r\n"),
	CMORE("0\r\n"),
	CMORE("0\r\nX: 1\r\n"),
	CMORE("0\r\nX: 1\r\n\r"),
	CMORE("00000000000000000000000000000000000000005\r\nhello\r\n"),
};

static void test_chunk_edges(void)
{
	static char out[4096];
	unsigned bad = 0;
	for (size_t i = 0; i < SL_ARRAY_SIZE(chunk_cases); i++) {
		const struct chunk_bad *c = &chunk_cases[i];
		for (int how = FEED_WHOLE; how <= FEED_BYTES; how++) {
			size_t out_len, used;
			enum sl_http1_err err;
			int r = decode(c->s, c->len, (enum feed)how, NULL, out, sizeof(out),
				       &out_len, &used, &err);
			if (r != c->want || (r == -1 && err != c->err)) {
				if (bad++ < 10)
					fprintf(stderr, "chunk case %zu feed %d: %d %s\n", i, how,
						r, sl_http1_err_name(err));
			}
		}
	}
	CU_ASSERT_EQUAL(bad, 0);

	/* After a refusal the state stays refused; after the end nothing more is consumed. */
	struct sl_http1_chunk st;
	size_t doff, dlen;
	sl_http1_chunk_init(&st);
	CU_ASSERT_EQUAL(sl_http1_chunk_step(&st, "z", 1, &doff, &dlen), -1);
	CU_ASSERT_EQUAL(sl_http1_chunk_step(&st, "0\r\n\r\n", 5, &doff, &dlen), -1);
	CU_ASSERT_EQUAL(st.err, SL_HTTP1_ERR_CHUNK_SIZE);
	sl_http1_chunk_init(&st);
	CU_ASSERT_EQUAL(sl_http1_chunk_step(&st, "0\r\n\r\nxyz", 8, &doff, &dlen), 5);
	CU_ASSERT(sl_http1_chunk_done(&st));
	CU_ASSERT_EQUAL(sl_http1_chunk_step(&st, "xyz", 3, &doff, &dlen), 0);
	CU_ASSERT_EQUAL(dlen, 0);

	/* Data reported at its offset, and the step stops right after it. */
	sl_http1_chunk_init(&st);
	static const char two[] = "3;x=y\r\nabc\r\n2\r\nde\r\n0\r\n\r\n";
	int r = sl_http1_chunk_step(&st, two, sizeof(two) - 1, &doff, &dlen);
	CU_ASSERT_EQUAL(r, 10);
	CU_ASSERT_EQUAL(doff, 7);
	CU_ASSERT_EQUAL(dlen, 3);
	r = sl_http1_chunk_step(&st, two + 10, sizeof(two) - 11, &doff, &dlen);
	CU_ASSERT_EQUAL(r, 7);
	CU_ASSERT_EQUAL(doff, 5);
	CU_ASSERT_EQUAL(dlen, 2);
	r = sl_http1_chunk_step(&st, two + 17, sizeof(two) - 18, &doff, &dlen);
	CU_ASSERT_EQUAL(r, 7);
	CU_ASSERT_EQUAL(dlen, 0);
	CU_ASSERT(sl_http1_chunk_done(&st));

	/* A zero-initialized state works like an initialized one. */
	struct sl_http1_chunk z;
	memset(&z, 0, sizeof(z));
	CU_ASSERT_EQUAL(sl_http1_chunk_step(&z, "0\r\n\r\n", 5, &doff, &dlen), 5);
	CU_ASSERT(sl_http1_chunk_done(&z));

	/* Endless extensions and trailers are cut off. */
	static char longx[SL_HTTP1_CHUNK_LINE_MAX + 16];
	memset(longx, 'a', sizeof(longx));
	memcpy(longx, "5;", 2);
	size_t out_len, used;
	enum sl_http1_err err;
	CU_ASSERT_EQUAL(decode(longx, sizeof(longx), FEED_WHOLE, NULL, out, sizeof(out), &out_len,
			       &used, &err),
			-1);
	CU_ASSERT_EQUAL(err, SL_HTTP1_ERR_CHUNK_LINE);
	/* ... but a line of exactly the limit passes. */
	memset(longx, 'a', sizeof(longx));
	memcpy(longx, "5;", 2);
	memcpy(longx + SL_HTTP1_CHUNK_LINE_MAX - 1, "\r\nhello\r\n", 9);
	CU_ASSERT_EQUAL(decode(longx, SL_HTTP1_CHUNK_LINE_MAX + 8, FEED_WHOLE, NULL, out,
			       sizeof(out), &out_len, &used, &err),
			1);
	CU_ASSERT_EQUAL(out_len, 5);
	static char longtr[SL_HTTP1_TRAILER_MAX + 64];
	size_t tl = 3;
	memcpy(longtr, "0\r\n", 3);
	while (tl + 12 < sizeof(longtr)) {
		memcpy(longtr + tl, "X-T: 12345\r\n", 12);
		tl += 12;
	}
	CU_ASSERT_EQUAL(
		decode(longtr, tl, FEED_WHOLE, NULL, out, sizeof(out), &out_len, &used, &err), -1);
	CU_ASSERT_EQUAL(err, SL_HTTP1_ERR_TRAILER_SIZE);
}

/* ---------------------------------------------------------------------------- helpers */

static void test_helpers_lookup(void)
{
	struct sl_http1_req req;
	struct sl_http1_hdr hdrs[CAP];
	size_t n;
	CU_ASSERT(preq(chrome_get, sizeof(chrome_get) - 1, BIG, &req, hdrs, &n) > 0);
	int i = sl_http1_find_hdr(hdrs, n, 0, "accept-encoding");
	CU_ASSERT(i > 0 && slice_is(hdrs[i].value, hdrs[i].value_len, "gzip, deflate, br, zstd"));
	CU_ASSERT_EQUAL(sl_http1_find_hdr(hdrs, n, 0, "SEC-FETCH-USER"), 11);
	CU_ASSERT_EQUAL(sl_http1_find_hdr(hdrs, n, 12, "SEC-FETCH-USER"), -1);
	CU_ASSERT_EQUAL(sl_http1_find_hdr(hdrs, n, 0, "sec-fetch"), -1);
	CU_ASSERT_EQUAL(sl_http1_find_hdr(hdrs, n, 0, "X-Absent"), -1);
	CU_ASSERT(sl_http1_ieq("Content-LENGTH", 14, "content-length"));
	CU_ASSERT(!sl_http1_ieq("Content-Lengt", 13, "content-length"));

	const char *v = " a ,, b\t,c d,", *tok;
	const char *p = v;
	size_t tl;
	CU_ASSERT(sl_http1_list_next(&p, v + strlen(v), &tok, &tl) && slice_is(tok, tl, "a"));
	CU_ASSERT(sl_http1_list_next(&p, v + strlen(v), &tok, &tl) && slice_is(tok, tl, "b"));
	CU_ASSERT(sl_http1_list_next(&p, v + strlen(v), &tok, &tl) && slice_is(tok, tl, "c d"));
	CU_ASSERT(!sl_http1_list_next(&p, v + strlen(v), &tok, &tl));
}

static void test_helpers_connection(void)
{
	struct {
		const char *v;
		unsigned want;
	} c[] = {
		{"close", SL_HTTP1_CONN_CLOSE},
		{"Keep-Alive", SL_HTTP1_CONN_KEEP_ALIVE},
		{"Upgrade", SL_HTTP1_CONN_UPGRADE},
		{"keep-alive, Upgrade", SL_HTTP1_CONN_KEEP_ALIVE | SL_HTTP1_CONN_UPGRADE},
		{" CLOSE ,,x-trace", SL_HTTP1_CONN_CLOSE | SL_HTTP1_CONN_OTHER},
		{"closed", SL_HTTP1_CONN_OTHER},
		{"", 0},
	};
	for (size_t i = 0; i < SL_ARRAY_SIZE(c); i++)
		CU_ASSERT_EQUAL(sl_http1_conn_flags(c[i].v, strlen(c[i].v)), c[i].want);
	CU_ASSERT(sl_http1_keep_alive(1, 0));
	CU_ASSERT(!sl_http1_keep_alive(1, SL_HTTP1_CONN_CLOSE));
	CU_ASSERT(!sl_http1_keep_alive(1, SL_HTTP1_CONN_CLOSE | SL_HTTP1_CONN_KEEP_ALIVE));
	CU_ASSERT(sl_http1_keep_alive(0, SL_HTTP1_CONN_KEEP_ALIVE));
	CU_ASSERT(!sl_http1_keep_alive(0, 0));

	/* Two Connection lines add up; the options they name are hop-by-hop. */
	static const char two[] = "GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive\r\n"
				  "X-Trace: 1\r\nconnection: X-TRACE, close\r\nTE: trailers\r\n"
				  "Keep-Alive: timeout=5\r\nX-Keep: 1\r\n\r\n";
	struct sl_http1_req req;
	struct sl_http1_hdr hdrs[CAP];
	size_t n;
	CU_ASSERT(preq(two, sizeof(two) - 1, BIG, &req, hdrs, &n) > 0);
	CU_ASSERT_EQUAL(req.conn,
			SL_HTTP1_CONN_KEEP_ALIVE | SL_HTTP1_CONN_CLOSE | SL_HTTP1_CONN_OTHER);
	CU_ASSERT(!sl_http1_keep_alive(req.minor, req.conn));
	bool want[] = {false, true, true, true, true, true, false};
	CU_ASSERT_EQUAL(n, SL_ARRAY_SIZE(want));
	for (size_t i = 0; i < n && i < SL_ARRAY_SIZE(want); i++)
		CU_ASSERT_EQUAL(sl_http1_is_hop_by_hop(hdrs, n, i), want[i]);
	CU_ASSERT(!sl_http1_is_hop_by_hop(hdrs, n, n));
	CU_ASSERT(sl_http1_hop_by_hop_name("Transfer-Encoding", 17));
	CU_ASSERT(sl_http1_hop_by_hop_name("PROXY-CONNECTION", 16));
	CU_ASSERT(!sl_http1_hop_by_hop_name("Trailer", 7));
	CU_ASSERT(!sl_http1_hop_by_hop_name("Host", 4));
}

static void test_helpers_websocket(void)
{
	struct sl_http1_req req;
	struct sl_http1_hdr hdrs[CAP];
	size_t n;
	static const struct {
		const char *s;
		bool ws;
	} c[] = {
		{"GET /ws HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, Upgrade\r\n"
		 "Upgrade: WebSocket\r\n\r\n",
		 true},
		{"GET /ws HTTP/1.1\r\nHost: a\r\nConnection: upgrade\r\n"
		 "Upgrade: h2c, websocket/13\r\n\r\n",
		 true},
		{"GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n\r\n", false},
		{"GET /ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n",
		 false},
		{"POST /ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: "
		 "websocket\r\n\r\n",
		 false},
		{"GET /ws HTTP/1.0\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n", false},
		{"GET /ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: "
		 "websockets\r\n\r\n",
		 false},
	};
	for (size_t i = 0; i < SL_ARRAY_SIZE(c); i++) {
		CU_ASSERT(preq(c[i].s, strlen(c[i].s), BIG, &req, hdrs, &n) > 0);
		CU_ASSERT_EQUAL(sl_http1_is_websocket(&req, hdrs, n), c[i].ws);
	}
}

static void test_helpers_cookie(void)
{
	const char *val, *srv, *orig;
	size_t vl, sl, ol;
	static const char ck[] = "a=1; JSESSIONID=ams1~v; b=2";
	CU_ASSERT(sl_http1_cookie_find(ck, sizeof(ck) - 1, "JSESSIONID", 10, &val, &vl));
	CU_ASSERT(slice_is(val, vl, "ams1~v"));
	CU_ASSERT(sl_http1_cookie_prefix_split(val, vl, &srv, &sl, &orig, &ol));
	CU_ASSERT(slice_is(srv, sl, "ams1"));
	CU_ASSERT(slice_is(orig, ol, "v"));
	CU_ASSERT(sl_http1_cookie_find(ck, sizeof(ck) - 1, "a", 1, &val, &vl) &&
		  slice_is(val, vl, "1"));
	CU_ASSERT(sl_http1_cookie_find(ck, sizeof(ck) - 1, "b", 1, &val, &vl) &&
		  slice_is(val, vl, "2"));
	CU_ASSERT(!sl_http1_cookie_find(ck, sizeof(ck) - 1, "jsessionid", 10, &val, &vl));
	CU_ASSERT(!sl_http1_cookie_find(ck, sizeof(ck) - 1, "JSESSION", 8, &val, &vl));
	CU_ASSERT(!sl_http1_cookie_find(ck, sizeof(ck) - 1, "ID", 2, &val, &vl));

	static const char odd[] = "x;JSESSIONIDX=no;JSESSIONID=\"q~1\" ;  e=; JSESSIONID=second";
	CU_ASSERT(sl_http1_cookie_find(odd, sizeof(odd) - 1, "JSESSIONID", 10, &val, &vl));
	CU_ASSERT(slice_is(val, vl, "\"q~1\""));
	CU_ASSERT(sl_http1_cookie_find(odd, sizeof(odd) - 1, "e", 1, &val, &vl) && vl == 0);
	CU_ASSERT(!sl_http1_cookie_find(odd, sizeof(odd) - 1, "x", 1, &val, &vl));
	CU_ASSERT(!sl_http1_cookie_find("", 0, "x", 1, &val, &vl));

	/* Prefix split: no '~' or an empty server part is not ours. */
	srv = orig = NULL;
	CU_ASSERT(!sl_http1_cookie_prefix_split("7F3A9C", 6, &srv, &sl, &orig, &ol));
	CU_ASSERT(!sl_http1_cookie_prefix_split("~v", 2, &srv, &sl, &orig, &ol));
	CU_ASSERT(srv == NULL && orig == NULL);
	CU_ASSERT(sl_http1_cookie_prefix_split("ams2~", 5, &srv, &sl, &orig, &ol));
	CU_ASSERT(slice_is(srv, sl, "ams2") && ol == 0);
	CU_ASSERT(sl_http1_cookie_prefix_split("s~a~b", 5, &srv, &sl, &orig, &ol));
	CU_ASSERT(slice_is(srv, sl, "s") && slice_is(orig, ol, "a~b"));

	/* Over the parsed head, across Cookie lines. */
	struct sl_http1_req req;
	struct sl_http1_hdr hdrs[CAP];
	size_t n;
	CU_ASSERT(preq(chrome_get, sizeof(chrome_get) - 1, BIG, &req, hdrs, &n) > 0);
	CU_ASSERT(sl_http1_cookie_find_hdrs(hdrs, n, "JSESSIONID", 10, &val, &vl));
	CU_ASSERT(slice_is(val, vl, "ams1~7F3A9C"));
	static const char two[] = "GET / HTTP/1.1\r\nHost: a\r\nCookie: a=1\r\n"
				  "cookie: SRV=ams3; z=9\r\n\r\n";
	CU_ASSERT(preq(two, sizeof(two) - 1, BIG, &req, hdrs, &n) > 0);
	CU_ASSERT(sl_http1_cookie_find_hdrs(hdrs, n, "SRV", 3, &val, &vl) &&
		  slice_is(val, vl, "ams3"));
	CU_ASSERT(!sl_http1_cookie_find_hdrs(hdrs, n, "JSESSIONID", 10, &val, &vl));
}

static void test_err_names(void)
{
	for (int e = 0; e < SL_HTTP1_ERR_COUNT; e++) {
		const char *nm = sl_http1_err_name((enum sl_http1_err)e);
		CU_ASSERT(strncmp(nm, "http1_", 6) == 0);
		CU_ASSERT_STRING_NOT_EQUAL(nm, "http1_unknown");
		for (int f = 0; f < e; f++)
			CU_ASSERT_STRING_NOT_EQUAL(nm, sl_http1_err_name((enum sl_http1_err)f));
	}
	CU_ASSERT_STRING_EQUAL(sl_http1_err_name((enum sl_http1_err)SL_HTTP1_ERR_COUNT),
			       "http1_unknown");
}

static const struct sl_test_case req_cases[] = {
	{"curl GET, every field", test_req_curl},
	{"wrk, Chrome, POST, chunked, absolute, OPTIONS *, CONNECT, 1.0, ws", test_req_shapes},
	{"every truncation of valid requests is -2", test_req_truncated},
	{"smuggling and syntax refusals, with reasons", test_req_refused},
	{"prefixes of refused requests", test_req_refused_truncated},
	{"one authority: target against Host, HAProxy's normalization", test_req_authority},
	{"accepted edges (CL lists, TE whitespace, chars)", test_req_accepted_edges},
	{"every byte as a field name", test_req_name_bytes},
	{"header capacity 101 and max_len", test_req_limits},
	{"seeded mutations", test_req_mutations},
	{NULL, NULL},
};

static const struct sl_test_case resp_cases[] = {
	{"nginx, chunked, 1.0, no reason, TE gzip", test_resp_shapes},
	{"every truncation of valid responses is -2", test_resp_truncated},
	{"refusals with reasons", test_resp_refused},
	{"body framing table (RFC 9112 6.3)", test_body_framing},
	{NULL, NULL},
};

static const struct sl_test_case chunk_cases_tab[] = {
	{"real bodies: whole, random splits, byte by byte", test_chunk_real},
	{"edge cases and refusals", test_chunk_edges},
	{NULL, NULL},
};

static const struct sl_test_case helper_cases[] = {
	{"header lookup, ieq, list iteration", test_helpers_lookup},
	{"Connection, keep-alive, hop-by-hop", test_helpers_connection},
	{"WebSocket upgrade", test_helpers_websocket},
	{"cookies and the prefix split", test_helpers_cookie},
	{"error names", test_err_names},
	{NULL, NULL},
};

static const struct sl_test_suite suites[] = {
	{"http1/request", req_cases},
	{"http1/response", resp_cases},
	{"http1/chunked", chunk_cases_tab},
	{"http1/helpers", helper_cases},
	{NULL, NULL},
};

int main(void)
{
	return sl_test_run(suites);
}
