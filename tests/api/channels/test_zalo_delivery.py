"""Asynchronous delivery: ordering under concurrency, tokens, errors, takeover, window."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import httpx
from fake_zalo import FakeZalo
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session
from zalo_harness import http_client, make_settings, post_event, text_event

from api.channels.zalo.models import ZaloInboundRow, ZaloOutboxRow, ZaloUserRow

USERS, PER_USER = 20, 5


def _rows(database_url: str, model, *where) -> list:
    engine = create_engine(database_url)
    try:
        with Session(engine) as session:
            return list(session.scalars(select(model).where(*where)))
    finally:
        engine.dispose()


def _wait_until(predicate, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def test_twenty_citizens_times_five_messages_are_each_answered_once_in_order(
        serve, zalo_settings, fake_zalo: FakeZalo, conversation) -> None:
    app = serve(zalo_settings)

    def citizen(index: int) -> list[int]:
        user = f"90{index:02d}"
        with httpx.Client(timeout=10.0) as client:
            return [post_event(client, app.url, text_event(user, f"{user} câu {k}",
                                                           f"{user}-{k}")).status_code
                    for k in range(PER_USER)]

    with ThreadPoolExecutor(max_workers=USERS) as pool:
        statuses = [s for result in pool.map(citizen, range(USERS)) for s in result]
    assert statuses == [200] * USERS * PER_USER
    received = fake_zalo.wait_for(USERS * PER_USER, timeout=60)
    assert len(received) == USERS * PER_USER
    time.sleep(0.3)
    assert len(fake_zalo.received) == USERS * PER_USER
    for index in range(USERS):
        user = f"90{index:02d}"
        expected = [f"{user} câu {k}" for k in range(PER_USER)]
        assert conversation.texts_for(user) == expected
        assert [r.text for r in fake_zalo.messages_for(user)] == [f"Trả lời: {t}" for t in expected]


def test_token_expiry_mid_stream_refreshes_once_and_loses_no_reply(
        serve, zalo_settings, fake_zalo: FakeZalo, database_url) -> None:
    app = serve(zalo_settings)
    with http_client() as client:
        for k in range(5):
            post_event(client, app.url, text_event(f"91{k:02d}", "trước", f"before-{k}"))
        fake_zalo.wait_for(5)
        fake_zalo.expire_token()
        with ThreadPoolExecutor(max_workers=10) as pool:
            list(pool.map(lambda k: post_event(client, app.url, text_event(
                f"91{k:02d}", "sau", f"after-{k}")), range(10)))
    received = fake_zalo.wait_for(15, timeout=30)
    time.sleep(0.3)
    assert len(received) == 15
    assert fake_zalo.refresh_calls == 1 and fake_zalo.refresh_failures == 0
    assert {r.token for r in received[5:]} == {"AT-1"}
    [tokens] = _rows(database_url, __import__("api.channels.zalo.models",
                                              fromlist=["ZaloTokenRow"]).ZaloTokenRow)
    assert (tokens.access_token, tokens.refresh_token) == ("AT-1", "RT-1")
    assert tokens.expires_at is not None


def test_rotated_tokens_survive_a_restart(serve, zalo_settings, fake_zalo: FakeZalo) -> None:
    app = serve(zalo_settings)
    fake_zalo.expire_token()
    with http_client() as client:
        post_event(client, app.url, text_event("9201", "một", "rot-1"))
    fake_zalo.wait_for(1)
    app.stop()
    again = serve(zalo_settings)  # settings still hold the spent RT-0
    with http_client() as client:
        post_event(client, again.url, text_event("9201", "hai", "rot-2"))
    received = fake_zalo.wait_for(2)
    assert [r.token for r in received] == ["AT-1", "AT-1"]
    assert fake_zalo.refresh_calls == 1


def test_transient_errors_are_retried_and_refusals_recorded(
        serve, zalo_settings, fake_zalo: FakeZalo, database_url) -> None:
    app = serve(zalo_settings)
    fake_zalo.fail_next_sends(-32, 0)  # rate limit, then HTTP 503: both retried
    with http_client() as client:
        post_event(client, app.url, text_event("9301", "thử lại", "retry-1"))
        assert fake_zalo.wait_for(1)[0].text == "Trả lời: thử lại"
        fake_zalo.fail_next_sends(-201, -201, -201, -201)  # invalid parameter: not retried
        post_event(client, app.url, text_event("9302", "hỏng", "refused-1"))
        assert _wait_until(lambda: _rows(database_url, ZaloOutboxRow,
                                         ZaloOutboxRow.user_id == "9302",
                                         ZaloOutboxRow.status == "failed"))
    [failed] = _rows(database_url, ZaloOutboxRow, ZaloOutboxRow.user_id == "9302")
    assert (failed.status, failed.error_code, failed.attempts) == ("failed", -201, 1)
    assert failed.body["text"] == "Trả lời: hỏng"
    [user] = _rows(database_url, ZaloUserRow, ZaloUserRow.user_id == "9302")
    assert user.followup_needed and user.followup_reason == "zalo_send_failed"
    assert fake_zalo.send_calls == 4  # 3 for the retried message, 1 for the refused one
    [event] = _rows(database_url, ZaloInboundRow, ZaloInboundRow.dedup_key == "msg:refused-1")
    assert event.status == "done" and "not delivered" in event.error


def test_slow_zalo_does_not_slow_acknowledgements(serve, fake_zalo: FakeZalo) -> None:
    app = serve(make_settings(fake_zalo, workers=2))
    fake_zalo.send_delay = 1.0
    with http_client() as client:
        timings = []
        for k in range(6):
            started = time.perf_counter()
            response = post_event(client, app.url, text_event(f"94{k:02d}", "chậm", f"slow-{k}"))
            timings.append(time.perf_counter() - started)
            assert response.status_code == 200
    assert max(timings) < 0.5
    assert len(fake_zalo.wait_for(6, timeout=30)) == 6


def test_staff_takeover_echo_silences_the_bot_until_the_timeout(
        serve, fake_zalo: FakeZalo, conversation) -> None:
    app = serve(make_settings(fake_zalo, staff_takeover_minutes=1 / 60))  # one second
    user = "9501"
    echo = text_event("oa-579745863508352884", "Chào anh, em là cán bộ phường", "staff-1",
                      event_name="oa_send_text")
    echo["sender"] = {"admin_id": "1987654321", "id": "oa-579745863508352884"}
    echo["recipient"] = {"id": user}
    with http_client() as client:
        post_event(client, app.url, text_event(user, "cho tôi gặp cán bộ", "t-1"))
        fake_zalo.wait_for(1)
        assert post_event(client, app.url, echo).json() == {"status": "queued"}
        time.sleep(0.3)
        post_event(client, app.url, text_event(user, "cảm ơn chị", "t-2"))
        time.sleep(0.8)
        assert len(fake_zalo.messages_for(user)) == 1  # the bot stayed silent
        assert conversation.texts_for(user) == ["cho tôi gặp cán bộ"]
        time.sleep(0.5)  # the takeover times out
        post_event(client, app.url, text_event(user, "còn lệ phí?", "t-3"))
    fake_zalo.wait_for(2)
    assert [r.text for r in fake_zalo.messages_for(user)] == [
        "Trả lời: cho tôi gặp cán bộ", "Trả lời: còn lệ phí?"]


def test_non_text_follow_and_unfollow_events(serve, zalo_settings, fake_zalo: FakeZalo,
                                             conversation, database_url) -> None:
    app = serve(zalo_settings)
    sticker = text_event("9601", "", "st-1", event_name="user_send_sticker")
    del sticker["message"]["text"]
    image = text_event("9602", "", "img-1", event_name="user_send_image")
    image["message"]["attachments"] = [{"type": "image", "payload": {"url": "https://x/y.jpg"}}]
    follow = {"app_id": "x", "event_name": "follow", "oa_id": "oa-1",
              "follower": {"id": "9603"}, "timestamp": str(int(time.time() * 1000))}
    follow["app_id"] = text_event("1", "", "")["app_id"]
    unfollow = dict(follow, event_name="unfollow", follower={"id": "9604"})
    with http_client() as client:
        for event in (sticker, image, follow, unfollow):
            assert post_event(client, app.url, event).json() == {"status": "queued"}
    received = fake_zalo.wait_for(3)
    time.sleep(0.4)
    by_user = {r.user_id: r for r in fake_zalo.received}
    assert set(by_user) == {"9601", "9602", "9603"}  # nothing sent on unfollow
    for user in ("9601", "9602"):
        assert "chữ" in by_user[user].text
        assert by_user[user].buttons == [
            {"title": "Gặp cán bộ", "type": "oa.query.hide", "payload": "/request_human"}]
    greeting = by_user["9603"]
    assert "{office_name}" not in greeting.text or conversation is not None
    assert len(greeting.buttons) == 4
    assert all(b["type"] == "oa.query.hide" for b in greeting.buttons)
    assert conversation.seen == []  # non-text events never reach the conversation loop
    [gone] = _rows(database_url, ZaloUserRow, ZaloUserRow.user_id == "9604")
    assert gone.followed is False
    assert len(received) == 3


def test_replies_near_the_free_reply_limit_are_packed(
        serve, fake_zalo: FakeZalo) -> None:
    roomy = serve(make_settings(fake_zalo, free_reply_limit=8))
    with http_client() as client:
        post_event(client, roomy.url, text_event("9701", "một | hai | ba", "p-1"))
        assert [r.text for r in fake_zalo.wait_for(3)] == [
            "Trả lời: một", "Trả lời: hai", "Trả lời: ba"]
    roomy.stop()
    tight = serve(make_settings(fake_zalo, free_reply_limit=3))
    with http_client() as client:
        post_event(client, tight.url, text_event("9702", "một | hai | ba", "p-2"))
    fake_zalo.wait_for(4)
    time.sleep(0.3)
    [packed] = fake_zalo.messages_for("9702")
    assert packed.text == "Trả lời: một\n\nTrả lời: hai\n\nTrả lời: ba"
    assert [b["payload"] for b in packed.buttons] == ["/ask_fee", "/request_human"]


def test_replies_past_the_free_reply_limit_are_held_for_staff(
        serve, fake_zalo: FakeZalo, database_url) -> None:
    app = serve(make_settings(fake_zalo, free_reply_limit=2))
    long_pieces = " | ".join(f"{k} " + "chữ " * 350 for k in range(4))  # ~1,400 chars each
    with http_client() as client:
        post_event(client, app.url, text_event("9703", long_pieces, "h-1"))
    fake_zalo.wait_for(2)
    time.sleep(0.5)
    assert len(fake_zalo.messages_for("9703")) == 2
    rows = _rows(database_url, ZaloOutboxRow, ZaloOutboxRow.user_id == "9703")
    assert [row.status for row in sorted(rows, key=lambda r: r.seq)] == [
        "sent", "sent", "held", "held"]
    [state] = _rows(database_url, ZaloUserRow, ZaloUserRow.user_id == "9703")
    assert state.followup_needed and state.followup_reason == "zalo_reply_limit"
    assert state.replies_in_window == 2


def test_staff_console_replies_count_against_the_free_replies(
        serve, fake_zalo: FakeZalo, database_url) -> None:
    app = serve(make_settings(fake_zalo, free_reply_limit=3))
    user = "9704"
    echo = text_event("oa-579745863508352884", "Cán bộ trả lời", "staff-w",
                      event_name="oa_send_text")
    echo["sender"] = {"admin_id": "42", "id": "oa-579745863508352884"}
    echo["recipient"] = {"id": user}
    with http_client() as client:
        post_event(client, app.url, text_event(user, "một", "w-1"))
        fake_zalo.wait_for(1)
        post_event(client, app.url, dict(echo, message={"msg_id": "staff-w1", "text": "a"}))
        post_event(client, app.url, dict(echo, message={"msg_id": "staff-w2", "text": "b"}))
    assert _wait_until(lambda: _rows(database_url, ZaloUserRow, ZaloUserRow.user_id == user,
                                     ZaloUserRow.replies_in_window == 3))


def test_support_console_replies_are_sent_through_the_channel(
        serve, zalo_settings, fake_zalo: FakeZalo, database_url) -> None:
    import asyncio

    from api.support.delivery import find_zalo_sender

    app = serve(zalo_settings)
    sender = find_zalo_sender()
    assert sender is not None
    loop = app.app.state.zalo.worker._loop
    text = "Chào anh, hồ sơ của anh đã được tiếp nhận. " * 60  # longer than one Zalo message
    sent = asyncio.run_coroutine_threadsafe(sender(app.app, "9801", text), loop).result(10)
    assert sent is True
    received = fake_zalo.messages_for("9801")
    assert len(received) == 2 and all(len(r.text) <= 2000 for r in received)
    [state] = _rows(database_url, ZaloUserRow, ZaloUserRow.user_id == "9801")
    assert state.replies_in_window == 2


def test_events_accepted_before_a_crash_are_answered_after_restart(
        serve, zalo_settings, fake_zalo: FakeZalo, database_url, conversation) -> None:
    from datetime import timedelta

    from api.channels.zalo.channel import create_tables
    from api.channels.zalo.events import parse_event
    from api.channels.zalo.queue import InboundQueue
    from knowledge_base.db import create_db_engine, session_factory, utcnow

    engine = create_db_engine(database_url)
    create_tables(engine)
    sessions = session_factory(engine)
    crashed = InboundQueue(sessions, "crashed-process", lease_seconds=10)
    for k in range(3):  # acknowledged by a process that died before answering
        assert crashed.enqueue(parse_event(text_event("9901", f"câu {k}", f"crash-{k}")))
    assert crashed.claim("9901")
    with sessions.begin() as session:  # its lease ran out while it was dead
        session.get(ZaloUserRow, "9901").lease_until = utcnow() - timedelta(seconds=1)
    engine.dispose()
    serve(zalo_settings)
    received = fake_zalo.wait_for(3)
    assert [r.text for r in received] == ["Trả lời: câu 0", "Trả lời: câu 1", "Trả lời: câu 2"]
    assert conversation.texts_for("9901") == ["câu 0", "câu 1", "câu 2"]


def test_replies_decided_before_a_crash_are_sent_without_asking_the_loop_again(
        serve, zalo_settings, fake_zalo: FakeZalo, database_url, conversation) -> None:
    from api.channels.zalo.channel import create_tables
    from api.channels.zalo.events import parse_event
    from api.channels.zalo.formatting import Part
    from api.channels.zalo.queue import InboundQueue
    from knowledge_base.db import create_db_engine, session_factory

    engine = create_db_engine(database_url)
    create_tables(engine)
    crashed = InboundQueue(session_factory(engine), "crashed-process", lease_seconds=10)
    crashed.enqueue(parse_event(text_event("9902", "sdt 0912345678", "planned-1")))
    [row] = _rows(database_url, ZaloInboundRow, ZaloInboundRow.user_id == "9902")
    crashed.plan(row.id, [Part("phần 1").body(), Part("phần 2").body()], [], "answered")
    [first, _] = crashed.unsent(row.id)
    crashed.mark_sent(first.id, "m-before-crash")
    engine.dispose()
    serve(zalo_settings)
    assert [r.text for r in fake_zalo.wait_for(1)] == ["phần 2"]
    time.sleep(0.3)
    assert conversation.seen == []
    [row] = _rows(database_url, ZaloInboundRow, ZaloInboundRow.user_id == "9902")
    assert row.status == "done" and row.event["text"] == "sdt ***"
