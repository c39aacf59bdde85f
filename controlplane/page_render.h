/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The stats page's answers, rendered on the main lcore: HAProxy's URI and its `;csv`, `;json`
 * and `;norefresh` variants, the Prometheus exposition on `stats prometheus-uri` (and for
 * `use-service prometheus-exporter`), basic auth with `stats auth` users and `stats realm`, admin
 * forms (`stats admin if COND`: POST with the page's token, same origin) applied at once through
 * the checks' state. Requests come from the proxy lcores' page connections (SL_MSG_PAGE_REQ in
 * main's inbox: the lcore lends its request bytes until the answer goes back as
 * SL_MSG_PAGE_ANSWER) or from main's own kernel sockets (controlplane/kpage.c).
 */
#ifndef SL_PAGE_RENDER_H
#define SL_PAGE_RENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sl_cfg;
struct sl_ctl;
struct sl_dp;
struct sl_msg;
struct sl_outbuf;
struct sl_proxy;
struct sl_page_render;

/* Main: the renderer over @ctl's rows and @cfg (its admin token drawn now). NULL: no memory. */
struct sl_page_render *sl_page_render_new(struct sl_dp *dp, struct sl_ctl *ctl,
					  const struct sl_cfg *cfg);
void sl_page_render_free(struct sl_page_render *pr);

/* A reload: stats proxies are found in @cfg from now on. */
void sl_page_render_set_cfg(struct sl_page_render *pr, const struct sl_cfg *cfg);

/* The complete HTTP response to the request @buf (@len bytes) for stats proxy @px from client
 * @cip on port @dport (@service: the Prometheus exposition, no auth) into @out. Main. */
void sl_page_render_answer(struct sl_page_render *pr, const struct sl_proxy *px, const char *buf,
			   size_t len, uint32_t cip, uint16_t dport, bool service,
			   struct sl_outbuf *out);

/* An inbox message of the stats pages (SL_MSG_PAGE_REQ: answered now; SL_MSG_FREE_OUTBUF: an
 * answer given back, freed). Main. */
void sl_page_render_msg(struct sl_page_render *pr, const struct sl_msg *m);

/* Once a millisecond: answers an lcore's full ring refused are sent again. Main. */
void sl_page_render_tick(struct sl_page_render *pr);

#endif
