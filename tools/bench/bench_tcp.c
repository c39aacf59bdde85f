/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * In-memory benchmark of the TCP stack (dataplane/tcp/): two stack instances joined by a
 * lossless FIFO wire in one thread, a virtual clock. Measures
 *   - connection open + close per second (handshake, FIN both ways, TIME-WAIT recycling),
 *   - bulk bytes per second over one connection (copying API, checksums on both sides),
 *   - cycles per segment on the established path (request/response rounds of 64 bytes, and
 *     the bulk transfer): the sender's output plus the receiver's input of one segment,
 *     the in-memory wire's copy included,
 *   - the memory an idle established connection holds (control block, hash slot, buffers).
 * Usage: bench_tcp [connections [megabytes [rounds]]]
 *        bench_tcp --smoke    (2 000 connections, 4 MiB, 2 000 rounds, no figure)
 * A run fails (exit 1) when a connection was not closed on both sides, a request/response round
 * or an idle connection is missing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#define CYCLES() __rdtsc()
#else
#define CYCLES() 0ull
#endif

#include "dataplane/tcp/stack.h"
#include "tools/bench/bench_smoke.h"

#define A 0x0a000001u
#define B 0x0a000002u

struct pkt {
	int to;
	uint16_t len;
	uint8_t data[1600];
};

static struct pkt *q;
static size_t qhead, qtail, qcap = 1 << 12;
static uint64_t vnow = 1000000;
static struct sl_tcp_stack *st[2];
static int envs[2] = {0, 1};

static int out(void *env, const uint8_t *p, size_t len)
{
	int from = *(int *)env;
	if (qtail - qhead == qcap || len > sizeof(q[0].data))
		return -1;
	struct pkt *k = &q[qtail++ % qcap];
	k->to = 1 - from;
	k->len = (uint16_t)len;
	memcpy(k->data, p, len);
	return 0;
}

static uint64_t now(void *env)
{
	(void)env;
	return vnow;
}

static uint32_t rnd(void *env)
{
	static uint64_t s = 88172645463325252ULL;
	(void)env;
	s ^= s << 13;
	s ^= s >> 7;
	s ^= s << 17;
	return (uint32_t)s;
}

static const struct sl_tcp_ops ops = {.output = out, .now_us = now, .random = rnd};

/* Delivers everything queued; the clock moves 1 us per packet, timers every 1 ms. */
static void run(void)
{
	while (qhead != qtail) {
		struct pkt *k = &q[qhead++ % qcap];
		vnow++;
		sl_tcp_input(st[k->to], k->data, k->len);
		if (vnow % 1000 == 0) {
			sl_tcp_advance(st[0], vnow);
			sl_tcp_advance(st[1], vnow);
		}
	}
}

