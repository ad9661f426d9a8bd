/* SPDX-License-Identifier: BSD-2-Clause */
/* rlm_twofactor.c - the second factor for RADIUS: a FreeRADIUS 3.2 module
 * over the library (frontend.h), as pam_twofactor.so is for PAM.
 *
 * Challenge mode (the site contrib/freeradius/sites-available/twofactor):
 *   round 1  authenticate, after the password module (pap, ldap, pam) said
 *            ok: what the login needs (the library's login step); a user who
 *            needs a code gets Access-Challenge with a State (tfa_state_make)
 *            and a Reply-Message (the code was sent to the phone, or the OCRA
 *            question, or "enter the code");
 *   round 2  authorize sees our State and sets Auth-Type to this module;
 *            authenticate checks the State (tfa_state_check: this user's,
 *            unexpired, unused) and the code in User-Password
 *            (tfa_verify_field), Accept or Reject.
 * One-shot mode: authorize checks the code at the end of User-Password
 * (tfa_verify_field with split, as pam_twofactor's forward_pass) and leaves
 * the password before it for the password module; with oneshot_password =
 * no, User-Password is the code alone and authenticate checks it.
 *
 * Every decision (policy, lockout, replay, challenge, State) is the
 * library's; this file maps its answers to RADIUS. RLM_TYPE_THREAD_SAFE:
 * each server thread keeps one library context (fr_thread_local_setup),
 * refreshed at each request (tfa_ctx_refresh: policy changes apply at once,
 * a restored store is reopened). Never a code or a secret in a log line.
 */
#include <freeradius/build.h>
#include <freeradius/radiusd.h>
#include <freeradius/modules.h>
#include <freeradius/threads.h>

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "frontend.h"

#define TFA_RLM_EXPORT __attribute__((visibility("default")))

#define MSG_UNAVAILABLE "Two-factor login is unavailable; contact the administrator."
/* a Reply-Message: the library's texts (each < 160) and a prompt */
#define MSG_MAX 512
#define MSG_NO_TOKEN "No authenticator is registered for your account any more. Contact your administrator."

typedef struct {
	char const *store;
	char const *keyfile;
	char const *keyfile_next;      /* "" or the next key file (a key roll-out) */
	char const *mode;
	char const *user_attribute;
	bool user_lookup;              /* canonical name from NSS (getpwnam) */
	bool oneshot_password;
	char const *phone_attribute;   /* "" or an attribute reference */
	uint32_t sms_timeout;          /* seconds: sms_command is killed after it */
	/* set at instantiate */
	int oneshot;
	char const *name;              /* the instance name: the Auth-Type value */
	char source[64];               /* "radius:NAME" in the audit trail */
} rlm_twofactor_t;

static const CONF_PARSER module_config[] = {
	{ "store", FR_CONF_OFFSET(PW_TYPE_STRING, rlm_twofactor_t, store),
	  "/var/lib/twofactor/tfa.db" },
	{ "keyfile", FR_CONF_OFFSET(PW_TYPE_STRING, rlm_twofactor_t, keyfile),
	  "/etc/twofactor/tfa.key" },
	{ "keyfile_next", FR_CONF_OFFSET(PW_TYPE_STRING, rlm_twofactor_t, keyfile_next), "" },
	{ "mode", FR_CONF_OFFSET(PW_TYPE_STRING, rlm_twofactor_t, mode), "challenge" },
	{ "user_attribute", FR_CONF_OFFSET(PW_TYPE_STRING, rlm_twofactor_t, user_attribute),
	  "&User-Name" },
	{ "user_lookup", FR_CONF_OFFSET(PW_TYPE_BOOLEAN, rlm_twofactor_t, user_lookup), "yes" },
	{ "oneshot_password", FR_CONF_OFFSET(PW_TYPE_BOOLEAN, rlm_twofactor_t, oneshot_password),
	  "yes" },
	{ "phone_attribute", FR_CONF_OFFSET(PW_TYPE_STRING, rlm_twofactor_t, phone_attribute), "" },
	{ "sms_timeout", FR_CONF_OFFSET(PW_TYPE_INTEGER, rlm_twofactor_t, sms_timeout), "5" },
	CONF_PARSER_TERMINATOR
};

/* ---- one library context per server thread ---- */

typedef struct {
	rlm_twofactor_t const *inst;   /* the instance the context was opened for */
	tfa_ctx *ctx;
} tfa_thread_t;

