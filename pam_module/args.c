/* SPDX-License-Identifier: BSD-2-Clause */
/* args.c - parsing pam_twofactor.so module arguments (see args.h).
 *
 * As Yubico pam-u2f and Linux-PAM pam_faillock do, options go into a struct
 * filled from argc/argv. Unlike modules that skip what they do not know, a
 * bad option here is an error: a typo such as "failmode=sae" or "stor=..."
 * must not silently give a weaker configuration than the one meant.
 */
#include "config.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>

#include <security/pam_ext.h>

#include "frontend.h"
#include "args.h"

#define TFA_PAM_PATH_MAX   4096
#define TFA_PAM_PROMPT_MAX 200
#define TFA_PAM_SERVICES_MAX 1024

/* Flags without a value, and where each one goes. */
typedef struct {
	const char *name;
	size_t off;
} flag_opt;

static const flag_opt flag_opts[] = {
	{ "use_first_pass", offsetof(tfa_pam_args, use_first_pass) },
	{ "try_first_pass", offsetof(tfa_pam_args, try_first_pass) },
	{ "forward_pass", offsetof(tfa_pam_args, forward_pass) },
	{ "no_enroll", offsetof(tfa_pam_args, no_enroll) },
	{ "debug", offsetof(tfa_pam_args, debug) },
};

static void log_bad(pam_handle_t *pamh, tfa_pam_args *a, const char *arg, const char *why)
{
	char esc[256];

	tfa_escape(arg, esc, sizeof(esc));
	pam_syslog(pamh, LOG_AUTHPRIV | LOG_ERR,
		   "bad module argument \"%s\": %s; refusing authentication", esc, why);
	/* as given: the audit trail escapes it */
	if (a->bad[0] == '\0')
		(void)snprintf(a->bad, sizeof(a->bad), "[%.120s]: %.100s", arg, why);
}

/* 1 if @s holds a control character (a prompt must not move the cursor
 * or clear the screen of the person logging in). */
static int has_control(const char *s)
{
	for (; *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch < 0x20 || ch == 0x7f)
			return 1;
	}
	return 0;
}

/* store=, keyfile= and keyfile_next=: absolute (the host's working directory is not ours
 * to rely on), not empty, of sane length. */
static int path_value(pam_handle_t *pamh, tfa_pam_args *a, const char *arg, const char *val,
		      const char **dst)
{
	const char *why = NULL;

	if (val[0] == '\0')
		why = "empty path";
	else if (val[0] != '/')
		why = "path must be absolute";
	else if (strnlen(val, TFA_PAM_PATH_MAX) >= TFA_PAM_PATH_MAX || has_control(val))
		why = "unusable path";
	if (why != NULL) {
		log_bad(pamh, a, arg, why);
		a->bad_path = 1;
		return -1;
	}
	*dst = val;
	return 0;
}

/* store=postgresql://...: a URI without a password (checked by the
 * library). Not echoed when refused: it may hold that password. */
static int uri_value(pam_handle_t *pamh, tfa_pam_args *a, const char *val, const char **dst)
{
	tfa_err err = { .msg = "" };
	tfa_rc rc;

	rc = strnlen(val, TFA_PAM_PATH_MAX) >= TFA_PAM_PATH_MAX || has_control(val) ?
	     tfa_err_set(&err, TFA_EINVAL, "unusable URI") : tfa_ctx_store_check(val, &err);
	if (rc != TFA_OK) {
		pam_syslog(pamh, LOG_AUTHPRIV | LOG_ERR, "bad module argument store=: %s; "
			   "refusing authentication", tfa_err_text(&err, rc));
		if (a->bad[0] == '\0')
			(void)snprintf(a->bad, sizeof(a->bad), "store=: %.150s", err.msg);
		a->bad_path = 1;
		return -1;
	}
	*dst = val;
	return 0;
}

/* services=LIST: one or more PAM service names separated by commas; each
 * name non-empty and made of the characters a file name in /etc/pam.d has
 * (letters, digits, '.', '_', '-', '+', '@'), so that a typo such as
 * "services=sshd,,sudo" or "services=sshd sudo" is an error, not a list
 * that silently matches less than was meant. */
