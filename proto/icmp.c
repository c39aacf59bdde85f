/* SPDX-License-Identifier: BSD-3-Clause */
/* ICMP, RFC 792. */
#include "proto/icmp.h"

#include <stdbool.h>
#include <string.h>

#include "proto/bytes.h"
#include "proto/csum.h"

int sl_icmp_parse(const uint8_t *p, size_t len, struct sl_icmp_info *out, enum sl_icmp_err *err)
{
	if (len < SL_ICMP_HLEN) {
		if (err != NULL)
			*err = SL_ICMP_ERR_SHORT;
		return -1;
	}
	out->type = p[0];
	out->code = p[1];
	out->id = sl_get_be16(p + 4);
	out->seq = sl_get_be16(p + 6);
	/* RFC 792: the checksum is over the ICMP message starting with the type; valid => 0. */
	if (sl_csum(p, len) != 0) {
		if (err != NULL)
			*err = SL_ICMP_ERR_CSUM;
		return -1;
	}
	if (err != NULL)
		*err = SL_ICMP_OK;
	return SL_ICMP_HLEN;
}

const char *sl_icmp_err_name(enum sl_icmp_err err)
{
	switch (err) {
	case SL_ICMP_OK:
		return "icmp_ok";
	case SL_ICMP_ERR_SHORT:
		return "icmp_short";
	case SL_ICMP_ERR_CSUM:
		return "icmp_bad_csum";
	}
	return "icmp_unknown";
}

/* True when the @len bytes at @p are zero except the checksum field (bytes 2 and 3). */
static bool all_zero_but_csum(const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != 0 && i != 2 && i != 3)
			return false;
	return true;
}

void sl_icmp_echo_to_reply(uint8_t *icmp, size_t len)
{
	uint16_t old_word, new_word, csum;

	/* The type shares its 16-bit word with the code: update that word (RFC 1624 eqn. 3). */
	memcpy(&old_word, icmp, 2);
	icmp[0] = SL_ICMP_ECHO_REPLY;
	memcpy(&new_word, icmp, 2);
	memcpy(&csum, icmp + 2, 2);
	csum = sl_csum_update16(csum, old_word, new_word);
	/* Eqn. 3 yields +0 where the all-zero message needs -0 (0xffff, RFC 1624 section 3). */
	if (csum == 0 && all_zero_but_csum(icmp, len))
		csum = 0xffff;
	memcpy(icmp + 2, &csum, 2);
}
