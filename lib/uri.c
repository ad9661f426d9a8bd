/* SPDX-License-Identifier: BSD-2-Clause */
/* uri.c - otpauth:// Key URI Format (Google Authenticator, FreeOTP, Aegis).
 *
 *   otpauth://TYPE/ISSUER:ACCOUNT?secret=B32&issuer=ISSUER[&algorithm=A]
 *       [&digits=D][&period=P (totp)][&counter=C (hotp, always)]
 *
 * Building: issuer and account are percent-encoded byte by byte, keeping
 * only the RFC 3986 unreserved characters (A-Z a-z 0-9 - . _ ~); a space is
 * %20. The ':' between issuer and account is literal. Without an issuer (NULL
 * or "") the label is the account alone and there is no issuer parameter.
 * Refused (TFA_EINVAL): an empty account, a ':' in issuer or account (the
 * format has no way to carry it), control characters or invalid UTF-8, a
 * secret outside URI_MIN_SECRET..OTP_MAX_SECRET bytes, digits outside 6..8,
 * a period outside 1..URI_MAX_PERIOD, a result longer than URI_MAX.
 *
 * Parsing treats its input as hostile: at most URI_MAX bytes are looked at,
 * nothing is read past the terminating NUL, every field is checked, and any
 * failure leaves @u empty. Choices where the format is loose:
 *   - the scheme and type are case-insensitive; parameter names are not;
 *   - raw bytes must be printable ASCII (0x21..0x7e): no raw space, control
 *     character or 8-bit byte; a '#' fragment is refused;
 *   - '%' must be followed by two hex digits; decoded text must be valid
 *     UTF-8 without control characters (so no %00);
 *   - in the query '+' means a space (form encoding, as Android apps read
 *     it), in the label it is a literal '+';
 *   - the label is split at its first ':' (literal or %3A); spaces after it
 *     are dropped; a second ':' or an empty issuer or account is refused;
 *   - a parameter given twice, or without '=', is refused; empty parameters
 *     ("&&") and unknown ones (e.g. FreeOTP's "image") are ignored, and so
 *     are period for hotp and counter for totp;
 *   - counter is required for hotp (as the format says); an empty issuer
 *     parameter is refused.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include "secret.h"
#include "ocra.h"
#include "uri.h"

#define URI_MAX 4096          /* bytes, parse and build */
#define URI_MIN_SECRET 10     /* bytes: 80 bits, the shortest key in use */
#define URI_MAX_PERIOD 86400  /* seconds */
#define SCHEME "otpauth://"

/* ---- text checks ---- */

/* text_ok: @s (@n bytes) is valid UTF-8 without C0/C1 controls or DEL. */
static int text_ok(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned char c = s[i];
		uint32_t cp;
		size_t k, len;

		if (c < 0x80) {
			if (c < 0x20 || c == 0x7f)
				return 0;
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			len = 2;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			len = 3;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			len = 4;
			cp = c & 0x07;
		} else {
			return 0;
		}
		if (n - i < len)
			return 0;
		for (k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ||
		    (cp >= 0x80 && cp <= 0x9f))
			return 0;
		i += len;
	}
	return 1;
}

static int name_ok(const char *s)
{
	return s != NULL && s[0] != '\0' && strchr(s, ':') == NULL &&
	       text_ok((const unsigned char *)s, strlen(s));
}

/* ---- building ---- */

typedef struct {
	char *p;
	size_t len;
	int overflow;
} outbuf;

