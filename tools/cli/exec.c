/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * exec.c - find COMMAND as execvp() would, and decide from its ELF program
 * headers whether the dynamic loader will preload anything into it.
 * LD_PRELOAD is a request to ld.so: a static program has no ld.so, a
 * set-user-ID one runs it in secure-execution mode (which drops preloads by
 * path), and a program of another ELF class or machine makes ld.so skip the
 * library with a message and run the program anyway.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>
#include "cli.h"

static uint16_t rd16(const unsigned char *p, int swap)
{
	uint16_t v;
	memcpy(&v, p, sizeof(v));
	return swap ? __builtin_bswap16(v) : v;
}

static int native_data(void)
{
	const uint16_t one = 1;
	return *(const unsigned char *)&one ? ELFDATA2LSB : ELFDATA2MSB;
}

int cli_elf_read(const char *path, struct cli_elf *out)
{
	unsigned char eh[64];
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	memset(out, 0, sizeof(*out));
	if (fd < 0)
		return -errno;
	ssize_t n = pread(fd, eh, sizeof(eh), 0);
	if (n < 52 || memcmp(eh, ELFMAG, SELFMAG) ||
	    (eh[EI_CLASS] != ELFCLASS32 && eh[EI_CLASS] != ELFCLASS64)) {
		close(fd);
		return -ENOEXEC;
	}
	int swap = eh[EI_DATA] != native_data();
	int is64 = eh[EI_CLASS] == ELFCLASS64;
	out->elf_class = eh[EI_CLASS];
	out->machine = rd16(eh + 18, swap);
	if (swap) {
		/* another byte order is another machine: ld.so will not load it */
		close(fd);
		return 0;
	}
	uint64_t phoff;
	uint16_t phentsize, phnum;
	if (is64) {
		Elf64_Ehdr h;
		memcpy(&h, eh, sizeof(h));
		phoff = h.e_phoff, phentsize = h.e_phentsize, phnum = h.e_phnum;
	} else {
		Elf32_Ehdr h;
		memcpy(&h, eh, sizeof(h));
		phoff = h.e_phoff, phentsize = h.e_phentsize, phnum = h.e_phnum;
	}
	if (phentsize < (is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr)) || phnum > 4096) {
		close(fd);
		return -ENOEXEC;
	}
	for (unsigned int i = 0; i < phnum; i++) {
		unsigned char ph[sizeof(Elf64_Phdr)];
		uint64_t type, off, size;
		if (pread(fd, ph, phentsize < sizeof(ph) ? phentsize : sizeof(ph),
			  (off_t)(phoff + (uint64_t)i * phentsize)) < (ssize_t)(is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr)))
			break;
		if (is64) {
			Elf64_Phdr p;
			memcpy(&p, ph, sizeof(p));
			type = p.p_type, off = p.p_offset, size = p.p_filesz;
		} else {
			Elf32_Phdr p;
			memcpy(&p, ph, sizeof(p));
			type = p.p_type, off = p.p_offset, size = p.p_filesz;
		}
		if (type != PT_INTERP)
			continue;
		if (size == 0 || size >= sizeof(out->interp))
			break;
		if (pread(fd, out->interp, size, (off_t)off) != (ssize_t)size)
			break;
		out->interp[size] = 0;
		out->dynamic = 1;
		break;
	}
	close(fd);
	return 0;
}

const char *cli_elf_machine_name(int machine)
{
	switch (machine) {
	case EM_X86_64: return "x86-64";
	case EM_386: return "i386";
	case EM_AARCH64: return "aarch64";
	case EM_ARM: return "arm";
	case EM_RISCV: return "riscv";
	case EM_S390: return "s390";
	case EM_PPC64: return "ppc64";
	default: return "another machine";
	}
}

static int executable_file(const char *path)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EACCES;
	return access(path, X_OK) == 0 ? 0 : -errno;
}

char *cli_find_command(const char *name)
{
	int r;

	if (!*name) {
		errno = ENOENT;
		return NULL;
	}
	if (strchr(name, '/')) {
		r = executable_file(name);
		if (r) {
			errno = -r;
			return NULL;
		}
		return strdup(name);
	}
	char dflt[64] = "/bin:/usr/bin";
	const char *path = getenv("PATH");
	if (!path)
		confstr(_CS_PATH, dflt, sizeof(dflt)), path = dflt;
	int seen_eacces = 0;
	for (const char *p = path;; p++) {
		const char *end = strchr(p, ':');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		char *cand = malloc(len + strlen(name) + 3);
		if (!cand)
			return NULL;
		if (len)
			memcpy(cand, p, len);
		else
			cand[len++] = '.'; /* empty PATH element: the current directory */
		cand[len] = '/';
		strcpy(cand + len + 1, name);
		r = executable_file(cand);
		if (r == 0)
			return cand;
		if (r == -EACCES)
			seen_eacces = 1;
		free(cand);
		if (!end)
			break;
		p = end;
	}
	errno = seen_eacces ? EACCES : ENOENT;
	return NULL;
}

