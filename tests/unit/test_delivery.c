/* SPDX-License-Identifier: BSD-2-Clause */
/* test_delivery.c - running the sms_command (pam_twofactor(8), The delivery
 * command): argv, stdin, environment, descriptors, signal state, exit
 * status, timeout and reaping, refusal of unsafe commands, no SIGPIPE, the
 * message never in an error.
 *
 * Two kinds of command: small /bin/sh scripts, and "recorder", a copy of
 * this very program that, started under that name, writes down exactly what
 * it was given (argv, environ, its open descriptors, signal mask) with no
 * shell in between to add variables (dash adds PWD) or descriptors. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "delivery.h"
#include "fixture.h"

#define PHONE "+15551234567"
#define CODE "482913"
#define MSG "Your twofactor code is " CODE "\n-MSGMARK- valid 5 min \xc3\xa9\n"
#define MARKER_VAR "TFA_SECRET_MARKER"
#define BIG (1024 * 1024)

extern char **environ;

typedef struct {
	char dir[FX_DIR];
	char cmd[128];     /* the script or recorder under test */
	char ran[128];     /* a file the scripts create: proof that they ran */
} fixture;

/* ---- the recorder (runs as the child) ---- */

static void put(const char *dir, const char *name, const void *data, size_t len)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "we");
	if (f == NULL)
		exit(90);
	if (len > 0 && fwrite(data, 1, len, f) != len)
		exit(91);
	if (fclose(f) != 0)
		exit(92);
}

