/* SPDX-License-Identifier: BSD-3-Clause */
#include "controlplane/ports.h"

#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <dirent.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/ethtool.h>
#include <linux/if_xdp.h>
#include <linux/if_link.h>
#include <linux/sockios.h>
#include <rte_ethdev.h>
#include <xdp/libxdp.h>

#include "controlplane/cfg/cfg.h"
#include "controlplane/cfg/portplan.h"
#include "proto/outbuf.h"
#include "controlplane/xdp_steer.h"

#define SL_RX_DESC 1024
#define SL_TX_DESC 1024

int sl_argv_add(struct sl_argv *a, const char *fmt, ...)
{
	if (a->argc + 1 >= (int)RTE_DIM(a->argv))
		return -E2BIG;
	va_list ap;
	va_start(ap, fmt);
	int r = vasprintf(&a->argv[a->argc], fmt, ap);
	va_end(ap);
	if (r < 0)
		return -ENOMEM;
	a->argc++;
	a->argv[a->argc] = NULL;
	return 0;
}

void sl_argv_free(struct sl_argv *a)
{
	for (int i = 0; i < a->argc; i++)
		free(a->argv[i]);
	a->argc = 0;
}

static const char *drv_vdev(enum sl_port_driver d)
{
	return d == SL_DRV_AF_XDP ? "net_af_xdp" : d == SL_DRV_AF_PACKET ? "net_af_packet" : "net_tap";
}

/* The device of queue @i of the @k-th port of driver @d: "net_af_xdp0", then "net_af_xdp0_q1"... */
static void sub_name(char *buf, size_t len, enum sl_port_driver d, int k, int i)
{
	if (i == 0)
		snprintf(buf, len, "%s%d", drv_vdev(d), k);
	else
		snprintf(buf, len, "%s%d_q%d", drv_vdev(d), k, i);
}

/* "3b:00.0" -> "0000:3b:00.0" */
static void pci_full(const char *pci, char *buf, size_t len)
{
	if (strchr(pci, ':') == strrchr(pci, ':'))
		snprintf(buf, len, "0000:%s", pci);
	else
		snprintf(buf, len, "%s", pci);
}

static int pci_driver(const char *pci, char *drv, size_t len)
{
	char path[PATH_MAX], link[PATH_MAX];
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s", pci);
	if (access(path, F_OK) != 0)
		return -ENODEV;
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver", pci);
	ssize_t n = readlink(path, link, sizeof(link) - 1);
	if (n < 0) {
		snprintf(drv, len, "none");
		return 0;
	}
	link[n] = '\0';
	const char *b = strrchr(link, '/');
	snprintf(drv, len, "%.63s", b ? b + 1 : link);
	return 0;
}

/* The name of the BPF program @id, or "" when it cannot be read. */
static void prog_name(uint32_t id, char *buf, size_t len)
{
	int fd = bpf_prog_get_fd_by_id(id);
	struct bpf_prog_info info;
	uint32_t ilen = sizeof(info);
	memset(&info, 0, sizeof(info));
	if (fd >= 0 && bpf_obj_get_info_by_fd(fd, &info, &ilen) == 0)
		snprintf(buf, len, "%s", info.name);
	if (fd >= 0)
		close(fd);
}

int sl_iface_queues(const char *iface, unsigned *now, unsigned *max)
{
	struct ethtool_channels ch = {.cmd = ETHTOOL_GCHANNELS};
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", iface);
	ifr.ifr_data = (void *)&ch;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	int r = ioctl(fd, SIOCETHTOOL, &ifr) < 0 ? -errno : 0;
	close(fd);
	if (r < 0)
		return r;
	/* NICs count combined channels; veth counts its rx queues only */
	if (ch.max_combined != 0) {
		*now = ch.combined_count + ch.rx_count;
		*max = ch.max_combined + ch.max_rx;
	} else {
		*now = ch.rx_count;
		*max = ch.max_rx;
	}
	return *now != 0 ? 0 : -EOPNOTSUPP;
}

int sl_iface_numa_node(const char *iface)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "/sys/class/net/%s/device/numa_node", iface);
	FILE *f = fopen(path, "r");
	int node = -1;
	if (f == NULL)
		return -1;
	if (fscanf(f, "%d", &node) != 1 || node < 0)
		node = -1;
	fclose(f);
	return node;
}

