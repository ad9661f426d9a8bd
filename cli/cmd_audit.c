/* SPDX-License-Identifier: BSD-2-Clause */
/* cmd_audit.c - tfa-admin audit [--user USER] [--since TIME] | --prune.
 *
 * --prune applies the retention policy (audit_keep_days): the rows older
 * than that many days go, in one transaction with a row of its own
 * ("audit_pruned", how many); audit_keep_days=0 keeps everything. JSON:
 * {"pruned": N, "keep_days": K, "cutoff": TIME or null}.
 *
 * The trail, oldest first: time (ISO 8601, UTC), user, event, detail.
 * TIME is one of
 *   unix seconds                 1700000000
 *   a UTC date                   2024-05-01          (midnight UTC)
 *   a UTC date and time          "2024-05-01 13:00:00" or 2024-05-01T13:00:00Z
 *   an age: N followed by s, m, h, d or w (seconds ... weeks ago)   30m, 2d
 * JSON: {"events": [{"id", "time", "unix", "user", "event", "detail"}]}.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"

#define AUDIT_USAGE "audit [--user USER] [--since TIME] | audit --prune   (TIME: unix " \
	"seconds, YYYY-MM-DD, \"YYYY-MM-DD HH:MM:SS\" UTC, or an age like 30m, 12h, 2d, 1w)"

/* Parse @s as described above into *@t; 0 ok, -1 bad. */
static int parse_since(const char *s, int64_t now, int64_t *t)
{
	unsigned long v, mult;
	struct tm tm, chk;
	const char *rest;
	char unit;
	size_t len = strlen(s);
	time_t tt;

	if (len == 0)
		return -1;
	if (strspn(s, "0123456789") == len)
		return cli_parse_uint(s, 0, 0xffffffffffUL, &v) == 0 ? (*t = (int64_t)v, 0) : -1;
	unit = s[len - 1];
	if (strspn(s, "0123456789") == len - 1 && strchr("smhdw", unit) != NULL) {
		char num[24];

		if (len - 1 >= sizeof(num))
			return -1;
		memcpy(num, s, len - 1);
		num[len - 1] = '\0';
		mult = unit == 's' ? 1 : unit == 'm' ? 60 : unit == 'h' ? 3600 :
		       unit == 'd' ? 86400 : 604800;
		if (cli_parse_uint(num, 0, 100UL * 366 * 86400 / mult, &v) != 0)
			return -1;
		*t = now - (int64_t)(v * mult);
		return 0;
	}
	memset(&tm, 0, sizeof(tm));
	if (len < 10 || !isdigit((unsigned char)s[0]))
		return -1;
	rest = strptime(s, "%Y-%m-%d", &tm);
	if (rest == NULL)
		return -1;
	if (*rest == ' ' || *rest == 'T') {
		rest = strptime(rest + 1, "%H:%M:%S", &tm);
		if (rest == NULL)
			return -1;
		if (*rest == 'Z')
			rest++;
	}
	if (*rest != '\0')
		return -1;
	chk = tm;
	tt = timegm(&tm);
	if (tt == (time_t)-1 || tm.tm_mday != chk.tm_mday || tm.tm_mon != chk.tm_mon ||
	    tm.tm_hour != chk.tm_hour)
		return -1;
	*t = (int64_t)tt;
	return 0;
}

/* Control characters would reach the terminal: show them as '?'. */
static const char *printable(const char *in, char *buf, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len && in[i] != '\0'; i++)
		buf[i] = ((unsigned char)in[i] < 0x20 || in[i] == 0x7f) ? '?' : in[i];
	buf[i] = '\0';
	return buf;
}

struct audit_out {
	json_object *arr;
	int oom;
};

static int audit_row(const tfa_audit_rec *r, void *arg)
{
	struct audit_out *ao = arg;
	char when[32], u[4 * TFA_USER_MAX + 1], d[sizeof(r->detail)];
	json_object *o;

	if (ao->arr == NULL) {
		(void)printf("%-20s  %-12s  %-14s  %s\n", cli_time(r->time, when, sizeof(when)),
			     r->user[0] != '\0' ? cli_esc(r->user, u, sizeof(u)) : "-",
			     r->event, printable(r->detail, d, sizeof(d)));
		return 0;
	}
	o = json_object_new_object();
	if (o == NULL || json_object_array_add(ao->arr, o) != 0) {
		json_object_put(o);
		ao->oom = 1;
		return 1;
	}
	cli_jint(o, "id", r->id);
	cli_jstr(o, "time", cli_time(r->time, when, sizeof(when)));
	cli_jint(o, "unix", r->time);
	if (r->user[0] != '\0')
		cli_jstr(o, "user", r->user);
	else
		(void)json_object_object_add(o, "user", NULL);
	cli_jstr(o, "event", r->event);
	cli_jstr(o, "detail", r->detail);
	return 0;
}

