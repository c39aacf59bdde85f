/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Two TCP stacks joined by a simulated wire (tcp_test_util.c) on a virtual clock, with a seeded
 * PRNG deciding loss, duplication and reordering (delay jitter): several connections carry
 * megabytes both ways at once, byte-exact, at 0 %, 1 %, 5 % and 20 % loss; then they close
 * (half-close both ways, TIME-WAIT), and every pool must be back to its start level. The wire
 * hands packets over with sl_tcp_input_ext() (the stack keeps large payloads without a copy;
 * every kept packet must come back) or, in one run, with the copying sl_tcp_input(). The echo
 * runs relay with sl_tcp_recv_bufs() -> sl_tcp_send_bufs(): the payload the server stack
 * received is what it sends back, no byte copied by the application. The flood runs add a
 * spoofed SYN flood at the server's listener all along (issue 15): the clients still connect,
 * through SYN cookies, and the half-open connections stay within their share of the pool.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dataplane/tcp/stack.h"
#include "tests/unit/dataplane/tcp/tcp_test_util.h"
#include "tests/unit/sl_test.h"

#define A_ADDR 0x0a000001u
#define B_ADDR 0x0a000002u
#define PORT   8080

/* One end of a test connection. */
struct ep {
	struct sl_tcp_conn *c;
	int dir;	    /* 0: client end, 1: server end (selects the byte pattern) */
	uint32_t id;	    /* connection number */
	uint64_t tx_total, tx_done, rx_total, rx_done;
	bool shut, peer_fin, closed, released, err, connected;
	bool mismatch;
};

#define MAXC 8
static struct ep cli[MAXC], srv[MAXC];
static int nconn, naccepted;
static uint64_t per_dir_bytes;
static bool echo_mode;

static uint8_t pattern(int dir, uint32_t id, uint64_t i)
{
	uint64_t x = (i + 1) * 0x9e3779b97f4a7c15ULL ^ ((uint64_t)id << 40) ^ ((uint64_t)dir << 56);
	x ^= x >> 29;
	return (uint8_t)(x ^ (x >> 17));
}

static void pump(struct ep *e)
{
	uint8_t buf[8192];
	while (e->c != NULL && !e->released && e->tx_done < e->tx_total) {
		size_t n = e->tx_total - e->tx_done < sizeof(buf) ? e->tx_total - e->tx_done : sizeof(buf);
		for (size_t i = 0; i < n; i++)
			buf[i] = pattern(e->dir, e->id, e->tx_done + i);
		ssize_t r = sl_tcp_send(e->c, buf, n);
		if (r <= 0)
			break;
		e->tx_done += (uint64_t)r;
	}
	if (e->c != NULL && !e->released && e->tx_done == e->tx_total && !e->shut) {
		e->shut = true;
		sl_tcp_shutdown(e->c);
	}
}

static void drain(struct ep *e)
{
	uint8_t buf[8192];
	for (;;) {
		ssize_t r = sl_tcp_recv(e->c, buf, sizeof(buf));
		if (r <= 0)
			break;
		int from = echo_mode ? e->dir : 1 - e->dir; /* an echo returns our own bytes */
		for (ssize_t i = 0; i < r; i++)
			if (buf[i] != pattern(from, e->id, e->rx_done + (uint64_t)i))
				e->mismatch = true;
		e->rx_done += (uint64_t)r;
	}
}

static void maybe_release(struct ep *e)
{
	if (e->closed && !e->released) {
		drain(e);
		e->released = true;
		sl_tcp_close(e->c);
	}
}

static void on_connected(struct sl_tcp_conn *c, void *arg)
{
	struct ep *e = arg;
	(void)c;
	e->connected = true;
	pump(e);
}

static void on_readable(struct sl_tcp_conn *c, void *arg)
{
	(void)c;
	drain(arg);
}

static void on_writable(struct sl_tcp_conn *c, void *arg)
{
	(void)c;
	pump(arg);
}

static void on_peer_closed(struct sl_tcp_conn *c, void *arg)
{
	struct ep *e = arg;
	(void)c;
	drain(e);
	e->peer_fin = true;
}

static void on_error(struct sl_tcp_conn *c, void *arg, int reason)
{
	struct ep *e = arg;
	(void)c;
	fprintf(stderr, "conn %u dir %d error %d\n", e->id, e->dir, reason);
	e->err = true;
}

