#!/usr/bin/env bash
# Builds the MIPS test programs of the VM's differential test into ../build/mips/ with
# Debian's mips-linux-gnu cross tools: static, big-endian, MIPS32 release 1 (MIPS.sol
# implements no release-2 instruction), no FPU, no traps. Skips the build when nothing changed.
set -euo pipefail
DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="$DIR/../build/mips"
CC=mips-linux-gnu-gcc
command -v "$CC" >/dev/null || { echo "mips: $CC not found (apt-get install gcc-mips-linux-gnu)" >&2; exit 1; }

# -mno-check-zero-division: no teq; -mno-imadd: no madd/msub; -fno-pic -mno-abicalls: no bal;
# -march=mips32: no seb/seh/ext/ins/rotr.
CFLAGS=(-march=mips32 -mabi=32 -EB -msoft-float -mno-abicalls -fno-pic -no-pie -static -nostdlib
  -ffreestanding -fno-stack-protector -fno-asynchronous-unwind-tables -mno-check-zero-division
  -mno-imadd -mno-branch-likely -mno-llsc -Wl,--build-id=none -Wl,-e,__start)

hash="$( (cat "$DIR"/*.S "$DIR"/*.c "$DIR"/*.h "$DIR/build.sh"; "$CC" --version) | sha256sum | cut -d' ' -f1)"
stamp="$OUT/.sources.sha256"
if [[ -f "$stamp" && "$(cat "$stamp")" == "$hash" && -f "$OUT/insns.elf" && -f "$OUT/bench.elf" && -f "$OUT/verdict.elf" ]]; then
  echo "mips: build/mips is up to date"
  exit 0
fi
mkdir -p "$OUT"
rm -f "$stamp"
"$CC" "${CFLAGS[@]}" -o "$OUT/insns.elf" "$DIR/insns.S"
"$CC" "${CFLAGS[@]}" -O2 -o "$OUT/bench.elf" "$DIR/start.S" "$DIR/bench.c"
"$CC" "${CFLAGS[@]}" -O2 -o "$OUT/verdict.elf" "$DIR/start.S" "$DIR/verdict.c"
echo "$hash" > "$stamp"
echo "mips: built insns.elf, bench.elf and verdict.elf in $OUT"
