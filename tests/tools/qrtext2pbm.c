/* SPDX-License-Identifier: BSD-2-Clause */
/* qrtext2pbm - turn a terminal QR code drawn with Unicode half blocks (as
 * `qrencode -t UTF8` and tfa_qr_utf8 draw it) into a plain PBM image that
 * zbarimg can decode.
 *
 *   qrtext2pbm < text > image.pbm
 *
 * Only the lines made of nothing but spaces, U+2588 (full block), U+2580
 * (upper half) and U+2584 (lower half), with at least one block, are taken;
 * other lines (the URI, messages) are ignored, so a whole `tfa-admin enroll`
 * output can be piped in. Each character is one module wide and two modules
 * high; a block is light ink on a dark terminal, so ink is a light module
 * and a space a dark one. The image is scaled x4 with an extra 4-module
 * light margin. Exit 1 if no QR lines were found.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SCALE 4
#define MARGIN 4
#define MAXW 512
#define MAXH 512

/* module rows: 1 = dark */
static unsigned char dark[2 * MAXH][MAXW];

/* Decode one line into @top/@bot (1 = dark); returns its width in
 * characters, or -1 if it is not a QR line. */
static int parse_line(const char *s, unsigned char *top, unsigned char *bot)
{
	int w = 0, ink = 0;

	while (*s != '\0' && *s != '\n' && *s != '\r') {
		if (w >= MAXW)
			return -1;
		if (*s == ' ') {
			top[w] = 1;
			bot[w] = 1;
			s++;
		} else if ((unsigned char)s[0] == 0xe2 && (unsigned char)s[1] == 0x96 &&
			   ((unsigned char)s[2] == 0x88 || (unsigned char)s[2] == 0x80 ||
			    (unsigned char)s[2] == 0x84)) {
			unsigned char c = (unsigned char)s[2];

			top[w] = c == 0x84;   /* lower half: top is dark */
			bot[w] = c == 0x80;   /* upper half: bottom is dark */
			ink = 1;
			s += 3;
		} else {
			return -1;
		}
		w++;
	}
	return ink ? w : -1;
}

int main(void)
{
	static char line[8 * MAXW];
	unsigned char top[MAXW], bot[MAXW];
	int rows = 0, width = 0, w, x, y, i, j;

	while (fgets(line, sizeof(line), stdin) != NULL) {
		w = parse_line(line, top, bot);
		if (w < 0)
			continue;
		if (rows + 2 > 2 * MAXH)
			break;
		memset(dark[rows], 0, MAXW);
		memset(dark[rows + 1], 0, MAXW);
		memcpy(dark[rows], top, (size_t)w);
		memcpy(dark[rows + 1], bot, (size_t)w);
		rows += 2;
		if (w > width)
			width = w;
	}
	if (rows == 0) {
		fprintf(stderr, "qrtext2pbm: no QR code lines found\n");
		return 1;
	}
	printf("P1\n%d %d\n", (width + 2 * MARGIN) * SCALE, (rows + 2 * MARGIN) * SCALE);
	for (y = -MARGIN; y < rows + MARGIN; y++)
		for (i = 0; i < SCALE; i++) {
			for (x = -MARGIN; x < width + MARGIN; x++) {
				int d = y >= 0 && y < rows && x >= 0 && x < width && dark[y][x];

				for (j = 0; j < SCALE; j++)
					putchar(d ? '1' : '0');
			}
			putchar('\n');
		}
	return ferror(stdout) ? 1 : 0;
}
