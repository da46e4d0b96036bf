"""Typed-answer matching benchmark: answers judged per second for a realistic mix, against 100k/s.

Run from the repository root, for instance:

    python -m bench.matching                  # 200k responses, 3 rounds
    python -m bench.matching --count 50000 --rounds 1
    python -m bench.matching --quick          # the CI smoke run: 20,000 responses, 1 round

It builds a small bank of short-answer, multiple-choice and true/false questions, generates typed
responses (exact, re-cased or unaccented, typos, wrong answers, chatty sentences, option letters and
spam over 200 characters), then times `fuzzy_matcher` over all of them, as the game would call it.
The exit status is 0 whenever the run completes: a rate below the target is printed, not failed.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import string
import sys
import time
import unicodedata
from collections import Counter
from importlib.metadata import version
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `bench` and `quizbot` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from quizbot.game.progression import Difficulty
from quizbot.game.questions import TRUE_FALSE, Question, QuestionKind
from quizbot.questions.matching import fuzzy_matcher

TARGET = 100_000  # answers per second
SHORT_ANSWERS: tuple[tuple[str, ...], ...] = (
    ("Paris", "Ville Lumière"),
    ("Jupiter",),
    ("Leonardo da Vinci", "da Vinci", "Leonardo"),
    ("The Beatles",),
    ("Beyoncé", "Beyoncé Knowles"),
    ("St. Louis",),
    ("1984",),
    ("seven", "7"),
    ("twenty-one",),
    ("Simon & Garfunkel",),
    ("Mississippi", "Mississippi River"),
    ("Au",),
    ("東京", "Tokyo"),
    ("Constantinople", "Istanbul"),
    ("Marie Curie", "Curie"),
    ("photosynthesis",),
)
CHOICES: tuple[tuple[str, ...], ...] = (
    ("Venus", "Mars", "Jupiter", "Saturn"),
    ("Austria", "Australia", "Germany", "France"),
    ("Pacific Ocean", "Atlantic Ocean", "Indian Ocean", "Arctic Ocean"),
    TRUE_FALSE,
)
WRONG = ("london", "mars", "no idea", "pass", "berlin", "idk lol", "1985", "napoleon", "venus", "e", "?")
CHATTER = ("i think it is {}", "is it {}?", "{} obviously", "my guess: {} !!", "umm... {} maybe")


def build_questions() -> list[Question]:
    """The bench's question bank: every short answer, plus multiple choice and true/false."""
    made = [
        Question(f"sa{i}", "Question?", QuestionKind.SHORT_ANSWER, "bench", Difficulty.MEDIUM, "", accepted=a)
        for i, a in enumerate(SHORT_ANSWERS)
    ]
    for i, options in enumerate(CHOICES):
        kind = QuestionKind.TRUE_FALSE if options == TRUE_FALSE else QuestionKind.MULTIPLE_CHOICE
        made.append(
            Question(f"mc{i}", "Question?", kind, "bench", Difficulty.MEDIUM, "", options, answer_index=1)
        )
    return made


def typo(rng: random.Random, text: str) -> str:
    """One or two random single-character edits: substitute, delete, insert or swap."""
    for _ in range(rng.choice((1, 1, 2))):
        if len(text) < 2:
            break
        at = rng.randrange(len(text) - 1)
        edit = rng.choice("sdit")
        letter = rng.choice(string.ascii_lowercase)
        if edit == "s":
            text = text[:at] + letter + text[at + 1 :]
        elif edit == "d":
            text = text[:at] + text[at + 1 :]
        elif edit == "i":
            text = text[:at] + letter + text[at:]
        else:
            text = text[:at] + text[at + 1] + text[at] + text[at + 2 :]
    return text


def respond(rng: random.Random, question: Question) -> tuple[str, str]:
    """A (kind, response) pair a player might type for `question`."""
    right = rng.choice(question.accepted or (question.correct_text,))
    roll = rng.random()
    if roll < 0.25:
        return "exact", right
    if roll < 0.35:
        plain = "".join(c for c in unicodedata.normalize("NFKD", right) if not unicodedata.combining(c))
        return "variant", rng.choice((plain.upper(), plain.lower(), f"the {plain}", f"  {plain}!! "))
    if roll < 0.55:
        return "typo", typo(rng, right.lower())
    if roll < 0.80:
        wrong = rng.choice(WRONG)
        return "wrong", rng.choice((wrong, typo(rng, wrong), rng.choice(CHATTER).format(wrong)))
    if roll < 0.93:
        return "chatty", rng.choice(CHATTER).format(rng.choice((right, typo(rng, right))))
    if roll < 0.97 and question.options:
        return "label", rng.choice(("a", "B", "2", "(c)", "4."))
    words = [rng.choice((*WRONG, right)) for _ in range(rng.randint(8, 60))]
    return "long", " ".join(words)


def run_round(pairs: list[tuple[Question, str]]) -> tuple[float, float, int]:
    """Wall and CPU seconds to judge every response once, and how many matched."""
    matched = 0
    wall, cpu = time.perf_counter(), time.process_time()
    for question, response in pairs:
        matched += fuzzy_matcher(question, response)
    return time.perf_counter() - wall, time.process_time() - cpu, matched


def main() -> None:
    """Generate the responses, time the rounds and print the figures against the target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200_000, help="responses per round")
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds; the median is reported")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--quick", action="store_true", help="a smoke run: --count 20000 --rounds 1")
    args = parser.parse_args()
    if args.quick:
        args.count, args.rounds = 20_000, 1

    rng = random.Random(args.seed)
    questions = build_questions()
    drawn = [(question, respond(rng, question)) for question in rng.choices(questions, k=args.count)]
    pairs = [(question, response) for question, (_kind, response) in drawn]
    kinds = Counter(kind for _question, (kind, _response) in drawn)
    over = sum(len(response) > 200 for _question, response in pairs)

    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    python, rapidfuzz = platform.python_version(), version("rapidfuzz")
    print(f"machine: {cpus} CPUs (nproc), Python {python} ({platform.machine()}), rapidfuzz {rapidfuzz}")
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"load average: {load} (other work on the machine slows the wall-clock figures)")
    mix = ", ".join(f"{kind} {count / args.count:.0%}" for kind, count in kinds.most_common())
    print(f"mix of {args.count:,} responses over {len(questions)} questions: {mix} ({over:,} over 200 chars)")

    rates = []
    for number in range(1, args.rounds + 1):
        seconds, cpu, matched = run_round(pairs)
        rates.append(args.count / seconds)
        share = matched / args.count
        print(
            f"round {number}: {seconds:.3f} s, {rates[-1]:,.0f} answers/s"
            f" ({args.count / cpu:,.0f}/s of CPU time), {share:.1%} matched"
        )
    rate = statistics.median(rates)
    verdict = "meets" if rate >= TARGET else "BELOW"
    print(f"median: {rate:,.0f} answers/s ({rate / TARGET:.2f}x the {TARGET:,}/s target: {verdict})")


if __name__ == "__main__":
    main()
