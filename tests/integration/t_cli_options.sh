#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# t_cli_options.sh - the command line of every tfa-admin command (one
# parser, cli/options.c), as a user sees it:
#  - CMD --help: "usage: tfa-admin CMD ..." on stdout, exit 0, whatever
#    follows it; an error before it wins;
#  - an unknown long or short option, a missing value, a wrong number of
#    arguments: exit 2, "tfa-admin: MESSAGE" and the usage line on stderr,
#    nothing on stdout (the JSON error object with --json);
#  - the global options (--store, --keyfile, --json) anywhere, before or
#    after the command and its arguments; "--" ends the options;
#  - a value that does not check out: its own message, exit 2, at its place
#    among the options (the first error wins);
#  - unique prefixes of long options work, ambiguous ones are unknown;
#  - tfa-admin's own -h/--help, -V/--version.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cli_lib.sh"

cli_require_tools || tap_done
cli_new_store options

# line N (1-based) of TEXT
line() { sed -n "$1p" <<<"$2"; }
nlines() { [ -z "$1" ] && echo 0 || wc -l <<<"$1"; }

# usage_err DESC MSG USAGE CMD...: CMD exits 2 with nothing on stdout; on
# stderr "tfa-admin: MSG" (no such line when MSG is empty) and then the
# line "usage: tfa-admin USAGE..."
usage_err() {
	local desc=$1 msg=$2 usage=$3 want=1
	shift 3
	run 2 "$desc: exit 2" "$@"
	if [ -n "$msg" ]; then
		want=2
		check "... says \"$msg\"" test "$(line 1 "$err")" = "tfa-admin: $msg"
	fi
	case $(line "$want" "$err") in
	"usage: tfa-admin $usage"*) ok "... then the usage of $usage" ;;
	*) not_ok "... then the usage of $usage" "stderr: $err" ;;
	esac
	check "... and nothing more ($want lines on stderr, none on stdout)" \
		test "$(nlines "$err")" = "$want" -a -z "$out"
}

# value_err DESC MSG CMD...: exit 2, stderr exactly "tfa-admin: MSG"
value_err() {
	local desc=$1 msg=$2
	shift 2
	run 2 "$desc: exit 2" "$@"
	check "... says exactly \"$msg\"" test "$err" = "tfa-admin: $msg" -a -z "$out"
}

# name | usage prefix | arguments that parse
cmds=(
	"init|init|"
	"upgrade|upgrade|"
	"rekey|rekey NEWKEYFILE|$TD/none.key"
	"enroll|enroll USER|alice"
	"confirm|confirm USER CODE|alice 123456"
	"verify|verify USER CODE|alice 123456"
	"reset|reset USER|alice"
	"enable|enable USER [--force]|alice"
	"disable|disable USER [--force]|alice"
	"default|default USER [--force]|alice"
	"unlock|unlock USER|alice"
	"list|list|"
	"show|show USER|alice"
	"policy|policy show|show"
	"audit|audit [--user USER]|"
	"recovery|recovery USER [--count N]|alice"
	"import|import google-authenticator USER FILE|oath $TD/none"
	"token|token import|list"
	"challenge|challenge USER|alice"
	"doctor|doctor [--json]|"
	"backup|backup FILE [--force]|$TD/none.bak"
	"restore|restore FILE|$TD/none.bak"
	"migrate|migrate --to URL|--to postgresql:///none"
)

for c in "${cmds[@]}"; do
	IFS='|' read -r name usage args <<<"$c"
	read -r -a a <<<"$args"

	run 0 "$name --help: exit 0" adm "$name" --help
	check "... one line on stdout, the usage of $usage; stderr empty" \
		test "$(nlines "$out")" = 1 -a "${out#usage: tfa-admin "$usage"}" != "$out" -a -z "$err"
	run 0 "$name ${a[*]} --help --no-such-option: --help first wins" adm "$name" "${a[@]}" --help --no-such-option
	usage_err "$name --no-such-option --help: the error first wins" "unknown option --no-such-option" \
		"$usage" adm "$name" --no-such-option --help
	usage_err "$name ${a[*]} --no-such-option" "unknown option --no-such-option" "$usage" \
		adm "$name" "${a[@]}" --no-such-option
	usage_err "$name -Z ${a[*]}" "unknown option -Z" "$usage" adm "$name" -Z "${a[@]}"
	usage_err "$name ${a[*]} --json=1 (a flag given a value)" "unknown option --json=1" "$usage" \
		adm "$name" "${a[@]}" --json=1
	usage_err "$name ${a[*]} --store (no value)" "option --store needs a value" "$usage" \
		adm "$name" "${a[@]}" --store
	usage_err "$name ${a[*]} with four extra arguments" "" "$usage" \
		adm "$name" "${a[@]}" x1 x2 x3 x4
	run 2 "$name --json ${a[*]} --no-such-option: exit 2" adm "$name" --json "${a[@]}" --no-such-option
	check "... stdout is the JSON error object with the usage and exit 2" \
		test "$(json_get .exit <<<"$out")" = 2 -a \
		"$(json_get .error <<<"$out" | cut -c1-$((17 + ${#name})))" = "usage: tfa-admin $name"
done

