#!/usr/bin/env bash
# Regenerates the pre-built training artifacts under artifacts/, one folder per configuration below. The
# distribution ships them, and `./toolkit train` uses a folder instead of compiling when its fingerprint (a hash
# of the compiled models and settings) is the configuration's. PluginsIT regenerates every line below and
# fails when a folder's bytes differ from what the compiler produces today, or when a folder under artifacts/
# has no line here. To pre-build another configuration, add a line of this form and run the script.
#
#   scripts/regenerate-artifacts.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

./toolkit artifacts --arch mlp-vae --out artifacts/mlp-vae
./toolkit artifacts --arch mlp-vae --hidden 512,256 --latent 2 --out artifacts/mlp-vae-2d
./toolkit artifacts --arch conv-vae --preset celeba64 --out artifacts/conv-vae-celeba64
./toolkit artifacts --arch conv-vae --preset vanilla --out artifacts/conv-vae-vanilla
