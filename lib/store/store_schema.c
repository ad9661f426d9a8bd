/* SPDX-License-Identifier: BSD-2-Clause */
/* store_schema.c - the SQLite schema and its migrations.
 *
 * PRAGMA user_version holds the schema version. Each migration takes the
 * store from version i to i+1; all pending ones run in one transaction. */
#include "config.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include "audit.h"
#include "store_internal.h"

static const char *const migrations[TFA_SCHEMA_VERSION] = {
	/* 0 -> 1 */
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;"
	"CREATE TABLE users("
	" name TEXT PRIMARY KEY,"
	" required INTEGER NOT NULL DEFAULT -1,"
	" failures INTEGER NOT NULL DEFAULT 0,"
	" locked_until INTEGER NOT NULL DEFAULT 0,"
	" lockouts INTEGER NOT NULL DEFAULT 0,"
	" last_login INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;"
	"CREATE TABLE tokens("
	" id INTEGER PRIMARY KEY,"
	" user TEXT NOT NULL REFERENCES users(name),"
	" type INTEGER NOT NULL,"
	" state INTEGER NOT NULL,"
	" alg INTEGER NOT NULL,"
	" digits INTEGER NOT NULL,"
	" period INTEGER NOT NULL,"
	" counter INTEGER NOT NULL DEFAULT 0,"
	" last_step INTEGER NOT NULL DEFAULT -1,"
	" drift INTEGER NOT NULL DEFAULT 0,"
	" serial TEXT NOT NULL DEFAULT '',"
	" created INTEGER NOT NULL,"
	" last_used INTEGER NOT NULL DEFAULT 0,"
	" secret BLOB NOT NULL);"
	"CREATE INDEX tokens_user ON tokens(user, state);"
	"CREATE TABLE policy(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;"
	"CREATE TABLE audit("
	" id INTEGER PRIMARY KEY,"
	" time INTEGER NOT NULL,"
	" user TEXT,"
	" event TEXT NOT NULL,"
	" detail TEXT NOT NULL DEFAULT '');"
	"CREATE INDEX audit_user_time ON audit(user, time);"
	"CREATE INDEX audit_time ON audit(time);",
	/* 1 -> 2: recovery codes, only as salted slow hashes (recovery.c) */
	"CREATE TABLE recovery("
	" id INTEGER PRIMARY KEY,"
	" user TEXT NOT NULL REFERENCES users(name),"
	" salt BLOB NOT NULL,"
	" hash BLOB NOT NULL,"
	" created INTEGER NOT NULL,"
	" used INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX recovery_user ON recovery(user, used);",
	/* 2 -> 3: token cards in stock (user NULL), sms phone, ocra suite,
	 * unique serials; pending challenges (sms code hash, ocra question) */
	"CREATE TABLE tokens_v3("
	" id INTEGER PRIMARY KEY,"
	" user TEXT REFERENCES users(name),"
	" type INTEGER NOT NULL,"
	" state INTEGER NOT NULL,"
	" alg INTEGER NOT NULL,"
	" digits INTEGER NOT NULL,"
	" period INTEGER NOT NULL,"
	" counter INTEGER NOT NULL DEFAULT 0,"
	" last_step INTEGER NOT NULL DEFAULT -1,"
	" drift INTEGER NOT NULL DEFAULT 0,"
	" serial TEXT NOT NULL DEFAULT '',"
	" created INTEGER NOT NULL,"
	" last_used INTEGER NOT NULL DEFAULT 0,"
	" secret BLOB NOT NULL,"
	" phone TEXT NOT NULL DEFAULT '',"
	" suite TEXT NOT NULL DEFAULT '');"
	"INSERT INTO tokens_v3(id, user, type, state, alg, digits, period, counter, last_step,"
	" drift, serial, created, last_used, secret)"
	" SELECT id, user, type, state, alg, digits, period, counter, last_step,"
	" drift, serial, created, last_used, secret FROM tokens;"
	"DROP TABLE tokens;"
	"ALTER TABLE tokens_v3 RENAME TO tokens;"
	"CREATE INDEX tokens_user ON tokens(user, state);"
	"CREATE UNIQUE INDEX tokens_serial ON tokens(serial) WHERE serial <> '';"
	"CREATE TABLE challenges("
	" user TEXT PRIMARY KEY REFERENCES users(name),"
	" token_id INTEGER NOT NULL,"
	" kind INTEGER NOT NULL,"
	" question TEXT NOT NULL DEFAULT '',"
	" salt BLOB NOT NULL DEFAULT x'',"
	" hash BLOB NOT NULL DEFAULT x'',"
	" created INTEGER NOT NULL,"
	" expires INTEGER NOT NULL) WITHOUT ROWID;",
	/* 3 -> 4: a reset user must enrol again (cleared by an enrolment,
	 * `default` or `disable`); the out-of-band deliveries of the last
	 * sms_rate window, for the rate limit */
	"ALTER TABLE users ADD COLUMN must_enroll INTEGER NOT NULL DEFAULT 0;"
	"CREATE TABLE deliveries("
	" id INTEGER PRIMARY KEY,"
	" user TEXT NOT NULL,"
	" time INTEGER NOT NULL);"
	"CREATE INDEX deliveries_user_time ON deliveries(user, time);",
};

