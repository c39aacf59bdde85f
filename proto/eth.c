/* SPDX-License-Identifier: BSD-3-Clause */
/* Ethernet II header with an optional 802.1Q tag. */
#include "proto/eth.h"

#include <string.h>

#include "proto/bytes.h"

int sl_eth_parse(const uint8_t *p, size_t len, struct sl_eth_info *out)
{
	if (len < SL_ETH_HLEN)
		return -1;
	memcpy(out->dst, p, SL_ETH_ALEN);
	memcpy(out->src, p + SL_ETH_ALEN, SL_ETH_ALEN);
	out->type = sl_get_be16(p + 12);
	out->vlan = 0;
	out->has_vlan = false;
	if (out->type != SL_ETH_P_VLAN)
		return SL_ETH_HLEN;
	if (len < SL_ETH_VLAN_HLEN)
		return -1;
	out->vlan = sl_get_be16(p + 14) & SL_ETH_VID_MASK;
	out->type = sl_get_be16(p + 16);
	out->has_vlan = true;
	return SL_ETH_VLAN_HLEN;
}

static void put_addrs(uint8_t *buf, const uint8_t dst[SL_ETH_ALEN], const uint8_t src[SL_ETH_ALEN])
{
	uint8_t d[SL_ETH_ALEN], s[SL_ETH_ALEN];
	memcpy(d, dst, SL_ETH_ALEN); /* copies first: dst/src may alias buf */
	memcpy(s, src, SL_ETH_ALEN);
	memcpy(buf, d, SL_ETH_ALEN);
	memcpy(buf + SL_ETH_ALEN, s, SL_ETH_ALEN);
}

size_t sl_eth_build(uint8_t *buf, size_t cap, const uint8_t dst[SL_ETH_ALEN],
		    const uint8_t src[SL_ETH_ALEN], uint16_t type)
{
	if (cap < SL_ETH_HLEN)
		return 0;
	put_addrs(buf, dst, src);
	sl_put_be16(buf + 12, type);
	return SL_ETH_HLEN;
}

size_t sl_eth_build_vlan(uint8_t *buf, size_t cap, const uint8_t dst[SL_ETH_ALEN],
			 const uint8_t src[SL_ETH_ALEN], uint16_t vid, uint16_t type)
{
	if (cap < SL_ETH_VLAN_HLEN)
		return 0;
	put_addrs(buf, dst, src);
	sl_put_be16(buf + 12, SL_ETH_P_VLAN);
	sl_put_be16(buf + 14, vid & SL_ETH_VID_MASK);
	sl_put_be16(buf + 16, type);
	return SL_ETH_VLAN_HLEN;
}

bool sl_eth_is_broadcast(const uint8_t mac[SL_ETH_ALEN])
{
	return (mac[0] & mac[1] & mac[2] & mac[3] & mac[4] & mac[5]) == 0xff;
}

bool sl_eth_is_multicast(const uint8_t mac[SL_ETH_ALEN])
{
	return (mac[0] & 0x01) != 0;
}

bool sl_eth_is_zero(const uint8_t mac[SL_ETH_ALEN])
{
	return (mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]) == 0;
}
