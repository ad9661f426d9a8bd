/* SPDX-License-Identifier: BSD-2-Clause */
/* cmd_list.c - tfa-admin list and show USER (read-only).
 *
 * list: one line per user the store knows: name, whether 2FA is required
 * and by which rule, state (active: an active token; pending: only a token
 * waiting for confirmation; none), token types, serials, last use,
 * consecutive failures and lockout end.
 * show USER: the same for one user plus each token. It works for any valid
 * name (exit 0): a user the store does not know is shown with "no tokens"
 * and the rule that policy would apply.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

struct row {
	char user[4 * TFA_USER_MAX + 1];
	const char *required;
	char rule[128];
	const char *state;
	char types[32];
	char serials[128];
	char last[32];
	char fails[16];
	char locked[32];
};

#define NCOLS 9
static const char *const headers[NCOLS] = {
	"USER", "2FA", "STATE", "TYPE", "SERIAL", "LAST USE", "FAILURES", "LOCKED UNTIL", "RULE"
};

static const char *col(const struct row *r, int i)
{
	switch (i) {
	case 0: return r->user;
	case 1: return r->required;
	case 2: return r->state;
	case 3: return r->types;
	case 4: return r->serials;
	case 5: return r->last;
	case 6: return r->fails;
	case 7: return r->locked;
	default: return r->rule;
	}
}

static const char *state_word(const tfa_user_status *s)
{
	return s->active > 0 ? "active" : s->pending > 0 ? "pending" : "none";
}

static void rule_text(const tfa_user_status *s, char *buf, size_t len)
{
	if (s->lookup_failed)
		(void)snprintf(buf, len, "group lookup failed (logins fail closed)");
	else if (s->rule == TFA_RULE_GROUP)
		(void)snprintf(buf, len, "%s %s", tfa_rule_text(s->rule), s->group);
	else
		(void)snprintf(buf, len, "%s", tfa_rule_text(s->rule));
}

static int64_t last_use(const tfa_user_status *s, const tfa_token *toks, size_t n)
{
	int64_t t = s->user.last_login;
	size_t i;

	for (i = 0; i < n; i++)
		if (toks[i].last_used > t)
			t = toks[i].last_used;
	return t;
}

#define NTYPES 4   /* totp, hotp, sms, ocra: tfa_token_type values 0..3 */

/* Which token types @toks holds: has[type] = 1. */
static void types_of(const tfa_token *toks, size_t n, int has[NTYPES])
{
	size_t i;

	memset(has, 0, NTYPES * sizeof(has[0]));
	for (i = 0; i < n; i++)
		if ((unsigned)toks[i].type < NTYPES)
			has[toks[i].type] = 1;
}

/* Fill @r from the status and tokens of one user. */
static void make_row(const tfa_user_status *s, const tfa_token *toks, size_t n,
		     int64_t now, struct row *r)
{
	int has[NTYPES];
	size_t i, o = 0, t;

	memset(r, 0, sizeof(*r));
	(void)cli_esc(s->user.name, r->user, sizeof(r->user));
	r->required = s->lookup_failed ? "unknown" : s->required ? "yes" : "no";
	rule_text(s, r->rule, sizeof(r->rule));
	r->state = state_word(s);
	types_of(toks, n, has);
	for (t = 0; t < NTYPES; t++) {
		size_t len = strlen(r->types);

		if (has[t])
			(void)snprintf(r->types + len, sizeof(r->types) - len, "%s%s",
				       len > 0 ? "," : "", otp_type_name((tfa_token_type)t));
	}
	for (i = 0; i < n; i++) {
		char esc[4 * TFA_SERIAL_MAX + 1];
		int w;

		if (toks[i].serial[0] == '\0')
			continue;
		w = snprintf(r->serials + o, sizeof(r->serials) - o, "%s%s", o > 0 ? "," : "",
			     cli_esc(toks[i].serial, esc, sizeof(esc)));
		if (w < 0 || (size_t)w >= sizeof(r->serials) - o)
			break;
		o += (size_t)w;
	}
	if (r->types[0] == '\0')
		(void)snprintf(r->types, sizeof(r->types), "-");
	if (r->serials[0] == '\0')
		(void)snprintf(r->serials, sizeof(r->serials), "-");
	(void)cli_time(last_use(s, toks, n), r->last, sizeof(r->last));
	(void)snprintf(r->fails, sizeof(r->fails), "%u", s->user.failures);
	(void)cli_time(s->user.locked_until > now ? s->user.locked_until : 0, r->locked,
		       sizeof(r->locked));
}

