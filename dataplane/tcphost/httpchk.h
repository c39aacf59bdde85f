/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * HTTP health checks (`option httpchk`), their packet side on a proxy lcore: connect from one of
 * the lcore's check ports through its TCP stack, send the request, read the status line and up
 * to 2 KiB of the body, judge them with the backend's expectations (controlplane/check/check.c)
 * and report. Failures before the connection: L4CON (refused) or L4TOUT; after: L7TOUT or
 * L7RSP. The same slots run `tcp-check` sequences (send bytes, expect bytes: the steps are
 * decided by sl_tcpchk_step() in controlplane/check/check.c) over up to 2 KiB received per
 * send. The main lcore schedules them (controlplane/check_sched.c) and sends SL_MSG_HCHECK to a
 * proxy lcore; results come back as SL_MSG_HCHECK_RES.
 */
#ifndef SL_HTTPCHK_H
#define SL_HTTPCHK_H

#include <stdint.h>

struct sl_dp;
struct sl_lcore;
struct sl_httpchk;
struct sl_tcpchk;
struct sl_tls_client_ctx;

/* What an HTTP check sends and how (main's checks of one configuration own it, and keep it
 * while a check of that configuration runs). */
struct sl_hchk_target {
	const char *text; /* the HTTP request */
	uint32_t text_len;
	struct sl_tls_client_ctx *const *tls; /* check-ssl: the server's contexts by proxy lcore
					       * (proxy_idx), else NULL */
	const char *sni;  /* check-sni NAME, or NULL */
	/* a PROXY header first (HAProxy: `check-send-proxy`, or a `send-proxy` server checked on its
	 * own address and port): SL_SEND_PROXY_V1 "PROXY UNKNOWN", SL_SEND_PROXY_V2 a LOCAL
	 * header (with the CRC32C TLV when @pp_opts asks); 0 none */
	uint8_t send_proxy, pp_opts;
};

#include "controlplane/cfg/portplan.h"

/* Checks in flight per proxy lcore at most: its slice of the port plan's check range. */
#define SL_HCHK_SLOTS SL_PORT_PLAN_CHECK_SLOTS

/* SL_MSG_HCHECK's payload (main -> a proxy lcore). @chk and @text belong to the configuration
 * generation @cfg_gen, which main keeps until the lcore says it holds nothing older. */
struct sl_hchk_req {
	uint32_t ip;
	uint16_t port;
	uint16_t id;            /* caller's server id */
	uint32_t timeout_ms;
	uint8_t srv_down;       /* the server is DOWN (disable-on-404 only applies when not) */
	uint8_t tcp;            /* a `tcp-check` sequence (@tcp) rather than an HTTP check (@chk) */
	uint16_t pad;
	union {
		const struct sl_httpchk *chk; /* the backend's expectations (immutable config) */
		const struct sl_tcpchk *tcp_rules; /* the backend's tcp-check rules */
	};
	const struct sl_hchk_target *tgt; /* the HTTP request (NULL for a tcp-check) */
	uint32_t pad2;
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



#endif
