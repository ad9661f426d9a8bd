/* SPDX-License-Identifier: BSD-2-Clause */
/* test_store_login.c - what a login leaves in the store (issue 11): one
 * secret per user, rejected attempts that move no token, twins from older
 * stores sharing replay state, clock skew reported but never accepted,
 * must_enroll after a reset, the sms_rate delivery count, keys kept beside
 * the token records (never inside them). */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "auth.h"
#include "admin.h"
#include "crypto.h"
#include "enroll.h"
#include "policy.h"
#include "secret.h"
#include "store.h"
#include "context.h"
#include "uri.h"

#define FX_STORE
#include "fixture.h"

/* an active TOTP token of @user with @secret (20 bytes); its id */
static int64_t add_token(tfa_ctx *c, const char *user, const uint8_t *secret, tfa_rc want)
{
	tfa_token t;
	tfa_token_key k;
	tfa_err err = { "" };

	memset(&t, 0, sizeof(t));
	memset(&k, 0, sizeof(k));
	(void)snprintf(t.user, sizeof(t.user), "%s", user);
	t.type = TFA_TOKEN_TOTP;
	t.state = TFA_STATE_ACTIVE;
	t.alg = OTP_SHA1;
	t.digits = 6;
	t.period = 30;
	t.last_step = -1;
	memcpy(k.bytes, secret, 20);
	k.len = 20;
	assert_int_equal(tfa_store_token_add(c->store, &t, &k, NULL, NULL, &err), want);
	tfa_wipe(&k, sizeof(k));
	if (want == TFA_EEXIST)
		assert_non_null(strstr(err.msg, "already has token"));
	return t.id;
}

static void totp_at(const uint8_t *secret, int64_t t, char *code)
{
	assert_int_equal(otp_hotp(secret, 20, OTP_SHA1, (uint64_t)(t / 30), 6, code), TFA_OK);
}

static int64_t last_step_of(tfa_ctx *c, const char *user, int64_t id)
{
	tfa_token *toks = NULL;
	tfa_err err = { "" };
	size_t n = 0, i;
	int64_t s = -2;

	assert_int_equal(tfa_store_token_list(c->store, user, &toks, &n, NULL, &err), TFA_OK);
	for (i = 0; i < n; i++)
		if (toks[i].id == id)
			s = toks[i].last_step;
	tfa_tokens_free(toks, n);
	return s;
}

static void test_duplicate_secret_refused(void **state)
{
	fx *p = *state;
	tfa_ctx *c = fx_ctx(p);
	tfa_store_import *imp = NULL;
	tfa_err err = { "" };
	tfa_token t;
	tfa_token_key k;
	uint8_t s1[20], s2[20];
	unsigned long users = 0;

	assert_int_equal(tfa_random_bytes(s1, sizeof(s1)), TFA_OK);
	assert_int_equal(tfa_random_bytes(s2, sizeof(s2)), TFA_OK);
	(void)add_token(c, "alice", s1, TFA_OK);
	(void)add_token(c, "alice", s1, TFA_EEXIST);
	(void)add_token(c, "alice", s2, TFA_OK);
	(void)add_token(c, "bob", s1, TFA_OK);      /* per user */
	/* import: against the store and earlier in the same import */
	assert_int_equal(tfa_store_import_begin(c->store, "test", &imp, &err), TFA_OK);
	memset(&t, 0, sizeof(t));
	(void)snprintf(t.user, sizeof(t.user), "alice");
	t.type = TFA_TOKEN_HOTP;
	t.alg = OTP_SHA1;
	t.digits = 6;
	t.last_step = -1;
	memcpy(k.bytes, s2, 20);
	k.len = 20;
	assert_int_equal(tfa_store_import_token(imp, &t, &k, &err), TFA_EEXIST);
	(void)snprintf(t.user, sizeof(t.user), "carol");
	assert_int_equal(tfa_store_import_token(imp, &t, &k, &err), TFA_OK);
	assert_int_equal(tfa_store_import_token(imp, &t, &k, &err), TFA_EEXIST);
	assert_int_equal(tfa_store_import_commit(imp, &users, &err), TFA_OK);
	assert_int_equal(users, 1);
	tfa_wipe(&k, sizeof(k));
	tfa_ctx_close(c);
}

/* A store from before duplicates were refused: seal @secret into token @id
 * of @user by hand. */
