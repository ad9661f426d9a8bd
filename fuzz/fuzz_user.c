/* SPDX-License-Identifier: BSD-2-Clause */
/* fuzz_user.c - tfa_user_valid and tfa_escape.
 *
 * Input: byte 0 is the output size for tfa_escape (0..255), the rest is
 * the user name (NUL-terminated copy). Properties:
 *   - tfa_user_valid says 1 exactly for 1..TFA_USER_MAX bytes none of
 *     which is a control character (< 0x20, 0x7f): any name a directory
 *     returns (DOMAIN\\user, UTF-8) - pam_twofactor(8), USER NAMES;
 *   - tfa_escape writes nothing when the size is 0; otherwise the output
 *     is NUL-terminated inside the buffer, printable ASCII only, has no
 *     bare '"' or '\\', and un-escaping it gives a prefix of the input
 *     (all of it when the buffer is large enough).
 */
#include "fuzz_common.h"

#include "tfa.h"

static int valid_ref(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > TFA_USER_MAX)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f)
			return 0;
	}
	return 1;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static void check_escape(const char *in, size_t outlen)
{
	char *out;
	size_t i, o = 0, n = strlen(in), cap;

	/* exactly @outlen bytes (one guard byte for outlen 0) */
	cap = outlen > 0 ? outlen : 1;
	out = malloc(cap);
	if (out == NULL)
		abort();
	memset(out, 'G', cap);
	tfa_escape(in, out, outlen);
	if (outlen == 0) {
		fuzz_check(out[0] == 'G', "wrote into a zero-size buffer");
		free(out);
		return;
	}
	fuzz_check(memchr(out, '\0', outlen) != NULL, "output not NUL-terminated");
	for (i = 0; out[i] != '\0'; i++) {
		unsigned char c = (unsigned char)out[i];

		fuzz_check(c >= 0x20 && c < 0x7f, "non-printable 0x%02x in output", c);
		fuzz_check(c != '"', "bare '\"' in output");
		if (c == '\\') {
			int hi, lo;

			fuzz_check(out[i + 1] == 'x', "'\\' not followed by x");
			hi = hexval(out[i + 2]);
			lo = hexval(out[i + 3]);
			fuzz_check(hi >= 0 && lo >= 0, "bad \\x escape");
			c = (unsigned char)(hi << 4 | lo);
			i += 3;
		}
		fuzz_check(o < n && (unsigned char)in[o] == c,
			   "output does not decode to the input at byte %zu", o);
		o++;
	}
	/* room for 4 bytes per input byte plus the NUL: nothing is cut */
	if (outlen > 4 * n)
		fuzz_check(o == n, "truncated %zu of %zu bytes with room to spare", o, n);
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in;
	int v;

	if (size < 1)
		return 0;
	in = fuzz_strdup(data + 1, size - 1);

	v = tfa_user_valid(in);
	fuzz_check(v == valid_ref(in), "tfa_user_valid(\"%s\") = %d", in, v);
	fuzz_check(tfa_user_valid(NULL) == 0, "NULL is valid");

	check_escape(in, data[0]);
	check_escape(in, 4 * strlen(in) + 1);

	free(in);
	return 0;
}
