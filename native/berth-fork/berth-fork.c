/*
 * berth-fork: the only code in Berth that calls liblxc functions which fork
 * (start, attach, get_ips). berthd runs each operation in a fork of one
 * long-lived `berth-fork serve` (server.c), so liblxc forks a small
 * single-threaded process instead of the daemon with its heap, and the start
 * path's transient pid moved into lxc.monitor.<name> is that short-lived
 * child, not berthd.
 *
 *   berth-fork start <lxcpath> <name>
 *   berth-fork exec  <lxcpath> <name> [--cwd DIR] [--uid N] [--gid N]
 *                    [--env K=V]... [--status-fd N] -- argv...
 *   berth-fork ips   <lxcpath> <name> [iface]
 *   berth-fork mount <pid> <source> <target> <options>   (hotplug.c)
 *   berth-fork umount <pid> <target>
 *   berth-fork forkproxy <pid> <listen> <connect> <host|instance> [uid gid mode]   (proxy.c)
 *   berth-fork netcat <socket> [ignored...]              (netcat.c)
 *   berth-fork seccomp <socket>   the seccomp notify proxy, until stdin closes (seccomp.c)
 *   berth-fork serve <fd>      the above, forked per request (server.c)
 *
 * berthd writes <lxcpath>/<name>/config itself; lxc_container_new() loads it.
 * load_config() must not be called again (it appends list keys like lxc.idmap).
 *
 * Exit codes: start/ips: 0 ok, 1 failure (message on stderr), 2 usage.
 * exec: the attached process's exit code, 128+signal if it was killed, or
 * 255 if berth-fork could not attach (message on stderr; nothing is written to
 * the status fd in that case, so the daemon sees EOF there).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <lxc/attach_options.h>
#include <lxc/lxccontainer.h>

#include "hotplug.h"
#include "netcat.h"
#include "seccomp.h"
#include "server.h"

#define START_TIMEOUT_SECONDS 30
#define EXIT_ATTACH_FAILED 255

static int usage(void)
{
	fprintf(stderr,
		"usage: berth-fork start <lxcpath> <name>\n"
		"       berth-fork exec <lxcpath> <name> [--cwd DIR] [--uid N] [--gid N] [--env K=V]... [--status-fd N] -- argv...\n"
		"       berth-fork ips <lxcpath> <name> [iface]\n"
		"       berth-fork mount <pid> <source> <target> <bind|rbind[,ro][,idmap][,create=dir|file]>\n"
		"       berth-fork umount <pid> <target>\n"
		"       berth-fork forkproxy <pid> <listen> <connect> <host|instance> [<uid> <gid> <mode>]\n"
		"       berth-fork netcat <socket>\n"
		"       berth-fork seccomp <socket>\n");
	return 2;
}

static struct lxc_container *open_container(const char *lxcpath, const char *name)
{
	struct lxc_container *c = lxc_container_new(name, lxcpath);
	if (!c) {
		fprintf(stderr, "berth-fork: cannot load container %s from %s\n", name, lxcpath);
		return NULL;
	}
	if (!c->is_defined(c)) {
		fprintf(stderr, "berth-fork: container %s has no config at %s/%s/config\n", name, lxcpath, name);
		lxc_container_put(c);
		return NULL;
	}
	return c;
}

/* ---- cgroup return trip ----
 * liblxc's daemonized start writes the caller's pid (this helper) into
 * lxc.monitor.<name> in every hierarchy. If the helper is still there when the
 * monitor exits (start failed, or the container died quickly), the monitor
 * cgroup cannot be removed (EBUSY) and leaks. So right after start() returns
 * the helper moves itself back to the cgroups it came from, and on failure
 * removes the now empty monitor cgroups. */
#define MAX_HIER 24
struct hier {
	char controllers[128];
	char path[PATH_MAX];
};

static int read_cgroups(struct hier *h, int max)
{
	FILE *f = fopen("/proc/self/cgroup", "re");
	char line[PATH_MAX + 256];
	int n = 0;
	if (!f)
		return 0;
	while (n < max && fgets(line, sizeof(line), f)) {
		char *a = strchr(line, ':'), *b = a ? strchr(a + 1, ':') : NULL;
		if (!b)
			continue;
		line[strcspn(line, "\n")] = '\0';
		*b = '\0';
		snprintf(h[n].controllers, sizeof(h[n].controllers), "%s", a + 1);
		snprintf(h[n].path, sizeof(h[n].path), "%s", b + 1);
		n++;
	}
	fclose(f);
	return n;
}

