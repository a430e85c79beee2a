"""The Dockerfile and its build context, read as text: no container engine runs here."""

import fnmatch
import json

from tests.infra.services import ROOT, service, service_environment


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with continuation lines joined and comments dropped."""
    joined: list[str] = []
    pending = ""
    for line in (ROOT / "Dockerfile").read_text().splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        joined.append(pending + stripped)
        pending = ""
    return [tuple(line.split(maxsplit=1)) for line in joined]


def arguments(instruction: str) -> list[str]:
    return [args for name, args in instructions() if name == instruction]


def ignored_patterns() -> list[str]:
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def test_it_builds_on_python_313_slim():
    assert arguments("FROM") == ["python:3.13-slim"]


def test_it_installs_the_pinned_dependency_tree():
    assert any("pip install -c constraints.txt ." in args for args in arguments("RUN"))


def test_it_collects_static_files_at_build_time():
    assert any("manage.py collectstatic --noinput" in args for args in arguments("RUN"))


def test_it_runs_as_a_non_root_user_created_in_the_image():
    steps = instructions()
    user_index = max(index for index, (name, _) in enumerate(steps) if name == "USER")
    user = steps[user_index][1]

    assert user not in {"root", "0"}
    assert any("useradd" in args and user in args for args in arguments("RUN"))
    # Nothing after the switch runs as root again.
    assert all(name != "RUN" for name, _ in steps[user_index:])


def test_it_exposes_the_port_the_web_service_binds():
    port = service_environment("web")["GUNICORN_BIND"].rsplit(":", 1)[1]

    assert arguments("EXPOSE") == [port]


def test_its_default_command_is_the_web_service():
    cmd = arguments("CMD")[0]

    # The image alone should start the web app as compose does.
    assert json.loads(cmd) == service("web")["command"]


def test_the_media_folder_exists_and_belongs_to_the_app_user():
    media_root = service_environment("web")["MEDIA_ROOT"]
    user = arguments("USER")[-1]

    assert any(
        f"mkdir -p {media_root}" in args and f"chown {user}:{user} {media_root}" in args
        for args in arguments("RUN")
    )


def is_ignored(path: str) -> bool:
    return any(fnmatch.fnmatch(path, pattern) for pattern in ignored_patterns())


def test_the_build_context_leaves_out_local_state():
    local_state = [
        ".venv",
        ".git",
        "media",
        "staticfiles",
        "researchhub.sqlite3",
        ".test-db-123.sqlite3",
    ]

    assert [path for path in local_state if not is_ignored(path)] == []
    assert "**/__pycache__" in ignored_patterns()


def test_the_build_context_keeps_what_the_image_runs():
    needed = [
        "manage.py",
        "pyproject.toml",
        "constraints.txt",
        "researchhub",
        "studies",
        "frontend",
    ]

    assert [path for path in needed if is_ignored(path)] == []
