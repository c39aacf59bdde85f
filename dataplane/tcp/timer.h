/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Hashed timer wheel (Varghese and Lauck, "Hashed and Hierarchical Timing Wheels", 1987), one
 * per TCP stack instance (no global state): SL_TMR_SLOTS slots of one tick each (the tick is
 * chosen at init, 1 ms for TCP). A timer expiring at tick T sits in slot T mod SL_TMR_SLOTS;
 * timers further away than one turn of the wheel (4.096 s at 1 ms) stay in their slot and are
 * skipped until the turn in which they are due ("overflow" is handled by this comparison, at
 * the cost of one look per turn). Arm and cancel are O(1): an intrusive doubly linked list
 * per slot; the timer structure lives inside its owner (a connection), nothing is allocated.
 *
 * Callbacks run from sl_tmr_advance(); a callback may arm or cancel any timer, itself included.
 */
#ifndef SL_TCP_TIMER_H
#define SL_TCP_TIMER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SL_TMR_SLOTS 4096u /* power of two */

struct sl_tmr;
typedef void (*sl_tmr_cb)(struct sl_tmr *t, void *arg);

/* Intrusive list link; a slot is a circular list with a sentinel. */
struct sl_tmr_link {
	struct sl_tmr_link *prev, *next;
};

/* One timer, embedded in its owner. Initialise with sl_tmr_init() before any other use. */
struct sl_tmr {
	struct sl_tmr_link link; /* prev == NULL: not armed */
	uint64_t expire;	 /* tick at which it fires */
	sl_tmr_cb cb;
	void *arg;
};

struct sl_tmr_wheel {
	uint64_t tick_us; /* length of a tick in microseconds */
	uint64_t now;	  /* last tick processed */
	uint32_t armed;	  /* timers currently armed */
	struct sl_tmr_link slots[SL_TMR_SLOTS];
};

/*
 * Initialises @w with ticks of @tick_us microseconds (> 0) starting at time @now_us. Accepts
 * any @now_us; the first tick processed is the one after it.
 */
void sl_tmr_wheel_init(struct sl_tmr_wheel *w, uint64_t tick_us, uint64_t now_us);

/* Initialises timer @t (not armed) to call @cb(@t, @arg) when it fires. */
void sl_tmr_init(struct sl_tmr *t, sl_tmr_cb cb, void *arg);

/*
 * Arms @t on @w to fire once @delay_us microseconds after @now_us (rounded up to a whole tick,
 * at least the next tick); re-arming an armed timer moves it. O(1).
 */
void sl_tmr_arm(struct sl_tmr_wheel *w, struct sl_tmr *t, uint64_t now_us, uint64_t delay_us);

/* Disarms @t (no effect when it is not armed). O(1). */
void sl_tmr_cancel(struct sl_tmr_wheel *w, struct sl_tmr *t);

/* True when @t is armed. */
static inline bool sl_tmr_armed(const struct sl_tmr *t)
{
	return t->link.prev != NULL;
}

/*
 * Moves the wheel to time @now_us and calls the callback of every timer due by then (each
 * timer disarmed before its callback runs). Time never goes back: an earlier @now_us does
 * nothing. Returns the number of callbacks run.
 */
unsigned sl_tmr_advance(struct sl_tmr_wheel *w, uint64_t now_us);

#endif
