#!/usr/bin/env python3
"""Check openapi.yaml against spec/endpoints.txt and spec/operations.tsv.

- every `METHOD /v1/path/:param` line of endpoints.txt maps to exactly one operation
  (path parameters compared by position, names ignored), and every operation to one line;
- every operation's method, path, operationId, x-phase, tag and host match operations.tsv;
- every x-phase is one of the five steps.

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
AGENT_HOST = "https://agent.gen.pro"


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
    for key in by_shape:
        if key not in seen:
            errors.append(f"operation {key[0]} {key[1]} is not in endpoints.txt")

    # operations.tsv: exact contract
    rows = [l.split("\t") for l in (ROOT / "spec/operations.tsv").read_text().splitlines()
            if l.strip() and not l.startswith("#")]
    want = set()
    for row in rows:
        method, path, host, phase, op_id = row[:5]
        want.add((method, path))
        if (method, path) not in ops:
            errors.append(f"operations.tsv {method} {path} ({op_id}): missing from openapi.yaml")
            continue
        op, item = ops[(method, path)]
        if op.get("operationId") != op_id:
            errors.append(f"{method} {path}: operationId {op.get('operationId')!r}, want {op_id!r}")
        if op.get("x-phase") != phase:
            errors.append(f"{method} {path}: x-phase {op.get('x-phase')!r}, want {phase!r}")
        servers = [s["url"] for s in op.get("servers") or item.get("servers") or []]
        is_agent = servers == [AGENT_HOST]
        if (host == "agent") != is_agent:
            errors.append(f"{method} {path}: host {host!r} but servers override is {servers!r}")
    for key in ops:
        if key not in want:
            errors.append(f"{key[0]} {key[1]}: not in operations.tsv")

    if errors:
        print("\n".join(errors), file=sys.stderr)
        print(f"check_endpoints: {len(errors)} problem(s)", file=sys.stderr)
        return 1
    print(f"check_endpoints: OK ({len(ops)} operations, {len(lines)} endpoints.txt lines)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
