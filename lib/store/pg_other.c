/* SPDX-License-Identifier: BSD-2-Clause */
/* pg_other.c - the PostgreSQL backend: recovery codes (salt and slow hash,
 * never a code), audit pruning and the consistency check (token cards are
 * pg_card.c's, bulk imports pg_import.c's). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "pg_internal.h"
#include "secret.h"

/* ---- recovery codes ---- */

void tfa_pg_recovery_free(tfa_recovery_rec *recs, size_t n)
{
	if (recs == NULL)
		return;
	tfa_wipe(recs, n * sizeof(*recs));
	free(recs);
}

tfa_rc tfa_pg_recovery_load(tfa_pg *pg, const char *user, tfa_recovery_rec **recs, size_t *n,
			    tfa_err *err)
{
	tfa_pg_params p = { 0 };
	tfa_recovery_rec *arr = NULL;
	PGresult *r = NULL;
	size_t cnt = 0;
	tfa_rc rc;
	int i, rows;

	*recs = NULL;
	*n = 0;
	tfa_pg_p_text(&p, user);
	rc = tfa_pg_exec(pg, "SELECT id, salt, hash FROM recovery WHERE \"user\"=$1 AND used=0"
			 " ORDER BY id", &p, &r, "reading recovery codes", err);
	if (rc != TFA_OK)
		return rc;
	rows = PQntuples(r);
	if (rows <= 0)
		goto out;
	arr = calloc((size_t)rows, sizeof(*arr));
	if (arr == NULL) {
		rc = tfa_err_set(err, TFA_ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < rows; i++) {
		arr[cnt].id = tfa_pg_int(r, i, 0);
		if (tfa_pg_blob(r, i, 1, arr[cnt].salt, TFA_RECOVERY_SALT_LEN) != 0 ||
		    tfa_pg_blob(r, i, 2, arr[cnt].hash, TFA_RECOVERY_HASH_LEN) != 0)
			continue;       /* damaged row: can never match */
		cnt++;
	}
	*recs = arr;
	*n = cnt;
out:
	PQclear(r);
	return rc;
}

tfa_rc tfa_pg_recovery_mark_used(tfa_pg *pg, const tfa_recovery_rec *rec, tfa_err *err)
{
	tfa_pg_params p = { 0 };
	unsigned changed = 0;
	tfa_rc rc;

	tfa_pg_p_int(&p, (int64_t)time(NULL));
	tfa_pg_p_int(&p, rec->id);
	rc = tfa_pg_exec_n(pg, "UPDATE recovery SET used=$1 WHERE id=$2 AND used=0", &p, &changed,
			   "marking a recovery code used", err);
	if (rc == TFA_OK && changed != 1)
		rc = tfa_err_set(err, TFA_ESTORE, "store %s: recovery code %lld vanished", pg->uri,
				 (long long)rec->id);
	return rc;
}

tfa_rc tfa_pg_recovery_insert(tfa_pg *pg, const char *user, const tfa_recovery_rec *recs,
			       size_t n, tfa_err *err)
{
	int64_t now = (int64_t)time(NULL);
	tfa_rc rc = TFA_OK;
	size_t i;

	for (i = 0; rc == TFA_OK && i < n; i++) {
		tfa_pg_params q = { 0 };

		tfa_pg_p_text(&q, user);
		tfa_pg_p_bin(&q, recs[i].salt, TFA_RECOVERY_SALT_LEN);
		tfa_pg_p_bin(&q, recs[i].hash, TFA_RECOVERY_HASH_LEN);
		tfa_pg_p_int(&q, now);
		rc = tfa_pg_exec(pg, "INSERT INTO recovery(\"user\", salt, hash, created, used)"
				 " VALUES($1,$2,$3,$4,0)", &q, NULL, "storing a recovery code", err);
	}
	return rc;
}

static tfa_rc store_recs(tfa_store *st, const char *user, const tfa_recovery_rec *recs,
			 size_t n, int replace, const tfa_audit_rec *audit, tfa_err *err)
{
	tfa_pg *pg = tfa_pg_of(st);
	tfa_pg_params p = { 0 };
	tfa_rc rc;

	rc = tfa_pg_begin(pg, err);
	if (rc != TFA_OK)
		return rc;
	rc = tfa_pg_lock_user(pg, user, 1, err);
	tfa_pg_p_text(&p, user);
	if (rc == TFA_OK && replace)
		rc = tfa_pg_exec(pg, "DELETE FROM recovery WHERE \"user\"=$1", &p, NULL,
				 "deleting recovery codes", err);
	if (rc == TFA_OK)
		rc = tfa_pg_recovery_insert(pg, user, recs, n, err);
	if (rc == TFA_OK)
		rc = tfa_pg_audit_rec(pg, user, audit, err);
	return tfa_pg_end(pg, rc, err);
}

tfa_rc tfa_pg_recovery_replace(tfa_store *st, const char *user, const tfa_recovery_rec *recs,
			       size_t n, const tfa_audit_rec *audit, tfa_err *err)
{
	return store_recs(st, user, recs, n, 1, audit, err);
}

tfa_rc tfa_pg_recovery_add(tfa_store *st, const char *user, const tfa_recovery_rec *recs,
			   size_t n, const tfa_audit_rec *audit, tfa_err *err)
{
	return store_recs(st, user, recs, n, 0, audit, err);
}

tfa_rc tfa_pg_recovery_count(tfa_store *st, const char *user, unsigned *n, tfa_err *err)
{
	tfa_pg *pg = tfa_pg_of(st);
	tfa_pg_params p = { 0 };
	PGresult *r = NULL;
	tfa_rc rc;

	*n = 0;
	tfa_pg_p_text(&p, user);
	rc = tfa_pg_exec(pg, "SELECT count(*) FROM recovery WHERE \"user\"=$1 AND used=0", &p, &r,
			 "counting recovery codes", err);
	if (rc == TFA_OK)
		*n = (unsigned)tfa_pg_int(r, 0, 0);
	PQclear(r);
	return rc;
}

/* ---- maintenance ---- */

tfa_rc tfa_pg_audit_prune(tfa_store *st, int64_t before, const char *note, unsigned *pruned,
			  tfa_err *err)
{
	tfa_pg *pg = tfa_pg_of(st);
	tfa_pg_params p = { 0 };
	char detail[256];
	tfa_rc rc;

	*pruned = 0;
	rc = tfa_pg_begin(pg, err);
	if (rc != TFA_OK)
		return rc;
	tfa_pg_p_int(&p, before);
	rc = tfa_pg_exec_n(pg, "DELETE FROM audit WHERE time < $1", &p, pruned,
			   "pruning the audit trail", err);
	if (rc == TFA_OK) {
		if (note != NULL && note[0] != '\0')
			(void)snprintf(detail, sizeof(detail), "pruned %u rows %s", *pruned, note);
		else
			(void)snprintf(detail, sizeof(detail), "pruned %u rows older than unix time"
				       " %lld", *pruned, (long long)before);
		rc = tfa_pg_audit_insert(pg, NULL, TFA_EV_AUDIT_PRUNE, detail, err);
	}
	if (rc != TFA_OK)
		*pruned = 0;
	return tfa_pg_end(pg, rc, err);
}

/* PostgreSQL checks its own pages; what is ours to check: the schema
 * version and that every token belongs to a known user. */
tfa_rc tfa_pg_integrity(tfa_store *st, char *result, size_t len, tfa_err *err)
{
	tfa_pg *pg = tfa_pg_of(st);
	PGresult *r = NULL;
	long orphans;
	tfa_rc rc;

	if (len == 0)
		return tfa_err_set(err, TFA_EINVAL, "no room for the integrity check result");
	result[0] = '\0';
	rc = tfa_pg_schema(pg, 0, err);
	if (rc != TFA_OK)
		return rc;
	rc = tfa_pg_exec(pg, "SELECT count(*) FROM tokens t WHERE t.\"user\" IS NOT NULL AND"
			 " NOT EXISTS (SELECT 1 FROM users u WHERE u.name=t.\"user\")", NULL, &r,
			 "integrity check", err);
	if (rc != TFA_OK)
		return rc;
	orphans = (long)tfa_pg_int(r, 0, 0);
	PQclear(r);
	if (orphans == 0)
		(void)snprintf(result, len, "ok");
	else
		(void)snprintf(result, len, "%ld tokens of unknown users", orphans);
	return TFA_OK;
}
