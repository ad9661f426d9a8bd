/* SPDX-License-Identifier: BSD-2-Clause */
/* cmd_token.c - tfa-admin token: hardware token cards.
 *
 *   token import --pskc FILE | --csv FILE [--skip-bad]
 *   token list
 *   token assign SERIAL USER
 *   token unassign SERIAL
 *   token resync USER CODE1 CODE2
 *
 * Import checks the whole file first: each bad entry is reported as
 * "FILE: key package N (serial S): reason" (PSKC) or "FILE:LINE: reason"
 * (CSV) - never a secret - and one bad entry refuses the import (exit 2)
 * unless --skip-bad; a serial the store already holds refuses it too.
 * Nothing is half-imported: the cards go in with one transaction.
 * Exit: 0 ok, 1 resync codes not found, 2 usage or bad input (also: card
 * already assigned), 3 no such card/user token, 4 store, key or file error.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "card.h"
#include "cli.h"

#define TOKEN_USAGE "token import --pskc FILE | --csv FILE [--skip-bad] | token list | " \
	"token assign SERIAL USER [--force] | token unassign SERIAL | token resync USER CODE1 CODE2"
#define CARD_FILE_MAX (64L * 1024 * 1024)
#define JSON_ERRORS_MAX 1000

/* token's options */
struct token_args {
	const char *pskc, *csv;
	int skip_bad, force;
};

struct card_imp {
	struct cli *g;
	char file[512];      /* escaped */
	int pskc;
	size_t bad;
	json_object *errors;
	const size_t *pos;   /* each parsed card's position in the file */
};

static void problem(size_t pos, const char *serial, const char *why, void *arg)
{
	struct card_imp *im = arg;
	char esc[128];
	json_object *o;

	im->bad++;
	(void)fflush(stdout);
	cli_esc(serial, esc, sizeof(esc));
	if (im->pskc)
		(void)fprintf(stderr, "tfa-admin: %s: key package %zu%s%s%s: %s\n", im->file, pos,
			      *serial ? " (serial " : "", esc, *serial ? ")" : "", why);
	else
		(void)fprintf(stderr, "tfa-admin: %s:%zu: %s\n", im->file, pos, why);
	if (im->errors == NULL || im->bad > JSON_ERRORS_MAX)
		return;
	o = json_object_new_object();
	if (o == NULL || json_object_array_add(im->errors, o) != 0) {
		json_object_put(o);
		return;
	}
	cli_jint(o, im->pskc ? "position" : "line", (int64_t)pos);
	cli_jstr(o, "serial", serial);
	cli_jstr(o, "reason", why);
}

static void duplicate(size_t idx, const char *serial, void *arg)
{
	struct card_imp *im = arg;

	problem(im->pos != NULL ? im->pos[idx] : 0, serial, "serial already in the store", arg);
}

