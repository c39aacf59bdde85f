/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the TCP stack's segment input (dataplane/tcp/), the bytes a client
 * controls on every terminated connection. The input is a script of records, each a byte
 * naming the operation and its arguments:
 *
 *   0 LEN BYTES...          a raw TCP header and payload (ports forced to a listener and one of
 *                           four peer ports; options, offsets, flags and numbers as given)
 *   1 FLAGS WIN2 LEN PEER   a segment that answers what the stack last sent to that peer
 *                           (sequence = what it acknowledged, ack = the end of what it sent),
 *                           so that handshakes, data and closes are reached
 *   2 N                     the clock moves N x 10 ms (timers run)
 *   3 SLOT N                the application sends N x 16 bytes on a connection
 *   4 SLOT                  the application reads what a connection holds
 *   5 SLOT HOW              the application shuts down, closes or aborts a connection
 *   6 PEER                  the application opens a connection to a peer port
 *   7 SLOT MTU2 PEER        an ICMP "fragmentation needed" (sl_tcp_pmtu) for a peer
 *
 * Properties: no crash, no read or write outside a buffer, no leak (ASan, libFuzzer), and
 * after every connection is closed and the clock has run for two minutes (the stack's timers
 * are short here), the pools are back to empty: no connection or buffer left behind.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dataplane/tcp/stack.h"
#include "proto/bytes.h"
#include "proto/ipv4.h"
#include "proto/tcp.h"

#define US 0x0a000002u
#define PEER 0x0a000001u
#define LPORT 80
#define PPORT 5000
#define NSLOT 8

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fz {
	uint64_t now;
	uint64_t rng;
	struct sl_tcp_stack *st;
	struct sl_tcp_conn *slot[NSLOT];
	bool done[NSLOT]; /* `closed` came: the application must call sl_tcp_close() */
	/* per peer port: the end of what the stack sent, and what it acknowledged */
	uint32_t snd_end[4], rcv_ack[4];
	bool seen[4];
};

static struct fz F;

static int fz_output(void *env, const uint8_t *pkt, size_t len)
{
	(void)env;
	if (len < 40)
		return 0;
	const uint8_t *t = pkt + 20;
	uint16_t dport = sl_get_be16(t + 2);
	if (dport < PPORT || dport >= PPORT + 4)
		return 0;
	unsigned k = dport - PPORT;
	uint32_t seq = sl_get_be32(t + 4), ack = sl_get_be32(t + 8);
	size_t doff = (size_t)(t[12] >> 4) * 4;
	uint32_t plen = len >= 20 + doff ? (uint32_t)(len - 20 - doff) : 0;
	uint8_t fl = t[13];
	F.snd_end[k] = seq + plen + ((fl & SL_TCP_SYN) ? 1 : 0) + ((fl & SL_TCP_FIN) ? 1 : 0);
	if (fl & SL_TCP_ACK)
		F.rcv_ack[k] = ack;
	F.seen[k] = true;
	return 0;
}

static uint64_t fz_now(void *env)
{
	(void)env;
	return F.now;
}

static uint32_t fz_random(void *env)
{
	(void)env;
	F.rng ^= F.rng >> 12;
	F.rng ^= F.rng << 25;
	F.rng ^= F.rng >> 27;
	return (uint32_t)((F.rng * 2685821657736338717ull) >> 32);
}

static const struct sl_tcp_ops fz_ops = {.output = fz_output, .now_us = fz_now,
					 .random = fz_random};

static int slot_of(struct sl_tcp_conn *c)
{
	for (int i = 0; i < NSLOT; i++)
		if (F.slot[i] == c)
			return i;
	return -1;
}

static int free_slot(void)
{
	for (int i = 0; i < NSLOT; i++)
		if (F.slot[i] == NULL)
			return i;
	return -1;
}

static void cb_closed(struct sl_tcp_conn *c, void *a)
{
	(void)a;
	int i = slot_of(c);
	if (i >= 0)
		F.done[i] = true;
}

static void cb_nop(struct sl_tcp_conn *c, void *a)
{
	(void)c;
	(void)a;
}

static void cb_error(struct sl_tcp_conn *c, void *a, int r)
{
	(void)c;
	(void)a;
	(void)r;
}

static int cb_accepted(struct sl_tcp_conn *c, void *a)
{
	(void)a;
	int i = free_slot();
	if (i < 0)
		return -1; /* refused: the stack resets it */
	F.slot[i] = c;
	F.done[i] = false;
	return 0;
}

static const struct sl_tcp_cbs cbs = {cb_accepted, cb_nop, cb_nop, cb_nop, cb_nop, cb_error,
				      cb_closed};

/* The application's side: a connection whose `closed` came is closed (the contract). */
static void reap(void)
{
	for (int i = 0; i < NSLOT; i++)
		if (F.slot[i] != NULL && F.done[i]) {
			sl_tcp_close(F.slot[i]);
			F.slot[i] = NULL;
			F.done[i] = false;
		}
}

