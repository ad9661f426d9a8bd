/* SPDX-License-Identifier: BSD-2-Clause */
/* frontend.h - the one header of the front ends: pam_twofactor.so,
 * tfa-admin and rlm_twofactor include this and nothing else of lib/, so a
 * PAM login, a RADIUS login and `tfa-admin verify` run the same calls and
 * no front end touches the store (store/store.h is private to lib/).
 *
 * Contents, by header (each function has its doc comment there):
 *   tfa.h        the result codes (tfa_rc), tfa_err, tfa_err_text,
 *                tfa_strerror, user-name rules, tfa_escape
 *   records.h    the records handed out: tfa_user, tfa_token, tfa_audit_rec
 *                (tfa_token_key is the library's own: no front end holds
 *                a key; t_static.sh checks pam_module/ and cli/)
 *   auth.h       the context: tfa_ctx_open[_ex] (TFA_OPEN_*), tfa_ctx_close,
 *                tfa_ctx_store_is_uri, tfa_ctx_store_check (a path or a
 *                PostgreSQL URI without a password),
 *                tfa_ctx_policy, tfa_ctx_refresh, tfa_ctx_store_path,
 *                tfa_ctx_audit; what a
 *                login needs: tfa_status, tfa_verify, tfa_verify_field
 *                (password+code or code alone, split in one transaction),
 *                tfa_confirm
 *   login.h      what a login needs, decided once: tfa_login_begin (skip,
 *                code, sent, question, enrol, locked, with the words to
 *                show), tfa_login_result_text (after tfa_verify_field)
 *   challenge.h  the step before the prompt: tfa_challenge_begin,
 *                tfa_challenge_confirm_pending
 *   enroll.h     tfa_enroll (URI and base32 key), tfa_enroll_opts
 *   recovery.h   tfa_recovery_generate / add / count / free
 *   resync.h     tfa_resync
 *   admin.h      users (set_required, unlock, reset, tokens, each), the
 *                audit trail (each, prune), cards (add, each, assign,
 *                unassign), imports (begin, oath, token, commit, abort,
 *                ga_store)
 *   policy.h     tfa_policy_set / value / keys / normalize, tfa_rule_text
 *   username.h   tfa_user_resolve (NSS canonical name), group lookups
 *   import.h     parsers of google-authenticator and pam_oath files
 *   card.h       parsers of PSKC and CSV card files (libotpcards)
 *   radius_state.h  the State of a RADIUS Access-Challenge (rlm_twofactor):
 *                tfa_state_make / tfa_state_check / tfa_state_parse
 *   qr.h, uri.h, otp.h, secret.h, safefile.h   QR codes, otpauth URIs,
 *                code parsing, wiping, the file rules (for doctor and init)
 *   audit.h      the audit event names
 */
#ifndef TFA_FRONTEND_H
#define TFA_FRONTEND_H

#include "tfa.h"
#include "records.h"
#include "otp.h"
#include "secret.h"
#include "auth.h"
#include "policy.h"
#include "audit.h"
#include "challenge.h"
#include "enroll.h"
#include "recovery.h"
#include "resync.h"
#include "admin.h"
#include "login.h"
#include "import.h"
#include "username.h"
#include "qr.h"
#include "uri.h"
#include "safefile.h"
#include "radius_state.h"

#endif
