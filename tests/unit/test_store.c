/* SPDX-License-Identifier: BSD-2-Clause */
/* test_store.c - store, encryption at rest, policy and the login check. */
#include "config.h"

#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "audit.h"
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

static void test_create_modes(void **state)
{
	fx *p = *state;
	tfa_ctx *c = fx_ctx(p);
	struct stat sb;
	char d[160];

	tfa_ctx_close(c);
	assert_int_equal(stat(p->db, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(stat(p->key, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	snprintf(d, sizeof(d), "%s/sub", p->dir);
	assert_int_equal(stat(d, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0700);
}

static void test_missing_store_not_created(void **state)
{
	fx *p = *state;
	tfa_store *st = NULL;
	tfa_err err = { "" };

	assert_int_equal(tfa_store_open(p->db, p->key, 0, &st, &err), TFA_ESTORE);
	assert_null(st);
	assert_non_null(strstr(err.msg, p->db));
	assert_non_null(strstr(err.msg, "tfa-admin init"));
}

static void test_schema_version(void **state)
{
	fx *p = *state;
	tfa_ctx *c = fx_ctx(p);
	sqlite3 *db;
	sqlite3_stmt *s;

	tfa_ctx_close(c);
	assert_int_equal(sqlite3_open(p->db, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(s, 0), 4);
	sqlite3_finalize(s);
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(s, 0), "wal");
	sqlite3_finalize(s);
	/* a newer schema that older programs may still use (a rolling
	 * upgrade of a fleet): opened, not changed */
	assert_int_equal(sqlite3_exec(db, "PRAGMA user_version=5", NULL, NULL, NULL), SQLITE_OK);
	{
		tfa_store *st = NULL;
		tfa_err err = { "" };

		assert_int_equal(tfa_store_open(p->db, p->key, 0, &st, &err), TFA_OK);
		tfa_store_close(st);
	}
	/* one that needs newer programs is refused, not damaged, naming both */
	assert_int_equal(sqlite3_exec(db, "PRAGMA user_version=99; UPDATE meta SET value='99'"
				      " WHERE key='schema_compat'", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_changes(db), 1);
	sqlite3_close(db);
	{
		tfa_store *st = NULL;
		tfa_err err = { "" };

		assert_int_equal(tfa_store_open(p->db, p->key, 0, &st, &err), TFA_ESTORE);
		assert_non_null(strstr(err.msg, "version 99"));
		assert_non_null(strstr(err.msg, "schema 4"));
		assert_int_equal(tfa_store_open(p->db, p->key, TFA_STORE_UPGRADE, &st, &err),
				 TFA_ESTORE);
	}
}

static void test_seal_roundtrip_and_tamper(void **state)
{
	tfa_key k1, k2;
	uint8_t pt[20], aad[200], aad2[200], *ct = NULL, *out = NULL;
	size_t ctlen = 0, outlen = 0, alen, alen2;

	(void)state;
	assert_int_equal(tfa_random_bytes(k1.k, sizeof(k1.k)), TFA_OK);
	assert_int_equal(tfa_random_bytes(k2.k, sizeof(k2.k)), TFA_OK);
	assert_int_equal(tfa_random_bytes(pt, sizeof(pt)), TFA_OK);
	alen = tfa_token_aad("alice", 7, aad, sizeof(aad));
	alen2 = tfa_token_aad("bob", 7, aad2, sizeof(aad2));
	assert_true(alen > 0 && alen2 > 0);
	assert_int_equal(tfa_seal(&k1, aad, alen, pt, sizeof(pt), &ct, &ctlen), TFA_OK);
	assert_int_equal(ctlen, 1 + 12 + sizeof(pt) + 16);
	assert_memory_not_equal(ct + 13, pt, sizeof(pt));
	assert_int_equal(tfa_unseal(&k1, aad, alen, ct, ctlen, &out, &outlen), TFA_OK);
	assert_int_equal(outlen, sizeof(pt));
	assert_memory_equal(out, pt, sizeof(pt));
	free(out);
	/* wrong key, other user's AAD, flipped bit, truncation: all refused */
	assert_int_equal(tfa_unseal(&k2, aad, alen, ct, ctlen, &out, &outlen), TFA_EKEY);
	assert_int_equal(tfa_unseal(&k1, aad2, alen2, ct, ctlen, &out, &outlen), TFA_EKEY);
	ct[20] ^= 1;
	assert_int_equal(tfa_unseal(&k1, aad, alen, ct, ctlen, &out, &outlen), TFA_EKEY);
	ct[20] ^= 1;
	assert_int_equal(tfa_unseal(&k1, aad, alen, ct, ctlen - 1, &out, &outlen), TFA_EKEY);
	assert_int_equal(tfa_unseal(&k1, aad, alen, ct, 5, &out, &outlen), TFA_EKEY);
	free(ct);
}

/* enrol alice (active) and return her secret, read back from the URI */
static void enroll_active(tfa_ctx *c, const char *user, tfa_token_type type, uint8_t *secret,
			  size_t *len)
{
	tfa_enroll_opts o;
	tfa_err err = { "" };
	tfa_uri u;
	char *uri = NULL;

	tfa_enroll_opts_init(&o);
	o.type = type;
	o.activate = 1;
	assert_int_equal(tfa_enroll(c, user, &o, NULL, &uri, NULL, &err), TFA_OK);
	memset(&u, 0, sizeof(u));
	assert_int_equal(tfa_uri_parse(uri, &u), TFA_OK);
	assert_int_equal(u.secret_len, 20);
	memcpy(secret, u.secret, u.secret_len);
	*len = u.secret_len;
	tfa_uri_clear(&u);
	tfa_free_secret(uri);
}

static void totp_at(const uint8_t *secret, size_t len, int64_t t, char *code)
{
	assert_int_equal(otp_hotp(secret, len, OTP_SHA1, (uint64_t)(t / 30), 6, code), TFA_OK);
}

static void test_secret_encrypted_at_rest(void **state)
{
	fx *p = *state;
	tfa_ctx *c = fx_ctx(p);
	uint8_t secret[64];
	size_t len = 0;
	char hexsecret[41];
	sqlite3 *db;
	sqlite3_stmt *s;
	size_t i;
	FILE *f;
	char *buf;
	long sz;

	enroll_active(c, "alice", TFA_TOKEN_TOTP, secret, &len);
	tfa_ctx_close(c);
	for (i = 0; i < len; i++)
		snprintf(hexsecret + 2 * i, 3, "%02x", secret[i]);
	/* neither raw bytes nor hex of the secret appear in the file */
	f = fopen(p->db, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	sz = ftell(f);
	rewind(f);
	buf = malloc((size_t)sz + 1);
	assert_int_equal(fread(buf, 1, (size_t)sz, f), (size_t)sz);
	fclose(f);
	assert_null(memmem(buf, (size_t)sz, secret, len));
	assert_null(memmem(buf, (size_t)sz, hexsecret, 40));
	free(buf);
	/* a record moved to another user no longer decrypts */
	assert_int_equal(sqlite3_open(p->db, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "INSERT INTO users(name) VALUES('mallory');"
				      "UPDATE tokens SET user='mallory'", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	c = fx_ctx(p);
	{
		tfa_err err = { "" };
		char code[9];

		totp_at(secret, len, time(NULL), code);
		assert_int_equal(tfa_verify(c, "mallory", code, time(NULL), NULL, &err), TFA_EKEY);
		assert_non_null(strstr(err.msg, "decrypt"));
	}
	tfa_ctx_close(c);
	(void)s;
}

static void test_wrong_key_file(void **state)
{
	fx *p = *state;
	tfa_ctx *c = fx_ctx(p);
	tfa_store *st = NULL;
	tfa_err err = { "" };
	FILE *f;

	tfa_ctx_close(c);
	assert_int_equal(unlink(p->key), 0);
	/* missing key for an existing store is never silently replaced */
	assert_int_equal(tfa_store_open(p->db, p->key, TFA_STORE_CREATE, &st, &err), TFA_EKEY);
	assert_non_null(strstr(err.msg, p->key));
	f = fopen(p->key, "w");
	assert_non_null(f);
	fputs("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n", f);
	fclose(f);
	assert_int_equal(chmod(p->key, 0600), 0);
	assert_int_equal(tfa_store_open(p->db, p->key, 0, &st, &err), TFA_EKEY);
	assert_non_null(strstr(err.msg, "not the key"));
}

static void test_unsafe_files(void **state)
{
	fx *p = *state;
	tfa_ctx *c = fx_ctx(p);
	tfa_store *st = NULL;
	tfa_err err = { "" };
	char link[160];

	tfa_ctx_close(c);
	assert_int_equal(chmod(p->db, 0660), 0);
	assert_int_equal(tfa_store_open(p->db, p->key, 0, &st, &err), TFA_ESTORE);
	assert_non_null(strstr(err.msg, "writable by group"));
	assert_int_equal(chmod(p->db, 0600), 0);
	assert_int_equal(chmod(p->key, 0602), 0);       /* writable by others: refused */
	assert_int_equal(tfa_store_open(p->db, p->key, 0, &st, &err), TFA_EKEY);
	assert_non_null(strstr(err.msg, p->key));
	assert_int_equal(chmod(p->key, 0600), 0);
	snprintf(link, sizeof(link), "%s/link.db", p->dir);
	assert_int_equal(symlink(p->db, link), 0);
	assert_int_equal(tfa_store_open(link, p->key, 0, &st, &err), TFA_ESTORE);
	assert_non_null(strstr(err.msg, "symbolic link"));
	if (geteuid() == 0) {
		assert_int_equal(chown(p->db, 1, 1), 0);
		assert_int_equal(tfa_store_open(p->db, p->key, 0, &st, &err), TFA_ESTORE);
		assert_non_null(strstr(err.msg, "not root"));
	}
}

static void test_corrupt_store(void **state)
{
	fx *p = *state;
	tfa_ctx *c = fx_ctx(p);
	tfa_store *st = NULL;
	tfa_err err = { "" };
	int fd;

	tfa_ctx_close(c);
	fd = open(p->db, O_WRONLY | O_TRUNC);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "this is not a database, just garbage bytes......"
			       "................................................", 96), 96);
	close(fd);
	assert_int_not_equal(tfa_store_open(p->db, p->key, 0, &st, &err), TFA_OK);
	assert_null(st);
	assert_non_null(strstr(err.msg, p->db));
}

static void test_policy_normalize(void **state)
{
	tfa_err err = { "" };
	char *n = NULL;

	(void)state;
	assert_int_equal(tfa_policy_normalize("enabled", "Yes", &n, &err), TFA_OK);
	assert_string_equal(n, "yes");
	free(n);
	assert_int_equal(tfa_policy_normalize("enabled", "off", &n, &err), TFA_OK);
	assert_string_equal(n, "no");
	free(n);
	assert_int_equal(tfa_policy_normalize("enabled", "maybe", &n, &err), TFA_EINVAL);
	assert_non_null(strstr(err.msg, "enabled"));
	assert_int_equal(tfa_policy_normalize("window", "3", &n, &err), TFA_OK);
	assert_string_equal(n, "3");
	free(n);
	assert_int_equal(tfa_policy_normalize("window", "-1", &n, &err), TFA_EINVAL);
	assert_int_equal(tfa_policy_normalize("window", "99999999999", &n, &err), TFA_EINVAL);
	assert_int_equal(tfa_policy_normalize("max_failures", "0", &n, &err), TFA_EINVAL);
	assert_int_equal(tfa_policy_normalize("max_failures", "", &n, &err), TFA_EINVAL);
	assert_int_equal(tfa_policy_normalize("required_groups", " wheel, admins,,wheel ", &n, &err),
			 TFA_OK);
	assert_string_equal(n, "wheel,admins");
	free(n);
	assert_int_equal(tfa_policy_normalize("required_groups", "", &n, &err), TFA_OK);
	assert_string_equal(n, "");
	free(n);
	assert_int_equal(tfa_policy_normalize("required_groups", "wh;eel", &n, &err), TFA_EINVAL);
	assert_int_equal(tfa_policy_normalize("issuer", "Example\nCorp", &n, &err), TFA_EINVAL);
	assert_int_equal(tfa_policy_normalize("nosuchkey", "1", &n, &err), TFA_EINVAL);
}

static void test_policy_store_and_rules(void **state)
{
	fx *p = *state;
	tfa_ctx *c = fx_ctx(p);
	tfa_err err = { "" };
	tfa_user_status s;
	tfa_policy pol;
	char *v = NULL;

	assert_int_equal(c->policy.enabled, 0);
	assert_int_equal(c->policy.window, 1);
	assert_int_equal(c->policy.max_failures, 10);   /* pam_twofactor(8): 10 */
	assert_int_equal(tfa_status(c, "alice", 0, &s, &err), TFA_OK);
	assert_int_equal(s.required, 0);
	assert_int_equal(s.rule, TFA_RULE_OFF_GLOBALLY);
	assert_int_equal(tfa_policy_set(c, "enabled", "yes", &err), TFA_OK);
	assert_int_equal(tfa_policy_set(c, "window", "2", &err), TFA_OK);
	assert_int_equal(tfa_policy_load(c->store, &pol, &err), TFA_OK);
	assert_int_equal(pol.enabled, 1);
	assert_int_equal(pol.window, 2);
	assert_int_equal(tfa_policy_value(&pol, "window", &v), TFA_OK);
	assert_string_equal(v, "2");
	free(v);
	tfa_policy_free(&c->policy);
	c->policy = pol;
	assert_int_equal(tfa_status(c, "alice", 0, &s, &err), TFA_OK);
	assert_int_equal(s.required, 0);
	assert_int_equal(s.rule, TFA_RULE_DEFAULT);
	assert_int_equal(tfa_user_set_required(c, "alice", TFA_REQ_ON, &err), TFA_OK);
	assert_int_equal(tfa_status(c, "alice", 0, &s, &err), TFA_OK);
	assert_int_equal(s.required, 1);
	assert_int_equal(s.rule, TFA_RULE_USER_ON);
	c->policy.default_required = 1;
	assert_int_equal(tfa_user_set_required(c, "alice", TFA_REQ_OFF, &err), TFA_OK);
	assert_int_equal(tfa_status(c, "alice", 0, &s, &err), TFA_OK);
	assert_int_equal(s.required, 0);
	assert_int_equal(s.rule, TFA_RULE_USER_OFF);
	assert_int_equal(tfa_status(c, "bob", 0, &s, &err), TFA_OK);
	assert_int_equal(s.required, 1);
	/* root is in group root: a group rule beats the default */
	c->policy.default_required = 0;
	free(c->policy.required_groups);
	c->policy.required_groups = strdup("nosuchgroup,root");
	assert_int_equal(tfa_status(c, "root", 0, &s, &err), TFA_OK);
	assert_int_equal(s.required, 1);
	assert_int_equal(s.rule, TFA_RULE_GROUP);
	assert_string_equal(s.group, "root");
	/* a bad stored value fails closed */
	assert_int_equal(tfa_store_policy_set(c->store, "window", "lots", NULL, &err), TFA_OK);
	assert_int_equal(tfa_policy_load(c->store, &pol, &err), TFA_ESTORE);
	tfa_ctx_close(c);
}

/* pam_twofactor(8), USER NAMES: any name a directory returns is valid -
 * DOMAIN\user, UTF-8, spaces, a leading '-' - but not control characters or
 * over TFA_USER_MAX bytes; such names are stored and read back as they
 * are. */
static int count_audit(const tfa_audit_rec *r, void *arg)
{
	(void)r;
	(*(int *)arg)++;
	return 0;
}

static void test_user_names(void **state)
{
	static const char *const good[] = {
		"DOMAIN\\bob", "j\xc3\xbcrgen", "a b", "-x", ".x", "x'y\"z", "%s%n",
	};
	static const char *const bad[] = { "", "a\nb", "a\tb", "\x1b[31m", "a\x7f" };
	char longname[TFA_USER_MAX + 2];
	fx *p = *state;
	tfa_ctx *c = fx_ctx(p);
	tfa_err err = { "" };
	tfa_user u;
	size_t i;
	int n;

	memset(longname, 'a', sizeof(longname));
	longname[TFA_USER_MAX + 1] = '\0';
	assert_false(tfa_user_valid(longname));
	longname[TFA_USER_MAX] = '\0';
	assert_true(tfa_user_valid(longname));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(tfa_user_valid(bad[i]));
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_true(tfa_user_valid(good[i]));
		assert_int_equal(tfa_user_set_required(c, good[i], TFA_REQ_ON, &err),
				 TFA_OK);
		assert_int_equal(tfa_store_user_get(c->store, good[i], &u, &err), TFA_OK);
		assert_string_equal(u.name, good[i]);
		assert_int_equal(u.required, TFA_REQ_ON);
		/* the setting wrote its own audit row, in its transaction */
		n = 0;
		assert_int_equal(tfa_store_audit_list(c->store, good[i], 0, count_audit, &n, &err),
				 TFA_OK);
		assert_int_equal(n, 1);
	}
	assert_string_equal(tfa_user_esc("DOMAIN\\b\xc3\xbc").s, "DOMAIN\\x5cb\\xc3\\xbc");
	tfa_ctx_close(c);
}

static void test_verify_replay_window(void **state)
{
	fx *p = *state;
	tfa_ctx *c = fx_ctx(p);
	tfa_err err = { "" };
	uint8_t secret[64];
	size_t len;
	char code[9];
	int64_t now = 1700000000 + 15;   /* middle of a step */

	enroll_active(c, "alice", TFA_TOKEN_TOTP, secret, &len);
	totp_at(secret, len, now, code);
	assert_int_equal(tfa_verify(c, "alice", code, now, NULL, &err), TFA_OK);
	assert_int_equal(tfa_verify(c, "alice", code, now, NULL, &err), TFA_REPLAYED);
	/* an older step than the last used one is refused too */
	totp_at(secret, len, now - 30, code);
	assert_int_equal(tfa_verify(c, "alice", code, now, NULL, &err), TFA_REPLAYED);
	/* next step within the window is fine, two steps ahead is not */
	totp_at(secret, len, now + 30, code);
	assert_int_equal(tfa_verify(c, "alice", code, now, NULL, &err), TFA_OK);
	totp_at(secret, len, now + 90, code);
	assert_int_equal(tfa_verify(c, "alice", code, now, NULL, &err), TFA_REJECTED);
	assert_int_equal(tfa_verify(c, "alice", "12345", now, NULL, &err), TFA_REJECTED);
	assert_int_equal(tfa_verify(c, "alice", "", now, NULL, &err), TFA_REJECTED);
	assert_int_equal(tfa_verify(c, "bob", "123456", now, NULL, &err), TFA_ENOENT);
	assert_int_equal(tfa_verify(c, "ali\nce", "123456", now, NULL, &err), TFA_EINVAL);
	tfa_ctx_close(c);
}

static void test_hotp_lookahead(void **state)
{
	fx *p = *state;
	tfa_ctx *c = fx_ctx(p);
	tfa_err err = { "" };
	uint8_t secret[64];
	size_t len;
	char code[9];

	enroll_active(c, "hank", TFA_TOKEN_HOTP, secret, &len);
	assert_int_equal(otp_hotp(secret, len, OTP_SHA1, 3, 6, code), TFA_OK);
	assert_int_equal(tfa_verify(c, "hank", code, 0, NULL, &err), TFA_OK);
	assert_int_equal(tfa_verify(c, "hank", code, 0, NULL, &err), TFA_REPLAYED);
	assert_int_equal(otp_hotp(secret, len, OTP_SHA1, 2, 6, code), TFA_OK);
	assert_int_equal(tfa_verify(c, "hank", code, 0, NULL, &err), TFA_REPLAYED);
	assert_int_equal(otp_hotp(secret, len, OTP_SHA1, 4 + 11, 6, code), TFA_OK);
	assert_int_equal(tfa_verify(c, "hank", code, 0, NULL, &err), TFA_REJECTED);
	assert_int_equal(otp_hotp(secret, len, OTP_SHA1, 4 + 10, 6, code), TFA_OK);
	assert_int_equal(tfa_verify(c, "hank", code, 0, NULL, &err), TFA_OK);
	tfa_ctx_close(c);
}

static void test_lockout_doubles(void **state)
{
	fx *p = *state;
	tfa_ctx *c = fx_ctx(p);
	tfa_err err = { "" };
	tfa_verify_result r;
	uint8_t secret[64];
	size_t len;
	char code[9];
	int64_t now = 1800000000;
	int i;

	c->policy.max_failures = 5;   /* the default is 10; five keep the test short */
	enroll_active(c, "alice", TFA_TOKEN_TOTP, secret, &len);
	for (i = 0; i < 4; i++)
		assert_int_equal(tfa_verify(c, "alice", "000000", now, &r, &err), TFA_REJECTED);
	assert_int_equal(r.failures, 4);
	assert_int_equal(tfa_verify(c, "alice", "000000", now, &r, &err), TFA_REJECTED);
	assert_true(r.locked_now);
	assert_int_equal(r.locked_until, now + 60);
	/* while locked even the right code is not evaluated */
	totp_at(secret, len, now + 10, code);
	assert_int_equal(tfa_verify(c, "alice", code, now + 10, &r, &err), TFA_LOCKED);
	/* after the lockout, five more failures lock for twice as long */
	for (i = 0; i < 5; i++)
		(void)tfa_verify(c, "alice", "000000", now + 61, &r, &err);
	assert_int_equal(r.locked_until, now + 61 + 120);
	assert_int_equal(tfa_user_unlock(c, "alice", &err), TFA_OK);
	assert_int_equal(tfa_verify(c, "alice", code, now + 10, &r, &err), TFA_OK);
	tfa_ctx_close(c);
}

static void test_confirm_and_reset(void **state)
{
	fx *p = *state;
	tfa_ctx *c = fx_ctx(p);
	tfa_err err = { "" };
	tfa_enroll_opts o;
	tfa_user_status s;
	tfa_uri u;
	char *uri = NULL, code[9];
	unsigned revoked = 0;
	int64_t now = 1700000100;

	tfa_enroll_opts_init(&o);
	assert_int_equal(tfa_enroll(c, "carol", &o, NULL, &uri, NULL, &err), TFA_OK);
	memset(&u, 0, sizeof(u));
	assert_int_equal(tfa_uri_parse(uri, &u), TFA_OK);
	tfa_free_secret(uri);
	totp_at(u.secret, u.secret_len, now, code);
	/* pending: login does not accept it yet */
	assert_int_equal(tfa_verify(c, "carol", code, now, NULL, &err), TFA_ENOENT);
	assert_int_equal(tfa_confirm(c, "carol", code, now, NULL, &err), TFA_OK);
	/* the confirming code is used up */
	assert_int_equal(tfa_verify(c, "carol", code, now, NULL, &err), TFA_REPLAYED);
	assert_int_equal(tfa_status(c, "carol", now, &s, &err), TFA_OK);
	assert_int_equal(s.active, 1);
	assert_int_equal(s.pending, 0);
	assert_int_equal(tfa_user_reset(c, "carol", &revoked, NULL, &err), TFA_OK);
	assert_int_equal(revoked, 1);
	totp_at(u.secret, u.secret_len, now + 30, code);
	assert_int_equal(tfa_verify(c, "carol", code, now + 30, NULL, &err), TFA_ENOENT);
	assert_int_equal(tfa_user_reset(c, "carol", &revoked, NULL, &err), TFA_ENOENT);
	tfa_uri_clear(&u);
	tfa_ctx_close(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FX_TEST(test_create_modes),
		FX_TEST(test_missing_store_not_created),
		FX_TEST(test_schema_version),
		FX_TEST(test_user_names),
		cmocka_unit_test(test_seal_roundtrip_and_tamper),
		FX_TEST(test_secret_encrypted_at_rest),
		FX_TEST(test_wrong_key_file),
		FX_TEST(test_unsafe_files),
		FX_TEST(test_corrupt_store),
		cmocka_unit_test(test_policy_normalize),
		FX_TEST(test_policy_store_and_rules),
		FX_TEST(test_verify_replay_window),
		FX_TEST(test_hotp_lookahead),
		FX_TEST(test_lockout_doubles),
		FX_TEST(test_confirm_and_reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
