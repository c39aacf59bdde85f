/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Scripted segment tests (packetdrill style) against one stack with a capturing environment
 * and a virtual clock: inject a segment, expect the stack's answer. Handshake option
 * combinations, MSS clamping, malformed options, invalid flags, RFC 5961 RST / SYN handling
 * and challenge ACK rate limit, old duplicate SYN-ACK, zero window and probes, RTO back-off
 * and give-up, SYN cookies, delayed ACK, SACK blocks, half-close, PAWS, RST for no listener.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dataplane/tcp/seq.h"
#include "dataplane/tcp/stack.h"
#include "proto/bytes.h"
#include "tests/unit/dataplane/tcp/tcp_test_util.h"
#include "tests/unit/sl_test.h"

#define US 0x0a000002u /* the stack */
#define PEER 0x0a000001u
#define LPORT 80
#define PPORT 5000
#define PISS 1000000u /* the peer's ISS */

static struct tt_cap cap;
static struct sl_tcp_stack *st;
static uint8_t pkt[2048];

/* What the application saw. */
static struct sl_tcp_conn *conn;
static int n_accepted, n_connected, n_readable, n_writable, n_peer_closed, n_error, n_closed;
static int last_error;

static void on_readable(struct sl_tcp_conn *c, void *a) { (void)c; (void)a; n_readable++; }
static void on_writable(struct sl_tcp_conn *c, void *a) { (void)c; (void)a; n_writable++; }
static void on_connected(struct sl_tcp_conn *c, void *a) { (void)c; (void)a; n_connected++; }
static void on_peer_closed(struct sl_tcp_conn *c, void *a) { (void)c; (void)a; n_peer_closed++; }
static void on_error(struct sl_tcp_conn *c, void *a, int r)
{
	(void)c;
	(void)a;
	n_error++;
	last_error = r;
}
static void on_closed(struct sl_tcp_conn *c, void *a) { (void)c; (void)a; n_closed++; }
static int on_accepted(struct sl_tcp_conn *c, void *a)
{
	(void)a;
	n_accepted++;
	conn = c;
	return 0;
}

static const struct sl_tcp_cbs cbs = {on_accepted, on_connected, on_readable, on_writable,
				      on_peer_closed, on_error, on_closed};

static void setup(const struct sl_tcp_params *p)
{
	tt_cap_clear(&cap);
	sl_tcp_stack_destroy(st);
	cap.now = 5000000;
	cap.rng = 42;
	st = sl_tcp_stack_create(p, &tt_cap_ops, &cap);
	CU_ASSERT_FATAL(st != NULL);
	conn = NULL;
	n_accepted = n_connected = n_readable = n_writable = n_peer_closed = n_error = n_closed = 0;
	last_error = 0;
	CU_ASSERT_EQUAL(sl_tcp_listen(st, US, LPORT, 8, &cbs, NULL), 0);
}

static int inject_from(uint16_t pport, uint32_t seq, uint32_t ack, uint8_t flags, uint16_t win,
		       const uint8_t *opt, size_t optlen, const void *data, size_t dlen)
{
	size_t n = tt_build(pkt, PEER, US, pport, LPORT, seq, ack, flags, win, opt, optlen, data,
			    dlen);
	return sl_tcp_input(st, pkt, n);
}

static int inject(uint32_t seq, uint32_t ack, uint8_t flags, uint16_t win, const uint8_t *opt,
		  size_t optlen, const void *data, size_t dlen)
{
	return inject_from(PPORT, seq, ack, flags, win, opt, optlen, data, dlen);
}

/* Returns captured segment @i parsed (asserts it exists and is valid). */
static struct tt_seg seg(size_t i)
{
	struct tt_seg s;
	memset(&s, 0, sizeof(s));
	CU_ASSERT_FATAL(i < cap.n);
	CU_ASSERT_FATAL(tt_parse(cap.pkts[i], cap.lens[i], &s));
	return s;
}

/* Moves the clock by @us, running the timers every @step microseconds. */
static void advance_step(uint64_t us, uint64_t step)
{
	uint64_t end = cap.now + us;
	while (cap.now < end) {
		cap.now += step;
		if (cap.now > end)
			cap.now = end;
		sl_tcp_advance(st, cap.now);
	}
}

static void advance(uint64_t us)
{
	advance_step(us, 1000);
}

/* SYN options: MSS (0 = none), window scale (< 0 = none), SACK-permitted, timestamps. */
static size_t syn_opts(uint8_t *o, int mss, int ws, bool sack, uint32_t tsval)
{
	size_t n = 0;
	if (mss >= 0) {
		o[n++] = 2, o[n++] = 4;
		sl_put_be16(o + n, (uint16_t)mss);
		n += 2;
	}
	if (ws >= 0)
		o[n++] = 1, o[n++] = 3, o[n++] = 3, o[n++] = (uint8_t)ws;
	if (sack)
		o[n++] = 1, o[n++] = 1, o[n++] = 4, o[n++] = 2;
	if (tsval != 0) {
		o[n++] = 1, o[n++] = 1, o[n++] = 8, o[n++] = 10;
		sl_put_be32(o + n, tsval);
		sl_put_be32(o + n + 4, 0);
		n += 8;
	}
	return n;
}

static size_t ts_opt(uint8_t *o, uint32_t val, uint32_t ecr)
{
	o[0] = 1, o[1] = 1, o[2] = 8, o[3] = 10;
	sl_put_be32(o + 4, val);
	sl_put_be32(o + 8, ecr);
	return 12;
}

/* Passive open without options; returns the stack's ISS. The final ACK has window @win. */
static uint32_t open_plain(uint16_t win)
{
	uint8_t o[40];
	size_t ol = syn_opts(o, 1460, -1, false, 0);
	CU_ASSERT_EQUAL(inject(PISS, 0, SL_TCP_SYN, 8192, o, ol, NULL, 0), 0);
	CU_ASSERT_FATAL(cap.n == 1);
	struct tt_seg s = seg(0);
	uint32_t iss = s.seq;
	cap.now += 10000;
	CU_ASSERT_EQUAL(inject(PISS + 1, iss + 1, SL_TCP_ACK, win, NULL, 0, NULL, 0), 0);
	CU_ASSERT_EQUAL(n_accepted, 1);
	CU_ASSERT_FATAL(conn != NULL);
	CU_ASSERT_EQUAL(sl_tcp_state(conn), SL_TCP_ESTABLISHED);
	tt_cap_clear(&cap);
	return iss;
}

static void test_handshake_all_options(void)
{
	setup(NULL);
	uint8_t o[40];
	size_t ol = syn_opts(o, 1400, 7, true, 777);
	CU_ASSERT_EQUAL(inject(PISS, 0, SL_TCP_SYN, 65535, o, ol, NULL, 0), 0);
	CU_ASSERT_FATAL(cap.n == 1);
	struct tt_seg s = seg(0);
	CU_ASSERT_EQUAL(s.flags, SL_TCP_SYN | SL_TCP_ACK);
	CU_ASSERT_EQUAL(s.ack, PISS + 1);
	CU_ASSERT(s.o.has_mss && s.o.mss == 1460);
	CU_ASSERT(s.o.has_wscale && s.o.wscale == 1); /* 65536-byte ring needs a shift of 1 */
	CU_ASSERT(s.o.sack_ok);
	CU_ASSERT(s.o.has_ts && s.o.ts_ecr == 777);
	CU_ASSERT_EQUAL(s.win, 65535); /* never scaled in a SYN */
	uint32_t iss = s.seq;
	uint32_t our_ts = s.o.ts_val;
	tt_cap_clear(&cap);
	ol = ts_opt(o, 778, our_ts);
	CU_ASSERT_EQUAL(inject(PISS + 1, iss + 1, SL_TCP_ACK, 100, o, ol, NULL, 0), 0);
	CU_ASSERT_EQUAL(n_accepted, 1);
	CU_ASSERT_EQUAL(cap.n, 0);
	/* Peer window 100 << 7 = 12800: the app's 20000 bytes go out in 1388-byte segments
	 * (1400 minus 12 bytes of timestamps) up to the initial cwnd (3 x 1400). */
	static uint8_t data[20000];
	CU_ASSERT_EQUAL(sl_tcp_send(conn, data, sizeof(data)), 20000);
	CU_ASSERT_FATAL(cap.n >= 1);
	s = seg(0);
	CU_ASSERT_EQUAL(s.seq, iss + 1);
	CU_ASSERT_EQUAL(s.len, 1388);
	CU_ASSERT(s.o.has_ts && s.o.ts_ecr == 778);
	CU_ASSERT_EQUAL(s.win, 65536 >> 1);
	uint32_t total = 0;
	for (size_t i = 0; i < cap.n; i++)
		total += seg(i).len;
	CU_ASSERT(total <= 3 * 1400);
	CU_ASSERT(total >= 3 * 1388 - 1388);
}

static void test_handshake_no_options(void)
{
	setup(NULL);
	CU_ASSERT_EQUAL(inject(PISS, 0, SL_TCP_SYN, 8192, NULL, 0, NULL, 0), 0);
	struct tt_seg s = seg(0);
	CU_ASSERT(s.o.has_mss);
	CU_ASSERT(!s.o.has_ts && !s.o.sack_ok && !s.o.has_wscale);
	uint32_t iss = s.seq;
	tt_cap_clear(&cap);
	inject(PISS + 1, iss + 1, SL_TCP_ACK, 8192, NULL, 0, NULL, 0);
	CU_ASSERT_FATAL(conn != NULL);
	static uint8_t data[3000];
	sl_tcp_send(conn, data, sizeof(data));
	CU_ASSERT_FATAL(cap.n >= 1);
	CU_ASSERT_EQUAL(seg(0).len, 536); /* RFC 9293 3.7.1 default MSS */
	CU_ASSERT_EQUAL(seg(0).win, 65535); /* no scaling: capped */
}

static void test_mss_clamp(void)
{
	int in[] = {0, 1, 87, 100, 9000};
	uint32_t want[] = {88, 88, 88, 100, 1460};
	for (int i = 0; i < 5; i++) {
		setup(&(struct sl_tcp_params){.no_timestamps = true});
		uint8_t o[8];
		size_t ol = syn_opts(o, in[i], -1, false, 0);
		inject(PISS, 0, SL_TCP_SYN, 65535, o, ol, NULL, 0);
		uint32_t iss = seg(0).seq;
		tt_cap_clear(&cap);
		inject(PISS + 1, iss + 1, SL_TCP_ACK, 65535, NULL, 0, NULL, 0);
		CU_ASSERT_FATAL(conn != NULL);
		static uint8_t data[1000];
		sl_tcp_send(conn, data, sizeof(data));
		CU_ASSERT_FATAL(cap.n >= 1);
		CU_ASSERT_EQUAL(seg(0).len, want[i] < 1000 ? want[i] : 1000);
	}
}

