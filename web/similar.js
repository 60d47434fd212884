/* The report form's duplicate suggestions: once a title and a description are typed and a
 * regency and a category chosen, the open reports probably about the same problem are shown
 * ("Apakah ini laporan yang sama?"), each with "Dukung laporan ini" (its tracking page, at the
 * support form). "Bukan, kirim laporan saya" hides them and the citizen goes on filing. The
 * count is announced through a live region; everything from the server is written as text. */
(function () {
  "use strict";

  var I = window.I18N;
  var Lp = window.Lapor;
  var $ = function (id) { return document.getElementById(id); };
  var WAIT_MS = 700;   // after the last keystroke
  var MIN_TITLE = 5;
  var MIN_DESCRIPTION = 10;

  I.extend({
    "similar.title": "Is this the same report?",
    "similar.lead": "These reports were already received in the same area and category and are still being handled. If the problem is the same, support that report: one report with many supporters is handled sooner than many copies of it.",
    "similar.dismiss": "No, send my report"
  }, {
    "similar.found": ["Ada {n} laporan serupa yang sudah diterima. Lihat di bawah pilihan kategori.",
                      "{n} similar reports were already received. See them below the category."],
    "similar.support": ["Dukung laporan ini", "Support this report"],
    "similar.support_label": ["Dukung laporan ini: {title}", "Support this report: {title}"],
    "similar.meta": ["{status} · diterima {date} · {n} pendukung", "{status} · received {date} · {n} supporters"],
    "similar.away": [" · {km} km dari lokasi Anda", " · {km} km from your location"],
    "similar.dismissed": ["Saran laporan serupa ditutup. Lanjutkan mengisi laporan Anda.",
                          "Similar reports closed. Go on filling in your report."]
  });

  var timer = null;
  var asked = 0;           // the newest request: older answers are dropped
  var shown = [];
  var dismissedFor = null; // the regency and category the citizen said "no" for

  function where() { return $("regency").value + "|" + $("category").value; }

  function query() {
    var title = $("title").value.trim();
    var description = $("description").value.trim();
    if (title.length < MIN_TITLE || description.length < MIN_DESCRIPTION || !$("regency").value || !$("category").value) {
      return null;
    }
    var params = new URLSearchParams({ regency_code: $("regency").value, category_id: $("category").value,
                                       text: (title + "\n" + description).slice(0, 5200) });
    if ($("agency").value) params.set("agency_id", $("agency").value);
    var coords = window.LaporForm && window.LaporForm.coords();
    if (coords) {
      params.set("lat", String(coords.lat));
      params.set("lon", String(coords.lon));
    }
    return params;
  }

  function item(report) {
    var facts = I.t("similar.meta", { status: I.pick(report.status_label), date: Lp.formatDateTime(report.received_at),
                                      n: report.supporter_count });
    if (typeof report.distance_m === "number") {
      facts += I.t("similar.away", { km: (report.distance_m / 1000).toFixed(1) });
    }
    return Lp.el("li", {}, [
      Lp.el("h3", { text: report.title }),
      Lp.el("p", { className: "hint", text: facts }),
      Lp.el("p", { text: report.description }),
      Lp.el("a", { className: "button primary", href: "track?id=" + encodeURIComponent(report.tracking_id) + "#dukung",
                   text: I.t("similar.support"),
                   "aria-label": I.t("similar.support_label", { title: report.title }) })
    ]);
  }

  function render() {
    var list = $("similar-list");
    list.textContent = "";
    shown.forEach(function (report) { list.appendChild(item(report)); });
    $("similar").hidden = shown.length === 0;
  }

  function ask() {
    var params = query();
    if (!params || dismissedFor === where()) return;
    var mine = ++asked;
    Lp.api("reports/similar?" + params.toString()).then(function (result) {
      if (mine !== asked || !result.ok) return;  // a newer question, or no suggestions today: filing goes on
      var before = shown.map(function (r) { return r.tracking_id; }).join();
      shown = result.data.items || [];
      render();
      if (shown.length && shown.map(function (r) { return r.tracking_id; }).join() !== before) {
        $("similar-status").textContent = I.t("similar.found", { n: shown.length });
      }
    }, function () { /* offline: no suggestions, the form still works */ });
  }

  function later() {
    window.clearTimeout(timer);
    timer = window.setTimeout(ask, WAIT_MS);
  }

  ["title", "description"].forEach(function (id) { $(id).addEventListener("input", later); });
  ["regency", "category", "agency"].forEach(function (id) { $(id).addEventListener("change", later); });
  $("geo-button").addEventListener("click", function () { window.setTimeout(later, 1500); });
  $("similar-dismiss").addEventListener("click", function () {
    dismissedFor = where();
    shown = [];
    render();
    $("similar-status").textContent = I.t("similar.dismissed");
    $("anonymous").focus();
  });
  I.onChange(render);
})();
