"""Signature, event parsing, message formatting and token rotation of the Zalo channel."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

from fake_zalo import FakeZalo
from zalo_harness import OA_SECRET, make_settings

from api.channels.zalo import signature
from api.channels.zalo.channel import create_tables
from api.channels.zalo.client import ZaloClient
from api.channels.zalo.events import EventKind, parse_event
from api.channels.zalo.formatting import Part, pack, plan_for_window, split_text, to_parts
from api.channels.zalo.texts import ChannelTexts
from api.channels.zalo.tokens import TokenStore
from api.schemas import ButtonOut, OutMessage
from knowledge_base.db import create_db_engine, session_factory

RAW = b'{"app_id":"1","event_name":"user_send_text","timestamp":"1700000000000"}'


def test_signature_is_sha256_of_app_id_body_timestamp_and_secret() -> None:
    import hashlib

    expected = hashlib.sha256(b"1" + RAW + b"1700000000000" + OA_SECRET.encode()).hexdigest()
    assert signature.signature_header("1", RAW, "1700000000000", OA_SECRET) == f"mac={expected}"
    assert signature.verify(f"mac={expected}", "1", RAW, "1700000000000", OA_SECRET)
    assert signature.verify(expected.upper(), "1", RAW, "1700000000000", OA_SECRET)
    assert not signature.verify(f"mac={expected}", "2", RAW, "1700000000000", OA_SECRET)
    assert not signature.verify(f"mac={expected}", "1", RAW + b" ", "1700000000000", OA_SECRET)
    assert not signature.verify("", "1", RAW, "1700000000000", OA_SECRET)
    assert not signature.verify("mac=", "1", RAW, "1700000000000", OA_SECRET)


def test_events_keep_ids_as_strings_and_recognise_staff_echoes() -> None:
    text = parse_event({"event_name": "user_send_text", "sender": {"id": 8817263512341234567},
                        "message": {"msg_id": 77, "text": "  chào  "}, "timestamp": 1700000000})
    assert (text.kind, text.user_id, text.dedup_key, text.text) == (
        EventKind.TEXT, "8817263512341234567", "msg:77", "chào")
    assert text.timestamp_ms == 1700000000000
    follow = parse_event({"event_name": "follow", "follower": {"id": "55"}, "timestamp": "9"})
    assert (follow.kind, follow.user_id, follow.dedup_key) == (
        EventKind.FOLLOW, "55", "follow:55:9")
    staff = parse_event({"event_name": "oa_send_text", "sender": {"id": "oa", "admin_id": 9},
                         "recipient": {"id": "55"}, "message": {"msg_id": "x", "text": "hi"}})
    assert (staff.kind, staff.user_id, staff.admin_id) == (EventKind.STAFF_ECHO, "55", "9")
    assert parse_event({"event_name": "oa_send_text", "sender": {"id": "oa"},
                        "recipient": {"id": "55"}}) is None
    assert parse_event({"event_name": "user_send_text", "sender": {}}) is None
    assert parse_event(["not", "an", "object"]) is None
    assert parse_event({"event_name": "user_send_location", "sender": {"id": "1"},
                        "message": {"msg_id": "l"}}).kind is EventKind.NON_TEXT


def test_long_text_is_split_at_boundaries_without_breaking_links() -> None:
    url = "https://dichvucong.gov.vn/p/home/dvc-chi-tiet-thu-tuc-hanh-chinh.html?ma_thu_tuc=1.001193"
    paragraph = ("Giấy tờ cần nộp: tờ khai đăng ký khai sinh theo mẫu. " * 12).strip()
    text = "\n\n".join([paragraph, paragraph + " " + url, paragraph, paragraph]) + "\n" + url
    pieces = split_text(text, 2000)
    assert len(pieces) > 1 and all(len(piece) <= 2000 for piece in pieces)
    assert sum(piece.count(url) for piece in pieces) == 2
    assert "".join(pieces).replace(" ", "").replace("\n", "") == \
        text.replace(" ", "").replace("\n", "")
    glued = "x" * 1990 + " " + url  # the link would straddle the limit: it moves whole
    assert split_text(glued, 2000) == ["x" * 1990, url]


def test_buttons_go_on_the_last_part_and_overflow_into_more_options() -> None:
    message = OutMessage(text="a " * 1500, buttons=[
        ButtonOut(title=f"Trường hợp {k}", payload=f"/choose_case{{\"case_index\":\"{k}\"}}")
        for k in range(7)])
    parts = to_parts([message], 2000, 5, "Các lựa chọn khác:")
    assert [len(p.buttons) for p in parts] == [0, 5, 2]
    assert parts[2].text == "Các lựa chọn khác:"
    body = parts[1].body()
    assert body["attachment"]["type"] == "template"
    assert body["attachment"]["payload"]["buttons"][0] == {
        "title": "Trường hợp 0", "type": "oa.query.hide",
        "payload": '/choose_case{"case_index":"0"}'}
    assert to_parts([OutMessage(text="Xem [cổng](https://a.vn/x)")], 2000, 5, "")[0].text == \
        "Xem cổng: https://a.vn/x"


def test_packing_merges_plain_parts_and_keeps_buttons_last() -> None:
    parts = [Part("một"), Part("hai", (("A", "/a"),)), Part("ba"), Part("bốn")]
    assert pack(parts, 2000) == [Part("một\n\nhai", (("A", "/a"),)), Part("ba\n\nbốn")]
    roomy = plan_for_window(parts, remaining=8, limit=2000, pack_margin=2)
    assert (len(roomy.send), roomy.held, roomy.packed) == (4, [], False)
    tight = plan_for_window(parts, remaining=1, limit=2000, pack_margin=2)
    assert (len(tight.send), len(tight.held), tight.packed) == (1, 1, True)
    closed = plan_for_window(parts, remaining=0, limit=2000, pack_margin=2)
    assert closed.send == [] and len(closed.held) == 2


def test_channel_texts_are_data_with_office_placeholders() -> None:
    texts = ChannelTexts.load()
    follow = texts.render("follow", {"office_name": "UBND phường Ba Đình"})
    assert "UBND phường Ba Đình" in follow.text
    assert any(b.payload == "/request_human" for b in follow.buttons)
    assert "{office_name}" in texts.render("follow").text  # a missing value stays visible


def _store(database_url: str, fake: FakeZalo, holder: str) -> tuple[TokenStore, ZaloClient]:
    engine = create_db_engine(database_url)
    create_tables(engine)
    client = ZaloClient(make_settings(fake))
    store = TokenStore(session_factory(engine), holder, client.refresh_tokens, 3600, 10)
    return store, client


def test_two_processes_refreshing_at_once_spend_the_refresh_token_once(
        tmp_path: Path, fake_zalo: FakeZalo) -> None:
    database_url = f"sqlite:///{tmp_path / 'tokens.db'}"
    fake_zalo.refresh_delay = 0.3  # a slow refresh widens the race
    first, _ = _store(database_url, fake_zalo, "process-a")
    first.seed("AT-0", "RT-0")
    fake_zalo.expire_token()
    results: dict[str, str] = {}

    def process(name: str) -> None:
        async def main() -> None:
            store, client = _store(database_url, fake_zalo, name)
            results[name] = await asyncio.gather(*(store.refresh("AT-0") for _ in range(5)))
            await client.aclose()
        asyncio.run(main())

    threads = [threading.Thread(target=process, args=(f"process-{k}",)) for k in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert fake_zalo.refresh_calls == 1 and fake_zalo.refresh_failures == 0
    assert {token for tokens in results.values() for token in tokens} == {"AT-1"}
    stored = first.read()
    assert (stored.access_token, stored.refresh_token, stored.version) == ("AT-1", "RT-1", 2)


def test_tokens_are_refreshed_before_they_expire(tmp_path: Path, fake_zalo: FakeZalo) -> None:
    fake_zalo.expires_in = 1800  # shorter than the one-hour margin: due again at once
    store, client = _store(f"sqlite:///{tmp_path / 't.db'}", fake_zalo, "p")
    store.seed("AT-0", "RT-0")

    async def main() -> list[str]:
        first = await store.access_token()  # expiry unknown: used as is
        await store.refresh("AT-0")  # learns expires_in
        second = await store.access_token()  # within the margin: refreshed ahead of time
        await client.aclose()
        return [first, second]

    assert asyncio.run(main()) == ["AT-0", "AT-2"]
    assert fake_zalo.refresh_calls == 2


def test_new_tokens_in_the_settings_replace_rotated_ones(tmp_path: Path,
                                                         fake_zalo: FakeZalo) -> None:
    store, client = _store(f"sqlite:///{tmp_path / 's.db'}", fake_zalo, "p")
    store.seed("AT-0", "RT-0")

    async def main() -> None:
        await store.refresh("AT-0")
        await client.aclose()

    asyncio.run(main())
    store.seed("AT-0", "RT-0")  # same settings on restart: the rotated pair stays
    assert store.read().access_token == "AT-1"
    store.seed("AT-new", "RT-new")  # an operator re-authorised the OA
    assert (store.read().access_token, store.read().refresh_token) == ("AT-new", "RT-new")


def test_a_refused_refresh_is_not_retried_for_every_message(tmp_path: Path,
                                                             fake_zalo: FakeZalo) -> None:
    from api.channels.zalo.client import ZaloApiError

    store, client = _store(f"sqlite:///{tmp_path / 'r.db'}", fake_zalo, "p")
    store.seed("AT-0", "RT-spent")  # a refresh token Zalo no longer accepts

    async def main() -> list[int]:
        codes = []
        for _ in range(3):
            try:
                await store.refresh("AT-0")
            except ZaloApiError as error:
                codes.append(error.code)
        await client.aclose()
        return codes

    assert asyncio.run(main()) == [-14014] * 3
    assert fake_zalo.refresh_calls == 1
    assert store.read().refresh_token == "RT-spent"  # nothing half-replaced
