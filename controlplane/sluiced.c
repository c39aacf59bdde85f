/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sluiced: command line, configuration, and the ordered init/teardown of the DPDK process.
 *
 *   sluiced -v                        version
 *   sluiced -c -f FILE [-f FILE2...]  check the configuration only (exit 0 valid, 1 invalid)
 *   sluiced -c -f FILE --dump         check and print the model back as canonical config text
 *   sluiced -f FILE [-f ...] [-- EAL args]  run
 *
 * Start-up is one table of steps (steps[] below), run in order; on failure or at exit the steps
 * that succeeded are undone in reverse order. Nothing is started from constructors.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <net/if.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_mbuf_pool_ops.h>
#include <rte_cycles.h>
#include <rte_random.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_memzone.h>
#include <rte_version.h>

#include "controlplane/cfg/cfg.h"
#include "controlplane/cfg/cfg_reload.h"
#include "controlplane/resolve.h"
#include "controlplane/resolvers.h"
#include "controlplane/alog_drain.h"
#include "controlplane/log/logger.h"
#include "controlplane/cfg/numa.h"
#include "controlplane/check_sched.h"
#include "controlplane/commands.h"
#include "controlplane/daemon.h"
#include "controlplane/gen_build.h"
#include "controlplane/kpage.h"
#include "controlplane/page_render.h"
#include "controlplane/ports.h"
#include "dataplane/core/gen.h"
#include "dataplane/core/lcore.h"
#include "dataplane/core/msg.h"
#include "dataplane/core/route.h"
#include "dataplane/http/http.h"
#include "dataplane/l4/l4.h"
#include "dataplane/loop/frag.h"
#include "dataplane/l4/probe.h"
#include "dataplane/loop/loop.h"
#include "dataplane/page/page.h"
#include "dataplane/tcphost/tcphost.h"
#include "proto/alog.h"
#include "proto/outbuf.h"
#include "tls/tls.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: sluiced [-c] [--dump] [--strict] -f FILE [-f FILE...] [-- EAL-ARGS]\n"
		"       sluiced -v\n"
		"  -f, --file FILE   configuration file (haproxy.cfg syntax + dataplane section);\n"
		"                    several are read in order as one configuration\n"
		"  -c, --check       check the configuration and exit (0 valid, 1 invalid)\n"
		"      --dump        with -c: print the configuration as sluice understood it\n"
		"      --strict      every configuration warning is an error (with -c, at start\n"
		"                    and at each reload)\n"
		"  -q, --quiet       do not print warnings (with --strict they are printed)\n"
		"  -v, --version     print the version and exit\n"
		"  -- EAL-ARGS       extra DPDK EAL arguments\n");
}

static void quiet_diag(void *arg, enum sl_cfg_diag_level level, const char *file, int line,
		       const char *msg)
{
	const bool *strict = arg;
	if (level == SL_DIAG_NOTICE || (level == SL_DIAG_WARNING && !*strict))
		return;
	char pre[4200];
	sl_cfg_diag_prefix(pre, sizeof(pre), level, file, line);
	fprintf(stderr, "%s%s\n", pre, msg);
}

