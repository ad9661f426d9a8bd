/* SPDX-License-Identifier: BSD-2-Clause */
/* card_pskc.c - PSKC token-card files (RFC 6030, through libpskc) into
 * unassigned token records (card.h). Pure: no store, no file I/O.
 *
 * libpskc 2.6 parses with xmlReadMemory(..., XML_PARSE_NONET): no entity
 * substitution, no DTD loading, no network. But it dereferences NULL on some
 * empty elements (<Manufacturer/>), takes elements by local name whatever
 * the root, and keeps an unknown element (EncryptedValue) only as a
 * document-wide PSKC_PARSE_ERROR. So prescan() reads the raw text first:
 * ASCII-compatible encoding, no DOCTYPE or other declaration, root
 * KeyContainer in the PSKC namespace, none of the elements libpskc reads as
 * text empty, at most one Secret per KeyPackage (libpskc leaks the first of
 * two); and it notes which KeyPackages hold an EncryptedValue.
 */
#include "config.h"

#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <pskc/pskc.h>

#include "card_internal.h"
#include "secret.h"

#define PSKC_NS "urn:ietf:params:xml:ns:keyprov:pskc"
#define PSKC_MAX_DOC (64u << 20)        /* xmlReadMemory takes an int */

/* ---- PSKC pre-scan ---- */

static int has_prefix(const char *p, const char *end, const char *s)
{
	size_t n = strlen(s);

	return (size_t)(end - p) >= n && memcmp(p, s, n) == 0;
}

/* just past the first @s in [p, end), or NULL */
static const char *past(const char *p, const char *end, const char *s)
{
	const char *q = memmem(p, (size_t)(end - p), s, strlen(s));

	return q == NULL ? NULL : q + strlen(s);
}

/* the '>' that ends the tag whose text starts at @p, or NULL */
static const char *tag_end(const char *p, const char *end)
{
	for (; p < end; p++) {
		if (*p == '"' || *p == '\'') {
			p = memchr(p + 1, *p, (size_t)(end - p - 1));
			if (p == NULL)
				return NULL;
		} else if (*p == '>') {
			return p;
		}
	}
	return NULL;
}

/* the value (*@vlen bytes) of attribute @want in the tag text [p, end) */
static const char *tag_attr(const char *p, const char *end, const char *want, size_t *vlen)
{
	const char *name, *v;
	size_t nl;

	while (p < end) {
		while (p < end && (tfa_card_space(*p) || *p == '/' || *p == '?'))
			p++;
		for (name = p; p < end && *p != '=' && !tfa_card_space(*p); p++)
			;
		nl = (size_t)(p - name);
		while (p < end && tfa_card_space(*p))
			p++;
		if (p >= end || *p++ != '=')
			return NULL;
		while (p < end && tfa_card_space(*p))
			p++;
		if (p >= end || (*p != '"' && *p != '\''))
			return NULL;
		v = p + 1;
		p = memchr(v, *p, (size_t)(end - v));
		if (p == NULL)
			return NULL;
		if (nl == strlen(want) && memcmp(name, want, nl) == 0) {
			*vlen = (size_t)(p - v);
			return v;
		}
		p++;
	}
	return NULL;
}

/* the part after the last ':' (libxml2's local name, or a longer one) */
static int local_is(const char *name, size_t n, const char *want)
{
	const char *c = memrchr(name, ':', n);

	if (c != NULL) {
		n -= (size_t)(c + 1 - name);
		name = c + 1;
	}
	return n == strlen(want) && memcmp(name, want, n) == 0;
}

/* elements libpskc 2.6.7 passes to strncmp/strptime/... without a NULL check */
static const char *const text_needed[] = {
	"Manufacturer", "StartDate", "ExpiryDate", "KeyUsage",
};

