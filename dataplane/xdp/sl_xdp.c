/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sluice's XDP program for AF_XDP ports (loaded by the AF_XDP PMD with its xdp_prog= argument,
 * built by meson with clang for the BPF target). It sends to sluice's AF_XDP sockets only the
 * frames for sluice: ARP whose target is one of sluice's addresses, IPv4 to one of them, and
 * ARP or IPv4 frames too short to tell (sluice counts them as malformed, as it must). Every
 * other frame goes on to the kernel (XDP_PASS), so a machine with one NIC keeps SSH and its
 * management address while sluiced serves the VIPs on the same interface.
 *
 * Maps (found by name by sluiced through the program's map ids):
 *   xsks_map   the PMD's: queue index -> AF_XDP socket
 *   sl_addrs   sluice's IPv4 addresses (network order) -> 1; written by sluiced at start; while
 *              it is empty every frame goes to the kernel
 *   sl_stats   per-CPU counters (SL_XDP_* below), read by `show drops` and the stats page
 *
 * No Linux UAPI header is included (their asm/ part depends on the build host's multiarch
 * directory): the few ABI constants and the context structure are spelt out here, with the
 * values the kernel's include/uapi/linux/bpf.h gives them.
 */
typedef unsigned char __u8;
typedef unsigned short __u16;
typedef unsigned int __u32;
typedef unsigned long long __u64;
typedef signed char __s8;
typedef short __s16;
typedef int __s32;
typedef long long __s64;
typedef __u16 __be16;
typedef __u32 __be32;
typedef __u32 __wsum;

#include <bpf/bpf_helpers.h>

#include "dataplane/xdp/sl_xdp.h"

/* include/uapi/linux/bpf.h */
enum { BPF_MAP_TYPE_HASH = 1, BPF_MAP_TYPE_PERCPU_ARRAY = 6, BPF_MAP_TYPE_XSKMAP = 17 };
enum { XDP_ABORTED = 0, XDP_DROP, XDP_PASS, XDP_TX, XDP_REDIRECT };
struct xdp_md {
	__u32 data;
	__u32 data_end;
	__u32 data_meta;
	__u32 ingress_ifindex;
	__u32 rx_queue_index;
	__u32 egress_ifindex;
};

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, SL_XDP_MAX_QUEUES);
	__type(key, __u32);
	__type(value, __u32);
} xsks_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SL_XDP_MAX_ADDRS);
	__type(key, __u32);
	__type(value, __u32);
} sl_addrs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SL_XDP_NCTR);
	__type(key, __u32);
	__type(value, __u64);
} sl_stats SEC(".maps");

static __always_inline void count(__u32 k)
{
	__u64 *v = bpf_map_lookup_elem(&sl_stats, &k);
	if (v != 0)
		*v += 1;
}

/* An IPv4 address at @p (network order, maybe unaligned): one of sluice's? */
static __always_inline int ours(const __u8 *p)
{
	__u32 a;
	__builtin_memcpy(&a, p, 4);
	return bpf_map_lookup_elem(&sl_addrs, &a) != 0;
}

static __always_inline int to_sluice(struct xdp_md *ctx, __u32 k)
{
	/* no socket on this queue (the NIC has more queues than sluice serves, or sluice is
	 * starting): the kernel gets it rather than nobody, and it is counted as such */
	int r = bpf_redirect_map(&xsks_map, ctx->rx_queue_index, XDP_PASS);
	count(r == XDP_REDIRECT ? k : SL_XDP_NO_SOCKET);
	return r;
}

SEC("xdp")
int sl_xdp_steer(struct xdp_md *ctx)
{
	const __u8 *d = (const __u8 *)(long)ctx->data;
	const __u8 *end = (const __u8 *)(long)ctx->data_end;
	if (d + 14 > end) {
		count(SL_XDP_PASS_SHORT);
		return XDP_PASS;
	}
	__u16 type = (__u16)(d[12] << 8 | d[13]);
	if (type == 0x0806) { /* ARP: its target protocol address, bytes 24..27 of the ARP part */
		if (d + 14 + 28 > end) /* too short to say whose: sluice counts it as malformed */
			return to_sluice(ctx, SL_XDP_SHORT);
		if (ours(d + 14 + 24))
			return to_sluice(ctx, SL_XDP_ARP);
		count(SL_XDP_PASS_ARP);
		return XDP_PASS;
	}
	if (type == 0x0800) { /* IPv4: its destination, bytes 16..19 of the header */
		if (d + 14 + 20 > end)
			return to_sluice(ctx, SL_XDP_SHORT);
		if (ours(d + 14 + 16))
			return to_sluice(ctx, SL_XDP_IPV4);
		count(SL_XDP_PASS_IPV4);
		return XDP_PASS;
	}
	count(SL_XDP_PASS_OTHER);
	return XDP_PASS;
}

char _license[] SEC("license") = "Dual BSD/GPL";
