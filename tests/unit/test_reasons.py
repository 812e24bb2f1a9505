from __future__ import annotations

import re
from pathlib import Path

import pytest

from pos_app.domain.reasons import APP, Catalog, Reason, reason_key
from pos_app.providers import registry
from pos_app.providers.mpesa.reasons import CATALOG as MPESA
from pos_app.providers.mtn.reasons import CATALOG as MTN

CATALOGS: dict[str, Catalog] = {"mtn": MTN, "mpesa": MPESA}


def lookup(source: str, code: str | int | None) -> Reason:
    return CATALOGS[source].lookup(code)


MTN_CODES = """PAYEE_NOT_FOUND PAYER_NOT_FOUND NOT_ALLOWED NOT_ALLOWED_TARGET_ENVIRONMENT
INVALID_CALLBACK_URL_HOST INVALID_CURRENCY SERVICE_UNAVAILABLE INTERNAL_PROCESSING_ERROR
NOT_ENOUGH_FUNDS PAYER_LIMIT_REACHED PAYEE_NOT_ALLOWED_TO_RECEIVE PAYMENT_NOT_APPROVED
RESOURCE_NOT_FOUND APPROVAL_REJECTED EXPIRED TRANSACTION_CANCELED RESOURCE_ALREADY_EXIST
COULD_NOT_PERFORM_TRANSACTION SENDER_ACCOUNT_NOT_ACTIVE PAYEE_LIMIT_REACHED
LOW_BALANCE_OR_PAYEE_LIMIT_REACHED_OR_NOT_ALLOWED FORBIDDEN_IP ACCESS_DENIED""".split()
MPESA_CODES = """0 1 2 3 4 8 17 26 1001 1019 1025 9999 1032 1037 2001 2028 8006 SFC_IC0003
4999 E3008""".split()

REFERENCE = Path(__file__).resolve().parents[3] / "shared" / "reference"


@pytest.mark.parametrize("code", MTN_CODES)
def test_every_mtn_reason_is_in_the_catalog(code: str) -> None:
    reason = MTN.reasons[code]
    assert reason.message and len(reason.message) <= 80


@pytest.mark.parametrize("code", MPESA_CODES)
def test_every_mpesa_result_code_is_in_the_catalog(code: str) -> None:
    reason = MPESA.reasons[code]
    assert reason.message and len(reason.message) <= 80


@pytest.mark.skipif(not REFERENCE.exists(), reason="shared/reference is not beside this checkout")
def test_catalog_covers_the_reference_files() -> None:
    momo = (REFERENCE / "momo-api.md").read_text()
    section = momo[momo.index("### 2.2 Reason and error codes") : momo.index("### 2.3")]
    documented = set(re.findall(r"\b[A-Z]{2,}(?:_[A-Z]+)+\b", section))
    assert documented, "the MTN reference changed shape"
    assert documented <= set(MTN.reasons)

    mpesa = (REFERENCE / "mpesa-api.md").read_text()
    table = mpesa[mpesa.index("## 2. STK ResultCodes") : mpesa.index("## 3. Sandbox")]
    codes = set(re.findall(r"^\| ([0-9A-Z_]+) \|", table, flags=re.MULTILINE)) - {"Code"}
    assert len(codes) >= 15
    assert codes <= set(MPESA.reasons)


def test_customer_facing_examples() -> None:
    assert lookup("mpesa", "1032").message == "Customer cancelled on phone"
    assert lookup("mtn", "NOT_ENOUGH_FUNDS").customer_must_act
    assert lookup("mtn", "NOT_ENOUGH_FUNDS").retry_helps
    assert "2 minutes" in lookup("mpesa", 17).message
    assert not lookup("mpesa", "17").retry_helps
    assert lookup("mpesa", "0").outcome == "success"
    assert lookup("mpesa", "4999").outcome == "pending"
    # MTN says INTERNAL_PROCESSING_ERROR is mostly low funds: the cashier should hear that.
    assert "money" in lookup("mtn", "INTERNAL_PROCESSING_ERROR").message


def test_lookup_is_tolerant() -> None:
    assert lookup("mtn", "not_enough_funds") is MTN.reasons["NOT_ENOUGH_FUNDS"]
    assert lookup("mpesa", 1032) is MPESA.reasons["1032"]
    unknown = lookup("mtn", "SOMETHING_NEW")
    assert unknown.code == "SOMETHING_NEW" and "SOMETHING_NEW" in unknown.message
    assert lookup("mpesa", None).code == "UNKNOWN_REASON"


def test_the_installed_providers_bring_their_catalogs() -> None:
    catalogs = registry.catalogs()
    assert catalogs["mtn"] is MTN and catalogs["mpesa"] is MPESA


def test_keys_round_trip() -> None:
    reasons = [r for catalog in (APP, MTN, MPESA) for r in catalog.reasons.values()]
    for reason in reasons:
        assert registry.reason(reason_key(reason)) is reason
    assert registry.reason("garbage").code == "UNKNOWN_REASON"
    assert registry.reason("mtn:").code == "UNKNOWN_REASON"
