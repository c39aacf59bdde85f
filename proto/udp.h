/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * UDP header (RFC 768): sport(2) dport(2) length(2) checksum(2), 8 bytes.
 *
 * Values in struct sl_udp_info, and IPv4 addresses passed to the checksum helpers, are host
 * order.
 */
#ifndef SL_UDP_H
#define SL_UDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SL_UDP_HLEN 8

struct sl_udp_info {
	uint16_t sport, dport;
	uint16_t len;  /* the UDP length field: header + payload, 8..65535 */
	uint16_t csum; /* as received, host order; 0 means "not computed" (RFC 768) */
};

enum sl_udp_err {
	SL_UDP_OK,
	SL_UDP_ERR_SHORT, /* fewer than 8 bytes */
	SL_UDP_ERR_LEN,	  /* length field < 8, or > len */
};
#define SL_UDP_ERR_COUNT (SL_UDP_ERR_LEN + 1)

/*
 * Parses the UDP header of the datagram of @len bytes at @p (the IPv4 payload) into @out.
 * Returns SL_UDP_HLEN (8) and sets *@err to SL_UDP_OK, or returns -1 and sets *@err to
 * SL_UDP_ERR_SHORT or SL_UDP_ERR_LEN (@out unspecified). @len may exceed the length field
 * (padding): the payload is the @out->len - 8 bytes after the header. @err may be NULL.
 */
int sl_udp_parse(const uint8_t *p, size_t len, struct sl_udp_info *out, enum sl_udp_err *err);

/* Returns "udp_ok", "udp_short", "udp_bad_len", or "udp_unknown" outside the enum. */
const char *sl_udp_err_name(enum sl_udp_err err);

/*
 * True when the checksum of the UDP datagram of @len bytes at @seg (@len = the UDP length
 * field) is correct for IPv4 source @src and destination @dst (host order), pseudo header
 * included (RFC 768), or when the checksum field is 0 (the sender computed none, which RFC 768
 * allows over IPv4). False also when @len is below 8 or above 65535.
 */
bool sl_udp4_csum_ok(const uint8_t *seg, size_t len, uint32_t src, uint32_t dst);

/*
 * Computes and stores the checksum of the UDP datagram of @len bytes (8..65535) at @seg for
 * IPv4 @src and @dst (host order), after zeroing the field. A computed 0 is stored as 0xffff
 * (RFC 768: zero means "no checksum").
 */
void sl_udp4_set_csum(uint8_t *seg, size_t len, uint32_t src, uint32_t dst);

#endif
