#!/usr/bin/env bash
# Side-by-side speed of the MLP VAE (784-400-20, batch 128): ./toolkit benchmark and the PyTorch peer
# (Debian python3-torch with OpenBLAS), alternating, ROUNDS times, so that both see the same machine load.
#   bash benchmarks/mlp_side_by_side.sh [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
export OMP_WAIT_POLICY=passive
for r in $(seq "$rounds"); do
  for t in 1 2; do
    echo "round $r toolkit threads $t: $(./toolkit benchmark --threads "$t" --steps 300 | sed -n '2,3p' | tr '\n' ' ')"
    echo "round $r $(/usr/bin/python3 benchmarks/pytorch_mlp_vae.py --bench-steps 300 --threads "$t")"
  done
done
