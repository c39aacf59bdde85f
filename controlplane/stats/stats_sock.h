/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The stats socket server: a unix stream socket speaking HAProxy's CLI protocol
 * (controlplane/stats/stats_proto.h) over the command table of controlplane/stats/cmdlang.h.
 *
 * It runs on the daemon's main lcore, which does other work, so it never blocks: every socket is
 * non-blocking, sl_stats_sock_poll() waits at most the time it is given, and each client is
 * bounded: its request line (SL_PROTO_LINE_MAX: longer is refused and the client closed), its
 * pending output (the output buffer's cap: beyond it the client is dropped), its idle time (the
 * timeout, 10 s by default, HAProxy's "stats timeout": a client that neither sends nor reads for
 * that long is closed), the work done for it per call (a client with a lot of unread output gets
 * no new command run until it reads), and the number of clients (64 by default; more are accepted,
 * told SL_PROTO_MSG_TOO_MANY_CLIENTS and closed).
 *
 * Pure C + POSIX (poll(2)), no global state. Not thread-safe: one owner.
 */
#ifndef SL_STATS_SOCK_H
#define SL_STATS_SOCK_H

#include <poll.h>
#include <stddef.h>

#include "controlplane/stats/cmdlang.h"

#define SL_STATS_SOCK_DEFAULT_MAX_CLIENTS 64

struct sl_stats_sock;

/*
 * Creates the listening socket at @path: refuses (EADDRINUSE) when a process already listens on
 * it, and (EEXIST) when the path is something else than a socket; replaces a stale socket file
 * nobody listens on. The socket is created under a temporary name, given @mode (chmod; -1 keeps
 * what the umask gives) and renamed into place, so it is never reachable with wrong permissions.
 * Accepts the path, the mode, the clients' @level (enum sl_cli_level), the command table and the
 * table's opaque @arg (both must outlive the server). Returns the server, or NULL with errno set.
 */
struct sl_stats_sock *sl_stats_sock_open(const char *path, int mode, int level,
					 const struct sl_cli_cmd *cmds, void *arg);

/* Sets the idle timeout of clients. Accepts milliseconds (> 0). Returns 0 or -EINVAL. */
int sl_stats_sock_set_timeout(struct sl_stats_sock *s, int timeout_ms);

/*
 * Sets the maximum number of clients (> 0; lowering it does not close current clients) and the
 * cap of each client's pending output (0: SL_OUTBUF_DEFAULT_CAP; applies to new clients).
 * Returns 0, -EINVAL, or -ENOMEM.
 */
int sl_stats_sock_set_limits(struct sl_stats_sock *s, int max_clients, size_t out_cap);

/* The listening socket's descriptor: readable when a client connects (clients are polled by
 * sl_stats_sock_poll(), or exported by sl_stats_sock_pollfds()). */
int sl_stats_sock_fd(const struct sl_stats_sock *s);

/*
 * For an external event loop: fills @fds (room for @max entries) with the listening socket and
 * every client with the events they wait for, and *@timeout_ms with how long the caller may wait
 * before calling sl_stats_sock_poll() anyway (for client timeouts and buffered work; -1: no
 * limit). Call sl_stats_sock_poll(s, 0) when any of them is ready or the time is up.
 * Returns the number of entries filled (at most @max).
 */
int sl_stats_sock_pollfds(const struct sl_stats_sock *s, struct pollfd *fds, int max,
			  int *timeout_ms);

/*
 * Serves everything that is ready: accepts new clients, reads, runs complete lines, writes
 * output, closes finished, misbehaving and idle clients. Waits in poll(2) for at most
 * @timeout_ms (0: do not wait; negative: until something happens or a client times out).
 * Returns the number of clients that had I/O or were accepted during the call, or a negative
 * errno when poll(2) failed (EINTR is not an error: 0 is returned).
 */
int sl_stats_sock_poll(struct sl_stats_sock *s, int timeout_ms);

/* The number of connected clients. */
int sl_stats_sock_nclients(const struct sl_stats_sock *s);

/* Closes every client and the listening socket, removes the socket file (when it is still the
 * one this server created) and frees the server. NULL is accepted. */
void sl_stats_sock_close(struct sl_stats_sock *s);

#endif
