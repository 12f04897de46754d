"""The store on SQLite and PostgreSQL alike."""

from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from sqlmodel import select

from messages.units import UnitRecord
from storage import conversation, invites, people
from storage import units as unit_store
from storage.models import InspectionVisit, OutgoingMessage, Person, Unit

UTC = timezone.utc


def test_migrations_from_empty_to_head(any_store):
    assert any_store.current_revision() is not None
    any_store.upgrade()  # idempotent
    tables = set(sa.inspect(any_store.engine).get_table_names())
    assert {"unit", "person", "invite_code", "submission", "inspection_visit", "outgoing_message",
            "question_log", "learned_phrasing", "choice", "conversation_state", "broadcast"} <= tables


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_units_of_an_earlier_schema_get_levels_and_keep_staff_choices(backend, tmp_path, request):
    """0004: ``tier`` becomes ``level``; a commune staff had given a date stays chosen by staff."""
    from alembic import command

    from storage.db import Store, alembic_config

    url = f"sqlite:///{tmp_path / 'old.sqlite3'}" if backend == "sqlite" else request.getfixturevalue("pg_url")
    store = Store(url)
    command.upgrade(alembic_config(store.engine), "0003")
    with store.engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO unit (code, name, tier, inspected, source, created_at) VALUES "
                             "('so-y-te', 'Sở Y tế', 'department', false, 'plan', CURRENT_TIMESTAMP), "
                             "('ubnd-huyen-a', 'UBND huyện A', 'district', false, 'plan', CURRENT_TIMESTAMP)"))
        conn.execute(sa.text("INSERT INTO unit (code, name, tier, parent_code, inspected, source, created_at) VALUES "
                             "('ubnd-xa-b', 'UBND xã B', 'commune', 'ubnd-huyen-a', true, 'staff', CURRENT_TIMESTAMP)"))
        conn.execute(sa.text("INSERT INTO person (channel, external_id, chat_id, unit_code, role, active, created_at) "
                             "VALUES ('test', 'u1', 'u1', 'ubnd-xa-b', 'focal', true, CURRENT_TIMESTAMP)"))
    store.upgrade()  # a unit referenced by a person: no table copy that would break the foreign key
    with store.session() as s:
        rows = {u.code: u for u in s.exec(select(Unit)).all()}
    assert rows["so-y-te"].level == "province_agency" and rows["ubnd-huyen-a"].level == "district"
    assert rows["ubnd-xa-b"].level == "commune" and rows["ubnd-xa-b"].staff_selected and rows["ubnd-xa-b"].inspected
    assert not rows["so-y-te"].staff_selected
    store.dispose()


def test_sqlite_runs_in_wal_with_foreign_keys(store):
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_plan_units_are_synced_and_runtime_communes_kept(any_store, plan):
    with any_store.session() as s:
        unit_store.sync_plan(s, plan)
        unit_store.add(s, UnitRecord("ubnd-xa-binh-son-huyen-hon-dat", "UBND xã Bình Sơn, huyện Hòn Đất",
                                     "commune", "ubnd-huyen-hon-dat"), source="staff")
        unit_store.sync_plan(s, plan)  # a restart
        rows = {u.code: u for u in s.exec(select(Unit)).all()}
    assert len(rows) == len(plan.units) + 1
    assert rows["so-tai-chinh"].inspected and not rows["so-y-te"].inspected
    assert rows["ubnd-xa-binh-son-huyen-hon-dat"].parent_code == "ubnd-huyen-hon-dat"


def test_an_inspection_date_is_kept_and_moved(any_store, plan):
    when = datetime(2020, 8, 20, 1, 0, tzinfo=UTC)
    with any_store.session() as s:
        unit_store.sync_plan(s, plan)
        unit_store.add(s, UnitRecord("ubnd-xa-a-huyen-an-bien", "UBND xã A, huyện An Biên", "commune",
                                     "ubnd-huyen-an-bien"), source="staff")
        visit, previous = unit_store.set_inspection(s, "ubnd-xa-a-huyen-an-bien", when, None)
        assert previous is None
        _, previous = unit_store.set_inspection(s, "ubnd-xa-a-huyen-an-bien", when + timedelta(days=1), None)
        assert previous == when
        assert s.get(InspectionVisit, "ubnd-xa-a-huyen-an-bien").starts_at == when + timedelta(days=1)
        assert not s.get(Unit, "ubnd-xa-a-huyen-an-bien").inspected  # a date alone selects nobody