fr_thread_local_setup(tfa_thread_t *, tfa_thread)

static void thread_free(void *p)
{
	tfa_thread_t *t = p;

	if (t == NULL)
		return;
	tfa_ctx_close(t->ctx);
	free(t);
}

/* This thread's context for @inst, opened or refreshed; NULL on error
 * (logged, with the file and the reason). */
static tfa_ctx *thread_ctx(rlm_twofactor_t const *inst, REQUEST *request)
{
	tfa_thread_t *t = fr_thread_local_init(tfa_thread, thread_free);
	tfa_err err = { { 0 } };
	tfa_rc r;

	if (t == NULL) {
		t = calloc(1, sizeof(*t));
		if (t == NULL) {
			RERROR("out of memory");
			return NULL;
		}
		fr_thread_local_set(tfa_thread, t);
	}
	if (t->ctx != NULL && t->inst != inst) {
		tfa_ctx_close(t->ctx);
		t->ctx = NULL;
	}
	if (t->ctx != NULL) {
		r = tfa_ctx_refresh(t->ctx, &err);
		if (r == TFA_OK)
			return t->ctx;
		RWARN("store %s: %s; reopening", inst->store, tfa_err_text(&err, r));
		tfa_ctx_close(t->ctx);
		t->ctx = NULL;
	}
	/* a login connection: one fsync per accepted login (store_wal.c) */
	r = tfa_ctx_open_keys(inst->store, inst->keyfile, inst->keyfile_next, TFA_OPEN_LOGIN,
			      inst->source, &t->ctx, NULL, &err);
	if (r != TFA_OK) {
		t->ctx = NULL;
		RERROR("store unusable: %s", tfa_err_text(&err, r));
		return NULL;
	}
	t->inst = inst;
	return t->ctx;
}

/* ---- the request ---- */

typedef struct {
	rlm_twofactor_t const *inst;
	REQUEST *request;
	tfa_ctx *ctx;
	char user[TFA_USER_MAX + 1];   /* the canonical name */
	char esc[TFA_USER_MAX * 4 + 1]; /* escaped, for logs */
} rad_req;

static void say(REQUEST *request, char const *text)
{
	if (text != NULL && text[0] != '\0')
		(void)pair_make_reply("Reply-Message", text, T_OP_ADD);
}

/* The user of the store: the configured attribute (a canonical uid an
 * earlier module set, or User-Name), resolved through NSS as pam_twofactor
 * does. 0 on success, else the rcode to return. */
static int get_user(rad_req *q, rlm_rcode_t *rc)
{
	REQUEST *request = q->request;
	VALUE_PAIR *vp = NULL;
	tfa_err err = { { 0 } };
	char given[TFA_USER_MAX + 1];
	int known = 0;
	tfa_rc r;

	*rc = RLM_MODULE_REJECT;
	if (radius_get_vp(&vp, request, q->inst->user_attribute) < 0 || vp == NULL ||
	    vp->da->type != PW_TYPE_STRING) {
		REDEBUG("no user name: attribute %s is missing or not a string",
			q->inst->user_attribute);
		return -1;
	}
	if (vp->vp_length > TFA_USER_MAX || memchr(vp->vp_strvalue, '\0', vp->vp_length) != NULL) {
		REDEBUG("invalid user name in %s", q->inst->user_attribute);
		return -1;
	}
	memcpy(given, vp->vp_strvalue, vp->vp_length);
	given[vp->vp_length] = '\0';
	tfa_escape(given, q->esc, sizeof(q->esc));
	if (!tfa_user_valid(given)) {
		REDEBUG("user \"%s\": invalid user name", q->esc);
		return -1;
	}
	if (!q->inst->user_lookup) {
		/* the attribute holds the directory's canonical name
		 * (mod_instantiate refuses User-Name here) */
		memcpy(q->user, given, vp->vp_length + 1);
		return 0;
	}
	r = tfa_user_resolve(given, q->user, sizeof(q->user), &known, &err);
	if (r != TFA_OK) {
		RERROR("user \"%s\": %s", q->esc, tfa_err_text(&err, r));
		say(request, MSG_UNAVAILABLE);
		(void)tfa_ctx_audit(q->ctx, NULL, TFA_EV_LOGIN_FAIL,
				    "user lookup failed; not letting through");
		return -1;
	}
	tfa_escape(q->user, q->esc, sizeof(q->esc));
	return 0;
}

