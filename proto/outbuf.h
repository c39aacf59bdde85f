/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A growable output buffer with a hard cap, for the operator channel (CLI answers, stats dumps).
 *
 * The pending bytes are buf[off .. len); writers append at len, a socket consumes from off. The
 * buffer never holds more than `cap` pending bytes: an append that would exceed it stores what
 * fits, marks the buffer truncated and every later append is refused until sl_outbuf_reset(). The
 * bytes are always followed by a NUL, so a buffer that was only appended to is a C string at buf +
 * off.
 *
 * Pure C, no global state; one buffer belongs to one user (the main lcore).
 */
#ifndef SL_OUTBUF_H
#define SL_OUTBUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

/* Default cap: 16 MiB of pending output. */
#define SL_OUTBUF_DEFAULT_CAP ((size_t)16 << 20)

struct sl_outbuf {
	char *buf;	/* NULL until the first append */
	size_t off;	/* first pending byte */
	size_t len;	/* end of the pending bytes */
	size_t size;	/* allocated bytes (room for the NUL included) */
	size_t cap;	/* maximum pending bytes */
	bool truncated; /* an append did not fit under the cap (or memory ran out) */
};

/* Prepares an empty buffer. Accepts @cap (0: SL_OUTBUF_DEFAULT_CAP). Allocates nothing. */
void sl_outbuf_init(struct sl_outbuf *o, size_t cap);

/*
 * Appends formatted text. Accepts a printf format. Returns 0, -ENOSPC when the text did not fit
 * under the cap (what fits is kept and the buffer is marked truncated), or -ENOMEM (marked
 * truncated too). A truncated buffer refuses every append with -ENOSPC.
 */
int sl_outbuf_printf(struct sl_outbuf *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The same with a va_list. Same returns. */
int sl_outbuf_vprintf(struct sl_outbuf *o, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/* Appends @len bytes of @data (may contain NULs). Same returns as sl_outbuf_printf(). */
int sl_outbuf_append(struct sl_outbuf *o, const void *data, size_t len);

/* Appends a NUL-terminated string. Same returns as sl_outbuf_printf(). */
int sl_outbuf_puts(struct sl_outbuf *o, const char *s);

/* The pending bytes (never NULL: "" for an empty buffer) and their number. */
const char *sl_outbuf_data(const struct sl_outbuf *o);
size_t sl_outbuf_len(const struct sl_outbuf *o);

/* Drops the first @n pending bytes (what a write(2) sent); @n larger than the pending count
 * drops everything. */
void sl_outbuf_consume(struct sl_outbuf *o, size_t n);

/* Empties the buffer and clears the truncated mark; keeps the memory for reuse. */
void sl_outbuf_reset(struct sl_outbuf *o);

/* Frees the memory; the buffer is empty and usable again (same cap). */
void sl_outbuf_free(struct sl_outbuf *o);

#endif
