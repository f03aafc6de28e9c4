#!/usr/bin/env bash
# Runs ON the GPU machine (scripts/gpu/README.md): puts the parts made by scripts/gpu/bundle.sh together in a stage
# folder, one device command per part, then reassembles, verifies and unpacks the bundle and runs the CUDA
# checks, writing full logs to $OUT and printing a short table last.
#
#   bash scripts/gpu/stage-and-run.sh stage .gpu-bundle/toolkit-bundle.tar.xz.part00   one part per command
#   bash scripts/gpu/stage-and-run.sh run [.gpu-bundle/toolkit-bundle.tar.xz.partNN]   last part, unpack, checks
#   bash scripts/gpu/stage-and-run.sh unpack                                           reassemble + unpack only
#   bash scripts/gpu/stage-and-run.sh checks                                           checks on an unpacked bundle
#
# Each part is copied with the MANIFEST.sha256 beside it and checked against it as it arrives.
# Environment: STAGE (default /root/stage), GPU_BUNDLE_HOME (default /root/toolkit-bundle),
#   OUT (results, default ./gpu-out), CHECKS (comma list, default env,devices,bench,tune,train,peer,resume,oom),
#   BUDGET (seconds for the checks, default 500: a device command may run 10 minutes, unpacking included),
#   PYTHON (a python with torch; found by itself otherwise), CUDA_LIB_DIRS (the CUDA library folders, colon-separated;
#   found with find / otherwise), GPU_WORK (logs and run folders, default $GPU_BUNDLE_HOME.work).
set -uo pipefail

stage="${STAGE:-/root/stage}"
home="${GPU_BUNDLE_HOME:-/root/toolkit-bundle}"
archive=toolkit-bundle.tar.xz

die() { echo "stage-and-run: $*" >&2; exit 1; }
say() { echo "stage-and-run: $*" >&2; }

manifest_entry() { # PART-NAME MANIFEST -> expected sha256
  awk -v n="$1" '$2 == n || $2 == "*" n {print $1}' "$2"
}

stage_parts() {
  mkdir -p "$stage"
  for part in "$@"; do
    [ -f "$part" ] || die "no such part: $part"
    local name dir expected actual
    name="$(basename "$part")"
    dir="$(dirname "$part")"
    [ -f "$dir/MANIFEST.sha256" ] || die "$dir/MANIFEST.sha256 is missing: carry it with every part"
    expected="$(manifest_entry "$name" "$dir/MANIFEST.sha256")"
    [ -n "$expected" ] || die "$name is not in $dir/MANIFEST.sha256 (parts of another bundle?)"
    actual="$(sha256sum "$part" | cut -d' ' -f1)"
    [ "$actual" = "$expected" ] || die "checksum mismatch for $name: the part is damaged, copy it again"
    if [ -f "$stage/MANIFEST.sha256" ] && ! cmp -s "$stage/MANIFEST.sha256" "$dir/MANIFEST.sha256"; then
      say "a different bundle was staged in $stage: starting over"
      rm -f "$stage"/$archive.part* "$stage/MANIFEST.sha256"
    fi
    cp "$dir/MANIFEST.sha256" "$stage/MANIFEST.sha256"
    cp "$part" "$stage/$name.tmp" && mv "$stage/$name.tmp" "$stage/$name"
    local want have
    want=$(grep -c "$archive.part" "$stage/MANIFEST.sha256")
    have=$(ls "$stage"/$archive.part* 2>/dev/null | grep -vc '\.tmp$')
    say "staged $name (sha256 ok): $have of $want parts in $stage"
  done
}

decompress() { # xz, or Python's lzma where xz is not installed
  if command -v xz >/dev/null 2>&1; then
    xz -dc "$1"
  else
    "${PYTHON:-python3}" -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), sys.stdout.buffer)' "$1"
  fi
}

