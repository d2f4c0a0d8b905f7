"""Reply keywords have a scope: a coordinator's keyword changes replies only inside their scope, across two counties.

玛曲县 (623025: 齐哈玛镇 623025101, 欧拉镇 623025102) and 两当县 (621228: 站儿巷镇 621228101) each have a contact;
the coordinator of 齐哈玛镇 adds keywords, the coordinator of 两当县 must neither feel nor see them.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from campaigns.common.errors import Conflict, NotFound, PermissionDenied, ValidationError
from campaigns.directory.grids import insert_grid, level_lookup
from campaigns.identity.access import Actor
from campaigns.models import Contact, Grid
from campaigns.replies.keywords import add_keyword, keywords_for, list_keywords, remove_keyword
from tests.factories import NOW, add_contact
from tests.reply_helpers import receive

QIHAMA, OULA, LIANGDANG = "+8613800000101", "+8613800000102", "+8613800000103"
LATER = NOW + timedelta(minutes=5)


@pytest.fixture
def counties(session_factory, tree) -> dict[str, int]:
    """The demo county 玛曲县 plus a second county, 两当县, with one Mandarin contact in each township."""
    with session_factory.begin() as session:
        levels = level_lookup(session)
        county = insert_grid(session, code="621228", name="两当县", level=levels["county"], parent=None)
        town = insert_grid(session, code="621228101", name="站儿巷镇", level=levels["township"], parent=county)
        add_contact(session, tree["623025101202"], QIHAMA, "王芳")
        add_contact(session, tree["623025102201"], OULA, "多杰")
        add_contact(session, town.id, LIANGDANG, "李明")
        return {**tree, "621228": county.id, "621228101": town.id}


def coordinator(session_factory, grid_id: int, role: str = "coordinator") -> Actor:
    with session_factory() as session:
        return Actor(user_id=None, role=role, scope_path=session.get(Grid, grid_id).path, username=role)


def add(session_factory, actor: Actor, intent: str, keyword: str, **extra) -> dict:
    with session_factory.begin() as session:
        return add_keyword(session, actor, {"language": "zh", "intent": intent, "keyword": keyword, **extra})


def opted_out(session_factory, phone: str) -> bool:
    with session_factory() as session:
        return session.query(Contact).filter_by(phone=phone).one().opted_out


def test_a_township_opt_out_keyword_does_not_unsubscribe_other_townships_or_counties(session_factory, counties):
    add(session_factory, coordinator(session_factory, counties["623025101"]), "opt_out", "好的")
    assert receive(session_factory, LIANGDANG, "好的")["intent"] == "confirm"
    assert receive(session_factory, OULA, "好的", LATER)["intent"] == "confirm"
    assert not opted_out(session_factory, LIANGDANG) and not opted_out(session_factory, OULA)
    assert receive(session_factory, QIHAMA, "好的", LATER)["intent"] == "opt_out"
    assert opted_out(session_factory, QIHAMA)


def test_the_most_specific_scope_decides_what_a_word_means(session_factory, counties):
    add(session_factory, Actor.system(), "confirm", "收悉")
    add(session_factory, coordinator(session_factory, counties["623025"]), "zero_report", "收悉")
    add(session_factory, coordinator(session_factory, counties["623025101"]), "help", "收悉")
    with session_factory() as session:
        paths = {code: session.get(Grid, counties[code]).path for code in ("623025101202", "623025102201", "621228101")}

        def meanings(path):
            return {intent for intent, words in keywords_for(session, "zh", path).items() if "收悉" in words}

        assert meanings(paths["623025101202"]) == {"help"}  # 齐哈玛镇's own keyword
        assert meanings(paths["623025102201"]) == {"zero_report"}  # 玛曲县's keyword, not 齐哈玛镇's
        assert meanings(paths["621228101"]) == {"confirm"}  # only the admin's global keyword
        assert meanings(None) == {"confirm"}  # a sender who is not a contact
        # A scoped word replaces the built-in meaning too: 好的 is a built-in confirmation.
        add(session_factory, coordinator(session_factory, counties["623025101"]), "zero_report", "好的")
        assert "好的" not in keywords_for(session, "zh", paths["623025101202"])["confirm"]
        assert "好的" in keywords_for(session, "zh", paths["623025102201"])["confirm"]
    assert receive(session_factory, QIHAMA, "收悉")["intent"] == "help"
    assert receive(session_factory, OULA, "收悉", LATER)["intent"] == "zero_report"
    assert receive(session_factory, LIANGDANG, "收悉", LATER)["intent"] == "confirm"


def test_words_that_opt_out_everywhere_cannot_mean_something_else_in_one_scope(session_factory, counties):
    township = coordinator(session_factory, counties["623025101"])
    with pytest.raises(Conflict):
        add(session_factory, township, "confirm", "退订")
    add(session_factory, Actor.system(), "opt_out", "不要了")
    with pytest.raises(Conflict):
        add(session_factory, township, "confirm", "不要了")
    assert receive(session_factory, QIHAMA, "不要了")["intent"] == "opt_out"


def test_coordinators_edit_only_keywords_in_their_scope(session_factory, counties):
    qihama = coordinator(session_factory, counties["623025101"])
    liangdang = coordinator(session_factory, counties["621228"])
    county = coordinator(session_factory, counties["623025"])
    global_word = add(session_factory, Actor.system(), "confirm", "收悉")
    county_word = add(session_factory, county, "confirm", "晓得")
    own = add(session_factory, qihama, "opt_out", "好的")
    elsewhere = add(session_factory, liangdang, "confirm", "要得")
    with session_factory.begin() as session:
        with pytest.raises(PermissionDenied):
            remove_keyword(session, qihama, global_word["id"])
        with pytest.raises(PermissionDenied):
            remove_keyword(session, qihama, county_word["id"])
        with pytest.raises(NotFound) as other_county:
            remove_keyword(session, qihama, elsewhere["id"])
        with pytest.raises(NotFound) as never_used:
            remove_keyword(session, qihama, 999_999)
        assert other_county.value.message == never_used.value.message
        remove_keyword(session, county, own["id"])  # 齐哈玛镇 lies in 玛曲县
    with session_factory.begin() as session:
        remove_keyword(session, qihama, add(session_factory, qihama, "opt_out", "好的")["id"])
        remove_keyword(session, Actor.system(), elsewhere["id"])


def test_each_coordinator_lists_only_the_keywords_that_concern_their_scope(session_factory, counties):
    qihama = coordinator(session_factory, counties["623025101"])
    liangdang = coordinator(session_factory, counties["621228"])
    add(session_factory, Actor.system(), "confirm", "收悉")
    add(session_factory, coordinator(session_factory, counties["623025"]), "confirm", "晓得")
    add(session_factory, qihama, "opt_out", "好的")
    add(session_factory, qihama, "help", "咋办", grid_code="623025101202")
    with session_factory() as session:

        def staff(actor):
            return {(item["keyword"], item["scope_grid_code"], item["editable"])
                    for item in list_keywords(session, actor) if not item["builtin"]}  # fmt: skip

        assert staff(qihama) == {("收悉", None, False), ("晓得", "623025", False), ("好的", "623025101", True),
                                 ("咋办", "623025101202", True)}  # fmt: skip
        assert staff(liangdang) == {("收悉", None, False)}
        assert len(staff(Actor.system())) == 4 and all(editable for *_, editable in staff(Actor.system()))
        viewer = coordinator(session_factory, counties["623025101"], role="viewer")
        assert not any(editable for *_, editable in staff(viewer))


def test_a_coordinator_cannot_scope_a_keyword_outside_their_scope_or_make_it_global(session_factory, counties):
    qihama = coordinator(session_factory, counties["623025101"])
    with pytest.raises(ValidationError) as outside:
        add(session_factory, qihama, "confirm", "晓得", grid_code="621228101")
    with pytest.raises(ValidationError) as unknown:
        add(session_factory, qihama, "confirm", "晓得", grid_code="999999")
    assert outside.value.message == unknown.value.message.replace("999999", "621228101")
    assert add(session_factory, qihama, "confirm", "晓得")["scope_grid_code"] == "623025101"
    assert add(session_factory, Actor.system(), "confirm", "晓得")["scope_grid_code"] is None


def test_the_api_scopes_keywords_of_coordinators(client, make_token, counties):
    qihama = {"Authorization": f"Bearer {make_token('coordinator', '623025101')}"}
    liangdang = {"Authorization": f"Bearer {make_token('coordinator', '621228')}"}
    admin = {"Authorization": f"Bearer {make_token('admin')}"}
    added = client.post("/api/v1/keywords", json={"language": "zh", "intent": "opt_out", "keyword": "好的"},
                        headers=qihama)  # fmt: skip
    assert added.status_code == 201 and added.json["scope_grid_code"] == "623025101"
    global_word = client.post("/api/v1/keywords", json={"language": "zh", "intent": "confirm", "keyword": "收悉"},
                              headers=admin)  # fmt: skip
    assert global_word.status_code == 201 and global_word.json["scope_grid_code"] is None
    listed = client.get("/api/v1/keywords?language=zh&intent=opt_out", headers=liangdang).json["items"]
    assert "好的" not in [item["keyword"] for item in listed]
    assert client.delete(f"/api/v1/keywords/{added.json['id']}", headers=liangdang).status_code == 404
    assert client.delete(f"/api/v1/keywords/{global_word.json['id']}", headers=qihama).status_code == 403
    assert client.delete(f"/api/v1/keywords/{added.json['id']}", headers=qihama).status_code == 204
