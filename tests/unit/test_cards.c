/* SPDX-License-Identifier: BSD-2-Clause */
/* test_cards.c - token-card files (card.h): PSKC through libpskc (RFC 6030
 * examples, keys with one problem each, hostile documents) and CSV (good
 * and bad lines); positions, serials and reasons of the bad entries, the
 * secrets (RFC 4226 / RFC 6238 codes), duplicate serials, and no secret in
 * any message or on stderr.
 *
 * The files are read from $TFA_SRCDIR/tests/data (set by tests/run-suite.sh),
 * else from ../data next to this source file. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <pskc/pskc.h>

#include "admin.h"
#include "card.h"
#include "otp.h"

#define MAXPROB 64

struct problem {
	size_t pos;
	char serial[TFA_SERIAL_MAX + 1];
	char why[256];
};

struct res {
	tfa_rc rc;
	tfa_card_set set;      /* what the parser gave; t, k, pos, n are its fields */
	tfa_token *t;
	const tfa_token_key *k;   /* k[i]: t[i]'s key */
	size_t *pos;           /* each good card's position */
	size_t n, bad, np;
	struct problem p[MAXPROB];
	tfa_err err;
};

/* text that must never show up in a message: the test secrets in base64,
 * hex and ASCII */
static const char *const secret_text[] = {
	"MTIzNDU2", "MTIzNA", "3132333435", "12345678901234567890", "abababab",
};

static void collect(size_t pos, const char *serial, const char *why, void *ctx)
{
	struct res *r = ctx;
	size_t i;

	assert_true(r->np < MAXPROB);
	assert_non_null(serial);
	assert_true(serial[0] == '\0' || tfa_serial_valid(serial));
	assert_true(why != NULL && why[0] != '\0');
	for (i = 0; i < sizeof(secret_text) / sizeof(secret_text[0]); i++)
		assert_null(strstr(why, secret_text[i]));
	if (r->np > 0)
		assert_true(pos > r->p[r->np - 1].pos);
	r->p[r->np].pos = pos;
	(void)snprintf(r->p[r->np].serial, sizeof(r->p[0].serial), "%s", serial);
	(void)snprintf(r->p[r->np].why, sizeof(r->p[0].why), "%s", why);
	r->np++;
}

static const char *data_path(const char *rel)
{
	static char buf[4096];
	const char *src = getenv("TFA_SRCDIR"), *slash;

	if (src != NULL && src[0] != '\0') {
		(void)snprintf(buf, sizeof(buf), "%s/tests/data/%s", src, rel);
	} else {
		slash = strrchr(__FILE__, '/');
		(void)snprintf(buf, sizeof(buf), "%.*s/../data/%s",
			       slash != NULL ? (int)(slash - __FILE__) : 1,
			       slash != NULL ? __FILE__ : ".", rel);
	}
	return buf;
}

/* the file's bytes in a buffer of exactly that size (no NUL after it, so
 * that AddressSanitizer sees a read past the end) */
static char *slurp(const char *rel, size_t *len)
{
	const char *path = data_path(rel);
	FILE *f = fopen(path, "rb");
	char *buf;
	long sz;

	if (f == NULL)
		fail_msg("cannot open %s (set TFA_SRCDIR to the source tree)", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	sz = ftell(f);
	assert_true(sz >= 0);
	rewind(f);
	buf = malloc(sz > 0 ? (size_t)sz : 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)sz, f), (size_t)sz);
	fclose(f);
	*len = (size_t)sz;
	return buf;
}

static void check_tokens(const struct res *r)
{
	size_t i, j;

	for (i = 0; i < r->n; i++) {
		const tfa_token *t = &r->t[i];

		assert_true(tfa_serial_valid(t->serial));
		assert_string_equal(t->user, "");
		assert_int_equal(t->state, TFA_STATE_UNASSIGNED);
		assert_true(t->digits >= 6 && t->digits <= 8);
		assert_true(r->k[i].len >= 1 && r->k[i].len <= OTP_MAX_SECRET);
		assert_int_equal(t->last_step, -1);
		assert_int_equal(t->id, 0);
		if (t->type == TFA_TOKEN_TOTP)
			assert_true(t->period >= 1 && t->period <= 3600);
		else
			assert_true(t->type == TFA_TOKEN_HOTP && t->period == 0);
		for (j = 0; j < i; j++)
			assert_string_not_equal(t->serial, r->t[j].serial);
	}
	assert_int_equal(r->bad, r->np);
	if (r->n == 0)
		assert_null(r->t);
}

