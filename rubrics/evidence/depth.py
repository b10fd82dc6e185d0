"""What a candidate's sentences show beyond the words they use: the depth signals the rubric's level
descriptors reward, whether a sentence is a bare list of terms, and whether it only repeats what the
interviewer just said.

A message is cut into units: its sentences, and a long sentence without punctuation (speech) into
windows of about UNIT_WORDS words, after the fillers a recogniser leaves in ("um", "uh", "you
know"). Each unit is read for these signals (`SIGNALS`, by kind):

- choice: a concrete decision ("I'd use", "we'll go with", "start with");
- trade-off: a cost named against a gain ("trade-off", "at the cost of", "cheaper", "stale");
- alternatives: options weighed against each other ("rather than", "instead of", "versus");
- numbers: a figure (scale, latency, budgets, shares);
- business: a link back to what the business or its users get;
- failure: a failure mode or risk anticipated ("cold start", "roll back", "otherwise we leak").

A unit is a bare list when most of its words are the rubric's terms strung together with commas
("feature store, NDCG, A/B test, drift"): it names things without weighing any of them. A unit is
an echo when most of its content words were in the interviewer's last messages of the step.
"""

import re
from dataclasses import dataclass

UNIT_WORDS = 30
FILLERS_RE = re.compile(r"\b(?:um+|uh+|erm+|er|hmm+|ah+|you know|i mean|kind of|sort of)\b[,]?\s*", re.IGNORECASE)
_SENTENCE_RE = re.compile(r"[^.!?;\n]+[.!?;]?")
_WORD_RE = re.compile(r"[A-Za-z0-9@%'\u2019/-]+")

SIGNALS: dict[str, re.Pattern] = {
    "choice": re.compile(
        r"\b(?:i(?:'|\u2019)?d (?:use|pick|go|choose|start|prefer|train|keep|treat|frame|split|model|put|look|"
        r"combine|rebalance|measure|watch|compare|add|refresh)|i would|i will|i(?:'|\u2019)ll|we(?:'|\u2019)ll|"
        r"let(?:'|\u2019)s|i choose|i pick|go with|my choice|start with|first (?:a|the)|baseline (?:is|first)|"
        r"we (?:use|take|keep|cut|compute|precompute|do|need)|so (?:a|one|first)|(?:frame|treat) (?:it|this) as|"
        r"it(?:'|\u2019)?s a|it is a|this is a|estimate|predict(?:ing)?)\b",
        re.IGNORECASE,
    ),
    "trade-off": re.compile(
        r"\b(?:trade[- ]?offs?|at the cost|costs? (?:us|more|less|compute|money)|downside|cheaper|more expensive|"
        r"expensive|slower|slow|faster|stale|in exchange|on the other hand|the price|worth it|earn its keep|"
        r"but (?:it|they|that|this|only|also|slow|more|less)|saves?|more exact|simpler)\b",
        re.IGNORECASE,
    ),
    "alternatives": re.compile(
        r"\b(?:rather than|instead of|instead|versus|vs\.?|compared? (?:to|with|against)|alternatives?|"
        r"better than|worse than|over (?:matrix|a|the|mean)|either|or (?:we|is it|are we|do we)|"
        r"than (?:a|the|mean|ctr|cross|log))\b",
        re.IGNORECASE,
    ),
    "numbers": re.compile(
        r"(?:\b\d[\d,.]*\s*(?:%|k\b|m\b|b\b|ms\b|s\b)?|\b(?:million|billion|thousand|hundred|percent|"
        r"a few hundred|a couple hundred|ninety|ten|twenty|fifty)\b)",
        re.IGNORECASE,
    ),
    "business": re.compile(
        r"\b(?:business|revenue|money|sales|income|earn|churn|customers?|satisfaction|trust|refunds?|guardrail|"
        r"guard metric|leadership|come back|coming back|open the app|drives? real people away|lost|annoy|"
        r"what the goal|the goal|goal is|objective|success|support ticket|advertisers?)\b",
        re.IGNORECASE,
    ),
    "failure": re.compile(
        r"\b(?:fail\w*|risk\w*|break\w*|broken|wrong\w*|outage|fall ?back|roll ?back|go back|switch back|"
        r"cold start|leak\w*|skew|drift\w*|spikes?|bias\w*|attack\w*|adversar\w*|hide a loss|edge case|"
        r"hallucinat\w*|goes? (?:down|up|way above)|creeping up|otherwise|worse|narrows?|clickbait|"
        r"peek at the future|only learn from)\b",
        re.IGNORECASE,
    ),
}
KINDS = tuple(SIGNALS)
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "if",
        "so",
        "of",
        "to",
        "in",
        "on",
        "at",
        "by",
        "for",
        "with",
        "from",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "there",
        "here",
        "we",
        "i",
        "you",
        "they",
        "he",
        "she",
        "our",
        "your",
        "their",
        "my",
        "me",
        "us",
        "them",
        "do",
        "does",
        "did",
        "can",
        "could",
        "would",
        "should",
        "will",
        "shall",
        "may",
        "might",
        "must",
        "have",
        "has",
        "had",
        "not",
        "no",
        "yes",
        "ok",
        "okay",
        "right",
        "maybe",
        "think",
        "guess",
        "also",
        "just",
        "like",
        "then",
        "than",
        "what",
        "which",
        "who",
        "how",
        "when",
        "where",
        "why",
        "all",
        "any",
        "some",
        "more",
        "most",
        "very",
        "really",
        "about",
        "into",
        "over",
        "up",
        "down",
        "out",
        "one",
        "two",
    ]
)


