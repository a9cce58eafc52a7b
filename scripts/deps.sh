#!/bin/sh
# deps.sh - install the Debian packages husk's build and tests need (when
# run as root and something is missing).  `--test` adds what the test suite
# uses (jq, script, the pure cgroup v2 VM's qemu, the container engines of
# tests/integration/test_engines.sh: podman with conmon, containerd,
# docker.io; groff-base and man-db for the man page's check; python3-jsonschema
# and libcap2-bin's capsh for tests/integration/test_conformance.sh; clang
# with libclang-rt-dev, libFuzzer's and the sanitizers' runtime, for the
# fuzz harnesses of fuzz/, which `make check` builds and runs; valgrind for
# tests/valgrind.sh, memcheck over the unit tests and husk's commands;
# clang-tidy and cppcheck for `make lint`; strace for
# tests/integration/test_faults.sh, which kills husk at each system call).
# `--bench` adds what `make bench` uses: crun, runc, strace; and what
# `make order` uses: valgrind, perf.  lld links husk with src/husk.order
# (the functions a container's life runs, side by side: Makefile).
set -eu
pkgs="gcc make lld pkg-config libjson-c-dev libseccomp-dev libarchive-dev nettle-dev libacl1-dev liblzma-dev libzstd-dev liblz4-dev libbz2-dev zlib1g-dev busybox-static jq"
# `--bench`: what `make bench` uses (the runtimes it compares husk with,
# strace for the system call counts) and `make order` (valgrind, perf).
if [ "${1:-}" = "--bench" ]; then
	pkgs="$pkgs crun runc strace util-linux valgrind linux-perf"
fi
if [ "${1:-}" = "--test" ]; then
	pkgs="$pkgs python3 jq bsdutils util-linux procps file qemu-system-x86 runc uidmap passwd tar gzip zstd podman conmon containerd docker.io catatonit containernetworking-plugins slirp4netns strace groff-base man-db python3-jsonschema libcap2-bin clang libclang-rt-dev clang-tidy cppcheck valgrind"
fi
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "missing Debian packages:$missing (run as root, or: sudo apt-get install$missing)" >&2
	exit 1
fi
echo "installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq $missing >/dev/null
