/* SPDX-License-Identifier: BSD-2-Clause */
/* test_uri.c - base32, random secrets, otpauth:// URIs. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "secret.h"
#include "uri.h"

/* "Hello!" DE AD BE EF = JBSWY3DPEHPK3PXP, the Google wiki's example */
static const uint8_t hello[10] = { 'H', 'e', 'l', 'l', 'o', '!', 0xde, 0xad, 0xbe, 0xef };
static const uint8_t seed20[] = "12345678901234567890";
#define SEED20_B32 "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"

/* ---- base32 ---- */

static void test_b32_rfc4648(void **state)
{
	static const struct { const char *in, *enc, *padded; } v[] = {
		{ "f", "MY", "MY======" },
		{ "fo", "MZXQ", "MZXQ====" },
		{ "foo", "MZXW6", "MZXW6===" },
		{ "foob", "MZXW6YQ", "MZXW6YQ=" },
		{ "fooba", "MZXW6YTB", "MZXW6YTB" },
		{ "foobar", "MZXW6YTBOI", "MZXW6YTBOI======" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		size_t n = strlen(v[i].in), len;
		char *enc = NULL;
		uint8_t *dec = NULL;

		assert_int_equal(tfa_base32_encode((const uint8_t *)v[i].in, n, &enc), TFA_OK);
		assert_string_equal(enc, v[i].enc);
		tfa_free_secret(enc);
		assert_int_equal(tfa_base32_decode(v[i].padded, &dec, &len), TFA_OK);
		assert_int_equal(len, n);
		assert_memory_equal(dec, v[i].in, n);
		free(dec);
	}
}

static void test_b32_decode_forms(void **state)
{
	static const char *const same[] = {
		"MZXW6YTBOI", "mzxw6ytboi", "MzXw6YtBoI", "MZXW 6YTB OI",
		"MZXW-6YTB-OI", "MZXW6YTBOI======", " MZXW6YTBOI ", "MZXW6YTBOI= = =",
		"MZXW6YTBOI=-= ",
	};
	size_t i, len;
	uint8_t *dec;

	(void)state;
	for (i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		dec = NULL;
		if (tfa_base32_decode(same[i], &dec, &len) != TFA_OK)
			fail_msg("refused \"%s\"", same[i]);
		assert_int_equal(len, 6);
		assert_memory_equal(dec, "foobar", 6);
		free(dec);
	}
	assert_int_equal(tfa_base32_decode("JBSWY3DPEHPK3PXP", &dec, &len), TFA_OK);
	assert_int_equal(len, sizeof(hello));
	assert_memory_equal(dec, hello, sizeof(hello));
	free(dec);
}

static void test_b32_bad(void **state)
{
	static const char *const bad[] = {
		"", " ", "-", "=", "========", "M", "MZX", "MZXW6Y", "MZXW6YTBO",
		"MZXW6YTB1", "MZXW6YTB0", "MZXW6YTB8", "MZXW6YTB9", "MZ=XW6YTBOI",
		"MY=A", "MZXW6YTBOI=====A", "MZXW\t6YTBOI", "MZXW6YTBOI\n",
		"MZXW_6YTBOI", "MZXW6YTB+OI", "MZXW6YTBO\xc3\x89", "MZXW6YTB.OI",
	};
	size_t i, len = 99;
	uint8_t *dec;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		dec = (uint8_t *)&len;
		if (tfa_base32_decode(bad[i], &dec, &len) != TFA_EINVAL)
			fail_msg("accepted bad base32 #%zu", i);
		assert_null(dec);
		assert_int_equal(len, 0);
	}
	assert_int_equal(tfa_base32_decode(NULL, &dec, &len), TFA_EINVAL);
	assert_int_equal(tfa_base32_decode("MY", NULL, &len), TFA_EINVAL);
	assert_int_equal(tfa_base32_decode("MY", &dec, NULL), TFA_EINVAL);
}

