/* SPDX-License-Identifier: BSD-2-Clause */
/* doctor_pam.c - `tfa-admin doctor`: the PAM stacks that run
 * pam_twofactor.
 *
 * For each service file in the PAM directory, the auth stack is expanded
 * as Linux-PAM does (@include, include, substack) and looked at around the
 * first pam_twofactor line: the password module must come first and a
 * wrong password must end the stack before it (the module cannot see the
 * password result and would otherwise prompt, or enrol a phone, for
 * someone who does not know the password); nothing may jump over it on
 * success; forward_pass and use_first_pass must fit the order; and in
 * common-auth or a screen locker's stack, which run without root rights,
 * the module needs services=. A problem in an included file is reported
 * once, at that file's line.
 */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "doctor.h"

#define MAX_ENTRIES 256
#define MAX_DEPTH 8
#define MOD "pam_twofactor.so"

typedef struct {
	char file[TFA_DOC_PATH_MAX];
	unsigned line;
	char control[128];
	char module[256];    /* base name */
	char args[512];
} entry;

typedef struct {
	entry v[MAX_ENTRIES];
	size_t n;
} stack;

/* services that authenticate the user without root rights */
static const char *const nonroot_services[] = {
	"xscreensaver", "i3lock", "swaylock", "kscreensaver", "kde", "mate-screensaver",
	"cinnamon-screensaver", "xfce4-screensaver", "xlock", "vlock", "gnome-screensaver",
	"lightdm-greeter", NULL,
};

static const char *const password_modules[] = {
	"pam_unix.so", "pam_sss.so", "pam_ldap.so", "pam_krb5.so", "pam_winbind.so",
	"pam_userdb.so", "pam_pwdfile.so", "pam_radius_auth.so", NULL,
};

static int in_list(const char *const *l, const char *s)
{
	for (; *l != NULL; l++)
		if (strcmp(*l, s) == 0)
			return 1;
	return 0;
}

/* 1 if @args has the word @w (or, with a trailing '=', a word starting so) */
static int has_arg(const char *args, const char *w)
{
	size_t wl = strlen(w);
	const char *p = args;

	while (*p != '\0') {
		size_t len;

		while (*p == ' ' || *p == '\t')
			p++;
		len = strcspn(p, " \t");
		if (len > 0 && (w[wl - 1] == '=' ? strncmp(p, w, wl) == 0 :
				len == wl && strncmp(p, w, wl) == 0))
			return 1;
		p += len;
	}
	return 0;
}

static void load(const char *dir, const char *path, int depth, stack *st);

static void add_line(const char *dir, const char *path, unsigned lineno, char *p, int depth,
		     stack *st)
{
	char type[32], control[128], module[256], *q, *base;
	size_t len;

	if (p[0] == '@') {
		if (strncmp(p, "@include", 8) == 0 && isspace((unsigned char)p[8])) {
			p += 8;
			while (isspace((unsigned char)*p))
				p++;
			p[strcspn(p, " \t\r\n")] = '\0';
			load(dir, p, depth + 1, st);
		}
		return;
	}
	len = strcspn(p, " \t");
	if (len == 0 || len >= sizeof(type))
		return;
	memcpy(type, p, len);
	type[len] = '\0';
	p += len;
	while (*p == ' ' || *p == '\t')
		p++;
	if (strcmp(type[0] == '-' ? type + 1 : type, "auth") != 0)
		return;
	if (*p == '[') {
		q = strchr(p, ']');
		if (q == NULL)
			return;
		len = (size_t)(q - p) + 1;
	} else {
		len = strcspn(p, " \t");
	}
	if (len == 0 || len >= sizeof(control))
		return;
	memcpy(control, p, len);
	control[len] = '\0';
	p += len;
	while (*p == ' ' || *p == '\t')
		p++;
	len = strcspn(p, " \t");
	if (len == 0 || len >= sizeof(module))
		return;
	memcpy(module, p, len);
	module[len] = '\0';
	p += len;
	while (*p == ' ' || *p == '\t')
		p++;
	if (strcmp(control, "include") == 0 || strcmp(control, "substack") == 0) {
		load(dir, module, depth + 1, st);
		return;
	}
	if (st->n >= MAX_ENTRIES)
		return;
	base = strrchr(module, '/');
	base = base != NULL ? base + 1 : module;
	{
		entry *e = &st->v[st->n++];

		(void)snprintf(e->file, sizeof(e->file), "%s", path);
		e->line = lineno;
		(void)snprintf(e->control, sizeof(e->control), "%s", control);
		(void)snprintf(e->module, sizeof(e->module), "%s", base);
		(void)snprintf(e->args, sizeof(e->args), "%s", p);
	}
}

