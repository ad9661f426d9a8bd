/* SPDX-License-Identifier: BSD-2-Clause */
/* qr.c - QR codes for enrolment, through libqrencode and libpng.
 *
 * Both outputs encode the text in 8-bit (byte) mode at error correction
 * level L, the smallest version that fits - the same symbol as
 * `qrencode -l L -8 TEXT`.
 *
 * Terminal: two module rows a character row, a light module drawn as ink and
 * a dark one as a space, with a 2-module quiet zone, byte for byte what
 * `qrencode -t UTF8 -m 2` prints: one all-ink line above, each line starting
 * and ending with two full blocks, and one all-ink line below; a symbol has
 * an odd number of rows, so the last line's lower half is quiet zone too.
 *
 * PNG: 1-bit greyscale, dark modules black on white, 8 pixels a module and a
 * 4-module quiet zone. The file is created with O_CREAT|O_EXCL|O_NOFOLLOW,
 * mode 0600: an existing file (or symlink) is never overwritten but refused
 * with TFA_EEXIST and a message naming it. If writing fails after the file
 * was created, the partial file is removed (only if it is still the file we
 * created).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <png.h>
#include <qrencode.h>

#include "qr.h"

#define PNG_SCALE 8     /* pixels a module */
#define PNG_MARGIN 4    /* modules of quiet zone */
#define UTF8_MARGIN 2

#define INK_FULL "\342\226\210"   /* U+2588 */
#define INK_UPPER "\342\226\200"  /* U+2580 */
#define INK_LOWER "\342\226\204"  /* U+2584 */
#define INK_NONE " "

/* encode: the QR symbol of @text; TFA_EINVAL if empty or too long. */
static tfa_rc encode(const char *text, QRcode **qr)
{
	*qr = NULL;
	if (text == NULL || text[0] == '\0')
		return TFA_EINVAL;
	errno = 0;
	*qr = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_L);
	if (*qr == NULL)
		return errno == ENOMEM ? TFA_ENOMEM : TFA_EINVAL;
	if ((*qr)->width <= 0) {
		QRcode_free(*qr);
		*qr = NULL;
		return TFA_EINVAL;
	}
	return TFA_OK;
}

static int dark(const QRcode *qr, int x, int y)
{
	if (x < 0 || y < 0 || x >= qr->width || y >= qr->width)
		return 0;
	return qr->data[(size_t)y * (size_t)qr->width + (size_t)x] & 1;
}

static char *append(char *p, const char *s)
{
	size_t n = strlen(s);

	memcpy(p, s, n);
	return p + n;
}

TFA_API tfa_rc tfa_qr_utf8(const char *text, char **out)
{
	QRcode *qr = NULL;
	char *buf = NULL, *p;
	size_t cols, lines, size;
	int x, y;
	tfa_rc rc = TFA_EINVAL;

	if (out == NULL)
		goto out;
	*out = NULL;
	rc = encode(text, &qr);
	if (rc != TFA_OK)
		goto out;
	cols = (size_t)qr->width + 2 * UTF8_MARGIN;
	lines = ((size_t)qr->width + 1) / 2 + 2 * (UTF8_MARGIN / 2);
	size = lines * (cols * 3 + 1) + 1;	/* at most 3 bytes a cell */
	rc = TFA_ENOMEM;
	buf = malloc(size);
	if (buf == NULL)
		goto out;
	p = buf;
	for (y = 0; y < UTF8_MARGIN / 2; y++) {
		for (x = 0; x < (int)cols; x++)
			p = append(p, INK_FULL);
		*p++ = '\n';
	}
	for (y = 0; y < qr->width; y += 2) {
		for (x = -UTF8_MARGIN; x < qr->width + UTF8_MARGIN; x++) {
			int top = dark(qr, x, y), bot = dark(qr, x, y + 1);

			if (top && bot)
				p = append(p, INK_NONE);
			else if (top)
				p = append(p, INK_LOWER);
			else if (bot)
				p = append(p, INK_UPPER);
			else
				p = append(p, INK_FULL);
		}
		*p++ = '\n';
	}
	for (y = 0; y < UTF8_MARGIN / 2; y++) {
		for (x = 0; x < (int)cols; x++)
			p = append(p, INK_FULL);
		*p++ = '\n';
	}
	*p = '\0';
	*out = buf;
	buf = NULL;
	rc = TFA_OK;
out:
	free(buf);
	if (qr != NULL)
		QRcode_free(qr);
	return rc;
}

/* ---- PNG ---- */

typedef struct {
	jmp_buf jb;
	char msg[160];
} png_errstate;

static void png_err_cb(png_structp png, png_const_charp msg)
{
	png_errstate *st = png_get_error_ptr(png);

	(void)snprintf(st->msg, sizeof(st->msg), "%s",
		       msg != NULL ? msg : "libpng error");
	longjmp(st->jb, 1);
}

static void png_warn_cb(png_structp png, png_const_charp msg)
{
	(void)png;
	(void)msg;	/* a library must not print; warnings are not fatal */
}

/* write_png: the symbol @qr as a PNG to @fp. On failure the reason goes to
 * @why. libpng reports errors by longjmp, so everything that must survive
 * it lives in the caller or is volatile. */
