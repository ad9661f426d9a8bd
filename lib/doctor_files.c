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

#define FIX_INIT "tfa-admin init creates a missing store and key (it never overwrites " \
	"one); if only one of the two is missing, restore it from your backup"

static int owner_ok(uid_t uid)
{
	return uid == 0 || uid == geteuid();
}

/* The parent directories of @path, from the nearest up to "/": owned by
 * root or the caller, not writable by group or others unless sticky (as
 * sshd's StrictModes). Returns the number of bad directories reported. */
static unsigned check_parents(const char *id, const char *path, tfa_doc_report *r)
{
	char dir[TFA_DOC_PATH_MAX], fix[TFA_DOC_TEXT_MAX];
	struct stat sb;
	unsigned bad = 0;
	char *slash;

	(void)snprintf(dir, sizeof(dir), "%s", path);
	for (;;) {
		slash = strrchr(dir, '/');
		if (slash == NULL)
			break;
		if (slash == dir)
			slash[1] = '\0';
		else
			*slash = '\0';
		if (stat(dir, &sb) != 0) {
			if (errno != ENOENT) {
				(void)tfa_doc_add(r, id, TFA_DOC_ERROR, dir, 0, "check the directory",
						  "directory %s cannot be examined: %s", dir,
						  strerror(errno));
				bad++;
			}
		} else if (!owner_ok(sb.st_uid)) {
			(void)snprintf(fix, sizeof(fix), "chown root %.700s", dir);
			(void)tfa_doc_add(r, id, TFA_DOC_ERROR, dir, 0, fix,
					  "directory %s (above %s) is owned by uid %u, not root: "
					  "its owner could replace the file", dir, path,
					  (unsigned)sb.st_uid);
			bad++;
		} else if ((sb.st_mode & (S_IWGRP | S_IWOTH)) != 0 && (sb.st_mode & S_ISVTX) == 0) {
			(void)snprintf(fix, sizeof(fix), "chmod go-w %.700s", dir);
			(void)tfa_doc_add(r, id, TFA_DOC_ERROR, dir, 0, fix,
					  "directory %s (above %s) is writable by group or others "
					  "(mode %04o): they could replace the file", dir, path,
					  (unsigned)(sb.st_mode & 07777));
			bad++;
		}
		if (strcmp(dir, "/") == 0)
			break;
	}
	return bad;
}

/* One file: @is_key selects the key rules (no bit for group or others)
 * over the store rules (nothing for others, not group-writable). */
static void check_file(const char *id, const char *what, const char *path, int is_key,
		       tfa_doc_report *r)
{
	char fix[TFA_DOC_TEXT_MAX];
	tfa_err err = { { 0 } };
	struct stat sb;
	unsigned mode, bad;
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
	mode = (unsigned)(sb.st_mode & 07777);
	if (S_ISLNK(sb.st_mode)) {
		(void)snprintf(fix, sizeof(fix), "replace the link by the file itself: "
			       "cp --remove-destination \"$(readlink -f %s)\" %s", path, path);
		(void)tfa_doc_add(r, id, TFA_DOC_ERROR, path, 0, fix,
				  "%s %s is a symbolic link: refused", what, path);
		return;
	}
	if (!S_ISREG(sb.st_mode)) {
		(void)tfa_doc_add(r, id, TFA_DOC_ERROR, path, 0, FIX_INIT,
				  "%s %s is not a regular file", what, path);
		return;
	}
	bad = check_parents(id, path, r);
	if (!owner_ok(sb.st_uid)) {
		(void)snprintf(fix, sizeof(fix), "chown root:root %s", path);
		(void)tfa_doc_add(r, id, TFA_DOC_ERROR, path, 0, fix,
				  "%s %s is owned by uid %u, not root: refused", what, path,
				  (unsigned)sb.st_uid);
		bad++;
	}
	if (is_key ? (mode & 077) != 0 : (mode & (S_IWGRP | S_IRWXO)) != 0) {
		(void)snprintf(fix, sizeof(fix), "chmod 600 %s", path);
		(void)tfa_doc_add(r, id, TFA_DOC_ERROR, path, 0, fix,
				  "%s %s has mode %04o: %s", what, path, mode,
				  is_key ? "the key must have no permission for group or others"
					 : "the store must not be writable by group or readable or "
					   "writable by others");
		bad++;
	}
	rc = tfa_safe_open(path, O_RDONLY, &fd, &err);
	if (fd >= 0)
		(void)close(fd);
	if (rc != TFA_OK && bad == 0) {
		(void)tfa_doc_add(r, id, TFA_DOC_ERROR, path, 0, "see the message",
				  "%s refused: %s", what, err.msg);
		bad++;
	}
	if (bad == 0)
		(void)tfa_doc_add(r, id, TFA_DOC_OK, path, 0, NULL,
				  "%s %s: owner uid %u, mode %04o, parent directories safe", what,
				  path, (unsigned)sb.st_uid, mode);
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
		check_file("files.store", "store", store, 0, r);
	check_file("files.key", "key file", keyfile, 1, r);
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
	rc = tfa_ctx_open(store, keyfile, TFA_STORE_READONLY, "tfa-admin doctor", &ctx, &err);
	if (rc == TFA_EKEY) {
		(void)tfa_doc_add(r, "store.key", TFA_DOC_ERROR, keyfile, 0,
				  "put back the key file this store was made with (from your "
				  "backup); tfa-admin rekey needs it too",
				  "the key file does not open the store: %s", err.msg);
		return r->oom ? TFA_ENOMEM : TFA_OK;
	}
	if (rc != TFA_OK) {
		(void)tfa_doc_add(r, "store.open", TFA_DOC_ERROR, store, 0,
				  rc == TFA_ENOENT ? FIX_INIT : "restore the store from your backup", "the store cannot be opened: %s",
				  err.msg[0] != '\0' ? err.msg : tfa_strerror(rc));
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
