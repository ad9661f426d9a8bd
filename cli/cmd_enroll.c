/* SPDX-License-Identifier: BSD-2-Clause */
/* cmd_enroll.c - tfa-admin enroll USER [options]: issue a new secret.
 *
 * Prints the otpauth:// URI and (unless --no-qr) the terminal QR on stdout;
 * --qr-png FILE also writes a PNG. On a terminal (stdin and stdout), and
 * without --no-confirm, --activate or --json, asks for the current code up
 * to three times and activates the token on the right one; otherwise the
 * token stays pending until `tfa-admin confirm USER CODE`.
 *
 * --json prints one object: user, type, uri, state, digits, algorithm,
 * period (totp) or counter (hotp), issuer and, with --qr-png, qr_png. The
 * terminal QR is never part of the JSON output (the URI is enough to draw
 * one). The URI holds the secret: it goes to stdout only, never into a
 * message, and is wiped after use.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

#define ENROLL_USAGE "enroll USER [--type totp|hotp|sms|ocra] [--digits 6|8] [--period S] " \
	"[--algorithm SHA1|SHA256|SHA512] [--issuer NAME] [--phone NUMBER] [--suite OCRA-SUITE] " \
	"[--no-qr] [--qr-png FILE] [--activate] [--no-confirm] [--force]"
#define CONFIRM_TRIES 3

struct enroll_args {
	const char *user;     /* canonical name (cli_resolve) */
	char canon[TFA_USER_MAX + 1];
	char disp[4 * TFA_USER_MAX + 1];   /* escaped, for messages */
	int force;            /* --force: a user the system does not know */
	tfa_enroll_opts o;
	int period_given;
	int otp_opts;         /* --digits or --algorithm given */
	int no_qr;
	const char *png;
	int no_confirm;
};

static int opt_type(struct cli *g, const char *arg, void *args)
{
	struct enroll_args *a = args;
	char esc[64];

	if (otp_type_parse(arg, &a->o.type) != TFA_OK)
		return cli_fail(g, CLI_USAGE, "--type \"%s\": use totp, hotp, sms or ocra",
				cli_esc(arg, esc, sizeof(esc)));
	return CLI_OK;
}

static int opt_digits(struct cli *g, const char *arg, void *args)
{
	struct enroll_args *a = args;
	unsigned long v;
	char esc[64];

	if (cli_parse_uint(arg, 6, 8, &v) != 0 || v == 7)
		return cli_fail(g, CLI_USAGE, "--digits \"%s\": use 6 or 8",
				cli_esc(arg, esc, sizeof(esc)));
	a->o.digits = (unsigned)v;
	a->otp_opts = 1;
	return CLI_OK;
}

static int opt_period(struct cli *g, const char *arg, void *args)
{
	struct enroll_args *a = args;
	unsigned long v;
	char esc[64];

	if (cli_parse_uint(arg, 1, 3600, &v) != 0)
		return cli_fail(g, CLI_USAGE, "--period \"%s\": seconds, 1 to 3600",
				cli_esc(arg, esc, sizeof(esc)));
	a->o.period = (unsigned)v;
	a->period_given = 1;
	return CLI_OK;
}

static int opt_alg(struct cli *g, const char *arg, void *args)
{
	struct enroll_args *a = args;
	char esc[64];

	if (otp_alg_parse(arg, &a->o.alg) != TFA_OK)
		return cli_fail(g, CLI_USAGE, "--algorithm \"%s\": use SHA1, SHA256 or SHA512",
				cli_esc(arg, esc, sizeof(esc)));
	a->otp_opts = 1;
	return CLI_OK;
}

static int opt_issuer(struct cli *g, const char *arg, void *args)
{
	struct enroll_args *a = args;
	char esc[64];

	if (arg[0] == '\0')
		return cli_fail(g, CLI_USAGE, "--issuer: the name is empty");
	if (strchr(arg, ':') != NULL)
		return cli_fail(g, CLI_USAGE, "--issuer \"%s\": must not contain ':' "
				"(the otpauth label uses it as separator)",
				cli_esc(arg, esc, sizeof(esc)));
	a->o.issuer = arg;
	return CLI_OK;
}

