// schemadrive playground: draws what the server describes and shows what it answers.
// No rule lives here: fields, problems, costs and jobs all come from the server, which asks
// the schemadrive library (the same checks as `schemadrive validate` and `run`).
"use strict";

const token = new URLSearchParams(location.search).get("token") || "";
const $ = (id) => document.getElementById(id);
let model = null;        // the model id whose form is shown
let fields = [];         // the form's fields, as the server described them
let checkSeq = 0;        // drops replies to older checks
let checkTimer = null;
let valid = false;
let lastValues = null;   // the values last sent for checking, as JSON
let submitting = false;
const jobs = new Map();  // id -> the job as the server last told it

function withToken(path) {
  return path + (path.includes("?") ? "&" : "?") + "token=" + encodeURIComponent(token);
}

async function api(path, options = {}) {
  const headers = { "X-Schemadrive-Token": token, ...(options.headers || {}) };
  if (options.json !== undefined) {
    headers["Content-Type"] = "application/json";
    options = { ...options, body: JSON.stringify(options.json) };
  }
  const response = await fetch(path, { ...options, headers });
  let body = {};
  try { body = await response.json(); } catch (e) { body = {}; }
  return { status: response.status, ok: response.ok, body };
}

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "text") node.textContent = value;
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

function show(value) {
  return typeof value === "string" ? value : JSON.stringify(value);
}

// -- the model picker ------------------------------------------------------------------------
async function loadModels() {
  const { ok, body } = await api("/api/models");
  if (!ok) { $("message").textContent = body.error || "the model list is unavailable"; return; }
  const select = $("model");
  for (const id of body.models) select.append(el("option", { value: id, text: id }));
  const wanted = decodeURIComponent(location.hash.slice(1)) || body.selected;
  if (wanted && !body.models.includes(wanted)) select.append(el("option", { value: wanted, text: wanted }));
  select.value = wanted || body.models[0] || "";
  select.addEventListener("change", () => loadForm(select.value));
  if (select.value) await loadForm(select.value);
}

// -- the form --------------------------------------------------------------------------------
async function loadForm(id) {
  model = id;
  history.replaceState(null, "", "#" + encodeURIComponent(id));
  for (const box of ["basic-fields", "advanced-fields", "problems"]) $(box).replaceChildren();
  $("estimate").textContent = "";
  $("message").textContent = "";
  setValid(false);
  lastValues = null;
  fields = [];
  const { ok, body } = await api("/api/models/" + encodeURIComponent(id) + "/form");
  if (id !== model) return;
  if (!ok) { $("model-title").textContent = id; $("message").textContent = body.error; return; }
  $("model-title").textContent = body.display_name;
  $("model-description").textContent = body.description || "";
  fields = body.fields;
  for (const field of fields) {
    $(field.basic ? "basic-fields" : "advanced-fields").append(renderField(field));
  }
  $("advanced").hidden = !fields.some((f) => !f.basic);
  scheduleCheck(0);
}

function helpText(field) {
  const parts = [];
  if (field.description) parts.push(field.description);
  if (field.has_default) parts.push("default: " + show(field.default));
  if (field.minimum !== null || field.maximum !== null) {
    parts.push("range: " + (field.minimum ?? "…") + " to " + (field.maximum ?? "…"));
  }
  parts.push(field.type);
  return parts.join(" · ");
}

function renderField(field) {
  const id = "f-" + field.name;
  const label = el("label", { for: id, text: field.name });
  if (field.required) label.append(el("span", { class: "required", text: " *", title: "required" }));
  const input = widget(field, id);
  const wrapper = el("div", { class: "field", "data-name": field.name, "data-widget": field.widget },
    label, input, el("small", { class: "help", text: helpText(field) }),
    el("ul", { class: "field-problems" }));
  input.addEventListener("input", () => scheduleCheck());
  input.addEventListener("change", () => scheduleCheck());
  return wrapper;
}