unsigned sl_port_queues(const struct sl_cfg *cfg, const struct sl_dp_port *p)
{
	if (p->queues > 0)
		return (unsigned)p->queues;
	unsigned nw, np;
	sl_port_plan_lcores(cfg, &nw, &np);
	if (nw > SL_MAX_QUEUES)
		nw = SL_MAX_QUEUES;
	/* an af_xdp socket serves one queue of the interface: no more than it has */
	unsigned now, max;
	if (p->driver == SL_DRV_AF_XDP && p->iface != NULL && sl_iface_queues(p->iface, &now, &max) == 0 &&
	    now < nw)
		return now;
	return nw;
}

int sl_port_precheck(const struct sl_cfg *cfg)
{
	int bad = 0;
	cpu_set_t set;
	CPU_ZERO(&set);
	const struct sl_cpus *cpus =
		sl_cpus_count(&cfg->dp.cores_on) != 0 ? &cfg->dp.cores_on : &cfg->dp.cores;
	if (sl_cpus_count(cpus) != 0 && sched_getaffinity(0, sizeof(set), &set) == 0) {
		for (int i = 0; i < SL_MAX_CPUS && i < CPU_SETSIZE; i++)
			if (sl_cpus_has(cpus, (unsigned)i) && !CPU_ISSET(i, &set)) {
				fprintf(stderr, "%s:%d: 'cores': core %d is not available on this machine (online cores: 0-%ld)\n",
					cfg->dp.loc.file, cfg->dp.loc.line, i,
					sysconf(_SC_NPROCESSORS_ONLN) - 1);
				bad++;
				break;
			}
	}
	for (const struct sl_dp_port *p = cfg->dp.ports; p != NULL; p = p->next) {
		if (p->driver == SL_DRV_PCI) {
			char full[32], drv[64];
			pci_full(p->pci, full, sizeof(full));
			if (pci_driver(full, drv, sizeof(drv)) < 0) {
				fprintf(stderr, "%s:%d: port %s: no PCI device %s on this machine (see: dpdk-devbind.py --status)\n",
					p->loc.file, p->loc.line, p->name, full);
				bad++;
			} else if (strcmp(drv, "vfio-pci") != 0 && strcmp(drv, "uio_pci_generic") != 0 &&
				   strcmp(drv, "igb_uio") != 0 && strcmp(drv, "mlx5_core") != 0 &&
				   strcmp(drv, "mlx4_core") != 0) {
				/* mlx5/mlx4 are bifurcated: DPDK's PMD drives the NIC through the
				 * kernel driver, which must keep it */
				fprintf(stderr, "%s:%d: port %s: PCI device %s is bound to '%s', not to a DPDK driver; bind it with: modprobe vfio-pci && dpdk-devbind.py -b vfio-pci %s\n",
					p->loc.file, p->loc.line, p->name, full, drv, full);
				bad++;
			}
			continue;
		}
		unsigned idx = if_nametoindex(p->iface);
		if (idx == 0) {
			fprintf(stderr, "%s:%d: port %s: interface '%s' does not exist (ip link show)\n",
				p->loc.file, p->loc.line, p->name, p->iface);
			bad++;
			continue;
		}
		unsigned now, max, q = sl_port_queues(cfg, p);
		if (p->driver == SL_DRV_AF_XDP && sl_iface_queues(p->iface, &now, &max) == 0) {
			if (q > now) {
				fprintf(stderr, "%s:%d: port %s: 'queues %u' but interface '%s' has %u queue(s); raise them with: ethtool -L %s combined %u (a veth is made with numrxqueues/numtxqueues)\n",
					p->loc.file, p->loc.line, p->name, q, p->iface, now, p->iface, q);
				bad++;
				continue;
			}
			if (q < now)
				fprintf(stderr, "sluiced: port %s: interface '%s' has %u queues and sluice serves %u: frames the NIC puts on the others reach the kernel, not sluice (counted in xdp_to_kernel_no_socket); to serve them all: ethtool -L %s combined %u\n",
					p->name, p->iface, now, q, p->iface, q);
		}
		if (p->driver == SL_DRV_AF_XDP) {
			uint32_t id = 0;
			if (bpf_xdp_query_id((int)idx, 0, &id) == 0 && id != 0) {
				char name[BPF_OBJ_NAME_LEN] = "";
				prog_name(id, name, sizeof(name));
				/* We hold this interface's lock, so DPDK's default AF_XDP program
				 * there is a leftover of a sluiced that was killed: take it back. */
				if ((strcmp(name, "xsk_def_prog") == 0 || strcmp(name, "sl_xdp_steer") == 0) &&
				    bpf_xdp_detach((int)idx, 0, NULL) == 0) {
					fprintf(stderr, "sluiced: port %s: removed the XDP program a previous sluiced left on '%s' (id %u)\n",
						p->name, p->iface, id);
					continue;
				}
				fprintf(stderr, "%s:%d: port %s: interface '%s' already has an XDP program attached (id %u, '%s'); detach it with: ip link set dev %s xdp off\n",
					p->loc.file, p->loc.line, p->name, p->iface, id, name, p->iface);
				bad++;
			}
		}
	}
	return bad ? -1 : 0;
}

