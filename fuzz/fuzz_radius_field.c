/* SPDX-License-Identifier: BSD-2-Clause */
/* fuzz_radius_field.c - tfa_verify_field, which takes the User-Password of
 * a RADIUS request (the code alone, or in one-shot mode the password
 * immediately followed by the code) and PAM's forward_pass field.
 *
 * A store in a private temporary directory, made once, holds user "alice"
 * with two active TOTP tokens (6 and 8 digits, so a split field is tried
 * at two lengths). Input: byte 0 bit 0 picks split or not, the rest is the
 * field (NUL-terminated copy; a NUL inside cuts it, as the module refuses
 * such a field). Properties, beyond "no crash, no leak":
 *   - the outcome is a verdict (accepted, rejected, replayed, locked),
 *     never a store or argument error;
 *   - with split, the code offset lies within the field, and an accepted
 *     field ends in 6 or 8 digits starting at that offset;
 *   - a rejected field counts exactly one failure, however many lengths
 *     were tried.
 * The user is unlocked before the lockout so every input is evaluated.
 */
#include "fuzz_common.h"

#include <ftw.h>
#include <stdio.h>
#include <unistd.h>

#include "admin.h"
#include "enroll.h"
#include "policy.h"
#include "secret.h"

static tfa_ctx *ctx;
static char dir[64];

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static void cleanup(void)
{
	tfa_ctx_close(ctx);
	ctx = NULL;
	if (dir[0] != '\0')
		(void)nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

static void setup(void)
{
	const char *tmp = getenv("TMPDIR");
	char store[128], key[128];
	tfa_enroll_opts o;
	tfa_err err = { { 0 } };
	char *uri = NULL;
	unsigned d;

	(void)snprintf(dir, sizeof(dir), "%s/tfa-fuzz-field.XXXXXX",
		       tmp != NULL && tmp[0] == '/' && strlen(tmp) < 32 ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL)
		fuzz_fail("mkdtemp %s", dir);
	atexit(cleanup);
	(void)snprintf(store, sizeof(store), "%s/tfa.db", dir);
	(void)snprintf(key, sizeof(key), "%s/tfa.key", dir);
	if (tfa_ctx_open(store, key, TFA_OPEN_CREATE, "fuzz", &ctx, &err) != TFA_OK)
		fuzz_fail("cannot create the store: %s", err.msg);
	if (tfa_policy_set(ctx, "max_failures", "1000", &err) != TFA_OK)
		fuzz_fail("policy: %s", err.msg);
	for (d = 6; d <= 8; d += 2) {
		tfa_enroll_opts_init(&o);
		o.digits = d;
		o.activate = 1;
		if (tfa_enroll(ctx, "alice", &o, NULL, &uri, NULL, &err) != TFA_OK)
			fuzz_fail("enrol: %s", err.msg);
		tfa_free_secret(uri);
		uri = NULL;
	}
}

static int tail_digits(const char *s, size_t off)
{
	size_t i, n = strlen(s);

	if (off > n || (n - off != 6 && n - off != 8))
		return 0;
	for (i = off; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	tfa_verify_result res;
	tfa_err err = { { 0 } };
	unsigned before;
	char *field;
	int split;
	tfa_rc rc;

	if (size < 1)
		return 0;
	if (ctx == NULL)
		setup();
	split = data[0] & 1;
	field = fuzz_strdup(data + 1, size - 1);
	memset(&res, 0, sizeof(res));
	/* the failures so far: a rejected field adds exactly one */
	rc = tfa_verify_field(ctx, "alice", "", 0, 1700000000, &res, &err);
	fuzz_check(rc == TFA_REJECTED, "empty code: rc %d (%s)", (int)rc, err.msg);
	before = res.failures;
	if (before >= 900) {
		if (tfa_user_unlock(ctx, "alice", &err) != TFA_OK)
			fuzz_fail("unlock: %s", err.msg);
		before = 0;
		rc = tfa_verify_field(ctx, "alice", "", 0, 1700000000, &res, &err);
		fuzz_check(rc == TFA_REJECTED, "empty code: rc %d", (int)rc);
		before = res.failures;
	}
	memset(&res, 0, sizeof(res));
	rc = tfa_verify_field(ctx, "alice", field, split, 1700000000, &res, &err);
	fuzz_check(rc == TFA_OK || rc == TFA_REJECTED || rc == TFA_REPLAYED || rc == TFA_LOCKED,
		   "not a verdict: rc %d (%s)", (int)rc, err.msg);
	if (split)
		fuzz_check(res.code_offset <= strlen(field), "code offset %zu past the field (%zu)",
			   res.code_offset, strlen(field));
	if (rc == TFA_OK && split)
		fuzz_check(tail_digits(field, res.code_offset), "accepted a field whose code"
			   " is not 6 or 8 digits at its offset");
	if (rc == TFA_REJECTED || rc == TFA_REPLAYED)
		fuzz_check(res.failures == before + 1, "one field counted %u failures",
			   res.failures - before);
	free(field);
	return 0;
}
