/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of NUMA placement (controlplane/cfg/numa.c): one node (one pool, sized as the
 * single pool always was), two nodes with ports on node 1, workers split across nodes, vdevs
 * (SOCKET_ID_ANY) placed by their interface or by the first worker, main alone on a node, the
 * warnings for a worker serving a port of the other node, and input out of range.
 */
#include <string.h>

#include "controlplane/cfg/numa.h"
#include "tests/unit/sl_test.h"

static const struct sl_numa_sizing SZ = {.per_port_worker = 2560, .per_lcore = 4416,
					 .per_proxy = 2048, .slack = 4096};

/* main on @cpu0 (node @n0), then workers+proxies on the CPUs/nodes given */
static unsigned lcores(struct sl_numa_lcore *lc, unsigned n, const int *node)
{
	for (unsigned i = 0; i < n; i++)
		lc[i] = (struct sl_numa_lcore){.id = i, .cpu = i, .node = node[i],
					       .worker = n == 1 || i > 0, .proxy = n == 1 || i > 0};
	return n;
}

static int make(const struct sl_numa_lcore *lc, unsigned nlc, const struct sl_numa_port *p,
		unsigned np, struct sl_numa_plan *out)
{
	char why[160] = "";
	int r = sl_numa_plan_make(lc, nlc, p, np, &SZ, out, why, sizeof(why));
	if (r != 0)
		fprintf(stderr, "\n  -- %s", why);
	return r;
}

static void test_one_node_one_lcore(void)
{
	struct sl_numa_lcore lc[1];
	struct sl_numa_port p[1] = {{.dev_node = SL_NUMA_ANY, .if_node = SL_NUMA_ANY, .queues = 1}};
	struct sl_numa_plan pl;
	CU_ASSERT_EQUAL_FATAL(make(lc, lcores(lc, 1, (int[]){0}), p, 1, &pl), 0);
	CU_ASSERT_EQUAL(pl.npools, 1);
	CU_ASSERT_EQUAL(pl.first_node, 0);
	CU_ASSERT_EQUAL(pl.port_node[0], 0);
	CU_ASSERT_FALSE(pl.port_known[0]);
	CU_ASSERT_EQUAL(pl.lcore_pool[0], 0);
	/* the single pool of before: ports x workers x 2560 + lcores x 4416 + proxies x 2048 + 4096 */
	CU_ASSERT_EQUAL(pl.mbufs[0], 2560 + 4416 + 2048 + 4096);
	CU_ASSERT_EQUAL(pl.mbufs[1], 0);
	CU_ASSERT_EQUAL(pl.nwarn, 0);
}

static void test_one_node_four_lcores(void)
{
	struct sl_numa_lcore lc[4];
	struct sl_numa_port p[2] = {{.dev_node = 0, .if_node = SL_NUMA_ANY, .queues = 3},
				    {.dev_node = SL_NUMA_ANY, .if_node = SL_NUMA_ANY, .queues = 3}};
	struct sl_numa_plan pl;
	CU_ASSERT_EQUAL_FATAL(make(lc, lcores(lc, 4, (int[]){0, 0, 0, 0}), p, 2, &pl), 0);
	CU_ASSERT_EQUAL(pl.npools, 1);
	CU_ASSERT_EQUAL(pl.mbufs[0], 2 * 3 * 2560 + 4 * 4416 + 3 * 2048 + 4096);
	for (unsigned i = 0; i < 4; i++)
		CU_ASSERT_EQUAL(pl.lcore_pool[i], 0);
	CU_ASSERT_EQUAL(pl.nwarn, 0);
	CU_ASSERT_EQUAL(pl.nwarn_all, 0);
}

/* a CPU whose node is unknown (-1) counts as node 0 */
static void test_unknown_cpu_node(void)
{
	struct sl_numa_lcore lc[2];
	struct sl_numa_port p[1] = {{.dev_node = 0, .if_node = 0, .queues = 1}};
	struct sl_numa_plan pl;
	CU_ASSERT_EQUAL_FATAL(make(lc, lcores(lc, 2, (int[]){-1, -1}), p, 1, &pl), 0);
	CU_ASSERT_EQUAL(pl.npools, 1);
	CU_ASSERT_EQUAL(pl.lcore_pool[1], 0);
	CU_ASSERT_EQUAL(pl.nwarn, 0);
}

