#!/usr/bin/env bash
# Builds a local stand-in for docker.io/library/node:20-bookworm-slim, for machines that can
# reach Debian's mirror and npm but no container registry: debootstrap a minimal bookworm, put
# this machine's node and npm in /usr/local as the official image does, add the `node` user
# (uid 1000), and `podman import` it under the official name, so the Dockerfile builds unchanged.
#
# Cached: the image is also tagged with a hash of its inputs (this script, the node binary, npm's
# version, the mirror); when that tag exists, the build is skipped. Needs root.
#
# Usage: docker/standin-base.sh            (env: DEBIAN_MIRROR to override the mirror)
set -euo pipefail

TARGET=docker.io/library/node:20-bookworm-slim
CACHE_REPO=localhost/managerd-standin-base
SUITE=bookworm

log() { printf '[standin-base] %s\n' "$*" >&2; }

mirror() {
  if [[ -n "${DEBIAN_MIRROR:-}" ]]; then echo "$DEBIAN_MIRROR"; return; fi
  # The main archive from apt's own sources (deb822 or one-line style), not the security one.
  local m
  m=$( { grep -hs -E '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}'
         grep -hs -E '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list | awk '{print $2}'; } \
       | grep -E '/debian/?$' | head -n1 || true)
  echo "${m:-http://deb.debian.org/debian}"
}

NODE_BIN=$(command -v node)
NODE_VERSION=$(node --version)
NPM_ROOT=$(npm root -g 2>/dev/null)
NPM_VERSION=$(node -p "require('$NPM_ROOT/npm/package.json').version")
MIRROR=$(mirror)
case "$NODE_VERSION" in v20.*) ;; *) log "node $NODE_VERSION is not Node 20: the stand-in would lie about its name"; exit 1 ;; esac

KEY=$( { sha256sum "${BASH_SOURCE[0]}" "$NODE_BIN" | awk '{print $1}'; echo "$NPM_VERSION $MIRROR $SUITE"; } | sha256sum | cut -c1-16)
CACHED="$CACHE_REPO:$KEY"

# A real node:20-bookworm-slim (pulled where a registry is reachable) is left alone.
if podman image exists "$TARGET" && [[ "$(podman image inspect --format '{{.Comment}}' "$TARGET")" != "managerd stand-in"* ]]; then
  log "$TARGET exists and is not a stand-in: using it as it is"
  exit 0
fi

if podman image exists "$CACHED"; then
  podman tag "$CACHED" "$TARGET"
  log "cached: $TARGET is $CACHED (node $NODE_VERSION, npm $NPM_VERSION); inputs unchanged, nothing to build"
  exit 0
fi

log "building $TARGET (key $KEY): debootstrap $SUITE from $MIRROR, node $NODE_VERSION, npm $NPM_VERSION"
start=$(date +%s)
ROOT=$(mktemp -d /var/tmp/managerd-standin.XXXXXX)
trap 'rm -rf "$ROOT"' EXIT

# Like debian:bookworm-slim: no docs, man pages or locales.
mkdir -p "$ROOT/etc/dpkg/dpkg.cfg.d"
cat >"$ROOT/etc/dpkg/dpkg.cfg.d/docker-slim" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
EOF
debootstrap --variant=minbase "$SUITE" "$ROOT" "$MIRROR" >"$ROOT.debootstrap.log" 2>&1 || {
  tail -n 30 "$ROOT.debootstrap.log" >&2; rm -f "$ROOT.debootstrap.log"; exit 1; }
rm -f "$ROOT.debootstrap.log"

install -D -m 0755 "$NODE_BIN" "$ROOT/usr/local/bin/node"
mkdir -p "$ROOT/usr/local/lib/node_modules"
cp -a "$NPM_ROOT/npm" "$ROOT/usr/local/lib/node_modules/npm"
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$ROOT/usr/local/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$ROOT/usr/local/bin/npx"
chroot "$ROOT" groupadd --gid 1000 node
chroot "$ROOT" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
env -u NODE_EXTRA_CA_CERTS chroot "$ROOT" /usr/local/bin/node -e 'process.exit(0)' # the binary's libraries are all there
rm -rf "$ROOT"/var/lib/apt/lists/* "$ROOT"/var/cache/apt/*.bin "$ROOT"/var/cache/apt/archives/*.deb \
  "$ROOT"/var/log/* "$ROOT"/usr/share/doc/*/changelog* "$ROOT"/usr/share/locale/*

tar --numeric-owner -C "$ROOT" -c . | podman import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change "ENV NODE_VERSION=${NODE_VERSION#v}" \
  --change 'CMD ["node"]' \
  --quiet --message "managerd stand-in for node:20-bookworm-slim (key $KEY)" \
  - "$CACHED" >/dev/null
podman tag "$CACHED" "$TARGET"
# Older stand-ins (other keys) only take space now.
for old in $(podman images --format '{{.Repository}}:{{.Tag}}' | grep "^$CACHE_REPO:" | grep -v ":$KEY\$" || true); do
  podman rmi "$old" >/dev/null 2>&1 || true
done
log "built $TARGET as $CACHED in $(( $(date +%s) - start ))s, $(podman image inspect --format '{{.Size}}' "$CACHED" | numfmt --to=iec) "
