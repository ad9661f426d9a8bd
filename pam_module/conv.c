/* SPDX-License-Identifier: BSD-2-Clause */
/* conv.c - PAM conversation helpers (see conv.h), and the module's helpers
 * for logging outcomes, the audit trail and messages (see module.h). */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <security/pam_appl.h>
#include <security/pam_modules.h>
#include <security/pam_ext.h>

#include "conv.h"
#include "module.h"

static int get_conv(pam_handle_t *pamh, const struct pam_conv **conv)
{
	const void *item = NULL;

	if (pam_get_item(pamh, PAM_CONV, &item) != PAM_SUCCESS || item == NULL)
		return PAM_CONV_ERR;
	*conv = item;
	if ((*conv)->conv == NULL)
		return PAM_CONV_ERR;
	return PAM_SUCCESS;
}

int tfa_conv_available(pam_handle_t *pamh)
{
	const struct pam_conv *conv;

	return get_conv(pamh, &conv) == PAM_SUCCESS;
}

/* Wipe and free what a conversation function returned for one message. */
static void free_responses(struct pam_response *resp)
{
	if (resp == NULL)
		return;
	if (resp->resp != NULL)
		tfa_free_secret(resp->resp);
	free(resp);
}

/* One message; @answer NULL for messages that take no answer. */
static int converse(pam_handle_t *pamh, int style, const char *text, char **answer)
{
	const struct pam_conv *conv;
	struct pam_message msg;
	const struct pam_message *msgp = &msg;
	struct pam_response *resp = NULL;
	int rc;

	rc = get_conv(pamh, &conv);
	if (rc != PAM_SUCCESS)
		return rc;
	msg.msg_style = style;
	msg.msg = text;
	rc = conv->conv(1, &msgp, &resp, conv->appdata_ptr);
	if (rc != PAM_SUCCESS) {
		rc = PAM_CONV_ERR;
		goto out;
	}
	if (answer != NULL) {
		if (resp == NULL || resp->resp == NULL) {
			rc = PAM_CONV_ERR;
			goto out;
		}
		/* hand the buffer over instead of copying the secret */
		*answer = resp->resp;
		resp->resp = NULL;
	}
	rc = PAM_SUCCESS;
out:
	free_responses(resp);
	return rc;
}

int tfa_conv_ask(pam_handle_t *pamh, int style, const char *prompt, char **answer)
{
	*answer = NULL;
	if (style != PAM_PROMPT_ECHO_OFF && style != PAM_PROMPT_ECHO_ON)
		return PAM_CONV_ERR;
	return converse(pamh, style, prompt, answer);
}

int tfa_conv_say(pam_handle_t *pamh, int style, const char *text)
{
	char buf[PAM_MAX_MSG_SIZE];
	size_t len = strlen(text);
	int rc = PAM_SUCCESS;

	if (style != PAM_TEXT_INFO && style != PAM_ERROR_MSG)
		return PAM_CONV_ERR;
	if (len < sizeof(buf))
		return converse(pamh, style, text, NULL);
	while (*text != '\0' && rc == PAM_SUCCESS) {
		size_t n = 0, cut = 0;

		/* take whole lines while they fit; a single over-long line is
		 * cut at the buffer size */
		while (n < sizeof(buf) - 1 && text[n] != '\0') {
			if (text[n] == '\n')
				cut = n + 1;
			n++;
		}
		if (text[n] == '\0')
			cut = n;
		else if (cut == 0) {
			/* do not split a UTF-8 character */
			cut = n;
			while (cut > 1 && ((unsigned char)text[cut] & 0xc0) == 0x80)
				cut--;
		}
		memcpy(buf, text, cut);
		/* the message itself ends the line in the application */
		buf[cut > 0 && buf[cut - 1] == '\n' ? cut - 1 : cut] = '\0';
		rc = converse(pamh, style, buf, NULL);
		text += cut;
	}
	tfa_wipe(buf, sizeof(buf));
	return rc;
}

/* ---- module helpers (module.h) ---- */

void tfa_pam_dbg(const tfa_login *l, const char *fmt, ...)
{
	va_list ap;

	if (!l->args->debug)
		return;
	va_start(ap, fmt);
	pam_vsyslog(l->pamh, LOG_PRIO(LOG_DEBUG), fmt, ap);
	va_end(ap);
}

int tfa_pam_outcome(const tfa_login *l, int pamrc, int prio, const char *fmt, ...)
{
	char why[TFA_ERRMSG_MAX + 128];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	pam_syslog(l->pamh, LOG_PRIO(prio), "user \"%s\": %s (%s)", l->user_esc, why,
		   pam_strerror(l->pamh, pamrc));
	(void)snprintf(l->trace->why, sizeof(l->trace->why), "%s", why);
	return pamrc;
}

void tfa_pam_audit(const tfa_login *l, const char *event, const char *detail)
{
	l->trace->audited = 1;
	if (tfa_ctx_audit(l->ctx, l->user, event, "%s", detail) != TFA_OK)
		pam_syslog(l->pamh, LOG_PRIO(LOG_ERR), "user \"%s\": could not write the audit trail",
			   l->user_esc);
}

void tfa_pam_say_error(const tfa_login *l, const char *text)
{
	if (!(l->flags & PAM_SILENT))
		(void)tfa_conv_say(l->pamh, PAM_ERROR_MSG, text);
}

void tfa_pam_say_info(const tfa_login *l, const char *text)
{
	if (!(l->flags & PAM_SILENT))
		(void)tfa_conv_say(l->pamh, PAM_TEXT_INFO, text);
}

int tfa_pam_result(tfa_rc r)
{
	switch (r) {
	case TFA_OK:
		return PAM_SUCCESS;
	case TFA_EINVAL:
	case TFA_ENOMEM:
	case TFA_REJECTED:
	case TFA_REPLAYED:
	case TFA_ENOENT:
		return PAM_AUTH_ERR;
	case TFA_LOCKED:
		return PAM_MAXTRIES;
	default:
		return PAM_AUTHINFO_UNAVAIL;
	}
}
