/* Indonesian by default, English on request (remembered in localStorage).
 * The Indonesian text of the pages lives in the HTML itself (elements marked data-i18n); this file
 * holds its English translation and both languages of every message the scripts write. */
(function () {
  "use strict";

  var STORAGE_KEY = "lapor.lang";

  // English for the text marked data-i18n / data-i18n-label in the pages.
  var EN = {
    "skip": "Skip to main content",
    "brand.sub": "Public Aspirations and Complaints Online",
    "nav.label": "Main menu",
    "nav.new": "Submit a report",
    "nav.track": "Track a report",
    "nav.reports": "Browse reports",
    "req": "(required)",
    "opt": "(optional)",
    "footer.text": "The national public-service complaints service (SP4N-LAPOR!). Reports are handled under Law No. 25 of 2009 on Public Services.",
    "form.doctitle": "Submit a report — LAPOR!",
    "form.title": "Submit your report",
    "form.lead": "Your report goes to the government body responsible. Fields marked (required) must be filled in.",
    "form.retry_load": "Load the data again",
    "errors.summary_title": "Your report has not been sent",
    "kind.legend": "Type of report",
    "kind.complaint": "Complaint",
    "kind.complaint_hint": "A public service that is poor, slow or against the rules.",
    "kind.aspiration": "Aspiration",
    "kind.aspiration_hint": "A suggestion or proposal to improve a government service or policy.",
    "kind.information_request": "Information request",
    "kind.information_request_hint": "A question or a request for public information from a government body.",
    "content.legend": "Your report",
    "title.label": "Title",
    "title.hint": "Short and clear, 5–150 characters.",
    "description.label": "Description",
    "description.hint": "What happened, where, when and who was involved. 10–5,000 characters.",
    "occurred_on.label": "Date of the event",
    "location.legend": "Where it happened",
    "province.label": "Province",
    "province.choose": "Choose a province",
    "regency.label": "Regency/city",
    "regency.hint": "Choose the province first.",
    "regency.choose": "Choose a regency/city",
    "address.label": "Address or landmark",
    "geo.label": "Location from your device (optional)",
    "geo.hint": "Helps officers find the place. Sent only if you press this button.",
    "geo.button": "Use my location",
    "geo.clear": "Remove the location",
    "target.legend": "Agency and category",
    "target.hint": "You may leave these empty: an administrator sends the report to the body responsible.",
    "agency.label": "Agency",
    "agency.none": "I don't know — let the administrator choose",
    "category.label": "Category",
    "category.none": "Choose a category",
    "reporter.legend": "Identity and privacy",
    "anonymous.label": "Send anonymously",
    "anonymous.hint": "Only the central administrator sees your name and contact details; the agency handling it sees \"Anonymous\".",
    "confidential.label": "Make the report confidential",
    "confidential.hint": "The report is never shown to the public; only you (with the access code) and the officers handling it can read it.",
    "name.label": "Full name",
    "name.hint": "Never shown to the public.",
    "contact.hint": "Give an e-mail address and/or a phone number. We tell you there how your report progresses.",
    "email.label": "E-mail",
    "phone.label": "Phone/WhatsApp number",
    "files.legend": "Attachments",
    "files.hint": "Photos (JPEG, PNG, WebP) or PDF documents. At most 5 files, 10 MB each.",
    "files.choose": "Choose files",
    "consent.legend": "Consent",
    "consent.label": "I agree that my personal data is processed to handle this report",
    "consent.hint": "Your name, e-mail and phone number are used only to handle this report and keep you informed, under Law No. 27 of 2022 on Personal Data Protection. The public never sees them; the officers handling the report see them only while it is open in their unit, the central admin always, and every access is recorded.",
    "consent.retention_a": "Your identity is erased",
    "consent.retention_b": "months after the report is closed (archived spam:",
    "consent.retention_c": "days).",
    "consent.rights": "You may see, correct and erase your data and withdraw your consent.",
    "consent.more": "Read the privacy notice",
    "footer.privacy": "Privacy and personal data notice",
    "privacy.doctitle": "Privacy notice — LAPOR!",
    "privacy.title": "Privacy notice",
    "privacy.lead": "How LAPOR processes reporters' personal data under Law No. 27 of 2022 on Personal Data Protection.",
    "privacy.version": "Notice version:",
    "privacy.data_title": "The data we keep",
    "privacy.data_identity": "Your identity: your name, and an e-mail address or phone number to keep you informed.",
    "privacy.data_report": "The report: its type, title, description, date, location and attachments (location and camera data inside photos are removed on upload).",
    "privacy.data_code": "Your access code, only as a fingerprint (hash) that cannot be reversed.",
    "privacy.purpose_title": "What for, and on what basis",
    "privacy.purpose": "The data is used only to handle your report and keep you informed of its progress, on the consent you give when you send the report and as part of the public-service duty (Law No. 25 of 2009). It is used for nothing else and never sold.",
    "privacy.who_title": "Who sees what",
    "privacy.who_public": "The public: the report's content once it is sent to an agency, without your name, e-mail or phone. A confidential report is never public.",
    "privacy.who_officers": "The agency and unit officers handling it: your identity only while the report is open in their unit. Once it is completed or archived, your identity is hidden from them.",
    "privacy.who_central": "The central admin: every report. Each time any officer sees your identity it is recorded (who, when, why) and the record is kept for 5 years.",
    "privacy.who_anonymous": "Anonymous reports: only the central admin sees your identity; it is still used to keep you informed.",
    "privacy.retention_title": "How long",
    "privacy.retention_closed_a": "Your identity and attachments are erased",
    "privacy.retention_closed_b": "months after the report is closed.",
    "privacy.retention_spam_a": "Reports archived as spam: erased after",
    "privacy.retention_spam_b": "days.",
    "privacy.retention_stats": "Statistics (numbers of reports, completion times) are kept without anyone's identity.",
    "privacy.rights_title": "Your rights",
    "privacy.rights": "With the tracking number and access code you can see everything we keep about you for that report, correct your contact details, withdraw your consent and erase your identity at any time (the report stays, as an anonymous one). If you lost the access code, a new one can be sent to the contact on file.",
    "privacy.security_title": "Security and data breaches",
    "privacy.security": "The data is stored encrypted, readable only by authorised officers, and every access to an identity is recorded. If personal data protection fails, we tell you and the supervisory authority within 3 x 24 hours, as Article 46 of the PDP Law requires.",
    "privacy.contact_title": "Contact",
    "privacy.contact": "Questions about your personal data: contact the LAPOR central admin through this complaints service.",
    "submit": "Send report",
    "result.title": "Your report has been sent",
    "result.lead": "Keep the tracking number and access code below. Write them down, take a screenshot or copy them now.",
    "result.tid": "Tracking number",
    "result.code": "Access code",
    "result.copy_tid": "Copy tracking number",
    "result.copy_code": "Copy access code",
    "result.warning_title": "Do not lose the access code.",
    "result.warning": "You need the access code to follow a confidential report, to reply to officers and to add attachments. It cannot be sent again; do not share it with anyone.",
    "result.confidential": "This report is confidential: without the access code it cannot be opened at all.",
    "result.uploads": "Attachments",
    "result.track": "Open the tracking page",
    "result.new": "Submit another report",
    "track.doctitle": "Track a report — LAPOR!",
    "track.title": "Track a report",
    "track.lead": "Enter the tracking number. For a confidential report, to reply to officers or to add attachments, enter the access code too.",
    "track.tid": "Tracking number",
    "track.tid_hint": "8 letters/digits, for example 7K2M-QX9P.",
    "track.code": "Access code",
    "track.code_opt": "(if you have it)",
    "track.code_hint": "The 10-character code you received when you sent the report.",
    "track.submit": "Track",
    "track.overdue_badge": "Overdue",
    "track.confidential_badge": "Confidential",
    "track.overdue_note": "This report is past its handling deadline. The delay is recorded and visible to the agency and central administrators.",
    "track.kind": "Type",
    "track.received": "Received",
    "track.occurred": "Date of the event",
    "track.location": "Location",
    "track.agency": "Agency/unit",
    "track.category": "Category",
    "track.rating": "Your rating",
    "track.description": "Description",
    "track.deadlines": "Deadlines",
    "track.deadlines_hint": "Counted in working days; each ends at 23:59 WIB on the date shown.",
    "track.answers": "Officers' answers",
    "track.timeline": "History",
    "track.attachments": "Attachments",
    "track.no_attachments": "No attachments.",
    "track.add_files": "Add attachments",
    "recover.summary": "Lost your access code?",
    "recover.hint": "We send a new access code to the e-mail address or phone number you gave in the report. The old code stops working at once.",
    "recover.submit": "Send a new access code",
    "support.count_label": "Supporters",
    "support.title": "Support this report",
    "support.intro": "Same problem? Support this report instead of sending a new one. Give an e-mail or a mobile number to receive its updates (we send a confirmation code), or leave it empty to support without identifying yourself.",
    "support.contact": "E-mail or mobile number",
    "support.contact_hint": "For example name@example.id or 0812 3456 7890. Used only for this report's updates.",
    "support.submit": "Support this report",
    "support.code": "Confirmation code",
    "support.code_hint": "The 6 digits we sent to your contact; valid for 30 minutes.",
    "support.confirm": "Confirm my support",
    "reply.decision": "Did the officer's answer solve your problem?",
    "reply.accept": "Yes, I accept this answer",
    "reply.reject": "Not yet, I reject this answer",
    "reply.rating": "Your rating of how the report was handled",
    "reply.submit": "Send reply",
    "rating.1": "Very poor",
    "rating.2": "Poor",
    "rating.3": "Fair",
    "rating.4": "Good",
    "rating.5": "Very good"
  };

  // Messages written by the scripts: [Indonesian, English]. {name} is replaced from `vars`.
  var MESSAGES = {
    "lang.switch_to": ["English", "Bahasa Indonesia"],
    "err.required": ["Wajib diisi.", "Required."],
    "err.kind": ["Pilih jenis laporan.", "Choose the type of report."],
    "err.title_length": ["Judul harus 5–150 karakter.", "The title must be 5–150 characters."],
    "err.description_length": ["Uraian harus 10–5.000 karakter.", "The description must be 10–5,000 characters."],
    "err.date_future": ["Tanggal kejadian tidak boleh di masa depan.", "The date of the event cannot be in the future."],
    "err.date_invalid": ["Tanggal tidak valid.", "Invalid date."],
    "err.province": ["Pilih provinsi.", "Choose a province."],
    "err.name": ["Isi nama lengkap Anda.", "Enter your full name."],
    "err.contact": ["Isi e-mail atau nomor telepon.", "Give an e-mail address or a phone number."],
    "err.email": ["Alamat e-mail tidak valid, contoh: nama@contoh.id.", "Invalid e-mail address, for example name@example.id."],
    "err.phone": ["Nomor telepon tidak valid, contoh: 0812 3456 7890.", "Invalid phone number, for example 0812 3456 7890."],
    "err.consent": ["Centang persetujuan agar laporan dapat diproses.", "Tick the consent box so the report can be handled."],
    "err.too_many_files": ["Paling banyak 5 berkas.", "At most 5 files."],
    "err.file_type": ["{file}: hanya JPEG, PNG, WebP, atau PDF.", "{file}: JPEG, PNG, WebP or PDF only."],
    "err.file_size": ["{file}: lebih dari 10 MB.", "{file}: larger than 10 MB."],
    "err.file_empty": ["{file}: berkas kosong.", "{file}: the file is empty."],
    "err.summary": ["Periksa kolom yang ditandai di bawah ini.", "Check the fields marked below."],
    "err.network": ["Koneksi terputus, laporan mungkin belum terkirim. Tekan \"Kirim laporan\" lagi: laporan yang sama tidak akan tercatat dua kali.", "The connection failed and the report may not have been sent. Press \"Send report\" again: the same report will not be recorded twice."],
    "err.network_short": ["Koneksi terputus. Periksa internet Anda lalu coba lagi.", "The connection failed. Check your internet connection and try again."],
    "err.server": ["Terjadi kesalahan pada server. Coba lagi beberapa saat lagi.", "Something went wrong on the server. Please try again shortly."],
    "err.load": ["Data provinsi, instansi, dan kategori gagal dimuat.", "The provinces, agencies and categories could not be loaded."],
    "err.geo_unsupported": ["Perangkat ini tidak dapat memberi lokasi.", "This device cannot provide a location."],
    "err.geo_denied": ["Izin lokasi ditolak. Anda tetap dapat mengisi alamat.", "Location permission was denied. You can still type the address."],
    "err.geo_failed": ["Lokasi tidak dapat ditentukan. Anda tetap dapat mengisi alamat.", "The location could not be determined. You can still type the address."],
    "err.geo_outside": ["Lokasi perangkat berada di luar Indonesia.", "The device's location is outside Indonesia."],
    "err.tid": ["Nomor laporan terdiri dari 8 huruf/angka, misalnya 7K2M-QX9P.", "A tracking number has 8 letters/digits, for example 7K2M-QX9P."],
    "err.not_found_hint": ["Laporan yang belum diverifikasi atau bersifat rahasia hanya dapat dibuka dengan kode akses.", "Reports not yet verified, and confidential ones, open only with the access code."],
    "err.decision": ["Pilih menerima atau menolak jawaban.", "Choose whether you accept or reject the answer."],
    "err.rating": ["Pilih penilaian 1–5.", "Choose a rating from 1 to 5."],
    "err.message": ["Tulis pesan Anda.", "Write your message."],
    "err.upload_rejected": ["{file}: unggahan ditolak oleh penyimpanan.", "{file}: the upload was refused by the storage."],
    "status.loading": ["Memuat…", "Loading…"],
    "status.sending": ["Mengirim laporan…", "Sending the report…"],
    "status.sending_reply": ["Mengirim…", "Sending…"],
    "status.geo_finding": ["Mencari lokasi…", "Finding your location…"],
    "status.geo_found": ["Titik lokasi terekam: {lat}, {lon} (akurasi ± {acc} m).", "Location recorded: {lat}, {lon} (accuracy ± {acc} m)."],
    "status.geo_cleared": ["Titik lokasi dihapus.", "Location removed."],
    "status.copied": ["{what} tersalin.", "{what} copied."],
    "status.copy_failed": ["Tidak dapat menyalin; pilih teksnya lalu salin secara manual.", "Could not copy; select the text and copy it by hand."],
    "status.uploading": ["Mengunggah…", "Uploading…"],
    "status.uploaded": ["Terunggah", "Uploaded"],
    "status.upload_failed": ["Gagal", "Failed"],
    "status.uploads_done": ["{ok} dari {total} lampiran terunggah.", "{ok} of {total} attachments uploaded."],
    "status.reply_sent": ["Tanggapan Anda terkirim.", "Your reply has been sent."],
    "status.found": ["Laporan ditemukan.", "Report found."],
    "file.remove": ["Hapus {file}", "Remove {file}"],
    "file.retry": ["Coba lagi", "Try again"],
    "file.open": ["Buka", "Open"],
    "counter": ["{n} / {max} karakter", "{n} / {max} characters"],
    "kind.complaint": ["Pengaduan", "Complaint"],
    "kind.aspiration": ["Aspirasi", "Aspiration"],
    "kind.information_request": ["Permintaan informasi", "Information request"],
    "none": ["—", "—"],
    "track.not_set": ["Belum ditentukan", "Not decided yet"],
    "track.current": ["tahap saat ini", "current stage"],
    "track.late": ["terlambat", "overdue"],
    "track.due": ["s.d. {date}, 23.59 WIB", "by {date}, 23:59 WIB"],
    "track.rating_value": ["{n} dari 5", "{n} of 5"],
    "support.count": ["{n} orang", "{n} people"],
    "support.counted": ["Terima kasih, dukungan Anda tercatat.", "Thank you, your support is counted."],
    "support.already": ["Dukungan dari Anda sudah tercatat sebelumnya.", "Your support was already counted."],
    "support.sent_email": ["Kode konfirmasi terkirim ke e-mail Anda. Masukkan di bawah.", "A confirmation code was sent to your e-mail. Enter it below."],
    "support.sent_sms": ["Kode konfirmasi terkirim lewat SMS. Masukkan di bawah.", "A confirmation code was sent by SMS. Enter it below."],
    "support.duplicate_of": ["Laporan ini duplikat dari", "This report is a duplicate of"],
    "support.duplicates": ["Laporan duplikat:", "Duplicate reports:"],
    "err.support_contact": ["Isi alamat e-mail atau nomor HP yang valid, atau kosongkan.", "Give a valid e-mail address or mobile number, or leave it empty."],
    "err.support_code": ["Kode terdiri dari 6 angka.", "The code has 6 digits."],
    "stage.verification": ["Verifikasi oleh admin", "Verification by the administrator"],
    "stage.agency_review": ["Penelaahan oleh instansi", "Review by the agency"],
    "stage.first_response": ["Tanggapan pertama", "First response"],
    "stage.completion": ["Penyelesaian", "Completion"],
    "stage.reporter_reply": ["Tanggapan Anda atas jawaban", "Your reply to the answer"],
    "stage.clarification": ["Klarifikasi dari Anda", "Your clarification"],
    "stage.ombudsman_referral": ["Batas rujukan ke Ombudsman RI", "Referral to Ombudsman RI"],
    "action.submit": ["Laporan diterima", "Report received"],
    "action.dispatch": ["Diteruskan ke instansi", "Dispatched to the agency"],
    "action.postpone": ["Ditunda, menunggu klarifikasi Anda", "Postponed, waiting for your clarification"],
    "action.archive": ["Diarsipkan", "Archived"],
    "action.correct": ["Data laporan dikoreksi admin", "Report details corrected by an administrator"],
    "action.clarify": ["Klarifikasi dari pelapor", "Clarification from the reporter"],
    "action.auto_archive": ["Diarsipkan otomatis (tidak ada klarifikasi)", "Archived automatically (no clarification)"],
    "action.assign": ["Diteruskan ke unit kerja", "Assigned to a unit"],
    "action.reroute": ["Dialihkan (bukan wewenang)", "Rerouted (not in their remit)"],
    "action.respond": ["Tanggapan petugas", "Officer's response"],
    "action.reply": ["Balasan pelapor", "Reporter's reply"],
    "action.final_answer": ["Jawaban akhir petugas", "Officer's final answer"],
    "action.accept": ["Pelapor menerima jawaban", "The reporter accepted the answer"],
    "action.reject": ["Pelapor menolak jawaban", "The reporter rejected the answer"],
    "action.auto_complete": ["Selesai otomatis (tidak ada tanggapan)", "Completed automatically (no reply)"],
    "action.set_field_inspection": ["Ditetapkan perlu peninjauan lapangan", "Field inspection required"],
    "action.refer_ombudsman": ["Dirujuk ke Ombudsman RI", "Referred to Ombudsman RI"],
    "action.reissue_access_code": ["Kode akses baru dikirim ke kontak Anda", "A new access code was sent to your contact"],
    "action.correct_contact": ["Kontak pelapor diperbarui", "The reporter's contact was updated"],
    "action.erase_identity": ["Identitas pelapor dihapus", "The reporter's identity was erased"],
    "recover.sent": ["Jika laporan ini mencantumkan e-mail atau nomor telepon, kode akses baru telah dikirim ke sana. Kode yang lama tidak berlaku lagi.", "If this report has an e-mail address or phone number on file, a new access code was sent there. The old code no longer works."],
    "reply.title_in_progress": ["Kirim informasi tambahan", "Send more information"],
    "reply.intro_in_progress": ["Laporan sedang ditindaklanjuti. Anda dapat menambahkan informasi untuk petugas.", "The report is being handled. You can add information for the officers."],
    "reply.title_postponed": ["Klarifikasi diperlukan", "Clarification needed"],
    "reply.intro_postponed": ["Admin menunda laporan ini sampai Anda memberi klarifikasi. Lihat pesan admin di riwayat laporan.", "The administrator has postponed this report until you clarify it. See the administrator's message in the history."],
    "reply.title_awaiting": ["Tanggapi jawaban petugas", "Respond to the officer's answer"],
    "reply.intro_awaiting": ["Petugas telah memberi jawaban akhir. Terima dan beri penilaian, atau tolak dan jelaskan alasannya.", "The officer has given a final answer. Accept it and rate it, or reject it and explain why."],
    "reply.message_label": ["Pesan", "Message"],
    "reply.message_optional": ["(opsional)", "(optional)"],
    "reply.message_required": ["(wajib)", "(required)"]
  };

  var original = {};
  var listeners = [];
  var lang = stored();

  function stored() {
    try {
      return window.localStorage.getItem(STORAGE_KEY) === "en" ? "en" : "id";
    } catch (e) {
      return "id";
    }
  }

  function fill(text, vars) {
    return String(text).replace(/\{(\w+)\}/g, function (all, name) {
      return vars && Object.prototype.hasOwnProperty.call(vars, name) ? String(vars[name]) : all;
    });
  }

  function t(key, vars) {
    var pair = MESSAGES[key];
    if (!pair) return key;
    return fill(pair[lang === "en" ? 1 : 0], vars);
  }

  /* "bahasa / english" strings from the server, or {id, en} objects: the chosen language's part. */
  function pick(text) {
    if (text == null) return "";
    if (typeof text === "object") return String(lang === "en" ? text.en : text.id);
    var s = String(text);
    var at = s.indexOf(" / ");
    if (at < 0) return s;
    return lang === "en" ? s.slice(at + 3) : s.slice(0, at);
  }

  /* An API error body's message in the chosen language. */
  function serverMessage(error) {
    if (!error) return t("err.server");
    if (lang === "en" && error.message_en) return error.message_en;
    if (lang === "id" && error.message_id) return error.message_id;
    return pick(error.message);
  }

  function remember(el, key, attr) {
    var id = attr ? key + "@" + attr : key;
    if (!(id in original)) original[id] = attr ? el.getAttribute(attr) : el.textContent;
    return original[id];
  }

  function apply(root) {
    var scope = root || document;
    scope.querySelectorAll("[data-i18n]").forEach(function (el) {
      var key = el.getAttribute("data-i18n");
      var id = remember(el, key);
      el.textContent = lang === "en" && EN[key] ? EN[key] : id;
    });
    scope.querySelectorAll("[data-i18n-label]").forEach(function (el) {
      var key = el.getAttribute("data-i18n-label");
      var id = remember(el, key, "aria-label");
      el.setAttribute("aria-label", lang === "en" && EN[key] ? EN[key] : id);
    });
    var button = document.getElementById("lang-switch");
    if (button) {
      button.textContent = t("lang.switch_to");
      button.setAttribute("lang", lang === "en" ? "id" : "en");
    }
    document.documentElement.lang = lang;
  }

  function setLang(next) {
    lang = next === "en" ? "en" : "id";
    try {
      window.localStorage.setItem(STORAGE_KEY, lang);
    } catch (e) { /* private mode: the choice lasts for this page only */ }
    apply(document);
    listeners.forEach(function (fn) { fn(lang); });
  }

  function locale() {
    return lang === "en" ? "en-GB" : "id-ID";
  }

  window.I18N = {
    t: t,
    pick: pick,
    serverMessage: serverMessage,
    lang: function () { return lang; },
    locale: locale,
    setLang: setLang,
    apply: apply,
    onChange: function (fn) { listeners.push(fn); },
    hasEnglish: function (key) { return Object.prototype.hasOwnProperty.call(EN, key); },
    /* A page's own texts (its English for data-i18n, and messages in both languages), added by
     * its script before it renders: the page then switches language like the others. */
    extend: function (en, messages) {
      Object.keys(en || {}).forEach(function (k) { EN[k] = en[k]; });
      Object.keys(messages || {}).forEach(function (k) { MESSAGES[k] = messages[k]; });
      apply(document);
    }
  };

  // Deferred scripts run after parsing, so the page is here already.
  document.querySelectorAll("[data-i18n]").forEach(function (el) { remember(el, el.getAttribute("data-i18n")); });
  apply(document);
  var switcher = document.getElementById("lang-switch");
  if (switcher) {
    switcher.addEventListener("click", function () { setLang(lang === "en" ? "id" : "en"); });
  }
})();
