"""Watches through the API (`/v1/watches`): added with a read-write key (asked at once), the
articles posted afterwards re-ask it in the background, the change shows in the list (the
badge's count) and in its history with both answers cited; marking it seen clears the count;
a read key reads but cannot add, mark or remove; bad fields are refused naming the field."""

from __future__ import annotations

from collections.abc import Callable

from assistant.api import create_app
from assistant.app import Newsdesk
from assistant.settings import Names
from tests.api.conftest import READ_KEY, WRITE_KEY, local_client, with_api
from tests.test_watches import EARLY, LATER, QUESTION, settle

AUTH_WRITE = {"Authorization": f"Bearer {WRITE_KEY}"}
AUTH_READ = {"Authorization": f"Bearer {READ_KEY}"}


def test_a_watch_added_through_the_api_shows_the_change_after_new_articles(
    make_app: Callable[..., Newsdesk],
):
    app = with_api(make_app(), keys=Names([WRITE_KEY]), read_keys=Names([READ_KEY]))
    with local_client(create_app(app, warm_up=False)) as c:
        assert c.post("/v1/articles", json=EARLY, headers=AUTH_WRITE).status_code == 200
        refused = c.post("/v1/watches", json={"question": QUESTION}, headers=AUTH_READ)
        assert refused.status_code == 403
        added = c.post("/v1/watches", json={"question": QUESTION}, headers=AUTH_WRITE)
        assert added.status_code == 201, added.text
        watch = added.json()
        assert watch["last"]["value"] == ["900"] and watch["unseen"] == 0
        assert watch["changes"] == []

        assert c.post("/v1/articles", json=LATER, headers=AUTH_WRITE).status_code == 200
        settle(app)
        (listed,) = c.get("/v1/watches", headers=AUTH_READ).json()["items"]
        assert listed["unseen"] == 1 and listed["last"]["value"] == ["2500"]
        shown = c.get(f"/v1/watches/{watch['id']}", headers=AUTH_READ).json()
        (change,) = shown["changes"]
        assert change["before"]["value"] == ["900"] and change["after"]["value"] == ["2500"]
        assert change["after"]["citations"][0]["quote"] and change["delivery"] is None

        seen = f"/v1/watches/{watch['id']}/seen"
        assert c.post(seen, headers=AUTH_READ).status_code == 403
        assert c.post(seen, headers=AUTH_WRITE).status_code == 204
        assert c.get("/v1/watches", headers=AUTH_READ).json()["items"][0]["unseen"] == 0
        assert c.post("/v1/watches/check", headers=AUTH_WRITE).json() == {"changes": []}

        assert c.delete(f"/v1/watches/{watch['id']}", headers=AUTH_READ).status_code == 403
        assert c.delete(f"/v1/watches/{watch['id']}", headers=AUTH_WRITE).status_code == 204
        assert c.get(f"/v1/watches/{watch['id']}", headers=AUTH_READ).status_code == 404
        assert c.get("/v1/watches", headers=AUTH_READ).json()["items"] == []


def test_bad_watch_fields_are_refused_naming_the_field(make_app: Callable[..., Newsdesk]):
    app = with_api(make_app(), keys=Names([WRITE_KEY]))
    with local_client(create_app(app, warm_up=False)) as c:
        for body, named in [
            ({"question": " "}, "question"),
            ({"question": QUESTION, "since": "last week"}, "since"),
            ({"question": QUESTION, "webhook": "ftp://example.com/x"}, "webhook"),
            ({"question": QUESTION, "webhook": "http://10.0.0.5/hook"}, "webhook"),
            ({"question": QUESTION, "colour": "red"}, "colour"),
        ]:
            response = c.post("/v1/watches", json=body, headers=AUTH_WRITE)
            assert response.status_code == 422, (body, response.text)
            assert named in response.text, (body, response.text)
        assert c.get("/v1/watches", headers=AUTH_WRITE).json()["items"] == []
