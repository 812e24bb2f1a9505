"""The callback receivers: secret paths, size limit, strict reading, stored before 200,
idempotent on the provider's ids, matched against what a till awaits."""

from __future__ import annotations

import concurrent.futures
import copy
import json
import logging
import uuid
from typing import Any

import pytest

from pos_app.hub.receivers import SourceCheck
from tests.hub.conftest import Hub

CHECKOUT = "ws_CO_191220191020363925"
STK_SUCCESS: dict[str, Any] = {
    "Body": {
        "stkCallback": {
            "MerchantRequestID": "29115-34620561-1",
            "CheckoutRequestID": CHECKOUT,
            "ResultCode": 0,
            "ResultDesc": "The service request is processed successfully.",
            "CallbackMetadata": {
                "Item": [
                    {"Name": "Amount", "Value": 1.00},
                    {"Name": "MpesaReceiptNumber", "Value": "NLJ7RT61SV"},
                    {"Name": "TransactionDate", "Value": 20191219102115},
                    {"Name": "PhoneNumber", "Value": 254708374149},
                ]
            },
        }
    }
}
STK_CANCELLED = {
    "Body": {
        "stkCallback": {
            "MerchantRequestID": "29115-34620561-1",
            "CheckoutRequestID": CHECKOUT,
            "ResultCode": 1032,
            "ResultDesc": "Request cancelled by user",
        }
    }
}
C2B = {
    "TransactionType": "Pay Bill",
    "TransID": "RKL51ZDR4F",
    "TransTime": "20231121121325",
    "TransAmount": "5.00",
    "BusinessShortCode": "600966",
    "BillRefNumber": "<script>alert(1)</script>",
    "InvoiceNumber": "",
    "OrgAccountBalance": "25.00",
    "ThirdPartyTransID": "",
    "MSISDN": "2547 ***** 126",
    "FirstName": "NICHOLAS",
    "MiddleName": "",
    "LastName": "",
}
MOMO_SUCCESS = {
    "amount": "100",
    "currency": "UGX",
    "financialTransactionId": "23503452",
    "externalId": "947354",
    "payer": {"partyIdType": "MSISDN", "partyId": "256772123456"},
    "status": "SUCCESSFUL",
}


def stk_awaited(hub: Hub, **changes: Any) -> Any:
    till = hub.add_till()
    answer = till.awaits(
        request_id=CHECKOUT, payment_id="pay-1", amount="1.00", phone="254708374149", **changes
    )
    assert answer.status_code == 201, answer.text
    return till


def inbox(hub: Hub) -> list[tuple[Any, ...]]:
    return hub.sql("SELECT route, verdict, request_id FROM inbox ORDER BY id")


def test_stk_success_reaches_the_till_with_the_receipt_code(hub: Hub) -> None:
    till = stk_awaited(hub)
    answer = hub.callback("daraja/stk", STK_SUCCESS)
    assert answer.status_code == 200
    assert answer.json() == {"ResultCode": 0, "ResultDesc": "Accepted"}
    (event,) = till.events()
    assert event["kind"] == "outcome"
    body = event["body"]
    assert (body["payment_id"], body["outcome"], body["receipt_code"], body["amount"]) == (
        "pay-1",
        "succeeded",
        "NLJ7RT61SV",
        "1.00",
    )
    assert body["source_listed"] is False  # from 127.0.0.1, not Safaricom's list: flagged
    assert inbox(hub) == [("daraja/stk", "relayed", CHECKOUT)]


def test_a_wrong_secret_is_refused_and_nothing_is_stored(
    hub: Hub, caplog: pytest.LogCaptureFixture
) -> None:
    till = stk_awaited(hub)
    secret = hub.callback_urls["daraja/stk"].rsplit("/", 1)[1]
    forged = dict(hub.callback_urls)
    forged["daraja/stk"] = hub.callback_urls["daraja/stk"][:-64] + "0" * 64
    for urls in (forged, {"daraja/stk": hub.callback_urls["daraja/stk"][:-1]}):
        attempt = Hub(hub.url, hub.database_url, urls)
        with caplog.at_level(logging.WARNING):
            assert attempt.callback("daraja/stk", STK_SUCCESS).status_code == 403
    assert inbox(hub) == []
    assert till.events() == []
    assert "wrong path secret" in caplog.text
    assert secret not in caplog.text