static int services_value(pam_handle_t *pamh, tfa_pam_args *a, const char *arg,
			  const char *val, const char **dst)
{
	const char *p;
	size_t len = 0;

	if (strnlen(val, TFA_PAM_SERVICES_MAX + 1) > TFA_PAM_SERVICES_MAX) {
		log_bad(pamh, a, arg, "list too long");
		return -1;
	}
	for (p = val;; p++) {
		unsigned char ch = (unsigned char)*p;

		if (ch == ',' || ch == '\0') {
			if (len == 0) {
				log_bad(pamh, a, arg, "empty service name in the list");
				return -1;
			}
			if (ch == '\0')
				break;
			len = 0;
			continue;
		}
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || strchr("._-+@", ch) != NULL)) {
			log_bad(pamh, a, arg, "a service name holds a character other than"
				" letters, digits and . _ - + @");
			return -1;
		}
		len++;
	}
	*dst = val;
	return 0;
}

int tfa_pam_service_listed(const tfa_pam_args *a, const char *service)
{
	const char *p, *end;
	size_t slen;

	if (a->services == NULL)
		return 1;
	if (service == NULL)
		return -1;
	slen = strlen(service);
	for (p = a->services; *p != '\0'; p = *end == ',' ? end + 1 : end) {
		end = strchr(p, ',');
		if (end == NULL)
			end = p + strlen(p);
		if ((size_t)(end - p) == slen && strncasecmp(p, service, slen) == 0)
			return 1;
	}
	return 0;
}

static int one_arg(pam_handle_t *pamh, const char *arg, tfa_pam_args *a)
{
	size_t i;

	for (i = 0; i < sizeof(flag_opts) / sizeof(flag_opts[0]); i++) {
		if (strcmp(arg, flag_opts[i].name) == 0) {
			*(int *)(void *)((char *)a + flag_opts[i].off) = 1;
			return 0;
		}
	}
	if (strncmp(arg, "store=", 6) == 0 && tfa_ctx_store_is_uri(arg + 6))
		return uri_value(pamh, a, arg + 6, &a->store);
	if (strncmp(arg, "store=", 6) == 0)
		return path_value(pamh, a, arg, arg + 6, &a->store);
	if (strncmp(arg, "keyfile=", 8) == 0)
		return path_value(pamh, a, arg, arg + 8, &a->keyfile);
	if (strncmp(arg, "keyfile_next=", 13) == 0)
		return path_value(pamh, a, arg, arg + 13, &a->keyfile_next);
	if (strncmp(arg, "prompt=", 7) == 0) {
		const char *val = arg + 7;

		if (val[0] == '\0' || strnlen(val, TFA_PAM_PROMPT_MAX + 1) > TFA_PAM_PROMPT_MAX ||
		    has_control(val)) {
			log_bad(pamh, a, arg, "prompt must be 1..200 printable characters");
			return -1;
		}
		a->prompt = val;
		return 0;
	}
	if (strncmp(arg, "services=", 9) == 0)
		return services_value(pamh, a, arg, arg + 9, &a->services);
	if (strncmp(arg, "failmode=", 9) == 0) {
		if (strcmp(arg + 9, "secure") == 0) {
			a->failmode = TFA_FAIL_SECURE;
		} else if (strcmp(arg + 9, "safe") == 0) {
			a->failmode = TFA_FAIL_SAFE;
		} else {
			log_bad(pamh, a, arg, "failmode must be secure or safe");
			return -1;
		}
		return 0;
	}
	log_bad(pamh, a, arg, "unknown option");
	return -1;
}

int tfa_pam_args_parse(pam_handle_t *pamh, int argc, const char **argv,
		       tfa_pam_args *a)
{
	int i, bad = 0;

	memset(a, 0, sizeof(*a));
	a->store = TFA_DEFAULT_STORE;
	a->keyfile = TFA_DEFAULT_KEYFILE;
	a->prompt = NULL;
	a->failmode = TFA_FAIL_SECURE;
	if (argc < 0 || (argc > 0 && argv == NULL)) {
		pam_syslog(pamh, LOG_AUTHPRIV | LOG_ERR,
			   "bad module argument vector; refusing authentication");
		(void)snprintf(a->bad, sizeof(a->bad), "bad argument vector");
		a->bad_path = 1;   /* nothing was parsed */
		return -1;
	}
	for (i = 0; i < argc; i++) {
		if (argv[i] == NULL) {
			log_bad(pamh, a, "(null)", "missing");
			bad = 1;
			continue;
		}
		if (one_arg(pamh, argv[i], a) != 0)
			bad = 1;
	}
	/* use_first_pass is the stricter of the two and wins, as in pam_unix */
	if (a->use_first_pass)
		a->try_first_pass = 0;
	if (a->prompt == NULL)
		a->prompt = a->forward_pass ? TFA_PAM_FORWARD_PROMPT : TFA_PAM_DEFAULT_PROMPT;
	return bad ? -1 : 0;
}
