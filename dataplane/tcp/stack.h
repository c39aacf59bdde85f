/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sluice's userspace TCP stack: public API for the proxy lcores.
 *
 * One struct sl_tcp_stack per lcore, no global state, no locks, no DPDK: the stack talks to its
 * environment through struct sl_tcp_ops (emit an IPv4 packet it built, read a microsecond
 * clock, draw random numbers). Every connection, buffer and timer comes from pools sized by
 * struct sl_tcp_params in sl_tcp_stack_create(), the only function that allocates.
 *
 * Data lives in chains of struct sl_tcp_buf: pieces of stream data that are either chunks of
 * the stack's own pool (data copied in by sl_tcp_send() or from a segment the stack could not
 * keep) or the environment's packet buffers (rte_mbufs) kept as they arrived. A segment given
 * with sl_tcp_input_ext() is queued without a copy when its payload is large enough; an
 * application takes received data as a chain (sl_tcp_recv_bufs) and can queue that same chain
 * on another connection of the stack (sl_tcp_send_bufs): a relay moves no payload byte until
 * the transmit frame is built. Buffers are held only while data waits, so an idle connection
 * costs its control block alone. sl_tcp_send()/sl_tcp_recv() are the copying conveniences.
 *
 * Events: each connection (and each listener) has a callback table, struct sl_tcp_cbs. The
 * callbacks run from sl_tcp_input(), sl_tcp_advance() and sl_tcp_connect() (never from
 * sl_tcp_send/recv/shutdown/close/abort), after the segment or timer was fully processed; they
 * may call any function of this API on any connection.
 *
 * A connection handle is the application's from the accepted / sl_tcp_connect() moment until
 * it calls sl_tcp_close() or sl_tcp_abort(); the stack never frees it before, even after
 * `closed`. After close/abort no callback is made for it and the handle must not be used.
 *
 * RFCs: 9293 (TCP), 6298 (RTO), 5681 (congestion control), 6582 (NewReno), 7323 (window
 * scale, timestamps, PAWS), 2018 (SACK, receiver side), 5961 (blind in-window attacks), 4987
 * (SYN cookies), 6528 (initial sequence numbers).
 */
#ifndef SL_TCP_STACK_H
#define SL_TCP_STACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct sl_tcp_stack;
struct sl_tcp_conn;

/* The environment of a stack. @env is the pointer given to sl_tcp_stack_create(). */
struct sl_tcp_ops {
	/*
	 * Emits one IPv4 packet (20-byte header + TCP header + payload, checksums set) of @len
	 * bytes at @pkt, a buffer of the stack valid only during the call: copy it (into an mbuf).
	 * Returns 0, or -errno when it was dropped (the stack treats that as loss). Required
	 * unless tx_alloc and tx_send are given (then unused).
	 */
	int (*output)(void *env, const uint8_t *pkt, size_t len);
	/* Returns the current time in microseconds (monotonic). */
	uint64_t (*now_us)(void *env);
	/* Returns 32 random bits (ISN and SYN cookie secrets, timestamp offsets). */
	uint32_t (*random)(void *env);
	/* Releases an environment buffer kept from sl_tcp_input_ext() (required with it). */
	void (*buf_free)(void *env, void *ext);
	/*
	 * Optional, both or neither, with tx_send: returns room for a packet of @len bytes in a transmit buffer
	 * of the environment (*@h its handle), or NULL (the packet is lost). The stack builds
	 * the packet there, then calls tx_send(env, *h, len). Without them it builds in a
	 * scratch buffer and calls output().
	 */
	uint8_t *(*tx_alloc)(void *env, size_t len, void **h);
	int (*tx_send)(void *env, void *h, size_t len);
};

/*
 * A piece of stream data. The application reads and writes next, data and len; the other
 * members are the stack's.
 */