static void test_bad_options(void)
{
	setup(NULL);
	struct sl_tcp_stats s0, s1;
	sl_tcp_stack_stats(st, &s0);
	uint8_t len0[4] = {2, 0, 0, 0};	  /* MSS with length 0 */
	uint8_t len1[4] = {1, 1, 8, 1};	  /* length 1 */
	uint8_t past[4] = {1, 1, 3, 8};	  /* runs past the header */
	uint8_t trunc[4] = {1, 1, 1, 2}; /* kind with no length byte left */
	CU_ASSERT_EQUAL(inject(PISS, 0, SL_TCP_SYN, 100, len0, 4, NULL, 0), -EINVAL);
	CU_ASSERT_EQUAL(inject(PISS, 0, SL_TCP_SYN, 100, len1, 4, NULL, 0), -EINVAL);
	CU_ASSERT_EQUAL(inject(PISS, 0, SL_TCP_SYN, 100, past, 4, NULL, 0), -EINVAL);
	CU_ASSERT_EQUAL(inject(PISS, 0, SL_TCP_SYN, 100, trunc, 4, NULL, 0), -EINVAL);
	CU_ASSERT_EQUAL(cap.n, 0);
	sl_tcp_stack_stats(st, &s1);
	CU_ASSERT_EQUAL(s1.drop_opts - s0.drop_opts, 4);
	CU_ASSERT_EQUAL(s1.conns_in_use, 0);
	/* A wrong checksum is dropped too. */
	size_t n = tt_build(pkt, PEER, US, PPORT, LPORT, PISS, 0, SL_TCP_SYN, 100, NULL, 0, NULL, 0);
	pkt[n - 1] ^= 1;
	CU_ASSERT_EQUAL(sl_tcp_input(st, pkt, n), -EBADMSG);
	CU_ASSERT_EQUAL(cap.n, 0);
}

static void test_bad_flags(void)
{
	setup(NULL);
	CU_ASSERT_EQUAL(inject(PISS, 0, SL_TCP_SYN | SL_TCP_FIN, 100, NULL, 0, NULL, 0), -EINVAL);
	CU_ASSERT_EQUAL(inject(PISS, 0, SL_TCP_SYN | SL_TCP_RST, 100, NULL, 0, NULL, 0), -EINVAL);
	CU_ASSERT_EQUAL(inject(PISS, 0, 0, 100, NULL, 0, NULL, 0), -EINVAL);
	CU_ASSERT_EQUAL(cap.n, 0);
	struct sl_tcp_stats s;
	sl_tcp_stack_stats(st, &s);
	CU_ASSERT_EQUAL(s.drop_flags, 3);
	CU_ASSERT_EQUAL(s.conns_in_use, 0);
}

static void test_no_listener_rst(void)
{
	setup(NULL);
	size_t n = tt_build(pkt, PEER, US, PPORT, 81, PISS, 0, SL_TCP_SYN, 100, NULL, 0, NULL, 0);
	CU_ASSERT_EQUAL(sl_tcp_input(st, pkt, n), -ENOENT);
	struct tt_seg s = seg(0);
	CU_ASSERT_EQUAL(s.flags, SL_TCP_RST | SL_TCP_ACK);
	CU_ASSERT_EQUAL(s.seq, 0);
	CU_ASSERT_EQUAL(s.ack, PISS + 1);
	tt_cap_clear(&cap);
	n = tt_build(pkt, PEER, US, PPORT, 81, PISS, 12345, SL_TCP_ACK, 100, NULL, 0, "x", 1);
	sl_tcp_input(st, pkt, n);
	s = seg(0);
	CU_ASSERT_EQUAL(s.flags, SL_TCP_RST);
	CU_ASSERT_EQUAL(s.seq, 12345);
	tt_cap_clear(&cap);
	n = tt_build(pkt, PEER, US, PPORT, 81, PISS, 0, SL_TCP_RST, 100, NULL, 0, NULL, 0);
	sl_tcp_input(st, pkt, n);
	CU_ASSERT_EQUAL(cap.n, 0); /* never a RST for a RST */
}

static void test_rst_exact_vs_window(void)
{
	setup(&(struct sl_tcp_params){.challenge_acks_per_s = 3});
	uint32_t iss = open_plain(8192);
	uint32_t rn = PISS + 1;
	/* In the window but not exact: challenge ACK, connection kept (RFC 5961 3.2). */
	inject(rn + 100, 0, SL_TCP_RST, 0, NULL, 0, NULL, 0);
	CU_ASSERT_EQUAL_FATAL(cap.n, 1);
	struct tt_seg s = seg(0);
	CU_ASSERT_EQUAL(s.flags, SL_TCP_ACK);
	CU_ASSERT_EQUAL(s.ack, rn);
	CU_ASSERT_EQUAL(s.seq, iss + 1);
	CU_ASSERT_EQUAL(sl_tcp_state(conn), SL_TCP_ESTABLISHED);
	/* Rate limit: 3 per second. */
	for (int i = 0; i < 5; i++)
		inject(rn + 200 + (uint32_t)i, 0, SL_TCP_RST, 0, NULL, 0, NULL, 0);
	CU_ASSERT_EQUAL(cap.n, 3);
	struct sl_tcp_stats st1;
	sl_tcp_stack_stats(st, &st1);
	CU_ASSERT_EQUAL(st1.challenge_acks, 3);
	CU_ASSERT_EQUAL(st1.challenge_acks_limited, 3);
	tt_cap_clear(&cap);
	/* Out of the window: silently dropped. */
	inject(rn + 1000000, 0, SL_TCP_RST, 0, NULL, 0, NULL, 0);
	inject(rn - 1, 0, SL_TCP_RST, 0, NULL, 0, NULL, 0);
	CU_ASSERT_EQUAL(cap.n, 0);
	CU_ASSERT_EQUAL(n_error, 0);
	/* Exact: reset. */
	inject(rn, 0, SL_TCP_RST, 0, NULL, 0, NULL, 0);
	CU_ASSERT_EQUAL(n_error, 1);
	CU_ASSERT_EQUAL(last_error, SL_TCP_ERR_RESET);
	CU_ASSERT_EQUAL(n_closed, 1);
	CU_ASSERT_EQUAL(sl_tcp_state(conn), SL_TCP_CLOSED);
	CU_ASSERT_EQUAL(sl_tcp_recv(conn, pkt, 10), -ENOTCONN);
	sl_tcp_close(conn);
	struct sl_tcp_stats s2;
	sl_tcp_stack_stats(st, &s2);
	CU_ASSERT_EQUAL(s2.conns_in_use, 0);
	CU_ASSERT_EQUAL(s2.timers_armed, 0);
}

static void test_syn_in_established_challenge(void)
{
	setup(NULL);
	uint32_t iss = open_plain(8192);
	inject(PISS + 5, 0, SL_TCP_SYN, 8192, NULL, 0, NULL, 0);
	CU_ASSERT_EQUAL_FATAL(cap.n, 1);
	struct tt_seg s = seg(0);
	CU_ASSERT_EQUAL(s.flags, SL_TCP_ACK);
	CU_ASSERT_EQUAL(s.ack, PISS + 1);
	CU_ASSERT_EQUAL(s.seq, iss + 1);
	CU_ASSERT_EQUAL(sl_tcp_state(conn), SL_TCP_ESTABLISHED);
	/* An ACK for data never sent: answered with an ACK, ignored (RFC 5961 5.2). */
	tt_cap_clear(&cap);
	inject(PISS + 1, iss + 5000, SL_TCP_ACK, 8192, NULL, 0, NULL, 0);
	CU_ASSERT_EQUAL(cap.n, 1);
	CU_ASSERT_EQUAL(sl_tcp_state(conn), SL_TCP_ESTABLISHED);
}

static void test_old_duplicate_syn(void)
{
	/* Passive: SYN-RECEIVED, then a RST at the expected sequence: back to LISTEN. */
	setup(NULL);
	inject(PISS, 0, SL_TCP_SYN, 8192, NULL, 0, NULL, 0);
	uint32_t iss = seg(0).seq;
	struct sl_tcp_stats s;
	sl_tcp_stack_stats(st, &s);
	CU_ASSERT_EQUAL(s.conns_in_use, 1);
	/* The same SYN again (retransmitted): the SYN-ACK is repeated. */
	tt_cap_clear(&cap);
	inject(PISS, 0, SL_TCP_SYN, 8192, NULL, 0, NULL, 0);
	CU_ASSERT_EQUAL_FATAL(cap.n, 1);
	CU_ASSERT_EQUAL(seg(0).flags, SL_TCP_SYN | SL_TCP_ACK);
	CU_ASSERT_EQUAL(seg(0).seq, iss);
	/* An ACK not for our SYN-ACK: reset <SEQ=SEG.ACK>. */
	tt_cap_clear(&cap);
	inject(PISS + 1, iss + 77, SL_TCP_ACK, 8192, NULL, 0, NULL, 0);
	CU_ASSERT_EQUAL_FATAL(cap.n, 1);
	CU_ASSERT_EQUAL(seg(0).flags, SL_TCP_RST);
	CU_ASSERT_EQUAL(seg(0).seq, iss + 77);
	inject(PISS + 1, 0, SL_TCP_RST, 0, NULL, 0, NULL, 0);
	sl_tcp_stack_stats(st, &s);
	CU_ASSERT_EQUAL(s.conns_in_use, 0);
	CU_ASSERT_EQUAL(s.timers_armed, 0);
	CU_ASSERT_EQUAL(n_accepted, 0);

	/* Active: a SYN-ACK acknowledging something else (an old duplicate) gets a RST and the
	 * connection stays in SYN-SENT; the right SYN-ACK completes it (RFC 9293 figure 8). */
	setup(NULL);
	int err;
	struct sl_tcp_conn *c =
		sl_tcp_connect(st, US, 40000, PEER, PPORT, &cbs, NULL, &err);
	CU_ASSERT_FATAL(c != NULL);
	struct tt_seg syn = seg(0);
	CU_ASSERT_EQUAL(syn.flags, SL_TCP_SYN);
	CU_ASSERT(syn.o.has_mss && syn.o.has_ts && syn.o.sack_ok && syn.o.has_wscale);
	tt_cap_clear(&cap);
	size_t n = tt_build(pkt, PEER, US, PPORT, 40000, 90000, syn.seq + 1000,
			    SL_TCP_SYN | SL_TCP_ACK, 8192, NULL, 0, NULL, 0);
	sl_tcp_input(st, pkt, n);
	CU_ASSERT_EQUAL_FATAL(cap.n, 1);
	CU_ASSERT_EQUAL(seg(0).flags, SL_TCP_RST);
	CU_ASSERT_EQUAL(seg(0).seq, syn.seq + 1000);
	CU_ASSERT_EQUAL(sl_tcp_state(c), SL_TCP_SYN_SENT);
	tt_cap_clear(&cap);
	n = tt_build(pkt, PEER, US, PPORT, 40000, 90000, syn.seq + 1, SL_TCP_SYN | SL_TCP_ACK, 8192,
		     NULL, 0, NULL, 0);
	sl_tcp_input(st, pkt, n);
	CU_ASSERT_EQUAL(sl_tcp_state(c), SL_TCP_ESTABLISHED);
	CU_ASSERT_EQUAL(n_connected, 1);
	CU_ASSERT_EQUAL_FATAL(cap.n, 1);
	CU_ASSERT_EQUAL(seg(0).flags, SL_TCP_ACK);
	CU_ASSERT_EQUAL(seg(0).ack, 90001);
	CU_ASSERT(!seg(0).o.has_ts); /* the peer did not offer timestamps */
	/* Connection refused: a RST|ACK answering the SYN. */
	setup(NULL);
	c = sl_tcp_connect(st, US, 40001, PEER, PPORT, &cbs, NULL, &err);
	syn = seg(0);
	n = tt_build(pkt, PEER, US, PPORT, 40001, 0, syn.seq + 1, SL_TCP_RST | SL_TCP_ACK, 0, NULL, 0,
		     NULL, 0);
	sl_tcp_input(st, pkt, n);
	CU_ASSERT_EQUAL(last_error, SL_TCP_ERR_REFUSED);
	CU_ASSERT_EQUAL(n_closed, 1);
	sl_tcp_close(c);
	sl_tcp_stack_stats(st, &s);
	CU_ASSERT_EQUAL(s.conns_in_use, 0);
}