static tfa_rc prescan(const char *d, size_t len, unsigned char **enc, size_t *npkg,
		      tfa_err *err)
{
	const char *p = d, *end = d + len, *e, *v;
	size_t depth = 0, pkg = 0, nl, vl, i, max = len / 12 + 1;
	char xmlns[80];
	int root = 0, selfclose;

	if (len > PSKC_MAX_DOC)
		return tfa_err_set(err, TFA_EINVAL, "PSKC file too large");
	if (memchr(d, '\0', len) != NULL)
		return tfa_err_set(err, TFA_EINVAL, "not a UTF-8 XML document (NUL byte)");
	if (has_prefix(p, end, "\xef\xbb\xbf"))
		p += 3;
	if (has_prefix(p, end, "<?xml") && p + 5 < end && tfa_card_space(p[5])) {
		e = past(p, end, "?>");
		if (e == NULL)
			goto notxml;
		if (memmem(p, (size_t)(e - p), "encoding", 8) != NULL &&
		    ((v = tag_attr(p + 5, e - 2, "encoding", &vl)) == NULL ||
		     !((vl == 5 && strncasecmp(v, "UTF-8", 5) == 0) ||
		       (vl == 8 && strncasecmp(v, "US-ASCII", 8) == 0) ||
		       (vl == 10 && strncasecmp(v, "ISO-8859-1", 10) == 0))))
			return tfa_err_set(err, TFA_EINVAL, "unsupported character encoding"
					   " (use UTF-8)");
		p = e;
	}
	*enc = calloc(max, 1);
	if (*enc == NULL)
		return tfa_err_set(err, TFA_ENOMEM, "out of memory");
	while (p != NULL && p < end) {
		if (*p != '<') {
			if (depth == 0 && !tfa_card_space(*p))
				goto notxml;
			p = depth == 0 ? p + 1 : memchr(p, '<', (size_t)(end - p));
			continue;
		}
		/* an XML declaration (an encoding) anywhere else: not well-formed */
		if (has_prefix(p, end, "<?xml") && p + 5 < end && tfa_card_space(p[5]))
			goto notxml;
		if (has_prefix(p, end, "<!--") || has_prefix(p, end, "<![CDATA[") ||
		    has_prefix(p, end, "<?")) {
			p = p[1] == '?' ? past(p + 2, end, "?>") : p[2] == '-' ?
				past(p + 4, end, "-->") : past(p + 9, end, "]]>");
			if (p == NULL)
				goto notxml;
			continue;
		}
		if (has_prefix(p, end, "<!"))
			return tfa_err_set(err, TFA_EINVAL, "DOCTYPE and entity declarations are"
					   " not allowed in a PSKC file");
		e = tag_end(p + 1, end);
		if (e == NULL)
			goto notxml;
		if (p[1] == '/') {
			if (depth > 0)
				depth--;
			if (depth <= 1)
				pkg = 0;
			p = e + 1;
			continue;
		}
		for (nl = 0; p + 1 + nl < e && !tfa_card_space(p[1 + nl]) && p[1 + nl] != '/'; nl++)
			;
		selfclose = e[-1] == '/';
		if (depth == 0) {
			if (root || !local_is(p + 1, nl, "KeyContainer"))
				goto notpskc;
			/* the root's namespace must be declared on the root */
			v = memrchr(p + 1, ':', nl);
			if (v != NULL && v - p > 64)
				goto notpskc;
			(void)snprintf(xmlns, sizeof(xmlns), "xmlns%s%.*s", v != NULL ? ":" : "",
				       v != NULL ? (int)(v - p - 1) : 0, p + 1);
			v = tag_attr(p + 1 + nl, e, xmlns, &vl);
			if (v == NULL || vl != strlen(PSKC_NS) || memcmp(v, PSKC_NS, vl) != 0)
				goto notpskc;
			root = 1;
		} else if (depth == 1) {
			pkg = 0;
			if (local_is(p + 1, nl, "KeyPackage")) {
				if (*npkg >= max)
					goto notxml;
				pkg = ++*npkg;
			}
		} else if (pkg != 0 && local_is(p + 1, nl, "EncryptedValue")) {
			(*enc)[pkg - 1] |= 1;
		} else if (pkg != 0 && local_is(p + 1, nl, "Secret")) {
			/* libpskc leaks the first of two */
			if ((*enc)[pkg - 1] & 2)
				return tfa_err_set(err, TFA_EINVAL, "more than one <Secret> in"
						   " KeyPackage %zu", pkg);
			(*enc)[pkg - 1] |= 2;
		}
		for (i = 0; i < sizeof(text_needed) / sizeof(text_needed[0]); i++)
			if (local_is(p + 1, nl, text_needed[i]) &&
			    (selfclose || e + 1 >= end || e[1] == '<'))
				return tfa_err_set(err, TFA_EINVAL, "empty <%s> element (KeyPackage"
						   " %zu)", text_needed[i], pkg);
		if (!selfclose)
			depth++;
		p = e + 1;
	}
	if (root)
		return TFA_OK;
notxml:
	return tfa_err_set(err, TFA_EINVAL, "not a well-formed XML document");
notpskc:
	return tfa_err_set(err, TFA_EINVAL, "not a PSKC document (the root element is not"
			   " KeyContainer in namespace " PSKC_NS ")");
}

/* ---- PSKC ---- */

/* libxml2 prints a parse error with the offending input line - which may
 * hold a secret - on stderr. We do not link libxml2 itself (libpskc does),
 * so find xmlSetGenericErrorFunc at run time; @quiet 0 restores the
 * default. */
typedef void (*xml_err_fn)(void *ctx, const char *msg, ...);
typedef void (*xml_set_err_fn)(void *ctx, xml_err_fn fn);

