/* SPDX-License-Identifier: BSD-2-Clause */
/* test_ctx_resident.c - a context that lives as long as its host (issue 13):
 * `tfa-admin policy set` through another connection reaches it at its next
 * check (tfa_ctx_refresh: PRAGMA data_version); a bad value stored meanwhile
 * fails that check closed; its statements are compiled once and kept. */
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
#include "challenge.h"
#include "enroll.h"
#include "policy.h"
#include "secret.h"
#include "store_internal.h"
#include "context.h"

#define FX_STORE
#include "fixture.h"

#define NOW 1800000015

/* two contexts on one store, as two processes (or a RADIUS thread and
 * tfa-admin) have: a policy set through one reaches the other */
static void test_policy_reaches_resident_ctx(void **state)
{
	fx *p = *state;
	tfa_ctx *admin = fx_ctx(p), *host = fx_ctx(p);
	tfa_user_status s;
	tfa_verify_result res;
	tfa_err err = { "" };

	assert_int_equal(tfa_ctx_policy(host)->enabled, 0);
	assert_int_equal(tfa_status(host, "zed", NOW, &s, &err), TFA_OK);
	assert_int_equal(s.required, 0);

	assert_int_equal(tfa_policy_set(admin, "enabled", "yes", &err), TFA_OK);
	assert_int_equal(tfa_policy_set(admin, "default_required", "yes", &err), TFA_OK);
	assert_int_equal(tfa_policy_set(admin, "max_failures", "3", &err), TFA_OK);
	/* the next check of the resident context sees it */
	assert_int_equal(tfa_status(host, "zed", NOW, &s, &err), TFA_OK);
	assert_int_equal(s.required, 1);
	assert_int_equal(s.rule, TFA_RULE_DEFAULT);
	assert_int_equal(tfa_ctx_policy(host)->enabled, 1);
	assert_int_equal(tfa_ctx_policy(host)->max_failures, 3);

	/* so does tfa_verify: with max_failures 5 the lockout comes at the 5th */
	assert_int_equal(tfa_policy_set(admin, "max_failures", "5", &err), TFA_OK);
	assert_int_equal(tfa_verify(host, "zed", "123456", NOW, &res, &err), TFA_ENOENT);
	assert_int_equal(tfa_ctx_policy(host)->max_failures, 5);

	/* and tfa_challenge_begin */
	assert_int_equal(tfa_policy_set(admin, "enabled", "no", &err), TFA_OK);
	{
		tfa_challenge ch;

		assert_int_equal(tfa_challenge_begin(host, "zed", NOW, &ch, &err), TFA_OK);
	}
	assert_int_equal(tfa_ctx_policy(host)->enabled, 0);
	tfa_ctx_close(admin);
	tfa_ctx_close(host);
}

/* a value no tfa-admin would write, stored behind the context's back: the
 * next check fails (closed), the policy it had stays */
