"""Questions and picks as people type them: where they are this week (not what is due), a day to
finish by (not where), hello or please around a question, the bot itself not working (help, not a
problem on a site), a task pointed at by one word of its name, and a status said of "once it's done"."""

from __future__ import annotations

import pytest

from tests.turns import JAMES, KARIM, intents, named, one_message, statuses_offered, statuses_written


@pytest.mark.parametrize(
    ("sender", "text"),
    [
        (KARIM, "ou je suis cette semaine"),
        (KARIM, "je passe ou cette semaine"),
        (KARIM, "ou je bosse cette semaine"),
        (KARIM, "sur quels chantiers je passe cette semaine"),
        (KARIM, "je suis sur jean jaures demain ?"),
        (JAMES, "where am i this wk"),
        (JAMES, "whereabouts am i working next week"),
        (JAMES, "am i on quai rambaud tomorrow"),
        (JAMES, "am i at the hotel or the offices today"),
        (JAMES, "wots my location today"),
    ],
)
def test_where_they_are_expected(sender: str, text: str) -> None:
    assert intents(one_message(sender, text)) == ["ask_where_expected"]


@pytest.mark.parametrize(
    ("sender", "text", "intent"),
    [
        (KARIM, "ya quoi a finir dici vendredi", "ask_due_this_week"),
        (KARIM, "les trucs a faire avant samedi", "ask_due_this_week"),
        (KARIM, "quest ce que jai a faire cette semaine", "ask_due_this_week"),
        (KARIM, "ya des taches en retard chez moi", "ask_overdue"),
        (KARIM, "bonjour est ce que jai des taches en retard merci", "ask_overdue"),
        (KARIM, "slt ya des taches qui sont en retard stp", "ask_overdue"),
        (JAMES, "anything past the deadline", "ask_overdue"),
        (JAMES, "any deadlines ive blown", "ask_overdue"),
    ],
)
def test_what_is_due_or_late(sender: str, text: str, intent: str) -> None:
    assert intents(one_message(sender, text)) == [intent]


@pytest.mark.parametrize(
    ("sender", "text"),
    [
        (KARIM, "ca marche pas ton truc"),
        (KARIM, "ca bug"),
        (KARIM, "jy arrive pas"),
        (KARIM, "jarrive pas a marquer fini"),
        (JAMES, "bit lost here"),
        (JAMES, "first time using this"),
        (JAMES, "what r u for"),
        (JAMES, "can you tell me what this bot does"),
    ],
)
def test_stuck_with_the_bot_gets_help(sender: str, text: str) -> None:
    events = one_message(sender, text)
    assert intents(events) == ["help"]
    assert not named(events, "ConfirmationRequested")


@pytest.mark.parametrize("text", ["huh", "???"])
def test_puzzled_is_not_a_problem(text: str) -> None:
    events = one_message(JAMES, text, "1")
    assert intents(events) == ["unknown"]
    assert not named(events, "ConfirmationRequested") and not named(events, "ProblemReportDecided")


def test_a_task_pointed_at_by_a_word_of_its_name() -> None:
    # "fire" is also an incident's word: this was offered as a problem to report.
    events = one_message(JAMES, "the fire one", "1")
    assert [vars(e)["arguments"].get("choice_id") for e in named(events, "IntentClassified")] == [
        "task.T-CON-83"
    ]
    assert not named(events, "ConfirmationRequested")


@pytest.mark.parametrize(
    "text", ["si jai fini je te dis", "une fois fini je te previens", "quand c fini je te dis"]
)
def test_a_status_said_of_later_is_neither_written_nor_offered(text: str) -> None:
    events = one_message(KARIM, text, "Tilleuls", "prises")
    assert statuses_written(events) == [] and "done" not in statuses_offered(events)


@pytest.mark.parametrize(("sender", "text"), [(KARIM, "jai faim"), (KARIM, "fait chier ce temps")])
def test_off_topic_lists_nothing(sender: str, text: str) -> None:
    assert intents(one_message(sender, text)) == ["unknown"]


