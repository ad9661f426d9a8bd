/* SPDX-License-Identifier: BSD-2-Clause */
/* tfa_bench.c - login benchmark for pam_twofactor.so, pam_oath and
 * pam_google_authenticator (bench/run.sh drives it; see bench/README.md).
 *
 *   tfa_bench gen-oath N FILE          users.oath with users u0000000..: HOTP, counter 0
 *   tfa_bench gen-ga DIR FROM TO       google-authenticator files DIR/uNNNNNNN, HOTP
 *   tfa_bench login [options] NAME=SERVICE:BASE[:USERS[:GADIR]] ...
 *
 * Every user's secret is a fixed function of its number, so this program
 * computes each code itself (HOTP, RFC 4226, with OpenSSL's HMAC-SHA1) from
 * the secret and the user's next counter: no bypass, every login is a real
 * code check. The next counter of each user of each module is kept in
 * STATE/NAME-N.ctr (a shared mapping, so forked workers see it), counted
 * from BASE (the counter of a user's first code: 0 for users.oath and our
 * import of it, 1 for google-authenticator's HOTP_COUNTER 1).
 *
 * login options:
 *   --mode inproc|exec  pam_start/pam_authenticate/pam_end in this process,
 *                       or one `pamtester SERVICE USER authenticate` process
 *                       per login (the code on its standard input)
 *   --users N           users in the store (u0000000 .. u{N-1}), for the
 *                       modules whose spec does not give USERS
 *   --state DIR         where the counter files live
 *   --seconds S         time of one cell (module x procs) in one round
 *   --max M             at most M logins per cell and round
 *   --rounds R          rounds; each round runs every cell once, in turn,
 *                       so that all modules see the same machine noise
 *   --procs LIST        e.g. 1 or 1,2: worker processes of a cell, each
 *                       logging in its own users (user number mod P)
 *   --label TEXT        first column of the output
 *   --raw FILE          append every login's latency (CSV)
 *   --pamtester PATH    default: pamtester
 * A module spec names a PAM service and a store size: the same module at
 * several sizes is several cells of one run, measured side by side. With
 * GADIR (google-authenticator, which reads only the file of the user who
 * logs in), the user's file DIR/uNNNNNNN is written just before the user's
 * first login, outside the timed part, instead of all USERS files up front.
 * Logins pick users by a stride through the user list (stride 7919, a
 * prime: coprime with every N = 10^k), continuing where the last run of the
 * same state left off. One untimed warm-up login per module comes first.
 *
 * Prints one line per cell:
 *   RESULT label module users procs ok failed seconds logins_per_s p50_us p99_us
 * and exits 1 if any login failed (a failure is never counted as speed).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <security/pam_appl.h>

#include "bench_users.h"
#include "test_conv.h"

#define STRIDE 7919u
#define MAX_MODULES 32
#define MAX_PROCS 8

static void base32(const uint8_t *in, size_t n, char *out)
{
	static const char alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
	uint32_t buf = 0;
	int bits = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		buf = (buf << 8) | in[i];
		bits += 8;
		while (bits >= 5) {
			*out++ = alpha[(buf >> (bits - 5)) & 31];
			bits -= 5;
		}
	}
	if (bits > 0)
		*out++ = alpha[(buf << (5 - bits)) & 31];
	*out = '\0';
}

static int parse_u32(const char *s, uint32_t *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *s == '\0' || *end != '\0' || v > 10000000UL)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static int gen_oath(uint32_t n, const char *path)
{
	uint8_t sec[SECRET_LEN];
	char name[16];
	FILE *f = fopen(path, "w");
	uint32_t u;
	int i;

	if (f == NULL) {
		fprintf(stderr, "tfa_bench: %s: %s\n", path, strerror(errno));
		return 1;
	}
	for (u = 0; u < n; u++) {
		user_secret(u, sec);
		user_name(u, name);
		fprintf(f, "HOTP %s - ", name);
		for (i = 0; i < SECRET_LEN; i++)
			fprintf(f, "%02x", sec[i]);
		fputs(" 0\n", f);
	}
	if (fclose(f) != 0 || chmod(path, 0600) != 0) {
		fprintf(stderr, "tfa_bench: writing %s: %s\n", path, strerror(errno));
		return 1;
	}
	return 0;
}

static int gen_ga(const char *dir, uint32_t from, uint32_t to)
{
	uint8_t sec[SECRET_LEN];
	char name[16], b32[64], path[4096], text[128];
	uint32_t u;
	int fd, len;

	for (u = from; u < to; u++) {
		user_secret(u, sec);
		user_name(u, name);
		base32(sec, SECRET_LEN, b32);
		len = snprintf(text, sizeof(text), "%s\n\" HOTP_COUNTER 1\n", b32);
		(void)snprintf(path, sizeof(path), "%s/%s", dir, name);
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd < 0 || write(fd, text, (size_t)len) != len || close(fd) != 0) {
			fprintf(stderr, "tfa_bench: %s: %s\n", path, strerror(errno));
			return 1;
		}
	}
	return 0;
}

/* ---- counters ---- */

