"""The figures of a run: one row per comparison, printed as it lands and as a final table."""

from dataclasses import dataclass

from timing import Summary


@dataclass(frozen=True, slots=True)
class Row:
    """One comparison: a subject against its floor, the ratio, and the verdict on the target."""

    figure: str
    unit: str
    subject_name: str
    subject: Summary
    floor_name: str
    floor: Summary
    ratio_name: str
    ratio: float
    target: str
    passed: bool

    @property
    def verdict(self) -> str:
        return "PASS" if self.passed else "MISS"


def _number(value: float) -> str:
    if value >= 1000:
        return f"{value:,.0f}"
    if value >= 100:
        return f"{value:.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def _ratio(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:.2f}"


def _series(name: str, summary: Summary, unit: str) -> str:
    return (
        f"    {name:<10} median {_number(summary.median):>9} {unit:<5}"
        f" min {_number(summary.low):>9}  max {_number(summary.high):>9}  n={summary.count}"
    )


def print_row(row: Row) -> None:
    """The detail of one comparison, printed as soon as it is measured."""
    print(f"  {row.figure}")
    print(_series(row.subject_name, row.subject, row.unit))
    print(_series(row.floor_name, row.floor, row.unit))
    print(f"    {row.ratio_name} = {_ratio(row.ratio)}   target {row.target}   {row.verdict}")


_COLUMNS = (
    ("figure", 46),
    ("unit", 5),
    ("subject", 10),
    ("floor", 10),
    ("ratio", 22),
    ("target", 20),
    ("", 4),
)


def print_table(rows: list[Row]) -> None:
    """Every comparison of the run, one line each."""
    header = " ".join(f"{name:<{width}}" for name, width in _COLUMNS).rstrip()
    print(header)
    print("-" * len(header))
    for row in rows:
        cells = (
            row.figure,
            row.unit,
            _number(row.subject.median),
            _number(row.floor.median),
            f"{row.ratio_name} {_ratio(row.ratio)}",
            row.target,
            row.verdict,
        )
        widths = (width for _, width in _COLUMNS)
        print(" ".join(f"{cell:<{width}}" for cell, width in zip(cells, widths, strict=True)))
