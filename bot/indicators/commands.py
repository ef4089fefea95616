"""`kpi [week|month|quarter]`: the headline knowledge-transfer indicators, against the period before."""

from __future__ import annotations

from bot.commands import Argument
from bot.context import CommandContext
from bot.feature import Feature
from bot.indicators import measures, views
from bot.indicators.community import rolling_community
from bot.reply import Reply
from config.errors import UserError

FEATURE = Feature("indicators")

_ALIASES = {"week": "week", "weekly": "week", "month": "month", "monthly": "month", "quarter": "quarter",
            "quarterly": "quarter", "w": "week", "m": "month", "q": "quarter"}
PERIODS = ("week", "month", "quarter")
DEFAULT_PERIOD = "week"


@FEATURE.command(
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
    reply = views.rolling_comparison(await measures.rolling_comparison(ctx.core, period))
    return views.with_community(reply, await rolling_community(ctx.core, period))
