#ifndef BERTH_SECCOMP_H
#define BERTH_SECCOMP_H

/* seccomp.c: the seccomp notify proxy for security.syscalls.intercept.* (runs until stdin closes). */
int cmd_seccomp(const char *socket_path);

#endif
