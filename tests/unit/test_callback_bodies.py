"""The providers' callback parsers against the real bodies and the bad inputs of
../shared/reference/callbacks.md (§1.2, §2.2, §5.2, §6, §10)."""

from __future__ import annotations

import dataclasses
import json
import re
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pos_app.providers import callbacks
from pos_app.providers.airtel import callbacks as airtel
from pos_app.providers.callbacks import (
    REFUSED_IN_URLS,
    CallbackKind,
    CallbackRoute,
    MalformedCallback,
    Notice,
    Outcome,
    read_json,
)
from pos_app.providers.mpesa import callbacks as mpesa
from pos_app.providers.mtn import callbacks as mtn

ALL_ROUTES = mpesa.ROUTES + mtn.ROUTES + airtel.ROUTES
ROUTE = {route.path: route for route in ALL_ROUTES}
REFERENCE = "6f1c2d3e-4a5b-4c6d-8e7f-0123456789ab"  # an X-Reference-Id from the URL

# --- Bodies copied from callbacks.md (whitespace as there) ----------------------------------

B1 = b"""{
    "Body": {
        "stkCallback": {
            "MerchantRequestID": "29115-34620561-1",
            "CheckoutRequestID": "ws_CO_191220191020363925",
            "ResultCode": 0,
            "ResultDesc": "The service request is processed successfully.",
            "CallbackMetadata": {
                "Item": [
                    {
                        "Name": "Amount",
                        "Value": 1.00
                    },
                    {
                        "Name": "MpesaReceiptNumber",
                        "Value": "NLJ7RT61SV"
                    },
                    {
                        "Name": "TransactionDate",
                        "Value": 20191219102115
                    },
                    {
                        "Name": "PhoneNumber",
                        "Value": 254708374149
                    }
                ]
            }
        }
    }
}"""
B2 = b"""{
    "Body": {
        "stkCallback": {
            "MerchantRequestID": "f1e2-4b95-a71d-b30d3cdbb7a7942864",
            "CheckoutRequestID": "ws_CO_21072024125243250722943992",
            "ResultCode": 1032,
            "ResultDesc": "Request cancelled by user"
        }
    }
}"""
B3 = b"""{"Body":{"stkCallback":{"MerchantRequestID":"6618-964352-1","CheckoutRequestID":"ws_CO_24012018144725647","ResultCode":0,"ResultDesc":"The service request is processed successfully.","CallbackMetadata":{"Item":[{"Name":"Amount","Value":1.00},{"Name":"MpesaReceiptNumber","Value":"MAO0DO9BYO"},{"Name":"Balance"},{"Name":"TransactionDate","Value":20180124144754},{"Name":"PhoneNumber","Value":254700000000}]}}}}"""  # noqa: E501
B4 = b"""{"Body":{"stkCallback":{"MerchantRequestID":"14683-2472331-1","CheckoutRequestID":"ws_CO_DMZ_264800546_11032019141837240","ResultCode":2001,"ResultDesc":"[MpesaCB - ]The initiator information is invalid."}}}"""  # noqa: E501
B5 = b"""{"Body":{"stkCallback":{"MerchantRequestID":"19919-3025233-1","CheckoutRequestID":"ws_CO_DMZ_401294732_11032019121308821","ResultCode":1032,"ResultDesc":"[STK_CB - ]Request cancelled by user"}}}"""  # noqa: E501
B6 = b"""{"Body":{"stkCallback":{"MerchantRequestID":"19924-2088990-1","CheckoutRequestID":"ws_CO_DMZ_262987371_09032019203456095","ResultCode":1036,"ResultDesc":"[STK_CB - ]SMSC ACK timeout."}}}"""  # noqa: E501

# C1 as printed: three commas missing (the page's JSON is invalid).
C1_AS_PRINTED = b"""{
"TransactionType": "Pay Bill",
"TransID":"RKTQDM7W6S",
"TransTime":"20191122063845",
"TransAmount":"10"
"BusinessShortCode": "600638",
"BillRefNumber":"invoice008",
"InvoiceNumber":"",
"OrgAccountBalance":""
"ThirdPartyTransID": "",
"MSISDN":"25470****149",
"FirstName":"John",
"MiddleName":""
"LastName":"Doe"
}"""
C1 = b"""{
"TransactionType": "Pay Bill",
"TransID":"RKTQDM7W6S",
"TransTime":"20191122063845",
"TransAmount":"10",
"BusinessShortCode": "600638",
"BillRefNumber":"invoice008",
"InvoiceNumber":"",
"OrgAccountBalance":"",
"ThirdPartyTransID": "",
"MSISDN":"25470****149",
"FirstName":"John",
"MiddleName":"",
"LastName":"Doe"
}"""
C2 = b"""{
  "TransactionType": "Pay Bill",
  "TransID": "RKL51ZDR4F",
  "TransTime": "20231121121325",
  "TransAmount": "5.00",
  "BusinessShortCode": "600966",
  "BillRefNumber": "Sample Transaction",
  "InvoiceNumber": "",
  "OrgAccountBalance": "25.00",
  "ThirdPartyTransID": "",
  "MSISDN": "2547 ***** 126",
  "FirstName": "NICHOLAS",
  "MiddleName": "",
  "LastName": ""
}"""

