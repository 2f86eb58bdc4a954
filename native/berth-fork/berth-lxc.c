/*
 * libberth-lxc.so: flat functions berthd calls in-process through [LibraryImport].
 *
 * Only liblxc calls that do NOT fork live here (each is a request over the
 * container's command socket or a cgroup file write); everything that forks is
 * in berth-fork. Compiled against the installed lxccontainer.h, so the struct
 * layout is never mirrored in C#.
 *
 * Conventions: functions return >= 0 on success and -errno on failure.
 * Strings are returned through char ** as malloc'd memory; free them with
 * berth_free(). berth_last_error() holds liblxc's error_string (if any) from
 * the last failing call on the calling thread.
 *
 * Also here: small POSIX helpers whose argument structs are opaque or ABI
 * dependent (posix_spawn attrs, siginfo_t, ioctl request numbers).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <linux/capability.h>
#include <linux/openat2.h>
#include <sys/fsuid.h>
#include <sys/stat.h>
#include <stdint.h>

#include <lxc/lxccontainer.h>

#ifndef P_PIDFD
#define P_PIDFD 3
#endif
#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

#define EXPORT __attribute__((visibility("default")))

static __thread char last_error[512];

static void set_error(const char *what, const struct lxc_container *c)
{
	if (c && c->error_string)
		snprintf(last_error, sizeof(last_error), "%s: %s", what, c->error_string);
	else
		snprintf(last_error, sizeof(last_error), "%s", what);
}

EXPORT const char *berth_last_error(void)
{
	return last_error;
}

EXPORT void berth_free(void *p)
{
	free(p);
}

EXPORT const char *berth_lxc_version(void)
{
	return lxc_get_version();
}

/* Opens a container object; running-only calls pass need_running. */
static int open_ct(const char *lxcpath, const char *name, int need_running, struct lxc_container **out)
{
	last_error[0] = '\0';
	*out = NULL;
	if (!lxcpath || !name)
		return -EINVAL;
	struct lxc_container *c = lxc_container_new(name, lxcpath);
	if (!c) {
		set_error("lxc_container_new failed", NULL);
		return -ENOMEM;
	}
	if (!c->is_defined(c)) {
		set_error("container is not defined (no config)", NULL);
		lxc_container_put(c);
		return -ENOENT;
	}
	if (need_running && !c->is_running(c)) {
		set_error("container is not running", NULL);
		lxc_container_put(c);
		return -ESRCH;
	}
	*out = c;
	return 0;
}

static int fail(struct lxc_container *c, const char *what, int err)
{
	set_error(what, c);
	lxc_container_put(c);
	return -err;
}

static int open_state_ct(const char *lxcpath, const char *name, struct lxc_container **out);

EXPORT int berth_state(const char *lxcpath, const char *name, char **out)
{
	struct lxc_container *c;
	*out = NULL;
	int ret = open_state_ct(lxcpath, name, &c);
	if (ret < 0)
		return ret;
	const char *s = c->state(c);
	if (!s)
		return fail(c, "state failed", EIO);
	*out = strdup(s);
	lxc_container_put(c);
	return *out ? 0 : -ENOMEM;
}

/* Container objects kept for berth_state and berth_state_pid only: lxc_container_new parses the whole config (a few hundred us
 * to ms), while state and init_pid only ask the monitor over its command socket, which depends on lxcpath and
 * name alone. Calls that read the config (shutdown's halt signal...) keep opening a fresh object. */
#define STATE_CACHE_SIZE 4096
static struct {
	char *key;
	struct lxc_container *c;
} state_cache[STATE_CACHE_SIZE];
static pthread_mutex_t state_cache_lock = PTHREAD_MUTEX_INITIALIZER;

