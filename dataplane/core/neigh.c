/* SPDX-License-Identifier: BSD-3-Clause */
#include "dataplane/core/neigh.h"

#include <errno.h>
#include <string.h>

static inline uint32_t slot_of(uint32_t ip)
{
	/* multiplicative hash: neighbours are usually consecutive addresses of one subnet */
	return (ip * 2654435761u) & (SL_NEIGH_SLOTS - 1);
}

static inline uint64_t mac_pack(const uint8_t mac[6])
{
	uint64_t v = 0;
	memcpy(&v, mac, 6);
	return v;
}

void sl_neigh_init(struct sl_neigh_table *t, uint32_t max_age_ms)
{
	memset(t, 0, sizeof(*t));
	t->max_age_ms = max_age_ms;
}

static bool live(const struct sl_neigh_table *t, uint64_t updated, uint64_t now_ms)
{
	/* another lcore's clock may be a little ahead: a future timestamp is fresh */
	return updated >= now_ms || now_ms - updated <= t->max_age_ms;
}

static void write_entry(struct sl_neigh_entry *e, uint32_t ip, uint64_t mac, uint64_t now_ms)
{
	uint32_t s = __atomic_load_n(&e->seq, __ATOMIC_RELAXED);
	__atomic_store_n(&e->seq, s + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	__atomic_store_n(&e->ip, ip, __ATOMIC_RELAXED);
	__atomic_store_n(&e->mac, mac, __ATOMIC_RELAXED);
	__atomic_store_n(&e->updated_ms, now_ms, __ATOMIC_RELAXED);
	__atomic_store_n(&e->seq, s + 2, __ATOMIC_RELEASE);
}

int sl_neigh_learn(struct sl_neigh_table *t, uint32_t ip, const uint8_t mac[6], uint64_t now_ms)
{
	uint32_t h = slot_of(ip);
	struct sl_neigh_entry *reuse = NULL;
	if (ip == 0)
		return -EINVAL;
	for (uint32_t i = 0; i < SL_NEIGH_PROBE; i++) {
		struct sl_neigh_entry *e = &t->e[(h + i) & (SL_NEIGH_SLOTS - 1)];
		if (e->ip == ip) {
			write_entry(e, ip, mac_pack(mac), now_ms);
			return 0;
		}
		if (e->ip == 0) {
			if (reuse == NULL) {
				reuse = e;
				t->used++;
			}
			break;
		}
		if (reuse == NULL && !live(t, e->updated_ms, now_ms))
			reuse = e;
	}
	if (reuse == NULL)
		return -ENOSPC;
	write_entry(reuse, ip, mac_pack(mac), now_ms);
	return 0;
}

bool sl_neigh_lookup(const struct sl_neigh_table *t, uint32_t ip, uint8_t mac[6],
		     uint64_t now_ms)
{
	uint32_t h = slot_of(ip);
	for (uint32_t i = 0; i < SL_NEIGH_PROBE; i++) {
		const struct sl_neigh_entry *e = &t->e[(h + i) & (SL_NEIGH_SLOTS - 1)];
		uint32_t s1, s2, eip;
		uint64_t m, upd;
		do {
			s1 = __atomic_load_n(&e->seq, __ATOMIC_ACQUIRE);
			eip = __atomic_load_n(&e->ip, __ATOMIC_RELAXED);
			m = __atomic_load_n(&e->mac, __ATOMIC_RELAXED);
			upd = __atomic_load_n(&e->updated_ms, __ATOMIC_RELAXED);
			__atomic_thread_fence(__ATOMIC_ACQUIRE);
			s2 = __atomic_load_n(&e->seq, __ATOMIC_RELAXED);
		} while ((s1 & 1) != 0 || s1 != s2);
		if (eip == 0)
			return false;
		if (eip == ip) {
			if (!live(t, upd, now_ms))
				return false;
			memcpy(mac, &m, 6);
			return true;
		}
	}
	return false;
}

unsigned sl_neigh_count(const struct sl_neigh_table *t, uint64_t now_ms)
{
	unsigned n = 0;
	for (uint32_t i = 0; i < SL_NEIGH_SLOTS; i++) {
		uint32_t ip = __atomic_load_n(&t->e[i].ip, __ATOMIC_RELAXED);
		uint64_t upd = __atomic_load_n(&t->e[i].updated_ms, __ATOMIC_RELAXED);
		if (ip != 0 && live(t, upd, now_ms))
			n++;
	}
	return n;
}
