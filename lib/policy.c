/* SPDX-License-Identifier: BSD-2-Clause */
/* policy.c - global settings: defaults, validation, and who is required. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "audit.h"
#include "policy.h"
#include "context.h"
#include "username.h"

typedef enum { K_BOOL, K_UINT, K_GROUPS, K_TEXT, K_RATE } kind;

typedef struct {
	const char *name;
	kind kind;
	unsigned min, max;       /* K_UINT range; K_TEXT max length; K_RATE: COUNT range
				  * (SECONDS is 1..TFA_RATE_WINDOW_MAX) */
	size_t off;              /* offset in tfa_policy */
} keydef;

#define OFF(f) offsetof(tfa_policy, f)

static const keydef keydefs[] = {
	{ "enabled", K_BOOL, 0, 1, OFF(enabled) },
	{ "default_required", K_BOOL, 0, 1, OFF(default_required) },
	{ "required_groups", K_GROUPS, 0, 1024, OFF(required_groups) },
	{ "enroll_at_login", K_BOOL, 0, 1, OFF(enroll_at_login) },
	{ "window", K_UINT, 0, 10, OFF(window) },
	{ "hotp_lookahead", K_UINT, 0, 1000, OFF(hotp_lookahead) },
	{ "max_failures", K_UINT, 1, 1000, OFF(max_failures) },
	{ "lockout_seconds", K_UINT, 1, TFA_LOCKOUT_CAP, OFF(lockout_seconds) },
	{ "sms_command", K_TEXT, 0, 1024, OFF(sms_command) },
	{ "sms_digits", K_UINT, 4, 10, OFF(sms_digits) },
	{ "sms_ttl", K_UINT, 30, 86400, OFF(sms_ttl) },
	{ "issuer", K_TEXT, 0, 64, OFF(issuer) },
	{ "sms_rate", K_RATE, 1, 1000, OFF(sms_rate_count) },
	{ "audit_keep_days", K_UINT, 0, 36500, OFF(audit_keep_days) },
};

#define NKEYS (sizeof(keydefs) / sizeof(keydefs[0]))

static const char *const key_names[NKEYS + 1] = {
	"enabled", "default_required", "required_groups", "enroll_at_login", "window",
	"hotp_lookahead", "max_failures", "lockout_seconds", "sms_command", "sms_digits",
	"sms_ttl", "issuer", "sms_rate", "audit_keep_days", NULL,
};

TFA_API const char *const *tfa_policy_keys(void)
{
	return key_names;
}

static const keydef *find_key(const char *name)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (strcmp(keydefs[i].name, name) == 0)
			return &keydefs[i];
	return NULL;
}

TFA_API void tfa_policy_free(tfa_policy *p)
{
	if (p == NULL)
		return;
	free(p->required_groups);
	free(p->sms_command);
	free(p->issuer);
	memset(p, 0, sizeof(*p));
}

TFA_API tfa_rc tfa_policy_defaults(tfa_policy *p)
{
	char host[256];

	memset(p, 0, sizeof(*p));
	p->enroll_at_login = 1;
	p->window = 1;
	p->hotp_lookahead = 10;
	p->max_failures = 10;
	p->lockout_seconds = 60;
	p->sms_digits = 6;
	p->sms_ttl = 300;
	p->sms_rate_count = 5;
	p->sms_rate_seconds = 600;
	p->audit_keep_days = 400;
	if (gethostname(host, sizeof(host)) != 0 || host[0] == '\0')
		(void)snprintf(host, sizeof(host), "twofactor");
	host[sizeof(host) - 1] = '\0';
	p->required_groups = strdup("");
	p->sms_command = strdup("");
	p->issuer = strdup(host);
	if (p->required_groups == NULL || p->sms_command == NULL || p->issuer == NULL) {
		tfa_policy_free(p);
		return TFA_ENOMEM;
	}
	return TFA_OK;
}

static int parse_bool(const char *v, int *out)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	size_t i;

	for (i = 0; i < 4; i++) {
		if (strcasecmp(v, yes[i]) == 0) {
			*out = 1;
			return 1;
		}
		if (strcasecmp(v, no[i]) == 0) {
			*out = 0;
			return 1;
		}
	}
	return 0;
}

