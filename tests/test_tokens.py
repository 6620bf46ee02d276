import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from riskclf import tokens
from riskclf.tokens import RUN_RE, runs_as_written, word_runs

# ASCII of every kind, the punctuation the fast path spaces out, and characters it must leave
# to the regular expression: accented and other letters, "İ" (longer in lower case), word
# characters among E2 xx xx bytes ("ⁱ" U+2071, "₀" U+2080), other signs ("€"), a lone surrogate
ALPHABET = list("aZ9_ \t\n\x1c.,-'\"#") + list("—–’“…\u2028\u202f₹") + list("éÉłŞſ×÷")
ALPHABET += list("İßⁱ₀€Σ\ud800\xa0ǅ")


def reference(text: str) -> list[str]:
    return RUN_RE.findall(text.lower())


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(ALPHABET), max_size=30))
def test_word_runs_are_the_runs_of_the_lower_cased_text(text):
    assert word_runs([text]) == [reference(text)]
    assert runs_as_written(text) == RUN_RE.findall(text)


@pytest.mark.parametrize(
    ("text", "fast"),
    [
        ("Two SOLDIERS_1 killed, 3 hurt (Quetta).", True),  # ASCII
        ("Sukma — two “jawans” killed… in ‘Bijapur’", True),  # punctuation of U+2000-U+203F
        ("₹5 lakh — for\u2009each", True),  # the rupee sign beside it
        ("José — killed in Łódź", True),  # accented letters of U+00C0-U+017F beside it
        ("5 × 3 — killed", False),  # a sign among them
        ("Ǆemal", False),  # a letter further on
        ("x\u2071y — z", False),  # a word character whose UTF-8 starts E2 too
        ("x\u2080y ₹", False),  # a subscript digit: E2 82 like the rupee sign, and a word
        ("€5 — paid", False),  # a sign the fast path does not know
        ("İstanbul", False),  # its lower case holds a combining dot
        ("a\ud800b", False),  # a lone surrogate
    ],
)
def test_the_fast_path_is_taken_only_where_it_is_exact(monkeypatch, text, fast):
    calls = []
    original = tokens.RUN_RE

    class Counting:
        def findall(self, s):
            calls.append(s)
            return original.findall(s)

    monkeypatch.setattr(tokens, "RUN_RE", Counting())
    assert word_runs([text]) == [reference(text)]
    assert (not calls) is fast
    assert runs_as_written(text) == original.findall(text)
