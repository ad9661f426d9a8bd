/* SPDX-License-Identifier: BSD-2-Clause */
/* test_ocra.c - OCRA (RFC 6287): the RFC's Appendix C vectors, an
 * independent DataInput reference built here with OpenSSL HMAC/BIGNUM for
 * the inputs the RFC has no vectors for (QH, S, long N, PSHA512), suite
 * parsing, input checks and random challenges.
 *
 * The expected values below are copied from RFC 6287 Appendix C (C.1
 * one-way, C.2 mutual, C.3 signature), not computed.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "ocra.h"
#include "secret.h"

/* RFC 6287 Appendix C: the "Standard" keys and the PIN "1234" as SHA1 */
static const uint8_t key20[] = "12345678901234567890";
static const uint8_t key32[] = "12345678901234567890123456789012";
static const uint8_t key64[] =
	"1234567890123456789012345678901234567890123456789012345678901234";
static const uint8_t pin_sha1[20] = {
	0x71, 0x10, 0xed, 0xa4, 0xd0, 0x9e, 0x06, 0x2a, 0xa5, 0xe4,
	0xa3, 0x90, 0xb0, 0xa5, 0x72, 0xac, 0x0d, 0x2c, 0x02, 0x20,
};
#define RFC_T 0x132d0b6ULL      /* the RFC's T, in minutes (T1M) */

typedef struct {
	const char *suite;
	const uint8_t *key;
	size_t keylen;
	uint64_t c;
	const char *q;
	int pin;                /* use pin_sha1 */
	uint64_t t;
	const char *want;
} vector;

#define K20 key20, 20
#define K32 key32, 32
#define K64 key64, 64

static const vector rfc_one_way[] = {
	/* C.1 OCRA-1:HOTP-SHA1-6:QN08 */
	{ "OCRA-1:HOTP-SHA1-6:QN08", K20, 0, "00000000", 0, 0, "237653" },
	{ "OCRA-1:HOTP-SHA1-6:QN08", K20, 0, "11111111", 0, 0, "243178" },
	{ "OCRA-1:HOTP-SHA1-6:QN08", K20, 0, "22222222", 0, 0, "653583" },
	{ "OCRA-1:HOTP-SHA1-6:QN08", K20, 0, "33333333", 0, 0, "740991" },
	{ "OCRA-1:HOTP-SHA1-6:QN08", K20, 0, "44444444", 0, 0, "608993" },
	{ "OCRA-1:HOTP-SHA1-6:QN08", K20, 0, "55555555", 0, 0, "388898" },
	{ "OCRA-1:HOTP-SHA1-6:QN08", K20, 0, "66666666", 0, 0, "816933" },
	{ "OCRA-1:HOTP-SHA1-6:QN08", K20, 0, "77777777", 0, 0, "224598" },
	{ "OCRA-1:HOTP-SHA1-6:QN08", K20, 0, "88888888", 0, 0, "750600" },
	{ "OCRA-1:HOTP-SHA1-6:QN08", K20, 0, "99999999", 0, 0, "294470" },
	/* C.1 OCRA-1:HOTP-SHA256-8:C-QN08-PSHA1 */
	{ "OCRA-1:HOTP-SHA256-8:C-QN08-PSHA1", K32, 0, "12345678", 1, 0, "65347737" },
	{ "OCRA-1:HOTP-SHA256-8:C-QN08-PSHA1", K32, 1, "12345678", 1, 0, "86775851" },
	{ "OCRA-1:HOTP-SHA256-8:C-QN08-PSHA1", K32, 2, "12345678", 1, 0, "78192410" },
	{ "OCRA-1:HOTP-SHA256-8:C-QN08-PSHA1", K32, 3, "12345678", 1, 0, "71565254" },
	{ "OCRA-1:HOTP-SHA256-8:C-QN08-PSHA1", K32, 4, "12345678", 1, 0, "10104329" },
	{ "OCRA-1:HOTP-SHA256-8:C-QN08-PSHA1", K32, 5, "12345678", 1, 0, "65983500" },
	{ "OCRA-1:HOTP-SHA256-8:C-QN08-PSHA1", K32, 6, "12345678", 1, 0, "70069104" },
	{ "OCRA-1:HOTP-SHA256-8:C-QN08-PSHA1", K32, 7, "12345678", 1, 0, "91771096" },
	{ "OCRA-1:HOTP-SHA256-8:C-QN08-PSHA1", K32, 8, "12345678", 1, 0, "75011558" },
	{ "OCRA-1:HOTP-SHA256-8:C-QN08-PSHA1", K32, 9, "12345678", 1, 0, "08522129" },
	/* C.1 OCRA-1:HOTP-SHA256-8:QN08-PSHA1 */
	{ "OCRA-1:HOTP-SHA256-8:QN08-PSHA1", K32, 0, "00000000", 1, 0, "83238735" },
	{ "OCRA-1:HOTP-SHA256-8:QN08-PSHA1", K32, 0, "11111111", 1, 0, "01501458" },
	{ "OCRA-1:HOTP-SHA256-8:QN08-PSHA1", K32, 0, "22222222", 1, 0, "17957585" },
	{ "OCRA-1:HOTP-SHA256-8:QN08-PSHA1", K32, 0, "33333333", 1, 0, "86776967" },
	{ "OCRA-1:HOTP-SHA256-8:QN08-PSHA1", K32, 0, "44444444", 1, 0, "86807031" },
	/* C.1 OCRA-1:HOTP-SHA512-8:C-QN08 */
	{ "OCRA-1:HOTP-SHA512-8:C-QN08", K64, 0, "00000000", 0, 0, "07016083" },
	{ "OCRA-1:HOTP-SHA512-8:C-QN08", K64, 1, "11111111", 0, 0, "63947962" },
	{ "OCRA-1:HOTP-SHA512-8:C-QN08", K64, 2, "22222222", 0, 0, "70123924" },
	{ "OCRA-1:HOTP-SHA512-8:C-QN08", K64, 3, "33333333", 0, 0, "25341727" },
	{ "OCRA-1:HOTP-SHA512-8:C-QN08", K64, 4, "44444444", 0, 0, "33203315" },
	{ "OCRA-1:HOTP-SHA512-8:C-QN08", K64, 5, "55555555", 0, 0, "34205738" },
	{ "OCRA-1:HOTP-SHA512-8:C-QN08", K64, 6, "66666666", 0, 0, "44343969" },
	{ "OCRA-1:HOTP-SHA512-8:C-QN08", K64, 7, "77777777", 0, 0, "51946085" },
	{ "OCRA-1:HOTP-SHA512-8:C-QN08", K64, 8, "88888888", 0, 0, "20403879" },
	{ "OCRA-1:HOTP-SHA512-8:C-QN08", K64, 9, "99999999", 0, 0, "31409299" },
	/* C.1 OCRA-1:HOTP-SHA512-8:QN08-T1M */
	{ "OCRA-1:HOTP-SHA512-8:QN08-T1M", K64, 0, "00000000", 0, RFC_T, "95209754" },
	{ "OCRA-1:HOTP-SHA512-8:QN08-T1M", K64, 0, "11111111", 0, RFC_T, "55907591" },
	{ "OCRA-1:HOTP-SHA512-8:QN08-T1M", K64, 0, "22222222", 0, RFC_T, "22048402" },
	{ "OCRA-1:HOTP-SHA512-8:QN08-T1M", K64, 0, "33333333", 0, RFC_T, "24218844" },
	{ "OCRA-1:HOTP-SHA512-8:QN08-T1M", K64, 0, "44444444", 0, RFC_T, "36209546" },
};

