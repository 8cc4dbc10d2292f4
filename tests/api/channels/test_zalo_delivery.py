"""Asynchronous delivery through the real conversation loop: order, tokens, errors, window."""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
from fake_zalo import FakeZalo
from zalo_harness import (
    all_done,
    http_client,
    make_settings,
    post_event,
    rows,
    sent_texts,
    text_event,
    turn_texts,
    wait_until,
)

from api.channels.zalo.models import ZaloInboundRow, ZaloOutboxRow, ZaloTokenRow, ZaloUserRow
from api.db_models import ConversationRow

USERS, PER_USER = 20, 5
QUESTIONS = ["xin chào", "đăng ký khai sinh cần giấy tờ gì", "lệ phí bao nhiêu",
             "nộp ở đâu", "cảm ơn"]
OA = "oa-579745863508352884"


def staff_echo(user_id: str, msg_id: str, admin_id: str = "1987654321") -> dict:
    """An ``oa_send_text`` event for a message a staff member typed in the OA console."""
    echo = text_event(OA, "Chào anh, em là cán bộ phường", msg_id, event_name="oa_send_text")
    echo["sender"] = {"admin_id": admin_id, "id": OA}
    echo["recipient"] = {"id": user_id}
    return echo


def test_twenty_citizens_times_five_messages_are_each_answered_once_in_order(
        serve, zalo_settings, fake_zalo: FakeZalo, database_url) -> None:
    app = serve(zalo_settings)

    def citizen(index: int) -> list[int]:
        user = f"90{index:02d}"
        with httpx.Client(timeout=10.0) as client:
            return [post_event(client, app.url, text_event(user, f"{QUESTIONS[k]} ({k})",
                                                           f"{user}-{k}")).status_code
                    for k in range(PER_USER)]

    with ThreadPoolExecutor(max_workers=USERS) as pool:
        statuses = [s for result in pool.map(citizen, range(USERS)) for s in result]
    assert statuses == [200] * USERS * PER_USER
    assert wait_until(lambda: all_done(database_url), timeout=300)
    events = rows(database_url, ZaloInboundRow)
    assert len(events) == USERS * PER_USER
    assert {event.outcome for event in events} == {"answered"}
    assert not rows(database_url, ZaloOutboxRow, ZaloOutboxRow.status != "sent")
    total_sent = len(rows(database_url, ZaloOutboxRow))
    time.sleep(0.3)
    assert len(fake_zalo.received) == total_sent  # no message sent twice
    for index in range(USERS):
        user = f"90{index:02d}"
        # the loop saw this citizen's messages in the order they were sent ...
        assert turn_texts(database_url, user) == [f"{QUESTIONS[k]} ({k})"
                                                  for k in range(PER_USER)]
        # ... and the replies reached Zalo in that order, each exactly once
        assert [r.text for r in fake_zalo.messages_for(user)] == sent_texts(database_url, user)


def test_token_expiry_mid_stream_refreshes_once_and_loses_no_reply(
        serve, zalo_settings, fake_zalo: FakeZalo, database_url) -> None:
    app = serve(zalo_settings)
    with http_client() as client:
        for k in range(5):
            post_event(client, app.url, text_event(f"91{k:02d}", "xin chào", f"before-{k}"))
        assert wait_until(lambda: all_done(database_url) and len(fake_zalo.received) >= 5)
        before = len(fake_zalo.received)
        fake_zalo.expire_token()
        with ThreadPoolExecutor(max_workers=10) as pool:
            list(pool.map(lambda k: post_event(client, app.url, text_event(
                f"91{k:02d}", "lệ phí đăng ký khai sinh", f"after-{k}")), range(10)))
    assert wait_until(lambda: len(rows(database_url, ZaloInboundRow)) == 15 and
                      all_done(database_url), timeout=120)
    assert fake_zalo.refresh_calls == 1 and fake_zalo.refresh_failures == 0
    assert not rows(database_url, ZaloOutboxRow, ZaloOutboxRow.status != "sent")
    received = fake_zalo.received
    assert len(received) == len(rows(database_url, ZaloOutboxRow))
    assert {r.token for r in received[before:]} == {"AT-1"}
    [tokens] = rows(database_url, ZaloTokenRow)
    assert stored_tokens(database_url, tokens) == ("AT-1", "RT-1")
    assert tokens.expires_at is not None


