"""The review page as moderators meet it: `moderation review` (and `serve --review`) in a
subprocess, driven in a real headless Chromium by keyboard; then the label store must hold
exactly the answers given. The browser tests skip when Chromium or its driver is absent; the
HTTP checks of the keys and the command's errors always run."""

from __future__ import annotations

import json
import os
import shutil
import signal
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from moderation.cli import app

from fixtures.servers import start_moderation_server
from fixtures.stores import store_history, store_labels

KEY = "review-key-ana-00001"  # ana's, a moderator
BO_KEY = "review-key-bo-000002"  # bo's
PLATFORM_KEY = "review-key-coral-003"  # the platform's: no reviewing with it
MARKUP = '<script>window.pwned = 1</script><img src=x onerror="window.pwned = 2"> says <b>hi</b>'
COMMENTS = [
    ("r1", None, "The footbridge reopening is great news for everyone walking to school."),
    ("r2", "r1", "> great news for everyone walking to school\nAgreed, and the lights work again."),
    ("r3", None, "You are a brainless idiot and everyone here knows it."),
    ("r4", None, "They planned the flood on purpose and the council is covering it up."),
    ("r5", None, "The bus timetable changed again without any notice to riders."),
    ("r6", "r5", "Thanks for the update, I will check the new times tonight."),
    ("r7", None, "What a pathetic worm, crawl back under your rock."),
    ("r8", None, "The market moves to the square on Saturdays from next month."),
    ("r9", None, "Nobody asked for your stupid opinion, loser."),
    ("r10", None, "The vaccine data is hidden from us by the people in charge."),
    ("gone", None, "[deleted]"),
    ("blank", None, "   "),
]


def write_export(path: Path, comments=COMMENTS, title="Town news") -> Path:
    with open(path, "w", encoding="utf-8") as out:
        for cid, parent, text in comments:
            record = {"id": cid, "thread_id": "town", "thread_title": title, "text": text}
            if parent:
                record["parent_id"] = parent
            out.write(json.dumps(record) + "\n")
    return path


class ReviewServer:
    """`moderation review` (or `serve --review`) in a subprocess."""

    def __init__(self, folder: Path, model: Path, *, keys: bool, command="review", export=None):
        self.folder = folder
        self.store = folder / "labels.db"
        export = export or write_export(folder / "export.jsonl")
        if command == "review":
            args = ["review", str(export), "--store", str(self.store)]
        else:
            args = ["serve", "--review", str(export), "--labels", str(self.store)]
        args += ["--model", str(model)]
        if keys:
            (folder / "keys.txt").write_text(
                f"{KEY} ana\n{BO_KEY} bo moderator\n{PLATFORM_KEY} coral platform\n"
            )
            args += ["--keys", str(folder / "keys.txt")]
        self.process, self.port, self.base = start_moderation_server(args, dict(os.environ))

    def request(self, method, path, body=None, headers=None):
        data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body))
        if isinstance(data, str):
            data = data.encode()
        request = urllib.request.Request(
            self.base + path, data=data, method=method, headers=headers or {}
        )
        opener = urllib.request.build_opener(NoRedirect)
        try:
            with opener.open(request, timeout=30) as response:
                return response.status, response.read().decode(), response.headers
        except urllib.error.HTTPError as err:
            return err.code, err.read().decode(), err.headers

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        assert self.process.wait(timeout=30) == 0


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.fixture
def keyed_server(tmp_path, tiny_model):
    server = ReviewServer(tmp_path, tiny_model, keys=True)
    yield server
    server.stop()


# --- the keys, over plain HTTP ----------------------------------------------------------------


JSON = {"Content-Type": "application/json"}
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def _state(server, headers, body=None):
    status, text, _ = server.request("POST", "/review/api/state", body or {}, {**JSON, **headers})
    return status, json.loads(text)


