// Sovereign Studio: one page, no framework. State lives in the URL hash, so Back and Forward
// and reloading keep the view. Requests carry the studio's token in the x-studio-token header:
// the page is opened at the URL the command printed (/?token=...), and this script keeps the
// token in sessionStorage (this origin, which includes the port, and this tab only) and takes
// it out of the address bar. Never in a cookie: a browser sends a host's cookies to every port
// of it, so any other server on 127.0.0.1 would receive the token.
"use strict";

const $ = (id) => document.getElementById(id);

// The server's bounds (see the README): rows per page the pager offers, the furthest a page
// may start.
const PAGE_SIZES = [25, 50, 100, 250];
const MAX_SKIP = 1e12;

let schema = null;        // /api/schema
let view = null;          // what the hash says
let rows = [];            // the current page
let selectedKey = null;   // key of the record in the panel, null for a new one
let counts = [];          // per source: model name -> row count (filled in after the page shows)
const totals = new Map(); // listing -> exact number of records, once counted

// ---------------------------------------------------------------------------------------------
// The token

const TOKEN_KEY = "sovereign-studio-token";

// The token of the address (kept, then taken out of it, the view in the hash left as it is),
// else the one kept for this tab; null when there is none. A token that could not even be a
// header's value is no token of this studio's: "!" stands for it, and the server refuses it.
function takeToken() {
  const query = new URLSearchParams(location.search);
  if (query.has("token")) {
    let token = query.get("token");
    query.delete("token");
    const rest = query.toString();
    history.replaceState(history.state, "", location.pathname + (rest ? "?" + rest : "") + location.hash);
    if (!/^[\x21-\x7e]{1,256}$/.test(token)) token = "!";
    try { sessionStorage.setItem(TOKEN_KEY, token); } catch (_) { /* kept for this page only */ }
    return token;
  }
  try { return sessionStorage.getItem(TOKEN_KEY); } catch (_) { return null; }
}

const token = takeToken();

const NO_TOKEN = "This page needs the studio's token: open the URL the command printed when it started " +
  "(" + location.origin + "/?token=…), or start it with --browser.";
const WRONG_TOKEN = "This is not this studio's token (was it restarted?): open the URL the command printed " +
  "when it started (" + location.origin + "/?token=…), or start it with --browser.";

// Says to open the printed URL, in place of the data.
function needToken(message) {
  try { sessionStorage.removeItem(TOKEN_KEY); } catch (_) { /* nothing kept */ }
  $("sources").textContent = "";
  $("welcome").hidden = true;
  $("table-view").hidden = true;
  $("panel").hidden = true;
  $("main-error").textContent = message;
  $("main-error").hidden = false;
}

// ---------------------------------------------------------------------------------------------
// Talking to the server

