/* SPDX-License-Identifier: BSD-2-Clause */
/* test_login.c - tfa_login_begin / tfa_login_challenge (login.h): the step
 * every front end (PAM, RADIUS) is given for a user, the words it shows and
 * the audit rows the library writes for it. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "frontend.h"

#define FX_STORE
#include "fixture.h"

#define NOW 1700000000

/* the policy takes effect in a context opened after it is set */
static tfa_ctx *with_policy(const fx *p, const char *key, const char *value)
{
	tfa_ctx *c = fx_ctx(p);
	tfa_err err = { "" };

	assert_int_equal(tfa_policy_set(c, key, value, &err), TFA_OK);
	tfa_ctx_close(c);
	return fx_ctx(p);
}

struct count { const char *event; unsigned n; };

static int count_event(const tfa_audit_rec *r, void *arg)
{
	struct count *k = arg;

	if (strcmp(r->event, k->event) == 0)
		k->n++;
	return 0;
}

static unsigned audited(tfa_ctx *c, const char *user, const char *event)
{
	struct count k = { event, 0 };
	tfa_err err = { "" };

	assert_int_equal(tfa_audit_each(c, user, 0, count_event, &k, &err), TFA_OK);
	return k.n;
}

/* one unused recovery code for @user: a second factor without a token */
static void give_recovery(tfa_ctx *c, const char *user)
{
	const char *codes[] = { "12345678" };
	tfa_err err = { "" };

	assert_int_equal(tfa_recovery_add(c, user, codes, 1, &err), TFA_OK);
}

static void test_enabled_no_skips(void **state)
{
	tfa_ctx *c = with_policy(*state, "enabled", "no");
	tfa_login_step s;
	tfa_err err = { "" };

	assert_int_equal(tfa_login_begin(c, "alice", NOW, &s, &err), TFA_OK);
	assert_int_equal(s.kind, TFA_STEP_SKIP);
	assert_non_null(strstr(s.why, "enabled=no"));
	tfa_ctx_close(c);
}

static void test_not_required_skips_and_audits(void **state)
{
	tfa_ctx *c = with_policy(*state, "enabled", "yes");
	tfa_login_step s;
	tfa_err err = { "" };

	assert_int_equal(tfa_login_begin(c, "bob", NOW, &s, &err), TFA_OK);
	assert_int_equal(s.kind, TFA_STEP_SKIP);
	assert_int_equal(s.st.required, 0);
	assert_int_equal(audited(c, "bob", TFA_EV_LOGIN_SKIP), 1);
	assert_int_equal(s.info[0], '\0');
	tfa_ctx_close(c);
}

static void test_required_without_token_enrols(void **state)
{
	fx *p = *state;
	tfa_ctx *c = with_policy(p, "enabled", "yes");
	tfa_login_step s;
	tfa_err err = { "" };

	tfa_ctx_close(c);
	c = with_policy(p, "default_required", "yes");
	assert_int_equal(tfa_login_begin(c, "carol", NOW, &s, &err), TFA_OK);
	assert_int_equal(s.kind, TFA_STEP_ENROL);
	assert_int_equal(s.enrol_ocra, 0);
	assert_non_null(strstr(s.error, "no authenticator is registered"));
	/* enroll_at_login decides whether a login may enrol */
	tfa_ctx_close(c);
	c = with_policy(p, "enroll_at_login", "no");
	assert_int_equal(tfa_login_begin(c, "carol", NOW, &s, &err), TFA_OK);
	assert_int_equal(s.kind, TFA_STEP_ENROL);
	assert_int_equal(s.enrol_allowed, 0);
	tfa_ctx_close(c);
	c = with_policy(p, "enroll_at_login", "yes");
	assert_int_equal(tfa_login_begin(c, "carol", NOW, &s, &err), TFA_OK);
	assert_int_equal(s.enrol_allowed, 1);
	/* nothing to challenge in an enrol step */
	assert_int_equal(tfa_login_challenge(c, "carol", NOW, &s, &err), TFA_EINVAL);
	tfa_ctx_close(c);
}

static void test_recovery_code_is_a_code_step(void **state)
{
	fx *p = *state;
	tfa_ctx *c = with_policy(p, "enabled", "yes");
	tfa_login_step s;
	tfa_err err = { "" };

	tfa_ctx_close(c);
	c = with_policy(p, "default_required", "yes");
	give_recovery(c, "dave");
	assert_int_equal(tfa_login_begin(c, "dave", NOW, &s, &err), TFA_OK);
	assert_int_equal(s.kind, TFA_STEP_CODE);
	assert_int_equal(s.st.recovery, 1);
	/* no sms or ocra token: still a plain prompt, nothing to say */
	assert_int_equal(tfa_login_challenge(c, "dave", NOW, &s, &err), TFA_OK);
	assert_int_equal(s.kind, TFA_STEP_CODE);
	assert_int_equal(s.info[0], '\0');
	assert_int_equal(s.error[0], '\0');
	tfa_ctx_close(c);
}

