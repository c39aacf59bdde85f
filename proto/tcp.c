/* SPDX-License-Identifier: BSD-3-Clause */
/* TCP header, RFC 9293 section 3.1. */
#include "proto/tcp.h"

#include <string.h>

#include "proto/bytes.h"
#include "proto/csum.h"
#include "proto/ipv4.h"

#define CSUM_OFF 16

int sl_tcp_parse(const uint8_t *p, size_t len, struct sl_tcp_info *out, enum sl_tcp_err *err)
{
	enum sl_tcp_err why = SL_TCP_OK;
	size_t doff = 0;

	if (len < SL_TCP_HLEN) {
		why = SL_TCP_ERR_SHORT;
	} else {
		doff = (size_t)(p[12] >> 4) * 4;
		if (doff < SL_TCP_HLEN || doff > len)
			why = SL_TCP_ERR_DOFF;
	}
	if (err != NULL)
		*err = why;
	if (why != SL_TCP_OK)
		return -1;
	out->sport = sl_get_be16(p);
	out->dport = sl_get_be16(p + 2);
	out->seq = sl_get_be32(p + 4);
	out->ack = sl_get_be32(p + 8);
	out->doff_bytes = (uint8_t)doff;
	out->flags = p[13];
	out->win = sl_get_be16(p + 14);
	out->urg = sl_get_be16(p + 18);
	return (int)doff;
}

const char *sl_tcp_err_name(enum sl_tcp_err err)
{
	switch (err) {
	case SL_TCP_OK:
		return "tcp_ok";
	case SL_TCP_ERR_SHORT:
		return "tcp_short";
	case SL_TCP_ERR_DOFF:
		return "tcp_bad_doff";
	}
	return "tcp_unknown";
}

bool sl_tcp_flags_valid(uint8_t flags)
{
	/* See tcp.h for the reasoning behind each refused combination. */
	switch (flags & (SL_TCP_FIN | SL_TCP_SYN | SL_TCP_RST | SL_TCP_ACK | SL_TCP_URG)) {
	case SL_TCP_SYN:
	case SL_TCP_SYN | SL_TCP_URG:
	case SL_TCP_SYN | SL_TCP_ACK:
	case SL_TCP_RST:
	case SL_TCP_RST | SL_TCP_ACK:
	case SL_TCP_ACK:
	case SL_TCP_ACK | SL_TCP_URG:
	case SL_TCP_FIN | SL_TCP_ACK:
	case SL_TCP_FIN | SL_TCP_ACK | SL_TCP_URG:
		return true;
	default:
		return false;
	}
}

int sl_tcp_parse_opts(const uint8_t *opts, size_t len, struct sl_tcp_opts *out)
{
	memset(out, 0, sizeof(*out));
	size_t i = 0;
	while (i < len) {
		uint8_t kind = opts[i];
		if (kind == SL_TCP_OPT_EOL)
			break; /* the rest is padding */
		if (kind == SL_TCP_OPT_NOP) {
			i++;
			continue;
		}
		/* Every other kind is kind(1) length(1) data(length - 2). */
		if (len - i < 2)
			return -1;
		size_t olen = opts[i + 1];
		if (olen < 2 || olen > len - i)
			return -1;
		const uint8_t *d = opts + i + 2;
		switch (kind) {
		case SL_TCP_OPT_MSS:
			if (olen == 4) {
				out->has_mss = true;
				out->mss = sl_get_be16(d);
			}
			break;
		case SL_TCP_OPT_WSCALE:
			if (olen == 3) {
				out->has_wscale = true;
				out->wscale = d[0] > SL_TCP_WSCALE_MAX ? SL_TCP_WSCALE_MAX : d[0];
			}
			break;
		case SL_TCP_OPT_SACK_PERM:
			if (olen == 2)
				out->sack_ok = true;
			break;
		case SL_TCP_OPT_TS:
			if (olen == 10) {
				out->has_ts = true;
				out->ts_val = sl_get_be32(d);
				out->ts_ecr = sl_get_be32(d + 4);
			}
			break;
		default:
			break;
		}
		i += olen;
	}
	return 0;
}

static uint16_t l4_csum(const uint8_t *seg, size_t len, uint32_t src, uint32_t dst)
{
	uint32_t sum =
		sl_csum_pseudo4(sl_hton32(src), sl_hton32(dst), SL_IPPROTO_TCP, (uint16_t)len);
	return sl_csum_fold(sl_csum_partial(seg, len, sum));
}

bool sl_tcp4_csum_ok(const uint8_t *seg, size_t len, uint32_t src, uint32_t dst)
{
	if (len < SL_TCP_HLEN || len > 0xffff)
		return false;
	return l4_csum(seg, len, src, dst) == 0;
}

void sl_tcp4_set_csum(uint8_t *seg, size_t len, uint32_t src, uint32_t dst)
{
	seg[CSUM_OFF] = 0;
	seg[CSUM_OFF + 1] = 0;
	uint16_t c = l4_csum(seg, len, src, dst);
	memcpy(seg + CSUM_OFF, &c, sizeof(c));
}
