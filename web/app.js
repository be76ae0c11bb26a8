// Keel's web page: upload deed PDFs, follow each job live, read its results, and watch the process
// tree's memory stay under its budget. Plain DOM code, no framework and no build step: the server
// serves this file as it is.

const KEY_STORAGE = 'keel-api-key';
const OPTIONS_STORAGE = 'keel-options';
const TERMINAL = new Set(['done', 'failed', 'cancelled']);
// A browser allows six HTTP/1.1 connections per host; every EventSource holds one open. Leave room
// for uploads, the memory poll and API calls; jobs without a stream are followed by polling.
const MAX_STREAMS = 3;
const MEMORY_POLL_MS = 2000;
const MAX_MEMORY_POINTS = 1800;
const FAST_REFRESH_MS = 4000;
const SLOW_REFRESH_MS = 20000;
const CONFIRM_WINDOW_MS = 4000;
const RESULT_FILTER_MIN_ROWS = 8;
const LOW_OCR_QUALITY = 0.6;
const AUTO_EXPAND_LIMIT = 3;

const MODE_INFO = {
  single_deed: { label: 'Single deed', help: 'The whole file is one deed: one decision.' },
  page_by_page: { label: 'Page by page', help: 'Every page is judged on its own: one row per page.' },
  multi_deed: { label: 'Deed book', help: 'A book of deeds: Keel finds where each deed starts and judges each one.' },
};
const POLICY_INFO = {
  balanced: { label: 'Balanced', help: 'Counts clear reservations and exceptions; fewer false alarms.' },
  'high-recall': { label: 'High recall', help: 'Also counts weaker and restated clauses; misses less, flags more.' },
};
const OCR_INFO = {
  auto: { label: 'OCR auto', help: 'System Tesseract when installed, otherwise the built-in engine.' },
  wasm: { label: 'OCR built-in', help: 'Built-in engine (tesseract.js): always available, slower.' },
  native: { label: 'OCR system', help: 'System Tesseract: faster; fails if it is not installed.' },
};
const STATUS_LABELS = {
  queued: 'Queued',
  running: 'Running',
  done: 'Done',
  failed: 'Failed',
  cancelled: 'Cancelled',
  waiting: 'Waiting',
  uploading: 'Uploading',
  rejected: 'Not accepted',
};
const CLAUSE_LABELS = {
  new_reservation: 'New reservation',
  prior_reservation: 'Prior reservation',
  subject_to_specific: 'Subject to a specific lease or reservation',
  conveyance: 'Conveys the minerals',
  coal_only: 'Coal only',
  generic_of_record: 'Generic “of record” clause',
};
const FLAG_LABELS = {
  no_text: 'No readable text',
  low_ocr_quality: 'Low OCR quality',
  grey_zone_minerals_only: 'Minerals only, no oil or gas named',
  conflicting_clauses: 'Conflicting clauses',
  weak_evidence: 'Weak evidence',
  only_generic_or_excluded_clauses: 'Only generic or excluded clauses',
};

// ---------------------------------------------------------------------------------------------
// Small DOM and formatting helpers

const $ = (selector, root = document) => root.querySelector(selector);

/** Creates an element. Text always goes in as text nodes: server data is never parsed as HTML. */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  setAttributes(el, attrs);
  appendChildren(el, children);
  return el;
}

const SVG_NS = 'http://www.w3.org/2000/svg';
function svgEl(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  setAttributes(el, attrs);
  appendChildren(el, children);
  return el;
}

function setAttributes(el, attrs) {
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'dataset') Object.assign(el.dataset, value);
    else if (name.startsWith('on') && typeof value === 'function') el.addEventListener(name.slice(2), value);
    else el.setAttribute(name, value === true ? '' : String(value));
  }
}

function appendChildren(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
}