static int opt_phone(struct cli *g, const char *arg, void *args)
{
	struct enroll_args *a = args;
	char esc[64];

	if (!tfa_phone_valid(arg))
		return cli_fail(g, CLI_USAGE, "--phone \"%s\": use an optional '+' and 4 to"
				" 19 digits, no spaces (e.g. +441632960123)",
				cli_esc(arg, esc, sizeof(esc)));
	a->o.phone = arg;
	return CLI_OK;
}

static int opt_qr_png(struct cli *g, const char *arg, void *args)
{
	struct enroll_args *a = args;

	if (arg[0] == '\0')
		return cli_fail(g, CLI_USAGE, "--qr-png: the file name is empty");
	a->png = arg;
	return CLI_OK;
}

#define EA_OFF(field) offsetof(struct enroll_args, field)

/* 0: parsed; -1: --help printed; else an exit code */
static int parse_args(struct cli *g, int argc, char **argv, struct enroll_args *a)
{
	static const struct cli_opt opts[] = {
		{ "type", 0, CLI_CHECK, 0, opt_type },
		{ "digits", 0, CLI_CHECK, 0, opt_digits },
		{ "period", 0, CLI_CHECK, 0, opt_period },
		{ "algorithm", 0, CLI_CHECK, 0, opt_alg },
		{ "issuer", 0, CLI_CHECK, 0, opt_issuer },
		{ "phone", 0, CLI_CHECK, 0, opt_phone },
		{ "suite", 0, CLI_STR, EA_OFF(o.suite), NULL },
		{ "no-qr", 0, CLI_FLAG, EA_OFF(no_qr), NULL },
		{ "qr-png", 0, CLI_CHECK, 0, opt_qr_png },
		{ "activate", 0, CLI_FLAG, EA_OFF(o.activate), NULL },
		{ "no-confirm", 0, CLI_FLAG, EA_OFF(no_confirm), NULL },
		{ "force", 0, CLI_FLAG, EA_OFF(force), NULL },
		CLI_OPT_END,
	};
	static const struct cli_cmd cmd = { ENROLL_USAGE, opts, 1, 1, 0 };
	struct cli_pos pos;
	int rc;

	rc = cli_parse(g, &cmd, argc, argv, a, &pos);
	if (rc != CLI_OK)
		return rc;
	a->user = pos.v[0];
	if (a->period_given && a->o.type != TFA_TOKEN_TOTP)
		return cli_fail(g, CLI_USAGE, "--period applies to totp tokens only");
	if ((a->o.phone != NULL) != (a->o.type == TFA_TOKEN_SMS))
		return cli_fail(g, CLI_USAGE, a->o.phone != NULL ?
				"--phone applies to sms tokens only" :
				"an sms token needs --phone NUMBER");
	if (a->o.suite != NULL && a->o.type != TFA_TOKEN_OCRA)
		return cli_fail(g, CLI_USAGE, "--suite applies to ocra tokens only");
	if (a->o.type == TFA_TOKEN_SMS && (a->png != NULL || a->o.issuer != NULL || a->no_qr))
		return cli_fail(g, CLI_USAGE, "--qr-png, --no-qr and --issuer do not apply to sms"
				" tokens (no secret to scan; the message names the policy issuer)");
	if (a->otp_opts && (a->o.type == TFA_TOKEN_SMS || a->o.type == TFA_TOKEN_OCRA))
		return cli_fail(g, CLI_USAGE, "--digits and --algorithm apply to totp and hotp"
				" tokens (an ocra token takes them from --suite; an sms code has"
				" policy sms_digits)");
	rc = cli_resolve(g, pos.v[0], 1, a->force, a->canon, NULL);
	if (rc != CLI_OK)
		return rc;
	a->user = a->canon;
	(void)cli_esc(a->canon, a->disp, sizeof(a->disp));
	return CLI_OK;
}

