"use strict";
// nlen review page. Data: the JSON in <script id="corpus">; rows are arrays
// [nl, en, doc index, paragraph, nl_ids, en_ids, score, repaired, flags].
// Only one page of rows is in the DOM at a time, so a corpus of 50,000 beads
// opens as fast as a small one.
(function () {
  const PAGE = 200;
  const NL = 0, EN = 1, DOC = 2, NL_IDS = 4, EN_IDS = 5, SCORE = 6, REPAIRED = 7, FLAGS = 8;
  const data = JSON.parse(document.getElementById("corpus").textContent);
  const rows = data.rows;
  const storageKey = "nlen-review:" + data.id;
  const $ = (id) => document.getElementById(id);
  const tbody = $("rows"), statusLine = $("status");

  const key = (i) => data.docs[rows[i][DOC]] + ":" + rows[i][NL_IDS] + ":" + rows[i][EN_IDS];
  const DECIDED = { accept: "accepted", reject: "rejected" };  // the only decision values
  const decisions = loadDecisions();
  const history = [];  // keys in the order decided, for undo

  let filtered = [];  // indices into rows
  let cur = 0;  // position in filtered
  let lower = null;  // lower-cased texts, made on the first search

  const threshold = () => { const t = parseFloat($("threshold").value); return isNaN(t) ? 0.5 : t; };
  const flagged = (i) => rows[i][FLAGS] !== "";
  const low = (i) => rows[i][SCORE] < threshold();
  const attention = (i) => (low(i) || flagged(i) || rows[i][REPAIRED] === 1) && !decisions[key(i)];

  // Stored decisions come from localStorage, which any page of the same origin (file://) can
  // write: only "accept"/"reject" of this corpus's beads are kept, and nothing stored is ever
  // parsed as HTML (the page is built with DOM calls and textContent).
  function loadDecisions() {
    const kept = Object.create(null);
    let stored = null;
    try { stored = JSON.parse(localStorage.getItem(storageKey) || "{}"); } catch (e) { return kept; }
    if (!stored || typeof stored !== "object" || Array.isArray(stored)) return kept;
    const known = new Set();
    for (let i = 0; i < rows.length; i++) known.add(key(i));
    for (const k of Object.keys(stored)) {
      const v = stored[k];
      if (known.has(k) && typeof v === "string" && Object.prototype.hasOwnProperty.call(DECIDED, v)) kept[k] = v;
    }
    return kept;
  }

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function colour(score, light) {
    const hue = Math.round(Math.max(0, Math.min(1, score)) * 120);  // red → green
    return "hsl(" + hue + ", 70%, " + (light ? 95 : 78) + "%)";
  }

  function matches(i, show, query) {
    const d = show === "undecided" || show === "accepted" || show === "rejected" ? decisions[key(i)] : null;
    switch (show) {
      case "attention": if (!attention(i)) return false; break;
      case "low": if (!low(i)) return false; break;
      case "flagged": if (!flagged(i)) return false; break;
      case "repaired": if (rows[i][REPAIRED] !== 1) return false; break;
      case "undecided": if (d) return false; break;
      case "accepted": if (d !== "accept") return false; break;
      case "rejected": if (d !== "reject") return false; break;
    }
    if (query) {
      if (!lower) lower = rows.map((r) => (r[NL] + "\n" + r[EN]).toLowerCase());
      if (lower[i].indexOf(query) < 0) return false;
    }
    return true;
  }

  function applyFilters(keepRow) {
    const show = $("show").value, query = $("search").value.trim().toLowerCase();
    const before = filtered.length ? filtered[cur] : -1;
    filtered = [];
    for (let i = 0; i < rows.length; i++) if (matches(i, show, query)) filtered.push(i);
    const at = keepRow ? filtered.indexOf(before) : -1;
    cur = at >= 0 ? at : 0;
    render();
  }

  function rowElement(i, isCurrent) {
    const r = rows[i], d = decisions[key(i)];
    const tr = el("tr", "bead" + (isCurrent ? " current" : "") + (d ? " " + DECIDED[d] : ""));
    tr.dataset.i = String(i);
    tr.style.background = colour(r[SCORE], true);
    tr.appendChild(el("td", "ids", (r[NL_IDS] || "–") + " → " + (r[EN_IDS] || (r[REPAIRED] === 1 ? "R" : "–"))));
    for (const text of [r[NL], r[EN]]) tr.appendChild(text ? el("td", "text", text) : el("td", "text empty-side", "(empty)"));
    const score = el("td", "score", r[SCORE].toFixed(2));
    score.style.background = colour(r[SCORE], false);
    tr.appendChild(score);
    const marks = el("td");
    if (r[REPAIRED] === 1) {
      const badge = el("span", "badge repaired", "repaired");
      badge.title = "English from the sentence-level repair";
      marks.appendChild(badge);
    }
    if (r[FLAGS]) for (const f of r[FLAGS].split(",")) marks.appendChild(el("span", "badge flag", f));
    if (d) marks.appendChild(el("span", "badge " + d, DECIDED[d]));
    tr.appendChild(marks);
    return tr;
  }

  function render() {
    const pages = Math.max(1, Math.ceil(filtered.length / PAGE));
    const page = Math.floor(cur / PAGE);
    const start = page * PAGE, end = Math.min(filtered.length, start + PAGE);
    const body = document.createDocumentFragment();
    let lastDoc = -1;
    for (let p = start; p < end; p++) {
      const i = filtered[p];
      if (rows[i][DOC] !== lastDoc) {
        lastDoc = rows[i][DOC];
        const th = el("th", "", data.docs[lastDoc]);
        th.colSpan = 5;
        body.appendChild(el("tr", "doc")).appendChild(th);
      }
      body.appendChild(rowElement(i, p === cur));
    }
    if (!filtered.length) {
      const td = el("td", "", "No beads match.");
      td.colSpan = 5;
      body.appendChild(el("tr")).appendChild(td);
    }
    tbody.replaceChildren(body);
    $("page").textContent = "page " + (page + 1) + " of " + pages;
    $("prev").disabled = page === 0;
    $("next").disabled = page >= pages - 1;
    updateStatus();
    const current = tbody.querySelector("tr.current");
    if (current && document.readyState === "complete") current.scrollIntoView({ block: "nearest" });
  }

  function updateStatus() {
    let accepted = 0, rejected = 0;
    for (const k in decisions) decisions[k] === "accept" ? accepted++ : rejected++;
    statusLine.textContent = "showing " + filtered.length + " of " + rows.length + " beads · " +
      accepted + " accepted · " + rejected + " rejected" +
      (filtered.length ? " · at " + (cur + 1) + " (" + data.docs[rows[filtered[cur]][DOC]] + ")" : "");
    $("download").textContent = "download decisions (" + (accepted + rejected) + ")";
  }

  function move(to) {
    if (!filtered.length) return;
    to = Math.max(0, Math.min(filtered.length - 1, to));
    const samePage = Math.floor(to / PAGE) === Math.floor(cur / PAGE);
    const old = tbody.querySelector("tr.current");
    cur = to;
    if (!samePage) { render(); return; }
    if (old) old.classList.remove("current");
    const now = tbody.querySelector('tr[data-i="' + filtered[cur] + '"]');
    if (now) { now.classList.add("current"); now.scrollIntoView({ block: "nearest" }); }
    updateStatus();
  }

  function nextAttention() {
    for (let p = cur + 1; p < filtered.length; p++) if (attention(filtered[p])) return move(p);
    statusLine.textContent += " · no more beads need attention below";
  }

  function save() {
    try { localStorage.setItem(storageKey, JSON.stringify(decisions)); } catch (e) { /* private mode: kept in memory */ }
  }

  function decide(value) {
    if (!filtered.length) return;
    const i = filtered[cur], k = key(i);
    history.push([k, decisions[k]]);
    decisions[k] = value;
    save();
    const shown = tbody.querySelector('tr[data-i="' + i + '"]');
    if (shown) shown.replaceWith(rowElement(i, true));
    move(cur + 1);
  }

  function undo() {
    const last = history.pop();
    if (!last) return;
    if (last[1]) decisions[last[0]] = last[1]; else delete decisions[last[0]];
    save();
    render();
  }

  function download() {
    const payload = { format: "nlen-review-decisions", version: 1, corpus: data.id, title: data.title,
                      decisions: decisions };
    const blob = new Blob([JSON.stringify(payload, null, 1) + "\n"], { type: "application/json" });
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = "nlen-review-decisions.json";
    document.body.appendChild(a);
    a.click();
    setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 0);
  }

  function jumpToDoc() {
    $("doc").blur();  // the keyboard goes back to the beads
    const d = parseInt($("doc").value, 10);
    if (isNaN(d)) return;
    let p = filtered.findIndex((i) => rows[i][DOC] === d);
    if (p < 0) {  // not under the current filter: show everything, then jump
      $("show").value = "all"; $("search").value = "";
      applyFilters(false);
      p = filtered.findIndex((i) => rows[i][DOC] === d);
    }
    if (p >= 0) { cur = p; render(); }
  }

  document.addEventListener("keydown", (ev) => {
    const t = ev.target;
    if (t && (t.tagName === "INPUT" || t.tagName === "SELECT" || t.tagName === "TEXTAREA")) {
      if (ev.key === "Escape") t.blur();
      return;
    }
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    const actions = { j: () => move(cur + 1), k: () => move(cur - 1), n: nextAttention,
                      a: () => decide("accept"), r: () => decide("reject"), u: undo };
    if (actions[ev.key]) { ev.preventDefault(); actions[ev.key](); }
  });
  tbody.addEventListener("click", (ev) => {
    const tr = ev.target.closest("tr.bead");
    if (tr) move(filtered.indexOf(parseInt(tr.dataset.i, 10)));
  });
  let searchTimer = 0;
  $("search").addEventListener("input", () => { clearTimeout(searchTimer); searchTimer = setTimeout(() => applyFilters(true), 150); });
  $("show").addEventListener("change", () => { $("show").blur(); applyFilters(true); });
  $("threshold").addEventListener("change", () => applyFilters(true));
  $("doc").addEventListener("change", jumpToDoc);
  $("download").addEventListener("click", download);
  $("prev").addEventListener("click", () => move((Math.floor(cur / PAGE) - 1) * PAGE));
  $("next").addEventListener("click", () => move((Math.floor(cur / PAGE) + 1) * PAGE));

  const docSelect = $("doc");
  docSelect.appendChild(new Option("jump to …", ""));
  data.docs.forEach((d, i) => docSelect.appendChild(new Option(d, String(i))));
  applyFilters(false);
  performance.mark("nlen-first-render");
  window.nlenReview = { rows: rows.length, filtered: () => filtered.length, current: () => key(filtered[cur]), decisions: () => decisions };
})();
