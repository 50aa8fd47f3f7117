pytest_plugins = ["tests.db_fixtures", "tests.emulator_fixtures"]