# ------------------------------------------------ commands without arguments
for c in "enroll|enroll USER" "confirm|confirm USER CODE" "reset|reset USER" \
	"show|show USER" "recovery|recovery USER" "import|import google-authenticator" \
	"token|token import" "policy|policy show" "challenge|challenge USER" \
	"backup|backup FILE" "restore|restore FILE" "rekey|rekey NEWKEYFILE"; do
	IFS='|' read -r name usage <<<"$c"
	usage_err "$name without arguments" "" "$usage" adm "$name"
done
usage_err "verify with one argument" "" "verify USER CODE" adm verify alice
usage_err "migrate without --to" "migrate needs --to URL (a postgresql:// URI)" "migrate --to URL" \
	adm migrate

# ----------------------------------------------------- global options anywhere
run 0 "global options after the command and its argument" \
	"$ADMIN" recovery alice --store "$ST" --count 2 --keyfile "$KF" --json
check "... --json took effect: 2 codes in a JSON object" \
	test "$(json_get .codes.1 <<<"$out" | tr -cd 0-9 | wc -c)" -ge 8 -a "$(json_get .user <<<"$out")" = alice
run 0 "global options before and after the command" "$ADMIN" --store "$ST" list --keyfile "$KF" --json
check "... JSON lists alice" grep -q '"alice"' <<<"$out"
run 0 "--store=PATH and --keyfile=PATH forms" "$ADMIN" show alice --store="$ST" --keyfile="$KF"
usage_err "\"--\" ends the options: list -- --json" "" "list" adm list -- --json
run 0 "show -- alice" adm show -- alice
run 0 "recovery alice --cou 1: a unique prefix works" adm recovery alice --cou 1
check "... one code" test "$(grep -cE '^ *[0-9]{8}' <<<"$out")" = 1
usage_err "enroll alice --s x: --s is ambiguous (--store, --suite)" "unknown option --s" "enroll USER" \
	adm enroll alice --s x
usage_err "reset alice --force: reset takes no --force" "unknown option --force" "reset USER" \
	adm reset alice --force
usage_err "token list --force" "" "token import" adm token list --force
usage_err "policy --force show" "" "policy show" adm policy --force show

# ------------------------------------------------------------ option values
for c in "recovery alice --count" "enroll alice --type" "enroll alice --digits" \
	"audit --since" "audit --user" "doctor --sshd" "token import --csv"; do
	read -r -a a <<<"$c"
	name=${a[0]}
	usage_err "$c (no value)" "option ${a[-1]} needs a value" "$name" adm "${a[@]}"
done
value_err "recovery alice --count 0" '--count "0": a number from 1 to 100' adm recovery alice --count 0
value_err "recovery alice --count 101" '--count "101": a number from 1 to 100' adm recovery alice --count 101
value_err "enroll alice --digits 7 --no-such-option: the first error wins" \
	'--digits "7": use 6 or 8' adm enroll alice --digits 7 --no-such-option
usage_err "enroll alice --no-such-option --digits 7: the first error wins" \
	"unknown option --no-such-option" "enroll USER" adm enroll alice --no-such-option --digits 7
value_err "enroll alice --period 3601" '--period "3601": seconds, 1 to 3600' adm enroll alice --period 3601
value_err "enroll alice --issuer a:b" \
	"--issuer \"a:b\": must not contain ':' (the otpauth label uses it as separator)" \
	adm enroll alice --issuer a:b
value_err "enroll alice --qr-png ''" "--qr-png: the file name is empty" adm enroll alice --qr-png ''
usage_err "audit --since nope" '--since "nope": not a time' "audit [--user USER]" adm audit --since nope
usage_err "audit --prune --user alice" \
	"--prune takes no --user or --since: it applies audit_keep_days to the whole trail" \
	"audit [--user USER]" adm audit --prune --user alice
usage_err "doctor --pam-dir ''" "an empty path was given" "doctor [--json]" adm doctor --pam-dir ''
usage_err "import foo a b" 'import "foo": use google-authenticator or oath' \
	"import google-authenticator" adm import foo a b

# ------------------------------------------------------- tfa-admin's own options
for v in -V --version --vers; do
	run 0 "tfa-admin $v" "$ADMIN" "$v"
	check "... prints the version" grep -q '^tfa-admin (.*) [0-9]' <<<"$out"
done
run 0 "tfa-admin -V --no-such-option: -V first wins" "$ADMIN" -V --no-such-option
for h in -h --help help; do
	run 0 "tfa-admin $h" "$ADMIN" "$h"
	check "... prints every command" grep -q '^  doctor' <<<"$out"
done
top="[--store PATH] [--keyfile PATH] [--keyfile-next PATH] [--json] COMMAND [ARGS]"
usage_err "tfa-admin --version=3" "unknown option -V" "$top" "$ADMIN" --version=3
usage_err "tfa-admin -Z list" "unknown option -Z" "$top" "$ADMIN" -Z list
usage_err "tfa-admin --no-such-option list" "unknown option --no-such-option" "$top" \
	"$ADMIN" --no-such-option list
usage_err "tfa-admin --store" "option --store needs a value" "$top" "$ADMIN" --store
usage_err "tfa-admin with no command" "no command given (try tfa-admin --help)" "$top" "$ADMIN"
usage_err "tfa-admin frob" 'unknown command "frob" (try tfa-admin --help)' "$top" \
	adm frob
run 0 "tfa-admin -- list (options end at --)" adm -- list

tap_done
