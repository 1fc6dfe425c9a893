"""Which words of a text belong to names: copying those from the Dutch is right.

Both the `untranslated` check (a clause left in Dutch, pipeline/document/checks.py) and
anti-copy decoding (pipeline/translate/nocopy.py) must tell Dutch text, which a
translation never keeps, from names, which it keeps: "Partij voor de Vrijheid",
"Wijk bij Duurstede", "Vincent van Gogh", "Saint-Georges de l'Oyapock", "iPhone".
"""

from __future__ import annotations

from collections.abc import Sequence

# Up to this many lower-case particles between two capitalised words are part of one name
# ("van", "voor de", "aan de", "op de", "de l'"). Not "en": "Trump en de Turkse president" is
# Dutch text, and a name such as "Berg en Dal" is rare.
NAME_GAP = 3
PARTICLES = frozenset(
    "van de der den ten ter te op aan bij voor het l d la le les du da das do dos di del della von zu y".split()
)


# A text of at least this many words, every one capitalised but for particles, is a headline in
# Title Case or capitals ("Rusland Wil Munitie van Noord-Korea", "DE REGERING VALT"): its capitals
# tell no name apart. Decided on the Dutch, and applied to its translation too.
TITLE_MIN_WORDS = 3
SMALL_WORD = 4


def is_headline(tokens: Sequence[str]) -> bool:
    """Whether `tokens` are a headline in Title Case or capitals: TITLE_MIN_WORDS words or more,
    all capitalised but for particles and words of up to SMALL_WORD letters ("en", "over")."""
    words = [t for t in tokens if len(t) > 1 and any(c.isalpha() for c in t)]
    significant = [t for t in words if capitalised(t) or not (len(t) <= SMALL_WORD or t.lower() in PARTICLES)]
    return len(significant) >= TITLE_MIN_WORDS and all(capitalised(t) for t in significant)


def capitalised(token: str) -> bool:
    """Whether a token is written like a name: an upper-case letter anywhere ("Gogh",
    "iPhone", "l'Oyapock", "'s-Hertogenbosch")."""
    return any(c.isupper() for c in token)


def name_mask(tokens: Sequence[str], headline: bool = False) -> list[bool]:
    """For each token, whether it belongs to a name: capitalised, or one of at most NAME_GAP
    particles between two capitalised tokens ("Vincent van Gogh"). A text's first token is
    capitalised as a sentence opener, so it is a name itself only with a capital after its
    first letter ("NRC", "iPhone"); a one-letter token ("I", "A") never is. In a `headline`
    (`is_headline`, of the text or of the Dutch it translates), no token is."""
    if headline:
        return [False] * len(tokens)
    upper = [len(t) > 1 and capitalised(t) for t in tokens]
    mask = [u and (k > 0 or capitalised(t[1:])) for k, (t, u) in enumerate(zip(tokens, upper))]
    k = 0
    while k < len(tokens):
        if upper[k]:
            k += 1
            continue
        end = k
        while end < len(tokens) and not upper[end]:
            end += 1
        gap = {t.lower().strip("'’") for t in tokens[k:end]}
        if 0 < k and end < len(tokens) and end - k <= NAME_GAP and gap <= PARTICLES:
            mask[k:end] = [True] * (end - k)
        k = end
    return mask
