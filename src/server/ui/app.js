// The QA console of n4n-mock: plain JavaScript, no framework, no build step.
// It talks only to the origin that served it: the admin API under /__mock/
// and the API endpoints. Every text from the server is written with
// textContent, never parsed as HTML.
"use strict";

(function () {
  const JOURNAL_EVERY_MS = 500;
  const SCENARIOS_EVERY_MS = 1000;
  const HEALTH_EVERY_MS = 2000;
  const POSTBACKS_EVERY_MS = 300;
  const TARGETS_EVERY_MS = 2000;
  const JOURNAL_ROWS = 200;
  const POSTBACK_ROWS = 200;
  const POSTBACK_PAGE = 1000;
  // A postback in one of these states never changes again.
  const SETTLED = ["delivered", "failed", "dropped"];
  const CONVERSION_FIELDS = ["click_hash", "amount", "payout", "trans_type", "orderid", "subscription_id"];
  const KEY_USERNAME = "n4n-mock.api-username";
  const KEY_API_KEY = "n4n-mock.api-key";
  const KEY_ADMIN_TOKEN = "n4n-mock.admin-token";

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

  // ---- times --------------------------------------------------------------

  // RFC 3339 in UTC, to the second when `ms` is whole seconds
  // (2026-12-07T20:41:03Z), else to the millisecond.
  function rfc3339(ms) {
    const text = new Date(ms).toISOString();
    return ms % 1000 === 0 ? text.replace(".000Z", "Z") : text;
  }

  function unixSeconds(ms) {
    return "Unix seconds: " + (ms % 1000 === 0 ? String(ms / 1000) : (ms / 1000).toFixed(3));
  }

  // A <time> for Unix seconds (a lifecycle event's time, "1763769600"):
  // RFC 3339 shown, the seconds on hover. Anything else is shown as it came.
  function secondsTime(value, className) {
    const seconds = /^-?\d+$/.test(String(value)) ? Number(value) : NaN;
    const ms = seconds * 1000;
    if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) return el("span", { className, text: String(value) });
    const text = rfc3339(ms);
    return el("time", { className, datetime: text, title: unixSeconds(ms), text });
  }

  // A <time> for an RFC 3339 time (the journal's and the postbacks'): the
  // whole time shown, or the part `shown(value)` picks; on hover its Unix
  // seconds, after the whole time when only a part is shown.
  function rfc3339Time(value, className, shown) {
    const ms = typeof value === "string" ? Date.parse(value) : NaN;
    if (!Number.isFinite(ms)) return el("span", { className, text: value === undefined ? "" : String(value) });
    const text = shown ? shown(value) : value;
    const title = text === value ? unixSeconds(ms) : value + ", " + unixSeconds(ms);
    return el("time", { className, datetime: value, title, text });
  }

  // An admin call (every path under /__mock/). With an admin token kept, it
  // goes as `Authorization: Bearer`; one the mock refuses for want of the
  // token (401, X-Mock-Error: admin-token) waits for the token form, then is
  // sent again.
  async function call(method, path, body) {
    for (;;) {
      const sent = adminToken;
      const init = { method, cache: "no-store", credentials: "same-origin", headers: {} };
      if (sent) init.headers["Authorization"] = "Bearer " + sent;
      if (body !== undefined) {
        init.headers["Content-Type"] = "application/json";
        init.body = JSON.stringify(body);
      }
      const response = await fetch(path, init);
      const text = await response.text();
      if (response.status === 401 && response.headers.get("X-Mock-Error") === "admin-token") {
        await tokenFor(sent);
        continue;
      }
      let json = null;
      try { json = JSON.parse(text); } catch (_) { json = null; }
      return { status: response.status, json, text };
    }
  }

  // ---- admin token --------------------------------------------------------

  // The token the admin calls carry: typed once in the form, kept in the
  // tab's session storage like the API credentials, never in the address,
  // a cookie or the browser's console.
  let adminToken = storageGet(KEY_ADMIN_TOKEN);
  let tokenAsked = null;   // the form's promise while it shows

  // Settles once a token other than `refused` (the one a call just carried)
  // is there to try: at once if one came meanwhile, else when the form is
  // sent. Every call refused meanwhile waits on the same form.
  function tokenFor(refused) {
    if (tokenAsked) return tokenAsked;
    if (adminToken !== refused) return Promise.resolve();
    if (refused) {
      adminToken = "";
      storageDrop(KEY_ADMIN_TOKEN);
    }
    tokenAsked = new Promise((resolve) => {
      const panel = $("admin-token-panel");
      const form = $("admin-token-form");
      const input = $("admin-token");
      const message = $("admin-token-message");
      message.textContent = refused ? "The mock refused that token. Type it again." : "";
      message.hidden = !refused;
      panel.hidden = false;
      input.value = "";
      input.focus();
      const submitted = (event) => {
        event.preventDefault();
        const token = input.value;
        if (token === "") {
          message.textContent = "Type the token the mock was started with.";
          message.hidden = false;
          input.focus();
          return;
        }
        form.removeEventListener("submit", submitted);
        input.value = "";
        panel.hidden = true;
        adminToken = token;
        storageSet(KEY_ADMIN_TOKEN, token);
        tokenAsked = null;
        resolve();
      };
      form.addEventListener("submit", submitted);
    });
    connected(true);
    return tokenAsked;
  }

  // ---- connection line ----------------------------------------------------

  let lastFailure = null;
  function connected(ok, why) {
    const line = $("connection");
    if (ok && tokenAsked) {
      lastFailure = null;
      line.textContent = "Connected to " + location.host + "; it asks for its admin token.";
      line.classList.remove("down");
    } else if (ok) {
      lastFailure = null;
      // Short, to keep the header on one line; how often on hover.
      line.textContent = "Connected to " + location.host + ".";
      line.title = "The journal is read every " + JOURNAL_EVERY_MS / 1000 + " s, the postbacks every "
        + POSTBACKS_EVERY_MS / 1000 + " s, the scenarios every " + SCENARIOS_EVERY_MS / 1000 + " s.";
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
  let activeScenario = null;

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
          el("code", { text: e.event_hash }), " at ", secondsTime(e.time, "event-time"),
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
    if (data.active !== activeScenario) showActive(data.active);
    activeScenario = data.active;
    fillSelect($("filter-scenario"), scenarioNames, "any");
    fillSelect($("try-scenario"), scenarioNames, "the active one");
    fillSelect($("postbacks-scenario"), scenarioNames, "the active one");
    // Another scenario made active (here or elsewhere): its postbacks at once.
    if (postbackScenario() !== shownScenario) {
      tick(refreshPostbacks);
      tick(refreshTargets);
    }
  }

  // The header names the active scenario (made active here or elsewhere),
  // and the list is scrolled to put its row at the top, if it was not
  // wholly in view, unless the keyboard is in the list.
  function showActive(name) {
    $("active-scenario-name").textContent = name;
    $("active-scenario").dataset.scenario = name;
    document.title = name + " · n4n-mock QA console";
    const list = $("scenario-list");
    const row = list.querySelector('[data-scenario="' + CSS.escape(name) + '"]');
    if (!row || list.contains(document.activeElement)) return;
    const top = row.offsetTop;
    const bottom = top + row.offsetHeight;
    if (top < list.scrollTop || bottom > list.scrollTop + list.clientHeight) list.scrollTop = top - 6;
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
      // A reset or a reload empties every postback log and may change the targets.
      tick(refreshPostbacks);
      tick(refreshTargets);
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
    // The time of day in the row (UTC); the date and Unix seconds on hover.
    const timeOfDay = (t) => t.replace(/^.*T/, "").replace("Z", "");
    const summary = el("summary", {}, [
      el("span", { className: "seq", text: "#" + entry.seq }),
      rfc3339Time(entry.time, "time", timeOfDay),
      el("span", { className: "method", text: entry.method }),
      // Cut to fit the row: whole on hover, and in the row opened.
      el("span", { className: "path", text: entry.path, title: entry.path }),
      el("span", { className: "status " + statusClass(entry.status), text: status }),
      el("span", { className: "outcome", text: entry.outcome, title: entry.outcome }),
      el("span", { className: "scn", text: entry.scenario, title: entry.scenario }),
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
  function storageDrop(key) {
    try { sessionStorage.removeItem(key); } catch (_) { /* storage off: nothing kept */ }
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

  // The line beside the button; `filledFrom` is the scenario whose pair
  // the fields now hold (none when the press failed).
  function credentialsNote(kind, text, filledFrom) {
    const note = $("try-credentials-note");
    note.textContent = text;
    note.className = "credentials-note " + kind;
    note.dataset.filledFrom = filledFrom || "";
  }

  // Fills api-username and api-key with a pair of the scenario the request
  // will go to: the one picked for X-Mock-Scenario, else the active one.
  // Pressed again, the next of its pairs, round the list. The pairs are
  // read when pressed, never polled; the key is never shown.
  async function useScenarioCredentials() {
    const button = $("try-credentials");
    const picked = $("try-scenario").value;
    const query = picked ? "?scenario=" + encodeURIComponent(picked) : "";
    button.disabled = true;
    try {
      const answer = await call("GET", "/__mock/credentials" + query);
      if (answer.status !== 200 || !answer.json) {
        credentialsNote("bad", "Not filled (" + answer.status + "): " + messageOf(answer));
        return;
      }
      // Every scenario has at least one pair.
      const pairs = answer.json.credentials;
      const username = $("try-username");
      const key = $("try-key");
      const shown = pairs.findIndex((p) => p.username === username.value && p.api_key === key.value);
      const index = (shown + 1) % pairs.length;
      username.value = pairs[index].username;
      key.value = pairs[index].api_key;
      storageSet(KEY_USERNAME, username.value);
      storageSet(KEY_API_KEY, key.value);
      const scenario = answer.json.scenario;
      credentialsNote("ok", "Filled with " + username.value + " of " + scenario
        + (pairs.length > 1 ? " (pair " + (index + 1) + " of " + pairs.length + "; press again for the next)." : "."),
        scenario);
    } catch (err) {
      credentialsNote("bad", "Not filled: " + err.message);
    } finally {
      button.disabled = false;
      // Disabling the button took the focus from it; give it back.
      if (document.activeElement === document.body) button.focus();
    }
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

  // ---- postbacks ----------------------------------------------------------

  let shownScenario = null;        // whose postbacks the rows are
  const postbacks = new Map();     // seq -> { row, text, state }
  let postbackRead = null;         // the read under way
  let postbackAgain = false;       // asked for while one was under way
  let targetsText = null;

  // The scenario the panel follows: the one picked, else the active one
  // (null until the scenarios have been read).
  function postbackScenario() {
    return $("postbacks-scenario").value || activeScenario;
  }

  function unknownScenario(answer) {
    return answer.status === 400 && /^Unknown scenario/.test(messageOf(answer));
  }

  function countPostbacks() {
    $("postback-count").textContent = String(postbacks.size);
    $("postback-empty").hidden = postbacks.size > 0;
  }

  function clearPostbacks() {
    postbacks.clear();
    $("postback-list").replaceChildren();
    countPostbacks();
  }

  // The last attempt's status or error, or why there was none.
  function outcomeOf(record) {
    const attempts = record.attempts || [];
    const last = attempts[attempts.length - 1];
    if (last) return last.error ? last.error : String(last.status);
    if (record.state === "dropped") return "not sent: " + (record.reason || "dropped");
    return "not sent yet";
  }

  function attemptRow(attempt) {
    return el("tr", { "data-attempt": attempt.attempt }, [
      el("td", { className: "num", text: String(attempt.attempt) }),
      el("td", { className: "time" }, [rfc3339Time(attempt.time)]),
      el("td", {
        className: "status " + (attempt.error ? "dropped" : statusClass(attempt.status)),
        text: attempt.error ? attempt.error : String(attempt.status),
      }),
      el("td", { className: "num", text: attempt.latency_ms + " ms" }),
      el("td", { className: "response", text: attempt.response === undefined ? "" : attempt.response }),
    ]);
  }

  function attemptsOf(record) {
    const attempts = record.attempts || [];
    if (!attempts.length) {
      return el("p", { className: "attempts-none", text: record.state === "dropped"
        ? "Never sent: dropped (" + (record.reason || "no reason given") + ")."
        : "No attempt yet: it waits for its turn." });
    }
    const head = [["num", "#"], ["time", "time"], ["status", "status or error"], ["num", "took"],
      ["response", "answer (its first KiB)"]];
    return el("table", { className: "attempts" }, [
      el("caption", { text: "Attempts" }),
      el("thead", {}, [el("tr", {}, head.map(([c, h]) => el("th", { scope: "col", className: c, text: h })))]),
      el("tbody", {}, attempts.map(attemptRow)),
    ]);
  }

  function postbackRow(record) {
    const count = (record.attempts || []).length;
    const summary = el("summary", {}, [
      el("span", { className: "seq", text: "#" + record.seq }),
      el("span", { className: "event", text: record.event }),
      el("span", { className: "target", text: record.target, title: record.target }),
      el("span", { className: "state state-" + record.state, text: record.state }),
      el("span", { className: "tries", text: count + (count === 1 ? " attempt" : " attempts") }),
      el("span", { className: "outcome", text: outcomeOf(record), title: outcomeOf(record) }),
      el("span", { className: "hash", text: record.transaction_hash }),
    ]);
    const shown = [
      ["method", record.method],
      ["url", record.url],
      ["body", typeof record.body === "string" ? record.body : "(none: a GET has no body)"],
    ];
    if (record.reason) shown.push(["reason", record.reason]);
    const fields = el("dl", { className: "fields" });
    for (const [name, value] of shown) fields.append(el("dt", { text: name }), el("dd", { text: value }));
    return el("details", {
      className: "entry postback",
      "data-seq": record.seq,
      "data-state": record.state,
      "data-target": record.target,
      "data-event": record.event,
    }, [summary, el("div", { className: "postback-body" }, [fields, attemptsOf(record)])]);
  }

  function placePostback(record) {
    const text = JSON.stringify(record);
    const shown = postbacks.get(record.seq);
    if (shown && shown.text === text) return;
    const row = postbackRow(record);
    if (shown) {
      // It moved on: redrawn in its place, open if it was, the keyboard kept on it.
      row.open = shown.row.open;
      const focused = shown.row.contains(document.activeElement);
      shown.row.replaceWith(row);
      if (focused) row.querySelector("summary").focus();
    } else {
      // Newest first: before the first row older than it.
      const list = $("postback-list");
      const older = Array.from(list.children).find((r) => Number(r.dataset.seq) < record.seq);
      list.insertBefore(row, older || null);
    }
    postbacks.set(record.seq, { row, text, state: record.state });
  }

  // The seq up to which every row has settled (and so will never change):
  // the next read starts there. Null when there is no row.
  function settledUpTo() {
    if (!postbacks.size) return null;
    let moving = Infinity;
    for (const [seq, shown] of postbacks) {
      if (!SETTLED.includes(shown.state)) moving = Math.min(moving, seq);
    }
    return moving === Infinity ? Math.max(...postbacks.keys()) : moving - 1;
  }

  // Whether records read from `from` on still follow the rows shown. A reset
  // or a reload restarts a log at seq 1: then the record at `from` (settled,
  // so it cannot have changed) differs or is gone, or a row past it is gone.
  function follows(from, records) {
    const read = new Map(records.map((r) => [r.seq, r]));
    const anchor = postbacks.get(from);
    if (anchor && (!read.has(from) || JSON.stringify(read.get(from)) !== anchor.text)) return false;
    for (const seq of postbacks.keys()) {
      if (seq > from && !read.has(seq)) return false;
    }
    return true;
  }

  // Every record past `after`, oldest first, page by page; null for a
  // scenario a reload took away (the scenario list catches up).
  async function postbackPages(scenario, after) {
    const records = [];
    for (;;) {
      const answer = await call("GET", "/__mock/postbacks?scenario=" + encodeURIComponent(scenario)
        + "&after=" + after + "&limit=" + POSTBACK_PAGE);
      if (unknownScenario(answer)) return null;
      if (answer.status !== 200 || !answer.json) throw new Error("postbacks: " + answer.status);
      records.push(...answer.json.postbacks);
      if (!answer.json.more) return records;
      after = answer.json.next_after;
    }
  }

  async function readPostbacks() {
    const scenario = postbackScenario();
    if (!scenario) return;
    if (scenario !== shownScenario) {
      clearPostbacks();
      shownScenario = scenario;
    }
    const from = settledUpTo();
    // From the record at `from` itself, to check it is still the same one.
    let records = await postbackPages(scenario, from === null ? 0 : Math.max(from - 1, 0));
    if (records === null) return;
    if (from !== null && !follows(from, records)) {
      clearPostbacks();
      records = await postbackPages(scenario, 0);
      if (records === null) return;
    }
    for (const record of records.slice(-POSTBACK_ROWS)) placePostback(record);
    while (postbacks.size > POSTBACK_ROWS) {
      const oldest = Math.min(...postbacks.keys());
      postbacks.get(oldest).row.remove();
      postbacks.delete(oldest);
    }
    countPostbacks();
  }

  // One read at a time; one asked for meanwhile runs once the first is done,
  // so a conversion's postbacks are never missed by a read that began before it.
  function refreshPostbacks() {
    if (postbackRead) {
      postbackAgain = true;
      return postbackRead;
    }
    postbackRead = (async () => {
      try {
        do {
          postbackAgain = false;
          await readPostbacks();
        } while (postbackAgain);
      } finally {
        postbackRead = null;
      }
    })();
    return postbackRead;
  }

  function targetItem(target) {
    const how = [target.method, "on " + (target.events || []).join(", ")];
    if (target.loginid) how.push("affiliate " + target.loginid + " only");
    how.push("timeout " + target.timeout);
    how.push(target.retry && target.retry.length ? "retries after " + target.retry.join(", ") : "no retry");
    const faults = (target.faults || []).length;
    if (faults) how.push(faults + (faults === 1 ? " fault" : " faults"));
    return el("li", { "data-target": target.name }, [
      el("code", { className: "target-name", text: target.name }), " ",
      el("code", { className: "target-address", text: target.url }),
      el("span", { className: "target-how", text: " (" + how.join("; ") + ")" }),
    ]);
  }

  async function refreshTargets() {
    const scenario = postbackScenario();
    if (!scenario) return;
    const answer = await call("GET", "/__mock/postbacks/targets?scenario=" + encodeURIComponent(scenario));
    if (unknownScenario(answer)) return;
    if (answer.status !== 200 || !answer.json) throw new Error("postback targets: " + answer.status);
    if (answer.text === targetsText) return;
    targetsText = answer.text;
    const targets = answer.json.targets || [];
    const name = answer.json.scenario || scenario;
    const box = $("postback-targets");
    if (!targets.length) {
      box.replaceChildren(el("p", { className: "hint", text: name + " has no postback target: nothing is sent." }));
      return;
    }
    box.replaceChildren(
      el("p", { className: "targets-title", text: "Where " + name + " sends them:" }),
      el("ul", { "aria-label": "Postback targets of " + name }, targets.map(targetItem)));
  }

  // ---- make a conversion --------------------------------------------------

  // What the fields say, as POST /__mock/conversions takes it: an empty field
  // is left out, so the mock applies its default or names what is missing.
  function conversionBody() {
    const body = {};
    for (const name of CONVERSION_FIELDS) {
      const value = $("convert-" + name).value;
      if (value !== "") body[name] = value;
    }
    const scenario = $("postbacks-scenario").value;
    if (scenario) body.scenario = scenario;
    return body;
  }

  function drawConversionLine() {
    $("convert-line").textContent = "POST /__mock/conversions " + JSON.stringify(conversionBody());
  }

  function showConversion(kind, parts, data) {
    const box = $("convert-result");
    box.replaceChildren(el("p", {}, parts));
    box.className = "result " + kind;
    box.dataset.status = data.status;
    box.dataset.transactionHash = data.hash || "";
    box.dataset.postbacks = (data.postbacks || []).join(" ");
    box.hidden = false;
  }

  async function convert(event) {
    event.preventDefault();
    const button = $("convert-send");
    button.disabled = true;
    try {
      const answer = await call("POST", "/__mock/conversions", conversionBody());
      if (answer.status === 201 && answer.json) {
        const hash = answer.json.transaction_hash;
        const seqs = answer.json.postbacks || [];
        showConversion("ok", [
          "Converted: transaction ", el("code", { text: hash }),
          seqs.length ? "; postbacks " + seqs.map((s) => "#" + s).join(", ") + " queued."
            : "; no target takes this event, so no postback.",
        ], { status: String(answer.status), hash, postbacks: seqs });
      } else {
        showConversion("bad", ["Not converted (" + answer.status + "): " + messageOf(answer)],
          { status: String(answer.status) });
      }
    } catch (err) {
      showConversion("bad", ["Conversion failed: " + err.message], { status: "dropped" });
    } finally {
      button.disabled = false;
    }
    tick(refreshPostbacks);
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

  // The header's height (it wraps with the window) as --top-height, for the
  // style sheet: on a wide window the header and the scenarios stay in view.
  function followHeaderHeight() {
    const header = document.querySelector(".top");
    const measure = () => document.documentElement.style.setProperty("--top-height", header.offsetHeight + "px");
    measure();
    if (typeof ResizeObserver === "function") new ResizeObserver(measure).observe(header);
  }

  function start() {
    followHeaderHeight();
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
    $("try-credentials").addEventListener("click", useScenarioCredentials);
    drawParams();
    $("convert-form").addEventListener("submit", convert);
    for (const name of CONVERSION_FIELDS) {
      $("convert-" + name).addEventListener("input", drawConversionLine);
      $("convert-" + name).addEventListener("change", drawConversionLine);
    }
    $("postbacks-scenario").addEventListener("change", () => {
      drawConversionLine();
      tick(refreshPostbacks);
      tick(refreshTargets);
    });
    drawConversionLine();
    countPostbacks();
    const hiddenTab = () => document.hidden;
    every(SCENARIOS_EVERY_MS, refreshScenarios);
    every(HEALTH_EVERY_MS, refreshHealth);
    every(JOURNAL_EVERY_MS, refreshJournal, () => paused);
    every(POSTBACKS_EVERY_MS, refreshPostbacks, hiddenTab);
    every(TARGETS_EVERY_MS, refreshTargets, hiddenTab);
  }

  start();
})();
