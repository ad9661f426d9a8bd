/* SPDX-License-Identifier: BSD-2-Clause */
/* resync.c - resynchronising a token from two consecutive codes. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "resync.h"
#include "secret.h"
#include "context.h"

typedef struct {
	const tfa_ctx *c;
	const char *in1, *in2;
	int64_t now;
	tfa_resync_result *res;
	int candidates;
} resync_ctx;

/* 1 if the codes of @t (key @k) at @x and @x + 1 are @c1 and @c2, 0 if
 * not, -1 on error. */
static int pair_at(const tfa_token *t, const tfa_token_key *k, uint64_t x, const char *c1,
		   const char *c2)
{
	char a[OTP_MAX_DIGITS + 1], b[OTP_MAX_DIGITS + 1];
	int ok = 0;

	if (otp_hotp(k->bytes, k->len, t->alg, x, t->digits, a) != TFA_OK)
		return -1;
	if (otp_code_equal(a, c1, t->digits)) {
		if (otp_hotp(k->bytes, k->len, t->alg, x + 1, t->digits, b) != TFA_OK)
			ok = -1;
		else
			ok = otp_code_equal(b, c2, t->digits);
	}
	tfa_wipe(a, sizeof(a));
	tfa_wipe(b, sizeof(b));
	return ok;
}

/* Search token @t (key @key); 1 found (and updated), 0 not, -1 error. */
static int search(resync_ctx *x, tfa_token *t, const tfa_token_key *key)
{
	char c1[OTP_MAX_DIGITS + 1], c2[OTP_MAX_DIGITS + 1];
	uint64_t k, first = 0, last = 0;
	int64_t now_step = 0;
	int ok = 0;

	if (otp_code_parse(x->in1, t->digits, c1) != TFA_OK ||
	    otp_code_parse(x->in2, t->digits, c2) != TFA_OK)
		goto out;
	if (t->type == TFA_TOKEN_HOTP) {
		first = t->counter;
		last = t->counter + TFA_RESYNC_HOTP_SEARCH;
	} else {
		now_step = otp_totp_step(x->now, t->period);
		if (now_step < 0)
			goto out;
		first = now_step > TFA_RESYNC_TOTP_SEARCH ?
			(uint64_t)(now_step - TFA_RESYNC_TOTP_SEARCH) : 0;
		if (t->last_step >= 0 && (uint64_t)t->last_step + 1 > first)
			first = (uint64_t)t->last_step + 1;   /* never an old code */
		last = (uint64_t)now_step + TFA_RESYNC_TOTP_SEARCH;
	}
	for (k = first; k <= last && ok == 0; k++)
		ok = pair_at(t, key, k, c1, c2);
	if (ok != 1)
		goto out;
	k--;   /* the counter/step of code1 */
	if (t->type == TFA_TOKEN_HOTP) {
		t->counter = k + 2;
		x->res->counter = t->counter;
	} else {
		t->last_step = (int64_t)k + 1;
		t->drift = t->last_step - now_step;
		x->res->drift = t->drift;
	}
	t->last_used = x->now;
	x->res->token_id = t->id;
	x->res->type = t->type;
out:
	tfa_wipe(c1, sizeof(c1));
	tfa_wipe(c2, sizeof(c2));
	return ok;
}

static tfa_rc resync_cb(tfa_user *u, tfa_token *toks, const tfa_token_key *keys, size_t n,
			tfa_audit_rec *audit, void *ctx)
{
	resync_ctx *x = ctx;
	size_t i;
	int pass, ok = 0;

	(void)u;
	/* cards (a serial) first: they are what drifts */
	for (pass = 0; pass < 2 && ok == 0; pass++) {
		for (i = 0; i < n && ok == 0; i++) {
			tfa_token *t = &toks[i];

			if (t->state != TFA_STATE_ACTIVE ||
			    (t->type != TFA_TOKEN_HOTP && t->type != TFA_TOKEN_TOTP) ||
			    (pass == 0) != (t->serial[0] != '\0'))
				continue;
			x->candidates++;
			ok = search(x, t, &keys[i]);
		}
	}
	if (ok < 0)
		return TFA_ECRYPTO;
	if (x->candidates == 0)
		return TFA_ENOENT;
	if (ok == 0)
		return TFA_REJECTED;
	(void)snprintf(audit->event, sizeof(audit->event), "%s", TFA_EV_RESYNC);
	if (x->res->type == TFA_TOKEN_HOTP)
		(void)snprintf(audit->detail, sizeof(audit->detail), "%.63s token=%lld counter=%llu",
			       x->c->source, (long long)x->res->token_id,
			       (unsigned long long)x->res->counter);
	else
		(void)snprintf(audit->detail, sizeof(audit->detail), "%.63s token=%lld drift=%lld",
			       x->c->source, (long long)x->res->token_id,
			       (long long)x->res->drift);
	return TFA_OK;
}

/* 1 if @s is a code of 6, 7 or 8 digits */
TFA_API tfa_rc tfa_resync(tfa_ctx *c, const char *user, const char *code1, const char *code2,
			  int64_t now, tfa_resync_result *res, tfa_err *err)
{
	tfa_resync_result local;
	resync_ctx x;
	tfa_rc rc;

	if (res == NULL)
		res = &local;
	memset(res, 0, sizeof(*res));
	if (!tfa_user_valid(user))
		return tfa_err_set(err, TFA_EINVAL, "invalid user name");
	if (code1 == NULL || code2 == NULL)
		return tfa_err_set(err, TFA_EINVAL, "two codes are needed");
	if (!otp_code_shaped(code1) || !otp_code_shaped(code2))
		return tfa_err_set(err, TFA_EINVAL, "a code is 6 to 8 digits");
	memset(&x, 0, sizeof(x));
	x.c = c;
	x.in1 = code1;
	x.in2 = code2;
	x.now = now;
	x.res = res;
	rc = tfa_store_user_txn(c->store, user, resync_cb, &x, err);
	if (rc == TFA_ENOENT)
		tfa_err_set(err, rc, "user %s has no active hotp or totp token",
			    tfa_user_esc(user).s);
	else if (rc == TFA_REJECTED)
		tfa_err_set(err, rc, "the two codes are not consecutive codes of any token of user %s"
			    " within the search range", tfa_user_esc(user).s);
	else if (rc == TFA_ECRYPTO)
		tfa_err_set(err, rc, "cannot compute codes for user %s", tfa_user_esc(user).s);
	return rc;
}