def stored_tokens(database_url: str, row: ZaloTokenRow) -> tuple[str, str]:
    """The row's tokens, decrypted with the app's personal-data key (they are stored encrypted)."""
    from api.channels.zalo.tokens import SEALED, TokenCipher
    from api.config import AppSettings
    from api.pii import load_cipher

    assert row.access_token.startswith(SEALED) and row.refresh_token.startswith(SEALED)
    cipher = TokenCipher(load_cipher(AppSettings(_env_file=None, database_url=database_url)))
    return cipher.open(row.access_token), cipher.open(row.refresh_token)


def test_rotated_tokens_survive_a_restart(serve, zalo_settings, fake_zalo: FakeZalo,
                                          database_url) -> None:
    app = serve(zalo_settings)
    fake_zalo.expire_token()
    with http_client() as client:
        post_event(client, app.url, text_event("9201", "xin chào", "rot-1"))
    assert wait_until(lambda: all_done(database_url) and fake_zalo.received)
    app.stop()
    again = serve(zalo_settings)  # the settings still hold the spent RT-0
    with http_client() as client:
        post_event(client, again.url, text_event("9201", "cảm ơn", "rot-2"))
    assert wait_until(lambda: len(turn_texts(database_url, "9201")) == 2 and
                      all_done(database_url))
    assert {r.token for r in fake_zalo.received} == {"AT-1"}
    assert fake_zalo.refresh_calls == 1


def test_transient_errors_are_retried_and_refusals_recorded(
        serve, zalo_settings, fake_zalo: FakeZalo, database_url) -> None:
    app = serve(zalo_settings)
    with http_client() as client:
        post_event(client, app.url, text_event("9300", "xin chào", "warm-1"))
        assert wait_until(lambda: all_done(database_url) and fake_zalo.received)
        fake_zalo.fail_next_sends(-32, 0)  # rate limit, then HTTP 503: both retried
        post_event(client, app.url, text_event("9301", "xin chào", "retry-1"))
        assert wait_until(lambda: all_done(database_url) and fake_zalo.messages_for("9301"))
        assert sent_texts(database_url, "9301") == [r.text for r in
                                                    fake_zalo.messages_for("9301")]
        fake_zalo.fail_next_sends(-201)  # invalid parameter: recorded, not retried
        post_event(client, app.url, text_event("9302", "xin chào", "refused-1"))
        assert wait_until(lambda: all_done(database_url) and
                          rows(database_url, ZaloOutboxRow, ZaloOutboxRow.user_id == "9302"))
    outbox = rows(database_url, ZaloOutboxRow, ZaloOutboxRow.user_id == "9302",
                  order_by=ZaloOutboxRow.seq)
    failed = outbox[0]
    assert (failed.status, failed.error_code, failed.attempts) == ("failed", -201, 1)
    assert failed.body["text"]  # the reply itself is kept for staff
    assert [row.status for row in outbox[1:]] == ["sent"] * (len(outbox) - 1)
    [user] = rows(database_url, ZaloUserRow, ZaloUserRow.user_id == "9302")
    assert user.followup_needed and user.followup_reason == "zalo_send_failed"
    [event] = rows(database_url, ZaloInboundRow, ZaloInboundRow.dedup_key == "msg:refused-1")
    assert event.status == "done" and "not delivered" in event.error


