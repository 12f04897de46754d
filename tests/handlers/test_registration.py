"""Invite codes and registration through the channel-neutral router."""


from support import INVITE_CODE, Talk, register_focal


def code_in(replies) -> str:
    return INVITE_CODE.search(Talk.text(replies)).group(1)


async def test_staff_invite_and_focal_point_registers(talk):
    replies = await talk("staff", "/moi Sở Y tế")
    text = Talk.text(replies)
    assert "Mã mời cho Sở Y tế" in text and "/dangky" in text
    code = code_in(replies)
    replies = await talk("u1", f"/start {code}")  # the deep link path
    assert "Đăng ký thành công" in Talk.text(replies) and "Sở Y tế" in Talk.text(replies)
    # /start afterwards knows them
    assert "đầu mối của Sở Y tế" in Talk.text(await talk("u1", "/start"))


async def test_used_expired_and_unknown_codes_are_refused(talk, services, clock):
    code = code_in(await talk("staff", "/moi so tai chinh"))
    await talk("u1", f"/dangky {code}")
    assert "đã được sử dụng" in Talk.text(await talk("u2", f"/dangky {code}"))
    assert "không đúng" in Talk.text(await talk("u2", "/dangky ABCDEFGHJK"))
    code = code_in(await talk("staff", "/moi so y te"))
    clock.advance(days=services.invite_days + 1)  # invite expiry follows real elapsed time
    assert "hết hạn" in Talk.text(await talk("u3", f"/dangky {code}"))
    assert "mã mời" in Talk.text(await talk("u3", "/dangky")).lower()


async def test_a_person_belongs_to_one_unit(talk):
    await register_focal(talk, "u1", "Sở Y tế")
    code = code_in(await talk("staff", "/moi Sở Tư pháp"))
    text = Talk.text(await talk("u1", f"/dangky {code}"))
    assert "Sở Y tế" in text and "Sở Tư pháp" in text and "liên hệ Sở Nội vụ" in text
    # the code was not spent: the right person can still use it
    assert "thành công" in Talk.text(await talk("u2", f"/dangky {code}"))


async def test_several_focal_points_per_unit(talk, services):
    await register_focal(talk, "u1", "UBND huyện An Biên")
    await register_focal(talk, "u2", "H. An Biên")
    from storage import people

    with services.store.session() as s:
        assert len(people.focal_points(s, "ubnd-huyen-an-bien")) == 2


async def test_staff_command_from_a_focal_point_is_refused_and_logged(talk, caplog):
    await register_focal(talk, "u1", "Sở Y tế")
    replies = await talk("u1", "/moi Sở Tài chính")
    assert "chỉ dành cho cán bộ Sở Nội vụ" in Talk.text(replies)
    assert any("refused staff-only /moi" in r.getMessage() for r in caplog.records)
    assert not any("Mã mời" in r.text for r in replies)


async def test_a_new_commune_is_added_only_when_staff_confirm(talk, services):
    replies = await talk("staff", "/moi UBND xã Bình Sơn, huyện Hòn Đất")
    text = Talk.text(replies)
    assert "chưa có trong danh sách" in text and INVITE_CODE.search(text) is None
    assert services.roster().get("ubnd-xa-binh-son-huyen-hon-dat") is None  # nothing added yet
    text = Talk.text(await talk.tap("staff", "Thêm mới: UBND xã Bình Sơn, huyện Hòn Đất"))
    assert "Đã thêm đơn vị mới: UBND xã Bình Sơn, huyện Hòn Đất (UBND cấp xã, thuộc UBND huyện Hòn Đất)" in text
    assert INVITE_CODE.search(text) is not None
    assert services.roster().get("ubnd-xa-binh-son-huyen-hon-dat").level == "commune"


