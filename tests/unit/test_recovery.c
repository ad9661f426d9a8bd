/* SPDX-License-Identifier: BSD-2-Clause */
/* test_recovery.c - recovery codes: hashing, login, single use, reset,
 * pepper, cost, and the schema migration 1 -> 2 that added them. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "auth.h"
#include "admin.h"
#include "enroll.h"
#include "recovery.h"
#include "secret.h"
#include "store.h"
#include "context.h"
#include "uri.h"

#define FX_STORE
#include "fixture.h"

static unsigned count(tfa_ctx *c, const char *user)
{
	tfa_err err = { "" };
	unsigned n = 99;

	assert_int_equal(tfa_recovery_count(c, user, &n, &err), TFA_OK);
	return n;
}

static void test_hash_roundtrip(void **state)
{
	uint8_t pepper[TFA_PEPPER_LEN], other[TFA_PEPPER_LEN];
	tfa_recovery_rec recs[3];
	tfa_rc rc;

	(void)state;
	memset(pepper, 0x11, sizeof(pepper));
	memset(other, 0x22, sizeof(other));
	assert_int_equal(tfa_recovery_hash(pepper, "12345678", &recs[0]), TFA_OK);
	assert_int_equal(tfa_recovery_hash(pepper, "87654321", &recs[1]), TFA_OK);
	/* the same code twice: different salts, different hashes */
	assert_int_equal(tfa_recovery_hash(pepper, "12345678", &recs[2]), TFA_OK);
	assert_memory_not_equal(recs[0].salt, recs[2].salt, TFA_RECOVERY_SALT_LEN);
	assert_memory_not_equal(recs[0].hash, recs[2].hash, TFA_RECOVERY_HASH_LEN);
	assert_int_equal(tfa_recovery_match(pepper, recs, 2, "12345678", &rc), 0);
	assert_int_equal(rc, TFA_OK);
	assert_int_equal(tfa_recovery_match(pepper, recs, 2, "87654321", &rc), 1);
	assert_int_equal(tfa_recovery_match(pepper, recs, 2, "12345679", &rc), -1);
	assert_int_equal(tfa_recovery_match(pepper, recs, 2, "1234567", &rc), -1);
	/* another pepper (another key): nothing verifies */
	assert_int_equal(tfa_recovery_match(other, recs, 2, "12345678", &rc), -1);
	/* a used record is skipped */
	recs[0].used = 1;
	assert_int_equal(tfa_recovery_match(pepper, recs, 2, "12345678", &rc), -1);
	assert_int_equal(tfa_recovery_hash(pepper, "123", &recs[0]), TFA_EINVAL);
}