static void test_zero_window_probe(void)
{
	setup(&(struct sl_tcp_params){.no_timestamps = true});
	uint32_t iss = open_plain(0);
	uint8_t data[100];
	for (int i = 0; i < 100; i++)
		data[i] = (uint8_t)i;
	CU_ASSERT_EQUAL(sl_tcp_send(conn, data, 100), 100);
	CU_ASSERT_EQUAL(cap.n, 0); /* window closed */
	/* RTO after the handshake sample (10 ms) is the 200 ms floor: first probe then. */
	advance(199000);
	CU_ASSERT_EQUAL(cap.n, 0);
	advance(1000);
	CU_ASSERT_EQUAL_FATAL(cap.n, 1);
	struct tt_seg s = seg(0);
	CU_ASSERT_EQUAL(s.seq, iss + 1);
	CU_ASSERT_EQUAL(s.len, 1);
	CU_ASSERT_EQUAL(s.data[0], 0);
	/* Still closed: the peer acknowledges nothing; the next probe comes after 400 ms. */
	inject(PISS + 1, iss + 1, SL_TCP_ACK, 0, NULL, 0, NULL, 0);
	tt_cap_clear(&cap);
	advance(399000);
	CU_ASSERT_EQUAL(cap.n, 0);
	advance(1000);
	CU_ASSERT_EQUAL_FATAL(cap.n, 1);
	CU_ASSERT_EQUAL(seg(0).seq, iss + 1);
	CU_ASSERT_EQUAL(seg(0).len, 1);
	/* Probing never gives up while the peer answers. */
	for (int i = 0; i < 20; i++) {
		inject(PISS + 1, iss + 1, SL_TCP_ACK, 0, NULL, 0, NULL, 0);
		advance_step(60000000, 100000);
	}
	CU_ASSERT_EQUAL(sl_tcp_state(conn), SL_TCP_ESTABLISHED);
	CU_ASSERT_EQUAL(n_error, 0);
	/* The window opens: everything from the first byte goes out. */
	tt_cap_clear(&cap);
	inject(PISS + 1, iss + 1, SL_TCP_ACK, 1000, NULL, 0, NULL, 0);
	CU_ASSERT_EQUAL_FATAL(cap.n, 1);
	s = seg(0);
	CU_ASSERT_EQUAL(s.seq, iss + 1);
	CU_ASSERT_EQUAL(s.len, 100);
	CU_ASSERT_EQUAL(memcmp(s.data, data, 100), 0);
	struct sl_tcp_stats stt;
	sl_tcp_stack_stats(st, &stt);
	CU_ASSERT(stt.zwp_sent >= 2);
}

/*
 * Answers to zero-window probes repeat the same ACK with the same (zero) window: by RFC 5681's
 * definition they look like duplicate ACKs. The third one must not start a fast retransmit
 * that sends never-sent bytes into the closed window (RFC 5681 3.1: a retransmission is
 * capped at what was sent, and at the peer's window): only one-byte probes go out until the
 * window opens.
 */
static void test_zero_window_dupacks(void)
{
	setup(&(struct sl_tcp_params){.no_timestamps = true});
	uint32_t iss = open_plain(0);
	uint8_t data[3000];
	memset(data, 'z', sizeof(data));
	CU_ASSERT_EQUAL(sl_tcp_send(conn, data, sizeof(data)), (ssize_t)sizeof(data));
	CU_ASSERT_EQUAL(cap.n, 0);
	uint32_t highest = iss + 1; /* one past the highest byte sent */
	for (int i = 0; i < 6; i++) {
		advance_step(60000000, 100000);
		for (size_t k = 0; k < cap.n; k++) {
			struct tt_seg s = seg(k);
			CU_ASSERT(s.len <= 1);
			if (s.len > 0 && SEQ_GT(s.seq + s.len, highest))
				highest = s.seq + s.len;
		}
		CU_ASSERT(SEQ_LEQ(highest, iss + 2)); /* never beyond the single probe byte */
		tt_cap_clear(&cap);
		inject(PISS + 1, iss + 1, SL_TCP_ACK, 0, NULL, 0, NULL, 0);
		for (size_t k = 0; k < cap.n; k++)
			CU_ASSERT(seg(k).len == 0); /* a probe's answer triggers no data */
		tt_cap_clear(&cap);
	}
	struct sl_tcp_stats stt;
	sl_tcp_stack_stats(st, &stt);
	CU_ASSERT_EQUAL(stt.fast_retransmits, 0);
	/* The window opens: the data goes out from the first byte. */
	inject(PISS + 1, iss + 1, SL_TCP_ACK, 8192, NULL, 0, NULL, 0);
	CU_ASSERT_FATAL(cap.n >= 1);
	CU_ASSERT_EQUAL(seg(0).seq, iss + 1);
	CU_ASSERT(seg(0).len > 1);
}

static void test_rto_backoff(void)
{
	setup(&(struct sl_tcp_params){.no_timestamps = true, .max_retries = 4});
	uint32_t iss = open_plain(8192);
	CU_ASSERT_EQUAL(sl_tcp_send(conn, "hello", 5), 5);
	CU_ASSERT_EQUAL(cap.n, 1);
	uint64_t t0 = cap.now;
	/* RFC 6298: RTO 200 ms (floor), then doubled each time (5.5). */
	uint64_t expect[4] = {200000, 600000, 1400000, 3000000};
	size_t seen = 1;
	for (int i = 0; i < 4; i++) {
		while (cap.n == seen && cap.now - t0 < 10000000)
			advance(1000);
		CU_ASSERT_EQUAL(cap.now - t0, expect[i]);
		struct tt_seg s = seg(seen);
		CU_ASSERT_EQUAL(s.seq, iss + 1);
		CU_ASSERT_EQUAL(s.len, 5);
		seen = cap.n;
	}
	/* The fifth expiry (after 1.6 s more) gives up: RST, error, closed. */
	while (cap.n == seen && cap.now - t0 < 10000000)
		advance(1000);
	CU_ASSERT_EQUAL(cap.now - t0, 6200000);
	CU_ASSERT_EQUAL(seg(seen).flags, SL_TCP_RST | SL_TCP_ACK);
	CU_ASSERT_EQUAL(last_error, SL_TCP_ERR_TIMEOUT);
	CU_ASSERT_EQUAL(n_closed, 1);
	sl_tcp_close(conn);
	struct sl_tcp_stats s;
	sl_tcp_stack_stats(st, &s);
	CU_ASSERT_EQUAL(s.conns_in_use, 0);
	CU_ASSERT_EQUAL(s.timers_armed, 0);
}

static void test_syn_backoff(void)
{
	setup(&(struct sl_tcp_params){.syn_retries = 2});
	int err;
	struct sl_tcp_conn *c = sl_tcp_connect(st, US, 40000, PEER, PPORT, &cbs, NULL, &err);
	CU_ASSERT_FATAL(c != NULL);
	uint64_t t0 = cap.now;
	advance(999000);
	CU_ASSERT_EQUAL(cap.n, 1);
	advance(1000); /* 1 s initial RTO (RFC 6298 2.1) */
	CU_ASSERT_EQUAL(cap.n, 2);
	advance(2000000);
	CU_ASSERT_EQUAL(cap.n, 3);
	CU_ASSERT_EQUAL(seg(2).flags, SL_TCP_SYN);
	advance(4000000);
	CU_ASSERT_EQUAL(last_error, SL_TCP_ERR_TIMEOUT);
	CU_ASSERT_EQUAL(cap.now - t0, 7000000);
	CU_ASSERT_EQUAL(cap.n, 3); /* no RST for a connection never synchronized */
	sl_tcp_close(c);
}

static void test_syn_cookies(void)
{
	setup(NULL);
	CU_ASSERT_EQUAL(sl_tcp_unlisten(st, US, LPORT), 0);
	CU_ASSERT_EQUAL(sl_tcp_listen(st, US, LPORT, 1, &cbs, NULL), 0);
	inject_from(5000, PISS, 0, SL_TCP_SYN, 8192, NULL, 0, NULL, 0);
	CU_ASSERT(seg(0).o.has_ts == false);
	uint8_t o[40];
	size_t ol = syn_opts(o, 1400, 7, true, 99);
	inject_from(5001, PISS, 0, SL_TCP_SYN, 8192, o, ol, NULL, 0);
	CU_ASSERT_EQUAL_FATAL(cap.n, 2);
	struct tt_seg ck = seg(1);
	CU_ASSERT_EQUAL(ck.flags, SL_TCP_SYN | SL_TCP_ACK);
	CU_ASSERT(ck.o.has_mss && ck.o.mss == 1360); /* largest table entry <= 1400 */
	CU_ASSERT(!ck.o.has_ts && !ck.o.has_wscale && !ck.o.sack_ok);
	struct sl_tcp_stats s;
	sl_tcp_stack_stats(st, &s);
	CU_ASSERT_EQUAL(s.syncookies_sent, 1);
	CU_ASSERT_EQUAL(s.conns_in_use, 1);
	/* A wrong cookie: RST. */
	tt_cap_clear(&cap);
	inject_from(5001, PISS + 1, ck.seq + 2, SL_TCP_ACK, 8192, NULL, 0, NULL, 0);
	CU_ASSERT_EQUAL_FATAL(cap.n, 1);
	CU_ASSERT_EQUAL(seg(0).flags, SL_TCP_RST);
	/* The right one, with data: established and accepted. */
	tt_cap_clear(&cap);
	inject_from(5001, PISS + 1, ck.seq + 1, SL_TCP_ACK, 8192, NULL, 0, "abc", 3);
	CU_ASSERT_EQUAL(n_accepted, 1);
	CU_ASSERT_FATAL(conn != NULL);
	CU_ASSERT_EQUAL(sl_tcp_state(conn), SL_TCP_ESTABLISHED);
	char buf[8];
	CU_ASSERT_EQUAL(sl_tcp_recv(conn, buf, sizeof(buf)), 3);
	CU_ASSERT_EQUAL(memcmp(buf, "abc", 3), 0);
	sl_tcp_stack_stats(st, &s);
	CU_ASSERT_EQUAL(s.syncookies_ok, 1);
	CU_ASSERT_EQUAL(s.syncookies_bad, 1);
	CU_ASSERT_EQUAL(s.conns_in_use, 2);
	/* The cookie expires after two 64 s periods. */
	tt_cap_clear(&cap);
	inject_from(5002, PISS, 0, SL_TCP_SYN, 8192, NULL, 0, NULL, 0);
	ck = seg(0);
	cap.now += 200000000;
	inject_from(5002, PISS + 1, ck.seq + 1, SL_TCP_ACK, 8192, NULL, 0, NULL, 0);
	CU_ASSERT_EQUAL(n_accepted, 1);
}

