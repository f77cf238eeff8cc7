/* Copying to the clipboard: see include/bakelens/clipboard.h. */
#include "bakelens/clipboard.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bakelens/base64.h"
#include "bakelens/mem.h"

void bl_clipboard_osc52(const void *data, size_t len, struct bl_buf *out)
{
	bl_buf_puts(out, "\033]52;c;");
	bl_base64_encode(data, len, out);
	bl_buf_putc(out, '\a');
}

void bl_clipboard_tmux_wrap(const char *seq, size_t len, struct bl_buf *out)
{
	bl_buf_puts(out, "\033Ptmux;");
	for (size_t i = 0; i < len; i++) {
		if (seq[i] == '\033')
			bl_buf_putc(out, '\033');
		bl_buf_putc(out, seq[i]);
	}
	bl_buf_puts(out, "\033\\");
}

void bl_clipboard_sequence(const void *data, size_t len, bool in_tmux, struct bl_buf *out)
{
	struct bl_buf seq;
	bl_buf_init(&seq);
	bl_clipboard_osc52(data, len, &seq);
	bl_buf_append(out, seq.data, seq.len);
	if (in_tmux)
		bl_clipboard_tmux_wrap(seq.data, seq.len, out);
	bl_buf_fini(&seq);
}

static const char *plain_getenv(const char *name)
{
	return getenv(name);
}

static bool on_path(const char *path, const char *prog)
{
	if (!path)
		return false;
	const char *p = path;
	while (*p) {
		const char *end = strchr(p, ':');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		if (n > 0) {
			char *full = bl_asprintf("%.*s/%s", (int)n, p, prog);
			bool ok = access(full, X_OK) == 0;
			free(full);
			if (ok)
				return true;
		}
		p += n;
		if (*p == ':')
			p++;
	}
	return false;
}

const char *const *bl_clipboard_find_tool(const char *(*getenv_fn)(const char *name))
{
	static const char *const wl[] = {"wl-copy", NULL};
	static const char *const xclip[] = {"xclip", "-selection", "clipboard", "-in", NULL};
	static const char *const xsel[] = {"xsel", "--clipboard", "--input", NULL};
	static const char *const pb[] = {"pbcopy", NULL};
	if (!getenv_fn)
		getenv_fn = plain_getenv;
	const char *path = getenv_fn("PATH");
	const char *wayland = getenv_fn("WAYLAND_DISPLAY");
	const char *display = getenv_fn("DISPLAY");
	if (wayland && *wayland && on_path(path, "wl-copy"))
		return wl;
	if (display && *display && on_path(path, "xclip"))
		return xclip;
	if (display && *display && on_path(path, "xsel"))
		return xsel;
	if (on_path(path, "pbcopy"))
		return pb;
	return NULL;
}

bool bl_clipboard_run_tool(
        const char *const *argv, const void *data, size_t len, struct bl_error *err)
{
	int fds[2];
	if (pipe(fds) != 0)
		return bl_fail_errno(err, BL_E_IO, "%s: cannot make a pipe", argv[0]);
	pid_t pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return bl_fail_errno(err, BL_E_IO, "%s: cannot start", argv[0]);
	}
	if (pid == 0) {
		/* The child must not write on the screen the UI owns. */
		int devnull = open("/dev/null", O_RDWR);
		dup2(fds[0], 0);
		if (devnull >= 0) {
			dup2(devnull, 1);
			dup2(devnull, 2);
		}
		close(fds[0]);
		close(fds[1]);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(fds[0]);
	/* A tool that dies early must not kill us with SIGPIPE. */
	struct sigaction ign = {.sa_handler = SIG_IGN}, old;
	sigemptyset(&ign.sa_mask);
	sigaction(SIGPIPE, &ign, &old);
	const char *p = data;
	size_t left = len;
	while (left > 0) {
		ssize_t n = write(fds[1], p, left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		p += n;
		left -= (size_t)n;
	}
	close(fds[1]);
	sigaction(SIGPIPE, &old, NULL);
	/* xclip and wl-copy fork to serve the selection and the parent exits;
	 * wait at most two seconds either way. */
	int status = 0;
	for (int i = 0; i < 200; i++) {
		pid_t r = waitpid(pid, &status, WNOHANG);
		if (r == pid) {
			if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
				return true;
			return bl_fail(err, BL_E_IO, "%s failed (status %d)", argv[0],
			        WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		}
		if (r < 0)
			return bl_fail_errno(err, BL_E_IO, "%s: wait", argv[0]);
		struct timespec ts = {0, 10 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	kill(pid, SIGTERM);
	waitpid(pid, &status, 0);
	return bl_fail(err, BL_E_IO, "%s did not finish in 2 s", argv[0]);
}