async def test_a_misspelt_unit_is_offered_as_the_existing_one_never_added(talk, services):
    await talk("staff", "/moi UBND xã Bình Sơn, huyện Hòn Đất")
    await talk.tap("staff", "Thêm mới")
    replies = await talk("staff", "/moi UBND xã Bình Sơnn, huyện Hòn Đất")
    labels = [o.label for o in replies[0].options]
    assert labels[0] == "UBND xã Bình Sơn, huyện Hòn Đất" and labels[1].startswith("Thêm mới")
    text = Talk.text(await talk.tap("staff", "UBND xã Bình Sơn, huyện Hòn Đất"))
    assert "Mã mời cho UBND xã Bình Sơn, huyện Hòn Đất" in text
    assert services.roster().get("ubnd-xa-binh-sonn-huyen-hon-dat") is None
    communes = [u.code for u in services.roster().units if u.level == "commune"]
    assert communes == ["ubnd-xa-binh-son-huyen-hon-dat"]


async def test_a_commune_without_its_district_asks_for_it(talk, services):
    text = Talk.text(await talk("staff", "/moi xã Bình Sơn"))
    assert "thuộc đơn vị nào" in text and "UBND xã …," in text
    assert not [u for u in services.roster().units if u.level == "commune"]


async def test_ambiguous_unit_offers_buttons(talk):
    replies = await talk("staff", "/moi Ban Quản lý")
    assert len(replies[0].options) == 2
    phu_quoc = next(o.choice_id for o in replies[0].options if "Phú Quốc" in o.label)
    replies = await talk("staff", choice=phu_quoc)
    assert "Mã mời cho Ban Quản lý Khu kinh tế Phú Quốc" in Talk.text(replies)
    # a second tap on the spent button does not issue another code
    again = Talk.text(await talk("staff", choice=phu_quoc))
    assert "đã được xử lý" in again and "Mã mời" not in again


async def test_someone_elses_button_does_nothing(talk):
    replies = await talk("staff", "/moi Ban Quản lý")
    choice_id = replies[0].options[0].choice_id
    assert "không còn hiệu lực" in Talk.text(await talk("u9", choice=choice_id))


async def test_unknown_unit_and_missing_argument(talk):
    assert "Không tìm thấy" in Talk.text(await talk("staff", "/moi Bộ Ngoại giao"))
    assert "Cú pháp" in Talk.text(await talk("staff", "/moi"))


async def test_unknown_command_and_help(talk):
    assert "không có" in Talk.text(await talk("u1", "/khongco"))
    help_text = Talk.text(await talk("u1", "/help"))
    assert "/dangky" in help_text and "/moi" not in help_text
    assert "/moi" in Talk.text(await talk("staff", "/help"))


async def test_a_crashing_handler_still_answers(talk, router, caplog):
    @router.command("boom", role="any", description="x")
    async def boom(ctx):
        raise RuntimeError("kaput")

    replies = await talk("u1", "/boom")
    assert "sự cố" in Talk.text(replies)
    assert any("handling failed" in r.getMessage() for r in caplog.records)


async def test_a_person_first_met_in_a_group_is_reached_in_their_own_chat(services, router):
    from handlers.types import Inbound
    from storage import people

    await router.handle(services, Inbound("telegram", "5550001", "-4012345678", text="/start"))
    with services.store.session() as s:
        assert people.find(s, "telegram", "5550001").chat_id == "5550001"


async def test_one_decision_per_set_of_buttons(talk, services):
    """Tapping a second candidate of the same question must not issue a second code."""
    replies = await talk("staff", "/moi Ban Quản lý")
    first, second = (o.choice_id for o in replies[0].options)
    assert "Mã mời" in Talk.text(await talk("staff", choice=first))
    again = Talk.text(await talk("staff", choice=second))
    assert "đã được xử lý" in again and "Mã mời" not in again


async def test_a_failed_registration_does_not_spend_the_code(talk, monkeypatch):
    """Spending the code and registering are one transaction: if the second fails, the first is undone."""
    from storage import people

    code = code_in(await talk("staff", "/moi Sở Y tế"))

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    with monkeypatch.context() as m:
        m.setattr(people, "register", broken)
        assert "sự cố" in Talk.text(await talk("u1", f"/dangky {code}"))
    assert "thành công" in Talk.text(await talk("u1", f"/dangky {code}"))
