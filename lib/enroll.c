/* SPDX-License-Identifier: BSD-2-Clause */
/* enroll.c - issuing a new secret: token record plus otpauth:// URI. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "enroll.h"
#include "ocra.h"
#include "secret.h"
#include "uri.h"
#include "context.h"

TFA_API void tfa_enroll_opts_init(tfa_enroll_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->type = TFA_TOKEN_TOTP;
	o->digits = 6;
	o->period = OTP_DEFAULT_PERIOD;
	o->alg = OTP_SHA1;
}

TFA_API int tfa_phone_valid(const char *s)
{
	size_t n = 0;

	if (s == NULL)
		return 0;
	if (*s == '+')
		s++;
	for (; s[n] != '\0'; n++)
		if (s[n] < '0' || s[n] > '9')
			return 0;
	return n >= 4 && n <= TFA_PHONE_MAX - 1;
}

/* The checks that depend on the type; sets the secret size in *@len. */
static tfa_rc check_type(const tfa_enroll_opts *o, const char *suite, size_t *len,
			 tfa_err *err)
{
	otp_ocra_suite s;

	*len = OTP_DEFAULT_SECRET;
	switch (o->type) {
	case TFA_TOKEN_TOTP:
		if (o->period == 0 || o->period > 3600)
			return tfa_err_set(err, TFA_EINVAL, "period must be 1 to 3600 seconds");
		return TFA_OK;
	case TFA_TOKEN_HOTP:
		return TFA_OK;
	case TFA_TOKEN_SMS:
		*len = 0;
		if (!tfa_phone_valid(o->phone))
			return tfa_err_set(err, TFA_EINVAL, "an sms token needs --phone: an optional"
					   " '+' and 4 to 19 digits, no spaces");
		return TFA_OK;
	case TFA_TOKEN_OCRA:
		if (otp_ocra_suite_parse(suite, &s) != TFA_OK)
			return tfa_err_set(err, TFA_EINVAL, "not an OCRA suite (RFC 6287), e.g. "
					   TFA_OCRA_DEFAULT_SUITE);
		if (s.pin || s.s_len > 0 || s.digits < OTP_MIN_DIGITS || s.digits > OTP_MAX_DIGITS)
			return tfa_err_set(err, TFA_EINVAL, "OCRA suite %s: supported are 6 to 8"
					   " digits and Q, optionally with C and/or T, without P or S", suite);
		*len = s.alg == OTP_SHA512 ? 64 : s.alg == OTP_SHA256 ? 32 : 20;
		return TFA_OK;
	}
	return tfa_err_set(err, TFA_EINVAL, "unsupported token type");
}

/* The base32 form of @secret in groups of four, for typing by hand. */
static tfa_rc grouped_key(const uint8_t *secret, size_t len, char **out)
{
	char *b32 = NULL, *g;
	size_t n, i, o = 0;
	tfa_rc rc;

	*out = NULL;
	rc = tfa_base32_encode(secret, len, &b32);
	if (rc != TFA_OK)
		return rc;
	n = strcspn(b32, "=");
	g = calloc(1, n + n / 4 + 1);
	if (g == NULL) {
		tfa_free_secret(b32);
		return TFA_ENOMEM;
	}
	for (i = 0; i < n; i++) {
		if (i > 0 && i % 4 == 0)
			g[o++] = ' ';
		g[o++] = b32[i];
	}
	tfa_free_secret(b32);
	*out = g;
	return TFA_OK;
}

