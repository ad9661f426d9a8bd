/* SPDX-License-Identifier: BSD-2-Clause */
/* fuzz_pskc.c - tfa_cards_parse_pskc (a PSKC document: the pre-scan, then
 * libpskc/libxml2).
 *
 * Input: the document's bytes (NULs included: the parser takes a length).
 * Properties:
 *   - the result is TFA_OK, TFA_EINVAL or TFA_ENOMEM; a refusal sets a
 *     printable reason and returns no tokens and no reports;
 *   - reports come in KeyPackage order, each with a printable reason and an
 *     empty or valid serial; their count is *bad;
 *   - every token is an unassigned card: valid serial (unique in the result),
 *     user "", 6..8 digits, a 1..128-byte secret, TOTP with period 1..3600 or
 *     HOTP with period 0, last_step -1;
 *   - good + bad = the number of KeyPackages libpskc itself finds in an
 *     accepted document (each KeyPackage is either a card or reported once).
 * libpskc is initialised once for the process here (the library's own
 * per-call pskc_global_init/done then only count references).
 */
#include "fuzz_common.h"

#include <pskc/pskc.h>

#include "card.h"

struct seen {
	size_t reports, last;
};

static void on_bad(size_t pos, const char *serial, const char *why, void *arg)
{
	struct seen *s = arg;
	const char *p;

	fuzz_check(pos > s->last, "KeyPackage %zu reported after %zu", pos, s->last);
	s->last = pos;
	s->reports++;
	fuzz_check(serial != NULL && (serial[0] == '\0' || tfa_serial_valid(serial)),
		   "bad serial in a report");
	fuzz_check(why != NULL && why[0] != '\0', "empty reason");
	for (p = why; *p != '\0'; p++)
		fuzz_check(*p >= 0x20 && *p < 0x7f, "unprintable reason");
}

/* KeyPackages as libpskc counts them */
static size_t count_packages(const uint8_t *data, size_t size)
{
	pskc_t *c = NULL;
	size_t i = 0;
	int rc;

	if (pskc_init(&c) != PSKC_OK)
		abort();
	rc = pskc_parse_from_memory(c, size, (const char *)data);
	fuzz_check(rc == PSKC_OK || rc == PSKC_PARSE_ERROR || rc == PSKC_BASE64_ERROR,
		   "libpskc fails (%d) on an accepted document", rc);
	while (pskc_get_keypackage(c, i) != NULL)
		i++;
	pskc_done(c);
	return i;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int inited;
	struct seen s = { 0, 0 };
	tfa_card_set set;
	const tfa_token *t;
	size_t n = 0, bad = 0, i, j;
	tfa_err err;
	tfa_rc rc;
	const char *p;

	if (!inited) {
		if (pskc_global_init() != PSKC_OK)
			abort();
		inited = 1;
	}
	err.msg[0] = '\0';
	rc = tfa_cards_parse_pskc((const char *)data, size, &set, &bad, on_bad, &s, &err);
	t = set.toks;
	n = set.n;
	fuzz_check(rc == TFA_OK || rc == TFA_EINVAL || rc == TFA_ENOMEM, "result %d", rc);
	if (rc != TFA_OK) {
		fuzz_check(t == NULL && set.keys == NULL && n == 0 && bad == 0 && s.reports == 0,
			   "output after a refusal");
		fuzz_check(err.msg[0] != '\0', "refusal without a reason");
		for (p = err.msg; *p != '\0'; p++)
			fuzz_check(*p >= 0x20 && *p < 0x7f, "unprintable reason");
		return 0;
	}
	fuzz_check(bad == s.reports, "bad %zu, reports %zu", bad, s.reports);
	fuzz_check((n == 0) == (t == NULL) && (n == 0) == (set.keys == NULL),
		   "array and count disagree");
	for (i = 0; i < n; i++) {
		fuzz_check(tfa_serial_valid(t[i].serial), "invalid serial returned");
		fuzz_check(t[i].user[0] == '\0' && t[i].state == TFA_STATE_UNASSIGNED,
			   "not an unassigned card");
		fuzz_check(t[i].digits >= 6 && t[i].digits <= 8, "digits %u", t[i].digits);
		fuzz_check(set.keys[i].len >= 1 && set.keys[i].len <= OTP_MAX_SECRET,
			   "secret length %zu", set.keys[i].len);
		fuzz_check(t[i].last_step == -1, "last_step");
		if (t[i].type == TFA_TOKEN_TOTP)
			fuzz_check(t[i].period >= 1 && t[i].period <= 3600, "period %u",
				   t[i].period);
		else
			fuzz_check(t[i].type == TFA_TOKEN_HOTP && t[i].period == 0 &&
				   t[i].counter <= (uint64_t)INT64_MAX, "hotp fields");
		for (j = 0; j < i; j++)
			fuzz_check(strcmp(t[i].serial, t[j].serial) != 0, "duplicate serial");
	}
	i = count_packages(data, size);
	fuzz_check(n + bad == i, "%zu good + %zu bad, %zu KeyPackages", n, bad, i);
	tfa_card_set_free(&set);
	return 0;
}
