/* SPDX-License-Identifier: BSD-2-Clause */
/* fuzz_csv.c - tfa_cards_parse_csv (a token-card CSV file).
 *
 * Input: the file's bytes (NULs included: the parser takes a length).
 * Properties:
 *   - the result is TFA_OK (or TFA_ENOMEM);
 *   - reports come in line order, each with one of the parser's fixed
 *     reasons (so nothing of the line, which may hold a secret, is quoted;
 *     a duplicate names an earlier line) and an empty or valid serial;
 *     their count is *bad;
 *   - good + bad = the lines that are not blank, a comment or the header,
 *     counted here independently;
 *   - every token is an unassigned card: valid serial (unique), 6..8 digits,
 *     a 1..128-byte secret, SHA1, TOTP with period 1..3600 or HOTP with
 *     period 0 and counter <= INT64_MAX, last_step -1;
 *   - with every "\n" made "\r\n" (inputs without CR) the result is the same.
 */
#include "fuzz_common.h"

#include "card.h"

struct seen {
	size_t reports, last;
};

/* field @i of the line, trimmed of spaces and tabs; NULL if there is none */
static const char *field(const char *p, size_t len, size_t i, size_t *flen)
{
	const char *end = p + len, *c;

	for (; i > 0; i--) {
		c = memchr(p, ',', (size_t)(end - p));
		if (c == NULL)
			return NULL;
		p = c + 1;
	}
	c = memchr(p, ',', (size_t)(end - p));
	*flen = (size_t)((c != NULL ? c : end) - p);
	while (*flen > 0 && (*p == ' ' || *p == '\t')) {
		p++;
		(*flen)--;
	}
	while (*flen > 0 && (p[*flen - 1] == ' ' || p[*flen - 1] == '\t'))
		(*flen)--;
	return p;
}

/* every reason the parser gives: fixed text, so nothing of the line (a
 * secret, with the columns in another order) can be in it */
static const char *const reasons[] = {
	"too few fields (want serial,secret,type,digits[,counter|period])",
	"too many fields",
	"invalid serial (want 1 to 64 characters of A-Z a-z 0-9 . _ : / -)",
	"the secret is not 1 to 128 bytes of hex",
	"unknown type (want hotp or totp)",
	"digits must be 6, 7 or 8",
	"bad counter (want 0 to 9223372036854775807)",
	"bad period (want 1 to 3600 seconds)",
};

static void on_bad(size_t pos, const char *serial, const char *why, void *arg)
{
	struct seen *s = arg;
	size_t i, first = 0;
	int end = 0;

	fuzz_check(pos > s->last, "line %zu reported after %zu", pos, s->last);
	s->last = pos;
	s->reports++;
	fuzz_check(serial != NULL && (serial[0] == '\0' || tfa_serial_valid(serial)),
		   "bad serial in a report");
	fuzz_check(why != NULL, "no reason");
	for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (strcmp(why, reasons[i]) == 0)
			return;
	fuzz_check(sscanf(why, "duplicate serial (first at line %zu)%n", &first, &end) == 1 &&
		   end > 0 && why[end] == '\0' && first >= 1 && first < pos &&
		   serial[0] != '\0', "unexpected reason: %s", why);
}

/* lines that are not blank, a comment, or the header (the rule of card.h) */
static size_t content_lines(const char *d, size_t size)
{
	const char *p = d, *end = d + size, *nl, *f;
	size_t len, flen, n = 0;
	int first = 1;

	if (size >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		len = (size_t)((nl != NULL ? nl : end) - p);
		if (len > 0 && p[len - 1] == '\r')
			len--;
		f = field(p, len, 0, &flen);
		if (!(flen > 0 && f[0] == '#') &&
		    !(flen == 0 && memchr(p, ',', len) == NULL)) {
			if (!first || flen != 6 || strncasecmp(f, "serial", 6) != 0)
				n++;
			first = 0;
		}
		p = nl != NULL ? nl + 1 : end;
	}
	return n;
}

static void check_tokens(const tfa_token *t, const tfa_token_key *key, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		fuzz_check(tfa_serial_valid(t[i].serial), "invalid serial returned");
		fuzz_check(t[i].user[0] == '\0' && t[i].state == TFA_STATE_UNASSIGNED &&
			   t[i].alg == OTP_SHA1 && t[i].last_step == -1, "not a SHA1 card");
		fuzz_check(t[i].digits >= 6 && t[i].digits <= 8, "digits %u", t[i].digits);
		fuzz_check(key[i].len >= 1 && key[i].len <= OTP_MAX_SECRET,
			   "secret length %zu", key[i].len);
		if (t[i].type == TFA_TOKEN_TOTP)
			fuzz_check(t[i].period >= 1 && t[i].period <= 3600 && t[i].counter == 0,
				   "totp fields");
		else
			fuzz_check(t[i].type == TFA_TOKEN_HOTP && t[i].period == 0 &&
				   t[i].counter <= (uint64_t)INT64_MAX, "hotp fields");
		for (j = 0; j < i; j++)
			fuzz_check(strcmp(t[i].serial, t[j].serial) != 0, "duplicate serial");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct seen s = { 0, 0 };
	tfa_card_set set, set2;
	const tfa_token *t, *t2;
	size_t n = 0, bad = 0, n2 = 0, bad2 = 0, i, k;
	char *crlf;
	tfa_err err;
	tfa_rc rc;

	rc = tfa_cards_parse_csv((const char *)data, size, &set, &bad, on_bad, &s, &err);
	if (rc == TFA_ENOMEM)
		return 0;
	t = set.toks;
	n = set.n;
	fuzz_check(rc == TFA_OK, "result %d", rc);
	fuzz_check(bad == s.reports, "bad %zu, reports %zu", bad, s.reports);
	fuzz_check((n == 0) == (t == NULL) && (n == 0) == (set.keys == NULL),
		   "array and count disagree");
	check_tokens(t, set.keys, n);
	k = content_lines((const char *)data, size);
	fuzz_check(n + bad == k, "%zu good + %zu bad, %zu card lines", n, bad, k);

	if (memchr(data, '\r', size) == NULL) {
		crlf = malloc(2 * size + 1);
		if (crlf == NULL)
			abort();
		for (i = k = 0; i < size; i++) {
			if (data[i] == '\n')
				crlf[k++] = '\r';
			crlf[k++] = (char)data[i];
		}
		rc = tfa_cards_parse_csv(crlf, k, &set2, &bad2, NULL, NULL, &err);
		t2 = set2.toks;
		n2 = set2.n;
		fuzz_check(rc == TFA_OK && n2 == n && bad2 == bad, "CRLF changes the result");
		for (i = 0; i < n; i++)
			fuzz_check(strcmp(t[i].serial, t2[i].serial) == 0 &&
				   set.keys[i].len == set2.keys[i].len &&
				   memcmp(set.keys[i].bytes, set2.keys[i].bytes, set.keys[i].len) == 0 &&
				   t[i].type == t2[i].type && t[i].digits == t2[i].digits &&
				   t[i].period == t2[i].period && t[i].counter == t2[i].counter,
				   "CRLF changes a card");
		tfa_card_set_free(&set2);
		free(crlf);
	}
	tfa_card_set_free(&set);
	return 0;
}
