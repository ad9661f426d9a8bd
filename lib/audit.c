/* SPDX-License-Identifier: BSD-2-Clause */
/* audit.c - appending to the audit trail. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "store.h"

TFA_API tfa_rc tfa_audit(tfa_store *st, const char *user, const char *event,
			 const char *fmt, ...)
{
	char raw[256], detail[256];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	tfa_escape(raw, detail, sizeof(detail));
	return tfa_store_audit_add(st, user, event, detail, NULL);
}

TFA_API void tfa_audit_rec_set(tfa_audit_rec *a, const char *event, const char *source,
			       const char *detail)
{
	memset(a, 0, sizeof(*a));
	(void)snprintf(a->event, sizeof(a->event), "%s", event);
	(void)snprintf(a->detail, sizeof(a->detail), "%.63s%s%.180s", source,
		       *source != '\0' && *detail != '\0' ? " " : "", detail);
}
