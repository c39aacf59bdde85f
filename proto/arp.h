/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ARP (RFC 826) for Ethernet hardware and IPv4 protocol addresses only:
 *
 *   htype(2)=1 ptype(2)=0x0800 hlen(1)=6 plen(1)=4 op(2) sha(6) spa(4) tha(6) tpa(4)   28 bytes
 *
 * @p / @buf point at the ARP packet, after the Ethernet header. Hardware addresses are byte
 * arrays in wire order; @op, @spa and @tpa are host-order numbers (192.0.2.1 is 0xc0000201).
 */
#ifndef SL_ARP_H
#define SL_ARP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SL_ARP_LEN	   28 /* Ethernet/IPv4 ARP packet */
#define SL_ARP_HTYPE_ETHER 1
#define SL_ARP_OP_REQUEST  1
#define SL_ARP_OP_REPLY	   2

struct sl_arp_info {
	uint16_t op; /* SL_ARP_OP_REQUEST or SL_ARP_OP_REPLY */
	uint8_t sha[6];
	uint32_t spa; /* host order */
	uint8_t tha[6];
	uint32_t tpa; /* host order */
};

enum sl_arp_err {
	SL_ARP_OK,
	SL_ARP_ERR_SHORT,     /* fewer than 28 bytes */
	SL_ARP_ERR_HTYPE,     /* hardware type is not Ethernet (1) */
	SL_ARP_ERR_PTYPE,     /* protocol type is not IPv4 (0x0800) */
	SL_ARP_ERR_HLEN_PLEN, /* address lengths are not 6 and 4 */
	SL_ARP_ERR_OP,	      /* opcode is neither request (1) nor reply (2) */
};
#define SL_ARP_ERR_COUNT (SL_ARP_ERR_OP + 1)

/*
 * Parses the ARP packet of @len bytes at @p into @out. Bytes after the first 28 (Ethernet
 * padding) are ignored. Returns SL_ARP_LEN (28) and sets *@err to SL_ARP_OK, or returns -1 and
 * sets *@err to the reason, checked in enum order (@out is then unspecified). @err may be NULL.
 */
int sl_arp_parse(const uint8_t *p, size_t len, struct sl_arp_info *out, enum sl_arp_err *err);

/*
 * Returns the counter name of @err ("arp_ok", "arp_short", "arp_bad_htype", "arp_bad_ptype",
 * "arp_bad_hlen_plen", "arp_bad_op"), or "arp_unknown" for a value outside the enum.
 */
const char *sl_arp_err_name(enum sl_arp_err err);

/*
 * Writes a 28-byte Ethernet/IPv4 ARP packet at @buf: opcode @op, sender @sha/@spa, target
 * @tha/@tpa (addresses host order). Returns SL_ARP_LEN (28), or 0 (nothing written) when
 * @cap < 28. @sha/@tha may point into @buf (building a reply over the request): they are
 * copied before writing.
 */
size_t sl_arp_build(uint8_t *buf, size_t cap, uint16_t op, const uint8_t sha[6], uint32_t spa,
		    const uint8_t tha[6], uint32_t tpa);

/*
 * Writes a gratuitous ARP announcement for @ip (host order) at @mac: a request whose sender and
 * target protocol addresses are both @ip and target hardware address is zero (RFC 5227
 * section 3, RFC 5944 section 4.6), to be sent to the broadcast MAC. Returns 28, or 0 when
 * @cap < 28.
 */
size_t sl_arp_build_gratuitous(uint8_t *buf, size_t cap, const uint8_t mac[6], uint32_t ip);

/* True when @a is gratuitous (sender and target protocol addresses equal), request or reply. */
bool sl_arp_is_gratuitous(const struct sl_arp_info *a);

#endif
