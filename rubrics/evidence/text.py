"""Finding a rubric's concepts in what people wrote.

Text is split into word tokens (each remembering its span in the original, so a match can be quoted
exactly) and punctuation tokens (which end a clause). Words are case-folded, stripped of accents and
apostrophes ("don't" -> "dont"), and reduced to a stem by a small suffix-stripping stemmer, so
"ranking", "ranker" and "ranks" all become "rank". A concept phrase matches a run of tokens whose
stems equal the phrase's stems; hyphenated or slashed compounds match written either way
("A/B test", "AB test"; "re-ranking", "reranking"), and metric spellings are folded together:
"precision@10", "precision at k" and "Precision@K" are all "precision at k"; "p99", "P 99" and
"99th percentile" are all "p99".

A mention inside a negated clause ("we don't need a feature store", "no monitoring", "without drift
checks", "monitoring isn't needed") is reported as negated. A clause ends at punctuation or at a
conjunction that turns the sentence ("but", "however", "because"...); two negations in one clause
cancel out ("we can't ship without A/B tests" is a real mention).
"""

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

WORD = "word"
BREAK = "break"

# Words, "@", and the punctuation that ends a clause (a spaced dash counts; a hyphen inside a word does not).
_APOSTROPHES = "'\u2019"
_DASHES = "\u2013\u2014"
_TOKEN_RE = re.compile(
    rf"[^\W_]+(?:[{_APOSTROPHES}][^\W_]+)*|@|\s[-{_DASHES}]\s|[{_DASHES}.,;:!?()\[\]{{}}\n\"\u201c\u201d]"
)
_SENTENCE_END_RE = re.compile(r"[.!?\n]")
_NUMBER_RE = re.compile(r"\d+(?:th|st|nd|rd)?")

NEGATION_CUES = frozenset(
    {
        "no",
        "not",
        "never",
        "without",
        "none",
        "neither",
        "nor",
        "dont",
        "doesnt",
        "didnt",
        "wont",
        "cant",
        "cannot",
        "isnt",
        "arent",
        "wasnt",
        "werent",
        "shouldnt",
        "wouldnt",
        "couldnt",
        "havent",
        "hasnt",
        "hadnt",
        "neednt",
        "mustnt",
        "skip",
        "skips",
        "skipped",
        "skipping",
        "omit",
        "omitting",
    }
)
# Two-word cues: "instead of X", "rather than X".
NEGATION_PAIRS = frozenset({("instead", "of"), ("rather", "than")})
# "not only X but also Y" and friends are not negations.
NOT_NEGATING_NEXT = {
    "not": {"only", "just", "merely", "sure"},
    "no": {"doubt", "matter"},
    "without": {"doubt"},
    "skip": {"connection", "connections", "gram", "grams"},
}
# Words that end a negation's reach: what follows is a new clause.
SCOPE_ENDERS = frozenset({"but", "however", "although", "though", "whereas", "because", "since", "unless", "except"})
# "X is not needed", "X isn't worth it": a cue after the mention followed closely by one of these.
NEED_WORDS = frozenset(
    {"need", "needed", "necessary", "required", "require", "worth", "important", "relevant", "useful", "matter"}
)
NEED_WINDOW = 3

# Spelling variants folded before stemming (prefixes; the British -ise/-isation forms are handled by rule).
_SPELLINGS = (
    ("neighbour", "neighbor"),
    ("behaviour", "behavior"),
    ("favour", "favor"),
    ("colour", "color"),
    ("labour", "labor"),
    ("catalogue", "catalog"),
    ("dialogue", "dialog"),
    ("centre", "center"),
)
_BRITISH_ENDINGS = (
    ("isations", "izations"),
    ("isation", "ization"),
    ("ising", "izing"),
    ("ised", "ized"),
    ("ises", "izes"),
    ("ise", "ize"),
    ("ysing", "yzing"),
    ("ysed", "yzed"),
    ("yse", "yze"),
)
# (suffix, replacement, shortest stem left behind), tried in order; the first that fits applies.
_SUFFIXES = (
    ("ational", "ate", 3),
    ("ization", "ize", 3),
    ("ation", "ate", 3),
    ("ator", "ate", 3),
    ("tion", "t", 3),
    ("sion", "s", 3),
    ("iveness", "ive", 3),
    ("fulness", "ful", 3),
    ("ousness", "ous", 3),
    ("ness", "", 3),
    ("ality", "al", 3),
    ("ivity", "ive", 3),
    ("bility", "ble", 3),
    ("ity", "", 4),
    ("ment", "", 4),
    ("er", "", 3),
    ("ly", "", 4),
    ("al", "", 5),
)
_VOWELS = frozenset("aeiouy")
_KEEP_FINAL_S = frozenset({"bias", "alias", "canvas", "atlas", "lens", "news", "series", "species"})


