/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Messages between lcores: the one channel besides an lcore's own counters and the published
 * generation. Each lcore has one command ring (lc->cmdring: main writes, that lcore reads at
 * its tick); the main lcore has one inbox (dp->inbox: any lcore writes, main reads in its
 * hook). A message is 64 bytes, copied into the ring; a pointer it carries passes ownership of
 * what it points to as its op says, so that no two lcores ever use one object at once.
 *
 * On the receiving lcore the loop hands each command to every role that registered for its op
 * (dataplane/core/lcore.h, struct sl_role): "reset server S" reaches the L4 engine and the HTTP
 * engine without either knowing of the other.
 */
#ifndef SL_MSG_H
#define SL_MSG_H

#include <stdint.h>

struct sl_dp;
struct sl_lcore;

enum sl_msg_op {
	SL_MSG_NONE = 0,
	/* main -> an lcore (its command ring) */
	SL_MSG_RESET_SERVER, /* a = server slot: end its L4 flows and HTTP sessions */
	SL_MSG_PROBE,	     /* u: an L4 probe to send (dataplane/l4/probe.h) */
	SL_MSG_HCHECK,	     /* u: an HTTP check to run (dataplane/tcphost/httpchk.h) */
	SL_MSG_PAGE_ANSWER,  /* a = page connection slot, b = its tag, ptr = struct sl_outbuf *
			      * (the lcore owns it, gives it back with SL_MSG_FREE_OUTBUF) */
	SL_MSG_QUERY,	     /* ptr = struct sl_query * (the lcore fills it, then sets done) */
	SL_MSG_CERTS,	     /* ptr = the new TLS contexts of the ssl binds (dataplane/http) */
	/* an lcore -> main (the inbox) */
	SL_MSG_PROBE_RES,    /* u: a probe's result */
	SL_MSG_HCHECK_RES,   /* u: an HTTP check's result */
	SL_MSG_PAGE_REQ,     /* u: a stats page request to answer; ptr = its bytes (main reads
			      * them until it answers with SL_MSG_PAGE_ANSWER) */
	SL_MSG_FREE_OUTBUF,  /* ptr = a struct sl_outbuf * main gave away: main frees it */
	SL_MSG_FREE,	     /* ptr = a block main allocated with malloc and gave away: freed */
	SL_MSG_MAX
};

#define SL_MSG_BIT(op) (1u << (op))

struct sl_msg {
	uint16_t op;	/* enum sl_msg_op */
	uint16_t from;	/* the sending lcore */
	uint32_t a;
	uint64_t b;
	void *ptr;
	union {
		uint8_t raw[40];
		uint64_t align;
	} u;
};

/*
 * A question from main to an lcore that only the lcore can answer from its live state (its HTTP
 * sessions, its kept errors): main prepares the buffer (@buf, @size: the lcore never allocates),
 * sends SL_MSG_QUERY, and waits for @done. The lcore writes at most @size - 1 bytes and a NUL,
 * sets @len, then @done with release semantics; from then on main owns the buffer again.
 */
struct sl_query {
	uint16_t what;	 /* SL_QUERY_* */
	uint32_t max;	 /* entries wanted */
	char *buf;
	uint32_t size;
	uint32_t len;
	uint32_t count;	 /* entries written */
	uint32_t done;
};

#define SL_QUERY_HTTP_SESS   1 /* `show sess`: the lcore's HTTP sessions, one line each */
#define SL_QUERY_HTTP_ERRORS 2 /* `show errors`: the requests the lcore refused as malformed */

/* Main: sends @m to lcore @lcore's command ring. Returns 0, -ENOBUFS (ring full), -ENODEV (no
 * such lcore). */
int sl_msg_send(struct sl_dp *dp, unsigned lcore, const struct sl_msg *m);

/* Any lcore: sends @m to main's inbox (m->from is set). Returns 0 or -ENOBUFS (full: the sender
 * counts it; whatever @m->ptr owned stays the sender's). */
int sl_msg_to_main(struct sl_lcore *lc, struct sl_msg *m);

/* An lcore: the next command of its ring. Returns 1 with *@m filled, 0 when empty. */
int sl_msg_recv(struct sl_lcore *lc, struct sl_msg *m);

/* Main: the next message of the inbox. Returns 1 with *@m filled, 0 when empty. */
int sl_msg_main_recv(struct sl_dp *dp, struct sl_msg *m);

#endif