M1 = b"""{
  "amount": 100,
  "currency": "UGX",
  "financialTransactionId": 23503452,
  "externalId": 947354,
  "payer": {
    "partyIdType": "MSISDN",
    "partyId": 4656473839
  },
  "status": "SUCCESSFUL"
}"""
M2 = b"""{
"externalId": "c1f4687688585858a173f12",
    "amount": "500",
    "currency": "UGX",
    "payer": {
        "partyIdType": "MSISDN",
        "partyId": "25677000000"
    },
    "payerMessage": "Debit RequesttoPay",
    "payeeNote": "Debit  RequesttoPay",
    "status": "FAILED",
    "reason": "NOT_ENOUGH_FUNDS"}"""
M3 = b"""{
\t"financialTransactionId": "117184837",
\t"externalId": "6353636",
\t"amount": "5",
\t"currency": "EUR",
\t"payee": {
\t\t"partyIdType": "MSISDN",
\t\t"partyId": "0248888736"
\t},
\t"payerMessage": "Pay for product a",
\t"payeeNote": "payer note",
\t"status": "SUCCESSFUL"
}"""

AIRTEL = b"""{"transaction": {"id": "BBZMiscxy", "message": "Paid UGX 5,000 to TECHNOLOGIES LIMITED Charge UGX 140, Trans ID MP210603.1234.L06941.", "status_code": "TS", "airtel_money_id": "MP210603.1234.L06941"}, "hash": "zITVAAGYSlzl1WkUQJn81kbpT5drH3koffT8jCkcJJA="}"""  # noqa: E501
AIRTEL_RWF = b"""{"transaction": {"id": "BBZMiscxy", "message": "Paid RWF 5,000 to MeshPower Ltd Charge RWF 140, Trans ID MP210603.1234.L06941.", "status_code": "TS", "airtel_money_id": "MP210603.1234.L06941"}}"""  # noqa: E501

SAMPLES: dict[str, tuple[bytes, str | None]] = {
    "daraja/stk": (B1, None),
    "daraja/c2b/validation": (C2, None),
    "daraja/c2b/confirmation": (C2, None),
    "momo/payment": (M1, REFERENCE),
    "momo/refund": (M3, REFERENCE),
    "airtel/payment": (AIRTEL, None),
}


def stk(raw: bytes) -> Notice:
    return ROUTE["daraja/stk"].read(raw)


def confirmation(raw: bytes) -> Notice:
    return ROUTE["daraja/c2b/confirmation"].read(raw)


def momo(raw: bytes, route: str = "momo/payment", reference: str | None = REFERENCE) -> Notice:
    return ROUTE[route].read(raw, reference)


def stk_with(**fields: Any) -> bytes:
    """B1 with stkCallback fields replaced (a value of ... removes the field)."""
    body = read_json(B1)
    result = body["Body"]["stkCallback"]
    for key, value in fields.items():
        if value is ...:
            result.pop(key, None)
        else:
            result[key] = value
    return dumps(body)


def c2b_with(**fields: Any) -> bytes:
    body = read_json(C2)
    for key, value in fields.items():
        if value is ...:
            body.pop(key, None)
        else:
            body[key] = value
    return dumps(body)


def dumps(body: Any) -> bytes:
    """JSON with Decimals written as they read (json.dumps cannot write Decimal)."""
    return (
        json.dumps(body, default=lambda d: f"@@{d}@@")
        .replace('"@@', "")
        .replace('@@"', "")
        .encode()
    )


# --- Daraja STK (§1.2, §1.3, §10.1 items 12-14) ---------------------------------------------


def test_b1_official_success_is_read_whole() -> None:
    notice = stk(B1)
    assert notice == Notice(
        request_id="ws_CO_191220191020363925",
        outcome=Outcome.SUCCEEDED,
        code="0",
        description="The service request is processed successfully.",
        amount=Decimal("1.00"),
        phone="254708374149",
        receipt_code="NLJ7RT61SV",
        merchant_request_id="29115-34620561-1",
        paid_at="20191219102115",
    )
    assert isinstance(notice.amount, Decimal)


def test_b2_official_failure_keeps_the_code_and_has_no_metadata() -> None:
    notice = stk(B2)
    assert notice.outcome is Outcome.FAILED
    assert notice.code == "1032"
    assert notice.request_id == "ws_CO_21072024125243250722943992"
    assert notice.merchant_request_id == "f1e2-4b95-a71d-b30d3cdbb7a7942864"
    assert notice.description == "Request cancelled by user"
    assert (notice.amount, notice.receipt_code, notice.phone, notice.paid_at) == (None,) * 4
    assert notice.problems == ()


def test_b3_balance_item_without_value_is_ignored() -> None:
    notice = stk(B3)
    assert notice.outcome is Outcome.SUCCEEDED
    assert notice.amount == Decimal("1.00")
    assert notice.receipt_code == "MAO0DO9BYO"
    assert notice.paid_at == "20180124144754"
    assert notice.phone == "254700000000"
    assert notice.problems == ()


