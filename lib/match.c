/* SPDX-License-Identifier: BSD-2-Clause */
/* match.c - matching one answer against a user's tokens (TOTP within the
 * window, HOTP within the look-ahead, refusing any step or counter already
 * used through the token or a twin), the pending challenge and the unused
 * recovery codes; and telling a clock skew apart from a wrong code. Runs
 * inside the login transaction (auth.c). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "challenge.h"
#include "context.h"
#include "match.h"
#include "recovery.h"
#include "secret.h"

/* 1 if token @j is another token of the same kind with the same key as
 * token @i (of x->toks): such twins (a store from before duplicates were
 * refused) share replay state, so that a code used through one is not
 * accepted through the other. */
static int twins(const check_ctx *x, size_t i, size_t j)
{
	const tfa_token *t = &x->toks[i], *u = &x->toks[j];
	const tfa_token_key *kt = &x->keys[i], *ku = &x->keys[j];

	return i != j && u->type == t->type && u->alg == t->alg && u->digits == t->digits &&
	       u->period == t->period && ku->len == kt->len && kt->len > 0 &&
	       CRYPTO_memcmp(ku->bytes, kt->bytes, kt->len) == 0;
}

/* The last TOTP step used through token @k or a twin. */
static int64_t last_step_used(const check_ctx *x, size_t k)
{
	int64_t last = x->toks[k].last_step;
	size_t i;

	for (i = 0; i < x->n; i++)
		if (twins(x, k, i) && x->toks[i].last_step > last)
			last = x->toks[i].last_step;
	return last;
}

/* The lowest HOTP counter not yet used through token @k or a twin. */
static uint64_t next_counter(const check_ctx *x, size_t k)
{
	uint64_t next = x->toks[k].counter;
	size_t i;

	for (i = 0; i < x->n; i++)
		if (twins(x, k, i) && x->toks[i].counter > next)
			next = x->toks[i].counter;
	return next;
}

/* No step within the window matched: does one up to TFA_SKEW_STEPS beyond
 * it (either side) match, newer than the last used one? Then remember the
 * device's clock offset for the log and audit - the code is still wrong,
 * and nothing of the token changes. */
static void find_skew(const check_ctx *x, const tfa_token *t, const tfa_token_key *k,
		      const char *code, int64_t base, int64_t last, tfa_rc *rc)
{
	char want[OTP_MAX_DIGITS + 1];
	int64_t w = (int64_t)x->c->policy.window, d, s, now_step;
	int side;

	for (d = 1; d <= TFA_SKEW_STEPS && *rc == TFA_OK && !x->res->skew; d++) {
		for (side = -1; side <= 1; side += 2) {
			s = side < 0 ? base - w - d : base + w + d;
			if (s < 0 || s <= last)
				continue;
			*rc = otp_hotp(k->bytes, k->len, t->alg, (uint64_t)s, t->digits, want);
			if (*rc != TFA_OK)
				break;
			if (!otp_code_equal(want, code, t->digits))
				continue;
			now_step = otp_totp_step(x->now, t->period);
			x->res->skew = 1;
			x->res->skew_token = t->id;
			x->res->skew_seconds = (s - now_step) * (int64_t)t->period;
			break;
		}
	}
	tfa_wipe(want, sizeof(want));
}

/* Token @k of a->toks (x->toks), its key x->keys[k]. */
static match check_totp(const check_ctx *x, tfa_token *t, size_t k, const char *code,
			tfa_rc *rc)
{
	char want[OTP_MAX_DIGITS + 1];
	const tfa_token_key *key = &x->keys[k];
	int64_t base = otp_totp_step(x->now, t->period), s;
	int64_t w = (int64_t)x->c->policy.window, last = last_step_used(x, k);
	match m = M_NONE;

	if (base < 0)
		return M_NONE;
	base += t->drift;
	for (s = base - w; s <= base + w; s++) {
		if (s < 0)
			continue;
		*rc = otp_hotp(key->bytes, key->len, t->alg, (uint64_t)s, t->digits, want);
		if (*rc != TFA_OK)
			break;
		if (!otp_code_equal(want, code, t->digits))
			continue;
		if (s <= last) {
			m = M_REPLAY;
			continue;
		}
		t->last_step = s;
		m = M_MATCH;
		break;
	}
	tfa_wipe(want, sizeof(want));
	if (m == M_NONE && *rc == TFA_OK && !x->res->skew)
		find_skew(x, t, key, code, base, last, rc);
	return m;
}

