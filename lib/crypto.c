/* SPDX-License-Identifier: BSD-2-Clause */
/* crypto.c - key file and AES-256-GCM sealing of secrets (OpenSSL). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "crypto.h"
#include "safefile.h"
#include "secret.h"

#define SEAL_VERSION 1
#define NONCE_LEN 12
#define TAG_LEN 16
#define KEYFILE_TEXT (TFA_KEY_LEN * 2 + 1)   /* hex digits and a newline */

TFA_API void tfa_key_wipe(tfa_key *key)
{
	if (key != NULL)
		tfa_wipe(key->k, sizeof(key->k));
}

static tfa_rc key_read_fd(int fd, const char *path, tfa_key *key, tfa_err *err)
{
	char buf[KEYFILE_TEXT + 2];
	size_t got = 0, i;
	ssize_t n;
	tfa_rc rc = TFA_OK;

	while (got < sizeof(buf)) {
		n = read(fd, buf + got, sizeof(buf) - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = tfa_err_set(err, TFA_EKEY, "cannot read key file %s: %s", path, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	if (got < TFA_KEY_LEN * 2 || got > KEYFILE_TEXT ||
	    (got == KEYFILE_TEXT && buf[TFA_KEY_LEN * 2] != '\n')) {
		rc = tfa_err_set(err, TFA_EKEY, "key file %s is malformed (expected %d hex digits)",
				 path, TFA_KEY_LEN * 2);
		goto out;
	}
	for (i = 0; i < TFA_KEY_LEN; i++) {
		int hi = tfa_hexval(buf[2 * i]), lo = tfa_hexval(buf[2 * i + 1]);

		if (hi < 0 || lo < 0) {
			rc = tfa_err_set(err, TFA_EKEY, "key file %s is malformed (not hex)", path);
			goto out;
		}
		key->k[i] = (uint8_t)(hi << 4 | lo);
	}
out:
	tfa_wipe(buf, sizeof(buf));
	if (rc != TFA_OK)
		tfa_key_wipe(key);
	return rc;
}

/* Write a new key to a temporary file beside @path, then link() it into
 * place so that a racing creator never sees a half-written key and never
 * overwrites one. */
static tfa_rc key_create(const char *path, tfa_err *err)
{
	static const char hex[] = "0123456789abcdef";
	char text[KEYFILE_TEXT];
	char tmp[PATH_MAX];
	uint8_t raw[TFA_KEY_LEN];
	tfa_rc rc;
	int fd = -1, have_tmp = 0;
	size_t i;

	rc = tfa_safe_mkdirs(path, err);
	if (rc == TFA_OK)
		rc = tfa_safe_check_dirs(path, TFA_SAFE_KEY, NULL, err);
	if (rc != TFA_OK)
		return rc == TFA_ESTORE ? TFA_EKEY : rc;
	if (snprintf(tmp, sizeof(tmp), "%s.new.%ld", path, (long)getpid()) >= (int)sizeof(tmp))
		return tfa_err_set(err, TFA_EKEY, "key file path %s is too long", path);
	rc = tfa_random_bytes(raw, sizeof(raw));
	if (rc != TFA_OK) {
		rc = tfa_err_set(err, TFA_ECRYPTO, "cannot make a key for %s: RNG failure", path);
		goto out;
	}
	for (i = 0; i < TFA_KEY_LEN; i++) {
		text[2 * i] = hex[raw[i] >> 4];
		text[2 * i + 1] = hex[raw[i] & 0xf];
	}
	text[KEYFILE_TEXT - 1] = '\n';
	(void)unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		rc = tfa_err_set(err, TFA_EKEY, "cannot create key file %s: %s", tmp, strerror(errno));
		goto out;
	}
	have_tmp = 1;
	if (write(fd, text, sizeof(text)) != (ssize_t)sizeof(text) || fsync(fd) != 0) {
		rc = tfa_err_set(err, TFA_EKEY, "cannot write key file %s: %s", tmp, strerror(errno));
		goto out;
	}
	if (link(tmp, path) != 0 && errno != EEXIST) {
		rc = tfa_err_set(err, TFA_EKEY, "cannot create key file %s: %s", path, strerror(errno));
		goto out;
	}
	rc = TFA_OK;
out:
	if (fd >= 0)
		close(fd);
	if (have_tmp)
		(void)unlink(tmp);
	tfa_wipe(raw, sizeof(raw));
	tfa_wipe(text, sizeof(text));
	return rc;
}

TFA_API tfa_rc tfa_key_load(const char *path, int create, tfa_key *key, int *absent,
			    tfa_err *err)
{
	char esc[256];
	tfa_rc rc;
	int fd = -1, gone = 0;

	if (absent != NULL)
		*absent = 0;
	rc = tfa_safe_open(path, O_RDONLY, TFA_SAFE_KEY, &fd, &gone, err);
	if (rc == TFA_ENOENT && create) {
		rc = key_create(path, err);
		if (rc != TFA_OK)
			return rc;
		rc = tfa_safe_open(path, O_RDONLY, TFA_SAFE_KEY, &fd, &gone, err);
	}
	if (absent != NULL)
		*absent = gone;
	if (rc == TFA_ENOENT) {
		tfa_escape(path, esc, sizeof(esc));
		return tfa_err_set(err, TFA_EKEY, "key file %s does not exist", esc);
	}
	if (rc != TFA_OK) {
		/* keep the message (it names the file), report it as a key error */
		return rc == TFA_ENOMEM ? rc : TFA_EKEY;
	}
	rc = key_read_fd(fd, path, key, err);
	close(fd);
	return rc;
}

TFA_API size_t tfa_token_aad(const char *user, int64_t id, uint8_t *buf, size_t buflen)
{
	static const char label[] = "tfa-token";
	int n;
	size_t ulen = strlen(user), need;
	char num[24];

	n = snprintf(num, sizeof(num), "%lld", (long long)id);
	if (n < 0)
		return 0;
	need = sizeof(label) + ulen + 1 + (size_t)n;
	if (need > buflen)
		return 0;
	memcpy(buf, label, sizeof(label));                     /* includes NUL */
	memcpy(buf + sizeof(label), user, ulen + 1);           /* includes NUL */
	memcpy(buf + sizeof(label) + ulen + 1, num, (size_t)n);
	return need;
}

TFA_API tfa_rc tfa_seal(const tfa_key *key, const uint8_t *aad, size_t aadlen,
			const uint8_t *pt, size_t ptlen, uint8_t **out, size_t *outlen)
{
	EVP_CIPHER_CTX *cx = NULL;
	uint8_t *buf = NULL;
	size_t total;
	int len = 0, fin = 0;
	tfa_rc rc = TFA_ECRYPTO;

	*out = NULL;
	*outlen = 0;
	if (ptlen > INT_MAX / 2 || aadlen > INT_MAX)
		return TFA_EINVAL;
	total = 1 + NONCE_LEN + ptlen + TAG_LEN;
	buf = malloc(total);
	if (buf == NULL)
		return TFA_ENOMEM;
	buf[0] = SEAL_VERSION;
	if (RAND_bytes(buf + 1, NONCE_LEN) != 1)
		goto out;
	cx = EVP_CIPHER_CTX_new();
	if (cx == NULL)
		goto out;
	if (EVP_EncryptInit_ex(cx, EVP_aes_256_gcm(), NULL, NULL, NULL) != 1 ||
	    EVP_CIPHER_CTX_ctrl(cx, EVP_CTRL_GCM_SET_IVLEN, NONCE_LEN, NULL) != 1 ||
	    EVP_EncryptInit_ex(cx, NULL, NULL, key->k, buf + 1) != 1 ||
	    EVP_EncryptUpdate(cx, NULL, &len, aad, (int)aadlen) != 1 ||
	    EVP_EncryptUpdate(cx, buf + 1 + NONCE_LEN, &len, pt, (int)ptlen) != 1 ||
	    EVP_EncryptFinal_ex(cx, buf + 1 + NONCE_LEN + len, &fin) != 1 ||
	    (size_t)(len + fin) != ptlen ||
	    EVP_CIPHER_CTX_ctrl(cx, EVP_CTRL_GCM_GET_TAG, TAG_LEN, buf + 1 + NONCE_LEN + ptlen) != 1)
		goto out;
	*out = buf;
	*outlen = total;
	buf = NULL;
	rc = TFA_OK;
out:
	EVP_CIPHER_CTX_free(cx);
	if (buf != NULL) {
		tfa_wipe(buf, total);
		free(buf);
	}
	return rc;
}

TFA_API tfa_rc tfa_unseal(const tfa_key *key, const uint8_t *aad, size_t aadlen,
			  const uint8_t *ct, size_t ctlen, uint8_t **pt, size_t *ptlen)
{
	EVP_CIPHER_CTX *cx = NULL;
	uint8_t *buf = NULL;
	uint8_t tag[TAG_LEN];
	size_t n;
	int len = 0, fin = 0;
	tfa_rc rc = TFA_EKEY;

	*pt = NULL;
	*ptlen = 0;
	if (ctlen < 1 + NONCE_LEN + TAG_LEN || ct[0] != SEAL_VERSION || ctlen > INT_MAX / 2 ||
	    aadlen > INT_MAX)
		return TFA_EKEY;
	n = ctlen - 1 - NONCE_LEN - TAG_LEN;
	buf = malloc(n + 1);
	if (buf == NULL)
		return TFA_ENOMEM;
	memcpy(tag, ct + 1 + NONCE_LEN + n, TAG_LEN);
	cx = EVP_CIPHER_CTX_new();
	if (cx == NULL) {
		rc = TFA_ECRYPTO;
		goto out;
	}
	if (EVP_DecryptInit_ex(cx, EVP_aes_256_gcm(), NULL, NULL, NULL) != 1 ||
	    EVP_CIPHER_CTX_ctrl(cx, EVP_CTRL_GCM_SET_IVLEN, NONCE_LEN, NULL) != 1 ||
	    EVP_DecryptInit_ex(cx, NULL, NULL, key->k, ct + 1) != 1 ||
	    EVP_DecryptUpdate(cx, NULL, &len, aad, (int)aadlen) != 1 ||
	    EVP_DecryptUpdate(cx, buf, &len, ct + 1 + NONCE_LEN, (int)n) != 1 ||
	    EVP_CIPHER_CTX_ctrl(cx, EVP_CTRL_GCM_SET_TAG, TAG_LEN, tag) != 1)
		goto out;
	if (EVP_DecryptFinal_ex(cx, buf + len, &fin) != 1)
		goto out;               /* tag mismatch: wrong key or tampered */
	*pt = buf;
	*ptlen = n;
	buf = NULL;
	rc = TFA_OK;
out:
	EVP_CIPHER_CTX_free(cx);
	if (buf != NULL) {
		tfa_wipe(buf, n + 1);
		free(buf);
	}
	return rc;
}
