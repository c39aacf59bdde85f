/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The Internet checksum (RFC 1071) and its incremental update (RFC 1624), for IPv4 headers,
 * ICMP, and TCP/UDP over IPv4 (pseudo header: RFC 9293 section 3.1, RFC 768).
 *
 * Byte order, one rule for the whole module: every 16- and 32-bit value passed to or returned by
 * these functions is in NETWORK order, that is, exactly as the bytes sit in the packet, as you
 * get it with memcpy(&v, pkt + off, sizeof(v)) or from htons()/sl_hton16(). The one's
 * complement sum is byte-order independent (RFC 1071 section 2(B)), so the code works on
 * big- and little-endian hosts alike, and a checksum returned here is stored with
 * memcpy(pkt + off, &c, 2), never with a byte swap. The two exceptions are numbers, not packet
 * bytes, and say so: @proto and @l4len of sl_csum_pseudo4() are host order.
 *
 * The intermediate "sum" (uint32_t) is an unfolded one's complement accumulator: start at 0,
 * chain sl_csum_partial() calls, finish with sl_csum_fold().
 *
 * Verifying: the checksum over data that includes a correct checksum field is 0, i.e.
 * sl_csum(hdr, len) == 0 for a valid IPv4 header or ICMP message.
 */
#ifndef SL_CSUM_H
#define SL_CSUM_H

#include <stddef.h>
#include <stdint.h>

/*
 * Adds @len bytes at @p to the one's complement accumulator @sum and returns the new accumulator
 * (not folded, not complemented). @p may have any alignment. An odd @len is handled as if one
 * zero byte followed (RFC 1071 section 4.1). When chaining calls over one message, every chunk
 * but the last must have an even length (the data is summed as 16-bit words starting at an even
 * offset of the message). @len 0 returns @sum unchanged.
 */
uint32_t sl_csum_partial(const void *p, size_t len, uint32_t sum);

/*
 * Folds the accumulator @sum to 16 bits with end-around carries and returns its one's
 * complement: the checksum value to store in a header, in network order (memcpy it in place).
 * sl_csum_fold(0) is 0xffff.
 */
uint16_t sl_csum_fold(uint32_t sum);

/*
 * Returns the Internet checksum of @len bytes at @p (any alignment, odd lengths padded with a
 * zero byte), network order: sl_csum_fold(sl_csum_partial(p, len, 0)). Over a header whose
 * checksum field is zero it is the value to store; over a header with its checksum in place it
 * is 0 when that checksum is correct.
 */
uint16_t sl_csum(const void *p, size_t len);

/*
 * RFC 1624 eqn. 3 incremental update, HC' = ~(~HC + ~m + m'): returns the new checksum when
 * the 16-bit word at an even offset of the checksummed data changes from @old_word to
 * @new_word, given the current checksum @csum. All three arguments and the result are network
 * order (as in memory). To change a single byte, pass the aligned 16-bit word around it
 * before and after the change. When @csum was correct and the data is not all zero before nor
 * after the change, the result is bit for bit what a full recomputation gives (eqn. 3 avoids
 * the 0x0000 / 0xffff ambiguity of RFC 1141's update, RFC 1624 section 3). The one exception:
 * data that becomes all zero gets 0x0000 where a full sum gives 0xffff, and 0x0000 does not
 * verify; that cannot happen to an IPv4 header (version 4) nor under a TCP/UDP pseudo header
 * (protocol number), and sl_icmp_echo_to_reply() checks for it.
 */
uint16_t sl_csum_update16(uint16_t csum, uint16_t old_word, uint16_t new_word);

/*
 * Like sl_csum_update16() for a 32-bit field at an even offset (an IPv4 address, a TCP sequence
 * number): @old_val and @new_val are network order, as memcpy'd from the packet.
 */
uint16_t sl_csum_update32(uint16_t csum, uint32_t old_val, uint32_t new_val);

/*
 * Returns the accumulator for the IPv4 pseudo header of TCP (RFC 9293 section 3.1) and UDP
 * (RFC 768): source and destination addresses @src_be and @dst_be in network order (as in the
 * IPv4 header), a zero byte, @proto (host number, e.g. 6 or 17) and @l4len (host-order
 * length in bytes of the TCP/UDP header plus payload). Continue with
 * sl_csum_partial(l4, l4len, that) and sl_csum_fold().
 */
uint32_t sl_csum_pseudo4(uint32_t src_be, uint32_t dst_be, uint8_t proto, uint16_t l4len);

#endif