/* Returns 0 to go on, 1 for a clean exit (version, help), -1 for a usage error. */
static int parse_cli(int argc, char **argv, struct cli *cli)
{
	static const struct option longopts[] = {
		{"file", required_argument, NULL, 'f'}, {"check", no_argument, NULL, 'c'},
		{"dump", no_argument, NULL, 'D'},       {"quiet", no_argument, NULL, 'q'},
		{"version", no_argument, NULL, 'v'},    {"help", no_argument, NULL, 'h'},
		{"strict", no_argument, NULL, 'S'},     {NULL, 0, NULL, 0},
	};
	cli->files = calloc((size_t)argc, sizeof(*cli->files));
	if (cli->files == NULL)
		return -1;
	int opt;
	while ((opt = getopt_long(argc, argv, "f:cqvh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'f':
			cli->files[cli->nfiles++] = optarg;
			break;
		case 'c':
			cli->check = true;
			break;
		case 'D':
			cli->dump = true;
			break;
		case 'q':
			cli->quiet = true;
			break;
		case 'S':
			cli->strict = true;
			break;
		case 'v':
			printf("sluiced %s (%s)\n", SL_VERSION, rte_version());
			return 1;
		case 'h':
			usage(stdout);
			return 1;
		default:
			usage(stderr);
			return -1;
		}
	}
	cli->eal_argc = argc - optind;
	cli->eal_argv = argv + optind;
	if (cli->nfiles == 0) {
		fprintf(stderr, "sluiced: no configuration file given (-f FILE)\n");
		usage(stderr);
		return -1;
	}
	if (cli->dump && !cli->check) {
		fprintf(stderr, "sluiced: --dump goes with -c\n");
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------ the running process */

#define SL_TICKET_ROTATE_MS 3600000 /* TLS session ticket keys: a new one every hour */

/* The signal handler's only output; read by the main lcore's hook. */
static volatile sig_atomic_t quit_signal;

static volatile sig_atomic_t reload_signal; /* SIGHUP: reload the configuration */

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		reload_signal = 1;
	else
		quit_signal = sig;
}

static int step_signals(struct daemon *d)
{
	struct sigaction sa = {.sa_handler = on_signal};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

static void undo_signals(struct daemon *d)
{
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
}

static int step_root(struct daemon *d)
{
	if (geteuid() == 0)
		return 0;
	fprintf(stderr, "sluiced: must run as root (DPDK and AF_XDP need CAP_NET_ADMIN, CAP_SYS_ADMIN and CAP_IPC_LOCK)\n");
	return -1;
}

/*
 * The lock file of port @p and what it names, for the messages. An interface is named by its
 * network namespace @netns (the inode of /proc/self/ns/net, which ip-netns and readlink show
 * as "net:[N]") and its name, so that balancers in different namespaces may each have their
 * "eth0"; a PCI device by its address alone (a device is the machine's whatever the namespace),
 * written in full so that "3b:00.0" and "0000:3b:00.0" are one.
 */
static void port_lock_name(const struct sl_dp_port *p, unsigned long netns, char *path, size_t plen,
			   char *what, size_t wlen)
{
	if (p->iface != NULL) {
		snprintf(path, plen, "/run/sluice/net%lu-%s.lock", netns, p->iface);
		snprintf(what, wlen, "interface %s in network namespace net:[%lu]", p->iface,
			 netns);
		return;
	}
	unsigned dom = 0, bus = 0, dev = 0, fn = 0;
	if (sscanf(p->pci, "%x:%x:%x.%x", &dom, &bus, &dev, &fn) != 4)
		sscanf(p->pci, "%x:%x.%x", &bus, &dev, &fn); /* the parser checked the form */
	snprintf(path, plen, "/run/sluice/pci-%04x:%02x:%02x.%x.lock", dom, bus, dev, fn);
	snprintf(what, wlen, "PCI device %04x:%02x:%02x.%x", dom, bus, dev, fn);
}

/*
 * One sluiced per port: a second one on the same interface would detach the first one's XDP
 * program. Every configured port is locked, each by a flock(2) on its file of /run/sluice
 * (port_lock_name()); the kernel drops the locks when the process ends, however it ends.
 * Two ports of one configuration on one interface take its lock once. undo_lock() releases
 * them all.
 */
static int step_lock(struct daemon *d)
{
	if (!d->cfg->dp.present) {
		fprintf(stderr, "sluiced: the configuration has no 'dataplane' section: sluiced needs one to know which NIC and addresses it owns (see docs/config.md)\n");
		return -1;
	}
	struct stat ns;
	if (stat("/proc/self/ns/net", &ns) != 0) {
		fprintf(stderr, "sluiced: cannot tell which network namespace this is (/proc/self/ns/net: %s)\n",
			strerror(errno));
		return -1;
	}
	mkdir("/run/sluice", 0755);
	int *fds = d->lock_fds, fd = -1;
	ino_t inos[SL_MAX_PORTS];
	unsigned n = 0;
	/* more than SL_MAX_PORTS ports are refused by the ports step */
	for (const struct sl_dp_port *p = d->cfg->dp.ports; p != NULL && n < SL_MAX_PORTS;
	     p = p->next) {
		char path[160], what[96];
		port_lock_name(p, (unsigned long)ns.st_ino, path, sizeof(path), what, sizeof(what));
		struct stat st;
		fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
		if (fd < 0 || fstat(fd, &st) != 0) {
			fprintf(stderr, "sluiced: cannot open the lock %s of port %s: %s\n", path,
				p->name, strerror(errno));
			goto close_locks;
		}
		bool taken = false;
		for (unsigned i = 0; i < n; i++)
			taken = taken || inos[i] == st.st_ino;
		if (taken) {
			close(fd);
			continue;
		}
		if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
			if (errno == EWOULDBLOCK)
				fprintf(stderr, "sluiced: another sluiced already runs on port %s (%s; lock %s held)\n",
					p->name, what, path);
			else
				fprintf(stderr, "sluiced: cannot lock %s for port %s: %s\n", path,
					p->name, strerror(errno));
			goto close_locks;
		}
		inos[n] = st.st_ino;
		fds[n++] = fd;
	}
	d->nlocks = n;
	return 0;
close_locks:
	if (fd >= 0)
		close(fd);
	while (n > 0)
		close(fds[--n]);
	return -1;
}

static void undo_lock(struct daemon *d)
{
	while (d->nlocks > 0)
		close(d->lock_fds[--d->nlocks]);
}

/* Global `pidfile`: the process's id written there at start, the file removed at exit. */
static int step_pidfile(struct daemon *d)
{
	const char *path = d->cfg->global.pidfile;
	if (path == NULL)
		return 0;
	FILE *f = fopen(path, "we");
	bool ok = f != NULL && fprintf(f, "%d\n", (int)getpid()) > 0;
	if (f != NULL)
		ok = fclose(f) == 0 && ok;
	if (!ok) {
		fprintf(stderr, "sluiced: cannot write the pidfile %s: %s\n", path, strerror(errno));
		if (f != NULL)
			unlink(path);
		return -1;
	}
	d->pidfile = strdup(path);
	return 0;
}

static void undo_pidfile(struct daemon *d)
{
	if (d->pidfile != NULL)
		unlink(d->pidfile);
	free(d->pidfile);
	d->pidfile = NULL;
}

static int step_precheck(struct daemon *d)
{
	return sl_port_precheck(d->cfg);
}

static void save_iface_flags(struct daemon *d)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	unsigned i = 0;
	for (const struct sl_dp_port *p = d->cfg->dp.ports; p != NULL && i < SL_MAX_PORTS;
	     p = p->next, i++) {
		struct ifreq ifr = {0};
		if (fd < 0 || p->iface == NULL)
			continue;
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", p->iface);
		if (ioctl(fd, SIOCGIFFLAGS, &ifr) == 0) {
			d->saved_flags[i] = ifr.ifr_flags;
			d->flags_saved[i] = true;
		}
	}
	if (fd >= 0)
		close(fd);
}

/* The vdev PMDs leave the interface promiscuous; give the kernel back what it had. */
static void restore_iface_flags(struct daemon *d)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	unsigned i = 0;
	for (const struct sl_dp_port *p = d->cfg->dp.ports; p != NULL && i < SL_MAX_PORTS;
	     p = p->next, i++) {
		struct ifreq ifr = {0};
		if (fd < 0 || !d->flags_saved[i])
			continue;
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", p->iface);
		if (ioctl(fd, SIOCGIFFLAGS, &ifr) != 0)
			continue;
		ifr.ifr_flags = (short)((ifr.ifr_flags & ~IFF_PROMISC) |
					(d->saved_flags[i] & IFF_PROMISC));
		ioctl(fd, SIOCSIFFLAGS, &ifr);
	}
	if (fd >= 0)
		close(fd);
}

static int step_eal(struct daemon *d)
{
	if (sl_port_eal_args(d->cfg, "sluiced", d->cli.eal_argc, d->cli.eal_argv, &d->eal) < 0)
		return -1;
	for (int i = 0; i < d->eal.argc; i++)
		if (strncmp(d->eal.argv[i], "--file-prefix=", 14) == 0)
			snprintf(d->file_prefix, sizeof(d->file_prefix), "%s", d->eal.argv[i] + 14);
	save_iface_flags(d);
	/* rte_eal_init() permutes its argv: give it a copy */
	char *argv[RTE_DIM(d->eal.argv)];
	memcpy(argv, d->eal.argv, sizeof(argv));
	if (rte_eal_init(d->eal.argc, argv) < 0) {
		fprintf(stderr, "sluiced: DPDK EAL initialisation failed: %s (arguments:",
			rte_strerror(rte_errno));
		for (int i = 1; i < d->eal.argc; i++)
			fprintf(stderr, " %s", d->eal.argv[i]);
		fprintf(stderr, ")\n");
		return -1;
	}
	d->eal_up = true;
	return 0;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	remove(path);
	return 0;
}

