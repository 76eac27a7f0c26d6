"""Templates in rule files: ``{{ … }}`` expressions in the Jinja style of Airbyte manifests.

Each template is checked and compiled once, when its rule is loaded. Evaluation runs in
Jinja's immutable sandbox; a path that leads nowhere gives a :class:`~rules.values.Problem`
instead of raising, so the engine can name the field that has no value. Plain paths such as
``{{ job.name }}`` or ``{{ offer.starts_on | date }}`` bypass Jinja entirely: they are the bulk
of every rule and a dictionary walk is many times faster than a render.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from jinja2 import ChainableUndefined, TemplateSyntaxError, nodes, pass_context
from jinja2.runtime import Context, Undefined
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from hire_events import hire_event_schema
from rules import values
from rules.values import Problem

Evaluate = Callable[[Mapping[str, Any]], Any]

MAX_REPEAT: Final = 1000
MAX_POWER: Final = 100
EVENT_NAMES: Final = frozenset({*hire_event_schema()["properties"], "event"})
_PATH_PART: Final = re.compile(r"\.?([A-Za-z_]\w*)|\[(\d+)\]")


OUR_WORDS: Final = frozenset(
    {
        *EVENT_NAMES,
        "offer_field",
        "application_field",
        "candidate_field",
        "job_field",
        "personal_email",
        "email_of_type",
        "full_name",
        "first_name",
        "last_name",
        "lookup",
        "date",
        "country_code",
        "email",
        "nfc",
        "default",
    }
)


class TemplateCompileError(Exception):
    """A template that cannot be compiled; the loader turns it into a positioned message."""


class _MissingPartError(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


@dataclass(frozen=True, slots=True)
class CompiledTemplate:
    """One template of a rule, ready to evaluate against the names of a hire event."""

    source: str
    evaluate: Evaluate


class _RuleEnvironment(ImmutableSandboxedEnvironment):
    """Dictionary keys win over methods, so a field called ``items`` reads the field.

    Repetition and powers are bounded so that a rule cannot build a huge value per event.
    """

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(right, int) and abs(right) > MAX_POWER:
            raise SecurityError(f"exponent {right} is above {MAX_POWER}")
        sized = isinstance(left, str | list | tuple) or isinstance(right, str | list | tuple)
        factor = right if isinstance(right, int) else left
        if operator == "*" and sized and isinstance(factor, int) and factor > MAX_REPEAT:
            raise SecurityError(f"repeating a value {factor} times is above {MAX_REPEAT}")
        return super().call_binop(context, operator, left, right)

    def getattr(self, obj: Any, attribute: str) -> Any:
        if isinstance(obj, Mapping):
            if attribute in obj:
                return obj[attribute]
            return self.undefined(obj=obj, name=attribute)
        if isinstance(obj, Problem):
            return obj
        return super().getattr(obj, attribute)


def _finalize(value: Any) -> Any:
    if isinstance(value, Undefined):
        raise _MissingPartError(values.missing(f"{value._undefined_name or 'a value'} is missing"))
    if isinstance(value, Problem):
        raise _MissingPartError(value)
    if value is None:
        raise _MissingPartError(values.missing("a part of the text is null"))
    return value


def _custom_field(record_name: str) -> Callable[..., Any]:
    label = record_name.replace("_", " ")

    @pass_context
    def read(context: Context, name_or_key: str) -> Any:
        return custom_field_value(context.get(record_name), name_or_key, label)

    return read


def custom_field_value(record: Any, name_or_key: Any, label: str) -> Any:
    """A custom field's value by ``name_key`` or display name; a problem when absent."""
    fields = record.get("custom_fields") if isinstance(record, Mapping) else None
    if not isinstance(fields, Mapping):
        return values.missing(f"{label} field {values.show(name_or_key)} is missing")
    entry = fields.get(name_or_key, _ABSENT)
    if entry is _ABSENT:
        entry = next(
            (
                e
                for e in fields.values()
                if isinstance(e, Mapping) and e.get("name") == name_or_key
            ),
            _ABSENT,
        )
    if entry is _ABSENT:
        return values.missing(f"{label} field {values.show(name_or_key)} is missing")
    # Harvest v3 and webhooks wrap the value as {name, type, value}; v1 gave it bare.
    return entry.get("value") if isinstance(entry, Mapping) else entry


_ABSENT: Final = object()


def _default(value: Any, fallback: Any = "", boolean: bool = False) -> Any:
    del boolean
    return fallback if values.is_empty(value) or isinstance(value, Undefined) else value


