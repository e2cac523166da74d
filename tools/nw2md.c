/* nw2md: a noweb back end that turns the markup pipeline into pandoc Markdown. */
/*
 * Input (stdin): the output of `markup FILES | nwdefs | finduses | noidx`.
 * Output: one Markdown file per chapter plus chunk and identifier index
 * pages, written into the directory given with -o.
 *
 *   nw2md -c                 check only: undefined and cyclic chunks
 *   nw2md -m html -o DIR     links between pages: 02-guest.html#anchor
 *   nw2md -m latex -o DIR    links inside one document: #anchor
 *
 * Errors are reported as FILE:LINE: message, and the exit status is 1.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One piece of a chunk's body, in stream order. */
enum piece_kind { P_TEXT, P_NL, P_USE, P_QUOTE, P_ENDQUOTE, P_IDUSE };

struct piece {
	enum piece_kind kind;
	char *s;		/* text, chunk name or identifier */
	int line;		/* .nw line the piece stands on */
};

struct chunk {
	int is_code;
	int file;		/* index into files[] */
	int line;		/* first line (the <<name>>= line for code) */
	char *name;		/* code only */
	int seq;		/* M in "N.M" (code only) */
	int defnum;		/* 1 for the first definition of name, 2... */
	struct piece *p;
	int np, cap;
	char **defs;		/* identifiers this chunk defines */
	int ndefs;
};

struct file {
	char *path;		/* as given to markup: chapters/05-host.nw */
	char *base;		/* 05-host */
	int chapter;		/* 5 */
};

/* A chunk name with its definitions and the code chunks that use it. */
struct name {
	char *name;
	int *defs, ndefs;
	int *uses, nuses;	/* chunk indices, each listed once */
	int first_use_line, first_use_file;
	const char *lang;	/* highlighting class, from its root */
	int mark;		/* DFS colour for the cycle check */
};

/* An identifier with the chunks that define and use it. */
struct ident {
	char *name;
	int *defs, ndefs;
	int *uses, nuses;
};

static struct file *files;
static int nfiles;
static struct chunk *chunks;
static int nchunks;
static struct name *names;
static int nnames;
static struct ident *idents;
static int nidents;
static int html_mode = 1;
static int in_index;		/* writing an index: LaTeX adds page numbers */
static int errors;

/* Print "file:line: message" and count an error. */
static void
error_at(int file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s:%d: ", file >= 0 ? files[file].path : "<stdin>",
		line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	errors++;
}

/* Allocate or die: the book is small, running out of memory is fatal. */
static void *
xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p) {
		perror("nw2md");
		exit(2);
	}
	return p;
}

static char *
xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(xrealloc(NULL, n), s, n);
}

/* Append one int to a growable array. */
static void
push_int(int **a, int *n, int v)
{
	*a = xrealloc(*a, (*n + 1) * sizeof(**a));
	(*a)[(*n)++] = v;
}

/* Append v unless it is already the last element (keeps lists unique). */
static void
push_int_once(int **a, int *n, int v)
{
	for (int i = 0; i < *n; i++)
		if ((*a)[i] == v)
			return;
	push_int(a, n, v);
}

static void
add_piece(struct chunk *c, enum piece_kind k, const char *s, int line)
{
	if (c->np == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 16;
		c->p = xrealloc(c->p, c->cap * sizeof(*c->p));
	}
	c->p[c->np].kind = k;
	c->p[c->np].s = s ? xstrdup(s) : NULL;
	c->p[c->np].line = line;
	c->np++;
}

/* Record that chunk c defines identifier id (once, whoever said so). */
static void
add_def(struct chunk *c, const char *id)
{
	for (int d = 0; d < c->ndefs; d++)
		if (!strcmp(c->defs[d], id))
			return;
	c->defs = xrealloc(c->defs, (c->ndefs + 1) * sizeof(char *));
	c->defs[c->ndefs++] = xstrdup(id);
}

static struct name *
find_name(const char *s, int create)
{
	for (int i = 0; i < nnames; i++)
		if (!strcmp(names[i].name, s))
			return &names[i];
	if (!create)
		return NULL;
	names = xrealloc(names, (nnames + 1) * sizeof(*names));
	memset(&names[nnames], 0, sizeof(*names));
	names[nnames].name = xstrdup(s);
	names[nnames].first_use_line = -1;
	return &names[nnames++];
}

