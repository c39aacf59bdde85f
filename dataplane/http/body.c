/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Bodies between the two connections of an HTTP session, on the proxy lcore: the chains of
 * buffers the stack received handed to the other connection unchanged, cut where the body ends
 * (Content-Length counted, chunked walked with the streaming decoder, until close, tunnel).
 */
#include <errno.h>
#include <string.h>

#include "dataplane/core/lcore.h"
#include "dataplane/http/http_int.h"
#include "dataplane/tcp/stack.h"
#include "tls/tls.h"

/*
 * How many of the @len bytes at @p belong to the current body of one direction (@mode,
 * *@left, @ck), advancing that state; sets *@done when the body ends within them. Returns -1
 * on a malformed chunked body.
 */
int64_t hx_body_take(uint8_t mode, uint64_t *left, struct sl_http1_chunk *ck, const char *p,
			 size_t len, bool *done)
{
	*done = false;
	switch (mode) {
	case SL_HTTP1_BODY_NONE:
		*done = true;
		return 0;
	case SL_HTTP1_BODY_LENGTH: {
		uint64_t n = len < *left ? len : *left;
		*left -= n;
		*done = *left == 0;
		return (int64_t)n;
	}
	case SL_HTTP1_BODY_CHUNKED: {
		size_t used = 0;
		while (used < len && !sl_http1_chunk_done(ck)) {
			size_t doff, dlen;
			int r = sl_http1_chunk_step(ck, p + used, len - used, &doff, &dlen);
			if (r < 0)
				return -1;
			used += (size_t)r;
			if (r == 0 && dlen == 0)
				break;
		}
		*done = sl_http1_chunk_done(ck);
		return (int64_t)used;
	}
	default: /* until close, tunnel */
		return (int64_t)len;
	}
}

/*
 * Moves body bytes of one direction from @from to @to as received chains, at most what @to
 * has room for, cut where the body ends; bytes after the end go to the session's head buffer
 * (the next pipelined request: the only case where the peer may send them). Returns 1 when the
 * body ended, 0 when more is to come, -1 on a malformed body, -2 when the bytes after the end
 * do not fit the head buffer. *@moved is set when bytes moved (inactivity timers restart).
 */
int hx_move_body(struct hx_sess *s, struct sl_tcp_conn *from, struct sl_tcp_conn *to,
		 uint8_t mode, uint64_t *left, struct sl_http1_chunk *ck, bool keep_extra,
		 bool *moved)
{
	struct sl_tcp_stack *st = s->hx->lc->tcp;
	if (mode == SL_HTTP1_BODY_NONE)
		return 1;
	struct sl_tls_conn *to_tls = to == NULL ? NULL : to == s->cli ? s->tls : s->stls;
	while (sl_tcp_readable(from) > 0) {
		if (to != NULL && (to_tls != NULL ? hx_room_to(s, to) : sl_tcp_writable(to)) == 0) {
			sl_tcp_want_writable(to);
			return 0;
		}
		struct sl_tcp_buf *chain = sl_tcp_recv_bufs(from, NULL);
		if (chain != NULL)
			*moved = true; /* both sides progressed: inactivity timers restart */
		struct sl_tcp_buf **pp = &chain, *rest = NULL;
		bool done = false;
		while (*pp != NULL) {
			struct sl_tcp_buf *b = *pp;
			int64_t k = hx_body_take(mode, left, ck, (const char *)b->data, b->len, &done);
			if (k < 0) {
				sl_tcp_buf_free(st, chain);
				return -1;
			}
			if (done) {
				if ((uint32_t)k < b->len && keep_extra) { /* what follows */
					uint32_t extra = b->len - (uint32_t)k;
					if (!hx_buf_get(s) || extra > s->hx->bufsize - s->blen) {
						sl_tcp_buf_free(st, chain);
						return -2;
					}
					memcpy(s->buf + s->blen, b->data + k, extra);
					s->blen += extra;
					b->len = (uint32_t)k;
				}
				b->len = (uint32_t)k;
				rest = b->next;
				b->next = NULL;
				if (b->len == 0) { /* nothing of it was body */
					*pp = NULL;
					sl_tcp_buf_free(st, b);
				}
				break;
			}
			pp = &b->next;
		}
		for (struct sl_tcp_buf *r = keep_extra ? rest : NULL; r != NULL; r = r->next) {
			if (!hx_buf_get(s) || r->len > s->hx->bufsize - s->blen) {
				sl_tcp_buf_free(st, rest);
				sl_tcp_buf_free(st, chain);
				return -2;
			}
			memcpy(s->buf + s->blen, r->data, r->len);
			s->blen += r->len;
		}
		sl_tcp_buf_free(st, rest);
		if (chain != NULL && to_tls != NULL) { /* encrypted into records: the chain is done */
			for (struct sl_tcp_buf *b = chain; b != NULL; b = b->next)
				if (b->len > 0 && sl_tls_write(to_tls, b->data, b->len) != (ssize_t)b->len) {
					sl_tcp_buf_free(st, chain);
					return -1;
				}
			sl_tcp_buf_free(st, chain);
			if (to == s->cli)
				hx_tls_flush(s);
			else
				hx_stls_flush(s);
		} else if (chain != NULL) {
			if (to != NULL)
				sl_tcp_send_bufs(to, chain);
			else
				sl_tcp_buf_free(st, chain);
		}
		if (done)
			return 1;
	}
	return 0;
}

