/* SPDX-License-Identifier: BSD-2-Clause */
/* auth.c - the second-factor check that every front end runs: lockout,
 * code against each token within the window, replay refusal, failure
 * counting, all inside one store transaction. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "audit.h"
#include "auth.h"
#include "match.h"
#include "context.h"
#include "challenge.h"
#include "recovery.h"
#include "secret.h"

TFA_API tfa_rc tfa_status(tfa_ctx *c, const char *user, int64_t now, tfa_user_status *s,
			  tfa_err *err)
{
	tfa_token *toks = NULL;
	tfa_err lookup = { .msg = "" };
	size_t n = 0, i;
	tfa_rc rc, req;

	memset(s, 0, sizeof(*s));
	rc = tfa_ctx_refresh(c, err);
	if (rc != TFA_OK)
		return rc;
	rc = tfa_store_user_get(c->store, user, &s->user, err);
	if (rc != TFA_OK && rc != TFA_ENOENT)
		return rc;
	s->known = rc == TFA_OK;
	req = tfa_policy_required(&c->policy, &s->user, &s->required, &s->rule, s->group,
				  sizeof(s->group), &lookup);
	if (req != TFA_OK && req != TFA_ELOOKUP)
		return tfa_err_set(err, req, "%s", lookup.msg);
	s->lookup_failed = req == TFA_ELOOKUP;
	/* reset by an admin: enrol again, also a user who had opted in */
	if (s->user.must_enroll && c->policy.enabled && s->user.required != TFA_REQ_OFF) {
		s->must_enroll = 1;
		if (!s->required) {
			s->required = 1;
			s->rule = TFA_RULE_MUST_ENROLL;
		}
	}
	rc = tfa_store_token_list(c->store, user, &toks, &n, NULL, err);
	if (rc != TFA_OK)
		return rc;
	for (i = 0; i < n; i++) {
		if (toks[i].state == TFA_STATE_ACTIVE)
			s->active++;
		else if (toks[i].state == TFA_STATE_PENDING)
			s->pending++;
		if (toks[i].state == TFA_STATE_PENDING && toks[i].type == TFA_TOKEN_OCRA)
			s->pending_ocra++;
	}
	tfa_tokens_free(toks, n);
	rc = tfa_store_recovery_count(c->store, user, &s->recovery, err);
	if (rc != TFA_OK)
		return rc;
	s->locked = s->user.locked_until > now;
	if (s->lookup_failed)
		return tfa_err_set(err, TFA_ELOOKUP, "%s", lookup.msg);
	return TFA_OK;
}

static void lock_user(const tfa_policy *p, tfa_user *u, int64_t now)
{
	uint64_t dur = p->lockout_seconds;
	unsigned i;

	for (i = 0; i < u->lockouts && dur < TFA_LOCKOUT_CAP; i++)
		dur *= 2;
	if (dur > TFA_LOCKOUT_CAP)
		dur = TFA_LOCKOUT_CAP;
	u->lockouts++;
	u->failures = 0;
	u->locked_until = now + (int64_t)dur;
}

/* The lengths a password+code field is split at, longest first: the
 * digits of the tokens in x->want state, 8 for recovery codes, and any
 * length a pending challenge's answer may have. */
static size_t split_lengths(const check_ctx *x, const tfa_txn_args *a, unsigned *lens)
{
	unsigned d, want[OTP_MAX_DIGITS + 8] = { 0 };
	size_t i, k = 0;

	for (i = 0; i < a->n; i++)
		if (a->toks[i].state == x->want && a->toks[i].digits <= OTP_MAX_DIGITS)
			want[a->toks[i].digits] = 1;
	if (a->nrec > 0)
		want[TFA_RECOVERY_DIGITS] = 1;
	if (a->chal != NULL) {
		for (d = OTP_MIN_DIGITS; d <= OTP_MAX_DIGITS; d++)
			want[d] = 1;
		if (x->c->policy.sms_digits < sizeof(want) / sizeof(want[0]))
			want[x->c->policy.sms_digits] = 1;
	}
	for (d = sizeof(want) / sizeof(want[0]) - 1; d > 0; d--)
		if (want[d])
			lens[k++] = d;
	return k;
}

/* The outcome, once: success clears the failures; a failure counts once
 * (also when a split field was tried at several lengths) and may lock the
 * user out; the audit row says which. */