/* Hugepages are usable when hugetlbfs is mounted and some pages are free. */
static bool hugepages_usable(void)
{
	FILE *f = fopen("/proc/mounts", "r");
	bool mounted = false;
	char line[512];
	if (f == NULL)
		return false;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strstr(line, " hugetlbfs ") != NULL)
			mounted = true;
	fclose(f);
	if (!mounted)
		return false;
	f = fopen("/proc/meminfo", "r");
	long freep = 0;
	if (f == NULL)
		return false;
	while (fgets(line, sizeof(line), f) != NULL)
		sscanf(line, "HugePages_Free: %ld", &freep);
	fclose(f);
	return freep > 0;
}

int sl_port_eal_args(const struct sl_cfg *cfg, const char *prog, int extra_argc,
		     char **extra_argv, struct sl_argv *out)
{
	const struct sl_dataplane *dp = &cfg->dp;
	int r = sl_argv_add(out, "%s", prog);
	struct sl_cpus one = {{1}};
	const struct sl_cpus *cores = sl_cpus_count(&dp->cores) != 0 ? &dp->cores : &one;
	char *list = calloc(1, 8 * SL_MAX_CPUS);
	if (list == NULL)
		return -ENOMEM;
	size_t l = 0, cap = 8 * SL_MAX_CPUS;
	if (sl_cpus_count(&dp->cores_on) != 0) {
		/* `cores LIST on CPULIST`: lcore i of the list runs on CPU i mod n of CPULIST */
		unsigned ncpu = sl_cpus_count(&dp->cores_on), k = 0;
		for (unsigned i = 0; i < SL_MAX_LCORES; i++) {
			if (!sl_cpus_has(cores, i))
				continue;
			unsigned want = k++ % ncpu, cpu = 0;
			for (unsigned c = 0, seen = 0; c < SL_MAX_CPUS; c++)
				if (sl_cpus_has(&dp->cores_on, c) && seen++ == want) {
					cpu = c;
					break;
				}
			l += (size_t)snprintf(list + l, cap - l, "%s%u@%u", l ? "," : "", i, cpu);
		}
		r |= sl_argv_add(out, "--lcores=%s", list);
	} else if (sl_port_plan_main_shares(cfg)) {
		/* main shares the first core: lcores 0..n-1 on the n cores in order (0 is main),
		 * and lcore n, a worker, beside main on the first core */
		unsigned k = 0, first = (unsigned)sl_cpus_min(cores);
		for (unsigned c = 0; c < SL_MAX_CPUS; c++)
			if (sl_cpus_has(cores, c))
				l += (size_t)snprintf(list + l, cap - l, "%s%u@%u", l ? "," : "", k++, c);
		l += (size_t)snprintf(list + l, cap - l, ",%u@%u", k, first);
		r |= sl_argv_add(out, "--lcores=%s", list);
	} else if (sl_cpus_max(cores) < SL_MAX_LCORES) {
		/* lcore ids are the CPU numbers */
		for (unsigned i = 0; i < SL_MAX_LCORES; i++)
			if (sl_cpus_has(cores, i))
				l += (size_t)snprintf(list + l, cap - l, "%s%u", l ? "," : "", i);
		r |= sl_argv_add(out, "-l");
		r |= sl_argv_add(out, "%s", list);
	} else {
		/* CPUs beyond DPDK's lcore ids (a NUMA node numbered 128 and up): lcores 0..n-1
		 * placed on them, in order */
		unsigned k = 0;
		for (unsigned c = 0; c < SL_MAX_CPUS; c++)
			if (sl_cpus_has(cores, c))
				l += (size_t)snprintf(list + l, cap - l, "%s%u@%u", l ? "," : "", k++, c);
		r |= sl_argv_add(out, "--lcores=%s", list);
	}
	free(list);
	int mem = dp->memory_mb != 0 ? dp->memory_mb : 512;
	if (hugepages_usable()) {
		r |= sl_argv_add(out, "--in-memory");
		r |= sl_argv_add(out, "-m");
		r |= sl_argv_add(out, "%d", mem);
	} else {
		/* no hugepages: plain memory; --in-memory cannot go with --no-huge */
		r |= sl_argv_add(out, "--no-huge");
		r |= sl_argv_add(out, "-m");
		r |= sl_argv_add(out, "%d", mem);
		r |= sl_argv_add(out, "--file-prefix=sluice%d", (int)getpid());
	}
	bool pci = false;
	int vdev_idx[4] = {0};
	for (const struct sl_dp_port *p = dp->ports; p != NULL; p = p->next) {
		if (p->driver == SL_DRV_PCI) {
			char full[32];
			pci_full(p->pci, full, sizeof(full));
			r |= sl_argv_add(out, "-a");
			r |= sl_argv_add(out, "%s", full);
			pci = true;
			continue;
		}
		int q = (int)sl_port_queues(cfg, p);
		int k = vdev_idx[p->driver]++;
		const char *xprog = p->driver == SL_DRV_AF_XDP && !p->xdp_all ? sl_xdp_prog_path() : NULL;
		if (p->driver == SL_DRV_AF_XDP && !p->xdp_all && xprog == NULL)
			fprintf(stderr, "sluiced: port %s: sluice's XDP program (sl_xdp.o) is not installed: every frame of '%s' goes to sluice, none to the kernel\n",
				p->name, p->iface);
		if (p->driver == SL_DRV_AF_XDP) {
			/* one device per queue: the PMD takes several queues only from an interface
			 * that reports channels (veth does not); sl_port_start combines them */
			for (int i = 0; i < q; i++) {
				char name[48];
				sub_name(name, sizeof(name), p->driver, k, i);
				if (xprog != NULL) /* sluice's program: its own frames, the rest to the kernel */
					r |= sl_argv_add(out, "--vdev=%s,iface=%s,start_queue=%d,queue_count=1,xdp_prog=%s",
							 name, p->iface, i, xprog);
				else
					r |= sl_argv_add(out, "--vdev=%s,iface=%s,start_queue=%d,queue_count=1",
							 name, p->iface, i);
			}
		} else if (p->driver == SL_DRV_AF_PACKET) {
			/* every socket of the PMD's PACKET_FANOUT group (hash, rollover) gets its
			 * share of the flows, polled or not: no more sockets than workers */
			unsigned nw, np;
			sl_port_plan_lcores(cfg, &nw, &np);
			if (q > (int)nw)
				q = (int)nw;
			r |= sl_argv_add(out, "--vdev=%s%d,iface=%s,qpairs=%d", drv_vdev(p->driver),
					 k, p->iface, q);
		} else {
			r |= sl_argv_add(out, "--vdev=%s%d,iface=%s", drv_vdev(p->driver), k,
					 p->iface);
		}
	}
	if (!pci)
		r |= sl_argv_add(out, "--no-pci");
	r |= sl_argv_add(out, "--log-level=notice");
	for (const struct sl_cfg_str *s = dp->eal_args; s != NULL; s = s->next)
		r |= sl_argv_add(out, "%s", s->s);
	for (int i = 0; i < extra_argc; i++)
		r |= sl_argv_add(out, "%s", extra_argv[i]);
	return r != 0 ? -ENOMEM : 0;
}

