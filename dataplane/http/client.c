/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The client side of an HTTP session, on the proxy lcore. A plain client connection is the TCP
 * connection; an `ssl` bind puts TLS in between: the ciphertext the stack received goes into
 * TLS only when plaintext is wanted (so a client that sends faster than we forward fills its
 * own TCP window, not our memory), and what TLS has to send goes out as the client's send
 * space allows.
 */
#include <errno.h>

#include "dataplane/core/counters.h"
#include "dataplane/http/http_int.h"
#include "dataplane/tcp/stack.h"
#include "tls/tls.h"

/* Sends the ciphertext @t holds over @c, as far as its send space goes. */
static void tls_flush(struct sl_http *hx, struct sl_tcp_conn *c, struct sl_tls_conn *t)
{
	while (sl_tls_out_pending(t) > 0) {
		size_t room = sl_tcp_writable(c);
		if (room == 0) {
			sl_tcp_want_writable(c);
			return;
		}
		size_t n = sl_tls_out(t, hx->tbuf, room < HX_TLS_CHUNK ? room : HX_TLS_CHUNK);
		if (n == 0 || sl_tcp_send(c, hx->tbuf, n) != (ssize_t)n)
			return;
	}
}

/* Sends the ciphertext TLS holds, as far as the client's send space goes. */
void hx_tls_flush(struct hx_sess *s)
{
	tls_flush(s->hx, s->cli, s->tls);
}

/*
 * Up to @max bytes from the client (plaintext). Returns bytes, 0 at its end of stream (FIN or
 * close_notify), -EAGAIN when nothing is there yet, -EPROTO on a broken TLS stream.
 */
ssize_t hx_cli_recv(struct hx_sess *s, char *buf, size_t max)
{
	if (s->tls == NULL)
		return sl_tcp_recv(s->cli, buf, max);
	for (;;) {
		ssize_t r = sl_tls_read(s->tls, buf, max);
		hx_tls_flush(s); /* handshake messages, alerts */
		if (!s->tls_seen && (r == -EPROTO || sl_tls_established(s->tls))) {
			s->tls_seen = true; /* the handshake's outcome, counted once */
			hx_ctr(s, r == -EPROTO && !sl_tls_established(s->tls) ? SL_CTR_TLS_FAILED :
			       sl_tls_resumed(s->tls)			      ? SL_CTR_TLS_RESUMED :
									SL_CTR_TLS_HANDSHAKES);
		}
		if (r != -EAGAIN)
			return r;
		ssize_t c = sl_tcp_recv(s->cli, s->hx->tbuf, HX_TLS_CHUNK);
		if (c == 0)
			return 0; /* FIN without close_notify: the end all the same */
		if (c < 0)
			return c == -EAGAIN ? -EAGAIN : 0;
		if (sl_tls_in(s->tls, s->hx->tbuf, (size_t)c) < 0) {
			hx_tls_flush(s); /* the alert */
			if (!s->tls_seen) { /* refused during the handshake (a version, a cipher) */
				s->tls_seen = true;
				hx_ctr(s, SL_CTR_TLS_FAILED);
			}
			return -EPROTO;
		}
	}
}

/* Whether the client may have bytes for us (for TLS: ciphertext that may hold some). */
bool hx_cli_has_input(const struct hx_sess *s)
{
	return sl_tcp_readable(s->cli) > 0 ||
	       (s->tls != NULL && (sl_tls_established(s->tls) || sl_tls_in_pending(s->tls) > 0));
}

/* Send space towards the client (plaintext bytes we may write now). */
size_t hx_cli_room(struct hx_sess *s)
{
	size_t w = sl_tcp_writable(s->cli);
	if (s->tls != NULL && sl_tls_out_pending(s->tls) > 0)
		return 0; /* earlier records still wait */
	return w;
}

/* Sends @len bytes to the client; returns false when they did not all fit (the client is not
 * reading: the session is dropped). */
bool hx_cli_send(struct hx_sess *s, const char *p, size_t len)
{
	if (s->tls != NULL) {
		if (len > 0 && sl_tls_write(s->tls, p, len) != (ssize_t)len)
			return false;
		hx_tls_flush(s);
		return true;
	}
	ssize_t w = sl_tcp_send(s->cli, p, len);
	return w == (ssize_t)len;
}

/* Ends our side of the client connection: close_notify first on TLS, then FIN. */
void hx_cli_shutdown(struct hx_sess *s)
{
	if (s->tls != NULL) {
		sl_tls_close(s->tls);
		hx_tls_flush(s);
	}
	sl_tcp_shutdown(s->cli);
}


