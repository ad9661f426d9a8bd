/* SPDX-License-Identifier: BSD-2-Clause */
/* cmd_import.c - tfa-admin import: migrate from google-authenticator-libpam
 * and pam_oath.
 *
 *   import google-authenticator USER FILE [--skip-bad]
 *   import oath FILE [--skip-bad]
 *
 * Imported tokens are active (the users already use them). The users file
 * is streamed: a line is parsed and inserted, then the next, all in one
 * transaction. Every bad line is reported as "FILE:LINE: reason" on stderr
 * (never its content: it holds a secret). By default one bad line refuses
 * the whole import (rolled back, exit 2 "bad input"); with --skip-bad the
 * bad lines are skipped and the rest is committed (exit 0).
 * Scratch codes of a google-authenticator file become recovery codes.
 * A progress line goes to stderr when it is a terminal (not with --json).
 *
 * Output: "imported N tokens for M users (K recovery codes), skipped B bad
 * lines"; --json {"imported","users","recovery_codes","skipped","errors":
 * [{"line","reason"}], "notes": [...]} (at most 1000 errors listed).
 * User names are canonicalised as everywhere (cli_resolve): the pw_name NSS
 * gives. A user the system does not know is refused unless --force: for
 * google-authenticator exit 3; in an oath file each such line is a bad line
 * (all or nothing as any bad line; --skip-bad skips them), and exit 3 when
 * they are the only bad lines. A lookup error stops the import (exit 4).
 * Exit: 0 ok, 2 usage or bad input, 3 unknown user, 4 store/key error,
 * lookup error or unreadable FILE.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

#define IMPORT_USAGE "import google-authenticator USER FILE [--skip-bad] [--force] | " \
	"import oath FILE [--skip-bad] [--force]"
#define JSON_ERRORS_MAX 1000

struct imp {
	struct cli *g;
	char file[512];          /* escaped, for messages */
	int skip_bad;
	int force;               /* import users the system does not know */
	unsigned long imported, users, recovery, bad;
	unsigned long unknown;   /* of the bad lines: users the system does not know */
	json_object *out;        /* --json */
	json_object *errors;
	json_object *notes;
	int progress;
	off_t size;
	struct timespec last;
};

static void bad_line(unsigned line, const char *reason, void *arg)
{
	struct imp *im = arg;
	json_object *o;

	im->bad++;
	(void)fflush(stdout);
	(void)fprintf(stderr, "tfa-admin: %s:%u: %s\n", im->file, line, reason);
	if (im->errors == NULL || im->bad > JSON_ERRORS_MAX)
		return;
	o = json_object_new_object();
	if (o == NULL || json_object_array_add(im->errors, o) != 0) {
		json_object_put(o);
		return;
	}
	cli_jint(o, "line", line);
	cli_jstr(o, "reason", reason);
}

static void note(struct imp *im, const char *text)
{
	if (im->notes != NULL)
		(void)json_object_array_add(im->notes, json_object_new_string(text));
	else
		(void)printf("note: %s\n", text);
}

static void progress(struct imp *im, FILE *fp, int done)
{
	struct timespec now;
	double dt;
	off_t at;

	if (!im->progress)
		return;
	if (done) {
		(void)fputs("\r\033[K", stderr);
		return;
	}
	(void)clock_gettime(CLOCK_MONOTONIC, &now);
	dt = (double)(now.tv_sec - im->last.tv_sec) + (now.tv_nsec - im->last.tv_nsec) / 1e9;
	if (dt < 0.2)
		return;
	im->last = now;
	at = ftello(fp);
	if (im->size > 0 && at >= 0)
		(void)fprintf(stderr, "\rimporting: %3d%% (%lu tokens)",
			      (int)(at * 100 / im->size), im->imported);
	else
		(void)fprintf(stderr, "\rimporting: %lu tokens", im->imported);
}

