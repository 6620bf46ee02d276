from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from riskclf.casualties import parse_casualties, rule_level
from riskclf.casualty_features import FEATURE_NAMES, CasualtyFeatures
from riskclf.tokens import word_runs


@pytest.mark.parametrize(
    ("text", "killed", "injured", "abducted"),
    [
        ("Two soldiers were killed and five injured when an IED exploded.", 2, 5, 0),
        ("A suicide bomber killed at least 12 people in the market.", 12, 0, 0),
        ("Gunmen shot dead a constable outside his home.", 1, 0, 0),
        ("Twenty-two passengers were wounded in the blast.", 0, 22, 0),
        ("Gunmen abducted three engineers from the site.", 0, 0, 3),
        ("A group of 30 militants attacked the camp; a policeman died.", 1, 0, 0),
        ("Police arrested 12 suspects and recovered INR 40 lakh.", 0, 0, 0),
        ("Personnel of the 206th battalion recovered a bomb.", 0, 0, 0),
        (
            "Three CISF personnel, including a sub-inspector, were killed and two others injured "
            "in an attack by Maoists in Durg District.",
            3,
            2,
            0,
        ),
    ],
)
def test_counts(text, killed, injured, abducted):
    counts = parse_casualties(text)
    assert (counts["killed"], counts["injured"], counts["abducted"]) == (killed, injured, abducted)


# Terse phrasings of real feeds (sentences written for these tests): the deaths must be read.
@pytest.mark.parametrize(
    ("text", "killed", "injured"),
    [
        # "N dead", "N people dead in an explosion", number words
        ("4 dead after gunmen open fire on a bus near the border.", 4, 0),
        ("Seven people dead in an explosion at a fuel depot.", 7, 0),
        ("At least five dead and 12 hurt as a bomb goes off at a bus stand.", 5, 12),
        ("Twelve people dead, dozens injured in a truck bomb.", 12, 24),
        ("One dead, two injured in an IED blast at a checkpoint.", 1, 2),
        ("Twenty-one pilgrims dead as gunmen fire on a convoy.", 21, 0),
        # "death(s) of", "led to the death of X and N others"
        ("The clash led to the death of a farmer and two others.", 3, 0),
        ("The attack led to the death of Ram Kumar and 4 others.", 5, 0),
        ("The blast resulted in the deaths of six workers.", 6, 0),
        ("Crossfire caused the death of two children in the lane.", 2, 0),
        # "bodies of"
        ("Police recovered the bodies of three men from a canal.", 3, 0),
        ("The bodies of two traders were found in a forest.", 2, 0),
        # "toll rose to"
        ("The death toll rose to 14 on Tuesday.", 14, 0),
        ("The toll in the bombing rose to eleven by evening.", 11, 0),
        ("A second blast hit the crowd, taking the toll to 23.", 23, 0),
        # "succumbed": the injuries are the death's, and the subject is the count
        ("A constable succumbed to his injuries in hospital.", 1, 0),
        ("Three villagers succumbed to injuries on Friday.", 3, 0),
        ("Two persons died of burns the next day.", 2, 0),
        # a bare number as the object of an active verb
        ("Gunmen killed 3 and injured 5 in the attack.", 3, 5),
    ],
)
def test_terse_deaths_are_read(text, killed, injured):
    counts = parse_casualties(text)
    assert (counts["killed"], counts["injured"]) == (killed, injured)


# Violence with nobody hurt, threats, warning shots and past events: no casualty.
@pytest.mark.parametrize(
    "text",
    [
        # arson and property attacks
        "Armed men set fire to a school building at night.",
        "Miscreants torched three houses and a shop in the village.",
        "Maoists blew up a mobile tower and burnt two trucks.",
        "Unidentified persons set ablaze a panchayat office.",
        "Armed assailants set fire to a house, killing no one.",
        "Militants assaulted a police post in the district.",
        "Armed men hacked down two electricity poles.",
        # threats
        "Armed men threatened to kill the village head if he did not resign.",
        "Gunmen issued death threats to three journalists.",
        "A court sentenced two militants to death for the bombing.",
        # firing in the air
        "Police fired in the air to disperse the crowd.",
        "Unidentified gunmen fired in the air to scare villagers and set three houses on fire.",
        # past events
        "Police arrested a militant who killed three civilians in 2010.",
        "A memorial was held for the 25 policemen killed in the 2010 ambush.",
        "The area has seen violence since 2005, when rebels killed 11 villagers.",
        "The three were involved in an ambush that left 12 policemen dead.",
        "He had killed two policemen in an ambush last year.",
    ],
)
def test_no_casualty_where_nobody_was_hurt(text):
    counts = parse_casualties(text)
    assert (counts["killed"], counts["injured"], counts["abducted"]) == (0, 0, 0)