static void xml_quiet(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

static void xml_errors(int quiet)
{
	void *sym = dlsym(RTLD_DEFAULT, "xmlSetGenericErrorFunc");
	xml_set_err_fn set;

	if (sym == NULL)
		return;
	memcpy(&set, &sym, sizeof(set));
	set(NULL, quiet ? xml_quiet : NULL);
}

/* "HMAC-SHA256", "SHA-256", ... (any case, spaces around) */
static int suite_alg(const char *s, otp_alg *alg)
{
	char buf[16];
	size_t i = 0;

	if (s == NULL) {
		*alg = OTP_SHA1;
		return 0;
	}
	while (tfa_card_space(*s))
		s++;
	if (strncasecmp(s, "HMAC-", 5) == 0)
		s += 5;
	for (; *s != '\0' && !tfa_card_space(*s) && i < sizeof(buf) - 1; s++)
		if (*s != '-')
			buf[i++] = *s;
	buf[i] = '\0';
	while (tfa_card_space(*s))
		s++;
	return *s == '\0' && otp_alg_parse(buf, alg) == TFA_OK ? 0 : -1;
}

/* check KeyPackage @pos (1-based) and add it, or say why not */
static tfa_rc pskc_key(struct card_out *o, pskc_key_t *k, size_t pos, int encrypted)
{
	char serial[TFA_SERIAL_MAX + 1], esc[80], why[160];
	const char *s = pskc_get_device_serialno(k), *alg = pskc_get_key_algorithm(k);
	const char *sec, *suite = pskc_get_key_algparm_suite(k);
	size_t slen = 0;
	int r, has_len, has_enc, has_cd, has_pin, has_ti, has_t;
	uint32_t digits = pskc_get_key_algparm_resp_length(k, &has_len), period, t0;
	uint64_t counter;
	otp_alg hash_alg = OTP_SHA1;
	pskc_valueformat vf = pskc_get_key_algparm_resp_encoding(k, &has_enc);
	tfa_token_type type = TFA_TOKEN_TOTP;

	r = tfa_card_serial(s != NULL ? s : "", s != NULL ? strlen(s) : 0, serial);
	if (r < 0 && (s = pskc_get_key_id(k)) != NULL)
		r = tfa_card_serial(s, strlen(s), serial);
	if (r <= 0) {
		tfa_card_report(o, pos, "", "%s", r < 0 ? "no serial (DeviceInfo/SerialNo or Key Id)" :
		       "invalid serial (want 1 to 64 characters of A-Z a-z 0-9 . _ : / -)");
		return TFA_OK;
	}
	sec = pskc_get_key_data_secret(k, &slen);
	s = pskc_get_key_data_b64secret(k);
	if (!has_len)
		digits = 6;
	counter = pskc_get_key_data_counter(k, &r);
	period = pskc_get_key_data_timeinterval(k, &has_ti);
	if (!has_ti)
		period = OTP_DEFAULT_PERIOD;
	t0 = pskc_get_key_data_time(k, &has_t);
	why[0] = '\0';
	if (alg != NULL && strcmp(alg, PSKC_NS ":hotp") == 0)
		type = TFA_TOKEN_HOTP;
	if (encrypted) {
		(void)snprintf(why, sizeof(why), "encrypted key (not supported; export with"
			       " plain values)");
	} else if (alg == NULL || (type == TFA_TOKEN_TOTP && strcmp(alg, PSKC_NS ":totp") != 0)) {
		tfa_escape(alg != NULL ? alg : "(none)", esc, sizeof(esc));
		(void)snprintf(why, sizeof(why), "unsupported algorithm %s (HOTP and TOTP only)",
			       esc);
	} else if (sec == NULL || slen == 0) {
		(void)snprintf(why, sizeof(why), "%s", s != NULL && s[0] != '\0' ?
			       "secret is not valid base64" : "no secret (Data/Secret/PlainValue)");
	} else if (slen > OTP_MAX_SECRET) {
		(void)snprintf(why, sizeof(why), "secret longer than %d bytes", OTP_MAX_SECRET);
	} else if (digits < OTP_MIN_DIGITS || digits > OTP_MAX_DIGITS) {
		(void)snprintf(why, sizeof(why), "ResponseFormat Length %u not supported"
			       " (6 to 8)", digits);
	} else if (has_enc && vf != PSKC_VALUEFORMAT_DECIMAL) {
		(void)snprintf(why, sizeof(why), "ResponseFormat Encoding %s not supported"
			       " (DECIMAL only)", vf == PSKC_VALUEFORMAT_UNKNOWN ? "(unknown)" :
			       pskc_valueformat2str(vf));
	} else if (pskc_get_key_algparm_resp_checkdigits(k, &has_cd) && has_cd) {
		(void)snprintf(why, sizeof(why), "ResponseFormat CheckDigits not supported");
	} else if (suite_alg(suite, &hash_alg) != 0) {
		tfa_escape(suite, esc, sizeof(esc));
		(void)snprintf(why, sizeof(why), "unsupported Suite %s (HMAC-SHA1, HMAC-SHA256"
			       " or HMAC-SHA512)", esc);
	} else if (pskc_get_key_policy_pinusagemode(k, &has_pin) != PSKC_PINUSAGEMODE_LOCAL &&
		   has_pin) {
		(void)snprintf(why, sizeof(why), "PINUsageMode other than Local not supported");
	} else if (type == TFA_TOKEN_HOTP && counter > (uint64_t)INT64_MAX) {
		(void)snprintf(why, sizeof(why), "counter out of range");
	} else if (type == TFA_TOKEN_TOTP && (period < 1 || period > 3600)) {
		(void)snprintf(why, sizeof(why), "TimeInterval %u not supported (1 to 3600)",
			       period);
	} else if (type == TFA_TOKEN_TOTP && has_t && t0 != 0) {
		(void)snprintf(why, sizeof(why), "Time (T0) other than 0 not supported");
	}
	if (why[0] != '\0' || sec == NULL) {
		tfa_card_report(o, pos, serial, "%s", why);
		return TFA_OK;
	}
	return tfa_card_add(o, pos, serial, type, hash_alg, digits,
		   type == TFA_TOKEN_TOTP ? period : 0, type == TFA_TOKEN_HOTP ? counter : 0,
		   sec, slen);
}

/* best effort: libpskc frees its decoded secrets without wiping them */
static void pskc_wipe(pskc_t *c)
{
	pskc_key_t *k;
	const char *s;
	size_t i, l = 0;

	for (i = 0; (k = pskc_get_keypackage(c, i)) != NULL; i++) {
		s = pskc_get_key_data_secret(k, &l);
		if (s != NULL)
			tfa_wipe((void *)(uintptr_t)s, l);
		s = pskc_get_key_data_b64secret(k);
		if (s != NULL)
			tfa_wipe((void *)(uintptr_t)s, strlen(s));
	}
}

TFA_API tfa_rc tfa_cards_parse_pskc(const char *data, size_t len, tfa_card_set *out,
				    size_t *bad, tfa_card_problem_fn fn, void *ctx, tfa_err *err)
{
	struct card_out o;
	unsigned char *enc = NULL;
	size_t npkg = 0, i;
	pskc_t *c = NULL;
	pskc_key_t *k;
	int prc, inited = 0;
	tfa_rc rc = tfa_card_start(&o, "KeyPackage", fn, ctx, out, bad);

	if (rc != TFA_OK || data == NULL)
		return tfa_err_set(err, TFA_EINVAL, "bad argument");
	rc = prescan(data, len, &enc, &npkg, err);
	if (rc != TFA_OK)
		goto out;
	/* reference counted: cheap when the caller holds its own */
	inited = 1;
	prc = pskc_global_init();
	if (prc != PSKC_OK) {
		rc = tfa_err_set(err, TFA_ECRYPTO, "cannot initialise libpskc: %s",
				 pskc_strerror(prc));
		goto out;
	}
	prc = pskc_init(&c);
	if (prc == PSKC_OK) {
		xml_errors(1);
		prc = pskc_parse_from_memory(c, len, data);
		xml_errors(0);
	}
	/* PSKC_PARSE_ERROR (an element libpskc does not know, such as
	 * EncryptedValue) and PSKC_BASE64_ERROR are checked key by key */
	if (prc == PSKC_MALLOC_ERROR) {
		rc = TFA_ENOMEM;
		goto out;
	}
	if (prc == PSKC_XML_ERROR) {
		rc = tfa_err_set(err, TFA_EINVAL, "not a well-formed XML document");
		goto out;
	}
	if (c == NULL || (prc != PSKC_OK && prc != PSKC_PARSE_ERROR && prc != PSKC_BASE64_ERROR)) {
		rc = tfa_err_set(err, TFA_EINVAL, "libpskc: %s", pskc_strerror(prc));
		goto out;
	}
	for (i = 0; pskc_get_keypackage(c, i) != NULL; i++)
		;
	if (i != npkg) {
		rc = tfa_err_set(err, TFA_EINVAL, "KeyPackage structure not understood");
		goto out;
	}
	for (i = 0; rc == TFA_OK && (k = pskc_get_keypackage(c, i)) != NULL; i++)
		rc = pskc_key(&o, k, i + 1, enc[i] & 1);
out:
	if (c != NULL) {
		pskc_wipe(c);
		pskc_done(c);
	}
	if (inited)
		pskc_global_done();
	free(enc);
	return tfa_card_finish(&o, rc, out, bad, err);
}
