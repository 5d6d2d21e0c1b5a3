#!/usr/bin/env python3
"""Per-step breakdown of `layerwise bench --json` reports, as Markdown.

    scripts/bench_breakdown.py REPORT.json… [--scenario KIND]…

For each report, variant and scenario (default: the cold build with an empty
download cache and the dependency edit): the median seconds of every step that
ran, the export, and the whole build, over the runs. Step names lose the
per-bench cache ids (`,id=…-lwbench-…`) so runs line up.
"""
import json
import re
import statistics
import sys

DEFAULT_SCENARIOS = ["cold-empty-cache", "dependency-edit"]


def step_key(name):
    name = re.sub(r",id=[^ ,]*-lwbench-[^ ,]*", "", name)
    name = re.sub(r"\s+", " ", name)
    return name if len(name) <= 110 else name[:107] + "…"


def median(values):
    return statistics.median(values) if values else None


def fmt(seconds):
    return "—" if seconds is None else f"{seconds:.2f}"


def breakdown(report, scenarios):
    lines = [f"### {report['project']}", ""]
    for kind in scenarios:
        for variant in report["variants"]:
            scenario = next((s for s in variant["scenarios"] if s["kind"] == kind), None)
            runs = (scenario or {}).get("runs") or []
            if not runs:
                continue
            steps = {}
            for run in runs:
                for name, seconds in zip(run["steps_ran"], run["breakdown"]["step_seconds"]):
                    steps.setdefault(step_key(name), []).append(seconds)
            exports = [r["breakdown"]["export_seconds"] for r in runs if r["breakdown"].get("export_seconds") is not None]
            lines.append(f"**{variant['label']}, {kind}** ({len(runs)} runs; median seconds)")
            lines.append("")
            lines.append("| step | s | ran in |")
            lines.append("|---|---:|---:|")
            for name, values in steps.items():
                lines.append(f"| `{name}` | {fmt(median(values))} | {len(values)}/{len(runs)} |")
            lines.append(f"| export | {fmt(median(exports))} | |")
            lines.append(f"| **whole build** | {fmt(median([r['seconds'] for r in runs]))} | |")
            lines.append("")
    return "\n".join(lines)


def main(argv):
    scenarios, paths = [], []
    args = iter(argv)
    for arg in args:
        if arg == "--scenario":
            scenarios.append(next(args))
        else:
            paths.append(arg)
    if not paths:
        sys.exit(__doc__)
    for path in paths:
        with open(path) as f:
            print(breakdown(json.load(f), scenarios or DEFAULT_SCENARIOS))


if __name__ == "__main__":
    main(sys.argv[1:])