async function api(path, params, body) {
  const url = new URL(path, location.origin);
  for (const [k, v] of Object.entries(params || {})) {
    if (v !== undefined && v !== null && v !== "") url.searchParams.set(k, typeof v === "string" ? v : JSON.stringify(v));
  }
  if (!token) {
    needToken(NO_TOKEN);
    throw { kind: "token", message: NO_TOKEN };
  }
  const init = { headers: { "x-studio-token": token }, credentials: "omit" };
  if (body !== undefined) {
    init.method = "POST";
    init.headers["content-type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(url, init);
  } catch (e) {
    throw { kind: "connection", message: "The studio server does not answer: is it still running?" };
  }
  const text = await res.text();
  let data;
  try { data = JSON.parse(text); } catch (_) { data = { error: { kind: "http", message: text || res.statusText } }; }
  if (res.status === 401) {
    needToken(WRONG_TOKEN);
    throw { kind: "token", message: WRONG_TOKEN };
  }
  if (!res.ok) throw data.error || { kind: "http", message: res.statusText };
  return data;
}

// ---------------------------------------------------------------------------------------------
// The view in the hash: #source=0&model=User&skip=0&take=50&order=id:desc&filters=[..]&related={..}

function readHash() {
  const p = new URLSearchParams(location.hash.slice(1));
  const json = (k, d) => { try { return p.has(k) ? JSON.parse(p.get(k)) : d; } catch (_) { return d; } };
  // A hand-edited hash falls back to the first page of 50 rows rather than asking the server
  // for what it refuses.
  const skip = Number(p.get("skip") || 0);
  const take = Number(p.get("take") || 50);
  return {
    source: Number(p.get("source") || 0),
    model: p.get("model"),
    skip: Number.isSafeInteger(skip) && skip >= 0 && skip <= MAX_SKIP ? skip : 0,
    take: PAGE_SIZES.includes(take) ? take : 50,
    order: p.get("order") || "",
    filters: json("filters", []),
    related: json("related", null),
    open: json("open", null),
  };
}

function go(changes) {
  const v = Object.assign({}, view || readHash(), changes);
  const p = new URLSearchParams();
  p.set("source", v.source);
  if (v.model) p.set("model", v.model);
  if (v.skip) p.set("skip", v.skip);
  if (v.take !== 50) p.set("take", v.take);
  if (v.order) p.set("order", v.order);
  if (v.filters && v.filters.length) p.set("filters", JSON.stringify(v.filters));
  if (v.related) p.set("related", JSON.stringify(v.related));
  if (v.open) p.set("open", JSON.stringify(v.open));
  const h = "#" + p.toString();
  if (location.hash === h) render(); else location.hash = h;
}

function currentSource() { return schema && schema.sources[view.source]; }
function currentModel() {
  const s = currentSource();
  return s && s.models.find((m) => m.name === view.model);
}
function modelIn(source, name) { return source.models.find((m) => m.name === name); }

// ---------------------------------------------------------------------------------------------
// Formatting

const fmt = new Intl.NumberFormat("en-US");

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v;
    else if (k === "text") e.textContent = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== null && v !== false) e.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}

function cell(field, v) {
  if (v === null || v === undefined) return el("span", { class: "v-null", text: "null" });
  if (field.kind === "boolean") return el("span", { class: v ? "v-true" : "v-false", text: v ? "true" : "false" });
  if (field.kind === "int" || field.kind === "float" || field.kind === "bigint" || field.kind === "decimal") {
    return el("span", { class: "v-num", text: String(v) });
  }
  if (typeof v === "object") return document.createTextNode(JSON.stringify(v));
  return document.createTextNode(String(v));
}

function typeLabel(f) {
  let t = f.type + (f.list ? "[]" : "") + (f.optional ? "?" : "");
  if (f.native) t += " " + f.native;
  return t;
}

function keyOf(model, record) {
  const k = {};
  for (const name of model.primaryKey) k[name] = record[name];
  return k;
}

function keyText(model, key) {
  return model.primaryKey.map((k) => String(key[k])).join(", ");
}

// ---------------------------------------------------------------------------------------------
// Sidebar

function lockIcon() {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 16 16");
  svg.setAttribute("class", "lock");
  svg.setAttribute("aria-label", "read-only");
  const path = document.createElementNS(ns, "path");
  path.setAttribute("d", "M4.5 7V5a3.5 3.5 0 0 1 7 0v2h.5a1 1 0 0 1 1 1v6a1 1 0 0 1-1 1H4a1 1 0 0 1-1-1V8a1 1 0 0 1 1-1h.5zm1.5 0h4V5a2 2 0 0 0-4 0v2z");
  svg.append(path);
  return svg;
}

// A model's row count in the sidebar: exact up to the server's cap, then "10,000+".
function countBadge(si, name) {
  const c = counts[si];
  if (!c || !(name in c.counts)) return el("span", { class: "n", text: "…" });
  if (c.more.includes(name)) {
    return el("span", { class: "n", text: fmt.format(c.counts[name]) + "+", title: "more than " + fmt.format(c.cap) + " rows" });
  }
  return el("span", { class: "n", text: fmt.format(c.counts[name]) });
}

