"""A typed Python client generated from docs/openapi.yaml works against the API.

openapi-python-client writes the client once per run, offline, into a temporary folder
(two to three seconds). Then, for every tag of the schema, one request goes through the
client's typed functions to a live server, signed in with an API token: it must succeed,
and its answer must parse into the model the schema names. A tag added to the schema
fails this test until a request for it is added here.
"""

import datetime as dt
import importlib
import io
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from studies.accounts.services import api_token_create
from studies.common.roles import Role
from studies.fieldwork.models import Observation, ObservationKind
from studies.scheduling.models import Household, Round, Study, Visit, VisitStatus
from tests.conftest import enrol_consenting
from tests.factories import (
    MembershipFactory,
    ObservationFactory,
    RoundFactory,
    StudyFactory,
    UserFactory,
    VisitFactory,
)

COMMITTED = Path(__file__).resolve().parents[2] / "docs" / "openapi.yaml"
PACKAGE = "researchhub_client"
GENERATOR_CONFIG = {
    "package_name_override": PACKAGE,
    # The generated code is not formatted: no one reads it, and generation is faster.
    "post_hooks": [],
    # A chunk of a resumable photo upload (tus) is raw bytes, like any octet stream.
    "content_type_overrides": {"application/offset+octet-stream": "application/octet-stream"},
}
QUARTER = dt.timedelta(days=89)
PANEL_CSV = (
    b"code,name,email,segment: region,participation consent given on,consent version\n"
    b"H-900,Jo Bloggs,jo@example.org,north,2026-01-05,v1\n"
)