class TemplateCompiler:
    """Compiles the templates of one rule; its helpers see that rule's lookups and e-mail order."""

    def __init__(self, lookups: Mapping[str, Mapping[str, Any]], email_order: Sequence[str]):
        self.lookups = lookups
        self.email_order = list(email_order)
        self.environment = _RuleEnvironment(undefined=ChainableUndefined, finalize=_finalize)
        self.environment.globals.update(self._helpers())
        self.environment.filters.update(self._filters())
        self._problem_aware = {*self._helpers().values(), *self._filters().values()}

    def _helpers(self) -> dict[str, Any]:
        return {
            "offer_field": _custom_field("offer"),
            "application_field": _custom_field("application"),
            "candidate_field": _custom_field("candidate"),
            "job_field": _custom_field("job"),
            "personal_email": self.personal_email,
            "email_of_type": values.email_of_type,
            "full_name": values.full_name,
            "first_name": values.first_name,
            "last_name": values.last_name,
            "lookup": self.lookup,
        }

    def _filters(self) -> dict[str, Callable[..., Any]]:
        return {
            "date": values.to_date,
            "country_code": values.to_country,
            "email": values.normalise_email,
            "nfc": values.clean_text,
            "first_name": values.first_name,
            "last_name": values.last_name,
            "default": _default,
            "d": _default,
        }

    def personal_email(self, candidate: Any) -> Any:
        """The candidate's e-mail by the rule's preference order (personal, other, work)."""
        return values.pick_email(candidate, self.email_order)

    def lookup(self, table: str, key: Any) -> Any:
        """The value a per-customer table gives for ``key`` (compared as text)."""
        rows = self.lookups.get(table)
        if rows is None:
            return values.invalid(f"there is no lookup table {values.show(table)}")
        if isinstance(key, Problem):
            return key
        if values.is_empty(key):
            return values.missing(f"no key to look up in {values.show(table)}")
        found = rows.get(str(key))
        if found is None:
            return values.missing(f"lookup {values.show(table)} has no entry for {key}")
        return found

    def compile(self, source: str) -> CompiledTemplate:
        """Check and compile one template; raises :class:`TemplateCompileError` with the reason."""
        if "{{" not in source and "{%" not in source:
            return CompiledTemplate(source, lambda _names: source)
        self._check(source)
        return CompiledTemplate(source, self._fast_path(source) or self._jinja(source))

    def _check(self, source: str) -> None:
        try:
            tree = self.environment.parse(source)
        except TemplateSyntaxError as error:
            raise TemplateCompileError(
                f"template {source!r} is not valid: {error.message}"
            ) from error
        stored = {node.name for node in tree.find_all(nodes.Name) if node.ctx == "store"}
        known_names = set(EVENT_NAMES) | set(self.environment.globals) | stored
        for node in tree.find_all(nodes.Name):
            if node.ctx == "load" and node.name not in known_names:
                raise TemplateCompileError(_unknown("name", node.name, known_names, source))
        for filter_node in tree.find_all(nodes.Filter):
            if filter_node.name not in self.environment.filters:
                raise TemplateCompileError(
                    _unknown("filter", filter_node.name, set(self.environment.filters), source)
                )
        self._check_lookups(tree, source)

    def _check_lookups(self, tree: nodes.Template, source: str) -> None:
        for call in tree.find_all(nodes.Call):
            if not (isinstance(call.node, nodes.Name) and call.node.name == "lookup"):
                continue
            first = call.args[0] if call.args else None
            if isinstance(first, nodes.Const) and first.value not in self.lookups:
                raise TemplateCompileError(
                    _unknown("lookup table", str(first.value), set(self.lookups), source)
                )

    def _fast_path(self, source: str) -> Evaluate | None:
        """Plain Python for templates made only of paths, our helpers, filters and ``or``."""
        body = self.environment.parse(source).body
        if len(body) != 1 or not isinstance(body[0], nodes.Output):
            return None
        parts: list[Evaluate | str] = []
        for node in body[0].nodes:
            if isinstance(node, nodes.TemplateData):
                parts.append(node.data)
                continue
            compiled = self._fast_expression(node)
            if compiled is None:
                return None
            parts.append(compiled)
        if len(parts) == 1 and not isinstance(parts[0], str):
            return parts[0]
        return lambda names: _joined(parts, names)

    def _fast_expression(self, node: nodes.Node) -> Evaluate | None:
        steps = _steps_of(node)
        if steps is not None:
            path = _render_steps(steps)
            return lambda names: walk_path(names, steps, path)
        if isinstance(node, nodes.Const):
            constant = node.value
            return lambda _names: constant
        if isinstance(node, nodes.Or):
            left, right = self._fast_expression(node.left), self._fast_expression(node.right)
            if left is None or right is None:
                return None
            return lambda names: left(names) or right(names)
        if isinstance(node, nodes.Filter | nodes.Call):
            return self._fast_call(node)
        return None

    def _fast_call(self, node: nodes.Filter | nodes.Call) -> Evaluate | None:
        if node.kwargs or node.dyn_args or node.dyn_kwargs:
            return None
        if isinstance(node, nodes.Filter):
            if node.node is None:
                return None
            function = self.environment.filters.get(node.name)
            operands = [node.node, *node.args]
        else:
            name = node.node.name if isinstance(node.node, nodes.Name) else ""
            if name in CUSTOM_FIELD_HELPERS:
                return self._fast_custom_field(CUSTOM_FIELD_HELPERS[name], node.args)
            function = self.environment.globals.get(name)
            operands = list(node.args)
        compiled = [self._fast_expression(operand) for operand in operands]
        # Jinja's own filters that want its context or environment only run inside Jinja.
        pass_arg = hasattr(function, "jinja_pass_arg")
        if not callable(function) or pass_arg or any(operand is None for operand in compiled):
            return None
        ready = [operand for operand in compiled if operand is not None]
        if function in self._problem_aware:
            return lambda names: function(*(operand(names) for operand in ready))
        return lambda names: _guarded(function, [operand(names) for operand in ready])

    def _fast_custom_field(self, record: str, args: list[nodes.Expr]) -> Evaluate | None:
        name_or_key = self._fast_expression(args[0]) if len(args) == 1 else None
        if name_or_key is None:
            return None
        label = record.replace("_", " ")
        return lambda names: custom_field_value(names.get(record), name_or_key(names), label)

    def _jinja(self, source: str) -> Evaluate:
        stripped = source.strip()
        body = self.environment.parse(stripped).body
        single = (
            len(body) == 1
            and isinstance(body[0], nodes.Output)
            and len(body[0].nodes) == 1
            and stripped.startswith("{{")
            and stripped.endswith("}}")
        )
        if single:
            expression = self.environment.compile_expression(
                stripped[2:-2].strip("- "), undefined_to_none=False
            )
            return lambda names: _as_problem(expression(**names), source)
        template = self.environment.from_string(source)

        def render(names: Mapping[str, Any]) -> Any:
            try:
                return template.render(names)
            except _MissingPartError as part:
                return part.problem

        return render