const plural = (n, one, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const pad2 = (n) => String(n).padStart(2, '0');
const cssToken = (value) => String(value ?? '').replace(/[^a-z0-9_-]/gi, '');

function formatClock(ms) {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '–';
  const total = Math.max(0, Math.round(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  return hours ? `${hours}:${pad2(minutes)}:${pad2(seconds)}` : `${minutes}:${pad2(seconds)}`;
}

function formatEta(ms) {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '–';
  const seconds = Math.round(ms / 1000);
  if (seconds <= 0) return 'soon';
  if (seconds < 60) return `~${seconds} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `~${minutes} min`;
  return `~${Math.floor(minutes / 60)} h ${pad2(minutes % 60)} min`;
}

function formatBytes(bytes) {
  if (!Number.isFinite(bytes)) return '';
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / 1024 ** 2).toFixed(bytes < 10 * 1024 ** 2 ? 1 : 0)} MB`;
}

function formatMB(mb) {
  if (mb === null || mb === undefined || !Number.isFinite(mb)) return '–';
  return mb < 10 ? mb.toFixed(1) : String(Math.round(mb));
}

const formatPercent = (fraction) => (Number.isFinite(fraction) ? `${Math.round(fraction * 100)}%` : '–');

function formatTimeOfDay(date, withSeconds = false) {
  const time = `${pad2(date.getHours())}:${pad2(date.getMinutes())}`;
  return withSeconds ? `${time}:${pad2(date.getSeconds())}` : time;
}

function formatCreated(iso) {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const today = new Date();
  if (date.toDateString() === today.toDateString()) return formatTimeOfDay(date);
  return `${date.toLocaleDateString(undefined, { month: 'short', day: 'numeric' })} ${formatTimeOfDay(date)}`;
}

function pageRange(start, end) {
  if (!Number.isFinite(start)) return '–';
  return !Number.isFinite(end) || start === end ? String(start) : `${start}–${end}`;
}

const readable = (code) => {
  const text = String(code).replace(/_/g, ' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
};
const clauseLabel = (type) => CLAUSE_LABELS[type] ?? readable(type ?? 'clause');

/** Review flags are short codes; accept objects too ({code, message}) so a richer server still shows well. */
function normalizeFlag(flag) {
  if (typeof flag === 'string') return { code: flag, label: FLAG_LABELS[flag] ?? readable(flag), detail: '' };
  const code = String(flag?.code ?? flag?.flag ?? flag?.type ?? 'flag');
  return { code, label: FLAG_LABELS[code] ?? readable(code), detail: String(flag?.message ?? flag?.detail ?? '') };
}

function flagChips(flags) {
  const list = (flags ?? []).map(normalizeFlag);
  if (list.length === 0) return null;
  return h('ul', { class: 'flag-list', 'aria-label': 'Review flags' },
    list.map((flag) => h('li', { class: 'flag', dataset: { flag: flag.code }, title: flag.detail || flag.code }, flag.label)));
}

// ---------------------------------------------------------------------------------------------
// Announcements for screen readers (status changes, results of actions)

const announcer = $('#announcer');
let announceTimer;
function announce(message) {
  // Clear first, so the same message twice in a row is still read.
  announcer.textContent = '';
  clearTimeout(announceTimer);
  announceTimer = setTimeout(() => (announcer.textContent = message), 60);
}

const uploadStatus = $('#upload-status');
function setUploadStatus(message, tone = '') {
  uploadStatus.textContent = message;
  uploadStatus.dataset.tone = tone;
}

// ---------------------------------------------------------------------------------------------
// API key: from the link the server prints (#key=...), else from this browser, else asked for

let apiKey = '';
let keyRejected = false;

function storeKey(key) {
  apiKey = key;
  keyRejected = false;
  try {
    localStorage.setItem(KEY_STORAGE, key);
  } catch {
    // Private mode or storage disabled: the key then lives as long as the page.
  }
  renderKeyState();
}

function keyFromHash() {
  // Parsed by hand: URLSearchParams would turn a '+' in the key into a space.
  const pair = location.hash.slice(1).split('&').find((part) => part.startsWith('key='));
  if (!pair) return '';
  let key;
  try {
    key = decodeURIComponent(pair.slice(4));
  } catch {
    key = pair.slice(4);
  }
  if (!key) return '';
  // Drop the key from the address bar (and so from history and screenshots).
  history.replaceState(null, '', location.pathname + location.search);
  return key.trim();
}

function initialKey() {
  const fromHash = keyFromHash();
  if (fromHash) return { key: fromHash, fromHash: true };
  try {
    return { key: localStorage.getItem(KEY_STORAGE) ?? '', fromHash: false };
  } catch {
    return { key: '', fromHash: false };
  }
}

const keyPanel = $('#key-panel');
const keyInput = $('#api-key-input');
const keyError = $('#api-key-error');

function renderKeyState() {
  $('#key-state').textContent = !apiKey ? 'No API key' : keyRejected ? 'API key not accepted' : 'API key saved';
  $('#key-status').dataset.state = !apiKey ? 'missing' : keyRejected ? 'rejected' : 'ok';
  $('#api-key-change').textContent = apiKey ? 'Change key' : 'Enter key';
  // Uploads waiting for a key say so, or stop saying so.
  for (const entry of uploads.values()) if (entry.state === 'waiting') renderUpload(entry);
}

function showKeyPanel(message, { focus = false } = {}) {
  keyPanel.hidden = false;
  keyError.hidden = !message;
  keyError.textContent = message ?? '';
  keyInput.setAttribute('aria-invalid', message ? 'true' : 'false');
  if (focus) keyInput.focus();
}

function onUnauthorized(error) {
  if (keyRejected) return;
  keyRejected = true;
  renderKeyState();
  closeAllStreams();
  const message = error.code === 'E_NO_API_KEY'
    ? 'The server needs an API key.'
    : 'The server did not accept this API key. Paste the key from the link that keel serve printed.';
  showKeyPanel(message);
  announce(message);
}

function setupKey() {
  const { key, fromHash } = initialKey();
  if (key) storeKey(key);
  else renderKeyState();
  if (fromHash) announce('API key saved from the link.');

  $('#api-key-change').addEventListener('click', () => {
    if (keyPanel.hidden) {
      keyInput.value = '';
      showKeyPanel('', { focus: true });
    } else if (apiKey && !keyRejected) {
      keyPanel.hidden = true;
    } else {
      keyInput.focus();
    }
  });

  $('#api-key-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const key = keyInput.value.trim();
    if (!key) {
      showKeyPanel('Paste the API key first.', { focus: true });
      return;
    }
    storeKey(key);
    keyPanel.hidden = true;
    await refreshJobs({ initial: jobs.size === 0 });
    if (!keyRejected) {
      keyInput.value = '';
      announce('API key saved.');
      void pumpUploads();
    } else if (keyRejected) {
      keyInput.focus();
      keyInput.select();
    }
  });

  // Opening the printed link in an already open tab only changes the hash.
  window.addEventListener('hashchange', () => {
    const key = keyFromHash();
    if (!key) return;
    storeKey(key);
    keyPanel.hidden = true;
    announce('API key saved from the link.');
    void refreshJobs({ initial: jobs.size === 0 });
  });

  if (!apiKey) showKeyPanel('', { focus: true });
}

// ---------------------------------------------------------------------------------------------
// HTTP

class ApiError extends Error {
  constructor(status, code, message, extra = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.retryAfter = extra.retryAfter ?? null;
    this.data = extra.data ?? null;
  }
}

function parseJson(text) {
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return null;
  }
}

function errorFromResponse(status, data, statusText, retryAfter) {
  const error = data?.error ?? {};
  const code = typeof error.code === 'string' ? error.code : `HTTP_${status}`;
  const message = typeof error.message === 'string' && error.message ? error.message : statusText || `the server answered ${status}`;
  return new ApiError(status, code, message, { data, retryAfter: retryAfter === null ? null : Number(retryAfter) });
}

const NETWORK_MESSAGE = 'Cannot reach the Keel server. Is keel serve still running?';

async function api(path, { method = 'GET' } = {}) {
  let response;
  try {
    response = await fetch(path, { method, headers: apiKey ? { authorization: `Bearer ${apiKey}` } : {} });
  } catch {
    throw new ApiError(0, 'E_NETWORK', NETWORK_MESSAGE);
  }
  const data = parseJson(await response.text());
  if (!response.ok) {
    const error = errorFromResponse(response.status, data, response.statusText, response.headers.get('retry-after'));
    if (response.status === 401) onUnauthorized(error);
    throw error;
  }
  return data;
}

const keyQuery = () => `key=${encodeURIComponent(apiKey)}`;
const jobPath = (id) => `/v1/jobs/${encodeURIComponent(id)}`;
const csvUrl = (id) => `${jobPath(id)}/result?format=csv&${keyQuery()}`;

// ---------------------------------------------------------------------------------------------
// Upload form: options, file selection, drag and drop

const fileInput = $('#file-input');
const dropZone = $('#drop-zone');
const selectedList = $('#selected-files');
const modeSelect = $('#mode-select');
const policySelect = $('#policy-select');
const ocrSelect = $('#ocr-select');
let selectedFiles = [];

function currentOptions() {
  return { mode: modeSelect.value, policy: policySelect.value, ocr: ocrSelect.value };
}

function setupOptions() {
  try {
    const saved = JSON.parse(localStorage.getItem(OPTIONS_STORAGE) ?? '{}');
    for (const [select, value] of [[modeSelect, saved.mode], [policySelect, saved.policy], [ocrSelect, saved.ocr]]) {
      if ([...select.options].some((option) => option.value === value)) select.value = value;
    }
  } catch {
    // Nothing saved, or unreadable: keep the defaults.
  }
  const describe = () => {
    $('#mode-help').textContent = MODE_INFO[modeSelect.value]?.help ?? '';
    $('#policy-help').textContent = POLICY_INFO[policySelect.value]?.help ?? '';
    $('#ocr-help').textContent = OCR_INFO[ocrSelect.value]?.help ?? '';
  };
  for (const select of [modeSelect, policySelect, ocrSelect]) {
    select.addEventListener('change', () => {
      describe();
      try {
        localStorage.setItem(OPTIONS_STORAGE, JSON.stringify(currentOptions()));
      } catch {
        // Not remembered; harmless.
      }
    });
  }
  describe();
}

const isPdf = (file) => file.type === 'application/pdf' || /\.pdf$/i.test(file.name);
const sameFile = (a, b) => a.name === b.name && a.size === b.size && a.lastModified === b.lastModified;

function addFiles(fileList) {
  const added = [];
  const skipped = [];
  for (const file of fileList) {
    if (!isPdf(file)) skipped.push(file.name);
    else if (!selectedFiles.some((known) => sameFile(known, file))) {
      selectedFiles.push(file);
      added.push(file.name);
    }
  }
  renderSelectedFiles();
  const parts = [];
  if (added.length) parts.push(`${plural(selectedFiles.length, 'file')} ready to upload.`);
  if (skipped.length) parts.push(`Skipped ${skipped.join(', ')}: only PDF files can be scanned.`);
  if (parts.length) setUploadStatus(parts.join(' '), skipped.length ? 'warning' : '');
}

function renderSelectedFiles() {
  selectedList.replaceChildren(...selectedFiles.map((file, index) =>
    h('li', { class: 'selected-file' },
      h('span', { class: 'selected-name', title: file.name }, file.name),
      h('span', { class: 'selected-size' }, formatBytes(file.size)),
      h('button', {
        type: 'button',
        class: 'icon-button',
        'aria-label': `Remove ${file.name}`,
        dataset: { index: String(index) },
      }, '×'))));
  selectedList.hidden = selectedFiles.length === 0;
  $('#upload-button').textContent = selectedFiles.length > 1 ? `Upload and scan ${selectedFiles.length} files` : 'Upload and scan';
}

function setupFileSelection() {
  fileInput.addEventListener('change', () => {
    addFiles(fileInput.files);
    // Reset, so choosing the same file again after removing it still fires `change`.
    fileInput.value = '';
  });

  selectedList.addEventListener('click', (event) => {
    const button = event.target.closest('button[data-index]');
    if (!button) return;
    const index = Number(button.dataset.index);
    const [removed] = selectedFiles.splice(index, 1);
    renderSelectedFiles();
    setUploadStatus(`Removed ${removed.name}.`);
    const next = selectedList.querySelectorAll('button')[Math.min(index, selectedFiles.length - 1)];
    (next ?? fileInput).focus();
  });

  // Drag and drop: the zone highlights; a drop anywhere on the page is accepted too, instead of
  // the browser leaving the page to open the PDF.
  const hasFiles = (event) => [...(event.dataTransfer?.types ?? [])].includes('Files');
  let depth = 0;
  dropZone.addEventListener('dragenter', (event) => {
    if (!hasFiles(event)) return;
    depth += 1;
    dropZone.classList.add('is-dragover');
  });
  dropZone.addEventListener('dragleave', () => {
    depth = Math.max(0, depth - 1);
    if (depth === 0) dropZone.classList.remove('is-dragover');
  });
  window.addEventListener('dragover', (event) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
  });
  window.addEventListener('drop', (event) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    depth = 0;
    dropZone.classList.remove('is-dragover');
    addFiles(event.dataTransfer.files);
  });

  $('#upload-form').addEventListener('submit', (event) => {
    event.preventDefault();
    if (selectedFiles.length === 0) {
      setUploadStatus('Choose at least one PDF file first.', 'error');
      fileInput.focus();
      return;
    }
    const options = currentOptions();
    for (const file of selectedFiles) queueUpload(file, options);
    setUploadStatus(`Sending ${plural(selectedFiles.length, 'file')}…`);
    selectedFiles = [];
    renderSelectedFiles();
    if (!apiKey) showKeyPanel('Enter the API key to start the uploads.', { focus: true });
    void pumpUploads();
  });
}

