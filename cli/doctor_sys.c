/* SPDX-License-Identifier: BSD-2-Clause */
/* doctor_sys.c - facts from the running system for `tfa-admin doctor`. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "doctor_sys.h"

extern char **environ;

static long ms_since(const struct timespec *t0)
{
	struct timespec now;

	(void)clock_gettime(CLOCK_MONOTONIC, &now);
	return (long)(now.tv_sec - t0->tv_sec) * 1000 + (now.tv_nsec - t0->tv_nsec) / 1000000;
}

int doctor_run(char *const argv[], char *out, size_t outlen, unsigned timeout_ms)
{
	posix_spawn_file_actions_t fa;
	struct timespec t0;
	size_t used = 0;
	int fds[2] = { -1, -1 }, status = 0, rc = -1, killed = 0;
	pid_t pid = -1;

	out[0] = '\0';
	if (access(argv[0], X_OK) != 0 || pipe2(fds, O_CLOEXEC) != 0)
		return -1;
	if (posix_spawn_file_actions_init(&fa) != 0)
		goto out;
	if (posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0) != 0 ||
	    posix_spawn_file_actions_adddup2(&fa, fds[1], 1) != 0 ||
	    posix_spawn_file_actions_adddup2(&fa, fds[1], 2) != 0 ||
	    posix_spawn(&pid, argv[0], &fa, NULL, argv, environ) != 0)
		pid = -1;
	(void)posix_spawn_file_actions_destroy(&fa);
	(void)close(fds[1]);
	fds[1] = -1;
	if (pid < 0)
		goto out;
	(void)clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		struct pollfd p = { fds[0], POLLIN, 0 };
		long left = (long)timeout_ms - ms_since(&t0);
		char buf[1024];
		ssize_t n;

		if (left <= 0) {
			(void)kill(pid, SIGKILL);
			killed = 1;
			break;
		}
		if (poll(&p, 1, (int)left) <= 0)
			continue;
		n = read(fds[0], buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (used + 1 < outlen) {
			size_t take = (size_t)n < outlen - 1 - used ? (size_t)n : outlen - 1 - used;

			memcpy(out + used, buf, take);
			used += take;
			out[used] = '\0';
		}
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!killed && WIFEXITED(status))
		rc = WEXITSTATUS(status);
out:
	if (fds[0] >= 0)
		(void)close(fds[0]);
	if (fds[1] >= 0)
		(void)close(fds[1]);
	return rc;
}

/* the first line of @s, for messages */
static const char *first_line(char *s)
{
	s[strcspn(s, "\n")] = '\0';
	return s;
}

const char *doctor_sshd_t(const char *sshd, const char *config, char *buf, size_t len,
			  tfa_doc_report *r)
{
	char *argv[] = { (char *)sshd, (char *)"-T", (char *)"-f", (char *)config, NULL };
	int st;

	if (strcmp(sshd, "none") == 0 || access(sshd, X_OK) != 0)
		return NULL;
	st = doctor_run(argv, buf, len, 10000);
	if (st == 0)
		return buf;
	(void)tfa_doc_add(r, "sshd.test", TFA_DOC_WARN, config, 0,
			  "run \"sshd -t\" as root and fix what it says",
			  "%s -T failed (%s): the checks below read the files only", sshd,
			  buf[0] != '\0' ? first_line(buf) : "no output");
	return NULL;
}

void doctor_clock(tfa_doc_report *r)
{
	static const char fix[] = "enable time synchronisation: timedatectl set-ntp true "
		"(systemd-timesyncd) or apt install chrony; TOTP codes are 30 s wide";
	char *td[] = { (char *)"/usr/bin/timedatectl", (char *)"show", (char *)"-p",
		       (char *)"NTPSynchronized", (char *)"--value", NULL };
	char *ch[] = { (char *)"/usr/bin/chronyc", (char *)"-n", (char *)"tracking", NULL };
	char out[4096];
	struct stat sb;

	if (doctor_run(td, out, sizeof(out), 5000) == 0) {
		if (strncmp(out, "yes", 3) == 0) {
			(void)tfa_doc_add(r, "clock.ntp", TFA_DOC_OK, NULL, 0, NULL,
					  "the clock is NTP-synchronised (timedatectl)");
			return;
		}
		if (strncmp(out, "no", 2) == 0) {
			(void)tfa_doc_add(r, "clock.ntp", TFA_DOC_WARN, NULL, 0, fix,
					  "the clock is not NTP-synchronised (timedatectl): codes "
					  "may be refused when it drifts");
			return;
		}
	}
	if (doctor_run(ch, out, sizeof(out), 5000) == 0 && strstr(out, "Leap status") != NULL) {
		if (strstr(out, "Not synchronised") == NULL)
			(void)tfa_doc_add(r, "clock.ntp", TFA_DOC_OK, NULL, 0, NULL,
					  "the clock is NTP-synchronised (chronyc tracking)");
		else
			(void)tfa_doc_add(r, "clock.ntp", TFA_DOC_WARN, NULL, 0, fix,
					  "chrony says the clock is not synchronised: codes may be "
					  "refused when it drifts");
		return;
	}
	if (stat("/run/systemd/timesync/synchronized", &sb) == 0) {
		(void)tfa_doc_add(r, "clock.ntp", TFA_DOC_OK, NULL, 0, NULL,
				  "the clock is NTP-synchronised (systemd-timesyncd)");
		return;
	}
	(void)tfa_doc_add(r, "clock.ntp", TFA_DOC_WARN, NULL, 0, fix,
			  "cannot tell whether the clock is synchronised (no answer from "
			  "timedatectl, chronyc or systemd-timesyncd)");
}

void doctor_devlog(const char *path, tfa_doc_report *r)
{
	struct stat sb;
	int exists = stat(path, &sb) == 0;

	if (exists && S_ISSOCK(sb.st_mode)) {
		(void)tfa_doc_add(r, "logging.devlog", TFA_DOC_OK, path, 0, NULL,
				  "%s is a socket: the module's log lines reach syslog", path);
		return;
	}
	(void)tfa_doc_add(r, "logging.devlog", TFA_DOC_WARN, path, 0,
			  "apt install rsyslog, or systemctl enable --now "
			  "systemd-journald-dev-log.socket",
			  "%s %s: the module's log lines (every login outcome, every refusal) are "
			  "lost", path, exists ? "is not a socket" : "does not exist");
}
