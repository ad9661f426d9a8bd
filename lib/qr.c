/* SPDX-License-Identifier: BSD-2-Clause */
/* qr.c - QR codes for enrolment, through libqrencode.
 *
 * libqrencode is loaded (dlopen, TFA_QRENCODE_SONAME) only while a QR code
 * is drawn, so neither the PAM module nor tfa-admin link it: a login that
 * draws no QR code does not load it, and a system without it still enrols
 * (the caller prints the otpauth URI and key) with a message naming the
 * library. The PNG is written here (stored deflate blocks), without libpng
 * or zlib.
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
 * 4-module quiet zone; the image data is one zlib stream of stored
 * (uncompressed) blocks: a few kilobytes more, no compressor needed. The file is created with O_CREAT|O_EXCL|O_NOFOLLOW,
 * mode 0600: an existing file (or symlink) is never overwritten but refused
 * with TFA_EEXIST and a message naming it. If writing fails after the file
 * was created, the partial file is removed (only if it is still the file we
 * created).
 */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <qrencode.h>      /* the types only: the library is loaded at run time */

#include "qr.h"

#define PNG_SCALE 8     /* pixels a module */
#define PNG_MARGIN 4    /* modules of quiet zone */
#define UTF8_MARGIN 2

#define INK_FULL "\342\226\210"   /* U+2588 */
#define INK_UPPER "\342\226\200"  /* U+2580 */
#define INK_LOWER "\342\226\204"  /* U+2584 */
#define INK_NONE " "

/* libqrencode, loaded for one drawing */
struct qrlib {
	void *h;
	__typeof__(QRcode_encodeString8bit) *encode;
	__typeof__(QRcode_free) *free;
};

static void qrlib_close(struct qrlib *q)
{
	if (q->h != NULL)
		(void)dlclose(q->h);
	q->h = NULL;
}

