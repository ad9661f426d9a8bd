/* SPDX-License-Identifier: BSD-2-Clause */
/* crypto.h - the key file and AES-256-GCM encryption of secrets at rest. */
#ifndef TFA_CRYPTO_H
#define TFA_CRYPTO_H

#include <stddef.h>
#include <stdint.h>
#include "tfa.h"

#define TFA_KEY_LEN 32

typedef struct {
	uint8_t k[TFA_KEY_LEN];
} tfa_key;

/** tfa_key_load: read the 32-byte key from @path (a file holding 64 hex
 * digits and a newline). With @create and the file missing, make a new random
 * key (parents 0700, file 0600): only tfa-admin init may ask for that. The
 * file must pass the safefile rules for a key file. TFA_EKEY unusable or
 * missing; message names the file. *@absent (may be NULL) as for
 * tfa_safe_open: 1 only when the file does not exist (or, as root, open(2)
 * gave EACCES). */
tfa_rc tfa_key_load(const char *path, int create, tfa_key *key, int *absent, tfa_err *err);

/** tfa_key_wipe: clear @key. */
void tfa_key_wipe(tfa_key *key);

/** tfa_seal: AES-256-GCM encrypt @pt under @key with a fresh random 96-bit
 * nonce, authenticating @aad. *@out (new, *@outlen bytes) is
 * version(1) || nonce(12) || ciphertext || tag(16). */
tfa_rc tfa_seal(const tfa_key *key, const uint8_t *aad, size_t aadlen,
		const uint8_t *pt, size_t ptlen, uint8_t **out, size_t *outlen);

/** tfa_unseal: inverse of tfa_seal; TFA_EKEY if the tag does not verify
 * (wrong key, tampered record, or record moved to another user/token).
 * *@pt is new; wipe it (tfa_wipe) before freeing. */
tfa_rc tfa_unseal(const tfa_key *key, const uint8_t *aad, size_t aadlen,
		  const uint8_t *ct, size_t ctlen, uint8_t **pt, size_t *ptlen);

/** tfa_token_aad: the associated data binding a secret to @user and token
 * @id: "tfa-token\0" USER "\0" ID (decimal). Written into @buf (size
 * @buflen); returns its length, 0 if it does not fit. */
size_t tfa_token_aad(const char *user, int64_t id, uint8_t *buf, size_t buflen);

#endif