unpack() {
  local m="$stage/MANIFEST.sha256"
  [ -f "$m" ] || die "$m is missing: stage the parts first"
  local sum
  sum="$(awk '$1 == "#" && $2 == "archive" {print $4}' "$m")"
  if [ -f "$home/.archive.sha256" ] && [ "$(cat "$home/.archive.sha256")" = "$sum" ]; then
    say "bundle $sum already unpacked in $home"
    return 0
  fi
  local missing=()
  for name in $(awk '$1 != "#" {print $2}' "$m" | tr -d '*'); do
    [ -f "$stage/$name" ] || missing+=("$name")
  done
  [ ${#missing[@]} -eq 0 ] || die "missing parts in $stage: ${missing[*]} (stage them first, one per command)"
  (cd "$stage" && grep -v '^#' MANIFEST.sha256 | sha256sum -c --quiet -) || die "a staged part is damaged: stage it again"
  local parts
  parts=$(awk '$1 != "#" {print $2}' "$m" | tr -d '*' | sort)
  (cd "$stage" && cat $parts) >"$stage/$archive" || die "cannot write $stage/$archive"
  [ "$(sha256sum "$stage/$archive" | cut -d' ' -f1)" = "$sum" ] || die "the reassembled archive does not match the manifest"
  rm -rf "$home"
  mkdir -p "$(dirname "$home")"
  local tmp="$home.unpacking"
  rm -rf "$tmp"; mkdir -p "$tmp"
  decompress "$stage/$archive" | tar -x -C "$tmp" || die "cannot unpack $stage/$archive"
  mv "$tmp/toolkit-bundle" "$home" && rm -rf "$tmp"
  rm -f "$stage/$archive"
  echo "$sum" >"$home/.archive.sha256"
  say "unpacked into $home: $(head -2 "$home/BUNDLE.txt" | tail -1)"
}

# ---------------------------------------------------------------------------------------------------------
# The checks

out="${OUT:-$PWD/gpu-out}"
# Full logs and run folders go to a work folder, packed after every row into $out/results.tar.gz: the device
# tool brings back at most 8 files from $OUT, so loose logs would be lost (the first GPU run lost all but 6).
work="${GPU_WORK:-$home.work}"
summary=""
row() { # CHECK RESULT DETAIL
  summary+="$(printf '%-26s %-6s %s' "$1" "$2" "$3")"$'\n'
  printf '%-26s %-6s %s\n' "$1" "$2" "$3" >>"$out/summary.txt"
  pack
}
pack() { # the logs and the small files of the run folders (no models, checkpoints or artifacts), whole or not at all
  tar -czf "$out/results.tar.gz.tmp" -C "$work" --exclude='*.onnx' --exclude=checkpoints --exclude=best \
    --exclude=artifacts --exclude=tb --exclude=provider logs runs 2>/dev/null &&
    mv "$out/results.tar.gz.tmp" "$out/results.tar.gz"
}
time_left() { [ $SECONDS -lt "$deadline" ]; }
limit() { # SECONDS -> at most what is left of the budget (at least 10), so the whole run ends in time
  local left=$((deadline - SECONDS))
  [ "$left" -ge 10 ] || left=10
  [ "$1" -le "$left" ] && echo "$1" || echo "$left"
}
wanted() { [[ ",$checks," == *",$1,"* ]]; }

tk() { # LOG-NAME ARGS... : runs the bundled toolkit, stdout+stderr to the log; returns its exit code
  local log="$work/logs/$1.log"; shift
  echo "\$ toolkit $*" >"$log"
  timeout "$(limit "${TK_TIMEOUT:-300}")" "$home/bin/toolkit" "$@" >>"$log" 2>&1
  local rc=$?
  echo "exit $rc" >>"$log"
  return $rc
}

find_cuda_libraries() { # the folders of the five sonames (and nvrtc / nvJitLink, which cuDNN and cuFFT may
  # open), NVIDIA's pip wheels (site-packages/nvidia/*/lib) first
  local dirs
  dirs=$(timeout 120 find / \( -path /proc -o -path /sys -o -path /dev -o -path "$home" \) -prune -o \( \
      -name 'libcublas.so.13*' -o -name 'libcublasLt.so.13*' -o -name 'libcudart.so.13*' -o -name 'libcufft.so.12*' \
      -o -name 'libcudnn.so.9*' -o -name 'libnvrtc.so.13*' -o -name 'libnvJitLink.so.13*' \) -print 2>/dev/null |
    xargs -r -n1 dirname | sort -u |
    awk '/site-packages\/nvidia/ {print; next} {rest = rest $0 "\n"} END {printf "%s", rest}' | tr '\n' ':')
  echo "${dirs%:}"
}

find_python() {
  local py
  for py in ${PYTHON:-} python3 /usr/bin/python3; do
    if "$py" -c 'import torch' >/dev/null 2>&1; then echo "$py"; return; fi
  done
  local init
  for init in $(timeout 120 find / \( -path /proc -o -path /sys -o -path /dev \) -prune -o \( -path '*/site-packages/torch/__init__.py' -o \
      -path '*/dist-packages/torch/__init__.py' \) -print 2>/dev/null); do
    local prefix="${init%%/lib/python3*}"
    for cand in "$prefix/bin/python3" "$prefix/bin/python"; do
      if [ -x "$cand" ] && "$cand" -c 'import torch' >/dev/null 2>&1; then echo "$cand"; return; fi
    done
  done
  echo ""
}

provider_links() { # ldd of the CUDA provider (taken out of the natives jar) with the LD_LIBRARY_PATH the checks
  # use: names every library the dynamic loader cannot find, which is what ONNX Runtime's own error hides
  local jar d=$work/logs/provider
  jar=$(ls "$home"/toolkit/lib/onnxruntime-*-linux-x86_64-gpu.jar 2>/dev/null | head -1)
  [ -n "$jar" ] || { row "cuda provider links" FAIL "no GPU natives jar in the bundle"; return; }
  mkdir -p "$d"
  if command -v unzip >/dev/null 2>&1; then
    unzip -q -o -j "$jar" '*/libonnxruntime_providers_cuda.so' '*/libonnxruntime_providers_shared.so' '*/libonnxruntime.so.1' -d "$d"
  else
    "$(find_python_plain)" -c 'import sys, zipfile, os
z = zipfile.ZipFile(sys.argv[1])
for n in z.namelist():
    if n.endswith(("providers_cuda.so", "providers_shared.so", "libonnxruntime.so.1")):
        open(os.path.join(sys.argv[2], os.path.basename(n)), "wb").write(z.read(n))' "$jar" "$d"
  fi
  if [ ! -f "$d/libonnxruntime_providers_cuda.so" ]; then
    row "cuda provider links" FAIL "could not take libonnxruntime_providers_cuda.so out of $(basename "$jar")"; return
  fi
  LD_LIBRARY_PATH="$d:$LD_LIBRARY_PATH" ldd "$d/libonnxruntime_providers_cuda.so" >"$work/logs/provider-ldd.log" 2>&1
  local missing
  missing=$(awk '/not found/ {print $1}' "$work/logs/provider-ldd.log" | tr '\n' ' ')
  if [ -z "$missing" ]; then
    row "cuda provider links" OK "ldd finds all $(grep -c '=>' "$work/logs/provider-ldd.log") libraries of libonnxruntime_providers_cuda.so"
  else
    row "cuda provider links" FAIL "not found: $missing(logs/provider-ldd.log)"
  fi
  rm -f "$d"/*.so*
}

find_python_plain() { command -v python3 || command -v python || echo python3; }

expect_failure() { # ROW LOG-NAME RC WANTED-RC PATTERN : OK when the command exited WANTED-RC (any non-zero for
  # "nonzero") and its log has PATTERN (grep); the toolkit's one line is the detail either way
  local line; line="$(grep -m1 '^toolkit:' "$work/logs/$2.log")"
  if { [ "$3" = "$4" ] || { [ "$4" = nonzero ] && [ "$3" != 0 ]; }; } && grep -q -- "$5" "$work/logs/$2.log"; then
    row "$1" OK "$(cut -c10- <<<"$line")"
  else
    row "$1" FAIL "exit $3: $(cut -c10-300 <<<"$line")"
  fi
}

why_failed() { # LOG-NAME -> the toolkit's one line, or that the time budget cut the command
  local log="$work/logs/$1.log"
  if grep -qx 'exit 124' "$log" || grep -qx 'exit 130' "$log"; then
    echo "cut at the time budget (BUDGET): see logs/$1.log"
  else
    grep -m1 '^toolkit:' "$log" | cut -c10-160
  fi
}

metric_column() { # CSV COLUMN-NAME -> values, one per line
  awk -F, -v c="$2" 'NR == 1 {for (i = 1; i <= NF; i++) if ($i == c) k = i; next} k {print $k}' "$1"
}

compare_curves() { # NAME CUDA-RUN CPU-RUN [CPU-RUN-WITH-ANOTHER-SEED]
  # The CUDA and CPU runs see the same data order, initial weights and noise (all drawn in Java from the seed),
  # so the first step's loss, before any update, must agree to float rounding (TF32 convolutions included);
  # later steps drift apart as rounding differences grow through training. The curves pass when they differ by
  # less than 2%, or by no more than 1.5 times what another seed moves the CPU curve (the run-to-run spread).
  local a="$2/metrics.csv" b="$3/metrics.csv" c="${4:-}/metrics.csv"
  if [ ! -f "$a" ] || [ ! -f "$b" ]; then row "curve $1" FAIL "no metrics.csv (see logs/train-$1-*.log)"; return; fi
  local ca cb worst spread="" step1="" speed verdict=OK
  ca=$(metric_column "$a" test_elbo | tr '\n' ' ')
  cb=$(metric_column "$b" test_elbo | tr '\n' ' ')
  worst=$(max_rel_diff <(metric_column "$a" test_elbo) <(metric_column "$b" test_elbo))
  if [ -n "${4:-}" ] && [ -f "$c" ]; then
    spread=$(max_rel_diff <(metric_column "$b" test_elbo) <(metric_column "$c" test_elbo))
  fi
  if [ -f "$2/steps.csv" ] && [ -f "$3/steps.csv" ]; then
    step1=$(max_rel_diff <(awk -F, 'NR == 2 && $1 == 1 {print $3}' "$2/steps.csv") \
                         <(awk -F, 'NR == 2 && $1 == 1 {print $3}' "$3/steps.csv"))
  fi
  speed=$(metric_column "$a" images_per_s | tail -1)
  awk -v w="$worst" -v s="${spread:-0}" 'BEGIN {exit !(w < 2 || (s > 0 && w <= 1.5 * s))}' || verdict=DIFF
  [ -n "$step1" ] && ! awk -v d="$step1" 'BEGIN {exit !(d < 0.5)}' && verdict=DIFF
  row "curve $1" "$verdict" "test negative ELBO cuda [$ca] cpu [$cb] max diff ${worst}%${spread:+; cpu seed 2 vs seed 1 ${spread}%}${step1:+; step 1 loss diff ${step1}%}; cuda train ${speed%.*} img/s"
}

max_rel_diff() { # FILE-A FILE-B -> largest |a - b| / |b| over paired lines, in percent ("" when no pairs)
  paste "$1" "$2" | awk 'NF == 2 {n++; d = ($1 - $2) / ($2 == 0 ? 1 : $2); if (d < 0) d = -d; if (d > m) m = d}
                         END {if (n) printf "%.4f", m * 100}'
}

bench_line() { # LOG -> "train X ms (Y img/s), decoder Z img/s"
  awk '/^train step/ {for (i = 1; i <= NF; i++) {if ($i == "median" && !t) t = $(i + 1); if ($i == "images/s") ti = $(i - 1)}}
       /^decoder/ {for (i = 1; i <= NF; i++) if ($i == "images/s") di = $(i - 1)}
       END {printf "train %s ms (%s img/s), decoder %s img/s", t, ti, di}' "$1"
}

run_checks() {
  [ -x "$home/bin/toolkit" ] || die "$home/bin/toolkit is missing: unpack first"
  rm -rf "$work"
  mkdir -p "$work/logs" "$work/runs" "$out"
  : >"$out/summary.txt"
  checks="${CHECKS:-env,devices,bench,tune,train,peer,resume,oom}"
  deadline=$((SECONDS + ${BUDGET:-500}))
  local started=$SECONDS

  # Environment: the CUDA libraries on LD_LIBRARY_PATH, the bundled runtime's libraries only where missing.
  local cuda_dirs
  cuda_dirs="${CUDA_LIB_DIRS-$(find_cuda_libraries)}"   # CUDA_LIB_DIRS (even empty) skips the search
  local plain_ld="${LD_LIBRARY_PATH:-}"
  export LD_LIBRARY_PATH="${cuda_dirs}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  if [ -d "$home/jre-syslib" ]; then
    local ldconfig_bin; ldconfig_bin="$(command -v ldconfig || echo /sbin/ldconfig)"
    for f in "$home"/jre-syslib/*; do
      [ -f "$f" ] || continue
      if "$ldconfig_bin" -p 2>/dev/null | grep -q " $(basename "$f") "; then rm -f "$f"; fi
    done
  fi
  {
    echo "== bundle"; cat "$home/BUNDLE.txt"
    echo "== nvidia-smi"; nvidia-smi 2>&1 || echo "(no nvidia-smi)"
    echo "== /proc/driver/nvidia/version"; cat /proc/driver/nvidia/version 2>&1
    echo "== CUDA library folders"; echo "$cuda_dirs" | tr ':' '\n'
    echo "== java"; command -v java && java -version 2>&1; [ -x "$home/jre/bin/java" ] && "$home/jre/bin/java" -version 2>&1
    echo "== jre-syslib kept"; ls "$home/jre-syslib" 2>/dev/null
    echo "== os"; cat /etc/os-release 2>/dev/null | head -3; ldd --version 2>&1 | head -1; nproc; free -g | head -2
  } >"$work/logs/env.log" 2>&1
  local gpu; gpu="$(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null | head -1)"
  local java_used="system java"; [ -x "$home/jre/bin/java" ] && java_used="bundled jre"
  if wanted env; then
    if tk version --version; then
      row env OK "${gpu:-no nvidia-smi}; $java_used; $(tail -2 "$work/logs/version.log" | head -1)"
    else
      row env FAIL "the toolkit does not start ($java_used): see logs/version.log"
    fi
    [ -n "$cuda_dirs" ] || row env FAIL "no libcublas.so.13 etc. anywhere (find /): CUDA 13 libraries missing"
    provider_links
  fi

  if wanted devices && ! time_left; then row devices SKIP "time budget spent"; fi
  if wanted devices && time_left; then
    LD_LIBRARY_PATH="$plain_ld" tk devices-no-ld train --device cuda --epochs 1 --max-train 256 --max-test 64 \
      --out "$work/runs/no-ld"
    row "devices: no LD path" INFO "$(grep -m1 '^toolkit:' "$work/logs/devices-no-ld.log" || echo 'started training (libraries found without LD_LIBRARY_PATH)')"
    tk devices-index train --device cuda:7 --epochs 1 --out "$work/runs/index"
    local rc=$?
    if [ $rc = 2 ] && grep -q 'cuda:7 requested but' "$work/logs/devices-index.log"; then
      row "devices: cuda:7" OK "$(grep -m1 '^toolkit:' "$work/logs/devices-index.log" | cut -c10-)"
    else
      row "devices: cuda:7" FAIL "exit $rc (expected 2): see logs/devices-index.log"
    fi
  fi

  if wanted bench; then
    local spec arch args batch
    for spec in "mlp-vae::128" "mlp-vae::1024" "conv-vae:celeba64:64" "conv-vae:celeba64:256" "conv-vae:vanilla:64" "conv-vae:vanilla:256" "mlp-vae::128:cpu"; do
      time_left || { row "bench $spec" SKIP "time budget spent"; continue; }
      IFS=: read -r arch preset batch dev <<<"$spec"
      dev="${dev:-cuda}"
      args=(benchmark --arch "$arch" --batch-size "$batch" --device "$dev" --decoder-batch 1024)
      [ -n "$preset" ] && args+=(--preset "$preset")
      local name="bench-${preset:-$arch}-$batch-$dev"
      if tk "$name" "${args[@]}"; then
        row "bench ${preset:-mlp} b$batch $dev" OK "$(bench_line "$work/logs/$name.log")"
      else
        row "bench ${preset:-mlp} b$batch $dev" FAIL "$(why_failed "$name")"
      fi
    done
  fi

  if wanted tune; then
    # The conv presets at batch 256 under other CUDA provider settings (ORT's defaults: exhaustive cuDNN
    # algorithm search, maximum workspace, TF32 allowed).
    # TUNE_OPTIONS: the variants, separated by ';' (an empty one means ORT's defaults).
    local preset opts variants
    IFS=';' read -ra variants <<<"${TUNE_OPTIONS-;cudnn_conv_algo_search=HEURISTIC;cudnn_conv_algo_search=DEFAULT;use_tf32=0;cudnn_conv_use_max_workspace=0;do_copy_in_default_stream=0}"
    for preset in celeba64 vanilla; do
      for opts in "${variants[@]}"; do
        time_left || { row "tune $preset ${opts:-defaults}" SKIP "time budget spent"; continue; }
        local name="tune-$preset-${opts//[=_]/-}"
        if TOOLKIT_CUDA_OPTIONS="$opts" tk "$name" benchmark --arch conv-vae --preset "$preset" --batch-size 256 \
             --device cuda --decoder-batch 1024 --steps 50 --warmup 5; then
          row "tune $preset b256 ${opts:-defaults}" OK "$(bench_line "$work/logs/$name.log")"
        else
          row "tune $preset b256 ${opts:-defaults}" FAIL "$(why_failed "$name")"
        fi
      done
    done
    time_left && TOOLKIT_CUDA_OPTIONS="" tk tune-profile benchmark --arch conv-vae --preset celeba64 --batch-size 256 \
      --device cuda --decoder-batch 1024 --steps 20 --warmup 5 --profile "$work/runs/profile" &&
      row "tune profile celeba64 b256" INFO "$(grep -m1 '^profile' "$work/logs/tune-profile.log" | cut -c1-200) (by operator: logs/tune-profile.log)"
    time_left && TOOLKIT_CUDA_OPTIONS="" tk tune-profile-mlp benchmark --arch mlp-vae --batch-size 128 \
      --device cuda --decoder-batch 1024 --steps 50 --warmup 5 --profile "$work/runs/profile-mlp" &&
      row "tune profile mlp decoder b1024" INFO "$(grep -m1 '^profile (ONNX Runtime, per decoder' "$work/logs/tune-profile-mlp.log" | cut -c1-200)"
  fi

  if wanted train; then
    local cfg
    for cfg in "mlp:--arch mlp-vae --epochs 3 --batch-size 128 --max-train 8192 --max-test 1024 -D train-size=8192 -D test-size=1024" \
               "celeba64:--arch conv-vae --preset celeba64 --epochs 2 --batch-size 64 --max-train 2048 --max-test 512 -D train-size=2048 -D test-size=512" \
               "vanilla:--arch conv-vae --preset vanilla --epochs 2 --batch-size 64 --max-train 2048 --max-test 512 -D train-size=2048 -D test-size=512"; do
      local name="${cfg%%:*}" a="${cfg#*:}"
      for dev in cuda cpu cpu-seed2; do
        [ "$name" = mlp ] && [ "$dev" = cpu-seed2 ] && continue   # the MLP curves agree within 0.1%
        time_left || { row "train $name $dev" SKIP "time budget spent"; continue; }
        rm -rf "$work/runs/$name-$dev"
        local seed=1; [ "$dev" = cpu-seed2 ] && seed=2
        # shellcheck disable=SC2086
        tk "train-$name-$dev" train $a --log-every 1 --seed "$seed" --device "${dev%-seed2}" --out "$work/runs/$name-$dev" ||
          row "train $name $dev" FAIL "$(why_failed "train-$name-$dev")"
      done
      compare_curves "$name" "$work/runs/$name-cuda" "$work/runs/$name-cpu" "$work/runs/$name-cpu-seed2"
    done
    if [ -f "$work/runs/mlp-cuda/decoder.onnx" ]; then
      if tk sample-cuda sample --model "$work/runs/mlp-cuda/decoder.onnx" --device cuda --n 64 --out "$out/samples-cuda.png"; then
        row "sample cuda" OK "decoder.onnx of the CUDA run decoded on cuda: samples-cuda.png"
      else
        row "sample cuda" FAIL "$(why_failed sample-cuda)"
      fi
    fi
  fi

  if wanted peer && ! time_left; then row "peer" SKIP "time budget spent"; fi
  if wanted peer && time_left; then
    local py; py="$(find_python)"
    if [ -z "$py" ]; then
      row "pytorch peer" SKIP "no Python with torch found"
    else
      timeout "$(limit 300)" "$py" "$home/benchmarks/pytorch_gpu_peer.py" --device cuda --decoder-batch 1024 \
        --configs mlp:128,mlp:1024,celeba64:64,celeba64:256,vanilla:64,vanilla:256 --json "$out/torch.json" \
        >"$work/logs/peer.log" 2>&1
      local rc=$?
      if [ $rc = 0 ]; then
        while read -r line; do row "torch ${line%%:*}" OK "${line#*: }"; done < <(grep '^[a-z0-9]* b[0-9]*:' "$work/logs/peer.log")
        row "torch versions" INFO "$(grep -m1 '^torch' "$work/logs/peer.log")"
      else
        row "pytorch peer" FAIL "exit $rc: see logs/peer.log"
      fi
    fi
  fi

  if wanted resume && ! time_left; then row "resume" SKIP "time budget spent"; fi
  if wanted resume && time_left; then
    # Two epochs straight vs one epoch and --resume to two, on CUDA: equal when CUDA's kernels are deterministic.
    local r="$work/runs/resume"
    rm -rf "$r"
    tk resume-1 train --arch mlp-vae --epochs 1 --max-train 4096 --max-test 512 -D train-size=4096 -D test-size=512 --device cuda --out "$r"
    tk resume-2 train --resume "$r" --epochs 2 --device cuda
    rm -rf "$r-straight"
    tk resume-straight train --arch mlp-vae --epochs 2 --max-train 4096 --max-test 512 -D train-size=4096 -D test-size=512 --device cuda --out "$r-straight"
    if [ -f "$r/metrics.csv" ] && [ -f "$r-straight/metrics.csv" ]; then
      if cmp -s <(cut -d, -f1-7 "$r/metrics.csv") <(cut -d, -f1-7 "$r-straight/metrics.csv"); then
        row "resume cuda" OK "resumed run equals the straight run (losses to the last digit)"
      else
        row "resume cuda" DIFF "resumed vs straight: $(tail -1 "$r/metrics.csv" | cut -d, -f5) vs $(tail -1 "$r-straight/metrics.csv" | cut -d, -f5) (test negative ELBO)"
      fi
    else
      row "resume cuda" FAIL "see logs/resume-*.log"
    fi
  fi

  if wanted oom && ! time_left; then row "oom" SKIP "time budget spent"; fi
  if wanted oom && time_left; then
    # A real out-of-memory: the BFC arena capped at 512 MiB (TOOLKIT_CUDA_OPTIONS), the vanilla preset at 2048.
    TOOLKIT_CUDA_OPTIONS=gpu_mem_limit=536870912 tk oom benchmark --arch conv-vae --preset vanilla \
      --batch-size 2048 --steps 1 --warmup 0 --decoder-batch 1 --device cuda
    expect_failure "out of memory" oom $? 1 'ran out of memory in a training step at batch size 2048'
    # A batch whose first convolution's output has 2^31 elements: cuDNN refuses it before memory runs out.
    TOOLKIT_JAVA_OPTS="${TOOLKIT_JAVA_OPTS:-} -Xmx48g" tk cudnn-limit benchmark --arch conv-vae --preset vanilla \
      --batch-size 65536 --steps 1 --warmup 0 --decoder-batch 1 --device cuda
    expect_failure "cudnn tensor limit" cudnn-limit $? 1 "passes cuDNN's limit of 2^31 elements"
    TOOLKIT_CUDA_OPTIONS=no_such_option=1 tk bad-option benchmark --arch mlp-vae --steps 1 --warmup 0 --device cuda
    expect_failure "bad cuda option" bad-option $? nonzero '^toolkit: TOOLKIT_CUDA_OPTIONS: ONNX Runtime refused'
  fi

  echo
  pack
  echo "GPU check, $((SECONDS - started)) s; logs in $work/logs, packed with the run folders' metrics in $out/results.tar.gz"
  printf '%s' "$summary"
}

cmd="${1:-}"
[ $# -gt 0 ] && shift
case "$cmd" in
  stage) [ $# -gt 0 ] || die "stage: name the part(s) to stage"; stage_parts "$@" ;;
  unpack) unpack ;;
  run) [ $# -gt 0 ] && stage_parts "$@"; unpack && run_checks ;;
  checks) run_checks ;;
  *) sed -n '2,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; [ -z "$cmd" ] || exit 2 ;;
esac
