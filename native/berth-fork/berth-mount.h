#ifndef BERTH_MOUNT_H
#define BERTH_MOUNT_H

/* MNT_DETACH from <sys/mount.h>, which clashes with <linux/mount.h>. */
#define MNT_DETACH_FLAG 2

int cmd_mount(const char *pid, const char *source, const char *target, const char *opts);
int cmd_umount(const char *pid, const char *target);

#endif
