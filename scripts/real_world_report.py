#!/usr/bin/env python3
"""Writes docs/real-world.md from the per-row results scripts/real-world.sh leaves in
OUT_DIR/runs/<name>/ (see that script for the files). Prints the Markdown on stdout.

A row counts as fixed (issue #13) when `fix --unsafe-fixes --verify` changed the
Dockerfile, the fixed image built and holds the same packages and app files, the
fixed code-edit rebuild re-ran no install step, and it is at least 10x faster than
the original's. Rows whose original does not build here are listed apart and do not
count.
"""

import argparse
import csv
import datetime
import json
import os
import re
import subprocess
import sys
from pathlib import Path

FIXED_MIN_RATIO = 10.0
# A step that installs packages: a code edit that re-runs one of these re-downloads
# or re-resolves dependencies.
INSTALL_STEP = re.compile(
    r"\b(pip3?|uv|poetry|pipenv|pdm)\b.*\b(install|sync)\b|\bsetup\.py\b.*\binstall\b"
)
FAILURE_LINES = 6


def run(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=60).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def read(path, default=None):
    try:
        return Path(path).read_text(errors="replace")
    except OSError:
        return default


def machine(docker):
    os_name = "unknown OS"
    release = read("/etc/os-release", "")
    found = re.search(r'^PRETTY_NAME="?([^"\n]*)', release, re.M)
    if found:
        os_name = found.group(1)
    engine = run([docker, "version", "--format", "{{.Server.Version}}"]) or "unknown"
    return f"{os.cpu_count()} vCPU, {os_name}, Docker Engine {engine}"


def layerwise_commit(root):
    """The commit the measured binary was built from (LAYERWISE_COMMIT, else HEAD)."""
    return os.environ.get("LAYERWISE_COMMIT") or run(["git", "-C", str(root), "rev-parse", "--short=12", "HEAD"])


def layerwise_version(root, binary):
    version = run([binary, "--version"])
    return f"{version or binary} at commit {layerwise_commit(root)}"


def stand_in(docker, tag):
    """What the local stand-in for TAG really holds, or None when absent."""
    out = run([docker, "image", "inspect", "--format", "{{range .Config.Env}}{{println .}}{{end}}", tag])
    if not out:
        return None
    version = next((l.split("=", 1)[1] for l in out.splitlines() if l.startswith("PYTHON_VERSION=")), "?")
    os_release = run([docker, "run", "--rm", "--entrypoint", "sh", tag, "-c", ". /etc/os-release; echo $VERSION_CODENAME"])
    return f"Debian {os_release or '?'}, Python {version}"


def last_lines(text, count=FAILURE_LINES):
    """The lines that say why a build failed, without BuildKit's progress noise."""
    lines = [l.rstrip() for l in text.splitlines() if l.strip()]
    errors = [i for i, l in enumerate(lines) if re.search(r"\berror\b|ERROR|failed to|not found|No matching", l)]
    end = errors[-1] + 1 if errors else len(lines)
    picked = lines[max(0, end - count):end]
    return [re.sub(r"^#\d+ [0-9.]+ ", "", l)[:200] for l in picked]


# Why an original does not build, from its log: first match wins.
FAILURE_CAUSES = [
    (r"pull access denied|failed to resolve source metadata|failed to do request|manifest unknown|"
     r"failed to (?:fetch|authorize)|dial tcp|no such host",
     "a base image or download from outside the package indexes (unreachable here)"),
    (r"python-build-standalone", "the project needs a newer Python than the stand-in's, and uv cannot download one here"),
    (r"All attempts to connect to pypi.org failed|CERTIFICATE_VERIFY_FAILED",
     "an installer ignoring the stand-in's CA bundle cannot reach the index through this machine's TLS-intercepting egress"),
    (r"ResolutionImpossible|conflicting dependencies", "the project's own pins conflict (broken upstream)"),
    (r"\[tool\.poetry\] section not found", "its pyproject.toml has no [tool.poetry] section for its poetry install (broken upstream)"),
    (r"Requires-Python|require a different python|No matching distribution|python_version.*does not match|"
     r"Python \S+ was not found|requires a different Python|Your Pipfile requires \"python_version\"",
     "the project is pinned to an older Python than the stand-in's (no matching release, or its Pipfile asks for another Python)"),
    (r"Failed to build|Failed building wheel|failed-wheel-build|subprocess-exited-with-error",
     "a pinned package has no wheel for the stand-in's Python and does not build from source"),
    (r"has no installation candidate|Unable to locate package", "an apt package Debian 12 no longer has"),
    (r"not found|No such file", "a command or file the build needs is missing"),
]


