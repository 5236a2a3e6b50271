#!/usr/bin/env bash
# The GPU path, checked in one command (about 5 minutes) on a machine with an NVIDIA GPU:
#
#   MNIST_DIR=../shared/mnist bench/gpu_check.sh            on the GPU machine
#   MNIST_DIR=../shared/mnist bench/gpu_check.sh --dry-run  anywhere: runs every step that needs no GPU
#
# 1. installs the `gpu` extra (TensorFlow's CUDA libraries) into .venv;
# 2. proves TensorFlow sees the GPU and runs an op on it;
# 3. starts `rowscan serve` as `make run` does (on a GPU machine `auto` picks TensorFlow there) and
#    checks its answers for the whole MNIST test set against ONNX Runtime on the CPU (1e-4);
# 4. prints the latency/throughput table (bench/run_all.py --quick) with the server on the GPU.
# With --dry-run, step 1 is shown, not run, and steps 2-4 run on whatever this machine has (the
# script says so); nothing is claimed about a GPU then.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-.venv/bin/python}
DRY_RUN=0
if [ "${1:-}" = "--dry-run" ]; then DRY_RUN=1; elif [ -n "${1:-}" ]; then echo "usage: $0 [--dry-run]" >&2; exit 2; fi
: "${MNIST_DIR:?set MNIST_DIR to the folder of the four MNIST .gz files (step 3 checks the whole test set)}"
export MNIST_DIR TF_CPP_MIN_LOG_LEVEL=2
started=$SECONDS
step() { printf '\n== %s (%ds)\n' "$1" $((SECONDS - started)); }

step "1/4 install the gpu extra"
install=(uv pip install -q -p "$PYTHON" -e '.[gpu,test]')
command -v uv >/dev/null || install=("$PYTHON" -m pip install -q -e '.[gpu,test]')
if [ "$DRY_RUN" = 1 ]; then echo "dry run, not installing: ${install[*]}"; else "${install[@]}"; fi

step "2/4 TensorFlow sees the GPU"
if ! "$PYTHON" - <<'EOF'
import sys
import tensorflow as tf
gpus = tf.config.list_physical_devices("GPU")
print(f"TensorFlow {tf.__version__}, built with CUDA: {tf.test.is_built_with_cuda()}, GPUs: {gpus}")
if not gpus:
    sys.exit(1)
with tf.device("/GPU:0"):
    product = tf.linalg.matmul(tf.ones((256, 256)), tf.ones((256, 256)))
print(f"a matmul ran on {product.device}")
EOF
then
  if [ "$DRY_RUN" = 1 ]; then echo "dry run: no GPU here; the next steps run on the CPU"; else echo "no GPU seen: stopping" >&2; exit 1; fi
fi

step "3/4 the server's answers against ONNX Runtime on the CPU, whole test set"
"$PYTHON" bench/gpu_answers.py

step "4/4 latency and throughput, the server as make run starts it"
"$PYTHON" bench/run_all.py --quick --no-naive --config default

step "done"
