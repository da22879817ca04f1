"""Text messages through Alibaba Cloud SMS and Tencent Cloud SMS, their official SDKs talking to a
loopback fake of each provider's HTTP API: sent, throttled (tried again), rejected, timed out."""
import json
import logging
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from server import create_app, db as database
from server.customers import sms

PHONE = "13812345678"
KEY_ID, SECRET = "LTAI-test-key-id", "test-secret-never-logged"


class FakeProvider:
    """A real HTTP server on 127.0.0.1 answering SendSms as `provider` does, in the given
    `script` of outcomes (the last repeats): "ok", "throttled", "rejected" or "timeout"."""

    def __init__(self, provider: str, script: list[str]):
        self.provider, self.script, self.requests = provider, list(script), []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                fake.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                outcome = fake.script.pop(0) if len(fake.script) > 1 else fake.script[0]
                if outcome == "timeout":
                    time.sleep(1.5)
                    return
                data = json.dumps(fake.answer(outcome)).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.endpoint = f"http://127.0.0.1:{self.server.server_port}"

    def answer(self, outcome: str) -> dict:
        if self.provider == "aliyun":
            code = {"ok": "OK", "throttled": "isv.BUSINESS_LIMIT_CONTROL", "rejected": "isv.MOBILE_NUMBER_ILLEGAL"}[outcome]
            return {"Code": code, "Message": "fake", "BizId": "1", "RequestId": "r"}
        if outcome == "throttled":  # an API error, not a per-number status
            return {"Response": {"Error": {"Code": "RequestLimitExceeded", "Message": "fake"}, "RequestId": "r"}}
        code = {"ok": "Ok", "rejected": "FailedOperation.TemplateIncorrectOrUnapproved"}[outcome]
        return {"Response": {"SendStatusSet": [{"SerialNo": "1", "PhoneNumber": "+86" + PHONE, "Fee": 1,
                                                "SessionContext": "", "Code": code, "Message": "fake",
                                                "IsoCode": "CN"}], "RequestId": "r"}}

    def params(self, i: int = -1) -> dict:
        """What the SDK sent in request `i`: Alibaba's query string, Tencent's JSON body."""
        req = self.requests[i]
        if self.provider == "aliyun":
            return {k: v[0] for k, v in parse_qs(urlsplit(req["path"]).query).items()}
        return json.loads(req["body"])

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def _config(endpoint: str, **extra) -> dict:
    return {"SMS_ACCESS_KEY_ID": KEY_ID, "SMS_ACCESS_KEY_SECRET": SECRET, "SMS_SIGN_NAME": "阳泉农商银行",
            "SMS_TEMPLATE_CODE": "SMS_100", "SMS_TEMPLATE_RECEIPT": "SMS_200", "SMS_TEMPLATE_REMINDER": "SMS_300",
            "SMS_REGION": "", "SMS_ENDPOINT": endpoint, "SMS_APP_ID": "1400000001", "SMS_ATTEMPTS": 3,
            "SMS_TIMEOUT_SECONDS": 1, "SMS_BACKOFF_SECONDS": 0.01, **extra}


SENDERS = {"aliyun": sms.AliyunSender, "tencent": sms.TencentSender}
PARAMS = {"bank": "阳泉农商银行", "time": "12月08日 10:00", "manager": "平定支行王丽", "link": "http://shop.test/b/#tok"}


@pytest.fixture(params=sorted(SENDERS))
def provider(request):
    made = []

    def _make(*script):
        fake = FakeProvider(request.param, list(script))
        made.append(fake)
        return fake, SENDERS[request.param](_config(fake.endpoint))

    yield _make
    for fake in made:
        fake.close()