static json_object *row_json(const tfa_user_status *s, const tfa_token *toks, size_t n,
			     int64_t now)
{
	json_object *o = json_object_new_object(), *types, *serials;
	char rule[128];
	int has[NTYPES];
	size_t i;

	if (o == NULL)
		return NULL;
	types = json_object_new_array();
	serials = json_object_new_array();
	for (i = 0; i < n; i++) {
		if (toks[i].serial[0] != '\0' && serials != NULL)
			(void)json_object_array_add(serials, json_object_new_string(toks[i].serial));
	}
	types_of(toks, n, has);
	for (i = 0; i < NTYPES && types != NULL; i++)
		if (has[i])
			(void)json_object_array_add(types, json_object_new_string(
				otp_type_name((tfa_token_type)i)));
	cli_jstr(o, "user", s->user.name);
	if (s->lookup_failed)
		(void)json_object_object_add(o, "required", NULL);
	else
		cli_jbool(o, "required", s->required);
	rule_text(s, rule, sizeof(rule));
	cli_jstr(o, "rule", rule);
	cli_jstr(o, "setting", s->user.required == TFA_REQ_ON ? "on" :
		 s->user.required == TFA_REQ_OFF ? "off" : "default");
	cli_jstr(o, "state", state_word(s));
	cli_jint(o, "active", s->active);
	cli_jint(o, "pending", s->pending);
	cli_jint(o, "recovery_codes", s->recovery);
	(void)json_object_object_add(o, "types", types);
	(void)json_object_object_add(o, "serials", serials);
	cli_jtime(o, "last_use", last_use(s, toks, n));
	cli_jint(o, "failures", s->user.failures);
	cli_jtime(o, "locked_until", s->user.locked_until > now ? s->user.locked_until : 0);
	cli_jbool(o, "must_enroll", s->user.must_enroll);
	return o;
}

/* Status and tokens (without secrets) of @user. A failed user or group
 * lookup is not an error here: its message goes to @lookup ("" if none)
 * and s->lookup_failed is set. */
static int load_user(struct cli *g, tfa_ctx *ctx, const char *user, int64_t now,
		     tfa_user_status *s, tfa_token **toks, size_t *n, char *lookup,
		     size_t lookuplen)
{
	tfa_err err = { .msg = "" };
	tfa_rc rc;

	*toks = NULL;
	*n = 0;
	memset(s, 0, sizeof(*s));
	rc = tfa_status(ctx, user, now, s, &err);
	if (rc == TFA_ELOOKUP) {
		/* shown with "2FA: unknown"; the caller exits 4 */
		(void)snprintf(lookup, lookuplen, "%s", err.msg);
		err.msg[0] = '\0';
		rc = TFA_OK;
	}
	if (rc == TFA_OK)
		rc = tfa_user_tokens(ctx, user, toks, n, &err);
	if (rc != TFA_OK) {
		char esc[4 * TFA_USER_MAX + 1];

		return cli_fail(g, CLI_STORE, "%s: %s", cli_esc(user, esc, sizeof(esc)),
				tfa_err_text(&err, rc));
	}
	return CLI_OK;
}

/* ---- list ---- */

struct names {
	char **v;
	size_t n, cap;
	int oom;
};

static int collect(const tfa_user *u, void *arg)
{
	struct names *nm = arg;
	char **nv;

	if (nm->n == nm->cap) {
		size_t cap = nm->cap ? 2 * nm->cap : 16;

		nv = realloc(nm->v, cap * sizeof(*nv));
		if (nv == NULL)
			goto oom;
		nm->v = nv;
		nm->cap = cap;
	}
	nm->v[nm->n] = strdup(u->name);
	if (nm->v[nm->n] == NULL)
		goto oom;
	nm->n++;
	return 0;
oom:
	nm->oom = 1;
	return 1;
}

static void print_cell(const char *s, size_t width, int last)
{
	if (last)
		(void)printf("%s\n", s);
	else
		(void)printf("%-*s  ", (int)width, s);
}

static void print_table(const struct row *rows, size_t n)
{
	size_t w[NCOLS], i, len;
	int c;

	for (c = 0; c < NCOLS; c++) {
		w[c] = strlen(headers[c]);
		for (i = 0; i < n; i++) {
			len = strlen(col(&rows[i], c));
			if (len > w[c])
				w[c] = len;
		}
	}
	for (c = 0; c < NCOLS; c++)
		print_cell(headers[c], w[c], c + 1 == NCOLS);
	for (i = 0; i < n; i++)
		for (c = 0; c < NCOLS; c++)
			print_cell(col(&rows[i], c), w[c], c + 1 == NCOLS);
}

