/* SPDX-License-Identifier: BSD-2-Clause */
/* context.c - opening a store with its policy: the handle every front end
 * holds (auth.h). */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "context.h"
#include "store_backend.h"

TFA_API int tfa_ctx_store_is_uri(const char *store)
{
	return tfa_store_is_pg_uri(store);
}

TFA_API tfa_rc tfa_ctx_store_check(const char *store, tfa_err *err)
{
	if (store == NULL || store[0] == '\0')
		return tfa_err_set(err, TFA_EINVAL, "the store setting is empty");
	if (!tfa_store_is_pg_uri(store))
		return store[0] == '/' ? TFA_OK :
		       tfa_err_set(err, TFA_EINVAL, "the store must be an absolute path or a"
				   " postgresql:// URI");
#ifdef HAVE_LIBPQ
	return tfa_pg_uri_check(store, err);
#else
	return tfa_err_set(err, TFA_EINVAL, "the store is a PostgreSQL URI, but this build has"
			   " no PostgreSQL support (configure --with-postgresql, libpq-dev)");
#endif
}

TFA_API tfa_rc tfa_ctx_open(const char *store, const char *keyfile, unsigned flags,
			    const char *source, tfa_ctx **out, tfa_err *err)
{
	return tfa_ctx_open_ex(store, keyfile, flags, source, out, NULL, err);
}

TFA_API tfa_rc tfa_ctx_open_ex(const char *store, const char *keyfile, unsigned flags,
			       const char *source, tfa_ctx **out, int *absent, tfa_err *err)
{
	return tfa_ctx_open_keys(store, keyfile, NULL, flags, source, out, absent, err);
}

TFA_API tfa_rc tfa_ctx_open_keys(const char *store, const char *keyfile,
				 const char *keyfile_next, unsigned flags, const char *source,
				 tfa_ctx **out, int *absent, tfa_err *err)
{
	unsigned sflags = 0;
	tfa_ctx *c;
	tfa_rc rc;

	*out = NULL;
	if (absent != NULL)
		*absent = 0;
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return tfa_err_set(err, TFA_ENOMEM, "out of memory");
	(void)snprintf(c->source, sizeof(c->source), "%s", source != NULL ? source : "");
	if ((flags & TFA_OPEN_CREATE) != 0)
		sflags |= TFA_STORE_CREATE;
	if ((flags & TFA_OPEN_READONLY) != 0)
		sflags |= TFA_STORE_READONLY;
	if ((flags & TFA_OPEN_NOKEY) != 0)
		sflags |= TFA_STORE_NOKEY;
	if ((flags & TFA_OPEN_UPGRADE) != 0)
		sflags |= TFA_STORE_UPGRADE;
	if ((flags & TFA_OPEN_LOGIN) != 0)
		sflags |= TFA_STORE_LOGIN;
	rc = tfa_store_open_keys(store, keyfile, keyfile_next, sflags, &c->store, absent, err);
	if (rc != TFA_OK)
		goto out;
	if ((flags & TFA_OPEN_NOPOLICY) != 0) {
		rc = tfa_policy_defaults(&c->policy) == TFA_OK ? TFA_OK :
		     tfa_err_set(err, TFA_ENOMEM, "out of memory");
	} else {
		c->policy_from_store = 1;
		/* the version first: a change in between reloads once more */
		rc = tfa_store_data_version(c->store, &c->data_version, err);
		if (rc == TFA_OK)
			rc = tfa_policy_load(c->store, &c->policy, err);
	}
	if (rc != TFA_OK)
		goto out;
	*out = c;
	c = NULL;
out:
	tfa_ctx_close(c);
	return rc;
}

TFA_API tfa_rc tfa_ctx_refresh(tfa_ctx *c, tfa_err *err)
{
	tfa_policy fresh;
	int64_t v = 0;
	int changed = 0;
	tfa_rc rc;

	/* a resident host (RADIUS) must not keep using a file that
	 * tfa-admin restore or an admin replaced */
	if (tfa_store_replaced(c->store))
		return tfa_err_set(err, TFA_ENOENT, "store %s was replaced or removed since it"
				   " was opened", tfa_store_path(c->store));
	if (!c->policy_from_store)
		return TFA_OK;
	rc = tfa_store_data_version(c->store, &v, err);
	if (rc != TFA_OK || v == c->data_version)
		return rc;
	/* tfa-admin rekey since the open: every secret is sealed under
	 * another key now; the host opens the store again (with
	 * keyfile_next, the new key is then the one in use) */
	rc = tfa_store_key_changed(c->store, &changed, err);
	if (rc != TFA_OK)
		return rc;
	if (changed)
		return tfa_err_set(err, TFA_ENOENT, "store %s was re-keyed (tfa-admin rekey) since"
				   " it was opened", tfa_store_path(c->store));
	rc = tfa_policy_load(c->store, &fresh, err);
	if (rc != TFA_OK)
		return rc;
	tfa_policy_free(&c->policy);
	c->policy = fresh;
	c->data_version = v;
	return TFA_OK;
}

TFA_API void tfa_ctx_close(tfa_ctx *c)
{
	if (c == NULL)
		return;
	tfa_store_close(c->store);
	tfa_policy_free(&c->policy);
	free(c);
}

TFA_API const tfa_policy *tfa_ctx_policy(const tfa_ctx *c)
{
	return &c->policy;
}

TFA_API void tfa_ctx_schema(const tfa_ctx *c, int *found, int *current)
{
	tfa_store_schema(c->store, found, current);
}

TFA_API const char *tfa_ctx_store_path(const tfa_ctx *c)
{
	return tfa_store_path(c->store);
}

TFA_API tfa_rc tfa_ctx_audit(tfa_ctx *c, const char *user, const char *event, const char *fmt,
			     ...)
{
	char raw[200];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	return tfa_audit(c->store, user, event, "%s%s%s", c->source,
			 c->source[0] != '\0' && raw[0] != '\0' ? " " : "", raw);
}
