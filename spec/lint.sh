#!/usr/bin/env bash
# Lint openapi.yaml: Redocly CLI (rules in redocly.yaml), openapi-spec-validator, and the
# endpoint/x-phase contract check (spec/check_endpoints.py). Run from anywhere.
set -euo pipefail

REDOCLY_VERSION=2.77.0
OPENAPI_SPEC_VALIDATOR_VERSION=0.9.0
PYYAML_VERSION=6.0.3

cd "$(dirname "${BASH_SOURCE[0]}")/.."

export REDOCLY_TELEMETRY=off
export REDOCLY_SUPPRESS_UPDATE_NOTICE=true

# Python tools in a local venv (.venv/ is gitignored).
if ! .venv/bin/python -c "import openapi_spec_validator, yaml" >/dev/null 2>&1; then
  python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check \
    "openapi-spec-validator==${OPENAPI_SPEC_VALIDATOR_VERSION}" "PyYAML==${PYYAML_VERSION}"
fi

echo "== redocly lint (@redocly/cli@${REDOCLY_VERSION})"
redocly_log=$(mktemp)
trap 'rm -f "$redocly_log"' EXIT
npx --yes "@redocly/cli@${REDOCLY_VERSION}" lint openapi.yaml 2>&1 | tee "$redocly_log"
# Redocly exits 0 on warnings; this spec keeps zero, so any warning fails the lint.
if grep -Eq "You have [0-9]+ warnings?" "$redocly_log"; then
  echo "redocly: warnings are not allowed (fix them, or turn the rule off in redocly.yaml with a reason)" >&2
  exit 1
fi

echo "== openapi-spec-validator ${OPENAPI_SPEC_VALIDATOR_VERSION}"
.venv/bin/openapi-spec-validator openapi.yaml

echo "== endpoints / x-phase contract"
.venv/bin/python spec/check_endpoints.py openapi.yaml
