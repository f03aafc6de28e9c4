#!/usr/bin/env bash
# Builds what the GPU machine needs to check the CUDA path (scripts/gpu/README.md), as parts small enough for one
# device command each:
#   the toolkit built with the GPU natives (lib/, plugins/, artifacts/) and a launcher, bin/toolkit;
#   optionally (--jre) a Java runtime made with jlink, with the few system libraries and the font it needs;
#   the PyTorch peer scripts and scripts/gpu/stage-and-run.sh;
# compressed with xz into one archive, split into parts, with a manifest of SHA-256 sums.
#
#   scripts/gpu/bundle.sh [--jre]                 build with -Pgpu, bundle into .gpu-bundle/
#   scripts/gpu/bundle.sh --cpu --toolkit DIR     bundle an already built CPU toolkit (what CI tests)
#
# Options:
#   --out DIR          folder for the parts and MANIFEST.sha256 (default .gpu-bundle; emptied first)
#   --toolkit DIR      bundle this built toolkit folder (lib/ plugins/ artifacts/) instead of building
#   --cpu              the CPU natives are expected (a bundle for testing the scripts, not for the GPU)
#   --jre              add a jlink runtime (for a GPU machine without Java 17)
#   --jre-modules LIST the modules for --jre (default below; checked by running the toolkit on it)
#   --level N          xz preset 0-9 (default 9; CI uses 0)
#   --part-size BYTES  largest part, with k/M suffix as split(1) reads it (default 55M, the most: a device
#                      command carries 64 MiB with the working tree)
#   --no-repack        keep the natives jars deflated (by default they are stored uncompressed so that xz
#                      sees the raw .so files: the CUDA provider is 129 MB deflated, about 103 MB with xz)
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="$repo/.gpu-bundle"
toolkit=""
natives=gpu
jre=0
# The modules the toolkit uses (jdeps over the lib jars finds java.base, java.desktop, java.logging,
# java.naming, java.xml, jdk.unsupported; jdk.httpserver serves `serve`; java.management, jdk.management,
# java.sql and jdk.zipfs are for optional paths of Weld, Jackson and JavaCPP). The runtime is checked below by
# training one short epoch on it, not only by --version: a first GPU run once failed on a module missing here.
jre_modules="java.base,java.desktop,java.logging,java.naming,java.xml,java.management,java.sql,jdk.httpserver,jdk.management,jdk.unsupported,jdk.zipfs"
level=9
part_size=55M
repack=1
max_part=$((55 * 1024 * 1024))

die() { echo "bundle: $*" >&2; exit 1; }
say() { echo "bundle: $*" >&2; }

while [ $# -gt 0 ]; do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    --toolkit) toolkit="$2"; shift 2 ;;
    --cpu) natives=cpu; shift ;;
    --jre) jre=1; shift ;;
    --jre-modules) jre_modules="$2"; shift 2 ;;
    --level) level="$2"; shift 2 ;;
    --part-size) part_size="$2"; shift 2 ;;
    --no-repack) repack=0; shift ;;
    -h|--help) sed -n '2,25p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option $1 (try --help)" ;;
  esac
done

[[ "$level" =~ ^[0-9]$ ]] || die "--level must be 0-9, got $level"
part_bytes=$(numfmt --from=iec "${part_size%B}" 2>/dev/null) || die "--part-size: cannot read $part_size"
[ "$part_bytes" -le "$max_part" ] || die "--part-size $part_size is over 55M: one device command carries at most 64 MiB"
for tool in tar xz split sha256sum jar; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is needed"
done

if [ -z "$toolkit" ]; then
  command -v mvn >/dev/null 2>&1 || die "Maven (mvn) is needed to build the toolkit"
  profile=()
  [ "$natives" = gpu ] && profile=(-Pgpu)
  say "building the toolkit with the $natives natives (mvn -DskipTests ${profile[*]:-} package)..."
  log="$(mktemp)"
  if ! (cd "$repo" && mvn -B -q -DskipTests "${profile[@]}" package >"$log" 2>&1); then
    cat "$log" >&2; rm -f "$log"; die "the build failed (output above)"
  fi
  rm -f "$log"
  echo "$natives" >"$repo/distribution/target/toolkit/.built"   # what ./toolkit reads to know the natives
  toolkit="$repo/distribution/target/toolkit"
