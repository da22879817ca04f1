"""Text messages through Alibaba Cloud SMS or Tencent Cloud SMS, with their official SDKs.

CUSTOMER_SENDER=aliyun|tencent picks one; SMS_* settings give the credentials (environment
only), the approved signature, an approved template per kind of message, the region and the
endpoint (overridable: tests point it at a loopback fake of the provider's API, over http).
A throttled or timed-out request is tried again with back-off (SMS_ATTEMPTS in all); a
rejected one is not. Log lines name the kind, the outcome and the provider's error code:
never the number, the text, a key or a secret (the SDKs' own debug logging is silenced).
"""
import json
import logging
import time
from typing import NamedTuple

log = logging.getLogger("yryd.customers")
# The SDKs (and urllib3 under them) log whole requests at DEBUG: numbers, codes, signatures.
for _name in ("tencentcloud_sdk_common", "urllib3", "alibabacloud_tea_openapi", "darabonba"):
    logging.getLogger(_name).setLevel(logging.WARNING)

# Tencent's templates take their parameters in order ({1}, {2}, ...); Alibaba's by name.
ORDER = {"code": ("code", "minutes"), "receipt": ("time", "manager", "link"),
         "reminder": ("time", "manager", "link")}
NETWORK_CODES = ("ClientNetworkError", "ServerNetworkError")  # Tencent's names for a failed round trip
TEMPLATE_SETTING = {"code": "SMS_TEMPLATE_CODE", "receipt": "SMS_TEMPLATE_RECEIPT",
                    "reminder": "SMS_TEMPLATE_REMINDER"}


class Outcome(NamedTuple):
    ok: bool
    error: str  # "" when sent; the provider's code, "timeout" or "network" otherwise
    retry: bool  # worth trying again (throttled, timed out)


class SmsSender:
    """The customer sender interface (send -> bool) over a provider's SendSms, with retries."""

    provider = ""

    def __init__(self, config: dict):
        self.config = config
        self.templates = {kind: config.get(name, "") for kind, name in TEMPLATE_SETTING.items()}
        self.attempts = max(1, int(config.get("SMS_ATTEMPTS", 3)))
        self.timeout = float(config.get("SMS_TIMEOUT_SECONDS", 5))
        self.backoff = float(config.get("SMS_BACKOFF_SECONDS", 1.0))  # doubled after each try
        self.failures = 0  # messages given up on since the process started
        if not (config.get("SMS_ACCESS_KEY_ID") and config.get("SMS_ACCESS_KEY_SECRET")):
            raise RuntimeError(f"CUSTOMER_SENDER={self.provider} needs SMS_ACCESS_KEY_ID and SMS_ACCESS_KEY_SECRET")
        self.client = self._client()

    def send(self, phone: str, kind: str, params: dict) -> bool:
        return self.send_result(phone, kind, params)[0]

    def send_result(self, phone: str, kind: str, params: dict) -> tuple[bool, str]:
        """Send, trying a throttled or timed-out request again; (sent, the last error code)."""
        template = self.templates.get(kind)
        if not template:
            log.warning("sms %s: no template for kind=%s", self.provider, kind)
            return False, "no_template"
        for attempt in range(1, self.attempts + 1):
            outcome = self._try(phone, template, kind, params)
            if outcome.ok:
                log.info("sms %s sent: kind=%s attempt=%d", self.provider, kind, attempt)
                return True, ""
            log.warning("sms %s failed: kind=%s attempt=%d error=%s", self.provider, kind, attempt, outcome.error)
            if not outcome.retry or attempt == self.attempts:
                break
            time.sleep(self.backoff * 2 ** (attempt - 1))
        self.failures += 1
        return False, outcome.error

    def _try(self, phone: str, template: str, kind: str, params: dict) -> Outcome:
        try:
            code = self._send_sms(phone, template, kind, params)
        except Exception as e:  # noqa: BLE001 - every failure becomes an outcome, never an error page
            code = getattr(e, "code", None)
            if not isinstance(code, str) or not code or code in NETWORK_CODES:
                # Only the exception's class and code are read: its text may quote the request.
                timed_out = "timed out" in str(getattr(e, "message", "") or e).lower()
                return Outcome(False, "timeout" if timed_out else "network", True)
        if code in ("OK", "Ok"):
            return Outcome(True, "", False)
        return Outcome(False, code[:80], self.throttled(code))

    def _client(self):
        raise NotImplementedError

    def _send_sms(self, phone: str, template: str, kind: str, params: dict) -> str:
        """One SendSms; returns the provider's result code (raises on transport errors)."""
        raise NotImplementedError

    @staticmethod
    def throttled(code: str) -> bool:
        raise NotImplementedError


