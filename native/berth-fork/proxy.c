/*
 * A proxy device's forwarder (LXD's forkproxy), one small process per device:
 *
 *   berth-fork forkproxy <pid> <listen> <connect> <host|instance> [<uid> <gid> <mode>]
 *
 * Addresses are tcp:<addr>:<port>, udp:<addr>:<port> or unix:<path> (unix:@name is abstract).
 * The listening socket is made in the host's network namespace (bind=host) or
 * in the container's (bind=instance, found from its init <pid>); then the
 * process moves to the other namespace, where every outgoing connection is
 * made. A unix path on the container's side is reached through
 * /proc/<pid>/root, so the socket lives in the container's filesystem; a unix
 * listening socket gets <uid>/<gid> (host ids) and <mode>.
 *
 * One single-threaded epoll loop forwards every connection with splice()
 * through a pipe per direction (no copies through user space); udp peers get
 * their own connected socket towards the target, replies go back from the
 * listening socket. It prints "ok" (or "error: ...") on stdout once listening,
 * and exits when the container's init does (pidfd) or on SIGTERM.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/fsuid.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "hotplug.h"

/* A bulk transfer moves in splices of up to this much (more only pins kernel memory per connection). */
#define PIPE_SIZE (256 * 1024)
/*
 * The send buffer of a socket whose peer is on this host (handshake round trip under LOCAL_RTT_US); the
 * kernel doubles it. Autotuned, a loopback or veth socket's buffer grows to tcp_wmem's maximum (4 MB): the
 * forwarder then queues megabytes that the receiver's own ACKs transmit (in the receiver's softirq, so the
 * sink does the sending as well as the reading; sent from two CPUs, segments also arrive out of order and
 * are retransmitted), and the data is cold in cache by the time it is read. The least that works is best:
 * two 64 kB loopback segments (medians for 200 MB over loopback: 186 ms, 205 at 128 kB, 227-247 autotuned,
 * with less CPU in forwarder and sink); with one, the receiver's delayed ACK (40 ms) paces every segment.
 * Remote peers keep autotuning (their bandwidth-delay product needs it).
 */
#define LOCAL_SNDBUF (64 * 1024)
#define LOCAL_RTT_US 200
/* A first read of this much by recv(); less means a message, not a bulk transfer. */
#define SMALL_READ (64 * 1024)
#define MAX_UDP_PEERS 256
/* How long the loop polls for the next event after handling some, before it sleeps. */
#define SPIN_NS (50 * 1000)
#define MAX_PORTS 1024
#define CONNECT_TIMEOUT_SECONDS 5

struct endpoint {
	int type; /* SOCK_STREAM or SOCK_DGRAM */
	struct sockaddr_storage sa;
	socklen_t len;
	char path[PATH_MAX]; /* unix path on the host side (for unlink), "" if abstract or inet */
};

/* One direction of a stream connection: bytes from 'from' to 'to' through a pipe. */
struct flow {
	int from, to;
	int pipe[2];
	size_t pending, capacity;
	int eof, readable, writable;
	int shut; /* the half-close was passed on */
	int hup; /* the peer's half-close (or an error) was seen: read on until recv() says so */
	int bulk; /* the last recv() filled the buffer: splice until the socket is drained */
};

struct conn {
	int kind; /* 1: stream connection, 2: udp peer, 0: listener, 3: pidfd */
	int fds[2];
	/* a listener: where its connections go; a udp peer: the listening socket its replies leave from */
	const struct endpoint *target;
	int lfd;
	struct flow flows[2];
	/* udp */
	struct sockaddr_storage peer;
	socklen_t peer_len;
	time_t used;
	struct conn *next_dead;
};

static int epfd;
static char unlink_path[PATH_MAX];
static struct conn *udp_peers[MAX_UDP_PEERS];
/* Closed connections are freed after the current batch of events, which may still name them. */
static struct conn *dead;

static void on_term(int sig)
{
	(void)sig;
	if (unlink_path[0])
		unlink(unlink_path);
	_exit(0);
}

