"""Who may do what on the desk, as data: one table of grants, checked on every route.

An ambassador is a volunteer: they see public questions that match their expertise
and their answers wait for an agent's approval. An analyst reads and measures but
never speaks for the brand.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

__all__ = ["GRANTS", "Permission", "Role", "can"]


class Role(StrEnum):
    ADMIN = "admin"
    AGENT = "agent"
    AMBASSADOR = "ambassador"
    ANALYST = "analyst"


class Permission(StrEnum):
    VIEW_CASES = "view_cases"
    #: only public questions matching one's expertise tags (ambassadors)
    VIEW_ALL_CASES = "view_all_cases"
    REPLY = "reply"
    #: a reply goes out at once; without it, it waits for approval
    REPLY_DIRECTLY = "reply_directly"
    APPROVE = "approve"
    #: record that an answer solved a public question (the ambassador's points ride on it: staff only)
    MARK_SOLUTION = "mark_solution"
    CORRECT = "correct"
    ASSIGN = "assign"
    CHANGE_STATE = "change_state"
    VIEW_METRICS = "view_metrics"
    #: the listening charts and the alerts (what `goodwill report` shows)
    VIEW_INSIGHTS = "view_insights"
    #: name, merge, unmerge and pin topics; link an author's handles as one person
    EDIT_INSIGHTS = "edit_insights"
    VIEW_AUDIT = "view_audit"
    MANAGE_USERS = "manage_users"


_P = Permission
GRANTS: Mapping[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.AGENT: frozenset(
        {
            _P.VIEW_CASES,
            _P.VIEW_ALL_CASES,
            _P.REPLY,
            _P.REPLY_DIRECTLY,
            _P.APPROVE,
            _P.MARK_SOLUTION,
            _P.CORRECT,
            _P.ASSIGN,
            _P.CHANGE_STATE,
            _P.VIEW_METRICS,
            _P.VIEW_INSIGHTS,
        }
    ),
    Role.AMBASSADOR: frozenset({_P.VIEW_CASES, _P.REPLY}),
    Role.ANALYST: frozenset(
        {_P.VIEW_CASES, _P.VIEW_ALL_CASES, _P.VIEW_METRICS, _P.VIEW_INSIGHTS, _P.EDIT_INSIGHTS, _P.VIEW_AUDIT}
    ),
}


def can(role: Role | str, permission: Permission) -> bool:
    """Whether ``role`` holds ``permission`` (an unknown role holds nothing)."""
    try:
        return permission in GRANTS[Role(role)]
    except ValueError:
        return False
