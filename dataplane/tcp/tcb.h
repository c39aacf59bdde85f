/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internals of the TCP stack shared by tcb.c (pools, lookup, API), tcp_in.c (segment
 * arrival, RFC 9293 section 3.10.7) and tcp_out.c (segment building, output, timers). Not for
 * the proxy: it uses stack.h.
 */
#ifndef SL_TCP_TCB_H
#define SL_TCP_TCB_H

#include <stdbool.h>
#include <stdint.h>

#include "dataplane/tcp/seq.h"
#include "dataplane/tcp/stack.h"
#include "dataplane/tcp/timer.h"
#include "proto/siphash.h"
#include "proto/tcp.h"

#define SL_TCP_OOO_MAX	 4   /* out-of-order ranges kept per connection (and SACK blocks) */
#define SL_TCP_MIN_MSS	 88  /* floor for a peer's MSS (tiny MSS = many segments), as Linux */
#define SL_TCP_DEF_MSS	 536 /* peer MSS when its SYN has none, RFC 9293 3.7.1 */
#define SL_TCP_PKT_MAX	 (20 + 60 + 65535)

/* Pending events of a connection, dispatched after processing (sl_tcp_dispatch). */
enum {
	SL_EV_ACCEPTED = 1u << 0,
	SL_EV_CONNECTED = 1u << 1,
	SL_EV_READABLE = 1u << 2,
	SL_EV_WRITABLE = 1u << 3,
	SL_EV_PEER_CLOSED = 1u << 4,
	SL_EV_ERROR = 1u << 5,
	SL_EV_CLOSED = 1u << 6,
};

/* What the retransmission timer currently means. */
enum sl_rtx_mode {
	SL_RTX_NONE,
	SL_RTX_REXMIT,
	SL_RTX_PERSIST,
	SL_RTX_TIMEWAIT,
	SL_RTX_FINWAIT2,
	SL_RTX_KEEPALIVE,
};

struct sl_tcp_listener;
/* One connection more (@d 1) or less (@d -1) accepted through @l: its count and its group's
 * (sl_tcp_listen_share). The listener's stack. */
void sl_tcp_lsn_count(struct sl_tcp_listener *l, int d);

struct sl_tcp_listener {
	bool used;
	uint32_t addr;
	uint16_t port;
	uint32_t backlog, syn_count; /* syn_count: its connections in SYN-RECEIVED */
	uint32_t maxconn, nconn; /* accepted and not released by the application */
	bool maxconn_rst;	 /* beyond maxconn: RST (else drop the SYN) */
	/* a cap shared with listeners of other stacks (sl_tcp_listen_share): this stack's count
	 * (grp_self, written by this stack alone, as nconn) and every stack's (grp_base[i *
	 * grp_stride], i < grp_n, read here with relaxed loads) add up against maxconn; NULL:
	 * nconn alone */
	uint32_t *grp_self;
	const uint32_t *grp_base;
	uint32_t grp_stride, grp_n;
	const struct sl_tcp_cbs *cbs;
	void *arg;
};

/*
 * A congestion controller (cc.c): window growth on new data acknowledged outside recovery, and
 * the ssthresh of a loss event (fast retransmit, or @timeout: RTO). The stack does the rest.
 */
struct sl_tcp_cc {
	const char *name;
	void (*on_ack)(struct sl_tcp_conn *c, uint32_t acked);
	uint32_t (*ssthresh)(struct sl_tcp_conn *c, bool timeout);
};

extern const struct sl_tcp_cc sl_tcp_cc_newreno;
extern const struct sl_tcp_cc sl_tcp_cc_cubic;

struct sl_ooo_range {
	uint32_t start, end; /* [start, end) received beyond rcv_nxt */
	uint32_t age;	     /* larger = more recently extended (SACK block order, RFC 2018 4) */
};

/*
 * A list of connections, oldest first, linked through their age_prev / age_next: the
 * TIME-WAIT ones, or the half-open ones (a connection is in one state, so in one list).
 */
struct sl_tcp_fifo {
	struct sl_tcp_conn *head, *tail;
};