static tfa_rc schema_version(tfa_store *st, int *version, tfa_err *err)
{
	sqlite3_stmt *stmt = NULL;
	tfa_rc rc;

	rc = tfa_db_prepare(st, "PRAGMA user_version", &stmt, err);
	if (rc != TFA_OK)
		return rc;
	if (sqlite3_step(stmt) != SQLITE_ROW) {
		rc = tfa_db_err(st, err, "reading the schema version");
		goto out;
	}
	*version = sqlite3_column_int(stmt, 0);
out:
	tfa_db_finish(st, stmt);
	return rc;
}

/* The oldest schema version whose programs can still use a store after
 * migration i -> i+1: a migration that only adds what older programs may
 * ignore (a table, a column with a default they need not honour) keeps the
 * older value, so that hosts of a fleet keep working during a rolling
 * upgrade; every migration so far changed what a login must do, so each
 * needs programs of its own version. Stored in meta "schema_compat". */
static const int compat_after[TFA_SCHEMA_VERSION] = { 1, 2, 3, 4 };

static tfa_rc schema_compat(tfa_store *st, int version, int *compat, tfa_err *err)
{
	char *val = NULL;
	tfa_rc rc;

	*compat = version;
	rc = tfa_db_text(st, "SELECT value FROM meta WHERE key=?1", "schema_compat", &val,
			 "reading the schema compatibility", err);
	if (rc != TFA_OK || val == NULL)
		return rc;
	*compat = atoi(val);
	free(val);
	return TFA_OK;
}

tfa_rc tfa_schema_check(tfa_store *st, tfa_err *err)
{
	int v = 0, compat = 0;
	tfa_rc rc = schema_version(st, &v, err);

	if (rc != TFA_OK)
		return rc;
	st->schema_found = v;
	if (v == TFA_SCHEMA_VERSION)
		return TFA_OK;
	if (v < TFA_SCHEMA_VERSION)
		return tfa_err_set(err, TFA_ESTORE,
				   "store %s has schema version %d, this program needs %d: run "
				   "\"tfa-admin upgrade\" (logins never change the schema)", st->path,
				   v, TFA_SCHEMA_VERSION);
	rc = schema_compat(st, v, &compat, err);
	if (rc != TFA_OK)
		return rc;
	if (compat <= TFA_SCHEMA_VERSION)
		return TFA_OK;   /* a newer schema this program may still use */
	return tfa_err_set(err, TFA_ESTORE,
			   "store %s has schema version %d, which needs programs of schema %d or"
			   " later; this program has schema %d: upgrade twofactor on this host",
			   st->path, v, compat, TFA_SCHEMA_VERSION);
}

tfa_rc tfa_schema_migrate(tfa_store *st, int upgrade, tfa_err *err)
{
	char sql[128], detail[96];
	int v = 0, from;
	tfa_rc rc;

	rc = schema_version(st, &v, err);
	if (rc != TFA_OK)
		return rc;
	st->schema_found = v;
	/* init gives a new store its schema; only upgrade changes an old one */
	if (v >= TFA_SCHEMA_VERSION || (v > 0 && !upgrade))
		return tfa_schema_check(st, err);
	if (v < 0)
		return tfa_err_set(err, TFA_ESTORE, "store %s has a bad schema version %d",
				   st->path, v);
	rc = tfa_db_exec(st, "BEGIN IMMEDIATE", err);
	if (rc != TFA_OK)
		return rc;
	/* re-read under the write lock: another process may have migrated */
	rc = schema_version(st, &v, err);
	if (rc != TFA_OK)
		goto out;
	st->schema_found = v;
	from = v;
	for (; v < TFA_SCHEMA_VERSION; v++) {
		rc = tfa_db_exec(st, migrations[v], err);
		if (rc != TFA_OK)
			goto out;
	}
	(void)snprintf(sql, sizeof(sql), "INSERT OR REPLACE INTO meta(key, value)"
		       " VALUES('schema_compat', '%d')", compat_after[TFA_SCHEMA_VERSION - 1]);
	rc = tfa_db_exec(st, sql, err);
	if (rc != TFA_OK)
		goto out;
	(void)snprintf(sql, sizeof(sql), "PRAGMA user_version=%d", TFA_SCHEMA_VERSION);
	rc = tfa_db_exec(st, sql, err);
	if (rc != TFA_OK)
		goto out;
	/* an upgrade of an existing store is a change of state: audited in
	 * its transaction (a new store's "init" row is written by init) */
	if (from > 0) {
		(void)snprintf(detail, sizeof(detail), "tfa-admin: schema %d -> %d", from,
			       TFA_SCHEMA_VERSION);
		rc = tfa_db_audit_insert(st, NULL, TFA_EV_UPGRADE, detail, err);
		if (rc != TFA_OK)
			goto out;
	}
	rc = tfa_db_exec(st, "COMMIT", err);
out:
	if (rc != TFA_OK)
		(void)sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}
