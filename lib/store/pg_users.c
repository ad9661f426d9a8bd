/* SPDX-License-Identifier: BSD-2-Clause */
/* pg_users.c - the PostgreSQL backend: user records, the per-user setting,
 * unlock, policy, the audit trail (each row with the host that wrote it),
 * pending challenges and the out-of-band delivery rate. Every change of a
 * user's state takes the user's lock first (tfa_pg_lock_user). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_internal.h"
#include "secret.h"

#define USER_COLS "name, required, failures, locked_until, lockouts, last_login, must_enroll"

static void user_from_row(const PGresult *r, int row, tfa_user *u)
{
	memset(u, 0, sizeof(*u));
	tfa_pg_str(r, row, 0, u->name, sizeof(u->name));
	u->required = (tfa_req)tfa_pg_int(r, row, 1);
	if (u->required != TFA_REQ_ON && u->required != TFA_REQ_OFF)
		u->required = TFA_REQ_DEFAULT;
	u->failures = (unsigned)tfa_pg_int(r, row, 2);
	u->locked_until = tfa_pg_int(r, row, 3);
	u->lockouts = (unsigned)tfa_pg_int(r, row, 4);
	u->last_login = tfa_pg_int(r, row, 5);
	u->must_enroll = tfa_pg_int(r, row, 6) != 0;
}

tfa_rc tfa_pg_user_get(tfa_store *st, const char *user, tfa_user *u, tfa_err *err)
{
	tfa_pg *pg = tfa_pg_of(st);
	tfa_pg_params p = { 0 };
	PGresult *r = NULL;
	tfa_rc rc;

	memset(u, 0, sizeof(*u));
	u->required = TFA_REQ_DEFAULT;
	(void)snprintf(u->name, sizeof(u->name), "%s", user);
	tfa_pg_p_text(&p, user);
	rc = tfa_pg_exec(pg, "SELECT " USER_COLS " FROM users WHERE name=$1", &p, &r,
			 "reading user", err);
	if (rc != TFA_OK)
		return rc;
	if (PQntuples(r) > 0)
		user_from_row(r, 0, u);
	else
		rc = TFA_ENOENT;
	PQclear(r);
	return rc;
}

/* end a one-change transaction with its audit row: both land or neither */
static tfa_rc end_change(tfa_pg *pg, tfa_rc rc, const char *user, const tfa_audit_rec *audit,
			 tfa_err *err)
{
	if (rc == TFA_OK)
		rc = tfa_pg_audit_rec(pg, user, audit, err);
	return tfa_pg_end(pg, rc, err);
}

tfa_rc tfa_pg_user_set_required(tfa_store *st, const char *user, tfa_req req,
				const tfa_audit_rec *audit, tfa_err *err)
{
	tfa_pg *pg = tfa_pg_of(st);
	tfa_pg_params p = { 0 };
	tfa_rc rc;

	rc = tfa_pg_begin(pg, err);
	if (rc != TFA_OK)
		return rc;
	rc = tfa_pg_lock_user(pg, user, 1, err);
	tfa_pg_p_text(&p, user);
	tfa_pg_p_int(&p, (int64_t)req);
	/* default and off end a "must enrol again" after a reset */
	if (rc == TFA_OK)
		rc = tfa_pg_exec(pg, "UPDATE users SET required=$2::integer, must_enroll=CASE WHEN"
				 " $2::integer=1 THEN must_enroll ELSE 0 END WHERE name=$1", &p, NULL,
				 "changing the user's setting", err);
	return end_change(pg, rc, user, audit, err);
}

tfa_rc tfa_pg_user_unlock(tfa_store *st, const char *user, const tfa_audit_rec *audit,
			  tfa_err *err)
{
	tfa_pg *pg = tfa_pg_of(st);
	tfa_pg_params p = { 0 };
	unsigned changed = 0;
	tfa_rc rc;

	rc = tfa_pg_begin(pg, err);
	if (rc != TFA_OK)
		return rc;
	rc = tfa_pg_lock_user(pg, user, 0, err);
	tfa_pg_p_text(&p, user);
	if (rc == TFA_OK)
		rc = tfa_pg_exec_n(pg, "UPDATE users SET failures=0, locked_until=0, lockouts=0"
				   " WHERE name=$1", &p, &changed, "unlocking the user", err);
	if (rc == TFA_OK && changed == 0)
		rc = tfa_err_set(err, TFA_ENOENT, "no such user in store %s", pg->uri);
	return end_change(pg, rc, user, audit, err);
}