struct sl_tcp_conn {
	struct sl_tcp_stack *st;
	struct sl_tcp_conn *hnext;	     /* hash chain, or free list */
	struct sl_tcp_conn *age_prev, *age_next; /* st->tw or st->syn (struct sl_tcp_fifo) */
	struct sl_tcp_listener *lsn; /* passive open in SYN-RECEIVED (in st->syn), else NULL */
	struct sl_tcp_listener *acc_lsn;     /* counted in this listener's nconn */
	struct sl_tcp_conn *bw_next;	     /* waiting for pool chunks (sl_tcp_send) */
	const struct sl_tcp_cbs *cbs;
	void *arg;
	uint32_t laddr, raddr;
	uint16_t lport, rport;
	uint32_t hb; /* hash bucket of the four-tuple */
	uint8_t state;	  /* enum sl_tcp_state */
	bool in_hash, app_owned, passive, closed_evt_done;
	bool ts_ok, sack_ok, fin_queued, fin_rcvd, ack_now, reset;
	uint8_t snd_scale, rcv_scale;
	uint8_t rtx_mode; /* enum sl_rtx_mode */
	uint8_t dupacks;
	bool in_recovery, rtt_timing, ws_ok, bw_linked, keepalive;
	uint8_t ka_sent;
	int err;
	uint32_t ev;

	/* Send side (RFC 9293 3.3.1). The send queue holds slen bytes from sequence sseq
	 * (sq_head->seq); scur caches the piece last sent from. */
	uint32_t iss, snd_una, snd_nxt, snd_max, snd_wnd, snd_wl1, snd_wl2, max_sndwnd;
	uint32_t cwnd, ssthresh, recover;
	const struct sl_tcp_cc *cc;
	uint32_t cu_wmax, cu_origin, cu_west, cu_epoch_ms; /* CUBIC: bytes, ms */
	float cu_k;					  /* CUBIC: K, seconds */
	uint16_t mss; /* send MSS (peer's, clamped) */
	struct sl_tcp_buf *sq_head, *sq_tail, *scur;
	uint32_t slen, sseq, sndbuf;
	bool want_writable;

	/* Receive side: rlen in-order bytes queued (ending at rcv_nxt); out-of-order pieces
	 * sorted by sequence, without overlap, their coverage in ooo[] (SACK blocks). */
	uint32_t irs, rcv_nxt, rcv_adv, last_ack_sent;
	uint64_t app_in, app_out; /* bytes the application took / queued (sl_tcp_conn_bytes) */
	struct sl_tcp_buf *rq_head, *rq_tail, *oq_head;
	uint32_t rlen;
	uint16_t noq;
	struct sl_ooo_range ooo[SL_TCP_OOO_MAX];
	uint8_t nooo;
	uint32_t ooo_age;
	uint8_t unacked_segs;
	uint64_t last_rcv; /* time of the last segment from the peer (keepalive) */

	/* Timestamps (RFC 7323). */
	uint32_t ts_recent, ts_off;

	/* RTT (RFC 6298), microseconds. */
	uint32_t srtt, rttvar, rto;
	uint32_t rtt_seq;
	uint64_t rtt_start;
	uint32_t retries;
	uint32_t persist_backoff;

	/* RFC 5961 challenge ACK budget. */
	uint64_t chack_start;
	uint32_t chack_count;

	struct sl_tmr rtx; /* retransmission / persist / TIME-WAIT / FIN-WAIT-2 */
	struct sl_tmr delack;
};

struct sl_tcp_stack {
	struct sl_tcp_params p;
	struct sl_tcp_ops ops;
	void *env;
	uint64_t now; /* microseconds, refreshed at each entry point */
	struct sl_tmr_wheel wheel;
	struct sl_tcp_conn *conns, *free_list;
	struct sl_tcp_conn **hash;
	uint32_t hash_mask;
	struct sl_tcp_listener *lsn;
	struct sl_tcp_fifo tw;		/* connections in TIME-WAIT */
	struct sl_tcp_fifo syn;		/* passive connections in SYN-RECEIVED (half-open) */
	struct sl_tcp_buf *descs;	/* chunks first, then bare descriptors */
	uint8_t *chunkmem;
	struct sl_tcp_buf *free_chunks, *free_descs;
	struct sl_tcp_conn *bw_head;	/* connections waiting for chunks */
	void *in_ext;			/* environment buffer of the segment being processed */
	bool in_ext_kept;
	uint32_t lport_next;
	uint8_t *pkt; /* output scratch */
	uint16_t ip_id;
	struct sl_siphash_key key; /* sl_tcp_hash4() */
	uint64_t memo_a;	   /* last four-tuple hashed to a bucket, and its bucket */
	uint32_t memo_p, memo_b;
	bool memo_valid;
	int depth; /* nesting of entry points: frees are deferred while > 0 */
	struct sl_tcp_conn *reap; /* released connections awaiting free (chained by hnext) */
	struct sl_tcp_stats s;
};

/* tcb.c */
uint32_t sl_tcp_hash4(const struct sl_tcp_stack *st, uint32_t laddr, uint16_t lport,
		      uint32_t raddr, uint16_t rport, uint32_t salt);
