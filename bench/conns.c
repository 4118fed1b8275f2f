/*
 * bench/conns.c: opens N TCP connections to ADDR:PORT, reads each one's
 * greeting (so the server has set the session up), prints "open N
 * greeted G" and then holds them idle until SIGTERM or stdin closes.
 * For scripts/bench.sh memory (the RSS of a server with 10,000 idle
 * sessions); raise RLIMIT_NOFILE first (ulimit -n).
 *
 *     conns ADDR:PORT N
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	struct sockaddr_in sa;
	char *colon, buf[512];
	int n, opened = 0, greeted = 0, *fds;

	if (argc != 3 || (colon = strrchr(argv[1], ':')) == NULL ||
	    (n = atoi(argv[2])) <= 0) {
		fprintf(stderr, "usage: conns ADDR:PORT N\n");
		return 2;
	}
	*colon = '\0';
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)atoi(colon + 1));
	if (inet_pton(AF_INET, argv[1], &sa.sin_addr) != 1)
		return 2;
	signal(SIGPIPE, SIG_IGN);
	if ((fds = calloc((size_t)n, sizeof(*fds))) == NULL)
		return 1;
	for (int i = 0; i < n; i++) {
		int fd = socket(AF_INET, SOCK_STREAM, 0);

		if (fd < 0) {
			fprintf(stderr, "conns: socket %d: %s\n", i,
			    strerror(errno));
			break;
		}
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
			fprintf(stderr, "conns: connect %d: %s\n", i,
			    strerror(errno));
			close(fd);
			break;
		}
		fds[opened++] = fd;
		/* one greeting at a time keeps the listen backlog short */
		struct pollfd pf = { .fd = fd, .events = POLLIN };

		if (poll(&pf, 1, 5000) == 1) {
			ssize_t r = recv(fd, buf, sizeof(buf), 0);

			if (r > 3 && memcmp(buf, "220", 3) == 0)
				greeted++;
		}
	}
	printf("open %d greeted %d\n", opened, greeted);
	fflush(stdout);
	/* hold until stdin closes or a signal ends us */
	while (read(0, buf, sizeof(buf)) > 0)
		;
	pause();
	return 0;
}
