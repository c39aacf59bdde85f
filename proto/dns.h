/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DNS messages (RFC 1035) for the run-time resolvers of server host names: an A query, and the A
 * records of its answer, CNAME chains followed. Pure: no I/O, no allocation; every length in a
 * received message is checked against the message before it is read.
 */
#ifndef SL_PROTO_DNS_H
#define SL_PROTO_DNS_H

#include <stddef.h>
#include <stdint.h>

#define SL_DNS_NAME_MAX 255 /* a name in text form, without the final dot, NUL excluded */
#define SL_DNS_ADDR_MAX 16  /* A records kept from one answer */

enum sl_dns_rcode {
	SL_DNS_NOERROR = 0,
	SL_DNS_FORMERR = 1,
	SL_DNS_SERVFAIL = 2,
	SL_DNS_NXDOMAIN = 3,
	SL_DNS_NOTIMP = 4,
	SL_DNS_REFUSED = 5,
};

/* The outcome of one answer. */
struct sl_dns_answer {
	uint16_t id;
	uint8_t rcode;     /* enum sl_dns_rcode, or another RCODE as received */
	uint8_t truncated; /* TC set */
	int naddr;         /* A records of the name (or of its CNAME chain), at most SL_DNS_ADDR_MAX */
	uint32_t addr[SL_DNS_ADDR_MAX]; /* host order, in the answer's order */
	uint32_t ttl;      /* the smallest TTL of those records (0 when none) */
};

/*
 * Writes a query for the A records of @name (dotted, an optional final dot) with id @id and
 * recursion desired into @buf (capacity @cap). @payload > 512 adds an EDNS0 OPT record announcing
 * that UDP payload size. Returns the message's length, or -1 when @name is not a valid name
 * (empty label, a label over 63 bytes, over 255 bytes in all) or @cap is too small.
 */
int sl_dns_query_a(uint8_t *buf, size_t cap, uint16_t id, const char *name, uint16_t payload);

/*
 * Reads the response @msg (@len bytes) to the A query for @name. Checks that it is a response
 * (QR), with one question naming @name (case-insensitive) of type A class IN, then collects the A
 * records of @name, and of the names a CNAME record of the answer section leads to from it.
 * Returns 0 with @out filled (an error RCODE is a successful read: see @out->rcode), -EBADMSG
 * when the message is malformed or truncated (a length or pointer past the end, a pointer loop,
 * a name over 255 bytes), -ENOENT when its question is not @name's A query.
 */
int sl_dns_parse_a(const uint8_t *msg, size_t len, const char *name, struct sl_dns_answer *out);

/* The id of the message @msg (@len >= 2), to find its query before parsing it. */
static inline uint16_t sl_dns_id(const uint8_t *msg)
{
	return (uint16_t)(msg[0] << 8 | msg[1]);
}

#endif