int cmd_list(struct cli *g, int argc, char **argv)
{
	struct names nm = { NULL, 0, 0, 0 };
	tfa_err err = { .msg = "" };
	char lookup[TFA_ERRMSG_MAX], failed_lookup[TFA_ERRMSG_MAX] = "";
	struct row *rows = NULL;
	json_object *o = NULL, *arr = NULL;
	tfa_ctx *ctx = NULL;
	tfa_user_status s;
	tfa_token *toks = NULL;
	size_t i, n = 0;
	int64_t now = (int64_t)time(NULL);
	static const struct cli_cmd cmd = { "list", NULL, 0, 0, 0 };
	struct cli_pos pos;
	int rc;
	tfa_rc lrc;

	rc = cli_parse(g, &cmd, argc, argv, NULL, &pos);
	if (rc != CLI_OK)
		return rc < 0 ? CLI_OK : rc;
	rc = cli_open(g, TFA_OPEN_READONLY, &ctx);
	if (rc != CLI_OK)
		goto out;
	lrc = tfa_users_each(ctx, collect, &nm, &err);
	if (nm.oom) {
		rc = cli_fail(g, CLI_STORE, "out of memory");
		goto out;
	}
	if (lrc != TFA_OK) {
		rc = cli_fail(g, CLI_STORE, "%s", tfa_err_text(&err, lrc));
		goto out;
	}
	if (g->json) {
		o = json_object_new_object();
		arr = json_object_new_array();
		if (o == NULL || arr == NULL) {
			rc = cli_fail(g, CLI_STORE, "out of memory");
			goto out;
		}
	} else if (nm.n > 0 && (rows = calloc(nm.n, sizeof(*rows))) == NULL) {
		rc = cli_fail(g, CLI_STORE, "out of memory");
		goto out;
	}
	for (i = 0; i < nm.n; i++) {
		rc = load_user(g, ctx, nm.v[i], now, &s, &toks, &n, lookup, sizeof(lookup));
		if (rc != CLI_OK)
			goto out;
		if (s.lookup_failed && failed_lookup[0] == '\0')
			(void)snprintf(failed_lookup, sizeof(failed_lookup), "%s", lookup);
		if (g->json)
			(void)json_object_array_add(arr, row_json(&s, toks, n, now));
		else
			make_row(&s, toks, n, now, &rows[i]);
		tfa_tokens_free(toks, n);
		toks = NULL;
	}
	if (g->json) {
		(void)json_object_object_add(o, "users", arr);
		arr = NULL;
		if (failed_lookup[0] != '\0')
			cli_jstr(o, "error", failed_lookup);
		rc = cli_json_emit(g, o);
		o = NULL;
	} else if (nm.n == 0) {
		(void)printf("no users in the store\n");
	} else {
		print_table(rows, nm.n);
	}
	if (rc == CLI_OK && failed_lookup[0] != '\0')
		rc = cli_fail(g, CLI_STORE, "%s; 2FA requirement unknown for some users", failed_lookup);
out:
	tfa_tokens_free(toks, n);
	json_object_put(arr);
	json_object_put(o);
	for (i = 0; i < nm.n; i++)
		free(nm.v[i]);
	free(nm.v);
	free(rows);
	tfa_ctx_close(ctx);
	return rc;
}

/* ---- show ---- */

static json_object *token_json(const tfa_token *t)
{
	json_object *o = json_object_new_object();

	if (o == NULL)
		return NULL;
	cli_jint(o, "id", t->id);
	cli_jstr(o, "type", otp_type_name(t->type));
	cli_jstr(o, "state", t->state == TFA_STATE_ACTIVE ? "active" : "pending");
	cli_jstr(o, "algorithm", otp_alg_name(t->alg));
	cli_jint(o, "digits", t->digits);
	if (t->type == TFA_TOKEN_TOTP) {
		cli_jint(o, "period", t->period);
		cli_jint(o, "drift", t->drift);
	} else if (t->type == TFA_TOKEN_SMS) {
		cli_jstr(o, "phone", t->phone);
	} else {
		(void)json_object_object_add(o, "counter", json_object_new_uint64(t->counter));
	}
	if (t->type == TFA_TOKEN_OCRA)
		cli_jstr(o, "suite", t->suite);
	if (t->serial[0] != '\0')
		cli_jstr(o, "serial", t->serial);
	else
		(void)json_object_object_add(o, "serial", NULL);
	cli_jtime(o, "created", t->created);
	cli_jtime(o, "last_used", t->last_used);
	return o;
}