static struct ident *
find_ident(const char *s, int create)
{
	for (int i = 0; i < nidents; i++)
		if (!strcmp(idents[i].name, s))
			return &idents[i];
	if (!create)
		return NULL;
	idents = xrealloc(idents, (nidents + 1) * sizeof(*idents));
	memset(&idents[nidents], 0, sizeof(*idents));
	idents[nidents].name = xstrdup(s);
	return &idents[nidents++];
}

/*
 * The definition a use of identifier id in chunk c stands for: one in the
 * same chapter if there is one (two chapters may each define a main or a
 * struct of the same name), else the first.
 */
static int
def_for_use(const struct ident *id, int c)
{
	for (int d = 0; d < id->ndefs; d++)
		if (chunks[id->defs[d]].file == chunks[c].file)
			return id->defs[d];
	return id->defs[0];
}

/* Register a chapter file: "chapters/05-host.nw" is chapter 5, page 05-host. */
static int
add_file(const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *b = slash ? slash + 1 : path;
	struct file *f;
	char *dot;

	files = xrealloc(files, (nfiles + 1) * sizeof(*files));
	f = &files[nfiles];
	f->path = xstrdup(path);
	f->base = xstrdup(b);
	dot = strrchr(f->base, '.');
	if (dot)
		*dot = '\0';
	f->chapter = isdigit((unsigned char)b[0]) ? atoi(b) : nfiles + 1;
	return nfiles++;
}

/* Parse the pipeline on stdin into files[] and chunks[]. */
static void
parse(FILE *in)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int file = -1, lineno = 1, seq = 0;
	struct chunk *c = NULL;

	while ((len = getline(&line, &cap, in)) > 0) {
		char *arg;

		if (line[len - 1] == '\n')
			line[--len] = '\0';
		arg = strchr(line, ' ');
		arg = arg ? arg + 1 : line + len;
		if (!strncmp(line, "@fatal", 6)) {
			fprintf(stderr, "nw2md: noweb pipeline failed: %s\n", arg);
			exit(1);
		} else if (!strncmp(line, "@file ", 6)) {
			file = add_file(arg);
			lineno = 1;
			seq = 0;
		} else if (!strncmp(line, "@begin ", 7)) {
			chunks = xrealloc(chunks, (nchunks + 1) * sizeof(*chunks));
			c = &chunks[nchunks++];
			memset(c, 0, sizeof(*c));
			c->is_code = !strncmp(arg, "code", 4);
			c->file = file;
			c->line = lineno;
			if (c->is_code)
				c->seq = ++seq;
		} else if (!strncmp(line, "@end ", 5)) {
			c = NULL;
		} else if (!c) {
			if (!strcmp(line, "@nl"))	/* newline between chunks */
				lineno++;
		} else if (!strncmp(line, "@defn ", 6)) {
			struct name *n = find_name(arg, 1);

			c->name = xstrdup(arg);
			push_int(&n->defs, &n->ndefs, (int)(c - chunks));
			c->defnum = n->ndefs;
		} else if (!strcmp(line, "@nl")) {
			if (c->name && lineno == c->line)
				;	/* the <<name>>= line itself */
			else
				add_piece(c, P_NL, NULL, lineno);
			lineno++;
		} else if (!strcmp(line, "@index nl")) {
			lineno++;	/* an "@ %def" line */
		} else if (!strncmp(line, "@text ", 6) || !strcmp(line, "@text")) {
			add_piece(c, P_TEXT, arg, lineno);
		} else if (!strncmp(line, "@use ", 5)) {
			add_piece(c, P_USE, arg, lineno);
		} else if (!strcmp(line, "@quote")) {
			add_piece(c, P_QUOTE, NULL, lineno);
		} else if (!strcmp(line, "@endquote")) {
			add_piece(c, P_ENDQUOTE, NULL, lineno);
		} else if (!strncmp(line, "@index use ", 11)) {
			add_piece(c, P_IDUSE, arg + 4, lineno);
		} else if (!strncmp(line, "@index defn ", 12)) {
			add_def(c, arg + 5);
		}
		/* every other @xref and @index line is noidx's; unused */
	}
	free(line);
}

