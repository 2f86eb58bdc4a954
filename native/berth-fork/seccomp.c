/*
 * berth-fork seccomp <socket>: the seccomp notify proxy for
 * security.syscalls.intercept.mknod and .setxattr. A container with either key
 * gets `lxc.seccomp.notify.proxy = unix:<socket>`; its monitor connects here
 * and forwards each intercepted syscall as one SOCK_SEQPACKET message (header,
 * seccomp_notif, seccomp_notif_resp, cookie) with /proc/<pid>, /proc/<pid>/mem
 * and the notify fd, then waits for the same message back with the response.
 *
 * What is done for the container, as LXD 5.0 does it:
 *  - mknod/mknodat of the harmless char devices (whiteout 0:0, null, zero,
 *    full, random, urandom, tty, console), made by host root in the caller's
 *    mount namespace, root, cwd, umask and fs ids (an unprivileged container
 *    cannot make device nodes itself);
 *  - setxattr of trusted.overlay.opaque = "y" (overlayfs whiteouts, which a
 *    user namespace cannot set).
 * Everything else is handed back to the kernel (SECCOMP_USER_NOTIF_FLAG_CONTINUE)
 * so the caller gets the answer it would have had without interception.
 * The caller must hold the capability the syscall needs in the container's
 * own user namespace (CAP_MKNOD, CAP_SYS_ADMIN).
 *
 * One process for all containers, single-threaded; each granted syscall runs in
 * a short-lived fork that joins the caller's mount namespace. It prints "ok"
 * once listening and exits when its stdin closes (berthd went away; monitors
 * reconnect to the next proxy on the same path).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "seccomp.h"

#if defined(__x86_64__)
#define NATIVE_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define NATIVE_AUDIT_ARCH AUDIT_ARCH_AARCH64
#endif

#define MAX_CONNECTIONS 1024
#define MAX_FDS 4
#define CHILD_TIMEOUT_SECONDS 10
#define OPAQUE_XATTR "trusted.overlay.opaque"

/* liblxc's struct seccomp_notify_proxy_msg (lxcseccomp.h). */
struct proxy_msg {
	uint64_t reserved;
	pid_t monitor_pid;
	pid_t init_pid;
	struct seccomp_notif_sizes sizes;
	uint64_t cookie_len;
};

/* What the caller is, read from /proc/<pid>/status. */
struct caller {
	uid_t fsuid;
	gid_t fsgid;
	mode_t umask;
	uint64_t cap_eff;
};

static int read_caller(int fd_pid, struct caller *c)
{
	int fd = openat(fd_pid, "status", O_RDONLY | O_CLOEXEC);
	FILE *f = fd < 0 ? NULL : fdopen(fd, "r");
	if (!f) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	char line[256];
	int found = 0;
	unsigned a, b, s, fs, um;
	unsigned long long caps;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "Uid: %u %u %u %u", &a, &b, &s, &fs) == 4) {
			c->fsuid = fs;
			found |= 1;
		} else if (sscanf(line, "Gid: %u %u %u %u", &a, &b, &s, &fs) == 4) {
			c->fsgid = fs;
			found |= 2;
		} else if (sscanf(line, "CapEff: %llx", &caps) == 1) {
			c->cap_eff = caps;
			found |= 4;
		} else if (sscanf(line, "Umask: %o", &um) == 1) {
			c->umask = um;
			found |= 8;
		}
	}
	fclose(f);
	return found == 15 ? 0 : -1;
}

/* The caller holds cap in the container's own user namespace (that of its init), not in one nested below it. */
static int capable_in_container(int fd_pid, pid_t init_pid, const struct caller *c, int cap)
{
	if (!(c->cap_eff & (1ULL << cap)))
		return 0;
	char path[64];
	struct stat mine, init;
	snprintf(path, sizeof(path), "/proc/%d/ns/user", init_pid);
	if (fstatat(fd_pid, "ns/user", &mine, 0) < 0 || stat(path, &init) < 0)
		return 0;
	return mine.st_dev == init.st_dev && mine.st_ino == init.st_ino;
}

/* A NUL-terminated string of at most len-1 bytes from the caller's memory. */
static int read_string(int fd_mem, uint64_t addr, char *buf, size_t len)
{
	ssize_t n = pread(fd_mem, buf, len - 1, (off_t)addr);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return memchr(buf, '\0', n) ? 0 : -1; /* an unterminated string would have failed the caller's syscall too */
}

/* The effective set back to the permitted one: setfsuid() to a non-zero id clears CAP_MKNOD and the other fs caps. */
static int raise_caps(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];
	if (syscall(SYS_capget, &hdr, data) < 0)
		return -1;
	data[0].effective = data[0].permitted;
	data[1].effective = data[1].permitted;
	return syscall(SYS_capset, &hdr, data);
}

enum op { OP_MKNOD, OP_SETXATTR };