static void test_b32_roundtrip(void **state)
{
	uint8_t buf[200] = { 0 }, *dec;
	char *enc;
	size_t n, len;

	(void)state;
	assert_int_equal(tfa_base32_encode(buf, 0, &enc), TFA_OK);
	assert_string_equal(enc, "");
	tfa_free_secret(enc);
	for (n = 1; n <= sizeof(buf); n++) {
		assert_int_equal(tfa_random_bytes(buf, n), TFA_OK);
		assert_int_equal(tfa_base32_encode(buf, n, &enc), TFA_OK);
		assert_int_equal(strlen(enc), (n * 8 + 4) / 5);
		assert_int_equal(tfa_base32_decode(enc, &dec, &len), TFA_OK);
		assert_int_equal(len, n);
		assert_memory_equal(dec, buf, n);
		tfa_free_secret(enc);
		free(dec);
	}
	assert_int_equal(tfa_base32_encode(seed20, 20, &enc), TFA_OK);
	assert_string_equal(enc, SEED20_B32);
	tfa_free_secret(enc);
	assert_int_equal(tfa_base32_encode(NULL, 3, &enc), TFA_EINVAL);
	assert_int_equal(tfa_base32_encode(buf, 3, NULL), TFA_EINVAL);
}

/* ---- random ---- */

static void test_random(void **state)
{
	char d[17];
	unsigned count[10] = { 0 }, i, j;
	uint8_t a[32] = { 0 }, b[32] = { 0 };

	(void)state;
	assert_int_equal(tfa_random_bytes(a, sizeof(a)), TFA_OK);
	assert_int_equal(tfa_random_bytes(b, sizeof(b)), TFA_OK);
	assert_memory_not_equal(a, b, sizeof(a));
	assert_int_equal(tfa_random_bytes(NULL, 0), TFA_OK);
	assert_int_equal(tfa_random_bytes(NULL, 1), TFA_EINVAL);
	assert_int_equal(tfa_random_digits(0, d), TFA_EINVAL);
	assert_int_equal(tfa_random_digits(17, d), TFA_EINVAL);
	assert_int_equal(tfa_random_digits(6, NULL), TFA_EINVAL);
	for (i = 1; i <= 16; i++) {
		assert_int_equal(tfa_random_digits(i, d), TFA_OK);
		assert_int_equal(strlen(d), i);
		for (j = 0; j < i; j++)
			assert_true(d[j] >= '0' && d[j] <= '9');
	}
	/* 100000 digits: each should come 10000 times, sigma ~95 */
	for (i = 0; i < 6250; i++) {
		assert_int_equal(tfa_random_digits(16, d), TFA_OK);
		for (j = 0; j < 16; j++)
			count[d[j] - '0']++;
	}
	for (i = 0; i < 10; i++)
		if (count[i] < 9400 || count[i] > 10600)
			fail_msg("digit %u came %u times in 100000", i, count[i]);
	tfa_wipe(a, sizeof(a));
	for (i = 0; i < sizeof(a); i++)
		assert_int_equal(a[i], 0);
	tfa_wipe(NULL, 10);
	tfa_free_secret(NULL);
}

/* ---- URI building ---- */

static void init_uri(tfa_uri *u, tfa_token_type type, const char *issuer,
		     const char *account, const uint8_t *secret, size_t len)
{
	memset(u, 0, sizeof(*u));
	u->type = type;
	u->issuer = (char *)issuer;
	u->account = (char *)account;
	u->secret = (uint8_t *)secret;
	u->secret_len = len;
	u->alg = OTP_SHA1;
	u->digits = 6;
	u->period = 30;
}

static void expect_build(const tfa_uri *u, const char *want)
{
	char *s = NULL;

	assert_int_equal(tfa_uri_build(u, &s), TFA_OK);
	assert_string_equal(s, want);
	tfa_free_secret(s);
}

