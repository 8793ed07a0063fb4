#!/usr/bin/env bash
# Installs Debian's Chromium for measuring and browser tests, with the fonts it must measure in:
# - fonts-liberation2: Liberation Sans 2.x (SIL OFL 1.1), metric-compatible with Arial. It is
#   what generator/fontmetrics/liberation-sans.json is built from, and fontconfig resolves
#   "Arial" to it (it outranks fonts-liberation's 1.07 by version), so the browser and
#   generator/textwidth.py measure with the same font (tools/compare_with_chromium.py).
# - fonts-liberation: Liberation 1.07, what Debian's chromium recommends for Arial/Helvetica.
# - fonts-dejavu-core: the general fallback for characters the Liberation fonts lack.
# Idempotent: does nothing when everything is already installed.
set -euo pipefail

packages=(chromium fonts-liberation fonts-liberation2 fonts-dejavu-core)

missing=()
for pkg in "${packages[@]}"; do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
    if [[ "$status" != "installed" ]]; then
        missing+=("$pkg")
    fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
    echo "install-chromium: all packages already installed"
    exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
    echo "install-chromium: need root to install: ${missing[*]}" >&2
    exit 1
fi

echo "install-chromium: installing ${missing[*]}"

export DEBIAN_FRONTEND=noninteractive
apt_opts=(-y -q --no-install-recommends -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)

# Refresh the package lists only if they are missing or the install fails. The lists may be
# stored compressed (*_Packages.lz4), hence the trailing glob.
if ! compgen -G "/var/lib/apt/lists/*_Packages*" > /dev/null; then
    apt-get update -q
fi
if ! apt-get install "${apt_opts[@]}" "${packages[@]}"; then
    apt-get update -q
    apt-get install "${apt_opts[@]}" "${packages[@]}"
fi

echo "install-chromium: done"