static int open_file(struct imp *im, const char *path, FILE **fp)
{
	struct stat sb;

	*fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	if (*fp == NULL)
		return cli_fail(im->g, CLI_STORE, "cannot read %s: %s", im->file, strerror(errno));
	if (fstat(fileno(*fp), &sb) == 0 && S_ISREG(sb.st_mode))
		im->size = sb.st_size;
	else if (*fp != stdin && fstat(fileno(*fp), &sb) == 0 && S_ISDIR(sb.st_mode)) {
		(void)fclose(*fp);
		*fp = NULL;
		return cli_fail(im->g, CLI_STORE, "cannot read %s: is a directory", im->file);
	}
	return CLI_OK;
}

static void close_file(FILE *fp)
{
	if (fp != NULL && fp != stdin)
		(void)fclose(fp);
}

/* the store failed mid-way: message, and the import is rolled back */
static int store_failed(struct imp *im, tfa_rc rc, const tfa_err *err)
{
	return cli_fail(im->g, CLI_STORE, "%s (nothing imported)",
			tfa_err_text(err, rc));
}

static int refuse(struct imp *im)
{
	if (im->unknown > 0 && im->unknown == im->bad)
		return cli_fail(im->g, CLI_NOENT, "%lu line%s in %s name%s a user the system does"
				" not know; nothing imported (check the names; --force imports"
				" them as given, --skip-bad skips them)", im->bad,
				im->bad == 1 ? "" : "s", im->file, im->bad == 1 ? "s" : "");
	return cli_fail(im->g, CLI_USAGE, "bad input: %lu bad line%s in %s; nothing imported"
			" (--skip-bad imports the good lines)", im->bad, im->bad == 1 ? "" : "s",
			im->file);
}

/* The canonical name of the user of an oath line, into tok->user: 1 to
 * import the line, 0 for a user the system does not know (a bad line,
 * unless --force), -1 on a lookup error (the import stops: exit 4). */
static int oath_user(struct imp *im, unsigned line, tfa_token *tok, int *rc)
{
	char canon[TFA_USER_MAX + 1], esc[4 * TFA_USER_MAX + 1], why[TFA_ERRMSG_MAX];
	tfa_err err = { .msg = "" };
	int known = 0;
	tfa_rc lrc;

	lrc = tfa_user_resolve(tok->user, canon, sizeof(canon), &known, &err);
	if (lrc != TFA_OK) {
		*rc = cli_fail(im->g, lrc == TFA_ELOOKUP ? CLI_STORE : cli_exit_code(lrc),
			       "%s:%u: %s (nothing imported)", im->file, line, err.msg);
		return -1;
	}
	if (!known && !im->force) {
		(void)snprintf(why, sizeof(why), "no such user \"%s\" on this system",
			       cli_esc(tok->user, esc, sizeof(esc)));
		bad_line(line, why, im);
		im->unknown++;
		return 0;
	}
	(void)snprintf(tok->user, sizeof(tok->user), "%s", canon);
	return 1;
}

static int import_oath(struct imp *im, tfa_ctx *ctx, FILE *fp)
{
	tfa_import *imp = NULL;
	tfa_err err = { .msg = "" };
	char *buf = NULL, why[160];
	size_t cap = 0;
	ssize_t n;
	unsigned line = 0;
	tfa_token tok;
	int r, rc = CLI_OK;
	tfa_rc lrc;

	memset(&tok, 0, sizeof(tok));
	lrc = tfa_import_begin(ctx, "oath", &imp, &err);
	if (lrc != TFA_OK)
		return store_failed(im, lrc, &err);
	while ((n = getline(&buf, &cap, fp)) >= 0) {
		line++;
		if (strlen(buf) != (size_t)n) {
			r = -1;
			(void)snprintf(why, sizeof(why), "NUL byte in line");
		} else {
			r = tfa_import_oath(imp, buf, &tok, why, sizeof(why));
		}
		tfa_wipe(buf, (size_t)n);
		if (r < 0)
			bad_line(line, why, im);
		if (r > 0 && (r = oath_user(im, line, &tok, &rc)) < 0) {
			tfa_wipe(&tok, sizeof(tok));
			goto out;
		}
		if (r <= 0 || (im->bad > 0 && !im->skip_bad)) {
			tfa_wipe(&tok, sizeof(tok));
			continue;       /* after a bad line, only validate */
		}
		lrc = tfa_import_token(imp, &tok, &err);
		tfa_wipe(&tok, sizeof(tok));
		if (lrc == TFA_EINVAL || lrc == TFA_EEXIST) {
			bad_line(line, err.msg, im);   /* a duplicate secret is a bad line */
			continue;
		}
		if (lrc != TFA_OK) {
			rc = store_failed(im, lrc, &err);
			goto out;
		}
		im->imported++;
		progress(im, fp, 0);
	}
	progress(im, fp, 1);
	if (ferror(fp)) {
		rc = cli_fail(im->g, CLI_STORE, "cannot read %s: %s (nothing imported)", im->file,
			      strerror(errno));
		goto out;
	}
	if (im->bad > 0 && !im->skip_bad) {
		im->imported = 0;
		rc = refuse(im);
		goto out;
	}
	lrc = tfa_import_commit(imp, &im->users, &err);
	imp = NULL;
	if (lrc != TFA_OK)
		rc = store_failed(im, lrc, &err);
out:
	tfa_import_abort(imp);
	if (buf != NULL)
		tfa_wipe(buf, cap);
	free(buf);
	return rc;
}