static void test_delayed_ack_and_sack(void)
{
	setup(NULL);
	uint8_t o[40];
	size_t ol = syn_opts(o, 1460, -1, true, 0);
	inject(PISS, 0, SL_TCP_SYN, 8192, o, ol, NULL, 0);
	uint32_t iss = seg(0).seq;
	inject(PISS + 1, iss + 1, SL_TCP_ACK, 8192, NULL, 0, NULL, 0);
	tt_cap_clear(&cap);
	uint32_t rn = PISS + 1;
	/* One segment: the ACK waits for the delayed-ACK timer (40 ms). */
	inject(rn, iss + 1, SL_TCP_ACK, 8192, NULL, 0, "0123456789", 10);
	CU_ASSERT_EQUAL(n_readable, 1);
	CU_ASSERT_EQUAL(cap.n, 0);
	advance(39000);
	CU_ASSERT_EQUAL(cap.n, 0);
	advance(1000);
	CU_ASSERT_EQUAL_FATAL(cap.n, 1);
	CU_ASSERT_EQUAL(seg(0).ack, rn + 10);
	/* Two segments: ACK at the second. */
	tt_cap_clear(&cap);
	inject(rn + 10, iss + 1, SL_TCP_ACK, 8192, NULL, 0, "0123456789", 10);
	CU_ASSERT_EQUAL(cap.n, 0);
	inject(rn + 20, iss + 1, SL_TCP_ACK, 8192, NULL, 0, "0123456789", 10);
	CU_ASSERT_EQUAL_FATAL(cap.n, 1);
	CU_ASSERT_EQUAL(seg(0).ack, rn + 30);
	/* Out of order: immediate duplicate ACK with SACK blocks, most recent first. */
	tt_cap_clear(&cap);
	inject(rn + 40, iss + 1, SL_TCP_ACK, 8192, NULL, 0, "abcdefghij", 10);
	inject(rn + 60, iss + 1, SL_TCP_ACK, 8192, NULL, 0, "ABCDEFGHIJ", 10);
	CU_ASSERT_EQUAL_FATAL(cap.n, 2);
	struct tt_seg s = seg(1);
	CU_ASSERT_EQUAL(s.ack, rn + 30);
	CU_ASSERT_EQUAL_FATAL(s.nsack, 2);
	CU_ASSERT_EQUAL(s.sack[0][0], rn + 60);
	CU_ASSERT_EQUAL(s.sack[0][1], rn + 70);
	CU_ASSERT_EQUAL(s.sack[1][0], rn + 40);
	CU_ASSERT_EQUAL(s.sack[1][1], rn + 50);
	/* Fill the first hole: ACK at once up to the second hole. */
	tt_cap_clear(&cap);
	inject(rn + 30, iss + 1, SL_TCP_ACK, 8192, NULL, 0, "klmnopqrst", 10);
	CU_ASSERT_EQUAL_FATAL(cap.n, 1);
	s = seg(0);
	CU_ASSERT_EQUAL(s.ack, rn + 50);
	CU_ASSERT_EQUAL(s.nsack, 1);
	tt_cap_clear(&cap);
	inject(rn + 50, iss + 1, SL_TCP_ACK, 8192, NULL, 0, "uvwxyz0123", 10);
	CU_ASSERT_EQUAL(seg(0).ack, rn + 70);
	CU_ASSERT_EQUAL(seg(0).nsack, 0);
	char buf[128];
	ssize_t n = sl_tcp_recv(conn, buf, sizeof(buf));
	CU_ASSERT_EQUAL(n, 70);
	CU_ASSERT_EQUAL(memcmp(buf + 30, "klmnopqrstabcdefghijuvwxyz0123ABCDEFGHIJ", 40), 0);
	CU_ASSERT_EQUAL(sl_tcp_recv(conn, buf, sizeof(buf)), -EAGAIN);
}

static void test_half_close(void)
{
	setup(NULL);
	uint32_t iss = open_plain(8192);
	uint32_t rn = PISS + 1;
	inject(rn, iss + 1, SL_TCP_ACK | SL_TCP_FIN, 8192, NULL, 0, "bye", 3);
	CU_ASSERT_EQUAL(n_peer_closed, 1);
	CU_ASSERT_EQUAL(sl_tcp_state(conn), SL_TCP_CLOSE_WAIT);
	CU_ASSERT_EQUAL_FATAL(cap.n, 1);
	CU_ASSERT_EQUAL(seg(0).ack, rn + 4);
	char buf[8];
	CU_ASSERT_EQUAL(sl_tcp_recv(conn, buf, sizeof(buf)), 3);
	CU_ASSERT_EQUAL(sl_tcp_recv(conn, buf, sizeof(buf)), 0); /* end of stream */
	/* We can still send. */
	tt_cap_clear(&cap);
	CU_ASSERT_EQUAL(sl_tcp_send(conn, "reply", 5), 5);
	CU_ASSERT_EQUAL(seg(0).len, 5);
	CU_ASSERT_EQUAL(sl_tcp_shutdown(conn), 0);
	CU_ASSERT_EQUAL(sl_tcp_state(conn), SL_TCP_LAST_ACK);
	CU_ASSERT_EQUAL_FATAL(cap.n, 2);
	CU_ASSERT_EQUAL(seg(1).flags & SL_TCP_FIN, SL_TCP_FIN);
	CU_ASSERT_EQUAL(seg(1).seq, iss + 6);
	CU_ASSERT_EQUAL(sl_tcp_send(conn, "x", 1), -EPIPE);
	inject(rn + 4, iss + 7, SL_TCP_ACK, 8192, NULL, 0, NULL, 0);
	CU_ASSERT_EQUAL(n_closed, 1);
	CU_ASSERT_EQUAL(sl_tcp_state(conn), SL_TCP_CLOSED);
	sl_tcp_close(conn);
	struct sl_tcp_stats s;
	sl_tcp_stack_stats(st, &s);
	CU_ASSERT_EQUAL(s.conns_in_use, 0);
	CU_ASSERT_EQUAL(s.timers_armed, 0);
}

static void test_active_close_time_wait(void)
{
	setup(&(struct sl_tcp_params){.time_wait_us = 1000000, .max_time_wait = 1});
	uint32_t iss = open_plain(8192);
	uint32_t rn = PISS + 1;
	sl_tcp_close(conn); /* orphan: FIN now */
	CU_ASSERT_EQUAL_FATAL(cap.n, 1);
	CU_ASSERT_EQUAL(seg(0).flags, SL_TCP_FIN | SL_TCP_ACK);
	inject(rn, iss + 2, SL_TCP_ACK, 8192, NULL, 0, NULL, 0); /* FIN-WAIT-2 */
	tt_cap_clear(&cap);
	inject(rn, iss + 2, SL_TCP_ACK | SL_TCP_FIN, 8192, NULL, 0, NULL, 0);
	CU_ASSERT_EQUAL_FATAL(cap.n, 1);
	CU_ASSERT_EQUAL(seg(0).ack, rn + 1);
	struct sl_tcp_stats s;
	sl_tcp_stack_stats(st, &s);
	CU_ASSERT_EQUAL(s.time_wait_in_use, 1);
	/* A retransmitted FIN is acknowledged again. */
	tt_cap_clear(&cap);
	inject(rn, iss + 2, SL_TCP_ACK | SL_TCP_FIN, 8192, NULL, 0, NULL, 0);
	CU_ASSERT_EQUAL(cap.n, 1);
	advance(1001000);
	sl_tcp_stack_stats(st, &s);
	CU_ASSERT_EQUAL(s.time_wait_in_use, 0);
	CU_ASSERT_EQUAL(s.conns_in_use, 0);
	CU_ASSERT_EQUAL(s.timers_armed, 0);
}

/*
 * New data after the application closed (a response with "Connection: close" and FIN, the
 * client still sending): RST, not a silent ACK (RFC 1122 4.2.2.13, RFC 2525 2.17), in
 * FIN-WAIT-1 and in FIN-WAIT-2. A retransmission of bytes already received is still
 * acknowledged; a half-closed connection (shutdown, not close) still reads.
 */
static void test_data_after_close_resets(void)
{
	for (int fw2 = 0; fw2 < 2; fw2++) {
		setup(NULL);
		uint32_t iss = open_plain(8192);
		uint32_t rn = PISS + 1;
		inject(rn, iss + 1, SL_TCP_ACK, 8192, NULL, 0, "GET", 3);
		rn += 3;
		sl_tcp_close(conn); /* unread data: RST already (RFC 2525 2.17) */
		struct sl_tcp_stats s;
		sl_tcp_stack_stats(st, &s);
		CU_ASSERT_EQUAL(s.conns_in_use, 0);
		setup(NULL);
		iss = open_plain(8192);
		rn = PISS + 1;
		sl_tcp_close(conn);
		CU_ASSERT_EQUAL_FATAL(cap.n, 1);
		CU_ASSERT_EQUAL(seg(0).flags, SL_TCP_FIN | SL_TCP_ACK);
		if (fw2)
			inject(rn, iss + 2, SL_TCP_ACK, 8192, NULL, 0, NULL, 0); /* FIN-WAIT-2 */
		tt_cap_clear(&cap);
		/* A duplicate of nothing new: acknowledged, the connection stays. */
		inject(rn, iss + 2, SL_TCP_ACK, 8192, NULL, 0, NULL, 0);
		sl_tcp_stack_stats(st, &s);
		CU_ASSERT_EQUAL(s.conns_in_use, 1);
		tt_cap_clear(&cap);
		inject(rn, iss + 2, SL_TCP_ACK, 8192, NULL, 0, "GET / HTTP/1.1\r\n", 16);
		CU_ASSERT_EQUAL_FATAL(cap.n, 1);
		struct tt_seg r = seg(0);
		CU_ASSERT(r.flags & SL_TCP_RST);
		CU_ASSERT_EQUAL(r.seq, iss + 2);
		sl_tcp_stack_stats(st, &s);
		CU_ASSERT_EQUAL(s.conns_in_use, 0);
		CU_ASSERT_EQUAL(s.rst_data_after_close, 1);
		CU_ASSERT_EQUAL(s.timers_armed, 0);
	}
	/* Half-close: the application shut its side down and still reads. */
	setup(NULL);
	uint32_t iss = open_plain(8192);
	sl_tcp_shutdown(conn);
	tt_cap_clear(&cap);
	inject(PISS + 1, iss + 2, SL_TCP_ACK, 8192, NULL, 0, "more", 4);
	CU_ASSERT_EQUAL(sl_tcp_readable(conn), 4);
	for (size_t k = 0; k < cap.n; k++)
		CU_ASSERT_EQUAL(seg(k).flags & SL_TCP_RST, 0);
	CU_ASSERT_EQUAL(sl_tcp_state(conn), SL_TCP_FIN_WAIT_2); /* our FIN acknowledged */
}

/*
 * Path MTU discovery (RFC 1191) with RFC 5927's checks: an ICMP "fragmentation needed" quoting
 * a sequence number in flight lowers the segment size and resends what was in flight in the
 * new size; one quoting a sequence number not in flight, or another connection, is ignored; a
 * tiny MTU stops at SL_TCP_PMTU_MIN; an MTU of 0 takes the next RFC 1191 plateau.
 */
