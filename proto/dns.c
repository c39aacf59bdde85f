/* SPDX-License-Identifier: BSD-3-Clause */
/* DNS A queries and answers: see dns.h. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "proto/dns.h"

#define DNS_HDR 12
#define DNS_TYPE_A 1
#define DNS_TYPE_CNAME 5
#define DNS_TYPE_OPT 41
#define DNS_CLASS_IN 1
#define DNS_CHAIN_MAX 8 /* names of a CNAME chain followed */

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int sl_dns_query_a(uint8_t *buf, size_t cap, uint16_t id, const char *name, uint16_t payload)
{
	size_t n = strlen(name);
	if (n > 0 && name[n - 1] == '.')
		n--;
	if (n == 0 || n > SL_DNS_NAME_MAX)
		return -1;
	size_t need = DNS_HDR + n + 2 + 4 + (payload > 512 ? 11 : 0);
	if (cap < need)
		return -1;
	memset(buf, 0, DNS_HDR);
	put16(buf, id);
	buf[2] = 0x01;	   /* RD */
	put16(buf + 4, 1); /* QDCOUNT */
	if (payload > 512)
		put16(buf + 10, 1); /* ARCOUNT: the OPT record */
	uint8_t *q = buf + DNS_HDR;
	size_t start = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i < n && name[i] != '.')
			continue;
		size_t l = i - start;
		if (l == 0 || l > 63)
			return -1;
		*q++ = (uint8_t)l;
		memcpy(q, name + start, l);
		q += l;
		start = i + 1;
	}
	*q++ = 0;
	put16(q, DNS_TYPE_A);
	put16(q + 2, DNS_CLASS_IN);
	q += 4;
	if (payload > 512) {
		*q++ = 0; /* root name */
		put16(q, DNS_TYPE_OPT);
		put16(q + 2, payload); /* the OPT record's class: the UDP payload size */
		memset(q + 4, 0, 6);   /* extended RCODE, version, flags, RDLEN 0 */
		q += 10;
	}
	return (int)(q - buf);
}

/*
 * Reads the name at @off of @msg into @out (dotted, lower case, no final dot) and the offset just
 * past it in the record (not past a pointer's target) into @next. -EBADMSG when malformed.
 */
static int read_name(const uint8_t *msg, size_t len, size_t off, char *out, size_t *next)
{
	size_t o = off, n = 0;
	int jumps = 0;
	bool jumped = false;
	for (;;) {
		if (o >= len)
			return -EBADMSG;
		uint8_t l = msg[o];
		if ((l & 0xc0) == 0xc0) {
			if (o + 1 >= len || ++jumps > 32)
				return -EBADMSG;
			if (!jumped)
				*next = o + 2;
			jumped = true;
			o = (size_t)(l & 0x3f) << 8 | msg[o + 1]; /* loops end at 32 jumps */
			continue;
		}
		if (l & 0xc0)
			return -EBADMSG; /* the 0x40 and 0x80 label types are obsolete */
		if (l == 0) {
			if (!jumped)
				*next = o + 1;
			break;
		}
		if (o + 1 + l > len || n + l + (n > 0) > SL_DNS_NAME_MAX)
			return -EBADMSG;
		if (n > 0)
			out[n++] = '.';
		for (unsigned i = 0; i < l; i++) {
			char ch = (char)msg[o + 1 + i];
			out[n++] = (ch >= 'A' && ch <= 'Z') ? (char)(ch - 'A' + 'a') : ch;
		}
		o += 1 + (size_t)l;
	}
	out[n] = '\0';
	return 0;
}

/* @a equals the dotted @b, ignoring case and a final dot of @b. */
static bool name_eq(const char *a, const char *b)
{
	size_t lb = strlen(b);
	if (lb > 0 && b[lb - 1] == '.')
		lb--;
	return strlen(a) == lb && strncasecmp(a, b, lb) == 0;
}

static bool in_chain(char chain[][SL_DNS_NAME_MAX + 1], int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (strcmp(chain[i], name) == 0)
			return true;
	return false;
}

int sl_dns_parse_a(const uint8_t *msg, size_t len, const char *name, struct sl_dns_answer *out)
{
	memset(out, 0, sizeof(*out));
	if (len < DNS_HDR)
		return -EBADMSG;
	out->id = get16(msg);
	if (!(msg[2] & 0x80))
		return -EBADMSG; /* a query, not a response */
	out->truncated = (msg[2] & 0x02) != 0;
	out->rcode = msg[3] & 0x0f;
	uint16_t qd = get16(msg + 4), an = get16(msg + 6);
	if (qd != 1)
		return -ENOENT;
	char owner[SL_DNS_NAME_MAX + 1];
	size_t off;
	if (read_name(msg, len, DNS_HDR, owner, &off) < 0 || off + 4 > len)
		return -EBADMSG;
	if (!name_eq(owner, name) || get16(msg + off) != DNS_TYPE_A ||
	    get16(msg + off + 2) != DNS_CLASS_IN)
		return -ENOENT;
	off += 4;
	/* the names whose A records count: @name, then each CNAME target reached from it */
	char chain[DNS_CHAIN_MAX][SL_DNS_NAME_MAX + 1];
	int nchain = 1;
	snprintf(chain[0], sizeof(chain[0]), "%s", owner);
	for (unsigned i = 0; i < an; i++) {
		if (read_name(msg, len, off, owner, &off) < 0 || off + 10 > len)
			return -EBADMSG;
		uint16_t type = get16(msg + off), cls = get16(msg + off + 2);
		uint32_t ttl = get32(msg + off + 4);
		uint16_t rdlen = get16(msg + off + 8);
		off += 10;
		if (off + rdlen > len)
			return -EBADMSG;
		if (cls == DNS_CLASS_IN && in_chain(chain, nchain, owner)) {
			if (type == DNS_TYPE_A) {
				if (rdlen != 4)
					return -EBADMSG;
				if (out->naddr < SL_DNS_ADDR_MAX) {
					if (out->naddr == 0 || ttl < out->ttl)
						out->ttl = ttl;
					out->addr[out->naddr++] = get32(msg + off);
				}
			} else if (type == DNS_TYPE_CNAME) {
				char target[SL_DNS_NAME_MAX + 1];
				size_t end;
				if (read_name(msg, len, off, target, &end) < 0 || end > off + rdlen)
					return -EBADMSG;
				if (nchain < DNS_CHAIN_MAX && !in_chain(chain, nchain, target))
					memcpy(chain[nchain++], target, sizeof(target));
			}
		}
		off += rdlen;
	}
	return 0;
}
