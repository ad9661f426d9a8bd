/* SPDX-License-Identifier: BSD-2-Clause */
/* cmd_user.c - tfa-admin reset, enable/disable/default and unlock USER.
 * Each change is written to the audit trail. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"

/* The user a command acts on: the canonical name for the store, and its
 * escaped form for messages. */
struct uname {
	char canon[TFA_USER_MAX + 1];
	char disp[4 * TFA_USER_MAX + 1];
};

/* Parse "CMD USER" (with --force when @need_known), resolve the name
 * (cli_resolve) and open the store. */
static int user_cmd_open(struct cli *g, int argc, char **argv, unsigned flags, int need_known,
			 struct uname *u, const char **user, tfa_ctx **ctx)
{
	static const struct cli_opt fopts[] = {
		{ "force", 0, CLI_FLAG, 0, NULL },   /* the int force itself */
		CLI_OPT_END,
	};
	char usage[64];
	struct cli_cmd cmd = { usage, need_known ? fopts : NULL, 1, 1, 0 };
	struct cli_pos pos;
	int rc, force = 0;

	*ctx = NULL;
	(void)snprintf(usage, sizeof(usage), need_known ? "%s USER [--force]" : "%s USER",
		       argv[0]);
	rc = cli_parse(g, &cmd, argc, argv, &force, &pos);
	if (rc != CLI_OK)
		return rc;
	rc = cli_resolve(g, pos.v[0], need_known, force, u->canon, NULL);
	if (rc != CLI_OK)
		return rc;
	(void)cli_esc(u->canon, u->disp, sizeof(u->disp));
	*user = u->canon;
	return cli_open(g, flags, ctx);
}

static int lib_fail(struct cli *g, const char *user, tfa_rc rc, const tfa_err *err)
{
	char esc[4 * TFA_USER_MAX + 1];

	return cli_fail(g, cli_exit_code(rc), "%s: %s", cli_esc(user, esc, sizeof(esc)),
			tfa_err_text(err, rc));
}

int cmd_reset(struct cli *g, int argc, char **argv)
{
	tfa_err err = { .msg = "" };
	struct uname u;
	tfa_ctx *ctx = NULL;
	const char *user = NULL;
	unsigned revoked = 0, codes = 0;
	tfa_user_status s;
	json_object *o;
	tfa_rc lrc;
	int rc;

	rc = user_cmd_open(g, argc, argv, 0, 0, &u, &user, &ctx);
	if (rc != CLI_OK)
		goto out;
	lrc = tfa_user_reset(ctx, user, &revoked, &codes, &err);
	if (lrc == TFA_ENOENT) {
		rc = cli_fail(g, CLI_NOENT, "%s: no tokens or recovery codes to revoke", u.disp);
		goto out;
	}
	if (lrc != TFA_OK) {
		rc = lib_fail(g, user, lrc, &err);
		goto out;
	}
	memset(&s, 0, sizeof(s));
	lrc = tfa_status(ctx, user, (int64_t)time(NULL), &s, &err);
	if (lrc != TFA_OK) {
		rc = lib_fail(g, user, lrc, &err);
		goto out;
	}
	if (g->json) {
		o = json_object_new_object();
		if (o != NULL) {
			cli_jstr(o, "user", user);
			cli_jint(o, "revoked", revoked);
			cli_jint(o, "recovery_revoked", codes);
			cli_jbool(o, "must_enroll", s.must_enroll);
			cli_jbool(o, "enroll_at_login", tfa_ctx_policy(ctx)->enroll_at_login);
		}
		rc = cli_json_emit(g, o);
		goto out;
	}
	(void)printf("%s: revoked %u token%s and %u recovery code%s; codes from the old"
		     " device no longer work\n", u.disp, revoked, revoked == 1 ? "" : "s", codes,
		     codes == 1 ? "" : "s");
	if (!tfa_ctx_policy(ctx)->enabled)
		(void)printf("%s must enrol again once two-factor is on (enabled=no now):"
			     " \"tfa-admin enroll %s\", or at a login after that\n", u.disp, u.disp);
	else if (!s.must_enroll)
		(void)printf("%s: two-factor is off for this user (%s): no code is asked at"
			     " login\n", u.disp, tfa_rule_text(s.rule));
	else if (tfa_ctx_policy(ctx)->enroll_at_login)
		(void)printf("%s must enrol again: at the next login (the QR code is shown),"
			     " or run \"tfa-admin enroll %s\"\n", u.disp, u.disp);
	else
		(void)printf("%s must enrol again: run \"tfa-admin enroll %s\" (enroll_at_login=no:"
			     " logins are refused until then)\n", u.disp, u.disp);
out:
	tfa_ctx_close(ctx);
	return rc < 0 ? CLI_OK : rc;
}

