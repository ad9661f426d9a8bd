/* SPDX-License-Identifier: BSD-2-Clause */
/* test_otp.c - HOTP/TOTP against RFC 4226 / RFC 6238 and an independent
 * OpenSSL HMAC reference; code parsing and comparison. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "otp.h"
#include "secret.h"

static const uint8_t seed20[] = "12345678901234567890";
static const uint8_t seed32[] = "12345678901234567890123456789012";
static const uint8_t seed64[] =
	"1234567890123456789012345678901234567890123456789012345678901234";

/* RFC 4226 appendix D */
static void test_rfc4226(void **state)
{
	static const char *const want[10] = {
		"755224", "287082", "359152", "969429", "338314",
		"254676", "287922", "162583", "399871", "520489",
	};
	char out[OTP_MAX_DIGITS + 1];
	uint64_t c;

	(void)state;
	for (c = 0; c < 10; c++) {
		assert_int_equal(otp_hotp(seed20, 20, OTP_SHA1, c, 6, out), TFA_OK);
		assert_string_equal(out, want[c]);
	}
	/* same truncated value 1284755224 at other lengths */
	assert_int_equal(otp_hotp(seed20, 20, OTP_SHA1, 0, 7, out), TFA_OK);
	assert_string_equal(out, "4755224");
	assert_int_equal(otp_hotp(seed20, 20, OTP_SHA1, 0, 8, out), TFA_OK);
	assert_string_equal(out, "84755224");
}

/* RFC 6238 appendix B, 8 digits, period 30 */
static void test_rfc6238(void **state)
{
	static const struct {
		int64_t t;
		const char *sha1, *sha256, *sha512;
	} v[] = {
		{ 59, "94287082", "46119246", "90693936" },
		{ 1111111109, "07081804", "68084774", "25091201" },
		{ 1111111111, "14050471", "67062674", "99943326" },
		{ 1234567890, "89005924", "91819424", "93441116" },
		{ 2000000000, "69279037", "90698825", "38618901" },
		{ 20000000000LL, "65353130", "77737706", "47863826" },
	};
	char out[OTP_MAX_DIGITS + 1];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		int64_t step = otp_totp_step(v[i].t, 30);

		assert_true(step >= 0);
		assert_int_equal(otp_hotp(seed20, 20, OTP_SHA1, (uint64_t)step, 8, out), TFA_OK);
		assert_string_equal(out, v[i].sha1);
		assert_int_equal(otp_hotp(seed32, 32, OTP_SHA256, (uint64_t)step, 8, out), TFA_OK);
		assert_string_equal(out, v[i].sha256);
		assert_int_equal(otp_hotp(seed64, 64, OTP_SHA512, (uint64_t)step, 8, out), TFA_OK);
		assert_string_equal(out, v[i].sha512);
	}
}

/* reference HOTP straight from RFC 4226 section 5.3, with OpenSSL HMAC */
static void ref_hotp(const uint8_t *key, size_t keylen, otp_alg alg,
		     uint64_t counter, unsigned digits, char *out)
{
	const EVP_MD *md = alg == OTP_SHA256 ? EVP_sha256() :
			   alg == OTP_SHA512 ? EVP_sha512() : EVP_sha1();
	unsigned char msg[8], mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0, off, i;
	uint32_t bin, mod = 1;

	for (i = 0; i < 8; i++)
		msg[i] = (unsigned char)(counter >> (56 - 8 * i));
	assert_non_null(HMAC(md, key, (int)keylen, msg, 8, mac, &maclen));
	off = mac[maclen - 1] & 0xf;
	bin = ((uint32_t)(mac[off] & 0x7f) << 24) | ((uint32_t)mac[off + 1] << 16) |
	      ((uint32_t)mac[off + 2] << 8) | mac[off + 3];
	for (i = 0; i < digits; i++)
		mod *= 10;
	bin %= mod;
	for (i = digits; i > 0; i--) {
		out[i - 1] = (char)('0' + bin % 10);
		bin /= 10;
	}
	out[digits] = '\0';
}

static void test_reference(void **state)
{
	static const uint64_t counters[] = {
		0, 1, 29, 0xffffffffULL, 0x100000000ULL, 0x123456789abcdefULL,
		(uint64_t)INT64_MAX - 1, (uint64_t)INT64_MAX,
	};
	uint8_t key[OTP_MAX_SECRET];
	char out[OTP_MAX_DIGITS + 1], want[OTP_MAX_DIGITS + 1];
	size_t keylen, c;
	int alg;
	unsigned digits;

	(void)state;
	assert_int_equal(tfa_random_bytes(key, sizeof(key)), TFA_OK);
	for (keylen = 1; keylen <= OTP_MAX_SECRET; keylen += 9) {
		for (alg = OTP_SHA1; alg <= OTP_SHA512; alg++) {
			for (c = 0; c < sizeof(counters) / sizeof(counters[0]); c++) {
				for (digits = 6; digits <= 8; digits++) {
					ref_hotp(key, keylen, (otp_alg)alg, counters[c],
						 digits, want);
					assert_int_equal(otp_hotp(key, keylen, (otp_alg)alg,
								  counters[c], digits, out),
							 TFA_OK);
					assert_string_equal(out, want);
				}
			}
		}
	}
	/* the longest key */
	ref_hotp(key, OTP_MAX_SECRET, OTP_SHA512, 7, 6, want);
	assert_int_equal(otp_hotp(key, OTP_MAX_SECRET, OTP_SHA512, 7, 6, out), TFA_OK);
	assert_string_equal(out, want);
}

