/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv4 header (RFC 791 section 3.1):
 *
 *   ver:4 ihl:4 | tos | total length(2) | id(2) | flags:3 frag offset:13 | ttl | proto |
 *   header checksum(2) | src(4) | dst(4) | options (ihl*4 - 20 bytes)
 *
 * Parsed values (struct sl_ipv4_info) and builder arguments are host order; addresses too
 * (192.0.2.1 is 0xc0000201).
 */
#ifndef SL_IPV4_H
#define SL_IPV4_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SL_IPV4_HLEN	 20 /* header without options */
#define SL_IPV4_MAX_HLEN 60

#define SL_IPPROTO_ICMP 1
#define SL_IPPROTO_TCP	6
#define SL_IPPROTO_UDP	17

/* Bits of the 16-bit flags + fragment offset field (host order). */
#define SL_IPV4_FLAG_RESERVED 0x8000
#define SL_IPV4_FLAG_DF	      0x4000
#define SL_IPV4_FLAG_MF	      0x2000
#define SL_IPV4_FRAG_MASK     0x1fff /* offset in 8-byte units */

struct sl_ipv4_info {
	uint8_t ihl_bytes; /* header length in bytes, options included (20..60) */
	uint8_t tos;
	uint8_t ttl;
	uint8_t proto;
	uint16_t total_len; /* header + payload, bytes */
	uint16_t id;
	uint16_t frag_off_bytes; /* fragment offset in bytes (field * 8) */
	bool mf, df;
	uint32_t src, dst; /* host order */
};

enum sl_ipv4_err {
	SL_IPV4_OK,
	SL_IPV4_ERR_SHORT,   /* fewer than 20 bytes */
	SL_IPV4_ERR_VERSION, /* version is not 4 */
	SL_IPV4_ERR_IHL,     /* IHL < 5, or IHL*4 > len */
	SL_IPV4_ERR_TOTLEN,  /* total length < IHL*4, or > len */
	SL_IPV4_ERR_CSUM,    /* header checksum wrong */
	SL_IPV4_ERR_FRAG,    /* a fragment: MF set or offset != 0 */
	SL_IPV4_ERR_SRC,     /* source 0.0.0.0/8, 127.0.0.0/8, 224.0.0.0/4 or 255.255.255.255 */
};
#define SL_IPV4_ERR_COUNT (SL_IPV4_ERR_SRC + 1)

/*
 * Parses and validates the IPv4 header of the packet of @len bytes at @p (after the Ethernet
 * header) into @out. Checks, in enum order: SHORT, VERSION, IHL, TOTLEN, CSUM, FRAG, SRC. The
 * TTL is not checked: a host must not discard a datagram for its TTL (RFC 1122 3.2.1.7), only
 * a forwarder, which decrements it. @len may exceed the total length (Ethernet pads short frames to 60 bytes): the caller
 * trims the payload to @out->total_len. Options are not interpreted, only skipped; the
 * reserved flag bit is ignored.
 *
 * Returns the header length in bytes (20..60) and sets *@err to SL_IPV4_OK, or returns -1 and
 * sets *@err to the reason. For CSUM, FRAG and SRC, @out is filled all the same (for
 * logging and counting); for the earlier reasons it is unspecified. @err may be NULL. The whole
 * packet is expected, so a truncated one is invalid (-1), never "need more bytes".
 */
int sl_ipv4_parse(const uint8_t *p, size_t len, struct sl_ipv4_info *out, enum sl_ipv4_err *err);

/*
 * Returns the counter name of @err: "ipv4_ok", "ipv4_short", "ipv4_bad_version", "ipv4_bad_ihl",
 * "ipv4_bad_total_len", "ipv4_bad_csum", "ipv4_fragment", "ipv4_bad_src", or
 * "ipv4_unknown" for a value outside the enum.
 */
const char *sl_ipv4_err_name(enum sl_ipv4_err err);

/*
 * True when host-order @addr may not be the source of a datagram we accept, which RFC 1122
 * section 3.2.1.3 says to discard silently: 0.0.0.0/8 ("this network", (a) and (b), only for a
 * host that does not know its address yet), 127.0.0.0/8 (loopback, (g)), 255.255.255.255
 * (limited broadcast, (c)) and 224.0.0.0/4 (multicast groups are never sources, RFC 1112
 * section 4). Directed broadcasts of a subnet cannot be told without the configuration.
 */
bool sl_ipv4_bad_src(uint32_t addr);

/*
 * Writes a 20-byte IPv4 header without options at @hdr20 (20 writable bytes, any alignment):
 * version 4, IHL 5, @tos, @total_len (header + payload), @id, DF when @df, fragment offset 0,
 * @ttl, @proto, @src, @dst (all host order), and a correct header checksum.
 */
void sl_ipv4_build(uint8_t *hdr20, uint8_t tos, uint16_t total_len, uint16_t id, bool df,
		   uint8_t ttl, uint8_t proto, uint32_t src, uint32_t dst);

/*
 * Recomputes the header checksum of the IPv4 header at @hdr of @ihl_bytes bytes (20..60, a
 * multiple of 4; the caller knows it from sl_ipv4_parse() or built the header) after fields were
 * changed: zeroes the field, sums the header (RFC 1071) and stores the result.
 */
void sl_ipv4_set_csum(uint8_t *hdr, size_t ihl_bytes);

#endif