def test_keys_protect_the_page_and_its_api(keyed_server):
    server = keyed_server
    status, body, _ = server.request("GET", "/review")
    assert status == 401 and 'name="key"' in body and '<label for="key">' in body
    assert _state(server, {})[0] == 401
    answer = {"labeller": "ana", "id": "r1", "answer": "civil"}
    assert server.request("POST", "/review/api/answer", answer, JSON)[0] == 401
    status, body, _ = server.request("POST", "/review/login", b"key=wrong&next=", FORM)
    assert status == 403 and "not one of this server" in body
    status, _, headers = server.request("POST", "/review/login", f"key={KEY}".encode(), FORM)
    assert status == 303 and "HttpOnly" in headers["set-cookie"]
    cookie = {"Cookie": headers["set-cookie"].split(";")[0]}
    status, state = _state(server, cookie)
    assert status == 200 and state["item"]["id"] and state["labeller"] == "ana"
    status, _, headers = server.request("GET", f"/review?labeller=cy&key={BO_KEY}")
    assert status == 303 and headers["location"] == "/review?labeller=cy"  # key off the address
    assert _state(server, {"Cookie": headers["set-cookie"].split(";")[0]})[1]["labeller"] == "bo"
    assert _state(server, {"Cookie": "moderation_review=made-up"})[0] == 401
    assert _state(server, {"Authorization": f"Bearer {BO_KEY}"})[0] == 200
    plain = {"Authorization": f"Bearer {KEY}", "Content-Type": "text/plain"}
    assert server.request("POST", "/review/api/answer", answer, plain)[0] == 415
    assert store_history(server.store) == []
    status, body, _ = server.request("GET", "/review/static/review.js")
    assert status == 200 and "textContent" in body


def test_a_moderator_is_who_their_key_says(keyed_server):
    server = keyed_server
    bearer = {**JSON, "Authorization": f"Bearer {KEY}"}
    first = _state(server, {"Authorization": f"Bearer {KEY}"})[1]["item"]["id"]
    # ana's key answering as "bo": recorded as ana's, whatever the body says
    posed = {"labeller": "bo", "id": first, "answer": "abusive"}
    status, body, _ = server.request("POST", "/review/api/answer", posed, bearer)
    assert status == 200 and json.loads(body)["labeller"] == "ana"
    # and bo cannot undo it: his key has nothing to undo
    bo = {**JSON, "Authorization": f"Bearer {BO_KEY}"}
    status, body, _ = server.request("POST", "/review/api/undo", {"labeller": "ana"}, bo)
    assert status == 409
    platform = {"Authorization": f"Bearer {PLATFORM_KEY}"}
    status, refusal = _state(server, platform)
    assert status == 403 and "the platform's" in refusal["error"]["message"]
    assert [(r.id, r.labeller, r.label) for r in store_history(server.store)] == [
        (first, "ana", "abusive")
    ]


def test_wrong_keys_at_the_login_are_slowed_down(keyed_server):
    server = keyed_server
    for attempt in range(5):
        status, _, _ = server.request("POST", "/review/login", f"key=guess{attempt}".encode(), FORM)
        assert status == 403
    status, body, headers = server.request("POST", "/review/login", f"key={KEY}".encode(), FORM)
    assert status == 429 and "Too many wrong keys" in body and int(headers["retry-after"]) > 0
    status, _, _ = server.request("GET", f"/review?key={KEY}")  # no way round it by the address
    assert status == 401


def test_serve_adds_the_review_page_beside_scoring(tmp_path, tiny_model):
    server = ReviewServer(tmp_path, tiny_model, keys=False, command="serve")
    try:
        status, body, _ = server.request("GET", "/review")
        assert status == 200 and "review.js" in body
        score = {"comments": [{"text": "a lovely day at the market"}]}
        assert server.request("POST", "/v1/score", score, JSON)[0] == 200
        status, state = _state(server, {}, {"labeller": "ana"})
        assert state["progress"]["total"] == 10  # placeholder and blank left out
    finally:
        server.stop()


def test_review_command_errors_are_one_line_and_exit_2(tmp_path, runner, tiny_model):
    store = str(tmp_path / "s.db")
    result = runner.invoke(app, ["review", str(tmp_path / "nope.jsonl"), "--store", store])
    assert result.exit_code == 2 and "nope.jsonl: not found" in result.output
    result = runner.invoke(app, ["review", "x", "--store", store, "--order", "loud"])
    assert result.exit_code == 2 and "--order 'loud'" in result.output
    export = write_export(tmp_path / "e.jsonl")
    result = runner.invoke(app, ["serve", "--review", str(export)])
    assert result.exit_code == 2 and "--review needs --labels" in result.output
    result = runner.invoke(
        app, ["serve", "--review", str(export), "--labels", store, "--workers", "2"]
    )
    assert result.exit_code == 2 and "--workers 1" in result.output
    assert "Traceback" not in result.output


