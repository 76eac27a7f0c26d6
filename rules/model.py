"""The rule file as a pydantic model: the single source of truth for its shape.

``python -m rules.schema`` exports this model as ``rules/rule.schema.json`` for editors. Values
under ``profile`` are *templates*: a constant, or ``{{ … }}`` expressions that the engine
compiles once when the rule is loaded.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

TRIGGERS = ("candidate_hired", "offer_created")
CONFLICT_POLICIES = ("skip", "update", "fail")
EMPLOYMENT_TYPES = ("employee", "contractor", "global_payroll_employee", "hris")
EMAIL_TYPES = ("personal", "other", "work")
OPERATORS = ("is", "equals", "in", "not_in", "exists", "matches")
CUSTOM_FIELD_SUBJECTS = ("offer_field", "application_field", "candidate_field", "job_field")
CONDITION_KINDS = ("field", *CUSTOM_FIELD_SUBJECTS, "job", "all", "any", "not")

Scalar = str | int | float | bool
Template = Annotated[
    str,
    Field(description="A constant, or text with {{ … }} expressions over the hire event."),
]


def is_template(text: str) -> bool:
    return "{{" in text or "{%" in text


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)


class ValueTest(_Strict):
    """Exactly one operator that the value of the condition's subject must satisfy."""

    is_: Annotated[
        bool | None,
        WithJsonSchema({"anyOf": [{"type": "boolean"}, {"enum": ["yes", "no", "Yes", "No"]}]}),
    ] = Field(
        None,
        alias="is",
        description="yes: the value is true, 'Yes' or 'yes'. no: anything else (false, 'No', "
        "null, missing).",
    )
    equals: Scalar | None = Field(None, description="The value equals this.")
    in_: list[Scalar] | None = Field(
        None, alias="in", description="The value (or, for a list, any element) is one of these."
    )
    not_in: list[Scalar] | None = Field(None, description="The value is none of these.")
    exists: bool | None = Field(None, description="true: present and not null.")
    matches: str | None = Field(None, description="A regular expression found in the value.")

    @field_validator("matches")
    @classmethod
    def _compiles(cls, pattern: str | None) -> str | None:
        if pattern is not None:
            try:
                re.compile(pattern)
            except re.error as error:
                raise PydanticCustomError(
                    "rule",
                    "'{pattern}' is not a regular expression: {error}",
                    {"pattern": pattern, "error": str(error)},
                ) from error
        return pattern

    @model_validator(mode="after")
    def _one_operator(self) -> ValueTest:
        given = [name for name in OPERATORS if getattr(self, _attr(name)) is not None]
        if len(given) != 1:
            found = ", ".join(given) if given else "none"
            raise PydanticCustomError(
                "rule",
                "a condition needs exactly one operator of {allowed} (found {found})",
                {"allowed": ", ".join(OPERATORS), "found": found},
            )
        return self

    @property
    def operator(self) -> tuple[str, Any]:
        for name in OPERATORS:
            value = getattr(self, _attr(name))
            if value is not None:
                return name, value
        raise AssertionError("validated to hold one operator")


def _attr(operator: str) -> str:
    return f"{operator}_" if operator in ("is", "in") else operator


class FieldCondition(ValueTest):
    field: str = Field(description="A dotted path into the hire event, e.g. offer.status.")


class OfferFieldCondition(ValueTest):
    offer_field: str = Field(description="An offer custom field, by display name or name_key.")


class ApplicationFieldCondition(ValueTest):
    application_field: str = Field(description="An application custom field (name or key).")


class CandidateFieldCondition(ValueTest):
    candidate_field: str = Field(description="A candidate custom field (name or key).")


class JobFieldCondition(ValueTest):
    job_field: str = Field(description="A job custom field (name or key).")


