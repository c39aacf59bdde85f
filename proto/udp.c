/* SPDX-License-Identifier: BSD-3-Clause */
/* UDP header, RFC 768. */
#include "proto/udp.h"

#include <string.h>

#include "proto/bytes.h"
#include "proto/csum.h"
#include "proto/ipv4.h"

#define CSUM_OFF 6

int sl_udp_parse(const uint8_t *p, size_t len, struct sl_udp_info *out, enum sl_udp_err *err)
{
	enum sl_udp_err why = SL_UDP_OK;
	uint16_t ulen = 0;

	if (len < SL_UDP_HLEN) {
		why = SL_UDP_ERR_SHORT;
	} else {
		ulen = sl_get_be16(p + 4);
		if (ulen < SL_UDP_HLEN || ulen > len)
			why = SL_UDP_ERR_LEN;
	}
	if (err != NULL)
		*err = why;
	if (why != SL_UDP_OK)
		return -1;
	out->sport = sl_get_be16(p);
	out->dport = sl_get_be16(p + 2);
	out->len = ulen;
	out->csum = sl_get_be16(p + 6);
	return SL_UDP_HLEN;
}

const char *sl_udp_err_name(enum sl_udp_err err)
{
	switch (err) {
	case SL_UDP_OK:
		return "udp_ok";
	case SL_UDP_ERR_SHORT:
		return "udp_short";
	case SL_UDP_ERR_LEN:
		return "udp_bad_len";
	}
	return "udp_unknown";
}

static uint16_t l4_csum(const uint8_t *seg, size_t len, uint32_t src, uint32_t dst)
{
	uint32_t sum =
		sl_csum_pseudo4(sl_hton32(src), sl_hton32(dst), SL_IPPROTO_UDP, (uint16_t)len);
	return sl_csum_fold(sl_csum_partial(seg, len, sum));
}

bool sl_udp4_csum_ok(const uint8_t *seg, size_t len, uint32_t src, uint32_t dst)
{
	if (len < SL_UDP_HLEN || len > 0xffff)
		return false;
	if (seg[CSUM_OFF] == 0 && seg[CSUM_OFF + 1] == 0)
		return true; /* no checksum sent (RFC 768) */
	return l4_csum(seg, len, src, dst) == 0;
}

void sl_udp4_set_csum(uint8_t *seg, size_t len, uint32_t src, uint32_t dst)
{
	seg[CSUM_OFF] = 0;
	seg[CSUM_OFF + 1] = 0;
	uint16_t c = l4_csum(seg, len, src, dst);
	if (c == 0)
		c = 0xffff; /* same bytes in either order */
	memcpy(seg + CSUM_OFF, &c, sizeof(c));
}
