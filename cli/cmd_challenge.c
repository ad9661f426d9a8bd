/* SPDX-License-Identifier: BSD-2-Clause */
/* cmd_challenge.c - tfa-admin challenge USER: the challenge step of a login
 * (challenge.h), for scripts and RADIUS helpers: send the code to the
 * user's phone, or make an OCRA question; then `tfa-admin verify USER
 * CODE` checks the answer exactly as a login does.
 *
 * Output: "sms: code sent to the phone ending 1234", "ocra: challenge
 * 12345678", or "none: ..."; --json {"user","kind","challenge"?,
 * "phone_ending"?,"expires"?,"delivery_failed","delivery_error"?}.
 * A failed delivery is reported on stderr (and in the JSON); exit 0 still,
 * since the OCRA fallback or an app code may follow. So is reaching
 * sms_rate ("rate_limited", "retry_after" seconds in the JSON): nothing is
 * sent, audited "sms_rate_limited", and the OCRA fallback follows. A user whose only
 * challenge-response token is still pending gets a question to confirm it
 * with (`tfa-admin confirm USER RESPONSE`), e.g. after the one that
 * `enroll` printed expired.
 */
#include "config.h"

#include <stdio.h>
#include <time.h>

#include "cli.h"

#define CHALLENGE_USAGE "challenge USER"

/* A question for the user's pending ocra token, if there is one. */
static tfa_rc confirm_question(tfa_ctx *ctx, const char *user, tfa_challenge *ch,
			       tfa_err *err)
{
	tfa_rc rc = tfa_challenge_confirm_pending(ctx, user, (int64_t)time(NULL), ch, err);

	return rc == TFA_ENOENT ? TFA_OK : rc;
}

int cmd_challenge(struct cli *g, int argc, char **argv)
{
	tfa_ctx *ctx = NULL;
	tfa_challenge ch;
	tfa_err err = { .msg = "" };
	json_object *o;
	const char *kind;
	char user[TFA_USER_MAX + 1], disp[4 * TFA_USER_MAX + 1];
	tfa_rc lrc;
	static const struct cli_cmd cmd = { CHALLENGE_USAGE, NULL, 1, 1, 0 };
	struct cli_pos pos;
	int rc;

	rc = cli_parse(g, &cmd, argc, argv, NULL, &pos);
	if (rc != CLI_OK)
		return rc < 0 ? CLI_OK : rc;
	rc = cli_resolve(g, pos.v[0], 0, 0, user, NULL);
	if (rc != CLI_OK)
		return rc;
	(void)cli_esc(user, disp, sizeof(disp));
	rc = cli_open(g, 0, &ctx);
	if (rc != CLI_OK)
		return rc;
	lrc = tfa_challenge_begin(ctx, user, (int64_t)time(NULL), &ch, &err);
	if (lrc != TFA_OK) {
		rc = cli_fail(g, cli_exit_code(lrc), "challenge %s: %s", disp, err.msg);
		goto out;
	}
	if (ch.kind == TFA_CH_NONE && !ch.delivery_failed && !ch.rate_limited) {
		/* a pending ocra token: a (new) question to confirm it with */
		lrc = confirm_question(ctx, user, &ch, &err);
		if (lrc != TFA_OK) {
			rc = cli_fail(g, cli_exit_code(lrc), "challenge %s: %s", disp, err.msg);
			goto out;
		}
	}
	if (ch.delivery_failed)
		cli_warn("%s: the code could not be sent: %s", disp, ch.delivery_error);
	if (ch.rate_limited)
		cli_warn("%s: too many codes were sent (sms_rate %u/%u); nothing sent, try again"
			 " in %lld s", disp, tfa_ctx_policy(ctx)->sms_rate_count,
			 tfa_ctx_policy(ctx)->sms_rate_seconds, (long long)ch.retry_after);
	kind = ch.kind == TFA_CH_SMS ? "sms" : ch.kind == TFA_CH_OCRA ? "ocra" : "none";
	if (g->json) {
		o = json_object_new_object();
		if (o != NULL) {
			cli_jstr(o, "user", user);
			cli_jstr(o, "kind", kind);
			if (ch.kind == TFA_CH_OCRA)
				cli_jstr(o, "challenge", ch.question);
			if (ch.kind == TFA_CH_SMS)
				cli_jstr(o, "phone_ending", ch.phone_hint);
			if (ch.kind != TFA_CH_NONE)
				cli_jtime(o, "expires", ch.expires);
			cli_jbool(o, "delivery_failed", ch.delivery_failed);
			cli_jbool(o, "rate_limited", ch.rate_limited);
			if (ch.rate_limited)
				cli_jint(o, "retry_after", ch.retry_after);
			if (ch.delivery_failed)
				cli_jstr(o, "delivery_error", ch.delivery_error);
		}
		rc = cli_json_emit(g, o);
	} else if (ch.kind == TFA_CH_SMS) {
		(void)printf("sms: code sent to the phone ending %s\n", ch.phone_hint);
	} else if (ch.kind == TFA_CH_OCRA) {
		(void)printf("ocra: challenge %s\n", ch.question);
	} else if (ch.rate_limited) {
		(void)printf("none: too many codes were sent to %s; try again in %lld s (the last"
			     " code sent, an app or card code or a recovery code still works)\n",
			     user, (long long)ch.retry_after);
	} else if (ch.delivery_failed) {
		(void)printf("none: the code could not be sent and %s has no ocra token;"
			     " an app or card code or a recovery code still works\n", disp);
	} else {
		(void)printf("none: %s has no active sms or ocra token (or is locked out)\n", disp);
	}
out:
	tfa_ctx_close(ctx);
	return rc;
}
