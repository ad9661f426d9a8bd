/* SPDX-License-Identifier: BSD-2-Clause */
/* doctor_files.c - `tfa-admin doctor`: the store and key files, their
 * parent directories, the key matching the store, integrity_check. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "doctor.h"
#include "safefile.h"
#include "store.h"
#include "context.h"

#define FIX_INIT "tfa-admin init creates a missing store and key (it never overwrites " \
	"one); if only one of the two is missing, restore it from your backup"

/* The fix a safefile.c refusal names ("... (fix: chmod 600 FILE)"), into
 * @fix; "see the message" when it names none. */
static void fix_of(const char *msg, char *fix, size_t len)
{
	const char *p = strstr(msg, "(fix: ");
	size_t n;

	if (p == NULL) {
		(void)snprintf(fix, len, "see the message");
		return;
	}
	p += strlen("(fix: ");
	n = strcspn(p, ")");
	(void)snprintf(fix, len, "%.*s", (int)n, p);
}

/* One file, by the library's own rules (safefile.h) for @kind: the
 * directories above it, then the file itself as opened. */
static void check_file(const char *id, const char *what, const char *path, tfa_safe_kind kind,
		       tfa_doc_report *r)
{
	char fix[TFA_DOC_TEXT_MAX];
	tfa_err err = { { 0 } };
	struct stat sb;
	int fd = -1;
	tfa_rc rc;

	if (lstat(path, &sb) != 0) {
		if (errno == ENOENT)
			(void)tfa_doc_add(r, id, TFA_DOC_ERROR, path, 0, FIX_INIT,
					  "%s %s does not exist: the module refuses every login "
					  "it is asked for", what, path);
		else
			(void)tfa_doc_add(r, id, TFA_DOC_ERROR, path, 0, "check the file",
					  "%s %s cannot be examined: %s", what, path, strerror(errno));
		return;
	}
	if (S_ISLNK(sb.st_mode)) {
		(void)snprintf(fix, sizeof(fix), "replace the link by the file itself: "
			       "cp --remove-destination \"$(readlink -f %s)\" %s", path, path);
		(void)tfa_doc_add(r, id, TFA_DOC_ERROR, path, 0, fix,
				  "%s %s is a symbolic link: refused", what, path);
		return;
	}
	rc = tfa_safe_check_dirs(path, kind, NULL, &err);
	if (rc != TFA_OK) {
		/* the fix names the directory ("chmod go-w DIR"): name it too */
		const char *dir;

		fix_of(err.msg, fix, sizeof(fix));
		dir = strrchr(fix, ' ');
		(void)tfa_doc_add(r, id, TFA_DOC_ERROR, dir != NULL ? dir + 1 : path, 0, fix, "%s",
				  err.msg);
		return;
	}
	rc = tfa_safe_open(path, O_RDONLY | O_NONBLOCK, kind, &fd, NULL, &err);
	if (fd >= 0)
		(void)close(fd);
	if (rc != TFA_OK) {
		fix_of(err.msg, fix, sizeof(fix));
		(void)tfa_doc_add(r, id, TFA_DOC_ERROR, path, 0, fix, "%s", err.msg);
		return;
	}
	(void)tfa_doc_add(r, id, TFA_DOC_OK, path, 0, NULL,
			  "%s %s: owner uid %u, mode %04o, parent directories safe", what,
			  path, (unsigned)sb.st_uid, (unsigned)(sb.st_mode & 07777));
}

static int is_pg_uri(const char *s)
{
	return strncmp(s, "postgresql://", 13) == 0 || strncmp(s, "postgres://", 11) == 0;
}

TFA_API tfa_rc tfa_doctor_files(const char *store, const char *keyfile, tfa_doc_report *r)
{
	if (is_pg_uri(store))
		(void)tfa_doc_add(r, "files.store", TFA_DOC_OK, NULL, 0, NULL,
				  "the store is a PostgreSQL database: no file to check");
	else
		check_file("files.store", "store", store, TFA_SAFE_STORE, r);
	check_file("files.key", "key file", keyfile, TFA_SAFE_KEY, r);
	return r->oom ? TFA_ENOMEM : TFA_OK;
}

TFA_API tfa_rc tfa_doctor_store(const char *store, const char *keyfile, tfa_doc_report *r,
				tfa_ctx **out)
{
	char result[512];
	tfa_err err = { { 0 } };
	tfa_ctx *ctx = NULL;
	tfa_rc rc;

	if (out != NULL)
		*out = NULL;
	rc = tfa_ctx_open(store, keyfile, TFA_OPEN_READONLY, "tfa-admin doctor", &ctx, &err);
	if (rc == TFA_EKEY) {
		(void)tfa_doc_add(r, "store.key", TFA_DOC_ERROR, keyfile, 0,
				  "put back the key file this store was made with (from your "
				  "backup); tfa-admin rekey needs it too",
				  "the key file does not open the store: %s", err.msg);
		/* the policy checks need no key: open without it */
		if (out != NULL &&
		    tfa_ctx_open(store, keyfile, TFA_OPEN_READONLY | TFA_OPEN_NOKEY,
				 "tfa-admin doctor", &ctx, &err) == TFA_OK)
			*out = ctx;
		return r->oom ? TFA_ENOMEM : TFA_OK;
	}
	if (rc != TFA_OK) {
		(void)tfa_doc_add(r, "store.open", TFA_DOC_ERROR, store, 0,
				  rc == TFA_ENOENT ? FIX_INIT : "restore the store from your backup",
				  "the store cannot be opened: %s", tfa_err_text(&err, rc));
		return r->oom ? TFA_ENOMEM : TFA_OK;
	}
	(void)tfa_doc_add(r, "store.key", TFA_DOC_OK, keyfile, 0, NULL,
			  "the key file matches the store");
	rc = tfa_store_integrity(ctx->store, result, sizeof(result), &err);
	if (rc != TFA_OK)
		(void)tfa_doc_add(r, "store.integrity", TFA_DOC_ERROR, store, 0,
				  "restore the store from your backup",
				  "integrity check failed to run: %s", err.msg);
	else if (strcmp(result, "ok") != 0)
		(void)tfa_doc_add(r, "store.integrity", TFA_DOC_ERROR, store, 0,
				  "restore the store from your backup",
				  "integrity_check found damage: %s", result);
	else
		(void)tfa_doc_add(r, "store.integrity", TFA_DOC_OK, store, 0, NULL,
				  "integrity_check: ok");
	if (out != NULL)
		*out = ctx;
	else
		tfa_ctx_close(ctx);
	return r->oom ? TFA_ENOMEM : TFA_OK;
}
