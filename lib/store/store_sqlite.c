/* SPDX-License-Identifier: BSD-2-Clause */
/* store_sqlite.c - the SQLite backend: shared statement helpers and opening.
 * Users, policy and the audit trail are in store_users.c.
 * Tokens and the atomic user transaction are in store_token.c. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "safefile.h"
#include "secret.h"
#include "store_internal.h"

int64_t tfa_now(void)
{
	return (int64_t)time(NULL);
}

tfa_rc tfa_db_err(tfa_store *st, tfa_err *err, const char *what)
{
	int code = sqlite3_errcode(st->db);

	if (code == SQLITE_NOMEM)
		return tfa_err_set(err, TFA_ENOMEM, "out of memory (%s)", what);
	return tfa_err_set(err, TFA_ESTORE, "store %s: %s: %s", st->path, what,
			   sqlite3_errmsg(st->db));
}

/* One statement without rows (BEGIN, COMMIT, ...) runs from the statement
 * cache: a resident context runs them at every request; a script of
 * several goes through sqlite3_exec */
tfa_rc tfa_db_exec(tfa_store *st, const char *sql, tfa_err *err)
{
	sqlite3_stmt *stmt = NULL;
	tfa_rc rc;
	int r;

	if (strchr(sql, ';') != NULL) {
		if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK)
			return tfa_db_err(st, err, "statement failed");
		return TFA_OK;
	}
	rc = tfa_db_prepare(st, sql, &stmt, err);
	if (rc != TFA_OK)
		return rc;
	do
		r = sqlite3_step(stmt);
	while (r == SQLITE_ROW);
	if (r != SQLITE_DONE)
		rc = tfa_db_err(st, err, "statement failed");
	tfa_db_finish(st, stmt);
	return rc;
}

/* Statements are compiled once per connection: a login runs the same few
 * statements, and a resident context (RADIUS) runs them again and again. */
tfa_rc tfa_db_prepare(tfa_store *st, const char *sql, sqlite3_stmt **stmt, tfa_err *err)
{
	tfa_db_cached *c;
	size_t i;

	for (i = 0; i < st->ncache; i++) {
		c = &st->cache[i];
		if (!c->busy && strcmp(c->sql, sql) == 0) {
			c->busy = 1;
			*stmt = c->stmt;
			return TFA_OK;
		}
	}
	if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, stmt, NULL) !=
	    SQLITE_OK) {
		*stmt = NULL;
		return tfa_db_err(st, err, "cannot prepare statement");
	}
	if (st->ncache < TFA_DB_CACHE) {
		c = &st->cache[st->ncache];
		c->sql = strdup(sql);
		if (c->sql != NULL) {   /* else: simply not cached */
			c->stmt = *stmt;
			c->busy = 1;
			st->ncache++;
		}
	}
	return TFA_OK;
}

void tfa_db_finish(tfa_store *st, sqlite3_stmt *stmt)
{
	size_t i;

	if (stmt == NULL)
		return;
	for (i = 0; i < st->ncache; i++) {
		if (st->cache[i].stmt == stmt) {
			(void)sqlite3_reset(stmt);
			(void)sqlite3_clear_bindings(stmt);
			st->cache[i].busy = 0;
			return;
		}
	}
	sqlite3_finalize(stmt);
}

static void cache_free(tfa_store *st)
{
	size_t i;

	for (i = 0; i < st->ncache; i++) {
		sqlite3_finalize(st->cache[i].stmt);
		free(st->cache[i].sql);
	}
	st->ncache = 0;
}

tfa_rc tfa_db_grow(void **arr, size_t *cap, size_t cnt, size_t elem, size_t first,
		   tfa_err *err)
{
	uint8_t *grown;
	size_t ncap;

	if (cnt < *cap)
		return TFA_OK;
	ncap = *cap > 0 ? *cap * 2 : first;
	grown = calloc(ncap, elem);
	if (grown == NULL)
		return tfa_err_set(err, TFA_ENOMEM, "out of memory");
	if (cnt > 0) {
		/* copy, then wipe the old rows: they may hold secrets */
		memcpy(grown, *arr, cnt * elem);
		tfa_wipe(*arr, cnt * elem);
	}
	free(*arr);
	*arr = grown;
	*cap = ncap;
	return TFA_OK;
}

/* Run a statement that returns no rows. */
tfa_rc tfa_db_step_done(tfa_store *st, sqlite3_stmt *stmt, const char *what, tfa_err *err)
{
	int r = sqlite3_step(stmt);

	if (r != SQLITE_DONE)
		return tfa_db_err(st, err, what);
	return TFA_OK;
}

