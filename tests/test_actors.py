"""The actor alias table and the actor matcher."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from extract.actors import (
    DEFAULT_TABLE,
    INTER_CODES,
    ActorTable,
    find_organisations,
    fold_alias,
    tokenize,
)


@pytest.fixture(scope="module")
def table() -> ActorTable:
    return ActorTable.load()


def found(table: ActorTable, text: str) -> list[tuple[str, str]]:
    """(matched text, canonical) for every mention."""
    return [(text[m.start:m.end], m.canonical) for m in table.find_actors(text)]


def test_table_loads_with_version_and_valid_codes(table):
    assert table.version
    assert len(table.entries) > 150
    assert {e.inter_code for e in table.entries} <= set(INTER_CODES)
    assert {e.language for e in table.entries} <= {"fr", "en", "ar", "*"}
    for name in ("US-led Coalition", "Islamic State", "SDF: Syrian Democratic Forces",
                 "PMF: Popular Mobilization Forces", "Military Forces of Iraq",
                 "Military Forces of Syria", "Military Forces of Turkey",
                 "Military Forces of the United States", "Unidentified Armed Group",
                 "Protesters", "Civilians", "Police Forces of Iraq"):
        assert name in table.canonical_names
    assert table.inter_code("Protesters") == 6
    assert table.inter_code("Civilians") == 7
    assert table.inter_code("Military Forces of Iraq") == 1
    assert table.inter_code("US-led Coalition") == 8
    assert table.inter_code("nobody") is None
    # every canonical actor can be found in English (or by a spelling every language
    # shares); the actors of the conflicts the sample covers have all three languages
    for name in table.canonical_names:
        langs = {e.language for e in table.entries if e.canonical == name}
        assert langs & {"*", "en"}, (name, langs)
    for name in ("Islamic State", "Al Shabaab", "Military Forces of Syria", "Hezbollah",
                 "Hamas Movement", "RSF: Rapid Support Forces",
                 "Military Forces of Yemen (2017-) Houthi", "Military Forces of Israel",
                 "JNIM: Group for Support of Islam and Muslims", "Wagner Group"):
        langs = {e.language for e in table.entries if e.canonical == name}
        assert {"fr", "en", "ar"} <= langs, (name, langs)


def test_longest_match_wins_french(table):
    text = ("Deux convois de la coalition internationale dirigée par les États-Unis ont été "
            "visés.")
    mentions = table.find_actors(text)
    assert len(mentions) == 1
    m = mentions[0]
    assert text[m.start:m.end] == "coalition internationale dirigée par les États-Unis"
    assert m.canonical == "US-led Coalition"
    assert m.alias == "coalition internationale dirigée par les États-Unis"
    assert m.inter_code == 8


def test_french_aliases_with_elision_accents_and_case(table):
    text = ("L’État islamique a attaqué ; l'armée syrienne et les FDS ont riposté, "
            "tandis que le Hachd al-Chaabi et les forces de sécurité irakiennes "
            "arrêtaient des membres de DAECH et de l'etat islamique. Des hommes armés non "
            "identifiés ont enlevé un ingénieur ; des manifestants ont protesté.")
    assert found(table, text) == [
        ("État islamique", "Islamic State"),
        ("armée syrienne", "Military Forces of Syria"),
        ("FDS", "SDF: Syrian Democratic Forces"),
        ("Hachd al-Chaabi", "PMF: Popular Mobilization Forces"),
        ("forces de sécurité irakiennes", "Military Forces of Iraq"),
        ("DAECH", "Islamic State"),
        ("etat islamique", "Islamic State"),
        ("hommes armés non identifiés", "Unidentified Armed Group"),
        ("manifestants", "Protesters"),
    ]


def test_english_aliases(table):
    text = ("The US-led coalition said ISIS fighters clashed with Iraqi security forces, "
            "while unidentified gunmen attacked a Popular Mobilization Forces checkpoint and "
            "Turkish forces shelled SDF positions; protesters gathered.")
    assert found(table, text) == [
        ("US-led coalition", "US-led Coalition"),
        ("ISIS", "Islamic State"),
        ("Iraqi security forces", "Military Forces of Iraq"),
        ("unidentified gunmen", "Unidentified Armed Group"),
        ("Popular Mobilization Forces", "PMF: Popular Mobilization Forces"),
        ("Turkish forces", "Military Forces of Turkey"),
        ("SDF", "SDF: Syrian Democratic Forces"),
        ("protesters", "Protesters"),
    ]


def test_longest_match_english(table):
    # "Islamic State group" beats "Islamic State"; "Islamic State of Iraq and the Levant" beats
    # both
    text = "the Islamic State group, once the Islamic State of Iraq and the Levant"
    assert [t for t, _ in found(table, text)] == ["Islamic State group",
                                                 "Islamic State of Iraq and the Levant"]


def test_arabic_aliases_with_proclitics(table):
    text = ("أعلن التحالف الدولي أن مسلحين مجهولين هاجموا مقرا للحشد الشعبي، "
            "فيما اشتبكت قوات سوريا الديمقراطية مع تنظيم داعش ولداعش خلايا، "
            "وقال الجيش السوري إن المتظاهرين تفرقوا.")
    result = found(table, text)
    assert result == [
        ("التحالف الدولي", "US-led Coalition"),
        ("مسلحين مجهولين", "Unidentified Armed Group"),
        ("لحشد الشعبي", "PMF: Popular Mobilization Forces"),
        ("قوات سوريا الديمقراطية", "SDF: Syrian Democratic Forces"),
        ("تنظيم داعش", "Islamic State"),
        ("داعش", "Islamic State"),
        ("الجيش السوري", "Military Forces of Syria"),
        ("المتظاهرين", "Protesters"),
    ]


def test_arabic_conjunction_is_cut_off_the_span(table):
    text = "والتحالف الدولي"
    (m,) = table.find_actors(text)
    assert text[m.start:m.end] == "التحالف الدولي"
    assert m.canonical == "US-led Coalition"


def test_arabic_diacritics_and_hamza_are_folded(table):
    text = "الدَّوْلَة الاسلامية"  # short vowels, and alef without hamza
    (m,) = table.find_actors(text)
    assert m.canonical == "Islamic State"
    assert (m.start, m.end) == (0, len(text))


@pytest.mark.parametrize("text", [
    "Le Daechien n'existe pas.",  # alias inside a longer word
    "Les SDFX arrivent.",
    "une réunion des PMFs",  # acronym with a suffix
    "la civilisation",
    "This is it, he said.",  # "is" is not ISIS / IS in lower case
    "l'ei et l'Ei",  # acronyms match only in capitals
    "Hachdal Chaabi",
    "الداعشيون",
])
def test_no_match_inside_words_or_lowercase_acronyms(table, text):
    assert table.find_actors(text) == []


def test_capital_acronym_matches(table):
    assert found(table, "L'EI a revendiqué.") == [("EI", "Islamic State")]
    assert found(table, "IS fighters") == [("IS", "Islamic State")]


def test_offsets_survive_decomposed_accents(table):
    text = "l'arme\u0301e syrienne"  # e + combining acute
    (m,) = table.find_actors(text)
    assert text[m.start:m.end] == "arme\u0301e syrienne"


def test_iter_canonical_is_ordered_and_unique(table):
    text = "Daech, puis les FDS, puis l'État islamique encore."
    assert list(table.iter_canonical(text)) == ["Islamic State",
                                                "SDF: Syrian Democratic Forces"]


def test_tokenize_and_fold_alias():
    assert fold_alias("Forces démocratiques syriennes") == ("forces", "democratiques",
                                                            "syriennes")
    assert fold_alias("Hachd al-Chaabi") == ("hachd", "al", "chaabi")
    toks = tokenize("Al-Anbar, l’EI")
    assert [(t.text, t.start, t.end) for t in toks] == [("al", 0, 2), ("anbar", 3, 8),
                                                        ("l", 10, 11), ("ei", 12, 14)]


def test_bad_tables_are_refused_with_the_line(tmp_path: Path):
    header = "# version: test\ncanonical\tinter_code\tlanguage\talias\n"
    bad_code = tmp_path / "bad_code.tsv"
    bad_code.write_text(header + "X\t9\ten\tx men\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad_code.tsv:3: inter_code 9"):
        ActorTable.load(bad_code)
    clash = tmp_path / "clash.tsv"
    clash.write_text(header + "A\t1\ten\tthe men\nB\t2\ten\tThe Men\n", encoding="utf-8")
    with pytest.raises(ValueError, match="names both"):
        ActorTable.load(clash)
    short = tmp_path / "short.tsv"
    short.write_text(header + "A\t1\n", encoding="utf-8")
    with pytest.raises(ValueError, match="short.tsv:3"):
        ActorTable.load(short)
    no_header = tmp_path / "no_header.tsv"
    no_header.write_text("A\t1\ten\tx\n", encoding="utf-8")
    with pytest.raises(ValueError, match="expected header"):
        ActorTable.load(no_header)


def test_custom_table(tmp_path: Path):
    path = tmp_path / "t.tsv"
    path.write_text("# version: 7\ncanonical\tinter_code\tlanguage\talias\n"
                    "Wagner Group\t8\ten\tWagner\nWagner Group\t8\tfr\tgroupe Wagner\n",
                    encoding="utf-8")
    t = ActorTable.load(path)
    assert t.version == "7"
    assert found(t, "Le groupe Wagner et Wagner") == [("groupe Wagner", "Wagner Group"),
                                                     ("Wagner", "Wagner Group")]


def test_matching_is_fast(table):
    text = ("Les forces de sécurité irakiennes ont affronté des combattants de Daech près de "
            "Kirkouk, selon la coalition internationale dirigée par les États-Unis. ") * 1500
    start = time.perf_counter()
    mentions = table.find_actors(text)
    elapsed = time.perf_counter() - start
    assert len(mentions) == 3 * 1500
    assert elapsed < 5.0, f"{len(text)} characters took {elapsed:.2f} s"


def test_followers_of_a_party_are_found_either_way_round():
    table = ActorTable.load()
    found = [m.canonical for m in table.find_actors(
        "BNP supporters clashed with supporters of Awami League and Awami League activists")]
    assert found == ["Supporters of Bangladesh Nationalist Party",
                     "Supporters of Awami League", "Supporters of Awami League"]


@pytest.mark.parametrize(("text", "expected"), [
    ("members of the Bangladesh Chhatra League attacked", [("Bangladesh Chhatra League", 3)]),
    ("The Arakan Army (AA) seized a base.", [("AA: Arakan Army", 2)]),
    ("Fighters of the Kachin Independence Army", [("Kachin Independence Army", 2)]),
    ("The Popular Resistance Committees claimed it.", [("Popular Resistance Committees", 3)]),
    ("Security Forces arrested him. The National Army said.", []),
    ("The United Nations Security Council and the African Union met.", []),
    ("on the road", []),
])
def test_organisations_by_the_shape_of_their_names(text, expected):
    assert [(o.name, o.inter_code) for o in find_organisations(text)] == expected
    for org in find_organisations(text):
        assert text[org.start:org.end].endswith(org.name.split(": ")[-1]) or "(" in \
            text[org.start:org.end]


def test_no_organisations_by_shape_in_a_title_case_headline():
    assert find_organisations("Over 50 Myanmar Junta Forces Killed in Week of Resistance "
                              "Attacks Near Border Town") == []


def test_where_actors_operate():
    table = ActorTable.load()
    assert table.home_countries("M23: March 23 Movement") == ("CD",)
    assert "ML" in table.home_countries("JNIM: Group for Support of Islam and Muslims")
    assert "NG" in table.home_countries("Islamic State (West Africa) - Lake Chad Faction")
    assert table.home_countries("Nobody") == ()
    homes_of_curated = {e.canonical for e in ActorTable.load(DEFAULT_TABLE).entries
                        if e.inter_code in (2, 3, 4) and "{country}" not in e.canonical
                        and e.canonical != "Unidentified Armed Group"}
    assert not [n for n in homes_of_curated if not table.home_countries(n)]


@pytest.mark.shared
def test_derived_actor_tables_rebuild_from_ucdp(shared_dir, tmp_path):
    # the committed derived files are what the script makes of UCDP's actor list
    from extract.scripts import build_actors

    source = shared_dir / "data" / "ucdp_actors.csv"
    if not source.exists():
        pytest.skip(f"{source} is absent")
    out = tmp_path / "actors_ucdp.tsv"
    assert build_actors.main(["--ucdp", str(source), "--out", str(out)]) == 0
    data = Path(build_actors.__file__).resolve().parents[1] / "data"
    assert out.read_text(encoding="utf-8") == (data / "actors_ucdp.tsv").read_text(
        encoding="utf-8")
    assert (tmp_path / "actor_homes.tsv").read_text(encoding="utf-8") == (
        data / "actor_homes.tsv").read_text(encoding="utf-8")