static void test_hotp_bad_args(void **state)
{
	char out[OTP_MAX_DIGITS + 1];
	uint8_t big[OTP_MAX_SECRET + 1] = { 0 };

	(void)state;
	assert_int_equal(otp_hotp(seed20, 20, OTP_SHA1, 0, 5, out), TFA_EINVAL);
	assert_string_equal(out, "");
	assert_int_equal(otp_hotp(seed20, 20, OTP_SHA1, 0, 9, out), TFA_EINVAL);
	assert_int_equal(otp_hotp(seed20, 20, OTP_SHA1, 0, 0, out), TFA_EINVAL);
	assert_int_equal(otp_hotp(NULL, 20, OTP_SHA1, 0, 6, out), TFA_EINVAL);
	assert_int_equal(otp_hotp(seed20, 0, OTP_SHA1, 0, 6, out), TFA_EINVAL);
	assert_int_equal(otp_hotp(big, sizeof(big), OTP_SHA1, 0, 6, out), TFA_EINVAL);
	assert_int_equal(otp_hotp(seed20, 20, (otp_alg)3, 0, 6, out), TFA_EINVAL);
	assert_int_equal(otp_hotp(seed20, 20, (otp_alg)-1, 0, 6, out), TFA_EINVAL);
	assert_int_equal(otp_hotp(seed20, 20, OTP_SHA1, (uint64_t)INT64_MAX + 1, 6, out),
			 TFA_EINVAL);
	assert_int_equal(otp_hotp(seed20, 20, OTP_SHA1, UINT64_MAX, 6, out), TFA_EINVAL);
	assert_int_equal(otp_hotp(seed20, 20, OTP_SHA1, 0, 6, NULL), TFA_EINVAL);
}

static void test_totp_step(void **state)
{
	(void)state;
	assert_int_equal(otp_totp_step(0, 30), 0);
	assert_int_equal(otp_totp_step(29, 30), 0);
	assert_int_equal(otp_totp_step(30, 30), 1);
	assert_int_equal(otp_totp_step(59, 30), 1);
	assert_int_equal(otp_totp_step(1111111109, 30), 37037036);
	assert_int_equal(otp_totp_step(20000000000LL, 30), 666666666);
	assert_int_equal(otp_totp_step(119, 60), 1);
	assert_int_equal(otp_totp_step(INT64_MAX, 1), INT64_MAX);
	assert_int_equal(otp_totp_step(100, 0), -1);
	assert_int_equal(otp_totp_step(-1, 30), -1);
	assert_int_equal(otp_totp_step(INT64_MIN, 30), -1);
}

static void test_code_parse_good(void **state)
{
	static const struct {
		const char *in;
		unsigned digits;
		const char *want;
	} v[] = {
		{ "123456", 6, "123456" },
		{ "000000", 6, "000000" },
		{ "123 456", 6, "123456" },
		{ "12 34 56", 6, "123456" },
		{ "1 2 3 4 5 6", 6, "123456" },
		{ "1234567", 7, "1234567" },
		{ "12345678", 8, "12345678" },
		{ "1234 5678", 8, "12345678" },
		{ "1 2 3 4 5 6 7 8", 8, "12345678" },
		{ "0", 1, "0" },
	};
	char out[OTP_MAX_DIGITS + 1];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		memset(out, 'x', sizeof(out));
		assert_int_equal(otp_code_parse(v[i].in, v[i].digits, out), TFA_OK);
		assert_string_equal(out, v[i].want);
	}
}

