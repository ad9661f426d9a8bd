/* SPDX-License-Identifier: BSD-2-Clause */
/* options.c - the one option parser of tfa-admin: a command describes its
 * options in a table (struct cli_opt), cli_parse reads argv with
 * getopt_long, handles the global options wherever they stand, reports
 * errors (exit 2 with the usage line) and hands back the positionals. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

/* getopt values of the global options (above any short option) */
enum { OPT_STORE = 0x1001, OPT_KEYFILE, OPT_KEYFILE_NEXT, OPT_JSON, OPT_HELP,
       OPT_TABLE = 0x2000 };

static const struct option globals[] = {
	{ "store", required_argument, NULL, OPT_STORE },
	{ "keyfile", required_argument, NULL, OPT_KEYFILE },
	{ "keyfile-next", required_argument, NULL, OPT_KEYFILE_NEXT },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "help", no_argument, NULL, OPT_HELP },
};
#define N_GLOBALS (sizeof(globals) / sizeof(globals[0]))

static int getopt_error(struct cli *g, int c, char **argv, const char *usage)
{
	char esc[128];
	const char *bad = optind > 0 ? argv[optind - 1] : "?";

	if (c == ':')
		(void)cli_fail(g, CLI_USAGE, "option %s needs a value",
			       cli_esc(bad, esc, sizeof(esc)));
	else if (optopt > 0 && optopt < 0x80)
		(void)cli_fail(g, CLI_USAGE, "unknown option -%c", optopt);
	else
		(void)cli_fail(g, CLI_USAGE, "unknown option %s", cli_esc(bad, esc, sizeof(esc)));
	return cli_usage(g, usage);
}

static int overridden(const struct cli_opt *opts, const char *name)
{
	for (; opts != NULL && opts->name != NULL; opts++)
		if (strcmp(opts->name, name) == 0)
			return 1;
	return 0;
}

/* The getopt_long table and short option string for @cmd: the globals
 * (those the command does not define itself), then the command's own. */
static int build(struct cli *g, const struct cli_cmd *cmd, struct option *lo, char *so)
{
	const struct cli_opt *t;
	size_t i, n = 0, s = 0;

	so[s++] = cmd->in_order ? '+' : ':';
	if (cmd->in_order)
		so[s++] = ':';
	for (i = 0; i < N_GLOBALS; i++)
		if (!overridden(cmd->opts, globals[i].name))
			lo[n++] = globals[i];
	for (t = cmd->opts, i = 0; t != NULL && t->name != NULL; t++, i++) {
		int arg = t->kind == CLI_STR || t->kind == CLI_CHECK;

		if (i >= CLI_OPTS_MAX)
			return cli_fail(g, CLI_STORE, "internal error: %s has too many options",
					cmd->usage);
		lo[n].name = t->name;
		lo[n].has_arg = arg ? required_argument : no_argument;
		lo[n].flag = NULL;
		lo[n].val = t->short_name != '\0' ? t->short_name : OPT_TABLE + (int)i;
		n++;
		if (t->short_name != '\0') {
			so[s++] = t->short_name;
			if (arg)
				so[s++] = ':';
		}
	}
	memset(&lo[n], 0, sizeof(lo[n]));
	so[s] = '\0';
	return CLI_OK;
}

/* The table entry getopt returned @c for, or NULL. */
static const struct cli_opt *entry(const struct cli_opt *opts, int c)
{
	const struct cli_opt *t;
	int i;

	for (t = opts, i = 0; t != NULL && t->name != NULL; t++, i++)
		if (c == (t->short_name != '\0' ? t->short_name : OPT_TABLE + i))
			return t;
	return NULL;
}

static int apply(struct cli *g, const struct cli_opt *t, const char *arg, void *args)
{
	switch (t->kind) {
	case CLI_FLAG:
		*(int *)(void *)((char *)args + t->off) = 1;
		return CLI_OK;
	case CLI_STR:
		*(const char **)(void *)((char *)args + t->off) = arg;
		return CLI_OK;
	case CLI_CHECK:
	case CLI_ACTION:
		return t->fn(g, t->kind == CLI_CHECK ? arg : NULL, args);
	}
	return CLI_USAGE;
}

int cli_parse(struct cli *g, const struct cli_cmd *cmd, int argc, char **argv, void *args,
	      struct cli_pos *pos)
{
	struct option lo[CLI_OPTS_MAX + N_GLOBALS + 1];
	char so[3 + 2 * CLI_OPTS_MAX + 1];
	const struct cli_opt *t;
	int c, n, rc;

	pos->v = NULL;
	pos->n = 0;
	rc = build(g, cmd, lo, so);
	if (rc != CLI_OK)
		return rc;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, so, lo, NULL)) != -1) {
		switch (c) {
		case OPT_STORE:
			g->store = optarg;
			continue;
		case OPT_KEYFILE:
			g->keyfile = optarg;
			continue;
		case OPT_KEYFILE_NEXT:
			g->keyfile_next = optarg;
			continue;
		case OPT_JSON:
			g->json = 1;
			continue;
		case OPT_HELP:
			(void)printf("usage: tfa-admin %s\n", cmd->usage);
			return CLI_DONE;
		default:
			break;
		}
		t = c == '?' || c == ':' ? NULL : entry(cmd->opts, c);
		if (t == NULL)
			return getopt_error(g, c, argv, cmd->usage);
		rc = apply(g, t, optarg, args);
		if (rc != CLI_OK)
			return rc;
	}
	n = argc - optind;
	if (n < cmd->nmin || (cmd->nmax != CLI_ANY && n > cmd->nmax))
		return cli_usage(g, cmd->usage);
	pos->v = argv + optind;
	pos->n = n;
	return CLI_OK;
}