def failure_cause(log, rc):
    if rc == 124:
        return "ran out of time"
    for pattern, cause in FAILURE_CAUSES:
        if re.search(pattern, log):
            return cause
    return f"exit {rc}; see the log lines"


def seconds(value):
    if value is None:
        return "–"
    return f"{value:.1f}s" if value >= 10 else f"{value:.2f}s"


def before_after(before, after):
    if before is None and after is None:
        return "–"
    text = f"{seconds(before)} → {seconds(after)}"
    if before and after:
        text += f" ({before / after:.1f}×)"
    return text


FALLBACK = "trying the fixes without the restructure"


def parse_verify(log):
    """What `fix --verify` measured. When the engine refused the restructure and
    verify tried the rule fixes alone, the facts are those of the second try (what
    was written), with why the restructure was refused."""
    facts = {}
    if FALLBACK in log:
        first, log = log.split(FALLBACK, 1)
        refused = re.findall(r"^(?:\S+: )?(the fixed build is slower than the original|the fixed image differs from the original)", first, re.M)
        slower = re.findall(r"^  (code edit|dependency edit): ([0-9.]+s fixed vs [0-9.]+s original)", first, re.M)
        facts["restructure_refused"] = "; ".join(
            [f"{name} {detail}" for name, detail in slower] or [r.replace("the fixed ", "") for r in refused]
        ) or "refused"
        facts["applied"] = sorted(set(re.findall(r": fixed ([A-Za-z0-9-]+):", log)))
    found = re.search(
        r"builds: original ([0-9.]+)s cold, ([0-9.]+|n/a)s? after a code edit; "
        r"fixed ([0-9.]+)s cold, ([0-9.]+|n/a)s? after a code edit",
        log,
    )
    if found:
        facts["original_cold"] = float(found.group(1))
        facts["fixed_cold"] = float(found.group(3))
        if found.group(2) != "n/a":
            facts["code_before"] = float(found.group(2))
        if found.group(4) != "n/a":
            facts["code_after"] = float(found.group(4))
    for side in ("original", "fixed"):
        ran = re.search(rf"^{side}: the code edit re-ran (.*)$", log, re.M)
        if ran:
            facts[f"{side}_code_edit_ran"] = ran.group(1)
    dep = re.search(r"^dependency edit: (.*): original ([0-9.]+|n/a)s?, fixed ([0-9.]+|n/a)s?$", log, re.M)
    if dep:
        facts["dep_edit"] = dep.group(1)
        if dep.group(2) != "n/a":
            facts["dep_before"] = float(dep.group(2))
        if dep.group(3) != "n/a":
            facts["dep_after"] = float(dep.group(3))
    dep_skipped = re.search(r"^dependency edit: not timed \((.*)\)$", log, re.M)
    if dep_skipped:
        facts["dep_skipped"] = dep_skipped.group(1)
    counted = re.search(r"^packages: (\d+) in the original, (\d+) in the fixed image", log, re.M)
    if counted:
        facts["packages"] = (int(counted.group(1)), int(counted.group(2)))
    facts["same"] = "same packages and app files" in log
    facts["differ"] = "the images differ" in log
    failed = re.search(r"the (original|fixed) Dockerfile does not build:\n(.*)", log, re.S)
    if failed:
        facts["failed"] = failed.group(1)
        facts["failure"] = last_lines(failed.group(2))
    differences = re.findall(
        r"^(version changes|packages only in the original|packages only in the fixed image|"
        r"app files only in the original|app files that differ):\n((?:  .*\n)+)",
        log,
        re.M,
    )
    facts["differences"] = [f"{title}: {', '.join(l.strip() for l in body.splitlines()[:5])}" for title, body in differences]
    return facts


def parse_bench(path):
    try:
        report = json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return {}
    facts = {}
    for variant in report.get("variants", []):
        side = {"Before": "before", "After": "after"}.get(variant.get("label"))
        if not side:
            continue
        for scenario in variant.get("scenarios", []):
            kind = scenario.get("kind")
            median = (scenario.get("seconds") or {}).get("median")
            if kind == "dependency-edit":
                facts[f"dep_{side}"] = median
                if scenario.get("skipped"):
                    facts["dep_skipped"] = scenario["skipped"]
                if scenario.get("detail"):
                    facts["dep_detail"] = scenario["detail"]
            elif kind == "code-edit":
                facts[f"bench_code_{side}"] = median
    return facts