static struct lxc_container *state_ct(const char *lxcpath, const char *name)
{
	char key[4096];
	snprintf(key, sizeof(key), "%s/%s", lxcpath, name);
	struct lxc_container *found = NULL;
	pthread_mutex_lock(&state_cache_lock);
	int free_slot = -1;
	for (int i = 0; i < STATE_CACHE_SIZE; i++) {
		if (!state_cache[i].key) {
			if (free_slot < 0)
				free_slot = i;
			continue;
		}
		if (strcmp(state_cache[i].key, key) == 0) {
			found = state_cache[i].c;
			break;
		}
	}
	if (!found) {
		found = lxc_container_new(name, lxcpath);
		if (found && free_slot >= 0) {
			state_cache[free_slot].key = strdup(key);
			state_cache[free_slot].c = found;
		}
		else if (found) {
			/* cache full: used once, released by the caller's put */
			pthread_mutex_unlock(&state_cache_lock);
			return found;
		}
	}
	if (found)
		lxc_container_get(found);
	pthread_mutex_unlock(&state_cache_lock);
	return found;
}

/* The cached object for a state read, with open_ct's error conventions (no is_defined check: state says STOPPED). */
static int open_state_ct(const char *lxcpath, const char *name, struct lxc_container **out)
{
	last_error[0] = '\0';
	*out = NULL;
	if (!lxcpath || !name)
		return -EINVAL;
	*out = state_ct(lxcpath, name);
	if (!*out) {
		set_error("lxc_container_new failed", NULL);
		return -ENOMEM;
	}
	return 0;
}

/* State and, unless stopped, the init pid: one cached container object and no is_running round trip (a state
 * read per container is what `lxc list` costs). */
EXPORT int berth_state_pid(const char *lxcpath, const char *name, char **state, int *pid)
{
	struct lxc_container *c;
	*state = NULL;
	*pid = 0;
	int ret = open_state_ct(lxcpath, name, &c);
	if (ret < 0)
		return ret;
	const char *s = c->state(c);
	if (!s)
		return fail(c, "state failed", EIO);
	if (strcmp(s, "STOPPED") != 0) {
		pid_t p = c->init_pid(c);
		*pid = p > 0 ? (int)p : 0;
	}
	*state = strdup(s);
	lxc_container_put(c);
	return *state ? 0 : -ENOMEM;
}

EXPORT int berth_init_pid(const char *lxcpath, const char *name)
{
	struct lxc_container *c;
	int ret = open_ct(lxcpath, name, 1, &c);
	if (ret < 0)
		return ret;
	pid_t pid = c->init_pid(c);
	if (pid <= 0)
		return fail(c, "init_pid failed", ESRCH);
	lxc_container_put(c);
	return (int)pid;
}

EXPORT int berth_init_pidfd(const char *lxcpath, const char *name)
{
	struct lxc_container *c;
	int ret = open_ct(lxcpath, name, 1, &c);
	if (ret < 0)
		return ret;
	int fd = c->init_pidfd(c);
	if (fd < 0)
		return fail(c, "init_pidfd failed", fd < -1 ? -fd : EIO);
	lxc_container_put(c);
	return fd;
}

EXPORT int berth_devpts_fd(const char *lxcpath, const char *name)
{
	struct lxc_container *c;
	int ret = open_ct(lxcpath, name, 1, &c);
	if (ret < 0)
		return ret;
	int fd = c->devpts_fd(c);
	if (fd < 0)
		return fail(c, "devpts_fd failed", fd < -1 ? -fd : EIO);
	lxc_container_put(c);
	return fd;
}

typedef bool (*bool_op)(struct lxc_container *);

static int simple_op(const char *lxcpath, const char *name, int need_running, bool_op op, const char *what)
{
	struct lxc_container *c;
	int ret = open_ct(lxcpath, name, need_running, &c);
	if (ret < 0)
		return ret;
	if (!op(c))
		return fail(c, what, EIO);
	lxc_container_put(c);
	return 0;
}

static bool op_freeze(struct lxc_container *c) { return c->freeze(c); }
static bool op_unfreeze(struct lxc_container *c) { return c->unfreeze(c); }
static bool op_stop(struct lxc_container *c) { return c->stop(c); }

