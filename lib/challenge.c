/* SPDX-License-Identifier: BSD-2-Clause */
/* challenge.c - the challenge step before the code prompt (order in
 * challenge.h): codes sent to the phone and OCRA questions. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "audit.h"
#include "challenge.h"
#include "delivery.h"
#include "enroll.h"
#include "ocra.h"
#include "secret.h"
#include "context.h"

/* HMAC-SHA256(pepper, "tfa-sms" || salt || code): only this is stored. */
static tfa_rc sms_hash(const tfa_store *st, const uint8_t salt[TFA_CHALLENGE_SALT_LEN],
		       const char *code, uint8_t out[TFA_CHALLENGE_HASH_LEN])
{
	uint8_t pepper[TFA_PEPPER_LEN], msg[8 + TFA_CHALLENGE_SALT_LEN + OTP_MAX_CODE];
	size_t len = strlen(code), n = 0;
	unsigned outlen = 0;
	tfa_rc rc = TFA_OK;

	if (len > OTP_MAX_CODE)
		return TFA_EINVAL;
	memcpy(msg, "tfa-sms", 8);
	n = 8;
	memcpy(msg + n, salt, TFA_CHALLENGE_SALT_LEN);
	n += TFA_CHALLENGE_SALT_LEN;
	memcpy(msg + n, code, len);
	n += len;
	if (tfa_store_pepper(st, pepper) != TFA_OK ||
	    HMAC(EVP_sha256(), pepper, (int)sizeof(pepper), msg, n, out, &outlen) == NULL ||
	    outlen != TFA_CHALLENGE_HASH_LEN)
		rc = TFA_ECRYPTO;
	tfa_wipe(pepper, sizeof(pepper));
	tfa_wipe(msg, sizeof(msg));
	return rc;
}

static void phone_hint(const char *phone, char *out, size_t outlen)
{
	size_t n = strlen(phone);

	(void)snprintf(out, outlen, "%.4s", n > 4 ? phone + n - 4 : phone);
}

/* Store a new code for the sms token @t, send it to @phone (killing
 * sms_command after @timeout_ms, 0 for the default); 1 sent, 0 failed (the
 * reason in @ch), -1 on a store or crypto error (*@rc). */
