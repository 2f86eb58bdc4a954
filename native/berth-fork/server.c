/*
 * berth-fork serve <fd>: the same commands, forked from one long-lived
 * process instead of exec'd per call. On this kind of machine an exec of
 * berth-fork costs more than the liblxc call it makes (dynamic linking of
 * liblxc and its seven libraries, ~100 page faults); a fork of this small,
 * already linked, single-threaded process does not.
 *
 * <fd> is a SOCK_SEQPACKET socket to berthd. Each datagram is one request:
 *
 *   payload  "<map>\0argv0\0argv1\0...\0"
 *            map: one char per child fd from 0 up: 'o' takes the next
 *            passed fd, '-' is /dev/null, 'r' is the reply socket itself
 *   SCM_RIGHTS  the reply socket first, then one fd per 'o' in map order
 *
 *   or "kill\0<pid>\0<signal>\0" (no fds): signals a child this server has
 *   not reaped yet, so a pid can never name some other process.
 *
 * On the reply socket (a SOCK_SEQPACKET pair, one per request) the server
 * writes "pid <n>" once the child runs and "exit <wait status>" once it is
 * reaped, then closes it. A child mapped 'r' may write there too (exec's
 * --status-fd: the attached pid, a bare number).
 *
 * The server exits when berthd closes <fd>; children still running go on.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "server.h"

#define MAX_REQUEST (192 * 1024)
#define MAX_FDS 16
#define FIRST_STAGING_FD 64

struct child {
	pid_t pid;
	int reply;
};

static struct child *children;
static size_t nchildren, capchildren;

static void reply(int fd, const char *fmt, long value)
{
	char line[48];
	int len = snprintf(line, sizeof(line), fmt, value);
	/* The daemon may have given up on this request (and closed its end). */
	(void)send(fd, line, (size_t)len, MSG_NOSIGNAL | MSG_DONTWAIT);
}

static int track(pid_t pid, int reply_fd)
{
	if (nchildren == capchildren) {
		size_t cap = capchildren ? capchildren * 2 : 16;
		struct child *more = realloc(children, cap * sizeof(*more));
		if (!more)
			return -1;
		children = more;
		capchildren = cap;
	}
	children[nchildren].pid = pid;
	children[nchildren].reply = reply_fd;
	nchildren++;
	return 0;
}

static struct child *find(pid_t pid)
{
	for (size_t i = 0; i < nchildren; i++)
		if (children[i].pid == pid)
			return &children[i];
	return NULL;
}

static void reap(void)
{
	int status;
	pid_t pid;
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		struct child *c = find(pid);
		if (!c)
			continue;
		reply(c->reply, "exit %ld", status);
		close(c->reply);
		*c = children[--nchildren];
	}
}

/* In the child: fds[] become 0..n-1 (staged above everything first, so no
 * dup2 overwrites a source still needed), everything else is closed. */
static int place_fds(const char *map, const int *passed, int reply_fd)
{
	int staged[MAX_FDS], n = (int)strlen(map), next = 0;
	for (int i = 0; i < n; i++) {
		int src = map[i] == 'o' ? passed[next++] : map[i] == 'r' ? reply_fd : -1;
		staged[i] = src < 0 ? open("/dev/null", O_RDWR | O_CLOEXEC)
				    : fcntl(src, F_DUPFD_CLOEXEC, FIRST_STAGING_FD);
		if (staged[i] < 0)
			return -1;
	}
	for (int i = 0; i < n; i++)
		if (dup2(staged[i], i) < 0)
			return -1;
	/* dup2 clears FD_CLOEXEC on 0..n-1; everything above goes. */
	return (int)syscall(SYS_close_range, (unsigned)n, ~0U, 0);
}

static void run_child(const char *map, const int *passed, int reply_fd, int argc, char **argv, const sigset_t *mask)
{
	sigprocmask(SIG_SETMASK, mask, NULL);
	signal(SIGCHLD, SIG_DFL);
	if (place_fds(map, passed, reply_fd) < 0)
		_exit(EXIT_SPAWN_FAILED);
	setsid();
	/* exit(), not _exit(): stdio buffers (start prints the init pid) must reach the daemon. */
	exit(run_command(argc, argv));
}

