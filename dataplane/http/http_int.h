/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The HTTP engine's insides, shared by its files (each its own concern and context):
 *
 *   session.c   the session state machine (proxy lcore): requests, responses, timers, events
 *   client.c    the client connection's I/O, plain or TLS (proxy lcore)
 *   body.c      bodies moved between the connections, cut where they end (proxy lcore)
 *   queue.c     the server choice and the queue of requests waiting for a slot (proxy lcore)
 *   counters.c  the HAProxy counters, `show errors`/`show sess` answers (proxy lcore; the sums
 *               are read by main)
 *   tcpproxy.c  proxied mode tcp sessions (tcp-request rules, inspect-delay, the relay)
 *   listen.c    listeners, the lcore's role (setup by main before the loops, reload following
 *               and new certificates on the lcore)
 *   certs.c     certificates: loaded, checked and handed over by main
 *
 * A session is one client connection; a transaction is one request and its response. The
 * request direction and the response direction each have an explicit state, and each
 * connection's end of stream is a fact of its own:
 *
 *   request  (client -> server): RQ_HEAD -> RQ_BODY -> RQ_DONE -> (next request) RQ_HEAD;
 *                                RQ_TUNNEL after a 101
 *   response (server -> client): RS_NONE -> RS_HEAD -> RS_BODY -> RS_DONE -> RS_NONE;
 *                                RS_TUNNEL after a 101; RS_CLOSING once our side of the client
 *                                connection is shut (the session then only waits to end)
 *   server connection:           SRV_NONE -> SRV_QUEUED -> SRV_CONNECTING -> SRV_OPEN ->
 *                                SRV_NONE (released after every response: http-server-close)
 *
 * Invariants, between two events (check_invariants() in session.c verifies them in the
 * sanitizer build, -DSL_INVARIANTS):
 *   I1 srv != NULL          <=> srv_st is SRV_CONNECTING or SRV_OPEN
 *   I2 srv_st == SRV_QUEUED <=> the session is linked in the lcore's queue
 *   I3 a server slot is held (srv_idx >= 0) => srv_st is SRV_CONNECTING or SRV_OPEN, or the
 *      server went after a complete response (SRV_NONE, RS_DONE: freed when it ends)
 *   I4 rs == RS_HEAD or RS_BODY => srv_st is SRV_CONNECTING or SRV_OPEN, or the server sent
 *      its FIN (srv_eof) and what it sent is still being relayed
 *   I5 rq == RQ_TUNNEL <=> rs == RS_TUNNEL
 *   I6 rs == RS_CLOSING => the timer means TMO_FIN and no server slot is held
 *   I7 a session in the pool's free list is not busy and holds nothing (no connection, no
 *      buffer, no timer)
 */
#ifndef SL_HTTP_INT_H
#define SL_HTTP_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "dataplane/core/msg.h"
#include "dataplane/http/http.h"
#include "dataplane/rules/acl_eval.h"
#include "dataplane/stick/stick.h"
#include "dataplane/tcp/timer.h"
#include "proto/alog.h"
#include "proto/http1.h"

struct sl_dp;
struct sl_lcore;
struct sl_proxy;
struct sl_tcp_conn;
struct sl_tls_conn;
struct sl_tls_ctx;
struct sl_tls_client_ctx;
struct sl_tls_sess;
struct sl_srv_tls;
struct sl_bind;
struct sl_gen;
struct sl_acl_scratch;
struct sl_cfg;

#define HX_OUT_MAX (64 * 1024) /* a built head: bufsize plus what the rules add */
#define HX_TLS_CHUNK 16384    /* plaintext moved per step on a TLS connection (one record) */
#define HX_LST_SPARE 256      /* listening ports a reload may add per proxy lcore */
#define HX_ERRORS 8	      /* refused requests kept per lcore for `show errors` */
#define HX_ERR_BYTES 256      /* ... and the bytes kept of each */

/* A refused request, for `show errors`. seq is 0 while the entry is empty. */
struct hx_err {
	uint32_t seq;
	uint64_t when_ms;
	uint32_t cip;
	uint16_t cport;
	char frontend[64]; /* a copy: the configuration may be replaced by a reload */
	const char *reason;
	uint32_t len, total;
	char bytes[HX_ERR_BYTES];
};

