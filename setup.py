"""Greenhouse hires → Remote onboarding: two Airbyte connectors, a rules engine and a CLI."""

from setuptools import find_packages, setup

setup(
    name="greenhouse-remote-hires",
    version="0.1.0",
    description="Greenhouse Harvest v3 hires into Remote onboarding, by each customer's rules",
    python_requires=">=3.11,<3.13",
    packages=find_packages(
        include=[
            "source_greenhouse_hires*",
            "destination_remote_onboarding*",
            "rules*",
            "hire_events*",
            "webhook_receiver*",
            "hires_cli*",
        ]
    ),
    package_data={
        "source_greenhouse_hires": ["manifest.yaml", "*.json", "schemas/*.json"],
        "destination_remote_onboarding": ["spec.json", "metadata.yaml"],
        "hire_events": ["*.json"],
        "rules": ["*.json", "customers/*.yaml", "examples/*.yaml"],
    },
    install_requires=[
        "airbyte-cdk>=7.39.1,<8",
        "pydantic>=2.7,<3",
        "requests>=2.32,<3",
        "PyYAML>=6.0,<7",
        "Jinja2>=3.1,<4",
        "jsonschema>=4.20,<5",
        "pycountry>=24.6,<27",
        "starlette>=0.40,<2",
        "uvicorn>=0.30,<1",
    ],
    extras_require={
        "dev": [
            "pytest>=8,<10",
            "hypothesis>=6.100,<7",
            "ruff>=0.17.6,<0.18",
            "mypy>=2.4,<3",
            "types-PyYAML>=6.0,<7",
            "types-requests>=2.32,<3",
            "airbyte-connector-models>=0.1.12,<0.2",
        ],
    },
    entry_points={
        "console_scripts": [
            "source-greenhouse-hires=source_greenhouse_hires.run:run",
            "destination-remote-onboarding=destination_remote_onboarding.run:run",
            "hires=hires_cli.main:main",
        ],
    },
)
