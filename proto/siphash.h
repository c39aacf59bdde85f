/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SipHash-2-4: the keyed pseudorandom function of J.-P. Aumasson and D. J. Bernstein,
 * "SipHash: a fast short-input PRF" (INDOCRYPT 2012), with a 128-bit key and a 64-bit output.
 *
 * Why a keyed hash: a flow table indexed by an unkeyed hash of the four-tuple lets a remote
 * host choose ports and addresses that all land in one bucket and turn every lookup into a
 * list walk (hash flooding). With a secret random key the attacker cannot predict where a
 * tuple lands. SipHash is built for exactly this: short inputs, a few tens of cycles for 16
 * bytes, and a security claim as a PRF rather than only a good spread.
 *
 * The key is two 64-bit words: for a key given as 16 bytes k[0..15] (the paper's notation),
 * @k0 is k[0..7] and @k1 is k[8..15], each read little-endian. Draw it from a cryptographic
 * source (getrandom(2)) at start-up and keep it secret; a key of all zeros or any guessable key
 * throws the flooding protection away.
 *
 * Both functions are pure: no allocation, no global state, any alignment of @data, safe to call
 * from any lcore or thread concurrently, with the same key or different keys. Results do not
 * depend on the host's byte order.
 */
#ifndef SL_SIPHASH_H
#define SL_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

struct sl_siphash_key {
	uint64_t k0, k1;
};

/*
 * Returns SipHash-2-4 of the @len bytes at @data under @key. @data may have any alignment and
 * may be NULL when @len is 0. @key must not be NULL. The result matches the paper's reference
 * vectors (Appendix A) for the key bytes 00..0f and the messages 00..(len - 1).
 */
uint64_t sl_siphash(const struct sl_siphash_key *key, const void *data, size_t len);

/*
 * Returns SipHash-2-4 under @key of exactly 16 bytes given as two host-order words: the bytes
 * of @a in little-endian order, then those of @b in little-endian order. That is,
 * sl_siphash_2u64(key, a, b) equals sl_siphash(key, buf, 16) where buf holds a and b stored
 * little-endian, on any host. It is the fast path for TCP/UDP four-tuples packed into two
 * words: no byte buffer, no tail handling. @key must not be NULL.
 */
uint64_t sl_siphash_2u64(const struct sl_siphash_key *key, uint64_t a, uint64_t b);

#endif