/* Build the name and identifier tables; report uses of undefined chunks. */
static void
cross_reference(void)
{
	for (int i = 0; i < nchunks; i++) {
		struct chunk *c = &chunks[i];
		int in_quote = 0;

		for (int d = 0; d < c->ndefs; d++)
			push_int_once(&find_ident(c->defs[d], 1)->defs,
				      &find_ident(c->defs[d], 1)->ndefs, i);
		for (int j = 0; j < c->np; j++) {
			struct piece *p = &c->p[j];
			struct name *n;

			if (p->kind == P_QUOTE || p->kind == P_ENDQUOTE)
				in_quote = p->kind == P_QUOTE;
			if (p->kind == P_IDUSE && c->is_code) {
				struct ident *id = find_ident(p->s, 1);

				push_int_once(&id->uses, &id->nuses, i);
			}
			if (p->kind != P_USE)
				continue;
			n = find_name(p->s, 0);
			if (!n || !n->ndefs) {
				error_at(c->file, p->line,
					 "undefined chunk <<%s>>%s", p->s,
					 in_quote ? " (named in prose)" : "");
				continue;
			}
			if (c->is_code) {
				push_int_once(&n->uses, &n->nuses, i);
				if (n->first_use_line < 0) {
					n->first_use_line = p->line;
					n->first_use_file = c->file;
				}
			}
		}
	}
}

/* Depth-first search for a chunk that (indirectly) uses itself. */
static int
find_cycle(struct name *n, struct name **stack, int depth)
{
	n->mark = 1;
	stack[depth] = n;
	for (int d = 0; d < n->ndefs; d++) {
		struct chunk *c = &chunks[n->defs[d]];

		for (int j = 0; j < c->np; j++) {
			struct name *m;

			if (c->p[j].kind != P_USE)
				continue;
			m = find_name(c->p[j].s, 0);
			if (!m || m->mark == 2)
				continue;
			if (m->mark == 1) {
				int k = depth;

				while (k > 0 && stack[k] != m)
					k--;
				fprintf(stderr, "%s:%d: chunk <<%s>> is used inside itself:",
					files[c->file].path, c->p[j].line, m->name);
				for (; k <= depth; k++)
					fprintf(stderr, " <<%s>> ->", stack[k]->name);
				fprintf(stderr, " <<%s>>\n", m->name);
				errors++;
				return 1;
			}
			if (find_cycle(m, stack, depth + 1))
				return 1;
		}
	}
	n->mark = 2;
	return 0;
}

static void
check_cycles(void)
{
	struct name **stack = xrealloc(NULL, (nnames + 1) * sizeof(*stack));

	for (int i = 0; i < nnames; i++)
		if (!names[i].mark && find_cycle(&names[i], stack, 0))
			break;
	free(stack);
}

/* Highlighting class for a root chunk named after its output file. */
static const char *
lang_of_root(const char *root)
{
	const char *dot = strrchr(root, '.');
	const char *slash = strrchr(root, '/');
	const char *base = slash ? slash + 1 : root;

	if (!strcmp(base, "Makefile") || !strcmp(base, "Kbuild"))
		return "makefile";
	if (!dot)
		return "default";
	if (!strcmp(dot, ".c") || !strcmp(dot, ".h"))
		return "c";
	if (!strcmp(dot, ".S") || !strcmp(dot, ".s"))
		return "gnuassembler";
	if (!strcmp(dot, ".sh"))
		return "bash";
	return "default";
}

/* Give every name the language of the root it is (first) reached from. */
static void
assign_lang(struct name *n, const char *lang)
{
	if (n->lang)
		return;
	n->lang = lang;
	for (int d = 0; d < n->ndefs; d++) {
		struct chunk *c = &chunks[n->defs[d]];

		for (int j = 0; j < c->np; j++) {
			struct name *m;

			if (c->p[j].kind == P_USE && (m = find_name(c->p[j].s, 0)))
				assign_lang(m, lang);
		}
	}
}

static void
assign_langs(void)
{
	for (int i = 0; i < nnames; i++)
		if (!names[i].nuses)
			assign_lang(&names[i], lang_of_root(names[i].name));
	for (int i = 0; i < nnames; i++)
		if (!names[i].lang)
			names[i].lang = "default";
}

/* ---- Output ---------------------------------------------------------- */

static FILE *out;

