// The campaign composer: characters and SMS segments of each language's text as staff type, counted by the rules of
// campaigns/common/sms_segments.py (tests/test_console_composer_browser.py feeds both the same texts), each text as
// one real recipient of the chosen audience will read it (asked of the server, /console/campaigns/examples), and a
// warning before saving a schedule in the past or a run that will wait for its send window.
(function () {
  "use strict";
  var GSM7_BASIC = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
  var GSM7_EXTENSION = "^{}\\[~]|€\f";

  function isGsm7(chars) {
    return chars.every(function (c) { return GSM7_BASIC.indexOf(c) >= 0 || GSM7_EXTENSION.indexOf(c) >= 0; });
  }

  function fill(encoding, sizes, single, multi) {
    var total = sizes.reduce(function (sum, size) { return sum + size; }, 0);
    if (total <= single) {
      return { encoding: encoding, units: total, segments: 1, perSegment: single };
    }
    var segments = 1, used = 0;
    sizes.forEach(function (size) {
      if (used + size > multi) { segments += 1; used = 0; }
      used += size;
    });
    return { encoding: encoding, units: total, segments: segments, perSegment: multi };
  }

  // Encoding, length in units of that encoding, and segments of `text` (one code point per array item).
  function count(text) {
    var chars = Array.from(text);
    if (isGsm7(chars)) {
      return fill("GSM-7", chars.map(function (c) { return GSM7_EXTENSION.indexOf(c) >= 0 ? 2 : 1; }), 160, 153);
    }
    return fill("UCS-2", chars.map(function (c) { return c.codePointAt(0) > 0xFFFF ? 2 : 1; }), 70, 67);
  }
  window.GridcastSms = { count: count };

  var form = document.querySelector("form[data-composer]");
  if (!form) { return; }

  function format(template, values) {
    return template.replace(/\{(\w+)\}/g, function (whole, key) { return key in values ? values[key] : whole; });
  }

  function showCount(area) {
    var output = document.getElementById(area.getAttribute("data-sms-count"));
    var counted = count(area.value);
    output.setAttribute("data-units", counted.units);
    output.setAttribute("data-segments", counted.segments);
    output.setAttribute("data-encoding", counted.encoding);
    var encoding = output.getAttribute(counted.encoding === "GSM-7" ? "data-gsm" : "data-ucs");
    output.textContent = area.value ? format(output.getAttribute("data-template"),
      { chars: Array.from(area.value).length, encoding: encoding, segments: counted.segments }) : "";
  }

  // Minutes after local midnight of a UTC instant, in the campaigns' zone.
  function localMinutes(ms, offset) {
    return ((Math.floor(ms / 60000) + offset) % 1440 + 1440) % 1440;
  }

  function minutesOf(value) {
    var parts = /^(\d{2}):(\d{2})/.exec(value || "");
    return parts ? parseInt(parts[1], 10) * 60 + parseInt(parts[2], 10) : null;
  }

  function scheduleWarnings() {
    var box = document.getElementById("schedule-warning");
    var offset = parseInt(form.getAttribute("data-zone-offset"), 10) || 0;
    var kind = (form.querySelector("input[name=schedule_kind]:checked") || {}).value || "now";
    var at = form.querySelector("#schedule_at").value;
    var now = Date.now(), first = now, warnings = [];
    if (kind === "once") {
      if (!at) { first = null; } else {
        first = Date.parse(at.length === 16 ? at + ":00Z" : at + "Z") - offset * 60000;
        if (first <= now) { warnings.push(box.getAttribute("data-past")); }
      }
    }
    var start = minutesOf(form.querySelector("#window_start").value);
    var end = minutesOf(form.querySelector("#window_end").value);
    if (first !== null && !isNaN(first) && start !== null && end !== null && start !== end) {
      var current = localMinutes(first, offset);
      var open = start < end ? start <= current && current < end : current >= start || current < end;
      if (!open) {
        warnings.push(format(box.getAttribute("data-window"), {
          start: form.querySelector("#window_start").value, end: form.querySelector("#window_end").value }));
      }
    }
    box.textContent = warnings.join(" ");
    box.hidden = warnings.length === 0;
    return warnings;
  }

  Array.prototype.forEach.call(form.querySelectorAll("textarea[data-sms-count]"), function (area) {
    area.addEventListener("input", function () { showCount(area); });
    showCount(area);
  });
  // The example of each language, asked again half a second after the texts or the audience last changed.
  var exampleTimer = null, asked = 0;
  function showExamples(examples) {
    var byLanguage = {};
    examples.forEach(function (example) { byLanguage[example.language] = example; });
    Array.prototype.forEach.call(form.querySelectorAll("p.example[data-language]"), function (box) {
      var example = byLanguage[box.getAttribute("data-language")];
      box.hidden = !example;
      box.textContent = example ? format(form.getAttribute("data-example"), example) + " · " +
        format(form.getAttribute("data-example-count"), example) : "";
    });
  }
  function askExamples() {
    var ticket = ++asked;
    fetch(form.getAttribute("data-examples"), { method: "POST", body: new FormData(form), credentials: "same-origin",
                                                headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { examples: [] }; })
      .then(function (data) { if (ticket === asked) { showExamples(data.examples); } })
      .catch(function () { /* the preview after saving shows the example too */ });
  }
  function examplesSoon() {
    clearTimeout(exampleTimer);
    exampleTimer = setTimeout(askExamples, 500);
  }
  if (window.fetch && window.FormData) {
    form.addEventListener("input", examplesSoon);
    form.addEventListener("change", examplesSoon);
    askExamples();
  }
  form.addEventListener("input", scheduleWarnings);
  form.addEventListener("change", scheduleWarnings);
  scheduleWarnings();
  form.addEventListener("submit", function (event) {
    var warnings = scheduleWarnings();
    if (warnings.length && !window.confirm(warnings.join("\n") + "\n\n" + form.getAttribute("data-save-anyway"))) {
      event.preventDefault();
    }
  });
})();
