#!/usr/bin/env bash
# Installs the Debian packages the test suite uses, when missing: ONNX conformance vectors and
# the browsers for the cross-runtime suite. Safe to run repeatedly; needs root (as CI runs).
set -euo pipefail
packages=(libonnx-testdata chromium firefox-esr)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "system-deps: missing ${missing[*]} and not root: install them with apt-get" >&2
  exit 1
fi
echo "system-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
