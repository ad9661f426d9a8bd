/* SPDX-License-Identifier: BSD-2-Clause */
/* store_migrate.c - tfa-admin migrate: copy the open SQLite store into an
 * initialised, empty PostgreSQL database (both backends meet here only).
 *
 * The SQLite store is held with BEGIN IMMEDIATE for the whole copy, so no
 * login can change it (use a code, a recovery code, count a failure)
 * meanwhile: a login waits on the busy timeout or fails. The target is
 * written in one transaction with its tables locked, through COPY; tokens
 * keep their ids, so their sealed secrets (bound to user and token id, under
 * the same key: the target's key check proves it at open) are copied as
 * they are. Counts are compared on both sides before the commit. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"
#include "pg_internal.h"
#include "secret.h"

/* a column of a copied table: its SQLite value as COPY text */
enum col { C_INT = 'i', C_TEXT = 't', C_NTEXT = 'n', C_BLOB = 'b', C_HOST = 'h' };

typedef struct {
	char *buf;
	size_t len, cap;
	int oom;
} copybuf;

static void put(copybuf *b, const char *s, size_t n)
{
	char *nb;
	size_t cap;

	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		cap = b->cap != 0 ? b->cap : 65536;
		while (b->len + n + 1 > cap)
			cap *= 2;
		nb = realloc(b->buf, cap);
		if (nb == NULL) {
			b->oom = 1;
			return;
		}
		b->buf = nb;
		b->cap = cap;
	}
	memcpy(b->buf + b->len, s, n);
	b->len += n;
}

/* text in COPY's text format: backslash, tab, newline and CR escaped */
static void put_text(copybuf *b, const unsigned char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		switch (s[i]) {
		case '\\': put(b, "\\\\", 2); break;
		case '\t': put(b, "\\t", 2); break;
		case '\n': put(b, "\\n", 2); break;
		case '\r': put(b, "\\r", 2); break;
		default: put(b, (const char *)s + i, 1); break;
		}
	}
}

/* bytea as its hex input form, the backslash escaped for COPY */
static void put_blob(copybuf *b, const unsigned char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	char two[2];
	size_t i;

	put(b, "\\\\x", 3);
	for (i = 0; i < n; i++) {
		two[0] = hex[s[i] >> 4];
		two[1] = hex[s[i] & 15];
		put(b, two, 2);
	}
}

static void put_col(copybuf *b, sqlite3_stmt *stmt, int i, char type, const char *host)
{
	char num[32];
	const unsigned char *s;
	int n;

	if (type == C_HOST) {
		put_text(b, (const unsigned char *)host, strlen(host));
		return;
	}
	if (type == C_NTEXT && sqlite3_column_type(stmt, i) == SQLITE_NULL) {
		put(b, "\\N", 2);
		return;
	}
	if (type == C_INT) {
		n = snprintf(num, sizeof(num), "%" PRId64, (int64_t)sqlite3_column_int64(stmt, i));
		put(b, num, (size_t)n);
		return;
	}
	if (type == C_BLOB) {
		s = sqlite3_column_blob(stmt, i);
		put_blob(b, s, s != NULL ? (size_t)sqlite3_column_bytes(stmt, i) : 0);
		return;
	}
	s = sqlite3_column_text(stmt, i);
	put_text(b, s != NULL ? s : (const unsigned char *)"",
		 s != NULL ? (size_t)sqlite3_column_bytes(stmt, i) : 0);
}

/* end the COPY (@abort: with an error) and check its result */
static tfa_rc copy_end(tfa_pg *pg, const char *table, const char *abort_msg,
		       unsigned long *copied, tfa_err *err)
{
	PGresult *r;
	tfa_rc rc = TFA_OK;

	if (PQputCopyEnd(pg->conn, abort_msg) != 1)
		rc = tfa_err_set(err, TFA_ESTORE, "store %s: ending the copy of %s: %s", pg->uri,
				 table, PQerrorMessage(pg->conn));
	while ((r = PQgetResult(pg->conn)) != NULL) {
		if (PQresultStatus(r) == PGRES_COMMAND_OK) {
			if (copied != NULL)
				*copied = strtoul(PQcmdTuples(r), NULL, 10);
		} else if (rc == TFA_OK && abort_msg == NULL) {
			rc = tfa_err_set(err, TFA_ESTORE, "store %s: copying %s: %s", pg->uri, table,
					 PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) != NULL ?
					 PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) :
					 "no answer from the server");
		}
		PQclear(r);
	}
	return rc;
}

/* copy the rows @select returns, columns typed by @types, into @copy
 * (COPY ... FROM STDIN); *@n gets the rows copied as PostgreSQL counted them */