EXPORT int berth_freeze(const char *lxcpath, const char *name)
{
	return simple_op(lxcpath, name, 1, op_freeze, "freeze failed");
}

EXPORT int berth_unfreeze(const char *lxcpath, const char *name)
{
	return simple_op(lxcpath, name, 1, op_unfreeze, "unfreeze failed");
}

/* Kills the container (SIGKILL to init via the monitor) and waits until it is stopped. liblxc's stop is one
 * command to the monitor by name and lxcpath, so the cached object serves (no config parse), and no is_running
 * round trip first: a container that is already stopped counts as stopped. */
EXPORT int berth_stop(const char *lxcpath, const char *name)
{
	struct lxc_container *c;
	int ret = open_state_ct(lxcpath, name, &c);
	if (ret < 0)
		return ret;
	if (!op_stop(c))
		return fail(c, "stop failed", EIO);
	lxc_container_put(c);
	return 0;
}

/* Sends lxc.signal.halt and waits up to timeout seconds; -ETIMEDOUT if still running. */
EXPORT int berth_shutdown(const char *lxcpath, const char *name, int timeout)
{
	struct lxc_container *c;
	int ret = open_ct(lxcpath, name, 1, &c);
	if (ret < 0)
		return ret;
	if (!c->shutdown(c, timeout))
		return fail(c, "shutdown did not complete", ETIMEDOUT);
	lxc_container_put(c);
	return 0;
}

EXPORT int berth_get_cgroup_item(const char *lxcpath, const char *name, const char *key, char **out)
{
	struct lxc_container *c;
	*out = NULL;
	int ret = open_ct(lxcpath, name, 1, &c);
	if (ret < 0)
		return ret;
	int len = c->get_cgroup_item(c, key, NULL, 0);
	if (len < 0)
		return fail(c, "get_cgroup_item failed", ENOENT);
	char *buf = calloc((size_t)len + 1, 1);
	if (!buf)
		return fail(c, "out of memory", ENOMEM);
	if (len > 0 && c->get_cgroup_item(c, key, buf, len + 1) < 0) {
		free(buf);
		return fail(c, "get_cgroup_item failed", ENOENT);
	}
	lxc_container_put(c);
	*out = buf;
	return 0;
}

EXPORT int berth_set_cgroup_item(const char *lxcpath, const char *name, const char *key, const char *value)
{
	struct lxc_container *c;
	int ret = open_ct(lxcpath, name, 1, &c);
	if (ret < 0)
		return ret;
	errno = 0;
	if (!c->set_cgroup_item(c, key, value))
		return fail(c, "set_cgroup_item failed", errno ? errno : EINVAL);
	lxc_container_put(c);
	return 0;
}

EXPORT int berth_get_running_config_item(const char *lxcpath, const char *name, const char *key, char **out)
{
	struct lxc_container *c;
	*out = NULL;
	int ret = open_ct(lxcpath, name, 1, &c);
	if (ret < 0)
		return ret;
	char *v = c->get_running_config_item(c, key);
	if (!v)
		return fail(c, "get_running_config_item failed", ENOENT);
	lxc_container_put(c);
	*out = v;
	return 0;
}

/* liblxc 5.0 has no set_running_config_item in struct lxc_container (it was
 * never part of the public API); kept so callers get a clear -EOPNOTSUPP. */
EXPORT int berth_set_running_config_item(const char *lxcpath, const char *name, const char *key, const char *value)
{
	(void)lxcpath; (void)name; (void)key; (void)value;
	snprintf(last_error, sizeof(last_error),
		 "liblxc %s has no set_running_config_item; change the config and restart", lxc_get_version());
	return -EOPNOTSUPP;
}

/* ---- process spawning (posix_spawn: clone(CLONE_VM|CLONE_VFORK), never a heap-copying fork) ---- */

#define BERTH_SPAWN_SETSID 1
#define BERTH_SPAWN_CTTY 2 /* make child fd 0 the controlling terminal (implies SETSID) */

