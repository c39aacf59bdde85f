/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * HTTP health checks (`option httpchk`), their packet side on a proxy lcore: connect from one of
 * the lcore's check ports through its TCP stack, send the request, read the status line and up
 * to 2 KiB of the body, judge them with the backend's expectations (controlplane/check/check.c)
 * and report. Failures before the connection: L4CON (refused) or L4TOUT; after: L7TOUT or
 * L7RSP. The main lcore schedules them (controlplane/check_sched.c) and sends SL_MSG_HCHECK to a
 * proxy lcore; results come back as SL_MSG_HCHECK_RES.
 */
#ifndef SL_HTTPCHK_H
#define SL_HTTPCHK_H

#include <stdint.h>

struct sl_dp;
struct sl_lcore;
struct sl_httpchk;

#define SL_HCHK_PORT_LO 62100 /* check ports: proxy lcore i owns SL_HCHK_SLOTS from LO + 64 i */
#define SL_HCHK_SLOTS 64      /* checks in flight per proxy lcore */

/* SL_MSG_HCHECK's payload (main -> a proxy lcore). @chk and @text belong to the configuration
 * generation @cfg_gen, which main keeps until the lcore says it holds nothing older. */
struct sl_hchk_req {
	uint32_t ip;
	uint16_t port;
	uint16_t id;            /* caller's server id */
	uint32_t timeout_ms;
	uint32_t srv_down;      /* the server is DOWN (disable-on-404 only applies when not) */
	const struct sl_httpchk *chk; /* the backend's expectations (immutable config) */
	const char *text;       /* the request */
	uint32_t text_len;
	uint32_t cfg_gen;       /* the configuration generation of @chk and @text */
};

/* SL_MSG_HCHECK_RES's payload (proxy lcore -> main) */
struct sl_hchk_res {
	uint16_t id;
	uint8_t status;         /* enum sl_check_status */
	uint8_t pad;
	int32_t code;           /* HTTP status, 0 when none */
};

/* Sets up @lc's check slots and registers the role. Main, before the loops. Returns 0 or -1. */
int sl_httpchk_init(struct sl_dp *dp, struct sl_lcore *lc);
void sl_httpchk_fini(struct sl_lcore *lc);

/* The local port of check slot @slot of proxy lcore @proxy_idx, and the proxy lcore (index)
 * owning check port @port. */
static inline uint16_t sl_httpchk_port(unsigned proxy_idx, unsigned slot)
{
	return (uint16_t)(SL_HCHK_PORT_LO + proxy_idx * SL_HCHK_SLOTS + slot);
}

static inline unsigned sl_httpchk_port_lcore(uint16_t port)
{
	return (unsigned)(port - SL_HCHK_PORT_LO) / SL_HCHK_SLOTS;
}

#endif
