"""The layers, as the code's imports show them (every import counts, also those made only for type checking).

    main.py
    adapters/            console, Slack, Discord: platform events in, rendered replies out
    bot/app/             the composition root (Lighthouse), the router, the catalogue of features, help
    bot/<feature>/       search, members, intros, events, digests, indicators, privacy
    bot/                 the kernel every feature builds on: message, reply, context, feature, command registry,
                         runtime (database, clock, scheduler, transports), paging
    knowledge/           the knowledge base: ingest, embeddings, search
    storage/             SQLAlchemy models, the database, shared look-ups
    config/              settings, the shared vocabulary (sectors, themes, countries), domain errors

A module imports only from its own layer or the layers below. Inside a feature, `service.py` and the other
domain modules return data; only the presentation modules (`commands.py`, `views.py`, and the few named in
PRESENTATION) build chat replies or read a command's context. Packages import each other without cycles.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections import defaultdict
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE_PACKAGES = ("adapters", "bot", "knowledge", "storage", "config")
PLATFORM_SDKS = ("slack_bolt", "slack_sdk", "discord", "aiohttp")
FEATURES = ("search", "members", "intros", "events", "digests", "indicators", "privacy", "community")
# Modules of a feature that talk to members (parse what they typed, build replies, word the messages a service
# sends on its own, render a report).
PRESENTATION = ("commands", "views", "notices", "form", "input", "report", "charts")
# What presentation means in the kernel: a domain module importing any of these builds chat text itself.
CHAT_MODULES = ("bot.reply", "bot.context", "bot.commands", "bot.tables")
LAYERS = ("config", "storage", "knowledge", "bot", "bot.<feature>", "bot.app", "adapters", "main")


@cache
def modules() -> dict[str, Path]:
    found = {"main": ROOT / "main.py"}
    for package in SOURCE_PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            found[name.removesuffix(".__init__")] = path
    return found


def package_of(module: str) -> str:
    path = modules()[module]
    return module if path.name == "__init__.py" else module.rpartition(".")[0] or module


def imports_of(module: str) -> set[str]:
    """Every module of the project that `module` imports, at the top, in a function, or for type checking."""
    path = modules()[module]
    package = package_of(module)
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            candidates = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, *([node.module] if node.module else [])])
            candidates = [base, *(f"{base}.{alias.name}" for alias in node.names)]
        else:
            continue
        for candidate in candidates:
            # `import a.b.c` depends on the deepest project module named
            while candidate and candidate not in modules():
                candidate = candidate.rpartition(".")[0]
            if candidate and candidate != module:
                found.add(candidate)
    return found


def external_imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def layer_of(module: str) -> int:
    parts = module.split(".")
    if parts[0] != "bot":
        return LAYERS.index(parts[0])
    if len(parts) > 1 and parts[1] == "app":
        return LAYERS.index("bot.app")
    if len(parts) > 1 and parts[1] in FEATURES:
        return LAYERS.index("bot.<feature>")
    return LAYERS.index("bot")


def feature_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "bot" and len(parts) > 2 and parts[1] in FEATURES else None


def is_presentation(module: str) -> bool:
    return feature_of(module) is not None and module.split(".")[2] in PRESENTATION


def test_every_feature_package_is_known_here():
    on_disk = {p.name for p in (ROOT / "bot").iterdir() if (p / "__init__.py").exists()} - {"app"}
    assert on_disk == set(FEATURES), "a new feature package belongs in FEATURES (and in bot/app/catalogue.py)"


def test_no_import_points_up():
    upward = [
        f"{module} -> {target}"
        for module in modules()
        for target in imports_of(module)
        if layer_of(target) > layer_of(module)
    ]
    assert upward == []


def test_domain_modules_build_no_chat_replies():
    """A domain module may name the Reply its notices return (for type checking only) but builds none."""
    offenders = []
    for module, path in modules().items():
        if feature_of(module) is None or is_presentation(module) or module.endswith("__init__"):
            continue
        if constructed_names(path) & set(REPLY_PARTS):
            offenders.append(f"{module} builds {', '.join(sorted(constructed_names(path) & set(REPLY_PARTS)))}")
        for target in imports_of(module):
            if target == "bot.reply" and not reply_imported_at_run_time(module):
                continue
            if target in CHAT_MODULES or is_presentation(target) or target.startswith("bot.app"):
                offenders.append(f"{module} -> {target}")
    assert offenders == []


def reply_imported_at_run_time(module: str) -> bool:
    """Whether `module` imports bot.reply other than under `if TYPE_CHECKING:`."""
    tree = ast.parse(modules()[module].read_text(encoding="utf-8"))
    guarded = {
        id(statement)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING"
        for statement in node.body
    }
    return any(
        (isinstance(node, ast.ImportFrom) and node.module == "bot.reply" and id(node) not in guarded)
        or (isinstance(node, ast.Import) and any(alias.name == "bot.reply" for alias in node.names))
        for node in ast.walk(tree)
    )


REPLY_PARTS = ("Reply", "Section", "Field", "Button", "Link", "Form", "FormField", "Attachment")


def constructed_names(path: Path) -> set[str]:
    """The names called in a module, as `Name(...)` or `module.Name(...)`."""
    called = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            if isinstance(node.func, ast.Name):
                called.add(node.func.id)
            elif isinstance(node.func, ast.Attribute):
                called.add(node.func.attr)
    return called


def test_commands_reply_through_their_views():
    """A feature's commands parse and call their service; the wording of every answer is in its views."""
    offenders = [
        f"{module}: {', '.join(sorted(constructed_names(path) & set(REPLY_PARTS)))}"
        for module, path in modules().items()
        if feature_of(module) and module.endswith(".commands") and constructed_names(path) & set(REPLY_PARTS)
    ]
    assert offenders == []