/* ------------------------------------------------------------------ the server side
 * A server with `ssl`: the session's stls over the server connection, driven the same way.
 * The request written before the handshake is done waits inside TLS (sl_tls_write() of a
 * client connection) and leaves right after it. */

void hx_stls_flush(struct hx_sess *s)
{
	if (s->stls != NULL && s->srv != NULL)
		tls_flush(s->hx, s->srv, s->stls);
}

/*
 * Runs the server handshake with what the server sent. Returns 1 once it is done, 0 while it
 * goes on, -1 when it failed (an alert, a certificate that does not verify, the server's close).
 */
int hx_srv_handshake(struct hx_sess *s)
{
	while (!sl_tls_established(s->stls)) {
		ssize_t c = sl_tcp_recv(s->srv, s->hx->tbuf, HX_TLS_CHUNK);
		if (c <= 0) {
			if (c == 0 || (c < 0 && c != -EAGAIN) || s->srv_eof)
				break;
			hx_stls_flush(s);
			return 0;
		}
		if (sl_tls_in(s->stls, s->hx->tbuf, (size_t)c) < 0) {
			hx_stls_flush(s); /* the alert */
			hx_ctr(s, SL_CTR_SRV_TLS_FAILED);
			return -1;
		}
		s->stls_in = true; /* what followed the handshake may be in there */
	}
	hx_stls_flush(s);
	if (!sl_tls_established(s->stls)) {
		hx_ctr(s, SL_CTR_SRV_TLS_FAILED); /* closed during the handshake */
		return -1;
	}
	hx_ctr(s, sl_tls_resumed(s->stls) ? SL_CTR_SRV_TLS_RESUMED : SL_CTR_SRV_TLS_HANDSHAKES);
	return 1;
}

/* Whether the server connection holds bytes for us (TLS: records not read yet; a partial
 * record does not count). */
bool hx_srv_readable(const struct hx_sess *s)
{
	if (s->srv != NULL && sl_tcp_readable(s->srv) > 0)
		return true;
	return s->stls != NULL && s->stls_in && sl_tls_established(s->stls);
}

/* Up to @max bytes from the server; returns as hx_cli_recv(). */
ssize_t hx_srv_recv(struct hx_sess *s, char *buf, size_t max)
{
	if (s->stls == NULL)
		return sl_tcp_recv(s->srv, buf, max);
	for (;;) {
		ssize_t r = sl_tls_read(s->stls, buf, max);
		hx_stls_flush(s);
		if (r != -EAGAIN)
			return r;
		ssize_t c = sl_tcp_recv(s->srv, s->hx->tbuf, HX_TLS_CHUNK);
		if (c <= 0)
			s->stls_in = false; /* TLS holds a partial record at most */
		if (c == 0)
			return 0;
		if (c < 0)
			return c == -EAGAIN ? -EAGAIN : 0;
		if (sl_tls_in(s->stls, s->hx->tbuf, (size_t)c) < 0) {
			hx_stls_flush(s);
			return -EPROTO;
		}
		s->stls_in = true;
	}
}

/* Plaintext bytes we may write to the server now (none until its handshake is done). */
size_t hx_srv_room(struct hx_sess *s)
{
	size_t w = sl_tcp_writable(s->srv);
	if (s->stls != NULL && (!sl_tls_established(s->stls) || sl_tls_out_pending(s->stls) > 0))
		return 0;
	return w;
}

/* Sends @len bytes to the server (TLS: encrypted, or kept until the handshake is done);
 * false when they did not all fit. */
bool hx_srv_send(struct hx_sess *s, const char *p, size_t len)
{
	if (s->stls != NULL) {
		if (len > 0 && sl_tls_write(s->stls, p, len) != (ssize_t)len)
			return false;
		hx_stls_flush(s);
		return true;
	}
	return sl_tcp_send(s->srv, p, len) == (ssize_t)len;
}

/* Ends our side of the server connection: close_notify first on TLS, then FIN. */
void hx_srv_shutdown(struct hx_sess *s)
{
	if (s->stls != NULL) {
		sl_tls_close(s->stls);
		hx_stls_flush(s);
	}
	sl_tcp_shutdown(s->srv);
}

/* Sends @len bytes to connection @to of the session, whichever side it is. */
bool hx_send_to(struct hx_sess *s, struct sl_tcp_conn *to, const char *p, size_t len)
{
	if (to == s->cli)
		return hx_cli_send(s, p, len);
	return hx_srv_send(s, p, len);
}

/* Plaintext room towards connection @to of the session. */
size_t hx_room_to(struct hx_sess *s, struct sl_tcp_conn *to)
{
	return to == s->cli ? hx_cli_room(s) : hx_srv_room(s);
}
