"""Issue 12's "faults between processes", done when: two processes on one PostgreSQL database, a
500-recipient broadcast (Telegram and Zalo) with the second process started mid-way, and a Zalo token
refresh needed by both at once, end with 0 duplicates, 0 losses, 0 delivered rows reported failed and
a working token chain — real ``agency-bot run`` processes against the fake Telegram and Zalo servers."""

from __future__ import annotations

import json
import signal
from collections import Counter
from datetime import datetime

import pytest
from cluster import STAFF, Cluster, broadcast, sends
from fakes.telegram_api import FakeBotApi
from fakes.zalo_api import FakeZalo, Webhook
from support import TZ, until

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")

TEXT = "Thông báo: đề nghị các đơn vị rà soát hồ sơ trước đợt kiểm tra."


def refreshing(cluster: Cluster, name: str) -> bool:
    """Whether this process met a refused access token and went to refresh it (its JSON log says so)."""
    log = cluster.procs[name].log
    return any(json.loads(line).get("message", "").startswith("zalo refused the access token")
               for line in log.read_text(encoding="utf-8").splitlines() if line.startswith("{"))


async def test_second_process_mid_broadcast_and_a_simultaneous_token_refresh(pg_database, tmp_path):
    async with FakeBotApi(latency=0.02) as telegram, FakeZalo(oauth_latency=0.5) as zalo:
        access, refresh = zalo.issue_pair()
        env = {"ZALO_APP_ID": zalo.app_id, "ZALO_APP_SECRET": zalo.app_secret,
               "ZALO_OA_SECRET_KEY": zalo.oa_secret_key, "ZALO_OA_ACCESS_TOKEN": access,
               "ZALO_OA_REFRESH_TOKEN": refresh, "ZALO_API_BASE_URL": zalo.url, "ZALO_OAUTH_BASE_URL": zalo.url,
               "ZALO_FILE_HOSTS": "127.0.0.1", "ZALO_SEND_PER_SECOND": "50", "PUBLIC_BASE_URL": "http://127.0.0.1"}
        cluster = Cluster(tmp_path, pg_database, telegram, env=env,
                          business_start=datetime(2020, 9, 20, 9, 0, tzinfo=TZ))
        try:
            await cluster.start("p1")
            await cluster.healthy("p1")
            assert await cluster.leader() == "p1"
            recipients = cluster.seed_focal_points(200_000, 500, zalo_every=10)  # 450 on Telegram, 50 on Zalo
            await broadcast(cluster, TEXT, ["p1"])
            await until(lambda: len(sends(telegram, TEXT)) >= 100, timeout=30)

            await cluster.start("p2")  # a rolling deploy's new process, mid-broadcast
            await cluster.healthy("p2")
            assert (await cluster.roles())["p2"] == "follower"
            assert len(sends(telegram, TEXT)) < 450, "the broadcast ended before the second process was up"
            # Zalo retires the access token: the leader's next broadcast send and the follower's answers to
            # users who write now both meet it, and both go to refresh, at once
            zalo.expire_access_tokens()
            hook = Webhook(f"{cluster.procs['p2'].url}/zalo/webhook", zalo.app_id, zalo.oa_secret_key,
                           lambda: int(datetime.now().timestamp() * 1000))
            writers = ["z-900", "z-901", "z-902"]
            for user in writers:
                assert (await hook.post(hook.text(user, "hạn nộp báo cáo là khi nào"))).status_code == 200
            await until(lambda: all(zalo.to(user) for user in writers), timeout=30)
            await until(lambda: sends(telegram, "KẾT QUẢ GỬI THÔNG BÁO SỐ 1\n"), timeout=60)

            assert refreshing(cluster, "p1") and refreshing(cluster, "p2")  # both needed a new token at once
            assert len(zalo.refreshes) == 1 and zalo.reused_refresh == []  # one refresh, no spent token offered
            with cluster.store.engine.connect() as conn:
                import sqlalchemy as sa

                broken = conn.execute(sa.text("SELECT broken FROM oauth_token WHERE provider = 'zalo'")).scalar()
            assert broken is False

            got = Counter(c.chat_id for c in sends(telegram, TEXT) if c.chat_id != str(STAFF))
            got.update(s.user_id for s in zalo.sent if TEXT in (s.text or ""))
            assert set(got) == set(recipients) and set(got.values()) == {1}  # 0 losses, 0 duplicates
            rows = cluster.rows("broadcast_id = 1")
            assert len(rows) == 500 and {r["status"] for r in rows} == {"sent"}  # none failed, none uncertain
            summary = sends(telegram, "KẾT QUẢ GỬI THÔNG BÁO SỐ 1\n")
            assert len(summary) == 1 and "Đã gửi: 500/500" in summary[0].params["text"]

            # the chain still works: the rotated pair is in use by both processes
            new_access = zalo.refreshes[0]["access_token"]
            assert all(s.access_token == new_access for s in zalo.sent[-3:])
            hook.url = f"{cluster.procs['p1'].url}/zalo/webhook"
            assert (await hook.post(hook.text("z-903", "xin chào"))).status_code == 200
            await until(lambda: zalo.to("z-903"), timeout=20)
            assert zalo.to("z-903")[0].access_token == new_access
        except BaseException:
            print(cluster.tails())
            raise
        finally:
            await cluster.close()