/* Stable anchor for a chunk: c-<slug of its name>-<definition number>. */
static void
put_anchor(const struct chunk *c)
{
	int dash = 0;

	fputs("c-", out);
	for (const unsigned char *s = (const unsigned char *)c->name; *s; s++) {
		if (isalnum(*s)) {
			fputc(tolower(*s), out);
			dash = 0;
		} else if (*s < 0x80 && !dash) {
			fputc('-', out);
			dash = 1;
		}
	}
	fprintf(out, "-%d", c->defnum);
}

/* Link target of a chunk: same page in LaTeX mode, its page in HTML. */
static void
put_target(const struct chunk *c)
{
	fputc('(', out);
	if (html_mode)
		fprintf(out, "%s.html", files[c->file].base);
	fputc('#', out);
	put_anchor(c);
	fputc(')', out);
}

/* Write text so that pandoc Markdown takes every character literally. */
static void
put_escaped(const char *s)
{
	for (; *s; s++) {
		if (strchr("\\`*_{}[]()<>#+-.!|~^$@&\"'", *s))
			fputc('\\', out);
		fputc(*s, out);
	}
}

/*
 * In a printed index, the page after a chunk number: "4.158 (p. 311)",
 * "4.158（第311页）".  Each chunk has a \label (emit_code_header).
 */
static void
put_page_ref(const struct chunk *c)
{
	if (html_mode || !in_index)
		return;
	fputs("[`\\ (p.~\\pageref{", out);
	put_anchor(c);
	fputs("})`{=latex}]{.l-en}[`（第\\pageref{", out);
	put_anchor(c);
	fputs("}页）`{=latex}]{.l-zh}", out);
}

static void put_code_span(const char *s);

/*
 * A chunk's name in prose and headers: its [[identifiers]] as code spans,
 * the rest taken literally.  An unclosed [[ is literal text too.
 */
static void
put_chunk_name(const char *name)
{
	char *copy = xstrdup(name), *s = copy, *open, *close;

	while ((open = strstr(s, "[[")) && (close = strstr(open + 2, "]]"))) {
		*open = *close = '\0';
		put_escaped(s);
		put_code_span(open + 2);
		s = close + 2;
	}
	put_escaped(s);
	free(copy);
}

/* A chunk's name inside code, where no markup works: the [[ ]] dropped. */
static const char *
plain_chunk_name(const char *name)
{
	static char buf[512];
	size_t n = 0;

	for (; *name && n + 1 < sizeof(buf); name++) {
		if ((name[0] == '[' && name[1] == '[') ||
		    (name[0] == ']' && name[1] == ']')) {
			name++;
			continue;
		}
		buf[n++] = *name;
	}
	buf[n] = '\0';
	return buf;
}

/* "N.M" of a code chunk, as a link. */
static void
put_number_link(const struct chunk *c)
{
	fprintf(out, "[%d.%d]", files[c->file].chapter, c->seq);
	put_target(c);
	put_page_ref(c);
}

/* ⟨name⟩ N.M as one link to the name's first definition. */
static void
put_chunk_ref(const char *name)
{
	struct name *n = find_name(name, 0);
	const struct chunk *c = &chunks[n->defs[0]];

	fputs("[⟨", out);
	put_chunk_name(name);
	fprintf(out, "⟩ %d.%d]", files[c->file].chapter, c->seq);
	put_target(c);
	put_page_ref(c);
}

/* A word in both languages; the language filter keeps what it shows. */
static void
put_label(const char *en, const char *zh)
{
	fprintf(out, "[%s]{.l-en}[%s]{.l-zh}", en, zh);
}

/*
 * Punctuation in both languages: "4.1, 4.2." and "4.1、4.2。".  The English
 * one is followed by a space (class sp: the language filter adds it, since
 * Markdown drops a space at the end of a span).
 */
static void
put_punct(const char *en, const char *zh)
{
	fprintf(out, "[%s]{.l-en .sp}[%s]{.l-zh}", en, zh);
}

/* Write one inline code span, with as many backticks as it needs. */
static void
put_code_span(const char *s)
{
	int run = 0, longest = 0, pad = *s == '`' || (*s && s[strlen(s) - 1] == '`');

	for (const char *t = s; *t; t++) {
		run = *t == '`' ? run + 1 : 0;
		if (run > longest)
			longest = run;
	}
	for (int i = 0; i <= longest; i++)
		fputc('`', out);
	fprintf(out, "%s%s%s", pad ? " " : "", s, pad ? " " : "");
	for (int i = 0; i <= longest; i++)
		fputc('`', out);
}