static void test_build_exact(void **state)
{
	tfa_uri u;

	(void)state;
	init_uri(&u, TFA_TOKEN_TOTP, "Example", "alice@google.com", hello, sizeof(hello));
	expect_build(&u, "otpauth://totp/Example:alice%40google.com"
		     "?secret=JBSWY3DPEHPK3PXP&issuer=Example");
	u.issuer = NULL;
	expect_build(&u, "otpauth://totp/alice%40google.com?secret=JBSWY3DPEHPK3PXP");
	u.issuer = "";
	expect_build(&u, "otpauth://totp/alice%40google.com?secret=JBSWY3DPEHPK3PXP");

	init_uri(&u, TFA_TOKEN_TOTP, "ACME Co", "john doe", seed20, 20);
	u.alg = OTP_SHA512;
	u.digits = 7;
	u.period = 60;
	expect_build(&u, "otpauth://totp/ACME%20Co:john%20doe?secret=" SEED20_B32
		     "&issuer=ACME%20Co&algorithm=SHA512&digits=7&period=60");

	init_uri(&u, TFA_TOKEN_HOTP, NULL, "alice", seed20, 20);
	u.alg = OTP_SHA256;
	u.digits = 8;
	u.period = 60;	/* not used for hotp */
	expect_build(&u, "otpauth://hotp/alice?secret=" SEED20_B32
		     "&algorithm=SHA256&digits=8&counter=0");
	u.counter = UINT64_MAX;
	u.alg = OTP_SHA1;
	u.digits = 6;
	expect_build(&u, "otpauth://hotp/alice?secret=" SEED20_B32
		     "&counter=18446744073709551615");

	init_uri(&u, TFA_TOKEN_TOTP, "a&b=c?d/e#f%g+h~i.j_k-l", "x y\xc3\xa9", hello,
		 sizeof(hello));
	expect_build(&u, "otpauth://totp/a%26b%3Dc%3Fd%2Fe%23f%25g%2Bh~i.j_k-l:x%20y%C3%A9"
		     "?secret=JBSWY3DPEHPK3PXP&issuer=a%26b%3Dc%3Fd%2Fe%23f%25g%2Bh~i.j_k-l");
}

/* user names as directories give them (pam_twofactor(8), USER NAMES):
 * winbind's DOMAIN\user and UTF-8 go into the label percent-encoded and
 * come back */
static void test_build_directory_names(void **state)
{
	static const char *const names[] = { "DOMAIN\\bob", "j\xc3\xbcrgen", "a b@c.d" };
	static const char *const labels[] = { "DOMAIN%5Cbob", "j%C3%BCrgen", "a%20b%40c.d" };
	tfa_uri u, back;
	char *s = NULL, want[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		init_uri(&u, TFA_TOKEN_TOTP, "host", names[i], hello, sizeof(hello));
		(void)snprintf(want, sizeof(want), "otpauth://totp/host:%s"
			       "?secret=JBSWY3DPEHPK3PXP&issuer=host", labels[i]);
		expect_build(&u, want);
		assert_int_equal(tfa_uri_build(&u, &s), TFA_OK);
		memset(&back, 0, sizeof(back));
		assert_int_equal(tfa_uri_parse(s, &back), TFA_OK);
		assert_string_equal(back.account, names[i]);
		tfa_uri_clear(&back);
		tfa_free_secret(s);
		s = NULL;
	}
}

static void test_build_bad(void **state)
{
	uint8_t big[OTP_MAX_SECRET + 1] = { 0 };
	char *s = (char *)"x", *longname;
	tfa_uri u;

	(void)state;
#define BAD(stmt) do { \
		init_uri(&u, TFA_TOKEN_TOTP, "Ex", "alice", seed20, 20); \
		stmt; \
		s = (char *)"x"; \
		assert_int_equal(tfa_uri_build(&u, &s), TFA_EINVAL); \
		assert_null(s); \
	} while (0)
	BAD(u.account = NULL);
	BAD(u.account = "");
	BAD(u.account = "a:b");
	BAD(u.issuer = "E:x");
	BAD(u.issuer = "E\nx");
	BAD(u.account = "al\x7fice");
	BAD(u.account = "al\xffice");
	BAD(u.issuer = "\xc3");
	BAD(u.digits = 5);
	BAD(u.digits = 9);
	BAD(u.period = 0);
	BAD(u.secret = NULL);
	BAD(u.secret_len = 9);
	BAD(u.secret = big; u.secret_len = sizeof(big));
	BAD(u.type = (tfa_token_type)2);
	BAD(u.alg = (otp_alg)3);
	longname = malloc(3000);
	assert_non_null(longname);
	memset(longname, ' ', 2999);
	longname[2999] = '\0';
	BAD(u.issuer = longname);
	free(longname);
#undef BAD
	assert_int_equal(tfa_uri_build(NULL, &s), TFA_EINVAL);
	init_uri(&u, TFA_TOKEN_TOTP, "Ex", "alice", seed20, 20);
	assert_int_equal(tfa_uri_build(&u, NULL), TFA_EINVAL);
}

