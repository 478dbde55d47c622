// MIRAGE view: the page side of `mirage view`. One WebSocket (/ws), JSON text messages
// (formats in the README, "mirage view"): hello, tracks, mood, status, listener, and with
// `mirage run --rhythm` rhythm (per track level, bands, onsets) and tempo (bpm, phase, beats).
// Plain DOM and one canvas, no library: it must run on a stage with no internet, and it is
// meant as a starting point for web visuals (copy `connect` and `handlers`).
"use strict";

const FREQ_MIN_HZ = 20, FREQ_MAX_HZ = 20000;   // the log-frequency scale of the meters
const BANDWIDTH_MAX_HZ = 8000;
const STALE_S = 2.0;                            // no data for longer: the stream is marked stale
const RECONNECT_MS = 1000;
const FLASH_MS = 120;                           // an onset or a beat lights its dot this long

const trackCards = new Map();                   // track number -> its card element
let lastDataT = null, clockSkewS = 0;

function logFraction(hz) {                      // 0..1 on a log scale from FREQ_MIN to FREQ_MAX
  if (!(hz > FREQ_MIN_HZ)) return 0;
  return Math.min(1, Math.log(hz / FREQ_MIN_HZ) / Math.log(FREQ_MAX_HZ / FREQ_MIN_HZ));
}

function formatHz(hz) { return hz >= 1000 ? (hz / 1000).toFixed(2) + " kHz" : Math.round(hz) + " Hz"; }

function setMeter(card, key, fraction, text) {
  const meter = card.querySelector(`.meter[data-key="${key}"]`);
  meter.querySelector(".bar i").style.width = (100 * Math.max(0, Math.min(1, fraction))).toFixed(1) + "%";
  meter.querySelector("output").textContent = text;
}

function cardFor(n) {
  let card = trackCards.get(n);
  if (card) return card;
  const container = document.getElementById("tracks");
  container.querySelector(".empty")?.remove();
  card = document.getElementById("track-template").content.firstElementChild.cloneNode(true);
  card.dataset.n = n;
  card.querySelector(".track-n").textContent = "#" + n;
  // keep the cards in track order whatever order they first arrive in
  const next = [...trackCards.keys()].filter(k => k > n).sort((a, b) => a - b)[0];
  container.insertBefore(card, next === undefined ? null : trackCards.get(next));
  trackCards.set(n, card);
  return card;
}

function showTrack(track) {
  const card = cardFor(track.n);
  card.querySelector(".track-name").textContent = track.instrument ?? "";
  card.querySelector(".track-address").textContent = track.address;
  setMeter(card, "centroid_hz", logFraction(track.centroid_hz), formatHz(track.centroid_hz));
  setMeter(card, "rolloff_hz", logFraction(track.rolloff_hz), formatHz(track.rolloff_hz));
  setMeter(card, "bandwidth_hz", track.bandwidth_hz / BANDWIDTH_MAX_HZ, formatHz(track.bandwidth_hz));
  setMeter(card, "flatness", track.flatness, track.flatness.toFixed(3));
  const notes = card.querySelector(".notes");
  notes.replaceChildren(...track.notes.map((note, i) => {
    const span = document.createElement("span");
    span.textContent = note;
    span.title = track.pitches_hz[i].toFixed(1) + " Hz";
    return span;
  }));
}

function flash(el) {
  el.classList.add("hit");
  clearTimeout(el.flashTimer);
  el.flashTimer = setTimeout(() => el.classList.remove("hit"), FLASH_MS);
}

function showRhythm(r) {                        // counts, not values, decide a flash: coalesced
  const card = cardFor(r.n);                    // pushes may carry several onsets in one
  card.classList.add("has-rhythm");
  setMeter(card, "level", r.level, r.level_db.toFixed(1) + " dB");
  for (const band of ["bass", "mid", "high"]) setMeter(card, band, r[band], r[band].toFixed(2));
  if (r.onsets > Number(card.dataset.onsets ?? 0)) flash(card.querySelector(".onset-dot"));
  card.dataset.onsets = r.onsets;
}

function showTempo(t) {
  const el = document.getElementById("tempo");
  el.hidden = false;
  document.getElementById("bpm").textContent = t.bpm.toFixed(1);
  document.getElementById("tempo-confidence").textContent = `confidence ${t.confidence.toFixed(2)}`;
  el.querySelector(".phase i").style.width = (100 * t.phase).toFixed(1) + "%";
  if (t.beats > Number(el.dataset.beats)) flash(el.querySelector(".beat-dot"));
  el.dataset.beats = t.beats;
  document.getElementById("beat-count").textContent = t.beats ? `beat ${t.beat}` : "no beat yet";
}