def test_staff_selection_survives_a_plan_reload_and_the_plan_lists_stand(any_store, plan):
    """Inspected = listed by the plan or chosen by staff; reloading the plan undoes neither."""
    with any_store.session() as s:
        unit_store.sync_plan(s, plan)
        assert not s.get(Unit, "so-y-te").inspected and s.get(Unit, "so-tai-chinh").inspected
        unit_store.add(s, UnitRecord("ubnd-xa-a-huyen-tan-hiep", "UBND xã A, huyện Tân Hiệp", "commune",
                                     "ubnd-huyen-tan-hiep"), source="staff")
        assert unit_store.select_for_inspection(s, "ubnd-xa-a-huyen-tan-hiep")
        assert unit_store.select_for_inspection(s, "so-y-te")
        assert not unit_store.select_for_inspection(s, "so-tai-chinh")  # already inspected: no change
        unit_store.sync_plan(s, plan)  # a restart
        assert s.get(Unit, "ubnd-xa-a-huyen-tan-hiep").inspected and s.get(Unit, "so-y-te").inspected
        assert s.get(Unit, "so-tai-chinh").inspected
        assert sorted(unit_store.staff_selected(s)) == ["so-y-te", "ubnd-xa-a-huyen-tan-hiep"]


def test_datetimes_come_back_aware_utc(any_store, plan):
    local = datetime(2020, 9, 30, 23, 59, tzinfo=timezone(timedelta(hours=7)))
    with any_store.session() as s:
        unit_store.sync_plan(s, plan)
        unit_store.set_inspection(s, "so-tai-chinh", local, None)
    with any_store.session() as s:
        got = s.get(InspectionVisit, "so-tai-chinh").starts_at
    assert got == local and got.tzinfo is not None and got.utcoffset() == timedelta(0)


def test_naive_datetimes_are_refused(any_store, plan):
    with any_store.session() as s:
        unit_store.sync_plan(s, plan)
        with pytest.raises(Exception):
            unit_store.set_inspection(s, "so-tai-chinh", datetime(2020, 9, 1), None)


def test_person_is_unique_per_channel_and_ids_are_text(any_store):
    big = "8460839582830000000001"  # Zalo ids exceed 64-bit integers
    with any_store.session() as s:
        a = people.ensure(s, "zalo", big)
        b = people.ensure(s, "zalo", big)
        c = people.ensure(s, "telegram", big)
        assert a.id == b.id != c.id
        s.add(Person(channel="zalo", external_id=big, chat_id=big))
        with pytest.raises(sa.exc.IntegrityError):
            s.commit()


def test_invite_codes_are_hashed_single_use_and_expire(any_store, plan):
    now = datetime(2026, 1, 1, tzinfo=UTC)
    with any_store.session() as s:
        unit_store.sync_plan(s, plan)
        code = invites.issue(s, "so-y-te", now + timedelta(days=14))
        stored = s.exec(sa.text("SELECT code_hash FROM invite_code")).scalar()
        assert code not in stored and len(stored) == 64
        alice, bob = people.ensure(s, "telegram", "1"), people.ensure(s, "telegram", "2")
        assert invites.redeem(s, "nope", alice, now).outcome == "unknown"
        assert invites.redeem(s, code.lower(), alice, now) == invites.Redemption("ok", "so-y-te")
        assert invites.redeem(s, code, bob, now).outcome == "used"
        late = invites.issue(s, "so-y-te", now + timedelta(days=1))
        assert invites.redeem(s, late, bob, now + timedelta(days=2)).outcome == "expired"


def test_a_code_and_the_registration_it_grants_are_one_transaction(any_store, plan):
    now = datetime(2026, 1, 1, tzinfo=UTC)
    with any_store.session() as s:
        unit_store.sync_plan(s, plan)
        code = invites.issue(s, "so-y-te", now + timedelta(days=14))
        alice = people.ensure(s, "telegram", "1")
        assert invites.redeem(s, code, alice, now, commit=False).outcome == "ok"
        people.register(s, alice, "so-y-te", now, commit=False)
        s.rollback()  # e.g. the registration failed: the code is not spent either
    with any_store.session() as s:
        alice = people.find(s, "telegram", "1")
        assert alice.unit_code is None and invites.peek(s, code).used_at is None
        assert invites.redeem(s, code, alice, now, commit=False).outcome == "ok"
        people.register(s, alice, "so-y-te", now, commit=False)
        s.commit()
    with any_store.session() as s:
        assert people.find(s, "telegram", "1").unit_code == "so-y-te" and invites.peek(s, code).used_at is not None