/*
 * Does the quoted text name identifier id: "id", "id()", "struct id",
 * "union id", "enum id"?  A whole command such as "lguest guest.elf exit 7"
 * mentions struct lguest but is not it.
 */
static int
names_ident(const char *text, const char *id)
{
	static const char *const tags[] = { "struct ", "union ", "enum " };
	size_t n = strlen(id);

	for (size_t t = 0; t < sizeof(tags) / sizeof(tags[0]); t++)
		if (!strncmp(text, tags[t], strlen(tags[t])))
			text += strlen(tags[t]);
	return !strncmp(text, id, n) && (!text[n] || !strcmp(text + n, "()"));
}

/* Emit a [[quoted]] piece of prose: a chunk link, an identifier link or code. */
static int
put_quote(const struct chunk *c, int j)
{
	char text[1024] = "";
	const char *use = NULL, *ident = NULL;
	const struct ident *id;

	for (j++; j < c->np && c->p[j].kind != P_ENDQUOTE; j++) {
		const struct piece *p = &c->p[j];

		if (p->kind == P_TEXT)
			strncat(text, p->s, sizeof(text) - strlen(text) - 1);
		else if (p->kind == P_USE)
			use = p->s;
		else if (p->kind == P_IDUSE && !ident)
			ident = p->s;
	}
	id = ident ? find_ident(ident, 0) : NULL;
	if (use && !*text) {
		put_chunk_ref(use);
	} else if (id && id->ndefs && names_ident(text, ident)) {
		fputc('[', out);
		put_code_span(text);
		fputc(']', out);
		put_target(&chunks[def_for_use(id, (int)(c - chunks))]);
	} else if (*text) {
		put_code_span(text);
	}
	return j;
}

/*
 * Headings' ids ({#sec:...}) and the chapter each is in, so that a link
 * in prose to a section of another chapter, written "(#sec:x)", can go
 * to that chapter's page in HTML.
 */
struct section_id {
	char *id;
	int file;
};
static struct section_id *section_ids;
static int nsection_ids;
static int cur_file = -1;

static void
collect_section_ids(void)
{
	for (int i = 0; i < nchunks; i++) {
		if (chunks[i].is_code)
			continue;
		for (int j = 0; j < chunks[i].np; j++) {
			const char *t = chunks[i].p[j].s;

			if (chunks[i].p[j].kind != P_TEXT || t[0] != '#')
				continue;
			while ((t = strstr(t, "{#"))) {
				size_t n = strcspn(t + 2, " }");

				section_ids = xrealloc(section_ids, (nsection_ids + 1) *
						       sizeof(*section_ids));
				section_ids[nsection_ids].id = strndup(t + 2, n);
				section_ids[nsection_ids++].file = chunks[i].file;
				t += 2 + n;
			}
		}
	}
}

/* The page of a section id in another chapter, or NULL. */
static const char *
section_page(const char *id, size_t n)
{
	for (int i = 0; i < nsection_ids; i++)
		if (strlen(section_ids[i].id) == n &&
		    !strncmp(section_ids[i].id, id, n) &&
		    section_ids[i].file != cur_file)
			return files[section_ids[i].file].base;
	return NULL;
}

/* Prose is Markdown, but a "<<" (written @<< in the .nw) is no HTML tag. */
static void
put_prose(const char *s)
{
	for (const char *t = s; *t; t++) {
		const char *page;

		if (*t == '<' && (t[1] == '<' || (t > s && t[-1] == '<')))
			fputc('\\', out);
		if (html_mode && !strncmp(t, "](#", 3) &&
		    (page = section_page(t + 3, strcspn(t + 3, ")")))) {
			fprintf(out, "](%s.html#", page);
			t += 2;
			continue;
		}
		fputc(*t, out);
	}
}

static void
emit_docs(const struct chunk *c)
{
	for (int j = 0; j < c->np; j++) {
		const struct piece *p = &c->p[j];

		if (p->kind == P_TEXT)
			put_prose(p->s);
		else if (p->kind == P_NL)
			fputc('\n', out);
		else if (p->kind == P_QUOTE)
			j = put_quote(c, j);
	}
}

