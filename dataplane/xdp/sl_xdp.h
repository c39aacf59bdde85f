/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What sluiced and its XDP program (sl_xdp.c, BPF) share: map sizes and the counters of
 * sl_stats (one per-CPU u64 each). Plain C: included by both sides.
 */
#ifndef SL_XDP_H
#define SL_XDP_H

#define SL_XDP_MAX_QUEUES 64
#define SL_XDP_MAX_ADDRS 64

/* X(name, text): text is what `show drops` / the stats page print (xdp_ prefix added). */
#define SL_XDP_COUNTERS(X)                                                                         \
	X(ARP, "xdp_to_sluice_arp")                                                               \
	X(IPV4, "xdp_to_sluice_ipv4")                                                             \
	X(SHORT, "xdp_to_sluice_truncated")                                                       \
	X(PASS_ARP, "xdp_to_kernel_arp")                                                          \
	X(PASS_IPV4, "xdp_to_kernel_ipv4")                                                        \
	X(PASS_OTHER, "xdp_to_kernel_other")                                                      \
	X(PASS_SHORT, "xdp_to_kernel_short")                                                      \
	X(NO_SOCKET, "xdp_to_kernel_no_socket")

enum sl_xdp_ctr {
#define SL_XDP_ENUM(n, s) SL_XDP_##n,
	SL_XDP_COUNTERS(SL_XDP_ENUM)
#undef SL_XDP_ENUM
	SL_XDP_NCTR
};

#endif
