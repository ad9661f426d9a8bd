/* SPDX-License-Identifier: BSD-2-Clause */
/* store_backup.c - tfa-admin backup and the file side of tfa-admin restore:
 * writing a consistent copy, staging and checking a backup, telling an
 * unreadable store from a busy one, and copying a backup over an
 * unreadable store. The merge of replay state is in store_restore.c.
 *
 * `cp tfa.db` is not a backup: committed logins may still be only in
 * tfa.db-wal, and an old -wal next to a copied file is replayed onto it. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "safefile.h"
#include "store_internal.h"

#define RESTORE_BUSY_MS 30000
static const char sqlite_magic[16] = "SQLite format 3";   /* with its NUL */

/* Copy every page of @src's main database into @dst in one step (one read
 * snapshot of @src: a consistent copy while others write). */
static tfa_rc copy_pages(sqlite3 *src, sqlite3 *dst, const char *to, tfa_err *err)
{
	sqlite3_backup *b;
	int r;

	b = sqlite3_backup_init(dst, "main", src, "main");
	if (b == NULL)
		return tfa_err_set(err, TFA_ESTORE, "cannot copy the store to %s: %s", to,
				   sqlite3_errmsg(dst));
	r = sqlite3_backup_step(b, -1);
	(void)sqlite3_backup_finish(b);
	if (r != SQLITE_DONE)
		return tfa_err_set(err, r == SQLITE_NOMEM ? TFA_ENOMEM : TFA_ESTORE,
				   "cannot copy the store to %s: %s", to,
				   r == SQLITE_BUSY || r == SQLITE_LOCKED ? "the store is busy" :
				   sqlite3_errstr(r));
	return TFA_OK;
}

static tfa_rc open_db(const char *path, int flags, sqlite3 **db, tfa_err *err)
{
	if (sqlite3_open_v2(path, db, flags | SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_EXRESCODE,
			    NULL) != SQLITE_OK)
		return tfa_err_set(err, TFA_ESTORE, "cannot open %s: %s", path,
				   *db != NULL ? sqlite3_errmsg(*db) : "out of memory");
	sqlite3_busy_timeout(*db, RESTORE_BUSY_MS);
	return TFA_OK;
}

static void close_db(sqlite3 **db)
{
	if (*db != NULL)
		(void)sqlite3_close_v2(*db);
	*db = NULL;
}

/* Remove @base with @suffix ("-wal", "-shm", "-journal"); absent is fine. */
static tfa_rc unlink_side(const char *base, const char *suffix, tfa_err *err)
{
	char p[4096];

	if ((size_t)snprintf(p, sizeof(p), "%s%s", base, suffix) >= sizeof(p))
		return tfa_err_set(err, TFA_EINVAL, "path too long: %s", base);
	if (unlink(p) != 0 && errno != ENOENT)
		return tfa_err_set(err, TFA_ESTORE, "cannot remove %s: %s", p, strerror(errno));
	return TFA_OK;
}

static void unlink_all(const char *base)
{
	if (base == NULL)
		return;
	(void)unlink_side(base, "-journal", NULL);
	(void)unlink_side(base, "-wal", NULL);
	(void)unlink_side(base, "-shm", NULL);
	(void)unlink(base);
}

static tfa_rc sync_dir_of(const char *path, tfa_err *err)
{
	char *copy = strdup(path);
	int fd = -1;
	tfa_rc rc = TFA_OK;

	if (copy == NULL)
		return tfa_err_set(err, TFA_ENOMEM, "out of memory");
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) != 0)
		rc = tfa_err_set(err, TFA_ESTORE, "cannot sync the directory of %s: %s", path,
				 strerror(errno));
	if (fd >= 0)
		close(fd);
	free(copy);
	return rc;
}

/* "@path.@tag-XXXXXX", created 0600 (mkstemp), in *@tmp / *@fd. */
static tfa_rc make_temp(const char *path, const char *tag, char **tmp, int *fd, tfa_err *err)
{
	size_t len = strlen(path) + strlen(tag) + 9;

	*tmp = malloc(len);
	if (*tmp == NULL)
		return tfa_err_set(err, TFA_ENOMEM, "out of memory");
	(void)snprintf(*tmp, len, "%s.%s-XXXXXX", path, tag);
	*fd = mkostemp(*tmp, O_CLOEXEC);
	if (*fd < 0 || fchmod(*fd, 0600) != 0) {
		(void)tfa_err_set(err, TFA_ESTORE, "cannot create a file next to %s: %s", path,
				  strerror(errno));
		if (*fd >= 0) {
			close(*fd);
			(void)unlink(*tmp);
		}
		*fd = -1;
		free(*tmp);
		*tmp = NULL;
		return TFA_ESTORE;
	}
	return TFA_OK;
}