def test_slow_zalo_does_not_slow_acknowledgements(serve, fake_zalo: FakeZalo,
                                                  database_url) -> None:
    app = serve(make_settings(fake_zalo, workers=2))
    fake_zalo.send_delay = 1.0
    with http_client() as client:
        timings = []
        for k in range(6):
            started = time.perf_counter()
            response = post_event(client, app.url, text_event(f"94{k:02d}", "xin chào",
                                                              f"slow-{k}"))
            timings.append(time.perf_counter() - started)
            assert response.status_code == 200
    assert max(timings) < 0.5
    assert wait_until(lambda: all_done(database_url), timeout=60)
    assert {r.user_id for r in fake_zalo.received} == {f"94{k:02d}" for k in range(6)}


def test_staff_takeover_echo_silences_the_bot_until_the_timeout(
        serve, fake_zalo: FakeZalo, database_url) -> None:
    app = serve(make_settings(fake_zalo, staff_takeover_minutes=2 / 60))  # two seconds
    user = "9501"
    with http_client() as client:
        post_event(client, app.url, text_event(user, "xin chào", "t-1"))
        assert wait_until(lambda: all_done(database_url) and fake_zalo.messages_for(user))
        answered = len(fake_zalo.messages_for(user))
        assert post_event(client, app.url, staff_echo(user, "staff-1")).json() == \
            {"status": "queued"}
        post_event(client, app.url, text_event(user, "cảm ơn chị", "t-2"))
        assert wait_until(lambda: all_done(database_url) and
                          len(turn_texts(database_url, user)) == 2)
        [conversation] = rows(database_url, ConversationRow,
                              ConversationRow.sender_id == f"zalo:{user}")
        assert conversation.owner == "staff:zalo-oa-1987654321"  # the support console sees it
        time.sleep(0.5)
        assert len(fake_zalo.messages_for(user)) == answered  # the bot stayed silent
        time.sleep(2.0)  # the takeover times out
        post_event(client, app.url, text_event(user, "xin chào", "t-3"))
    assert wait_until(lambda: len(fake_zalo.messages_for(user)) > answered)
    assert turn_texts(database_url, user) == ["xin chào", "cảm ơn chị", "xin chào"]
    [conversation] = rows(database_url, ConversationRow,
                          ConversationRow.sender_id == f"zalo:{user}")
    assert conversation.owner == "bot"


def test_staff_release_from_the_console_ends_the_takeover(
        serve, zalo_settings, fake_zalo: FakeZalo, database_url) -> None:
    from sqlalchemy import create_engine, update

    app = serve(zalo_settings)  # an hour-long takeover by default
    user = "9502"
    with http_client() as client:
        post_event(client, app.url, staff_echo(user, "staff-r1"))
        post_event(client, app.url, text_event(user, "xin chào", "r-1"))
        assert wait_until(lambda: all_done(database_url) and turn_texts(database_url, user))
        assert fake_zalo.messages_for(user) == []
        engine = create_engine(database_url)  # what the support console's release does
        with engine.begin() as connection:
            connection.execute(update(ConversationRow)
                               .where(ConversationRow.sender_id == f"zalo:{user}")
                               .values(owner="bot"))
        engine.dispose()
        post_event(client, app.url, text_event(user, "xin chào", "r-2"))
    assert wait_until(lambda: fake_zalo.messages_for(user))