int sl_port_discover(struct sl_dp *dp)
{
	int vdev_idx[4] = {0};
	unsigned n = 0;
	for (const struct sl_dp_port *p = dp->cfg->dp.ports; p != NULL; p = p->next, n++) {
		if (n == SL_MAX_PORTS) {
			fprintf(stderr, "sluiced: at most %d ports\n", SL_MAX_PORTS);
			return -1;
		}
		struct sl_port *sp = &dp->ports[n];
		sp->name = p->name;
		sp->iface = p->iface;
		unsigned q = sl_port_queues(dp->cfg, p);
		int k = p->driver == SL_DRV_PCI ? 0 : vdev_idx[p->driver]++;
		sp->nsub = (uint16_t)(p->driver == SL_DRV_AF_XDP ? q : 1);
		for (unsigned i = 0; i < sp->nsub; i++) {
			char name[64];
			if (p->driver == SL_DRV_PCI)
				pci_full(p->pci, name, sizeof(name));
			else
				sub_name(name, sizeof(name), p->driver, k, (int)i);
			if (i == 0)
				snprintf(sp->dev_name, sizeof(sp->dev_name), "%s", name);
			if (rte_eth_dev_get_port_by_name(name, &sp->sub[i]) != 0) {
				fprintf(stderr, "%s:%d: port %s: DPDK did not create device %s (see the EAL messages above)\n",
					p->loc.file, p->loc.line, p->name, name);
				return -1;
			}
			sp->xsk_fd[i] = -1;
		}
		sp->id = sp->sub[0];
		sp->mtu = (uint16_t)(p->mtu != 0 ? p->mtu : 1500);
		sp->nb_queues = (uint16_t)q;
		sp->ifindex = p->iface != NULL ? (int)if_nametoindex(p->iface) : 0;
		sp->af_xdp = p->driver == SL_DRV_AF_XDP;
		sp->xdp_prog = sp->af_xdp && !p->xdp_all && sl_xdp_prog_path() != NULL;
		rte_eth_macaddr_get(sp->id, &sp->mac);
	}
	dp->nports = n;
	return 0;
}

