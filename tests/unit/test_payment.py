from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pos_app.domain.money import Money
from pos_app.domain.payment import (
    CORRECTIONS,
    FINAL_STATES,
    REFUND,
    TRANSITIONS,
    IllegalTransition,
    Payment,
    PaymentStatus,
    can_transition,
    is_uuid4,
)

S = PaymentStatus
T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def new_payment() -> Payment:
    payment, _ = Payment.create(
        provider="mtn", amount=Money(1500, "UGX"), msisdn="256772123456", now=T0
    )
    return payment


def test_create_gives_a_uuid4_and_a_creation_event() -> None:
    payment, event = Payment.create(
        provider="mpesa", amount=Money(100, "KES"), msisdn="254712345678", now=T0, external_id="A1"
    )
    assert uuid.UUID(payment.reference_id).version == 4
    assert payment.status == S.CREATED
    assert (event.from_status, event.to_status, event.at) == (None, S.CREATED, T0)
    other, _ = Payment.create(
        provider="mpesa", amount=Money(100, "KES"), msisdn="254712345678", now=T0
    )
    assert other.reference_id != payment.reference_id


def test_reference_id_must_be_uuid4_and_time_aware() -> None:
    with pytest.raises(ValueError, match="UUID4"):
        Payment(str(uuid.uuid1()), "mtn", Money(1, "UGX"), "256772123456", T0)
    with pytest.raises(ValueError, match="timezone"):
        Payment(str(uuid.uuid4()), "mtn", Money(1, "UGX"), "256772123456", datetime(2026, 1, 1))


def parsed_uuid4(text: str) -> bool:
    """What is_uuid4 means, through the uuid module."""
    try:
        parsed = uuid.UUID(text)
    except ValueError:
        return False
    return parsed.version == 4 and parsed.variant == uuid.RFC_4122 and str(parsed) == text


uuid_like = st.one_of(
    st.uuids().map(str),  # every version
    st.uuids(version=4).map(lambda u: str(u).upper()),
    st.uuids(version=4).map(lambda u: "{" + str(u) + "}"),
    st.uuids(version=4).map(lambda u: u.hex),
    st.uuids(version=4)
    .map(str)
    .flatmap(
        lambda t: st.integers(0, len(t) - 1).flatmap(
            lambda i: st.sampled_from("0123456789abcdef-gZ").map(lambda c: t[:i] + c + t[i + 1 :])
        )
    ),
    st.text(max_size=40),
)


@given(uuid_like)
def test_is_uuid4_is_the_canonical_version_4_form(text: str) -> None:
    assert is_uuid4(text) == parsed_uuid4(text)


def test_happy_path() -> None:
    p = new_payment()
    p, _ = p.transition(S.SUBMITTING, T0 + timedelta(seconds=1))
    p, _ = p.transition(S.PENDING, T0 + timedelta(seconds=2))
    assert not p.is_final and p.finalised_at is None
    p, event = p.transition(
        S.SUCCESSFUL, T0 + timedelta(seconds=20), provider_transaction_id="1806336820"
    )
    assert p.is_final
    assert p.finalised_at == T0 + timedelta(seconds=20)
    assert p.provider_transaction_id == "1806336820"
    assert (event.from_status, event.to_status) == (S.PENDING, S.SUCCESSFUL)
    assert not event.is_correction


def test_failure_keeps_its_reason() -> None:
    p = new_payment()
    p, _ = p.transition(S.SUBMITTING, T0)
    p, _ = p.transition(S.PENDING, T0)
    p, event = p.transition(S.FAILED, T0, reason="mtn:APPROVAL_REJECTED", detail={"raw": "x"})
    assert p.reason == "mtn:APPROVAL_REJECTED"
    assert event.reason == "mtn:APPROVAL_REJECTED"
    assert event.detail == {"raw": "x"}


@pytest.mark.parametrize(
    ("path", "target"),
    [
        ([], S.SUCCESSFUL),  # created cannot be paid without being sent
        ([], S.PENDING),
        ([S.SUBMITTING, S.PENDING], S.SUBMITTING),  # accepted payments are never re-sent
        ([S.SUBMITTING, S.PENDING, S.SUCCESSFUL], S.FAILED),  # success is never downgraded
        ([S.SUBMITTING, S.PENDING, S.SUCCESSFUL], S.EXPIRED),
        ([S.SUBMITTING, S.FAILED], S.SUCCESSFUL),
        ([S.SUBMITTING, S.FAILED], S.SUBMITTING),
        ([S.SUBMITTING, S.PENDING, S.EXPIRED], S.PENDING),
        ([S.SUBMITTING, S.PENDING, S.SUCCESSFUL, S.REFUNDED], S.SUCCESSFUL),
        ([S.SUBMITTING, S.PENDING], S.PENDING),
    ],
)
def test_illegal_transitions_raise_and_change_nothing(
    path: list[PaymentStatus], target: PaymentStatus
) -> None:
    p = new_payment()
    for status in path:
        p, _ = p.transition(status, T0)
    with pytest.raises(IllegalTransition, match=f"{p.status.value} cannot become {target.value}"):
        p.transition(target, T0)


def test_late_answer_corrects_an_expiry() -> None:
    p = new_payment()
    for status in (S.SUBMITTING, S.PENDING, S.EXPIRED):
        p, _ = p.transition(status, T0)
    p, event = p.transition(S.SUCCESSFUL, T0 + timedelta(minutes=7), provider_transaction_id="99")
    assert event.is_correction
    assert p.status == S.SUCCESSFUL


def test_unknown_resolves_every_way() -> None:
    for target in (S.SUBMITTING, S.PENDING, S.SUCCESSFUL, S.FAILED, S.EXPIRED):
        p = new_payment()
        p, _ = p.transition(S.SUBMITTING, T0)
        p, _ = p.transition(S.UNKNOWN, T0, reason="app:SEND_TIMEOUT")
        p, _ = p.transition(target, T0)
        assert p.status == target


def test_every_state_has_a_row() -> None:
    assert set(TRANSITIONS) == set(PaymentStatus)
    for current, targets in TRANSITIONS.items():
        assert current not in targets  # no self-loops: a repeated answer is not an event
        for target in PaymentStatus:
            assert can_transition(current, target) == (target in targets)


@given(st.lists(st.sampled_from(list(PaymentStatus)), max_size=40))
def test_no_sequence_of_events_leaves_a_final_state_except_documented(
    targets: list[PaymentStatus],
) -> None:
    p = new_payment()
    history = [p.status]
    for target in targets:
        try:
            p, event = p.transition(target, T0)
        except IllegalTransition:
            continue
        if event.from_status in FINAL_STATES:
            assert (event.from_status, event.to_status) in CORRECTIONS | {REFUND}
        history.append(p.status)
    # Once successful, a payment only ever becomes refunded.
    if S.SUCCESSFUL in history:
        after = history[history.index(S.SUCCESSFUL) :]
        assert set(after) <= {S.SUCCESSFUL, S.REFUNDED}
    # Failed and refunded are the end.
    for end in (S.FAILED, S.REFUNDED):
        if end in history:
            assert history[-1] == end and history.count(end) == 1


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "not-a-uuid",
        "7CD647F1-C916-4130-A5BA-731A920FD72B",
        "00000000-0000-0000-0000-000000000000",
    ],
)
def test_malformed_reference_ids_are_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="UUID4"):
        Payment(bad, "mtn", Money(1, "UGX"), "256772123456", T0)