static int send_code(tfa_ctx *c, const char *user, const tfa_token *t, const char *phone,
		     unsigned timeout_ms, int64_t now, tfa_challenge *ch, tfa_rc *rc, tfa_err *err)
{
	const tfa_policy *p = &c->policy;
	char code[OTP_MAX_CODE + 1], msg[160], what[200];
	tfa_delivery_result res;
	tfa_challenge_rec rec;
	tfa_audit_rec audit;
	tfa_err derr;
	int sent = -1;

	memset(&rec, 0, sizeof(rec));
	memset(&res, 0, sizeof(res));
	memset(&derr, 0, sizeof(derr));
	msg[0] = '\0';
	code[0] = '\0';
	if (*p->sms_command != '\0') {
		int allowed = 0;

		(void)snprintf(what, sizeof(what), "sms_rate %u/%u reached; nothing sent token=%lld",
			       p->sms_rate_count, p->sms_rate_seconds, (long long)t->id);
		tfa_audit_rec_set(&audit, TFA_EV_SMS_LIMITED, c->source, what);
		*rc = tfa_store_delivery_reserve(c->store, user, now, p->sms_rate_count,
						 p->sms_rate_seconds, &audit, &allowed,
						 &ch->retry_after, err);
		if (*rc != TFA_OK)
			goto out;
		if (!allowed) {
			/* an earlier code, if still pending, keeps working */
			ch->rate_limited = 1;
			sent = 0;
			goto out;
		}
	}
	*rc = tfa_random_digits(p->sms_digits, code);
	if (*rc == TFA_OK)
		*rc = tfa_random_bytes(rec.salt, sizeof(rec.salt));
	if (*rc == TFA_OK)
		*rc = sms_hash(c->store, rec.salt, code, rec.hash);
	if (*rc != TFA_OK) {
		*rc = tfa_err_set(err, TFA_ECRYPTO, "cannot make a code for user %s",
				  tfa_user_esc(user).s);
		goto out;
	}
	rec.kind = TFA_CH_SMS;
	rec.token_id = t->id;
	rec.created = now;
	rec.expires = now + (int64_t)p->sms_ttl;
	/* stored before it is sent: it must work the moment it arrives */
	*rc = tfa_store_challenge_put(c->store, user, &rec, NULL, err);
	if (*rc != TFA_OK)
		goto out;
	(void)snprintf(msg, sizeof(msg), "%s verification code: %s (valid %u min)\n",
		       p->issuer, code, (p->sms_ttl + 59) / 60);
	if (*p->sms_command == '\0') {
		(void)snprintf(derr.msg, sizeof(derr.msg), "sms_command is not set");
		res.exited = 0;
	} else {
		(void)tfa_deliver(p->sms_command, phone, msg, timeout_ms, &res, &derr);
	}
	if (*p->sms_command != '\0' && res.exited && res.status == 0) {
		(void)snprintf(what, sizeof(what), "to phone ending %s token=%lld",
			       ch->phone_hint, (long long)t->id);
		tfa_audit_rec_set(&audit, TFA_EV_SMS_SENT, c->source, what);
		*rc = tfa_store_audit_add(c->store, user, audit.event, audit.detail, err);
		if (*rc == TFA_OK) {
			ch->kind = TFA_CH_SMS;
			ch->digits = p->sms_digits;
			ch->expires = rec.expires;
			sent = 1;
		}
		goto out;
	}
	/* not delivered: the code must not stay valid */
	ch->delivery_failed = 1;
	(void)snprintf(ch->delivery_error, sizeof(ch->delivery_error), "%s", derr.msg);
	if (res.exited)
		(void)snprintf(what, sizeof(what), "status=%d token=%lld", res.status,
			       (long long)t->id);
	else if (res.timed_out)
		(void)snprintf(what, sizeof(what), "timeout token=%lld", (long long)t->id);
	else if (res.signal != 0)
		(void)snprintf(what, sizeof(what), "signal=%d token=%lld", res.signal,
			       (long long)t->id);
	else
		(void)snprintf(what, sizeof(what), "not run (%.120s) token=%lld", derr.msg,
			       (long long)t->id);
	tfa_audit_rec_set(&audit, TFA_EV_SMS_FAILED, c->source, what);
	*rc = tfa_store_challenge_clear(c->store, user, &audit, err);
	sent = *rc == TFA_OK ? 0 : -1;
out:
	tfa_wipe(code, sizeof(code));
	tfa_wipe(msg, sizeof(msg));
	tfa_wipe(&rec, sizeof(rec));
	return sent;
}

static tfa_rc ask_ocra(tfa_ctx *c, const char *user, const tfa_token *t, int64_t now,
		       const char *event, tfa_challenge *ch, tfa_err *err)
{
	otp_ocra_suite suite;
	tfa_challenge_rec rec;
	tfa_audit_rec audit;
	char what[96];
	tfa_rc rc;

	if (otp_ocra_suite_parse(t->suite, &suite) != TFA_OK)
		return tfa_err_set(err, TFA_ESTORE, "token %lld of user %s has a bad OCRA suite",
				   (long long)t->id, tfa_user_esc(user).s);
	memset(&rec, 0, sizeof(rec));
	rc = otp_ocra_challenge(&suite, rec.question, sizeof(rec.question));
	if (rc != TFA_OK)
		return tfa_err_set(err, rc, "cannot make an OCRA question for user %s",
				   tfa_user_esc(user).s);
	rec.kind = TFA_CH_OCRA;
	rec.token_id = t->id;
	rec.created = now;
	rec.expires = now + (int64_t)c->policy.sms_ttl;
	(void)snprintf(what, sizeof(what), "token=%lld", (long long)t->id);
	tfa_audit_rec_set(&audit, event, c->source, what);
	rc = tfa_store_challenge_put(c->store, user, &rec, &audit, err);
	if (rc != TFA_OK)
		return rc;
	ch->kind = TFA_CH_OCRA;
	(void)snprintf(ch->question, sizeof(ch->question), "%s", rec.question);
	ch->digits = suite.digits;
	ch->expires = rec.expires;
	return TFA_OK;
}

