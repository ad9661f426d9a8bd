/* SPDX-License-Identifier: BSD-2-Clause */
/* fuzz_radius_state.c - tfa_state_parse, the parser of the State attribute
 * a NAS sends back to rlm_twofactor (any bytes, any length).
 *
 * Properties, beyond "no crash, no leak":
 *   - accepted only when the input is exactly TFA_STATE_HEX_LEN hex digits
 *     of version 1, and then the fields re-encode (lowercase) to the input
 *     lowercased, with a non-negative expiry;
 *   - on failure the fields are all zero.
 */
#include "fuzz_common.h"

#include <ctype.h>

#include "radius_state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char hex[] = "0123456789abcdef";
	static const tfa_state_fields zero;
	tfa_state_fields f;
	uint8_t raw[TFA_STATE_RAW_LEN];
	size_t i;
	int k;

	if (tfa_state_parse(data, size, &f) != TFA_OK) {
		fuzz_check(memcmp(&f, &zero, sizeof(f)) == 0, "fields not cleared on failure");
		return 0;
	}
	fuzz_check(size == TFA_STATE_HEX_LEN, "accepted %zu bytes", size);
	fuzz_check(f.version == TFA_STATE_VERSION, "accepted version %u", f.version);
	fuzz_check(f.expires >= 0, "negative expiry accepted");
	raw[0] = (uint8_t)f.version;
	memcpy(raw + 1, f.nonce, TFA_STATE_NONCE_LEN);
	for (k = 7; k >= 0; k--)
		raw[1 + TFA_STATE_NONCE_LEN + (7 - k)] = (uint8_t)((uint64_t)f.expires >> (8 * k));
	memcpy(raw + 1 + TFA_STATE_NONCE_LEN + 8, f.mac, TFA_STATE_MAC_LEN);
	for (i = 0; i < TFA_STATE_RAW_LEN; i++) {
		fuzz_check(tolower(data[2 * i]) == hex[raw[i] >> 4], "byte %zu does not round-trip", i);
		fuzz_check(tolower(data[2 * i + 1]) == hex[raw[i] & 0xf],
			   "byte %zu does not round-trip", i);
	}
	return 0;
}
