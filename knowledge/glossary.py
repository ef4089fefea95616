"""The domain's terms in the languages members ask in, for keyword search across languages.

The keyword index holds the passages' words stemmed as English. A question in Danish or Kiswahili shares
almost none of them, so its keyword side was empty and its ranking rested on the embedding alone. Each
entry below is an English term of the domain (themes, sectors and the words of pilot titles and tags in the
demo knowledge base, chosen from that vocabulary, not from the development questions) with its usual words
in Danish, Swedish, Norwegian Bokmål, German, Dutch, French, Spanish and Kiswahili, written by hand.
`knowledge.language` stems a question's words in each language and adds the English words of every entry
it finds, so "skolemad" also searches "school meals".

Two more tables give the words members use in everyday speech for some of the same terms: `EVERYDAY_ENGLISH`
("kids", "A&E") for questions read as English, and `EVERYDAY_WORDS` ("tjocka barn", "Abnehmspritzen") in the
other languages, looked up with the glossary. Neither holds a word that another supported language writes
alike (tests/test_knowledge_language.py checks some): a glossary word in an English question makes it read
as that language.

Alternatives are separated by commas; an alternative of several words matches those words in a row.
"""

from __future__ import annotations

# English term: {language: "word, other word, a phrase"}
GLOSSARY: dict[str, dict[str, str]] = {
    # Themes
    "obesity overweight": {
        "da": "overvægt, fedme, svær overvægt", "sv": "fetma, övervikt", "nb": "overvekt, fedme",
        "de": "Adipositas, Übergewicht, Fettleibigkeit", "nl": "obesitas, overgewicht, zwaarlijvigheid",
        "fr": "obésité, surpoids", "es": "obesidad, sobrepeso", "sw": "unene, unene kupita kiasi, uzito kupita kiasi",
    },
    "weight": {
        "da": "vægt, vægttab", "sv": "vikt, viktnedgång", "nb": "vekt, vekttap", "de": "Gewicht, Abnehmen",
        "nl": "gewicht, afvallen", "fr": "poids, perte de poids", "es": "peso, pérdida de peso", "sw": "uzito",
    },
    "mental health": {
        "da": "mental sundhed, psykisk sundhed, psykisk helbred, trivsel", "sv": "psykisk hälsa, psykisk ohälsa",
        "nb": "psykisk helse", "de": "psychische Gesundheit, seelische Gesundheit", "nl": "mentale gezondheid, geestelijke gezondheid",
        "fr": "santé mentale", "es": "salud mental", "sw": "afya ya akili",
    },
    "health innovation": {
        "da": "sundhedsinnovation, innovation", "sv": "hälsoinnovation, innovation", "nb": "helseinnovasjon, innovasjon",
        "de": "Gesundheitsinnovation, Innovation", "nl": "zorginnovatie, innovatie", "fr": "innovation en santé, innovation",
        "es": "innovación sanitaria, innovación", "sw": "ubunifu",
    },
    "health equity inequality": {
        "da": "lighed i sundhed, ulighed i sundhed, ulighed", "sv": "jämlik hälsa, ojämlikhet", "nb": "sosial ulikhet, ulikhet",
        "de": "gesundheitliche Chancengleichheit, Ungleichheit", "nl": "gezondheidsverschillen, ongelijkheid",
        "fr": "équité en santé, inégalités", "es": "equidad en salud, desigualdad", "sw": "usawa wa afya, ukosefu wa usawa",
    },
    "health literacy": {
        "da": "sundhedskompetence, sundhedsforståelse", "sv": "hälsolitteracitet, hälsokunskap", "nb": "helsekompetanse",
        "de": "Gesundheitskompetenz", "nl": "gezondheidsvaardigheden", "fr": "littératie en santé", "es": "alfabetización en salud",
        "sw": "uelewa wa afya, elimu ya afya",
    },
    # Sectors
    "municipality": {
        "da": "kommune", "sv": "kommun", "nb": "kommune", "de": "Kommune, Gemeinde, Stadt", "nl": "gemeente",
        "fr": "commune, municipalité, ville", "es": "municipio, ayuntamiento", "sw": "manispaa, halmashauri",
    },
    "region county": {
        "da": "region", "sv": "region, landsting", "nb": "fylke, region", "de": "Region, Landkreis", "nl": "regio, provincie",
        "fr": "région", "es": "región", "sw": "kaunti, mkoa",
    },
    "hospital": {
        "da": "hospital, sygehus", "sv": "sjukhus", "nb": "sykehus", "de": "Krankenhaus, Klinik, Klinikum", "nl": "ziekenhuis",
        "fr": "hôpital", "es": "hospital", "sw": "hospitali",
    },
    "research": {
        "da": "forskning", "sv": "forskning", "nb": "forskning", "de": "Forschung", "nl": "onderzoek", "fr": "recherche",
        "es": "investigación", "sw": "utafiti",
    },
    "company business": {
        "da": "virksomhed, firma", "sv": "företag", "nb": "bedrift, selskap", "de": "Unternehmen, Firma", "nl": "bedrijf",
        "fr": "entreprise", "es": "empresa", "sw": "kampuni, biashara",
    },
    "patient": {
        "da": "patient, patienter", "sv": "patient", "nb": "pasient", "de": "Patient, Patienten", "nl": "patiënt",
        "fr": "patient", "es": "paciente", "sw": "mgonjwa, wagonjwa",
    },
    # Food and schools
    "school": {
        "da": "skole", "sv": "skola", "nb": "skole", "de": "Schule", "nl": "school", "fr": "école, scolaire", "es": "escuela, escolar",
        "sw": "shule",
    },
    "school meals lunch": {
        "da": "skolemad, skolefrokost, frokost", "sv": "skolmat, skolmåltid, skollunch, lunch", "nb": "skolemat, skolemåltid, lunsj",
        "de": "Schulverpflegung, Schulessen, Mittagessen", "nl": "schoolmaaltijd, schoollunch, lunch",
        "fr": "repas scolaire, déjeuner", "es": "comida escolar, almuerzo", "sw": "chakula cha shule, chakula cha mchana",
    },
    "canteen": {
        "da": "kantine", "sv": "matsal, skolmatsal", "nb": "kantine", "de": "Kantine, Mensa", "nl": "kantine",
        "fr": "cantine", "es": "comedor, cantina", "sw": "kantini",
    },
    "food nutrition": {
        "da": "mad, kost, ernæring", "sv": "mat, kost, näring", "nb": "mat, kosthold, ernæring", "de": "Essen, Ernährung, Lebensmittel",
        "nl": "eten, voeding", "fr": "alimentation, nutrition, nourriture", "es": "alimentación, nutrición, comida",
        "sw": "chakula, lishe",
    },
    "sugar sugary drinks": {
        "da": "sukker, sodavand", "sv": "socker, läsk", "nb": "sukker, brus", "de": "Zucker, Limonade", "nl": "suiker, frisdrank",
        "fr": "sucre, boissons sucrées", "es": "azúcar, bebidas azucaradas", "sw": "sukari",
    },
    "cooking": {
        "da": "madlavning", "sv": "matlagning", "nb": "matlaging", "de": "Kochen, Kochkurs", "nl": "koken, kookcursus",
        "fr": "cuisine", "es": "cocina, cocinar", "sw": "kupika",
    },
    "supermarket": {
        "da": "supermarked", "sv": "mataffär, butik, livsmedelsbutik", "nb": "dagligvarebutikk, butikk", "de": "Supermarkt",
        "nl": "supermarkt", "fr": "supermarché", "es": "supermercado", "sw": "duka, supamaketi",
    },
    "takeaway fast food": {
        "da": "fastfood, takeaway", "sv": "snabbmat", "nb": "hurtigmat, gatekjøkken", "de": "Imbiss, Fast Food",
        "nl": "snackbar, afhaalmaaltijd", "fr": "restauration rapide", "es": "comida rápida", "sw": "chakula cha haraka",
    },
    "procurement tender": {
        "da": "indkøb, udbud, offentligt indkøb", "sv": "upphandling, inköp", "nb": "anskaffelse, innkjøp, anbud",
        "de": "Beschaffung, Ausschreibung, Vergabe", "nl": "inkoop, aanbesteding", "fr": "marchés publics, achat public, appel d'offres",
        "es": "contratación pública, compra pública, licitación", "sw": "ununuzi, zabuni",
    },
    "physical activity exercise": {
        "da": "fysisk aktivitet, bevægelse, motion", "sv": "fysisk aktivitet, rörelse, motion", "nb": "fysisk aktivitet, bevegelse, trening",
        "de": "Bewegung, körperliche Aktivität, Sport", "nl": "beweging, lichaamsbeweging", "fr": "activité physique",
        "es": "actividad física, ejercicio", "sw": "mazoezi",
    },
    # People
    "children": {
        "da": "børn, barn", "sv": "barn", "nb": "barn", "de": "Kinder, Kind", "nl": "kinderen, kind", "fr": "enfants, enfant",
        "es": "niños, niño", "sw": "watoto, mtoto",
    },
    "young people youth adolescents": {
        "da": "unge, ungdom, teenagere", "sv": "unga, ungdomar, tonåringar", "nb": "unge, ungdom, ungdommer",
        "de": "Jugendliche, junge Menschen", "nl": "jongeren, tieners", "fr": "jeunes, adolescents", "es": "jóvenes, adolescentes",
        "sw": "vijana",
    },
    "students pupils": {
        "da": "elever, studerende", "sv": "elever, studenter", "nb": "elever, studenter", "de": "Schüler, Studierende",
        "nl": "leerlingen, studenten", "fr": "élèves, étudiants", "es": "alumnos, estudiantes", "sw": "wanafunzi",
    },
    "older adults elderly": {
        "da": "ældre", "sv": "äldre", "nb": "eldre", "de": "ältere Menschen, Senioren", "nl": "ouderen", "fr": "personnes âgées, aînés",
        "es": "personas mayores, ancianos", "sw": "wazee",
    },
    "families parents": {
        "da": "familier, forældre", "sv": "familjer, föräldrar", "nb": "familier, foreldre", "de": "Familien, Eltern",
        "nl": "gezinnen, ouders", "fr": "familles, parents", "es": "familias, padres", "sw": "familia, wazazi",
    },
    "mothers pregnant": {
        "da": "mødre, gravide", "sv": "mödrar, gravida", "nb": "mødre, gravide", "de": "Mütter, Schwangere", "nl": "moeders, zwangere",
        "fr": "mères, femmes enceintes", "es": "madres, embarazadas", "sw": "akina mama, mama, wajawazito",
    },
    "migrants refugees": {
        "da": "indvandrere, flygtninge, migranter", "sv": "invandrare, flyktingar, migranter", "nb": "innvandrere, flyktninger",
        "de": "Migranten, Geflüchtete, Flüchtlinge", "nl": "migranten, vluchtelingen", "fr": "migrants, réfugiés",
        "es": "migrantes, refugiados", "sw": "wakimbizi, wahamiaji",
    },
    "workers staff employees": {
        "da": "medarbejdere, ansatte, personale", "sv": "personal, anställda", "nb": "ansatte, personale",
        "de": "Beschäftigte, Mitarbeiter, Personal", "nl": "medewerkers, personeel", "fr": "salariés, personnel, travailleurs",
        "es": "trabajadores, personal", "sw": "wafanyakazi",
    },
    "nurses": {
        "da": "sygeplejersker, sundhedsplejersker", "sv": "sjuksköterskor", "nb": "sykepleiere, helsesykepleiere",
        "de": "Pflegekräfte, Krankenschwestern", "nl": "verpleegkundigen", "fr": "infirmières", "es": "enfermeras", "sw": "wauguzi",
    },
    "community health workers": {
        "da": "sundhedsformidlere", "sv": "hälsokommunikatörer", "nb": "helseveiledere", "de": "Gesundheitslotsen",
        "nl": "gezondheidsambassadeurs", "fr": "agents de santé communautaires", "es": "agentes de salud comunitarios",
        "sw": "wahudumu wa afya wa jamii, wahudumu wa afya",
    },
    "volunteers": {
        "da": "frivillige", "sv": "volontärer, frivilliga", "nb": "frivillige", "de": "Ehrenamtliche, Freiwillige",
        "nl": "vrijwilligers", "fr": "bénévoles", "es": "voluntarios", "sw": "wajitolea",
    },
    "experts": {
        "da": "eksperter", "sv": "experter", "nb": "eksperter", "de": "Experten", "nl": "experts, deskundigen", "fr": "experts",
        "es": "expertos", "sw": "wataalamu",
    },
    # Conditions
    "loneliness social isolation": {
        "da": "ensomhed, isolation", "sv": "ensamhet, isolering", "nb": "ensomhet, isolasjon", "de": "Einsamkeit, Isolation",
        "nl": "eenzaamheid, isolement", "fr": "solitude, isolement", "es": "soledad, aislamiento", "sw": "upweke",
    },
    "depression": {
        "da": "depression", "sv": "depression", "nb": "depresjon", "de": "Depression", "nl": "depressie", "fr": "dépression",
        "es": "depresión", "sw": "unyogovu, msongo wa mawazo",
    },
    "anxiety": {
        "da": "angst", "sv": "ångest", "nb": "angst", "de": "Angst, Angststörung", "nl": "angst", "fr": "anxiété",
        "es": "ansiedad", "sw": "wasiwasi, hofu",
    },
    "stress burnout": {
        "da": "stress, udbrændthed", "sv": "stress, utbrändhet", "nb": "stress, utbrenthet", "de": "Stress, Burnout",
        "nl": "stress, burn-out", "fr": "stress, épuisement professionnel", "es": "estrés, agotamiento", "sw": "msongo, uchovu",
    },
    "diabetes": {
        "da": "diabetes, sukkersyge", "sv": "diabetes", "nb": "diabetes", "de": "Diabetes", "nl": "diabetes, suikerziekte",
        "fr": "diabète", "es": "diabetes", "sw": "kisukari",
    },
    "hypertension blood pressure": {
        "da": "forhøjet blodtryk, blodtryk", "sv": "högt blodtryck, blodtryck", "nb": "høyt blodtrykk, blodtrykk",
        "de": "Bluthochdruck, Blutdruck", "nl": "hoge bloeddruk, bloeddruk", "fr": "hypertension, tension artérielle",
        "es": "hipertensión, presión arterial", "sw": "shinikizo la damu",
    },
    "COPD lung disease": {
        "da": "KOL, lungesygdom", "sv": "KOL, lungsjukdom", "nb": "KOLS, lungesykdom", "de": "COPD, Lungenerkrankung",
        "nl": "COPD, longziekte", "fr": "BPCO, maladie pulmonaire", "es": "EPOC, enfermedad pulmonar", "sw": "ugonjwa wa mapafu",
    },
    "self-harm suicide": {
        "da": "selvskade, selvmord", "sv": "självskada, självmord", "nb": "selvskading, selvmord", "de": "Selbstverletzung, Suizid",
        "nl": "zelfbeschadiging, zelfmoord", "fr": "automutilation, suicide", "es": "autolesión, suicidio", "sw": "kujidhuru, kujiua",
    },
    "chronic disease": {
        "da": "kronisk sygdom", "sv": "kronisk sjukdom", "nb": "kronisk sykdom", "de": "chronische Erkrankung",
        "nl": "chronische ziekte", "fr": "maladie chronique", "es": "enfermedad crónica", "sw": "magonjwa sugu",
    },
    # Care and services
    "psychiatry": {
        "da": "psykiatri", "sv": "psykiatri, barnpsykiatri", "nb": "psykiatri", "de": "Psychiatrie", "nl": "psychiatrie",
        "fr": "psychiatrie", "es": "psiquiatría", "sw": "magonjwa ya akili",
    },
    "therapy treatment": {
        "da": "behandling, terapi", "sv": "behandling, terapi", "nb": "behandling, terapi", "de": "Behandlung, Therapie",
        "nl": "behandeling, therapie", "fr": "traitement, thérapie", "es": "tratamiento, terapia", "sw": "matibabu, tiba",
    },
    "cognitive behavioural therapy CBT": {
        "da": "kognitiv terapi", "sv": "KBT, kognitiv beteendeterapi", "nb": "kognitiv terapi", "de": "Verhaltenstherapie",
        "nl": "cognitieve gedragstherapie", "fr": "TCC, thérapie cognitivo-comportementale", "es": "terapia cognitivo-conductual",
        "sw": "tiba ya kitabia",
    },
    "counselling chat": {
        "da": "rådgivning, chat", "sv": "rådgivning, chatt", "nb": "rådgivning, chat", "de": "Beratung, Chat", "nl": "hulpverlening, chat",
        "fr": "écoute, chat, conseil", "es": "orientación, chat", "sw": "ushauri, gumzo",
    },
    "peer support": {
        "da": "peerstøtte, ligemandsstøtte", "sv": "kamratstöd", "nb": "likepersonsstøtte", "de": "Peer-Unterstützung",
        "nl": "ervaringsdeskundigen", "fr": "soutien par les pairs, pair-aidance", "es": "apoyo entre pares", "sw": "msaada wa rika",
    },
    "screening health checks": {
        "da": "screening, helbredstjek", "sv": "screening, hälsokontroll", "nb": "screening, helsesjekk",
        "de": "Screening, Vorsorgeuntersuchung, Gesundheitscheck", "nl": "screening, gezondheidscheck",
        "fr": "dépistage, bilan de santé", "es": "cribado, chequeo médico", "sw": "uchunguzi, kupima",
    },
    "medication medicines": {
        "da": "medicin, medicinering, lægemidler", "sv": "läkemedel, mediciner", "nb": "medisiner, legemidler",
        "de": "Medikamente, Arzneimittel", "nl": "medicijnen, medicatie, geneesmiddelen", "fr": "médicaments",
        "es": "medicamentos, medicación", "sw": "dawa",
    },
    "GLP-1 obesity medication": {
        "da": "fedmemedicin, vægttabsmedicin", "sv": "fetmaläkemedel, viktnedgångsläkemedel", "nb": "fedmemedisin, slankemedisin",
        "de": "Adipositas-Medikamente, Abnehmmedikamente", "nl": "obesitasmedicatie, afslankmedicijnen",
        "fr": "médicaments contre l'obésité", "es": "medicamentos para la obesidad", "sw": "dawa za unene",
    },
    "pharmacy": {
        "da": "apotek", "sv": "apotek", "nb": "apotek", "de": "Apotheke", "nl": "apotheek", "fr": "pharmacie", "es": "farmacia",
        "sw": "duka la dawa",
    },
    "home care": {
        "da": "hjemmepleje", "sv": "hemtjänst", "nb": "hjemmetjeneste, hjemmesykepleie", "de": "häusliche Pflege",
        "nl": "thuiszorg", "fr": "soins à domicile", "es": "atención domiciliaria", "sw": "huduma nyumbani",
    },
    "nursing home elderly care": {
        "da": "plejehjem, ældrepleje", "sv": "äldreboende, äldreomsorg", "nb": "sykehjem, eldreomsorg", "de": "Pflegeheim, Altenpflege",
        "nl": "verpleeghuis, ouderenzorg", "fr": "maison de retraite, EHPAD", "es": "residencia de mayores", "sw": "makazi ya wazee",
    },
    "primary care general practitioner": {
        "da": "almen praksis, praktiserende læge, egen læge", "sv": "primärvård, vårdcentral", "nb": "fastlege, primærhelsetjeneste",
        "de": "Hausarzt, Hausarztpraxis", "nl": "huisarts, eerstelijnszorg", "fr": "médecin généraliste, soins primaires",
        "es": "atención primaria, médico de cabecera", "sw": "huduma ya msingi",
    },
    "emergency department": {
        "da": "skadestue, akutmodtagelse", "sv": "akutmottagning", "nb": "legevakt, akuttmottak", "de": "Notaufnahme",
        "nl": "spoedeisende hulp", "fr": "urgences", "es": "urgencias", "sw": "dharura",
    },
    "referrals triage": {
        "da": "henvisninger, visitation", "sv": "remisser, triage", "nb": "henvisninger, triage", "de": "Überweisungen, Triage",
        "nl": "verwijzingen, triage", "fr": "orientations, triage", "es": "derivaciones, triaje", "sw": "rufaa",
    },
    "waiting lists": {
        "da": "ventelister, ventetid", "sv": "väntelistor, väntetider", "nb": "ventelister, ventetid", "de": "Wartelisten, Wartezeit",
        "nl": "wachtlijsten, wachttijd", "fr": "listes d'attente", "es": "listas de espera", "sw": "orodha ya kusubiri",
    },
    "appointments": {
        "da": "aftaler, konsultationer", "sv": "besök, tider", "nb": "timer, konsultasjoner", "de": "Termine", "nl": "afspraken",
        "fr": "rendez-vous", "es": "citas", "sw": "miadi",
    },
    "interpreting interpreters": {
        "da": "tolkning, tolk", "sv": "tolkning, tolk", "nb": "tolking, tolk", "de": "Dolmetschen, Dolmetscher",
        "nl": "tolken, tolk", "fr": "interprétariat, interprète", "es": "interpretación, intérprete", "sw": "mkalimani, ukalimani",
    },
    "language": {
        "da": "sprog", "sv": "språk", "nb": "språk", "de": "Sprache", "nl": "taal", "fr": "langue", "es": "idioma, lengua", "sw": "lugha",
    },
    "plain language letters": {
        "da": "klart sprog, breve", "sv": "klarspråk, brev", "nb": "klarspråk, brev", "de": "leichte Sprache, Briefe",
        "nl": "eenvoudige taal, brieven", "fr": "langage clair, courriers", "es": "lenguaje claro, cartas", "sw": "lugha rahisi, barua",
    },
    "low literacy reading": {
        "da": "læsevanskeligheder, ordblinde", "sv": "lässvårigheter", "nb": "lesevansker", "de": "geringe Lesekompetenz, Analphabetismus",
        "nl": "laaggeletterdheid, laaggeletterd", "fr": "illettrisme", "es": "analfabetismo", "sw": "kusoma",
    },
    "pictograms": {
        "da": "piktogrammer", "sv": "piktogram, bilder", "nb": "piktogrammer", "de": "Piktogramme", "nl": "pictogrammen, plaatjes",
        "fr": "pictogrammes", "es": "pictogramas", "sw": "picha",
    },
    "transport": {
        "da": "transport, kørsel", "sv": "transport, färdtjänst", "nb": "transport, skyss", "de": "Transport, Fahrdienst",
        "nl": "vervoer", "fr": "transport", "es": "transporte", "sw": "usafiri, kusafirisha",
    },
    "rural": {
        "da": "landdistrikter, landet", "sv": "landsbygd, glesbygd", "nb": "distrikt, distriktet, bygd", "de": "ländlich, ländliche Räume",
        "nl": "platteland", "fr": "rural, zones rurales", "es": "rural, zonas rurales", "sw": "vijijini, kijiji",
    },
    "islands": {
        "da": "øer", "sv": "öar", "nb": "øyer", "de": "Inseln", "nl": "eilanden", "fr": "îles", "es": "islas", "sw": "visiwa",
    },
    "laboratory samples": {
        "da": "laboratorieprøver, blodprøver, prøver", "sv": "labbprover, blodprover, prover", "nb": "laboratorieprøver, blodprøver, prøver",
        "de": "Laborproben, Blutproben", "nl": "laboratoriummonsters, bloedmonsters", "fr": "échantillons de laboratoire, prélèvements",
        "es": "muestras de laboratorio", "sw": "sampuli za maabara, sampuli",
    },
    "drones": {
        "da": "droner", "sv": "drönare", "nb": "droner", "de": "Drohnen", "nl": "drones", "fr": "drones", "es": "drones",
        "sw": "ndege zisizo na rubani",
    },
    "robots": {
        "da": "robotter", "sv": "robotar", "nb": "roboter", "de": "Roboter", "nl": "robots", "fr": "robots", "es": "robots", "sw": "roboti",
    },
    "welfare technology": {
        "da": "velfærdsteknologi", "sv": "välfärdsteknik", "nb": "velferdsteknologi", "de": "Pflegetechnologie, Assistenztechnologie",
        "nl": "zorgtechnologie", "fr": "technologies d'assistance", "es": "tecnología asistencial", "sw": "teknolojia ya ustawi",
    },
    "telemedicine remote monitoring": {
        "da": "telemedicin, hjemmemonitorering, fjernmonitorering", "sv": "telemedicin, distansmonitorering",
        "nb": "telemedisin, hjemmeoppfølging", "de": "Telemedizin, Fernüberwachung", "nl": "telemonitoring, telegeneeskunde",
        "fr": "télémédecine, télésurveillance", "es": "telemedicina, monitorización remota", "sw": "telemedicine, ufuatiliaji wa mbali",
    },
    "telepsychiatry video consultation": {
        "da": "telepsykiatri, videokonsultation", "sv": "telepsykiatri, videobesök", "nb": "telepsykiatri, videokonsultasjon",
        "de": "Telepsychiatrie, Videosprechstunde", "nl": "telepsychiatrie, videoconsult", "fr": "télépsychiatrie, téléconsultation",
        "es": "telepsiquiatría, videoconsulta", "sw": "video",
    },
    "digital online app": {
        "da": "digital, online, app", "sv": "digital, nätet, app", "nb": "digital, nett, app", "de": "digital, App", "nl": "digitaal, app",
        "fr": "numérique, en ligne, application", "es": "digital, en línea, aplicación", "sw": "kidijitali, mtandaoni, programu ya simu",
    },
    "artificial intelligence AI": {
        "da": "kunstig intelligens", "sv": "artificiell intelligens", "nb": "kunstig intelligens", "de": "künstliche Intelligenz, KI",
        "nl": "kunstmatige intelligentie", "fr": "intelligence artificielle, IA", "es": "inteligencia artificial, IA",
        "sw": "akili bandia",
    },
    "virtual reality VR": {
        "da": "virtual reality", "sv": "virtuell verklighet", "nb": "virtuell virkelighet", "de": "virtuelle Realität",
        "nl": "virtual reality", "fr": "réalité virtuelle", "es": "realidad virtual", "sw": "uhalisia pepe",
    },
    "health data": {
        "da": "sundhedsdata", "sv": "hälsodata", "nb": "helsedata", "de": "Gesundheitsdaten", "nl": "gezondheidsgegevens",
        "fr": "données de santé", "es": "datos de salud", "sw": "takwimu za afya, data za afya",
    },
    "synthetic data": {
        "da": "syntetiske data", "sv": "syntetisk data", "nb": "syntetiske data", "de": "synthetische Daten", "nl": "synthetische data",
        "fr": "données synthétiques", "es": "datos sintéticos", "sw": "data bandia",
    },
    "clinical trials": {
        "da": "kliniske forsøg", "sv": "kliniska prövningar", "nb": "kliniske studier", "de": "klinische Studien",
        "nl": "klinische studies", "fr": "essais cliniques", "es": "ensayos clínicos", "sw": "majaribio ya kliniki",
    },
    "living lab test bed": {
        "da": "living lab, testmiljø", "sv": "testbädd", "nb": "testarena", "de": "Reallabor, Testfeld", "nl": "proeftuin",
        "fr": "laboratoire vivant", "es": "laboratorio vivo", "sw": "maabara hai",
    },
    "pilot project": {
        "da": "pilotprojekt, projekt", "sv": "pilotprojekt, projekt", "nb": "pilotprosjekt, prosjekt", "de": "Pilotprojekt, Projekt",
        "nl": "pilot, project", "fr": "projet pilote, projet", "es": "proyecto piloto, proyecto", "sw": "mradi wa majaribio, mradi",
    },
    "evaluation": {
        "da": "evaluering", "sv": "utvärdering", "nb": "evaluering", "de": "Evaluation", "nl": "evaluatie", "fr": "évaluation",
        "es": "evaluación", "sw": "tathmini",
    },
    "health economics cost-effectiveness": {
        "da": "sundhedsøkonomi, omkostningseffektivitet", "sv": "hälsoekonomi, kostnadseffektivitet", "nb": "helseøkonomi, kostnadseffektivitet",
        "de": "Gesundheitsökonomie, Kosteneffektivität", "nl": "gezondheidseconomie, kosteneffectiviteit",
        "fr": "économie de la santé, coût-efficacité", "es": "economía de la salud, coste-efectividad", "sw": "uchumi wa afya",
    },
    "behaviour change nudging": {
        "da": "adfærdsændring, nudging", "sv": "beteendeförändring, nudging", "nb": "atferdsendring, dulting", "de": "Verhaltensänderung, Nudging",
        "nl": "gedragsverandering", "fr": "changement de comportement", "es": "cambio de comportamiento", "sw": "mabadiliko ya tabia",
    },
    "stigma": {
        "da": "stigma, stigmatisering", "sv": "stigma, stigmatisering", "nb": "stigma, stigmatisering", "de": "Stigma, Stigmatisierung",
        "nl": "stigma, stigmatisering", "fr": "stigmatisation", "es": "estigma", "sw": "unyanyapaa",
    },
    "co-design participation": {
        "da": "samskabelse, inddragelse", "sv": "samskapande, delaktighet", "nb": "samskaping, medvirkning", "de": "Mitgestaltung, Beteiligung",
        "nl": "cocreatie, participatie", "fr": "co-conception, participation", "es": "co-diseño, participación", "sw": "ushirikishwaji",
    },
    "shift work night": {
        "da": "skiftearbejde, nattevagt", "sv": "skiftarbete, nattarbete", "nb": "skiftarbeid, nattarbeid", "de": "Schichtarbeit, Nachtschicht",
        "nl": "ploegendienst, nachtdienst", "fr": "travail posté, travail de nuit", "es": "trabajo por turnos, turno de noche",
        "sw": "zamu ya usiku",
    },
    "workplace": {
        "da": "arbejdsplads", "sv": "arbetsplats", "nb": "arbeidsplass", "de": "Arbeitsplatz", "nl": "werkplek", "fr": "lieu de travail",
        "es": "lugar de trabajo", "sw": "mahali pa kazi",
    },
    "social housing neighbourhood": {
        "da": "almene boliger, boligområde, udsatte boligområder", "sv": "bostadsområde, utsatta områden", "nb": "boligområde, kommunale boliger",
        "de": "Sozialwohnungen, Wohnviertel", "nl": "sociale huurwoningen, wijk", "fr": "logement social, quartier",
        "es": "vivienda social, barrio", "sw": "makazi, mtaa",
    },
    "indigenous Sámi": {
        "da": "oprindelige folk, samisk", "sv": "urfolk, samisk, samiska", "nb": "urfolk, samisk", "de": "indigen, samisch",
        "nl": "inheems, Samisch", "fr": "autochtone, sami", "es": "indígena, sami", "sw": "wenyeji asilia",
    },
    "pregnancy birth perinatal": {
        "da": "graviditet, fødsel", "sv": "graviditet, förlossning", "nb": "graviditet, fødsel", "de": "Schwangerschaft, Geburt",
        "nl": "zwangerschap, bevalling", "fr": "grossesse, accouchement, périnatale", "es": "embarazo, parto, perinatal",
        "sw": "ujauzito, kujifungua",
    },
    "wearables": {
        "da": "wearables, aktivitetsmålere", "sv": "aktivitetsarmband", "nb": "aktivitetsmålere", "de": "Wearables, Fitnesstracker",
        "nl": "wearables, activiteitenmeters", "fr": "objets connectés", "es": "dispositivos portátiles", "sw": "vifaa vya kuvaliwa",
    },
}