static void run_mem(int pskc, const char *data, size_t len, struct res *r)
{
	memset(r, 0, sizeof(*r));
	r->set.toks = (tfa_token *)&r->np;     /* must be replaced */
	r->set.n = r->bad = 99;
	r->rc = (pskc ? tfa_cards_parse_pskc : tfa_cards_parse_csv)(data, len, &r->set, &r->bad,
								   collect, r, &r->err);
	r->t = r->set.toks;
	r->k = r->set.keys;
	r->pos = r->set.pos;
	r->n = r->set.n;
	if (r->n == 0) {
		/* nothing handed over: no records, keys or positions */
		assert_null(r->set.keys);
		assert_null(r->set.pos);
	}
	if (r->rc != TFA_OK) {
		assert_null(r->t);
		assert_int_equal(r->n, 0);
		assert_int_equal(r->bad, 0);
		assert_true(r->err.msg[0] != '\0');
	}
	check_tokens(r);
	/* positions: 1-based, increasing, none of them a bad entry's */
	for (size_t i = 0; i < r->n; i++) {
		assert_true(r->pos[i] >= 1);
		if (i > 0)
			assert_true(r->pos[i] > r->pos[i - 1]);
		for (size_t j = 0; j < r->np && j < MAXPROB; j++)
			assert_true(r->p[j].pos != r->pos[i]);
	}
}

static void run_file(int pskc, const char *rel, struct res *r)
{
	size_t len;
	char *d = slurp(rel, &len);

	run_mem(pskc, d, len, r);
	free(d);
}

static void res_free(struct res *r)
{
	tfa_card_set_free(&r->set);
	assert_null(r->set.keys);
	r->pos = NULL;
	r->t = NULL;
	r->k = NULL;
	r->n = 0;
}

/* the key of @t, one of r->t */
static const tfa_token_key *key_of(const struct res *r, const tfa_token *t)
{
	assert_true(t >= r->t && t < r->t + r->n);
	return &r->k[t - r->t];
}

static const tfa_token *tok(const struct res *r, const char *serial)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (strcmp(r->t[i].serial, serial) == 0)
			return &r->t[i];
	fail_msg("no token %s", serial);
	return NULL;
}

static void want_problem(const struct res *r, size_t i, size_t pos, const char *serial,
			 const char *why)
{
	assert_true(i < r->np);
	assert_int_equal(r->p[i].pos, pos);
	assert_string_equal(r->p[i].serial, serial);
	if (strstr(r->p[i].why, why) == NULL)
		fail_msg("problem at %zu: \"%s\", want \"%s\"", pos, r->p[i].why, why);
}

static void want_code(const struct res *r, const tfa_token *t, uint64_t c, unsigned digits,
		      const char *code)
{
	const tfa_token_key *k = key_of(r, t);
	char out[OTP_MAX_DIGITS + 1];

	assert_int_equal(otp_hotp(k->bytes, k->len, t->alg, c, digits, out), TFA_OK);
	assert_string_equal(out, code);
}

/* ---- PSKC: RFC 6030 examples ---- */

static void test_pskc_figure2(void **state)
{
	struct res r;
	const tfa_token *t;

	(void)state;
	run_file(1, "pskc/rfc6030-figure2.xml", &r);
	assert_int_equal(r.rc, TFA_OK);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.bad, 0);
	t = tok(&r, "12345678");        /* no SerialNo: the Key Id */
	assert_int_equal(t->type, TFA_TOKEN_HOTP);
	assert_int_equal(t->alg, OTP_SHA1);
	assert_int_equal(t->digits, 6);
	assert_int_equal(t->counter, 0);
	assert_int_equal(key_of(&r, t)->len, 4);
	assert_memory_equal(key_of(&r, t)->bytes, "1234", 4);
	res_free(&r);
}