static void put(outbuf *b, const char *s, size_t n)
{
	if (b->overflow || n > URI_MAX - b->len) {
		b->overflow = 1;
		return;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void puts_(outbuf *b, const char *s)
{
	put(b, s, strlen(s));
}

static void put_pct(outbuf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;
		char e[3];

		if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
		    (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' ||
		    ch == '_' || ch == '~') {
			put(b, s, 1);
			continue;
		}
		e[0] = '%';
		e[1] = hex[ch >> 4];
		e[2] = hex[ch & 0xf];
		put(b, e, 3);
	}
}

TFA_API tfa_rc tfa_uri_build(const tfa_uri *u, char **out)
{
	outbuf b = { NULL, 0, 0 };
	char *b32 = NULL, num[32];
	otp_ocra_suite suite;
	int has_issuer;
	tfa_rc rc = TFA_EINVAL;

	if (out != NULL)
		*out = NULL;
	if (u == NULL || out == NULL)
		goto out;
	if ((u->type != TFA_TOKEN_TOTP && u->type != TFA_TOKEN_HOTP &&
	     u->type != TFA_TOKEN_OCRA) ||
	    (u->type == TFA_TOKEN_OCRA &&
	     (u->suite == NULL || otp_ocra_suite_parse(u->suite, &suite) != TFA_OK)) ||
	    (u->alg != OTP_SHA1 && u->alg != OTP_SHA256 && u->alg != OTP_SHA512) ||
	    u->digits < OTP_MIN_DIGITS || u->digits > OTP_MAX_DIGITS ||
	    (u->type == TFA_TOKEN_TOTP &&
	     (u->period == 0 || u->period > URI_MAX_PERIOD)) ||
	    u->secret == NULL || u->secret_len < URI_MIN_SECRET ||
	    u->secret_len > OTP_MAX_SECRET || !name_ok(u->account))
		goto out;
	has_issuer = u->issuer != NULL && u->issuer[0] != '\0';
	if (has_issuer && !name_ok(u->issuer))
		goto out;
	rc = tfa_base32_encode(u->secret, u->secret_len, &b32);
	if (rc != TFA_OK)
		goto out;
	rc = TFA_ENOMEM;
	b.p = calloc(1, URI_MAX + 1);
	if (b.p == NULL)
		goto out;
	puts_(&b, SCHEME);
	puts_(&b, otp_type_name(u->type));
	puts_(&b, "/");
	if (has_issuer) {
		put_pct(&b, u->issuer);
		puts_(&b, ":");
	}
	put_pct(&b, u->account);
	puts_(&b, "?secret=");
	puts_(&b, b32);
	if (has_issuer) {
		puts_(&b, "&issuer=");
		put_pct(&b, u->issuer);
	}
	if (u->alg != OTP_SHA1) {
		puts_(&b, "&algorithm=");
		puts_(&b, otp_alg_name(u->alg));
	}
	if (u->digits != 6) {
		(void)snprintf(num, sizeof(num), "&digits=%u", u->digits);
		puts_(&b, num);
	}
	if (u->type == TFA_TOKEN_TOTP && u->period != OTP_DEFAULT_PERIOD) {
		(void)snprintf(num, sizeof(num), "&period=%u", u->period);
		puts_(&b, num);
	}
	if (u->type == TFA_TOKEN_HOTP) {
		(void)snprintf(num, sizeof(num), "&counter=%llu",
			       (unsigned long long)u->counter);
		puts_(&b, num);
	}
	if (u->type == TFA_TOKEN_OCRA) {
		puts_(&b, "&ocrasuite=");
		put_pct(&b, u->suite);
	}
	if (b.overflow) {
		rc = TFA_EINVAL;
		goto out;
	}
	*out = strdup(b.p);
	if (*out == NULL)
		goto out;
	rc = TFA_OK;
out:
	if (b.p != NULL) {
		OPENSSL_cleanse(b.p, URI_MAX + 1);
		free(b.p);
	}
	tfa_free_secret(b32);
	return rc;
}

/* ---- parsing ---- */

/* pct_decode: percent-decode @n bytes at @s into a new string *@out;
 * @plus: '+' is a space. TFA_EINVAL on a bad escape or text (see text_ok). */
static tfa_rc pct_decode(const char *s, size_t n, int plus, char **out)
{
	char *d;
	size_t i, o = 0;

	*out = NULL;
	d = malloc(n + 1);
	if (d == NULL)
		return TFA_ENOMEM;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '%') {
			int hi, lo;

			if (n - i < 3)
				goto bad;
			hi = tfa_hexval((unsigned char)s[i + 1]);
			lo = tfa_hexval((unsigned char)s[i + 2]);
			if (hi < 0 || lo < 0)
				goto bad;
			d[o++] = (char)(hi << 4 | lo);
			i += 2;
		} else if (c == '+' && plus) {
			d[o++] = ' ';
		} else {
			d[o++] = (char)c;
		}
	}
	d[o] = '\0';
	if (!text_ok((const unsigned char *)d, o))
		goto bad;
	*out = d;
	return TFA_OK;