@pytest.mark.parametrize(
    ("raw", "code", "description"),
    [
        (B4, "2001", "[MpesaCB - ]The initiator information is invalid."),
        (B5, "1032", "[STK_CB - ]Request cancelled by user"),
        (B6, "1036", "[STK_CB - ]SMSC ACK timeout."),
    ],
)
def test_b4_to_b6_failures_keep_code_and_prefixed_description(
    raw: bytes, code: str, description: str
) -> None:
    notice = stk(raw)
    assert (notice.outcome, notice.code, notice.description) == (
        Outcome.FAILED,
        code,
        description,
    )
    assert notice.problems == ()


def test_items_are_read_by_name_in_any_order() -> None:
    body = read_json(B3)
    body["Body"]["stkCallback"]["CallbackMetadata"]["Item"].reverse()
    assert stk(dumps(body)) == stk(B3)


@pytest.mark.parametrize(
    ("code", "outcome", "text"),
    [
        (0, Outcome.SUCCEEDED, "0"),
        ("0", Outcome.SUCCEEDED, "0"),  # §10.2 row 6
        (1032, Outcome.FAILED, "1032"),
        ("1032", Outcome.FAILED, "1032"),
        ("SFC_IC0003", Outcome.FAILED, "SFC_IC0003"),
        ("00", Outcome.FAILED, "00"),  # compared as text: only "0" is success
    ],
)
def test_result_code_is_compared_as_text(code: Any, outcome: Outcome, text: str) -> None:
    notice = stk(stk_with(ResultCode=code))
    assert (notice.outcome, notice.code) == (outcome, text)


@pytest.mark.parametrize("code", [..., None, [], [0], {}, True, "", Decimal("0.0")])
def test_unreadable_result_code_leaves_the_outcome_unknown(code: Any) -> None:
    # §10.2 row 7: stored, treated as unknown, resolved by a query.
    notice = stk(stk_with(ResultCode=code))
    assert notice.outcome is None
    assert notice.code is None
    assert notice.request_id == "ws_CO_191220191020363925"
    assert any("ResultCode" in problem for problem in notice.problems)


@pytest.mark.parametrize(
    "metadata",
    [
        {"Item": {"Name": "Amount", "Value": 1}},  # not a list
        {"Item": "Amount=1"},
        {"Item": [{"Value": 1}, {"Name": "MpesaReceiptNumber", "Value": "NLJ7RT61SV"}]},
        {"Item": [{"Name": None, "Value": 1}]},
        {"Item": [["Amount", 1]]},
        {"Item": [{"Name": "Amount", "Value": 1}, {"Name": "Amount", "Value": 1000}]},
        {},
        [],
        "nothing",
    ],
)
def test_unreadable_metadata_is_ignored_whole_and_flagged(metadata: Any) -> None:
    # §10.2 row 8.
    notice = stk(stk_with(CallbackMetadata=metadata))
    assert notice.outcome is Outcome.SUCCEEDED
    assert (notice.amount, notice.receipt_code, notice.phone, notice.paid_at) == (None,) * 4
    assert "a success without a readable Amount" in notice.problems
    assert "a success without a MpesaReceiptNumber" in notice.problems


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        (b'"1.00"', Decimal("1.00")),
        (b"1", Decimal(1)),
        (b"1.00", Decimal("1.00")),
        (b"1111.0", Decimal("1111.0")),
        (b"1e3", Decimal(1000)),
        (b"5.000", Decimal("5.00")),
    ],
)
def test_stk_amounts_parse_to_decimal(written: bytes, expected: Decimal) -> None:
    notice = stk(B1.replace(b'"Value": 1.00', b'"Value": ' + written))
    assert notice.amount == expected
    assert isinstance(notice.amount, Decimal)
    assert notice.problems == ()


@pytest.mark.parametrize(
    "written", [b"-1", b"0", b"1.005", b"1e309", b"1e12", b"true", b'"abc"', b'""', b"[1]"]
)
def test_bad_stk_amounts_are_flagged_never_applied(written: bytes) -> None:
    # §10.2 row 9: never float rounding, never a crash.
    notice = stk(B1.replace(b'"Value": 1.00', b'"Value": ' + written))
    assert notice.amount is None
    assert notice.outcome is Outcome.SUCCEEDED
    assert any(problem.startswith("Amount ") for problem in notice.problems)
    assert "a success without a readable Amount" in notice.problems


def test_a_fractional_shilling_amount_is_kept_but_flagged() -> None:
    notice = stk(B1.replace(b'"Value": 1.00', b'"Value": 1.50'))
    assert notice.amount == Decimal("1.50")
    assert notice.problems == ("the amount is not whole shillings",)


@pytest.mark.parametrize(
    ("written", "kept"),
    [(b"2019121910211", "2019121910211"), (b'"2019-12-19 10:21"', "2019-12-19 10:21")],
)
def test_odd_transaction_date_is_kept_verbatim_and_flagged(written: bytes, kept: str) -> None:
    # §10.2 row 10.
    notice = stk(B1.replace(b"20191219102115", written))
    assert notice.paid_at == kept
    assert notice.problems == ("TransactionDate is not 14 digits",)


def test_transaction_date_as_text_of_14_digits_is_fine() -> None:
    notice = stk(B1.replace(b"20191219102115", b'"20191219102115"'))
    assert notice.paid_at == "20191219102115"
    assert notice.problems == ()


