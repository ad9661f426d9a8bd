/* SPDX-License-Identifier: BSD-2-Clause */
/* fuzz_import_ga.c - tfa_import_ga_parse (a ~/.google_authenticator file).
 *
 * Input: the file's bytes (NULs included: the parser takes a length).
 * Properties:
 *   - the result is TFA_OK or TFA_EINVAL; every reported line number is at
 *     most the number of lines, and reasons are printable ASCII (they go
 *     into messages; they must never echo the input);
 *   - on TFA_EINVAL at least one bad line was reported and no secret or
 *     scratch code is left in the output;
 *   - on TFA_OK the token is an active TOTP (period 1..3600, counter 0) or
 *     HOTP (period 0, last_step -1) with 6 digits, SHA1, a 10..128-byte
 *     secret, and the scratch codes are 8 digits each.
 */
#include "fuzz_common.h"

#include "import.h"

struct seen {
	unsigned lines;
	unsigned reports;
};

static void on_bad(unsigned line, const char *reason, void *arg)
{
	struct seen *s = arg;
	const char *p;

	s->reports++;
	fuzz_check(line <= s->lines + 1, "line %u of %u", line, s->lines);
	fuzz_check(reason != NULL && reason[0] != '\0', "empty reason");
	for (p = reason; *p != '\0'; p++)
		fuzz_check(*p >= 0x20 && *p < 0x7f, "unprintable reason");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static tfa_import_ga g;
	struct seen s = { 1, 0 };
	const char *text;
	char *copy = malloc(size > 0 ? size : 1);
	size_t i, j;
	tfa_rc rc;

	if (copy == NULL)
		abort();
	if (size > 0)
		memcpy(copy, data, size);
	text = copy;
	for (i = 0; i < size; i++)
		if (text[i] == '\n')
			s.lines++;
	rc = tfa_import_ga_parse(text, size, "fuzz", &g, on_bad, &s);
	fuzz_check(s.reports == g.bad, "reported %u, counted %u", s.reports, g.bad);
	if (rc != TFA_OK) {
		fuzz_check(rc == TFA_EINVAL, "rc %d", (int)rc);
		fuzz_check(g.bad > 0, "failure without a reason");
		fuzz_check(g.key.len == 0 && g.nscratch == 0, "output left on failure");
		goto out;
	}
	fuzz_check(g.tok.state == TFA_STATE_ACTIVE && g.tok.digits == 6 && g.tok.alg == OTP_SHA1,
		   "bad token fields");
	fuzz_check(g.key.len >= 10 && g.key.len <= OTP_MAX_SECRET,
		   "secret length %zu", g.key.len);
	if (g.tok.type == TFA_TOKEN_TOTP)
		fuzz_check(g.tok.period >= 1 && g.tok.period <= 3600 && g.tok.counter == 0,
			   "totp period %u", g.tok.period);
	else
		fuzz_check(g.tok.type == TFA_TOKEN_HOTP && g.tok.period == 0 &&
			   g.tok.last_step == -1, "hotp fields");
	fuzz_check(g.nscratch <= TFA_IMPORT_GA_MAX_SCRATCH, "too many scratch codes");
	for (i = 0; i < g.nscratch; i++) {
		for (j = 0; j < 8; j++)
			fuzz_check(g.scratch[i][j] >= '0' && g.scratch[i][j] <= '9', "scratch digit");
		fuzz_check(g.scratch[i][8] == '\0', "scratch length");
	}
out:
	tfa_import_ga_clear(&g);
	free(copy);
	return 0;
}
