/* SPDX-License-Identifier: BSD-2-Clause */
/* cmd_policy.c - tfa-admin policy show | policy set KEY VALUE.
 *
 * show prints every key (tfa_policy_keys order) with its effective value
 * (the default when unset); JSON {"policy": {KEY: "VALUE", ...}} with every
 * value a string, exactly as `policy set` takes it.
 * set validates with the library (unknown key or bad value: exit 2 and the
 * library's message) before touching the store, then stores the canonical
 * form. It opens the bare store rather than a tfa_ctx, so that a store whose
 * stored policy no longer validates can still be repaired.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define POLICY_USAGE "policy show | policy set KEY VALUE | " \
	"policy set required_groups GROUP[,GROUP...] [--force]"

static int policy_show(struct cli *g)
{
	const char *const *keys = tfa_policy_keys();
	json_object *o = NULL, *p = NULL;
	tfa_ctx *ctx = NULL;
	char *val = NULL, esc[1024];
	size_t i, w = 0;
	tfa_rc lrc;
	int rc;

	rc = cli_open(g, TFA_OPEN_READONLY, &ctx);
	if (rc != CLI_OK)
		goto out;
	if (g->json) {
		o = json_object_new_object();
		p = json_object_new_object();
		if (o == NULL || p == NULL) {
			rc = cli_fail(g, CLI_STORE, "out of memory");
			goto out;
		}
	}
	for (i = 0; keys[i] != NULL; i++)
		if (strlen(keys[i]) > w)
			w = strlen(keys[i]);
	for (i = 0; keys[i] != NULL; i++) {
		lrc = tfa_policy_value(tfa_ctx_policy(ctx), keys[i], &val);
		if (lrc != TFA_OK) {
			rc = cli_fail(g, CLI_STORE, "policy %s: %s", keys[i], tfa_strerror(lrc));
			goto out;
		}
		if (g->json)
			cli_jstr(p, keys[i], val);
		else
			(void)printf("%-*s  %s\n", (int)w, keys[i],
				     val[0] != '\0' ? cli_esc(val, esc, sizeof(esc)) : "(empty)");
		free(val);
		val = NULL;
	}
	if (g->json) {
		(void)json_object_object_add(o, "policy", p);
		p = NULL;
		rc = cli_json_emit(g, o);
		o = NULL;
	}
out:
	free(val);
	json_object_put(p);
	json_object_put(o);
	tfa_ctx_close(ctx);
	return rc;
}

/* Every group of the normalised list @groups must exist (a typo, or the
 * README's "wheel" on Debian, would leave its members unprotected): exit 3
 * naming it unless @force; a lookup error is exit 4 whatever @force. */
static int groups_exist(struct cli *g, const char *groups, int force)
{
	tfa_err err = { .msg = "" };
	char name[256], esc[1024];
	const char *p = groups;
	int known;
	tfa_rc lrc;

	while (*p != '\0') {
		size_t len = strcspn(p, ",");

		(void)snprintf(name, sizeof(name), "%.*s", (int)len, p);
		p += len + (p[len] == ',' ? 1 : 0);
		lrc = tfa_group_lookup(name, &known, &err);
		if (lrc != TFA_OK)
			return cli_fail(g, CLI_STORE, "policy set required_groups: %s; nothing"
					" changed", err.msg);
		if (!known && !force)
			return cli_fail(g, CLI_NOENT, "policy set required_groups: no such group"
					" \"%s\" on this system (Debian's administrators are in"
					" \"sudo\", not \"wheel\"); nothing changed; give --force for"
					" a group the system does not list yet",
					cli_esc(name, esc, sizeof(esc)));
	}
	return CLI_OK;
}

static int policy_set(struct cli *g, const char *key, const char *value, int force)
{
	tfa_err err = { .msg = "" };
	tfa_ctx *ctx = NULL;
	char *norm = NULL, esc[1024];
	json_object *o;
	tfa_rc lrc;
	int rc;

	lrc = tfa_policy_normalize(key, value, &norm, &err);
	if (lrc != TFA_OK) {
		rc = cli_fail(g, cli_exit_code(lrc), "policy set %s: %s",
			      cli_esc(key, esc, sizeof(esc)),
			      tfa_err_text(&err, lrc));
		goto out;
	}
	if (strcmp(key, "required_groups") == 0) {
		rc = groups_exist(g, norm, force);
		if (rc != CLI_OK)
			goto out;
	} else if (force) {
		rc = cli_fail(g, CLI_USAGE, "--force applies to required_groups only");
		goto out;
	}
	/* without loading the policy: a stored value that no longer validates
	 * can still be mended */
	rc = cli_open(g, TFA_OPEN_NOPOLICY, &ctx);
	if (rc != CLI_OK)
		goto out;
	err.msg[0] = '\0';
	lrc = tfa_policy_set(ctx, key, value, &err);
	if (lrc != TFA_OK) {
		rc = cli_fail(g, cli_exit_code(lrc), "%s", tfa_err_text(&err, lrc));
		goto out;
	}
	if (g->json) {
		o = json_object_new_object();
		if (o != NULL) {
			cli_jstr(o, "key", key);
			cli_jstr(o, "value", norm);
		}
		rc = cli_json_emit(g, o);
		goto out;
	}
	(void)printf("%s = %s\n", key, norm[0] != '\0' ? cli_esc(norm, esc, sizeof(esc)) :
		     "(empty)");
out:
	free(norm);
	tfa_ctx_close(ctx);
	return rc;
}

int cmd_policy(struct cli *g, int argc, char **argv)
{
	static const struct cli_opt opts[] = {
		{ "force", 0, CLI_FLAG, 0, NULL },
		CLI_OPT_END,
	};
	static const struct cli_cmd cmd = { POLICY_USAGE, opts, 1, 3, 0 };
	struct cli_pos pos;
	int rc, force = 0;

	rc = cli_parse(g, &cmd, argc, argv, &force, &pos);   /* --force: off 0 of &force */
	if (rc != CLI_OK)
		return rc < 0 ? CLI_OK : rc;
	if (strcmp(pos.v[0], "show") == 0 && pos.n == 1 && !force)
		return policy_show(g);
	if (strcmp(pos.v[0], "set") == 0 && pos.n == 3)
		return policy_set(g, pos.v[1], pos.v[2], force);
	return cli_usage(g, POLICY_USAGE);
}
