#!/usr/bin/env bash
# Side-by-side speed of the conv VAE presets (64x64 RGB, batch 64; decoder batch 256): ./toolkit benchmark
# and the PyTorch peer, alternating, so that both see the same machine load.
#   bash benchmarks/conv_side_by_side.sh [THREADS]
set -euo pipefail
cd "$(dirname "$0")/.."
threads=${1:-2}
export OMP_WAIT_POLICY=passive
for preset in celeba64 vanilla; do
  echo "toolkit $preset threads $threads: $(./toolkit benchmark --arch conv-vae --preset "$preset" --batch-size 64 \
      --decoder-batch 256 --steps 10 --warmup 2 --threads "$threads" | sed -n '2,3p' | tr '\n' ' ')"
  echo "$(/usr/bin/python3 benchmarks/pytorch_conv_vae.py --preset "$preset" --threads "$threads")"
done
