/* SPDX-License-Identifier: BSD-2-Clause */
/* doctor_sshd.c - `tfa-admin doctor`: does sshd run the PAM stack with a
 * prompt the code can be typed at, and for which logins?
 *
 * sshd takes the FIRST value it reads for most keywords (sshd_config(5)),
 * so Debian 12's stock `KbdInteractiveAuthentication no` near the top of
 * /etc/ssh/sshd_config beats a `yes` an admin appends. The files are read
 * as sshd reads them (Include with globs, in order; lines in Match blocks
 * are not global) to name the line that won; `sshd -T`, when the caller
 * could run it, gives the effective value.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "doctor.h"

#define MAX_DEPTH 16
#define CONF_D_FIX "/etc/ssh/sshd_config.d/twofactor.conf"

enum { K_USEPAM = 0, K_KBD, K_AUTHMETHODS, K_NKEYS };

typedef struct {
	int set;
	char value[512];
	char keyword[48];              /* as written (for the alias) */
	char file[TFA_DOC_PATH_MAX];
	unsigned line;
	int later_set;                 /* a later global line with another value */
	char later_file[TFA_DOC_PATH_MAX];
	unsigned later_line;
} found;

typedef struct {
	found k[K_NKEYS];
	found cra;                     /* first ChallengeResponseAuthentication */
	char basedir[TFA_DOC_PATH_MAX];
	int read_any;
} sshd_state;

static int key_index(const char *kw, int *is_cra)
{
	*is_cra = 0;
	if (strcasecmp(kw, "UsePAM") == 0)
		return K_USEPAM;
	if (strcasecmp(kw, "KbdInteractiveAuthentication") == 0)
		return K_KBD;
	if (strcasecmp(kw, "ChallengeResponseAuthentication") == 0) {
		*is_cra = 1;
		return K_KBD;
	}
	if (strcasecmp(kw, "AuthenticationMethods") == 0)
		return K_AUTHMETHODS;
	return -1;
}

static void note(found *f, const char *kw, const char *val, const char *file, unsigned line)
{
	if (!f->set) {
		f->set = 1;
		(void)snprintf(f->value, sizeof(f->value), "%s", val);
		(void)snprintf(f->keyword, sizeof(f->keyword), "%s", kw);
		(void)snprintf(f->file, sizeof(f->file), "%s", file);
		f->line = line;
	} else if (!f->later_set && strcasecmp(f->value, val) != 0) {
		f->later_set = 1;
		(void)snprintf(f->later_file, sizeof(f->later_file), "%s", file);
		f->later_line = line;
	}
}

static void parse_file(sshd_state *s, const char *path, int depth, tfa_doc_report *r);

static void include(sshd_state *s, char *words, int depth, tfa_doc_report *r)
{
	char pat[TFA_DOC_PATH_MAX];
	char *save = NULL, *w;
	glob_t g;
	size_t i;

	for (w = strtok_r(words, " \t", &save); w != NULL; w = strtok_r(NULL, " \t", &save)) {
		int n;

		if (w[0] == '/')
			n = snprintf(pat, sizeof(pat), "%s", w);
		else
			n = snprintf(pat, sizeof(pat), "%s/%s", s->basedir, w);
		if (n < 0 || (size_t)n >= sizeof(pat))
			continue;
		memset(&g, 0, sizeof(g));
		if (glob(pat, 0, NULL, &g) == 0) {
			for (i = 0; i < g.gl_pathc; i++)
				parse_file(s, g.gl_pathv[i], depth + 1, r);
		}
		globfree(&g);
	}
}

