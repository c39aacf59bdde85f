/* SPDX-License-Identifier: BSD-3-Clause */
#include "proto/nat.h"

#include <string.h>

#include "proto/bytes.h"

/*
 * One's complement arithmetic is byte-order independent (RFC 1071, section 2(B)): every 16-bit
 * word is taken as it sits in memory, old and new alike, and the result is stored the same way.
 */

static inline uint32_t delta16(uint16_t old, uint16_t new)
{
	return (uint32_t)(uint16_t)~old + new;
}

static inline uint32_t delta32(uint32_t old, uint32_t new)
{
	return delta16((uint16_t)old, (uint16_t)new) + delta16((uint16_t)(old >> 16), (uint16_t)(new >> 16));
}

static inline uint16_t apply(uint16_t csum, uint32_t delta)
{
	/* HC' = ~(~HC + sum(~m + m')) */
	uint32_t s = (uint16_t)~csum + delta;
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static inline uint16_t ld16(const uint8_t *p)
{
	uint16_t v;
	memcpy(&v, p, 2);
	return v;
}

static inline uint32_t ld32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

void sl_nat_rewrite4(uint8_t *ip, size_t ihl, uint32_t saddr, uint16_t sport, uint32_t daddr,
		     uint16_t dport)
{
	uint8_t *l4 = ip + ihl;
	uint32_t new_s = sl_hton32(saddr), new_d = sl_hton32(daddr);
	uint16_t new_sp = sl_hton16(sport), new_dp = sl_hton16(dport);
	uint32_t addr_delta = delta32(ld32(ip + 12), new_s) + delta32(ld32(ip + 16), new_d);
	uint32_t port_delta = delta16(ld16(l4), new_sp) + delta16(ld16(l4 + 2), new_dp);

	/* TTL and protocol share the 16-bit word at offset 8 */
	uint16_t old_ttl_word = ld16(ip + 8);
	ip[8]--;
	uint16_t new_ttl_word = ld16(ip + 8);
	uint16_t ipc = apply(ld16(ip + 10), addr_delta + delta16(old_ttl_word, new_ttl_word));
	memcpy(ip + 10, &ipc, 2);
	memcpy(ip + 12, &new_s, 4);
	memcpy(ip + 16, &new_d, 4);

	/* the TCP/UDP checksum covers the pseudo-header addresses and the ports */
	uint8_t *csum = ip[9] == 17 ? l4 + 6 : l4 + 16;
	uint16_t old = ld16(csum);
	if (!(ip[9] == 17 && old == 0)) {
		uint16_t c = apply(old, addr_delta + port_delta);
		if (ip[9] == 17 && c == 0)
			c = 0xffff;
		memcpy(csum, &c, 2);
	}
	memcpy(l4, &new_sp, 2);
	memcpy(l4 + 2, &new_dp, 2);
}