static const vector rfc_signature[] = {
	/* C.3 OCRA-1:HOTP-SHA256-8:QA08 */
	{ "OCRA-1:HOTP-SHA256-8:QA08", K32, 0, "SIG10000", 0, 0, "53095496" },
	{ "OCRA-1:HOTP-SHA256-8:QA08", K32, 0, "SIG11000", 0, 0, "04110475" },
	{ "OCRA-1:HOTP-SHA256-8:QA08", K32, 0, "SIG12000", 0, 0, "31331128" },
	{ "OCRA-1:HOTP-SHA256-8:QA08", K32, 0, "SIG13000", 0, 0, "76028668" },
	{ "OCRA-1:HOTP-SHA256-8:QA08", K32, 0, "SIG14000", 0, 0, "46554205" },
	/* C.3 OCRA-1:HOTP-SHA512-8:QA10-T1M */
	{ "OCRA-1:HOTP-SHA512-8:QA10-T1M", K64, 0, "SIG1000000", 0, RFC_T, "77537423" },
	{ "OCRA-1:HOTP-SHA512-8:QA10-T1M", K64, 0, "SIG1100000", 0, RFC_T, "31970405" },
	{ "OCRA-1:HOTP-SHA512-8:QA10-T1M", K64, 0, "SIG1200000", 0, RFC_T, "10235557" },
	{ "OCRA-1:HOTP-SHA512-8:QA10-T1M", K64, 0, "SIG1300000", 0, RFC_T, "95213541" },
	{ "OCRA-1:HOTP-SHA512-8:QA10-T1M", K64, 0, "SIG1400000", 0, RFC_T, "65360607" },
};

/* C.2: the question is the client's and the server's 8-character
 * challenges concatenated (16 characters) under a QA08 suite. */
static const vector rfc_mutual[] = {
	{ "OCRA-1:HOTP-SHA256-8:QA08", K32, 0, "CLI22220SRV11110", 0, 0, "28247970" },
	{ "OCRA-1:HOTP-SHA256-8:QA08", K32, 0, "CLI22221SRV11111", 0, 0, "01984843" },
	{ "OCRA-1:HOTP-SHA256-8:QA08", K32, 0, "CLI22222SRV11112", 0, 0, "65387857" },
	{ "OCRA-1:HOTP-SHA256-8:QA08", K32, 0, "CLI22223SRV11113", 0, 0, "03351211" },
	{ "OCRA-1:HOTP-SHA256-8:QA08", K32, 0, "CLI22224SRV11114", 0, 0, "83412541" },
	{ "OCRA-1:HOTP-SHA256-8:QA08", K32, 0, "SRV11110CLI22220", 0, 0, "15510767" },
	{ "OCRA-1:HOTP-SHA256-8:QA08", K32, 0, "SRV11111CLI22221", 0, 0, "90175646" },
	{ "OCRA-1:HOTP-SHA256-8:QA08", K32, 0, "SRV11112CLI22222", 0, 0, "33777207" },
	{ "OCRA-1:HOTP-SHA256-8:QA08", K32, 0, "SRV11113CLI22223", 0, 0, "95285278" },
	{ "OCRA-1:HOTP-SHA256-8:QA08", K32, 0, "SRV11114CLI22224", 0, 0, "28934924" },
	{ "OCRA-1:HOTP-SHA512-8:QA08", K64, 0, "CLI22220SRV11110", 0, 0, "79496648" },
	{ "OCRA-1:HOTP-SHA512-8:QA08", K64, 0, "CLI22221SRV11111", 0, 0, "76831980" },
	{ "OCRA-1:HOTP-SHA512-8:QA08", K64, 0, "CLI22222SRV11112", 0, 0, "12250499" },
	{ "OCRA-1:HOTP-SHA512-8:QA08", K64, 0, "CLI22223SRV11113", 0, 0, "90856481" },
	{ "OCRA-1:HOTP-SHA512-8:QA08", K64, 0, "CLI22224SRV11114", 0, 0, "12761449" },
	{ "OCRA-1:HOTP-SHA512-8:QA08-PSHA1", K64, 0, "SRV11110CLI22220", 1, 0, "18806276" },
	{ "OCRA-1:HOTP-SHA512-8:QA08-PSHA1", K64, 0, "SRV11111CLI22221", 1, 0, "70020315" },
	{ "OCRA-1:HOTP-SHA512-8:QA08-PSHA1", K64, 0, "SRV11112CLI22222", 1, 0, "01600026" },
	{ "OCRA-1:HOTP-SHA512-8:QA08-PSHA1", K64, 0, "SRV11113CLI22223", 1, 0, "18951020" },
	{ "OCRA-1:HOTP-SHA512-8:QA08-PSHA1", K64, 0, "SRV11114CLI22224", 1, 0, "32528969" },
};