def test_odd_receipt_is_kept_and_flagged() -> None:
    notice = stk(B1.replace(b'"NLJ7RT61SV"', b'"nlj7rt61sv"'))
    assert notice.receipt_code == "nlj7rt61sv"
    assert notice.problems == ("MpesaReceiptNumber is not 10 capitals and digits",)


def test_problems_never_quote_the_customers_data() -> None:
    notice = stk(B1.replace(b"254708374149", b'"+254 708 374149"'))
    assert notice.phone == "+254 708 374149"
    assert notice.problems == ("PhoneNumber is not digits",)


def test_metadata_on_a_failure_is_flagged() -> None:
    notice = stk(stk_with(ResultCode=1032))
    assert notice.outcome is Outcome.FAILED
    assert "CallbackMetadata on a result that is not a success" in notice.problems


@pytest.mark.parametrize("checkout", [..., None, "", [], {}, 1.5, True, " ws_CO_1", "x" * 129])
def test_stk_without_a_usable_checkout_request_id_is_refused(checkout: Any) -> None:
    with pytest.raises(MalformedCallback, match="CheckoutRequestID"):
        stk(stk_with(CheckoutRequestID=checkout))


@pytest.mark.parametrize(
    "raw",
    [
        b"{}",
        b"[]",
        b"null",
        b'"text"',
        b"42",
        b'{"Body": null}',
        b'{"Body": []}',
        b'{"Body": {}}',
        b'{"Body": {"stkCallback": "x"}}',
        b'{"body": {"stkCallback": {}}}',
    ],
)
def test_stk_body_without_its_envelope_is_refused(raw: bytes) -> None:
    with pytest.raises(MalformedCallback):
        stk(raw)


def test_extra_keys_do_not_matter() -> None:
    body = read_json(B2)
    body["Extra"] = {"x": [1, 2]}
    body["Body"]["stkCallback"]["Unknown"] = "y"
    assert stk(dumps(body)) == stk(B2)


# --- Daraja C2B (§2.2, §10.1 items 15-18, §10.2 rows 16-19) ---------------------------------


def test_c2_masked_confirmation_is_read_whole() -> None:
    notice = confirmation(C2)
    assert notice == Notice(
        request_id="RKL51ZDR4F",
        outcome=Outcome.SUCCEEDED,
        code=None,
        description="Pay Bill",
        amount=Decimal("5.00"),
        phone="2547 ***** 126",
        receipt_code="RKL51ZDR4F",
        shortcode="600966",
        payer_name="NICHOLAS",
        account="Sample Transaction",
        paid_at="20231121121325",
    )


def test_org_account_balance_is_never_kept() -> None:
    notice = confirmation(C2)
    values = [getattr(notice, field.name) for field in dataclasses.fields(notice)]
    assert Decimal("25.00") not in values
    assert not any("25.00" in str(value) for value in values)


def test_validation_is_a_question_without_an_outcome() -> None:
    notice = ROUTE["daraja/c2b/validation"].read(C2)
    assert notice.outcome is None
    assert notice.request_id == "RKL51ZDR4F"
    assert notice.amount == Decimal("5.00")
    assert notice.problems == ()


def test_c1_sample_as_printed_is_not_json() -> None:
    with pytest.raises(MalformedCallback, match="not valid JSON"):
        confirmation(C1_AS_PRINTED)


def test_c1_sample_with_its_commas_fixed() -> None:
    notice = confirmation(C1)
    assert notice.request_id == notice.receipt_code == "RKTQDM7W6S"
    assert notice.amount == Decimal(10)
    assert notice.shortcode == "600638"
    assert notice.account == "invoice008"
    assert notice.phone == "25470****149"
    assert notice.payer_name == "John Doe"  # the empty MiddleName leaves no double space
    assert notice.paid_at == "20191122063845"
    assert notice.problems == ()


@pytest.mark.parametrize(("written", "expected"), [("10", Decimal(10)), ("5.00", Decimal("5.00"))])
def test_trans_amount_text_parses(written: str, expected: Decimal) -> None:
    assert confirmation(c2b_with(TransAmount=written)).amount == expected


@pytest.mark.parametrize(
    "written", ["", "abc", "-5", "0", "1.005", "1e3", " 10", "10 ", "1,000", "NaN", "Infinity", ...]
)
def test_bad_trans_amount_is_flagged_and_never_applied(written: Any) -> None:
    # §10.1 item 15: stored (the hub keeps the raw body), flagged, never applied.
    notice = confirmation(c2b_with(TransAmount=written))
    assert notice.amount is None
    assert notice.request_id == "RKL51ZDR4F"
    assert any(problem.startswith("TransAmount ") for problem in notice.problems)


@pytest.mark.parametrize("blank", [None, "", ...])
def test_optional_c2b_fields_may_be_null_empty_or_missing(blank: Any) -> None:
    # §10.1 item 16.
    raw = c2b_with(InvoiceNumber=blank, ThirdPartyTransID=blank, MiddleName=blank)
    notice = confirmation(raw)
    assert notice.problems == ()
    assert notice.payer_name == "NICHOLAS"


