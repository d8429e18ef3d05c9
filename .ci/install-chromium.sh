#!/usr/bin/env bash
# Installs Debian's chromium for the designer's browser tests (Playwright drives /usr/bin/chromium; it never
# downloads a browser of its own). Runs as root on CI and on the developers' machines; does nothing when present.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install-chromium: /usr/bin/chromium is missing; run this script as root (it uses apt-get)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium fonts-liberation >/dev/null
test -x /usr/bin/chromium
echo "install-chromium: $(/usr/bin/chromium --version 2>/dev/null || echo chromium installed)"
