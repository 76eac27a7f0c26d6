"""Loading a rule file: YAML → validated model → compiled rule, or every error at once.

Each error names ``file:line:column``, the key, the bad value and what is allowed, with a
did-you-mean when a close match exists, so a person fixes the whole file in one pass.
"""

from __future__ import annotations

import difflib
import logging
import types
import typing
from collections.abc import Iterator
from pathlib import Path as FilePath
from typing import Any, Union

from pydantic import BaseModel, ValidationError

from rules import model
from rules.conditions import compile_condition
from rules.engine import FIELD_KINDS, FieldMapping, Rule
from rules.errors import RuleError
from rules.expressions import TemplateCompileError, TemplateCompiler
from rules.values import Problem, show, to_country
from rules.yaml_source import Path, YamlDocument, YamlSyntaxError, read_yaml

logger = logging.getLogger(__name__)


def load_rule(path: str | FilePath) -> Rule:
    """Load, validate and compile the rule file at ``path``; raises :class:`RuleError`."""
    file = FilePath(path)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise RuleError([f"{path}:1:1: cannot read the rule file: {error}"]) from error
    return _load(text, label=str(path), source=file.name)


def load_rule_text(text: str, source: str = "<pasted>") -> Rule:
    """Load a rule from YAML text, e.g. pasted into a connector's config form."""
    return _load(text, label=source, source=source)


def _load(text: str, *, label: str, source: str) -> Rule:
    try:
        document = read_yaml(text)
    except YamlSyntaxError as error:
        raise RuleError([f"{label}:{error.line}:{error.column}: {_syntax(error)}"]) from error
    problems = list(document.problems)
    if not isinstance(document.value, dict):
        problems.append(((1, 1), "a rule file is a mapping with version, customer, trigger …"))
        raise RuleError(_formatted(label, problems))

    problems.extend(_template_problems(document))
    problems.extend(_constant_problems(document))
    try:
        rule_model = model.RuleModel.model_validate(document.value)
    except ValidationError as error:
        problems.extend(_describe(error, document))
        raise RuleError(_formatted(label, problems)) from None
    if problems:
        raise RuleError(_formatted(label, problems))
    rule = _compile(rule_model, source)
    logger.debug("loaded rule %s for customer %s", source, rule.customer)
    return rule


def _syntax(error: YamlSyntaxError) -> str:
    if "'\\t'" in error.message:
        return f"{error.message} (indent with spaces, not tabs)"
    return error.message


def _formatted(label: str, problems: list[tuple[tuple[int, int], str]]) -> list[str]:
    ordered = sorted(problems, key=lambda problem: problem[0])
    return [f"{label}:{line}:{col}: {message}" for (line, col), message in ordered]


# --- compiling a valid model ----------------------------------------------------------------


def _compile(rule_model: model.RuleModel, source: str) -> Rule:
    compiler = TemplateCompiler(rule_model.lookups, rule_model.email_preference)
    mappings = []
    for target, templates, _path in _profile_templates(rule_model):
        normalise, required = FIELD_KINDS[target]
        many = target.endswith("tax_servicing_countries")
        compiled = tuple(compiler.compile(text) for text in templates)
        mappings.append(FieldMapping(target, compiled, normalise, required, many))
    return Rule(
        customer=rule_model.customer,
        trigger=rule_model.trigger,
        on_conflict=rule_model.on_conflict,
        source=source,
        model=rule_model,
        conditions=tuple(compile_condition(c) for c in rule_model.eligibility),
        mappings=tuple(mappings),
    )


def _template_problems(document: YamlDocument) -> list[tuple[tuple[int, int], str]]:
    """Check every template in the raw document, so they are reported with shape errors."""
    raw = document.value
    lookups = raw.get("lookups")
    tables = {str(k): v for k, v in lookups.items()} if isinstance(lookups, dict) else {}
    compiler = TemplateCompiler(tables, list(model.EMAIL_TYPES))
    problems = []
    for path, text in _raw_templates(raw.get("profile")):
        try:
            compiler.compile(text)
        except TemplateCompileError as problem:
            problems.append((document.position(path), f"{_dotted(path)}: {problem}"))
    return problems