// ---------------------------------------------------------------------------------------------
// Uploads: one POST per file, one at a time, with byte progress. A full queue (429) pauses the
// queue for the server's Retry-After and then tries again.

const uploads = new Map();
let uploadSeq = 0;
let pumping = false;
let pausedUntil = 0;
let pauseTimer;

function queueUpload(file, options) {
  const entry = {
    uid: `u${++uploadSeq}`,
    file,
    options,
    state: 'waiting',
    loaded: 0,
    total: file.size,
    xhr: null,
    error: null,
  };
  entry.ui = makeRowShell(`upload-${entry.uid}`);
  entry.ui.row.dataset.uploadId = entry.uid;
  entry.ui.actions.addEventListener('click', (event) => onUploadAction(entry, event));
  uploads.set(entry.uid, entry);
  jobsTable.insertBefore(entry.ui.tbody, firstJobBody());
  renderUpload(entry);
  updateEmptyState();
}

async function pumpUploads() {
  if (pumping) return;
  pumping = true;
  try {
    for (;;) {
      if (!apiKey || keyRejected) break;
      const wait = pausedUntil - Date.now();
      if (wait > 0) {
        clearTimeout(pauseTimer);
        pauseTimer = setTimeout(() => void pumpUploads(), wait + 50);
        break;
      }
      const next = [...uploads.values()].find((entry) => entry.state === 'waiting');
      if (!next) break;
      await sendUpload(next);
    }
  } finally {
    pumping = false;
  }
}

function sendUpload(entry) {
  return new Promise((resolve) => {
    const form = new FormData();
    // Text fields first: the server reads the options before the file streams in.
    form.append('mode', entry.options.mode);
    form.append('policy', entry.options.policy);
    form.append('ocr', entry.options.ocr);
    form.append('file', entry.file, entry.file.name);

    const xhr = new XMLHttpRequest();
    entry.xhr = xhr;
    entry.state = 'uploading';
    entry.loaded = 0;
    entry.error = null;
    entry.note = '';
    renderUpload(entry);

    xhr.open('POST', '/v1/deeds');
    xhr.setRequestHeader('authorization', `Bearer ${apiKey}`);
    xhr.upload.addEventListener('progress', (event) => {
      entry.loaded = event.loaded;
      if (event.lengthComputable) entry.total = event.total;
      renderUpload(entry);
    });
    xhr.addEventListener('load', () => {
      entry.xhr = null;
      const data = parseJson(xhr.responseText);
      if (xhr.status >= 200 && xhr.status < 300 && data?.id) {
        uploadAccepted(entry, data);
      } else {
        const error = errorFromResponse(xhr.status, data, xhr.statusText, xhr.getResponseHeader('retry-after'));
        if (xhr.status === 401) onUnauthorized(error);
        uploadRejected(entry, error);
      }
      resolve();
    });
    xhr.addEventListener('error', () => {
      entry.xhr = null;
      uploadRejected(entry, new ApiError(0, 'E_NETWORK', NETWORK_MESSAGE));
      resolve();
    });
    xhr.addEventListener('abort', () => {
      entry.xhr = null;
      removeUpload(entry);
      announce(`Upload of ${entry.file.name} stopped.`);
      resolve();
    });
    xhr.send(form);
  });
}

function uploadAccepted(entry, view) {
  uploads.delete(entry.uid);
  const hadFocus = entry.ui.tbody.contains(document.activeElement);
  entry.ui.tbody.remove();
  applyView(view, { announceNew: true });
  if (hadFocus) jobs.get(view.id)?.ui.actions.querySelector('button')?.focus();
  const remaining = [...uploads.values()].filter((item) => item.state === 'waiting' || item.state === 'uploading').length;
  setUploadStatus(remaining ? `${entry.file.name} accepted; ${plural(remaining, 'file')} still to send.` : `${entry.file.name} accepted.`);
}

function uploadRejected(entry, error) {
  if (error.status === 401) {
    // Sent again, first in line, once a valid key is saved.
    entry.state = 'waiting';
    entry.error = error;
    renderUpload(entry);
    return;
  }
  if (error.status === 429) {
    // Queue full: wait as long as the server asks, then this file goes first.
    const seconds = Number.isFinite(error.retryAfter) && error.retryAfter > 0 ? error.retryAfter : 30;
    pausedUntil = Date.now() + seconds * 1000;
    entry.state = 'waiting';
    entry.retryAt = pausedUntil;
    entry.error = error;
    setUploadStatus(`Server busy, retry in ${seconds} s.`, 'warning');
    announce(`Server busy: ${entry.file.name} will be sent again in ${seconds} seconds.`);
    renderUpload(entry);
    return;
  }
  entry.state = 'rejected';
  entry.error = error;
  const message = `${entry.file.name} was not accepted: ${error.message}`;
  setUploadStatus(message, 'error');
  announce(message);
  renderUpload(entry);
}

function removeUpload(entry) {
  uploads.delete(entry.uid);
  moveFocusFrom(entry.ui.tbody);
  entry.ui.tbody.remove();
  updateEmptyState();
}

function onUploadAction(entry, event) {
  const button = event.target.closest('button[data-action]');
  if (!button) return;
  const action = button.dataset.action;
  if (action === 'stop-upload') {
    if (entry.xhr) entry.xhr.abort();
    else {
      removeUpload(entry);
      announce(`${entry.file.name} removed from the upload queue.`);
    }
  } else if (action === 'retry-upload') {
    entry.state = 'waiting';
    entry.retryAt = 0;
    if (pausedUntil > Date.now() && entry.error?.status === 429) pausedUntil = 0;
    renderUpload(entry);
    void pumpUploads();
  } else if (action === 'dismiss') {
    removeUpload(entry);
  }
}

function renderUpload(entry) {
  const ui = entry.ui;
  const status = entry.state;
  ui.row.dataset.status = status;
  ui.fileName.textContent = entry.file.name;
  ui.fileName.title = entry.file.name;
  ui.meta.textContent = optionsSummary(entry.options);
  ui.badge.textContent = STATUS_LABELS[status];
  ui.badge.className = `badge badge-${status}`;
  ui.note.textContent = status === 'rejected' ? entry.error?.code ?? '' : '';
  ui.progress.setAttribute('aria-label', `Upload of ${entry.file.name}`);
  if (status === 'uploading') {
    const fraction = entry.total ? entry.loaded / entry.total : 0;
    setProgress(ui, fraction * 100, `${formatBytes(entry.loaded)} of ${formatBytes(entry.total)} sent`);
  } else if (status === 'waiting') {
    const text = !apiKey || keyRejected ? 'Waiting for the API key'
      : entry.retryAt > Date.now() ? `Server busy, retry in ${Math.ceil((entry.retryAt - Date.now()) / 1000)} s`
        : 'Waiting to upload';
    setProgress(ui, 0, text);
  } else {
    setProgress(ui, 0, 'Not uploaded');
  }
  ui.elapsed.textContent = '–';
  ui.eta.textContent = '–';

  if (ui.renderedStatus !== status) {
    ui.renderedStatus = status;
    const focusedAction = ui.actions.contains(document.activeElement) ? document.activeElement.dataset.action : null;
    const name = entry.file.name;
    if (status === 'rejected') {
      // Trying again helps after a network or server error, not when the file itself was refused.
      const retryable = entry.error.status === 0 || entry.error.status >= 500;
      const buttons = [actionButton('dismiss', 'Dismiss', `Dismiss ${name}`)];
      if (retryable) buttons.unshift(actionButton('retry-upload', 'Retry', `Retry ${name}`));
      ui.actions.replaceChildren(...buttons);
    } else {
      ui.actions.replaceChildren(actionButton('stop-upload', status === 'uploading' ? 'Stop' : 'Remove', `${status === 'uploading' ? 'Stop' : 'Remove'} ${name}`));
    }
    restoreActionFocus(ui, focusedAction);
  }

  if (status === 'rejected') {
    ui.details.replaceChildren(errorBox(entry.error.code, entry.error.message));
    ui.detailsRow.hidden = false;
  } else {
    ui.details.replaceChildren();
    ui.detailsRow.hidden = true;
  }
}

// ---------------------------------------------------------------------------------------------
// Jobs table

const jobsTable = $('#jobs');
const jobsEmpty = $('#jobs-empty');
/** id -> { id, view, ui, receivedAt, seenAt, stream, result, expanded, ... } */
const jobs = new Map();
let jobsLoaded = false;
let jobsLoadError = '';

function firstJobBody() {
  return jobsTable.querySelector('tbody.job:not([data-upload])') ?? null;
}

