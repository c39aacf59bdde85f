/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A bump allocator for objects that live and die together: a parsed configuration, its
 * strings, lists and compiled regexes. Freed as a whole by sl_arena_destroy(), so a parse that
 * fails half way leaks nothing and a config generation is dropped in one call.
 *
 * Control-plane only (main lcore, start-up and reload): never on the packet path.
 */
#ifndef SL_ARENA_H
#define SL_ARENA_H

#include <stddef.h>

struct sl_arena;

/* Returns a new empty arena, or NULL when out of memory. */
struct sl_arena *sl_arena_create(void);

/* Runs every registered destructor (newest first), then frees every block and the arena. NULL ok. */
void sl_arena_destroy(struct sl_arena *a);

/*
 * Returns zeroed memory of @size bytes aligned for any object, owned by the arena, or NULL when
 * out of memory (or @size is absurd, > 1 GiB).
 */
void *sl_arena_alloc(struct sl_arena *a, size_t size);

/* Copies @len bytes of @s and a terminating NUL into the arena. NULL when out of memory. */
char *sl_arena_strndup(struct sl_arena *a, const char *s, size_t len);

/* Like sl_arena_strndup() for a NUL-terminated string. */
char *sl_arena_strdup(struct sl_arena *a, const char *s);

/*
 * Registers @fn(@obj) to run when the arena is destroyed (for objects that other libraries
 * allocate, such as compiled regexes). Returns 0, or -ENOMEM (and then runs @fn(@obj) at once).
 */
int sl_arena_defer(struct sl_arena *a, void (*fn)(void *), void *obj);

/* Bytes handed out so far (for `show pools` and tests). */
size_t sl_arena_used(const struct sl_arena *a);

#endif
