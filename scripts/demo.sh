#!/usr/bin/env bash
# One command: installs what is missing, builds, and runs the demo.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/install_deps.sh"
"$root/scripts/build.sh"
"${BUILD_DIR:-$root/build}/examples/activations_demo"
