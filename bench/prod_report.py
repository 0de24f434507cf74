"""Checks of the production benchmarks: a figure against a fixed target, or reported alone.

The ratios (subject against a floor) are `report.Row`s like every other benchmark's;
a check is a single figure: a count that must be complete, a bound from the issue,
or a figure with no target (INFO).
"""

from dataclasses import dataclass

PASS = "PASS"
MISS = "MISS"
INFO = "INFO"


@dataclass(frozen=True, slots=True)
class Check:
    figure: str
    value: str
    target: str
    verdict: str

    @classmethod
    def of(cls, figure: str, value: str, target: str, passed: bool) -> "Check":
        return cls(figure, value, target, PASS if passed else MISS)

    @classmethod
    def info(cls, figure: str, value: str) -> "Check":
        return cls(figure, value, "reported, no target", INFO)


def print_check(check: Check) -> None:
    print(f"  {check.figure}: {check.value}   target {check.target}   {check.verdict}")


_COLUMNS = (("check", 58), ("value", 30), ("target", 22), ("", 4))


def print_checks(checks: list[Check]) -> None:
    header = " ".join(f"{name:<{width}}" for name, width in _COLUMNS).rstrip()
    print(header)
    print("-" * len(header))
    for check in checks:
        cells = (check.figure, check.value, check.target, check.verdict)
        widths = (width for _, width in _COLUMNS)
        print(" ".join(f"{cell:<{width}}" for cell, width in zip(cells, widths, strict=True)))