static void test_pskc_figure3(void **state)
{
	struct res r;
	const tfa_token *t;

	(void)state;
	run_file(1, "pskc/rfc6030-figure3.xml", &r);
	assert_int_equal(r.rc, TFA_OK);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.bad, 0);
	t = tok(&r, "987654321");
	assert_int_equal(t->type, TFA_TOKEN_HOTP);
	assert_int_equal(t->digits, 8);
	assert_int_equal(t->period, 0);
	assert_int_equal(t->counter, 0);
	assert_int_equal(key_of(&r, t)->len, 20);
	assert_memory_equal(key_of(&r, t)->bytes, "12345678901234567890", 20);
	/* RFC 4226 Appendix D */
	want_code(&r, t, 0, 6, "755224");
	want_code(&r, t, 1, 6, "287082");
	want_code(&r, t, 9, 6, "520489");
	want_code(&r, t, 0, t->digits, "84755224");
	res_free(&r);
}

static void test_pskc_figure5_pin(void **state)
{
	struct res r;

	(void)state;
	run_file(1, "pskc/rfc6030-figure5.xml", &r);
	assert_int_equal(r.rc, TFA_OK);
	assert_int_equal(r.n, 1);   /* the HOTP key (PIN checked on the device) */
	assert_int_equal(tok(&r, "987654321")->digits, 8);
	assert_int_equal(r.bad, 1); /* the PIN "key" */
	want_problem(&r, 0, 2, "987654321", "unsupported algorithm "
		     "urn:ietf:params:xml:ns:keyprov:pskc:pin");
	res_free(&r);
}

static void test_pskc_figure6_encrypted(void **state)
{
	struct res r;

	(void)state;
	run_file(1, "pskc/rfc6030-figure6.xml", &r);
	assert_int_equal(r.rc, TFA_OK);
	assert_int_equal(r.n, 0);
	assert_int_equal(r.bad, 1);
	want_problem(&r, 0, 1, "987654321",
		     "encrypted key (not supported; export with plain values)");
}

static void test_pskc_figure10_bulk(void **state)
{
	struct res r;

	(void)state;
	run_file(1, "pskc/rfc6030-figure10.xml", &r);
	assert_int_equal(r.rc, TFA_OK);
	assert_int_equal(r.n, 3);
	assert_string_equal(r.t[0].serial, "654321");
	assert_string_equal(r.t[1].serial, "123456");
	assert_string_equal(r.t[2].serial, "9999999");
	want_code(&r, &r.t[1], 0, 8, "84755224");
	assert_int_equal(r.bad, 1);
	want_problem(&r, 0, 4, "9999999", "duplicate serial (first at KeyPackage 3)");
	res_free(&r);
}

static void test_pskc_totp(void **state)
{
	struct res r;
	const tfa_token *t;

	(void)state;
	run_file(1, "pskc/totp.xml", &r);
	assert_int_equal(r.rc, TFA_OK);
	assert_int_equal(r.n, 1);
	t = tok(&r, "987654323");
	assert_int_equal(t->type, TFA_TOKEN_TOTP);
	assert_int_equal(t->alg, OTP_SHA1);
	assert_int_equal(t->digits, 6);
	assert_int_equal(t->period, 30);
	assert_int_equal(t->counter, 0);
	assert_int_equal(t->drift, 0);
	/* RFC 6238 Appendix B, T = 59 s: 94287082, here 6 digits */
	want_code(&r, t, (uint64_t)otp_totp_step(59, t->period), 6, "287082");
	res_free(&r);
}

static void test_pskc_prefix_ocra(void **state)
{
	struct res r;

	(void)state;
	run_file(1, "pskc/prefix-ns.xml", &r);
	assert_int_equal(r.rc, TFA_OK);
	assert_int_equal(r.n, 1);
	assert_int_equal(key_of(&r, tok(&r, "12345678"))->len, 4);
	res_free(&r);

	run_file(1, "pskc/ocra.xml", &r);
	assert_int_equal(r.rc, TFA_OK);
	assert_int_equal(r.n, 0);
	assert_int_equal(r.bad, 1);
	want_problem(&r, 0, 1, "987654322", "unsupported algorithm urn:ietf:params:xml:ns:"
		     "keyprov:pskc#OCRA-1:HOTP-SHA512-8:C-QN08 (HOTP and TOTP only)");
}

/* ---- PSKC: bad keys ---- */