def test_names_are_joined_with_single_spaces() -> None:
    raw = c2b_with(FirstName="John", MiddleName="O'Neil", LastName="Doe")
    assert confirmation(raw).payer_name == "John O'Neil Doe"
    assert confirmation(c2b_with(FirstName="", MiddleName="", LastName="")).payer_name is None
    assert confirmation(c2b_with(FirstName=None, LastName="DOE")).payer_name == "DOE"


@pytest.mark.parametrize(
    ("msisdn", "kept"),
    [
        ("2547 ***** 126", "2547 ***** 126"),
        ("25470****149", "25470****149"),
        ("a" * 64, "a" * 64),
        (
            "94c2c311d522da950619227b3361752a42042db7e1e699b26e628305c68a88",
            "94c2c311d522da950619227b3361752a42042db7e1e699b26e628305c68a88",
        ),
        ("254712345678", "254712345678"),
        (254712345678, "254712345678"),
    ],
)
def test_msisdn_is_kept_as_text_in_any_form(msisdn: Any, kept: str) -> None:
    # §10.1 item 17, §10.2 row 19.
    notice = confirmation(c2b_with(MSISDN=msisdn))
    assert notice.phone == kept
    assert notice.problems == ()


@pytest.mark.parametrize(
    "account",
    ["<script>alert(1)</script>", "'; DROP TABLE c2b_payment; --", 'a"b\\c\u00e9\U0001f600'],
)
def test_bill_ref_number_is_kept_byte_exact(account: str) -> None:
    # §10.1 item 18: escaping is the display's job, not the parser's.
    notice = confirmation(c2b_with(BillRefNumber=account))
    assert notice.account == account
    assert notice.problems == ()


def test_long_bill_ref_number_is_capped_and_flagged() -> None:
    # §10.2 row 18: a 5 KB account.
    notice = confirmation(c2b_with(BillRefNumber="A" * 5000))
    assert notice.account == "A" * 100
    assert notice.problems == ("BillRefNumber was cut to 100 characters",)


@pytest.mark.parametrize("field", ["TransID", "BusinessShortCode"])
@pytest.mark.parametrize("value", [..., None, "", [], True, 1.5])
def test_c2b_without_its_keys_is_refused(field: str, value: Any) -> None:
    with pytest.raises(MalformedCallback, match=field):
        confirmation(c2b_with(**{field: value}))


def test_shortcode_may_be_a_number() -> None:
    notice = confirmation(c2b_with(BusinessShortCode=600966))
    assert notice.shortcode == "600966"


def test_odd_trans_time_and_trans_id_are_flagged() -> None:
    notice = confirmation(c2b_with(TransTime="2023112112132", TransID="rkl51zdr4f"))
    assert notice.paid_at == "2023112112132"
    assert notice.request_id == "rkl51zdr4f"
    assert set(notice.problems) == {
        "TransTime is not 14 digits",
        "TransID is not 10 capitals and digits",
    }


@pytest.mark.parametrize("raw", [b"{}", b"[]", b"null", b'"x"', b"[{}]"])
@pytest.mark.parametrize("path", ["daraja/c2b/validation", "daraja/c2b/confirmation"])
def test_c2b_empty_bodies_are_refused(raw: bytes, path: str) -> None:
    with pytest.raises(MalformedCallback):
        ROUTE[path].read(raw)


# --- MTN MoMo (§5.2, §10.2 rows 20-21) ------------------------------------------------------


def test_m1_numbers_where_text_is_expected_read_as_text() -> None:
    notice = momo(M1)
    assert notice == Notice(
        request_id=REFERENCE,
        outcome=Outcome.SUCCEEDED,
        code="SUCCESSFUL",
        amount=Decimal(100),
        phone="4656473839",
        receipt_code="23503452",
        merchant_request_id="947354",
    )


def test_m2_failure_with_a_reason_string() -> None:
    notice = momo(M2)
    assert notice.outcome is Outcome.FAILED
    assert notice.code == "NOT_ENOUGH_FUNDS"
    assert notice.receipt_code is None  # FAILED bodies have none
    assert notice.amount == Decimal(500)
    assert notice.phone == "25677000000"
    assert notice.merchant_request_id == "c1f4687688585858a173f12"
    assert notice.problems == ()


def test_m3_refund_reads_the_payee() -> None:
    notice = momo(M3, "momo/refund")
    assert notice.outcome is Outcome.SUCCEEDED
    assert notice.phone == "0248888736"
    assert notice.receipt_code == "117184837"
    assert notice.amount == Decimal(5)
    assert notice.problems == ()
    # A payment route reads the payer, which a refund body does not have.
    assert momo(M3).phone is None


def test_reason_as_an_object() -> None:
    raw = M2.replace(
        b'"NOT_ENOUGH_FUNDS"', b'{"code": "PAYER_NOT_FOUND", "message": "Payer not found"}'
    )
    notice = momo(raw)
    assert (notice.outcome, notice.code, notice.description) == (
        Outcome.FAILED,
        "PAYER_NOT_FOUND",
        "Payer not found",
    )
    assert notice.problems == ()


def test_failure_without_a_reason_keeps_the_status_as_code() -> None:
    notice = momo(M2.replace(b',\n    "reason": "NOT_ENOUGH_FUNDS"', b""))
    assert (notice.outcome, notice.code) == (Outcome.FAILED, "FAILED")


