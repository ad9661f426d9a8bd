/* SPDX-License-Identifier: BSD-2-Clause */
/* conv.h - talking to the person logging in through the PAM conversation.
 *
 * The module calls the application's conversation function itself (not
 * pam_prompt) so that it decides how big a message may be and that every
 * response - a code, or a password followed by a code - is wiped before it is
 * freed. Every function fails closed: any error is a PAM error code, never
 * PAM_SUCCESS with a missing answer.
 */
#ifndef TFA_PAM_CONV_H
#define TFA_PAM_CONV_H

#include <security/pam_modules.h>

/** tfa_conv_available: 1 if the application gave a conversation function. */
int tfa_conv_available(pam_handle_t *pamh);

/** tfa_conv_ask: show @prompt with @style (PAM_PROMPT_ECHO_OFF or
 * PAM_PROMPT_ECHO_ON) and give the answer as a new string in *@answer (free
 * it with tfa_free_secret). PAM_SUCCESS, or PAM_CONV_ERR (no conversation,
 * conversation failed, no answer) / PAM_BUF_ERR. */
int tfa_conv_ask(pam_handle_t *pamh, int style, const char *prompt, char **answer);

/** tfa_conv_say: show @text as PAM_TEXT_INFO or PAM_ERROR_MSG (@style).
 * Text longer than a PAM message may be (PAM_MAX_MSG_SIZE) is sent as
 * several messages split at line ends, so that a QR code survives
 * applications that cut long messages. */
int tfa_conv_say(pam_handle_t *pamh, int style, const char *text);

#endif