TFA_API tfa_rc tfa_enroll(tfa_ctx *c, const char *user, const tfa_enroll_opts *o,
			  tfa_token *tok_out, char **uri, char **key, tfa_err *err)
{
	const char *suite = o->suite != NULL ? o->suite : TFA_OCRA_DEFAULT_SUITE;
	size_t secret_len = 0;
	tfa_token tok;
	tfa_token_key k;
	tfa_uri u;
	tfa_rc rc;

	*uri = NULL;
	if (key != NULL)
		*key = NULL;
	memset(&tok, 0, sizeof(tok));
	memset(&k, 0, sizeof(k));
	if (!tfa_user_valid(user))
		return tfa_err_set(err, TFA_EINVAL, "invalid user name");
	if (o->digits < OTP_MIN_DIGITS || o->digits > OTP_MAX_DIGITS)
		return tfa_err_set(err, TFA_EINVAL, "digits must be 6, 7 or 8");
	rc = check_type(o, suite, &secret_len, err);
	if (rc != TFA_OK)
		return rc;
	if (o->issuer != NULL) {
		/* the same rules as `policy set issuer`: length, no control
		 * characters, no ':' */
		char *norm = NULL;

		rc = tfa_policy_normalize("issuer", o->issuer, &norm, err);
		free(norm);
		if (rc != TFA_OK)
			return rc;
	}
	(void)snprintf(tok.user, sizeof(tok.user), "%s", user);
	tok.type = o->type;
	tok.state = o->activate || o->type == TFA_TOKEN_SMS ? TFA_STATE_ACTIVE :
		    TFA_STATE_PENDING;
	tok.alg = o->alg;
	tok.digits = o->digits;
	tok.period = o->type == TFA_TOKEN_TOTP ? o->period : 0;
	tok.last_step = -1;
	k.len = secret_len;
	if (o->type == TFA_TOKEN_SMS) {
		(void)snprintf(tok.phone, sizeof(tok.phone), "%s", o->phone);
		tok.digits = c->policy.sms_digits;
		goto store;
	}
	if (o->type == TFA_TOKEN_OCRA) {
		otp_ocra_suite s;

		(void)otp_ocra_suite_parse(suite, &s);   /* checked above */
		(void)snprintf(tok.suite, sizeof(tok.suite), "%s", suite);
		tok.alg = s.alg;
		tok.digits = s.digits;
	}
	rc = tfa_random_bytes(k.bytes, k.len);
	if (rc != TFA_OK) {
		rc = tfa_err_set(err, rc, "cannot make a secret for user %s: RNG failure",
				 tfa_user_esc(user).s);
		goto out;
	}
	memset(&u, 0, sizeof(u));
	u.type = tok.type;
	u.issuer = (char *)(o->issuer != NULL ? o->issuer : c->policy.issuer);
	u.account = (char *)user;
	u.secret = k.bytes;
	u.secret_len = k.len;
	u.alg = tok.alg;
	u.digits = tok.digits;
	u.period = tok.period;
	u.counter = tok.counter;
	u.suite = tok.type == TFA_TOKEN_OCRA ? tok.suite : NULL;
	rc = tfa_uri_build(&u, uri);
	if (rc == TFA_OK && key != NULL)
		rc = grouped_key(k.bytes, k.len, key);
	if (rc != TFA_OK) {
		rc = tfa_err_set(err, rc, "cannot build the otpauth URI for user %s",
				 tfa_user_esc(user).s);
		goto out;
	}
store:
	{
		char raw[160], detail[160];

		(void)snprintf(raw, sizeof(raw), "%s%s%s state=%s", c->source,
			       *c->source ? " " : "", otp_type_name(tok.type),
			       tok.state == TFA_STATE_ACTIVE ? "active" : "pending");
		tfa_escape(raw, detail, sizeof(detail));
		rc = tfa_store_token_add(c->store, &tok, &k, TFA_EV_ENROLL, detail, err);
	}
	if (rc != TFA_OK)
		goto out;
	if (tok_out != NULL)
		*tok_out = tok;
out:
	tfa_wipe(&k, sizeof(k));
	if (rc != TFA_OK) {
		tfa_free_secret(*uri);
		*uri = NULL;
		if (key != NULL) {
			tfa_free_secret(*key);
			*key = NULL;
		}
	}
	return rc;
}
