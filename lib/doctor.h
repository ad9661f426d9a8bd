/* SPDX-License-Identifier: BSD-2-Clause */
/* doctor.h - checks of a host's set-up for `tfa-admin doctor`: the store
 * and key files, sshd, the PAM stacks, policy. Each check is a decision
 * made here from what the caller read (files, command output); the CLI
 * gathers the facts and prints the report. Messages name the file and line
 * they come from and say the fix; never a secret or a code.
 */
#ifndef TFA_DOCTOR_H
#define TFA_DOCTOR_H

#include <stddef.h>

#include "tfa.h"
#include "auth.h"

typedef enum {
	TFA_DOC_OK = 0,
	TFA_DOC_WARN = 1,
	TFA_DOC_ERROR = 2,
} tfa_doc_level;

#define TFA_DOC_TEXT_MAX 768
#define TFA_DOC_PATH_MAX 1024

typedef struct {
	char id[48];                      /* e.g. "sshd.kbdinteractive" */
	tfa_doc_level level;
	char message[TFA_DOC_TEXT_MAX];   /* what is wrong (or fine) */
	char fix[TFA_DOC_TEXT_MAX];       /* "" when nothing to do */
	char file[TFA_DOC_PATH_MAX];      /* the file it read, "" if none */
	unsigned line;                    /* its line, 0 if none */
} tfa_doc_check;

typedef struct {
	tfa_doc_check *v;
	size_t n, cap;
	int oom;                          /* a check could not be added */
} tfa_doc_report;

/** tfa_doc_add: append a check to @r. @file may be NULL, @line 0, @fix NULL
 * or "" (nothing to do). Out of memory sets r->oom and returns TFA_ENOMEM. */
tfa_rc tfa_doc_add(tfa_doc_report *r, const char *id, tfa_doc_level level, const char *file,
		   unsigned line, const char *fix, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));

/** tfa_doc_worst: the highest level in @r (TFA_DOC_OK when empty). */
tfa_doc_level tfa_doc_worst(const tfa_doc_report *r);

/** tfa_doc_level_name: "ok", "warn" or "error". */
const char *tfa_doc_level_name(tfa_doc_level level);

/** tfa_doc_report_free: free the checks of @r and zero it. */
void tfa_doc_report_free(tfa_doc_report *r);

/** tfa_doctor_files (doctor_files.c): the store and key file rules (tfa-admin(8) FILES
 * "Files and defaults"): each file exists, is a regular file and no
 * symlink, is owned by root (or the caller), the key has no permission bit
 * for group or others, the store is not readable or writable by others;
 * every parent directory is owned by root (or the caller) and not writable
 * by group or others unless sticky; and the files pass tfa_safe_open, the
 * check the module itself makes. A @store that is a PostgreSQL URI is
 * skipped. */
tfa_rc tfa_doctor_files(const char *store, const char *keyfile, tfa_doc_report *r);

/** tfa_doctor_store (doctor_files.c): open the store read-only with the key
 * (the key matches the store) and run its integrity check. On success *@ctx
 * (may be NULL) gets the open context for tfa_doctor_policy (tfa_ctx_close
 * it), else NULL. */
tfa_rc tfa_doctor_store(const char *store, const char *keyfile, tfa_doc_report *r,
			tfa_ctx **ctx);

/** tfa_doctor_policy (doctor_policy.c): policy sanity: enabled with nobody
 * required or enrolled, required_groups that do not exist or have no
 * member, users with an sms token while sms_command is empty, an unsafe
 * sms_command, max_failures below what sudo's three tries need, audit
 * retention off. */
tfa_rc tfa_doctor_policy(tfa_ctx *ctx, tfa_doc_report *r);

/** tfa_doctor_sshd (doctor_sshd.c): read the sshd configuration @config
 * (following Include, globs sorted as sshd does; lines inside Match blocks
 * do not count for the global value) to find the line whose value won - the
 * first one, as sshd takes it - for UsePAM, KbdInteractiveAuthentication
 * (and its old alias ChallengeResponseAuthentication) and
 * AuthenticationMethods; @sshd_t (may be NULL), the output of `sshd -T`,
 * gives the effective values when it is available. Relative Include paths
 * are taken from the directory of @config. */
tfa_rc tfa_doctor_sshd(const char *config, const char *sshd_t, tfa_doc_report *r);

/** tfa_doctor_pam (doctor_pam.c): every file in @pamdir that runs
 * pam_twofactor (directly or through an @include): the password module
 * (pam_unix, pam_sss, ...) before it, a wrong password ending the stack
 * first (requisite, or Debian's jump over `requisite pam_deny.so`),
 * forward_pass / use_first_pass used consistently, and the module in
 * common-auth or a screen locker's stack without services=. */
tfa_rc tfa_doctor_pam(const char *pamdir, tfa_doc_report *r);

#endif