static void test_code_parse_bad(void **state)
{
	static const struct {
		const char *in;
		unsigned digits;
	} v[] = {
		{ "", 6 }, { "12345", 6 }, { "1234567", 6 }, { "12345678", 6 },
		{ "12345a", 6 }, { "abcdef", 6 }, { " 123456", 6 },
		{ "123456 ", 6 }, { "123  456", 6 }, { "123\t456", 6 },
		{ "123-456", 6 }, { "123456\n", 6 }, { "\n123456", 6 },
		{ "+123456", 6 }, { "-123456", 6 }, { "12345.6", 6 },
		{ " ", 6 }, { "      ", 6 }, { "123 45", 6 },
		/* fullwidth digits U+FF11.. */
		{ "\xef\xbc\x91\xef\xbc\x92\xef\xbc\x93\xef\xbc\x94\xef\xbc\x95\xef\xbc\x96", 6 },
		{ "12345\xb9", 6 }, { "123456\xff", 6 },
		{ "1234567", 8 }, { "123456789", 8 },
		{ "1 2 3 4 5 6 7 8 9", 8 },
		{ "12345678901234567890123456789012345678901234567890", 6 },
		{ "123456", 0 }, { "123456", 9 }, { "123456789", 9 },
	};
	/* NUL tricks: the code ends at the first NUL */
	static const char nul1[] = "123\0" "456";
	static const char nul2[] = "\0" "123456";
	char out[OTP_MAX_DIGITS + 1];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		memset(out, 'x', sizeof(out));
		if (otp_code_parse(v[i].in, v[i].digits, out) != TFA_EINVAL)
			fail_msg("accepted bad code #%zu", i);
		assert_int_equal(out[0], '\0');
	}
	assert_int_equal(otp_code_parse(nul1, 6, out), TFA_EINVAL);
	assert_int_equal(otp_code_parse(nul2, 6, out), TFA_EINVAL);
	assert_int_equal(otp_code_parse(NULL, 6, out), TFA_EINVAL);
	assert_int_equal(otp_code_parse("123456", 6, NULL), TFA_EINVAL);
}

static void test_code_equal(void **state)
{
	char a[OTP_MAX_DIGITS + 1] = "123456";
	char b[OTP_MAX_DIGITS + 1] = "123456";

	(void)state;
	assert_int_equal(otp_code_equal(a, b, 6), 1);
	assert_int_equal(otp_code_equal("12345678", "12345678", 8), 1);
	assert_int_equal(otp_code_equal("023456", "123456", 6), 0);
	assert_int_equal(otp_code_equal("123457", "123456", 6), 0);
	assert_int_equal(otp_code_equal("12345678", "12345679", 8), 0);
	/* lengths must both be exactly @digits */
	assert_int_equal(otp_code_equal("12345", "12345", 6), 0);
	assert_int_equal(otp_code_equal("1234567", "1234567", 6), 0);
	assert_int_equal(otp_code_equal("123456", "1234567", 6), 0);
	assert_int_equal(otp_code_equal("", "", 6), 0);
	assert_int_equal(otp_code_equal(NULL, b, 6), 0);
	assert_int_equal(otp_code_equal(a, NULL, 6), 0);
	assert_int_equal(otp_code_equal(a, b, 0), 0);
	assert_int_equal(otp_code_equal(a, b, 9), 0);
}

static void test_names(void **state)
{
	otp_alg alg;
	tfa_token_type t;

	(void)state;
	assert_string_equal(otp_alg_name(OTP_SHA1), "SHA1");
	assert_string_equal(otp_alg_name(OTP_SHA256), "SHA256");
	assert_string_equal(otp_alg_name(OTP_SHA512), "SHA512");
	assert_int_equal(otp_alg_parse("sha256", &alg), TFA_OK);
	assert_int_equal(alg, OTP_SHA256);
	assert_int_equal(otp_alg_parse("Sha512", &alg), TFA_OK);
	assert_int_equal(alg, OTP_SHA512);
	assert_int_equal(otp_alg_parse("SHA1", &alg), TFA_OK);
	assert_int_equal(alg, OTP_SHA1);
	assert_int_equal(otp_alg_parse("MD5", &alg), TFA_EINVAL);
	assert_int_equal(otp_alg_parse("SHA-1", &alg), TFA_EINVAL);
	assert_int_equal(otp_alg_parse("", &alg), TFA_EINVAL);
	assert_int_equal(otp_alg_parse(NULL, &alg), TFA_EINVAL);
	assert_string_equal(otp_type_name(TFA_TOKEN_TOTP), "totp");
	assert_string_equal(otp_type_name(TFA_TOKEN_HOTP), "hotp");
	assert_int_equal(otp_type_parse("HOTP", &t), TFA_OK);
	assert_int_equal(t, TFA_TOKEN_HOTP);
	assert_int_equal(otp_type_parse("totp", &t), TFA_OK);
	assert_int_equal(t, TFA_TOKEN_TOTP);
	assert_int_equal(otp_type_parse("ocra", &t), TFA_OK);
	assert_int_equal(t, TFA_TOKEN_OCRA);
	assert_int_equal(otp_type_parse("SMS", &t), TFA_OK);
	assert_int_equal(t, TFA_TOKEN_SMS);
	assert_string_equal(otp_type_name(TFA_TOKEN_SMS), "sms");
	assert_string_equal(otp_type_name(TFA_TOKEN_OCRA), "ocra");
	assert_int_equal(otp_type_parse("yubikey", &t), TFA_EINVAL);
	assert_int_equal(otp_type_parse("totp ", &t), TFA_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc4226),
		cmocka_unit_test(test_rfc6238),
		cmocka_unit_test(test_reference),
		cmocka_unit_test(test_hotp_bad_args),
		cmocka_unit_test(test_totp_step),
		cmocka_unit_test(test_code_parse_good),
		cmocka_unit_test(test_code_parse_bad),
		cmocka_unit_test(test_code_equal),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
