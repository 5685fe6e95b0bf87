import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class AccountKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ACCOUNT_KIND_UNSPECIFIED: _ClassVar[AccountKind]
    ACCOUNT_KIND_CARD: _ClassVar[AccountKind]
    ACCOUNT_KIND_PASSBOOK: _ClassVar[AccountKind]
    ACCOUNT_KIND_SOCIAL_SECURITY_CARD: _ClassVar[AccountKind]
ACCOUNT_KIND_UNSPECIFIED: AccountKind
ACCOUNT_KIND_CARD: AccountKind
ACCOUNT_KIND_PASSBOOK: AccountKind
ACCOUNT_KIND_SOCIAL_SECURITY_CARD: AccountKind

class BatchHeader(_message.Message):
    __slots__ = ("idempotency_key", "program", "period", "region", "bank_code", "payer_name", "payer_account", "control_count", "control_total_fen", "max_amount_fen")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    PROGRAM_FIELD_NUMBER: _ClassVar[int]
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    BANK_CODE_FIELD_NUMBER: _ClassVar[int]
    PAYER_NAME_FIELD_NUMBER: _ClassVar[int]
    PAYER_ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    CONTROL_COUNT_FIELD_NUMBER: _ClassVar[int]
    CONTROL_TOTAL_FEN_FIELD_NUMBER: _ClassVar[int]
    MAX_AMOUNT_FEN_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    program: str
    period: str
    region: str
    bank_code: str
    payer_name: str
    payer_account: str
    control_count: int
    control_total_fen: int
    max_amount_fen: int
    def __init__(self, idempotency_key: _Optional[str] = ..., program: _Optional[str] = ..., period: _Optional[str] = ..., region: _Optional[str] = ..., bank_code: _Optional[str] = ..., payer_name: _Optional[str] = ..., payer_account: _Optional[str] = ..., control_count: _Optional[int] = ..., control_total_fen: _Optional[int] = ..., max_amount_fen: _Optional[int] = ...) -> None: ...

class PaymentLine(_message.Message):
    __slots__ = ("seq", "name", "id_number", "account_no", "amount_fen", "account_kind", "bank_name", "subsidy_item", "remark", "phone", "address", "household_no")
    SEQ_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    ID_NUMBER_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_NO_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FEN_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_KIND_FIELD_NUMBER: _ClassVar[int]
    BANK_NAME_FIELD_NUMBER: _ClassVar[int]
    SUBSIDY_ITEM_FIELD_NUMBER: _ClassVar[int]
    REMARK_FIELD_NUMBER: _ClassVar[int]
    PHONE_FIELD_NUMBER: _ClassVar[int]
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    HOUSEHOLD_NO_FIELD_NUMBER: _ClassVar[int]
    seq: int
    name: str
    id_number: str
    account_no: str
    amount_fen: int
    account_kind: AccountKind
    bank_name: str
    subsidy_item: str
    remark: str
    phone: str
    address: str
    household_no: str
    def __init__(self, seq: _Optional[int] = ..., name: _Optional[str] = ..., id_number: _Optional[str] = ..., account_no: _Optional[str] = ..., amount_fen: _Optional[int] = ..., account_kind: _Optional[_Union[AccountKind, str]] = ..., bank_name: _Optional[str] = ..., subsidy_item: _Optional[str] = ..., remark: _Optional[str] = ..., phone: _Optional[str] = ..., address: _Optional[str] = ..., household_no: _Optional[str] = ...) -> None: ...

class LineChunk(_message.Message):
    __slots__ = ("lines",)
    LINES_FIELD_NUMBER: _ClassVar[int]
    lines: _containers.RepeatedCompositeFieldContainer[PaymentLine]
    def __init__(self, lines: _Optional[_Iterable[_Union[PaymentLine, _Mapping]]] = ...) -> None: ...

class BatchTotals(_message.Message):
    __slots__ = ("control_count", "control_total_fen")
    CONTROL_COUNT_FIELD_NUMBER: _ClassVar[int]
    CONTROL_TOTAL_FEN_FIELD_NUMBER: _ClassVar[int]
    control_count: int
    control_total_fen: int
    def __init__(self, control_count: _Optional[int] = ..., control_total_fen: _Optional[int] = ...) -> None: ...

class SubmitBatchRequest(_message.Message):
    __slots__ = ("header", "lines", "totals")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    TOTALS_FIELD_NUMBER: _ClassVar[int]
    header: BatchHeader
    lines: LineChunk
    totals: BatchTotals
    def __init__(self, header: _Optional[_Union[BatchHeader, _Mapping]] = ..., lines: _Optional[_Union[LineChunk, _Mapping]] = ..., totals: _Optional[_Union[BatchTotals, _Mapping]] = ...) -> None: ...

class LineIssue(_message.Message):
    __slots__ = ("seq", "field", "code", "message", "severity", "other_batch_id", "other_seq", "open", "issue_id")
    SEQ_FIELD_NUMBER: _ClassVar[int]
    FIELD_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    SEVERITY_FIELD_NUMBER: _ClassVar[int]
    OTHER_BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    OTHER_SEQ_FIELD_NUMBER: _ClassVar[int]
    OPEN_FIELD_NUMBER: _ClassVar[int]
    ISSUE_ID_FIELD_NUMBER: _ClassVar[int]
    seq: int
    field: str
    code: str
    message: str
    severity: str
    other_batch_id: str
    other_seq: int
    open: bool
    issue_id: int
    def __init__(self, seq: _Optional[int] = ..., field: _Optional[str] = ..., code: _Optional[str] = ..., message: _Optional[str] = ..., severity: _Optional[str] = ..., other_batch_id: _Optional[str] = ..., other_seq: _Optional[int] = ..., open: _Optional[bool] = ..., issue_id: _Optional[int] = ...) -> None: ...

class SubmitBatchResponse(_message.Message):
    __slots__ = ("batch_id", "replayed", "line_count", "total_fen", "status", "accepted_count", "rejected_count", "held_count", "issues", "issue_count")
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    REPLAYED_FIELD_NUMBER: _ClassVar[int]
    LINE_COUNT_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FEN_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ACCEPTED_COUNT_FIELD_NUMBER: _ClassVar[int]
    REJECTED_COUNT_FIELD_NUMBER: _ClassVar[int]
    HELD_COUNT_FIELD_NUMBER: _ClassVar[int]
    ISSUES_FIELD_NUMBER: _ClassVar[int]
    ISSUE_COUNT_FIELD_NUMBER: _ClassVar[int]
    batch_id: str
    replayed: bool
    line_count: int
    total_fen: int
    status: str
    accepted_count: int
    rejected_count: int
    held_count: int
    issues: _containers.RepeatedCompositeFieldContainer[LineIssue]
    issue_count: int
    def __init__(self, batch_id: _Optional[str] = ..., replayed: _Optional[bool] = ..., line_count: _Optional[int] = ..., total_fen: _Optional[int] = ..., status: _Optional[str] = ..., accepted_count: _Optional[int] = ..., rejected_count: _Optional[int] = ..., held_count: _Optional[int] = ..., issues: _Optional[_Iterable[_Union[LineIssue, _Mapping]]] = ..., issue_count: _Optional[int] = ...) -> None: ...

