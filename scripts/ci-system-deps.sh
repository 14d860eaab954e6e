#!/usr/bin/env bash
# System packages the probe tests (test/probe) need, from Debian:
#   librdkafka-dev  librdkafka's mock cluster (a real Kafka-protocol peer), built into a tiny driver with cc
#   dnsmasq-base    a DNS zone on loopback
#   nftables        DROP / REJECT rules inside a test network namespace
#   iproute2        ip netns
#   openssl         test certificates (CA, expired, wrong name, client certificates)
#   gcc             cc, for the mock cluster driver
# Idempotent and quiet: installs only what is missing; as root without sudo, or with sudo when not root.
# Without apt-get (or the rights to use it) it says so and exits 0: those tests then skip with a reason.
set -euo pipefail

PACKAGES=(librdkafka-dev dnsmasq-base nftables iproute2 openssl gcc)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "ci-system-deps: apt-get not found; not installing ${missing[*]} (the probe tests that need them will skip)" >&2
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  SUDO=(sudo -n)
else
  echo "ci-system-deps: not root and no passwordless sudo; not installing ${missing[*]} (the probe tests that need them will skip)" >&2
  exit 0
fi

export DEBIAN_FRONTEND=noninteractive
echo "ci-system-deps: installing ${missing[*]}"
"${SUDO[@]}" apt-get update -qq >/dev/null
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
