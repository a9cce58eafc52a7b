# husk - a Linux container runtime.  See README.md.
#
#   make                 build ./husk
#   make check           unit tests, then the container tests on this host and
#                        (pure cgroup v2) inside ../shared/vmtest
#   make check SANITIZE=1   the same under AddressSanitizer + UBSan
#   make format          apply .clang-format
#   make lint            clang-tidy (.clang-tidy) and cppcheck
#                        (.cppcheck-suppressions): any finding fails
#   make install PREFIX=/usr/local   the binary, man page and bash completion
#   make bench           time, faults, syscalls, RSS against crun/runc; scale (bench/)
#   make order           src/husk.order: the functions husk runs, for lld (root,
#                        valgrind, perf: bench/order.sh)
#   make fuzz            the libFuzzer harnesses of fuzz/ (clang, in build-fuzz/)
#   make fuzz-run FUZZ_SECONDS=N   each harness for N seconds, from fuzz/corpus/
#   make valgrind        the unit tests and husk's commands under valgrind's
#                        memcheck (a dynamic build in build-vg/)

PREFIX ?= /usr/local
CC ?= cc
BUILD ?= build
SANITIZE ?=
# A static binary starts faster (no dynamic loader, no shared-library
# relocation); used when the static json-c archive is there.
STATIC ?= $(if $(wildcard /usr/lib/$(shell $(CC) -print-multiarch)/libjson-c.a),1,0)

# CFLAGS, LDFLAGS and LDLIBS are the user's (environment or command line);
# the project's own go in HK_CFLAGS, HK_LDFLAGS and HK_LDLIBS, after them:
# one given on the command line adds to the project's instead of replacing
# them (where two flags conflict, the project's come last and win, e.g.
# VALGRIND's -O1), and sub-makes see the same values as their parent.
CFLAGS ?= -O2 -g
HK_LDFLAGS :=
HK_CFLAGS := -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow \
	  -Wformat=2 -fno-strict-aliasing -D_GNU_SOURCE -Isrc
# libarchive (tarball rootfs for `husk box`) with only the tar reader and the
# gzip/bzip2/xz/zstd/lz4 filters referenced, so a static link pulls no more;
# nettle for SHA-256 (libarchive depends on it anyway).
HK_LDLIBS := -ljson-c -lseccomp -larchive -lnettle -lacl -llzma -lzstd -llz4 -lbz2 -lz
ifeq ($(SANITIZE),1)
STATIC := 0
HK_CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
HK_LDFLAGS += -fsanitize=address,undefined
BUILD := build-san
endif
# valgrind (make valgrind, tests/valgrind.sh) cannot replace malloc in a
# static binary: a dynamic one, lightly optimised so that its reports
# point at the right lines
ifeq ($(VALGRIND),1)
STATIC := 0
HK_CFLAGS += -O1
BUILD := build-vg
endif
ifeq ($(STATIC),1)
HK_LDFLAGS += -static
# x86-64: start at src/linux/selfexe_early.c, which re-executes husk from
# a read-only view of itself before the C library starts (CVE-2019-5736
# without paying for a start of glibc that is thrown away)
ifeq ($(shell $(CC) -dumpmachine | cut -d- -f1),x86_64)
HK_LDFLAGS += -Wl,-e,hk_early_entry
endif
# With lld: the functions a container's life runs (src/husk.order, made by
# `make order`) placed side by side, so that they fill few of the 64 KiB
# windows the kernel maps text in (bench/order.sh): husk's process in a
# `run` peaks at ~950 KiB resident instead of 1,620, ~15 fewer faults
ifneq ($(shell command -v ld.lld 2>/dev/null),)
HK_CFLAGS += -ffunction-sections
HK_LDFLAGS += -fuse-ld=lld -Wl,--symbol-ordering-file=src/husk.order \
	   -Wl,--no-warn-symbol-ordering
LINK_DEPS := src/husk.order
endif
endif

# The compiler and flags of this build, in $(BUILD)/flags: made when
# missing, rewritten as make starts when they changed (lld installed since,
# say), and husk's objects, binary and unit tests depend on it, so none is
# left built with other flags.  (make >= 4.2: $(file <).)
FLAGS_STAMP := $(BUILD)/flags
ALL_CFLAGS = $(CFLAGS) $(HK_CFLAGS)
ALL_LDFLAGS = $(LDFLAGS) $(HK_LDFLAGS)
ALL_LDLIBS = $(LDLIBS) $(HK_LDLIBS)
FLAGS_NOW := $(CC) $(ALL_CFLAGS) | $(ALL_LDFLAGS) | $(ALL_LDLIBS)
ifneq ($(wildcard $(FLAGS_STAMP)),)
ifneq ($(file <$(FLAGS_STAMP)),$(FLAGS_NOW))
$(file >$(FLAGS_STAMP),$(FLAGS_NOW))
endif
endif

