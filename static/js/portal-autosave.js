/* Progressive enhancement: keep what is typed in a portal form in this browser until the
   server has saved it.

   A form with data-autosave="KEY" is copied to localStorage on every change. A page that
   confirms a save names the key in <span data-autosave-saved="KEY">, which drops the copy.
   When a form page opens and a copy is still there (the save never happened: the tab closed,
   the network failed, the session expired), the copy is put back and a notice says so,
   unless the server saved the record since the copy was typed (data-autosave-version).
   Passwords, files, hidden fields and the CSRF token are never stored. Without JavaScript
   the forms work the same; nothing depends on this file. */
(function () {
  "use strict";
  var PREFIX = "sme-support:autosave:";
  var storage;
  try { storage = window.localStorage; storage.setItem(PREFIX + "probe", "1"); storage.removeItem(PREFIX + "probe"); }
  catch (e) { return; }

  function keep(field) {
    if (!field.name || field.disabled) return false;
    var type = (field.type || "").toLowerCase();
    return ["password", "file", "hidden", "submit", "button", "reset"].indexOf(type) === -1;
  }

  function snapshot(form) {
    var data = {};
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!keep(field)) return;
      var type = (field.type || "").toLowerCase();
      if (type === "checkbox" || type === "radio") {
        data[field.name] = data[field.name] || [];
        if (field.checked) data[field.name].push(field.value);
      } else if (field.multiple) {
        data[field.name] = Array.prototype.filter.call(field.options, function (o) { return o.selected; })
          .map(function (o) { return o.value; });
      } else {
        data[field.name] = [field.value];
      }
    });
    return data;
  }

  function restore(form, data) {
    var changed = false;
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!keep(field) || !(field.name in data)) return;
      var values = data[field.name];
      var type = (field.type || "").toLowerCase();
      if (type === "checkbox" || type === "radio") {
        var on = values.indexOf(field.value) !== -1;
        if (field.checked !== on) { field.checked = on; changed = true; }
      } else if (field.multiple) {
        Array.prototype.forEach.call(field.options, function (o) {
          var on = values.indexOf(o.value) !== -1;
          if (o.selected !== on) { o.selected = on; changed = true; }
        });
      } else if (field.value !== (values[0] || "")) {
        field.value = values[0] || ""; changed = true;
      }
    });
    return changed;
  }

  function notice(form, key) {
    var box = document.createElement("div");
    box.className = "message message-info autosave-notice";
    box.setAttribute("role", "status");
    var text = document.createElement("p");
    text.textContent = document.documentElement.lang === "ko"
        ? "저장되지 않은 입력 내용을 이 브라우저에서 복원했습니다. 확인한 뒤 저장하세요."
        : "We restored what you typed earlier in this browser but did not save. Check it and save.";
    var discard = document.createElement("button");
    discard.type = "button";
    discard.textContent = document.documentElement.lang === "ko" ? "복원한 내용 버리기" : "Discard restored text";
    discard.addEventListener("click", function () { storage.removeItem(PREFIX + key); window.location.reload(); });
    box.appendChild(text);
    box.appendChild(discard);
    form.parentNode.insertBefore(box, form);
  }

  document.querySelectorAll("[data-autosave-saved]").forEach(function (el) {
    storage.removeItem(PREFIX + el.getAttribute("data-autosave-saved"));
  });

  document.querySelectorAll("form[data-autosave]").forEach(function (form) {
    var key = form.getAttribute("data-autosave");
    var stored = storage.getItem(PREFIX + key);
    // The record's version when the page was served. A copy typed on an older version is
    // stale (a colleague, or another tab, saved since): drop it rather than overwrite newer
    // data. Comparing versions, not clocks, keeps a wrong client clock out of it.
    var version = form.getAttribute("data-autosave-version") || "";
    if (stored) {
      try {
        var copy = JSON.parse(stored);
        if (version && copy.version !== version) storage.removeItem(PREFIX + key);
        else if (restore(form, copy.fields || {})) notice(form, key);
      } catch (e) { storage.removeItem(PREFIX + key); }
    }
    var save = function () {
      try { storage.setItem(PREFIX + key, JSON.stringify({ at: Date.now(), version: version, fields: snapshot(form) })); }
      catch (e) { /* storage full or disabled: the form still works */ }
    };
    form.addEventListener("input", save);
    form.addEventListener("change", save);
  });
})();