static tfa_rc run_vector(const vector *v, char *out, size_t outlen)
{
	otp_ocra_suite s;
	otp_ocra_input in;

	assert_int_equal(otp_ocra_suite_parse(v->suite, &s), TFA_OK);
	memset(&in, 0, sizeof(in));
	in.counter = v->c;
	in.question = v->q;
	if (v->pin) {
		in.pin_hash = pin_sha1;
		in.pin_hash_len = sizeof(pin_sha1);
	}
	in.timestep = v->t;
	return otp_ocra(&s, v->key, v->keylen, &in, out, outlen);
}

static void check_vectors(const vector *v, size_t n)
{
	char out[OCRA_MAX_DIGITS + 1];
	size_t i;

	for (i = 0; i < n; i++) {
		memset(out, 'X', sizeof(out));
		if (run_vector(&v[i], out, sizeof(out)) != TFA_OK ||
		    strcmp(out, v[i].want) != 0)
			fail_msg("%s Q=%s C=%llu: got \"%s\", want %s", v[i].suite, v[i].q,
				 (unsigned long long)v[i].c, out, v[i].want);
	}
}

static void test_rfc_one_way(void **state)
{
	(void)state;
	check_vectors(rfc_one_way, sizeof(rfc_one_way) / sizeof(rfc_one_way[0]));
}

static void test_rfc_signature(void **state)
{
	(void)state;
	check_vectors(rfc_signature, sizeof(rfc_signature) / sizeof(rfc_signature[0]));
}

/* The API takes a question of at most q_len characters (ocra.h), so the
 * mutual mode's concatenated 16-character questions under QA08 are refused.
 * If the API ever allows them, check them with check_vectors instead. */
static void test_rfc_mutual_refused(void **state)
{
	char out[OCRA_MAX_DIGITS + 1];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rfc_mutual) / sizeof(rfc_mutual[0]); i++) {
		memset(out, 'X', sizeof(out));
		assert_int_equal(run_vector(&rfc_mutual[i], out, sizeof(out)), TFA_EINVAL);
		assert_string_equal(out, "");
	}
}

/* ---- an independent reference for inputs the RFC has no vectors for ---- */

static size_t unhex_left(const char *hex, uint8_t *q)
{
	size_t i, n = strlen(hex);

	memset(q, 0, 128);
	for (i = 0; i < n; i++)
		q[i / 2] |= (uint8_t)(tfa_hexval((unsigned char)hex[i]) << (i % 2 ? 0 : 4));
	return n;
}

/* the RFC reference code's Q: for N, BigInteger(q).toString(16) (no
 * leading zeros), here through OpenSSL BIGNUM */
static void ref_q(char fmt, const char *question, uint8_t q[128])
{
	BIGNUM *bn = NULL;
	char *hex = NULL;
	const char *h;

	if (fmt == 'A') {
		memset(q, 0, 128);
		memcpy(q, question, strlen(question));
		return;
	}
	if (fmt == 'H') {
		unhex_left(question, q);
		return;
	}
	assert_true(BN_dec2bn(&bn, question) > 0);
	hex = BN_bn2hex(bn);
	assert_non_null(hex);
	for (h = hex; *h == '0' && h[1] != '\0'; h++)
		;
	unhex_left(h, q);
	OPENSSL_free(hex);
	BN_free(bn);
}

