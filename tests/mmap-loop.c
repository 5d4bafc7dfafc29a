/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* mmap-loop.c FILE N - maps FILE shared at offset 0 and unmaps it N times: a
 * process that never touches KVM, for tests/test-costs.sh. */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 3)
		return 2;
	int fd = open(argv[1], O_RDWR);
	long n = atol(argv[2]);
	if (fd < 0)
		return 1;
	for (long i = 0; i < n; i++) {
		void *p = mmap(NULL, 8192, PROT_READ, MAP_SHARED, fd, 0);
		if (p == MAP_FAILED || munmap(p, 8192))
			return 1;
	}
	return 0;
}
