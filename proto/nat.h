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

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/siphash.h"

/*
 * Rewrites the packet at @ip: an IPv4 header of @ihl bytes followed by a complete TCP (proto 6)
 * or UDP (proto 17) header. Addresses and ports are host order. The TTL is decremented by one
 * (the caller drops packets whose TTL is 1 or less before calling). A UDP checksum of 0 (none,
 * RFC 768) stays 0; a computed UDP checksum of 0 is sent as 0xffff.
 */
void sl_nat_rewrite4(uint8_t *ip, size_t ihl, uint32_t saddr, uint16_t sport, uint32_t daddr,
		     uint16_t dport);

#endif

/*
 * Sequence and timestamp translation of a full-NAT TCP flow, so that the server side of each flow
 * looks like a connection of its own (local address:port <-> server): its ISN and timestamps are
 * chosen for that 4-tuple, and a server that still holds the previous use of the same 4-tuple in
 * TIME_WAIT accepts the new SYN (RFC 9293 3.6.1 / RFC 6191: newer timestamp, or a sequence number
 * past the old one). One 32-bit offset @d serves both, see l4.c.
 *
 * sl_nat_tcp_to_server(): the segment goes client -> server: SEQ += d, TSval += d.
 * sl_nat_tcp_to_client(): the segment goes server -> client: ACK -= d (when ACK is set),
 * TSecr -= d, each SACK block's edges -= d.
 * @tcp points at the TCP header of @doff bytes (options included); checksums are updated
 * incrementally. Malformed options stop the walk (the rest is left as it is).
 */
void sl_nat_tcp_to_server(uint8_t *tcp, size_t doff, uint32_t d);
void sl_nat_tcp_to_client(uint8_t *tcp, size_t doff, uint32_t d);

/*
 * RFC 6528's per-connection constant of a server-side sequence/timestamp offset: a keyed
 * pseudorandom function of the 4-tuple (@saddr:@sport -> @daddr:@dport, host order), here
 * SipHash-2-4 under @key (as the TCP stack's ISNs) of the words saddr << 32 | daddr and
 * sport << 16 | dport, its low 32 bits. Unpredictable without @key, the same for the same tuple.
 */
uint32_t sl_nat_isn_secret(const struct sl_siphash_key *key, uint32_t saddr, uint32_t daddr,
			   uint16_t sport, uint16_t dport);

/*
 * Finds the timestamp option of a TCP header: returns true and sets *@tsval when present.
 */
bool sl_nat_tcp_tsval(const uint8_t *tcp, size_t doff, uint32_t *tsval);

/*
 * Translates an ICMP error about a NATed TCP/UDP packet (RFC 792 / RFC 1812 4.3.2: destination
 * unreachable, fragmentation needed, time exceeded...). @ip is the outer IPv4 header of the whole
 * message of @len bytes (IP header, ICMP header, quoted IPv4 header and at least 8 bytes of its
 * payload). The outer addresses become @saddr -> @daddr (TTL 64); the quoted packet becomes
 * @q_saddr:@q_sport -> @q_daddr:@q_dport, a quoted TCP sequence number moves by @q_seq_add, and
 * the checksums follow (outer IPv4, quoted IPv4, the quoted TCP/UDP one when it was quoted, the
 * ICMP one). Returns 0, or -1 when the message is too short or the quoted packet is not TCP/UDP
 * (nothing changed then).
 */
int sl_nat_icmp_error4(uint8_t *ip, size_t len, uint32_t saddr, uint32_t daddr, uint32_t q_saddr,
		       uint16_t q_sport, uint32_t q_daddr, uint16_t q_dport, uint32_t q_seq_add);