# Everyday English for the same terms: what members type instead of the documents' words ("kids",
# "pensioners", "GP", "A&E", "fizzy drinks"). Written by hand from common usage for each entry above, British
# and American. Only for questions read as English (knowledge/language.py). Left out: words too general to
# stand for one term ("work", "results", "care", "project"), since each alternative here makes a question
# about it count as one about the term; named activities ("walking", "football"), which documents name
# themselves and which the term would drown; and words that are other words in the other languages
# ("meds": Danish "med").
EVERYDAY_ENGLISH: dict[str, str] = {
    "obesity overweight": "fat, fatness, chubby, plump, weight problems, weight problem, too heavy",
    "weight": "weight loss, losing weight, lose weight, slimming, dieting",
    "mental health": "wellbeing, well-being, mental wellbeing, mental illness, mental health problems, emotional health, psychological health",
    "health equity inequality": "poverty, deprived, deprivation, disadvantaged, low income, low-income, health gap",
    "municipality": "council, councils, local authority, local authorities, city council, local government, town hall",
    "region county": "county council, county councils",
    "hospital": "ward, wards, hospital wards",
    "research": "university, universities, academic, academics",
    "company business": "firm, firms, startup, startups, start-up, start-ups, sme, smes, industry, private sector, vendor, vendors",
    "school meals lunch": "school dinners, school dinner, dinner ladies, packed lunch, packed lunches, free school meals, lunchbox, lunchboxes, lunch boxes",
    "canteen": "cafeteria, cafeterias, lunchroom, dining hall",
    "food nutrition": "eating, healthy eating, diet, diets, fruit and veg, vegetables, junk food, snacks, snacking",
    "sugar sugary drinks": "fizzy drinks, soft drinks, soda, sodas, fizzy pop, sweets, candy, sweet drinks, energy drinks, sugar tax",
    "cooking": "cookery, home economics, cooking lessons",
    "supermarket": "grocery, groceries, grocery store, grocery stores, checkout, checkouts, corner shop, corner shops",
    "takeaway fast food": "chip shop, chip shops, chippy, burgers, burger bars, fried chicken, take-away, take-aways, fast-food",
    "procurement tender": "purchasing, buying food, contracts, suppliers, supplier, public buying",
    "physical activity exercise": "sport, sports, fitness, gym, keeping fit, keep fit, moving more, pe lessons",
    "children": "kids, kid, toddlers, little ones, youngsters",
    "young people youth adolescents": "teens, teen, teenagers, teenager, young adults",
    "students pupils": "schoolchildren, school kids, schoolkids",
    "older adults elderly": "old people, old folks, old folk, pensioners, seniors, senior citizens, the aged, retired people, retirees, grandparents, oaps, old age",
    "families parents": "mums, dads, moms, mum, dad, households",
    "mothers pregnant": "mums-to-be, expectant mothers, new mothers, new mums, new moms",
    "migrants refugees": "immigrants, immigrant, asylum seekers, asylum seeker, newcomers, newly arrived",
    "workers staff employees": "workforce, personnel, colleagues",
    "nurses": "nursing staff",
    "loneliness social isolation": "lonely, no friends, social contact, on their own",
    "depression": "low mood, feeling down, feeling low",
    "anxiety": "anxious, worry, worries, worried, panic attacks, nervousness",
    "stress burnout": "burning out, burnt out, burned out, burn out, exhausted, exhaustion, overworked",
    "diabetes": "blood sugar",
    "hypertension blood pressure": "high blood pressure",
    "COPD lung disease": "breathing problems, breathlessness, chronic bronchitis, emphysema",
    "self-harm suicide": "self-injury, taking their own life",
    "chronic disease": "long-term conditions, long-term illness, long-term illnesses, chronic illness, chronically ill, multimorbidity",
    "psychiatry": "psychiatrist, psychiatrists, psychiatric",
    "therapy treatment": "therapist, therapists, talking therapy, talking therapies",
    "counselling chat": "counsellor, counsellors, counselor, helpline, helplines, hotline, someone to talk to",
    "peer support": "support group, support groups, buddy, buddies, mentoring, mentors, self-help group, self-help groups",
    "screening health checks": "check-up, check-ups, checkup, checkups, early detection",
    "medication medicines": "pill, pills, drugs, prescriptions, prescription, doses",
    # The obesity medicines members name by substance or brand.
    "GLP-1 obesity medication": (
        "semaglutide, tirzepatide, liraglutide, wegovy, ozempic, mounjaro, zepbound, saxenda, weight loss drugs, "
        "anti-obesity drugs, anti-obesity medication, obesity drugs, weight loss medication, "
        # The injections are these medicines: "weight loss jabs" asks for the pilots that prescribe them.
        "weight-loss jabs, weight loss jabs, slimming jabs, weight loss injections"
    ),
    "pharmacy": "chemist, chemists, pharmacist, pharmacists, drugstore, drugstores",
    "home care": "home help, home helps, carers, caregivers, home carers",
    "nursing home elderly care": "old people's home, old people's homes, retirement home, retirement homes, residential care",
    "primary care general practitioner": "gp, gps, family doctor, family doctors, doctor's surgery, health centre, health centres",
    "emergency department": "a&e, emergency room, emergency rooms, casualty, accident and emergency",
    "referrals triage": "referred",
    "waiting lists": "waiting times, waiting time, long waits, queues",
    "appointments": "bookings, missed appointments, no-shows, no-show",
    "interpreting interpreters": "translators, translator",
    "plain language letters": "easy-to-read, easy read, simple language, jargon, clear language",
    "low literacy reading": "can't read, cannot read, illiterate, illiteracy, dyslexia, reading difficulties",
    "pictograms": "icons, symbols, picture cards",
    "transport": "buses, taxi, taxis, getting there",
    "rural": "countryside, villages, village, remote areas, sparsely populated",
    "laboratory samples": "blood samples, blood tests, specimens",
    "drones": "unmanned aircraft",
    "welfare technology": "assistive technology, assistive devices, smart home, smart homes",
    "telemedicine remote monitoring": "telehealth, remote care, home monitoring, virtual care, monitoring at home, online doctor",
    "telepsychiatry video consultation": "video calls, video call, video appointments, online therapy, online consultations",
    "digital online app": "smartphone, smartphones, internet, website, websites, digital tools",
    "artificial intelligence AI": "machine learning, algorithm, algorithms, chatbot, chatbots",
    "virtual reality VR": "vr headset, vr headsets, headsets",
    "health data": "medical records, patient records, health records, data sharing",
    "synthetic data": "fake data, dummy data, simulated data, artificial data, made-up data",
    "clinical trials": "drug trials",
    "living lab test bed": "testbed, test site, sandbox, testing ground",
    "pilot project": "trial run, experiment, experiments",
    "evaluation": "impact, lessons learned, did it work",
    "health economics cost-effectiveness": "savings, value for money, return on investment, roi, cheaper",
    "behaviour change nudging": "habits, habit, behavior change",
    "stigma": "shame, taboo, prejudice",
    "co-design participation": "codesign, co-creation, user involvement, citizen involvement, participatory",
    "shift work night": "shift workers",
    "social housing neighbourhood": "council estates, council estate, housing estates, housing estate, council housing, deprived areas",
    "indigenous Sámi": "sami, saami",
    "pregnancy birth perinatal": "pregnant women, expecting a baby, having a baby, newborn, newborns, maternity, midwife, midwives, childbirth",
    "wearables": "smartwatch, smartwatches, fitness trackers, fitness tracker, activity trackers, step counters",
}


