/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The PROXY protocol (HAProxy's doc/proxy-protocol.txt, versions 1 and 2): the header a proxy
 * puts in front of a TCP stream to tell the next hop the client's addresses.
 *
 * Parser: sl_pp_parse() reads a header at the start of @p. It answers
 *  - SL_PP_OK with the header's length and facts (what follows it is the stream's),
 *  - SL_PP_MORE when the bytes end before the header does and nothing seen is wrong yet (wait
 *    for more, within a timeout),
 *  - SL_PP_BAD when it cannot be a valid header: neither signature, a v1 line longer than 107
 *    bytes or not ending in CRLF, an unknown v1 protocol, an address or port that does not
 *    parse, a v2 version other than 2 or a command other than LOCAL/PROXY, an address block
 *    shorter than its family needs, a TLV running past the header, a wrong CRC32C, a header
 *    longer than @max (the caller's buffer: an oversized header).
 * Every length is checked against the bytes it lies in before it is used; the TLVs' values
 * are slices of the input.
 *
 * Builders: a v1 line and a v2 header with the TLVs of HAProxy's proxy-v2-options, for IPv4
 * addresses (sluice's data plane is IPv4).
 *
 * Pure C, no allocation, no global state: any thread.
 */
#ifndef SL_PROXY_PROTO_H
#define SL_PROXY_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum sl_pp_res {
	SL_PP_OK = 0,
	SL_PP_MORE = 1,
	SL_PP_BAD = -1,
};

#define SL_PP_V1_MAX 107 /* the longest v1 line, CRLF included */
#define SL_PP_V2_HDR 16	 /* the v2 fixed part: signature, version/command, family, length */

/* Address families as the parser reports them. */
enum sl_pp_fam {
	SL_PP_UNSPEC = 0, /* v1 UNKNOWN, v2 LOCAL, or a v2 family other than TCP over IPv4/IPv6
			   * (the connection's own addresses stay, as HAProxy's) */
	SL_PP_TCP4 = 1,
	SL_PP_TCP6 = 2,
};

/* v2 TLV types (proxy-protocol.txt 2.2) */
enum {
	SL_PP2_TYPE_ALPN = 0x01,
	SL_PP2_TYPE_AUTHORITY = 0x02,
	SL_PP2_TYPE_CRC32C = 0x03,
	SL_PP2_TYPE_NOOP = 0x04,
	SL_PP2_TYPE_UNIQUE_ID = 0x05,
	SL_PP2_TYPE_SSL = 0x20,
	SL_PP2_SUBTYPE_SSL_VERSION = 0x21,
	SL_PP2_SUBTYPE_SSL_CN = 0x22,
	SL_PP2_SUBTYPE_SSL_CIPHER = 0x23,
	SL_PP2_SUBTYPE_SSL_SIG_ALG = 0x24,
	SL_PP2_SUBTYPE_SSL_KEY_ALG = 0x25,
	SL_PP2_TYPE_NETNS = 0x30,
};
#define SL_PP2_CLIENT_SSL 0x01
#define SL_PP2_CLIENT_CERT_CONN 0x02
#define SL_PP2_CLIENT_CERT_SESS 0x04
#define SL_PP2_UNIQUE_ID_MAX 128 /* the spec's limit on a unique ID */

/* A slice of the input, len 0 and p NULL when absent. */
struct sl_pp_slice {
	const uint8_t *p;
	size_t len;
};

struct sl_pp_hdr {
	uint8_t version; /* 1 or 2 */
	bool local;	 /* v2 LOCAL: the connection's own (a health check of the sender) */
	uint8_t fam;	 /* enum sl_pp_fam */
	uint8_t src[16], dst[16]; /* network order: 4 bytes for TCP4, 16 for TCP6 */
	uint16_t sport, dport;	  /* host order */
	size_t len;		  /* the header's length: the stream starts after it */
	/* v2 TLVs seen (slices of the input) */
	struct sl_pp_slice alpn, authority, unique_id;
	bool has_crc32c;	 /* a CRC32C TLV was there, and matched */
	bool has_ssl;		 /* an SSL TLV was there */
	uint8_t ssl_client;	 /* its client bits (SL_PP2_CLIENT_*) */
	uint32_t ssl_verify;	 /* its verify field (0: a verified certificate, or none) */
	struct sl_pp_slice ssl_version, ssl_cn, ssl_cipher, ssl_sig_alg, ssl_key_alg;
};

/* Parses a header at @p (@len bytes there), accepting one of at most @max bytes. */
int sl_pp_parse(const uint8_t *p, size_t len, size_t max, struct sl_pp_hdr *h);

/* CRC32C (Castagnoli) of @len bytes, the one the v2 CRC32C TLV carries. */
uint32_t sl_pp_crc32c(const uint8_t *p, size_t len);

/* A v1 TCP4 line for the addresses (host order) into @out; its length, 0 when @cap is too
 * small. */
size_t sl_pp_build_v1(char *out, size_t cap, uint32_t src, uint16_t sport, uint32_t dst,
		      uint16_t dport);

/* proxy-v2-options, as HAProxy's server keyword (SL_PP2O_*), and the facts they carry. */
#define SL_PP2O_SSL (1u << 0)
#define SL_PP2O_SSL_CIPHER (1u << 1)
#define SL_PP2O_CERT_SIG (1u << 2)
#define SL_PP2O_CERT_KEY (1u << 3)
#define SL_PP2O_CERT_CN (1u << 4)
#define SL_PP2O_AUTHORITY (1u << 5)
#define SL_PP2O_UNIQUE_ID (1u << 6)
#define SL_PP2O_CRC32C (1u << 7)

struct sl_pp2_facts {
	bool ssl;		 /* the client's connection is TLS */
	const char *ssl_version; /* its protocol version ("TLSv1.3"), or NULL */
	const char *ssl_cipher;	 /* its cipher, or NULL */
	const char *authority;	 /* the server name it asked for (SNI), or NULL */
	const uint8_t *unique_id; /* the request's unique ID, or NULL */
	size_t unique_id_len;
};

/* A v2 header into @out: PROXY over TCP4 for the addresses (host order), or LOCAL when @local
 * (a health check), with the TLVs @opts asks for that @f has (HAProxy's order: CRC32C,
 * AUTHORITY, UNIQUE_ID, SSL with its VERSION and CIPHER sub-TLVs). Returns its length, 0 when
 * @cap is too small. */
size_t sl_pp_build_v2(uint8_t *out, size_t cap, bool local, uint32_t src, uint16_t sport,
		      uint32_t dst, uint16_t dport, uint32_t opts, const struct sl_pp2_facts *f);

#endif
