/* SPDX-License-Identifier: BSD-2-Clause */
/* cmd_backup.c - tfa-admin backup FILE [--force] and restore FILE.
 *
 * backup writes a consistent copy while logins go on (never `cp tfa.db`:
 * committed logins may be only in tfa.db-wal); an existing FILE is kept
 * unless --force. restore puts a backup back in place, keeping the newer
 * replay state of the current store, and prints what it could not carry
 * over (tfa-admin(8)). */
#include "config.h"

#include <stdio.h>

#include "cli.h"

/* A missing backup file is a file error (4), not "no such user" (3). */
static int file_fail(struct cli *g, tfa_rc rc, const tfa_err *err)
{
	return cli_fail(g, rc == TFA_ENOENT ? CLI_STORE : cli_exit_code(rc), "%s",
			tfa_err_text(err, rc));
}

int cmd_backup(struct cli *g, int argc, char **argv)
{
	static const struct cli_opt opts[] = {
		{ "force", 0, CLI_FLAG, 0, NULL },   /* the int force itself */
		CLI_OPT_END,
	};
	static const struct cli_cmd cmd = { "backup FILE [--force]", opts, 1, 1, 0 };
	tfa_err err = { .msg = "" };
	char s_esc[1024], f_esc[1024];
	tfa_ctx *ctx = NULL;
	struct cli_pos pos;
	json_object *o;
	int rc, force = 0;
	tfa_rc lrc;

	rc = cli_parse(g, &cmd, argc, argv, &force, &pos);
	if (rc != CLI_OK)
		return rc < 0 ? CLI_OK : rc;
	rc = cli_open(g, TFA_OPEN_NOPOLICY, &ctx);
	if (rc != CLI_OK)
		goto out;
	lrc = tfa_backup(ctx, pos.v[0], force ? TFA_BACKUP_FORCE : 0, &err);
	if (lrc != TFA_OK) {
		rc = file_fail(g, lrc, &err);
		goto out;
	}
	(void)cli_esc(g->store, s_esc, sizeof(s_esc));
	(void)cli_esc(pos.v[0], f_esc, sizeof(f_esc));
	if (g->json) {
		o = json_object_new_object();
		if (o != NULL) {
			cli_jstr(o, "store", g->store);
			cli_jstr(o, "backup", pos.v[0]);
		}
		rc = cli_json_emit(g, o);
		goto out;
	}
	(void)printf("store %s backed up to %s\n", s_esc, f_esc);
	(void)printf("keep the key file %s too, apart from the backup: without it the "
		     "secrets cannot be read\n", cli_esc(g->keyfile, s_esc, sizeof(s_esc)));
out:
	tfa_ctx_close(ctx);
	return rc;
}

struct notes {
	struct cli *g;
	json_object *arr;       /* JSON mode: the notes, else NULL */
};

static void on_note(void *arg, const char *user, const char *note)
{
	struct notes *n = arg;
	char esc[4 * TFA_USER_MAX + 1];
	json_object *o;

	if (n->g->json) {
		o = json_object_new_object();
		if (o == NULL)
			return;
		if (user != NULL)
			cli_jstr(o, "user", user);
		cli_jstr(o, "note", note);
		if (n->arr == NULL || json_object_array_add(n->arr, o) != 0)
			json_object_put(o);
		return;
	}
	if (user != NULL)
		(void)printf("  not carried over: %s: %s\n", cli_esc(user, esc, sizeof(esc)), note);
	else
		(void)printf("  not carried over: %s\n", note);
}

int cmd_restore(struct cli *g, int argc, char **argv)
{
	static const struct cli_cmd cmd = { "restore FILE", NULL, 1, 1, 0 };
	tfa_err err = { .msg = "" };
	char s_esc[1024], f_esc[1024];
	struct notes n = { g, NULL };
	tfa_restore_info info;
	struct cli_pos pos;
	json_object *o = NULL;
	int rc;
	tfa_rc lrc;

	rc = cli_parse(g, &cmd, argc, argv, NULL, &pos);
	if (rc != CLI_OK)
		return rc < 0 ? CLI_OK : rc;
	if (g->store[0] == '\0' || g->keyfile[0] == '\0')
		return cli_fail(g, CLI_USAGE, "the store and key file paths must not be empty");
	(void)cli_esc(g->store, s_esc, sizeof(s_esc));
	(void)cli_esc(pos.v[0], f_esc, sizeof(f_esc));
	if (g->json)
		n.arr = json_object_new_array();
	else
		(void)printf("restoring store %s from %s\n", s_esc, f_esc);
	lrc = tfa_restore(g->store, g->keyfile, pos.v[0], "tfa-admin", on_note, &n, &info, &err);
	if (lrc != TFA_OK) {
		json_object_put(n.arr);
		return file_fail(g, lrc, &err);
	}
	if (g->json) {
		o = json_object_new_object();
		if (o != NULL) {
			cli_jstr(o, "store", g->store);
			cli_jstr(o, "backup", pos.v[0]);
			cli_jbool(o, "current_read", info.current_read);
			cli_jint(o, "users", info.users);
			cli_jint(o, "tokens", info.tokens);
			cli_jint(o, "carried_forward", info.merged);
			cli_jint(o, "kept_revoked", info.revoked);
			cli_jint(o, "codes_kept_unusable", info.codes_used);
			json_object_object_add(o, "notes", n.arr);
			n.arr = NULL;
		}
		json_object_put(n.arr);
		return cli_json_emit(g, o);
	}
	(void)printf("restored: %u users, %u tokens\n", info.users, info.tokens);
	if (info.current_read)
		(void)printf("kept from the current store: the counters and time steps of %u "
			     "tokens, %u revocations, %u used or replaced recovery codes, the "
			     "lockouts and the audit trail\n", info.merged, info.revoked,
			     info.codes_used);
	return CLI_OK;
}