bad:
	OPENSSL_cleanse(d, n + 1);
	free(d);
	return TFA_EINVAL;
}

/* parse_num: strict decimal (no sign, no leading zero, no space) in
 * @min..@max. */
static int parse_num(const char *s, uint64_t min, uint64_t max, uint64_t *v)
{
	uint64_t x = 0;
	size_t i;

	if (s[0] == '\0' || (s[0] == '0' && s[1] != '\0'))
		return 0;
	for (i = 0; s[i] != '\0'; i++) {
		unsigned d;

		if (s[i] < '0' || s[i] > '9')
			return 0;
		d = (unsigned)(s[i] - '0');
		if (x > (UINT64_MAX - d) / 10)
			return 0;
		x = x * 10 + d;
	}
	if (x < min || x > max)
		return 0;
	*v = x;
	return 1;
}

enum { P_SECRET, P_ISSUER, P_ALG, P_DIGITS, P_PERIOD, P_COUNTER, P_SUITE, P_N };
static const char *const param_names[P_N] = {
	"secret", "issuer", "algorithm", "digits", "period", "counter", "ocrasuite",
};

/* parse_query: the parameters of @q (@n bytes) into @u; @label_issuer is
 * the issuer from the label, or NULL. */
static tfa_rc parse_query(const char *q, size_t n, tfa_uri *u,
			  const char *label_issuer)
{
	int seen[P_N] = { 0 };
	otp_ocra_suite suite;
	char *val = NULL;
	size_t pos = 0;
	uint64_t v;
	tfa_rc rc = TFA_EINVAL;

	while (pos < n) {
		const char *seg = q + pos, *amp, *eq;
		size_t seglen, keylen;
		int k;

		amp = memchr(seg, '&', n - pos);
		seglen = amp != NULL ? (size_t)(amp - seg) : n - pos;
		pos += seglen + 1;
		if (seglen == 0)
			continue;
		eq = memchr(seg, '=', seglen);
		if (eq == NULL || eq == seg)
			goto out;
		keylen = (size_t)(eq - seg);
		for (k = 0; k < P_N; k++)
			if (strlen(param_names[k]) == keylen &&
			    memcmp(param_names[k], seg, keylen) == 0)
				break;
		if (k == P_N)
			continue;	/* unknown parameter */
		if (seen[k]++)
			goto out;
		rc = pct_decode(eq + 1, seglen - keylen - 1, 1, &val);
		if (rc != TFA_OK)
			goto out;
		rc = TFA_EINVAL;
		switch (k) {
		case P_SECRET:
			if (tfa_base32_decode(val, &u->secret, &u->secret_len) != TFA_OK ||
			    u->secret_len < URI_MIN_SECRET ||
			    u->secret_len > OTP_MAX_SECRET)
				goto out;
			break;
		case P_ISSUER:
			if (val[0] == '\0' || strchr(val, ':') != NULL)
				goto out;
			u->issuer = val;
			val = NULL;
			break;
		case P_ALG:
			if (otp_alg_parse(val, &u->alg) != TFA_OK)
				goto out;
			break;
		case P_DIGITS:
			if (!parse_num(val, OTP_MIN_DIGITS, OTP_MAX_DIGITS, &v))
				goto out;
			u->digits = (unsigned)v;
			break;
		case P_PERIOD:
			if (!parse_num(val, 1, URI_MAX_PERIOD, &v))
				goto out;
			if (u->type == TFA_TOKEN_TOTP)
				u->period = (unsigned)v;
			break;
		case P_COUNTER:
			if (!parse_num(val, 0, UINT64_MAX, &v))
				goto out;
			if (u->type == TFA_TOKEN_HOTP)
				u->counter = v;
			break;
		case P_SUITE:
			if (otp_ocra_suite_parse(val, &suite) != TFA_OK)
				goto out;
			u->suite = val;
			val = NULL;
			break;
		}
		tfa_free_secret(val);
		val = NULL;
	}
	if (!seen[P_SECRET] || (u->type == TFA_TOKEN_HOTP && !seen[P_COUNTER]) ||
	    u->type == TFA_TOKEN_SMS || (u->type == TFA_TOKEN_OCRA) != (u->suite != NULL))
		goto out;
	if (label_issuer != NULL && u->issuer != NULL &&
	    strcmp(label_issuer, u->issuer) != 0)
		goto out;
	rc = TFA_OK;
out:
	tfa_free_secret(val);
	return rc;
}