# Everyday words in the other languages for the same terms ("tjocka barn", "godis vid kassan", "Abnehmspritzen",
# "gamins", "chuches"): members write them as they speak. Looked up with the glossary's words above. Left out:
# words whose stem is another's in the same language ("unger" is "unge", young; "gamle huse" are old
# houses) or an English word's ("buttet" is "but", "tabletter" "table", "papis" "paper").
EVERYDAY_WORDS: dict[str, dict[str, str]] = {
    "obesity overweight": {
        "da": "tyk, tykke", "sv": "tjock, tjocka, knubbig, knubbiga", "nb": "tjukk, tjukke, lubben, lubne",
        "de": "dick, dicke, pummelig, pummelige, mollig", "nl": "dik, dikke, mollig, mollige", "fr": "gros, grosse, grosses, rondelets",
        "es": "gordo, gorda, gordos, gordas, gordito, gorditos, gordita, gorditas", "sw": "wanene, mnene, wanono, mnono",
    },
    "weight": {
        "da": "slankekur, slanke", "sv": "bantning, banta", "nb": "slanking, slanke", "de": "abnehmen, Diät",
        "nl": "afslanken", "fr": "maigrir", "es": "adelgazar", "sw": "kupunguza uzito",
    },
    # The weight-loss injections are the obesity medicines (as "weight loss jabs" in English).
    "GLP-1 obesity medication": {
        "da": "slankesprøjte, slankesprøjter", "sv": "bantningsspruta, bantningssprutor", "nb": "slankesprøyte, slankesprøyter",
        "de": "Abnehmspritze, Abnehmspritzen", "nl": "afvalprik, afvalprikken, afslankprik",
        "fr": "piqûre pour maigrir, piqûres pour maigrir", "es": "inyecciones para adelgazar, inyección para adelgazar",
        "sw": "sindano za kupunguza uzito, sindano za unene",
    },
    "children": {
        "da": "poder", "sv": "småbarn",
        "nl": "koters", "fr": "gamins, gamines, gosses, mômes", "es": "chavales, peques", "sw": "vitoto",
    },
    "older adults elderly": {
        "da": "pensionister, de ældre", "sv": "pensionärer, pensionärerna", "nb": "pensjonister, de eldre",
        "de": "Rentner, Rentnerinnen, alte Leute, ältere Leute", "nl": "bejaarden, gepensioneerden, opa en oma",
        "fr": "retraités, papys et mamies, anciens", "es": "jubilados, abuelos, abuelas, mayores", "sw": "wastaafu, bibi na babu",
    },
    "nurses": {
        "da": "sosu-assistenter, sosu'er, plejepersonale", "sv": "undersköterskor, sköterskor, vårdpersonal",
        "nb": "helsefagarbeidere, pleiere, pleiepersonell", "de": "Pflegekräfte, Pflegekraft, Krankenschwestern",
        "nl": "verpleegsters, zusters, zorgpersoneel", "fr": "soignants, soignantes, aides-soignantes, aides-soignants",
        "es": "auxiliares de enfermería, sanitarios", "sw": "manesi, nesi",
    },
    "stress burnout": {
        "da": "udbrændt, udbrændte, går ned med stress, slidt ned", "sv": "utbränd, utbrända, går på knäna, slutkörd, slutkörda",
        "nb": "utbrent, utbrente, utslitt, utslitte", "de": "ausgebrannt, ausgebrannte, erschöpft, erschöpfte, überlastet",
        "nl": "opgebrand, opgebrande, overspannen, uitgeput", "fr": "épuisé, épuisés, épuisées, à bout, surmenage",
        "es": "quemado, quemados, quemadas, agotado, agotados, agotamiento", "sw": "uchovu, wamechoka, kuchoka kazini",
    },
    "sugar sugary drinks": {
        "da": "slik, sodavand", "sv": "godis, läsk", "nb": "godteri, snop, brus", "de": "Süßigkeiten, Limo, Limonade, Softdrinks",
        "nl": "snoep, frisdrank, frisdranken", "fr": "bonbons, friandises, boissons sucrées",
        "es": "chuches, golosinas, refrescos, bebidas azucaradas", "sw": "peremende, pipi",
    },
    "supermarket": {
        "da": "kassen, butikken, købmanden", "sv": "kassan, mataffären, butiken", "nb": "kassen, butikken, matbutikken",
        "de": "Kasse, Supermarktkasse", "nl": "kassa, winkel", "fr": "caisse, caisses", "es": "caja", "sw": "dukani, maduka",
    },
    "primary care general practitioner": {
        "da": "egen læge, lægen, lægehuset", "sv": "vårdcentral, vårdcentralen, husläkare", "nb": "legekontoret, legekontor",
        "de": "Hausarzt, Hausärztin, Hausärzte, Hausarztpraxis", "nl": "huisarts, huisartsen, dokter", "fr": "médecin traitant, généraliste",
        "es": "médico de cabecera, centro de salud", "sw": "zahanati",
    },
    "medication medicines": {
        "da": "medicinen", "sv": "mediciner", "nb": "medisinene",
        "nl": "medicijnen", "fr": "cachets, comprimés, médocs", "es": "pastillas", "sw": "vidonge",
    },
    "loneliness social isolation": {
        "da": "ensom, ensomme", "sv": "ensam, ensamma", "nb": "ensom, ensomme", "de": "einsam, einsame, vereinsamt",
        "nl": "eenzaam, eenzame", "fr": "isolés, isolées, esseulés", "es": "sin compañía", "sw": "peke yao, peke yake",
    },
    "hypertension blood pressure": {"sw": "presha"},
    "emergency department": {
        "da": "skadestuen, skadestue", "sv": "akuten", "nb": "legevakten, legevakt", "de": "Notaufnahme, Notfall",
        "nl": "spoedeisende hulp, eerste hulp", "fr": "urgences", "es": "urgencias", "sw": "dharura",
    },
    "young people youth adolescents": {
        "da": "de unge", "sv": "tonåringar, tonåringarna", "nb": "tenåringer, de unge", "de": "Jugendliche, Halbstarke",
        "nl": "tieners, pubers", "fr": "ados, adolescents", "es": "adolescentes, chavales", "sw": "vijana wadogo",
    },
    "depression": {
        "da": "nedtrykt, deprimeret", "sv": "nedstämd, nedstämda", "nb": "nedstemt, nedfor", "de": "niedergeschlagen",
        "nl": "somber, neerslachtig", "fr": "déprime, déprimé, déprimés", "es": "deprimido, deprimidos, bajón", "sw": "huzuni",
    },
}
