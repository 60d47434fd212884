/* Shared by the form and the tracking page: API calls, field errors, formatting, uploads.
 * Every piece of data is written with textContent: nothing from the server becomes markup. */
(function () {
  "use strict";

  var I = window.I18N;
  var MAX_BYTES = 10 * 1024 * 1024;
  var MAX_FILES = 5;
  var FILE_TYPES = ["image/jpeg", "image/png", "image/webp", "application/pdf"];
  // Indonesia's bounding box, as the API checks it.
  var LAT = [-11.5, 6.5];
  var LON = [94.5, 141.5];

  function NetworkError(cause) {
    this.name = "NetworkError";
    this.cause = cause;
  }

  /* Calls the API (paths relative to <base>); resolves {ok, status, data}; rejects with
   * NetworkError only when no answer arrived. */
  function api(path, options) {
    var opts = options || {};
    var headers = Object.assign({ "Accept": "application/json" }, opts.headers || {});
    var init = { method: opts.method || "GET", headers: headers, credentials: "same-origin" };
    if (opts.body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(opts.body);
    }
    return fetch(path, init).then(function (response) {
      return response.text().then(function (text) {
        var data = null;
        try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
        return { ok: response.ok, status: response.status, data: data };
      });
    }, function (err) {
      throw new NetworkError(err);
    });
  }

  function errorOf(result) {
    return (result && result.data && result.data.error) || { code: "http_" + (result ? result.status : 0) };
  }

  /* Message of a failed call in the chosen language; a bare 5xx or an unknown body gets ours. */
  function messageOf(result) {
    var error = errorOf(result);
    if (!error.message && !error.message_id) return I.t("err.server");
    return I.serverMessage(error);
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      var value = attrs[name];
      if (value === null || value === undefined || value === false) return;
      if (name === "text") node.textContent = value;
      else if (name === "className") node.className = value;
      else node.setAttribute(name, value === true ? "" : value);
    });
    (children || []).forEach(function (child) {
      if (child) node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  /* Errors shown next to their field. A field is the element whose data-field lists the key
   * (API keys such as "location.province_code"); its own .field-error is aria-live and is named
   * by the control's aria-describedby. Messages are kept as functions so a language switch
   * re-renders them. */
  function FieldErrors(root, summary) {
    this.root = root;
    this.summary = summary || null;
    this.entries = [];
    this.summaryMessage = null;
    var self = this;
    I.onChange(function () { self.render(); });
  }

  FieldErrors.prototype.find = function (key) {
    var found = null;
    var candidates = [this.root].concat(Array.prototype.slice.call(this.root.querySelectorAll("[data-field]")));
    candidates.filter(function (node) { return node.hasAttribute("data-field"); }).forEach(function (node) {
      if (!found && node.getAttribute("data-field").split(" ").indexOf(key) >= 0) found = node;
    });
    return found;
  };

  FieldErrors.prototype.controls = function (field) {
    var ids = field.getAttribute("data-controls");
    if (ids) {
      return ids.split(" ").map(function (id) { return document.getElementById(id); }).filter(Boolean);
    }
    return Array.prototype.filter.call(field.querySelectorAll("input, select, textarea"), function (c) {
      return c.closest("[data-field]") === field;
    });
  };

  FieldErrors.prototype.clear = function () {
    this.entries = [];
    this.summaryMessage = null;
    this.render();
  };

  /* key: an API field name; message: () => text in the current language. */
  FieldErrors.prototype.add = function (key, message, named) {
    this.entries.push({ key: key, message: message, named: Boolean(named) });
  };

  /* The API's field messages are short ("too short"): shown as a sentence, and named in the
   * summary by their field's label. */
  FieldErrors.prototype.addServer = function (fields) {
    var self = this;
    Object.keys(fields || {}).forEach(function (key) {
      var text = fields[key];
      self.add(key, function () { return sentence(I.pick(text)); }, true);
    });
  };

  FieldErrors.prototype.setSummary = function (message) {
    this.summaryMessage = message;
  };

  FieldErrors.prototype.render = function () {
    var self = this;
    this.root.querySelectorAll(".field-error").forEach(function (p) { p.textContent = ""; });
    this.root.querySelectorAll("[aria-invalid]").forEach(function (c) { c.removeAttribute("aria-invalid"); });
    this.root.querySelectorAll(".has-error").forEach(function (f) { f.classList.remove("has-error"); });
    var unplaced = [];
    var placed = [];
    this.entries.forEach(function (entry) {
      var field = self.find(entry.key);
      var slot = field && field.querySelector(":scope > .field-error");
      var text = entry.message();
      if (!slot) {
        unplaced.push(text);
        return;
      }
      slot.textContent = slot.textContent ? slot.textContent + " " + text : text;
      field.classList.add("has-error");
      self.controls(field).forEach(function (c) { c.setAttribute("aria-invalid", "true"); });
      placed.push({ field: field, text: text, named: entry.named });
    });
    if (!this.summary) return placed;
    var box = this.summary.box;
    var list = this.summary.list;
    list.textContent = "";
    var summaryText = this.summaryMessage ? this.summaryMessage() : "";
    this.summary.text.textContent = summaryText;
    placed.forEach(function (p) {
      var control = self.controls(p.field)[0];
      var label = p.named ? labelText(p.field, control) : "";
      var link = el("a", { href: control ? "#" + control.id : "#", text: (label ? label + ": " : "") + p.text });
      link.addEventListener("click", function (event) {
        event.preventDefault();
        if (control) control.focus();
      });
      list.appendChild(el("li", {}, [link]));
    });
    unplaced.forEach(function (text) { list.appendChild(el("li", { text: text })); });
    box.hidden = !summaryText && !placed.length && !unplaced.length;
    return placed;
  };

  FieldErrors.prototype.any = function () { return this.entries.length > 0; };

  function sentence(text) {
    var s = String(text || "").trim();
    if (!s) return s;
    s = s.charAt(0).toUpperCase() + s.slice(1);
    return /[.!?)]$/.test(s) ? s : s + ".";
  }

  function labelText(field, control) {
    var legend = field.querySelector(":scope > legend");
    var label = control && control.id ? document.querySelector("label[for='" + control.id + "']") : null;
    var source = field.tagName === "FIELDSET" && legend ? legend : label;
    if (!source) return "";
    var clone = source.cloneNode(true);
    clone.querySelectorAll(".req, .opt, .step").forEach(function (n) { n.remove(); });
    return clone.textContent.replace(/\s+/g, " ").trim();
  }

  function firstInvalid(root) {
    return root.querySelector("[aria-invalid='true']");
  }

  function wib(options) {
    return new Intl.DateTimeFormat(I.locale(), Object.assign({ timeZone: "Asia/Jakarta" }, options));
  }

  function formatDateTime(iso) {
    if (!iso) return I.t("none");
    var d = new Date(iso);
    if (isNaN(d)) return iso;
    return wib({ day: "numeric", month: "long", year: "numeric", hour: "2-digit", minute: "2-digit" }).format(d) + " WIB";
  }

  /* A calendar date (YYYY-MM-DD) as words, without any time zone shift. */
  function formatDate(isoDate) {
    if (!isoDate) return I.t("none");
    var parts = String(isoDate).split("-").map(Number);
    if (parts.length !== 3 || parts.some(isNaN)) return isoDate;
    var d = new Date(Date.UTC(parts[0], parts[1] - 1, parts[2], 12));
    return new Intl.DateTimeFormat(I.locale(), { timeZone: "UTC", weekday: "long", day: "numeric", month: "long", year: "numeric" }).format(d);
  }

  /* Today's date in WIB as YYYY-MM-DD (the API counts dates in Asia/Jakarta). */
  function todayWib() {
    var parts = {};
    new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Jakarta", year: "numeric", month: "2-digit", day: "2-digit" })
      .formatToParts(new Date()).forEach(function (p) { parts[p.type] = p.value; });
    return parts.year + "-" + parts.month + "-" + parts.day;
  }

  function formatSize(bytes) {
    if (bytes < 1024) return bytes + " B";
    if (bytes < 1024 * 1024) return Math.round(bytes / 1024) + " KB";
    return (bytes / (1024 * 1024)).toFixed(1).replace(".", I.lang() === "id" ? "," : ".") + " MB";
  }

  /* The i18n key of what is wrong with a chosen file, or null. */
  function fileProblem(file) {
    if (FILE_TYPES.indexOf(file.type) < 0) return "err.file_type";
    if (file.size === 0) return "err.file_empty";
    if (file.size > MAX_BYTES) return "err.file_size";
    return null;
  }

  function UploadError(kind, detail) {
    this.name = "UploadError";
    this.kind = kind;      // "network" | "server" | "storage"
    this.detail = detail;  // the failed API result for "server"
  }

  /* Reserve -> upload straight to the storage -> ask the server to check the bytes. */
  function uploadAttachment(trackingId, accessCode, file) {
    var base = "reports/" + encodeURIComponent(trackingId) + "/attachments";
    var headers = { "X-Access-Code": accessCode };
    function call(path, body) {
      return api(path, { method: "POST", headers: headers, body: body }).catch(function () {
        throw new UploadError("network");
      }).then(function (result) {
        if (!result.ok) throw new UploadError("server", result);
        return result.data;
      });
    }
    return call(base, { filename: file.name, content_type: file.type, size: file.size }).then(function (slot) {
      var form = new FormData();
      Object.keys(slot.upload.fields).forEach(function (name) { form.append(name, slot.upload.fields[name]); });
      form.append("file", file);
      return fetch(slot.upload.url, { method: "POST", body: form, credentials: "omit" }).catch(function () {
        throw new UploadError("network");
      }).then(function (response) {
        if (!response.ok) throw new UploadError("storage");
        return call(base + "/" + encodeURIComponent(slot.attachment_id) + "/complete");
      });
    });
  }

  function uploadErrorText(error, file) {
    if (error && error.kind === "server") return file.name + ": " + messageOf(error.detail);
    if (error && error.kind === "storage") return I.t("err.upload_rejected", { file: file.name });
    return file.name + ": " + I.t("err.network_short");
  }

  /* "n / max characters" under a text field, announced only when close to the limit. */
  function counter(input, output) {
    var max = Number(output.getAttribute("data-max"));
    function update() {
      var n = input.value.length;
      output.textContent = I.t("counter", { n: n.toLocaleString(I.locale()), max: max.toLocaleString(I.locale()) });
      output.setAttribute("aria-live", max - n <= 20 ? "polite" : "off");
      output.classList.toggle("near-limit", max - n <= 20);
    }
    input.addEventListener("input", update);
    I.onChange(update);
    update();
    return update;
  }

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    return new Promise(function (resolve, reject) {
      var area = el("textarea", { readonly: true, className: "offscreen" });
      area.value = text;
      document.body.appendChild(area);
      area.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      area.remove();
      if (ok) resolve(); else reject(new Error("copy failed"));
    });
  }

  function fileLink(attachment) {
    var label = attachment.filename + " (" + formatSize(attachment.size) + ")";
    return el("a", { href: attachment.url, target: "_blank", rel: "noopener noreferrer", text: label });
  }

  /* In-page links resolve against <base>, which would load another page: move focus instead. */
  document.querySelectorAll("a.skip-link").forEach(function (link) {
    link.addEventListener("click", function (event) {
      var target = document.getElementById(link.getAttribute("href").slice(1));
      if (!target) return;
      event.preventDefault();
      target.focus();
      target.scrollIntoView();
    });
  });

  window.Lapor = {
    api: api,
    NetworkError: NetworkError,
    messageOf: messageOf,
    errorOf: errorOf,
    el: el,
    FieldErrors: FieldErrors,
    firstInvalid: firstInvalid,
    formatDate: formatDate,
    formatDateTime: formatDateTime,
    todayWib: todayWib,
    formatSize: formatSize,
    fileProblem: fileProblem,
    uploadAttachment: uploadAttachment,
    uploadErrorText: uploadErrorText,
    counter: counter,
    copyText: copyText,
    fileLink: fileLink,
    MAX_FILES: MAX_FILES,
    LAT: LAT,
    LON: LON
  };
})();
