/* SPDX-License-Identifier: BSD-2-Clause */
/* delivery.c - run the site's sms_command (tfa-admin(8): policy key
 * sms_command): no shell, phone number as the one argument, the message on
 * standard input, a bare environment, killed after a timeout, always reaped. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "delivery.h"
#include "safefile.h"

#define CMD_ESC_MAX 200
#define POLL_MAX_MS 20   /* longest sleep between two waitpid() polls */

static int64_t now_ms(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int phone_valid(const char *p)
{
	size_t i, n;

	if (*p == '+')
		p++;
	n = strnlen(p, TFA_PHONE_MAX);
	if (n == 0 || n >= TFA_PHONE_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (p[i] < '0' || p[i] > '9')
			return 0;
	return 1;
}

/* Refuse a command that is not an absolute path to a safe executable file:
 * the opened file is checked (O_PATH|O_NOFOLLOW, so no symlink and no read
 * permission needed; fstat: regular, executable, owned by root or the
 * caller, not writable by group or others) and so are the directories above
 * it, as for the store (safefile.h). It is then run by path: swapping the
 * file after the check would need write access to a directory that passed,
 * that is root's (or the caller's) own, so the window gives nobody else
 * anything. */
static tfa_rc check_command(const char *command, const char *esc, tfa_err *err)
{
	tfa_rc rc;
	int fd = -1;

	if (command[0] != '/')
		return tfa_err_set(err, TFA_EIO, "sms_command %s is not an absolute path", esc);
	rc = tfa_safe_open(command, O_PATH, TFA_SAFE_EXEC, &fd, NULL, err);
	if (fd >= 0)
		(void)close(fd);
	/* keep the message (it names the command and the fix) */
	return rc == TFA_OK || rc == TFA_ENOMEM ? rc : TFA_EIO;
}

/* Write @len bytes of @msg to the non-blocking socket @fd until done or
 * @deadline. 0: written, or the command stopped reading (its exit status
 * tells); 1: the deadline passed; -1: error (errno). Never raises SIGPIPE. */
static int feed(int fd, const char *msg, size_t len, int64_t deadline)
{
	size_t off = 0;

	while (off < len) {
		ssize_t n = send(fd, msg + off, len - off, MSG_NOSIGNAL | MSG_DONTWAIT);
		struct pollfd pfd = { .fd = fd, .events = POLLOUT, .revents = 0 };
		int64_t left;

		if (n >= 0) {
			off += (size_t)n;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno == EPIPE || errno == ECONNRESET)
			return 0;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return -1;
		left = deadline - now_ms();
		if (left <= 0)
			return 1;
		if (poll(&pfd, 1, left > INT_MAX ? INT_MAX : (int)left) < 0 && errno != EINTR)
			return -1;
	}
	return 0;
}

/* Wait for @pid until @deadline. 0: reaped (*status); 1: still running at
 * the deadline; -1: waitpid failed (errno; ECHILD: reaped by someone else). */
static int wait_until(pid_t pid, int64_t deadline, int *status)
{
	long step_ms = 1;

	for (;;) {
		pid_t r = waitpid(pid, status, WNOHANG);
		int64_t left;
		struct timespec ts;

		if (r == pid)
			return 0;
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		left = deadline - now_ms();
		if (left <= 0)
			return 1;
		if (step_ms > left)
			step_ms = (long)left;
		ts.tv_sec = 0;
		ts.tv_nsec = step_ms * 1000000L;
		(void)nanosleep(&ts, NULL);
		if (step_ms < POLL_MAX_MS)
			step_ms *= 2;
	}
}

/* SIGKILL the command's process group (it leads it), then reap it.
 * 0: reaped (*status); -1: someone else did. */
static int kill_reap(pid_t pid, int *status)
{
	pid_t r;

	if (kill(-pid, SIGKILL) != 0)
		(void)kill(pid, SIGKILL);
	while ((r = waitpid(pid, status, 0)) < 0 && errno == EINTR)
		;
	return r == pid ? 0 : -1;
}

/* posix_spawn @command @phone with @in_fd as its stdin (see delivery.h).
 * 0 or an errno value. */
static int spawn(const char *command, const char *phone, int in_fd, pid_t *pid)
{
	char path_env[] = "PATH=/usr/sbin:/usr/bin:/sbin:/bin";
	char *envp[] = { path_env, NULL };
	char *argv[] = { (char *)command, (char *)phone, NULL };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t mask, dflt;
	int e;

	e = posix_spawn_file_actions_init(&fa);
	if (e != 0)
		return e;
	e = posix_spawnattr_init(&attr);
	if (e != 0) {
		(void)posix_spawn_file_actions_destroy(&fa);
		return e;
	}
	(void)sigemptyset(&mask);
	(void)sigfillset(&dflt);
	/* dup2 onto 0 first: @in_fd may itself be 1 or 2 */
	if ((e = posix_spawn_file_actions_adddup2(&fa, in_fd, 0)) == 0 &&
	    (e = posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0)) == 0 &&
	    (e = posix_spawn_file_actions_adddup2(&fa, 1, 2)) == 0 &&
	    (e = posix_spawn_file_actions_addchdir_np(&fa, "/")) == 0 &&
	    (e = posix_spawn_file_actions_addclosefrom_np(&fa, 3)) == 0 &&
	    (e = posix_spawnattr_setsigmask(&attr, &mask)) == 0 &&
	    (e = posix_spawnattr_setsigdefault(&attr, &dflt)) == 0 &&
	    (e = posix_spawnattr_setpgroup(&attr, 0)) == 0 &&
	    (e = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF |
					  POSIX_SPAWN_SETPGROUP)) == 0)
		e = posix_spawn(pid, command, &fa, &attr, argv, envp);
	(void)posix_spawnattr_destroy(&attr);
	(void)posix_spawn_file_actions_destroy(&fa);
	return e;
}

