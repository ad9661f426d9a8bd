/* card_import.c - token-card files: PSKC (RFC 6030, through libpskc) and CSV
 * into unassigned token records (card.h). Pure: no store, no file I/O.
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

#include "card.h"
#include "secret.h"

#define PSKC_NS "urn:ietf:params:xml:ns:keyprov:pskc"
#define PSKC_MAX_DOC (64u << 20)        /* xmlReadMemory takes an int */
#define CSV_FIELDS 5

/* ---- the result, shared by both formats ---- */

struct out {
	tfa_token *t;
	size_t *pos;            /* each token's position, for duplicate reports */
	size_t n, cap;
	size_t *slot;           /* serial hash: 0 empty, else token index + 1 */
	size_t bad;
	tfa_card_problem_fn fn;
	void *ctx;
	const char *unit;       /* "KeyPackage" or "line" */
};

__attribute__((format(printf, 4, 5)))
static void report(struct out *o, size_t pos, const char *serial, const char *fmt, ...)
{
	char why[256];
	va_list ap;

	o->bad++;
	if (o->fn == NULL)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	o->fn(pos, serial != NULL ? serial : "", why, o->ctx);
}

static size_t hash(const char *s)
{
	size_t h = 2166136261u;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* the slot holding @serial, or the empty slot where it would go */
static size_t *find_slot(const struct out *o, const char *serial)
{
	size_t mask = o->cap * 2 - 1, i = hash(serial) & mask;

	while (o->slot[i] != 0 && strcmp(o->t[o->slot[i] - 1].serial, serial) != 0)
		i = (i + 1) & mask;
	return &o->slot[i];
}

/* room for one more token (arrays doubled, the old copy wiped) */
static tfa_rc grow(struct out *o)
{
	size_t cap = o->cap != 0 ? o->cap * 2 : 16, i;
	tfa_token *t;
	size_t *pos, *slot;

	if (o->n < o->cap)
		return TFA_OK;
	t = malloc(cap * sizeof(*t));
	pos = realloc(o->pos, cap * sizeof(*pos));
	if (pos != NULL)
		o->pos = pos;
	slot = calloc(cap * 2, sizeof(*slot));
	if (t == NULL || pos == NULL || slot == NULL) {
		free(t);
		free(slot);
		return TFA_ENOMEM;
	}
	if (o->n > 0)
		memcpy(t, o->t, o->n * sizeof(*t));
	tfa_tokens_free(o->t, o->n);
	free(o->slot);
	o->t = t;
	o->slot = slot;
	o->cap = cap;
	for (i = 0; i < o->n; i++)
		*find_slot(o, t[i].serial) = i + 1;
	return TFA_OK;
}

/* add a good card, unless its serial came earlier (then it is reported) */
static tfa_rc add(struct out *o, size_t pos, const char *serial, tfa_token_type type,
		  otp_alg alg, unsigned digits, unsigned period, uint64_t counter,
		  const void *secret, size_t secret_len)
{
	tfa_token *t;
	size_t *s;

	if (o->cap != 0) {
		s = find_slot(o, serial);
		if (*s != 0) {
			report(o, pos, serial, "duplicate serial (first at %s %zu)", o->unit,
			       o->pos[*s - 1]);
			return TFA_OK;
		}
	}
	if (grow(o) != TFA_OK)
		return TFA_ENOMEM;
	t = &o->t[o->n];
	memset(t, 0, sizeof(*t));
	t->type = type;
	t->state = TFA_STATE_UNASSIGNED;
	t->alg = alg;
	t->digits = digits;
	t->period = period;
	t->counter = counter;
	t->last_step = -1;
	(void)snprintf(t->serial, sizeof(t->serial), "%s", serial);
	memcpy(t->secret, secret, secret_len);
	t->secret_len = secret_len;
	o->pos[o->n] = pos;
	*find_slot(o, serial) = ++o->n;
	return TFA_OK;
}

static tfa_rc finish(struct out *o, tfa_rc rc, tfa_token **toks, size_t *n, size_t **pos,
		     size_t *bad, tfa_err *err)
{
	free(o->slot);
	*bad = o->bad;
	if (rc == TFA_ENOMEM)
		(void)tfa_err_set(err, rc, "out of memory");
	if (rc != TFA_OK || o->n == 0) {
		tfa_tokens_free(o->t, o->n);
		free(o->pos);
		return rc;
	}
	*toks = o->t;
	*n = o->n;
	if (pos != NULL)
		*pos = o->pos;
	else
		free(o->pos);
	return TFA_OK;
}

static tfa_rc start(struct out *o, const char *unit, tfa_card_problem_fn fn, void *ctx,
		    tfa_token **toks, size_t *n, size_t *bad)
{
	memset(o, 0, sizeof(*o));
	o->fn = fn;
	o->ctx = ctx;
	o->unit = unit;
	if (toks == NULL || n == NULL || bad == NULL)
		return TFA_EINVAL;
	*toks = NULL;
	*n = 0;
	*bad = 0;
	return TFA_OK;
}

TFA_API int tfa_serial_valid(const char *s)
{
	size_t i;

	if (s == NULL || s[0] == '\0')
		return 0;
	for (i = 0; s[i] != '\0'; i++)
		if (i >= TFA_SERIAL_MAX ||
		    (strchr("._:/-", s[i]) == NULL &&
		     !(s[i] >= 'a' && s[i] <= 'z') && !(s[i] >= 'A' && s[i] <= 'Z') &&
		     !(s[i] >= '0' && s[i] <= '9')))
			return 0;
	return 1;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* [p, p+n) trimmed of white space into @out: -1 nothing there, 0 not a valid
 * serial, 1 valid */
static int get_serial(const char *p, size_t n, char out[TFA_SERIAL_MAX + 1])
{
	while (n > 0 && is_space(p[0])) {
		p++;
		n--;
	}
	while (n > 0 && is_space(p[n - 1]))
		n--;
	if (n == 0)
		return -1;
	if (n > TFA_SERIAL_MAX)
		return 0;
	memcpy(out, p, n);
	out[n] = '\0';
	return tfa_serial_valid(out);
}

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
		while (p < end && (is_space(*p) || *p == '/' || *p == '?'))
			p++;
		for (name = p; p < end && *p != '=' && !is_space(*p); p++)
			;
		nl = (size_t)(p - name);
		while (p < end && is_space(*p))
			p++;
		if (p >= end || *p++ != '=')
			return NULL;
		while (p < end && is_space(*p))
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
	if (has_prefix(p, end, "<?xml") && p + 5 < end && is_space(p[5])) {
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
			if (depth == 0 && !is_space(*p))
				goto notxml;
			p = depth == 0 ? p + 1 : memchr(p, '<', (size_t)(end - p));
			continue;
		}
		/* an XML declaration (an encoding) anywhere else: not well-formed */
		if (has_prefix(p, end, "<?xml") && p + 5 < end && is_space(p[5]))
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
		for (nl = 0; p + 1 + nl < e && !is_space(p[1 + nl]) && p[1 + nl] != '/'; nl++)
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
	while (is_space(*s))
		s++;
	if (strncasecmp(s, "HMAC-", 5) == 0)
		s += 5;
	for (; *s != '\0' && !is_space(*s) && i < sizeof(buf) - 1; s++)
		if (*s != '-')
			buf[i++] = *s;
	buf[i] = '\0';
	while (is_space(*s))
		s++;
	return *s == '\0' && otp_alg_parse(buf, alg) == TFA_OK ? 0 : -1;
}

/* check KeyPackage @pos (1-based) and add it, or say why not */
static tfa_rc pskc_key(struct out *o, pskc_key_t *k, size_t pos, int encrypted)
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

	r = get_serial(s != NULL ? s : "", s != NULL ? strlen(s) : 0, serial);
	if (r < 0 && (s = pskc_get_key_id(k)) != NULL)
		r = get_serial(s, strlen(s), serial);
	if (r <= 0) {
		report(o, pos, "", "%s", r < 0 ? "no serial (DeviceInfo/SerialNo or Key Id)" :
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
		report(o, pos, serial, "%s", why);
		return TFA_OK;
	}
	return add(o, pos, serial, type, hash_alg, digits,
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

TFA_API tfa_rc tfa_cards_parse_pskc(const char *data, size_t len, tfa_token **toks, size_t *n,
				    size_t **pos,
				    size_t *bad, tfa_card_problem_fn fn, void *ctx, tfa_err *err)
{
	struct out o;
	unsigned char *enc = NULL;
	size_t npkg = 0, i;
	pskc_t *c = NULL;
	pskc_key_t *k;
	int prc, inited = 0;
	tfa_rc rc = start(&o, "KeyPackage", fn, ctx, toks, n, bad);

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
	return finish(&o, rc, toks, n, pos, bad, err);
}

/* ---- CSV ---- */

struct field {
	const char *p;
	size_t n;
};

/* unsigned decimal of the whole field, at most @max */
static int field_dec(const struct field *f, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (f->n == 0 || f->n > 20)
		return -1;
	for (i = 0; i < f->n; i++) {
		if (f->p[i] < '0' || f->p[i] > '9' ||
		    v > (max - (uint64_t)(f->p[i] - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(f->p[i] - '0');
	}
	*out = v;
	return 0;
}

/* split [p, p+len) at commas into at most CSV_FIELDS trimmed fields; returns
 * the count (CSV_FIELDS + 1 if there are more) */
static size_t split(const char *p, size_t len, struct field *f)
{
	const char *end = p + len, *c;
	size_t nf = 0;

	for (;;) {
		c = memchr(p, ',', (size_t)(end - p));
		f[nf].p = p;
		f[nf].n = (size_t)((c != NULL ? c : end) - p);
		while (f[nf].n > 0 && (f[nf].p[0] == ' ' || f[nf].p[0] == '\t')) {
			f[nf].p++;
			f[nf].n--;
		}
		while (f[nf].n > 0 && (f[nf].p[f[nf].n - 1] == ' ' ||
				       f[nf].p[f[nf].n - 1] == '\t'))
			f[nf].n--;
		if (++nf > CSV_FIELDS || c == NULL)
			return c == NULL ? nf : nf + 1;
		p = c + 1;
	}
}

static int field_is(const struct field *f, const char *s)
{
	return f->n == strlen(s) && strncasecmp(f->p, s, f->n) == 0;
}

#define BAD_HEX "the secret is not 1 to 128 bytes of hex"

static tfa_rc csv_line(struct out *o, const char *line, size_t len, size_t lno)
{
	struct field f[CSV_FIELDS + 1];
	char serial[TFA_SERIAL_MAX + 1];
	uint8_t key[OTP_MAX_SECRET];
	size_t nf = split(line, len, f), i, klen = 0;
	uint64_t digits = 0, v = 0;
	tfa_token_type type = TFA_TOKEN_TOTP;
	const char *why = NULL;
	int hi, lo;
	tfa_rc rc = TFA_OK;

	if (nf < 4 || nf > CSV_FIELDS)
		why = nf < 4 ? "too few fields (want serial,secret,type,digits[,counter|period])" :
			"too many fields";
	else if (get_serial(f[0].p, f[0].n, serial) != 1 || f[0].n != strlen(serial))
		why = "invalid serial (want 1 to 64 characters of A-Z a-z 0-9 . _ : / -)";
	else if (f[1].n == 0 || f[1].n % 2 != 0 || f[1].n / 2 > OTP_MAX_SECRET)
		why = BAD_HEX;
	for (i = 0; why == NULL && i < f[1].n; i += 2) {
		hi = tfa_hexval(f[1].p[i]);
		lo = tfa_hexval(f[1].p[i + 1]);
		if (hi < 0 || lo < 0)
			why = BAD_HEX;
		else
			key[klen++] = (uint8_t)(hi << 4 | lo);
	}
	/* columns in another order could put a secret in the serial field: name
	 * the serial only once the secret field is hex */
	if (why != NULL) {
		tfa_wipe(key, sizeof(key));
		report(o, lno, "", "%s", why);
		return TFA_OK;
	}
	if (field_is(&f[2], "hotp"))
		type = TFA_TOKEN_HOTP;
	else if (!field_is(&f[2], "totp"))
		why = "unknown type (want hotp or totp)";
	if (why == NULL && (field_dec(&f[3], 99, &digits) != 0 || digits < OTP_MIN_DIGITS ||
			    digits > OTP_MAX_DIGITS))
		why = "digits must be 6, 7 or 8";
	if (type == TFA_TOKEN_TOTP)
		v = OTP_DEFAULT_PERIOD;
	if (why == NULL && nf == CSV_FIELDS && f[4].n > 0 && type == TFA_TOKEN_HOTP &&
	    field_dec(&f[4], (uint64_t)INT64_MAX, &v) != 0)
		why = "bad counter (want 0 to 9223372036854775807)";
	if (why == NULL && nf == CSV_FIELDS && f[4].n > 0 && type == TFA_TOKEN_TOTP &&
	    (field_dec(&f[4], 3600, &v) != 0 || v < 1))
		why = "bad period (want 1 to 3600 seconds)";
	if (why != NULL)
		report(o, lno, serial, "%s", why);
	else
		rc = add(o, lno, serial, type, OTP_SHA1, (unsigned)digits,
			 type == TFA_TOKEN_TOTP ? (unsigned)v : 0,
			 type == TFA_TOKEN_HOTP ? v : 0, key, klen);
	tfa_wipe(key, sizeof(key));
	return rc;
}

TFA_API tfa_rc tfa_cards_parse_csv(const char *data, size_t len, tfa_token **toks, size_t *n,
				   size_t **pos,
				   size_t *bad, tfa_card_problem_fn fn, void *ctx, tfa_err *err)
{
	struct out o;
	const char *p = data, *end, *nl;
	struct field f[CSV_FIELDS + 1];
	size_t lno, l;
	int first = 1;
	tfa_rc rc = start(&o, "line", fn, ctx, toks, n, bad);

	if (rc != TFA_OK || data == NULL)
		return tfa_err_set(err, TFA_EINVAL, "bad argument");
	end = data + len;
	if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	for (lno = 1; rc == TFA_OK && p < end; lno++) {
		nl = memchr(p, '\n', (size_t)(end - p));
		l = (size_t)((nl != NULL ? nl : end) - p);
		if (l > 0 && p[l - 1] == '\r')
			l--;
		/* skip blank lines, comments and a header (first field "serial") */
		split(p, l, f);
		if ((f[0].n > 0 && f[0].p[0] == '#') || (f[0].n == 0 && f[0].p + f[0].n == p + l)) {
			/* nothing */
		} else if (!first || !field_is(&f[0], "serial")) {
			rc = csv_line(&o, p, l, lno);
			first = 0;
		} else {
			first = 0;
		}
		p = nl != NULL ? nl + 1 : end;
	}
	return finish(&o, rc, toks, n, pos, bad, err);
}
