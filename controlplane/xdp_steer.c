/* SPDX-License-Identifier: BSD-3-Clause */
#include "controlplane/xdp_steer.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>

#define SL_XDP_OBJ "sl_xdp.o"

const char *sl_xdp_prog_path(void)
{
	static char path[PATH_MAX + 16];
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		char *slash = strrchr(exe, '/');
		if (slash != NULL) {
			*slash = '\0';
			snprintf(path, sizeof(path), "%s/%s", exe, SL_XDP_OBJ);
			if (access(path, R_OK) == 0)
				return path;
		}
	}
#ifdef SL_XDP_INSTALL_DIR
	snprintf(path, sizeof(path), "%s/%s", SL_XDP_INSTALL_DIR, SL_XDP_OBJ);
	if (access(path, R_OK) == 0)
		return path;
#endif
	return NULL;
}

static const char *const names[] = {
#define SL_XDP_NAME(n, s) s,
	SL_XDP_COUNTERS(SL_XDP_NAME)
#undef SL_XDP_NAME
};

const char *sl_xdp_ctr_name(unsigned k)
{
	return k < SL_XDP_NCTR ? names[k] : "?";
}

int sl_xdp_port_open(struct sl_xdp_port *x, int ifindex, const uint32_t *addrs, unsigned n)
{
	x->stats_fd = x->addrs_fd = x->xsks_fd = -1;
	/* the PMD attaches through libxdp: the program itself (legacy mode, no bpffs), or under
	 * libxdp's dispatcher (bpffs mounted), where it is one of the dispatcher's programs */
	struct xdp_multiprog *mp = xdp_multiprog__get_from_ifindex(ifindex);
	long e = libxdp_get_error(mp);
	if (e != 0 || mp == NULL)
		return e != 0 ? (int)e : -ENOENT;
	uint32_t id = 0;
	if (xdp_multiprog__is_legacy(mp)) {
		struct xdp_program *p = xdp_multiprog__main_prog(mp);
		if (p != NULL)
			id = xdp_program__id(p);
	} else {
		for (struct xdp_program *p = xdp_multiprog__next_prog(NULL, mp); p != NULL;
		     p = xdp_multiprog__next_prog(p, mp))
			if (strcmp(xdp_program__name(p), "sl_xdp_steer") == 0)
				id = xdp_program__id(p);
	}
	xdp_multiprog__close(mp);
	if (id == 0)
		return -ENOENT;
	int r;
	int pfd = bpf_prog_get_fd_by_id(id);
	if (pfd < 0)
		return -errno;
	uint32_t ids[16];
	struct bpf_prog_info pi = {.nr_map_ids = 16, .map_ids = (uint64_t)(uintptr_t)ids};
	uint32_t len = sizeof(pi);
	r = bpf_obj_get_info_by_fd(pfd, &pi, &len);
	close(pfd);
	if (r < 0)
		return -errno;
	if (strcmp(pi.name, "sl_xdp_steer") != 0)
		return -ENOENT; /* the PMD's default program, or somebody else's */
	for (uint32_t i = 0; i < pi.nr_map_ids && i < 16; i++) {
		int fd = bpf_map_get_fd_by_id(ids[i]);
		if (fd < 0)
			continue;
		struct bpf_map_info mi = {0};
		uint32_t ml = sizeof(mi);
		bool known = bpf_obj_get_info_by_fd(fd, &mi, &ml) == 0;
		if (known && strcmp(mi.name, "sl_stats") == 0)
			x->stats_fd = fd;
		else if (known && strcmp(mi.name, "sl_addrs") == 0)
			x->addrs_fd = fd;
		else if (known && strcmp(mi.name, "xsks_map") == 0)
			x->xsks_fd = fd;
		else
			close(fd);
	}
	if (x->stats_fd < 0 || x->addrs_fd < 0 || x->xsks_fd < 0) {
		sl_xdp_port_close(x);
		return -ENOENT;
	}
	x->prog_id = id;
	for (unsigned i = 0; i < n; i++) {
		uint32_t key = htonl(addrs[i]), one = 1;
		if (bpf_map_update_elem(x->addrs_fd, &key, &one, BPF_ANY) < 0) {
			r = -errno;
			sl_xdp_port_close(x);
			return r;
		}
	}
	return 0;
}

int sl_xdp_port_socket(struct sl_xdp_port *x, unsigned queue, int fd)
{
	uint32_t key = queue, val = (uint32_t)fd;
	if (x->xsks_fd < 0)
		return -ENOENT;
	return bpf_map_update_elem(x->xsks_fd, &key, &val, BPF_ANY) < 0 ? -errno : 0;
}

bool sl_xdp_port_counters(const struct sl_xdp_port *x, uint64_t *out)
{
	memset(out, 0, SL_XDP_NCTR * sizeof(*out));
	if (x->stats_fd < 0)
		return false;
	int ncpu = libbpf_num_possible_cpus();
	if (ncpu <= 0)
		return false;
	uint64_t *v = calloc((size_t)ncpu, sizeof(*v));
	if (v == NULL)
		return false;
	for (uint32_t k = 0; k < SL_XDP_NCTR; k++)
		if (bpf_map_lookup_elem(x->stats_fd, &k, v) == 0)
			for (int c = 0; c < ncpu; c++)
				out[k] += v[c];
	free(v);
	return true;
}

void sl_xdp_port_close(struct sl_xdp_port *x)
{
	if (x->stats_fd >= 0)
		close(x->stats_fd);
	if (x->addrs_fd >= 0)
		close(x->addrs_fd);
	if (x->xsks_fd >= 0)
		close(x->xsks_fd);
	x->stats_fd = x->addrs_fd = x->xsks_fd = -1;
}
