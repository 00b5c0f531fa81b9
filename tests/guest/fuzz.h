/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the project's ioctl fuzzers (reliability.c, rtc_fuzz.c) share: a random stream reproducible
 * from the seed they print, commands mangled the ways a confused caller mangles them, and the bad
 * pointers a kernel must survive. Header-only: each fuzzer is one static program.
 */
#ifndef RPI_FUZZ_H
#define RPI_FUZZ_H

#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* xorshift64*: reproducible from the seed printed in the log. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

/* The number of ways mangle_cmd() knows. */
#define MANGLINGS 5

/* cmd mangled the way number how (0 .. MANGLINGS - 1) says. */
static unsigned long mangle_cmd(unsigned long cmd, unsigned int how)
{
	switch (how) {
	case 0: /* wrong size */
		return (cmd & ~(0x3fffUL << 16)) | ((rnd() % 0x4000) << 16);
	case 1: /* wrong direction */
		return (cmd & ~(3UL << 30)) | ((rnd() % 4) << 30);
	case 2: /* wrong type, or a neighbouring number */
		return rnd() & 1 ? (cmd & ~0xff00UL) | ((rnd() & 0xff) << 8) : (cmd & ~0xffUL) | (rnd() & 0xff);
	case 3:
		return (uint32_t)rnd();
	default: /* the 64-bit argument of ioctl(2) is 32 bits in the kernel: the upper half must not matter */
		return cmd | (rnd() << 32);
	}
}

/*
 * The argument pages: valid (a page, then a guard page), readonly (holding what the fuzzer put there
 * before calling map_argument_pages), and unmapped (a page unmapped again).
 */
static char *valid, *readonly, *unmapped;

/* Maps the argument pages, readonly starting with len bytes of content; 0, or -1 if mmap failed. */
static int map_argument_pages(const void *content, size_t len)
{
	char *pages = mmap(NULL, 4 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (pages == MAP_FAILED)
		return -1;
	valid = pages;
	readonly = pages + 2 * 4096;
	unmapped = pages + 3 * 4096;
	memset(readonly, 0, 4096);
	memcpy(readonly, content, len);
	mprotect(pages + 4096, 4096, PROT_NONE);
	mprotect(readonly, 4096, PROT_READ);
	munmap(unmapped, 4096);
	return 0;
}

/* The number of kinds bad_pointer() knows. */
#define BAD_POINTERS 7

/* A pointer of kind (0 .. BAD_POINTERS - 1) that the kernel must refuse or copy from safely. */
static void *bad_pointer(unsigned int kind)
{
	switch (kind) {
	case 0:
		return NULL;
	case 1:
		return (void *)(uintptr_t)(rnd() % 4096);
	case 2: /* kernel addresses: the linear map, the kernel image, the top */
		switch (rnd() % 3) {
		case 0:
			return (void *)(uintptr_t)0xffff000000000000ULL;
		case 1:
			return (void *)(uintptr_t)0xffff800080000000ULL;
		default:
			return (void *)(uintptr_t)(0xfffffffffffffff0ULL + (rnd() % 16));
		}
	case 3:
		return (void *)(uintptr_t)(rnd() | 0x8000000000000000ULL);
	case 4: /* unmapped: a page unmapped again, or the guard page */
		return rnd() & 1 ? unmapped + (rnd() % 4096) : valid + 4096 + (rnd() % 4096);
	case 5:
		return readonly + (rnd() % 4000);
	default:
		return valid + 4096 - 1 - (rnd() % 8); /* straddles into the guard page */
	}
}

/*
 * The start of every fuzzer's argument: a bad pointer (BAD_POINTERS of every BAD_POINTERS + 3
 * draws), never the valid page itself, or else the valid page with its first 64 bytes random, for
 * the caller to shape when it gets valid back.
 */
static void *bad_pointer_or_random_valid(void)
{
	unsigned int kind = rnd() % (BAD_POINTERS + 3);

	if (kind < BAD_POINTERS)
		return bad_pointer(kind);
	for (int i = 0; i < 64; i++)
		valid[i] = (char)rnd();
	return valid;
}

#endif
