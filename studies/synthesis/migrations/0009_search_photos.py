"""Search finds photos by their caption and their tags' names (search kind "photo").

A photo's words live in two tables: its caption on the photo, its tags' names on
`fieldwork_tag` through `fieldwork_phototag`. Both databases keep one searchable text per
photo, kept in step by triggers on all three tables, so a tag added to or taken off a photo,
a tag renamed or merged, and a caption edited are found (or no longer found) at once.

PostgreSQL: a stored *generated* column cannot read another table, so
`fieldwork_photo.search_vector` is a plain tsvector column written by triggers (caption
weight A, tag names B, as observations' text and speaker are weighed A and C), with a GIN
index like the other kinds (0003). Building the vector at query time instead needs no
trigger, but it parses every photo's caption and tags on every search: 320 to 620 ms over
the 20,000 photos of the generated dataset, against 100 ms for a whole search. Tag links
are handled per statement, through transition tables, so a tag merge that repoints
thousands of links recomputes each photo once. The column is unknown to the model on
purpose, as 0003's are: Django never writes it.

SQLite: photos join the FTS5 table of 0003 (`main` the caption, `detail` the tag names,
`speaker` empty), so bm25 ranks them in the same corpus as observations and insights.

Tag names are separated by the control character 31 in what the search highlights, so the
service can show each tag with its matches marked. Characters 2, 3 and 31 never reach what
is highlighted (0003 explains 2 and 3): SQLite strips them as it indexes, PostgreSQL as it
highlights (studies/synthesis/search/backends/postgres.py).

The traps of 0003 apply here too, for three tables: a later migration that makes Django
rebuild fieldwork_photo, fieldwork_phototag or fieldwork_tag on SQLite (most field changes
do) drops their triggers and must run this migration's trigger SQL again; the search tests
catch it (tests/synthesis/test_search_photos.py). On PostgreSQL the triggers survive such
changes, but the functions name the columns they read: renaming or dropping a photo's
caption, a tag's name or a link's photo or tag means writing them again.
"""

import importlib

from django.db import migrations

search = importlib.import_module("studies.synthesis.migrations.0003_search_indexes")

POSTGRESQL_FORWARDS = [
    "ALTER TABLE fieldwork_photo ADD COLUMN search_vector tsvector",
    """
    CREATE FUNCTION synthesis_photo_search_vector(photo_id uuid, caption text)
    RETURNS tsvector LANGUAGE sql STABLE AS $$
        SELECT setweight(to_tsvector('english'::regconfig, coalesce($2, '')), 'A')
            || setweight(
                to_tsvector('english'::regconfig, coalesce(string_agg(t.name, ' '), '')), 'B'
            )
        FROM fieldwork_phototag pt JOIN fieldwork_tag t ON t.id = pt.tag_id
        WHERE pt.photo_id = $1
    $$
    """,
    "UPDATE fieldwork_photo SET search_vector = synthesis_photo_search_vector(id, caption)",
    """
    CREATE INDEX fieldwork_photo_search ON fieldwork_photo
    USING gin (search_vector) WITH (fastupdate = off) WHERE deleted_at IS NULL
    """,
    # A new photo has no tags yet (they are linked after it is inserted): its caption.
    """
    CREATE FUNCTION synthesis_search_photo_written() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        NEW.search_vector := synthesis_photo_search_vector(NEW.id, NEW.caption);
        RETURN NEW;
    END
    $$
    """,
    """
    CREATE TRIGGER synthesis_search_photo BEFORE INSERT OR UPDATE OF caption ON fieldwork_photo
    FOR EACH ROW EXECUTE FUNCTION synthesis_search_photo_written()
    """,
    # One function for the three statements on links, as PostgreSQL's manual does it: each
    # trigger names only the transition tables its event has.
    """
    CREATE FUNCTION synthesis_search_photo_tags_changed() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            UPDATE fieldwork_photo SET search_vector = synthesis_photo_search_vector(id, caption)
            WHERE id IN (SELECT photo_id FROM added);
        ELSIF TG_OP = 'DELETE' THEN
            UPDATE fieldwork_photo SET search_vector = synthesis_photo_search_vector(id, caption)
            WHERE id IN (SELECT photo_id FROM removed);
        ELSE
            UPDATE fieldwork_photo SET search_vector = synthesis_photo_search_vector(id, caption)
            WHERE id IN (SELECT photo_id FROM added UNION SELECT photo_id FROM removed);
        END IF;
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE TRIGGER synthesis_search_phototag_insert AFTER INSERT ON fieldwork_phototag
    REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION synthesis_search_photo_tags_changed()
    """,
    """
    CREATE TRIGGER synthesis_search_phototag_update AFTER UPDATE ON fieldwork_phototag
    REFERENCING OLD TABLE AS removed NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION synthesis_search_photo_tags_changed()
    """,
    """
    CREATE TRIGGER synthesis_search_phototag_delete AFTER DELETE ON fieldwork_phototag
    REFERENCING OLD TABLE AS removed
    FOR EACH STATEMENT EXECUTE FUNCTION synthesis_search_photo_tags_changed()
    """,
    """
    CREATE FUNCTION synthesis_search_tag_renamed() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE fieldwork_photo SET search_vector = synthesis_photo_search_vector(id, caption)
        WHERE id IN (SELECT photo_id FROM fieldwork_phototag WHERE tag_id = NEW.id);
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE TRIGGER synthesis_search_tag_renamed AFTER UPDATE OF name ON fieldwork_tag
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name)
    EXECUTE FUNCTION synthesis_search_tag_renamed()
    """,
]

