"""Proving a phone number: a one-time code by text message, then a short-lived proof that
reaches what belongs to the number (all its bookings, its dedicated manager, erasing it).

Every answer to an unproven request is the same whether the number is a customer or not."""
from flask import Blueprint, current_app, request
from spectree import Response as Doc

from server.customers import otp, service
from server.db import get_db
from server.errors import ApiError
from server.extensions import doc, limit
from server.http import body, client_ip, out
from server.shops.service import get_link
from server.models import (Serving, CodeSent, CustomerBookings, Erased, ErrorBody, PhoneCodeIn, PhoneIn, PhoneProof,
                           ProofHeaders)

bp = Blueprint("customers", __name__, url_prefix="/api/phone")
limit("PUBLIC_LIMIT_IP")(bp)

PROVE = "prove"


@bp.post("/code")
@limit("OTP_LIMIT_IP")
@doc(json=PhoneIn, resp=Doc(HTTP_202=CodeSent, HTTP_422=ErrorBody, HTTP_429=ErrorBody), tags=["customer"])
def send_code():
    """Text a one-time code to a number (the same answer whether or not it is a customer)."""
    data = body(PhoneIn)
    otp.send_code(get_db(), phone=data.phone, purpose=PROVE)
    return out(CodeSent, {"sent": True, "expires_in": current_app.config["OTP_TTL_SECONDS"],
                          "resend_in": otp.RESEND_SECONDS}, 202)


@bp.post("/verify")  # guesses are bounded per code (OTP_ATTEMPTS) and codes per day (OTP_PER_DAY)
@doc(json=PhoneCodeIn, resp=Doc(HTTP_200=PhoneProof, HTTP_422=ErrorBody, HTTP_429=ErrorBody), tags=["customer"])
def verify():
    """Type back the code: the answer is a proof of the number, sent as X-Phone-Proof."""
    data = body(PhoneCodeIn)
    otp.check_code(get_db(), phone=data.phone, purpose=PROVE, code=data.code)
    return out(PhoneProof, {"proof": otp.proof_for(data.phone),
                            "expires_in": current_app.config["PROOF_MINUTES"] * 60})


def _proven_phone() -> str:
    data = body(PhoneIn)
    if not otp.proven(request.headers.get("X-Phone-Proof", ""), data.phone):
        raise ApiError("proof_required", 403)
    return data.phone


@bp.post("/bookings")
@doc(json=PhoneIn, headers=ProofHeaders, resp=Doc(HTTP_200=CustomerBookings, HTTP_403=ErrorBody, HTTP_422=ErrorBody),
     tags=["customer"])
def bookings():
    """A proven number's bookings and dedicated manager."""
    return out(CustomerBookings, service.bookings_of(get_db(), phone=_proven_phone()))


@bp.post("/serving/<code>")
@doc(json=PhoneIn, headers=ProofHeaders,
     resp=Doc(HTTP_200=Serving, HTTP_403=ErrorBody, HTTP_404=ErrorBody, HTTP_422=ErrorBody),
     tags=["customer"])
def serving(code):
    """Who will serve a proven number booking through this shop, why, and their open times."""
    db = get_db()
    link = get_link(db, code)
    return out(Serving, service.who_serves(db, phone=_proven_phone(), link=link))


@bp.post("/erase")
@doc(json=PhoneIn, headers=ProofHeaders, resp=Doc(HTTP_200=Erased, HTTP_403=ErrorBody, HTTP_422=ErrorBody),
     tags=["customer"])
def erase():
    """Withdraw consent for a proven number: cancel its open bookings and delete its personal data."""
    return out(Erased, {"bookings": service.erase_number(get_db(), phone=_proven_phone(), source=client_ip())})
