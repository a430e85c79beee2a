"""Full-text search structures, different on each database (ADR 0010).

PostgreSQL: a stored generated `search_vector` column on observations and insights, with a
GIN index each. Stored rather than an expression index so that ranking the matched rows
reads the vector instead of parsing every matched text again (about ten times faster on a
common word). The indexes are built without GIN's pending list (fastupdate off): a pending
list makes every search scan it and, until a vacuum merges it, makes the planner cost the
index so high that it reads the whole table instead; an insert costs a fraction of a
millisecond more, which observations synced one by one never feel.

The columns are unknown to the models on purpose: Django never writes them. A later
migration that changes the *type* of observation.text/speaker or insight.statement/description
must drop the column first and add it back after: PostgreSQL refuses to alter a column that a
generated column reads.

SQLite: one FTS5 table for both kinds, so bm25 ranks observations and insights against one
corpus. These tables have UUID keys and their implicit rowids may be renumbered by VACUUM,
so `synthesis_search_entry` gives each object a stable integer (the FTS5 rowid) and triggers
keep the index in step with every insert, update and delete. A later migration that makes
Django rebuild fieldwork_observation or synthesis_insight on SQLite (most field changes do)
drops these triggers: it must run this operation's SQL again; the search tests catch it.

Control characters 2 and 3 are stripped from the indexed text: search highlights matches with
them, and the service turns them into <mark> after escaping everything else.
"""

from django.db import migrations

POSTGRESQL_FORWARDS = [
    """
    ALTER TABLE fieldwork_observation ADD COLUMN search_vector tsvector
    GENERATED ALWAYS AS (
        setweight(to_tsvector('english'::regconfig, text), 'A')
        || setweight(to_tsvector('english'::regconfig, speaker), 'C')
    ) STORED
    """,
    """
    CREATE INDEX fieldwork_observation_search ON fieldwork_observation
    USING gin (search_vector) WITH (fastupdate = off) WHERE deleted_at IS NULL
    """,
    """
    ALTER TABLE synthesis_insight ADD COLUMN search_vector tsvector
    GENERATED ALWAYS AS (
        setweight(to_tsvector('english'::regconfig, statement), 'A')
        || setweight(to_tsvector('english'::regconfig, description), 'B')
    ) STORED
    """,
    """
    CREATE INDEX synthesis_insight_search ON synthesis_insight
    USING gin (search_vector) WITH (fastupdate = off)
    """,
]

POSTGRESQL_BACKWARDS = [
    "DROP INDEX synthesis_insight_search",
    "ALTER TABLE synthesis_insight DROP COLUMN search_vector",
    "DROP INDEX fieldwork_observation_search",
    "ALTER TABLE fieldwork_observation DROP COLUMN search_vector",
]


def _clean(column: str) -> str:
    return f"replace(replace({column}, char(2), ''), char(3), '')"


def _entry_of(column: str) -> str:
    return f"(SELECT id FROM synthesis_search_entry WHERE object_id = {column})"