@pytest.mark.parametrize("status", [b'"PENDING"', b'"successful"', b'"ONGOING"', b"null", b"1"])
def test_non_final_or_unknown_status_leaves_the_outcome_unknown(status: bytes) -> None:
    notice = momo(M1.replace(b'"SUCCESSFUL"', status))
    assert notice.outcome is None
    assert any(problem.startswith("status") for problem in notice.problems)


def test_pending_status_problem_names_the_state() -> None:
    notice = momo(M1.replace(b'"SUCCESSFUL"', b'"PENDING"'))
    assert notice.code == "PENDING"
    assert notice.problems == ("status 'PENDING' is not a final state",)


@pytest.mark.parametrize(
    "reference", [None, "", "not-a-uuid", REFERENCE + "0", "{" + REFERENCE + "}"]
)
@pytest.mark.parametrize("path", ["momo/payment", "momo/refund"])
def test_momo_needs_a_uuid_reference_from_the_url(reference: str | None, path: str) -> None:
    with pytest.raises(MalformedCallback, match="reference"):
        momo(M1, path, reference)


def test_upper_case_uuid_is_kept_as_given() -> None:
    assert momo(M1, reference=REFERENCE.upper()).request_id == REFERENCE.upper()


def test_momo_success_without_receipt_or_amount_is_flagged() -> None:
    notice = momo(b'{"status": "SUCCESSFUL"}')
    assert notice.outcome is Outcome.SUCCEEDED
    assert set(notice.problems) == {
        "a success without a readable amount",
        "a success without a financialTransactionId",
    }


def test_momo_payer_of_the_wrong_type_is_flagged() -> None:
    notice = momo(
        M1.replace(b'{\n    "partyIdType": "MSISDN",\n    "partyId": 4656473839\n  }', b"[]")
    )
    assert notice.phone is None
    assert notice.problems == ("payer is a list, not an object",)


@pytest.mark.parametrize("raw", [b"[]", b"null", b'"SUCCESSFUL"'])
def test_momo_body_that_is_not_an_object_is_refused(raw: bytes) -> None:
    with pytest.raises(MalformedCallback, match="the body"):
        momo(raw)


# --- Airtel (callbacks.md §6, airtel-api.md §6.1 and §12) -----------------------------------


@pytest.mark.parametrize("raw", [AIRTEL, AIRTEL_RWF])
def test_airtel_sample_success(raw: bytes) -> None:
    notice = ROUTE["airtel/payment"].read(raw)
    assert notice.request_id == "BBZMiscxy"
    assert (notice.outcome, notice.code) == (Outcome.SUCCEEDED, "TS")
    assert notice.receipt_code == "MP210603.1234.L06941"
    assert notice.description.startswith("Paid ")
    assert notice.amount is None  # the body carries none: a status enquiry tells
    assert notice.problems == ()


def test_airtel_failure() -> None:
    raw = AIRTEL_RWF.replace(b'"TS"', b'"TF"').replace(
        b', "airtel_money_id": "MP210603.1234.L06941"', b""
    )
    notice = ROUTE["airtel/payment"].read(raw)
    assert (notice.outcome, notice.code, notice.receipt_code) == (Outcome.FAILED, "TF", None)
    assert notice.problems == ()


@pytest.mark.parametrize("status", [b'"TIP"', b'"TA"', b'"TE"', b'"ts"', b'""', b"null", b"[]"])
def test_airtel_other_status_leaves_the_outcome_unknown(status: bytes) -> None:
    notice = ROUTE["airtel/payment"].read(AIRTEL.replace(b'"TS"', status))
    assert notice.outcome is None
    assert any("status_code" in problem for problem in notice.problems)


@pytest.mark.parametrize(
    "raw",
    [b"{}", b'{"transaction": null}', b'{"transaction": {}}', b'{"transaction": {"id": ""}}'],
)
def test_airtel_without_a_transaction_id_is_refused(raw: bytes) -> None:
    with pytest.raises(MalformedCallback, match="transaction"):
        ROUTE["airtel/payment"].read(raw)


# --- read_json (§10.2 rows 11, 13-15) -------------------------------------------------------


def test_read_json_decimals_never_floats() -> None:
    body = read_json(b'{"a": 1.10, "b": [1e3, -0.5], "c": 7}')
    assert body == {"a": Decimal("1.10"), "b": [Decimal("1E+3"), Decimal("-0.5")], "c": 7}
    assert str(body["a"]) == "1.10"
    assert isinstance(body["c"], int)


@pytest.mark.parametrize(
    "raw",
    [
        b'{"ResultCode":1032,"ResultDesc":"x","ResultCode":0}',
        b'{"Body":{"stkCallback":{"a":1,"a":1}}}',
        b'[{"k": 1, "k": 2}]',
    ],
)
def test_duplicate_keys_are_refused(raw: bytes) -> None:
    with pytest.raises(MalformedCallback, match="repeats the key"):
        read_json(raw)


def test_duplicate_key_in_a_real_body_is_refused() -> None:
    raw = B2.replace(b'"ResultCode": 1032,', b'"ResultCode": 1032, "ResultCode": 0,')
    with pytest.raises(MalformedCallback, match="'ResultCode'"):
        stk(raw)


