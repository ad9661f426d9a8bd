#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Bash completion for tfa-admin (contrib/bash-completion/tfa-admin): commands,
# user names from the store, policy keys and values, options per command.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cli_lib.sh"
cli_require_tools || { tap_done; }
COMP=$TFA_SRCDIR/contrib/bash-completion/tfa-admin
check "the completion file is valid bash" bash -n "$COMP"
cli_new_store completion
adm enable root >/dev/null
adm enable daemon >/dev/null
export TFA_STORE=$ST TFA_KEYFILE=$KF
# comp WORDS...: the completions for the last word (may be empty), one a line
comp() {
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMPREPLY=(); _tfa_admin; printf "%s\n" "${COMPREPLY[@]}" | sort' _ "$COMP" "$@"
}
has() { grep -qx -- "$1" <<<"$got"; }
got=$(comp "$ADMIN" "")
check "commands: enroll, doctor, audit, policy offered" bash -c 'grep -qx enroll <<<"$0" && grep -qx doctor <<<"$0" && grep -qx audit <<<"$0" && grep -qx policy <<<"$0"' "$got"
got=$(comp "$ADMIN" "en")
check "\"en\" completes to enable and enroll" test "$got" = "$(printf 'enable\nenroll')"
got=$(comp "$ADMIN" show "")
check "show USER: the users in the store (got: $(echo $got))" test "$got" = "$(printf 'daemon\nroot')"
got=$(comp "$ADMIN" reset "r")
check "reset r: root" test "$got" = root
got=$(comp "$ADMIN" --store "$ST" --keyfile "$KF" unlock "")
check "users also with --store/--keyfile before the command" test "$got" = "$(printf 'daemon\nroot')"
got=$(TFA_STORE=$TD/nowhere.db comp "$ADMIN" show "")
check "no store: no user offered, no error" test -z "$got"
got=$(comp "$ADMIN" policy "")
check "policy: show and set" test "$got" = "$(printf 'set\nshow')"
got=$(comp "$ADMIN" policy set "")
has audit_keep_days && has max_failures && has enabled && ok "policy set: the policy keys" ||
	not_ok "policy set: the policy keys" "$got"
got=$(comp "$ADMIN" policy set enabled "")
check "policy set enabled: yes and no" test "$got" = "$(printf 'no\nyes')"
got=$(comp "$ADMIN" audit --)
has --prune && has --since && has --user && ok "audit options: --prune --since --user" ||
	not_ok "audit options" "$got"
got=$(comp "$ADMIN" audit --user "")
check "audit --user: users" test "$got" = "$(printf 'daemon\nroot')"
got=$(comp "$ADMIN" enroll root --type "")
check "enroll --type: totp hotp sms ocra" test "$got" = "$(printf 'hotp\nocra\nsms\ntotp')"
got=$(comp "$ADMIN" doctor --)
has --json && has --pam-dir && has --sshd-config && ok "doctor options" || not_ok "doctor options" "$got"
got=$(comp "$ADMIN" ba)
check "\"ba\" completes to backup" test "$got" = backup
got=$(comp "$ADMIN" res)
check "\"res\" completes to reset and restore" test "$got" = "$(printf 'reset\nrestore')"
got=$(comp "$ADMIN" backup --)
has --force && ok "backup options: --force" || not_ok "backup options: --force" "$got"
got=$(comp "$ADMIN" restore "$TD/sto")
check "restore FILE: file names" test "$got" = "$TD/store"
got=$(comp "$ADMIN" mi)
check "\"mi\" completes to migrate" test "$got" = migrate
got=$(comp "$ADMIN" migrate --)
has --to && ok "migrate options: --to" || not_ok "migrate options: --to" "$got"
got=$(comp "$ADMIN" token "")
check "token: its subcommands" test "$got" = "$(printf 'assign\nimport\nlist\nresync\nunassign')"
tap_done
