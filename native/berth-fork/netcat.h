#ifndef BERTH_NETCAT_H
#define BERTH_NETCAT_H

int cmd_netcat(const char *path);

#endif
