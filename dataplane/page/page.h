/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The stats page, served by the proxy lcores' TCP stack wherever a `mode http` proxy with
 * `stats enable` binds on the dataplane (the seed's `listen stats` on :6080), or by the main
 * lcore through a kernel socket for a bind on an address the dataplane does not own: HAProxy's
 * URI and its `;csv`, `;json` and `;norefresh` variants, the Prometheus exposition on
 * `stats prometheus-uri`, basic auth with `stats auth` users and `stats realm`, admin forms
 * (`stats admin if COND`: POST with the page's token, same origin) whose state changes the
 * main lcore applies.
 * Connection: close after each response (HTTP/1.1 and 1.0 clients alike).
 */
#ifndef SL_PAGE_H
#define SL_PAGE_H

struct sl_dp;
struct sl_lcore;

#define SL_PAGE_CONNS 32 /* stats page connections at once per proxy lcore */

/* Listens for every stats-enabled http proxy bind on @lc's stack. Returns 0 or -1 (printed). */
int sl_page_listen(struct sl_dp *dp, struct sl_lcore *lc);

/* Frees @lc's page connections (after its stack is destroyed). */
void sl_page_fini(struct sl_lcore *lc);

/*
 * `http-request use-service prometheus-exporter` on an HTTP frontend: the page module takes over
 * client connection @c of lcore @lc with the request already read (@buf, @len) and answers it
 * with the exposition, then closes. Returns false (nothing taken) when every page slot is busy.
 */
struct sl_tcp_conn;
struct sl_proxy;
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
bool sl_page_adopt(struct sl_lcore *lc, struct sl_tcp_conn *c, const struct sl_proxy *fe,
		   const char *buf, size_t len);

/* Proxy lcore, after a reload: the stats pages and their connections use @cfg's proxies. */
struct sl_cfg;
void sl_page_take_cfg(struct sl_lcore *lc, const struct sl_cfg *cfg);

/*
 * Stats pages bound on addresses the dataplane does not own (`bind 127.0.0.1:8404`): served
 * through ordinary sockets of the main lcore. sl_kpage_open() listens (0, with *@out NULL when
 * there is none; -1 printed with FILE:LINE when a socket cannot listen), sl_kpage_poll() serves
 * without blocking (main lcore hook), sl_kpage_take_cfg() follows a reload, sl_kpage_close().
 */
struct sl_kpage;
struct sl_bind;
/* Whether stats bind @b is on an address the dataplane does not own (a kernel socket serves it). */
bool sl_page_bind_is_kernel(const struct sl_dp *dp, const struct sl_bind *b);
int sl_kpage_open(struct sl_dp *dp, const struct sl_cfg *cfg, struct sl_kpage **out);
void sl_kpage_poll(struct sl_kpage *k);
void sl_kpage_take_cfg(struct sl_kpage *k, const struct sl_cfg *cfg);
void sl_kpage_close(struct sl_kpage *k);

#endif
