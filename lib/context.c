/* SPDX-License-Identifier: BSD-2-Clause */
/* context.c - opening a store with its policy: the handle every front end
 * holds (auth.h). */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "audit.h"
#include "context.h"

TFA_API tfa_rc tfa_ctx_open(const char *store, const char *keyfile, unsigned flags,
			    const char *source, tfa_ctx **out, tfa_err *err)
{
	return tfa_ctx_open_ex(store, keyfile, flags, source, out, NULL, err);
}

TFA_API tfa_rc tfa_ctx_open_ex(const char *store, const char *keyfile, unsigned flags,
			       const char *source, tfa_ctx **out, int *absent, tfa_err *err)
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
	if ((flags & TFA_OPEN_LOGIN) != 0)
		sflags |= TFA_STORE_LOGIN;
	rc = tfa_store_open_ex(store, keyfile, sflags, &c->store, absent, err);
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
	tfa_rc rc;

	if (!c->policy_from_store)
		return TFA_OK;
	rc = tfa_store_data_version(c->store, &v, err);
	if (rc != TFA_OK || v == c->data_version)
		return rc;
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