static void test_pmtu(void)
{
	setup(&(struct sl_tcp_params){.no_timestamps = true});
	uint32_t iss = open_plain(65535);
	static uint8_t data[4000];
	memset(data, 'p', sizeof(data));
	CU_ASSERT_EQUAL(sl_tcp_send(conn, data, sizeof(data)), (ssize_t)sizeof(data));
	CU_ASSERT_FATAL(cap.n >= 2);
	CU_ASSERT_EQUAL(seg(0).len, 1460);
	tt_cap_clear(&cap);
	/* not in flight (beyond snd_max, before snd_una), another port: ignored */
	CU_ASSERT_EQUAL(sl_tcp_pmtu(st, US, LPORT, PEER, PPORT, iss + 1 + 4000, 1200), -1);
	CU_ASSERT_EQUAL(sl_tcp_pmtu(st, US, LPORT, PEER, PPORT, iss, 1200), -1);
	CU_ASSERT_EQUAL(sl_tcp_pmtu(st, US, LPORT, PEER, PPORT + 1, iss + 1, 1200), -1);
	CU_ASSERT_EQUAL(cap.n, 0);
	/* an MTU not under the current size changes nothing */
	CU_ASSERT_EQUAL(sl_tcp_pmtu(st, US, LPORT, PEER, PPORT, iss + 1, 1500), 0);
	/* 1200: everything in flight again, in segments of at most 1160 bytes, from the start */
	CU_ASSERT_EQUAL(sl_tcp_pmtu(st, US, LPORT, PEER, PPORT, iss + 1461, 1200), 1);
	CU_ASSERT_FATAL(cap.n >= 3);
	uint32_t next = iss + 1;
	for (size_t k = 0; k < cap.n; k++) {
		struct tt_seg g = seg(k);
		CU_ASSERT(g.len <= 1160);
		CU_ASSERT_EQUAL(g.seq, next);
		next = g.seq + g.len;
	}
	CU_ASSERT_EQUAL(next, iss + 1 + 4000);
	/* MTU 0: the plateau under 1200 (1006); then a tiny MTU stops at the floor */
	CU_ASSERT_EQUAL(sl_tcp_pmtu(st, US, LPORT, PEER, PPORT, iss + 1, 0), 1);
	tt_cap_clear(&cap);
	CU_ASSERT_EQUAL(sl_tcp_pmtu(st, US, LPORT, PEER, PPORT, iss + 1, 68), 1);
	CU_ASSERT_FATAL(cap.n >= 1);
	CU_ASSERT_EQUAL(seg(0).len, SL_TCP_PMTU_MIN - 40);
	CU_ASSERT_EQUAL(sl_tcp_pmtu(st, US, LPORT, PEER, PPORT, iss + 1, 68), 0);
	struct sl_tcp_stats s;
	sl_tcp_stack_stats(st, &s);
	CU_ASSERT_EQUAL(s.pmtu_lowered, 3);
	CU_ASSERT_EQUAL(s.icmp_ignored, 3);
	CU_ASSERT_EQUAL(s.fast_retransmits, 0);
	/* the data still arrives whole once acknowledged */
	tt_cap_clear(&cap);
	inject(PISS + 1, iss + 1 + 4000, SL_TCP_ACK, 65535, NULL, 0, NULL, 0);
	CU_ASSERT_EQUAL(sl_tcp_state(conn), SL_TCP_ESTABLISHED);
}

static void test_paws(void)
{
	setup(NULL);
	uint8_t o[40];
	size_t ol = syn_opts(o, 1460, -1, false, 1000);
	inject(PISS, 0, SL_TCP_SYN, 8192, o, ol, NULL, 0);
	struct tt_seg sa = seg(0);
	ol = ts_opt(o, 1001, sa.o.ts_val);
	inject(PISS + 1, sa.seq + 1, SL_TCP_ACK, 8192, o, ol, NULL, 0);
	CU_ASSERT_FATAL(conn != NULL);
	tt_cap_clear(&cap);
	/* An older TSval: dropped, ACK sent (RFC 7323 5.3). */
	ol = ts_opt(o, 900, sa.o.ts_val);
	inject(PISS + 1, sa.seq + 1, SL_TCP_ACK, 8192, o, ol, "old", 3);
	CU_ASSERT_EQUAL(sl_tcp_readable(conn), 0);
	CU_ASSERT_EQUAL(cap.n, 1);
	struct sl_tcp_stats s;
	sl_tcp_stack_stats(st, &s);
	CU_ASSERT_EQUAL(s.drop_paws, 1);
	/* A newer one passes and is echoed. */
	tt_cap_clear(&cap);
	ol = ts_opt(o, 1002, sa.o.ts_val);
	inject(PISS + 1, sa.seq + 1, SL_TCP_ACK | SL_TCP_PSH, 8192, o, ol, "new", 3);
	CU_ASSERT_EQUAL(sl_tcp_readable(conn), 3);
	advance(50000);
	CU_ASSERT_EQUAL_FATAL(cap.n, 1);
	CU_ASSERT_EQUAL(seg(0).o.ts_ecr, 1002);
}

static void test_close_with_unread_data_resets(void)
{
	setup(NULL);
	uint32_t iss = open_plain(8192);
	inject(PISS + 1, iss + 1, SL_TCP_ACK, 8192, NULL, 0, "unread", 6);
	tt_cap_clear(&cap);
	sl_tcp_close(conn);
	CU_ASSERT_EQUAL_FATAL(cap.n, 1);
	CU_ASSERT_EQUAL(seg(0).flags, SL_TCP_RST | SL_TCP_ACK);
	struct sl_tcp_stats s;
	sl_tcp_stack_stats(st, &s);
	CU_ASSERT_EQUAL(s.conns_in_use, 0);
	CU_ASSERT_EQUAL(s.timers_armed, 0);
}


/* Keepalive (RFC 9293 3.8.4): probes after the idle time, every interval, reset after the
 * last unanswered one; an answered probe keeps the connection. */
static void test_keepalive(void)
{
	setup(&(struct sl_tcp_params){.keepalive_idle_us = 10000000, .keepalive_intvl_us = 1000000,
				      .keepalive_probes = 3});
	uint32_t iss = open_plain(8192);
	sl_tcp_set_keepalive(conn, true);
	advance_step(9900000, 10000);
	CU_ASSERT_EQUAL(cap.n, 0); /* not idle long enough */
	advance_step(200000, 10000);
	CU_ASSERT_EQUAL_FATAL(cap.n, 1);
	struct tt_seg p = seg(0);
	CU_ASSERT_EQUAL(p.flags, SL_TCP_ACK);
	CU_ASSERT_EQUAL(p.seq, iss); /* SND.NXT - 1: the peer must answer */
	CU_ASSERT_EQUAL(p.len, 0);
	/* The peer answers: the connection lives, the next probe waits a whole idle time. */
	inject(PISS + 1, iss + 1, SL_TCP_ACK, 8192, NULL, 0, NULL, 0);
	tt_cap_clear(&cap);
	advance_step(9000000, 10000);
	CU_ASSERT_EQUAL(cap.n, 0);
	/* Now silence: 1 + 3 probes one second apart, then RST and a timeout error. */
	advance_step(1100000, 10000);
	CU_ASSERT_EQUAL(cap.n, 1);
	advance_step(2000000, 10000);
	CU_ASSERT_EQUAL(cap.n, 3);
	CU_ASSERT_EQUAL(n_error, 0);
	advance_step(1000000, 10000);
	CU_ASSERT_EQUAL_FATAL(cap.n, 4);
	CU_ASSERT_EQUAL(seg(3).flags, SL_TCP_RST | SL_TCP_ACK);
	CU_ASSERT_EQUAL(n_error, 1);
	CU_ASSERT_EQUAL(last_error, SL_TCP_ERR_TIMEOUT);
	struct sl_tcp_stats s;
	sl_tcp_stack_stats(st, &s);
	CU_ASSERT_EQUAL(s.keepalive_probes, 4);
	CU_ASSERT_EQUAL(s.keepalive_timeouts, 1);
	sl_tcp_close(conn);
	sl_tcp_stack_stats(st, &s);
	CU_ASSERT_EQUAL(s.conns_in_use, 0);
	CU_ASSERT_EQUAL(s.timers_armed, 0);
}

/* maxconn: beyond the cap a SYN gets RST at once (counted); a released connection frees a
 * place. */
static void test_maxconn_refusal(void)
{
	setup(NULL);
	CU_ASSERT_EQUAL(sl_tcp_listen_maxconn(st, US, LPORT, 2, true), 0);
	CU_ASSERT_EQUAL(sl_tcp_listen_maxconn(st, US, 81, 2, true), -ENOENT);
	struct sl_tcp_conn *held[2];
	for (int i = 0; i < 2; i++) {
		uint8_t o[40];
		size_t ol = syn_opts(o, 1460, -1, false, 0);
		tt_cap_clear(&cap);
		inject_from((uint16_t)(PPORT + i), PISS, 0, SL_TCP_SYN, 8192, o, ol, NULL, 0);
		CU_ASSERT_FATAL(cap.n == 1);
		uint32_t iss = seg(0).seq;
		inject_from((uint16_t)(PPORT + i), PISS + 1, iss + 1, SL_TCP_ACK, 8192, NULL, 0, NULL,
			    0);
		held[i] = conn;
	}
	CU_ASSERT_EQUAL(n_accepted, 2);
	tt_cap_clear(&cap);
	inject_from(PPORT + 2, PISS, 0, SL_TCP_SYN, 8192, NULL, 0, NULL, 0);
	CU_ASSERT_EQUAL_FATAL(cap.n, 1);
	struct tt_seg r = seg(0);
	CU_ASSERT_EQUAL(r.flags, SL_TCP_RST | SL_TCP_ACK);
	CU_ASSERT_EQUAL(r.ack, PISS + 1);
	struct sl_tcp_stats s;
	sl_tcp_stack_stats(st, &s);
	CU_ASSERT_EQUAL(s.refused_maxconn, 1);
	CU_ASSERT_EQUAL(s.conns_in_use, 2);
	/* The application lets one go: the next client is served. */
	sl_tcp_abort(held[0]);
	tt_cap_clear(&cap);
	inject_from(PPORT + 3, PISS, 0, SL_TCP_SYN, 8192, NULL, 0, NULL, 0);
	CU_ASSERT_EQUAL_FATAL(cap.n, 1);
	CU_ASSERT_EQUAL(seg(0).flags, SL_TCP_SYN | SL_TCP_ACK);
	inject_from(PPORT + 3, PISS + 1, seg(0).seq + 1, SL_TCP_ACK, 8192, NULL, 0, NULL, 0);
	CU_ASSERT_EQUAL(n_accepted, 3);
	/* Drop mode (HAProxy's queueing): the SYN is unanswered while full, served later. */
	CU_ASSERT_EQUAL(sl_tcp_listen_maxconn(st, US, LPORT, 2, false), 0);
	tt_cap_clear(&cap);
	inject_from(PPORT + 4, PISS, 0, SL_TCP_SYN, 8192, NULL, 0, NULL, 0);
	CU_ASSERT_EQUAL(cap.n, 0);
	sl_tcp_stack_stats(st, &s);
	CU_ASSERT_EQUAL(s.refused_maxconn, 2);
	sl_tcp_abort(held[1]);
	tt_cap_clear(&cap);
	inject_from(PPORT + 4, PISS, 0, SL_TCP_SYN, 8192, NULL, 0, NULL, 0); /* retransmitted */
	CU_ASSERT_EQUAL_FATAL(cap.n, 1);
	CU_ASSERT_EQUAL(seg(0).flags, SL_TCP_SYN | SL_TCP_ACK);
}

/* ---- SYN floods (issue 15): half-open connections never take the slots established ones need */

#define FLOOD_NET 0x0a420000u /* 10.66.0.0/16: spoofed sources that never answer */

/* Listens again on US:LPORT with @backlog, as the HTTP proxy does (1024). */
static void relisten(uint32_t backlog)
{
	CU_ASSERT_EQUAL(sl_tcp_unlisten(st, US, LPORT), 0);
	CU_ASSERT_EQUAL(sl_tcp_listen(st, US, LPORT, backlog, &cbs, NULL), 0);
}

/* Spoofed SYN number @i (its own source address and port). Returns the sequence number of the
 * SYN-ACK answering it. */
