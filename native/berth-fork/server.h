#ifndef BERTH_SERVER_H
#define BERTH_SERVER_H

/* berth-fork's exit code when the server could not set up a child. */
#define EXIT_SPAWN_FAILED 254

/* berth-fork.c: one command line (argv[0] is the program name). */
int run_command(int argc, char **argv);

/* server.c */
int cmd_serve(const char *fd_arg);

#endif