/*
 * hx_move_body() from a connection on TLS (the client's when !@from_srv, else the server's):
 * plaintext comes out of TLS into a scratch buffer (no chains to hand over), at most what @to
 * has room for, then is written to @to (itself plain or TLS); bytes after the body's end go to
 * the head buffer when @keep_extra, else are dropped. Same returns as hx_move_body().
 */
int hx_move_body_from_tls(struct hx_sess *s, bool from_srv, struct sl_tcp_conn *to,
			  uint8_t mode, uint64_t *left, struct sl_http1_chunk *ck, bool keep_extra,
			  bool *moved)
{
	char *tmp = s->hx->pbuf;
	if (mode == SL_HTTP1_BODY_NONE)
		return 1;
	for (;;) {
		size_t room = HX_TLS_CHUNK;
		if (to != NULL) {
			size_t w = hx_room_to(s, to);
			if (w == 0) {
				sl_tcp_want_writable(to);
				return 0;
			}
			room = w < room ? w : room;
		}
		ssize_t r = from_srv ? hx_srv_recv(s, tmp, room) : hx_cli_recv(s, tmp, room);
		if (r == -EAGAIN)
			return 0;
		if (r == 0) {
			if (from_srv)
				s->srv_eof = true;
			else
				s->cli_eof = true;
			return 0;
		}
		if (r < 0)
			return -1;
		*moved = true;
		bool done = false;
		int64_t k = hx_body_take(mode, left, ck, tmp, (size_t)r, &done);
		if (k < 0)
			return -1;
		if (k > 0 && to != NULL && !hx_send_to(s, to, tmp, (size_t)k))
			return -1;
		if (done) {
			size_t extra = (size_t)r - (size_t)k;
			if (extra > 0 && keep_extra) {
				if (!hx_buf_get(s) || extra > s->hx->bufsize - s->blen)
					return -2;
				memcpy(s->buf + s->blen, tmp + k, extra);
				s->blen += (uint32_t)extra;
			}
			return 1;
		}
	}
}

/* Bytes of a body already in the head buffer after a head (@off..blen): forwarded by copy. */
int hx_flush_buffered_body(struct hx_sess *s, uint32_t off, struct sl_tcp_conn *to, uint8_t mode,
			   uint64_t *left, struct sl_http1_chunk *ck)
{
	size_t len = s->blen - off;
	bool done = false;
	int64_t k = hx_body_take(mode, left, ck, s->buf + off, len, &done);
	if (k < 0)
		return -1;
	if (k > 0 && to != NULL && !hx_send_to(s, to, s->buf + off, (size_t)k))
		return -1;
	/* keep what follows (a pipelined request) at the start of the buffer */
	memmove(s->buf, s->buf + off + k, len - (size_t)k);
	s->blen = (uint32_t)(len - (size_t)k);
	return done ? 1 : 0;
}