/*
 * fds[i] (i < nfds) is the parent fd that becomes child fd i; -1 means /dev/null.
 * Every other fd is closed in the child (closefrom), whatever its O_CLOEXEC flag.
 * Signal mask is emptied and all dispositions reset (.NET ignores SIGPIPE).
 * On success stores the pid and a pidfd (O_CLOEXEC) and returns 0.
 */
EXPORT int berth_spawn(const char *path, char *const argv[], char *const envp[],
		       const int *fds, int nfds, int flags, int *pid_out, int *pidfd_out)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	int high[16];
	int i, ret, nhigh = 0;
	pid_t pid;
	sigset_t mask;
	char ctty_path[64];

	*pid_out = -1;
	*pidfd_out = -1;
	if (nfds < 0 || nfds > 16)
		return -EINVAL;

	/* Move sources above the targets so dup2 order cannot clobber them. */
	for (i = 0; i < nfds; i++) {
		high[i] = -1;
		if (fds[i] >= 0) {
			high[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, 32);
			if (high[i] < 0) {
				ret = -errno;
				goto close_high;
			}
		}
		nhigh = i + 1;
	}

	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&attr);

	short sflags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
	if (flags & (BERTH_SPAWN_SETSID | BERTH_SPAWN_CTTY))
		sflags |= POSIX_SPAWN_SETSID;
	posix_spawnattr_setflags(&attr, sflags);
	sigemptyset(&mask);
	posix_spawnattr_setsigmask(&attr, &mask);
	sigfillset(&mask);
	sigdelset(&mask, SIGKILL);
	sigdelset(&mask, SIGSTOP);
	posix_spawnattr_setsigdefault(&attr, &mask);

	for (i = 0; i < nfds; i++) {
		if (high[i] < 0) {
			ret = posix_spawn_file_actions_addopen(&fa, i, "/dev/null", O_RDWR, 0);
		} else if (i == 0 && (flags & BERTH_SPAWN_CTTY)) {
			/* Opening the tty (without O_NOCTTY) as a fresh session leader acquires it. */
			snprintf(ctty_path, sizeof(ctty_path), "/proc/self/fd/%d", high[i]);
			ret = posix_spawn_file_actions_addopen(&fa, 0, ctty_path, O_RDWR, 0);
		} else {
			ret = posix_spawn_file_actions_adddup2(&fa, high[i], i);
		}
		if (ret != 0) {
			ret = -ret;
			goto out;
		}
	}

	/* Belt and braces: even fds someone opened without O_CLOEXEC stay behind. */
	ret = posix_spawn_file_actions_addclosefrom_np(&fa, nfds);
	if (ret != 0) {
		ret = -ret;
		goto out;
	}

	ret = posix_spawn(&pid, path, &fa, &attr, argv, envp);
	if (ret != 0) {
		ret = -ret;
		goto out;
	}
	*pid_out = pid;
	/* The child cannot be reaped (and its pid reused) before we wait for it. */
	*pidfd_out = pidfd_open(pid, 0);
	ret = 0;

out:
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
close_high:
	for (i = 0; i < nhigh; i++)
		if (high[i] >= 0)
			close(high[i]);
	return ret;
}

/* Blocks until the process behind pidfd exits and reaps it.
 * *code: 1 exited (status = exit code), 2 killed (status = signal), 3 dumped core (status = signal). */
EXPORT int berth_wait_pidfd(int pidfd, int *code, int *status)
{
	siginfo_t info;
	int ret;
	memset(&info, 0, sizeof(info));
	do {
		ret = waitid((idtype_t)P_PIDFD, (id_t)pidfd, &info, WEXITED);
	} while (ret < 0 && errno == EINTR);
	if (ret < 0)
		return -errno;
	*code = info.si_code == CLD_EXITED ? 1 : info.si_code == CLD_KILLED ? 2 : 3;
	*status = info.si_status;
	return 0;
}

EXPORT int berth_pidfd_send_signal(int pidfd, int sig)
{
	return pidfd_send_signal(pidfd, sig, NULL, 0) < 0 ? -errno : 0;
}

