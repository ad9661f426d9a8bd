/* SPDX-License-Identifier: BSD-2-Clause */
/* module.h - what the parts of pam_twofactor.so share: the state of one
 * pam_sm_authenticate call (no global state anywhere) and the helpers that
 * log outcomes, write the audit trail and talk to the person logging in.
 * Nothing here is exported from the module (visibility hidden + version
 * script).
 */
#ifndef TFA_PAM_MODULE_H
#define TFA_PAM_MODULE_H

#include <stdint.h>
#include <syslog.h>

#include <security/pam_modules.h>

#include "frontend.h"
#include "args.h"

#define LOG_PRIO(p) (LOG_AUTHPRIV | (p))

/* What one call did so far, for its last steps (the helpers below take a
 * const tfa_login and still record here). */
typedef struct {
	int audited;       /* the outcome is in the audit trail already */
	int prompted;      /* the module showed a code prompt to the person */
	char why[TFA_ERRMSG_MAX + 128];   /* the last outcome logged */
} tfa_login_trace;

/* Everything about one pam_sm_authenticate call. */
typedef struct {
	pam_handle_t *pamh;
	const tfa_pam_args *args;
	int flags;
	const char *user;                    /* canonical name (username.h) */
	char user_esc[TFA_USER_MAX * 4 + 1]; /* for logs */
	char canon[TFA_USER_MAX + 1];        /* what user points to once resolved */
	int known;                           /* NSS knows the user */
	char source[64];                     /* "pam:SERVICE" for the audit */
	tfa_ctx *ctx;
	tfa_login_step step;                 /* what the library said the login needs */
	tfa_login_trace *trace;              /* never NULL */
} tfa_login;

/** tfa_pam_dbg: a LOG_DEBUG line when the debug option is set. */
void tfa_pam_dbg(const tfa_login *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/** tfa_pam_outcome: log the outcome of the call - every outcome gets one
 * such line naming the (escaped) user, the reason and the PAM result - and
 * return @pamrc. Never pass a code or a secret. The reason is kept in
 * l->trace for the audit trail (pam_sm_authenticate writes a refusal that
 * nothing audited yet as "login_failed"). */
int tfa_pam_outcome(const tfa_login *l, int pamrc, int prio, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/** tfa_pam_audit: write an outcome that tfa_verify/tfa_confirm did not see
 * to the audit trail ("SOURCE: DETAIL"); a failed write is logged. Marks
 * the call's outcome as audited. */
void tfa_pam_audit(const tfa_login *l, const char *event, const char *detail);

/** tfa_pam_say_error / tfa_pam_say_info: a message to the person, unless
 * PAM_SILENT. A failure to show it is not an error. */
void tfa_pam_say_error(const tfa_login *l, const char *text);
void tfa_pam_say_info(const tfa_login *l, const char *text);

/** tfa_pam_result: the PAM result for a library result @r that is not
 * the outcome of a code (those are decided where the code is checked):
 * out of memory and bad input refuse (PAM_AUTH_ERR), a lookup or store
 * failure is PAM_AUTHINFO_UNAVAIL. */
int tfa_pam_result(tfa_rc r);

/** tfa_pam_no_token (pam_enrol.c): the ENROL step (a required user without
 * an active token, l->step): first-login enrolment where allowed, else a
 * refusal. */
int tfa_pam_no_token(tfa_login *l);

#endif
