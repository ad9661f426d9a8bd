/* SPDX-License-Identifier: BSD-2-Clause */
/* store_maint.c - the SQLite backend's maintenance: audit retention
 * (tfa-admin audit --prune) and the integrity check (tfa-admin doctor). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "store_internal.h"

TFA_API tfa_rc tfa_store_audit_prune(tfa_store *st, int64_t before, const char *note,
				     unsigned *pruned, tfa_err *err)
{
	sqlite3_stmt *stmt = NULL;
	char detail[256];
	tfa_rc rc;
	int r;

	*pruned = 0;
	if (st->readonly)
		return tfa_err_set(err, TFA_EINVAL, "store %s opened read-only", st->path);
	rc = tfa_db_exec(st, "BEGIN IMMEDIATE", err);
	if (rc != TFA_OK)
		return rc;
	rc = tfa_db_prepare(st, "DELETE FROM audit WHERE time < ?1", &stmt, err);
	if (rc != TFA_OK)
		goto out;
	sqlite3_bind_int64(stmt, 1, before);
	r = sqlite3_step(stmt);
	if (r != SQLITE_DONE) {
		rc = tfa_db_err(st, err, "pruning the audit trail");
		goto out;
	}
	*pruned = (unsigned)sqlite3_changes(st->db);
	if (note != NULL && note[0] != '\0')
		(void)snprintf(detail, sizeof(detail), "pruned %u rows %s", *pruned, note);
	else
		(void)snprintf(detail, sizeof(detail), "pruned %u rows older than unix time %lld",
			       *pruned, (long long)before);
	rc = tfa_db_audit_insert(st, NULL, TFA_EV_AUDIT_PRUNE, detail, err);
out:
	tfa_db_finish(st, stmt);
	if (rc != TFA_OK)
		*pruned = 0;
	return tfa_db_txn_end(st, rc, err);
}

TFA_API tfa_rc tfa_store_integrity(tfa_store *st, char *result, size_t len, tfa_err *err)
{
	sqlite3_stmt *stmt = NULL;
	size_t used = 0;
	tfa_rc rc;
	int r, rows = 0;

	if (len == 0)
		return tfa_err_set(err, TFA_EINVAL, "no room for the integrity check result");
	result[0] = '\0';
	rc = tfa_db_prepare(st, "PRAGMA integrity_check(20)", &stmt, err);
	if (rc != TFA_OK)
		return rc;
	while ((r = sqlite3_step(stmt)) == SQLITE_ROW) {
		const char *s = (const char *)sqlite3_column_text(stmt, 0);
		int n;

		n = snprintf(result + used, len - used, "%s%s", rows > 0 ? "; " : "",
			     s != NULL ? s : "");
		rows++;
		if (n < 0 || (size_t)n >= len - used)
			break;          /* truncated: the first problems are enough */
		used += (size_t)n;
	}
	if (r != SQLITE_ROW && r != SQLITE_DONE)
		rc = tfa_db_err(st, err, "integrity check");
	tfa_db_finish(st, stmt);
	return rc;
}

TFA_API tfa_rc tfa_store_data_version(tfa_store *st, int64_t *v, tfa_err *err)
{
	sqlite3_stmt *stmt = NULL;
	tfa_rc rc;

	*v = 0;
	rc = tfa_db_prepare(st, "PRAGMA data_version", &stmt, err);
	if (rc != TFA_OK)
		return rc;
	if (sqlite3_step(stmt) == SQLITE_ROW)
		*v = sqlite3_column_int64(stmt, 0);
	else
		rc = tfa_db_err(st, err, "reading the data version");
	tfa_db_finish(st, stmt);
	return rc;
}
