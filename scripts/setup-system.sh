#!/usr/bin/env bash
# Makes this machine able to run cnnc's GPU code. Idempotent: safe to run on every CI job.
#
# Rule (the same one runtime/vulkanIcd.ts applies for `--backend auto`):
#   - a hardware Vulkan driver is installed (a driver manifest in a Vulkan ICD directory that is not
#     Mesa's lavapipe or SwiftShader, and the Vulkan loader libvulkan.so.1): nothing to do;
#   - otherwise cnnc runs on Dawn's OpenGL ES backend over Mesa (llvmpipe on CPU-only machines), which
#     needs Mesa's EGL and GLES packages: install whichever are missing with apt-get.
# cnnc sets EGL_PLATFORM=surfaceless itself when it is unset.
set -euo pipefail

readonly MESA_PACKAGES=(libegl1 libegl-mesa0 libgles2 libgl1-mesa-dri)
readonly ICD_DIRS=(/usr/share/vulkan/icd.d /etc/vulkan/icd.d /usr/local/share/vulkan/icd.d)

say() { printf 'setup-system: %s\n' "$*"; }

hardware_vulkan_icd() {
  local dir manifest
  for dir in "${ICD_DIRS[@]}"; do
    for manifest in "$dir"/*.json; do
      [[ -f "$manifest" ]] || continue
      if [[ "$manifest" =~ lvp|lavapipe|swiftshader ]] || grep -Eq 'lvp|lavapipe|swiftshader' "$manifest"; then
        continue
      fi
      printf '%s\n' "$manifest"
      return 0
    done
  done
  return 1
}

vulkan_loader_present() {
  ldconfig -p 2>/dev/null | grep -q 'libvulkan\.so\.1'
}

if icd="$(hardware_vulkan_icd)"; then
  if vulkan_loader_present; then
    say "hardware Vulkan driver found ($icd); nothing to install"
    exit 0
  fi
  reason="Vulkan driver $icd found but not the Vulkan loader (libvulkan1)"
else
  reason="no hardware Vulkan driver"
fi

if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
  say "$reason, and this is not a Debian/Ubuntu system (no apt-get/dpkg-query)."
  say "install Mesa's EGL and OpenGL ES drivers (llvmpipe) with your package manager: ${MESA_PACKAGES[*]}"
  exit 1
fi

missing=()
for package in "${MESA_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$package")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  say "$reason; Mesa EGL/GLES packages already installed (${MESA_PACKAGES[*]}); nothing to do"
  exit 0
fi

sudo_cmd=()
if [[ "$(id -u)" -ne 0 ]]; then
  if ! command -v sudo >/dev/null 2>&1; then
    say "need root to install ${missing[*]}: run as root, or install sudo"
    exit 1
  fi
  sudo_cmd=(sudo)
fi

say "$reason; installing Mesa EGL/GLES packages: ${missing[*]}"
${sudo_cmd[@]+"${sudo_cmd[@]}"} apt-get update
${sudo_cmd[@]+"${sudo_cmd[@]}"} env DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
say "installed ${missing[*]}; cnnc will use Dawn's OpenGL ES backend (run \`cnnc doctor\` to check)"
