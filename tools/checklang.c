/* checklang: every English block of the book has its Chinese twin, and back. */
/*
 * Usage: checklang FILE...   (the chapters and book/front-matter.md)
 *
 * Prose lives in fenced divs, "::: {lang=en}" followed (after blank lines
 * only) by "::: {lang=zh}".  Reported as FILE:LINE, exit status 1:
 *  - an English block with no Chinese block right after it;
 *  - a Chinese block with no English block right before it;
 *  - a Chinese block with prose but no Chinese character in it (left
 *    untranslated); a block of fenced output alone is the same in both.
 *  - prose outside any language block;
 *  - a heading without both halves, "English · 中文".
 * Code chunks (from "<<name>>=" to a line starting with "@") are skipped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int errors;

static void
report(const char *file, int line, const char *msg)
{
	fprintf(stderr, "%s:%d: %s\n", file, line, msg);
	errors++;
}

static int
is_blank(const char *s)
{
	return s[strspn(s, " \t\r\n")] == '\0';
}

/* A CJK ideograph or full-width punctuation mark, in UTF-8. */
static int
has_chinese(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p >= 0xe3 && *p <= 0xe9 && p[1] >= 0x80)
			return 1;
	return 0;
}

/* The language of a div opening line, 0 if it is not one. */
static char
div_lang(const char *s)
{
	if (strncmp(s, ":::", 3))
		return 0;
	if (strstr(s, "lang=en"))
		return 'e';
	if (strstr(s, "lang=zh"))
		return 'z';
	return is_blank(s + strspn(s, ":")) ? 0 : '?';
}

static void
check_file(const char *file)
{
	FILE *f = fopen(file, "r");
	char *s = NULL;
	size_t cap = 0;
	int line = 0, in_code = 0, depth = 0, fence = 0;
	int open_line = 0, open_zh = 0, zh_text = 0, prose = 0;
	int pending_en = 0;	/* line of an English block awaiting its twin */

	if (!f) {
		perror(file);
		errors++;
		return;
	}
	while (getline(&s, &cap, f) > 0) {
		char lang;
		int fence_line;

		line++;
		if (in_code) {
			in_code = !(s[0] == '@' && (s[1] == ' ' || s[1] == '\n'));
			if (in_code)
				continue;
			if (strncmp(s, "@ %def", 6) == 0 || is_blank(s + 1))
				continue;
			s[0] = ' ';	/* "@ text": prose follows on this line */
		}
		if (!depth && strstr(s, "<<") && strstr(s, ">>=") && s[0] == '<') {
			in_code = 1;
			if (pending_en)
				report(file, pending_en,
				       "English block has no Chinese twin");
			pending_en = 0;
			continue;
		}
		fence_line = !strncmp(s, "~~~", 3) || !strncmp(s, "```", 3);
		if (fence_line)
			fence = !fence;
		if (fence || (depth && !is_blank(s) && strncmp(s, ":::", 3))) {
			zh_text |= has_chinese(s);
			prose |= !fence && !fence_line;
			continue;
		}
		lang = div_lang(s);
		if (lang) {
			if (depth) {
				depth++;
				continue;
			}
			if (lang == '?') {
				report(file, line,
				       "fenced div without {lang=en} or {lang=zh}");
				lang = 'e';
			}
			if (lang == 'z' && !pending_en)
				report(file, line,
				       "Chinese block has no English twin before it");
			if (lang == 'e' && pending_en)
				report(file, pending_en,
				       "English block has no Chinese twin");
			pending_en = 0;
			depth = 1;
			open_line = line;
			open_zh = lang == 'z';
			zh_text = 0;
			prose = 0;
			continue;
		}
		if (depth && !strncmp(s, ":::", 3)) {
			if (--depth)
				continue;
			if (open_zh && prose && !zh_text)
				report(file, open_line,
				       "Chinese block has no Chinese text (untranslated?)");
			if (!open_zh)
				pending_en = open_line;
			continue;
		}
		if (is_blank(s) || depth)
			continue;
		if (pending_en) {
			report(file, pending_en, "English block has no Chinese twin");
			pending_en = 0;
		}
		if (s[0] == '#') {
			if (!strstr(s, " · ") || !has_chinese(s))
				report(file, line,
				       "heading needs both halves: 'English · 中文'");
			continue;
		}
		report(file, line, "prose outside a {lang=en} or {lang=zh} block");
	}
	if (pending_en)
		report(file, pending_en, "English block has no Chinese twin");
	if (depth)
		report(file, open_line, "language block is never closed");
	free(s);
	fclose(f);
}

int
main(int argc, char **argv)
{
	if (argc < 2) {
		fputs("usage: checklang FILE...\n", stderr);
		return 2;
	}
	for (int i = 1; i < argc; i++)
		check_file(argv[i]);
	return errors ? 1 : 0;
}