/** The table structure shared by uploads and jobs: a <tbody> per item, its main row and a details row. */
function makeRowShell(domId) {
  const fileName = h('span', { class: 'file-name' });
  const meta = h('span', { class: 'job-meta' });
  const badge = h('span', { class: 'badge' });
  const note = h('span', { class: 'status-note' });
  const progress = h('progress', { class: 'progress', max: '100', value: '0' });
  const progressText = h('span', { class: 'progress-text' });
  const elapsed = h('td', { class: 'col-time', 'data-label': 'Elapsed' });
  const eta = h('td', { class: 'col-time', 'data-label': 'ETA' });
  const actions = h('div', { class: 'actions' });
  const row = h('tr', { class: 'job-row' },
    h('th', { scope: 'row', class: 'col-file' }, fileName, meta),
    h('td', { class: 'col-status', 'data-label': 'Status' }, badge, note),
    h('td', { class: 'col-progress', 'data-label': 'Progress' }, progress, progressText),
    elapsed,
    eta,
    h('td', { class: 'col-actions' }, actions));
  const details = h('div', { class: 'details-body' });
  const detailsRow = h('tr', { class: 'job-details', id: `details-${domId}`, hidden: true },
    h('td', { colspan: '6' }, details));
  const tbody = h('tbody', { class: 'job' }, row, detailsRow);
  if (domId.startsWith('upload-')) tbody.dataset.upload = '';
  return { tbody, row, fileName, meta, badge, note, progress, progressText, elapsed, eta, actions, details, detailsRow, renderedStatus: null };
}

function setProgress(ui, percent, text, indeterminate = false) {
  if (indeterminate) ui.progress.removeAttribute('value');
  else ui.progress.value = Math.max(0, Math.min(100, percent));
  ui.progress.setAttribute('aria-valuetext', text);
  ui.progressText.textContent = text;
}

function optionsSummary(options) {
  if (!options) return '';
  const parts = [];
  if (options.mode) parts.push(MODE_INFO[options.mode]?.label ?? readable(options.mode));
  if (options.policy) parts.push(POLICY_INFO[options.policy]?.label ?? readable(options.policy));
  if (options.ocr) parts.push(OCR_INFO[options.ocr]?.label ?? `OCR ${options.ocr}`);
  return parts.join(' · ');
}

function actionButton(action, text, label, extraClass = '') {
  return h('button', { type: 'button', class: `button small ${extraClass}`.trim(), dataset: { action }, 'aria-label': label }, text);
}

function restoreActionFocus(ui, action) {
  if (!action) return;
  const target = ui.actions.querySelector(`[data-action="${action}"]`) ?? ui.actions.querySelector('button, a');
  target?.focus();
}

function errorBox(code, message) {
  return h('div', { class: 'job-error' },
    h('p', { class: 'job-error-title' }, h('span', { class: 'visually-hidden' }, 'Error '), h('code', { class: 'error-code' }, code)),
    h('p', { class: 'job-error-message' }, message));
}

function createJob(view) {
  const ui = makeRowShell(view.id);
  ui.row.dataset.jobId = view.id;
  ui.detailsRow.dataset.detailsFor = view.id;
  ui.detailsRow.id = `job-details-${view.id}`;
  const job = { id: view.id, view, ui, receivedAt: performance.now(), seenAt: performance.now(), stream: null, streamFailures: 0, streamRetryAt: 0, result: null, resultState: 'none', expanded: false };
  ui.actions.addEventListener('click', (event) => onJobAction(job, event));
  ui.details.addEventListener('change', (event) => {
    if (event.target.matches('select[data-action="filter-results"]')) filterResults(job, event.target.value);
  });
  jobs.set(view.id, job);
  placeJob(job);
  return job;
}

const createdMs = (view) => Date.parse(view.created_at ?? '') || 0;

/** Newest first, below any uploads still in flight. */
function placeJob(job) {
  const created = createdMs(job.view);
  for (const other of jobsTable.tBodies) {
    if (other.hasAttribute('data-upload')) continue;
    const otherJob = jobs.get(other.querySelector('.job-row')?.dataset.jobId);
    if (otherJob && otherJob !== job && createdMs(otherJob.view) < created) {
      jobsTable.insertBefore(job.ui.tbody, other);
      return;
    }
  }
  jobsTable.append(job.ui.tbody);
}

/** Applies a job view from any source (list, SSE, upload answer). Older versions are ignored. */
function applyView(view, { announceNew = false } = {}) {
  if (!view?.id) return;
  let job = jobs.get(view.id);
  const isNew = !job;
  if (isNew) job = createJob(view);
  else if (Number(view.version) < Number(job.view.version)) return;
  const previous = isNew ? null : job.view.status;
  job.view = view;
  job.receivedAt = performance.now();
  renderJob(job);
  if (isNew) {
    updateEmptyState();
    if (announceNew) announce(`${view.file}: ${STATUS_LABELS[view.status]?.toLowerCase() ?? view.status}.`);
    requestSync();
  } else if (previous !== view.status) {
    onStatusChange(job, previous);
  }
}

function onStatusChange(job, previous) {
  const view = job.view;
  if (TERMINAL.has(view.status)) closeStream(job);
  if (view.status === 'done') {
    announce(`${view.file} is done.`);
    // Finished while watched: open its results straight away (a few at most, so a batch of
    // uploads does not turn the list into a wall of tables).
    const open = [...jobs.values()].filter((other) => other.expanded).length;
    if (!TERMINAL.has(previous) && open < AUTO_EXPAND_LIMIT) setExpanded(job, true);
  } else if (view.status === 'failed') {
    announce(`${view.file} failed: ${view.error?.message ?? 'no reason given'}.`);
  } else if (view.status === 'cancelled') {
    announce(`${view.file} was cancelled.`);
  } else if (view.status === 'running') {
    announce(`${view.file} is running.`);
  }
  requestSync();
}

function renderJob(job) {
  const { view, ui } = job;
  const status = view.status;
  const progress = view.progress ?? {};
  const unit = progress.unit ?? 'pages';
  ui.row.dataset.status = status;
  ui.fileName.textContent = view.file ?? '(unnamed file)';
  ui.fileName.title = view.file ?? '';
  const kindNote = view.kind && view.kind !== 'deed-scan' ? `${readable(view.kind)} · ` : '';
  ui.meta.textContent = `${kindNote}${optionsSummary(view.options)}${view.created_at ? ` · ${formatCreated(view.created_at)}` : ''}`;
  if (view.created_at) ui.meta.title = `Created ${new Date(view.created_at).toLocaleString()}`;
  ui.badge.textContent = STATUS_LABELS[status] ?? readable(status);
  ui.badge.className = `badge badge-${cssToken(status)}`;

  // A failed job's code and message are in the error box right below the row.
  const notes = [];
  if (progress.failed > 0) notes.push(`${progress.failed} ${unit} failed`);
  if (view.resumes > 0) notes.push(`resumed ${view.resumes}×`);
  ui.note.textContent = notes.join(' · ');
  ui.note.dataset.tone = status === 'failed' || progress.failed > 0 ? 'error' : '';

  const done = progress.done ?? 0;
  const total = progress.total;
  const percent = Number(progress.percent) || 0;
  ui.progress.setAttribute('aria-label', `Progress of ${view.file}`);
  if (status === 'queued') setProgress(ui, 0, 'Waiting to start');
  else if (total === null || total === undefined) {
    if (status === 'running') setProgress(ui, 0, `${done ? `${done} ${unit} · ` : ''}counting ${unit}…`, true);
    else setProgress(ui, status === 'done' ? 100 : 0, `${done} ${unit}`);
  } else {
    const shown = status === 'done' ? 100 : Math.floor(percent);
    setProgress(ui, status === 'done' ? 100 : percent, `${done} / ${total} ${unit} · ${shown}%`);
  }
  renderTimes(job);

  if (ui.renderedStatus !== status) {
    ui.renderedStatus = status;
    renderJobActions(job);
    renderJobDetails(job);
  }
}

function renderTimes(job) {
  const { view, ui } = job;
  const progress = view.progress ?? {};
  const sinceReceived = performance.now() - job.receivedAt;
  if (view.status === 'queued' || (!view.started_at && !progress.elapsed_ms)) ui.elapsed.textContent = '–';
  else ui.elapsed.textContent = formatClock((progress.elapsed_ms ?? 0) + (view.status === 'running' ? sinceReceived : 0));
  if (view.status === 'running' && progress.eta_ms !== null && progress.eta_ms !== undefined) {
    ui.eta.textContent = formatEta(progress.eta_ms - sinceReceived);
  } else {
    ui.eta.textContent = '–';
  }
}