typedef struct {
	uint64_t cursor;         /* logins done so far: where the stride goes on */
	uint32_t users;
	uint32_t pad;
	uint32_t next[];         /* per user: next counter, from BASE */
} ctr_file;

static ctr_file *ctr_open(const char *dir, const char *name, uint32_t users)
{
	char path[4096];
	size_t len = sizeof(ctr_file) + (size_t)users * sizeof(uint32_t);
	ctr_file *c;
	struct stat sb;
	int fd;

	(void)snprintf(path, sizeof(path), "%.2048s/%.31s-%" PRIu32 ".ctr", dir, name, users);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0 || fstat(fd, &sb) != 0 ||
	    (sb.st_size != (off_t)len && (sb.st_size != 0 || ftruncate(fd, (off_t)len) != 0))) {
		fprintf(stderr, "tfa_bench: counter file %s: %s\n", path,
			fd < 0 || errno != 0 ? strerror(errno) : "wrong size");
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	c = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (c == MAP_FAILED) {
		fprintf(stderr, "tfa_bench: mmap %s: %s\n", path, strerror(errno));
		return NULL;
	}
	c->users = users;
	return c;
}

/* ---- one login ---- */

static int login_inproc(const char *service, const char *user, const char *code)
{
	test_conv_state st = { code, NULL, 0, 0 };
	struct pam_conv c = { test_conv, &st };
	pam_handle_t *pamh = NULL;
	int r;

	r = pam_start(service, user, &c, &pamh);
	if (r != PAM_SUCCESS)
		return r;
	r = pam_authenticate(pamh, 0);
	(void)pam_end(pamh, r);
	if (r == PAM_SUCCESS && st.prompts != 1)
		return PAM_SYSTEM_ERR;   /* success without being asked: not a code check */
	return r;
}

static const char *pamtester_path = "pamtester";

static int login_exec(const char *service, const char *user, const char *code)
{
	char line[16];
	int p[2], status = 0, devnull, len;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) != 0)
		return -1;
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		devnull = open("/dev/null", O_WRONLY);
		if (dup2(p[0], 0) < 0 || devnull < 0 || dup2(devnull, 1) < 0 || dup2(devnull, 2) < 0)
			_exit(127);
		execlp(pamtester_path, pamtester_path, service, user, "authenticate", (char *)NULL);
		_exit(127);
	}
	close(p[0]);
	len = snprintf(line, sizeof(line), "%s\n", code);
	if (write(p[1], line, (size_t)len) != len)
		status = -1;
	close(p[1]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? PAM_SUCCESS : PAM_AUTH_ERR;
}

/* ---- cells ---- */

typedef struct {
	char name[32];
	char service[64];
	char gadir[1024];        /* "" or: write the user's file before its first login */
	uint32_t base;
	ctr_file *ctr;
} module;

typedef struct {
	uint64_t ok, failed;
	float lat_us[];          /* one per login */
} worker_out;