static void ref_ocra(const char *suite, const EVP_MD *md, const uint8_t *key, size_t keylen,
		     const uint64_t *c, char fmt, const char *question,
		     const uint8_t *p, size_t plen, const uint8_t *sess, size_t slen,
		     const uint64_t *t, unsigned digits, char *out)
{
	uint8_t msg[2048], mac[EVP_MAX_MD_SIZE];
	unsigned maclen, i;
	size_t n = strlen(suite) + 1;
	uint32_t bin, mod = 1;
	int k;

	memcpy(msg, suite, n);
	if (c != NULL)
		for (k = 7; k >= 0; k--)
			msg[n++] = (uint8_t)(*c >> (8 * k));
	ref_q(fmt, question, msg + n);
	n += 128;
	if (plen > 0)
		memcpy(msg + n, p, plen);
	n += plen;
	if (slen > 0)
		memcpy(msg + n, sess, slen);
	n += slen;
	if (t != NULL)
		for (k = 7; k >= 0; k--)
			msg[n++] = (uint8_t)(*t >> (8 * k));
	assert_non_null(HMAC(md, key, (int)keylen, msg, n, mac, &maclen));
	i = mac[maclen - 1] & 0xf;
	bin = ((uint32_t)(mac[i] & 0x7f) << 24) | ((uint32_t)mac[i + 1] << 16) |
	      ((uint32_t)mac[i + 2] << 8) | mac[i + 3];
	for (i = 0; i < digits && i < 9; i++)
		mod *= 10;
	if (digits < 10)
		bin %= mod;
	snprintf(out, OCRA_MAX_DIGITS + 1, "%0*u", (int)digits, (unsigned)bin);
}

static void test_reference(void **state)
{
	static const char n64[] =
		"9999999999999999999999999999999999999999999999999999999999999999";
	static const char n64b[] =
		"0000000000000000000000000000000000000000000000000000000000000001";
	uint8_t sess[999], pin512[64];
	char out[OCRA_MAX_DIGITS + 1], want[OCRA_MAX_DIGITS + 1];
	otp_ocra_suite s;
	otp_ocra_input in;
	uint64_t c = 0x0102030405060708ULL, t = 0xfedcba9876543210ULL;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(sess); i++)
		sess[i] = (uint8_t)(i * 7 + 3);
	for (i = 0; i < sizeof(pin512); i++)
		pin512[i] = (uint8_t)(0xa5 ^ i);

	/* QH, even and odd length, either case */
	assert_int_equal(otp_ocra_suite_parse("OCRA-1:HOTP-SHA1-6:QH40", &s), TFA_OK);
	memset(&in, 0, sizeof(in));
	in.question = "0123456789abcdefABCDEF";
	assert_int_equal(otp_ocra(&s, key20, 20, &in, out, sizeof(out)), TFA_OK);
	ref_ocra(s.text, EVP_sha1(), key20, 20, NULL, 'H', in.question, NULL, 0, NULL, 0,
		 NULL, 6, want);
	assert_string_equal(out, want);
	in.question = "abc";    /* too short */
	assert_int_equal(otp_ocra(&s, key20, 20, &in, out, sizeof(out)), TFA_EINVAL);
	in.question = "fEdCbA987";
	assert_int_equal(otp_ocra(&s, key20, 20, &in, out, sizeof(out)), TFA_OK);
	ref_ocra(s.text, EVP_sha1(), key20, 20, NULL, 'H', in.question, NULL, 0, NULL, 0,
		 NULL, 6, want);
	assert_string_equal(out, want);
	in.question = "fedcba987";
	assert_int_equal(otp_ocra(&s, key20, 20, &in, want, sizeof(want)), TFA_OK);
	assert_string_equal(out, want);

	/* every part: C, QN64 (largest number), PSHA512, S999, T, 10 digits */
	assert_int_equal(otp_ocra_suite_parse("OCRA-1:HOTP-SHA512-10:C-QN64-PSHA512-S999-T48H",
					      &s), TFA_OK);
	memset(&in, 0, sizeof(in));
	in.counter = c;
	in.question = n64;
	in.pin_hash = pin512;
	in.pin_hash_len = sizeof(pin512);
	in.session = sess;
	in.session_len = sizeof(sess);
	in.timestep = t;
	assert_int_equal(otp_ocra(&s, key64, 64, &in, out, sizeof(out)), TFA_OK);
	assert_int_equal(strlen(out), 10);
	ref_ocra(s.text, EVP_sha512(), key64, 64, &c, 'N', n64, pin512, 64, sess, 999, &t,
		 10, want);
	assert_string_equal(out, want);
	/* leading zeros do not count: ...0001 is the number 1 */
	in.question = n64b;
	assert_int_equal(otp_ocra(&s, key64, 64, &in, out, sizeof(out)), TFA_OK);
	ref_ocra(s.text, EVP_sha512(), key64, 64, &c, 'N', "1", pin512, 64, sess, 999, &t,
		 10, want);
	assert_string_equal(out, want);
	in.question = "0001";
	assert_int_equal(otp_ocra(&s, key64, 64, &in, want, sizeof(want)), TFA_OK);
	assert_string_equal(out, want);

	/* S with SHA256, QA with punctuation, T in seconds */
	assert_int_equal(otp_ocra_suite_parse("OCRA-1:HOTP-SHA256-4:QA64-S064-T30S", &s), TFA_OK);
	memset(&in, 0, sizeof(in));
	in.question = "Hello,World!~{}";
	in.session = sess;
	in.session_len = 64;
	in.timestep = 1234567;
	assert_int_equal(otp_ocra(&s, key32, 32, &in, out, sizeof(out)), TFA_OK);
	t = 1234567;
	ref_ocra(s.text, EVP_sha256(), key32, 32, NULL, 'A', in.question, NULL, 0, sess, 64,
		 &t, 4, want);
	assert_string_equal(out, want);
}

/* ---- suites ---- */

