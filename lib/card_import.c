/* SPDX-License-Identifier: BSD-2-Clause */
/* card_import.c - token-card files into unassigned token records
 * (card.h): what both formats share - the result array with its duplicate
 * check by serial, problem reports, serial rules. The formats are in
 * card_pskc.c and card_csv.c. Pure: no store, no file I/O. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "card_internal.h"
#include "secret.h"

void tfa_card_report(struct card_out *o, size_t pos, const char *serial, const char *fmt, ...)
{
	char why[256];
	va_list ap;

	o->bad++;
	if (o->fn == NULL)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	o->fn(pos, serial != NULL ? serial : "", why, o->ctx);
}

static size_t hash(const char *s)
{
	size_t h = 2166136261u;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* the slot holding @serial, or the empty slot where it would go */
static size_t *find_slot(const struct card_out *o, const char *serial)
{
	size_t mask = o->cap * 2 - 1, i = hash(serial) & mask;

	while (o->slot[i] != 0 && strcmp(o->t[o->slot[i] - 1].serial, serial) != 0)
		i = (i + 1) & mask;
	return &o->slot[i];
}

/* room for one more token (arrays doubled, the old keys wiped) */
static tfa_rc grow(struct card_out *o)
{
	size_t cap = o->cap != 0 ? o->cap * 2 : 16, i;
	tfa_token *t;
	tfa_token_key *k;
	size_t *pos, *slot;

	if (o->n < o->cap)
		return TFA_OK;
	t = realloc(o->t, cap * sizeof(*t));
	if (t != NULL)
		o->t = t;
	pos = realloc(o->pos, cap * sizeof(*pos));
	if (pos != NULL)
		o->pos = pos;
	k = calloc(cap, sizeof(*k));
	slot = calloc(cap * 2, sizeof(*slot));
	if (t == NULL || pos == NULL || k == NULL || slot == NULL) {
		free(k);
		free(slot);
		return TFA_ENOMEM;
	}
	if (o->n > 0)
		memcpy(k, o->k, o->n * sizeof(*k));
	tfa_token_keys_free(o->k, o->cap);
	free(o->slot);
	o->k = k;
	o->slot = slot;
	o->cap = cap;
	for (i = 0; i < o->n; i++)
		*find_slot(o, t[i].serial) = i + 1;
	return TFA_OK;
}

/* add a good card, unless its serial came earlier (then it is reported) */
tfa_rc tfa_card_add(struct card_out *o, size_t pos, const char *serial, tfa_token_type type,
		  otp_alg alg, unsigned digits, unsigned period, uint64_t counter,
		  const void *secret, size_t secret_len)
{
	tfa_token *t;
	size_t *s;

	if (o->cap != 0) {
		s = find_slot(o, serial);
		if (*s != 0) {
			tfa_card_report(o, pos, serial, "duplicate serial (first at %s %zu)", o->unit,
			       o->pos[*s - 1]);
			return TFA_OK;
		}
	}
	if (grow(o) != TFA_OK)
		return TFA_ENOMEM;
	t = &o->t[o->n];
	memset(t, 0, sizeof(*t));
	memcpy(o->k[o->n].bytes, secret, secret_len);
	o->k[o->n].len = secret_len;
	t->type = type;
	t->state = TFA_STATE_UNASSIGNED;
	t->alg = alg;
	t->digits = digits;
	t->period = period;
	t->counter = counter;
	t->last_step = -1;
	(void)snprintf(t->serial, sizeof(t->serial), "%s", serial);
	o->pos[o->n] = pos;
	*find_slot(o, serial) = ++o->n;
	return TFA_OK;
}

tfa_rc tfa_card_finish(struct card_out *o, tfa_rc rc, tfa_card_set *out, size_t *bad,
		       tfa_err *err)
{
	free(o->slot);
	*bad = o->bad;
	if (rc == TFA_ENOMEM)
		(void)tfa_err_set(err, rc, "out of memory");
	if (rc != TFA_OK || o->n == 0) {
		tfa_tokens_free(o->t, o->cap);
		tfa_token_keys_free(o->k, o->cap);
		free(o->pos);
		return rc;
	}
	out->toks = o->t;
	out->keys = o->k;
	out->pos = o->pos;
	out->n = o->n;
	return TFA_OK;
}

TFA_API void tfa_card_set_free(tfa_card_set *s)
{
	if (s == NULL)
		return;
	tfa_tokens_free(s->toks, s->n);
	tfa_token_keys_free(s->keys, s->n);
	free(s->pos);
	memset(s, 0, sizeof(*s));
}

tfa_rc tfa_card_start(struct card_out *o, const char *unit, tfa_card_problem_fn fn, void *ctx,
		      tfa_card_set *out, size_t *bad)
{
	memset(o, 0, sizeof(*o));
	o->fn = fn;
	o->ctx = ctx;
	o->unit = unit;
	if (out == NULL || bad == NULL)
		return TFA_EINVAL;
	memset(out, 0, sizeof(*out));
	*bad = 0;
	return TFA_OK;
}

TFA_API int tfa_serial_valid(const char *s)
{
	size_t i;

	if (s == NULL || s[0] == '\0')
		return 0;
	for (i = 0; s[i] != '\0'; i++)
		if (i >= TFA_SERIAL_MAX ||
		    (strchr("._:/-", s[i]) == NULL &&
		     !(s[i] >= 'a' && s[i] <= 'z') && !(s[i] >= 'A' && s[i] <= 'Z') &&
		     !(s[i] >= '0' && s[i] <= '9')))
			return 0;
	return 1;
}

int tfa_card_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* [p, p+n) trimmed of white space into @out: -1 nothing there, 0 not a valid
 * serial, 1 valid */
int tfa_card_serial(const char *p, size_t n, char out[TFA_SERIAL_MAX + 1])
{
	while (n > 0 && tfa_card_space(p[0])) {
		p++;
		n--;
	}
	while (n > 0 && tfa_card_space(p[n - 1]))
		n--;
	if (n == 0)
		return -1;
	if (n > TFA_SERIAL_MAX)
		return 0;
	memcpy(out, p, n);
	out[n] = '\0';
	return tfa_serial_valid(out);
}
