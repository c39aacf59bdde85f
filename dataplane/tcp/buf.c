/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stream data of the stack: the pool of chunks (copied data) and of bare descriptors (the
 * environment's packet buffers kept without a copy), and the per-connection queues built of
 * them. Everything is allocated in sl_tcp_bufs_init(); a connection holds pieces only while
 * data waits in it, so an idle one holds none.
 */
#include "dataplane/tcp/tcb.h"

#include <stdlib.h>
#include <string.h>

static bool is_chunk(const struct sl_tcp_stack *st, const struct sl_tcp_buf *b)
{
	return (size_t)(b - st->descs) < st->p.chunks;
}

/* Allocates the chunk and descriptor pools. Returns 0 or -1 (out of memory). */
int sl_tcp_bufs_init(struct sl_tcp_stack *st)
{
	const struct sl_tcp_params *p = &st->p;
	size_t n = (size_t)p->chunks + p->ext_max;
	st->descs = calloc(n, sizeof(*st->descs));
	st->chunkmem = malloc((size_t)p->chunks * p->chunk_size);
	if (st->descs == NULL || st->chunkmem == NULL)
		return -1;
	for (size_t i = n; i-- > 0;) {
		struct sl_tcp_buf *b = &st->descs[i];
		if (i < p->chunks) {
			b->base = st->chunkmem + i * (size_t)p->chunk_size;
			b->next = st->free_chunks;
			st->free_chunks = b;
		} else {
			b->next = st->free_descs;
			st->free_descs = b;
		}
	}
	st->s.chunks_max = p->chunks;
	return 0;
}

void sl_tcp_bufs_fini(struct sl_tcp_stack *st)
{
	free(st->descs);
	free(st->chunkmem);
}

/* Takes an empty chunk (data at its start, len 0), or NULL when the pool is empty. */
struct sl_tcp_buf *sl_tcp_chunk_get(struct sl_tcp_stack *st)
{
	struct sl_tcp_buf *b = st->free_chunks;
	if (b == NULL)
		return NULL;
	st->free_chunks = b->next;
	b->next = NULL;
	b->data = b->base;
	b->len = 0;
	b->ext = NULL;
	st->s.chunks_in_use++;
	return b;
}

/* Bytes that can still be appended to the piece @b (0 for an environment buffer). */
uint32_t sl_tcp_chunk_room(const struct sl_tcp_stack *st, const struct sl_tcp_buf *b)
{
	if (!is_chunk(st, b))
		return 0;
	return (uint32_t)(b->base + st->p.chunk_size - (b->data + b->len));
}

/* Returns one piece to its pool; an environment buffer goes back to the environment. */
void sl_tcp_buf_put(struct sl_tcp_stack *st, struct sl_tcp_buf *b)
{
	if (is_chunk(st, b)) {
		b->next = st->free_chunks;
		st->free_chunks = b;
		st->s.chunks_in_use--;
		return;
	}
	st->ops.buf_free(st->env, b->ext);
	b->ext = NULL;
	b->next = st->free_descs;
	st->free_descs = b;
	st->s.ext_in_use--;
}

void sl_tcp_buf_free(struct sl_tcp_stack *st, struct sl_tcp_buf *b)
{
	while (b != NULL) {
		struct sl_tcp_buf *next = b->next;
		sl_tcp_buf_put(st, b);
		b = next;
	}
}

/*
 * Makes a chain holding @len bytes at @d, sequence @seq onwards: the segment's own
 * environment buffer when it can be kept (large enough payload, descriptor free), else
 * copies in chunks. *@tail gets the last piece. Returns the chain, or NULL (pool empty;
 * nothing is held).
 */
struct sl_tcp_buf *sl_tcp_buf_make(struct sl_tcp_stack *st, const uint8_t *d, uint32_t len,
				   uint32_t seq, struct sl_tcp_buf **tail)
{
	if (st->in_ext != NULL && !st->in_ext_kept && len >= st->p.ext_min_len &&
	    st->free_descs != NULL) {
		struct sl_tcp_buf *b = st->free_descs;
		st->free_descs = b->next;
		b->next = NULL;
		b->data = (uint8_t *)(uintptr_t)d; /* inside the kept packet, which is ours now */
		b->len = len;
		b->seq = seq;
		b->ext = st->in_ext;
		st->in_ext_kept = true;
		st->s.ext_in_use++;
		st->s.ext_kept++;
		*tail = b;
		return b;
	}
	struct sl_tcp_buf *head = NULL, *last = NULL;
	while (len > 0) {
		struct sl_tcp_buf *b = sl_tcp_chunk_get(st);
		if (b == NULL) {
			sl_tcp_buf_free(st, head);
			return NULL;
		}
		uint32_t n = len < st->p.chunk_size ? len : st->p.chunk_size;
		memcpy(b->data, d, n);
		b->len = n;
		b->seq = seq;
		st->s.bytes_copied_in += n;
		if (last != NULL)
			last->next = b;
		else
			head = b;
		last = b;
		d += n;
		seq += n;
		len -= n;
	}
	*tail = last;
	return head;
}

/* Releases the first @n bytes of the send queue of @c (acknowledged data). */
void sl_tcp_sq_drop(struct sl_tcp_conn *c, uint32_t n)
{
	struct sl_tcp_stack *st = c->st;
	c->slen -= n;
	c->sseq += n;
	while (n > 0) {
		struct sl_tcp_buf *b = c->sq_head;
		if (b->len > n) {
			b->data += n;
			b->len -= n;
			b->seq += n;
			break;
		}
		n -= b->len;
		c->sq_head = b->next;
		if (c->scur == b)
			c->scur = NULL;
		sl_tcp_buf_put(st, b);
	}
	if (c->sq_head == NULL)
		c->sq_tail = NULL;
}

/* Releases the queues of @c: send and out-of-order always, received data with @rcv_too. */
void sl_tcp_queues_free(struct sl_tcp_conn *c, bool rcv_too)
{
	struct sl_tcp_stack *st = c->st;
	sl_tcp_buf_free(st, c->sq_head);
	c->sq_head = c->sq_tail = c->scur = NULL;
	c->sseq += c->slen;
	c->slen = 0;
	sl_tcp_buf_free(st, c->oq_head);
	c->oq_head = NULL;
	c->noq = 0;
	if (rcv_too) {
		sl_tcp_buf_free(st, c->rq_head);
		c->rq_head = c->rq_tail = NULL;
		c->rlen = 0;
	}
}

/* Returns the send queue piece holding @seq and the offset of @seq in it, or NULL. */
const struct sl_tcp_buf *sl_tcp_sq_find(struct sl_tcp_conn *c, uint32_t seq, uint32_t *off)
{
	struct sl_tcp_buf *b = c->scur;
	if (b == NULL || SEQ_LT(seq, b->seq))
		b = c->sq_head;
	while (b != NULL && SEQ_GEQ(seq, b->seq + b->len))
		b = b->next;
	if (b == NULL)
		return NULL;
	c->scur = b;
	*off = seq - b->seq;
	return b;
}

/* Copies @len bytes starting @off bytes into the chain @b to @dst. */
void sl_tcp_copy_out(const struct sl_tcp_buf *b, uint32_t off, uint8_t *dst, uint32_t len)
{
	while (len > 0 && b != NULL) {
		uint32_t n = b->len - off < len ? b->len - off : len;
		memcpy(dst, b->data + off, n);
		dst += n;
		len -= n;
		off = 0;
		b = b->next;
	}
}

/*
 * Tells the connections that found the pool empty in sl_tcp_send() that chunks are back
 * (once an eighth of the pool is free, so that they do not wake for a single chunk).
 */
void sl_tcp_bw_wake(struct sl_tcp_stack *st)
{
	while (st->bw_head != NULL &&
	       st->s.chunks_max - st->s.chunks_in_use >= st->s.chunks_max / 8 + 1) {
		struct sl_tcp_conn *c = st->bw_head;
		st->bw_head = c->bw_next;
		c->bw_next = NULL;
		c->bw_linked = false;
		if (c->app_owned && c->st != NULL) {
			c->ev |= SL_EV_WRITABLE;
			sl_tcp_dispatch(c);
		}
	}
}