def test_non_text_follow_and_unfollow_events(serve, zalo_settings, fake_zalo: FakeZalo,
                                             database_url) -> None:
    app = serve(zalo_settings)
    sticker = text_event("9601", "", "st-1", event_name="user_send_sticker")
    del sticker["message"]["text"]
    image = text_event("9602", "", "img-1", event_name="user_send_image")
    image["message"]["attachments"] = [{"type": "image", "payload": {"url": "https://x/y.jpg"}}]
    follow = {"app_id": text_event("1", "", "")["app_id"], "event_name": "follow",
              "oa_id": OA, "follower": {"id": "9603"}, "timestamp": str(int(time.time() * 1000))}
    unfollow = dict(follow, event_name="unfollow", follower={"id": "9604"})
    with http_client() as client:
        for event in (sticker, image, follow, unfollow):
            assert post_event(client, app.url, event).json() == {"status": "queued"}
    assert wait_until(lambda: all_done(database_url) and len(fake_zalo.received) >= 3)
    time.sleep(0.3)
    by_user = {r.user_id: r for r in fake_zalo.received}
    assert set(by_user) == {"9601", "9602", "9603"}  # nothing is sent on unfollow
    for user in ("9601", "9602"):
        assert "chữ" in by_user[user].text
        assert by_user[user].buttons == [
            {"title": "Gặp cán bộ", "type": "oa.query.hide", "payload": "/request_human"}]
        assert turn_texts(database_url, user) == []  # never reached the conversation loop
    greeting = by_user["9603"]
    assert "phường" in greeting.text and "{office_name}" not in greeting.text
    assert len(greeting.buttons) == 4
    assert all(b["type"] == "oa.query.hide" for b in greeting.buttons)
    [gone] = rows(database_url, ZaloUserRow, ZaloUserRow.user_id == "9604")
    assert gone.followed is False


def test_a_long_answer_is_packed_when_free_replies_run_low(
        serve, fake_zalo: FakeZalo, database_url) -> None:
    question = "các bước thực hiện đăng ký khai sinh"  # a long answer: many messages
    roomy = serve(make_settings(fake_zalo, free_reply_limit=40))
    with http_client() as client:
        post_event(client, roomy.url, text_event("9701", question, "p-1"))
        assert wait_until(lambda: all_done(database_url) and fake_zalo.messages_for("9701"))
    roomy.stop()
    tight = serve(make_settings(fake_zalo, free_reply_limit=8))
    with http_client() as client:
        post_event(client, tight.url, text_event("9702", question, "p-2"))
        assert wait_until(lambda: all_done(database_url) and fake_zalo.messages_for("9702"))
    loose = [r.text for r in fake_zalo.messages_for("9701")]
    packed = [r.text for r in fake_zalo.messages_for("9702")]
    assert len(loose) >= 3 and len(packed) < len(loose)
    assert all(len(text) <= 2000 for text in packed)
    assert "\n\n".join(loose) == "\n\n".join(packed)  # same content, fewer messages


def test_an_answer_past_the_free_reply_limit_is_held_for_staff(
        serve, fake_zalo: FakeZalo, database_url) -> None:
    app = serve(make_settings(fake_zalo, free_reply_limit=2, max_message_chars=400))
    user = "9703"
    with http_client() as client:
        post_event(client, app.url, text_event(user, "đăng ký khai sinh cần giấy tờ gì", "h-1"))
    assert wait_until(lambda: all_done(database_url) and fake_zalo.messages_for(user))
    time.sleep(0.3)
    assert len(fake_zalo.messages_for(user)) == 2
    statuses = [row.status for row in rows(database_url, ZaloOutboxRow,
                                           ZaloOutboxRow.user_id == user,
                                           order_by=ZaloOutboxRow.seq)]
    assert statuses[:2] == ["sent", "sent"] and set(statuses[2:]) == {"held"}
    [state] = rows(database_url, ZaloUserRow, ZaloUserRow.user_id == user)
    assert state.followup_needed and state.followup_reason == "zalo_reply_limit"
    assert state.replies_in_window == 2
    [conversation] = rows(database_url, ConversationRow,
                          ConversationRow.sender_id == f"zalo:{user}")
    assert (conversation.owner, conversation.handoff_reason) == ("waiting", "zalo_reply_limit")


def test_staff_console_replies_count_against_the_free_replies(
        serve, fake_zalo: FakeZalo, database_url) -> None:
    app = serve(make_settings(fake_zalo, free_reply_limit=8))
    user = "9704"
    with http_client() as client:
        post_event(client, app.url, text_event(user, "xin chào", "w-1"))
        assert wait_until(lambda: all_done(database_url) and fake_zalo.messages_for(user))
        bot_replies = len(fake_zalo.messages_for(user))
        post_event(client, app.url, staff_echo(user, "staff-w1", "42"))
        post_event(client, app.url, staff_echo(user, "staff-w2", "42"))
    assert wait_until(lambda: rows(database_url, ZaloUserRow, ZaloUserRow.user_id == user,
                                   ZaloUserRow.replies_in_window == bot_replies + 2))


