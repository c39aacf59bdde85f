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

/* Sends the ciphertext TLS holds, as far as the client's send space goes. */
void hx_tls_flush(struct hx_sess *s)
{
	while (sl_tls_out_pending(s->tls) > 0) {
		size_t room = sl_tcp_writable(s->cli);
		if (room == 0) {
			sl_tcp_want_writable(s->cli);
			return;
		}
		size_t n = sl_tls_out(s->tls, s->hx->tbuf, room < HX_TLS_CHUNK ? room : HX_TLS_CHUNK);
		if (n == 0 || sl_tcp_send(s->cli, s->hx->tbuf, n) != (ssize_t)n)
			return;
	}
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
			return -EPROTO;
		}
	}
}

/* Whether the client may have bytes for us (for TLS: ciphertext that may hold some). */
bool hx_cli_has_input(const struct hx_sess *s)
{
	return sl_tcp_readable(s->cli) > 0 || (s->tls != NULL && sl_tls_established(s->tls));
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