static void test_suite_good(void **state)
{
	static const struct {
		const char *s;
		otp_alg alg;
		unsigned digits;
		int c;
		char fmt;
		unsigned qlen;
		int pin;
		otp_alg palg;
		unsigned slen, step;
	} v[] = {
		{ "OCRA-1:HOTP-SHA1-6:QN08", OTP_SHA1, 6, 0, 'N', 8, 0, OTP_SHA1, 0, 0 },
		{ "OCRA-1:HOTP-SHA256-8:C-QN08-PSHA1", OTP_SHA256, 8, 1, 'N', 8, 1, OTP_SHA1, 0, 0 },
		{ "OCRA-1:HOTP-SHA512-8:QN08-T1M", OTP_SHA512, 8, 0, 'N', 8, 0, OTP_SHA1, 0, 60 },
		{ "OCRA-1:HOTP-SHA512-10:QA10-T1M", OTP_SHA512, 10, 0, 'A', 10, 0, OTP_SHA1, 0, 60 },
		{ "OCRA-1:HOTP-SHA1-0:QH04", OTP_SHA1, 0, 0, 'H', 4, 0, OTP_SHA1, 0, 0 },
		{ "OCRA-1:HOTP-SHA1-4:QH64", OTP_SHA1, 4, 0, 'H', 64, 0, OTP_SHA1, 0, 0 },
		{ "OCRA-1:HOTP-SHA256-8:QA08-S064", OTP_SHA256, 8, 0, 'A', 8, 0, OTP_SHA1, 64, 0 },
		{ "OCRA-1:HOTP-SHA256-8:QN08-PSHA512-S001", OTP_SHA256, 8, 0, 'N', 8, 1,
		  OTP_SHA512, 1, 0 },
		{ "OCRA-1:HOTP-SHA1-6:C-QN08-PSHA256-S999-T59S", OTP_SHA1, 6, 1, 'N', 8, 1,
		  OTP_SHA256, 999, 59 },
		{ "OCRA-1:HOTP-SHA1-6:QN08-T59M", OTP_SHA1, 6, 0, 'N', 8, 0, OTP_SHA1, 0, 3540 },
		{ "OCRA-1:HOTP-SHA1-6:QN08-T1H", OTP_SHA1, 6, 0, 'N', 8, 0, OTP_SHA1, 0, 3600 },
		{ "OCRA-1:HOTP-SHA1-6:QN08-T48H", OTP_SHA1, 6, 0, 'N', 8, 0, OTP_SHA1, 0, 172800 },
	};
	otp_ocra_suite s;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		if (otp_ocra_suite_parse(v[i].s, &s) != TFA_OK)
			fail_msg("refused good suite %s", v[i].s);
		assert_string_equal(s.text, v[i].s);
		assert_int_equal(s.alg, v[i].alg);
		assert_int_equal(s.digits, v[i].digits);
		assert_int_equal(s.counter, v[i].c);
		assert_int_equal(s.q_fmt, v[i].fmt);
		assert_int_equal(s.q_len, v[i].qlen);
		assert_int_equal(s.pin, v[i].pin);
		if (v[i].pin)
			assert_int_equal(s.pin_alg, v[i].palg);
		assert_int_equal(s.s_len, v[i].slen);
		assert_int_equal(s.t_step, v[i].step);
	}
}

