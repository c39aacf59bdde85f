/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The stats page's connections on the proxy lcores: every `mode http` proxy with `stats enable`
 * (the seed's `listen stats` on :6080) listens on the lcore's TCP stack at its binds on the
 * dataplane's addresses. The lcore only moves bytes: it reads a request, hands its bytes to the
 * main lcore (SL_MSG_PAGE_REQ), which renders the answer from its own view of the counters and
 * states (controlplane/page_render.c) and hands it back (SL_MSG_PAGE_ANSWER); the lcore sends it
 * and closes (Connection: close). Rendering a page of a thousand servers never stalls a packet
 * lcore, and the page never reads what main replaces and frees.
 *
 * The same module serves `http-request use-service prometheus-exporter` of an HTTP frontend: the
 * HTTP engine hands it the connection through the lcore's service table.
 */
#ifndef SL_PAGE_H
#define SL_PAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sl_cfg;
struct sl_dp;
struct sl_lcore;

#define SL_PAGE_CONNS 32      /* stats page connections at once per proxy lcore */
#define SL_PAGE_HEAD_MAX 8192 /* a request (head and form body) at most */

/* SL_MSG_PAGE_REQ's payload (proxy lcore -> main); the message's a = connection slot, b = its
 * tag, ptr = the request's bytes (main reads them until it answers). */
struct sl_page_req {
	uint32_t cip;     /* the client (ACLs of `stats admin if`) */
	uint32_t len;     /* bytes at ptr */
	uint16_t dport;
	uint16_t px_slot; /* the stats proxy's counter slot (stable across reloads) */
	uint8_t service;  /* use-service prometheus-exporter: the exposition, no URI, no auth */
};

/* Listens for every stats-enabled http proxy bind of @cfg on the dataplane on @lc's stack and
 * registers the role (answers from main) and the prometheus-exporter service. Main lcore,
 * before the loops. Returns 0 or -1 (printed). */
int sl_page_lcore_init(struct sl_dp *dp, struct sl_lcore *lc, const struct sl_cfg *cfg);

/* Frees @lc's page connections (after its stack is destroyed). */
void sl_page_lcore_fini(struct sl_lcore *lc);

/* Whether the request in @buf (@len bytes) is complete: its head, and the body its
 * Content-Length announces (or SL_PAGE_HEAD_MAX bytes: answered as it is). Pure. */
bool sl_page_request_complete(const char *buf, size_t len);

#endif