/* The header line: ⟨name⟩ N.M ≡ for a first definition, +≡ after. */
static void
emit_code_header(const struct chunk *c)
{
	fputs("[[⟨", out);
	put_chunk_name(c->name);
	fputs("⟩ ", out);
	put_number_link(c);
	fprintf(out, "]{.chunk-name} %s]{.chunk-head}", c->defnum > 1 ? "+≡" : "≡");
	if (!html_mode) {	/* for the indexes' page numbers */
		fputs("`\\label{", out);
		put_anchor(c);
		fputs("}`{=latex}", out);
	}
	fputs("\n\n", out);
}

/* LaTeX: an index is set in two columns. */
static void
index_columns(int begin)
{
	in_index = begin;
	if (!html_mode)
		fprintf(out, "\n```{=latex}\n%s\n```\n\n", begin ?
			"\\begin{multicols}{2}\\small\\raggedright"
			"\\renewcommand{\\labelitemi}{}" : "\\end{multicols}");
}

/*
 * Links inside code (HTML only).  The highlighter would cut a link's text
 * into pieces ("6.49" in assembly becomes three tokens), so each linked
 * piece is written as a placeholder word, lgxrefKz, and the code block's
 * "links" attribute holds, in order, each placeholder's target and text,
 * percent-encoded; book/filters/links.lua puts the links in after
 * highlighting.
 */
static char *links;
static size_t links_len;
static int nlinks;

static void
links_add(const char *s)
{
	size_t n = strlen(s);

	links = xrealloc(links, links_len + n + 1);
	memcpy(links + links_len, s, n + 1);
	links_len += n;
}

static void
links_add_encoded(const char *s)
{
	char buf[4];

	for (; *s; s++) {
		if (strchr("% \"|\\<>&'", *s)) {
			snprintf(buf, sizeof(buf), "%%%02X", (unsigned char)*s);
			links_add(buf);
		} else {
			buf[0] = *s;
			buf[1] = '\0';
			links_add(buf);
		}
	}
}

/* A link in code to chunk c: its placeholder in the code, its entry in links. */
static void
put_code_link(const char *text, const struct chunk *c)
{
	char buf[64];
	int dash = 0;

	fprintf(out, "lgxref%dz", nlinks++);
	if (links_len)
		links_add(" ");
	snprintf(buf, sizeof(buf), "%s.html#c-", files[c->file].base);
	links_add(buf);
	for (const unsigned char *s = (const unsigned char *)c->name; *s; s++) {
		if (isalnum(*s)) {
			buf[0] = (char)tolower(*s);
			buf[1] = '\0';
			links_add(buf);
			dash = 0;
		} else if (*s < 0x80 && !dash) {
			links_add("-");
			dash = 1;
		}
	}
	snprintf(buf, sizeof(buf), "-%d|", c->defnum);
	links_add(buf);
	links_add_encoded(text);
}

