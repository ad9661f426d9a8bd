/* SPDX-License-Identifier: BSD-2-Clause */
/* card_internal.h - shared by the token-card parsers only (card_import.c:
 * the result and its checks; card_pskc.c; card_csv.c). */
#ifndef TFA_CARD_INTERNAL_H
#define TFA_CARD_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include "card.h"

/* the cards parsed so far, their positions and the problems reported */
struct card_out {
	tfa_token *t;
	tfa_token_key *k;       /* k[i]: t[i]'s key */
	size_t *pos;            /* each token's position, for duplicate reports */
	size_t n, cap;
	size_t *slot;           /* serial hash: 0 empty, else token index + 1 */
	size_t bad;
	tfa_card_problem_fn fn;
	void *ctx;
	const char *unit;       /* "KeyPackage" or "line" */
};

/* tfa_card_start: set up @o and clear the caller's outputs (TFA_EINVAL for
 * a NULL one); tfa_card_finish: hand the cards (keys and positions) over,
 * or free them when @rc is not TFA_OK or there are none. */
tfa_rc tfa_card_start(struct card_out *o, const char *unit, tfa_card_problem_fn fn, void *ctx,
		      tfa_card_set *out, size_t *bad);
tfa_rc tfa_card_finish(struct card_out *o, tfa_rc rc, tfa_card_set *out, size_t *bad,
		       tfa_err *err);

/* tfa_card_report: count a bad entry at @pos and tell the caller's
 * callback, the reason formatted from @fmt (never a secret). */
void tfa_card_report(struct card_out *o, size_t pos, const char *serial, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* tfa_card_add: a good card at @pos (a duplicate serial is reported
 * instead); TFA_ENOMEM. */
tfa_rc tfa_card_add(struct card_out *o, size_t pos, const char *serial, tfa_token_type type,
		    otp_alg alg, unsigned digits, unsigned period, uint64_t counter,
		    const void *secret, size_t secret_len);

/* tfa_card_space: 1 for blank, tab, CR, LF */
int tfa_card_space(char c);

/* tfa_card_serial: [p, p+n) trimmed of white space into @out: -1 nothing
 * there, 0 not a valid serial, 1 valid */
int tfa_card_serial(const char *p, size_t n, char out[TFA_SERIAL_MAX + 1]);

#endif
