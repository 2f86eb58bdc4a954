#ifndef BERTH_HOTPLUG_H
#define BERTH_HOTPLUG_H

int cmd_mount(long pid, const char *source, const char *target, const char *options);
int cmd_umount(long pid, const char *target);

/* proxy.c */
int cmd_forkproxy(int argc, char **argv);

#endif