# --- in a real browser ------------------------------------------------------------------------


def _browser_paths() -> tuple[str, str]:
    browser = next(
        (shutil.which(name) for name in ("chromium", "chromium-browser") if shutil.which(name)),
        None,
    )
    driver = shutil.which("chromedriver")
    if not browser or not driver:
        pytest.skip(
            "the review page's browser tests need Chromium and its driver on PATH "
            "(Debian: apt-get install chromium chromium-driver); not found"
        )
    pytest.importorskip("selenium", reason="the browser tests need selenium (the dev extra)")
    return browser, driver


@pytest.fixture
def browsers():
    """Start headless Chromium sessions on demand; all are closed at the end."""
    browser, driver_path = _browser_paths()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opened = []

    def start():
        options = webdriver.ChromeOptions()
        options.binary_location = browser
        for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage"):
            options.add_argument(argument)
        options.add_argument("--window-size=1100,1000")
        session = webdriver.Chrome(options=options, service=Service(driver_path))
        opened.append(session)
        return session

    yield start
    for session in opened:
        session.quit()


def _wait(condition, what, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def _text(session, element_id):
    from selenium.webdriver.common.by import By

    return session.find_element(By.ID, element_id).text


def _press(session, keys):
    """Keys as a moderator types them: to whatever has the focus."""
    from selenium.webdriver.common.action_chains import ActionChains

    ActionChains(session).send_keys(keys).perform()


def _ready(session):
    _wait(lambda: session.execute_script("return document.body.dataset.ready === '1'"), "page")


def _answer(session, key, store):
    """Press ``key`` on the comment shown; return its id once the page confirms, checking the
    answer was already in the store."""
    cid = _text(session, "comment-id")
    before = session.execute_script("return Number(document.body.dataset.answers || 0)")
    _press(session, key)
    _wait(
        lambda: (
            session.execute_script("return Number(document.body.dataset.answers || 0)") > before
        ),
        f"the answer to {cid}",
    )
    assert f"for {cid}" in _text(session, "status")
    assert cid in {r.id for r in store_history(store)}  # on disk before the page moved on
    return cid


def test_a_moderator_answers_undoes_and_corrects_with_the_keyboard_alone(browsers, keyed_server):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    server, session = keyed_server, browsers()
    session.get(server.base + "/review")
    assert "needs a key" in session.page_source
    _press(session, KEY + Keys.ENTER)  # the key field has the focus
    _ready(session)  # no name asked: the key says who this is
    assert "Reviewing as ana" in _text(session, "who")

    first = _answer(session, "a", server.store)
    second = _answer(session, "c", server.store)
    third = _answer(session, "p", server.store)
    assert _text(session, "comment-id") not in (first, second, third)
    assert _text(session, "you-today") == "3"

    _press(session, "x")
    assert "Unknown key “x”" in _text(session, "status")
    assert "c civil, a abusive" in _text(session, "status")

    _press(session, "u")
    _wait(lambda: "Undone: conspiracy for " + third in _text(session, "status"), "the undo")
    assert _text(session, "comment-id") == third  # shown again

    _press(session, "h")  # to the history, then Tab to the change wanted
    wanted = f"Change {first} to conspiracy"
    for _ in range(12):
        if session.switch_to.active_element.get_attribute("aria-label") == wanted:
            break
        _press(session, Keys.TAB)
    assert session.switch_to.active_element.get_attribute("aria-label") == wanted
    _press(session, Keys.ENTER)
    _wait(lambda: f"Corrected {first}: abusive → conspiracy" in _text(session, "status"), "fix")

    records = store_history(server.store)
    assert [(r.id, r.action, r.supersedes) for r in records] == [
        (first, "label", None),
        (second, "label", None),
        (third, "label", None),
        (third, "undo", records[2].seq),
        (first, "label", records[0].seq),  # the correction names the answer it replaces
    ]
    assert {r.labeller for r in records} == {"ana"}
    assert store_labels(server.store) == {first: "conspiracy", second: "civil"}
    # what a screen reader is told
    assert session.find_element(By.ID, "status").get_attribute("role") == "status"
    assert session.find_element(By.ID, "answers").get_attribute("aria-label") == "Answer"
    buttons = session.find_elements(By.CSS_SELECTOR, "#answers button")
    assert [b.get_attribute("aria-keyshortcuts") for b in buttons][:3] == ["c 1", "a 2", "p 3"]


def test_two_browser_sessions_answer_at_once_without_sharing_a_comment(
    tmp_path, tiny_model, browsers
):
    server = ReviewServer(tmp_path, tiny_model, keys=False)
    try:
        sessions = {name: browsers() for name in ("ana", "bo")}
        for name, session in sessions.items():
            session.get(f"{server.base}/review?labeller={name}")
            _ready(session)
        shown = {name: _text(s, "comment-id") for name, s in sessions.items()}
        assert shown["ana"] != shown["bo"]
        answered: dict[str, list[str]] = {}
        errors = []

        def work(name, keys):
            try:
                answered[name] = [_answer(sessions[name], key, server.store) for key in keys]
            except Exception as err:  # reported below, with the other session's result
                errors.append(err)

        threads = [
            threading.Thread(target=work, args=("ana", "aca")),
            threading.Thread(target=work, args=("bo", "cpc")),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert not errors, errors
        assert not set(answered["ana"]) & set(answered["bo"])
        expected = dict(zip(answered["ana"], ["abusive", "civil", "abusive"]))
        expected.update(zip(answered["bo"], ["civil", "conspiracy", "civil"]))
        assert store_labels(server.store) == expected
        who = {r.id: r.labeller for r in store_history(server.store)}
        assert {cid for cid, name in who.items() if name == "ana"} == set(answered["ana"])
        everyone = sessions["ana"]
        everyone.refresh()
        _ready(everyone)
        assert _text(everyone, "everyone-today") == "6"
        assert _text(everyone, "left") == "4 of 10"
    finally:
        server.stop()


def test_markup_in_a_comment_shows_as_text(tmp_path, tiny_model, browsers):
    from selenium.webdriver.common.by import By

    export = write_export(
        tmp_path / "markup.jsonl",
        [("m0", None, "<i>parent</i> said hello to everyone"), ("m1", "m0", MARKUP)],
        title="<b>Bold</b> & co",
    )
    server = ReviewServer(tmp_path, tiny_model, keys=False, export=export)
    try:
        session = browsers()
        session.get(f"{server.base}/review?labeller=ana")
        _ready(session)
        shown = {}
        for _ in range(2):
            cid = _text(session, "comment-id")
            shown[cid] = session.execute_script(
                "return document.getElementById('text').textContent"
            )
            assert _text(session, "thread") == "<b>Bold</b> & co"
            assert not session.find_elements(By.CSS_SELECTOR, "#card script, #card img, #card b")
            _answer(session, "a", server.store)
        assert MARKUP in shown["m1"].replace(" (towards abusive)", "").replace(
            " (towards civil)", ""
        )
        assert session.execute_script("return window.pwned === undefined")
        stored = {r.id: r.text for r in store_history(server.store)}
        assert stored["m1"] == MARKUP
    finally:
        server.stop()


def test_a_long_comment_keeps_the_answer_buttons_in_view(tmp_path, tiny_model, browsers):
    """At 1280x900 a long comment used to push the buttons below the fold; they stick to the
    bottom of the window. The screenshot is kept for a person to look at when it fails."""
    long_text = " ".join(
        f"Paragraph {n}: the bus timetable changed again and nobody told the riders."
        for n in range(60)
    )
    export = write_export(tmp_path / "long.jsonl", [("l1", None, long_text)])
    server = ReviewServer(tmp_path, tiny_model, keys=False, export=export)
    try:
        session = browsers()
        session.set_window_size(1280, 900)
        session.get(f"{server.base}/review?labeller=ana")
        _ready(session)
        assert _text(session, "comment-id") == "l1"
        box = session.execute_script(
            "const r = document.getElementById('answers').getBoundingClientRect();"
            "const t = document.getElementById('text').getBoundingClientRect();"
            "return {top: r.top, bottom: r.bottom, height: window.innerHeight, text: t.bottom};"
        )
        session.save_screenshot(str(tmp_path / "long-comment.png"))
        assert box["text"] > box["height"], "the comment is not long enough to test this"
        assert 0 <= box["top"] and box["bottom"] <= box["height"], (box, tmp_path)
        _answer(session, "c", server.store)  # and the keys still answer
    finally:
        server.stop()


def test_one_moderator_in_two_tabs_answering_one_comment_corrects_it(browsers, keyed_server):
    from selenium.webdriver.common.keys import Keys

    server, session = keyed_server, browsers()
    session.get(server.base + "/review")
    _press(session, KEY + Keys.ENTER)
    _ready(session)
    first_tab = session.current_window_handle
    session.switch_to.new_window("tab")  # the same moderator, the same session
    session.get(server.base + "/review")
    _ready(session)
    second_tab = session.current_window_handle
    shown = _text(session, "comment-id")
    session.switch_to.window(first_tab)
    assert _text(session, "comment-id") == shown  # ana holds it, in both tabs
    _answer(session, "c", server.store)
    session.switch_to.window(second_tab)
    _press(session, "a")  # the same comment, answered again from the other tab
    _wait(lambda: f"Corrected {shown}: civil → abusive" in _text(session, "status"), "the fix")
    records = store_history(server.store)
    assert [(r.id, r.label, r.supersedes) for r in records] == [
        (shown, "civil", None),
        (shown, "abusive", records[0].seq),
    ]
    assert store_labels(server.store) == {shown: "abusive"}  # the store opens and reads


ATTACK = """<!doctype html><html><body>
<form method="post" enctype="text/plain" action="{base}/v1alpha1/comments:suggestscore">
<input name='{{"comment": {{"text": "planted by another site"}}, "attributeScores":
{{"TOXICITY": {{"summaryScore": {{"value": 1}}}}}}, "clientToken": "comment:planted", "x": "'
value='"}}'></form>
<img src="{base}/review/api/state?labeller=ghost1">
<img src="{base}/review/api/state?labeller=ghost2">
<script>
fetch("{base}/review/api/answer", {{method: "POST", mode: "no-cors",
  headers: {{"Content-Type": "application/json"}},
  body: JSON.stringify({{labeller: "ghost3", id: "r1", answer: "abusive"}})}})
  .finally(() => document.forms[0].submit());
</script></body></html>"""


def test_a_page_on_another_site_can_neither_plant_labels_nor_take_the_queue(
    tmp_path, tiny_model, browsers
):
    """A keyless `serve --review` (the README's setup), and a page on another site that a
    moderator opens: a text/plain form POST to comments:suggestscore, images pointing at the
    queue's state for made-up names, a no-cors fetch to the answer API."""
    import http.server
    import socketserver

    server = ReviewServer(tmp_path, tiny_model, keys=False, command="serve")
    page = ATTACK.format(base=server.base).encode()

    class Attack(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args):
            pass

    attacker = socketserver.TCPServer(("127.0.0.1", 0), Attack)
    thread = threading.Thread(target=attacker.serve_forever, daemon=True)
    thread.start()
    try:
        session = browsers()
        session.get(f"http://localhost:{attacker.server_address[1]}/")  # another site
        _wait(lambda: server.base in session.current_url or _posted(session), "the form post")
        time.sleep(1.0)  # the images and the fetch have been sent too
        assert store_history(server.store) == []  # nothing planted
        # the ten comments of the queue go to ten moderators: none was leased to a ghost
        shown = [_state(server, {}, {"labeller": f"mod{n}"})[1]["item"] for n in range(10)]
        assert None not in shown and len({item["id"] for item in shown}) == 10
    finally:
        attacker.shutdown()
        attacker.server_close()
        server.stop()


def _posted(session) -> bool:
    return "attributeScores" not in session.page_source


def test_a_failure_the_routes_did_not_catch_is_a_page_a_moderator_can_read():
    """Before: a bare text/plain "Internal Server Error" (the page showed a parse error)."""
    import asyncio

    from starlette.requests import Request as StarletteRequest

    from moderation.serving.app import _server_error

    def request(path):
        scope = {"type": "http", "method": "GET", "path": path, "headers": [], "query_string": b""}
        return StarletteRequest(scope)

    page = asyncio.run(_server_error(request("/review"), RuntimeError("a bug")))
    assert page.status_code == 500 and page.media_type.startswith("text/html")
    assert b"may not be saved" in page.body and b"a bug" not in page.body
    api = asyncio.run(_server_error(request("/review/api/answer"), RuntimeError("a bug")))
    assert api.media_type == "application/json" and json.loads(api.body)["error"]["code"] == 500
