"""core.clock is the only source of "now": a frozen demo date must reach every rule."""

import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "egov"
READS_THE_REAL_CLOCK = re.compile(
    r"timezone\.now\(\)|datetime\.now\(|date\.today\(\)|datetime\.utcnow\(|time\.time\(\)"
)
# Places that must read the wall clock on purpose, with the reason.
ALLOWED = {
    "core/clock.py": "it is the clock",
    # A TOTP code must match the authenticator app on the official's phone, which knows only real time.
    "organizations/management/demo_seed.py": "current TOTP code of a demo account",
}


def test_no_module_reads_the_real_clock_except_core_clock():
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE).as_posix()
        if relative in ALLOWED or "/migrations/" in relative:
            continue
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if READS_THE_REAL_CLOCK.search(line):
                offenders.append(f"{relative}:{number}: {line.strip()}")
    assert offenders == [], "use egov.core.clock.now() instead:\n" + "\n".join(offenders)
