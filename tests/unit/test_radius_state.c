/* SPDX-License-Identifier: BSD-2-Clause */
/* test_radius_state.c - the State of a RADIUS Access-Challenge
 * (radius_state.h): parsed strictly, accepted for its user only, until
 * sms_ttl, once (any checked code changes the user's login state), by
 * another context on the same store (a second server); tfa_ctx_refresh
 * picks up policy changes. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "frontend.h"
#include "store.h"

#define FX_STORE
#include "fixture.h"

static void enrol_active(tfa_ctx *c, const char *user)
{
	tfa_enroll_opts o;
	tfa_err err = { "" };
	char *uri = NULL;

	tfa_enroll_opts_init(&o);
	o.activate = 1;
	assert_int_equal(tfa_enroll(c, user, &o, NULL, &uri, NULL, &err), TFA_OK);
	tfa_free_secret(uri);
}

static tfa_rc check(tfa_ctx *c, const char *user, const char *s, int64_t now)
{
	tfa_err err = { "" };

	return tfa_state_check(c, user, (const uint8_t *)s, strlen(s), now, &err);
}

static void test_parse(void **state)
{
	tfa_state_fields f;
	char s[TFA_STATE_HEX_LEN + 1];

	(void)state;
	memset(s, '1', TFA_STATE_HEX_LEN);
	s[TFA_STATE_HEX_LEN] = '\0';
	s[0] = '0';
	s[1] = '1';
	assert_int_equal(tfa_state_parse((const uint8_t *)s, TFA_STATE_HEX_LEN, &f), TFA_OK);
	assert_int_equal(f.version, 1);
	assert_int_equal(f.nonce[0], 0x11);
	assert_int_equal(f.expires, 0x1111111111111111LL);
	/* length, hex digits, version, a NUL inside */
	assert_int_equal(tfa_state_parse((const uint8_t *)s, TFA_STATE_HEX_LEN - 1, &f), TFA_EINVAL);
	assert_int_equal(f.version, 0);
	assert_int_equal(tfa_state_parse((const uint8_t *)s, 0, &f), TFA_EINVAL);
	assert_int_equal(tfa_state_parse(NULL, TFA_STATE_HEX_LEN, &f), TFA_EINVAL);
	s[5] = 'g';
	assert_int_equal(tfa_state_parse((const uint8_t *)s, TFA_STATE_HEX_LEN, &f), TFA_EINVAL);
	s[5] = '\0';
	assert_int_equal(tfa_state_parse((const uint8_t *)s, TFA_STATE_HEX_LEN, &f), TFA_EINVAL);
	s[5] = 'A';
	assert_int_equal(tfa_state_parse((const uint8_t *)s, TFA_STATE_HEX_LEN, &f), TFA_OK);
	s[1] = '2';
	assert_int_equal(tfa_state_parse((const uint8_t *)s, TFA_STATE_HEX_LEN, &f), TFA_EINVAL);
}

static void test_make_check(void **state)
{
	fx *p = *state;
	tfa_ctx *c = fx_ctx(p), *c2 = NULL;
	tfa_verify_result res;
	tfa_err err = { "" };
	int64_t now = (int64_t)time(NULL);
	char s[TFA_STATE_HEX_LEN + 1], s2[TFA_STATE_HEX_LEN + 1], t[TFA_STATE_HEX_LEN + 1];
	size_t i;

	enrol_active(c, "alice");
	enrol_active(c, "bob");
	assert_int_equal(tfa_state_make(c, "alice", now, s, sizeof(s), &err), TFA_OK);
	assert_int_equal(strlen(s), TFA_STATE_HEX_LEN);
	for (i = 0; i < TFA_STATE_HEX_LEN; i++)
		assert_non_null(strchr("0123456789abcdef", s[i]));
	assert_int_equal(tfa_state_make(c, "alice", now, t, TFA_STATE_HEX_LEN, &err), TFA_EINVAL);
	/* two States of one moment differ (nonce) and both are current */
	assert_int_equal(tfa_state_make(c, "alice", now, s2, sizeof(s2), &err), TFA_OK);
	assert_string_not_equal(s, s2);
	assert_int_equal(check(c, "alice", s, now), TFA_OK);
	assert_int_equal(check(c, "alice", s, now + 300), TFA_OK);
	/* another user, expired, from the future, tampered, truncated */
	assert_int_equal(check(c, "bob", s, now), TFA_REJECTED);
	assert_int_equal(check(c, "alice", s, now + 301), TFA_REJECTED);
	assert_int_equal(check(c, "alice", s, now - 10), TFA_REJECTED);
	memcpy(t, s, sizeof(t));
	t[100] = t[100] == '0' ? '1' : '0';
	assert_int_equal(check(c, "alice", t, now), TFA_REJECTED);
	t[100] = s[100];
	t[40] = t[40] == '0' ? '1' : '0';            /* the expiry */
	assert_int_equal(check(c, "alice", t, now), TFA_REJECTED);
	assert_int_equal(tfa_state_check(c, "alice", (const uint8_t *)s, 113, now, &err),
			 TFA_REJECTED);
	/* a second server on the same store and key accepts it */
	c2 = fx_ctx(p);
	assert_int_equal(check(c2, "alice", s, now), TFA_OK);
	/* a checked code (here a wrong one) uses it up; bob's is untouched */
	assert_int_equal(tfa_state_make(c, "bob", now, t, sizeof(t), &err), TFA_OK);
	memset(&res, 0, sizeof(res));
	assert_int_equal(tfa_verify(c, "alice", "000000", now, &res, &err), TFA_REJECTED);
	assert_int_equal(check(c, "alice", s, now), TFA_REJECTED);
	assert_int_equal(check(c2, "alice", s2, now), TFA_REJECTED);
	assert_int_equal(check(c, "bob", t, now), TFA_OK);
	/* a State made now is current again */
	assert_int_equal(tfa_state_make(c, "alice", now, s, sizeof(s), &err), TFA_OK);
	assert_int_equal(check(c2, "alice", s, now), TFA_OK);
	tfa_ctx_close(c2);
	tfa_ctx_close(c);
}

static void test_refresh(void **state)
{
	fx *p = *state;
	tfa_ctx *c = fx_ctx(p), *c2 = fx_ctx(p);
	tfa_err err = { "" };
	char moved[FX_PATH + 8];

	assert_int_equal(tfa_ctx_policy(c)->enabled, 0);
	assert_int_equal(tfa_policy_set(c2, "enabled", "yes", &err), TFA_OK);
	assert_int_equal(tfa_policy_set(c2, "sms_ttl", "60", &err), TFA_OK);
	assert_int_equal(tfa_ctx_policy(c)->enabled, 0);
	assert_int_equal(tfa_ctx_refresh(c, &err), TFA_OK);
	assert_int_equal(tfa_ctx_policy(c)->enabled, 1);
	assert_int_equal(tfa_ctx_policy(c)->sms_ttl, 60);
	/* the store file replaced (a restore): reopen */
	tfa_ctx_close(c2);
	(void)snprintf(moved, sizeof(moved), "%s.old", p->db);
	assert_int_equal(rename(p->db, moved), 0);
	assert_int_equal(tfa_ctx_refresh(c, &err), TFA_ENOENT);
	assert_non_null(strstr(err.msg, "replaced"));
	tfa_ctx_close(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		FX_TEST(test_make_check),
		FX_TEST(test_refresh),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
