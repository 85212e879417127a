import pytest
from django.core.cache import cache
from django.test import Client

from handbook.testing import PERSONAS, build_world, world


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Build the persona world once; every test runs in a transaction that is rolled back."""
    with django_db_blocker.unblock():
        build_world()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters and cached scopes must not leak from one test into the next."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def w(db):
    return world()


@pytest.fixture
def client_for(w):
    def make(persona: str) -> Client:
        client = Client()
        if persona != "anonymous":
            client.force_login(w.users[persona])
        return client

    return make


@pytest.fixture(params=PERSONAS)
def persona(request):
    return request.param