static int print_json(struct cli *g, const struct enroll_args *a, const tfa_token *tok,
		      const char *uri, const char *issuer, const tfa_challenge *ch)
{
	json_object *o = json_object_new_object();

	if (o != NULL) {
		cli_jstr(o, "user", a->user);
		cli_jstr(o, "type", otp_type_name(tok->type));
		if (uri != NULL)
			cli_jstr(o, "uri", uri);
		else
			(void)json_object_object_add(o, "uri", NULL);
		cli_jstr(o, "state", tok->state == TFA_STATE_ACTIVE ? "active" : "pending");
		cli_jint(o, "digits", tok->digits);
		if (tok->type == TFA_TOKEN_SMS) {
			cli_jstr(o, "phone", tok->phone);
			return cli_json_emit(g, o);
		}
		cli_jstr(o, "algorithm", otp_alg_name(tok->alg));
		if (tok->type == TFA_TOKEN_TOTP)
			cli_jint(o, "period", tok->period);
		else if (tok->type == TFA_TOKEN_HOTP)
			(void)json_object_object_add(o, "counter",
						     json_object_new_uint64(tok->counter));
		if (tok->type == TFA_TOKEN_OCRA)
			cli_jstr(o, "suite", tok->suite);
		if (ch != NULL && ch->kind == TFA_CH_OCRA)
			cli_jstr(o, "challenge", ch->question);
		cli_jstr(o, "issuer", issuer);
		if (a->png != NULL)
			cli_jstr(o, "qr_png", a->png);
	}
	return cli_json_emit(g, o);
}

/* Ask for the first code on the terminal; returns the exit code. */
static int confirm_on_terminal(struct cli *g, tfa_ctx *ctx, const char *user,
			       const tfa_token *tok, int *active)
{
	tfa_challenge ch;
	tfa_err err = { .msg = "" };
	char buf[128];
	int tries, rc = CLI_OK;
	tfa_rc lrc;

	for (tries = 0; tries < CONFIRM_TRIES; tries++) {
		if (tok->type == TFA_TOKEN_OCRA) {
			lrc = tfa_challenge_confirm_ocra(ctx, user, tok, (int64_t)time(NULL), &ch,
							 &err);
			if (lrc != TFA_OK)
				return cli_fail(g, cli_exit_code(lrc), "%s", err.msg);
			(void)printf("Challenge: %s\nEnter the response from your app: ",
				     ch.question);
		} else {
			(void)printf("Enter the code from your app: ");
		}
		(void)fflush(stdout);
		if (cli_read_code(buf, sizeof(buf)) != 0) {
			(void)printf("\n");
			rc = CLI_OK;      /* end of input: leave the token pending */
			break;
		}
		if (buf[strspn(buf, " \t")] == '\0') {
			rc = cli_fail(g, CLI_REJECTED, "no code entered");
			continue;
		}
		rc = cli_check_code(g, ctx, user, buf, 1, 0);
		tfa_wipe(buf, sizeof(buf));
		if (rc == CLI_OK) {
			*active = 1;
			break;
		}
		if (rc != CLI_REJECTED)
			break;
	}
	tfa_wipe(buf, sizeof(buf));
	return rc;
}

/* An ocra token left pending: store a question for `confirm` to answer. */
static int ocra_pending_challenge(struct cli *g, tfa_ctx *ctx, const char *user,
				  const tfa_token *tok, tfa_challenge *ch)
{
	tfa_err err = { .msg = "" };
	tfa_rc lrc;

	lrc = tfa_challenge_confirm_ocra(ctx, user, tok, (int64_t)time(NULL), ch, &err);
	if (lrc != TFA_OK)
		return cli_fail(g, cli_exit_code(lrc), "enroll: %s", err.msg);
	return CLI_OK;
}

static void print_sms(const struct enroll_args *a, const tfa_token *tok, const tfa_ctx *ctx)
{
	size_t n = strlen(tok->phone);

	(void)printf("%s: new sms token: at each login a %u-digit code goes to the phone"
		     " ending %s\n", a->disp, tfa_ctx_policy(ctx)->sms_digits,
		     n > 4 ? tok->phone + n - 4 : tok->phone);
	if (tfa_ctx_policy(ctx)->sms_command[0] == '\0')
		cli_warn("policy sms_command is not set: no code can be sent until"
			 " \"tfa-admin policy set sms_command /path/to/script\"");
	(void)printf("active: %s gets a code by sms at the next login\n", a->disp);
}

