/* SPDX-License-Identifier: BSD-2-Clause */
/* rekey.c - the front ends' key rotation call (admin.h tfa_rekey): the new
 * key file loaded (or created as init creates one) and the audit row; the
 * re-encryption is store/store_rekey.c and store/pg_rekey.c. */
#include "config.h"

#include <stdio.h>
#include <unistd.h>

#include "admin.h"
#include "audit.h"
#include "context.h"
#include "crypto.h"

TFA_API tfa_rc tfa_rekey(tfa_ctx *c, const char *newkeyfile, unsigned *tokens, int *created,
			 tfa_err *err)
{
	char esc[160], detail[200];
	tfa_audit_rec audit;
	tfa_key key;
	int absent = 0, made = 0;
	tfa_rc rc;

	*tokens = 0;
	*created = 0;
	if (newkeyfile == NULL || *newkeyfile == '\0')
		return tfa_err_set(err, TFA_EINVAL, "no new key file given");
	/* an existing file must pass the key file rules; a missing one is made
	 * as init makes the key (random, 0600, parents 0700) */
	rc = tfa_key_load(newkeyfile, 0, &key, &absent, err);
	if (rc != TFA_OK && absent && access(newkeyfile, F_OK) != 0) {
		rc = tfa_key_load(newkeyfile, 1, &key, NULL, err);
		made = rc == TFA_OK;
	}
	if (rc != TFA_OK)
		goto out;
	tfa_escape(newkeyfile, esc, sizeof(esc));
	(void)snprintf(detail, sizeof(detail), "to key file %s", esc);
	tfa_audit_rec_set(&audit, TFA_EV_REKEY, c->source, detail);
	rc = tfa_store_rekey(c->store, &key, &audit, tokens, err);
	if (rc != TFA_OK && made)
		(void)unlink(newkeyfile);   /* ours, never used: leave nothing behind */
out:
	tfa_key_wipe(&key);
	if (rc == TFA_OK)
		*created = made;
	return rc;
}