struct sl_tcp_buf {
	struct sl_tcp_buf *next;
	uint8_t *data;
	uint32_t len;
	uint32_t seq;  /* sequence number of data[0] while queued in a connection */
	void *ext;     /* the environment's buffer holding data, or NULL: a chunk of the pool */
	uint8_t *base; /* chunk storage (NULL for an environment buffer) */
};

/* Sizes and tunables; zero fields take the default named in brackets. */
struct sl_tcp_params {
	uint32_t max_conns;	 /* connection pool, TIME_WAIT included [1024] */
	uint32_t max_listeners;	 /* [16] */
	uint32_t max_time_wait;	 /* TIME_WAIT bound; the oldest is recycled beyond [max_conns/4] */
	uint32_t syn_max;	 /* passive connections in SYN-RECEIVED, all listeners together;
				  * beyond, a SYN gets a cookie and no state [max_conns/4, >= 1] */
	uint32_t sndbuf;	 /* send ring per connection, bytes [65536] */
	uint32_t rcvbuf;	 /* receive ring per connection, bytes (its free part is the window) [65536] */
	uint16_t mss;		 /* MSS we announce and our largest segment payload [1460] */
	uint8_t wscale;		 /* window shift we announce, 0..14 [derived from rcvbuf] */
	bool no_timestamps;	 /* do not offer RFC 7323 timestamps */
	bool no_sack;		 /* do not offer SACK-permitted */
	bool no_wscale;		 /* do not offer window scaling */
	uint32_t rto_init_us;	 /* [1 s, RFC 6298 2.1] */
	uint32_t rto_min_us;	 /* [200 ms] */
	uint32_t rto_max_us;	 /* [60 s, RFC 6298 2.5] */
	uint32_t max_retries;	 /* retransmissions of one segment before reset [12] */
	uint32_t syn_retries;	 /* SYN / SYN-ACK retransmissions [5] */
	uint32_t delack_us;	 /* delayed ACK, RFC 9293 3.8.6.3 (< 500 ms) [40 ms] */
	uint32_t time_wait_us;	 /* 2 MSL [60 s] */
	uint32_t fin_wait2_us;	 /* FIN-WAIT-2 of a closed (orphan) connection [60 s] */
	uint32_t challenge_acks_per_s; /* RFC 5961 challenge ACKs per connection and second [10] */
	uint32_t chunk_size;	 /* bytes of one pool chunk [2048] */
	uint32_t chunks;	 /* chunks in the pool, shared by all connections [max_conns * 8] */
	uint32_t ext_max;	 /* environment buffers held at once; beyond, payload is copied
				  * into chunks [chunks] */
	uint32_t ext_min_len;	 /* smallest payload kept without a copy [512] */
	uint32_t ooo_bufs;	 /* out-of-order pieces held per connection [64] */
	uint64_t keepalive_idle_us;  /* keepalive, once enabled on a connection: idle time
				      * before the first probe [2 h, RFC 9293 3.8.4] */
	uint32_t keepalive_intvl_us; /* between probes [75 s] */
	uint32_t keepalive_probes;   /* unanswered probes before reset [9] */
	uint16_t lport_min, lport_max; /* local ports for sl_tcp_connect() with lport 0
					* [49152..65535] */
	uint8_t cc;		 /* congestion controller: SL_TCP_CC_* [NewReno] */
};

#define SL_TCP_CC_NEWRENO 0 /* RFC 5681 + RFC 6582 */
#define SL_TCP_CC_CUBIC	  1 /* RFC 9438 */

/* Why a connection failed, passed to the error callback (negative errno values). */
#define SL_TCP_ERR_RESET   (-104) /* -ECONNRESET: RST received */
#define SL_TCP_ERR_REFUSED (-111) /* -ECONNREFUSED: RST answering our SYN */
#define SL_TCP_ERR_TIMEOUT (-110) /* -ETIMEDOUT: retransmissions exhausted */

/*
 * Events of a connection; every member may be NULL. @arg is the argument set with the table
 * (sl_tcp_listen, sl_tcp_connect or sl_tcp_set_cbs).
 */
