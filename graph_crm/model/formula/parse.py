"""Formula text into an expression tree: a hand-written recursive-descent parser (pure).

Never ``eval``, never Python's ``ast``. Budgets: :data:`MAX_NESTING` levels of brackets,
calls and prefix operators while parsing (so the parser's own recursion is bounded),
:data:`MAX_NODES` nodes and a tree :data:`MAX_DEPTH` deep (so everything that walks the
tree later is bounded too). Grammar, lowest precedence first (docs/formulas.md)::

    or         := and ("OR" and)*
    and        := not ("AND" not)*
    not        := "NOT" not | comparison
    comparison := concat [("=" | "!=" | "<>" | "<" | "<=" | ">" | ">=") concat
                          | "IS" ["NOT"] "NULL"]
    concat     := additive ("||" additive)*
    additive   := term (("+" | "-") term)*
    term       := unary (("*" | "/") unary)*
    unary      := "-" unary | primary
    primary    := number | string | TRUE | FALSE | NULL | property | "{" property "}"
                | "$asOf" | "$delayDays" | function "(" [or ("," or)*] ")"
                | "CASE" ("WHEN" or "THEN" or)+ ["ELSE" or] "END" | "(" or ")"
"""

from __future__ import annotations

from typing import Final

from graph_crm.errors import PathPart
from graph_crm.model.formula.nodes import (
    FUNCTIONS,
    Binary,
    Call,
    Case,
    Expr,
    IsNull,
    Literal,
    Param,
    Ref,
    Unary,
    children,
)
from graph_crm.model.formula.problems import FormulaProblem
from graph_crm.model.formula.tokens import Kind, Token, tokenize
from graph_crm.model.names import PROPERTY_PATTERN

MAX_NESTING: Final = 32
MAX_DEPTH: Final = 64
MAX_NODES: Final = 500

_COMPARISONS: Final = frozenset({"=", "!=", "<", "<=", ">", ">="})


def parse_formula(text: str, path: tuple[PathPart, ...] = ()) -> Expr:
    """The expression tree of ``text``; a :class:`FormulaProblem` says where it is wrong.

    >>> parse_formula("quantity * 2")
    Binary(op='*', left=Ref(name='quantity', position=0), right=Literal(value=2, position=11), position=9)
    >>> parse_formula("quantity *")
    Traceback (most recent call last):
    ...
    graph_crm.model.formula.problems.FormulaProblem: INVALID_INPUT: expected a value, found the end of the formula (character 11)
    """  # noqa: E501
    parser = _Parser(tokenize(text, path), path)
    tree = parser.disjunction()
    parser.expect_end()
    return tree