static void test_suite_bad(void **state)
{
	static const char *const bad[] = {
		"", "OCRA-1", "OCRA-1:", "OCRA-1::", "OCRA-1::QN08", "OCRA-1:::QA08",
		"OCRA-2:HOTP-SHA1-6:QN08", "OCRA-10:HOTP-SHA1-6:QN08",
		"ocra-1:hotp-sha1-6:qn08", "OCRA-1:HOTP-sha1-6:QN08",
		"OCRA-1:TOTP-SHA1-6:QN08", "OCRA-1:HTOP-SHA1-0:QA-08",
		"OCRA-1:HOTP-MD5-6:QN08", "OCRA-1:HOTP-SHA-6:QN08", "OCRA-1:HOTP-SHA2-6:QN08",
		"OCRA-1:HOTP-SHA384-6:QN08", "OCRA-1:HOTP-SHA1:QN08", "OCRA-1:HOTP-SHA1-:QN08",
		"OCRA-1:HOTP-SHA1-1:QN08", "OCRA-1:HOTP-SHA1-3:QN08", "OCRA-1:HOTP-SHA1-11:QN08",
		"OCRA-1:HOTP-SHA1-06:QN08", "OCRA-1:HOTP-SHA1-a0:QN08", "OCRA-1:HOTP-SHA1-100:QN08",
		"OCRA-1:HOTP-SHA1-6", "OCRA-1:HOTP-SHA1-6:", "OCRA-1:HOTP-SHA1-6:C",
		"OCRA-1:HOTP-SHA1-6:C-", "OCRA-1:HOTP-SHA1-6:PSHA1", "OCRA-1:HOTP-SHA1-6:T1M",
		"OCRA-1:HOTP-SHA1-6:QX08", "OCRA-1:HOTP-SHA1-6:Qn08", "OCRA-1:HOTP-SHA1-6:QN",
		"OCRA-1:HOTP-SHA1-6:QN8", "OCRA-1:HOTP-SHA1-6:QN008", "OCRA-1:HOTP-SHA1-6:QN03",
		"OCRA-1:HOTP-SHA1-6:QN00", "OCRA-1:HOTP-SHA1-6:QN65", "OCRA-1:HOTP-SHA1-6:QN99",
		"OCRA-1:HOTP-SHA1-6:QN-8", "OCRA-1:HOTP-SHA1-6:QN+8",
		"OCRA-1:HOTP-SHA1-6:QN08-", "OCRA-1:HOTP-SHA1-6:QN08 ", " OCRA-1:HOTP-SHA1-6:QN08",
		"OCRA-1:HOTP-SHA1-6:QN08\n", "OCRA-1:HOTP-SHA1-6:QN08:", "OCRA-1:HOTP-SHA1-6:QN08x",
		"OCRA-1:HOTP-SHA1-6:C-C-QN08", "OCRA-1:HOTP-SHA1-6:QN08-C",
		"OCRA-1:HOTP-SHA1-6:QN08-QN08", "OCRA-1:HOTP-SHA1-6:QN08-P",
		"OCRA-1:HOTP-SHA1-6:QN08-PSHA", "OCRA-1:HOTP-SHA1-6:QN08-PMD5",
		"OCRA-1:HOTP-SHA1-6:QN08-PSHA1-PSHA1", "OCRA-1:HOTP-SHA1-6:QN08-S",
		"OCRA-1:HOTP-SHA1-6:QN08-S000", "OCRA-1:HOTP-SHA1-6:QN08-S64",
		"OCRA-1:HOTP-SHA1-6:QN08-S1000", "OCRA-1:HOTP-SHA1-6:QN08-S064-S064",
		"OCRA-1:HOTP-SHA1-6:QN08-S064-PSHA1", "OCRA-1:HOTP-SHA1-6:QN08-T1M-PSHA1",
		"OCRA-1:HOTP-SHA1-6:QN08-T1M-S064", "OCRA-1:HOTP-SHA1-6:QN08-T1M-T1M",
		"OCRA-1:HOTP-SHA1-6:QN08-T1M-C", "OCRA-1:HOTP-SHA1-6:QN08-T",
		"OCRA-1:HOTP-SHA1-6:QN08-T1", "OCRA-1:HOTP-SHA1-6:QN08-TM",
		"OCRA-1:HOTP-SHA1-6:QN08-T0S", "OCRA-1:HOTP-SHA1-6:QN08-T60S",
		"OCRA-1:HOTP-SHA1-6:QN08-T0M", "OCRA-1:HOTP-SHA1-6:QN08-T60M",
		"OCRA-1:HOTP-SHA1-6:QN08-T0H", "OCRA-1:HOTP-SHA1-6:QN08-T49H",
		"OCRA-1:HOTP-SHA1-6:QN08-T91H", "OCRA-1:HOTP-SHA1-6:QN08-T01M",
		"OCRA-1:HOTP-SHA1-6:QN08-T100S", "OCRA-1:HOTP-SHA1-6:QN08-T1D",
		"OCRA-1:HOTP-SHA1-6:QN08-T1m", "OCRA-1:HOTP-SHA1-6:QN08-T01X",
		"OCRA-1:HOTP-SHA1-0:QH08-S028---", "this_is_not_a_suite_string",
		/* 65 characters: one more than TFA_SUITE_MAX */
		"OCRA-1:HOTP-SHA512-10:C-QN64-PSHA512-S999-T48H-XXXXXXXXXXXXXXXXXX",
	};
	otp_ocra_suite s;
	size_t i;

	(void)state;
	assert_int_equal(strlen(bad[sizeof(bad) / sizeof(bad[0]) - 1]), TFA_SUITE_MAX + 1);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&s, 0x55, sizeof(s));
		if (otp_ocra_suite_parse(bad[i], &s) != TFA_EINVAL)
			fail_msg("accepted bad suite \"%s\"", bad[i]);
		assert_string_equal(s.text, "");
	}
	assert_int_equal(otp_ocra_suite_parse(NULL, &s), TFA_EINVAL);
	assert_int_equal(otp_ocra_suite_parse("OCRA-1:HOTP-SHA1-6:QN08", NULL), TFA_EINVAL);
}

/* ---- otp_ocra argument checks ---- */

static void expect_einval(const otp_ocra_suite *s, const otp_ocra_input *in,
			  const uint8_t *key, size_t keylen, size_t outlen, const char *what)
{
	char out[16];

	memset(out, 'X', sizeof(out));
	if (otp_ocra(s, key, keylen, in, out, outlen) != TFA_EINVAL)
		fail_msg("accepted: %s", what);
	if (outlen > 0 && out[0] != '\0')
		fail_msg("output not cleared: %s", what);
}

