/*
 * berth-fork netcat <socket>: joins stdin/stdout to a unix socket. berthd gives
 * it to rsync as the remote shell (-e) when sending a volume over a migration
 * websocket, so the rsync client talks to berthd, which frames the bytes onto
 * the websocket (LXD does the same with "lxd netcat"). Extra arguments (the
 * remote rsync command line rsync appends) are ignored.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "netcat.h"

static int write_all(int fd, const char *buf, ssize_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= n;
	}
	return 0;
}

int cmd_netcat(const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof(addr.sun_path)) {
		fprintf(stderr, "berth-fork: socket path too long\n");
		return 1;
	}
	strcpy(addr.sun_path, path);

	int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (sock < 0 || connect(sock, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		perror("berth-fork: netcat connect");
		return 1;
	}

	struct pollfd fds[2] = { { .fd = STDIN_FILENO, .events = POLLIN }, { .fd = sock, .events = POLLIN } };
	char buf[65536];
	int in_open = 1;
	for (;;) {
		fds[0].fd = in_open ? STDIN_FILENO : -1;
		if (poll(fds, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			perror("berth-fork: netcat poll");
			return 1;
		}
		if (in_open && fds[0].revents) {
			ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				in_open = 0;
				shutdown(sock, SHUT_WR);
			} else if (write_all(sock, buf, n) < 0) {
				return 1;
			}
		}
		if (fds[1].revents) {
			ssize_t n = read(sock, buf, sizeof(buf));
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				return 0;
			if (write_all(STDOUT_FILENO, buf, n) < 0)
				return 1;
		}
	}
}
