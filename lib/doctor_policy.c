/* SPDX-License-Identifier: BSD-2-Clause */
/* doctor_policy.c - `tfa-admin doctor`: policy sanity. */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "doctor.h"
#include "store.h"
#include "context.h"

/* sudo asks up to passwd_tries (3) times a run; two runs with a mistyped
 * code each time must not lock the user out */
#define SUDO_SAFE_FAILURES 6

struct user_names {
	char (*v)[TFA_USER_MAX + 1];
	size_t n, cap;
	unsigned on;            /* per-user setting "enable" */
	int oom;
};

static int collect_user(const tfa_user *u, void *arg)
{
	struct user_names *un = arg;

	if (u->required == TFA_REQ_ON)
		un->on++;
	if (un->n == un->cap) {
		size_t cap = un->cap == 0 ? 64 : un->cap * 2;
		char (*v)[TFA_USER_MAX + 1] = realloc(un->v, cap * sizeof(*v));

		if (v == NULL) {
			un->oom = 1;
			return 1;
		}
		un->v = v;
		un->cap = cap;
	}
	(void)snprintf(un->v[un->n++], TFA_USER_MAX + 1, "%s", u->name);
	return 0;
}

/* 1 if some account has @gid as its primary group */
static int has_primary_member(gid_t gid)
{
	struct passwd *pw;
	int found = 0;

	setpwent();
	while (!found && (pw = getpwent()) != NULL)
		found = pw->pw_gid == gid;
	endpwent();
	return found;
}

/* required_groups: each group exists and has a member. Returns the number of
 * groups that have at least one member. */
static unsigned check_groups(const char *groups, tfa_doc_report *r)
{
	char name[256], buf[16384], fix[TFA_DOC_TEXT_MAX];
	const char *p = groups, *end;
	struct group gr, *grp;
	unsigned usable = 0;
	size_t len;
	int e;

	while (*p != '\0') {
		end = strchr(p, ',');
		len = end != NULL ? (size_t)(end - p) : strlen(p);
		if (len > 0 && len < sizeof(name)) {
			memcpy(name, p, len);
			name[len] = '\0';
			grp = NULL;
			e = getgrnam_r(name, &gr, buf, sizeof(buf), &grp);
			if (e != 0) {
				(void)tfa_doc_add(r, "policy.required_groups", TFA_DOC_ERROR, NULL, 0,
						  "check NSS (/etc/nsswitch.conf, sssd, winbind)",
						  "required group \"%s\" cannot be looked up: %s (logins of "
						  "users this decides fail closed)", name, strerror(e));
			} else if (grp == NULL) {
				(void)snprintf(fix, sizeof(fix), "create it (groupadd %s) or name "
					       "the right group: tfa-admin policy set required_groups "
					       "GROUP[,GROUP...]", name);
				(void)tfa_doc_add(r, "policy.required_groups", TFA_DOC_ERROR, NULL, 0,
						  fix, "required group \"%s\" does not exist: nobody is "
						  "required through it", name);
			} else if ((gr.gr_mem == NULL || gr.gr_mem[0] == NULL) &&
				   !has_primary_member(gr.gr_gid)) {
				(void)snprintf(fix, sizeof(fix), "add the users: usermod -aG %s USER",
					       name);
				(void)tfa_doc_add(r, "policy.required_groups", TFA_DOC_WARN, NULL, 0,
						  fix, "required group \"%s\" has no member", name);
			} else {
				usable++;
			}
		}
		p = end != NULL ? end + 1 : p + len;
	}
	return usable;
}

/* sms_command: as tfa_deliver requires it (delivery.h) */
static void check_sms_command(const char *cmd, tfa_doc_report *r)
{
	char fix[TFA_DOC_TEXT_MAX];
	struct stat sb;

	if (cmd[0] != '/') {
		(void)tfa_doc_add(r, "policy.sms_command", TFA_DOC_ERROR, NULL, 0,
				  "tfa-admin policy set sms_command /ABSOLUTE/PATH",
				  "sms_command \"%s\" is not an absolute path: no code is sent", cmd);
		return;
	}
	if (stat(cmd, &sb) != 0 || !S_ISREG(sb.st_mode) || access(cmd, X_OK) != 0) {
		(void)snprintf(fix, sizeof(fix), "install the delivery script as %s "
			       "(mode 0755, owner root)", cmd);
		(void)tfa_doc_add(r, "policy.sms_command", TFA_DOC_ERROR, cmd, 0, fix,
				  "sms_command %s is not an executable file: no code is sent", cmd);
		return;
	}
	if ((sb.st_mode & (S_IWGRP | S_IWOTH)) != 0 || (geteuid() == 0 && sb.st_uid != 0)) {
		(void)snprintf(fix, sizeof(fix), "chown root %s; chmod go-w %s", cmd, cmd);
		(void)tfa_doc_add(r, "policy.sms_command", TFA_DOC_ERROR, cmd, 0, fix,
				  "sms_command %s (owner uid %u, mode %04o) could be changed by "
				  "someone else; it is refused and no code is sent", cmd,
				  (unsigned)sb.st_uid, (unsigned)(sb.st_mode & 07777));
		return;
	}
	(void)tfa_doc_add(r, "policy.sms_command", TFA_DOC_OK, cmd, 0, NULL,
			  "sms_command %s is a safe executable", cmd);
}

