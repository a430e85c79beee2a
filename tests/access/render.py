"""Write docs/permissions.md from the authorisation matrix: `python -m tests.access.render`
(or `make permissions`). tests/access/test_permissions_doc.py fails when the file is stale."""

import os
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "permissions.md"
ROLE_LABELS = {
    "anonymous": "anonymous",
    "admin": "admin (superuser)",
    "lead": "research lead",
    "researcher": "researcher",
    "product": "product",
    "marketing": "marketing",
    "sales": "sales",
}


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return lines


def render() -> str:
    from studies.common.roles import CAPABILITIES, Capability, Role
    from tests.access.matrix import MATRIX, ROLES
    from tests.access.routes import all_routes

    paths = {route.name: route.path for route in all_routes()}
    lines = [
        "# Permissions",
        "",
        "<!-- Generated from tests/access/matrix.py by `make permissions`: do not edit. -->",
        "",
        "The one permission table lives in `studies/common/roles.py` (`CAPABILITIES`, below) and "
        "is enforced by the access functions (`studies/*/access.py`: `study_get_for_user` and "
        "friends) for both the API and the pages. A user reaches only the studies they belong "
        "to: anything in another study answers 404, as a missing object does; a member whose "
        "role lacks the capability gets 403. A superuser acts as a research lead in every "
        "study. Routing rules and webhooks are for staff only. Household contact details "
        "(name, address, phone, e-mail) go only to roles with `view_personal_data`. "
        "`tests/access/test_matrix.py` runs every row of the matrix below for every role and "
        "scope, and fails on any route the URL resolver knows that the matrix does not list.",
        "",
        "## Roles and capabilities",
        "",
    ]
    roles = list(Role)
    lines += _table(
        ["capability", *(str(role.label) for role in roles)],
        [
            [f"`{capability.value}`"]
            + ["✓" if capability in CAPABILITIES[role] else "" for role in roles]
            for capability in Capability
        ],
    )
    lines += [
        "",
        "## Every endpoint and page",
        "",
        "Each persona is a member of the *own* study. Scopes: **own** — the object is in the "
        "own study (a visit, or what was captured on it, is the researcher's own); "
        "**colleague** — a visit of another researcher in the own study; **other** — the "
        "object is in a study the persona is not in (for a token: someone else's); **-** — "
        "the route names no study object. Cells give the outcome per scope, in the order of "
        "the scopes column: ✓ allowed (2xx, or a redirect that is not to sign-in); `login` "
        "— 401 from the API, a redirect to the sign-in page from a page; `400` — the body "
        "names an object the user cannot see; `403` — the role lacks the capability; `404` — "
        "not the user's to see, answered as for a missing object.",
        "",
    ]
    rows = []
    for row in MATRIX:
        cells = [
            " / ".join(row.expected(role, scope).short for scope in row.scopes) for role in ROLES
        ]
        route = f"`{row.route}`" + (f" ({row.variant})" if row.variant else "")
        rows.append(
            [
                route,
                row.method,
                f"`{paths.get(row.route, '?')}`",
                " / ".join(row.scopes),
                *cells,
                row.rule.describe() + (f". {row.note}" if row.note else ""),
            ]
        )
    lines += _table(
        ["route", "method", "path", "scopes", *(ROLE_LABELS[r] for r in ROLES), "who"], rows
    )
    return "\n".join(lines) + "\n"


def main() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "researchhub.settings")
    django.setup()
    DOC.write_text(render(), encoding="utf-8")
    print(f"Wrote {DOC.relative_to(Path.cwd()) if DOC.is_relative_to(Path.cwd()) else DOC}")


if __name__ == "__main__":
    main()
