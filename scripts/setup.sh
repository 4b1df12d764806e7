#!/usr/bin/env bash
# Makes WebGPU usable in Node on this machine.
# On Debian bookworm as root: installs Mesa's lavapipe (software Vulkan) from bookworm-backports,
# because bookworm's own Mesa 22 is too old for Dawn. Idempotent: does nothing when already set up.
# Elsewhere: prints what to install and exits non-zero only when WebGPU is certainly missing.
set -u
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp}"

say() { printf '[shadergrad setup] %s\n' "$*"; }

have_vulkan_driver() {
  # lavapipe's ICD file, or any Vulkan ICD from a real GPU driver
  local icd found=0
  for icd in /usr/share/vulkan/icd.d/*.json /etc/vulkan/icd.d/*.json; do [ -e "$icd" ] && found=1; done
  [ "$found" = 1 ] && { /sbin/ldconfig -p 2>/dev/null || ldconfig -p 2>/dev/null; } | grep -q 'libvulkan.so.1'
}

mesa_is_new_enough() {
  local v
  v=$(dpkg-query -W -f='${Version}' mesa-vulkan-drivers 2>/dev/null) || return 1
  # Dawn needs Mesa >= 23; bookworm ships 22.3
  [ "${v%%.*}" -ge 23 ] 2>/dev/null
}

want_chromium="${SHADERGRAD_WANT_CHROMIUM:-0}"
# the PyTorch test oracle (tests/torch/): Debian's python3-torch, as /usr/bin/python3 imports it
want_torch="${SHADERGRAD_WANT_TORCH:-0}"

if [ "$(uname -s)" != "Linux" ]; then
  say "not Linux: use a browser or OS with WebGPU (Chrome 113+, or Node with a GPU driver). Nothing to do."
  exit 0
fi

if [ -r /etc/os-release ]; then . /etc/os-release; fi
is_bookworm=0
[ "${ID:-}" = "debian" ] && [ "${VERSION_CODENAME:-}" = "bookworm" ] && is_bookworm=1

needs_mesa=1
if mesa_is_new_enough && have_vulkan_driver; then needs_mesa=0; fi
if [ "$is_bookworm" = 0 ] && have_vulkan_driver; then needs_mesa=0; fi

needs_chromium=0
if [ "$want_chromium" = 1 ] && ! command -v chromium >/dev/null 2>&1; then needs_chromium=1; fi

needs_torch=0
if [ "$want_torch" = 1 ] && ! /usr/bin/python3 -c 'import torch, numpy' >/dev/null 2>&1; then needs_torch=1; fi

if [ "$needs_mesa" = 0 ] && [ "$needs_chromium" = 0 ] && [ "$needs_torch" = 0 ]; then
  exit 0
fi

if [ "$(id -u)" != 0 ]; then
  say "WebGPU in Node needs a Vulkan driver. Not root, so not installing it."
  say "As root on Debian bookworm run: apt-get install -t bookworm-backports mesa-vulkan-drivers libvulkan1"
  [ "$needs_chromium" = 1 ] && say "Browser tests also need: apt-get install chromium"
  [ "$needs_torch" = 1 ] && say "The PyTorch oracle tests also need: apt-get install python3-torch python3-numpy"
  exit 1
fi

if [ "$is_bookworm" = 0 ]; then
  say "This is not Debian bookworm (${PRETTY_NAME:-unknown OS}). Install a Vulkan driver with your package manager"
  say "(Mesa >= 23 'mesa-vulkan-drivers' gives the lavapipe CPU driver), and chromium for browser tests."
  exit 1
fi

if [ "$needs_mesa" = 1 ]; then
  list=/etc/apt/sources.list.d/bookworm-backports.sources
  if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    say "adding Debian's bookworm-backports suite ($list)"
    cat >"$list" <<SRC
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  fi
  say "installing Mesa lavapipe (Vulkan on the CPU) from bookworm-backports"
  apt-get update -qq || { say "apt-get update failed"; exit 1; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -t bookworm-backports mesa-vulkan-drivers libvulkan1 >/dev/null ||
    { say "apt-get install of mesa-vulkan-drivers failed"; exit 1; }
fi

if [ "$needs_chromium" = 1 ]; then
  say "installing Debian's chromium for browser tests"
  [ "$needs_mesa" = 1 ] || apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null || { say "apt-get install chromium failed"; exit 1; }
fi

if [ "$needs_torch" = 1 ]; then
  say "installing Debian's python3-torch for the PyTorch oracle tests"
  [ "$needs_mesa" = 1 ] || [ "$needs_chromium" = 1 ] || apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-torch python3-numpy >/dev/null || { say "apt-get install python3-torch failed"; exit 1; }
fi
say "done"
