/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The PROXY protocol on the proxy lcores (proto/proxy_proto.c parses and builds the headers),
 * for HTTP and proxied TCP sessions alike:
 *
 *   accept-proxy: a session accepted on such a bind reads the header before anything else
 *                 (before TLS on an `ssl` bind), under `timeout client` as HAProxy 2.6 bounds
 *                 its connection handshakes. The announced TCP4 addresses become the session's
 *                 client and destination (cip/cport, vip/vport): ACLs, X-Forwarded-For,
 *                 stickiness, balance source, `show errors`, logs and the PROXY header sent on
 *                 use them. LOCAL, UNKNOWN and families other than TCP4 keep the connection's
 *                 own addresses (sluice's data plane is IPv4). A missing, malformed or
 *                 oversized header (longer than tune.bufsize), or none in time, closes the
 *                 connection, counted in proxy_header_refused / proxy_header_timeout and in
 *                 the frontend's ereq. The bytes after the header are the stream's: the
 *                 request head (HTTP), the inspected bytes (proxied TCP) or TLS records.
 *   send-proxy:   a v1 or v2 header (with the proxy-v2-options TLVs) queued first on each
 *                 server connection, before the TLS ClientHello of an `ssl` server; a retry's
 *                 new connection gets its own.
 */
#include <errno.h>
#include <string.h>

#include "controlplane/cfg/cfg.h"
#include "dataplane/core/counters.h"
#include "dataplane/core/lcore.h"
#include "dataplane/http/http_int.h"
#include "dataplane/tcp/stack.h"
#include "proto/proxy_proto.h"
#include "tls/tls.h"

static void refuse(struct hx_sess *s, int ctr)
{
	s->hx->lc->ctr->c[ctr]++;
	if (hx_pxc(s, s->fe) != NULL)
		hx_pxc(s, s->fe)->ereq++;
	hx_sess_free(s);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int hx_pp_read(struct hx_sess *s)
{
	struct sl_http *hx = s->hx;
	while (sl_tcp_readable(s->cli) > 0 && (s->buf == NULL || s->blen < hx->bufsize)) {
		if (!hx_buf_get(s)) {
			hx->starved = true; /* no head buffer free: again at the next tick */
			return 0;
		}
		ssize_t r = sl_tcp_recv(s->cli, s->buf + s->blen, hx->bufsize - s->blen);
		if (r <= 0)
			break;
		s->blen += (uint32_t)r;
	}
	struct sl_pp_hdr h;
	int r = s->buf != NULL ? sl_pp_parse((const uint8_t *)s->buf, s->blen, hx->bufsize, &h) :
				 SL_PP_MORE;
	if (r == SL_PP_MORE && !s->cli_eof)
		return 0;
	if (r != SL_PP_OK) { /* malformed, oversized, or the client left before its end */
		refuse(s, SL_CTR_PROXY_HDR_BAD);
		return -1;
	}
	if (h.fam == SL_PP_TCP4 && !h.local) {
		s->cip = be32(h.src);
		s->cport = h.sport;
		s->vip = be32(h.dst);
		s->vport = h.dport;
	}
	s->pp_wait = false;
	uint32_t rest = s->blen - (uint32_t)h.len;
	memmove(s->buf, s->buf + h.len, rest);
	s->blen = rest;
	if (s->tls != NULL && s->blen > 0) { /* the first TLS records */
		int t = sl_tls_in(s->tls, s->buf, s->blen);
		s->blen = 0;
		if (t < 0) {
			hx_sess_free(s);
			return -1;
		}
	}
	if (s->blen == 0) {
		hx->bufs[hx->nbufs++] = s->buf;
		s->buf = NULL;
	}
	/* proxied TCP: an `ssl` bind's handshake within `timeout client`, else the inspection */
	hx_arm(s, !s->tcp ? TMO_REQ : s->tls != NULL ? TMO_CLIENT : TMO_INSPECT);
	return 1;
}

void hx_pp_timeout(struct hx_sess *s)
{
	refuse(s, SL_CTR_PROXY_HDR_TIMEOUT);
}

bool hx_pp_send(struct hx_sess *s)
{
	uint8_t hdr[512];
	size_t n;
	if (s->srv_pp & SL_SEND_PROXY_V2) {
		struct sl_pp2_facts f = {0};
		if (s->tls != NULL) {
			f.ssl = true;
			f.ssl_version = sl_tls_version(s->tls);
			f.ssl_cipher = sl_tls_cipher(s->tls);
			f.authority = sl_tls_sni(s->tls);
		}
		n = sl_pp_build_v2(hdr, sizeof(hdr), false, s->cip, s->cport, s->vip, s->vport,
				   s->srv_pp_opts, &f);
	} else if (s->srv_pp & SL_SEND_PROXY_V1) {
		n = sl_pp_build_v1((char *)hdr, sizeof(hdr), s->cip, s->cport, s->vip, s->vport);
	} else {
		return true;
	}
	return n > 0 && sl_tcp_send(s->srv, hdr, n) == (ssize_t)n;
}
