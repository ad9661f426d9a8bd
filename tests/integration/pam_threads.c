/* SPDX-License-Identifier: BSD-2-Clause */
/* pam_threads.c - a multi-threaded PAM application for the tests of
 * pam_twofactor.so (t_pam_concurrency.sh builds and runs it under
 * pam_wrapper): each thread runs CYCLES x pam_start / pam_authenticate /
 * pam_end for one USER:CODE pair (thread i takes pair i mod the number of
 * pairs), answering every prompt with the code. Prints one line a thread:
 *     THREAD USER OK FAILED
 * and exits 0 unless PAM itself could not be started.
 *
 *     pam_threads SERVICE THREADS CYCLES USER:CODE [USER:CODE ...]
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <security/pam_appl.h>

#include "test_conv.h"

typedef struct {
	const char *service;
	char user[256];
	char code[64];
	int cycles;
	int ok, failed, broken;
	pthread_barrier_t *start;
} job;

static void *run(void *arg)
{
	job *j = arg;
	test_conv_state cs = { j->code, NULL, 0, 0 };
	struct pam_conv c = { test_conv, &cs };
	int i;

	(void)pthread_barrier_wait(j->start);
	for (i = 0; i < j->cycles; i++) {
		pam_handle_t *pamh = NULL;
		int rc = pam_start(j->service, j->user, &c, &pamh);

		if (rc != PAM_SUCCESS) {
			j->broken++;
			continue;
		}
		rc = pam_authenticate(pamh, 0);
		if (rc == PAM_SUCCESS)
			j->ok++;
		else
			j->failed++;
		(void)pam_end(pamh, rc);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_barrier_t start;
	pthread_t *th;
	job *jobs;
	int n, cycles, npairs, i, broken = 0;

	if (argc < 5) {
		fprintf(stderr, "usage: %s SERVICE THREADS CYCLES USER:CODE...\n", argv[0]);
		return 2;
	}
	n = atoi(argv[2]);
	cycles = atoi(argv[3]);
	npairs = argc - 4;
	if (n < 1 || n > 256 || cycles < 1)
		return 2;
	th = calloc((size_t)n, sizeof(*th));
	jobs = calloc((size_t)n, sizeof(*jobs));
	if (th == NULL || jobs == NULL || pthread_barrier_init(&start, NULL, (unsigned)n) != 0)
		return 2;
	for (i = 0; i < n; i++) {
		const char *pair = argv[4 + i % npairs];
		const char *colon = strchr(pair, ':');

		if (colon == NULL || (size_t)(colon - pair) >= sizeof(jobs[i].user))
			return 2;
		jobs[i].service = argv[1];
		memcpy(jobs[i].user, pair, (size_t)(colon - pair));
		(void)snprintf(jobs[i].code, sizeof(jobs[i].code), "%s", colon + 1);
		jobs[i].cycles = cycles;
		jobs[i].start = &start;
		if (pthread_create(&th[i], NULL, run, &jobs[i]) != 0)
			return 2;
	}
	for (i = 0; i < n; i++) {
		(void)pthread_join(th[i], NULL);
		printf("%d %s %d %d\n", i, jobs[i].user, jobs[i].ok, jobs[i].failed);
		broken += jobs[i].broken;
	}
	(void)pthread_barrier_destroy(&start);
	free(th);
	free(jobs);
	return broken ? 1 : 0;
}
