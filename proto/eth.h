/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Ethernet II (DIX) header, optionally with one IEEE 802.1Q VLAN tag.
 *
 *   dst(6) src(6) type(2)                         14 bytes
 *   dst(6) src(6) 0x8100(2) TCI(2) type(2)        18 bytes (TCI = PCP:3 DEI:1 VID:12)
 *
 * MAC addresses are byte arrays in wire order; ethertypes and VLAN IDs in struct sl_eth_info
 * and in arguments are host-order numbers.
 */
#ifndef SL_ETH_H
#define SL_ETH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SL_ETH_ALEN	 6  /* bytes in a MAC address */
#define SL_ETH_HLEN	 14 /* untagged header */
#define SL_ETH_VLAN_HLEN 18 /* header with one 802.1Q tag */
#define SL_ETH_VID_MASK	 0x0fff

#define SL_ETH_P_IPV4 0x0800
#define SL_ETH_P_ARP  0x0806
#define SL_ETH_P_VLAN 0x8100 /* IEEE 802.1Q tag protocol identifier */
#define SL_ETH_P_IPV6 0x86dd

struct sl_eth_info {
	uint8_t dst[SL_ETH_ALEN], src[SL_ETH_ALEN];
	uint16_t type; /* ethertype of the payload (after the VLAN tag when there is one) */
	uint16_t vlan; /* VLAN ID (the 12 VID bits of the TCI; PCP and DEI dropped), 0 untagged */
	bool has_vlan;
};

/*
 * Parses the Ethernet header of the frame of @len bytes at @p into @out. One 802.1Q tag
 * (TPID 0x8100) is consumed; a second tag or any other TPID (e.g. 0x88a8) is left as @out->type
 * for the caller to drop as unknown. Types < 0x0600 (IEEE 802.3 length fields) are returned as
 * they are too. Returns the header length, SL_ETH_HLEN (14) or SL_ETH_VLAN_HLEN (18), or -1
 * when @len is too short for the header (@out is then unspecified). A whole frame is expected,
 * so there is no "need more bytes" result.
 */
int sl_eth_parse(const uint8_t *p, size_t len, struct sl_eth_info *out);

/*
 * Writes an untagged Ethernet II header (@dst, @src, host-order ethertype @type) at @buf.
 * Returns SL_ETH_HLEN (14), or 0 (nothing written) when @cap < 14. @dst/@src may point into
 * @buf itself (e.g. swapping addresses in place): they are copied before writing.
 */
size_t sl_eth_build(uint8_t *buf, size_t cap, const uint8_t dst[SL_ETH_ALEN],
		    const uint8_t src[SL_ETH_ALEN], uint16_t type);

/*
 * Like sl_eth_build() with one 802.1Q tag carrying VLAN ID @vid (low 12 bits used, PCP and DEI
 * 0) before @type. Returns SL_ETH_VLAN_HLEN (18), or 0 when @cap < 18.
 */
size_t sl_eth_build_vlan(uint8_t *buf, size_t cap, const uint8_t dst[SL_ETH_ALEN],
			 const uint8_t src[SL_ETH_ALEN], uint16_t vid, uint16_t type);

/* True when @mac is ff:ff:ff:ff:ff:ff. */
bool sl_eth_is_broadcast(const uint8_t mac[SL_ETH_ALEN]);

/* True when @mac is a group address (I/G bit, the low bit of the first byte); broadcast is too. */
bool sl_eth_is_multicast(const uint8_t mac[SL_ETH_ALEN]);

/* True when @mac is 00:00:00:00:00:00 (never a valid source). */
bool sl_eth_is_zero(const uint8_t mac[SL_ETH_ALEN]);

#endif
