/* SPDX-License-Identifier: BSD-2-Clause */
/* radius_state.h - the RADIUS State attribute of an Access-Challenge
 * (rlm_twofactor), made and checked by the library so that the module holds
 * no key and keeps no session table.
 *
 * A State is the lowercase hex encoding (some NASes cut State at a NUL
 * byte) of
 *     version(1) | nonce(16) | expiry(8, big-endian unix time) | mac(32)
 * where mac = HMAC-SHA256(state key, "tfa-radius-state v1" | version | nonce
 * | expiry | user | fingerprint). The state key is derived from the store's
 * key file (HMAC under the recovery pepper with its own label), so every
 * server holding the store's key accepts the State another one made. The
 * fingerprint is a digest of the user's login state in the store: failures,
 * lockout, last login, every token's counter/step/last use, the unused
 * recovery codes and the pending challenge. Every checked code changes it
 * (a wrong one counts a failure, a right one moves a counter, consumes the
 * challenge or a recovery code), and so does a new challenge: a State works
 * for one answer, for its user, until it expires (sms_ttl), and only for the
 * challenge it was sent with.
 */
#ifndef TFA_RADIUS_STATE_H
#define TFA_RADIUS_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "auth.h"

#define TFA_STATE_VERSION 1
#define TFA_STATE_NONCE_LEN 16
#define TFA_STATE_MAC_LEN 32
#define TFA_STATE_RAW_LEN (1 + TFA_STATE_NONCE_LEN + 8 + TFA_STATE_MAC_LEN)
#define TFA_STATE_HEX_LEN (2 * TFA_STATE_RAW_LEN)   /* 114 characters */

/** The fields of a State, as tfa_state_parse reads them. */
typedef struct {
	unsigned version;
	uint8_t nonce[TFA_STATE_NONCE_LEN];
	int64_t expires;
	uint8_t mac[TFA_STATE_MAC_LEN];
} tfa_state_fields;

/** tfa_state_parse: read the @len bytes at @in (not NUL-terminated; any
 * byte may occur) as a State: exactly TFA_STATE_HEX_LEN hex digits (either
 * case) of version TFA_STATE_VERSION. TFA_OK with *@f filled, else
 * TFA_EINVAL (and *@f zeroed). No key is needed (fuzz/fuzz_radius_state.c). */
tfa_rc tfa_state_parse(const uint8_t *in, size_t len, tfa_state_fields *f);

/** tfa_state_make: a new State for @user (the canonical name) at @now,
 * valid sms_ttl seconds, bound to the user's login state in the store as it
 * is now (call it after the challenge step): TFA_STATE_HEX_LEN characters
 * and a NUL into @out (@outlen > TFA_STATE_HEX_LEN). Returns TFA_OK, or
 * TFA_EINVAL, TFA_ECRYPTO or a store error (message in @err). */
tfa_rc tfa_state_make(tfa_ctx *c, const char *user, int64_t now, char *out, size_t outlen,
		      tfa_err *err);

/** tfa_state_check: does the State @in (@len bytes as received) belong to
 * @user, unexpired at @now, with the user's login state unchanged since it
 * was made? TFA_OK yes; TFA_REJECTED no, with the reason in @err (malformed,
 * expired, or not this user's or no longer current: used, or replaced by a
 * newer challenge; never the key or the MAC); a store or crypto error its
 * code. The MAC is compared in constant time. */
tfa_rc tfa_state_check(tfa_ctx *c, const char *user, const uint8_t *in, size_t len,
		       int64_t now, tfa_err *err);

#endif
