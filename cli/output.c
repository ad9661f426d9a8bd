/* SPDX-License-Identifier: BSD-2-Clause */
/* output.c - tfa-admin messages and JSON output.
 *
 * Text goes to stdout, errors to stderr as "tfa-admin: MESSAGE". With
 * --json every command prints exactly one JSON object on stdout, built with
 * json-c (never escaped by hand); a failing command prints
 * {"error": MESSAGE, "exit": CODE} if it printed nothing else.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"

int cli_fail(struct cli *g, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(g->errmsg, sizeof(g->errmsg), fmt, ap);
	va_end(ap);
	(void)fflush(stdout);
	(void)fprintf(stderr, "tfa-admin: %s\n", g->errmsg);
	return code;
}

void cli_warn(const char *fmt, ...)
{
	va_list ap;

	(void)fflush(stdout);
	(void)fputs("tfa-admin: warning: ", stderr);
	va_start(ap, fmt);
	(void)vfprintf(stderr, fmt, ap);
	va_end(ap);
	(void)fputc('\n', stderr);
}

int cli_usage(struct cli *g, const char *line)
{
	(void)snprintf(g->errmsg, sizeof(g->errmsg), "usage: tfa-admin %s", line);
	(void)fflush(stdout);
	(void)fprintf(stderr, "usage: tfa-admin %s\n", line);
	return CLI_USAGE;
}

int cli_json_emit(struct cli *g, json_object *obj)
{
	const char *text;
	int rc = CLI_OK;

	if (obj == NULL)
		return cli_fail(g, CLI_STORE, "out of memory");
	text = json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN |
					      JSON_C_TO_STRING_NOSLASHESCAPE);
	if (text == NULL) {
		rc = cli_fail(g, CLI_STORE, "out of memory");
		goto out;
	}
	if (printf("%s\n", text) < 0 || fflush(stdout) != 0)
		rc = cli_fail(g, CLI_STORE, "cannot write to standard output");
	g->json_done = 1;
	/* the text may hold the otpauth URI (enroll): wipe json-c's buffer */
	tfa_wipe((void *)(uintptr_t)text, strlen(text));
out:
	json_object_put(obj);
	return rc;
}

void cli_json_error(struct cli *g, int code)
{
	json_object *o;

	if (!g->json || g->json_done || code == CLI_OK)
		return;
	o = json_object_new_object();
	if (o == NULL)
		return;
	cli_jstr(o, "error", g->errmsg[0] != '\0' ? g->errmsg : "failed");
	cli_jint(o, "exit", code);
	(void)cli_json_emit(g, o);
}

void cli_jstr(json_object *o, const char *key, const char *val)
{
	(void)json_object_object_add(o, key, val != NULL ? json_object_new_string(val) : NULL);
}

void cli_jint(json_object *o, const char *key, int64_t val)
{
	(void)json_object_object_add(o, key, json_object_new_int64(val));
}

void cli_jbool(json_object *o, const char *key, int val)
{
	(void)json_object_object_add(o, key, json_object_new_boolean(val != 0));
}

void cli_jtime(json_object *o, const char *key, int64_t t)
{
	char buf[32];

	if (t == 0)
		(void)json_object_object_add(o, key, NULL);
	else
		cli_jstr(o, key, cli_time(t, buf, sizeof(buf)));
}

const char *cli_time(int64_t t, char *buf, size_t len)
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (t == 0 || gmtime_r(&tt, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		(void)snprintf(buf, len, "%s", t == 0 ? "-" : "?");
	return buf;
}

const char *cli_esc(const char *s, char *buf, size_t len)
{
	tfa_escape(s, buf, len);
	return buf;
}
