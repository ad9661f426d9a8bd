/* SPDX-License-Identifier: BSD-2-Clause */
/* username.c - user and group names through NSS (see username.h). */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "username.h"

#define NSS_BUF_START 1024

/* The reason for an NSS result @e, thread-safe. */
static const char *nss_reason(int e, char *buf, size_t len)
{
	if (e == ERANGE)
		return "the entry does not fit the largest buffer allowed";
	return strerror_r(e, buf, len);
}

/* 1 if @e means "no such entry" (getpwnam(3): 0 with no entry; some NSS
 * modules say ENOENT or ESRCH). */
static int not_found(int e)
{
	return e == 0 || e == ENOENT || e == ESRCH;
}

/* The error number of a get*nam_r result: some implementations (e.g.
 * nss_wrapper) return -1 and set errno instead of returning it. */
static int fix_result(int e)
{
	if (e >= 0)
		return e;
	return errno != 0 ? errno : EIO;
}

/* One NSS lookup of @name into @ent with buffer @buf of @len bytes; 0 or
 * an error number, *@found 1 when there is an entry. */
typedef int (*nss_fn)(const char *name, void *ent, char *buf, size_t len, int *found);

static int pw_fn(const char *name, void *ent, char *buf, size_t len, int *found)
{
	struct passwd *res = NULL;
	int e = fix_result(getpwnam_r(name, ent, buf, len, &res));

	*found = e == 0 && res != NULL;
	return e;
}

static int gr_fn(const char *name, void *ent, char *buf, size_t len, int *found)
{
	struct group *res = NULL;
	int e = fix_result(getgrnam_r(name, ent, buf, len, &res));

	*found = e == 0 && res != NULL;
	return e;
}

/* @fn with a buffer grown on ERANGE. *@found = 1 with *@buf (free it)
 * backing @ent; 0 when there is no such entry. -1 with *@eno on error. */
static int nss_lookup(nss_fn fn, const char *name, void *ent, char **buf, int *found, int *eno)
{
	size_t len = NSS_BUF_START;
	int e;

	*buf = NULL;
	*found = 0;
	for (;;) {
		char *nbuf = realloc(*buf, len);

		if (nbuf == NULL) {
			e = ENOMEM;
			break;
		}
		*buf = nbuf;
		errno = 0;
		e = fn(name, ent, *buf, len, found);
		if (e != ERANGE || len >= TFA_NSS_BUF_MAX)
			break;
		len *= 2;
	}
	if (e == 0 && *found)
		return 0;
	*found = 0;
	free(*buf);
	*buf = NULL;
	if (not_found(e))
		return 0;
	*eno = e;
	return -1;
}

static int pw_lookup(const char *name, struct passwd *pw, char **buf, int *found, int *eno)
{
	return nss_lookup(pw_fn, name, pw, buf, found, eno);
}

static int gr_lookup(const char *name, struct group *gr, char **buf, int *found, int *eno)
{
	return nss_lookup(gr_fn, name, gr, buf, found, eno);
}

TFA_API tfa_rc tfa_user_resolve(const char *given, char *canon, size_t len, int *known,
				tfa_err *err)
{
	char esc[4 * TFA_USER_MAX + 1], why[128];
	struct passwd pw;
	char *buf = NULL;
	int found = 0, e = 0;
	tfa_rc rc = TFA_OK;

	*known = 0;
	if (len > 0)
		canon[0] = '\0';
	tfa_escape(given, esc, sizeof(esc));
	if (!tfa_user_valid(given))
		return tfa_err_set(err, TFA_EINVAL, "invalid user name \"%s\"", esc);
	if (pw_lookup(given, &pw, &buf, &found, &e) != 0)
		return tfa_err_set(err, TFA_ELOOKUP, "looking up user \"%s\" failed: %s", esc,
				   nss_reason(e, why, sizeof(why)));
	if (!found) {
		if (strlen(given) >= len)
			return tfa_err_set(err, TFA_EINVAL, "user name \"%s\" is too long", esc);
		memcpy(canon, given, strlen(given) + 1);
		return TFA_OK;
	}
	if (!tfa_user_valid(pw.pw_name) || strlen(pw.pw_name) >= len) {
		tfa_escape(pw.pw_name, why, sizeof(why));
		rc = tfa_err_set(err, TFA_ELOOKUP, "looking up user \"%s\" failed: the system"
				 " returned the unusable name \"%s\"", esc, why);
		goto out;
	}
	memcpy(canon, pw.pw_name, strlen(pw.pw_name) + 1);
	*known = 1;
out:
	free(buf);
	return rc;
}

