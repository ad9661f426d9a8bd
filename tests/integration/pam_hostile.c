/* SPDX-License-Identifier: BSD-2-Clause */
/* pam_hostile.c - a PAM application for t_rel_hostile.sh: runs one
 * pam_start / pam_authenticate / pam_end with a user name and a code taken
 * byte for byte from files, so that names and answers pamtester cannot
 * pass (a 10,000-byte answer, which pamtester's conversation would cut, a
 * name with a NUL in it, a name given only through the conversation) reach
 * pam_twofactor.so. Prints one line
 *     RESULT <pam return value> <pam_strerror>
 * and exits 0 unless PAM could not be started.
 *
 *     pam_hostile SERVICE USERFILE CODEFILE [prompt]
 *
 * With "prompt" pam_start gets no user: the module's pam_get_user asks for
 * it and the echo-on prompt is answered with the name (the name then can
 * only reach PAM up to its first NUL, as it would from any application);
 * echo-off prompts are answered with the code.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <security/pam_appl.h>

#include "test_conv.h"

struct answers {
	char *user;     /* NUL-terminated; may be cut at an embedded NUL */
	char *code;
};

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		return NULL;
	}
	buf = calloc((size_t)n + 1, 1);
	if (buf != NULL && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

int main(int argc, char **argv)
{
	struct answers a;
	test_conv_state cs = { NULL, NULL, 0, 1 };
	struct pam_conv pc = { test_conv, &cs };
	pam_handle_t *pamh = NULL;
	int rc, prompt;

	if (argc < 4) {
		fprintf(stderr, "usage: pam_hostile SERVICE USERFILE CODEFILE [prompt]\n");
		return 2;
	}
	prompt = argc > 4 && strcmp(argv[4], "prompt") == 0;
	a.user = slurp(argv[2]);
	a.code = slurp(argv[3]);
	if (a.user == NULL || a.code == NULL) {
		fprintf(stderr, "pam_hostile: cannot read %s or %s\n", argv[2], argv[3]);
		return 2;
	}
	cs.echo_off = a.code;
	cs.echo_on = a.user;
	rc = pam_start(argv[1], prompt ? NULL : a.user, &pc, &pamh);
	if (rc != PAM_SUCCESS) {
		fprintf(stderr, "pam_hostile: pam_start: %d\n", rc);
		return 1;
	}
	rc = pam_authenticate(pamh, 0);
	printf("RESULT %d %s\n", rc, pam_strerror(pamh, rc));
	pam_end(pamh, rc);
	free(a.user);
	free(a.code);
	return 0;
}
