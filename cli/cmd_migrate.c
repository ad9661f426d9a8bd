/* SPDX-License-Identifier: BSD-2-Clause */
/* cmd_migrate.c - tfa-admin migrate --to URL: copy the SQLite store into
 * an initialised, empty PostgreSQL database (same key file), holding the
 * SQLite store against changes for the whole copy, and print the counts
 * checked on the target before its commit (tfa-admin(8), README "Many
 * hosts" for the cut-over). */
#include "config.h"

#include <stdio.h>

#include "cli.h"

int cmd_migrate(struct cli *g, int argc, char **argv)
{
	static const struct cli_opt opts[] = {
		{ "to", 0, CLI_STR, 0, NULL },   /* the const char *to itself */
		CLI_OPT_END,
	};
	static const struct cli_cmd cmd = { "migrate --to URL", opts, 0, 0, 0 };
	tfa_err err = { .msg = "" };
	tfa_migrate_info info = { 0 };
	char s_esc[1024], t_esc[1024];
	const char *to = NULL;
	tfa_ctx *ctx = NULL;
	struct cli_pos pos;
	json_object *o;
	tfa_rc lrc;
	int rc;

	rc = cli_parse(g, &cmd, argc, argv, &to, &pos);
	if (rc != CLI_OK)
		return rc < 0 ? CLI_OK : rc;
	if (to == NULL || *to == '\0') {
		rc = cli_fail(g, CLI_USAGE, "migrate needs --to URL (a postgresql:// URI)");
		(void)cli_usage(g, cmd.usage);
		return rc;
	}
	rc = cli_open(g, TFA_OPEN_NOPOLICY, &ctx);
	if (rc != CLI_OK)
		goto out;
	lrc = tfa_migrate(ctx, to, g->keyfile, &info, &err);
	if (lrc != TFA_OK) {
		rc = cli_fail(g, lrc == TFA_EINVAL ? CLI_USAGE : CLI_STORE, "%s",
			      tfa_err_text(&err, lrc));
		goto out;
	}
	(void)cli_esc(g->store, s_esc, sizeof(s_esc));
	(void)cli_esc(to, t_esc, sizeof(t_esc));
	if (g->json) {
		o = json_object_new_object();
		if (o != NULL) {
			cli_jstr(o, "store", g->store);
			cli_jstr(o, "to", to);
			cli_jint(o, "users", (int64_t)info.users);
			cli_jint(o, "tokens", (int64_t)info.tokens);
			cli_jint(o, "recovery", (int64_t)info.recovery);
			cli_jint(o, "audit", (int64_t)info.audit);
			cli_jint(o, "policy", (int64_t)info.policy);
		}
		rc = cli_json_emit(g, o);
		goto out;
	}
	(void)printf("store %s migrated to %s\n", s_esc, t_esc);
	(void)printf("users %lu\ntokens %lu\nrecovery codes %lu\naudit rows %lu\n"
		     "policy settings %lu\n", info.users, info.tokens, info.recovery, info.audit,
		     info.policy);
	(void)printf("counts checked on %s before the commit; now set store=%s on the hosts\n",
		     t_esc, t_esc);
out:
	tfa_ctx_close(ctx);
	return rc;
}