/* The interpreter named on a "#!" line, or "" when the file has none. */
static int shebang(const char *path, char *interp, size_t len)
{
	char buf[256];
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	interp[0] = 0;
	if (fd < 0)
		return -errno;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 2 || buf[0] != '#' || buf[1] != '!')
		return 0;
	buf[n] = 0;
	char *s = buf + 2;
	s += strspn(s, " \t");
	size_t l = strcspn(s, " \t\n");
	if (l == 0 || l >= len)
		return -ENOEXEC;
	memcpy(interp, s, l);
	interp[l] = 0;
	return 0;
}

static int secure_exec(const char *path)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return 0;
	if ((st.st_mode & S_ISUID) && st.st_uid != geteuid())
		return 1;
	if ((st.st_mode & S_ISGID) && st.st_gid != getegid())
		return 1;
	/* file capabilities make a non-root caller's exec secure too */
	return geteuid() != 0 && getxattr(path, "security.capability", NULL, 0) > 0;
}

int cli_check_command(const char *cmd, const struct cli_elf *lib, struct cli_elf *elf, int supervise)
{
	char cur[256], next[256];

	if (secure_exec(cmd)) {
		if (supervise)
			cli_err("%s is set-user-ID, set-group-ID or has file capabilities: supervisor mode "
				"sets no_new_privs, which would run it without them", cmd);
		else
			cli_err("%s is set-user-ID, set-group-ID or has file capabilities: the dynamic loader "
				"ignores LD_PRELOAD in secure-execution mode, so the shim cannot load", cmd);
		return CLI_EXIT_CANNOT;
	}
	if (strlen(cmd) >= sizeof(cur)) {
		cli_err("%s: path too long", cmd);
		return CLI_EXIT_CANNOT;
	}
	strcpy(cur, cmd);
	for (int depth = 0;; depth++) {
		if (depth > 4) {
			cli_err("%s: too many levels of #! interpreters", cmd);
			return CLI_EXIT_CANNOT;
		}
		int r = shebang(cur, next, sizeof(next));
		if (r == -ENOENT) {
			cli_err("%s%s%s: not found", depth ? cmd : "", depth ? ": interpreter " : "", cur);
			return CLI_EXIT_NOTFOUND;
		}
		if (r) {
			cli_err("%s: cannot read: %s", cur, strerror(-r));
			return CLI_EXIT_CANNOT;
		}
		if (next[0]) {
			strcpy(cur, next);
			continue;
		}
		r = cli_elf_read(cur, elf);
		if (r == -ENOEXEC && depth == 0) {
			/* execvp() runs such a file with /bin/sh */
			strcpy(cur, "/bin/sh");
			continue;
		}
		if (r == -ENOENT) {
			cli_err("%s: interpreter %s not found", cmd, cur);
			return CLI_EXIT_NOTFOUND;
		}
		if (r) {
			cli_err("%s: not an executable program: %s", cur, strerror(-r));
			return CLI_EXIT_CANNOT;
		}
		break;
	}
	strcpy(elf->path, cur);
	const char *what = strcmp(cur, cmd) ? cur : cmd;
	const char *via = strcmp(cur, cmd) ? " (the interpreter of the script)" : "";
	if (elf->elf_class != lib->elf_class || elf->machine != lib->machine) {
		cli_err("%s%s is a %d-bit %s program but the library is %d-bit %s: the dynamic loader "
			"cannot preload it", what, via, elf->elf_class == ELFCLASS64 ? 64 : 32,
			cli_elf_machine_name(elf->machine), lib->elf_class == ELFCLASS64 ? 64 : 32,
			cli_elf_machine_name(lib->machine));
		return CLI_EXIT_CANNOT;
	}
	if (!elf->dynamic && !supervise) {
		cli_err("%s%s is statically linked (no PT_INTERP): LD_PRELOAD cannot work there; "
			"use a dynamically linked build, link the library (libkvmrun-compat(3)), or "
			"kvmrun-compat --supervise", what, via);
		return CLI_EXIT_CANNOT;
	}
	return 0;
}
