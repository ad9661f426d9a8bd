/* SPDX-License-Identifier: BSD-2-Clause */
/* card_csv.c - CSV token-card files (serial,secret-hex,type,digits
 * [,counter|period]; rules in card.h) into unassigned token records. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "card_internal.h"
#include "secret.h"

#define CSV_FIELDS 5

/* ---- CSV ---- */

struct field {
	const char *p;
	size_t n;
};

/* unsigned decimal of the whole field, at most @max */
static int field_dec(const struct field *f, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (f->n == 0 || f->n > 20)
		return -1;
	for (i = 0; i < f->n; i++) {
		if (f->p[i] < '0' || f->p[i] > '9' ||
		    v > (max - (uint64_t)(f->p[i] - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(f->p[i] - '0');
	}
	*out = v;
	return 0;
}

/* split [p, p+len) at commas into at most CSV_FIELDS trimmed fields; returns
 * the count (CSV_FIELDS + 1 if there are more) */
static size_t split(const char *p, size_t len, struct field *f)
{
	const char *end = p + len, *c;
	size_t nf = 0;

	for (;;) {
		c = memchr(p, ',', (size_t)(end - p));
		f[nf].p = p;
		f[nf].n = (size_t)((c != NULL ? c : end) - p);
		while (f[nf].n > 0 && (f[nf].p[0] == ' ' || f[nf].p[0] == '\t')) {
			f[nf].p++;
			f[nf].n--;
		}
		while (f[nf].n > 0 && (f[nf].p[f[nf].n - 1] == ' ' ||
				       f[nf].p[f[nf].n - 1] == '\t'))
			f[nf].n--;
		if (++nf > CSV_FIELDS || c == NULL)
			return c == NULL ? nf : nf + 1;
		p = c + 1;
	}
}

static int field_is(const struct field *f, const char *s)
{
	return f->n == strlen(s) && strncasecmp(f->p, s, f->n) == 0;
}

#define BAD_HEX "the secret is not 1 to 128 bytes of hex"

static tfa_rc csv_line(struct card_out *o, const char *line, size_t len, size_t lno)
{
	struct field f[CSV_FIELDS + 1];
	char serial[TFA_SERIAL_MAX + 1];
	uint8_t key[OTP_MAX_SECRET];
	size_t nf = split(line, len, f), i, klen = 0;
	uint64_t digits = 0, v = 0;
	tfa_token_type type = TFA_TOKEN_TOTP;
	const char *why = NULL;
	int hi, lo;
	tfa_rc rc = TFA_OK;

	if (nf < 4 || nf > CSV_FIELDS)
		why = nf < 4 ? "too few fields (want serial,secret,type,digits[,counter|period])" :
			"too many fields";
	else if (tfa_card_serial(f[0].p, f[0].n, serial) != 1 || f[0].n != strlen(serial))
		why = "invalid serial (want 1 to 64 characters of A-Z a-z 0-9 . _ : / -)";
	else if (f[1].n == 0 || f[1].n % 2 != 0 || f[1].n / 2 > OTP_MAX_SECRET)
		why = BAD_HEX;
	for (i = 0; why == NULL && i < f[1].n; i += 2) {
		hi = tfa_hexval(f[1].p[i]);
		lo = tfa_hexval(f[1].p[i + 1]);
		if (hi < 0 || lo < 0)
			why = BAD_HEX;
		else
			key[klen++] = (uint8_t)(hi << 4 | lo);
	}
	/* columns in another order could put a secret in the serial field: name
	 * the serial only once the secret field is hex */
	if (why != NULL) {
		tfa_wipe(key, sizeof(key));
		tfa_card_report(o, lno, "", "%s", why);
		return TFA_OK;
	}
	if (field_is(&f[2], "hotp"))
		type = TFA_TOKEN_HOTP;
	else if (!field_is(&f[2], "totp"))
		why = "unknown type (want hotp or totp)";
	if (why == NULL && (field_dec(&f[3], 99, &digits) != 0 || digits < OTP_MIN_DIGITS ||
			    digits > OTP_MAX_DIGITS))
		why = "digits must be 6, 7 or 8";
	if (type == TFA_TOKEN_TOTP)
		v = OTP_DEFAULT_PERIOD;
	if (why == NULL && nf == CSV_FIELDS && f[4].n > 0 && type == TFA_TOKEN_HOTP &&
	    field_dec(&f[4], (uint64_t)INT64_MAX, &v) != 0)
		why = "bad counter (want 0 to 9223372036854775807)";
	if (why == NULL && nf == CSV_FIELDS && f[4].n > 0 && type == TFA_TOKEN_TOTP &&
	    (field_dec(&f[4], 3600, &v) != 0 || v < 1))
		why = "bad period (want 1 to 3600 seconds)";
	if (why != NULL)
		tfa_card_report(o, lno, serial, "%s", why);
	else
		rc = tfa_card_add(o, lno, serial, type, OTP_SHA1, (unsigned)digits,
			 type == TFA_TOKEN_TOTP ? (unsigned)v : 0,
			 type == TFA_TOKEN_HOTP ? v : 0, key, klen);
	tfa_wipe(key, sizeof(key));
	return rc;
}

TFA_API tfa_rc tfa_cards_parse_csv(const char *data, size_t len, tfa_card_set *out,
				   size_t *bad, tfa_card_problem_fn fn, void *ctx, tfa_err *err)
{
	struct card_out o;
	const char *p = data, *end, *nl;
	struct field f[CSV_FIELDS + 1];
	size_t lno, l;
	int first = 1;
	tfa_rc rc = tfa_card_start(&o, "line", fn, ctx, out, bad);

	if (rc != TFA_OK || data == NULL)
		return tfa_err_set(err, TFA_EINVAL, "bad argument");
	end = data + len;
	if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	for (lno = 1; rc == TFA_OK && p < end; lno++) {
		nl = memchr(p, '\n', (size_t)(end - p));
		l = (size_t)((nl != NULL ? nl : end) - p);
		if (l > 0 && p[l - 1] == '\r')
			l--;
		/* skip blank lines, comments and a header (first field "serial") */
		split(p, l, f);
		if ((f[0].n > 0 && f[0].p[0] == '#') || (f[0].n == 0 && f[0].p + f[0].n == p + l)) {
			/* nothing */
		} else if (!first || !field_is(&f[0], "serial")) {
			rc = csv_line(&o, p, l, lno);
			first = 0;
		} else {
			first = 0;
		}
		p = nl != NULL ? nl + 1 : end;
	}
	return tfa_card_finish(&o, rc, out, bad, err);
}