/* Refuse @file when it is the store itself or (without @force) exists. */
static tfa_rc backup_target_ok(tfa_store *st, const char *file, int force, tfa_err *err)
{
	struct stat fs, ss;

	if (lstat(file, &fs) != 0)
		return errno == ENOENT ? TFA_OK :
		       tfa_err_set(err, TFA_EIO, "cannot examine %s: %s", file, strerror(errno));
	if (stat(file, &fs) == 0 && fstat(st->fd, &ss) == 0 && fs.st_dev == ss.st_dev &&
	    fs.st_ino == ss.st_ino)
		return tfa_err_set(err, TFA_EINVAL, "%s is the store itself: back it up to "
				   "another file", file);
	if (S_ISDIR(fs.st_mode))
		return tfa_err_set(err, TFA_EINVAL, "%s is a directory: give a file name", file);
	if (!force)
		return tfa_err_set(err, TFA_EEXIST, "%s exists: not overwritten (--force "
				   "replaces it)", file);
	return TFA_OK;
}

TFA_API tfa_rc tfa_store_backup(tfa_store *st, const char *file, int force,
				const tfa_audit_rec *audit, tfa_err *err)
{
	sqlite3 *dst = NULL;
	char *tmp = NULL;
	int fd = -1;
	tfa_rc rc;

	if (file == NULL || *file == '\0')
		return tfa_err_set(err, TFA_EINVAL, "no backup file given");
	rc = backup_target_ok(st, file, force, err);
	if (rc != TFA_OK)
		return rc;
	rc = make_temp(file, "tmp", &tmp, &fd, err);
	if (rc != TFA_OK)
		return rc;
	rc = open_db(tmp, SQLITE_OPEN_READWRITE, &dst, err);
	if (rc == TFA_OK)
		rc = copy_pages(st->db, dst, file, err);
	/* self-contained: readable without a -wal, by any SQLite */
	if (rc == TFA_OK && sqlite3_exec(dst, "PRAGMA journal_mode=DELETE", NULL, NULL, NULL)
	    != SQLITE_OK)
		rc = tfa_err_set(err, TFA_ESTORE, "backup %s: %s", file, sqlite3_errmsg(dst));
	close_db(&dst);
	if (rc != TFA_OK)
		goto out;
	if (fsync(fd) != 0) {
		rc = tfa_err_set(err, TFA_ESTORE, "cannot sync %s: %s", tmp, strerror(errno));
		goto out;
	}
	if (force ? rename(tmp, file) != 0 : link(tmp, file) != 0) {
		rc = errno == EEXIST ?
		     tfa_err_set(err, TFA_EEXIST, "%s exists: not overwritten (--force replaces "
				 "it)", file) :
		     tfa_err_set(err, TFA_ESTORE, "cannot write %s: %s", file, strerror(errno));
		goto out;
	}
	if (!force)
		(void)unlink(tmp);
	free(tmp);
	tmp = NULL;
	rc = sync_dir_of(file, err);
	if (rc == TFA_OK && audit != NULL)
		rc = tfa_db_audit_insert(st, NULL, audit->event, audit->detail, err);
out:
	if (fd >= 0)
		close(fd);
	unlink_all(tmp);
	free(tmp);
	return rc;
}

/* ---- restore: the backup file, staged next to the store ---- */

/* Copy the bytes of @file (store rules: not a symlink, owner, mode) into a
 * new 0600 file next to the store @path; *@stage names it. */