@dataclass
class Unit:
    """One sentence (or window of a long spoken sentence) of a candidate's message."""

    text: str
    words: int
    content: frozenset[str]  # content words, folded
    signals: dict[str, str]  # kind -> the words that showed it
    is_list: bool = False
    is_echo: bool = False


def clean(text: str) -> str:
    """The text without fillers, spaces folded."""
    return " ".join(FILLERS_RE.sub("", text).split())


def words_of(text: str) -> list[str]:
    return [w.lower().strip("'\u2019-/") for w in _WORD_RE.findall(text)]


def content_words(words: list[str]) -> frozenset[str]:
    return frozenset(w for w in words if len(w) > 2 and w not in STOPWORDS)


def split_units(text: str) -> list[str]:
    """Sentences of `text` (fillers removed); a long one is cut into windows of about UNIT_WORDS words."""
    units = []
    for match in _SENTENCE_RE.finditer(clean(text)):
        sentence = match.group().strip()
        if not sentence:
            continue
        words = sentence.split()
        if len(words) <= UNIT_WORDS * 1.5:
            units.append(sentence)
            continue
        parts = max(2, round(len(words) / UNIT_WORDS))
        size = -(-len(words) // parts)
        units.extend(" ".join(words[i : i + size]) for i in range(0, len(words), size))
    return units


def signals_in(text: str) -> dict[str, str]:
    found = {}
    for kind, pattern in SIGNALS.items():
        match = pattern.search(text)
        if match:
            found[kind] = match.group().strip()
    return found


def is_bare_list(text: str, term_words: int) -> bool:
    """Most of the unit is terms strung together: at least three comma-separated items, each short, or
    terms making up more than half of a short unit."""
    body = text.split(":", 1)[-1]
    items = [i.strip() for i in re.split(r",|\band\b|\bor\b", body) if i.strip()]
    words = len(words_of(text))
    if len(items) < 3 or not words or SIGNALS["numbers"].search(text):
        return False  # a list of figures is requirements, not name-dropping
    short_items = sum(1 for i in items if len(i.split()) <= 3)
    terms = term_words / words
    if short_items >= len(items) - 1 and words <= 4 * len(items) and terms >= 0.3:
        return True
    return words <= 14 and terms > 0.5


def read_unit(text: str, *, term_words: int, said_before: frozenset[str]) -> Unit:
    """A unit with its signals; `said_before` are the interviewer's recent content words in the step."""
    words = words_of(text)
    content = content_words(words)
    signals = signals_in(text)
    echo = False
    if said_before and content:
        echo = len(content & said_before) / len(content) >= 0.5
    unit = Unit(text=text, words=len(words), content=content, signals=signals, is_echo=echo)
    unit.is_list = is_bare_list(text, term_words)
    if unit.is_list:
        unit.signals = {}
    return unit