class ListLinesRequest(_message.Message):
    __slots__ = ("batch_id", "status", "page_size", "after_seq")
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    AFTER_SEQ_FIELD_NUMBER: _ClassVar[int]
    batch_id: str
    status: str
    page_size: int
    after_seq: int
    def __init__(self, batch_id: _Optional[str] = ..., status: _Optional[str] = ..., page_size: _Optional[int] = ..., after_seq: _Optional[int] = ...) -> None: ...

class LineView(_message.Message):
    __slots__ = ("seq", "status", "amount_fen", "name_masked", "id_number_masked", "account_no_masked", "reason", "follow_up", "bank_reason")
    SEQ_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FEN_FIELD_NUMBER: _ClassVar[int]
    NAME_MASKED_FIELD_NUMBER: _ClassVar[int]
    ID_NUMBER_MASKED_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_NO_MASKED_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    FOLLOW_UP_FIELD_NUMBER: _ClassVar[int]
    BANK_REASON_FIELD_NUMBER: _ClassVar[int]
    seq: int
    status: str
    amount_fen: int
    name_masked: str
    id_number_masked: str
    account_no_masked: str
    reason: str
    follow_up: str
    bank_reason: str
    def __init__(self, seq: _Optional[int] = ..., status: _Optional[str] = ..., amount_fen: _Optional[int] = ..., name_masked: _Optional[str] = ..., id_number_masked: _Optional[str] = ..., account_no_masked: _Optional[str] = ..., reason: _Optional[str] = ..., follow_up: _Optional[str] = ..., bank_reason: _Optional[str] = ...) -> None: ...

class ListLinesResponse(_message.Message):
    __slots__ = ("lines",)
    LINES_FIELD_NUMBER: _ClassVar[int]
    lines: _containers.RepeatedCompositeFieldContainer[LineView]
    def __init__(self, lines: _Optional[_Iterable[_Union[LineView, _Mapping]]] = ...) -> None: ...

class ListLineIssuesRequest(_message.Message):
    __slots__ = ("batch_id", "open_only", "page_size", "after_issue_id")
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    OPEN_ONLY_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    AFTER_ISSUE_ID_FIELD_NUMBER: _ClassVar[int]
    batch_id: str
    open_only: bool
    page_size: int
    after_issue_id: int
    def __init__(self, batch_id: _Optional[str] = ..., open_only: _Optional[bool] = ..., page_size: _Optional[int] = ..., after_issue_id: _Optional[int] = ...) -> None: ...

class ListLineIssuesResponse(_message.Message):
    __slots__ = ("issues", "next_after_issue_id")
    ISSUES_FIELD_NUMBER: _ClassVar[int]
    NEXT_AFTER_ISSUE_ID_FIELD_NUMBER: _ClassVar[int]
    issues: _containers.RepeatedCompositeFieldContainer[LineIssue]
    next_after_issue_id: int
    def __init__(self, issues: _Optional[_Iterable[_Union[LineIssue, _Mapping]]] = ..., next_after_issue_id: _Optional[int] = ...) -> None: ...

class CorrectLinesRequest(_message.Message):
    __slots__ = ("batch_id", "lines")
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    batch_id: str
    lines: _containers.RepeatedCompositeFieldContainer[PaymentLine]
    def __init__(self, batch_id: _Optional[str] = ..., lines: _Optional[_Iterable[_Union[PaymentLine, _Mapping]]] = ...) -> None: ...

class LineChangeItem(_message.Message):
    __slots__ = ("seq", "changed", "name_before", "name_after", "id_number_before", "id_number_after", "account_no_before", "account_no_after", "amount_fen")
    SEQ_FIELD_NUMBER: _ClassVar[int]
    CHANGED_FIELD_NUMBER: _ClassVar[int]
    NAME_BEFORE_FIELD_NUMBER: _ClassVar[int]
    NAME_AFTER_FIELD_NUMBER: _ClassVar[int]
    ID_NUMBER_BEFORE_FIELD_NUMBER: _ClassVar[int]
    ID_NUMBER_AFTER_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_NO_BEFORE_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_NO_AFTER_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FEN_FIELD_NUMBER: _ClassVar[int]
    seq: int
    changed: _containers.RepeatedScalarFieldContainer[str]
    name_before: str
    name_after: str
    id_number_before: str
    id_number_after: str
    account_no_before: str
    account_no_after: str
    amount_fen: int
    def __init__(self, seq: _Optional[int] = ..., changed: _Optional[_Iterable[str]] = ..., name_before: _Optional[str] = ..., name_after: _Optional[str] = ..., id_number_before: _Optional[str] = ..., id_number_after: _Optional[str] = ..., account_no_before: _Optional[str] = ..., account_no_after: _Optional[str] = ..., amount_fen: _Optional[int] = ...) -> None: ...

class LineChange(_message.Message):
    __slots__ = ("change_id", "batch_id", "state", "requested_by", "requested_at", "decided_by", "decided_at", "reason", "file_id", "lines")
    CHANGE_ID_FIELD_NUMBER: _ClassVar[int]
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    REQUESTED_BY_FIELD_NUMBER: _ClassVar[int]
    REQUESTED_AT_FIELD_NUMBER: _ClassVar[int]
    DECIDED_BY_FIELD_NUMBER: _ClassVar[int]
    DECIDED_AT_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    FILE_ID_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    change_id: int
    batch_id: str
    state: str
    requested_by: str
    requested_at: _timestamp_pb2.Timestamp
    decided_by: str
    decided_at: _timestamp_pb2.Timestamp
    reason: str
    file_id: int
    lines: _containers.RepeatedCompositeFieldContainer[LineChangeItem]
    def __init__(self, change_id: _Optional[int] = ..., batch_id: _Optional[str] = ..., state: _Optional[str] = ..., requested_by: _Optional[str] = ..., requested_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., decided_by: _Optional[str] = ..., decided_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., reason: _Optional[str] = ..., file_id: _Optional[int] = ..., lines: _Optional[_Iterable[_Union[LineChangeItem, _Mapping]]] = ...) -> None: ...