static void test_pskc_bad_keys(void **state)
{
	static const struct {
		size_t pos;
		const char *serial, *why;
	} want[] = {
		{ 2, "nosecret", "no secret (Data/Secret/PlainValue)" },
		{ 3, "badb64", "secret is not valid base64" },
		{ 4, "digits9", "ResponseFormat Length 9 not supported (6 to 8)" },
		{ 5, "hexenc", "ResponseFormat Encoding HEXADECIMAL not supported" },
		{ 6, "checkdigit", "CheckDigits not supported" },
		{ 7, "bigsecret", "secret longer than 128 bytes" },
		{ 8, "ti0", "TimeInterval 0 not supported (1 to 3600)" },
		{ 9, "ti3601", "TimeInterval 3601 not supported" },
		{ 10, "t0", "Time (T0) other than 0 not supported" },
		{ 12, "md5", "unsupported Suite HMAC-MD5" },
		{ 13, "pinprepend", "PINUsageMode other than Local not supported" },
		{ 14, "ctrbig", "counter out of range" },
		{ 15, "", "no serial (DeviceInfo/SerialNo or Key Id)" },
		{ 16, "", "invalid serial" },
		{ 17, "noalg", "unsupported algorithm (none)" },
		{ 20, "good-1", "duplicate serial (first at KeyPackage 1)" },
		{ 21, "enccounter", "encrypted key" },
		{ 22, "", "invalid serial" },
	};
	struct res r;
	const tfa_token *t;
	size_t i;

	(void)state;
	run_file(1, "pskc/bad-keys.xml", &r);
	assert_int_equal(r.rc, TFA_OK);
	assert_int_equal(r.np, sizeof(want) / sizeof(want[0]));
	for (i = 0; i < r.np; i++)
		want_problem(&r, i, want[i].pos, want[i].serial, want[i].why);
	assert_int_equal(r.n, 4);
	t = tok(&r, "good-1");
	want_code(&r, t, 0, 6, "755224");
	t = tok(&r, "totp-sha256");
	assert_int_equal(t->type, TFA_TOKEN_TOTP);
	assert_int_equal(t->alg, OTP_SHA256);
	assert_int_equal(t->digits, 8);
	assert_int_equal(t->period, 60);
	/* RFC 6238 Appendix B with the 20-byte key is for SHA1 only; check
	 * against the SHA256 HOTP of the same key instead */
	want_code(&r, t, 1, 8, "32247374");
	t = tok(&r, "good-2");          /* serial in white space, no ResponseFormat */
	assert_int_equal(t->digits, 6);
	assert_int_equal(t->counter, 42);
	want_code(&r, t, 42, 6, "435478");
	t = tok(&r, "keyid-19");
	assert_int_equal(t->type, TFA_TOKEN_HOTP);
	res_free(&r);
}

static void test_pskc_small_files(void **state)
{
	struct res r;

	(void)state;
	run_file(1, "pskc/missing-secret.xml", &r);
	assert_int_equal(r.rc, TFA_OK);
	assert_int_equal(r.n, 0);
	want_problem(&r, 0, 1, "987654321", "no secret");

	run_file(1, "pskc/dup-serial.xml", &r);
	assert_int_equal(r.rc, TFA_OK);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.bad, 1);
	want_problem(&r, 0, 3, "A-1", "duplicate serial (first at KeyPackage 1)");
	res_free(&r);

	run_file(1, "pskc/empty-container.xml", &r);
	assert_int_equal(r.rc, TFA_OK);
	assert_int_equal(r.n, 0);
	assert_int_equal(r.bad, 0);
}

/* ---- PSKC: documents refused as a whole ---- */

static void test_pskc_refused(void **state)
{
	static const struct {
		const char *file, *why;
	} bad[] = {
		{ "pskc/not-xml.txt", "not a well-formed XML document" },
		{ "pskc/malformed.xml", "not a well-formed XML document" },
		{ "pskc/not-pskc.xml", "not a PSKC document" },
		{ "pskc/wrong-namespace.xml", "not a PSKC document" },
		{ "pskc/doctype-xxe.xml", "DOCTYPE and entity declarations are not allowed" },
		{ "pskc/doctype-dtd.xml", "DOCTYPE" },
		{ "pskc/doctype-laughs.xml", "DOCTYPE" },
		{ "pskc/empty-manufacturer.xml", "empty <Manufacturer> element (KeyPackage 1)" },
		{ "pskc/encoding-utf7.xml", "unsupported character encoding" },
		{ "pskc/utf16.xml", "NUL byte" },
		{ "csv/good.csv", "not a well-formed XML document" },
	};
	struct res r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		run_file(1, bad[i].file, &r);
		assert_int_equal(r.rc, TFA_EINVAL);
		if (strstr(r.err.msg, bad[i].why) == NULL)
			fail_msg("%s: \"%s\", want \"%s\"", bad[i].file, r.err.msg, bad[i].why);
		assert_int_equal(r.np, 0);
	}
}

