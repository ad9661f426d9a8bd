/* SPDX-License-Identifier: BSD-2-Clause */
/* test_qr.c - terminal QR against the qrencode tool, PNG through zbarimg,
 * and the file-creation rules. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "qr.h"
#include "fixture.h"

#define QRENCODE "/usr/bin/qrencode"
#define ZBARIMG "/usr/bin/zbarimg"

static const char *const texts[] = {
	"hello",
	"otpauth://totp/Example:alice%40google.com?secret=JBSWY3DPEHPK3PXP&issuer=Example",
	"otpauth://hotp/ACME%20Co:bob?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
	"&issuer=ACME%20Co&algorithm=SHA512&digits=8&counter=0",
	"spaces, 'quotes' \"double\" $(not a shell) `x` \\ ;|&",
	"UTF-8: \xc3\xa9t\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac",
	"1234567890",
};

/* run: execute @argv (no shell), stdout into a new buffer *@out; stderr
 * goes to /dev/null. Returns the exit status, -1 if it did not run. */
static int run(const char *const argv[], char **out, size_t *outlen)
{
	int pfd[2], status;
	size_t len = 0, cap = 4096;
	char *buf;
	pid_t pid;
	ssize_t r;

	*out = NULL;
	*outlen = 0;
	if (pipe(pfd) != 0)
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDWR);

		dup2(pfd[1], 1);
		if (devnull >= 0) {
			dup2(devnull, 2);
			dup2(devnull, 0);
		}
		close(pfd[0]);
		close(pfd[1]);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(pfd[1]);
	buf = malloc(cap + 1);
	assert_non_null(buf);
	for (;;) {
		if (len == cap) {
			cap *= 2;
			buf = realloc(buf, cap + 1);
			assert_non_null(buf);
		}
		r = read(pfd[0], buf + len, cap - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	close(pfd[0]);
	buf[len] = '\0';
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	*out = buf;
	*outlen = len;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void test_utf8_matches_qrencode(void **state)
{
	size_t i, len;
	char *mine, *theirs;

	(void)state;
	if (access(QRENCODE, X_OK) != 0)
		skip();
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		const char *argv[] = { QRENCODE, "-t", "UTF8", "-m", "2", "-l", "L",
				       "-8", "-o", "-", texts[i], NULL };

		assert_int_equal(run(argv, &theirs, &len), 0);
		assert_int_equal(tfa_qr_utf8(texts[i], &mine, NULL), TFA_OK);
		if (strlen(mine) != len || memcmp(mine, theirs, len) != 0)
			fail_msg("terminal QR differs from qrencode for \"%s\":\n%s\n---\n%s",
				 texts[i], mine, theirs);
		free(mine);
		free(theirs);
	}
}

static void test_utf8_long_matches_qrencode(void **state)
{
	char text[2001], *mine, *theirs;
	const char *argv[] = { QRENCODE, "-t", "UTF8", "-m", "2", "-l", "L", "-8",
			       "-o", "-", text, NULL };
	size_t i, len;

	(void)state;
	if (access(QRENCODE, X_OK) != 0)
		skip();
	for (i = 0; i < sizeof(text) - 1; i++)
		text[i] = (char)('!' + i % 90);
	text[sizeof(text) - 1] = '\0';
	assert_int_equal(run(argv, &theirs, &len), 0);
	assert_int_equal(tfa_qr_utf8(text, &mine, NULL), TFA_OK);
	assert_int_equal(strlen(mine), len);
	assert_memory_equal(mine, theirs, len);
	free(mine);
	free(theirs);
}

/* without the tool: the shape is right */
static void test_utf8_shape(void **state)
{
	char *s, *line, *save = NULL;
	size_t width = 0, lines = 0;

	(void)state;
	assert_int_equal(tfa_qr_utf8("hello", &s, NULL), TFA_OK);
	/* version 1: 21 modules + 2 x 2 quiet = 25 columns; 11 + 2 lines */
	assert_int_equal(s[strlen(s) - 1], '\n');
	for (line = strtok_r(s, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		size_t cols = 0;
		const char *p;

		for (p = line; *p != '\0'; p++)
			if (((unsigned char)*p & 0xc0) != 0x80)
				cols++;
		if (lines == 0)
			width = cols;
		assert_int_equal(cols, width);
		/* two full blocks of quiet zone on each side */
		assert_memory_equal(line, "\342\226\210\342\226\210", 6);
		assert_memory_equal(line + strlen(line) - 6, "\342\226\210\342\226\210", 6);
		lines++;
	}
	assert_int_equal(width, 25);
	assert_int_equal(lines, 13);
	free(s);
}

static void test_utf8_bad(void **state)
{
	char *s = (char *)"x", *big;

	(void)state;
	assert_int_equal(tfa_qr_utf8("", &s, NULL), TFA_EINVAL);
	assert_null(s);
	assert_int_equal(tfa_qr_utf8(NULL, &s, NULL), TFA_EINVAL);
	assert_int_equal(tfa_qr_utf8("x", NULL, NULL), TFA_EINVAL);
	big = malloc(4001);
	assert_non_null(big);
	memset(big, 'a', 4000);
	big[4000] = '\0';
	assert_int_equal(tfa_qr_utf8(big, &s, NULL), TFA_EINVAL);
	free(big);
}

static int is_ascii(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s >= 0x80)
			return 0;
	return 1;
}

/* check_zbar: zbarimg reads @text back from the PNG at @path. Plain
 * `zbarimg --raw` prints the text and a newline, but guesses a character
 * set for 8-bit data (UTF-8 comes out as Shift-JIS mojibake), so non-ASCII
 * text is read with -Sbinary, which gives the bytes exactly and no newline. */
static void check_zbar(const char *path, const char *text)
{
	const char *plain[] = { ZBARIMG, "--raw", "-q", path, NULL };
	const char *binary[] = { ZBARIMG, "--raw", "-q", "-Sbinary", path, NULL };
	int ascii = is_ascii(text), ok;
	size_t len, want = strlen(text) + (ascii ? 1 : 0);
	char *out, msg[600];

	assert_int_equal(run(ascii ? plain : binary, &out, &len), 0);
	ok = len == want && memcmp(out, text, strlen(text)) == 0 &&
	     (!ascii || out[len - 1] == '\n');
	(void)snprintf(msg, sizeof(msg), "zbarimg read \"%s\", wanted \"%s\"", out, text);
	free(out);
	if (!ok)
		fail_msg("%s", msg);
}

static void test_png_decodes(void **state)
{
	const char *dir = ((const fx *)*state)->dir;
	char path[512];
	unsigned char sig[24];
	struct stat st;
	size_t i;
	int fd;
	tfa_err err;

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		snprintf(path, sizeof(path), "%s/qr%zu.png", dir, i);
		memset(&err, 0, sizeof(err));
		assert_int_equal(tfa_qr_png(texts[i], path, &err), TFA_OK);
		assert_int_equal(lstat(path, &st), 0);
		assert_true(S_ISREG(st.st_mode));
		assert_int_equal(st.st_mode & 07777, 0600);
		/* a PNG whose IHDR is (modules + 8) * 8 pixels square */
		fd = open(path, O_RDONLY);
		assert_true(fd >= 0);
		assert_int_equal(read(fd, sig, sizeof(sig)), sizeof(sig));
		close(fd);
		assert_memory_equal(sig, "\x89PNG\r\n\x1a\n", 8);
		assert_memory_equal(sig + 12, "IHDR", 4);
		assert_int_equal(((unsigned)sig[16] << 24 | sig[17] << 16 | sig[18] << 8 | sig[19]) % 8, 0);
		assert_memory_equal(sig + 16, sig + 20, 4);
		if (i == 0)	/* "hello" is version 1: 21 modules */
			assert_int_equal(sig[18] << 8 | sig[19], (21 + 8) * 8);
		if (access(ZBARIMG, X_OK) == 0)
			check_zbar(path, texts[i]);
	}
	if (access(ZBARIMG, X_OK) != 0)
		skip();
}