static uint32_t flood_syn(uint32_t i)
{
	size_t n0 = cap.n;
	size_t len = tt_build(pkt, FLOOD_NET + i, US, (uint16_t)(1024 + i % 60000), LPORT,
			      i * 2654435761u, 0, SL_TCP_SYN, 8192, NULL, 0, NULL, 0);
	CU_ASSERT_EQUAL(sl_tcp_input(st, pkt, len), 0);
	uint32_t iss = cap.n > n0 ? seg(n0).seq : 0; /* none at a listener at maxconn */
	if (cap.n > 128)
		tt_cap_clear(&cap);
	return iss;
}

/* The ACK a spoofed host would send for SYN number @i answered with @iss. */
static void flood_ack(uint32_t i, uint32_t iss)
{
	size_t len = tt_build(pkt, FLOOD_NET + i, US, (uint16_t)(1024 + i % 60000), LPORT,
			      i * 2654435761u + 1, iss + 1, SL_TCP_ACK, 8192, NULL, 0, NULL, 0);
	sl_tcp_input(st, pkt, len);
}

/*
 * Spoofed SYNs @first .. @first + @n - 1. After each one, the embryonic connections are within
 * the stack's share and every other connection is one of the @held established ones.
 */
static void flood(uint32_t first, uint32_t n, uint32_t held)
{
	struct sl_tcp_stats s;
	for (uint32_t i = first; i < first + n; i++) {
		flood_syn(i);
		sl_tcp_stack_stats(st, &s);
		if (s.syn_in_use > s.syn_max || s.conns_in_use > s.syn_max + held) {
			CU_FAIL("half-open connections beyond the share");
			break;
		}
	}
	tt_cap_clear(&cap);
}

/* A client at PEER:@pport sends a SYN with options; the answer must be a SYN cookie (options
 * other than MSS dropped: no state) when @cookie, else a stateful SYN-ACK. Returns its ISS. */
static uint32_t client_syn(uint16_t pport, bool cookie)
{
	uint8_t o[40];
	size_t ol = syn_opts(o, 1460, 7, true, 1000);
	tt_cap_clear(&cap);
	inject_from(pport, PISS, 0, SL_TCP_SYN, 8192, o, ol, NULL, 0);
	CU_ASSERT_FATAL(cap.n == 1);
	struct tt_seg sa = seg(0);
	CU_ASSERT_EQUAL(sa.flags, SL_TCP_SYN | SL_TCP_ACK);
	CU_ASSERT_EQUAL(sa.ack, PISS + 1);
	CU_ASSERT(sa.o.has_ts == !cookie && sa.o.has_wscale == !cookie);
	tt_cap_clear(&cap);
	return sa.seq;
}

/* The client's ACK of @iss carrying "hello" (a request). */
static void client_ack(uint16_t pport, uint32_t iss)
{
	inject_from(pport, PISS + 1, iss + 1, SL_TCP_ACK, 8192, NULL, 0, "hello", 5);
}

/* A client through a SYN cookie: established, accepted (conn), "hello" readable. */
static struct sl_tcp_conn *client_via_cookie(uint16_t pport)
{
	int before = n_accepted;
	client_ack(pport, client_syn(pport, true));
	CU_ASSERT_EQUAL_FATAL(n_accepted, before + 1);
	CU_ASSERT_EQUAL(sl_tcp_state(conn), SL_TCP_ESTABLISHED);
	char buf[8];
	CU_ASSERT_EQUAL(sl_tcp_recv(conn, buf, sizeof(buf)), 5);
	return conn;
}

/* True when a captured segment went to a spoofed address. */
static bool sent_to_flood(void)
{
	for (size_t i = 0; i < cap.n; i++)
		if ((seg(i).dst & 0xffff0000u) == FLOOD_NET)
			return true;
	return false;
}

/* 10 000 spoofed SYNs at a listener with a backlog larger than the pool: a quarter of the pool
 * holds their state, the rest are answered with cookies; a real client behind a cookie gets a
 * connection at once and data flows both ways while the flood goes on. */
static void test_synflood_cookie_connects(void)
{
	setup(&(struct sl_tcp_params){.max_conns = 64});
	relisten(1024);
	flood(0, 10000, 0);
	struct sl_tcp_stats s;
	sl_tcp_stack_stats(st, &s);
	CU_ASSERT_EQUAL(s.syn_max, 16);
	CU_ASSERT_EQUAL(s.syn_in_use, 16);
	CU_ASSERT_EQUAL(s.conns_in_use, 16);
	CU_ASSERT_EQUAL(s.syncookies_share, 10000 - 16);
	CU_ASSERT_EQUAL(s.syncookies_sent, 10000 - 16);
	struct sl_tcp_conn *c = client_via_cookie(PPORT);
	sl_tcp_stack_stats(st, &s);
	CU_ASSERT_EQUAL(s.syncookies_ok, 1);
	CU_ASSERT_EQUAL(s.conns_in_use, 17);
	flood(10000, 1000, 1);
	/* Both ways: our answer goes out, the client's next bytes come in. */
	tt_cap_clear(&cap);
	CU_ASSERT_EQUAL(sl_tcp_send(c, "world", 5), 5);
	CU_ASSERT_FATAL(cap.n >= 1);
	struct tt_seg out = seg(cap.n - 1);
	CU_ASSERT_EQUAL(out.len, 5);
	CU_ASSERT_EQUAL(memcmp(out.data, "world", 5), 0);
	CU_ASSERT_EQUAL(out.ack, PISS + 6);
	inject_from(PPORT, PISS + 6, out.seq + 5, SL_TCP_ACK, 8192, NULL, 0, "again", 5);
	char buf[8];
	CU_ASSERT_EQUAL(sl_tcp_recv(c, buf, sizeof(buf)), 5);
	CU_ASSERT_EQUAL(memcmp(buf, "again", 5), 0);
	sl_tcp_stack_stats(st, &s);
	CU_ASSERT_EQUAL(s.syn_in_use, 16);
	CU_ASSERT_EQUAL(s.syn_evicted, 0);
}

/* When the pool is empty a validated cookie evicts the oldest half-open connection (silently);
 * an ACK completing a stateful handshake still completes it; once every slot holds an
 * established connection a validated cookie is refused with RST and counted. */
static void test_synflood_full_pool(void)
{
	setup(&(struct sl_tcp_params){.max_conns = 64});
	relisten(1024);
	uint32_t iss0 = flood_syn(0), iss1 = flood_syn(1);
	CU_ASSERT_FATAL(cap.n == 2);
	flood(2, 9998, 0);
	static struct sl_tcp_conn *held[64];
	uint32_t nheld = 0;
	for (; nheld < 48; nheld++) /* the rest of the pool */
		held[nheld] = client_via_cookie((uint16_t)(PPORT + nheld));
	struct sl_tcp_stats s;
	sl_tcp_stack_stats(st, &s);
	CU_ASSERT_EQUAL(s.conns_in_use, 64);
	CU_ASSERT_EQUAL(s.syn_in_use, 16);
	CU_ASSERT_EQUAL(s.syn_evicted, 0);
	flood(10000, 1000, nheld);
	/* Pool empty: the oldest half-open connection (SYN 0) gives way, without a segment. */
	held[nheld] = client_via_cookie((uint16_t)(PPORT + nheld));
	nheld++;
	CU_ASSERT(!sent_to_flood());
	sl_tcp_stack_stats(st, &s);
	CU_ASSERT_EQUAL(s.syn_evicted, 1);
	CU_ASSERT_EQUAL(s.syn_in_use, 15);
	CU_ASSERT_EQUAL(s.conns_in_use, 64);
	/* SYN 0 has no state left (its ACK is no cookie); SYN 1's handshake completes. */
	tt_cap_clear(&cap);
	flood_ack(0, iss0);
	CU_ASSERT_EQUAL_FATAL(cap.n, 1);
	CU_ASSERT_EQUAL(seg(0).flags, SL_TCP_RST);
	flood_ack(1, iss1);
	CU_ASSERT_EQUAL(n_accepted, 50);
	held[nheld++] = conn;
	sl_tcp_stack_stats(st, &s);
	CU_ASSERT_EQUAL(s.syn_in_use, 14);
	CU_ASSERT_EQUAL(s.syncookies_bad, 1);
	for (; nheld < 64; nheld++) /* each evicts one more */
		held[nheld] = client_via_cookie((uint16_t)(PPORT + nheld));
	sl_tcp_stack_stats(st, &s);
	CU_ASSERT_EQUAL(s.syn_evicted, 15);
	CU_ASSERT_EQUAL(s.syn_in_use, 0);
	CU_ASSERT_EQUAL(s.conns_in_use, 64);
	/* Only established connections: SYNs get cookies (no slot for state), and a validated
	 * cookie is refused as a full host would: RST, counted. */
	flood(11000, 100, 64);
	uint32_t iss = client_syn(PPORT + 100, true);
	client_ack(PPORT + 100, iss);
	CU_ASSERT_EQUAL(n_accepted, 64);
	CU_ASSERT_EQUAL_FATAL(cap.n, 1);
	CU_ASSERT_EQUAL(seg(0).flags, SL_TCP_RST);
	CU_ASSERT_EQUAL(seg(0).seq, iss + 1);
	sl_tcp_stack_stats(st, &s);
	CU_ASSERT_EQUAL(s.refused_full, 1);
	CU_ASSERT_EQUAL(s.syncookies_ok, 64); /* validated, then refused */
	/* An established connection goes: the next client takes its slot (with state: the
	 * share has room again). */
	sl_tcp_abort(held[0]);
	client_ack(PPORT + 101, client_syn(PPORT + 101, false));
	CU_ASSERT_EQUAL(n_accepted, 65);
}

/* A listener's maxconn counts its accepted connections: a flood's half-open ones do not fill
 * it, clients up to maxconn get in, the next is refused (drop mode: unanswered). */
static void test_synflood_maxconn(void)
{
	setup(NULL);
	relisten(1024);
	CU_ASSERT_EQUAL(sl_tcp_listen_maxconn(st, US, LPORT, 8, false), 0);
	flood(0, 10000, 0);
	struct sl_tcp_stats s;
	sl_tcp_stack_stats(st, &s);
	CU_ASSERT_EQUAL(s.syn_in_use, 256); /* a quarter of 1024 */
	CU_ASSERT_EQUAL(s.refused_maxconn, 0);
	uint32_t iss[9];
	for (int i = 0; i < 9; i++) /* nine SYNs while nothing is accepted: nine cookies */
		iss[i] = client_syn((uint16_t)(PPORT + i), true);
	for (int i = 0; i < 8; i++)
		client_ack((uint16_t)(PPORT + i), iss[i]);
	CU_ASSERT_EQUAL(n_accepted, 8);
	struct sl_tcp_conn *first = conn;
	tt_cap_clear(&cap);
	client_ack(PPORT + 8, iss[8]); /* full: refused, unanswered */
	CU_ASSERT_EQUAL(n_accepted, 8);
	CU_ASSERT_EQUAL(cap.n, 0);
	inject_from(PPORT + 9, PISS, 0, SL_TCP_SYN, 8192, NULL, 0, NULL, 0);
	CU_ASSERT_EQUAL(cap.n, 0);
	sl_tcp_stack_stats(st, &s);
	CU_ASSERT_EQUAL(s.refused_maxconn, 2);
	flood(10000, 100, 8);
	/* A place frees: the ninth client's retransmission gets in. */
	sl_tcp_abort(first);
	client_ack(PPORT + 8, iss[8]);
	CU_ASSERT_EQUAL(n_accepted, 9);
}

/* A stateful handshake completing while its listener is at maxconn is refused like a full
 * accept queue: RST in rst mode; in drop mode the ACK is ignored and a later one completes. */