struct sl_tcp_cbs {
	/* Listener only: a passive open completed (ESTABLISHED); @c starts with the listener's
	 * table and argument, change them with sl_tcp_set_cbs(). Return 0 to keep it, non-zero
	 * to refuse it (the stack resets and frees it). */
	int (*accepted)(struct sl_tcp_conn *c, void *arg);
	/* Active open completed. */
	void (*connected)(struct sl_tcp_conn *c, void *arg);
	/* New in-order data can be read with sl_tcp_recv(). */
	void (*readable)(struct sl_tcp_conn *c, void *arg);
	/* Send space was freed (after sl_tcp_send() accepted less than offered). */
	void (*writable)(struct sl_tcp_conn *c, void *arg);
	/* The peer sent FIN: once the buffered data is read, sl_tcp_recv() returns 0. */
	void (*peer_closed)(struct sl_tcp_conn *c, void *arg);
	/* The connection failed: @reason is SL_TCP_ERR_*; `closed` follows. */
	void (*error)(struct sl_tcp_conn *c, void *arg, int reason);
	/* The connection is over (both directions closed, or failed); call sl_tcp_close(). */
	void (*closed)(struct sl_tcp_conn *c, void *arg);
};

/* Counters of a stack (monotonic, except the *_in_use levels and the *_max sizes). */
struct sl_tcp_stats {
	uint64_t segs_in, segs_out, bytes_in, bytes_out;
	uint64_t drop_ip, drop_csum, drop_flags, drop_opts, drop_no_conn, drop_paws, drop_seq;
	uint64_t rst_out, rst_in_accepted, challenge_acks, challenge_acks_limited;
	uint64_t retransmits, rto_fires, fast_retransmits, zwp_sent;
	uint64_t syn_dropped_backlog; /* SYNs beyond their listener's backlog (cookie) */
	uint64_t syncookies_share; /* SYNs beyond syn_max, the stack's half-open share (cookie) */
	uint64_t syncookies_sent;  /* SYN-ACKs carrying a cookie, for whatever reason */
	uint64_t syncookies_ok;	   /* ACKs that validated a cookie */
	uint64_t syncookies_bad;   /* ACKs at a listener that validated none (RST) */
	uint64_t syn_evicted;	   /* half-open connections dropped for an established one */
	uint64_t refused_full;	   /* validated cookies refused: every slot established (RST) */
	uint64_t ooo_dropped, time_wait_recycled;
	uint64_t ooo_queued; /* out-of-order segments kept for reassembly */
	uint64_t conns_opened, conns_closed;
	uint64_t drop_nobuf, ext_kept, bytes_copied_in, keepalive_probes, keepalive_timeouts;
	uint64_t refused_maxconn, connect_no_port, time_wait_reused;
	uint64_t rst_data_after_close; /* new data after the application closed: RST */
	uint64_t pmtu_lowered, icmp_ignored; /* sl_tcp_pmtu(): sizes lowered, messages ignored */
	uint32_t conns_in_use, time_wait_in_use, timers_armed, conns_max;
	uint32_t syn_in_use, syn_max; /* passive connections in SYN-RECEIVED, and their bound */
	uint32_t chunks_in_use, chunks_max, ext_in_use, descs_in_use;
};

/* Connection states, RFC 9293 section 3.3.2. */
enum sl_tcp_state {
	SL_TCP_CLOSED,
	SL_TCP_LISTEN,
	SL_TCP_SYN_SENT,
	SL_TCP_SYN_RCVD,
	SL_TCP_ESTABLISHED,
	SL_TCP_FIN_WAIT_1,
	SL_TCP_FIN_WAIT_2,
	SL_TCP_CLOSE_WAIT,
	SL_TCP_CLOSING,
	SL_TCP_LAST_ACK,
	SL_TCP_TIME_WAIT,
};