class ReissueLinesResponse(_message.Message):
    __slots__ = ("file", "change")
    FILE_FIELD_NUMBER: _ClassVar[int]
    CHANGE_FIELD_NUMBER: _ClassVar[int]
    file: ExchangedFile
    change: LineChange
    def __init__(self, file: _Optional[_Union[ExchangedFile, _Mapping]] = ..., change: _Optional[_Union[LineChange, _Mapping]] = ...) -> None: ...

class LineChangeRequest(_message.Message):
    __slots__ = ("batch_id", "change_id", "reason")
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    CHANGE_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    batch_id: str
    change_id: int
    reason: str
    def __init__(self, batch_id: _Optional[str] = ..., change_id: _Optional[int] = ..., reason: _Optional[str] = ...) -> None: ...

class ListLineChangesRequest(_message.Message):
    __slots__ = ("batch_id", "state")
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    batch_id: str
    state: str
    def __init__(self, batch_id: _Optional[str] = ..., state: _Optional[str] = ...) -> None: ...

class ListLineChangesResponse(_message.Message):
    __slots__ = ("changes",)
    CHANGES_FIELD_NUMBER: _ClassVar[int]
    changes: _containers.RepeatedCompositeFieldContainer[LineChange]
    def __init__(self, changes: _Optional[_Iterable[_Union[LineChange, _Mapping]]] = ...) -> None: ...

class ResolveLinesRequest(_message.Message):
    __slots__ = ("batch_id", "seqs", "reason")
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    SEQS_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    batch_id: str
    seqs: _containers.RepeatedScalarFieldContainer[int]
    reason: str
    def __init__(self, batch_id: _Optional[str] = ..., seqs: _Optional[_Iterable[int]] = ..., reason: _Optional[str] = ...) -> None: ...

class GetAuditTrailRequest(_message.Message):
    __slots__ = ("batch_id",)
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    batch_id: str
    def __init__(self, batch_id: _Optional[str] = ...) -> None: ...

class AuditEvent(_message.Message):
    __slots__ = ("at", "actor", "action", "batch_id", "seq", "detail")
    AT_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    SEQ_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    at: _timestamp_pb2.Timestamp
    actor: str
    action: str
    batch_id: str
    seq: int
    detail: str
    def __init__(self, at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., actor: _Optional[str] = ..., action: _Optional[str] = ..., batch_id: _Optional[str] = ..., seq: _Optional[int] = ..., detail: _Optional[str] = ...) -> None: ...

class GetAuditTrailResponse(_message.Message):
    __slots__ = ("events",)
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    events: _containers.RepeatedCompositeFieldContainer[AuditEvent]
    def __init__(self, events: _Optional[_Iterable[_Union[AuditEvent, _Mapping]]] = ...) -> None: ...

class StopEntryInput(_message.Message):
    __slots__ = ("id_number", "kind", "effective_from", "effective_until", "source", "note")
    ID_NUMBER_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_FROM_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_UNTIL_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    id_number: str
    kind: str
    effective_from: str
    effective_until: str
    source: str
    note: str
    def __init__(self, id_number: _Optional[str] = ..., kind: _Optional[str] = ..., effective_from: _Optional[str] = ..., effective_until: _Optional[str] = ..., source: _Optional[str] = ..., note: _Optional[str] = ...) -> None: ...