static int fail(const char *what)
{
	printf("error: %s: %s\n", what, strerror(errno));
	fflush(stdout);
	return 1;
}

/* A port list as LXD's: "80", "8000-8002", "80,443,8000-8002"; returns how many ports, -1 if invalid. */
static int parse_ports(const char *list, int *ports)
{
	int n = 0;
	const char *p = list;
	for (;;) {
		char *end;
		long low = strtol(p, &end, 10), high = low;
		if (end == p || low < 0 || low > 65535)
			return -1;
		if (*end == '-') {
			p = end + 1;
			high = strtol(p, &end, 10);
			if (end == p || high < low || high > 65535)
				return -1;
		}
		for (long port = low; port <= high; port++) {
			if (n == MAX_PORTS)
				return -1;
			ports[n++] = (int)port;
		}
		if (*end == '\0')
			return n;
		if (*end != ',')
			return -1;
		p = end + 1;
	}
}

static void set_port(struct endpoint *e, int port)
{
	if (e->sa.ss_family == AF_INET)
		((struct sockaddr_in *)&e->sa)->sin_port = htons(port);
	else if (e->sa.ss_family == AF_INET6)
		((struct sockaddr_in6 *)&e->sa)->sin6_port = htons(port);
}

/*
 * Parses tcp:/udp:/unix: addresses; a unix path on the container's side goes through /proc/<pid>/root.
 * *nports gets the number of ports (ports[]); 1 for unix.
 */