function renderJobActions(job) {
  const { view, ui } = job;
  const focusedAction = ui.actions.contains(document.activeElement) ? document.activeElement.dataset.action : null;
  const name = view.file ?? 'job';
  const buttons = [];
  if (view.status === 'done') {
    const toggle = actionButton('toggle-details', 'Results', `Results of ${name}`, 'toggle');
    toggle.setAttribute('aria-expanded', String(job.expanded));
    toggle.setAttribute('aria-controls', ui.detailsRow.id);
    buttons.push(toggle);
    if (view.kind === 'deed-scan') {
      buttons.push(h('a', { class: 'button small', href: csvUrl(view.id), download: '', dataset: { action: 'download-csv' }, 'aria-label': `Download CSV of ${name}` }, 'Download CSV'));
    }
  }
  const active = !TERMINAL.has(view.status);
  buttons.push(actionButton(active ? 'cancel' : 'delete', active ? 'Cancel' : 'Delete', `${active ? 'Cancel' : 'Delete'} ${name}`, 'danger'));
  ui.actions.replaceChildren(...buttons);
  restoreActionFocus(ui, focusedAction === 'cancel' || focusedAction === 'delete' ? (active ? 'cancel' : 'delete') : focusedAction);
}

function renderJobDetails(job) {
  const { view, ui } = job;
  if (view.status === 'failed') {
    const error = view.error;
    ui.details.replaceChildren(errorBox(error?.code ?? 'E_FAILED', error?.message ?? 'The job failed without a message.'));
    ui.detailsRow.hidden = false;
    return;
  }
  if (view.status !== 'done') {
    ui.details.replaceChildren();
    ui.detailsRow.hidden = true;
    return;
  }
  ui.detailsRow.hidden = !job.expanded;
  if (job.expanded) showResult(job);
}

function setExpanded(job, expanded) {
  job.expanded = expanded;
  const toggle = job.ui.actions.querySelector('[data-action="toggle-details"]');
  toggle?.setAttribute('aria-expanded', String(expanded));
  job.ui.detailsRow.hidden = !expanded;
  if (expanded) showResult(job);
}

function onJobAction(job, event) {
  const button = event.target.closest('button[data-action]');
  if (!button) return;
  const action = button.dataset.action;
  if (action === 'toggle-details') setExpanded(job, !job.expanded);
  else if (action === 'cancel' || action === 'delete') confirmThen(button, action === 'cancel' ? 'Confirm cancel' : 'Confirm delete', () => deleteJob(job, button));
}

/**
 * Cancelling loses the work done, deleting loses the result: the first press arms the button,
 * a second press within a few seconds acts. No modal dialog, keyboard friendly.
 */
function confirmThen(button, armedText, run) {
  if (button.dataset.armed === 'true') {
    clearTimeout(button.disarmTimer);
    run();
    return;
  }
  const original = button.textContent;
  button.dataset.armed = 'true';
  button.textContent = armedText;
  announce(`Press ${armedText.toLowerCase()} again to confirm.`);
  button.disarmTimer = setTimeout(() => {
    button.dataset.armed = 'false';
    button.textContent = original;
  }, CONFIRM_WINDOW_MS);
}

async function deleteJob(job, button) {
  if (job.deleting) return;
  const wasActive = !TERMINAL.has(job.view.status);
  // aria-disabled, not disabled: a disabled button drops keyboard focus to the page's start.
  job.deleting = true;
  button.setAttribute('aria-disabled', 'true');
  button.textContent = wasActive ? 'Cancelling…' : 'Deleting…';
  try {
    await api(jobPath(job.id), { method: 'DELETE' });
  } catch (error) {
    if (error.status !== 404) {
      job.deleting = false;
      button.removeAttribute('aria-disabled');
      button.dataset.armed = 'false';
      button.textContent = wasActive ? 'Cancel' : 'Delete';
      const message = `Could not ${wasActive ? 'cancel' : 'delete'} ${job.view.file}: ${error.message}`;
      job.ui.note.textContent = error.code;
      announce(message);
      setUploadStatus(message, 'error');
      return;
    }
  }
  removeJob(job);
  announce(`${job.view.file} ${wasActive ? 'cancelled and removed' : 'deleted'}.`);
}

/** Keeps keyboard users in place when a row they are in disappears. */
function moveFocusFrom(tbody) {
  if (!tbody.contains(document.activeElement)) return;
  const sibling = tbody.nextElementSibling ?? tbody.previousElementSibling;
  const target = sibling?.tagName === 'TBODY' ? sibling.querySelector('.actions button, .actions a') : null;
  (target ?? $('#jobs-heading')).focus();
}

function removeJob(job) {
  closeStream(job);
  moveFocusFrom(job.ui.tbody);
  job.ui.tbody.remove();
  jobs.delete(job.id);
  updateEmptyState();
  requestSync();
}

function updateEmptyState() {
  const count = jobsTable.tBodies.length;
  jobsTable.hidden = count === 0;
  jobsEmpty.hidden = count > 0;
  if (count === 0) {
    jobsEmpty.textContent = jobsLoadError || (!apiKey || keyRejected ? 'Enter the API key to see your jobs.' : jobsLoaded ? 'No jobs yet. Upload a PDF to start one.' : 'Loading jobs…');
    jobsEmpty.dataset.tone = jobsLoadError ? 'error' : '';
  }
}

// ---------------------------------------------------------------------------------------------
// Keeping jobs current: live event streams for the jobs that matter most, a poll for the rest

let refreshTimer;
let refreshDue = Infinity;
let refreshing = false;

async function refreshJobs({ initial = false } = {}) {
  if (!apiKey || refreshing) return false;
  refreshing = true;
  const startedAt = performance.now();
  try {
    const data = await api('/v1/jobs');
    const listed = new Set();
    for (const view of data?.jobs ?? []) {
      listed.add(view.id);
      applyView(view);
    }
    // Gone from the server (deleted elsewhere): drop, unless first seen after this request began.
    for (const job of [...jobs.values()]) {
      if (!listed.has(job.id) && job.seenAt < startedAt) removeJob(job);
    }
    jobsLoaded = true;
    jobsLoadError = '';
    return true;
  } catch (error) {
    if (error.status !== 401 && (initial || !jobsLoaded)) jobsLoadError = `Could not load jobs: ${error.message}`;
    return false;
  } finally {
    refreshing = false;
    updateEmptyState();
    // The next refresh is planned by syncStreams, once it knows which jobs have a live stream.
    clearTimeout(refreshTimer);
    refreshDue = Infinity;
    requestSync();
  }
}

/** Polls the job list: often while some active job has no live stream, rarely otherwise (jobs made elsewhere). */
function scheduleRefresh() {
  if (!apiKey || keyRejected || refreshing) return;
  const needsFast = [...jobs.values()].some((job) => !TERMINAL.has(job.view.status) && !job.stream);
  const due = Date.now() + (needsFast ? FAST_REFRESH_MS : SLOW_REFRESH_MS);
  if (refreshDue <= due) return;
  clearTimeout(refreshTimer);
  refreshDue = due;
  refreshTimer = setTimeout(() => {
    refreshDue = Infinity;
    void refreshJobs();
  }, due - Date.now());
}

let syncQueued = false;
/** Many views can arrive at once (the job list): decide the streams once, after all of them. */
function requestSync() {
  if (syncQueued) return;
  syncQueued = true;
  queueMicrotask(() => {
    syncQueued = false;
    syncStreams();
  });
}

function streamPriority(job) {
  return job.view.status === 'running' ? 0 : 1;
}

function syncStreams() {
  if (!apiKey || keyRejected) return;
  const now = Date.now();
  const wanted = [...jobs.values()]
    .filter((job) => !TERMINAL.has(job.view.status) && job.streamRetryAt <= now)
    .sort((a, b) => streamPriority(a) - streamPriority(b) || createdMs(a.view) - createdMs(b.view))
    .slice(0, MAX_STREAMS);
  const wantedIds = new Set(wanted.map((job) => job.id));
  for (const job of jobs.values()) if (job.stream && !wantedIds.has(job.id)) closeStream(job);
  for (const job of wanted) if (!job.stream) openStream(job);
  scheduleRefresh();
}

function openStream(job) {
  const source = new EventSource(`${jobPath(job.id)}/events?${keyQuery()}`);
  job.stream = source;
  const onView = (event) => {
    const view = parseJson(event.data);
    if (view) applyView(view);
  };
  source.addEventListener('open', () => (job.streamFailures = 0));
  source.addEventListener('progress', onView);
  for (const name of ['done', 'failed', 'cancelled']) {
    source.addEventListener(name, (event) => {
      // Final event: the server closes the stream; stop the browser from reconnecting.
      closeStream(job);
      onView(event);
    });
  }
  source.addEventListener('error', () => {
    // While CONNECTING the browser retries by itself (server restart). CLOSED means it gave up
    // (e.g. 404 or 401): back off, and find out what happened to the job.
    if (source.readyState !== EventSource.CLOSED) return;
    closeStream(job);
    job.streamFailures += 1;
    job.streamRetryAt = Date.now() + Math.min(30000, 1000 * 2 ** job.streamFailures);
    void checkJob(job);
  });
}

function closeStream(job) {
  if (!job.stream) return;
  job.stream.close();
  job.stream = null;
}

