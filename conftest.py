"""Root pytest configuration: the airbyte-cdk standard-test plugin must be registered here."""

pytest_plugins = ["airbyte_cdk.test.standard_tests.pytest_hooks"]
