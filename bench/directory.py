"""Extra subcontractors in the site directory, written with plain SQL."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

import psycopg

# The demo projects of subcontractor S-001.
DEMO_PROJECTS = ("P-TIL", "P-JAU", "P-CON", "P-VEN")
_STATUSES = ("todo", "in_progress", "done", "blocked")


@dataclass(frozen=True)
class Member:
    id: str
    phone: str
    projects: tuple[str, ...]
    tasks_per_project: int


def crew(prefix: str, phone_prefix: str, count: int, seed: int = 1) -> list[Member]:
    """`count` subcontractors on 1 to 3 demo projects each, with 2 to 4 tasks per project."""
    rng = random.Random(seed)
    return [
        Member(
            id=f"{prefix}-{n:04d}",
            phone=f"{phone_prefix}{n:04d}",
            projects=tuple(rng.sample(DEMO_PROJECTS, rng.randint(1, 3))),
            tasks_per_project=rng.randint(2, 4),
        )
        for n in range(count)
    ]


def twins(prefix: str, phone_prefix: str, count: int) -> list[Member]:
    """`count` subcontractors with the same directory: every demo project, 3 tasks each."""
    return [Member(f"{prefix}-{n:04d}", f"{phone_prefix}{n:04d}", DEMO_PROJECTS, 3) for n in range(count)]


def add_subcontractors(database_url: str, members: Sequence[Member]) -> None:
    """Inserts the members, their assignments and their tasks in one transaction."""
    people = [(m.id, m.phone, f"Ouvrier {m.id}", f"Entreprise {m.id}") for m in members]
    assignments = [(m.id, p) for m in members for p in m.projects]
    tasks = [
        (f"{m.id}-{p}-{n}", p, m.id, f"Lot {n} {p}", _STATUSES[n % len(_STATUSES)], n)
        for m in members
        for p in m.projects
        for n in range(1, m.tasks_per_project + 1)
    ]
    with psycopg.connect(database_url) as connection, connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO subcontractors (id, phone, name, company, language) VALUES (%s, %s, %s, %s, 'fr')",
            people,
        )
        cursor.executemany(
            "INSERT INTO assignments (subcontractor_id, project_id) VALUES (%s, %s)", assignments
        )
        cursor.executemany(
            "INSERT INTO tasks (id, project_id, subcontractor_id, title, status, position) "
            "VALUES (%s, %s, %s, %s, %s, %s)",
            tasks,
        )