function closeAllStreams() {
  for (const job of jobs.values()) closeStream(job);
}

async function checkJob(job) {
  try {
    applyView(await api(jobPath(job.id)));
  } catch (error) {
    if (error.status === 404) removeJob(job);
  }
  syncStreams();
}

// Elapsed and ETA count between events; the upload retry countdown too.
function tick() {
  for (const job of jobs.values()) if (job.view.status === 'running') renderTimes(job);
  for (const entry of uploads.values()) if (entry.state === 'waiting' && entry.retryAt > Date.now() - 1000) renderUpload(entry);
}

// ---------------------------------------------------------------------------------------------
// Results

async function showResult(job) {
  if (job.result) {
    if (!job.ui.details.querySelector('.result')) renderResult(job);
    return;
  }
  if (job.resultState === 'loading') return;
  job.resultState = 'loading';
  job.ui.details.replaceChildren(h('p', { class: 'muted loading' }, 'Loading results…'));
  try {
    job.result = await api(`${jobPath(job.id)}/result`);
    job.resultState = 'loaded';
    renderResult(job);
  } catch (error) {
    job.resultState = 'error';
    job.ui.details.replaceChildren(errorBox(error.code, `Could not load the results: ${error.message}`),
      h('button', { type: 'button', class: 'button small', onclick: () => { job.resultState = 'none'; showResult(job); } }, 'Try again'));
  }
}

function renderResult(job) {
  const result = job.result;
  if (job.view.kind !== 'deed-scan' || !Array.isArray(result?.deeds)) {
    job.ui.details.replaceChildren(h('div', { class: 'result' },
      h('p', {}, 'This job’s result is available as JSON: ',
        h('a', { href: `${jobPath(job.id)}/result?${keyQuery()}`, target: '_blank', rel: 'noopener' }, 'open the result'), '.')));
    return;
  }
  const rows = resultRows(result);
  const byPage = result.mode === 'page_by_page' && Array.isArray(result.pages) && result.pages.length > 0;
  const wrapper = h('div', { class: 'result', dataset: { mode: result.mode ?? '' } },
    resultSummary(result, rows, byPage),
    rows.length > RESULT_FILTER_MIN_ROWS ? resultFilter(job, rows, byPage) : null,
    h('div', { class: 'table-scroll' }, resultTable(job, rows, byPage)));
  job.ui.details.replaceChildren(wrapper);
  if (result.mode === 'single_deed') {
    announce(`${job.view.file}: ${result.has_reservation ? 'reservation found' : 'no reservation found'}, confidence ${formatPercent(result.confidence)}.`);
  }
}

/** One row per deed, or per page in page-by-page mode (with the evidence found on that page). */
function resultRows(result) {
  const deeds = result.deeds ?? [];
  if (result.mode === 'page_by_page' && Array.isArray(result.pages) && result.pages.length > 0) {
    return result.pages.map((page) => {
      const deed = deeds.find((d) => d.page_start <= page.page && page.page <= d.page_end);
      const evidence = (deed?.evidence ?? []).filter((e) => deed.page_start === deed.page_end || e.page === page.page);
      return {
        key: `page-${page.page}`,
        label: `Page ${page.page}`,
        page,
        hasReservation: page.has_reservation ?? deed?.has_reservation,
        confidence: deed?.confidence,
        evidence,
        flags: deed?.review_flags ?? [],
      };
    });
  }
  return deeds.map((deed) => ({
    key: `deed-${deed.deed}`,
    label: `Deed ${deed.deed}`,
    range: pageRange(deed.page_start, deed.page_end),
    hasReservation: deed.has_reservation,
    confidence: deed.confidence,
    evidence: deed.evidence ?? [],
    flags: deed.review_flags ?? [],
  }));
}

function resultSummary(result, rows, byPage) {
  const yes = rows.filter((row) => row.hasReservation).length;
  let verdict;
  if (result.mode === 'single_deed' || rows.length <= 1) {
    verdict = h('p', { class: `verdict verdict-${result.has_reservation ? 'yes' : 'no'}` },
      h('span', { class: 'verdict-label' }, result.has_reservation ? 'Reservation found' : 'No reservation found'),
      h('span', { class: 'verdict-confidence' }, `confidence ${formatPercent(result.confidence)}`));
  } else {
    const noun = byPage ? 'page' : 'deed';
    verdict = h('p', { class: `verdict verdict-${yes ? 'yes' : 'no'}` },
      h('span', { class: 'verdict-label' }, yes ? `Reservation in ${yes} of ${plural(rows.length, noun)}` : `No reservation in ${plural(rows.length, noun)}`));
  }
  const pages = result.pages ?? [];
  const ocrPages = pages.filter((page) => page.text_source === 'ocr').length;
  const textPages = pages.filter((page) => page.text_source === 'text-layer').length;
  const lowQuality = pages.filter((page) => Number.isFinite(page.ocr_quality) && page.ocr_quality < LOW_OCR_QUALITY).length;
  const facts = [];
  if (Number.isFinite(result.pages_total)) {
    const unread = result.pages_total - (result.pages_processed ?? result.pages_total);
    facts.push(h('li', { class: unread > 0 ? 'fact-warning' : '' },
      `${result.pages_processed ?? result.pages_total} of ${plural(result.pages_total, 'page')} read`));
  }
  if (ocrPages || textPages) facts.push(h('li', {}, [ocrPages ? `${ocrPages} by OCR` : '', textPages ? `${textPages} from the text layer` : ''].filter(Boolean).join(', ')));
  if (lowQuality) facts.push(h('li', { class: 'fact-warning' }, `${plural(lowQuality, 'page')} with low OCR quality`));
  if (result.policy) facts.push(h('li', {}, `Policy: ${POLICY_INFO[result.policy]?.label ?? result.policy}`));
  if (Number.isFinite(result.peak_rss_mb)) facts.push(h('li', {}, `Peak memory ${formatMB(result.peak_rss_mb)} MB`));
  const flags = flagChips(result.review_flags);
  return h('div', { class: 'result-summary' },
    verdict,
    facts.length ? h('ul', { class: 'facts' }, facts) : null,
    flags ? h('div', { class: 'summary-flags' }, h('span', { class: 'summary-flags-label' }, 'Review:'), flags) : null);
}

function resultFilter(job, rows, byPage) {
  const id = `filter-${job.id}`;
  const noun = byPage ? 'pages' : 'deeds';
  const count = (test) => rows.filter(test).length;
  return h('div', { class: 'result-toolbar' },
    h('label', { for: id }, 'Show'),
    h('select', { id, dataset: { action: 'filter-results' } },
      h('option', { value: 'all' }, `All ${rows.length} ${noun}`),
      h('option', { value: 'yes' }, `With a reservation (${count((row) => row.hasReservation)})`),
      h('option', { value: 'flagged' }, `Flagged for review (${count((row) => row.flags.length > 0)})`),
      h('option', { value: 'evidence' }, `With any mineral clause (${count((row) => row.evidence.length > 0)})`)),
    h('span', { class: 'filter-count', role: 'status' }));
}

function filterResults(job, value) {
  const table = job.ui.details.querySelector('.result-table');
  if (!table) return;
  let shown = 0;
  const rows = [...table.tBodies[0].rows];
  for (const row of rows) {
    const visible = value === 'all'
      || (value === 'yes' && row.dataset.reservation === 'yes')
      || (value === 'flagged' && row.dataset.flagged === 'true')
      || (value === 'evidence' && row.dataset.evidence === 'true');
    row.hidden = !visible;
    if (visible) shown += 1;
  }
  const counter = job.ui.details.querySelector('.filter-count');
  if (counter) counter.textContent = value === 'all' ? '' : `Showing ${shown} of ${rows.length}`;
}

function resultTable(job, rows, byPage) {
  const head = byPage
    ? ['Page', 'Text', 'Reservation', 'Confidence', 'Evidence', 'Review']
    : ['Deed', 'Pages', 'Reservation', 'Confidence', 'Evidence', 'Review'];
  return h('table', { class: 'data-table result-table', dataset: { resultFor: job.id } },
    h('caption', { class: 'visually-hidden' }, `Results for ${job.view.file}`),
    h('thead', {}, h('tr', {}, head.map((label) => h('th', { scope: 'col', class: label === 'Confidence' ? 'num' : '' }, label)))),
    h('tbody', {}, rows.map((row) => resultRow(row, head, byPage))));
}

