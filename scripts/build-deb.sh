#!/usr/bin/env bash
# Builds the Debian package from a schoolbridge binary that carries the console (built with
# `--features embed-console`): `make deb` passes the release build; the package test
# (scripts/test-deb.sh) a debug one. dpkg-deb, Debian's own packager, does the packing; the
# files it packs are in packaging/ (docs/design/013-deployment.md says why not cargo-deb).
#
#   scripts/build-deb.sh BINARY OUT_DIR      prints the .deb's path
#
# Environment: DEB_COMPRESSION (xz, the default, or gzip/none: faster, for tests).
set -euo pipefail

# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
binary="${1:?usage: scripts/build-deb.sh BINARY OUT_DIR}"
out="${2:?usage: scripts/build-deb.sh BINARY OUT_DIR}"
compression="${DEB_COMPRESSION:-xz}"

[ -x "$binary" ] || die "$binary is not an executable"
"$binary" --version | grep -q '^console: embedded' ||
    die "$binary does not carry the console: build it with --features embed-console after make console"

version="$(sed -n '/^\[workspace.package\]/,/^\[/s/^version = "\(.*\)"/\1/p' "$repo/Cargo.toml")"
[ -n "$version" ] || die "no version in Cargo.toml [workspace.package]"
arch="$(dpkg --print-architecture)"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
root="$work/root"
doc="$root/usr/share/doc/schoolbridge"
install -d "$root/usr/bin" "$root/lib/systemd/system" "$root/etc/schoolbridge" "$doc" "$root/DEBIAN"
# Debug symbols stay out of the package (a debug build's binary is ten times larger with them).
strip --strip-unneeded -o "$root/usr/bin/schoolbridge" "$binary"
chmod 0755 "$root/usr/bin/schoolbridge"
install -m 0644 "$repo/packaging/schoolbridge.service" "$root/lib/systemd/system/"
install -m 0640 "$repo/packaging/schoolbridge.toml" "$root/etc/schoolbridge/"
install -m 0644 "$repo/packaging/debian/README.Debian" "$repo/packaging/debian/copyright" "$doc/"
install -m 0644 "$repo/docs/operations.md" "$repo/docs/configuration.md" "$doc/"
gzip -9n -c "$repo/CHANGELOG.md" >"$doc/changelog.gz"
chmod 0644 "$doc/changelog.gz"
for script in postinst prerm postrm; do
    install -m 0755 "$repo/packaging/debian/$script" "$root/DEBIAN/"
done
install -m 0644 "$repo/packaging/debian/conffiles" "$root/DEBIAN/"

# Depends: the C library version the binary needs (its newest GLIBC_ symbol) and libgcc.
glibc="$(objdump -T "$root/usr/bin/schoolbridge" | grep -o 'GLIBC_[0-9.]*' | sed 's/GLIBC_//' | sort -uV | tail -n 1)"
depends="libc6 (>= $glibc)"
if readelf -d "$root/usr/bin/schoolbridge" | grep -q 'libgcc_s'; then
    depends="$depends, libgcc-s1"
fi
size="$(du -sk --exclude=DEBIAN "$root" | cut -f1)"
sed -e "s/@VERSION@/$version-1/" -e "s/@ARCH@/$arch/" -e "s/@SIZE@/$size/" \
    -e "s/@DEPENDS@/$depends/" "$repo/packaging/debian/control.in" >"$root/DEBIAN/control"
(cd "$root" && find . -path ./DEBIAN -prune -o -type f -print | sed 's|^\./||' | sort |
    xargs md5sum) >"$root/DEBIAN/md5sums"

mkdir -p "$out"
deb="$out/schoolbridge_${version}-1_${arch}.deb"
dpkg-deb --root-owner-group -Z"$compression" --build "$root" "$deb" >/dev/null
echo "$deb"
