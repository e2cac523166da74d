/* nwtangle: write one root chunk out, indented, with optional #line directives. */
/*
 * Usage: markup -t FILES | nwtangle [-L] ROOT
 *
 * Like `notangle -t8 [-L]`, with one difference: notangle -L drops the
 * indentation of every chunk used inside another, so the tangled C loses
 * its shape.  Here a use keeps the white space in front of it for every
 * line of the chunk it brings in, and a #line directive goes before each
 * line whose .nw position does not follow the previous one.  Directives
 * are written only at the start of an output line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum piece_kind { P_TEXT, P_USE };

struct piece {
	enum piece_kind kind;
	char *s;
};

/* One source line of a code chunk: pieces, and where it stands. */
struct line {
	struct piece *p;
	int np;
	int file, lineno;
	int newline;		/* ends with a newline in the .nw */
};

struct def {
	char *name;
	struct line *lines;
	int nlines;
};

static char **files;
static int nfiles;
static struct def *defs;
static int ndefs;
static int with_directives;
static int last_file = -1, last_line;	/* of the last line written */
static int at_line_start = 1;
static int depth;

static void *
xrealloc(void *p, size_t n)
{
	p = realloc(p, n);
	if (!p) {
		perror("nwtangle");
		exit(2);
	}
	return p;
}

static void
add_piece(struct line *l, enum piece_kind k, const char *s)
{
	l->p = xrealloc(l->p, (l->np + 1) * sizeof(*l->p));
	l->p[l->np].kind = k;
	l->p[l->np].s = strdup(s);
	l->np++;
}

/* Start a new (empty) line in the definition being read. */
static struct line *
new_line(struct def *d, int file, int lineno)
{
	d->lines = xrealloc(d->lines, (d->nlines + 1) * sizeof(*d->lines));
	memset(&d->lines[d->nlines], 0, sizeof(*d->lines));
	d->lines[d->nlines].file = file;
	d->lines[d->nlines].lineno = lineno;
	return &d->lines[d->nlines++];
}

/* Read the markup stream: every code chunk, line by line. */
static void
parse(FILE *in)
{
	char *s = NULL;
	size_t cap = 0;
	ssize_t len;
	int file = -1, lineno = 1, in_code = 0, defn_line = 0;
	struct def *d = NULL;
	struct line *l = NULL;

	while ((len = getline(&s, &cap, in)) > 0) {
		char *arg = strchr(s, ' ');

		if (s[len - 1] == '\n')
			s[--len] = '\0';
		arg = arg ? arg + 1 : s + len;
		if (!strncmp(s, "@file ", 6)) {
			files = xrealloc(files, (nfiles + 1) * sizeof(*files));
			files[nfiles] = strdup(arg);
			file = nfiles++;
			lineno = 1;
		} else if (!strncmp(s, "@begin code", 11)) {
			in_code = 1;
			d = NULL;
		} else if (!strncmp(s, "@end ", 5)) {
			in_code = 0;
			d = NULL;
			l = NULL;
		} else if (!strcmp(s, "@nl")) {
			if (d && !l && !defn_line)	/* an empty line of code */
				l = new_line(d, file, lineno);
			if (l)
				l->newline = 1;
			l = NULL;
			defn_line = 0;
			lineno++;
		} else if (!strcmp(s, "@index nl")) {
			lineno++;		/* an "@ %def" line */
		} else if (in_code && !strncmp(s, "@defn ", 6)) {
			defs = xrealloc(defs, (ndefs + 1) * sizeof(*defs));
			d = &defs[ndefs++];
			memset(d, 0, sizeof(*d));
			d->name = strdup(arg);
			defn_line = 1;	/* the <<name>>= line ends next */
		} else if (d && (!strncmp(s, "@text", 5) || !strncmp(s, "@use ", 5))) {
			if (!l)
				l = new_line(d, file, lineno);
			add_piece(l, s[1] == 't' ? P_TEXT : P_USE, arg);
		}
	}
	free(s);
}

/* Write a #line directive if the next output line does not follow on. */
static void
sync_position(const struct line *l)
{
	if (!with_directives || !at_line_start)
		return;
	if (l->file == last_file && l->lineno == last_line + 1)
		return;
	printf("#line %d \"%s\"\n", l->lineno, files[l->file]);
}

