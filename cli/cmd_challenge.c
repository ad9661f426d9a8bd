/* cmd_challenge.c - tfa-admin challenge USER: the challenge step of a login
 * (challenge.h), for scripts and RADIUS helpers: send the code to the
 * user's phone, or make an OCRA question; then `tfa-admin verify USER
 * CODE` checks the answer exactly as a login does.
 *
 * Output: "sms: code sent to the phone ending 1234", "ocra: challenge
 * 12345678", or "none: ..."; --json {"user","kind","challenge"?,
 * "phone_ending"?,"expires"?,"delivery_failed","delivery_error"?}.
 * A failed delivery is reported on stderr (and in the JSON); exit 0 still,
 * since the OCRA fallback or an app code may follow.
 */
#include "config.h"

#include <stdio.h>
#include <time.h>

#include "challenge.h"
#include "cli.h"

#define CHALLENGE_USAGE "challenge USER"

int cmd_challenge(struct cli *g, int argc, char **argv)
{
	tfa_ctx *ctx = NULL;
	tfa_challenge ch;
	tfa_err err = { .msg = "" };
	json_object *o;
	const char *user, *kind;
	tfa_rc lrc;
	int first, rc;

	rc = cli_positional(g, argc, argv, 1, 1, CHALLENGE_USAGE, &first);
	if (rc != CLI_OK)
		return rc < 0 ? CLI_OK : rc;
	user = argv[first];
	rc = cli_user(g, user);
	if (rc != CLI_OK)
		return rc;
	rc = cli_open(g, 0, &ctx);
	if (rc != CLI_OK)
		return rc;
	lrc = tfa_challenge_begin(ctx, user, (int64_t)time(NULL), &ch, &err);
	if (lrc != TFA_OK) {
		rc = cli_fail(g, cli_exit_code(lrc), "challenge %s: %s", user, err.msg);
		goto out;
	}
	if (ch.delivery_failed)
		cli_warn("%s: the code could not be sent: %s", user, ch.delivery_error);
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
			if (ch.delivery_failed)
				cli_jstr(o, "delivery_error", ch.delivery_error);
		}
		rc = cli_json_emit(g, o);
	} else if (ch.kind == TFA_CH_SMS) {
		(void)printf("sms: code sent to the phone ending %s\n", ch.phone_hint);
	} else if (ch.kind == TFA_CH_OCRA) {
		(void)printf("ocra: challenge %s\n", ch.question);
	} else {
		(void)printf("none: %s has no sms or ocra token to challenge (or is locked out)\n",
			     user);
	}
out:
	tfa_ctx_close(ctx);
	return rc;
}