static void ga_notes(struct imp *im, const tfa_import_ga *ga)
{
	char text[256];

	if (ga->window_size > 0) {
		(void)snprintf(text, sizeof(text), "WINDOW_SIZE %d not imported: the window is"
			       " policy for everyone (about \"policy set window %d\")",
			       ga->window_size, (ga->window_size - 1) / 2);
		note(im, text);
	}
	if (ga->rate_limit)
		note(im, "RATE_LIMIT not imported: failures lock users out per the policy keys"
		     " max_failures and lockout_seconds");
	if (!ga->disallow_reuse)
		note(im, "codes can no longer be reused: a used code is always refused");
}

static int import_ga(struct imp *im, tfa_ctx *ctx, const char *user, FILE *fp)
{
	tfa_import_ga *ga = NULL;
	tfa_err err = { .msg = "" };
	char *text = NULL;
	size_t len;
	int rc = CLI_OK;
	tfa_rc lrc;

	text = malloc(TFA_IMPORT_GA_MAX_FILE + 1);
	ga = calloc(1, sizeof(*ga));
	if (text == NULL || ga == NULL) {
		rc = cli_fail(im->g, CLI_STORE, "out of memory");
		goto out;
	}
	len = fread(text, 1, TFA_IMPORT_GA_MAX_FILE + 1, fp);
	if (ferror(fp)) {
		rc = cli_fail(im->g, CLI_STORE, "cannot read %s: %s", im->file, strerror(errno));
		goto out;
	}
	if (len > TFA_IMPORT_GA_MAX_FILE) {
		rc = cli_fail(im->g, CLI_USAGE, "bad input: %s is larger than 64 KiB: not a"
			      " google-authenticator file", im->file);
		goto out;
	}
	lrc = tfa_import_ga_parse(text, len, user, ga, bad_line, im);
	if (lrc != TFA_OK || (im->bad > 0 && !im->skip_bad)) {
		rc = refuse(im);
		goto out;
	}
	/* the token and its scratch codes in one transaction */
	lrc = tfa_import_ga_store(ctx, ga, &err);
	if (lrc == TFA_EEXIST) {
		rc = cli_fail(im->g, CLI_USAGE, "%s; nothing imported", err.msg);
		goto out;
	}
	if (lrc != TFA_OK) {
		rc = store_failed(im, lrc, &err);
		goto out;
	}
	im->imported = 1;
	im->users = 1;
	im->recovery = ga->nscratch;
	ga_notes(im, ga);
out:
	if (ga != NULL)
		tfa_import_ga_clear(ga);
	free(ga);
	if (text != NULL)
		tfa_wipe(text, TFA_IMPORT_GA_MAX_FILE + 1);
	free(text);
	return rc;
}