# Domain modules that still word their own refusals (UserError with chat text), each to raise data instead.
STILL_WORDING_REFUSALS = {
    "bot.search.query": "filters typed wrongly (parsing what the member typed)",
    "bot.digests.schedule": "a schedule typed wrongly (parsing what the member typed)",
    "bot.events.fields": "event fields typed wrongly (parsing what the member typed)",
    "bot.members.profile": "profile values typed wrongly (parsing what the member typed)",
    "bot.members.roles": "granting or revoking a role that cannot change",
}


def test_domain_modules_raise_refusals_as_data():
    """A service raises a `WordedError` carrying data; its feature's views word it (message and hint)."""
    wording = {
        module
        for module, path in modules().items()
        if feature_of(module) and not is_presentation(module) and "UserError" in constructed_names(path)
    }
    assert wording - set(STILL_WORDING_REFUSALS) == set(), "raise a WordedError of the feature's errors module"
    assert set(STILL_WORDING_REFUSALS) - wording == set(), "done: remove it from STILL_WORDING_REFUSALS"


def test_commands_leave_the_database_to_their_service():
    """A feature's commands parse, call their service and present; the service owns sessions and queries."""
    offenders = []
    for module, path in modules().items():
        if feature_of(module) and module.endswith(".commands"):
            imported = external_imports(path) | imports_of(module)
            if ".session()" in path.read_text(encoding="utf-8") or {"sqlalchemy", "storage.database"} & imported:
                offenders.append(module)
    assert offenders == []


def test_no_cycle_between_packages():
    graph: dict[str, set[str]] = defaultdict(set)
    for module in modules():
        for target in imports_of(module):
            source, sink = package_of(module), package_of(target)
            if source != sink:
                graph[source].add(sink)
    cycles = strongly_connected(graph)
    assert cycles == []


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm; returns every group of two or more packages that reach each other."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                group.append(top)
                if top == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def imports_between(source: str, targets: tuple[str, ...]) -> list[str]:
    """Every import from a module of the top-level package `source` of a module of one of `targets`."""
    return [
        f"{module} -> {target}"
        for module in modules()
        if module.split(".")[0] == source
        for target in imports_of(module)
        if target.split(".")[0] in targets
    ]


def test_adapters_reach_the_database_only_through_the_core():
    assert imports_between("adapters", ("storage",)) == []


def test_the_knowledge_base_knows_nothing_of_the_bot():
    assert imports_between("knowledge", ("bot", "adapters")) == []


