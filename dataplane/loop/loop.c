/* SPDX-License-Identifier: BSD-3-Clause */
#include "dataplane/loop/loop.h"

#include <sched.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_prefetch.h>

#include "dataplane/core/gen.h"
#include "dataplane/core/ipout.h"
#include "dataplane/core/lcore.h"
#include "dataplane/core/tx.h"
#include "dataplane/loop/rx.h"

#define SL_IDLE_POLLS 256     /* empty polls before backing off */
#define SL_IDLE_MAX_US 1000   /* longest sleep of an idle lcore that receives packets */
#define SL_IDLE_MAX_US_CTL 10000 /* longest sleep of an lcore without queues (main only) */
#define SL_CMDS_PER_TICK 64   /* commands handed out per millisecond (the rest wait) */

static void idle(struct sl_lcore *lc, bool busy)
{
	if (busy || lc->dp->poll_mode) {
		lc->idle_polls = 0;
		lc->sleep_us = 0;
		return;
	}
	if (++lc->idle_polls < SL_IDLE_POLLS) {
		/* An empty poll gives the CPU to whatever else is runnable on it (another lcore on a
		 * shared core, clients and servers on a small machine); alone on its CPU, the
		 * call returns at once. One system call per empty poll, never per packet. */
		sched_yield();
		return;
	}
	/* Back off exponentially up to SL_IDLE_MAX_US: an idle balancer must not burn a core.
	 * The cost is up to that much added latency for the first packet after a quiet spell. */
	unsigned max = (lc->roles & (SL_ROLE_WORKER | SL_ROLE_PROXY)) ? SL_IDLE_MAX_US :
								       SL_IDLE_MAX_US_CTL;
	lc->sleep_us = lc->sleep_us == 0 ? 1 : lc->sleep_us * 2;
	if (lc->sleep_us > max)
		lc->sleep_us = max;
	struct timespec ts = {.tv_sec = 0, .tv_nsec = (long)lc->sleep_us * 1000};
	nanosleep(&ts, NULL);
	lc->ctr->idle_sleeps++;
}

/*
 * Follows a reload: when the published generation comes from another configuration, every
 * role is pointed at it; once no role holds anything of an earlier one, the lcore says so in
 * lc->cfg_clean and the main lcore may free it.
 */
static void follow(struct sl_lcore *lc)
{
	const struct sl_gen *g = __atomic_load_n(&lc->dp->gen, __ATOMIC_ACQUIRE);
	if (g == NULL || g->cfg == NULL)
		return;
	if (g->cfg != lc->cfg) {
		for (unsigned i = 0; i < lc->nrole; i++)
			if (lc->role[i].follow != NULL)
				lc->role[i].follow(lc, lc->role[i].st, g);
		lc->cfg = g->cfg;
		lc->cfg_gen = g->cfg_gen;
	}
	if (lc->cfg_clean == lc->cfg)
		return;
	unsigned held = 0;
	for (unsigned i = 0; i < lc->nrole; i++)
		if (lc->role[i].held != NULL)
			held += lc->role[i].held(lc, lc->role[i].st);
	if (held == 0)
		__atomic_store_n(&lc->cfg_clean, lc->cfg, __ATOMIC_RELEASE);
}

void sl_loop_roles(struct sl_lcore *lc)
{
	follow(lc);
	struct sl_msg m;
	for (unsigned n = 0; n < SL_CMDS_PER_TICK && sl_msg_recv(lc, &m); n++)
		sl_lcore_dispatch(lc, &m);
	for (unsigned i = 0; i < lc->nrole; i++)
		if (lc->role[i].tick != NULL)
			lc->role[i].tick(lc, lc->role[i].st);
}

int sl_loop_run(struct sl_lcore *lc, sl_main_hook_fn hook, void *hook_arg)
{
	struct sl_dp *dp = lc->dp;
	struct rte_mbuf *pkts[SL_BURST];
	uint64_t tick = dp->tsc_hz / 1000;

	lc->now_ms = sl_dp_now_ms(dp);
	lc->next_tick_tsc = rte_rdtsc() + tick;
	if (lc->roles & SL_ROLE_WORKER)
		for (unsigned p = 0; p < dp->nports; p++)
			if (lc->rxq[p] == 0)
				sl_arp_announce(lc, (uint16_t)p);

	/* every lcore that reads the published generation is an RCU reader */
	bool reader = (lc->roles & (SL_ROLE_WORKER | SL_ROLE_PROXY)) && dp->qsbr != NULL;
	if (reader)
		rte_rcu_qsbr_thread_online(dp->qsbr, lc->lcore_id);
	while (!dp->quit) {
		uint64_t t0 = rte_rdtsc();
		if (reader)
			rte_rcu_qsbr_quiescent(dp->qsbr, lc->lcore_id);
		unsigned work = 0;
		for (unsigned p = 0; p < dp->nports; p++) {
			if (lc->rxq[p] < 0)
				continue;
			const struct sl_port *sp = &dp->ports[p];
			uint16_t n = rte_eth_rx_burst(sp->qdev[lc->rxq[p]], sp->qnum[lc->rxq[p]],
						      pkts, SL_BURST);
			if (n == 0)
				continue;
			work += n;
			sl_rx_burst(lc, (uint16_t)p, pkts, n);
		}
		if (lc->rxring != NULL && !rte_ring_empty(lc->rxring)) {
			unsigned n = rte_ring_dequeue_burst(lc->rxring, (void **)pkts, SL_BURST, NULL);
			sl_rx_handed(lc, pkts, (uint16_t)n);
			work += n;
		}
		if (lc->txring != NULL) {
			unsigned n = rte_ring_dequeue_burst(lc->txring, (void **)pkts, SL_BURST, NULL);
			for (unsigned i = 0; i < n; i++)
				sl_tx(lc, pkts[i]->port, pkts[i]);
			work += n;
		}
		sl_tx_flush(lc);

		uint64_t t1 = rte_rdtsc();
		if (t1 >= lc->next_tick_tsc) {
			lc->next_tick_tsc = t1 + tick;
			lc->now_ms = sl_dp_now_ms(dp);
			if (lc->npending != 0)
				sl_ipout_tick(lc);
			sl_loop_roles(lc);
			sl_tx_flush(lc);
			if (hook != NULL)
				hook(dp, hook_arg);
		}
		lc->ctr->polls++;
		if (work != 0) {
			lc->ctr->busy_polls++;
			lc->ctr->busy_cycles += rte_rdtsc() - t0;
		}
		idle(lc, work != 0);
	}
	if (reader)
		rte_rcu_qsbr_thread_offline(dp->qsbr, lc->lcore_id);
	/* leave nothing behind: frames still waiting for ARP are dropped and counted */
	sl_ipout_drain(lc);
	sl_tx_flush(lc);
	return 0;
}

int sl_loop_main(void *arg)
{
	return sl_loop_run(arg, NULL, NULL);
}