static int report(struct imp *im, int rc)
{
	struct cli *g = im->g;
	unsigned long skipped = rc == CLI_OK ? im->bad : 0;

	if (im->out == NULL) {
		if (rc == CLI_OK)
			(void)printf("imported %lu token%s for %lu user%s (%lu recovery code%s),"
				     " skipped %lu bad line%s\n",
				     im->imported, im->imported == 1 ? "" : "s",
				     im->users, im->users == 1 ? "" : "s",
				     im->recovery, im->recovery == 1 ? "" : "s",
				     skipped, skipped == 1 ? "" : "s");
		return rc;
	}
	if (rc != CLI_OK && im->bad == 0)
		return rc;      /* store or file error: the plain JSON error object */
	cli_jint(im->out, "imported", (int64_t)(rc == CLI_OK ? im->imported : 0));
	cli_jint(im->out, "users", (int64_t)(rc == CLI_OK ? im->users : 0));
	cli_jint(im->out, "recovery_codes", (int64_t)im->recovery);
	cli_jint(im->out, "skipped", (int64_t)skipped);
	cli_jint(im->out, "bad_lines", (int64_t)im->bad);
	(void)json_object_object_add(im->out, "errors", im->errors);
	im->errors = NULL;
	(void)json_object_object_add(im->out, "notes", im->notes);
	im->notes = NULL;
	if (rc != CLI_OK) {
		cli_jstr(im->out, "error", g->errmsg);
		cli_jint(im->out, "exit", rc);
	}
	if (cli_json_emit(g, im->out) != CLI_OK && rc == CLI_OK)
		rc = CLI_STORE;
	im->out = NULL;
	return rc;
}

int cmd_import(struct cli *g, int argc, char **argv)
{
	static const struct cli_opt opts[] = {
		{ "skip-bad", 0, CLI_FLAG, offsetof(struct imp, skip_bad), NULL },
		{ "force", 0, CLI_FLAG, offsetof(struct imp, force), NULL },
		CLI_OPT_END,
	};
	static const struct cli_cmd cmd = { IMPORT_USAGE, opts, 1, CLI_ANY, 0 };
	struct cli_pos pos;
	struct imp im;
	tfa_ctx *ctx = NULL;
	FILE *fp = NULL;
	const char *kind, *user = NULL, *path;
	char esc[64], canon[TFA_USER_MAX + 1];
	int ga, rc;

	memset(&im, 0, sizeof(im));
	im.g = g;
	rc = cli_parse(g, &cmd, argc, argv, &im, &pos);
	if (rc != CLI_OK)
		return rc < 0 ? CLI_OK : rc;
	kind = pos.v[0];
	ga = strcmp(kind, "google-authenticator") == 0;
	if (!ga && strcmp(kind, "oath") != 0) {
		(void)cli_fail(g, CLI_USAGE, "import \"%s\": use google-authenticator or oath",
			       cli_esc(kind, esc, sizeof(esc)));
		return cli_usage(g, IMPORT_USAGE);
	}
	if (pos.n != (ga ? 3 : 2))
		return cli_usage(g, IMPORT_USAGE);
	if (ga) {
		/* as enroll: the canonical name, a user the system knows (or --force) */
		rc = cli_resolve(g, pos.v[1], 1, im.force, canon, NULL);
		if (rc != CLI_OK)
			return rc;
		user = canon;
	}
	path = pos.v[pos.n - 1];
	(void)cli_esc(path, im.file, sizeof(im.file));
	rc = open_file(&im, path, &fp);
	if (rc != CLI_OK)
		return rc;
	im.progress = !g->json && isatty(STDERR_FILENO);
	(void)clock_gettime(CLOCK_MONOTONIC, &im.last);
	if (g->json) {
		im.out = json_object_new_object();
		im.errors = json_object_new_array();
		im.notes = json_object_new_array();
		if (im.out == NULL || im.errors == NULL || im.notes == NULL) {
			rc = cli_fail(g, CLI_STORE, "out of memory");
			goto out;
		}
	}
	rc = cli_open(g, 0, &ctx);
	if (rc != CLI_OK)
		goto out;
	rc = ga ? import_ga(&im, ctx, user, fp) : import_oath(&im, ctx, fp);
	rc = report(&im, rc);
out:
	json_object_put(im.out);
	json_object_put(im.errors);
	json_object_put(im.notes);
	tfa_ctx_close(ctx);
	close_file(fp);
	return rc;
}