static void load(const char *dir, const char *name, int depth, stack *st)
{
	char path[TFA_DOC_PATH_MAX], buf[2048], *p, *end;
	unsigned lineno = 0;
	FILE *f;

	if (depth > MAX_DEPTH || name[0] == '\0')
		return;
	if (name[0] == '/')
		(void)snprintf(path, sizeof(path), "%s", name);
	else
		(void)snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "re");
	if (f == NULL)
		return;
	while (fgets(buf, sizeof(buf), f) != NULL) {
		lineno++;
		p = buf;
		while (isspace((unsigned char)*p))
			p++;
		if (*p == '#' || *p == '\0')
			continue;
		end = strchr(p, '#');
		if (end != NULL)
			*end = '\0';
		end = p + strlen(p);
		while (end > p && isspace((unsigned char)end[-1]))
			*--end = '\0';
		add_line(dir, path, lineno, p, depth, st);
	}
	(void)fclose(f);
}

/* the N of "success=N" in a [...] control, or -1 */
static int success_jump(const char *control)
{
	const char *p = strstr(control, "success=");

	if (control[0] != '[' || p == NULL || !isdigit((unsigned char)p[8]))
		return -1;
	return atoi(p + 8);
}

static int ends_on_failure(const char *control)
{
	return strcmp(control, "requisite") == 0 || strstr(control, "default=die") != NULL;
}

static int done_on_success(const char *control)
{
	return strcmp(control, "sufficient") == 0 || strstr(control, "success=done") != NULL;
}

/* report once per (id, file, line): the first service that shows it */
typedef struct {
	tfa_doc_report *r;
	size_t first;           /* index in r->v where this run began */
} reporter;