SRCS := $(shell find src -name '*.c' | sort)
LIB_SRCS := $(filter-out src/main.c,$(SRCS))
OBJS := $(patsubst src/%.c,$(BUILD)/obj/%.o,$(SRCS))
LIB_OBJS := $(patsubst src/%.c,$(BUILD)/obj/%.o,$(LIB_SRCS))
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))
HUSK := $(BUILD)/husk

.PHONY: all check unit integration vmcheck format lint install man clean bench order demo rootfs fuzz \
	fuzz-run valgrind valgrind-build

all: husk

husk: $(HUSK)
	@ln -sf $(HUSK) husk

$(HUSK): $(OBJS) $(LINK_DEPS) $(FLAGS_STAMP)
	$(CC) $(ALL_LDFLAGS) -o $@ $(OBJS) $(ALL_LDLIBS)

# runs before the C library is set up: no stack protector, no calls to
# memcpy/memset the compiler would make up
$(BUILD)/obj/linux/selfexe_early.o: HK_CFLAGS += -ffreestanding -fno-stack-protector -fno-builtin

$(BUILD)/obj/%.o: src/%.c $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(wildcard tests/unit/*.h) $(LIB_OBJS) $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests/unit $(ALL_LDFLAGS) -o $@ $< $(LIB_OBJS) $(ALL_LDLIBS)

$(FLAGS_STAMP): export HK_FLAGS_NOW := $(FLAGS_NOW)
$(FLAGS_STAMP):
	@mkdir -p $(@D) && printf '%s\n' "$$HK_FLAGS_NOW" >$@

-include $(OBJS:.o=.d)

# The built-in default root filesystem: the host's static busybox.
rootfs: $(BUILD)/rootfs/bin/busybox
$(BUILD)/rootfs/bin/busybox: tests/mkrootfs.sh
	tests/mkrootfs.sh $(BUILD)/rootfs

unit: $(UNIT_BINS)
	@tests/run-unit.sh $(UNIT_BINS)

# Under the sanitizers the VM (emulated, ~6x slower than the host) runs the
# files whose code differs on pure cgroup v2; the plain build runs them all
# there.  The host runs everything in both builds.
VM_FILES_SANITIZE = test_cgroup_fields test_cgroup_join test_control test_devices_cgroup \
	test_resources test_rootless
# The valgrind and fuzz stages run in the plain check only: their builds
# (build-vg; build-fuzz, always ASan + UBSan) are the same for both.
check: husk $(UNIT_BINS) rootfs $(if $(filter 1,$(SANITIZE)),,fuzz valgrind-build)
	@HUSK=$(abspath $(HUSK)) BUILD=$(abspath $(BUILD)) FUZZ_BUILD=$(abspath $(FUZZ_BUILD)) \
		VG_BUILD=$(abspath $(VG_BUILD)) HK_NO_VALGRIND=$(filter 1,$(SANITIZE)) \
		HK_NO_FUZZ=$(filter 1,$(SANITIZE)) \
		HK_VM_FILES="$(if $(filter 1,$(SANITIZE)),$(VM_FILES_SANITIZE))" \
		tests/run-all.sh $(abspath $(UNIT_BINS))

demo: husk rootfs
	@tests/demo.sh $(abspath $(HUSK)) $(abspath $(BUILD))/rootfs

# Fuzzing: libFuzzer harnesses (fuzz/fuzz_*.c) linked with the objects of
# husk (LIB_OBJS), compiled again by clang with ASan + UBSan in build-fuzz/
# (husk itself is built by $(CC)).  `make fuzz-run` runs each for
# FUZZ_SECONDS from the seeds in fuzz/corpus/NAME/ (new inputs go to
# build-fuzz/corpus/NAME/, crashes to build-fuzz/crashes/); `make check`
# runs them briefly (tests/fuzz.sh).  Two warnings only clang gives are off
# (the gcc build has the rest): a variable that only exists for its cleanup
# attribute counts as unused, and a va_list format forwarded by a static
# function as non-literal.
FUZZ_CC ?= clang
FUZZ_BUILD := build-fuzz
FUZZ_SECONDS ?= 10
FUZZ_CFLAGS := -O1 -g -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow \
	       -Wformat=2 -fno-strict-aliasing -D_GNU_SOURCE -Isrc -fno-omit-frame-pointer \
	       -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	       -Wno-unused-variable -Wno-format-nonliteral
FUZZ_SRCS := $(wildcard fuzz/fuzz_*.c)
FUZZ_BINS := $(patsubst fuzz/%.c,$(FUZZ_BUILD)/%,$(FUZZ_SRCS))
FUZZ_OBJS := $(patsubst src/%.c,$(FUZZ_BUILD)/obj/%.o,$(LIB_SRCS))

fuzz: $(FUZZ_BINS)
.SECONDARY: $(FUZZ_OBJS)

$(FUZZ_BUILD)/obj/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c -o $@ $<

$(FUZZ_BUILD)/fuzz_%: fuzz/fuzz_%.c fuzz/fuzz.h $(FUZZ_OBJS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -MMD -MP -MF $@.d -o $@ $< $(FUZZ_OBJS) $(ALL_LDLIBS)

-include $(FUZZ_OBJS:.o=.d) $(FUZZ_BINS:=.d)

fuzz-run: fuzz
	@FUZZ_BUILD=$(abspath $(FUZZ_BUILD)) tests/fuzz.sh $(FUZZ_SECONDS)

# valgrind's memcheck (tests/valgrind.sh) over the unit tests and husk's
# commands: husk and the unit tests built again into build-vg/ (VALGRIND=1:
# dynamic, -O1; valgrind cannot replace malloc in a static binary), as
# root (husk in containers).
VG_BUILD := build-vg
valgrind-build:
	@$(MAKE) --no-print-directory VALGRIND=1 SANITIZE= \
		$(VG_BUILD)/husk $(patsubst tests/unit/%.c,$(VG_BUILD)/tests/%,$(UNIT_SRCS))

valgrind: valgrind-build rootfs
	@VG_BUILD=$(abspath $(VG_BUILD)) ROOTFS=$${ROOTFS:-$(abspath $(BUILD))/rootfs} tests/valgrind.sh

format:
	clang-format -i $(SRCS) $(shell find src -name '*.h') $(UNIT_SRCS) $(FUZZ_SRCS) fuzz/fuzz.h $(wildcard bench/*.c)

# Static analysis (scripts/lint.sh) of husk's sources, the fuzz harnesses
# and the unit tests.  clang-tidy parses with the flags of the build as
# clang takes them (the fuzz build's two exceptions).
LINT_SRCS := $(SRCS) $(FUZZ_SRCS) $(UNIT_SRCS)
LINT_CFLAGS := -std=gnu11 -Wall -Wextra -Wno-unused-parameter -Wshadow -Wformat=2 \
	       -fno-strict-aliasing -D_GNU_SOURCE -Isrc -Wno-unused-variable -Wno-format-nonliteral
lint:
	@LINT_CFLAGS="$(LINT_CFLAGS)" scripts/lint.sh $(LINT_SRCS)

# The binary, the man page husk(1) and the bash completion.  HUSK=PATH
# installs a binary built elsewhere as it is (no build).
MANDIR ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
install: $(if $(filter command line,$(origin HUSK)),,$(HUSK))
	install -D -m 0755 $(HUSK) $(DESTDIR)$(PREFIX)/bin/husk
	install -D -m 0644 doc/husk.1 $(DESTDIR)$(MANDIR)/man1/husk.1
	install -D -m 0644 contrib/bash-completion/husk $(DESTDIR)$(BASHCOMPDIR)/husk

# the man page renders without a warning
man:
	groff -man -ww -z doc/husk.1

# husk against crun and runc, then husk with 100 and 1,000 containers
# (bench/*.sh: ROUNDS=N, COUNT_ROUNDS=N, SAMPLES=N, SECCOMP=FILE)
bench: husk rootfs
	bench/start.sh $(abspath $(HUSK)) $(abspath $(BUILD))/rootfs
	bench/scale.sh $(abspath $(HUSK)) $(abspath $(BUILD))/rootfs

# src/husk.order: what husk runs, for the linker (see bench/order.sh):
# callgrind's list, then what the real binary still faults in elsewhere,
# relinked until nothing is left; a list that comes out the same is left
# alone (no relink)
order: husk rootfs
	$(if $(LINK_DEPS),,$(error make order: the list is used by a static build linked with lld only))
	bench/order.sh $(abspath $(HUSK)) $(abspath $(BUILD))/rootfs > $(BUILD)/husk.order
	cmp -s $(BUILD)/husk.order src/husk.order && rm $(BUILD)/husk.order || \
		mv $(BUILD)/husk.order src/husk.order
	@for i in 1 2 3 4 5 6; do \
		$(MAKE) --no-print-directory husk >/dev/null || exit 1; \
		[ $$i = 6 ] && { echo "order: still new after 5 rounds" >&2; exit 1; }; \
		new=$$(bench/order.sh --faults src/husk.order $(abspath $(HUSK)) \
			$(abspath $(BUILD))/rootfs) || exit 1; \
		[ -z "$$new" ] && break; \
		echo "order: faulted in outside the list (now in it): $$(echo $$new)"; \
	done

clean:
	rm -rf build build-san $(FUZZ_BUILD) $(VG_BUILD) husk