static void undo_eal(struct daemon *d)
{
	if (d->eal_up)
		rte_eal_cleanup();
	d->eal_up = false;
	if (d->file_prefix[0] != '\0') {
		/* --file-prefix leaves its runtime directory behind */
		char dir[128];
		snprintf(dir, sizeof(dir), "/var/run/dpdk/%s", d->file_prefix);
		nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	}
	sl_argv_free(&d->eal);
	restore_iface_flags(d);
}

/*
 * Memory on @node when hugepages back the EAL's memory; without them (--no-huge) the EAL's
 * memory is one block of plain memory that DPDK counts as node 0, whatever the CPUs: any.
 */
static int mem_socket(int node)
{
	return rte_eal_has_hugepages() ? node : SOCKET_ID_ANY;
}

/* Roles: the first lcore is main; alone, it is also the worker and the proxy lcore; otherwise every
 * other lcore is worker + proxy (design: docs/architecture.md), one on each core and, with
 * `control shared` (the default on two cores), one beside main on the first core
 * (sl_port_eal_args() places them). Each lcore gets its context, rings and per-server counters;
 * every worker and proxy is an RCU reader of the generation. */

/* Whether two lcores run on a common CPU (EAL's --lcores placed them so). */
static bool lcores_share_cpus(void)
{
	unsigned a, b;
	RTE_LCORE_FOREACH(a) {
		RTE_LCORE_FOREACH(b) {
			if (b <= a)
				continue;
			rte_cpuset_t sa = rte_lcore_cpuset(a), sb = rte_lcore_cpuset(b), both;
			CPU_AND(&both, &sa, &sb);
			if (CPU_COUNT(&both) != 0)
				return true;
		}
	}
	return false;
}

_Static_assert(SL_MAX_LCORES <= RTE_MAX_LCORE, "the configuration accepts lcore ids DPDK does not have");
_Static_assert(RTE_MAX_NUMA_NODES <= SL_NUMA_MAX_NODES && SL_MAX_PORTS <= SL_NUMA_MAX_PORTS &&
		       SL_MAX_LCORES <= SL_NUMA_MAX_LCORES,
	       "NUMA placement (controlplane/cfg/numa.h) sized below DPDK's or sluice's limits");

