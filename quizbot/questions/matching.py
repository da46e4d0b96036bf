"""Typed-answer matching: normalisation, length-scaled typo tolerance, whole-word and option-letter rules.

Pure functions with no I/O. `normalise` folds case, accents, punctuation, leading articles and number
words; `answer_matches` compares a player's message with accepted answers; `fuzzy_matcher` is the
`Matcher` the game core calls for every typed answer.

Everything is done in the question's language (`Question.language`, a Discord locale): English reads
number words up to a hundred and drops "the", "a", "an" and the articles English names borrow ("La
Paz"); every other language takes its articles, its number words (0 to 20 at least) and its words
for true and false from `quizbot.game.languages`, and a language not tabled there matches with no
articles and digits only. Typo tolerance is the same in every language.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from typing import NamedTuple

from rapidfuzz.distance import OSA

from quizbot.game.languages import DEFAULT_LANGUAGE, WORDINGS, Folded, folded, language_code
from quizbot.game.questions import TRUE_FALSE, Question, QuestionKind

MAX_RESPONSE = 200  # characters: longer messages are spam and never match
MAX_EXTRA_WORDS = 6  # words a response may have beyond the answer's, against "shotgun" lists of guesses
ARTICLES = WORDINGS["en"].articles  # English's, with the French, Spanish and German ones its names borrow
UNITS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
TEENS = ("ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen")
TENS = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
OPTION_LETTERS = "abcde"

_SMALL = {word: str(n) for n, word in enumerate((*UNITS, *TEENS, "nineteen"))}
_TENS = {word: 10 * n for n, word in enumerate(TENS, start=2)}
_UNIT_VALUES = {word: n for n, word in enumerate(UNITS) if n}
_NUMBER_WORDS = frozenset({*_SMALL, *_TENS, "hundred"})
_APOSTROPHES = "'\u2019\u2018\u02bb\u02bc`\u00b4"  # deleted, so "Hawai'i" == "Hawaii"
_LETTER_FOLDS = dict(zip("øđðłæœħ\u0131þ", ("o", "d", "d", "l", "ae", "oe", "h", "i", "th"), strict=True))
# Marks that are part of the spelling, not accents: Indic to Myanmar, Khmer, and the kana voicing marks.
_KEPT_MARKS = ((0x0900, 0x109F), (0x1780, 0x17FF), (0x3099, 0x309A))
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_DIGIT = re.compile(r"\d")
_CACHE_LIMIT = 65_536


def _ascii_bytes_table() -> bytes:
    """Lower-case ASCII letters, keep digits, turn everything else into a space (for `bytes.translate`)."""
    return bytes(ord(chr(b).lower()) if chr(b).isalnum() else ord(" ") for b in range(256))


class _CharTable(dict[int, str | None]):
    """A `str.translate` table that classifies each code point once, on first sight."""

    def __missing__(self, codepoint: int) -> str | None:
        """Map a code point never seen before: drop it, fold it, keep it or make it a space."""
        char = chr(codepoint)
        category = unicodedata.category(char)
        mapped: str | None
        if char in _APOSTROPHES:
            mapped = None
        elif char in _LETTER_FOLDS:
            mapped = _LETTER_FOLDS[char]
        elif category[0] == "M":
            mapped = char if any(lo <= codepoint <= hi for lo, hi in _KEPT_MARKS) else None
        elif category == "Nd":
            mapped = str(unicodedata.decimal(char))
        elif category[0] in "LN":
            mapped = char
        else:
            mapped = " "
        if len(self) < _CACHE_LIMIT:
            self[codepoint] = mapped
        return mapped


_ASCII = _ascii_bytes_table()
_UNICODE = _CharTable({ord("&"): " and "})


def normalise(text: str, language: str = DEFAULT_LANGUAGE) -> str:
    """Fold text for comparison: case, accents, "&", punctuation, spacing, and in `language` (a Discord
    locale) a leading article and number words."""
    return " ".join(_words(text, language))


def _words(text: str, language: str = DEFAULT_LANGUAGE) -> list[str]:
    """The words of `normalise(text, language)`."""
    rules = _rules(language)
    if rules is not None:
        return rules.words(_folded_words(rules.unelide(text)))
    words = _folded_words(text)
    if not _NUMBER_WORDS.isdisjoint(words):
        words = _numbers(words)
    while len(words) > 1 and words[0] in ARTICLES:
        del words[0]
    return words


@lru_cache(maxsize=64)
def _rules(language: str) -> Folded | None:
    """The articles and number words of `language`, folded as answers are; None for English, whose
    numbers up to a hundred `_numbers` reads."""
    return None if language_code(language) == "en" else folded(language, _folded_words)


def _folded_words(text: str) -> list[str]:
    """The words of `text` with case, accents, "&", punctuation and thousands separators folded."""
    if text.isascii():
        if "&" in text:
            text = text.replace("&", " and ")
        if "," in text:
            text = _THOUSANDS.sub("", text)
        words = text.encode().translate(_ASCII, b"'`").decode().split()
    else:
        decomposed = unicodedata.normalize("NFKD", text).casefold()
        if "," in decomposed:
            decomposed = _THOUSANDS.sub("", decomposed)
        words = unicodedata.normalize("NFC", decomposed.translate(_UNICODE)).split()
    return words


def _numbers(words: list[str]) -> list[str]:
    """Replace number words from zero to one hundred by digits ("twenty one" -> "21")."""
    out: list[str] = []
    i, count = 0, len(words)
    while i < count:
        word = words[i]
        following = words[i + 1] if i + 1 < count else ""
        if word in _TENS:
            if following in _UNIT_VALUES:
                out.append(str(_TENS[word] + _UNIT_VALUES[following]))
                i += 2
                continue
            out.append(str(_TENS[word]))
        elif word in ("one", "a") and following == "hundred":
            out.append("100")
            i += 2
            continue
        else:
            out.append(_SMALL.get(word, word))
        i += 1
    return out


def _has_digit(word: str) -> bool:
    """Whether a word holds a digit ("1984", "4th")."""
    return not word.isalpha() and _DIGIT.search(word) is not None


def _digit_words(words: Sequence[str]) -> tuple[str, ...]:
    """The words that hold digits, in order."""
    return tuple(w for w in words if _has_digit(w))


SHORT_WORD = 3


def tolerance(length: int) -> int:
    """Edits allowed for an answer of `length` characters: 0 up to 3, 1 to 8, 2 to 14, then a seventh.

    Tight on purpose: two edits would let "mitosis" pass for "meiosis".
    """
    if length <= 3:
        return 0
    if length <= 8:
        return 1
    if length <= 14:
        return 2
    return length // 7


class _Target(NamedTuple):
    """One accepted answer, normalised once, with what matching needs at hand."""

    text: str
    size: int  # words
    padded: str  # the text between spaces, to find it as whole words in a response
    numbers: tuple[str, ...]  # words with digits, which must match exactly
    edits: int  # typos allowed
    short: frozenset[str]  # a multi-word answer's words of 3 characters or fewer: no typos in them


@lru_cache(maxsize=8192)
def _target(answer: str, language: str = DEFAULT_LANGUAGE) -> _Target:
    """An accepted answer prepared for matching (cached: answers repeat for every message)."""
    words = _words(answer, language)
    text, numbers = " ".join(words), _digit_words(words)
    edits = 0 if len(words) == 1 and numbers else tolerance(len(text))
    short = frozenset(w for w in words if len(w) <= SHORT_WORD) if len(words) > 1 else frozenset()
    return _Target(text, len(words), f" {text} ", numbers, edits, short)


def _distance(text: str, words: list[str], digits: bool, target: _Target) -> int | None:
    """The fewest edits by which a normalised response matches the target, or None when it does not match.

    `words` are the response's words and `digits` tells whether any has a digit.
    """
    wanted, size, padded, numbers, edits, short = target
    if text == wanted:
        return 0 if wanted else None
    if numbers and (not digits or _digit_words(words) != numbers):
        return None  # numbers match exactly, and "1984 or 1985" is two guesses
    count = len(words)
    if count > size:  # the answer may be any run of `size` words in the response
        if count > size + MAX_EXTRA_WORDS or not wanted:
            return None
        if padded in f" {text} ":
            return 0
    if not edits or not short <= set(words):  # "vitamin c" is no typo for "vitamin d"
        return None
    length, best = len(wanted), edits + 1
    if abs(len(text) - length) <= edits and (_digit_words(words) if digits else ()) == numbers:
        best = OSA.distance(text, wanted, score_cutoff=edits)
    for start in range(count - size + 1 if count > size else 0):
        if size == 1:
            word = words[start]
            if abs(len(word) - length) <= edits and not (digits and _has_digit(word)):
                best = min(best, OSA.distance(word, wanted, score_cutoff=edits))
            continue
        window = words[start : start + size]
        if abs(sum(map(len, window)) + size - 1 - length) <= edits and (
            (_digit_words(window) if digits else ()) == numbers
        ):
            best = min(best, OSA.distance(" ".join(window), wanted, score_cutoff=edits))
    return best if best <= edits else None


def _response(raw: str, language: str) -> tuple[str, list[str], bool] | None:
    """The normalised text of a response, its words and whether it has digits; None if it cannot match."""
    if len(raw) > MAX_RESPONSE:
        return None
    words = _words(raw, language)
    if not words:
        return None
    text = " ".join(words)
    return text, words, _DIGIT.search(text) is not None


@lru_cache(maxsize=8192)
def _accepted(answers: tuple[str, ...], language: str) -> tuple[frozenset[str], tuple[_Target, ...]]:
    """The exact normalised forms of a question's accepted answers, and their targets."""
    targets = tuple(_target(answer, language) for answer in answers)
    return frozenset(t.text for t in targets if t.text), targets


