/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Big-endian (network order) loads and stores over byte pointers, for the proto/ parsers and
 * builders. Packets may start at any address, so nothing here casts a byte pointer to a wider
 * type: values are assembled with shifts, which is alignment- and host-endian-independent.
 *
 * Header only (static inline): proto/ modules and their callers share it without a .c.
 */
#ifndef SL_BYTES_H
#define SL_BYTES_H

#include <stdint.h>
#include <string.h>

/* Returns the 16-bit big-endian value at @p (2 readable bytes) as a host-order number. */
static inline uint16_t sl_get_be16(const uint8_t *p)
{
	return (uint16_t)((uint16_t)p[0] << 8 | p[1]);
}

/* Returns the 32-bit big-endian value at @p (4 readable bytes) as a host-order number. */
static inline uint32_t sl_get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Stores host-order @v at @p (2 writable bytes) in big-endian order. */
static inline void sl_put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Stores host-order @v at @p (4 writable bytes) in big-endian order. */
static inline void sl_put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/*
 * Returns the 16-bit value whose in-memory representation is host-order @v in network order:
 * what htons(@v) returns, without <arpa/inet.h>. Such "network order" values are what the
 * checksum functions of proto/csum.h take and return.
 */
static inline uint16_t sl_hton16(uint16_t v)
{
	uint8_t b[2];
	uint16_t r;
	sl_put_be16(b, v);
	memcpy(&r, b, sizeof(r));
	return r;
}

/* Like sl_hton16() for 32 bits: what htonl(@v) returns. */
static inline uint32_t sl_hton32(uint32_t v)
{
	uint8_t b[4];
	uint32_t r;
	sl_put_be32(b, v);
	memcpy(&r, b, sizeof(r));
	return r;
}

/* The inverse of sl_hton16(): what ntohs(@v) returns (the same swap). */
static inline uint16_t sl_ntoh16(uint16_t v)
{
	uint8_t b[2];
	memcpy(b, &v, sizeof(v));
	return sl_get_be16(b);
}

/* The inverse of sl_hton32(): what ntohl(@v) returns. */
static inline uint32_t sl_ntoh32(uint32_t v)
{
	uint8_t b[4];
	memcpy(b, &v, sizeof(v));
	return sl_get_be32(b);
}

#endif