/* in-memory documents: edges of the pre-scan */
static void test_pskc_inline(void **state)
{
#define NS "xmlns=\"urn:ietf:params:xml:ns:keyprov:pskc\""
#define KEY "<Key Id=\"k1\" Algorithm=\"urn:ietf:params:xml:ns:keyprov:pskc:hotp\">" \
	"<Data><Secret><PlainValue>MTIzNA==</PlainValue></Secret></Data></Key>"
	static const struct {
		const char *doc;
		tfa_rc rc;
		size_t n, bad;
	} v[] = {
		{ "", TFA_EINVAL, 0, 0 },
		{ "<", TFA_EINVAL, 0, 0 },
		{ "<KeyContainer " NS ">", TFA_EINVAL, 0, 0 },
		{ "<KeyContainer " NS "/>", TFA_OK, 0, 0 },
		{ "\xef\xbb\xbf<KeyContainer " NS "/>", TFA_OK, 0, 0 },
		{ "<?xml version='1.0' encoding='us-ascii'?><KeyContainer " NS "/>", TFA_OK, 0, 0 },
		{ "<?xml version='1.0' encoding='EBCDIC-US'?><KeyContainer " NS "/>", TFA_EINVAL, 0, 0 },
		{ " <?xml version='1.0' encoding='UTF-7'?><KeyContainer " NS "/>", TFA_EINVAL, 0, 0 },
		{ "<KeyContainer " NS "><?xml version='1.0' encoding='UTF-7'?></KeyContainer>",
		  TFA_EINVAL, 0, 0 },
		{ "<KeyContainer " NS "><?xml-stylesheet href='x'?></KeyContainer>", TFA_OK, 0, 0 },
		{ "<KeyContainer xmlns='urn:ietf:params:xml:ns:keyprov:pskc'><KeyPackage>" KEY
		  "</KeyPackage></KeyContainer>", TFA_OK, 1, 0 },
		/* a KeyPackage in a comment or CDATA is no KeyPackage */
		{ "<KeyContainer " NS "><!-- <KeyPackage/> <!DOCTYPE x> --><KeyPackage>" KEY
		  "</KeyPackage></KeyContainer>", TFA_OK, 1, 0 },
		{ "<KeyContainer " NS "><KeyPackage><![CDATA[<KeyPackage><EncryptedValue/>]]>" KEY
		  "</KeyPackage></KeyContainer>", TFA_OK, 1, 0 },
		/* '>' inside an attribute value */
		{ "<KeyContainer Id='a>b' " NS "><KeyPackage>" KEY "</KeyPackage></KeyContainer>",
		  TFA_OK, 1, 0 },
		/* an EncryptedValue in another root child does not mark the package */
		{ "<KeyContainer " NS "><KeyPackage>" KEY "</KeyPackage><Signature><EncryptedValue/>"
		  "</Signature></KeyContainer>", TFA_OK, 1, 0 },
		{ "<KeyContainer " NS "><KeyPackage/><KeyPackage/></KeyContainer>", TFA_OK, 0, 2 },
		/* text before the root, two roots, a root in another namespace */
		{ "x<KeyContainer " NS "/>", TFA_EINVAL, 0, 0 },
		{ "<KeyContainer " NS "/><KeyContainer " NS "/>", TFA_EINVAL, 0, 0 },
		{ "<p:KeyContainer " NS "/>", TFA_EINVAL, 0, 0 },
		{ "<p:KeyContainer xmlns:p='urn:ietf:params:xml:ns:keyprov:pskc'/>", TFA_OK, 0, 0 },
		/* libpskc would crash on these */
		{ "<KeyContainer " NS "><KeyPackage><DeviceInfo><Manufacturer><x/></Manufacturer>"
		  "</DeviceInfo></KeyPackage></KeyContainer>", TFA_EINVAL, 0, 0 },
		{ "<KeyContainer " NS "><KeyPackage><Key><Policy><StartDate></StartDate></Policy>"
		  "</Key></KeyPackage></KeyContainer>", TFA_EINVAL, 0, 0 },
		{ "<KeyContainer " NS "><KeyPackage><Key><Policy><KeyUsage/></Policy></Key>"
		  "</KeyPackage></KeyContainer>", TFA_EINVAL, 0, 0 },
		{ "<KeyContainer " NS "><KeyPackage><DeviceInfo><ExpiryDate>", TFA_EINVAL, 0, 0 },
		{ "<KeyContainer " NS " xmlns:b='x'><KeyPackage><DeviceInfo><b:Manufacturer/>"
		  "</DeviceInfo></KeyPackage></KeyContainer>", TFA_EINVAL, 0, 0 },
		{ "<KeyContainer " NS " xmlns:a='x'><KeyPackage><DeviceInfo><a:b:Manufacturer/>"
		  "</DeviceInfo></KeyPackage></KeyContainer>", TFA_EINVAL, 0, 0 },
		/* libpskc leaks the first of two Secrets */
		{ "<KeyContainer " NS "><KeyPackage>" KEY KEY "</KeyPackage></KeyContainer>",
		  TFA_EINVAL, 0, 0 },
		{ "<KeyContainer " NS "><KeyPackage>" KEY "</KeyPackage><KeyPackage>" KEY
		  "</KeyPackage></KeyContainer>", TFA_OK, 1, 1 },
	};
	struct res r;
	size_t i;
	char *d;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		d = malloc(strlen(v[i].doc) + 1);
		assert_non_null(d);
		memcpy(d, v[i].doc, strlen(v[i].doc) + 1);
		run_mem(1, d, strlen(d), &r);
		if (r.rc != v[i].rc || r.n != v[i].n || r.bad != v[i].bad)
			fail_msg("case %zu: rc %d n %zu bad %zu (%s)", i, r.rc, r.n, r.bad,
				 r.err.msg);
		res_free(&r);
		free(d);
	}
	assert_int_equal(tfa_cards_parse_pskc(NULL, 0, &r.set, &r.bad, NULL, NULL, &r.err),
			 TFA_EINVAL);
	assert_int_equal(tfa_cards_parse_pskc("x", 1, NULL, &r.bad, NULL, NULL, NULL),
			 TFA_EINVAL);