static void test_question_checks(void **state)
{
	static const struct {
		const char *suite, *q;
	} bad[] = {
		{ "OCRA-1:HOTP-SHA1-6:QN08", "" },
		{ "OCRA-1:HOTP-SHA1-6:QN08", "123" },
		{ "OCRA-1:HOTP-SHA1-6:QN08", "123456789" },
		{ "OCRA-1:HOTP-SHA1-6:QN08", "1234567a" },
		{ "OCRA-1:HOTP-SHA1-6:QN08", "-1234567" },
		{ "OCRA-1:HOTP-SHA1-6:QN08", "1234 567" },
		{ "OCRA-1:HOTP-SHA1-6:QN08", "\xef\xbc\x91\xef\xbc\x92" },
		{ "OCRA-1:HOTP-SHA1-6:QH08", "12g4" },
		{ "OCRA-1:HOTP-SHA1-6:QH08", "0x1234" },
		{ "OCRA-1:HOTP-SHA1-6:QH08", "123456789" },
		{ "OCRA-1:HOTP-SHA1-6:QA08", "ABC" },
		{ "OCRA-1:HOTP-SHA1-6:QA08", "ABCDEFGHI" },
		{ "OCRA-1:HOTP-SHA1-6:QA08", "AB CD" },
		{ "OCRA-1:HOTP-SHA1-6:QA08", "ABCD\n" },
		{ "OCRA-1:HOTP-SHA1-6:QA08", "ABC\x7f" },
		{ "OCRA-1:HOTP-SHA1-6:QA08", "AB\xc3\xa9" },
		{ "OCRA-1:HOTP-SHA1-6:QA64",
		  "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" },
	};
	static const struct {
		const char *suite, *q;
	} good[] = {
		{ "OCRA-1:HOTP-SHA1-6:QN08", "1234" },
		{ "OCRA-1:HOTP-SHA1-6:QN08", "12345678" },
		{ "OCRA-1:HOTP-SHA1-6:QN04", "0000" },
		{ "OCRA-1:HOTP-SHA1-6:QH08", "aBcD" },
		{ "OCRA-1:HOTP-SHA1-6:QH08", "12345" },
		{ "OCRA-1:HOTP-SHA1-6:QA08", "!~AZaz09" },
		{ "OCRA-1:HOTP-SHA1-6:QA64",
		  "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" },
	};
	char out[OCRA_MAX_DIGITS + 1];
	otp_ocra_suite s;
	otp_ocra_input in;
	size_t i;

	(void)state;
	memset(&in, 0, sizeof(in));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(otp_ocra_suite_parse(bad[i].suite, &s), TFA_OK);
		in.question = bad[i].q;
		expect_einval(&s, &in, key20, 20, sizeof(out), bad[i].q);
	}
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_int_equal(otp_ocra_suite_parse(good[i].suite, &s), TFA_OK);
		in.question = good[i].q;
		if (otp_ocra(&s, key20, 20, &in, out, sizeof(out)) != TFA_OK)
			fail_msg("refused %s with %s", good[i].q, good[i].suite);
		assert_int_equal(strlen(out), 6);
	}
	in.question = NULL;
	expect_einval(&s, &in, key20, 20, sizeof(out), "NULL question");
}

static void test_arg_checks(void **state)
{
	uint8_t sess[64] = { 0 };
	char out[OCRA_MAX_DIGITS + 1];
	otp_ocra_suite s, p, d0, t;
	otp_ocra_input in, pin, sin;
	const vector *v = &rfc_one_way[0];

	(void)state;
	assert_int_equal(otp_ocra_suite_parse(v->suite, &s), TFA_OK);
	memset(&in, 0, sizeof(in));
	in.question = v->q;

	/* output size: digits + 1 is enough, digits is not */
	assert_int_equal(otp_ocra(&s, v->key, v->keylen, &in, out, 7), TFA_OK);
	assert_string_equal(out, v->want);
	expect_einval(&s, &in, v->key, v->keylen, 6, "outlen = digits");
	expect_einval(&s, &in, v->key, v->keylen, 1, "outlen 1");
	assert_int_equal(otp_ocra(&s, v->key, v->keylen, &in, NULL, 7), TFA_EINVAL);
	assert_int_equal(otp_ocra(&s, v->key, v->keylen, &in, out, 0), TFA_EINVAL);

	/* digits 0 (no truncation) parses but has no decimal response */
	assert_int_equal(otp_ocra_suite_parse("OCRA-1:HOTP-SHA1-0:QN08", &d0), TFA_OK);
	expect_einval(&d0, &in, v->key, v->keylen, sizeof(out), "digits 0");
	/* 4 and 10 digits */
	assert_int_equal(otp_ocra_suite_parse("OCRA-1:HOTP-SHA1-4:QN08", &d0), TFA_OK);
	assert_int_equal(otp_ocra(&d0, v->key, v->keylen, &in, out, 5), TFA_OK);
	assert_int_equal(strlen(out), 4);
	assert_int_equal(otp_ocra_suite_parse("OCRA-1:HOTP-SHA1-10:QN08", &d0), TFA_OK);
	expect_einval(&d0, &in, v->key, v->keylen, 10, "outlen 10 for 10 digits");
	assert_int_equal(otp_ocra(&d0, v->key, v->keylen, &in, out, 11), TFA_OK);
	assert_int_equal(strlen(out), 10);

	/* key, suite and input pointers */
	expect_einval(&s, &in, NULL, 20, sizeof(out), "NULL key");
	expect_einval(&s, &in, v->key, 0, sizeof(out), "empty key");
	expect_einval(&s, &in, v->key, OTP_MAX_SECRET + 1, sizeof(out), "long key");
	expect_einval(NULL, &in, v->key, v->keylen, sizeof(out), "NULL suite");
	expect_einval(&s, NULL, v->key, v->keylen, sizeof(out), "NULL input");

	/* a suite whose fields do not match its text */
	t = s;
	t.q_fmt = 'A';
	expect_einval(&t, &in, v->key, v->keylen, sizeof(out), "fields differ from text");
	t = s;
	t.q_len = 64;
	in.question = "123456789";
	expect_einval(&t, &in, v->key, v->keylen, sizeof(out), "q_len differs from text");
	in.question = v->q;
	t = s;
	memset(t.text, 'A', sizeof(t.text));
	expect_einval(&t, &in, v->key, v->keylen, sizeof(out), "unterminated text");

	/* P: needed by the suite, of the pin_alg length; refused when not */
	assert_int_equal(otp_ocra_suite_parse("OCRA-1:HOTP-SHA256-8:QN08-PSHA1", &p), TFA_OK);
	pin = in;
	expect_einval(&p, &pin, key32, 32, sizeof(out), "P missing");
	pin.pin_hash = pin_sha1;
	pin.pin_hash_len = 19;
	expect_einval(&p, &pin, key32, 32, sizeof(out), "P short");
	pin.pin_hash_len = 32;
	expect_einval(&p, &pin, key32, 32, sizeof(out), "P long");
	pin.pin_hash_len = 20;
	assert_int_equal(otp_ocra(&p, key32, 32, &pin, out, sizeof(out)), TFA_OK);
	assert_string_equal(out, "83238735");   /* RFC C.1, Q 00000000 */
	expect_einval(&s, &pin, v->key, v->keylen, sizeof(out), "P without P in suite");

	/* S: exactly s_len bytes */
	assert_int_equal(otp_ocra_suite_parse("OCRA-1:HOTP-SHA1-6:QN08-S064", &p), TFA_OK);
	sin = in;
	expect_einval(&p, &sin, v->key, v->keylen, sizeof(out), "S missing");
	sin.session = sess;
	sin.session_len = 63;
	expect_einval(&p, &sin, v->key, v->keylen, sizeof(out), "S short");
	sin.session_len = 65;
	expect_einval(&p, &sin, v->key, v->keylen, sizeof(out), "S long");
	sin.session_len = 64;
	assert_int_equal(otp_ocra(&p, v->key, v->keylen, &sin, out, sizeof(out)), TFA_OK);
	expect_einval(&s, &sin, v->key, v->keylen, sizeof(out), "S without S in suite");

	/* C and T only count when the suite names them */
	in.counter = 12345;
	in.timestep = 678;
	assert_int_equal(otp_ocra(&s, v->key, v->keylen, &in, out, sizeof(out)), TFA_OK);
	assert_string_equal(out, v->want);
}