/*
 * Creates a stack with @p (NULL: all defaults) talking through @ops (output, now_us and
 * random required) with @env. Allocates every pool. Returns the stack, or NULL (bad
 * parameters or out of memory).
 */
struct sl_tcp_stack *sl_tcp_stack_create(const struct sl_tcp_params *p,
					 const struct sl_tcp_ops *ops, void *env);

/* Frees @st and everything in it, without sending anything. NULL is accepted. */
void sl_tcp_stack_destroy(struct sl_tcp_stack *st);

/* Copies the counters of @st into @out. */
void sl_tcp_stack_stats(const struct sl_tcp_stack *st, struct sl_tcp_stats *out);

/*
 * Listens on @addr:@port (host order; @addr 0 = every address) with at most @backlog
 * connections in SYN-RECEIVED (beyond, or beyond the stack's syn_max, or with no free
 * connection: SYN cookies, RFC 4987). @cbs (kept by pointer) and @arg become those of each
 * accepted connection. Returns 0, -EADDRINUSE, -ENOSPC (no listener slot) or -EINVAL.
 *
 * Half-open connections never keep an established one out (issue 15): an ACK that validates
 * a cookie, or an active open, finding the pool empty takes the slot of the oldest unowned
 * TIME-WAIT connection, else of the oldest half-open one (dropped without a segment, counted
 * in syn_evicted). Only when every slot is established is a validated cookie refused: RST,
 * refused_full.
 */
int sl_tcp_listen(struct sl_tcp_stack *st, uint32_t addr, uint16_t port, uint32_t backlog,
		  const struct sl_tcp_cbs *cbs, void *arg);

/*
 * Caps the connections accepted through the listener @addr:@port that are not yet released
 * by the application at @maxconn (0: no cap). Half-open connections do not count (a SYN
 * flood cannot fill the cap). At the cap a SYN, or an ACK that would complete a handshake
 * (stateful or cookie), is counted (refused_maxconn) and, with @rst, answered with RST (an
 * immediate, visible refusal; a stateful half-open connection is dropped); without, ignored
 * unanswered, so that the client's retransmission finds a free place later: HAProxy's
 * behaviour, whose excess connections wait in the kernel's full accept queue. Returns 0 or
 * -ENOENT.
 */
int sl_tcp_listen_maxconn(struct sl_tcp_stack *st, uint32_t addr, uint16_t port,
			  uint32_t maxconn, bool rst);

/*
 * Caps the connections accepted through the listener @addr:@port at @maxconn (0: none; as
 * sl_tcp_listen_maxconn, unanswered beyond it) over several stacks (a frontend's maxconn on
 * every proxy lcore): @rows holds @n rows of @stride counts, one row per stack, one column per
 * group of listeners; this stack counts its accepted connections of the group in column @col
 * of row @self_row, and the listener is full when column @col of every row adds up to
 * @maxconn. Each stack writes its own row only, the others read it: two stacks that accept at
 * once at the last place may exceed the cap by one each, for as long as those connections
 * last. Without @rows, with @n < 2 or @col outside 1..@stride-1: the listener's own count.
 * Connections counted in a previous place move to the new one. Returns 0 or -ENOENT.
 */
int sl_tcp_listen_share(struct sl_tcp_stack *st, uint32_t addr, uint16_t port, uint32_t maxconn,
			uint32_t *rows, uint32_t stride, uint32_t n, uint32_t self_row, int col);

/* Stops listening on @addr:@port; established connections stay. Returns 0 or -ENOENT. */
int sl_tcp_unlisten(struct sl_tcp_stack *st, uint32_t addr, uint16_t port);

/*
 * Opens a connection from @laddr:@lport to @raddr:@rport (host order) and sends the SYN.
 * @lport 0 picks a free port of the stack's range (lport_min..lport_max), starting at a
 * keyed hash of the destination so consecutive connections spread. A connection of the same
 * four-tuple in TIME-WAIT is recycled. With the pool empty it takes the slot of a TIME-WAIT
 * or half-open connection (see sl_tcp_listen). Returns the connection, or NULL with *@err
 * (may be NULL) set to -EADDRINUSE (port taken, or no free port in the range), -ENOMEM (every
 * slot held by a connection in use) or -EINVAL.
 */