class AliyunSender(SmsSender):
    """Alibaba Cloud SMS (dysmsapi 2017-05-25 SendSms): template parameters by name."""

    provider = "aliyun"

    def _client(self):
        from alibabacloud_dysmsapi20170525.client import Client
        from alibabacloud_tea_openapi import models as open_api

        endpoint = self.config.get("SMS_ENDPOINT", "")
        config = open_api.Config(access_key_id=self.config["SMS_ACCESS_KEY_ID"],
                                 access_key_secret=self.config["SMS_ACCESS_KEY_SECRET"],
                                 region_id=self.config.get("SMS_REGION") or "cn-hangzhou",
                                 endpoint=_host(endpoint) or None, protocol=_scheme(endpoint, "https"))
        return Client(config)

    def _send_sms(self, phone, template, kind, params):
        from alibabacloud_dysmsapi20170525 import models
        from alibabacloud_tea_util.models import RuntimeOptions

        ms = int(self.timeout * 1000)
        request = models.SendSmsRequest(phone_numbers=phone, sign_name=self.config.get("SMS_SIGN_NAME", ""),
                                        template_code=template,
                                        template_param=json.dumps({k: str(params[k]) for k in ORDER[kind]},
                                                                  ensure_ascii=False))
        response = self.client.send_sms_with_options(request, RuntimeOptions(
            read_timeout=ms, connect_timeout=ms, autoretry=False, max_attempts=1))
        return response.body.code or ""

    @staticmethod
    def throttled(code):
        return "LIMIT_CONTROL" in code or code.startswith("Throttling")


class TencentSender(SmsSender):
    """Tencent Cloud SMS (2021-01-11 SendSms): template parameters in order; SMS_APP_ID is the SmsSdkAppId."""

    provider = "tencent"

    def _client(self):
        from tencentcloud.common import credential
        from tencentcloud.common.profile.client_profile import ClientProfile
        from tencentcloud.common.profile.http_profile import HttpProfile
        from tencentcloud.sms.v20210111 import sms_client

        endpoint = self.config.get("SMS_ENDPOINT", "")
        http = HttpProfile(endpoint=_host(endpoint) or "sms.tencentcloudapi.com",
                           protocol=_scheme(endpoint, "https"), reqTimeout=max(1, int(self.timeout)))
        cred = credential.Credential(self.config["SMS_ACCESS_KEY_ID"], self.config["SMS_ACCESS_KEY_SECRET"])
        return sms_client.SmsClient(cred, self.config.get("SMS_REGION") or "ap-guangzhou", ClientProfile(httpProfile=http))

    def _send_sms(self, phone, template, kind, params):
        from tencentcloud.sms.v20210111 import models

        request = models.SendSmsRequest()
        request.PhoneNumberSet = ["+86" + phone]
        request.SmsSdkAppId = self.config.get("SMS_APP_ID", "")
        request.SignName = self.config.get("SMS_SIGN_NAME", "")
        request.TemplateId = template
        request.TemplateParamSet = [str(params[k]) for k in ORDER[kind]]
        statuses = self.client.SendSms(request).SendStatusSet or []
        return statuses[0].Code if statuses else "NoStatus"

    @staticmethod
    def throttled(code):
        return code.startswith(("LimitExceeded", "RequestLimitExceeded"))


def _host(endpoint: str) -> str:
    return endpoint.split("://", 1)[-1].rstrip("/")


def _scheme(endpoint: str, default: str) -> str:
    return endpoint.split("://", 1)[0] if "://" in endpoint else default
