/* SPDX-License-Identifier: BSD-2-Clause */
/* cmd_recovery.c - tfa-admin recovery USER [--count N]: new recovery codes.
 *
 * Replaces the user's recovery codes with N (default 10, 1..100) new ones
 * and prints them once, on stdout only: text, one per line under a short
 * heading, or with --json {"user": USER, "codes": [...]}. The store keeps
 * only salted hashes; the codes are wiped from memory after printing. Each
 * code is accepted once at the normal code prompt (login or verify).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cli.h"

#define RECOVERY_USAGE "recovery USER [--count N]   (N: 1 to 100, default 10)"

/* --count N: into the unsigned at @args */
static int opt_count(struct cli *g, const char *arg, void *args)
{
	unsigned long v;
	char esc[64];

	if (cli_parse_uint(arg, 1, TFA_RECOVERY_MAX, &v) != 0)
		return cli_fail(g, CLI_USAGE, "--count \"%s\": a number from 1 to %d",
				cli_esc(arg, esc, sizeof(esc)), TFA_RECOVERY_MAX);
	*(unsigned *)args = (unsigned)v;
	return CLI_OK;
}

/* Wipe the codes json-c copied (the caller holds a reference to @arr). */
static void wipe_json_codes(json_object *arr)
{
	size_t i, n = json_object_array_length(arr);

	for (i = 0; i < n; i++) {
		json_object *s = json_object_array_get_idx(arr, i);
		const char *t = s != NULL ? json_object_get_string(s) : NULL;

		if (t != NULL)
			tfa_wipe((void *)(uintptr_t)t, strlen(t));
	}
}

static int print_json(struct cli *g, const char *user, char **codes, unsigned count)
{
	json_object *o = json_object_new_object(), *arr = json_object_new_array();
	unsigned i;
	int rc;

	if (o == NULL || arr == NULL) {
		json_object_put(o);
		json_object_put(arr);
		return cli_fail(g, CLI_STORE, "out of memory");
	}
	for (i = 0; i < count; i++) {
		json_object *s = json_object_new_string(codes[i]);

		if (s == NULL || json_object_array_add(arr, s) != 0) {
			json_object_put(s);
			wipe_json_codes(arr);
			json_object_put(o);
			json_object_put(arr);
			return cli_fail(g, CLI_STORE, "out of memory");
		}
	}
	cli_jstr(o, "user", user);
	(void)json_object_object_add(o, "codes", json_object_get(arr));
	rc = cli_json_emit(g, o);
	wipe_json_codes(arr);
	json_object_put(arr);
	return rc;
}

static int print_text(struct cli *g, const char *disp, char **codes, unsigned count)
{
	unsigned i;

	(void)printf("Recovery codes for %s (any earlier ones no longer work).\n"
		     "Hand them over securely; each code works once, at the code prompt:\n",
		     disp);
	for (i = 0; i < count; i++)
		(void)printf("%s\n", codes[i]);
	if (fflush(stdout) != 0 || ferror(stdout))
		return cli_fail(g, CLI_STORE, "cannot write to standard output");
	return CLI_OK;
}

int cmd_recovery(struct cli *g, int argc, char **argv)
{
	static const struct cli_opt opts[] = {
		{ "count", 0, CLI_CHECK, 0, opt_count },
		CLI_OPT_END,
	};
	static const struct cli_cmd cmd = { RECOVERY_USAGE, opts, 1, 1, 0 };
	struct cli_pos pos;
	tfa_err err = { .msg = "" };
	tfa_ctx *ctx = NULL;
	unsigned count = TFA_RECOVERY_DEFAULT;
	char **codes = NULL;
	char user[TFA_USER_MAX + 1], disp[4 * TFA_USER_MAX + 1];
	tfa_rc lrc;
	int rc;

	rc = cli_parse(g, &cmd, argc, argv, &count, &pos);
	if (rc != CLI_OK)
		return rc < 0 ? CLI_OK : rc;
	rc = cli_resolve(g, pos.v[0], 0, 0, user, NULL);
	if (rc != CLI_OK)
		return rc;
	(void)cli_esc(user, disp, sizeof(disp));
	rc = cli_open(g, 0, &ctx);
	if (rc != CLI_OK)
		goto out;
	lrc = tfa_recovery_generate(ctx, user, count, &codes, &err);
	if (lrc != TFA_OK) {
		rc = cli_fail(g, cli_exit_code(lrc), "%s: %s", disp,
			      tfa_err_text(&err, lrc));
		goto out;
	}
	rc = g->json ? print_json(g, user, codes, count) : print_text(g, disp, codes, count);
out:
	tfa_recovery_free(codes, codes != NULL ? count : 0);
	tfa_ctx_close(ctx);
	return rc;
}