static void test_cost(void **state)
{
	uint8_t pepper[TFA_PEPPER_LEN];
	tfa_recovery_rec recs[TFA_RECOVERY_DEFAULT];
	struct timespec a, b;
	double ms;
	tfa_rc rc;
	unsigned i;

	(void)state;
	memset(pepper, 0x33, sizeof(pepper));
	for (i = 0; i < TFA_RECOVERY_DEFAULT; i++)
		assert_int_equal(tfa_recovery_hash(pepper, "00000000", &recs[i]), TFA_OK);
	clock_gettime(CLOCK_MONOTONIC, &a);
	assert_int_equal(tfa_recovery_match(pepper, recs, TFA_RECOVERY_DEFAULT, "11111111", &rc),
			 -1);
	clock_gettime(CLOCK_MONOTONIC, &b);
	ms = (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6;
	print_message("checking %d recovery codes (%d iterations): %.1f ms\n",
		      TFA_RECOVERY_DEFAULT, TFA_RECOVERY_ITER, ms);
	/* generous bound: valgrind runs this too; the figure is in recovery.c */
	assert_true(ms < 5000.0);
}

static void test_generate_login_once(void **state)
{
	fx *p = *state;
	tfa_ctx *c = fx_ctx(p);
	tfa_verify_result r;
	tfa_user_status s;
	tfa_err err = { "" };
	char **codes = NULL;
	int64_t now = 1700000000;
	unsigned i, j;

	assert_int_equal(tfa_recovery_generate(c, "alice", 0, &codes, &err), TFA_EINVAL);
	assert_int_equal(tfa_recovery_generate(c, "alice", TFA_RECOVERY_MAX + 1, &codes, &err),
			 TFA_EINVAL);
	assert_int_equal(tfa_recovery_generate(c, "bad\nname", 1, &codes, &err), TFA_EINVAL);
	/* no token, no code: nothing to log in with */
	assert_int_equal(tfa_verify(c, "alice", "12345678", now, &r, &err), TFA_ENOENT);
	assert_int_equal(tfa_recovery_generate(c, "alice", TFA_RECOVERY_DEFAULT, &codes, &err),
			 TFA_OK);
	for (i = 0; i < TFA_RECOVERY_DEFAULT; i++) {
		assert_int_equal(strlen(codes[i]), TFA_RECOVERY_DIGITS);
		assert_int_equal(strspn(codes[i], "0123456789"), TFA_RECOVERY_DIGITS);
		for (j = 0; j < i; j++)
			assert_string_not_equal(codes[i], codes[j]);
	}
	assert_int_equal(count(c, "alice"), TFA_RECOVERY_DEFAULT);
	assert_int_equal(tfa_status(c, "alice", now, &s, &err), TFA_OK);
	assert_int_equal(s.recovery, TFA_RECOVERY_DEFAULT);
	assert_int_equal(s.active, 0);

	/* a wrong code is a failure as any */
	assert_int_equal(tfa_verify(c, "alice", "00000000", now, &r, &err), TFA_REJECTED);
	assert_int_equal(r.failures, 1);
	/* malformed: a failure too, nothing consumed */
	assert_int_equal(tfa_verify(c, "alice", "1234", now, &r, &err), TFA_REJECTED);
	assert_int_equal(r.failures, 2);
	/* a right code: accepted, clears failures, used up */
	assert_int_equal(tfa_verify(c, "alice", codes[3], now, &r, &err), TFA_OK);
	assert_true(r.recovery_used);
	assert_int_equal(r.recovery_left, TFA_RECOVERY_DEFAULT - 1);
	assert_int_equal(r.token_id, 0);
	assert_int_equal(count(c, "alice"), TFA_RECOVERY_DEFAULT - 1);
	assert_int_equal(tfa_status(c, "alice", now, &s, &err), TFA_OK);
	assert_int_equal(s.user.failures, 0);
	assert_int_equal(s.user.last_login, now);
	/* the same code again: refused, counted */
	assert_int_equal(tfa_verify(c, "alice", codes[3], now, &r, &err), TFA_REJECTED);
	assert_int_equal(r.failures, 1);
	/* grouped input ("1234 5678") is accepted as at any prompt */
	{
		char grouped[16];

		snprintf(grouped, sizeof(grouped), "%.4s %s", codes[4], codes[4] + 4);
		assert_int_equal(tfa_verify(c, "alice", grouped, now, &r, &err), TFA_OK);
		tfa_wipe(grouped, sizeof(grouped));
	}
	/* another user's code does not work for alice */
	{
		char **bob = NULL;

		assert_int_equal(tfa_recovery_generate(c, "bob", 1, &bob, &err), TFA_OK);
		assert_int_equal(tfa_verify(c, "alice", bob[0], now, &r, &err), TFA_REJECTED);
		assert_int_equal(tfa_verify(c, "bob", bob[0], now, &r, &err), TFA_OK);
		tfa_recovery_free(bob, 1);
	}
	/* a new set replaces the old one */
	tfa_recovery_free(codes, TFA_RECOVERY_DEFAULT);
	codes = NULL;
	assert_int_equal(tfa_recovery_generate(c, "alice", 3, &codes, &err), TFA_OK);
	assert_int_equal(count(c, "alice"), 3);
	tfa_recovery_free(codes, 3);
	tfa_ctx_close(c);
}

static void test_locked_not_evaluated(void **state)
{
	fx *p = *state;
	tfa_ctx *c = fx_ctx(p);
	tfa_verify_result r;
	tfa_err err = { "" };
	char **codes = NULL;
	int64_t now = 1700000000;
	unsigned i;

	assert_int_equal(tfa_recovery_generate(c, "carol", 2, &codes, &err), TFA_OK);
	for (i = 0; i < c->policy.max_failures; i++)
		assert_int_equal(tfa_verify(c, "carol", "99999999", now, &r, &err), TFA_REJECTED);
	assert_true(r.locked_now);
	/* while locked the right code is not looked at, nor used up */
	assert_int_equal(tfa_verify(c, "carol", codes[0], now + 1, &r, &err), TFA_LOCKED);
	assert_int_equal(count(c, "carol"), 2);
	assert_int_equal(tfa_verify(c, "carol", codes[0], r.locked_until + 1, &r, &err), TFA_OK);
	assert_int_equal(count(c, "carol"), 1);
	tfa_recovery_free(codes, 2);
	tfa_ctx_close(c);
}

static void test_with_token_and_reset(void **state)
{
	fx *p = *state;
	tfa_ctx *c = fx_ctx(p);
	tfa_enroll_opts o;
	tfa_verify_result r;
	tfa_err err = { "" };
	tfa_uri u;
	char *uri = NULL, code[OTP_MAX_DIGITS + 1], **codes = NULL;
	unsigned revoked = 9, deleted = 9;
	int64_t now = 1700000100;

	tfa_enroll_opts_init(&o);
	o.activate = 1;
	assert_int_equal(tfa_enroll(c, "dave", &o, NULL, &uri, NULL, &err), TFA_OK);
	memset(&u, 0, sizeof(u));
	assert_int_equal(tfa_uri_parse(uri, &u), TFA_OK);
	tfa_free_secret(uri);
	assert_int_equal(tfa_recovery_generate(c, "dave", 4, &codes, &err), TFA_OK);
	/* the token still works, and does not touch the recovery codes */
	assert_int_equal(otp_hotp(u.secret, u.secret_len, OTP_SHA1, (uint64_t)(now / 30), 6, code),
			 TFA_OK);
	assert_int_equal(tfa_verify(c, "dave", code, now, &r, &err), TFA_OK);
	assert_false(r.recovery_used);
	assert_int_equal(count(c, "dave"), 4);
	/* a recovery code works next to a token */
	assert_int_equal(tfa_verify(c, "dave", codes[0], now, &r, &err), TFA_OK);
	assert_true(r.recovery_used);
	assert_int_equal(count(c, "dave"), 3);
	/* reset: token and codes gone */
	assert_int_equal(tfa_user_reset(c, "dave", &revoked, &deleted, &err), TFA_OK);
	assert_int_equal(revoked, 1);
	assert_int_equal(deleted, 3);
	assert_int_equal(count(c, "dave"), 0);
	assert_int_equal(tfa_verify(c, "dave", codes[1], now, &r, &err), TFA_ENOENT);
	assert_int_equal(tfa_user_reset(c, "dave", &revoked, &deleted, &err),
			 TFA_ENOENT);
	/* only recovery codes: reset is not "nothing to revoke" */
	tfa_recovery_free(codes, 4);
	assert_int_equal(tfa_recovery_generate(c, "erin", 2, &codes, &err), TFA_OK);
	assert_int_equal(tfa_user_reset(c, "erin", &revoked, &deleted, &err), TFA_OK);
	assert_int_equal(revoked, 0);
	assert_int_equal(deleted, 2);
	tfa_recovery_free(codes, 2);
	tfa_uri_clear(&u);
	tfa_wipe(code, sizeof(code));
	tfa_ctx_close(c);
}

static void test_add(void **state)
{
	fx *p = *state;
	tfa_ctx *c = fx_ctx(p);
	tfa_verify_result r;
	tfa_err err = { "" };
	const char *good[] = { "11112222", "33334444" };
	const char *bad[] = { "55556666", "1234567" };
	int64_t now = 1700000000;

	assert_int_equal(tfa_recovery_add(c, "frank", bad, 2, &err), TFA_EINVAL);
	assert_int_equal(count(c, "frank"), 0);
	assert_int_equal(tfa_recovery_add(c, "frank", good, 2, &err), TFA_OK);
	assert_int_equal(tfa_recovery_add(c, "frank", good, 1, &err), TFA_OK);
	assert_int_equal(count(c, "frank"), 3);
	assert_int_equal(tfa_verify(c, "frank", "33334444", now, &r, &err), TFA_OK);
	assert_int_equal(tfa_verify(c, "frank", "33334444", now, &r, &err), TFA_REJECTED);
	assert_int_equal(count(c, "frank"), 2);
	tfa_ctx_close(c);
}

/* the store holds neither the codes nor anything that verifies under
 * another key */
static void test_pepper_and_at_rest(void **state)
{
	fx *p = *state;
	tfa_ctx *c = fx_ctx(p), *c2;
	char db2[FX_PATH], key2[FX_PATH];
	uint8_t pa[TFA_PEPPER_LEN], pb[TFA_PEPPER_LEN];
	tfa_recovery_rec rec;
	tfa_err err = { "" };
	char **codes = NULL;
	sqlite3 *db;
	sqlite3_stmt *s;
	tfa_rc rc;
	int rows = 0;

	fx_path(p, "other.db", db2, sizeof(db2));
	fx_path(p, "other.key", key2, sizeof(key2));
	c2 = fx_ctx_at(db2, key2);
	tfa_store_pepper(c->store, pa);
	tfa_store_pepper(c2->store, pb);
	assert_memory_not_equal(pa, pb, TFA_PEPPER_LEN);
	assert_int_equal(tfa_recovery_hash(pa, "24682468", &rec), TFA_OK);
	assert_int_equal(tfa_recovery_match(pa, &rec, 1, "24682468", &rc), 0);
	assert_int_equal(tfa_recovery_match(pb, &rec, 1, "24682468", &rc), -1);
	assert_int_equal(tfa_recovery_generate(c, "gina", 5, &codes, &err), TFA_OK);
	tfa_ctx_close(c);
	tfa_ctx_close(c2);
	assert_int_equal(sqlite3_open(p->db, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT salt, hash FROM recovery WHERE user='gina'",
					    -1, &s, NULL), SQLITE_OK);
	while (sqlite3_step(s) == SQLITE_ROW) {
		int k;

		assert_int_equal(sqlite3_column_bytes(s, 0), TFA_RECOVERY_SALT_LEN);
		assert_int_equal(sqlite3_column_bytes(s, 1), TFA_RECOVERY_HASH_LEN);
		for (k = 0; k < 5; k++)
			assert_null(memmem(sqlite3_column_blob(s, 1), TFA_RECOVERY_HASH_LEN,
					   codes[k], TFA_RECOVERY_DIGITS));
		rows++;
	}
	assert_int_equal(rows, 5);
	sqlite3_finalize(s);
	sqlite3_close(db);
	tfa_recovery_free(codes, 5);
}

static int user_version(const char *path)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	int v;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return v;
}

