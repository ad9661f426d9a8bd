/* SPDX-License-Identifier: BSD-2-Clause */
/* import_ga.c - parse a ~/.google_authenticator file (google-authenticator-
 * libpam) into a token and scratch codes. Pure: no store, no I/O.
 *
 * The format: line 1 the base32 secret; option lines `" NAME [ARGS]`;
 * scratch codes, 8 digits, one a line; blank lines are ignored.
 *   TOTP_AUTH          time-based (else HOTP_COUNTER must be there)
 *   HOTP_COUNTER n     counter-based; n is the next counter to try
 *   STEP_SIZE n        TOTP period (default 30)
 *   WINDOW_SIZE n      codes accepted around now: our window is policy
 *   RATE_LIMIT n m ... logins per m seconds: our lockout is policy
 *   DISALLOW_REUSE ... the time steps used recently: the newest becomes the
 *                      token's last used step (ours never accepts reuse)
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import.h"
#include "secret.h"

#define GA_LINE_MAX 1024
#define GA_MIN_SECRET 10        /* 80 bits, google-authenticator's default */

struct ga_state {
	tfa_import_ga *g;
	tfa_import_bad_cb bad;
	void *ctx;
	int totp, hotp;             /* line numbers of TOTP_AUTH / HOTP_COUNTER */
	int step_size;
	int64_t max_step;
};

static void report(struct ga_state *s, unsigned line, const char *reason)
{
	s->g->bad++;
	if (s->bad != NULL)
		s->bad(line, reason, s->ctx);
}

