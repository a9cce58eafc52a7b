# husk - a Linux container runtime.  See README.md.
#
#   make                 build ./husk
#   make check           unit tests, then the container tests on this host and
#                        (pure cgroup v2) inside ../shared/vmtest
#   make check SANITIZE=1   the same under AddressSanitizer + UBSan
#   make format          apply .clang-format
#   make install PREFIX=/usr/local   the binary, man page and bash completion
#   make bench           start-time comparison with crun/runc (bench/)

PREFIX ?= /usr/local
CC ?= cc
BUILD ?= build
SANITIZE ?=
# A static binary starts faster (no dynamic loader, no shared-library
# relocation); used when the static json-c archive is there.
STATIC ?= $(if $(wildcard /usr/lib/$(shell $(CC) -print-multiarch)/libjson-c.a),1,0)

CFLAGS ?= -O2 -g
CFLAGS += -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow \
	  -Wformat=2 -fno-strict-aliasing -D_GNU_SOURCE -Isrc
# libarchive (tarball rootfs for `husk box`) with only the tar reader and the
# gzip/bzip2/xz/zstd/lz4 filters referenced, so a static link pulls no more;
# nettle for SHA-256 (libarchive depends on it anyway).
LDLIBS += -ljson-c -lseccomp -larchive -lnettle -lacl -llzma -lzstd -llz4 -lbz2 -lz
ifeq ($(SANITIZE),1)
STATIC := 0
CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
BUILD := build-san
endif
ifeq ($(STATIC),1)
LDFLAGS += -static
# x86-64: start at src/linux/selfexe_early.c, which re-executes husk from
# a read-only view of itself before the C library starts (CVE-2019-5736
# without paying for a start of glibc that is thrown away)
ifeq ($(shell $(CC) -dumpmachine | cut -d- -f1),x86_64)
LDFLAGS += -Wl,-e,hk_early_entry
endif
endif

SRCS := $(shell find src -name '*.c' | sort)
LIB_SRCS := $(filter-out src/main.c,$(SRCS))
OBJS := $(patsubst src/%.c,$(BUILD)/obj/%.o,$(SRCS))
LIB_OBJS := $(patsubst src/%.c,$(BUILD)/obj/%.o,$(LIB_SRCS))
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))
HUSK := $(BUILD)/husk

.PHONY: all check unit integration vmcheck format install man clean bench demo rootfs

all: husk

husk: $(HUSK)
	@ln -sf $(HUSK) husk

$(HUSK): $(OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# runs before the C library is set up: no stack protector, no calls to
# memcpy/memset the compiler would make up
$(BUILD)/obj/linux/selfexe_early.o: CFLAGS += -ffreestanding -fno-stack-protector -fno-builtin

$(BUILD)/obj/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(wildcard tests/unit/*.h) $(LIB_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/unit $(LDFLAGS) -o $@ $< $(LIB_OBJS) $(LDLIBS)

-include $(OBJS:.o=.d)

# The built-in default root filesystem: the host's static busybox.
rootfs: $(BUILD)/rootfs/bin/busybox
$(BUILD)/rootfs/bin/busybox: tests/mkrootfs.sh
	tests/mkrootfs.sh $(BUILD)/rootfs

unit: $(UNIT_BINS)
	@tests/run-unit.sh $(UNIT_BINS)

check: husk $(UNIT_BINS) rootfs
	@HUSK=$(abspath $(HUSK)) BUILD=$(abspath $(BUILD)) tests/run-all.sh $(abspath $(UNIT_BINS))

demo: husk rootfs
	@tests/demo.sh $(abspath $(HUSK)) $(abspath $(BUILD))/rootfs

format:
	clang-format -i $(SRCS) $(shell find src -name '*.h') $(UNIT_SRCS)

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

bench: husk rootfs
	bench/start.sh $(abspath $(HUSK))

clean:
	rm -rf build build-san husk