static tfa_rc write_png(FILE *fp, const QRcode *qr, png_bytep row,
			char *why, size_t whylen)
{
	png_errstate st;
	png_structp png;
	png_infop info;
	volatile tfa_rc rc = TFA_EIO;
	unsigned side = (unsigned)(qr->width + 2 * PNG_MARGIN) * PNG_SCALE;
	size_t rowbytes = (side + 7) / 8;
	unsigned px, py;

	memset(&st, 0, sizeof(st));
	png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &st, png_err_cb,
				      png_warn_cb);
	if (png == NULL) {
		(void)snprintf(why, whylen, "cannot initialise libpng");
		return TFA_ENOMEM;
	}
	info = png_create_info_struct(png);
	if (info == NULL) {
		png_destroy_write_struct(&png, NULL);
		(void)snprintf(why, whylen, "cannot initialise libpng");
		return TFA_ENOMEM;
	}
	/* png and info are not changed after this point, so they keep their
	 * values across the longjmp */
	if (setjmp(st.jb)) {
		(void)snprintf(why, whylen, "%s", st.msg);
		goto out;
	}
	png_init_io(png, fp);
	png_set_IHDR(png, info, side, side, 1, PNG_COLOR_TYPE_GRAY,
		     PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
		     PNG_FILTER_TYPE_DEFAULT);
	png_write_info(png, info);
	for (py = 0; py < side; py++) {
		int my = (int)(py / PNG_SCALE) - PNG_MARGIN;

		/* 1 bit a pixel, most significant first; 1 = white */
		memset(row, 0xff, rowbytes);
		for (px = 0; px < side; px++) {
			int mx = (int)(px / PNG_SCALE) - PNG_MARGIN;

			if (dark(qr, mx, my))
				row[px / 8] &= (png_byte)~(0x80u >> (px % 8));
		}
		png_write_row(png, row);
	}
	png_write_end(png, info);
	rc = TFA_OK;
out:
	png_destroy_write_struct(&png, &info);
	return rc;
}

TFA_API tfa_rc tfa_qr_png(const char *text, const char *path, tfa_err *err)
{
	char epath[256], why[200];
	QRcode *qr = NULL;
	png_bytep row = NULL;
	FILE *fp = NULL;
	struct stat created;
	int fd = -1, made = 0, e;
	tfa_rc rc;

	why[0] = '\0';
	tfa_escape(path, epath, sizeof(epath));
	if (path == NULL || path[0] == '\0') {
		rc = tfa_err_set(err, TFA_EINVAL, "QR PNG: no file name given");
		goto out;
	}
	rc = encode(text, &qr);
	if (rc != TFA_OK) {
		rc = tfa_err_set(err, rc, "QR PNG %s: %s", epath,
				 rc == TFA_ENOMEM ? "out of memory" :
				 "text is empty or too long for a QR code");
		goto out;
	}
	row = malloc(((size_t)(qr->width + 2 * PNG_MARGIN) * PNG_SCALE + 7) / 8);
	if (row == NULL) {
		rc = tfa_err_set(err, TFA_ENOMEM, "QR PNG %s: out of memory", epath);
		goto out;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		e = errno;
		if (e == EEXIST)
			rc = tfa_err_set(err, TFA_EEXIST,
					 "%s: file exists, refusing to overwrite it", epath);
		else
			rc = tfa_err_set(err, TFA_EIO, "cannot create %s: %s",
					 epath, strerror(e));
		goto out;
	}
	made = 1;
	if (fstat(fd, &created) != 0) {
		e = errno;
		made = 0;	/* cannot tell it is ours later: leave it */
		rc = tfa_err_set(err, TFA_EIO, "cannot stat %s: %s", epath,
				 strerror(e));
		goto out;
	}
	fp = fdopen(fd, "wb");
	if (fp == NULL) {
		e = errno;
		rc = tfa_err_set(err, TFA_EIO, "cannot write %s: %s", epath,
				 strerror(e));
		goto out;
	}
	fd = -1;	/* owned by fp now */
	errno = 0;
	rc = write_png(fp, qr, row, why, sizeof(why));
	if (rc != TFA_OK) {
		e = errno;
		rc = tfa_err_set(err, rc, "cannot write %s: %s%s%s", epath, why,
				 e != 0 ? ": " : "", e != 0 ? strerror(e) : "");
		goto out;
	}
	if (fflush(fp) != 0 || ferror(fp)) {
		e = errno;
		rc = tfa_err_set(err, TFA_EIO, "cannot write %s: %s", epath,
				 strerror(e));
		goto out;
	}
	e = fclose(fp) != 0 ? errno : 0;
	fp = NULL;
	if (e != 0) {
		rc = tfa_err_set(err, TFA_EIO, "cannot write %s: %s", epath,
				 strerror(e));
		goto out;
	}
	rc = TFA_OK;
out:
	if (fp != NULL)
		(void)fclose(fp);
	if (fd >= 0)
		(void)close(fd);
	if (rc != TFA_OK && made) {
		struct stat now;

		/* remove the half-written file, if it is still ours */
		if (lstat(path, &now) == 0 && now.st_dev == created.st_dev &&
		    now.st_ino == created.st_ino)
			(void)unlink(path);
	}
	free(row);
	if (qr != NULL)
		QRcode_free(qr);
	return rc;
}