TFA_API tfa_rc tfa_group_lookup(const char *name, int *known, tfa_err *err)
{
	char esc[256], why[128];
	struct group gr;
	char *buf = NULL;
	int e = 0;

	*known = 0;
	if (gr_lookup(name, &gr, &buf, known, &e) != 0) {
		tfa_escape(name, esc, sizeof(esc));
		return tfa_err_set(err, TFA_ELOOKUP, "looking up group \"%s\" failed: %s", esc,
				   nss_reason(e, why, sizeof(why)));
	}
	free(buf);
	return TFA_OK;
}

/* The supplementary and primary groups of the user @pw. */
static tfa_rc group_list(const struct passwd *pw, gid_t **gids, int *ngids, tfa_err *err)
{
	char esc[4 * TFA_USER_MAX + 1];
	int n = 64;

	*gids = NULL;
	*ngids = 0;
	for (;;) {
		gid_t *grown = realloc(*gids, (size_t)n * sizeof(**gids));
		int want = n;

		if (grown == NULL)
			return tfa_err_set(err, TFA_ENOMEM, "out of memory");
		*gids = grown;
		if (getgrouplist(pw->pw_name, pw->pw_gid, *gids, &want) >= 0) {
			*ngids = want;
			return TFA_OK;
		}
		/* -1: the array is too small; want says how many there are */
		if (n >= TFA_NSS_GROUPS_MAX)
			break;
		n = want > n ? want : 2 * n;
		if (n > TFA_NSS_GROUPS_MAX)
			n = TFA_NSS_GROUPS_MAX;
	}
	tfa_escape(pw->pw_name, esc, sizeof(esc));
	return tfa_err_set(err, TFA_ELOOKUP, "looking up the groups of user \"%s\" failed:"
			   " more than %d groups", esc, TFA_NSS_GROUPS_MAX);
}

/* Is @gr one of the user's groups (@gids), or, for a user NSS does not
 * know (@gids NULL), is @user in its member list? */
static int has_group(const struct group *gr, const char *user, const gid_t *gids, int ngids)
{
	char *const *m;
	int i;

	if (gids != NULL) {
		for (i = 0; i < ngids; i++)
			if (gids[i] == gr->gr_gid)
				return 1;
		return 0;
	}
	for (m = gr->gr_mem; m != NULL && *m != NULL; m++)
		if (strcmp(*m, user) == 0)
			return 1;
	return 0;
}

TFA_API tfa_rc tfa_user_in_groups(const char *user, const char *groups, int *member,
				  char *group, size_t grouplen, tfa_err *err)
{
	char esc[4 * TFA_USER_MAX + 1], why[128], name[256];
	struct passwd pw;
	char *pwbuf = NULL;
	gid_t *gids = NULL;
	int ngids = 0, found = 0, e = 0;
	const char *g = groups;
	tfa_rc rc = TFA_OK;

	*member = 0;
	if (grouplen > 0)
		group[0] = '\0';
	if (groups == NULL || *groups == '\0')
		return TFA_OK;
	if (pw_lookup(user, &pw, &pwbuf, &found, &e) != 0) {
		tfa_escape(user, esc, sizeof(esc));
		return tfa_err_set(err, TFA_ELOOKUP, "looking up user \"%s\" failed: %s", esc,
				   nss_reason(e, why, sizeof(why)));
	}
	if (found && (rc = group_list(&pw, &gids, &ngids, err)) != TFA_OK)
		goto out;
	while (*g != '\0' && !*member) {
		const char *comma = strchr(g, ',');
		size_t len = comma != NULL ? (size_t)(comma - g) : strlen(g);
		struct group gr;
		char *grbuf = NULL;
		int exists = 0;

		g += len + (comma != NULL ? 1 : 0);
		if (len == 0 || len >= sizeof(name))
			continue;
		memcpy(name, g - len - (comma != NULL ? 1 : 0), len);
		name[len] = '\0';
		if (gr_lookup(name, &gr, &grbuf, &exists, &e) != 0) {
			tfa_escape(name, esc, sizeof(esc));
			rc = tfa_err_set(err, TFA_ELOOKUP, "looking up group \"%s\" (required_groups)"
					 " failed: %s", esc, nss_reason(e, why, sizeof(why)));
			goto out;
		}
		if (exists && has_group(&gr, user, found ? gids : NULL, ngids)) {
			*member = 1;
			(void)snprintf(group, grouplen, "%s", name);
		}
		free(grbuf);
	}
out:
	free(gids);
	free(pwbuf);
	return rc;
}
