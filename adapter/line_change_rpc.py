"""The gRPC side of changes of who is paid (re-issues to another person or account) and of the
BANK user's view of reports; kept apart from the servicer so it stays a list of short methods."""
from __future__ import annotations

import json

from adapter.convert import file_to_pb, report_to_pb, timestamp
from reports.documents import Document, for_party
from service.reissue import Reissued
from service.scope import Scope
from ykt.v1 import disbursement_pb2 as pb


def change_to_pb(row) -> pb.LineChange:
    """A ``line_changes`` row (personal data masked in its items)."""
    return pb.LineChange(
        change_id=row.id, batch_id=row.batch_id, state=row.state, requested_by=row.requested_by,
        requested_at=timestamp(row.requested_at), decided_by=row.decided_by or "", decided_at=timestamp(row.decided_at),
        reason=row.reason or "", file_id=row.file_id or 0,
        lines=[pb.LineChangeItem(
            seq=item["seq"], changed=item["changed"], amount_fen=item["amount_fen"],
            name_before=item["before"]["name"], name_after=item["after"]["name"],
            id_number_before=item["before"]["id_number"], id_number_after=item["after"]["id_number"],
            account_no_before=item["before"]["account_no"], account_no_after=item["after"]["account_no"],
        ) for item in json.loads(row.items)],
    )


def reissued_to_pb(done: Reissued) -> pb.ReissueLinesResponse:
    return pb.ReissueLinesResponse(file=file_to_pb(done.file) if done.file is not None else None,
                                   change=change_to_pb(done.change) if done.change is not None else None)


def report_for(doc: Document, scope: Scope) -> pb.Report:
    """A report as the caller receives it: a bank its own copy only, everyone else all three."""
    party = scope.report_party()
    return report_to_pb(for_party(doc, party) if party else doc)
