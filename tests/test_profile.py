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