/* The AF_XDP sockets this process holds (fds), at most @max. */
static unsigned xsk_fds(int *fds, unsigned max)
{
	unsigned n = 0;
	DIR *d = opendir("/proc/self/fd");
	if (d == NULL)
		return 0;
	for (struct dirent *e; (e = readdir(d)) != NULL && n < max;) {
		char *end;
		long fd = strtol(e->d_name, &end, 10);
		int dom = 0;
		socklen_t l = sizeof(dom);
		if (*end == '\0' && fd != dirfd(d) &&
		    getsockopt((int)fd, SOL_SOCKET, SO_DOMAIN, &dom, &l) == 0 && dom == AF_XDP)
			fds[n++] = (int)fd;
	}
	closedir(d);
	return n;
}

static bool has_fd(const int *fds, unsigned n, int fd)
{
	for (unsigned i = 0; i < n; i++)
		if (fds[i] == fd)
			return true;
	return false;
}

/* Configures and starts DPDK device @id with *@nq queue pairs, fewer when the device has fewer
 * (*@nq says how many). */
static int dev_start(struct sl_dp *dp, struct sl_port *sp, uint16_t id, uint16_t *nqp)
{
	struct rte_eth_dev_info info;
	int r = rte_eth_dev_info_get(id, &info);
	if (r != 0) {
		fprintf(stderr, "sluiced: port %s: cannot read device info: %s\n", sp->name,
			rte_strerror(-r));
		return -1;
	}
	if (*nqp > info.max_rx_queues)
		*nqp = info.max_rx_queues;
	if (*nqp > info.max_tx_queues)
		*nqp = info.max_tx_queues;
	uint16_t nq = *nqp;
	struct rte_eth_conf conf = {0};
	if (nq > 1 && info.flow_type_rss_offloads != 0) {
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_hf =
			(RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP | RTE_ETH_RSS_UDP) &
			info.flow_type_rss_offloads;
	}
	r = rte_eth_dev_configure(id, nq, nq, &conf);
	if (r != 0) {
		fprintf(stderr, "sluiced: port %s: configure with %u queues failed: %s\n", sp->name,
			nq, rte_strerror(-r));
		return -1;
	}
	uint16_t rxd = SL_RX_DESC, txd = SL_TX_DESC;
	rte_eth_dev_adjust_nb_rx_tx_desc(id, &rxd, &txd);
	/* the port's node (step_pool placed it: controlplane/cfg/numa.h) and its pool there;
	 * without hugepages the EAL's memory has no node but 0 (sluiced.c, mem_socket) */
	int socket = rte_eal_has_hugepages() ? sp->socket : SOCKET_ID_ANY;
	struct rte_mempool *pool = dp->pools[sp->socket];
	for (uint16_t q = 0; q < nq; q++) {
		r = rte_eth_rx_queue_setup(id, q, rxd, (unsigned)socket, NULL, pool);
		if (r == 0)
			r = rte_eth_tx_queue_setup(id, q, txd, (unsigned)socket, NULL);
		if (r != 0) {
			fprintf(stderr, "sluiced: port %s: queue %u setup failed: %s\n", sp->name, q,
				rte_strerror(-r));
			return -1;
		}
	}
	if (sp->mtu != 1500 && rte_eth_dev_set_mtu(id, sp->mtu) != 0)
		fprintf(stderr, "sluiced: port %s: cannot set MTU %u; keeping the device's\n",
			sp->name, sp->mtu);
	r = rte_eth_dev_start(id);
	if (r != 0) {
		fprintf(stderr, "sluiced: port %s: start failed: %s\n", sp->name, rte_strerror(-r));
		return -1;
	}
	rte_eth_promiscuous_disable(id); /* not every PMD can: harmless if refused */
	return 0;
}

