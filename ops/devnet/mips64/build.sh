#!/usr/bin/env bash
# Builds the MIPS64 test programs of Cannon64's tests into ../build/mips64/ with Debian's
# mips64-linux-gnuabi64 cross tools: static, big-endian, n64, MIPS64 release 1 (MIPS64.sol
# implements no release-2 instruction), soft float, no traps. Skips the build when nothing
# changed.
set -euo pipefail
DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="$DIR/../build/mips64"
CC=mips64-linux-gnuabi64-gcc
command -v "$CC" >/dev/null || { echo "mips64: $CC not found (apt-get install gcc-mips64-linux-gnuabi64)" >&2; exit 1; }

# -mno-check-zero-division: no teq; -mno-abicalls -fno-pic: absolute code, no GOT.
CFLAGS=(-march=mips64 -mabi=64 -EB -msoft-float -mno-abicalls -fno-pic -no-pie -static -nostdlib
  -ffreestanding -fno-stack-protector -fno-asynchronous-unwind-tables -mno-check-zero-division
  -mno-branch-likely -O2 -Wl,--build-id=none -Wl,-e,__start)

hash="$( (cat "$DIR"/*.S "$DIR"/*.c "$DIR/build.sh"; "$CC" --version) | sha256sum | cut -d' ' -f1)"
stamp="$OUT/.sources.sha256"
if [[ -f "$stamp" && "$(cat "$stamp")" == "$hash" && -f "$OUT/mt.elf" && -f "$OUT/badclone.elf" ]]; then
  echo "mips64: build/mips64 is up to date"
  exit 0
fi
mkdir -p "$OUT"
rm -f "$stamp"
"$CC" "${CFLAGS[@]}" -o "$OUT/mt.elf" "$DIR/start.S" "$DIR/mt.c"
"$CC" "${CFLAGS[@]}" -o "$OUT/badclone.elf" "$DIR/start.S" "$DIR/badclone.c"
echo "$hash" > "$stamp"
echo "mips64: built mt.elf and badclone.elf in $OUT"
