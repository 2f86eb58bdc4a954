#ifndef BERTH_STOPHOOK_H
#define BERTH_STOPHOOK_H

int cmd_stophook(const char *socket_path, const char *project, const char *name);

#endif