/* The code itself, numbered with the .nw line numbers. */
static void
emit_code_block(const struct chunk *c)
{
	const struct name *n = find_name(c->name, 0);
	char ref[1200];
	/* identifiers are C's and the assembler's: in a shell script or a
	 * Makefile the same word is a coincidence */
	int links_idents = !strcmp(n->lang, "c") || !strcmp(n->lang, "gnuassembler");

	links_len = 0;
	nlinks = 0;
	if (links)
		links[0] = '\0';
	/* the code first, into a buffer: the links attribute comes before it */
	FILE *saved = out;
	char *code = NULL;
	size_t code_len = 0;

	out = open_memstream(&code, &code_len);
	if (!out) {
		perror("nw2md");
		exit(2);
	}
	for (int j = 0; j < c->np; j++) {
		const struct piece *p = &c->p[j];
		const struct name *u;
		const struct ident *id;

		if (p->kind == P_TEXT && html_mode &&
		    (j == 0 || c->p[j - 1].kind == P_NL)) {
			/* markup expanded the indenting tabs; HTML gets them
			 * back, so that a phone can show them narrower */
			const char *t = p->s;

			while (!strncmp(t, "        ", 8)) {
				fputc('\t', out);
				t += 8;
			}
			fputs(t, out);
		} else if (p->kind == P_TEXT) {
			fputs(p->s, out);
		} else if (p->kind == P_NL) {
			fputc('\n', out);
		} else if (p->kind == P_USE && (u = find_name(p->s, 0)) && u->ndefs) {
			const struct chunk *d = &chunks[u->defs[0]];

			snprintf(ref, sizeof(ref), "⟨%s⟩ %d.%d",
				 plain_chunk_name(p->s),
				 files[d->file].chapter, d->seq);
			if (html_mode)
				put_code_link(ref, d);
			else
				fputs(ref, out);
		} else if (p->kind == P_USE) {
			fprintf(out, "⟨%s⟩", plain_chunk_name(p->s));
		} else if (p->kind == P_IDUSE && html_mode && links_idents &&
			   j + 1 < c->np &&
			   c->p[j + 1].kind == P_TEXT &&
			   !strncmp(c->p[j + 1].s, p->s, strlen(p->s)) &&
			   (id = find_ident(p->s, 0)) && id->ndefs &&
			   def_for_use(id, (int)(c - chunks)) != (int)(c - chunks)) {
			/* the identifier, at the start of the next text piece */
			put_code_link(p->s, &chunks[def_for_use(id, (int)(c - chunks))]);
			fputs(c->p[++j].s + strlen(p->s), out);
		}
	}
	if (c->np && c->p[c->np - 1].kind != P_NL)
		fputc('\n', out);
	fclose(out);
	out = saved;

	fprintf(out, "~~~~~~~~~~ {#");
	put_anchor(c);
	fprintf(out, "-code .%s .numberLines startFrom=\"%d\"", n->lang,
		c->line + 1);
	if (nlinks)
		fprintf(out, " links=\"%s\"", links);
	fputs("}\n", out);
	fwrite(code, 1, code_len, out);
	free(code);
	fputs("~~~~~~~~~~\n\n", out);
}

/* A list of chunk numbers as links, separated by commas. */
static void
put_chunk_list(const int *list, int n)
{
	for (int i = 0; i < n; i++) {
		if (i)
			put_punct(",", "、");
		put_number_link(&chunks[list[i]]);
	}
}

/* The footer: where the chunk is continued and used, what it uses and defines. */
static void
emit_code_footer(const struct chunk *c)
{
	const struct name *n = find_name(c->name, 0);
	int sep = 0;

	fputs("[", out);
	if (n->ndefs > 1) {
		put_label("Defined in", "定义于");
		fputc(' ', out);
		put_chunk_list(n->defs, n->ndefs);
		sep = 1;
	}
	if (sep)
		put_punct(".", "。");
	if (n->nuses) {
		put_label("Used in", "用于");
		fputc(' ', out);
		put_chunk_list(n->uses, n->nuses);
		put_punct(".", "。");
	} else {
		put_label("Root chunk (written to a file).",
			  "根代码块（写入文件）。");
		put_punct("", "");
	}
	if (c->ndefs) {
		put_label("Defines", "定义");
		fputc(' ', out);
		for (int d = 0; d < c->ndefs; d++) {
			if (d)
				put_punct(",", "、");
			put_code_span(c->defs[d]);
		}
		put_punct(".", "。");
	}
	fputs("]{.chunk-xref}\n\n", out);
}

static void
emit_code(const struct chunk *c)
{
	fputs("::: {.chunk #", out);
	put_anchor(c);
	fputs("}\n", out);
	emit_code_header(c);
	emit_code_block(c);
	emit_code_footer(c);
	fputs(":::\n", out);
}

static FILE *
open_out(const char *dir, const char *base)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.md", dir, base);
	f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "nw2md: %s: %s\n", path, strerror(errno));
		exit(2);
	}
	return f;
}

static void
emit_chapters(const char *dir)
{
	int file = -1;

	for (int i = 0; i < nchunks; i++) {
		const struct chunk *c = &chunks[i];

		if (c->file != file) {
			if (out)
				fclose(out);
			file = c->file;
			cur_file = file;
			out = open_out(dir, files[file].base);
		}
		if (c->is_code)
			emit_code(c);
		else
			emit_docs(c);
	}
	if (out)
		fclose(out);
	out = NULL;
}

static int
cmp_name(const void *a, const void *b)
{
	const struct name *x = a, *y = b;

	return strcasecmp(x->name, y->name);
}