TFA_API tfa_rc tfa_challenge_begin(tfa_ctx *c, const char *user, int64_t now,
				   tfa_challenge *ch, tfa_err *err)
{
	return tfa_challenge_begin_opts(c, user, now, NULL, ch, err);
}

/* The number for @sms's code: the caller's (@o) or the token's; NULL (and
 * the failure set in @ch, audited) when the caller's number is malformed. */
static const char *sms_phone(tfa_ctx *c, const char *user, const tfa_token *sms,
			     const tfa_challenge_opts *o, tfa_challenge *ch)
{
	char what[96];

	if (o == NULL || o->phone == NULL || o->phone[0] == '\0')
		return sms->phone;
	if (tfa_phone_valid(o->phone))
		return o->phone;
	ch->delivery_failed = 1;
	(void)snprintf(ch->delivery_error, sizeof(ch->delivery_error),
		       "the phone number given for user %.400s is malformed; no code sent",
		       tfa_user_esc(user).s);
	(void)snprintf(what, sizeof(what), "not run (malformed phone number given) token=%lld",
		       (long long)sms->id);
	(void)tfa_ctx_audit(c, user, TFA_EV_SMS_FAILED, "%s", what);
	return NULL;
}

TFA_API tfa_rc tfa_challenge_begin_opts(tfa_ctx *c, const char *user, int64_t now,
					const tfa_challenge_opts *o, tfa_challenge *ch,
					tfa_err *err)
{
	const tfa_token *sms = NULL, *ocra = NULL;
	tfa_token *toks = NULL;
	tfa_user u;
	size_t n = 0, i;
	tfa_rc rc;

	memset(ch, 0, sizeof(*ch));
	if (!tfa_user_valid(user))
		return tfa_err_set(err, TFA_EINVAL, "invalid user name");
	rc = tfa_ctx_refresh(c, err);
	if (rc != TFA_OK)
		return rc;
	rc = tfa_store_user_get(c->store, user, &u, err);
	if (rc == TFA_ENOENT)
		return TFA_OK;
	if (rc != TFA_OK)
		return rc;
	if (u.locked_until > now)
		return TFA_OK;   /* nothing is sent to a locked user */
	rc = tfa_store_token_list(c->store, user, &toks, &n, NULL, err);
	if (rc != TFA_OK)
		return rc;
	for (i = 0; i < n; i++) {
		if (toks[i].state != TFA_STATE_ACTIVE)
			continue;
		if (toks[i].type == TFA_TOKEN_SMS && sms == NULL)
			sms = &toks[i];
		else if (toks[i].type == TFA_TOKEN_OCRA && ocra == NULL)
			ocra = &toks[i];
	}
	if (sms != NULL) {
		const char *phone = sms_phone(c, user, sms, o, ch);

		if (phone != NULL) {
			phone_hint(phone, ch->phone_hint, sizeof(ch->phone_hint));
			if (send_code(c, user, sms, phone, o != NULL ? o->sms_timeout_ms : 0,
				      now, ch, &rc, err) != 0)
				goto out;   /* sent, or a store error */
		}
	}
	if (ocra != NULL)
		rc = ask_ocra(c, user, ocra, now, TFA_EV_OCRA_CHALLENGE, ch, err);
out:
	tfa_tokens_free(toks, n);
	return rc;
}

TFA_API tfa_rc tfa_challenge_confirm_ocra(tfa_ctx *c, const char *user, const tfa_token *tok,
					  int64_t now, tfa_challenge *ch, tfa_err *err)
{
	memset(ch, 0, sizeof(*ch));
	return ask_ocra(c, user, tok, now, TFA_EV_OCRA_CHALLENGE, ch, err);
}

TFA_API tfa_rc tfa_challenge_confirm_pending(tfa_ctx *c, const char *user, int64_t now,
					     tfa_challenge *ch, tfa_err *err)
{
	tfa_token *toks = NULL;
	size_t n = 0, i;
	tfa_rc rc;

	memset(ch, 0, sizeof(*ch));
	rc = tfa_store_token_list(c->store, user, &toks, &n, NULL, err);
	for (i = 0; rc == TFA_OK && i < n; i++)
		if (toks[i].state == TFA_STATE_PENDING && toks[i].type == TFA_TOKEN_OCRA)
			break;
	if (rc == TFA_OK && i == n)
		rc = TFA_ENOENT;        /* no pending ocra token: nothing to ask */
	if (rc == TFA_OK)
		rc = ask_ocra(c, user, &toks[i], now, TFA_EV_OCRA_CHALLENGE, ch, err);
	tfa_tokens_free(toks, n);
	return rc;
}