/* ---- round trips ---- */

static void roundtrip(const tfa_uri *in)
{
	tfa_uri out;
	char *s = NULL;

	assert_int_equal(tfa_uri_build(in, &s), TFA_OK);
	if (tfa_uri_parse(s, &out) != TFA_OK)
		fail_msg("cannot parse back %s", s);
	assert_int_equal(out.type, in->type);
	if (in->issuer == NULL || in->issuer[0] == '\0')
		assert_null(out.issuer);
	else
		assert_string_equal(out.issuer, in->issuer);
	assert_string_equal(out.account, in->account);
	assert_int_equal(out.secret_len, in->secret_len);
	assert_memory_equal(out.secret, in->secret, in->secret_len);
	assert_int_equal(out.alg, in->alg);
	assert_int_equal(out.digits, in->digits);
	if (in->type == TFA_TOKEN_TOTP)
		assert_int_equal(out.period, in->period);
	else
		assert_true(out.counter == in->counter);
	tfa_uri_clear(&out);
	assert_null(out.secret);
	tfa_free_secret(s);
}

static void test_roundtrip(void **state)
{
	static const unsigned periods[] = { 1, 15, 30, 60, 86400 };
	static const uint64_t counters[] = { 0, 1, 10, 0xffffffffULL, UINT64_MAX };
	static const char *const issuers[] = {
		NULL, "", "Example", "ACME Co", "Ünïcødé & Sons / Co.?=#%+",
		"日本語", " lead and trail ",
	};
	static const char *const accounts[] = {
		"alice", "bob smith", "bob+test@example.com", "a&b=c?d", "%41",
		"x/y\\z\"'<>", "Łukasz",
	};
	uint8_t key[OTP_MAX_SECRET];
	tfa_uri u;
	size_t i, j;
	int alg;
	unsigned digits;

	(void)state;
	assert_int_equal(tfa_random_bytes(key, sizeof(key)), TFA_OK);
	for (alg = OTP_SHA1; alg <= OTP_SHA512; alg++)
		for (digits = 6; digits <= 8; digits++) {
			for (i = 0; i < sizeof(periods) / sizeof(periods[0]); i++) {
				init_uri(&u, TFA_TOKEN_TOTP, "Example", "alice", key, 20);
				u.alg = (otp_alg)alg;
				u.digits = digits;
				u.period = periods[i];
				roundtrip(&u);
			}
			for (i = 0; i < sizeof(counters) / sizeof(counters[0]); i++) {
				init_uri(&u, TFA_TOKEN_HOTP, "Example", "alice", key, 32);
				u.alg = (otp_alg)alg;
				u.digits = digits;
				u.counter = counters[i];
				roundtrip(&u);
			}
		}
	for (i = 0; i < sizeof(issuers) / sizeof(issuers[0]); i++)
		for (j = 0; j < sizeof(accounts) / sizeof(accounts[0]); j++) {
			init_uri(&u, TFA_TOKEN_TOTP, issuers[i], accounts[j], key, 20);
			roundtrip(&u);
		}
	for (i = 10; i <= OTP_MAX_SECRET; i++) {
		init_uri(&u, TFA_TOKEN_HOTP, "Ex", "alice", key, i);
		roundtrip(&u);
	}
}

/* ---- parsing ---- */

