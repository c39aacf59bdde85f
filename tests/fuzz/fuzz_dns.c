/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for what the run-time resolvers do with bytes from the network: a DNS answer
 * read by sl_dns_parse_a() (proto/dns.c) for a fixed question and for a question taken from the
 * input itself (so the question's checks pass and the answers are reached). Properties: no
 * crash, no read outside the message (ASan), and a successful read keeps its promises (at most
 * SL_DNS_ADDR_MAX addresses, the TTL of one of them).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/dns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sl_dns_answer a;
	if (sl_dns_parse_a(data, size, "www.test", &a) == 0 && (a.naddr < 0 || a.naddr > SL_DNS_ADDR_MAX))
		abort();
	/* the input's first byte is the length of a name written after it; the rest a message */
	if (size < 1 || (size_t)data[0] + 1 > size)
		return 0;
	char name[256];
	size_t n = data[0];
	memcpy(name, data + 1, n);
	name[n] = '\0';
	if (strlen(name) != n)
		return 0;
	if (sl_dns_parse_a(data + 1 + n, size - 1 - n, name, &a) == 0 &&
	    (a.naddr < 0 || a.naddr > SL_DNS_ADDR_MAX || (a.naddr == 0 && a.ttl != 0)))
		abort();
	uint8_t q[600];
	(void)sl_dns_query_a(q, sizeof(q), 1, name, 1232);
	return 0;
}