@pytest.mark.parametrize(
    ("sender", "site", "text"),
    [
        (JAMES, "1", "all 3 done"),
        (JAMES, "1", "1 and 2 done"),
        (JAMES, "1", "both done"),
        (KARIM, "Tilleuls", "les 3 sont finies"),
        (KARIM, "Tilleuls", "la 1 et la 2 c fini"),
    ],
)
def test_several_tasks_said_done_write_none_of_them(sender: str, site: str, text: str) -> None:
    # "All 3 done" wrote the third task only, "1 and 2 done" the second.
    events = one_message(sender, text, site)
    assert statuses_written(events) == [] and statuses_offered(events) == []


@pytest.mark.parametrize(
    "text", ["finished for the day lads", "im done, heading home", "done for the week", "done for today"]
)
def test_signing_off_is_a_goodbye_not_a_status(text: str) -> None:
    events = one_message(JAMES, text, "1", "ceiling grid")
    assert intents(events) == ["small_talk"]
    assert statuses_written(events) == [] and statuses_offered(events) == []


def test_a_task_said_with_leaving_words_is_still_asked_about() -> None:
    events = one_message(JAMES, "grid done for the week", "1", "ceiling grid")
    assert intents(events) == ["status_unclear"]


@pytest.mark.parametrize(
    ("sender", "text"),
    [
        (JAMES, "no tiles on site"),
        (JAMES, "still no plasterboard delivered"),
        (JAMES, "acoustic insulation is soaking wet"),
        (KARIM, "y a pas de placo sur le chantier"),
        (KARIM, "pas de gaines livrees"),
    ],
)
def test_something_missing_or_soaked_is_a_problem_to_confirm(sender: str, text: str) -> None:
    events = one_message(sender, text, "1")
    assert [e.action["kind"] for e in named(events, "ConfirmationRequested")] == ["report_problem"]


@pytest.mark.parametrize(("sender", "text"), [(JAMES, "no problem here"), (KARIM, "pas de souci ici")])
def test_no_problem_there_is_none_to_file(sender: str, text: str) -> None:
    assert not named(one_message(sender, text, "1"), "ConfirmationRequested")


def test_gday_is_a_greeting() -> None:
    assert intents(one_message(JAMES, "g'day")) == ["greet"]


def test_what_is_happening_with_a_task_shows_it() -> None:
    events = one_message(JAMES, "whats happening with the partitions", "1")
    assert [vars(e)["arguments"].get("choice_id") for e in named(events, "IntentClassified")] == [
        "task.T-CON-81"
    ]


@pytest.mark.parametrize("text", ["almost there", "nearly there", "getting there"])
def test_nearly_there_is_asked_about(text: str) -> None:
    events = one_message(JAMES, text, "1", "ceiling grid")
    assert intents(events) == ["status_unclear"] and statuses_written(events) == []


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("home time", "small_talk"),
        ("morning all, on site now", "small_talk"),
        ("rugby on saturday?", "unknown"),
    ],
)
def test_their_day_and_weekend(text: str, intent: str) -> None:
    assert intents(one_message(JAMES, text)) == [intent]


@pytest.mark.parametrize(
    ("sender", "task", "text"),
    [
        (JAMES, "ceiling grid", "finishing it this week"),
        (JAMES, "ceiling grid", "ready by the end of the week"),
        (JAMES, "ceiling grid", "bang on schedule"),
        (JAMES, "ceiling grid", "bit behind on this one"),
        (KARIM, "prises", "je la finis cette semaine"),
    ],
)
def test_progress_told_of_the_task_on_screen_is_about_it(sender: str, task: str, text: str) -> None:
    site = "1" if sender == JAMES else "Tilleuls"
    events = one_message(sender, text, site, task)
    assert intents(events) == ["status_unclear"] and statuses_written(events) == []


@pytest.mark.parametrize("text", ["whats due this week", "am i behind on anything"])
def test_asked_with_a_task_on_screen_is_still_about_all_their_work(text: str) -> None:
    assert intents(one_message(JAMES, text, "1", "ceiling grid")) in (["ask_due_this_week"], ["ask_overdue"])