/* ---- challenges ---- */

static void check_challenges(const char *suite, const char *alphabet)
{
	char q[OCRA_MAX_QUESTION + 1], first[OCRA_MAX_QUESTION + 1];
	unsigned seen[256];
	otp_ocra_suite s;
	int differ = 0;
	size_t i, j;

	memset(seen, 0, sizeof(seen));
	assert_int_equal(otp_ocra_suite_parse(suite, &s), TFA_OK);
	for (i = 0; i < 1000; i++) {
		memset(q, 'X', sizeof(q));
		assert_int_equal(otp_ocra_challenge(&s, q, s.q_len + 1), TFA_OK);
		assert_int_equal(strlen(q), s.q_len);
		for (j = 0; j < s.q_len; j++) {
			if (strchr(alphabet, q[j]) == NULL)
				fail_msg("%s: character 0x%02x in challenge", suite,
					 (unsigned char)q[j]);
			seen[(unsigned char)q[j]]++;
		}
		if (i == 0)
			memcpy(first, q, sizeof(q));
		else if (strcmp(q, first) != 0)
			differ = 1;
	}
	assert_true(differ);
	/* every character of the alphabet turns up in 1000 draws */
	for (j = 0; alphabet[j] != '\0'; j++)
		if (seen[(unsigned char)alphabet[j]] == 0)
			fail_msg("%s: '%c' never drawn", suite, alphabet[j]);
	/* and the question it makes is accepted by otp_ocra */
	{
		otp_ocra_input in;
		char out[OCRA_MAX_DIGITS + 1];

		memset(&in, 0, sizeof(in));
		in.question = q;
		if (s.digits > 0)
			assert_int_equal(otp_ocra(&s, key20, 20, &in, out, sizeof(out)), TFA_OK);
	}
}

static void test_challenge(void **state)
{
	static const char digits[] = "0123456789";
	static const char hex[] = "0123456789abcdef";
	static const char alnum[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	char q[OCRA_MAX_QUESTION + 1];
	otp_ocra_suite s;

	(void)state;
	check_challenges("OCRA-1:HOTP-SHA1-6:QN04", digits);
	check_challenges("OCRA-1:HOTP-SHA1-6:QN08", digits);
	check_challenges("OCRA-1:HOTP-SHA1-6:QN64", digits);
	check_challenges("OCRA-1:HOTP-SHA256-8:QH10", hex);
	check_challenges("OCRA-1:HOTP-SHA256-8:QH64", hex);
	check_challenges("OCRA-1:HOTP-SHA512-8:QA08-T1M", alnum);
	check_challenges("OCRA-1:HOTP-SHA512-8:QA64", alnum);

	assert_int_equal(otp_ocra_suite_parse("OCRA-1:HOTP-SHA1-6:QN08", &s), TFA_OK);
	memset(q, 'X', sizeof(q));
	assert_int_equal(otp_ocra_challenge(&s, q, 8), TFA_EINVAL);
	assert_string_equal(q, "");
	assert_int_equal(otp_ocra_challenge(&s, q, 0), TFA_EINVAL);
	assert_int_equal(otp_ocra_challenge(&s, NULL, 9), TFA_EINVAL);
	assert_int_equal(otp_ocra_challenge(NULL, q, sizeof(q)), TFA_EINVAL);
	s.q_fmt = 'X';
	assert_int_equal(otp_ocra_challenge(&s, q, sizeof(q)), TFA_EINVAL);
	s.q_fmt = 'N';
	s.q_len = 65;
	assert_int_equal(otp_ocra_challenge(&s, q, sizeof(q)), TFA_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc_one_way),
		cmocka_unit_test(test_rfc_signature),
		cmocka_unit_test(test_rfc_mutual_refused),
		cmocka_unit_test(test_reference),
		cmocka_unit_test(test_suite_good),
		cmocka_unit_test(test_suite_bad),
		cmocka_unit_test(test_question_checks),
		cmocka_unit_test(test_arg_checks),
		cmocka_unit_test(test_challenge),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