def test_an_oversized_body_is_refused_before_it_is_read(hub: Hub) -> None:
    big = b'{"Body": "' + b"x" * (2 * 1024 * 1024) + b'"}'
    assert hub.callback("daraja/stk", big).status_code == 413
    assert inbox(hub) == []


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"{",
        b"null",
        b"[]",
        b"{}",
        b"\xff\xfe",
        b"[" * 10_000 + b"]" * 10_000,
        b'{"Body": {"stkCallback": {"ResultCode": 1032, "ResultCode": 0}}}',
    ],
)
def test_malformed_bodies_are_stored_answered_and_relay_nothing(hub: Hub, raw: bytes) -> None:
    till = stk_awaited(hub)
    answer = hub.callback("daraja/stk", raw)
    assert answer.status_code == 200
    assert answer.json()["ResultCode"] == 0
    assert [verdict for _, verdict, _ in inbox(hub)] == ["unreadable"]
    assert till.events() == []
    assert hub.sql("SELECT outcome FROM awaits") == [(None,)]


def test_twenty_duplicate_callbacks_make_one_event(hub: Hub) -> None:
    till = stk_awaited(hub)
    with concurrent.futures.ThreadPoolExecutor(10) as pool:
        answers = list(pool.map(lambda _: hub.callback("daraja/stk", STK_SUCCESS), range(20)))
    assert {a.status_code for a in answers} == {200}
    assert len(till.events()) == 1
    assert hub.sql("SELECT count(*) FROM inbox") == [(1,)]
    assert hub.sql("SELECT count(*) FROM events") == [(1,)]


def test_a_failure_after_a_success_is_flagged_and_the_first_stands(hub: Hub) -> None:
    till = stk_awaited(hub)
    hub.callback("daraja/stk", STK_SUCCESS)
    assert hub.callback("daraja/stk", STK_CANCELLED).status_code == 200
    hub.callback("daraja/stk", STK_CANCELLED)  # a repeat of the contradiction: stored once
    events = till.events()
    # The till asks the provider, whose answer decides; the hub keeps the first.
    assert [(e["body"]["outcome"], e["body"]["contradicts"]) for e in events] == [
        ("succeeded", None),
        ("failed", "succeeded"),
    ]
    assert [v for _, v, _ in inbox(hub)] == ["relayed", "conflict"]
    assert hub.sql("SELECT outcome FROM awaits") == [("succeeded",)]


@pytest.mark.parametrize(
    ("change", "awaited"),
    [
        ({"Name": "Amount", "Value": 2.00}, {}),
        ({"Name": "PhoneNumber", "Value": 254711111111}, {}),
    ],
)
def test_amount_or_phone_mismatch_moves_nothing(
    hub: Hub, change: dict[str, Any], awaited: dict[str, Any]
) -> None:
    till = stk_awaited(hub, **awaited)
    body = copy.deepcopy(STK_SUCCESS)
    items = body["Body"]["stkCallback"]["CallbackMetadata"]["Item"]
    body["Body"]["stkCallback"]["CallbackMetadata"]["Item"] = [
        change if item["Name"] == change["Name"] else item for item in items
    ]
    assert hub.callback("daraja/stk", body).status_code == 200
    assert till.events() == []
    assert [v for _, v, _ in inbox(hub)] == ["mismatch"]
    assert hub.sql("SELECT outcome FROM awaits") == [(None,)]


