"""The progress page's trend chart, laid out in Python and drawn as inline SVG by the template:
x = sessions in date order, y = level 1-4, one line per rubric step."""

from dataclasses import dataclass, field

from django.utils import timezone

from .selectors.progress import Progress

WIDTH, HEIGHT = 720, 280
LEFT, RIGHT, TOP, BOTTOM = 44, 36, 16, 40
PALETTE = ["#1971c2", "#2f9e44", "#e8590c", "#9c36b5", "#c2255c", "#0c8599", "#5c940d", "#495057"]
SPREAD = 3  # px between lines that sit on the same level, so that none hides another


@dataclass
class ChartPoint:
    x: float
    y: float
    title: str


@dataclass
class ChartSeries:
    key: str
    label: str
    colour: str
    weakest: bool
    points: list[ChartPoint] = field(default_factory=list)

    @property
    def polyline(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.points)


@dataclass
class TrendChart:
    width: int
    height: int
    plot_left: int
    plot_right: int
    levels: list[tuple[int, float, str]]  # level, y, its name
    sessions: list[tuple[float, str]]  # x, date label
    series: list[ChartSeries]
    description: str


def _day(value) -> str:
    return f"{value.day} {value:%b}"


def _x(index: int, count: int) -> float:
    if count == 1:
        return LEFT + (WIDTH - LEFT - RIGHT) / 2
    return LEFT + index * (WIDTH - LEFT - RIGHT) / (count - 1)


def _y(level: float) -> float:
    return TOP + (4 - level) * (HEIGHT - TOP - BOTTOM) / 3


def trend_chart(progress: Progress, *, level_names: dict[int, str]) -> TrendChart | None:
    """None when there is nothing to draw (no submitted session yet)."""
    count = len(progress.sessions)
    if count == 0:
        return None
    dates = [_day(timezone.localtime(s.scheduled_at)) for s in progress.sessions]
    series = []
    middle = (len(progress.steps) - 1) / 2
    for index, step in enumerate(progress.steps):
        line = ChartSeries(
            key=step.key,
            label=f"{step.number}. {step.title}",
            colour=PALETTE[index % len(PALETTE)],
            weakest=step.weakest,
        )
        offset = (index - middle) * SPREAD
        for position, level in enumerate(step.levels):
            if level is None:
                continue
            title = f"{step.number}. {step.title}: level {level} ({level_names.get(level, level)}) on {dates[position]}"
            title += f", {progress.sessions[position].problem}"
            line.points.append(ChartPoint(_x(position, count), _y(level) + offset, title))
        series.append(line)
    latest = ", ".join(
        f"{step.title} {step.levels[-1]}" for step in progress.steps if step.levels and step.levels[-1] is not None
    )
    description = f"Levels per step over {count} session{'s' if count != 1 else ''}. Latest: {latest}."
    return TrendChart(
        width=WIDTH,
        height=HEIGHT,
        plot_left=LEFT,
        plot_right=WIDTH - RIGHT,
        levels=[(level, _y(level), level_names.get(level, str(level))) for level in (4, 3, 2, 1)],
        sessions=[(_x(i, count), dates[i]) for i in range(count)],
        series=series,
        description=description,
    )
