"""Which replies are "not found", how questions pair with replies, how they group. Pure."""

from __future__ import annotations

import random
import string

import pytest

from kbsync.conversations import BOT, USER, InboxMessage
from kbsync.gaps import Asked, exchanges, group_gaps, is_not_found, top_gaps
from kbsync.gaps_read import AgentScan
from kbsync.gaps_render import GapReport, render_gaps_markdown, summary_line

NOT_FOUND = "Sorry, I don't know that yet."


@pytest.mark.parametrize(
    "answer",
    [
        "Sorry, I don't know that yet.",
        "  sorry,   I DON'T know\nthat yet.  ",
        "Sorry, I don't know that yet. Can I connect you with a human?",
        "I do not have information about gift cards.",
        "We couldn't find anything on that in our documents.",
        "There is no information about PayPal in my knowledge.",
        "That is not covered in the knowledge base I have.",
    ],
)
def test_not_found_replies(answer: str) -> None:
    assert is_not_found(answer, NOT_FOUND)


@pytest.mark.parametrize(
    "answer",
    [
        "Standard shipping takes 2 to 4 business days.",
        "We store no card data.",
        "Sorry, the shop is closed on Sundays.",
        "",
    ],
)
def test_answers(answer: str) -> None:
    assert not is_not_found(answer, NOT_FOUND)


def test_an_empty_not_found_answer_matches_only_no_information_replies() -> None:
    assert not is_not_found("Anything at all.", "  ")
    assert is_not_found("I could not find an answer to that.", "")


def message(role: str, text: str, at: float) -> InboxMessage:
    return InboxMessage(role, text, at)


def test_questions_pair_with_the_next_reply_and_unreplied_ones_are_left_out() -> None:
    messages = [
        message(USER, "Hi", 1),
        message(BOT, "Hello! How can I help?", 2),
        message(USER, "PayPal?", 3),
        message(BOT, NOT_FOUND, 4),
        message("", "operator joined", 5),
        message(USER, "Are you there?", 6),
        message(USER, "Shipping?", 7),
        message(BOT, "Two days.", 8),
        message(USER, "Last words", 9),
    ]
    found = exchanges("bot", messages, NOT_FOUND, redacted=True)
    assert [(a.question, a.unanswered) for a in found] == [
        ("Hi", False),
        ("PayPal?", True),
        ("Shipping?", False),
    ]


def asked(question: str, hours_ago: float, agent: str = "bot") -> Asked:
    return Asked(agent, question, 1_000_000 - hours_ago * 3600, True)


def test_near_duplicates_group_and_different_questions_do_not() -> None:
    gaps = group_gaps(
        [
            asked("Can I pay with PayPal?", 120),
            asked("can i pay with paypal", 60),
            asked("Can I pay with Paypal? Write to [email]", 12),
            asked("Is there a student discount?", 70),
            asked("Do you offer a student discount?", 40),
            asked("Any discounts for students?", 24),
            asked("Where is your store in Berlin?", 30),
            asked("store?", 20),
            asked("Can I pay with PayPal?", 5, agent="other"),
            Asked("bot", "How long is shipping?", 999_000.0, False),
        ]
    )
    assert [(g.agent, g.example, g.times, g.wordings) for g in gaps] == [
        ("other", "Can I pay with PayPal?", 1, 1),
        ("bot", "Can I pay with Paypal? Write to [email]", 3, 3),
        ("bot", "store?", 1, 1),
        ("bot", "Any discounts for students?", 3, 3),
        ("bot", "Where is your store in Berlin?", 1, 1),
    ]
    paypal = gaps[1]
    assert (paypal.first_at, paypal.last_at) == (1_000_000 - 120 * 3600, 1_000_000 - 12 * 3600)
    assert [g.example for g in top_gaps(gaps, 2)] == [
        "Can I pay with Paypal? Write to [email]",
        "Any discounts for students?",
    ]


def test_markdown_of_thousands_of_gaps_fits_one_issue_body() -> None:
    rng = random.Random(17)
    word = lambda: "".join(rng.choices(string.ascii_lowercase, k=9))  # noqa: E731
    many = [asked(f"Why {word()} {word()} or {word()}?", i) for i in range(3000)]
    gaps = tuple(group_gaps(many))
    scans = (AgentScan("bot", True, 3000, 3000, 3000),)
    markdown = render_gaps_markdown(GapReport(0.0, 1e6, scans, gaps))
    assert len(gaps) > 1000
    assert len(markdown) <= 60_000
    assert "more groups not shown here" in markdown and "kbsync gaps --format json" in markdown


def test_hostile_questions_cannot_break_the_markdown() -> None:
    gaps = tuple(group_gaps([asked("| </details> `x` [a](http://e) # *b*", 1)]))
    markdown = render_gaps_markdown(GapReport(0.0, 1e6, (AgentScan("bot", True, 1, 1, 1),), gaps))
    row = markdown.splitlines()[-1]
    assert row.count("|") - row.count("\\|") == 5  # the table's own pipes only
    assert "</details>" not in markdown and "`x`" not in markdown


def test_the_agents_own_not_found_answer_is_compared_normalised() -> None:
    own = "Hmm! Ask our team at the front desk."
    assert is_not_found("  hmm!  ASK our team\nat the front   desk. ", own)
    assert is_not_found("Hmm! Ask our team at the front desk. Anything else?", own)
    assert not is_not_found("Ask our team at the desk.", own)


def test_the_summary_says_why_there_are_no_gaps() -> None:
    quiet = GapReport(0.0, 1.0, (AgentScan("bot", True),), ())
    answered = quiet._replace(scans=(AgentScan("bot", True, 2, 3, 0),))
    assert summary_line(quiet).endswith("none; no visitor asked anything in that time.")
    assert summary_line(answered).endswith("none; every one of 3 questions was answered.")


def test_a_pasted_page_is_cut_to_a_question() -> None:
    pasted = "Why? " + "Lorem ipsum dolor sit amet. " * 500
    (found,) = exchanges(
        "bot", [message(USER, pasted, 1), message(BOT, NOT_FOUND, 2)], NOT_FOUND, redacted=True
    )
    assert len(found.question) == 300 and found.question.endswith("…")