enum http_rq { RQ_HEAD, RQ_BODY, RQ_DONE, RQ_TUNNEL };
enum http_rs { RS_NONE, RS_HEAD, RS_BODY, RS_DONE, RS_TUNNEL, RS_CLOSING };
enum http_srv { SRV_NONE, SRV_QUEUED, SRV_CONNECTING, SRV_OPEN };

/* What the session timer currently means. */
enum hx_tmo {
	TMO_NONE,
	TMO_REQ,     /* timeout http-request: a request head (the first of the connection) */
	TMO_KA,	     /* timeout http-keep-alive: the next request */
	TMO_QUEUE,   /* timeout queue: waiting for a server slot */
	TMO_CONNECT, /* timeout connect */
	TMO_SERVER,  /* timeout server: the server owes us bytes (inactivity) */
	TMO_CLIENT,  /* timeout client: the client owes us bytes or room (inactivity) */
	TMO_TUNNEL,  /* timeout tunnel (inactivity) */
	TMO_FIN,     /* timeout client-fin: our side is shut, the client's close is awaited */
	TMO_INSPECT, /* proxied TCP: tcp-request inspect-delay (0: the next tick) */
	TMO_PROXY,   /* accept-proxy: the PROXY header (timeout client) */
};

/* What the server choice found. */
enum hx_pick { PICK_OK, PICK_NONE, PICK_QUEUE };

struct hx_listener {
	struct sl_http *hx;
	const struct sl_proxy *fe;
	struct sl_tls_ctx *tls; /* an `ssl` bind: its certificates (this lcore's copy) */
	const struct sl_bind *bind;
	uint16_t port;
};

/* The facts of one transaction, set when its request head is parsed. */
struct hx_txn {
	uint8_t meth;	     /* enum sl_http1_method */
	uint8_t req_body;    /* enum sl_http1_body */
	uint8_t rsp_body;
	int minor;
	bool keep_alive;     /* the client connection stays open after this response */
	bool client_10_ka;   /* an HTTP/1.0 client asked for keep-alive */
	bool websocket;	     /* an Upgrade: websocket handshake */
	bool head_req;	     /* HEAD: the response has no body */
	bool direct;	     /* the persistence cookie chose the server */
	int retries;	     /* connection attempts left */
	int32_t same_gidx;   /* a retry: the server to connect to again (-1: balance) */
	int32_t avoid_gidx;  /* a redispatch: the server that failed, left out while another is
			      * usable */
	uint8_t abrt;	     /* who ended it early: 1 the client, 2 the server */
	/* when it reached each step (ms of the lcore clock): qtime, ctime, rtime, ttime as
	 * HAProxy's (t_pick - t_req, t_conn - t_open, t_rsp - t_conn, end - t_req) */
	uint64_t t_req, t_pick, t_open, t_conn, t_rsp;
	uint64_t req_left, rsp_left;
	struct sl_http1_chunk req_ck, rsp_ck;
	uint32_t req_hl;     /* the forwarded request head kept at buf[0, req_hl) for a retry */
	/* the persistence cookie's server id: an offset into buf (the kept request head) */
	uint32_t ck_off, ck_len;
	uint32_t ck_last, ck_first; /* its dates (maxidle / maxlife) */
};

/* A stick counter the current request tracks (`http-request track-scN`, dataplane/http/stick.c):
 * its table (checked against the running generation before any use: a reload may drop it) and
 * entry. */
struct hx_trk {
	struct sl_stk_table *t; /* NULL: not tracked */
	struct sl_stk_ref r;
};