/* two nodes, NIC and workers on node 1, main on node 0: one pool, on node 1; main uses it */
static void test_ports_and_workers_on_node1(void)
{
	struct sl_numa_lcore lc[3];
	struct sl_numa_port p[1] = {{.dev_node = 1, .if_node = 1, .queues = 2}};
	struct sl_numa_plan pl;
	CU_ASSERT_EQUAL_FATAL(make(lc, lcores(lc, 3, (int[]){0, 1, 1}), p, 1, &pl), 0);
	CU_ASSERT_EQUAL(pl.npools, 1);
	CU_ASSERT_EQUAL(pl.first_node, 1);
	CU_ASSERT_EQUAL(pl.port_node[0], 1);
	CU_ASSERT(pl.port_known[0]);
	CU_ASSERT_EQUAL(pl.mbufs[0], 0);
	CU_ASSERT_EQUAL(pl.mbufs[1], 2 * 2560 + 3 * 4416 + 2 * 2048 + 4096);
	CU_ASSERT_EQUAL(pl.lcore_pool[0], 1); /* main: no pool on its node */
	CU_ASSERT_EQUAL(pl.lcore_pool[1], 1);
	CU_ASSERT_EQUAL(pl.nwarn, 0);
}

/* ports on node 1, workers on node 0: one pool per node, every worker with a queue warned */
static void test_ports_on_node1_workers_on_node0(void)
{
	struct sl_numa_lcore lc[3];
	struct sl_numa_port p[1] = {{.dev_node = 1, .if_node = SL_NUMA_ANY, .queues = 2}};
	struct sl_numa_plan pl;
	CU_ASSERT_EQUAL_FATAL(make(lc, lcores(lc, 3, (int[]){0, 0, 0}), p, 1, &pl), 0);
	CU_ASSERT_EQUAL(pl.npools, 2);
	CU_ASSERT_EQUAL(pl.mbufs[1], 2 * 2560 + 4096); /* the port's RX pool */
	CU_ASSERT_EQUAL(pl.mbufs[0], 3 * 4416 + 2 * 2048 + 4096);
	CU_ASSERT_EQUAL_FATAL(pl.nwarn, 2);
	CU_ASSERT_EQUAL(pl.warn[0].lcore, 1);
	CU_ASSERT_EQUAL(pl.warn[0].cpu, 1);
	CU_ASSERT_EQUAL(pl.warn[0].lcore_node, 0);
	CU_ASSERT_EQUAL(pl.warn[0].port, 0);
	CU_ASSERT_EQUAL(pl.warn[0].queue, 0);
	CU_ASSERT_EQUAL(pl.warn[0].port_node, 1);
	CU_ASSERT_EQUAL(pl.warn[1].lcore, 2);
	CU_ASSERT_EQUAL(pl.warn[1].queue, 1);
}

/* workers split across nodes, a NIC on each: each worker warned for the other node's port only */
static void test_workers_split(void)
{
	struct sl_numa_lcore lc[5];
	struct sl_numa_port p[2] = {{.dev_node = 0, .if_node = SL_NUMA_ANY, .queues = 4},
				    {.dev_node = 1, .if_node = SL_NUMA_ANY, .queues = 4}};
	struct sl_numa_plan pl;
	CU_ASSERT_EQUAL_FATAL(make(lc, lcores(lc, 5, (int[]){0, 0, 0, 1, 1}), p, 2, &pl), 0);
	CU_ASSERT_EQUAL(pl.npools, 2);
	CU_ASSERT_EQUAL(pl.mbufs[0], 4 * 2560 + 3 * 4416 + 2 * 2048 + 4096);
	CU_ASSERT_EQUAL(pl.mbufs[1], 4 * 2560 + 2 * 4416 + 2 * 2048 + 4096);
	CU_ASSERT_EQUAL(pl.lcore_pool[2], 0);
	CU_ASSERT_EQUAL(pl.lcore_pool[3], 1);
	CU_ASSERT_EQUAL_FATAL(pl.nwarn, 4);
	/* lcores 1 and 2 (node 0) on port 1, lcores 3 and 4 (node 1) on port 0 */
	CU_ASSERT(pl.warn[0].lcore == 1 && pl.warn[0].port == 1 && pl.warn[0].port_node == 1);
	CU_ASSERT(pl.warn[1].lcore == 2 && pl.warn[1].port == 1);
	CU_ASSERT(pl.warn[2].lcore == 3 && pl.warn[2].port == 0 && pl.warn[2].lcore_node == 1);
	CU_ASSERT(pl.warn[3].lcore == 4 && pl.warn[3].port == 0 && pl.warn[3].queue == 3);
}

/* a worker without a queue on a port (fewer queues than workers) is not warned for it */
static void test_no_queue_no_warning(void)
{
	struct sl_numa_lcore lc[4];
	struct sl_numa_port p[1] = {{.dev_node = 0, .if_node = SL_NUMA_ANY, .queues = 1}};
	struct sl_numa_plan pl;
	CU_ASSERT_EQUAL_FATAL(make(lc, lcores(lc, 4, (int[]){0, 0, 1, 1}), p, 1, &pl), 0);
	CU_ASSERT_EQUAL(pl.nwarn, 0);
	CU_ASSERT_EQUAL(pl.npools, 2);
}

