"""Seeded policy prose for the report-pipeline benchmark: the free texts of synthetic replies.

Three to six paragraphs of the kind delegations write to the Lanzarote Committee: laws and their amendments,
national measures and budgets, statistics, the institutions in charge, cooperation and evaluation. Never a
description of abuse: only legal and policy language. English and French banks; one ``random.Random`` drives
every choice, so the same seed writes the same texts in any tree.
"""

from __future__ import annotations

import random

LAWS_EN = (
    "Criminal Code",
    "Code of Criminal Procedure",
    "Child Protection Act",
    "Electronic Communications Act",
    "Act on the Protection of Minors in the Media",
    "Victims' Rights Act",
    "Education Act",
    "Data Protection Act",
)
INSTITUTIONS_EN = (
    "national police cybercrime unit",
    "Office of the Prosecutor General",
    "Ministry of Justice",
    "Ministry of the Interior",
    "Ministry of Education",
    "national Ombudsperson for Children",
    "media and communications regulator",
    "data protection authority",
    "national child helpline",
    "national hotline for illegal online content",
)
GAPS_EN = (
    "the collection of electronic evidence held abroad",
    "the training of first-line professionals",
    "the follow-up of reports received by helplines",
    "data on the age of the children concerned",
    "the coordination between regional and national authorities",
    "the duration of mutual legal assistance procedures",
)
OPENERS_EN = (
    "The legal framework has been reviewed in the light of technological developments.",
    "The national authorities consider that the existing provisions largely apply to these situations.",
    "This question is addressed through a combination of criminal law, regulation and prevention.",
    "The Government has given priority to this matter in its current strategy on the rights of the child.",
    "Practice in this area is still developing, and the authorities follow it closely.",
    "Several reforms adopted in recent years are relevant to this question.",
)
SENTENCES_EN = (
    "The {law} was amended in {year} to extend the relevant offences to material produced or altered with "
    "digital tools, whether or not a real child is depicted.",
    "Article {art} of the {law} sets penalties of {lo} to {hi} years of imprisonment, which the courts may increase "
    "where the offence was committed through an online service.",
    "A draft bill tabled in parliament in {year} would introduce an aggravating circumstance for offences "
    "facilitated by information and communication technologies; its adoption is expected in {later}.",
    "In a judgment of {year}, the Supreme Court confirmed that realistic synthetic images fall within the "
    "definition used in Article {art} of the {law}.",
    "The national action plan for {year}-{later} contains {k} measures on online safety, {m} of which concern "
    "emerging technologies, with a budget of EUR {money} million.",
    "Since {year}, the {inst} has run awareness campaigns in schools reaching some {n} pupils and {t} teachers "
    "each year.",
    "Training on digital evidence was delivered to {n} police officers, prosecutors and judges in {year}, and a "
    "further {t} places are planned for next year.",
    "Service providers established in the country must remove notified content within {h} hours under the {law}, "
    "and the {inst} may impose fines of up to {pct} % of annual turnover.",
    "In {year}, the police recorded {n} cases of online solicitation of children, {pct} % more than in the "
    "previous year; {k} of them involved material generated or altered by artificial intelligence.",
    "The national hotline processed {n} reports in {year}, of which {pct} % were forwarded to law enforcement "
    "through the international network of hotlines.",
    "Prosecution statistics show {charged} indictments and {m} convictions in {year}; the average length of "
    "proceedings was {mo} months.",
    "Responsibility is shared between the {inst} and the {inst2}, coordinated by an inter-ministerial committee "
    "that meets every {mo} months.",
    "The {inst} acts as the national contact point for international cooperation and exchanges data with "
    "Europol and Interpol through secure channels.",
    "The {inst} monitors implementation and publishes an annual report to parliament; its {year} report "
    "contained {k} recommendations on digital technologies.",
    "An independent evaluation commissioned in {year} found that {pct} % of professionals consider the current "
    "framework adequate, while identifying gaps in {gap}.",
    "Research funded by the {inst} ({year}-{later}) is examining age-assurance and detection tools, with "
    "results expected in {later}.",
    "Child helplines, parents' associations and other civil society organisations are consulted through a "
    "standing forum established in {year}.",
    "A protocol signed in {year} between the {inst} and the main platforms sets out how requests for the "
    "preservation of data are handled within {h} hours.",
    "The curriculum now includes a module on digital safety and consent, taught from the age of {age} in all "
    "public schools since the {year} school year.",
    "Victims and their families are referred to {k} specialised support centres, which received funding of "
    "EUR {money} million in {year}.",
)

