"""The reliability and security suite: scenarios that prove no hire is lost, duplicated or
leaked, end to end. Each scenario returns a :class:`ScenarioResult`; pytest runs them small,
``python -m integration_tests.reliability`` runs them at full size and prints a table."""