static void test_bad_policy_fails_closed(void **state)
{
	fx *p = *state;
	tfa_ctx *host = fx_ctx(p);
	tfa_user_status s;
	tfa_err err = { "" };
	sqlite3 *db = NULL;

	assert_int_equal(tfa_status(host, "zed", NOW, &s, &err), TFA_OK);
	assert_int_equal(sqlite3_open(p->db, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "INSERT INTO policy(key, value) VALUES('max_failures',"
				      " 'lots')", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(tfa_status(host, "zed", NOW, &s, &err), TFA_ESTORE);
	assert_non_null(strstr(err.msg, "max_failures"));
	assert_int_equal(tfa_ctx_policy(host)->max_failures, 10);
	tfa_ctx_close(host);
}

/* a context's own tfa_policy_set applies to its next call: its own commit
 * does not move PRAGMA data_version, so tfa_ctx_refresh cannot see it (a
 * fuzz target that set max_failures found the context still at 10) */
static void test_own_policy_set(void **state)
{
	fx *p = *state;
	tfa_ctx *c = fx_ctx(p);
	tfa_err err = { "" };

	assert_int_equal(tfa_ctx_policy(c)->max_failures, 10);
	assert_int_equal(tfa_policy_set(c, "max_failures", "4", &err), TFA_OK);
	assert_int_equal(tfa_ctx_policy(c)->max_failures, 4);
	assert_int_equal(tfa_ctx_refresh(c, &err), TFA_OK);
	assert_int_equal(tfa_ctx_policy(c)->max_failures, 4);
	tfa_ctx_close(c);
}

/* A key roll-out: a host carrying the new key as keyfile_next opens the
 * store before the rekey (its key is the old one), sees the rekey at its
 * next check (TFA_ENOENT: open again), and the new context, with the same
 * two files, uses the new key: codes verify. Neither file the key: EKEY
 * naming both. */
static void test_key_rollout(void **state)
{
	fx *p = *state;
	tfa_ctx *admin = fx_ctx(p), *host = NULL;
	tfa_verify_result res;
	tfa_enroll_opts o;
	tfa_err err = { "" };
	char next[FX_PATH], other[FX_PATH], *uri = NULL;
	unsigned n = 0;
	int created = 0;

	fx_path(p, "etc/tfa.key.next", next, sizeof(next));
	fx_path(p, "etc/other.key", other, sizeof(other));
	tfa_enroll_opts_init(&o);
	o.activate = 1;
	assert_int_equal(tfa_enroll(admin, "zed", &o, NULL, &uri, NULL, &err), TFA_OK);
	tfa_free_secret(uri);
	/* the next key made by a rekey of a scratch store: a key file to hand */
	{
		char scratch[FX_PATH];
		tfa_ctx *s;

		fx_path(p, "sub/scratch.db", scratch, sizeof(scratch));
		s = fx_ctx_at(scratch, other);
		assert_int_equal(tfa_rekey(s, next, &n, &created, &err), TFA_OK);
		assert_int_equal(created, 1);
		tfa_ctx_close(s);
	}
	/* before the rekey: the old key is the store's */
	assert_int_equal(tfa_ctx_open_keys(p->db, p->key, next, TFA_OPEN_LOGIN, "test", &host,
					   NULL, &err), TFA_OK);
	assert_int_equal(tfa_verify(host, "zed", "000000", NOW, &res, &err), TFA_REJECTED);
	assert_int_equal(tfa_rekey(admin, next, &n, &created, &err), TFA_OK);
	assert_int_equal(created, 0);
	assert_int_equal(n, 1);
	/* the resident host sees it at its next check */
	assert_int_equal(tfa_ctx_refresh(host, &err), TFA_ENOENT);
	assert_non_null(strstr(err.msg, "re-keyed"));
	tfa_ctx_close(host);
	host = NULL;
	/* and opens again with the same two files: the new key now */
	assert_int_equal(tfa_ctx_open_keys(p->db, p->key, next, TFA_OPEN_LOGIN, "test", &host,
					   NULL, &err), TFA_OK);
	assert_int_equal(tfa_verify(host, "zed", "000001", NOW, &res, &err), TFA_REJECTED);
	assert_int_equal(res.failures, 2);
	tfa_ctx_close(host);
	host = NULL;
	/* the old key alone: refused */
	assert_int_equal(tfa_ctx_open_keys(p->db, p->key, NULL, TFA_OPEN_LOGIN, "test", &host,
					   NULL, &err), TFA_EKEY);
	/* neither file the key: refused, naming both */
	assert_int_equal(tfa_ctx_open_keys(p->db, p->key, other, TFA_OPEN_LOGIN, "test", &host,
					   NULL, &err), TFA_EKEY);
	assert_non_null(strstr(err.msg, "neither key file"));
	assert_non_null(strstr(err.msg, "other.key"));
	assert_null(host);
	tfa_ctx_close(admin);
}

static int live_statements(tfa_ctx *c)
{
	sqlite3_stmt *s = NULL;
	int n = 0;

	while ((s = sqlite3_next_stmt(c->store->db, s)) != NULL)
		n++;
	return n;
}

/* the statements of a check are compiled once per connection: a second
 * and a tenth check compile none */
static void test_statements_cached(void **state)
{
	fx *p = *state;
	tfa_ctx *host = fx_ctx(p);
	tfa_user_status s;
	tfa_verify_result res;
	tfa_err err = { "" };
	int after_one, i;

	assert_int_equal(tfa_status(host, "zed", NOW, &s, &err), TFA_OK);
	(void)tfa_verify(host, "zed", "123456", NOW, &res, &err);
	after_one = live_statements(host);
	assert_true(after_one > 3);
	for (i = 0; i < 10; i++) {
		assert_int_equal(tfa_status(host, "zed", NOW, &s, &err), TFA_OK);
		(void)tfa_verify(host, "zed", "123456", NOW, &res, &err);
	}
	assert_int_equal(live_statements(host), after_one);
	tfa_ctx_close(host);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FX_TEST(test_policy_reaches_resident_ctx),
		FX_TEST(test_bad_policy_fails_closed),
		FX_TEST(test_own_policy_set),
		FX_TEST(test_key_rollout),
		FX_TEST(test_statements_cached),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
