"""A core is built from feature objects: what they declare is checked when the core is built, and the core
offers exactly the features it was given."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.app import help as help_feature
from bot.app.catalogue import ALL_FEATURES, full_catalogue
from bot.app.core import Lighthouse
from bot.audit import AuditAction
from bot.community.service import CommunityAudit
from bot.digests.service import DigestAudit, DigestJob
from bot.events.reminders import EventJob
from bot.events.service import EventAudit
from bot.feature import Feature
from bot.intros.service import IntroJob, IntroState
from bot.members.roles import RoleAudit
from bot.members.service import AuditLog
from bot.members.views import audit_log
from bot.privacy.erasure import PrivacyAudit
from bot.reply import Reply
from bot.search import commands as search
from storage.models import AuditEntry


async def _answer(ctx):  # noqa: ANN001, ANN202 - never called
    return Reply(text="never")


def feature_declaring(name: str, *, aliases: tuple[str, ...] = (), feature: str = "tests") -> Feature:
    feature = Feature(feature)
    feature.command(name, summary="s", usage=name, aliases=aliases)(_answer)
    return feature


def test_a_command_name_or_alias_declared_twice_fails_the_build(settings):
    with pytest.raises(ValueError, match="'profile' is already the name or alias of 'profile'"):
        Lighthouse(settings, features=(*ALL_FEATURES, feature_declaring("profile")))
    with pytest.raises(ValueError, match="'search' is already the name or alias of 'find'"):
        Lighthouse(settings, features=(*ALL_FEATURES, feature_declaring("lookup", aliases=("search",))))
    with pytest.raises(ValueError, match="'lookup' is already the name or alias of 'lookup'"):
        Lighthouse(settings, features=(feature_declaring("lookup"), feature_declaring("lookup", feature="more tests")))


def test_an_unknown_role_fails_the_build(settings):
    with pytest.raises(ValueError, match="unknown role 'superuser'"):
        secret = Feature("secrets")
        secret.command("secret", summary="s", usage="secret", role="superuser")(_answer)
        Lighthouse(settings, features=(*ALL_FEATURES, secret))


def test_a_job_kind_or_a_feature_listed_twice_fails_the_build(settings):
    again = Feature("reminders again")
    again.job(EventJob.REMINDER)(_answer)
    with pytest.raises(ValueError, match="job kind 'event.reminder'"):
        Lighthouse(settings, features=(*ALL_FEATURES, again))
    with pytest.raises(ValueError, match="listed twice"):
        Lighthouse(settings, features=(*ALL_FEATURES, search.FEATURE))


async def test_a_core_offers_only_the_features_it_is_built_with(settings):
    small = Lighthouse(settings, features=(search.FEATURE, help_feature.FEATURE))
    try:
        assert {c.name for c in small.catalogue.commands.all()} == {"find", "pilots", "experts", "match", "help"}
        assert small.catalogue.commands.lookup("event") is None and small.scheduler.kinds == {}
    finally:
        await small.close()
    full = Lighthouse(settings)
    try:
        assert set(full.scheduler.kinds) == {"intro.expire", "intro.followup", "event.reminder", "digest"}
        assert full.catalogue.commands.lookup("ask") is full.catalogue.commands.lookup("find")
    finally:
        await full.close()


def test_the_stored_words_are_unchanged():
    assert [*IntroJob, *EventJob, *DigestJob] == ["intro.expire", "intro.followup", "event.reminder", "digest"]
    assert list(IntroState) == ["requested", "accepted", "declined", "expired", "met", "not_met", "withdrawn", "taken_back"]


def test_every_audit_action_a_feature_writes_is_worded_by_a_feature():
    written = {*AuditAction, *RoleAudit, *PrivacyAudit, *EventAudit, *DigestAudit, *CommunityAudit}
    assert set(full_catalogue().audit_wording) == written


def test_the_audit_log_words_each_action_as_its_feature_does():
    def entry(action: str, **details: object) -> tuple[AuditEntry, None]:
        return AuditEntry(action=action, details=details, at=datetime(2026, 11, 2, 9, tzinfo=UTC)), None

    entries = [
        entry("role.grant", subject_member_id=7, role="coordinator", previous_role="member"),
        entry("command", command="kpi", arguments="month", platform="slack"),
        entry("member.erased"),
        entry("digest.off", platform="slack", channel_id="C1"),
        entry("event.edit", event_id=3, changed=["title"]),
        entry("event.edit"),  # without its event: listed by its action
        entry("community.kept", question_id=2, answer_id=5),
        entry("something.new", what="else"),
    ]
    reply = audit_log(AuditLog(entries, {7: "Ana (Nordby)"}), full_catalogue().audit_wording)
    text = "\n".join(section.text for section in reply.sections)
    for words in (
        "granted coordinator to Ana (Nordby) (was member)",
        "`kpi month` on slack",
        "a member erased their data",
        "switched off the digest of slack channel C1",
        "edited event #3 (title)",
        "event edit",
        "let answer #5 be kept as knowledge",
        "something new (what else)",
    ):
        assert words in text, words


def test_a_refusal_is_worded_by_the_feature_the_core_is_built_with():
    from bot.events import commands as events
    from bot.events.errors import NoSuchEvent
    from bot.feature import Catalogue

    refused = NoSuchEvent(event_id=3)
    assert Catalogue.of([events.FEATURE]).word(refused) == "There is no event #3.\n`event list` shows upcoming events."
    # Without the feature that words it, a refusal reads as its data (never as another feature's words).
    assert Catalogue.of([search.FEATURE]).word(refused) == "NoSuchEvent(event_id=3)"


def test_every_refusal_a_service_raises_has_its_features_wording():
    from config.errors import WordedError

    def subclasses(kind: type) -> list[type]:
        return [kind, *(sub for direct in kind.__subclasses__() for sub in subclasses(direct))]

    worded = full_catalogue().refusals
    refusals = [kind for kind in subclasses(WordedError)[1:] if kind.__subclasses__() == []]
    unworded = [kind.__name__ for kind in refusals if not any(base in worded for base in kind.__mro__)]
    assert refusals and unworded == [], "a feature's refusals need its Feature(refusals=...)"