/* The code field: User-Password as a new NUL-terminated string (wipe with
 * tfa_free_secret), NULL when missing or holding a NUL byte. */
static char *get_field(REQUEST *request, VALUE_PAIR **out)
{
	VALUE_PAIR *vp = fr_pair_find_by_num(request->packet->vps, PW_USER_PASSWORD, 0, TAG_ANY);
	char *field;

	*out = vp;
	if (vp == NULL || vp->vp_length == 0 || memchr(vp->vp_strvalue, '\0', vp->vp_length) != NULL)
		return NULL;
	field = malloc(vp->vp_length + 1);
	if (field == NULL)
		return NULL;
	memcpy(field, vp->vp_strvalue, vp->vp_length);
	field[vp->vp_length] = '\0';
	return field;
}

/* The phone number from phone_attribute into @buf (the library checks it:
 * a value that is too long or holds a NUL byte is passed as a malformed
 * number, never cut to something that looks valid); NULL when no attribute
 * is configured or the request has none (the store's number is used). */
static char const *get_phone(rad_req *q, char *buf, size_t len)
{
	REQUEST *request = q->request;
	VALUE_PAIR *vp = NULL;

	if (q->inst->phone_attribute == NULL || q->inst->phone_attribute[0] == '\0' ||
	    radius_get_vp(&vp, request, q->inst->phone_attribute) < 0 || vp == NULL)
		return NULL;
	if (vp->da->type != PW_TYPE_STRING || vp->vp_length >= len ||
	    memchr(vp->vp_strvalue, '\0', vp->vp_length) != NULL) {
		RWARN("user \"%s\": %s is not a phone number", q->esc, q->inst->phone_attribute);
		(void)snprintf(buf, len, "malformed");
		return buf;
	}
	memcpy(buf, vp->vp_strvalue, vp->vp_length);
	buf[vp->vp_length] = '\0';
	RDEBUG("user \"%s\": the sms number from %s", q->esc, q->inst->phone_attribute);
	return buf;
}

/* ---- what the login needs: the one place that asks the library ---- */

typedef enum { STEP_SKIP, STEP_ASK, STEP_LOCKED, STEP_NO_TOKEN, STEP_ERROR } tfa_rstep;

/* The login step for q->user, as the library decides it (tfa_login_begin,
 * then with @challenge tfa_login_challenge: sms sent, OCRA question):
 * SKIP, LOCKED, NO_TOKEN (no enrolment over RADIUS), ERROR (logged), or ASK
 * with the text to show in @msg (the library's words and the prompt). */
static tfa_rstep login_step(rad_req *q, int challenge, char *msg, size_t msglen)
{
	REQUEST *request = q->request;
	tfa_login_step step;
	tfa_challenge_opts opts = { NULL, q->inst->sms_timeout * 1000u };
	tfa_err err = { { 0 } };
	int64_t now = (int64_t)time(NULL);
	char const *prompt;
	char phone[64];
	tfa_rc r;

	msg[0] = '\0';
	r = tfa_login_begin(q->ctx, q->user, now, &step, &err);
	if (r == TFA_OK && challenge && step.kind == TFA_STEP_CODE) {
		opts.phone = get_phone(q, phone, sizeof(phone));
		r = tfa_login_challenge_opts(q->ctx, q->user, now, &opts, &step, &err);
	}
	if (r != TFA_OK) {
		RERROR("user \"%s\": %s", q->esc, tfa_err_text(&err, r));
		return STEP_ERROR;
	}
	if (step.audit_failed)
		RWARN("user \"%s\": the audit row could not be written", q->esc);
	if (step.why[0] != '\0')
		RDEBUG("user \"%s\": %s", q->esc, step.why);
	switch (step.kind) {
	case TFA_STEP_SKIP:
		return STEP_SKIP;
	case TFA_STEP_LOCKED:
		say(request, step.error);
		return STEP_LOCKED;
	case TFA_STEP_ENROL:
		say(request, step.error);
		return STEP_NO_TOKEN;
	case TFA_STEP_SENT:
		prompt = "Enter it.";
		break;
	case TFA_STEP_QUESTION:
		(void)snprintf(msg, msglen, "%s%sChallenge %s: enter the response from your"
			       " authenticator app.", step.info, step.info[0] != '\0' ? " " : "",
			       step.ch.question);
		return STEP_ASK;
	default:
		prompt = "Enter the code from your app or card.";
		break;
	}
	if (step.ch.delivery_failed || step.ch.rate_limited)
		RWARN("user \"%s\": %s", q->esc, step.why);
	(void)snprintf(msg, msglen, "%s%s%s%s%s", step.error, step.error[0] != '\0' ? " " : "",
		       step.info, step.info[0] != '\0' ? " " : "", step.info[0] != '\0' &&
		       step.kind != TFA_STEP_SENT ? "" : prompt);
	return STEP_ASK;
}

