"""The one normaliser of search, the same for both databases and for the query.

``terms(text)`` is what the index stores (``SearchDoc.terms``): space-separated tokens. Each
character cluster (a base character and the combining marks after it) is NFKC-normalised and
case-folded; combining diacritics are stripped from Latin, Greek and Cyrillic letters only
(é -> e, ü -> u, ё -> е) and never from Devanagari, Arabic or Hebrew, whose marks are part of
the letters. Words are runs of letters, digits and marks (a Devanagari vowel sign, category Mc or
Mn, stays inside its word); format characters (zero-width joiners, soft hyphens) are ignored.
Runs of Han, Hiragana, Katakana and Hangul (written without spaces between words) become
overlapping bigrams, and the run's last character is also kept as a unigram, so a one-character
query finds every occurrence of its character (as a prefix: ``query_groups``), and a lone
character is a unigram. Bigrams rather than trigrams: a two-character word (日本, 祝贺, 総理)
is one bigram, where a trigram index could not find it.

``tokens(text)`` gives each token with the span of ORIGINAL characters it came from, so the
snippets highlight the text as written (``snippets.py``).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# Scripts written without spaces between words (code point ranges after NFKC).
_CJK_RANGES = (
    (0x1100, 0x11FF),  # Hangul Jamo
    (0x2E80, 0x2FDF),  # CJK radicals, Kangxi radicals
    (0x3005, 0x3007),  # 々 〆 〇
    (0x3021, 0x3029),  # Hangzhou numerals
    (0x3031, 0x3035),  # kana repeat marks
    (0x303B, 0x303C),  # 〻 〼
    (0x3040, 0x30FF),  # Hiragana, Katakana (with ー)
    (0x3100, 0x312F),  # Bopomofo
    (0x3130, 0x318F),  # Hangul compatibility jamo
    (0x31A0, 0x31BF),  # Bopomofo extended
    (0x31F0, 0x31FF),  # Katakana phonetic extensions
    (0x3400, 0x4DBF),  # CJK extension A
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xA960, 0xA97F),  # Hangul jamo extended A
    (0xAC00, 0xD7FF),  # Hangul syllables, jamo extended B
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0x1B000, 0x1B16F),  # Kana supplement, extended
    (0x20000, 0x3134F),  # CJK extensions B-G
)

_FOLD_SCRIPTS = ("LATIN", "GREEK", "CYRILLIC")


_category = lru_cache(maxsize=65536)(unicodedata.category)


@lru_cache(maxsize=65536)
def _is_cjk(ch: str) -> bool:
    cp = ord(ch)
    return any(lo <= cp <= hi for lo, hi in _CJK_RANGES)


@lru_cache(maxsize=65536)
def _folds(ch: str) -> bool:
    """Whether combining diacritics on this base letter are stripped (Latin, Greek, Cyrillic)."""
    return unicodedata.name(ch, "").startswith(_FOLD_SCRIPTS)


@lru_cache(maxsize=65536)
def _is_word(ch: str) -> bool:
    cat = _category(ch)
    return cat[0] in "LNM" or cat == "Co"


@lru_cache(maxsize=65536)
def _is_mark(ch: str) -> bool:
    return _category(ch)[0] == "M"


@lru_cache(maxsize=65536)
def _norm_cluster(cluster: str) -> str:
    """NFKC, case fold, strip the diacritics of Latin/Greek/Cyrillic bases (NFD, drop Mn, NFC)."""
    s = unicodedata.normalize("NFKC", cluster).casefold()
    decomposed = unicodedata.normalize("NFD", s)
    out: list[str] = []
    strip = False
    for ch in decomposed:
        if unicodedata.category(ch) == "Mn":
            if strip:
                continue
        else:
            strip = _folds(ch)
        out.append(ch)
    return unicodedata.normalize("NFC", "".join(out))


@dataclass(frozen=True)
class Token:
    text: str
    start: int  # in the original text
    end: int
    cjk: bool = False
    run: int = 0  # which CJK run (a query's run is one phrase)


def _chars(text: str) -> list[tuple[str, int, int]]:
    """The normalised characters, each with the original span of the cluster it came from."""
    out: list[tuple[str, int, int]] = []
    i, n = 0, len(text)
    while i < n:
        j = i + 1
        while j < n and _is_mark(text[j]):
            j += 1
        for ch in _norm_cluster(text[i:j]):
            out.append((ch, i, j))
        i = j
    return out


def tokens(text: str) -> list[Token]:
    """The tokens of ``text`` in order, with their original spans."""
    result: list[Token] = []
    word: list[tuple[str, int, int]] = []
    run: list[tuple[str, int, int]] = []
    runs = 0

    def flush_word() -> None:
        if word:
            result.append(Token("".join(c for c, _, _ in word), word[0][1], word[-1][2]))
            word.clear()

    def flush_run() -> None:
        nonlocal runs
        if not run:
            return
        runs += 1
        for a, b in zip(run, run[1:], strict=False):
            result.append(Token(a[0] + b[0], a[1], b[2], cjk=True, run=runs))
        last = run[-1]
        result.append(Token(last[0], last[1], last[2], cjk=True, run=-runs))
        run.clear()

    for ch, s, e in _chars(text):
        if _category(ch) == "Cf":
            continue  # zero-width joiners, soft hyphens, direction marks: not separators
        if _is_cjk(ch):
            flush_word()
            run.append((ch, s, e))
        elif _is_word(ch):
            if _is_mark(ch) and run and not word:
                # A mark left after a CJK character (NFKC did not compose it): part of it.
                c, s0, _ = run[-1]
                run[-1] = (c + ch, s0, e)
                continue
            flush_run()
            word.append((ch, s, e))
        else:
            flush_word()
            flush_run()
    flush_word()
    flush_run()
    return result


def terms(text: str) -> str:
    """``text`` as the index stores it: its tokens, separated by single spaces."""
    return " ".join(t.text for t in tokens(text))


@dataclass(frozen=True)
class Group:
    """One part of a query: a word, a CJK run's bigrams (a phrase: all of them, in order where
    the backend can), or one CJK character (matched as a prefix: every bigram starting with it,
    or the unigram ending a run)."""

    tokens: tuple[str, ...]
    prefix: bool = False


def query_groups(q: str) -> list[Group]:
    """The user's query as groups that must all match (duplicates dropped)."""
    groups: list[Group] = []
    seen: set[Group] = set()
    toks = tokens(q)
    i = 0
    while i < len(toks):
        t = toks[i]
        if not t.cjk:
            g = Group((t.text,))
            i += 1
        else:
            # A run: its bigrams (run > 0) then its closing unigram (run < 0).
            bigrams = []
            while i < len(toks) and toks[i].cjk and toks[i].run > 0:
                bigrams.append(toks[i].text)
                i += 1
            unigram = toks[i].text
            i += 1
            g = Group(tuple(bigrams)) if bigrams else Group((unigram,), prefix=True)
        if g not in seen:
            seen.add(g)
            groups.append(g)
    return groups


def query(q: str) -> list[str]:
    """The user's query as the tokens that must all be in a document ("日本" -> ["日本"];
    "東京都" -> ["東京", "京都"]; "Glückwünsche" -> ["gluckwunsche"])."""
    return [tok for g in query_groups(q) for tok in g.tokens]