static void test_parse_good(void **state)
{
	tfa_uri u;

	(void)state;
	/* Google's wiki examples */
	assert_int_equal(tfa_uri_parse("otpauth://totp/Example:alice@google.com"
				       "?secret=JBSWY3DPEHPK3PXP&issuer=Example", &u), TFA_OK);
	assert_int_equal(u.type, TFA_TOKEN_TOTP);
	assert_string_equal(u.issuer, "Example");
	assert_string_equal(u.account, "alice@google.com");
	assert_int_equal(u.secret_len, sizeof(hello));
	assert_memory_equal(u.secret, hello, sizeof(hello));
	assert_int_equal(u.alg, OTP_SHA1);
	assert_int_equal(u.digits, 6);
	assert_int_equal(u.period, 30);
	tfa_uri_clear(&u);
	assert_int_equal(tfa_uri_parse("otpauth://totp/ACME%20Co:john.doe@email.com"
				       "?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ&issuer=ACME%20Co"
				       "&algorithm=SHA1&digits=6&period=30", &u), TFA_OK);
	assert_string_equal(u.issuer, "ACME Co");
	assert_string_equal(u.account, "john.doe@email.com");
	assert_int_equal(u.secret_len, 20);
	tfa_uri_clear(&u);
	/* %3A separator, spaces after it, lower-case padded secret, upper-case
	 * scheme and type, '+' in the query, unknown and empty parameters */
	assert_int_equal(tfa_uri_parse("OTPAUTH://HOTP/ACME%20Co%3A%20%20bob"
				       "?secret=jbswy3dpehpk3pxp======&&issuer=ACME+Co"
				       "&image=https%3A%2F%2Fx&counter=42&period=5&digits=8"
				       "&algorithm=sha256&", &u), TFA_OK);
	assert_int_equal(u.type, TFA_TOKEN_HOTP);
	assert_string_equal(u.issuer, "ACME Co");
	assert_string_equal(u.account, "bob");
	assert_true(u.counter == 42);
	assert_int_equal(u.digits, 8);
	assert_int_equal(u.alg, OTP_SHA256);
	tfa_uri_clear(&u);
	/* issuer only as a parameter; only in the label; nowhere */
	assert_int_equal(tfa_uri_parse("otpauth://totp/alice?issuer=Ex&secret=JBSWY3DPEHPK3PXP",
				       &u), TFA_OK);
	assert_string_equal(u.issuer, "Ex");
	assert_string_equal(u.account, "alice");
	tfa_uri_clear(&u);
	assert_int_equal(tfa_uri_parse("otpauth://totp/Ex:alice?secret=JBSWY3DPEHPK3PXP&period=60",
				       &u), TFA_OK);
	assert_string_equal(u.issuer, "Ex");
	assert_int_equal(u.period, 60);
	tfa_uri_clear(&u);
	assert_int_equal(tfa_uri_parse("otpauth://totp/alice?secret=JBSWY3DPEHPK3PXP&counter=7",
				       &u), TFA_OK);
	assert_null(u.issuer);
	assert_true(u.counter == 0);
	tfa_uri_clear(&u);
}