def findings(check_json):
    try:
        diagnostics = json.loads(check_json).get("diagnostics", [])
    except (TypeError, ValueError):
        return None
    codes = {}
    for d in diagnostics:
        codes[d["code"]] = codes.get(d["code"], 0) + 1
    return codes


def lw101_fixes(check_json):
    """LW101 findings in `check --format json` output, and how many carry a fix."""
    try:
        diagnostics = json.loads(check_json).get("diagnostics", [])
    except (TypeError, ValueError):
        return (0, 0)
    found = [d for d in diagnostics if d["code"] == "LW101"]
    return (len(found), sum(1 for d in found if d.get("fix")))


def fix_changes(fix_log):
    # Diff mode says "would fix" / "would create"; --write says "fixed" / "created".
    applied = sorted(set(re.findall(r": (?:would fix|fixed) ([A-Za-z0-9-]+):", fix_log)))
    notes = re.findall(r": (not restructured: .*)$", fix_log, re.M)
    created = re.findall(r"^(\S+): (?:would )?(create|extend)(?:d)?$", fix_log, re.M)
    past = {"create": "created", "extend": "extended"}
    return applied, notes, [f"{Path(p).name} {past[verb]}" for p, verb in created]


def row_result(row, runs):
    run = runs / row["name"]
    result = {"row": row, "measured": (run / "original-build.rc").is_file()}
    if not result["measured"]:
        return result
    result["build_rc"] = int((read(run / "original-build.rc", "1") or "1").strip() or 1)
    result["build_seconds"] = float(read(run / "original-build.seconds", "0") or 0)
    result["build_log"] = read(run / "original-build.log", "")
    result["codes"] = findings(read(run / "check.json"))
    result["lw101_fixes"] = lw101_fixes(read(run / "check.json"))
    result["check_error"] = (read(run / "check.log", "") or "").strip()
    result["fix_rc"] = int((read(run / "fix.rc", "2") or "2").strip())
    fix_log = read(run / "fix.log", "") or ""
    result["fix_log"] = fix_log
    result["applied"], result["notes"], result["side_files"] = fix_changes(fix_log)
    verify_log = read(run / "verify.log")
    if verify_log is not None:
        rc_text = (read(run / "verify.rc", "") or "").strip()
        result["verify_rc"] = int(rc_text) if rc_text else None  # None: the run stopped during verify
        result["verify"] = parse_verify(verify_log)
        result["verify_log"] = verify_log
        result["verify_tail"] = last_lines(verify_log)
    result["bench"] = parse_bench(run / "bench.json")
    if (run / "bench.rc").exists():
        result["bench_rc"] = int((read(run / "bench.rc", "1") or "1").strip())
        result["bench_tail"] = last_lines(read(run / "bench.log", ""))
    judge(result)
    return result


def judge(r):
    """Sets r['status'] (building rows) and r['why'] (why not fixed)."""
    if r["build_rc"] != 0:
        r["status"] = "does not build here"
        return
    if r["fix_rc"] == 0:
        r["status"] = "nothing to fix"
        r["why"] = "fix changes nothing" + (
            f" ({'; '.join(r['notes'])})" if r["notes"] else ""
        )
        if r["codes"] and "LW101" in r["codes"]:
            r["why"] = "LW101 reported but fix changes nothing" + (
                f": {'; '.join(r['notes'])}" if r["notes"] else ""
            )
        return
    if r["fix_rc"] != 1:
        r["status"] = "fix failed"
        r["why"] = f"fix exited {r['fix_rc']}: " + " / ".join(last_lines(r["fix_log"], 3))
        return
    v = r.get("verify", {})
    rc = r.get("verify_rc")
    if rc is None or rc in (124, 130, 137, 143):
        r["status"] = "not verified"
        r["why"] = (
            "verification ran out of time" if rc == 124
            else "the run was stopped during verification" if rc is None
            else f"verification was stopped (exit {rc})"
        ) + f"; {r['row']['notes']}"
        return
    if re.search(r"no space left on device|bytes remaining on stream", r.get("verify_log", ""), re.I):
        r["status"] = "not verified"
        r["why"] = "the engine's disk filled up during verification (a shared machine); re-run this row"
        return
    if v.get("failed") == "fixed":
        r["status"] = "fixed build fails"
        r["why"] = "the fixed Dockerfile does not build: " + " / ".join(v.get("failure", [])[-3:])
        return
    if v.get("failed") == "original":
        r["status"] = "not verified"
        r["why"] = "the original did not build during verification: " + " / ".join(v.get("failure", [])[-3:])
        return
    if not v.get("same"):
        r["status"] = "images differ"
        r["why"] = "; ".join(v.get("differences") or r.get("verify_tail", [])[-2:]) or f"verify exited {rc}"
        return
    original_ran = v.get("original_code_edit_ran")
    if original_ran is not None and not INSTALL_STEP.search(original_ran):
        # Nothing for a fix to win: the original's code edit already re-runs no install.
        r["status"] = "already fast"
        r["why"] = f"the original's code edit already re-runs no install ({original_ran}); fix changed it anyway"
        note_slower(r)
        return
    reasons = []
    ran = v.get("fixed_code_edit_ran")
    before, after = v.get("code_before"), v.get("code_after")
    if ran is None:
        reasons.append("no code edit could be timed (no Python source found)")
    elif INSTALL_STEP.search(ran):
        reasons.append(f"a code edit still re-runs the install ({ran})")
    if before and after and before / after < FIXED_MIN_RATIO:
        reasons.append(f"code-edit rebuild only {before / after:.1f}× faster")
    if reasons:
        r["status"] = "not fixed"
        r["why"] = "; ".join(reasons + r["notes"])
    else:
        r["status"] = "fixed"
    note_slower(r)


