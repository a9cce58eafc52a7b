#!/bin/sh
# mkrootfs.sh DIR - the built-in default root filesystem: the host's static
# busybox (package busybox-static) and one link per applet, plus the
# directories and files a container expects.
set -eu
dir=$1
bb=$(command -v busybox || true)
[ -n "$bb" ] && file -L "$bb" 2>/dev/null | grep -q 'statically linked' || bb=/bin/busybox
if ! [ -x "$bb" ]; then
	echo "mkrootfs: /bin/busybox missing: apt-get install busybox-static" >&2
	exit 1
fi
rm -rf "$dir.tmp"
mkdir -p "$dir.tmp/bin" "$dir.tmp/sbin" "$dir.tmp/usr/bin" "$dir.tmp/usr/sbin" \
	"$dir.tmp/etc" "$dir.tmp/proc" "$dir.tmp/sys" "$dir.tmp/dev" "$dir.tmp/tmp" \
	"$dir.tmp/root" "$dir.tmp/home" "$dir.tmp/var" "$dir.tmp/run"
chmod 1777 "$dir.tmp/tmp"
cp "$bb" "$dir.tmp/bin/busybox"
for applet in $("$dir.tmp/bin/busybox" --list); do
	[ "$applet" = busybox ] && continue
	ln -sf busybox "$dir.tmp/bin/$applet"
done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$dir.tmp/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$dir.tmp/etc/group"
rm -rf "$dir"
mv "$dir.tmp" "$dir"
