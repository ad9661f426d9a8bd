/* SPDX-License-Identifier: BSD-2-Clause */
/* challenge.h - the step before the code prompt: a code sent to the phone
 * (type sms), or an OCRA question (type ocra) when the phone cannot be
 * reached or the user has only a challenge-response token.
 *
 * The state lives in the store (one pending challenge per user), so a PAM
 * conversation and a RADIUS Access-Challenge drive the same two calls:
 * tfa_challenge_begin, then tfa_verify (auth.h) with what the user typed.
 *
 * Order, for a login of a user with active tokens:
 *   1. an active sms token: a random code (sms_digits, from OpenSSL's RNG)
 *      is stored as a keyed hash with an expiry (sms_ttl) and handed to
 *      sms_command; on success the user is asked for it;
 *   2. the delivery failed (or sms_command is not set), or there is no sms
 *      token, and the user has an active ocra token: a random question of
 *      the suite's format is stored (valid sms_ttl) and shown;
 *   3. otherwise no challenge: the code prompt as usual.
 * Codes from time/event tokens (apps, cards) and recovery codes are accepted
 * at the same prompt in every case.
 */
#ifndef TFA_CHALLENGE_H
#define TFA_CHALLENGE_H

#include "auth.h"

typedef struct {
	tfa_challenge_kind kind;                /* TFA_CH_NONE: just a prompt */
	char question[TFA_CHALLENGE_MAX + 1];   /* ocra: show this */
	char phone_hint[8];                     /* sms: last digits of the number */
	unsigned digits;                        /* length of the expected answer */
	int64_t expires;
	int delivery_failed;                    /* an sms delivery failed */
	char delivery_error[TFA_ERRMSG_MAX];    /* why (names the command; no code) */
	int rate_limited;                       /* sms_rate reached: nothing sent */
	int64_t retry_after;                    /* then: seconds until one may be sent */
} tfa_challenge;

/** tfa_challenge_begin: start the challenge step for a login of @user at
 * @now, in the order above; the result in *@ch. A failed delivery is not an
 * error of this call: it is audited ("sms_failed" with the command's exit
 * status), reported in ch->delivery_failed/delivery_error, and the OCRA
 * fallback follows. Deliveries are limited per user by sms_rate (COUNT in
 * any SECONDS; every run of sms_command counts, answered or not): at the
 * limit nothing is generated or sent, the attempt is audited
 * "sms_rate_limited", ch->rate_limited and ch->retry_after say so, the OCRA
 * fallback follows as for a failed delivery, and no failure is counted
 * towards the lockout. The user's lockout is not checked here (tfa_verify
 * does, without looking at the code); a locked user gets TFA_CH_NONE and no
 * message is sent. Returns TFA_OK or a store/crypto error. */
tfa_rc tfa_challenge_begin(tfa_ctx *c, const char *user, int64_t now, tfa_challenge *ch,
			   tfa_err *err);

/* What a front end may change about the challenge step (all optional). */
typedef struct {
	const char *phone;        /* send the sms code to this number instead of the
				   * sms token's (e.g. the directory's, which a
				   * RADIUS module copied into an attribute); NULL or
				   * "": the token's. The user still needs an active
				   * sms token: it decides that a code is sent */
	unsigned sms_timeout_ms;  /* kill sms_command after this long (0: the
				   * library's TFA_DELIVERY_TIMEOUT_MS, 10 s) */
} tfa_challenge_opts;

/** tfa_challenge_begin_opts: tfa_challenge_begin with @o (NULL: none).
 * With o->phone set, the code goes to that number; a number that fails
 * tfa_phone_valid is not used (nor the token's: the caller's source is
 * the truth): nothing is sent, "sms_failed" is audited, ch->delivery_failed
 * says "the phone number ... is malformed", and the OCRA fallback follows.
 * The phone hint is the last digits of the number used. With
 * o->sms_timeout_ms, a delivery that takes longer is killed and counts as
 * failed (ch->delivery_error says after how long). */
tfa_rc tfa_challenge_begin_opts(tfa_ctx *c, const char *user, int64_t now,
				const tfa_challenge_opts *o, tfa_challenge *ch, tfa_err *err);

/** tfa_challenge_confirm_ocra: a question for confirming @user's pending
 * ocra token @token_id (enrolment), stored like a login challenge. */
tfa_rc tfa_challenge_confirm_ocra(tfa_ctx *c, const char *user, const tfa_token *tok,
				  int64_t now, tfa_challenge *ch, tfa_err *err);

/** tfa_challenge_confirm_pending: if @user has a pending ocra token (an
 * admin issued it; it is confirmed by answering questions, at login or
 * with tfa-admin challenge), a new question for it in *@ch, stored like a
 * login challenge. TFA_ENOENT when there is no such token. */
tfa_rc tfa_challenge_confirm_pending(tfa_ctx *c, const char *user, int64_t now,
				     tfa_challenge *ch, tfa_err *err);

/** tfa_challenge_check: inside tfa_verify's transaction - does @code answer
 * the pending challenge @chal for one of @toks (@keys[i] the key of
 * @toks[i]) in @want state? 1 yes (the
 * challenge is marked consumed, an HOTP-counter suite's counter advanced,
 * *@token_id set), 0 no (an expired challenge is marked consumed), -1 on a
 * crypto error (*@rc). */
int tfa_challenge_check(const tfa_ctx *c, tfa_challenge_rec *chal, tfa_token *toks,
			const tfa_token_key *keys, size_t n, tfa_token_state want, const char *code,
			int64_t now, int64_t *token_id, tfa_rc *rc);

#endif
