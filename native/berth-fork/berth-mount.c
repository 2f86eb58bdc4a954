/*
 * Mount injection for hot-plugged disks: berthd's process is multi-threaded and cannot enter another mount
 * namespace, so this single-threaded helper clones the source tree in the host namespace (open_tree), gives it
 * the container's id mapping where asked (mount_setattr MOUNT_ATTR_IDMAP), enters the container's mount
 * namespace (which also moves us to its root) and attaches the tree at the target (move_mount).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "berth-mount.h"

#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#endif
#ifndef OPEN_TREE_CLOEXEC
#define OPEN_TREE_CLOEXEC O_CLOEXEC
#endif

static int enter_mntns(const char *pid)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%s/ns/mnt", pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, CLONE_NEWNS) < 0) {
		fprintf(stderr, "berth-fork: cannot enter the mount namespace of %s: %s\n", pid, strerror(errno));
		return -1;
	}
	close(fd);
	return 0;
}

/* Whether the comma-separated list holds exactly this option. */
static int has_opt(const char *opts, const char *opt)
{
	size_t n = strlen(opt);
	for (const char *p = opts; *p;) {
		const char *end = strchrnul(p, ',');
		if ((size_t)(end - p) == n && strncmp(p, opt, n) == 0)
			return 1;
		p = *end ? end + 1 : end;
	}
	return 0;
}

/* Whether a path has a ".." component (the target must stay a plain path under the container's root). */
static int has_dotdot(const char *path)
{
	for (const char *p = path; (p = strstr(p, "..")); p += 2)
		if ((p == path || p[-1] == '/') && (p[2] == '\0' || p[2] == '/'))
			return 1;
	return 0;
}

/* mkdir -p inside the container (we are at its root after setns). */
static int make_dirs(const char *target)
{
	char buf[4096];
	if (snprintf(buf, sizeof(buf), "%s", target) >= (int)sizeof(buf))
		return -1;
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(buf, 0755) < 0 && errno != EEXIST)
		return -1;
	return 0;
}

int cmd_mount(const char *pid, const char *source, const char *target, const char *opts)
{
	int readonly = has_opt(opts, "ro"), idmap = has_opt(opts, "idmap"), recursive = has_opt(opts, "rbind");
	if (target[0] != '/' || has_dotdot(target)) {
		fprintf(stderr, "berth-fork: target must be an absolute path without ..\n");
		return 1;
	}

	int tree = syscall(SYS_open_tree, AT_FDCWD, source, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive ? AT_RECURSIVE : 0));
	if (tree < 0) {
		fprintf(stderr, "berth-fork: open_tree %s: %s\n", source, strerror(errno));
		return 1;
	}

	struct mount_attr attr = { 0 };
	if (readonly)
		attr.attr_set |= MOUNT_ATTR_RDONLY;
	if (idmap) {
		char path[64];
		snprintf(path, sizeof(path), "/proc/%s/ns/user", pid);
		int userns = open(path, O_RDONLY | O_CLOEXEC);
		if (userns < 0) {
			fprintf(stderr, "berth-fork: %s: %s\n", path, strerror(errno));
			return 1;
		}
		attr.attr_set |= MOUNT_ATTR_IDMAP;
		attr.userns_fd = userns;
	}
	if (attr.attr_set && syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &attr, sizeof(attr)) < 0) {
		fprintf(stderr, "berth-fork: mount_setattr: %s\n", strerror(errno));
		return 1;
	}

	/* The rootfs is an idmapped mount where host root has no id: create the mount point as the container's root
	 * (the owner of its init), through the filesystem ids only. */
	struct stat init;
	char proc[64];
	snprintf(proc, sizeof(proc), "/proc/%s", pid);
	if (stat(proc, &init) < 0) {
		fprintf(stderr, "berth-fork: %s: %s\n", proc, strerror(errno));
		return 1;
	}
	if (enter_mntns(pid) < 0)
		return 1;
	setfsgid(init.st_gid);
	setfsuid(init.st_uid);
	int made = make_dirs(target);
	setfsuid(0);
	setfsgid(0);
	if (made < 0) {
		fprintf(stderr, "berth-fork: cannot create %s in the container: %s\n", target, strerror(errno));
		return 1;
	}
	if (syscall(SYS_move_mount, tree, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH) < 0) {
		fprintf(stderr, "berth-fork: move_mount onto %s: %s\n", target, strerror(errno));
		return 1;
	}
	return 0;
}

int cmd_umount(const char *pid, const char *target)
{
	if (enter_mntns(pid) < 0)
		return 1;
	if (syscall(SYS_umount2, target, MNT_DETACH_FLAG) < 0 && errno != EINVAL && errno != ENOENT) {
		fprintf(stderr, "berth-fork: umount %s: %s\n", target, strerror(errno));
		return 1;
	}
	return 0;
}