TFA_API tfa_rc tfa_deliver(const char *command, const char *phone, const char *message,
			   unsigned timeout_ms, tfa_delivery_result *res, tfa_err *err)
{
	char esc[CMD_ESC_MAX];
	tfa_delivery_result r = { 0, 0, 0, 0 };
	struct sigaction chld;
	int sv[2] = { -1, -1 };
	int status = 0, w, e;
	pid_t pid = -1;
	int64_t deadline;
	tfa_rc rc;

	if (res != NULL)
		*res = r;
	if (command == NULL || phone == NULL || message == NULL)
		return tfa_err_set(err, TFA_EINVAL, "sms delivery: missing command, phone or message");
	tfa_escape(command, esc, sizeof(esc));
	if (!phone_valid(phone))
		return tfa_err_set(err, TFA_EINVAL, "sms_command %s: malformed phone number", esc);
	rc = check_command(command, esc, err);
	if (rc != TFA_OK)
		return rc;
	/* With SIGCHLD ignored the kernel reaps the child at once: no status. */
	if (sigaction(SIGCHLD, NULL, &chld) == 0 &&
	    (chld.sa_handler == SIG_IGN || (chld.sa_flags & SA_NOCLDWAIT) != 0))
		return tfa_err_set(err, TFA_EIO, "cannot run sms_command %s: SIGCHLD is ignored in this "
				   "process, so its exit status cannot be known", esc);
	if (timeout_ms == 0)
		timeout_ms = TFA_DELIVERY_TIMEOUT_MS;
	deadline = now_ms() + timeout_ms;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
		rc = tfa_err_set(err, TFA_EIO, "cannot run sms_command %s: socketpair: %s", esc, strerror(errno));
		goto out;
	}
	e = spawn(command, phone, sv[1], &pid);
	if (e != 0) {
		rc = tfa_err_set(err, TFA_EIO, "cannot run sms_command %s: %s", esc, strerror(e));
		goto out;
	}
	(void)close(sv[1]);
	sv[1] = -1;
	w = feed(sv[0], message, strlen(message), deadline);
	e = errno;
	(void)close(sv[0]);         /* EOF for the command */
	sv[0] = -1;
	if (w < 0) {
		(void)kill_reap(pid, &status);
		rc = tfa_err_set(err, TFA_EIO, "cannot write to sms_command %s: %s", esc, strerror(e));
		goto out;
	}
	if (w == 0)
		w = wait_until(pid, deadline, &status);
	if (w == 1) {
		r.timed_out = 1;
		if (kill_reap(pid, &status) == 0)
			r.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
		if (timeout_ms % 1000 == 0)
			rc = tfa_err_set(err, TFA_EIO, "sms_command %s killed after %u s", esc, timeout_ms / 1000);
		else
			rc = tfa_err_set(err, TFA_EIO, "sms_command %s killed after %u ms", esc, timeout_ms);
	} else if (w < 0) {
		rc = tfa_err_set(err, TFA_EIO, "cannot wait for sms_command %s: %s (the host reaps "
				 "children itself); its exit status is unknown", esc, strerror(errno));
	} else if (WIFEXITED(status)) {
		r.exited = 1;
		r.status = WEXITSTATUS(status);
		if (r.status != 0)
			rc = tfa_err_set(err, TFA_EIO, "sms_command %s exited with status %d", esc, r.status);
	} else {
		r.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
		rc = tfa_err_set(err, TFA_EIO, "sms_command %s was killed by signal %d", esc, r.signal);
	}
out:
	if (res != NULL)
		*res = r;
	if (sv[0] >= 0)
		(void)close(sv[0]);
	if (sv[1] >= 0)
		(void)close(sv[1]);
	return rc;
}