class JobMatch(_Strict):
    """Each given job attribute must be one of the listed values (office_ids: any of them)."""

    id: list[Scalar] | None = None
    name: list[Scalar] | None = None
    requisition_id: list[Scalar] | None = None
    status: list[Scalar] | None = None
    department_id: list[Scalar] | None = None
    office_ids: list[Scalar] | None = None

    @model_validator(mode="before")
    @classmethod
    def _single_values_are_lists(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {k: v if isinstance(v, list) else [v] for k, v in data.items()}
        return data

    @model_validator(mode="after")
    def _not_empty(self) -> JobMatch:
        if not self.model_fields_set:
            raise PydanticCustomError(
                "rule",
                "a job condition needs at least one of {allowed}",
                {"allowed": ", ".join(JobMatch.model_fields)},
            )
        return self


class JobCondition(_Strict):
    job: JobMatch = Field(description="Conveniences for the job, department and offices.")


class AllCondition(_Strict):
    all: list[Condition] = Field(min_length=1, description="Every condition passes.")


class AnyCondition(_Strict):
    any: list[Condition] = Field(min_length=1, description="At least one condition passes.")


class NotCondition(_Strict):
    not_: Condition = Field(alias="not", description="The condition fails.")


def _condition_kind(data: Any) -> str | None:
    if isinstance(data, dict):
        return next((kind for kind in CONDITION_KINDS if kind in data), None)
    kinds: dict[type, str] = {
        FieldCondition: "field",
        OfferFieldCondition: "offer_field",
        ApplicationFieldCondition: "application_field",
        CandidateFieldCondition: "candidate_field",
        JobFieldCondition: "job_field",
        JobCondition: "job",
        AllCondition: "all",
        AnyCondition: "any",
        NotCondition: "not",
    }
    return kinds.get(type(data))


Condition = Annotated[
    Annotated[FieldCondition, Tag("field")]
    | Annotated[OfferFieldCondition, Tag("offer_field")]
    | Annotated[ApplicationFieldCondition, Tag("application_field")]
    | Annotated[CandidateFieldCondition, Tag("candidate_field")]
    | Annotated[JobFieldCondition, Tag("job_field")]
    | Annotated[JobCondition, Tag("job")]
    | Annotated[AllCondition, Tag("all")]
    | Annotated[AnyCondition, Tag("any")]
    | Annotated[NotCondition, Tag("not")],
    Discriminator(
        _condition_kind,
        custom_error_type="unknown_condition",
        custom_error_message="not a condition",
    ),
]

CONDITION_MODELS: dict[str, type[BaseModel]] = {
    "field": FieldCondition,
    "offer_field": OfferFieldCondition,
    "application_field": ApplicationFieldCondition,
    "candidate_field": CandidateFieldCondition,
    "job_field": JobFieldCondition,
    "job": JobCondition,
    "all": AllCondition,
    "any": AnyCondition,
    "not": NotCondition,
}


class BasicInformation(_Strict):
    """Remote's ``basic_information``: each key maps to a template."""

    name: Template = "{{ full_name(candidate) }}"
    email: Template = Field(
        "{{ personal_email(candidate) }}", description="Personal e-mail; the login address."
    )
    job_title: Template = "{{ job.name }}"
    provisional_start_date: Template = "{{ offer.starts_on | date }}"
    has_seniority_date: Template = Field("no", description="'yes' or 'no' (or a template).")
    seniority_date: Template | None = Field(None, description="Only with has_seniority_date yes.")
    work_email: Template | None = None
    department: Template | None = None
    manager: Template | None = None
    mobile_number: Template | None = None
    tax_servicing_countries: Template | list[Template] | None = None
    tax_job_category: Template | None = None

    @model_validator(mode="before")
    @classmethod
    def _constants_are_text(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        converted = dict(data)
        for key, value in data.items():
            if isinstance(value, bool):
                converted[key] = "yes" if value else "no"
            elif isinstance(value, int | float):
                converted[key] = str(value)
        return converted

    @field_validator("has_seniority_date")
    @classmethod
    def _yes_or_no(cls, value: str) -> str:
        if not is_template(value) and value.strip().lower() not in ("yes", "no"):
            raise PydanticCustomError(
                "rule", "unknown value '{value}'; expected one of yes, no", {"value": value}
            )
        return value

    @model_validator(mode="after")
    def _seniority_needs_yes(self) -> BasicInformation:
        if self.seniority_date is not None and self.has_seniority_date.strip().lower() == "no":
            raise PydanticCustomError(
                "rule",
                "seniority_date is only sent with has_seniority_date yes; set "
                "has_seniority_date: yes or remove seniority_date",
            )
        return self


def _default_basic_information() -> BasicInformation:
    return BasicInformation.model_validate({})


class Profile(_Strict):
    """The employment to create in Remote, without ``external_id`` (the destination adds it)."""

    type: Template = Field(
        "employee", description="employee, contractor, global_payroll_employee or hris."
    )
    country_code: Template = Field(
        description="Country of employment: alpha-2, alpha-3 or English name; sent as alpha-3."
    )
    basic_information: BasicInformation = Field(default_factory=_default_basic_information)

    @field_validator("type")
    @classmethod
    def _known_type(cls, value: str) -> str:
        if not is_template(value) and value not in EMPLOYMENT_TYPES:
            raise PydanticCustomError(
                "literal_error", "unknown value", {"expected": _quoted(EMPLOYMENT_TYPES)}
            )
        return value


EmailType = Literal["personal", "other", "work"]


def _default_email_order() -> list[EmailType]:
    return ["personal", "other", "work"]


class RuleModel(_Strict):
    """One customer's rule: which trigger, who is eligible, how fields map, what on conflict."""

    version: Literal[1] = Field(description="Version of the rule format.")
    customer: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", max_length=100)
    description: str | None = Field(None, description="Free text for people.")
    trigger: Literal["candidate_hired", "offer_created"]
    eligibility: list[Condition] = Field(
        default_factory=list, description="Conditions that must all pass for a hire to be sent."
    )
    profile: Profile
    on_conflict: Literal["skip", "update", "fail"] = Field(
        "skip",
        description="When Remote already holds someone else's employment with that e-mail.",
    )
    lookups: dict[str, dict[str, Scalar]] = Field(
        default_factory=dict, description="Tables for lookup('table', key) in templates."
    )
    email_preference: list[EmailType] = Field(
        default_factory=_default_email_order,
        min_length=1,
        description="Which candidate e-mail personal_email() picks, first type found wins.",
    )

    @field_validator("lookups", mode="before")
    @classmethod
    def _keys_are_text(cls, tables: Any) -> Any:
        if not isinstance(tables, dict):
            return tables
        return {
            name: {str(k): v for k, v in table.items()} if isinstance(table, dict) else table
            for name, table in tables.items()
        }

    @field_validator("email_preference")
    @classmethod
    def _no_repeats(cls, order: list[str]) -> list[str]:
        if len(set(order)) != len(order):
            raise PydanticCustomError("rule", "each e-mail type may be listed once")
        return order


def _quoted(values: tuple[str, ...]) -> str:
    return " or ".join(f"'{value}'" for value in values)


for _model in (AllCondition, AnyCondition, NotCondition, RuleModel):
    _model.model_rebuild()
