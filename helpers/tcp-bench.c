/*
 * tcp-bench.c: TCP throughput between two ends, for bench/network.sh.
 *
 *     tcp-bench serve PORT            take one connection, read it to
 *                                     its end, print the bytes read
 *     tcp-bench send ADDRESS PORT MIB write MIB mebibytes, then print
 *                                     MiB/s from connect to the
 *                                     server's close
 *
 * busybox's nc moves data in small pieces and ends with its input;
 * this moves a mebibyte per write, as real senders do, so that the
 * kernel's path is measured, not the tool. The sender tries to
 * connect for 5 seconds, so it may start before the server.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define CHUNK (1024 * 1024)

static char buffer[CHUNK];

static double seconds(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int serve(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	int one = 1, s = socket(AF_INET, SOCK_STREAM, 0), c;
	long long total = 0;
	ssize_t n;

	a.sin_port = htons((unsigned short)port);
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (s < 0 || bind(s, (void *)&a, sizeof(a)) < 0 || listen(s, 1) < 0 ||
	    (c = accept(s, NULL, NULL)) < 0) {
		perror("tcp-bench: serve");
		return 1;
	}
	while ((n = read(c, buffer, sizeof(buffer))) > 0)
		total += n;
	printf("%lld\n", total);
	return n < 0;
}

static int send_all(const char *address, int port, long mib)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	double start, took;
	int s = -1;

	a.sin_port = htons((unsigned short)port);
	if (inet_pton(AF_INET, address, &a.sin_addr) != 1) {
		fprintf(stderr, "tcp-bench: bad address %s\n", address);
		return 2;
	}
	for (int tries = 0; tries < 500; tries++) {   /* 5 seconds */
		s = socket(AF_INET, SOCK_STREAM, 0);
		if (connect(s, (void *)&a, sizeof(a)) == 0)
			break;
		close(s);
		s = -1;
		usleep(10000);
	}
	if (s < 0) {
		perror("tcp-bench: connect");
		return 1;
	}
	start = seconds();
	for (long i = 0; i < mib; i++)
		for (size_t done = 0; done < CHUNK;) {
			ssize_t n = write(s, buffer + done, CHUNK - done);

			if (n < 0) {
				perror("tcp-bench: write");
				return 1;
			}
			done += (size_t)n;
		}
	shutdown(s, SHUT_WR);
	while (read(s, buffer, sizeof(buffer)) > 0)
		;                        /* until the server has it all */
	took = seconds() - start;
	printf("%.0f\n", (double)mib / took);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "serve") == 0)
		return serve(atoi(argv[2]));
	if (argc == 5 && strcmp(argv[1], "send") == 0)
		return send_all(argv[2], atoi(argv[3]), atol(argv[4]));
	fprintf(stderr, "usage: tcp-bench serve PORT | "
		"send ADDRESS PORT MIB\n");
	return 2;
}