struct hx_sess {
	struct sl_http *hx;
	struct hx_sess *next_free;
	const struct sl_proxy *fe, *be;
	const struct sl_cfg *cfg; /* the configuration fe and be belong to: the lcore's, or for a
				   * stale session the one it started with (kept until it ends) */
	struct sl_tcp_conn *cli, *srv;
	struct sl_tls_conn *tls; /* TLS on the client side (an `ssl` bind), or NULL */
	struct sl_tls_conn *stls; /* TLS on the server side (`server ... ssl`), or NULL; exists
				   * only with srv (freed with it) */
	uint32_t cip, vip; /* the client's address, the address it connected to */
	uint16_t cport, vport;
	uint8_t rq, rs, srv_st; /* enum http_rq, http_rs, http_srv */
	uint8_t tmo;		/* enum hx_tmo */
	bool busy;		/* in use (not in the pool) */
	bool first;		/* no request of this connection finished yet */
	bool cli_eof;		/* the client ended its stream (FIN, or TLS close_notify) */
	bool srv_eof;		/* the server ended its stream */
	bool stls_in;		/* stls may hold records not read yet */
	bool srv_tcp_up;	/* the server connection's TCP handshake is done (TLS: its own
				 * handshake follows before SRV_OPEN) */
	bool stale;		/* still points into a configuration a reload replaced */
	bool tls_seen;		/* the TLS handshake's outcome was counted */
	bool tcp;		/* a proxied TCP session (tcpproxy.c runs it) */
	bool cli_shut_fwd;	/* proxied TCP: the client's end of stream was passed on */
	bool pp_wait;		/* accept-proxy: the PROXY header is still to be read (pproxy.c) */
	uint8_t srv_pp, srv_pp_opts; /* the server's send-proxy bits and proxy-v2-options */
	bool srv_shut_fwd;	/* proxied TCP: the server's end of stream was passed on */
	struct hx_txn t;
	struct hx_trk trk[3];	/* sc0..sc2 of the current request */
	uint64_t t_accept;	  /* the client connection's start (`show sess`: age) */
	uint64_t acc_in, acc_out; /* the client connection's bytes already counted */
	char *buf;		  /* request head buffer (then pipelined bytes), or NULL */
	uint32_t blen;
	char *rbuf;		  /* response head buffer, or NULL */
	uint32_t rlen;
	/* the server of this transaction (copied out of the generation) */
	uint32_t srv_ip;
	uint32_t srv_src; /* `source ADDR`, else 0: the route's source address */
	uint16_t srv_port, srv_gidx;
	int16_t srv_idx, be_idx;
	const char *srv_cookie;
	struct sl_tls_client_ctx *srv_tctx; /* `ssl`: this lcore's context of the server, or NULL */
	const struct sl_srv_tls *srv_tlsp;  /* ... and its settings (SNI) */
	/* waiting for a server slot (maxconn): the lcore's FIFO */
	struct hx_sess *q_prev, *q_next;
	struct sl_tmr tmr;
	/* its access log (alog.c): the record is hx->alog_recs[this session's index] */
	uint8_t al;	      /* enum hx_al */
	bool al_done;	      /* the connection's line without a request was written */
	bool al_be_fe;	      /* answered by the frontend (deny, redirect): %b is its name */
	bool al_cto;	      /* the last connection attempt timed out (sC, not SC) */
	char al_ts[2];	      /* termination state set by what ended it ('\0': not yet) */
	int16_t al_status;    /* the status sent to the client, -1: none */
	uint16_t al_rsp_off;  /* where the response captures start in the record's text */
	uint64_t al_t0;	      /* the request head's arrival (lcore ms) */
	uint64_t al_in0, al_out0; /* the client connection's bytes before this transaction */
	int64_t al_adj_in, al_adj_out; /* HAProxy's count of the heads minus their wire bytes */
	uint64_t t_idle;      /* the end of the last transaction (keep-alive: Ti's start) */
};

enum hx_al { AL_NONE, AL_TXN }; /* no line pending; a transaction's line is being filled */

/* One proxy lcore's HTTP engine (lc->http): written by that lcore only, once its loop runs; its
 * counters (pxc, srvc, active, nbufs, nqueued...) are read by main with plain loads. */
