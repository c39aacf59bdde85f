/* SPDX-License-Identifier: BSD-3-Clause */
/* Helpers for the TCP stack tests, see tcp_test_util.h. */
#include "tests/unit/dataplane/tcp/tcp_test_util.h"

#include <stdlib.h>
#include <string.h>

#include "proto/bytes.h"
#include "proto/ipv4.h"

uint64_t tt_rand(uint64_t *s)
{
	uint64_t x = *s;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545f4914f6cdd1dULL;
}

static double unit(uint64_t *s)
{
	return (double)(tt_rand(s) >> 11) / 9007199254740992.0;
}

static bool before(const struct tt_pkt *a, const struct tt_pkt *b)
{
	return a->at < b->at || (a->at == b->at && a->order < b->order);
}

static void heap_push(struct tt_net *n, struct tt_pkt p)
{
	if (n->n == n->cap) {
		n->cap = n->cap ? n->cap * 2 : 1024;
		n->heap = realloc(n->heap, n->cap * sizeof(*n->heap));
	}
	size_t i = n->n++;
	n->heap[i] = p;
	while (i > 0 && before(&n->heap[i], &n->heap[(i - 1) / 2])) {
		struct tt_pkt t = n->heap[i];
		n->heap[i] = n->heap[(i - 1) / 2];
		n->heap[(i - 1) / 2] = t;
		i = (i - 1) / 2;
	}
}

static struct tt_pkt heap_pop(struct tt_net *n)
{
	struct tt_pkt top = n->heap[0];
	n->heap[0] = n->heap[--n->n];
	size_t i = 0;
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < n->n && before(&n->heap[l], &n->heap[m]))
			m = l;
		if (r < n->n && before(&n->heap[r], &n->heap[m]))
			m = r;
		if (m == i)
			break;
		struct tt_pkt t = n->heap[i];
		n->heap[i] = n->heap[m];
		n->heap[m] = t;
		i = m;
	}
	return top;
}

static void enqueue(struct tt_net *n, int to, const uint8_t *pkt, size_t len)
{
	struct tt_pkt p = {.at = n->now + n->delay_us +
				 (n->jitter_us ? tt_rand(&n->rng) % n->jitter_us : 0),
			   .order = n->order++, .to = to, .len = (uint16_t)len};
	p.data = malloc(len);
	memcpy(p.data, pkt, len);
	heap_push(n, p);
}

static int net_output(void *env, const uint8_t *pkt, size_t len)
{
	struct tt_env *e = env;
	struct tt_net *n = e->net;
	n->sent++;
	if (len < 20 || sl_get_be32(pkt + 16) != n->addr[1 - e->idx]) {
		n->unrouted++; /* nobody on the wire owns that address */
		return 0;
	}
	if (unit(&n->rng) < n->loss) {
		n->lost++;
		return 0;
	}
	enqueue(n, 1 - e->idx, pkt, len);
	if (unit(&n->rng) < n->dup) {
		n->dups++;
		enqueue(n, 1 - e->idx, pkt, len);
	}
	return 0;
}

static uint64_t net_now(void *env)
{
	return ((struct tt_env *)env)->net->now;
}

static uint32_t net_random(void *env)
{
	return (uint32_t)(tt_rand(&((struct tt_env *)env)->net->rng) >> 32);
}

/* A kept packet comes back (env is the stack's tt_env; the packet was malloc'd). */
static void net_buf_free(void *env, void *ext)
{
	((struct tt_env *)env)->net->ext_held--;
	free(ext);
}

const struct sl_tcp_ops tt_net_ops = {.output = net_output,
				      .now_us = net_now,
				      .random = net_random,
				      .buf_free = net_buf_free};

void tt_net_init(struct tt_net *n, uint64_t seed, uint32_t addr0, uint32_t addr1)
{
	memset(n, 0, sizeof(*n));
	n->rng = seed * 0x9e3779b97f4a7c15ULL + 1;
	n->now = 1000000;
	n->addr[0] = addr0;
	n->addr[1] = addr1;
	n->delay_us = 1000;
	for (int i = 0; i < 2; i++)
		n->env[i] = (struct tt_env){n, i};
}

void tt_net_free(struct tt_net *n)
{
	while (n->n > 0)
		free(heap_pop(n).data);
	free(n->heap);
	n->heap = NULL;
}

