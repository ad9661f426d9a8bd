/* SPDX-License-Identifier: BSD-2-Clause */
/* radius_state.c - the State of a RADIUS Access-Challenge (radius_state.h):
 * made and checked here so that the key stays inside the library. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "context.h"
#include "radius_state.h"
#include "secret.h"

static const char state_label[] = "tfa-radius-state v1";

static int hexval(uint8_t ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

TFA_API tfa_rc tfa_state_parse(const uint8_t *in, size_t len, tfa_state_fields *f)
{
	uint8_t raw[TFA_STATE_RAW_LEN];
	uint64_t exp = 0;
	size_t i;
	int hi, lo;

	memset(f, 0, sizeof(*f));
	if (in == NULL || len != TFA_STATE_HEX_LEN)
		return TFA_EINVAL;
	for (i = 0; i < TFA_STATE_RAW_LEN; i++) {
		hi = hexval(in[2 * i]);
		lo = hexval(in[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return TFA_EINVAL;
		raw[i] = (uint8_t)(hi << 4 | lo);
	}
	if (raw[0] != TFA_STATE_VERSION)
		return TFA_EINVAL;
	f->version = raw[0];
	memcpy(f->nonce, raw + 1, TFA_STATE_NONCE_LEN);
	for (i = 0; i < 8; i++)
		exp = exp << 8 | raw[1 + TFA_STATE_NONCE_LEN + i];
	f->expires = (int64_t)exp;
	memcpy(f->mac, raw + 1 + TFA_STATE_NONCE_LEN + 8, TFA_STATE_MAC_LEN);
	if (f->expires < 0) {
		memset(f, 0, sizeof(*f));
		return TFA_EINVAL;
	}
	return TFA_OK;
}

/* ---- the fingerprint of the user's login state ---- */

typedef struct {
	EVP_MD_CTX *md;
	int bad;
} fp_ctx;

static void fp_add(fp_ctx *x, const void *p, size_t n)
{
	if (!x->bad && EVP_DigestUpdate(x->md, p, n) != 1)
		x->bad = 1;
}

static void fp_i64(fp_ctx *x, int64_t v)
{
	uint8_t b[8];
	int i;

	for (i = 7; i >= 0; i--) {
		b[i] = (uint8_t)((uint64_t)v & 0xff);
		v = (int64_t)((uint64_t)v >> 8);
	}
	fp_add(x, b, sizeof(b));
}

/* In a read transaction of the user's records (no write lock): hash what
 * any checked code changes. */
static tfa_rc fp_txn(tfa_txn_args *a, void *ctx)
{
	fp_ctx *x = ctx;
	size_t i;

	fp_i64(x, a->user->failures);
	fp_i64(x, a->user->locked_until);
	fp_i64(x, a->user->lockouts);
	fp_i64(x, a->user->last_login);
	fp_i64(x, (int64_t)a->n);
	for (i = 0; i < a->n; i++) {
		fp_i64(x, a->toks[i].id);
		fp_i64(x, a->toks[i].state);
		fp_i64(x, (int64_t)a->toks[i].counter);
		fp_i64(x, a->toks[i].last_step);
		fp_i64(x, a->toks[i].last_used);
	}
	fp_i64(x, (int64_t)a->nrec);
	for (i = 0; i < a->nrec; i++)
		fp_add(x, a->rec[i].salt, sizeof(a->rec[i].salt));
	if (a->chal != NULL) {
		fp_i64(x, 1 + (int64_t)a->chal->kind);
		fp_i64(x, a->chal->token_id);
		fp_i64(x, a->chal->created);
		fp_i64(x, a->chal->expires);
		fp_add(x, a->chal->salt, sizeof(a->chal->salt));
		fp_add(x, a->chal->question, strnlen(a->chal->question, sizeof(a->chal->question)));
	} else {
		fp_i64(x, 0);
	}
	return TFA_OK;
}

static tfa_rc fingerprint(tfa_ctx *c, const char *user, uint8_t out[32], tfa_err *err)
{
	fp_ctx x = { NULL, 0 };
	unsigned outlen = 0;
	tfa_rc rc;

	x.md = EVP_MD_CTX_new();
	if (x.md == NULL || EVP_DigestInit_ex(x.md, EVP_sha256(), NULL) != 1) {
		rc = tfa_err_set(err, TFA_ECRYPTO, "user %s: cannot start the State digest", user);
		goto out;
	}
	rc = tfa_store_user_view(c->store, user, fp_txn, &x, err);
	if (rc != TFA_OK)
		goto out;
	if (x.bad || EVP_DigestFinal_ex(x.md, out, &outlen) != 1 || outlen != 32)
		rc = tfa_err_set(err, TFA_ECRYPTO, "user %s: cannot finish the State digest", user);
out:
	EVP_MD_CTX_free(x.md);
	return rc;
}