CUSTOM_FIELD_HELPERS: Final = {
    "offer_field": "offer",
    "application_field": "application",
    "candidate_field": "candidate",
    "job_field": "job",
}


def _steps_of(node: nodes.Node) -> list[str | int] | None:
    steps: list[str | int] = []
    while True:
        if isinstance(node, nodes.Getattr):
            steps.append(node.attr)
        elif isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
            if not isinstance(node.arg.value, int | str) or isinstance(node.arg.value, bool):
                return None
            steps.append(node.arg.value)
        elif isinstance(node, nodes.Name) and node.ctx == "load" and node.name in EVENT_NAMES:
            steps.append(node.name)
            return steps[::-1]
        else:
            return None
        node = node.node


def _guarded(function: Callable[..., Any], arguments: list[Any]) -> Any:
    problem = next((a for a in arguments if isinstance(a, Problem)), None)
    return problem if problem is not None else function(*arguments)


def _joined(parts: list[Evaluate | str], names: Mapping[str, Any]) -> Any:
    text = []
    for part in parts:
        if isinstance(part, str):
            text.append(part)
            continue
        value = part(names)
        if isinstance(value, Problem):
            return value
        if value is None:
            return values.missing("a part of the text is null")
        text.append(str(value))
    return "".join(text)


def _as_problem(value: Any, source: str) -> Any:
    if isinstance(value, Undefined):
        return values.missing(f"{source.strip()} has no value")
    return value


def path_steps(path: str) -> list[str | int]:
    return [key if key else int(index) for key, index in _PATH_PART.findall(path)]


def walk_path(names: Mapping[str, Any], steps: list[str | int], path: str) -> Any:
    value: Any = names
    for depth, step in enumerate(steps):
        if isinstance(step, int):
            found = value[step] if isinstance(value, list) and step < len(value) else _ABSENT
        else:
            found = value.get(step, _ABSENT) if isinstance(value, Mapping) else _ABSENT
        if found is _ABSENT or (found is None and depth < len(steps) - 1):
            reached = _render_steps(steps[: depth + 1])
            state = "is null" if found is None else "is missing"
            return values.missing(f"{reached} {state}")
        value = found
    return values.missing(f"{path} is null") if value is None else value


def _render_steps(steps: list[str | int]) -> str:
    text = ""
    for step in steps:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else step)
    return text


def _unknown(kind: str, name: str, known: set[str], source: str) -> str:
    ours = sorted(known & OUR_WORDS)
    close = difflib.get_close_matches(name, ours, n=1) or difflib.get_close_matches(
        name, sorted(known), n=1
    )
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"template {source!r} uses unknown {kind} {name!r}{hint}"
