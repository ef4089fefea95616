"""Write a small BEIR-format development set from a knowledge folder (by default the demo knowledge base).

    python bench/make_demo_beir.py [KNOWLEDGE_DIR] [OUT_DIR]     (defaults: data/demo, bench/data/demo-beir)

corpus.jsonl: every document, as title + its text (Markdown body or summary). The front-matter fields
`tags` (pilots) and `expertise` (experts) are left out of the corpus on purpose, because two of the three
query sets are made from them.

queries.jsonl and qrels/test.tsv hold three sets, told apart by the query id prefix:
- `hand-…`: 44 questions written by hand in everyday words, each judged against the document titles and
  summaries: grade 2 for the document that answers it, grade 1 for a closely related one.
- `tags-…`: one query per pilot, its own `tags` list joined by commas; relevant: that pilot.
- `expertise-…`: one query per expert profile, its own `expertise` list; relevant: that profile.
The derived sets are keyword lists rather than questions; they test recall of a document from words
that are not in its text. None of the queries was changed after seeing results.

It also writes OUT_DIR/../demo-multilingual: the same corpus, and the 44 hand-written questions in English
and in the translations of bench/data/hand-questions-translated.jsonl (Danish, Swedish, German,
Norwegian Bokmål, Dutch, French, Spanish, Kiswahili; translated by hand from the English, before any
result was seen), ids `LANG-hand-NN`, with the English questions' relevance judgements.

And OUT_DIR/../demo-real-use: bench/data/real-use.jsonl (questions as members type them, nine languages,
one word to a paragraph; see bench/data/README.md) over the corpus as ingest indexes it (an Overview
passage with each document's facts first), with each document's kind, themes, countries and sectors; and
OUT_DIR/../demo-kb-questions the same way from bench/data/kb-questions.jsonl (one question per pilot,
written from its text).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from knowledge.chunking import OVERVIEW_HEADING, facts_text  # noqa: E402
from knowledge.sources import read_file, source_files  # noqa: E402

HAND_WRITTEN: list[tuple[str, dict[str, int]]] = [
    ("how can school canteens cut sugary drinks and fried snacks",
     {"pilot-deccan-millet-canteens": 2, "report-school-food-synthesis": 1, "pilot-nordhavn-school-meals": 1}),
    ("free hot lunch for all primary school pupils",
     {"pilot-nordhavn-school-meals": 2, "report-school-food-synthesis": 1, "tool-school-meal-tender-template": 1}),
    ("writing nutrition criteria into a school food tender",
     {"tool-school-meal-tender-template": 2, "pilot-nordhavn-school-meals": 1}),
    ("loneliness among older people", {"pilot-hikari-neighbourhood-salons": 2}),
    ("students at vocational schools feeling isolated, peer support", {"pilot-headroom-peer-ambassadors": 2}),
    ("online therapy programme for anxious upper secondary students",
     {"pilot-kronvik-online-cbt-students": 2, "eval-kronvik-online-cbt-students": 2}),
    ("anonymous chat counselling for young people",
     {"pilot-vestkyst-youth-chat": 2, "report-youth-digital-mental-health-landscape": 1}),
    ("psychiatry via video for teenagers in remote areas",
     {"pilot-midtfjord-youth-telepsychiatry": 2, "report-youth-digital-mental-health-landscape": 1}),
    ("depression in pregnant women and new mothers in Kenya", {"pilot-mavuno-perinatal-depression": 2}),
    ("screening for high blood pressure and overweight in villages",
     {"pilot-mavuno-community-screening": 2, "eval-mavuno-community-screening": 2}),
    ("remote monitoring of COPD patients at home after hospital",
     {"pilot-kastanje-copd-home-monitoring": 2, "eval-kastanje-copd-home-monitoring": 2}),
    ("robots that dispense medicines in home care", {"pilot-lindholm-medication-robots": 2}),
    ("using drones to fly lab samples", {"pilot-midtfjord-drone-lab-samples": 2}),
    ("interpreters for patients who don't speak the language", {"pilot-vestkyst-video-interpreting": 2}),
    ("letters that parents can understand, plain language",
     {"pilot-eastmere-plain-language-letters": 2, "tool-plain-language-word-bank": 2, "report-health-literacy-front-desk": 1}),
    ("checking that citizens understood instructions", {"pilot-lindholm-teach-back": 2, "tool-teach-back-pocket-card": 2}),
    ("picture-based medication plans for people who cannot read well",
     {"pilot-samen-sterk-pictogram-medication": 2, "tool-pictogram-medication-set": 2}),
    ("how to buy innovative health technology as a public body",
     {"report-buying-innovation-procurement": 2, "pilot-vestkyst-ai-triage-partnership": 1}),
    ("AI to sort incoming hospital referrals", {"pilot-vestkyst-ai-triage-partnership": 2}),
    ("synthetic health data so small companies can test products",
     {"pilot-nordic-health-data-sandbox": 2, "tool-synthetic-data-starter-pack": 2}),
    ("testing health tech products in nursing homes", {"pilot-jarvenkyla-nursing-home-living-lab": 2}),
    ("avoid stigmatising words when talking about weight", {"report-weight-stigma-language": 2}),
    ("who benefits from our pilot, measuring equity", {"report-equity-indicators-pilots": 2, "tool-equity-impact-checklist": 2}),
    ("weight loss drugs combined with lifestyle coaching", {"pilot-rheinau-medication-lifestyle-support": 2}),
    ("app-based weight programme through GPs", {"pilot-saltsjo-digital-weight-primary-care": 2}),
    ("rearranging supermarket shelves so healthier food sells", {"pilot-nordhavn-supermarket-nudging": 2}),
    ("healthier menus at fast food shops", {"pilot-eastmere-healthier-takeaways": 2}),
    ("health checks for night shift workers", {"pilot-eastmere-mobile-health-van": 2, "pilot-jarvenkyla-shift-work-stress": 1}),
    ("burnout and stress among care workers on shifts", {"pilot-jarvenkyla-shift-work-stress": 2}),
    ("including more ethnic minority participants in clinical trials", {"pilot-corvane-diverse-clinical-trials": 2}),
    ("getting rural patients to hospital appointments by car", {"pilot-kestrel-community-transport": 2}),
    ("health information in an indigenous language", {"pilot-midtfjord-sami-health-information": 2}),
    ("involving young people in designing services", {"tool-youth-codesign-kit": 2}),
    ("children with severe obesity treated together with their families", {"pilot-kastanje-family-obesity-clinic": 2}),
    ("more physical activity during the school day", {"pilot-kronvik-active-school-day": 2}),
    ("cooking together with parents and kids", {"pilot-jarvenkyla-family-cooking-clubs": 2}),
    ("refugees mental health support", {"pilot-amstel-refugee-psychosocial-support": 2}),
    ("children arriving at the emergency department in mental health crisis", {"pilot-staldric-ed-mental-health-navigators": 2}),
    ("wearables to prevent diabetes at work", {"pilot-meridian-workplace-diabetes-prevention": 2}),
    ("a drop-in health point in a social housing estate", {"pilot-fjordhus-health-kiosk": 2}),
    ("mobile phone checklists for community health volunteers", {"pilot-deccan-digital-job-aids": 2}),
    ("health literacy questions during nurse visits in primary care", {"pilot-ilmari-health-literacy-screening": 2}),
    ("exposure therapy with VR headsets", {"pilot-rheinau-vr-social-anxiety": 2}),
    ("digital mental health options for young people across countries", {"report-youth-digital-mental-health-landscape": 2}),
]


def main(source: Path, out: Path) -> None:
    documents = []
    for file in source_files(source):
        content = read_file(file, file.relative_to(source).as_posix())
        if content.errors:
            raise SystemExit("; ".join(str(e) for e in content.errors))
        documents.extend(content.documents)
    ids = {d.source_id for d in documents}
    queries: list[tuple[str, str, dict[str, int]]] = []
    for number, (text, relevant) in enumerate(HAND_WRITTEN, start=1):
        missing = set(relevant) - ids
        if missing:
            raise SystemExit(f"hand-written query {number} names unknown documents: {sorted(missing)}")
        queries.append((f"hand-{number:02d}", text, relevant))
    for document in documents:
        if document.kind == "pilot" and document.meta.get("tags"):
            queries.append((f"tags-{document.source_id}", ", ".join(document.meta["tags"]), {document.source_id: 1}))
        if document.kind == "expert" and document.meta.get("expertise"):
            queries.append((f"expertise-{document.source_id}", ", ".join(document.meta["expertise"]), {document.source_id: 1}))

    (out / "qrels").mkdir(parents=True, exist_ok=True)
    with (out / "corpus.jsonl").open("w", encoding="utf-8") as corpus:
        for document in documents:
            corpus.write(json.dumps({"_id": document.source_id, "title": document.title, "text": document.body}, ensure_ascii=False) + "\n")
    with (out / "queries.jsonl").open("w", encoding="utf-8") as handle:
        for query_id, text, _ in queries:
            handle.write(json.dumps({"_id": query_id, "text": text}, ensure_ascii=False) + "\n")
    with (out / "qrels" / "test.tsv").open("w", encoding="utf-8") as handle:
        handle.write("query-id\tcorpus-id\tscore\n")
        for query_id, _, relevant in queries:
            for doc_id, grade in relevant.items():
                handle.write(f"{query_id}\t{doc_id}\t{grade}\n")
    print(f"{len(documents)} documents, {len(queries)} queries written to {out}")
    write_multilingual(documents, out.parent / "demo-multilingual")
    write_real_use(documents, out.parent / "demo-real-use")
    write_real_use(documents, out.parent / "demo-kb-questions", KB_QUESTIONS)


TRANSLATIONS = ROOT / "bench" / "data" / "hand-questions-translated.jsonl"


def write_multilingual(documents: list, out: Path) -> None:
    rows = [json.loads(line) for line in TRANSLATIONS.open(encoding="utf-8") if line.strip()]
    if [row["en"] for row in rows] != [text for text, _ in HAND_WRITTEN]:
        raise SystemExit(f"{TRANSLATIONS} is out of step with the English hand-written questions")
    languages = [key for key in rows[0] if key != "id"]
    (out / "qrels").mkdir(parents=True, exist_ok=True)
    with (out / "corpus.jsonl").open("w", encoding="utf-8") as corpus:
        for document in documents:
            corpus.write(json.dumps({"_id": document.source_id, "title": document.title, "text": document.body}, ensure_ascii=False) + "\n")
    with (out / "queries.jsonl").open("w", encoding="utf-8") as queries, (out / "qrels" / "test.tsv").open("w", encoding="utf-8") as qrels:
        qrels.write("query-id\tcorpus-id\tscore\n")
        for language in languages:
            for row, (_, relevant) in zip(rows, HAND_WRITTEN, strict=True):
                query_id = f"{language}-{row['id']}"
                queries.write(json.dumps({"_id": query_id, "text": row[language]}, ensure_ascii=False) + "\n")
                for doc_id, grade in relevant.items():
                    qrels.write(f"{query_id}\t{doc_id}\t{grade}\n")
    print(f"{len(rows)} questions in {len(languages)} languages ({', '.join(languages)}) written to {out}")


REAL_USE = ROOT / "bench" / "data" / "real-use.jsonl"
KB_QUESTIONS = ROOT / "bench" / "data" / "kb-questions.jsonl"


def write_real_use(documents: list, out: Path, source: Path = REAL_USE) -> None:
    """bench/data/real-use.jsonl as a BEIR folder: questions as members type them (one word to a paragraph,
    nine languages, `find`, `pilots` and `experts`), each query keeping its `lang` and `command`. A judgement
    `theme:X` stands for every document of that theme at grade 1 (explicit grades win)."""
    by_id = {d.source_id: d for d in documents}
    rows = [json.loads(line) for line in source.open(encoding="utf-8") if line.strip()]
    (out / "qrels").mkdir(parents=True, exist_ok=True)
    with (out / "corpus.jsonl").open("w", encoding="utf-8") as corpus:
        for document in documents:
            # As ingest indexes it: an Overview passage with the document's facts (tags, expertise), then the text.
            text = f"## {OVERVIEW_HEADING}\n{facts_text(document)}\n\n{document.body}"
            facets = {"kind": document.kind, "themes": list(document.themes), "countries": list(document.countries), "sectors": list(document.sectors)}
            corpus.write(json.dumps({"_id": document.source_id, "title": document.title, "text": text, **facets}, ensure_ascii=False) + "\n")
    with (out / "queries.jsonl").open("w", encoding="utf-8") as queries, (out / "qrels" / "test.tsv").open("w", encoding="utf-8") as qrels:
        qrels.write("query-id\tcorpus-id\tscore\n")
        for row in rows:
            relevant: dict[str, int] = {}
            for key, grade in row["relevant"].items():
                if key.startswith("theme:"):
                    for document in documents:
                        if key.removeprefix("theme:") in document.themes:
                            relevant.setdefault(document.source_id, grade)
            for key, grade in row["relevant"].items():
                if not key.startswith("theme:"):
                    if key not in by_id:
                        raise SystemExit(f"{row['_id']} names an unknown document: {key}")
                    relevant[key] = grade
            if row["command"] == "experts":  # `experts` lists people: only profiles are judged
                relevant = {k: g for k, g in relevant.items() if by_id[k].kind == "expert"}
            queries.write(json.dumps({"_id": row["_id"], "text": row["text"], "lang": row["lang"], "command": row["command"]}, ensure_ascii=False) + "\n")
            for doc_id, grade in relevant.items():
                qrels.write(f"{row['_id']}\t{doc_id}\t{grade}\n")
    print(f"{len(rows)} questions of {source.name} written to {out}")


if __name__ == "__main__":
    args = sys.argv[1:]
    main(Path(args[0]) if args else ROOT / "data" / "demo", Path(args[1]) if len(args) > 1 else ROOT / "bench" / "data" / "demo-beir")
