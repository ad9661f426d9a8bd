/* SPDX-License-Identifier: BSD-2-Clause */
/* cmd_verify.c - tfa-admin verify USER CODE and confirm USER CODE.
 *
 * Both run exactly the library's login check (tfa_verify / tfa_confirm):
 * an accepted code is used up, a wrong one counts towards the lockout. A
 * malformed code (empty, short, long, not digits) is a rejected code, exit
 * 1, as at login. CODE "-" reads the code from standard input. The code is
 * never printed and is wiped after use.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"

static const char *result_name(tfa_rc rc)
{
	switch (rc) {
	case TFA_OK: return "accepted";
	case TFA_REJECTED: return "rejected";
	case TFA_REPLAYED: return "replayed";
	case TFA_LOCKED: return "locked";
	case TFA_ENOENT: return "no_token";
	default: return "error";
	}
}

static void print_json(struct cli *g, const char *user, tfa_rc rc,
		       const tfa_verify_result *res)
{
	json_object *o = json_object_new_object();

	if (o != NULL) {
		cli_jstr(o, "user", user);
		cli_jstr(o, "result", result_name(rc));
		cli_jint(o, "failures", res->failures);
		if (res->recovery_used)
			cli_jint(o, "recovery_left", res->recovery_left);
		if (res->skew)
			cli_jint(o, "clock_skew_seconds", res->skew_seconds);
		cli_jtime(o, "locked_until", res->locked_until > (int64_t)time(NULL) ?
			  res->locked_until : 0);
	}
	(void)cli_json_emit(g, o);
}

int cli_check_code(struct cli *g, tfa_ctx *ctx, const char *user, const char *code,
		   int confirm, int json_out)
{
	tfa_verify_result res;
	tfa_err err = { .msg = "" };
	char when[32], disp[4 * TFA_USER_MAX + 1];
	tfa_rc rc;
	int ex;

	(void)cli_esc(user, disp, sizeof(disp));
	memset(&res, 0, sizeof(res));
	if (confirm)
		rc = tfa_confirm(ctx, user, code, (int64_t)time(NULL), &res, &err);
	else
		rc = tfa_verify(ctx, user, code, (int64_t)time(NULL), &res, &err);
	ex = cli_exit_code(rc);
	switch (rc) {
	case TFA_OK:
	case TFA_REJECTED:
	case TFA_REPLAYED:
	case TFA_LOCKED:
	case TFA_ENOENT:
		break;
	default:
		/* store/key error, or a bad argument: the library says why */
		return cli_fail(g, ex, "%s", tfa_err_text(&err, rc));
	}
	if (json_out)
		print_json(g, user, rc, &res);
	switch (rc) {
	case TFA_OK:
		if (!json_out && res.recovery_used)
			(void)printf("%s: recovery code accepted (now used; %u left)\n", disp,
				     res.recovery_left);
		else if (!json_out)
			(void)printf(confirm ? "%s: code accepted, token active\n" :
				     "%s: code accepted\n", disp);
		break;
	case TFA_REJECTED:
	case TFA_REPLAYED:
		if (res.locked_now)
			(void)cli_fail(g, ex, "%s: %s; %u failures, locked out until %s",
				       disp, tfa_strerror(rc), res.failures,
				       cli_time(res.locked_until, when, sizeof(when)));
		else
			(void)cli_fail(g, ex, "%s: %s", disp, tfa_strerror(rc));
		if (res.skew)
			cli_warn("%s: the code is that of token %lld at %+lld s from this host's"
				 " clock, outside the window (clock skew): fix the device's clock,"
				 " or \"tfa-admin token resync %s CODE1 CODE2\"", disp,
				 (long long)res.skew_token, (long long)res.skew_seconds, disp);
		break;
	case TFA_LOCKED:
		(void)cli_fail(g, ex, "%s: locked out until %s (code not checked); "
			       "\"tfa-admin unlock %s\" clears it", disp,
			       cli_time(res.locked_until, when, sizeof(when)), disp);
		break;
	default:
		if (confirm)
			(void)cli_fail(g, ex, "%s: no pending token; run \"tfa-admin enroll %s\"",
				       disp, disp);
		else
			(void)cli_fail(g, ex, "%s: no active token and no recovery code", disp);
		break;
	}
	return ex;
}

static int check_cmd(struct cli *g, int argc, char **argv, int confirm)
{
	static const struct cli_cmd cmds[2] = {
		{ "verify USER CODE   (CODE - reads it from stdin)", NULL, 2, 2, 0 },
		{ "confirm USER CODE   (CODE - reads it from stdin)", NULL, 2, 2, 0 },
	};
	struct cli_pos pos;
	char buf[128], user[TFA_USER_MAX + 1];
	const char *code;
	char *argcode;
	tfa_ctx *ctx = NULL;
	int rc;

	buf[0] = '\0';
	rc = cli_parse(g, &cmds[confirm != 0], argc, argv, NULL, &pos);
	if (rc != CLI_OK)
		return rc < 0 ? CLI_OK : rc;
	code = argcode = pos.v[1];
	rc = cli_resolve(g, pos.v[0], 0, 0, user, NULL);
	if (rc != CLI_OK)
		goto out;
	if (strcmp(code, "-") == 0) {
		if (cli_read_code(buf, sizeof(buf)) != 0) {
			rc = cli_fail(g, CLI_USAGE, "no code on standard input");
			goto out;
		}
		code = buf;
	}
	rc = cli_open(g, 0, &ctx);
	if (rc != CLI_OK)
		goto out;
	rc = cli_check_code(g, ctx, user, code, confirm, g->json);
out:
	tfa_wipe(buf, sizeof(buf));
	tfa_wipe(argcode, strlen(argcode));   /* also from /proc/PID/cmdline */
	tfa_ctx_close(ctx);
	return rc;
}

int cmd_verify(struct cli *g, int argc, char **argv)
{
	return check_cmd(g, argc, argv, 0);
}

int cmd_confirm(struct cli *g, int argc, char **argv)
{
	return check_cmd(g, argc, argv, 1);
}
