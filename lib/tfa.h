/* SPDX-License-Identifier: BSD-2-Clause */
/* tfa.h - libotp common definitions: the one error enum, limits, error text.
 *
 * Every fallible libotp function returns a tfa_rc.  Functions that can fail
 * for a reason a person must read (a file, a user) also take a tfa_err whose
 * message names that file or user and the reason; it never holds a secret or
 * a code.
 */
#ifndef TFA_H
#define TFA_H

#include <stddef.h>
#include <stdint.h>

#define TFA_API __attribute__((visibility("default")))

typedef enum {
	TFA_OK = 0,
	TFA_REJECTED,   /* wrong code */
	TFA_REPLAYED,   /* code (or an older one) was already used */
	TFA_LOCKED,     /* user is locked out; the code was not evaluated */
	TFA_EINVAL,     /* malformed input or bad argument */
	TFA_ENOENT,     /* no such user, token or file */
	TFA_EEXIST,     /* already exists */
	TFA_ESTORE,     /* store cannot be used (missing, corrupt, unsafe, I/O) */
	TFA_EKEY,       /* key file cannot be used, or a secret does not decrypt */
	TFA_ENOMEM,     /* out of memory */
	TFA_ECRYPTO,    /* crypto library failure (RNG, cipher) */
	TFA_EIO,        /* other I/O error (e.g. writing a PNG) */
	TFA_ELOOKUP,    /* user or group lookup (NSS) failed: never "no such user" */
} tfa_rc;

/* Maximum lengths (bytes, without the terminating NUL). */
#define TFA_USER_MAX   128
#define TFA_SERIAL_MAX 64
#define TFA_PHONE_MAX  20     /* sms: '+' and up to 19 digits */
#define TFA_SUITE_MAX  64     /* ocra: suite text */
#define TFA_ERRMSG_MAX 512

/* A human-readable reason for a failure. */
typedef struct {
	char msg[TFA_ERRMSG_MAX];
} tfa_err;

/** tfa_strerror: short static text for @rc ("code rejected", ...). */
const char *tfa_strerror(tfa_rc rc);

/** tfa_err_set: format a message into @err (may be NULL); returns @rc so that
 * callers can write `return tfa_err_set(err, TFA_ESTORE, "...", ...)`. */
tfa_rc tfa_err_set(tfa_err *err, tfa_rc rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/** tfa_err_text: the message in @err (may be NULL) if one was set, else
 * tfa_strerror(@rc): what to show for a failed call. */
const char *tfa_err_text(const tfa_err *err, tfa_rc rc);

/** tfa_user_valid: 1 if @name is an acceptable user name: 1..TFA_USER_MAX
 * bytes, none of them a control character (below 0x20, or 0x7f); else 0.
 * Any name a directory returns passes (winbind's DOMAIN\user, UTF-8): put
 * names into logs and messages through tfa_escape. */
int tfa_user_valid(const char *name);

/** tfa_escape: copy @in into @out (size @outlen) with control characters,
 * non-ASCII bytes, quotes and backslashes escaped as \xHH, truncated to fit;
 * for putting untrusted strings (user names) into logs and messages. */
void tfa_escape(const char *in, char *out, size_t outlen);

/* A user name escaped with tfa_escape: room for TFA_USER_MAX bytes as \xHH. */
typedef struct {
	char s[4 * TFA_USER_MAX + 1];
} tfa_uesc;

/** tfa_user_esc: @name escaped (tfa_escape, truncated to TFA_USER_MAX
 * bytes of input), by value: `tfa_err_set(err, rc, "user %s ...",
 * tfa_user_esc(user).s)` - the text lives to the end of that statement. */
tfa_uesc tfa_user_esc(const char *name);

#endif
