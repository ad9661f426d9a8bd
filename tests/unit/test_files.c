/* SPDX-License-Identifier: BSD-2-Clause */
/* test_files.c - the store and key files (issue 11 items 2, 3, 5): only
 * TFA_STORE_CREATE (tfa-admin init) creates; a missing, empty or
 * uninitialised store is refused, named, and never rebuilt; the "absent"
 * answer that failmode=safe relies on is 1 only for a missing file; modes,
 * owners and the directories above both files follow safefile.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "auth.h"
#include "safefile.h"
#include "store.h"

#define FX_STORE
#include "fixture.h"

static off_t size_of(const char *path)
{
	struct stat sb;

	assert_int_equal(stat(path, &sb), 0);
	return sb.st_size;
}

/* Open without CREATE, read-write and read-only, through tfa_ctx_open_ex:
 * refused with @rc (TFA_OK: opens), the message holds @named and @text, and
 * *absent is @absent. */
static void refused(const fx *p, tfa_rc rc, const char *named, const char *text, int absent)
{
	static const unsigned flags[] = { 0, TFA_STORE_READONLY };
	size_t i;

	for (i = 0; i < 2; i++) {
		tfa_ctx *c = NULL;
		tfa_err err = { "" };
		int gone = -1;

		assert_int_equal(tfa_ctx_open_ex(p->db, p->key, flags[i], "test", &c, &gone, &err), rc);
		if (rc == TFA_OK) {
			assert_non_null(c);
			tfa_ctx_close(c);
			continue;
		}
		assert_null(c);
		if (strstr(err.msg, named) == NULL || strstr(err.msg, text) == NULL)
			fail_msg("flags %u: \"%s\" lacks \"%s\" or \"%s\"", flags[i], err.msg, named, text);
		assert_int_equal(gone, absent);
	}
}

static void test_missing_store(void **state)
{
	fx *p = *state;

	refused(p, TFA_ESTORE, p->db, "does not exist; run \"tfa-admin init\"", 1);
	assert_int_equal(access(p->db, F_OK), -1);
	assert_int_equal(access(p->key, F_OK), -1);
	assert_int_equal(mkdir(p->sub, 0700), 0);
	refused(p, TFA_ESTORE, p->db, "does not exist", 1);
	assert_int_equal(access(p->db, F_OK), -1);
}

/* Truncated to 0 bytes: refused, not rebuilt with enabled=no. */
static void test_empty_store(void **state)
{
	fx *p = *state;

	fx_store_init(p);
	assert_int_equal(truncate(p->db, 0), 0);
	refused(p, TFA_ESTORE, p->db, "is empty (0 bytes)", 0);
	refused(p, TFA_ESTORE, p->db, "tfa-admin init", 0);
	assert_int_equal(size_of(p->db), 0);
	/* init may: the admin asked for a new store */
	fx_store_init(p);
	assert_true(size_of(p->db) > 0);
	refused(p, TFA_OK, "", "", 0);
}

/* A database without our schema (user_version 0), and one whose key check
 * was removed: refused, left as they were, no key made. */
