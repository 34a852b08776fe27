#!/usr/bin/env bash
# Installs the system packages the test suite needs on a Debian/Ubuntu machine,
# only those that are missing (so a second run does nothing and needs no
# network). As root directly, otherwise through sudo.
#
#   socat                          the pseudo-terminals the serial tests open
#   wabt                           wasm2c (the independent engine) and wasm-validate
#   gcc, make                      the C pump for a PC, the plain-C peer
#   g++                            the Arduino-style sketches (examples/) built for the POSIX board
#   python3-torch                  real PyTorch for Debian's /usr/bin/python3: the
#                                  numerics oracle (scripts/golden.py, the cross-check)
#   python3-sklearn                scikit-learn for the same python3: the oracle of
#                                  predict's metrics (host/report/prediction-metrics.test.ts)
#   gcc-riscv64-unknown-elf,       the firmware cross-compiled for rv32 ...
#   picolibc-riscv64-unknown-elf
#   qemu-system-misc               ... and run as an emulated board (qemu-system-riscv32, and
#                                  qemu-system-xtensa for the LX106 board)
#   gcc-xtensa-lx106,              the firmware cross-compiled for the ESP8266's core (Xtensa
#   binutils-xtensa-lx106,         LX106, call0, soft-float: boards/xtensa) ...
#   picolibc-xtensa-lx106-elf
#   gcc-12-source                  ... whose libgcc lacks the soft-float and division routines:
#                                  boards/xtensa/Makefile assembles them from GCC's own sources
#   clang, libclang-rt-14-dev      the protocol fuzzer (libFuzzer)
#   llvm                           its tools (llvm-symbolizer, llvm-profdata)
#   strace                         shows that --save fsyncs before and after its rename
#   util-linux                     setpriv: the read-only-folder test as nobody; a
#                                  parent-death signal for qemu and socat children
#   mosquitto                      the MQTT broker of the fleet tests (tests/fleet/): each test
#                                  starts its own on a free loopback port with a config file it
#                                  writes (never the system service), and kills it after
set -euo pipefail

packages=(
  socat wabt gcc g++ make python3-torch python3-sklearn
  gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf qemu-system-misc
  gcc-xtensa-lx106 binutils-xtensa-lx106 picolibc-xtensa-lx106-elf gcc-12-source
  clang libclang-rt-14-dev llvm strace util-linux mosquitto
)

installed() {
  [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" = "installed" ]
}

missing=()
for p in "${packages[@]}"; do
  installed "$p" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "deps: all ${#packages[@]} system packages present"
  exit 0
fi

if ! command -v apt-get >/dev/null; then
  echo "deps: missing ${missing[*]}, and this machine has no apt-get: install them with its package manager" >&2
  exit 1
fi

as_root=()
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null; then
    echo "deps: missing ${missing[*]}: run as root, or install sudo" >&2
    exit 1
  fi
  as_root=(sudo)
fi

echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# The package lists are fetched once, and only when something is missing.
"${as_root[@]}" apt-get update
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"

# Debian's PyTorch is for Debian's interpreter; the tests run /usr/bin/python3.
if ! /usr/bin/python3 -c "import torch" 2>/dev/null; then
  echo "deps: python3-torch is installed but /usr/bin/python3 cannot import torch" >&2
  exit 1
fi
echo "deps: done"
