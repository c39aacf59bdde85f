/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Full-NAT header rewrite for IPv4 TCP/UDP: new source and destination address and port, TTL
 * decremented, IPv4 and TCP/UDP checksums updated incrementally (RFC 1624, eqn. 3) instead of
 * recomputed, so the cost does not depend on the payload size.
 *
 * Pure: no allocation, no I/O. Any lcore.
 */
#ifndef SL_NAT_H
#define SL_NAT_H

#include <stddef.h>
#include <stdint.h>

/*
 * Rewrites the packet at @ip: an IPv4 header of @ihl bytes followed by a complete TCP (proto 6)
 * or UDP (proto 17) header. Addresses and ports are host order. The TTL is decremented by one
 * (the caller drops packets whose TTL is 1 or less before calling). A UDP checksum of 0 (none,
 * RFC 768) stays 0; a computed UDP checksum of 0 is sent as 0xffff.
 */
void sl_nat_rewrite4(uint8_t *ip, size_t ihl, uint32_t saddr, uint16_t sport, uint32_t daddr,
		     uint16_t dport);

#endif
