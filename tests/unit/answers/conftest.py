"""Fixtures of the answers tests: the two real tenant profiles."""

from __future__ import annotations

import pytest

from bot.tenants import Tenant, load_tenant


@pytest.fixture(params=["miel", "smie"])
def tenant(request: pytest.FixtureRequest) -> Tenant:
    return load_tenant(request.param)


@pytest.fixture
def miel() -> Tenant:
    return load_tenant("miel")


@pytest.fixture
def smie() -> Tenant:
    return load_tenant("smie")