/* Finds the mount point of a hierarchy ("" = cgroup2) mounted at its root. */
static int cgroup_mount(const char *controllers, char *out, size_t len)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[4096];
	int found = 0;
	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f)) {
		char root[PATH_MAX], mnt[PATH_MAX], fstype[64], opts[1024];
		char *sep = strstr(line, " - ");
		if (!sep || sscanf(line, "%*s %*s %*s %4095s %4095s", root, mnt) != 2)
			continue;
		if (sscanf(sep + 3, "%63s %*s %1023s", fstype, opts) != 2 || strcmp(root, "/") != 0)
			continue;
		if (controllers[0] == '\0') {
			found = strcmp(fstype, "cgroup2") == 0;
		} else if (strcmp(fstype, "cgroup") == 0) {
			char want[128], *save = NULL;
			snprintf(want, sizeof(want), "%.127s", controllers);
			found = 1;
			for (char *w = strtok_r(want, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
				char padded[1100], needle[140];
				snprintf(padded, sizeof(padded), ",%s,", opts);
				snprintf(needle, sizeof(needle), ",%s,", w);
				if (!strstr(padded, needle))
					found = 0;
			}
		}
		if (found)
			snprintf(out, len, "%s", mnt);
	}
	fclose(f);
	return found;
}

static void return_to_cgroups(const struct hier *before, int n, int remove_left)
{
	struct hier now[MAX_HIER];
	int m = read_cgroups(now, MAX_HIER);
	for (int i = 0; i < n; i++) {
		for (int j = 0; j < m; j++) {
			char mnt[PATH_MAX], file[PATH_MAX * 2 + 32], left[PATH_MAX * 2];
			if (strcmp(before[i].controllers, now[j].controllers) != 0)
				continue;
			if (strcmp(before[i].path, now[j].path) == 0 || !strstr(now[j].path, "lxc.monitor."))
				break;
			if (!cgroup_mount(before[i].controllers, mnt, sizeof(mnt)))
				break;
			snprintf(file, sizeof(file), "%s%s/cgroup.procs", mnt, before[i].path);
			FILE *f = fopen(file, "we");
			if (f) {
				fprintf(f, "%d\n", (int)getpid());
				fclose(f);
			}
			if (remove_left) {
				snprintf(left, sizeof(left), "%s%s", mnt, now[j].path);
				rmdir(left);
			}
			break;
		}
	}
}

static int cmd_start(const char *lxcpath, const char *name)
{
	struct lxc_container *c = open_container(lxcpath, name);
	if (!c)
		return 1;

	if (c->is_running(c)) {
		fprintf(stderr, "berth-fork: container %s is already running\n", name);
		lxc_container_put(c);
		return 1;
	}

	c->want_daemonize(c, true);
	/* The monitor must not keep our stdout/stderr pipes (berthd reads them to EOF). */
	c->want_close_all_fds(c, true);

	/* With newuidmap/newgidmap on PATH liblxc writes the id maps through them, each
	 * behind an "sh -c": four execs on every start. As root it can write the same
	 * maps itself, which it does when it finds no such tools on PATH. berthd runs
	 * no lxc hooks, so nothing else of liblxc's start looks at PATH. */
	if (geteuid() == 0)
		setenv("PATH", "", 1);

	struct hier before[MAX_HIER];
	int nbefore = read_cgroups(before, MAX_HIER);
	bool started = c->start(c, 0, NULL);
	return_to_cgroups(before, nbefore, !started);
	if (!started) {
		fprintf(stderr, "berth-fork: failed to start container %s (%s); see %s/%s/lxc.log or the lxc.log.file in its config\n",
			name, c->error_string ? c->error_string : "liblxc reported an error", lxcpath, name);
		lxc_container_put(c);
		return 1;
	}

	if (!c->wait(c, "RUNNING", START_TIMEOUT_SECONDS)) {
		fprintf(stderr, "berth-fork: container %s did not reach RUNNING within %d s (state %s); see %s/%s/lxc.log\n",
			name, START_TIMEOUT_SECONDS, c->state(c), lxcpath, name);
		lxc_container_put(c);
		return 1;
	}

	pid_t pid = c->init_pid(c);
	if (pid <= 0) {
		fprintf(stderr, "berth-fork: container %s started but has no init pid (state %s); see %s/%s/lxc.log\n",
			name, c->state(c), lxcpath, name);
		lxc_container_put(c);
		return 1;
	}

	printf("%d\n", (int)pid);
	fflush(stdout);
	lxc_container_put(c);
	return 0;
}

