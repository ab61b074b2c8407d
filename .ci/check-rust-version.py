#!/usr/bin/env python3
"""The workspace's `rust-version` must be the true floor: the highest `rust-version` among the
normal dependencies (in the lockfile) of the crates we publish. Reads `cargo metadata`; exits 1
with the culprits when the two differ."""
import json
import subprocess
import sys

meta = json.loads(subprocess.check_output(
    ["cargo", "metadata", "--format-version", "1", "--all-features", "--locked"]))
packages = {p["id"]: p for p in meta["packages"]}
nodes = {n["id"]: n for n in meta["resolve"]["nodes"]}
members = set(meta["workspace_members"])
published = [i for i in members if packages[i]["publish"] is None]


def version(text):
    parts = [int(part) for part in (text or "0").split(".")]
    return tuple(parts + [0] * (3 - len(parts)))


seen, stack = set(), list(published)
while stack:
    pkg = stack.pop()
    if pkg in seen:
        continue
    seen.add(pkg)
    for dep in nodes[pkg]["deps"]:
        if any(kind["kind"] is None for kind in dep["dep_kinds"]):
            stack.append(dep["pkg"])

deps = [(version(packages[i].get("rust_version")), packages[i]["name"], packages[i].get("rust_version"))
        for i in seen if i not in members]
floor = max(d[0] for d in deps)
ours = {packages[i]["name"]: packages[i].get("rust_version") for i in published}
wrong = {name: rv for name, rv in ours.items() if version(rv) != floor}
if wrong:
    needers = sorted(name for v, name, _ in deps if v == floor)
    print(f"rust-version must be {'.'.join(map(str, floor[:2]))} (needed by {', '.join(needers)}), "
          f"but {wrong}", file=sys.stderr)
    sys.exit(1)
print(f"rust-version {'.'.join(map(str, floor[:2]))}: the highest among the published crates' dependencies")