/* Run @sql, which takes the user name as ?1 and returns no rows; *@changes
 * (may be NULL) gets the number of rows it changed. @what names the step
 * in an error message. */
tfa_rc tfa_db_run_user(tfa_store *st, const char *sql, const char *user,
		       const char *what, unsigned *changes, tfa_err *err)
{
	sqlite3_stmt *stmt = NULL;
	tfa_rc rc;

	rc = tfa_db_prepare(st, sql, &stmt, err);
	if (rc != TFA_OK)
		return rc;
	sqlite3_bind_text(stmt, 1, user, -1, SQLITE_STATIC);
	rc = tfa_db_step_done(st, stmt, what, err);
	if (rc == TFA_OK && changes != NULL)
		*changes = (unsigned)sqlite3_changes(st->db);
	tfa_db_finish(st, stmt);
	return rc;
}

tfa_rc tfa_db_ensure_user(tfa_store *st, const char *user, tfa_err *err)
{
	return tfa_db_run_user(st, "INSERT OR IGNORE INTO users(name) VALUES(?1)", user,
			       "adding user", NULL, err);
}

tfa_rc tfa_db_enrolled(tfa_store *st, const char *user, tfa_err *err)
{
	return tfa_db_run_user(st, "UPDATE users SET must_enroll=0 WHERE name=?1 AND must_enroll<>0",
			       user, "recording the enrolment", NULL, err);
}