def _raw_templates(profile: Any) -> Iterator[tuple[Path, str]]:
    if not isinstance(profile, dict):
        return
    for key in ("type", "country_code"):
        if isinstance(profile.get(key), str):
            yield ("profile", key), profile[key]
    basic = profile.get("basic_information")
    for key, value in basic.items() if isinstance(basic, dict) else ():
        items = value if isinstance(value, list) else [value]
        for index, item in enumerate(items):
            if isinstance(item, str):
                path = ("profile", "basic_information", str(key))
                yield ((*path, index) if isinstance(value, list) else path), item


def _profile_templates(
    rule_model: model.RuleModel,
) -> Iterator[tuple[str, list[str], Path]]:
    profile = rule_model.profile
    yield "type", [profile.type], ("profile", "type")
    yield "country_code", [profile.country_code], ("profile", "country_code")
    basic = profile.basic_information
    for key in model.BasicInformation.model_fields:
        value = getattr(basic, key)
        if value is None:
            continue
        path: Path = ("profile", "basic_information", key)
        if isinstance(value, list):
            yield f"basic_information.{key}", value, (*path, "[]")
        else:
            yield f"basic_information.{key}", [value], path


def _constant_problems(document: YamlDocument) -> list[tuple[tuple[int, int], str]]:
    """Check constant values in the raw document, so they are reported with shape errors."""
    profile = document.value.get("profile")
    if not isinstance(profile, dict):
        return []
    return [*_country_problems(document, profile), *_seniority_problems(document, profile)]


def _country_problems(
    document: YamlDocument, profile: dict[Any, Any]
) -> list[tuple[tuple[int, int], str]]:
    country = profile.get("country_code")
    if not isinstance(country, str) or model.is_template(country):
        return []
    found = to_country(country)
    if isinstance(found, Problem):
        return [
            (
                document.position(("profile", "country_code")),
                f"profile.country_code: {found.message}",
            )
        ]
    return []


def _seniority_problems(
    document: YamlDocument, profile: dict[Any, Any]
) -> list[tuple[tuple[int, int], str]]:
    # Remote requires seniority_date whenever has_seniority_date is "yes".
    basic = profile.get("basic_information")
    if not isinstance(basic, dict):
        return []
    flag = basic.get("has_seniority_date")
    says_yes = flag is True or (isinstance(flag, str) and flag.strip().lower() == "yes")
    date = basic.get("seniority_date")
    if not says_yes or (date is not None and str(date).strip()):
        return []
    path = ("profile", "basic_information", "seniority_date")
    where = path if date is not None else ("profile", "basic_information", "has_seniority_date")
    return [
        (
            document.position(where),
            f"{_dotted(path)}: Remote requires a seniority date when has_seniority_date is "
            'yes; add seniority_date (e.g. "{{ offer.starts_on | date }}") or set '
            "has_seniority_date: no",
        )
    ]


# --- describing pydantic errors -------------------------------------------------------------


def _describe(error: ValidationError, document: YamlDocument) -> list[tuple[tuple[int, int], str]]:
    grouped: dict[Path, list[dict[str, Any]]] = {}
    for detail in error.errors():
        path, owner = _clean_location(detail["loc"])
        grouped.setdefault(path, []).append({**detail, "owner": owner})
    lines = []
    for path, details in grouped.items():
        of_key = details[0]["type"] == "extra_forbidden"
        lines.append((document.position(path, of_key=of_key), _message(path, details)))
    return lines


def _message(path: Path, details: list[dict[str, Any]]) -> str:
    first = details[0]
    kind, value, owner = first["type"], first.get("input"), first["owner"]
    if kind == "extra_forbidden":
        allowed = _allowed_keys(owner)
        return f"{_dotted(path[:-1]) or 'rule'}: unknown key '{path[-1]}'; " + _expected(
            str(path[-1]), allowed
        )
    if kind == "missing":
        return f"{_dotted(path[:-1]) or 'rule'}: missing required key '{path[-1]}'"
    if kind == "literal_error":
        choices = sorted(_quoted_words(first["ctx"]["expected"]))
        return f"{_dotted(path)}: unknown value {_show(value)}; " + _expected(str(value), choices)
    if kind == "unknown_condition":
        return f"{_dotted(path)}: {_condition_problem(value)}"
    if kind in ("rule", "value_error"):
        return f"{_dotted(path) or 'rule'}: {first['msg']}"
    expected = " or ".join(sorted({_type_word(d) for d in details}))
    if path and path[-1] == "is":
        # The docs teach `is: yes` / `is: no`; YAML reads those words as booleans.
        expected = "yes or no"
    return f"{_dotted(path) or 'rule'}: {_show(value)} is not valid; expected {expected}"


