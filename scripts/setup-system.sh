#!/usr/bin/env bash
# Makes this machine able to run cnnc's GPU code. Idempotent: safe to run on every CI job.
#
# Rule (the same one runtime/vulkanIcd.ts applies for `--backend auto`):
#   - a hardware Vulkan driver is installed (a driver manifest in a Vulkan ICD directory that is not
#     Mesa's lavapipe or SwiftShader, and the Vulkan loader libvulkan.so.1): nothing to do;
#   - otherwise cnnc runs on Dawn's OpenGL ES backend over Mesa (llvmpipe on CPU-only machines), which
#     needs Mesa's EGL and GLES packages: install whichever are missing with apt-get.
# cnnc sets EGL_PLATFORM=surfaceless itself when it is unset.
#
# --data also installs the training data: Debian's dataset-fashion-mnist package (Fashion-MNIST as
# gzip IDX files under /usr/share/datasets/fashion-mnist/, where runtime/data/fashionMnist.ts looks).
# --python also installs Debian's PyTorch, NumPy and ONNX for /usr/bin/python3: the export tests run the
# modules `cnnc export --pytorch` writes in PyTorch (test/export/pytorch/torchForward.test.ts) and ONNX's
# checker on the models `--onnx` writes (test/export/onnx/checker.test.ts).
set -euo pipefail

readonly MESA_PACKAGES=(libegl1 libegl-mesa0 libgles2 libgl1-mesa-dri)
readonly DATA_PACKAGES=(dataset-fashion-mnist)
readonly PYTHON_PACKAGES=(python3-torch python3-numpy python3-onnx)
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

usage() {
  printf 'usage: %s [--data] [--python]\n  --data    also install the Fashion-MNIST dataset (%s)\n  --python  also install PyTorch, NumPy and ONNX (%s)\n' \
    "$0" "${DATA_PACKAGES[*]}" "${PYTHON_PACKAGES[*]}"
}

install_data=0
install_python=0
for arg in "$@"; do
  case "$arg" in
    --data) install_data=1 ;;
    --python) install_python=1 ;;
    -h | --help) usage; exit 0 ;;
    *) say "unknown option: $arg"; usage >&2; exit 1 ;;
  esac
done

have_apt() {
  command -v dpkg-query >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1
}

# Prints the given packages that are not installed.
missing_packages() {
  local package
  for package in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
      printf '%s\n' "$package"
    fi
  done
}

# apt-get install, through sudo when not root.
apt_install() {
  local sudo_cmd=()
  if [[ "$(id -u)" -ne 0 ]]; then
    if ! command -v sudo >/dev/null 2>&1; then
      say "need root to install $*: run as root, or install sudo"
      return 1
    fi
    sudo_cmd=(sudo)
  fi
  ${sudo_cmd[@]+"${sudo_cmd[@]}"} apt-get update
  ${sudo_cmd[@]+"${sudo_cmd[@]}"} env DEBIAN_FRONTEND=noninteractive apt-get install -y "$@"
}

setup_gpu() {
  local icd reason
  if icd="$(hardware_vulkan_icd)"; then
    if vulkan_loader_present; then
      say "hardware Vulkan driver found ($icd); nothing to install"
      return 0
    fi
    reason="Vulkan driver $icd found but not the Vulkan loader (libvulkan1)"
  else
    reason="no hardware Vulkan driver"
  fi

  if ! have_apt; then
    say "$reason, and this is not a Debian/Ubuntu system (no apt-get/dpkg-query)."
    say "install Mesa's EGL and OpenGL ES drivers (llvmpipe) with your package manager: ${MESA_PACKAGES[*]}"
    return 1
  fi

  local missing
  mapfile -t missing < <(missing_packages "${MESA_PACKAGES[@]}")

  if [[ ${#missing[@]} -eq 0 ]]; then
    say "$reason; Mesa EGL/GLES packages already installed (${MESA_PACKAGES[*]}); nothing to do"
    return 0
  fi

  say "$reason; installing Mesa EGL/GLES packages: ${missing[*]}"
  apt_install "${missing[@]}"
  say "installed ${missing[*]}; cnnc will use Dawn's OpenGL ES backend (run \`cnnc doctor\` to check)"
}

# install_missing WHAT WHERE HELP PACKAGE...: installs the packages not yet installed, saying what they
# are (WHAT), where their files go (WHERE) and, off Debian/Ubuntu, how to get them by hand (HELP).
install_missing() {
  local what="$1" where="$2" help="$3"
  shift 3
  if ! have_apt; then
    say "this is not a Debian/Ubuntu system (no apt-get/dpkg-query): $help"
    return 1
  fi
  local missing
  mapfile -t missing < <(missing_packages "$@")
  if [[ ${#missing[@]} -eq 0 ]]; then
    say "$what packages already installed ($*); nothing to do"
    return 0
  fi
  say "installing $what packages: ${missing[*]}"
  apt_install "${missing[@]}"
  say "installed ${missing[*]} ($where)"
}

setup_data() {
  install_missing dataset "files under /usr/share/datasets/fashion-mnist/" \
    "download Fashion-MNIST's four *-idx?-ubyte.gz files (https://github.com/zalandoresearch/fashion-mnist) into /usr/share/datasets/fashion-mnist/" \
    "${DATA_PACKAGES[@]}"
}

setup_python() {
  install_missing python "for /usr/bin/python3" "install PyTorch, NumPy and ONNX for python3 (pip install torch numpy onnx)" "${PYTHON_PACKAGES[@]}"
}

setup_gpu
if [[ $install_data -eq 1 ]]; then
  setup_data
fi
if [[ $install_python -eq 1 ]]; then
  setup_python
fi