static void
put_text(const char *s, const struct line *l)
{
	if (!*s)
		return;
	fputs(s, stdout);
	at_line_start = 0;
	last_file = l->file;
	last_line = l->lineno;
}

static void
end_line(void)
{
	putchar('\n');
	at_line_start = 1;
}

static void expand(const char *name, const char *indent, int file, int lineno);

/* True if every piece before piece j of the line is white space. */
static int
blank_before(const struct line *l, int j)
{
	for (int k = 0; k < j; k++)
		if (l->p[k].kind != P_TEXT || l->p[k].s[strspn(l->p[k].s, " \t")])
			return 0;
	return 1;
}

/* The indentation a use inherits: the text before it, tabs kept. */
static char *
indent_for(const struct line *l, int j, const char *outer)
{
	size_t n = strlen(outer);
	char *in = xrealloc(NULL, n + 1);

	memcpy(in, outer, n + 1);
	for (int k = 0; k < j; k++) {
		const char *t = l->p[k].s;

		in = xrealloc(in, n + strlen(t) + 1);
		for (; *t; t++)
			in[n++] = *t == '\t' ? '\t' : ' ';
		in[n] = '\0';
	}
	return in;
}

/* Expand the chunk used at piece j, indented as the text before it. */
static void
expand_use(const struct line *l, int j, const char *indent)
{
	char *in = indent_for(l, j, indent);

	expand(l->p[j].s, in, l->file, l->lineno);
	free(in);
}

/* Write one source line (without its newline) at the given indentation. */
static void
put_line(const struct line *l, const char *indent)
{
	int deferred = 1;	/* the indent is not written yet */

	for (int j = 0; j < l->np; j++) {
		const struct piece *p = &l->p[j];

		if (deferred && p->kind == P_TEXT && !p->s[strspn(p->s, " \t")])
			continue;	/* white space: held back until we know */
		if (p->kind == P_USE && deferred && blank_before(l, j)) {
			expand_use(l, j, indent);
			deferred = 0;
			continue;
		}
		if (deferred) {
			sync_position(l);
			put_text(indent, l);
			deferred = 0;
			for (int k = 0; k < j; k++)	/* white space held back */
				put_text(l->p[k].s, l);
		}
		if (p->kind == P_TEXT) {
			put_text(p->s, l);
		} else {
			expand_use(l, j, indent);
		}
	}
	if (deferred && l->np && *l->p[0].s) {	/* only white space */
		sync_position(l);
		put_text(indent, l);
		for (int k = 0; k < l->np; k++)
			put_text(l->p[k].s, l);
	} else if (deferred) {		/* an empty line: no indent either */
		sync_position(l);
		last_file = l->file;
		last_line = l->lineno;
	}
}

/* Write every definition of name, the last newline left to the caller. */
static void
expand(const char *name, const char *indent, int file, int lineno)
{
	int found = 0, first = 1;

	if (++depth > 64) {
		fprintf(stderr, "%s:%d: chunk <<%s>> is used inside itself\n",
			files[file], lineno, name);
		exit(1);
	}
	for (int i = 0; i < ndefs; i++) {
		const struct def *d = &defs[i];

		if (strcmp(d->name, name))
			continue;
		found = 1;
		for (int k = 0; k < d->nlines; k++) {
			const struct line *l = &d->lines[k];

			if (!first)
				end_line();
			first = 0;
			put_line(l, at_line_start ? indent : "");
		}
	}
	if (!found) {
		fprintf(stderr, "%s:%d: undefined chunk <<%s>>\n",
			file >= 0 ? files[file] : "?", lineno, name);
		exit(1);
	}
	depth--;
}

int
main(int argc, char **argv)
{
	const char *root = NULL;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-L"))
			with_directives = 1;
		else
			root = argv[i];
	}
	if (!root) {
		fputs("usage: markup -t FILES | nwtangle [-L] ROOT\n", stderr);
		return 2;
	}
	parse(stdin);
	expand(root, "", -1, 0);
	if (!at_line_start)
		end_line();
	return 0;
}
