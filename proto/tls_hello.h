/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The first bytes of a TLS connection as a client sends them, read without terminating TLS:
 * the record header and the ClientHello it carries (RFC 8446 5.1 and 4.1.2, RFC 6066 3), for
 * HAProxy's payload fetches req.ssl_hello_type, req.ssl_ver and req.ssl_sni (TLS pass-through
 * routing by server name).
 *
 * HAProxy's definitions (src/payload.c, 2.6):
 *  - req.ssl_hello_type: the handshake type of the first record, when it is a handshake record
 *    (22) of SSLv3 or later whose length is sane; 1 is a ClientHello. Only the record header
 *    and the first byte of its body are needed.
 *  - req.ssl_ver: the record layer's version of an SSLv3-or-later record, major << 16 | minor
 *    (0x30001 for the "3.1" of TLS 1.0..1.3's ClientHello records). SSLv2 hellos are answered
 *    "not TLS" here (HAProxy knows them; no client of this century sends one).
 *  - req.ssl_sni: the host_name of the server_name extension of a ClientHello that is
 *    complete in the first record. The hello must fit in one record (16 KB): what every
 *    client sends.
 *
 * Each parser answers SL_TLSH_OK with the fields, SL_TLSH_MORE when the bytes end before the
 * answer (a truncated record: wait for more, or under inspect-delay's expiry evaluate without
 * it), or SL_TLSH_NOT_TLS (malformed: a length past its container, a wrong type or version).
 * Every length is checked against the bytes it lies in before it is used.
 *
 * Pure C, no allocation, no global state: any thread.
 */
#ifndef SL_TLS_HELLO_H
#define SL_TLS_HELLO_H

#include <stddef.h>
#include <stdint.h>

enum sl_tlsh_res {
	SL_TLSH_OK = 0,
	SL_TLSH_MORE = 1,
	SL_TLSH_NOT_TLS = -1,
};

/* The record header and the handshake type: req.ssl_hello_type and req.ssl_ver. */
int sl_tls_record_head(const uint8_t *p, size_t len, uint8_t *hs_type, uint32_t *rec_ver);

struct sl_tls_hello {
	uint32_t rec_ver;    /* the record layer's version, major << 16 | minor */
	uint32_t hello_ver;  /* the ClientHello's legacy_version */
	const uint8_t *sni;  /* the server name (a slice of the input), NULL when none is sent */
	size_t sni_len;
};

/* A ClientHello in the first record, its server name included. */
int sl_tls_hello_parse(const uint8_t *p, size_t len, struct sl_tls_hello *h);

#endif
