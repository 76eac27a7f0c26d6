"""Reading the destination config (the form in ``spec.json``) into typed settings.

Every problem is a ``ConfigError`` whose message names the setting and what to put there.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

import rules
from destination_remote_onboarding.errors import ConfigError
from destination_remote_onboarding.remote_client import (
    ENVIRONMENTS,
    TOKEN_PREFIXES,
    environment_of_token,
)

LookupStrategy = Literal["auto", "per_email", "listing"]
LOOKUP_STRATEGIES: Final = ("auto", "per_email", "listing")


@dataclass(frozen=True)
class Settings:
    """The destination config, checked and with defaults filled in (the token stays opaque)."""

    environment: str
    base_url: str
    api_token: str
    rule: Any
    dry_run: bool
    ledger_path: str | None
    lookup_strategy: LookupStrategy
    rate_limit_per_minute: int
    request_timeout_seconds: float
    retry_backoff_seconds: float

    def __repr__(self) -> str:
        return f"Settings(environment={self.environment!r}, base_url={self.base_url!r}, …)"


def read_config_file(path: Path) -> dict[str, Any]:
    """The JSON object in a config file; raises ConfigError naming the file and what to fix."""
    return read_json_object(path, "config file", "examples/destination.json")


def read_json_object(path: Path, what: str, example: str) -> dict[str, Any]:
    """The JSON object in ``path``; a ConfigError naming ``what`` and an example otherwise."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            f"{what} {path} does not exist: pass the path of an existing file"
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or error
        raise ConfigError(f"{what} {path} cannot be read ({reason})") from None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise ConfigError(
            f"{what} {path} is not JSON (line {error.lineno} column {error.colno}: "
            f"{error.msg}); fix it or copy {example}"
        ) from None
    if not isinstance(value, dict):
        raise ConfigError(f"{what} {path} is not a JSON object; write one like {example}")
    return value


def read_settings(config: Mapping[str, Any]) -> Settings:
    """Settings from a config dict; raises ConfigError naming the setting to fix."""
    environment, base_url = _environment(config.get("environment"))
    token = config.get("api_token")
    if not isinstance(token, str) or not token.strip():
        raise ConfigError(_missing_token_message(config))
    _check_token_environment(token.strip(), environment)
    strategy = config.get("lookup_strategy", "auto")
    if strategy not in LOOKUP_STRATEGIES:
        allowed = ", ".join(LOOKUP_STRATEGIES)
        raise ConfigError(f"lookup_strategy {strategy!r} is unknown; choose one of {allowed}")
    return Settings(
        environment=environment,
        base_url=base_url,
        api_token=token.strip(),
        rule=load_configured_rule(config.get("rule")),
        dry_run=bool(config.get("dry_run", False)),
        ledger_path=config.get("ledger_path") or None,
        lookup_strategy=strategy,
        rate_limit_per_minute=_positive(config, "rate_limit_per_minute", 20),
        request_timeout_seconds=_positive(config, "request_timeout_seconds", 30.0),
        retry_backoff_seconds=_positive(config, "retry_backoff_seconds", 1.0, allow_zero=True),
    )


def _missing_token_message(config: Mapping[str, Any]) -> str:
    # People who know other APIs write api_key; say which key was found and what it is called.
    found = next((key for key in ("api_key", "token", "apiKey") if key in config), None)
    if found is not None:
        return f"api_token is missing (found {found}: the Remote setting is called api_token)"
    return "api_token is missing: paste the Remote API token of the company"


def _environment(value: Any) -> tuple[str, str]:
    chosen = value.get("environment") if isinstance(value, Mapping) else value
    if chosen in ENVIRONMENTS:
        return str(chosen), ENVIRONMENTS[chosen]
    if chosen == "custom":
        base_url = value.get("base_url") if isinstance(value, Mapping) else None
        if not isinstance(base_url, str) or not base_url.startswith(("http://", "https://")):
            raise ConfigError(
                "environment.base_url must be an http(s) URL such as http://127.0.0.1:8080 "
                "when the environment is 'custom'"
            )
        return "custom", base_url.rstrip("/")
    raise ConfigError(
        f"environment {chosen!r} is unknown; choose production, sandbox or custom (with base_url)"
    )


def _check_token_environment(token: str, environment: str) -> None:
    issued = environment_of_token(token)
    if environment in TOKEN_PREFIXES and issued and issued != environment:
        raise ConfigError(
            f"api_token is a {issued} token ({TOKEN_PREFIXES[issued]}…) but the environment is "
            f"{environment}: choose environment '{issued}', or paste a "
            f"{TOKEN_PREFIXES[environment]}… token"
        )


def _positive(
    config: Mapping[str, Any], key: str, default: float, *, allow_zero: bool = False
) -> Any:
    value = config.get(key, default)
    valid = isinstance(value, int | float) and not isinstance(value, bool)
    if not valid or value < 0 or (value == 0 and not allow_zero):
        raise ConfigError(f"{key} must be a positive number, got {value!r}")
    return type(default)(value)


def load_configured_rule(value: Any) -> Any:
    """The rule named by the config's ``rule`` block: a file under rules/customers/ or YAML."""
    if isinstance(value, str):
        value = {"rule_source": "file", "rule_file": value}
    if not isinstance(value, Mapping):
        raise ConfigError("rule is missing: name a rule file or paste the rule YAML")
    try:
        if value.get("rule_yaml"):
            return rules.load_rule_text(str(value["rule_yaml"]), source="<pasted rule>")
        if value.get("rule_file"):
            return rules.load_rule(resolve_rule_file(str(value["rule_file"])))
    except rules.RuleError as error:
        raise ConfigError(f"rule {error}") from None
    raise ConfigError("rule needs rule_file (a file under rules/customers/) or rule_yaml")


def resolve_rule_file(name: str) -> Path:
    """The rule file a name means, found as ``hires rules`` finds it (see rules.find_rule_file)."""
    found = rules.find_rule_file(name)
    if found is None:
        close = rules.closest_rule_file(name)
        guess = f" (did you mean {close!r}?)" if close else ""
        raise ConfigError(
            f"rule_file {name!r} does not exist{guess}; give a path to a YAML file or the name "
            "of one in rules/customers/ (for example northwind.yaml)"
        )
    return found
