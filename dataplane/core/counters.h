/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-lcore counters. Every lcore owns one cache-aligned block inside one memzone and is the only
 * writer of it (plain 64-bit increments, no atomics: a reader on another core may see a value a
 * few packets old, never a torn one on x86-64). The main lcore sums the blocks when asked
 * (`show drops`, `show lcores`, `show stat`).
 *
 * Counter names are the strings printed by `show drops` and used in the docs; a drop is always a
 * named counter, never a log line.
 */
#ifndef SL_COUNTERS_H
#define SL_COUNTERS_H

#include <stdint.h>

/* X(name, text): text is what `show drops` / `show lcores` print. */
#define SL_COUNTERS(X)                                                                             \
	X(RX_PKTS, "rx_packets")                                                                  \
	X(RX_BYTES, "rx_bytes")                                                                   \
	X(RX_HANDED, "rx_handed_over")                                                            \
	X(IPV4_REASSEMBLED, "ipv4_reassembled")                                                   \
	X(TX_PKTS, "tx_packets")                                                                  \
	X(TX_BYTES, "tx_bytes")                                                                   \
	X(ARP_REQ_IN, "arp_requests_in")                                                          \
	X(ARP_REPLY_IN, "arp_replies_in")                                                         \
	X(ARP_REPLY_OUT, "arp_replies_out")                                                       \
	X(ARP_REQ_OUT, "arp_requests_out")                                                        \
	X(ARP_GRATUITOUS_OUT, "arp_gratuitous_out")                                               \
	X(ARP_HANDED, "arp_handed_to_owner")                                                      \
	X(ICMP_ECHO_IN, "icmp_echo_in")                                                           \
	X(ICMP_ECHO_OUT, "icmp_echo_replies_out")                                                 \
	X(NEIGH_QUEUED, "neigh_queued")                                                           \
	X(NEIGH_RESOLVED, "neigh_resolved")                                                       \
	X(L4_FLOWS_NEW, "l4_flows_new")                                                           \
	X(STICK_HITS, "stick_hits")                                                               \
	X(L4_FLOWS_ENDED, "l4_flows_ended")                                                       \
	X(L4_FLOWS_EXPIRED, "l4_flows_expired")                                                   \
	X(L4_FLOWS_RESET, "l4_flows_reset_by_sluice")                                             \
	X(L4_PKTS_TO_SERVER, "l4_packets_to_server")                                              \
	X(L4_PKTS_TO_CLIENT, "l4_packets_to_client")                                              \
	X(L4_RST_IGNORED, "l4_rst_out_of_window")                                                 \
	X(L4_STEERED, "l4_steered_to_owner")                                                      \
	X(L4_PASSED_ON, "l4_unknown_passed_on")                                                   \
	X(L4_TO_OWNER, "l4_client_to_owner")                                                      \
	X(L4_ICMP_ERRORS, "l4_icmp_errors_translated")                                            \
	X(PROBES_SENT, "probes_sent")                                                             \
	X(PROXY_SEGMENTS, "proxy_segments_in")                                                    \
	X(TCP_PMTU_LOWERED, "tcp_pmtu_lowered")                                                   \
	X(DROP_ICMP_NOT_IN_FLIGHT, "drop_icmp_frag_needed_ignored")                               \
	X(TCP_RST_NO_SERVICE, "tcp_rst_no_service")                                               \
	X(PROBE_REPLIES, "probe_replies")                                                         \
	X(HTTP_REQUESTS, "http_requests")                                                         \
	X(HTTP_RESPONSES, "http_responses_forwarded")                                             \
	X(HTTP_REDIRECTS, "http_redirects")                                                       \
	X(HTTP_DENIED, "http_denied")                                                             \
	X(HTTP_TUNNELS, "http_tunnels")                                                           \
	X(HTTP_RETRIES, "http_connect_retries")                                                   \
	X(HTTP_REDISPATCH, "http_redispatched")                                                   \
	X(HTTP_ERR_400, "http_400_bad_request")                                                   \
	X(HTTP_ERR_408, "http_408_request_timeout")                                               \
	X(HTTP_ERR_502, "http_502_bad_gateway")                                                   \
	X(HTTP_ERR_503, "http_503_no_server")                                                     \
	X(HTTP_ERR_504, "http_504_server_timeout")                                                \
	X(HTTP_SESS_FULL, "http_refused_no_session")                                              \
	X(HTTP_TLS_NOMEM, "http_refused_tls_no_memory")                                           \
	X(TCP_RULE_REJECT, "tcp_request_rejected")                                                \
	X(HTTP_LISTEN_FAILED, "http_listen_failed")                                               \
	X(TLS_HANDSHAKES, "tls_handshakes_full")                                                  \
	X(TLS_RESUMED, "tls_handshakes_resumed")                                                  \
	X(TLS_FAILED, "tls_handshakes_failed")                                                   \
	X(SRV_TLS_HANDSHAKES, "srv_tls_handshakes_full")                                          \
	X(SRV_TLS_RESUMED, "srv_tls_handshakes_resumed")                                          \
	X(SRV_TLS_FAILED, "srv_tls_handshakes_failed")                                            \
	X(CHECKS_LOST, "check_results_lost")                                                    \
	X(ALOG_QUEUED, "access_logs_queued")                                                      \
	/* drops from here on (SL_CTR_FIRST_DROP) */                                             \
	X(DROP_ETH_SHORT, "drop_eth_short")                                                       \
	X(DROP_ETH_TYPE, "drop_eth_unknown_type")                                                 \
	X(DROP_ETH_DST, "drop_eth_not_for_us")                                                    \
	X(DROP_VLAN, "drop_vlan")                                                                 \
	X(DROP_ARP_SHORT, "drop_arp_short")                                                       \
	X(DROP_ARP_BAD, "drop_arp_malformed")                                                     \
	X(DROP_ARP_NOT_OURS, "drop_arp_not_for_us")                                               \
	X(DROP_IPV4_SHORT, "drop_ipv4_short")                                                     \
	X(DROP_IPV4_VERSION, "drop_ipv4_bad_version")                                             \
	X(DROP_IPV4_IHL, "drop_ipv4_bad_ihl")                                                     \
	X(DROP_IPV4_TOTLEN, "drop_ipv4_bad_total_length")                                         \
	X(DROP_IPV4_CSUM, "drop_ipv4_bad_checksum")                                               \
	X(DROP_IPV4_FRAG, "drop_ipv4_fragment")                                                   \
	X(DROP_IPV4_FRAG_TIMEOUT, "drop_ipv4_frag_timeout")                                       \
	X(DROP_IPV4_FRAG_OVERLAP, "drop_ipv4_frag_overlap")                                       \
	X(DROP_IPV4_FRAG_INVALID, "drop_ipv4_frag_invalid")                                       \
	X(DROP_IPV4_SRC, "drop_ipv4_bad_source")                                                  \
	X(DROP_IPV4_NOT_OURS, "drop_ipv4_not_for_us")                                             \
	X(DROP_IPV4_PROTO, "drop_ipv4_unknown_protocol")                                          \
	X(DROP_ICMP_SHORT, "drop_icmp_short")                                                     \
	X(DROP_ICMP_CSUM, "drop_icmp_bad_checksum")                                               \
	X(DROP_ICMP_TYPE, "drop_icmp_unhandled_type")                                             \
	X(DROP_TCP_SHORT, "drop_tcp_short")                                                       \
	X(DROP_TCP_DOFF, "drop_tcp_bad_data_offset")                                              \
	X(DROP_TCP_FLAGS, "drop_tcp_bad_flags")                                                   \
	X(DROP_TCP_NO_SERVICE, "drop_tcp_no_service")                                             \
	X(DROP_UDP_SHORT, "drop_udp_short")                                                       \
	X(DROP_UDP_NO_SERVICE, "drop_udp_no_service")                                             \
	X(DROP_L4_NO_FLOW, "drop_l4_no_flow")                                                     \
	X(DROP_L4_TABLE_FULL, "drop_l4_flow_table_full")                                          \
	X(DROP_L4_NO_SERVER, "drop_l4_no_usable_server")                                          \
	X(DROP_L4_FULL, "drop_l4_servers_at_maxconn")                                            \
	X(DROP_L4_NO_PORT, "drop_l4_local_ports_exhausted")                                       \
	X(DROP_L4_TTL, "drop_l4_ttl_expired")                                                     \
	X(DROP_NO_ROUTE, "drop_no_route")                                                         \
	X(DROP_NEIGH_QUEUE_FULL, "drop_neigh_queue_full")                                         \
	X(DROP_NEIGH_TIMEOUT, "drop_neigh_timeout")                                               \
	X(DROP_RING_FULL, "drop_ring_full")                                                       \
	X(DROP_TX_FULL, "drop_tx_full")                                                           \
	X(DROP_NO_MBUF, "drop_no_mbuf")                                                           \
	/* connections, not packets: accept-proxy refusals (dataplane/http/pproxy.c) */            \
	X(PROXY_HDR_BAD, "drop_proxy_header_bad")                                                 \
	X(PROXY_HDR_TIMEOUT, "drop_proxy_header_timeout")                                         \
	X(DROP_ALOG_FULL, "drop_access_log_ring_full")                                            \
	X(DROP_ALOG_UNSENT, "drop_access_log_unsent")