function widget(field, id) {
  const value = field.has_default ? field.default : null;
  switch (field.widget) {
    case "textarea":
      return el("textarea", { id, name: field.name, rows: 3, text: value ?? "" });
    case "select": {
      const select = el("select", { id, name: field.name });
      if (!field.required && !field.has_default) select.append(el("option", { value: "", text: "—" }));
      field.options.forEach((option, index) => {
        select.append(el("option", { value: String(index), text: show(option),
          selected: field.has_default && JSON.stringify(option) === JSON.stringify(value) }));
      });
      return select;
    }
    case "checkbox":
      return el("input", { id, name: field.name, type: "checkbox", checked: value === true });
    case "number":
      return el("input", { id, name: field.name, type: "number", step: field.step,
        min: field.minimum, max: field.maximum, value: value ?? "" });
    case "file": {
      const box = el("div", { id, class: "file" });
      const picker = el("input", { type: "file", name: field.name, accept: field.accept || null,
        multiple: field.multiple, "aria-label": field.name + " file" });
      const url = el("input", { type: "url", name: field.name + "-url", placeholder: "or a URL",
        "aria-label": field.name + " URL" });
      picker.addEventListener("change", () => upload(picker));
      box.append(picker, url);
      return box;
    }
    case "json":
      return el("input", { id, name: field.name, type: "text", placeholder: "JSON",
        value: value === null ? "" : JSON.stringify(value) });
    default:
      return el("input", { id, name: field.name, type: "text", value: value ?? "" });
  }
}

// A chosen file goes to the server once; the form then refers to it by id.
async function upload(picker) {
  picker.dataset.uploads = "";
  picker.dataset.pending = "1";
  setValid(false);
  const ids = [];
  for (const file of picker.files) {
    const response = await fetch(withToken("/api/uploads?name=" + encodeURIComponent(file.name)),
      { method: "POST", body: file, headers: { "X-Schemadrive-Token": token } });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) { $("message").textContent = body.error || "the upload failed"; break; }
    ids.push(body.id);
  }
  picker.dataset.uploads = JSON.stringify(ids);
  delete picker.dataset.pending;
  lastValues = null;
  scheduleCheck(0);
}

function values() {
  const out = {};
  for (const field of fields) {
    const node = $("f-" + field.name);
    if (!node) continue;
    if (field.widget === "checkbox") out[field.name] = node.checked;
    else if (field.widget === "select") {
      if (node.value !== "") out[field.name] = field.options[Number(node.value)];
    } else if (field.widget === "file") {
      const picker = node.querySelector("input[type=file]");
      const ids = picker.dataset.uploads ? JSON.parse(picker.dataset.uploads) : [];
      const url = node.querySelector("input[type=url]").value;
      if (ids.length) {
        const files = ids.map((upload) => ({ upload }));
        out[field.name] = field.multiple ? files : files[0];
      } else if (url !== "") out[field.name] = url;
    } else if (node.value !== "") out[field.name] = node.value;
  }
  return out;
}

function scheduleCheck(delay = 150) {
  // a field's "change" on blur (e.g. when Generate is pressed) changes nothing: no new check
  const now = JSON.stringify(values());
  if (now === lastValues) return;
  lastValues = now;
  checkSeq++;       // a check already asked about older values: its answer is dropped
  setValid(false);  // until the server has looked at what changed
  clearTimeout(checkTimer);
  checkTimer = setTimeout(runCheck, delay);
}

async function runCheck() {
  if (!model || document.querySelector("[data-pending]")) return;
  const seq = ++checkSeq;
  const { ok, body } = await api("/api/models/" + encodeURIComponent(model) + "/check",
    { method: "POST", json: { values: values() } });
  if (seq !== checkSeq) return;
  if (!ok) { $("message").textContent = body.error || "the check failed"; return; }
  showProblems(body);
}