bool tt_net_step(struct tt_net *n)
{
	uint64_t tick = (n->now / 1000 + 1) * 1000;
	if (n->n > 0 && n->heap[0].at < tick) {
		struct tt_pkt p = heap_pop(n);
		if (p.at > n->now)
			n->now = p.at;
		n->delivered++;
		int r = 0;
		if (n->st[p.to] != NULL && n->copy_in)
			sl_tcp_input(n->st[p.to], p.data, p.len);
		else if (n->st[p.to] != NULL)
			r = sl_tcp_input_ext(n->st[p.to], p.data, p.len, p.data);
		if (r == 1)
			n->ext_held++; /* the stack keeps the packet as the payload's storage */
		else
			free(p.data);
		return true;
	}
	n->now = tick;
	for (int i = 0; i < 2; i++)
		if (n->st[i] != NULL)
			sl_tcp_advance(n->st[i], n->now);
	return n->n > 0;
}

/* ---- capture ---- */

static int cap_output(void *env, const uint8_t *pkt, size_t len)
{
	struct tt_cap *c = env;
	if (c->n >= 256)
		return -1;
	c->pkts[c->n] = malloc(len);
	memcpy(c->pkts[c->n], pkt, len);
	c->lens[c->n++] = len;
	return 0;
}

static uint64_t cap_now(void *env)
{
	return ((struct tt_cap *)env)->now;
}

static uint32_t cap_random(void *env)
{
	return (uint32_t)(tt_rand(&((struct tt_cap *)env)->rng) >> 32);
}

const struct sl_tcp_ops tt_cap_ops = {.output = cap_output, .now_us = cap_now, .random = cap_random};

void tt_cap_clear(struct tt_cap *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->pkts[i]);
	c->n = 0;
}

bool tt_parse(const uint8_t *p, size_t len, struct tt_seg *out)
{
	struct sl_ipv4_info ip;
	memset(out, 0, sizeof(*out));
	int ihl = sl_ipv4_parse(p, len, &ip, NULL);
	if (ihl < 0 || ip.proto != SL_IPPROTO_TCP)
		return false;
	const uint8_t *t = p + ihl;
	size_t tl = ip.total_len - (size_t)ihl;
	struct sl_tcp_info th;
	int doff = sl_tcp_parse(t, tl, &th, NULL);
	if (doff < 0 || !sl_tcp4_csum_ok(t, tl, ip.src, ip.dst))
		return false;
	if (sl_tcp_parse_opts(t + 20, (size_t)doff - 20, &out->o) != 0)
		return false;
	/* SACK blocks (not parsed by proto/tcp.c). */
	for (int i = 20; i < doff;) {
		uint8_t k = t[i];
		if (k == 0)
			break;
		if (k == 1) {
			i++;
			continue;
		}
		uint8_t l = t[i + 1];
		if (k == SL_TCP_OPT_SACK)
			for (int b = 0; b < (l - 2) / 8 && b < 4; b++) {
				out->sack[b][0] = sl_get_be32(t + i + 2 + 8 * b);
				out->sack[b][1] = sl_get_be32(t + i + 6 + 8 * b);
				out->nsack = b + 1;
			}
		i += l;
	}
	out->src = ip.src;
	out->dst = ip.dst;
	out->sport = th.sport;
	out->dport = th.dport;
	out->seq = th.seq;
	out->ack = th.ack;
	out->flags = th.flags;
	out->win = th.win;
	out->len = (uint32_t)(tl - (size_t)doff);
	out->data = t + doff;
	return true;
}

size_t tt_build(uint8_t *buf, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport,
		uint32_t seq, uint32_t ack, uint8_t flags, uint16_t win, const uint8_t *opt,
		size_t optlen, const void *data, size_t dlen)
{
	size_t ol = (optlen + 3) & ~(size_t)3;
	size_t tl = 20 + 20 + ol + dlen;
	sl_ipv4_build(buf, 0, (uint16_t)tl, 1, true, 64, SL_IPPROTO_TCP, src, dst);
	uint8_t *t = buf + 20;
	memset(t, 0, 20 + ol);
	sl_put_be16(t, sport);
	sl_put_be16(t + 2, dport);
	sl_put_be32(t + 4, seq);
	sl_put_be32(t + 8, ack);
	t[12] = (uint8_t)(((20 + ol) / 4) << 4);
	t[13] = flags;
	sl_put_be16(t + 14, win);
	if (optlen)
		memcpy(t + 20, opt, optlen);
	if (dlen)
		memcpy(t + 20 + ol, data, dlen);
	sl_tcp4_set_csum(t, tl - 20, src, dst);
	return tl;
}
