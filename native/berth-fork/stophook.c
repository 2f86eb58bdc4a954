/*
 * berth-stophook <socket> <project> <name> [hook args...]
 *
 * liblxc's lxc.hook.post-stop for every container berthd starts: tells berthd
 * that the container stopped (LXC_TARGET=stop) or is rebooting (reboot), so a
 * container that stops by itself (poweroff inside) is cleaned up as a stop
 * through the API would be: proxies, host-side disk binds, its recorded power
 * state, and an ephemeral one deleted. liblxc waits for this hook before the
 * container counts as stopped, so it is a C program of its own (not berth-fork,
 * whose liblxc and its libraries take milliseconds to load), and for a stop
 * berthd makes itself (berthd creates <marker> first, and cleans up on its own)
 * it does nothing but see the marker. Otherwise it waits for berthd's answer
 * only briefly (berthd answers at once and cleans up after), and it always
 * exits 0: a daemon that is not running must not hold up a stop.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#define ANSWER_TIMEOUT_SECONDS 5

/* Instance and project names are [A-Za-z0-9-]; anything else is not sent. */
static int plain(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
			return 0;
	return 1;
}

static int notify(const char *socket_path, const char *project, const char *name)
{
	const char *target = getenv("LXC_TARGET");
	if (!target || (strcmp(target, "stop") != 0 && strcmp(target, "reboot") != 0))
		target = "stop";
	if (!plain(project) || !plain(name))
		return 0;

	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	if (strlen(socket_path) >= sizeof(addr.sun_path))
		return 0;
	strcpy(addr.sun_path, socket_path);

	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	struct timeval timeout = {.tv_sec = ANSWER_TIMEOUT_SECONDS};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		close(fd);
		return 0;
	}

	char request[512];
	int len = snprintf(request, sizeof(request),
			   "POST /internal/instances/%s/stopped?project=%s&target=%s HTTP/1.1\r\n"
			   "Host: berthd\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
			   name, project, target);
	if (len > 0 && (size_t)len < sizeof(request) && write(fd, request, (size_t)len) == len) {
		/* berthd has taken the call once its answer starts (it registers it before answering); Kestrel may keep
		 * the connection open for seconds after a Connection: close answer, so nothing more is read. */
		char answer[64];
		while (read(fd, answer, sizeof(answer)) < 0 && errno == EINTR)
			;
	}
	close(fd);
	return 0;
}

/* liblxc appends the container's name, "lxc" and the hook's type to a hook's arguments. */
int main(int argc, char **argv)
{
	struct stat st;
	if (argc < 5) {
		fprintf(stderr, "usage: berth-stophook <socket> <marker> <project> <name>\n");
		return 0;
	}
	if (stat(argv[2], &st) == 0)
		return 0;
	return notify(argv[1], argv[3], argv[4]);
}