function renderSidebar() {
  const box = $("sources");
  box.textContent = "";
  const q = $("model-search").value.trim().toLowerCase();
  schema.sources.forEach((s, si) => {
    box.append(el("div", { class: "source-label" }, s.label, el("span", { class: "provider", text: s.provider })));
    for (const m of s.models) {
      if (q && !m.name.toLowerCase().includes(q)) continue;
      const active = view && view.source === si && view.model === m.name;
      box.append(
        el("a", {
          class: "model-link" + (active ? " active" : ""),
          href: "#source=" + si + "&model=" + encodeURIComponent(m.name),
          "data-model": m.name,
          "data-source": si,
          title: m.writable ? m.name : m.name + " (read-only)",
        },
        el("span", { text: m.name }),
        m.writable ? null : lockIcon(),
        countBadge(si, m.name)),
      );
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Table

const OPS = {
  string: ["contains", "equals", "not", "starts_with", "ends_with"],
  int: ["equals", "not", "gt", "gte", "lt", "lte"],
  bigint: ["equals", "not", "gt", "gte", "lt", "lte"],
  float: ["equals", "not", "gt", "gte", "lt", "lte"],
  decimal: ["equals", "not", "gt", "gte", "lt", "lte"],
  datetime: ["equals", "gt", "gte", "lt", "lte"],
  boolean: ["equals"],
  enum: ["equals", "not"],
  json: [],
  bytes: [],
};
const OP_LABEL = { equals: "=", not: "≠", gt: ">", gte: "≥", lt: "<", lte: "≤", contains: "contains",
  starts_with: "starts with", ends_with: "ends with", is_null: "is null", is_not_null: "is not null" };

function opsFor(f) {
  const ops = f.list ? [] : (OPS[f.kind] || []).slice();
  if (f.optional) ops.push("is_null", "is_not_null");
  return ops;
}

function fillFilterForm(model) {
  const fieldSel = $("filter-field");
  const prev = fieldSel.value;
  fieldSel.textContent = "";
  for (const f of model.fields) {
    if (opsFor(f).length) fieldSel.append(el("option", { value: f.name, text: f.name }));
  }
  if ([...fieldSel.options].some((o) => o.value === prev)) fieldSel.value = prev;
  fillOps(model);
}

function fillOps(model) {
  const f = model.fields.find((x) => x.name === $("filter-field").value);
  const opSel = $("filter-op");
  opSel.textContent = "";
  if (!f) return;
  for (const op of opsFor(f)) opSel.append(el("option", { value: op, text: OP_LABEL[op] }));
  syncValueInput();
}

function syncValueInput() {
  const op = $("filter-op").value;
  $("filter-value").disabled = op === "is_null" || op === "is_not_null";
}

async function renderTable() {
  const source = currentSource();
  const model = currentModel();
  $("welcome").hidden = !!model;
  $("table-view").hidden = !model;
  if (!model) return;
  $("model-name").textContent = model.name;
  const ro = $("read-only");
  ro.hidden = model.writable;
  ro.title = model.primaryKey.length ? source.readOnlyReason : "This model has no primary key: its records cannot be addressed one by one.";
  $("add-record").hidden = !model.writable;
  fillFilterForm(model);

  const chips = $("chips");
  chips.textContent = "";
  view.filters.forEach((f, i) => {
    const value = f.op === "is_null" || f.op === "is_not_null" ? "" : " " + JSON.stringify(f.value);
    chips.append(el("span", { class: "chip" },
      el("code", { text: f.field + " " + OP_LABEL[f.op] + value }),
      el("button", { title: "Remove this filter", "aria-label": "Remove filter", onclick: () => {
        go({ filters: view.filters.filter((_, j) => j !== i), skip: 0 });
      } }, "×")));
  });
  const banner = $("related-banner");
  banner.hidden = !view.related;
  if (view.related) {
    const r = view.related;
    $("related-text").textContent = `${model.name} records linked through “${r.relation}” to ${r.model} ${keyText(modelIn(source, r.model) || { primaryKey: Object.keys(r.key) }, r.key)}`;
  }

  const [orderField, orderDir] = view.order ? view.order.split(":") : ["", ""];
  const head = $("grid-head");
  head.textContent = "";
  const tr = el("tr");
  for (const f of model.fields) {
    const arrow = f.name === orderField ? (orderDir === "desc" ? "↓" : "↑") : "";
    tr.append(el("th", {
      "data-field": f.name,
      title: "Sort by " + f.name,
      onclick: () => {
        const next = f.name !== orderField ? f.name + ":asc" : orderDir === "asc" ? f.name + ":desc" : "";
        go({ order: next, skip: 0 });
      },
    }, f.name, arrow ? el("span", { class: "arrow", text: arrow }) : null,
    el("span", { class: "ty" }, f.id ? el("span", { class: "key", text: "PK " }) : f.foreignKey ? el("span", { class: "fk", text: "FK " }) : null, typeLabel(f))));
  }
  head.append(tr);

  $("main-error").hidden = true;
  const listing = listingKey();
  const known = totals.get(listing);
  // Pages past the middle of a counted listing are read from its end: as cheap as the first.
  const params = {
    source: String(view.source), model: model.name, take: String(view.take), skip: String(view.skip),
    order: view.order, filters: view.filters.length ? view.filters : null, related: view.related,
  };
  if (known !== undefined && view.skip > known / 2 && view.skip < known) {
    const take = Math.min(view.take, known - view.skip);
    params.take = String(take);
    params.skip = String(known - view.skip - take);
    params.reverse = "1";
  }
  let data;
  try {
    data = await api("/api/rows", params);
  } catch (e) {
    $("main-error").textContent = e.message;
    $("main-error").hidden = false;
    return;
  }
  if (listing !== listingKey()) return; // the view moved on meanwhile
  rows = data.rows;
  const body = $("grid-body");
  body.textContent = "";
  for (const r of rows) {
    const key = keyOf(model, r);
    const row = el("tr", {
      "data-key": JSON.stringify(key),
      class: selectedKey && JSON.stringify(selectedKey) === JSON.stringify(key) ? "selected" : "",
      onclick: () => go({ open: key }),
    });
    for (const f of model.fields) row.append(el("td", { "data-field": f.name }, cell(f, r[f.name])));
    body.append(row);
  }
  $("no-rows").hidden = rows.length > 0;
  if (!data.reverse && data.exact) totals.set(listing, data.total);
  showTotal(listing);
  if (!totals.has(listing)) {
    // Past the first thousand: count exactly in the background, then say so.
    api("/api/count", {
      source: String(view.source), model: model.name,
      filters: view.filters.length ? view.filters : null, related: view.related,
    }).then((c) => {
      totals.set(listing, c.total);
      if (listing === listingKey()) showTotal(listing);
      // The whole table counted: the sidebar may say more than "10,000+" now.
      const sc = counts[view.source];
      if (!view.filters.length && !view.related && sc && sc.more.includes(model.name)) {
        sc.counts[model.name] = c.total;
        sc.more = sc.more.filter((n) => n !== model.name);
        renderSidebar();
      }
    }).catch(() => {});
  }
}

function listingKey() {
  return JSON.stringify([view.source, view.model, view.filters, view.related]);
}

// The pager and counts for the rows shown; "1,050+" until the exact count arrives.
function showTotal(listing) {
  const total = totals.get(listing);
  const known = total !== undefined;
  const shownTotal = known ? fmt.format(total) : fmt.format(view.skip + rows.length + 1000) + "+";
  $("model-count").textContent = shownTotal + (view.filters.length || view.related ? " matching" : " rows");
  const first = rows.length === 0 ? 0 : view.skip + 1;
  const last = view.skip + rows.length;
  $("page-info").textContent = `Rows ${fmt.format(first)}–${fmt.format(last)} of ${shownTotal}`;
  $("prev-page").disabled = view.skip === 0;
  $("first-page").disabled = view.skip === 0;
  $("next-page").disabled = (known ? last >= total : rows.length < view.take) || view.skip + view.take > MAX_SKIP;
  $("last-page").disabled = !known || last >= total;
  $("page-size").value = String(view.take);
}

// ---------------------------------------------------------------------------------------------
// Record panel

function inputFor(f, value, disabled) {
  const name = f.name;
  const text = value === null || value === undefined ? "" :
    typeof value === "object" ? JSON.stringify(value, null, f.kind === "json" ? 2 : 0) : String(value);
  let input;
  if (f.kind === "boolean" && !f.list) {
    input = el("select", { name, disabled }, el("option", { value: "true", text: "true" }), el("option", { value: "false", text: "false" }));
    input.value = value === false ? "false" : "true";
  } else if (f.kind === "enum" && !f.list) {
    input = el("select", { name, disabled });
    for (const v of f.values) input.append(el("option", { value: v, text: v }));
    if (value !== null && value !== undefined) input.value = value;
  } else if (f.kind === "json" || f.list || text.length > 80) {
    input = el("textarea", { name, disabled, spellcheck: "false" });
    input.value = text;
  } else {
    input = el("input", { type: "text", name, disabled, spellcheck: "false", value: text });
    if (["int", "bigint", "float", "decimal"].includes(f.kind)) input.setAttribute("inputmode", "decimal");
  }
  return input;
}

function placeholderFor(f, creating) {
  if (creating && f.default) return "default: " + f.default;
  if (creating && f.updatedAt) return "set on save (@updatedAt)";
  if (f.kind === "datetime") return "2026-11-29T10:30:00Z";
  if (f.kind === "bytes") return "base64";
  if (f.kind === "json" || f.list) return "JSON";
  return "";
}

async function openPanel(model, key) {
  const source = currentSource();
  selectedKey = key;
  for (const tr of document.querySelectorAll("#grid-body tr")) {
    tr.classList.toggle("selected", key !== null && tr.dataset.key === JSON.stringify(key));
  }
  $("panel").hidden = false;
  $("panel-error").hidden = true;
  $("panel-ok").hidden = true;
  let record = {};
  if (key) {
    try {
      record = (await api("/api/record", { source: String(view.source), model: model.name, key })).record;
    } catch (e) {
      showPanelError(e);
      $("record-form").textContent = "";
      $("relations").textContent = "";
      return;
    }
  }
  const creating = key === null;
  const disabled = !model.writable;
  $("panel-title").textContent = creating ? "New " + model.name : model.name + " " + keyText(model, key);
  const form = $("record-form");
  form.textContent = "";
  for (const f of model.fields) {
    const value = record[f.name];
    const input = inputFor(f, creating ? null : value, disabled || (creating && f.updatedAt));
    const ph = placeholderFor(f, creating);
    if (ph && input.tagName !== "SELECT") input.placeholder = ph;
    const tags = [];
    if (f.id) tags.push("id");
    if (f.unique) tags.push("unique");
    if (f.foreignKey) tags.push("relation");
    if (f.default && !creating) tags.push("default " + f.default);
    const row = el("div", { class: "row" }, input);
    let nullBox = null;
    if (f.optional || (creating && (f.kind === "boolean" || f.kind === "enum") && f.canOmit)) {
      nullBox = el("input", { type: "checkbox", class: "is-null", "data-field": f.name, disabled });
      const isNull = creating ? true : value === null || value === undefined;
      nullBox.checked = isNull;
      input.disabled = disabled || isNull;
      nullBox.addEventListener("change", () => { input.disabled = nullBox.checked; if (!nullBox.checked) input.focus(); });
      row.append(el("label", { class: "null-toggle", title: f.optional ? "Store NULL" : "Leave out: the default applies" }, nullBox, f.optional ? "null" : "default"));
    }
    form.append(el("div", { class: "field", "data-field": f.name },
      el("label", {}, f.name, el("span", { class: "ty", text: typeLabel(f) }), ...tags.map((t) => el("span", { class: "tag", text: t }))),
      row,
      f.docs ? el("div", { class: "hint", text: f.docs }) : null,
      el("div", { class: "field-error", "data-field": f.name, hidden: true })));
  }
  const rel = $("relations");
  rel.textContent = "";
  if (!creating && model.relations.length) {
    rel.append(el("h3", { text: "Relations" }));
    for (const r of model.relations) {
      const target = modelIn(source, r.target);
      const canFollow = target && r.back;
      rel.append(el("div", { class: "relation" },
        el("strong", { text: r.name }),
        el("span", { class: "to", text: "→ " + r.target + (r.many ? "[]" : r.optional ? "?" : "") }),
        el("div", { class: "spacer" }),
        canFollow ? el("button", { class: "link", "data-relation": r.name, onclick: () => {
          selectedKey = null;
          go({ model: r.target, related: { relation: r.back, model: model.name, key }, filters: [], skip: 0, order: "", open: null });
        } }, r.many ? "Open related " + r.target + " records" : "Open " + r.target) : el("span", { class: "muted", text: "not in this view" })));
    }
    relationCounts(source, model, key);
  }
  const note = $("panel-note");
  note.hidden = model.writable;
  note.textContent = model.primaryKey.length ? "Read-only: " + source.readOnlyReason + "." : "Read-only: this model has no primary key.";
  $("save").hidden = disabled;
  $("delete").hidden = disabled || creating;
  $("save").textContent = creating ? "Create" : "Save";
  resetDelete();
}

function closePanel() {
  selectedKey = null;
  $("panel").hidden = true;
  if (view.open) go({ open: null });
  for (const tr of document.querySelectorAll("#grid-body tr.selected")) tr.classList.remove("selected");
}

function showPanelError(e) {
  const box = $("panel-error");
  box.textContent = e.message || String(e);
  box.hidden = false;
  for (const f of e.fields || []) {
    const fe = document.querySelector(`.field-error[data-field="${CSS.escape(f)}"]`);
    const wrap = document.querySelector(`.field[data-field="${CSS.escape(f)}"]`);
    if (fe) { fe.textContent = e.message; fe.hidden = false; }
    if (wrap) wrap.classList.add("invalid");
  }
}

function clearPanelErrors() {
  $("panel-error").hidden = true;
  $("panel-ok").hidden = true;
  for (const fe of document.querySelectorAll(".field-error")) { fe.hidden = true; fe.textContent = ""; }
  for (const w of document.querySelectorAll(".field.invalid")) w.classList.remove("invalid");
}

// The values of the form: every field for a create (left-out ones omitted), changed ones for an edit.
function formValues(model, creating) {
  const values = {};
  for (const f of model.fields) {
    const input = document.querySelector(`#record-form [name="${CSS.escape(f.name)}"]`);
    const nullBox = document.querySelector(`#record-form .is-null[data-field="${CSS.escape(f.name)}"]`);
    if (!input) continue;
    if (creating && f.updatedAt) continue;
    if (nullBox && nullBox.checked) {
      if (creating && !f.optional) continue;
      if (creating && f.optional && f.default) continue;
      values[f.name] = null;
      continue;
    }
    let v = input.value;
    // Left empty on a create: left out, so a default applies or a required field is said missing.
    if (creating && v === "") continue;
    if (f.kind === "json" || f.list) {
      try { v = v.trim() === "" ? null : JSON.parse(v); } catch (e) {
        throw { message: `${f.name} is not valid JSON: ${e.message}`, fields: [f.name] };
      }
    } else if (f.kind === "boolean") {
      v = v === "true";
    }
    values[f.name] = v;
  }
  return values;
}

// How many records each list relation of the open record leads to, filled into its button once
// counted (exact up to the sidebar's cap; "more than" beyond).
async function relationCounts(source, model, key) {
  const opened = JSON.stringify(key);
  await Promise.all(model.relations.filter((r) => r.many && r.back && modelIn(source, r.target)).map(async (r) => {
    let c;
    try {
      c = await api("/api/count", { source: String(view.source), model: r.target, related: { relation: r.back, model: model.name, key }, capped: "1" });
    } catch (_) {
      return; // the button keeps its words without a number
    }
    if (JSON.stringify(selectedKey) !== opened) return;
    const button = document.querySelector(`#relations [data-relation="${CSS.escape(r.name)}"]`);
    if (!button) return;
    const n = c.more ? "more than " + c.total : String(c.total);
    button.textContent = `Open ${n} related ${r.target} record${!c.more && c.total === 1 ? "" : "s"}`;
    button.dataset.count = c.more ? "more" : String(c.total);
  }));
}

async function save() {
  const model = currentModel();
  const creating = selectedKey === null;
  clearPanelErrors();
  let values;
  try { values = formValues(model, creating); } catch (e) { showPanelError(e); return; }
  $("save").disabled = true;
  try {
    const body = { source: view.source, model: model.name, values };
    let record;
    if (creating) {
      record = (await api("/api/create", null, body)).record;
    } else {
      body.key = selectedKey;
      record = (await api("/api/update", null, body)).record;
    }
    const key = keyOf(model, record);
    await refreshCounts();
    go({ open: key });
    await openPanel(model, key);
    $("panel-ok").textContent = creating ? "Created." : "Saved.";
    $("panel-ok").hidden = false;
  } catch (e) {
    showPanelError(e);
  } finally {
    $("save").disabled = false;
  }
}

let deleteArmed = null;
function resetDelete() {
  const b = $("delete");
  b.classList.remove("confirm");
  b.textContent = "Delete";
  clearTimeout(deleteArmed);
  deleteArmed = null;
}

async function del() {
  const model = currentModel();
  const b = $("delete");
  if (!deleteArmed) {
    b.classList.add("confirm");
    b.textContent = "Click again to delete";
    deleteArmed = setTimeout(resetDelete, 4000);
    return;
  }
  resetDelete();
  clearPanelErrors();
  try {
    await api("/api/delete", null, { source: view.source, model: model.name, key: selectedKey });
    selectedKey = null;
    $("panel").hidden = true;
    await refreshCounts();
    go({ open: null });
  } catch (e) {
    showPanelError(e);
  }
}

// ---------------------------------------------------------------------------------------------
// Wiring

async function loadSchema() {
  schema = await api("/api/schema");
  $("studio-title").textContent = schema.title;
  document.title = schema.title + " · Sovereign Studio";
  renderSidebar();
  refreshCounts();
}

// Row counts of every model, after the page shows (a large table takes a moment to count).
async function refreshCounts() {
  totals.clear();
  await Promise.all(schema.sources.map(async (s, si) => {
    try {
      const c = await api("/api/counts", { source: String(si) });
      counts[si] = { counts: c.counts, more: c.more || [], cap: c.cap };
    } catch (_) {
      counts[si] = { counts: {}, more: [], cap: 0 };
    }
  }));
  renderSidebar();
}

async function render() {
  view = readHash();
  if (!schema) return;
  renderSidebar();
  await renderTable();
  const model = currentModel();
  if (model && view.open) {
    if (JSON.stringify(view.open) !== JSON.stringify(selectedKey) || $("panel").hidden) await openPanel(model, view.open);
  } else if (!(model && selectedKey === null && !$("panel").hidden && $("panel-title").textContent.startsWith("New "))) {
    selectedKey = null;
    $("panel").hidden = true;
  }
}

$("filter-field").addEventListener("change", () => fillOps(currentModel()));
$("filter-op").addEventListener("change", syncValueInput);
$("filter-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  const field = $("filter-field").value;
  const op = $("filter-op").value;
  if (!field || !op) return;
  const value = op === "is_null" || op === "is_not_null" ? null : $("filter-value").value;
  $("filter-value").value = "";
  go({ filters: view.filters.concat([{ field, op, value }]), skip: 0 });
});
$("related-clear").addEventListener("click", () => go({ related: null, skip: 0 }));
$("prev-page").addEventListener("click", () => go({ skip: Math.max(0, view.skip - view.take) }));
$("next-page").addEventListener("click", () => go({ skip: view.skip + view.take }));
$("first-page").addEventListener("click", () => go({ skip: 0 }));
$("last-page").addEventListener("click", () => {
  const total = totals.get(listingKey());
  if (total !== undefined) go({ skip: Math.max(0, Math.floor((total - 1) / view.take) * view.take) });
});
$("page-size").addEventListener("change", () => go({ take: Number($("page-size").value), skip: 0 }));
$("add-record").addEventListener("click", () => {
  if (view.open) go({ open: null });
  openPanel(currentModel(), null);
});
$("panel-close").addEventListener("click", closePanel);
$("save").addEventListener("click", save);
$("delete").addEventListener("click", del);
$("record-form").addEventListener("submit", (ev) => { ev.preventDefault(); save(); });
$("model-search").addEventListener("input", renderSidebar);
$("reload").addEventListener("click", async () => { await loadSchema(); render(); });
document.addEventListener("keydown", (ev) => { if (ev.key === "Escape" && !$("panel").hidden) closePanel(); });
window.addEventListener("hashchange", render);

(async () => {
  try {
    await loadSchema();
  } catch (e) {
    if (e.kind === "token") return;
    $("sources").textContent = "";
    $("main-error").textContent = e.message;
    $("main-error").hidden = false;
    return;
  }
  view = readHash();
  if (!view.model && schema.sources.length && schema.sources[0].models.length) {
    go({ source: 0, model: schema.sources[0].models[0].name });
  } else {
    render();
  }
})();
