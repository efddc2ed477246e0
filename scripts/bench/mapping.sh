#!/usr/bin/env bash
# Mapping throughput (hexaboard, tasmota, generic presets) against a bare JSON parse of the same
# payloads, in one run; target >= 100k msg/s each. Needs build/ (cmake --build build) first.
# Usage: scripts/bench/mapping.sh [ROUNDS]   (default 20 rounds of 10,000 messages per preset)
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
build=${IOTCTL_BUILD_DIR:-$here/build}
work=$(mktemp -d /tmp/iotctl-bench-mapping.XXXXXX)
trap 'rm -rf "$work"' EXIT
# shellcheck disable=SC2046 # pkg-config prints several flags
g++ -std=c++20 -O2 -DNDEBUG -I"$here" "$here/scripts/bench/mapping_bench.cpp" \
  "$build/core/mapping/libiotctl_mapping.a" "$build/core/base/libiotctl_base.a" \
  $(pkg-config --libs tomlplusplus fmt re2) -ldate-tz -o "$work/mapping_bench"
"$work/mapping_bench" "${1:-20}"
