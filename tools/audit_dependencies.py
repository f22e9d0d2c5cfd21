"""Audit the pinned dependencies for known vulnerabilities with pip-audit.

Fails when a vulnerability is found. When the vulnerability data source cannot be reached
(or cannot say anything about a package), that is printed plainly as NOT AUDITED with the
reason — never reported as a pass.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements.lock"


def main() -> int:
    command = [
        str(Path(sys.executable).parent / "pip-audit"),
        "--disable-pip",
        "--no-deps",
        "--requirement",
        str(LOCK),
        "--progress-spinner",
        "off",
        "--format",
        "json",
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        reason = (result.stderr.strip().splitlines() or ["no output"])[-1]
        print(f"dependency audit: NOT AUDITED - pip-audit could not run ({reason})")
        return 0
    dependencies = report.get("dependencies", [])
    vulnerable = [d for d in dependencies if d.get("vulns")]
    skipped = [d for d in dependencies if d.get("skip_reason")]
    audited = len(dependencies) - len(skipped)
    for dependency in vulnerable:
        for vuln in dependency["vulns"]:
            fixes = ", ".join(vuln.get("fix_versions") or []) or "no fix yet"
            print(
                f"VULNERABLE {dependency['name']} {dependency.get('version')}: "
                f"{vuln['id']} (fixed in {fixes})"
            )
    if skipped:
        print(
            f"dependency audit: NOT AUDITED for {len(skipped)} of {len(dependencies)} packages "
            f"- the vulnerability data source has no data for them here "
            f"(e.g. {skipped[0]['skip_reason']})"
        )
    print(
        f"dependency audit: {audited} packages audited, {len(vulnerable)} with known "
        "vulnerabilities"
    )
    return 1 if vulnerable else 0


if __name__ == "__main__":
    raise SystemExit(main())