static void print_tokens(const tfa_token *toks, size_t n)
{
	char c[32], l[32], esc[4 * TFA_SERIAL_MAX + 1], pc[40];
	size_t i;

	if (n == 0) {
		(void)printf("tokens:       no tokens\n");
		return;
	}
	(void)printf("tokens:\n  %-4s %-5s %-8s %-7s %-6s %-18s %-12s %-21s %s\n", "ID", "TYPE",
		     "STATE", "ALG", "DIGITS", "PERIOD/COUNTER", "SERIAL", "CREATED", "LAST USED");
	for (i = 0; i < n; i++) {
		const tfa_token *t = &toks[i];

		if (t->type == TFA_TOKEN_TOTP)
			(void)snprintf(pc, sizeof(pc), "period %u s", t->period);
		else if (t->type == TFA_TOKEN_SMS)
			(void)snprintf(pc, sizeof(pc), "phone ...%s",
				       strlen(t->phone) > 4 ? t->phone + strlen(t->phone) - 4 :
				       t->phone);
		else if (t->type == TFA_TOKEN_OCRA)
			(void)snprintf(pc, sizeof(pc), "%.39s", t->suite);
		else
			(void)snprintf(pc, sizeof(pc), "counter %llu",
				       (unsigned long long)t->counter);
		(void)printf("  %-4lld %-5s %-8s %-7s %-6u %-18s %-12s %-21s %s\n",
			     (long long)t->id, otp_type_name(t->type),
			     t->state == TFA_STATE_ACTIVE ? "active" : "pending",
			     t->type == TFA_TOKEN_SMS ? "-" : otp_alg_name(t->alg), t->digits, pc,
			     t->serial[0] != '\0' ? cli_esc(t->serial, esc, sizeof(esc)) : "-",
			     cli_time(t->created, c, sizeof(c)), cli_time(t->last_used, l, sizeof(l)));
	}
}

int cmd_show(struct cli *g, int argc, char **argv)
{
	tfa_ctx *ctx = NULL;
	tfa_user_status s;
	tfa_token *toks = NULL;
	json_object *o, *arr;
	struct row r;
	char t1[32], user[TFA_USER_MAX + 1], lookup[TFA_ERRMSG_MAX] = "";
	size_t i, n = 0;
	int64_t now = (int64_t)time(NULL);
	static const struct cli_cmd cmd = { "show USER", NULL, 1, 1, 0 };
	struct cli_pos pos;
	int rc, sysknown = 0;

	rc = cli_parse(g, &cmd, argc, argv, NULL, &pos);
	if (rc != CLI_OK)
		return rc < 0 ? CLI_OK : rc;
	rc = cli_resolve(g, pos.v[0], 0, 0, user, &sysknown);
	if (rc != CLI_OK)
		return rc;
	rc = cli_open(g, TFA_OPEN_READONLY, &ctx);
	if (rc != CLI_OK)
		goto out;
	rc = load_user(g, ctx, user, now, &s, &toks, &n, lookup, sizeof(lookup));
	if (rc != CLI_OK)
		goto out;
	if (g->json) {
		o = row_json(&s, toks, n, now);
		arr = json_object_new_array();
		if (o == NULL || arr == NULL) {
			json_object_put(o);
			json_object_put(arr);
			rc = cli_fail(g, CLI_STORE, "out of memory");
			goto out;
		}
		cli_jbool(o, "known", s.known);
		cli_jbool(o, "system_user", sysknown);
		cli_jint(o, "lockouts", s.user.lockouts);
		cli_jtime(o, "last_login", s.user.last_login);
		cli_jbool(o, "enabled", tfa_ctx_policy(ctx)->enabled);
		for (i = 0; i < n; i++)
			(void)json_object_array_add(arr, token_json(&toks[i]));
		(void)json_object_object_add(o, "tokens", arr);
		if (s.lookup_failed)
			cli_jstr(o, "error", lookup);
		rc = cli_json_emit(g, o);
		goto failed;
	}
	make_row(&s, toks, n, now, &r);
	(void)printf("user:         %s%s%s\n", r.user, s.known ? "" : " (not in the store)",
		     sysknown ? "" : " (not known to the system: never enrolled at login)");
	(void)printf("2FA required: %s (%s)\n", r.required, r.rule);
	(void)printf("setting:      %s\n", s.user.required == TFA_REQ_ON ? "on (enable)" :
		     s.user.required == TFA_REQ_OFF ? "off (disable)" : "default (policy)");
	(void)printf("state:        %s\n", r.state);
	if (s.user.must_enroll)
		(void)printf("must enrol:   yes (reset; cleared by an enrolment, default or"
			     " disable)%s\n", s.must_enroll ? "" : " - not in effect:"
			     " two-factor is off for this user");
	(void)printf("failures:     %s\n", r.fails);
	(void)printf("locked until: %s\n", r.locked);
	(void)printf("lockouts:     %u\n", s.user.lockouts);
	(void)printf("last login:   %s\n", cli_time(s.user.last_login, t1, sizeof(t1)));
	(void)printf("recovery codes: %u left\n", s.recovery);
	print_tokens(toks, n);
failed:
	/* show says why the requirement is unknown, and exits 4 */
	if (rc == CLI_OK && s.lookup_failed)
		rc = cli_fail(g, CLI_STORE, "%s: %s; a login of this user fails closed",
			      cli_esc(user, r.user, sizeof(r.user)), lookup);
out:
	tfa_tokens_free(toks, n);
	tfa_ctx_close(ctx);
	return rc;
}