static int cmd_ips(const char *lxcpath, const char *name, const char *iface)
{
	struct lxc_container *c = open_container(lxcpath, name);
	if (!c)
		return 1;

	if (!c->is_running(c)) {
		fprintf(stderr, "berth-fork: container %s is not running\n", name);
		lxc_container_put(c);
		return 1;
	}

	char **ips = c->get_ips(c, iface, NULL, 0);
	if (ips) {
		for (char **p = ips; *p; p++) {
			printf("%s\n", *p);
			free(*p);
		}
		free(ips);
	}
	fflush(stdout);
	lxc_container_put(c);
	return 0;
}

/* Signal forwarding for exec. liblxc's attach children inherit the handler
 * until they exec, so it checks getpid(): in the helper it forwards (or keeps
 * the signal until the attached pid is known), in a child it restores the
 * default action and re-raises. */
static const int forwarded_signals[] = {
	SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH,
	SIGCONT, SIGTSTP, SIGTTIN, SIGTTOU, SIGALRM,
};
static volatile sig_atomic_t helper_pid;
static volatile sig_atomic_t attached_pid;
static volatile sig_atomic_t pending_signal;

static void forward_signal(int sig)
{
	int saved = errno;
	if (getpid() == helper_pid) {
		if (attached_pid > 0)
			kill(attached_pid, sig);
		else
			pending_signal = sig;
	} else {
		/* A liblxc child that has not exec'd yet (the attached process
		 * itself, signalled as soon as its pid is known): act as if the
		 * handler were not there. */
		signal(sig, SIG_DFL);
		raise(sig);
	}
	errno = saved;
}

static int install_forwarding(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = forward_signal;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(forwarded_signals) / sizeof(forwarded_signals[0]); i++)
		if (sigaction(forwarded_signals[i], &sa, NULL) < 0)
			return -1;
	return 0;
}

static int parse_id(const char *s, long *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || *s == '\0' || *end != '\0' || v < 0)
		return -1;
	*out = v;
	return 0;
}

