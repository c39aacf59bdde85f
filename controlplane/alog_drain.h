/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Access logs on main: the proxy lcores' access-log rings (struct sl_lcore's alog: each written
 * by its proxy lcore only, read here only) drained, each record written as its frontend's
 * format says (controlplane/log/alog_fmt.c) and sent to the frontend's `log` targets at level
 * info through the event logger (non-blocking sockets: a line that cannot leave is counted in
 * sl_logger_dropped(), and in main's drop_access_log_unsent counter for `show drops`).
 */
#ifndef SL_ALOG_DRAIN_H
#define SL_ALOG_DRAIN_H

#include <stdint.h>

struct sl_dp;
struct sl_cfg;
struct sl_logger;

/* Main lcore: sends at most @max records waiting in the proxy lcores' rings, as @cfg's frontends
 * say (a frontend a reload removed, or whose access log it turned off, loses its lines).
 * Returns the number of records read. */
unsigned sl_alog_drain(struct sl_dp *dp, const struct sl_cfg *cfg, struct sl_logger *lg,
		       unsigned max);

/* Access-log records the proxy lcores could not queue because their ring was full (the
 * drop_access_log_ring_full counter summed over lcores). HAProxy's DroppedLogs is this plus
 * sl_logger_dropped() (lines the targets did not take). Any lcore. */
uint64_t sl_alog_ring_dropped(const struct sl_dp *dp);

#endif
