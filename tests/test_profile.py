import pytest

from tests.support import Chat


async def test_profile_set_and_show(chat: Chat):
    saved = await chat.say("profile set sector hospital")
    assert saved.tone == "success" and saved.private
    await chat.say("profile set country dk")
    await chat.say("profile set organisation   Nordhavn   Municipality")
    await chat.say("profile set expertise school food, childhood obesity, school food")
    await chat.say("profile set timezone europe/copenhagen")
    shown = await chat.text("profile")
    assert "Sector: Hospital" in shown
    assert "Country: Denmark" in shown
    assert "Organisation: Nordhavn Municipality" in shown
    assert "Expertise: school food, childhood obesity" in shown
    assert "Time zone: Europe/Copenhagen" in shown
    # A value that ends its own sentence gets no second full stop.
    assert (await chat.say("profile set bio I run falls prevention programmes.")).text == (
        "Saved: bio = I run falls prevention programmes."
    )
    assert (await chat.say("profile set sector research")).text == "Saved: sector = Research institution (was Hospital)."


async def test_members_are_separate(chat: Chat):
    await chat.say("profile set country Sweden", as_user="alice")
    assert "Country: —" in await chat.text("profile", as_user="bob")


async def test_invalid_values_list_the_valid_ones(chat: Chat):
    sector = await chat.say("profile set sector bakery")
    assert sector.tone == "error" and "municipality" in sector.text and "patient_organisation" in sector.text
    country = await chat.say("profile set country Atlantis")
    assert country.tone == "error" and "ISO 3166" in country.text
    zone = await chat.say("profile set timezone Mars/Olympus")
    assert zone.tone == "error" and "IANA" in zone.text
    field = await chat.say("profile set shoe size 44")
    assert field.tone == "error" and "organisation" in field.text
    missing = await chat.say("profile set country")
    assert missing.tone == "error"


async def test_clear_a_field(chat: Chat):
    await chat.say("profile set interests equity, literacy")
    await chat.say("profile clear interests")
    assert "Interests: —" in await chat.text("profile")


async def test_organisations_are_shared_by_normalised_name(chat: Chat, core):
    from sqlalchemy import func, select

    from storage.models import Organisation

    await chat.say("profile set organisation Helix Analytics", as_user="alice")
    await chat.say("profile set organisation helix  analytics", as_user="bob")
    async with core.db.session() as session:
        assert (await session.execute(select(func.count(Organisation.id)))).scalar() == 1


async def test_profile_set_answers_with_only_what_changed(chat: Chat):
    first = await chat.say("profile set country Danmark")
    assert first.tone == "success" and first.text == "Saved: country = Denmark (DK)."
    assert "Sector" not in first.plain_text() and "Expertise" not in first.plain_text()
    moved = await chat.say("profile set country sverige")
    assert moved.text == "Saved: country = Sweden (SE) (was Denmark (DK))."
    same = await chat.say("profile set country SE")
    assert same.tone != "error" and "already Sweden (SE); nothing changed" in same.text
    cleared = await chat.say("profile clear country")
    assert cleared.text == "Saved: country cleared (was Sweden (SE))."
    expertise = await chat.say("profile set expertise school food, obesity")
    assert expertise.text == "Saved: expertise = school food, obesity."


async def test_countries_in_their_own_language_and_time_zones_by_city(chat: Chat):
    for typed, code in (("Danmark", "DK"), ("Sverige", "SE"), ("Deutschland", "DE"), ("Norge", "NO"),
                        ("Suomi", "FI"), ("Kenya", "KE"), ("dnk", "DK")):
        assert f"({code})" in (await chat.say(f"profile set country {typed}")).text, typed
    assert "Europe/Copenhagen" in (await chat.say("profile set timezone Copenhagen")).text
    assert "America/New_York" in (await chat.say("profile set timezone new york")).text
    near = await chat.say("profile set country Denmrak")
    assert near.tone == "error" and "Did you mean Denmark?" in near.plain_text()
    zone = await chat.say("profile set timezone Copenhagn")
    assert zone.tone == "error" and "Did you mean Europe/Copenhagen?" in zone.plain_text()
    nothing = await chat.say("profile set timezone Mars/Olympus")
    assert nothing.tone == "error" and "Did you mean" not in nothing.plain_text()


async def test_a_sector_and_country_left_empty_show_as_the_organisations_which_others_see(chat: Chat, core):
    from storage.lookups import get_or_create_organisation

    async with core.db.session() as session, session.begin():  # as the knowledge folder's organisations list has it
        await get_or_create_organisation(session, "Nordhavn Municipality", sector="municipality", country="DK")
    await chat.say("profile set organisation Nordhavn Municipality")
    shown = await chat.text("profile")
    assert "Sector: Municipality (from your organisation)" in shown
    assert "Country: Denmark (from your organisation)" in shown
    await chat.say("profile set country Sweden")
    assert "Country: Sweden" in await chat.text("profile") and "Sweden (from" not in await chat.text("profile")


async def test_an_organisation_name_a_typo_away_from_one_that_exists_asks_which_is_meant(chat: Chat, core):
    from sqlalchemy import func, select

    from storage.models import Organisation

    await chat.say("profile set organisation Nordhavn Municipality", as_user="alice")
    asked = await chat.say("profile set organisation Nordhavn Municipalty", as_user="bob")
    assert "There is no organisation “Nordhavn Municipalty” yet. Did you mean:" in asked.text
    existing, new = asked.sections
    assert existing.buttons[0].command == "profile set organisation Nordhavn Municipality"
    assert new.buttons[0].command == "profile set organisation --new Nordhavn Municipalty"
    async with core.db.session() as session:
        assert await session.scalar(select(func.count(Organisation.id))) == 1  # nothing saved yet
    assert "Organisation: —" in await chat.text("profile", as_user="bob")
    assert (await chat.say(new.buttons[0].command, as_user="bob")).text == "Saved: organisation = Nordhavn Municipalty."
    assert (await chat.say("profile set organisation nordhavn municipality", as_user="carol")).tone == "success"


@pytest.mark.parametrize(
    "command",
    [
        "profile set organisation Quokka Institut --new",
        "profile set organisation Quokka --new Institut",
        "profile set organisation --new Quokka Institut --NEW",
    ],
)
async def test_the_new_organisation_flag_is_recognised_anywhere_and_never_kept_in_the_name(chat: Chat, core, command):
    from sqlalchemy import select

    from storage.models import Organisation

    await chat.say("profile set organisation Quokka Institute", as_user="alice")
    assert (await chat.say(command, as_user="bob")).text == "Saved: organisation = Quokka Institut."
    async with core.db.session() as session:
        names = (await session.execute(select(Organisation.name).order_by(Organisation.id))).scalars().all()
    assert names == ["Quokka Institute", "Quokka Institut"]
