/* SPDX-License-Identifier: BSD-2-Clause */
/* import.h - migration from google-authenticator-libpam and pam_oath.
 *
 * The parsers are pure: they take text and give tokens, with no store and
 * no I/O, so that they can be fuzzed. Reading the file and writing the
 * store (tfa_store_import_*, store.h) is the caller's job (tfa-admin
 * import). Error reasons name the problem, never the content of a line (a
 * line holds a secret).
 */
#ifndef TFA_IMPORT_H
#define TFA_IMPORT_H

#include "records.h"

/* google-authenticator writes at most 10 scratch codes; accept up to 100 */
#define TFA_IMPORT_GA_MAX_SCRATCH 100
#define TFA_IMPORT_GA_MAX_FILE 65536

/** Called for each bad line (1-based @line) with the reason. */
typedef void (*tfa_import_bad_cb)(unsigned line, const char *reason, void *ctx);

/* What a ~/.google_authenticator file holds, beyond the token. */
typedef struct {
	tfa_token tok;          /* user, type, digits 6, period, counter, last_step;
				 * state ACTIVE */
	tfa_token_key key;      /* its key: for tfa_import_ga_store, not to read */
	unsigned nscratch;
	char scratch[TFA_IMPORT_GA_MAX_SCRATCH][9];   /* 8 digits + NUL */
	int window_size;        /* WINDOW_SIZE, -1 if absent (not imported: policy) */
	int rate_limit;         /* RATE_LIMIT present (not imported: lockout policy) */
	int disallow_reuse;     /* DISALLOW_REUSE present (ours always refuses reuse) */
	unsigned bad;           /* bad lines reported */
} tfa_import_ga;

/** tfa_import_ga_parse: parse the @len bytes of a ~/.google_authenticator
 * file at @text for @user into *@out (cleared first). Line 1 is the base32
 * secret; lines starting with `" ` are options (TOTP_AUTH, HOTP_COUNTER n,
 * STEP_SIZE n, WINDOW_SIZE n, RATE_LIMIT n m [times], DISALLOW_REUSE
 * [steps]); other lines are 8-digit scratch codes. Each bad line is passed
 * to @bad (may be NULL) and counted in out->bad. A bad or missing secret, or
 * no usable token type, is fatal: TFA_EINVAL. Otherwise TFA_OK, even with
 * bad lines (the caller decides whether to skip them). Wipe *@out with
 * tfa_import_ga_clear. */
tfa_rc tfa_import_ga_parse(const char *text, size_t len, const char *user,
			   tfa_import_ga *out, tfa_import_bad_cb bad, void *ctx);

/** tfa_import_ga_clear: wipe the secret and scratch codes in @g. */
void tfa_import_ga_clear(tfa_import_ga *g);

/** tfa_import_oath_line: parse one line (without or with its newline) of a
 * pam_oath users file: `TYPE USER PIN SECRET_HEX [COUNTER [LAST_OTP [TIME]]]`
 * with TYPE HOTP, HOTP/E, HOTP/E/D, HOTP/Tn or HOTP/Tn/D (D 6..8 digits; n
 * the period in seconds). PIN must be "-" (none) or "+" (checked elsewhere):
 * a set PIN is refused, as the first factor is the Unix password. HOTP:
 * with LAST_OTP the next counter is COUNTER+1 (COUNTER was used), without
 * it COUNTER. TOTP: with TIME (local, YYYY-MM-DDTHH:MM:SSL) the step of
 * the last used code is recorded, so it cannot be replayed.
 * Returns 1 and fills *@out (state ACTIVE) and *@key (its key), 0 for a
 * blank or comment line, -1 for a bad line with the reason in @why; *@key
 * is empty (wiped) unless 1. Front ends use tfa_import_oath (admin.h),
 * which keeps the key inside the import. */
int tfa_import_oath_line(const char *line, tfa_token *out, tfa_token_key *key, char *why,
			 size_t whylen);

#endif
