/* SPDX-License-Identifier: BSD-2-Clause */
/* cmd_init.c - tfa-admin init: create the store and the key file.
 *
 * It is the only command that creates a store or a key (tfa-admin(8) "Files and
 * defaults"). Running it on an existing store is fine: the files and their
 * directories are opened and checked (ownership, mode, not a symlink) - a
 * file that fails is refused, not "checked". An older schema is left as it
 * is: tfa-admin upgrade migrates it. A PostgreSQL store (--store
 * postgresql://...) gets the schema created in the (empty) database; only
 * the key file's directory is checked. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>

#include "cli.h"

static int missing(const char *path)
{
	struct stat sb;

	return lstat(path, &sb) != 0 && errno == ENOENT;
}

/* Both paths' directories before anything is created, so that a key
 * directory that fails the rules does not leave a new store behind. */
static int dirs_ok(struct cli *g)
{
	tfa_err err = { .msg = "" };

	if (g->store[0] == '\0' || g->keyfile[0] == '\0')
		return CLI_OK;          /* cli_store_open says what is wrong */
	if ((!tfa_ctx_store_is_uri(g->store) &&
	     tfa_safe_check_dirs(g->store, TFA_SAFE_STORE, NULL, &err) != TFA_OK) ||
	    tfa_safe_check_dirs(g->keyfile, TFA_SAFE_KEY, NULL, &err) != TFA_OK)
		return cli_fail(g, CLI_STORE, "%s", err.msg);
	return CLI_OK;
}

/* A PostgreSQL database: whether it holds the schema already (an open
 * without creating succeeds); if not, init creates it. */
static int db_initialised(struct cli *g)
{
	tfa_err err = { .msg = "" };
	tfa_ctx *ctx = NULL;
	tfa_rc rc;

	rc = tfa_ctx_open(g->store, g->keyfile, TFA_OPEN_NOPOLICY, "tfa-admin", &ctx, &err);
	tfa_ctx_close(ctx);
	return rc == TFA_OK;
}

int cmd_init(struct cli *g, int argc, char **argv)
{
	char s_esc[1024], k_esc[1024];
	tfa_ctx *ctx = NULL;
	json_object *o;
	static const struct cli_cmd cmd = { "init", NULL, 0, 0, 0 };
	struct cli_pos pos;
	int new_store, new_key, rc;
	tfa_rc arc;

	rc = cli_parse(g, &cmd, argc, argv, NULL, &pos);
	if (rc != CLI_OK)
		return rc < 0 ? CLI_OK : rc;
	new_key = missing(g->keyfile);
	rc = dirs_ok(g);
	if (rc != CLI_OK)
		goto out;
	new_store = tfa_ctx_store_is_uri(g->store) ? !db_initialised(g) : missing(g->store);
	rc = cli_open(g, TFA_OPEN_CREATE | TFA_OPEN_NOPOLICY, &ctx);
	if (rc != CLI_OK)
		goto out;
	if (new_store) {
		arc = tfa_ctx_audit(ctx, NULL, TFA_EV_INIT, "store created%s",
				    new_key ? " with a new key" : "");
		if (arc != TFA_OK) {
			rc = cli_fail(g, CLI_STORE, "store %s: cannot write the audit trail: %s",
				      cli_esc(g->store, s_esc, sizeof(s_esc)), tfa_strerror(arc));
			goto out;
		}
	}
	(void)cli_esc(g->store, s_esc, sizeof(s_esc));
	(void)cli_esc(g->keyfile, k_esc, sizeof(k_esc));
	if (g->json) {
		o = json_object_new_object();
		if (o != NULL) {
			cli_jstr(o, "store", g->store);
			cli_jstr(o, "keyfile", g->keyfile);
			cli_jbool(o, "created_store", new_store);
			cli_jbool(o, "created_key", new_key);
		}
		rc = cli_json_emit(g, o);
		goto out;
	}
	(void)printf("store %s: %s\n", s_esc, new_store ? "created" : "exists, checked");
	(void)printf("key file %s: %s\n", k_esc, new_key ? "created" : "exists, checked");
	if (new_key)
		(void)printf("back up the key file separately from the store: "
			     "without it the secrets cannot be read\n");
out:
	tfa_ctx_close(ctx);
	return rc;
}
