/* nwdefs: a noweb filter that marks C definitions found by ctags. */
/*
 * Usage: markup FILES | nwdefs TAGS | finduses | noidx | ...
 *
 * TAGS has one definition a line, "identifier file line", where file and
 * line point into a .nw file (ctags --line-directives=yes over sources
 * tangled with #line directives).  Every definition that falls inside a
 * code chunk becomes "@index defn identifier" in that chunk, as if the
 * author had written "@ %def identifier" after it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct tag {
	char *ident;
	char *file;
	int line;
};

static struct tag *tags;
static int ntags;

/* Read the tags file; a line that does not parse is skipped. */
static void
read_tags(const char *path)
{
	char ident[512], file[1024];
	int line;
	FILE *f = fopen(path, "r");

	if (!f) {
		perror(path);
		exit(2);
	}
	while (fscanf(f, "%511s %1023s %d%*[^\n]", ident, file, &line) == 3) {
		tags = realloc(tags, (ntags + 1) * sizeof(*tags));
		if (!tags) {
			perror("nwdefs");
			exit(2);
		}
		tags[ntags].ident = strdup(ident);
		tags[ntags].file = strdup(file);
		tags[ntags].line = line;
		ntags++;
	}
	fclose(f);
}

/* Emit the definitions whose line lies in [first, last] of file. */
static void
emit_defs(const char *file, int first, int last)
{
	for (int i = 0; i < ntags; i++) {
		int dup = 0;

		if (strcmp(tags[i].file, file) || tags[i].line < first ||
		    tags[i].line > last)
			continue;
		for (int j = 0; j < i; j++)
			dup |= !strcmp(tags[j].ident, tags[i].ident) &&
			       !strcmp(tags[j].file, file) &&
			       tags[j].line >= first && tags[j].line <= last;
		if (!dup)
			printf("@index defn %s\n", tags[i].ident);
	}
}

int
main(int argc, char **argv)
{
	char *line = NULL, file[1024] = "";
	size_t cap = 0;
	ssize_t len;
	int lineno = 1, code_first = 0;

	if (argc != 2) {
		fputs("usage: nwdefs TAGS < markup-stream\n", stderr);
		return 2;
	}
	read_tags(argv[1]);
	while ((len = getline(&line, &cap, stdin)) > 0) {
		if (!strncmp(line, "@file ", 6)) {
			snprintf(file, sizeof(file), "%.*s", (int)(len - 7),
				 line + 6);
			lineno = 1;
		} else if (!strncmp(line, "@begin code", 11)) {
			code_first = lineno + 1;
		} else if (!strncmp(line, "@end code", 9)) {
			emit_defs(file, code_first, lineno - 1);
		} else if (!strcmp(line, "@nl\n") || !strcmp(line, "@index nl\n")) {
			lineno++;
		}
		fputs(line, stdout);
	}
	free(line);
	return 0;
}