static int parse_uint(const char *v, unsigned min, unsigned max, unsigned *out)
{
	unsigned long n = 0;
	const char *p;

	if (*v == '\0' || strlen(v) > 10)
		return 0;
	for (p = v; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return 0;
		n = n * 10 + (unsigned long)(*p - '0');
	}
	if (n < min || n > max)
		return 0;
	*out = (unsigned)n;
	return 1;
}

/* "COUNT/SECONDS" */
static int parse_rate(const char *v, unsigned min, unsigned max, unsigned *count,
		      unsigned *seconds)
{
	char num[16];
	const char *slash = strchr(v, '/');
	size_t len;

	if (slash == NULL)
		return 0;
	len = (size_t)(slash - v);
	if (len == 0 || len >= sizeof(num))
		return 0;
	memcpy(num, v, len);
	num[len] = '\0';
	return parse_uint(num, min, max, count) &&
	       parse_uint(slash + 1, 1, TFA_RATE_WINDOW_MAX, seconds);
}

static int group_char_ok(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-' || c == '.' || c == '$' || c == '@';
}

/* "wheel, admins,,wheel" -> "wheel,admins" */
static tfa_rc normalize_groups(const char *v, char **norm, tfa_err *err)
{
	size_t len = strlen(v), o = 0, i = 0;
	char *out = calloc(1, len + 2);

	if (out == NULL)
		return tfa_err_set(err, TFA_ENOMEM, "out of memory");
	while (i <= len) {
		size_t start, end;

		while (i < len && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
			i++;
		start = i;
		while (i < len && v[i] != ',')
			i++;
		end = i;
		while (end > start && (v[end - 1] == ' ' || v[end - 1] == '\t'))
			end--;
		if (end > start) {
			size_t k, glen = end - start;
			const char *dup;

			for (k = start; k < end; k++) {
				if (!group_char_ok((unsigned char)v[k])) {
					free(out);
					return tfa_err_set(err, TFA_EINVAL,
							   "required_groups: bad character in a group name"
							   " (want a comma list of group names)");
				}
			}
			/* skip duplicates already in out */
			dup = out;
			while (*dup != '\0') {
				const char *comma = strchr(dup, ',');
				size_t dl = comma ? (size_t)(comma - dup) : strlen(dup);

				if (dl == glen && memcmp(dup, v + start, glen) == 0)
					break;
				dup += dl + (comma ? 1 : 0);
			}
			if (*dup == '\0') {
				if (o > 0)
					out[o++] = ',';
				memcpy(out + o, v + start, glen);
				o += glen;
				out[o] = '\0';
			}
		}
		i++;
	}
	*norm = out;
	return TFA_OK;
}

TFA_API tfa_rc tfa_policy_normalize(const char *key, const char *value, char **norm,
				    tfa_err *err)
{
	const keydef *k = find_key(key);
	char buf[32];
	unsigned n, secs;
	int b;

	*norm = NULL;
	if (k == NULL) {
		char shown[80];

		tfa_escape(key, shown, sizeof(shown));
		return tfa_err_set(err, TFA_EINVAL,
				   "unknown policy key '%s' (tfa-admin policy show lists the keys)",
				   shown);
	}
	switch (k->kind) {
	case K_BOOL:
		if (!parse_bool(value, &b))
			return tfa_err_set(err, TFA_EINVAL, "%s takes yes or no", key);
		*norm = strdup(b ? "yes" : "no");
		break;
	case K_UINT:
		if (!parse_uint(value, k->min, k->max, &n))
			return tfa_err_set(err, TFA_EINVAL, "%s takes a whole number from %u to %u",
					   key, k->min, k->max);
		(void)snprintf(buf, sizeof(buf), "%u", n);
		*norm = strdup(buf);
		break;
	case K_GROUPS:
		if (strlen(value) > k->max)
			return tfa_err_set(err, TFA_EINVAL, "%s is too long", key);
		return normalize_groups(value, norm, err);
	case K_RATE:
		if (!parse_rate(value, k->min, k->max, &n, &secs))
			return tfa_err_set(err, TFA_EINVAL, "%s takes COUNT/SECONDS: at most COUNT"
					   " (%u to %u) in any SECONDS (1 to %u), e.g. 5/600",
					   key, k->min, k->max, TFA_RATE_WINDOW_MAX);
		(void)snprintf(buf, sizeof(buf), "%u/%u", n, secs);
		*norm = strdup(buf);
		break;
	case K_TEXT: {
		const unsigned char *p;

		if (strlen(value) > k->max)
			return tfa_err_set(err, TFA_EINVAL, "%s is longer than %u characters",
					   key, k->max);
		for (p = (const unsigned char *)value; *p != '\0'; p++)
			if (*p < 0x20 || *p == 0x7f)
				return tfa_err_set(err, TFA_EINVAL,
						   "%s must not contain control characters", key);
		if (strcmp(key, "issuer") == 0 && strchr(value, ':') != NULL)
			return tfa_err_set(err, TFA_EINVAL, "issuer must not contain ':'");
		if (strcmp(key, "sms_command") == 0 && *value != '\0' &&
		    (*value != '/' || strchr(value, ' ') != NULL))
			return tfa_err_set(err, TFA_EINVAL, "sms_command must be the absolute path of"
					   " a program (no arguments: it runs without a shell, the"
					   " phone number is its one argument), or empty");
		*norm = strdup(value);
		break;
	}
	}
	if (*norm == NULL)
		return tfa_err_set(err, TFA_ENOMEM, "out of memory");
	return TFA_OK;
}

/* Store a normalised value into the struct field. */
static tfa_rc apply(tfa_policy *p, const keydef *k, const char *norm)
{
	char *s;

	switch (k->kind) {
	case K_BOOL:
		*(int *)(void *)((char *)p + k->off) = strcmp(norm, "yes") == 0;
		return TFA_OK;
	case K_UINT:
		*(unsigned *)(void *)((char *)p + k->off) = (unsigned)strtoul(norm, NULL, 10);
		return TFA_OK;
	case K_RATE:
		/* normalised: both parts parse; the seconds field follows the count */
		if (!parse_rate(norm, k->min, k->max, &p->sms_rate_count, &p->sms_rate_seconds))
			return TFA_EINVAL;
		return TFA_OK;
	case K_GROUPS:
	case K_TEXT:
		s = strdup(norm);
		if (s == NULL)
			return TFA_ENOMEM;
		free(*(char **)(void *)((char *)p + k->off));
		*(char **)(void *)((char *)p + k->off) = s;
		return TFA_OK;
	}
	return TFA_EINVAL;
}

typedef struct {
	tfa_store *st;
	tfa_policy *p;
	tfa_err *err;
} load_ctx;

/* one stored policy row onto the policy; keys this version does not know
 * are left alone */
static tfa_rc load_row(const char *key, const char *raw, void *arg)
{
	load_ctx *l = arg;
	const keydef *k = find_key(key);
	char *norm = NULL;
	tfa_rc rc;

	if (k == NULL)
		return TFA_OK;
	rc = tfa_policy_normalize(k->name, raw, &norm, l->err);
	if (rc == TFA_EINVAL)
		rc = tfa_err_set(l->err, TFA_ESTORE, "store %s: policy %s holds a bad value",
				 tfa_store_path(l->st), k->name);
	if (rc == TFA_OK && (rc = apply(l->p, k, norm)) != TFA_OK)
		rc = tfa_err_set(l->err, rc, "out of memory");
	free(norm);
	return rc;
}

TFA_API tfa_rc tfa_policy_load(tfa_store *st, tfa_policy *p, tfa_err *err)
{
	load_ctx l = { st, p, err };
	tfa_rc rc;

	rc = tfa_policy_defaults(p);
	if (rc != TFA_OK)
		return tfa_err_set(err, rc, "out of memory");
	rc = tfa_store_policy_all(st, load_row, &l, err);
	if (rc != TFA_OK)
		tfa_policy_free(p);
	return rc;
}

TFA_API tfa_rc tfa_policy_set(tfa_ctx *c, const char *key, const char *value, tfa_err *err)
{
	tfa_policy fresh;
	tfa_audit_rec audit;
	char *norm = NULL, detail[200];
	tfa_rc rc;

	rc = tfa_policy_normalize(key, value, &norm, err);
	if (rc != TFA_OK)
		return rc;
	if (norm == NULL)
		return tfa_err_set(err, TFA_ENOMEM, "out of memory");
	/* the command line of sms_command may hold a gateway's key: not logged */
	(void)snprintf(detail, sizeof(detail), "%s=%s", key,
		       strcmp(key, "sms_command") != 0 ? norm :
		       norm[0] != '\0' ? "(set)" : "(cleared)");
	tfa_audit_rec_set(&audit, TFA_EV_POLICY, "", detail);
	tfa_escape(detail, audit.detail, sizeof(audit.detail));
	rc = tfa_store_policy_set(c->store, key, norm, &audit, err);
	free(norm);
	/* this context's own commit does not change PRAGMA data_version, so
	 * tfa_ctx_refresh would not see it: the context's policy is the new
	 * one from here on */
	if (rc == TFA_OK && c->policy_from_store) {
		rc = tfa_policy_load(c->store, &fresh, err);
		if (rc == TFA_OK) {
			tfa_policy_free(&c->policy);
			c->policy = fresh;
		}
	}
	return rc;
}

TFA_API tfa_rc tfa_policy_value(const tfa_policy *p, const char *key, char **out)
{
	const keydef *k = find_key(key);
	char buf[32];
	const void *f;

	*out = NULL;
	if (k == NULL)
		return TFA_EINVAL;
	f = (const char *)p + k->off;
	switch (k->kind) {
	case K_BOOL:
		*out = strdup(*(const int *)f ? "yes" : "no");
		break;
	case K_UINT:
		(void)snprintf(buf, sizeof(buf), "%u", *(const unsigned *)f);
		*out = strdup(buf);
		break;
	case K_RATE:
		(void)snprintf(buf, sizeof(buf), "%u/%u", p->sms_rate_count, p->sms_rate_seconds);
		*out = strdup(buf);
		break;
	case K_GROUPS:
	case K_TEXT:
		*out = strdup(*(char *const *)f != NULL ? *(char *const *)f : "");
		break;
	}
	return *out != NULL ? TFA_OK : TFA_ENOMEM;
}

TFA_API tfa_rc tfa_policy_required(const tfa_policy *p, const tfa_user *u, int *required,
				   tfa_rule *rule, char *group, size_t grouplen, tfa_err *err)
{
	int member = 0;
	tfa_rc rc;

	*required = 0;
	if (grouplen > 0)
		group[0] = '\0';
	if (!p->enabled) {
		*rule = TFA_RULE_OFF_GLOBALLY;
		return TFA_OK;
	}
	if (u->required == TFA_REQ_ON) {
		*rule = TFA_RULE_USER_ON;
		*required = 1;
		return TFA_OK;
	}
	if (u->required == TFA_REQ_OFF) {
		*rule = TFA_RULE_USER_OFF;
		return TFA_OK;
	}
	rc = tfa_user_in_groups(u->name, p->required_groups, &member, group, grouplen, err);
	if (rc != TFA_OK) {
		/* fail closed: a lookup error is never "not a member" */
		*rule = TFA_RULE_GROUP;
		*required = 1;
		return rc;
	}
	if (member) {
		*rule = TFA_RULE_GROUP;
		*required = 1;
		return TFA_OK;
	}
	*rule = TFA_RULE_DEFAULT;
	*required = p->default_required;
	return TFA_OK;
}

TFA_API const char *tfa_rule_text(tfa_rule rule)
{
	switch (rule) {
	case TFA_RULE_OFF_GLOBALLY: return "two-factor is off for everyone (enabled=no)";
	case TFA_RULE_USER_ON: return "per-user setting (enabled)";
	case TFA_RULE_USER_OFF: return "per-user setting (disabled)";
	case TFA_RULE_GROUP: return "member of a required group";
	case TFA_RULE_DEFAULT: return "default (default_required)";
	case TFA_RULE_MUST_ENROLL: return "reset: must enrol again";
	}
	return "unknown";
}
