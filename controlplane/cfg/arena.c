/* SPDX-License-Identifier: BSD-3-Clause */
#include "controlplane/cfg/arena.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define SL_ARENA_BLOCK (64 * 1024)
#define SL_ARENA_ALIGN 16
#define SL_ARENA_MAX (1u << 30)

struct sl_arena_block {
	struct sl_arena_block *next;
	size_t size;
	size_t used;
	_Alignas(SL_ARENA_ALIGN) unsigned char data[];
};

struct sl_arena_dtor {
	struct sl_arena_dtor *next;
	void (*fn)(void *);
	void *obj;
};

struct sl_arena {
	struct sl_arena_block *head;
	struct sl_arena_dtor *dtors;
	size_t used;
};

struct sl_arena *sl_arena_create(void)
{
	return calloc(1, sizeof(struct sl_arena));
}

void sl_arena_destroy(struct sl_arena *a)
{
	if (a == NULL)
		return;
	for (struct sl_arena_dtor *d = a->dtors; d != NULL; d = d->next)
		d->fn(d->obj);
	struct sl_arena_block *b = a->head;
	while (b != NULL) {
		struct sl_arena_block *next = b->next;
		free(b);
		b = next;
	}
	free(a);
}

void *sl_arena_alloc(struct sl_arena *a, size_t size)
{
	if (size > SL_ARENA_MAX)
		return NULL;
	size = (size + SL_ARENA_ALIGN - 1) & ~(size_t)(SL_ARENA_ALIGN - 1);
	if (size == 0)
		size = SL_ARENA_ALIGN;
	struct sl_arena_block *b = a->head;
	if (b == NULL || b->size - b->used < size) {
		/* Big requests get a block of their own so they do not waste the current one. */
		size_t bsize = size > SL_ARENA_BLOCK / 4 ? size : SL_ARENA_BLOCK;
		struct sl_arena_block *nb = malloc(sizeof(*nb) + bsize);
		if (nb == NULL)
			return NULL;
		nb->size = bsize;
		nb->used = 0;
		if (b != NULL && bsize != SL_ARENA_BLOCK) {
			nb->next = b->next;
			b->next = nb;
		} else {
			nb->next = b;
			a->head = nb;
		}
		b = nb;
	}
	void *p = b->data + b->used;
	b->used += size;
	a->used += size;
	memset(p, 0, size);
	return p;
}

char *sl_arena_strndup(struct sl_arena *a, const char *s, size_t len)
{
	char *p = sl_arena_alloc(a, len + 1);
	if (p == NULL)
		return NULL;
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *sl_arena_strdup(struct sl_arena *a, const char *s)
{
	return sl_arena_strndup(a, s, strlen(s));
}

int sl_arena_defer(struct sl_arena *a, void (*fn)(void *), void *obj)
{
	struct sl_arena_dtor *d = sl_arena_alloc(a, sizeof(*d));
	if (d == NULL) {
		fn(obj);
		return -ENOMEM;
	}
	d->fn = fn;
	d->obj = obj;
	d->next = a->dtors;
	a->dtors = d;
	return 0;
}

size_t sl_arena_used(const struct sl_arena *a)
{
	return a->used;
}