def test_a_headline_and_its_lead_are_one_event_not_two():
    # a headline has no full stop: the blank line after it ends its sentence
    text = "Ten soldiers killed in ambush\n\nTen soldiers were killed when rebels struck a convoy."
    assert parse_casualties(text)["killed"] == 10
    assert parse_casualties("Gunmen kill 32 in raids\n\nAt least 32 people died.")["killed"] == 32


def test_a_month_and_year_without_a_day_is_an_earlier_event():
    assert (
        parse_casualties("Rebels killed 40 villagers in March 2009, police said.")["killed"] == 0
    )


def test_a_date_year_is_the_reports_own():
    # a year inside a date dates the report, not an earlier event
    assert parse_casualties("On March 3, 2015, rebels killed two villagers.")["killed"] == 2
    assert parse_casualties("On 3 May 2015 two soldiers were killed in a blast.")["killed"] == 2


def test_capitals_and_rare_triggers():
    # the patterns read a lower-cased copy; a few checks still read the text as written
    assert parse_casualties("THREE SOLDIERS WERE KILLED IN AN AMBUSH.")["killed"] == 3
    assert parse_casualties("A trader was strangulated by robbers.")["killed"] == 1
    assert parse_casualties("Police identified the killed Maoists.")["killed"] == 0
    assert parse_casualties("Two guards lost their lives, officials said.")["killed"] == 2


@pytest.mark.parametrize(
    ("text", "killed", "injured"),
    [
        ("About a dozen Maoist cadres cornered the SPO and shot him dead.", 1, 0),
        ("Militants shot two villagers dead near the camp.", 2, 0),
        ("Cadres dragged a woman out of her house and slit her throat.", 1, 0),
        ("Luckily no one was killed or injured in the blast.", 0, 0),
        ("The blast occurred after a train passed, adding that no body was injured.", 0, 0),
        ("One civilian is killed and ten are injured at the Gandhi Memorial Hospital.", 1, 10),
    ],
)
def test_objects_inside_triggers_negation_and_names(text, killed, injured):
    counts = parse_casualties(text)
    assert (counts["killed"], counts["injured"]) == (killed, injured)


def test_background_deaths_are_kept_apart():
    text = (
        "Troops will hold a joint exercise next month. The drill comes weeks after two engineers "
        "were killed near the airport."
    )
    counts = parse_casualties(text)
    assert counts["killed"] == 0 and counts["background_killed"] == 2


@pytest.mark.parametrize(
    "text",
    [
        "Officials said 590 people have been killed in 667 rebel attacks in the state since 2009.",
        "As many as 71 cadres have so far been killed in various encounters in the district.",
        "At least 24 members of the group were killed this year alone, the police chief said.",
        "Over 100 policemen were killed in the first six months of the year, the report says.",
        "Eleven militants were killed in encounters during the year 2015, the minister said.",
    ],
)
def test_tallies_over_a_period_are_background(text):
    # a tally of many incidents is no single event: its deaths are background, not the event
    counts = parse_casualties(text)
    assert counts["killed"] == 0 and counts["background_killed"] > 0


@pytest.mark.parametrize(
    ("text", "killed"),
    [
        ("Police charged 32 cadres over the arson attack that left six people killed.", 0),
        ("Twelve soldiers were killed when rebels attacked their camp on 3 May.", 12),
        (
            "Two villagers were shot dead on Monday. Police said 31 people have been killed "
            "in the district so far this year.",
            2,
        ),
        ("A former cadre, who had surrendered in 2001, was beheaded by the rebels.", 1),
    ],
)
def test_tally_and_relative_clause_rules_keep_single_events(text, killed):
    assert parse_casualties(text)["killed"] == killed


def test_nobody_hurt_is_flagged():
    assert parse_casualties("The bomb was defused and no one was hurt.")["none_reported"] == 1


@pytest.mark.parametrize(
    ("killed", "injured", "abducted", "level"),
    [
        (0, 0, 0, "medium"),
        (0, 1, 0, "high"),
        (9, 0, 0, "high"),
        (10, 0, 0, "critical"),
        (0, 0, 2, "high"),
    ],
)
def test_rule_level(killed, injured, abducted, level):
    assert rule_level({"killed": killed, "injured": injured, "abducted": abducted}) == level


