/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The stats page, served by the proxy lcores' TCP stack wherever a `mode http` proxy with
 * `stats enable` binds on the dataplane (the seed's `listen stats` on :6080): HAProxy's URI and
 * its `;csv`, `;json` and `;norefresh` variants, the Prometheus exposition on
 * `stats prometheus-uri`, basic auth with `stats auth` users and `stats realm`.
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

/* Proxy lcore, after a reload: the stats pages and their connections use @cfg's proxies. */
struct sl_cfg;
void sl_page_take_cfg(struct sl_lcore *lc, const struct sl_cfg *cfg);

#endif