static double secs(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* ---- open/close ---- */
static int srv_closed;
static void srv_peer_closed(struct sl_tcp_conn *c, void *a)
{
	(void)a;
	sl_tcp_close(c);
	srv_closed++;
}
static void cli_closed(struct sl_tcp_conn *c, void *a)
{
	(void)a;
	sl_tcp_close(c);
}
static void cli_connected(struct sl_tcp_conn *c, void *a)
{
	(void)a;
	sl_tcp_shutdown(c);
}
static const struct sl_tcp_cbs srv_conn = {.peer_closed = srv_peer_closed};
static int srv_accept(struct sl_tcp_conn *c, void *a)
{
	(void)a;
	sl_tcp_set_cbs(c, &srv_conn, NULL);
	return 0;
}
static const struct sl_tcp_cbs srv_l = {.accepted = srv_accept};
static const struct sl_tcp_cbs cli_cbs = {.connected = cli_connected, .closed = cli_closed};

/* ---- bulk ---- */
static uint64_t bulk_total, bulk_sent, bulk_rcvd;
static uint8_t chunk[65536];
static void bulk_pump(struct sl_tcp_conn *c, void *a)
{
	(void)a;
	while (bulk_sent < bulk_total) {
		size_t n = bulk_total - bulk_sent < sizeof(chunk) ? bulk_total - bulk_sent : sizeof(chunk);
		ssize_t r = sl_tcp_send(c, chunk, n);
		if (r <= 0)
			break;
		bulk_sent += (uint64_t)r;
	}
}
static void bulk_read(struct sl_tcp_conn *c, void *a)
{
	static uint8_t buf[65536];
	ssize_t r;
	(void)a;
	while ((r = sl_tcp_recv(c, buf, sizeof(buf))) > 0)
		bulk_rcvd += (uint64_t)r;
}
static const struct sl_tcp_cbs bulk_srv = {.readable = bulk_read};
static int bulk_accept(struct sl_tcp_conn *c, void *a)
{
	(void)a;
	sl_tcp_set_cbs(c, &bulk_srv, NULL);
	return 0;
}
static const struct sl_tcp_cbs bulk_l = {.accepted = bulk_accept};
static const struct sl_tcp_cbs bulk_cli = {.connected = bulk_pump, .writable = bulk_pump};

/* ---- request/response ---- */
static struct sl_tcp_conn *rr_cli;
static long rr_left;
static uint8_t rr_msg[64];
static void rr_srv_read(struct sl_tcp_conn *c, void *a)
{
	uint8_t buf[256];
	(void)a;
	while (sl_tcp_recv(c, buf, sizeof(buf)) > 0)
		sl_tcp_send(c, rr_msg, sizeof(rr_msg));
}
static void rr_cli_read(struct sl_tcp_conn *c, void *a)
{
	uint8_t buf[256];
	(void)a;
	while (sl_tcp_recv(c, buf, sizeof(buf)) > 0)
		if (--rr_left > 0)
			sl_tcp_send(c, rr_msg, sizeof(rr_msg));
}
static void rr_cli_connected(struct sl_tcp_conn *c, void *a)
{
	(void)a;
	rr_cli = c;
}
static const struct sl_tcp_cbs rr_srv = {.readable = rr_srv_read};
static int rr_accept(struct sl_tcp_conn *c, void *a)
{
	(void)a;
	sl_tcp_set_cbs(c, &rr_srv, NULL);
	return 0;
}
static const struct sl_tcp_cbs rr_l = {.accepted = rr_accept};
static const struct sl_tcp_cbs rr_cbs = {.connected = rr_cli_connected, .readable = rr_cli_read};

/* ---- idle ---- */
static int idle_accept(struct sl_tcp_conn *c, void *a)
{
	(void)c;
	(void)a;
	return 0;
}
static const struct sl_tcp_cbs idle_l = {.accepted = idle_accept};
static const struct sl_tcp_cbs idle_cbs = {.readable = NULL};

static uint64_t segs(void)
{
	struct sl_tcp_stats a, b;
	sl_tcp_stack_stats(st[0], &a);
	sl_tcp_stack_stats(st[1], &b);
	return a.segs_out + b.segs_out;
}

int main(int argc, char **argv)
{
	bool smoke = bench_smoke(argc, argv);
	long nconn = smoke ? 2000 : argc > 1 ? atol(argv[1]) : 200000;
	long mb = smoke ? 4 : argc > 2 ? atol(argv[2]) : 1024;
	long rounds = smoke ? 2000 : argc > 3 ? atol(argv[3]) : 1000000;
	q = malloc(qcap * sizeof(*q));
	struct sl_tcp_params p = {.max_conns = 8192, .max_time_wait = 1024, .sndbuf = 256 * 1024,
				  .rcvbuf = 256 * 1024};
	for (int i = 0; i < 2; i++)
		st[i] = sl_tcp_stack_create(&p, &ops, &envs[i]);
	if (q == NULL || st[0] == NULL || st[1] == NULL)
		return 1;
	sl_tcp_listen(st[1], B, 80, 1024, &srv_l, NULL);
	sl_tcp_listen(st[1], B, 81, 16, &bulk_l, NULL);
	sl_tcp_listen(st[1], B, 82, 16, &rr_l, NULL);
	sl_tcp_listen(st[1], B, 83, 4096, &idle_l, NULL);

	double t0 = secs();
	for (long i = 0; i < nconn; i++) {
		int err;
		if (sl_tcp_connect(st[0], A, (uint16_t)(1024 + i % 60000), B, 80, &cli_cbs, NULL,
				   &err) == NULL) {
			fprintf(stderr, "connect %ld: %d\n", i, err);
			return 1;
		}
		run();
	}
	double t1 = secs();
	struct sl_tcp_stats sa;
	sl_tcp_stack_stats(st[0], &sa);
	printf("open+close: %ld connections in %.3f s: %.0f conn/s (server closes seen %d, "
	       "TIME-WAIT recycled %llu)\n",
	       nconn, t1 - t0, (double)nconn / (t1 - t0), srv_closed,
	       (unsigned long long)sa.time_wait_recycled);

	bulk_total = (uint64_t)mb << 20;
	int err;
	uint64_t s0 = segs(), c0 = CYCLES();
	t0 = secs();
	sl_tcp_connect(st[0], A, 9999, B, 81, &bulk_cli, NULL, &err);
	run();
	while (bulk_rcvd < bulk_total) {
		vnow += 1000;
		sl_tcp_advance(st[0], vnow);
		sl_tcp_advance(st[1], vnow);
		run();
	}
	t1 = secs();
	uint64_t dc = CYCLES() - c0, ds = segs() - s0;
	printf("bulk: %ld MiB in %.3f s: %.2f Gbit/s (%.0f MB/s), %llu segments (data and ACKs), "
	       "%.0f cycles per segment\n",
	       mb, t1 - t0, (double)bulk_total * 8 / (t1 - t0) / 1e9,
	       (double)bulk_total / (t1 - t0) / 1e6, (unsigned long long)ds,
	       ds ? (double)dc / (double)ds : 0.0);

	/* Request/response of 64 bytes on one established connection. */
	sl_tcp_connect(st[0], A, 9998, B, 82, &rr_cbs, NULL, &err);
	run();
	if (rr_cli == NULL)
		return 1;
	rr_left = rounds;
	s0 = segs();
	c0 = CYCLES();
	t0 = secs();
	sl_tcp_send(rr_cli, rr_msg, sizeof(rr_msg));
	run();
	t1 = secs();
	dc = CYCLES() - c0;
	ds = segs() - s0;
	printf("request/response: %ld rounds of 64 B in %.3f s: %.0f rounds/s, %llu segments, "
	       "%.0f cycles per segment\n",
	       rounds, t1 - t0, (double)rounds / (t1 - t0), (unsigned long long)ds,
	       ds ? (double)dc / (double)ds : 0.0);

	/* Idle established connections: what each one holds (after the delayed ACKs of the
	 * request/response phase went out, so that nothing of it is still queued). */
	for (int i = 0; i < 500; i++) {
		vnow += 1000;
		sl_tcp_advance(st[0], vnow);
		sl_tcp_advance(st[1], vnow);
		run();
	}
	struct sl_tcp_stats b0, b1;
	sl_tcp_stack_stats(st[1], &b0);
	int nidle = 2000;
	for (int i = 0; i < nidle; i++) {
		if (sl_tcp_connect(st[0], A, (uint16_t)(20000 + i), B, 83, &idle_cbs, NULL, &err) ==
		    NULL)
			return 1;
		run();
	}
	sl_tcp_stack_stats(st[1], &b1);
	printf("idle: %u established connections on the server stack hold %u chunks and %u "
	       "packet buffers; per connection %zu B of control block + %zu B of hash table\n",
	       b1.conns_in_use - b0.conns_in_use, b1.chunks_in_use - b0.chunks_in_use,
	       b1.ext_in_use - b0.ext_in_use,
	       sl_tcp_conn_size(), 2 * sizeof(void *));
	unsigned idle = b1.conns_in_use - b0.conns_in_use;
	sl_tcp_stack_destroy(st[0]);
	sl_tcp_stack_destroy(st[1]);
	free(q);
	if (srv_closed != nconn || rr_left != 0 || idle != (unsigned)nidle)
		return bench_fail("bench_tcp",
				  "closed by the server %d of %ld, rounds left %ld, idle "
				  "connections %u of %d",
				  srv_closed, nconn, rr_left, idle, nidle);
	return 0;
}
