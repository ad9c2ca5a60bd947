#!/usr/bin/env bash
# Debian's Chromium for the dashboard's browser tests (driven by playwright-core; Playwright's
# own browser downloads are not used). Installed once when missing; needs root or sudo.
set -euo pipefail
CHROMIUM="${CARAVAN_CHROMIUM:-/usr/bin/chromium}"
if [[ -x "$CHROMIUM" ]]; then
  exit 0
fi
echo "chromium: $CHROMIUM missing; installing Debian's chromium package"
SUDO=""
if [[ "$(id -u)" != 0 ]]; then SUDO="sudo"; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
"$CHROMIUM" --version