function resultRow(row, head, byPage) {
  const decided = row.hasReservation === true || row.hasReservation === false;
  const second = byPage ? textSourceCell(row.page) : row.range;
  return h('tr', {
    dataset: {
      row: row.key,
      reservation: decided ? (row.hasReservation ? 'yes' : 'no') : 'unknown',
      flagged: String(row.flags.length > 0),
      evidence: String(row.evidence.length > 0),
    },
  },
  h('th', { scope: 'row' }, row.label),
  h('td', { 'data-label': head[1] }, second),
  h('td', { 'data-label': head[2] },
    decided ? h('span', { class: `decision decision-${row.hasReservation ? 'yes' : 'no'}` }, row.hasReservation ? 'Yes' : 'No') : '–'),
  h('td', { 'data-label': head[3], class: 'num' }, formatPercent(row.confidence)),
  h('td', { 'data-label': head[4], class: 'col-evidence' }, evidenceList(row.evidence)),
  h('td', { 'data-label': head[5] }, flagChips(row.flags) ?? h('span', { class: 'muted' }, 'None')));
}

function textSourceCell(page) {
  if (!page) return '–';
  const source = page.text_source === 'ocr' ? 'OCR' : page.text_source === 'text-layer' ? 'Text layer' : readable(page.text_source ?? 'unknown');
  if (!Number.isFinite(page.ocr_quality)) return source;
  const low = page.ocr_quality < LOW_OCR_QUALITY;
  return h('span', { class: low ? 'quality-low' : '', title: 'OCR quality: share of words read cleanly' },
    `${source} · ${formatPercent(page.ocr_quality)}`, low ? h('span', { class: 'visually-hidden' }, ' (low quality)') : null);
}

function evidenceList(evidence) {
  if (!evidence.length) return h('span', { class: 'muted' }, 'No mineral clause found');
  const items = evidence.map(evidenceItem);
  const first = h('ul', { class: 'evidence-list' }, items.slice(0, 2));
  if (items.length <= 2) return first;
  // One wrapper: on narrow screens the cell is a two-column grid (label, content).
  return h('div', {}, first, h('details', { class: 'more-evidence' },
    h('summary', {}, `${plural(items.length - 2, 'more clause')}`),
    h('ul', { class: 'evidence-list' }, items.slice(2))));
}

function evidenceItem(evidence) {
  const type = cssToken(evidence.clause_type);
  const substances = Array.isArray(evidence.substances) && evidence.substances.length
    ? h('span', { class: 'substances' }, evidence.substances.map((s) => readable(s).toLowerCase()).join(', '))
    : null;
  return h('li', { class: 'evidence', dataset: { clauseType: type, page: String(evidence.page ?? '') } },
    h('blockquote', { class: 'quote' }, String(evidence.quote ?? '').replace(/\s+/g, ' ').trim()),
    h('p', { class: 'quote-meta' },
      h('span', { class: 'page-ref' }, `Page ${evidence.page ?? '?'}`),
      h('span', { class: `clause clause-${type}` }, clauseLabel(evidence.clause_type)),
      substances));
}

// ---------------------------------------------------------------------------------------------
// Memory: poll /memory-status, keep the history, draw the chart and the process table

const memory = { points: [], last: 0, budget: null, peak: null, current: null, ok: false, timer: null, inFlight: false };
const chart = $('#memory-chart');
let hoverX = null;

async function pollMemory() {
  if (memory.inFlight) return; // that poll schedules the next one
  clearTimeout(memory.timer);
  if (document.hidden) {
    // Nothing to look at: skip; `since` fetches the gap when the page is visible again.
    memory.timer = setTimeout(pollMemory, MEMORY_POLL_MS);
    return;
  }
  memory.inFlight = true;
  try {
    const response = await fetch(memory.last ? `/memory-status?since=${memory.last}` : '/memory-status', { cache: 'no-store' });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    updateMemory(await response.json());
    memory.ok = true;
  } catch {
    memory.ok = false;
  } finally {
    memory.inFlight = false;
  }
  renderMemoryState();
  memory.timer = setTimeout(pollMemory, MEMORY_POLL_MS);
}

function updateMemory(status) {
  const history = Array.isArray(status.history) ? status.history : [];
  for (const point of history) {
    if (Number.isFinite(point.t) && Number.isFinite(point.rss_mb) && point.t > memory.last) {
      memory.points.push({ t: point.t, mb: point.rss_mb });
      memory.last = point.t;
    }
  }
  if (memory.points.length > MAX_MEMORY_POINTS) memory.points.splice(0, memory.points.length - MAX_MEMORY_POINTS);
  memory.current = status.tree_rss_mb;
  memory.peak = status.peak_tree_rss_mb;
  memory.budget = status.budget?.mb ?? null;

  $('#memory-current').textContent = formatMB(status.tree_rss_mb);
  $('#memory-peak').textContent = formatMB(status.peak_tree_rss_mb);
  $('#memory-budget').textContent = formatMB(memory.budget);
  const source = status.budget?.source;
  $('#memory-budget-source').textContent = BUDGET_SOURCES[source] ?? source ?? '';
  $('#memory-budget-source').title = status.budget?.cgroup_limit_mb ? `cgroup limit ${formatMB(status.budget.cgroup_limit_mb)} MB` : '';
  const used = memory.budget ? (status.tree_rss_mb / memory.budget) * 100 : null;
  $('#memory-used').textContent = used === null ? '–' : String(Math.round(used));
  $('#memory-panel').dataset.level = used === null ? '' : used >= 95 ? 'critical' : used >= 85 ? 'high' : '';
  renderProcesses(status.processes ?? []);
  renderPools(status.pools ?? []);
  drawChart();
}

function renderMemoryState() {
  const state = $('#memory-state');
  state.textContent = memory.ok ? 'Live, every 2 s' : 'Server not reachable, retrying…';
  state.dataset.tone = memory.ok ? 'ok' : 'error';
}

const BUDGET_SOURCES = { option: 'set by --memory-budget', env: 'set by KEEL_MEMORY_BUDGET', cgroup: 'the cgroup limit', default: 'default' };
const ROLE_LABELS = { server: 'Server', worker: 'Worker', 'worker-child': 'Child' };

function renderProcesses(processes) {
  // Server first, then each worker followed by the processes it spawned.
  const byParent = new Map();
  for (const process of processes) {
    if (!byParent.has(process.ppid)) byParent.set(process.ppid, []);
    byParent.get(process.ppid).push(process);
  }
  const ordered = [];
  const placed = new Set();
  const visit = (process, depth) => {
    if (placed.has(process.pid)) return;
    placed.add(process.pid);
    ordered.push({ process, depth });
    for (const child of (byParent.get(process.pid) ?? []).sort((a, b) => a.pid - b.pid)) visit(child, depth + 1);
  };
  const rank = { server: 0, worker: 1, 'worker-child': 2 };
  const roots = processes.filter((p) => !processes.some((q) => q.pid === p.ppid));
  for (const root of roots.sort((a, b) => (rank[a.role] ?? 3) - (rank[b.role] ?? 3) || a.pid - b.pid)) visit(root, 0);

  $('#workers-body').replaceChildren(...ordered.map(({ process, depth }) => {
    const role = ROLE_LABELS[process.role] ?? readable(process.role ?? 'process');
    const roleText = process.role === 'worker-child' && process.name ? `${role}: ${process.name}` : role;
    return h('tr', { dataset: { pid: String(process.pid), role: cssToken(process.role) } },
      h('td', { class: 'num-left' }, String(process.pid)),
      h('td', { class: `depth-${Math.min(depth, 3)}` }, roleText),
      h('td', { class: 'col-pool' }, process.pool ?? ''),
      h('td', {}, process.state ? readable(process.state) : ''),
      h('td', { class: 'num' }, formatMB(process.rss_mb)),
      h('td', { class: 'num' }, process.tasks_served === undefined ? '' : String(process.tasks_served)));
  }));
}

function renderPools(pools) {
  const container = $('#pools-summary');
  container.hidden = pools.length === 0;
  container.replaceChildren(...pools.map((pool) => {
    const parts = [
      `${pool.workers} of ${pool.size} workers`,
      `${pool.in_flight} busy`,
      `${pool.queue_depth} queued`,
      `${pool.completed} done`,
    ];
    if (pool.failed) parts.push(`${pool.failed} failed`);
    if (pool.retried) parts.push(`${pool.retried} retried`);
    parts.push(`${plural(pool.recycles ?? 0, 'recycle')}`, `${plural(pool.kills ?? 0, 'kill')}`);
    return h('p', { class: 'pool', dataset: { pool: pool.name } },
      h('strong', {}, pool.name), ' ', parts.join(' · '),
      Number.isFinite(pool.soft_limit_mb) ? h('span', { class: 'pool-limits' }, ` · recycle at ${formatMB(pool.soft_limit_mb)} MB, kill at ${formatMB(pool.hard_limit_mb)} MB`) : null);
  }));
}

/** A round step (1, 2, 2.5 or 5 times a power of ten) giving about `ticks` intervals over `range`. */
function niceStep(range, ticks) {
  const raw = range / Math.max(1, ticks);
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  for (const factor of [1, 2, 2.5, 5, 10]) if (factor * magnitude >= raw) return factor * magnitude;
  return 10 * magnitude;
}

