/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Session ticket keys shared by the lcores, and the OpenSSL callback that seals and opens
 * tickets with them (the RFC 5077 4 recommended construction OpenSSL implements: a key name,
 * AES-256-CBC over the session state, HMAC-SHA256 over the whole).
 *
 * Why our own keys: OpenSSL draws random ticket keys per SSL_CTX, so a ticket issued by one
 * lcore's context (or before a reload) would not open on another. Keys here live in one struct
 * that every context points to, written by the control thread, read by every lcore.
 *
 * Concurrency without locks: each key slot is a sequence lock whose words are all accessed
 * atomically (relaxed), so readers never block and never use a half-written key (they retry or
 * treat the key as unknown: a full handshake, never a wrong one). The writer fills a slot that
 * is not current, then publishes it as current with a release store.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "tls/tls_int.h"

#define NAME_LEN  16 /* the key_name OpenSSL passes (TLSEXT_KEYNAME_LENGTH) */
#define AES_LEN	  32
#define HMAC_LEN  32
#define KEY_WORDS ((NAME_LEN + AES_LEN + HMAC_LEN) / 8)

/* A key as the callback uses it, copied out of its slot. */
struct key {
	union {
		uint64_t w[KEY_WORDS];
		struct {
			unsigned char name[NAME_LEN];
			unsigned char aes[AES_LEN];
			unsigned char hmac[HMAC_LEN];
		};
	};
};

struct slot {
	atomic_uint seq; /* odd while being written */
	_Atomic uint64_t w[KEY_WORDS];
};

struct sl_tls_tickets {
	EVP_CIPHER *aes; /* fetched once: an implicit fetch per ticket costs a lookup */
	atomic_uint cur;
	struct slot slot[SL_TLS_TICKET_KEYS];
};

static void slot_write(struct slot *s, const struct key *k)
{
	unsigned int q = atomic_load_explicit(&s->seq, memory_order_relaxed);

	atomic_store_explicit(&s->seq, q + 1, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
	for (int i = 0; i < KEY_WORDS; i++)
		atomic_store_explicit(&s->w[i], k->w[i], memory_order_relaxed);
	atomic_store_explicit(&s->seq, q + 2, memory_order_release);
}

/* Copies slot @s into @k. Returns false when a writer kept it busy (treat as unknown). */
static bool slot_read(struct slot *s, struct key *k)
{
	for (int tries = 0; tries < 8; tries++) {
		unsigned int q = atomic_load_explicit(&s->seq, memory_order_acquire);
		if (q & 1)
			continue;
		for (int i = 0; i < KEY_WORDS; i++)
			k->w[i] = atomic_load_explicit(&s->w[i], memory_order_relaxed);
		atomic_thread_fence(memory_order_acquire);
		if (atomic_load_explicit(&s->seq, memory_order_relaxed) == q)
			return true;
	}
	return false;
}

static bool random_key(struct key *k)
{
	return RAND_bytes((unsigned char *)k->w, sizeof(k->w)) == 1;
}

struct sl_tls_tickets *sl_tls_tickets_new(void)
{
	struct sl_tls_tickets *t = calloc(1, sizeof(*t));
	struct key k;

	if (t == NULL)
		return NULL;
	t->aes = EVP_CIPHER_fetch(NULL, "AES-256-CBC", NULL);
	if (t->aes == NULL)
		goto fail;
	/*
	 * Every slot gets a random key, not only the current one: an all-zero slot would open
	 * tickets anyone can forge (name, AES and HMAC keys all known to be zero).
	 */
	for (int i = 0; i < SL_TLS_TICKET_KEYS; i++) {
		if (!random_key(&k))
			goto fail;
		slot_write(&t->slot[i], &k);
	}
	OPENSSL_cleanse(&k, sizeof(k));
	atomic_init(&t->cur, 0);
	return t;
fail:
	OPENSSL_cleanse(&k, sizeof(k));
	sl_tls_tickets_free(t);
	ERR_clear_error();
	return NULL;
}

void sl_tls_tickets_rotate(struct sl_tls_tickets *t)
{
	struct key k;
	unsigned int next =
		(atomic_load_explicit(&t->cur, memory_order_relaxed) + 1) % SL_TLS_TICKET_KEYS;

	if (!random_key(&k)) {
		ERR_clear_error();
		return;
	}
	/* The oldest slot: only tickets SL_TLS_TICKET_KEYS rotations old used it. */
	slot_write(&t->slot[next], &k);
	OPENSSL_cleanse(&k, sizeof(k));
	atomic_store_explicit(&t->cur, next, memory_order_release);
}

void sl_tls_tickets_free(struct sl_tls_tickets *t)
{
	if (t == NULL)
		return;
	EVP_CIPHER_free(t->aes);
	OPENSSL_cleanse(t, sizeof(*t));
	free(t);
}

static int set_hmac(EVP_MAC_CTX *hctx, unsigned char *key)
{
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_octet_string(OSSL_MAC_PARAM_KEY, key, HMAC_LEN),
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA256", 0),
		OSSL_PARAM_construct_end(),
	};
	return EVP_MAC_CTX_set_params(hctx, params);
}

/*
 * SSL_CTX_set_tlsext_ticket_key_evp_cb(3): with @enc, fill @key_name and @iv and set both
 * contexts up with the current key; returns 1, or 0 to issue no ticket. Without @enc, find the
 * key named @key_name; returns 0 (unknown: full handshake), 1 (current key), 2 (older key:
 * valid, and OpenSSL issues a fresh ticket), -1 (error: full handshake too).
 */
int sl_tls_ticket_cb(SSL *s, unsigned char *key_name, unsigned char *iv, EVP_CIPHER_CTX *cctx,
		     EVP_MAC_CTX *hctx, int enc)
{
	const struct sl_tls_ctx *c = SSL_CTX_get_app_data(SSL_get_SSL_CTX(s));
	struct sl_tls_tickets *t = c != NULL ? c->tickets : NULL;
	struct key k;
	int ret;

	if (t == NULL)
		return enc ? 0 : -1;
	unsigned int cur = atomic_load_explicit(&t->cur, memory_order_acquire);
	if (enc) {
		ret = 0;
		if (!slot_read(&t->slot[cur], &k))
			goto out;
		if (RAND_bytes(iv, EVP_CIPHER_get_iv_length(t->aes)) != 1)
			goto out;
		memcpy(key_name, k.name, NAME_LEN);
		if (EVP_EncryptInit_ex(cctx, t->aes, NULL, k.aes, iv) != 1 ||
		    set_hmac(hctx, k.hmac) != 1)
			goto out;
		ret = 1;
		goto out;
	}
	ret = 0;
	for (unsigned int i = 0; i < SL_TLS_TICKET_KEYS; i++) {
		if (!slot_read(&t->slot[i], &k) || memcmp(k.name, key_name, NAME_LEN) != 0)
			continue;
		if (EVP_DecryptInit_ex(cctx, t->aes, NULL, k.aes, iv) != 1 ||
		    set_hmac(hctx, k.hmac) != 1)
			ret = -1;
		else
			ret = i == cur ? 1 : 2;
		break;
	}
out:
	OPENSSL_cleanse(&k, sizeof(k));
	if (ret <= 0)
		ERR_clear_error();
	return ret;
}
