/* SPDX-License-Identifier: BSD-3-Clause */
#include "dataplane/tcphost/services.h"

#include <stdio.h>
#include <string.h>

#include "controlplane/cfg/cfg.h"
#include "dataplane/core/lcore.h"
#include "dataplane/tcp/stack.h"

/*
 * echo: what comes in goes back, without a copy (the received chain becomes the send queue),
 * and only while the send queue has room: a client that does not read stops the echo, and
 * then its own sending through our closing window.
 */
static void echo_pump(struct sl_tcp_conn *c)
{
	while (sl_tcp_readable(c) > 0) {
		if (sl_tcp_writable(c) == 0) {
			/* full: resume when the peer has acknowledged some of it */
			sl_tcp_want_writable(c);
			break;
		}
		sl_tcp_send_bufs(c, sl_tcp_recv_bufs(c, NULL));
	}
	/* the peer is done and everything it sent went back: close our side too */
	if (sl_tcp_state(c) == SL_TCP_CLOSE_WAIT && sl_tcp_readable(c) == 0)
		sl_tcp_shutdown(c);
}

static int echo_accepted(struct sl_tcp_conn *c, void *arg)
{
	return 0;
}

static void echo_event(struct sl_tcp_conn *c, void *arg)
{
	echo_pump(c);
}

static void any_error(struct sl_tcp_conn *c, void *arg, int reason)
{
}

static void any_closed(struct sl_tcp_conn *c, void *arg)
{
	sl_tcp_close(c);
}

static const struct sl_tcp_cbs echo_cbs = {
	.accepted = echo_accepted,
	.readable = echo_event,
	.writable = echo_event,
	.peer_closed = echo_event,
	.error = any_error,
	.closed = any_closed,
};

/*
 * http-ok: a fixed 200 for each request (a blank line ends its header; requests have no body),
 * keep-alive. A test responder, not a parser: a header block split exactly across two reads is
 * missed (clients such as curl and wrk send each request in one segment).
 */
static const char http_ok_resp[] = "HTTP/1.1 200 OK\r\nServer: sluice\r\nContent-Type: text/plain\r\n"
				   "Content-Length: 3\r\n\r\nok\n";

static void http_ok_read(struct sl_tcp_conn *c, void *arg)
{
	char buf[16384];
	ssize_t r;
	while ((r = sl_tcp_recv(c, buf, sizeof(buf))) > 0) {
		for (ssize_t i = 0; i + 3 < r; i++)
			if (memcmp(buf + i, "\r\n\r\n", 4) == 0 &&
			    sl_tcp_writable(c) >= sizeof(http_ok_resp) - 1)
				sl_tcp_send(c, http_ok_resp, sizeof(http_ok_resp) - 1);
	}
	if (r == 0)
		sl_tcp_shutdown(c); /* the client closed: so do we */
}

static const struct sl_tcp_cbs http_ok_cbs = {
	.accepted = echo_accepted,
	.readable = http_ok_read,
	.peer_closed = http_ok_read,
	.error = any_error,
	.closed = any_closed,
};

int sl_services_listen(struct sl_lcore *lc, const struct sl_cfg *cfg)
{
	for (const struct sl_dp_service *sv = cfg->dp.services; sv != NULL; sv = sv->next) {
		int r = sl_tcp_listen(lc->tcp, 0, sv->port, 1024,
				      sv->kind == SL_SVC_ECHO ? &echo_cbs : &http_ok_cbs, NULL);
		if (r < 0) {
			fprintf(stderr, "%s:%d: service on port %u: %s\n", sv->loc.file, sv->loc.line,
				sv->port, strerror(-r));
			return -1;
		}
	}
	return 0;
}