static void test_maxconn_completion(void)
{
	setup(NULL);
	CU_ASSERT_EQUAL(sl_tcp_listen_maxconn(st, US, LPORT, 1, true), 0);
	uint32_t a = client_syn(PPORT, false), b = client_syn(PPORT + 1, false);
	client_ack(PPORT, a);
	CU_ASSERT_EQUAL(n_accepted, 1);
	struct sl_tcp_conn *ca = conn;
	tt_cap_clear(&cap);
	client_ack(PPORT + 1, b);
	CU_ASSERT_EQUAL(n_accepted, 1);
	CU_ASSERT_EQUAL_FATAL(cap.n, 1);
	CU_ASSERT_EQUAL(seg(0).flags, SL_TCP_RST);
	CU_ASSERT_EQUAL(seg(0).seq, b + 1);
	struct sl_tcp_stats s;
	sl_tcp_stack_stats(st, &s);
	CU_ASSERT_EQUAL(s.refused_maxconn, 1);
	CU_ASSERT_EQUAL(s.conns_in_use, 1);
	CU_ASSERT_EQUAL(s.syn_in_use, 0);
	/* Drop mode: the ACK is ignored, the half-open connection stays for a later one. */
	CU_ASSERT_EQUAL(sl_tcp_listen_maxconn(st, US, LPORT, 1, false), 0);
	sl_tcp_abort(ca);
	uint32_t d = client_syn(PPORT + 2, false), e = client_syn(PPORT + 3, false);
	client_ack(PPORT + 2, d);
	CU_ASSERT_EQUAL(n_accepted, 2);
	struct sl_tcp_conn *cd = conn;
	tt_cap_clear(&cap);
	client_ack(PPORT + 3, e);
	CU_ASSERT_EQUAL(n_accepted, 2);
	CU_ASSERT_EQUAL(cap.n, 0);
	sl_tcp_stack_stats(st, &s);
	CU_ASSERT_EQUAL(s.refused_maxconn, 2);
	CU_ASSERT_EQUAL(s.syn_in_use, 1);
	sl_tcp_abort(cd);
	client_ack(PPORT + 3, e);
	CU_ASSERT_EQUAL(n_accepted, 3);
	char buf[8];
	CU_ASSERT_EQUAL(sl_tcp_recv(conn, buf, sizeof(buf)), 5);
}

/* A maxconn shared with other stacks (sl_tcp_listen_share): this stack counts its accepted
 * connections in its row, the listener is full when every row's column adds up to maxconn;
 * another stack's count, changed under it, opens or closes the listener; back to its own count,
 * the connections leave the row. */
static void test_maxconn_shared(void)
{
	setup(NULL);
	uint32_t rows[3 * 16] = {0};
	CU_ASSERT_EQUAL(sl_tcp_listen_maxconn(st, US, LPORT, 0, true), 0); /* RST at the cap */
	CU_ASSERT_EQUAL(sl_tcp_listen_share(st, US, 81, 3, rows, 16, 3, 1, 5), -ENOENT);
	CU_ASSERT_EQUAL(sl_tcp_listen_share(st, US, LPORT, 3, rows, 16, 3, 1, 5), 0);
	rows[2 * 16 + 5] = 2; /* the third stack holds two */
	client_ack(PPORT, client_syn(PPORT, false));
	CU_ASSERT_EQUAL(n_accepted, 1);
	CU_ASSERT_EQUAL(rows[16 + 5], 1);
	struct sl_tcp_conn *a = conn;
	/* 1 + 2 = 3: the next SYN is refused here, though this stack holds one */
	uint8_t o[40];
	size_t ol = syn_opts(o, 1460, -1, false, 0);
	tt_cap_clear(&cap);
	inject_from(PPORT + 1, PISS, 0, SL_TCP_SYN, 8192, o, ol, NULL, 0);
	CU_ASSERT_EQUAL_FATAL(cap.n, 1);
	CU_ASSERT(seg(0).flags & SL_TCP_RST);
	struct sl_tcp_stats s;
	sl_tcp_stack_stats(st, &s);
	CU_ASSERT_EQUAL(s.refused_maxconn, 1);
	/* the third stack lets one go: a place */
	rows[2 * 16 + 5] = 1;
	client_ack(PPORT + 2, client_syn(PPORT + 2, false));
	CU_ASSERT_EQUAL(n_accepted, 2);
	CU_ASSERT_EQUAL(rows[16 + 5], 2);
	sl_tcp_abort(a);
	CU_ASSERT_EQUAL(rows[16 + 5], 1);
	/* its own count again (maxconn 3 of its own): its connection leaves the row */
	CU_ASSERT_EQUAL(sl_tcp_listen_share(st, US, LPORT, 3, NULL, 0, 0, 0, 0), 0);
	CU_ASSERT_EQUAL(rows[16 + 5], 0);
	client_ack(PPORT + 3, client_syn(PPORT + 3, false));
	client_ack(PPORT + 4, client_syn(PPORT + 4, false));
	CU_ASSERT_EQUAL(n_accepted, 4);
	CU_ASSERT_EQUAL(rows[16 + 5], 0);
	/* shared again: its three move into the row, which is full by itself */
	CU_ASSERT_EQUAL(sl_tcp_listen_share(st, US, LPORT, 3, rows, 16, 3, 1, 5), 0);
	CU_ASSERT_EQUAL(rows[16 + 5], 3);
}

/* Half-open connections that are never acknowledged free their slot after the SYN-ACK
 * retransmissions: 1 + 2 + 4 + 8 + 16 + 32 s with the default 5 retries and 1 s RTO. */
static void test_syn_rcvd_timeout_frees(void)
{
	setup(&(struct sl_tcp_params){.max_conns = 64});
	relisten(1024);
	flood(0, 100, 0);
	struct sl_tcp_stats s;
	advance(62900000);
	sl_tcp_stack_stats(st, &s);
	CU_ASSERT_EQUAL(s.syn_in_use, 16);
	CU_ASSERT_EQUAL(s.retransmits, 16 * 5);
	advance(200000);
	sl_tcp_stack_stats(st, &s);
	CU_ASSERT_EQUAL(s.syn_in_use, 0);
	CU_ASSERT_EQUAL(s.conns_in_use, 0);
	CU_ASSERT_EQUAL(s.timers_armed, 0);
	CU_ASSERT_EQUAL(s.rst_out, 0);
	uint64_t share = s.syncookies_share;
	flood(100, 16, 0); /* room again: state, no cookie */
	sl_tcp_stack_stats(st, &s);
	CU_ASSERT_EQUAL(s.syncookies_share, share);
	CU_ASSERT_EQUAL(s.syn_in_use, 16);
}

/* RFC 6191: a SYN with a newer timestamp ends TIME-WAIT and opens a new connection; one with
 * an old timestamp only gets the TIME-WAIT ACK. */
static void test_time_wait_reuse(void)
{
	setup(&(struct sl_tcp_params){.time_wait_us = 60000000});
	uint8_t o[40];
	size_t ol = syn_opts(o, 1460, -1, false, 1000);
	inject(PISS, 0, SL_TCP_SYN, 8192, o, ol, NULL, 0);
	struct tt_seg sa = seg(0);
	uint32_t iss = sa.seq;
	ol = ts_opt(o, 1001, sa.o.ts_val);
	inject(PISS + 1, iss + 1, SL_TCP_ACK, 8192, o, ol, NULL, 0);
	CU_ASSERT_FATAL(conn != NULL);
	tt_cap_clear(&cap);
	sl_tcp_close(conn); /* our FIN */
	ol = ts_opt(o, 1002, sa.o.ts_val);
	inject(PISS + 1, iss + 2, SL_TCP_ACK | SL_TCP_FIN, 8192, o, ol, NULL, 0);
	struct sl_tcp_stats s;
	sl_tcp_stack_stats(st, &s);
	CU_ASSERT_EQUAL_FATAL(s.time_wait_in_use, 1);
	/* Old timestamp: an old duplicate, TIME-WAIT stays. */
	tt_cap_clear(&cap);
	ol = syn_opts(o, 1460, -1, false, 900);
	inject(PISS + 5000, 0, SL_TCP_SYN, 8192, o, ol, NULL, 0);
	sl_tcp_stack_stats(st, &s);
	CU_ASSERT_EQUAL(s.time_wait_in_use, 1);
	CU_ASSERT_EQUAL(s.time_wait_reused, 0);
	CU_ASSERT(cap.n <= 1 && (cap.n == 0 || !(seg(0).flags & SL_TCP_SYN)));
	/* Newer timestamp: a new incarnation, answered with a SYN-ACK. */
	tt_cap_clear(&cap);
	ol = syn_opts(o, 1460, -1, false, 5000);
	inject(PISS + 5000, 0, SL_TCP_SYN, 8192, o, ol, NULL, 0);
	CU_ASSERT_EQUAL_FATAL(cap.n, 1);
	CU_ASSERT_EQUAL(seg(0).flags, SL_TCP_SYN | SL_TCP_ACK);
	CU_ASSERT_EQUAL(seg(0).ack, PISS + 5001);
	sl_tcp_stack_stats(st, &s);
	CU_ASSERT_EQUAL(s.time_wait_reused, 1);
	CU_ASSERT_EQUAL(s.time_wait_in_use, 0);
}

/* Active opens with local port 0 take distinct ports of the configured range; a full range
 * is refused with -EADDRINUSE and counted. */
static void test_local_port_range(void)
{
	setup(&(struct sl_tcp_params){.lport_min = 40000, .lport_max = 40007});
	bool seen[8] = {false};
	for (int i = 0; i < 8; i++) {
		int err = 1;
		struct sl_tcp_conn *c = sl_tcp_connect(st, US, 0, PEER, 443, &cbs, NULL, &err);
		CU_ASSERT_FATAL(c != NULL);
		CU_ASSERT_EQUAL(err, 0);
		uint16_t lp = 0;
		sl_tcp_endpoints(c, NULL, &lp, NULL, NULL);
		CU_ASSERT_FATAL(lp >= 40000 && lp <= 40007);
		CU_ASSERT(!seen[lp - 40000]);
		seen[lp - 40000] = true;
	}
	int err = 0;
	CU_ASSERT_PTR_NULL(sl_tcp_connect(st, US, 0, PEER, 443, &cbs, NULL, &err));
	CU_ASSERT_EQUAL(err, -EADDRINUSE);
	/* Another destination has the whole range again. */
	CU_ASSERT_PTR_NOT_NULL(sl_tcp_connect(st, US, 0, PEER, 8443, &cbs, NULL, &err));
	struct sl_tcp_stats s;
	sl_tcp_stack_stats(st, &s);
	CU_ASSERT_EQUAL(s.connect_no_port, 1);
}

/* Received data as chains: sl_tcp_recv_bufs() hands it over whole, the window reopens, and
 * sl_tcp_send_bufs() sends that chain's bytes; the pool comes back to empty. */
