"""The Admin page's texts: every key its modules ask for, and every key built from data
(each audit kind and action the model records, each role), in both dictionaries; its
filter choices are exactly the kinds and actions the model records."""

from __future__ import annotations

import re

from graph_crm.auth.roles import Role
from graph_crm.model.audit import AuditAction, AuditKind
from tests.web.dictionaries import CONSOLE, dictionary

ADMIN = [CONSOLE / "pages" / "admin.js", *sorted((CONSOLE / "pages" / "admin").glob("*.js"))]


def _source(name: str) -> str:
    return (CONSOLE / "pages" / "admin" / name).read_text(encoding="utf-8")


def _js_list(source: str, name: str) -> list[str]:
    found = re.search(rf"const {name} = \[(.*?)\];", source, re.S)
    assert found, name
    return re.findall(r'"([^"]+)"', found.group(1))


def test_every_text_the_admin_page_asks_for_is_in_both_dictionaries() -> None:
    used = {
        key
        for source in ADMIN
        for key in re.findall(r'\bt\("([\w.]+)"', source.read_text(encoding="utf-8"))
    }
    assert len(used) > 40
    audit = _source("audit.js")
    built = {f"admin.kind.{kind}" for kind in AuditKind}
    built |= {f"admin.action.{action}" for action in AuditAction}
    built |= {f"admin.roleHelp.{role.name}" for role in Role}
    built |= {f"admin.show.{shown}" for shown in ("active", "revoked", "all")}
    built |= {f"admin.column.{column}" for column in _js_list(audit, "COLUMNS")}
    built |= {f"admin.detail.{detail}" for detail in _js_list(audit, "DETAILS")}
    built |= {f"admin.{column}" for column in _js_list(_source("keys.js"), "COLUMNS")}
    for language in ("en", "zh"):
        assert (used | built) - set(dictionary(language)) == set(), language


def test_the_filters_offer_every_kind_and_action_the_log_records() -> None:
    audit = _source("audit.js")
    assert _js_list(audit, "KINDS") == [kind.value for kind in AuditKind]
    assert _js_list(audit, "ACTIONS") == [action.value for action in AuditAction]
    assert _js_list(_source("keys.js"), "ROLES") == [role.name for role in Role]