static void on_closed(struct sl_tcp_conn *c, void *arg)
{
	struct ep *e = arg;
	(void)c;
	e->closed = true;
	maybe_release(e);
}

static const struct sl_tcp_cbs conn_cbs = {
	.connected = on_connected,
	.readable = on_readable,
	.writable = on_writable,
	.peer_closed = on_peer_closed,
	.error = on_error,
	.closed = on_closed,
};

/* Echo server end: moves received chains to the send queue while there is send space. */
static void relay(struct ep *e)
{
	while (!e->released) {
		if (sl_tcp_readable(e->c) == 0)
			break;
		if (sl_tcp_writable(e->c) == 0) {
			sl_tcp_want_writable(e->c);
			return;
		}
		size_t n = 0;
		struct sl_tcp_buf *b = sl_tcp_recv_bufs(e->c, &n);
		if (b == NULL)
			break;
		e->rx_done += n;
		if (sl_tcp_send_bufs(e->c, b) != (ssize_t)n)
			e->mismatch = true;
	}
	if (e->peer_fin && sl_tcp_readable(e->c) == 0 && !e->shut) {
		e->shut = true;
		sl_tcp_shutdown(e->c);
	}
}

static void echo_readable(struct sl_tcp_conn *c, void *arg)
{
	(void)c;
	relay(arg);
}

static void echo_peer_closed(struct sl_tcp_conn *c, void *arg)
{
	struct ep *e = arg;
	(void)c;
	e->peer_fin = true;
	relay(e);
}

static void echo_closed(struct sl_tcp_conn *c, void *arg)
{
	struct ep *e = arg;
	(void)c;
	e->closed = true;
	if (!e->released) {
		e->released = true;
		sl_tcp_close(e->c);
	}
}

static const struct sl_tcp_cbs echo_cbs = {
	.readable = echo_readable,
	.writable = echo_readable,
	.peer_closed = echo_peer_closed,
	.error = on_error,
	.closed = echo_closed,
};

static int on_accepted(struct sl_tcp_conn *c, void *arg)
{
	(void)arg;
	if (naccepted >= nconn)
		return -1;
	struct ep *e = &srv[naccepted++];
	memset(e, 0, sizeof(*e));
	e->c = c;
	e->dir = 1;
	e->tx_total = e->rx_total = per_dir_bytes;
	e->connected = true;
	if (echo_mode) {
		e->tx_total = 0;
		sl_tcp_set_cbs(c, &echo_cbs, e);
		return 0;
	}
	sl_tcp_set_cbs(c, &conn_cbs, e);
	pump(e);
	return 0;
}

static const struct sl_tcp_cbs listen_cbs = {.accepted = on_accepted};

struct run_stats {
	uint64_t virt_us, lost, sent;
	struct sl_tcp_stats a, b;
};

/* How run_link() hands packets over and what the server does. */
enum { RUN_EXT = 0, RUN_COPY = 1, RUN_ECHO = 2, RUN_CUBIC = 4, RUN_FLOOD = 8, RUN_TIGHT = 16 };
static int run_mode;

#define FLOOD_NET    0x0a420000u /* 10.66.0.0/16: spoofed sources, nobody answers */
#define FLOOD_MIN    10000	 /* SYNs of a flood run, at least */
#define FLOOD_PER_MS 8		 /* SYNs per millisecond of virtual time */
#define FLOOD_LEAD   2000	 /* SYNs before the clients connect */

/*
 * Sends spoofed SYN number @i to the server stack (its own source address and port; the
 * SYN-ACK goes nowhere) and checks that the half-open connections stay within the share.
 * Returns false when they do not.
 */
static bool flood_syn(struct tt_net *net, uint32_t i)
{
	uint8_t pkt[64];
	size_t len = tt_build(pkt, FLOOD_NET + i, B_ADDR, (uint16_t)(1024 + i % 60000), PORT,
			      i * 2654435761u, 0, SL_TCP_SYN, 8192, NULL, 0, NULL, 0);
	sl_tcp_input(net->st[1], pkt, len);
	struct sl_tcp_stats s;
	sl_tcp_stack_stats(net->st[1], &s);
	/* Beyond the half-open ones, the server holds the clients' connections (and their
	 * TIME-WAIT) only. */
	return s.syn_in_use <= s.syn_max && s.conns_in_use <= s.syn_max + (uint32_t)nconn;
}