def _condition_problem(value: Any) -> str:
    kinds = ", ".join(model.CONDITION_KINDS)
    if not isinstance(value, dict):
        return f"a condition is a mapping with one of {kinds}; got {_show(value)}"
    hints = [
        f"'{key}' (did you mean '{close[0]}'?)"
        for key in value
        for close in [difflib.get_close_matches(str(key), model.CONDITION_KINDS, n=1)]
        if close
    ]
    hint = f"; unknown key {hints[0]}" if hints else ""
    return f"a condition needs one of {kinds}{hint}"


def _type_word(detail: dict[str, Any]) -> str:
    words = {
        "string_type": "text",
        "int_type": "a whole number",
        "int_parsing": "a whole number",
        "bool_type": "true or false",
        "bool_parsing": "true or false",
        "list_type": "a list",
        "dict_type": "a mapping",
        "model_type": "a mapping",
        "float_type": "a number",
        "float_parsing": "a number",
        "string_pattern_mismatch": "letters, digits, _ . -",
        "too_short": "at least one item",
        "string_too_long": "at most 100 characters",
        "model_attributes_type": "a mapping",
    }
    return words.get(detail["type"], detail["msg"].lower())


def _expected(given: str, allowed: list[str]) -> str:
    text = f"expected one of {', '.join(allowed)}"
    close = did_you_mean(given, allowed)
    return f"{text} (did you mean '{close}'?)" if close else text


def did_you_mean(given: str, allowed: list[str]) -> str | None:
    """The allowed word closest to ``given``, or one that contains it, if any."""
    close = difflib.get_close_matches(given, allowed, n=1)
    if close:
        return close[0]
    containing = [word for word in allowed if len(given) >= 3 and given.lower() in word.lower()]
    return containing[0] if len(containing) == 1 else None


def _quoted_words(text: str) -> list[str]:
    if "'" not in text:
        return [word.strip() for word in text.replace(" or ", ",").split(",") if word.strip()]
    return [part for index, part in enumerate(text.split("'")) if index % 2 == 1]


def _show(value: Any) -> str:
    return show(value)


def _dotted(path: Path) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _allowed_keys(owner: Any) -> list[str]:
    if isinstance(owner, type) and issubclass(owner, BaseModel):
        return sorted(info.alias or name for name, info in owner.model_fields.items())
    return []


def _clean_location(loc: tuple[Any, ...]) -> tuple[Path, Any]:
    """Drop pydantic's union tags from ``loc``; also return the model that owns the last key."""
    path: list[str | int] = []
    current: Any = model.RuleModel
    owner: Any = None
    for part in loc:
        current = _unwrap(current)
        if _is_union(current):
            if part in model.CONDITION_MODELS:
                current = model.CONDITION_MODELS[part]
                continue
            if isinstance(part, str) and not _is_model(current):
                current = _union_member(current, part)
                continue
        path.append(part)
        owner = current
        current = _step(current, part)
    return tuple(path), owner


def _unwrap(annotation: Any) -> Any:
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    return annotation


def _is_union(annotation: Any) -> bool:
    return typing.get_origin(annotation) in (Union, types.UnionType)


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _union_member(union: Any, part: str) -> Any:
    members = [_unwrap(m) for m in typing.get_args(union) if m is not type(None)]
    wanted = list if part.startswith("list[") else dict if part.startswith("dict[") else None
    for member in members:
        if wanted is not None and typing.get_origin(member) is wanted:
            return member
    return members[0] if members else None


def _step(current: Any, part: str | int) -> Any:
    if _is_model(current):
        for name, info in current.model_fields.items():
            if part in (name, info.alias):
                return info.annotation
        return None
    origin = typing.get_origin(current)
    if origin is list:
        return typing.get_args(current)[0]
    if origin is dict:
        return typing.get_args(current)[1]
    return None
