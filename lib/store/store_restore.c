/* SPDX-License-Identifier: BSD-2-Clause */
/* store_restore.c - tfa-admin restore: the backup's rows put into the open
 * store in one transaction, keeping the newer replay state of the current
 * store (tfa-admin(8) restore):
 *   tokens      the backup's; a token also in the current store (same id,
 *               type and creation time) keeps the larger counter, last time
 *               step and last use, and the current drift; one revoked since
 *               the backup stays revoked
 *   recovery    the backup's; a code stays usable only if the current store
 *               has it unused (used or replaced since: unusable)
 *   users       the backup's settings; failures, lockout and lockout count
 *               from the current store, must_enroll kept once set
 *   audit, deliveries (the sms rate limit)   the current store's, plus the
 *               restore row; challenges pending in either are dropped
 *   policy, meta and any other table         the backup's
 * A token with no match in the current store gets its last TOTP step moved
 * to now (plus drift and window): no code of the past is accepted again.
 * What cannot be carried over is handed to the note callback. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"

struct merge {
	tfa_store *st;
	tfa_restore_note_fn note;
	void *arg;
	tfa_restore_info *info;
};

/* the same token in the backup (t) and the current store (c) */
#define SAME_TOKEN "c.id=t.id AND c.type=t.type AND c.created=t.created"