def answer_matches(response: str, accepted: Sequence[str], language: str = DEFAULT_LANGUAGE) -> bool:
    """Whether a typed response matches any accepted answer, allowing typos in proportion to length;
    both are read in `language` (a Discord locale)."""
    typed = _response(response, language)
    if typed is None:
        return False
    exact, targets = _accepted(tuple(accepted), language)
    return typed[0] in exact or any(_distance(*typed, target) is not None for target in targets)


class _Choices(NamedTuple):
    """The options of one question: exact texts, labels a player may type, and fuzzy targets."""

    texts: dict[str, int]
    labels: dict[str, int]
    targets: tuple[_Target, ...]


@lru_cache(maxsize=4096)
def _choices(options: tuple[str, ...], language: str) -> _Choices:
    """A question's options prepared for typed answers; -1 marks a text two options share."""
    targets = tuple(_target(option, language) for option in options)
    texts: dict[str, int] = {}
    for index, target in enumerate(targets):
        texts[target.text] = -1 if target.text in texts else index
    labels: dict[str, int] = {}
    # A label is ambiguous when an option reads as one: "A" and "AB" blood types, "10" and "20" years.
    if not any(len(text) == 1 and text.isalpha() for text in texts):
        labels.update(zip(OPTION_LETTERS, range(len(options)), strict=False))  # five at most
    if not any(text.isdigit() for text in texts):
        labels.update((str(index + 1), index) for index in range(len(options)))
    rules = _rules(language)
    if options == TRUE_FALSE and rules is not None:  # "wahr" and "falsch" as well as True and False
        labels.update(dict.fromkeys(rules.true, 0) | dict.fromkeys(rules.false, 1))
    return _Choices(texts, labels, targets)


def option_matches(
    response: str, options: tuple[str, ...], answer_index: int, language: str = DEFAULT_LANGUAGE
) -> bool:
    """Whether a typed response picks the correct option, by its text, letter or number, and no other;
    read in `language` (a Discord locale), whose words for true and false pick a true/false option."""
    typed = _response(response, language)
    if typed is None:
        return False
    texts, labels, targets = _choices(options, language)
    picked = texts.get(typed[0], labels.get(typed[0]))
    if picked is not None:
        return picked == answer_index
    best = _distance(*typed, targets[answer_index])
    if best is None:
        return False
    for index, target in enumerate(targets):
        if index != answer_index and (found := _distance(*typed, target)) is not None and found <= best:
            return False
    return True


_SHORT_ANSWER = QuestionKind.SHORT_ANSWER


def fuzzy_matcher(question: Question, response: str) -> bool:
    """The game's `Matcher`: accepted answers for short answers, the correct option's text or label else."""
    if question.kind is _SHORT_ANSWER:
        return answer_matches(response, question.accepted, question.language)
    if question.answer_index is None:
        return False
    return option_matches(response, question.options, question.answer_index, question.language)
