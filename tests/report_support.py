"""A small, varied community history (seeded, so every run is the same) for report tests."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from bot.indicators.service import Dataset, ExchangeRecord, IntroductionRecord, Side

ORGANISATIONS = [
    Side("Nordhavn Municipality", "municipality", "DK"),
    Side("Vestfjord Hospital", "hospital", "NO"),
    Side("Sund University", "research", "SE"),
    Side("Kilo Apps", "digital_developer", "DK"),
    Side("Region Skåne Health", "region", "SE"),
    Side("Helsinki Food Lab", "sme", "FI"),
    Side("Patients <Together> & Co", "patient_organisation", "NO"),
    Side("GlobalPharma", "large_company", "DE"),
    Side("Aarhus Kommune", "municipality", "DK"),
    Side("Tartu Clinic", "hospital", "EE"),
]
KINDS = ["thread_reply", "question_answered", "intro_accepted", "meeting_confirmed", "event_attended"]
START = datetime(2026, 9, 1, tzinfo=UTC)


def community(weeks: int = 12, seed: int = 7) -> Dataset:
    rng = random.Random(seed)
    exchanges, introductions = [], []
    for day in range(weeks * 7):
        moment = START + timedelta(days=day, hours=9)
        for _ in range(rng.randint(0, 4)):
            a, b = rng.sample(ORGANISATIONS, 2)
            if rng.random() < 0.1:
                b = Side(None, None, "DK")  # someone without a profile
            exchanges.append(ExchangeRecord(rng.choice(KINDS), moment + timedelta(minutes=rng.randint(0, 600)), a, b,
                                            with_source=rng.random() < 0.5))
        if rng.random() < 0.4:
            a, b = rng.sample(ORGANISATIONS, 2)
            outcome = rng.random()
            accepted = moment + timedelta(hours=rng.randint(1, 90)) if outcome < 0.6 else None
            introductions.append(
                IntroductionRecord(
                    requested_at=moment,
                    requester=a,
                    target=b,
                    accepted_at=accepted,
                    declined_at=moment + timedelta(days=1) if 0.6 <= outcome < 0.8 else None,
                    expired_at=moment + timedelta(days=7) if outcome >= 0.8 else None,
                    met_at=accepted + timedelta(days=5) if accepted and rng.random() < 0.7 else None,
                    ratings=tuple(rng.randint(2, 5) for _ in range(rng.randint(0, 2))) if accepted else (),
                )
            )
    return Dataset(exchanges, introductions)