/* ---- ptys ---- */

static int pty_finish(int master, int *master_out, int *slave_out)
{
	int unlock = 0;
	if (ioctl(master, TIOCSPTLCK, &unlock) < 0)
		return -errno;
	int slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0)
		return -errno;
	*master_out = master;
	*slave_out = slave;
	return 0;
}

/* LXD's way: a pty inside the container's devpts instance (devpts_fd from liblxc). */
EXPORT int berth_pty_open_devpts(int devpts_fd, int *master_out, int *slave_out)
{
	int master = openat(devpts_fd, "ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0)
		return -errno;
	int ret = pty_finish(master, master_out, slave_out);
	if (ret < 0)
		close(master);
	return ret;
}

/* Host pty fallback: works, but `tty` inside a container cannot name it. */
EXPORT int berth_pty_open_host(int *master_out, int *slave_out)
{
	int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0)
		return -errno;
	int ret = pty_finish(master, master_out, slave_out);
	if (ret < 0)
		close(master);
	return ret;
}

EXPORT int berth_pty_set_size(int master, int cols, int rows)
{
	struct winsize ws = { .ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols };
	return ioctl(master, TIOCSWINSZ, &ws) < 0 ? -errno : 0;
}

/* ---- cancellable blocking I/O for streams over ptys and pipes ---- */

EXPORT int berth_eventfd(void)
{
	int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	return fd < 0 ? -errno : fd;
}

EXPORT int berth_eventfd_signal(int fd)
{
	uint64_t one = 1;
	return write(fd, &one, sizeof(one)) < 0 ? -errno : 0;
}

/* Waits until fd is ready for `events` or cancel_fd is readable: 1 ready, -ECANCELED. */
static int wait_ready(int fd, short events, int cancel_fd)
{
	struct pollfd p[2] = { { .fd = fd, .events = events }, { .fd = cancel_fd, .events = POLLIN } };
	for (;;) {
		int n = poll(p, cancel_fd >= 0 ? 2 : 1, -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (cancel_fd >= 0 && (p[1].revents & POLLIN))
			return -ECANCELED;
		if (p[0].revents)
			return 1;
	}
}

/* read() that can be cancelled; 0 at EOF (a pty master reports EIO once the
 * last slave fd is closed: that is EOF too). */
EXPORT long berth_read(int fd, void *buf, size_t len, int cancel_fd)
{
	for (;;) {
		ssize_t n = read(fd, buf, len);
		if (n >= 0)
			return n;
		if (errno == EIO)
			return 0;
		if (errno != EAGAIN && errno != EINTR)
			return -errno;
		if (errno == EAGAIN) {
			int r = wait_ready(fd, POLLIN, cancel_fd);
			if (r < 0)
				return r;
		}
	}
}

/* One datagram with fds attached (SCM_RIGHTS), for berth-fork serve: 0 or -errno. */
EXPORT int berth_send_fds(int sock, const void *buf, size_t len, const int *fds, int nfds)
{
	union {
		char raw[CMSG_SPACE(sizeof(int) * 16)];
		struct cmsghdr align;
	} control;
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	if (nfds < 0 || nfds > 16)
		return -EINVAL;
	if (nfds > 0) {
		memset(&control, 0, sizeof(control));
		msg.msg_control = control.raw;
		msg.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)nfds);
		struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * (size_t)nfds);
	}
	for (;;) {
		if (sendmsg(sock, &msg, MSG_NOSIGNAL) >= 0)
			return 0;
		if (errno != EINTR)
			return -errno;
	}
}

/* socketpair(AF_UNIX, SOCK_SEQPACKET or SOCK_STREAM, CLOEXEC): 0 or -errno. */
EXPORT int berth_unix_pair(int fds[2], int seqpacket)
{
	return socketpair(AF_UNIX, (seqpacket ? SOCK_SEQPACKET : SOCK_STREAM) | SOCK_CLOEXEC, 0, fds) < 0 ? -errno : 0;
}

