#!/usr/bin/env bash
# Installs the tools the full test suite needs beyond the project's own venv (see Makefile `tools`).
# Idempotent. Each part adds itself here; nothing is downloaded at test time.
set -euo pipefail
cd "$(dirname "$0")/.."
