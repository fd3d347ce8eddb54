"""English word forms shared by the API's generated names and the reports' wording."""

from __future__ import annotations


def plural(word: str) -> str:
    """The English plural of a word, camelCase or PascalCase.

    >>> [plural(w) for w in ("customer", "company", "address", "box", "day", "match")]
    ['customers', 'companies', 'addresses', 'boxes', 'days', 'matches']
    >>> plural("Shipment"), plural("Delivery")
    ('Shipments', 'Deliveries')
    """
    if word.endswith(("s", "x", "z", "ch", "sh")):
        return word + "es"
    if word.endswith("y") and len(word) > 1 and word[-2].lower() not in "aeiou":
        return word[:-1] + "ies"
    return word + "s"