tfa_rc tfa_pg_user_list(tfa_store *st, tfa_user_cb cb, void *ctx, tfa_err *err)
{
	tfa_pg *pg = tfa_pg_of(st);
	PGresult *r = NULL;
	tfa_user u;
	tfa_rc rc;
	int i;

	rc = tfa_pg_exec(pg, "SELECT " USER_COLS " FROM users ORDER BY name", NULL, &r,
			 "listing users", err);
	for (i = 0; rc == TFA_OK && i < PQntuples(r); i++) {
		user_from_row(r, i, &u);
		if (cb(&u, ctx) != 0)
			break;
	}
	PQclear(r);
	return rc;
}

/* ---- policy ---- */

tfa_rc tfa_pg_policy_get(tfa_store *st, const char *key, char **val, tfa_err *err)
{
	tfa_pg *pg = tfa_pg_of(st);
	tfa_pg_params p = { 0 };
	PGresult *r = NULL;
	tfa_rc rc;

	*val = NULL;
	tfa_pg_p_text(&p, key);
	rc = tfa_pg_exec(pg, "SELECT value FROM policy WHERE key=$1", &p, &r, "reading policy",
			 err);
	if (rc == TFA_OK && PQntuples(r) > 0) {
		*val = strdup(PQgetvalue(r, 0, 0));
		if (*val == NULL)
			rc = tfa_err_set(err, TFA_ENOMEM, "out of memory");
	}
	PQclear(r);
	return rc;
}

tfa_rc tfa_pg_policy_all(tfa_store *st, tfa_policy_row_cb cb, void *ctx, tfa_err *err)
{
	tfa_pg *pg = tfa_pg_of(st);
	PGresult *r = NULL;
	tfa_rc rc;
	int i;

	rc = tfa_pg_exec(pg, "SELECT key, value FROM policy ORDER BY key", NULL, &r,
			 "reading policy", err);
	for (i = 0; rc == TFA_OK && i < PQntuples(r); i++)
		rc = cb(PQgetvalue(r, i, 0), PQgetvalue(r, i, 1), ctx);
	PQclear(r);
	return rc;
}

/* PostgreSQL has no cheap "changed since" counter for another session's
 * commits: a new number each time, so a resident context reloads the
 * policy (one query) at every check */
tfa_rc tfa_pg_data_version(tfa_store *st, int64_t *v, tfa_err *err)
{
	tfa_pg *pg = tfa_pg_of(st);

	(void)err;
	*v = ++pg->data_version;
	return TFA_OK;
}

tfa_rc tfa_pg_policy_set(tfa_store *st, const char *key, const char *val,
			 const tfa_audit_rec *audit, tfa_err *err)
{
	tfa_pg *pg = tfa_pg_of(st);
	tfa_pg_params p = { 0 };
	tfa_rc rc;

	rc = tfa_pg_begin(pg, err);
	if (rc != TFA_OK)
		return rc;
	tfa_pg_p_text(&p, key);
	if (val == NULL) {
		rc = tfa_pg_exec(pg, "DELETE FROM policy WHERE key=$1", &p, NULL, "writing policy",
				 err);
	} else {
		tfa_pg_p_text(&p, val);
		rc = tfa_pg_exec(pg, "INSERT INTO policy(key, value) VALUES($1, $2)"
				 " ON CONFLICT (key) DO UPDATE SET value=excluded.value", &p, NULL,
				 "writing policy", err);
	}
	return end_change(pg, rc, NULL, audit, err);
}

/* ---- audit ---- */

tfa_rc tfa_pg_audit_add(tfa_store *st, const char *user, const char *event, const char *detail,
			tfa_err *err)
{
	return tfa_pg_audit_insert(tfa_pg_of(st), user, event, detail, err);
}

