/* SPDX-License-Identifier: BSD-3-Clause */
/* IPv4 header, RFC 791. */
#include "proto/ipv4.h"

#include <string.h>

#include "proto/bytes.h"
#include "proto/csum.h"

#define CSUM_OFF 10

static int fail(enum sl_ipv4_err *err, enum sl_ipv4_err why)
{
	if (err != NULL)
		*err = why;
	return -1;
}

/*
 * One's complement sum of an IPv4 header (@ihl a multiple of 4): 32-bit words summed in 64 bits
 * and folded, RFC 1071 section 4.1's "larger words" method; 0 when the header checksum is right.
 * Every packet pays this, so it is not the general byte loop of csum.c.
 */
static inline uint16_t hdr_sum(const uint8_t *p, size_t ihl)
{
	uint64_t s = 0;
	for (size_t i = 0; i < ihl; i += 4) {
		uint32_t w;
		memcpy(&w, p + i, 4);
		s += w;
	}
	s = (s & 0xffffffffu) + (s >> 32);
	s = (s & 0xffffffffu) + (s >> 32);
	uint32_t t = (uint32_t)s;
	t = (t & 0xffff) + (t >> 16);
	t = (t & 0xffff) + (t >> 16);
	return (uint16_t)~t;
}

bool sl_ipv4_bad_src(uint32_t addr)
{
	uint8_t first = (uint8_t)(addr >> 24);
	return first == 0 || first == 127 || (first & 0xf0) == 0xe0 || addr == 0xffffffffu;
}

int sl_ipv4_parse(const uint8_t *p, size_t len, struct sl_ipv4_info *out, enum sl_ipv4_err *err)
{
	if (len < SL_IPV4_HLEN)
		return fail(err, SL_IPV4_ERR_SHORT);
	if (p[0] >> 4 != 4)
		return fail(err, SL_IPV4_ERR_VERSION);
	size_t ihl = (size_t)(p[0] & 0x0f) * 4;
	if (ihl < SL_IPV4_HLEN || ihl > len)
		return fail(err, SL_IPV4_ERR_IHL);
	uint16_t total_len = sl_get_be16(p + 2);
	if (total_len < ihl || total_len > len)
		return fail(err, SL_IPV4_ERR_TOTLEN);

	uint16_t frag = sl_get_be16(p + 6);
	out->ihl_bytes = (uint8_t)ihl;
	out->tos = p[1];
	out->total_len = total_len;
	out->id = sl_get_be16(p + 4);
	out->df = (frag & SL_IPV4_FLAG_DF) != 0;
	out->mf = (frag & SL_IPV4_FLAG_MF) != 0;
	out->frag_off_bytes = (uint16_t)((frag & SL_IPV4_FRAG_MASK) * 8);
	out->ttl = p[8];
	out->proto = p[9];
	out->src = sl_get_be32(p + 12);
	out->dst = sl_get_be32(p + 16);

	/* RFC 791 3.1 "Header Checksum": the sum over the header, checksum included, is 0. */
	if (hdr_sum(p, ihl) != 0)
		return fail(err, SL_IPV4_ERR_CSUM);
	/* TTL 0 is no reason to drop a datagram addressed to this host (RFC 1122 3.2.1.7); a
	 * forwarding path checks the TTL it decrements. */
	/* No reassembly yet (RFC 791 3.2 "Fragmentation and Reassembly"): fragments are refused. */
	if (out->mf || out->frag_off_bytes != 0)
		return fail(err, SL_IPV4_ERR_FRAG);
	if (sl_ipv4_bad_src(out->src))
		return fail(err, SL_IPV4_ERR_SRC);
	if (err != NULL)
		*err = SL_IPV4_OK;
	return (int)ihl;
}

const char *sl_ipv4_err_name(enum sl_ipv4_err err)
{
	switch (err) {
	case SL_IPV4_OK:
		return "ipv4_ok";
	case SL_IPV4_ERR_SHORT:
		return "ipv4_short";
	case SL_IPV4_ERR_VERSION:
		return "ipv4_bad_version";
	case SL_IPV4_ERR_IHL:
		return "ipv4_bad_ihl";
	case SL_IPV4_ERR_TOTLEN:
		return "ipv4_bad_total_len";
	case SL_IPV4_ERR_CSUM:
		return "ipv4_bad_csum";
	case SL_IPV4_ERR_FRAG:
		return "ipv4_fragment";
	case SL_IPV4_ERR_SRC:
		return "ipv4_bad_src";
	}
	return "ipv4_unknown";
}

void sl_ipv4_set_csum(uint8_t *hdr, size_t ihl_bytes)
{
	hdr[CSUM_OFF] = 0;
	hdr[CSUM_OFF + 1] = 0;
	uint16_t c = sl_csum(hdr, ihl_bytes);
	memcpy(hdr + CSUM_OFF, &c, sizeof(c)); /* network order as returned */
}

void sl_ipv4_build(uint8_t *hdr20, uint8_t tos, uint16_t total_len, uint16_t id, bool df,
		   uint8_t ttl, uint8_t proto, uint32_t src, uint32_t dst)
{
	hdr20[0] = 0x45;
	hdr20[1] = tos;
	sl_put_be16(hdr20 + 2, total_len);
	sl_put_be16(hdr20 + 4, id);
	sl_put_be16(hdr20 + 6, df ? SL_IPV4_FLAG_DF : 0);
	hdr20[8] = ttl;
	hdr20[9] = proto;
	sl_put_be32(hdr20 + 12, src);
	sl_put_be32(hdr20 + 16, dst);
	sl_ipv4_set_csum(hdr20, SL_IPV4_HLEN);
}
