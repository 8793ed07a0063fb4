#!/usr/bin/env bash
# Installs the Debian packages that the WordPress integration tests need
# (tests/support/wordpress.py starts its own MariaDB + `php -S` per test run).
# Idempotent: does nothing when everything is already installed.
#
# Note: Debian's `wordpress` package depends on `apache2 | httpd`, so apache2
# gets pulled in. We never use it; a policy-rc.d that exits 101 keeps apt from
# starting it (or any other service) during the install.
set -euo pipefail

packages=(wordpress php-cli php-mysql mariadb-server-core mariadb-client-core)

missing=()
for pkg in "${packages[@]}"; do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
    if [[ "$status" != "installed" ]]; then
        missing+=("$pkg")
    fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
    echo "install-wordpress: all packages already installed"
    exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
    echo "install-wordpress: need root to install: ${missing[*]}" >&2
    exit 1
fi

echo "install-wordpress: installing ${missing[*]}"

policy=/usr/sbin/policy-rc.d
created_policy=0
if [[ ! -e "$policy" ]]; then
    printf '#!/bin/sh\n# temporary, from .ci/install-wordpress.sh\nexit 101\n' > "$policy"
    chmod 755 "$policy"
    created_policy=1
fi
cleanup() {
    if [[ $created_policy -eq 1 ]]; then
        rm -f "$policy"
    fi
}
trap cleanup EXIT

export DEBIAN_FRONTEND=noninteractive
apt_opts=(-y -q --no-install-recommends -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)

# Refresh the package lists only if they are missing or the install fails.
if ! compgen -G "/var/lib/apt/lists/*_Packages" > /dev/null; then
    apt-get update -q
fi
if ! apt-get install "${apt_opts[@]}" "${packages[@]}"; then
    apt-get update -q
    apt-get install "${apt_opts[@]}" "${packages[@]}"
fi

echo "install-wordpress: done"