static void test_parse_bad(void **state)
{
#define S "secret=JBSWY3DPEHPK3PXP"
	static const char *const bad[] = {
		"", "otpauth://", "http://totp/Ex:alice?" S, "otpauth:/totp/alice?" S,
		"otpauth:totp/alice?" S, " otpauth://totp/alice?" S,
		"otpauth://xotp/alice?" S, "otpauth://totp?" S, "otpauth://totp",
		"otpauth://totp/alice", "otpauth://ocra/alice?" S,
		"otpauth://totp:80/alice?" S, "otpauth://totptotp/alice?" S,
		/* label */
		"otpauth://totp/?" S, "otpauth://totp/:alice?" S,
		"otpauth://totp/Ex:?" S, "otpauth://totp/Ex:%20?" S,
		"otpauth://totp/Ex:al:ice?" S, "otpauth://totp/Ex%3Aal%3Aice?" S,
		/* secret */
		"otpauth://totp/alice?issuer=Ex", "otpauth://totp/alice?secret=",
		"otpauth://totp/alice?secret=JBSWY3DPEHPK3PX1",
		"otpauth://totp/alice?secret=JBSWY3DPEHPK3PXPA",
		"otpauth://totp/alice?secret=JBSWY3DP",
		"otpauth://totp/alice?" S "&" S, "otpauth://totp/alice?secret",
		/* algorithm, digits, period, counter */
		"otpauth://totp/alice?" S "&algorithm=MD5",
		"otpauth://totp/alice?" S "&algorithm=",
		"otpauth://totp/alice?" S "&digits=5", "otpauth://totp/alice?" S "&digits=9",
		"otpauth://totp/alice?" S "&digits=x", "otpauth://totp/alice?" S "&digits=06",
		"otpauth://totp/alice?" S "&digits=", "otpauth://totp/alice?" S "&digits=+6",
		"otpauth://totp/alice?" S "&digits=6x", "otpauth://totp/alice?" S "&digits=-6",
		"otpauth://totp/alice?" S "&digits=6&digits=6",
		"otpauth://totp/alice?" S "&period=0", "otpauth://totp/alice?" S "&period=-30",
		"otpauth://totp/alice?" S "&period=30s", "otpauth://totp/alice?" S "&period=86401",
		"otpauth://totp/alice?" S "&period=99999999999999999999999",
		"otpauth://hotp/alice?" S, "otpauth://hotp/alice?" S "&counter=",
		"otpauth://hotp/alice?" S "&counter=-1",
		"otpauth://hotp/alice?" S "&counter=18446744073709551616",
		"otpauth://hotp/alice?" S "&counter=1e3",
		/* percent-encoding and raw bytes */
		"otpauth://totp/al%ice?" S, "otpauth://totp/alice%?" S, "otpauth://totp/alice%2?" S,
		"otpauth://totp/al%G1ice?" S, "otpauth://totp/al%00ice?" S,
		"otpauth://totp/al%0Aice?" S, "otpauth://totp/al%7Fice?" S,
		"otpauth://totp/al%FFice?" S, "otpauth://totp/al%C3ice?" S,
		"otpauth://totp/al%C0%AFice?" S, "otpauth://totp/al%ED%A0%80ice?" S,
		"otpauth://totp/al%C2%85ice?" S,
		"otpauth://totp/alice?" S "&issuer=E%", "otpauth://totp/alice?" S "&issuer=E%0",
		"otpauth://totp/alice?" S "&issuer=E%00x",
		"otpauth://totp/al ice?" S, "otpauth://totp/alice?" S "\n",
		"otpauth://totp/al\tice?" S, "otpauth://totp/al\xc3\xa9ice?" S,
		"otpauth://totp/alice?" S "#frag",
		/* issuer */
		"otpauth://totp/A:alice?" S "&issuer=B", "otpauth://totp/A:alice?" S "&issuer=a",
		"otpauth://totp/A:alice?" S "&issuer=", "otpauth://totp/alice?" S "&issuer=",
		"otpauth://totp/alice?" S "&issuer=A:B", "otpauth://totp/alice?" S "&issuer=A%3AB",
		"otpauth://totp/alice?" S "&issuer=A&issuer=A",
		"otpauth://totp/A:alice?" S "&issuer=A%20",
		"otpauth://totp/alice?" S "&=x",
	};
#undef S
	tfa_uri u;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&u, 0xa5, sizeof(u));
		if (tfa_uri_parse(bad[i], &u) != TFA_EINVAL)
			fail_msg("accepted bad URI #%zu: %s", i, bad[i]);
		assert_null(u.secret);
		assert_null(u.account);
		assert_null(u.issuer);
	}
	assert_int_equal(tfa_uri_parse(NULL, &u), TFA_EINVAL);
	assert_int_equal(tfa_uri_parse("otpauth://totp/alice?secret=JBSWY3DPEHPK3PXP", NULL),
			 TFA_EINVAL);
}

static void test_parse_overlong(void **state)
{
	static const char head[] = "otpauth://totp/alice?secret=JBSWY3DPEHPK3PXP&x=";
	char *s;
	size_t n;
	tfa_uri u;

	(void)state;
	s = malloc(100001);
	assert_non_null(s);
	memcpy(s, head, sizeof(head) - 1);
	memset(s + sizeof(head) - 1, 'a', 100000 - (sizeof(head) - 1));
	s[100000] = '\0';
	assert_int_equal(tfa_uri_parse(s, &u), TFA_EINVAL);
	/* 4096 bytes is the limit */
	n = 4096;
	s[n] = '\0';
	assert_int_equal(tfa_uri_parse(s, &u), TFA_OK);
	tfa_uri_clear(&u);
	s[n] = 'a';
	s[n + 1] = '\0';
	assert_int_equal(tfa_uri_parse(s, &u), TFA_EINVAL);
	free(s);
}

/* every prefix and many random mutations of a valid URI: never a crash
 * (run under ASan/valgrind), and whatever is accepted builds again */
/* type ocra (a twofactor extension): ocrasuite= is built, parsed and
 * required; type sms has no URI */