/* Read all of @path (at most CARD_FILE_MAX) into a new NUL-terminated *@buf. */
static int slurp(struct card_imp *im, const char *path, char **buf, size_t *len)
{
	struct stat sb;
	size_t cap, n = 0;
	ssize_t r;
	int fd, rc = CLI_OK;

	*buf = NULL;
	fd = strcmp(path, "-") == 0 ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return cli_fail(im->g, CLI_STORE, "cannot read %s: %s", im->file, strerror(errno));
	if (fstat(fd, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		rc = cli_fail(im->g, CLI_STORE, "cannot read %s: is a directory", im->file);
		goto out;
	}
	cap = S_ISREG(sb.st_mode) && sb.st_size > 0 && sb.st_size <= CARD_FILE_MAX ?
	      (size_t)sb.st_size + 1 : 65536;
	*buf = malloc(cap);
	while (*buf != NULL) {
		if (n + 1 >= cap) {
			char *grown = cap >= (size_t)CARD_FILE_MAX ? NULL : realloc(*buf, cap * 2);

			if (grown == NULL) {
				rc = cli_fail(im->g, CLI_USAGE, "%s: too large (more than %ld MB)",
					      im->file, CARD_FILE_MAX / 1024 / 1024);
				goto out;
			}
			*buf = grown;
			cap *= 2;
		}
		r = read(fd, *buf + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = cli_fail(im->g, CLI_STORE, "cannot read %s: %s", im->file, strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (*buf == NULL) {
		rc = cli_fail(im->g, CLI_STORE, "out of memory reading %s", im->file);
		goto out;
	}
	(*buf)[n] = '\0';
	*len = n;
out:
	if (fd != STDIN_FILENO)
		(void)close(fd);
	if (rc != CLI_OK && *buf != NULL) {
		tfa_wipe(*buf, n);
		free(*buf);
		*buf = NULL;
	}
	return rc;
}

static int import_cards(struct cli *g, const char *path, int pskc, int skip_bad)
{
	struct card_imp im;
	tfa_ctx *ctx = NULL;
	tfa_card_set cards;
	tfa_err err = { .msg = "" };
	json_object *o = NULL;
	size_t n = 0, len = 0, bad = 0, i, hotp = 0;
	char *buf = NULL;
	int rc;
	tfa_rc lrc;

	memset(&im, 0, sizeof(im));
	memset(&cards, 0, sizeof(cards));
	im.g = g;
	im.pskc = pskc;
	cli_esc(path, im.file, sizeof(im.file));
	if (g->json)
		im.errors = json_object_new_array();
	rc = slurp(&im, path, &buf, &len);
	if (rc != CLI_OK)
		goto out;
	lrc = pskc ? tfa_cards_parse_pskc(buf, len, &cards, &bad, problem, &im, &err) :
		     tfa_cards_parse_csv(buf, len, &cards, &bad, problem, &im, &err);
	im.pos = cards.pos;
	n = cards.n;
	if (lrc != TFA_OK) {
		rc = cli_fail(g, lrc == TFA_EINVAL ? CLI_USAGE : CLI_STORE, "%s: %s; nothing imported",
			      im.file, tfa_err_text(&err, lrc));
		goto out;
	}
	if (bad > 0 && !skip_bad) {
		rc = cli_fail(g, CLI_USAGE, "bad input: %zu bad entr%s in %s; nothing imported"
			      " (--skip-bad imports the good ones)", bad, bad == 1 ? "y" : "ies",
			      im.file);
		goto out;
	}
	if (n == 0) {
		rc = cli_fail(g, CLI_USAGE, "%s holds no token card; nothing imported", im.file);
		goto out;
	}
	rc = cli_open(g, 0, &ctx);
	if (rc != CLI_OK)
		goto out;
	im.bad = 0;
	lrc = tfa_cards_add(ctx, &cards, pskc ? "pskc" : "csv", duplicate, &im, &err);
	if (lrc != TFA_OK) {
		rc = cli_fail(g, lrc == TFA_EEXIST ? CLI_USAGE : CLI_STORE, "%s",
			      tfa_err_text(&err, lrc));
		goto out;
	}
	for (i = 0; i < n; i++)
		hotp += cards.toks[i].type == TFA_TOKEN_HOTP;
	if (g->json) {
		o = json_object_new_object();
		if (o != NULL) {
			cli_jint(o, "imported", (int64_t)n);
			cli_jint(o, "hotp", (int64_t)hotp);
			cli_jint(o, "totp", (int64_t)(n - hotp));
			cli_jint(o, "skipped", (int64_t)bad);
			(void)json_object_object_add(o, "errors", im.errors);
			im.errors = NULL;
		}
		rc = cli_json_emit(g, o);
		goto out;
	}
	(void)printf("imported %zu token card%s (%zu hotp, %zu totp) into stock%s%zu bad entr%s"
		     " skipped\n", n, n == 1 ? "" : "s", hotp, n - hotp, bad ? "; " : "; ", bad,
		     bad == 1 ? "y" : "ies");
out:
	if (im.errors != NULL && rc != CLI_OK && g->json && !g->json_done) {
		/* the error object carries the entries that were bad */
		o = json_object_new_object();
		if (o != NULL) {
			cli_jstr(o, "error", g->errmsg);
			cli_jint(o, "exit", rc);
			(void)json_object_object_add(o, "errors", im.errors);
			im.errors = NULL;
			(void)cli_json_emit(g, o);
		}
	}
	json_object_put(im.errors);
	tfa_card_set_free(&cards);
	if (buf != NULL) {
		tfa_wipe(buf, len);
		free(buf);
	}
	tfa_ctx_close(ctx);
	return rc;
}

static const char *state_name(tfa_token_state s)
{
	switch (s) {
	case TFA_STATE_PENDING: return "pending";
	case TFA_STATE_ACTIVE: return "active";
	case TFA_STATE_REVOKED: return "revoked";
	case TFA_STATE_UNASSIGNED: return "unassigned";
	}
	return "unknown";
}

static json_object *card_json(const tfa_token *t)
{
	json_object *o = json_object_new_object();

	if (o == NULL)
		return NULL;
	cli_jstr(o, "serial", t->serial);
	cli_jstr(o, "type", otp_type_name(t->type));
	cli_jint(o, "digits", t->digits);
	cli_jstr(o, "algorithm", otp_alg_name(t->alg));
	if (t->type == TFA_TOKEN_TOTP) {
		cli_jint(o, "period", t->period);
		cli_jint(o, "drift", t->drift);
	} else {
		(void)json_object_object_add(o, "counter", json_object_new_uint64(t->counter));
	}
	if (t->user[0] != '\0')
		cli_jstr(o, "user", t->user);
	else
		(void)json_object_object_add(o, "user", NULL);
	cli_jstr(o, "state", state_name(t->state));
	cli_jtime(o, "last_used", t->last_used);
	return o;
}

struct listing {
	json_object *arr;
	size_t n;
};

static int list_cb(const tfa_token *t, void *arg)
{
	struct listing *l = arg;
	char when[32], esc[160];

	l->n++;
	if (l->arr != NULL) {
		json_object *o = card_json(t);

		if (o == NULL || json_object_array_add(l->arr, o) != 0) {
			json_object_put(o);
			return 1;
		}
		return 0;
	}
	if (l->n == 1)
		(void)printf("%-20s %-5s %-6s %-6s %-12s %-11s %-20s %s\n", "SERIAL", "TYPE",
			     "DIGITS", "ALG", "COUNTER/STEP", "STATE", "USER", "LAST USE");
	(void)printf("%-20s %-5s %-6u %-6s ", cli_esc(t->serial, esc, sizeof(esc)),
		     otp_type_name(t->type), t->digits, otp_alg_name(t->alg));
	if (t->type == TFA_TOKEN_TOTP)
		(void)printf("%-12s ", t->period == 30 ? "30s" : "custom");
	else
		(void)printf("%-12llu ", (unsigned long long)t->counter);
	(void)printf("%-11s %-20s %s\n", state_name(t->state),
		     t->user[0] != '\0' ? cli_esc(t->user, esc, sizeof(esc)) : "-",
		     cli_time(t->last_used, when, sizeof(when)));
	return 0;
}

static int list_cards(struct cli *g)
{
	struct listing l = { NULL, 0 };
	tfa_ctx *ctx = NULL;
	tfa_err err = { .msg = "" };
	json_object *o = NULL;
	tfa_rc lrc;
	int rc;

	rc = cli_open(g, TFA_OPEN_READONLY, &ctx);
	if (rc != CLI_OK)
		return rc;
	if (g->json)
		l.arr = json_object_new_array();
	lrc = tfa_cards_each(ctx, list_cb, &l, &err);
	if (lrc != TFA_OK) {
		rc = cli_fail(g, cli_exit_code(lrc), "%s", err.msg);
		goto out;
	}
	if (g->json) {
		o = json_object_new_object();
		if (o != NULL) {
			(void)json_object_object_add(o, "tokens", l.arr);
			l.arr = NULL;
		}
		rc = cli_json_emit(g, o);
	} else if (l.n == 0) {
		(void)printf("no token cards (tfa-admin token import --pskc FILE | --csv FILE)\n");
	}
out:
	json_object_put(l.arr);
	tfa_ctx_close(ctx);
	return rc;
}

static int assign(struct cli *g, const char *serial, const char *given, int take, int force)
{
	tfa_ctx *ctx = NULL;
	tfa_token t;
	tfa_err err = { .msg = "" };
	char esc[4 * TFA_USER_MAX + 1], user[TFA_USER_MAX + 1] = "";
	tfa_rc lrc;
	int rc;

	if (!tfa_serial_valid(serial))
		return cli_fail(g, CLI_USAGE, "\"%s\" is not a token serial",
				cli_esc(serial, esc, sizeof(esc)));
	/* the canonical name; a user the system does not know only with --force */
	if (!take && (rc = cli_resolve(g, given, 1, force, user, NULL)) != CLI_OK)
		return rc;
	rc = cli_open(g, 0, &ctx);
	if (rc != CLI_OK)
		return rc;
	lrc = take ? tfa_card_unassign(ctx, serial, &t, &err) :
		     tfa_card_assign(ctx, serial, user, &t, &err);
	if (lrc != TFA_OK) {
		rc = cli_fail(g, lrc == TFA_EEXIST ? CLI_USAGE : cli_exit_code(lrc), "%s", err.msg);
		goto out;
	}
	if (g->json) {
		json_object *o;

		if (take) {
			/* the card as it is now: in stock; who had it */
			char prev[TFA_USER_MAX + 1];

			(void)snprintf(prev, sizeof(prev), "%s", t.user);
			t.user[0] = '\0';
			t.state = TFA_STATE_UNASSIGNED;
			o = card_json(&t);
			if (o != NULL)
				cli_jstr(o, "previous_user", prev);
		} else {
			o = card_json(&t);
		}
		rc = cli_json_emit(g, o);
	} else if (take)
		(void)printf("token card %s taken from %s, back in stock\n", serial,
			     cli_esc(t.user, esc, sizeof(esc)));
	else
		(void)printf("token card %s (%s) assigned to %s, active\n", serial,
			     otp_type_name(t.type), cli_esc(user, esc, sizeof(esc)));
out:
	tfa_ctx_close(ctx);
	return rc;
}

static int resync(struct cli *g, const char *given, const char *c1, const char *c2)
{
	tfa_ctx *ctx = NULL;
	tfa_resync_result res;
	tfa_err err = { .msg = "" };
	json_object *o;
	char in1[64] = "", in2[64] = "", user[TFA_USER_MAX + 1], disp[4 * TFA_USER_MAX + 1];
	tfa_rc lrc;
	int rc;

	rc = cli_resolve(g, given, 0, 0, user, NULL);
	if (rc != CLI_OK)
		return rc;
	(void)cli_esc(user, disp, sizeof(disp));
	/* "-": the codes from standard input, one a line (keeps them out of ps) */
	if (strcmp(c1, "-") == 0 || strcmp(c2, "-") == 0) {
		if ((strcmp(c1, "-") == 0 && cli_read_code(in1, sizeof(in1)) != 0) ||
		    (strcmp(c2, "-") == 0 && cli_read_code(in2, sizeof(in2)) != 0))
			return cli_fail(g, CLI_USAGE, "resync %s: no code on standard input", disp);
		if (strcmp(c1, "-") == 0)
			c1 = in1;
		if (strcmp(c2, "-") == 0)
			c2 = in2;
	}
	rc = cli_open(g, 0, &ctx);
	if (rc != CLI_OK)
		return rc;
	lrc = tfa_resync(ctx, user, c1, c2, (int64_t)time(NULL), &res, &err);
	if (lrc != TFA_OK) {
		rc = cli_fail(g, cli_exit_code(lrc), "resync %s: %s", disp, err.msg);
		goto out;
	}
	if (g->json) {
		o = json_object_new_object();
		if (o != NULL) {
			cli_jstr(o, "user", user);
			cli_jint(o, "token", res.token_id);
			cli_jstr(o, "type", otp_type_name(res.type));
			if (res.type == TFA_TOKEN_HOTP)
				(void)json_object_object_add(o, "counter",
							     json_object_new_uint64(res.counter));
			else
				cli_jint(o, "drift", res.drift);
		}
		rc = cli_json_emit(g, o);
	} else if (res.type == TFA_TOKEN_HOTP) {
		(void)printf("%s: token %lld resynchronised, next counter %llu\n", disp,
			     (long long)res.token_id, (unsigned long long)res.counter);
	} else {
		(void)printf("%s: token %lld resynchronised, clock drift %lld step%s\n", disp,
			     (long long)res.token_id, (long long)res.drift,
			     res.drift == 1 || res.drift == -1 ? "" : "s");
	}
out:
	tfa_wipe(in1, sizeof(in1));
	tfa_wipe(in2, sizeof(in2));
	tfa_ctx_close(ctx);
	return rc;
}

int cmd_token(struct cli *g, int argc, char **argv)
{
	static const struct cli_opt opts[] = {
		{ "pskc", 0, CLI_STR, offsetof(struct token_args, pskc), NULL },
		{ "csv", 0, CLI_STR, offsetof(struct token_args, csv), NULL },
		{ "skip-bad", 0, CLI_FLAG, offsetof(struct token_args, skip_bad), NULL },
		{ "force", 0, CLI_FLAG, offsetof(struct token_args, force), NULL },
		CLI_OPT_END,
	};
	static const struct cli_cmd cmd = { TOKEN_USAGE, opts, 1, CLI_ANY, 0 };
	struct token_args a = { NULL, NULL, 0, 0 };
	struct cli_pos pos;
	const char *sub;
	int n, rc;

	rc = cli_parse(g, &cmd, argc, argv, &a, &pos);
	if (rc != CLI_OK)
		return rc < 0 ? CLI_OK : rc;
	n = pos.n;
	sub = pos.v[0];
	if (strcmp(sub, "import") == 0) {
		if (n != 1 || (a.pskc == NULL) == (a.csv == NULL) || a.force)
			return cli_usage(g, TOKEN_USAGE);
		return import_cards(g, a.pskc != NULL ? a.pskc : a.csv, a.pskc != NULL,
				    a.skip_bad);
	}
	if (a.pskc != NULL || a.csv != NULL || a.skip_bad ||
	    (a.force && strcmp(sub, "assign") != 0))
		return cli_usage(g, TOKEN_USAGE);
	if (strcmp(sub, "list") == 0 && n == 1)
		return list_cards(g);
	if (strcmp(sub, "assign") == 0 && n == 3)
		return assign(g, pos.v[1], pos.v[2], 0, a.force);
	if (strcmp(sub, "unassign") == 0 && n == 2)
		return assign(g, pos.v[1], NULL, 1, 0);
	if (strcmp(sub, "resync") == 0 && n == 4)
		return resync(g, pos.v[1], pos.v[2], pos.v[3]);
	return cli_usage(g, TOKEN_USAGE);
}