/* Map a step that does not ask to an rcode (and say why). */
static rlm_rcode_t step_rcode(rad_req *q, tfa_rstep s)
{
	REQUEST *request = q->request;

	switch (s) {
	case STEP_SKIP:
		RDEBUG("user \"%s\": second factor not required", q->esc);
		return RLM_MODULE_NOOP;
	case STEP_LOCKED:
		RWARN("user \"%s\": locked out; not asked", q->esc);
		return RLM_MODULE_USERLOCK;
	case STEP_NO_TOKEN:
		RWARN("user \"%s\": required but no active token (no enrolment over RADIUS)", q->esc);
		(void)tfa_ctx_audit(q->ctx, q->user, TFA_EV_LOGIN_FAIL, "no token; RADIUS cannot"
				    " enrol");
		return RLM_MODULE_REJECT;
	default:
		say(request, MSG_UNAVAILABLE);
		return RLM_MODULE_FAIL;
	}
}

/* Check @field (with @split: password then code) and map the result. */
static rlm_rcode_t check_code(rad_req *q, char const *field, int split, size_t *cut)
{
	REQUEST *request = q->request;
	tfa_verify_result res;
	tfa_err err = { { 0 } };
	tfa_rc r;

	memset(&res, 0, sizeof(res));
	r = tfa_verify_field(q->ctx, q->user, field, split, (int64_t)time(NULL), &res, &err);
	*cut = res.code_offset;
	switch (r) {
	case TFA_OK:
		RINFO("user \"%s\": second factor accepted (%s)", q->esc,
		      res.recovery_used ? "recovery code" : "token");
		return RLM_MODULE_OK;
	case TFA_REJECTED:
	case TFA_REPLAYED:
		say(request, tfa_login_result_text(r, &res));
		RWARN("user \"%s\": %s (%u consecutive failures)%s", q->esc, tfa_strerror(r),
		      res.failures, res.locked_now ? "; now locked out" : "");
		return RLM_MODULE_REJECT;
	case TFA_LOCKED:
		say(request, tfa_login_result_text(r, &res));
		RWARN("user \"%s\": locked out", q->esc);
		return RLM_MODULE_USERLOCK;
	case TFA_ENOENT:
		say(request, MSG_NO_TOKEN);
		RWARN("user \"%s\": no active token or recovery code", q->esc);
		return RLM_MODULE_REJECT;
	default:
		say(request, MSG_UNAVAILABLE);
		RERROR("user \"%s\": checking the code: %s", q->esc, tfa_err_text(&err, r));
		return RLM_MODULE_FAIL;
	}
}

static int begin_request(rlm_twofactor_t const *inst, REQUEST *request, rad_req *q,
			 rlm_rcode_t *rc)
{
	memset(q, 0, sizeof(*q));
	q->inst = inst;
	q->request = request;
	q->ctx = thread_ctx(inst, request);
	if (q->ctx == NULL) {
		say(request, MSG_UNAVAILABLE);
		*rc = RLM_MODULE_FAIL;
		return -1;
	}
	return get_user(q, rc);
}

static VALUE_PAIR *our_state(REQUEST *request)
{
	VALUE_PAIR *vp = fr_pair_find_by_num(request->packet->vps, PW_STATE, 0, TAG_ANY);

	return vp != NULL && vp->vp_length == TFA_STATE_HEX_LEN ? vp : NULL;
}

/* One-shot with the password: check the code at the end of User-Password
 * and leave the password before it for the password module. */
