/* SPDX-License-Identifier: BSD-2-Clause */
/* error.c - error text, user-name rules, escaping for logs. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "tfa.h"

TFA_API const char *tfa_strerror(tfa_rc rc)
{
	switch (rc) {
	case TFA_OK: return "success";
	case TFA_REJECTED: return "code rejected";
	case TFA_REPLAYED: return "code already used";
	case TFA_LOCKED: return "locked out";
	case TFA_EINVAL: return "invalid input";
	case TFA_ENOENT: return "not found";
	case TFA_EEXIST: return "already exists";
	case TFA_ESTORE: return "store unusable";
	case TFA_EKEY: return "key unusable";
	case TFA_ENOMEM: return "out of memory";
	case TFA_ECRYPTO: return "crypto failure";
	case TFA_EIO: return "I/O error";
	case TFA_ELOOKUP: return "user or group lookup failed";
	}
	return "unknown error";
}

TFA_API tfa_rc tfa_err_set(tfa_err *err, tfa_rc rc, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return rc;
	va_start(ap, fmt);
	(void)vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return rc;
}

TFA_API const char *tfa_err_text(const tfa_err *err, tfa_rc rc)
{
	return err != NULL && err->msg[0] != '\0' ? err->msg : tfa_strerror(rc);
}

TFA_API int tfa_user_valid(const char *name)
{
	size_t i, len;

	if (name == NULL)
		return 0;
	len = strnlen(name, TFA_USER_MAX + 1);
	if (len == 0 || len > TFA_USER_MAX)
		return 0;
	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)name[i];

		if (ch < 0x20 || ch == 0x7f)
			return 0;
	}
	return 1;
}

TFA_API void tfa_escape(const char *in, char *out, size_t outlen)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	if (outlen == 0)
		return;
	for (; in != NULL && *in != '\0'; in++) {
		unsigned char ch = (unsigned char)*in;

		if (ch >= 0x20 && ch < 0x7f && ch != '\\' && ch != '"') {
			if (o + 1 >= outlen)
				break;
			out[o++] = (char)ch;
		} else {
			if (o + 4 >= outlen)
				break;
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[ch >> 4];
			out[o++] = hex[ch & 0xf];
		}
	}
	out[o] = '\0';
}

TFA_API tfa_uesc tfa_user_esc(const char *name)
{
	tfa_uesc e = { { 0 } };

	tfa_escape(name, e.s, sizeof(e.s));
	return e;
}
