"""Question log and learned phrasings, on SQLite and PostgreSQL."""

from storage import questions


def log(s, text, matched=False, score=0.1, topic=None):
    return questions.log_question(s, text=text, matched=matched, score=score, topic=topic, channel="test")


def test_pending_lists_misses_and_unsure_answers_newest_first(any_store):
    with any_store.session() as s:
        log(s, "giá xăng")
        log(s, "hạn nộp", matched=True, score=0.95, topic="han-bao-cao")  # sure: not listed
        unsure = log(s, "báo cáo gì đó", matched=True, score=0.52, topic="noi-dung-bao-cao")
        log(s, "GIÁ  xăng")  # the same question again: listed once
        waiting = questions.pending(s, review_below=0.6, limit=5)
        assert [r.text for r in waiting.rows] == ["GIÁ  xăng", "báo cáo gì đó"]
        assert waiting.total == 2 and unsure.id in {r.id for r in waiting.rows}
        assert questions.pending(s, review_below=0.6, limit=1).total == 2


def test_attach_teaches_once_and_closes_copies(any_store):
    with any_store.session() as s:
        first = log(s, "vụ tháng chín nộp gì")
        copy = log(s, "vụ tháng chín nộp gì")
        row, attached = questions.attach(s, first.id, "han-bao-cao", None)
        assert attached and row.attached_topic == "han-bao-cao" and row.reviewed_at is not None
        assert questions.learned(s) == [("han-bao-cao", "vụ tháng chín nộp gì")]
        s.refresh(copy)
        assert copy.reviewed_at is not None  # closed with it
        again, attached = questions.attach(s, first.id, "nguoi-ky", None)
        assert not attached and again.attached_topic == "han-bao-cao"
        assert questions.pending(s, 0.6).total == 0
        # a later copy attached to the same topic does not duplicate the phrasing
        later = log(s, "vụ tháng chín nộp gì")
        assert questions.attach(s, later.id, "han-bao-cao", None)[1]
        assert len(questions.learned(s)) == 1
        assert questions.attach(s, 999999, "han-bao-cao", None) == (None, False)


def test_dismiss_closes_without_teaching(any_store):
    with any_store.session() as s:
        row = log(s, "cho em mượn tiền")
        assert questions.dismiss(s, row.id).reviewed_at is not None
        assert questions.pending(s, 0.6).total == 0 and questions.learned(s) == []
        assert questions.dismiss(s, 424242) is None
