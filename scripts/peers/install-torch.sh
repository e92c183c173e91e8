#!/usr/bin/env bash
# Installs the PyTorch peer's runtime (Debian's python3-torch 1.13, numpy, Pillow for
# reading the PNG data set). Idempotent: does nothing when the modules already import.
# Needs root (apt-get). Not needed by the tests; used by `npm run bench -- train`.
set -euo pipefail
PY=/usr/bin/python3  # Debian's interpreter: the one python3-torch installs into (a pyenv python3 on PATH would not see it)
if [ -x "$PY" ] && "$PY" -c 'import torch, numpy, PIL' >/dev/null 2>&1; then
  "$PY" -c 'import torch, numpy, PIL; print(f"torch {torch.__version__}, numpy {numpy.__version__}, Pillow {PIL.__version__}: already installed")'
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends python3 python3-torch python3-numpy python3-pil
"$PY" -c 'import torch, numpy, PIL; print(f"torch {torch.__version__}, numpy {numpy.__version__}, Pillow {PIL.__version__}")'
