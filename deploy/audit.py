"""`make audit`: known vulnerabilities in the installed Python packages, through pip-audit.

Asks OSV first, then PyPI's JSON API (AUDIT_SERVICES="osv pypi"; `make test` asks OSV alone, which
answers in one batch: PyPI's costs a request a package). Exits 1 only when a service answered and found a vulnerability
(ignore one deliberately with AUDIT_IGNORE="ID …" and a reason in docs/security.md). When no service
can be reached, or one answers without auditing anything (a package mirror without PyPI's JSON API
says every package is "not found"), it says NOT AUDITED and exits 0: an offline machine can still
run `make test`.
"""

import json
import os
import subprocess
import sys



def audit(service, ignored):
    """(audited packages, vulnerabilities as lines) or (None, why the service gave no answer)."""
    command = [sys.executable, "-m", "pip_audit", "--vulnerability-service", service, "--format", "json",
               "--progress-spinner", "off", "--skip-editable", "--timeout", "15"]
    command += [argument for vuln in ignored for argument in ("--ignore-vuln", vuln)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    try:
        report = json.loads(done.stdout)
    except ValueError:
        lines = [line for line in done.stderr.strip().splitlines() if line.strip()]
        return None, lines[-1][:300] if lines else f"pip-audit exited {done.returncode}"
    audited = [dep for dep in report["dependencies"] if "skip_reason" not in dep]
    if not audited:
        return None, f"answered, but audited none of {len(report['dependencies'])} packages (all skipped: not found)"
    found = [f"{dep['name']} {dep['version']}: {vuln['id']} (fixed in {', '.join(vuln['fix_versions']) or 'none'})"
             for dep in audited for vuln in dep["vulns"]]
    return audited, found


def main():
    ignored = os.environ.get("AUDIT_IGNORE", "").split()
    reasons = []
    for service in os.environ.get("AUDIT_SERVICES", "osv pypi").split():
        audited, result = audit(service, ignored)
        if audited is None:
            reasons.append(f"{service}: {result}")
            continue
        if result:
            print(f"== audit ({service}): {len(result)} known vulnerabilities in {len(audited)} packages")
            print("\n".join(f"   {line}" for line in result))
            return 1
        print(f"== audit ({service}): no known vulnerabilities in {len(audited)} packages"
              + (f" (ignored: {' '.join(ignored)})" if ignored else ""))
        return 0
    print("== audit: NOT AUDITED, no vulnerability service could be asked")
    print("\n".join(f"   {reason}" for reason in reasons))
    return 0


if __name__ == "__main__":
    sys.exit(main())
