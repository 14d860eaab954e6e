#!/usr/bin/env bash
# The Debian packages the test suite's real peers need; nothing else is installed by hand.
#   librdkafka-dev    librdkafka's mock cluster (a real Kafka-protocol peer), built into a tiny driver with cc (test/probe)
#   gcc               cc, for that driver
#   dnsmasq-base      a DNS zone on loopback (test/probe)
#   nftables iproute2 DROP / REJECT rules inside a network namespace the test creates (test/probe)
#   openssl           test certificates: CA, expired, wrong name, client certificates (test/probe)
#   chromium          the sandbox's browser test (test/sandbox): playwright-core drives /usr/bin/chromium
#                     and never downloads a browser of its own
#   fonts-liberation  metric-compatible fonts, so the sandbox screenshot looks the same everywhere
# Idempotent and quiet: installs only what dpkg says is missing; as root without sudo, or with
# passwordless sudo. Without apt-get (or the rights to use it) it says so and exits 0: the tests that
# need a missing tool then skip with a printed reason.
set -euo pipefail

PACKAGES=(librdkafka-dev gcc dnsmasq-base nftables iproute2 openssl chromium fonts-liberation)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "ci-deps: apt-get not found; not installing ${missing[*]} (the tests that need them will skip)" >&2
  exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  SUDO=(sudo -n)
else
  echo "ci-deps: not root and no passwordless sudo; not installing ${missing[*]} (the tests that need them will skip)" >&2
  exit 0
fi

export DEBIAN_FRONTEND=noninteractive
echo "ci-deps: installing ${missing[*]}"
"${SUDO[@]}" apt-get update -qq >/dev/null
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