/* SOCKET_ID_ANY: a vdev on an interface with a node takes it; without one, the first worker's */
static void test_vdev_any(void)
{
	struct sl_numa_lcore lc[3];
	struct sl_numa_port p[2] = {{.dev_node = SL_NUMA_ANY, .if_node = 1, .queues = 2},
				    {.dev_node = SL_NUMA_ANY, .if_node = SL_NUMA_ANY, .queues = 2}};
	struct sl_numa_plan pl;
	CU_ASSERT_EQUAL_FATAL(make(lc, lcores(lc, 3, (int[]){1, 0, 1}), p, 2, &pl), 0);
	CU_ASSERT_EQUAL(pl.first_node, 0);
	CU_ASSERT_EQUAL(pl.port_node[0], 1);
	CU_ASSERT(pl.port_known[0]);
	CU_ASSERT_EQUAL(pl.port_node[1], 0);
	CU_ASSERT_FALSE(pl.port_known[1]);
	CU_ASSERT_EQUAL(pl.mbufs[0], 2 * 2560 + 4416 + 2048 + 4096);
	CU_ASSERT_EQUAL(pl.mbufs[1], 2 * 2560 + 2 * 4416 + 2048 + 4096);
	/* lcore 1 (node 0) serves port 0 (node 1): warned; port 1's node is a guess: never */
	CU_ASSERT_EQUAL_FATAL(pl.nwarn, 1);
	CU_ASSERT(pl.warn[0].lcore == 1 && pl.warn[0].port == 0);
}

/* the device's node wins over the interface's */
static void test_device_node_first(void)
{
	struct sl_numa_lcore lc[2];
	struct sl_numa_port p[1] = {{.dev_node = 1, .if_node = 0, .queues = 1}};
	struct sl_numa_plan pl;
	CU_ASSERT_EQUAL_FATAL(make(lc, lcores(lc, 2, (int[]){1, 1}), p, 1, &pl), 0);
	CU_ASSERT_EQUAL(pl.port_node[0], 1);
	CU_ASSERT_EQUAL(pl.npools, 1);
}

/* many warnings: counted, at most SL_NUMA_MAX_WARN kept */
static void test_warnings_capped(void)
{
	static struct sl_numa_lcore lc[SL_NUMA_MAX_LCORES];
	struct sl_numa_port p[2] = {{.dev_node = 1, .if_node = SL_NUMA_ANY, .queues = 64},
				    {.dev_node = 1, .if_node = SL_NUMA_ANY, .queues = 64}};
	int node[SL_NUMA_MAX_LCORES] = {0};
	struct sl_numa_plan pl;
	CU_ASSERT_EQUAL_FATAL(make(lc, lcores(lc, SL_NUMA_MAX_LCORES, node), p, 2, &pl), 0);
	CU_ASSERT_EQUAL(pl.nwarn, SL_NUMA_MAX_WARN);
	CU_ASSERT_EQUAL(pl.nwarn_all, 128);
}

static void test_refused(void)
{
	struct sl_numa_lcore lc[2];
	struct sl_numa_port p[1] = {{.dev_node = 0, .if_node = SL_NUMA_ANY, .queues = 1}};
	struct sl_numa_plan pl;
	char why[160] = "";
	lcores(lc, 2, (int[]){0, SL_NUMA_MAX_NODES});
	CU_ASSERT_EQUAL(sl_numa_plan_make(lc, 2, p, 1, &SZ, &pl, why, sizeof(why)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "lcore 1"));
	lcores(lc, 2, (int[]){0, 0});
	p[0].dev_node = 40;
	CU_ASSERT_EQUAL(sl_numa_plan_make(lc, 2, p, 1, &SZ, &pl, why, sizeof(why)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "port 0"));
	p[0].dev_node = 0;
	lc[1].worker = false;
	CU_ASSERT_EQUAL(sl_numa_plan_make(lc, 2, p, 1, &SZ, &pl, why, sizeof(why)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "no worker"));
}

static const struct sl_test_case one_node[] = {
	{"one lcore", test_one_node_one_lcore},
	{"four lcores, two ports", test_one_node_four_lcores},
	{"CPU node unknown", test_unknown_cpu_node},
	{NULL, NULL},
};

static const struct sl_test_case two_nodes[] = {
	{"ports and workers on node 1", test_ports_and_workers_on_node1},
	{"ports on node 1, workers on node 0", test_ports_on_node1_workers_on_node0},
	{"workers split across nodes", test_workers_split},
	{"no queue, no warning", test_no_queue_no_warning},
	{"vdev: SOCKET_ID_ANY", test_vdev_any},
	{"device node before interface node", test_device_node_first},
	{"warnings capped", test_warnings_capped},
	{"out of range refused", test_refused},
	{NULL, NULL},
};

static const struct sl_test_suite suites[] = {
	{"numa/one node", one_node},
	{"numa/two nodes", two_nodes},
	{NULL, NULL},
};

int main(void)
{
	return sl_test_run(suites);
}
