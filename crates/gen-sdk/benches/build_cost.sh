#!/usr/bin/env bash
# Build-cost benchmark (not a test): a small app on genpro-sdk against the same
# app on bare reqwest + serde + tokio, cold builds in the same run, each in
# its own target dir, alternating A/B so machine noise hits both alike.
#
#   crates/gen-sdk/benches/build_cost.sh [ROUNDS] [PROFILE]   (default 3, dev)
#
# Prints wall seconds per build, the ratio per round, and the median ratio
# with min–max. Like with like: genpro-sdk on ring (its default) against bare
# reqwest on ring, and genpro-sdk on aws-lc-rs against bare reqwest on aws-lc-rs
# (reqwest's default). The bare apps take reqwest with genpro-sdk's own features
# (json, query, stream, multipart, http2), so only the SDK differs.
set -euo pipefail
ROUNDS=${1:-3}
PROFILE=${2:-dev}
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export CARGO_INCREMENTAL=0

mkapp() { # name deps main
  mkdir -p "$WORK/$1/src"
  printf '[package]\nname = "%s"\nversion = "0.1.0"\nedition = "2024"\n\n[dependencies]\n%s\n\n[workspace]\n' "$1" "$2" > "$WORK/$1/Cargo.toml"
  printf '%s\n' "$3" > "$WORK/$1/src/main.rs"
  cp "$ROOT/Cargo.lock" "$WORK/$1/Cargo.lock"
}
BARE_MAIN='#[derive(serde::Deserialize)] struct G { id: i64 }
#[tokio::main] async fn main() { TLS_INIT let c = reqwest::Client::new(); let _ = c.get("http://127.0.0.1:9/v1/generations/1").send().await.map(|r| r.status()); let _: Option<G> = serde_json::from_str("{\"id\":1}").ok(); println!("ok"); }'
COMMON='serde = { version = "1", features = ["derive"] }
serde_json = "1"
tokio = { version = "1", features = ["macros", "rt-multi-thread"] }'
# The bare apps use genpro-sdk's own reqwest features (workspace Cargo.toml) with the same TLS.
REQWEST_FEATURES='"json", "query", "stream", "multipart", "http2"'
mkapp bare "reqwest = { version = \"0.13\", default-features = false, features = [$REQWEST_FEATURES, \"rustls\"] }
$COMMON" "${BARE_MAIN/TLS_INIT/}"
mkapp barering "reqwest = { version = \"0.13\", default-features = false, features = [$REQWEST_FEATURES, \"rustls-no-provider\"] }
rustls = { version = \"0.23\", default-features = false, features = [\"ring\", \"std\", \"tls12\"] }
$COMMON" "${BARE_MAIN/TLS_INIT/#[allow(deprecated)] let _ = rustls::crypto::ring::default_provider().install_default();}"
SDK_MAIN='use genpro_sdk::genpro_api::prelude::*;
#[tokio::main] async fn main() { let c = genpro_sdk::GenClient::builder().api_key("k").api_url("http://127.0.0.1:9").agent_url("http://127.0.0.1:9").allow_insecure_http(true).build().unwrap(); let _ = c.raw().get_generation().id(1).send().await; println!("ok"); }'
mkapp sdk "genpro-sdk = { path = \"$ROOT/crates/gen-sdk\", default-features = false, features = [\"tls-aws-lc\"] }
tokio = { version = \"1\", features = [\"macros\", \"rt-multi-thread\"] }" "$SDK_MAIN"
mkapp sdkring "genpro-sdk = { path = \"$ROOT/crates/gen-sdk\", default-features = false, features = [\"tls-ring\"] }
tokio = { version = \"1\", features = [\"macros\", \"rt-multi-thread\"] }" "$SDK_MAIN"

build() { # app -> seconds
  rm -rf "$WORK/target-$1"
  local t0 t1
  t0=$(date +%s.%N)
  (cd "$WORK/$1" && CARGO_TARGET_DIR="$WORK/target-$1" cargo build --quiet --profile "$PROFILE" >/dev/null 2>&1)
  t1=$(date +%s.%N)
  # the app runs (TLS provider installed, client builds)
  "$WORK/target-$1/$( [ "$PROFILE" = dev ] && echo debug || echo "$PROFILE")/$1" >/dev/null
  echo "$t1 - $t0" | bc
}
declare -a R1 R2
for r in $(seq 1 "$ROUNDS"); do
  b=$(build bare); s=$(build sdk); bg=$(build barering); g=$(build sdkring)
  r1=$(echo "scale=3; $s / $b" | bc); r2=$(echo "scale=3; $g / $bg" | bc)
  R1+=("$r1"); R2+=("$r2")
  printf 'round %d (%s): aws-lc-rs: bare %.1fs, genpro-sdk %.1fs (%.2fx) | ring: bare %.1fs, genpro-sdk %.1fs (%.2fx)\n' "$r" "$PROFILE" "$b" "$s" "$r1" "$bg" "$g" "$r2"
done
med() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {printf "%.2fx (min %.2f, max %.2f)", a[int((NR+1)/2)], a[1], a[NR]}'; }
echo "median genpro-sdk/bare on ring: $(med "${R2[@]}"); on aws-lc-rs: $(med "${R1[@]}")"
count() { (cd "$WORK/$1" && cargo tree -e normal --prefix none | sort -u | wc -l); }
echo "crates: ring: bare $(count barering), genpro-sdk $(count sdkring); aws-lc-rs: bare $(count bare), genpro-sdk $(count sdk)"