def test_staff_are_granted_in_the_store_or_listed_in_the_settings(any_store):
    with any_store.session() as s:
        granted = Person(channel="telegram", external_id="1", chat_id="1", role="staff")
        listed = Person(channel="zalo", external_id="z1", chat_id="z1")
        terminal = Person(channel="console", external_id="c", chat_id="c", role="staff")
        gone = Person(channel="telegram", external_id="2", chat_id="2", role="staff", active=False)
        s.add_all([granted, listed, terminal, gone, Person(channel="telegram", external_id="3", chat_id="3")])
        s.commit()
        ids = {"zalo": frozenset({"z1"}), "telegram": frozenset()}
        assert [p.id for p in people.staff(s)] == [granted.id, terminal.id]  # the store's grant only
        assert [p.id for p in people.staff(s, ids)] == [granted.id, listed.id, terminal.id]
        assert [p.id for p in people.staff(s, ids, reachable_only=True)] == [granted.id, listed.id]
        assert people.is_staff(listed, ids) and not people.is_staff(listed)


def test_outbox_key_makes_a_second_copy_impossible(any_store, plan):
    due = datetime(2020, 9, 23, 1, 0, tzinfo=UTC)
    with any_store.session() as s:
        unit_store.sync_plan(s, plan)
        s.add(OutgoingMessage(key="reminder:so-y-te:bao-cao-tu-kiem-tra:-7:1", kind="reminder", text="x", due_at=due))
        s.commit()
        s.add(OutgoingMessage(key="reminder:so-y-te:bao-cao-tu-kiem-tra:-7:1", kind="reminder", text="x", due_at=due))
        with pytest.raises(sa.exc.IntegrityError):
            s.commit()


def test_choices_and_state_survive_sessions(any_store):
    with any_store.session() as s:
        person = people.ensure(s, "telegram", "42")
        choice_id = conversation.offer(s, person.id, "pick", {"deliverable": "x"})
        other = people.ensure(s, "telegram", "43")
        conversation.set_state(s, person.id, "await_file", {"deliverable": "x"})
    assert len(choice_id.encode()) <= 64
    with any_store.session() as s:
        assert conversation.get_choice(s, choice_id, other.id) is None
        choice = conversation.get_choice(s, choice_id, person.id)
        assert choice.payload == {"deliverable": "x"}
        assert conversation.mark_used(s, choice) is True
        assert conversation.mark_used(s, choice) is False
        assert conversation.get_state(s, person.id).data == {"deliverable": "x"}
        conversation.clear_state(s, person.id)
        assert conversation.get_state(s, person.id) is None


def test_foreign_keys_are_enforced(any_store):
    with any_store.session() as s:
        s.add(Person(channel="t", external_id="1", chat_id="1", unit_code="no-such-unit"))
        with pytest.raises(sa.exc.IntegrityError):
            s.commit()


def test_enqueue_is_idempotent_on_key(any_store, plan):
    from storage import outbox

    due = datetime(2020, 9, 23, 1, 0, tzinfo=UTC)
    with any_store.session() as s:
        unit_store.sync_plan(s, plan)
        person = people.ensure(s, "telegram", "7")
        assert outbox.enqueue(s, key="k1", kind="notice", text="a", due_at=due, person=person) is True
        assert outbox.enqueue(s, key="k1", kind="notice", text="b", due_at=due, person=person) is False
        assert outbox.enqueue(s, key="k2", kind="notice", text="c", due_at=due, channel="telegram", chat_id="-100") is True
        rows = s.exec(select(OutgoingMessage).order_by(OutgoingMessage.id)).all()
    assert [(r.key, r.text, r.chat_id) for r in rows] == [("k1", "a", "7"), ("k2", "c", "-100")]


def test_buttons_of_one_reply_are_spent_together_and_expire(any_store):
    from storage.conversation import CHOICE_TTL

    with any_store.session() as s:
        person = people.ensure(s, "telegram", "44")
        a, b = (conversation.offer(s, person.id, "pick", {"n": n}) for n in (1, 2))
        alone = conversation.offer(s, person.id, "pick", {"n": 3})
        conversation.group(s, [a, b])
        assert conversation.mark_used(s, conversation.get_choice(s, a, person.id)) is True
        assert conversation.mark_used(s, conversation.get_choice(s, b, person.id)) is False  # the sibling
        assert conversation.mark_used(s, conversation.get_choice(s, alone, person.id)) is True  # another reply
        later = datetime.now(UTC) + CHOICE_TTL + timedelta(minutes=1)
        assert conversation.get_choice(s, alone, person.id, now=later) is None
        assert conversation.prune(s, now=later) == 3
