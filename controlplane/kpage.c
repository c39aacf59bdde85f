/* SPDX-License-Identifier: BSD-3-Clause */
#include "controlplane/kpage.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "controlplane/cfg/cfg.h"
#include "controlplane/page_render.h"
#include "dataplane/core/dp.h"
#include "dataplane/page/page.h"
#include "proto/outbuf.h"

/* The stats page of @cfg standing for @px after a reload (a reload cannot remove one: the old
 * pointer is kept only if the configuration says otherwise, which sl_cfg_reload_check() refuses). */
static const struct sl_proxy *page_in(const struct sl_cfg *cfg, const struct sl_proxy *px)
{
	const struct sl_proxy *n = sl_cfg_stats_page_in(cfg, px);
	return n != NULL ? n : px;
}

/* ------------------------------------------------------------------ kernel addresses
 *
 * A stats page bound on an address that is not the dataplane's is served by the kernel: an
 * ordinary non-blocking socket polled by the main lcore between its other duties (a page
 * request costs a few milliseconds of the main lcore, never a worker's time).
 */

#define KPAGE_LISTEN 8
#define KPAGE_CONNS 16
#define KPAGE_IDLE_MS 10000

struct kpage_conn {
	int fd; /* -1: free */
	const struct sl_proxy *px;
	uint32_t cip;
	uint16_t dport;
	bool answered;
	uint64_t since_ms;
	size_t len;
	struct sl_outbuf out;
	char head[SL_PAGE_HEAD_MAX];
};

struct sl_kpage {
	struct sl_dp *dp;
	struct sl_page_render *pr;
	unsigned nl;
	int lfd[KPAGE_LISTEN];
	uint16_t lport[KPAGE_LISTEN];
	const struct sl_proxy *lpx[KPAGE_LISTEN];
	struct kpage_conn c[KPAGE_CONNS];
};

static int kpage_listen(struct sl_kpage *k, const struct sl_proxy *px, const struct sl_bind *b,
			unsigned port)
{
	if (k->nl == KPAGE_LISTEN) {
		fprintf(stderr, "%s:%d: stats page: at most %d ports on kernel addresses\n",
			b->loc.file, b->loc.line, KPAGE_LISTEN);
		return -1;
	}
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int one = 1;
	struct sockaddr_in sa = {.sin_family = AF_INET,
				 .sin_port = htons((uint16_t)port),
				 .sin_addr.s_addr = htonl(b->addr.v4)};
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 64) < 0) {
		fprintf(stderr, "%s:%d: stats page on %u.%u.%u.%u:%u (a kernel address): %s\n",
			b->loc.file, b->loc.line, b->addr.v4 >> 24, b->addr.v4 >> 16 & 255,
			b->addr.v4 >> 8 & 255, b->addr.v4 & 255, port, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	k->lfd[k->nl] = fd;
	k->lport[k->nl] = (uint16_t)port;
	k->lpx[k->nl++] = px;
	return 0;
}

int sl_kpage_open(struct sl_dp *dp, struct sl_page_render *pr, const struct sl_cfg *cfg,
		  struct sl_kpage **out)
{
	*out = NULL;
	struct sl_kpage *k = NULL;
	for (const struct sl_proxy *px = cfg->proxies; px != NULL; px = px->next) {
		if (!(px->cap & SL_CAP_FE) || px->mode != SL_MODE_HTTP || !px->stats.enabled)
			continue;
		for (const struct sl_bind *b = px->binds; b != NULL; b = b->next) {
			if (b->addr.family != AF_INET || b->any || sl_dp_owns(dp, b->addr.v4))
				continue; /* the dataplane's: the proxy lcores serve it */
			if (k == NULL && (k = calloc(1, sizeof(*k))) == NULL)
				return -1;
			k->dp = dp;
			k->pr = pr;
			for (unsigned i = 0; i < KPAGE_CONNS; i++)
				k->c[i].fd = -1;
			for (unsigned port = b->port_lo; port <= b->port_hi; port++)
				if (kpage_listen(k, px, b, port) < 0) {
					sl_kpage_close(k);
					return -1;
				}
		}
	}
	*out = k;
	return 0;
}

static void kpage_end(struct kpage_conn *c)
{
	close(c->fd);
	c->fd = -1;
	sl_outbuf_free(&c->out);
}

void sl_kpage_poll(struct sl_kpage *k)
{
	if (k == NULL)
		return;
	uint64_t now = sl_dp_now_ms(k->dp);
	for (unsigned l = 0; l < k->nl; l++) {
		struct sockaddr_in sa;
		socklen_t sl = sizeof(sa);
		int fd;
		while ((fd = accept4(k->lfd[l], (struct sockaddr *)&sa, &sl,
				     SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
			unsigned i = 0;
			while (i < KPAGE_CONNS && k->c[i].fd >= 0)
				i++;
			if (i == KPAGE_CONNS) { /* every slot busy: refused */
				close(fd);
				continue;
			}
			struct kpage_conn *c = &k->c[i];
			c->fd = fd;
			c->px = k->lpx[l];
			c->cip = ntohl(sa.sin_addr.s_addr);
			c->dport = k->lport[l];
			c->answered = false;
			c->since_ms = now;
			c->len = 0;
			sl_outbuf_init(&c->out, SL_OUTBUF_DEFAULT_CAP);
			sl = sizeof(sa);
		}
	}
	for (unsigned i = 0; i < KPAGE_CONNS; i++) {
		struct kpage_conn *c = &k->c[i];
		if (c->fd < 0)
			continue;
		if (!c->answered) {
			ssize_t r = -1;
			errno = EAGAIN;
			while (c->len < SL_PAGE_HEAD_MAX &&
			       (r = recv(c->fd, c->head + c->len, SL_PAGE_HEAD_MAX - c->len, 0)) > 0)
				c->len += (size_t)r;
			if (sl_page_request_complete(c->head, c->len) ||
			    (r == 0 && c->len > 0)) { /* complete, or the client is done sending */
				sl_page_render_answer(k->pr, c->px, c->head, c->len, c->cip, c->dport,
						      false, &c->out);
				c->answered = true;
			} else if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
				kpage_end(c);
				continue;
			}
		}
		while (c->answered && sl_outbuf_len(&c->out) > 0) {
			ssize_t w = send(c->fd, sl_outbuf_data(&c->out), sl_outbuf_len(&c->out),
					 MSG_NOSIGNAL);
			if (w <= 0)
				break;
			sl_outbuf_consume(&c->out, (size_t)w);
		}
		if ((c->answered && sl_outbuf_len(&c->out) == 0) || now - c->since_ms > KPAGE_IDLE_MS)
			kpage_end(c);
	}
}

void sl_kpage_take_cfg(struct sl_kpage *k, const struct sl_cfg *cfg)
{
	for (unsigned i = 0; k != NULL && i < k->nl; i++)
		k->lpx[i] = page_in(cfg, k->lpx[i]);
	for (unsigned i = 0; k != NULL && i < KPAGE_CONNS; i++)
		if (k->c[i].fd >= 0)
			k->c[i].px = page_in(cfg, k->c[i].px);
}

void sl_kpage_close(struct sl_kpage *k)
{
	if (k == NULL)
		return;
	for (unsigned i = 0; i < KPAGE_CONNS; i++)
		if (k->c[i].fd >= 0)
			kpage_end(&k->c[i]);
	for (unsigned i = 0; i < k->nl; i++)
		close(k->lfd[i]);
	free(k);
}
