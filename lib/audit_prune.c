/* audit_prune.c - audit retention (policy key audit_keep_days). */
#include "config.h"

#include <stdio.h>
#include <time.h>

#include "audit.h"

TFA_API tfa_rc tfa_audit_prune(tfa_store *st, unsigned keep_days, int64_t now, unsigned *pruned,
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
	return tfa_store_audit_prune(st, before, note, pruned, err);
}