/*
 * Runs @n connections carrying @bytes each way over a wire with @loss and @dup probabilities;
 * returns through @rs. The server end identifies a connection by its client port.
 */
static void run_link(uint64_t seed, double loss, double dup, uint32_t jitter, int n,
		     uint64_t bytes, struct run_stats *rs)
{
	struct tt_net net;
	const char *base = getenv("SL_TCP_LINK_SEED"); /* other seeds, for soak runs */
	if (base != NULL)
		seed += strtoull(base, NULL, 0) * 1000;
	tt_net_init(&net, seed, A_ADDR, B_ADDR);
	net.loss = loss;
	net.dup = dup;
	net.delay_us = 2000;
	net.jitter_us = jitter; /* reordering */
	net.copy_in = run_mode & RUN_COPY;
	echo_mode = run_mode & RUN_ECHO;
	bool fl = run_mode & RUN_FLOOD;
	/* A flood run keeps the default SYN retries: its half-open connections go within 64 s. */
	struct sl_tcp_params p = {.max_conns = 64, .sndbuf = 128 * 1024, .rcvbuf = 96 * 1024,
				  .max_retries = 30, .syn_retries = fl ? 0 : 30, .time_wait_us = 2000000,
				  .rto_max_us = 8000000,
				  .cc = (run_mode & RUN_CUBIC) ? SL_TCP_CC_CUBIC : SL_TCP_CC_NEWRENO};
	if (run_mode & RUN_TIGHT) { /* a pool the clients and a large share overfill */
		p.max_conns = 16;
		p.syn_max = 12;
	}
	net.st[0] = sl_tcp_stack_create(&p, &tt_net_ops, &net.env[0]);
	net.st[1] = sl_tcp_stack_create(&p, &tt_net_ops, &net.env[1]);
	CU_ASSERT_FATAL(net.st[0] != NULL && net.st[1] != NULL);
	struct sl_tcp_stats s0a, s0b;
	sl_tcp_stack_stats(net.st[0], &s0a);
	sl_tcp_stack_stats(net.st[1], &s0b);
	/* The flood meets the HTTP proxy's backlog, larger than the pool. */
	CU_ASSERT_EQUAL(sl_tcp_listen(net.st[1], B_ADDR, PORT, fl ? 1024 : 16, &listen_cbs, NULL),
			0);

	nconn = n;
	naccepted = 0;
	per_dir_bytes = bytes;
	memset(cli, 0, sizeof(cli));
	memset(srv, 0, sizeof(srv));
	uint32_t flooded = 0;
	bool bounded = true;
	while (fl && flooded < FLOOD_LEAD) {
		for (int k = 0; k < FLOOD_PER_MS; k++)
			bounded &= flood_syn(&net, flooded++);
		tt_net_step(&net);
	}
	for (int i = 0; i < n; i++) {
		struct ep *e = &cli[i];
		e->dir = 0;
		e->id = (uint32_t)i;
		e->tx_total = e->rx_total = bytes;
		int err = 0;
		e->c = sl_tcp_connect(net.st[0], A_ADDR, (uint16_t)(40000 + i), B_ADDR, PORT, &conn_cbs,
				      e, &err);
		CU_ASSERT_FATAL(e->c != NULL);
	}
	uint64_t start = net.now, limit = net.now + 3600ull * 1000000; /* one virtual hour */
	if (fl) /* before the flood's half-open connections time out (63 s) */
		limit = net.now + 30ull * 1000000;
	for (;;) {
		uint64_t tick = net.now / 1000;
		tt_net_step(&net);
		for (int k = 0; fl && tick != net.now / 1000 && k < FLOOD_PER_MS; k++)
			bounded &= flood_syn(&net, flooded++);
		/* Server ends learn their id from the client port once accepted. */
		for (int i = 0; i < naccepted; i++)
			srv[i].id = 0;
		bool done = naccepted == n;
		for (int i = 0; i < n && done; i++)
			done = cli[i].released && srv[i].released;
		if ((done && flooded >= (fl ? FLOOD_MIN : 0)) || net.now > limit)
			break;
	}
	CU_ASSERT(net.now <= limit);
	CU_ASSERT(bounded);
	struct sl_tcp_stats fs;
	sl_tcp_stack_stats(net.st[1], &fs);
	/* Let TIME-WAIT expire (and a flood's half-open connections). */
	uint64_t tw_end = net.now + (fl ? 64000000 : 3000000);
	while (net.now < tw_end)
		tt_net_step(&net);
	rs->virt_us = net.now - start;
	rs->lost = net.lost;
	rs->sent = net.sent;
	sl_tcp_stack_stats(net.st[0], &rs->a);
	sl_tcp_stack_stats(net.st[1], &rs->b);
	for (int i = 0; i < n; i++) {
		CU_ASSERT(!cli[i].err);
		CU_ASSERT(!srv[i].err);
		CU_ASSERT(!cli[i].mismatch);
		CU_ASSERT(!srv[i].mismatch);
		CU_ASSERT_EQUAL(cli[i].rx_done, bytes);
		CU_ASSERT_EQUAL(srv[i].rx_done, bytes);
		CU_ASSERT(cli[i].released && srv[i].released);
	}
	/* Every pool back to its start level. */
	CU_ASSERT_EQUAL(rs->a.conns_in_use, s0a.conns_in_use);
	CU_ASSERT_EQUAL(rs->b.conns_in_use, s0b.conns_in_use);
	CU_ASSERT_EQUAL(rs->a.conns_in_use, 0);
	CU_ASSERT_EQUAL(rs->a.time_wait_in_use, 0);
	CU_ASSERT_EQUAL(rs->b.time_wait_in_use, 0);
	CU_ASSERT_EQUAL(rs->a.timers_armed, 0);
	CU_ASSERT_EQUAL(rs->b.timers_armed, 0);
	CU_ASSERT_EQUAL(rs->a.conns_opened, rs->a.conns_closed);
	CU_ASSERT_EQUAL(rs->b.conns_opened, rs->b.conns_closed);
	CU_ASSERT_EQUAL(rs->a.chunks_in_use, 0);
	CU_ASSERT_EQUAL(rs->b.chunks_in_use, 0);
	CU_ASSERT_EQUAL(rs->a.ext_in_use, 0);
	CU_ASSERT_EQUAL(rs->b.ext_in_use, 0);
	CU_ASSERT_EQUAL(net.ext_held, 0); /* every kept packet was given back */
	if (!(run_mode & RUN_COPY) && bytes >= 65536)
		CU_ASSERT(rs->a.ext_kept > 0 && rs->b.ext_kept > 0);
	fprintf(stderr,
		"\n  loss %.0f%%: %d conns x %llu B each way, virtual %.1f s, wire %llu sent %llu lost;"
		" rexmit A %llu B %llu, rto A %llu B %llu, fast A %llu B %llu;"
		" kept %llu pkts, copied %llu B\n",
		loss * 100, n, (unsigned long long)bytes, rs->virt_us / 1e6,
		(unsigned long long)rs->sent, (unsigned long long)rs->lost,
		(unsigned long long)rs->a.retransmits, (unsigned long long)rs->b.retransmits,
		(unsigned long long)rs->a.rto_fires, (unsigned long long)rs->b.rto_fires,
		(unsigned long long)rs->a.fast_retransmits, (unsigned long long)rs->b.fast_retransmits,
		(unsigned long long)(rs->a.ext_kept + rs->b.ext_kept),
		(unsigned long long)(rs->a.bytes_copied_in + rs->b.bytes_copied_in));
	if (fl) {
		/* The clients came in through cookies, beside a full share of half-open ones. */
		CU_ASSERT_EQUAL(fs.syn_in_use, fs.syn_max);
		CU_ASSERT(fs.syncookies_share > 0);
		CU_ASSERT(fs.syncookies_ok >= (uint64_t)n);
		CU_ASSERT_EQUAL(rs->b.syn_in_use, 0);
		CU_ASSERT((fs.syn_evicted > 0) == ((run_mode & RUN_TIGHT) != 0));
		fprintf(stderr,
			"  flood: %u SYNs, half-open %u/%u, cookies %llu (share %llu),"
			" validated %llu, evicted %llu, %llu packets to spoofed sources\n",
			flooded, fs.syn_in_use, fs.syn_max, (unsigned long long)fs.syncookies_sent,
			(unsigned long long)fs.syncookies_share,
			(unsigned long long)fs.syncookies_ok, (unsigned long long)fs.syn_evicted,
			(unsigned long long)net.unrouted);
	}
	sl_tcp_stack_destroy(net.st[0]);
	sl_tcp_stack_destroy(net.st[1]);
	tt_net_free(&net);
}

