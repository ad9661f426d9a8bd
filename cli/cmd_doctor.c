/* SPDX-License-Identifier: BSD-2-Clause */
/* cmd_doctor.c - tfa-admin doctor [--json] [--sshd-config PATH]
 * [--pam-dir DIR] [--dev-log PATH] [--sshd PATH|none]: check the set-up
 * (store and key files, the key matching the store, integrity, sshd, the
 * PAM stacks, the clock, syslog, policy) and say each fix.
 *
 * The decisions are the library's (doctor.h); this file gathers the facts
 * and prints them. The path options are test and diagnostic aids (check
 * another root's files). Exit 0 all fine, 1 warnings only, 4 an error.
 * JSON: {"checks": [{"id", "level", "message", "fix", "file", "line"}],
 * "ok": N, "warnings": N, "errors": N}.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "doctor.h"
#include "doctor_sys.h"

#define DOCTOR_USAGE "doctor [--json] [--sshd-config PATH] [--pam-dir DIR] " \
	"[--dev-log PATH] [--sshd PATH|none]"

/* doctor's options: the files it checks */
struct doctor_args {
	const char *sshd_config, *pamdir, *devlog, *sshd;
};

static int print_text(const tfa_doc_report *r)
{
	size_t i;
	unsigned n[3] = { 0, 0, 0 };

	for (i = 0; i < r->n; i++) {
		const tfa_doc_check *c = &r->v[i];

		n[c->level]++;
		char tag[16];

		(void)snprintf(tag, sizeof(tag), "[%s]", tfa_doc_level_name(c->level));
		(void)printf("%-7s %s: %s", tag, c->id, c->message);
		if (c->file[0] != '\0' && c->line > 0)
			(void)printf(" (%s:%u)", c->file, c->line);
		(void)printf("\n");
		if (c->level != TFA_DOC_OK && c->fix[0] != '\0')
			(void)printf("        fix: %s\n", c->fix);
	}
	(void)printf("%zu checks: %u ok, %u warnings, %u errors\n", r->n, n[0], n[1], n[2]);
	return 0;
}

static int print_json(struct cli *g, const tfa_doc_report *r)
{
	json_object *o = json_object_new_object(), *arr = json_object_new_array(), *c;
	unsigned n[3] = { 0, 0, 0 };
	size_t i;

	if (o == NULL || arr == NULL) {
		json_object_put(o);
		json_object_put(arr);
		return cli_fail(g, CLI_STORE, "out of memory");
	}
	(void)json_object_object_add(o, "checks", arr);
	for (i = 0; i < r->n; i++) {
		const tfa_doc_check *k = &r->v[i];

		n[k->level]++;
		c = json_object_new_object();
		if (c == NULL || json_object_array_add(arr, c) != 0) {
			json_object_put(c);
			json_object_put(o);
			return cli_fail(g, CLI_STORE, "out of memory");
		}
		cli_jstr(c, "id", k->id);
		cli_jstr(c, "level", tfa_doc_level_name(k->level));
		cli_jstr(c, "message", k->message);
		cli_jstr(c, "fix", k->fix);
		if (k->file[0] != '\0')
			cli_jstr(c, "file", k->file);
		else
			(void)json_object_object_add(c, "file", NULL);
		if (k->line > 0)
			cli_jint(c, "line", k->line);
		else
			(void)json_object_object_add(c, "line", NULL);
	}
	cli_jint(o, "ok", n[0]);
	cli_jint(o, "warnings", n[1]);
	cli_jint(o, "errors", n[2]);
	return cli_json_emit(g, o);
}

int cmd_doctor(struct cli *g, int argc, char **argv)
{
	static const struct cli_opt opts[] = {
		{ "sshd-config", 0, CLI_STR, offsetof(struct doctor_args, sshd_config), NULL },
		{ "pam-dir", 0, CLI_STR, offsetof(struct doctor_args, pamdir), NULL },
		{ "dev-log", 0, CLI_STR, offsetof(struct doctor_args, devlog), NULL },
		{ "sshd", 0, CLI_STR, offsetof(struct doctor_args, sshd), NULL },
		CLI_OPT_END,
	};
	static const struct cli_cmd cmd = { DOCTOR_USAGE, opts, 0, 0, 0 };
	struct doctor_args a = { "/etc/ssh/sshd_config", "/etc/pam.d", "/dev/log",
				 "/usr/sbin/sshd" };
	struct cli_pos pos;
	const char *sshd_t;
	static char tbuf[65536];
	tfa_doc_report r = { NULL, 0, 0, 0 };
	tfa_ctx *ctx = NULL;
	tfa_doc_level worst;
	int rc;

	rc = cli_parse(g, &cmd, argc, argv, &a, &pos);
	if (rc != CLI_OK)
		return rc < 0 ? CLI_OK : rc;
	if (g->store[0] == '\0' || g->keyfile[0] == '\0' || a.sshd_config[0] == '\0' ||
	    a.pamdir[0] == '\0' || a.devlog[0] == '\0' || a.sshd[0] == '\0') {
		(void)cli_fail(g, CLI_USAGE, "an empty path was given");
		return cli_usage(g, DOCTOR_USAGE);
	}
	(void)tfa_doctor_files(g->store, g->keyfile, &r);
	(void)tfa_doctor_store(g->store, g->keyfile, &r, &ctx);
	if (ctx != NULL)
		(void)tfa_doctor_policy(ctx, &r);
	sshd_t = doctor_sshd_t(a.sshd, a.sshd_config, tbuf, sizeof(tbuf), &r);
	(void)tfa_doctor_sshd(a.sshd_config, sshd_t, &r);
	(void)tfa_doctor_pam(a.pamdir, &r);
	doctor_clock(&r);
	doctor_devlog(a.devlog, &r);
	if (r.oom) {
		rc = cli_fail(g, CLI_STORE, "out of memory");
		goto out;
	}
	worst = tfa_doc_worst(&r);
	rc = g->json ? print_json(g, &r) : print_text(&r);
	if (rc == CLI_OK)
		rc = worst == TFA_DOC_ERROR ? CLI_STORE : worst == TFA_DOC_WARN ? 1 : CLI_OK;
out:
	tfa_ctx_close(ctx);
	tfa_doc_report_free(&r);
	return rc;
}