static int record(char *self, int argc, char **argv)
{
	static char buf[BIG + 4096];
	char fds[256] = "", line[256];
	size_t len = 0, i;
	ssize_t n;
	DIR *d;
	const struct dirent *de;
	FILE *st;

	/* descriptors first, before this process opens anything else */
	d = opendir("/proc/self/fd");
	if (d == NULL)
		return 93;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || atoi(de->d_name) == dirfd(d))
			continue;
		len = strlen(fds);
		if (snprintf(fds + len, sizeof(fds) - len, "%s ", de->d_name) >= (int)(sizeof(fds) - len))
			return 97;
	}
	closedir(d);
	len = 0;
	*strrchr(self, '/') = '\0';
	put(self, "rec-fds", fds, strlen(fds));
	for (i = 0; i < (size_t)argc && len + strlen(argv[i]) + 1 < sizeof(buf); i++) {
		memcpy(buf + len, argv[i], strlen(argv[i]) + 1);
		len += strlen(argv[i]) + 1;
	}
	put(self, "rec-argv", buf, len);
	len = 0;
	for (i = 0; environ[i] != NULL && len + strlen(environ[i]) + 1 < sizeof(buf); i++) {
		memcpy(buf + len, environ[i], strlen(environ[i]) + 1);
		len += strlen(environ[i]) + 1;
	}
	put(self, "rec-env", buf, len);
	len = 0;
	while (len < sizeof(buf) && (n = read(0, buf + len, sizeof(buf) - len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return 94;
		len += (size_t)n;
	}
	put(self, "rec-stdin", buf, len);
	if (getcwd(buf, sizeof(buf)) == NULL)
		return 95;
	put(self, "rec-cwd", buf, strlen(buf));
	len = (size_t)snprintf(buf, sizeof(buf), "pgrp-is-self %d\n", getpgrp() == getpid());
	st = fopen("/proc/self/status", "re");
	if (st == NULL)
		return 96;
	while (fgets(line, sizeof(line), st) != NULL)
		if (strncmp(line, "SigBlk:", 7) == 0 || strncmp(line, "SigIgn:", 7) == 0)
			len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s", line);
	fclose(st);
	put(self, "rec-sig", buf, len);
	return 0;
}

/* ---- helpers ---- */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *slurp(const char *dir, const char *name, size_t *lenp)
{
	char path[PATH_MAX];
	char *buf;
	FILE *f;
	long len;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "re");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	len = ftell(f);
	assert_true(len >= 0);
	rewind(f);
	buf = malloc((size_t)len + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
	buf[len] = '\0';
	fclose(f);
	if (lenp != NULL)
		*lenp = (size_t)len;
	return buf;
}

static int exists(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0;
}

/* Write @f->cmd: /bin/sh running @body (printf format) after creating the
 * "ran" file; then chmod it to @mode. */
__attribute__((format(printf, 4, 5)))
static void script(fixture *f, const char *name, mode_t mode, const char *body, ...)
{
	char text[1024];
	FILE *out;
	va_list ap;
	int n;

	snprintf(f->cmd, sizeof(f->cmd), "%s/%s", f->dir, name);
	n = snprintf(text, sizeof(text), "#!/bin/sh\n: > '%s'\n", f->ran);
	assert_true(n > 0 && (size_t)n < sizeof(text));
	va_start(ap, body);
	n += vsnprintf(text + n, sizeof(text) - (size_t)n, body, ap);
	va_end(ap);
	assert_true((size_t)n < sizeof(text));
	out = fopen(f->cmd, "we");
	assert_non_null(out);
	assert_true(fputs(text, out) >= 0);
	assert_int_equal(fclose(out), 0);
	assert_int_equal(chmod(f->cmd, mode), 0);
}

/* The error names the command and never holds the message or its code. */
static void assert_clean_err(const tfa_err *err)
{
	assert_null(strstr(err->msg, CODE));
	assert_null(strstr(err->msg, "MSGMARK"));
	assert_null(strstr(err->msg, "twofactor code"));
}

static void assert_no_children(void)
{
	errno = 0;
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
}

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	fx_mkdtemp(f->dir);
	snprintf(f->ran, sizeof(f->ran), "%s/ran", f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;

	fx_rmrf(f->dir);
	free(f);
	return 0;
}

/* ---- tests ---- */

/* Exactly [command, phone], only PATH, the message then EOF on stdin, no
 * descriptor but 0-2 although the caller holds inheritable ones, cwd /,
 * empty signal mask and no ignored signal although the caller has both,
 * a process group of its own. */
static void test_recorder_exact(void **state)
{
	fixture *f = *state;
	tfa_delivery_result res;
	tfa_err err = { "" };
	char *argv, *env, *in, *fds, *cwd, *sig;
	size_t alen, elen, ilen;
	sigset_t block, old;
	struct sigaction ign, oldusr2;
	int src, dst, leak, leak_hi;
	char buf[65536];
	ssize_t n;

	snprintf(f->cmd, sizeof(f->cmd), "%s/recorder", f->dir);
	src = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	assert_true(src >= 0);
	dst = open(f->cmd, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0700);
	assert_true(dst >= 0);
	while ((n = read(src, buf, sizeof(buf))) > 0)
		assert_int_equal(write(dst, buf, (size_t)n), n);
	assert_int_equal(n, 0);
	close(src);
	assert_int_equal(close(dst), 0);
	assert_int_equal(chmod(f->cmd, 0755), 0);

	leak = open(f->dir, O_RDONLY);          /* deliberately not O_CLOEXEC */
	assert_true(leak >= 0);
	leak_hi = dup2(leak, 63);
	assert_int_equal(leak_hi, 63);
	assert_int_equal(setenv(MARKER_VAR, "must-not-reach-the-child", 1), 0);
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	assert_int_equal(sigprocmask(SIG_BLOCK, &block, &old), 0);
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	assert_int_equal(sigaction(SIGUSR2, &ign, &oldusr2), 0);

	assert_int_equal(tfa_deliver(f->cmd, PHONE, MSG, 5000, &res, &err), TFA_OK);

	assert_int_equal(sigaction(SIGUSR2, &oldusr2, NULL), 0);
	assert_int_equal(sigprocmask(SIG_SETMASK, &old, NULL), 0);
	unsetenv(MARKER_VAR);
	close(leak_hi);
	close(leak);
	assert_int_equal(res.exited, 1);
	assert_int_equal(res.status, 0);
	assert_int_equal(res.signal, 0);
	assert_int_equal(res.timed_out, 0);
	assert_no_children();

	argv = slurp(f->dir, "rec-argv", &alen);
	assert_int_equal(alen, strlen(f->cmd) + 1 + strlen(PHONE) + 1);
	assert_string_equal(argv, f->cmd);
	assert_string_equal(argv + strlen(f->cmd) + 1, PHONE);
	env = slurp(f->dir, "rec-env", &elen);
	assert_int_equal(elen, sizeof("PATH=/usr/sbin:/usr/bin:/sbin:/bin"));
	assert_string_equal(env, "PATH=/usr/sbin:/usr/bin:/sbin:/bin");
	in = slurp(f->dir, "rec-stdin", &ilen);
	assert_int_equal(ilen, strlen(MSG));
	assert_memory_equal(in, MSG, ilen);
	fds = slurp(f->dir, "rec-fds", NULL);
	assert_string_equal(fds, "0 1 2 ");
	cwd = slurp(f->dir, "rec-cwd", NULL);
	assert_string_equal(cwd, "/");
	sig = slurp(f->dir, "rec-sig", NULL);
	assert_non_null(strstr(sig, "pgrp-is-self 1\n"));
	assert_non_null(strstr(sig, "SigBlk:\t0000000000000000\n"));
	/* SIGUSR2 is ignored here but not there. glibc's posix_spawn itself
	 * leaves its two internal signals (32 and 33, below SIGRTMIN) ignored
	 * in the child, SETSIGDEF cannot name them; nothing else may be. */
	if (strstr(sig, "SigIgn:\t0000000000000000\n") == NULL &&
	    strstr(sig, "SigIgn:\t0000000180000000\n") == NULL)
		fail_msg("signals ignored in the command: %s", sig);
	free(argv);
	free(env);
	free(in);
	free(fds);
	free(cwd);
	free(sig);
}

/* The same through /bin/sh, as a site's script would see it. dash adds PWD
 * (and other shells SHLVL, _, OLDPWD) on its own: those are allowed, but
 * nothing else, PATH must be ours, and the caller's marker must not arrive. */
static void test_sh_script(void **state)
{
	fixture *f = *state;
	tfa_delivery_result res;
	tfa_err err = { "" };
	char *argc, *arg0, *arg1, *in, *env, *p;
	size_t ilen, elen;
	int saw_path = 0;

	script(f, "send-sms", 0755,
	       "printf '%%s' \"$#\" > '%1$s/argc'\n"
	       "printf '%%s' \"$0\" > '%1$s/arg0'\n"
	       "printf '%%s' \"$1\" > '%1$s/arg1'\n"
	       "cat > '%1$s/stdin'\n"
	       "exec /usr/bin/env -0 > '%1$s/env'\n", f->dir);
	assert_int_equal(setenv(MARKER_VAR, "must-not-reach-the-child", 1), 0);
	assert_int_equal(tfa_deliver(f->cmd, PHONE, MSG, 5000, &res, &err), TFA_OK);
	unsetenv(MARKER_VAR);
	assert_int_equal(res.exited, 1);
	assert_int_equal(res.status, 0);
	argc = slurp(f->dir, "argc", NULL);
	arg0 = slurp(f->dir, "arg0", NULL);
	arg1 = slurp(f->dir, "arg1", NULL);
	assert_string_equal(argc, "1");
	assert_string_equal(arg0, f->cmd);
	assert_string_equal(arg1, PHONE);
	in = slurp(f->dir, "stdin", &ilen);
	assert_int_equal(ilen, strlen(MSG));
	assert_memory_equal(in, MSG, ilen);
	env = slurp(f->dir, "env", &elen);
	for (p = env; p < env + elen; p += strlen(p) + 1) {
		assert_null(strstr(p, MARKER_VAR));
		if (strcmp(p, "PATH=/usr/sbin:/usr/bin:/sbin:/bin") == 0) {
			saw_path = 1;
			continue;
		}
		if (strcmp(p, "PWD=/") == 0 || strncmp(p, "SHLVL=", 6) == 0 ||
		    strncmp(p, "_=", 2) == 0 || strncmp(p, "OLDPWD=", 7) == 0)
			continue;
		fail_msg("unexpected variable in the command's environment: %s", p);
	}
	assert_true(saw_path);
	free(argc);
	free(arg0);
	free(arg1);
	free(in);
	free(env);
}

static void test_exit_status(void **state)
{
	fixture *f = *state;
	tfa_delivery_result res;
	tfa_err err = { "" };
	char want[256];

	script(f, "send-sms", 0755, "cat > /dev/null\nexit 3\n");
	assert_int_equal(tfa_deliver(f->cmd, PHONE, MSG, 5000, &res, &err), TFA_EIO);
	assert_int_equal(res.exited, 1);
	assert_int_equal(res.status, 3);
	assert_int_equal(res.signal, 0);
	assert_int_equal(res.timed_out, 0);
	snprintf(want, sizeof(want), "sms_command %s exited with status 3", f->cmd);
	assert_string_equal(err.msg, want);
	assert_clean_err(&err);
	assert_no_children();
}

static void test_signal(void **state)
{
	fixture *f = *state;
	tfa_delivery_result res;
	tfa_err err = { "" };

	script(f, "send-sms", 0755, "kill -TERM $$\nexit 0\n");
	assert_int_equal(tfa_deliver(f->cmd, PHONE, MSG, 5000, &res, &err), TFA_EIO);
	assert_int_equal(res.exited, 0);
	assert_int_equal(res.signal, SIGTERM);
	assert_int_equal(res.timed_out, 0);
	assert_non_null(strstr(err.msg, "killed by signal 15"));
	assert_non_null(strstr(err.msg, f->cmd));
	assert_clean_err(&err);
	assert_no_children();
}

/* A command that hangs is killed, with its own children, and reaped. */
static void test_timeout(void **state)
{
	fixture *f = *state;
	tfa_delivery_result res;
	tfa_err err = { "" };
	char want[256], proc[64], *gpid;
	double t0, dt;
	int i;

	script(f, "send-sms", 0755,
	       "cat > /dev/null\nsleep 30 &\necho $! > '%s/gpid'\nwait\n", f->dir);
	t0 = now_s();
	assert_int_equal(tfa_deliver(f->cmd, PHONE, MSG, 300, &res, &err), TFA_EIO);
	dt = now_s() - t0;
	assert_true(dt >= 0.25);
	assert_true(dt < 3.0);
	assert_int_equal(res.timed_out, 1);
	assert_int_equal(res.exited, 0);
	assert_int_equal(res.signal, SIGKILL);
	snprintf(want, sizeof(want), "sms_command %s killed after 300 ms", f->cmd);
	assert_string_equal(err.msg, want);
	assert_clean_err(&err);
	assert_no_children();
	/* the background sleep went with the process group (gone, or a zombie
	 * of whatever reaper it was handed to) */
	gpid = slurp(f->dir, "gpid", NULL);
	snprintf(proc, sizeof(proc), "/proc/%d/stat", atoi(gpid));
	for (i = 0; i < 200; i++) {
		FILE *s = fopen(proc, "re");
		char line[512] = "";

		if (s == NULL)
			break;
		if (fgets(line, sizeof(line), s) != NULL && strstr(line, ") Z ") != NULL) {
			fclose(s);
			break;
		}
		fclose(s);
		usleep(10000);
	}
	assert_true(i < 200);
	free(gpid);
}

/* Never reads, never exits: the write of a large message is bounded by
 * the same deadline. */
static void test_timeout_while_writing(void **state)
{
	fixture *f = *state;
	tfa_delivery_result res;
	tfa_err err = { "" };
	char *big = malloc(BIG + 1);
	double t0, dt;

	assert_non_null(big);
	memset(big, 'x', BIG);
	big[BIG] = '\0';
	script(f, "send-sms", 0755, "exec sleep 30\n");
	t0 = now_s();
	assert_int_equal(tfa_deliver(f->cmd, PHONE, big, 300, &res, &err), TFA_EIO);
	dt = now_s() - t0;
	assert_true(dt < 3.0);
	assert_int_equal(res.timed_out, 1);
	assert_int_equal(res.signal, SIGKILL);
	assert_non_null(strstr(err.msg, "killed after 300 ms"));
	assert_no_children();
	free(big);
}

/* Exits without reading a 1 MB message: no SIGPIPE (default disposition
 * here, so it would end this test program), no hang; the status decides. */
static void test_no_read(void **state)
{
	fixture *f = *state;
	tfa_delivery_result res;
	tfa_err err = { "" };
	char *big = malloc(BIG + 1);
	double t0;

	assert_non_null(big);
	memset(big, '7', BIG);
	big[BIG] = '\0';
	assert_true(signal(SIGPIPE, SIG_DFL) != SIG_ERR);
	script(f, "send-sms", 0755, "exit 0\n");
	t0 = now_s();
	assert_int_equal(tfa_deliver(f->cmd, PHONE, big, 5000, &res, &err), TFA_OK);
	assert_int_equal(res.exited, 1);
	assert_int_equal(res.status, 0);
	script(f, "send-sms2", 0755, "exit 4\n");
	assert_int_equal(tfa_deliver(f->cmd, PHONE, big, 5000, &res, &err), TFA_EIO);
	assert_int_equal(res.status, 4);
	assert_true(now_s() - t0 < 3.0);
	assert_null(strstr(err.msg, "7777"));
	assert_no_children();
	free(big);
}

/* A 1 MB message arrives whole, then EOF. */
static void test_big_message(void **state)
{
	fixture *f = *state;
	tfa_delivery_result res;
	tfa_err err = { "" };
	char *big = malloc(BIG + 1), *got;
	size_t i, len;
	double t0;

	assert_non_null(big);
	for (i = 0; i < BIG; i++)
		big[i] = (char)('a' + i % 26);
	big[BIG] = '\0';
	script(f, "send-sms", 0755, "cat > '%s/big'\n", f->dir);
	t0 = now_s();
	assert_int_equal(tfa_deliver(f->cmd, PHONE, big, 5000, &res, &err), TFA_OK);
	assert_true(now_s() - t0 < 3.0);
	got = slurp(f->dir, "big", &len);
	assert_int_equal(len, BIG);
	assert_memory_equal(got, big, BIG);
	free(got);
	free(big);
}

/* A host (daemon) with 0 and 1 closed: the socket pair lands on them and
 * must still end up as the command's stdin. */
static void test_std_fds_closed(void **state)
{
	fixture *f = *state;
	tfa_delivery_result res;
	tfa_err err = { "" };
	int save0 = fcntl(0, F_DUPFD_CLOEXEC, 10), save1 = fcntl(1, F_DUPFD_CLOEXEC, 10);
	tfa_rc rc;
	char *in;
	size_t ilen;

	assert_true(save0 >= 0 && save1 >= 0);
	script(f, "send-sms", 0755, "cat > '%s/stdin'\n", f->dir);
	close(0);
	close(1);
	rc = tfa_deliver(f->cmd, PHONE, MSG, 5000, &res, &err);
	assert_int_equal(dup2(save0, 0), 0);
	assert_int_equal(dup2(save1, 1), 1);
	close(save0);
	close(save1);
	assert_int_equal(rc, TFA_OK);
	in = slurp(f->dir, "stdin", &ilen);
	assert_int_equal(ilen, strlen(MSG));
	assert_memory_equal(in, MSG, ilen);
	free(in);
}

static void refused(fixture *f, const char *cmd, const char *reason)
{
	tfa_delivery_result res = { 9, 9, 9, 9 };
	tfa_err err = { "" };

	assert_int_equal(tfa_deliver(cmd, PHONE, MSG, 5000, &res, &err), TFA_EIO);
	assert_non_null(strstr(err.msg, reason));
	assert_non_null(strstr(err.msg, cmd));
	assert_clean_err(&err);
	assert_int_equal(res.exited, 0);
	assert_int_equal(res.status, 0);
	assert_int_equal(res.signal, 0);
	assert_int_equal(res.timed_out, 0);
	assert_false(exists(f->ran));
}

static void test_refused(void **state)
{
	fixture *f = *state;
	char path[160];

	script(f, "send-sms", 0755, "exit 0\n");
	assert_int_equal(chdir(f->dir), 0);
	refused(f, "send-sms", "is not an absolute path");
	refused(f, "./send-sms", "is not an absolute path");
	assert_int_equal(chdir("/"), 0);
	snprintf(path, sizeof(path), "%s/missing", f->dir);
	refused(f, path, "does not exist");
	snprintf(path, sizeof(path), "%s/subdir", f->dir);
	assert_int_equal(mkdir(path, 0755), 0);
	refused(f, path, "is not a regular file");
	assert_int_equal(chmod(f->cmd, 0644), 0);
	refused(f, f->cmd, "is not executable");
	assert_int_equal(chmod(f->cmd, 0775), 0);
	refused(f, f->cmd, "is writable by group or others (mode 0775)");
	assert_int_equal(chmod(f->cmd, 0757), 0);
	refused(f, f->cmd, "is writable by group or others (mode 0757)");
	if (geteuid() == 0) {
		assert_int_equal(chmod(f->cmd, 0755), 0);
		assert_int_equal(chown(f->cmd, 65534, 65534), 0);
		refused(f, f->cmd, "is owned by uid 65534, not root");
	}
	assert_no_children();
}

/* Where the command lives (issue 11 item 9): the opened file, not a stat()
 * of the path - a symlink is refused - and the directories above it as for
 * the store: group-writable, or owned by another user, refused; a sticky
 * directory above a good one is fine, but not as the command's own. */
static void test_refused_place(void **state)
{
	fixture *f = *state;
	char path[160], dir[160];

	script(f, "send-sms", 0755, "exit 0\n");
	snprintf(path, sizeof(path), "%s/link-sms", f->dir);
	assert_int_equal(symlink(f->cmd, path), 0);
	refused(f, path, "is a symbolic link");

	snprintf(dir, sizeof(dir), "%s/gw", f->dir);
	assert_int_equal(mkdir(dir, 0700), 0);
	assert_int_equal(chmod(dir, 0775), 0);
	script(f, "gw/send-sms", 0755, "exit 0\n");
	refused(f, f->cmd, "is writable by group or others (mode 0775)");
	refused(f, f->cmd, "chmod go-w");
	assert_non_null(strstr(f->cmd, dir));
	assert_int_equal(chmod(dir, 0757), 0);
	refused(f, f->cmd, "is writable by group or others (mode 0757)");

	snprintf(dir, sizeof(dir), "%s/sticky", f->dir);
	assert_int_equal(mkdir(dir, 0700), 0);
	assert_int_equal(chmod(dir, 01777), 0);
	script(f, "sticky/send-sms", 0755, "exit 0\n");
	refused(f, f->cmd, "is writable by group or others (mode 1777)");
	snprintf(dir, sizeof(dir), "%s/sticky/good", f->dir);
	assert_int_equal(mkdir(dir, 0755), 0);
	script(f, "sticky/good/send-sms", 0755, "exit 0\n");
	assert_int_equal(tfa_deliver(f->cmd, PHONE, MSG, 5000, NULL, NULL), TFA_OK);
	assert_true(exists(f->ran));
	assert_int_equal(unlink(f->ran), 0);

	if (geteuid() == 0) {
		snprintf(dir, sizeof(dir), "%s/other", f->dir);
		assert_int_equal(mkdir(dir, 0755), 0);
		script(f, "other/send-sms", 0755, "exit 0\n");
		assert_int_equal(chown(dir, 65534, 65534), 0);
		refused(f, f->cmd, "is owned by uid 65534, not root");
		refused(f, f->cmd, "chown root");
	}
	assert_no_children();
}

static void test_bad_args(void **state)
{
	fixture *f = *state;
	static const char *const phones[] = {
		"", "+", "-rf", "+1555 123", "+12ab", "12345678901234567890", "+1\n2",
	};
	tfa_err err = { "" };
	size_t i;

	script(f, "send-sms", 0755, "exit 0\n");
	for (i = 0; i < sizeof(phones) / sizeof(phones[0]); i++)
		assert_int_equal(tfa_deliver(f->cmd, phones[i], MSG, 5000, NULL, &err), TFA_EINVAL);
	assert_int_equal(tfa_deliver(NULL, PHONE, MSG, 5000, NULL, &err), TFA_EINVAL);
	assert_int_equal(tfa_deliver(f->cmd, NULL, MSG, 5000, NULL, &err), TFA_EINVAL);
	assert_int_equal(tfa_deliver(f->cmd, PHONE, NULL, 5000, NULL, NULL), TFA_EINVAL);
	assert_false(exists(f->ran));
	/* the longest accepted number, and res and err may be NULL */
	assert_int_equal(tfa_deliver(f->cmd, "+1234567890123456789", MSG, 5000, NULL, NULL), TFA_OK);
	assert_true(exists(f->ran));
}

/* SIGCHLD ignored by the host: the kernel reaps the child at once and its
 * status is lost; refused up front with a clear reason, not a hang. */
static void test_sigchld_ignored(void **state)
{
	fixture *f = *state;
	tfa_delivery_result res;
	tfa_err err = { "" };
	struct sigaction ign, old;
	double t0;

	script(f, "send-sms", 0755, "exit 0\n");
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	assert_int_equal(sigaction(SIGCHLD, &ign, &old), 0);
	t0 = now_s();
	assert_int_equal(tfa_deliver(f->cmd, PHONE, MSG, 5000, &res, &err), TFA_EIO);
	assert_int_equal(sigaction(SIGCHLD, &old, NULL), 0);
	assert_true(now_s() - t0 < 3.0);
	assert_non_null(strstr(err.msg, "SIGCHLD is ignored"));
	assert_non_null(strstr(err.msg, f->cmd));
	assert_clean_err(&err);
	assert_false(exists(f->ran));
	assert_no_children();
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_recorder_exact, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sh_script, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exit_status, setup, teardown),
		cmocka_unit_test_setup_teardown(test_signal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeout_while_writing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_big_message, setup, teardown),
		cmocka_unit_test_setup_teardown(test_std_fds_closed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused_place, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_args, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sigchld_ignored, setup, teardown),
	};
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n > 0) {
		self[n] = '\0';
		if (n > 9 && strcmp(self + n - 9, "/recorder") == 0)
			return record(self, argc, argv);
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
