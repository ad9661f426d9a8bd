/* audit.c - appending to the audit trail. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>

#include "audit.h"
#include "store_internal.h"

TFA_API tfa_rc tfa_audit(tfa_store *st, const char *user, const char *event,
			 const char *fmt, ...)
{
	char raw[256], detail[256];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	tfa_escape(raw, detail, sizeof(detail));
	return tfa_db_audit_insert(st, user, event, detail, NULL);
}