static void force_secret(fx *p, const char *user, int64_t id, const uint8_t *secret)
{
	tfa_key key;
	tfa_err err = { "" };
	uint8_t aad[256], *blob = NULL;
	size_t aadlen, bloblen = 0;
	sqlite3 *db;
	sqlite3_stmt *s;

	assert_int_equal(tfa_key_load(p->key, 0, &key, NULL, &err), TFA_OK);
	aadlen = tfa_token_aad(user, id, aad, sizeof(aad));
	assert_int_equal(tfa_seal(&key, aad, aadlen, secret, 20, &blob, &bloblen), TFA_OK);
	assert_int_equal(sqlite3_open(p->db, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "UPDATE tokens SET secret=?1 WHERE id=?2", -1, &s,
					    NULL), SQLITE_OK);
	sqlite3_bind_blob(s, 1, blob, (int)bloblen, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, id);
	assert_int_equal(sqlite3_step(s), SQLITE_DONE);
	sqlite3_finalize(s);
	sqlite3_close(db);
	free(blob);
	tfa_key_wipe(&key);
}

static void test_twins_share_replay_state(void **state)
{
	fx *p = *state;
	tfa_ctx *c = fx_ctx(p);
	tfa_verify_result r;
	tfa_err err = { "" };
	uint8_t s1[20], s2[20];
	char code[9];
	int64_t now = 1800000015, a, b;

	assert_int_equal(tfa_random_bytes(s1, sizeof(s1)), TFA_OK);
	assert_int_equal(tfa_random_bytes(s2, sizeof(s2)), TFA_OK);
	a = add_token(c, "dora", s1, TFA_OK);
	b = add_token(c, "dora", s2, TFA_OK);
	tfa_ctx_close(c);
	force_secret(p, "dora", b, s1);
	c = fx_ctx(p);
	totp_at(s1, now, code);
	assert_int_equal(tfa_verify(c, "dora", code, now, &r, &err), TFA_OK);
	assert_int_equal(r.token_id, a);
	/* the twin does not accept the used code again */
	assert_int_equal(tfa_verify(c, "dora", code, now, &r, &err), TFA_REPLAYED);
	assert_int_equal(last_step_of(c, "dora", b), -1);
	/* a rejected attempt moves no token: a wrong code, then the next step */
	assert_int_equal(tfa_verify(c, "dora", "000000", now + 30, &r, &err), TFA_REJECTED);
	assert_int_equal(last_step_of(c, "dora", a), now / 30);
	assert_int_equal(last_step_of(c, "dora", b), -1);
	totp_at(s1, now + 30, code);
	assert_int_equal(tfa_verify(c, "dora", code, now + 30, &r, &err), TFA_OK);
	tfa_ctx_close(c);
}

static void test_clock_skew(void **state)
{
	fx *p = *state;
	tfa_ctx *c = fx_ctx(p);
	tfa_verify_result r;
	tfa_err err = { "" };
	uint8_t s1[20];
	char code[9];
	int64_t now = 1800000015, a;

	assert_int_equal(tfa_random_bytes(s1, sizeof(s1)), TFA_OK);
	a = add_token(c, "erin", s1, TFA_OK);
	/* the device 2 minutes ahead: 4 steps, outside the window of 1 */
	totp_at(s1, now + 120, code);
	assert_int_equal(tfa_verify(c, "erin", code, now, &r, &err), TFA_REJECTED);
	assert_true(r.skew);
	assert_int_equal(r.skew_token, a);
	assert_int_equal(r.skew_seconds, 120);
	assert_int_equal(r.failures, 1);
	assert_int_equal(last_step_of(c, "erin", a), -1);
	/* 90 s behind */
	totp_at(s1, now - 90, code);
	assert_int_equal(tfa_verify(c, "erin", code, now, &r, &err), TFA_REJECTED);
	assert_true(r.skew);
	assert_int_equal(r.skew_seconds, -90);
	/* the last step searched: window 1 + 10 steps; beyond it, nothing */
	totp_at(s1, now + 11 * 30, code);
	assert_int_equal(tfa_verify(c, "erin", code, now, &r, &err), TFA_REJECTED);
	assert_true(r.skew);
	totp_at(s1, now + 12 * 30, code);
	assert_int_equal(tfa_verify(c, "erin", code, now, &r, &err), TFA_REJECTED);
	assert_false(r.skew);
	/* within the window: accepted, no skew */
	totp_at(s1, now + 30, code);
	assert_int_equal(tfa_verify(c, "erin", code, now, &r, &err), TFA_OK);
	assert_false(r.skew);
	/* an older code than the one used is not reported as skew */
	totp_at(s1, now - 120, code);
	assert_int_equal(tfa_verify(c, "erin", code, now, &r, &err), TFA_REJECTED);
	assert_false(r.skew);
	tfa_ctx_close(c);
}

