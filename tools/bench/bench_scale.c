/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * In-process benchmark of the L4 path (full NAT) over lcores: how the established-flow path
 * scales from one worker to two, and what a reply costs when it reaches a worker that does not
 * own its flow. TCP segments go through sl_rx_burst() in bursts of 32 and leave through DPDK's
 * net_null PMD, as in bench_l4. No NIC, no kernel.
 *
 *   bench_scale --no-huge -m 1024 --no-pci --vdev=net_null0 -l 0-2 -- [-f FLOWS] [-n PACKETS]
 *   bench_scale --no-huge -m 1024 --no-pci --vdev=net_null0 --lcores=0@0,1@1,2@0 -- ...
 *                       (two CPUs, where EAL refuses -l 0-2: main sleeps while the workers run,
 *                        so worker lcore 2 has CPU 0 nearly to itself)
 *   bench_scale --smoke (1 024 flows and 4 096 packets per worker, one lcore, no figure)
 *
 * As root (DPDK locks memory). Lcore 0 (main) only launches, waits and prints. The next two
 * lcores are the workers: each has its own lcore context, rings, flow table (2 x FLOWS
 * entries), slice of local ports (the port plan is made for the workers of the run), TX queue
 * on net_null0 (configured with two queue pairs), clients and frames. A frame is built when it
 * is fed, into a fresh mbuf: one header of the worker's, the flow's address and port patched
 * in, checksums updated (RFC 1624); no per-flow frame is read, so that the preparation leaves
 * the cache to the flow table as bench_l4's does. Its cost is timed apart from the path's.
 *
 * 1. Scaling, for 1 worker and then 2 at the same time: each worker sends FLOWS SYNs (default
 *    100 000; new flows of clients of its own), waits for the others, then PACKETS (default
 *    4 000 000) established segments (ACK with 100 bytes, random order among its flows).
 *    Prints the total established packets per second over the wall time of that phase (first
 *    worker's start to last worker's end, frame preparation included) and, per worker, TSC
 *    cycles per packet of the path (sl_rx_burst() + sl_tx_flush(), the timed section of
 *    bench_l4), of the frame preparation, its own rate and what a SYN cost.
 * 2. Steering, on the two workers A and B of a 2-worker plan, each with FLOWS flows of its
 *    own: the replies of B's flows (server -> the local address and port B chose, read back
 *    from B's flow table; ACK with 100 bytes) are fed PACKETS times
 *      - to B, frames it writes itself (direct: the flow's owner receives it from its queue);
 *      - to B, frames that A writes and passes through a ring, the dequeue not timed (direct,
 *        frames written by A: the same receive path, with the frame's lines in another core's
 *        cache, as a handed frame's are: what the next two figures compare with);
 *      - to A, which finds no flow of its own and hands each to B's rxring (dataplane/l4/l4.c),
 *        while B, on its own lcore at the same time, dequeues bursts of up to 32 from its rxring
 *        and processes them with sl_rx_handed(), then sl_tx_flush(), as dataplane/loop/loop.c.
 *    Prints cycles per packet of each: direct on B; direct on B, frames written by A;
 *    hand-over on A (classification, flow miss, enqueue); handed processing on B (dequeue,
 *    classification, flow hit, NAT, TX; empty polls are not counted) and B's average dequeue.
 *    A waits, outside its timed section, while the ring has no room for a burst, so nothing is
 *    dropped. A allocates the frames and B frees them: mbufs cross cores as with a NIC.
 *
 * 3. New flows on a port whose queues follow the sender (no RSS hash on the frames; parts 1 and 2
 *    model a NIC's RSS queues): worker A receives SYNs of clients the 4-tuple's hash gives to A
 *    (a new flow each), then SYNs of clients it gives to B, which A hands to B's rxring and B
 *    turns into flows (dataplane/l4/l4.c, flow_owner()). On one lcore, B draining after each of
 *    A's bursts. Prints cycles per SYN of each.
 *
 * The CPUs may be shared with other work: figures are printed, never asserted. A run fails
 * (exit 1) unless the counters of each worker account for every frame it was fed: one new flow
 * per SYN, every frame received, forwarded and sent on its own TX queue (sluice's counter and
 * the net_null queue's), every steered frame handed over and processed by its owner, no drop.
 * With fewer than three lcores (--smoke runs on lcore 0 alone) the workers run one after the
 * other on main, with the same contexts and counts, A's bursts alternating with B's dequeues:
 * the code paths and counters are the same, the figures are no scaling measure (it says so).
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_pause.h>
#include <rte_ring.h>

#include "controlplane/cfg/cfg.h"
#include "controlplane/gen_build.h"
#include "dataplane/core/dp.h"
#include "dataplane/core/lcore.h"
#include "dataplane/core/tx.h"
#include "dataplane/l4/flow.h"
#include "dataplane/l4/l4.h"
#include "dataplane/loop/rx.h"
#include "tools/bench/bench_dp.h"
#include "tools/bench/bench_routes.h"
#include "proto/csum.h"
#include "proto/eth.h"
#include "proto/ipv4.h"
#include "proto/tcp.h"

#define VIP	  0x0a4d0001u
#define NSERVERS  64
#define NWORKERS  2	 /* workers of the largest run */
#define HDR	  54	 /* Ethernet + IPv4 + TCP headers of every frame fed */
#define PAYLOAD	  100	 /* bytes of data of an established segment or a reply */
#define MAX_FLOWS 500000 /* per worker: clients of both workers stay in the neighbour table */

static const uint8_t cli_mac[6] = {0x02, 0x77, 0, 0, 0, 0x10};
static const uint8_t srv_mac[6] = {0x02, 0x77, 0, 0, 1, 0};

/* Offsets in a frame of the fields that differ from one flow's frame to another's. */
#define OFF_IP_CSUM  24
#define OFF_IP_SRC   26
#define OFF_SPORT    34
#define OFF_DPORT    36
#define OFF_TCP_CSUM 50

/* What differs between the frames of two flows of one worker: the source address, and the
 * source port (client segments) or the destination port (server replies), host order. */
struct var {
	uint32_t ip;
	uint16_t port;
};

/* Builds a TCP segment sip:sport -> dip:dport from @smac to @dmac with @flags, @seq, @ack and
 * @payload zero bytes of data; *@len gets the frame's length. */
static void tcp_frame(uint8_t *b, uint16_t *len, const uint8_t *dmac, const uint8_t *smac,
		      uint32_t sip, uint16_t sport, uint32_t dip, uint16_t dport, uint8_t flags,
		      uint32_t seq, uint32_t ack, unsigned payload)
{
	size_t n = sl_eth_build(b, 14, dmac, smac, SL_ETH_P_IPV4);
	uint8_t *ip = b + n;
	sl_ipv4_build(ip, 0, (uint16_t)(40 + payload), 1, true, 64, SL_IPPROTO_TCP, sip, dip);
	uint8_t *th = ip + 20;
	memset(th, 0, 20 + payload);
	th[0] = (uint8_t)(sport >> 8);
	th[1] = (uint8_t)sport;
	th[2] = (uint8_t)(dport >> 8);
	th[3] = (uint8_t)dport;
	for (int i = 0; i < 4; i++) {
		th[4 + i] = (uint8_t)(seq >> (24 - 8 * i));
		th[8 + i] = (uint8_t)(ack >> (24 - 8 * i));
	}
	th[12] = 5 << 4;
	th[13] = flags;
	th[14] = 0xff;
	sl_tcp4_set_csum(th, 20 + payload, sip, dip);
	*len = (uint16_t)(n + 40 + payload);
}

/* Client of flow index i, as in bench_l4: 10.128.0.1 + i/1000, port 20000 + i%1000. */
static inline uint32_t cli_ip(uint32_t i)
{
	return 0x0a800001u + i / 1000;
}

static inline uint16_t cli_port(uint32_t i)
{
	return (uint16_t)(20000 + i % 1000);
}

static struct sl_cfg *make_cfg(void)
{
	static char text[16384];
	size_t o = (size_t)snprintf(text, sizeof(text),
				    "frontend rtmp\n bind *:1935\n mode tcp\n timeout client 1h\n"
				    " default_backend ams\nbackend ams\n mode tcp\n"
				    " balance source\n timeout connect 5s\n timeout server 1h\n");
	for (int i = 0; i < NSERVERS; i++)
		o += (size_t)snprintf(text + o, sizeof(text) - o, " server s%d 10.77.1.%d:1935\n",
				      i, i + 1);
	struct sl_cfg_text t = {.name = "bench.cfg", .data = text, .len = o};
	struct sl_cfg_opts opts = {.no_dataplane_ok = true};
	struct sl_cfg *cfg = NULL;
	return sl_cfg_parse(&t, 1, &opts, &cfg) == 0 ? cfg : NULL;
}


static struct sl_dp dp;

/*
 * One worker of a run: its lcore context, the frames it is fed, what it measured.
 *
 * Feeding builds each frame from @base: the flow's address and port patched in, checksums
 * updated (RFC 1624), data zeroed; client segments take them from the flow index, replies
 * from @vars (what the owner's flow table says). No per-flow frame is read from memory: the
 * preparation leaves the cache to the flow table, as bench_l4's does.
 */
struct wk {
	struct sl_lcore *lc;
	uint32_t first;		/* its clients: flow indexes first .. first + nflows - 1 */
	uint32_t nflows;	/* SYNs it sends (a whole number of bursts) */
	uint8_t base[HDR];	/* headers of the frames it is fed, for one of the flows */
	unsigned port_off;	/* the port that differs: OFF_SPORT or OFF_DPORT */
	const struct var *vars; /* per flow (replies); NULL: client segments of its flows */
	uint64_t npkts;		/* frames to feed (a whole number of bursts) */
	uint64_t seed;		/* of the random flow order */
	struct rte_ring *room;	/* feeding: wait for room for a burst in it (not timed) */
	struct rte_ring *out;	/* feeding: put the frames in it instead of the path (they are
				 * another lcore's to receive) */
	struct rte_ring *in;	/* draining: take frames from it */
	bool handed;		/* draining: frames handed over (sl_rx_handed(), dequeue timed),
				 * else received (sl_rx_burst(), dequeue not timed: the NIC's) */
	const struct wk *from;	/* draining: the worker that fills @in */
	/* figures */
	uint64_t syns, syn_cyc;	 /* SYNs sent, cycles of the path for them */
	uint64_t fed, cyc, prep; /* frames fed (or drained), cycles of the path, of preparation */
	uint64_t bursts;	 /* non-empty dequeues (draining) */
	uint64_t t0, t1;	 /* TSC at the start and the end of its feeding */
	unsigned done;		 /* set (release) when its job is over */
};

static struct wk wks[NWORKERS];
static unsigned wids[NWORKERS]; /* lcore ids of the workers */
static bool parallel;		/* each worker on its own lcore; else one after the other */
static unsigned ready, go;	/* the barrier between the SYNs and the established phase */

/* An lcore context for worker @widx on lcore @id, transmitting and receiving on sluice queue
 * @q of port 0, with the rings other lcores hand it frames through. NULL when out of memory. */
static struct sl_lcore *scale_lcore(unsigned id, unsigned widx, int16_t q)
{
	struct sl_lcore *lc = rte_zmalloc("lc", sizeof(*lc), 64);
	if (lc == NULL)
		return NULL;
	lc->srv = rte_zmalloc("srv", sizeof(*lc->srv) * SL_MAX_SERVERS, 64);
	lc->srv_active = rte_zmalloc("srv_act", sizeof(*lc->srv_active) * SL_MAX_SERVERS, 64);
	lc->cursor = rte_zmalloc("cursor", sizeof(*lc->cursor) * SL_BACKEND_IDS, 64);
	/* as controlplane/sluiced.c's step_lcores(): the L4 path hands replies to rxring */
	char name[32];
	snprintf(name, sizeof(name), "scale_txr_%u", id);
	lc->txring = rte_ring_create(name, SL_RING_SIZE, rte_socket_id(), RING_F_SC_DEQ);
	snprintf(name, sizeof(name), "scale_rxr_%u", id);
	lc->rxring = rte_ring_create(name, SL_RING_SIZE, rte_socket_id(), RING_F_SC_DEQ);
	lc->lcore_id = id;
	lc->roles = SL_ROLE_WORKER;
	lc->worker_idx = widx;
	dp.worker_active[widx] = lc->srv_active;
	lc->dp = &dp;
	lc->pool = dp.pool;
	lc->ctr = &dp.ctrs[id];
	memset(lc->ctr, 0, sizeof(*lc->ctr));
	for (unsigned p = 0; p < SL_MAX_PORTS; p++) {
		lc->tx[p].queue = p == 0 ? q : -1;
		lc->rxq[p] = p == 0 ? q : -1;
	}
	lc->now_ms = 1;
	dp.lcores[id] = lc;
	if (lc->srv == NULL || lc->srv_active == NULL || lc->cursor == NULL || lc->txring == NULL ||
	    lc->rxring == NULL)
		return NULL;
	return lc;
}

static void scale_lcore_free(struct sl_lcore *lc)
{
	if (lc == NULL)
		return;
	sl_l4_worker_fini(lc);
	dp.lcores[lc->lcore_id] = NULL;
	rte_ring_free(lc->txring);
	rte_ring_free(lc->rxring);
	rte_free(lc->srv);
	rte_free(lc->srv_active);
	rte_free(lc->cursor);
	rte_free(lc);
}

/* Client segment of flow index @i to VIP:1935 (bench_l4's: sequence 1 for a SYN, else 2). */
static void segment(uint8_t *b, uint16_t *len, uint32_t i, uint8_t flags, unsigned payload)
{
	tcp_frame(b, len, dp.ports[0].mac.addr_bytes, cli_mac, cli_ip(i), cli_port(i), VIP, 1935,
		  flags, flags == SL_TCP_SYN ? 1 : 2, 0, payload);
}

/* Writes worker @w's frame for its flow @i into @d: base headers, the flow's address and port,
 * both checksums updated, PAYLOAD zero bytes of data. */
static inline void build(const struct wk *w, uint32_t i, uint8_t *d)
{
	struct var v = w->vars != NULL ? w->vars[i]
				       : (struct var){cli_ip(w->first + i), cli_port(w->first + i)};
	uint32_t ip = rte_cpu_to_be_32(v.ip), ip0;
	uint16_t port = rte_cpu_to_be_16(v.port), port0, c;
	memcpy(d, w->base, HDR);
	memcpy(&ip0, w->base + OFF_IP_SRC, 4);
	memcpy(&port0, w->base + w->port_off, 2);
	memcpy(d + OFF_IP_SRC, &ip, 4);
	memcpy(d + w->port_off, &port, 2);
	memcpy(&c, w->base + OFF_IP_CSUM, 2);
	c = sl_csum_update32(c, ip0, ip);
	memcpy(d + OFF_IP_CSUM, &c, 2);
	memcpy(&c, w->base + OFF_TCP_CSUM, 2);
	c = sl_csum_update16(sl_csum_update32(c, ip0, ip), port0, port);
	memcpy(d + OFF_TCP_CSUM, &c, 2);
	memset(d + HDR, 0, PAYLOAD);
}

/* Whether build() gives worker @w's frame for flow @i bit for bit as @want (HDR + PAYLOAD
 * bytes, built whole by tcp_frame()): the incremental checksums are right. */
static bool build_ok(const struct wk *w, uint32_t i, const uint8_t *want)
{
	uint8_t got[HDR + PAYLOAD];
	build(w, i, got);
	if (memcmp(got, want, sizeof(got)) == 0)
		return true;
	fprintf(stderr, "bench_scale: frame of flow %u of lcore %u differs from one built whole\n",
		i, w->lc->lcore_id);
	return false;
}

/*
 * Sets up a run of @n workers with @nflows flows each: port plan, lcore contexts, flow tables
 * of twice the flows (as bench_l4: sized for a peak, not filled to the brim), and the frames
 * each is fed: established segments of its own flows. 0 or -1.
 */
static int setup(unsigned n, uint32_t nflows)
{
	dp.nworkers = n;
	for (unsigned w = 0; w < n; w++)
		dp.worker_ids[w] = wids[w];
	dp.arp_owner = wids[0];
	dp.l4->probe_lcore = wids[0];
	char why[512];
	if (sl_port_plan_make(dp.cfg, n, n, &dp.plan, why, sizeof(why)) != 0) {
		fprintf(stderr, "bench: port plan for %u workers: %s\n", n, why);
		return -1;
	}
	for (unsigned w = 0; w < n; w++) {
		struct wk *k = &wks[w];
		uint8_t b[HDR + PAYLOAD];
		uint16_t len;
		*k = (struct wk){.first = w * nflows,
				 .nflows = nflows,
				 .port_off = OFF_SPORT,
				 .seed = 88172645463325252ull + w * 0x9e3779b97f4a7c15ull};
		segment(b, &len, k->first, SL_TCP_ACK, PAYLOAD);
		memcpy(k->base, b, HDR);
		k->lc = scale_lcore(wids[w], w, (int16_t)w);
		if (k->lc == NULL || sl_l4_worker_init(k->lc, nflows * 2, w) != 0) {
			fprintf(stderr, "bench: worker %u setup for %u flows failed (raise -m)\n",
				w, nflows);
			return -1;
		}
		for (uint32_t i = 0; i < nflows && i < SL_BURST; i++) {
			segment(b, &len, k->first + i, SL_TCP_ACK, PAYLOAD);
			if (!build_ok(k, i, b))
				return -1;
		}
	}
	return 0;
}

static void teardown(unsigned n)
{
	for (unsigned w = 0; w < n; w++) {
		scale_lcore_free(wks[w].lc);
		wks[w].lc = NULL;
	}
	dp.nworkers = 0;
}

/* ------------------------------------------------------------------ what the workers run */

/* Sends worker @w's SYNs (one new flow each) in bursts through the path; timed as bench_l4. */
static void syn_phase(struct wk *w)
{
	struct rte_mbuf *m[SL_BURST];
	uint8_t b[HDR];
	uint16_t len;
	for (uint32_t base = 0; base < w->nflows; base += SL_BURST) {
		if (rte_pktmbuf_alloc_bulk(dp.pool, m, SL_BURST) != 0)
			return; /* the SYN count says so */
		for (int k = 0; k < SL_BURST; k++) {
			segment(b, &len, w->first + base + (uint32_t)k, SL_TCP_SYN, 0);
			memcpy(rte_pktmbuf_mtod(m[k], uint8_t *), b, len);
			m[k]->data_len = m[k]->pkt_len = len;
			m[k]->ol_flags |= RTE_MBUF_F_RX_RSS_HASH; /* a NIC's queue: RSS */
		}
		uint64_t a = rte_rdtsc();
		sl_rx_burst(w->lc, 0, m, SL_BURST);
		sl_tx_flush(w->lc);
		w->syn_cyc += rte_rdtsc() - a;
		w->syns += SL_BURST;
	}
}

/*
 * Feeds worker @w one burst of its frames, flows in random order (xorshift state @x), through
 * sl_rx_burst() + sl_tx_flush() as the loop does for a NIC queue; or, with @w->out, puts the
 * burst in that ring for another lcore to receive. Preparation is timed apart. False when out
 * of mbufs or of room.
 */
static bool feed_burst(struct wk *w, uint64_t *x)
{
	struct rte_mbuf *m[SL_BURST];
	uint64_t p = rte_rdtsc();
	if (rte_pktmbuf_alloc_bulk(dp.pool, m, SL_BURST) != 0)
		return false;
	for (int k = 0; k < SL_BURST; k++) {
		*x ^= *x << 13, *x ^= *x >> 7, *x ^= *x << 17;
		build(w, (uint32_t)(*x % w->nflows), rte_pktmbuf_mtod(m[k], uint8_t *));
		m[k]->data_len = m[k]->pkt_len = HDR + PAYLOAD;
		m[k]->ol_flags |= RTE_MBUF_F_RX_RSS_HASH;
	}
	uint64_t a = rte_rdtsc();
	w->prep += a - p;
	if (w->out != NULL) {
		if (rte_ring_enqueue_bulk(w->out, (void **)m, SL_BURST, NULL) != SL_BURST) {
			rte_pktmbuf_free_bulk(m, SL_BURST);
			return false;
		}
		w->fed += SL_BURST;
		return true;
	}
	sl_rx_burst(w->lc, 0, m, SL_BURST);
	sl_tx_flush(w->lc);
	w->cyc += rte_rdtsc() - a;
	w->fed += SL_BURST;
	return true;
}

/* Feeds all of worker @w's frames; with @w->room, never more than that ring has room for. */
static void feed_loop(struct wk *w)
{
	uint64_t x = w->seed;
	w->t0 = rte_rdtsc();
	for (uint64_t r = 0; r < w->npkts / SL_BURST; r++) {
		if (w->room != NULL)
			while (rte_ring_free_count(w->room) < SL_BURST)
				rte_pause();
		if (!feed_burst(w, &x))
			break; /* the fed count says so */
	}
	w->t1 = rte_rdtsc();
}

/*
 * One dequeue from worker @w's @in ring, then the frames processed: handed over (the burst through
 * sl_rx_handed(), as dataplane/loop/loop.c does with its rxring; the dequeue is part of it), or
 * received (sl_rx_burst(); the dequeue stands for the NIC's and is not timed); then the TX
 * flush. Timed when it found frames. Returns how many it found.
 */
static unsigned drain_burst(struct wk *w)
{
	struct rte_mbuf *m[SL_BURST];
	uint64_t a = rte_rdtsc();
	unsigned n = rte_ring_dequeue_burst(w->in, (void **)m, SL_BURST, NULL);
	if (n == 0)
		return 0;
	if (w->handed) {
		sl_rx_handed(w->lc, m, (uint16_t)n);
	} else {
		a = rte_rdtsc();
		sl_rx_burst(w->lc, 0, m, (uint16_t)n);
	}
	sl_tx_flush(w->lc);
	w->cyc += rte_rdtsc() - a;
	w->fed += n;
	w->bursts++;
	return n;
}

static int job_syn(void *arg)
{
	struct wk *w = arg;
	syn_phase(w);
	__atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
	return 0;
}

/* Scaling: SYNs, then the established phase once every worker of the run is ready. */
static int job_est(void *arg)
{
	struct wk *w = arg;
	syn_phase(w);
	__atomic_add_fetch(&ready, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&go, __ATOMIC_ACQUIRE))
		rte_pause();
	feed_loop(w);
	__atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
	return 0;
}

static int job_feed(void *arg)
{
	struct wk *w = arg;
	feed_loop(w);
	__atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
	return 0;
}

/* Drains @in until the feeding worker is done and nothing is left in it. */
static int job_drain(void *arg)
{
	struct wk *w = arg;
	for (;;) {
		if (drain_burst(w) != 0)
			continue;
		/* done is stored after the last enqueue: seen done, an empty ring is the end */
		if (__atomic_load_n(&w->from->done, __ATOMIC_ACQUIRE) && rte_ring_empty(w->in))
			break;
		rte_pause();
	}
	__atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
	return 0;
}

/*
 * Runs @fn[i](@w[i]) for i < @n: each on its worker's lcore at once (main sleeps meanwhile: it
 * shares a CPU with a worker on a 2-CPU machine), or one after the other on main. With
 * @barrier (job_est), main opens it once every worker has sent its SYNs. 0 or -1.
 */
static int run_jobs(lcore_function_t *const *fn, struct wk *const *w, unsigned n, bool barrier)
{
	ready = 0;
	go = !parallel || !barrier;
	for (unsigned i = 0; i < n; i++)
		w[i]->done = 0;
	if (!parallel) {
		for (unsigned i = 0; i < n; i++)
			fn[i](w[i]);
		return 0;
	}
	for (unsigned i = 0; i < n; i++)
		if (rte_eal_remote_launch(fn[i], w[i], w[i]->lc->lcore_id) != 0) {
			fprintf(stderr, "bench: cannot launch on lcore %u\n", w[i]->lc->lcore_id);
			return -1;
		}
	if (barrier) {
		while (__atomic_load_n(&ready, __ATOMIC_ACQUIRE) < n)
			usleep(2000);
		__atomic_store_n(&go, 1, __ATOMIC_RELEASE);
	}
	for (unsigned i = 0; i < n; i++) {
		while (!__atomic_load_n(&w[i]->done, __ATOMIC_ACQUIRE))
			usleep(2000);
		rte_eal_wait_lcore(w[i]->lc->lcore_id);
	}
	return 0;
}

/*
 * Worker @a feeds frames into a ring that worker @b drains (@a->out or @b's rxring through
 * the path: @a->room says which), both at once; on one lcore, a burst of @a then @b's drain of
 * it, and again. 0 or -1.
 */
static int feed_and_drain(struct wk *a, struct wk *b)
{
	b->from = a;
	if (parallel) {
		lcore_function_t *fn[2] = {job_feed, job_drain};
		struct wk *both[2] = {a, b};
		return run_jobs(fn, both, 2, false);
	}
	uint64_t x = a->seed;
	for (uint64_t r = 0; r < a->npkts / SL_BURST; r++) {
		if (!feed_burst(a, &x))
			break;
		while (drain_burst(b) != 0)
			;
	}
	return 0;
}

/* ------------------------------------------------------------------ checks */

static bool failed;

#define PORT_WIDE UINT_MAX /* expect(): a figure of the port, not of one lcore */

/* Records a counter that does not say what was fed (the run then exits 1). */
static void expect(const char *what, unsigned id, uint64_t got, uint64_t want)
{
	if (got == want)
		return;
	if (id == PORT_WIDE)
		bench_fail("bench_scale", "port: %s %lu, expected %lu", what, (unsigned long)got,
			   (unsigned long)want);
	else
		bench_fail("bench_scale", "lcore %u: %s %lu, expected %lu", id, what,
			   (unsigned long)got, (unsigned long)want);
	failed = true;
}

/* Every drop counter of worker @w must be zero. */
static void expect_no_drop(const struct wk *w)
{
	const uint64_t *c = w->lc->ctr->c;
	for (unsigned k = SL_CTR_FIRST_DROP; k < SL_CTR_MAX; k++)
		expect(sl_ctr_name((enum sl_ctr)k), w->lc->lcore_id, c[k], 0);
}

/* TX stats of port 0: per device queue, and the total. */
static void port_stats(uint64_t q[NWORKERS], uint64_t *total)
{
	struct rte_eth_stats s;
	rte_eth_stats_get(0, &s);
	for (unsigned i = 0; i < NWORKERS; i++)
		q[i] = s.q_opackets[i];
	*total = s.opackets;
}

/* Worker @w sent @want frames on its own queue: sluice's TX counter and the device queue's. */
static void expect_sent(const struct wk *w, const uint64_t q0[NWORKERS],
			const uint64_t q1[NWORKERS], uint64_t want)
{
	unsigned id = w->lc->lcore_id;
	int16_t q = w->lc->tx[0].queue;
	expect("tx_packets", id, w->lc->ctr->c[SL_CTR_TX_PKTS], want);
	expect("frames on its net_null queue", id, q1[q] - q0[q], want);
}

/* ------------------------------------------------------------------ the runs */

static uint32_t nflows = 100000;
static uint64_t npkts = 4000000;

static inline double per(uint64_t cyc, uint64_t n)
{
	return n != 0 ? (double)cyc / (double)n : 0;
}

/* Part 1: @n workers at once, each its flows then its established segments. 0 or -1. */
static int scale_run(unsigned n)
{
	if (setup(n, nflows) != 0)
		return -1;
	struct wk *w[NWORKERS];
	lcore_function_t *fn[NWORKERS];
	for (unsigned i = 0; i < n; i++) {
		w[i] = &wks[i];
		w[i]->npkts = npkts;
		fn[i] = job_est;
	}
	uint64_t q0[NWORKERS], q1[NWORKERS], o0, o1;
	port_stats(q0, &o0);
	if (run_jobs(fn, w, n, true) != 0)
		return -1;
	port_stats(q1, &o1);

	uint64_t t0 = UINT64_MAX, t1 = 0, fed = 0, wall = 0;
	for (unsigned i = 0; i < n; i++) {
		t0 = RTE_MIN(t0, w[i]->t0);
		t1 = RTE_MAX(t1, w[i]->t1);
		wall += w[i]->t1 - w[i]->t0;
		fed += w[i]->fed;
	}
	if (parallel)
		wall = t1 - t0;
	double secs = (double)wall / (double)dp.tsc_hz;
	printf("  %u worker%s: %6.2f Mpps in total (%lu established segments in %.3f s%s)\n", n,
	       n > 1 ? "s" : " ", (double)fed / secs / 1e6, (unsigned long)fed, secs,
	       parallel ? "" : ", one worker after the other");
	for (unsigned i = 0; i < n; i++)
		printf("           lcore %u: %6.1f cycles/packet (path), "
		       "%5.1f (frame preparation), %6.2f Mpps on its own; "
		       "SYN %6.1f cycles/packet\n",
		       w[i]->lc->lcore_id, per(w[i]->cyc, w[i]->fed), per(w[i]->prep, w[i]->fed),
		       (double)w[i]->fed / ((double)(w[i]->t1 - w[i]->t0) / (double)dp.tsc_hz) /
			       1e6,
		       per(w[i]->syn_cyc, w[i]->syns));

	uint64_t sent = 0;
	for (unsigned i = 0; i < n; i++) {
		const uint64_t *c = w[i]->lc->ctr->c;
		unsigned id = w[i]->lc->lcore_id;
		expect("SYNs sent", id, w[i]->syns, nflows);
		expect("established segments fed", id, w[i]->fed, npkts);
		expect("l4_flows_new", id, c[SL_CTR_L4_FLOWS_NEW], w[i]->syns);
		expect("flows in its table", id, sl_flow_count(w[i]->lc->l4->ft), w[i]->syns);
		expect("rx_packets", id, c[SL_CTR_RX_PKTS], w[i]->syns + w[i]->fed);
		expect("l4_packets_to_server", id, c[SL_CTR_L4_PKTS_TO_SERVER],
		       w[i]->syns + w[i]->fed);
		expect_sent(w[i], q0, q1, w[i]->syns + w[i]->fed);
		expect_no_drop(w[i]);
		sent += w[i]->syns + w[i]->fed;
	}
	expect("frames sent", PORT_WIDE, o1 - o0, sent);
	teardown(n);
	return 0;
}

/*
 * Worker @w fed replies of its own flows: for each of its clients, the flow's server side read
 * from its table (server:port -> local address:local port), as the server sends it (ACK with
 * PAYLOAD bytes; the sequence numbers of the first flow's reply). 0 or -1.
 */
static int replies(struct wk *w, struct var *vars)
{
	static uint8_t whole[SL_BURST][HDR + PAYLOAD];
	uint32_t ack = 0;
	uint16_t len;
	for (uint32_t i = 0; i < w->nflows; i++) {
		uint32_t ci = w->first + i;
		struct sl_flow_key ck = {.saddr = cli_ip(ci),
					 .daddr = VIP,
					 .sport = cli_port(ci),
					 .dport = 1935,
					 .proto = SL_IPPROTO_TCP};
		enum sl_flow_dir d;
		const struct sl_flow *f = sl_flow_lookup(w->lc->l4->ft, &ck, sl_flow_key_hash(&ck),
							 &d, w->lc->now_ms);
		if (f == NULL || f->k[SL_FLOW_DIR_SERVER].daddr != VIP) {
			fprintf(stderr, "bench: no flow to VIP for client %u on lcore %u\n", ci,
				w->lc->lcore_id);
			return -1;
		}
		const struct sl_flow_key *sk = &f->k[SL_FLOW_DIR_SERVER];
		vars[i] = (struct var){sk->saddr, sk->dport};
		if (i == 0)
			ack = 2 + f->tcp_off;
		/* the first flows' replies built whole: the base, then what build() must give */
		if (i < SL_BURST)
			tcp_frame(whole[i], &len, dp.ports[0].mac.addr_bytes, srv_mac, sk->saddr,
				  sk->sport, sk->daddr, sk->dport, SL_TCP_ACK, 1000, ack, PAYLOAD);
	}
	memcpy(w->base, whole[0], HDR);
	w->port_off = OFF_DPORT;
	w->vars = vars;
	for (uint32_t i = 0; i < w->nflows && i < SL_BURST; i++)
		if (!build_ok(w, i, whole[i]))
			return -1;
	return 0;
}

/*
 * Part 2: replies of B's flows, to B directly (from its NIC queue, frames written by itself
 * then by A), then to A, which hands them to B. 0 or -1.
 */
static int steer_run(void)
{
	if (setup(NWORKERS, nflows) != 0)
		return -1;
	struct wk *a = &wks[0], *b = &wks[1];
	struct wk *both[2] = {a, b};
	lcore_function_t *syn[2] = {job_syn, job_syn};
	uint64_t q0[NWORKERS], q1[NWORKERS], o0, o1;
	port_stats(q0, &o0);
	if (run_jobs(syn, both, 2, false) != 0)
		return -1;
	struct var *vars = malloc(sizeof(*vars) * nflows);
	struct rte_ring *wire = rte_ring_create("scale_wire", SL_RING_SIZE, rte_socket_id(),
						RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (vars == NULL || wire == NULL || replies(b, vars) != 0)
		return -1;
	/* A feeds the same frames as B: B's replies */
	memcpy(a->base, b->base, HDR);
	a->port_off = b->port_off;
	a->vars = vars;
	a->npkts = b->npkts = npkts;

	/* direct: the owner receives its flows' replies, frames it wrote itself */
	lcore_function_t *feed[1] = {job_feed};
	if (run_jobs(feed, &b, 1, false) != 0)
		return -1;
	uint64_t direct = b->fed, direct_cyc = b->cyc;

	/* direct, frames written by A: what a frame costs when its lines are in another core's
	 * cache, as every handed frame's are */
	b->fed = b->cyc = b->bursts = 0;
	a->room = a->out = b->in = wire;
	b->handed = false;
	if (feed_and_drain(a, b) != 0)
		return -1;
	uint64_t cold = b->fed, cold_cyc = b->cyc, wired = a->fed;

	/* steered: A receives them, finds no flow and hands them to B; B processes them */
	a->fed = a->cyc = a->prep = 0;
	b->fed = b->cyc = b->bursts = 0;
	a->out = NULL;
	a->room = b->in = b->lc->rxring;
	b->handed = true;
	if (feed_and_drain(a, b) != 0)
		return -1;
	port_stats(q1, &o1);

	printf("  steered reply (server -> local port of a flow of the other worker), "
	       "%u flows each%s:\n",
	       nflows, parallel ? "" : ", one lcore");
	printf("    direct, on its owner (lcore %u)                      %6.1f cycles/packet\n",
	       b->lc->lcore_id, per(direct_cyc, direct));
	printf("    direct, on its owner, frames written by lcore %u      %6.1f cycles/packet\n",
	       a->lc->lcore_id, per(cold_cyc, cold));
	printf("    hand-over, on the receiving worker (lcore %u)         %6.1f cycles/packet\n",
	       a->lc->lcore_id, per(a->cyc, a->fed));
	printf("    handed processing, on its owner (lcore %u)            %6.1f cycles/packet "
	       "(%.1f frames a dequeue)\n",
	       b->lc->lcore_id, per(b->cyc, b->fed), per(b->fed, b->bursts));

	const uint64_t *ca = a->lc->ctr->c, *cb = b->lc->ctr->c;
	unsigned ia = a->lc->lcore_id, ib = b->lc->lcore_id;
	for (unsigned i = 0; i < 2; i++) {
		unsigned id = both[i]->lc->lcore_id;
		expect("SYNs sent", id, both[i]->syns, nflows);
		expect("l4_flows_new", id, both[i]->lc->ctr->c[SL_CTR_L4_FLOWS_NEW], both[i]->syns);
		expect_no_drop(both[i]);
	}
	expect("direct replies fed", ib, direct, npkts);
	expect("replies written for it", ia, wired, npkts);
	expect("replies received from another lcore", ib, cold, wired);
	expect("replies fed to the other worker", ia, a->fed, npkts);
	expect("rx_packets", ia, ca[SL_CTR_RX_PKTS], a->syns + a->fed);
	expect("l4_steered_to_owner", ia, ca[SL_CTR_L4_STEERED], a->fed);
	expect("frames drained from its rxring", ib, b->fed, a->fed);
	expect("rx_packets", ib, cb[SL_CTR_RX_PKTS], b->syns + direct + cold);
	expect("rx_handed_over", ib, cb[SL_CTR_RX_HANDED], a->fed);
	expect("l4_packets_to_client", ib, cb[SL_CTR_L4_PKTS_TO_CLIENT], direct + cold + b->fed);
	expect_sent(a, q0, q1, a->syns);
	expect_sent(b, q0, q1, b->syns + direct + cold + b->fed);
	expect("frames sent", PORT_WIDE, o1 - o0, a->syns + b->syns + direct + cold + b->fed);
	rte_ring_free(wire);
	free(vars);
	teardown(NWORKERS);
	return 0;
}

/*
 * Feeds worker @w the SYNs of clients @list[0..@n) in bursts, as a port whose queues follow the
 * sender (no RSS hash: the 4-tuple's hash names the owner); with @to, that worker then drains
 * its rxring after each burst (sl_rx_handed()). Cycles of each side into @cyc_w and @cyc_to.
 */
static void owner_syns(struct wk *w, struct wk *to, const uint32_t *list, uint32_t n,
		       uint64_t *cyc_w, uint64_t *cyc_to)
{
	struct rte_mbuf *m[SL_BURST];
	uint8_t b[HDR];
	uint16_t len;
	for (uint32_t base = 0; base + SL_BURST <= n; base += SL_BURST) {
		if (rte_pktmbuf_alloc_bulk(dp.pool, m, SL_BURST) != 0)
			return; /* the counts say so */
		for (int k = 0; k < SL_BURST; k++) {
			segment(b, &len, list[base + (uint32_t)k], SL_TCP_SYN, 0);
			memcpy(rte_pktmbuf_mtod(m[k], uint8_t *), b, len);
			m[k]->data_len = m[k]->pkt_len = len;
		}
		uint64_t a = rte_rdtsc();
		sl_rx_burst(w->lc, 0, m, SL_BURST);
		sl_tx_flush(w->lc);
		*cyc_w += rte_rdtsc() - a;
		if (to == NULL)
			continue;
		a = rte_rdtsc();
		unsigned got;
		struct rte_ring *r = to->lc->rxring;
		while ((got = rte_ring_dequeue_burst(r, (void **)m, SL_BURST, NULL)) != 0) {
			sl_rx_handed(to->lc, m, (uint16_t)got);
			sl_tx_flush(to->lc);
		}
		*cyc_to += rte_rdtsc() - a;
	}
}

/*
 * Part 3: new flows on a port whose queues follow the sender (veth, AF_XDP, af_packet, tap):
 * the 4-tuple's hash names the owner. A receives SYNs of clients it owns (a new flow each, the
 * owner computed on the way), then SYNs of clients B owns, which it hands to B's rxring; B
 * drains them after each burst and makes their flows. One lcore: the hand-over's cost on each
 * side, not a cross-core figure (part 2 has that for replies). 0 or -1.
 */
static int owner_run(void)
{
	if (setup(NWORKERS, nflows) != 0)
		return -1;
	struct wk *a = &wks[0], *b = &wks[1];
	uint32_t *own = malloc(sizeof(*own) * nflows), *other = malloc(sizeof(*other) * nflows);
	if (own == NULL || other == NULL)
		return -1;
	/* clients of both workers' ranges (known to the neighbour table), sorted by owner */
	uint32_t nown = 0, nother = 0;
	for (uint32_t c = 0; c < NWORKERS * nflows && (nown < nflows || nother < nflows); c++) {
		struct sl_flow_key k = {.saddr = cli_ip(c),
					.daddr = VIP,
					.sport = cli_port(c),
					.dport = 1935,
					.proto = SL_IPPROTO_TCP};
		if (sl_l4_owner_idx(sl_flow_key_hash(&k), NWORKERS) == 0) {
			if (nown < nflows)
				own[nown++] = c;
		} else if (nother < nflows) {
			other[nother++] = c;
		}
	}
	nown = nown / SL_BURST * SL_BURST;
	nother = nother / SL_BURST * SL_BURST;
	uint64_t q0[NWORKERS], q1[NWORKERS], o0, o1, cyc_own = 0, cyc_hand = 0, cyc_made = 0;
	port_stats(q0, &o0);
	owner_syns(a, NULL, own, nown, &cyc_own, NULL);
	owner_syns(a, b, other, nother, &cyc_hand, &cyc_made);
	port_stats(q1, &o1);
	printf("  new flow on a port whose queues follow the sender (the 4-tuple's hash names the "
	       "owner), %u + %u SYNs, one lcore:\n",
	       nown, nother);
	printf("    SYN on its owner                                     %6.1f cycles/packet\n",
	       per(cyc_own, nown));
	printf("    SYN handed over, on the receiving worker              %6.1f cycles/packet\n",
	       per(cyc_hand, nother));
	printf("    handed SYN, new flow on its owner                     %6.1f cycles/packet\n",
	       per(cyc_made, nother));
	const uint64_t *ca = a->lc->ctr->c, *cb = b->lc->ctr->c;
	unsigned ia = a->lc->lcore_id, ib = b->lc->lcore_id;
	expect("l4_flows_new", ia, ca[SL_CTR_L4_FLOWS_NEW], nown);
	expect("l4_client_to_owner", ia, ca[SL_CTR_L4_TO_OWNER], nother);
	expect("l4_flows_new", ib, cb[SL_CTR_L4_FLOWS_NEW], nother);
	expect("rx_handed_over", ib, cb[SL_CTR_RX_HANDED], nother);
	expect("flows in its table", ib, sl_flow_count(b->lc->l4->ft), nother);
	expect_sent(a, q0, q1, nown);
	expect_sent(b, q0, q1, nother);
	expect("frames sent", PORT_WIDE, o1 - o0, nown + nother);
	expect_no_drop(a);
	expect_no_drop(b);
	free(own);
	free(other);
	teardown(NWORKERS);
	return 0;
}

int main(int argc, char **argv)
{
	bool smoke;
	int ret = bench_eal_init(argc, argv, &smoke);
	if (ret < 0) {
		fprintf(stderr, "EAL init failed: bench_scale --no-huge -m 1024 --no-pci "
				"--vdev=net_null0 -l 0-2\n");
		return 1;
	}
	argc -= ret;
	argv += ret;
	int opt;
	if (smoke) {
		nflows = 1000;
		npkts = 4096;
	}
	while (!smoke && (opt = getopt(argc, argv, "f:n:")) != -1) {
		if (opt == 'f')
			nflows = (uint32_t)atol(optarg);
		if (opt == 'n')
			npkts = (uint64_t)atoll(optarg);
	}
	/* whole bursts, so that every count is exact */
	nflows = (nflows + SL_BURST - 1) / SL_BURST * SL_BURST;
	npkts = (npkts + SL_BURST - 1) / SL_BURST * SL_BURST;
	if (nflows == 0 || nflows > MAX_FLOWS || npkts == 0) {
		fprintf(stderr, "bench_scale: -f 1..%u flows per worker, -n 1 or more packets\n",
			MAX_FLOWS);
		return 1;
	}

	/* workers on the first two lcores after main; one lcore only: ids of their own, run on
	 * main (an lcore id only names the context, its counters and its ring here) */
	unsigned id = rte_get_next_lcore(-1, 1, 0), n = 0;
	for (; n < NWORKERS && id < RTE_MAX_LCORE; id = rte_get_next_lcore(id, 1, 0))
		wids[n++] = id;
	parallel = n == NWORKERS;
	for (unsigned w = 0; !parallel && w < NWORKERS; w++)
		wids[w] = (rte_get_main_lcore() + 1 + w) % RTE_MAX_LCORE;

	struct sl_cfg *cfg = make_cfg();
	if (cfg == NULL || bench_dp_init_queues(&dp, 16384, NWORKERS) < 0)
		return 1;
	for (int i = 0; i < NSERVERS; i++) {
		uint8_t mac[6] = {0x02, 0x77, 0, 0, 1, (uint8_t)(i + 1)};
		sl_neigh_learn(dp.neigh, 0x0a4d0100u + (uint32_t)i + 1, mac, 0);
	}
	/* the clients of both workers (1000 flows per client address) */
	for (uint32_t c = 0; c <= (NWORKERS * nflows - 1) / 1000; c++) {
		uint8_t mac[6] = {0x02, 0x77, 0, 2, (uint8_t)(c >> 8), (uint8_t)c};
		if (sl_neigh_learn(dp.neigh, cli_ip(c * 1000), mac, 0) != 0) {
			fprintf(stderr, "bench_scale: neighbour table full at client %u\n", c);
			return 1;
		}
	}
	/* one address on the clients' and servers' /8 so both are on-link */
	dp.addrs[0] = (struct sl_addr){.ip = VIP, .mask = 0xff000000u, .port = 0};
	dp.naddrs = 1;
	if (bench_routes(&dp) != 0)
		return 1;
	dp.cfg = cfg;
	struct sl_siphash_key key = {1, 2};
	struct sl_gen *l4;
	dp.worker_ids[0] = wids[0];
	if (sl_l4_init(&dp, &key) != 0 || sl_gen_build(cfg, &dp, NULL, NULL, &l4) != 0)
		return 1;
	dp.gen = l4;

	printf("sluice L4 path (full NAT) over lcores: %d servers, balance source, %u flows and "
	       "%lu established segments per worker, bursts of %d, TSC %.2f GHz\n",
	       NSERVERS, nflows, (unsigned long)npkts, SL_BURST, (double)dp.tsc_hz / 1e9);
	if (!parallel)
		printf("  (fewer than 3 lcores: the workers run one after the other on lcore %u, "
		       "not a scaling figure)\n",
		       rte_lcore_id());
	if (scale_run(1) != 0 || scale_run(2) != 0 || steer_run() != 0 || owner_run() != 0)
		return 1;

	dp.gen = NULL;
	sl_gen_free(l4);
	sl_l4_fini(&dp);
	rte_eth_dev_stop(0);
	sl_cfg_free(cfg);
	rte_eal_cleanup();
	return failed ? 1 : 0;
}
