/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP header (RFC 9293 section 3.1), enough to classify and steer segments:
 *
 *   sport(2) dport(2) seq(4) ack(4) doff:4 rsvd:4 flags(1) window(2) checksum(2) urg(2)
 *   options (doff*4 - 20 bytes)
 *
 * Values in struct sl_tcp_info and struct sl_tcp_opts, and IPv4 addresses passed to the
 * checksum helpers, are host order.
 */
#ifndef SL_TCP_H
#define SL_TCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SL_TCP_HLEN	20 /* header without options */
#define SL_TCP_MAX_HLEN 60

/* Control bits, byte 13 of the header (RFC 9293 section 3.1; ECE and CWR: RFC 3168). */
#define SL_TCP_FIN 0x01
#define SL_TCP_SYN 0x02
#define SL_TCP_RST 0x04
#define SL_TCP_PSH 0x08
#define SL_TCP_ACK 0x10
#define SL_TCP_URG 0x20
#define SL_TCP_ECE 0x40
#define SL_TCP_CWR 0x80

/* Option kinds (RFC 9293 section 3.2; 3 and 8: RFC 7323; 4 and 5: RFC 2018). */
#define SL_TCP_OPT_EOL	     0
#define SL_TCP_OPT_NOP	     1
#define SL_TCP_OPT_MSS	     2
#define SL_TCP_OPT_WSCALE    3
#define SL_TCP_OPT_SACK_PERM 4
#define SL_TCP_OPT_SACK	     5
#define SL_TCP_OPT_TS	     8
#define SL_TCP_WSCALE_MAX    14 /* RFC 7323 section 2.3 */

struct sl_tcp_info {
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t doff_bytes; /* header length in bytes, options included (20..60) */
	uint8_t flags;	    /* SL_TCP_* bits */
	uint16_t win, urg;
};

enum sl_tcp_err {
	SL_TCP_OK,
	SL_TCP_ERR_SHORT, /* fewer than 20 bytes */
	SL_TCP_ERR_DOFF,  /* data offset < 5, or data offset * 4 > len */
};
#define SL_TCP_ERR_COUNT (SL_TCP_ERR_DOFF + 1)

/* What sl_tcp_parse_opts() found; a has_* / *_ok flag tells whether the option was present. */
struct sl_tcp_opts {
	bool has_mss, has_wscale, sack_ok, has_ts;
	uint16_t mss;
	uint8_t wscale; /* clamped to SL_TCP_WSCALE_MAX */
	uint32_t ts_val, ts_ecr;
};

/*
 * Parses the TCP header of the segment of @len bytes at @p (the IPv4 payload) into @out.
 * Returns the header length, doff*4 (20..60), and sets *@err to SL_TCP_OK, or returns -1 and
 * sets *@err to SL_TCP_ERR_SHORT or SL_TCP_ERR_DOFF (@out unspecified). Flags are not judged
 * here (see sl_tcp_flags_valid()), nor the checksum (sl_tcp4_csum_ok()). @err may be NULL.
 */
int sl_tcp_parse(const uint8_t *p, size_t len, struct sl_tcp_info *out, enum sl_tcp_err *err);

/* Returns "tcp_ok", "tcp_short", "tcp_bad_doff", or "tcp_unknown" outside the enum. */
const char *sl_tcp_err_name(enum sl_tcp_err err);

/*
 * True when the control bits @flags form a combination that a correct TCP sends; false for
 * the ones only scanners and broken stacks send. PSH, ECE and CWR never decide (PSH may ride
 * on anything; ECE/CWR are ECN signals, RFC 3168, also on a SYN). Among FIN, SYN, RST, ACK and
 * URG only these are valid: SYN, SYN|URG, SYN|ACK, RST, RST|ACK, ACK, ACK|URG, FIN|ACK,
 * FIN|ACK|URG (the same table as Linux netfilter's conntrack). Why:
 *  - without ACK, only a SYN (the opening segment, RFC 9293 3.10.7.2) or a RST (a reset
 *    answering a segment that carried an ACK is <SEQ=SEG.ACK><CTL=RST>, 3.10.7.1) make sense:
 *    in every synchronized state a segment without ACK is dropped (3.10.7.4, "fifth, if the
 *    ACK bit is off drop the segment"). This refuses no flags at all (NULL scan), FIN alone
 *    (FIN scan), FIN|PSH|URG (Xmas scan), a lone PSH or URG;
 *  - SYN with FIN opens and closes at once: legal on paper, sent by no real stack, used to
 *    fingerprint hosts and slip past filters;
 *  - SYN with RST, and RST with FIN, contradict themselves: a reset aborts, there is nothing
 *    left to open or to close gracefully;
 *  - SYN|ACK|URG and RST with URG: an urgent pointer on a handshake answer or on a reset
 *    means nothing (a bare SYN|URG is tolerated, as conntrack does).
 */
bool sl_tcp_flags_valid(uint8_t flags);

/*
 * Parses the options of a TCP header: @opts points after the 20 fixed bytes, @len is
 * doff_bytes - 20. Fills @out (zeroed first) with MSS, window scale (clamped to 14), SACK
 * permitted and timestamps; other kinds are skipped by their length, and a known kind with a
 * wrong length is ignored. Returns 0, or -1 when the option list is malformed (a length byte
 * missing, < 2, or running past @len), RFC 9293 section 3.1 "Options" and 3.2.
 */
int sl_tcp_parse_opts(const uint8_t *opts, size_t len, struct sl_tcp_opts *out);

/*
 * True when the TCP checksum of the segment of @len bytes at @seg (header + payload, the IPv4
 * payload trimmed to the IPv4 total length) is correct for IPv4 source @src and destination
 * @dst (host order), pseudo header included (RFC 9293 section 3.1). False also when @len is
 * below 20 or above 65535.
 */
bool sl_tcp4_csum_ok(const uint8_t *seg, size_t len, uint32_t src, uint32_t dst);

/*
 * Computes and stores the checksum of the TCP segment of @len bytes (20..65535) at @seg for
 * IPv4 source @src and destination @dst (host order), after zeroing the checksum field.
 */
void sl_tcp4_set_csum(uint8_t *seg, size_t len, uint32_t src, uint32_t dst);

#endif
