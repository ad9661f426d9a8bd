/* SPDX-License-Identifier: BSD-2-Clause */
/* doctor_report.c - the list of checks `tfa-admin doctor` prints. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doctor.h"

TFA_API tfa_rc tfa_doc_add(tfa_doc_report *r, const char *id, tfa_doc_level level,
			   const char *file, unsigned line, const char *fix, const char *fmt, ...)
{
	tfa_doc_check *c;
	va_list ap;

	if (r->n == r->cap) {
		size_t cap = r->cap == 0 ? 32 : r->cap * 2;
		tfa_doc_check *v = realloc(r->v, cap * sizeof(*v));

		if (v == NULL) {
			r->oom = 1;
			return TFA_ENOMEM;
		}
		r->v = v;
		r->cap = cap;
	}
	c = &r->v[r->n++];
	memset(c, 0, sizeof(*c));
	(void)snprintf(c->id, sizeof(c->id), "%s", id);
	c->level = level;
	(void)snprintf(c->fix, sizeof(c->fix), "%s", fix != NULL ? fix : "");
	(void)snprintf(c->file, sizeof(c->file), "%s", file != NULL ? file : "");
	c->line = line;
	va_start(ap, fmt);
	(void)vsnprintf(c->message, sizeof(c->message), fmt, ap);
	va_end(ap);
	return TFA_OK;
}

TFA_API tfa_doc_level tfa_doc_worst(const tfa_doc_report *r)
{
	tfa_doc_level w = TFA_DOC_OK;
	size_t i;

	for (i = 0; i < r->n; i++)
		if (r->v[i].level > w)
			w = r->v[i].level;
	return w;
}

TFA_API const char *tfa_doc_level_name(tfa_doc_level level)
{
	switch (level) {
	case TFA_DOC_OK:
		return "ok";
	case TFA_DOC_WARN:
		return "warn";
	default:
		return "error";
	}
}

TFA_API void tfa_doc_report_free(tfa_doc_report *r)
{
	free(r->v);
	memset(r, 0, sizeof(*r));
}