static rlm_rcode_t oneshot_split(rad_req *q)
{
	REQUEST *request = q->request;
	VALUE_PAIR *vp;
	char *field;
	size_t cut = 0, len;
	rlm_rcode_t rc;
	tfa_rstep s;
	char msg[MSG_MAX];

	s = login_step(q, 0, msg, sizeof(msg));
	if (s != STEP_ASK)
		return step_rcode(q, s);
	field = get_field(request, &vp);
	if (field == NULL) {
		say(request, "Wrong code.");
		REDEBUG("user \"%s\": no usable User-Password", q->esc);
		(void)tfa_ctx_audit(q->ctx, q->user, TFA_EV_LOGIN_FAIL, "no User-Password");
		return RLM_MODULE_REJECT;
	}
	len = strlen(field);
	rc = check_code(q, field, 1, &cut);
	if (rc == RLM_MODULE_OK) {
		if (cut > len)
			cut = 0;
		tfa_wipe((void *)(uintptr_t)vp->vp_strvalue, vp->vp_length);
		fr_pair_value_bstrncpy(vp, field, cut);
		rc = RLM_MODULE_UPDATED;
	}
	tfa_free_secret(field);
	return rc;
}

static rlm_rcode_t CC_HINT(nonnull) mod_authorize(void *instance, REQUEST *request)
{
	rlm_twofactor_t const *inst = instance;
	rad_req q;
	rlm_rcode_t rc;

	if (!inst->oneshot) {
		if (our_state(request) == NULL)
			return RLM_MODULE_NOOP;
	} else if (inst->oneshot_password) {
		if (begin_request(inst, request, &q, &rc) != 0)
			return rc;
		return oneshot_split(&q);
	}
	/* the answer to our challenge, or a code alone: this module authenticates */
	fr_pair_delete_by_num(&request->config, PW_AUTH_TYPE, 0, TAG_ANY);
	if (pair_make_config("Auth-Type", inst->name, T_OP_SET) == NULL) {
		REDEBUG("cannot set Auth-Type %s (is there an \"Auth-Type %s\" section?)",
			inst->name, inst->name);
		return RLM_MODULE_FAIL;
	}
	return RLM_MODULE_UPDATED;
}

/* Round 1: the password passed; challenge a user who needs a code. */
static rlm_rcode_t challenge(rad_req *q)
{
	REQUEST *request = q->request;
	tfa_err err = { { 0 } };
	char msg[MSG_MAX], state[TFA_STATE_HEX_LEN + 1];
	VALUE_PAIR *vp;
	tfa_rstep s;
	tfa_rc r;

	s = login_step(q, 1, msg, sizeof(msg));
	if (s != STEP_ASK)
		return step_rcode(q, s);
	r = tfa_state_make(q->ctx, q->user, (int64_t)time(NULL), state, sizeof(state), &err);
	if (r != TFA_OK) {
		RERROR("user \"%s\": %s", q->esc, tfa_err_text(&err, r));
		return step_rcode(q, STEP_ERROR);
	}
	fr_pair_delete_by_num(&request->reply->vps, PW_STATE, 0, TAG_ANY);
	vp = pair_make_reply("State", NULL, T_OP_SET);
	if (vp == NULL) {
		RERROR("cannot add State to the reply");
		return RLM_MODULE_FAIL;
	}
	fr_pair_value_memcpy(vp, (uint8_t const *)state, TFA_STATE_HEX_LEN);
	say(request, msg);
	request->reply->code = PW_CODE_ACCESS_CHALLENGE;
	RINFO("user \"%s\": Access-Challenge", q->esc);
	return RLM_MODULE_HANDLED;
}

/* Round 2 (@state set) or a code alone: check the code. */
static rlm_rcode_t answer(rad_req *q, VALUE_PAIR *state)
{
	REQUEST *request = q->request;
	tfa_err err = { { 0 } };
	VALUE_PAIR *vp;
	char *field;
	size_t cut = 0;
	rlm_rcode_t rc;
	tfa_rc r;

	if (state != NULL) {
		r = tfa_state_check(q->ctx, q->user, state->vp_octets, state->vp_length,
				    (int64_t)time(NULL), &err);
		if (r != TFA_OK) {
			say(request, r == TFA_REJECTED ? "The login took too long or was already"
			    " answered; log in again." : MSG_UNAVAILABLE);
			RWARN("%s", tfa_err_text(&err, r));
			(void)tfa_ctx_audit(q->ctx, q->user, TFA_EV_LOGIN_FAIL,
					    "RADIUS State refused");
			return r == TFA_REJECTED ? RLM_MODULE_REJECT : RLM_MODULE_FAIL;
		}
	} else {
		char msg[MSG_MAX];
		tfa_rstep s = login_step(q, 0, msg, sizeof(msg));

		if (s != STEP_ASK)
			return s == STEP_SKIP ? RLM_MODULE_REJECT : step_rcode(q, s);
	}
	field = get_field(request, &vp);
	if (field == NULL) {
		say(request, "Wrong code.");
		(void)tfa_ctx_audit(q->ctx, q->user, TFA_EV_LOGIN_FAIL, "no User-Password");
		return RLM_MODULE_REJECT;
	}
	rc = check_code(q, field, 0, &cut);
	tfa_free_secret(field);
	return rc;
}

