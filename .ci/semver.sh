#!/usr/bin/env bash
# The public API of the library crates against the 0.1.0 release: the baseline is the commit that
# added the `## [0.1.0]` heading to CHANGELOG.md (found in the history, so no tag is needed).
set -euo pipefail
cd "$(dirname "$0")/.."
BASE=$(git log --format=%H -S'## [0.1.0]' -- CHANGELOG.md | tail -1)
if [ -z "$BASE" ]; then
  echo "no 0.1.0 release in CHANGELOG.md's history: nothing to compare against" >&2
  exit 1
fi
echo "baseline: $BASE ($(git log -1 --format=%s "$BASE"))"
cargo semver-checks check-release --baseline-rev "$BASE" \
  -p genpro-api -p genpro-sdk -p genpro-mock -p genpro-api-httpmock
