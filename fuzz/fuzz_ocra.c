/* SPDX-License-Identifier: BSD-2-Clause */
/* fuzz_ocra.c - otp_ocra_suite_parse, otp_ocra and otp_ocra_challenge.
 *
 * Input: "SUITE\nQUESTION\nTAIL": the suite text up to the first newline,
 * the question up to the next one (each a NUL-terminated heap copy of exact
 * size, so overreads are caught), then up to 8 bytes of counter and 8 of
 * time step (big-endian). A missing part is empty. When the suite names P
 * or S, a PIN hash or session of exactly the right length is passed.
 * Properties, beyond "no crash, no leak":
 *   - the parser either refuses (TFA_EINVAL, output zeroed) or gives fields
 *     in range, the text as given, and the same fields when its own text is
 *     parsed again;
 *   - otp_ocra accepts exactly when the suite has digits and the question
 *     is 4..q_len characters of the suite's format (checked here
 *     independently); on success the output is exactly @digits ASCII
 *     digits and a second call gives the same; on failure it is "";
 *   - with one output byte too few, otp_ocra refuses;
 *   - otp_ocra_challenge makes q_len characters of the suite's alphabet,
 *     and otp_ocra accepts that question.
 */
#include "fuzz_common.h"

#include "ocra.h"

static const uint8_t fuzz_key[32] = "fuzz-ocra-key-0123456789abcdefgh";

/* the question rule of ocra.h, written again independently */
static int question_valid(const otp_ocra_suite *s, const char *q)
{
	size_t i, n = strlen(q);

	if (n < 4 || n > s->q_len)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)q[i];
		int digit = c >= '0' && c <= '9';
		int hex = digit || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');

		if ((s->q_fmt == 'N' && !digit) || (s->q_fmt == 'H' && !hex) ||
		    (s->q_fmt == 'A' && (c <= ' ' || c >= 0x7f)))
			return 0;
	}
	return 1;
}

static size_t pin_len(const otp_ocra_suite *s)
{
	if (!s->pin)
		return 0;
	switch (s->pin_alg) {
	case OTP_SHA1: return 20;
	case OTP_SHA256: return 32;
	case OTP_SHA512: return 64;
	}
	return 0;
}

static void check_suite(const otp_ocra_suite *s, const char *text)
{
	otp_ocra_suite again;

	fuzz_check(strcmp(s->text, text) == 0, "suite text \"%s\" != input", s->text);
	fuzz_check(s->alg == OTP_SHA1 || s->alg == OTP_SHA256 || s->alg == OTP_SHA512,
		   "alg %d", (int)s->alg);
	fuzz_check(s->digits == 0 || (s->digits >= 4 && s->digits <= OCRA_MAX_DIGITS),
		   "digits %u", s->digits);
	fuzz_check(s->q_fmt == 'N' || s->q_fmt == 'A' || s->q_fmt == 'H', "q_fmt %d",
		   s->q_fmt);
	fuzz_check(s->q_len >= 4 && s->q_len <= OCRA_MAX_QUESTION, "q_len %u", s->q_len);
	fuzz_check(s->s_len <= 999, "s_len %u", s->s_len);
	fuzz_check(s->t_step == 0 || (s->t_step <= 59) ||
		   (s->t_step % 60 == 0 && s->t_step <= 59 * 60) ||
		   (s->t_step % 3600 == 0 && s->t_step <= 48 * 3600), "t_step %u", s->t_step);
	fuzz_check(strncmp(text, "OCRA-1:HOTP-", 12) == 0, "accepted \"%s\"", text);
	fuzz_check(otp_ocra_suite_parse(s->text, &again) == TFA_OK &&
		   again.alg == s->alg && again.digits == s->digits &&
		   again.counter == s->counter && again.q_fmt == s->q_fmt &&
		   again.q_len == s->q_len && again.pin == s->pin &&
		   (!s->pin || again.pin_alg == s->pin_alg) && again.s_len == s->s_len &&
		   again.t_step == s->t_step, "re-parse of \"%s\" differs", s->text);
}