function drawMood(mood) {
  const canvas = document.getElementById("mood-plane");
  const g = canvas.getContext("2d");
  const w = canvas.width, h = canvas.height, pad = 24;
  const x = v => pad + (v + 1) / 2 * (w - 2 * pad);        // valence -1..1, left to right
  const y = a => h - pad - (a + 1) / 2 * (h - 2 * pad);    // arousal -1..1, bottom to top
  g.clearRect(0, 0, w, h);
  g.strokeStyle = "#2a2e36"; g.lineWidth = 1;
  g.strokeRect(pad, pad, w - 2 * pad, h - 2 * pad);
  g.beginPath(); g.moveTo(x(0), pad); g.lineTo(x(0), h - pad); g.moveTo(pad, y(0)); g.lineTo(w - pad, y(0)); g.stroke();
  g.fillStyle = "#8a8f98"; g.font = "11px sans-serif";
  g.fillText("valence →", w - pad - 58, y(0) - 4);
  g.fillText("arousal ↑", x(0) + 4, pad + 10);
  g.fillText("tense", pad + 4, pad + 12); g.fillText("happy", w - pad - 36, pad + 12);
  g.fillText("sad", pad + 4, h - pad - 4); g.fillText("calm", w - pad - 30, h - pad - 4);
  const trail = mood.trail;                                // [[arousal, valence], ...] oldest first
  for (let i = 1; i < trail.length; i++) {
    g.strokeStyle = `rgba(79, 195, 247, ${(0.1 + 0.9 * i / trail.length).toFixed(3)})`;
    g.lineWidth = 2;
    g.beginPath();
    g.moveTo(x(trail[i - 1][1]), y(trail[i - 1][0]));
    g.lineTo(x(trail[i][1]), y(trail[i][0]));
    g.stroke();
  }
  if (mood.count > 0) {
    g.fillStyle = "#ffffff";
    g.beginPath(); g.arc(x(mood.valence), y(mood.arousal), 6, 0, 2 * Math.PI); g.fill();
  }
  const values = document.getElementById("mood-values");
  values.textContent = `valence ${mood.valence.toFixed(2)}  arousal ${mood.arousal.toFixed(2)}  (${mood.count} points)`;
  values.dataset.points = mood.count;
}

function showStatus(status) {
  for (const el of document.querySelectorAll("#status .stat")) {
    const value = status[el.dataset.key];
    el.querySelector("b").textContent = value;
    el.classList.toggle("bad", el.dataset.key === "device" ? value !== "running" : value > 0);
  }
}

function showListener(msg) {
  clockSkewS = Date.now() / 1000 - msg.t;
  lastDataT = msg.last_data_t;
  document.getElementById("stream").textContent =
    `${msg.messages} OSC messages, ${msg.unknown} not MIRAGE's, ${msg.malformed} malformed`;
}

function markStale() {
  const stream = document.getElementById("stream");
  const ageS = lastDataT === null ? Infinity : Date.now() / 1000 - clockSkewS - lastDataT;
  stream.classList.toggle("stale", ageS > STALE_S);
}

const handlers = {
  hello: msg => { document.getElementById("listen").textContent = "OSC in: UDP " + msg.listen; },
  tracks: msg => { lastDataT = msg.t; msg.tracks.forEach(showTrack); },
  mood: drawMood,
  status: showStatus,
  listener: showListener,
  rhythm: msg => { lastDataT = msg.t; msg.tracks.forEach(showRhythm); },
  tempo: showTempo,
};

function connect() {
  const state = document.getElementById("connection");
  const ws = new WebSocket(`ws://${location.host}/ws`);
  ws.onopen = () => { state.dataset.state = "open"; state.textContent = "connected"; };
  ws.onmessage = event => {
    const msg = JSON.parse(event.data);
    handlers[msg.type]?.(msg);
  };
  ws.onclose = () => {
    state.dataset.state = "closed"; state.textContent = "disconnected, retrying…";
    setTimeout(connect, RECONNECT_MS);
  };
}

drawMood({trail: [], valence: 0, arousal: 0, count: 0});
document.getElementById("mood-values").textContent = "no mood yet";
setInterval(markStale, 500);
connect();