def test_a_callback_before_the_till_said_it_awaits_is_matched_later(hub: Hub) -> None:
    assert hub.callback("daraja/stk", STK_SUCCESS).status_code == 200
    assert [v for _, v, _ in inbox(hub)] == ["orphan"]
    till = stk_awaited(hub)
    (event,) = till.events()
    assert event["body"]["receipt_code"] == "NLJ7RT61SV"
    assert [v for _, v, _ in inbox(hub)] == ["relayed"]


def test_a_callback_for_no_payment_is_kept_as_an_orphan(hub: Hub) -> None:
    till = hub.add_till()
    assert hub.callback("daraja/stk", STK_SUCCESS).status_code == 200
    assert till.events() == []
    assert [v for _, v, _ in inbox(hub)] == ["orphan"]


@pytest.mark.parametrize("method", ["PUT", "POST"])
def test_momo_callbacks_by_put_or_post(hub: Hub, method: str) -> None:
    till = hub.add_till()
    reference = str(uuid.uuid4())
    answer = till.awaits(
        provider="mtn",
        request_id=reference,
        payment_id=reference,
        amount="100.00",
        currency="UGX",
        phone="256772123456",
    )
    assert answer.status_code == 201
    reply = hub.callback("momo/payment", MOMO_SUCCESS, request_id=reference, method=method)
    assert reply.status_code == 200
    (event,) = till.events()
    assert (event["body"]["provider"], event["body"]["receipt_code"]) == ("mtn", "23503452")


def test_momo_refuses_other_methods_and_a_missing_reference(hub: Hub) -> None:
    assert (
        hub.callback(
            "momo/payment", MOMO_SUCCESS, request_id=str(uuid.uuid4()), method="GET"
        ).status_code
        == 405
    )
    assert hub.callback("momo/payment", MOMO_SUCCESS).status_code in (404, 405)


def test_a_customer_payment_reaches_the_shops_tills_only(hub: Hub) -> None:
    hub.bind_shortcode("Duka", "600966")
    first, second = hub.add_till("Duka", "Till 1"), hub.add_till("Duka", "Till 2")
    elsewhere = hub.add_till("Other shop", "Till 1")
    answer = hub.callback("daraja/c2b/confirmation", C2B)
    assert answer.json() == {"ResultCode": 0, "ResultDesc": "Success"}
    for till in (first, second):
        (event,) = till.events()
        assert event["kind"] == "c2b"
        assert event["body"]["trans_id"] == "RKL51ZDR4F"
        assert event["body"]["account"] == "<script>alert(1)</script>"  # byte-exact
        assert "OrgAccountBalance" not in str(event)
    assert elsewhere.events() == []
    assert elsewhere.get("/v1/c2b").json() == {"payments": []}


def test_a_customer_payment_to_a_number_no_shop_serves_is_kept_unshown(hub: Hub) -> None:
    till = hub.add_till()
    hub.callback("daraja/c2b/confirmation", C2B)
    assert till.events() == []
    assert [v for _, v, _ in inbox(hub)] == ["unserved"]


def test_a_reused_code_with_another_amount_is_a_conflict(hub: Hub) -> None:
    hub.bind_shortcode("Duka", "600966")
    till = hub.add_till()
    hub.callback("daraja/c2b/confirmation", C2B)
    hub.callback("daraja/c2b/confirmation", C2B | {"TransAmount": "500.00"})
    assert len(till.events()) == 1
    assert hub.sql("SELECT amount FROM c2b_payments") == [(pytest.approx(5),)]
    assert [v for _, v, _ in inbox(hub)] == ["relayed", "conflict"]


def test_the_validation_answers_accepted(hub: Hub) -> None:
    answer = hub.callback("daraja/c2b/validation", C2B)
    assert answer.json() == {"ResultCode": "0", "ResultDesc": "Accepted"}


def test_a_forwarded_for_header_does_not_make_a_source_listed(hub_factory: Any) -> None:
    hub = hub_factory(SourceCheck.published(refuse_unlisted=True))
    answer = hub.callback("daraja/stk", STK_SUCCESS, headers={"x-forwarded-for": "196.201.214.200"})
    assert answer.status_code == 403
    assert inbox(hub) == []


