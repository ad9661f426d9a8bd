/* SPDX-License-Identifier: BSD-2-Clause */
/* args.h - pam_twofactor.so module arguments.
 *
 * The options (pam_twofactor(8) OPTIONS) are parsed from the argc/argv that
 * Linux-PAM passes to pam_sm_authenticate into a struct owned by the caller;
 * string values point into argv (which PAM keeps for the module's lifetime)
 * or at static defaults, so nothing needs freeing.
 */
#ifndef TFA_PAM_ARGS_H
#define TFA_PAM_ARGS_H

#include <security/pam_modules.h>

#define TFA_PAM_DEFAULT_PROMPT "Verification code: "
#define TFA_PAM_FORWARD_PROMPT "Password and verification code: "

typedef enum {
	TFA_FAIL_SECURE = 0,	/* store unusable: deny (default) */
	TFA_FAIL_SAFE,		/* store unusable: PAM_IGNORE with a warning */
} tfa_failmode;

typedef struct {
	const char *store;	/* store=PATH */
	const char *keyfile;	/* keyfile=PATH */
	const char *keyfile_next; /* keyfile_next=PATH (NULL: none): a key roll-out */
	const char *prompt;	/* prompt=TEXT (NULL: default for the mode) */
	int use_first_pass;	/* code must come from PAM_AUTHTOK */
	int try_first_pass;	/* code from PAM_AUTHTOK if set, else prompt */
	int forward_pass;	/* field is password+code; pass the password on */
	int no_enroll;		/* never enrol at login */
	tfa_failmode failmode;
	const char *services;	/* services=LIST (NULL: every service) */
	int debug;
	char bad[240];		/* the first bad argument as given (cut) and why
				 * ("" none); escape it before logging */
	int bad_path;		/* store= or keyfile= itself was bad */
} tfa_pam_args;

/** tfa_pam_args_parse: fill @a from @argc/@argv. Every unknown, empty or
 * malformed option is logged with pam_syslog (escaped, once each); the
 * return is then -1 and the caller must refuse (PAM_SERVICE_ERR); a->bad
 * then describes the first bad argument (for the audit trail) and
 * a->bad_path says whether store= or keyfile= was among them (then the
 * store must not be opened). 0 when all options were understood. */
int tfa_pam_args_parse(pam_handle_t *pamh, int argc, const char **argv,
		       tfa_pam_args *a);

/** tfa_pam_service_listed: 1 if the module acts for @service under @a
 * (no services= option, or @service is one of its comma-separated names,
 * compared case-insensitively as Linux-PAM lower-cases service names);
 * 0 if not; -1 if @service is NULL (the caller must fail closed). */
int tfa_pam_service_listed(const tfa_pam_args *a, const char *service);

#endif