/* Does @code answer question @q for OCRA token @t with key @k? Tries the
 * counters within the look-ahead (C suites, advancing t->counter) and the
 * time steps within the window (T suites). 1 yes, 0 no, -1 crypto error. */
static int ocra_answers(const tfa_ctx *c, tfa_token *t, const tfa_token_key *k, const char *q,
			const char *code, int64_t now)
{
	char want[OCRA_MAX_DIGITS + 1], got[OTP_MAX_CODE + 1];
	otp_ocra_suite s;
	otp_ocra_input in;
	uint64_t cmax = 0, ci;
	int64_t tbase = 0, ts, tw = 0;
	int ok = 0;

	if (otp_ocra_suite_parse(t->suite, &s) != TFA_OK || s.pin || s.s_len > 0 ||
	    s.digits == 0 || s.digits > OTP_MAX_CODE)
		return 0;
	if (otp_code_parse_long(code, s.digits, got) != TFA_OK)
		return 0;
	memset(&in, 0, sizeof(in));
	in.question = q;
	if (s.counter)
		cmax = c->policy.hotp_lookahead;
	if (s.t_step > 0) {
		tbase = now / (int64_t)s.t_step;
		tw = (int64_t)c->policy.window;
	}
	for (ci = 0; ci <= cmax && !ok; ci++) {
		for (ts = tbase - tw; ts <= tbase + tw && !ok; ts++) {
			in.counter = t->counter + ci;
			in.timestep = ts < 0 ? 0 : (uint64_t)ts;
			if (otp_ocra(&s, k->bytes, k->len, &in, want, sizeof(want)) != TFA_OK) {
				ok = -1;
				break;
			}
			ok = otp_code_equal(want, got, s.digits);
		}
		if (ok == 1 && s.counter)
			t->counter += ci + 1;
	}
	tfa_wipe(want, sizeof(want));
	tfa_wipe(got, sizeof(got));
	return ok;
}

TFA_API int tfa_challenge_check(const tfa_ctx *c, tfa_challenge_rec *chal, tfa_token *toks,
				const tfa_token_key *keys, size_t n, tfa_token_state want,
				const char *code, int64_t now, int64_t *token_id, tfa_rc *rc)
{
	char got[OTP_MAX_CODE + 1];
	uint8_t h[TFA_CHALLENGE_HASH_LEN];
	tfa_token *t = NULL;
	const tfa_token_key *k = NULL;
	size_t i;
	int ok = 0;

	*rc = TFA_OK;
	if (chal == NULL || chal->kind == TFA_CH_NONE)
		return 0;
	if (now >= chal->expires || now < chal->created) {
		chal->consumed = 1;   /* expired (or the clock went back): gone */
		return 0;
	}
	for (i = 0; i < n; i++)
		if (toks[i].id == chal->token_id && toks[i].state == want) {
			t = &toks[i];
			k = &keys[i];
		}
	if (t == NULL)
		return 0;
	if (chal->kind == TFA_CH_SMS && t->type == TFA_TOKEN_SMS) {
		if (otp_code_parse_long(code, c->policy.sms_digits, got) == TFA_OK) {
			if (sms_hash(c->store, chal->salt, got, h) != TFA_OK) {
				*rc = TFA_ECRYPTO;
				ok = -1;
			} else {
				ok = CRYPTO_memcmp(h, chal->hash, sizeof(h)) == 0;
			}
		}
	} else if (chal->kind == TFA_CH_OCRA && t->type == TFA_TOKEN_OCRA) {
		ok = ocra_answers(c, t, k, chal->question, code, now);
		if (ok < 0)
			*rc = TFA_ECRYPTO;
	}
	if (ok == 1) {
		chal->consumed = 1;
		*token_id = t->id;
	}
	tfa_wipe(got, sizeof(got));
	tfa_wipe(h, sizeof(h));
	return ok;
}
