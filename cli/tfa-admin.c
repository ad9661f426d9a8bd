/* SPDX-License-Identifier: BSD-2-Clause */
/* tfa-admin - manage second-factor tokens, policy and lockouts.
 *
 *   tfa-admin [--store PATH] [--keyfile PATH] [--keyfile-next PATH] [--json] COMMAND [ARGS]
 *
 * Global options come before COMMAND (they are also accepted among the
 * command's own options). The store and key file default to $TFA_STORE and
 * $TFA_KEYFILE when those are set and not empty, else to the configured
 * defaults; --keyfile-next to $TFA_KEYFILE_NEXT (none by default). Exit
 * codes: see cli.h.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char usage_text[] =
"usage: tfa-admin [--store PATH] [--keyfile PATH] [--keyfile-next PATH] [--json]\n"
"                 COMMAND [ARGS]\n"
"\n"
"commands:\n"
"  init                      create the store and the key file\n"
"  upgrade                   migrate the store's schema to this version\n"
"                            (logins and other commands never do)\n"
"  rekey NEWKEYFILE          re-encrypt every secret under the key in\n"
"                            NEWKEYFILE (created when missing), then install\n"
"                            it as the key file on every host\n"
"  enroll USER [--type totp|hotp|sms|ocra] [--digits 6|8] [--period S]\n"
"         [--algorithm SHA1|SHA256|SHA512] [--issuer NAME] [--phone NUMBER]\n"
"         [--suite OCRA-SUITE] [--no-qr] [--qr-png FILE] [--activate]\n"
"         [--no-confirm] [--force]\n"
"                            issue a new secret (URI and QR on stdout)\n"
"  confirm USER CODE         activate the pending token with its current code\n"
"  verify USER CODE          check a code exactly as a login would\n"
"  reset USER                revoke every token and recovery code of the\n"
"                            user (change phone)\n"
"  enable|disable|default USER [--force]\n"
"                            require 2FA / exempt / follow the policy\n"
"  policy show               every policy key with its effective value\n"
"  policy set KEY VALUE [--force]\n"
"                            set a policy key (--force: required_groups\n"
"                            naming a group the system does not know)\n"
"  list                      every user the store knows\n"
"  show USER                 one user, its tokens and the deciding rule\n"
"                            (\"required\" is for PAM logins: sshd skips PAM\n"
"                            for SSH key logins unless AuthenticationMethods\n"
"                            is publickey,keyboard-interactive)\n"
"  unlock USER               clear a lockout\n"
"  audit [--user USER] [--since TIME]\n"
"                            the audit trail; TIME is unix seconds,\n"
"                            YYYY-MM-DD, \"YYYY-MM-DD HH:MM:SS\" (UTC) or an\n"
"                            age such as 30m, 12h, 2d, 1w\n"
"  audit --prune             delete audit rows older than audit_keep_days\n"
"  recovery USER [--count N] new single-use recovery codes (default 10,\n"
"                            at most 100), printed once; earlier ones stop working\n"
"  import google-authenticator USER FILE [--skip-bad] [--force]\n"
"  import oath FILE [--skip-bad] [--force]\n"
"                            migrate ~/.google_authenticator or a pam_oath\n"
"                            users file (one bad line refuses all: exit 2)\n"
"  token import --pskc FILE | --csv FILE [--skip-bad]\n"
"                            add token cards to stock (all or nothing)\n"
"  token list                token cards, in stock or assigned\n"
"  token assign SERIAL USER [--force]\n                            give a card to a user (active at once)\n"
"  token unassign SERIAL     take a card back into stock\n"
"  token resync USER CODE1 CODE2\n"
"                            set a card's counter (hotp) or clock drift\n"
"                            (totp) from two consecutive codes\n"
"  challenge USER            start the challenge step of a login: send the\n"
"                            sms code, or show an OCRA question\n"
"  backup FILE [--force]    a consistent copy of the store (mode 0600) while\n"
"                            logins go on; an existing FILE is kept unless\n"
"                            --force (cp tfa.db is not a backup: WAL)\n"
"  restore FILE              put a backup back in place, keeping the newer\n"
"                            replay state of the current store (a used code\n"
"                            never works again); says what it could not keep\n"
"  migrate --to URL          copy the SQLite store into an initialised, empty\n"
"                            PostgreSQL database (same key file), holding the\n"
"                            store meanwhile; prints the counts it checked\n"
"  doctor [--json]           check the set-up (files, sshd, PAM stacks, clock,\n"
"                            syslog, policy) and say each fix; exit 0 fine,\n"
"                            1 warnings, 4 errors\n"
"\n"
"Global options may also follow COMMAND. CODE \"-\" reads the code from\n"
"standard input (keeps it out of ps). USER is looked up in the system's\n"
"user database (NSS) and its canonical name is used (ALICE and alice are one\n"
"user where the directory says so); enroll, enable, disable, default,\n"
"token assign and the imports refuse a user the system does not know\n"
"(exit 3) unless given --force (e.g. for RADIUS-only users); a failed\n"
"lookup is exit 4. --json: one JSON object on stdout;\n"
"a failure prints {\"error\": MESSAGE, \"exit\": STATUS}.\n"
"exit status: 0 ok, 1 code rejected, 2 usage error, 3 no such user or\n"
"token, 4 store, key or user/group lookup error, 5 locked out.\n";

typedef int (*cmd_fn)(struct cli *g, int argc, char **argv);

static const struct {
	const char *name;
	cmd_fn fn;          /* NULL: not implemented yet */
} commands[] = {
	{ "init", cmd_init },
	{ "upgrade", cmd_upgrade },
	{ "rekey", cmd_rekey },
	{ "enroll", cmd_enroll },
	{ "confirm", cmd_confirm },
	{ "verify", cmd_verify },
	{ "reset", cmd_reset },
	{ "enable", cmd_required },
	{ "disable", cmd_required },
	{ "default", cmd_required },
	{ "policy", cmd_policy },
	{ "list", cmd_list },
	{ "show", cmd_show },
	{ "unlock", cmd_unlock },
	{ "audit", cmd_audit },
	{ "recovery", cmd_recovery },
	{ "token", cmd_token },
	{ "challenge", cmd_challenge },
	{ "import", cmd_import },
	{ "doctor", cmd_doctor },
	{ "backup", cmd_backup },
	{ "restore", cmd_restore },
	{ "migrate", cmd_migrate },
};

