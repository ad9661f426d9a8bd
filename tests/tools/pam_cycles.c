/* SPDX-License-Identifier: BSD-2-Clause */
/* pam_cycles.c - many pam_start / pam_authenticate / pam_end cycles through
 * pam_twofactor.so in one process, checking that the heap and the number of
 * open file descriptors do not grow (tests/integration/t_rel_cycles.sh runs
 * it under pam_wrapper; docs/RELIABILITY.md: "Nothing leaks across
 * pam_start/pam_end cycles").
 *
 *     pam_cycles SERVICE CYCLES WARMUP IDLE NOUSER LOCKED HOTPUSER CODEFILE
 *
 * SERVICE is the marker stack of tests/integration/pam_lib.sh:
 *     auth [success=1 ignore=ignore default=die] pam_twofactor.so ...
 *     auth [default=die] pam_debug.so auth=user_unknown
 *     auth required pam_permit.so
 * so the module's own result reaches pam_authenticate, PAM_IGNORE showing as
 * PAM_USER_UNKNOWN. Every cycle's outcome is known in advance and checked;
 * cycle i runs slot i mod 10 of this pattern:
 *     0, 6  IDLE      exempted (tfa-admin disable)     PAM_IGNORE, no prompt
 *     2     NOUSER    not in the store, not required   PAM_IGNORE, no prompt
 *     3, 8  LOCKED    locked out for a long time       PAM_MAXTRIES, no prompt
 *     1, 7  HOTPUSER  a wrong code                     PAM_AUTH_ERR, 1 prompt
 *     4     HOTPUSER  a malformed code ("12ab56")      PAM_AUTH_ERR, 1 prompt
 *     5, 9  HOTPUSER  the next right code              PAM_SUCCESS, 1 prompt
 * HOTPUSER has an active 6-digit HOTP token at counter 0 and the policy has
 * hotp_lookahead 0; CODEFILE holds its codes for counters 0, 1, 2, ... one a
 * line (oathtool --hotp -w). A wrong code is the next right code with its
 * first digit changed, so it can never match by chance. A right code comes
 * after at most two failures: HOTPUSER is never locked out (max_failures >= 3).
 *
 * The heap in use (mallinfo2: uordblks + hblkhd, or the sanitizer's
 * allocator count when AddressSanitizer is in) and the entries of
 * /proc/self/fd are measured after WARMUP cycles and after the last one.
 * Prints TAP comments with the outcomes, then one line
 *     cycles=N warmup=W heap_before=B heap_after=A fds_before=F fds_after=G
 *     seconds=S unexpected=U
 * and exits 0 if every cycle had its expected outcome and prompts, 1 if not,
 * 2 on a usage or setup error. The limits on the figures are the caller's.
 */
#include <errno.h>
#include <sys/wait.h>
#include <unistd.h>
#include <dirent.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <security/pam_appl.h>

#include "test_conv.h"

/* present when the program (or a preloaded runtime) has AddressSanitizer */
extern size_t __sanitizer_get_current_allocated_bytes(void) __attribute__((weak));

enum { K_IDLE, K_NOUSER, K_LOCKED, K_WRONG, K_MALFORMED, K_RIGHT, K_COUNT };

static const int pattern[10] = {
	K_IDLE, K_WRONG, K_NOUSER, K_LOCKED, K_MALFORMED,
	K_RIGHT, K_IDLE, K_WRONG, K_LOCKED, K_RIGHT,
};
static const char *const kind_name[K_COUNT] = {
	"exempt", "not-in-store", "locked", "wrong-code", "malformed-code", "right-code",
};
static const int kind_want[K_COUNT] = {
	PAM_USER_UNKNOWN, PAM_USER_UNKNOWN, PAM_MAXTRIES, PAM_AUTH_ERR, PAM_AUTH_ERR,
	PAM_SUCCESS,
};
static const int kind_prompts[K_COUNT] = { 0, 0, 0, 1, 1, 1 };

static size_t heap_in_use(void)
{
	struct mallinfo2 mi;

	if (__sanitizer_get_current_allocated_bytes != NULL)
		return __sanitizer_get_current_allocated_bytes();
	mi = mallinfo2();
	return mi.uordblks + mi.hblkhd;
}

/* open file descriptors, the one reading /proc/self/fd not counted */
static int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	(void)closedir(d);
	return n - 1;
}