static void check_challenge(const otp_ocra_suite *s)
{
	char q[OCRA_MAX_QUESTION + 1], out[OCRA_MAX_DIGITS + 1];
	static const uint8_t pin[64], sess[999];
	otp_ocra_input in;
	tfa_rc rc;

	rc = otp_ocra_challenge(s, q, sizeof(q));
	fuzz_check(rc == TFA_OK, "challenge failed: %d", (int)rc);
	fuzz_check(strlen(q) == s->q_len, "challenge length %zu, want %u", strlen(q), s->q_len);
	fuzz_check(question_valid(s, q), "challenge \"%s\" is not a valid question", q);
	if (s->q_fmt == 'H')
		fuzz_check(strspn(q, "0123456789abcdef") == s->q_len, "hex challenge \"%s\"", q);
	if (s->q_fmt == 'A')
		fuzz_check(strspn(q, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
				  "0123456789") == s->q_len, "alnum challenge \"%s\"", q);
	if (s->digits == 0)
		return;
	memset(&in, 0, sizeof(in));
	in.question = q;
	in.pin_hash = s->pin ? pin : NULL;
	in.pin_hash_len = pin_len(s);
	in.session = s->s_len > 0 ? sess : NULL;
	in.session_len = s->s_len;
	rc = otp_ocra(s, fuzz_key, sizeof(fuzz_key), &in, out, sizeof(out));
	fuzz_check(rc == TFA_OK, "response to own challenge \"%s\" failed: %d", q, (int)rc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char out[OCRA_MAX_DIGITS + 1], again[OCRA_MAX_DIGITS + 1];
	const uint8_t *nl, *q0, *tail;
	uint8_t pin[64], sess[999];
	size_t slen, qlen, tlen, i;
	char *suite, *question;
	otp_ocra_suite s;
	otp_ocra_input in;
	int want_ok;
	tfa_rc rc;

	nl = memchr(data, '\n', size);
	slen = nl != NULL ? (size_t)(nl - data) : size;
	q0 = nl != NULL ? nl + 1 : data + size;
	nl = memchr(q0, '\n', size - (size_t)(q0 - data));
	qlen = nl != NULL ? (size_t)(nl - q0) : size - (size_t)(q0 - data);
	tail = nl != NULL ? nl + 1 : data + size;
	tlen = size - (size_t)(tail - data);
	suite = fuzz_strdup(data, slen);
	question = fuzz_strdup(q0, qlen);

	memset(&s, 'X', sizeof(s));
	rc = otp_ocra_suite_parse(suite, &s);
	if (rc != TFA_OK) {
		fuzz_check(rc == TFA_EINVAL, "unexpected rc %d", (int)rc);
		fuzz_check(s.text[0] == '\0' && s.q_len == 0 && s.digits == 0,
			   "suite not cleared on failure");
		goto out;
	}
	check_suite(&s, suite);

	memset(&in, 0, sizeof(in));
	for (i = 0; i < 8 && i < tlen; i++)
		in.counter = in.counter << 8 | tail[i];
	for (i = 8; i < 16 && i < tlen; i++)
		in.timestep = in.timestep << 8 | tail[i];
	for (i = 0; i < sizeof(pin); i++)
		pin[i] = (uint8_t)(i * 13 + 1);
	for (i = 0; i < sizeof(sess); i++)
		sess[i] = (uint8_t)(i * 31 + 7);
	in.question = question;
	in.pin_hash = s.pin ? pin : NULL;
	in.pin_hash_len = pin_len(&s);
	in.session = s.s_len > 0 ? sess : NULL;
	in.session_len = s.s_len;

	memset(out, 'X', sizeof(out));
	rc = otp_ocra(&s, fuzz_key, sizeof(fuzz_key), &in, out, sizeof(out));
	want_ok = s.digits > 0 && question_valid(&s, question);
	if (rc != TFA_OK) {
		fuzz_check(rc == TFA_EINVAL, "unexpected rc %d", (int)rc);
		fuzz_check(!want_ok, "refused valid question \"%s\" for %s", question, suite);
		fuzz_check(out[0] == '\0', "output not cleared on failure");
	} else {
		fuzz_check(want_ok, "accepted question \"%s\" for %s", question, suite);
		fuzz_check(strnlen(out, sizeof(out)) == s.digits, "response length %zu, want %u",
			   strnlen(out, sizeof(out)), s.digits);
		for (i = 0; i < s.digits; i++)
			fuzz_check(out[i] >= '0' && out[i] <= '9', "non-digit in response");
		rc = otp_ocra(&s, fuzz_key, sizeof(fuzz_key), &in, again, sizeof(again));
		fuzz_check(rc == TFA_OK && strcmp(out, again) == 0, "response not repeatable");
		rc = otp_ocra(&s, fuzz_key, sizeof(fuzz_key), &in, again, s.digits);
		fuzz_check(rc == TFA_EINVAL, "accepted outlen = digits");
	}
	check_challenge(&s);
out:
	free(question);
	free(suite);
	return 0;
}