static void say(struct merge *m, const char *user, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void say(struct merge *m, const char *user, const char *fmt, ...)
{
	char text[300];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	m->info->notes++;
	if (m->note != NULL)
		m->note(m->arg, user != NULL && *user != '\0' ? user : NULL, text);
}

static const char *type_name(int type)
{
	static const char *const names[] = { "totp", "hotp", "sms", "ocra" };

	return type >= 0 && type < 4 ? names[type] : "token";
}

static const char *col_text(sqlite3_stmt *s, int i)
{
	const char *v = (const char *)sqlite3_column_text(s, i);

	return v != NULL ? v : "";
}

/* Run @sql; each row goes to @row. */
static tfa_rc each_row(struct merge *m, const char *sql,
		       void (*row)(struct merge *m, sqlite3_stmt *s), tfa_err *err)
{
	sqlite3_stmt *s = NULL;
	tfa_rc rc;
	int r;

	rc = tfa_db_prepare(m->st, sql, &s, err);
	if (rc != TFA_OK)
		return rc;
	while ((r = sqlite3_step(s)) == SQLITE_ROW)
		row(m, s);
	if (r != SQLITE_DONE)
		rc = tfa_db_err(m->st, err, "reading the stores to restore");
	tfa_db_finish(m->st, s);
	return rc;
}

/* Run @sql (no rows); *@n (may be NULL) gets the rows it changed. */
static tfa_rc run(struct merge *m, const char *sql, unsigned *n, tfa_err *err)
{
	tfa_rc rc = tfa_db_exec(m->st, sql, err);

	if (rc == TFA_OK && n != NULL)
		*n = (unsigned)sqlite3_changes(m->st->db);
	return rc;
}

static void note_current_only(struct merge *m, sqlite3_stmt *s)
{
	say(m, col_text(s, 1), "%s token %lld is not in the backup: gone (enrol again%s)",
	    type_name(sqlite3_column_int(s, 2)), (long long)sqlite3_column_int64(s, 0),
	    *col_text(s, 1) == '\0' ? ", or import the card again" : "");
}

static void note_revoked(struct merge *m, sqlite3_stmt *s)
{
	say(m, col_text(s, 1), "token %lld was revoked after the backup: it stays revoked",
	    (long long)sqlite3_column_int64(s, 0));
}

static void note_unmatched(struct merge *m, sqlite3_stmt *s)
{
	int type = sqlite3_column_int(s, 2);

	if (type == 0)
		say(m, col_text(s, 1), "totp token %lld has no match in the current store: codes "
		    "up to now are refused", (long long)sqlite3_column_int64(s, 0));
	else if (type != 2)
		say(m, col_text(s, 1), "%s token %lld has no match in the current store: its "
		    "counter could not be carried over (codes used after the backup may work "
		    "again: tfa-admin token resync or reset the user)", type_name(type),
		    (long long)sqlite3_column_int64(s, 0));
}

static void note_codes_kept_used(struct merge *m, sqlite3_stmt *s)
{
	say(m, col_text(s, 0), "%d recovery code(s) of the backup were used or replaced after "
	    "it: they stay unusable", sqlite3_column_int(s, 1));
}

static void note_codes_lost(struct merge *m, sqlite3_stmt *s)
{
	say(m, col_text(s, 0), "%d unused recovery code(s) issued after the backup are not in it "
	    "(tfa-admin recovery USER makes new ones)", sqlite3_column_int(s, 1));
}

static void note_user_lost(struct merge *m, sqlite3_stmt *s)
{
	say(m, col_text(s, 0), "not in the backup: its setting and lockout state are gone");
}

static void note_codes_unchecked(struct merge *m, sqlite3_stmt *s)
{
	say(m, col_text(s, 0), "%d unused recovery code(s) could not be checked against the "
	    "current store (tfa-admin recovery USER replaces them)", sqlite3_column_int(s, 1));
}

/* TOTP tokens matching @where (over t) refuse every code up to now. */
static tfa_rc totp_forward(struct merge *m, const char *db, const char *where, tfa_err *err)
{
	char sql[600];
	sqlite3_stmt *s = NULL;
	tfa_rc rc;

	(void)snprintf(sql, sizeof(sql),
		       "UPDATE %s.tokens AS t SET last_step=max(last_step, ?1 / period + abs(drift) +"
		       " coalesce((SELECT max(0, CAST(value AS INTEGER)) FROM %s.policy WHERE"
		       " key='window'), 1)) WHERE type=0 AND state IN (0,1) AND period>0 AND %s",
		       db, db, where);
	rc = tfa_db_prepare(m->st, sql, &s, err);
	if (rc != TFA_OK)
		return rc;
	sqlite3_bind_int64(s, 1, tfa_now());
	rc = tfa_db_step_done(m->st, s, "moving time steps forward", err);
	tfa_db_finish(m->st, s);
	return rc;
}

static tfa_rc counts(struct merge *m, const char *db, tfa_err *err)
{
	char sql[200];
	char *v = NULL;
	tfa_rc rc;

	(void)snprintf(sql, sizeof(sql), "SELECT (SELECT count(*) FROM %s.users) || ' ' ||"
		       " (SELECT count(*) FROM %s.tokens) WHERE ?1 IS NOT NULL", db, db);
	rc = tfa_db_text(m->st, sql, "", &v, "counting", err);
	if (rc == TFA_OK && v != NULL &&
	    sscanf(v, "%u %u", &m->info->users, &m->info->tokens) != 2)
		rc = tfa_err_set(err, TFA_ESTORE, "store %s: cannot count users", m->st->path);
	free(v);
	return rc;
}

static tfa_rc audit_row(struct merge *m, const tfa_audit_rec *audit, tfa_err *err)
{
	char detail[sizeof(audit->detail) + 120];

	if (audit == NULL)
		return TFA_OK;
	(void)snprintf(detail, sizeof(detail), "%s: %u tokens carried forward, %u kept revoked, "
		       "%u recovery codes kept unusable, %u notes%s", audit->detail,
		       m->info->merged, m->info->revoked, m->info->codes_used, m->info->notes,
		       m->info->current_read ? "" : " (current store unreadable)");
	return tfa_db_audit_insert(m->st, NULL, audit->event, detail, err);
}

/* Replace main.@table's rows by bk.@table's, by column name. */
static tfa_rc copy_table(struct merge *m, const char *table, tfa_err *err)
{
	char *cols = NULL, *sql = NULL;
	tfa_rc rc;

	rc = tfa_db_text(m->st, "SELECT group_concat('\"' || replace(name, '\"', '\"\"') || '\"',"
			 " ',') FROM pragma_table_info(?1, 'main')", table, &cols,
			 "reading the columns", err);
	if (rc != TFA_OK || cols == NULL)
		goto out;
	sql = sqlite3_mprintf("DELETE FROM main.\"%w\"; INSERT INTO main.\"%w\"(%s)"
			      " SELECT %s FROM bk.\"%w\"", table, table, cols, cols, table);
	rc = sql == NULL ? tfa_err_set(err, TFA_ENOMEM, "out of memory") : run(m, sql, NULL, err);
out:
	sqlite3_free(sql);
	free(cols);
	return rc;
}

static tfa_rc copy_tables(struct merge *m, tfa_err *err)
{
	sqlite3_stmt *s = NULL;
	tfa_rc rc;
	int r;

	rc = tfa_db_prepare(m->st, "SELECT name FROM main.sqlite_schema WHERE type='table' AND"
			    " name NOT LIKE 'sqlite%' AND name NOT IN ('audit', 'deliveries',"
			    " 'challenges')", &s, err);
	while (rc == TFA_OK && (r = sqlite3_step(s)) != SQLITE_DONE) {
		char *name;

		if (r != SQLITE_ROW) {
			rc = tfa_db_err(m->st, err, "listing the tables");
			break;
		}
		name = strdup(col_text(s, 0));
		rc = name == NULL ? tfa_err_set(err, TFA_ENOMEM, "out of memory") :
		     copy_table(m, name, err);
		free(name);
	}
	tfa_db_finish(m->st, s);
	return rc;
}

static tfa_rc merge_replay(struct merge *m, unsigned dropped, tfa_err *err)
{
	tfa_rc rc;

	rc = run(m, "UPDATE main.tokens AS t SET counter=max(t.counter, c.counter),"
		 " last_step=max(t.last_step, c.last_step), last_used=max(t.last_used, c.last_used),"
		 " drift=c.drift FROM temp.cur_tokens AS c WHERE " SAME_TOKEN, &m->info->merged, err);
	if (rc == TFA_OK)
		rc = run(m, "CREATE TEMP TABLE merge_revoked AS SELECT t.id, t.user FROM main.tokens t"
			 " JOIN temp.cur_tokens c ON " SAME_TOKEN " WHERE c.state=2 AND t.state<>2;"
			 " UPDATE main.tokens SET state=2, secret=x'' WHERE id IN"
			 " (SELECT id FROM temp.merge_revoked)", NULL, err);
	if (rc == TFA_OK)
		m->info->revoked = (unsigned)sqlite3_changes(m->st->db);
	if (rc == TFA_OK)
		rc = each_row(m, "SELECT id, user FROM temp.merge_revoked ORDER BY id", note_revoked,
			      err);
	if (rc == TFA_OK)
		rc = each_row(m, "SELECT c.id, coalesce(c.user, ''), c.type FROM temp.cur_tokens c"
			      " WHERE c.state IN (0,1,3) AND NOT EXISTS (SELECT 1 FROM main.tokens t"
			      " WHERE " SAME_TOKEN ") ORDER BY c.id", note_current_only, err);
	if (rc == TFA_OK)
		rc = each_row(m, "SELECT t.id, coalesce(t.user, ''), t.type FROM main.tokens t"
			      " WHERE t.state IN (0,1) AND NOT EXISTS (SELECT 1 FROM temp.cur_tokens c"
			      " WHERE " SAME_TOKEN ") ORDER BY t.id", note_unmatched, err);
	if (rc == TFA_OK)
		rc = totp_forward(m, "main", "NOT EXISTS (SELECT 1 FROM temp.cur_tokens c WHERE "
				  SAME_TOKEN ")", err);
	/* recovery codes: usable only if unused in the current store too */
#define CODE_STILL_FREE "EXISTS (SELECT 1 FROM temp.cur_recovery c WHERE c.id=r.id AND" \
	" c.user=r.user AND c.hash=r.hash AND c.used=0)"
	if (rc == TFA_OK)
		rc = each_row(m, "SELECT r.user, count(*) FROM main.recovery r WHERE r.used=0 AND NOT "
			      CODE_STILL_FREE " GROUP BY r.user ORDER BY r.user", note_codes_kept_used,
			      err);
	if (rc == TFA_OK)
		rc = run(m, "UPDATE main.recovery AS r SET used=1 WHERE used=0 AND NOT "
			 CODE_STILL_FREE, &m->info->codes_used, err);
	if (rc == TFA_OK)
		rc = each_row(m, "SELECT c.user, count(*) FROM temp.cur_recovery c WHERE c.used=0 AND"
			      " NOT EXISTS (SELECT 1 FROM main.recovery r WHERE r.id=c.id AND"
			      " r.hash=c.hash) GROUP BY c.user ORDER BY c.user", note_codes_lost, err);
	/* users: lockout from the current store; must enrol once revoked */
	if (rc == TFA_OK)
		rc = run(m, "UPDATE main.users AS u SET failures=c.failures,"
			 " locked_until=c.locked_until, lockouts=c.lockouts,"
			 " last_login=max(u.last_login, c.last_login),"
			 " must_enroll=max(u.must_enroll, c.must_enroll)"
			 " FROM temp.cur_users AS c WHERE c.name=u.name;"
			 " UPDATE main.users SET must_enroll=1 WHERE name IN (SELECT user FROM"
			 " temp.merge_revoked) AND NOT EXISTS (SELECT 1 FROM main.tokens t"
			 " WHERE t.user=users.name AND t.state=1)", NULL, err);
	if (rc == TFA_OK)
		rc = each_row(m, "SELECT name FROM temp.cur_users c WHERE NOT EXISTS (SELECT 1 FROM"
			      " main.users u WHERE u.name=c.name) ORDER BY name", note_user_lost, err);
	if (rc == TFA_OK && dropped > 0)
		say(m, NULL, "%u pending challenge(s) (sms code, OCRA question) dropped: those "
		    "logins start again", dropped);
	return rc;
}

static tfa_rc same_key(struct merge *m, const char *file, tfa_err *err)
{
	char *v = NULL;
	tfa_rc rc;

	rc = tfa_db_text(m->st, "SELECT (SELECT value FROM main.meta WHERE key='key_check') IS"
			 " (SELECT value FROM bk.meta WHERE key=?1)", "key_check", &v,
			 "comparing the keys", err);
	if (rc == TFA_OK && (v == NULL || strcmp(v, "1") != 0))
		rc = tfa_err_set(err, TFA_EKEY, "backup %s was not made with the key of store %s: "
				 "refused, the store is unchanged", file, m->st->path);
	free(v);
	return rc;
}

tfa_rc tfa_db_restore_merge(tfa_store *st, const char *stage, const char *file,
			    const tfa_audit_rec *audit, tfa_restore_note_fn note, void *arg,
			    tfa_restore_info *info, tfa_err *err)
{
	struct merge m = { st, note, arg, info };
	sqlite3_stmt *s = NULL;
	unsigned dropped = 0;
	tfa_rc rc;

	info->current_read = 1;
	rc = tfa_db_prepare(st, "ATTACH DATABASE ?1 AS bk", &s, err);
	if (rc != TFA_OK)
		return rc;
	sqlite3_bind_text(s, 1, stage, -1, SQLITE_STATIC);
	rc = tfa_db_step_done(st, s, "opening the backup", err);
	tfa_db_finish(st, s);
	if (rc != TFA_OK)
		return rc;
	rc = tfa_db_exec(st, "BEGIN IMMEDIATE", err);
	if (rc != TFA_OK)
		goto detach;
	rc = same_key(&m, file, err);
	if (rc == TFA_OK)
		rc = run(&m, "PRAGMA defer_foreign_keys=ON;"
			 " CREATE TEMP TABLE cur_tokens AS SELECT id, user, type, state, created,"
			 " counter, last_step, drift, last_used FROM main.tokens;"
			 " CREATE TEMP TABLE cur_users AS SELECT * FROM main.users;"
			 " CREATE TEMP TABLE cur_recovery AS SELECT id, user, hash, used"
			 " FROM main.recovery", NULL, err);
	if (rc == TFA_OK)
		rc = run(&m, "DELETE FROM main.challenges", &dropped, err);
	if (rc == TFA_OK)
		rc = copy_tables(&m, err);
	if (rc == TFA_OK)
		rc = merge_replay(&m, dropped, err);
	if (rc == TFA_OK)
		rc = counts(&m, "main", err);
	if (rc == TFA_OK)
		rc = audit_row(&m, audit, err);
	rc = tfa_db_txn_end(st, rc, err);
detach:
	(void)sqlite3_exec(st->db, "DROP TABLE IF EXISTS temp.cur_tokens;"
			   " DROP TABLE IF EXISTS temp.cur_users; DROP TABLE IF EXISTS"
			   " temp.cur_recovery; DROP TABLE IF EXISTS temp.merge_revoked;"
			   " DETACH DATABASE bk", NULL, NULL, NULL);
	return rc;
}

tfa_rc tfa_db_restore_fixup(tfa_store *bk, const char *path, const char *why,
			    const tfa_audit_rec *audit, tfa_restore_note_fn note, void *arg,
			    tfa_restore_info *info, tfa_err *err)
{
	struct merge m = { bk, note, arg, info };
	unsigned dropped = 0;
	tfa_rc rc;

	info->current_read = 0;
	rc = tfa_db_exec(bk, "BEGIN IMMEDIATE", err);
	if (rc != TFA_OK)
		return rc;
	say(&m, NULL, "the current store %s could not be read (%s): nothing was carried over "
	    "from it", path, why);
	rc = run(&m, "DELETE FROM main.challenges", &dropped, err);
	if (rc == TFA_OK)
		rc = each_row(&m, "SELECT t.id, coalesce(t.user, ''), t.type FROM main.tokens t"
			      " WHERE t.state IN (0,1) ORDER BY t.id", note_unmatched, err);
	if (rc == TFA_OK)
		rc = totp_forward(&m, "main", "1", err);
	if (rc == TFA_OK)
		rc = each_row(&m, "SELECT user, count(*) FROM main.recovery WHERE used=0"
			      " GROUP BY user ORDER BY user", note_codes_unchecked, err);
	if (rc == TFA_OK && dropped > 0)
		say(&m, NULL, "%u pending challenge(s) of the backup dropped", dropped);
	if (rc == TFA_OK)
		rc = counts(&m, "main", err);
	if (rc == TFA_OK)
		rc = audit_row(&m, audit, err);
	return tfa_db_txn_end(bk, rc, err);
}
