/* SPDX-License-Identifier: BSD-2-Clause */
/* backup.c - the front ends' backup and restore calls (admin.h): the
 * audit rows, with the file names escaped; the work is in
 * store/store_backup.c and store/store_restore.c. */
#include "config.h"

#include <stdio.h>

#include "admin.h"
#include "audit.h"
#include "context.h"
#include "store_backend.h"

TFA_API tfa_rc tfa_backup(tfa_ctx *c, const char *file, unsigned flags, tfa_err *err)
{
	char esc[160], detail[200];
	tfa_audit_rec audit;

	if (file == NULL || *file == '\0')
		return tfa_err_set(err, TFA_EINVAL, "no backup file given");
	tfa_escape(file, esc, sizeof(esc));
	(void)snprintf(detail, sizeof(detail), "to %s", esc);
	tfa_audit_rec_set(&audit, TFA_EV_BACKUP, c->source, detail);
	return tfa_store_backup(c->store, file, (flags & TFA_BACKUP_FORCE) != 0, &audit, err);
}

TFA_API tfa_rc tfa_restore(const char *store, const char *keyfile, const char *file,
			   const char *source, tfa_restore_note_fn note, void *arg,
			   tfa_restore_info *info, tfa_err *err)
{
	char esc[160], detail[200];
	tfa_audit_rec audit;

	if (store == NULL || *store == '\0' || keyfile == NULL || *keyfile == '\0')
		return tfa_err_set(err, TFA_EINVAL, "store and key file paths must not be empty");
	if (file == NULL || *file == '\0')
		return tfa_err_set(err, TFA_EINVAL, "no backup file given");
	tfa_escape(file, esc, sizeof(esc));
	(void)snprintf(detail, sizeof(detail), "from %s", esc);
	tfa_audit_rec_set(&audit, TFA_EV_RESTORE, source != NULL ? source : "", detail);
	return tfa_store_restore(store, keyfile, file, &audit, note, arg, info, err);
}

TFA_API tfa_rc tfa_migrate(tfa_ctx *c, const char *url, const char *keyfile,
			   tfa_migrate_info *info, tfa_err *err)
{
	char esc[160], detail[200];
	const char *path = tfa_store_path(c->store);
	tfa_audit_rec src_audit, dst_audit;
	tfa_store *target = NULL;
	tfa_rc rc;

	if (url == NULL || *url == '\0' || keyfile == NULL || *keyfile == '\0')
		return tfa_err_set(err, TFA_EINVAL, "no target database or key file given");
	if (tfa_store_is_pg_uri(path))
		return tfa_err_set(err, TFA_ESTORE, "the store to migrate is a PostgreSQL database;"
				   " migrate copies a SQLite store into PostgreSQL");
	if (!tfa_store_is_pg_uri(url))
		return tfa_err_set(err, TFA_EINVAL, "migrate --to needs a postgresql:// or "
				   "postgres:// URI");
	rc = tfa_store_open(url, keyfile, 0, &target, err);
	if (rc != TFA_OK)
		return rc;
	/* the URI holds no password (refused at open) */
	tfa_escape(url, esc, sizeof(esc));
	(void)snprintf(detail, sizeof(detail), "to %s", esc);
	tfa_audit_rec_set(&src_audit, TFA_EV_MIGRATE, c->source, detail);
	tfa_escape(path, esc, sizeof(esc));
	(void)snprintf(detail, sizeof(detail), "from %s", esc);
	tfa_audit_rec_set(&dst_audit, TFA_EV_MIGRATE, c->source, detail);
	rc = tfa_store_migrate_pg(c->store, target, &src_audit, &dst_audit, info, err);
	tfa_store_close(target);
	return rc;
}