@pytest.mark.parametrize("fitting_side", [False, True])
def test_transformer_shape_and_names(fitting_side):
    from riskclf.estimators import CasualtySignals

    features = CasualtySignals().fit([]) if fitting_side else CasualtyFeatures()
    X = features.transform(["Ten people were killed in the blast.", "Talks resumed."])
    assert X.shape == (2, len(FEATURE_NAMES))
    names = features.get_feature_names_out() if fitting_side else features.feature_names()
    assert list(names) == list(FEATURE_NAMES)
    row = dict(zip(FEATURE_NAMES, X.toarray()[0], strict=True))
    assert row["killed>=10"] == 1 and row["killed>=1"] == 1 and row["rule_critical"] == 1
    assert X[1].nnz == 0


TRICKY = [
    "Three CISF personnel, including a sub-inspector, were killed on March 28, 2011.",
    "Rs. 5 lakh was seized; 206th battalion jawans, aged 25, lost their lives near NH-30.",
    "A trader was strangulated. Two women were taken away by a group of 30 Maoists.",
    "About 50 armed cadres killed two villagers and burnt alive a farmer (45) in 2010.",
    "No one was hurt: the bomb was defused. Nobody was injured, officials said.",
    "The body of a constable was found; 12 people were beaten to death and five hacked.",
    "Militants took three engineers hostage and held them captive for 10 days.",
    "On March 3, 2015 the toll rose to 14; a rebel who killed two men in 2010 was held.",
    "Seven people dead, 4 hurt. The blast led to the death of Ram and two others on 5 May.",
    "A guard succumbed to his injuries. Gunmen assaulted a police post and fired in the air.",
]


def _with_runs(texts):
    """parse_casualties of each text given its shared word runs."""
    return [parse_casualties(t, r) for t, r in zip(texts, word_runs(texts), strict=True)]


def test_the_speed_gates_change_no_count(monkeypatch):
    # The stem, needed-word and "including" pre-checks only skip work that cannot match: with
    # every gate opened (the empty string is in every text) the counts must be the same.
    import pandas as pd

    import riskclf.casualties as cas

    corpus = pd.read_csv(
        Path(__file__).resolve().parents[1] / "data" / "starter_corpus.csv",
        dtype=str,
        keep_default_na=False,
    )
    texts = TRICKY + (corpus["title"] + "\n\n" + corpus["body"]).tolist()
    gated = [parse_casualties(t) for t in texts]
    # the stems found through the shared word runs are the stems found in the text
    assert _with_runs(texts) == gated
    monkeypatch.setattr(cas, "_STEM_KINDS", [("", kind) for kind in cas.KINDS])
    monkeypatch.setattr(cas, "_SUBSTRINGS", cas._by_first_character(cas._STEM_KINDS))
    cas._run_stems.cache_clear()  # its entries were made with the gated stems
    monkeypatch.setattr(cas, "_NOBODY_HURT_NEEDS", ("",))
    # every word run "may" hold a NOBODY_HURT word, so every text is searched for one
    monkeypatch.setattr(
        cas, "_NOBODY_HURT_RUNS", type("All", (), {"__contains__": lambda *_: True})()
    )
    # every sentence-level pre-check passes, whatever the article's word runs hold
    opened = cas._Gates._make(("",) for _ in cas._Gates._fields)
    monkeypatch.setattr(cas, "_GATED", opened)
    monkeypatch.setattr(cas, "_gates", lambda mask: opened)
    for ends in ("_BACKGROUND_TAIL_ENDS", "_RELATIVE_ENDS", "_PASSIVE_ENDS"):
        monkeypatch.setattr(cas, ends, ("",))
    monkeypatch.setattr(cas, "MASKS", [(m, ()) for m, _ in cas.MASKS])
    monkeypatch.setattr(cas, "_WORD_MASKS", [(m, ()) for m, _ in cas._WORD_MASKS])
    cas._masks_for.cache_clear()  # its entries were made with the gated masks
    # every mask tried even once the digits are all masked
    monkeypatch.setattr(cas, "_WORD_MASK_SET", frozenset(m for m, _ in cas.MASKS))
    assert [parse_casualties(t) for t in texts] == gated
    assert _with_runs(texts) == gated
    cas._run_stems.cache_clear()
    cas._masks_for.cache_clear()
    assert any(c["killed"] for c in gated) and any(c["none_reported"] for c in gated)


