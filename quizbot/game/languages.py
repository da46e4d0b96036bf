"""The language a question is written in, and how that language writes articles, numbers and true/false.

A question carries its language as a Discord locale ("en-US", "de", "pt-BR"). The answer matchers
(`game.questions.exact_matcher`, `questions.matching.fuzzy_matcher`) choose their rules by its language
subtag ("pt" for "pt-BR"): which leading words are articles ("La Paz" is "Paz"), which words are
numbers ("siebzehn" is 17) and which words say true or false. The tables are as written; each matcher
folds them the way it folds answers. A language with no rules here (Italian, Korean, ...) matches with
no articles, digits only for numbers, and the English "true" and "false".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache

DEFAULT_LANGUAGE = "en-US"  # what a question says when it says nothing: every shipped pack is English
# Discord's locales (disnake.Locale, which the game core may not import; a test keeps them equal).
DISCORD_LOCALES = (
    "bg", "cs", "da", "de", "el", "en-GB", "en-US", "es-ES", "es-419", "fi", "fr", "hi", "hr", "hu", "id",
    "it", "ja", "ko", "lt", "nl", "no", "pl", "pt-BR", "ro", "ru", "sv-SE", "th", "tr", "uk", "vi",
    "zh-CN", "zh-TW",
)  # fmt: skip
EXAMPLES = ("en-US", "es-ES", "pt-BR", "fr", "de", "ru", "ja", "pl")  # named when a locale is refused
_BY_FOLDED = {locale.casefold(): locale for locale in DISCORD_LOCALES}


def known_locale(name: object) -> str | None:
    """The Discord locale `name` spells, in Discord's spelling ("PT_br" -> "pt-BR"); else None."""
    if not isinstance(name, str):
        return None
    return _BY_FOLDED.get(name.strip().replace("_", "-").casefold())


def language_code(locale: str) -> str:
    """A locale's language subtag: "pt-BR" -> "pt"; what matching rules and pack preference go by."""
    return locale.split("-", 1)[0].casefold()


def same_language(one: str, other: str) -> bool:
    """Whether two locales write one language ("en-GB" and "en-US" do; "es-ES" and "pt-BR" do not)."""
    return language_code(one) == language_code(other)


@dataclass(frozen=True, slots=True)
class Wording:
    """How one language writes the words answers are compared by, as written (accents and all)."""

    articles: frozenset[str] = frozenset()  # leading words an answer may have or lack
    numbers: Mapping[str, int] = field(default_factory=dict)  # number words and phrases, with their values
    true: tuple[str, ...] = ("true",)  # words for True in a true/false question ("True" always counts)
    false: tuple[str, ...] = ("false",)
    # Drop a leading article before reading number words: where "un" is both "a" and "one", "un gato"
    # is "gato", while "un" alone is still 1. English reads numbers first ("a hundred" is 100).
    articles_first: bool = True
    elided: frozenset[str] = frozenset()  # articles written with an apostrophe: French "l'" in "l'Everest"


@dataclass(frozen=True, slots=True)
class Folded:
    """A Wording with every word folded as one matcher folds answers, ready to apply to an answer's words."""

    articles: frozenset[str]
    numbers: Mapping[tuple[str, ...], str]  # a phrase's words -> its digits
    starts: frozenset[str]  # the first word of every number phrase: a quick test for any number at all
    longest: int  # words in the longest number phrase
    true: frozenset[str]
    false: frozenset[str]
    articles_first: bool
    elision: re.Pattern[str] | None  # an elided article and its apostrophe, to be parted before folding

    def unelide(self, text: str) -> str:
        """`text` with each elided article parted from its word ("l'Everest" -> "l Everest")."""
        return text if self.elision is None else self.elision.sub(r"\1 ", text)

    def words(self, words: list[str]) -> list[str]:
        """An answer's folded words with its leading articles dropped and its number words as digits."""
        if self.articles_first:
            return self.read_numbers(self.drop_articles(words))
        return self.drop_articles(self.read_numbers(words))

    def drop_articles(self, words: list[str]) -> list[str]:
        """The words without leading articles; a lone word stays, even an article ("The" is "the")."""
        start = 0
        while len(words) - start > 1 and words[start] in self.articles:
            start += 1
        return words[start:] if start else words

    def read_numbers(self, words: list[str]) -> list[str]:
        """The words with every number phrase written in digits ("dix sept" -> "17"), longest first."""
        if self.starts.isdisjoint(words):
            return words
        out: list[str] = []
        i, count = 0, len(words)
        while i < count:
            for size in range(min(self.longest, count - i), 0, -1):
                value = self.numbers.get(tuple(words[i : i + size]))
                if value is not None:
                    out.append(value)
                    i += size
                    break
            else:
                out.append(words[i])
                i += 1
        return out


def fold_wording(wording: Wording, fold: Callable[[str], Sequence[str]]) -> Folded:
    """`wording` with its words put through `fold` (a matcher's text -> its words)."""
    numbers: dict[tuple[str, ...], str] = {}
    for phrase, value in wording.numbers.items():
        words = tuple(fold(phrase))
        if words:
            numbers.setdefault(words, str(value))
    one_word = [w for article in wording.articles for w in [fold(article)] if len(w) == 1]
    return Folded(
        articles=frozenset(w[0] for w in one_word),
        numbers=numbers,
        starts=frozenset(words[0] for words in numbers),
        longest=max(map(len, numbers), default=1),
        true=frozenset(" ".join(fold(w)) for w in wording.true),
        false=frozenset(" ".join(fold(w)) for w in wording.false),
        articles_first=wording.articles_first,
        elision=_elision(wording.elided),
    )


