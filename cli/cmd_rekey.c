/* SPDX-License-Identifier: BSD-2-Clause */
/* cmd_rekey.c - tfa-admin rekey NEWKEYFILE: re-encrypt every secret of the
 * store under the key in NEWKEYFILE (created when missing), in one
 * transaction with its audit row, then say how to put the new key in
 * place: until a host uses it, logins there fail closed. */
#include "config.h"

#include <stdio.h>

#include "cli.h"

int cmd_rekey(struct cli *g, int argc, char **argv)
{
	static const struct cli_cmd cmd = { "rekey NEWKEYFILE", NULL, 1, 1, 0 };
	tfa_err err = { .msg = "" };
	char s_esc[1024], n_esc[1024], k_esc[1024];
	tfa_ctx *ctx = NULL;
	struct cli_pos pos;
	json_object *o;
	unsigned tokens = 0;
	int rc, created = 0;
	tfa_rc lrc;

	rc = cli_parse(g, &cmd, argc, argv, NULL, &pos);
	if (rc != CLI_OK)
		return rc < 0 ? CLI_OK : rc;
	rc = cli_open(g, TFA_OPEN_NOPOLICY, &ctx);
	if (rc != CLI_OK)
		goto out;
	lrc = tfa_rekey(ctx, pos.v[0], &tokens, &created, &err);
	if (lrc != TFA_OK) {
		rc = cli_fail(g, cli_exit_code(lrc), "%s", tfa_err_text(&err, lrc));
		goto out;
	}
	if (g->json) {
		o = json_object_new_object();
		if (o != NULL) {
			cli_jstr(o, "store", g->store);
			cli_jstr(o, "keyfile", pos.v[0]);
			cli_jbool(o, "created", created);
			cli_jint(o, "tokens", (int64_t)tokens);
		}
		rc = cli_json_emit(g, o);
		goto out;
	}
	(void)cli_esc(g->store, s_esc, sizeof(s_esc));
	(void)cli_esc(pos.v[0], n_esc, sizeof(n_esc));
	(void)cli_esc(g->keyfile, k_esc, sizeof(k_esc));
	(void)printf("store %s: %u token secret%s re-encrypted under the key in %s%s\n", s_esc,
		     tokens, tokens == 1 ? "" : "s", n_esc, created ? " (new key file)" : "");
	(void)printf("now install %s as the key file on every host using this store, e.g.\n"
		     "  mv %s %s\n"
		     "until a host has the new key file, its logins fail closed (key mismatch)"
		     " and tfa-admin there exits 4; the old key file %s no longer opens the"
		     " store\n", n_esc, n_esc, k_esc, k_esc);
out:
	tfa_ctx_close(ctx);
	return rc;
}
