"""Small rule texts for tests: one condition or one mapping at a time."""

from __future__ import annotations

import textwrap

import rules

BASE_PROFILE = """\
profile:
  country_code: PRT
"""


def rule_with(
    *,
    eligibility: str = "",
    profile: str = BASE_PROFILE,
    trigger: str = "offer_created",
    extra: str = "",
) -> rules.Rule:
    """A rule for customer 'acme' with the given YAML sections (each already indented)."""
    parts = ["version: 1", "customer: acme", f"trigger: {trigger}"]
    if eligibility:
        parts.append("eligibility:\n" + textwrap.indent(textwrap.dedent(eligibility), "  "))
    parts.append(textwrap.dedent(profile).rstrip())
    if extra:
        parts.append(textwrap.dedent(extra).rstrip())
    return rules.load_rule_text("\n".join(parts) + "\n", source="acme.yaml")


def mapping_rule(target: str, template: str, extra: str = "") -> rules.Rule:
    """A rule mapping one basic_information key (or country_code/type) to ``template``."""
    if target in ("country_code", "type"):
        profile = f"profile:\n  country_code: PRT\n  {target}: {template!r}\n"
        if target == "country_code":
            profile = f"profile:\n  country_code: {template!r}\n"
    else:
        profile = (
            f"profile:\n  country_code: PRT\n  basic_information:\n    {target}: {template!r}\n"
        )
    return rule_with(profile=profile, extra=extra)
