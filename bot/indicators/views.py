"""What `kpi` shows: the headline indicators by group, each with its change against the period before."""

from __future__ import annotations

from datetime import datetime

from bot.indicators.community import COMMUNITY_INDICATORS, CommunityFigures
from bot.indicators.measures import NO_EARLIER_FIGURE, Measure, RollingComparison, format_change
from bot.indicators.service import GROUPS
from bot.reply import Field, Reply, Section


def _day(moment: datetime) -> str:
    return f"{moment.day} {moment:%b %Y}"


def _no_sourced_answers(answers: int) -> str:
    """Why "Answers with a source" is 0: there were no answers, or none of them linked a source."""
    counted = ("An answer is a thread reply to a member of another organisation; it has a source when it "
               "contains a link (only that fact is kept, never the text).")
    if not answers:
        return f"Answers with a source is 0 because no answers were recorded in these days. {counted}"
    return f"Answers with a source is 0: none of the {answers} answers in these days linked a source. {counted}"


def rolling_comparison(figures: RollingComparison) -> Reply:
    days = figures.days
    if figures.empty:
        return Reply(
            text=f"No exchanges or introductions were recorded in the last {days * 2} days.",
            sections=[Section(context="Exchanges are logged as members answer each other across organisations, "
                                      "accept introductions and attend events.")],
            private=True,
        )
    sections = []
    for group, title in GROUPS.items():
        fields = [_measure_field(figures, measure) for measure in figures.current if measure.group == group]
        if fields:
            sections.append(Section(title=title, fields=fields))
    if figures.value("answers_with_source") == 0:
        sections.append(Section(context=_no_sourced_answers(figures.answers)))
    (start, end), (previous_start, previous_end) = figures.window, figures.previous_window
    sections.append(Section(context="Definitions: docs/indicators.md. Each change compares with the "
                                    f"{days} days before ({_day(previous_start)} – {_day(previous_end)})."))
    return _with_no_earlier_note(Reply(
        text=f"Knowledge transfer, last {days} days ({_day(start)} – {_day(end)}).",
        sections=sections,
        private=True,
    ))


_NO_EARLIER_NOTE = (f" “{NO_EARLIER_FIGURE.capitalize()}”: that share, mean or median had nothing to count in "
                    "those days (no exchanges, ratings, answered requests or answers), so there is no change to show.")


def _with_no_earlier_note(reply: Reply) -> Reply:
    """The small print says what "no earlier figure" means, once, when a figure reads so."""
    if not any(NO_EARLIER_FIGURE in f.value for section in reply.sections for f in section.fields):
        return reply
    small_print = next((s for s in reversed(reply.sections) if s.context and s.context.startswith("Definitions")), None)
    if small_print is not None and _NO_EARLIER_NOTE not in (small_print.context or ""):
        small_print.context = (small_print.context or "") + _NO_EARLIER_NOTE
    return reply


def _measure_field(figures: RollingComparison, measure: Measure) -> Field:
    """A measure with its change since the previous window, when there is one to tell."""
    change = format_change(measure.unit, measure.value, figures.previous[measure.key])
    return Field(measure.label, measure.display + (f" ({change})" if change else ""))


def with_community(reply: Reply, figures: CommunityFigures) -> Reply:
    """`kpi`'s section on asking the community (left out while nobody has asked or answered)."""
    if figures.empty:
        return reply
    fields = []
    for indicator in COMMUNITY_INDICATORS:
        change = format_change(indicator.unit, figures.current[indicator.key], figures.previous[indicator.key])
        fields.append(Field(indicator.label, figures.display(indicator.key) + (f" ({change})" if change else "")))
    # After the groups of indicators, before the small print.
    position = next((i for i, section in enumerate(reply.sections) if section.title is None), len(reply.sections))
    reply.sections.insert(position, Section(title="Asking the community", fields=fields))
    return _with_no_earlier_note(reply)