static void parse_file(sshd_state *s, const char *path, int depth, tfa_doc_report *r)
{
	char buf[4096], kw[64];
	char *p, *val, *end;
	unsigned lineno = 0;
	int in_match = 0, idx, is_cra;
	size_t len;
	FILE *f;

	if (depth > MAX_DEPTH)
		return;
	f = fopen(path, "re");
	if (f == NULL) {
		if (depth == 0 && errno != ENOENT)
			(void)tfa_doc_add(r, "sshd.config", TFA_DOC_WARN, path, 0,
					  "run tfa-admin doctor as root", "cannot read %s: %s", path,
					  strerror(errno));
		return;
	}
	s->read_any = 1;
	while (fgets(buf, sizeof(buf), f) != NULL) {
		lineno++;
		p = buf;
		while (isspace((unsigned char)*p))
			p++;
		if (*p == '\0' || *p == '#')
			continue;
		len = strcspn(p, " \t=\r\n");
		if (len == 0 || len >= sizeof(kw))
			continue;
		memcpy(kw, p, len);
		kw[len] = '\0';
		val = p + len;
		while (*val == ' ' || *val == '\t')
			val++;
		if (*val == '=')
			val++;
		while (*val == ' ' || *val == '\t')
			val++;
		end = val + strlen(val);
		while (end > val && isspace((unsigned char)end[-1]))
			*--end = '\0';
		if (strcasecmp(kw, "Match") == 0) {
			in_match = 1;
			continue;
		}
		if (in_match)
			continue;
		if (strcasecmp(kw, "Include") == 0) {
			include(s, val, depth, r);
			continue;
		}
		idx = key_index(kw, &is_cra);
		if (idx < 0)
			continue;
		if (idx != K_AUTHMETHODS)
			val[strcspn(val, " \t")] = '\0';
		note(&s->k[idx], kw, val, path, lineno);
		if (is_cra)
			note(&s->cra, kw, val, path, lineno);
	}
	(void)fclose(f);
}

/* The value of @key in `sshd -T` output (lower-case keywords), or NULL. */
static const char *from_t(const char *t, const char *key, char *out, size_t outlen)
{
	size_t klen = strlen(key);
	const char *p = t, *nl;

	while (p != NULL && *p != '\0') {
		nl = strchr(p, '\n');
		if (strncmp(p, key, klen) == 0 && p[klen] == ' ') {
			size_t n = nl != NULL ? (size_t)(nl - p) - klen - 1 : strlen(p + klen + 1);

			if (n >= outlen)
				n = outlen - 1;
			memcpy(out, p + klen + 1, n);
			out[n] = '\0';
			return out;
		}
		p = nl != NULL ? nl + 1 : NULL;
	}
	return NULL;
}

/* ", the default" when no line set @f (the file and line go with the check) */
static const char *where(const found *f)
{
	return f->set ? "" : ", the default";
}

static void check_yes(const sshd_state *s, int idx, const char *id, const char *name,
		      const char *eff, const char *src, const char *why, tfa_doc_report *r)
{
	const found *f = &s->k[idx];
	char fix[TFA_DOC_TEXT_MAX], later[TFA_DOC_PATH_MAX + 64] = "";

	if (strcasecmp(eff, "yes") == 0) {
		(void)tfa_doc_add(r, id, TFA_DOC_OK, f->set ? f->file : NULL, f->line, NULL,
				  "%s yes (%s%s)", name, src, where(f));
		return;
	}
	if (f->set && f->later_set)
		(void)snprintf(later, sizeof(later), "; the other value at %s:%u comes later and "
			       "does not count", f->later_file, f->later_line);
	if (f->set)
		(void)snprintf(fix, sizeof(fix), "change line %u of %s to \"%s yes\" (sshd takes "
			       "the first value it reads), or put \"%s yes\" in %s, which "
			       "Debian's sshd_config includes first; then systemctl reload ssh",
			       f->line, f->file, name, name, CONF_D_FIX);
	else
		(void)snprintf(fix, sizeof(fix), "put \"%s yes\" in %s (or near the top of "
			       "sshd_config); then systemctl reload ssh", name, CONF_D_FIX);
	(void)tfa_doc_add(r, id, TFA_DOC_ERROR, f->set ? f->file : NULL, f->line, fix,
			  "%s is %s (%s%s%s%s): %s%s", name, eff, src, where(f),
			  f->set && strcasecmp(f->keyword, name) != 0 ? " as " : "",
			  f->set && strcasecmp(f->keyword, name) != 0 ? f->keyword : "", why, later);
}