struct sl_tcp_conn *sl_tcp_connect(struct sl_tcp_stack *st, uint32_t laddr, uint16_t lport,
				   uint32_t raddr, uint16_t rport, const struct sl_tcp_cbs *cbs,
				   void *arg, int *err);

/* Replaces the callback table and argument of @c. */
void sl_tcp_set_cbs(struct sl_tcp_conn *c, const struct sl_tcp_cbs *cbs, void *arg);

/*
 * Processes one IPv4 packet of @len bytes at @pkt carrying TCP (IP header and TCP checksum
 * verified here). Returns 0 when a connection or listener took it, -errno when it was
 * dropped (-EINVAL malformed, -EBADMSG checksum, -ENOENT no connection: a RST was sent).
 */
int sl_tcp_input(struct sl_tcp_stack *st, const uint8_t *pkt, size_t len);

/* The smallest path MTU sl_tcp_pmtu() accepts (Linux's min_pmtu): a forged ICMP message cannot
 * make segments smaller than 512 bytes of payload (RFC 5927 5.1). */
#define SL_TCP_PMTU_MIN 552

/*
 * An ICMP "fragmentation needed and DF set" (type 3 code 4, RFC 1191) quoting a segment this
 * stack sent: @laddr/@lport (its source), @raddr/@rport (its destination) and @seq from the
 * quoted headers, @mtu the next hop's MTU (0 from a router that does not say: the next lower
 * RFC 1191 plateau under the current size is taken). Accepted only when @seq is in flight
 * (snd_una <= seq < snd_max: RFC 5927 4.1, a blind attacker must guess it). The connection's
 * segment size goes down to fit (never under SL_TCP_PMTU_MIN) and what was in flight is sent
 * again in the smaller size, without a congestion response (the loss was the path's MTU, not
 * congestion). Returns 1 when the size went down, 0 when the message was valid but
 * changes nothing (the size already fits, or an MTU not under the current packet size), -1
 * when it names no connection or a sequence number not in flight (icmp_ignored).
 */
int sl_tcp_pmtu(struct sl_tcp_stack *st, uint32_t laddr, uint16_t lport, uint32_t raddr,
		uint16_t rport, uint32_t seq, uint16_t mtu);

/*
 * As sl_tcp_input() for a packet held in the environment buffer @ext, which the stack may
 * keep as the storage of the segment's payload (released later with ops->buf_free). Returns
 * 1 when @ext was kept (it is the stack's now), else what sl_tcp_input() returns, and the
 * caller still owns @ext.
 */
int sl_tcp_input_ext(struct sl_tcp_stack *st, const uint8_t *pkt, size_t len, void *ext);

/* Runs the timers due at @now_us (call about once a millisecond). Returns timers fired. */
unsigned sl_tcp_advance(struct sl_tcp_stack *st, uint64_t now_us);

/*
 * Queues up to @len bytes of @data for sending and sends what the windows allow. Returns the
 * bytes accepted (0 when the send ring is full: wait for `writable`), or -ENOTCONN (not
 * connected yet or closed), -EPIPE (already shut down for writing).
 */
ssize_t sl_tcp_send(struct sl_tcp_conn *c, const void *data, size_t len);

/*
 * Copies up to @max bytes of received in-order data to @buf. Returns the bytes copied, 0 at
 * end of stream (peer FIN and nothing buffered), -EAGAIN when nothing is there yet, or
 * -ENOTCONN when the connection was reset.
 */
ssize_t sl_tcp_recv(struct sl_tcp_conn *c, void *buf, size_t max);

