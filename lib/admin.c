/* SPDX-License-Identifier: BSD-2-Clause */
/* admin.c - the front ends' calls on users, tokens, cards, imports and the
 * audit trail (admin.h): each checks its arguments, names the context's
 * source in the audit row and hands the change and its row to one store
 * transaction. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "admin.h"
#include "audit.h"
#include "card.h"
#include "context.h"
#include "recovery.h"
#include "secret.h"

struct tfa_import {
	tfa_store_import *s;
	tfa_ctx *c;
	tfa_token_key key;      /* the key of the line tfa_import_oath parsed last */
	int have_key;
};

static tfa_rc check_user(const char *user, tfa_err *err)
{
	if (user == NULL || !tfa_user_valid(user))
		return tfa_err_set(err, TFA_EINVAL, "invalid user name");
	return TFA_OK;
}

TFA_API tfa_rc tfa_user_set_required(tfa_ctx *c, const char *user, tfa_req req, tfa_err *err)
{
	tfa_audit_rec audit;
	tfa_rc rc = check_user(user, err);

	if (rc != TFA_OK)
		return rc;
	tfa_audit_rec_set(&audit, TFA_EV_REQUIRED, "",
			  req == TFA_REQ_ON ? "on" : req == TFA_REQ_OFF ? "off" : "default");
	return tfa_store_user_set_required(c->store, user, req, &audit, err);
}

TFA_API tfa_rc tfa_user_unlock(tfa_ctx *c, const char *user, tfa_err *err)
{
	tfa_audit_rec audit;
	char detail[100];
	tfa_rc rc = check_user(user, err);

	if (rc != TFA_OK)
		return rc;
	(void)snprintf(detail, sizeof(detail), "failures and lockout cleared (%.63s)", c->source);
	tfa_audit_rec_set(&audit, TFA_EV_UNLOCK, "", detail);
	return tfa_store_user_unlock(c->store, user, &audit, err);
}

TFA_API tfa_rc tfa_user_reset(tfa_ctx *c, const char *user, unsigned *revoked, unsigned *codes,
			      tfa_err *err)
{
	unsigned local = 0;
	tfa_rc rc = check_user(user, err);

	if (revoked == NULL)
		revoked = &local;
	*revoked = 0;
	if (rc != TFA_OK)
		return rc;
	return tfa_store_user_reset(c->store, user, revoked, codes, c->source, err);
}

TFA_API tfa_rc tfa_user_tokens(tfa_ctx *c, const char *user, tfa_token **toks, size_t *n,
			       tfa_err *err)
{
	tfa_rc rc = check_user(user, err);

	*toks = NULL;
	*n = 0;
	if (rc != TFA_OK)
		return rc;
	return tfa_store_token_list(c->store, user, toks, n, NULL, err);
}

TFA_API tfa_rc tfa_users_each(tfa_ctx *c, tfa_user_cb cb, void *arg, tfa_err *err)
{
	return tfa_store_user_list(c->store, cb, arg, err);
}

TFA_API tfa_rc tfa_audit_each(tfa_ctx *c, const char *user, int64_t since, tfa_audit_cb cb,
			      void *arg, tfa_err *err)
{
	return tfa_store_audit_list(c->store, user, since, cb, arg, err);
}