struct sl_http {
	struct sl_lcore *lc;
	struct sl_dp *dp;
	unsigned stale;           /* sessions still pointing into an earlier configuration */
	struct sl_tmr_wheel wheel;
	struct hx_sess *sess, *free;
	unsigned nsess, active;
	char *bufmem;
	char **bufs; /* free head buffers (a stack) */
	unsigned nbufs;
	uint32_t bufsize;
	char *out;  /* scratch for built heads */
	char *tbuf; /* scratch for TLS records (HX_TLS_CHUNK) */
	char *pbuf; /* scratch for plaintext read from TLS (HX_TLS_CHUNK) */
	struct hx_listener *lst;
	unsigned nlst, cap_lst; /* in use (a slot whose fe is NULL is free), allocated */
	uint64_t rr;
	bool starved; /* a session found no head buffer free: retry at the next tick */
	struct hx_sess *q_head, *q_tail; /* sessions waiting for a server slot, oldest first */
	struct hx_err errs[HX_ERRORS];	 /* the last refused requests (a ring) */
	unsigned nerr;
	struct sl_hx_pxctr *pxc;	 /* by proxy counter slot (SL_PX_SLOTS + 1) */
	struct sl_hx_srvctr *srvc;	 /* by server counter slot */
	unsigned nqueued;
	uint64_t queued_total, queue_timeouts;
	/* what hx_q_recheck() saw last: the proxy lcores' slots_freed summed, the generation */
	uint64_t q_seen_freed;
	const struct sl_gen *q_seen_gen;
	struct sl_acl_scratch *scratch; /* regex match data of this lcore */
	struct sl_alog_rec *alog_recs;	/* by session index: each one's access-log record */
	struct sl_tls_sess **stls_sess; /* by server counter slot: the newest TLS session of each
					 * `ssl` server (resumption), or NULL */
};

/* ---- session.c */
extern const struct sl_tcp_cbs hx_listen_cbs;
extern const struct sl_tcp_cbs hx_cli_cbs;
void hx_run(struct hx_sess *s);
/* sl_tcp_cbs readable/writable of every session's connections: hx_run(), then the bytes counted. */
void hx_sess_event(struct sl_tcp_conn *c, void *arg);
void hx_sess_free(struct hx_sess *s);
void hx_sess_timeout(struct sl_tmr *t, void *arg);
void hx_dispatch(struct hx_sess *s);
void hx_reply_and_close(struct hx_sess *s, int code);
void hx_arm(struct hx_sess *s, enum hx_tmo kind);
uint64_t hx_now_us(const struct sl_http *hx);
bool hx_buf_get(struct hx_sess *s);

struct hx_sess *hx_sess_take(struct sl_http *hx, const struct hx_listener *l,
			     struct sl_tcp_conn *c);

/* ---- tcpproxy.c (the proxied TCP engine) */
extern const struct sl_tcp_cbs hx_tp_listen_cbs;
void hx_tp_run(struct hx_sess *s);
void hx_tp_dispatch(struct hx_sess *s);
void hx_tp_timeout(struct hx_sess *s);
/* `tcp-request connection` rules of @fe on a connection just accepted: true when it is
 * rejected (counted in dcon; the caller resets it). */
bool hx_conn_rules_reject(struct sl_http *hx, const struct sl_proxy *fe, struct sl_tcp_conn *c);

/* ---- pproxy.c (the PROXY protocol) */
/* accept-proxy: reads the header; 1 when read (the session goes on), 0 while it waits, -1
 * when the session ended (refused, counted). */
int hx_pp_read(struct hx_sess *s);
void hx_pp_timeout(struct hx_sess *s);
/* send-proxy: queues the server's header on s->srv, just connected; false on no room. */
bool hx_pp_send(struct hx_sess *s);

/* ---- client.c */
void hx_tls_flush(struct hx_sess *s);
ssize_t hx_cli_recv(struct hx_sess *s, char *buf, size_t max);
bool hx_cli_has_input(const struct hx_sess *s);
size_t hx_cli_room(struct hx_sess *s);
bool hx_cli_send(struct hx_sess *s, const char *p, size_t len);
void hx_cli_shutdown(struct hx_sess *s);
void hx_stls_flush(struct hx_sess *s);
int hx_srv_handshake(struct hx_sess *s);
bool hx_srv_readable(const struct hx_sess *s);
ssize_t hx_srv_recv(struct hx_sess *s, char *buf, size_t max);
size_t hx_srv_room(struct hx_sess *s);
bool hx_srv_send(struct hx_sess *s, const char *p, size_t len);
void hx_srv_shutdown(struct hx_sess *s);
bool hx_send_to(struct hx_sess *s, struct sl_tcp_conn *to, const char *p, size_t len);
size_t hx_room_to(struct hx_sess *s, struct sl_tcp_conn *to);