def test_a_message_is_sent_with_its_template_and_parameters(provider):
    fake, sender = provider("ok")
    assert sender.send(PHONE, "reminder", PARAMS) is True
    sent = fake.params()
    if fake.provider == "aliyun":
        assert sent["PhoneNumbers"] == PHONE and sent["TemplateCode"] == "SMS_300"
        assert json.loads(sent["TemplateParam"])["link"] == PARAMS["link"]
        assert sent["SignName"] == "阳泉农商银行"
    else:
        assert sent["PhoneNumberSet"] == ["+86" + PHONE] and sent["TemplateId"] == "SMS_300"
        assert sent["TemplateParamSet"] == [PARAMS["time"], PARAMS["manager"], PARAMS["link"]]
        assert sent["SmsSdkAppId"] == "1400000001"


def test_a_throttled_message_is_tried_again_with_back_off(provider):
    fake, sender = provider("throttled", "throttled", "ok")
    assert sender.send_result(PHONE, "code", {"code": "123456", "minutes": 5, "bank": "b"}) == (True, "")
    assert len(fake.requests) == 3


def test_throttled_every_time_gives_up_after_the_set_tries(provider):
    fake, sender = provider("throttled")
    ok, error = sender.send_result(PHONE, "receipt", PARAMS)
    assert not ok and error in ("isv.BUSINESS_LIMIT_CONTROL", "RequestLimitExceeded")
    assert len(fake.requests) == 3
    assert sender.failures == 1


def test_a_rejected_message_is_not_tried_again(provider):
    fake, sender = provider("rejected")
    ok, error = sender.send_result(PHONE, "receipt", PARAMS)
    assert not ok and error in ("isv.MOBILE_NUMBER_ILLEGAL", "FailedOperation.TemplateIncorrectOrUnapproved")
    assert len(fake.requests) == 1


def test_a_timed_out_request_is_tried_again(provider):
    fake, sender = provider("timeout", "ok")
    assert sender.send_result(PHONE, "receipt", PARAMS) == (True, "")
    assert len(fake.requests) == 2
    fake2, sender2 = provider("timeout")
    sender2.attempts = 2
    assert sender2.send_result(PHONE, "receipt", PARAMS) == (False, "timeout")


def test_no_secret_or_number_reaches_the_logs(provider, caplog):
    caplog.set_level(logging.DEBUG)
    fake, sender = provider("throttled", "rejected")
    sender.send(PHONE, "code", {"code": "654321", "minutes": 5, "bank": "b"})
    fake.script = ["ok"]
    sender.send(PHONE, "code", {"code": "654321", "minutes": 5, "bank": "b"})
    text = caplog.text
    assert "sms" in text  # the outcomes are logged...
    for secret in (PHONE, SECRET, KEY_ID, "654321", "Signature"):  # ...and nothing else
        assert secret not in text


def test_a_kind_without_a_template_is_refused_without_calling_the_provider(provider):
    fake, sender = provider("ok")
    sender.templates["reminder"] = ""
    assert sender.send_result(PHONE, "reminder", PARAMS) == (False, "no_template")
    assert fake.requests == []


def test_the_app_sends_one_time_codes_through_the_configured_provider(database_url, provider):
    fake, _ = provider("ok")
    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "test-secret",
                      "CUSTOMER_SENDER": fake.provider, **_config(fake.endpoint)})
    try:
        database.create_all(app.extensions["engine"])
        assert app.extensions["customer_sender"].provider == fake.provider
        r = app.test_client().post("/api/phone/code", json={"phone": PHONE})
        assert r.status_code == 202
        sent = fake.params()
        code = json.loads(sent["TemplateParam"])["code"] if fake.provider == "aliyun" else sent["TemplateParamSet"][0]
        assert len(code) == 6 and code.isdigit()
    finally:
        app.extensions["engine"].dispose()


def test_a_provider_without_credentials_refuses_to_start():
    with pytest.raises(RuntimeError, match="SMS_ACCESS_KEY_ID"):
        sms.AliyunSender({"SMS_ACCESS_KEY_ID": "", "SMS_ACCESS_KEY_SECRET": ""})