TFA_API tfa_rc tfa_audit_prune(tfa_ctx *c, unsigned keep_days, int64_t now, unsigned *pruned,
			       int64_t *cutoff, tfa_err *err)
{
	char note[96], when[40];
	struct tm tm;
	int64_t before;
	time_t tt;

	*pruned = 0;
	if (cutoff != NULL)
		*cutoff = 0;
	if (keep_days == 0)
		return TFA_OK;
	before = now - (int64_t)keep_days * 86400;
	if (cutoff != NULL)
		*cutoff = before;
	tt = (time_t)before;
	if (gmtime_r(&tt, &tm) == NULL || strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		(void)snprintf(when, sizeof(when), "unix time %lld", (long long)before);
	(void)snprintf(note, sizeof(note), "older than %s (audit_keep_days=%u)", when, keep_days);
	return tfa_store_audit_prune(c->store, before, note, pruned, err);
}

TFA_API tfa_rc tfa_store_check(tfa_ctx *c, char *result, size_t len, tfa_err *err)
{
	return tfa_store_integrity(c->store, result, len, err);
}

/* ---- cards ---- */

TFA_API tfa_rc tfa_cards_add(tfa_ctx *c, tfa_card_set *cards, const char *file,
			     tfa_card_dup_fn dup, void *arg, tfa_err *err)
{
	if (cards == NULL)
		return tfa_err_set(err, TFA_EINVAL, "no cards");
	return tfa_store_cards_add(c->store, cards->toks, cards->keys, cards->n, file, dup, arg,
				   err);
}

TFA_API tfa_rc tfa_cards_each(tfa_ctx *c, tfa_token_cb cb, void *arg, tfa_err *err)
{
	return tfa_store_card_list(c->store, cb, arg, err);
}

TFA_API tfa_rc tfa_card_assign(tfa_ctx *c, const char *serial, const char *user, tfa_token *out,
			       tfa_err *err)
{
	tfa_rc rc = check_user(user, err);

	if (rc != TFA_OK)
		return rc;
	return tfa_store_card_assign(c->store, serial, user, c->source, out, err);
}

TFA_API tfa_rc tfa_card_unassign(tfa_ctx *c, const char *serial, tfa_token *out, tfa_err *err)
{
	return tfa_store_card_unassign(c->store, serial, c->source, out, err);
}

/* ---- imports ---- */

TFA_API tfa_rc tfa_import_begin(tfa_ctx *c, const char *what, tfa_import **out, tfa_err *err)
{
	tfa_import *imp;
	tfa_rc rc;

	*out = NULL;
	imp = calloc(1, sizeof(*imp));
	if (imp == NULL)
		return tfa_err_set(err, TFA_ENOMEM, "out of memory");
	imp->c = c;
	rc = tfa_store_import_begin(c->store, what, &imp->s, err);
	if (rc != TFA_OK) {
		free(imp);
		return rc;
	}
	*out = imp;
	return TFA_OK;
}

static void import_forget_key(tfa_import *imp)
{
	tfa_wipe(&imp->key, sizeof(imp->key));
	imp->have_key = 0;
}

TFA_API int tfa_import_oath(tfa_import *imp, const char *line, tfa_token *out, char *why,
			    size_t whylen)
{
	int r;

	if (imp == NULL) {
		memset(out, 0, sizeof(*out));
		(void)snprintf(why, whylen, "no import in progress");
		return -1;
	}
	r = tfa_import_oath_line(line, out, &imp->key, why, whylen);
	imp->have_key = r > 0;
	return r;
}

TFA_API tfa_rc tfa_import_token(tfa_import *imp, tfa_token *tok, tfa_err *err)
{
	tfa_rc rc;

	if (imp == NULL)
		return tfa_err_set(err, TFA_EINVAL, "no import in progress");
	if (!imp->have_key)
		return tfa_err_set(err, TFA_EINVAL, "no parsed token to import");
	rc = tfa_store_import_token(imp->s, tok, &imp->key, err);
	import_forget_key(imp);
	return rc;
}

TFA_API tfa_rc tfa_import_commit(tfa_import *imp, unsigned long *users, tfa_err *err)
{
	unsigned long local = 0;
	tfa_rc rc;

	if (imp == NULL)
		return tfa_err_set(err, TFA_EINVAL, "no import in progress");
	rc = tfa_store_import_commit(imp->s, users != NULL ? users : &local, err);
	import_forget_key(imp);
	free(imp);
	return rc;
}

TFA_API void tfa_import_abort(tfa_import *imp)
{
	if (imp == NULL)
		return;
	tfa_store_import_abort(imp->s);
	import_forget_key(imp);
	free(imp);
}

TFA_API tfa_rc tfa_import_ga_store(tfa_ctx *c, tfa_import_ga *ga, tfa_err *err)
{
	const char *codes[TFA_IMPORT_GA_MAX_SCRATCH];
	tfa_recovery_rec *recs = NULL;
	tfa_import *imp = NULL;
	tfa_audit_rec audit;
	unsigned i;
	tfa_rc rc;

	for (i = 0; i < ga->nscratch; i++)
		codes[i] = ga->scratch[i];
	/* hash first (slow), then one short transaction for token and codes */
	if (ga->nscratch > 0) {
		rc = tfa_recovery_hash_given(c, ga->tok.user, codes, ga->nscratch, &recs, err);
		if (rc != TFA_OK)
			return rc;
	}
	rc = tfa_import_begin(c, "google-authenticator", &imp, err);
	if (rc == TFA_OK && imp != NULL)
		rc = tfa_store_import_token(imp->s, &ga->tok, &ga->key, err);
	if (rc == TFA_OK && imp != NULL && ga->nscratch > 0) {
		tfa_recovery_audit(&audit, c->source, ga->nscratch);
		rc = tfa_store_import_recovery(imp->s, ga->tok.user, recs, ga->nscratch, &audit, err);
	}
	if (rc == TFA_OK) {
		rc = tfa_import_commit(imp, NULL, err);
		imp = NULL;
	}
	tfa_import_abort(imp);
	tfa_recovery_recs_free(recs, ga->nscratch);
	return rc;
}