static void handle_kill(char *payload, size_t len)
{
	char *pid_s = payload + strlen("kill") + 1, *sig_s;
	if (pid_s >= payload + len)
		return;
	sig_s = pid_s + strlen(pid_s) + 1;
	if (sig_s >= payload + len)
		return;
	struct child *c = find((pid_t)strtol(pid_s, NULL, 10));
	if (c)
		kill(c->pid, (int)strtol(sig_s, NULL, 10));
}

static void handle_request(int sock, char *buf, const sigset_t *mask)
{
	struct iovec iov = { .iov_base = buf, .iov_len = MAX_REQUEST };
	union {
		char raw[CMSG_SPACE(sizeof(int) * MAX_FDS)];
		struct cmsghdr align;
	} control;
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.raw, .msg_controllen = sizeof(control.raw) };
	int fds[MAX_FDS], nfds = 0;

	ssize_t len = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	if (len == 0)
		exit(0); /* berthd is gone */
	if (len < 0) {
		if (errno == EINTR || errno == EAGAIN)
			return;
		perror("berth-fork serve: recvmsg");
		exit(1);
	}
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			int n = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
			for (int i = 0; i < n && nfds < MAX_FDS; i++)
				memcpy(&fds[nfds++], CMSG_DATA(c) + i * sizeof(int), sizeof(int));
		}

	buf[len < MAX_REQUEST ? len : MAX_REQUEST - 1] = '\0';
	if (nfds == 0 && (size_t)len > strlen("kill") && strcmp(buf, "kill") == 0) {
		handle_kill(buf, (size_t)len);
		return;
	}

	/* Split "<map>\0argv...\0" into strings. */
	char *argv[4096];
	int argc = 0;
	for (char *p = buf + strlen(buf) + 1; p < buf + len && argc < 4095; p += strlen(p) + 1)
		argv[argc++] = p;
	argv[argc] = NULL;

	int wanted = 0;
	for (const char *m = buf; *m; m++)
		wanted += *m == 'o';
	if (nfds < 1 || nfds - 1 != wanted || strlen(buf) > MAX_FDS || argc < 1 || (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC))) {
		fprintf(stderr, "berth-fork serve: malformed request (%d fds, map \"%s\", %d args)\n", nfds, buf, argc);
		if (nfds > 0)
			reply(fds[0], "exit %ld", EXIT_SPAWN_FAILED << 8);
		for (int i = 0; i < nfds; i++)
			close(fds[i]);
		return;
	}

	pid_t pid = fork();
	if (pid == 0) {
		close(sock);
		run_child(buf, fds + 1, fds[0], argc, argv, mask);
	}
	for (int i = 1; i < nfds; i++)
		close(fds[i]);
	if (pid < 0 || track(pid, fds[0]) < 0) {
		reply(fds[0], "exit %ld", EXIT_SPAWN_FAILED << 8);
		close(fds[0]);
		return;
	}
	reply(fds[0], "pid %ld", pid);
}

int cmd_serve(const char *fd_arg)
{
	int sock = (int)strtol(fd_arg, NULL, 10);
	sigset_t chld, old;
	char *buf = malloc(MAX_REQUEST);

	if (!buf || fcntl(sock, F_SETFD, FD_CLOEXEC) < 0) {
		fprintf(stderr, "berth-fork serve: bad socket fd %s\n", fd_arg);
		return 2;
	}
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, &old);
	int sfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0) {
		perror("berth-fork serve: signalfd");
		return 1;
	}

	for (;;) {
		struct pollfd p[2] = { { .fd = sock, .events = POLLIN }, { .fd = sfd, .events = POLLIN } };
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			perror("berth-fork serve: poll");
			return 1;
		}
		if (p[1].revents) {
			struct signalfd_siginfo info;
			while (read(sfd, &info, sizeof(info)) == sizeof(info))
				;
			reap();
		}
		if (p[0].revents & POLLIN)
			handle_request(sock, buf, &old);
		else if (p[0].revents & (POLLHUP | POLLERR))
			return 0;
	}
}
