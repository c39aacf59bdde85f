/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stats pages bound on addresses the dataplane does not own (`bind 127.0.0.1:8404`, a management
 * address): served through ordinary non-blocking sockets of the main lcore, polled between its
 * other duties, answered by controlplane/page_render.c (a page request costs main's time, never
 * a worker's).
 */
#ifndef SL_KPAGE_H
#define SL_KPAGE_H

struct sl_cfg;
struct sl_dp;
struct sl_kpage;
struct sl_page_render;

/* Listens for every stats bind of @cfg on a kernel address: 0 (*@out NULL when there is none),
 * or -1 printed with FILE:LINE when a socket cannot listen. Main. */
int sl_kpage_open(struct sl_dp *dp, struct sl_page_render *pr, const struct sl_cfg *cfg,
		  struct sl_kpage **out);

/* Serves what is ready without blocking (main's hook). NULL is accepted. */
void sl_kpage_poll(struct sl_kpage *k);

/* A reload: the pages' proxies are @cfg's from now on. */
void sl_kpage_take_cfg(struct sl_kpage *k, const struct sl_cfg *cfg);

void sl_kpage_close(struct sl_kpage *k);

#endif