/* decimal uint64 of the whole word [p, end) */
static int parse_u64(const char *p, const char *end, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (p == end || end - p > 20)
		return -1;
	for (; p < end; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		if (v > (max - (uint64_t)(*p - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	*out = v;
	return 0;
}

static const char *skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

static const char *word_end(const char *p)
{
	while (*p != '\0' && *p != ' ' && *p != '\t')
		p++;
	return p;
}

/* the numeric arguments after an option name: at least @nmin, at most
 * @nmax (0 = any); the first two go to @v, the largest to *@maxv */
static int parse_args(const char *p, unsigned nmin, unsigned nmax, uint64_t vmax,
		      uint64_t v[2], uint64_t *maxv)
{
	unsigned n = 0;
	uint64_t x;
	const char *e;

	*maxv = 0;
	for (p = skip_ws(p); *p != '\0'; p = skip_ws(e)) {
		e = word_end(p);
		if (parse_u64(p, e, vmax, &x) != 0)
			return -1;
		if (n < 2)
			v[n] = x;
		if (x > *maxv)
			*maxv = x;
		n++;
		if (nmax != 0 && n > nmax)
			return -1;
	}
	return n >= nmin ? 0 : -1;
}

static void option_line(struct ga_state *s, unsigned line, const char *p)
{
	uint64_t v[2] = { 0, 0 }, maxv;
	const char *e;
	size_t n;

	p = skip_ws(p + 1);
	e = word_end(p);
	n = (size_t)(e - p);
#define IS(name) (n == sizeof(name) - 1 && memcmp(p, name, n) == 0)
	if (IS("TOTP_AUTH")) {
		if (*skip_ws(e) != '\0')
			report(s, line, "TOTP_AUTH takes no value");
		else if (s->totp != 0)
			report(s, line, "TOTP_AUTH given twice");
		else
			s->totp = (int)line;
	} else if (IS("HOTP_COUNTER")) {
		if (parse_args(e, 1, 1, (uint64_t)INT64_MAX, v, &maxv) != 0)
			report(s, line, "HOTP_COUNTER needs one counter value");
		else if (s->hotp != 0)
			report(s, line, "HOTP_COUNTER given twice");
		else {
			s->hotp = (int)line;
			s->g->tok.counter = v[0];
		}
	} else if (IS("STEP_SIZE")) {
		if (parse_args(e, 1, 1, 3600, v, &maxv) != 0 || v[0] < 1)
			report(s, line, "STEP_SIZE needs a period of 1 to 3600 seconds");
		else
			s->step_size = (int)v[0];
	} else if (IS("WINDOW_SIZE")) {
		if (parse_args(e, 1, 1, 100, v, &maxv) != 0 || v[0] < 1)
			report(s, line, "WINDOW_SIZE needs a value of 1 to 100");
		else
			s->g->window_size = (int)v[0];
	} else if (IS("RATE_LIMIT")) {
		if (parse_args(e, 2, 0, (uint64_t)INT64_MAX, v, &maxv) != 0)
			report(s, line, "RATE_LIMIT needs a count and seconds");
		else
			s->g->rate_limit = 1;
	} else if (IS("DISALLOW_REUSE")) {
		if (parse_args(e, 0, 0, (uint64_t)INT64_MAX, v, &maxv) != 0) {
			report(s, line, "DISALLOW_REUSE takes only time steps");
		} else {
			s->g->disallow_reuse = 1;
			if (*skip_ws(e) != '\0' && (int64_t)maxv > s->max_step)
				s->max_step = (int64_t)maxv;
		}
	} else {
		report(s, line, "unknown option");
	}
#undef IS
}

static void scratch_line(struct ga_state *s, unsigned line, const char *p)
{
	tfa_import_ga *g = s->g;
	size_t i;

	for (i = 0; p[i] >= '0' && p[i] <= '9'; i++)
		;
	if (i != 8 || p[i] != '\0') {
		report(s, line, "not an option and not an 8-digit scratch code");
		return;
	}
	if (g->nscratch >= TFA_IMPORT_GA_MAX_SCRATCH) {
		report(s, line, "too many scratch codes (at most 100)");
		return;
	}
	memcpy(g->scratch[g->nscratch], p, 9);
	g->nscratch++;
}

/* line 1: the base32 secret; 0 ok, else fatal */
static int secret_line(struct ga_state *s, const char *p)
{
	uint8_t *key = NULL;
	size_t keylen = 0;
	int ret = -1;

	if (*p == '\0' || *p == '"') {
		report(s, 1, "no secret on line 1");
		return -1;
	}
	if (tfa_base32_decode(p, &key, &keylen) != TFA_OK) {
		report(s, 1, "the secret is not base32");
		return -1;
	}
	if (keylen < GA_MIN_SECRET)
		report(s, 1, "the secret is shorter than 80 bits");
	else if (keylen > OTP_MAX_SECRET)
		report(s, 1, "the secret is longer than 1024 bits");
	else {
		memcpy(s->g->key.bytes, key, keylen);
		s->g->key.len = keylen;
		ret = 0;
	}
	tfa_wipe(key, keylen);
	free(key);
	return ret;
}

TFA_API void tfa_import_ga_clear(tfa_import_ga *g)
{
	if (g != NULL)
		tfa_wipe(g, sizeof(*g));
}

static void init_token(tfa_token *t, const char *user)
{
	(void)snprintf(t->user, sizeof(t->user), "%s", user);
	t->type = TFA_TOKEN_TOTP;
	t->state = TFA_STATE_ACTIVE;
	t->alg = OTP_SHA1;
	t->digits = 6;
	t->period = OTP_DEFAULT_PERIOD;
	t->last_step = -1;
}

TFA_API tfa_rc tfa_import_ga_parse(const char *text, size_t len, const char *user,
				   tfa_import_ga *out, tfa_import_bad_cb bad, void *ctx)
{
	struct ga_state s;
	char buf[GA_LINE_MAX + 1];
	size_t pos = 0, n, k;
	unsigned line = 0;
	int fatal = 0;
	const char *nl;

	memset(out, 0, sizeof(*out));
	memset(&s, 0, sizeof(s));
	s.g = out;
	s.bad = bad;
	s.ctx = ctx;
	s.max_step = -1;
	out->window_size = -1;
	init_token(&out->tok, user);
	if (!tfa_user_valid(user)) {
		report(&s, 0, "invalid user name");
		return TFA_EINVAL;
	}
	while (pos < len) {
		line++;
		nl = memchr(text + pos, '\n', len - pos);
		n = nl != NULL ? (size_t)(nl - (text + pos)) : len - pos;
		if (n > GA_LINE_MAX) {
			report(&s, line, "line too long");
			if (line == 1)
				fatal = 1;
			pos += n + 1;
			continue;
		}
		memcpy(buf, text + pos, n);
		buf[n] = '\0';
		pos += n + 1;
		while (n > 0 && (buf[n - 1] == '\r' || buf[n - 1] == ' ' || buf[n - 1] == '\t'))
			buf[--n] = '\0';
		if (strlen(buf) != n) {
			report(&s, line, "NUL byte in line");
			if (line == 1)
				fatal = 1;
		} else if (line == 1) {
			if (secret_line(&s, buf) != 0)
				fatal = 1;
		} else if (n == 0) {
			continue;
		} else if (buf[0] == '"') {
			option_line(&s, line, buf);
		} else {
			scratch_line(&s, line, buf);
		}
		tfa_wipe(buf, sizeof(buf));
	}
	tfa_wipe(buf, sizeof(buf));
	if (line == 0) {
		report(&s, 1, "empty file: no secret");
		fatal = 1;
	}
	if (!fatal && s.totp != 0 && s.hotp != 0) {
		report(&s, (unsigned)(s.totp > s.hotp ? s.totp : s.hotp),
		       "both TOTP_AUTH and HOTP_COUNTER: which one the phone uses is unknown");
		fatal = 1;
	} else if (!fatal && s.totp == 0 && s.hotp == 0) {
		report(&s, 1, "neither TOTP_AUTH nor HOTP_COUNTER: not a usable token");
		fatal = 1;
	}
	if (fatal) {
		k = out->bad;
		tfa_import_ga_clear(out);
		out->bad = (unsigned)k;
		return TFA_EINVAL;
	}
	if (s.hotp != 0) {
		out->tok.type = TFA_TOKEN_HOTP;
		out->tok.period = 0;
	} else {
		out->tok.counter = 0;
		if (s.step_size > 0)
			out->tok.period = (unsigned)s.step_size;
		out->tok.last_step = s.max_step;
	}
	return TFA_OK;
}