/* users with an active sms token, and users with any active token */
static tfa_rc count_tokens(tfa_ctx *ctx, const struct user_names *un, unsigned *sms,
			   unsigned *enrolled, char *first_sms, size_t first_len, tfa_err *err)
{
	tfa_token *toks = NULL;
	size_t n = 0, i, k;
	tfa_rc rc;

	*sms = *enrolled = 0;
	for (i = 0; i < un->n; i++) {
		int has_sms = 0, has_active = 0;

		rc = tfa_store_token_list(ctx->store, un->v[i], &toks, &n, NULL, err);
		if (rc != TFA_OK)
			return rc;
		for (k = 0; k < n; k++) {
			if (toks[k].state != TFA_STATE_ACTIVE)
				continue;
			has_active = 1;
			if (toks[k].type == TFA_TOKEN_SMS)
				has_sms = 1;
		}
		tfa_tokens_free(toks, n);
		toks = NULL;
		if (has_sms && (*sms)++ == 0)
			(void)snprintf(first_sms, first_len, "%s", un->v[i]);
		*enrolled += (unsigned)has_active;
	}
	return TFA_OK;
}

TFA_API tfa_rc tfa_doctor_policy(tfa_ctx *ctx, tfa_doc_report *r)
{
	const tfa_policy *p = &ctx->policy;
	struct user_names un = { NULL, 0, 0, 0, 0 };
	char first_sms[TFA_USER_MAX * 4 + 1] = "", esc[TFA_USER_MAX * 4 + 1];
	unsigned groups = 0, sms = 0, enrolled = 0;
	tfa_err err = { { 0 } };
	tfa_rc rc;

	rc = tfa_store_user_list(ctx->store, collect_user, &un, &err);
	if (rc == TFA_OK && un.oom)
		rc = TFA_ENOMEM;
	if (rc == TFA_OK)
		rc = count_tokens(ctx, &un, &sms, &enrolled, first_sms, sizeof(first_sms), &err);
	if (rc != TFA_OK) {
		(void)tfa_doc_add(r, "policy.users", TFA_DOC_ERROR, tfa_store_path(ctx->store), 0,
				  "see the message", "cannot read the users: %s",
				  err.msg[0] != '\0' ? err.msg : tfa_strerror(rc));
		goto out;
	}
	if (p->required_groups[0] != '\0')
		groups = check_groups(p->required_groups, r);
	if (!p->enabled)
		(void)tfa_doc_add(r, "policy.enabled", TFA_DOC_OK, NULL, 0,
				  "tfa-admin policy set enabled yes (when the users are ready)",
				  "enabled=no: the module lets everyone through without a code "
				  "(PAM_IGNORE)");
	else if (!p->default_required && groups == 0 && un.on == 0 && enrolled == 0)
		(void)tfa_doc_add(r, "policy.enabled", TFA_DOC_WARN, NULL, 0,
				  "tfa-admin enable USER, tfa-admin policy set required_groups "
				  "GROUP, or tfa-admin policy set default_required yes",
				  "enabled=yes but no user is required or enrolled: nobody is asked "
				  "for a code");
	else
		(void)tfa_doc_add(r, "policy.enabled", TFA_DOC_OK, NULL, 0, NULL,
				  "enabled=yes: %u users enrolled, %u enabled one by one%s%s", enrolled,
				  un.on, p->default_required ? ", default_required=yes" : "",
				  groups > 0 ? ", required groups with members" : "");
	if (sms > 0 && p->sms_command[0] == '\0') {
		tfa_escape(first_sms, esc, sizeof(esc));
		(void)tfa_doc_add(r, "policy.sms_command", TFA_DOC_ERROR, NULL, 0,
				  "tfa-admin policy set sms_command /usr/local/sbin/tfa-sms "
				  "(README \"Codes by SMS\")",
				  "%u users (e.g. \"%s\") have an sms token but sms_command is empty: "
				  "no code can be sent to them", sms, esc);
	} else if (p->sms_command[0] != '\0') {
		check_sms_command(p->sms_command, r);
	}
	if (p->max_failures < SUDO_SAFE_FAILURES)
		(void)tfa_doc_add(r, "policy.max_failures", TFA_DOC_WARN, NULL, 0,
				  "tfa-admin policy set max_failures 10",
				  "max_failures=%u: sudo asks up to three times a run, so two runs with "
				  "mistyped codes lock the user out; use at least %u", p->max_failures,
				  SUDO_SAFE_FAILURES);
	else
		(void)tfa_doc_add(r, "policy.max_failures", TFA_DOC_OK, NULL, 0, NULL,
				  "max_failures=%u", p->max_failures);
	if (p->audit_keep_days == 0)
		(void)tfa_doc_add(r, "policy.audit_keep_days", TFA_DOC_WARN, NULL, 0,
				  "tfa-admin policy set audit_keep_days 400",
				  "audit_keep_days=0: the audit trail is never pruned and the store "
				  "grows with every login");
out:
	free(un.v);
	return r->oom ? TFA_ENOMEM : TFA_OK;
}