def test_a_listed_source_is_accepted_when_unlisted_ones_are_refused(hub_factory: Any) -> None:
    hub = hub_factory(SourceCheck.published({"daraja/stk": ["127.0.0.1/32"]}, refuse_unlisted=True))
    assert hub.callback("daraja/stk", STK_SUCCESS).status_code == 200
    assert hub.sql("SELECT source_listed FROM inbox") == [(True,)]


def test_a_customer_payment_from_an_unlisted_address_is_held_back(hub_factory: Any) -> None:
    hub = hub_factory(SourceCheck.published())  # Safaricom's list only: 127.0.0.1 is not on it
    hub.bind_shortcode("Duka", "600966")
    till = hub.add_till()
    assert hub.callback("daraja/c2b/confirmation", C2B).json()["ResultCode"] == 0
    assert till.events() == []
    assert till.get("/v1/c2b").json() == {"payments": []}
    assert hub.sql("SELECT verdict, source_listed FROM inbox") == [("flagged", False)]


def test_a_callback_and_its_await_at_the_same_moment_always_meet(hub: Hub) -> None:
    """Neither transaction sees the other's row before it commits: they take turns."""
    till = hub.add_till()
    ids = [f"ws_CO_RACE{n:04d}" for n in range(15)]

    def callback(request_id: str) -> int:
        body = json.loads(json.dumps(STK_SUCCESS).replace(CHECKOUT, request_id))
        return hub.callback("daraja/stk", body).status_code

    def awaits(request_id: str) -> int:
        return till.awaits(request_id=request_id, payment_id=request_id, amount="1.00").status_code

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        futures = [pool.submit(f, i) for i in ids for f in (callback, awaits)]
        assert {f.result() for f in futures} <= {200, 201}
    assert sorted(e["body"]["payment_id"] for e in till.events()) == sorted(ids)
    assert hub.sql("SELECT count(*) FROM inbox WHERE verdict = 'orphan'") == [(0,)]


def test_another_code_for_the_same_outcome_is_a_conflict_relayed_once(hub: Hub) -> None:
    till = stk_awaited(hub)
    hub.callback("daraja/stk", STK_SUCCESS)
    for code in ("FAKE000001", "FAKE000002"):
        other = copy.deepcopy(STK_SUCCESS)
        other["Body"]["stkCallback"]["CallbackMetadata"]["Item"][1]["Value"] = code
        assert hub.callback("daraja/stk", other).status_code == 200
    relayed = [(e["body"]["receipt_code"], e["body"]["contradicts"]) for e in till.events()]
    # One contradiction is enough for the till to ask the provider; more would only cost it.
    assert relayed == [("NLJ7RT61SV", None), ("FAKE000001", "succeeded")]
    assert [v for _, v, _ in inbox(hub)] == ["relayed", "conflict", "conflict"]


def test_a_code_from_a_callback_with_something_odd_is_not_relayed(hub: Hub) -> None:
    till = stk_awaited(hub)
    odd = copy.deepcopy(STK_SUCCESS)
    items = odd["Body"]["stkCallback"]["CallbackMetadata"]["Item"]
    odd["Body"]["stkCallback"]["CallbackMetadata"]["Item"] = [
        i
        for i in items
        if i["Name"] != "Amount"  # a success without its amount
    ]
    hub.callback("daraja/stk", odd)
    (event,) = till.events()
    assert (event["body"]["outcome"], event["body"]["receipt_code"]) == ("succeeded", None)
    assert event["body"]["problems"]


@pytest.mark.parametrize(
    ("source", "address"),
    [("::ffff:196.201.214.200", "196.201.214.200"), ("proxy-a", None), (None, None)],
)
def test_a_client_address_is_read_as_ipv4_where_mapped(
    source: str | None, address: str | None
) -> None:
    from pos_app.hub.receivers import ip_of

    found = ip_of(source)
    assert (str(found) if found else None) == address