struct request {
	enum op op;
	int dirfd; /* the caller's fd number, or AT_FDCWD */
	const char *path;
	mode_t mode;
	dev_t dev;
	int xattr_flags;
};

/*
 * Runs the syscall in a fork that takes the caller's mount namespace, root, cwd (or dirfd), umask and fs ids, so
 * the path resolves exactly as it would for the caller and cannot leave its mount namespace. Returns 0 or an errno.
 */
static int run_as_caller(int fd_pid, const struct caller *c, const struct request *r)
{
	pid_t pid = fork();
	if (pid < 0)
		return errno;
	if (pid == 0) {
		/* A path through a hung mount inside the container must not stall every container's syscalls. */
		alarm(CHILD_TIMEOUT_SECONDS);
		char at[32];
		if (r->dirfd == AT_FDCWD)
			snprintf(at, sizeof(at), "cwd");
		else
			snprintf(at, sizeof(at), "fd/%d", r->dirfd);
		int mnt = openat(fd_pid, "ns/mnt", O_RDONLY | O_CLOEXEC);
		int root = openat(fd_pid, "root", O_PATH | O_DIRECTORY | O_CLOEXEC);
		int dir = r->path[0] == '/' ? -1 : openat(fd_pid, at, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (mnt < 0 || root < 0 || (r->path[0] != '/' && dir < 0))
			_exit(r->path[0] != '/' && dir < 0 && errno == ENOTDIR ? ENOTDIR : EPERM);
		if (setns(mnt, CLONE_NEWNS) < 0 || fchdir(root) < 0 || chroot(".") < 0)
			_exit(EPERM);
		if (dir >= 0 && fchdir(dir) < 0)
			_exit(EPERM);
		umask(c->umask);
		if (setgroups(0, NULL) < 0)
			_exit(EPERM);
		setfsgid(c->fsgid);
		setfsuid(c->fsuid);
		if (raise_caps() < 0)
			_exit(EPERM);
		int ret = r->op == OP_MKNOD ? mknodat(AT_FDCWD, r->path, r->mode, r->dev)
					    : setxattr(r->path, OPAQUE_XATTR, "y", 1, r->xattr_flags);
		_exit(ret < 0 ? errno : 0);
	}
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return EPERM;
	return WIFEXITED(status) ? WEXITSTATUS(status) : EPERM;
}

/* LXD's list: char devices a container may always have (its device cgroup allows them too). */
static int device_allowed(mode_t mode, dev_t dev)
{
	static const unsigned devs[][2] = { { 0, 0 }, { 5, 1 }, { 1, 7 }, { 1, 3 }, { 1, 8 }, { 5, 0 }, { 1, 9 }, { 1, 5 } };
	if ((mode & S_IFMT) != S_IFCHR)
		return 0;
	for (size_t i = 0; i < sizeof(devs) / sizeof(devs[0]); i++)
		if (major(dev) == devs[i][0] && minor(dev) == devs[i][1])
			return 1;
	return 0;
}

/* The kernel's 32-bit dev_t encoding, as mknod(2) takes it. */
static dev_t decode_dev(uint64_t arg)
{
	uint32_t d = (uint32_t)arg;
	return makedev((d & 0xfff00) >> 8, (d & 0xff) | ((d >> 12) & 0xfff00));
}

#define CONTINUE (-1)

/* The answer to one notification: 0, an errno, or CONTINUE (let the kernel run it for the caller). */
static int decide(const struct proxy_msg *m, const struct seccomp_notif *req, int fd_pid, int fd_mem, int notify_fd)
{
#ifdef NATIVE_AUDIT_ARCH
	if (req->data.arch != NATIVE_AUDIT_ARCH)
		return CONTINUE;
	struct request r = { .dirfd = AT_FDCWD };
	uint64_t path_arg;
	int cap;
	switch (req->data.nr) {
#ifdef SYS_mknod
	case SYS_mknod:
		path_arg = req->data.args[0];
		r.mode = req->data.args[1];
		r.dev = decode_dev(req->data.args[2]);
		r.op = OP_MKNOD;
		break;
#endif
	case SYS_mknodat:
		r.dirfd = (int)req->data.args[0];
		path_arg = req->data.args[1];
		r.mode = req->data.args[2];
		r.dev = decode_dev(req->data.args[3]);
		r.op = OP_MKNOD;
		break;
	case SYS_setxattr:
		path_arg = req->data.args[0];
		r.xattr_flags = (int)req->data.args[4];
		r.op = OP_SETXATTR;
		break;
	default:
		return CONTINUE;
	}
	if (r.op == OP_MKNOD && !device_allowed(r.mode, r.dev))
		return CONTINUE;

	char path[PATH_MAX];
	if (read_string(fd_mem, path_arg, path, sizeof(path)) < 0)
		return EFAULT;
	r.path = path;
	if (r.op == OP_SETXATTR) {
		char name[sizeof(OPAQUE_XATTR) + 1], value[2];
		if (req->data.args[3] != 1 || read_string(fd_mem, req->data.args[1], name, sizeof(name)) < 0 ||
		    pread(fd_mem, value, 1, (off_t)req->data.args[2]) != 1 || strcmp(name, OPAQUE_XATTR) != 0 || value[0] != 'y')
			return CONTINUE;
	}
	/* The pid could have been reused while its memory was read: the notification must still be pending. */
	if (notify_fd >= 0 && ioctl(notify_fd, SECCOMP_IOCTL_NOTIF_ID_VALID, &req->id) < 0)
		return ENOENT;

	struct caller c = { 0 };
	if (read_caller(fd_pid, &c) < 0)
		return EPERM;
	cap = r.op == OP_MKNOD ? CAP_MKNOD : CAP_SYS_ADMIN;
	if (!capable_in_container(fd_pid, m->init_pid, &c, cap))
		return EPERM;
	return run_as_caller(fd_pid, &c, &r);
#else
	return CONTINUE;
#endif
}

/* One message from a monitor: answered on the same connection. Returns -1 when the connection is done. */
static int handle(int conn)
{
	char buf[4096];
	union {
		char space[CMSG_SPACE(MAX_FDS * sizeof(int))];
		struct cmsghdr align;
	} control;
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.space, .msg_controllen = sizeof(control.space) };
	ssize_t n = recvmsg(conn, &msg, MSG_CMSG_CLOEXEC);
	if (n <= 0)
		return n < 0 && errno == EINTR ? 0 : -1;

	int fds[MAX_FDS], nfds = 0;
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm))
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS)
			for (size_t i = 0; i < (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int); i++) {
				int fd;
				memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
				if (nfds < MAX_FDS)
					fds[nfds++] = fd;
				else
					close(fd);
			}

	int keep = 0;
	struct proxy_msg m;
	if ((size_t)n >= sizeof(m)) {
		memcpy(&m, buf, sizeof(m));
		size_t base = sizeof(m) + m.sizes.seccomp_notif + m.sizes.seccomp_notif_resp;
		if (m.sizes.seccomp_notif >= sizeof(struct seccomp_notif) && m.sizes.seccomp_notif_resp >= sizeof(struct seccomp_notif_resp) &&
		    base <= (size_t)n && nfds >= 2) {
			struct seccomp_notif req;
			struct seccomp_notif_resp resp = { 0 };
			memcpy(&req, buf + sizeof(m), sizeof(req));
			int answer = decide(&m, &req, fds[0], fds[1], nfds > 2 ? fds[2] : -1);
			resp.id = req.id;
			if (answer == CONTINUE)
				resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
			else
				resp.error = -answer;
			memset(buf + sizeof(m) + m.sizes.seccomp_notif, 0, m.sizes.seccomp_notif_resp);
			memcpy(buf + sizeof(m) + m.sizes.seccomp_notif, &resp, sizeof(resp));
			keep = send(conn, buf, base, MSG_NOSIGNAL) == (ssize_t)base ? 0 : -1;
		} else {
			keep = -1;
		}
	}
	for (int i = 0; i < nfds; i++)
		close(fds[i]);
	return keep;
}