@pytest.mark.parametrize(
    "raw",
    [
        b"[" * 10_000,
        b"[" * 10_000 + b"]" * 10_000,
        b'{"a":' * 10_000 + b"1" + b"}" * 10_000,
        b'{"Body":' + b"[" * 100_000,
    ],
)
def test_deep_nesting_is_refused_without_recursion(raw: bytes) -> None:
    with pytest.raises(MalformedCallback, match="nests deeper"):
        read_json(raw)


def test_depth_limit_is_exact_and_ignores_brackets_in_strings() -> None:
    assert read_json(b"[" * 32 + b"]" * 32) is not None
    with pytest.raises(MalformedCallback, match="nests deeper than 32"):
        read_json(b"[" * 33 + b"]" * 33)
    assert read_json(b'{"a": "' + b"[{" * 100 + b'\\"[["}') == {"a": "[{" * 100 + '"[['}
    assert read_json(b"[[[1]]]", max_depth=3) == [[[1]]]
    with pytest.raises(MalformedCallback):
        read_json(b"[[[1]]]", max_depth=2)


def test_unterminated_string_full_of_escaped_quotes_is_quick() -> None:
    with pytest.raises(MalformedCallback, match="not valid JSON"):
        read_json(b'{"a": "' + b'\\"' * 200_000)


@pytest.mark.parametrize(
    ("raw", "said"),
    [
        (b"", "empty"),
        (b"  \r\n\t", "empty"),
        (b'\xef\xbb\xbf{"a": 1}', "byte-order mark"),
        ('{"a": 1}'.encode("utf-16"), "byte-order mark"),
        (b"\xfe\xff\x00{\x00}", "byte-order mark"),
        (b'{"a": "\xff"}', "not UTF-8"),
        (b'{"a": "\xc3"}', "not UTF-8"),
        (b'{"a": "\xed\xa0\x80"}', "not UTF-8"),  # an encoded surrogate
        ('{"a": "é"}'.encode("latin-1"), "not UTF-8"),
        (b"text/plain body", "not valid JSON"),
        (b"{'a': 1}", "not valid JSON"),
        (b'{"a": 1,}', "not valid JSON"),
        (b'{"a": 1} {"b": 2}', "not valid JSON"),
        (b'{"a": NaN}', "NaN"),
        (b'{"a": Infinity}', "Infinity"),
        (b"[-Infinity]", "-Infinity"),
        (b"1" * 5000, "not valid JSON"),  # longer than Python turns into an int
        (b"[1e999999999999999999999]", "not valid JSON"),  # beyond the decimal module
    ],
)
def test_read_json_refuses(raw: bytes, said: str) -> None:
    with pytest.raises(MalformedCallback, match=re.escape(said)):
        read_json(raw)


def test_huge_json_number_is_read_and_refused_as_an_amount() -> None:
    value = read_json(b"1e309")
    assert value == Decimal("1E+309")
    with pytest.raises(MalformedCallback, match="absurdly large"):
        callbacks.amount(value)


@pytest.mark.parametrize("raw", [b'{"a": "\\ud800"}', b'{"a": "x\\u0000y"}'])
def test_unstorable_strings_are_flagged_in_text_fields(raw: bytes) -> None:
    value = read_json(raw)["a"]
    with pytest.raises(MalformedCallback):
        callbacks.text(value, "field")
    notice = confirmation(c2b_with(BillRefNumber=value))
    assert notice.account is None
    assert len(notice.problems) == 1


def test_an_emoji_as_a_surrogate_pair_is_fine() -> None:
    assert callbacks.text(read_json(b'"\\ud83d\\ude00"'), "field") == "\U0001f600"


# --- amount() and text() --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (10, Decimal(10)),
        ("10", Decimal(10)),
        ("5.00", Decimal("5.00")),
        ("007", Decimal(7)),
        (Decimal("0.01"), Decimal("0.01")),
        (Decimal("1E+3"), Decimal(1000)),
        (Decimal("999999999999.99"), Decimal("999999999999.99")),
    ],
)
def test_amount_accepts(value: Any, expected: Decimal) -> None:
    assert callbacks.amount(value) == expected
    assert str(callbacks.amount(value)) == str(expected)


@pytest.mark.parametrize(
    "value",
    [
        True,
        False,
        -1,
        0,
        Decimal("-0"),
        Decimal("0.001"),
        Decimal("1.005"),
        Decimal("NaN"),
        Decimal("Infinity"),
        Decimal("sNaN"),
        10**12,
        Decimal("1e309"),
        1.5,
        "1.5e2",
        "-5",
        "+5",
        ".5",
        "5.",
        "",
        None,
        [],
        {},
    ],
)
def test_amount_refuses(value: Any) -> None:
    with pytest.raises(MalformedCallback):
        callbacks.amount(value)


@pytest.mark.parametrize(
    ("value", "expected"), [("abc", "abc"), (12, "12"), ("", None), (None, None)]
)
def test_text_accepts(value: Any, expected: str | None) -> None:
    assert callbacks.text(value, "field") == expected


@pytest.mark.parametrize("value", [True, 1.5, Decimal("1.0"), [], {}])
def test_text_refuses(value: Any) -> None:
    with pytest.raises(MalformedCallback, match="field is"):
        callbacks.text(value, "field")


