/* SPDX-License-Identifier: BSD-2-Clause */
/* delivery.h - out-of-band code delivery: running the site's sms_command. */
#ifndef TFA_DELIVERY_H
#define TFA_DELIVERY_H

#include "tfa.h"

#define TFA_DELIVERY_TIMEOUT_MS 10000

typedef struct {
	int exited;        /* the command exited (status below) */
	int status;        /* its exit status when exited */
	int signal;        /* else the signal that ended it (SIGKILL on timeout) */
	int timed_out;     /* killed after the timeout */
} tfa_delivery_result;

/** tfa_deliver: run @command - an absolute path to a regular, executable
 * file, not writable by group or others (and owned by root when running as
 * root), run without a shell - with @phone ('+' and up to 19 digits) as its
 * one argument and @message on its standard input (then EOF). Its standard
 * output and error go to /dev/null, its working directory is /, its
 * environment holds only PATH=/usr/sbin:/usr/bin:/sbin:/bin, it starts with
 * an empty signal mask and default signal actions in a process group of its
 * own, and no descriptor other than 0, 1, 2 is inherited. After @timeout_ms
 * (0: TFA_DELIVERY_TIMEOUT_MS; counted from the call, writing the message
 * included) its process group is killed with SIGKILL and it is reaped.
 * Spawned with posix_spawn; no signal disposition of the caller is changed
 * and SIGPIPE is never raised in the caller, so it is safe inside a
 * multi-threaded PAM host. The caller's SIGCHLD must not be ignored (the exit
 * status could not be known): that is refused before running.
 * TFA_OK when it exited 0; TFA_EINVAL for a NULL argument or a malformed
 * @phone; TFA_EIO otherwise (not runnable or refused, non-zero exit, signal,
 * timeout, exit status unknown) with @res filled (may be NULL; all zero when
 * the command did not run) and @err naming the command and the reason -
 * never @message. */
tfa_rc tfa_deliver(const char *command, const char *phone, const char *message,
		   unsigned timeout_ms, tfa_delivery_result *res, tfa_err *err);

#endif