int cmd_seccomp(const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof(addr.sun_path)) {
		fprintf(stderr, "berth-fork: seccomp socket path too long\n");
		return 1;
	}
	strcpy(addr.sun_path, path);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGCHLD, SIG_DFL);

	int lsock = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	unlink(path);
	mode_t old = umask(0077);
	if (lsock < 0 || bind(lsock, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(lsock, 64) < 0) {
		perror("berth-fork: seccomp listen");
		return 1;
	}
	umask(old);
	printf("ok\n");
	fflush(stdout);

	static struct pollfd fds[MAX_CONNECTIONS + 2];
	nfds_t count = 2;
	fds[0] = (struct pollfd){ .fd = STDIN_FILENO, .events = POLLIN };
	fds[1] = (struct pollfd){ .fd = lsock, .events = POLLIN };
	for (;;) {
		if (poll(fds, count, -1) < 0) {
			if (errno == EINTR)
				continue;
			perror("berth-fork: seccomp poll");
			return 1;
		}
		if (fds[0].revents) {
			char c;
			if (read(STDIN_FILENO, &c, 1) <= 0)
				break;
		}
		if (fds[1].revents & POLLIN) {
			int conn = accept4(lsock, NULL, NULL, SOCK_CLOEXEC);
			if (conn >= 0 && count < MAX_CONNECTIONS + 2)
				fds[count++] = (struct pollfd){ .fd = conn, .events = POLLIN };
			else if (conn >= 0)
				close(conn);
		}
		for (nfds_t i = 2; i < count; i++) {
			if (!fds[i].revents)
				continue;
			if ((fds[i].revents & POLLIN) && handle(fds[i].fd) == 0)
				continue;
			close(fds[i].fd);
			fds[i--] = fds[--count];
		}
	}
	unlink(path);
	return 0;
}