static void test_must_enroll(void **state)
{
	fx *p = *state;
	tfa_ctx *c = fx_ctx(p);
	tfa_user_status s;
	tfa_enroll_opts o;
	tfa_err err = { "" };
	tfa_uri u;
	uint8_t s1[20];
	char *uri = NULL, code[9];
	unsigned revoked = 0;
	int64_t now = 1800000015;

	c->policy.enabled = 1;
	assert_int_equal(tfa_random_bytes(s1, sizeof(s1)), TFA_OK);
	(void)add_token(c, "fay", s1, TFA_OK);
	/* opted in (not required by policy): a reset makes her required */
	assert_int_equal(tfa_status(c, "fay", now, &s, &err), TFA_OK);
	assert_int_equal(s.required, 0);
	assert_int_equal(tfa_user_reset(c, "fay", &revoked, NULL, &err), TFA_OK);
	assert_int_equal(tfa_status(c, "fay", now, &s, &err), TFA_OK);
	assert_true(s.user.must_enroll);
	assert_int_equal(s.required, 1);
	assert_int_equal(s.rule, TFA_RULE_MUST_ENROLL);
	assert_int_equal(s.active, 0);
	/* enable keeps it; a pending token does not clear it; confirming does */
	assert_int_equal(tfa_user_set_required(c, "fay", TFA_REQ_ON, &err), TFA_OK);
	tfa_enroll_opts_init(&o);
	assert_int_equal(tfa_enroll(c, "fay", &o, NULL, &uri, NULL, &err), TFA_OK);
	assert_int_equal(tfa_status(c, "fay", now, &s, &err), TFA_OK);
	assert_true(s.user.must_enroll);
	memset(&u, 0, sizeof(u));
	assert_int_equal(tfa_uri_parse(uri, &u), TFA_OK);
	tfa_free_secret(uri);
	assert_int_equal(otp_hotp(u.secret, u.secret_len, OTP_SHA1, (uint64_t)(now / 30), 6, code),
			 TFA_OK);
	tfa_uri_clear(&u);
	assert_int_equal(tfa_confirm(c, "fay", code, now, NULL, &err), TFA_OK);
	assert_int_equal(tfa_status(c, "fay", now, &s, &err), TFA_OK);
	assert_false(s.user.must_enroll);
	/* default and disable clear it; an --activate enrolment too */
	assert_int_equal(tfa_user_reset(c, "fay", &revoked, NULL, &err), TFA_OK);
	assert_int_equal(tfa_user_set_required(c, "fay", TFA_REQ_DEFAULT, &err), TFA_OK);
	assert_int_equal(tfa_status(c, "fay", now, &s, &err), TFA_OK);
	assert_false(s.user.must_enroll);
	assert_int_equal(s.required, 0);
	(void)add_token(c, "fay", s1, TFA_OK);
	assert_int_equal(tfa_user_reset(c, "fay", &revoked, NULL, &err), TFA_OK);
	assert_int_equal(tfa_user_set_required(c, "fay", TFA_REQ_OFF, &err), TFA_OK);
	assert_int_equal(tfa_status(c, "fay", now, &s, &err), TFA_OK);
	assert_false(s.user.must_enroll);
	assert_int_equal(tfa_user_set_required(c, "fay", TFA_REQ_DEFAULT, &err), TFA_OK);
	(void)add_token(c, "fay", s1, TFA_OK);
	assert_int_equal(tfa_user_reset(c, "fay", &revoked, NULL, &err), TFA_OK);
	(void)add_token(c, "fay", s1, TFA_OK);
	assert_int_equal(tfa_status(c, "fay", now, &s, &err), TFA_OK);
	assert_false(s.user.must_enroll);
	/* with enabled=no it does not make anyone required */
	assert_int_equal(tfa_user_reset(c, "fay", &revoked, NULL, &err), TFA_OK);
	c->policy.enabled = 0;
	assert_int_equal(tfa_status(c, "fay", now, &s, &err), TFA_OK);
	assert_int_equal(s.required, 0);
	tfa_ctx_close(c);
}

