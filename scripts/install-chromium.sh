#!/usr/bin/env bash
# Debian's Chromium for the browser tests (npm run test:e2e). Test tools never download a browser
# of their own here: playwright-core drives this one at /usr/bin/chromium.
set -euo pipefail

# The fonts make cards (text and the ✅ ❌ ⚠️ status icons) look the same in every screenshot, in all
# five languages the cards speak: Liberation and DejaVu cover English, German, French and Spanish;
# Noto CJK covers Japanese (without it Japanese cards render as boxes).
PACKAGES=(chromium fonts-liberation fonts-dejavu-core fonts-noto-color-emoji fonts-noto-cjk)

missing=()
for package in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done
if [ -x /usr/bin/chromium ] && [ ${#missing[@]} -eq 0 ]; then
  echo "Chromium is already installed: $(/usr/bin/chromium --version 2>/dev/null)"
  exit 0
fi

# apt-get needs root; use sudo when run as an ordinary user.
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends "${missing[@]}"
/usr/bin/chromium --version 2>/dev/null