static void test_zero_copy_api(void)
{
	setup(NULL);
	uint32_t iss = open_plain(8192);
	/* Idle: the control block and a hash slot, no buffer (goal: under 1 KiB). */
	struct sl_tcp_stats s0;
	sl_tcp_stack_stats(st, &s0);
	CU_ASSERT_EQUAL(s0.chunks_in_use + s0.ext_in_use, 0);
	CU_ASSERT(sl_tcp_conn_size() + 2 * sizeof(void *) < 1024);
	char a[1000], b[700];
	memset(a, 'a', sizeof(a));
	memset(b, 'b', sizeof(b));
	inject(PISS + 1, iss + 1, SL_TCP_ACK, 8192, NULL, 0, a, sizeof(a));
	inject(PISS + 1 + 1000, iss + 1, SL_TCP_ACK, 8192, NULL, 0, b, sizeof(b));
	CU_ASSERT_EQUAL(sl_tcp_readable(conn), 1700);
	size_t n = 0;
	struct sl_tcp_buf *chain = sl_tcp_recv_bufs(conn, &n);
	CU_ASSERT_EQUAL(n, 1700);
	size_t total = 0;
	for (struct sl_tcp_buf *p = chain; p != NULL; p = p->next) {
		for (uint32_t i = 0; i < p->len; i++)
			CU_ASSERT_EQUAL_FATAL(p->data[i], total + i < 1000 ? 'a' : 'b');
		total += p->len;
	}
	CU_ASSERT_EQUAL(total, 1700);
	CU_ASSERT_EQUAL(sl_tcp_readable(conn), 0);
	CU_ASSERT_PTR_NULL(sl_tcp_recv_bufs(conn, &n));
	tt_cap_clear(&cap);
	CU_ASSERT_EQUAL(sl_tcp_send_bufs(conn, chain), 1700);
	CU_ASSERT_FATAL(cap.n >= 1);
	uint32_t sent = 0;
	for (size_t i = 0; i < cap.n; i++) {
		struct tt_seg g = seg(i);
		for (uint32_t k = 0; k < g.len; k++)
			CU_ASSERT_EQUAL_FATAL(g.data[k], sent + k < 1000 ? 'a' : 'b');
		sent += g.len;
	}
	CU_ASSERT_EQUAL(sent, 1700);
	struct sl_tcp_stats s;
	sl_tcp_stack_stats(st, &s);
	CU_ASSERT(s.chunks_in_use > 0);
	inject(PISS + 1701, iss + 1 + 1700, SL_TCP_ACK, 8192, NULL, 0, NULL, 0);
	sl_tcp_stack_stats(st, &s);
	CU_ASSERT_EQUAL(s.chunks_in_use, 0); /* acknowledged: released */
	/* A chain given to a closed-for-writing connection is released, not leaked. */
	inject(PISS + 1701, iss + 1 + 1700, SL_TCP_ACK, 8192, NULL, 0, a, 10);
	chain = sl_tcp_recv_bufs(conn, NULL);
	sl_tcp_shutdown(conn);
	CU_ASSERT_EQUAL(sl_tcp_send_bufs(conn, chain), -EPIPE);
	sl_tcp_stack_stats(st, &s);
	CU_ASSERT_EQUAL(s.chunks_in_use, 0);
}

/* The pool is shared and bounded: when it is empty a segment is dropped (counted, the peer
 * resends), sends accept what fits, and everything works again once chunks return. Out of
 * order pieces per connection are bounded too. */
static void test_pool_exhaustion_and_ooo_bound(void)
{
	setup(&(struct sl_tcp_params){.chunks = 4, .chunk_size = 1024, .ooo_bufs = 2,
				      .rcvbuf = 16384});
	uint32_t iss = open_plain(8192);
	char d[1000];
	memset(d, 'x', sizeof(d));
	/* Three out-of-order pieces: the third is beyond the per-connection bound. */
	inject(PISS + 1 + 2000, iss + 1, SL_TCP_ACK, 8192, NULL, 0, d, 100);
	inject(PISS + 1 + 4000, iss + 1, SL_TCP_ACK, 8192, NULL, 0, d, 100);
	inject(PISS + 1 + 6000, iss + 1, SL_TCP_ACK, 8192, NULL, 0, d, 100);
	struct sl_tcp_stats s;
	sl_tcp_stack_stats(st, &s);
	CU_ASSERT_EQUAL(s.ooo_dropped, 1);
	CU_ASSERT_EQUAL(s.chunks_in_use, 2);
	/* In order: two chunks left, 1000 bytes each fill them; a third segment finds none. */
	inject(PISS + 1, iss + 1, SL_TCP_ACK, 8192, NULL, 0, d, 1000);
	inject(PISS + 1001, iss + 1, SL_TCP_ACK, 8192, NULL, 0, d, 1000);
	inject(PISS + 2001 + 100, iss + 1, SL_TCP_ACK, 8192, NULL, 0, d, 1000);
	sl_tcp_stack_stats(st, &s);
	CU_ASSERT(s.drop_nobuf >= 1);
	CU_ASSERT_EQUAL(s.chunks_in_use, 4);
	/* Sending with an empty pool accepts nothing; reading frees chunks. */
	CU_ASSERT_EQUAL(sl_tcp_send(conn, d, 10), 0);
	char out[4096];
	ssize_t got = sl_tcp_recv(conn, out, sizeof(out));
	CU_ASSERT(got >= 2000);
	sl_tcp_stack_stats(st, &s);
	CU_ASSERT(s.chunks_in_use < 4);
	CU_ASSERT_EQUAL(sl_tcp_send(conn, d, 10), 10);
}


/* Simultaneous open (RFC 9293 figure 7): our SYN and the peer's cross, both sides answer with
 * SYN-ACK, both reach ESTABLISHED. */
static void test_simultaneous_open(void)
{
	setup(NULL);
	int err = 0;
	struct sl_tcp_conn *a = sl_tcp_connect(st, US, 6000, PEER, PPORT, &cbs, NULL, &err);
	CU_ASSERT_FATAL(a != NULL && cap.n == 1);
	struct tt_seg syn = seg(0);
	CU_ASSERT_EQUAL(syn.flags, SL_TCP_SYN);
	uint32_t iss = syn.seq;
	tt_cap_clear(&cap);
	uint8_t o[40];
	size_t ol = syn_opts(o, 1460, -1, false, 0);
	size_t n = tt_build(pkt, PEER, US, PPORT, 6000, PISS, 0, SL_TCP_SYN, 8192, o, ol, NULL, 0);
	CU_ASSERT_EQUAL(sl_tcp_input(st, pkt, n), 0);
	CU_ASSERT_EQUAL(sl_tcp_state(a), SL_TCP_SYN_RCVD);
	CU_ASSERT_EQUAL_FATAL(cap.n, 1);
	struct tt_seg sa = seg(0);
	CU_ASSERT_EQUAL(sa.flags, SL_TCP_SYN | SL_TCP_ACK);
	CU_ASSERT_EQUAL(sa.seq, iss);
	CU_ASSERT_EQUAL(sa.ack, PISS + 1);
	n = tt_build(pkt, PEER, US, PPORT, 6000, PISS, iss + 1, SL_TCP_SYN | SL_TCP_ACK, 8192, o, ol,
		     NULL, 0);
	sl_tcp_input(st, pkt, n);
	CU_ASSERT_EQUAL(sl_tcp_state(a), SL_TCP_ESTABLISHED);
	CU_ASSERT_EQUAL(n_connected, 1);
	CU_ASSERT_EQUAL(n_accepted, 0);
	/* Data both ways afterwards. */
	tt_cap_clear(&cap);
	CU_ASSERT_EQUAL(sl_tcp_send(a, "hi", 2), 2);
	CU_ASSERT_EQUAL_FATAL(cap.n, 1);
	CU_ASSERT_EQUAL(seg(0).seq, iss + 1);
	n = tt_build(pkt, PEER, US, PPORT, 6000, PISS + 1, iss + 3, SL_TCP_ACK, 8192, NULL, 0, "yo", 2);
	sl_tcp_input(st, pkt, n);
	CU_ASSERT_EQUAL(sl_tcp_readable(a), 2);
}

/* Simultaneous close: FINs cross; CLOSING, then TIME-WAIT once ours is acknowledged. */
static void test_simultaneous_close(void)
{
	setup(&(struct sl_tcp_params){.time_wait_us = 1000000});
	uint32_t iss = open_plain(8192);
	sl_tcp_shutdown(conn);
	CU_ASSERT_EQUAL_FATAL(cap.n, 1);
	CU_ASSERT_EQUAL(seg(0).flags, SL_TCP_FIN | SL_TCP_ACK);
	CU_ASSERT_EQUAL(sl_tcp_state(conn), SL_TCP_FIN_WAIT_1);
	tt_cap_clear(&cap);
	inject(PISS + 1, iss + 1, SL_TCP_ACK | SL_TCP_FIN, 8192, NULL, 0, NULL, 0); /* theirs */
	CU_ASSERT_EQUAL(sl_tcp_state(conn), SL_TCP_CLOSING);
	CU_ASSERT_EQUAL_FATAL(cap.n, 1);
	CU_ASSERT_EQUAL(seg(0).ack, PISS + 2);
	CU_ASSERT_EQUAL(n_peer_closed, 1);
	inject(PISS + 2, iss + 2, SL_TCP_ACK, 8192, NULL, 0, NULL, 0); /* ours acknowledged */
	CU_ASSERT_EQUAL(sl_tcp_state(conn), SL_TCP_TIME_WAIT);
	CU_ASSERT_EQUAL(n_closed, 1);
	sl_tcp_close(conn);
	advance(1001000);
	struct sl_tcp_stats s;
	sl_tcp_stack_stats(st, &s);
	CU_ASSERT_EQUAL(s.conns_in_use, 0);
	CU_ASSERT_EQUAL(s.timers_armed, 0);
}

static const struct sl_test_case cases[] = {
	{"handshake_all_options", test_handshake_all_options},
	{"handshake_no_options", test_handshake_no_options},
	{"mss_clamp", test_mss_clamp},
	{"bad_options", test_bad_options},
	{"bad_flags_syn_fin", test_bad_flags},
	{"no_listener_rst", test_no_listener_rst},
	{"rst_exact_vs_window", test_rst_exact_vs_window},
	{"syn_in_established", test_syn_in_established_challenge},
	{"old_duplicate_syn", test_old_duplicate_syn},
	{"zero_window_probe", test_zero_window_probe},
	{"zero_window_dupacks", test_zero_window_dupacks},
	{"rto_backoff", test_rto_backoff},
	{"syn_backoff", test_syn_backoff},
	{"syn_cookies", test_syn_cookies},
	{"delayed_ack_and_sack", test_delayed_ack_and_sack},
	{"half_close", test_half_close},
	{"active_close_time_wait", test_active_close_time_wait},
	{"data_after_close_resets", test_data_after_close_resets},
	{"pmtu", test_pmtu},
	{"paws", test_paws},
	{"close_unread_resets", test_close_with_unread_data_resets},
	{"simultaneous_open", test_simultaneous_open},
	{"simultaneous_close", test_simultaneous_close},
	{"keepalive", test_keepalive},
	{"maxconn_refusal", test_maxconn_refusal},
	{"synflood_cookie_connects", test_synflood_cookie_connects},
	{"synflood_full_pool", test_synflood_full_pool},
	{"synflood_maxconn", test_synflood_maxconn},
	{"maxconn_completion", test_maxconn_completion},
	{"maxconn_shared", test_maxconn_shared},
	{"syn_rcvd_timeout_frees", test_syn_rcvd_timeout_frees},
	{"time_wait_reuse", test_time_wait_reuse},
	{"local_port_range", test_local_port_range},
	{"zero_copy_api", test_zero_copy_api},
	{"pool_exhaustion_and_ooo_bound", test_pool_exhaustion_and_ooo_bound},
	{NULL, NULL}};
static const struct sl_test_suite suites[] = {{"tcp_script", cases}, {NULL, NULL}};

int main(void)
{
	int r = sl_test_run(suites);
	tt_cap_clear(&cap);
	sl_tcp_stack_destroy(st);
	return r;
}
