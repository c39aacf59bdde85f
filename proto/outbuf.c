/* SPDX-License-Identifier: BSD-3-Clause */
#include "proto/outbuf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OUTBUF_MIN_ALLOC 4096

void sl_outbuf_init(struct sl_outbuf *o, size_t cap)
{
	memset(o, 0, sizeof(*o));
	o->cap = cap != 0 ? cap : SL_OUTBUF_DEFAULT_CAP;
}

/*
 * Makes room for @want more bytes (plus the NUL) after the pending ones, within the cap. Returns
 * the number of bytes that may be written at buf + len (<= @want; less when the cap or memory
 * stops it, in which case the buffer is marked truncated).
 */
static size_t outbuf_reserve(struct sl_outbuf *o, size_t want)
{
	size_t pending = o->len - o->off;
	size_t room = o->cap - pending;
	size_t n = want <= room ? want : room;

	if (o->buf != NULL && o->off > 0 && o->len + n + 1 > o->size) {
		memmove(o->buf, o->buf + o->off, pending);
		o->off = 0;
		o->len = pending;
		o->buf[o->len] = '\0';
	}
	if (o->buf == NULL || o->len + n + 1 > o->size) {
		size_t size = o->size != 0 ? o->size : OUTBUF_MIN_ALLOC;
		while (size < o->len + n + 1)
			size = size <= (o->cap + 1) / 2 ? size * 2 : o->cap + 1;
		char *nb = realloc(o->buf, size);
		if (nb == NULL) {
			o->truncated = true;
			/* Whatever room the old block still has is usable. */
			if (o->buf == NULL)
				return 0;
			size_t left = o->size - o->len - 1;
			return n <= left ? n : left;
		}
		o->buf = nb;
		o->size = size;
	}
	if (n < want)
		o->truncated = true;
	return n;
}

int sl_outbuf_append(struct sl_outbuf *o, const void *data, size_t len)
{
	if (o->truncated)
		return -ENOSPC;
	if (len == 0)
		return 0;
	bool over_cap = len > o->cap - (o->len - o->off);
	size_t n = outbuf_reserve(o, len);
	if (n > 0) {
		memcpy(o->buf + o->len, data, n);
		o->len += n;
		o->buf[o->len] = '\0';
	}
	if (n < len)
		return over_cap ? -ENOSPC : -ENOMEM;
	return 0;
}

int sl_outbuf_puts(struct sl_outbuf *o, const char *s)
{
	return sl_outbuf_append(o, s, strlen(s));
}

int sl_outbuf_vprintf(struct sl_outbuf *o, const char *fmt, va_list ap)
{
	if (o->truncated)
		return -ENOSPC;
	char small[512];
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(small, sizeof(small), fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return -EINVAL;
	if ((size_t)n < sizeof(small))
		return sl_outbuf_append(o, small, (size_t)n);

	/* Long text: format it straight into the buffer when it all fits. */
	size_t got = outbuf_reserve(o, (size_t)n);
	if (got == (size_t)n) {
		vsnprintf(o->buf + o->len, (size_t)n + 1, fmt, ap);
		o->len += (size_t)n;
		return 0;
	}
	/* It does not fit: keep the prefix that does (through a temporary copy). */
	char *tmp = malloc((size_t)n + 1);
	if (tmp == NULL) {
		o->truncated = true;
		return -ENOMEM;
	}
	vsnprintf(tmp, (size_t)n + 1, fmt, ap);
	if (got > 0) {
		memcpy(o->buf + o->len, tmp, got);
		o->len += got;
		o->buf[o->len] = '\0';
	}
	free(tmp);
	o->truncated = true;
	return -ENOSPC;
}

int sl_outbuf_printf(struct sl_outbuf *o, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = sl_outbuf_vprintf(o, fmt, ap);
	va_end(ap);
	return rc;
}

const char *sl_outbuf_data(const struct sl_outbuf *o)
{
	return o->buf != NULL ? o->buf + o->off : "";
}

size_t sl_outbuf_len(const struct sl_outbuf *o)
{
	return o->len - o->off;
}

void sl_outbuf_consume(struct sl_outbuf *o, size_t n)
{
	if (n >= o->len - o->off) {
		o->off = 0;
		o->len = 0;
		if (o->buf != NULL)
			o->buf[0] = '\0';
		return;
	}
	o->off += n;
}

void sl_outbuf_reset(struct sl_outbuf *o)
{
	o->off = 0;
	o->len = 0;
	o->truncated = false;
	if (o->buf != NULL)
		o->buf[0] = '\0';
}

void sl_outbuf_free(struct sl_outbuf *o)
{
	free(o->buf);
	o->buf = NULL;
	o->off = 0;
	o->len = 0;
	o->size = 0;
	o->truncated = false;
}