static tfa_rc copy_table(tfa_store *st, tfa_pg *pg, const char *table, const char *select,
			 const char *copy, const char *types, unsigned long *n, tfa_err *err)
{
	sqlite3_stmt *stmt = NULL;
	copybuf b = { 0 };
	const char *abort_msg = "migrate failed";
	unsigned long rows = 0;
	tfa_rc rc, erc;
	PGresult *r;
	size_t i;
	int s;

	*n = 0;
	rc = tfa_db_prepare(st, select, &stmt, err);
	if (rc != TFA_OK)
		return rc;
	r = PQexec(pg->conn, copy);
	if (PQresultStatus(r) != PGRES_COPY_IN) {
		rc = tfa_err_set(err, TFA_ESTORE, "store %s: starting the copy of %s: %s", pg->uri,
				 table, PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) != NULL ?
				 PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) :
				 "no answer from the server");
		PQclear(r);
		goto out;
	}
	PQclear(r);
	while ((s = sqlite3_step(stmt)) == SQLITE_ROW) {
		for (i = 0; types[i] != '\0'; i++) {
			if (i > 0)
				put(&b, "\t", 1);
			put_col(&b, stmt, (int)i, types[i], pg->host);
		}
		put(&b, "\n", 1);
		rows++;
		if (b.oom)
			break;
		if (b.len >= 60000) {
			if (PQputCopyData(pg->conn, b.buf, (int)b.len) != 1)
				break;
			b.len = 0;
		}
	}
	if (b.oom)
		rc = tfa_err_set(err, TFA_ENOMEM, "out of memory copying %s", table);
	else if (s != SQLITE_ROW && s != SQLITE_DONE)
		rc = tfa_db_err(st, err, "reading the rows to copy");
	else if (s == SQLITE_ROW)
		rc = tfa_err_set(err, TFA_ESTORE, "store %s: copying %s: %s", pg->uri, table,
				 PQerrorMessage(pg->conn));
	else if (b.len > 0 && PQputCopyData(pg->conn, b.buf, (int)b.len) != 1)
		rc = tfa_err_set(err, TFA_ESTORE, "store %s: copying %s: %s", pg->uri, table,
				 PQerrorMessage(pg->conn));
	if (rc == TFA_OK)
		abort_msg = NULL;
	erc = copy_end(pg, table, abort_msg, n, err);
	if (rc == TFA_OK)
		rc = erc;
	if (rc == TFA_OK && *n != rows)
		rc = tfa_err_set(err, TFA_ESTORE, "store %s: %s: %lu rows read, %lu copied",
				 pg->uri, table, rows, *n);
out:
	tfa_db_finish(st, stmt);
	if (b.buf != NULL)
		tfa_wipe(b.buf, b.cap);   /* it held sealed secrets */
	free(b.buf);
	return rc;
}

static tfa_rc sqlite_count(tfa_store *st, const char *table, unsigned long *n, tfa_err *err)
{
	char sql[80];
	char *v = NULL;
	tfa_rc rc;

	(void)snprintf(sql, sizeof(sql), "SELECT CAST(count(*) AS TEXT) FROM %s", table);
	rc = tfa_db_text(st, sql, NULL, &v, "counting the rows", err);
	*n = v != NULL ? strtoul(v, NULL, 10) : 0;
	free(v);
	return rc;
}

static tfa_rc pg_count(tfa_pg *pg, const char *table, unsigned long *n, tfa_err *err)
{
	char sql[80];
	PGresult *r = NULL;
	tfa_rc rc;

	(void)snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", table);
	rc = tfa_pg_exec(pg, sql, NULL, &r, "counting the rows", err);
	*n = rc == TFA_OK && PQntuples(r) == 1 ? (unsigned long)tfa_pg_int(r, 0, 0) : 0;
	PQclear(r);
	return rc;
}

/* the tables, parents first: the SQLite query, the COPY, the column types */
static const struct {
	const char *table;
	const char *select;
	const char *copy;
	const char *types;
} tables[] = {
	{ "users", "SELECT name, required, failures, locked_until, lockouts, last_login,"
	  " must_enroll FROM users ORDER BY name",
	  "COPY users(name, required, failures, locked_until, lockouts, last_login,"
	  " must_enroll) FROM STDIN", "tiiiiii" },
	{ "tokens", "SELECT " TFA_DB_TOKEN_COLS " FROM tokens ORDER BY id",
	  "COPY tokens(" TFA_PG_TOKEN_COLS ") FROM STDIN", "iniiiiiiiitiibtt" },
	{ "recovery", "SELECT user, salt, hash, created, used FROM recovery ORDER BY id",
	  "COPY recovery(\"user\", salt, hash, created, used) FROM STDIN", "tbbii" },
	{ "policy", "SELECT key, value FROM policy ORDER BY key",
	  "COPY policy(key, value) FROM STDIN", "tt" },
	{ "challenges", "SELECT user, token_id, kind, question, salt, hash, created, expires"
	  " FROM challenges ORDER BY user",
	  "COPY challenges(\"user\", token_id, kind, question, salt, hash, created, expires)"
	  " FROM STDIN", "tiitbbii" },
	{ "deliveries", "SELECT user, time FROM deliveries ORDER BY id",
	  "COPY deliveries(\"user\", time) FROM STDIN", "ti" },
	{ "audit", "SELECT time, user, event, detail, NULL FROM audit ORDER BY id",
	  "COPY audit(time, \"user\", event, detail, host) FROM STDIN", "intth" },
};

