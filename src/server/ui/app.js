// The QA console of n4n-mock: plain JavaScript, no framework, no build step.
// It talks only to the origin that served it: the admin API under /__mock/
// and the API endpoints. Every text from the server is written with
// textContent, never parsed as HTML.
"use strict";

(function () {
  const JOURNAL_EVERY_MS = 500;
  const SCENARIOS_EVERY_MS = 1000;
  const HEALTH_EVERY_MS = 2000;
  const JOURNAL_ROWS = 200;
  const KEY_USERNAME = "n4n-mock.api-username";
  const KEY_API_KEY = "n4n-mock.api-key";

  const IDENTIFIERS = ["transaction_hash", "orderid", "click_hash", "transactionid"];
  // What every event may carry onto the transaction it appends.
  const EVENT_EXTRAS = ["trans_custom1", "trans_custom2", "trans_custom3", "trans_custom4", "trans_custom5"];
  const ACTIONS = [
    { name: "click_detail", method: "GET", path: "/api/transaction/click_detail",
      params: ["transaction_hash", "subscription_id", "orderid"] },
    { name: "ping", method: "GET", path: "/api/service/ping", params: [] },
    { name: "process_void", method: "POST", path: "/api/transaction/process_void",
      params: IDENTIFIERS.concat(["type", "approved"], EVENT_EXTRAS) },
    { name: "process_chargeback", method: "POST", path: "/api/transaction/process_chargeback",
      params: IDENTIFIERS.concat(["type", "cost"], EVENT_EXTRAS), defaults: { type: "chargeback" } },
    { name: "process_reversal", method: "POST", path: "/api/transaction/process_reversal",
      params: IDENTIFIERS.concat(["reverse"], EVENT_EXTRAS), defaults: { reverse: "1" } },
    { name: "transaction_update_revenue_by_orderid", method: "PATCH",
      path: "/api/transaction/transaction_update_revenue_by_orderid", params: ["orderid", "amount"] },
    { name: "transaction_update_revenue_by_transaction_hash", method: "PATCH",
      path: "/api/transaction/transaction_update_revenue_by_transaction_hash",
      params: ["transaction_hash", "amount"] },
    { name: "transaction_payout_preview", method: "GET",
      path: "/api/transaction/transaction_payout_preview",
      params: ["transaction_hash", "amount", "transaction_type"] },
    { name: "check_orderid_exists", method: "GET", path: "/api/offer/check_orderid_exists",
      params: ["orderid"] },
  ];
  const HINTS = {
    amount: "whole cents for a revenue update (2995); a number for a preview",
    cost: "optional, a number",
    type: "optional: void",
    reverse: "1, true or yes",
    transaction_type: "optional, initial by default",
    approved: "optional, accepted and ignored",
  };
  for (const name of EVENT_EXTRAS) {
    HINTS[name] = "optional, at most 255 characters, kept on the event transaction";
  }

  const $ = (id) => document.getElementById(id);

  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (name === "text") node.textContent = value;
      else if (name === "className") node.className = value;
      else node.setAttribute(name, value === true ? "" : String(value));
    }
    for (const child of children || []) {
      if (child !== null && child !== undefined) node.append(child);
    }
    return node;
  }

  async function call(method, path, body) {
    const init = { method, cache: "no-store", credentials: "same-origin", headers: {} };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const response = await fetch(path, init);
    const text = await response.text();
    let json = null;
    try { json = JSON.parse(text); } catch (_) { json = null; }
    return { status: response.status, json, text };
  }

  // ---- connection line ----------------------------------------------------

  let lastFailure = null;
  function connected(ok, why) {
    const line = $("connection");
    if (ok) {
      lastFailure = null;
      line.textContent = "Connected to " + location.host + "; the journal is read every "
        + JOURNAL_EVERY_MS / 1000 + " s, the scenarios every " + SCENARIOS_EVERY_MS / 1000 + " s.";
      line.classList.remove("down");
    } else if (lastFailure !== why) {
      lastFailure = why;
      line.textContent = "The mock does not answer (" + why + "); trying again.";
      line.classList.add("down");
    }
  }

  // ---- scenarios ----------------------------------------------------------

  let scenarioText = "";
  let scenarioNames = [];

  function showResult(kind, title, lines, source) {
    const box = $("admin-result");
    box.replaceChildren(el("p", { text: title }));
    if (lines && lines.length) {
      box.append(el("ul", { className: "problems" }, lines.map((l) => el("li", { text: l }))));
    }
    box.className = "result " + kind;
    box.dataset.source = source;
    box.hidden = false;
  }

  function problemLines(problems) {
    return (problems || []).map((p) => p.path + ":" + p.line + ":" + p.column + ": " + p.message);
  }

  function count(label, value) {
    return el("div", { className: "count" }, [el("dt", { text: label }), el("dd", { text: String(value) })]);
  }

  function scenarioRow(s, active) {
    const isActive = s.name === active;
    const button = el("button", {
      type: "button", className: "make-active", disabled: isActive,
      "aria-label": isActive ? undefined : "Make " + s.name + " active",
      text: "Make active",
    });
    button.addEventListener("click", () => activate(s.name));
    const head = el("div", { className: "scenario-head" }, [
      el("h3", { text: s.name }),
      isActive ? el("span", { className: "badge", text: "active" }) : null,
      button,
    ]);
    const counters = s.counters || {};
    const counts = el("dl", { className: "counts" }, [
      count("clicks", s.clicks),
      count("transactions", s.transactions),
      count("events", s.events),
      count("requests", counters.requests),
      count("faults", counters.faults),
      count("rate limited", counters.rate_limited),
    ]);
    const events = s.event_log || [];
    let log = null;
    if (events.length) {
      log = el("ol", { className: "event-log", "aria-label": "Lifecycle events of " + s.name },
        events.map((e) => el("li", {}, [
          el("span", { className: "kind", text: e.kind }), " of ",
          el("code", { text: e.transaction_hash }), " → ",
          el("code", { text: e.event_hash }), " at " + e.time,
        ])));
    }
    return el("li", {
      className: "scenario" + (isActive ? " active" : ""),
      "data-scenario": s.name,
      "data-active": isActive ? "true" : undefined,
    }, [head, el("p", { className: "desc", text: s.description || "(no description)" }), counts, log]);
  }

  // The options are rebuilt only when the names changed: a redraw of the
  // scenarios (their counters move with every request) must not replace a
  // list the user may have open.
  function fillSelect(select, names, first) {
    const listed = Array.from(select.options, (o) => o.value).slice(1);
    if (listed.length === names.length && listed.every((n, i) => n === names[i])) return;
    const chosen = select.value;
    select.replaceChildren(el("option", { value: "", text: first }),
      ...names.map((n) => el("option", { value: n, text: n })));
    select.value = names.includes(chosen) ? chosen : "";
  }

  async function refreshScenarios() {
    const answer = await call("GET", "/__mock/scenario");
    if (answer.status !== 200 || !answer.json) throw new Error("scenario list: " + answer.status);
    if (answer.text === scenarioText) return;
    scenarioText = answer.text;
    const data = answer.json;
    // Keep the keyboard where it was across a redraw.
    const focused = document.activeElement && document.activeElement.closest("[data-scenario]");
    const focusedName = focused ? focused.dataset.scenario : null;
    $("scenario-list").replaceChildren(...data.scenarios.map((s) => scenarioRow(s, data.active)));
    if (focusedName) {
      const button = document.querySelector('[data-scenario="' + CSS.escape(focusedName) + '"] button');
      if (button && !button.disabled) button.focus();
    }
    scenarioNames = data.scenarios.map((s) => s.name);
    fillSelect($("filter-scenario"), scenarioNames, "any");
    fillSelect($("try-scenario"), scenarioNames, "the active one");
  }

  async function activate(name) {
    try {
      const answer = await call("PUT", "/__mock/scenario", { name });
      if (answer.status === 200) {
        showResult("ok", "Active scenario: " + answer.json.active + " (was " + answer.json.previous + ").", [], "action");
      } else {
        showResult("bad", "Not switched (" + answer.status + "): " + messageOf(answer), [], "action");
      }
      await refreshScenarios();
    } catch (err) {
      showResult("bad", "Not switched: " + err.message, [], "action");
    }
    $("admin-result").focus();
  }

  function messageOf(answer) {
    return answer.json && answer.json.message ? answer.json.message : answer.text;
  }

  // An admin button's action: the button disabled meanwhile, the scenarios
  // redrawn after, a mock that could not be reached reported.
  async function withButton(id, what, action) {
    const button = $(id);
    button.disabled = true;
    try {
      await action();
      await refreshScenarios();
    } catch (err) {
      showResult("bad", what + " failed: " + err.message, [], "action");
    } finally {
      button.disabled = false;
    }
  }

  function reload() {
    return withButton("reload", "Reload", async () => {
      const answer = await call("POST", "/__mock/reload");
      if (answer.status === 200) {
        showResult("ok", "Reloaded: " + answer.json.scenarios.length + " scenarios; active: "
          + answer.json.active + ".", [], "action");
      } else {
        const json = answer.json || {};
        showResult("bad", json.message || ("Reload failed (" + answer.status + ")"),
          problemLines(json.problems), "reload");
      }
    });
  }

  function reset() {
    return withButton("reset", "Reset", async () => {
      const answer = await call("POST", "/__mock/reset");
      if (answer.status === 200) {
        showResult("ok", "Reset: every scenario's data, events and fault counters are as loaded.", [], "action");
      } else {
        showResult("bad", "Reset failed (" + answer.status + "): " + messageOf(answer), [], "action");
      }
    });
  }

  // A reload that failed elsewhere (SIGHUP, --watch) shows here too.
  async function refreshHealth() {
    const answer = await call("GET", "/__mock/health");
    if (answer.status !== 200 || !answer.json) throw new Error("health: " + answer.status);
    const failure = answer.json.last_reload_error;
    const box = $("admin-result");
    if (failure && box.dataset.source !== "reload") {
      showResult("bad", "The last reload failed: " + failure.message
        + " The scenarios loaded before it keep serving.", problemLines(failure.problems), "health");
    } else if (!failure && box.dataset.source === "health") {
      box.hidden = true;
      box.dataset.source = "";
    }
  }

  // ---- journal ------------------------------------------------------------

  let after = null;
  let paused = false;
  const rows = new Map();

  function statusClass(status) {
    return status === null || status === undefined ? "dropped" : "s" + String(status)[0] + "xx";
  }

  function shownValue(value) {
    return typeof value === "string" ? value : JSON.stringify(value);
  }

  function journalRow(entry) {
    const status = entry.status === null || entry.status === undefined ? "dropped" : String(entry.status);
    const time = typeof entry.time === "string" ? entry.time.replace(/^.*T/, "").replace("Z", "") : "";
    const summary = el("summary", {}, [
      el("span", { className: "seq", text: "#" + entry.seq }),
      el("span", { className: "time", text: time }),
      el("span", { className: "method", text: entry.method }),
      el("span", { className: "path", text: entry.path }),
      el("span", { className: "status " + statusClass(entry.status), text: status }),
      el("span", { className: "outcome", text: entry.outcome }),
      el("span", { className: "scn", text: entry.scenario }),
    ]);
    const fields = el("dl", { className: "fields" });
    for (const [name, value] of Object.entries(entry)) {
      // The journal never keeps credentials; nor does this page show any.
      if (/api[-_]?key/i.test(name)) continue;
      fields.append(el("dt", { text: name }), el("dd", { text: shownValue(value) }));
    }
    return el("details", {
      className: "entry",
      "data-seq": entry.seq,
      "data-status": status,
      "data-path": entry.path,
      "data-scenario": entry.scenario,
    }, [summary, fields]);
  }

  function matches(row) {
    const path = $("filter-path").value.trim().toLowerCase();
    const status = $("filter-status").value.trim().toLowerCase();
    const scenario = $("filter-scenario").value;
    if (path && !(row.dataset.path || "").toLowerCase().includes(path)) return false;
    if (scenario && row.dataset.scenario !== scenario) return false;
    if (status) {
      const pattern = status.replace(/x/g, "");
      if (status.includes("x") ? !row.dataset.status.startsWith(pattern) : row.dataset.status !== status) {
        return false;
      }
    }
    return true;
  }

  function applyFilters() {
    let shown = 0;
    for (const row of rows.values()) {
      row.hidden = !matches(row);
      if (!row.hidden) shown += 1;
    }
    $("journal-count").textContent = String(shown);
    $("journal-empty").hidden = rows.size > 0;
  }

  function addEntries(entries) {
    const list = $("journal-list");
    for (const entry of entries) {
      if (rows.has(entry.seq)) continue;
      const row = journalRow(entry);
      row.hidden = !matches(row);
      // Newest first: entries arrive oldest first, each goes on top.
      list.prepend(row);
      rows.set(entry.seq, row);
    }
    while (rows.size > JOURNAL_ROWS) {
      const oldest = Math.min(...rows.keys());
      rows.get(oldest).remove();
      rows.delete(oldest);
    }
  }

  async function refreshJournal() {
    // The first read, and one after falling far behind, take the newest page.
    const query = after === null ? "?limit=" + JOURNAL_ROWS : "?after=" + after + "&limit=" + JOURNAL_ROWS;
    const answer = await call("GET", "/__mock/requests" + query);
    if (answer.status !== 200 || !answer.json) throw new Error("journal: " + answer.status);
    const page = answer.json;
    addEntries(page.requests);
    if (page.more) {
      after = null;
      return refreshJournal();
    }
    after = page.next_after;
    applyFilters();
  }

  async function clearJournal() {
    const answer = await call("DELETE", "/__mock/requests");
    if (answer.status === 200) {
      rows.clear();
      $("journal-list").replaceChildren();
      applyFilters();
    }
  }

  // ---- try a request ------------------------------------------------------

  const typed = {};

  function storageGet(key) {
    try { return sessionStorage.getItem(key) || ""; } catch (_) { return ""; }
  }
  function storageSet(key, value) {
    try { sessionStorage.setItem(key, value); } catch (_) { /* storage off: keep it in the field only */ }
  }

  function currentAction() {
    return ACTIONS.find((a) => a.name === $("try-action").value) || ACTIONS[0];
  }

  function drawParams() {
    const action = currentAction();
    const fieldset = $("try-params");
    fieldset.replaceChildren(el("legend", { text: "Parameters of " + action.name }));
    if (!action.params.length) {
      fieldset.append(el("p", { className: "hint", text: "None: the credentials are all it checks." }));
    }
    for (const name of action.params) {
      const id = "param-" + name;
      const key = action.name + "." + name;
      if (!(key in typed)) typed[key] = (action.defaults && action.defaults[name]) || "";
      const input = el("input", { id, name, type: "text", autocomplete: "off", spellcheck: "false",
        value: typed[key], "aria-describedby": HINTS[name] ? id + "-hint" : undefined });
      input.addEventListener("input", () => { typed[key] = input.value; drawLine(); });
      fieldset.append(el("div", { className: "field" }, [
        el("label", { for: id, text: name }),
        input,
        HINTS[name] ? el("span", { id: id + "-hint", className: "field-hint", text: HINTS[name] }) : null,
      ]));
    }
    drawLine();
  }

  function paramsOf(action) {
    const params = new URLSearchParams();
    for (const name of action.params) {
      const value = typed[action.name + "." + name] || "";
      if (value !== "") params.append(name, value);
    }
    return params;
  }

  function drawLine() {
    const action = currentAction();
    const params = paramsOf(action).toString();
    const query = action.method === "GET" && params ? "?" + params : "";
    $("try-line").textContent = action.method + " " + action.path + query
      + (action.method !== "GET" && params ? "  (form body: " + params + ")" : "");
  }

  async function sendTry(event) {
    event.preventDefault();
    const action = currentAction();
    const params = paramsOf(action);
    const headers = {};
    const username = $("try-username").value;
    const key = $("try-key").value;
    if (username !== "") headers["api-username"] = username;
    if (key !== "") headers["api-key"] = key;
    const scenario = $("try-scenario").value;
    if (scenario) headers["X-Mock-Scenario"] = scenario;
    let url = action.path;
    const init = { method: action.method, headers, cache: "no-store", credentials: "same-origin" };
    if (action.method === "GET") {
      // fetch sends no body with GET; the mock reads the query as well.
      if (params.toString()) url += "?" + params.toString();
    } else {
      headers["Content-Type"] = "application/x-www-form-urlencoded";
      init.body = params.toString();
    }
    const button = $("try-send");
    button.disabled = true;
    try {
      const response = await fetch(url, init);
      const text = await response.text();
      const status = $("try-status");
      status.textContent = response.status + " " + response.statusText;
      status.className = "status " + statusClass(response.status);
      $("try-result").dataset.status = String(response.status);
      const lines = [];
      response.headers.forEach((value, name) => lines.push(name + ": " + value));
      $("try-headers").textContent = lines.sort().join("\n");
      let body = text;
      try { body = JSON.stringify(JSON.parse(text), null, 2); } catch (_) { body = text; }
      $("try-body").textContent = body === "" ? "(empty body)" : body;
    } catch (err) {
      $("try-status").textContent = "no answer";
      $("try-status").className = "status dropped";
      $("try-result").dataset.status = "dropped";
      $("try-headers").textContent = "";
      $("try-body").textContent = String(err.message || err);
    } finally {
      button.disabled = false;
      $("try-result").hidden = false;
    }
    tick(refreshJournal);
    tick(refreshScenarios);
  }

  // ---- polling ------------------------------------------------------------

  async function tick(job) {
    try {
      await job();
      connected(true);
    } catch (err) {
      connected(false, err.message || String(err));
    }
  }

  function every(ms, job, skip) {
    const loop = async () => {
      if (!(skip && skip())) await tick(job);
      setTimeout(loop, ms);
    };
    loop();
  }

  function start() {
    $("reload").addEventListener("click", reload);
    $("reset").addEventListener("click", reset);
    $("admin-result").setAttribute("tabindex", "-1");
    $("journal-clear").addEventListener("click", () => tick(clearJournal));
    $("journal-pause").addEventListener("click", () => {
      paused = !paused;
      $("journal-pause").setAttribute("aria-pressed", String(paused));
      $("journal-pause").textContent = paused ? "Resume" : "Pause";
    });
    $("journal-filters").addEventListener("submit", (e) => e.preventDefault());
    for (const id of ["filter-path", "filter-status", "filter-scenario"]) {
      $(id).addEventListener("input", applyFilters);
      $(id).addEventListener("change", applyFilters);
    }
    const select = $("try-action");
    select.replaceChildren(...ACTIONS.map((a) => el("option", { value: a.name, text: a.name + " (" + a.method + ")" })));
    select.addEventListener("change", drawParams);
    for (const [id, key] of [["try-username", KEY_USERNAME], ["try-key", KEY_API_KEY]]) {
      const input = $(id);
      input.value = storageGet(key);
      input.addEventListener("input", () => storageSet(key, input.value));
    }
    $("try-form").addEventListener("submit", sendTry);
    drawParams();
    every(SCENARIOS_EVERY_MS, refreshScenarios);
    every(HEALTH_EVERY_MS, refreshHealth);
    every(JOURNAL_EVERY_MS, refreshJournal, () => paused);
  }

  start();
})();