# French nouns carry their article: (subject form, "of" form).
LAWS_FR = (
    ("le code pénal", "du code pénal"),
    ("le code de procédure pénale", "du code de procédure pénale"),
    ("la loi sur la protection de l'enfance", "de la loi sur la protection de l'enfance"),
    ("la loi sur les communications électroniques", "de la loi sur les communications électroniques"),
    ("la loi relative aux droits des victimes", "de la loi relative aux droits des victimes"),
    ("le code de l'éducation", "du code de l'éducation"),
)
INSTITUTIONS_FR = (
    "l'office central de lutte contre la cybercriminalité",
    "le parquet général",
    "le ministère de la Justice",
    "le ministère de l'Intérieur",
    "le ministère de l'Éducation nationale",
    "le Défenseur des enfants",
    "le régulateur de la communication audiovisuelle et numérique",
    "la ligne d'écoute nationale pour les enfants",
)
GAPS_FR = (
    "l'obtention des preuves électroniques détenues à l'étranger",
    "la formation des professionnels de première ligne",
    "le suivi des signalements reçus par les lignes d'écoute",
    "la coordination entre autorités régionales et nationales",
)
OPENERS_FR = (
    "Le cadre juridique a été réexaminé à la lumière des évolutions technologiques.",
    "Les autorités nationales estiment que les dispositions existantes s'appliquent largement à ces situations.",
    "Cette question est traitée par une combinaison de droit pénal, de régulation et de prévention.",
    "Le Gouvernement a fait de cette question une priorité de sa stratégie actuelle pour les droits de l'enfant.",
)
SENTENCES_FR = (
    "{law} a fait l'objet d'une modification en {year} afin d'étendre les infractions concernées aux contenus produits ou altérés "
    "au moyen d'outils numériques, qu'un enfant réel soit représenté ou non.",
    "L'article {art} {law_of} prévoit des peines de {lo} à {hi} ans d'emprisonnement, que les juridictions peuvent "
    "aggraver lorsque l'infraction a été commise au moyen d'un service en ligne.",
    "Un projet de loi déposé au Parlement en {year} introduirait une circonstance aggravante pour les infractions "
    "facilitées par les technologies de l'information ; son adoption est attendue en {later}.",
    "Le plan d'action national {year}-{later} comporte {k} mesures relatives à la sécurité en ligne, dont {m} "
    "concernent les technologies émergentes, pour un budget de {money} millions d'euros.",
    "Depuis {year}, {inst} mène des campagnes de sensibilisation dans les écoles, qui touchent chaque année "
    "quelque {n} élèves et {t} enseignants.",
    "En {year}, les services de police ont enregistré {n} affaires de sollicitation d'enfants en ligne, soit "
    "{pct} % de plus que l'année précédente ; {k} d'entre elles concernaient des contenus générés par "
    "l'intelligence artificielle.",
    "Les statistiques judiciaires font état de {charged} mises en examen et de {m} condamnations en {year} ; la durée "
    "moyenne des procédures était de {mo} mois.",
    "La compétence est partagée entre {inst} et {inst2}, sous la coordination d'un comité "
    "interministériel qui se réunit tous les {mo} mois.",
    "Une évaluation indépendante réalisée en {year} a montré que {pct} % des professionnels jugent le cadre "
    "actuel adapté, tout en relevant des lacunes concernant {gap}.",
    "Un protocole signé en {year} entre {inst} et les principales plateformes fixe le traitement des demandes "
    "de conservation des données dans un délai de {h} heures.",
    "Les victimes et leurs familles sont orientées vers {k} centres d'aide spécialisés, qui ont reçu {money} "
    "millions d'euros en {year}.",
)

BANKS = {
    "en": (OPENERS_EN, SENTENCES_EN, LAWS_EN, INSTITUTIONS_EN, GAPS_EN),
    "fr": (OPENERS_FR, SENTENCES_FR, LAWS_FR, INSTITUTIONS_FR, GAPS_FR),
}

LEGAL_INSTRUMENTS = (
    ("Criminal Code", "art. {n}"),
    ("Code of Criminal Procedure", "art. {n}"),
    ("Child Protection Act", "section {n}"),
    ("Electronic Communications Act", "§ {n}"),
    ("Victims' Rights Act", "section {n}"),
    ("Regulation (EU) 2022/2065 (Digital Services Act)", "art. {n}"),
    ("Directive 2011/93/EU, as transposed", "art. {n}"),
    ("Ministerial circular on digital evidence", "point {n}"),
)


def _slots(rng: random.Random, laws, institutions, gaps, *, french: bool) -> dict[str, object]:
    year = rng.randint(2014, 2024)
    institution, other = rng.sample(institutions, 2)
    law = rng.choice(laws)
    law, law_of = law if french else (law, f"of the {law}")
    convictions = rng.randint(2, 240)
    separator = "\u202f" if french else ","
    return {
        "law": law,
        "law_of": law_of,
        "charged": convictions + rng.randint(0, 160),
        "year": year,
        "later": year + rng.randint(1, 4),
        "art": rng.randint(2, 480),
        "lo": rng.randint(1, 3),
        "hi": rng.randint(5, 12),
        "k": rng.randint(3, 40),
        "m": convictions,
        "n": f"{rng.randint(120, 48000):,}".replace(",", separator),
        "t": f"{rng.randint(40, 3500):,}".replace(",", separator),
        "money": rng.randint(1, 60),
        "h": rng.choice((24, 48, 72)),
        "pct": rng.randint(3, 60),
        "mo": rng.randint(3, 26),
        "age": rng.randint(8, 13),
        "inst": institution,
        "inst2": other,
        "gap": rng.choice(gaps),
    }


def policy_text(rng: random.Random, *, language: str = "en", paragraphs: tuple[int, int] = (3, 6)) -> str:
    """A reply's free text: ``paragraphs`` (min, max) paragraphs of two to four sentences, blank-line separated."""
    french = language == "fr"
    openers, sentences, laws, institutions, gaps = BANKS["fr" if french else "en"]
    result = []
    for index in range(rng.randint(*paragraphs)):
        picked = rng.sample(sentences, rng.randint(2, 4))
        body = [s.format(**_slots(rng, laws, institutions, gaps, french=french)) for s in picked]
        if index == 0:
            body.insert(0, rng.choice(openers))
        result.append(" ".join(sentence[0].upper() + sentence[1:] for sentence in body))
    return "\n\n".join(result)


def legal_references(rng: random.Random) -> list[dict[str, str]]:
    """One to three legal references (instrument, provision, sometimes a link)."""
    rows = []
    for instrument, provision in rng.sample(LEGAL_INSTRUMENTS, rng.randint(1, 3)):
        number = rng.randint(2, 480)
        url = f"https://legislation.example.org/{instrument.split()[0].lower()}/{number}" if rng.random() < 0.3 else ""
        rows.append({"instrument": instrument, "provision": provision.format(n=number), "url": url})
    return rows