static void test_sms_rate(void **state)
{
	fx *p = *state;
	tfa_ctx *c = fx_ctx(p);
	tfa_audit_rec lim;
	tfa_err err = { "" };
	char *n = NULL;
	int64_t now = 1800000000, retry = 0;
	int allowed = 0, i;

	assert_int_equal(c->policy.sms_rate_count, 5);
	assert_int_equal(c->policy.sms_rate_seconds, 600);
	assert_int_equal(tfa_policy_normalize("sms_rate", "3/60", &n, &err), TFA_OK);
	assert_string_equal(n, "3/60");
	free(n);
	assert_int_equal(tfa_policy_normalize("sms_rate", "03/060", &n, &err), TFA_OK);
	assert_string_equal(n, "3/60");
	free(n);
	assert_int_equal(tfa_policy_normalize("sms_rate", "0/60", &n, &err), TFA_EINVAL);
	assert_int_equal(tfa_policy_normalize("sms_rate", "5", &n, &err), TFA_EINVAL);
	assert_int_equal(tfa_policy_normalize("sms_rate", "5/0", &n, &err), TFA_EINVAL);
	assert_int_equal(tfa_policy_normalize("sms_rate", "5/86401", &n, &err), TFA_EINVAL);
	assert_int_equal(tfa_policy_normalize("sms_rate", "/60", &n, &err), TFA_EINVAL);
	assert_int_equal(tfa_policy_normalize("sms_rate", "5/60/1", &n, &err), TFA_EINVAL);
	memset(&lim, 0, sizeof(lim));
	(void)snprintf(lim.event, sizeof(lim.event), "sms_rate_limited");
	for (i = 0; i < 5; i++) {
		assert_int_equal(tfa_store_delivery_reserve(c->store, "gus", now + i * 10, 5, 600,
							    &lim, &allowed, &retry, &err), TFA_OK);
		assert_true(allowed);
	}
	assert_int_equal(tfa_store_delivery_reserve(c->store, "gus", now + 100, 5, 600, &lim,
						    &allowed, &retry, &err), TFA_OK);
	assert_false(allowed);
	assert_int_equal(retry, 500);
	/* another user is not limited; after the window, gus is again */
	assert_int_equal(tfa_store_delivery_reserve(c->store, "hal", now + 100, 5, 600, &lim,
						    &allowed, &retry, &err), TFA_OK);
	assert_true(allowed);
	assert_int_equal(tfa_store_delivery_reserve(c->store, "gus", now + 601, 5, 600, &lim,
						    &allowed, &retry, &err), TFA_OK);
	assert_true(allowed);
	tfa_ctx_close(c);
}

/* Keys travel beside the records, only where asked for: a listing without
 * keys reads none, one with keys gives them in step with the records, and
 * an import holds the key of the line it parsed for one tfa_import_token
 * only (then wiped: a second call has no key to seal). */
static void test_keys_beside_records(void **state)
{
	fx *p = *state;
	tfa_ctx *c = fx_ctx(p);
	tfa_import *imp = NULL;
	tfa_token *toks = NULL, t;
	tfa_token_key *keys = NULL;
	tfa_err err = { "" };
	uint8_t s1[20];
	char why[128];
	size_t n = 0;
	int64_t id;

	assert_int_equal(tfa_random_bytes(s1, sizeof(s1)), TFA_OK);
	id = add_token(c, "kim", s1, TFA_OK);
	assert_int_equal(tfa_store_token_list(c->store, "kim", &toks, &n, NULL, &err), TFA_OK);
	assert_int_equal(n, 1);
	assert_int_equal(toks[0].id, id);
	tfa_tokens_free(toks, n);
	assert_int_equal(tfa_store_token_list(c->store, "kim", &toks, &n, &keys, &err), TFA_OK);
	assert_int_equal(n, 1);
	assert_non_null(keys);
	assert_int_equal(toks[0].id, id);
	assert_int_equal(keys[0].len, sizeof(s1));
	assert_memory_equal(keys[0].bytes, s1, sizeof(s1));
	tfa_tokens_free(toks, n);
	tfa_token_keys_free(keys, n);
	tfa_wipe(s1, sizeof(s1));

	assert_int_equal(tfa_import_begin(c, "oath", &imp, &err), TFA_OK);
	memset(&t, 0, sizeof(t));
	(void)snprintf(t.user, sizeof(t.user), "kim");
	assert_int_equal(tfa_import_token(imp, &t, &err), TFA_EINVAL);   /* nothing parsed */
	assert_int_equal(tfa_import_oath(imp, "HOTP lee - 3132333435363738393031323334353637383930",
					 &t, why, sizeof(why)), 1);
	assert_string_equal(t.user, "lee");
	assert_int_equal(tfa_import_token(imp, &t, &err), TFA_OK);
	assert_int_equal(tfa_import_token(imp, &t, &err), TFA_EINVAL);   /* key used up */
	assert_int_equal(tfa_import_oath(imp, "HOTP lee - zz", &t, why, sizeof(why)), -1);
	assert_int_equal(tfa_import_token(imp, &t, &err), TFA_EINVAL);   /* a bad line: no key */
	assert_int_equal(tfa_import_commit(imp, NULL, &err), TFA_OK);
	assert_int_equal(tfa_store_token_list(c->store, "lee", &toks, &n, &keys, &err), TFA_OK);
	assert_int_equal(n, 1);
	assert_int_equal(keys[0].len, 20);
	assert_memory_equal(keys[0].bytes, "12345678901234567890", 20);
	tfa_tokens_free(toks, n);
	tfa_token_keys_free(keys, n);
	tfa_ctx_close(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FX_TEST(test_duplicate_secret_refused),
		FX_TEST(test_twins_share_replay_state),
		FX_TEST(test_clock_skew),
		FX_TEST(test_must_enroll),
		FX_TEST(test_sms_rate),
		FX_TEST(test_keys_beside_records),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