#define BERTH_NO_WAIT (-2)

/* write() of the whole buffer that can be cancelled. With cancel_fd ==
 * BERTH_NO_WAIT it never blocks and returns how much it wrote before EAGAIN. */
EXPORT long berth_write(int fd, const void *buf, size_t len, int cancel_fd)
{
	size_t done = 0;
	while (done < len) {
		ssize_t n = write(fd, (const char *)buf + done, len - done);
		if (n >= 0) {
			done += (size_t)n;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			return -errno;
		if (cancel_fd == BERTH_NO_WAIT)
			break;
		int r = wait_ready(fd, POLLOUT, cancel_fd);
		if (r < 0)
			return r;
	}
	return (long)done;
}

EXPORT int berth_dup_cloexec(int fd)
{
	int r = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	return r < 0 ? -errno : r;
}

EXPORT int berth_set_nonblocking(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -errno;
	return 0;
}

/* ---- console ---- */

/* A pty master on the container's console (tty 0) through the monitor's
 * command socket (no fork). Returns the fd that keeps the tty allocated
 * (close it when done) and stores the master in *ptx_out. */
EXPORT int berth_console_getfd(const char *lxcpath, const char *name, int ttynum, int *ptx_out)
{
	struct lxc_container *c;
	*ptx_out = -1;
	int ret = open_ct(lxcpath, name, 1, &c);
	if (ret < 0)
		return ret;
	int tty = ttynum, ptx = -1;
	int fd = c->console_getfd(c, &tty, &ptx);
	if (fd < 0)
		return fail(c, "console_getfd failed", EBUSY);
	lxc_container_put(c);
	*ptx_out = ptx;
	return fd;
}

/* Clears the console ring buffer of a running container. */
EXPORT int berth_console_clear(const char *lxcpath, const char *name)
{
	struct lxc_container *c;
	int ret = open_ct(lxcpath, name, 1, &c);
	if (ret < 0)
		return ret;
	uint64_t read_max = 0;
	struct lxc_console_log log = { .clear = true, .read = false, .read_max = &read_max, .data = NULL };
	ret = c->console_log(c, &log);
	if (ret < 0)
		return fail(c, "console_log failed", -ret);
	lxc_container_put(c);
	return 0;
}

/* ---- files inside a container's root ---- */

/* openat2(2) (no glibc wrapper). EAGAIN means a concurrent rename raced the
 * RESOLVE_IN_ROOT walk: retry a few times. */
EXPORT int berth_openat2(int dirfd, const char *path, int flags, int mode, int resolve)
{
	struct open_how how = {
		.flags = (uint64_t)(unsigned int)(flags | O_CLOEXEC),
		.mode = (flags & O_CREAT) ? (uint64_t)mode : 0,
		.resolve = (uint64_t)resolve,
	};
	for (int i = 0; i < 16; i++) {
		long fd = syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
		if (fd >= 0)
			return (int)fd;
		if (errno != EAGAIN && errno != EINTR)
			return -errno;
	}
	return -EAGAIN;
}

struct berth_stat {
	uint32_t mode;
	uint32_t uid;
	uint32_t gid;
	uint32_t pad;
	int64_t size;
	int64_t mtime_sec;
	int64_t mtime_nsec;
};

/* lstat of an fd (O_PATH fds included). */
EXPORT int berth_fstat(int fd, struct berth_stat *out)
{
	struct stat st;
	if (fstatat(fd, "", &st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	out->mode = st.st_mode;
	out->uid = st.st_uid;
	out->gid = st.st_gid;
	out->pad = 0;
	out->size = st.st_size;
	out->mtime_sec = st.st_mtim.tv_sec;
	out->mtime_nsec = st.st_mtim.tv_nsec;
	return 0;
}

/*
 * Host root has no mapping in an idmapped mount of an unprivileged
 * container's rootfs, so creating an inode there as fsuid 0 fails
 * (EOVERFLOW): create as the container root's host ids instead. fsuid and
 * fsgid are per thread, and are restored before returning. -1 = no switch.
 * A nonzero fsuid drops the fs capabilities from the effective set; raise
 * them again (they stay permitted) so container root's view holds: it may
 * create in directories owned by other container users, as in LXD.
 */
struct fs_ids { int switched; };

static void fs_enter(int fsuid, int fsgid, struct fs_ids *s)
{
	s->switched = fsuid >= 0 && fsgid >= 0;
	if (s->switched) {
		setfsgid((gid_t)fsgid);
		setfsuid((uid_t)fsuid);
		struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
		struct __user_cap_data_struct d[2];
		if (syscall(SYS_capget, &h, d) == 0) {
			d[0].effective = d[0].permitted;
			d[1].effective = d[1].permitted;
			syscall(SYS_capset, &h, d);
		}
	}
}

static void fs_leave(struct fs_ids *s)
{
	if (s->switched) {
		setfsuid(0);
		setfsgid(0);
	}
}

EXPORT int berth_create_at(int dirfd, const char *name, int flags, int mode, int fsuid, int fsgid)
{
	struct fs_ids s;
	fs_enter(fsuid, fsgid, &s);
	int fd = openat(dirfd, name, flags | O_CREAT | O_CLOEXEC | O_NOFOLLOW, (mode_t)mode);
	int err = errno;
	fs_leave(&s);
	return fd < 0 ? -err : fd;
}

EXPORT int berth_mkdir_at(int dirfd, const char *name, int mode, int fsuid, int fsgid)
{
	struct fs_ids s;
	fs_enter(fsuid, fsgid, &s);
	int ret = mkdirat(dirfd, name, (mode_t)mode);
	int err = errno;
	fs_leave(&s);
	return ret < 0 ? -err : 0;
}

EXPORT int berth_symlink_at(const char *target, int dirfd, const char *name, int fsuid, int fsgid)
{
	struct fs_ids s;
	fs_enter(fsuid, fsgid, &s);
	int ret = symlinkat(target, dirfd, name);
	int err = errno;
	fs_leave(&s);
	return ret < 0 ? -err : 0;
}

/* Ownership of whatever fd refers to (an O_PATH fd on a symlink: the link itself). */
EXPORT int berth_fchown(int fd, int uid, int gid)
{
	return fchownat(fd, "", (uid_t)uid, (gid_t)gid, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0 ? -errno : 0;
}

/* chmod of the inode an O_PATH fd pins (through its /proc/self/fd link, never by name). */
EXPORT int berth_fchmod_path(int fd, int mode)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	return chmod(path, (mode_t)mode) < 0 ? -errno : 0;
}

/* The target of the symlink an O_PATH|O_NOFOLLOW fd refers to. */
EXPORT int berth_readlink_fd(int fd, char *buf, int len)
{
	ssize_t n = readlinkat(fd, "", buf, (size_t)len);
	return n < 0 ? -errno : (int)n;
}

EXPORT int berth_unlink_at(int dirfd, const char *name, int remove_dir)
{
	return unlinkat(dirfd, name, remove_dir ? AT_REMOVEDIR : 0) < 0 ? -errno : 0;
}

/*
 * Parses a config file (an instance's raw.lxc) the way liblxc reads a container's config, on a fresh container
 * object that is never created on disk: 0 when liblxc accepts every line, -EINVAL when it refuses one (an
 * unknown key or a bad value), as LXD's loadRawLXCConfig does when raw.lxc changes. Parsing does not fork.
 */
EXPORT int berth_check_config_file(const char *lxcpath, const char *path)
{
	last_error[0] = '\0';
	struct lxc_container *c = lxc_container_new(".berth-config-check", lxcpath);
	if (!c) {
		set_error("lxc_container_new failed", NULL);
		return -ENOMEM;
	}
	c->clear_config(c);
	if (!c->load_config(c, path))
		return fail(c, "loading config file for the container failed", EINVAL);
	lxc_container_put(c);
	return 0;
}
