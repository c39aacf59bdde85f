/* SPDX-License-Identifier: BSD-3-Clause */
/* ARP, RFC 826, Ethernet + IPv4. */
#include "proto/arp.h"

#include <string.h>

#include "proto/bytes.h"
#include "proto/eth.h"

static int fail(enum sl_arp_err *err, enum sl_arp_err why)
{
	if (err != NULL)
		*err = why;
	return -1;
}

int sl_arp_parse(const uint8_t *p, size_t len, struct sl_arp_info *out, enum sl_arp_err *err)
{
	if (len < SL_ARP_LEN)
		return fail(err, SL_ARP_ERR_SHORT);
	/* RFC 826 "Packet Reception": check ar$hrd, ar$pro, then the lengths. */
	if (sl_get_be16(p) != SL_ARP_HTYPE_ETHER)
		return fail(err, SL_ARP_ERR_HTYPE);
	if (sl_get_be16(p + 2) != SL_ETH_P_IPV4)
		return fail(err, SL_ARP_ERR_PTYPE);
	if (p[4] != SL_ETH_ALEN || p[5] != 4)
		return fail(err, SL_ARP_ERR_HLEN_PLEN);
	uint16_t op = sl_get_be16(p + 6);
	if (op != SL_ARP_OP_REQUEST && op != SL_ARP_OP_REPLY)
		return fail(err, SL_ARP_ERR_OP);
	out->op = op;
	memcpy(out->sha, p + 8, 6);
	out->spa = sl_get_be32(p + 14);
	memcpy(out->tha, p + 18, 6);
	out->tpa = sl_get_be32(p + 24);
	if (err != NULL)
		*err = SL_ARP_OK;
	return SL_ARP_LEN;
}

const char *sl_arp_err_name(enum sl_arp_err err)
{
	switch (err) {
	case SL_ARP_OK:
		return "arp_ok";
	case SL_ARP_ERR_SHORT:
		return "arp_short";
	case SL_ARP_ERR_HTYPE:
		return "arp_bad_htype";
	case SL_ARP_ERR_PTYPE:
		return "arp_bad_ptype";
	case SL_ARP_ERR_HLEN_PLEN:
		return "arp_bad_hlen_plen";
	case SL_ARP_ERR_OP:
		return "arp_bad_op";
	}
	return "arp_unknown";
}

size_t sl_arp_build(uint8_t *buf, size_t cap, uint16_t op, const uint8_t sha[6], uint32_t spa,
		    const uint8_t tha[6], uint32_t tpa)
{
	if (cap < SL_ARP_LEN)
		return 0;
	uint8_t s[6], t[6];
	memcpy(s, sha, 6); /* may alias buf */
	memcpy(t, tha, 6);
	sl_put_be16(buf, SL_ARP_HTYPE_ETHER);
	sl_put_be16(buf + 2, SL_ETH_P_IPV4);
	buf[4] = SL_ETH_ALEN;
	buf[5] = 4;
	sl_put_be16(buf + 6, op);
	memcpy(buf + 8, s, 6);
	sl_put_be32(buf + 14, spa);
	memcpy(buf + 18, t, 6);
	sl_put_be32(buf + 24, tpa);
	return SL_ARP_LEN;
}

size_t sl_arp_build_gratuitous(uint8_t *buf, size_t cap, const uint8_t mac[6], uint32_t ip)
{
	const uint8_t zero[6] = {0};
	return sl_arp_build(buf, cap, SL_ARP_OP_REQUEST, mac, ip, zero, ip);
}

bool sl_arp_is_gratuitous(const struct sl_arp_info *a)
{
	return a->spa == a->tpa;
}
