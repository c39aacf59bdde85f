/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the in-process benchmarks share: EAL started from the command line or, for --smoke, with
 * arguments of their own; a dataplane context with one port on DPDK's net_null PMD (TX frees
 * the frames), its mbuf pool, counters and neighbour table, and one lcore that is main and
 * worker at once. Header-only: each benchmark is one program.
 */
#ifndef SL_BENCH_DP_H
#define SL_BENCH_DP_H

#include <ftw.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "dataplane/core/dp.h"
#include "dataplane/core/gen.h"
#include "dataplane/core/lcore.h"
#include "tools/bench/bench_smoke.h"

/* The runtime directory of a smoke run's own file prefix, removed at exit (see below). */
static char bench_runtime_dir[PATH_MAX];

static int bench_rm_entry(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st, (void)flag, (void)f;
	remove(path);
	return 0;
}

/* atexit: EAL leaves its runtime directory (config, fbarrays) behind with --no-huge. */
static void bench_rm_runtime_dir(void)
{
	if (bench_runtime_dir[0] != '\0')
		nftw(bench_runtime_dir, bench_rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

/*
 * Starts EAL. With --smoke as the only argument (bench_smoke.h) the benchmark brings its own
 * EAL arguments: plain memory (--no-huge -m 256), net_null0, lcore 0, no telemetry socket and a
 * file prefix of its own, sl-bench-PID, so that it meets neither a running sluiced (whose
 * prefix is sluicePID) nor another benchmark; that prefix's runtime directory is removed when
 * the process exits (tools/bench/smoke.sh removes it after a crash). Otherwise the command
 * line's EAL arguments are used as given.
 * Returns the number of arguments to skip before the benchmark's own options (0 with --smoke,
 * whose callers parse none), or -1 when EAL did not start. *smoke says which mode it is.
 */
static inline int bench_eal_init(int argc, char **argv, bool *smoke)
{
	*smoke = bench_smoke(argc, argv);
	if (!*smoke)
		return rte_eal_init(argc, argv);
	char prefix[64];
	snprintf(prefix, sizeof(prefix), "--file-prefix=sl-bench-%d", (int)getpid());
	char *eal[] = {argv[0], "--no-huge", "-m", "256", "--no-pci", "--vdev=net_null0", "-l", "0",
		       prefix, "--no-telemetry", "--log-level=warning"};
	if (rte_eal_init((int)RTE_DIM(eal), eal) < 0)
		return -1;
	snprintf(bench_runtime_dir, sizeof(bench_runtime_dir), "%s", rte_eal_get_runtime_dir());
	atexit(bench_rm_runtime_dir);
	return 0;
}

/*
 * Fills @dp: pool of @mbufs, counters, neighbours, port 0 (net_null) started with @nq RX/TX queue
 * pairs, each a sluice queue of port 0 served by that device's queue of the same number (the
 * queue map of dataplane/core/dp.h). 0 or -1.
 */
static inline int bench_dp_init_queues(struct sl_dp *dp, unsigned mbufs, uint16_t nq)
{
	dp->tsc_hz = rte_get_tsc_hz();
	dp->start_tsc = rte_rdtsc();
	dp->main_lcore = rte_get_main_lcore();
	dp->pool = rte_pktmbuf_pool_create("bench", mbufs, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	dp->neigh = rte_zmalloc("neigh", sizeof(*dp->neigh), 64);
	dp->ctrs = rte_zmalloc("ctrs", sizeof(struct sl_lcore_ctrs) * RTE_MAX_LCORE, 64);
	dp->tmo = rte_zmalloc("tmo", sizeof(*dp->tmo), 64);
	if (dp->pool == NULL || dp->neigh == NULL || dp->ctrs == NULL || dp->tmo == NULL ||
	    rte_eth_dev_count_avail() == 0) {
		fprintf(stderr, "bench: no memory or no port (pass --vdev=net_null0)\n");
		return -1;
	}
	sl_neigh_init(dp->neigh, 3600000);
	struct rte_eth_conf conf = {0};
	if (rte_eth_dev_configure(0, nq, nq, &conf) != 0) {
		fprintf(stderr, "bench: port setup failed\n");
		return -1;
	}
	for (uint16_t q = 0; q < nq; q++)
		if (rte_eth_rx_queue_setup(0, q, 512, 0, NULL, dp->pool) != 0 ||
		    rte_eth_tx_queue_setup(0, q, 512, 0, NULL) != 0) {
			fprintf(stderr, "bench: queue %u setup failed\n", q);
			return -1;
		}
	if (rte_eth_dev_start(0) != 0) {
		fprintf(stderr, "bench: port start failed\n");
		return -1;
	}
	dp->nports = 1;
	dp->ports[0].id = 0;
	dp->ports[0].nb_queues = nq;
	dp->ports[0].nsub = 1;
	dp->ports[0].sub[0] = 0;
	for (uint16_t q = 0; q < nq; q++) {
		dp->ports[0].qdev[q] = 0;
		dp->ports[0].qnum[q] = q;
		dp->ports[0].xsk_fd[q] = -1;
	}
	rte_eth_macaddr_get(0, &dp->ports[0].mac);
	return 0;
}

/* bench_dp_init_queues() with one queue pair. */
static inline int bench_dp_init(struct sl_dp *dp, unsigned mbufs)
{
	return bench_dp_init_queues(dp, mbufs, 1);
}

/* One lcore, main and worker, owning queue 0 of port 0. NULL when out of memory. Freed with
 * bench_dp_lcore_free(). */
static inline struct sl_lcore *bench_dp_lcore(struct sl_dp *dp)
{
	struct sl_lcore *lc = rte_zmalloc("lc", sizeof(*lc), 64);
	if (lc == NULL)
		return NULL;
	lc->srv = rte_zmalloc("srv", sizeof(*lc->srv) * SL_MAX_SERVERS, 64);
	lc->srv_active = rte_zmalloc("srv_act", sizeof(*lc->srv_active) * SL_MAX_SERVERS, 64);
	lc->cursor = rte_zmalloc("cursor", sizeof(*lc->cursor) * SL_BACKEND_IDS, 64);
	if (lc->srv == NULL || lc->srv_active == NULL || lc->cursor == NULL)
		return NULL;
	lc->lcore_id = rte_lcore_id();
	lc->roles = SL_ROLE_MAIN | SL_ROLE_WORKER;
	lc->dp = dp;
	lc->pool = dp->pool;
	lc->ctr = &dp->ctrs[lc->lcore_id];
	lc->tx[0].queue = 0;
	lc->now_ms = 1;
	dp->worker_ids[0] = lc->lcore_id;
	dp->worker_active[0] = lc->srv_active;
	dp->nworkers = 1;
	dp->arp_owner = lc->lcore_id;
	dp->lcores[lc->lcore_id] = lc;
	return lc;
}

static inline void bench_dp_lcore_free(struct sl_lcore *lc)
{
	rte_free(lc->srv);
	rte_free(lc->srv_active);
	rte_free(lc->cursor);
	rte_free(lc);
}

#endif
