import pytest

from bot import lexicon

pytest_plugins = ["tests.db_fixtures", "tests.emulator_fixtures"]


@pytest.fixture(scope="session", autouse=True)
def _lexicon_loaded() -> None:
    """The bot loads its cross-language lexicon at start-up, before it takes updates: so do
    the tests, so that no test's first search or alert waits for the dictionary."""
    lexicon.lexicon()