static int
cmp_ident(const void *a, const void *b)
{
	const struct ident *x = a, *y = b;
	int r = strcasecmp(x->name, y->name);

	return r ? r : strcmp(x->name, y->name);
}

/* The index of chunk names: every name, its definitions and its uses. */
static void
emit_chunk_index(const char *dir)
{
	struct name *sorted = xrealloc(NULL, nnames * sizeof(*sorted));

	memcpy(sorted, names, nnames * sizeof(*sorted));
	qsort(sorted, nnames, sizeof(*sorted), cmp_name);
	out = open_out(dir, "chunks");
	fputs("# Index of chunks · 代码块索引 {#index-chunks .unnumbered}\n\n", out);
	index_columns(1);
	for (int i = 0; i < nnames; i++) {
		struct name *n = &sorted[i];

		if (!n->ndefs)
			continue;
		fputs("- ", out);
		put_chunk_ref(n->name);
		if (n->ndefs > 1) {
			fputs(" ", out);
			put_chunk_list(n->defs + 1, n->ndefs - 1);
		}
		if (n->nuses) {
			fputs(" --- ", out);
			put_label("used in", "用于");
			fputc(' ', out);
			put_chunk_list(n->uses, n->nuses);
		}
		fputc('\n', out);
	}
	index_columns(0);
	fclose(out);
	out = NULL;
	free(sorted);
}

/*
 * The index of identifiers: bold definitions, then uses.  A name defined
 * in two chapters gets one entry per chapter, each with the uses that
 * stand for its definitions (see def_for_use).
 */
static void
emit_ident_index(const char *dir)
{
	qsort(idents, nidents, sizeof(*idents), cmp_ident);
	out = open_out(dir, "identifiers");
	fputs("# Index of identifiers · 标识符索引 {#index-identifiers .unnumbered}\n\n", out);
	index_columns(1);
	for (int i = 0; i < nidents; i++) {
		struct ident *id = &idents[i];
		int nfiles_here = 0;

		for (int d = 0; d < id->ndefs; d++) {
			int first = 1;

			for (int e = 0; e < d; e++)
				first &= chunks[id->defs[e]].file != chunks[id->defs[d]].file;
			nfiles_here += first;
		}
		for (int d = 0; d < id->ndefs; d++) {
			int file = chunks[id->defs[d]].file, sep = 0;

			for (int e = 0; e < d; e++)
				if (chunks[id->defs[e]].file == file)
					file = -1;
			if (file < 0)
				continue;	/* this chapter's entry is written */
			fputs("- ", out);
			put_code_span(id->name);
			if (nfiles_here > 1)
				fprintf(out, " [(chapter %d)]{.l-en}[（第%d章）]{.l-zh}",
					files[file].chapter, files[file].chapter);
			fputs(": **", out);
			for (int e = d; e < id->ndefs; e++) {
				if (chunks[id->defs[e]].file != file)
					continue;
				if (sep++)
					fputs(", ", out);
				put_number_link(&chunks[id->defs[e]]);
			}
			fputs("**", out);
			for (int u = 0; u < id->nuses; u++) {
				int self = 0;

				for (int e = 0; e < id->ndefs; e++)
					self |= id->defs[e] == id->uses[u];
				if (self || chunks[def_for_use(id, id->uses[u])].file != file)
					continue;
				fputs(", ", out);
				put_number_link(&chunks[id->uses[u]]);
			}
			fputc('\n', out);
		}
	}
	index_columns(0);
	fclose(out);
	out = NULL;
}

static void
usage(void)
{
	fputs("usage: nw2md -c | nw2md -m html|latex -o DIR  < pipeline\n",
	      stderr);
	exit(2);
}

int
main(int argc, char **argv)
{
	const char *dir = NULL;
	int check_only = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-c"))
			check_only = 1;
		else if (!strcmp(argv[i], "-m") && i + 1 < argc)
			html_mode = !strcmp(argv[++i], "html");
		else if (!strcmp(argv[i], "-o") && i + 1 < argc)
			dir = argv[++i];
		else
			usage();
	}
	if (!check_only && !dir)
		usage();
	parse(stdin);
	cross_reference();
	check_cycles();
	if (errors)
		return 1;
	if (check_only)
		return 0;
	assign_langs();
	collect_section_ids();
	emit_chapters(dir);
	emit_chunk_index(dir);
	emit_ident_index(dir);
	return 0;
}