struct sl_tcp_conn *sl_tcp_lookup(struct sl_tcp_stack *st, uint32_t laddr, uint16_t lport,
				  uint32_t raddr, uint16_t rport);
struct sl_tcp_listener *sl_tcp_find_listener(struct sl_tcp_stack *st, uint32_t addr,
					     uint16_t port);
struct sl_tcp_conn *sl_tcp_conn_new(struct sl_tcp_stack *st, uint32_t laddr, uint16_t lport,
				    uint32_t raddr, uint16_t rport, bool evict);
void sl_tcp_conn_init_rcv_scale(struct sl_tcp_conn *c);
void sl_tcp_set_state(struct sl_tcp_conn *c, enum sl_tcp_state s);
void sl_tcp_enter_syn_rcvd(struct sl_tcp_conn *c, struct sl_tcp_listener *l);
void sl_tcp_enter_time_wait(struct sl_tcp_conn *c);
void sl_tcp_conn_fail(struct sl_tcp_conn *c, int reason);
void sl_tcp_conn_done(struct sl_tcp_conn *c);
void sl_tcp_maybe_free(struct sl_tcp_conn *c);
void sl_tcp_dispatch(struct sl_tcp_conn *c);
void sl_tcp_enter(struct sl_tcp_stack *st);
void sl_tcp_leave(struct sl_tcp_stack *st);
uint32_t sl_tcp_rcv_space(const struct sl_tcp_conn *c);
void sl_tcp_ka_arm(struct sl_tcp_conn *c);

/* buf.c */
int sl_tcp_bufs_init(struct sl_tcp_stack *st);
void sl_tcp_bufs_fini(struct sl_tcp_stack *st);
struct sl_tcp_buf *sl_tcp_chunk_get(struct sl_tcp_stack *st);
void sl_tcp_buf_put(struct sl_tcp_stack *st, struct sl_tcp_buf *b);
uint32_t sl_tcp_chunk_room(const struct sl_tcp_stack *st, const struct sl_tcp_buf *b);
struct sl_tcp_buf *sl_tcp_buf_make(struct sl_tcp_stack *st, const uint8_t *d, uint32_t len,
				   uint32_t seq, struct sl_tcp_buf **tail);
void sl_tcp_sq_drop(struct sl_tcp_conn *c, uint32_t n);
void sl_tcp_queues_free(struct sl_tcp_conn *c, bool rcv_too);
const struct sl_tcp_buf *sl_tcp_sq_find(struct sl_tcp_conn *c, uint32_t seq, uint32_t *off);
void sl_tcp_copy_out(const struct sl_tcp_buf *b, uint32_t off, uint8_t *dst, uint32_t len);
void sl_tcp_bw_wake(struct sl_tcp_stack *st);

/* tcp_out.c */
void sl_tcp_output(struct sl_tcp_conn *c);
void sl_tcp_send_syn(struct sl_tcp_conn *c);
void sl_tcp_send_ack(struct sl_tcp_conn *c);
void sl_tcp_send_rst(struct sl_tcp_conn *c);
void sl_tcp_send_seg_at(struct sl_tcp_conn *c, uint32_t seq, uint32_t maxlen, bool probe);
void sl_tcp_send_reset_reply(struct sl_tcp_stack *st, uint32_t laddr, uint16_t lport,
			     uint32_t raddr, uint16_t rport, uint32_t seq, uint32_t ack,
			     bool with_ack);
void sl_tcp_send_cookie_synack(struct sl_tcp_stack *st, uint32_t laddr, uint16_t lport,
			       uint32_t raddr, uint16_t rport, uint32_t iss, uint32_t ack,
			       uint16_t mss);
void sl_tcp_rtx_arm(struct sl_tcp_conn *c);
void sl_tcp_rtx_timeout(struct sl_tmr *t, void *arg);
void sl_tcp_delack_timeout(struct sl_tmr *t, void *arg);
void sl_tcp_rtt_sample(struct sl_tcp_conn *c, uint32_t rtt_us);
uint32_t sl_tcp_ts_now(const struct sl_tcp_conn *c);
uint32_t sl_tcp_flight(const struct sl_tcp_conn *c);

/* tcp_in.c */
uint32_t sl_tcp_cookie_make(struct sl_tcp_stack *st, uint32_t laddr, uint16_t lport,
			    uint32_t raddr, uint16_t rport, uint32_t irs, uint16_t mss);
int sl_tcp_segment_in(struct sl_tcp_stack *st, const uint8_t *pkt, size_t len);

#endif
