"""Test users with real tokens, and a client that acts as one of them by name.

``TEST_AUTH`` goes into the test settings (``Settings(..., auth=TEST_AUTH)``);
``TestClient(address, "clerk")`` authenticates as the clerk, and ``.as_user("approver")``
returns the same connection authenticating with the approver's token. The users:

* one per role: ``clerk``, ``approver``, ``finance``, ``bank``, ``auditor``; ``bank`` acts for
  the bank codes the tests' settings use (``BANK_USER_BANKS``)
* ``lead``: clerk and approver at once (a small office), to show that the submitter of a
  batch still cannot approve it
"""
from __future__ import annotations

from adapter.client import Client
from service.identity import AuthSettings, Role, issue_tokens

__all__ = ["BANK_USER_BANKS", "TEST_AUTH", "TOKENS", "TestClient"]

BANK_USER_BANKS = ("RCB01", "PSBC01", "DLM01", "RCC01", "ABC01", "CCB01")

USERS, TOKENS = issue_tokens({
    "clerk": Role.CLERK,
    "approver": Role.APPROVER,
    "finance": Role.FINANCE,
    "bank": Role.BANK,
    "auditor": Role.AUDITOR,
    "lead": (Role.CLERK, Role.APPROVER),
}, banks={"bank": BANK_USER_BANKS})
TEST_AUTH = AuthSettings(users=USERS)


class TestClient(Client):
    __test__ = False  # not a pytest test class

    def __init__(self, address: str, user: str, **kwargs):
        super().__init__(address, token=TOKENS[user], **kwargs)
        self.user = user

    def as_user(self, user: str) -> TestClient:
        other = self.with_token(TOKENS[user])
        other.user = user
        return other