POSTGRESQL_BACKWARDS = [
    "DROP TRIGGER synthesis_search_tag_renamed ON fieldwork_tag",
    "DROP FUNCTION synthesis_search_tag_renamed()",
    "DROP TRIGGER synthesis_search_phototag_delete ON fieldwork_phototag",
    "DROP TRIGGER synthesis_search_phototag_update ON fieldwork_phototag",
    "DROP TRIGGER synthesis_search_phototag_insert ON fieldwork_phototag",
    "DROP FUNCTION synthesis_search_photo_tags_changed()",
    "DROP TRIGGER synthesis_search_photo ON fieldwork_photo",
    "DROP FUNCTION synthesis_search_photo_written()",
    "DROP INDEX fieldwork_photo_search",
    "DROP FUNCTION synthesis_photo_search_vector(uuid, text)",
    "ALTER TABLE fieldwork_photo DROP COLUMN search_vector",
]


def _clean(column: str) -> str:
    return f"replace({search._clean(column)}, char(31), '')"


def _tag_names(photo_id: str) -> str:
    """The photo's tag names, separated by character 31 ('' without tags)."""
    return f"""(
        SELECT coalesce(group_concat({_clean("t.name")}, char(31)), '')
        FROM fieldwork_phototag pt JOIN fieldwork_tag t ON t.id = pt.tag_id
        WHERE pt.photo_id = {photo_id}
    )"""


def _retag(photo_id: str) -> str:
    return f"""
        UPDATE synthesis_search SET detail = {_tag_names(photo_id)}
        WHERE rowid = {search._entry_of(photo_id)};
    """


# Inside an UPDATE of synthesis_search: the photo that row indexes.
_PHOTO_OF_ENTRY = "(SELECT object_id FROM synthesis_search_entry WHERE id = synthesis_search.rowid)"

SQLITE_FORWARDS = [
    "INSERT INTO synthesis_search_entry (object_id) SELECT id FROM fieldwork_photo",
    f"""
    INSERT INTO synthesis_search (rowid, main, detail, speaker)
    SELECT e.id, {_clean("p.caption")}, {_tag_names("p.id")}, ''
    FROM synthesis_search_entry e JOIN fieldwork_photo p ON p.id = e.object_id
    """,
    f"""
    CREATE TRIGGER synthesis_search_photo_insert AFTER INSERT ON fieldwork_photo
    BEGIN
        INSERT INTO synthesis_search_entry (object_id) VALUES (new.id);
        INSERT INTO synthesis_search (rowid, main, detail, speaker) VALUES (
            {search._entry_of("new.id")}, {_clean("new.caption")}, {_tag_names("new.id")}, ''
        );
    END
    """,
    f"""
    CREATE TRIGGER synthesis_search_photo_update AFTER UPDATE OF caption ON fieldwork_photo
    BEGIN
        UPDATE synthesis_search SET main = {_clean("new.caption")}
        WHERE rowid = {search._entry_of("new.id")};
    END
    """,
    f"""
    CREATE TRIGGER synthesis_search_photo_delete AFTER DELETE ON fieldwork_photo
    BEGIN
        DELETE FROM synthesis_search WHERE rowid = {search._entry_of("old.id")};
        DELETE FROM synthesis_search_entry WHERE object_id = old.id;
    END
    """,
    f"""
    CREATE TRIGGER synthesis_search_phototag_insert AFTER INSERT ON fieldwork_phototag
    BEGIN {_retag("new.photo_id")} END
    """,
    f"""
    CREATE TRIGGER synthesis_search_phototag_update AFTER UPDATE ON fieldwork_phototag
    BEGIN {_retag("old.photo_id")} {_retag("new.photo_id")} END
    """,
    f"""
    CREATE TRIGGER synthesis_search_phototag_delete AFTER DELETE ON fieldwork_phototag
    BEGIN {_retag("old.photo_id")} END
    """,
    f"""
    CREATE TRIGGER synthesis_search_tag_rename AFTER UPDATE OF name ON fieldwork_tag
    WHEN old.name IS NOT new.name
    BEGIN
        UPDATE synthesis_search SET detail = {_tag_names(_PHOTO_OF_ENTRY)}
        WHERE rowid IN (
            SELECT e.id FROM synthesis_search_entry e
            JOIN fieldwork_phototag pt ON pt.photo_id = e.object_id
            WHERE pt.tag_id = new.id
        );
    END
    """,
]

SQLITE_BACKWARDS = [
    *(
        f"DROP TRIGGER synthesis_search_{name}"
        for name in (
            "tag_rename",
            "phototag_delete",
            "phototag_update",
            "phototag_insert",
            "photo_delete",
            "photo_update",
            "photo_insert",
        )
    ),
    """
    DELETE FROM synthesis_search WHERE rowid IN (
        SELECT e.id FROM synthesis_search_entry e JOIN fieldwork_photo p ON p.id = e.object_id
    )
    """,
    "DELETE FROM synthesis_search_entry WHERE object_id IN (SELECT id FROM fieldwork_photo)",
]


class Migration(migrations.Migration):
    dependencies = [
        ("synthesis", "0008_insight_round_count"),
        ("fieldwork", "0004_photo_tags_and_question_wording"),
    ]

    operations = [
        search.VendorSQL(
            forwards={"postgresql": POSTGRESQL_FORWARDS, "sqlite": SQLITE_FORWARDS},
            backwards={"postgresql": POSTGRESQL_BACKWARDS, "sqlite": SQLITE_BACKWARDS},
        )
    ]
