#!/usr/bin/env bash
# The library crates as crates.io would take them, and an app outside the repository on them.
#
# 1. `cargo package` packages every publishable crate and verifies each one: it builds from its
#    .crate file alone (nothing from outside its folder), with the other workspace crates taken
#    from their own .crate files, in dependency order.
# 2. A small app in a temporary folder outside the repository depends on genpro-sdk "0.1.0" (with
#    its `offline` feature, so genpro-mock too) as a crates.io user would, patched to the unpacked
#    .crate contents, with no lockfile (so the newest compatible versions of every dependency),
#    builds without a deprecation warning, and runs clone → generate → render against the packaged
#    fake.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}

# `cargo package` serves the workspace's own .crate files to the verification builds from a local
# registry, extracted under CARGO_HOME/registry/src/-<hash of its path>/. A folder extracted by an
# earlier run at the same path is reused as it is, even though the crate changed since (same
# version): a clean clone at a reused path then verifies against stale sources. Those local
# registries are the folders whose name starts with `-` (crates.io's is named after its host);
# only the genpro crates (never published) are removed from them.
CARGO_HOME=${CARGO_HOME:-$HOME/.cargo}
for stale in "$CARGO_HOME"/registry/src/-*/genpro-* "$CARGO_HOME"/registry/cache/-*/genpro-*; do
  if [ -e "$stale" ]; then rm -rf "$stale"; fi
done
cargo package --workspace --exclude gen-contract-tests --exclude xtask --locked
ls -l "$TARGET"/package/*.crate

PKG="$TARGET/package"
APP=$(mktemp -d)
trap 'rm -rf "$APP"' EXIT
mkdir -p "$APP/src"
cat > "$APP/Cargo.toml" <<TOML
[package]
name = "outside-app"
version = "0.1.0"
edition = "2024"
publish = false

[dependencies]
genpro-sdk = { version = "0.1.0", features = ["offline"] }
tokio = { version = "1", features = ["macros", "rt-multi-thread"] }

[patch.crates-io]
genpro-api = { path = "$PKG/genpro-api-0.1.0" }
genpro-sdk = { path = "$PKG/genpro-sdk-0.1.0" }
genpro-mock = { path = "$PKG/genpro-mock-0.1.0" }

[workspace]
TOML
cp .ci/outside_app.rs "$APP/src/main.rs"
cd "$APP"
CARGO_TARGET_DIR="$TARGET/outside-app" cargo build 2>&1 | tee build.log
if grep -n 'deprecated' build.log; then
  echo "the packaged crates build with deprecation warnings against the newest compatible dependencies" >&2
  exit 1
fi
env -u GEN_API_KEY CARGO_TARGET_DIR="$TARGET/outside-app" cargo run --quiet