static void segment(unsigned k, const uint8_t *tcp, size_t tlen)
{
	uint8_t pkt[20 + 60 + 1500];
	if (tlen < 20 || tlen > sizeof(pkt) - 20)
		return;
	sl_ipv4_build(pkt, 0, (uint16_t)(20 + tlen), 1, false, 64, SL_IPPROTO_TCP, PEER, US);
	memcpy(pkt + 20, tcp, tlen);
	sl_put_be16(pkt + 20, (uint16_t)(PPORT + k));
	sl_put_be16(pkt + 22, LPORT);
	sl_tcp4_set_csum(pkt + 20, tlen, PEER, US);
	(void)sl_tcp_input(F.st, pkt, 20 + tlen);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	memset(&F, 0, sizeof(F));
	F.now = 1000000;
	F.rng = 0x9e3779b97f4a7c15ull;
	/* short timers, so that everything can run out within the drain below */
	struct sl_tcp_params p = {.max_conns = 16, .max_listeners = 2, .chunks = 64,
				  .sndbuf = 8192, .rcvbuf = 8192, .ooo_bufs = 8,
				  .rto_max_us = 4000000, .max_retries = 4, .syn_retries = 2,
				  .time_wait_us = 2000000, .fin_wait2_us = 2000000,
				  .keepalive_idle_us = 3000000, .keepalive_intvl_us = 1000000,
				  .keepalive_probes = 2};
	F.st = sl_tcp_stack_create(&p, &fz_ops, NULL);
	if (F.st == NULL)
		abort();
	if (sl_tcp_listen(F.st, US, LPORT, 4, &cbs, NULL) != 0)
		abort();
	static uint8_t junk[16 * 255];
	memset(junk, 'j', sizeof(junk));
	size_t i = 0;
	while (i < size) {
		uint8_t op = data[i++] & 7;
		const uint8_t *a = data + i;
		size_t left = size - i;
		switch (op) {
		case 0: {
			if (left < 1 || left < 1 + (size_t)a[0])
				goto end;
			segment(a[0] & 3, a + 1, a[0]);
			i += 1 + (size_t)a[0];
			break;
		}
		case 1: {
			if (left < 5)
				goto end;
			unsigned k = a[4] & 3;
			uint8_t t[20 + 255];
			memset(t, 0, 20);
			sl_put_be32(t + 4, F.rcv_ack[k]);
			sl_put_be32(t + 8, F.snd_end[k]);
			t[12] = 5 << 4;
			t[13] = a[0];
			t[14] = a[1];
			t[15] = a[2];
			memset(t + 20, 'd', a[3]);
			segment(k, t, 20 + (size_t)a[3]);
			i += 5;
			break;
		}
		case 2:
			if (left < 1)
				goto end;
			F.now += (uint64_t)a[0] * 10000;
			sl_tcp_advance(F.st, F.now);
			i += 1;
			break;
		case 3:
			if (left < 2)
				goto end;
			if (F.slot[a[0] % NSLOT] != NULL && !F.done[a[0] % NSLOT])
				(void)sl_tcp_send(F.slot[a[0] % NSLOT], junk, 16u * a[1]);
			i += 2;
			break;
		case 4: {
			if (left < 1)
				goto end;
			uint8_t buf[4096];
			struct sl_tcp_conn *c = F.slot[a[0] % NSLOT];
			if (c != NULL && !F.done[a[0] % NSLOT])
				while (sl_tcp_recv(c, buf, sizeof(buf)) > 0)
					;
			i += 1;
			break;
		}
		case 5: {
			if (left < 2)
				goto end;
			int s = a[0] % NSLOT;
			struct sl_tcp_conn *c = F.slot[s];
			if (c != NULL && !F.done[s]) {
				switch (a[1] % 3) {
				case 0:
					sl_tcp_shutdown(c);
					break;
				case 1:
					sl_tcp_close(c);
					F.slot[s] = NULL;
					break;
				default:
					sl_tcp_abort(c);
					F.slot[s] = NULL;
					break;
				}
			}
			i += 2;
			break;
		}
		case 6: {
			if (left < 1)
				goto end;
			int s = free_slot();
			if (s >= 0) {
				int err = 0;
				struct sl_tcp_conn *c = sl_tcp_connect(F.st, US, (uint16_t)(LPORT + 1 + s),
								       PEER, (uint16_t)(PPORT + (a[0] & 3)),
								       &cbs, NULL, &err);
				if (c != NULL) {
					F.slot[s] = c;
					F.done[s] = false;
				}
			}
			i += 1;
			break;
		}
		default: {
			if (left < 4)
				goto end;
			unsigned k = a[3] & 3;
			uint16_t mtu = (uint16_t)(a[1] << 8 | a[2]);
			(void)sl_tcp_pmtu(F.st, US, LPORT, PEER, (uint16_t)(PPORT + k),
					  F.snd_end[k] - 1 - a[0], mtu);
			i += 4;
			break;
		}
		}
		reap();
	}
end:
	/* Everything closed, two minutes pass: nothing may be left. */
	for (int s = 0; s < NSLOT; s++)
		if (F.slot[s] != NULL) {
			sl_tcp_close(F.slot[s]);
			F.slot[s] = NULL;
		}
	struct sl_tcp_stats s;
	for (int t = 0; t < 120; t++) {
		sl_tcp_stack_stats(F.st, &s);
		if (s.conns_in_use == 0 && s.chunks_in_use == 0)
			break;
		F.now += 1000000;
		sl_tcp_advance(F.st, F.now);
	}
	sl_tcp_stack_stats(F.st, &s);
	if (s.conns_in_use != 0 || s.chunks_in_use != 0 || s.time_wait_in_use != 0)
		abort();
	sl_tcp_stack_destroy(F.st);
	return 0;
}
