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
#include "challenge.h"
#include "recovery.h"
#include "secret.h"

TFA_API tfa_rc tfa_ctx_open(const char *store, const char *keyfile, unsigned flags,
			    const char *source, tfa_ctx **out, tfa_err *err)
{
	return tfa_ctx_open_ex(store, keyfile, flags, source, out, NULL, err);
}

TFA_API tfa_rc tfa_ctx_open_ex(const char *store, const char *keyfile, unsigned flags,
			       const char *source, tfa_ctx **out, int *absent, tfa_err *err)
{
	tfa_ctx *c;
	tfa_rc rc;

	*out = NULL;
	if (absent != NULL)
		*absent = 0;
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return tfa_err_set(err, TFA_ENOMEM, "out of memory");
	(void)snprintf(c->source, sizeof(c->source), "%s", source != NULL ? source : "");
	rc = tfa_store_open_ex(store, keyfile, flags, &c->store, absent, err);
	if (rc != TFA_OK)
		goto out;
	rc = tfa_policy_load(c->store, &c->policy, err);
	if (rc != TFA_OK)
		goto out;
	*out = c;
	c = NULL;
out:
	tfa_ctx_close(c);
	return rc;
}

TFA_API void tfa_ctx_close(tfa_ctx *c)
{
	if (c == NULL)
		return;
	tfa_store_close(c->store);
	tfa_policy_free(&c->policy);
	free(c);
}