def _elision(elided: frozenset[str]) -> re.Pattern[str] | None:
    """A pattern for `elided` articles at a word's start, followed by any apostrophe."""
    if not elided:
        return None
    return re.compile(
        rf"(?<!\w)({'|'.join(map(re.escape, sorted(elided)))})['\u2019\u2018\u02bc`\u00b4]", re.I
    )


def _numbers(*groups: tuple[int, str]) -> dict[str, int]:
    """Number words from (value, "word word ...") pairs: several spellings of one value share a pair."""
    return {word: value for value, words in groups for word in words.split()}


def _counting(words: str, start: int = 0) -> dict[str, int]:
    """One word per number, in order from `start`."""
    return {word: value for value, word in enumerate(words.split(), start=start)}


WORDINGS: dict[str, Wording] = {
    # English answers meet names with French, Spanish and German articles too ("La Paz", "El Salvador").
    "en": Wording(
        articles=frozenset({"the", "a", "an", "le", "la", "les", "el", "der", "die", "das"}),
        numbers=_counting(
            "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
            "fifteen sixteen seventeen eighteen nineteen twenty"
        ),
        articles_first=False,
    ),
    "es": Wording(
        articles=frozenset({"el", "la", "los", "las", "un", "una", "unos", "unas"}),
        numbers=_counting(
            "cero uno dos tres cuatro cinco seis siete ocho nueve diez once doce trece catorce quince "
            "dieciséis diecisiete dieciocho diecinueve veinte"
        )
        | _numbers((1, "un una")),
        true=("verdadero", "cierto"),
        false=("falso",),
    ),
    "pt": Wording(
        articles=frozenset({"o", "a", "os", "as", "um", "uma", "uns", "umas"}),
        numbers=_counting(
            "zero um dois três quatro cinco seis sete oito nove dez onze doze treze catorze quinze "
            "dezesseis dezessete dezoito dezenove vinte"
        )
        | _numbers((1, "uma"), (2, "duas"), (14, "quatorze"), (16, "dezasseis"), (17, "dezassete"))
        | _numbers((19, "dezanove")),
        true=("verdadeiro",),
        false=("falso",),
    ),
    "fr": Wording(
        articles=frozenset({"le", "la", "les", "l", "un", "une", "des"}),
        numbers=_counting(
            "zéro un deux trois quatre cinq six sept huit neuf dix onze douze treize quatorze quinze seize"
        )
        | {"une": 1, "dix-sept": 17, "dix-huit": 18, "dix-neuf": 19, "vingt": 20},
        true=("vrai",),
        false=("faux",),
        elided=frozenset({"l"}),
    ),
    "de": Wording(
        articles=frozenset(
            {"der", "die", "das", "den", "dem", "des", "ein", "eine", "einen", "einem", "einer", "eines"}
        ),
        numbers=_counting(
            "null eins zwei drei vier fünf sechs sieben acht neun zehn elf zwölf dreizehn vierzehn "
            "fünfzehn sechzehn siebzehn achtzehn neunzehn zwanzig"
        )
        | _numbers((1, "ein eine")),
        true=("wahr", "richtig"),
        false=("falsch",),
    ),
    "ru": Wording(
        numbers=_counting(
            "ноль один два три четыре пять шесть семь восемь девять десять одиннадцать двенадцать "
            "тринадцать четырнадцать пятнадцать шестнадцать семнадцать восемнадцать девятнадцать двадцать"
        )
        | _numbers((0, "нуль"), (1, "одна одно"), (2, "две")),
        true=("правда", "верно"),
        false=("ложь", "неверно"),
    ),
    "pl": Wording(
        numbers=_counting(
            "zero jeden dwa trzy cztery pięć sześć siedem osiem dziewięć dziesięć jedenaście dwanaście "
            "trzynaście czternaście piętnaście szesnaście siedemnaście osiemnaście dziewiętnaście dwadzieścia"
        )
        | _numbers((1, "jedna jedno"), (2, "dwie")),
        true=("prawda",),
        false=("fałsz",),
    ),
    # Japanese writes no spaces, so a number is a whole answer: zero to twenty in kanji (digits, and
    # full-width digits, match as digits anyway).
    "ja": Wording(
        numbers=_counting(
            "一 二 三 四 五 六 七 八 九 十 十一 十二 十三 十四 十五 十六 十七 十八 十九 二十", 1
        )
        | _numbers((0, "\u3007 零 ゼロ")),
        true=("正しい", "正"),
        false=("誤り", "間違い", "誤"),
    ),
}
NO_WORDING = Wording()


def wording(locale: str) -> Wording:
    """The rules for a question in `locale` (by its language subtag); none for a language not tabled."""
    return WORDINGS.get(language_code(locale), NO_WORDING)


def folded(locale: str, fold: Callable[[str], Sequence[str]]) -> Folded:
    """`wording(locale)` folded by `fold`, made once per language and matcher."""
    return _folded(language_code(locale), fold)


@cache
def _folded(language: str, fold: Callable[[str], Sequence[str]]) -> Folded:
    return fold_wording(WORDINGS.get(language, NO_WORDING), fold)