const TIME_STEPS = [5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200].map((s) => s * 1000);

function drawChart() {
  const box = chart.getBoundingClientRect();
  const width = Math.max(220, Math.round(box.width));
  const height = Math.max(140, Math.round(box.height));
  chart.setAttribute('viewBox', `0 0 ${width} ${height}`);
  chart.querySelector('.plot')?.remove();

  const margin = { top: 22, right: 14, bottom: 26, left: 44 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const points = memory.points;
  const budget = memory.budget;

  let highest = budget || 0;
  let seen = 0;
  for (const point of points) {
    highest = Math.max(highest, point.mb);
    seen = Math.max(seen, point.mb);
  }
  if (!highest) highest = 100;
  const yStep = niceStep(highest * 1.08, plotH < 150 ? 3 : 4);
  const yMax = Math.ceil((highest * 1.08) / yStep) * yStep;
  const tEnd = points.length ? points[points.length - 1].t : Date.now();
  const tStart = Math.min(points.length ? points[0].t : tEnd, tEnd - 60000);
  const span = Math.max(1, tEnd - tStart);
  const x = (t) => margin.left + ((t - tStart) / span) * plotW;
  const y = (mb) => margin.top + plotH - (mb / yMax) * plotH;

  const plot = svgEl('g', { class: 'plot' });

  // Horizontal grid with MB labels.
  const grid = svgEl('g', { class: 'grid', 'aria-hidden': 'true' });
  for (let value = 0; value <= yMax + 1e-9; value += yStep) {
    const yy = Math.round(y(value)) + 0.5;
    grid.append(
      svgEl('line', { x1: margin.left, x2: width - margin.right, y1: yy, y2: yy, class: value === 0 ? 'axis-line' : 'grid-line' }),
      svgEl('text', { x: margin.left - 6, y: yy + 4, class: 'axis-label', 'text-anchor': 'end' }, String(Math.round(value))));
  }
  grid.append(svgEl('text', { x: margin.left - 6, y: margin.top - 10, class: 'axis-label axis-unit', 'text-anchor': 'end' }, 'MB'));

  // Time ticks, as clock times.
  const maxTicks = Math.max(2, Math.floor(plotW / 90));
  const tStep = TIME_STEPS.find((step) => span / step <= maxTicks) ?? TIME_STEPS[TIME_STEPS.length - 1];
  for (let t = Math.ceil(tStart / tStep) * tStep; t <= tEnd; t += tStep) {
    const xx = Math.round(x(t)) + 0.5;
    // A label at the right edge is anchored by its end, so it is not cut off.
    const nearEnd = xx > width - 32;
    grid.append(
      svgEl('line', { x1: xx, x2: xx, y1: margin.top + plotH, y2: margin.top + plotH + 4, class: 'axis-line' }),
      svgEl('text', { x: nearEnd ? width - 4 : xx, y: height - 8, class: 'axis-label', 'text-anchor': nearEnd ? 'end' : 'middle' }, formatTimeOfDay(new Date(t), tStep < 60000)));
  }
  plot.append(grid);

  // The RSS line, broken where measurements are missing (page hidden, server restarted).
  if (points.length) {
    const gaps = [];
    for (let i = 1; i < points.length; i += 1) gaps.push(points[i].t - points[i - 1].t);
    const typical = gaps.length ? gaps.slice().sort((a, b) => a - b)[Math.floor(gaps.length / 2)] : 1000;
    const gapLimit = Math.max(10000, typical * 5);
    let line = '';
    let area = '';
    let segmentStart = 0;
    const base = y(0).toFixed(1);
    const closeArea = (from, to) => {
      area += `M${x(points[from].t).toFixed(1)},${base}`;
      for (let i = from; i <= to; i += 1) area += `L${x(points[i].t).toFixed(1)},${y(points[i].mb).toFixed(1)}`;
      area += `L${x(points[to].t).toFixed(1)},${base}Z`;
    };
    for (let i = 0; i < points.length; i += 1) {
      const command = i === 0 || points[i].t - points[i - 1].t > gapLimit ? 'M' : 'L';
      if (command === 'M' && i > 0) {
        closeArea(segmentStart, i - 1);
        segmentStart = i;
      }
      line += `${command}${x(points[i].t).toFixed(1)},${y(points[i].mb).toFixed(1)}`;
    }
    closeArea(segmentStart, points.length - 1);
    const last = points[points.length - 1];
    plot.append(
      svgEl('path', { d: area, class: 'rss-area' }),
      svgEl('path', { d: line, class: 'rss-line' }),
      svgEl('circle', { cx: x(last.t), cy: y(last.mb), r: 3.5, class: 'rss-dot' }));
  }

  if (budget) {
    const yy = Math.round(y(budget)) + 0.5;
    plot.append(
      svgEl('line', { x1: margin.left, x2: width - margin.right, y1: yy, y2: yy, class: 'budget-line' }),
      svgEl('text', { x: width - margin.right - 2, y: yy - 6, class: 'budget-label', 'text-anchor': 'end' }, `budget ${formatMB(budget)} MB`));
  }

  if (!points.length) {
    plot.append(svgEl('text', { x: margin.left + plotW / 2, y: margin.top + plotH / 2, class: 'chart-empty', 'text-anchor': 'middle' }, 'Waiting for measurements…'));
  }

  const hover = svgEl('g', { class: 'hover', 'aria-hidden': 'true' });
  plot.append(hover);
  chart.append(plot);
  chart.drawState = { x, y, tStart, span, margin, plotW, plotH, width, hover };
  drawHover();

  const minutes = Math.max(1, Math.round((tEnd - tStart) / 60000));
  $('#memory-chart-desc').textContent = points.length
    ? `Over the last ${plural(minutes, 'minute')}: now ${formatMB(points[points.length - 1].mb)} MB, highest ${formatMB(seen)} MB${budget ? `, budget ${formatMB(budget)} MB` : ''}.`
    : 'No measurements yet.';
}

function drawHover() {
  const state = chart.drawState;
  if (!state) return;
  state.hover.replaceChildren();
  const points = memory.points;
  if (hoverX === null || !points.length) return;
  const t = state.tStart + ((hoverX - state.margin.left) / state.plotW) * state.span;
  // Binary search for the nearest measurement.
  let lo = 0;
  let hi = points.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (points[mid].t < t) lo = mid + 1;
    else hi = mid;
  }
  if (lo > 0 && Math.abs(points[lo - 1].t - t) < Math.abs(points[lo].t - t)) lo -= 1;
  const point = points[lo];
  const px = state.x(point.t);
  const py = state.y(point.mb);
  const label = `${formatTimeOfDay(new Date(point.t), true)} · ${formatMB(point.mb)} MB`;
  const labelWidth = label.length * 6.6 + 14;
  const boxX = px + 10 + labelWidth > state.width ? px - 10 - labelWidth : px + 10;
  const boxY = Math.max(2, py - 30);
  state.hover.append(
    svgEl('line', { x1: px, x2: px, y1: state.margin.top, y2: state.margin.top + state.plotH, class: 'hover-line' }),
    svgEl('circle', { cx: px, cy: py, r: 4.5, class: 'hover-dot' }),
    svgEl('rect', { x: boxX, y: boxY, width: labelWidth, height: 22, rx: 4, class: 'hover-box' }),
    svgEl('text', { x: boxX + 7, y: boxY + 15, class: 'hover-text' }, label));
}

function setupChart() {
  chart.addEventListener('pointermove', (event) => {
    const state = chart.drawState;
    if (!state) return;
    const box = chart.getBoundingClientRect();
    const xx = ((event.clientX - box.left) / box.width) * state.width;
    hoverX = xx >= state.margin.left && xx <= state.margin.left + state.plotW ? xx : null;
    drawHover();
  });
  chart.addEventListener('pointerleave', () => {
    hoverX = null;
    drawHover();
  });
  // Redraw at the real size so text stays crisp and unscaled at any width.
  let lastWidth = 0;
  new ResizeObserver((entries) => {
    const width = Math.round(entries[0].contentRect.width);
    if (width !== lastWidth) {
      lastWidth = width;
      drawChart();
    }
  }).observe(chart);
  document.addEventListener('visibilitychange', () => {
    if (!document.hidden) void pollMemory();
  });
}

// ---------------------------------------------------------------------------------------------
// Start

function start() {
  // Leaving the page aborts a file being sent: ask first. (Files still waiting are not guarded:
  // the person still has them, and a prompt on every reload would be a nuisance.)
  window.addEventListener('beforeunload', (event) => {
    if ([...uploads.values()].some((entry) => entry.state === 'uploading')) event.preventDefault();
  });
  setupOptions();
  setupFileSelection();
  setupKey();
  setupChart();
  updateEmptyState();
  drawChart();
  void pollMemory();
  if (apiKey) void refreshJobs({ initial: true });
  setInterval(tick, 1000);
}

start();
