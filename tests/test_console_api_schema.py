"""The console's JSON API against its own OpenAPI schema: schemathesis generates requests
for every operation (valid and invalid input) as a signed-in admin, who may call them all;
no answer may be a server error."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from app.web.server import create_app
from tests.conftest import SampleCrm
from tests.console_support import LOGINS, running_console, signed_in


@pytest.fixture(scope="module")
def signed_in_admin(
    researched_console_template: tuple[SampleCrm, list[str]],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[str, dict[str, str]]]:
    """The console served over HTTP on a researched copy of the sample CRM, and an admin's
    session."""
    template, _ = researched_console_template
    root = Path(tmp_path_factory.mktemp("api_schema")) / "crm"
    shutil.copytree(template.root, root)
    database_url = SampleCrm(root).database_url
    with TestClient(create_app(database_url)) as client:
        signed_in(client, LOGINS.admin)
        credentials = {
            "Cookie": f"qualify_session={client.cookies['qualify_session']}",
            "X-CSRF-Token": client.headers["X-CSRF-Token"],
        }
    with running_console(database_url) as base_url:
        yield base_url, credentials


# The schema does not depend on the database: read it from an app on none.
schema = schemathesis.openapi.from_dict(create_app("sqlite://").openapi())


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_no_server_error_on_any_input(
    case: schemathesis.Case, signed_in_admin: tuple[str, dict[str, str]]
) -> None:
    base_url, credentials = signed_in_admin
    case.call_and_validate(base_url=base_url, headers=credentials, checks=[not_a_server_error])
