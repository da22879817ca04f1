"""One-time codes: the proof that whoever asks is holding the phone behind a number.

Knowing a number proves nothing (DESIGN.md: nobody learns anything about another person's
number by typing it). A code sent to the number and typed back within OTP_TTL_SECONDS, in
at most OTP_ATTEMPTS tries, proves it. Neither the number nor the code is stored: rows hold
keyed hashes, and nothing of either reaches a log.
"""
import hashlib
import hmac
import secrets
from datetime import datetime, time, timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlmodel import Session, func, select

from server.clock import TZ, local_day, to_utc
from server.db import begin_write
from server.errors import Invalid, TooMany
from server.models import PhoneCode, utcnow

RESEND_SECONDS = 60  # one code a minute per number and purpose


def phone_key(phone: str) -> str:
    """A keyed hash of the number: rows can be found by it, the number cannot be read back."""
    return hmac.new(current_app.config["SECRET_KEY"].encode(), b"phone:" + phone.encode(),
                    hashlib.sha256).hexdigest()


def _code_hash(key: str, purpose: str, code: str) -> str:
    return hmac.new(current_app.config["SECRET_KEY"].encode(), f"code:{key}:{purpose}:{code}".encode(),
                    hashlib.sha256).hexdigest()


def send_code(db: Session, *, phone: str, purpose: str, now: datetime | None = None) -> None:
    """Send a fresh 6-digit code to `phone` for `purpose`; 429 when asked again too soon or too often."""
    cfg, now = current_app.config, now or utcnow()
    key = phone_key(phone)
    begin_write(db)
    last = db.exec(select(PhoneCode.created_at).where(PhoneCode.phone_key == key, PhoneCode.purpose == purpose)
                   .order_by(PhoneCode.created_at.desc()).limit(1)).first()
    if last is not None and now - last < timedelta(seconds=RESEND_SECONDS):
        db.rollback()
        raise TooMany(retry_after=max(1, int(RESEND_SECONDS - (now - last).total_seconds())))
    day_start = to_utc(datetime.combine(local_day(now), time(0), TZ))
    today = db.exec(select(func.count()).select_from(PhoneCode).where(
        PhoneCode.phone_key == key, PhoneCode.created_at >= day_start)).one()
    if today >= cfg["OTP_PER_DAY"]:
        db.rollback()
        midnight = datetime.combine(local_day(now) + timedelta(days=1), time(0), TZ)
        raise TooMany(retry_after=max(1, int((midnight - now).total_seconds())))
    code = f"{secrets.randbelow(10**6):06d}"
    db.add(PhoneCode(phone_key=key, purpose=purpose, code_hash=_code_hash(key, purpose, code),
                     expires_at=now + timedelta(seconds=cfg["OTP_TTL_SECONDS"]), created_at=now))
    db.commit()
    current_app.extensions["customer_sender"].send(phone, "code", {
        "code": code, "minutes": cfg["OTP_TTL_SECONDS"] // 60, "bank": cfg["BANK_NAME"]})


def check_code(db: Session, *, phone: str, purpose: str, code: str, now: datetime | None = None) -> None:
    """Accept the latest code sent to `phone` for `purpose` (once), or raise Invalid(code=...):
    code_expired (none, used or too old), code_locked (too many wrong tries), code_wrong."""
    cfg, now = current_app.config, now or utcnow()
    key = phone_key(phone)
    begin_write(db)
    row = db.exec(select(PhoneCode).where(PhoneCode.phone_key == key, PhoneCode.purpose == purpose)
                  .order_by(PhoneCode.created_at.desc(), PhoneCode.id.desc()).limit(1)).first()
    if row is None or row.used_at is not None or now > row.expires_at:
        db.rollback()
        raise Invalid(code="code_expired")
    if row.attempts >= cfg["OTP_ATTEMPTS"]:
        db.rollback()
        raise Invalid(code="code_locked")
    if not hmac.compare_digest(row.code_hash, _code_hash(key, purpose, code.strip())):
        row.attempts += 1
        locked = row.attempts >= cfg["OTP_ATTEMPTS"]
        db.commit()
        raise Invalid(code="code_locked" if locked else "code_wrong")
    row.used_at = now
    db.commit()


def _signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="phone-proof")


def proof_for(phone: str) -> str:
    """A signed, short-lived statement that this device proved `phone` (sent as X-Phone-Proof)."""
    return _signer().dumps({"k": phone_key(phone)})


def proven(proof: str, phone: str) -> bool:
    """True when `proof` is a valid, unexpired proof of `phone`."""
    if not proof or len(proof) > 400:
        return False
    try:
        data = _signer().loads(proof, max_age=current_app.config["PROOF_MINUTES"] * 60)
    except BadSignature:
        return False
    return isinstance(data, dict) and hmac.compare_digest(str(data.get("k", "")), phone_key(phone))

