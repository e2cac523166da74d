/*
 * ptyrun.c: run a command on a fresh pseudo-terminal and play a script
 * against it, to test how the Launcher treats a terminal.
 *
 * Usage: ptyrun STEP... -- COMMAND [ARG...]
 *   expect=TEXT   wait (up to 60 s) until TEXT comes out, after what the
 *                 last expect= matched
 *   send=TEXT     type TEXT; \r, \n, \xHH and \\ are understood
 *   raw           the terminal must have ICANON, ECHO and ISIG off
 *   cooked        the terminal must have ICANON, ECHO and ISIG on
 *   kill=SIG      send signal SIG (INT, TERM) to the command
 *   exit=N        wait for the command: it must exit with N
 *   signal=SIG    wait for the command: it must die of SIG
 * The command's output is copied to stdout.  Exit status: 0 when every
 * step held, 1 at the first that did not (which is named on stderr).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define EXPECT_SECONDS	60
#define OUTPUT_MAX	65536

static int master, slave;	/* the slave stays open to read its modes */
static pid_t child;
static char output[OUTPUT_MAX];
static size_t output_len;
static size_t matched;		/* output up to here was matched already */
static int child_status = -1;

static int
fail(const char *step, const char *why)
{
	fprintf(stderr, "\nptyrun: %s: %s\n", step, why);
	if (child_status < 0)
		kill(child, SIGKILL);
	return 1;
}

/* Copy what the command wrote within @ms milliseconds: bytes, or 0. */
static int
pump(int ms)
{
	struct pollfd p = { master, POLLIN, 0 };
	ssize_t n;

	if (poll(&p, 1, ms) <= 0 || output_len >= sizeof(output) - 1)
		return 0;
	n = read(master, output + output_len,
		 sizeof(output) - 1 - output_len);
	if (n <= 0)
		return 0;
	fwrite(output + output_len, 1, n, stdout);
	fflush(stdout);
	output_len += n;
	output[output_len] = '\0';
	return n;
}

static int
expect(const char *text)
{
	time_t end = time(NULL) + EXPECT_SECONDS;
	char *at;

	while (!(at = strstr(output + matched, text))) {
		if (time(NULL) > end)
			return 0;
		pump(100);
	}
	matched = at + strlen(text) - output;
	return 1;
}

/* Type @text, with its escapes turned into bytes. */
static int
send_text(const char *text)
{
	char buf[256];
	size_t n = 0;

	for (; *text && n < sizeof(buf); text++) {
		if (*text != '\\') {
			buf[n++] = *text;
			continue;
		}
		text++;
		if (*text == 'r')
			buf[n++] = '\r';
		else if (*text == 'n')
			buf[n++] = '\n';
		else if (*text == 'x' && text[1] && text[2]) {
			char hex[3] = { text[1], text[2], 0 };

			buf[n++] = (char)strtol(hex, NULL, 16);
			text += 2;
		} else if (*text)
			buf[n++] = *text;
		else
			break;
	}
	return write(master, buf, n) == (ssize_t)n;
}

/* Are ICANON, ECHO and ISIG all off (@raw) or all on (!@raw)? */
static int
modes_are(int raw)
{
	struct termios t;
	tcflag_t bits = ICANON | ECHO | ISIG;

	pump(50);
	if (tcgetattr(slave, &t))
		return 0;
	return raw ? !(t.c_lflag & bits) : (t.c_lflag & bits) == bits;
}

static int
signal_number(const char *name)
{
	if (!strcmp(name, "INT"))
		return SIGINT;
	if (!strcmp(name, "TERM"))
		return SIGTERM;
	if (!strcmp(name, "HUP"))
		return SIGHUP;
	return -1;
}

/* Wait for the command, copying its output meanwhile. */
static int
reap(void)
{
	time_t end = time(NULL) + EXPECT_SECONDS;
	pid_t r;

	int status;

	while (child_status < 0 && time(NULL) <= end) {
		r = waitpid(child, &status, WNOHANG);
		if (r == child)
			child_status = status;
		else
			pump(100);
	}
	while (pump(50) > 0)
		;		/* what it wrote last */
	return child_status >= 0;
}

static int
step(const char *s)
{
	char why[64];

	if (!strncmp(s, "expect=", 7))
		return expect(s + 7) ? 0 : fail(s, "not seen");
	if (!strncmp(s, "send=", 5))
		return send_text(s + 5) ? 0 : fail(s, "write failed");
	if (!strcmp(s, "raw") || !strcmp(s, "cooked"))
		return modes_are(s[0] == 'r') ? 0 : fail(s, "other modes");
	if (!strncmp(s, "kill=", 5))
		return kill(child, signal_number(s + 5)) ? fail(s, "kill") : 0;
	if (!strncmp(s, "exit=", 5) || !strncmp(s, "signal=", 7)) {
		if (!reap())
			return fail(s, "still running");
		if (WIFEXITED(child_status))
			snprintf(why, sizeof(why), "exit=%d",
				 WEXITSTATUS(child_status));
		else
			snprintf(why, sizeof(why), "signal %d",
				 WTERMSIG(child_status));
		if (s[0] == 'e')
			return WIFEXITED(child_status) &&
			       WEXITSTATUS(child_status) == atoi(s + 5) ?
			       0 : fail(s, why);
		return WIFSIGNALED(child_status) &&
		       WTERMSIG(child_status) == signal_number(s + 7) ?
		       0 : fail(s, why);
	}
	return fail(s, "unknown step");
}

/* The command runs in a session of its own, the terminal its own. */
static void
start(char **argv)
{
	child = fork();
	if (child)
		return;
	setsid();
	close(master);
	if (ioctl(slave, TIOCSCTTY, 0) < 0)
		perror("TIOCSCTTY");
	dup2(slave, 0);
	dup2(slave, 1);
	dup2(slave, 2);
	if (slave > 2)
		close(slave);
	execvp(argv[0], argv);
	perror(argv[0]);
	_exit(127);
}

int
main(int argc, char **argv)
{
	int i, dash;

	for (dash = 1; dash < argc && strcmp(argv[dash], "--"); dash++)
		;
	if (dash >= argc - 1) {
		fprintf(stderr, "usage: ptyrun STEP... -- COMMAND [ARG...]\n");
		return 64;
	}
	master = posix_openpt(O_RDWR | O_NOCTTY);
	if (master < 0 || grantpt(master) || unlockpt(master) ||
	    (slave = open(ptsname(master), O_RDWR | O_NOCTTY)) < 0) {
		perror("ptyrun: a pseudo-terminal");
		return 1;
	}
	start(argv + dash + 1);
	for (i = 1; i < dash; i++)
		if (step(argv[i]))
			return 1;
	return 0;
}