static void say(reporter *rp, const char *id, tfa_doc_level lvl, const entry *e,
		const char *fix, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static void say(reporter *rp, const char *id, tfa_doc_level lvl, const entry *e,
		const char *fix, const char *fmt, ...)
{
	char msg[TFA_DOC_TEXT_MAX];
	va_list ap;
	size_t i;

	for (i = rp->first; i < rp->r->n; i++) {
		const tfa_doc_check *c = &rp->r->v[i];

		if (strcmp(c->id, id) == 0 && strcmp(c->file, e->file) == 0 && c->line == e->line)
			return;
	}
	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	(void)tfa_doc_add(rp->r, id, lvl, e->file, e->line, fix, "%s", msg);
}

static int service_listed(const char *args, const char *svc)
{
	const char *p = strstr(args, "services=");
	size_t sl = strlen(svc);

	if (p == NULL)
		return 0;
	p += 9;
	while (*p != '\0' && *p != ' ' && *p != '\t') {
		size_t len = strcspn(p, ", \t");

		if (len == sl && strncasecmp(p, svc, sl) == 0)
			return 1;
		p += len;
		if (*p == ',')
			p++;
	}
	return 0;
}

/* the checks for one service whose stack @st has the module at @t */
static int check_stack(reporter *rp, const char *svc, const stack *st, size_t t)
{
	const entry *m = &st->v[t];
	int fp = has_arg(m->args, "forward_pass"), bad = 0;
	size_t i, pw = (size_t)-1, pw_after = (size_t)-1;

	for (i = 0; i < st->n; i++) {
		if (!in_list(password_modules, st->v[i].module))
			continue;
		if (i < t)
			pw = i;
		else if (pw_after == (size_t)-1)
			pw_after = i;
	}
	for (i = 0; i < t; i++) {
		int j = success_jump(st->v[i].control);

		/* root needs no second factor to become someone else (su) */
		if (strcmp(st->v[i].module, "pam_rootok.so") == 0)
			continue;
		if (done_on_success(st->v[i].control)) {
			say(rp, "pam.skipped", TFA_DOC_ERROR, &st->v[i], "make the line requisite "
			    "(or [success=ok default=die]) so that a success goes on to pam_twofactor",
			    "%s: this line ends the stack on success, before pam_twofactor: "
			    "the code is never asked", svc);
			bad++;
		} else if (j > 0 && strcmp(st->v[i].file, m->file) == 0 && i + (size_t)j >= t) {
			say(rp, "pam.skipped", TFA_DOC_ERROR, &st->v[i], "lower the success= jump "
			    "so that it lands before the pam_twofactor line",
			    "%s: success= on this line jumps over pam_twofactor: a right "
			    "password skips the code", svc);
			bad++;
		}
	}
	if (fp) {
		if (pw_after == (size_t)-1) {
			say(rp, "pam.order", TFA_DOC_ERROR, m, "put the password module (e.g. "
			    "auth required pam_unix.so try_first_pass) after this line",
			    "%s: pam_twofactor has forward_pass but no password module after it: "
			    "the password is never checked", svc);
			bad++;
		} else if (!has_arg(st->v[pw_after].args, "try_first_pass") &&
			   !has_arg(st->v[pw_after].args, "use_first_pass")) {
			say(rp, "pam.forward_pass", TFA_DOC_ERROR, &st->v[pw_after],
			    "add try_first_pass to this line",
			    "%s: pam_twofactor has forward_pass but %s asks for the password again",
			    svc, st->v[pw_after].module);
			bad++;
		} else if (has_arg(st->v[pw_after].args, "use_first_pass")) {
			say(rp, "pam.forward_pass", TFA_DOC_WARN, &st->v[pw_after],
			    "use try_first_pass instead of use_first_pass",
			    "%s: with forward_pass the module prompts only users it asks for a code;"
			    " %s use_first_pass then finds no password for the others", svc,
			    st->v[pw_after].module);
			bad++;
		}
		return bad;
	}
	if (pw == (size_t)-1) {
		say(rp, "pam.order", TFA_DOC_ERROR, m, "move the pam_twofactor line after the "
		    "password modules (after @include common-auth), or give it forward_pass",
		    "%s: pam_twofactor runs before any password module (pam_unix, pam_sss, ...):"
		    " it asks for the code, or enrols a phone, before the password is checked",
		    svc);
		return bad + 1;
	}
	if (!ends_on_failure(st->v[pw].control)) {
		int jumped = 0;

		for (i = pw + 1; i < t; i++)
			if (strcmp(st->v[i].module, "pam_deny.so") == 0 &&
			    ends_on_failure(st->v[i].control) && success_jump(st->v[pw].control) > 0)
				jumped = 1;
		if (!jumped) {
			say(rp, "pam.requisite", TFA_DOC_ERROR, &st->v[pw], "make this line "
			    "requisite (or use Debian's common-auth: [success=1 default=ignore] "
			    "then requisite pam_deny.so)",
			    "%s: a wrong password to %s does not end the stack before pam_twofactor: "
			    "the code is asked for (and a phone can be enrolled) anyway", svc,
			    st->v[pw].module);
			bad++;
		}
	}
	if (has_arg(m->args, "use_first_pass")) {
		say(rp, "pam.use_first_pass", TFA_DOC_ERROR, m, "remove use_first_pass (try_first_"
		    "pass if an earlier module really leaves a code in PAM_AUTHTOK)",
		    "%s: pam_twofactor use_first_pass takes the code from PAM_AUTHTOK, which "
		    "holds the password %s read: every login fails", svc, st->v[pw].module);
		bad++;
	}
	return bad;
}

static int is_service_file(const char *name)
{
	return name[0] != '.' && strncmp(name, "common-", 7) != 0 &&
	       strchr(name, '~') == NULL && strstr(name, ".dpkg-") == NULL &&
	       strcmp(name, "other") != 0;
}

TFA_API tfa_rc tfa_doctor_pam(const char *pamdir, tfa_doc_report *r)
{
	reporter rp = { r, r->n };
	struct dirent **names = NULL;
	stack *st;
	unsigned users = 0, bad = 0;
	int n, i;
	size_t k, t;

	st = malloc(sizeof(*st));
	if (st == NULL)
		return TFA_ENOMEM;
	/* common-auth on its own: services= */
	st->n = 0;
	load(pamdir, "common-auth", 0, st);
	for (k = 0; k < st->n; k++) {
		if (strcmp(st->v[k].module, MOD) == 0 && !has_arg(st->v[k].args, "services=")) {
			say(&rp, "pam.common_auth", TFA_DOC_ERROR, &st->v[k],
			    "add services=sshd,sudo,login,su to the line (the pam-auth-update "
			    "profile does: pam-auth-update --enable twofactor)",
			    "common-auth: pam_twofactor without services=: every program using "
			    "common-auth runs it; screen lockers and other programs running as the "
			    "user cannot read the store and fail closed");
			bad++;
		}
	}
	n = scandir(pamdir, &names, NULL, alphasort);
	if (n < 0) {
		(void)tfa_doc_add(r, "pam.dir", TFA_DOC_WARN, pamdir, 0, "run as root",
				  "cannot read the PAM directory %s", pamdir);
		goto out;
	}
	for (i = 0; i < n; i++) {
		const char *svc = names[i]->d_name;

		if (!is_service_file(svc))
			continue;
		st->n = 0;
		load(pamdir, svc, 0, st);
		for (t = 0; t < st->n && strcmp(st->v[t].module, MOD) != 0; t++)
			;
		if (t == st->n)
			continue;
		if (has_arg(st->v[t].args, "services=") && !service_listed(st->v[t].args, svc))
			continue;       /* the module does not act here */
		users++;
		if (in_list(nonroot_services, svc)) {
			say(&rp, "pam.nonroot", TFA_DOC_ERROR, &st->v[t], "give the module "
			    "services= without this service, or take it out of this stack",
			    "%s: this program authenticates without root rights; the module "
			    "cannot read the store there and fails closed", svc);
			bad++;
		}
		bad += (unsigned)check_stack(&rp, svc, st, t);
	}
	if (users == 0)
		(void)tfa_doc_add(r, "pam.stacks", TFA_DOC_WARN, pamdir, 0,
				  "pam-auth-update --enable twofactor (or add \"auth required "
				  "pam_twofactor.so\" after @include common-auth in /etc/pam.d/sshd)",
				  "no PAM service in %s runs pam_twofactor: no login asks for a code",
				  pamdir);
	else if (bad == 0)
		(void)tfa_doc_add(r, "pam.stacks", TFA_DOC_OK, pamdir, 0, NULL,
				  "%u PAM services run pam_twofactor after the password, which "
				  "ends the stack when wrong", users);
out:
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(st);
	return r->oom ? TFA_ENOMEM : TFA_OK;
}