/* mac over version | nonce | expiry | user NUL | fingerprint */
static tfa_rc state_mac(tfa_ctx *c, const char *user, const tfa_state_fields *f,
			const uint8_t fp[32], uint8_t mac[TFA_STATE_MAC_LEN])
{
	uint8_t pepper[TFA_PEPPER_LEN], key[32];
	uint8_t msg[1 + TFA_STATE_NONCE_LEN + 8 + TFA_USER_MAX + 1 + 32];
	size_t ulen = strlen(user), n = 0;
	unsigned klen = 0, mlen = 0;
	tfa_rc rc = TFA_OK;
	int i;

	if (ulen > TFA_USER_MAX)
		return TFA_EINVAL;
	if (tfa_store_pepper(c->store, pepper) != TFA_OK ||
	    HMAC(EVP_sha256(), pepper, (int)sizeof(pepper), (const unsigned char *)state_label,
		 sizeof(state_label) - 1, key, &klen) == NULL || klen != sizeof(key)) {
		rc = TFA_ECRYPTO;
		goto out;
	}
	msg[n++] = (uint8_t)f->version;
	memcpy(msg + n, f->nonce, TFA_STATE_NONCE_LEN);
	n += TFA_STATE_NONCE_LEN;
	for (i = 7; i >= 0; i--)
		msg[n++] = (uint8_t)((uint64_t)f->expires >> (8 * i));
	memcpy(msg + n, user, ulen + 1);
	n += ulen + 1;
	memcpy(msg + n, fp, 32);
	n += 32;
	if (HMAC(EVP_sha256(), key, (int)sizeof(key), msg, n, mac, &mlen) == NULL ||
	    mlen != TFA_STATE_MAC_LEN)
		rc = TFA_ECRYPTO;
out:
	tfa_wipe(pepper, sizeof(pepper));
	tfa_wipe(key, sizeof(key));
	return rc;
}

TFA_API tfa_rc tfa_state_make(tfa_ctx *c, const char *user, int64_t now, char *out,
			      size_t outlen, tfa_err *err)
{
	static const char hex[] = "0123456789abcdef";
	uint8_t raw[TFA_STATE_RAW_LEN], fp[32];
	tfa_state_fields f;
	size_t i;
	tfa_rc rc;
	int k;

	if (c == NULL || user == NULL || out == NULL || outlen <= TFA_STATE_HEX_LEN)
		return tfa_err_set(err, TFA_EINVAL, "tfa_state_make: bad argument");
	out[0] = '\0';
	memset(&f, 0, sizeof(f));
	f.version = TFA_STATE_VERSION;
	f.expires = now + (int64_t)c->policy.sms_ttl;
	if (tfa_random_bytes(f.nonce, sizeof(f.nonce)) != TFA_OK)
		return tfa_err_set(err, TFA_ECRYPTO, "user %s: no random bytes for a State", user);
	rc = fingerprint(c, user, fp, err);
	if (rc != TFA_OK)
		return rc;
	rc = state_mac(c, user, &f, fp, f.mac);
	if (rc != TFA_OK)
		return tfa_err_set(err, rc, "user %s: cannot compute the State", user);
	raw[0] = (uint8_t)f.version;
	memcpy(raw + 1, f.nonce, TFA_STATE_NONCE_LEN);
	for (k = 7; k >= 0; k--)
		raw[1 + TFA_STATE_NONCE_LEN + (7 - k)] = (uint8_t)((uint64_t)f.expires >> (8 * k));
	memcpy(raw + 1 + TFA_STATE_NONCE_LEN + 8, f.mac, TFA_STATE_MAC_LEN);
	for (i = 0; i < TFA_STATE_RAW_LEN; i++) {
		out[2 * i] = hex[raw[i] >> 4];
		out[2 * i + 1] = hex[raw[i] & 0xf];
	}
	out[TFA_STATE_HEX_LEN] = '\0';
	return TFA_OK;
}

TFA_API tfa_rc tfa_state_check(tfa_ctx *c, const char *user, const uint8_t *in, size_t len,
			       int64_t now, tfa_err *err)
{
	uint8_t fp[32], want[TFA_STATE_MAC_LEN];
	tfa_state_fields f;
	tfa_rc rc;

	if (c == NULL || user == NULL)
		return tfa_err_set(err, TFA_EINVAL, "tfa_state_check: bad argument");
	if (tfa_state_parse(in, len, &f) != TFA_OK)
		return tfa_err_set(err, TFA_REJECTED, "user %s: malformed State", user);
	if (f.expires < now)
		return tfa_err_set(err, TFA_REJECTED, "user %s: State expired %lld s ago", user,
				   (long long)(now - f.expires));
	/* a State cannot outlive sms_ttl: no far-future expiry with a forged key */
	if (f.expires > now + (int64_t)c->policy.sms_ttl)
		return tfa_err_set(err, TFA_REJECTED, "user %s: State expiry in the future", user);
	rc = fingerprint(c, user, fp, err);
	if (rc != TFA_OK)
		return rc;
	rc = state_mac(c, user, &f, fp, want);
	if (rc != TFA_OK)
		return tfa_err_set(err, rc, "user %s: cannot compute the State", user);
	if (CRYPTO_memcmp(want, f.mac, TFA_STATE_MAC_LEN) != 0)
		return tfa_err_set(err, TFA_REJECTED, "user %s: State not for this user, already"
				   " used, or replaced by a newer challenge", user);
	return TFA_OK;
}
