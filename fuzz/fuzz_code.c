/* SPDX-License-Identifier: BSD-2-Clause */
/* fuzz_code.c - otp_code_parse and otp_code_equal.
 *
 * Input: byte 0 picks the length (6 + b % 3 digits), the rest is the code
 * as typed (NUL-terminated copy). Properties, beyond "no crash, no leak":
 *   - on success the output is exactly @digits ASCII digits, and it is the
 *     input with its spaces removed (nothing else may be accepted);
 *   - otp_code_equal is 1 for the code with itself and with an equal copy,
 *     0 once any one digit differs, and 0 against a string of another
 *     length;
 *   - on failure the output is the empty string.
 */
#include "fuzz_common.h"

#include "otp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char out[OTP_MAX_DIGITS + 1], copy[OTP_MAX_DIGITS + 1];
	char *in, *other;
	unsigned digits, i;
	size_t k, n;
	tfa_rc rc;

	if (size < 1)
		return 0;
	digits = OTP_MIN_DIGITS + data[0] % 3;
	in = fuzz_strdup(data + 1, size - 1);

	memset(out, 'X', sizeof(out));
	rc = otp_code_parse(in, digits, out);
	if (rc != TFA_OK) {
		fuzz_check(rc == TFA_EINVAL, "unexpected rc %d", (int)rc);
		fuzz_check(out[0] == '\0', "output not cleared on failure");
	} else {
		fuzz_check(strnlen(out, sizeof(out)) == digits,
			   "accepted code has length %zu, want %u",
			   strnlen(out, sizeof(out)), digits);
		for (i = 0; i < digits; i++)
			fuzz_check(out[i] >= '0' && out[i] <= '9', "non-digit in output");
		/* the input with spaces removed is the output */
		n = 0;
		for (k = 0; in[k] != '\0'; k++) {
			if (in[k] == ' ')
				continue;
			fuzz_check(n < digits && in[k] == out[n],
				   "output is not the input without spaces");
			n++;
		}
		fuzz_check(n == digits, "input holds %zu digits, want %u", n, digits);

		fuzz_check(otp_code_equal(out, out, digits) == 1, "code != itself");
		memcpy(copy, out, sizeof(copy));
		fuzz_check(otp_code_equal(out, copy, digits) == 1, "code != copy");
		i = (unsigned)(size % digits);
		copy[i] = copy[i] == '9' ? '0' : (char)(copy[i] + 1);
		fuzz_check(otp_code_equal(out, copy, digits) == 0,
			   "codes differing at %u compare equal", i);
		copy[i] = out[i];
		copy[digits - 1] = '\0';
		fuzz_check(otp_code_equal(out, copy, digits) == 0 &&
			   otp_code_equal(copy, out, digits) == 0,
			   "short code compares equal");
		/* a longer string is refused without reading past its NUL */
		fuzz_check(otp_code_equal(out, in, digits) ==
			   (strcmp(out, in) == 0), "code vs raw input");
	}

	/* otp_code_equal on two arbitrary strings: first half vs second half
	 * of the input (heap copies of exact size, so overreads are caught) */
	n = (size - 1) / 2;
	other = fuzz_strdup(data + 1 + n, size - 1 - n);
	in[n] = '\0';
	{
		int eq = otp_code_equal(in, other, digits);
		int want = strlen(in) == digits && strlen(other) == digits &&
			   memcmp(in, other, digits) == 0;

		fuzz_check(eq == want, "otp_code_equal(\"%s\", \"%s\", %u) = %d",
			   in, other, digits, eq);
	}
	free(other);
	free(in);
	return 0;
}
