"""PNG charts of trends and of who spoke most, drawn with matplotlib's Agg backend.

Each chart is a `Figure` of its own with an Agg canvas, never pyplot's global figure
manager, so drawing in worker threads (asyncio.to_thread) is safe and nothing outlives
the call: the figure is cleared in ``finally`` and dropped. Callers on the event loop
must run these in a thread; they take about a tenth of a second.
"""

from __future__ import annotations

import io
import textwrap

import matplotlib

matplotlib.use("Agg")  # no display, whatever the environment says

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter, date2num
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from commands.trend import TrendReply
from commands.who import WhoReply

CREDIT = "Contains Parliamentary information licensed under the Open Parliament Licence v3.0"
SIZE_INCHES = (10.0, 5.6)
DPI = 110
TITLE_WIDTH = 90
_MARKERS = "osD^v<>ph*"


def _png(figure: Figure) -> bytes:
    try:
        FigureCanvasAgg(figure)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=DPI)
        return buffer.getvalue()
    finally:
        figure.clear()


def _figure(title: str) -> Figure:
    figure = Figure(figsize=SIZE_INCHES, layout="constrained")
    # A strip at the bottom for the credit, clear of the axis label.
    figure.get_layout_engine().set(rect=(0, 0.035, 1, 0.965))  # type: ignore[call-arg, union-attr]
    figure.suptitle("\n".join(textwrap.wrap(title, TITLE_WIDTH)[:3]), fontsize=12)
    figure.text(0.99, 0.008, CREDIT, ha="right", va="bottom", fontsize=7, color="0.4")
    return figure


def trend_title(reply: TrendReply) -> str:
    how = "per 1,000 contributions" if reply.per_thousand else "contributions"
    by = f", by {reply.split.value}" if reply.split else ""
    scope = f" ({', '.join(reply.filters)})" if reply.filters else ""
    return f"Hansard {how} mentioning {', '.join(reply.terms)}{by}{scope}"


def trend_png(reply: TrendReply) -> bytes:
    """The series as lines over the sitting periods, with a legend, labelled axes and the credit."""
    figure = _figure(trend_title(reply))
    axes = figure.add_subplot()
    dates = [date2num(day) for day in reply.period_dates()]  # type: ignore[no-untyped-call]
    for index, series in enumerate(reply.series):
        axes.plot(
            dates,
            series.values,
            marker=_MARKERS[index % len(_MARKERS)],
            markersize=4,
            linewidth=1.6,
            label=textwrap.shorten(series.label, 60),
        )
    locator = AutoDateLocator()  # type: ignore[no-untyped-call]
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]
    axes.set_xlabel(f"Sitting {reply.granularity.value}")
    axes.set_ylabel("Per 1,000 contributions" if reply.per_thousand else "Contributions containing the term")
    axes.set_ylim(bottom=0)
    if not reply.per_thousand:
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.grid(True, alpha=0.3)
    if reply.series:
        axes.legend(loc="upper left", fontsize=8, ncols=2 if len(reply.series) > 6 else 1)
    return _png(figure)


def who_png(reply: WhoReply, top: int = 10) -> bytes:
    """The Members who spoke most about the topic, as horizontal bars, most at the top."""
    speakers = reply.speakers[:top]
    figure = _figure(
        f"Who spoke most about {reply.topic}" + (f" ({', '.join(reply.filters)})" if reply.filters else "")
    )
    axes = figure.add_subplot()
    labels = [f"{s.name} ({s.party})" if s.party else s.name for s in speakers]
    axes.barh(list(range(len(speakers))), [s.count for s in speakers], color="#006e46")
    axes.set_yticks(list(range(len(speakers))), [textwrap.shorten(label, 45) for label in labels], fontsize=8)
    axes.invert_yaxis()
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_xlabel("Contributions mentioning the topic")
    axes.grid(True, axis="x", alpha=0.3)
    return _png(figure)