static int cmd_exec(const char *lxcpath, const char *name, int argc, char **argv)
{
	lxc_attach_options_t opts = LXC_ATTACH_OPTIONS_DEFAULT;
	char **env = calloc((size_t)argc + 1, sizeof(char *));
	int nenv = 0, status_fd = -1, i;
	long v;

	if (!env)
		return EXIT_ATTACH_FAILED;

	for (i = 0; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--") == 0) {
			i++;
			break;
		}
		if (i + 1 >= argc) {
			fprintf(stderr, "berth-fork: %s needs a value\n", a);
			return usage();
		}
		const char *val = argv[++i];
		if (strcmp(a, "--cwd") == 0) {
			opts.initial_cwd = (char *)val;
		} else if (strcmp(a, "--uid") == 0) {
			if (parse_id(val, &v) < 0) { fprintf(stderr, "berth-fork: bad --uid %s\n", val); return usage(); }
			opts.uid = (uid_t)v;
		} else if (strcmp(a, "--gid") == 0) {
			if (parse_id(val, &v) < 0) { fprintf(stderr, "berth-fork: bad --gid %s\n", val); return usage(); }
			opts.gid = (gid_t)v;
		} else if (strcmp(a, "--env") == 0) {
			if (!strchr(val, '=')) { fprintf(stderr, "berth-fork: bad --env %s (want K=V)\n", val); return usage(); }
			env[nenv++] = (char *)val;
		} else if (strcmp(a, "--status-fd") == 0) {
			if (parse_id(val, &v) < 0 || v < 3) { fprintf(stderr, "berth-fork: bad --status-fd %s\n", val); return usage(); }
			status_fd = (int)v;
		} else {
			fprintf(stderr, "berth-fork: unknown option %s\n", a);
			return usage();
		}
	}
	if (i >= argc) {
		fprintf(stderr, "berth-fork: exec needs a command after --\n");
		return usage();
	}

	lxc_attach_command_t command = { .program = argv[i], .argv = &argv[i] };

	opts.attach_flags = LXC_ATTACH_DEFAULT;
	opts.namespaces = -1; /* all of init's namespaces */
	opts.env_policy = LXC_ATTACH_CLEAR_ENV;
	opts.extra_env_vars = env;
	opts.stdin_fd = STDIN_FILENO;
	opts.stdout_fd = STDOUT_FILENO;
	opts.stderr_fd = STDERR_FILENO;

	struct lxc_container *c = open_container(lxcpath, name);
	if (!c)
		return EXIT_ATTACH_FAILED;
	if (!c->is_running(c)) {
		fprintf(stderr, "berth-fork: container %s is not running\n", name);
		lxc_container_put(c);
		return EXIT_ATTACH_FAILED;
	}

	/* The attached process inherits our fds: keep the status fd out of it,
	 * or the daemon would not see EOF there until the command exits. */
	if (status_fd >= 0 && fcntl(status_fd, F_SETFD, FD_CLOEXEC) < 0) {
		fprintf(stderr, "berth-fork: bad --status-fd %d: %s\n", status_fd, strerror(errno));
		lxc_container_put(c);
		return EXIT_ATTACH_FAILED;
	}

	helper_pid = getpid();
	if (install_forwarding() < 0) {
		perror("berth-fork: sigaction");
		lxc_container_put(c);
		return EXIT_ATTACH_FAILED;
	}

	pid_t pid = -1;
	int ret = c->attach(c, lxc_attach_run_command, &command, &opts, &pid);
	if (ret < 0 || pid <= 0) {
		fprintf(stderr, "berth-fork: failed to attach to container %s (ret %d)\n", name, ret);
		lxc_container_put(c);
		return EXIT_ATTACH_FAILED;
	}
	attached_pid = pid;
	/* liblxc's attach ignores SIGINT and SIGQUIT in the caller once the
	 * process runs (as system() does); take them back so they are forwarded
	 * like the others (lxc exec sends ^C as SIGINT when not on a pty). */
	if (install_forwarding() < 0) {
		perror("berth-fork: sigaction");
		kill(pid, SIGKILL);
	}
	if (pending_signal)
		kill(pid, pending_signal);

	if (status_fd >= 0) {
		char line[32];
		int len = snprintf(line, sizeof(line), "%d\n", (int)pid);
		ssize_t w;
		do {
			w = write(status_fd, line, (size_t)len);
		} while (w < 0 && errno == EINTR);
		close(status_fd);
	}

	int status;
	pid_t r;
	do {
		r = waitpid(pid, &status, 0);
	} while (r < 0 && errno == EINTR);
	lxc_container_put(c);

	if (r < 0) {
		perror("berth-fork: waitpid");
		return EXIT_ATTACH_FAILED;
	}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return EXIT_ATTACH_FAILED;
}

int run_command(int argc, char **argv)
{
	if (argc >= 3 && strcmp(argv[1], "netcat") == 0)
		return cmd_netcat(argv[2]);
	if (argc == 3 && strcmp(argv[1], "seccomp") == 0)
		return cmd_seccomp(argv[2]);
	if (argc < 4)
		return usage();

	const char *cmd = argv[1], *lxcpath = argv[2], *name = argv[3];

	if (strcmp(cmd, "forkproxy") == 0)
		return cmd_forkproxy(argc - 2, argv + 2);

	if (strcmp(cmd, "start") == 0 && argc == 4)
		return cmd_start(lxcpath, name);
	if (strcmp(cmd, "ips") == 0 && (argc == 4 || argc == 5))
		return cmd_ips(lxcpath, name, argc == 5 ? argv[4] : NULL);
	if (strcmp(cmd, "exec") == 0)
		return cmd_exec(lxcpath, name, argc - 4, argv + 4);
	if (strcmp(cmd, "mount") == 0 && argc == 6)
		return cmd_mount(strtol(argv[2], NULL, 10), argv[3], argv[4], argv[5]);
	if (strcmp(cmd, "umount") == 0 && argc == 4)
		return cmd_umount(strtol(argv[2], NULL, 10), argv[3]);
	return usage();
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "serve") == 0)
		return cmd_serve(argv[2]);
	return run_command(argc, argv);
}