static tfa_rc qrlib_open(struct qrlib *q, tfa_err *err)
{
	const char *why;

	memset(q, 0, sizeof(*q));
	(void)dlerror();
	q->h = dlopen(TFA_QRENCODE_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (q->h == NULL) {
		why = dlerror();
		(void)tfa_err_set(err, TFA_EIO, "cannot draw a QR code: cannot load %s (%s); "
				  "install libqrencode4", TFA_QRENCODE_SONAME,
				  why != NULL ? why : "not found");
		return TFA_EIO;
	}
	q->encode = (__typeof__(q->encode))dlsym(q->h, "QRcode_encodeString8bit");
	q->free = (__typeof__(q->free))dlsym(q->h, "QRcode_free");
	if (q->encode == NULL || q->free == NULL) {
		qrlib_close(q);
		(void)tfa_err_set(err, TFA_EIO, "cannot draw a QR code: %s lacks "
				  "QRcode_encodeString8bit or QRcode_free", TFA_QRENCODE_SONAME);
		return TFA_EIO;
	}
	return TFA_OK;
}

/* encode: the QR symbol of @text; TFA_EINVAL if empty or too long. */
static tfa_rc encode(const struct qrlib *q, const char *text, QRcode **qr)
{
	*qr = NULL;
	if (text == NULL || text[0] == '\0')
		return TFA_EINVAL;
	errno = 0;
	*qr = q->encode(text, 0, QR_ECLEVEL_L);
	if (*qr == NULL)
		return errno == ENOMEM ? TFA_ENOMEM : TFA_EINVAL;
	if ((*qr)->width <= 0) {
		q->free(*qr);
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

TFA_API tfa_rc tfa_qr_utf8(const char *text, char **out, tfa_err *err)
{
	struct qrlib q = { NULL, NULL, NULL };
	QRcode *qr = NULL;
	char *buf = NULL, *p;
	size_t cols, lines, size;
	int x, y;
	tfa_rc rc = TFA_EINVAL;

	if (out == NULL)
		goto out;
	*out = NULL;
	if (text == NULL || text[0] == '\0')
		goto out;
	rc = qrlib_open(&q, err);
	if (rc != TFA_OK)
		goto out;
	rc = encode(&q, text, &qr);
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
		q.free(qr);
	qrlib_close(&q);
	if (rc == TFA_EINVAL)
		(void)tfa_err_set(err, rc, "QR code: text is empty or too long");
	else if (rc == TFA_ENOMEM)
		(void)tfa_err_set(err, rc, "QR code: out of memory");
	return rc;
}

/* ---- PNG ---- */

#define ZBLOCK 65535u   /* the most a stored deflate block holds */

static uint32_t crc32_of(uint32_t crc, const uint8_t *p, size_t n)
{
	size_t i;
	int k;

	for (i = 0; i < n; i++) {
		crc ^= p[i];
		for (k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
	}
	return crc;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* One chunk: length, type, data, CRC of type and data. 0 or -1. */
static int put_chunk(FILE *fp, const char *type, const uint8_t *data, size_t len)
{
	uint8_t head[8], tail[4];
	uint32_t crc;

	put32(head, (uint32_t)len);
	memcpy(head + 4, type, 4);
	crc = crc32_of(0xffffffffu, head + 4, 4);
	crc = crc32_of(crc, data, len) ^ 0xffffffffu;
	put32(tail, crc);
	if (fwrite(head, 1, 8, fp) != 8 || (len > 0 && fwrite(data, 1, len, fp) != len) ||
	    fwrite(tail, 1, 4, fp) != 4)
		return -1;
	return 0;
}

/* The zlib stream (stored blocks) of the filtered image rows of @qr, each
 * a filter byte 0 and @side 1-bit pixels, 1 = white. */
static uint8_t *png_zdata(const QRcode *qr, unsigned side, size_t *zlen)
{
	size_t rowbytes = (side + 7) / 8, raw = (size_t)side * (rowbytes + 1);
	size_t nblocks = (raw + ZBLOCK - 1) / ZBLOCK, i, off, o = 2;
	uint32_t a = 1, b = 0;
	uint8_t *img, *z;
	unsigned px, py;

	img = malloc(raw);
	z = malloc(2 + raw + 5 * nblocks + 4);
	if (img == NULL || z == NULL) {
		free(img);
		free(z);
		return NULL;
	}
	for (py = 0; py < side; py++) {
		uint8_t *row = img + (size_t)py * (rowbytes + 1);
		int my = (int)(py / PNG_SCALE) - PNG_MARGIN;

		row[0] = 0;
		memset(row + 1, 0xff, rowbytes);
		for (px = 0; px < side; px++)
			if (dark(qr, (int)(px / PNG_SCALE) - PNG_MARGIN, my))
				row[1 + px / 8] &= (uint8_t)~(0x80u >> (px % 8));
	}
	z[0] = 0x78;    /* deflate, 32K window */
	z[1] = 0x01;    /* no dictionary, (0x7801 % 31 == 0) */
	for (off = 0; off < raw; off += ZBLOCK) {
		size_t n = raw - off < ZBLOCK ? raw - off : ZBLOCK;

		z[o++] = off + n == raw ? 1 : 0;    /* BFINAL, BTYPE 00 stored */
		z[o++] = (uint8_t)n;
		z[o++] = (uint8_t)(n >> 8);
		z[o++] = (uint8_t)~n;
		z[o++] = (uint8_t)(~n >> 8);
		memcpy(z + o, img + off, n);
		o += n;
	}
	for (i = 0; i < raw; i++) {
		a = (a + img[i]) % 65521u;
		b = (b + a) % 65521u;
	}
	put32(z + o, b << 16 | a);
	*zlen = o + 4;
	free(img);
	return z;
}

/* write_png: the symbol @qr as a PNG to @fp. */
static tfa_rc write_png(FILE *fp, const QRcode *qr, char *why, size_t whylen)
{
	static const uint8_t sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
	unsigned side = (unsigned)(qr->width + 2 * PNG_MARGIN) * PNG_SCALE;
	uint8_t ihdr[13];
	uint8_t *z;
	size_t zlen = 0;
	tfa_rc rc = TFA_OK;

	z = png_zdata(qr, side, &zlen);
	if (z == NULL) {
		(void)snprintf(why, whylen, "out of memory");
		return TFA_ENOMEM;
	}
	put32(ihdr, side);
	put32(ihdr + 4, side);
	ihdr[8] = 1;    /* bit depth */
	ihdr[9] = 0;    /* greyscale */
	ihdr[10] = 0;   /* deflate */
	ihdr[11] = 0;   /* adaptive filtering (each row: filter 0) */
	ihdr[12] = 0;   /* not interlaced */
	if (fwrite(sig, 1, sizeof(sig), fp) != sizeof(sig) ||
	    put_chunk(fp, "IHDR", ihdr, sizeof(ihdr)) != 0 ||
	    put_chunk(fp, "IDAT", z, zlen) != 0 || put_chunk(fp, "IEND", NULL, 0) != 0) {
		(void)snprintf(why, whylen, "write error");
		rc = TFA_EIO;
	}
	free(z);
	return rc;
}

TFA_API tfa_rc tfa_qr_png(const char *text, const char *path, tfa_err *err)
{
	struct qrlib q = { NULL, NULL, NULL };
	char epath[256], why[200];
	QRcode *qr = NULL;
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
	if (text != NULL && text[0] != '\0') {
		rc = qrlib_open(&q, err);
		if (rc != TFA_OK)
			goto out;
	}
	rc = q.h != NULL ? encode(&q, text, &qr) : TFA_EINVAL;
	if (rc != TFA_OK) {
		rc = tfa_err_set(err, rc, "QR PNG %s: %s", epath,
				 rc == TFA_ENOMEM ? "out of memory" :
				 "text is empty or too long for a QR code");
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
	rc = write_png(fp, qr, why, sizeof(why));
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
	if (qr != NULL)
		q.free(qr);
	qrlib_close(&q);
	return rc;
}
