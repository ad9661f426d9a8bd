/* SPDX-License-Identifier: BSD-2-Clause */
/* fuzz_policy.c - tfa_policy_normalize.
 *
 * Input: byte 0 picks the key from tfa_policy_keys() (b % (nkeys + 1); the
 * extra value uses the rest of the input as the key as well, to exercise
 * the unknown-key path), the rest is the value (NUL-terminated copy).
 * Properties:
 *   - failure is TFA_EINVAL with *norm NULL and a NUL-terminated message;
 *   - success gives a string that normalises to itself (idempotent).
 */
#include "fuzz_common.h"

#include "policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *const *keys = tfa_policy_keys();
	const char *key;
	char *val, *norm = (char *)1, *norm2 = NULL;
	size_t nkeys = 0, pick;
	tfa_err err;
	tfa_rc rc;

	if (size < 1)
		return 0;
	while (keys[nkeys] != NULL)
		nkeys++;
	fuzz_check(nkeys > 0, "no policy keys");
	val = fuzz_strdup(data + 1, size - 1);
	pick = data[0] % (nkeys + 1);
	key = pick < nkeys ? keys[pick] : val;

	memset(&err, 'X', sizeof(err));
	rc = tfa_policy_normalize(key, val, &norm, &err);
	if (rc != TFA_OK) {
		fuzz_check(rc == TFA_EINVAL, "unexpected rc %d", (int)rc);
		fuzz_check(norm == NULL, "*norm set on failure");
		fuzz_check(memchr(err.msg, '\0', sizeof(err.msg)) != NULL,
			   "error message not NUL-terminated");
		goto out;
	}
	if (pick == nkeys) {	/* the value doubled as the key: must be a real one */
		size_t i;

		for (i = 0; i < nkeys && strcmp(keys[i], key) != 0; i++)
			;
		fuzz_check(i < nkeys, "unknown key \"%s\" accepted", key);
	}
	fuzz_check(norm != NULL, "success without a value");

	rc = tfa_policy_normalize(key, norm, &norm2, &err);
	fuzz_check(rc == TFA_OK, "%s: normalised value \"%s\" refused (rc %d): %s",
		   key, norm, (int)rc, err.msg);
	fuzz_check(strcmp(norm, norm2) == 0, "%s: not idempotent: \"%s\" -> \"%s\"",
		   key, norm, norm2);
out:
	free(norm2);
	free(norm);
	free(val);
	return 0;
}
