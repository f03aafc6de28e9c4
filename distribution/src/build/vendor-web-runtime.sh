#!/usr/bin/env bash
# Vendors onnxruntime-web into the assembled toolkit for `toolkit export --web` and `toolkit serve`.
#
#   vendor-web-runtime.sh PACKAGE_DIR NPM_DIR TOOLKIT_HOME
#
# Installs the version pinned by PACKAGE_DIR/package-lock.json into NPM_DIR (see npm-install.sh) and copies
# the CPU WebAssembly build into TOOLKIT_HOME/web/onnxruntime-web/: ort.wasm.min.js (the UMD script that
# defines the global `ort`), ort-wasm-simd-threaded.mjs and ort-wasm-simd-threaded.wasm (the module and
# binary it loads; ~14 MB), and the package's package.json (version and licence, MIT). Nothing is fetched
# at run time and no CDN is involved.
#
# When npm is missing or fails, the build still succeeds: TOOLKIT_HOME/web/NOT-BUNDLED holds the reason on
# one line, which `toolkit export --web` and `toolkit serve` print.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
package_dir="$1"
npm_dir="$2"
home="$3"
web="$home/web"
out="$web/onnxruntime-web"
files=(ort.wasm.min.js ort-wasm-simd-threaded.mjs ort-wasm-simd-threaded.wasm)

rm -rf "$out" "$web/NOT-BUNDLED"
mkdir -p "$web"
bash "$here/npm-install.sh" "the web runtime (onnxruntime-web)" "$package_dir" "$npm_dir"
if [ -f "$npm_dir/NOT-INSTALLED" ]; then
  cp "$npm_dir/NOT-INSTALLED" "$web/NOT-BUNDLED"
  exit 0
fi
dist="$npm_dir/node_modules/onnxruntime-web/dist"
mkdir -p "$out"
for f in "${files[@]}"; do
  if [ ! -f "$dist/$f" ]; then
    rm -rf "$out"
    echo "$dist/$f is missing from the installed package" >"$web/NOT-BUNDLED"
    echo "[toolkit build] the web runtime (onnxruntime-web) was not bundled: $(cat "$web/NOT-BUNDLED")"
    exit 0
  fi
  cp "$dist/$f" "$out/"
done
cp "$npm_dir/node_modules/onnxruntime-web/package.json" "$out/package.json"