@pytest.fixture(scope="session")
def client_package(tmp_path_factory) -> Iterator[ModuleType]:
    """The client generated from the committed schema, imported as `researchhub_client`."""
    folder = tmp_path_factory.mktemp("api_client")
    config = folder / "openapi-python-client.yaml"
    config.write_text(yaml.safe_dump(GENERATOR_CONFIG), encoding="utf-8")
    generated = subprocess.run(
        [
            sys.executable,
            "-m",
            "openapi_python_client",
            "generate",
            "--path",
            str(COMMITTED),
            "--config",
            str(config),
            "--meta",
            "none",
            "--output-path",
            str(folder / PACKAGE),
            "--fail-on-warning",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if generated.returncode != 0:
        pytest.fail(f"openapi-python-client failed:\n{generated.stdout}\n{generated.stderr}")
    sys.path.insert(0, str(folder))
    try:
        # The models and types modules, imported, are attributes of the package.
        for module in ("models", "types"):
            importlib.import_module(f"{PACKAGE}.{module}")
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(folder))
        for name in [name for name in sys.modules if name.partition(".")[0] == PACKAGE]:
            del sys.modules[name]


class TypedCalls:
    """Operations called through the generated client's typed functions, as one user."""

    def __init__(self, package: ModuleType, base_url: str, key: str) -> None:
        self.package = package
        self.client = package.AuthenticatedClient(
            base_url=base_url,
            token=key,
            prefix="Token",
            # An answer the schema does not document raises instead of parsing to None.
            raise_on_unexpected_status=True,
            # Straight to the live server on loopback, whatever proxy the environment names.
            httpx_args={"trust_env": False},
        )
        self.tags: set[str] = set()

    def __call__(self, tag: str, operation: str, model: type, **kwargs: Any) -> Any:
        """Call `operation`, found under its tag as the generator files it; its answer must
        be a success that parsed into `model` (a list answer: a non-empty list of them)."""
        module = importlib.import_module(
            f"{self.package.__name__}.api.{re.sub(r'\W+', '_', tag)}.{operation}"
        )
        response = module.sync_detailed(client=self.client, **kwargs)
        assert 200 <= response.status_code < 300, (
            f"{operation}: {response.status_code} {response.content[:500]!r}"
        )
        parsed = response.parsed
        items = parsed if isinstance(parsed, list) else [parsed]
        assert items, f"{operation}: an empty list, so no model was parsed"
        assert all(isinstance(item, model) for item in items), (
            f"{operation}: {type(items[0]).__name__}, not {model.__name__}"
        )
        self.tags.add(tag)
        return parsed


@dataclass
class Field:
    study: Study
    round: Round
    household: Household
    visit: Visit
    quote: Observation
    lead_key: str
    admin_key: str


@pytest.fixture
def field(live_server) -> Field:
    """A study led by the token's owner: two rounds, each with a visit held at the same
    household (trends compare rounds), the later one with a quote."""
    lead = UserFactory(username="lead")
    study = StudyFactory()
    MembershipFactory(study=study, user=lead, role=Role.RESEARCH_LEAD)
    researcher = UserFactory(username="researcher")
    MembershipFactory(study=study, user=researcher, role=Role.RESEARCHER)
    household = enrol_consenting(study, 1)[0]
    visits = [
        VisitFactory(
            round=RoundFactory(study=study, window_start=start, window_end=start + QUARTER),
            household=household,
            researcher=researcher,
            scheduled_start=dt.datetime.combine(start, dt.time(9), tzinfo=dt.UTC),
            status=VisitStatus.COMPLETED,
        )
        for start in (dt.date(2026, 1, 1), dt.date(2026, 4, 1))
    ]
    visit = visits[-1]
    quote = ObservationFactory(
        visit=visit, kind=ObservationKind.QUOTE, text="The fridge is always too full."
    )
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    _token, lead_key = api_token_create(user=lead, name="Generated client")
    _token, admin_key = api_token_create(user=admin, name="Generated client")
    return Field(study, visit.round, household, visit, quote, lead_key, admin_key)


def test_every_tag_answers_a_typed_request(client_package, live_server, field):
    models = client_package.models
    as_lead = TypedCalls(client_package, live_server.url, field.lead_key)
    as_admin = TypedCalls(client_package, live_server.url, field.admin_key)
    study_id = field.study.pk

    as_lead("studies", "studies_retrieve", models.StudyOutput, study_id=study_id)
    as_lead("rounds", "rounds_retrieve", models.RoundOutput, round_id=field.round.pk)
    as_lead(
        "households",
        "households_retrieve",
        models.HouseholdOutput,
        household_id=field.household.pk,
    )
    as_lead("visits", "visits_retrieve", models.VisitDetailOutput, visit_id=field.visit.pk)
    as_lead(
        "sync",
        "visits_observations_list",
        models.PaginatedObservationOutputList,
        visit_id=field.visit.pk,
    )
    as_lead(
        "photos", "visits_photos_list", models.PaginatedPhotoOutputList, visit_id=field.visit.pk
    )
    as_lead("staffing", "studies_staffing_retrieve", models.StaffingOutput, study_id=study_id)
    as_lead(
        "team",
        "studies_invitations_create",
        models.InvitationOutput,
        study_id=study_id,
        body=models.InvitationInputRequest(
            email="new.colleague@example.org", role=models.RoleEnum.RESEARCHER
        ),
    )
    as_lead(
        "panel",
        "panel_imports_create",
        models.PanelImportOutput,
        study_id=study_id,
        body=models.PanelImportInputRequest(
            file=client_package.types.File(
                payload=io.BytesIO(PANEL_CSV), file_name="panel.csv", mime_type="text/csv"
            )
        ),
    )
    insight = as_lead(
        "insights",
        "insights_create",
        models.InsightDetailOutput,
        body=models.InsightCreateInputRequest(
            study=study_id,
            statement="Fridges are packed beyond their shelves.",
            observations=[field.quote.pk],
        ),
    )
    as_lead(
        "pressure tests",
        "insights_pressure_test_create",
        models.PressureTestOutput,
        insight_id=insight.id,
    )
    as_lead("boards", "boards_list", models.BoardOutput)
    as_lead("quotes", "quotes_list", models.PaginatedQuoteOutputList, study=study_id)
    as_lead("tags", "studies_tag_counts_retrieve", models.TagCountsOutput, study_id=study_id)
    as_lead("trends", "studies_trends_retrieve", models.StudyTrendsOutput, study_id=study_id)
    as_lead("loop", "studies_loop_health_retrieve", models.LoopHealthOutput, study_id=study_id)
    as_lead("search", "search", models.SearchPageOutput, q="fridge")
    as_lead("me", "me_tokens_list", models.PaginatedApiTokenOutputList)
    as_admin("routing rules", "routing_rules_list", models.PaginatedRoutingRuleOutputList)
    as_admin("webhooks", "webhooks_list", models.PaginatedWebhookOutputList)

    assert as_lead.tags | as_admin.tags == tags_of_the_schema()


def tags_of_the_schema() -> set[str]:
    document = yaml.safe_load(COMMITTED.read_text(encoding="utf-8"))
    return {
        tag
        for operations in document["paths"].values()
        for operation in operations.values()
        for tag in operation.get("tags", [])
    }