class StopEntry(_message.Message):
    __slots__ = ("entry_id", "id_number", "kind", "effective_from", "effective_until", "source", "note", "created_by", "created_at", "revoked_by", "revoked_at")
    ENTRY_ID_FIELD_NUMBER: _ClassVar[int]
    ID_NUMBER_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_FROM_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_UNTIL_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    CREATED_BY_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    REVOKED_BY_FIELD_NUMBER: _ClassVar[int]
    REVOKED_AT_FIELD_NUMBER: _ClassVar[int]
    entry_id: int
    id_number: str
    kind: str
    effective_from: str
    effective_until: str
    source: str
    note: str
    created_by: str
    created_at: _timestamp_pb2.Timestamp
    revoked_by: str
    revoked_at: _timestamp_pb2.Timestamp
    def __init__(self, entry_id: _Optional[int] = ..., id_number: _Optional[str] = ..., kind: _Optional[str] = ..., effective_from: _Optional[str] = ..., effective_until: _Optional[str] = ..., source: _Optional[str] = ..., note: _Optional[str] = ..., created_by: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., revoked_by: _Optional[str] = ..., revoked_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class AddStopEntriesRequest(_message.Message):
    __slots__ = ("entries",)
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    entries: _containers.RepeatedCompositeFieldContainer[StopEntryInput]
    def __init__(self, entries: _Optional[_Iterable[_Union[StopEntryInput, _Mapping]]] = ...) -> None: ...

class AddStopEntriesResponse(_message.Message):
    __slots__ = ("entries",)
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    entries: _containers.RepeatedCompositeFieldContainer[StopEntry]
    def __init__(self, entries: _Optional[_Iterable[_Union[StopEntry, _Mapping]]] = ...) -> None: ...

class QueryStopListRequest(_message.Message):
    __slots__ = ("id_number", "active_on")
    ID_NUMBER_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_ON_FIELD_NUMBER: _ClassVar[int]
    id_number: str
    active_on: str
    def __init__(self, id_number: _Optional[str] = ..., active_on: _Optional[str] = ...) -> None: ...

class QueryStopListResponse(_message.Message):
    __slots__ = ("entries",)
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    entries: _containers.RepeatedCompositeFieldContainer[StopEntry]
    def __init__(self, entries: _Optional[_Iterable[_Union[StopEntry, _Mapping]]] = ...) -> None: ...

class RevokeStopEntryRequest(_message.Message):
    __slots__ = ("entry_id", "reason")
    ENTRY_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    entry_id: int
    reason: str
    def __init__(self, entry_id: _Optional[int] = ..., reason: _Optional[str] = ...) -> None: ...

class ListRecoveriesRequest(_message.Message):
    __slots__ = ("page_size",)
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    def __init__(self, page_size: _Optional[int] = ...) -> None: ...

class Recovery(_message.Message):
    __slots__ = ("batch_id", "seq", "name", "id_number", "account_no", "amount_fen", "paid_on", "stop")
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    SEQ_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    ID_NUMBER_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_NO_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FEN_FIELD_NUMBER: _ClassVar[int]
    PAID_ON_FIELD_NUMBER: _ClassVar[int]
    STOP_FIELD_NUMBER: _ClassVar[int]
    batch_id: str
    seq: int
    name: str
    id_number: str
    account_no: str
    amount_fen: int
    paid_on: str
    stop: StopEntry
    def __init__(self, batch_id: _Optional[str] = ..., seq: _Optional[int] = ..., name: _Optional[str] = ..., id_number: _Optional[str] = ..., account_no: _Optional[str] = ..., amount_fen: _Optional[int] = ..., paid_on: _Optional[str] = ..., stop: _Optional[_Union[StopEntry, _Mapping]] = ...) -> None: ...

class ListRecoveriesResponse(_message.Message):
    __slots__ = ("recoveries", "total_fen")
    RECOVERIES_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FEN_FIELD_NUMBER: _ClassVar[int]
    recoveries: _containers.RepeatedCompositeFieldContainer[Recovery]
    total_fen: int
    def __init__(self, recoveries: _Optional[_Iterable[_Union[Recovery, _Mapping]]] = ..., total_fen: _Optional[int] = ...) -> None: ...

class GetDisclosureListRequest(_message.Message):
    __slots__ = ("batch_id", "page_size", "after_seq")
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    AFTER_SEQ_FIELD_NUMBER: _ClassVar[int]
    batch_id: str
    page_size: int
    after_seq: int
    def __init__(self, batch_id: _Optional[str] = ..., page_size: _Optional[int] = ..., after_seq: _Optional[int] = ...) -> None: ...

class DisclosureItem(_message.Message):
    __slots__ = ("seq", "name", "id_number", "program", "amount_fen", "paid_on")
    SEQ_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    ID_NUMBER_FIELD_NUMBER: _ClassVar[int]
    PROGRAM_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FEN_FIELD_NUMBER: _ClassVar[int]
    PAID_ON_FIELD_NUMBER: _ClassVar[int]
    seq: int
    name: str
    id_number: str
    program: str
    amount_fen: int
    paid_on: str
    def __init__(self, seq: _Optional[int] = ..., name: _Optional[str] = ..., id_number: _Optional[str] = ..., program: _Optional[str] = ..., amount_fen: _Optional[int] = ..., paid_on: _Optional[str] = ...) -> None: ...

class DisclosureList(_message.Message):
    __slots__ = ("batch_id", "program", "period", "region", "items", "next_after_seq")
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    PROGRAM_FIELD_NUMBER: _ClassVar[int]
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    NEXT_AFTER_SEQ_FIELD_NUMBER: _ClassVar[int]
    batch_id: str
    program: str
    period: str
    region: str
    items: _containers.RepeatedCompositeFieldContainer[DisclosureItem]
    next_after_seq: int
    def __init__(self, batch_id: _Optional[str] = ..., program: _Optional[str] = ..., period: _Optional[str] = ..., region: _Optional[str] = ..., items: _Optional[_Iterable[_Union[DisclosureItem, _Mapping]]] = ..., next_after_seq: _Optional[int] = ...) -> None: ...

class StatusTotal(_message.Message):
    __slots__ = ("status", "count", "fen")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    FEN_FIELD_NUMBER: _ClassVar[int]
    status: str
    count: int
    fen: int
    def __init__(self, status: _Optional[str] = ..., count: _Optional[int] = ..., fen: _Optional[int] = ...) -> None: ...

class Batch(_message.Message):
    __slots__ = ("batch_id", "program", "period", "region", "bank_code", "status", "line_count", "total_fen", "funded_fen", "submitted_by", "approved_by", "created_at", "funded_at", "dispatched_at", "closed_at", "payment_due", "lines_by_status")
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    PROGRAM_FIELD_NUMBER: _ClassVar[int]
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    BANK_CODE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    LINE_COUNT_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FEN_FIELD_NUMBER: _ClassVar[int]
    FUNDED_FEN_FIELD_NUMBER: _ClassVar[int]
    SUBMITTED_BY_FIELD_NUMBER: _ClassVar[int]
    APPROVED_BY_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    FUNDED_AT_FIELD_NUMBER: _ClassVar[int]
    DISPATCHED_AT_FIELD_NUMBER: _ClassVar[int]
    CLOSED_AT_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_DUE_FIELD_NUMBER: _ClassVar[int]
    LINES_BY_STATUS_FIELD_NUMBER: _ClassVar[int]
    batch_id: str
    program: str
    period: str
    region: str
    bank_code: str
    status: str
    line_count: int
    total_fen: int
    funded_fen: int
    submitted_by: str
    approved_by: str
    created_at: _timestamp_pb2.Timestamp
    funded_at: _timestamp_pb2.Timestamp
    dispatched_at: _timestamp_pb2.Timestamp
    closed_at: _timestamp_pb2.Timestamp
    payment_due: str
    lines_by_status: _containers.RepeatedCompositeFieldContainer[StatusTotal]
    def __init__(self, batch_id: _Optional[str] = ..., program: _Optional[str] = ..., period: _Optional[str] = ..., region: _Optional[str] = ..., bank_code: _Optional[str] = ..., status: _Optional[str] = ..., line_count: _Optional[int] = ..., total_fen: _Optional[int] = ..., funded_fen: _Optional[int] = ..., submitted_by: _Optional[str] = ..., approved_by: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., funded_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., dispatched_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., closed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., payment_due: _Optional[str] = ..., lines_by_status: _Optional[_Iterable[_Union[StatusTotal, _Mapping]]] = ...) -> None: ...

class GetBatchRequest(_message.Message):
    __slots__ = ("batch_id",)
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    batch_id: str
    def __init__(self, batch_id: _Optional[str] = ...) -> None: ...

class ListBatchesRequest(_message.Message):
    __slots__ = ("status", "page_size", "page_token")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    status: str
    page_size: int
    page_token: str
    def __init__(self, status: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListBatchesResponse(_message.Message):
    __slots__ = ("batches", "next_page_token")
    BATCHES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    batches: _containers.RepeatedCompositeFieldContainer[Batch]
    next_page_token: str
    def __init__(self, batches: _Optional[_Iterable[_Union[Batch, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class ApproveBatchRequest(_message.Message):
    __slots__ = ("batch_id",)
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    batch_id: str
    def __init__(self, batch_id: _Optional[str] = ...) -> None: ...

class FundBatchRequest(_message.Message):
    __slots__ = ("batch_id", "amount_fen")
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FEN_FIELD_NUMBER: _ClassVar[int]
    batch_id: str
    amount_fen: int
    def __init__(self, batch_id: _Optional[str] = ..., amount_fen: _Optional[int] = ...) -> None: ...

class DispatchBatchRequest(_message.Message):
    __slots__ = ("batch_id",)
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    batch_id: str
    def __init__(self, batch_id: _Optional[str] = ...) -> None: ...

class ExchangedFile(_message.Message):
    __slots__ = ("file_id", "direction", "bank_code", "batch_id", "name", "remote_path", "sha256", "size", "state", "duplicate_of", "attempts", "last_error", "line_count", "created_at", "updated_at", "next_attempt_at", "delivered_at", "delivered_by", "acknowledged_at", "rendered_at", "handled_by", "fence", "lease_owner", "lease_until", "claimed_batch_id", "archived_at", "message_id", "reading_report", "part_of")
    FILE_ID_FIELD_NUMBER: _ClassVar[int]
    DIRECTION_FIELD_NUMBER: _ClassVar[int]
    BANK_CODE_FIELD_NUMBER: _ClassVar[int]
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    REMOTE_PATH_FIELD_NUMBER: _ClassVar[int]
    SHA256_FIELD_NUMBER: _ClassVar[int]
    SIZE_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    DUPLICATE_OF_FIELD_NUMBER: _ClassVar[int]
    ATTEMPTS_FIELD_NUMBER: _ClassVar[int]
    LAST_ERROR_FIELD_NUMBER: _ClassVar[int]
    LINE_COUNT_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    NEXT_ATTEMPT_AT_FIELD_NUMBER: _ClassVar[int]
    DELIVERED_AT_FIELD_NUMBER: _ClassVar[int]
    DELIVERED_BY_FIELD_NUMBER: _ClassVar[int]
    ACKNOWLEDGED_AT_FIELD_NUMBER: _ClassVar[int]
    RENDERED_AT_FIELD_NUMBER: _ClassVar[int]
    HANDLED_BY_FIELD_NUMBER: _ClassVar[int]
    FENCE_FIELD_NUMBER: _ClassVar[int]
    LEASE_OWNER_FIELD_NUMBER: _ClassVar[int]
    LEASE_UNTIL_FIELD_NUMBER: _ClassVar[int]
    CLAIMED_BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    ARCHIVED_AT_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_ID_FIELD_NUMBER: _ClassVar[int]
    READING_REPORT_FIELD_NUMBER: _ClassVar[int]
    PART_OF_FIELD_NUMBER: _ClassVar[int]
    file_id: int
    direction: str
    bank_code: str
    batch_id: str
    name: str
    remote_path: str
    sha256: str
    size: int
    state: str
    duplicate_of: int
    attempts: int
    last_error: str
    line_count: int
    created_at: _timestamp_pb2.Timestamp
    updated_at: _timestamp_pb2.Timestamp
    next_attempt_at: _timestamp_pb2.Timestamp
    delivered_at: _timestamp_pb2.Timestamp
    delivered_by: str
    acknowledged_at: _timestamp_pb2.Timestamp
    rendered_at: _timestamp_pb2.Timestamp
    handled_by: str
    fence: int
    lease_owner: str
    lease_until: _timestamp_pb2.Timestamp
    claimed_batch_id: str
    archived_at: _timestamp_pb2.Timestamp
    message_id: str
    reading_report: ReadingReport
    part_of: int
    def __init__(self, file_id: _Optional[int] = ..., direction: _Optional[str] = ..., bank_code: _Optional[str] = ..., batch_id: _Optional[str] = ..., name: _Optional[str] = ..., remote_path: _Optional[str] = ..., sha256: _Optional[str] = ..., size: _Optional[int] = ..., state: _Optional[str] = ..., duplicate_of: _Optional[int] = ..., attempts: _Optional[int] = ..., last_error: _Optional[str] = ..., line_count: _Optional[int] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., next_attempt_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., delivered_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., delivered_by: _Optional[str] = ..., acknowledged_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., rendered_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., handled_by: _Optional[str] = ..., fence: _Optional[int] = ..., lease_owner: _Optional[str] = ..., lease_until: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., claimed_batch_id: _Optional[str] = ..., archived_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., message_id: _Optional[str] = ..., reading_report: _Optional[_Union[ReadingReport, _Mapping]] = ..., part_of: _Optional[int] = ...) -> None: ...

class ReadingReport(_message.Message):
    __slots__ = ("records", "total_fen", "skipped_count", "skipped_fen", "skipped_unpriced", "by_reason", "first_skipped", "notes")
    RECORDS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FEN_FIELD_NUMBER: _ClassVar[int]
    SKIPPED_COUNT_FIELD_NUMBER: _ClassVar[int]
    SKIPPED_FEN_FIELD_NUMBER: _ClassVar[int]
    SKIPPED_UNPRICED_FIELD_NUMBER: _ClassVar[int]
    BY_REASON_FIELD_NUMBER: _ClassVar[int]
    FIRST_SKIPPED_FIELD_NUMBER: _ClassVar[int]
    NOTES_FIELD_NUMBER: _ClassVar[int]
    records: int
    total_fen: int
    skipped_count: int
    skipped_fen: int
    skipped_unpriced: int
    by_reason: _containers.RepeatedCompositeFieldContainer[SkippedReason]
    first_skipped: _containers.RepeatedCompositeFieldContainer[SkippedRecord]
    notes: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, records: _Optional[int] = ..., total_fen: _Optional[int] = ..., skipped_count: _Optional[int] = ..., skipped_fen: _Optional[int] = ..., skipped_unpriced: _Optional[int] = ..., by_reason: _Optional[_Iterable[_Union[SkippedReason, _Mapping]]] = ..., first_skipped: _Optional[_Iterable[_Union[SkippedRecord, _Mapping]]] = ..., notes: _Optional[_Iterable[str]] = ...) -> None: ...

class SkippedReason(_message.Message):
    __slots__ = ("reason", "label", "count", "total_fen", "unpriced")
    REASON_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FEN_FIELD_NUMBER: _ClassVar[int]
    UNPRICED_FIELD_NUMBER: _ClassVar[int]
    reason: str
    label: str
    count: int
    total_fen: int
    unpriced: int
    def __init__(self, reason: _Optional[str] = ..., label: _Optional[str] = ..., count: _Optional[int] = ..., total_fen: _Optional[int] = ..., unpriced: _Optional[int] = ...) -> None: ...

class SkippedRecord(_message.Message):
    __slots__ = ("where", "reason", "detail", "amount_fen", "has_amount")
    WHERE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FEN_FIELD_NUMBER: _ClassVar[int]
    HAS_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    where: str
    reason: str
    detail: str
    amount_fen: int
    has_amount: bool
    def __init__(self, where: _Optional[str] = ..., reason: _Optional[str] = ..., detail: _Optional[str] = ..., amount_fen: _Optional[int] = ..., has_amount: _Optional[bool] = ...) -> None: ...

class RegenerateFileRequest(_message.Message):
    __slots__ = ("file_id", "reason")
    FILE_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    file_id: int
    reason: str
    def __init__(self, file_id: _Optional[int] = ..., reason: _Optional[str] = ...) -> None: ...

class MarkFileDeliveredRequest(_message.Message):
    __slots__ = ("file_id", "reason")
    FILE_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    file_id: int
    reason: str
    def __init__(self, file_id: _Optional[int] = ..., reason: _Optional[str] = ...) -> None: ...

class IngestResultFileRequest(_message.Message):
    __slots__ = ("start", "data")
    class Start(_message.Message):
        __slots__ = ("bank_code", "file_name", "signature")
        BANK_CODE_FIELD_NUMBER: _ClassVar[int]
        FILE_NAME_FIELD_NUMBER: _ClassVar[int]
        SIGNATURE_FIELD_NUMBER: _ClassVar[int]
        bank_code: str
        file_name: str
        signature: bytes
        def __init__(self, bank_code: _Optional[str] = ..., file_name: _Optional[str] = ..., signature: _Optional[bytes] = ...) -> None: ...
    START_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    start: IngestResultFileRequest.Start
    data: bytes
    def __init__(self, start: _Optional[_Union[IngestResultFileRequest.Start, _Mapping]] = ..., data: _Optional[bytes] = ...) -> None: ...

class IngestResultFileResponse(_message.Message):
    __slots__ = ("file", "booked_lines", "booked_fen", "problems")
    FILE_FIELD_NUMBER: _ClassVar[int]
    BOOKED_LINES_FIELD_NUMBER: _ClassVar[int]
    BOOKED_FEN_FIELD_NUMBER: _ClassVar[int]
    PROBLEMS_FIELD_NUMBER: _ClassVar[int]
    file: ExchangedFile
    booked_lines: int
    booked_fen: int
    problems: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, file: _Optional[_Union[ExchangedFile, _Mapping]] = ..., booked_lines: _Optional[int] = ..., booked_fen: _Optional[int] = ..., problems: _Optional[_Iterable[str]] = ...) -> None: ...

class ListExceptionsRequest(_message.Message):
    __slots__ = ("batch_id", "bank_code", "page_size", "page_token")
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    BANK_CODE_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    batch_id: str
    bank_code: str
    page_size: int
    page_token: str
    def __init__(self, batch_id: _Optional[str] = ..., bank_code: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class BankException(_message.Message):
    __slots__ = ("file_id", "file_name", "record", "batch_id", "seq", "outcome", "amount_fen", "bank_ref", "kind", "label", "detail", "due_back_fen", "bank_code", "received_at")
    FILE_ID_FIELD_NUMBER: _ClassVar[int]
    FILE_NAME_FIELD_NUMBER: _ClassVar[int]
    RECORD_FIELD_NUMBER: _ClassVar[int]
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    SEQ_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FEN_FIELD_NUMBER: _ClassVar[int]
    BANK_REF_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    DUE_BACK_FEN_FIELD_NUMBER: _ClassVar[int]
    BANK_CODE_FIELD_NUMBER: _ClassVar[int]
    RECEIVED_AT_FIELD_NUMBER: _ClassVar[int]
    file_id: int
    file_name: str
    record: int
    batch_id: str
    seq: int
    outcome: str
    amount_fen: int
    bank_ref: str
    kind: str
    label: str
    detail: str
    due_back_fen: int
    bank_code: str
    received_at: _timestamp_pb2.Timestamp
    def __init__(self, file_id: _Optional[int] = ..., file_name: _Optional[str] = ..., record: _Optional[int] = ..., batch_id: _Optional[str] = ..., seq: _Optional[int] = ..., outcome: _Optional[str] = ..., amount_fen: _Optional[int] = ..., bank_ref: _Optional[str] = ..., kind: _Optional[str] = ..., label: _Optional[str] = ..., detail: _Optional[str] = ..., due_back_fen: _Optional[int] = ..., bank_code: _Optional[str] = ..., received_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListExceptionsResponse(_message.Message):
    __slots__ = ("exceptions", "next_page_token")
    EXCEPTIONS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    exceptions: _containers.RepeatedCompositeFieldContainer[BankException]
    next_page_token: str
    def __init__(self, exceptions: _Optional[_Iterable[_Union[BankException, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class ListFilesRequest(_message.Message):
    __slots__ = ("batch_id", "bank_code", "page_size", "state", "after_file_id")
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    BANK_CODE_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    AFTER_FILE_ID_FIELD_NUMBER: _ClassVar[int]
    batch_id: str
    bank_code: str
    page_size: int
    state: str
    after_file_id: int
    def __init__(self, batch_id: _Optional[str] = ..., bank_code: _Optional[str] = ..., page_size: _Optional[int] = ..., state: _Optional[str] = ..., after_file_id: _Optional[int] = ...) -> None: ...

class ListFilesResponse(_message.Message):
    __slots__ = ("files", "next_after_file_id")
    FILES_FIELD_NUMBER: _ClassVar[int]
    NEXT_AFTER_FILE_ID_FIELD_NUMBER: _ClassVar[int]
    files: _containers.RepeatedCompositeFieldContainer[ExchangedFile]
    next_after_file_id: int
    def __init__(self, files: _Optional[_Iterable[_Union[ExchangedFile, _Mapping]]] = ..., next_after_file_id: _Optional[int] = ...) -> None: ...

class CloseBatchRequest(_message.Message):
    __slots__ = ("batch_id", "allow_unreported")
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    ALLOW_UNREPORTED_FIELD_NUMBER: _ClassVar[int]
    batch_id: str
    allow_unreported: bool
    def __init__(self, batch_id: _Optional[str] = ..., allow_unreported: _Optional[bool] = ...) -> None: ...

class GetReportRequest(_message.Message):
    __slots__ = ("batch_id",)
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    batch_id: str
    def __init__(self, batch_id: _Optional[str] = ...) -> None: ...

class ReportCopy(_message.Message):
    __slots__ = ("party", "label", "content_sha256", "signature")
    PARTY_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    CONTENT_SHA256_FIELD_NUMBER: _ClassVar[int]
    SIGNATURE_FIELD_NUMBER: _ClassVar[int]
    party: str
    label: str
    content_sha256: str
    signature: str
    def __init__(self, party: _Optional[str] = ..., label: _Optional[str] = ..., content_sha256: _Optional[str] = ..., signature: _Optional[str] = ...) -> None: ...

class Report(_message.Message):
    __slots__ = ("kind", "batch_id", "content_json", "content_sha256", "copies", "public_key_pem", "text")
    KIND_FIELD_NUMBER: _ClassVar[int]
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    CONTENT_JSON_FIELD_NUMBER: _ClassVar[int]
    CONTENT_SHA256_FIELD_NUMBER: _ClassVar[int]
    COPIES_FIELD_NUMBER: _ClassVar[int]
    PUBLIC_KEY_PEM_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    kind: str
    batch_id: str
    content_json: str
    content_sha256: str
    copies: _containers.RepeatedCompositeFieldContainer[ReportCopy]
    public_key_pem: str
    text: str
    def __init__(self, kind: _Optional[str] = ..., batch_id: _Optional[str] = ..., content_json: _Optional[str] = ..., content_sha256: _Optional[str] = ..., copies: _Optional[_Iterable[_Union[ReportCopy, _Mapping]]] = ..., public_key_pem: _Optional[str] = ..., text: _Optional[str] = ...) -> None: ...

class GetAggregateReportRequest(_message.Message):
    __slots__ = ("program", "period", "region")
    PROGRAM_FIELD_NUMBER: _ClassVar[int]
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    program: str
    period: str
    region: str
    def __init__(self, program: _Optional[str] = ..., period: _Optional[str] = ..., region: _Optional[str] = ...) -> None: ...

class GetMonthlyReportRequest(_message.Message):
    __slots__ = ("program", "region", "month")
    PROGRAM_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    MONTH_FIELD_NUMBER: _ClassVar[int]
    program: str
    region: str
    month: str
    def __init__(self, program: _Optional[str] = ..., region: _Optional[str] = ..., month: _Optional[str] = ...) -> None: ...

class VerifyReportCopyRequest(_message.Message):
    __slots__ = ("content", "party", "content_sha256", "signature")
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    PARTY_FIELD_NUMBER: _ClassVar[int]
    CONTENT_SHA256_FIELD_NUMBER: _ClassVar[int]
    SIGNATURE_FIELD_NUMBER: _ClassVar[int]
    content: bytes
    party: str
    content_sha256: str
    signature: str
    def __init__(self, content: _Optional[bytes] = ..., party: _Optional[str] = ..., content_sha256: _Optional[str] = ..., signature: _Optional[str] = ...) -> None: ...

class CopyVerdict(_message.Message):
    __slots__ = ("party", "valid", "problems")
    PARTY_FIELD_NUMBER: _ClassVar[int]
    VALID_FIELD_NUMBER: _ClassVar[int]
    PROBLEMS_FIELD_NUMBER: _ClassVar[int]
    party: str
    valid: bool
    problems: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, party: _Optional[str] = ..., valid: _Optional[bool] = ..., problems: _Optional[_Iterable[str]] = ...) -> None: ...

class VerifyReportCopyResponse(_message.Message):
    __slots__ = ("valid", "computed_sha256", "kind", "copies", "problems")
    VALID_FIELD_NUMBER: _ClassVar[int]
    COMPUTED_SHA256_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    COPIES_FIELD_NUMBER: _ClassVar[int]
    PROBLEMS_FIELD_NUMBER: _ClassVar[int]
    valid: bool
    computed_sha256: str
    kind: str
    copies: _containers.RepeatedCompositeFieldContainer[CopyVerdict]
    problems: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, valid: _Optional[bool] = ..., computed_sha256: _Optional[str] = ..., kind: _Optional[str] = ..., copies: _Optional[_Iterable[_Union[CopyVerdict, _Mapping]]] = ..., problems: _Optional[_Iterable[str]] = ...) -> None: ...

class GetBalancesRequest(_message.Message):
    __slots__ = ("prefix", "batch_id")
    PREFIX_FIELD_NUMBER: _ClassVar[int]
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    prefix: str
    batch_id: str
    def __init__(self, prefix: _Optional[str] = ..., batch_id: _Optional[str] = ...) -> None: ...

class Balance(_message.Message):
    __slots__ = ("account", "balance_fen")
    ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    BALANCE_FEN_FIELD_NUMBER: _ClassVar[int]
    account: str
    balance_fen: int
    def __init__(self, account: _Optional[str] = ..., balance_fen: _Optional[int] = ...) -> None: ...

class GetBalancesResponse(_message.Message):
    __slots__ = ("balances",)
    BALANCES_FIELD_NUMBER: _ClassVar[int]
    balances: _containers.RepeatedCompositeFieldContainer[Balance]
    def __init__(self, balances: _Optional[_Iterable[_Union[Balance, _Mapping]]] = ...) -> None: ...

class ListTransactionsRequest(_message.Message):
    __slots__ = ("batch_id", "page_size")
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    batch_id: str
    page_size: int
    def __init__(self, batch_id: _Optional[str] = ..., page_size: _Optional[int] = ...) -> None: ...

class LedgerTransaction(_message.Message):
    __slots__ = ("transaction_id", "kind", "batch_id", "file_id", "memo", "created_at", "posting_count", "amount_fen")
    TRANSACTION_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    FILE_ID_FIELD_NUMBER: _ClassVar[int]
    MEMO_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    POSTING_COUNT_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FEN_FIELD_NUMBER: _ClassVar[int]
    transaction_id: str
    kind: str
    batch_id: str
    file_id: int
    memo: str
    created_at: _timestamp_pb2.Timestamp
    posting_count: int
    amount_fen: int
    def __init__(self, transaction_id: _Optional[str] = ..., kind: _Optional[str] = ..., batch_id: _Optional[str] = ..., file_id: _Optional[int] = ..., memo: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., posting_count: _Optional[int] = ..., amount_fen: _Optional[int] = ...) -> None: ...

class ListTransactionsResponse(_message.Message):
    __slots__ = ("transactions",)
    TRANSACTIONS_FIELD_NUMBER: _ClassVar[int]
    transactions: _containers.RepeatedCompositeFieldContainer[LedgerTransaction]
    def __init__(self, transactions: _Optional[_Iterable[_Union[LedgerTransaction, _Mapping]]] = ...) -> None: ...

class StatementFile(_message.Message):
    __slots__ = ("file_id", "bank_code", "name", "sha256", "state", "duplicate_of", "last_error", "received_by", "received_at", "archived_at", "statement_id", "account", "from_date", "to_date", "opening_balance_fen", "closing_balance_fen", "entry_count", "credit_fen", "debit_fen", "reading_report")
    FILE_ID_FIELD_NUMBER: _ClassVar[int]
    BANK_CODE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    SHA256_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    DUPLICATE_OF_FIELD_NUMBER: _ClassVar[int]
    LAST_ERROR_FIELD_NUMBER: _ClassVar[int]
    RECEIVED_BY_FIELD_NUMBER: _ClassVar[int]
    RECEIVED_AT_FIELD_NUMBER: _ClassVar[int]
    ARCHIVED_AT_FIELD_NUMBER: _ClassVar[int]
    STATEMENT_ID_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    FROM_DATE_FIELD_NUMBER: _ClassVar[int]
    TO_DATE_FIELD_NUMBER: _ClassVar[int]
    OPENING_BALANCE_FEN_FIELD_NUMBER: _ClassVar[int]
    CLOSING_BALANCE_FEN_FIELD_NUMBER: _ClassVar[int]
    ENTRY_COUNT_FIELD_NUMBER: _ClassVar[int]
    CREDIT_FEN_FIELD_NUMBER: _ClassVar[int]
    DEBIT_FEN_FIELD_NUMBER: _ClassVar[int]
    READING_REPORT_FIELD_NUMBER: _ClassVar[int]
    file_id: int
    bank_code: str
    name: str
    sha256: str
    state: str
    duplicate_of: int
    last_error: str
    received_by: str
    received_at: _timestamp_pb2.Timestamp
    archived_at: _timestamp_pb2.Timestamp
    statement_id: str
    account: str
    from_date: str
    to_date: str
    opening_balance_fen: int
    closing_balance_fen: int
    entry_count: int
    credit_fen: int
    debit_fen: int
    reading_report: ReadingReport
    def __init__(self, file_id: _Optional[int] = ..., bank_code: _Optional[str] = ..., name: _Optional[str] = ..., sha256: _Optional[str] = ..., state: _Optional[str] = ..., duplicate_of: _Optional[int] = ..., last_error: _Optional[str] = ..., received_by: _Optional[str] = ..., received_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., archived_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., statement_id: _Optional[str] = ..., account: _Optional[str] = ..., from_date: _Optional[str] = ..., to_date: _Optional[str] = ..., opening_balance_fen: _Optional[int] = ..., closing_balance_fen: _Optional[int] = ..., entry_count: _Optional[int] = ..., credit_fen: _Optional[int] = ..., debit_fen: _Optional[int] = ..., reading_report: _Optional[_Union[ReadingReport, _Mapping]] = ...) -> None: ...

class IngestStatementFileResponse(_message.Message):
    __slots__ = ("file", "problems")
    FILE_FIELD_NUMBER: _ClassVar[int]
    PROBLEMS_FIELD_NUMBER: _ClassVar[int]
    file: StatementFile
    problems: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, file: _Optional[_Union[StatementFile, _Mapping]] = ..., problems: _Optional[_Iterable[str]] = ...) -> None: ...

class ListStatementFilesRequest(_message.Message):
    __slots__ = ("bank_code", "state", "page_size", "after_file_id")
    BANK_CODE_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    AFTER_FILE_ID_FIELD_NUMBER: _ClassVar[int]
    bank_code: str
    state: str
    page_size: int
    after_file_id: int
    def __init__(self, bank_code: _Optional[str] = ..., state: _Optional[str] = ..., page_size: _Optional[int] = ..., after_file_id: _Optional[int] = ...) -> None: ...

class ListStatementFilesResponse(_message.Message):
    __slots__ = ("files", "next_after_file_id")
    FILES_FIELD_NUMBER: _ClassVar[int]
    NEXT_AFTER_FILE_ID_FIELD_NUMBER: _ClassVar[int]
    files: _containers.RepeatedCompositeFieldContainer[StatementFile]
    next_after_file_id: int
    def __init__(self, files: _Optional[_Iterable[_Union[StatementFile, _Mapping]]] = ..., next_after_file_id: _Optional[int] = ...) -> None: ...

class GetStatementReconciliationRequest(_message.Message):
    __slots__ = ("statement_file_id", "bank_code", "account", "from_date", "to_date")
    STATEMENT_FILE_ID_FIELD_NUMBER: _ClassVar[int]
    BANK_CODE_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    FROM_DATE_FIELD_NUMBER: _ClassVar[int]
    TO_DATE_FIELD_NUMBER: _ClassVar[int]
    statement_file_id: int
    bank_code: str
    account: str
    from_date: str
    to_date: str
    def __init__(self, statement_file_id: _Optional[int] = ..., bank_code: _Optional[str] = ..., account: _Optional[str] = ..., from_date: _Optional[str] = ..., to_date: _Optional[str] = ...) -> None: ...

class StatementBreak(_message.Message):
    __slots__ = ("kind", "statement_id", "entry_seq", "batch_id", "line_seq", "statement_fen", "ledger_fen", "day", "transaction_ids", "detail")
    KIND_FIELD_NUMBER: _ClassVar[int]
    STATEMENT_ID_FIELD_NUMBER: _ClassVar[int]
    ENTRY_SEQ_FIELD_NUMBER: _ClassVar[int]
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    LINE_SEQ_FIELD_NUMBER: _ClassVar[int]
    STATEMENT_FEN_FIELD_NUMBER: _ClassVar[int]
    LEDGER_FEN_FIELD_NUMBER: _ClassVar[int]
    DAY_FIELD_NUMBER: _ClassVar[int]
    TRANSACTION_IDS_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    kind: str
    statement_id: str
    entry_seq: int
    batch_id: str
    line_seq: int
    statement_fen: int
    ledger_fen: int
    day: str
    transaction_ids: _containers.RepeatedScalarFieldContainer[str]
    detail: str
    def __init__(self, kind: _Optional[str] = ..., statement_id: _Optional[str] = ..., entry_seq: _Optional[int] = ..., batch_id: _Optional[str] = ..., line_seq: _Optional[int] = ..., statement_fen: _Optional[int] = ..., ledger_fen: _Optional[int] = ..., day: _Optional[str] = ..., transaction_ids: _Optional[_Iterable[str]] = ..., detail: _Optional[str] = ...) -> None: ...

class StatementReconciliation(_message.Message):
    __slots__ = ("clean", "in_balance", "opening_fen", "closing_fen", "ledger_balance_fen", "unexplained_fen", "matched_entries", "breaks", "content_json")
    CLEAN_FIELD_NUMBER: _ClassVar[int]
    IN_BALANCE_FIELD_NUMBER: _ClassVar[int]
    OPENING_FEN_FIELD_NUMBER: _ClassVar[int]
    CLOSING_FEN_FIELD_NUMBER: _ClassVar[int]
    LEDGER_BALANCE_FEN_FIELD_NUMBER: _ClassVar[int]
    UNEXPLAINED_FEN_FIELD_NUMBER: _ClassVar[int]
    MATCHED_ENTRIES_FIELD_NUMBER: _ClassVar[int]
    BREAKS_FIELD_NUMBER: _ClassVar[int]
    CONTENT_JSON_FIELD_NUMBER: _ClassVar[int]
    clean: bool
    in_balance: bool
    opening_fen: int
    closing_fen: int
    ledger_balance_fen: int
    unexplained_fen: int
    matched_entries: int
    breaks: _containers.RepeatedCompositeFieldContainer[StatementBreak]
    content_json: str
    def __init__(self, clean: _Optional[bool] = ..., in_balance: _Optional[bool] = ..., opening_fen: _Optional[int] = ..., closing_fen: _Optional[int] = ..., ledger_balance_fen: _Optional[int] = ..., unexplained_fen: _Optional[int] = ..., matched_entries: _Optional[int] = ..., breaks: _Optional[_Iterable[_Union[StatementBreak, _Mapping]]] = ..., content_json: _Optional[str] = ...) -> None: ...
