/* SPDX-License-Identifier: BSD-2-Clause */
/* policy.h - global settings (tfa-admin(8) "Policy") and who must use 2FA. */
#ifndef TFA_POLICY_H
#define TFA_POLICY_H

#include <stddef.h>
#include "tfa.h"
#include "records.h"

#define TFA_LOCKOUT_CAP 86400   /* lockouts double up to one day */
#define TFA_RATE_WINDOW_MAX 86400  /* sms_rate: the longest window */

typedef struct {
	int enabled;              /* master switch; default no */
	int default_required;     /* default no */
	char *required_groups;    /* normalised comma list; "" = none */
	int enroll_at_login;      /* default yes */
	unsigned window;          /* default 1 */
	unsigned hotp_lookahead;  /* default 10 */
	unsigned max_failures;    /* default 10 */
	unsigned lockout_seconds; /* default 60 */
	char *sms_command;        /* default "" */
	unsigned sms_digits;      /* default 6 */
	unsigned sms_ttl;         /* default 300 */
	char *issuer;             /* default: host name */
	unsigned sms_rate_count;  /* sms_rate COUNT/SECONDS: deliveries per user */
	unsigned sms_rate_seconds; /* in this window; default 5/600 */
	unsigned audit_keep_days; /* default 400; 0 = never prune */
} tfa_policy;

/** tfa_policy_keys: the keys in display order, NULL-terminated. */
const char *const *tfa_policy_keys(void);

/** tfa_policy_defaults: fill @p with defaults (allocates strings). */
tfa_rc tfa_policy_defaults(tfa_policy *p);

/** tfa_policy_load: defaults overlaid with what the store holds. A stored
 * value that does not validate is TFA_ESTORE (fail closed). */
tfa_rc tfa_policy_load(tfa_store *st, tfa_policy *p, tfa_err *err);

/** tfa_policy_free: free the strings of @p. */
void tfa_policy_free(tfa_policy *p);

/** tfa_policy_normalize: check @value for @key and give its canonical form
 * in *@norm (new string): yes/no (also true/false, on/off, 1/0), decimal
 * numbers within each key's range, group lists trimmed and de-duplicated.
 * TFA_EINVAL with a message naming the key and what it accepts, also for an
 * unknown key. */
tfa_rc tfa_policy_normalize(const char *key, const char *value, char **norm,
			    tfa_err *err);

#ifndef TFA_CTX_TYPEDEF
#define TFA_CTX_TYPEDEF
typedef struct tfa_ctx tfa_ctx;
#endif

/** tfa_policy_set: normalise @value and store it, with its "policy" audit
 * row in the same transaction (sms_command's value is not written there).
 * Open @c with TFA_OPEN_NOPOLICY to mend a stored value that no longer
 * validates. Otherwise @c's own policy (tfa_ctx_policy) is reloaded and
 * applies to its next call. */
tfa_rc tfa_policy_set(tfa_ctx *c, const char *key, const char *value, tfa_err *err);

/** tfa_policy_value: the effective value of @key in @p as a new string. */
tfa_rc tfa_policy_value(const tfa_policy *p, const char *key, char **out);

typedef enum {
	TFA_RULE_OFF_GLOBALLY = 0,  /* enabled=no */
	TFA_RULE_USER_ON,           /* tfa-admin enable USER */
	TFA_RULE_USER_OFF,          /* tfa-admin disable USER */
	TFA_RULE_GROUP,             /* member of a required group */
	TFA_RULE_DEFAULT,           /* default_required */
	TFA_RULE_MUST_ENROLL,       /* reset: must enrol again (tfa_status) */
} tfa_rule;

/** tfa_policy_required: whether user @u (u->name: the canonical name, see
 * username.h) must use a second factor, in *@required (1/0).
 * Precedence: enabled=no, then the per-user setting, then
 * required_groups (primary or supplementary, via getgrouplist), then
 * default_required. *@rule says which decided; for TFA_RULE_GROUP the
 * group's name goes to @group. A failed user or group lookup is
 * TFA_ELOOKUP with *@required = 1 (never "not a member"). */
tfa_rc tfa_policy_required(const tfa_policy *p, const tfa_user *u, int *required,
			   tfa_rule *rule, char *group, size_t grouplen, tfa_err *err);

/** tfa_rule_text: a short phrase for @rule, e.g. "per-user setting (enabled)". */
const char *tfa_rule_text(tfa_rule rule);

#endif
