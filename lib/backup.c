/* SPDX-License-Identifier: BSD-2-Clause */
/* backup.c - the front ends' backup and restore calls (admin.h): the
 * audit rows, with the file names escaped; the work is in
 * store/store_backup.c and store/store_restore.c. */
#include "config.h"

#include <stdio.h>

#include "admin.h"
#include "audit.h"
#include "context.h"

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
