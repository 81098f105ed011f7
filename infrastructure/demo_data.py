"""A realistic demo site directory: French construction sites around Lyon.

Loading is idempotent: rows that exist are left as they are, so a demo that
marked tasks done keeps its progress across restarts.
"""

from __future__ import annotations

from dataclasses import dataclass

from infrastructure.database import Database

SUBCONTRACTORS = [
    # id, phone, name, company, language, telegram user id
    ("S-001", "+33600000001", "Karim Benali", "Benali Électricité", "fr", "100000001"),
    ("S-002", "+33600000002", "Sophie Martin", "Martin Plomberie Chauffage", "fr", "100000002"),
    ("S-101", "+447700900001", "James Walker", "Walker Drylining Ltd", "en", "100000101"),
]

PROJECTS = [
    ("P-TIL", "Résidence Les Tilleuls", "Villeurbanne", "12 rue des Tilleuls, 69100 Villeurbanne"),
    ("P-JAU", "Groupe scolaire Jean Jaurès", "Lyon 7e", "45 avenue Jean Jaurès, 69007 Lyon"),
    ("P-CON", "Bureaux Quai Rambaud", "Lyon 2e", "8 quai Rambaud, 69002 Lyon"),
    ("P-VEN", "Maison de santé Vénissieux", "Vénissieux", "3 place Léon Sublet, 69200 Vénissieux"),
    ("P-VAL", "Éco-quartier du Vallon", "Lyon 9e", "20 rue du Vallon, 69009 Lyon"),
    ("P-PDU", "Hôtel Part-Dieu", "Lyon 3e", "102 boulevard Vivier-Merle, 69003 Lyon"),
]

# Where each site is (latitude, longitude): a location shared near one puts it in focus.
PROJECT_POSITIONS = [
    ("P-TIL", 45.7719, 4.8902),
    ("P-JAU", 45.7453, 4.8413),
    ("P-CON", 45.7404, 4.8170),
    ("P-VEN", 45.6975, 4.8867),
    ("P-VAL", 45.7700, 4.7950),
    ("P-PDU", 45.7606, 4.8597),
]

ASSIGNMENTS = [
    ("S-001", "P-TIL"),
    ("S-001", "P-JAU"),
    ("S-001", "P-CON"),
    ("S-001", "P-VEN"),
    ("S-002", "P-TIL"),
    ("S-002", "P-VAL"),
    ("S-101", "P-CON"),
    ("S-101", "P-PDU"),
]

TASKS = [
    # id, project, subcontractor, title, status, due on, notes
    ("T-TIL-01", "P-TIL", "S-001", "Tirage des câbles R+1", "done", "2026-11-14", ""),
    (
        "T-TIL-02",
        "P-TIL",
        "S-001",
        "Pose tableaux électriques",
        "in_progress",
        "2026-11-28",
        "Tableaux livrés au local technique, sous-sol.",
    ),
    ("T-TIL-03", "P-TIL", "S-001", "Prises et interrupteurs B", "todo", "2026-12-05", ""),
    (
        "T-TIL-04",
        "P-TIL",
        "S-001",
        "Éclairage parking",
        "todo",
        "2026-12-12",
        "Attendre le passage du peintre.",
    ),
    ("T-JAU-01", "P-JAU", "S-001", "Dépose ancienne installation", "done", "2026-10-30", ""),
    ("T-JAU-02", "P-JAU", "S-001", "Chemins de câbles préau", "in_progress", "2026-11-27", ""),
    (
        "T-JAU-03",
        "P-JAU",
        "S-001",
        "Alarme incendie classes",
        "todo",
        "2026-12-10",
        "Coordination avec le bureau de contrôle.",
    ),
    ("T-CON-01", "P-CON", "S-001", "Colonnes montantes", "in_progress", "2026-12-01", ""),
    ("T-CON-02", "P-CON", "S-001", "Baies de brassage R+3", "todo", "2026-12-08", ""),
    ("T-CON-03", "P-CON", "S-001", "Éclairage LED plateaux", "todo", "2026-12-15", ""),
    ("T-VEN-01", "P-VEN", "S-001", "Réservations en dalle", "done", "2026-11-05", ""),
    ("T-VEN-02", "P-VEN", "S-001", "Gaines techniques", "todo", "2026-12-03", ""),
    ("T-VEN-03", "P-VEN", "S-001", "Contrôle Consuel", "todo", "2027-01-20", ""),
    ("T-TIL-51", "P-TIL", "S-002", "Alimentation eau bât. A", "in_progress", "2026-11-29", ""),
    ("T-TIL-52", "P-TIL", "S-002", "Pose chaudière collective", "todo", "2026-12-09", ""),
    ("T-TIL-53", "P-TIL", "S-002", "Essais d'étanchéité", "todo", "2026-12-16", ""),
    ("T-VAL-51", "P-VAL", "S-002", "Réseaux EU/EV", "todo", "2026-12-02", ""),
    ("T-VAL-52", "P-VAL", "S-002", "Pompe à chaleur", "todo", "2027-01-12", ""),
    ("T-VAL-53", "P-VAL", "S-002", "Sanitaires logements", "todo", "2027-01-26", ""),
    (
        "T-CON-81",
        "P-CON",
        "S-101",
        "Partitions level 3",
        "in_progress",
        "2026-11-30",
        "Boards stored on level 2, east wing.",
    ),
    ("T-CON-82", "P-CON", "S-101", "Ceiling grid level 3", "todo", "2026-12-07", ""),
    ("T-CON-83", "P-CON", "S-101", "Fire stopping risers", "todo", "2026-12-14", ""),
    ("T-PDU-81", "P-PDU", "S-101", "Bedroom partitions L1", "done", "2026-11-10", ""),
    ("T-PDU-82", "P-PDU", "S-101", "Acoustic walls L2", "todo", "2026-12-04", ""),
    (
        "T-PDU-83",
        "P-PDU",
        "S-101",
        "Lobby bulkheads",
        "blocked",
        "2026-12-18",
        "Waiting for the architect's revised drawings.",
    ),
]


@dataclass(frozen=True)
class DemoLoad:
    inserted: int
    total: int


def load_demo_data(database: Database) -> DemoLoad:
    """Inserts what is missing of the demo directory, in one transaction."""
    statements: list[tuple[str, list[tuple[object, ...]]]] = [
        (
            "INSERT INTO subcontractors (id, phone, name, company, language, telegram_user_id) "
            "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
            list(SUBCONTRACTORS),
        ),
        (
            "INSERT INTO projects (id, name, city, address) VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING",
            list(PROJECTS),
        ),
        (
            "INSERT INTO project_positions (project_id, latitude, longitude) VALUES (%s, %s, %s) "
            "ON CONFLICT DO NOTHING",
            list(PROJECT_POSITIONS),
        ),
        (
            "INSERT INTO assignments (subcontractor_id, project_id) VALUES (%s, %s) ON CONFLICT DO NOTHING",
            list(ASSIGNMENTS),
        ),
        (
            "INSERT INTO tasks (id, project_id, subcontractor_id, title, status, due_on, notes, position) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
            [(*task, position) for position, task in enumerate(TASKS)],
        ),
    ]
    inserted = 0
    total = 0
    with database.transaction() as cursor:
        for query, rows in statements:
            for row in rows:
                inserted += max(cursor.execute(query, row), 0)
                total += 1
    return DemoLoad(inserted=inserted, total=total)