/* split_label: decode the label and split it into issuer (or NULL) and
 * account. */
static tfa_rc split_label(const char *s, size_t n, char **issuer, char **account)
{
	char *lab = NULL, *colon, *acc;
	tfa_rc rc;

	*issuer = NULL;
	*account = NULL;
	rc = pct_decode(s, n, 0, &lab);
	if (rc != TFA_OK)
		goto out;
	rc = TFA_EINVAL;
	colon = strchr(lab, ':');
	acc = lab;
	if (colon != NULL) {
		*colon = '\0';
		acc = colon + 1;
		if (lab[0] == '\0' || strchr(acc, ':') != NULL)
			goto out;
	}
	/* "Issuer: alice" and " alice" both name alice (found by fuzz_uri) */
	while (*acc == ' ')
		acc++;
	if (acc[0] == '\0')
		goto out;
	rc = TFA_ENOMEM;
	*account = strdup(acc);
	if (*account == NULL)
		goto out;
	if (colon != NULL) {
		*issuer = strdup(lab);
		if (*issuer == NULL) {
			free(*account);
			*account = NULL;
			goto out;
		}
	}
	rc = TFA_OK;
out:
	free(lab);
	return rc;
}

TFA_API tfa_rc tfa_uri_parse(const char *s, tfa_uri *u)
{
	const char *p, *slash, *qmark;
	char type[8], *label_issuer = NULL;
	size_t len, i;
	tfa_rc rc = TFA_EINVAL;

	if (u == NULL)
		return TFA_EINVAL;
	memset(u, 0, sizeof(*u));
	u->alg = OTP_SHA1;
	u->digits = 6;
	u->period = OTP_DEFAULT_PERIOD;
	if (s == NULL)
		goto out;
	len = strnlen(s, URI_MAX + 1);
	if (len > URI_MAX || len < sizeof(SCHEME) - 1)
		goto out;
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x21 || (unsigned char)s[i] > 0x7e ||
		    s[i] == '#')
			goto out;
	if (strncasecmp(s, SCHEME, sizeof(SCHEME) - 1) != 0)
		goto out;
	p = s + sizeof(SCHEME) - 1;
	slash = strchr(p, '/');
	if (slash == NULL || (size_t)(slash - p) >= sizeof(type))
		goto out;
	memcpy(type, p, (size_t)(slash - p));
	type[slash - p] = '\0';
	if (otp_type_parse(type, &u->type) != TFA_OK)
		goto out;
	p = slash + 1;
	qmark = strchr(p, '?');
	if (qmark == NULL)
		goto out;	/* no query: no secret */
	rc = split_label(p, (size_t)(qmark - p), &label_issuer, &u->account);
	if (rc != TFA_OK)
		goto out;
	u->counter = 0;
	rc = parse_query(qmark + 1, strlen(qmark + 1), u, label_issuer);
	if (rc != TFA_OK)
		goto out;
	if (u->issuer == NULL && label_issuer != NULL) {
		u->issuer = label_issuer;
		label_issuer = NULL;
	}
	rc = TFA_OK;
out:
	free(label_issuer);
	if (rc != TFA_OK)
		tfa_uri_clear(u);
	return rc;
}

TFA_API void tfa_uri_clear(tfa_uri *u)
{
	if (u == NULL)
		return;
	free(u->issuer);
	free(u->account);
	free(u->suite);
	if (u->secret != NULL) {
		OPENSSL_cleanse(u->secret, u->secret_len);
		free(u->secret);
	}
	memset(u, 0, sizeof(*u));
}