static int step_lcores(struct daemon *d)
{
	struct sl_dp *dp = &d->dp;
	dp->cfg = d->cfg;
	dp->tsc_hz = rte_get_tsc_hz();
	dp->start_tsc = rte_rdtsc();
	dp->poll_mode = d->cfg->dp.idle == SL_IDLE_POLL;
	dp->main_lcore = rte_get_main_lcore();
	dp->cpus_shared = lcores_share_cpus();
	/* several producers: with lcores sharing a CPU, relaxed tail sync */
	unsigned mp = dp->cpus_shared ? RING_F_MP_RTS_ENQ : 0;
	d->ctr_mz = rte_memzone_reserve_aligned("sl_counters",
						sizeof(struct sl_lcore_ctrs) * RTE_MAX_LCORE,
						SOCKET_ID_ANY, 0, RTE_CACHE_LINE_SIZE);
	dp->neigh = rte_zmalloc("sl_neigh", sizeof(*dp->neigh), RTE_CACHE_LINE_SIZE);
	dp->tmo = rte_zmalloc("sl_tmo", sizeof(*dp->tmo), RTE_CACHE_LINE_SIZE);
	dp->inbox = rte_ring_create_elem("sl_inbox", sizeof(struct sl_msg), SL_INBOX_SIZE,
					 SOCKET_ID_ANY, RING_F_SC_DEQ | mp);
	if (d->ctr_mz == NULL || dp->neigh == NULL || dp->tmo == NULL || dp->inbox == NULL) {
		fprintf(stderr, "sluiced: not enough memory for counters, neighbours and rings: raise 'memory' in the dataplane section\n");
		return -1;
	}
	memset(d->ctr_mz->addr, 0, d->ctr_mz->len);
	dp->ctrs = d->ctr_mz->addr;
	dp->qsbr = rte_zmalloc("sl_qsbr", rte_rcu_qsbr_get_memsize(RTE_MAX_LCORE), RTE_CACHE_LINE_SIZE);
	if (dp->qsbr == NULL || rte_rcu_qsbr_init(dp->qsbr, RTE_MAX_LCORE) != 0) {
		fprintf(stderr, "sluiced: not enough memory for RCU state\n");
		return -1;
	}
	sl_neigh_init(dp->neigh, 300 * 1000);
	unsigned id, nl = rte_lcore_count();
	RTE_LCORE_FOREACH(id) {
		/* an lcore's own state on its CPU's node (rte_lcore_to_socket_id) */
		int sock = mem_socket((int)rte_lcore_to_socket_id(id));
		struct sl_lcore *lc = rte_zmalloc_socket("sl_lcore", sizeof(*lc), RTE_CACHE_LINE_SIZE, sock);
		if (lc == NULL) {
			fprintf(stderr, "sluiced: not enough memory for the state of lcore %u\n", id);
			return -1;
		}
		dp->lcores[id] = lc;
		lc->lcore_id = id;
		lc->dp = dp;
		lc->socket = sock;
		lc->ctr = &dp->ctrs[id];
		/* alone, main does everything; otherwise it only controls: its loop serves the stats
		 * socket, checks and reloads, which would hold a queue's frames for a whole rebuild
		 * (docs/performance.md, issue 16); on a core it shares, the kernel's scheduler
		 * interleaves it with the worker there instead */
		if (id == dp->main_lcore)
			lc->roles = SL_ROLE_MAIN | (nl == 1 ? SL_ROLE_WORKER | SL_ROLE_PROXY : 0);
		else
			lc->roles = SL_ROLE_WORKER | SL_ROLE_PROXY;
		if (lc->roles & SL_ROLE_WORKER) {
			lc->worker_idx = dp->nworkers;
			dp->worker_ids[dp->nworkers++] = id;
		}
		if (lc->roles & SL_ROLE_PROXY) {
			lc->proxy_idx = dp->nproxies;
			dp->proxy_ids[dp->nproxies++] = id;
		}
		lc->cfg = lc->cfg_clean = d->cfg;
		lc->cfg_gen = dp->cfg_gen;
		lc->srv = rte_zmalloc_socket("sl_srv_ctrs", sizeof(*lc->srv) * SL_MAX_SERVERS, 64, sock);
		lc->srv_active = rte_zmalloc_socket(
			"sl_srv_act", sizeof(*lc->srv_active) * SL_MAX_SERVERS, 64, sock);
		lc->cursor = rte_zmalloc_socket("sl_cursors", sizeof(*lc->cursor) * SL_BACKEND_IDS,
						64, sock);
		if (lc->roles & SL_ROLE_WORKER)
			dp->worker_active[lc->worker_idx] = lc->srv_active;
		if (lc->roles & SL_ROLE_PROXY)
			dp->proxy_active[lc->proxy_idx] = lc->srv_active;
		char name[32];
		snprintf(name, sizeof(name), "sl_txr_%u", id);
		lc->txring = rte_ring_create(name, SL_RING_SIZE, sock, RING_F_SC_DEQ | mp);
		snprintf(name, sizeof(name), "sl_rxr_%u", id);
		lc->rxring = rte_ring_create(name, SL_RING_SIZE, sock, RING_F_SC_DEQ | mp);
		snprintf(name, sizeof(name), "sl_cmd_%u", id);
		lc->cmdring = rte_ring_create_elem(name, sizeof(struct sl_msg), SL_CMD_RING_SIZE,
						   sock, RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (lc->roles & SL_ROLE_PROXY) { /* access logs: this lcore writes, main reads */
			snprintf(name, sizeof(name), "sl_alog_%u", id);
			lc->alog = rte_ring_create_elem(name, sizeof(struct sl_alog_rec),
							SL_ALOG_RING_SIZE, sock,
							RING_F_SP_ENQ | RING_F_SC_DEQ);
			if (lc->alog == NULL) {
				fprintf(stderr, "sluiced: cannot create the access-log ring of lcore %u: %s\n",
					id, rte_strerror(rte_errno));
				return -1;
			}
		}
		if (lc->txring == NULL || lc->rxring == NULL || lc->cmdring == NULL ||
		    lc->srv == NULL || lc->srv_active == NULL || lc->cursor == NULL) {
			fprintf(stderr, "sluiced: cannot create the rings of lcore %u: %s\n", id,
				rte_strerror(rte_errno));
			return -1;
		}
		if (lc->roles & (SL_ROLE_WORKER | SL_ROLE_PROXY))
			rte_rcu_qsbr_thread_register(dp->qsbr, id);
	}
	dp->arp_owner = dp->worker_ids[0];
	/* the local ports of each use and lcore (sluiced -c checked the same plan) */
	char why[512];
	if (sl_port_plan_make(d->cfg, dp->nworkers, dp->nproxies, &dp->plan, why, sizeof(why)) < 0) {
		fprintf(stderr, "%s\n", why);
		return -1;
	}
	return 0;
}

static void undo_lcores(struct daemon *d)
{
	unsigned id;
	RTE_LCORE_FOREACH(id) {
		struct sl_lcore *lc = d->dp.lcores[id];
		if (lc == NULL)
			continue;
		rte_ring_free(lc->cmdring);
		rte_ring_free(lc->alog);
		struct rte_ring *rings[2] = {lc->txring, lc->rxring};
		for (int k = 0; k < 2; k++) {
			struct rte_mbuf *m;
			if (rings[k] == NULL)
				continue;
			while (rte_ring_dequeue(rings[k], (void **)&m) == 0)
				rte_pktmbuf_free(m);
			rte_ring_free(rings[k]);
		}
		rte_free(lc->srv);
		rte_free(lc->srv_active);
		rte_free(lc->cursor);
		rte_free(lc);
		d->dp.lcores[id] = NULL;
	}
	rte_ring_free(d->dp.inbox);
	rte_free(d->dp.tmo);
	rte_free(d->dp.neigh);
	rte_free(d->dp.qsbr);
	rte_memzone_free(d->ctr_mz);
}

/*
 * The packet pool. Without pci ports its buffers are packed end to end (no IOVA contiguity
 * needed: only PCI DMA needs each buffer within a page): the AF_XDP PMD registers the pool as
 * its sockets' memory, from the first object over populated-size x object-size bytes, so a
 * pool whose objects skip to page boundaries (4 KiB pages without hugepages: one 2.3 KiB mbuf
 * per page) has buffers beyond that memory, and every frame in them is refused by the kernel
 * (tx_invalid, fill ring entries lost).
 */
static struct rte_mempool *pool_create(const char *name, unsigned n, bool packed, int socket,
					bool rts)
{
	/* lcores sharing a CPU: relaxed tail sync, so that one preempted while it returns
	 * buffers to the common ring holds up no other (dp->cpus_shared) */
	const char *ops = rts ? "ring_mt_rts" : rte_mbuf_best_mempool_ops();
	if (!packed)
		return rte_pktmbuf_pool_create_by_ops(name, n, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
						      socket, ops);
	struct rte_mempool *mp = rte_mempool_create_empty(
		name, n, sizeof(struct rte_mbuf) + RTE_MBUF_DEFAULT_BUF_SIZE, 256,
		sizeof(struct rte_pktmbuf_pool_private), socket, RTE_MEMPOOL_F_NO_IOVA_CONTIG);
	if (mp == NULL)
		return NULL;
	struct rte_pktmbuf_pool_private priv = {.mbuf_data_room_size = RTE_MBUF_DEFAULT_BUF_SIZE};
	int r = rte_mempool_set_ops_byname(mp, ops, NULL);
	if (r == 0) {
		rte_pktmbuf_pool_init(mp, &priv);
		r = rte_mempool_populate_default(mp);
	}
	if (r < 0) {
		rte_mempool_free(mp);
		rte_errno = -r;
		return NULL;
	}
	rte_mempool_obj_iter(mp, rte_pktmbuf_init, NULL);
	return mp;
}

struct pool_span {
	uintptr_t lo, hi;
};

static void obj_span(struct rte_mempool *mp, void *arg, void *obj, unsigned idx)
{
	struct pool_span *s = arg;
	uintptr_t a = (uintptr_t)obj - mp->header_size, b = (uintptr_t)obj + mp->elt_size;
	(void)idx;
	if (a < s->lo)
		s->lo = a;
	if (b > s->hi)
		s->hi = b;
}

/* Whether every object of @mp lies within the memory the AF_XDP PMD registers for it: from the
 * page of its first chunk, populated_size objects long (rte_eth_af_xdp.c, xdp_umem_configure). */
static bool pool_fits_umem(struct rte_mempool *mp)
{
	struct rte_mempool_memhdr *mh = STAILQ_FIRST(&mp->mem_list);
	if (mh == NULL || mp->nb_mem_chunks != 1)
		return false;
	uintptr_t base = (uintptr_t)mh->addr & ~((uintptr_t)getpagesize() - 1);
	uint64_t size = (uint64_t)mp->populated_size *
				rte_mempool_calc_obj_size(mp->elt_size, mp->flags, NULL) +
			((uintptr_t)mh->addr - base);
	struct pool_span s = {UINTPTR_MAX, 0};
	rte_mempool_obj_iter(mp, obj_span, &s);
	return s.lo >= base && s.hi - base <= size;
}

/*
 * Where each port, pool and lcore's buffers are (controlplane/cfg/numa.h): the DPDK devices of
 * the ports are found here (the EAL made them), each port gets its node, a warning names each
 * worker serving a port of another node. Fills @pl; 0, or -1 after saying why.
 */
static int numa_place(struct daemon *d, struct sl_numa_plan *pl)
{
	struct sl_dp *dp = &d->dp;
	struct sl_numa_lcore lcs[SL_NUMA_MAX_LCORES];
	struct sl_numa_port ports[SL_NUMA_MAX_PORTS];
	unsigned nlc = 0, id;
	RTE_LCORE_FOREACH(id) {
		const struct sl_lcore *lc = dp->lcores[id];
		if (nlc == SL_NUMA_MAX_LCORES)
			break;
		lcs[nlc++] = (struct sl_numa_lcore){
			.id = id,
			.cpu = rte_lcore_to_cpu_id((int)id),
			.node = (int)rte_lcore_to_socket_id(id),
			.worker = lc->roles & SL_ROLE_WORKER,
			.proxy = lc->roles & SL_ROLE_PROXY,
		};
	}
	unsigned pi = 0;
	for (const struct sl_dp_port *p = d->cfg->dp.ports; p != NULL && pi < dp->nports;
	     p = p->next, pi++) {
		unsigned nq = dp->ports[pi].nb_queues;
		ports[pi] = (struct sl_numa_port){
			.dev_node = rte_eth_dev_socket_id(dp->ports[pi].id),
			.if_node = p->iface != NULL ? sl_iface_numa_node(p->iface) : SL_NUMA_ANY,
			.queues = nq < dp->nworkers ? nq : dp->nworkers,
		};
	}
	/* per worker and port: descriptors of its queue (RX, TX) and frames in flight; per
	 * lcore: its pool cache, rings and frames waiting for ARP; per proxy lcore: payload its
	 * TCP stack keeps; per pool: slack */
	const struct sl_numa_sizing sz = {
		.per_port_worker = 1024 + 1024 + 512,
		.per_lcore = 256 + SL_RING_SIZE / 2 + SL_NEIGH_PENDING,
		.per_proxy = SL_PROXY_EXT_MAX,
		.slack = 4096,
	};
	char why[256];
	if (sl_numa_plan_make(lcs, nlc, ports, dp->nports, &sz, pl, why, sizeof(why)) < 0) {
		fprintf(stderr, "sluiced: NUMA placement: %s\n", why);
		return -1;
	}
	for (unsigned i = 0; i < dp->nports; i++)
		dp->ports[i].socket = pl->port_node[i];
	for (unsigned i = 0; i < pl->nwarn; i++) {
		const struct sl_numa_warn *w = &pl->warn[i];
		fprintf(stderr, "sluiced: warning: lcore %u (CPU %u, NUMA node %d) serves queue %u of port %s on NUMA node %d: each of its frames crosses between nodes; give 'cores' CPUs of node %d (sluice-setup doctor lists them)\n",
			w->lcore, w->cpu, w->lcore_node, w->queue, dp->ports[w->port].name,
			w->port_node, w->port_node);
	}
	if (pl->nwarn_all > pl->nwarn)
		fprintf(stderr, "sluiced: warning: %u more lcore(s) serve a port of another NUMA node\n",
			pl->nwarn_all - pl->nwarn);
	return 0;
}

static int step_pool(struct daemon *d)
{
	struct sl_dp *dp = &d->dp;
	if (sl_port_discover(dp) < 0)
		return -1;
	struct sl_numa_plan pl;
	if (numa_place(d, &pl) < 0)
		return -1;
	bool pci = false;
	for (const struct sl_dp_port *p = d->cfg->dp.ports; p != NULL; p = p->next)
		pci |= p->driver == SL_DRV_PCI;
	/* one pool per node that has ports or worker/proxy lcores */
	for (int node = 0; node < SL_NUMA_MAX_NODES; node++) {
		unsigned n = pl.mbufs[node];
		if (n == 0)
			continue;
		char name[RTE_MEMPOOL_NAMESIZE];
		if (node == pl.first_node)
			snprintf(name, sizeof(name), "sl_mbuf");
		else
			snprintf(name, sizeof(name), "sl_mbuf_node%d", node);
		struct rte_mempool *mp = pool_create(name, n, !pci, mem_socket(node), dp->cpus_shared);
		if (mp == NULL) {
			fprintf(stderr, "sluiced: cannot allocate %u packet buffers (%u MiB) on NUMA node %d: %s; raise 'memory' in the dataplane section or reserve hugepages on that node\n",
				n, (unsigned)((uint64_t)n * (RTE_MBUF_DEFAULT_BUF_SIZE + 192) >> 20),
				node, rte_strerror(rte_errno));
			return -1;
		}
		dp->pools[node] = mp;
	}
	dp->pool = dp->pools[pl.first_node];
	for (unsigned pi = 0; pi < dp->nports; pi++) {
		struct rte_mempool *mp = dp->pools[dp->ports[pi].socket];
		if (dp->ports[pi].af_xdp && !pool_fits_umem(mp)) {
			fprintf(stderr, "sluiced: the packet pool %s is not one packed block (%u chunk(s)%s): AF_XDP sockets could not reach all of it; %s\n",
				mp->name, mp->nb_mem_chunks,
				pci ? ", a pci port needs its buffers page-aligned" : "",
				pci ? "put af_xdp and pci ports in separate sluiced instances" :
				      "raise 'memory' in the dataplane section");
			return -1;
		}
	}
	unsigned id, i = 0;
	RTE_LCORE_FOREACH(id) {
		struct sl_lcore *lc = dp->lcores[id];
		lc->pool = dp->pools[pl.lcore_pool[i++]];
	}
	return 0;
}

static void undo_pool(struct daemon *d)
{
	for (int node = 0; node < SL_NUMA_MAX_NODES; node++) {
		rte_mempool_free(d->dp.pools[node]);
		d->dp.pools[node] = NULL;
	}
	d->dp.pool = NULL;
}

/* An af_xdp port with sluice's XDP program (the PMD attached it at start): its addresses go
 * into the program's map; from then on only their frames come to sluice. */
static void steer(struct daemon *d, unsigned pi)
{
	struct sl_dp *dp = &d->dp;
	struct sl_port *sp = &dp->ports[pi];
	if (!sp->af_xdp || sp->ifindex <= 0)
		return;
	uint32_t a[SL_MAX_ADDRS];
	unsigned n = 0;
	for (unsigned i = 0; i < dp->naddrs; i++)
		if (dp->addrs[i].port == pi)
			a[n++] = dp->addrs[i].ip;
	int r = sl_xdp_port_open(&d->xdp[pi], sp->ifindex, a, n);
	/* one device per queue: the program that stayed knows only its own device's socket */
	for (unsigned q = 0; r == 0 && sp->nsub > 1 && q < sp->nb_queues; q++) {
		if (sp->xsk_fd[q] < 0) {
			fprintf(stderr, "sluiced: port %s: the socket of queue %u was not found: its frames go to the kernel\n",
				sp->name, q);
			continue;
		}
		int e = sl_xdp_port_socket(&d->xdp[pi], q, sp->xsk_fd[q]);
		if (e < 0)
			fprintf(stderr, "sluiced: port %s: cannot add queue %u's socket to the XDP program: %s\n",
				sp->name, q, strerror(-e));
	}
	if (r == 0)
		printf("sluiced: port %s: XDP steering on '%s': frames for %u address(es) to sluice, the rest to the kernel\n",
		       sp->name, sp->iface, n);
	else if (r != -ENOENT)
		fprintf(stderr, "sluiced: port %s: cannot set up sluice's XDP program's maps: %s; its frames stay with the kernel\n",
			sp->name, strerror(-r));
}

static int step_ports(struct daemon *d)
{
	struct sl_dp *dp = &d->dp;
	for (unsigned i = 0; i < SL_MAX_PORTS; i++)
		d->xdp[i].stats_fd = d->xdp[i].addrs_fd = d->xdp[i].xsks_fd = -1;
	unsigned ai = 0;
	for (const struct sl_dp_addr *a = d->cfg->dp.addrs; a != NULL; a = a->next) {
		unsigned pi = 0;
		for (const struct sl_dp_port *p = d->cfg->dp.ports; p != NULL; p = p->next, pi++)
			if (strcmp(p->name, a->port) == 0)
				break;
		if (ai == SL_MAX_ADDRS) {
			fprintf(stderr, "sluiced: at most %d addresses\n", SL_MAX_ADDRS);
			return -1;
		}
		dp->addrs[ai].ip = a->net.v4;
		dp->addrs[ai].mask = a->net.plen == 0 ? 0 : ~0u << (32 - a->net.plen);
		dp->addrs[ai].port = (uint16_t)pi;
		ai++;
	}
	dp->naddrs = ai;
	/* every path chooses its egress port, next hop and source by this table */
	struct sl_route_fault fault;
	dp->routes = sl_route_build_cfg(&d->cfg->dp, &fault);
	if (dp->routes == NULL) {
		fprintf(stderr, "%s:%d: route: %s\n", fault.loc.file ? fault.loc.file : "?",
			fault.loc.line, fault.why ? fault.why : strerror(-fault.err));
		return -1;
	}
	for (unsigned p = 0; p < dp->nports; p++) {
		uint16_t nq = dp->ports[p].nb_queues;
		if (nq > dp->nworkers)
			nq = (uint16_t)dp->nworkers;
		if (sl_port_start(dp, p, nq) < 0)
			return -1;
		steer(d, p);
		/* worker i owns queue pair i; workers without a queue hand frames to worker 0 */
		unsigned id;
		RTE_LCORE_FOREACH(id) {
			struct sl_lcore *lc = dp->lcores[id];
			bool w = lc->roles & SL_ROLE_WORKER;
			int q = w && lc->worker_idx < dp->ports[p].nb_queues ? (int)lc->worker_idx : -1;
			lc->rxq[p] = (int16_t)q;
			lc->tx[p].queue = (int16_t)q;
		}
	}
	return 0;
}

static void undo_ports(struct daemon *d)
{
	sl_port_stop_all(&d->dp, d->xdp);
	sl_route_free((struct sl_route_table *)d->dp.routes);
	d->dp.routes = NULL;
}

/* The first generation (mode tcp services, every backend) and each worker's flow table and
 * local ports. */
static int step_gen(struct daemon *d)
{
	struct sl_dp *dp = &d->dp;
	struct sl_gen *conf;
	struct sl_outbuf why;
	sl_outbuf_init(&why, 1024);
	int r = sl_cfg_assign_slots(NULL, d->cfg, &d->slots, &why);
	if (r < 0)
		fprintf(stderr, "sluiced: %.*s", (int)sl_outbuf_len(&why), sl_outbuf_data(&why));
	sl_outbuf_free(&why);
	if (r == 0 && sl_http_srv_tls_build(d->cfg, dp->nproxies) < 0) /* `ssl` servers */
		return -1;
	if (r == 0)
		r = sl_gen_build(d->cfg, dp, NULL, NULL, &conf);
	if (r < 0) {
		fprintf(stderr, "sluiced: cannot build the L4 configuration: %s\n", strerror(-r));
		return -1;
	}
	struct sl_siphash_key key = {rte_rand(), rte_rand()};
	if (sl_l4_init(dp, &key) < 0) {
		sl_gen_free(conf);
		return -1;
	}
	uint32_t flows = d->cfg->dp.flows > 0 ? (uint32_t)d->cfg->dp.flows :
			 d->cfg->global.maxconn > 65536 ? (uint32_t)d->cfg->global.maxconn :
							  65536;
	for (unsigned i = 0; i < dp->nworkers; i++) {
		struct sl_lcore *lc = dp->lcores[dp->worker_ids[i]];
		if (sl_l4_worker_init(lc, flows, i) < 0) {
			fprintf(stderr, "sluiced: not enough memory for a flow table of %u flows per worker: lower 'flows' or raise 'memory' in the dataplane section\n",
				flows);
			sl_gen_free(conf);
			return -1;
		}
		if (sl_frag_worker_init(lc) < 0) {
			fprintf(stderr, "sluiced: not enough memory for the IPv4 reassembly of a worker: raise 'memory' in the dataplane section\n");
			sl_gen_free(conf);
			return -1;
		}
	}
	__atomic_store_n(&dp->gen, conf, __ATOMIC_RELEASE);
	return 0;
}

static void undo_gen(struct daemon *d)
{
	struct sl_dp *dp = &d->dp;
	for (unsigned i = 0; i < dp->nworkers; i++) {
		sl_l4_worker_fini(dp->lcores[dp->worker_ids[i]]);
		sl_frag_worker_fini(dp->lcores[dp->worker_ids[i]]);
	}
	sl_l4_fini(dp);
	sl_gen_free((struct sl_gen *)dp->gen);
	dp->gen = NULL;
	sl_http_srv_tls_free(d->cfg, dp->nproxies);
}

/* The proxy lcores' TCP stacks and what they serve: built-in services, HTTP checks, the HTTP
 * engine, the stats pages. */
static int step_proxies(struct daemon *d)
{
	struct sl_dp *dp = &d->dp;
	if (sl_tcphost_init(dp, d->cfg) < 0 || sl_http_init(dp, d->cfg) < 0)
		return -1;
	for (unsigned i = 0; i < dp->nproxies; i++) {
		struct sl_lcore *lc = dp->lcores[dp->proxy_ids[i]];
		if (sl_page_lcore_init(dp, lc, d->cfg) < 0 || sl_http_lcore_init(dp, lc, d->cfg) < 0)
			return -1;
	}
	return 0;
}

static void undo_proxies(struct daemon *d)
{
	struct sl_dp *dp = &d->dp;
	for (unsigned i = 0; i < dp->nproxies; i++) {
		struct sl_lcore *lc = dp->lcores[dp->proxy_ids[i]];
		sl_http_lcore_fini(lc);
	}
	sl_tcphost_fini(dp); /* the stacks go: no more callbacks into the pages */
	for (unsigned i = 0; i < dp->nproxies; i++)
		sl_page_lcore_fini(dp->lcores[dp->proxy_ids[i]]);
	sl_http_fini(dp);
}

/* Health probes (the first worker) and the servers' check states (main). */
static int step_checks(struct daemon *d)
{
	if (sl_probe_init(&d->dp) < 0) {
		fprintf(stderr, "sluiced: not enough memory for health probes\n");
		return -1;
	}
	d->checks = sl_checks_create(&d->dp, d->cfg, d->dp.gen, &d->gen_stats);
	if (d->checks == NULL)
		return -1;
	sl_checks_set_logger(d->checks, d->logger);
	return 0;
}

static void undo_checks(struct daemon *d)
{
	sl_reload_free_retired(d);
	sl_checks_destroy(d->checks);
	sl_probe_fini(&d->dp);
}

/* Event logs: the targets of the `log` lines (sockets opened when first used). */
static int step_logger(struct daemon *d)
{
	d->logger = sl_logger_new(d->cfg);
	if (d->logger == NULL)
		return -1;
	for (const struct sl_proxy *px = d->cfg->proxies; px != NULL; px = px->next)
		sl_log(d->logger, px, SL_LOG_NOTICE, "Proxy %s started.", px->name);
	return 0;
}

static void undo_logger(struct daemon *d)
{
	sl_alog_drain(&d->dp, d->cfg, d->logger, SL_ALOG_RING_SIZE * SL_MAX_LCORES);
	for (const struct sl_proxy *px = d->cfg->proxies; px != NULL; px = px->next)
		sl_log(d->logger, px, SL_LOG_NOTICE, "Proxy %s stopped.", px->name);
	sl_logger_free(d->logger);
	d->logger = NULL;
}

static int reload_cmd(void *arg, struct sl_outbuf *out);

static void show_resolvers_cmd(void *arg, struct sl_outbuf *out)
{
	struct daemon *d = arg;
	sl_resolv_show(d->resolv, out);
}

static int step_ctl(struct daemon *d)
{
	struct sl_dp *dp = &d->dp;
	d->ctl = sl_ctl_open(dp, d->cfg, d->checks, d->xdp, &d->gen_stats);
	sl_ctl_set_logger(d->ctl, d->logger);
	if (d->ctl == NULL && d->cfg->global.sockets != NULL)
		return -1;
	sl_ctl_on_reload(d->ctl, reload_cmd, d);
	sl_ctl_on_show_resolvers(d->ctl, show_resolvers_cmd, d);
	d->render = sl_page_render_new(dp, d->ctl, d->cfg);
	if (d->render == NULL) {
		fprintf(stderr, "sluiced: not enough memory for the stats pages\n");
		return -1;
	}
	return sl_kpage_open(dp, d->render, d->cfg, &d->kpage);
}

static void undo_ctl(struct daemon *d)
{
	sl_kpage_close(d->kpage);
	d->kpage = NULL;
	sl_page_render_free(d->render);
	d->render = NULL;
	sl_ctl_close(d->ctl);
}

/* Run-time DNS (`resolvers` sections): a UDP socket per section, polled by main's hook. */
static int step_resolvers(struct daemon *d)
{
	errno = 0;
	d->resolv = sl_resolv_create(d->cfg, NULL);
	return d->resolv != NULL || errno == 0 ? 0 : -1;
}

static void undo_resolvers(struct daemon *d)
{
	sl_resolv_destroy(d->resolv);
	d->resolv = NULL;
}

/* ------------------------------------------------------------------ the main lcore's hook */

static int reload_cmd(void *arg, struct sl_outbuf *out)
{
	size_t from = sl_outbuf_len(out);
	int r = sl_reload(arg, out);
	printf("sluiced: reload (stats socket):\n%.*s", (int)(sl_outbuf_len(out) - from),
	       sl_outbuf_data(out) + from);
	fflush(stdout);
	return r;
}

/* The messages lcores sent main: checks' results, the stats pages' requests, blocks to free. */
/* Main's inbox, within a time budget: stats pages rendered for the lcores (a flood of them) must
 * leave the stats sockets, checks and reloads of the same hook their turn; what is left waits
 * for the next hook, a millisecond later. */
#define SL_INBOX_BUDGET_US 2000
/* access-log records sent per hook (a millisecond apart): 512 000 lines/s at most */
#define SL_ALOG_DRAIN_MAX 512

static void inbox(struct daemon *d)
{
	struct sl_msg m;
	uint64_t t0 = rte_rdtsc(), budget = d->dp.tsc_hz / 1000000 * SL_INBOX_BUDGET_US;
	for (unsigned n = 0; n < SL_INBOX_SIZE && (n == 0 || rte_rdtsc() - t0 < budget) &&
			     sl_msg_main_recv(&d->dp, &m);
	     n++) {
		switch (m.op) {
		case SL_MSG_PROBE_RES:
		case SL_MSG_HCHECK_RES:
			sl_checks_msg(d->checks, &m);
			break;
		case SL_MSG_PAGE_REQ:
		case SL_MSG_FREE_OUTBUF:
			sl_page_render_msg(d->render, &m);
			break;
		case SL_MSG_FREE:
			free(m.ptr);
			break;
		default:
			break;
		}
	}
}

static void main_hook(struct sl_dp *dp, void *arg)
{
	struct daemon *d = arg;
	if (quit_signal != 0)
		dp->quit = 1;
	if (reload_signal) {
		reload_signal = 0;
		struct sl_outbuf o;
		sl_outbuf_init(&o, 65536);
		sl_reload(d, &o);
		printf("sluiced: SIGHUP:\n%.*s", (int)sl_outbuf_len(&o), sl_outbuf_data(&o));
		fflush(stdout);
		sl_outbuf_free(&o);
	}
	/* session ticket keys: a new one every hour, the two before still accepted */
	uint64_t now = sl_dp_now_ms(dp);
	if (dp->http != NULL && dp->http->tickets != NULL &&
	    now - d->tickets_rotated_ms >= SL_TICKET_ROTATE_MS) {
		d->tickets_rotated_ms = now;
		sl_tls_tickets_rotate(dp->http->tickets);
	}
	inbox(d);
	sl_alog_drain(dp, d->cfg, d->logger, SL_ALOG_DRAIN_MAX);
	/* run-time DNS: every 10 ms at most (sockets are read only then); an address change
	 * rebuilds the configuration with it */
	if (d->resolv != NULL && now - d->resolv_polled_ms >= 10) {
		d->resolv_polled_ms = now;
		if (sl_resolv_poll(d->resolv, d->cfg, now)) {
			struct sl_outbuf o;
			sl_outbuf_init(&o, 65536);
			sl_reload_dns(d, &o);
			printf("sluiced: resolvers:\n%.*s", (int)sl_outbuf_len(&o), sl_outbuf_data(&o));
			fflush(stdout);
			sl_outbuf_free(&o);
		}
	}
	sl_checks_tick(d->checks);
	sl_ctl_poll(d->ctl);
	sl_kpage_poll(d->kpage);
	sl_page_render_tick(d->render);
	sl_ctl_sample(d->ctl);
	sl_reload_reap(d);
}

static int step_run(struct daemon *d)
{
	struct sl_dp *dp = &d->dp;
	unsigned id;
	RTE_LCORE_FOREACH_WORKER(id) {
		if (rte_eal_remote_launch(sl_loop_main, dp->lcores[id], id) != 0) {
			fprintf(stderr, "sluiced: cannot launch lcore %u\n", id);
			dp->quit = 1;
			rte_eal_mp_wait_lcore();
			return -1;
		}
	}
	printf("sluiced: running on %u lcore(s) (%u worker(s)); stop with SIGTERM or SIGINT\n",
	       rte_lcore_count(), dp->nworkers);
	fflush(stdout);
	sl_loop_run(dp->lcores[dp->main_lcore], main_hook, d);
	rte_eal_mp_wait_lcore();
	printf("sluiced: stopping (signal %d)\n", (int)quit_signal);
	return 0;
}

struct step {
	const char *name;
	int (*init)(struct daemon *d);
	void (*fini)(struct daemon *d);
};

/* The order of start-up; teardown runs the fini functions backwards. */
static const struct step steps[] = {
	{"signals", step_signals, undo_signals},
	{"privileges", step_root, NULL},
	{"lock", step_lock, undo_lock},
	{"pidfile", step_pidfile, undo_pidfile},
	{"pre-start checks", step_precheck, NULL},
	{"EAL", step_eal, undo_eal},
	{"lcores", step_lcores, undo_lcores},
	{"mbuf pool", step_pool, undo_pool},
	{"ports", step_ports, undo_ports},
	{"generation", step_gen, undo_gen},
	{"proxies", step_proxies, undo_proxies},
	{"logs", step_logger, undo_logger},
	{"health checks", step_checks, undo_checks},
	{"stats socket", step_ctl, undo_ctl},
	{"resolvers", step_resolvers, undo_resolvers},
	{"run", step_run, NULL},
};

static int run(struct daemon *d)
{
	int done = 0, rc = 0;
	for (; done < (int)RTE_DIM(steps); done++) {
		if (steps[done].init(d) < 0) {
			fprintf(stderr, "sluiced: start-up failed at step '%s'\n", steps[done].name);
			rc = 1;
			break;
		}
	}
	for (int i = done - 1; i >= 0; i--)
		if (steps[i].fini != NULL)
			steps[i].fini(d);
	return rc;
}

int main(int argc, char **argv)
{
	struct daemon d = {.nlocks = 0};
	int r = parse_cli(argc, argv, &d.cli);
	if (r != 0) {
		free(d.cli.files);
		return r > 0 ? 0 : 1;
	}

	struct sl_cfg_opts opts = {.strict = d.cli.strict};
	if (d.cli.quiet) {
		opts.diag_fn = quiet_diag;
		opts.diag_arg = &d.cli.strict;
	}
	opts.no_dataplane_ok = !d.cli.check; /* running without one is refused more plainly */
	r = sl_cfg_load_files(d.cli.files, d.cli.nfiles, &opts, &d.cfg);
	if (r == 0 && sl_resolve_cfg(d.cfg, NULL, opts.diag_fn, opts.diag_arg) < 0) {
		sl_cfg_free(d.cfg); /* server host names (init-addr), as HAProxy's start and -c */
		d.cfg = NULL;
		r = -EINVAL;
	}
	if (r < 0) {
		if (r == -ENOMEM)
			fprintf(stderr, "sluiced: out of memory while reading the configuration\n");
		fprintf(stderr, "sluiced: configuration is invalid\n");
		free(d.cli.files);
		return 1;
	}
	if (sl_http_check_certs(d.cfg) > 0) { /* certificates: refused before anything runs */
		fprintf(stderr, "sluiced: configuration is invalid\n");
		sl_cfg_free(d.cfg);
		free(d.cli.files);
		return 1;
	}
	if (d.cli.check) {
		r = 0;
		if (d.cli.dump && sl_cfg_dump(d.cfg, stdout) < 0)
			r = 1;
		if (!d.cli.dump)
			printf("Configuration file is valid\n");
	} else {
		r = run(&d);
	}
	sl_cfg_free(d.cfg);
	free(d.cli.files);
	return r;
}