static int parse(const char *spec, struct endpoint *e, long pid, int in_container, int *ports, int *nports)
{
	memset(e, 0, sizeof(*e));
	*nports = 1;
	ports[0] = 0;
	if (strncmp(spec, "unix:", 5) == 0) {
		struct sockaddr_un *un = (struct sockaddr_un *)&e->sa;
		const char *path = spec + 5;
		un->sun_family = AF_UNIX;
		e->type = SOCK_STREAM;
		if (path[0] == '@') {
			size_t n = strlen(path);
			if (n > sizeof(un->sun_path))
				return -1;
			memcpy(un->sun_path, path, n);
			un->sun_path[0] = '\0';
			e->len = offsetof(struct sockaddr_un, sun_path) + n;
			return 0;
		}
		if (path[0] != '/')
			return -1;
		char full[PATH_MAX];
		if (in_container)
			snprintf(full, sizeof(full), "/proc/%ld/root%s", pid, path);
		else
			snprintf(full, sizeof(full), "%s", path);
		if (strlen(full) >= sizeof(un->sun_path))
			return -1;
		strcpy(un->sun_path, full);
		strcpy(e->path, full);
		e->len = sizeof(*un);
		return 0;
	}

	if (strncmp(spec, "tcp:", 4) == 0)
		e->type = SOCK_STREAM;
	else if (strncmp(spec, "udp:", 4) == 0)
		e->type = SOCK_DGRAM;
	else
		return -1;
	char host[256];
	snprintf(host, sizeof(host), "%s", spec + 4);
	char *colon = strrchr(host, ':');
	if (!colon)
		return -1;
	*colon = '\0';
	*nports = parse_ports(colon + 1, ports);
	if (*nports < 1)
		return -1;
	int port = ports[0];
	char *h = host;
	if (h[0] == '[') {
		h++;
		h[strlen(h) - 1] = '\0';
	}
	if (h[0] == '\0')
		h = "0.0.0.0";
	struct sockaddr_in *in4 = (struct sockaddr_in *)&e->sa;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&e->sa;
	if (inet_pton(AF_INET, h, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons(port);
		e->len = sizeof(*in4);
	} else if (inet_pton(AF_INET6, h, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		e->len = sizeof(*in6);
	} else {
		return -1;
	}
	return 0;
}

static void watch(int fd, uint32_t events, struct conn *c, int op)
{
	struct epoll_event ev = {.events = events, .data.ptr = c};
	epoll_ctl(epfd, op, fd, &ev);
}

/* A stream connection's end, edge-triggered both ways; the low bit of the event data says which end. */
static void watch_side(int fd, struct conn *c, int side)
{
	struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, .data.u64 = (uintptr_t)c | (uintptr_t)side};
	epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
}

static void close_conn(struct conn *c)
{
	for (int i = 0; i < 2; i++) {
		if (c->fds[i] >= 0) {
			epoll_ctl(epfd, EPOLL_CTL_DEL, c->fds[i], NULL);
			close(c->fds[i]);
		}
		if (c->kind == 1 && c->flows[i].pipe[0] >= 0) {
			close(c->flows[i].pipe[0]);
			close(c->flows[i].pipe[1]);
		}
	}
	c->kind = -1;
	c->next_dead = dead;
	dead = c;
}

/*
 * Moves what it can in both directions. Stream sockets are watched
 * edge-triggered for both directions once, so there is no epoll_ctl per chunk:
 * readiness is remembered in the flow and cleared when a call says EAGAIN, or
 * when a recv() returns less than it asked for (the queue was empty then; new
 * data brings a new edge; an EOF queued before the event is in it as RDHUP).
 *
 * While the pipe is empty, a chunk is first read with recv() into a buffer and
 * sent on with send(): for request/response traffic that is two cheap calls
 * per message instead of three splices (in, out, and the EAGAIN one). A full
 * buffer means a bulk transfer: what follows moves by splice() through the
 * pipe, which is refilled while it drains, so neither socket waits for the
 * other. What send() could not take goes into the pipe and leaves from there.
 */
static char small_buf[SMALL_READ];

static int pump_flow(struct flow *f)
{
	int reading = 1; /* cleared for this round when a splice in finds the pipe's slots full */
	for (;;) {
		int moved = 0;
		if (f->pending == 0 && f->readable && !f->eof && !f->bulk) {
			ssize_t n = recv(f->from, small_buf, sizeof(small_buf), MSG_DONTWAIT);
			if (n < 0 && errno == EAGAIN) {
				f->readable = 0;
			} else if (n <= 0) {
				if (n < 0)
					return -1;
				f->eof = 1;
			} else {
				ssize_t sent = f->writable ? send(f->to, small_buf, n, MSG_DONTWAIT | MSG_NOSIGNAL) : 0;
				if (sent < 0 && errno != EAGAIN)
					return -1;
				if (sent < 0)
					sent = 0;
				if (sent < n) {
					/* The pipe is empty and holds at least a buffer's worth. */
					f->writable = 0;
					if (write(f->pipe[1], small_buf + sent, n - sent) != n - sent)
						return -1;
					f->pending = n - sent;
				}
				/* A short read drained the queue; an EOF already queued came in the same event (hup). */
				if (n < (ssize_t)sizeof(small_buf) && !f->hup)
					f->readable = 0;
				else
					f->bulk = 1;
				continue;
			}
		}
		if (f->bulk && reading && f->readable && !f->eof && f->pending < f->capacity) {
			ssize_t n = splice(f->from, NULL, f->pipe[1], NULL, f->capacity - f->pending, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
			if (n > 0) {
				f->pending += n;
				moved = 1;
			} else if (n < 0 && errno == EAGAIN && f->pending > 0) {
				/* Either the socket is drained or the pipe has no free slot: retried once the pipe drains. */
				reading = 0;
			} else if (n < 0 && errno == EAGAIN) {
				/* An empty pipe has room: the socket is drained, the bulk transfer paused. */
				f->readable = 0;
				f->bulk = 0;
			} else {
				if (n < 0)
					return -1;
				f->eof = 1;
			}
		}
		if (f->pending > 0 && f->writable) {
			ssize_t n = splice(f->pipe[0], NULL, f->to, NULL, f->pending, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
			if (n > 0) {
				f->pending -= n;
				reading = 1;
				moved = 1;
			} else if (n < 0 && errno == EAGAIN) {
				f->writable = 0;
			} else {
				return -1;
			}
		}
		if (!moved)
			break;
	}
	/* EOF passes the half-close on once everything before it has left. */
	if (f->eof && f->pending == 0 && !f->shut) {
		f->shut = 1;
		shutdown(f->to, SHUT_WR);
	}
	return 0;
}

static void pump(struct conn *c)
{
	for (int i = 0; i < 2; i++) {
		if (pump_flow(&c->flows[i]) < 0) {
			close_conn(c);
			return;
		}
	}
	if (c->flows[0].shut && c->flows[1].shut)
		close_conn(c);
}

/* An event on one end of a stream connection: fds[0] reads flow 0 and writes flow 1, fds[1] the other way round. */
static void on_stream_event(struct conn *c, int side, uint32_t events)
{
	if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
		c->flows[side].readable = 1;
	if (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR))
		c->flows[side].hup = 1;
	if (events & (EPOLLOUT | EPOLLHUP | EPOLLERR))
		c->flows[1 - side].writable = 1;
	pump(c);
}

static int connect_target(const struct endpoint *target)
{
	int fd = socket(target->sa.ss_family, target->type | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	struct timeval tv = {.tv_sec = CONNECT_TIMEOUT_SECONDS};
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (const struct sockaddr *)&target->sa, target->len) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int is_loopback(const struct sockaddr_storage *sa)
{
	if (sa->ss_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr) >> 24) == 127;
	const struct in6_addr *a = &((const struct sockaddr_in6 *)sa)->sin6_addr;
	return IN6_IS_ADDR_LOOPBACK(a) || (IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127);
}

/*
 * TCP_NODELAY, and a small send buffer towards a peer on this host (see LOCAL_SNDBUF): a loopback address, or
 * a handshake that took less than LOCAL_RTT_US (a veth; a loaded machine may miss it, which only costs speed).
 */
static void tune(int fd)
{
	struct sockaddr_storage sa;
	socklen_t len = sizeof(sa);
	if (getpeername(fd, (struct sockaddr *)&sa, &len) < 0 || (sa.ss_family != AF_INET && sa.ss_family != AF_INET6))
		return;
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	struct tcp_info info;
	len = sizeof(info);
	if (is_loopback(&sa) || (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len) == 0 && info.tcpi_rtt > 0 && info.tcpi_rtt < LOCAL_RTT_US)) {
		int size = LOCAL_SNDBUF;
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
	}
}

static void accept_stream(struct conn *listener)
{
	for (;;) {
		int client = accept4(listener->fds[0], NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (client < 0)
			return;
		int upstream = connect_target(listener->target);
		if (upstream < 0) {
			close(client);
			continue;
		}
		fcntl(upstream, F_SETFL, fcntl(upstream, F_GETFL) | O_NONBLOCK);
		tune(client);
		tune(upstream);
		struct conn *c = calloc(1, sizeof(*c));
		c->kind = 1;
		c->fds[0] = client;
		c->fds[1] = upstream;
		c->flows[0] = (struct flow){.from = client, .to = upstream, .pipe = {-1, -1}};
		c->flows[1] = (struct flow){.from = upstream, .to = client, .pipe = {-1, -1}};
		if (pipe2(c->flows[0].pipe, O_CLOEXEC | O_NONBLOCK) < 0 || pipe2(c->flows[1].pipe, O_CLOEXEC | O_NONBLOCK) < 0) {
			close_conn(c);
			continue;
		}
		for (int i = 0; i < 2; i++) {
			struct flow *f = &c->flows[i];
			int size = fcntl(f->pipe[1], F_SETPIPE_SZ, PIPE_SIZE);
			f->capacity = size > 0 ? (size_t)size : (size_t)fcntl(f->pipe[1], F_GETPIPE_SZ);
			f->readable = f->writable = 1;
		}
		watch_side(client, c, 0);
		watch_side(upstream, c, 1);
		pump(c);
	}
}

/* A datagram from a client: sent on by that client's own socket towards the target (made on first sight). */
static void udp_from_client(struct conn *listener)
{
	static char buf[65536];
	for (;;) {
		struct sockaddr_storage peer;
		socklen_t len = sizeof(peer);
		ssize_t n = recvfrom(listener->fds[0], buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&peer, &len);
		if (n < 0)
			return;
		struct conn *c = NULL;
		int oldest = 0;
		for (int i = 0; i < MAX_UDP_PEERS; i++) {
			if (udp_peers[i] && udp_peers[i]->lfd == listener->fds[0] && udp_peers[i]->peer_len == len && memcmp(&udp_peers[i]->peer, &peer, len) == 0) {
				c = udp_peers[i];
				break;
			}
			if (!udp_peers[i] || (udp_peers[oldest] && udp_peers[i]->used < udp_peers[oldest]->used))
				oldest = i;
		}
		if (!c) {
			int fd = connect_target(listener->target);
			if (fd < 0)
				continue;
			fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
			if (udp_peers[oldest])
				close_conn(udp_peers[oldest]);
			c = calloc(1, sizeof(*c));
			c->kind = 2;
			c->fds[0] = fd;
			c->fds[1] = -1;
			c->peer = peer;
			c->peer_len = len;
			c->lfd = listener->fds[0];
			udp_peers[oldest] = c;
			watch(fd, EPOLLIN, c, EPOLL_CTL_ADD);
		}
		c->used = time(NULL);
		send(c->fds[0], buf, n, MSG_DONTWAIT);
	}
}

static void udp_from_target(struct conn *c)
{
	static char buf[65536];
	for (;;) {
		ssize_t n = recv(c->fds[0], buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0)
			return;
		sendto(c->lfd, buf, n, MSG_DONTWAIT, (struct sockaddr *)&c->peer, c->peer_len);
	}
}

static int open_ns_fd(long pid)
{
	char path[64];
	if (pid > 0)
		snprintf(path, sizeof(path), "/proc/%ld/ns/net", pid);
	else
		snprintf(path, sizeof(path), "/proc/self/ns/net");
	return open(path, O_RDONLY | O_CLOEXEC);
}

int cmd_forkproxy(int argc, char **argv)
{
	/* argv: pid listen connect bind [uid gid mode] */
	if (argc != 4 && argc != 7) {
		fprintf(stderr, "usage: berth-fork forkproxy <pid> <listen> <connect> <host|instance> [<uid> <gid> <mode>]\n");
		return 2;
	}
	long pid = strtol(argv[0], NULL, 10);
	int instance = strcmp(argv[3], "instance") == 0;
	static struct endpoint listen_at, target_at;
	static int listen_ports[MAX_PORTS], connect_ports[MAX_PORTS];
	int nlisten, nconnect;
	if (parse(argv[1], &listen_at, pid, instance, listen_ports, &nlisten) < 0) {
		printf("error: invalid listen address \"%s\"\n", argv[1]);
		return 1;
	}
	if (parse(argv[2], &target_at, pid, !instance, connect_ports, &nconnect) < 0) {
		printf("error: invalid connect address \"%s\"\n", argv[2]);
		return 1;
	}
	if ((listen_at.type == SOCK_DGRAM) != (target_at.type == SOCK_DGRAM)) {
		printf("error: udp can only be forwarded to udp\n");
		return 1;
	}
	/* As LXD: every listen port to the one connect port, or each to its counterpart in a range as long. */
	if (nconnect != 1 && nconnect != nlisten) {
		printf("error: connect must name one port or as many ports as listen\n");
		return 1;
	}
	struct conn *listeners = calloc(nlisten, sizeof(*listeners));
	struct endpoint *targets = calloc(nlisten, sizeof(*targets));
	if (!listeners || !targets)
		return fail("calloc");

	int host_ns = open_ns_fd(0), container_ns = open_ns_fd(pid);
	if (host_ns < 0 || container_ns < 0)
		return fail("open network namespace");
	int pidfd = syscall(SYS_pidfd_open, (pid_t)pid, 0);
	if (pidfd < 0)
		return fail("pidfd_open");

	if (setns(instance ? container_ns : host_ns, CLONE_NEWNET) < 0)
		return fail("setns");
	for (int i = 0; i < nlisten; i++) {
		targets[i] = target_at;
		set_port(&targets[i], connect_ports[nconnect == 1 ? 0 : i]);
		listeners[i].kind = 0;
		listeners[i].target = &targets[i];
		set_port(&listen_at, listen_ports[i]);
		int fd = socket(listen_at.sa.ss_family, listen_at.type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		if (fd < 0)
			return fail("socket");
		listeners[i].fds[0] = fd;
		listeners[i].fds[1] = -1;
		int one = 1;
		if (listen_at.sa.ss_family != AF_UNIX)
			setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (listen_at.path[0]) {
			struct stat st;
			if (lstat(listen_at.path, &st) == 0 && S_ISSOCK(st.st_mode))
				unlink(listen_at.path);
		}
		/* On the container's idmapped rootfs host root is unmapped (EOVERFLOW): the socket is made as its owner there. */
		int as_owner = listen_at.path[0] && argc == 7 && instance;
		if (as_owner) {
			setfsgid(strtol(argv[5], NULL, 10));
			setfsuid(strtol(argv[4], NULL, 10));
		}
		int bound = bind(fd, (struct sockaddr *)&listen_at.sa, listen_at.len);
		if (as_owner) {
			setfsuid(0);
			setfsgid(0);
		}
		if (bound < 0)
			return fail("bind");
		if (listen_at.path[0]) {
			snprintf(unlink_path, sizeof(unlink_path), "%s", listen_at.path);
			if (argc == 7) {
				if ((!as_owner && chown(listen_at.path, strtol(argv[4], NULL, 10), strtol(argv[5], NULL, 10)) < 0) ||
				    chmod(listen_at.path, strtol(argv[6], NULL, 8)) < 0)
					return fail("chown/chmod");
			}
		}
		if (listen_at.type == SOCK_STREAM && listen(fd, 128) < 0)
			return fail("listen");
	}
	if (setns(instance ? host_ns : container_ns, CLONE_NEWNET) < 0)
		return fail("setns");
	close(host_ns);
	close(container_ns);

	struct sigaction sa = {.sa_handler = on_term};
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	setsid();

	epfd = epoll_create1(EPOLL_CLOEXEC);
	struct conn pidwatch = {.kind = 3};
	for (int i = 0; i < nlisten; i++)
		watch(listeners[i].fds[0], EPOLLIN, &listeners[i], EPOLL_CTL_ADD);
	watch(pidfd, EPOLLIN, &pidwatch, EPOLL_CTL_ADD);

	printf("ok\n");
	fflush(stdout);
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		close(null);
	}

	struct epoll_event events[64];
	int busy = 0;
	for (;;) {
		/* Right after forwarding, the answer (or the next chunk) usually follows within tens of microseconds:
		 * polling for it that long is cheaper than sleeping and being woken, which on a VM costs as much. */
		int n = 0;
		if (busy) {
			struct timespec t0, t;
			clock_gettime(CLOCK_MONOTONIC, &t0);
			do {
				n = epoll_wait(epfd, events, 64, 0);
				clock_gettime(CLOCK_MONOTONIC, &t);
			} while (n == 0 && (t.tv_sec - t0.tv_sec) * 1000000000L + (t.tv_nsec - t0.tv_nsec) < SPIN_NS);
		}
		if (n == 0)
			n = epoll_wait(epfd, events, 64, -1);
		busy = n > 0;
		if (n < 0 && errno != EINTR)
			break;
		for (int i = 0; i < n; i++) {
			struct conn *c = (struct conn *)(uintptr_t)(events[i].data.u64 & ~(uint64_t)1);
			if (c == &pidwatch)
				on_term(0);
			else if (c->kind == 0 && c->target->type == SOCK_STREAM)
				accept_stream(c);
			else if (c->kind == 0)
				udp_from_client(c);
			else if (c->kind == 2)
				udp_from_target(c);
			else if (c->kind == 1)
				on_stream_event(c, events[i].data.u64 & 1, events[i].events);
		}
		while (dead) {
			struct conn *next = dead->next_dead;
			free(dead);
			dead = next;
		}
	}
	on_term(0);
	return 0;
}
