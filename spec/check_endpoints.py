#!/usr/bin/env python3
"""Check openapi.yaml against spec/endpoints.txt (one direction).

- every `METHOD /v1/path/:param` line of endpoints.txt (the documentation's list, an input)
  maps to exactly one operation (path parameters compared by position, names ignored);
  operations beyond the list are printed, not failed;
- every x-phase is one of the five steps, with the tag of the same name; x-retry, when given,
  is one of the three retry classes.
The per-operation facts (operationId, host, phase, retry class) live in openapi.yaml only;
`cargo xtask generate` derives spec/operations.tsv and genpro-api's operation table from it.

Usage: spec/check_endpoints.py [openapi.yaml]   (run from anywhere; stdlib + PyYAML)
"""
import re
import sys
from collections import Counter
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
PHASES = {"setup", "ideas", "vidsheet", "edit", "publish"}
METHODS = {"get", "put", "post", "delete", "patch", "options", "head", "trace"}


def shape(path):
    """/v1/a/:x/b or /v1/a/{x}/b -> /v1/a/{}/b"""
    return "/".join("{}" if re.fullmatch(r":\w+|\{\w+\}", seg) else seg for seg in path.split("/"))


def main():
    spec_path = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "openapi.yaml"
    doc = yaml.safe_load(spec_path.read_text())
    errors = []

    ops = {}  # (METHOD, path) -> operation
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if method in METHODS:
                ops[(method.upper(), path)] = (op, item)

    for (method, path), (op, _) in ops.items():
        phase = op.get("x-phase")
        if phase not in PHASES:
            errors.append(f"{method} {path}: x-phase {phase!r} is not one of {sorted(PHASES)}")
        if op.get("tags") != [phase]:
            errors.append(f"{method} {path}: tags {op.get('tags')!r} should be [{phase!r}]")

    # endpoints.txt: shapes, one-to-one
    by_shape = Counter((m, shape(p)) for m, p in ops)
    lines = [l.split() for l in (ROOT / "spec/endpoints.txt").read_text().splitlines() if l.strip()]
    seen = Counter()
    for method, path in lines:
        key = (method.upper(), shape(path))
        seen[key] += 1
        n = by_shape.get(key, 0)
        if n != 1:
            errors.append(f"endpoints.txt {method} {path}: matches {n} operations (want exactly 1)")
    for key, n in seen.items():
        if n > 1:
            errors.append(f"endpoints.txt lists {key} {n} times")
    extra = sorted(key for key in by_shape if key not in seen)
    for key in extra:
        print(f"note: operation {key[0]} {key[1]} is not in endpoints.txt (extra, allowed)")
    retry_classes = {"idempotent", "free_create", "paid"}
    for (method, path), (op, _) in ops.items():
        retry = op.get("x-retry")
        if retry is not None and retry not in retry_classes:
            errors.append(f"{method} {path}: x-retry {retry!r} is not one of {sorted(retry_classes)}")

    if errors:
        print("\n".join(errors), file=sys.stderr)
        print(f"check_endpoints: {len(errors)} problem(s)", file=sys.stderr)
        return 1
    print(f"check_endpoints: OK ({len(ops)} operations, {len(lines)} endpoints.txt lines)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