/* dev_start(); for a one-queue af_xdp device also the AF_XDP socket its start created (the one
 * this process did not hold before), into *@xsk_fd. */
static int dev_start_xsk(struct sl_dp *dp, struct sl_port *sp, uint16_t id, uint16_t *nq,
			 int *xsk_fd)
{
	int before[SL_MAX_QUEUES * 2 + 8], after[SL_MAX_QUEUES * 2 + 8];
	unsigned nb = sp->af_xdp ? xsk_fds(before, RTE_DIM(before)) : 0;
	if (dev_start(dp, sp, id, nq) < 0)
		return -1;
	sp->started = true;
	unsigned na = sp->af_xdp && *nq == 1 ? xsk_fds(after, RTE_DIM(after)) : 0;
	for (unsigned k = 0; k < na; k++)
		if (!has_fd(before, nb, after[k]))
			*xsk_fd = after[k];
	return 0;
}

/* Takes the XDP program off @ifindex (legacy attachment or libxdp's dispatcher). */
static void xdp_detach(int ifindex)
{
	struct xdp_multiprog *mp = xdp_multiprog__get_from_ifindex(ifindex);
	if (libxdp_get_error(mp) == 0 && mp != NULL) {
		xdp_multiprog__detach(mp);
		xdp_multiprog__close(mp);
	}
}

int sl_port_start(struct sl_dp *dp, unsigned idx, uint16_t nq)
{
	struct sl_port *sp = &dp->ports[idx];
	if (sp->nsub > 1) {
		/*
		 * One device per queue. Each device's PMD loads sluice's XDP program and attaches
		 * it only where none is: between two devices the previous program comes off, and
		 * the last one's socket map gets every queue's socket (sl_xdp_port_open). Frames
		 * reach the sockets only once the last program is on: nothing is lost before the
		 * loops run.
		 */
		if (nq > sp->nsub)
			nq = sp->nsub;
		for (uint16_t i = 0; i < nq; i++) {
			uint16_t one = 1;
			if (dev_start_xsk(dp, sp, sp->sub[i], &one, &sp->xsk_fd[i]) < 0)
				return -1;
			if (sp->xdp_prog && i + 1 < nq)
				xdp_detach(sp->ifindex);
			sp->qdev[i] = sp->sub[i];
			sp->qnum[i] = 0;
		}
	} else {
		if (dev_start_xsk(dp, sp, sp->id, &nq, &sp->xsk_fd[0]) < 0)
			return -1;
		for (uint16_t q = 0; q < nq; q++) {
			sp->qdev[q] = sp->id;
			sp->qnum[q] = q;
		}
	}
	sp->nb_queues = nq;
	struct rte_eth_link link;
	char ls[RTE_ETH_LINK_MAX_STR_LEN];
	if (rte_eth_link_get_nowait(sp->id, &link) == 0) {
		rte_eth_link_to_str(ls, sizeof(ls), &link);
		printf("sluiced: port %s (%s%s%s%s) started: %u queue(s), MAC " RTE_ETHER_ADDR_PRT_FMT
		       ", %s\n",
		       sp->name, sp->dev_name, sp->nsub > 1 ? "..." : "", sp->iface ? " on " : "",
		       sp->iface ? sp->iface : "", nq, RTE_ETHER_ADDR_BYTES(&sp->mac), ls);
	}
	return 0;
}

void sl_port_stop_all(struct sl_dp *dp, struct sl_xdp_port *xdp)
{
	for (unsigned i = 0; i < dp->nports; i++) {
		struct sl_port *sp = &dp->ports[i];
		if (xdp != NULL)
			sl_xdp_port_close(&xdp[i]);
		for (unsigned k = 0; k < sp->nsub; k++) {
			if (sp->started)
				rte_eth_dev_stop(sp->sub[k]);
			rte_eth_dev_close(sp->sub[k]);
		}
		sp->started = false;
	}
}