static void test_ocra_and_sms(void **state)
{
	char suite[] = "OCRA-1:HOTP-SHA256-8:C-QN08";
	tfa_uri u, p;
	char *s = NULL;

	(void)state;
	init_uri(&u, TFA_TOKEN_OCRA, "ACME", "bob", hello, sizeof(hello));
	u.suite = suite;
	expect_build(&u, "otpauth://ocra/ACME:bob?secret=JBSWY3DPEHPK3PXP&issuer=ACME"
		     "&ocrasuite=OCRA-1%3AHOTP-SHA256-8%3AC-QN08");
	assert_int_equal(tfa_uri_build(&u, &s), TFA_OK);
	memset(&p, 0, sizeof(p));
	assert_int_equal(tfa_uri_parse(s, &p), TFA_OK);
	assert_int_equal(p.type, TFA_TOKEN_OCRA);
	assert_string_equal(p.suite, suite);
	tfa_uri_clear(&p);
	tfa_free_secret(s);
	u.suite = NULL;                               /* ocra needs a suite */
	assert_int_equal(tfa_uri_build(&u, &s), TFA_EINVAL);
	u.suite = (char *)"OCRA-1:HOTP-MD5-6:QN08";   /* not a suite */
	assert_int_equal(tfa_uri_build(&u, &s), TFA_EINVAL);
	u.type = TFA_TOKEN_SMS;
	u.suite = NULL;
	assert_int_equal(tfa_uri_build(&u, &s), TFA_EINVAL);
	assert_int_equal(tfa_uri_parse("otpauth://ocra/bob?secret=JBSWY3DPEHPK3PXP", &p), TFA_EINVAL);
	assert_int_equal(tfa_uri_parse("otpauth://sms/bob?secret=JBSWY3DPEHPK3PXP", &p), TFA_EINVAL);
	assert_int_equal(tfa_uri_parse("otpauth://totp/bob?secret=JBSWY3DPEHPK3PXP"
				       "&ocrasuite=OCRA-1%3AHOTP-SHA1-6%3AQN08", &p), TFA_EINVAL);
	assert_int_equal(tfa_uri_parse("otpauth://ocra/bob?secret=JBSWY3DPEHPK3PXP"
				       "&ocrasuite=OCRA-1%3AHOTP-SHA1-6%3AQX08", &p), TFA_EINVAL);
}

static void test_parse_hostile(void **state)
{
	static const char good[] = "otpauth://hotp/ACME%20Co:bob%40ex?secret="
				   SEED20_B32 "&issuer=ACME%20Co&algorithm=SHA512"
				   "&digits=8&counter=99";
	static const char alphabet[] = "%:?&=#/+ 0aZ\x01\xff\xc3";
	char buf[sizeof(good)], *s;
	size_t n, i;
	uint8_t r[3];
	tfa_uri u;

	(void)state;
	for (n = 0; n < sizeof(good); n++) {
		memcpy(buf, good, n);
		buf[n] = '\0';
		if (tfa_uri_parse(buf, &u) == TFA_OK) {
			assert_int_equal(tfa_uri_build(&u, &s), TFA_OK);
			tfa_free_secret(s);
			tfa_uri_clear(&u);
		}
	}
	for (i = 0; i < 20000; i++) {
		memcpy(buf, good, sizeof(good));
		assert_int_equal(tfa_random_bytes(r, sizeof(r)), TFA_OK);
		buf[r[0] % (sizeof(good) - 1)] = alphabet[r[1] % (sizeof(alphabet) - 1)];
		if (r[2] & 1)
			buf[r[2] % (sizeof(good) - 1)] = (char)r[1];
		if (tfa_uri_parse(buf, &u) == TFA_OK) {
			assert_non_null(u.account);
			assert_non_null(u.secret);
			assert_int_equal(tfa_uri_build(&u, &s), TFA_OK);
			tfa_free_secret(s);
			tfa_uri_clear(&u);
		} else {
			assert_null(u.secret);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_b32_rfc4648),
		cmocka_unit_test(test_build_directory_names),
		cmocka_unit_test(test_b32_decode_forms),
		cmocka_unit_test(test_b32_bad),
		cmocka_unit_test(test_b32_roundtrip),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_build_exact),
		cmocka_unit_test(test_build_bad),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_parse_overlong),
		cmocka_unit_test(test_parse_hostile),
		cmocka_unit_test(test_ocra_and_sms),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
