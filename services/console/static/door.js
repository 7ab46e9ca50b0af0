/* The door page: read QR codes from the camera, check people in, show the result for two seconds.
   Everything posts to the console (same origin) with the CSRF token from the page's meta tag. */
(function () {
  "use strict";

  var SHOW_MS = 2000;          // the result stays this long, then the scanner is ready again
  var REPEAT_MS = 3000;        // the same code is not sent again sooner (the person still holds it up)
  var SCAN_EVERY_MS = 150;
  var POLL_COUNTER_MS = 5000;
  var RETRY_DELAYS_MS = [500, 1000, 2000, 4000, 8000];
  var MARKS = { green: "\u2713", amber: "!", red: "\u2715" };
  var VIBRATIONS = { ok: [120], again: [80, 80, 80], refused: [400] };
  var TONES = { ok: 880, again: 660, refused: 220 };

  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  var texts = JSON.parse(document.getElementById("texts").textContent);
  var result = document.getElementById("result");
  var statusLine = document.getElementById("status");
  var counter = document.getElementById("counter");
  var video = document.getElementById("preview");
  var canvas = document.createElement("canvas");
  var busy = false, paused = false, hideTimer = null;
  var lastCode = null, lastCodeAt = 0, lastCheckIn = null, audio = null;

  function sleep(ms) { return new Promise(function (resolve) { setTimeout(resolve, ms); }); }

  function setStatus(text) {
    statusLine.textContent = text || "";
    statusLine.hidden = !text;
  }

  // A dropped connection or a 503 (registration unreachable) is retried: a check-in by code is
  // idempotent, so sending the same scan twice at worst answers "already checked in".
  function send(method, url, body, attempt) {
    attempt = attempt || 0;
    var options = { method: method, credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRF-Token": csrf } };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return fetch(url, options).then(function (response) {
      if (response.status === 401) {
        return response.json().then(function (data) { window.location.assign(data.location || "/door"); return null; });
      }
      if (response.status === 503 || response.status === 502 || response.status === 504) { throw new Error("unavailable"); }
      setStatus("");
      return response.json();
    }).catch(function (error) {
      if (attempt >= RETRY_DELAYS_MS.length) { setStatus(texts.unavailable); return null; }
      setStatus(texts.retrying);
      return sleep(RETRY_DELAYS_MS[attempt]).then(function () { return send(method, url, body, attempt + 1); });
    });
  }

  function signal(kind) {
    if (navigator.vibrate) { try { navigator.vibrate(VIBRATIONS[kind]); } catch (e) { /* not allowed */ } }
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      var tone = audio.createOscillator(), gain = audio.createGain();
      tone.frequency.value = TONES[kind];
      gain.gain.value = 0.2;
      tone.connect(gain); gain.connect(audio.destination);
      tone.start(); tone.stop(audio.currentTime + (kind === "refused" ? 0.4 : 0.15));
    } catch (e) { /* no sound before a tap, or no audio at all */ }
  }

  function paragraph(className, text) {
    var p = document.createElement("p");
    p.className = className;
    p.textContent = text;
    return p;
  }

  function button(className, text, onClick) {
    var element = document.createElement("button");
    element.type = "button"; element.className = className; element.textContent = text;
    element.addEventListener("click", onClick);
    return element;
  }

  function show(outcome, keep) {
    clearTimeout(hideTimer);
    result.className = "result " + outcome.colour;
    result.textContent = "";
    var headline = paragraph("headline", " " + outcome.headline);
    var mark = document.createElement("span");
    mark.className = "mark"; mark.setAttribute("aria-hidden", "true"); mark.textContent = MARKS[outcome.colour];
    headline.insertBefore(mark, headline.firstChild);
    result.appendChild(headline);
    (outcome.lines || []).forEach(function (line, i) { result.appendChild(paragraph(i === 0 ? "line name" : "line", line)); });
    if (outcome.colour === "green" && outcome.undo_id) {
      result.appendChild(button("undo", texts.undo, undoLast));
      lastCheckIn = { id: outcome.undo_id, person: outcome.person };
      document.getElementById("last-name").textContent = outcome.person || "";
      document.getElementById("last").hidden = false;
    }
    signal(outcome.signal);
    if (keep) {
      result.appendChild(button("resume", texts.resume, resume));
    } else {
      hideTimer = setTimeout(function () {
        result.className = "result idle"; result.textContent = "";
        lastCodeAt = Date.now(); busy = false;
      }, SHOW_MS);
    }
  }

  function checkIn(body) {
    busy = true;
    return send("POST", "/door/check-ins", body).then(function (outcome) {
      if (outcome) { show(outcome); refreshCounter(); } else { busy = false; }
    });
  }

  function undoLast() {
    if (!lastCheckIn) { return; }
    var undoing = lastCheckIn;
    // The person is usually still in front of the camera: scanning waits until staff resume it.
    paused = true; busy = true;
    send("POST", "/door/check-ins/" + encodeURIComponent(undoing.id) + "/undo", { person: undoing.person }).then(function (outcome) {
      if (!outcome) { paused = false; busy = false; return; }  // not undone: staff may tap again
      lastCheckIn = null;
      document.getElementById("last").hidden = true;
      show(outcome, true);
      refreshCounter();
    });
  }

  function resume() {
    result.className = "result idle"; result.textContent = "";
    paused = false; busy = false; lastCodeAt = Date.now();
  }

  function refreshCounter() {
    return fetch("/door/summary", { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) {
        if (response.status === 401) { window.location.assign("/door"); return null; }
        return response.ok ? response.json() : null;
      })
      .then(function (data) { if (data && data.text) { counter.textContent = data.text; } })
      .catch(function () { /* the next poll will tell */ });
  }

  function scan() {
    if (busy || paused || video.readyState < 2 || !video.videoWidth) { return; }
    var scale = Math.min(1, 640 / video.videoWidth);
    var width = Math.round(video.videoWidth * scale), height = Math.round(video.videoHeight * scale);
    canvas.width = width; canvas.height = height;
    var context = canvas.getContext("2d", { willReadFrequently: true });
    context.drawImage(video, 0, 0, width, height);
    var found = window.jsQR(context.getImageData(0, 0, width, height).data, width, height, { inversionAttempts: "dontInvert" });
    var code = found && found.data ? found.data.trim() : "";
    if (!code || (code === lastCode && Date.now() - lastCodeAt < REPEAT_MS)) { return; }
    lastCode = code;
    checkIn({ code: code });
  }

  function startCamera() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia || !window.jsQR) {
      setStatus(texts.camera_off); return;
    }
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false }).then(function (stream) {
      video.srcObject = stream;
      document.getElementById("camera").hidden = false;
      return video.play();
    }).then(function () {
      setInterval(scan, SCAN_EVERY_MS);
    }).catch(function () { setStatus(texts.camera_off); });
  }

  document.getElementById("code-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var input = document.getElementById("code");
    if (input.value.trim()) { checkIn({ code: input.value.trim() }); }
    input.value = "";
  });
  Array.prototype.forEach.call(document.querySelectorAll("form.check-in-match"), function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      checkIn({ registration_id: form.elements.registration_id.value });
    });
  });
  document.getElementById("undo-last").addEventListener("click", undoLast);
  if (!result.classList.contains("idle")) {
    hideTimer = setTimeout(function () { result.className = "result idle"; result.textContent = ""; }, SHOW_MS);
  }
  setInterval(refreshCounter, POLL_COUNTER_MS);
  startCamera();
}());