#undef NS
#undef KEY
}

/* libxml2 prints a parse error with the input line (here the secret) on
 * stderr: it must not, and a NULL callback is fine */
static void test_pskc_quiet(void **state)
{
	char path[] = "/tmp/test_cards.XXXXXX", buf[512];
	int fd = mkstemp(path), saved;
	size_t len, bad = 9;
	ssize_t got;
	char *d = slurp("pskc/malformed.xml", &len);
	tfa_card_set set;
	tfa_err err;

	(void)state;
	assert_true(fd >= 0);
	fflush(stderr);
	saved = dup(2);
	assert_true(saved >= 0);
	assert_int_equal(dup2(fd, 2), 2);
	memset(&set, 0, sizeof(set));
	assert_int_equal(tfa_cards_parse_pskc(d, len, &set, &bad, NULL, NULL, &err),
			 TFA_EINVAL);
	assert_int_equal(set.n, 0);
	fflush(stderr);
	assert_int_equal(dup2(saved, 2), 2);
	close(saved);
	got = pread(fd, buf, sizeof(buf) - 1, 0);
	close(fd);
	unlink(path);
	assert_true(got >= 0);
	buf[got] = '\0';
	if (got > 0)
		fail_msg("printed on stderr: %s", buf);
	free(d);
}

/* the library holds libpskc only during a call; with and without an outer
 * pskc_global_init (leaks show under valgrind/ASan) */
static void test_pskc_repeat(void **state)
{
	struct res r;
	int i;

	(void)state;
	for (i = 0; i < 4; i++) {
		run_file(1, "pskc/rfc6030-figure10.xml", &r);
		assert_int_equal(r.n, 3);
		res_free(&r);
	}
	assert_int_equal(pskc_global_init(), PSKC_OK);
	for (i = 0; i < 20; i++) {
		run_file(1, i % 2 ? "pskc/bad-keys.xml" : "pskc/rfc6030-figure6.xml", &r);
		assert_int_equal(r.rc, TFA_OK);
		res_free(&r);
	}
	pskc_global_done();
}

/* ---- CSV ---- */