def test_support_console_replies_are_sent_through_the_channel(
        serve, zalo_settings, fake_zalo: FakeZalo, database_url) -> None:
    from api.support.delivery import deliver
    from api.support.models import DELIVERY_SENT

    app = serve(zalo_settings)
    channel = app.app.state.services.zalo
    loop = channel.worker._loop
    text = "Chào anh, hồ sơ của anh đã được tiếp nhận. " * 60  # longer than one Zalo message
    sent = asyncio.run_coroutine_threadsafe(deliver(channel, "zalo", "9801", text),
                                            loop).result(10)
    assert sent == DELIVERY_SENT
    received = fake_zalo.messages_for("9801")
    assert len(received) == 2 and all(len(r.text) <= 2000 for r in received)
    [state] = rows(database_url, ZaloUserRow, ZaloUserRow.user_id == "9801")
    assert state.replies_in_window == 2


def test_events_accepted_before_a_crash_are_answered_after_restart(
        serve, zalo_settings, fake_zalo: FakeZalo, database_url) -> None:
    from datetime import timedelta

    from api.channels.zalo.channel import create_tables
    from api.channels.zalo.events import parse_event
    from api.channels.zalo.queue import InboundQueue
    from knowledge_base.db import create_db_engine, session_factory, utcnow

    engine = create_db_engine(database_url)
    create_tables(engine)
    sessions = session_factory(engine)
    crashed = InboundQueue(sessions, "crashed-process", lease_seconds=10)
    questions = ["xin chào", "lệ phí đăng ký khai sinh", "cảm ơn"]
    for k, question in enumerate(questions):  # acknowledged by a process that then died
        assert crashed.enqueue(parse_event(text_event("9901", question, f"crash-{k}")))
    assert crashed.claim("9901")
    with sessions.begin() as session:  # its lease ran out while it was dead
        session.get(ZaloUserRow, "9901").lease_until = utcnow() - timedelta(seconds=1)
    engine.dispose()
    serve(zalo_settings)
    assert wait_until(lambda: all_done(database_url), timeout=60)
    assert turn_texts(database_url, "9901") == questions
    assert [r.text for r in fake_zalo.messages_for("9901")] == sent_texts(database_url, "9901")


def test_replies_decided_before_a_crash_are_sent_without_asking_the_loop_again(
        serve, zalo_settings, fake_zalo: FakeZalo, database_url) -> None:
    from api.channels.zalo.channel import create_tables
    from api.channels.zalo.events import parse_event
    from api.channels.zalo.formatting import Part
    from api.channels.zalo.queue import InboundQueue
    from knowledge_base.db import create_db_engine, session_factory

    engine = create_db_engine(database_url)
    create_tables(engine)
    crashed = InboundQueue(session_factory(engine), "crashed-process", lease_seconds=10)
    crashed.enqueue(parse_event(text_event("9902", "sdt 0912345678", "planned-1")))
    [row] = rows(database_url, ZaloInboundRow, ZaloInboundRow.user_id == "9902")
    crashed.plan(row.id, [Part("phần 1").body(), Part("phần 2").body()], [], "answered")
    [first, _] = crashed.unsent(row.id)
    crashed.mark_sent(first.id, "m-before-crash")
    engine.dispose()
    serve(zalo_settings)
    assert wait_until(lambda: all_done(database_url) and fake_zalo.received)
    time.sleep(0.3)
    assert [r.text for r in fake_zalo.received] == ["phần 2"]
    assert turn_texts(database_url, "9902") == []  # the loop was not asked again
    [row] = rows(database_url, ZaloInboundRow, ZaloInboundRow.user_id == "9902")
    assert row.status == "done" and row.event["text"] == "sdt ***"