fi
toolkit="$(cd "$toolkit" && pwd)"
for d in lib plugins artifacts; do
  [ -d "$toolkit/$d" ] || die "$toolkit has no $d/: not a built toolkit folder"
done
gpu_jars=("$toolkit"/lib/onnxruntime-*-linux-x86_64-gpu.jar)
if [ "$natives" = gpu ]; then
  [ -f "${gpu_jars[0]}" ] || die "$toolkit/lib has no onnxruntime-*-linux-x86_64-gpu.jar: build with -Pgpu (or pass --cpu)"
elif [ -f "${gpu_jars[0]}" ]; then
  natives=gpu   # a GPU build given with --cpu: say what it is
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
b="$work/toolkit-bundle"
mkdir -p "$b/toolkit" "$b/bin" "$b/benchmarks" "$b/scripts"
cp -r "$toolkit/lib" "$toolkit/plugins" "$toolkit/artifacts" "$b/toolkit/"

if [ "$repack" = 1 ]; then
  for j in "$b"/toolkit/lib/*-linux-x86_64*.jar; do
    [ -f "$j" ] || continue
    x="$work/x"; rm -rf "$x"; mkdir -p "$x"
    (cd "$x" && jar -xf "$j")
    rm -f "$j"
    jar --create --no-compress --no-manifest --file "$j" -C "$x" .
    rm -rf "$x"
  done
  say "natives jars stored uncompressed for xz"
fi

cp "$repo/benchmarks/"*.py "$b/benchmarks/"
cp "$repo/distribution/src/test/resources/parity/torch_reference.py" "$b/benchmarks/"
cp "$repo/scripts/gpu/stage-and-run.sh" "$b/scripts/"

cat >"$b/bin/toolkit" <<'LAUNCHER'
#!/usr/bin/env bash
# The bundled toolkit. Java: TOOLKIT_JAVA if set, else the bundled jre/ (with its system libraries and font),
# else java 17+ from PATH.
set -euo pipefail
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
java="${TOOLKIT_JAVA:-}"
if [ -z "$java" ] && [ -x "$home/jre/bin/java" ]; then
  java="$home/jre/bin/java"
  if [ -d "$home/jre-syslib" ]; then
    export LD_LIBRARY_PATH="${LD_LIBRARY_PATH:+$LD_LIBRARY_PATH:}$home/jre-syslib"
  fi
  if [ -d "$home/jre-fonts" ]; then
    # fontconfig wants absolute paths, known only where the bundle was unpacked: written at every start.
    conf="${TMPDIR:-/tmp}/toolkit-fonts-$(id -u).conf"
    printf '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig><dir>%s</dir><cachedir>%s</cachedir></fontconfig>\n' \
      "$home/jre-fonts" "${TMPDIR:-/tmp}/toolkit-fontcache-$(id -u)" >"$conf"
    export FONTCONFIG_FILE="$conf"
  fi
fi
if [ -z "$java" ]; then
  command -v java >/dev/null 2>&1 || { echo "toolkit: no Java: install Java 17+, or bundle a runtime (scripts/gpu/bundle.sh --jre)" >&2; exit 1; }
  java=java
fi
exec "$java" ${TOOLKIT_JAVA_OPTS:-} -Djava.awt.headless=true -Dtoolkit.home="$home/toolkit" \
  -cp "$home/toolkit/lib/*" org.onnxtoolkit.runtime.cli.ToolkitCli "$@"
LAUNCHER
chmod +x "$b/bin/toolkit"

if [ "$jre" = 1 ]; then
  command -v jlink >/dev/null 2>&1 || die "--jre needs jlink (a full JDK 17+)"
  say "making a Java runtime with jlink ($jre_modules)..."
  jlink --add-modules "$jre_modules" --strip-debug --no-man-pages --no-header-files --compress=2 --output "$b/jre"
  # The system libraries the runtime's own libraries link (Debian's JDK uses the system zlib, libpng,
  # freetype, harfbuzz, lcms2, ...) plus fontconfig, which AWT opens at run time, and what they link in turn.
  # glibc and the C++ runtime are left to the machine. stage-and-run.sh deletes those the machine has.
  mkdir -p "$b/jre-syslib"
  ldconfig_bin="$(command -v ldconfig || echo /sbin/ldconfig)"
  fc="$("$ldconfig_bin" -p 2>/dev/null | awk '/libfontconfig\.so\.1 .*x86-64/ {print $NF; exit}' || true)"
  {
    find "$b/jre" -name '*.so' -print
    if [ -n "$fc" ]; then echo "$fc"; fi
  } | while read -r so; do
    ldd "$so" 2>/dev/null | awk '/=> \// {print $3}' || true
    if [ "$so" = "$fc" ]; then echo "$fc"; fi
  done | sort -u | while read -r lib; do
    case "$(basename "$lib")" in
      libc.so.*|libm.so.*|libdl.so.*|libpthread.so.*|librt.so.*|libresolv.so.*|ld-linux*|libstdc++.so.*|libgcc_s.so.*) continue ;;
    esac
    case "$lib" in "$b"/*) continue ;; esac
    cp -L "$lib" "$b/jre-syslib/$(basename "$lib")"
  done
  mkdir -p "$b/jre-fonts"
  for f in /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf /usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf; do
    [ -f "$f" ] && cp "$f" "$b/jre-fonts/"
  done
  ls "$b/jre-fonts"/*.ttf >/dev/null 2>&1 || say "warning: no DejaVu font here (fonts-dejavu-core): charts need the GPU machine's fonts"
  # The runtime must run the toolkit here before it travels.
  "$b/bin/toolkit" --version >/dev/null || die "the jlink runtime cannot start the toolkit: add modules with --jre-modules"
  check_run="$work/jre-check"
  if ! "$b/bin/toolkit" train --arch mlp-vae --epochs 1 --max-train 256 --max-test 64 --device cpu \
      --out "$check_run" >"$work/jre-check.log" 2>&1; then
    cat "$work/jre-check.log" >&2
    die "the jlink runtime cannot train (output above): add modules with --jre-modules"
  fi
  rm -rf "$check_run" "$work/jre-check.log"
fi

commit="$(cd "$repo" && git rev-parse --short HEAD 2>/dev/null || echo unknown)"
dirty="$(cd "$repo" && git status --porcelain 2>/dev/null | grep -qv '^??' && echo " (uncommitted changes)" || true)"
{
  echo "toolkit bundle for the GPU check"
  echo "made: $(date -u +%Y-%m-%dT%H:%M:%SZ) from commit $commit$dirty"
  echo "natives: $natives"
  echo "jre: $([ "$jre" = 1 ] && echo "jlink ($jre_modules), $("$b/jre/bin/java" -version 2>&1 | head -1)" || echo none)"
  echo "lib: $(ls "$b/toolkit/lib" | tr '\n' ' ')"
} >"$b/BUNDLE.txt"

rm -rf "$out"
mkdir -p "$out"
archive="toolkit-bundle.tar.xz"
raw=$(du -sb "$b" | cut -f1)
say "compressing $((raw / 1024 / 1024)) MB with xz -$level..."
tar -C "$work" -cf - toolkit-bundle | xz -T0 "-$level" -c >"$out/$archive"
archive_sum="$(sha256sum "$out/$archive" | cut -d' ' -f1)"
(cd "$out" && split -b "$part_bytes" -d -a 2 "$archive" "$archive.part")
rm -f "$out/$archive"
{
  echo "# toolkit bundle: $commit$dirty, natives $natives, jre $([ "$jre" = 1 ] && echo yes || echo no)"
  echo "# archive $archive $archive_sum"
  (cd "$out" && sha256sum "$archive".part*)
} >"$out/MANIFEST.sha256"

n=$(ls "$out"/"$archive".part* | wc -l)
for p in "$out"/"$archive".part*; do
  size=$(stat -c %s "$p")
  [ "$size" -le "$part_bytes" ] || die "$p is $size bytes, over $part_bytes"
done
say "$n part(s) in $out:"
ls -l "$out" | awk 'NR > 1 {printf "bundle:   %-40s %6.1f MB\n", $NF, $5 / 1048576}' >&2
echo "$out"
