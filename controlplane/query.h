/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Main asks the lcores: commands broadcast through their command rings, and questions only an
 * lcore can answer from its live state (struct sl_query), waited for. Main never reads an
 * lcore's live arrays itself.
 */
#ifndef SL_QUERY_H
#define SL_QUERY_H

#include <stdint.h>

struct sl_dp;
struct sl_msg;
struct sl_outbuf;

/*
 * Asks every proxy lcore the question @what (SL_QUERY_*) for at most @max entries in all, and
 * appends their answers to @out in lcore order. Waits for each lcore up to 200 ms (it answers
 * at its next tick: about a millisecond); one that does not answer is named in @out. On the
 * main lcore's own roles, answered in place. Main lcore. Returns the number of entries.
 */
unsigned sl_query_proxies(struct sl_dp *dp, uint16_t what, unsigned max, struct sl_outbuf *out);

/*
 * Sends @m to every worker and proxy lcore (to main's own roles in place). Main lcore. Returns 0
 * or -ENOBUFS when an lcore's ring was full (the others got it).
 */
int sl_query_broadcast(struct sl_dp *dp, const struct sl_msg *m);

/* `shutdown sessions server`: SL_MSG_RESET_SERVER for counter slot @gidx to every worker and
 * proxy lcore (their L4 flows and HTTP sessions). Same returns as sl_query_broadcast(). */
int sl_query_reset_server(struct sl_dp *dp, uint16_t gidx);

#endif
