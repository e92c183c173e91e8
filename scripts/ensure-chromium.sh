#!/usr/bin/env bash
# Installs Debian's Chromium for the web app's browser tests when it is missing (never a
# downloaded browser). Needs root (CI and the development machine run as root) and apt.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" != "0" ]; then
  echo "XQC_CHROMIUM_MISSING: /usr/bin/chromium is not installed; run: sudo apt-get install -y chromium" >&2
  exit 1
fi
echo "installing Debian's chromium for the browser tests..." >&2
export DEBIAN_FRONTEND=noninteractive
# wait for another apt run (unattended upgrades, a parallel install) instead of failing
apt-get -o DPkg::Lock::Timeout=600 update -qq
apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
/usr/bin/chromium --version