def note_slower(r):
    """Lists the rebuilds the fix made slower (by over 20% and a margin for noise)."""
    v = r.get("verify", {})
    before, after = v.get("code_before"), v.get("code_after")
    slower = []
    if before and after and after > before * 1.2 and after - before > 1:
        slower.append("code edit")
    b = dependency_edit(r)
    if b.get("dep_before") and b.get("dep_after") and b["dep_after"] > b["dep_before"] * 1.2 and b["dep_after"] - b["dep_before"] > 2:
        slower.append("dependency edit")
    r["slower"] = slower


def dependency_edit(r):
    """The dependency-edit timings: bench's when it ran, else those `fix --verify` took."""
    if r["bench"].get("dep_before") or r["bench"].get("dep_skipped"):
        return r["bench"]
    v = r.get("verify", {})
    return {k: v[k] for k in ("dep_before", "dep_after", "dep_skipped") if k in v}


def cell(text):
    return str(text).replace("|", "\\|").replace("\n", " ")


def explain_accuracy(directory):
    """The section on `scripts/explain-accuracy.sh`'s results, when it ran."""
    results = directory / "results.tsv"
    if not results.is_file():
        return []
    with open(results, newline="") as f:
        # A row re-run with --only appends; its latest results count.
        latest = {(r["name"], r["scenario"]): r for r in csv.DictReader(f, delimiter="\t")}
        runs = list(latest.values())
    out = ["## explain's prediction vs the following build\n"]
    out.append(
        "From `scripts/explain-accuracy.sh`: after a first build, each scenario's edit, "
        "`layerwise explain --format json`, then `layerwise build --report json`, compared row by row "
        "(stage, line, instruction, cached). A base image's FROM status is counted apart: BuildKit 0.8 "
        "reports it by its solver's state, not by the image (docs/cache-model.md, \"Reports\").\n"
    )
    out.append("| row | scenario | steps that agree | same length | base-image FROM status only |")
    out.append("|---|---|---|---|---|")
    for r in runs:
        out.append(
            f"| {r['name']} | {r['scenario']} | {r['agree']} of {r['total']} | {r['same_length']} "
            f"| {r.get('from_status_only', '0')} |"
        )
    out.append("")
    disagreements = []
    for r in runs:
        path = directory / r["name"] / f"{r['scenario']}.disagreements.txt"
        if path.is_file() and path.read_text().strip():
            disagreements.append(f"- {r['name']}, {r['scenario']}:")
            disagreements.append("  ```")
            disagreements.extend(f"  {l}" for l in path.read_text().splitlines())
            disagreements.append("  ```")
    out.append("Other disagreements: " + ("none.\n" if not disagreements else "\n"))
    out.extend(disagreements)
    if disagreements:
        out.append("")
    return out