function showProblems(answer) {
  const list = $("problems");
  list.replaceChildren();
  for (const node of document.querySelectorAll(".field")) {
    node.classList.remove("invalid");
    node.querySelector(".field-problems").replaceChildren();
  }
  for (const problem of answer.problems || []) {
    list.append(el("li", { class: "problem " + problem.severity, text: problem.text }));
    const field = problem.field && document.querySelector(`.field[data-name="${CSS.escape(problem.field)}"]`);
    if (field) {
      if (problem.severity === "error") field.classList.add("invalid");
      field.querySelector(".field-problems").append(el("li", { text: problem.text }));
      if (problem.severity === "error") $("advanced").open ||= !!field.closest("#advanced");
    }
  }
  if (answer.estimate) $("estimate").textContent = "Estimated cost: " + answer.estimate.text;
  setValid(answer.valid);
}

function setValid(value) {
  valid = value;
  $("generate").disabled = !valid || submitting;
}

async function generate(event) {
  event.preventDefault();
  if (!valid || submitting) return;
  submitting = true;
  setValid(valid);
  $("message").textContent = "Queueing…";
  try {
    const { status, body } = await api("/api/models/" + encodeURIComponent(model) + "/jobs",
      { method: "POST", json: { values: values() } });
    if (status === 201) {
      $("message").textContent = "Queued job " + body.job.id;
      updateJob(body.job);
    } else if (status === 422) {
      $("message").textContent = "Not sent: the payload has problems.";
      showProblems(body);
    } else {
      $("message").textContent = body.error || "the job was not queued (HTTP " + status + ")";
    }
  } finally {
    submitting = false;
    setValid(valid);
  }
}

// -- jobs ------------------------------------------------------------------------------------
function listen() {
  const source = new EventSource(withToken("/api/events"));
  source.addEventListener("open", () => { $("live").textContent = "live"; $("live").className = "live on"; });
  source.addEventListener("error", () => { $("live").textContent = "reconnecting"; $("live").className = "live"; });
  source.addEventListener("job", (event) => updateJob(JSON.parse(event.data)));
}

function updateJob(job) {
  const known = jobs.get(job.id);
  if (known && known.done && !job.done) return;  // an older word arriving late
  jobs.set(job.id, job);
  let item = document.querySelector(`#jobs li[data-id="${CSS.escape(job.id)}"]`);
  if (!item) {
    item = el("li", { class: "job", "data-id": job.id },
      el("div", { class: "job-head" }, el("code", { text: job.id }), el("span", { class: "job-model" }),
        el("span", { class: "status" })),
      el("p", { class: "job-error" }), el("div", { class: "outputs" }));
    $("jobs").prepend(item);
  }
  item.dataset.status = job.status;
  item.querySelector(".job-model").textContent = job.model || "";
  const status = item.querySelector(".status");
  status.textContent = job.status;
  status.className = "status " + job.status;
  item.querySelector(".job-error").textContent = job.error || "";
  const outputs = item.querySelector(".outputs");
  if (job.done && !outputs.childElementCount) {
    for (const output of job.outputs) outputs.append(renderOutput(job, output));
  }
}

function renderOutput(job, output) {
  const path = `/api/jobs/${encodeURIComponent(job.id)}/outputs/${output.index}`;
  const box = el("figure", { class: "output" });
  if (output.kind === "video") box.append(el("video", { src: withToken(path), controls: true, preload: "metadata" }));
  else if (output.kind === "image") box.append(el("img", { src: withToken(path), alt: "output " + output.index }));
  box.append(el("figcaption", {}, el("a", { href: withToken(path + "?download=1"), download: "",
    class: "download", text: "Download" })));
  return box;
}

async function attach(event) {
  event.preventDefault();
  const id = $("attach-id").value.trim();
  if (!id) return;
  const { ok, body } = await api("/api/jobs/attach", { method: "POST", json: { id } });
  $("message").textContent = ok ? "Watching job " + body.job.id : body.error;
  if (ok) { updateJob(body.job); $("attach-id").value = ""; }
}

document.addEventListener("DOMContentLoaded", () => {
  $("form").addEventListener("submit", generate);
  $("attach").addEventListener("submit", attach);
  listen();
  loadModels();
});
