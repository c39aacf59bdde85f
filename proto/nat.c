/* SPDX-License-Identifier: BSD-3-Clause */
#include "proto/nat.h"

#include <string.h>

#include "proto/bytes.h"
#include "proto/csum.h"

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

/* ------------------------------------------------------------------ TCP seq/ts translation */

/* Adds @v to the big-endian 32-bit word at @p and folds the change into *@delta. */
static inline void add_be32(uint8_t *p, uint32_t v, uint32_t *delta)
{
	uint32_t old = ld32(p);
	uint32_t nv = sl_hton32(sl_ntoh32(old) + v);
	memcpy(p, &nv, 4);
	*delta += delta32(old, nv);
}

/* Walks the options; calls back for TS (offset of TSval) and SACK blocks (offset, count). */
struct opt_pos {
	int ts;      /* offset of the 10-byte TS option, or -1 */
	int sack;    /* offset of the SACK option, or -1 */
	int nsack;   /* number of blocks */
};

static struct opt_pos find_opts(const uint8_t *tcp, size_t doff)
{
	struct opt_pos o = {-1, -1, 0};
	size_t i = 20;
	while (i < doff) {
		uint8_t kind = tcp[i];
		if (kind == 0)
			break;
		if (kind == 1) {
			i++;
			continue;
		}
		if (i + 1 >= doff)
			break;
		uint8_t len = tcp[i + 1];
		if (len < 2 || i + len > doff)
			break;
		if (kind == 8 && len == 10)
			o.ts = (int)i;
		else if (kind == 5 && len >= 10 && (len - 2) % 8 == 0) {
			o.sack = (int)i;
			o.nsack = (len - 2) / 8;
		}
		i += len;
	}
	return o;
}

static inline void fix_csum(uint8_t *tcp, uint32_t delta)
{
	uint16_t c = apply(ld16(tcp + 16), delta);
	memcpy(tcp + 16, &c, 2);
}

void sl_nat_tcp_to_server(uint8_t *tcp, size_t doff, uint32_t d)
{
	uint32_t delta = 0;
	add_be32(tcp + 4, d, &delta);
	if (doff > 20) {
		struct opt_pos o = find_opts(tcp, doff);
		if (o.ts >= 0)
			add_be32(tcp + o.ts + 2, d, &delta);
	}
	fix_csum(tcp, delta);
}

void sl_nat_tcp_to_client(uint8_t *tcp, size_t doff, uint32_t d)
{
	uint32_t delta = 0;
	uint32_t neg = (uint32_t)0 - d;
	if (tcp[13] & 0x10)
		add_be32(tcp + 8, neg, &delta);
	if (doff > 20) {
		struct opt_pos o = find_opts(tcp, doff);
		if (o.ts >= 0 && (tcp[13] & 0x10)) /* TSecr is meaningful with ACK (RFC 7323) */
			add_be32(tcp + o.ts + 6, neg, &delta);
		for (int k = 0; k < o.nsack; k++) {
			add_be32(tcp + o.sack + 2 + 8 * k, neg, &delta);
			add_be32(tcp + o.sack + 6 + 8 * k, neg, &delta);
		}
	}
	fix_csum(tcp, delta);
}

bool sl_nat_tcp_tsval(const uint8_t *tcp, size_t doff, uint32_t *tsval)
{
	if (doff <= 20)
		return false;
	struct opt_pos o = find_opts(tcp, doff);
	if (o.ts < 0)
		return false;
	*tsval = sl_ntoh32(ld32(tcp + o.ts + 2));
	return true;
}

/* ------------------------------------------------------------------ ICMP errors */

int sl_nat_icmp_error4(uint8_t *ip, size_t len, uint32_t saddr, uint32_t daddr, uint32_t q_saddr,
		       uint16_t q_sport, uint32_t q_daddr, uint16_t q_dport, uint32_t q_seq_add)
{
	size_t ihl = (size_t)(ip[0] & 0x0f) * 4;
	if (ihl < 20 || len < ihl + 8 + 20 + 8)
		return -1;
	uint8_t *icmp = ip + ihl;
	uint8_t *q = icmp + 8;
	size_t qihl = (size_t)(q[0] & 0x0f) * 4;
	size_t qlen = len - ihl - 8;
	if ((q[0] >> 4) != 4 || qihl < 20 || qlen < qihl + 8 || (q[9] != 6 && q[9] != 17))
		return -1;
	uint8_t *ql4 = q + qihl;
	size_t ql4len = qlen - qihl;

	/* the quoted transport header: ports, TCP sequence, and its checksum when quoted */
	uint32_t new_qs = sl_hton32(q_saddr), new_qd = sl_hton32(q_daddr);
	uint16_t new_qsp = sl_hton16(q_sport), new_qdp = sl_hton16(q_dport);
	uint32_t d = delta32(ld32(q + 12), new_qs) + delta32(ld32(q + 16), new_qd) +
		     delta16(ld16(ql4), new_qsp) + delta16(ld16(ql4 + 2), new_qdp);
	if (q[9] == 6) {
		uint32_t seq = ld32(ql4 + 4);
		uint32_t nseq = sl_hton32(sl_ntoh32(seq) + q_seq_add);
		d += delta32(seq, nseq);
		memcpy(ql4 + 4, &nseq, 4);
		if (ql4len >= 18)
			fix_csum(ql4, d);
	} else if (ql4len >= 8 && ld16(ql4 + 6) != 0) {
		uint16_t c = apply(ld16(ql4 + 6), d);
		memcpy(ql4 + 6, c == 0 ? &(uint16_t){0xffff} : &c, 2);
	}
	memcpy(ql4, &new_qsp, 2);
	memcpy(ql4 + 2, &new_qdp, 2);
	memcpy(q + 12, &new_qs, 4);
	memcpy(q + 16, &new_qd, 4);
	q[10] = q[11] = 0;
	uint16_t qc = sl_csum(q, qihl);
	memcpy(q + 10, &qc, 2);

	/* the outer header, and the ICMP checksum over the whole message */
	uint32_t ns = sl_hton32(saddr), nd = sl_hton32(daddr);
	memcpy(ip + 12, &ns, 4);
	memcpy(ip + 16, &nd, 4);
	ip[8] = 64;
	ip[10] = ip[11] = 0;
	uint16_t ic = sl_csum(ip, ihl);
	memcpy(ip + 10, &ic, 2);
	icmp[2] = icmp[3] = 0;
	uint16_t cc = sl_csum(icmp, len - ihl);
	memcpy(icmp + 2, &cc, 2);
	return 0;
}

uint32_t sl_nat_isn_secret(const struct sl_siphash_key *key, uint32_t saddr, uint32_t daddr,
			   uint16_t sport, uint16_t dport)
{
	return (uint32_t)sl_siphash_2u64(key, (uint64_t)saddr << 32 | daddr,
					 (uint64_t)sport << 16 | dport);
}
