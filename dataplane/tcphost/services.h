/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The built-in services of the dataplane section (`service echo PORT`, `service http-ok PORT`),
 * served by every proxy lcore's stack: the tests drive the TCP stack with Linux peers through
 * them.
 */
#ifndef SL_SERVICES_H
#define SL_SERVICES_H

struct sl_cfg;
struct sl_lcore;

/* Listens on @lc's stack for every service of @cfg. Main lcore, before the loops. Returns 0 or
 * -1 (printed with the service's FILE:LINE). */
int sl_services_listen(struct sl_lcore *lc, const struct sl_cfg *cfg);

#endif
