/* SPDX-License-Identifier: BSD-2-Clause */
/* card.h - token-card files: PSKC (RFC 6030, through libpskc) and CSV.
 *
 * Parsing checks everything and stores nothing: the result is a card set,
 * tokens with user "" and state TFA_STATE_UNASSIGNED and their keys beside
 * them, ready for tfa_cards_add (admin.h), which writes them all or none. */
#ifndef TFA_CARD_H
#define TFA_CARD_H

#include <stddef.h>
#include "records.h"
#include "admin.h"   /* the tfa_card_set typedef, tfa_cards_add */

/* The good cards of a file: toks[i] the record, keys[i] its key (library
 * code only: a front end hands the set to tfa_cards_add and frees it with
 * tfa_card_set_free, never reading a key), pos[i] its position (for
 * reporting a later problem with it: a serial the store already holds). */
struct tfa_card_set {
	tfa_token *toks;
	tfa_token_key *keys;
	size_t *pos;
	size_t n;
};

/** tfa_card_set_free: wipe and free what @s holds and empty it (NULL is
 * fine; the struct itself is the caller's). */
void tfa_card_set_free(tfa_card_set *s);

/** Called once for each bad entry, in file order: @pos is its position
 * (PSKC: the KeyPackage number, 1-based; CSV: the line number, 1-based),
 * @serial the entry's serial if it has a valid one (else ""), @why the
 * reason. @why never holds a secret; for CSV it quotes nothing from the line
 * (a wrong column order could put a secret in any field). */
typedef void (*tfa_card_problem_fn)(size_t pos, const char *serial, const char *why,
				    void *ctx);

/** tfa_cards_parse_pskc: the key packages of the PSKC document @data
 * (@len bytes). Each must have a plain-value secret (a KeyPackage holding an
 * EncryptedValue is reported: "encrypted key (not supported; export with
 * plain values)") of 1..OTP_MAX_SECRET bytes, the HOTP or TOTP algorithm
 * (urn:ietf:params:xml:ns:keyprov:pskc:hotp / :totp; OCRA, PIN and others
 * are reported as unsupported), a serial (DeviceInfo/SerialNo, else the Key
 * Id; white space around it is dropped; rule of tfa_serial_valid), digits
 * 6..8 from ResponseFormat Length (default 6) with Encoding DECIMAL (or
 * none) and no CheckDigits, counter (HOTP, default 0) or TimeInterval (TOTP,
 * default 30, 1..3600; Time/T0 other than 0 is refused), no PINUsageMode
 * other than Local. The HMAC is SHA1 (what the PSKC HOTP/TOTP profiles
 * imply) unless AlgorithmParameters/Suite says HMAC-SHA256 or HMAC-SHA512
 * (another Suite is refused). TimeDrift, Policy dates and signatures are
 * ignored. Serials are unique within the file: a later KeyPackage with the
 * serial of an earlier good one is reported as a duplicate.
 *
 * Good entries go into @out (emptied first; free with tfa_card_set_free;
 * nothing allocated when out->n is 0); each bad one is reported through
 * @fn (may be NULL) and left out; *@bad gets how many. TFA_OK also when
 * *@bad > 0 (the caller decides). TFA_EINVAL, with the reason in @err and
 * nothing in @out, for a document that is not used at all: more than
 * 64 MiB; not ASCII-compatible (a NUL byte, an encoding declaration other
 * than UTF-8, US-ASCII or ISO-8859-1); any DOCTYPE or other <!...>
 * declaration (so no entities, no external DTD: no XXE whatever the parser
 * does); not well-formed; root element not KeyContainer in the PSKC
 * namespace; an empty Manufacturer, StartDate, ExpiryDate or KeyUsage
 * element (libpskc 2.6 crashes on those); two Secret elements in one
 * KeyPackage (libpskc leaks). TFA_ENOMEM, TFA_ECRYPTO (libpskc cannot
 * initialise) otherwise.
 *
 * libpskc is initialised and released around the call (pskc_global_init is
 * reference counted: a caller parsing many documents may hold its own
 * pskc_global_init for speed). Not thread-safe (neither is libpskc's
 * global state). libxml2's error printing on stderr, which quotes the
 * offending input line, is switched off during the parse. libpskc's
 * decoded secrets are wiped before it frees them; libxml2's copy of the text
 * and @data itself are not (the caller wipes @data). */
tfa_rc tfa_cards_parse_pskc(const char *data, size_t len, tfa_card_set *out, size_t *bad,
			    tfa_card_problem_fn fn, void *ctx, tfa_err *err);

/** tfa_cards_parse_csv: as tfa_cards_parse_pskc for CSV text, one card a
 * line: serial,secret-hex,type,digits[,counter|period] - type hotp or totp
 * (case-insensitive), digits 6..8, the fifth field (may be empty) the HOTP
 * start counter (default 0, at most INT64_MAX) or the TOTP period (default
 * 30, 1..3600); HMAC-SHA1. Blank lines and lines whose first non-blank
 * character is '#' are skipped; the first other line is a header, and
 * skipped, if its first field is "serial" (any case); a UTF-8 BOM, spaces
 * and tabs around fields and CRLF line ends are fine; no quoting. Secrets:
 * 1..OTP_MAX_SECRET bytes of hex. Serials: 1..TFA_SERIAL_MAX characters of
 * [A-Za-z0-9._:/-], unique within the file (a later line with the serial of
 * an earlier good one is a duplicate). TFA_EINVAL only for a NULL argument;
 * TFA_ENOMEM. */
tfa_rc tfa_cards_parse_csv(const char *data, size_t len, tfa_card_set *out, size_t *bad,
			   tfa_card_problem_fn fn, void *ctx, tfa_err *err);

/** tfa_serial_valid: 1 if @s is an acceptable serial: 1..TFA_SERIAL_MAX
 * characters of [A-Za-z0-9._:/-]; else 0 (also for NULL). */
int tfa_serial_valid(const char *s);

#endif