enum sl_ctr {
#define SL_CTR_ENUM(n, s) SL_CTR_##n,
	SL_COUNTERS(SL_CTR_ENUM)
#undef SL_CTR_ENUM
	SL_CTR_MAX
};

#define SL_CTR_FIRST_DROP SL_CTR_DROP_ETH_SHORT

/* One lcore's block. Loop statistics sit next to the counters for `show lcores`. */
struct sl_lcore_ctrs {
	uint64_t c[SL_CTR_MAX];
	uint64_t polls;       /* loop iterations */
	uint64_t busy_polls;  /* iterations that found work */
	uint64_t busy_cycles; /* TSC cycles spent in iterations that found work */
	uint64_t idle_sleeps; /* times the loop backed off */
} __attribute__((aligned(64)));

/*
 * What the packet path counts for every packet (packets and bytes in and out, per server bytes
 * and packets of the L4 path) goes through SL_COUNT, so that a build with -DSL_NO_COUNTERS
 * leaves it out and the benchmarks can say what counting costs (bench_l4 vs bench_l4_nocount,
 * docs/performance.md). Counters of rare events (drops, ARP, new flows) stay plain increments.
 */
#ifdef SL_NO_COUNTERS
#define SL_COUNT(lvalue, v) ((void)sizeof(lvalue), (void)(v))
#else
#define SL_COUNT(lvalue, v) ((lvalue) += (v))
#endif

/* The printable name of a counter. */
const char *sl_ctr_name(enum sl_ctr c);

#endif