static void test_uninitialised_store(void **state)
{
	fx *p = *state;
	sqlite3 *db = NULL;

	assert_int_equal(mkdir(p->sub, 0700), 0);
	assert_int_equal(sqlite3_open(p->db, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE t(x)", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(chmod(p->db, 0600), 0);
	refused(p, TFA_ESTORE, p->db, "is not initialised (it has no schema); run \"tfa-admin init\"", 0);
	assert_int_equal(access(p->key, F_OK), -1);
	assert_int_equal(unlink(p->db), 0);

	fx_store_init(p);
	assert_int_equal(sqlite3_open(p->db, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "DELETE FROM meta WHERE key='key_check'", NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(unlink(p->key), 0);
	refused(p, TFA_ESTORE, p->db, "is not initialised (it has no key check)", 0);
	assert_int_equal(access(p->key, F_OK), -1);      /* no key made */
	fx_store_init(p);                                 /* init repairs it */
	assert_int_equal(access(p->key, F_OK), 0);
	refused(p, TFA_OK, "", "", 0);
}

/* "absent" (failmode=safe) only for a file that does not exist. */
static void test_absent_only_when_missing(void **state)
{
	fx *p = *state;
	struct rlimit old, low;
	tfa_ctx *c = NULL;
	tfa_err err = { "" };
	char key2[160], other[160];
	int gone = -1, fd;

	fx_store_init(p);
	snprintf(key2, sizeof(key2), "%s.away", p->key);
	assert_int_equal(rename(p->key, key2), 0);
	refused(p, TFA_EKEY, p->key, "does not exist", 1);
	assert_int_equal(rename(key2, p->key), 0);

	/* a key of another store */
	snprintf(other, sizeof(other), "%s/other.db", p->sub);
	{
		tfa_store *st = NULL;

		assert_int_equal(rename(p->key, key2), 0);
		assert_int_equal(tfa_store_open(other, p->key, TFA_STORE_CREATE, &st, &err), TFA_OK);
		tfa_store_close(st);
		refused(p, TFA_EKEY, p->key, "is not the key", 0);
		assert_int_equal(rename(key2, p->key), 0);
	}
	/* no descriptor left: EMFILE is not "missing" */
	fd = open("/dev/null", O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
	low = old;
	low.rlim_cur = (rlim_t)fd;      /* every descriptor from fd on fails */
	close(fd);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
	assert_int_not_equal(tfa_ctx_open_ex(p->db, p->key, 0, "test", &c, &gone, &err), TFA_OK);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
	assert_null(c);
	assert_int_equal(gone, 0);
	assert_non_null(strstr(err.msg, strerror(EMFILE)));

	/* garbage */
	fd = open(p->db, O_WRONLY | O_TRUNC);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "not a database at all, only some bytes of text, no header..."
			       "................................................", 108), 108);
	close(fd);
	refused(p, TFA_ESTORE, p->db, "", 0);
}

/* Modes: the key file loses with any group/other bit, the store with
 * others' read or write or group write; both named with the fix. */
static void test_modes(void **state)
{
	static const struct {
		int key;
		mode_t mode;
		const char *text;
	} cases[] = {
		{ 1, 0640, "has permissions for group or others (mode 0640)" },
		{ 1, 0604, "has permissions for group or others (mode 0604)" },
		{ 1, 0610, "has permissions for group or others (mode 0610)" },
		{ 0, 0604, "is readable by others (mode 0604)" },
		{ 0, 0620, "is writable by group or others (mode 0620)" },
		{ 0, 0602, "is writable by group or others (mode 0602)" },
	};
	fx *p = *state;
	char fix[160];
	size_t i;

	fx_store_init(p);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *f = cases[i].key ? p->key : p->db;

		assert_int_equal(chmod(f, cases[i].mode), 0);
		snprintf(fix, sizeof(fix), "chmod 600 %s", f);
		refused(p, cases[i].key ? TFA_EKEY : TFA_ESTORE, f, cases[i].text, 0);
		refused(p, cases[i].key ? TFA_EKEY : TFA_ESTORE, f, fix, 0);
		assert_int_equal(chmod(f, 0600), 0);
	}
	assert_int_equal(chmod(p->db, 0640), 0);        /* group may read the store */
	refused(p, TFA_OK, "", "", 0);
	/* init refuses, it does not "check", a key with a bad mode */
	assert_int_equal(chmod(p->key, 0640), 0);
	{
		tfa_store *st = NULL;
		tfa_err err = { "" };

		assert_int_equal(tfa_store_open(p->db, p->key, TFA_STORE_CREATE, &st, &err), TFA_EKEY);
		assert_non_null(strstr(err.msg, "chmod 600"));
	}
}

/* The directories above: group-writable or another user's refused, a
 * sticky one fine above a good one but not as the file's own. */
static void test_dirs(void **state)
{
	fx *p = *state;
	char fix[160], sticky[128], inner[160], db[192];
	tfa_err err = { "" };
	tfa_store *st = NULL;
	struct passwd *nobody = getpwnam("nobody");

	fx_store_init(p);
	assert_int_equal(chmod(p->sub, 0770), 0);
	snprintf(fix, sizeof(fix), "chmod go-w %s", p->sub);
	refused(p, TFA_ESTORE, p->db, "is writable by group or others (mode 0770)", 0);
	refused(p, TFA_ESTORE, p->db, fix, 0);
	assert_int_equal(chmod(p->sub, 0702), 0);
	refused(p, TFA_ESTORE, p->db, fix, 0);
	assert_int_equal(chmod(p->sub, 0755), 0);
	refused(p, TFA_OK, "", "", 0);
	assert_int_equal(chmod(p->dir, 0775), 0);       /* a grandparent too */
	snprintf(fix, sizeof(fix), "chmod go-w %s", p->dir);
	refused(p, TFA_ESTORE, p->db, fix, 0);
	assert_int_equal(chmod(p->dir, 0700), 0);
	if (geteuid() == 0 && nobody != NULL) {
		assert_int_equal(chown(p->sub, nobody->pw_uid, 0), 0);
		snprintf(fix, sizeof(fix), "chown root %s", p->sub);
		refused(p, TFA_ESTORE, p->db, "is owned by uid", 0);
		refused(p, TFA_ESTORE, p->db, fix, 0);
		assert_int_equal(chown(p->sub, 0, 0), 0);
	}
	/* a store missing from a directory others may write is not "absent" */
	assert_int_equal(chmod(p->sub, 0777), 0);
	assert_int_equal(unlink(p->db), 0);
	refused(p, TFA_ESTORE, p->db, "chmod go-w", 0);
	assert_int_equal(chmod(p->sub, 0700), 0);

	/* sticky: acceptable above a good directory, not as the file's own */
	snprintf(sticky, sizeof(sticky), "%s/sticky", p->dir);
	assert_int_equal(mkdir(sticky, 0700), 0);
	assert_int_equal(chmod(sticky, 01777), 0);
	snprintf(db, sizeof(db), "%s/tfa.db", sticky);
	assert_int_equal(tfa_store_open(db, p->key, TFA_STORE_CREATE, &st, &err), TFA_ESTORE);
	assert_non_null(strstr(err.msg, "mode 1777"));
	assert_int_equal(access(db, F_OK), -1);           /* nothing created */
	snprintf(inner, sizeof(inner), "%s/good", sticky);
	snprintf(db, sizeof(db), "%s/tfa.db", inner);
	assert_int_equal(tfa_store_open(db, p->key, TFA_STORE_CREATE, &st, &err), TFA_OK);
	tfa_store_close(st);
	st = NULL;
	assert_int_equal(tfa_store_open(db, p->key, 0, &st, &err), TFA_OK);
	tfa_store_close(st);
	/* the key's directory is walked too */
	assert_int_equal(chmod(sticky, 0777), 0);          /* no longer sticky */
	assert_int_equal(tfa_store_open(db, p->key, 0, &st, &err), TFA_ESTORE);
	assert_int_equal(chmod(sticky, 01777), 0);
	snprintf(fix, sizeof(fix), "%s/etc", p->dir);
	assert_int_equal(chmod(fix, 0730), 0);
	assert_int_equal(tfa_store_open(db, p->key, 0, &st, &err), TFA_EKEY);
	assert_non_null(strstr(err.msg, "chmod go-w"));
	assert_non_null(strstr(err.msg, fix));
	assert_int_equal(chmod(fix, 0700), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FX_TEST(test_missing_store),
		FX_TEST(test_empty_store),
		FX_TEST(test_uninitialised_store),
		FX_TEST(test_absent_only_when_missing),
		FX_TEST(test_modes),
		FX_TEST(test_dirs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