static void test_csv_good(void **state)
{
	struct res r;
	const tfa_token *t;

	(void)state;
	run_file(0, "csv/good.csv", &r);
	assert_int_equal(r.rc, TFA_OK);
	assert_int_equal(r.bad, 0);
	assert_int_equal(r.n, 6);
	t = tok(&r, "HOTP-0001");
	assert_int_equal(t->type, TFA_TOKEN_HOTP);
	assert_int_equal(t->digits, 6);
	assert_int_equal(t->counter, 0);
	want_code(&r, t, 0, 6, "755224");
	t = tok(&r, "HOTP-0002");       /* upper-case hex and type, spaces */
	assert_int_equal(t->type, TFA_TOKEN_HOTP);
	assert_int_equal(t->digits, 8);
	assert_int_equal(t->counter, 5);
	want_code(&r, t, 5, 6, "254676");
	t = tok(&r, "TOTP-0001");
	assert_int_equal(t->type, TFA_TOKEN_TOTP);
	assert_int_equal(t->period, 30);
	assert_int_equal(t->alg, OTP_SHA1);
	t = tok(&r, "TOTP-0002");       /* tabs around, CRLF */
	assert_int_equal(t->digits, 8);
	assert_int_equal(t->period, 60);
	t = tok(&r, "tok.a_b:c/d-e");   /* every serial character; empty 5th field */
	assert_int_equal(t->digits, 7);
	assert_int_equal(t->counter, 0);
	assert_int_equal(key_of(&r, t)->len, 1);
	t = tok(&r, "MAX-128");
	assert_int_equal(key_of(&r, t)->len, 128);
	assert_int_equal(t->period, 3600);
	res_free(&r);
}

static void test_csv_bad(void **state)
{
	static const struct {
		size_t line;
		const char *serial, *why;
	} want[] = {
		{ 3, "", "too few fields" },
		{ 4, "", "too many fields" },
		{ 5, "", "invalid serial" },
		{ 6, "", "invalid serial" },
		{ 7, "", "the secret is not 1 to 128 bytes of hex" },
		{ 8, "", "the secret is not" },
		{ 9, "", "the secret is not" },
		{ 10, "", "the secret is not" },
		{ 11, "s-type", "unknown type (want hotp or totp)" },
		{ 12, "s-digits5", "digits must be 6, 7 or 8" },
		{ 13, "s-digits9", "digits must be 6, 7 or 8" },
		{ 14, "s-digitsx", "digits must be 6, 7 or 8" },
		{ 15, "s-counter", "bad counter" },
		{ 16, "s-counterbig", "bad counter" },
		{ 17, "s-period0", "bad period (want 1 to 3600 seconds)" },
		{ 18, "s-period3601", "bad period" },
		{ 19, "good-1", "duplicate serial (first at line 2)" },
		/* columns swapped: the serial field holds the secret - not named */
		{ 22, "", "the secret is not" },
	};
	struct res r;
	size_t i;

	(void)state;
	run_file(0, "csv/bad.csv", &r);
	assert_int_equal(r.rc, TFA_OK);
	assert_int_equal(r.np, sizeof(want) / sizeof(want[0]));
	for (i = 0; i < r.np; i++)
		want_problem(&r, i, want[i].line, want[i].serial, want[i].why);
	assert_int_equal(r.n, 4);
	want_code(&r, tok(&r, "good-1"), 0, 6, "755224");
	assert_int_equal(tok(&r, "good-2")->period, 30);
	assert_int_equal(key_of(&r, tok(&r, "serial"))->len, 2);     /* not a header on line 21 */
	assert_int_equal(tok(&r, "s-maxctr")->counter, (uint64_t)INT64_MAX);
	res_free(&r);
}