void sl_port_show(struct sl_dp *dp, struct sl_outbuf *out)
{
	for (unsigned i = 0; i < dp->nports; i++) {
		struct sl_port *sp = &dp->ports[i];
		struct rte_eth_link link;
		struct rte_eth_stats st;
		char ls[RTE_ETH_LINK_MAX_STR_LEN] = "unknown";
		if (rte_eth_link_get_nowait(sp->id, &link) == 0)
			rte_eth_link_to_str(ls, sizeof(ls), &link);
		sl_outbuf_printf(out, "port %s: dpdk_port=%u device=%s iface=%s mac=" RTE_ETHER_ADDR_PRT_FMT
				 " queues=%u mtu=%u link=%s\n",
				 sp->name, sp->id, sp->dev_name, sp->iface ? sp->iface : "-",
				 RTE_ETHER_ADDR_BYTES(&sp->mac), sp->nb_queues, sp->mtu, ls);
		/* a port of several devices: their counters summed; xstats per device */
		struct rte_eth_stats sum = {0};
		bool got = false;
		for (unsigned d = 0; d < sp->nsub; d++)
			if (rte_eth_stats_get(sp->sub[d], &st) == 0) {
				got = true;
				sum.ipackets += st.ipackets;
				sum.opackets += st.opackets;
				sum.ibytes += st.ibytes;
				sum.obytes += st.obytes;
				sum.imissed += st.imissed;
				sum.ierrors += st.ierrors;
				sum.oerrors += st.oerrors;
				sum.rx_nombuf += st.rx_nombuf;
			}
		if (got)
			sl_outbuf_printf(out,
					 "  ipackets=%" PRIu64 " opackets=%" PRIu64 " ibytes=%" PRIu64
					 " obytes=%" PRIu64 " imissed=%" PRIu64 " ierrors=%" PRIu64
					 " oerrors=%" PRIu64 " rx_nombuf=%" PRIu64 "\n",
					 sum.ipackets, sum.opackets, sum.ibytes, sum.obytes, sum.imissed,
					 sum.ierrors, sum.oerrors, sum.rx_nombuf);
		/* the kernel's own account of each AF_XDP socket: where a frame for sluice was lost */
		for (unsigned q = 0; q < sp->nb_queues && sp->af_xdp; q++) {
			struct xdp_statistics xs;
			socklen_t l = sizeof(xs);
			if (sp->xsk_fd[q] < 0 ||
			    getsockopt(sp->xsk_fd[q], SOL_XDP, XDP_STATISTICS, &xs, &l) != 0)
				continue;
			sl_outbuf_printf(out,
					 "  q%u socket: rx_dropped=%llu rx_ring_full=%llu rx_fill_ring_empty=%llu rx_invalid=%llu tx_invalid=%llu tx_ring_empty=%llu\n",
					 q, (unsigned long long)xs.rx_dropped,
					 (unsigned long long)xs.rx_ring_full,
					 (unsigned long long)xs.rx_fill_ring_empty_descs,
					 (unsigned long long)xs.rx_invalid_descs,
					 (unsigned long long)xs.tx_invalid_descs,
					 (unsigned long long)xs.tx_ring_empty_descs);
		}
		for (unsigned d = 0; d < sp->nsub; d++) {
			uint16_t id = sp->sub[d];
			int nx = rte_eth_xstats_get(id, NULL, 0);
			if (nx <= 0)
				continue;
			struct rte_eth_xstat *xs = calloc((size_t)nx, sizeof(*xs));
			struct rte_eth_xstat_name *xn = calloc((size_t)nx, sizeof(*xn));
			if (xs != NULL && xn != NULL && rte_eth_xstats_get(id, xs, (unsigned)nx) == nx &&
			    rte_eth_xstats_get_names(id, xn, (unsigned)nx) == nx) {
				for (int k = 0; k < nx; k++) {
					if (xs[k].value == 0)
						continue;
					if (sp->nsub > 1)
						sl_outbuf_printf(out, "  dev%u_%s=%" PRIu64 "\n", d,
								 xn[k].name, xs[k].value);
					else
						sl_outbuf_printf(out, "  %s=%" PRIu64 "\n",
								 xn[k].name, xs[k].value);
				}
			}
			free(xs);
			free(xn);
		}
	}
}