int cmd_enroll(struct cli *g, int argc, char **argv)
{
	struct enroll_args a;
	tfa_ctx *ctx = NULL;
	tfa_token tok;
	tfa_challenge ch;
	tfa_err err = { .msg = "" };
	char *uri = NULL, *qr = NULL;
	char esc[1024];
	const char *issuer;
	int rc, active, ask;
	tfa_rc lrc;

	memset(&a, 0, sizeof(a));
	memset(&tok, 0, sizeof(tok));
	memset(&ch, 0, sizeof(ch));
	tfa_enroll_opts_init(&a.o);
	rc = parse_args(g, argc, argv, &a);
	if (rc != CLI_OK)
		return rc < 0 ? CLI_OK : rc;
	rc = cli_open(g, 0, &ctx);
	if (rc != CLI_OK)
		goto out;
	issuer = a.o.issuer != NULL ? a.o.issuer : tfa_ctx_policy(ctx)->issuer;
	lrc = tfa_enroll(ctx, a.user, &a.o, &tok, &uri, NULL, &err);
	if (lrc != TFA_OK) {
		rc = cli_fail(g, cli_exit_code(lrc), "enroll %s: %s", a.disp,
			      tfa_err_text(&err, lrc));
		goto out;
	}
	if (tok.type == TFA_TOKEN_SMS) {
		if (g->json)
			rc = print_json(g, &a, &tok, NULL, issuer, NULL);
		else
			print_sms(&a, &tok, ctx);
		goto out;
	}
	if (a.png != NULL) {
		err.msg[0] = '\0';
		lrc = tfa_qr_png(uri, a.png, &err);
		if (lrc != TFA_OK) {
			rc = cli_fail(g, CLI_STORE, "cannot write the QR code to %s: %s "
				      "(the new token of %s is not usable; run enroll again)",
				      cli_esc(a.png, esc, sizeof(esc)),
				      tfa_err_text(&err, lrc), a.disp);
			goto out;
		}
	}
	active = tok.state == TFA_STATE_ACTIVE;
	ask = !active && !a.no_confirm && !g->json && isatty(STDIN_FILENO) &&
	      isatty(STDOUT_FILENO);
	if (tok.type == TFA_TOKEN_OCRA && !active && !ask) {
		rc = ocra_pending_challenge(g, ctx, a.user, &tok, &ch);
		if (rc != CLI_OK)
			goto out;
	}
	if (g->json) {
		rc = print_json(g, &a, &tok, uri, issuer, &ch);
		goto out;
	}
	err.msg[0] = '\0';
	if (!a.no_qr && (lrc = tfa_qr_utf8(uri, &qr, &err)) != TFA_OK) {
		cli_warn("%s; enter the URI or key below instead", tfa_err_text(&err, lrc));
		qr = NULL;
	}
	(void)printf("%s: new %s token (%s, %u digits, ", a.disp, otp_type_name(tok.type),
		     otp_alg_name(tok.alg), tok.digits);
	if (tok.type == TFA_TOKEN_TOTP)
		(void)printf("period %u s", tok.period);
	else if (tok.type == TFA_TOKEN_OCRA)
		(void)printf("suite %s", tok.suite);
	else
		(void)printf("counter %llu", (unsigned long long)tok.counter);
	(void)printf(", issuer %s)\n", cli_esc(issuer != NULL ? issuer : "-", esc, sizeof(esc)));
	if (qr != NULL)
		(void)printf("Scan this QR code with the authenticator app:\n\n%s\n", qr);
	(void)printf("or enter this URI (it holds the secret; keep it out of files and logs):\n"
		     "%s\n", uri);
	if (a.png != NULL)
		(void)printf("QR code written to %s\n", cli_esc(a.png, esc, sizeof(esc)));
	tfa_free_secret(uri);
	uri = NULL;
	tfa_free_secret(qr);
	qr = NULL;
	if (ask)
		rc = confirm_on_terminal(g, ctx, a.user, &tok, &active);
	if (rc != CLI_OK && rc != CLI_REJECTED)
		goto out;
	if (active)
		(void)printf("active: %s can log in with the %s from the app\n", a.disp,
			     tok.type == TFA_TOKEN_OCRA ? "response" : "code");
	else if (ch.kind == TFA_CH_OCRA)
		(void)printf("pending: challenge %s; run \"tfa-admin confirm %s RESPONSE\"\n",
			     ch.question, a.disp);
	else
		(void)printf("pending: run \"tfa-admin confirm %s CODE\"\n", a.disp);
out:
	tfa_free_secret(uri);
	tfa_free_secret(qr);
	tfa_ctx_close(ctx);
	return rc;
}
