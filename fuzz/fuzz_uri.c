/* SPDX-License-Identifier: BSD-2-Clause */
/* fuzz_uri.c - tfa_uri_parse / tfa_uri_build.
 *
 * Input: the URI text (NUL-terminated copy). Properties:
 *   - a failed parse leaves the struct empty (all zero);
 *   - a parsed URI has an account, a secret and fields within their ranges;
 *   - build(parse(s)) succeeds (unless s is long enough that percent-
 *     encoding the issuer twice may pass the 4096-byte limit), and parsing
 *     it again gives the same type, digits, algorithm, period (totp) or
 *     counter (hotp), secret bytes, account, issuer and OCRA suite;
 *   - build is a fixed point from there: build(parse(build(x))) ==
 *     build(x).
 */
#include "fuzz_common.h"

#include "secret.h"
#include "uri.h"

/* inputs up to this long cannot build past URI_MAX (4096): the issuer and
 * account at most triple (%XX) and the issuer appears twice */
#define BUILD_MUST_FIT 512

static int same_str(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static void check_fields(const tfa_uri *u)
{
	fuzz_check(u->account != NULL && u->account[0] != '\0', "no account");
	fuzz_check(u->secret != NULL && u->secret_len >= 1 && u->secret_len <= OTP_MAX_SECRET,
		   "secret length %zu", u->secret_len);
	fuzz_check(u->type == TFA_TOKEN_TOTP || u->type == TFA_TOKEN_HOTP ||
		   u->type == TFA_TOKEN_OCRA, "type %d", (int)u->type);
	fuzz_check((u->type == TFA_TOKEN_OCRA) == (u->suite != NULL), "ocrasuite on type %d",
		   (int)u->type);
	fuzz_check(u->alg == OTP_SHA1 || u->alg == OTP_SHA256 || u->alg == OTP_SHA512,
		   "alg %d", (int)u->alg);
	fuzz_check(u->digits >= OTP_MIN_DIGITS && u->digits <= OTP_MAX_DIGITS,
		   "digits %u", u->digits);
	fuzz_check(u->type != TFA_TOKEN_TOTP || u->period >= 1, "period %u", u->period);
	fuzz_check(u->issuer == NULL || (u->issuer[0] != '\0' && strchr(u->issuer, ':') == NULL),
		   "bad issuer accepted");
	fuzz_check(strchr(u->account, ':') == NULL, "':' in account");
}

static void check_same(const tfa_uri *a, const tfa_uri *b, const char *built)
{
	fuzz_check(a->type == b->type, "type %d -> %d (%s)", (int)a->type, (int)b->type, built);
	fuzz_check(a->digits == b->digits, "digits %u -> %u (%s)", a->digits, b->digits, built);
	fuzz_check(a->alg == b->alg, "alg %d -> %d (%s)", (int)a->alg, (int)b->alg, built);
	if (a->type == TFA_TOKEN_TOTP)
		fuzz_check(a->period == b->period, "period %u -> %u (%s)",
			   a->period, b->period, built);
	else
		fuzz_check(a->counter == b->counter, "counter %llu -> %llu (%s)",
			   (unsigned long long)a->counter, (unsigned long long)b->counter,
			   built);
	fuzz_check(a->secret_len == b->secret_len &&
		   memcmp(a->secret, b->secret, a->secret_len) == 0,
		   "secret changed (%zu -> %zu bytes)", a->secret_len, b->secret_len);
	fuzz_check(same_str(a->account, b->account), "account \"%s\" -> \"%s\" (%s)",
		   a->account, b->account, built);
	fuzz_check(same_str(a->issuer, b->issuer), "issuer \"%s\" -> \"%s\" (%s)",
		   a->issuer ? a->issuer : "(null)", b->issuer ? b->issuer : "(null)", built);
	fuzz_check(same_str(a->suite, b->suite), "ocrasuite \"%s\" -> \"%s\" (%s)",
		   a->suite ? a->suite : "(null)", b->suite ? b->suite : "(null)", built);
}

static int is_zero(const void *p, size_t n)
{
	const unsigned char *c = p;
	size_t i;

	for (i = 0; i < n; i++)
		if (c[i] != 0)
			return 0;
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = fuzz_strdup(data, size), *b1 = NULL, *b2 = NULL;
	tfa_uri u1, u2;
	tfa_rc rc;

	memset(&u2, 0, sizeof(u2));
	rc = tfa_uri_parse(in, &u1);
	if (rc != TFA_OK) {
		fuzz_check(rc == TFA_EINVAL, "unexpected rc %d", (int)rc);
		fuzz_check(is_zero(&u1, sizeof(u1)), "struct not cleared after failure");
		goto out;
	}
	check_fields(&u1);

	rc = tfa_uri_build(&u1, &b1);
	if (rc != TFA_OK) {
		fuzz_check(b1 == NULL, "output set on failure");
		fuzz_check(strlen(in) > BUILD_MUST_FIT,
			   "build of a parsed URI failed: rc %d for \"%s\"", (int)rc, in);
		goto out;
	}
	rc = tfa_uri_parse(b1, &u2);
	fuzz_check(rc == TFA_OK, "built URI does not parse: rc %d: \"%s\" (from \"%s\")",
		   (int)rc, b1, in);
	check_same(&u1, &u2, b1);

	rc = tfa_uri_build(&u2, &b2);
	fuzz_check(rc == TFA_OK && strcmp(b1, b2) == 0, "build not a fixed point: \"%s\" vs \"%s\"",
		   b1, b2 ? b2 : "(null)");
out:
	tfa_free_secret(b2);
	tfa_free_secret(b1);
	tfa_uri_clear(&u2);
	tfa_uri_clear(&u1);
	free(in);
	return 0;
}