static void test_png_existing_refused(void **state)
{
	const char *dir = ((const fx *)*state)->dir;
	char path[512], buf[16];
	tfa_err err;
	int fd;

	snprintf(path, sizeof(path), "%s/exists.png", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "precious", 8), 8);
	close(fd);
	memset(&err, 0, sizeof(err));
	assert_int_equal(tfa_qr_png("hello", path, &err), TFA_EEXIST);
	assert_non_null(strstr(err.msg, path));
	assert_non_null(strstr(err.msg, "exists"));
	/* untouched */
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(read(fd, buf, sizeof(buf)), 8);
	close(fd);
	assert_memory_equal(buf, "precious", 8);
}

static void test_png_symlink_refused(void **state)
{
	const char *dir = ((const fx *)*state)->dir;
	char link[512], target[512];
	struct stat st;
	tfa_err err;

	snprintf(link, sizeof(link), "%s/link.png", dir);
	snprintf(target, sizeof(target), "%s/target.png", dir);
	assert_int_equal(symlink(target, link), 0);
	memset(&err, 0, sizeof(err));
	assert_int_equal(tfa_qr_png("hello", link, &err), TFA_EEXIST);
	assert_non_null(strstr(err.msg, link));
	assert_int_equal(lstat(target, &st), -1);	/* not created through it */
	assert_int_equal(errno, ENOENT);
}

static void test_png_errors(void **state)
{
	const char *dir = ((const fx *)*state)->dir;
	char path[512], *big;
	struct stat st;
	tfa_err err;

	snprintf(path, sizeof(path), "%s/no/such/dir/qr.png", dir);
	memset(&err, 0, sizeof(err));
	assert_int_equal(tfa_qr_png("hello", path, &err), TFA_EIO);
	assert_non_null(strstr(err.msg, path));
	assert_non_null(strstr(err.msg, strerror(ENOENT)));

	snprintf(path, sizeof(path), "%s/toolong.png", dir);
	big = malloc(4001);
	assert_non_null(big);
	memset(big, 'a', 4000);
	big[4000] = '\0';
	memset(&err, 0, sizeof(err));
	assert_int_equal(tfa_qr_png(big, path, &err), TFA_EINVAL);
	assert_non_null(strstr(err.msg, path));
	assert_int_equal(lstat(path, &st), -1);
	free(big);

	assert_int_equal(tfa_qr_png("", path, &err), TFA_EINVAL);
	assert_int_equal(tfa_qr_png("hello", "", &err), TFA_EINVAL);
	assert_int_equal(tfa_qr_png("hello", NULL, &err), TFA_EINVAL);
	assert_int_equal(tfa_qr_png("hello", path, NULL), TFA_OK);	/* err optional */
	assert_int_equal(tfa_qr_png("hello", path, NULL), TFA_EEXIST);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utf8_matches_qrencode),
		cmocka_unit_test(test_utf8_long_matches_qrencode),
		cmocka_unit_test(test_utf8_shape),
		cmocka_unit_test(test_utf8_bad),
		FX_TEST(test_png_decodes),
		FX_TEST(test_png_existing_refused),
		FX_TEST(test_png_symlink_refused),
		FX_TEST(test_png_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
