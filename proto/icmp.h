/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ICMP for IPv4 (RFC 792):
 *
 *   type(1) code(1) checksum(2) rest of header(4) data...      the header is 8 bytes
 *
 * For echo and echo reply (RFC 792 "Echo or Echo Reply Message") the rest of the header is
 * identifier(2) and sequence number(2). The checksum covers the whole ICMP message (RFC 1071).
 * Values in struct sl_icmp_info are host order.
 */
#ifndef SL_ICMP_H
#define SL_ICMP_H

#include <stddef.h>
#include <stdint.h>

#define SL_ICMP_HLEN 8

#define SL_ICMP_ECHO_REPLY    0
#define SL_ICMP_DEST_UNREACH  3
#define SL_ICMP_ECHO_REQUEST  8
#define SL_ICMP_TIME_EXCEEDED 11

/* Codes of SL_ICMP_DEST_UNREACH (RFC 792; 4 is from RFC 1191). */
#define SL_ICMP_UNREACH_PORT	 3
#define SL_ICMP_UNREACH_NEEDFRAG 4

struct sl_icmp_info {
	uint8_t type, code;
	uint16_t id, seq; /* bytes 4-5 and 6-7: meaningful for echo / echo reply, host order */
};

enum sl_icmp_err {
	SL_ICMP_OK,
	SL_ICMP_ERR_SHORT, /* fewer than 8 bytes */
	SL_ICMP_ERR_CSUM,  /* checksum over the message wrong */
};
#define SL_ICMP_ERR_COUNT (SL_ICMP_ERR_CSUM + 1)

/*
 * Parses the ICMP message of exactly @len bytes at @p (the IPv4 payload, trimmed to the IPv4
 * total length: the checksum covers all of it, so Ethernet padding must not be included) into
 * @out and verifies its checksum. Returns SL_ICMP_HLEN (8) and sets *@err to SL_ICMP_OK, or
 * returns -1 and sets *@err to SL_ICMP_ERR_SHORT (@out unspecified) or SL_ICMP_ERR_CSUM (@out
 * filled all the same). @err may be NULL.
 */
int sl_icmp_parse(const uint8_t *p, size_t len, struct sl_icmp_info *out, enum sl_icmp_err *err);

/* Returns "icmp_ok", "icmp_short", "icmp_bad_csum", or "icmp_unknown" outside the enum. */
const char *sl_icmp_err_name(enum sl_icmp_err err);

/*
 * Turns the echo request of @len bytes at @icmp (already validated by sl_icmp_parse(), type
 * SL_ICMP_ECHO_REQUEST, so @len >= 8) into an echo reply in place: type 8 -> 0; code,
 * identifier, sequence number and data unchanged (RFC 792); the checksum updated
 * incrementally (RFC 1624 eqn. 3) so the data is not read again. @len is only read in the one
 * case eqn. 3 gets wrong: a reply that is all zero (code, id, seq and data zero) must carry
 * 0xffff, not 0x0000 (RFC 1624 section 3); the bytes are scanned only when the update yields
 * 0x0000, up to the first non-zero byte. The IPv4 header (swap the addresses, reset the TTL,
 * sl_ipv4_set_csum()) is the caller's business.
 */
void sl_icmp_echo_to_reply(uint8_t *icmp, size_t len);

#endif
