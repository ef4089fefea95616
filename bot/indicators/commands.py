"""`kpi [week|month|quarter]`: the headline knowledge-transfer indicators, against the period before."""

from __future__ import annotations

from bot.commands import Argument, command
from bot.context import CommandContext
from bot.indicators import service as indicators
from bot.reply import Field, Reply, Section
from config.errors import UserError

_ALIASES = {"week": "week", "weekly": "week", "month": "month", "monthly": "month", "quarter": "quarter",
            "quarterly": "quarter", "w": "week", "m": "month", "q": "quarter"}
PERIODS = ("week", "month", "quarter")
DEFAULT_PERIOD = "week"


def _day(moment) -> str:  # noqa: ANN001 - a datetime
    return f"{moment.day} {moment:%b %Y}"


def _no_sourced_answers(answers: int) -> str:
    """Why "Answers with a source" is 0: there were no answers, or none of them linked a source."""
    counted = ("An answer is a thread reply to a member of another organisation; it has a source when it "
               "contains a link (only that fact is kept, never the text).")
    if not answers:
        return f"Answers with a source is 0 because no answers were recorded in these days. {counted}"
    return f"Answers with a source is 0: none of the {answers} answers in these days linked a source. {counted}"


@command(
    "kpi",
    summary="Headline knowledge-transfer indicators, with the change against the period before",
    usage="kpi [week|month|quarter]",
    help=(
        "The partnership's headline indicators for the last 7, 30 or 91 days, each with its change against "
        "the same number of days before. Shares change in percentage points (pts). "
        "For calendar periods, breakdowns by country and sector and charts, run the report: "
        "`python main.py report --from 2026-01-01 --to 2026-03-31 --out report/`."
    ),
    examples=("kpi", "kpi month", "kpi quarter"),
    role="coordinator",
    arguments=(Argument("period", "The period to report", choices=PERIODS, default=DEFAULT_PERIOD),),
)
async def kpi(ctx: CommandContext) -> Reply:
    raw = ctx.args[0].lower() if ctx.args else DEFAULT_PERIOD
    period = _ALIASES.get(raw)
    if period is None or len(ctx.args) > 1:
        raise UserError(
            f"“{ctx.args_text[:30]}” is not a period I know.", hint="Use `kpi week`, `kpi month` or `kpi quarter`."
        )
    (start, end), (previous_start, previous_end) = indicators.rolling_windows(ctx.now(), period)
    async with ctx.db.session() as session:
        data = await indicators.load_dataset(session, end)
    keys = (*indicators.HEADLINE_KEYS, "answers")
    values = indicators.compute(data, start, end, keys)
    current = indicators.measures({key: values[key] for key in indicators.HEADLINE_KEYS})
    previous = indicators.compute(data, previous_start, previous_end, indicators.HEADLINE_KEYS)
    sections = []
    for group, title in indicators.GROUPS.items():
        fields = []
        for measure in (m for m in current if m.group == group):
            change = indicators.format_change(measure.unit, measure.value, previous[measure.key])
            fields.append(Field(measure.label, measure.display + (f" ({change})" if change else "")))
        if fields:
            sections.append(Section(title=title, fields=fields))
    days = indicators.ROLLING_DAYS[period]
    if all(m.value in (0, None) for m in current) and all(v in (0, None) for v in previous.values()):
        return Reply(
            text=f"No exchanges or introductions were recorded in the last {days * 2} days.",
            sections=[Section(context="Exchanges are logged as members answer each other across organisations, "
                                      "accept introductions and attend events.")],
            private=True,
        )
    if values["answers_with_source"] == 0:
        sections.append(Section(context=_no_sourced_answers(values["answers"])))
    sections.append(Section(context="Definitions: docs/indicators.md. Each change compares with the "
                                    f"{days} days before ({_day(previous_start)} – {_day(previous_end)})."))
    return Reply(
        text=f"Knowledge transfer, last {days} days ({_day(start)} – {_day(end)}).",
        sections=sections,
        private=True,
    )