/* The host that wrote a row leads its detail: "host=NAME DETAIL". */
tfa_rc tfa_pg_audit_list(tfa_store *st, const char *user, int64_t since, tfa_audit_cb cb,
			 void *ctx, tfa_err *err)
{
	tfa_pg *pg = tfa_pg_of(st);
	tfa_pg_params p = { 0 };
	tfa_audit_rec rec;
	PGresult *r = NULL;
	tfa_rc rc;
	int i;

	tfa_pg_p_int(&p, since);
	tfa_pg_p_text(&p, user);
	rc = tfa_pg_exec(pg, "SELECT id, time, coalesce(\"user\",''), event, detail, host"
			 " FROM audit WHERE time >= $1::bigint AND ($2::text IS NULL OR"
			 " \"user\" = $2::text) ORDER BY id", &p, &r, "reading the audit trail", err);
	for (i = 0; rc == TFA_OK && i < PQntuples(r); i++) {
		memset(&rec, 0, sizeof(rec));
		rec.id = tfa_pg_int(r, i, 0);
		rec.time = tfa_pg_int(r, i, 1);
		tfa_pg_str(r, i, 2, rec.user, sizeof(rec.user));
		tfa_pg_str(r, i, 3, rec.event, sizeof(rec.event));
		(void)snprintf(rec.detail, sizeof(rec.detail), "host=%.64s%s%s", PQgetvalue(r, i, 5),
			       PQgetvalue(r, i, 4)[0] != '\0' ? " " : "", PQgetvalue(r, i, 4));
		if (cb(&rec, ctx) != 0)
			break;
	}
	PQclear(r);
	return rc;
}

/* ---- challenges ---- */

tfa_rc tfa_pg_challenge_delete(tfa_pg *pg, const char *user, tfa_err *err)
{
	tfa_pg_params p = { 0 };

	tfa_pg_p_text(&p, user);
	return tfa_pg_exec(pg, "DELETE FROM challenges WHERE \"user\"=$1", &p, NULL,
			   "removing the pending challenge", err);
}

tfa_rc tfa_pg_challenge_load(tfa_pg *pg, const char *user, tfa_challenge_rec **out,
			     tfa_err *err)
{
	tfa_pg_params p = { 0 };
	tfa_challenge_rec *ch = NULL;
	PGresult *r = NULL;
	tfa_rc rc;

	*out = NULL;
	tfa_pg_p_text(&p, user);
	rc = tfa_pg_exec(pg, "SELECT kind, token_id, question, salt, hash, created, expires"
			 " FROM challenges WHERE \"user\"=$1", &p, &r, "reading the pending challenge",
			 err);
	if (rc != TFA_OK || PQntuples(r) == 0)
		goto out;
	ch = calloc(1, sizeof(*ch));
	if (ch == NULL) {
		rc = tfa_err_set(err, TFA_ENOMEM, "out of memory");
		goto out;
	}
	ch->kind = (tfa_challenge_kind)tfa_pg_int(r, 0, 0);
	ch->token_id = tfa_pg_int(r, 0, 1);
	tfa_pg_str(r, 0, 2, ch->question, sizeof(ch->question));
	(void)tfa_pg_blob(r, 0, 3, ch->salt, sizeof(ch->salt));   /* empty for ocra */
	(void)tfa_pg_blob(r, 0, 4, ch->hash, sizeof(ch->hash));
	ch->created = tfa_pg_int(r, 0, 5);
	ch->expires = tfa_pg_int(r, 0, 6);
	*out = ch;
out:
	PQclear(r);
	return rc;
}

