"""The WhatsApp webhook payload parser: recorded payloads become the right Inbounds; anything else
(however shaped) gives Inbounds or nothing, never an exception (a signed delivery is always 200)."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chalicelib.adapters.whatsapp import parse, signature, statuses

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "whatsapp"
NOW = dt.datetime(2024, 12, 20, 3, 5, tzinfo=dt.timezone.utc)
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def recorded(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


def test_a_recorded_text_message_becomes_one_inbound_with_the_number_in_e164():
    (message,), skipped = parse(recorded("text-message.json"), NOW)
    assert skipped == 0
    assert message.channel == "whatsapp" and message.sender == "+6281377774321"
    assert message.message_id.startswith("wamid.") and message.text == "Halo" and message.name == "Siti Rahmawati"
    assert message.received_at == dt.datetime(2024, 12, 20, 3, 0, tzinfo=dt.timezone.utc)


def test_a_recorded_image_message_carries_its_caption_and_media_id():
    (message,), _ = parse(recorded("image-message.json"), NOW)
    assert message.text.startswith("Lubang besar") and message.media == ("1348975962656352",)


def test_a_status_callback_is_no_message():
    assert parse(recorded("status-delivered.json"), NOW) == ([], 1)


def test_delivery_receipts_are_read_by_their_message_id_and_state():
    assert statuses(recorded("status-delivered.json")) == [
        ("wamid.HBgNNjI4MTM3Nzc3NDMyMRUCABEYEjQ0RTY2MDE2NzRCRDM0MTJEQQA=", "delivered")]
    assert statuses(recorded("text-message.json")) == [] and statuses("nonsense") == []


def test_a_timestamp_from_the_future_or_long_ago_is_replaced_by_the_arrival():
    payload = recorded("text-message.json")
    message = payload["entry"][0]["changes"][0]["value"]["messages"][0]
    for stamp in ("9999999999", "1000", "not a number", None):
        message["timestamp"] = stamp
        assert parse(payload, NOW)[0][0].received_at == NOW


def test_a_message_without_a_usable_number_or_id_is_skipped():
    payload = recorded("text-message.json")
    message = payload["entry"][0]["changes"][0]["value"]["messages"][0]
    message["from"] = "0812-abc"
    assert parse(payload, NOW) == ([], 1)


def test_the_signature_is_the_hex_hmac_sha256_of_the_raw_body():
    # echo -n '{"a":1}' | openssl dgst -sha256 -hmac secret
    assert signature(b'{"a":1}', "secret") == \
        "sha256=aa9e2e3575f5d7098b6caccd790888c36d5fdb63342a73bada2d6a51747a8494"
    assert signature(b"x", "a") != signature(b"x", "b") != signature(b"y", "b")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
        st.sampled_from(["object", "entry", "changes", "value", "messages", "statuses", "contacts", "from", "id",
                         "type", "text", "body", "image", "caption", "timestamp", "profile", "name", "wa_id",
                         "button", "interactive", "button_reply", "title"]) | st.text(max_size=8), inner, max_size=5),
    max_leaves=20,
)


@FUZZ
@given(payload=json_values)
def test_any_json_parses_to_inbounds_or_nothing_and_never_raises(payload):
    messages, skipped = parse(payload, NOW)
    assert skipped >= 0 and isinstance(statuses(payload), list)
    for message in messages:
        assert message.sender.startswith("+") and message.sender[1:].isdigit()
        assert isinstance(message.text, str) and message.received_at <= NOW
