/* SPDX-License-Identifier: BSD-2-Clause */
/* test_conv.h - the one PAM conversation of the C test programs and the
 * benchmark (pam_cycles, pam_threads, pam_hostile, tfa_bench): it types a
 * fixed answer at every prompt and counts the prompts. Header-only (static)
 * so that a test program built by a script with one cc line can use it. */
#ifndef TFA_TEST_CONV_H
#define TFA_TEST_CONV_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <security/pam_appl.h>

typedef struct {
	const char *echo_off;   /* typed at PAM_PROMPT_ECHO_OFF (the code) */
	const char *echo_on;    /* typed at PAM_PROMPT_ECHO_ON; NULL: echo_off */
	int prompts;            /* prompts answered so far */
	int print_messages;     /* PAM_TEXT_INFO/PAM_ERROR_MSG to stderr as "MSG ..." */
} test_conv_state;

/* A struct pam_conv's conv: @data is a test_conv_state. */
static int test_conv(int n, const struct pam_message **msg, struct pam_response **resp,
		     void *data)
{
	test_conv_state *st = data;
	struct pam_response *r;
	int i;

	if (n <= 0)
		return PAM_CONV_ERR;
	r = calloc((size_t)n, sizeof(*r));
	if (r == NULL)
		return PAM_BUF_ERR;
	for (i = 0; i < n; i++) {
		const char *ans = NULL;

		if (msg[i]->msg_style == PAM_PROMPT_ECHO_OFF)
			ans = st->echo_off;
		else if (msg[i]->msg_style == PAM_PROMPT_ECHO_ON)
			ans = st->echo_on != NULL ? st->echo_on : st->echo_off;
		else if (st->print_messages)
			(void)fprintf(stderr, "MSG %s\n", msg[i]->msg);
		if (ans == NULL)
			continue;
		st->prompts++;
		r[i].resp = strdup(ans);
		if (r[i].resp == NULL) {
			while (i-- > 0)
				free(r[i].resp);
			free(r);
			return PAM_BUF_ERR;
		}
	}
	*resp = r;
	return PAM_SUCCESS;
}

#endif