int cmd_required(struct cli *g, int argc, char **argv)
{
	tfa_err err = { .msg = "" };
	tfa_user_status s;
	struct uname u;
	tfa_ctx *ctx = NULL;
	const char *user = NULL, *setting;
	json_object *o;
	tfa_req req;
	tfa_rc lrc;
	int rc;

	if (strcmp(argv[0], "enable") == 0) {
		req = TFA_REQ_ON;
		setting = "on";
	} else if (strcmp(argv[0], "disable") == 0) {
		req = TFA_REQ_OFF;
		setting = "off";
	} else {
		req = TFA_REQ_DEFAULT;
		setting = "default";
	}
	rc = user_cmd_open(g, argc, argv, 0, 1, &u, &user, &ctx);
	if (rc != CLI_OK)
		goto out;
	lrc = tfa_user_set_required(ctx, user, req, &err);
	if (lrc != TFA_OK) {
		rc = lib_fail(g, user, lrc, &err);
		goto out;
	}
	memset(&s, 0, sizeof(s));
	lrc = tfa_status(ctx, user, (int64_t)time(NULL), &s, &err);
	if (lrc == TFA_ELOOKUP) {
		rc = cli_fail(g, CLI_STORE, "%s: per-user setting %s saved, but whether 2FA is"
			      " required is unknown: %s (logins fail closed)", u.disp, setting,
			      err.msg);
		goto out;
	}
	if (lrc != TFA_OK) {
		rc = lib_fail(g, user, lrc, &err);
		goto out;
	}
	if (g->json) {
		o = json_object_new_object();
		if (o != NULL) {
			cli_jstr(o, "user", user);
			cli_jstr(o, "setting", setting);
			cli_jbool(o, "required", s.required);
			cli_jstr(o, "rule", tfa_rule_text(s.rule));
			cli_jbool(o, "enabled", tfa_ctx_policy(ctx)->enabled);
		}
		rc = cli_json_emit(g, o);
		goto out;
	}
	(void)printf("%s: per-user setting %s; 2FA required: %s (%s%s%s)\n", u.disp, setting,
		     s.required ? "yes" : "no", tfa_rule_text(s.rule),
		     s.rule == TFA_RULE_GROUP ? " " : "", s.rule == TFA_RULE_GROUP ? s.group : "");
	if (!tfa_ctx_policy(ctx)->enabled && req == TFA_REQ_ON)
		(void)printf("note: 2FA is off for everyone until "
			     "\"tfa-admin policy set enabled yes\"\n");
out:
	tfa_ctx_close(ctx);
	return rc < 0 ? CLI_OK : rc;
}

int cmd_unlock(struct cli *g, int argc, char **argv)
{
	tfa_err err = { .msg = "" };
	struct uname u;
	tfa_ctx *ctx = NULL;
	const char *user = NULL;
	json_object *o;
	tfa_rc lrc;
	int rc;

	rc = user_cmd_open(g, argc, argv, 0, 0, &u, &user, &ctx);
	if (rc != CLI_OK)
		goto out;
	lrc = tfa_user_unlock(ctx, user, &err);
	if (lrc == TFA_ENOENT) {
		rc = cli_fail(g, CLI_NOENT, "%s: the store knows no such user", u.disp);
		goto out;
	}
	if (lrc != TFA_OK) {
		rc = lib_fail(g, user, lrc, &err);
		goto out;
	}
	if (g->json) {
		o = json_object_new_object();
		if (o != NULL) {
			cli_jstr(o, "user", user);
			cli_jbool(o, "unlocked", 1);
		}
		rc = cli_json_emit(g, o);
		goto out;
	}
	(void)printf("%s: unlocked (failures and lockout cleared)\n", u.disp);
out:
	tfa_ctx_close(ctx);
	return rc < 0 ? CLI_OK : rc;
}
