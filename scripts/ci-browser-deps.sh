#!/usr/bin/env bash
# Debian's Chromium, for the sandbox's browser test (test/sandbox/browser.test.ts): playwright-core
# drives /usr/bin/chromium and never downloads a browser of its own.
# Idempotent and quiet: does nothing when /usr/bin/chromium exists; installs as root without sudo, or
# with passwordless sudo when not root. Without apt-get (or the rights to use it) it says so and exits
# 0: the browser test then skips with a reason.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "ci-browser-deps: apt-get not found; not installing chromium (the sandbox browser test will skip)" >&2
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  SUDO=(sudo -n)
else
  echo "ci-browser-deps: not root and no passwordless sudo; not installing chromium (the sandbox browser test will skip)" >&2
  exit 0
fi

export DEBIAN_FRONTEND=noninteractive
echo "ci-browser-deps: installing chromium"
"${SUDO[@]}" apt-get update -qq >/dev/null
# fonts-liberation: metric-compatible sans and mono fonts, so the screenshot looks as it does elsewhere.
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends chromium fonts-liberation >/dev/null