TFA_API tfa_rc tfa_status(tfa_ctx *c, const char *user, int64_t now, tfa_user_status *s,
			  tfa_err *err)
{
	tfa_token *toks = NULL;
	tfa_err lookup = { .msg = "" };
	size_t n = 0, i;
	tfa_rc rc, req;

	memset(s, 0, sizeof(*s));
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
	rc = tfa_store_token_list(c->store, user, 0, &toks, &n, err);
	if (rc != TFA_OK)
		return rc;
	for (i = 0; i < n; i++) {
		if (toks[i].state == TFA_STATE_ACTIVE)
			s->active++;
		else if (toks[i].state == TFA_STATE_PENDING)
			s->pending++;
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

typedef struct {
	const tfa_ctx *c;
	const char *code;
	int64_t now;
	tfa_token_state want;     /* ACTIVE for login, PENDING for confirm */
	tfa_verify_result *res;
	const tfa_token *toks;    /* all of the user's tokens, for twins() */
	size_t n;
} check_ctx;

typedef enum { M_NONE, M_MATCH, M_REPLAY } match;

/* 1 if @u is another token of the same kind with the same secret as @t:
 * such twins (a store from before duplicates were refused) share replay
 * state, so that a code used through one is not accepted through the
 * other. */
static int twins(const tfa_token *t, const tfa_token *u)
{
	return u != t && u->type == t->type && u->alg == t->alg && u->digits == t->digits &&
	       u->period == t->period && u->secret_len == t->secret_len && t->secret_len > 0 &&
	       CRYPTO_memcmp(u->secret, t->secret, t->secret_len) == 0;
}

/* The last TOTP step used through @t or a twin. */
static int64_t last_step_used(const check_ctx *x, const tfa_token *t)
{
	int64_t last = t->last_step;
	size_t i;

	for (i = 0; i < x->n; i++)
		if (twins(t, &x->toks[i]) && x->toks[i].last_step > last)
			last = x->toks[i].last_step;
	return last;
}

/* The lowest HOTP counter not yet used through @t or a twin. */
static uint64_t next_counter(const check_ctx *x, const tfa_token *t)
{
	uint64_t next = t->counter;
	size_t i;

	for (i = 0; i < x->n; i++)
		if (twins(t, &x->toks[i]) && x->toks[i].counter > next)
			next = x->toks[i].counter;
	return next;
}

/* No step within the window matched: does one up to TFA_SKEW_STEPS beyond
 * it (either side) match, newer than the last used one? Then remember the
 * device's clock offset for the log and audit - the code is still wrong,
 * and nothing of the token changes. */
static void find_skew(const check_ctx *x, const tfa_token *t, const char *code, int64_t base,
		      int64_t last, tfa_rc *rc)
{
	char want[OTP_MAX_DIGITS + 1];
	int64_t w = (int64_t)x->c->policy.window, d, s, now_step;
	int side;

	for (d = 1; d <= TFA_SKEW_STEPS && *rc == TFA_OK && !x->res->skew; d++) {
		for (side = -1; side <= 1; side += 2) {
			s = side < 0 ? base - w - d : base + w + d;
			if (s < 0 || s <= last)
				continue;
			*rc = otp_hotp(t->secret, t->secret_len, t->alg, (uint64_t)s, t->digits, want);
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

static match check_totp(const check_ctx *x, tfa_token *t, const char *code, tfa_rc *rc)
{
	char want[OTP_MAX_DIGITS + 1];
	int64_t base = otp_totp_step(x->now, t->period), s;
	int64_t w = (int64_t)x->c->policy.window, last = last_step_used(x, t);
	match m = M_NONE;

	if (base < 0)
		return M_NONE;
	base += t->drift;
	for (s = base - w; s <= base + w; s++) {
		if (s < 0)
			continue;
		*rc = otp_hotp(t->secret, t->secret_len, t->alg, (uint64_t)s, t->digits, want);
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
		find_skew(x, t, code, base, last, rc);
	return m;
}

static match check_hotp(const check_ctx *x, tfa_token *t, const char *code, tfa_rc *rc)
{
	char want[OTP_MAX_DIGITS + 1];
	uint64_t look = x->c->policy.hotp_lookahead, c, first, next = next_counter(x, t);
	match m = M_NONE;

	/* counters just below the expected one only tell a replay apart */
	first = t->counter > look ? t->counter - look : 0;
	for (c = first; c <= t->counter + look; c++) {
		*rc = otp_hotp(t->secret, t->secret_len, t->alg, c, t->digits, want);
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

static void set_audit(tfa_audit_rec *a, const char *event, const char *source,
		      const char *what)
{
	(void)snprintf(a->event, sizeof(a->event), "%s", event);
	(void)snprintf(a->detail, sizeof(a->detail), "%s%s%s", source,
		       *source != '\0' && *what != '\0' ? " " : "", what);
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
		tfa_store_pepper(x->c->store, pepper);
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

static tfa_rc check_cb(tfa_txn_args *a, void *ctx)
{
	check_ctx *x = ctx;
	const tfa_policy *p = &x->c->policy;
	tfa_user *u = a->user;
	tfa_token *toks = a->toks;
	tfa_audit_rec *audit = a->audit;
	size_t n = a->n;
	char code[OTP_MAX_DIGITS + 1], what[160], skew[64];
	size_t i, candidates = 0;
	match m = M_NONE, best = M_NONE;
	tfa_rc rc = TFA_OK;
	int rec = 0;

	skew[0] = '\0';
	x->toks = toks;
	x->n = n;
	if (x->want != TFA_STATE_ACTIVE)
		a->nrec = 0;    /* confirming a token: recovery codes do not count */
	for (i = 0; i < n; i++)
		if (toks[i].state == x->want)
			candidates++;
	if (candidates == 0 && a->nrec == 0)
		return TFA_ENOENT;
	if (u->locked_until > x->now) {
		/* no evaluation of the code while locked: no oracle */
		x->res->locked_until = u->locked_until;
		set_audit(audit, TFA_EV_LOCKED, x->c->source, "");
		return TFA_LOCKED;
	}
	for (i = 0; i < n && best != M_MATCH; i++) {
		tfa_token *t = &toks[i];

		if (t->state != x->want)
			continue;
		if (otp_code_parse(x->code, t->digits, code) != TFA_OK)
			continue;       /* malformed for this token: a wrong code */
		if (t->type == TFA_TOKEN_TOTP)
			m = check_totp(x, t, code, &rc);
		else if (t->type == TFA_TOKEN_HOTP)
			m = check_hotp(x, t, code, &rc);
		else
			m = M_NONE;
		if (rc != TFA_OK)
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
	if (rc != TFA_OK)
		return rc;
	/* a code sent to the phone, or the response to an OCRA question */
	if (best != M_MATCH && a->chal != NULL) {
		int64_t id = 0;
		int ok = tfa_challenge_check(x->c, a->chal, toks, n, x->want, x->code, x->now,
					     &id, &rc);

		if (ok < 0)
			return rc;
		if (ok == 1) {
			for (i = 0; i < n; i++) {
				if (toks[i].id != id)
					continue;
				toks[i].last_used = x->now;
				if (toks[i].state == TFA_STATE_PENDING)
					toks[i].state = TFA_STATE_ACTIVE;
			}
			x->res->token_id = id;
			best = M_MATCH;
		}
	}
	if (best != M_MATCH && a->nrec > 0) {
		rec = check_recovery(x, a, x->code, &rc);
		if (rec < 0)
			return rc;
	}
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
			set_audit(audit, TFA_EV_RECOVERY_USED, x->c->source, what);
			return TFA_OK;
		}
		(void)snprintf(what, sizeof(what), "token=%lld", (long long)x->res->token_id);
		set_audit(audit, x->want == TFA_STATE_PENDING ? TFA_EV_CONFIRM : TFA_EV_LOGIN_OK,
			  x->c->source, what);
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
		set_audit(audit, TFA_EV_LOCKOUT, x->c->source, what);
	} else if (x->res->skew) {
		(void)snprintf(what, sizeof(what), "%s, outside the window; code refused;"
			       " failure %u of %u", skew, u->failures, p->max_failures);
		set_audit(audit, TFA_EV_CLOCK_SKEW, x->c->source, what);
	} else {
		(void)snprintf(what, sizeof(what), "failure %u of %u", u->failures, p->max_failures);
		set_audit(audit, best == M_REPLAY ? TFA_EV_REPLAY : TFA_EV_LOGIN_FAIL,
			  x->c->source, what);
	}
	x->res->failures = u->failures;
	return best == M_REPLAY ? TFA_REPLAYED : TFA_REJECTED;
}

static tfa_rc check(tfa_ctx *c, const char *user, const char *code, int64_t now,
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
	x.c = c;
	x.code = code;
	x.now = now;
	x.want = want;
	x.res = res;
	x.toks = NULL;
	x.n = 0;
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
	return check(c, user, code, now, TFA_STATE_ACTIVE, res, err);
}

TFA_API tfa_rc tfa_confirm(tfa_ctx *c, const char *user, const char *code, int64_t now,
			   tfa_verify_result *res, tfa_err *err)
{
	return check(c, user, code, now, TFA_STATE_PENDING, res, err);
}
