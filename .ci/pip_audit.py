"""Known vulnerabilities in the project's installed dependencies (pip-audit), for CI.

Usage: python .ci/pip_audit.py <pip-audit executable> <pinned requirements file>

Fails (exit 1) when pip-audit finds a vulnerability, when it cannot reach its feed, or when it audited
some dependencies but skipped others. One case only warns, loudly: when the registry answers but does
not serve PyPI's per-release vulnerability feed (https://pypi.org/pypi/NAME/VERSION/json answers 404
for every dependency), as on the development machines of this project, where nothing can be audited.
Set PIP_AUDIT_REQUIRED=1 to make that case fail too.
"""

import json
import os
import subprocess
import sys

NOT_SERVED = "not found on PyPI"


def banner(lines):
    bar = "!" * 100
    print("\n".join([bar, *lines, bar]), file=sys.stderr, flush=True)
    print("\n".join([bar, *lines, bar]), flush=True)


def main(pip_audit, requirements):
    result = subprocess.run(
        [
            pip_audit,
            "--disable-pip",
            "--no-deps",
            "--progress-spinner",
            "off",
            "-f",
            "json",
            "-r",
            requirements,
        ],
        capture_output=True,
        text=True,
    )
    sys.stderr.write(result.stderr)
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        banner(["pip-audit FAILED to run (could the vulnerability feed be reached?):", result.stdout[-2000:]])
        return 1
    dependencies = report.get("dependencies", [])
    vulnerable = [d for d in dependencies if d.get("vulns")]
    skipped = [d for d in dependencies if d.get("skip_reason")]
    audited = len(dependencies) - len(skipped)
    for dep in vulnerable:
        for vuln in dep["vulns"]:
            fixes = ", ".join(vuln.get("fix_versions") or []) or "no fixed version yet"
            print(f"VULNERABLE {dep['name']} {dep['version']}: {vuln['id']} (fixed in: {fixes})")
    if vulnerable:
        banner([f"pip-audit: {len(vulnerable)} dependencies with known vulnerabilities (see above)."])
        return 1
    if result.returncode != 0 and not skipped:
        banner([f"pip-audit exited with {result.returncode}."])
        return 1
    if skipped and audited == 0 and all(NOT_SERVED in d["skip_reason"] for d in skipped):
        banner(
            [
                f"pip-audit COULD NOT AUDIT any of the {len(skipped)} dependencies: the registry reached",
                "from this machine does not serve PyPI's per-release vulnerability feed",
                "(pypi.org/pypi/NAME/VERSION/json answers 404). NOTHING WAS CHECKED.",
                "Run .ci/run where that feed is reachable, with PIP_AUDIT_REQUIRED=1.",
            ]
        )
        return 1 if os.environ.get("PIP_AUDIT_REQUIRED") == "1" else 0
    if skipped:
        for dep in skipped:
            print(f"NOT AUDITED {dep['name']} {dep.get('version', '')}: {dep['skip_reason']}")
        banner([f"pip-audit skipped {len(skipped)} of {len(dependencies)} dependencies (see above)."])
        return 1
    print(f"pip-audit: no known vulnerabilities in {audited} dependencies.")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
