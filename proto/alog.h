/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * An access-log record: the facts of one HTTP transaction (or one connection that ended without
 * a request), as a proxy lcore collects them. Fixed size, plain data: the proxy lcore fills it in
 * its session's own slot while the transaction runs and copies it whole into its access-log ring
 * (struct sl_lcore's alog, single producer: that lcore; single consumer: main) when the
 * transaction ends; main turns it into text (controlplane/log/alog_fmt.c, HAProxy's log-format
 * variables) and sends it to the frontend's `log` targets. Nothing in it points anywhere: a
 * reload may replace the configuration before main reads it.
 */
#ifndef SL_PROTO_ALOG_H
#define SL_PROTO_ALOG_H

#include <stdint.h>

#define SL_ALOG_NAME 48	   /* proxy and server names kept (longer ones are cut) */
#define SL_ALOG_TXT 1600   /* request line, captured headers and samples */
#define SL_ALOG_URI_MAX 1024 /* the request line kept: HAProxy's tune.http.logurilen */
#define SL_ALOG_ABSENT 0xffff /* a capture or sample without a value */

enum {
	SL_ALOG_F_SSL = 1,    /* the client connection is TLS (%ft's '~') */
	SL_ALOG_F_BADREQ = 2, /* no valid request line: %r is "<BADREQ>" */
	SL_ALOG_F_REDISP = 4, /* redispatched: %rc gets a '+' */
	SL_ALOG_F_RESUMED = 8, /* the TLS session was resumed */
};

struct sl_alog_rec {
	/* the accept date (of the connection, or for a later request of a keep-alive connection,
	 * the end of the one before): on the lcore the lcore clock's ms, then main puts ms since
	 * the epoch */
	int64_t date_ms;
	/* HAProxy's timers (ms; -1: not reached): Th handshake, Ti idle, TR request head, Tw
	 * queue, Tc connect, Tr response head, Tt total (Ta = Tt - Th - Ti) */
	int32_t th, ti, tq, tw, tc, tr, tt;
	int32_t status; /* -1: none */
	int64_t bytes_out, bytes_in; /* %B (to the client), %U (from it) */
	uint32_t cip, fip, sip;	     /* host order; sip 0: no server */
	uint16_t cport, fport, sport;
	uint16_t slot; /* the frontend's counter slot (its `log` lines and format) */
	uint32_t ac, fc, bc, sc, rc, sq, bq; /* actconn feconn beconn srv_conn retries queues */
	char ts[4];  /* termination state: who and which phase, then the cookie's two characters */
	uint8_t flags; /* SL_ALOG_F_* */
	uint8_t nhrq, nhrs, nsmp; /* captured request and response headers, samples in txt */
	uint16_t rq_len, txt_len;
	char fe[SL_ALOG_NAME], be[SL_ALOG_NAME], srv[SL_ALOG_NAME];
	char sslv[16], sslc[48]; /* TLS version and cipher of the client connection, or "" */
	/* the request line (rq_len bytes), then the nhrq request headers captured, the nhrs
	 * response headers and the nsmp samples of %[...], each as a 16-bit length (host order,
	 * SL_ALOG_ABSENT: none) and its bytes */
	char txt[SL_ALOG_TXT];
};

#endif
