/* The report form: reference data, checks before sending, idempotent submit, then uploads. */
(function () {
  "use strict";

  var I = window.I18N;
  var L = window.Lapor;
  var $ = function (id) { return document.getElementById(id); };

  var form = $("report-form");
  var errors = new L.FieldErrors(form, { box: $("error-summary"), text: $("error-summary-text"), list: $("error-summary-list") });
  var state = {
    regions: [],
    agencies: [],
    categories: [],
    files: [],
    coords: null,
    // One key per filled form: a retry after a network error sends the same key, so the
    // server answers with the report it already made instead of making a second one.
    idempotencyKey: null,
    sending: false
  };

  function newKey() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") return window.crypto.randomUUID();
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  // ---- reference data -------------------------------------------------------------------------
  function option(value, text) {
    return L.el("option", { value: value, text: text });
  }

  function resetSelect(select) {
    while (select.options.length > 1) select.remove(1);
  }

  function fillProvinces() {
    var select = $("province");
    var chosen = select.value;
    resetSelect(select);
    state.regions.forEach(function (p) { select.appendChild(option(p.code, p.name)); });
    select.value = chosen;
  }

  function fillRegencies() {
    var select = $("regency");
    var province = state.regions.filter(function (p) { return p.code === $("province").value; })[0];
    var chosen = select.value;
    resetSelect(select);
    (province ? province.regencies || [] : []).forEach(function (r) { select.appendChild(option(r.code, r.name)); });
    select.disabled = !province;
    select.value = province && chosen && chosen.indexOf(province.code + ".") === 0 ? chosen : "";
  }

  /* Agencies of the chosen province first; all of them when no province is chosen. */
  function fillAgencies() {
    var select = $("agency");
    var chosen = select.value;
    var province = $("province").value;
    resetSelect(select);
    state.agencies
      .filter(function (a) { return !province || a.province_code === province; })
      .forEach(function (a) { select.appendChild(option(a.id, a.name)); });
    select.value = Array.prototype.some.call(select.options, function (o) { return o.value === chosen; }) ? chosen : "";
  }

  function fillCategories() {
    var select = $("category");
    var chosen = select.value;
    resetSelect(select);
    state.categories
      .map(function (c) { return { id: c.id, name: I.lang() === "en" && c.name_en ? c.name_en : c.name }; })
      .forEach(function (c) { select.appendChild(option(c.id, c.name)); });
    select.value = chosen;
  }

  function loadReferenceData() {
    $("load-error").hidden = true;
    return Promise.all([L.api("regions"), L.api("agencies"), L.api("categories")]).then(function (results) {
      var failed = results.filter(function (r) { return !r.ok; })[0];
      if (failed) throw failed;
      state.regions = results[0].data.provinces || [];
      state.agencies = results[1].data.agencies || [];
      state.categories = results[2].data.categories || [];
      fillProvinces();
      fillRegencies();
      fillAgencies();
      fillCategories();
    }).catch(function (failure) {
      var text = failure instanceof L.NetworkError ? I.t("err.network_short") : L.messageOf(failure);
      $("load-error-text").textContent = I.t("err.load") + " " + text;
      $("load-error").hidden = false;
    });
  }

  // ---- location from the device ------------------------------------------------------------------
  var geoMessage = null;

  function renderGeo() {
    var status = $("geo-status");
    status.textContent = geoMessage ? geoMessage() : "";
    $("geo-clear").hidden = !state.coords;
  }

  function useLocation() {
    if (!navigator.geolocation) {
      geoMessage = function () { return I.t("err.geo_unsupported"); };
      renderGeo();
      return;
    }
    geoMessage = function () { return I.t("status.geo_finding"); };
    renderGeo();
    navigator.geolocation.getCurrentPosition(function (position) {
      var lat = Math.round(position.coords.latitude * 1e6) / 1e6;
      var lon = Math.round(position.coords.longitude * 1e6) / 1e6;
      if (lat < L.LAT[0] || lat > L.LAT[1] || lon < L.LON[0] || lon > L.LON[1]) {
        state.coords = null;
        geoMessage = function () { return I.t("err.geo_outside"); };
      } else {
        var acc = Math.round(position.coords.accuracy || 0);
        state.coords = { lat: lat, lon: lon };
        geoMessage = function () {
          return I.t("status.geo_found", { lat: lat.toFixed(5), lon: lon.toFixed(5), acc: acc.toLocaleString(I.locale()) });
        };
      }
      renderGeo();
    }, function (error) {
      state.coords = null;
      var key = error && error.code === 1 ? "err.geo_denied" : "err.geo_failed";
      geoMessage = function () { return I.t(key); };
      renderGeo();
    }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  }

  function clearLocation() {
    state.coords = null;
    geoMessage = function () { return I.t("status.geo_cleared"); };
    renderGeo();
    $("geo-button").focus();
  }

  // ---- attachments chosen before sending ------------------------------------------------------
  var fileMessages = [];

  function renderFiles() {
    var list = $("file-list");
    list.textContent = "";
    state.files.forEach(function (file, index) {
      var remove = L.el("button", { type: "button", className: "button link", text: I.t("file.remove", { file: file.name }) });
      remove.addEventListener("click", function () {
        state.files.splice(index, 1);
        fileMessages = [];
        renderFiles();
        $("files").focus();
      });
      list.appendChild(L.el("li", {}, [
        L.el("span", { className: "file-name", text: file.name }),
        L.el("span", { className: "file-size", text: L.formatSize(file.size) }),
        remove
      ]));
    });
    $("files-error").textContent = fileMessages.map(function (m) { return m(); }).join(" ");
  }

  function addFiles(chosen) {
    fileMessages = [];
    Array.prototype.forEach.call(chosen, function (file) {
      var problem = L.fileProblem(file);
      var duplicate = state.files.some(function (f) {
        return f.name === file.name && f.size === file.size && f.lastModified === file.lastModified;
      });
      if (problem) {
        fileMessages.push(function () { return I.t(problem, { file: file.name }); });
      } else if (state.files.length >= L.MAX_FILES) {
        if (fileMessages.indexOf(tooMany) < 0) fileMessages.push(tooMany);
      } else if (!duplicate) {
        state.files.push(file);
      }
    });
    $("files").value = "";
    renderFiles();
  }

  function tooMany() { return I.t("err.too_many_files"); }

  // ---- checks before sending ------------------------------------------------------------------
  function value(id) { return $(id).value.trim(); }

  function checkForm() {
    var kind = form.querySelector("input[name=kind]:checked");
    var title = value("title");
    var description = value("description");
    var date = $("occurred_on").value;
    var email = value("email");
    var phone = value("phone");
    var add = function (key, messageKey) { errors.add(key, function () { return I.t(messageKey); }); };
    if (!kind) add("kind", "err.kind");
    if (title.length < 5 || title.length > 150) add("title", "err.title_length");
    if (description.length < 10 || description.length > 5000) add("description", "err.description_length");
    if (date && !/^\d{4}-\d{2}-\d{2}$/.test(date)) add("occurred_on", "err.date_invalid");
    else if (date && date > L.todayWib()) add("occurred_on", "err.date_future");
    if (!$("province").value) add("location.province_code", "err.province");
    if (!value("name")) add("reporter.name", "err.name");
    if (!email && !phone) add("reporter", "err.contact");
    if (email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) add("reporter.email", "err.email");
    if (phone && !/^\+?[0-9][0-9 ().-]{6,20}$/.test(phone)) add("reporter.phone", "err.phone");
    if (!$("consent").checked) add("consent", "err.consent");
  }

  function payload() {
    var optional = function (text) { return text ? text : undefined; };
    var location = {
      province_code: $("province").value,
      regency_code: optional($("regency").value),
      address: optional(value("address"))
    };
    if (state.coords) {
      location.lat = state.coords.lat;
      location.lon = state.coords.lon;
    }
    return {
      kind: form.querySelector("input[name=kind]:checked").value,
      title: value("title"),
      description: value("description"),
      occurred_on: optional($("occurred_on").value),
      location: location,
      agency_id: optional($("agency").value),
      category_id: optional($("category").value),
      anonymous: $("anonymous").checked,
      confidential: $("confidential").checked,
      reporter: { name: value("name"), email: optional(value("email")), phone: optional(value("phone")) },
      channel: "web"
    };
  }

  function showErrors(summaryMessage) {
    errors.setSummary(summaryMessage);
    errors.render();
    var box = $("error-summary");
    box.hidden = false;
    box.focus();
  }

  function setSending(sending, message) {
    state.sending = sending;
    $("submit").disabled = sending;
    form.setAttribute("aria-busy", sending ? "true" : "false");
    $("submit-status").textContent = message || "";
  }

  function submit(event) {
    event.preventDefault();
    if (state.sending) return;
    errors.clear();
    checkForm();
    if (errors.any()) {
      showErrors(function () { return I.t("err.summary"); });
      return;
    }
    if (!state.idempotencyKey) state.idempotencyKey = newKey();
    setSending(true, I.t("status.sending"));
    L.api("reports", { method: "POST", body: payload(), headers: { "Idempotency-Key": state.idempotencyKey } })
      .then(function (result) {
        setSending(false);
        if (result.status === 201) {
          showResult(result.data);
          return;
        }
        var error = L.errorOf(result);
        errors.addServer(error.fields);
        showErrors(function () { return L.messageOf(result); });
      }, function () {
        setSending(false);
        showErrors(function () { return I.t("err.network"); });
      });
  }

  // ---- after sending ----------------------------------------------------------------------------
  function showResult(created) {
    try {
      window.sessionStorage.setItem("lapor.code." + created.tracking_id, created.access_code);
    } catch (e) { /* storage off: the reporter types the code on the tracking page */ }
    $("result-tid").textContent = created.tracking_id;
    $("result-code").textContent = created.access_code;
    $("result-confidential").hidden = !created.confidential;
    $("result-track").setAttribute("href", "track?id=" + encodeURIComponent(created.tracking_id));
    $("form-section").hidden = true;
    var result = $("result");
    result.hidden = false;
    result.focus();
    window.scrollTo(0, 0);
    uploadAll(created.tracking_id, created.access_code, state.files.slice());
    state.idempotencyKey = null;
  }

  function uploadAll(trackingId, accessCode, files) {
    if (!files.length) return;
    var section = $("upload-section");
    var list = $("upload-list");
    section.hidden = false;
    var done = 0;
    var rows = files.map(function (file) {
      var status = L.el("span", { className: "file-state", text: I.t("status.uploading") });
      var row = L.el("li", {}, [L.el("span", { className: "file-name", text: file.name }), status]);
      list.appendChild(row);
      return { file: file, row: row, status: status };
    });
    function summary() {
      $("upload-status").textContent = I.t("status.uploads_done", { ok: done, total: files.length });
    }
    function one(entry) {
      entry.status.className = "file-state";
      entry.status.textContent = I.t("status.uploading");
      return L.uploadAttachment(trackingId, accessCode, entry.file).then(function () {
        done += 1;
        entry.status.className = "file-state ok";
        entry.status.textContent = I.t("status.uploaded");
      }, function (error) {
        entry.status.className = "file-state failed";
        entry.status.textContent = I.t("status.upload_failed") + " — " + L.uploadErrorText(error, entry.file);
        var retry = L.el("button", { type: "button", className: "button link", text: I.t("file.retry") });
        retry.addEventListener("click", function () {
          retry.remove();
          one(entry).then(summary);
        });
        entry.row.appendChild(retry);
      });
    }
    rows.reduce(function (chain, entry) {
      return chain.then(function () { return one(entry); });
    }, Promise.resolve()).then(summary);
  }

  function copy(event) {
    var button = event.currentTarget;
    var source = $(button.getAttribute("data-copy"));
    var what = source.getAttribute("aria-labelledby");
    var label = $(what).textContent;
    L.copyText(source.textContent).then(function () {
      $("copy-status").textContent = I.t("status.copied", { what: label });
    }, function () {
      $("copy-status").textContent = I.t("status.copy_failed");
      var range = document.createRange();
      range.selectNodeContents(source);
      window.getSelection().removeAllRanges();
      window.getSelection().addRange(range);
    });
  }

  // ---- wiring -------------------------------------------------------------------------------------
  $("occurred_on").setAttribute("max", L.todayWib());
  L.counter($("title"), $("title-count"));
  L.counter($("description"), $("description-count"));
  $("province").addEventListener("change", function () { fillRegencies(); fillAgencies(); });
  $("geo-button").addEventListener("click", useLocation);
  $("geo-clear").addEventListener("click", clearLocation);
  $("files").addEventListener("change", function (event) { addFiles(event.target.files); });
  $("load-retry").addEventListener("click", loadReferenceData);
  document.querySelectorAll("button.copy").forEach(function (b) { b.addEventListener("click", copy); });
  form.addEventListener("submit", submit);
  I.onChange(function () { fillCategories(); renderGeo(); renderFiles(); });
  loadReferenceData();
  // What the duplicate suggestions (similar.js) read of this form's state: the device location.
  window.LaporForm = { coords: function () { return state.coords; } };
})();
