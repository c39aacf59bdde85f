/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sluiced's side of its XDP program (dataplane/xdp/sl_xdp.c): where the compiled object is, and,
 * once the AF_XDP PMD attached it to a port's interface, its maps: sluice's addresses written
 * in, the steering counters read out (`show drops`, the stats page).
 */
#ifndef SL_XDP_STEER_H
#define SL_XDP_STEER_H

#include <stdbool.h>
#include <stdint.h>

#include "dataplane/xdp/sl_xdp.h"

/* The object to give the PMD (xdp_prog=), or NULL when none was built or installed: next to
 * sluiced's executable (the build tree), then the installed library directory. */
const char *sl_xdp_prog_path(void);

/* A port's program, found on its interface. */
struct sl_xdp_port {
	int stats_fd; /* -1: none (not an af_xdp port, or steering off) */
	int addrs_fd;
	int xsks_fd;  /* its socket map */
	uint32_t prog_id;
};

/*
 * After the port started: finds sluice's program on interface @ifindex and writes the @n
 * addresses (host order) sluice owns there into its address map. Returns 0; -ENOENT when the
 * interface has another program (or none); -errno from the bpf calls.
 */
int sl_xdp_port_open(struct sl_xdp_port *x, int ifindex, const uint32_t *addrs, unsigned n);

/* Puts socket @fd in the program's socket map for queue @queue (a port made of one device per
 * queue: each device's PMD filled its own program's map, and only the last program stays).
 * Returns 0 or -errno. */
int sl_xdp_port_socket(struct sl_xdp_port *x, unsigned queue, int fd);

/* The program's counters summed over the CPUs into @out (SL_XDP_NCTR entries); false when the
 * port has no program of sluice's. */
bool sl_xdp_port_counters(const struct sl_xdp_port *x, uint64_t *out);

/* The printable name of counter @k ("xdp_to_sluice_arp"...). */
const char *sl_xdp_ctr_name(unsigned k);

void sl_xdp_port_close(struct sl_xdp_port *x);

#endif