static double now_s(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int exec_mode;

/* One login of user number @u of @m; returns a PAM code, the time the
 * login took in *@secs (the code computation is not part of it). */
static int login_user(module *m, uint32_t u, double *secs)
{
	uint8_t sec[SECRET_LEN];
	char name[16], code[7];
	uint32_t c = m->ctr->next[u];
	double t;
	int r;

	if (c == 0 && m->gadir[0] != '\0' && gen_ga(m->gadir, u, u + 1) != 0)
		return PAM_SYSTEM_ERR;
	user_secret(u, sec);
	user_name(u, name);
	if (hotp(sec, SECRET_LEN, (uint64_t)m->base + c, code) != 0)
		return PAM_SYSTEM_ERR;
	/* advance before the check, as a token does when its button is pressed */
	m->ctr->next[u] = c + 1;
	t = now_s();
	r = exec_mode ? login_exec(m->service, name, code) : login_inproc(m->service, name, code);
	*secs = now_s() - t;
	return r;
}

/* Worker @w of @procs: logins for S seconds (at least one), at most @max. */
static void work(module *m, unsigned w, unsigned procs, uint64_t start, double seconds,
		 uint64_t max, worker_out *out)
{
	uint32_t part = m->ctr->users / procs;
	double t0 = now_s(), lat = 0;
	uint64_t i;
	uint32_t u;
	int r;

	for (i = 0; i < max; i++) {
		u = w + procs * (uint32_t)(((start + i) * STRIDE) % part);
		r = login_user(m, u, &lat);
		out->lat_us[out->ok + out->failed] = (float)(lat * 1e6);
		if (r == PAM_SUCCESS)
			out->ok++;
		else if (out->failed++ < 3)
			fprintf(stderr, "tfa_bench: %s: login of u%07" PRIu32 " failed: %s\n",
				m->name, u, exec_mode ? "pamtester failed" : pam_strerror(NULL, r));
		if (now_s() - t0 >= seconds)
			break;
	}
}

typedef struct {
	uint64_t ok, failed;
	double seconds;
	float *lat;
	size_t nlat, cap;
} cell_acc;

static int acc_add(cell_acc *a, const worker_out *o)
{
	size_t n = (size_t)(o->ok + o->failed);
	float *g;

	if (a->nlat + n > a->cap) {
		a->cap = (a->nlat + n) * 2;
		g = realloc(a->lat, a->cap * sizeof(*g));
		if (g == NULL)
			return -1;
		a->lat = g;
	}
	memcpy(a->lat + a->nlat, o->lat_us, n * sizeof(float));
	a->nlat += n;
	a->ok += o->ok;
	a->failed += o->failed;
	return 0;
}

/* Run one cell once: @procs workers for @seconds; returns 0 or -1. */
static int run_cell(module *m, unsigned procs, double seconds, uint64_t max, cell_acc *acc,
		    FILE *raw, const char *label, unsigned round)
{
	size_t one = sizeof(worker_out) + (size_t)max * sizeof(float);
	uint64_t start = m->ctr->cursor, most = 0;
	worker_out *outs[MAX_PROCS];
	pid_t pids[MAX_PROCS];
	double t0, t1;
	unsigned w;
	size_t i;
	int rc = 0, status;

	for (w = 0; w < procs; w++) {
		outs[w] = mmap(NULL, one, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (outs[w] == MAP_FAILED) {
			while (w-- > 0)
				munmap(outs[w], one);
			return -1;
		}
		outs[w]->ok = outs[w]->failed = 0;
	}
	t0 = now_s();
	if (procs == 1) {
		work(m, 0, 1, start, seconds, max, outs[0]);
	} else {
		for (w = 0; w < procs; w++) {
			pids[w] = fork();
			if (pids[w] == 0) {
				work(m, w, procs, start, seconds, max, outs[w]);
				_exit(0);   /* no atexit: pam_wrapper's copy of the config is the parent's */
			}
			if (pids[w] < 0)
				rc = -1;
		}
		for (w = 0; w < procs; w++)
			if (pids[w] > 0 && (waitpid(pids[w], &status, 0) < 0 || status != 0))
				rc = -1;
	}
	t1 = now_s();
	acc->seconds += t1 - t0;
	for (w = 0; w < procs; w++) {
		const worker_out *o = outs[w];

		if (o->ok + o->failed > most)
			most = o->ok + o->failed;
		if (raw != NULL)
			for (i = 0; i < (size_t)(o->ok + o->failed); i++)
				fprintf(raw, "%s,%s,%" PRIu32 ",%u,%u,%u,%.1f\n", label, m->name,
					m->ctr->users, procs, round, w, (double)o->lat_us[i]);
		if (acc_add(acc, o) != 0)
			rc = -1;
		munmap(outs[w], one);
	}
	m->ctr->cursor = start + most;
	return rc;
}

static int cmp_float(const void *a, const void *b)
{
	float x = *(const float *)a, y = *(const float *)b;

	return (x > y) - (x < y);
}

static double pct(float *v, size_t n, double p)
{
	size_t k;

	if (n == 0)
		return 0;
	k = (size_t)(p * (double)(n - 1) + 0.5);
	return (double)v[k];
}

static int usage(void)
{
	fprintf(stderr, "usage: tfa_bench gen-oath N FILE | gen-ga DIR FROM TO |\n"
		"       tfa_bench login --mode inproc|exec [--users N] --state DIR [--seconds S]"
		" [--max M] [--rounds R] [--procs 1,2] [--label L] [--raw FILE]"
		" [--pamtester PATH] NAME=SERVICE:BASE[:USERS]...\n");
	return 2;
}

int main(int argc, char **argv)
{
	module mods[MAX_MODULES];
	cell_acc accs[MAX_MODULES][MAX_PROCS];
	unsigned procs[MAX_PROCS], nprocs = 0, nmods = 0, rounds = 3, r, i, j;
	const char *state = NULL, *label = "run", *rawpath = NULL;
	uint32_t users = 0, from, to;
	double seconds = 2;
	uint64_t max = 100000, failed = 0;
	FILE *raw = NULL;
	int a, rc = 0;

	if (argc == 4 && strcmp(argv[1], "gen-oath") == 0 && parse_u32(argv[2], &users) == 0)
		return gen_oath(users, argv[3]);
	if (argc == 5 && strcmp(argv[1], "gen-ga") == 0 && parse_u32(argv[3], &from) == 0 &&
	    parse_u32(argv[4], &to) == 0)
		return gen_ga(argv[2], from, to);
	if (argc < 2 || strcmp(argv[1], "login") != 0)
		return usage();
	for (a = 2; a < argc; a++) {
		const char *o = argv[a], *v = a + 1 < argc ? argv[a + 1] : NULL;

		if (strncmp(o, "--", 2) != 0)
			break;
		if (v == NULL)
			return usage();
		a++;
		if (strcmp(o, "--mode") == 0 && (strcmp(v, "inproc") == 0 || strcmp(v, "exec") == 0))
			exec_mode = strcmp(v, "exec") == 0;
		else if (strcmp(o, "--users") == 0 && parse_u32(v, &users) == 0)
			continue;
		else if (strcmp(o, "--state") == 0)
			state = v;
		else if (strcmp(o, "--seconds") == 0 && (seconds = atof(v)) > 0)
			continue;
		else if (strcmp(o, "--max") == 0 && (max = strtoull(v, NULL, 10)) > 0)
			continue;
		else if (strcmp(o, "--rounds") == 0 && (rounds = (unsigned)atoi(v)) > 0)
			continue;
		else if (strcmp(o, "--label") == 0)
			label = v;
		else if (strcmp(o, "--raw") == 0)
			rawpath = v;
		else if (strcmp(o, "--pamtester") == 0)
			pamtester_path = v;
		else if (strcmp(o, "--procs") == 0) {
			char *s = strdup(v), *tok, *save = NULL;

			for (tok = strtok_r(s, ",", &save); tok != NULL && nprocs < MAX_PROCS;
			     tok = strtok_r(NULL, ",", &save))
				procs[nprocs++] = (unsigned)atoi(tok);
			free(s);
		} else
			return usage();
	}
	if (nprocs == 0)
		procs[nprocs++] = 1;
	if (state == NULL || a >= argc || argc - a > MAX_MODULES)
		return usage();
	for (; a < argc; a++, nmods++) {
		module *m = &mods[nmods];
		unsigned long base, n = users;
		int got, end = 0;

		memset(m, 0, sizeof(*m));
		got = sscanf(argv[a], "%31[^=]=%63[^:]:%lu:%lu%n", m->name, m->service, &base, &n, &end);
		if (got < 3 || n == 0 || n > 10000000)
			return usage();
		if (got == 4 && argv[a][end] == ':')
			(void)snprintf(m->gadir, sizeof(m->gadir), "%s", argv[a] + end + 1);
		for (i = 0; i < nprocs; i++)
			if (procs[i] < 1 || procs[i] > MAX_PROCS || n % procs[i] != 0)
				return usage();
		m->base = (uint32_t)base;
		m->ctr = ctr_open(state, m->name, (uint32_t)n);
		if (m->ctr == NULL)
			return 1;
	}
	if (rawpath != NULL && (raw = fopen(rawpath, "a")) == NULL) {
		fprintf(stderr, "tfa_bench: %s: %s\n", rawpath, strerror(errno));
		return 1;
	}
	memset(accs, 0, sizeof(accs));
	signal(SIGPIPE, SIG_IGN);
	/* warm-up: one untimed login per module (loads what is loaded once) */
	for (i = 0; i < nmods; i++) {
		uint32_t u = (uint32_t)((mods[i].ctr->cursor++ * STRIDE) % mods[i].ctr->users);
		double lat;

		if (login_user(&mods[i], u, &lat) != PAM_SUCCESS) {
			fprintf(stderr, "tfa_bench: %s: warm-up login of u%07" PRIu32 " failed\n",
				mods[i].name, u);
			failed++;
		}
	}
	for (r = 0; r < rounds; r++)
		for (i = 0; i < nmods; i++)
			for (j = 0; j < nprocs; j++)
				if (run_cell(&mods[i], procs[j], seconds, max, &accs[i][j], raw, label,
					     r) != 0)
					rc = 1;
	for (i = 0; i < nmods; i++) {
		for (j = 0; j < nprocs; j++) {
			cell_acc *c = &accs[i][j];

			qsort(c->lat, c->nlat, sizeof(float), cmp_float);
			printf("RESULT %s %s %" PRIu32 " %u %" PRIu64 " %" PRIu64 " %.3f %.1f %.0f %.0f\n",
			       label, mods[i].name, mods[i].ctr->users, procs[j], c->ok, c->failed, c->seconds,
			       c->seconds > 0 ? (double)c->ok / c->seconds : 0.0,
			       pct(c->lat, c->nlat, 0.5), pct(c->lat, c->nlat, 0.99));
			failed += c->failed;
			free(c->lat);
		}
	}
	if (raw != NULL && fclose(raw) != 0)
		rc = 1;
	return rc != 0 || failed != 0 ? 1 : 0;
}
