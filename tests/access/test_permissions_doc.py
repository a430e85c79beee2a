"""docs/permissions.md says what the authorisation matrix says."""

from tests.access.render import DOC, render


def test_the_permissions_doc_is_generated_from_the_matrix() -> None:
    committed = DOC.read_text(encoding="utf-8") if DOC.exists() else ""

    assert committed == render(), (
        "docs/permissions.md differs from what tests/access/matrix.py generates: "
        "run `make permissions` and commit the result."
    )


def test_the_doc_names_every_route_of_the_matrix() -> None:
    from tests.access.matrix import MATRIX

    text = render()

    assert all(f"`{row.route}`" in text for row in MATRIX)
    assert "`?`" not in text, "a route of the matrix has no path in the URL resolver"