static double now_seconds(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* the 6-digit codes of CODEFILE, one a line */
static char (*read_codes(const char *path, size_t *count))[7]
{
	char (*codes)[7] = NULL, (*more)[7];
	char line[64];
	size_t n = 0, cap = 0;
	FILE *f = fopen(path, "r");

	if (f == NULL)
		return NULL;
	while (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		if (strlen(line) != 6 || strspn(line, "0123456789") != 6)
			goto bad;
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			more = realloc(codes, cap * sizeof(*codes));
			if (more == NULL)
				goto bad;
			codes = more;
		}
		memcpy(codes[n++], line, 7);
	}
	(void)fclose(f);
	*count = n;
	return codes;
bad:
	(void)fclose(f);
	free(codes);
	return NULL;
}

int main(int argc, char **argv)
{
	const char *service, *users[K_COUNT];
	char (*codes)[7] = NULL;
	char wrong[7];
	size_t ncodes = 0, next = 0, heap_before = 0, heap_after = 0;
	long cycles, warmup = -1, i;
	long got[K_COUNT] = { 0 }, bad[K_COUNT] = { 0 };
	int fds_before = 0, fds_after = 0, k, rc = 2;
	long unexpected = 0, broken = 0;
	double t0, t1;
	char *end;

	if (argc != 9) {
		fprintf(stderr, "usage: %s SERVICE CYCLES WARMUP IDLE NOUSER LOCKED HOTPUSER "
			"CODEFILE\n", argv[0]);
		goto out;
	}
	service = argv[1];
	cycles = strtol(argv[2], &end, 10);
	if (*end == '\0' && cycles >= 1 && cycles <= 100000000)
		warmup = strtol(argv[3], &end, 10);
	if (*end != '\0' || cycles < 1 || cycles > 100000000 || warmup < 0 || warmup >= cycles) {
		fprintf(stderr, "pam_cycles: bad CYCLES or WARMUP (0 <= WARMUP < CYCLES)\n");
		goto out;
	}
	users[K_IDLE] = argv[4];
	users[K_NOUSER] = argv[5];
	users[K_LOCKED] = argv[6];
	users[K_WRONG] = users[K_MALFORMED] = users[K_RIGHT] = argv[7];
	codes = read_codes(argv[8], &ncodes);
	if (codes == NULL) {
		fprintf(stderr, "pam_cycles: cannot read 6-digit codes from %s\n", argv[8]);
		goto out;
	}
	if (ncodes < (size_t)(cycles / 5 + 2)) {
		fprintf(stderr, "pam_cycles: %zu codes in %s, %ld cycles need %ld\n", ncodes,
			argv[8], cycles, cycles / 5 + 2);
		goto out;
	}

	t0 = now_seconds();
	for (i = 0; i < cycles; i++) {
		test_conv_state st = { NULL, NULL, 0, 0 };
		struct pam_conv c = { test_conv, &st };
		pam_handle_t *pamh = NULL;
		int r;

		if (i == warmup) {
			heap_before = heap_in_use();
			fds_before = open_fds();
		}
		k = pattern[i % 10];
		switch (k) {
		case K_WRONG:
			memcpy(wrong, codes[next], sizeof(wrong));
			wrong[0] = (char)('0' + (wrong[0] - '0' + 5) % 10);
			st.echo_off = wrong;
			break;
		case K_MALFORMED:
			st.echo_off = "12ab56";
			break;
		case K_RIGHT:
			st.echo_off = codes[next++];
			break;
		default:
			st.echo_off = "000000";   /* never asked */
			break;
		}
		r = pam_start(service, users[k], &c, &pamh);
		if (r != PAM_SUCCESS) {
			broken++;
			continue;
		}
		r = pam_authenticate(pamh, 0);
		got[k]++;
		if (r != kind_want[k] || st.prompts != kind_prompts[k]) {
			if (bad[k]++ < 5)
				printf("# cycle %ld (%s, user %s): %s with %d prompt(s), want %s "
				       "with %d\n", i, kind_name[k], users[k], pam_strerror(pamh, r),
				       st.prompts, pam_strerror(pamh, kind_want[k]),
				       kind_prompts[k]);
			unexpected++;
		}
		(void)pam_end(pamh, r);
	}
	t1 = now_seconds();
	heap_after = heap_in_use();
	fds_after = open_fds();

	for (k = 0; k < K_COUNT; k++)
		printf("# %-14s %6ld cycles, %ld unexpected (want \"%s\")\n", kind_name[k], got[k],
		       bad[k], pam_strerror(NULL, kind_want[k]));
	if (broken)
		printf("# pam_start failed %ld times\n", broken);
	printf("cycles=%ld warmup=%ld heap_before=%zu heap_after=%zu fds_before=%d "
	       "fds_after=%d seconds=%.2f unexpected=%ld\n", cycles, warmup, heap_before,
	       heap_after, fds_before, fds_after, t1 - t0, unexpected + broken);
	rc = unexpected || broken ? 1 : 0;
out:
	free(codes);
	return rc;
}