def test_the_word_run_cache_is_safe_under_threads():
    # Dask workers score partitions in threads: the per-run cache must never be read half
    # cleared. Eight threads parse while a ninth keeps clearing the cache.
    import threading

    import riskclf.casualties as cas

    texts = TRICKY * 20
    runs = word_runs(texts)
    expected = [parse_casualties(t) for t in texts]
    errors, results, stop = [], {}, threading.Event()

    def parse(k):
        try:
            results[k] = [parse_casualties(t, r) for t, r in zip(texts, runs, strict=True)]
        except Exception as exc:  # noqa: BLE001 - any failure in a thread is the finding
            errors.append(exc)

    def clear():
        while not stop.is_set():
            cas._run_stems.cache_clear()

    clearer = threading.Thread(target=clear)
    clearer.start()
    workers = [threading.Thread(target=parse, args=(k,)) for k in range(8)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    stop.set()
    clearer.join()
    assert not errors
    assert all(results[k] == expected for k in range(8))


def _needs_test(pattern, passes):
    """Every string that ``pattern`` finds something in passes the pre-check ``passes``."""

    @settings(max_examples=200, deadline=None)
    @given(st.from_regex(pattern))
    def check(text):
        assert passes(text), text

    return check


def _contains_one(needs):
    return lambda text: any(n in text for n in needs)


def _ends_with_one(ends):
    return lambda text: text.rstrip().endswith(ends)


@pytest.mark.parametrize(
    ("name", "passes"),
    [
        ("BACKGROUND_WORDS", lambda lex, cas: _contains_one(lex._BACKGROUND_NEEDS)),
        ("BACKGROUND_TAIL", lambda lex, cas: _ends_with_one(lex._BACKGROUND_TAIL_ENDS)),
        ("NON_ATTACK", lambda lex, cas: _contains_one(lex._NON_ATTACK_NEEDS)),
        ("RECALLED", lambda lex, cas: _contains_one(lex._RECALLED_NEEDS)),
        ("INCLUDING", lambda lex, cas: _contains_one(lex._INCLUDING_NEEDS)),
        ("PASSIVE_AUX", lambda lex, cas: _ends_with_one(cas._PASSIVE_ENDS)),
        ("RELATIVE", lambda lex, cas: _ends_with_one(cas._RELATIVE_ENDS)),
        ("PAST_PERFECT", lambda lex, cas: _contains_one(("had",))),
        ("_TOLL", lambda lex, cas: _contains_one(("toll",))),
    ],
)
def test_every_match_passes_its_pre_check(name, passes):
    # the substring and end tests in front of these patterns only skip texts they cannot
    # match: every text with a match passes its test (the test sees the text up to the
    # match's end, where the end-anchored patterns end)
    import re

    import riskclf.casualties as cas
    import riskclf.casualty_lexicon as lex

    pattern = getattr(cas, name, None) or getattr(lex, name)
    check = passes(lex, cas)

    def up_to_match(text):
        match = pattern.search(text)
        return match is None or check(text[: match.end()])

    _needs_test(re.compile(pattern.pattern), up_to_match)()


def test_the_object_inside_shot_dead_starts_with_shot():
    import riskclf.casualties as cas

    _needs_test(
        "^" + cas._OBJECT_INSIDE.pattern + "$",
        lambda text: not cas._OBJECT_INSIDE.fullmatch(text) or text.startswith("shot"),
    )()


def test_a_run_is_tested_for_every_stem_and_part_it_contains():
    # filing the substrings by first character skips only those that cannot be in the run
    import riskclf.casualties as cas

    subs = [(stem, 1 << i) for i, (stem, _) in enumerate(cas._STEM_KINDS, 1)]
    for parts, first in cas._PART_BITS:
        subs += [(part, 1 << j) for j, part in enumerate(parts, first)]
    words = [s for s, _ in subs] + [s[1:] + s for s, _ in subs] + TRICKY[-1].lower().split()
    for run in words + ["x", "2015", "ambushed", "unhurt", "killings", "19th", "courtroom"]:
        naive = int(run in cas._NOBODY_HURT_RUNS)
        for sub, bit in subs:
            if sub in run:
                naive |= bit
        assert cas._run_stems.__wrapped__(run) == naive, run


def test_every_need_of_an_article_gate_has_its_word_part_in_a_run():
    # an article's gates keep a need when some word run holds its word part: the part must be
    # word characters only, and inside the need
    import riskclf.casualties as cas
    from riskclf.tokens import RUN_RE

    for needs in cas._GATED:
        for need in needs:
            part = cas._word_part(need)
            if part is None:
                assert RUN_RE.search(need) is None
            else:
                assert part in need and RUN_RE.fullmatch(part)
    # the tables read back exactly the needs whose parts are present
    mask = 0
    for parts, first in cas._PART_BITS:
        for j, part in enumerate(parts, first):
            if part in ("last", "arrest", "may"):
                mask |= 1 << j
    gates = cas._gates(mask)
    assert "last " in gates.recalled and "anniversary" not in gates.recalled
    assert "arrest" in gates.non_attack and "court" not in gates.non_attack
    assert {"may", "last"} <= set(gates.background) and "would" not in gates.background
    assert "$" in gates.masks and "may" in gates.masks and "jan" not in gates.masks