static void test_csv_inline(void **state)
{
	static const struct {
		const char *doc;
		size_t len;             /* 0: strlen */
		size_t n, bad;
	} v[] = {
		{ "", 0, 0, 0 },
		{ "\n\n\r\n  \t \n# only comments\n", 0, 0, 0 },
		{ "serial,secret,type,digits\n", 0, 0, 0 },
		/* the header may follow comments; any case */
		{ "# x\n\nSERIAL,s,t,d\nA,00,hotp,6", 0, 1, 0 },
		/* a first line whose first field only starts with "serial" is a card */
		{ "serial001,3132,hotp,6\n", 0, 1, 0 },
		{ "serials,secret,type,digits\n", 0, 0, 1 },
		{ "\xef\xbb\xbfserial,secret,type,digits\r\nA,00,totp,6,1\r\n", 0, 1, 0 },
		/* a NUL or a CR inside a line */
		{ "A,00,hotp,6\nB,0\0,hotp,6\nC,00,hotp\r,6\n", 37, 1, 2 },
		{ "A,00,hotp,6,18446744073709551616", 0, 0, 1 },
		{ "A,00,hotp,6,00000000000000000000001", 0, 0, 1 },
		{ "A , 00 , hotp , 6 , 7 ", 0, 1, 0 },
		{ "A,00,hotp,6,\nB,00,totp,6,", 0, 2, 0 },
		{ ",,,", 0, 0, 1 },
		{ "A,00,hotp,6,1,", 0, 0, 1 },
		{ "A\tB,00,hotp,6", 0, 0, 1 },
		{ "#A,00,hotp,6\n  #B,00,hotp,6", 0, 0, 0 },
	};
	struct res r;
	size_t i, len;
	char *d;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		len = v[i].len != 0 ? v[i].len : strlen(v[i].doc);
		d = malloc(len + 1);
		assert_non_null(d);
		memcpy(d, v[i].doc, len);
		run_mem(0, d, len, &r);
		if (r.rc != TFA_OK || r.n != v[i].n || r.bad != v[i].bad)
			fail_msg("case %zu: rc %d n %zu bad %zu", i, r.rc, r.n, r.bad);
		res_free(&r);
		free(d);
	}
	assert_int_equal(tfa_cards_parse_csv(NULL, 0, &r.set, &r.bad, NULL, NULL, &r.err),
			 TFA_EINVAL);
	assert_int_equal(tfa_cards_parse_csv("", 0, &r.set, NULL, NULL, NULL, NULL),
			 TFA_EINVAL);
}

/* many cards: the serial hash grows; duplicates far apart are found */
static void test_csv_many(void **state)
{
	size_t cap = 3000 * 40, len = 0, i;
	char *d = malloc(cap);
	struct res r;

	(void)state;
	assert_non_null(d);
	for (i = 0; i < 2500; i++)
		len += (size_t)snprintf(d + len, cap - len, "C%zu,3132,hotp,6,%zu\n", i, i);
	len += (size_t)snprintf(d + len, cap - len, "C7,3132,hotp,6\nC2499,00,totp,8\n");
	run_mem(0, d, len, &r);
	assert_int_equal(r.n, 2500);
	assert_int_equal(r.bad, 2);
	want_problem(&r, 0, 2501, "C7", "duplicate serial (first at line 8)");
	want_problem(&r, 1, 2502, "C2499", "duplicate serial (first at line 2500)");
	assert_int_equal(tok(&r, "C1234")->counter, 1234);
	res_free(&r);
	free(d);
}

static void test_serial_valid(void **state)
{
	char s[TFA_SERIAL_MAX + 2];

	(void)state;
	assert_true(tfa_serial_valid("987654321"));
	assert_true(tfa_serial_valid("a.b_c:d/e-F"));
	assert_false(tfa_serial_valid(NULL));
	assert_false(tfa_serial_valid(""));
	assert_false(tfa_serial_valid("a b"));
	assert_false(tfa_serial_valid("a,b"));
	assert_false(tfa_serial_valid("\xc3\xa9"));
	assert_false(tfa_serial_valid("a\n"));
	memset(s, 'x', TFA_SERIAL_MAX);
	s[TFA_SERIAL_MAX] = '\0';
	assert_true(tfa_serial_valid(s));
	s[TFA_SERIAL_MAX] = 'x';
	s[TFA_SERIAL_MAX + 1] = '\0';
	assert_false(tfa_serial_valid(s));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pskc_figure2),
		cmocka_unit_test(test_pskc_figure3),
		cmocka_unit_test(test_pskc_figure5_pin),
		cmocka_unit_test(test_pskc_figure6_encrypted),
		cmocka_unit_test(test_pskc_figure10_bulk),
		cmocka_unit_test(test_pskc_totp),
		cmocka_unit_test(test_pskc_prefix_ocra),
		cmocka_unit_test(test_pskc_bad_keys),
		cmocka_unit_test(test_pskc_small_files),
		cmocka_unit_test(test_pskc_refused),
		cmocka_unit_test(test_pskc_inline),
		cmocka_unit_test(test_pskc_quiet),
		cmocka_unit_test(test_pskc_repeat),
		cmocka_unit_test(test_csv_good),
		cmocka_unit_test(test_csv_bad),
		cmocka_unit_test(test_csv_inline),
		cmocka_unit_test(test_csv_many),
		cmocka_unit_test(test_serial_valid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