/* ---- body.c */
int64_t hx_body_take(uint8_t mode, uint64_t *left, struct sl_http1_chunk *ck, const char *p,
		     size_t len, bool *done);
int hx_move_body(struct hx_sess *s, struct sl_tcp_conn *from, struct sl_tcp_conn *to,
		 uint8_t mode, uint64_t *left, struct sl_http1_chunk *ck, bool keep_extra,
		 bool *moved);
int hx_move_body_from_tls(struct hx_sess *s, bool from_srv, struct sl_tcp_conn *to,
			  uint8_t mode, uint64_t *left, struct sl_http1_chunk *ck, bool keep_extra,
			  bool *moved);
int hx_flush_buffered_body(struct hx_sess *s, uint32_t off, struct sl_tcp_conn *to, uint8_t mode,
			   uint64_t *left, struct sl_http1_chunk *ck);

/* ---- queue.c */
enum hx_pick hx_pick_server(struct hx_sess *s, const char *ck, size_t ck_len,
			    const struct sl_http1_req *req, const struct sl_http1_hdr *h, size_t n);
void hx_srv_slot_put(struct sl_lcore *lc, uint16_t gidx);
void hx_q_append(struct hx_sess *s);
void hx_q_remove(struct hx_sess *s);
void hx_q_kick(struct sl_http *hx);
void hx_q_recheck(struct sl_http *hx);

/* ---- counters.c */
struct sl_hx_pxctr *hx_pxc(struct hx_sess *s, const struct sl_proxy *px);
void hx_ctr(struct hx_sess *s, int c);
void hx_count_bytes(struct hx_sess *s);
void hx_count_times(struct hx_sess *s);
void hx_count_rsp(struct hx_sess *s, int code, bool from_server);
void hx_keep_error(struct hx_sess *s, const char *reason);
void hx_query_sess(struct sl_http *hx, struct sl_query *q);
void hx_query_errors(struct sl_http *hx, struct sl_query *q);

/* ---- alog.c (access logs): the record begun with the request head (captures, samples), the
 * response head's captures, the server chosen, what ended it (a termination state's first two
 * characters: the first one set wins), the line queued for main when the transaction ends; a
 * line for a connection that ended without a request (@status 400 or 408, <BADREQ>). */
void hx_alog_begin(struct hx_sess *s, const struct sl_http1_req *req,
		   const struct sl_http1_hdr *h, size_t n, const struct sl_acl_ctx *ctx);
void hx_alog_rsp(struct hx_sess *s, const struct sl_http1_hdr *h, size_t n);
void hx_alog_server(struct hx_sess *s, const char *name);
void hx_alog_term(struct hx_sess *s, const char *ts);
void hx_alog_out_head(struct hx_sess *s, const char *p, size_t len); /* a head to the client */
void hx_alog_end(struct hx_sess *s);
void hx_alog_badreq(struct hx_sess *s, int status, const char *ts);

/* ---- listen.c */
bool hx_is_http_frontend(const struct sl_proxy *px);
void hx_listen_limit(struct sl_http *hx, const struct sl_cfg *cfg, const struct sl_proxy *fe,
		     uint32_t la, uint16_t port);

/* ---- certs.c (also used by srvtls.c) */
struct sl_cfg_str;
int hx_tls_version(const char *v); /* "TLSv1.2" -> 0x0303, else 0 */
bool hx_has_opt(const struct sl_cfg_str *l, const char *o);
int hx_tls_ctx_for(struct sl_dp *dp, const struct sl_cfg *cfg, const struct sl_bind *b,
		   struct sl_tls_ctx **out, char *why, size_t whylen);

/* Stick counters (dataplane/http/stick.c): the ACL context's operations for session @s (fetches
 * and track-scN), and the end of the current request's tracking (the next request, the session's
 * end). */
void hx_stk_ops(struct hx_sess *s, struct sl_acl_stk_ops *ops);
void hx_stk_untrack(struct hx_sess *s);

#endif