/* tfa-admin audit --prune */
static int audit_prune(struct cli *g)
{
	tfa_err err = { .msg = "" };
	tfa_ctx *ctx = NULL;
	json_object *o = NULL;
	unsigned pruned = 0, keep;
	int64_t cutoff = 0;
	char when[32];
	tfa_rc lrc;
	int rc;

	rc = cli_open(g, 0, &ctx);
	if (rc != CLI_OK)
		goto out;
	keep = tfa_ctx_policy(ctx)->audit_keep_days;
	lrc = tfa_audit_prune(ctx, keep, (int64_t)time(NULL), &pruned, &cutoff, &err);
	if (lrc != TFA_OK) {
		rc = cli_fail(g, cli_exit_code(lrc), "pruning the audit trail: %s",
			      tfa_err_text(&err, lrc));
		goto out;
	}
	if (g->json) {
		o = json_object_new_object();
		if (o == NULL) {
			rc = cli_fail(g, CLI_STORE, "out of memory");
			goto out;
		}
		cli_jint(o, "pruned", pruned);
		cli_jint(o, "keep_days", keep);
		cli_jtime(o, "cutoff", cutoff);
		rc = cli_json_emit(g, o);
		o = NULL;
	} else if (keep == 0) {
		(void)printf("audit_keep_days is 0: the audit trail is kept whole, nothing pruned\n");
	} else {
		(void)printf("pruned %u audit rows older than %s (audit_keep_days=%u)\n", pruned,
			     cli_time(cutoff, when, sizeof(when)), keep);
	}
out:
	json_object_put(o);
	tfa_ctx_close(ctx);
	return rc;
}

/* audit's options */
struct audit_args {
	const char *user;       /* --user: the canonical name, as logins write it */
	char canon[TFA_USER_MAX + 1];
	int64_t since;
	int prune;
	int filtered;           /* --user or --since given */
};

static int opt_user(struct cli *g, const char *arg, void *args)
{
	struct audit_args *a = args;
	int rc = cli_resolve(g, arg, 0, 0, a->canon, NULL);

	if (rc != CLI_OK)
		return rc;
	a->user = a->canon;
	a->filtered = 1;
	return CLI_OK;
}

static int opt_since(struct cli *g, const char *arg, void *args)
{
	struct audit_args *a = args;
	char esc[128];

	if (parse_since(arg, (int64_t)time(NULL), &a->since) != 0) {
		(void)cli_fail(g, CLI_USAGE, "--since \"%s\": not a time",
			       cli_esc(arg, esc, sizeof(esc)));
		return cli_usage(g, AUDIT_USAGE);
	}
	a->filtered = 1;
	return CLI_OK;
}

int cmd_audit(struct cli *g, int argc, char **argv)
{
	static const struct cli_opt opts[] = {
		{ "user", 0, CLI_CHECK, 0, opt_user },
		{ "since", 0, CLI_CHECK, 0, opt_since },
		{ "prune", 0, CLI_FLAG, offsetof(struct audit_args, prune), NULL },
		CLI_OPT_END,
	};
	static const struct cli_cmd cmd = { AUDIT_USAGE, opts, 0, 0, 0 };
	struct audit_args a = { NULL, "", 0, 0, 0 };
	struct audit_out ao = { NULL, 0 };
	struct cli_pos pos;
	tfa_err err = { .msg = "" };
	const char *user;
	json_object *o = NULL;
	tfa_ctx *ctx = NULL;
	int64_t since;
	int rc;
	tfa_rc lrc;

	rc = cli_parse(g, &cmd, argc, argv, &a, &pos);
	if (rc != CLI_OK)
		return rc < 0 ? CLI_OK : rc;
	if (a.prune && a.filtered) {
		(void)cli_fail(g, CLI_USAGE, "--prune takes no --user or --since: it applies"
			       " audit_keep_days to the whole trail");
		return cli_usage(g, AUDIT_USAGE);
	}
	if (a.prune)
		return audit_prune(g);
	user = a.user;
	since = a.since;
	rc = cli_open(g, TFA_OPEN_READONLY, &ctx);
	if (rc != CLI_OK)
		goto out;
	if (g->json) {
		o = json_object_new_object();
		ao.arr = json_object_new_array();
		if (o == NULL || ao.arr == NULL) {
			rc = cli_fail(g, CLI_STORE, "out of memory");
			goto out;
		}
	} else {
		(void)printf("%-20s  %-12s  %-14s  %s\n", "TIME", "USER", "EVENT", "DETAIL");
	}
	lrc = tfa_audit_each(ctx, user, since, audit_row, &ao, &err);
	if (ao.oom) {
		rc = cli_fail(g, CLI_STORE, "out of memory");
		goto out;
	}
	if (lrc != TFA_OK) {
		rc = cli_fail(g, CLI_STORE, "%s", tfa_err_text(&err, lrc));
		goto out;
	}
	if (g->json) {
		(void)json_object_object_add(o, "events", ao.arr);
		ao.arr = NULL;
		rc = cli_json_emit(g, o);
		o = NULL;
	}
out:
	json_object_put(ao.arr);
	json_object_put(o);
	tfa_ctx_close(ctx);
	return rc;
}
