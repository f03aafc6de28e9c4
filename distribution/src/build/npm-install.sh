#!/usr/bin/env bash
# Installs the npm packages pinned by a committed package-lock.json, for the distribution build.
#
#   npm-install.sh WHAT SOURCE_DIR DEST_DIR
#
# Copies SOURCE_DIR's package.json, package-lock.json and *.mjs into DEST_DIR and runs `npm ci` there
# (install scripts off: onnxruntime-node's would fetch CUDA binaries from the internet; nothing we use needs
# them). When DEST_DIR already holds that exact lock file it skips npm entirely, so rebuilds are quick and
# work offline; after `mvn clean` npm's own cache (~/.npm) makes the reinstall offline-capable.
#
# It never fails the build: the toolkit must build on a machine with only a JDK and Maven. Without npm, or
# when `npm ci` fails (no registry reachable), it leaves DEST_DIR/NOT-INSTALLED with the reason on one line,
# prints it, and exits 0; whoever needs the packages reads that file.
set -uo pipefail
what="$1"
src="$(cd "$2" && pwd)"
mkdir -p "$3"
dest="$(cd "$3" && pwd)"

rm -f "$dest/NOT-INSTALLED"
cp "$src/package.json" "$src/package-lock.json" "$dest/"
for f in "$src"/*.mjs; do
  [ -e "$f" ] && cp "$f" "$dest/"
done

not_installed() {
  echo "$1" >"$dest/NOT-INSTALLED"
  echo "[toolkit build] not installed: $what ($1)"
  exit 0
}

if ! command -v npm >/dev/null 2>&1; then
  not_installed "npm was not found when the toolkit was built"
fi
if [ -d "$dest/node_modules" ] && cmp -s "$src/package-lock.json" "$dest/node_modules/.toolkit-package-lock.json"; then
  exit 0
fi
rm -rf "$dest/node_modules"
log="$dest/npm-ci.log"
if ! (cd "$dest" && npm ci --ignore-scripts --no-audit --no-fund --prefer-offline --fetch-retries=1 \
      --loglevel=error >"$log" 2>&1); then
  rm -rf "$dest/node_modules"
  not_installed "'npm ci' failed when the toolkit was built (no npm registry reachable?); see $log"
fi
cp "$src/package-lock.json" "$dest/node_modules/.toolkit-package-lock.json"