static const char *env_or(const char *name, const char *dflt)
{
	const char *v = getenv(name);

	return v != NULL && v[0] != '\0' ? v : dflt;
}

#define TOP_USAGE "[--store PATH] [--keyfile PATH] [--keyfile-next PATH] [--json] COMMAND [ARGS]"

static int show_help(struct cli *g, const char *arg, void *args)
{
	(void)g;
	(void)arg;
	(void)args;
	(void)fputs(usage_text, stdout);
	return CLI_DONE;
}

static int show_version(struct cli *g, const char *arg, void *args)
{
	(void)g;
	(void)arg;
	(void)args;
	(void)printf("tfa-admin (%s) %s\n", PACKAGE_NAME, PACKAGE_VERSION);
	return CLI_DONE;
}

static int run(struct cli *g, int argc, char **argv)
{
	static const struct cli_opt opts[] = {
		{ "help", 'h', CLI_ACTION, 0, show_help },
		{ "version", 'V', CLI_ACTION, 0, show_version },
		CLI_OPT_END,
	};
	static const struct cli_cmd top = { TOP_USAGE, opts, 0, CLI_ANY, 1 };
	struct cli_pos pos;
	char esc[128];
	size_t i;
	int rc;

	rc = cli_parse(g, &top, argc, argv, NULL, &pos);
	if (rc != CLI_OK)
		return rc == CLI_DONE ? CLI_OK : rc;
	if (pos.n == 0) {
		(void)cli_fail(g, CLI_USAGE, "no command given (try tfa-admin --help)");
		return cli_usage(g, TOP_USAGE);
	}
	if (strcmp(pos.v[0], "help") == 0) {
		(void)fputs(usage_text, stdout);
		return CLI_OK;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(pos.v[0], commands[i].name) != 0)
			continue;
		if (commands[i].fn == NULL)
			return cli_fail(g, CLI_USAGE, "%s: not implemented yet", commands[i].name);
		return commands[i].fn(g, pos.n, pos.v);
	}
	(void)cli_fail(g, CLI_USAGE, "unknown command \"%s\" (try tfa-admin --help)",
		       cli_esc(pos.v[0], esc, sizeof(esc)));
	return cli_usage(g, TOP_USAGE);
}

int main(int argc, char **argv)
{
	struct cli g;
	int rc;

	memset(&g, 0, sizeof(g));
	g.store = env_or("TFA_STORE", TFA_DEFAULT_STORE);
	g.keyfile = env_or("TFA_KEYFILE", TFA_DEFAULT_KEYFILE);
	g.keyfile_next = env_or("TFA_KEYFILE_NEXT", NULL);
	rc = run(&g, argc, argv);
	cli_json_error(&g, rc);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		(void)fputs("tfa-admin: cannot write to standard output\n", stderr);
		if (rc == CLI_OK)
			rc = CLI_STORE;
	}
	return rc;
}
