/* SPDX-License-Identifier: BSD-2-Clause */
/* common.c - tfa-admin helpers: exit codes, opening the store, checking
 * arguments, reading a code. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

int cli_exit_code(tfa_rc rc)
{
	switch (rc) {
	case TFA_OK:
		return CLI_OK;
	case TFA_REJECTED:
	case TFA_REPLAYED:
		return CLI_REJECTED;
	case TFA_EINVAL:
		return CLI_USAGE;
	case TFA_ENOENT:
		return CLI_NOENT;
	case TFA_LOCKED:
		return CLI_LOCKED;
	case TFA_EEXIST:
	case TFA_ESTORE:
	case TFA_EKEY:
	case TFA_ENOMEM:
	case TFA_ECRYPTO:
	case TFA_EIO:
	case TFA_ELOOKUP:
		break;
	}
	return CLI_STORE;
}

/* The message for a failed open: the library's (it names the file and,
 * for a missing or uninitialised store, says to run tfa-admin init). */
static int open_failed(struct cli *g, tfa_rc rc, const tfa_err *err)
{
	char path[1024];

	if (err->msg[0] != '\0')
		return cli_fail(g, CLI_STORE, "%s", err->msg);
	return cli_fail(g, CLI_STORE, "store %s: %s", cli_esc(g->store, path, sizeof(path)),
			tfa_strerror(rc));
}

static int paths_given(struct cli *g)
{
	if (g->store[0] == '\0')
		return cli_fail(g, CLI_USAGE, "the store path is empty");
	if (g->keyfile[0] == '\0')
		return cli_fail(g, CLI_USAGE, "the key file path is empty");
	return CLI_OK;
}

int cli_open(struct cli *g, unsigned flags, tfa_ctx **ctx)
{
	tfa_err err = { .msg = "" };
	tfa_rc rc;

	*ctx = NULL;
	if (paths_given(g) != CLI_OK)
		return CLI_USAGE;
	rc = tfa_ctx_open_keys(g->store, g->keyfile, g->keyfile_next, flags, "tfa-admin", ctx, NULL,
			       &err);
	if (rc != TFA_OK) {
		*ctx = NULL;
		return open_failed(g, rc, &err);
	}
	return CLI_OK;
}

int cli_user(struct cli *g, const char *name)
{
	char esc[4 * 64 + 8];

	if (tfa_user_valid(name))
		return CLI_OK;
	return cli_fail(g, CLI_USAGE, "invalid user name \"%s\": 1 to %d bytes, no control"
			" characters", cli_esc(name, esc, sizeof(esc)), TFA_USER_MAX);
}

int cli_resolve(struct cli *g, const char *given, int need_known, int force,
		char canon[TFA_USER_MAX + 1], int *known)
{
	char esc[4 * TFA_USER_MAX + 1];
	tfa_err err = { .msg = "" };
	int k = 0, rc;
	tfa_rc lrc;

	if (known != NULL)
		*known = 0;
	rc = cli_user(g, given);
	if (rc != CLI_OK)
		return rc;
	lrc = tfa_user_resolve(given, canon, TFA_USER_MAX + 1, &k, &err);
	if (lrc != TFA_OK)
		return cli_fail(g, lrc == TFA_ELOOKUP ? CLI_STORE : cli_exit_code(lrc), "%s",
				tfa_err_text(&err, lrc));
	if (known != NULL)
		*known = k;
	if (!k && need_known && !force)
		return cli_fail(g, CLI_NOENT, "no such user \"%s\" on this system; check the"
				" spelling, or give --force for a user the system does not list"
				" (e.g. RADIUS-only)", cli_esc(given, esc, sizeof(esc)));
	return CLI_OK;
}

int cli_read_code(char *buf, size_t len)
{
	size_t n;

	if (fgets(buf, (int)len, stdin) == NULL)
		return -1;
	n = strcspn(buf, "\r\n");
	if (buf[n] == '\0' && n + 1 == len) {
		/* over-long line: drop the rest, give a value that is rejected */
		int ch;

		while ((ch = getchar()) != EOF && ch != '\n')
			;
	}
	buf[n] = '\0';
	return 0;
}

int cli_parse_uint(const char *s, unsigned long min, unsigned long max,
		   unsigned long *out)
{
	char *end = NULL;
	unsigned long v;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}
