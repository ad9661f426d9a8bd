/* SPDX-License-Identifier: BSD-2-Clause */
/* fuzz_base32.c - tfa_base32_decode / tfa_base32_encode.
 *
 * Input: the text to decode (NUL-terminated copy). Properties:
 *   - decode either fails with TFA_EINVAL leaving *out NULL and *outlen 0,
 *     or gives a non-empty buffer;
 *   - encode(decoded) is upper-case A-Z 2-7, unpadded, ceil(8n/5) long;
 *   - decode(encode(decoded)) == decoded (round trip);
 *   - decoding is case-insensitive: the lower-cased encoding decodes to
 *     the same bytes too.
 */
#include "fuzz_common.h"

#include "secret.h"

static void free_bytes(uint8_t *p, size_t n)
{
	tfa_wipe(p, n);
	free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = fuzz_strdup(data, size), *enc = NULL, *enc2 = NULL;
	uint8_t *dec = (uint8_t *)1, *dec2 = NULL;
	size_t declen = 1, dec2len = 0, i, elen;
	tfa_rc rc;

	rc = tfa_base32_decode(in, &dec, &declen);
	if (rc != TFA_OK) {
		fuzz_check(rc == TFA_EINVAL, "unexpected rc %d", (int)rc);
		fuzz_check(dec == NULL && declen == 0, "outputs not cleared on failure");
		goto out;
	}
	fuzz_check(dec != NULL && declen > 0, "success without bytes");

	rc = tfa_base32_encode(dec, declen, &enc);
	fuzz_check(rc == TFA_OK && enc != NULL, "encode of decoded bytes failed: %d", (int)rc);
	elen = strlen(enc);
	fuzz_check(elen == (declen * 8 + 4) / 5, "encoded length %zu for %zu bytes",
		   elen, declen);
	for (i = 0; i < elen; i++)
		fuzz_check((enc[i] >= 'A' && enc[i] <= 'Z') || (enc[i] >= '2' && enc[i] <= '7'),
			   "bad symbol 0x%02x in encoding", (unsigned char)enc[i]);

	rc = tfa_base32_decode(enc, &dec2, &dec2len);
	fuzz_check(rc == TFA_OK, "re-decode of \"%s\" failed: %d", enc, (int)rc);
	fuzz_check(dec2len == declen && memcmp(dec, dec2, declen) == 0,
		   "round trip changed the bytes (%zu -> %zu bytes)", declen, dec2len);

	free_bytes(dec2, dec2len);
	dec2 = NULL;
	enc2 = strdup(enc);
	if (enc2 == NULL)
		abort();
	for (i = 0; i < elen; i++)
		if (enc2[i] >= 'A' && enc2[i] <= 'Z')
			enc2[i] = (char)(enc2[i] - 'A' + 'a');
	rc = tfa_base32_decode(enc2, &dec2, &dec2len);
	fuzz_check(rc == TFA_OK && dec2len == declen && memcmp(dec, dec2, declen) == 0,
		   "lower-case encoding decodes differently");
out:
	tfa_free_secret(enc2);
	tfa_free_secret(enc);
	if (dec2 != NULL)
		free_bytes(dec2, dec2len);
	if (dec != NULL)
		free_bytes(dec, declen);
	free(in);
	return 0;
}
