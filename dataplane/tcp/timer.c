/* SPDX-License-Identifier: BSD-3-Clause */
/* Hashed timer wheel, see timer.h. */
#include "dataplane/tcp/timer.h"

#include <stddef.h>

#define SLOT_MASK (SL_TMR_SLOTS - 1)

static void link_insert_tail(struct sl_tmr_link *head, struct sl_tmr_link *l)
{
	l->prev = head->prev;
	l->next = head;
	head->prev->next = l;
	head->prev = l;
}

static void link_remove(struct sl_tmr_link *l)
{
	l->prev->next = l->next;
	l->next->prev = l->prev;
	l->prev = l->next = NULL;
}

void sl_tmr_wheel_init(struct sl_tmr_wheel *w, uint64_t tick_us, uint64_t now_us)
{
	w->tick_us = tick_us != 0 ? tick_us : 1;
	w->now = now_us / w->tick_us;
	w->armed = 0;
	for (unsigned i = 0; i < SL_TMR_SLOTS; i++)
		w->slots[i].prev = w->slots[i].next = &w->slots[i];
}

void sl_tmr_init(struct sl_tmr *t, sl_tmr_cb cb, void *arg)
{
	t->link.prev = t->link.next = NULL;
	t->expire = 0;
	t->cb = cb;
	t->arg = arg;
}

void sl_tmr_cancel(struct sl_tmr_wheel *w, struct sl_tmr *t)
{
	if (t->link.prev == NULL)
		return;
	link_remove(&t->link);
	w->armed--;
}

void sl_tmr_arm(struct sl_tmr_wheel *w, struct sl_tmr *t, uint64_t now_us, uint64_t delay_us)
{
	sl_tmr_cancel(w, t);
	uint64_t exp = (now_us + delay_us + w->tick_us - 1) / w->tick_us;
	if (exp <= w->now)
		exp = w->now + 1; /* never in a slot already processed */
	t->expire = exp;
	link_insert_tail(&w->slots[exp & SLOT_MASK], &t->link);
	w->armed++;
}

/* Fires the timers of the slot of tick @tick that are due by @limit; returns how many. */
static unsigned run_slot(struct sl_tmr_wheel *w, uint64_t tick, uint64_t limit)
{
	struct sl_tmr_link *slot = &w->slots[tick & SLOT_MASK];
	if (slot->next == slot)
		return 0;
	/* Move the slot to a private list so that callbacks arming into this slot (or cancelling
	 * timers still waiting here) work; then pop one at a time. */
	struct sl_tmr_link pending = {.prev = slot->prev, .next = slot->next};
	pending.next->prev = &pending;
	pending.prev->next = &pending;
	slot->next = slot->prev = slot;
	unsigned n = 0;
	while (pending.next != &pending) {
		struct sl_tmr *t = (struct sl_tmr *)((char *)pending.next - offsetof(struct sl_tmr, link));
		link_remove(&t->link);
		if (t->expire > limit) { /* a later turn of the wheel */
			link_insert_tail(slot, &t->link);
			continue;
		}
		w->armed--;
		n++;
		t->cb(t, t->arg);
	}
	return n;
}

unsigned sl_tmr_advance(struct sl_tmr_wheel *w, uint64_t now_us)
{
	uint64_t target = now_us / w->tick_us;
	unsigned n = 0;
	if (target <= w->now)
		return 0;
	if (target - w->now > SL_TMR_SLOTS) {
		/* More than one turn: visit every slot once, in time order from the current one,
		 * firing everything due by the target. */
		uint64_t from = w->now;
		w->now = target; /* timers armed by callbacks go after the target */
		for (uint64_t i = 1; i <= SL_TMR_SLOTS; i++)
			n += run_slot(w, from + i, target);
		return n;
	}
	while (w->now < target) {
		w->now++;
		n += run_slot(w, w->now, w->now);
	}
	return n;
}