static void test_locked_user_is_not_asked(void **state)
{
	fx *p = *state;
	tfa_ctx *c = with_policy(p, "enabled", "yes");
	tfa_verify_result res;
	tfa_login_step s;
	tfa_err err = { "" };
	tfa_rc r = TFA_OK;
	int i;

	tfa_ctx_close(c);
	c = with_policy(p, "max_failures", "3");
	tfa_ctx_close(c);
	c = with_policy(p, "default_required", "yes");
	give_recovery(c, "erin");
	for (i = 0; i < 3; i++)
		r = tfa_verify(c, "erin", "87654321", NOW, &res, &err);
	assert_int_equal(r, TFA_REJECTED);
	assert_int_equal(res.locked_now, 1);
	assert_string_equal(tfa_login_result_text(r, &res),
			    "Too many failed attempts; try again later.");
	assert_int_equal(tfa_login_begin(c, "erin", NOW + 1, &s, &err), TFA_OK);
	assert_int_equal(s.kind, TFA_STEP_LOCKED);
	assert_string_equal(s.error, "Too many failed attempts; try again later.");
	assert_int_equal(audited(c, "erin", TFA_EV_LOCKED), 1);
	tfa_ctx_close(c);
}

/* tfa_login_challenge_opts: a number from the caller (a RADIUS attribute)
 * is checked by tfa_phone_valid; a malformed one sends nothing (not even to
 * the token's number), says so and is audited; no option changes nothing */
static void test_challenge_phone_from_caller(void **state)
{
	fx *p = *state;
	tfa_ctx *c = with_policy(p, "enabled", "yes");
	tfa_challenge_opts o = { "555-CALL-ME", 2000 };
	tfa_enroll_opts eo;
	tfa_login_step s;
	tfa_err err = { "" };
	char *uri = NULL;

	tfa_enroll_opts_init(&eo);
	eo.type = TFA_TOKEN_SMS;
	eo.phone = "+15550001111";
	assert_int_equal(tfa_enroll(c, "fred", &eo, NULL, &uri, NULL, &err), TFA_OK);
	tfa_ctx_close(c);
	c = with_policy(p, "default_required", "yes");
	assert_int_equal(tfa_login_begin(c, "fred", NOW, &s, &err), TFA_OK);
	assert_int_equal(s.kind, TFA_STEP_CODE);
	assert_int_equal(tfa_login_challenge_opts(c, "fred", NOW, &o, &s, &err), TFA_OK);
	assert_int_equal(s.ch.delivery_failed, 1);
	assert_non_null(strstr(s.ch.delivery_error, "malformed"));
	assert_non_null(strstr(s.info, "could not be sent"));
	assert_int_equal(s.ch.phone_hint[0], '\0');
	assert_int_equal(audited(c, "fred", TFA_EV_SMS_FAILED), 1);
	/* no options: the token's number (here: no sms_command, not sent) */
	assert_int_equal(tfa_login_begin(c, "fred", NOW, &s, &err), TFA_OK);
	assert_int_equal(tfa_login_challenge_opts(c, "fred", NOW, NULL, &s, &err), TFA_OK);
	assert_string_equal(s.ch.phone_hint, "1111");
	assert_non_null(strstr(s.ch.delivery_error, "sms_command is not set"));
	/* a valid number from the caller is the one used */
	o.phone = "+15550002222";
	assert_int_equal(tfa_login_begin(c, "fred", NOW, &s, &err), TFA_OK);
	assert_int_equal(tfa_login_challenge_opts(c, "fred", NOW, &o, &s, &err), TFA_OK);
	assert_string_equal(s.ch.phone_hint, "2222");
	tfa_ctx_close(c);
}

static void test_result_texts(void **state)
{
	tfa_verify_result res;

	(void)state;
	memset(&res, 0, sizeof(res));
	assert_string_equal(tfa_login_result_text(TFA_OK, &res), "");
	assert_string_equal(tfa_login_result_text(TFA_REJECTED, &res), "Wrong code.");
	assert_string_equal(tfa_login_result_text(TFA_REPLAYED, &res),
			    "That code was already used; wait for the next one.");
	res.skew = 1;
	assert_non_null(strstr(tfa_login_result_text(TFA_REJECTED, &res), "clock"));
	assert_string_equal(tfa_login_result_text(TFA_ESTORE, NULL), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FX_TEST(test_enabled_no_skips),
		FX_TEST(test_not_required_skips_and_audits),
		FX_TEST(test_required_without_token_enrols),
		FX_TEST(test_recovery_code_is_a_code_step),
		FX_TEST(test_locked_user_is_not_asked),
		FX_TEST(test_challenge_phone_from_caller),
		cmocka_unit_test(test_result_texts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