def render(rows, results, args):
    root = Path(__file__).resolve().parent.parent
    out = []
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    out.append("# layerwise on real-world Dockerfiles\n")
    out.append(
        "Generated by `scripts/real-world.sh` (pins in `corpus/real-world.tsv`, trees exported by "
        "`scripts/real-world-export.sh`); do not edit by hand.\n"
    )
    out.append(f"- Machine: {machine(args.docker)}")
    out.append(f"- Date: {now}")
    loads = sorted(
        float(text) for r in rows if (text := (read(args.out_dir / "runs" / r["name"] / "loadavg", "") or "").strip())
    )
    if loads:
        out.append(
            f"- Load: 1-minute load average {loads[0]:.1f}–{loads[-1]:.1f} (median {loads[len(loads) // 2]:.1f}) "
            "when the rows started; other builds shared the machine, so times are noisy"
        )
    out.append(f"- layerwise: {layerwise_version(root, args.layerwise)}")
    others = [
        (r["name"], commit)
        for r in rows
        if (commit := (read(args.out_dir / "runs" / r["name"] / "layerwise-commit", "") or "").strip())
        and commit != layerwise_commit(root)
    ]
    if others:
        out.append(
            "- Rows measured with another layerwise commit (re-run after the main run): "
            + ", ".join(f"{name} ({commit})" for name, commit in others)
        )
    out.append(
        "- Per row: the original built with the docker CLI (BuildKit); `layerwise check`; "
        "`layerwise fix --unsafe-fixes` (what changed); on a fresh copy `layerwise fix --unsafe-fixes "
        "--verify --write` (both built, packages and app files compared, code-edit rebuild = median of "
        "3 edits of one source file; dependency edit = one package added to the manifest, then taken "
        "out again, each timed); with bench, `layerwise bench --runs 1` on original vs fixed gives the "
        "dependency edit instead (one run each).\n"
    )

    measured = [r for r in results if r["measured"]]
    building = [r for r in measured if r["build_rc"] == 0]
    broken = [r for r in measured if r["build_rc"] != 0]
    lw101 = [r for r in building if r["codes"] and "LW101" in r["codes"]]
    changed = [r for r in building if r["fix_rc"] == 1]
    fixed = [r for r in building if r.get("status") == "fixed"]
    nothing = [r for r in building if r.get("status") == "nothing to fix"]
    slower = [r for r in building if r.get("slower")]
    fixed_fail = [r for r in building if r.get("status") == "fixed build fails"]

    out.append("## Summary\n")
    out.append(f"- Rows in the corpus: {len(rows)}; measured in this run: {len(measured)}")
    out.append(f"- Originals that build here: **{len(building)}** (the rows that count); do not build here: {len(broken)}")
    out.append(f"- Rows with a layer-order finding (LW101): **{len(lw101)}** of {len(building)}")
    lw101_fixed = [r for r in lw101 if r.get("status") == "fixed"]
    if lw101:
        out.append(
            f"- Of those, fixed (the layer-order target): **{len(lw101_fixed)}** of {len(lw101)} "
            f"({100 * len(lw101_fixed) // len(lw101)}%)"
        )
    total, with_fix = (sum(r.get("lw101_fixes", (0, 0))[i] for r in measured) for i in (0, 1))
    if total:
        out.append(
            f"- LW101 findings on all {len(measured)} measured trees: {total}, {with_fix} with a fix "
            f"({100 * with_fix // total}%); the others' reasons are listed in LW101's documentation"
        )
    out.append(f"- Rows `fix --unsafe-fixes` changes: {len(changed)}; rows it leaves unchanged: {len(nothing)}")
    out.append(
        f"- Rows fixed (fixed build builds, same packages and app files, a code edit re-runs no install "
        f"and is ≥{FIXED_MIN_RATIO:.0f}× faster): **{len(fixed)}** of {len(building)}"
    )
    statuses = {}
    for r in building:
        statuses[r["status"]] = statuses.get(r["status"], 0) + 1
    out.append("- Building rows by result: " + ", ".join(f"{s} {n}" for s, n in sorted(statuses.items(), key=lambda i: -i[1])))
    out.append(f"- Rows whose fixed Dockerfile does not build: {len(fixed_fail)}")
    cold_slower = [
        r for r in building
        if r.get("verify", {}).get("fixed_cold", 0) > 1.2 * r.get("verify", {}).get("original_cold", float("inf"))
    ]
    out.append(f"- Rows whose cold build is >1.2× slower after the fix (not a rebuild): {len(cold_slower)}"
               + (f" ({', '.join(r['row']['name'] for r in cold_slower)})" if cold_slower else ""))
    out.append(f"- Rows slower after the fix (code or dependency edit >1.2× slower): {len(slower)}"
               + (f" ({', '.join(r['row']['name'] for r in slower)})" if slower else ""))
    out.append("")

    tags = sorted({t.strip() for r in rows for t in r["python_tag"].split(";") if t.strip().startswith("python:")})
    out.append("## Base images\n")
    out.append(
        "Nothing can be pulled here, so every `python:*` base is a local stand-in made by "
        "`scripts/make-base-image.sh`: Debian 12 for 3.8–3.12 (and the buster/bullseye tags), Debian 13 "
        "for `python:3` and 3.13+. Rows pinned to another Python than the stand-in's build with the "
        "stand-in's.\n"
    )
    out.append("| tag | stand-in holds |")
    out.append("|---|---|")
    for tag in tags:
        out.append(f"| `{tag}` | {stand_in(args.docker, tag) or 'not made'} |")
    out.append("")

    out.append("## Rows that build here\n")
    out.append(
        "| row | kind · manager | findings | fix changed | fixed builds | same packages "
        "| cold build before → after | code edit before → after | fixed code edit re-ran "
        "| dependency edit before → after | result |"
    )
    out.append("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in building:
        row = r["row"]
        codes = ", ".join(f"{c}×{n}" if n > 1 else c for c, n in sorted((r["codes"] or {}).items())) or "none"
        applied = r["applied"]
        if "restructure_refused" in r.get("verify", {}):
            # What verify wrote after the engine refused the restructure.
            applied = r["verify"]["applied"] + [f"(restructure refused: {r['verify']['restructure_refused']})"]
        changes = ", ".join(applied + r["side_files"]) or "nothing"
        v = r.get("verify", {})
        verified = "verify" in r
        builds = "–" if not verified else ("no" if v.get("failed") == "fixed" else ("yes" if "fixed_cold" in v else "?"))
        same = "–" if not verified or v.get("failed") else ("yes" if v.get("same") else "no")
        if same == "yes" and v.get("packages") == (0, 0):
            # verify reads the system or venv site-packages; a `pip install --user` is not seen.
            same = "yes (0 packages seen)"
        code = before_after(v.get("code_before"), v.get("code_after")) if verified else "–"
        cold = before_after(v.get("original_cold"), v.get("fixed_cold")) if verified else "–"
        ran = cell(v.get("fixed_code_edit_ran", "–")) if verified else "–"
        b = dependency_edit(r)
        dep = before_after(b.get("dep_before"), b.get("dep_after")) if b else "–"
        if b.get("dep_skipped"):
            dep = f"skipped: {b['dep_skipped']}"
        result = r["status"] + (f" (slower: {', '.join(r['slower'])})" if r.get("slower") else "")
        out.append(
            f"| [{row['name']}](https://github.com/{row['repo']}/blob/{row['commit']}/{row['dockerfile']}) "
            f"| {row['kind']} · {row['manager']} | {cell(codes)} | {cell(changes)} "
            f"| {builds} | {same} | {cold} | {code} | {ran} | {cell(dep)} | {result} |"
        )
    out.append("")

    not_fixed = [r for r in building if r.get("status") != "fixed"]
    out.append("## Why each building row is not fixed\n")
    if not not_fixed:
        out.append("Every building row is fixed.\n")
    for r in not_fixed:
        out.append(f"- **{r['row']['name']}** ({r['status']}): {cell(r.get('why', ''))}")
    out.append("")

    out.append("## Rows that do not build here (not counted)\n")
    if not broken:
        out.append("None.\n")
    for r in broken:
        reason = failure_cause(r["build_log"], r["build_rc"])
        out.append(f"- **{r['row']['name']}** ([{r['row']['repo']}](https://github.com/{r['row']['repo']}/tree/{r['row']['commit']}), "
                   f"`{r['row']['python_tag']}`): {reason}; {cell(r['row']['notes'])}")
        out.append("  ```")
        out.extend(f"  {l}" for l in last_lines(r["build_log"]))
        out.append("  ```")
    out.append("")
    out.extend(explain_accuracy(args.out_dir / "accuracy"))
    unmeasured = [r["row"]["name"] for r in results if not r["measured"]]
    if unmeasured:
        out.append("## Rows not measured in this run\n")
        out.append(", ".join(unmeasured) + "\n")
    return "\n".join(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--tsv", type=Path, required=True)
    parser.add_argument("--layerwise", required=True)
    parser.add_argument("--docker", default="/usr/bin/docker")
    args = parser.parse_args()
    with open(args.tsv, newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    results = [row_result(row, args.out_dir / "runs") for row in rows]
    sys.stdout.write(render(rows, results, args))


if __name__ == "__main__":
    main()