static void check_methods(const sshd_state *s, const char *eff, const char *src,
			  tfa_doc_report *r)
{
	const found *f = &s->k[K_AUTHMETHODS];
	char copy[512], bad[512] = "";
	char *save = NULL, *list;
	char fix[TFA_DOC_TEXT_MAX];

	(void)snprintf(fix, sizeof(fix), "AuthenticationMethods publickey,keyboard-interactive "
		       "(key and code) or keyboard-interactive (password and code) in %s; then "
		       "systemctl reload ssh", CONF_D_FIX);
	if (strcasecmp(eff, "any") == 0) {
		(void)tfa_doc_add(r, "sshd.authenticationmethods", TFA_DOC_WARN,
				  f->set ? f->file : NULL, f->line, fix,
				  "AuthenticationMethods any (%s%s): a login with an SSH key skips "
				  "the PAM stack and so the code", src, where(f));
		return;
	}
	(void)snprintf(copy, sizeof(copy), "%s", eff);
	for (list = strtok_r(copy, " \t", &save); list != NULL;
	     list = strtok_r(NULL, " \t", &save)) {
		if (strstr(list, "keyboard-interactive") == NULL) {
			size_t used = strlen(bad);

			(void)snprintf(bad + used, sizeof(bad) - used, "%s\"%s\"",
				       used > 0 ? ", " : "", list);
		}
	}
	if (bad[0] != '\0')
		(void)tfa_doc_add(r, "sshd.authenticationmethods", TFA_DOC_WARN,
				  f->set ? f->file : NULL, f->line, fix,
				  "AuthenticationMethods %s (%s%s): %s log in without "
				  "keyboard-interactive, so without the code", eff, src, where(f), bad);
	else
		(void)tfa_doc_add(r, "sshd.authenticationmethods", TFA_DOC_OK,
				  f->set ? f->file : NULL, f->line, NULL,
				  "AuthenticationMethods %s (%s): every login asks for the code", eff,
				  src);
}

TFA_API tfa_rc tfa_doctor_sshd(const char *config, const char *sshd_t, tfa_doc_report *r)
{
	sshd_state *s;
	char t1[512], t2[512], t3[512], *slash;
	const char *usepam, *kbd, *methods, *src;

	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return TFA_ENOMEM;
	(void)snprintf(s->basedir, sizeof(s->basedir), "%s", config);
	slash = strrchr(s->basedir, '/');
	if (slash != NULL && slash != s->basedir)
		*slash = '\0';
	else
		(void)snprintf(s->basedir, sizeof(s->basedir), "/etc/ssh");
	parse_file(s, config, 0, r);
	if (!s->read_any && sshd_t == NULL) {
		(void)tfa_doc_add(r, "sshd.config", TFA_DOC_OK, config, 0, NULL,
				  "no sshd configuration at %s and no sshd: nothing to check", config);
		goto out;
	}
	src = sshd_t != NULL ? "sshd -T" : "from the files; sshd -T not available";
	usepam = sshd_t != NULL ? from_t(sshd_t, "usepam", t1, sizeof(t1)) : NULL;
	if (usepam == NULL)
		usepam = s->k[K_USEPAM].set ? s->k[K_USEPAM].value : "no";
	kbd = sshd_t != NULL ? from_t(sshd_t, "kbdinteractiveauthentication", t2, sizeof(t2)) : NULL;
	if (kbd == NULL && sshd_t != NULL)
		kbd = from_t(sshd_t, "challengeresponseauthentication", t2, sizeof(t2));
	if (kbd == NULL)
		kbd = s->k[K_KBD].set ? s->k[K_KBD].value : "yes";
	methods = sshd_t != NULL ? from_t(sshd_t, "authenticationmethods", t3, sizeof(t3)) : NULL;
	if (methods == NULL)
		methods = s->k[K_AUTHMETHODS].set ? s->k[K_AUTHMETHODS].value : "any";
	check_yes(s, K_USEPAM, "sshd.usepam", "UsePAM", usepam, src,
		  "sshd does not run the PAM stack, so never the module", r);
	check_yes(s, K_KBD, "sshd.kbdinteractive", "KbdInteractiveAuthentication", kbd, src,
		  "sshd offers no prompt for the code, so users the module asks cannot log in "
		  "by password", r);
	if (s->cra.set)
		(void)tfa_doc_add(r, "sshd.challengeresponse", TFA_DOC_WARN, s->cra.file,
				  s->cra.line, "remove the line and set KbdInteractiveAuthentication "
				  "instead", "ChallengeResponseAuthentication %s is the old name "
				  "of KbdInteractiveAuthentication: the two are one option and the "
				  "first line of either wins", s->cra.value);
	else
		(void)tfa_doc_add(r, "sshd.challengeresponse", TFA_DOC_OK, NULL, 0, NULL,
				  "no ChallengeResponseAuthentication line (old alias)");
	check_methods(s, methods, src, r);
out:
	free(s);
	return r->oom ? TFA_ENOMEM : TFA_OK;
}