class _Parser:
    def __init__(self, tokens: list[Token], path: tuple[PathPart, ...]) -> None:
        self.tokens = tokens
        self.index = 0
        self.path = path
        self.nesting = 0
        self.nodes = 0
        self.depths: dict[int, int] = {}

    # -- tokens --------------------------------------------------------------------

    @property
    def token(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.token
        if token.kind is not Kind.END:
            self.index += 1
        return token

    def at(self, kind: Kind, value: str | None = None) -> bool:
        return self.token.kind is kind and (value is None or self.token.value == value)

    def problem(self, message: str, token: Token | None = None) -> FormulaProblem:
        where = token or self.token
        return FormulaProblem(message, path=self.path, position=where.position)

    def found(self) -> str:
        token = self.token
        return "the end of the formula" if token.kind is Kind.END else repr(token.text[:40])

    def expect(self, kind: Kind, value: str) -> Token:
        if not self.at(kind, value):
            raise self.problem(f"expected {value!r}, found {self.found()}")
        return self.advance()

    def expect_end(self) -> None:
        if not self.at(Kind.END):
            raise self.problem(f"expected an operator or the end, found {self.found()}")

    # -- budgets -------------------------------------------------------------------

    def made(self, node: Expr) -> Expr:
        """Count ``node`` against the budgets."""
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise FormulaProblem(
                f"a formula has at most {MAX_NODES} parts", path=self.path, position=node.position
            )
        depth = 1 + max((self.depths[id(child)] for child in children(node)), default=0)
        if depth > MAX_DEPTH:
            raise FormulaProblem(
                f"a formula is at most {MAX_DEPTH} operations deep",
                path=self.path,
                position=node.position,
            )
        self.depths[id(node)] = depth
        return node

    def nest(self, token: Token) -> None:
        self.nesting += 1
        if self.nesting > MAX_NESTING:
            raise self.problem(f"a formula nests at most {MAX_NESTING} levels", token)

    # -- grammar -------------------------------------------------------------------

    def disjunction(self) -> Expr:
        left = self.conjunction()
        while self.at(Kind.KEYWORD, "OR"):
            token = self.advance()
            left = self.made(Binary("OR", left, self.conjunction(), token.position))
        return left

    def conjunction(self) -> Expr:
        left = self.negation()
        while self.at(Kind.KEYWORD, "AND"):
            token = self.advance()
            left = self.made(Binary("AND", left, self.negation(), token.position))
        return left

    def negation(self) -> Expr:
        if not self.at(Kind.KEYWORD, "NOT"):
            return self.comparison()
        token = self.advance()
        self.nest(token)
        operand = self.negation()
        self.nesting -= 1
        return self.made(Unary("NOT", operand, token.position))

    def comparison(self) -> Expr:
        left = self.concatenation()
        if self.token.kind is Kind.OPERATOR and self.token.value in _COMPARISONS:
            token = self.advance()
            node = self.made(Binary(str(token.value), left, self.concatenation(), token.position))
        elif self.at(Kind.KEYWORD, "IS"):
            token = self.advance()
            negated = self.at(Kind.KEYWORD, "NOT")
            if negated:
                self.advance()
            self.expect(Kind.KEYWORD, "NULL")
            node = self.made(IsNull(left, negated, token.position))
        else:
            return left
        if (
            self.token.kind is Kind.OPERATOR
            and self.token.value in _COMPARISONS
            or self.at(Kind.KEYWORD, "IS")
        ):
            raise self.problem("comparisons do not chain: use AND, e.g. a < b AND b < c")
        return node

    def concatenation(self) -> Expr:
        left = self.additive()
        while self.at(Kind.OPERATOR, "||"):
            token = self.advance()
            left = self.made(Binary("||", left, self.additive(), token.position))
        return left

    def additive(self) -> Expr:
        left = self.term()
        while self.at(Kind.OPERATOR, "+") or self.at(Kind.OPERATOR, "-"):
            token = self.advance()
            left = self.made(Binary(str(token.value), left, self.term(), token.position))
        return left

    def term(self) -> Expr:
        left = self.unary()
        while self.at(Kind.OPERATOR, "*") or self.at(Kind.OPERATOR, "/"):
            token = self.advance()
            left = self.made(Binary(str(token.value), left, self.unary(), token.position))
        return left

    def unary(self) -> Expr:
        if not self.at(Kind.OPERATOR, "-"):
            return self.primary()
        token = self.advance()
        if self.at(Kind.NUMBER):  # a negative literal, so -9223372036854775808 is an INT
            number = self.advance()
            assert isinstance(number.value, int | float)
            return self.made(Literal(-number.value, token.position))
        self.nest(token)
        operand = self.unary()
        self.nesting -= 1
        return self.made(Unary("-", operand, token.position))

    def primary(self) -> Expr:
        token = self.token
        if token.kind in (Kind.NUMBER, Kind.STRING):
            self.advance()
            return self.made(Literal(token.value, token.position))
        if token.kind is Kind.PARAM:
            self.advance()
            return self.made(Param(str(token.value), token.position))
        if token.kind is Kind.QUOTED_NAME:
            self.advance()
            return self.made(Ref(self.property_name(token), token.position))
        if token.kind is Kind.KEYWORD and token.value in ("TRUE", "FALSE", "NULL"):
            self.advance()
            value = {"TRUE": True, "FALSE": False, "NULL": None}[str(token.value)]
            return self.made(Literal(value, token.position))
        if token.kind is Kind.KEYWORD and token.value == "CASE":
            return self.case()
        if token.kind is Kind.NAME:
            self.advance()
            if self.at(Kind.PUNCTUATION, "("):
                return self.call(token)
            return self.made(Ref(self.property_name(token), token.position))
        if self.at(Kind.PUNCTUATION, "("):
            self.nest(self.advance())
            inner = self.disjunction()
            self.expect(Kind.PUNCTUATION, ")")
            self.nesting -= 1
            return inner
        raise self.problem(f"expected a value, found {self.found()}")

    def property_name(self, token: Token) -> str:
        name = str(token.value)
        if PROPERTY_PATTERN.fullmatch(name) is None:
            raise self.problem(
                f"{name[:40]!r} is not a property name: properties are camelCase "
                "(ASCII letters and digits, starting with a small letter)",
                token,
            )
        return name

    def call(self, name: Token) -> Expr:
        function = str(name.value).lower()
        if function not in FUNCTIONS:
            raise self.problem(
                f"unknown function {str(name.value)[:40]!r}; the functions are "
                + ", ".join(sorted(FUNCTIONS)),
                name,
            )
        self.nest(self.advance())
        args: list[Expr] = []
        if not self.at(Kind.PUNCTUATION, ")"):
            args.append(self.disjunction())
            while self.at(Kind.PUNCTUATION, ","):
                self.advance()
                args.append(self.disjunction())
        self.expect(Kind.PUNCTUATION, ")")
        self.nesting -= 1
        return self.made(Call(function, tuple(args), name.position))

    def case(self) -> Expr:
        start = self.advance()
        self.nest(start)
        whens: list[tuple[Expr, Expr]] = []
        while self.at(Kind.KEYWORD, "WHEN"):
            self.advance()
            condition = self.disjunction()
            self.expect(Kind.KEYWORD, "THEN")
            whens.append((condition, self.disjunction()))
        if not whens:
            raise self.problem(f"CASE needs WHEN … THEN …, found {self.found()}")
        otherwise = None
        if self.at(Kind.KEYWORD, "ELSE"):
            self.advance()
            otherwise = self.disjunction()
        self.expect(Kind.KEYWORD, "END")
        self.nesting -= 1
        return self.made(Case(tuple(whens), otherwise, start.position))