# --- Routes ---------------------------------------------------------------------------------


def test_route_paths_avoid_daraja_refused_words_and_are_unique() -> None:
    paths = [route.path for route in ALL_ROUTES]
    assert len(paths) == len(set(paths)) == 6
    for path in paths:
        assert not REFUSED_IN_URLS.search(path), path
        assert path == path.lower()
    assert REFUSED_IN_URLS.search("cb/M-Pesa/stk")
    assert REFUSED_IN_URLS.search("EXEC")


@pytest.mark.parametrize("path", ["mpesa/stk", "Daraja/stk", "/daraja/stk", "a//b", "a/sql", ""])
def test_a_route_daraja_would_refuse_cannot_be_made(path: str) -> None:
    with pytest.raises(ValueError, match="not a usable URL part"):
        CallbackRoute(path, CallbackKind.OUTCOME, ("POST",), False, mpesa.parse_stk, None)


def test_route_shapes() -> None:
    shape = {
        route.path: (route.kind, route.methods, route.per_request, route.answer)
        for route in ALL_ROUTES
    }
    assert shape == {
        "daraja/stk": (
            CallbackKind.OUTCOME,
            ("POST",),
            False,
            {"ResultCode": 0, "ResultDesc": "Accepted"},
        ),
        "daraja/c2b/validation": (
            CallbackKind.VALIDATION,
            ("POST",),
            False,
            {"ResultCode": "0", "ResultDesc": "Accepted"},
        ),
        "daraja/c2b/confirmation": (
            CallbackKind.CUSTOMER_PAYMENT,
            ("POST",),
            False,
            {"ResultCode": 0, "ResultDesc": "Success"},
        ),
        "momo/payment": (CallbackKind.OUTCOME, ("PUT", "POST"), True, None),
        "momo/refund": (CallbackKind.OUTCOME, ("PUT", "POST"), True, None),
        "airtel/payment": (
            CallbackKind.OUTCOME,
            ("POST",),
            False,
            {"code": 200, "status": "SUCCESS"},
        ),
    }
    # The answers are sent as JSON as they are, and cannot be changed by one request.
    for route in ALL_ROUTES:
        if route.answer is not None:
            assert json.loads(json.dumps(dict(route.answer))) == route.answer
            with pytest.raises(TypeError):
                route.answer["ResultCode"] = 1  # type: ignore[index]


def test_safaricom_sources_are_the_twelve_published_addresses() -> None:
    for path in ("daraja/stk", "daraja/c2b/validation", "daraja/c2b/confirmation"):
        sources = ROUTE[path].sources
        assert len(set(sources)) == 12
        assert all(re.fullmatch(r"196\.201\.21[234]\.\d{1,3}/32", s) for s in sources)
        assert "196.201.214.200/32" in sources
        assert "196.201.212.128/32" not in sources  # in circulation, not published
    assert all(route.sources == () for route in mtn.ROUTES + airtel.ROUTES)


@pytest.mark.parametrize("path", sorted(SAMPLES))
def test_every_route_reads_its_sample_cleanly(path: str) -> None:
    raw, reference = SAMPLES[path]
    notice = ROUTE[path].read(raw, reference)
    assert notice.request_id
    assert notice.problems == ()
    with pytest.raises(dataclasses.FrozenInstanceError):
        notice.outcome = Outcome.FAILED  # type: ignore[misc]


# --- Properties -----------------------------------------------------------------------------


@settings(max_examples=500)
@given(st.binary(max_size=512))
def test_read_json_raises_nothing_but_malformed_callback(raw: bytes) -> None:
    try:
        body = read_json(raw)
    except MalformedCallback:
        return
    # Whatever it accepts is JSON that the standard parser reads the same way.
    assert body == json.loads(raw, parse_float=Decimal)


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.decimals(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)


def _paths(body: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(body, dict):
        for key, value in body.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(body, list):
        for index, value in enumerate(body):
            found += _paths(value, (*prefix, index))
    return found


@settings(max_examples=300)
@given(st.sampled_from(sorted(SAMPLES)), st.data(), json_values)
def test_parsers_raise_nothing_but_malformed_callback(
    path: str, data: st.DataObject, value: Any
) -> None:
    """Any field of a real sample replaced by any JSON value: a Notice or MalformedCallback."""
    raw, reference = SAMPLES[path]
    body = read_json(raw)
    where = data.draw(st.sampled_from(_paths(body)))
    holder = body
    for step in where[:-1]:
        holder = holder[step]
    holder[where[-1]] = value
    try:
        notice = ROUTE[path].parse(body, reference)
    except MalformedCallback:
        return
    assert isinstance(notice, Notice)
    assert notice.amount is None or (0 < notice.amount < callbacks.AMOUNT_LIMIT)
    assert notice.account is None or len(notice.account) <= callbacks.MAX_ACCOUNT


@given(json_values)
def test_parsers_take_any_json_value(value: Any) -> None:
    for route in ALL_ROUTES:
        try:
            notice = route.parse(value, REFERENCE)
        except MalformedCallback:
            continue
        assert isinstance(notice, Notice)
        assert notice.request_id
