/* SPDX-License-Identifier: BSD-2-Clause */
/* doctor_sys.h - what `tfa-admin doctor` reads from the running system:
 * command output (sshd -T, timedatectl, chronyc), the clock and the
 * syslog socket. */
#ifndef TFA_CLI_DOCTOR_SYS_H
#define TFA_CLI_DOCTOR_SYS_H

#include <stddef.h>

#include "doctor.h"

/** doctor_run: run @argv (argv[0] an absolute path) without a shell, its
 * standard output and error in @out (NUL-terminated, truncated to fit),
 * standard input /dev/null, killed after @timeout_ms. Returns its exit
 * status, or -1 when it could not run, was killed or timed out. */
int doctor_run(char *const argv[], char *out, size_t outlen, unsigned timeout_ms);

/** doctor_sshd_t: `SSHD -T -f CONFIG` into @buf; returns @buf, or NULL when
 * there is no sshd or it failed (then a warning naming the failure is added
 * unless @sshd is "none"). */
const char *doctor_sshd_t(const char *sshd, const char *config, char *buf, size_t len,
			  tfa_doc_report *r);

/** doctor_clock: is the clock NTP-synchronised (timedatectl, chronyc,
 * systemd-timesyncd)? TOTP codes depend on it. */
void doctor_clock(tfa_doc_report *r);

/** doctor_devlog: the syslog socket @path exists (else the module's log
 * lines are lost). */
void doctor_devlog(const char *path, tfa_doc_report *r);

#endif
