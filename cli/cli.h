/* SPDX-License-Identifier: BSD-2-Clause */
/* cli.h - shared state and helpers of tfa-admin: exit codes, messages,
 * JSON output, opening the store, argument checks. */
#ifndef TFA_CLI_H
#define TFA_CLI_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "frontend.h"

/* Exit codes (tfa-admin(8) EXIT STATUS). */
enum {
	CLI_OK = 0,
	CLI_REJECTED = 1,   /* code rejected or already used */
	CLI_USAGE = 2,      /* usage error, bad value, not implemented yet */
	CLI_NOENT = 3,      /* no such user or token */
	CLI_STORE = 4,      /* store or key error */
	CLI_LOCKED = 5,     /* locked out */
};

/* Global options and output state. */
struct cli {
	const char *store;
	const char *keyfile;
	const char *keyfile_next;  /* --keyfile-next / $TFA_KEYFILE_NEXT, or NULL */
	int json;
	int json_done;          /* a JSON object went to stdout already */
	char errmsg[TFA_ERRMSG_MAX + 128];   /* last error, for --json */
};

/* ---- output.c ---- */

/** cli_fail: print "tfa-admin: MESSAGE" to stderr, remember it for the JSON
 * error object, return @code. Never pass a secret or a code. */
int cli_fail(struct cli *g, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/** cli_warn: print "tfa-admin: warning: MESSAGE" to stderr. */
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/** cli_usage: print "usage: tfa-admin LINE" to stderr; returns CLI_USAGE. */
int cli_usage(struct cli *g, const char *line);

/** cli_json_emit: print @obj as one line on stdout, wipe the text, drop
 * @obj; returns CLI_OK, or CLI_STORE when @obj is NULL (out of memory). */
int cli_json_emit(struct cli *g, json_object *obj);

/** cli_json_error: in JSON mode, if nothing was printed yet, print
 * {"error": MESSAGE, "exit": CODE}. */
void cli_json_error(struct cli *g, int code);

/* JSON builders that tolerate allocation failure of the value (json-c's
 * json_object_object_add drops a NULL value as JSON null). */
void cli_jstr(json_object *o, const char *key, const char *val);
void cli_jint(json_object *o, const char *key, int64_t val);
void cli_jbool(json_object *o, const char *key, int val);
/** cli_jtime: ISO 8601 UTC string, or null when @t is 0. */
void cli_jtime(json_object *o, const char *key, int64_t t);

/** cli_time: @t as "YYYY-MM-DDTHH:MM:SSZ" in @buf (size >= 21); "-" for 0. */
const char *cli_time(int64_t t, char *buf, size_t len);

/** cli_esc: tfa_escape into @buf for messages and text output. */
const char *cli_esc(const char *s, char *buf, size_t len);

/* ---- common.c ---- */

/** cli_exit_code: the exit code for a library result. */
int cli_exit_code(tfa_rc rc);

/** cli_open: tfa_ctx_open with @flags; on failure prints the library's
 * message (naming the file) and returns CLI_STORE, else CLI_OK. */
int cli_open(struct cli *g, unsigned flags, tfa_ctx **ctx);


/** cli_user: CLI_OK if @name is a valid user name, else a message with the
 * escaped name and CLI_USAGE. */
int cli_user(struct cli *g, const char *name);

/** cli_resolve: check @given (else exit 2) and resolve it through NSS
 * (username.h) into @canon, the name for every store lookup; *@known (may
 * be NULL) says whether NSS knows the user. With @need_known a name NSS
 * does not know is refused (exit 3, the message names it) unless @force.
 * An NSS error is exit 4, whatever @force. Returns CLI_OK or the exit code
 * (the message printed). */
int cli_resolve(struct cli *g, const char *given, int need_known, int force,
		char canon[TFA_USER_MAX + 1], int *known);

/** cli_read_code: read one line from stdin into @buf (for CODE "-");
 * newline removed. 0 on success, -1 on EOF or error. */
int cli_read_code(char *buf, size_t len);

/** cli_parse_uint: decimal @s in @min..@max into *@out; 0 ok, -1 bad. */
int cli_parse_uint(const char *s, unsigned long min, unsigned long max,
		   unsigned long *out);

/* ---- options.c: the option parser of every command ---- */

/* Returned by cli_parse and option callbacks: stop, exit 0 (--help or
 * --version printed). */
#define CLI_DONE (-1)
/* cli_cmd.nmax: any number of positional arguments */
#define CLI_ANY (-1)
/* the most options one table may have */
#define CLI_OPTS_MAX 20

/** cli_opt_fn: check and store the value @arg of an option (NULL for a
 * CLI_ACTION) into @args; CLI_OK, CLI_DONE, or an exit code with the
 * message printed. */
typedef int (*cli_opt_fn)(struct cli *g, const char *arg, void *args);

enum cli_opt_kind {
	CLI_FLAG,       /* no value: the int at @off in args becomes 1 */
	CLI_STR,        /* a value: the const char * at @off points to it */
	CLI_CHECK,      /* a value, given to @fn */
	CLI_ACTION,     /* no value: @fn is called */
};

/* One option of a command; a table ends with a NULL name. */
struct cli_opt {
	const char *name;       /* long name, without "--" */
	char short_name;        /* '\0': none */
	enum cli_opt_kind kind;
	size_t off;             /* CLI_FLAG, CLI_STR: offsetof in the args struct */
	cli_opt_fn fn;          /* CLI_CHECK, CLI_ACTION */
};
#define CLI_OPT_END { NULL, 0, CLI_FLAG, 0, NULL }

/* A command's command line. */
struct cli_cmd {
	const char *usage;              /* after "usage: tfa-admin " */
	const struct cli_opt *opts;     /* NULL: the global options only */
	int nmin, nmax;                 /* positional count; nmax may be CLI_ANY */
	int in_order;                   /* options end at the first positional */
};

/* The positional arguments (pointers into argv). */
struct cli_pos {
	char **v;
	int n;
};

/** cli_parse: parse @argv (argv[0] is the command name) by @cmd, storing
 * option values into @args. The global options --store, --keyfile, --json
 * and --help are accepted anywhere unless @cmd's table defines the same
 * name; --help prints "usage: tfa-admin USAGE" to stdout. An unknown
 * option, a missing value or a positional count outside nmin..nmax prints
 * the message and the usage line to stderr. Returns CLI_OK with @pos set,
 * CLI_DONE after --help (or an option's CLI_DONE), else the exit code
 * (CLI_USAGE, or what an option's callback returned). */
int cli_parse(struct cli *g, const struct cli_cmd *cmd, int argc, char **argv, void *args,
	      struct cli_pos *pos);

/* ---- commands; argv[0] is the command name ---- */
int cmd_init(struct cli *g, int argc, char **argv);
int cmd_upgrade(struct cli *g, int argc, char **argv);
int cmd_rekey(struct cli *g, int argc, char **argv);
int cmd_enroll(struct cli *g, int argc, char **argv);
int cmd_confirm(struct cli *g, int argc, char **argv);
int cmd_verify(struct cli *g, int argc, char **argv);
int cmd_reset(struct cli *g, int argc, char **argv);
int cmd_required(struct cli *g, int argc, char **argv);  /* enable/disable/default */
int cmd_unlock(struct cli *g, int argc, char **argv);
int cmd_list(struct cli *g, int argc, char **argv);
int cmd_show(struct cli *g, int argc, char **argv);
int cmd_policy(struct cli *g, int argc, char **argv);
int cmd_audit(struct cli *g, int argc, char **argv);
int cmd_import(struct cli *g, int argc, char **argv);
int cmd_recovery(struct cli *g, int argc, char **argv);
int cmd_token(struct cli *g, int argc, char **argv);
int cmd_challenge(struct cli *g, int argc, char **argv);
int cmd_doctor(struct cli *g, int argc, char **argv);
int cmd_backup(struct cli *g, int argc, char **argv);
int cmd_restore(struct cli *g, int argc, char **argv);
int cmd_migrate(struct cli *g, int argc, char **argv);

/* shared by cmd_enroll.c (terminal confirmation) and cmd_verify.c */
/** cli_check_code: run tfa_confirm (@confirm) or tfa_verify and print the
 * outcome (text, or JSON when @json_out); returns the exit code. */
int cli_check_code(struct cli *g, tfa_ctx *ctx, const char *user, const char *code,
		   int confirm, int json_out);

#endif