/*
 * Takes all received in-order data of @c as a chain (NULL when there is none; then
 * sl_tcp_recv() tells end of stream from nothing yet). The chain is the caller's: release it
 * with sl_tcp_buf_free() or queue it with sl_tcp_send_bufs() on a connection of the same
 * stack. *@len (may be NULL) gets the byte count.
 */
struct sl_tcp_buf *sl_tcp_recv_bufs(struct sl_tcp_conn *c, size_t *len);

/*
 * Queues the chain @b (from sl_tcp_recv_bufs() of this stack) for sending, whatever the free
 * send space (check sl_tcp_writable() first to respect it), and sends what the windows allow.
 * The chain is the stack's afterwards in every case. Returns the bytes queued, -ENOTCONN or
 * -EPIPE (the chain was released).
 */
ssize_t sl_tcp_send_bufs(struct sl_tcp_conn *c, struct sl_tcp_buf *b);

/* Releases the chain @b (NULL accepted) to the stack @st. */
void sl_tcp_buf_free(struct sl_tcp_stack *st, struct sl_tcp_buf *b);

/* Sets the congestion controller of @c (SL_TCP_CC_*); returns 0 or -EINVAL. */
int sl_tcp_set_cc(struct sl_tcp_conn *c, unsigned cc);

/* Name of the congestion controller of @c ("newreno", "cubic"). */
const char *sl_tcp_cc_name(const struct sl_tcp_conn *c);

/* Sets the send space limit of @c in bytes (0: the stack's sndbuf). */
void sl_tcp_set_sndbuf(struct sl_tcp_conn *c, uint32_t bytes);

/*
 * Turns keepalive on (RFC 9293 3.8.4) for @c with the stack's idle/interval/probes: after
 * idle_us without a segment from the peer, probes every intvl_us; probes unanswered fail the
 * connection with SL_TCP_ERR_TIMEOUT. @on false turns it off.
 */
void sl_tcp_set_keepalive(struct sl_tcp_conn *c, bool on);

/* Local and remote address and port of @c (host order); any pointer may be NULL. */
void sl_tcp_endpoints(const struct sl_tcp_conn *c, uint32_t *laddr, uint16_t *lport,
		      uint32_t *raddr, uint16_t *rport);

/* Bytes of the control block of one connection (what an idle connection costs). */
size_t sl_tcp_conn_size(void);

/* Bytes of @c the application received (recv, recv_bufs) and queued for sending (send,
 * send_bufs) since it opened: 64-bit, for byte counters (HAProxy's bin/bout). */
void sl_tcp_conn_bytes(const struct sl_tcp_conn *c, uint64_t *in, uint64_t *out);

/* Bytes buffered for sl_tcp_recv(). */
size_t sl_tcp_readable(const struct sl_tcp_conn *c);

/* Free bytes in the send ring of @c. */
size_t sl_tcp_writable(const struct sl_tcp_conn *c);

/* Asks for a `writable` event once send space is freed (for an application that sends only
 * what fits and waits, e.g. one that relays without a buffer of its own). */
void sl_tcp_want_writable(struct sl_tcp_conn *c);

/* Sends FIN after the queued data (half-close). Returns 0 or -ENOTCONN. Idempotent. */
int sl_tcp_shutdown(struct sl_tcp_conn *c);

/*
 * Releases @c: a graceful close (FIN after queued data; unread received data makes it a
 * reset, RFC 9293 3.10.4 / RFC 2525) and the stack finishes the connection alone. No more
 * callbacks; the handle is invalid afterwards. Returns 0.
 */
int sl_tcp_close(struct sl_tcp_conn *c);

/* Releases @c after sending a RST (when synchronized). The handle is invalid afterwards. */
void sl_tcp_abort(struct sl_tcp_conn *c);

/* State of @c. */
enum sl_tcp_state sl_tcp_state(const struct sl_tcp_conn *c);

/* Returns the RFC 9293 name of @s ("ESTABLISHED", ...). */
const char *sl_tcp_state_name(enum sl_tcp_state s);

#endif
