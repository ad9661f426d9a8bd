/* policy.c - global settings: defaults, validation, and who is required. */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "audit.h"
#include "policy.h"

typedef enum { K_BOOL, K_UINT, K_GROUPS, K_TEXT } kind;

typedef struct {
	const char *name;
	kind kind;
	unsigned min, max;       /* K_UINT range; K_TEXT max length */
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
	{ "audit_keep_days", K_UINT, 0, 36500, OFF(audit_keep_days) },
};

#define NKEYS (sizeof(keydefs) / sizeof(keydefs[0]))

static const char *const key_names[NKEYS + 1] = {
	"enabled", "default_required", "required_groups", "enroll_at_login", "window",
	"hotp_lookahead", "max_failures", "lockout_seconds", "sms_command", "sms_digits",
	"sms_ttl", "issuer", "audit_keep_days", NULL,
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
	p->max_failures = 5;
	p->lockout_seconds = 60;
	p->sms_digits = 6;
	p->sms_ttl = 300;
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
	char buf[16];
	unsigned n;
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

TFA_API tfa_rc tfa_policy_load(tfa_store *st, tfa_policy *p, tfa_err *err)
{
	size_t i;
	tfa_rc rc;

	rc = tfa_policy_defaults(p);
	if (rc != TFA_OK)
		return tfa_err_set(err, rc, "out of memory");
	for (i = 0; i < NKEYS; i++) {
		char *raw = NULL, *norm = NULL;

		rc = tfa_store_policy_get(st, keydefs[i].name, &raw, err);
		if (rc == TFA_OK && raw != NULL) {
			rc = tfa_policy_normalize(keydefs[i].name, raw, &norm, err);
			if (rc == TFA_EINVAL)
				rc = tfa_err_set(err, TFA_ESTORE, "store %s: policy %s holds a bad value",
						 tfa_store_path(st), keydefs[i].name);
			if (rc == TFA_OK && (rc = apply(p, &keydefs[i], norm)) != TFA_OK)
				rc = tfa_err_set(err, rc, "out of memory");
		}
		free(raw);
		free(norm);
		if (rc != TFA_OK) {
			tfa_policy_free(p);
			return rc;
		}
	}
	return TFA_OK;
}

TFA_API tfa_rc tfa_policy_set(tfa_store *st, const char *key, const char *value, tfa_err *err)
{
	char *norm = NULL;
	tfa_rc rc;

	rc = tfa_policy_normalize(key, value, &norm, err);
	if (rc != TFA_OK)
		return rc;
	if (norm == NULL)
		return tfa_err_set(err, TFA_ENOMEM, "out of memory");
	rc = tfa_store_policy_set(st, key, norm, err);
	if (rc == TFA_OK)
		rc = tfa_audit(st, NULL, TFA_EV_POLICY, "%s=%s", key,
			       strcmp(key, "sms_command") != 0 ? norm :
			       norm[0] != '\0' ? "(set)" : "(cleared)");
	free(norm);
	return rc;
}

TFA_API tfa_rc tfa_policy_value(const tfa_policy *p, const char *key, char **out)
{
	const keydef *k = find_key(key);
	char buf[16];
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
	case K_GROUPS:
	case K_TEXT:
		*out = strdup(*(char *const *)f != NULL ? *(char *const *)f : "");
		break;
	}
	return *out != NULL ? TFA_OK : TFA_ENOMEM;
}

/* Is @user a member (primary or supplementary) of one of @groups?
 * On a match the group's name goes to @group. */
static int in_groups(const char *user, const char *groups, char *group, size_t grouplen)
{
	struct passwd pw, *pwp = NULL;
	char pwbuf[4096];
	gid_t *gids = NULL;
	int ngroups = 64, found = 0, i;
	const char *g = groups;

	if (groups == NULL || *groups == '\0')
		return 0;
	if (getpwnam_r(user, &pw, pwbuf, sizeof(pwbuf), &pwp) != 0 || pwp == NULL)
		return 0;
	for (;;) {
		gid_t *grown = realloc(gids, (size_t)ngroups * sizeof(*gids));
		int want = ngroups;

		if (grown == NULL)
			goto out;
		gids = grown;
		if (getgrouplist(user, pw.pw_gid, gids, &want) >= 0) {
			ngroups = want;
			break;
		}
		if (want <= ngroups || want > 65536)
			goto out;
		ngroups = want;
	}
	while (*g != '\0' && !found) {
		const char *comma = strchr(g, ',');
		size_t len = comma ? (size_t)(comma - g) : strlen(g);
		char name[256];
		struct group gr, *grp = NULL;
		char grbuf[16384];

		if (len < sizeof(name)) {
			memcpy(name, g, len);
			name[len] = '\0';
			if (getgrnam_r(name, &gr, grbuf, sizeof(grbuf), &grp) == 0 && grp != NULL) {
				for (i = 0; i < ngroups; i++) {
					if (gids[i] == grp->gr_gid) {
						found = 1;
						(void)snprintf(group, grouplen, "%s", name);
						break;
					}
				}
			}
		}
		g += len + (comma ? 1 : 0);
	}
out:
	free(gids);
	return found;
}

TFA_API int tfa_policy_required(const tfa_policy *p, const tfa_user *u, tfa_rule *rule,
				char *group, size_t grouplen)
{
	if (grouplen > 0)
		group[0] = '\0';
	if (!p->enabled) {
		*rule = TFA_RULE_OFF_GLOBALLY;
		return 0;
	}
	if (u->required == TFA_REQ_ON) {
		*rule = TFA_RULE_USER_ON;
		return 1;
	}
	if (u->required == TFA_REQ_OFF) {
		*rule = TFA_RULE_USER_OFF;
		return 0;
	}
	if (in_groups(u->name, p->required_groups, group, grouplen)) {
		*rule = TFA_RULE_GROUP;
		return 1;
	}
	*rule = TFA_RULE_DEFAULT;
	return p->default_required;
}

TFA_API const char *tfa_rule_text(tfa_rule rule)
{
	switch (rule) {
	case TFA_RULE_OFF_GLOBALLY: return "two-factor is off for everyone (enabled=no)";
	case TFA_RULE_USER_ON: return "per-user setting (enabled)";
	case TFA_RULE_USER_OFF: return "per-user setting (disabled)";
	case TFA_RULE_GROUP: return "member of a required group";
	case TFA_RULE_DEFAULT: return "default (default_required)";
	}
	return "unknown";
}
