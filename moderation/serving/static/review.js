// The review page: one key per answer, the next comment from the server's reply.
// Comment text is only ever put on the page with textContent: markup shows as text.
"use strict";

(function () {
  const KEYS = {
    c: "civil", 1: "civil", a: "abusive", 2: "abusive", p: "conspiracy", 3: "conspiracy",
    s: "skip", u: "undo", h: "history", e: "explain", n: "comment",
  };
  const KEY_HELP = "c civil, a abusive, p conspiracy, s skip, u undo, h history";
  const RENEW_MS = 60000;
  const $ = (id) => document.getElementById(id);
  let labeller = null;
  let current = null;      // the comment shown
  let explained = null;    // which label's words are marked
  let busy = false;        // one request at a time: a second key press waits for the first
  let pressedAt = 0;

  function el(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }

  function say(message, problem) {
    const status = $("status");
    status.textContent = message;
    status.classList.toggle("problem", Boolean(problem));
  }

  function pct(x) {
    return x === null || x === undefined ? "–" : Math.round(x * 100) + "%";
  }

  // Every request is a JSON POST (the server refuses writes in any other shape). With keys the
  // server knows who is answering from the session; without, the page sends the name given.
  async function call(path, body) {
    if (labeller) body.labeller = labeller;
    const response = await fetch(path, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    // an answer that is not JSON (a proxy's error page) still says what happened
    const data = await response.json().catch(() => ({}));
    if (!response.ok) {
      const error = new Error((data.error && data.error.message) ||
        `Not saved: the server answered ${response.status} ${response.statusText}; try again.`);
      error.login = Boolean(data.error && data.error.login);
      error.nameNeeded = Boolean(data.error && data.error.name_needed);
      throw error;
    }
    return data;
  }

  function showPieces(box, pieces) {
    box.replaceChildren();
    let quoting = false;
    for (const piece of pieces) {
      let node;
      if (piece.term !== undefined) {
        const up = piece.contribution > 0;
        node = el("mark", piece.text, up ? "up" : "down");
        node.title = piece.term + " " + (up ? "+" : "") + piece.contribution.toFixed(2);
        node.append(el("span", " (" + (up ? "towards " + explained : "towards civil") + ")",
          "visually-hidden"));
      } else {
        node = el("span", piece.text);
      }
      if (piece.quote) {
        const quoted = el("span", null, "quoted");
        if (!quoting) quoted.append(el("span", "[quoted] ", "visually-hidden"));
        quoted.append(node);
        node = quoted;
      }
      quoting = Boolean(piece.quote);
      box.append(node);
    }
  }

  function showExplanation() {
    const part = current.explanation[explained];
    $("legend-label").textContent = explained;
    showPieces($("text"), part.pieces);
    const terms = $("terms");
    terms.replaceChildren();
    for (const term of part.terms.slice(0, 8)) {
      const up = term.contribution > 0;
      terms.append(el("li", (term.shown || term.term) + " " + (up ? "+" : "") + term.contribution.toFixed(2),
        up ? "up" : "down"));
    }
    if (!part.terms.length) {
      terms.append(el("li", "no known word leans either way: the score is the model's prior",
        "dim"));
    }
    for (const button of $("explain-switch").children) {
      button.setAttribute("aria-pressed", String(button.dataset.label === explained));
    }
  }

  function showItem(item) {
    current = item;
    $("card").hidden = !item;
    $("done").hidden = Boolean(item);
    if (!item) return;
    $("comment-id").textContent = item.id;
    $("thread").textContent = item.thread_title || item.thread_id || "–";
    const parentBox = $("parent-box");
    parentBox.hidden = !item.parent;
    if (item.parent) {
      const parent = $("parent");
      parent.replaceChildren();
      for (const piece of item.parent) {
        parent.append(piece.quoted ? el("mark", piece.text, "quoted-source") : el("span", piece.text));
      }
    }
    const scores = Object.entries(item.scores || {})
      .map(([label, value]) => label + " " + value.toFixed(2)).join(", ");
    const flags = item.flags.length ? "flagged " + item.flags.join(", ") : "not flagged";
    $("model-line").textContent = "Model: " + item.prediction + " (" + scores + "); " + flags + ".";
    $("card").classList.toggle("flagged", item.flags.length > 0);
    const labels = Object.keys(item.explanation);
    explained = labels[0];
    const switcher = $("explain-switch");
    switcher.replaceChildren();
    if (labels.length > 1) {
      for (const label of labels) {
        const button = el("button", "Mark words for " + label);
        button.type = "button";
        button.dataset.label = label;
        button.addEventListener("click", () => { explained = label; showExplanation(); });
        switcher.append(button);
      }
    }
    showExplanation();
  }

  function showHistory(history) {
    const list = $("history");
    list.replaceChildren();
    $("history-box").hidden = history.length === 0;
    for (const entry of history) {
      const item = el("li");
      item.dataset.id = entry.id;
      item.append(el("span", entry.answer, "answer " + entry.answer), " ",
        el("span", entry.id, "dim"), " ", el("q", entry.text));
      const group = el("span", null, "change");
      group.setAttribute("role", "group");
      group.setAttribute("aria-label", "Change the answer for " + entry.id);
      for (const label of ["civil", "abusive", "conspiracy"]) {
        if (label === entry.answer) continue;
        const button = el("button", label);
        button.type = "button";
        button.dataset.correct = label;
        button.setAttribute("aria-label", "Change " + entry.id + " to " + label);
        button.addEventListener("click", () => act({ kind: "correct", id: entry.id, label: label }));
        group.append(button);
      }
      item.append(" ", group);
      list.append(item);
    }
  }

  function showState(state) {
    const p = state.progress;
    $("you-today").textContent = p.you_today;
    $("everyone-today").textContent = p.everyone_today;
    $("left").textContent = p.left + " of " + p.total;
    $("agreement").textContent = p.compared ? pct(p.agreement) + " of " + p.compared : "–";
    $("queue-name").textContent = state.export + " · " + state.order + " first";
    $("who").textContent = "Reviewing as " + state.labeller + " · model " + state.model;
    showItem(state.item);
    showHistory(state.history);
  }

  function confirmation(saved) {
    if (!saved) return "";
    const also = saved.also_answered_by.length
      ? " " + saved.also_answered_by.map((a) => a.labeller + " answered it " + a.label).join("; ")
        + ": both answers are kept."
      : "";
    if (saved.what === "undone") return "Undone: " + saved.answer + " for " + saved.id + ".";
    if (saved.what === "unchanged") {
      return "Already answered: " + saved.answer + " for " + saved.id + " stands.";
    }
    if (saved.what === "corrected") {
      return "Corrected " + saved.id + ": " + saved.was + " → " + saved.answer + ", saved.";
    }
    if (saved.answer === "skip") return "Skipped " + saved.id + ": it comes back at the end." + also;
    const where = saved.store.split("/").pop();
    return "Saved: " + saved.answer + " for " + saved.id + ", in " + where + "." + also;
  }

  async function act(request) {
    if (busy) return;
    busy = true;
    pressedAt = performance.now();
    try {
      let state;
      if (request.kind === "answer") {
        state = await call("/review/api/answer", { id: current.id, answer: request.answer });
      } else if (request.kind === "undo") {
        state = await call("/review/api/undo", {});
      } else {
        state = await call("/review/api/correct", { id: request.id, label: request.label });
      }
      showState(state);
      document.body.dataset.lastAnswerMs = (performance.now() - pressedAt).toFixed(1);
      document.body.dataset.answers = String(Number(document.body.dataset.answers || 0) + 1);
      say(confirmation(state.saved) + (state.item ? "" : " Nothing left to review."));
    } catch (error) {
      say(error.login ? "Your session ended: reload the page and sign in again." : error.message,
        true);
    } finally {
      busy = false;
    }
  }

  function onKey(event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.repeat) return;
    const target = event.target;
    if (target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA")) return;
    if (event.key.length !== 1 || event.key === " ") return;  // Tab, Enter, arrows: the browser's
    const choice = KEYS[event.key.toLowerCase()];
    if (!labeller) return;
    if (!choice) {
      say("Unknown key “" + event.key + "”: the keys are " + KEY_HELP + ".", true);
      return;
    }
    event.preventDefault();
    if (choice === "history") {
      const first = document.querySelector("#history button");
      if (first) first.focus(); else say("No answers yet to change.");
    } else if (choice === "comment") {
      $("card").focus();
    } else if (choice === "explain") {
      if (!current) return;
      const labels = Object.keys(current.explanation);
      explained = labels[(labels.indexOf(explained) + 1) % labels.length];
      showExplanation();
      say("Marked words: towards " + explained + ".");
    } else if (choice === "undo") {
      act({ kind: "undo" });
    } else if (current) {
      act({ kind: "answer", answer: choice });
    } else {
      say("Nothing to answer: the queue is empty.");
    }
  }

  function askForName() {
    $("name-form").hidden = false;
    $("name-input").focus();
  }

  let renewing = null;

  async function start(name) {
    labeller = name;
    $("name-form").hidden = true;
    let state;
    try {
      state = await call("/review/api/state", {});
    } catch (error) {
      if (error.nameNeeded) {
        labeller = null;
        askForName();
        return;
      }
      say(error.login ? "Your session ended: reload the page and sign in again." : error.message,
        true);
      return;
    }
    labeller = state.labeller;  // with keys: the name the key belongs to
    if (name) {
      try { localStorage.setItem("moderation-labeller", name); } catch (e) { /* private mode */ }
    }
    showState(state);
    say(state.item ? "Ready: answer with one key." : "Nothing left to review.");
    if (state.item) $("card").focus();
    document.body.dataset.ready = "1";
    if (renewing === null) {
      renewing = setInterval(() => {
        if (current && !document.hidden) {
          call("/review/api/lease", { id: current.id }).catch(() => {});
        }
      }, RENEW_MS);
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.addEventListener("keydown", onKey);
    for (const button of document.querySelectorAll("#answers [data-answer]")) {
      button.addEventListener("click", () => {
        if (current) act({ kind: "answer", answer: button.dataset.answer });
      });
    }
    $("undo").addEventListener("click", () => act({ kind: "undo" }));
    $("name-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const name = $("name-input").value.trim();
      if (name) start(name);
    });
    const given = new URLSearchParams(location.search).get("labeller");
    let remembered = null;
    try { remembered = localStorage.getItem("moderation-labeller"); } catch (e) { /* none */ }
    start(given || remembered || null);
  });
})();
