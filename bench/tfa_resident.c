/* SPDX-License-Identifier: BSD-2-Clause */
/* tfa_resident.c - verifications per second through one resident library
 * context (issue 13): what a long-running host such as FreeRADIUS does in
 * each of its threads. bench/resident.sh builds it against the build
 * tree's libotp and drives it.
 *
 *   tfa_resident STORE KEYFILE USERS SECONDS
 *
 * Opens STORE once (TFA_OPEN_LOGIN, as pam_twofactor and rlm_twofactor
 * do), then for SECONDS verifies one code after another on this one
 * thread: user u (u0000000 .. u{USERS-1}, by a stride of 7919 through
 * them) with the HOTP code of his next counter (the store comes from
 * `tfa_bench gen-oath`, counter 0), through tfa_verify - the call a RADIUS
 * answer and a PAM login make: policy refresh, user, tokens, the code,
 * the replay state and the audit row written and committed (fsynced).
 * Every verification must be accepted. Prints
 *   RESIDENT users verifications seconds per_second p50_us p99_us
 * and exits 1 if one was not accepted. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_users.h"
#include "frontend.h"

#define STRIDE 7919u
#define MAX_SAMPLES 4000000u

static double now_s(void)
{
	struct timespec t;

	(void)clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	tfa_ctx *ctx = NULL;
	tfa_err err = { { 0 } };
	tfa_verify_result res;
	uint32_t users, *ctr = NULL, *lat = NULL, u = 0;
	uint8_t sec[SECRET_LEN];
	char name[16], code[7];
	unsigned long n = 0;
	double t0, t1, t, secs;
	int ret = 1;
	tfa_rc rc;

	if (argc != 5 || (users = (uint32_t)strtoul(argv[3], NULL, 10)) == 0 ||
	    (secs = strtod(argv[4], NULL)) <= 0) {
		fprintf(stderr, "usage: tfa_resident STORE KEYFILE USERS SECONDS\n");
		return 2;
	}
	ctr = calloc(users, sizeof(*ctr));
	lat = calloc(MAX_SAMPLES, sizeof(*lat));
	if (ctr == NULL || lat == NULL) {
		fprintf(stderr, "tfa_resident: out of memory\n");
		goto out;
	}
	rc = tfa_ctx_open(argv[1], argv[2], TFA_OPEN_LOGIN, "bench:resident", &ctx, &err);
	if (rc != TFA_OK) {
		fprintf(stderr, "tfa_resident: %s\n", tfa_err_text(&err, rc));
		goto out;
	}
	t0 = now_s();
	t1 = t0;
	while (t1 - t0 < secs && n < MAX_SAMPLES) {
		user_secret(u, sec);
		user_name(u, name);
		if (hotp(sec, SECRET_LEN, ctr[u], code) != 0) {
			fprintf(stderr, "tfa_resident: HMAC failed\n");
			goto out;
		}
		t = now_s();
		rc = tfa_verify(ctx, name, code, (int64_t)time(NULL), &res, &err);
		t1 = now_s();
		if (rc != TFA_OK) {
			fprintf(stderr, "tfa_resident: %s counter %u: %s\n", name, ctr[u],
				tfa_err_text(&err, rc));
			goto out;
		}
		lat[n++] = (uint32_t)((t1 - t) * 1e6);
		ctr[u]++;
		u = (u + STRIDE) % users;
	}
	qsort(lat, n, sizeof(*lat), cmp_u32);
	printf("RESIDENT %u %lu %.3f %.1f %u %u\n", users, n, t1 - t0, (double)n / (t1 - t0),
	       lat[n / 2], lat[n * 99 / 100]);
	ret = 0;
out:
	tfa_ctx_close(ctx);
	free(ctr);
	free(lat);
	return ret;
}