def _americanise(word: str) -> str:
    for british, american in _SPELLINGS:
        if word.startswith(british):
            return american + word[len(british) :]
    for british, american in _BRITISH_ENDINGS:
        if word.endswith(british) and len(word) - len(british) >= 3:
            return word[: -len(british)] + american
    return word


def stem(word: str) -> str:
    """A deterministic suffix-stripping stemmer in the spirit of Porter's: plurals, -ing/-ed, common
    derivational endings (-ation, -ity, -ness, -ment, -er...), a final -e, -ize, and doubled final
    consonants. Both sides of every comparison go through it, so it only has to be consistent."""
    if len(word) < 3 or not word.isalpha():
        return word
    w = _americanise(word)
    # Plurals.
    if w.endswith("sses"):
        w = w[:-2]
    elif w.endswith("ies") and len(w) > 4:
        w = w[:-3] + "y"
    elif w.endswith(("ss", "us", "is")) or w in _KEEP_FINAL_S:
        pass
    elif w.endswith("s"):
        w = w[:-1]
    # -ing, -ed, when a syllable is left.
    for suffix in ("ing", "ed"):
        if w.endswith(suffix):
            base = w[: -len(suffix)]
            if len(base) >= 3 and _VOWELS & set(base):
                w = base
            break
    # Derivational endings.
    for suffix, replacement, shortest in _SUFFIXES:
        if w.endswith(suffix) and len(w) - len(suffix) >= shortest:
            w = w[: -len(suffix)] + replacement
            break
    if w.endswith("e") and len(w) >= 4:
        w = w[:-1]
    if w.endswith("iz") and len(w) >= 6:
        w = w[:-2]
    if len(w) >= 3 and w[-1] == w[-2] and w[-1] not in _VOWELS:
        w = w[:-1]
    return w


