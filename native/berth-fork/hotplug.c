/*
 * Disk hot-plug into a running container (berth-fork mount/umount).
 *
 *   berth-fork mount  <pid> <source> <target> <options>
 *   berth-fork umount <pid> <target>
 *
 * <options> is a comma list of: bind|rbind, ro, idmap, create=dir|file.
 * The source is cloned with open_tree() while still in the host's mount
 * namespace (made read-only or idmapped to the container with mount_setattr),
 * then the helper joins the container's user and mount namespaces (it is
 * single-threaded, which setns(CLONE_NEWNS) requires), becomes root there so it
 * may create the mount point on the idmapped rootfs, and attaches the tree with
 * move_mount(). Exit: 0 ok, 1 failure (message on stderr), 2 usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hotplug.h"

static int has_option(const char *options, const char *want)
{
	char copy[256];
	snprintf(copy, sizeof(copy), "%s", options);
	for (char *save = NULL, *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		if (strcmp(tok, want) == 0)
			return 1;
	return 0;
}

static int open_ns(long pid, const char *ns)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%ld/ns/%s", pid, ns);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		fprintf(stderr, "berth-fork: open %s: %s\n", path, strerror(errno));
	return fd;
}

/* Joins the container's user namespace (if it has its own) and mount namespace, as root inside. */
static int enter_container(long pid)
{
	int userns = open_ns(pid, "user"), mntns = open_ns(pid, "mnt");
	if (userns < 0 || mntns < 0)
		return -1;
	struct stat mine, theirs;
	if (stat("/proc/self/ns/user", &mine) == 0 && fstat(userns, &theirs) == 0 && mine.st_ino != theirs.st_ino) {
		if (setns(userns, CLONE_NEWUSER) < 0) {
			fprintf(stderr, "berth-fork: setns user: %s\n", strerror(errno));
			return -1;
		}
		if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0) {
			fprintf(stderr, "berth-fork: becoming root in the container: %s\n", strerror(errno));
			return -1;
		}
	}
	if (setns(mntns, CLONE_NEWNS) < 0) {
		fprintf(stderr, "berth-fork: setns mnt: %s\n", strerror(errno));
		return -1;
	}
	close(userns);
	close(mntns);
	return 0;
}

static int make_parents(const char *target)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s", target);
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0755) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return 0;
}

int cmd_mount(long pid, const char *source, const char *target, const char *options)
{
	int recursive = has_option(options, "rbind");
	int tree = open_tree(AT_FDCWD, source, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive ? AT_RECURSIVE : 0));
	if (tree < 0) {
		fprintf(stderr, "berth-fork: open_tree %s: %s\n", source, strerror(errno));
		return 1;
	}

	struct mount_attr attr = { 0 };
	if (has_option(options, "ro"))
		attr.attr_set |= MOUNT_ATTR_RDONLY;
	if (has_option(options, "idmap")) {
		int userns = open_ns(pid, "user");
		if (userns < 0)
			return 1;
		attr.attr_set |= MOUNT_ATTR_IDMAP;
		attr.userns_fd = userns;
	}
	if (attr.attr_set && mount_setattr(tree, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &attr, sizeof(attr)) < 0) {
		fprintf(stderr, "berth-fork: mount_setattr %s: %s\n", source, strerror(errno));
		return 1;
	}

	if (enter_container(pid) < 0)
		return 1;
	if (make_parents(target) < 0) {
		fprintf(stderr, "berth-fork: creating the parents of %s: %s\n", target, strerror(errno));
		return 1;
	}
	if (has_option(options, "create=file")) {
		int fd = open(target, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
		if (fd >= 0)
			close(fd);
	} else if (mkdir(target, 0755) < 0 && errno != EEXIST) {
		fprintf(stderr, "berth-fork: mkdir %s: %s\n", target, strerror(errno));
		return 1;
	}
	if (move_mount(tree, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH) < 0) {
		fprintf(stderr, "berth-fork: move_mount onto %s: %s\n", target, strerror(errno));
		return 1;
	}
	return 0;
}

int cmd_umount(long pid, const char *target)
{
	if (enter_container(pid) < 0)
		return 1;
	if (umount2(target, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT) {
		fprintf(stderr, "berth-fork: umount %s: %s\n", target, strerror(errno));
		return 1;
	}
	return 0;
}