static unsigned long *info_field(tfa_migrate_info *info, size_t i)
{
	unsigned long *f[] = { &info->users, &info->tokens, &info->recovery, &info->policy,
			       &info->challenges, &info->deliveries, &info->audit };

	return f[i];
}

/* inside both transactions: the target empty, every table copied and
 * counted on both sides */
static tfa_rc copy_all(tfa_store *st, tfa_pg *pg, tfa_migrate_info *info, tfa_err *err)
{
	unsigned long users = 0, tokens = 0, src = 0, before = 0, after = 0, copied = 0;
	size_t i;
	tfa_rc rc;

	/* no login, enrolment or second migrate on the target meanwhile */
	rc = tfa_pg_exec(pg, "LOCK TABLE users, tokens, recovery, policy, challenges, deliveries,"
			 " audit IN EXCLUSIVE MODE", NULL, NULL, "locking the tables", err);
	if (rc == TFA_OK)
		rc = pg_count(pg, "users", &users, err);
	if (rc == TFA_OK)
		rc = pg_count(pg, "tokens", &tokens, err);
	if (rc != TFA_OK)
		return rc;
	if (users > 0 || tokens > 0)
		return tfa_err_set(err, TFA_ESTORE, "store %s already holds %lu users and %lu "
				   "tokens; migrate copies only into an empty database (initialised"
				   " with \"tfa-admin init --store URL\"): nothing copied", pg->uri,
				   users, tokens);
	/* the source's policy replaces the target's */
	rc = tfa_pg_exec(pg, "DELETE FROM policy", NULL, NULL, "clearing the policy", err);
	for (i = 0; rc == TFA_OK && i < sizeof(tables) / sizeof(tables[0]); i++) {
		rc = pg_count(pg, tables[i].table, &before, err);
		if (rc == TFA_OK)
			rc = copy_table(st, pg, tables[i].table, tables[i].select, tables[i].copy,
					tables[i].types, &copied, err);
		if (rc == TFA_OK)
			rc = sqlite_count(st, tables[i].table, &src, err);
		if (rc == TFA_OK)
			rc = pg_count(pg, tables[i].table, &after, err);
		if (rc == TFA_OK && (after - before != src || copied != src))
			rc = tfa_err_set(err, TFA_ESTORE, "store %s: %s: %lu rows in %s, %lu "
					 "copied, %lu more on the target: nothing copied", pg->uri,
					 tables[i].table, src, st->path, copied, after - before);
		if (rc == TFA_OK)
			*info_field(info, i) = src;
	}
	/* new tokens take ids after the copied ones */
	if (rc == TFA_OK && info->tokens > 0)
		rc = tfa_pg_exec(pg, "SELECT setval(pg_get_serial_sequence('tokens', 'id'),"
				 " (SELECT max(id) FROM tokens))", NULL, NULL,
				 "moving the token ids on", err);
	return rc;
}

tfa_rc tfa_store_migrate_pg(tfa_store *st, tfa_store *target, const tfa_audit_rec *src_audit,
			    const tfa_audit_rec *dst_audit, tfa_migrate_info *info, tfa_err *err)
{
	tfa_pg *pg = tfa_pg_of(target);
	tfa_migrate_info got = { 0 };
	tfa_rc rc;

	if (st->readonly)
		return tfa_err_set(err, TFA_ESTORE, "store %s is open read-only", st->path);
	/* held to the end: logins wait (busy timeout) or fail, none is lost */
	rc = tfa_db_exec(st, "BEGIN IMMEDIATE", err);
	if (rc != TFA_OK)
		return rc;
	if (src_audit != NULL && src_audit->event[0] != '\0')
		rc = tfa_db_audit_insert(st, NULL, src_audit->event, src_audit->detail, err);
	if (rc == TFA_OK)
		rc = tfa_pg_begin(pg, err);
	if (rc != TFA_OK)
		return tfa_db_txn_end(st, rc, err);
	rc = copy_all(st, pg, &got, err);
	if (rc == TFA_OK)
		rc = tfa_pg_audit_rec(pg, NULL, dst_audit, err);
	rc = tfa_pg_end(pg, rc, err);
	if (rc != TFA_OK)
		return tfa_db_txn_end(st, rc, err);
	if (tfa_db_txn_end(st, TFA_OK, err) != TFA_OK)
		rc = tfa_err_set(err, TFA_ESTORE, "store %s was copied to %s, but its own "
				 "\"migrate\" audit row could not be committed", st->path, pg->uri);
	if (info != NULL)
		*info = got;
	return rc;
}