tfa_rc tfa_pg_challenge_put(tfa_store *st, const char *user, const tfa_challenge_rec *ch,
			    const tfa_audit_rec *audit, tfa_err *err)
{
	tfa_pg *pg = tfa_pg_of(st);
	tfa_pg_params p = { 0 };
	int sms = ch->kind == TFA_CH_SMS;
	tfa_rc rc;

	rc = tfa_pg_begin(pg, err);
	if (rc != TFA_OK)
		return rc;
	rc = tfa_pg_lock_user(pg, user, 1, err);
	tfa_pg_p_text(&p, user);
	tfa_pg_p_int(&p, ch->token_id);
	tfa_pg_p_int(&p, (int64_t)ch->kind);
	tfa_pg_p_text(&p, ch->question);
	tfa_pg_p_bin(&p, ch->salt, sms ? sizeof(ch->salt) : 0);
	tfa_pg_p_bin(&p, ch->hash, sms ? sizeof(ch->hash) : 0);
	tfa_pg_p_int(&p, ch->created);
	tfa_pg_p_int(&p, ch->expires);
	if (rc == TFA_OK)
		rc = tfa_pg_exec(pg, "INSERT INTO challenges(\"user\", token_id, kind, question, salt,"
				 " hash, created, expires) VALUES($1,$2,$3,$4,$5,$6,$7,$8)"
				 " ON CONFLICT (\"user\") DO UPDATE SET token_id=excluded.token_id,"
				 " kind=excluded.kind, question=excluded.question, salt=excluded.salt,"
				 " hash=excluded.hash, created=excluded.created,"
				 " expires=excluded.expires", &p, NULL, "storing the challenge", err);
	return end_change(pg, rc, user, audit, err);
}

tfa_rc tfa_pg_challenge_clear(tfa_store *st, const char *user, const tfa_audit_rec *audit,
			      tfa_err *err)
{
	tfa_pg *pg = tfa_pg_of(st);
	tfa_rc rc;

	rc = tfa_pg_begin(pg, err);
	if (rc != TFA_OK)
		return rc;
	rc = tfa_pg_lock_user(pg, user, 0, err);
	if (rc == TFA_OK)
		rc = tfa_pg_challenge_delete(pg, user, err);
	return end_change(pg, rc, user, audit, err);
}

/* ---- deliveries (sms_rate) ---- */

#define DELIVERY_KEEP 86400   /* the longest sms_rate window */

tfa_rc tfa_pg_delivery_reserve(tfa_store *st, const char *user, int64_t now, unsigned max,
			       unsigned window, const tfa_audit_rec *limited, int *allowed,
			       int64_t *retry_after, tfa_err *err)
{
	tfa_pg *pg = tfa_pg_of(st);
	tfa_pg_params p = { 0 }, q = { 0 };
	PGresult *r = NULL;
	int64_t oldest;
	unsigned n;
	tfa_rc rc;

	*allowed = 0;
	*retry_after = 0;
	rc = tfa_pg_begin(pg, err);
	if (rc != TFA_OK)
		return rc;
	/* every host counts against one limit: one reservation at a time */
	rc = tfa_pg_lock_user(pg, user, 0, err);
	tfa_pg_p_text(&p, user);
	tfa_pg_p_int(&p, now - DELIVERY_KEEP);
	if (rc == TFA_OK)
		rc = tfa_pg_exec(pg, "DELETE FROM deliveries WHERE \"user\"=$1 AND time<=$2", &p,
				 NULL, "pruning deliveries", err);
	tfa_pg_p_text(&q, user);
	tfa_pg_p_int(&q, now - (int64_t)window);
	if (rc == TFA_OK)
		rc = tfa_pg_exec(pg, "SELECT count(*), coalesce(min(time), 0) FROM deliveries"
				 " WHERE \"user\"=$1 AND time>$2", &q, &r, "counting deliveries", err);
	if (rc != TFA_OK)
		goto out;
	n = (unsigned)tfa_pg_int(r, 0, 0);
	oldest = tfa_pg_int(r, 0, 1);
	if (n >= max) {
		*retry_after = oldest + (int64_t)window - now;
		if (*retry_after < 1)
			*retry_after = 1;
		if (*retry_after > (int64_t)window)
			*retry_after = (int64_t)window;
		rc = tfa_pg_audit_rec(pg, user, limited, err);
		goto out;
	}
	memset(&p, 0, sizeof(p));
	tfa_pg_p_text(&p, user);
	tfa_pg_p_int(&p, now);
	rc = tfa_pg_exec(pg, "INSERT INTO deliveries(\"user\", time) VALUES($1, $2)", &p, NULL,
			 "recording the delivery", err);
	if (rc == TFA_OK)
		*allowed = 1;
out:
	PQclear(r);
	return tfa_pg_end(pg, rc, err);
}