tfa_rc tfa_db_audit_insert(tfa_store *st, const char *user, const char *event,
			   const char *detail, tfa_err *err)
{
	sqlite3_stmt *stmt = NULL;
	tfa_rc rc;

	rc = tfa_db_prepare(st, "INSERT INTO audit(time, user, event, detail) VALUES(?1,?2,?3,?4)",
			    &stmt, err);
	if (rc != TFA_OK)
		return rc;
	sqlite3_bind_int64(stmt, 1, tfa_now());
	if (user != NULL)
		sqlite3_bind_text(stmt, 2, user, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(stmt, 2);
	sqlite3_bind_text(stmt, 3, event, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 4, detail != NULL ? detail : "", -1, SQLITE_STATIC);
	rc = tfa_db_step_done(st, stmt, "writing the audit trail", err);
	tfa_db_finish(st, stmt);
	return rc;
}

/* ---- opening ---- */

tfa_rc tfa_db_text(tfa_store *st, const char *sql, const char *arg, char **out,
		   const char *what, tfa_err *err)
{
	sqlite3_stmt *stmt = NULL;
	tfa_rc rc;
	int r;

	*out = NULL;
	rc = tfa_db_prepare(st, sql, &stmt, err);
	if (rc != TFA_OK)
		return rc;
	sqlite3_bind_text(stmt, 1, arg, -1, SQLITE_STATIC);
	r = sqlite3_step(stmt);
	if (r == SQLITE_ROW) {
		const char *v = (const char *)sqlite3_column_text(stmt, 0);

		*out = strdup(v != NULL ? v : "");
		if (*out == NULL)
			rc = tfa_err_set(err, TFA_ENOMEM, "out of memory");
	} else if (r != SQLITE_DONE) {
		rc = tfa_db_err(st, err, what);
	}
	tfa_db_finish(st, stmt);
	return rc;
}

static tfa_rc meta_get(tfa_store *st, const char *key, char *val, size_t vallen, int *found,
		       tfa_err *err)
{
	char *v = NULL;
	tfa_rc rc;

	*found = 0;
	rc = tfa_db_text(st, "SELECT value FROM meta WHERE key=?1", key, &v,
			 "reading store metadata", err);
	if (rc == TFA_OK && v != NULL && strlen(v) < vallen) {
		memcpy(val, v, strlen(v) + 1);
		*found = 1;
	}
	free(v);
	return rc;
}

/* Load the key; create it only for a store that has no key yet, and only
 * when creating (tfa-admin init). Without TFA_STORE_CREATE a store without
 * its key check was never initialised: refused. A login takes the key that
 * opens meta "key_seal" (store_key.c); other connections check the HMAC. */
static tfa_rc open_key(tfa_store *st, const char *keyfile, const char *next, unsigned flags,
		       int *absent, tfa_err *err)
{
	char want[33], have[33], *seal = NULL;
	sqlite3_stmt *stmt = NULL;
	int found = 0, login = (flags & TFA_STORE_LOGIN) != 0;
	tfa_rc rc;

	rc = meta_get(st, "key_check", want, sizeof(want), &found, err);
	if (rc != TFA_OK)
		return rc;
	if (!found && (flags & TFA_STORE_CREATE) == 0)
		return tfa_err_set(err, TFA_ESTORE, "store %s is not initialised (it has no key "
				   "check); run \"tfa-admin init\" to initialise it", st->path);
	rc = tfa_db_text(st, "SELECT value FROM meta WHERE key=?1", "key_seal", &seal,
			 "reading store metadata", err);
	if (rc != TFA_OK)
		return rc;
	if (found) {
		if (strlen(want) != 32) {
			rc = tfa_err_set(err, TFA_ESTORE, "store %s: its key check is malformed",
					 st->path);
			goto out;
		}
		rc = tfa_key_pick_sealed(keyfile, next, want, login ? seal : NULL, st->path,
					 &st->key, absent, err);
		if (rc == TFA_OK)
			memcpy(st->key_check, want, sizeof(st->key_check));
		goto out;
	}
	rc = tfa_key_load(keyfile, 1, &st->key, absent, err);
	if (rc != TFA_OK)
		goto out;
	rc = tfa_key_check_value(&st->key, have);
	if (rc != TFA_OK) {
		rc = tfa_err_set(err, rc, "cannot check key file %s", keyfile);
		goto out;
	}
	memcpy(st->key_check, have, sizeof(st->key_check));
	if (st->readonly)
		goto out;               /* not reached: only init creates (read-write) */
	rc = tfa_db_prepare(st, "INSERT OR IGNORE INTO meta(key, value) VALUES('key_check', ?1)",
			    &stmt, err);
	if (rc != TFA_OK)
		goto out;
	sqlite3_bind_text(stmt, 1, have, -1, SQLITE_STATIC);
	rc = tfa_db_step_done(st, stmt, "recording the key check", err);
	tfa_db_finish(st, stmt);
	if (rc != TFA_OK)
		goto out;
	/* a racing creator may have won with another key: re-check */
	rc = meta_get(st, "key_check", want, sizeof(want), &found, err);
	if (rc == TFA_OK && (!found || CRYPTO_memcmp(want, have, 32) != 0))
		rc = tfa_err_set(err, TFA_EKEY, "key file %s is not the key of store %s",
				 keyfile, st->path);
out:
	if (rc == TFA_OK && !st->readonly && !login)
		tfa_db_key_seal_refresh(st, seal);
	free(seal);
	return rc;
}

TFA_API tfa_rc tfa_store_key_changed(tfa_store *st, int *changed, tfa_err *err)
{
	char want[33];
	int found = 0;
	tfa_rc rc;

	*changed = 0;
	rc = meta_get(st, "key_check", want, sizeof(want), &found, err);
	if (rc == TFA_OK && (!found || strlen(want) != 32 ||
			     CRYPTO_memcmp(want, st->key_check, 32) != 0))
		*changed = 1;
	return rc;
}

/* the pepper sealed under the key by tfa-admin rekey (unsealed now: a
 * tampered one refuses the open), else derived from the key when first
 * used (tfa_store_pepper): a login with a TOTP or HOTP code needs no HMAC */
tfa_rc tfa_db_pepper(tfa_store *st, tfa_err *err)
{
	char *sealed = NULL;
	tfa_rc rc;

	rc = tfa_db_text(st, "SELECT value FROM meta WHERE key=?1", "pepper", &sealed,
			 "reading store metadata", err);
	if (rc != TFA_OK)
		return rc;
	st->pepper_derive = sealed == NULL;
	if (sealed != NULL)
		rc = tfa_pepper_unseal(&st->key, sealed, st->path, st->pepper, err);
	free(sealed);
	return rc;
}

TFA_API tfa_rc tfa_store_pepper(const tfa_store *st, uint8_t out[TFA_PEPPER_LEN])
{
	if (st->pepper_derive)
		return tfa_pepper_derive(&st->key, out, NULL);
	memcpy(out, st->pepper, TFA_PEPPER_LEN);
	return TFA_OK;
}

TFA_API int tfa_store_replaced(const tfa_store *st)
{
	struct stat now, held;

	if (st->fd < 0 || st->path == NULL)
		return 0;
	if (stat(st->path, &now) != 0 || fstat(st->fd, &held) != 0)
		return 1;
	return now.st_dev != held.st_dev || now.st_ino != held.st_ino;
}

/* Without TFA_STORE_CREATE a store with no schema (user_version 0: a new,
 * empty or foreign database) is refused, never built: only tfa-admin init
 * creates a store (tfa-admin(8) init). */
static tfa_rc require_initialised(tfa_store *st, tfa_err *err)
{
	sqlite3_stmt *stmt = NULL;
	tfa_rc rc;
	int v = 0;

	rc = tfa_db_prepare(st, "PRAGMA user_version", &stmt, err);
	if (rc != TFA_OK)
		return rc;
	if (sqlite3_step(stmt) == SQLITE_ROW)
		v = sqlite3_column_int(stmt, 0);
	else
		rc = tfa_db_err(st, err, "reading the schema version");
	tfa_db_finish(st, stmt);
	if (rc == TFA_OK && v == 0)
		rc = tfa_err_set(err, TFA_ESTORE, "store %s is not initialised (it has no schema); "
				 "run \"tfa-admin init\" to initialise it", st->path);
	return rc;
}

/* SQLite's own busy handler sleeps 1, 2, 5, 10, 15, 20, 25, 25, 50, 50,
 * 100 ms between tries: with the threads of one RADIUS server (or many
 * sshd logins) on one store, logins spent most of their time asleep behind
 * a write lock held for tens of microseconds (docs/PERFORMANCE.md, RADIUS).
 * This one retries after 20, 40, .. 1280 us, then every 2 ms, and gives
 * up (SQLITE_BUSY) after TFA_BUSY_TIMEOUT_MS as before. */
static int busy_handler(void *arg, int count)
{
	tfa_store *st = arg;
	struct timespec now, pause;
	long long waited_ms;
	long us = count < 7 ? 20L << count : 2000L;

	if (count == 0) {
		if (clock_gettime(CLOCK_MONOTONIC, &st->busy_since) != 0)
			return 0;
	} else {
		if (clock_gettime(CLOCK_MONOTONIC, &now) != 0)
			return 0;
		waited_ms = (long long)(now.tv_sec - st->busy_since.tv_sec) * 1000 +
			    (now.tv_nsec - st->busy_since.tv_nsec) / 1000000;
		if (waited_ms >= TFA_BUSY_TIMEOUT_MS)
			return 0;
	}
	pause.tv_sec = 0;
	pause.tv_nsec = us * 1000L;
	(void)nanosleep(&pause, NULL);
	return 1;
}

void tfa_db_busy_wait(tfa_store *st, int wait)
{
	if (wait)
		(void)sqlite3_busy_handler(st->db, busy_handler, st);
	else
		(void)sqlite3_busy_handler(st->db, NULL, NULL);
}

static tfa_rc open_pragmas(tfa_store *st, unsigned flags, tfa_err *err)
{
	tfa_rc rc;

	tfa_db_busy_wait(st, 1);
	(void)sqlite3_db_config(st->db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	(void)sqlite3_db_config(st->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
	/* the first read: a file that is not a database fails here */
	rc = tfa_db_exec(st, "PRAGMA secure_delete=ON; PRAGMA foreign_keys=ON;"
			 " PRAGMA cell_size_check=ON", err);
	if (rc != TFA_OK)
		return rc;
	if (sqlite3_exec(st->db, "SELECT count(*) FROM sqlite_schema", NULL, NULL, NULL) != SQLITE_OK)
		return tfa_err_set(err, TFA_ESTORE, "store %s is not a usable database: %s",
				   st->path, sqlite3_errmsg(st->db));
	if ((flags & TFA_STORE_CREATE) == 0) {
		rc = require_initialised(st, err);
		if (rc != TFA_OK)
			return rc;
	}
	if (!st->readonly) {
		rc = tfa_db_exec(st, "PRAGMA journal_mode=WAL", err);
		if (rc != TFA_OK)
			return rc;
	}
	return tfa_db_exec(st, "PRAGMA synchronous=FULL", err);
}

/* A store file of 0 bytes: truncated, or created by something else. */
static tfa_rc require_not_empty(tfa_store *st, tfa_err *err)
{
	struct stat sb;

	if (fstat(st->fd, &sb) != 0)
		return tfa_err_set(err, TFA_ESTORE, "cannot stat store %s: %s", st->path,
				   strerror(errno));
	if (sb.st_size == 0)
		return tfa_err_set(err, TFA_ESTORE, "store %s is empty (0 bytes): restore it from "
				   "a backup, or run \"tfa-admin init\" to create a new one", st->path);
	return TFA_OK;
}

TFA_API tfa_rc tfa_store_open(const char *path, const char *keyfile, unsigned flags,
			      tfa_store **out, tfa_err *err)
{
	return tfa_store_open_keys(path, keyfile, NULL, flags, out, NULL, err);
}

TFA_API tfa_rc tfa_store_open_keys(const char *path, const char *keyfile,
				   const char *keyfile_next, unsigned flags, tfa_store **out,
				   int *absent, tfa_err *err)
{
	tfa_store *st = NULL;
	int oflags, sflags, gone = 0;
	tfa_rc rc;

	*out = NULL;
	if (absent != NULL)
		*absent = 0;
	if (path == NULL || *path == '\0' || keyfile == NULL || *keyfile == '\0')
		return tfa_err_set(err, TFA_EINVAL, "store and key file paths must not be empty");
	st = calloc(1, sizeof(*st));
	if (st == NULL)
		return tfa_err_set(err, TFA_ENOMEM, "out of memory");
	st->fd = -1;
	st->readonly = (flags & TFA_STORE_READONLY) != 0;
	st->path = strdup(path);
	if (st->path == NULL) {
		rc = tfa_err_set(err, TFA_ENOMEM, "out of memory");
		goto out;
	}
	oflags = st->readonly ? O_RDONLY : O_RDWR;
	if ((flags & TFA_STORE_CREATE) != 0 && !st->readonly)
		oflags |= O_CREAT;
	rc = tfa_safe_open(path, oflags, TFA_SAFE_STORE, &st->fd, &gone, err);
	if (rc == TFA_ENOENT) {
		rc = tfa_err_set(err, TFA_ESTORE, "store %s does not exist; run \"tfa-admin init\" "
				 "to create it", path);
		goto out;
	}
	if (rc != TFA_OK)
		goto out;
	if ((flags & TFA_STORE_CREATE) == 0) {
		rc = require_not_empty(st, err);
		if (rc != TFA_OK)
			goto out;
	}
	rc = tfa_db_check_header(st, err);
	if (rc != TFA_OK)
		goto out;
	sflags = (st->readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) |
		 SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_FULLMUTEX | SQLITE_OPEN_EXRESCODE;
	if (sqlite3_open_v2(path, &st->db, sflags, tfa_db_vfs_open(st)) != SQLITE_OK) {
		rc = tfa_err_set(err, TFA_ESTORE, "cannot open store %s: %s", path,
				 st->db != NULL ? sqlite3_errmsg(st->db) : "out of memory");
		goto out;
	}
	if ((flags & TFA_STORE_LOGIN) != 0 && !st->readonly)
		tfa_db_login_mode(st);
	rc = open_pragmas(st, flags, err);
	if (rc != TFA_OK)
		goto out;
	/* only init and upgrade change the schema; logins never do */
	rc = !st->readonly && (flags & (TFA_STORE_CREATE | TFA_STORE_UPGRADE)) != 0 ?
	     tfa_schema_migrate(st, (flags & TFA_STORE_UPGRADE) != 0, err) :
	     tfa_schema_check(st, err);
	if (rc != TFA_OK)
		goto out;
	/* without the key (doctor, read-only): records, policy and audit can be
	 * read, no secret can */
	if ((flags & TFA_STORE_NOKEY) == 0 || !st->readonly) {
		rc = open_key(st, keyfile, keyfile_next, flags, &gone, err);
		if (rc != TFA_OK)
			goto out;
		rc = tfa_db_pepper(st, err);
		if (rc != TFA_OK)
			goto out;
	}
	*out = st;
	st = NULL;
out:
	if (absent != NULL && rc != TFA_OK)
		*absent = gone;
	tfa_store_close(st);
	return rc;
}

TFA_API void tfa_store_close(tfa_store *st)
{
	if (st == NULL)
		return;
	cache_free(st);
	/* every statement is finalized, so the connection closes now and its
	 * VFS shim can go; should one be left, the shim stays registered (and
	 * allocated) rather than pulled from under a zombie connection */
	if (st->db != NULL && sqlite3_close(st->db) != SQLITE_OK) {
		(void)sqlite3_close_v2(st->db);
		st->vfs = NULL;
	}
	tfa_db_vfs_close(st);
	if (st->fd >= 0)
		close(st->fd);
	tfa_key_wipe(&st->key);
	tfa_wipe(st->pepper, sizeof(st->pepper));
	free(st->path);
	free(st);
}

TFA_API void tfa_store_schema(const tfa_store *st, int *found, int *current)
{
	*found = st->schema_found;
	*current = TFA_SCHEMA_VERSION;
}

TFA_API const char *tfa_store_path(const tfa_store *st)
{
	return st->path;
}