static tfa_rc settle(check_ctx *x, tfa_txn_args *a, match best, int rec)
{
	const tfa_policy *p = &x->c->policy;
	tfa_user *u = a->user;
	tfa_audit_rec *audit = a->audit;
	char what[160], skew[64];

	skew[0] = '\0';
	/* a code of a step just outside the window (clock skew) is reported
	 * only when nothing else took the code; it is never accepted */
	if (best != M_NONE || rec == 1)
		x->res->skew = 0;
	if (best == M_MATCH || rec == 1) {
		u->failures = 0;
		u->lockouts = 0;
		u->locked_until = 0;
		u->last_login = x->now;
		if (rec == 1) {
			(void)snprintf(what, sizeof(what), "recovery code; %u left",
				       x->res->recovery_left);
			tfa_audit_rec_set(audit, TFA_EV_RECOVERY_USED, x->c->source, what);
			return TFA_OK;
		}
		(void)snprintf(what, sizeof(what), "token=%lld", (long long)x->res->token_id);
		tfa_audit_rec_set(audit, x->want == TFA_STATE_PENDING ? TFA_EV_CONFIRM :
				  TFA_EV_LOGIN_OK, x->c->source, what);
		return TFA_OK;
	}
	if (x->res->skew)
		(void)snprintf(skew, sizeof(skew), "token=%lld offset=%+llds",
			       (long long)x->res->skew_token, (long long)x->res->skew_seconds);
	u->failures++;
	if (u->failures >= p->max_failures) {
		lock_user(p, u, x->now);
		x->res->locked_now = 1;
		x->res->locked_until = u->locked_until;
		(void)snprintf(what, sizeof(what), "%s%s%s%s; locked for %lld s",
			       best == M_REPLAY ? "replayed code" : "wrong code",
			       x->res->skew ? " (clock skew " : "", x->res->skew ? skew : "",
			       x->res->skew ? ")" : "", (long long)(u->locked_until - x->now));
		tfa_audit_rec_set(audit, TFA_EV_LOCKOUT, x->c->source, what);
	} else if (x->res->skew) {
		(void)snprintf(what, sizeof(what), "%s, outside the window; code refused;"
			       " failure %u of %u", skew, u->failures, p->max_failures);
		tfa_audit_rec_set(audit, TFA_EV_CLOCK_SKEW, x->c->source, what);
	} else {
		(void)snprintf(what, sizeof(what), "failure %u of %u", u->failures, p->max_failures);
		tfa_audit_rec_set(audit, best == M_REPLAY ? TFA_EV_REPLAY : TFA_EV_LOGIN_FAIL,
				  x->c->source, what);
	}
	x->res->failures = u->failures;
	return best == M_REPLAY ? TFA_REPLAYED : TFA_REJECTED;
}

static tfa_rc check_cb(tfa_txn_args *a, void *ctx)
{
	check_ctx *x = ctx;
	unsigned lens[OTP_MAX_DIGITS + 8];
	size_t i, nlens, candidates = 0, flen;
	match m, best = M_NONE;
	tfa_rc rc = TFA_OK;
	int rec = 0;

	x->toks = a->toks;
	x->keys = a->keys;
	x->n = a->n;
	if (x->want != TFA_STATE_ACTIVE)
		a->nrec = 0;    /* confirming a token: recovery codes do not count */
	for (i = 0; i < a->n; i++)
		if (a->toks[i].state == x->want)
			candidates++;
	if (candidates == 0 && a->nrec == 0)
		return TFA_ENOENT;
	if (a->user->locked_until > x->now) {
		/* no evaluation of the code while locked: no oracle */
		x->res->locked_until = a->user->locked_until;
		tfa_audit_rec_set(a->audit, TFA_EV_LOCKED, x->c->source, "");
		return TFA_LOCKED;
	}
	if (!x->split) {
		best = tfa_match_field(x, a, x->code, 0, &rec, &rc);
	} else {
		/* password+code: each length the code may have, longest first,
		 * in this one transaction - one failure for the whole field */
		flen = strlen(x->code);
		nlens = split_lengths(x, a, lens);
		x->res->code_offset = flen;
		for (i = 0; i < nlens && best != M_MATCH && rec != 1 && rc == TFA_OK; i++) {
			m = tfa_match_field(x, a, x->code, lens[i], &rec, &rc);
			if (m > best)
				best = m;
			if (m == M_MATCH || rec == 1)
				x->res->code_offset = flen > lens[i] ? flen - lens[i] : 0;
		}
		/* a wrong field: the password is taken as all but the longest code */
		if (best != M_MATCH && rec != 1)
			x->res->code_offset = nlens > 0 && flen > lens[0] ? flen - lens[0] : 0;
	}
	if (rc != TFA_OK)
		return rc;
	return settle(x, a, best, rec);
}

static tfa_rc check(tfa_ctx *c, const char *user, const char *code, int split, int64_t now,
		    tfa_token_state want, tfa_verify_result *res, tfa_err *err)
{
	tfa_verify_result local;
	check_ctx x;
	tfa_rc rc;

	if (res == NULL)
		res = &local;
	memset(res, 0, sizeof(*res));
	if (!tfa_user_valid(user))
		return tfa_err_set(err, TFA_EINVAL, "invalid user name");
	if (code == NULL)
		code = "";
	rc = tfa_ctx_refresh(c, err);
	if (rc != TFA_OK)
		return rc;
	x.c = c;
	x.code = code;
	x.now = now;
	x.want = want;
	x.res = res;
	x.toks = NULL;
	x.keys = NULL;
	x.n = 0;
	x.split = split;
	rc = tfa_store_user_txn_ex(c->store, user, check_cb, &x, err);
	if (rc == TFA_ENOENT)
		tfa_err_set(err, rc, "user %s has no %s", tfa_user_esc(user).s,
			    want == TFA_STATE_PENDING ? "pending token" :
			    "active token and no recovery code");
	return rc;
}

TFA_API tfa_rc tfa_verify(tfa_ctx *c, const char *user, const char *code, int64_t now,
			  tfa_verify_result *res, tfa_err *err)
{
	return check(c, user, code, 0, now, TFA_STATE_ACTIVE, res, err);
}

TFA_API tfa_rc tfa_confirm(tfa_ctx *c, const char *user, const char *code, int64_t now,
			   tfa_verify_result *res, tfa_err *err)
{
	return check(c, user, code, 0, now, TFA_STATE_PENDING, res, err);
}

TFA_API tfa_rc tfa_verify_field(tfa_ctx *c, const char *user, const char *field, int split,
				int64_t now, tfa_verify_result *res, tfa_err *err)
{
	return check(c, user, field, split, now, TFA_STATE_ACTIVE, res, err);
}