/* a version-1 store (no recovery table) is migrated on open, data intact */
static void test_migrate_v1(void **state)
{
	fx *p = *state;
	tfa_ctx *c = fx_ctx(p);
	tfa_enroll_opts o;
	tfa_user_status s;
	tfa_verify_result r;
	tfa_err err = { "" };
	tfa_store *st = NULL;
	tfa_uri u;
	char *uri = NULL, code[OTP_MAX_DIGITS + 1], **codes = NULL;
	int64_t now = 1700000200;
	sqlite3 *db;

	tfa_enroll_opts_init(&o);
	o.activate = 1;
	assert_int_equal(tfa_enroll(c, "hank", &o, NULL, &uri, NULL, &err), TFA_OK);
	memset(&u, 0, sizeof(u));
	assert_int_equal(tfa_uri_parse(uri, &u), TFA_OK);
	tfa_free_secret(uri);
	assert_int_equal(tfa_user_set_required(c, "hank", TFA_REQ_ON, &err), TFA_OK);
	tfa_ctx_close(c);
	/* turn it into a version-1 store */
	assert_int_equal(sqlite3_open(p->db, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "DROP INDEX recovery_user; DROP TABLE recovery;"
				      " DROP TABLE challenges; DROP INDEX tokens_serial;"
				      " DROP TABLE deliveries; ALTER TABLE users DROP COLUMN must_enroll;"
				      " PRAGMA user_version=1", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(user_version(p->db), 1);
	/* read-only opens do not migrate: they refuse and say why */
	assert_int_equal(tfa_store_open(p->db, p->key, TFA_STORE_READONLY, &st, &err), TFA_ESTORE);
	assert_non_null(strstr(err.msg, "version 1"));
	assert_int_equal(user_version(p->db), 1);
	/* nor do read-write opens (logins, other commands): they refuse and
	 * name tfa-admin upgrade */
	assert_int_equal(tfa_store_open(p->db, p->key, 0, &st, &err), TFA_ESTORE);
	assert_non_null(strstr(err.msg, "tfa-admin upgrade"));
	assert_int_equal(tfa_store_open(p->db, p->key, TFA_STORE_CREATE, &st, &err), TFA_ESTORE);
	assert_int_equal(user_version(p->db), 1);
	/* the upgrade migrates, and says so in the audit trail */
	assert_int_equal(tfa_ctx_open(p->db, p->key, TFA_OPEN_UPGRADE, "test", &c, &err), TFA_OK);
	assert_int_equal(user_version(p->db), 4);
	{
		int found = 0, current = 0;

		tfa_ctx_schema(c, &found, &current);
		assert_int_equal(found, 1);
		assert_int_equal(current, 4);
	}
	assert_int_equal(tfa_status(c, "hank", now, &s, &err), TFA_OK);
	assert_int_equal(s.active, 1);
	assert_int_equal(s.user.required, TFA_REQ_ON);
	assert_int_equal(s.recovery, 0);
	assert_int_equal(otp_hotp(u.secret, u.secret_len, OTP_SHA1, (uint64_t)(now / 30), 6, code),
			 TFA_OK);
	assert_int_equal(tfa_verify(c, "hank", code, now, &r, &err), TFA_OK);
	assert_int_equal(tfa_recovery_generate(c, "hank", 2, &codes, &err), TFA_OK);
	assert_int_equal(tfa_verify(c, "hank", codes[1], now, &r, &err), TFA_OK);
	assert_true(r.recovery_used);
	tfa_recovery_free(codes, 2);
	tfa_ctx_close(c);
	/* and opens again without change */
	c = fx_ctx(p);
	assert_int_equal(user_version(p->db), 4);
	{
		int found = 0, current = 0;

		tfa_ctx_schema(c, &found, &current);
		assert_int_equal(found, 4);
	}
	tfa_ctx_close(c);
	tfa_uri_clear(&u);
	tfa_wipe(code, sizeof(code));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hash_roundtrip),
		cmocka_unit_test(test_cost),
		FX_TEST(test_generate_login_once),
		FX_TEST(test_locked_not_evaluated),
		FX_TEST(test_with_token_and_reset),
		FX_TEST(test_add),
		FX_TEST(test_pepper_and_at_rest),
		FX_TEST(test_migrate_v1),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