static rlm_rcode_t CC_HINT(nonnull) mod_authenticate(void *instance, REQUEST *request)
{
	rlm_twofactor_t const *inst = instance;
	VALUE_PAIR *state = inst->oneshot ? NULL : our_state(request);
	rad_req q;
	rlm_rcode_t rc;

	if (inst->oneshot && inst->oneshot_password)
		return RLM_MODULE_NOOP;         /* done in authorize */
	if (begin_request(inst, request, &q, &rc) != 0)
		return rc;
	if (inst->oneshot || state != NULL)
		return answer(&q, state);
	return challenge(&q);
}

static int mod_instantiate(CONF_SECTION *conf, void *instance)
{
	rlm_twofactor_t *inst = instance;

	inst->name = cf_section_name2(conf);
	if (inst->name == NULL)
		inst->name = cf_section_name1(conf);
	(void)snprintf(inst->source, sizeof(inst->source), "radius:%s", inst->name);
	if (strcmp(inst->mode, "challenge") == 0) {
		inst->oneshot = 0;
	} else if (strcmp(inst->mode, "oneshot") == 0) {
		inst->oneshot = 1;
	} else {
		cf_log_err_cs(conf, "mode = %s: use challenge or oneshot", inst->mode);
		return -1;
	}
	if (inst->store[0] != '/' && strncmp(inst->store, "postgres", 8) != 0) {
		cf_log_err_cs(conf, "store = %s: an absolute path or a postgresql:// URI",
			      inst->store);
		return -1;
	}
	if (inst->phone_attribute == NULL)
		inst->phone_attribute = "";
	if (inst->keyfile_next == NULL)
		inst->keyfile_next = "";
	if (inst->keyfile_next[0] != '\0' && inst->keyfile_next[0] != '/') {
		cf_log_err_cs(conf, "keyfile_next = %s: an absolute path, or empty",
			      inst->keyfile_next);
		return -1;
	}
	if (inst->phone_attribute[0] != '\0' && inst->phone_attribute[0] != '&') {
		cf_log_err_cs(conf, "phone_attribute = %s: an attribute reference such as"
			      " &control:Tmp-String-0, or empty", inst->phone_attribute);
		return -1;
	}
	if (inst->sms_timeout < 1 || inst->sms_timeout > 60) {
		cf_log_err_cs(conf, "sms_timeout = %u: 1 to 60 seconds (below the NAS's"
			      " timeout)", inst->sms_timeout);
		return -1;
	}
	if (strncmp(inst->user_attribute, "&", 1) != 0) {
		cf_log_err_cs(conf, "user_attribute = %s: an attribute reference such as"
			      " &User-Name or &control:TFA-User", inst->user_attribute);
		return -1;
	}
	if (!inst->user_lookup && (strcasecmp(inst->user_attribute, "&User-Name") == 0 ||
				   strcasecmp(inst->user_attribute, "&request:User-Name") == 0)) {
		cf_log_err_cs(conf, "user_lookup = no takes the name as the store's own: set"
			      " user_attribute to the directory's canonical name (e.g."
			      " &control:TFA-User from rlm_ldap); with User-Name, ALICE and alice"
			      " would be different users");
		return -1;
	}
	return 0;
}

extern module_t rlm_twofactor;
TFA_RLM_EXPORT module_t rlm_twofactor = {
	.magic = RLM_MODULE_INIT,
	.name = "twofactor",
	.type = RLM_TYPE_THREAD_SAFE,
	.inst_size = sizeof(rlm_twofactor_t),
	.config = module_config,
	.instantiate = mod_instantiate,
	.methods = {
		[MOD_AUTHENTICATE] = mod_authenticate,
		[MOD_AUTHORIZE] = mod_authorize,
	},
};
