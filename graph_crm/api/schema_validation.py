"""Validation results remembered per schema, by the schema: they die with it.

Each registry version is served by its own schema (:mod:`graph_crm.api.live`), which
holds a :class:`ValidatedDocuments` of its own; nothing process-wide refers to a schema,
so once no running request uses a superseded one, it and what it validated are freed.
A document is looked up by identity: the operation chooser
(:func:`~graph_crm.api.operation.select_operation`) hands out the very same document
object for the same text and operation name, and an entry holds its document, so an
identity is never reused while its entry lives.

>>> from graphql import parse
>>> validated = ValidatedDocuments(maxsize=2)
>>> one, two, three = parse("{ a }"), parse("{ b }"), parse("{ c }")
>>> runs = []
>>> def check(document):
...     runs.append(document)
...     return []
>>> validated.get(one, (), check) == validated.get(one, (), check) == []
True
>>> len(runs)  # the second ask was remembered
1
>>> _ = validated.get(two, (), check), validated.get(three, (), check)
>>> len(validated), one in [d for d, _ in validated.entries()]  # the oldest went
(2, False)
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator

from graphql import ASTValidationRule, DocumentNode, GraphQLError
from strawberry.extensions import SchemaExtension

from graph_crm.api.strawberry_schema import validate

Rules = tuple[type[ASTValidationRule], ...]
_Key = tuple[int, Rules]


class ValidatedDocuments:
    """The last ``maxsize`` validation results of one schema (least recently used go)."""

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self._results: OrderedDict[_Key, tuple[DocumentNode, list[GraphQLError]]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._results)

    def entries(self) -> list[tuple[DocumentNode, list[GraphQLError]]]:
        return list(self._results.values())

    def get(
        self,
        document: DocumentNode,
        rules: Rules,
        check: Callable[[DocumentNode], list[GraphQLError]],
    ) -> list[GraphQLError]:
        """``check(document)``, remembered for ``document`` (this very object) and ``rules``."""
        key = (id(document), rules)
        found = self._results.get(key)
        if found is not None:
            self._results.move_to_end(key)
            return found[1]
        errors = check(document)
        self._results[key] = (document, errors)
        if len(self._results) > self.maxsize:
            self._results.popitem(last=False)
        return errors


class SchemaValidation(SchemaExtension):
    """Validates the request's document on the schema executing it, remembering the
    result in that schema's :class:`ValidatedDocuments` (its ``validated`` attribute;
    a schema without one validates every time)."""

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        schema = context.schema
        document = context.graphql_document
        assert document is not None  # parsed (or chosen) before validation
        rules = context.validation_rules
        validated = getattr(schema, "validated", None)
        if isinstance(validated, ValidatedDocuments):
            errors = validated.get(document, rules, lambda d: validate(schema, d, rules))
        else:
            errors = validate(schema, document, rules)
        # Set, strawberry does not validate again (pinned in test_strawberry_schema.py).
        context.pre_execution_errors = errors
        yield