static tfa_rc stage_copy(const char *path, const char *file, char **stage, tfa_err *err)
{
	char buf[65536];
	int in = -1, out = -1;
	ssize_t n;
	size_t total = 0;
	tfa_rc rc;

	rc = tfa_safe_open(file, O_RDONLY, TFA_SAFE_STORE, &in, NULL, err);
	if (rc == TFA_ENOENT)
		rc = tfa_err_set(err, TFA_ENOENT, "backup %s does not exist", file);
	if (rc != TFA_OK)
		return rc;
	rc = make_temp(path, "restore", stage, &out, err);
	if (rc != TFA_OK)
		goto out;
	while ((n = read(in, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || write(out, buf, (size_t)n) != n) {
			rc = tfa_err_set(err, TFA_ESTORE, "cannot copy %s: %s", file,
					 strerror(errno != 0 ? errno : EIO));
			goto out;
		}
		if (total == 0 && (n < (ssize_t)sizeof(sqlite_magic) ||
				   memcmp(buf, sqlite_magic, sizeof(sqlite_magic)) != 0))
			break;
		total += (size_t)n;
	}
	if (total == 0)
		rc = tfa_err_set(err, TFA_ESTORE, "backup %s is not a twofactor store (not an "
				 "SQLite database): refused, the store is unchanged", file);
out:
	if (out >= 0)
		close(out);
	close(in);
	return rc;
}

/* @msg with @from replaced by @to, into @out. */
static void renamed(const char *msg, const char *from, const char *to, char *out, size_t len)
{
	const char *at = strstr(msg, from);

	if (at == NULL)
		(void)snprintf(out, len, "%s", msg);
	else
		(void)snprintf(out, len, "%.*s%s%s", (int)(at - msg), msg, to, at + strlen(from));
}

/* Open the staged copy with the key, as any store; the messages name @file. */
static tfa_rc stage_open(const char *stage, const char *file, const char *keyfile,
			 tfa_store **bk, tfa_err *err)
{
	tfa_err e = { .msg = "" };
	char why[TFA_ERRMSG_MAX];
	char *v = NULL;
	tfa_rc rc;

	rc = tfa_store_open(stage, keyfile, 0, bk, &e);
	if (rc == TFA_EKEY)
		return tfa_err_set(err, TFA_EKEY, "backup %s was not made with key file %s (another "
				   "store's backup, or a replaced key): refused, the store is "
				   "unchanged", file, keyfile);
	if (rc != TFA_OK) {
		renamed(e.msg, stage, file, why, sizeof(why));
		return tfa_err_set(err, rc == TFA_ENOMEM ? rc : TFA_ESTORE, "backup %s is not a "
				   "usable twofactor store (%s): refused, the store is unchanged",
				   file, why);
	}
	rc = tfa_db_text(*bk, "PRAGMA quick_check", "", &v, "checking the backup", err);
	if (rc == TFA_OK && (v == NULL || strcmp(v, "ok") != 0))
		rc = tfa_err_set(err, TFA_ESTORE, "backup %s is damaged (integrity check failed): "
				 "refused, the store is unchanged", file);
	free(v);
	return rc;
}

/* Whether the store at @path is positively unreadable as a store (empty,
 * not SQLite, corrupt, not initialised) - never merely busy or refused by
 * the file rules. *@why says how. */
static int unreadable(const char *path, const char **why)
{
	char head[sizeof(sqlite_magic)];
	sqlite3 *db = NULL;
	struct stat sb;
	int fd = -1, bad = 0, r;

	if (tfa_safe_open(path, O_RDONLY, TFA_SAFE_STORE, &fd, NULL, NULL) != TFA_OK)
		return 0;
	if (fstat(fd, &sb) == 0 && sb.st_size == 0) {
		*why = "it is empty";
		bad = 1;
	} else if (read(fd, head, sizeof(head)) != (ssize_t)sizeof(head) ||
		   memcmp(head, sqlite_magic, sizeof(head)) != 0) {
		*why = "it is not an SQLite database";
		bad = 1;
	}
	if (bad || open_db(path, SQLITE_OPEN_READWRITE, &db, NULL) != TFA_OK)
		goto out;
	{
		sqlite3_stmt *s = NULL;

		r = sqlite3_prepare_v2(db, "PRAGMA quick_check(1)", -1, &s, NULL);
		if (r == SQLITE_OK)
			r = sqlite3_step(s);
		if (r == SQLITE_ROW && sqlite3_column_text(s, 0) != NULL &&
		    strcmp((const char *)sqlite3_column_text(s, 0), "ok") != 0)
			r = SQLITE_CORRUPT;
		sqlite3_finalize(s);
	}
	r &= 0xff;
	if (r == SQLITE_CORRUPT || r == SQLITE_NOTADB) {
		*why = "it is corrupt";
		bad = 1;
		goto out;
	}
	if (r != SQLITE_ROW)
		goto out;
	{
		sqlite3_stmt *s = NULL;

		if (sqlite3_prepare_v2(db, "SELECT (SELECT user_version FROM pragma_user_version)"
				       " = 0 OR NOT EXISTS (SELECT 1 FROM sqlite_schema WHERE "
				       "name='meta')", -1, &s, NULL) == SQLITE_OK &&
		    sqlite3_step(s) == SQLITE_ROW && sqlite3_column_int(s, 0) != 0) {
			*why = "it is not initialised";
			bad = 1;
		}
		sqlite3_finalize(s);
	}
out:
	close_db(&db);
	close(fd);
	return bad;
}

/* Copy the staged backup over the unreadable store @path in place (same
 * inode), after removing its stale -wal and -shm. */
static tfa_rc overwrite(const char *path, const char *stage, tfa_err *err)
{
	sqlite3 *src = NULL, *dst = NULL;
	int fd = -1;
	tfa_rc rc;

	rc = tfa_safe_open(path, O_RDWR, TFA_SAFE_STORE, &fd, NULL, err);
	if (rc == TFA_OK)
		rc = unlink_side(path, "-wal", err);
	if (rc == TFA_OK)
		rc = unlink_side(path, "-shm", err);
	if (rc != TFA_OK)
		goto out;
	if (ftruncate(fd, 0) != 0) {
		rc = tfa_err_set(err, TFA_ESTORE, "cannot truncate %s: %s", path, strerror(errno));
		goto out;
	}
	rc = open_db(stage, SQLITE_OPEN_READONLY, &src, err);
	if (rc == TFA_OK)
		rc = open_db(path, SQLITE_OPEN_READWRITE, &dst, err);
	if (rc == TFA_OK)
		rc = copy_pages(src, dst, path, err);
	if (rc == TFA_OK && sqlite3_exec(dst, "PRAGMA journal_mode=WAL", NULL, NULL, NULL)
	    != SQLITE_OK)
		rc = tfa_err_set(err, TFA_ESTORE, "store %s: %s", path, sqlite3_errmsg(dst));
	close_db(&src);
	close_db(&dst);
	if (rc == TFA_OK && fsync(fd) != 0)
		rc = tfa_err_set(err, TFA_ESTORE, "cannot sync %s: %s", path, strerror(errno));
out:
	if (fd >= 0)
		close(fd);
	return rc;
}

/* Whether the open store passes SQLite's quick_check. */
static int intact(tfa_store *st)
{
	char *v = NULL;
	int ok;

	ok = tfa_db_text(st, "PRAGMA quick_check", "", &v, "checking the store", NULL) == TFA_OK &&
	     v != NULL && strcmp(v, "ok") == 0;
	free(v);
	return ok;
}

/* Make the staged copy one file again (its -wal folded in) and close it. */
static tfa_rc stage_close(tfa_store **bk, tfa_err *err)
{
	tfa_rc rc = tfa_db_exec(*bk, "PRAGMA journal_mode=DELETE", err);

	tfa_store_close(*bk);
	*bk = NULL;
	return rc;
}

TFA_API tfa_rc tfa_store_restore(const char *path, const char *keyfile, const char *file,
				 const tfa_audit_rec *audit, tfa_restore_note_fn note, void *arg,
				 tfa_restore_info *info, tfa_err *err)
{
	tfa_restore_info local;
	tfa_store *bk = NULL, *cur = NULL;
	tfa_err cur_err = { .msg = "" };
	const char *why = "";
	char *stage = NULL;
	tfa_rc rc, crc;

	if (info == NULL)
		info = &local;
	memset(info, 0, sizeof(*info));
	if (file == NULL || *file == '\0')
		return tfa_err_set(err, TFA_EINVAL, "no backup file given");
	rc = stage_copy(path, file, &stage, err);
	if (rc == TFA_OK)
		rc = stage_open(stage, file, keyfile, &bk, err);
	if (rc != TFA_OK)
		goto out;
	crc = tfa_store_open(path, keyfile, 0, &cur, &cur_err);
	if (crc == TFA_OK && !intact(cur)) {
		/* it opens, but its pages are damaged: unreadable() decides */
		tfa_store_close(cur);
		cur = NULL;
		crc = tfa_err_set(&cur_err, TFA_ESTORE, "store %s is damaged", path);
	}
	if (crc == TFA_OK) {
		rc = stage_close(&bk, err);
		if (rc == TFA_OK)
			rc = tfa_db_restore_merge(cur, stage, file, audit, note, arg, info, err);
		goto out;
	}
	/* the current store cannot be opened: only a store that is positively
	 * not readable is replaced - never a busy one, one refused by the file
	 * rules, or one of another key */
	if (crc == TFA_EKEY || crc == TFA_ENOMEM || !unreadable(path, &why)) {
		rc = tfa_err_set(err, crc, "%s; nothing restored", cur_err.msg);
		goto out;
	}
	rc = tfa_db_restore_fixup(bk, path, why, audit, note, arg, info, err);
	if (rc == TFA_OK)
		rc = stage_close(&bk, err);
	if (rc == TFA_OK)
		rc = overwrite(path, stage, err);
out:
	tfa_store_close(bk);
	tfa_store_close(cur);
	unlink_all(stage);
	free(stage);
	return rc;
}