def test_core_source_imports_no_adapter_or_platform_sdk():
    offenders = []
    for module, path in modules().items():
        if module.split(".")[0] in ("bot", "storage", "knowledge", "config"):
            for name in external_imports(path):
                if name.split(".")[0] in ("adapters", *PLATFORM_SDKS):
                    offenders.append(f"{module}: {name}")
    assert offenders == []


def test_the_checks_see_the_imports():
    # The rules above pass trivially if the graph is empty: make sure it is the real one.
    assert "bot.app.catalogue" in imports_of("bot.app.core")
    assert "storage.database" in imports_of("bot.runtime")
    assert layer_of("adapters.slack.app") > layer_of("bot.app.core") > layer_of("bot.search.commands")
    assert layer_of("bot.search.commands") > layer_of("bot.reply") > layer_of("knowledge.service")
    assert strongly_connected({"a": {"b"}, "b": {"a", "c"}, "c": set()}) == [["a", "b"]]


def test_importing_the_core_loads_no_platform_sdk():
    code = (
        "import sys, bot.app.core, bot.app.catalogue; bot.app.catalogue.full_catalogue();"
        "bad=[m for m in sys.modules if m.split('.')[0] in %r]; print(bad); sys.exit(1 if bad else 0)"
        % (("adapters", *PLATFORM_SDKS),)
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


# Every import from one feature's module of another feature's module, and why. A new one is a design decision:
# add it here with its reason (or move what both need into the kernel, as `bot.sanitize.safe_text` was).
ALLOWED_FEATURE_IMPORTS = {
    ("bot.intros.service", "bot.indicators.exchanges"): "an accepted introduction is an exchange",
    ("bot.intros.outcomes", "bot.indicators.exchanges"): "a meeting reported is an exchange",
    ("bot.intros.commands", "bot.members.views"): "`intro @name` asks which member, as `role` does, when names clash",
    ("bot.digests.content", "bot.events.service"): "a digest lists the upcoming events",
    ("bot.digests.views", "bot.events.views"): "a digest shows each event as `event list` does",
    ("bot.digests.headline", "bot.indicators.measures"): "a digest shows the period's headline indicators",
    ("bot.digests.content", "bot.indicators.community"): "a digest shows the period's community figures",
    ("bot.digests.content", "bot.community.service"): "a digest lists the open questions to the community",
    ("bot.events.attendance", "bot.indicators.exchanges"): "a recorded attendance is an exchange",
    ("bot.privacy.consent", "bot.indicators.exchanges"): "logging switched off unlinks the member from past exchanges",
    ("bot.privacy.erasure", "bot.indicators.exchanges"): "erasure keeps the snapshot of sides that exchanges count",
    ("bot.privacy.service", "bot.community.member_data"): "what is held about a member counts their community posts",
    ("bot.privacy.export", "bot.community.member_data"): "the export includes a member's questions and answers",
    ("bot.privacy.erasure", "bot.community.member_data"): "erasure covers a member's questions and answers",
    ("bot.privacy.erasure", "bot.intros.leaving"): "erasure withdraws a member's open introduction requests",
    ("bot.privacy.export", "bot.intros.service"): "the export shows a declined request as its requester sees it",
    ("bot.community.service", "bot.indicators.exchanges"): "an answer across organisations is an exchange",
    ("bot.community.asking", "bot.indicators.exchanges"): "a question keeps the asker's organisation, sector and country",
    ("bot.community.service", "bot.indicators.exchange_log"): "a link in an answer counts as a cited source",
    ("bot.search.views", "bot.intros.service"): "an Introduce me button's reason stays within what a request accepts",
}


def test_features_import_each_other_only_as_listed():
    found = {
        (module, target)
        for module in modules()
        if feature_of(module)
        for target in imports_of(module)
        if feature_of(target) and feature_of(target) != feature_of(module)
    }
    unlisted = sorted(found - set(ALLOWED_FEATURE_IMPORTS))
    assert unlisted == [], "list (and justify) the new import in ALLOWED_FEATURE_IMPORTS"
    assert set(ALLOWED_FEATURE_IMPORTS) - found == set(), "an import no longer made: remove it from the list"


MAX_MODULE_LINES = 450


def test_no_module_of_the_bot_is_over_450_lines():
    """A longer module does more than one job: split it by concern."""
    long = {
        module: lines
        for module, path in modules().items()
        if module.startswith("bot") and (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert long == {}