static match check_hotp(const check_ctx *x, tfa_token *t, size_t k, const char *code,
			tfa_rc *rc)
{
	char want[OTP_MAX_DIGITS + 1];
	const tfa_token_key *key = &x->keys[k];
	uint64_t look = x->c->policy.hotp_lookahead, c, first, next = next_counter(x, k);
	match m = M_NONE;

	/* counters just below the expected one only tell a replay apart */
	first = t->counter > look ? t->counter - look : 0;
	for (c = first; c <= t->counter + look; c++) {
		*rc = otp_hotp(key->bytes, key->len, t->alg, c, t->digits, want);
		if (*rc != TFA_OK)
			break;
		if (!otp_code_equal(want, code, t->digits))
			continue;
		if (c < next) {
			m = M_REPLAY;
			continue;
		}
		t->counter = c + 1;
		m = M_MATCH;
		break;
	}
	tfa_wipe(want, sizeof(want));
	return m;
}

/* After no token matched: an unused recovery code (logins only). 1 if
 * @in is one (the record is marked used), 0 if not, -1 on a crypto error. */
static int check_recovery(const check_ctx *x, tfa_txn_args *a, const char *in, tfa_rc *rc)
{
	uint8_t pepper[TFA_PEPPER_LEN];
	char code[OTP_MAX_DIGITS + 1];
	long k = -1;

	*rc = TFA_OK;
	if (otp_code_parse(in, TFA_RECOVERY_DIGITS, code) == TFA_OK) {
		*rc = tfa_store_pepper(x->c->store, pepper);
		if (*rc == TFA_OK)
			k = tfa_recovery_match(pepper, a->rec, a->nrec, code, rc);
		tfa_wipe(pepper, sizeof(pepper));
	}
	tfa_wipe(code, sizeof(code));
	if (*rc != TFA_OK)
		return -1;
	if (k < 0)
		return 0;
	a->rec[k].used = 1;
	x->res->recovery_used = 1;
	x->res->recovery_left = (unsigned)(a->nrec - 1);
	return 1;
}

/* @in, or its last @len characters (len > 0). */
static const char *tail_of(const char *in, unsigned len)
{
	size_t n = strlen(in);

	return len > 0 && n > len ? in + n - len : in;
}

/* The tokens in x->want state of @len digits (all when @len is 0). */
static match match_tokens(check_ctx *x, tfa_txn_args *a, const char *in, unsigned len,
			  tfa_rc *rc)
{
	char code[OTP_MAX_DIGITS + 1];
	match m, best = M_NONE;
	size_t i;

	for (i = 0; i < a->n && best != M_MATCH; i++) {
		tfa_token *t = &a->toks[i];

		if (t->state != x->want || (len > 0 && t->digits != len))
			continue;
		if (otp_code_parse(tail_of(in, t->digits * (len > 0)), t->digits, code) != TFA_OK)
			continue;       /* malformed for this token: a wrong code */
		if (t->type == TFA_TOKEN_TOTP)
			m = check_totp(x, t, i, code, rc);
		else if (t->type == TFA_TOKEN_HOTP)
			m = check_hotp(x, t, i, code, rc);
		else
			m = M_NONE;
		if (*rc != TFA_OK)
			break;
		if (m == M_MATCH) {
			t->last_used = x->now;
			if (t->state == TFA_STATE_PENDING)
				t->state = TFA_STATE_ACTIVE;
			x->res->token_id = t->id;
		}
		if (m > best)
			best = m;
	}
	tfa_wipe(code, sizeof(code));
	return best;
}

/* A code sent to the phone, or the response to an OCRA question. */
static match match_challenge(check_ctx *x, tfa_txn_args *a, const char *in, tfa_rc *rc)
{
	int64_t id = 0;
	size_t i;
	int ok;

	if (a->chal == NULL)
		return M_NONE;
	ok = tfa_challenge_check(x->c, a->chal, a->toks, a->keys, a->n, x->want, in, x->now, &id,
				 rc);
	if (ok != 1)
		return M_NONE;
	for (i = 0; i < a->n; i++) {
		if (a->toks[i].id != id)
			continue;
		a->toks[i].last_used = x->now;
		if (a->toks[i].state == TFA_STATE_PENDING)
			a->toks[i].state = TFA_STATE_ACTIVE;
	}
	x->res->token_id = id;
	return M_MATCH;
}

match tfa_match_field(check_ctx *x, tfa_txn_args *a, const char *in, unsigned len, int *rec,
		      tfa_rc *rc)
{
	match best;

	*rec = 0;
	*rc = TFA_OK;
	best = match_tokens(x, a, in, len, rc);
	if (*rc != TFA_OK)
		return M_NONE;
	if (best != M_MATCH && match_challenge(x, a, tail_of(in, len), rc) == M_MATCH)
		best = M_MATCH;
	if (*rc != TFA_OK)
		return M_NONE;
	if (best != M_MATCH && a->nrec > 0 && (len == 0 || len == TFA_RECOVERY_DIGITS)) {
		*rec = check_recovery(x, a, tail_of(in, len), rc);
		if (*rec < 0)
			return M_NONE;
	}
	return best;
}