SQLITE_FORWARDS = [
    """
    CREATE TABLE synthesis_search_entry (
        id integer NOT NULL PRIMARY KEY,
        object_id char(32) NOT NULL UNIQUE
    )
    """,
    # main: observation text or insight statement; detail: insight description; speaker.
    """
    CREATE VIRTUAL TABLE synthesis_search USING fts5(
        main, detail, speaker, tokenize = 'porter unicode61 remove_diacritics 2'
    )
    """,
    """
    INSERT INTO synthesis_search_entry (object_id)
    SELECT id FROM fieldwork_observation UNION ALL SELECT id FROM synthesis_insight
    """,
    f"""
    INSERT INTO synthesis_search (rowid, main, detail, speaker)
    SELECT e.id, {_clean("o.text")}, '', {_clean("o.speaker")}
    FROM synthesis_search_entry e JOIN fieldwork_observation o ON o.id = e.object_id
    """,
    f"""
    INSERT INTO synthesis_search (rowid, main, detail, speaker)
    SELECT e.id, {_clean("i.statement")}, {_clean("i.description")}, ''
    FROM synthesis_search_entry e JOIN synthesis_insight i ON i.id = e.object_id
    """,
    f"""
    CREATE TRIGGER synthesis_search_observation_insert AFTER INSERT ON fieldwork_observation
    BEGIN
        INSERT INTO synthesis_search_entry (object_id) VALUES (new.id);
        INSERT INTO synthesis_search (rowid, main, detail, speaker)
        VALUES ({_entry_of("new.id")}, {_clean("new.text")}, '', {_clean("new.speaker")});
    END
    """,
    f"""
    CREATE TRIGGER synthesis_search_observation_update
    AFTER UPDATE OF text, speaker ON fieldwork_observation
    BEGIN
        UPDATE synthesis_search SET main = {_clean("new.text")}, speaker = {_clean("new.speaker")}
        WHERE rowid = {_entry_of("new.id")};
    END
    """,
    f"""
    CREATE TRIGGER synthesis_search_observation_delete AFTER DELETE ON fieldwork_observation
    BEGIN
        DELETE FROM synthesis_search WHERE rowid = {_entry_of("old.id")};
        DELETE FROM synthesis_search_entry WHERE object_id = old.id;
    END
    """,
    f"""
    CREATE TRIGGER synthesis_search_insight_insert AFTER INSERT ON synthesis_insight
    BEGIN
        INSERT INTO synthesis_search_entry (object_id) VALUES (new.id);
        INSERT INTO synthesis_search (rowid, main, detail, speaker)
        VALUES ({_entry_of("new.id")}, {_clean("new.statement")}, {_clean("new.description")}, '');
    END
    """,
    f"""
    CREATE TRIGGER synthesis_search_insight_update
    AFTER UPDATE OF statement, description ON synthesis_insight
    BEGIN
        UPDATE synthesis_search
        SET main = {_clean("new.statement")}, detail = {_clean("new.description")}
        WHERE rowid = {_entry_of("new.id")};
    END
    """,
    f"""
    CREATE TRIGGER synthesis_search_insight_delete AFTER DELETE ON synthesis_insight
    BEGIN
        DELETE FROM synthesis_search WHERE rowid = {_entry_of("old.id")};
        DELETE FROM synthesis_search_entry WHERE object_id = old.id;
    END
    """,
]

SQLITE_BACKWARDS = [
    *(
        f"DROP TRIGGER synthesis_search_{table}_{event}"
        for table in ("observation", "insight")
        for event in ("insert", "update", "delete")
    ),
    "DROP TABLE synthesis_search",
    "DROP TABLE synthesis_search_entry",
]


class VendorSQL(migrations.operations.base.Operation):
    """Runs the statements written for the database at hand; no model state changes."""

    reduces_to_sql = True
    reversible = True

    def __init__(self, forwards: dict[str, list[str]], backwards: dict[str, list[str]]):
        self.forwards = forwards
        self.backwards = backwards

    def state_forwards(self, app_label, state):
        pass

    def _run(self, statements: dict[str, list[str]], schema_editor) -> None:
        vendor = schema_editor.connection.vendor
        if vendor not in statements:
            raise NotImplementedError(f"Full-text search has no set-up for {vendor}.")
        for statement in statements[vendor]:
            schema_editor.execute(statement, params=None)

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        self._run(self.forwards, schema_editor)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        self._run(self.backwards, schema_editor)

    def describe(self):
        return "Create the full-text search index for this database"


class Migration(migrations.Migration):
    dependencies = [("synthesis", "0002_default_boards_and_rules")]

    operations = [
        VendorSQL(
            forwards={"postgresql": POSTGRESQL_FORWARDS, "sqlite": SQLITE_FORWARDS},
            backwards={"postgresql": POSTGRESQL_BACKWARDS, "sqlite": SQLITE_BACKWARDS},
        )
    ]
