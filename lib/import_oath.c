/* SPDX-License-Identifier: BSD-2-Clause */
/* import_oath.c - parse one line of a pam_oath users file (oath-toolkit's
 * "usersfile"). Pure: no store, no I/O.
 *
 *   TYPE USER PIN SECRET_HEX [COUNTER [LAST_OTP [TIME]]]
 *
 * Fields are separated by spaces or tabs; a line whose first field starts
 * with '#' is a comment. liboath writes COUNTER, LAST_OTP and TIME after
 * each login: for HOTP, COUNTER is the counter of the last accepted code
 * (LAST_OTP); for TOTP it is the step offset of the last code from TIME.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "import.h"
#include "secret.h"

#define OATH_MAX_FIELDS 7

struct word {
	const char *p;
	size_t n;
};

static int is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

/* split @line into at most @max words (one more is counted, to detect
 * extras); returns the count */
static size_t split(const char *line, struct word *w, size_t max)
{
	size_t n = 0;
	const char *p = line, *s;

	while (*p != '\0') {
		while (is_ws(*p))
			p++;
		if (*p == '\0')
			break;
		s = p;
		while (*p != '\0' && !is_ws(*p))
			p++;
		if (n < max) {
			w[n].p = s;
			w[n].n = (size_t)(p - s);
		}
		n++;
		if (n > max)
			break;
	}
	return n;
}

static int word_is(const struct word *w, const char *s)
{
	return w->n == strlen(s) && memcmp(w->p, s, w->n) == 0;
}

/* unsigned decimal of the whole of [p, p+n), at most @max */
static int dec(const char *p, size_t n, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (n == 0 || n > 20)
		return -1;
	for (i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		if (v > (max - (uint64_t)(p[i] - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(p[i] - '0');
	}
	*out = v;
	return 0;
}

/* HOTP, HOTP/E, HOTP/E/D, HOTP/Tn, HOTP/Tn/D */
static int parse_type(const struct word *w, tfa_token *t)
{
	const char *p = w->p, *end = w->p + w->n, *slash;
	uint64_t v;

	if (w->n < 4 || memcmp(p, "HOTP", 4) != 0)
		return -1;
	p += 4;
	t->digits = 6;
	t->type = TFA_TOKEN_HOTP;
	t->period = 0;
	if (p == end)
		return 0;
	if (*p++ != '/' || p == end)
		return -1;
	slash = memchr(p, '/', (size_t)(end - p));
	if (slash == NULL)
		slash = end;
	if (*p == 'E' && slash == p + 1) {
		/* event based */
	} else if (*p == 'T' && dec(p + 1, (size_t)(slash - p - 1), 3600, &v) == 0 && v >= 1) {
		t->type = TFA_TOKEN_TOTP;
		t->period = (unsigned)v;
	} else {
		return -1;
	}
	if (slash == end)
		return 0;
	if (dec(slash + 1, (size_t)(end - slash - 1), 99, &v) != 0 ||
	    v < OTP_MIN_DIGITS || v > OTP_MAX_DIGITS)
		return -2;
	t->digits = (unsigned)v;
	return 0;
}

static int parse_hex(const struct word *w, tfa_token_key *k)
{
	size_t i;
	int hi, lo;

	if (w->n % 2 != 0 || w->n / 2 > OTP_MAX_SECRET)
		return -1;
	for (i = 0; i < w->n; i += 2) {
		hi = tfa_hexval(w->p[i]);
		lo = tfa_hexval(w->p[i + 1]);
		if (hi < 0 || lo < 0) {
			tfa_wipe(k, sizeof(*k));
			return -1;
		}
		k->bytes[i / 2] = (uint8_t)(hi << 4 | lo);
	}
	k->len = w->n / 2;
	return 0;
}

/* "2006-12-07T00:00:00L" (local time) to unix seconds; -1 if bad */
static int64_t parse_time(const struct word *w)
{
	char buf[32];
	struct tm tm;
	const char *e;
	time_t t;

	if (w->n >= sizeof(buf))
		return -1;
	memcpy(buf, w->p, w->n);
	buf[w->n] = '\0';
	memset(&tm, 0, sizeof(tm));
	e = strptime(buf, "%Y-%m-%dT%H:%M:%SL", &tm);
	if (e == NULL || *e != '\0')
		return -1;
	tm.tm_isdst = -1;
	t = mktime(&tm);
	return t < 0 ? -1 : (int64_t)t;
}

static int bad(char *why, size_t whylen, const char *reason)
{
	if (why != NULL && whylen > 0)
		(void)snprintf(why, whylen, "%s", reason);
	return -1;
}

TFA_API int tfa_import_oath_line(const char *line, tfa_token *out, tfa_token_key *key, char *why,
				 size_t whylen)
{
	struct word w[OATH_MAX_FIELDS];
	size_t n;
	uint64_t v;
	int64_t ts, pos = 0;
	int r;

	memset(out, 0, sizeof(*out));
	memset(key, 0, sizeof(*key));
	if (why != NULL && whylen > 0)
		why[0] = '\0';
	n = split(line, w, OATH_MAX_FIELDS);
	if (n == 0 || w[0].p[0] == '#')
		return 0;
	out->state = TFA_STATE_ACTIVE;
	out->alg = OTP_SHA1;
	out->last_step = -1;
	r = parse_type(&w[0], out);
	if (r == -2)
		return bad(why, whylen, "digits must be 6, 7 or 8");
	if (r != 0)
		return bad(why, whylen, "unknown token type (want HOTP, HOTP/E[/D], HOTP/Tn[/D])");
	if (n < 4)
		return bad(why, whylen, "too few fields (want TYPE USER PIN SECRET)");
	if (n > OATH_MAX_FIELDS)
		return bad(why, whylen, "too many fields");
	if (w[1].n > TFA_USER_MAX)
		return bad(why, whylen, "invalid user name");
	memcpy(out->user, w[1].p, w[1].n);
	out->user[w[1].n] = '\0';
	if (!tfa_user_valid(out->user))
		return bad(why, whylen, "invalid user name");
	if (!word_is(&w[2], "-") && !word_is(&w[2], "+"))
		return bad(why, whylen, "a PIN is set: not supported (the first factor is the"
			   " Unix password); set the PIN field to -");
	if (parse_hex(&w[3], key) != 0 || key->len == 0)
		return bad(why, whylen, "the secret is not 1 to 128 bytes of hex");
	if (n >= 5) {
		if (out->type == TFA_TOKEN_HOTP) {
			if (dec(w[4].p, w[4].n, (uint64_t)INT64_MAX - 1, &v) != 0)
				goto bad_counter;
			/* with LAST_OTP, the code at COUNTER was used */
			out->counter = n >= 6 ? v + 1 : v;
		} else {
			if (w[4].n > 0 && w[4].p[0] == '-') {
				if (dec(w[4].p + 1, w[4].n - 1, 100000, &v) != 0)
					goto bad_counter;
				pos = -(int64_t)v;
			} else if (dec(w[4].p, w[4].n, 100000, &v) != 0) {
				goto bad_counter;
			} else {
				pos = (int64_t)v;
			}
		}
	}
	if (n >= 7) {
		ts = parse_time(&w[6]);
		if (ts < 0) {
			tfa_wipe(key, sizeof(*key));
			return bad(why, whylen, "bad time (want YYYY-MM-DDTHH:MM:SSL)");
		}
		if (out->type == TFA_TOKEN_TOTP && ts / out->period + pos >= 0)
			out->last_step = ts / out->period + pos;
	}
	return 1;
bad_counter:
	tfa_wipe(key, sizeof(*key));
	return bad(why, whylen, "bad counter");
}