/* run_link() with the server and wire in @mode (RUN_*), then back to the default. */
static void run_link_as(int mode, uint64_t seed, double loss, double dup, uint32_t jitter,
			int n, uint64_t bytes, struct run_stats *rs)
{
	run_mode = mode;
	run_link(seed, loss, dup, jitter, n, bytes, rs);
	run_mode = RUN_EXT;
}

static void test_loss_0(void)
{
	struct run_stats rs;
	run_link(1, 0.0, 0.0, 0, 4, 2u << 20, &rs);
	CU_ASSERT_EQUAL(rs.a.retransmits + rs.b.retransmits, 0);
}

static void test_loss_1(void)
{
	struct run_stats rs;
	run_link(2, 0.01, 0.005, 1500, 4, 2u << 20, &rs);
}

static void test_loss_5(void)
{
	struct run_stats rs;
	run_link(3, 0.05, 0.01, 1500, 4, 1u << 20, &rs);
}

static void test_loss_20(void)
{
	struct run_stats rs;
	run_link(4, 0.20, 0.01, 1500, 3, 1u << 20, &rs);
}

static void test_loss_1_copy(void)
{
	struct run_stats rs;
	run_link_as(RUN_COPY, 6, 0.01, 0.005, 1500, 4, 1u << 20, &rs);
	CU_ASSERT_EQUAL(rs.a.ext_kept + rs.b.ext_kept, 0);
}