def fold(word: str) -> str:
    """Case-fold, strip accents and apostrophes: "Don't" -> "dont", "naïve" -> "naive"."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch) and ch not in _APOSTROPHES)


@dataclass
class Token:
    norm: str  # folded form; punctuation tokens keep their character
    start: int
    end: int
    kind: str = WORD
    glued: bool = False  # joined to the previous word by "-" or "/" with no space (a compound)
    stem: str = ""

    def __post_init__(self):
        if not self.stem:
            self.stem = stem(self.norm) if self.kind == WORD else self.norm


def tokenise(text: str) -> list[Token]:
    raw: list[Token] = []
    for match in _TOKEN_RE.finditer(text):
        piece = match.group()
        start, end = match.span()
        if piece == "@":
            raw.append(Token("at", start, end))
        elif piece.strip() and (piece[0].isalnum() or piece[-1].isalnum()):
            glued = bool(raw) and raw[-1].kind == WORD and text[raw[-1].end : start] in ("-", "/")
            raw.append(Token(fold(piece), start, end, glued=glued))
        else:
            raw.append(Token(piece.strip() or "-", start, end, kind=BREAK))
    return _fold_metrics(raw)


def _fold_metrics(tokens: list[Token]) -> list[Token]:
    """precision@10 / precision at k -> precision at k; p99 / p 99 / 99th percentile -> p99."""
    out: list[Token] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        following = tokens[index + 1] if index + 1 < len(tokens) else None
        if token.kind == WORD and following is not None and following.kind == WORD:
            if token.norm == "p" and following.norm.isdigit():
                out.append(Token(f"p{following.norm}", token.start, following.end, glued=token.glued))
                index += 2
                continue
            if _NUMBER_RE.fullmatch(token.norm) and following.norm == "percentile":
                digits = "".join(ch for ch in token.norm if ch.isdigit())
                out.append(Token(f"p{digits}", token.start, following.end, glued=token.glued))
                index += 2
                continue
        after_at = token.kind == WORD and out and out[-1].kind == WORD and out[-1].norm == "at"
        if after_at and (token.norm.isdigit() or token.norm in ("k", "n")):
            token = Token("k", token.start, token.end, glued=token.glued)
        out.append(token)
        index += 1
    return out


def phrase_stems(phrase: str) -> list[tuple[str, ...]]:
    """The stem sequences a concept phrase matches: as written, and with its compounds joined."""
    tokens = [t for t in tokenise(phrase) if t.kind == WORD]
    if not tokens:
        return []
    variants = [tuple(t.stem for t in tokens)]
    if any(t.glued for t in tokens):
        joined: list[str] = []
        for token in tokens:
            if token.glued and joined:
                joined[-1] += token.norm
            else:
                joined.append(token.norm)
        variant = tuple(stem(word) for word in joined)
        if variant not in variants:
            variants.append(variant)
    return variants


@dataclass(frozen=True)
class Mention:
    phrase: str  # the concept as the rubric spells it
    payload: Any  # what the caller attached to the phrase (e.g. a criterion key)
    start: int  # span of the quote in the original text
    end: int
    quote: str  # text[start:end], exactly as written
    negated: bool
    sentence: str  # the sentence around it, for display

    @property
    def verdict(self) -> str:
        return "negated" if self.negated else "found"


FUZZY_CUTOFF = 80  # rapidfuzz ratio (0-100) a misspelt word needs to count as a concept's word
FUZZY_SHORTEST = 5  # shorter words are never corrected: too many real words lie one letter apart


@dataclass
class PhraseIndex:
    """Concept phrases, each with a payload, indexed by first stem for matching many at once.

    With `fuzzy`, a word that is not one of the phrases' words is read as the closest of them when it
    is a likely misspelling (same first letter, at least FUZZY_SHORTEST letters, rapidfuzz ratio of
    FUZZY_CUTOFF or more): "latancy" is latency, "clasification" classification, "stoer" store."""

    by_first: dict[str, list[tuple[tuple[str, ...], str, Any]]] = field(default_factory=dict)
    longest: int = 0
    fuzzy: bool = False
    words: set[str] = field(default_factory=set)
    stems: set[str] = field(default_factory=set)
    _corrected: dict[str, str | None] = field(default_factory=dict, repr=False)

    @classmethod
    def build(cls, phrases: Iterable[tuple[str, Any]], *, fuzzy: bool = False) -> "PhraseIndex":
        index = cls(fuzzy=fuzzy)
        for phrase, payload in phrases:
            index.add(phrase, payload)
        return index

    def add(self, phrase: str, payload: Any) -> None:
        for stems in phrase_stems(phrase):
            entry = (stems, phrase, payload)
            bucket = self.by_first.setdefault(stems[0], [])
            if entry not in bucket:
                bucket.append(entry)
            self.longest = max(self.longest, len(stems))
        for token in tokenise(phrase):
            if token.kind == WORD:
                self.words.add(token.norm)
                self.stems.add(token.stem)
        self._corrected.clear()

    def corrected(self, token: Token) -> str | None:
        """The stem of the phrase word a misspelt `token` stands for, or None."""
        norm = token.norm
        if not self.fuzzy or len(norm) < FUZZY_SHORTEST or not norm.isalpha() or token.stem in self.stems:
            return None
        if norm not in self._corrected:
            from rapidfuzz import fuzz, process

            choices = [w for w in self.words if w[0] == norm[0] and abs(len(w) - len(norm)) <= 2 and len(w) >= 4]
            best = process.extractOne(norm, choices, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF)
            self._corrected[norm] = stem(best[0]) if best else None
        return self._corrected[norm]


def _alternatives(tokens: list[Token], position: int) -> list[tuple[str, int]]:
    """(stem, next position) readings of the word at `position`: itself, or a compound it starts."""
    token = tokens[position]
    readings = [(token.stem, position + 1)]
    joined = token.norm
    nxt = position + 1
    while nxt < len(tokens) and tokens[nxt].kind == WORD and tokens[nxt].glued:
        joined += tokens[nxt].norm
        nxt += 1
        readings.append((stem(joined), nxt))
    return readings


def _match_from(tokens: list[Token], position: int, stems: tuple[str, ...], cache: dict) -> int | None:
    """The position after a match of `stems` starting at `position`, or None."""
    if not stems:
        return position
    if position >= len(tokens) or tokens[position].kind != WORD:
        return None
    if position not in cache:
        cache[position] = _alternatives(tokens, position)
    for reading, nxt in cache[position]:
        if reading == stems[0]:
            end = _match_from(tokens, nxt, stems[1:], cache)
            if end is not None:
                return end
    return None


def _is_cue(tokens: list[Token], position: int) -> bool:
    token = tokens[position]
    nxt = tokens[position + 1].norm if position + 1 < len(tokens) else ""
    if token.norm in NEGATION_CUES:
        return nxt not in NOT_NEGATING_NEXT.get(token.norm, ())
    return (token.norm, nxt) in NEGATION_PAIRS


def _ends_scope(token: Token) -> bool:
    return token.kind == BREAK or token.norm in SCOPE_ENDERS


def _negated(tokens: list[Token], first: int, last: int) -> bool:
    """Whether the mention tokens[first:last] sits in a negated clause."""
    cues = 0
    position = first - 1
    while position >= 0 and not _ends_scope(tokens[position]):
        if _is_cue(tokens, position):
            cues += 1
        position -= 1
    if cues % 2:
        return True
    # After the mention: "monitoring is not needed", "drift checks are out of scope".
    position = last
    while position < len(tokens) and not _ends_scope(tokens[position]):
        norm = tokens[position].norm
        if norm == "out" and [t.norm for t in tokens[position + 1 : position + 3]] == ["of", "scope"]:
            return True
        if norm in NEGATION_CUES:
            window = tokens[position + 1 : position + 1 + NEED_WINDOW]
            if any(t.norm in NEED_WORDS or t.stem == "need" for t in window):
                return True
        position += 1
    return False


def _sentence(text: str, start: int, end: int, limit: int = 240) -> str:
    """The sentence around text[start:end], shortened with ellipses to about `limit` characters."""
    left = 0
    for boundary in _SENTENCE_END_RE.finditer(text, 0, start):
        left = boundary.end()
    after = _SENTENCE_END_RE.search(text, end)
    right = len(text) if after is None else (after.start() if after.group() == "\n" else after.end())
    raw = text[left:right]
    offset = left + len(raw) - len(raw.lstrip())
    sentence = raw.strip()
    if len(sentence) <= limit:
        return sentence
    centre = (start + end) // 2 - offset
    lo = max(0, min(centre - limit // 2, len(sentence) - limit))
    piece = sentence[lo : lo + limit].strip()
    return ("…" if lo > 0 else "") + piece + ("…" if lo + limit < len(sentence) else "")


def find_mentions(text: str, index: PhraseIndex, *, longest_only: bool = False) -> list[Mention]:
    """Every mention of the index's phrases in `text`, in order of appearance.

    A mention inside a longer one with the same payload is dropped ("precision" inside
    "precision@k"); with `longest_only`, inside a longer one of any payload too ("latency" inside
    "latency budget", "feature" inside "feature store"). One span gives one mention per payload."""
    tokens = tokenise(text)
    if index.fuzzy:
        for token in tokens:
            if token.kind == WORD:
                fixed = index.corrected(token)
                if fixed:
                    token.stem = fixed
    cache: dict[int, list[tuple[str, int]]] = {}
    raw: list[tuple[int, int, str, Any]] = []  # (first token, end token, phrase, payload)
    for position, token in enumerate(tokens):
        if token.kind != WORD:
            continue
        if position not in cache:
            cache[position] = _alternatives(tokens, position)
        for reading, _ in cache[position]:
            for stems, phrase, payload in index.by_first.get(reading, ()):
                end = _match_from(tokens, position, stems, cache)
                if end is not None:
                    raw.append((position, end, phrase, payload))
    mentions = []
    for first, last, phrase, payload in _drop_contained(raw, longest_only=longest_only):
        start, end = tokens[first].start, tokens[last - 1].end
        mentions.append(
            Mention(
                phrase=phrase,
                payload=payload,
                start=start,
                end=end,
                quote=text[start:end],
                negated=_negated(tokens, first, last),
                sentence=_sentence(text, start, end),
            )
        )
    mentions.sort(key=lambda m: (m.start, -m.end, m.phrase))
    return mentions


def _inside(item: tuple[int, int, str, Any], others: list[tuple[int, int, str, Any]]) -> bool:
    """Whether `item`'s tokens lie within a strictly longer one of `others`."""
    first, last = item[0], item[1]
    return any(o[0] <= first and last <= o[1] and (o[1] - o[0]) > (last - first) for o in others)


def _drop_contained(raw: list[tuple[int, int, str, Any]], *, longest_only: bool) -> list[tuple[int, int, str, Any]]:
    by_payload: dict[Any, list[tuple[int, int, str, Any]]] = {}
    for item in raw:
        by_payload.setdefault(_hashable(item[3]), []).append(item)
    kept = []
    for items in by_payload.values():
        spans = set()
        for item in items:
            if _inside(item, raw if longest_only else items) or (item[0], item[1]) in spans:
                continue
            spans.add((item[0], item[1]))  # one phrase per span: "A/B tests" is one mention
            kept.append(item)
    return kept


def _hashable(payload: Any) -> Any:
    try:
        hash(payload)
    except TypeError:
        return repr(payload)
    return payload
