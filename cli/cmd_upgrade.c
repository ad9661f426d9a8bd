/* SPDX-License-Identifier: BSD-2-Clause */
/* cmd_upgrade.c - tfa-admin upgrade: bring the store's schema to this
 * program's version, in one transaction with its audit row. Logins and
 * every other command refuse an older schema and name this command, so a
 * package upgrade never changes the store behind the admin's back. */
#include "config.h"

#include <stdio.h>

#include "cli.h"

int cmd_upgrade(struct cli *g, int argc, char **argv)
{
	static const struct cli_cmd cmd = { "upgrade", NULL, 0, 0, 0 };
	char s_esc[1024];
	tfa_ctx *ctx = NULL;
	json_object *o;
	struct cli_pos pos;
	int found = 0, current = 0, rc;

	rc = cli_parse(g, &cmd, argc, argv, NULL, &pos);
	if (rc != CLI_OK)
		return rc < 0 ? CLI_OK : rc;
	rc = cli_open(g, TFA_OPEN_UPGRADE | TFA_OPEN_NOPOLICY, &ctx);
	if (rc != CLI_OK)
		goto out;
	tfa_ctx_schema(ctx, &found, &current);
	(void)cli_esc(g->store, s_esc, sizeof(s_esc));
	if (g->json) {
		o = json_object_new_object();
		if (o != NULL) {
			cli_jstr(o, "store", g->store);
			cli_jint(o, "from", found);
			cli_jint(o, "to", found > current ? found : current);
			cli_jbool(o, "upgraded", found < current);
		}
		rc = cli_json_emit(g, o);
		goto out;
	}
	if (found < current)
		(void)printf("store %s: schema %d -> %d\n", s_esc, found, current);
	else if (found == current)
		(void)printf("store %s: schema %d, up to date\n", s_esc, found);
	else
		(void)printf("store %s: schema %d, newer than this program's %d and usable by"
			     " it; nothing to do\n", s_esc, found, current);
out:
	tfa_ctx_close(ctx);
	return rc;
}