static void test_echo_0(void)
{
	struct run_stats rs;
	run_link_as(RUN_ECHO, 7, 0.0, 0.0, 0, 4, 2u << 20, &rs);
	/* The server relayed what it kept: it copied almost nothing in. */
	CU_ASSERT(rs.b.bytes_copied_in < (4u * (2u << 20)) / 10);
}

static void test_echo_5(void)
{
	struct run_stats rs;
	run_link_as(RUN_ECHO, 8, 0.05, 0.01, 1500, 4, 1u << 20, &rs);
}

static void test_cubic_1(void)
{
	struct run_stats rs;
	run_link_as(RUN_CUBIC, 9, 0.01, 0.005, 1500, 4, 2u << 20, &rs);
}

static void test_cubic_5(void)
{
	struct run_stats rs;
	run_link_as(RUN_CUBIC, 10, 0.05, 0.01, 1500, 4, 1u << 20, &rs);
}

static void test_many_short(void)
{
	/* Many small connections at 5 % loss, handshake and close paths under loss. */
	struct run_stats rs;
	run_link(5, 0.05, 0.02, 1500, MAXC, 3000, &rs);
}

/* Four clients exchange 256 KiB each way while spoofed SYNs arrive at 8000/s (issue 15). */
static void test_flood(void)
{
	struct run_stats rs;
	run_link_as(RUN_FLOOD, 11, 0.0, 0.0, 0, 4, 256u << 10, &rs);
}

/* The same with the echo server (the HTTP proxy's relay) and eight clients. */
static void test_flood_echo(void)
{
	struct run_stats rs;
	run_link_as(RUN_FLOOD | RUN_ECHO, 12, 0.0, 0.0, 0, MAXC, 64u << 10, &rs);
}

/* Eight clients and a share of 12 half-open connections in a pool of 16: each client's
 * validated cookie takes the slot of the oldest half-open connection. */
static void test_flood_evict(void)
{
	struct run_stats rs;
	run_link_as(RUN_FLOOD | RUN_ECHO | RUN_TIGHT, 13, 0.0, 0.0, 0, MAXC, 64u << 10, &rs);
}

static const struct sl_test_case cases[] = {
	{"loss_0", test_loss_0},   {"loss_1", test_loss_1},	    {"loss_5", test_loss_5},
	{"loss_20", test_loss_20}, {"loss_1_copy", test_loss_1_copy}, {"echo_0", test_echo_0},
	{"echo_5", test_echo_5},   {"cubic_1", test_cubic_1},
	{"cubic_5", test_cubic_5}, {"many_short", test_many_short},	    {"flood", test_flood},
	{"flood_echo", test_flood_echo},   {"flood_evict", test_flood_evict}, {NULL, NULL}};
static const struct sl_test_suite suites[] = {{"tcp_link", cases}, {NULL, NULL}};

int main(void)
{
	return sl_test_run(suites);
}
