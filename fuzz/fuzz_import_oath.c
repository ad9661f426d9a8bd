/* SPDX-License-Identifier: BSD-2-Clause */
/* fuzz_import_oath.c - tfa_import_oath_line (one line of a pam_oath users
 * file).
 *
 * Input: the line (NUL-terminated copy). Properties:
 *   - the result is -1, 0 or 1; -1 sets a printable reason (it never
 *     quotes the line), 0 (blank or comment) and 1 leave
 *     the reason empty;
 *   - 1 gives an active token of a valid user, 6..8 digits, SHA1, a 1..128
 *     byte secret, and TOTP with period 1..3600 or HOTP with period 0 and
 *     last_step -1; a failed parse leaves no secret behind;
 *   - the result does not depend on trailing whitespace (a newline).
 */
#include "fuzz_common.h"

#include "import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = fuzz_strdup(data, size), *nl = NULL;
	char why[128], why2[128];
	const char *p;
	tfa_token t, t2;
	tfa_token_key k, k2;
	int r, r2;

	r = tfa_import_oath_line(in, &t, &k, why, sizeof(why));
	fuzz_check(r >= -1 && r <= 1, "result %d", r);
	if (r < 0) {
		fuzz_check(why[0] != '\0', "no reason");
		for (p = why; *p != '\0'; p++)
			fuzz_check(*p >= 0x20 && *p < 0x7f, "unprintable reason");
		fuzz_check(k.len == 0, "secret left after failure");
	} else {
		fuzz_check(why[0] == '\0', "reason without failure");
	}
	if (r == 1) {
		fuzz_check(tfa_user_valid(t.user), "bad user accepted");
		fuzz_check(t.state == TFA_STATE_ACTIVE && t.alg == OTP_SHA1, "state/alg");
		fuzz_check(t.digits >= 6 && t.digits <= 8, "digits %u", t.digits);
		fuzz_check(k.len >= 1 && k.len <= OTP_MAX_SECRET, "secret length");
		if (t.type == TFA_TOKEN_TOTP)
			fuzz_check(t.period >= 1 && t.period <= 3600, "period %u", t.period);
		else
			fuzz_check(t.type == TFA_TOKEN_HOTP && t.period == 0 && t.last_step == -1,
				   "hotp fields");
	}
	/* the same line with a newline gives the same result */
	nl = malloc(size + 2);
	if (nl == NULL)
		abort();
	(void)snprintf(nl, size + 2, "%s\n", in);
	r2 = tfa_import_oath_line(nl, &t2, &k2, why2, sizeof(why2));
	fuzz_check(r2 == r, "newline changes the result: %d vs %d", r, r2);
	if (r == 1)
		fuzz_check(k.len == k2.len && memcmp(k.bytes, k2.bytes, k.len) == 0 &&
			   t.counter == t2.counter && t.last_step == t2.last_step,
			   "newline changes the token");
	memset(&k, 0, sizeof(k));
	memset(&k2, 0, sizeof(k2));
	free(nl);
	free(in);
	return 0;
}
