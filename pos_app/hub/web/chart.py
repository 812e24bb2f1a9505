"""The takings per hour as bars, measured here and drawn by the template as inline SVG: no
script, so the chart is there for any browser, a printer, or a reader of the page source."""

from __future__ import annotations

from dataclasses import dataclass

from pos_app.domain.money import Money
from pos_app.domain.report import DayReport

BAR = 32.0
GAP = 8.0
TOP = 8.0
PLOT = 140.0  # the bars' room, above and below the axis together
LABELS = 22.0  # below the plot, for the hours


@dataclass(frozen=True)
class Bar:
    hour: int
    amount: Money
    label: str  # the amount, as the tooltip and the screen reader say it
    x: float
    y: float
    height: float

    @property
    def negative(self) -> bool:
        return self.amount.minor_units < 0


@dataclass(frozen=True)
class Chart:
    currency: str
    bars: list[Bar]
    width: float
    height: float
    axis_y: float
    top_label: str  # the largest amount, beside the top of the scale


def currencies(report: DayReport) -> list[str]:
    return sorted({m.currency for moneys in report.takings_per_hour().values() for m in moneys})


def takings_chart(report: DayReport, currency: str, locale: str) -> Chart | None:
    """Every hour from the first to the last one with takings (sales minus the refunds made in
    that hour, so a bar may go below the axis); None when the day has none in `currency`."""
    per_hour = {
        hour: sum(m.minor_units for m in moneys if m.currency == currency)
        for hour, moneys in report.takings_per_hour().items()
        if any(m.currency == currency for m in moneys)
    }
    if not per_hour:
        return None
    hours = range(min(per_hour), max(per_hour) + 1)
    highest = max(0, *per_hour.values())
    lowest = min(0, *per_hour.values())
    span = (highest - lowest) or 1
    axis_y = TOP + PLOT * highest / span
    bars = []
    for index, hour in enumerate(hours):
        minor = per_hour.get(hour, 0)
        height = PLOT * abs(minor) / span
        amount = Money(minor, currency)
        bars.append(
            Bar(
                hour=hour,
                amount=amount,
                label=amount.format(locale),
                x=GAP + index * (BAR + GAP),
                y=axis_y - height if minor >= 0 else axis_y,
                height=max(height, 1.0) if minor else 0.0,
            )
        )
    return Chart(
        currency=currency,
        bars=bars,
        width=GAP + len(bars) * (BAR + GAP),
        height=TOP + PLOT + LABELS,
        axis_y=axis_y,
        top_label=Money(highest, currency).format(locale),
    )
