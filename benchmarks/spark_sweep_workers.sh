#!/usr/bin/env bash
# Throughput of ./toolkit sweep on a Spark standalone cluster on loopback with 1 and with 2 one-core workers:
# the same 4 trainings (mlp-vae on the built-in shapes dataset), wall-clock seconds of the whole sweep.
#   bash benchmarks/spark_sweep_workers.sh [EPOCHS] [TRAIN_SIZE]
# Needs the assembled toolkit (./toolkit --version builds it). Prints one line per worker count.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dist="$here/distribution/target/toolkit"
epochs="${1:-4}"; train_size="${2:-2048}"
opens=(-XX:+IgnoreUnrecognizedVMOptions -Dio.netty.tryReflectionSetAccessible=true)
for p in java.lang java.lang.invoke java.lang.reflect java.io java.net java.nio java.util java.util.concurrent \
    java.util.concurrent.atomic jdk.internal.ref sun.nio.ch sun.nio.cs sun.security.action sun.util.calendar; do
  opens+=("--add-opens=java.base/$p=ALL-UNNAMED")
done
work="$(mktemp -d)"; pids=()
cleanup() { for p in "${pids[@]}"; do pkill -9 -P "$p" 2>/dev/null || true; kill -9 "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
export SPARK_HOME="$dist/spark" SPARK_SCALA_VERSION=2.13 SPARK_LOCAL_IP=127.0.0.1
port=$((20000 + RANDOM % 20000)); ui=$((port + 1))
java "${opens[@]}" -Xmx256m -cp "$dist/spark/jars/*" org.apache.spark.deploy.master.Master --host 127.0.0.1 \
  --port "$port" --webui-port "$ui" >"$work/master.log" 2>&1 & pids+=($!)
alive() { curl -s "http://127.0.0.1:$ui/json/" | grep -o '"aliveworkers" *: *[0-9]*' | grep -o '[0-9]*$' || echo 0; }
for workers in ${WORKERS:-1 2}; do
  while [ "$(alive)" -lt "$workers" ]; do
    if [ "${#pids[@]}" -le "$workers" ]; then
      java "${opens[@]}" -Xmx256m -cp "$dist/spark/jars/*" org.apache.spark.deploy.worker.Worker --host 127.0.0.1 \
        --cores 1 --memory 1g --work-dir "$work/w${#pids[@]}" "spark://127.0.0.1:$port" >"$work/worker${#pids[@]}.log" 2>&1 &
      pids+=($!)
    fi
    sleep 1
  done
  start=$(date +%s.%N)
  (cd "$here" && ./toolkit sweep --spark "spark://127.0.0.1:$port" --conf spark.driver.host=127.0.0.1 \
    --conf spark.executor.memory=512m --grid seed=1,2,3,4 --epochs "$epochs" --batch-size 32 \
    -D "train-size=$train_size" -D test-size=256 --out "$work/sweep-$workers" >"$work/sweep-$workers.log" 2>&1)
  end=$(date +%s.%N)
  train_s=$(awk -F, 'NR == 1 {for (i = 1; i <= NF; i++) if ($i == "seconds") c = i; next} {s += $c}
    END {printf "%.1f", s}' "$work/sweep-$workers/sweep.csv")
  printf 'workers=%d  4 runs x %d epochs x %d images: %.1f s wall, %s s in epochs (sum over runs), load %s\n' \
    "$workers" "$epochs" "$train_size" "$(echo "$end - $start" | bc)" "$train_s" "$(cut -d' ' -f1 /proc/loadavg)"
done
